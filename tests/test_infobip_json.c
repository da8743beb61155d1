/* Tests for infobip_json.c: inbox reports (results, pendingMessageCount,
 * entries that cannot be used), bounds, the send request body, send
 * responses, the sent SMS logs find_sent reads, requestError bodies, and
 * dates read and written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bounds.h"
#include "gateway.h"
#include "infobip_json.h"
#include "testutil.h"

/* One inbound message as Infobip reports it. */
#define RESULT(id, from, text, at)                                      \
	"{\"messageId\":\"" id "\",\"from\":\"" from "\","              \
	"\"to\":\"41793026834\",\"text\":" text ",\"cleanText\":\"x\"," \
	"\"keyword\":\"KEY\",\"receivedAt\":\"" at "\",\"smsCount\":1," \
	"\"price\":{\"pricePerMessage\":0,\"currency\":\"EUR\"},"       \
	"\"callbackData\":\"callbackData\"}"

#define R_KEY                                                                \
	RESULT("817790313235066447", "385916242493", "\"KEY Text message\"", \
	       "2019-08-20T14:50:29.000+0000")
#define R_STOP                                                              \
	RESULT("817790313235066448", "447700900123", "\"caf\\u00e9 STOP\"", \
	       "2024-02-29T23:59:59.123+02:00")

static const char inbox_two[] = "{\"results\":[" R_KEY "," R_STOP "],"
                                "\"messageCount\":2,\"pendingMessageCount\":3}";

#define BAD(s) expect_bad_inbox((s), strlen(s))

/* Bodies no parser here takes: not JSON, not an object, or no results
 * array in it. */
static const char *const bad_bodies[] = {
	"",
	"{",
	"[]",
	"{}",
	"null",
	"{\"results\":{}}",
	"{\"results\":null}",
	"{\"results\":\"x\"}",
	"{\"requestError\":{\"serviceException\":{\"messageId\":"
	"\"UNAUTHORIZED\",\"text\":\"Invalid login details\"}}}",
	"<html>Bad Gateway</html>",
};

static int
parse(const char *json, struct gateway_batch *b,
      struct infobip_json_inbox *inbox)
{
	char err[200] = "";
	int r = infobip_json_parse_inbox(json, strlen(json), b, inbox, err,
	                                 sizeof(err));

	if (r != 0)
		assert_true(err[0] != '\0');
	return r;
}

static void
test_inbox(void **state)
{
	struct gateway_batch b = { 0 };
	struct infobip_json_inbox inbox;

	(void)state;
	assert_int_equal(parse(inbox_two, &b, &inbox), 0);
	assert_int_equal(inbox.kept, 2);
	assert_int_equal(inbox.skipped, 0);
	assert_int_equal(inbox.pending, 3);
	assert_true(b.more);
	assert_int_equal(b.count, 2);
	assert_string_equal(b.items[0].id, "817790313235066447");
	/* Infobip writes numbers without "+": the daemon gets E.164. */
	assert_string_equal(b.items[0].from, "+385916242493");
	assert_string_equal(b.items[0].to, "+41793026834");
	/* text, not cleanText: the rules see what the sender wrote. */
	assert_string_equal(b.items[0].body, "KEY Text message");
	assert_int_equal(b.items[0].sent_at, 1566312629);
	assert_string_equal(b.items[1].body, "caf\xc3\xa9 STOP");
	assert_int_equal(b.items[1].sent_at, 1709243999);
	gateway_batch_free(&b);
}

/* The numbers of the inbox in E.164 by one rule (e164.h): eight digits
 * or more get a "+"; a short code, an alphanumeric sender, and a number
 * that has its "+" already stay as they are. */
static void
test_inbox_numbers(void **state)
{
	static const struct {
		const char *gateway, *daemon;
	} cases[] = {
		{ "447700900123", "+447700900123" },
		{ "+447700900123", "+447700900123" },
		{ "12345678", "+12345678" },
		{ "1234567", "1234567" },
		{ "12345", "12345" },
		{ "InfoSMS", "InfoSMS" },
		{ "4477009x0123", "4477009x0123" },
		{ "+1234", "+1234" },
	};
	char json[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gateway_batch b = { 0 };
		struct infobip_json_inbox inbox;

		snprintf(json, sizeof(json),
		         "{\"results\":[{\"messageId\":\"m%zu\","
		         "\"from\":\"%s\",\"to\":\"%s\",\"text\":\"hi\"}]}",
		         i, cases[i].gateway, cases[i].gateway);
		assert_int_equal(parse(json, &b, &inbox), 0);
		assert_int_equal(b.count, 1);
		assert_string_equal(b.items[0].from, cases[i].daemon);
		assert_string_equal(b.items[0].to, cases[i].daemon);
		gateway_batch_free(&b);
	}
}

