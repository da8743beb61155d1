/* Tests for http.c, gateway_twilio.c and gateway_infobip.c against a small
 * HTTP server (libmicrohttpd) that runs inside this test on 127.0.0.1 with
 * an ephemeral port: what the client sends (paths, query, form and JSON
 * bodies, Basic and App authorization), what it makes of the answers
 * (status, Retry-After, oversized bodies, timeouts) and how the drivers map
 * them to gateway results.  Nothing here talks to anything but loopback. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "config.h"
#include "gateway.h"
#include "http.h"

#define ACCOUNT_SID "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define AUTH_TOKEN  "tok3n-secret"
/* base64("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:tok3n-secret") */
#define TWILIO_BASIC \
	"Basic "     \
	"QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0b2szbi1zZWNyZXQ="
#define OUR_NUMBER "+15559990000"
#define LIST_PATH  "/2010-04-01/Accounts/" ACCOUNT_SID "/Messages.json"

/* --- the in-test server -------------------------------------------------- */

struct request {
	char method[8];
	char path[256];
	char args[1024]; /* decoded query arguments: "k=v&k=v" */
	char authorization[256];
	char content_type[128];
	char body[4096];
	size_t body_len;
	unsigned short client_port;
};

struct reply {
	unsigned status;
	const char *body;
	size_t big;   /* when > 0: a body of this many 'x' instead */
	bool chunked; /* send big without a Content-Length */
	const char *retry_after;
	const char *date; /* a Date header instead of the server's own */
	unsigned delay_ms;
};

typedef void (*responder)(const struct request *rq, struct reply *rp);

#define REQUESTS_MAX 32

static struct {
	struct MHD_Daemon *daemon;
	char base[64]; /* http://127.0.0.1:PORT */
	pthread_mutex_t lock;
	responder respond;
	struct request requests[REQUESTS_MAX];
	size_t count;
} srv = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s", s);
}

static enum MHD_Result
server_arg(void *cls, enum MHD_ValueKind kind, const char *key,
           const char *value)
{
	struct request *rq = cls;

	(void)kind;
	if (rq->args[0] != '\0')
		append(rq->args, sizeof(rq->args), "&");
	append(rq->args, sizeof(rq->args), key);
	append(rq->args, sizeof(rq->args), "=");
	append(rq->args, sizeof(rq->args), value != NULL ? value : "");
	return MHD_YES;
}

static void
server_header(struct MHD_Connection *conn, const char *name, char *buf,
              size_t len)
{
	const char *v =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);

	snprintf(buf, len, "%s", v != NULL ? v : "");
}

static struct request *
server_start_request(struct MHD_Connection *conn, const char *url,
                     const char *method)
{
	struct request *rq = calloc(1, sizeof(*rq));
	const union MHD_ConnectionInfo *ci;

	assert_non_null(rq);
	snprintf(rq->method, sizeof(rq->method), "%s", method);
	snprintf(rq->path, sizeof(rq->path), "%s", url);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, server_arg, rq);
	server_header(conn, "Authorization", rq->authorization,
	              sizeof(rq->authorization));
	server_header(conn, "Content-Type", rq->content_type,
	              sizeof(rq->content_type));
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr->sa_family == AF_INET)
		rq->client_port = ntohs(
		    ((const struct sockaddr_in *)ci->client_addr)->sin_port);
	return rq;
}

static ssize_t
server_big_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	size_t total = *(size_t *)cls;
	size_t n;

	if (pos >= total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = total - pos < max ? total - pos : max;
	memset(buf, 'x', n);
	return (ssize_t)n;
}

static struct MHD_Response *
server_response(const struct reply *rp)
{
	struct MHD_Response *resp;

	if (rp->big > 0 && rp->chunked) {
		size_t *total = malloc(sizeof(*total));
		assert_non_null(total);
		*total = rp->big;
		return MHD_create_response_from_callback(
		    MHD_SIZE_UNKNOWN, 4096, server_big_reader, total, free);
	}
	if (rp->big > 0) {
		char *s = malloc(rp->big);
		assert_non_null(s);
		memset(s, 'x', rp->big);
		return MHD_create_response_from_buffer(rp->big, s,
		                                       MHD_RESPMEM_MUST_FREE);
	}
	resp = MHD_create_response_from_buffer(
	    strlen(rp->body), (void *)rp->body, MHD_RESPMEM_MUST_COPY);
	if (resp != NULL)
		MHD_add_response_header(resp, "Content-Type",
		                        "application/json");
	return resp;
}

static enum MHD_Result
server_handler(void *cls, struct MHD_Connection *conn, const char *url,
               const char *method, const char *version, const char *upload_data,
               size_t *upload_data_size, void **con_cls)
{
	struct request *rq = *con_cls;
	struct reply rp = { .status = 200, .body = "{}" };
	struct MHD_Response *resp;
	enum MHD_Result r;

	(void)cls;
	(void)version;
	if (rq == NULL) {
		*con_cls = server_start_request(conn, url, method);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t room = sizeof(rq->body) - 1 - rq->body_len;
		size_t n = *upload_data_size < room ? *upload_data_size : room;
		memcpy(rq->body + rq->body_len, upload_data, n);
		rq->body_len += n;
		*upload_data_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&srv.lock);
	if (srv.count < REQUESTS_MAX)
		srv.requests[srv.count++] = *rq;
	if (srv.respond != NULL)
		srv.respond(rq, &rp);
	pthread_mutex_unlock(&srv.lock);
	if (rp.delay_ms > 0)
		usleep(rp.delay_ms * 1000);
	resp = server_response(&rp);
	if (resp == NULL)
		return MHD_NO;
	if (rp.retry_after != NULL)
		MHD_add_response_header(resp, "Retry-After", rp.retry_after);
	if (rp.date != NULL)
		MHD_add_response_header(resp, "Date", rp.date);
	r = MHD_queue_response(conn, rp.status, resp);
	MHD_destroy_response(resp);
	return r;
}

static void
server_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

static int
server_setup(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const union MHD_DaemonInfo *info;

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv.daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	        MHD_USE_ERROR_LOG,
	    0, NULL, NULL, server_handler, NULL, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sin, MHD_OPTION_NOTIFY_COMPLETED,
	    server_completed, NULL, MHD_OPTION_END);
	if (srv.daemon == NULL)
		return -1;
	info = MHD_get_daemon_info(srv.daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0)
		return -1;
	snprintf(srv.base, sizeof(srv.base), "http://127.0.0.1:%u",
	         (unsigned)info->port);
	return 0;
}

