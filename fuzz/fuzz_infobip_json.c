/* Fuzzes infobip_json.c: every parser gets the same bytes.  An inbox that
 * parses adds exactly the messages it counts (kept and unreadable), each
 * within its bounds with a valid UTF-8 body and id, and sets batch->more from
 * the pending count; one that does not parse leaves the batch alone.  A sent
 * SMS logs lookup answers found with an id, not found, or cannot tell with a
 * reason, and the answer hangs together: found does not depend on the limit, a
 * '+' or an earlier since; not found stays not found with a higher limit.  The
 * send body built from the input reads back to the same text, and a date
 * written from the input reads back to the same time. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "bounds.h"
#include "fuzz.h"
#include "gateway.h"
#include "infobip_json.h"
#include "utf8.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_infobip_inbox(const char *buf, size_t len)
{
	struct gateway_batch b = { 0 };
	struct infobip_json_inbox inbox;
	char err[200] = "";

	if (infobip_json_parse_inbox(buf, len, &b, &inbox, err, sizeof(err)) !=
	    0) {
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(b.count == 0 && !b.more);
		return;
	}
	FUZZ_CHECK(b.count == inbox.kept + inbox.unreadable);
	FUZZ_CHECK(inbox.kept + inbox.unreadable + inbox.skipped <=
	           INFOBIP_JSON_RESULTS_MAX);
	FUZZ_CHECK(inbox.pending >= 0);
	FUZZ_CHECK(b.more == (inbox.pending > 0));
	for (size_t i = 0; i < b.count; i++) {
		const struct gateway_message *m = &b.items[i];
		size_t body = strlen(m->body);
		FUZZ_CHECK(m->id[0] != '\0');
		FUZZ_CHECK(strlen(m->id) <= INFOBIP_JSON_ID_MAX);
		FUZZ_CHECK(strlen(m->from) <= INFOBIP_JSON_ID_MAX);
		FUZZ_CHECK(body <= BT_MESSAGE_MAX);
		FUZZ_CHECK(utf8_invalid_offset(m->body, body) == body);
		FUZZ_CHECK(utf8_invalid_offset(m->id, strlen(m->id)) ==
		           strlen(m->id));
		FUZZ_CHECK(!m->unreadable || body == 0);
	}
	gateway_batch_free(&b);
}

static void
fuzz_infobip_results(const char *buf, size_t len)
{
	struct gateway_result res;
	enum gateway_status st;

	memset(&res, 0, sizeof(res));
	if (infobip_json_parse_sent(buf, len, &res) == 0)
		FUZZ_CHECK(res.message_id[0] != '\0' &&
		           (res.status == GATEWAY_OK ||
		            (res.status == GATEWAY_FAILED &&
		             res.error_code[0] != '\0')));
	else
		FUZZ_CHECK(res.error[0] != '\0');

	memset(&res, 0, sizeof(res));
	st = infobip_json_parse_error(400, buf, len, &res);
	FUZZ_CHECK(st == GATEWAY_FAILED && res.error[0] != '\0');
	st = infobip_json_parse_error(503, buf, len, &res);
	FUZZ_CHECK(st == GATEWAY_RETRY);
}

/* The number, text and time the seed corpus's logs entries have. */
#define FUZZ_LOGS_TO   "41793026727"
#define FUZZ_LOGS_TEXT "Test SMS."
#define FUZZ_LOGS_T    1424709631 /* 2015-02-23T16:40:31Z */

static int
fuzz_infobip_find(const char *buf, size_t len, const char *to, int64_t since,
                  size_t limit, struct gateway_result *res)
{
	int r;

	memset(res, 0, sizeof(*res));
	r = infobip_json_find_sent(buf, len, to, FUZZ_LOGS_TEXT, since, limit,
	                           res);
	FUZZ_CHECK(r == -1 || r == 0 || r == 1);
	if (r == 1)
		FUZZ_CHECK(res->message_id[0] != '\0' &&
		           strlen(res->message_id) <= INFOBIP_JSON_ID_MAX);
	else
		FUZZ_CHECK(res->message_id[0] == '\0');
	if (r == -1)
		FUZZ_CHECK(res->error[0] != '\0');
	return r;
}

