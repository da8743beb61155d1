/* http.c: the gateways' HTTP client.  One libcurl multi handle per client
 * with a few easy handles, so connections are reused between requests and
 * up to `parallel` requests (sends) are in flight at once; every request is
 * reset and set up again from the options, so nothing leaks from one
 * request to the next.
 *
 * Limits: connect and total timeouts, a response body cap (checked against
 * Content-Length up front and while receiving, so a body without one is cut
 * off too), no redirects, http and https only, and plain http only to
 * loopback unless allowed.  Error strings name the method and the URL
 * without its query (which holds phone numbers) and never the credentials. */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "http.h"
#include "http_url.h"

/* Defaults for options left 0, as in config.h. */
#define HTTP_CONNECT_TIMEOUT_MS 5000L
#define HTTP_TIMEOUT_MS         15000L
#define HTTP_MAX_RESPONSE       (4u << 20)

/* Longest pause a Retry-After may ask for; longer ones are cut to it. */
#define HTTP_RETRY_AFTER_MAX 86400

/* Most requests in flight at once. */
#define HTTP_PARALLEL_MAX 32

struct http_client {
	CURLM *multi;
	CURL *easy[HTTP_PARALLEL_MAX];
	unsigned parallel;
	char *ca_file;
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_response;
	bool allow_insecure_http;
	char *basic_user;
	char *basic_password;
	char *authorization; /* the whole "Authorization: ..." header line */
	char *user_agent;
};

/* What one transfer collects. */
struct http_transfer {
	char *body;
	size_t len, cap, max;
	bool too_big;
	bool resend_stopped; /* see http_prereq() */
	long retry_after_s;
};

static int
http_strdup_opt(const char *s, char **ret)
{
	*ret = NULL;
	if (s == NULL)
		return 0;
	*ret = strdup(s);
	return *ret != NULL ? 0 : -1;
}

static char *
http_header_line(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s: %s", name, value);
	return s;
}

struct http_client *
http_new(const struct http_options *opts)
{
	struct http_client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->connect_timeout_ms = opts->connect_timeout_ms > 0
	                            ? opts->connect_timeout_ms
	                            : HTTP_CONNECT_TIMEOUT_MS;
	c->timeout_ms =
	    opts->timeout_ms > 0 ? opts->timeout_ms : HTTP_TIMEOUT_MS;
	c->max_response =
	    opts->max_response > 0 ? opts->max_response : HTTP_MAX_RESPONSE;
	c->allow_insecure_http = opts->allow_insecure_http;
	if (http_strdup_opt(opts->ca_file, &c->ca_file) != 0 ||
	    http_strdup_opt(opts->basic_user, &c->basic_user) != 0 ||
	    http_strdup_opt(opts->basic_password, &c->basic_password) != 0 ||
	    http_strdup_opt(opts->user_agent, &c->user_agent) != 0)
		goto fail;
	if (opts->authorization != NULL) {
		c->authorization =
		    http_header_line("Authorization", opts->authorization);
		if (c->authorization == NULL)
			goto fail;
	}
	c->parallel = opts->parallel > 0 ? opts->parallel : 1;
	if (c->parallel > HTTP_PARALLEL_MAX)
		c->parallel = HTTP_PARALLEL_MAX;
	c->multi = curl_multi_init();
	if (c->multi == NULL ||
	    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	                      (long)c->parallel) != CURLM_OK)
		goto fail;
	for (unsigned i = 0; i < c->parallel; i++) {
		c->easy[i] = curl_easy_init();
		if (c->easy[i] == NULL)
			goto fail;
	}
	return c;
fail:
	http_free(c);
	return NULL;
}

/* Overwrites a credential before freeing it. */
static void
http_free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void
http_free(struct http_client *c)
{
	if (c == NULL)
		return;
	for (unsigned i = 0; i < HTTP_PARALLEL_MAX; i++)
		if (c->easy[i] != NULL)
			curl_easy_cleanup(c->easy[i]);
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	free(c->ca_file);
	free(c->basic_user);
	http_free_secret(c->basic_password);
	http_free_secret(c->authorization);
	free(c->user_agent);
	free(c);
}

