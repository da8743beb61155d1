/* Tests for infobip_json.c: inbox reports (results, pendingMessageCount,
 * entries that cannot be used), bounds, the send request body, send
 * responses, requestError bodies and receivedAt dates. */
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
	assert_string_equal(b.items[0].from, "385916242493");
	assert_string_equal(b.items[0].to, "41793026834");
	/* text, not cleanText: the rules see what the sender wrote. */
	assert_string_equal(b.items[0].body, "KEY Text message");
	assert_int_equal(b.items[0].sent_at, 1566312629);
	assert_string_equal(b.items[1].body, "caf\xc3\xa9 STOP");
	assert_int_equal(b.items[1].sent_at, 1709243999);
	gateway_batch_free(&b);
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
	assert_int_equal(inbox.skipped, 9);
	assert_int_equal(inbox.kept, 2);
	assert_string_equal(b.items[0].id, "m7");
	assert_int_equal(b.items[0].sent_at, 0);
	assert_string_equal(b.items[1].to, "");
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
	BAD("");
	BAD("{");
	BAD("[]");
	BAD("{}");
	BAD("{\"results\":{}}");
	BAD("{\"results\":null}");
	BAD("{\"results\":[],\"pendingMessageCount\":\"3\"}");
	BAD("{\"results\":[],\"pendingMessageCount\":1.5}");
	BAD("{\"results\":[],\"results\":[]}");
	BAD("<html>Bad Gateway</html>");
	for (size_t n = 0; n < sizeof(inbox_two) - 1; n++)
		expect_bad_inbox(inbox_two, n);
}

static void
test_inbox_huge(void **state)
{
	size_t n = INFOBIP_JSON_RESULTS_MAX + 1, len = 32 + 2 * n;
	char *s = malloc(len), *p = s;

	(void)state;
	assert_non_null(s);
	p += snprintf(p, len, "{\"results\":[");
	for (size_t i = 0; i < n; i++) {
		*p++ = '0';
		*p++ = i + 1 < n ? ',' : ']';
	}
	memcpy(p, "}", 2);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inbox),
		cmocka_unit_test(test_inbox_empty),
		cmocka_unit_test(test_inbox_skipped),
		cmocka_unit_test(test_inbox_malformed),
		cmocka_unit_test(test_inbox_huge),
		cmocka_unit_test(test_inbox_long_text),
		cmocka_unit_test(test_send_body),
		cmocka_unit_test(test_sent),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