static int
server_teardown(void **state)
{
	(void)state;
	MHD_stop_daemon(srv.daemon);
	return 0;
}

/* Before each test: no requests seen, and a responder of its own. */
static void
server_reset(responder respond)
{
	pthread_mutex_lock(&srv.lock);
	srv.count = 0;
	srv.respond = respond;
	pthread_mutex_unlock(&srv.lock);
}

static size_t
server_count(void)
{
	size_t n;

	pthread_mutex_lock(&srv.lock);
	n = srv.count;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

static struct request
server_request(size_t i)
{
	struct request rq;

	pthread_mutex_lock(&srv.lock);
	assert_true(i < srv.count);
	rq = srv.requests[i];
	pthread_mutex_unlock(&srv.lock);
	return rq;
}

static char *
url_of(const char *path)
{
	size_t n = strlen(srv.base) + strlen(path) + 1;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s%s", srv.base, path);
	return s;
}

static struct http_client *
client(long connect_ms, long total_ms, size_t max)
{
	struct http_options o = {
		.connect_timeout_ms = connect_ms,
		.timeout_ms = total_ms,
		.max_response = max,
		.user_agent = "backtalk-test",
	};
	struct http_client *c = http_new(&o);

	assert_non_null(c);
	return c;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- http.c -------------------------------------------------------------- */

static void
respond_echo(const struct request *rq, struct reply *rp)
{
	if (strcmp(rq->path, "/hello") == 0) {
		rp->body = "hello, world";
	} else if (strcmp(rq->path, "/missing") == 0) {
		rp->status = 404;
		rp->body = "{\"code\":20404}";
	} else if (strcmp(rq->path, "/busy") == 0) {
		rp->status = 429;
		rp->retry_after = "7";
	} else if (strcmp(rq->path, "/big") == 0) {
		rp->big = 5000;
	} else if (strcmp(rq->path, "/big-chunked") == 0) {
		rp->big = 5000;
		rp->chunked = true;
	} else if (strcmp(rq->path, "/exact") == 0) {
		rp->big = 4096;
	} else if (strcmp(rq->path, "/slow") == 0) {
		rp->delay_ms = 1500;
	}
}

static void
test_get(void **state)
{
	struct http_client *c = client(2000, 5000, 4096);
	struct http_response r;
	char *url = url_of("/hello?x=1");

	(void)state;
	server_reset(respond_echo);
	assert_int_equal(http_get(c, url, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 12);
	assert_string_equal(r.body, "hello, world");
	assert_int_equal(r.retry_after_s, -1);
	assert_string_equal(r.error, "");
	http_response_free(&r);
	assert_null(r.body);

	/* Any status is a response. */
	free(url);
	url = url_of("/missing");
	assert_int_equal(http_get(c, url, &r), 0);
	assert_int_equal(r.status, 404);
	assert_string_equal(r.body, "{\"code\":20404}");
	http_response_free(&r);

	struct request rq = server_request(0);
	assert_string_equal(rq.method, "GET");
	assert_string_equal(rq.path, "/hello");
	assert_string_equal(rq.args, "x=1");
	assert_string_equal(rq.authorization, "");
	/* The second request reused the first one's connection. */
	assert_int_equal(server_request(1).client_port, rq.client_port);
	free(url);
	http_free(c);
	http_free(NULL);
	http_response_free(NULL);
}

static void
respond_retry_date(const struct request *rq, struct reply *rp)
{
	static char date[64];
	time_t t = time(NULL) + 120;
	struct tm tm;

	rp->status = 503;
	if (strcmp(rq->path, "/past") == 0)
		t -= 3600;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	rp->retry_after = date;
	if (strcmp(rq->path, "/junk") == 0)
		rp->retry_after = "soon, maybe";
	if (strcmp(rq->path, "/huge") == 0)
		rp->retry_after = "99999999999999999999";
}

static void
test_retry_after(void **state)
{
	struct http_client *c = client(2000, 5000, 4096);
	struct http_response r;
	char *url;

	(void)state;
	server_reset(respond_echo);
	url = url_of("/busy");
	assert_int_equal(http_get(c, url, &r), 0);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.retry_after_s, 7);
	http_response_free(&r);
	free(url);

	server_reset(respond_retry_date);
	url = url_of("/date");
	assert_int_equal(http_get(c, url, &r), 0);
	assert_int_equal(r.status, 503);
	assert_in_range(r.retry_after_s, 110, 121);
	http_response_free(&r);
	free(url);

	url = url_of("/past");
	assert_int_equal(http_get(c, url, &r), 0);
	assert_int_equal(r.retry_after_s, 0);
	http_response_free(&r);
	free(url);

	url = url_of("/junk");
	assert_int_equal(http_get(c, url, &r), 0);
	assert_int_equal(r.retry_after_s, -1);
	http_response_free(&r);
	free(url);

	url = url_of("/huge");
	assert_int_equal(http_get(c, url, &r), 0);
	assert_int_equal(r.retry_after_s, 86400);
	http_response_free(&r);
	free(url);
	http_free(c);
}

static void
respond_date(const struct request *rq, struct reply *rp)
{
	rp->status = strcmp(rq->path, "/error") == 0 ? 500 : 200;
	rp->body = "{}";
	if (strcmp(rq->path, "/rfc") == 0 || strcmp(rq->path, "/error") == 0)
		rp->date = "Sun, 06 Nov 1994 08:49:37 GMT";
	else if (strcmp(rq->path, "/junk") == 0)
		rp->date = "yesterday-ish";
}

/* An answer's Date header is the server's clock: read with libcurl's
 * parser, on any status; 0 when it does not parse. */
static void
test_date_header(void **state)
{
	struct http_client *c = client(2000, 5000, 4096);
	struct http_response r;
	const char *paths[] = { "/rfc", "/error", "/junk", "/own" };
	int64_t want[] = { 784111777, 784111777, 0, -1 };
	char *url;

	(void)state;
	server_reset(respond_date);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		url = url_of(paths[i]);
		assert_int_equal(http_get(c, url, &r), 0);
		if (want[i] >= 0)
			assert_int_equal(r.date, want[i]);
		else /* libmicrohttpd's own Date: now */
			assert_in_range(r.date, time(NULL) - 5, time(NULL) + 1);
		http_response_free(&r);
		free(url);
	}
	http_free(c);
}

static void
expect_too_big(struct http_client *c, const char *path)
{
	struct http_response r;
	char *url = url_of(path);

	assert_int_equal(http_get(c, url, &r), -1);
	assert_int_equal(r.status, 0);
	assert_null(r.body);
	assert_non_null(strstr(r.error, "larger than 4096 bytes"));
	assert_non_null(strstr(r.error, path));
	http_response_free(&r);
	free(url);
}

static void
test_max_response(void **state)
{
	struct http_client *c = client(2000, 5000, 4096);
	struct http_response r;
	char *url;

	(void)state;
	server_reset(respond_echo);
	expect_too_big(c, "/big");         /* refused from Content-Length */
	expect_too_big(c, "/big-chunked"); /* cut off while receiving */
	/* The client still works, and exactly the cap is fine. */
	url = url_of("/exact");
	assert_int_equal(http_get(c, url, &r), 0);
	assert_int_equal(r.len, 4096);
	assert_int_equal(strlen(r.body), 4096);
	http_response_free(&r);
	free(url);
	http_free(c);
}

static void
test_total_timeout(void **state)
{
	struct http_client *c = client(2000, 300, 4096);
	struct http_response r;
	char *url = url_of("/slow");
	double t0;

	(void)state;
	server_reset(respond_echo);
	t0 = now_s();
	assert_int_equal(http_get(c, url, &r), -1);
	assert_true(now_s() - t0 < 1.2);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.error, "timed out"));
	assert_non_null(strstr(r.error, "GET http://127.0.0.1:"));
	free(url);
	http_free(c);
}