static void
test_inbox_empty(void **state)
{
	struct gateway_batch b = { .more = true };
	struct infobip_json_inbox inbox;

	(void)state;
	assert_int_equal(parse("{\"results\":[],\"messageCount\":0,"
	                       "\"pendingMessageCount\":0}",
	                       &b, &inbox),
	                 0);
	assert_int_equal(b.count, 0);
	assert_false(b.more);
	assert_int_equal(inbox.pending, 0);
	/* No pendingMessageCount (or null): nothing more known. */
	b.more = true;
	assert_int_equal(parse("{\"results\":[]}", &b, &inbox), 0);
	assert_false(b.more);
	assert_int_equal(
	    parse("{\"results\":[],\"pendingMessageCount\":null}", &b, &inbox),
	    0);
	assert_false(b.more);
	/* A negative count is no count. */
	assert_int_equal(
	    parse("{\"results\":[],\"pendingMessageCount\":-4}", &b, &inbox),
	    0);
	assert_false(b.more);
	gateway_batch_free(&b);
}

static void
test_inbox_skipped(void **state)
{
	static const char json[] =
	    "{\"results\":["
	    "{\"from\":\"1\",\"text\":\"no id\"},"
	    "{\"messageId\":\"\",\"from\":\"1\",\"text\":\"empty id\"},"
	    "{\"messageId\":\"m3\",\"text\":\"no from\"},"
	    "{\"messageId\":\"m4\",\"from\":\"1\"},"
	    "{\"messageId\":\"m5\",\"from\":\"1\",\"text\":null},"
	    "{\"messageId\":5,\"from\":\"1\",\"text\":\"id a number\"},"
	    "\"m6\",7,null,"
	    "{\"messageId\":\"m7\",\"from\":\"1\",\"text\":\"bad date\","
	    "\"receivedAt\":\"2019-02-30T00:00:00Z\"},"
	    "{\"messageId\":\"m8\",\"from\":\"1\",\"text\":\"no to\"}"
	    "],\"pendingMessageCount\":0}";
	struct gateway_batch b = { 0 };
	struct infobip_json_inbox inbox;

	(void)state;
	assert_int_equal(parse(json, &b, &inbox), 0);
	/* With a messageId: in the batch, marked unreadable. */
	assert_int_equal(inbox.unreadable, 3);
	assert_int_equal(inbox.skipped, 6);
	assert_int_equal(inbox.kept, 2);
	assert_int_equal(b.count, 5);
	assert_string_equal(b.items[0].id, "m3");
	assert_string_equal(b.items[0].from, "");
	assert_string_equal(b.items[1].id, "m4");
	assert_string_equal(b.items[1].from, "1");
	assert_string_equal(b.items[2].id, "m5");
	testutil_expect_unreadable(&b, 0, 3);
	assert_string_equal(b.items[3].id, "m7");
	assert_int_equal(b.items[3].sent_at, 0);
	assert_string_equal(b.items[4].to, "");
	gateway_batch_free(&b);
}

/* One emergency next to each kind of poison: every entry that can be read
 * is kept, each text valid UTF-8 without NUL. */
#define R_EMERGENCY(n)                                           \
	RESULT("em" n, "38591624249" n,                          \
	       "\"chest pain and I cannot feel my legs " n "\"", \
	       "2019-08-20T14:50:29.000+0000")
#define R_TEXT(id, text) \
	RESULT(id, "385916242400", text, "2019-08-20T14:50:29.000+0000")

static void
test_inbox_poison(void **state)
{
	static const char *const entries[] = {
		R_EMERGENCY("1"),
		R_TEXT("nul", "\"meet me \\u0000 5\""),
		R_EMERGENCY("2"),
		R_TEXT("high", "\"a\\ud800b\""),
		R_EMERGENCY("3"),
		R_TEXT("low", "\"\\udc00\""),
		R_EMERGENCY("4"),
		"{\"messageId\":\"dup\",\"from\":\"1\",\"text\":\"first\","
		"\"text\":\"last\"}",
		R_EMERGENCY("5"),
		R_TEXT("raw", "\"bad \xff byte\""),
		R_EMERGENCY("6"),
		R_TEXT("obj", "[\"x\"]"),
		R_EMERGENCY("7"),
		"{\"messageId\":\"\\ud800\\u0000\",\"text\":\"x\"}",
	};
	char *json = testutil_join("{\"results\":[", entries,
	                           sizeof(entries) / sizeof(entries[0]),
	                           "],\"pendingMessageCount\":0}");
	static const struct testutil_want want[] = {
		{ "nul", "meet me \xef\xbf\xbd 5" },
		{ "high", "a\xef\xbf\xbd"
		          "b" },
		{ "low", "\xef\xbf\xbd" },
		{ "dup", "last" },
		{ "raw", "bad \xef\xbf\xbd byte" },
	};
	struct gateway_batch b = { 0 };
	struct infobip_json_inbox inbox;

	(void)state;
	assert_int_equal(parse(json, &b, &inbox), 0);
	assert_int_equal(inbox.kept, 7 + 5);
	/* "obj", and the one whose messageId has a NUL in it */
	assert_int_equal(inbox.unreadable, 2);
	assert_int_equal(testutil_check_poisoned(
	                     &b, "em", want, sizeof(want) / sizeof(want[0])),
	                 7);
	for (size_t i = 0; i + 1 < b.count; i++)
		assert_int_equal(b.items[i].unreadable,
		                 strcmp(b.items[i].id, "obj") == 0);
	assert_true(b.items[b.count - 1].unreadable);
	assert_string_equal(b.items[b.count - 1].id,
	                    "\xef\xbf\xbd\xef\xbf\xbd");
	gateway_batch_free(&b);
	free(json);
}

