/* gateway_http.c: what the HTTP drivers share (gateway_http.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway_http.h"

bool
gateway_http_ok(int rc, const struct http_response *r)
{
	return rc == 0 && r->status >= 200 && r->status < 300;
}

/* What an HTTP status says about a request, whatever the body says: the
 * driver's parser decides only among the other 4xx (failed for good, or
 * the recipient opted out).  Sets res->unsure when the gateway may have
 * acted on it. */
static void
gateway_http_class(long status, struct gateway_result *res)
{
	res->unsure = false;
	if (status >= 500) {
		/* A 5xx may come after the message was created. */
		res->status = GATEWAY_RETRY;
		res->unsure = true;
	} else if (status == 429) {
		res->status = GATEWAY_THROTTLED;
	} else if (status == 401 || status == 403 || status == 404 ||
	           status == 407) {
		res->status = GATEWAY_AUTH;
	} else if (status < 400 || status == 408) {
		/* A redirect (never followed) or "request timeout": the
		 * server did not act on the request. */
		res->status = GATEWAY_RETRY;
	}
}

enum gateway_status
gateway_http_fail(
    int rc, const struct http_response *r,
    enum gateway_status (*parse_error)(long status, const char *body,
                                       size_t len, struct gateway_result *res),
    struct gateway_result *res)
{
	long retry_after = r->retry_after_s;

	if (rc != 0) {
		res->status = GATEWAY_RETRY;
		res->http_status = 0;
		/* Not sent at all (no connection): the gateway has nothing. */
		res->unsure = r->sent;
		snprintf(res->error, sizeof(res->error), "%s", r->error);
	} else {
		parse_error(r->status, r->body, r->len, res);
		gateway_http_class(r->status, res);
	}
	res->retry_after_s = retry_after;
	return res->status;
}

void
gateway_http_send_calls(struct http_client *http, struct gateway_send *items,
                        struct http_call *calls, size_t n, bool ready,
                        void (*read)(const struct http_call *call,
                                     struct gateway_result *res))
{
	if (ready)
		http_perform(http, calls, n);
	for (size_t i = 0; i < n; i++) {
		if (!ready) {
			gateway_result_init(&items[i].res);
			items[i].res.status = GATEWAY_RETRY;
			snprintf(items[i].res.error, sizeof(items[i].res.error),
			         "out of memory");
		} else {
			read(&calls[i], &items[i].res);
		}
		if (calls == NULL)
			continue;
		/* The request body holds the message and the recipient. */
		if (calls[i].body != NULL) {
			explicit_bzero((char *)calls[i].body,
			               strlen(calls[i].body));
			free((char *)calls[i].body);
		}
		http_response_free(&calls[i].res);
	}
	free(calls);
}