static void
fuzz_infobip_logs(const char *buf, size_t len)
{
	struct gateway_result res, other;
	int r, any, plus, earlier;

	r = fuzz_infobip_find(buf, len, FUZZ_LOGS_TO, FUZZ_LOGS_T, 10, &res);
	any = fuzz_infobip_find(buf, len, FUZZ_LOGS_TO, FUZZ_LOGS_T, SIZE_MAX,
	                        &other);
	plus = fuzz_infobip_find(buf, len, "+" FUZZ_LOGS_TO, FUZZ_LOGS_T, 10,
	                         &other);
	FUZZ_CHECK(plus == r);
	if (r == 1) {
		FUZZ_CHECK(strcmp(other.message_id, res.message_id) == 0);
		FUZZ_CHECK(any == 1);
		earlier = fuzz_infobip_find(buf, len, FUZZ_LOGS_TO, INT64_MIN,
		                            10, &other);
		FUZZ_CHECK(earlier == 1);
	}
	if (r == 0)
		FUZZ_CHECK(any == 0);
}

/* The input as the text of a message: what Infobip is sent must say the
 * same thing. */
static void
fuzz_infobip_send_body(const char *buf, size_t len)
{
	char text[BT_MESSAGE_MAX + 1];
	json_t *root, *got;
	char *s;

	if (len > BT_MESSAGE_MAX || memchr(buf, '\0', len) != NULL ||
	    utf8_invalid_offset(buf, len) != len)
		return;
	memcpy(text, buf, len);
	text[len] = '\0';
	s = infobip_json_send_body("InfoSMS", "41793026727", text);
	FUZZ_CHECK(s != NULL);
	root = json_loads(s, 0, NULL);
	FUZZ_CHECK(root != NULL);
	got = json_object_get(
	    json_array_get(json_object_get(root, "messages"), 0), "text");
	FUZZ_CHECK(json_is_string(got) &&
	           strcmp(json_string_value(got), text) == 0);
	json_decref(root);
	free(s);
}

static void
fuzz_infobip_date(const char *buf, size_t len)
{
	char s[64];
	int64_t t = 42;

	if (len >= sizeof(s))
		return;
	memcpy(s, buf, len);
	s[len] = '\0';
	if (infobip_json_parse_date(s, &t) == 0)
		FUZZ_CHECK(t >= -2208988800LL - 86400 &&
		           t <= 253402300799LL + 86400);
	else
		FUZZ_CHECK(t == 42);
}

/* The first eight bytes as a time: written as a date, it reads back. */
static void
fuzz_infobip_format_date(const char *buf, size_t len)
{
	char s[INFOBIP_JSON_DATE_MAX];
	uint64_t u = 0;
	int64_t t, back = 42;

	if (len < sizeof(u))
		return;
	memcpy(&u, buf, sizeof(u));
	/* Mostly within the years a date can be written in. */
	t = (int64_t)(u % (UINT64_C(1) << 38)) - (INT64_C(1) << 37);
	if (buf[0] & 1)
		t = (int64_t)u;
	if (infobip_json_format_date(t, s, sizeof(s)) != 0) {
		FUZZ_CHECK(t < -2208988800LL || t > 253402300799LL);
		return;
	}
	FUZZ_CHECK(strlen(s) == 28);
	FUZZ_CHECK(infobip_json_parse_date(s, &back) == 0 && back == t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	fuzz_infobip_inbox(buf, size);
	fuzz_infobip_results(buf, size);
	fuzz_infobip_logs(buf, size);
	fuzz_infobip_send_body(buf, size);
	fuzz_infobip_date(buf, size);
	fuzz_infobip_format_date(buf, size);
	return 0;
}