/* What the parsers say about a body they cannot read never quotes it. */
static void
test_errors_quote_nothing(void **state)
{
	static const char *const bodies[] = {
		"{\"results\":[{\"messageId\":\"m1\",\"text\":MARKERWORD}]}",
		"{\"results\":[{\"messageId\":\"m1\",\"text\":\"MARKERWORD\"",
		"{\"results\":[{\"messageId\":\"m1\",\"text\":\"MARKERWORD\"}]}"
		"x",
		"MARKERWORD",
		"{\"results\":[{\"text\":\"MARKERWORD\x01\"}]}",
		"{\"results\":[{\"text\":\"MARKERWORD\",\"text\":\"x\"}]}",
		"{\"results\":[{\"text\":\"MARKERWORD\xff\"}]}",
		"{\"results\":[{\"text\":\"MARKERWORD\\u0000\"}]}",
		"{\"messages\":[{\"messageId\":MARKERWORD}]}",
	};
	struct gateway_batch b = { 0 };
	struct infobip_json_inbox inbox;
	struct gateway_result res;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		size_t len = strlen(bodies[i]);

		err[0] = '\0';
		infobip_json_parse_inbox(bodies[i], len, &b, &inbox, err,
		                         sizeof(err));
		assert_null(strstr(err, "MARKER"));
		memset(&res, 0, sizeof(res));
		infobip_json_parse_sent(bodies[i], len, &res);
		assert_null(strstr(res.error, "MARKER"));
		memset(&res, 0, sizeof(res));
		infobip_json_find_sent(bodies[i], len, "+1", "x", 0, 100, &res);
		assert_null(strstr(res.error, "MARKER"));
		memset(&res, 0, sizeof(res));
		infobip_json_parse_error(400, bodies[i], len, &res);
		assert_null(strstr(res.error, "MARKER"));
	}
	gateway_batch_free(&b);
}

static void
expect_bad_inbox(const char *json, size_t len)
{
	struct gateway_batch b = { 0 };
	struct infobip_json_inbox inbox = { .kept = 77 };
	char err[200] = "";

	assert_int_equal(gateway_batch_add(&b, "m0", "1", "2", "before", 5), 0);
	assert_int_equal(
	    infobip_json_parse_inbox(json, len, &b, &inbox, err, sizeof(err)),
	    -1);
	assert_true(err[0] != '\0');
	assert_int_equal(inbox.kept, 77);
	assert_int_equal(b.count, 1);
	assert_false(b.more);
	gateway_batch_free(&b);
}

static void
test_inbox_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_bodies) / sizeof(bad_bodies[0]); i++)
		BAD(bad_bodies[i]);
	BAD("{\"results\":[],\"pendingMessageCount\":\"3\"}");
	BAD("{\"results\":[],\"pendingMessageCount\":1.5}");
	for (size_t n = 0; n < sizeof(inbox_two) - 1; n++)
		expect_bad_inbox(inbox_two, n);
}

/* {"results":[entry,entry,...]} with one more entry than a response may
 * hold.  Free with free(). */
static char *
too_many_results(const char *entry)
{
	size_t n = INFOBIP_JSON_RESULTS_MAX + 1, k = strlen(entry);
	size_t len = 32 + (k + 1) * n;
	char *s = malloc(len), *p = s;

	assert_non_null(s);
	p += snprintf(p, len, "{\"results\":[");
	for (size_t i = 0; i < n; i++) {
		memcpy(p, entry, k);
		p += k;
		*p++ = i + 1 < n ? ',' : ']';
	}
	memcpy(p, "}", 2);
	return s;
}