void
http_response_free(struct http_response *r)
{
	if (r == NULL)
		return;
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

/* --- URLs ---------------------------------------------------------------- */

/* The URL for an error message: scheme, host, port and path, without the
 * query (phone numbers) or any user name and password. */
static void
http_url_for_log(const char *url, char *buf, size_t len)
{
	CURLU *u = curl_url();
	char *s = NULL;

	snprintf(buf, len, "(unparseable URL)");
	if (u == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_QUERY, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
		snprintf(buf, len, "%s", s);
	curl_free(s);
	curl_url_cleanup(u);
}

/* --- callbacks ----------------------------------------------------------- */

static size_t
http_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_transfer *t = arg;
	size_t n = size * nmemb;

	if (n > t->max - t->len) {
		t->too_big = true;
		return 0; /* fails the transfer: CURLE_WRITE_ERROR */
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap > 0 ? t->cap : 4096;
		while (cap < t->len + n + 1)
			cap *= 2;
		if (cap > t->max + 1)
			cap = t->max + 1;
		char *p = realloc(t->body, cap);
		if (p == NULL)
			return 0;
		t->body = p;
		t->cap = cap;
	}
	memcpy(t->body + t->len, data, n);
	t->len += n;
	t->body[t->len] = '\0';
	return n;
}

/* Retry-After is either a number of seconds or an HTTP date. */
static long
http_parse_retry_after(const char *value)
{
	long s;

	if (isdigit((unsigned char)value[0])) {
		char *end;
		unsigned long long v = strtoull(value, &end, 10);
		if (*end != '\0')
			return -1;
		s = v > HTTP_RETRY_AFTER_MAX ? HTTP_RETRY_AFTER_MAX : (long)v;
	} else {
		time_t t = curl_getdate(value, NULL);
		time_t now = time(NULL);
		if (t == -1)
			return -1;
		if (t <= now)
			s = 0;
		else if (t - now > HTTP_RETRY_AFTER_MAX)
			s = HTTP_RETRY_AFTER_MAX;
		else
			s = (long)(t - now);
	}
	return s;
}

static size_t
http_header_cb(char *data, size_t size, size_t nitems, void *arg)
{
	struct http_transfer *t = arg;
	size_t n = size * nitems;
	static const char name[] = "retry-after:";
	char value[128];
	size_t i, j;

	/* A new status line (after a 100 Continue, say) starts afresh. */
	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0)
		t->retry_after_s = -1;
	if (n < sizeof(name) - 1 ||
	    strncasecmp(data, name, sizeof(name) - 1) != 0)
		return n;
	i = sizeof(name) - 1;
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	for (j = 0; i < n && j < sizeof(value) - 1; i++, j++)
		value[j] = data[i];
	while (j > 0 && isspace((unsigned char)value[j - 1]))
		j--;
	value[j] = '\0';
	if (i == n)
		t->retry_after_s = http_parse_retry_after(value);
	return n;
}

/* --- requests ------------------------------------------------------------ */

static int
http_setup(struct http_client *c, CURL *h, const char *url,
           struct curl_slist *headers, struct http_transfer *t, char *errbuf)
{
	CURLcode rc = CURLE_OK;

	curl_easy_reset(h);
#define HTTP_SET(opt, val)                                  \
	do {                                                \
		if (rc == CURLE_OK)                         \
			rc = curl_easy_setopt(h, opt, val); \
	} while (0)
	HTTP_SET(CURLOPT_URL, url);
	HTTP_SET(CURLOPT_PROTOCOLS_STR, "http,https");
	HTTP_SET(CURLOPT_FOLLOWLOCATION, 0L);
	HTTP_SET(CURLOPT_NOSIGNAL, 1L);
	HTTP_SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	HTTP_SET(CURLOPT_TIMEOUT_MS, c->timeout_ms);
	HTTP_SET(CURLOPT_SSL_VERIFYPEER, 1L);
	HTTP_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file != NULL)
		HTTP_SET(CURLOPT_CAINFO, c->ca_file);
	HTTP_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response);
	HTTP_SET(CURLOPT_WRITEFUNCTION, http_write_cb);
	HTTP_SET(CURLOPT_WRITEDATA, t);
	HTTP_SET(CURLOPT_HEADERFUNCTION, http_header_cb);
	HTTP_SET(CURLOPT_HEADERDATA, t);
	HTTP_SET(CURLOPT_ERRORBUFFER, errbuf);
	HTTP_SET(CURLOPT_HTTPHEADER, headers);
	if (c->user_agent != NULL)
		HTTP_SET(CURLOPT_USERAGENT, c->user_agent);
	if (c->basic_user != NULL) {
		HTTP_SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		HTTP_SET(CURLOPT_USERNAME, c->basic_user);
		HTTP_SET(CURLOPT_PASSWORD,
		         c->basic_password != NULL ? c->basic_password : "");
	}
#undef HTTP_SET
	return rc == CURLE_OK ? 0 : -1;
}

static struct curl_slist *
http_headers(const struct http_client *c, const char *content_type)
{
	struct curl_slist *l = NULL, *n;
	const char *lines[4];
	size_t count = 0;

	lines[count++] = "Accept: application/json";
	lines[count++] = "Expect:"; /* no 100-continue round trip */
	if (content_type != NULL)
		lines[count++] = content_type;
	if (c->authorization != NULL)
		lines[count++] = c->authorization;
	for (size_t i = 0; i < count; i++) {
		n = curl_slist_append(l, lines[i]);
		if (n == NULL) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = n;
	}
	return l;
}

