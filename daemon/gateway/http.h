/* HTTP client for the gateways: libcurl with connection reuse, connect and
 * total timeouts, TLS verification, a cap on response size, and plain http
 * allowed only to loopback unless explicitly configured. */
#ifndef BACKTALK_HTTP_H
#define BACKTALK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_url.h"

struct http_options {
	const char *ca_file;      /* NULL: the system's CA store */
	long connect_timeout_ms;  /* 0: 5000 */
	long timeout_ms;          /* 0: 15000 */
	size_t max_response;      /* bytes; a larger body fails the request;
	                             0: 4 MiB */
	bool allow_insecure_http; /* plain http to hosts other than loopback */
	const char *basic_user;   /* HTTP Basic auth (Twilio), or NULL */
	const char *basic_password;
	const char *authorization; /* whole Authorization value (Infobip
	                              "App KEY"), or NULL */
	const char *user_agent;
	unsigned parallel; /* requests in flight at once in http_perform;
	                      0: 1, at most 32 */
};

struct http_response {
	long status; /* 0 when no response arrived */
	char *body;  /* NUL-terminated; NULL when none */
	size_t len;
	long retry_after_s; /* parsed Retry-After, -1 when absent */
	int64_t date;       /* the Date header (the server's clock), Unix
	                       seconds; 0 when absent or unparsable */
	char error[256];    /* transport error for the log, "" when none */
	bool sent; /* the request went out (it may have reached the server) */
};

struct http_client;

/* Copies the strings in opts. */
struct http_client *http_new(const struct http_options *opts);
void http_free(struct http_client *c);

/* Each returns 0 when an HTTP response arrived (any status), -1 on a
 * transport error (ret->error says which), a refused URL or a response over
 * max_response. */
int http_get(struct http_client *c, const char *url, struct http_response *ret);
/* fields: name, value, name, value, ..., NULL; values are URL-encoded by
 * libcurl. */
int http_post_form(struct http_client *c, const char *url,
                   const char *const *fields, struct http_response *ret);
int http_post_json(struct http_client *c, const char *url, const char *json,
                   struct http_response *ret);
void http_response_free(struct http_response *r);

/* One request for http_perform. */
struct http_call {
	const char *url;
	const char *body;         /* NULL for a GET, else POSTed as is */
	const char *content_type; /* a whole header line, or NULL */
	struct http_response res; /* the outcome (free the body) */
	int rc;                   /* as http_get() returns */
};
/* Runs the calls, up to the client's `parallel` at once over reused
 * connections, and returns when all are over. */
void http_perform(struct http_client *c, struct http_call *calls, size_t n);
/* Sets a function http_perform calls at least every 250 ms while it
 * waits for answers (the daemon pings systemd's watchdog from it); NULL
 * for none.  Only the thread that set it calls it (the daemon's loop, not
 * its sending thread).  It must be quick and must not use the client. */
void http_set_wait_hook(void (*fn)(void));
/* name=value&... with both sides escaped by libcurl; NULL when out of
 * memory.  Free it with free(). */
char *http_form_encode(const char *const *fields);

#endif