static void
test_inbox_huge(void **state)
{
	char *s = too_many_results("0");

	(void)state;
	expect_bad_inbox(s, strlen(s));
	free(s);
}

static void
test_inbox_long_text(void **state)
{
	size_t n = BT_MESSAGE_MAX + 10;
	char *text = malloc(n + 1), *json = malloc(n + 200);
	struct gateway_batch b = { 0 };
	struct infobip_json_inbox inbox;

	(void)state;
	assert_non_null(text);
	assert_non_null(json);
	/* Two-byte characters, the cut falling inside one. */
	for (size_t i = 0; i + 2 <= n; i += 2)
		memcpy(text + i, "\xc3\xa9", 2);
	text[n / 2 * 2] = '\0';
	snprintf(json, n + 200,
	         "{\"results\":[{\"messageId\":\"m1\",\"from\":\"1\","
	         "\"text\":\"%s\"}],\"pendingMessageCount\":0}",
	         text);
	assert_int_equal(parse(json, &b, &inbox), 0);
	assert_int_equal(inbox.truncated, 1);
	assert_int_equal(strlen(b.items[0].body), BT_MESSAGE_MAX);
	gateway_batch_free(&b);
	free(json);
	free(text);
}

static void
test_send_body(void **state)
{
	char *s;
	json_t *root;
	json_error_t jerr;
	const char *to, *from, *text;

	(void)state;
	s = infobip_json_send_body("InfoSMS", "41793026727",
	                           "Reply \"STOP\" to end \xf0\x9f\x98\x80");
	assert_non_null(s);
	root = json_loads(s, 0, &jerr);
	assert_non_null(root);
	assert_int_equal(json_unpack(root, "{s:[{s:[{s:s}], s:s, s:s}]}",
	                             "messages", "destinations", "to", &to,
	                             "from", &from, "text", &text),
	                 0);
	assert_string_equal(to, "41793026727");
	assert_string_equal(from, "InfoSMS");
	assert_string_equal(text, "Reply \"STOP\" to end \xf0\x9f\x98\x80");
	json_decref(root);
	free(s);

	/* Without a sender, no "from" at all. */
	s = infobip_json_send_body(NULL, "1", "x");
	assert_non_null(s);
	assert_null(strstr(s, "from"));
	free(s);
}

static void
test_sent(void **state)
{
	static const char ok[] =
	    "{\"bulkId\":\"2034072219640523072\",\"messages\":[{\"to\":"
	    "\"41793026727\",\"status\":{\"groupId\":1,\"groupName\":"
	    "\"PENDING\",\"id\":26,\"name\":\"PENDING_ACCEPTED\","
	    "\"description\":\"Message sent to next instance\"},"
	    "\"messageId\":\"2250be2d4219-3af1-78856-aabe-1362af1edfd2\"}]}";
	static const char rejected[] =
	    "{\"messages\":[{\"to\":\"41793026727\",\"status\":{\"groupId\":5,"
	    "\"groupName\":\"REJECTED\",\"id\":6,\"name\":"
	    "\"REJECTED_DESTINATION\",\"description\":\"Destination "
	    "rejected\"},\"messageId\":\"m9\"}]}";
	struct gateway_result res = { 0 };

	(void)state;
	assert_int_equal(infobip_json_parse_sent(ok, strlen(ok), &res), 0);
	assert_int_equal(res.status, GATEWAY_OK);
	assert_string_equal(res.message_id,
	                    "2250be2d4219-3af1-78856-aabe-1362af1edfd2");

	memset(&res, 0, sizeof(res));
	assert_int_equal(
	    infobip_json_parse_sent(rejected, strlen(rejected), &res), 0);
	assert_int_equal(res.status, GATEWAY_FAILED);
	assert_string_equal(res.error_code, "REJECTED_DESTINATION");
	assert_string_equal(res.message_id, "m9");

	memset(&res, 0, sizeof(res));
	assert_int_equal(infobip_json_parse_sent("{\"messages\":[]}", 15, &res),
	                 -1);
	assert_true(res.error[0] != '\0');
	assert_int_equal(
	    infobip_json_parse_sent("{\"bulkId\":\"1\"}", 14, &res), -1);
	assert_int_equal(infobip_json_parse_sent("{\"messages\":", 12, &res),
	                 -1);
	assert_int_equal(infobip_json_parse_sent(
	                     "{\"messages\":[{\"messageId\":1}]}", 30, &res),
	                 -1);
	assert_string_equal(res.message_id, "");
}

/* --- sent SMS logs ------------------------------------------------------ */

