/* What the HTTP drivers (gateway_twilio.c, gateway_infobip.c) share on top
 * of the HTTP client (http.h): how an answer's status becomes a
 * gateway_status, and running a batch of sends at once. */
#ifndef BACKTALK_GATEWAY_HTTP_H
#define BACKTALK_GATEWAY_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "gateway.h"
#include "http.h"

/* Runs calls[0..n) (each body malloc'ed) when ready (else every item fails
 * with "out of memory"), fills each item's result with read, then wipes
 * and frees the bodies, the responses and calls. */
void gateway_http_send_calls(struct http_client *http,
                             struct gateway_send *items,
                             struct http_call *calls, size_t n, bool ready,
                             void (*read)(const struct http_call *call,
                                          struct gateway_result *res));
/* Whether a request got a 2xx answer. */
bool gateway_http_ok(int rc, const struct http_response *r);
/* Fills res from a failed request or a response that is not 2xx, reading
 * the gateway's error body with parse_error; returns res->status. */
enum gateway_status gateway_http_fail(
    int rc, const struct http_response *r,
    enum gateway_status (*parse_error)(long status, const char *body,
                                       size_t len, struct gateway_result *res),
    struct gateway_result *res);

#endif