/* A listening socket whose accept queue is full: further SYNs are dropped,
 * so a connect hangs until the client gives up. */
static void
test_connect_timeout(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int lfd, fillers[8];
	struct http_client *c = client(300, 5000, 4096);
	struct http_response r;
	char url[64];
	double t0;

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	for (size_t i = 0; i < 8; i++) {
		fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(fillers[i] >= 0);
		(void)connect(fillers[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x",
	         (unsigned)ntohs(sin.sin_port));
	t0 = now_s();
	assert_int_equal(http_get(c, url, &r), -1);
	assert_true(now_s() - t0 < 3.0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.error, "timed out"));
	for (size_t i = 0; i < 8; i++)
		close(fillers[i]);
	close(lfd);
	http_free(c);
}

static void
test_errors_are_clean(void **state)
{
	struct http_options o = {
		.connect_timeout_ms = 2000,
		.timeout_ms = 2000,
		.max_response = 4096,
		.basic_user = "user",
		.basic_password = "p@ss w:rd",
	};
	struct http_client *c = http_new(&o);
	struct http_response r;

	(void)state;
	assert_non_null(c);
	/* Port 1 on loopback: refused at once.  The query (phone numbers)
	 * and the credentials stay out of the error. */
	assert_int_equal(
	    http_get(c, "http://user:pw@127.0.0.1:1/a/b?To=%2B15551234567", &r),
	    -1);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.error, "GET http://127.0.0.1:1/a/b: "));
	assert_null(strstr(r.error, "5551234567"));
	assert_null(strstr(r.error, "pw"));
	assert_null(strstr(r.error, "p@ss"));
	http_response_free(&r);

	/* A refused URL is never fetched. */
	assert_int_equal(http_get(c, "http://example.com/x?To=1", &r), -1);
	assert_non_null(strstr(r.error, "refused"));
	assert_non_null(strstr(r.error, "http://example.com/x"));
	assert_int_equal(http_get(c, "ftp://127.0.0.1/x", &r), -1);
	assert_non_null(strstr(r.error, "refused"));
	const char *fields[] = { "a", "b", NULL };
	assert_int_equal(http_post_form(c, "http://10.0.0.1/", fields, &r), -1);
	assert_int_equal(http_post_json(c, "gopher://127.0.0.1/", "{}", &r),
	                 -1);
	http_free(c);
}

static void
test_basic_auth_and_form(void **state)
{
	struct http_options o = {
		.connect_timeout_ms = 2000,
		.timeout_ms = 5000,
		.max_response = 4096,
		.basic_user = "user",
		.basic_password = "p@ss w:rd",
	};
	struct http_client *c = http_new(&o);
	const char *fields[] = {
		"To",    "+1 555",
		"Body",  "a&b=c d \xf0\x9f\x98\x80 \xc3\xbc%+~._-",
		"Empty", "",
		NULL
	};
	struct http_response r;
	char *url = url_of("/form");

	(void)state;
	assert_non_null(c);
	server_reset(respond_echo);
	assert_int_equal(http_post_form(c, url, fields, &r), 0);
	assert_int_equal(r.status, 200);
	http_response_free(&r);
	struct request rq = server_request(0);
	assert_string_equal(rq.method, "POST");
	assert_string_equal(rq.path, "/form");
	assert_string_equal(rq.authorization, "Basic dXNlcjpwQHNzIHc6cmQ=");
	assert_string_equal(rq.content_type,
	                    "application/x-www-form-urlencoded");
	assert_string_equal(rq.body,
	                    "To=%2B1%20555&Body=a%26b%3Dc%20d%20%F0%9F%98%80%20"
	                    "%C3%BC%25%2B~._-&Empty=");
	free(url);
	http_free(c);
}

static void
test_json_and_authorization(void **state)
{
	struct http_options o = {
		.max_response = 4096,
		.authorization =
		    "App 003026bbc133714df1834b8638bb496e-8f4b3d9a",
	};
	struct http_client *c = http_new(&o);
	struct http_response r;
	char *url = url_of("/json");

	(void)state;
	assert_non_null(c);
	server_reset(respond_echo);
	assert_int_equal(http_post_json(c, url, "{\"a\":[1,2]}", &r), 0);
	http_response_free(&r);
	struct request rq = server_request(0);
	assert_string_equal(rq.method, "POST");
	assert_string_equal(rq.authorization,
	                    "App 003026bbc133714df1834b8638bb496e-8f4b3d9a");
	assert_string_equal(rq.content_type, "application/json");
	assert_string_equal(rq.body, "{\"a\":[1,2]}");
	/* A GET after the POST is a GET again, without a body. */
	assert_int_equal(http_get(c, url, &r), 0);
	http_response_free(&r);
	rq = server_request(1);
	assert_string_equal(rq.method, "GET");
	assert_int_equal(rq.body_len, 0);
	free(url);
	http_free(c);
}

