/* Pure parsers for Twilio's Messages API responses (api.twilio.com
 * 2010-04-01): a List Messages page, a created Message, an error body, and
 * the RFC 2822 dates Twilio uses.  Nothing here touches the network, so it
 * is unit-tested and fuzzed on its own. */
#ifndef BACKTALK_TWILIO_JSON_H
#define BACKTALK_TWILIO_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "gateway.h"

/* Most messages a page may hold (Twilio's PageSize maximum). */
#define TWILIO_JSON_PAGE_MAX 1000
/* Longest sid, phone number or address, and next_page_uri accepted. */
#define TWILIO_JSON_ID_MAX  127
#define TWILIO_JSON_URI_MAX 4096

/* The Twilio error code for "recipient has opted out" (replied STOP). */
#define TWILIO_ERROR_OPTED_OUT 21610

/* Which messages of a page to keep. */
enum twilio_json_direction {
	TWILIO_JSON_INBOUND,  /* direction "inbound" */
	TWILIO_JSON_OUTBOUND, /* "outbound-api", "outbound-reply", ... */
};

struct twilio_json_page {
	char *next_page_uri;    /* NULL on the last page */
	size_t kept;            /* added to the batch */
	size_t other_direction; /* left out: not the direction asked for */
	size_t unreadable;      /* added as unreadable: inbound (or of no
	                           readable direction) with a sid, but no
	                           usable from or body */
	size_t skipped;         /* left out: no usable sid (or, outbound,
	                           no from or body), or not an object */
	size_t truncated;       /* bodies cut to BT_MESSAGE_MAX bytes */
};

/* Parses a List Messages page (len bytes; need not be NUL-terminated) and
 * appends the messages going in direction dir to batch: sent_at is, for
 * inbound messages, date_sent, or date_created when that is missing; for
 * outbound ones date_created (set when Twilio takes the message; date_sent
 * is missing while it is queued), or date_sent when that is missing; or 0.
 * Read with jsonread_page, so a NUL or a lone surrogate in a body is U+FFFD;
 * an inbound entry with a sid that cannot be read otherwise is added with
 * gateway_batch_add_unreadable.  Returns 0 and fills *ret, or -1 with err
 * set and batch and *ret as they were when the body is not a page. */
int twilio_json_parse_page(const char *buf, size_t len,
                           enum twilio_json_direction dir,
                           struct gateway_batch *batch,
                           struct twilio_json_page *ret, char *err,
                           size_t errlen);
void twilio_json_page_free(struct twilio_json_page *p);

/* Parses a Create Message response: copies its sid to res->message_id.
 * Returns 0, or -1 with res->error set when there is no usable sid. */
int twilio_json_parse_created(const char *buf, size_t len,
                              struct gateway_result *res);

/* Classifies a response that is not 2xx from its HTTP status and error body
 * ({"code":21610,"message":"...","status":400}): 429 and 5xx are RETRY,
 * code 21610 is OPTED_OUT, anything else FAILED.  Sets res->status,
 * http_status, error_code (the Twilio code, "" when the body has none) and
 * error (phone-number-like digit runs masked).  Leaves res->retry_after_s
 * alone.  Returns res->status. */
enum gateway_status twilio_json_parse_error(long http_status, const char *buf,
                                            size_t len,
                                            struct gateway_result *res);

/* Parses an RFC 2822 date as Twilio writes it ("Mon, 16 Aug 2010 03:45:01
 * +0000"; the weekday and seconds are optional, the zone is +hhmm, -hhmm,
 * GMT, UT or UTC).  Returns 0 and sets *ret to Unix seconds, or -1. */
int twilio_json_parse_date(const char *s, int64_t *ret);

#endif