/* One sent message as Infobip logs it. */
#define LOG(id, to, text, at)                                                \
	"{\"bulkId\":\"06479ba3-5977-47f6-9346-fee0369bc76b\","              \
	"\"messageId\":\"" id "\",\"to\":\"" to "\",\"from\":\"InfoSMS\","   \
	"\"text\":" text ",\"sentAt\":\"" at "\","                           \
	"\"doneAt\":\"2015-02-23T17:40:31.787+0100\",\"smsCount\":1,"        \
	"\"mccmnc\":\"22801\",\"price\":{\"pricePerMessage\":0.01,"          \
	"\"currency\":\"EUR\"},\"status\":{\"groupId\":3,\"groupName\":"     \
	"\"DELIVERED\",\"id\":5,\"name\":\"DELIVERED_TO_HANDSET\","          \
	"\"description\":\"Message delivered to handset\"},\"error\":{"      \
	"\"groupId\":0,\"groupName\":\"OK\",\"id\":0,\"name\":\"NO_ERROR\"," \
	"\"description\":\"No Error\",\"permanent\":false}}"

/* 2015-02-23T16:40:31Z, the sentAt of the entries below. */
#define LOG_AT  "2015-02-23T17:40:31.773+0100"
#define LOG_T   1424709631
#define LOG_TO  "41793026727"
#define LOG_MSG "Ice and rest; see a doctor if it lasts."

#define L_OTHER_NUMBER LOG("m-other", "41793026700", "\"" LOG_MSG "\"", LOG_AT)
#define L_OTHER_TEXT   LOG("m-text", LOG_TO, "\"Test SMS.\"", LOG_AT)
#define L_OURS         LOG("m-ours", LOG_TO, "\"" LOG_MSG "\"", LOG_AT)

static const char logs_three[] =
    "{\"results\":[" L_OTHER_NUMBER "," L_OTHER_TEXT "," L_OURS "]}";

/* Runs the lookup for LOG_TO and body since `since`, asking for limit
 * entries; checks that a failure says why and a miss leaves no id. */
static int
find(const char *json, size_t len, const char *to, const char *body,
     int64_t since, size_t limit, struct gateway_result *res)
{
	int r;

	memset(res, 0, sizeof(*res));
	r = infobip_json_find_sent(json, len, to, body, since, limit, res);
	if (r < 0)
		assert_true(res->error[0] != '\0');
	if (r != 1)
		assert_string_equal(res->message_id, "");
	return r;
}

static int
find_ours(const char *json, int64_t since, size_t limit,
          struct gateway_result *res)
{
	return find(json, strlen(json), LOG_TO, LOG_MSG, since, limit, res);
}

static void
test_logs_found(void **state)
{
	struct gateway_result res;

	(void)state;
	assert_int_equal(find_ours(logs_three, LOG_T, 100, &res), 1);
	assert_string_equal(res.message_id, "m-ours");
	/* A leading '+' on either side is the same number. */
	assert_int_equal(find(logs_three, strlen(logs_three), "+" LOG_TO,
	                      LOG_MSG, LOG_T, 100, &res),
	                 1);
	assert_string_equal(res.message_id, "m-ours");
	static const char plus[] = "{\"results\":[" LOG(
	    "m-plus", "+" LOG_TO, "\"" LOG_MSG "\"", LOG_AT) "]}";
	assert_int_equal(find_ours(plus, LOG_T, 100, &res), 1);
	assert_string_equal(res.message_id, "m-plus");
	/* Found is found, even in a list that may be cut short. */
	assert_int_equal(find_ours(logs_three, LOG_T, 3, &res), 1);
	/* Unicode text, written escaped. */
	static const char cafe[] = "{\"results\":[" LOG(
	    "m-cafe", LOG_TO, "\"caf\\u00e9 \\ud83d\\ude00\"", LOG_AT) "]}";
	assert_int_equal(find(cafe, strlen(cafe), LOG_TO,
	                      "caf\xc3\xa9 \xf0\x9f\x98\x80", LOG_T, 100, &res),
	                 1);
	assert_string_equal(res.message_id, "m-cafe");
}

static void
test_logs_clock(void **state)
{
	struct gateway_result res;

	(void)state;
	/* sentAt may be up to INFOBIP_JSON_CLOCK_SLACK_S before since. */
	assert_int_equal(find_ours(logs_three,
	                           LOG_T + INFOBIP_JSON_CLOCK_SLACK_S, 100,
	                           &res),
	                 1);
	assert_int_equal(find_ours(logs_three,
	                           LOG_T + INFOBIP_JSON_CLOCK_SLACK_S + 1, 100,
	                           &res),
	                 0);
	assert_int_equal(find_ours(logs_three, LOG_T - 86400, 100, &res), 1);
	/* No overflow at the edge. */
	assert_int_equal(find_ours(logs_three, INT64_MIN, 100, &res), 1);
	assert_int_equal(find_ours(logs_three, INT64_MAX, 100, &res), 0);
}