static void
test_url_allowed(void **state)
{
	(void)state;
	assert_true(http_url_allowed("https://api.twilio.com/x", false));
	assert_true(http_url_allowed("https://203.0.113.5:8443/", false));
	assert_true(http_url_allowed("http://127.0.0.1:8080/x", false));
	assert_true(http_url_allowed("http://127.1.2.3/", false));
	assert_true(http_url_allowed("http://localhost/x", false));
	assert_true(http_url_allowed("http://LOCALHOST:99/", false));
	assert_true(http_url_allowed("http://[::1]:8080/x", false));
	assert_true(http_url_allowed("HTTP://127.0.0.1/", false));

	assert_false(http_url_allowed("http://example.com/", false));
	assert_true(http_url_allowed("http://example.com/", true));
	assert_false(http_url_allowed("http://128.0.0.1/", false));
	assert_false(http_url_allowed("http://10.0.0.1/", false));
	assert_false(http_url_allowed("http://[::2]/", false));
	assert_false(http_url_allowed("http://127.0.0.1.example.com/", false));
	assert_false(http_url_allowed("http://localhost.example.com/", false));
	assert_false(http_url_allowed("http://example.com@evil/", false));
	assert_false(http_url_allowed("ftp://127.0.0.1/", false));
	assert_false(http_url_allowed("ftp://example.com/", true));
	assert_false(http_url_allowed("file:///etc/passwd", true));
	assert_false(http_url_allowed("gopher://localhost/", true));
	assert_false(http_url_allowed("not a url", true));
	assert_false(http_url_allowed("", true));
	assert_false(http_url_allowed(NULL, true));
}

/* --- a configuration for the drivers ------------------------------------- */

static struct config *
config_for(enum config_gateway gw)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	assert_non_null(cfg);
	cfg->gateway = gw;
	cfg->twilio.base_url = strdup(srv.base);
	cfg->twilio.account_sid = strdup(ACCOUNT_SID);
	cfg->twilio.number = strdup(OUR_NUMBER);
	cfg->twilio.page_size = 2;
	cfg->infobip.base_url = strdup(srv.base);
	cfg->infobip.number = strdup("InfoSMS");
	cfg->infobip.limit = 50;
	cfg->http.connect_timeout_ms = 2000;
	cfg->http.timeout_ms = 5000;
	cfg->http.max_response_bytes = 1 << 20;
	cfg->http.max_pages_per_poll = 10;
	/* Never a real gateway. */
	assert_int_equal(strncmp(cfg->twilio.base_url, "http://127.0.0.1:", 17),
	                 0);
	return cfg;
}

static void
config_done(struct config *cfg)
{
	free(cfg->twilio.base_url);
	free(cfg->twilio.account_sid);
	free(cfg->twilio.number);
	free(cfg->twilio.messaging_service_sid);
	free(cfg->infobip.base_url);
	free(cfg->infobip.number);
	free(cfg);
}

static struct gateway_in *
gateway_in_for(struct config *cfg, const char *secret)
{
	char err[256] = "";
	struct gateway_in *gw = gateway_in_new(cfg, secret, err, sizeof(err));

	if (gw == NULL)
		fail_msg("gateway_in_new: %s", err);
	return gw;
}

static struct gateway_out *
gateway_out_for(struct config *cfg, const char *secret)
{
	char err[256] = "";
	struct gateway_out *gw = gateway_out_new(cfg, secret, err, sizeof(err));

	if (gw == NULL)
		fail_msg("gateway_out_new: %s", err);
	return gw;
}

/* --- Twilio -------------------------------------------------------------- */

#define TW_MSG(sid, dir, from, to, body, created)                              \
	"{\"account_sid\":\"" ACCOUNT_SID "\",\"api_version\":\"2010-04-01\"," \
	"\"body\":\"" body "\",\"date_created\":\"" created "\","              \
	"\"date_sent\":null,\"direction\":\"" dir "\",\"error_code\":null,"    \
	"\"from\":\"" from "\",\"sid\":\"" sid "\",\"status\":\"received\","   \
	"\"to\":\"" to "\"}"

#define TW_NEXT \
	"\"" LIST_PATH "?To=%2B15559990000&PageSize=2&Page=1&PageToken=PT1\""

/* The messages the fake Twilio lists. */
#define SM01                                                          \
	TW_MSG("SM01", "inbound", "+15551230001", OUR_NUMBER, "HELP", \
	       "Fri, 24 May 2019 17:44:46 +0000")
#define SM02                                                         \
	TW_MSG("SM02", "outbound-reply", OUR_NUMBER, "+15551230001", \
	       "Help text", "Fri, 24 May 2019 17:44:47 +0000")
#define SM03                                                          \
	TW_MSG("SM03", "inbound", "+15551230002", OUR_NUMBER, "STOP", \
	       "Fri, 24 May 2019 17:40:00 +0000")
#define SM10                                                             \
	TW_MSG("SM10", "inbound", "+15551230001", OUR_NUMBER, "Thanks!", \
	       "Fri, 24 May 2019 17:50:00 +0000")
#define SM11                                                                  \
	TW_MSG("SM11", "outbound-api", OUR_NUMBER, "+15551230001", "Thanks!", \
	       "Fri, 24 May 2019 17:00:00 +0000")
#define SM12                                                                  \
	TW_MSG("SM12", "outbound-api", OUR_NUMBER, "+15551230001", "Thanks!", \
	       "Fri, 24 May 2019 17:50:00 +0000")
#define SM13                                                                \
	TW_MSG("SM13", "outbound-api", OUR_NUMBER, "+15551230001", "Later", \
	       "Fri, 24 May 2019 17:55:00 +0000")

