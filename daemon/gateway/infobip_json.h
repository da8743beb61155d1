/* Pure parsers and builders for Infobip's SMS API: the inbox reports
 * (GET /sms/1/inbox/reports), the send request and response
 * (POST /sms/2/text/advanced), the sent SMS logs (GET /sms/1/logs) and the
 * requestError bodies.  Nothing here touches the network, so it is
 * unit-tested and fuzzed on its own. */
#ifndef BACKTALK_INFOBIP_JSON_H
#define BACKTALK_INFOBIP_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "gateway.h"

/* Most results one inbox response may hold (Infobip's limit maximum). */
#define INFOBIP_JSON_RESULTS_MAX 1000
/* Longest messageId, phone number or sender accepted. */
#define INFOBIP_JSON_ID_MAX 127
/* A logged message's sentAt may be this far before the time asked about,
 * to allow for our clock and Infobip's disagreeing a little. */
#define INFOBIP_JSON_CLOCK_SLACK_S 60
/* Room for a date as infobip_json_format_date writes it. */
#define INFOBIP_JSON_DATE_MAX 32

/* Status groups of a sent message (status.groupId). */
enum infobip_json_group {
	INFOBIP_GROUP_PENDING = 1,
	INFOBIP_GROUP_UNDELIVERABLE = 2,
	INFOBIP_GROUP_DELIVERED = 3,
	INFOBIP_GROUP_EXPIRED = 4,
	INFOBIP_GROUP_REJECTED = 5,
};

struct infobip_json_inbox {
	long pending;      /* pendingMessageCount: still waiting */
	size_t kept;       /* added to the batch */
	size_t unreadable; /* added as unreadable: a messageId, but no
	                      usable from or text */
	size_t skipped;    /* left out: no usable messageId, or not an
	                      object */
	size_t truncated;  /* texts cut to BT_MESSAGE_MAX bytes */
};

/* Parses an inbox reports response and appends its results to batch (text,
 * not cleanText, is the body; sent_at is receivedAt, or 0); sets
 * batch->more when pendingMessageCount > 0.  Infobip hands each message out
 * once, so an entry that cannot be used is never fatal: with a messageId it
 * is added with gateway_batch_add_unreadable (ret->unreadable), without one
 * it is counted in ret->skipped.  Read with jsonread_page, so a NUL or a
 * lone surrogate in a text is U+FFFD.  Returns 0, or -1 with err set and batch
 * and *ret as they were when the body is not an inbox response. */
int infobip_json_parse_inbox(const char *buf, size_t len,
                             struct gateway_batch *batch,
                             struct infobip_json_inbox *ret, char *err,
                             size_t errlen);

/* The body of a send request for one message; NULL when out of memory.
 * from may be NULL (the account's default sender).  Free with free(). */
char *infobip_json_send_body(const char *from, const char *to,
                             const char *text);

/* Parses a send response: messages[0].messageId goes to res->message_id;
 * a status group of UNDELIVERABLE, EXPIRED or REJECTED makes res->status
 * FAILED with the status name (e.g. "REJECTED_DESTINATION") as error_code,
 * any other GATEWAY_OK.  Returns 0, or -1 with res->error set when the body
 * says nothing usable. */
int infobip_json_parse_sent(const char *buf, size_t len,
                            struct gateway_result *res);

/* Classifies a response that is not 2xx from its HTTP status and its
 * {"requestError":{"serviceException":{"messageId":"...","text":"..."}}}
 * body (policyException too): 429 and 5xx are RETRY, anything else FAILED.
 * Sets res->status, http_status, error_code (the messageId, e.g.
 * "UNAUTHORIZED") and error.  Returns res->status. */
enum gateway_status infobip_json_parse_error(long http_status, const char *buf,
                                             size_t len,
                                             struct gateway_result *res);

/* Looks in a sent SMS logs response, asked for with limit=limit, for the
 * message a crash may have left unrecorded: one to `to` (a leading '+'
 * aside on either side: Infobip writes numbers without it) whose text is
 * exactly body and whose sentAt is no earlier than
 * since - INFOBIP_JSON_CLOCK_SLACK_S.  Returns 1 and copies its messageId
 * to res->message_id when found; 0 when the list is complete (fewer than
 * limit results) and every entry in it is surely another message; -1 with
 * res->error set when the body is not a logs response, when an entry that
 * might be the message cannot be read, or when the list may have been cut
 * at limit.  Touches only res->message_id and res->error. */
int infobip_json_find_sent(const char *buf, size_t len, const char *to,
                           const char *body, int64_t since, size_t limit,
                           struct gateway_result *res);

/* Parses Infobip's "2019-08-20T14:50:29.000+0000" (fraction optional; zone
 * Z, +hhmm or +hh:mm).  Returns 0 and sets *ret to Unix seconds, or -1. */
int infobip_json_parse_date(const char *s, int64_t *ret);

/* Writes t (Unix seconds) in UTC as Infobip writes dates,
 * "2019-08-20T14:50:29.000+0000", for a query such as sentSince.  Returns
 * 0, or -1 when t is outside the years 1900 to 9999 or buf is shorter than
 * INFOBIP_JSON_DATE_MAX. */
int infobip_json_format_date(int64_t t, char *buf, size_t len);

#endif
