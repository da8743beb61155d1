/* fakegw_selftest: starts fakegw on an ephemeral port and checks, through
 * libcurl, what the end-to-end tests rely on: Twilio listing, paging and
 * sending with Basic auth, opt-outs, every fault kind firing once before
 * normal service resumes, Twilio as it behaves (queued messages without
 * date_sent, lists that show new messages late, a rotated token, random
 * faults), Infobip serving each message once and listing
 * what was sent in its logs, bulk loading, the request log, reset, and a
 * clean exit on SIGTERM.
 *
 *   fakegw_selftest PATH/TO/fakegw
 *
 * Exits 0 when every check passes.  A watchdog kills fakegw and fails the
 * test if it runs past SELFTEST_TIMEOUT_S seconds. */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakegw.h"

#define SELFTEST_TIMEOUT_S 150
#define SID                "AC00000000000000000000000000selfte"
#define TOKEN              "selftest-token-5ecret"
#define KEY                "selftest-key-5ecret"
#define HUGE_BYTES         52428800
#define BULK_N             100000

static int failures;
static int checks;
static char base[64];
static char today[16];
static volatile pid_t child_pid = -1;

#define CHECK(cond) check((cond), __LINE__, #cond)

static bool
check(bool ok, int line, const char *what)
{
	checks++;
	if (!ok) {
		failures++;
		fprintf(stderr, "fakegw_selftest.c:%d: check failed: %s\n",
		        line, what);
	}
	return ok;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- HTTP --- */

struct resp {
	CURLcode rc;
	long status;
	char *body; /* NUL-terminated; NULL when not kept */
	size_t len; /* bytes received */
	bool keep;
	char retry_after[32];
	char www_auth[64];
	double secs;
};

static size_t
on_body(char *p, size_t size, size_t n, void *cls)
{
	struct resp *r = cls;
	size_t k = size * n;

	if (r->keep) {
		char *nb = realloc(r->body, r->len + k + 1);

		if (!nb)
			return 0;
		r->body = nb;
		memcpy(r->body + r->len, p, k);
		r->body[r->len + k] = '\0';
	}
	r->len += k;
	return k;
}

static void
header_copy(char *dst, size_t size, const char *p, size_t n, size_t skip)
{
	size_t k;

	p += skip;
	n -= skip;
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	k = n < size - 1 ? n : size - 1;
	memcpy(dst, p, k);
	dst[k] = '\0';
}

static size_t
on_header(char *p, size_t size, size_t n, void *cls)
{
	struct resp *r = cls;
	size_t k = size * n;

	if (k > 12 && strncasecmp(p, "Retry-After:", 12) == 0)
		header_copy(r->retry_after, sizeof r->retry_after, p, k, 12);
	if (k > 17 && strncasecmp(p, "WWW-Authenticate:", 17) == 0)
		header_copy(r->www_auth, sizeof r->www_auth, p, k, 17);
	return k;
}

/* One request on a fresh connection (so libcurl never retries it).
 * userpwd sets Basic auth, header adds one header, body is sent with
 * ctype; keep=false counts the body without storing it. */
static struct resp
http(const char *method, const char *path, const char *userpwd,
     const char *header, const char *ctype, const char *body, bool keep)
{
	struct resp r;
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	char url[4096], ct[128];
	double t0 = now_s();

	memset(&r, 0, sizeof r);
	r.keep = keep;
	if (!h) {
		r.rc = CURLE_FAILED_INIT;
		return r;
	}
	snprintf(url, sizeof url, "%s%s", base, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
	if (userpwd) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	}
	if (header)
		hdrs = curl_slist_append(hdrs, header);
	if (body) {
		snprintf(ct, sizeof ct, "Content-Type: %s",
		         ctype ? ctype : "application/json");
		hdrs = curl_slist_append(hdrs, ct);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		                 (curl_off_t)strlen(body));
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	r.rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	r.secs = now_s() - t0;
	return r;
}

static void
resp_free(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

static json_t *
resp_json(const struct resp *r)
{
	if (!r->body)
		return NULL;
	return json_loadb(r->body, r->len, 0, NULL);
}

/* A control call that must answer 200 with JSON; body (may be NULL) is
 * stolen.  Returns the answer, or NULL after reporting the failure. */
static json_t *
ctl(const char *method, const char *what, json_t *body)
{
	char path[256], *text = NULL;
	struct resp r;
	json_t *doc;

	snprintf(path, sizeof path, "/_control/%s", what);
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
	}
	r = http(method, path, NULL, NULL, NULL, text ? text : NULL, true);
	free(text);
	doc = r.rc == CURLE_OK && r.status == 200 ? resp_json(&r) : NULL;
	if (!doc)
		fprintf(stderr, "control %s %s: curl %d, status %ld: %s\n",
		        method, what, (int)r.rc, r.status,
		        r.body ? r.body : "");
	resp_free(&r);
	return doc;
}

static void
ctl_faults(const char *endpoint, json_t *faults)
{
	json_t *doc =
	    ctl("POST", "faults", json_pack("{s:o}", endpoint, faults));

	CHECK(doc != NULL);
	json_decref(doc);
}

static char *
inbound(const char *gw, const char *from, const char *to, const char *body)
{
	json_t *doc = ctl("POST", "inbound",
	                  json_pack("{s:s, s:s, s:s, s:s}", "gateway", gw,
	                            "from", from, "to", to, "body", body));
	const char *id = json_string_value(json_object_get(doc, "id"));
	char *ret = id ? strdup(id) : NULL;

	CHECK(ret != NULL);
	json_decref(doc);
	return ret;
}

static struct resp
twilio_get(const char *query)
{
	char path[2048];

	snprintf(path, sizeof path,
	         "/2010-04-01/Accounts/" SID "/Messages.json%s", query);
	return http("GET", path, SID ":" TOKEN, NULL, NULL, NULL, true);
}

static struct resp
twilio_post(const char *form)
{
	return http("POST", "/2010-04-01/Accounts/" SID "/Messages.json",
	            SID ":" TOKEN, NULL, "application/x-www-form-urlencoded",
	            form, true);
}

static struct resp
infobip_get(int limit)
{
	char path[64];

	snprintf(path, sizeof path, "/sms/1/inbox/reports?limit=%d", limit);
	return http("GET", path, NULL, "Authorization: App " KEY, NULL, NULL,
	            true);
}

static const char *
jstr(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static json_int_t
jint(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* GET /sms/1/logs with a query ("" or "?..."). */
static struct resp
infobip_logs(const char *query)
{
	char path[1024];

	snprintf(path, sizeof path, "/sms/1/logs%s", query);
	return http("GET", path, NULL, "Authorization: App " KEY, NULL, NULL,
	            true);
}

/* The results of a logs query that must answer 200; NULL after reporting
 * the failure.  The caller frees the document *ret_doc. */
static json_t *
infobip_logs_results(const char *query, json_t **ret_doc)
{
	struct resp r = infobip_logs(query);
	json_t *doc = r.status == 200 ? resp_json(&r) : NULL;

	if (!doc)
		fprintf(stderr, "GET /sms/1/logs%s: status %ld: %s\n", query,
		        r.status, r.body ? r.body : "");
	resp_free(&r);
	*ret_doc = doc;
	return json_object_get(doc, "results");
}

/* How many results a logs query that must answer 200 has; -1 when it
 * fails. */
static long
infobip_logs_count(const char *query)
{
	json_t *doc, *res = infobip_logs_results(query, &doc);
	long n = json_is_array(res) ? (long)json_array_size(res) : -1;

	json_decref(doc);
	return n;
}

/* Sends one message through Infobip; returns its messageId (free it). */
static char *
infobip_send_one(const char *to, const char *text)
{
	json_t *req =
	    json_pack("{s:[{s:[{s:s}], s:s, s:s}]}", "messages", "destinations",
	              "to", to, "from", "InfoSMS", "text", text);
	char *body = json_dumps(req, JSON_COMPACT), *id = NULL;
	struct resp r =
	    http("POST", "/sms/2/text/advanced", NULL,
	         "Authorization: App " KEY, "application/json", body, true);
	json_t *doc = resp_json(&r);
	const char *got = jstr(
	    json_array_get(json_object_get(doc, "messages"), 0), "messageId");

	CHECK(r.status == 200 && got != NULL);
	if (got)
		id = strdup(got);
	json_decref(doc);
	json_decref(req);
	resp_free(&r);
	free(body);
	return id;
}

/* "?...&sentSince=<date of t, escaped>" after a prefix query. */
static void
logs_since(char *buf, size_t size, const char *prefix, time_t t,
           const char *zone)
{
	char date[64];
	char *esc;
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S.000", &tm);
	snprintf(date + n, sizeof date - n, "%s", zone);
	esc = curl_easy_escape(NULL, date, 0);
	snprintf(buf, size, "%s%ssentSince=%s", prefix, *prefix ? "&" : "?",
	         esc ? esc : "");
	curl_free(esc);
}

/* Follows next_page_uri from a first list query; fills sids (up to max)
 * and returns how many messages came, or -1 on an error. */
static int
twilio_walk(const char *query, char sids[][40], int max, int *ret_pages)
{
	struct resp r = twilio_get(query);
	int n = 0, pages = 0;

	for (;;) {
		json_t *doc = r.status == 200 ? resp_json(&r) : NULL;
		json_t *m;
		const char *next;
		size_t i;

		resp_free(&r);
		if (!doc)
			return -1;
		pages++;
		json_array_foreach(json_object_get(doc, "messages"), i, m)
		{
			if (n < max)
				snprintf(sids[n], 40, "%s", jstr(m, "sid"));
			n++;
		}
		next = jstr(doc, "next_page_uri");
		if (!next) {
			json_decref(doc);
			break;
		}
		r = http("GET", next, SID ":" TOKEN, NULL, NULL, NULL, true);
		json_decref(doc);
		if (pages > 10000)
			return -1;
	}
	if (ret_pages)
		*ret_pages = pages;
	return n;
}

/* --- the checks --- */

static void
test_twilio_auth(void)
{
	struct resp r;
	json_t *doc;

	r = http("GET", "/2010-04-01/Accounts/" SID "/Messages.json", NULL,
	         NULL, NULL, NULL, true);
	CHECK(r.status == 401);
	doc = resp_json(&r);
	CHECK(jint(doc, "code") == 20003);
	CHECK(jint(doc, "status") == 401);
	CHECK(jstr(doc, "message") &&
	      strcmp(jstr(doc, "message"), "Authenticate") == 0);
	CHECK(strncmp(r.www_auth, "Basic", 5) == 0);
	json_decref(doc);
	resp_free(&r);

	r = http("GET", "/2010-04-01/Accounts/" SID "/Messages.json",
	         SID ":wrong", NULL, NULL, NULL, true);
	CHECK(r.status == 401);
	resp_free(&r);

	r = http("GET", "/2010-04-01/Accounts/" SID "/Messages.json",
	         FAKEGW_DEFAULT_SID ":" FAKEGW_DEFAULT_TOKEN, NULL, NULL, NULL,
	         true);
	CHECK(r.status == 401); /* fakegw was given other credentials */
	resp_free(&r);

	r = http("GET", "/2010-04-01/Accounts/ACother/Messages.json",
	         SID ":" TOKEN, NULL, NULL, NULL, true);
	CHECK(r.status == 404);
	resp_free(&r);

	r = twilio_get("");
	CHECK(r.status == 200);
	resp_free(&r);
}

static void
test_twilio_paging(void)
{
	char *ids[7], sids[16][40], q[256];
	char *other, *old, *late;
	json_t *doc, *body;
	struct resp r;
	int n, pages, i;

	for (i = 0; i < 7; i++) {
		char from[16], text[32];

		snprintf(from, sizeof from, "+1555010%d", i);
		snprintf(text, sizeof text, "page test %d", i);
		ids[i] = inbound("twilio", from, "+15550100", text);
	}
	other = inbound("twilio", "+15550181", "+15550199", "other number");
	body = json_pack("{s:s, s:s, s:s, s:s, s:i}", "gateway", "twilio",
	                 "from", "+15550182", "to", "+15550100", "body",
	                 "an old one", "date_sent", 1577880000);
	doc = ctl("POST", "inbound", body);
	old = doc ? strdup(jstr(doc, "id")) : NULL;
	json_decref(doc);

	/* Newest first, three to a page, the old one filtered out. */
	snprintf(q, sizeof q, "?To=%%2B15550100&DateSent%%3E=%s&PageSize=3",
	         today);
	n = twilio_walk(q, sids, 16, &pages);
	CHECK(n == 7);
	CHECK(pages == 3);
	for (i = 0; i < 7 && i < n; i++)
		CHECK(ids[6 - i] && strcmp(sids[i], ids[6 - i]) == 0);

	/* Without the date filter the old message comes last. */
	n = twilio_walk("?To=%2B15550100&PageSize=3", sids, 16, &pages);
	CHECK(n == 8);
	CHECK(pages == 3);
	CHECK(n == 8 && old && strcmp(sids[7], old) == 0);

	/* A From filter, and a filter nothing matches. */
	n = twilio_walk("?From=%2B15550181", sids, 16, NULL);
	CHECK(n == 1 && other && strcmp(sids[0], other) == 0);
	n = twilio_walk("?To=%2B19999999999", sids, 16, &pages);
	CHECK(n == 0 && pages == 1);

	/* A message arriving between pages does not shift the next page. */
	r = twilio_get("?To=%2B15550100&PageSize=4");
	doc = resp_json(&r);
	resp_free(&r);
	late = inbound("twilio", "+15550103", "+15550100", "late");
	CHECK(jstr(doc, "next_page_uri") != NULL);
	if (jstr(doc, "next_page_uri")) {
		json_t *p2;

		CHECK(strstr(jstr(doc, "next_page_uri"), "Page=1") != NULL);
		CHECK(strstr(jstr(doc, "next_page_uri"), "PageToken=") != NULL);
		r = http("GET", jstr(doc, "next_page_uri"), SID ":" TOKEN, NULL,
		         NULL, NULL, true);
		p2 = resp_json(&r);
		CHECK(jint(p2, "page") == 1);
		CHECK(json_array_size(json_object_get(p2, "messages")) == 4);
		CHECK(ids[2] &&
		      strcmp(jstr(json_array_get(
		                      json_object_get(p2, "messages"), 0),
		                  "sid"),
		             ids[2]) == 0);
		json_decref(p2);
		resp_free(&r);
	}
	CHECK(jint(doc, "page_size") == 4);
	CHECK(json_is_null(json_object_get(doc, "previous_page_uri")));
	json_decref(doc);

	r = twilio_get("?PageSize=0");
	CHECK(r.status == 400);
	resp_free(&r);
	r = twilio_get("?PageToken=nonsense");
	CHECK(r.status == 400);
	resp_free(&r);

	for (i = 0; i < 7; i++)
		free(ids[i]);
	free(other);
	free(old);
	free(late);
}

static void
test_twilio_send(void)
{
	struct resp r;
	json_t *doc, *sent, *last;
	char sid[40] = "", sids[16][40];
	json_int_t before;
	int n;

	r = twilio_post("To=%2B15550200&From=%2B15550300&Body=hi+there%21");
	CHECK(r.status == 201);
	doc = resp_json(&r);
	CHECK(jstr(doc, "sid") && strlen(jstr(doc, "sid")) == 34 &&
	      strncmp(jstr(doc, "sid"), "SM", 2) == 0);
	CHECK(jstr(doc, "direction") &&
	      strcmp(jstr(doc, "direction"), "outbound-api") == 0);
	CHECK(jstr(doc, "status") &&
	      strcmp(jstr(doc, "status"), "queued") == 0);
	CHECK(jstr(doc, "body") && strcmp(jstr(doc, "body"), "hi there!") == 0);
	CHECK(jstr(doc, "to") && strcmp(jstr(doc, "to"), "+15550200") == 0);
	if (jstr(doc, "sid"))
		snprintf(sid, sizeof sid, "%s", jstr(doc, "sid"));
	json_decref(doc);
	resp_free(&r);

	sent = ctl("GET", "sent", NULL);
	last =
	    json_array_get(json_object_get(sent, "sent"),
	                   json_array_size(json_object_get(sent, "sent")) - 1);
	CHECK(jstr(last, "id") && strcmp(jstr(last, "id"), sid) == 0);
	CHECK(jstr(last, "gateway") &&
	      strcmp(jstr(last, "gateway"), "twilio") == 0);
	CHECK(jstr(last, "body") &&
	      strcmp(jstr(last, "body"), "hi there!") == 0);
	CHECK(jstr(last, "from") &&
	      strcmp(jstr(last, "from"), "+15550300") == 0);
	CHECK(jint(last, "time") > 0);
	before = jint(sent, "total");
	json_decref(sent);

	/* The list shows it, as outbound. */
	r = twilio_get("?From=%2B15550300");
	doc = resp_json(&r);
	last = json_array_get(json_object_get(doc, "messages"), 0);
	CHECK(jstr(last, "sid") && strcmp(jstr(last, "sid"), sid) == 0);
	CHECK(jstr(last, "direction") &&
	      strcmp(jstr(last, "direction"), "outbound-api") == 0);
	CHECK(jstr(last, "date_sent") != NULL);
	json_decref(doc);
	resp_free(&r);
	n = twilio_walk("?To=%2B15550200", sids, 16, NULL);
	CHECK(n == 1 && strcmp(sids[0], sid) == 0);

	/* Through a Messaging Service: no From. */
	r = twilio_post("To=%2B15550201&MessagingServiceSid=MG123&Body=svc");
	CHECK(r.status == 201);
	doc = resp_json(&r);
	CHECK(json_is_null(json_object_get(doc, "from")));
	CHECK(jstr(doc, "messaging_service_sid") &&
	      strcmp(jstr(doc, "messaging_service_sid"), "MG123") == 0);
	json_decref(doc);
	resp_free(&r);

	/* Missing fields. */
	r = twilio_post("To=%2B15550200&From=%2B15550300");
	doc = resp_json(&r);
	CHECK(r.status == 400 && jint(doc, "code") == 21602);
	json_decref(doc);
	resp_free(&r);
	r = twilio_post("From=%2B15550300&Body=x");
	doc = resp_json(&r);
	CHECK(r.status == 400 && jint(doc, "code") == 21604);
	json_decref(doc);
	resp_free(&r);
	r = twilio_post("To=%2B15550200&Body=x");
	doc = resp_json(&r);
	CHECK(r.status == 400 && jint(doc, "code") == 21603);
	json_decref(doc);
	resp_free(&r);
	r = http("POST", "/2010-04-01/Accounts/" SID "/Messages.json", NULL,
	         NULL, "application/x-www-form-urlencoded",
	         "To=%2B15550200&From=%2B15550300&Body=x", true);
	CHECK(r.status == 401);
	resp_free(&r);

	/* An opted-out number. */
	doc = ctl("POST", "optout", json_pack("{s:s}", "number", "+15550299"));
	CHECK(doc != NULL);
	json_decref(doc);
	r = twilio_post("To=%2B15550299&From=%2B15550300&Body=stop+this");
	doc = resp_json(&r);
	CHECK(r.status == 400);
	CHECK(jint(doc, "code") == 21610);
	CHECK(jint(doc, "status") == 400);
	CHECK(jstr(doc, "message") &&
	      strcmp(jstr(doc, "message"),
	             "Attempt to send to unsubscribed recipient") == 0);
	json_decref(doc);
	resp_free(&r);
	sent = ctl("GET", "sent", NULL);
	CHECK(jint(sent, "total") == before + 1); /* only the service send */
	json_decref(sent);
}

/* A list request that must be served normally. */
static void
expect_normal_list(int line)
{
	struct resp r = twilio_get("?PageSize=2");
	json_t *doc = resp_json(&r);

	check(r.rc == CURLE_OK && r.status == 200 &&
	          json_is_array(json_object_get(doc, "messages")),
	      line, "normal service after a fault");
	json_decref(doc);
	resp_free(&r);
}

struct slow {
	struct resp r;
};

static void *
slow_request(void *arg)
{
	struct slow *s = arg;

	s->r = twilio_get("?PageSize=1");
	return NULL;
}

static void
test_twilio_faults(void)
{
	struct resp r, normal;
	json_t *doc, *p1;
	pthread_t t;
	struct slow slow;
	double t0;

	normal = twilio_get("?PageSize=2");
	CHECK(normal.status == 200);

	ctl_faults("twilio_list", json_pack("[{s:i}]", "status", 500));
	r = twilio_get("?PageSize=2");
	doc = resp_json(&r);
	CHECK(r.status == 500 && jint(doc, "code") == 20500);
	CHECK(r.retry_after[0] == '\0');
	json_decref(doc);
	resp_free(&r);
	expect_normal_list(__LINE__);

	ctl_faults("twilio_list",
	           json_pack("[{s:i, s:i}, {s:i}]", "status", 429,
	                     "retry_after", 2, "status", 429));
	r = twilio_get("?PageSize=2");
	CHECK(r.status == 429 && strcmp(r.retry_after, "2") == 0);
	resp_free(&r);
	r = twilio_get("?PageSize=2");
	CHECK(r.status == 429 && r.retry_after[0] == '\0');
	resp_free(&r);
	expect_normal_list(__LINE__);

	/* A slow answer, which holds up no one else. */
	ctl_faults("twilio_list", json_pack("[{s:i}]", "delay_ms", 1500));
	memset(&slow, 0, sizeof slow);
	CHECK(pthread_create(&t, NULL, slow_request, &slow) == 0);
	usleep(200000);
	t0 = now_s();
	doc = ctl("GET", "ping", NULL);
	CHECK(doc != NULL);
	json_decref(doc);
	CHECK(now_s() - t0 < 1.0);
	pthread_join(t, NULL);
	CHECK(slow.r.status == 200 && slow.r.secs >= 1.4);
	doc = resp_json(&slow.r);
	CHECK(json_is_array(json_object_get(doc, "messages")));
	json_decref(doc);
	resp_free(&slow.r);
	expect_normal_list(__LINE__);

	ctl_faults("twilio_list", json_pack("[{s:b}]", "drop", 1));
	r = twilio_get("?PageSize=2");
	CHECK(r.rc == CURLE_GOT_NOTHING && r.status == 0);
	resp_free(&r);
	expect_normal_list(__LINE__);

	ctl_faults("twilio_list", json_pack("[{s:b}]", "truncate", 1));
	r = twilio_get("?PageSize=2");
	doc = resp_json(&r);
	CHECK(r.rc == CURLE_OK && r.status == 200);
	CHECK(doc == NULL);
	CHECK(r.len > 0 && r.len == normal.len / 2);
	CHECK(r.body && normal.body &&
	      strncmp(r.body, normal.body, r.len / 2) == 0);
	json_decref(doc);
	resp_free(&r);
	expect_normal_list(__LINE__);

	ctl_faults("twilio_list", json_pack("[{s:s}]", "truncate", "close"));
	r = twilio_get("?PageSize=2");
	CHECK(r.rc == CURLE_PARTIAL_FILE);
	CHECK(r.len == normal.len / 2);
	resp_free(&r);
	expect_normal_list(__LINE__);

	ctl_faults("twilio_list", json_pack("[{s:b}]", "malformed", 1));
	r = twilio_get("?PageSize=2");
	doc = resp_json(&r);
	CHECK(r.status == 200 && doc == NULL);
	CHECK(r.body && strcmp(r.body, "{\"messages\": [ {\"sid\":") == 0);
	json_decref(doc);
	resp_free(&r);
	expect_normal_list(__LINE__);

	/* A raw body, byte for byte, twice, then the list as usual. */
	ctl_faults("twilio_list",
	           json_pack("[{s:s,s:i}]", "raw",
	                     "{\"messages\":[{\"body\":\"\\ud800\"}]}", "count",
	                     2));
	for (int i = 0; i < 2; i++) {
		r = twilio_get("?PageSize=2");
		CHECK(r.status == 200 && r.body &&
		      strcmp(r.body,
		             "{\"messages\":[{\"body\":\"\\ud800\"}]}") == 0);
		resp_free(&r);
	}
	expect_normal_list(__LINE__);

	ctl_faults("twilio_list",
	           json_pack("[{s:i}]", "huge_bytes", HUGE_BYTES));
	r = http("GET", "/2010-04-01/Accounts/" SID "/Messages.json",
	         SID ":" TOKEN, NULL, NULL, NULL, false);
	CHECK(r.rc == CURLE_OK && r.status == 200);
	CHECK(r.len == HUGE_BYTES);
	resp_free(&r);
	expect_normal_list(__LINE__);

	/* A duplicate page: the next page repeats this one, then paging goes
	 * on as usual. */
	ctl_faults("twilio_list", json_pack("[{s:b}]", "duplicate", 1));
	r = twilio_get("?To=%2B15550100&PageSize=2");
	doc = resp_json(&r);
	resp_free(&r);
	CHECK(jstr(doc, "next_page_uri") != NULL);
	if (jstr(doc, "next_page_uri")) {
		json_t *m0 = json_object_get(doc, "messages"), *m1;

		r = http("GET", jstr(doc, "next_page_uri"), SID ":" TOKEN, NULL,
		         NULL, NULL, true);
		p1 = resp_json(&r);
		resp_free(&r);
		m1 = json_object_get(p1, "messages");
		CHECK(json_array_size(m0) == 2 && json_array_size(m1) == 2);
		CHECK(json_equal(m0, m1));
		CHECK(jint(p1, "page") == 1);
		CHECK(jstr(p1, "next_page_uri") != NULL);
		if (jstr(p1, "next_page_uri")) {
			json_t *p2;

			r = http("GET", jstr(p1, "next_page_uri"),
			         SID ":" TOKEN, NULL, NULL, NULL, true);
			p2 = resp_json(&r);
			resp_free(&r);
			CHECK(!json_equal(json_object_get(p2, "messages"), m1));
			CHECK(json_array_size(
			          json_object_get(p2, "messages")) == 2);
			json_decref(p2);
		}
		json_decref(p1);
	}
	json_decref(doc);
	expect_normal_list(__LINE__);

	/* Two faults in one call fire in order; {} skips a request. */
	ctl_faults("twilio_list",
	           json_pack("[{}, {s:i, s:i}]", "status", 503, "count", 2));
	expect_normal_list(__LINE__);
	r = twilio_get("");
	CHECK(r.status == 503);
	resp_free(&r);
	r = twilio_get("");
	CHECK(r.status == 503);
	resp_free(&r);
	expect_normal_list(__LINE__);

	/* Mistakes in a fault are refused as a whole. */
	r = http("POST", "/_control/faults", NULL, NULL, NULL,
	         "{\"twilio_list\":[{\"status\":500},{\"stauts\":500}]}", true);
	CHECK(r.status == 400);
	resp_free(&r);
	r = http("POST", "/_control/faults", NULL, NULL, NULL,
	         "{\"twilio_lists\":[]}", true);
	CHECK(r.status == 400);
	resp_free(&r);
	expect_normal_list(__LINE__);

	doc = ctl("GET", "requests", NULL);
	p1 = json_object_get(json_object_get(doc, "endpoints"), "twilio_list");
	CHECK(jint(p1, "500") == 1);
	CHECK(jint(p1, "429") == 2);
	CHECK(jint(p1, "503") == 2);
	CHECK(jint(p1, "drop") == 1);
	CHECK(jint(p1, "401") >= 3);
	CHECK(jint(json_object_get(json_object_get(doc, "state"),
	                           "faults_pending"),
	           "twilio_list") == 0);
	json_decref(doc);
	resp_free(&normal);
}

static void
test_twilio_send_faults(void)
{
	struct resp r;
	json_t *doc;
	json_int_t before;

	doc = ctl("GET", "sent", NULL);
	before = jint(doc, "total");
	json_decref(doc);

	/* A fault changes nothing... */
	ctl_faults("twilio_send",
	           json_pack("[{s:i}, {s:b}]", "status", 500, "drop", 1));
	r = twilio_post("To=%2B15550400&From=%2B15550300&Body=one");
	CHECK(r.status == 500);
	resp_free(&r);
	r = twilio_post("To=%2B15550400&From=%2B15550300&Body=one");
	CHECK(r.rc == CURLE_GOT_NOTHING);
	resp_free(&r);
	doc = ctl("GET", "sent", NULL);
	CHECK(jint(doc, "total") == before);
	json_decref(doc);

	/* ...unless it applies the request first: sent, answer lost. */
	ctl_faults("twilio_send",
	           json_pack("[{s:b, s:b}]", "drop", 1, "apply", 1));
	r = twilio_post("To=%2B15550400&From=%2B15550300&Body=two");
	CHECK(r.rc == CURLE_GOT_NOTHING);
	resp_free(&r);
	doc = ctl("GET", "sent?offset=0&gateway=twilio", NULL);
	CHECK(jint(doc, "total") == before + 1);
	json_decref(doc);

	r = twilio_post("To=%2B15550400&From=%2B15550300&Body=three");
	CHECK(r.status == 201);
	resp_free(&r);
}

static void
test_infobip(void)
{
	char *ids[5];
	struct resp r;
	json_t *doc, *res, *m;
	const char *want_key;
	size_t k;
	int i, got = 0;

	r = http("GET", "/sms/1/inbox/reports", NULL, NULL, NULL, NULL, true);
	doc = resp_json(&r);
	CHECK(r.status == 401);
	want_key = jstr(json_object_get(json_object_get(doc, "requestError"),
	                                "serviceException"),
	                "messageId");
	CHECK(want_key && strcmp(want_key, "UNAUTHORIZED") == 0);
	json_decref(doc);
	resp_free(&r);
	r = http("GET", "/sms/1/inbox/reports", NULL, "Authorization: App no",
	         NULL, NULL, true);
	CHECK(r.status == 401);
	resp_free(&r);

	for (i = 0; i < 5; i++) {
		char text[16];

		snprintf(text, sizeof text, "ib %d", i);
		ids[i] = inbound("infobip", "+4915550001", "+4915559999", text);
	}
	for (i = 0; i < 3; i++) {
		static const int want[3][2] = { { 2, 3 }, { 2, 1 }, { 1, 0 } };

		r = infobip_get(2);
		doc = resp_json(&r);
		CHECK(r.status == 200);
		res = json_object_get(doc, "results");
		CHECK((int)json_array_size(res) == want[i][0]);
		CHECK(jint(doc, "messageCount") == want[i][0]);
		CHECK(jint(doc, "pendingMessageCount") == want[i][1]);
		json_array_foreach(res, k, m)
		{
			CHECK(got < 5 && ids[got] && jstr(m, "messageId") &&
			      strcmp(jstr(m, "messageId"), ids[got]) == 0);
			CHECK(jstr(m, "text") && jstr(m, "cleanText"));
			CHECK(jstr(m, "receivedAt") &&
			      strlen(jstr(m, "receivedAt")) == 28);
			CHECK(jint(m, "smsCount") == 1);
			got++;
		}
		json_decref(doc);
		resp_free(&r);
	}
	r = infobip_get(50);
	doc = resp_json(&r);
	CHECK(json_array_size(json_object_get(doc, "results")) == 0);
	CHECK(jint(doc, "pendingMessageCount") == 0);
	json_decref(doc);
	resp_free(&r);
	for (i = 0; i < 5; i++)
		free(ids[i]);

	/* Faults: a 500 and a truncated answer keep the message waiting; a
	 * duplicate serves it twice. */
	ids[0] = inbound("infobip", "+4915550002", "+4915559999", "again");
	doc = ctl("POST", "faults",
	          json_pack("{s:[{s:i}, {s:b}, {s:b}]}", "infobip_inbox",
	                    "status", 500, "truncate", 1, "duplicate", 1));
	json_decref(doc);
	r = infobip_get(10);
	CHECK(r.status == 500);
	resp_free(&r);
	r = infobip_get(10);
	doc = resp_json(&r);
	CHECK(r.status == 200 && doc == NULL);
	resp_free(&r);
	for (i = 0; i < 3; i++) {
		r = infobip_get(10);
		doc = resp_json(&r);
		res = json_object_get(doc, "results");
		CHECK(json_array_size(res) == (i < 2 ? 1u : 0u));
		if (i < 2)
			CHECK(ids[0] &&
			      strcmp(jstr(json_array_get(res, 0), "messageId"),
			             ids[0]) == 0);
		json_decref(doc);
		resp_free(&r);
	}
	free(ids[0]);

	/* Sending. */
	r = http("POST", "/sms/2/text/advanced", NULL,
	         "Authorization: App " KEY, "application/json",
	         "{\"messages\":[{\"destinations\":[{\"to\":\"+4915550010\"},"
	         "{\"to\":\"+4915550011\"}],\"from\":\"InfoSMS\","
	         "\"text\":\"hallo\"}]}",
	         true);
	doc = resp_json(&r);
	CHECK(r.status == 200);
	CHECK(jstr(doc, "bulkId") != NULL);
	res = json_object_get(doc, "messages");
	CHECK(json_array_size(res) == 2);
	json_array_foreach(res, k, m)
	{
		json_t *s = json_object_get(m, "status");

		CHECK(jstr(m, "messageId") != NULL);
		CHECK(jint(s, "groupId") == 1 && jint(s, "id") == 26);
		CHECK(jstr(s, "name") &&
		      strcmp(jstr(s, "name"), "PENDING_ACCEPTED") == 0);
	}
	json_decref(doc);
	resp_free(&r);
	doc = ctl("GET", "sent?gateway=infobip", NULL);
	res = json_object_get(doc, "sent");
	CHECK(json_array_size(res) == 2);
	CHECK(jstr(json_array_get(res, 1), "to") &&
	      strcmp(jstr(json_array_get(res, 1), "to"), "+4915550011") == 0);
	CHECK(jstr(json_array_get(res, 0), "body") &&
	      strcmp(jstr(json_array_get(res, 0), "body"), "hallo") == 0);
	json_decref(doc);

	r = http("POST", "/sms/2/text/advanced", NULL,
	         "Authorization: App " KEY, "application/json",
	         "{\"messages\":[]}", true);
	CHECK(r.status == 400);
	resp_free(&r);
	r = http("POST", "/sms/2/text/advanced", NULL, "Authorization: App x",
	         "application/json",
	         "{\"messages\":[{\"destinations\":[{\"to\":\"+1\"}],"
	         "\"text\":\"x\"}]}",
	         true);
	CHECK(r.status == 401);
	resp_free(&r);

	ctl_faults("infobip_send", json_pack("[{s:i}]", "status", 500));
	r = http("POST", "/sms/2/text/advanced", NULL,
	         "Authorization: App " KEY, "application/json",
	         "{\"messages\":[{\"destinations\":[{\"to\":\"+1\"}],"
	         "\"text\":\"x\"}]}",
	         true);
	CHECK(r.status == 500);
	resp_free(&r);
	doc = ctl("GET", "sent?gateway=infobip", NULL);
	CHECK(json_array_size(json_object_get(doc, "sent")) == 2);
	json_decref(doc);
}

/* The sent SMS logs: what went out through Infobip, newest first, with
 * Infobip's fields and numbers without '+', filtered by to, sentSince,
 * sentUntil and limit; faults fire on it as on the other endpoints. */
static void
test_infobip_logs(void)
{
	static const char *const bad[] = {
		"?limit=0",
		"?sentSince=yesterday",
		"?sentSince=2026-01-01T00:00:00",
		"?sentUntil=2026-01-01T00:00:00.000+00",
	};
	const char *to = "+4915550020", *other = "+4915550021";
	char *ids[3], q[512];
	struct resp r, normal;
	json_t *doc, *res, *m, *s;
	time_t now = time(NULL);
	size_t k;

	r = http("GET", "/sms/1/logs", NULL, NULL, NULL, NULL, true);
	doc = resp_json(&r);
	CHECK(r.status == 401);
	CHECK(jstr(json_object_get(json_object_get(doc, "requestError"),
	                           "serviceException"),
	           "messageId") &&
	      strcmp(jstr(json_object_get(json_object_get(doc, "requestError"),
	                                  "serviceException"),
	                  "messageId"),
	             "UNAUTHORIZED") == 0);
	json_decref(doc);
	resp_free(&r);
	r = http("GET", "/sms/1/logs", NULL, "Authorization: App " TOKEN, NULL,
	         NULL, true);
	CHECK(r.status == 401);
	resp_free(&r);

	ids[0] = infobip_send_one(to, "first reply");
	ids[1] = infobip_send_one(other, "first reply");
	ids[2] = infobip_send_one(to, "caf\xc3\xa9 second");

	/* By number, with or without '+', newest first. */
	res = infobip_logs_results("?to=%2B4915550020", &doc);
	CHECK(json_array_size(res) == 2);
	json_array_foreach(res, k, m)
	{
		const char *want = ids[k == 0 ? 2 : 0];

		CHECK(want && jstr(m, "messageId") &&
		      strcmp(jstr(m, "messageId"), want) == 0);
		CHECK(jstr(m, "to") &&
		      strcmp(jstr(m, "to"), "4915550020") == 0);
		CHECK(jstr(m, "from") &&
		      strcmp(jstr(m, "from"), "InfoSMS") == 0);
		CHECK(jstr(m, "bulkId") != NULL);
		CHECK(jstr(m, "sentAt") && strlen(jstr(m, "sentAt")) == 28);
		CHECK(jstr(m, "doneAt") != NULL);
		CHECK(jint(m, "smsCount") == 1);
		s = json_object_get(m, "status");
		CHECK(jint(s, "groupId") == 3 && jstr(s, "name") &&
		      strcmp(jstr(s, "name"), "DELIVERED_TO_HANDSET") == 0);
		CHECK(jstr(json_object_get(m, "error"), "name") &&
		      strcmp(jstr(json_object_get(m, "error"), "name"),
		             "NO_ERROR") == 0);
		CHECK(json_is_object(json_object_get(m, "price")));
	}
	CHECK(jstr(json_array_get(res, 0), "text") &&
	      strcmp(jstr(json_array_get(res, 0), "text"),
	             "caf\xc3\xa9 second") == 0);
	json_decref(doc);
	CHECK(infobip_logs_count("?to=4915550020") == 2);
	res = infobip_logs_results("?to=%2B4915550020&limit=1", &doc);
	CHECK(json_array_size(res) == 1);
	CHECK(ids[2] && jstr(json_array_get(res, 0), "messageId") &&
	      strcmp(jstr(json_array_get(res, 0), "messageId"), ids[2]) == 0);
	json_decref(doc);
	/* Twilio's sends are not in Infobip's logs; everything sent through
	 * Infobip is (two in test_infobip, three here). */
	CHECK(infobip_logs_count("?to=%2B15550200") == 0);
	CHECK(infobip_logs_count("") == 5);

	/* By time, in each zone form Infobip takes. */
	logs_since(q, sizeof q, "?to=4915550020", now - 60, "+0000");
	CHECK(infobip_logs_count(q) == 2);
	logs_since(q, sizeof q, "?to=4915550020", now - 60 + 3600, "+01:00");
	CHECK(infobip_logs_count(q) == 2);
	logs_since(q, sizeof q, "?to=4915550020", now + 3600, "Z");
	CHECK(infobip_logs_count(q) == 0);
	logs_since(q, sizeof q, "", now + 3600 - 7200, "-0200");
	CHECK(infobip_logs_count(q) == 0);

	for (k = 0; k < sizeof bad / sizeof *bad; k++) {
		r = infobip_logs(bad[k]);
		CHECK(r.status == 400);
		resp_free(&r);
	}

	/* Faults fire once each, then the logs answer as before. */
	normal = infobip_logs("?to=4915550020");
	CHECK(normal.status == 200);
	ctl_faults("infobip_logs",
	           json_pack("[{s:i}, {s:i, s:i}, {s:b}, {s:b}, {s:b}, {s:i}]",
	                     "status", 500, "status", 429, "retry_after", 3,
	                     "malformed", 1, "truncate", 1, "drop", 1,
	                     "huge_bytes", 100000));
	r = infobip_logs("?to=4915550020");
	doc = resp_json(&r);
	CHECK(r.status == 500);
	CHECK(jstr(json_object_get(json_object_get(doc, "requestError"),
	                           "serviceException"),
	           "messageId") != NULL);
	json_decref(doc);
	resp_free(&r);
	r = infobip_logs("?to=4915550020");
	CHECK(r.status == 429 && strcmp(r.retry_after, "3") == 0);
	resp_free(&r);
	r = infobip_logs("?to=4915550020");
	doc = resp_json(&r);
	CHECK(r.status == 200 && doc == NULL);
	json_decref(doc);
	resp_free(&r);
	r = infobip_logs("?to=4915550020");
	doc = resp_json(&r);
	CHECK(r.status == 200 && doc == NULL && r.len == normal.len / 2);
	json_decref(doc);
	resp_free(&r);
	r = infobip_logs("?to=4915550020");
	CHECK(r.rc == CURLE_GOT_NOTHING && r.status == 0);
	resp_free(&r);
	r = infobip_logs("?to=4915550020");
	doc = resp_json(&r);
	CHECK(r.status == 200 && r.len == 100000);
	CHECK(json_is_array(json_object_get(doc, "results")));
	json_decref(doc);
	resp_free(&r);
	r = infobip_logs("?to=4915550020");
	CHECK(r.status == 200 && r.len == normal.len && r.body && normal.body &&
	      strcmp(r.body, normal.body) == 0);
	resp_free(&r);
	resp_free(&normal);

	doc = ctl("GET", "requests", NULL);
	m = json_object_get(json_object_get(doc, "endpoints"), "infobip_logs");
	CHECK(jint(m, "500") == 1 && jint(m, "429") == 1);
	CHECK(jint(m, "drop") == 1 && jint(m, "401") == 2);
	CHECK(jint(m, "400") == (json_int_t)(sizeof bad / sizeof *bad));
	CHECK(jint(json_object_get(json_object_get(doc, "state"),
	                           "faults_pending"),
	           "infobip_logs") == 0);
	json_decref(doc);
	for (k = 0; k < 3; k++)
		free(ids[k]);
}

/* A bulk body of n messages, built as text: faster than jansson for the
 * 100,000 a benchmark loads. */
static char *
bulk_body(const char *gw, int n)
{
	size_t cap = (size_t)n * 64 + 128, len;
	char *b = malloc(cap);

	if (!b)
		return NULL;
	len = (size_t)snprintf(b, cap,
	                       "{\"gateway\":\"%s\",\"to\":\"+15550500\","
	                       "\"messages\":[",
	                       gw);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(b + len, cap - len,
		                        "%s{\"from\":\"+1666%07d\","
		                        "\"body\":\"bulk %d\"}",
		                        i ? "," : "", i, i);
	snprintf(b + len, cap - len, "]}");
	return b;
}

static void
test_bulk(void)
{
	char *body;
	struct resp r;
	json_t *doc;
	double t0;
	int i, total = 0, requests = 0;

	body = bulk_body("twilio", BULK_N);
	t0 = now_s();
	r = http("POST", "/_control/inbound/bulk", NULL, NULL, NULL, body,
	         true);
	doc = resp_json(&r);
	CHECK(r.status == 200 && jint(doc, "added") == BULK_N);
	fprintf(stderr, "bulk: %d Twilio messages loaded in %.2fs\n", BULK_N,
	        now_s() - t0);
	json_decref(doc);
	resp_free(&r);
	free(body);

	/* The first pages hold the newest of them. */
	r = twilio_get("?To=%2B15550500&PageSize=1000");
	doc = resp_json(&r);
	CHECK(json_array_size(json_object_get(doc, "messages")) == 1000);
	CHECK(
	    jstr(json_array_get(json_object_get(doc, "messages"), 0), "body") &&
	    strcmp(jstr(json_array_get(json_object_get(doc, "messages"), 0),
	                "body"),
	           "bulk 99999") == 0);
	json_decref(doc);
	resp_free(&r);

	body = bulk_body("infobip", BULK_N);
	t0 = now_s();
	r = http("POST", "/_control/inbound/bulk", NULL, NULL, NULL, body,
	         true);
	CHECK(r.status == 200);
	resp_free(&r);
	free(body);
	for (i = 0; i < 200; i++) {
		json_int_t n;

		r = infobip_get(1000);
		doc = resp_json(&r);
		resp_free(&r);
		n = json_array_size(json_object_get(doc, "results"));
		total += (int)n;
		requests++;
		CHECK(jint(doc, "pendingMessageCount") == BULK_N - total);
		json_decref(doc);
		if (n == 0)
			break;
	}
	CHECK(total == BULK_N);
	CHECK(requests == BULK_N / 1000 + 1);
	fprintf(stderr,
	        "bulk: %d Infobip messages loaded and drained in %d "
	        "requests in %.2fs\n",
	        BULK_N, requests, now_s() - t0);

	r = http("POST", "/_control/inbound/bulk", NULL, NULL, NULL,
	         "{\"gateway\":\"twilio\",\"messages\":[{\"from\":\"+1\"}]}",
	         true);
	CHECK(r.status == 400);
	resp_free(&r);
}

static void
test_log(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lines = 0, bad = 0, secrets = 0, drops = 0, forms = 0;

	CHECK(f != NULL);
	if (!f)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		json_t *doc = json_loadb(line, (size_t)n, 0, NULL);

		lines++;
		if (!jstr(doc, "method") || !jstr(doc, "path") ||
		    !jstr(doc, "auth") ||
		    !json_is_integer(json_object_get(doc, "status")))
			bad++;
		if (strstr(line, TOKEN) || strstr(line, KEY))
			secrets++;
		if (jint(doc, "status") == 0 && jstr(doc, "fault") &&
		    strcmp(jstr(doc, "fault"), "drop") == 0)
			drops++;
		if (jstr(json_object_get(doc, "body"), "Body") &&
		    strcmp(jstr(doc, "auth"), "ok") == 0)
			forms++;
		json_decref(doc);
	}
	free(line);
	fclose(f);
	CHECK(lines > 100);
	CHECK(bad == 0);
	CHECK(secrets == 0);
	CHECK(drops == 4);
	CHECK(forms > 3);
}

static void
test_reset(void)
{
	json_t *doc;
	struct resp r;
	char *id;

	doc = ctl("POST", "reset", NULL);
	CHECK(doc != NULL);
	json_decref(doc);
	r = twilio_get("");
	doc = resp_json(&r);
	CHECK(json_array_size(json_object_get(doc, "messages")) == 0);
	json_decref(doc);
	resp_free(&r);
	doc = ctl("GET", "sent", NULL);
	CHECK(jint(doc, "total") == 0);
	json_decref(doc);
	doc = ctl("GET", "requests?recent=5", NULL);
	CHECK(jint(json_object_get(json_object_get(doc, "endpoints"),
	                           "twilio_list"),
	           "total") == 1);
	CHECK(json_array_size(json_object_get(doc, "recent")) == 1);
	json_decref(doc);

	/* Opt-outs went too. */
	r = twilio_post("To=%2B15550299&From=%2B15550300&Body=ok+now");
	CHECK(r.status == 201);
	resp_free(&r);

	/* Ids go on from where they were: a daemon's store never sees one
	 * twice. */
	id = inbound("twilio", "+15550600", "+15550601", "after reset");
	CHECK(id && strtoull(id + 18, NULL, 16) > 2 * BULK_N);
	free(id);
}

/* How many messages a Twilio list query (with auth) lists; -1 when it
 * fails. */
static long
twilio_count(const char *query)
{
	struct resp r = twilio_get(query);
	json_t *doc = r.status == 200 ? resp_json(&r) : NULL;
	long n =
	    doc ? (long)json_array_size(json_object_get(doc, "messages")) : -1;

	json_decref(doc);
	resp_free(&r);
	return n;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* POST /_control/config: a queued message has no date_sent and a
 * DateSent filter leaves it out until it leaves; a message created lately
 * is listed only after the lag; the token can change; random faults fire
 * at their rate, the same for the same seed. */
static void
test_twilio_config(void)
{
	char q[256];
	json_t *doc, *msgs, *m;
	struct resp r;
	int faults = 0, again = 0;

	doc =
	    ctl("POST", "config", json_pack("{s:i}", "twilio_queue_ms", 1500));
	CHECK(doc != NULL);
	json_decref(doc);
	r = twilio_post("To=%2B15550701&From=%2B15550700&Body=queued+one");
	CHECK(r.status == 201);
	resp_free(&r);
	snprintf(q, sizeof q, "?To=%%2B15550701&DateSent%%3E=%s", today);
	CHECK(twilio_count(q) == 0); /* queued: no date_sent */
	CHECK(twilio_count("?To=%2B15550701") == 1);
	r = twilio_get("?To=%2B15550701");
	doc = resp_json(&r);
	msgs = json_object_get(doc, "messages");
	m = json_array_get(msgs, 0);
	CHECK(json_is_null(json_object_get(m, "date_sent")));
	CHECK(json_is_string(json_object_get(m, "date_created")));
	CHECK(jstr(m, "status") && strcmp(jstr(m, "status"), "queued") == 0);
	json_decref(doc);
	resp_free(&r);
	sleep_ms(1700);
	CHECK(twilio_count(q) == 1); /* it left: date_sent set */

	doc = ctl("POST", "config",
	          json_pack("{s:i, s:i}", "twilio_queue_ms", 0,
	                    "twilio_list_lag_ms", 1000));
	json_decref(doc);
	r = twilio_post("To=%2B15550702&From=%2B15550700&Body=listed+late");
	CHECK(r.status == 201);
	resp_free(&r);
	CHECK(twilio_count("?To=%2B15550702") == 0);
	sleep_ms(1200);
	CHECK(twilio_count("?To=%2B15550702") == 1);
	doc =
	    ctl("POST", "config", json_pack("{s:i}", "twilio_list_lag_ms", 0));
	json_decref(doc);

	/* A rotated token: the old one gets 401 on lists and sends. */
	doc = ctl("POST", "config", json_pack("{s:s}", "twilio_token", "new"));
	json_decref(doc);
	r = twilio_get("");
	CHECK(r.status == 401);
	resp_free(&r);
	r = twilio_post("To=%2B15550703&From=%2B15550700&Body=refused");
	CHECK(r.status == 401);
	resp_free(&r);
	r = http("GET", "/2010-04-01/Accounts/" SID "/Messages.json",
	         SID ":new", NULL, NULL, NULL, true);
	CHECK(r.status == 200);
	resp_free(&r);
	doc = ctl("POST", "config", json_pack("{s:s}", "twilio_token", TOKEN));
	json_decref(doc);

	/* Random faults: 50% 500 over 200 lists, then none. */
	for (int round = 0; round < 2; round++) {
		int n = 0;

		doc = ctl("POST", "config",
		          json_pack("{s:i, s:{s:[{s:f, s:i}]}}", "seed", 7,
		                    "random", "twilio_list", "p", 0.5, "status",
		                    500));
		json_decref(doc);
		for (int i = 0; i < 200; i++) {
			r = twilio_get("?To=%2B15550703");
			n += r.status == 500;
			resp_free(&r);
		}
		if (round == 0)
			faults = n;
		else
			again = n;
	}
	CHECK(faults > 70 && faults < 130);
	CHECK(again == faults); /* the same seed, the same faults */
	doc = ctl("POST", "config",
	          json_pack("{s:{s:[]}}", "random", "twilio_list"));
	json_decref(doc);
	CHECK(twilio_count("?To=%2B15550703") == 0);
	r = http("POST", "/_control/config", NULL, NULL, NULL,
	         "{\"random\":{\"twilio_list\":[{\"p\":1.5,\"status\":500}]}}",
	         true);
	CHECK(r.status == 400);
	resp_free(&r);
}

/* --- the process --- */

static void
on_alarm(int sig)
{
	static const char msg[] = "fakegw_selftest: timed out\n";

	(void)sig;
	if (child_pid > 0)
		kill(child_pid, SIGKILL);
	if (write(2, msg, sizeof msg - 1) < 0)
		_exit(1);
	_exit(1);
}

static pid_t
start_fakegw(const char *exe, const char *port_file, const char *log_file)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(exe, exe, "--port", "0", "--port-file", port_file,
		      "--log", log_file, "--twilio-sid", SID, "--twilio-token",
		      TOKEN, "--infobip-key", KEY, (char *)NULL);
		fprintf(stderr, "fakegw_selftest: %s: %s\n", exe,
		        strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Waits up to 10 s for the port file; 0 when fakegw did not come up. */
static int
wait_port(pid_t pid, const char *port_file)
{
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(port_file, "r");
		int status, port = 0;

		if (f) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
			if (port > 0)
				return port;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			child_pid = -1;
			return 0;
		}
		usleep(10000);
	}
	return 0;
}

/* Sends SIGTERM and waits up to 10 s; true when fakegw exited with 0. */
static bool
stop_fakegw(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			child_pid = -1;
			if (!WIFEXITED(status))
				fprintf(stderr, "fakegw died of signal %d\n",
				        WIFSIGNALED(status) ? WTERMSIG(status)
				                            : -1);
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	child_pid = -1;
	fputs("fakegw did not stop within 10 s of SIGTERM\n", stderr);
	return false;
}

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char dir[512], port_file[600], log_file[600];
	time_t t = time(NULL);
	struct tm tm;
	int port;
	pid_t pid;

	if (argc != 2) {
		fputs("usage: fakegw_selftest PATH/TO/fakegw\n", stderr);
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/fakegw_selftest.XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(port_file, sizeof port_file, "%s/port", dir);
	snprintf(log_file, sizeof log_file, "%s/log.jsonl", dir);
	gmtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	signal(SIGALRM, on_alarm);
	alarm(SELFTEST_TIMEOUT_S);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	pid = start_fakegw(argv[1], port_file, log_file);
	child_pid = pid;
	port = pid > 0 ? wait_port(pid, port_file) : 0;
	if (!port) {
		fputs("fakegw_selftest: fakegw did not start\n", stderr);
		failures++;
		goto out;
	}
	snprintf(base, sizeof base, "http://127.0.0.1:%d", port);

	test_twilio_auth();
	test_twilio_paging();
	test_twilio_send();
	test_twilio_faults();
	test_twilio_send_faults();
	test_twilio_config();
	test_infobip();
	test_infobip_logs();
	test_bulk();
	test_log(log_file);
	test_reset();

	CHECK(stop_fakegw(pid));
	CHECK(access(port_file, F_OK) != 0); /* removed on exit */
out:
	if (child_pid > 0)
		stop_fakegw(child_pid);
	unlink(port_file);
	unlink(log_file);
	rmdir(dir);
	curl_global_cleanup();
	printf("fakegw_selftest: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