static void
respond_twilio(const struct request *rq, struct reply *rp)
{
	if (strcmp(rq->path, LIST_PATH) != 0) {
		rp->status = 404;
		rp->body = "{\"code\":20404,\"message\":\"not found\"}";
	} else if (strcmp(rq->method, "GET") == 0 &&
	           strstr(rq->args, "PageToken=PT1") == NULL) {
		rp->body = "{\"messages\":[" SM01 "," SM02 "],"
		           "\"next_page_uri\":" TW_NEXT ",\"page\":0}";
	} else if (strcmp(rq->method, "GET") == 0) {
		rp->body = "{\"messages\":[" SM03 "],"
		           "\"next_page_uri\":null,\"page\":1}";
	} else if (strstr(rq->body, "To=%2B15550000001") != NULL) {
		rp->status = 201;
		rp->body = "{\"sid\":\"SMnew0000000000000000000000000000\","
		           "\"status\":\"queued\",\"direction\":"
		           "\"outbound-api\"}";
	} else if (strstr(rq->body, "To=%2B15550000002") != NULL) {
		rp->status = 400;
		rp->body = "{\"code\":21610,\"message\":\"Attempt to send to "
		           "unsubscribed recipient\",\"status\":400}";
	} else if (strstr(rq->body, "To=%2B15550000003") != NULL) {
		rp->status = 503;
		rp->body = "<html>Service Unavailable</html>";
	} else if (strstr(rq->body, "To=%2B15550000004") != NULL) {
		rp->status = 429;
		rp->retry_after = "30";
		rp->body = "{\"code\":20429,\"message\":\"Too Many Requests\","
		           "\"status\":429}";
	} else if (strstr(rq->body, "To=%2B15550000005") != NULL) {
		rp->status = 201;
		rp->body = "{\"sid\":"; /* taken, but unreadable */
	} else if (strstr(rq->body, "To=%2B15550000006") != NULL) {
		rp->status = 401;
		rp->body = "{\"code\":20003,\"message\":\"Authenticate\","
		           "\"status\":401}";
	} else if (strstr(rq->body, "To=%2B15550000007") != NULL) {
		rp->status = 301;
		rp->body = "";
	} else if (strstr(rq->body, "To=%2B15550000008") != NULL) {
		rp->status = 408;
		rp->body = "";
	} else {
		rp->status = 400;
		rp->body = "{\"code\":21211,\"message\":\"Invalid 'To' Phone "
		           "Number\",\"status\":400}";
	}
}

static void
yesterday(char *buf, size_t len)
{
	time_t t = time(NULL) - 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

/* A sink like the daemon's: remembers ids, says how many were new, and
 * notes the size of each page handed over. */
struct test_sink {
	char ids[16][40];
	size_t nids, pages, page_size[16];
};

static long
test_sink_take(void *arg, struct gateway_batch *b)
{
	struct test_sink *ts = arg;
	long fresh = 0;

	ts->page_size[ts->pages++ % 16] = b->count;
	for (size_t i = 0; i < b->count; i++) {
		bool known = false;
		for (size_t j = 0; j < ts->nids; j++)
			known =
			    known || strcmp(ts->ids[j], b->items[i].id) == 0;
		if (!known && ts->nids < 16) {
			snprintf(ts->ids[ts->nids++], sizeof(ts->ids[0]), "%s",
			         b->items[i].id);
			fresh++;
		}
	}
	return fresh;
}

static void
test_twilio_poll(void **state)
{
	struct config *cfg = config_for(CONFIG_GATEWAY_TWILIO);
	struct gateway_in *gw = gateway_in_for(cfg, AUTH_TOKEN);
	struct gateway_batch b = { 0 };
	struct test_sink ts = { 0 };
	struct gateway_result res;
	char want[128], day[16];

	(void)state;
	server_reset(respond_twilio);
	assert_string_equal(gw->ops->name, "twilio");
	/* It polls over HTTP: nothing for the loop to wait on. */
	struct gateway_events ev;
	gateway_in_events(gw, &ev);
	assert_int_equal(ev.nfds, 0);
	assert_true(ev.timeout_s < 0);
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_OK);
	assert_int_equal(res.status, GATEWAY_OK);
	assert_int_equal(res.http_status, 200);
	/* Two pages; the outbound reply on the first is left out.  Without
	 * a sink the batch keeps both pages, newest page first. */
	assert_int_equal(b.count, 2);
	assert_string_equal(b.items[0].id, "SM01");
	assert_string_equal(b.items[0].from, "+15551230001");
	assert_string_equal(b.items[0].to, OUR_NUMBER);
	assert_string_equal(b.items[0].body, "HELP");
	assert_int_equal(b.items[0].sent_at, 1558719886);
	assert_string_equal(b.items[1].id, "SM03");
	assert_false(b.more);

	assert_int_equal(server_count(), 2);
	struct request rq = server_request(0);
	assert_string_equal(rq.method, "GET");
	assert_string_equal(rq.path, LIST_PATH);
	assert_string_equal(rq.authorization, TWILIO_BASIC);
	yesterday(day, sizeof(day));
	snprintf(want, sizeof(want),
	         "To=" OUR_NUMBER "&DateSent>=%s&PageSize=2", day);
	assert_string_equal(rq.args, want);
	rq = server_request(1);
	assert_string_equal(rq.path, LIST_PATH);
	assert_string_equal(rq.args, "To=" OUR_NUMBER
	                             "&PageSize=2&Page=1&PageToken=PT1");
	assert_string_equal(rq.authorization, TWILIO_BASIC);
	gateway_batch_free(&b);

	/* With a sink, each page is handed over as it is read, and the
	 * batch is left empty. */
	gateway_in_free(gw);
	gw = gateway_in_for(cfg, AUTH_TOKEN);
	b.sink = test_sink_take;
	b.sink_arg = &ts;
	server_reset(respond_twilio);
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_OK);
	assert_int_equal(b.count, 0);
	assert_int_equal(ts.pages, 2);
	assert_int_equal(ts.page_size[0], 1);
	assert_int_equal(ts.page_size[1], 1);
	assert_int_equal(ts.nids, 2);
	assert_int_equal(server_count(), 2);
	/* The next poll stops at the first page it has seen all of. */
	server_reset(respond_twilio);
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_OK);
	assert_int_equal(server_count(), 1);
	assert_int_equal(ts.pages, 3);
	assert_int_equal(ts.nids, 2);

	gateway_batch_free(&b);
	gateway_in_free(gw);
	gateway_in_free(NULL);
	config_done(cfg);
}