static void
test_logs_not_found(void **state)
{
	struct gateway_result res;

	(void)state;
	assert_int_equal(find_ours("{\"results\":[]}", LOG_T, 100, &res), 0);
	assert_int_equal(find(logs_three, strlen(logs_three), LOG_TO,
	                      "Test SMS", LOG_T, 100, &res),
	                 0);
	assert_int_equal(find(logs_three, strlen(logs_three), LOG_TO,
	                      LOG_MSG " ", LOG_T, 100, &res),
	                 0);
	assert_int_equal(find(logs_three, strlen(logs_three), "4179302672",
	                      LOG_MSG, LOG_T, 100, &res),
	                 0);
	assert_int_equal(find(logs_three, strlen(logs_three), "++" LOG_TO,
	                      LOG_MSG, LOG_T, 100, &res),
	                 0);
	/* jansson refuses a NUL inside a string, so a text or number with
	 * one can never pass for its prefix. */
	static const char nul[] = "{\"results\":[" LOG(
	    "m1", LOG_TO, "\"" LOG_MSG "\\u0000more\"", LOG_AT) "]}";
	assert_int_equal(find_ours(nul, LOG_T, 100, &res), -1);
	assert_non_null(strstr(res.error, "not JSON"));
	/* Fewer entries than asked for: the list is complete. */
	assert_int_equal(
	    find(logs_three, strlen(logs_three), LOG_TO, "x", LOG_T, 4, &res),
	    0);
}

static void
test_logs_maybe_cut(void **state)
{
	struct gateway_result res;

	(void)state;
	/* As many entries as asked for: older ones may be left out. */
	assert_int_equal(
	    find(logs_three, strlen(logs_three), LOG_TO, "x", LOG_T, 3, &res),
	    -1);
	assert_non_null(strstr(res.error, "3 entries"));
	assert_int_equal(
	    find(logs_three, strlen(logs_three), LOG_TO, "x", LOG_T, 2, &res),
	    -1);
	assert_int_equal(find_ours("{\"results\":[]}", LOG_T, 0, &res), -1);
}

static void
test_logs_unsure(void **state)
{
	/* Each of these might be the message: it cannot be read. */
	static const char *const unsure[] = {
		"7",
		"null",
		"\"m-ours\"",
		"[]",
		"{}",
		"{\"messageId\":\"m1\",\"to\":\"" LOG_TO
		"\",\"text\":\"" LOG_MSG "\"}",
		"{\"messageId\":\"m1\",\"to\":\"" LOG_TO
		"\",\"text\":\"" LOG_MSG
		"\",\"sentAt\":\"2015-02-30T00:00:00Z\"}",
		"{\"messageId\":\"m1\",\"to\":\"" LOG_TO
		"\",\"text\":\"" LOG_MSG "\",\"sentAt\":1424709631}",
		"{\"to\":\"" LOG_TO "\",\"text\":\"" LOG_MSG
		"\",\"sentAt\":\"" LOG_AT "\"}",
		"{\"messageId\":\"\",\"to\":\"" LOG_TO "\",\"text\":\"" LOG_MSG
		"\",\"sentAt\":\"" LOG_AT "\"}",
		"{\"messageId\":5,\"to\":\"" LOG_TO "\",\"text\":\"" LOG_MSG
		"\",\"sentAt\":\"" LOG_AT "\"}",
		"{\"messageId\":\"m1\",\"to\":41793026727,\"text\":\"" LOG_MSG
		"\",\"sentAt\":\"" LOG_AT "\"}",
		"{\"messageId\":\"m1\",\"to\":\"" LOG_TO
		"\",\"text\":null,\"sentAt\":\"" LOG_AT "\"}",
	};
	/* These cannot be read in full, but a field that can rules them
	 * out. */
	static const char *const other[] = {
		"{\"to\":\"41793026700\"}",
		"{\"text\":\"something else\",\"sentAt\":7}",
		"{\"to\":[],\"text\":\"" LOG_MSG
		"\",\"sentAt\":\"2000-01-01T00:00:00Z\"}",
	};
	struct gateway_result res;
	char json[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(unsure) / sizeof(unsure[0]); i++) {
		snprintf(json, sizeof(json), "{\"results\":[%s]}", unsure[i]);
		assert_int_equal(find_ours(json, LOG_T, 100, &res), -1);
		assert_non_null(strstr(res.error, "unreadable"));
		/* The message found elsewhere in the list still counts. */
		snprintf(json, sizeof(json), "{\"results\":[%s,%s]}", unsure[i],
		         L_OURS);
		assert_int_equal(find_ours(json, LOG_T, 100, &res), 1);
		assert_string_equal(res.message_id, "m-ours");
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		snprintf(json, sizeof(json), "{\"results\":[%s]}", other[i]);
		assert_int_equal(find_ours(json, LOG_T, 100, &res), 0);
	}
}