static void
http_fail(struct http_response *ret, const char *method, const char *url,
          const char *why)
{
	char where[512];

	/* The precisions keep the whole line inside ret->error. */
	http_url_for_log(url, where, sizeof(where));
	snprintf(ret->error, sizeof(ret->error), "%.4s %.150s: %.90s", method,
	         where, why);
}

static void
http_transfer_error(const struct http_client *c, CURLcode rc,
                    const struct http_transfer *t, const char *errbuf,
                    char *buf, size_t len)
{
	if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(buf, len, "response larger than %zu bytes",
		         c->max_response);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(buf, len, "timed out (connect %ld ms, total %ld ms)",
		         c->connect_timeout_ms, c->timeout_ms);
	else if (t->resend_stopped)
		/* See http_prereq(): libcurl wanted to send it again. */
		snprintf(buf, len,
		         "the connection closed before any answer (the request "
		         "may have reached the gateway)");
	else if (errbuf[0] != '\0')
		snprintf(buf, len, "%s", errbuf);
	else
		snprintf(buf, len, "%s", curl_easy_strerror(rc));
}

/* Called at least every 250 ms while http_perform waits in the thread that
 * set it (see http_set_wait_hook). */
static void (*http_wait_hook)(void);
static pthread_t http_wait_hook_thread;

/* One request in flight on one of the client's easy handles. */
struct http_slot {
	CURL *h;
	struct http_call *call;
	struct http_transfer t;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	unsigned prereqs; /* times libcurl has been about to send it */
};

/* Called by libcurl just before it sends a request on a connection.  When
 * a reused connection dies before any answer, libcurl sends the request
 * again by itself on a new one (it has no option to stop that), and a
 * send the gateway took would go out twice.  A POST is let through once
 * only: a second time the transfer fails, and the caller, having no
 * answer, asks the gateway before it sends again. */