static void
test_twilio_max_pages(void **state)
{
	struct config *cfg = config_for(CONFIG_GATEWAY_TWILIO);
	struct gateway_in *gw;
	struct gateway_batch b = { 0 };
	struct test_sink ts = { 0 };
	struct gateway_result res;

	(void)state;
	cfg->http.max_pages_per_poll = 1;
	gw = gateway_in_for(cfg, AUTH_TOKEN);
	b.sink = test_sink_take;
	b.sink_arg = &ts;
	server_reset(respond_twilio);
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_OK);
	assert_int_equal(ts.nids, 1);
	assert_int_equal(server_count(), 1);
	assert_non_null(strstr(res.error, "more than 1 pages"));
	assert_true(b.more);
	/* The next poll reads the newest page (nothing new there) and goes
	 * on where the last one stopped, within its budget: here none is
	 * left, so it is the poll after that. */
	b.more = false;
	server_reset(respond_twilio);
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_OK);
	assert_int_equal(server_count(), 1);
	assert_int_equal(ts.nids, 1);
	assert_true(b.more);
	b.more = false;
	cfg->http.max_pages_per_poll = 2;
	gateway_in_free(gw);
	gw = gateway_in_for(cfg, AUTH_TOKEN);
	ts.nids = 0;
	/* A budget of two: page one, then page two (nothing left over). */
	server_reset(respond_twilio);
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_OK);
	assert_int_equal(ts.nids, 2);
	assert_false(b.more);
	gateway_batch_free(&b);
	gateway_in_free(gw);
	config_done(cfg);
}

static void
respond_twilio_bad_next(const struct request *rq, struct reply *rp)
{
	(void)rq;
	rp->body = "{\"messages\":[" SM01 "],"
	           "\"next_page_uri\":\"@evil.example/2010-04-01/x\"}";
}

static void
respond_twilio_5xx(const struct request *rq, struct reply *rp)
{
	if (strstr(rq->args, "PageToken=PT1") == NULL) {
		respond_twilio(rq, rp);
		return;
	}
	rp->status = 500;
	rp->body = "oops";
}

static void
respond_twilio_5xx_all(const struct request *rq, struct reply *rp)
{
	(void)rq;
	rp->status = 500;
	rp->body = "oops";
}

static void
test_twilio_poll_failures(void **state)
{
	struct config *cfg = config_for(CONFIG_GATEWAY_TWILIO);
	struct gateway_in *gw = gateway_in_for(cfg, AUTH_TOKEN);
	struct gateway_batch b = { 0 };
	struct gateway_result res;

	(void)state;
	/* A next_page_uri off our account's list is not followed. */
	server_reset(respond_twilio_bad_next);
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_RETRY);
	assert_non_null(strstr(res.error, "next_page_uri"));
	assert_int_equal(server_count(), 1);
	/* The page itself was fine and is kept. */
	assert_int_equal(b.count, 1);
	gateway_batch_truncate(&b, 0);

	/* A failing second page keeps the first (the daemon has staged it
	 * by then) and what was there before. */
	assert_int_equal(gateway_batch_add(&b, "SMold", "+1", "+2", "x", 0), 0);
	server_reset(respond_twilio_5xx);
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_RETRY);
	assert_int_equal(res.http_status, 500);
	assert_int_equal(b.count, 2);
	assert_string_equal(b.items[0].id, "SMold");
	assert_string_equal(b.items[1].id, "SM01");
	gateway_batch_free(&b);
	gateway_in_free(gw);
	config_done(cfg);
}

static enum gateway_status
send_to(struct gateway_out *gw, const char *to, struct gateway_result *res)
{
	/* Garbage first, to see every field is set. */
	memset(res, 0x5a, sizeof(*res));
	return gw->ops->send(gw, to, "Reply & more = 100% \xf0\x9f\x98\x80",
	                     res);
}

static void
test_twilio_send(void **state)
{
	struct config *cfg = config_for(CONFIG_GATEWAY_TWILIO);
	struct gateway_out *gw = gateway_out_for(cfg, AUTH_TOKEN);
	struct gateway_result res;

	(void)state;
	server_reset(respond_twilio);
	assert_int_equal(send_to(gw, "+15550000001", &res), GATEWAY_OK);
	assert_string_equal(res.message_id,
	                    "SMnew0000000000000000000000000000");
	assert_int_equal(res.http_status, 201);
	assert_int_equal(res.retry_after_s, -1);
	assert_string_equal(res.error_code, "");
	struct request rq = server_request(0);
	assert_string_equal(rq.method, "POST");
	assert_string_equal(rq.path, LIST_PATH);
	assert_string_equal(rq.authorization, TWILIO_BASIC);
	assert_string_equal(rq.content_type,
	                    "application/x-www-form-urlencoded");
	assert_string_equal(rq.args, "");
	assert_string_equal(rq.body,
	                    "To=%2B15550000001&Body=Reply%20%26%20more%20%3D%20"
	                    "100%25%20%F0%9F%98%80&From=%2B15559990000");

	assert_int_equal(send_to(gw, "+15550000002", &res), GATEWAY_OPTED_OUT);
	assert_string_equal(res.error_code, "21610");
	assert_int_equal(res.http_status, 400);
	assert_string_equal(res.message_id, "");

	assert_false(res.unsure);

	/* A 5xx may come after the message was created: look it up. */
	assert_int_equal(send_to(gw, "+15550000003", &res), GATEWAY_RETRY);
	assert_int_equal(res.http_status, 503);
	assert_int_equal(res.retry_after_s, -1);
	assert_true(res.unsure);

	/* 429: never acted on. */
	assert_int_equal(send_to(gw, "+15550000004", &res), GATEWAY_THROTTLED);
	assert_int_equal(res.http_status, 429);
	assert_int_equal(res.retry_after_s, 30);
	assert_string_equal(res.error_code, "20429");
	assert_false(res.unsure);

	/* Refused credentials hold the reply; a redirect and a request
	 * timeout are transient, and the gateway did nothing. */
	assert_int_equal(send_to(gw, "+15550000006", &res), GATEWAY_AUTH);
	assert_int_equal(res.http_status, 401);
	assert_string_equal(res.error_code, "20003");
	assert_false(res.unsure);
	assert_int_equal(send_to(gw, "+15550000007", &res), GATEWAY_RETRY);
	assert_int_equal(res.http_status, 301);
	assert_false(res.unsure);
	assert_int_equal(send_to(gw, "+15550000008", &res), GATEWAY_RETRY);
	assert_int_equal(res.http_status, 408);
	assert_false(res.unsure);

	/* Any other 4xx is about the message: failed for good. */
	assert_int_equal(send_to(gw, "+15550000009", &res), GATEWAY_FAILED);
	assert_string_equal(res.error_code, "21211");
	assert_false(res.unsure);

	/* Taken, even if the answer cannot be read: never send twice. */
	assert_int_equal(send_to(gw, "+15550000005", &res), GATEWAY_OK);
	assert_string_equal(res.message_id, "");
	gateway_out_free(gw);
	config_done(cfg);
}