static void
test_logs_long_id(void **state)
{
	char id[INFOBIP_JSON_ID_MAX + 2], json[1024];
	struct gateway_result res;

	(void)state;
	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(json, sizeof(json),
	         "{\"results\":[{\"messageId\":\"%s\",\"to\":\"" LOG_TO
	         "\",\"text\":\"" LOG_MSG "\",\"sentAt\":\"" LOG_AT "\"}]}",
	         id);
	assert_int_equal(find_ours(json, LOG_T, 100, &res), -1);
	/* One byte shorter fits res->message_id exactly. */
	id[INFOBIP_JSON_ID_MAX] = '\0';
	snprintf(json, sizeof(json),
	         "{\"results\":[{\"messageId\":\"%s\",\"to\":\"" LOG_TO
	         "\",\"text\":\"" LOG_MSG "\",\"sentAt\":\"" LOG_AT "\"}]}",
	         id);
	assert_int_equal(find_ours(json, LOG_T, 100, &res), 1);
	assert_string_equal(res.message_id, id);
}

static void
expect_bad_logs(const char *json, size_t len)
{
	struct gateway_result res;

	assert_int_equal(find(json, len, LOG_TO, LOG_MSG, LOG_T, 100, &res),
	                 -1);
}

#define BAD_LOGS(s) expect_bad_logs((s), strlen(s))

static void
test_logs_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_bodies) / sizeof(bad_bodies[0]); i++)
		BAD_LOGS(bad_bodies[i]);
	/* The logs refuse duplicate keys (an inbox takes the last). */
	BAD_LOGS("{\"results\":[],\"results\":[]}");
	BAD_LOGS("{\"results\":[],\"results\":[" L_OURS "]}");
	/* Every cut of a good answer, including one just short of the match
	 * and one with the match but not the end. */
	for (size_t n = 0; n < sizeof(logs_three) - 1; n++)
		expect_bad_logs(logs_three, n);
}

static void
test_logs_huge(void **state)
{
	struct gateway_result res;
	char *s = too_many_results("{}");

	(void)state;
	assert_int_equal(find(s, strlen(s), LOG_TO, LOG_MSG, LOG_T, 2000, &res),
	                 -1);
	assert_non_null(strstr(res.error, "more than"));
	free(s);
}

static void
test_logs_deep(void **state)
{
	size_t depth = 100000, len = 2 * depth + 64;
	struct gateway_result res;
	char *s = malloc(len), *p = s;

	(void)state;
	assert_non_null(s);
	p += snprintf(p, len, "{\"results\":[");
	memset(p, '[', depth);
	p += depth;
	memset(p, ']', depth);
	p += depth;
	memcpy(p, "]}", 3);
	assert_int_equal(find(s, strlen(s), LOG_TO, LOG_MSG, LOG_T, 100, &res),
	                 -1);
	free(s);
}

static enum gateway_status
error_of(long http, const char *body, struct gateway_result *res)
{
	memset(res, 0, sizeof(*res));
	return infobip_json_parse_error(http, body, strlen(body), res);
}

static void
test_errors(void **state)
{
	struct gateway_result res;

	(void)state;
	assert_int_equal(
	    error_of(401,
	             "{\"requestError\":{\"serviceException\":{\"messageId\":"
	             "\"UNAUTHORIZED\",\"text\":\"Invalid login details\"}}}",
	             &res),
	    GATEWAY_FAILED);
	assert_string_equal(res.error_code, "UNAUTHORIZED");
	assert_int_equal(res.http_status, 401);
	assert_non_null(strstr(res.error, "Invalid login details"));

	assert_int_equal(
	    error_of(400,
	             "{\"requestError\":{\"serviceException\":{\"messageId\":"
	             "\"BAD_REQUEST\",\"text\":\"Invalid destination "
	             "41793026727\"}}}",
	             &res),
	    GATEWAY_FAILED);
	assert_null(strstr(res.error, "41793026727"));

	assert_int_equal(
	    error_of(403,
	             "{\"requestError\":{\"policyException\":{\"messageId\":"
	             "\"FORBIDDEN\",\"text\":\"Not allowed\"}}}",
	             &res),
	    GATEWAY_FAILED);
	assert_string_equal(res.error_code, "FORBIDDEN");

	assert_int_equal(
	    error_of(429,
	             "{\"requestError\":{\"serviceException\":{\"messageId\":"
	             "\"TOO_MANY_REQUESTS\",\"text\":\"Too many requests\"}}}",
	             &res),
	    GATEWAY_RETRY);
	assert_int_equal(error_of(502, "<html>Bad Gateway</html>", &res),
	                 GATEWAY_RETRY);
	assert_string_equal(res.error_code, "");
	assert_int_equal(error_of(400, "{\"requestError\":7}", &res),
	                 GATEWAY_FAILED);
	assert_string_equal(res.error_code, "");
	assert_int_equal(error_of(404, "", &res), GATEWAY_FAILED);
}