static int
http_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port,
            int local_port)
{
	struct http_slot *sl = arg;

	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (sl->prereqs++ > 0 && sl->call->body != NULL) {
		sl->t.resend_stopped = true;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

static const char *
http_method(const struct http_call *call)
{
	return call->body != NULL ? "POST" : "GET";
}

/* Sets a slot up for call.  0, or -1 with call->res.error filled (the call
 * is then over). */
static int
http_slot_start(struct http_client *c, struct http_slot *sl,
                struct http_call *call)
{
	const char *method = http_method(call);

	memset(&call->res, 0, sizeof(call->res));
	call->res.retry_after_s = -1;
	call->rc = -1;
	sl->call = call;
	memset(&sl->t, 0, sizeof(sl->t));
	sl->t.max = c->max_response;
	sl->t.retry_after_s = -1;
	sl->errbuf[0] = '\0';
	sl->prereqs = 0;
	if (!http_url_allowed(call->url, c->allow_insecure_http)) {
		http_fail(&call->res, method, call->url,
		          "refused: only https, or plain http to loopback "
		          "unless allow_insecure_http is set");
		return -1;
	}
	sl->headers = http_headers(c, call->content_type);
	if (sl->headers == NULL ||
	    http_setup(c, sl->h, call->url, sl->headers, &sl->t, sl->errbuf) !=
	        0 ||
	    curl_easy_setopt(sl->h, CURLOPT_PREREQFUNCTION, http_prereq) !=
	        CURLE_OK ||
	    curl_easy_setopt(sl->h, CURLOPT_PREREQDATA, sl) != CURLE_OK ||
	    (call->body != NULL &&
	     (curl_easy_setopt(sl->h, CURLOPT_POSTFIELDSIZE_LARGE,
	                       (curl_off_t)strlen(call->body)) != CURLE_OK ||
	      curl_easy_setopt(sl->h, CURLOPT_POSTFIELDS, call->body) !=
	          CURLE_OK)) ||
	    curl_multi_add_handle(c->multi, sl->h) != CURLM_OK) {
		http_fail(&call->res, method, call->url,
		          "cannot set up the request");
		return -1;
	}
	return 0;
}

/* The answer's Date header (the server's clock), Unix seconds; 0 when it
 * has none that parses. */
static int64_t
http_date(CURL *h)
{
	struct curl_header *hd;
	time_t t;

	if (curl_easy_header(h, "Date", 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return 0;
	t = curl_getdate(hd->value, NULL);
	return t > 0 ? (int64_t)t : 0;
}

/* Fills the slot's call from the finished transfer and frees the slot. */
static void
http_slot_finish(struct http_client *c, struct http_slot *sl, CURLcode rc)
{
	struct http_call *call = sl->call;
	struct http_response *ret = &call->res;
	const char *method = http_method(call);
	char why[CURL_ERROR_SIZE + 64];

	curl_multi_remove_handle(c->multi, sl->h);
	ret->retry_after_s = sl->t.retry_after_s;
	/* libcurl was about to send it: it may have reached the server. */
	ret->sent = sl->prereqs > 0;
	if (rc != CURLE_OK) {
		http_transfer_error(c, rc, &sl->t, sl->errbuf, why,
		                    sizeof(why));
		http_fail(ret, method, call->url, why);
	} else {
		curl_easy_getinfo(sl->h, CURLINFO_RESPONSE_CODE, &ret->status);
		ret->date = http_date(sl->h);
		ret->body = sl->t.body != NULL ? sl->t.body : strdup("");
		ret->len = sl->t.len;
		sl->t.body = NULL;
		if (ret->body == NULL) {
			ret->status = 0;
			http_fail(ret, method, call->url, "out of memory");
		} else {
			call->rc = 0;
		}
	}
	/* The handle keeps pointers to these until the next reset. */
	curl_easy_setopt(sl->h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(sl->h, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(sl->headers);
	sl->headers = NULL;
	free(sl->t.body);
	sl->t.body = NULL;
	sl->call = NULL;
}

void
http_perform(struct http_client *c, struct http_call *calls, size_t n)
{
	struct http_slot slots[HTTP_PARALLEL_MAX];
	size_t next = 0, busy = 0;
	int running, left;
	CURLMsg *msg;

	memset(slots, 0, sizeof(slots));
	for (unsigned i = 0; i < c->parallel; i++)
		slots[i].h = c->easy[i];
	while (next < n || busy > 0) {
		/* Start calls on free slots. */
		for (unsigned i = 0; i < c->parallel && next < n; i++) {
			if (slots[i].call != NULL)
				continue;
			if (http_slot_start(c, &slots[i], &calls[next]) == 0) {
				busy++;
			} else {
				curl_slist_free_all(slots[i].headers);
				slots[i].headers = NULL;
				slots[i].call = NULL;
			}
			next++;
		}
		if (busy == 0)
			continue;
		if (curl_multi_perform(c->multi, &running) != CURLM_OK)
			running = 0;
		while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			for (unsigned i = 0; i < c->parallel; i++) {
				if (slots[i].call != NULL &&
				    slots[i].h == msg->easy_handle) {
					http_slot_finish(c, &slots[i],
					                 msg->data.result);
					busy--;
					break;
				}
			}
		}
		if (busy > 0 && running > 0)
			curl_multi_poll(c->multi, NULL, 0, 250, NULL);
		if (http_wait_hook != NULL &&
		    pthread_equal(pthread_self(), http_wait_hook_thread))
			http_wait_hook();
	}
}

void
http_set_wait_hook(void (*fn)(void))
{
	http_wait_hook = fn;
	http_wait_hook_thread = pthread_self();
}

/* body: NULL for a GET. */
static int
http_request(struct http_client *c, const char *url, const char *body,
             const char *content_type, struct http_response *ret)
{
	struct http_call call = {
		.url = url,
		.body = body,
		.content_type = content_type,
	};

	http_perform(c, &call, 1);
	*ret = call.res;
	return call.rc;
}

int
http_get(struct http_client *c, const char *url, struct http_response *ret)
{
	return http_request(c, url, NULL, NULL, ret);
}

/* name=value&... with both sides escaped by libcurl; NULL when out of
 * memory. */
char *
http_form_encode(const char *const *fields)
{
	char *buf = NULL, *name, *value;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool ok = f != NULL;

	for (size_t i = 0; ok && fields[i] != NULL && fields[i + 1] != NULL;
	     i += 2) {
		name = curl_easy_escape(NULL, fields[i], 0);
		value = curl_easy_escape(NULL, fields[i + 1], 0);
		ok = name != NULL && value != NULL &&
		     fprintf(f, "%s%s=%s", i > 0 ? "&" : "", name, value) >= 0;
		curl_free(name);
		curl_free(value);
	}
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

int
http_post_form(struct http_client *c, const char *url,
               const char *const *fields, struct http_response *ret)
{
	char *body = http_form_encode(fields);
	int r;

	if (body == NULL) {
		memset(ret, 0, sizeof(*ret));
		ret->retry_after_s = -1;
		http_fail(ret, "POST", url, "out of memory");
		return -1;
	}
	r = http_request(c, url, body,
	                 "Content-Type: application/x-www-form-urlencoded",
	                 ret);
	/* The form holds the message body and the recipient. */
	explicit_bzero(body, strlen(body));
	free(body);
	return r;
}

int
http_post_json(struct http_client *c, const char *url, const char *json,
               struct http_response *ret)
{
	return http_request(c, url, json, "Content-Type: application/json",
	                    ret);
}