/* Several sends at once: each outcome goes with its own item. */
static void
test_twilio_send_many(void **state)
{
	struct config *cfg = config_for(CONFIG_GATEWAY_TWILIO);
	struct gateway_out *gw;
	const char *to[] = { "+15550000001", "+15550000002", "+15550000004",
		             "+15550000003", "+15550000005", "+15550000009",
		             "+15550000001" };
	enum gateway_status want[] = { GATEWAY_OK,        GATEWAY_OPTED_OUT,
		                       GATEWAY_THROTTLED, GATEWAY_RETRY,
		                       GATEWAY_OK,        GATEWAY_FAILED,
		                       GATEWAY_OK };
	long http[] = { 201, 400, 429, 503, 201, 400, 201 };
	struct gateway_send items[7];
	size_t n = sizeof(items) / sizeof(items[0]);

	(void)state;
	cfg->http.parallel_sends = 3;
	gw = gateway_out_for(cfg, AUTH_TOKEN);
	server_reset(respond_twilio);
	memset(items, 0x5a, sizeof(items));
	for (size_t i = 0; i < n; i++) {
		items[i].to = to[i];
		items[i].body = "same text";
	}
	gateway_out_send_many(gw, items, n);
	assert_int_equal(server_count(), n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(items[i].res.status, want[i]);
		assert_int_equal(items[i].res.http_status, http[i]);
	}
	assert_string_equal(items[0].res.message_id,
	                    "SMnew0000000000000000000000000000");
	assert_int_equal(items[2].res.retry_after_s, 30);
	assert_string_equal(items[1].res.error_code, "21610");
	assert_string_equal(items[4].res.message_id, "");
	/* The client is fine for one more after that. */
	assert_int_equal(send_to(gw, "+15550000001", &items[0].res),
	                 GATEWAY_OK);
	gateway_out_send_many(gw, items, 0);
	gateway_out_free(gw);
	config_done(cfg);
}