static void
expect_date(const char *s, int64_t want)
{
	int64_t got = -12345;

	assert_int_equal(infobip_json_parse_date(s, &got), 0);
	assert_int_equal(got, want);
}

static void
expect_no_date(const char *s)
{
	int64_t got = -12345;

	assert_int_equal(infobip_json_parse_date(s, &got), -1);
	assert_int_equal(got, -12345);
}

static void
test_dates(void **state)
{
	(void)state;
	expect_date("2019-08-20T14:50:29.000+0000", 1566312629);
	expect_date("2019-08-20T14:50:29+0000", 1566312629);
	expect_date("2019-08-20T14:50:29Z", 1566312629);
	expect_date("2019-08-20T16:50:29.5+02:00", 1566312629);
	expect_date("2019-08-20T09:50:29.000-0500", 1566312629);
	expect_date("2024-02-29T23:59:59.123+02:00", 1709243999);
	expect_date("1970-01-01T00:00:00Z", 0);

	expect_no_date("");
	expect_no_date("2019-08-20");
	expect_no_date("2019-08-20 14:50:29Z");
	expect_no_date("2019-08-20T14:50:29");
	expect_no_date("2019-08-20T14:50:29.Z");
	expect_no_date("2019-08-20T14:50:29.000+00");
	expect_no_date("2019-08-20T14:50:29.000+0000x");
	expect_no_date("2019-13-20T14:50:29Z");
	expect_no_date("2023-02-29T14:50:29Z");
	expect_no_date("2019-08-20T24:50:29Z");
	expect_no_date("19-08-20T14:50:29Z");
	expect_no_date("2019-8-20T14:50:29Z");
	expect_no_date("2019-08-20T14:50:29.0000000000Z");
}

static void
expect_format(int64_t t, const char *want)
{
	char buf[INFOBIP_JSON_DATE_MAX];
	int64_t back = -1;

	assert_int_equal(infobip_json_format_date(t, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	assert_int_equal(infobip_json_parse_date(buf, &back), 0);
	assert_int_equal(back, t);
}

static void
test_format_date(void **state)
{
	char buf[INFOBIP_JSON_DATE_MAX];

	(void)state;
	expect_format(1566312629, "2019-08-20T14:50:29.000+0000");
	expect_format(0, "1970-01-01T00:00:00.000+0000");
	expect_format(1709243999, "2024-02-29T21:59:59.000+0000");
	expect_format(-1, "1969-12-31T23:59:59.000+0000");
	expect_format(-2208988800LL, "1900-01-01T00:00:00.000+0000");
	expect_format(253402300799LL, "9999-12-31T23:59:59.000+0000");
	assert_int_equal(
	    infobip_json_format_date(-2208988801LL, buf, sizeof(buf)), -1);
	assert_int_equal(
	    infobip_json_format_date(253402300800LL, buf, sizeof(buf)), -1);
	assert_int_equal(infobip_json_format_date(INT64_MIN, buf, sizeof(buf)),
	                 -1);
	assert_int_equal(infobip_json_format_date(INT64_MAX, buf, sizeof(buf)),
	                 -1);
	assert_int_equal(infobip_json_format_date(0, buf, 28), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inbox),
		cmocka_unit_test(test_inbox_numbers),
		cmocka_unit_test(test_inbox_empty),
		cmocka_unit_test(test_inbox_skipped),
		cmocka_unit_test(test_inbox_malformed),
		cmocka_unit_test(test_inbox_poison),
		cmocka_unit_test(test_errors_quote_nothing),
		cmocka_unit_test(test_inbox_huge),
		cmocka_unit_test(test_inbox_long_text),
		cmocka_unit_test(test_send_body),
		cmocka_unit_test(test_sent),
		cmocka_unit_test(test_logs_found),
		cmocka_unit_test(test_logs_clock),
		cmocka_unit_test(test_logs_not_found),
		cmocka_unit_test(test_logs_maybe_cut),
		cmocka_unit_test(test_logs_unsure),
		cmocka_unit_test(test_logs_long_id),
		cmocka_unit_test(test_logs_malformed),
		cmocka_unit_test(test_logs_huge),
		cmocka_unit_test(test_logs_deep),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_format_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