static void
test_twilio_send_service(void **state)
{
	struct config *cfg = config_for(CONFIG_GATEWAY_TWILIO);
	struct gateway_out *gw;
	struct gateway_result res;

	(void)state;
	cfg->twilio.messaging_service_sid =
	    strdup("MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	gw = gateway_out_for(cfg, AUTH_TOKEN);
	server_reset(respond_twilio);
	assert_int_equal(send_to(gw, "+15550000001", &res), GATEWAY_OK);
	assert_string_equal(
	    server_request(0).body,
	    "To=%2B15550000001&Body=Reply%20%26%20more%20%3D%20100%25%20%F0%"
	    "9F%98%80&MessagingServiceSid=MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	gateway_out_free(gw);
	config_done(cfg);
}

static void
test_twilio_transport_error(void **state)
{
	struct config *cfg = config_for(CONFIG_GATEWAY_TWILIO);
	struct gateway_in *gw;
	struct gateway_batch b = { 0 };
	struct gateway_result res;

	(void)state;
	free(cfg->twilio.base_url);
	cfg->twilio.base_url = strdup("http://127.0.0.1:1/");
	gw = gateway_in_for(cfg, AUTH_TOKEN);
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_RETRY);
	assert_int_equal(res.http_status, 0);
	assert_true(res.error[0] != '\0');
	assert_null(strstr(res.error, AUTH_TOKEN));
	struct gateway_out *out = gateway_out_for(cfg, AUTH_TOKEN);
	assert_int_equal(send_to(out, "+15550000001", &res), GATEWAY_RETRY);
	/* Refused: it never went out, so there is nothing to look up. */
	assert_false(res.unsure);
	assert_int_equal(b.count, 0);
	gateway_in_free(gw);
	gateway_out_free(out);
	config_done(cfg);
}

/* Newest first, as Twilio lists; each message still queued (no
 * date_sent). */
static void
respond_twilio_sent(const struct request *rq, struct reply *rp)
{
	if (strstr(rq->args, "PageToken=PT9") != NULL) {
		rp->body =
		    "{\"messages\":[" SM12 "," SM11 "],\"next_page_uri\":null}";
		return;
	}
	rp->body = "{\"messages\":[" SM13 "," SM10 "],"
	           "\"next_page_uri\":\"" LIST_PATH "?PageToken=PT9\"}";
}

static void
test_twilio_find_sent(void **state)
{
	struct config *cfg = config_for(CONFIG_GATEWAY_TWILIO);
	struct gateway_out *gw = gateway_out_for(cfg, AUTH_TOKEN);
	struct gateway_result res;
	int64_t since = 1558720000; /* Fri, 24 May 2019 17:46:40 +0000 */

	(void)state;
	server_reset(respond_twilio_sent);
	/* SM10 is inbound and SM11 too old; SM12, queued (no date_sent),
	 * on the second page.  No DateSent filter: it would leave a queued
	 * message out. */
	assert_int_equal(
	    gw->ops->find_sent(gw, "+15551230001", "Thanks!", since, &res), 1);
	assert_string_equal(res.message_id, "SM12");
	struct request rq = server_request(0);
	assert_string_equal(rq.path, LIST_PATH);
	assert_string_equal(rq.authorization, TWILIO_BASIC);
	assert_string_equal(rq.args,
	                    "To=+15551230001&PageSize=2&From=" OUR_NUMBER);

	assert_int_equal(
	    gw->ops->find_sent(gw, "+15551230001", "Other", since, &res), 0);
	assert_string_equal(res.message_id, "");
	/* Too late for SM12: the first page is all older than the attempt,
	 * and the listing stops there. */
	server_reset(respond_twilio_sent);
	assert_int_equal(gw->ops->find_sent(gw, "+15551230001", "Thanks!",
	                                    since + 3600, &res),
	                 0);
	assert_int_equal(server_count(), 1);

	/* It cannot tell when the listing fails, and says so. */
	server_reset(respond_twilio_5xx_all);
	assert_int_equal(
	    gw->ops->find_sent(gw, "+15551230001", "Other", since, &res), -1);
	assert_int_equal(res.status, GATEWAY_RETRY);
	cfg->http.max_pages_per_poll = 1;
	gateway_out_free(gw);
	gw = gateway_out_for(cfg, AUTH_TOKEN);
	/* Nor when there were more pages than it may read. */
	server_reset(respond_twilio_sent);
	assert_int_equal(
	    gw->ops->find_sent(gw, "+15551230001", "Other", since, &res), -1);
	gateway_out_free(gw);
	config_done(cfg);
}

static void
test_twilio_new_refuses(void **state)
{
	struct config *cfg = config_for(CONFIG_GATEWAY_TWILIO);
	char err[256];

	(void)state;
	/* Both parts check alike. */
	assert_null(gateway_in_new(cfg, "", err, sizeof(err)));
	assert_non_null(strstr(err, "auth token"));
	assert_null(gateway_out_new(cfg, "", err, sizeof(err)));
	assert_non_null(strstr(err, "auth token"));
	assert_null(gateway_in_new(cfg, NULL, err, sizeof(err)));
	assert_null(gateway_out_new(cfg, NULL, err, sizeof(err)));
	free(cfg->twilio.base_url);
	cfg->twilio.base_url = strdup("http://api.example.com");
	assert_null(gateway_in_new(cfg, AUTH_TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "base_url"));
	assert_null(gateway_out_new(cfg, AUTH_TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "base_url"));
	free(cfg->twilio.number);
	cfg->twilio.number = NULL;
	assert_null(gateway_in_new(cfg, AUTH_TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "number"));
	assert_null(gateway_out_new(cfg, AUTH_TOKEN, err, sizeof(err)));
	assert_non_null(strstr(err, "number"));
	config_done(cfg);
}

/* --- Infobip ------------------------------------------------------------- */

#define IB_KEY "003026bbc133714df1834b8638bb496e-8f4b3d9a-e931-478d"

static void
respond_infobip(const struct request *rq, struct reply *rp)
{
	if (strcmp(rq->authorization, "App " IB_KEY) != 0) {
		rp->status = 401;
		rp->body = "{\"requestError\":{\"serviceException\":{"
		           "\"messageId\":\"UNAUTHORIZED\",\"text\":"
		           "\"Invalid login details\"}}}";
	} else if (strcmp(rq->path, "/sms/1/inbox/reports") == 0) {
		rp->body =
		    "{\"results\":[{\"messageId\":\"817790313235066447\","
		    "\"from\":\"385916242493\",\"to\":\"385921004026\","
		    "\"text\":\"QUIZ Correct answer is Paris\","
		    "\"cleanText\":\"Correct answer is Paris\","
		    "\"keyword\":\"QUIZ\",\"receivedAt\":"
		    "\"2016-10-06T09:28:39.220+0000\",\"smsCount\":1}],"
		    "\"messageCount\":1,\"pendingMessageCount\":4}";
	} else if (strcmp(rq->path, "/sms/2/text/advanced") == 0) {
		rp->body = "{\"bulkId\":\"2034072219640523072\",\"messages\":["
		           "{\"to\":\"41793026727\",\"status\":{\"groupId\":1,"
		           "\"groupName\":\"PENDING\",\"id\":26,\"name\":"
		           "\"PENDING_ACCEPTED\"},\"messageId\":"
		           "\"2250be2d4219-3af1-78856-aabe-1362af1edfd2\"}]}";
	} else {
		rp->status = 404;
		rp->body = "{}";
	}
}

static void
test_infobip(void **state)
{
	struct config *cfg = config_for(CONFIG_GATEWAY_INFOBIP);
	struct gateway_in *gw = gateway_in_for(cfg, IB_KEY);
	struct gateway_out *out = gateway_out_for(cfg, IB_KEY);
	struct gateway_batch b = { 0 };
	struct gateway_result res;

	(void)state;
	server_reset(respond_infobip);
	assert_string_equal(gw->ops->name, "infobip");
	assert_string_equal(out->ops->name, "infobip");
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_OK);
	assert_int_equal(b.count, 1);
	assert_true(b.more);
	assert_string_equal(b.items[0].id, "817790313235066447");
	assert_string_equal(b.items[0].body, "QUIZ Correct answer is Paris");
	struct request rq = server_request(0);
	assert_string_equal(rq.method, "GET");
	assert_string_equal(rq.path, "/sms/1/inbox/reports");
	assert_string_equal(rq.args, "limit=50");

	assert_int_equal(out->ops->send(out, "41793026727", "Right!", &res),
	                 GATEWAY_OK);
	assert_string_equal(res.message_id,
	                    "2250be2d4219-3af1-78856-aabe-1362af1edfd2");
	rq = server_request(1);
	assert_string_equal(rq.method, "POST");
	assert_string_equal(rq.path, "/sms/2/text/advanced");
	assert_string_equal(rq.content_type, "application/json");
	assert_string_equal(rq.body,
	                    "{\"messages\":[{\"destinations\":[{\"to\":"
	                    "\"41793026727\"}],\"text\":\"Right!\",\"from\":"
	                    "\"InfoSMS\"}]}");
	assert_int_equal(
	    out->ops->find_sent(out, "41793026727", "Right!", 0, &res), -1);
	gateway_batch_free(&b);
	gateway_in_free(gw);
	gateway_out_free(out);

	/* A wrong key: held until an operator fixes it, with Infobip's
	 * code. */
	gw = gateway_in_for(cfg, "wrong");
	assert_int_equal(gw->ops->poll(gw, &b, &res), GATEWAY_AUTH);
	assert_int_equal(res.http_status, 401);
	assert_string_equal(res.error_code, "UNAUTHORIZED");
	assert_null(strstr(res.error, "wrong"));
	assert_int_equal(b.count, 0);
	gateway_in_free(gw);
	config_done(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_date_header),
		cmocka_unit_test(test_max_response),
		cmocka_unit_test(test_total_timeout),
		cmocka_unit_test(test_connect_timeout),
		cmocka_unit_test(test_errors_are_clean),
		cmocka_unit_test(test_basic_auth_and_form),
		cmocka_unit_test(test_json_and_authorization),
		cmocka_unit_test(test_url_allowed),
		cmocka_unit_test(test_twilio_poll),
		cmocka_unit_test(test_twilio_max_pages),
		cmocka_unit_test(test_twilio_poll_failures),
		cmocka_unit_test(test_twilio_send),
		cmocka_unit_test(test_twilio_send_service),
		cmocka_unit_test(test_twilio_send_many),
		cmocka_unit_test(test_twilio_transport_error),
		cmocka_unit_test(test_twilio_find_sent),
		cmocka_unit_test(test_twilio_new_refuses),
		cmocka_unit_test(test_infobip),
	};
	/* Everything goes straight to the loopback server. */
	const char *proxies[] = { "http_proxy",  "https_proxy", "HTTP_PROXY",
		                  "HTTPS_PROXY", "all_proxy",   "ALL_PROXY" };

	for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
		unsetenv(proxies[i]);
	return cmocka_run_group_tests(tests, server_setup, server_teardown);
}
