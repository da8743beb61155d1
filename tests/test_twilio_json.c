/* Tests for twilio_json.c: List Messages pages (inbound kept, outbound left
 * out, entries that cannot be used counted, next_page_uri), bounds, Create
 * Message responses, error bodies and RFC 2822 dates.  The fixtures follow
 * the examples in Twilio's OpenAPI description of the Messages API. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "gateway.h"
#include "twilio_json.h"
#include "testutil.h"

#define SID_IN1 "SM1f0e8ae6ade43cb3c0ce4525424e404f"
#define SID_OUT "SMded05904ccb347238880ca9264e8fe1c"
#define SID_IN2 "SM2a0e8ae6ade43cb3c0ce4525424e4041"

/* One message as Twilio lists it, with the fields that matter here. */
#define MSG(sid, dir, from, to, body, date)                                 \
	"{\"account_sid\":\"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","          \
	"\"api_version\":\"2010-04-01\",\"body\":" body ","                 \
	"\"date_created\":\"Fri, 24 May 2019 17:44:46 +0000\","             \
	"\"date_sent\":" date ",\"direction\":\"" dir "\","                 \
	"\"error_code\":null,\"error_message\":null,\"from\":\"" from "\"," \
	"\"num_media\":\"0\",\"num_segments\":\"1\",\"price\":null,"        \
	"\"sid\":\"" sid "\",\"status\":\"received\","                      \
	"\"subresource_uris\":{\"media\":\"/x/Media.json\"},"               \
	"\"to\":\"" to "\",\"uri\":\"/x.json\"}"

#define PAGE(messages, next)                                            \
	"{\"end\":2,\"first_page_uri\":\"/2010-04-01/Accounts/AC/"      \
	"Messages.json?PageSize=3&Page=0\",\"next_page_uri\":" next "," \
	"\"page\":0,\"page_size\":3,\"previous_page_uri\":null,"        \
	"\"messages\":[" messages "],\"start\":0,"                      \
	"\"uri\":\"/2010-04-01/Accounts/AC/Messages.json?PageSize=3\"}"

/* The messages of the pages below. */
#define M_STOP                                                              \
	MSG(SID_IN1, "inbound", "+15551230001", "+15559990000", "\"STOP\"", \
	    "\"Fri, 24 May 2019 17:44:50 +0000\"")
#define M_UNSUBSCRIBED                                               \
	MSG(SID_OUT, "outbound-api", "+15559990000", "+15551230001", \
	    "\"You are unsubscribed\"", "\"Fri, 24 May 2019 17:44:51 +0000\"")
#define M_EMOJI                                                  \
	MSG(SID_IN2, "inbound", "+447700900123", "+15559990000", \
	    "\"caf\\u00e9 \\ud83d\\ude00 help?\"",               \
	    "\"Mon, 16 Aug 2010 03:45:01 +0000\"")
#define M_HI                                                              \
	MSG(SID_IN1, "inbound", "+15551230001", "+15559990000", "\"hi\"", \
	    "\"Fri, 24 May 2019 17:44:50 +0000\"")
#define M_QUEUED                                                     \
	MSG(SID_OUT, "outbound-api", "+15559990000", "+15551230001", \
	    "\"queued reply\"", "null")
#define M_IN_NO_DATE \
	MSG(SID_IN1, "inbound", "+15551230001", "+15559990000", "\"x\"", "null")
#define M_REPLY                                                        \
	MSG(SID_IN2, "outbound-reply", "+15559990000", "+15551230001", \
	    "\"sent reply\"", "\"Mon, 16 Aug 2010 03:45:01 +0000\"")

#define NEXT                                                                 \
	"\"/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"         \
	"Messages.json?To=%2B15559990000&DateSent%3E=2019-05-23&PageSize=3&" \
	"Page=1&PageToken=PAMMc26223853f8c46b4ab7dfaa6abba0a26\""

static const char page_last[] =
    PAGE(M_STOP "," M_UNSUBSCRIBED "," M_EMOJI, "null");
static const char page_more[] = PAGE(M_HI, NEXT);

static int
parse(const char *json, enum twilio_json_direction dir, struct gateway_batch *b,
      struct twilio_json_page *page)
{
	char err[200] = "";
	int r = twilio_json_parse_page(json, strlen(json), dir, b, page, err,
	                               sizeof(err));

	if (r == 0)
		assert_string_equal(err, "");
	else
		assert_true(err[0] != '\0');
	return r;
}

/* Numbers in E.164 by the one rule (e164.h): Twilio's have their "+"
 * already; eight digits or more without one get it, and a short code or
 * an alphanumeric sender stays as it is. */
static void
test_page_numbers(void **state)
{
	static const char json[] =
	    "{\"messages\":["
	    "{\"sid\":\"SM1\",\"direction\":\"inbound\","
	    "\"from\":\"+15551230001\",\"to\":\"15559990000\","
	    "\"body\":\"a\"},"
	    "{\"sid\":\"SM2\",\"direction\":\"inbound\","
	    "\"from\":\"55512\",\"to\":\"+15559990000\",\"body\":\"b\"},"
	    "{\"sid\":\"SM3\",\"direction\":\"inbound\","
	    "\"from\":\"MyGym\",\"to\":\"+15559990000\",\"body\":\"c\"}"
	    "],\"next_page_uri\":null}";
	struct gateway_batch b = { 0 };
	struct twilio_json_page page;

	(void)state;
	assert_int_equal(parse(json, TWILIO_JSON_INBOUND, &b, &page), 0);
	assert_int_equal(b.count, 3);
	assert_string_equal(b.items[0].from, "+15551230001");
	assert_string_equal(b.items[0].to, "+15559990000");
	assert_string_equal(b.items[1].from, "55512");
	assert_string_equal(b.items[2].from, "MyGym");
	twilio_json_page_free(&page);
	gateway_batch_free(&b);
}

static void
test_page_inbound_only(void **state)
{
	struct gateway_batch b = { 0 };
	struct twilio_json_page page;

	(void)state;
	assert_int_equal(parse(page_last, TWILIO_JSON_INBOUND, &b, &page), 0);
	assert_null(page.next_page_uri);
	assert_int_equal(page.kept, 2);
	assert_int_equal(page.other_direction, 1);
	assert_int_equal(page.skipped, 0);
	assert_int_equal(b.count, 2);
	assert_false(b.more);
	assert_string_equal(b.items[0].id, SID_IN1);
	assert_string_equal(b.items[0].from, "+15551230001");
	assert_string_equal(b.items[0].to, "+15559990000");
	assert_string_equal(b.items[0].body, "STOP");
	assert_int_equal(b.items[0].sent_at, 1558719890);
	assert_string_equal(b.items[1].id, SID_IN2);
	assert_string_equal(b.items[1].body,
	                    "caf\xc3\xa9 \xf0\x9f\x98\x80 help?");
	assert_int_equal(b.items[1].sent_at, 1281930301);
	twilio_json_page_free(&page);
	gateway_batch_free(&b);
}

static void
test_page_outbound(void **state)
{
	static const char json[] =
	    PAGE(M_QUEUED "," M_IN_NO_DATE "," M_REPLY, "null");
	struct gateway_batch b = { 0 };
	struct twilio_json_page page;

	(void)state;
	assert_int_equal(parse(json, TWILIO_JSON_OUTBOUND, &b, &page), 0);
	assert_int_equal(b.count, 2);
	assert_int_equal(page.other_direction, 1);
	assert_string_equal(b.items[0].body, "queued reply");
	/* An outbound message's time is date_created, whether Twilio has
	 * set date_sent yet or not. */
	assert_int_equal(b.items[0].sent_at, 1558719886);
	assert_string_equal(b.items[1].id, SID_IN2);
	assert_int_equal(b.items[1].sent_at, 1558719886);
	twilio_json_page_free(&page);
	gateway_batch_free(&b);
}

static void
test_page_next(void **state)
{
	struct gateway_batch b = { 0 };
	struct twilio_json_page page;

	(void)state;
	assert_int_equal(parse(page_more, TWILIO_JSON_INBOUND, &b, &page), 0);
	assert_non_null(page.next_page_uri);
	assert_string_equal(
	    page.next_page_uri,
	    "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
	    "Messages.json?To=%2B15559990000&DateSent%3E=2019-05-23&PageSize=3&"
	    "Page=1&PageToken=PAMMc26223853f8c46b4ab7dfaa6abba0a26");
	/* Appends after what the batch held. */
	twilio_json_page_free(&page);
	assert_int_equal(parse(page_last, TWILIO_JSON_INBOUND, &b, &page), 0);
	assert_int_equal(b.count, 3);
	assert_string_equal(b.items[0].body, "hi");
	assert_string_equal(b.items[2].id, SID_IN2);
	twilio_json_page_free(&page);
	gateway_batch_free(&b);
}

static void
test_page_minimal(void **state)
{
	struct gateway_batch b = { 0 };
	struct twilio_json_page page;

	(void)state;
	/* No next_page_uri at all, no to, no dates: still usable. */
	assert_int_equal(
	    parse("{\"messages\":[{\"sid\":\"SM1\",\"direction\":\"inbound\","
	          "\"from\":\"+1555\",\"body\":\"\"}]}",
	          TWILIO_JSON_INBOUND, &b, &page),
	    0);
	assert_null(page.next_page_uri);
	assert_int_equal(b.count, 1);
	assert_string_equal(b.items[0].to, "");
	assert_string_equal(b.items[0].body, "");
	assert_int_equal(b.items[0].sent_at, 0);
	twilio_json_page_free(&page);
	gateway_batch_free(&b);

	assert_int_equal(parse("{\"messages\":[],\"next_page_uri\":null}",
	                       TWILIO_JSON_INBOUND, &b, &page),
	                 0);
	assert_int_equal(b.count, 0);
	twilio_json_page_free(&page);
}

static void
test_page_skipped(void **state)
{
	static const char json[] =
	    "{\"messages\":["
	    /* no sid */
	    "{\"direction\":\"inbound\",\"from\":\"+1\",\"body\":\"a\"},"
	    /* body null (MMS without text) */
	    "{\"sid\":\"SM2\",\"direction\":\"inbound\",\"from\":\"+1\","
	    "\"body\":null},"
	    /* from a number */
	    "{\"sid\":\"SM3\",\"direction\":\"inbound\",\"from\":15551234,"
	    "\"body\":\"a\"},"
	    /* not an object */
	    "\"SM4\",42,null,[],"
	    /* no direction */
	    "{\"sid\":\"SM5\",\"from\":\"+1\",\"body\":\"a\"},"
	    /* empty sid */
	    "{\"sid\":\"\",\"direction\":\"inbound\",\"from\":\"+1\","
	    "\"body\":\"a\"},"
	    /* an unparseable date is only unknown */
	    "{\"sid\":\"SM6\",\"direction\":\"inbound\",\"from\":\"+1\","
	    "\"body\":\"ok\",\"date_sent\":\"yesterday\"}"
	    "],\"next_page_uri\":null}";
	struct gateway_batch b = { 0 };
	struct twilio_json_page page;

	(void)state;
	assert_int_equal(parse(json, TWILIO_JSON_INBOUND, &b, &page), 0);
	/* With a sid: in the batch, marked unreadable, to be recorded. */
	assert_int_equal(page.unreadable, 3);
	assert_int_equal(page.skipped, 6);
	assert_int_equal(page.kept, 1);
	assert_int_equal(b.count, 4);
	assert_string_equal(b.items[0].id, "SM2");
	assert_string_equal(b.items[0].from, "+1");
	assert_string_equal(b.items[1].id, "SM3");
	assert_string_equal(b.items[1].from, "");
	assert_string_equal(b.items[2].id, "SM5");
	testutil_expect_unreadable(&b, 0, 3);
	assert_string_equal(b.items[3].id, "SM6");
	assert_int_equal(b.items[3].sent_at, 0);
	twilio_json_page_free(&page);
	gateway_batch_free(&b);

	/* The outbound listing (find_sent) leaves them out. */
	assert_int_equal(parse(json, TWILIO_JSON_OUTBOUND, &b, &page), 0);
	assert_int_equal(b.count, 0);
	assert_int_equal(page.unreadable, 0);
	assert_int_equal(page.other_direction, 5);
	assert_int_equal(page.skipped, 5);
	twilio_json_page_free(&page);
	gateway_batch_free(&b);
}

/* One emergency next to each kind of poison: every message that can be
 * read is kept, each body valid UTF-8 without NUL. */
#define M_EMERGENCY(n)                                            \
	MSG("SMem" n, "inbound", "+1555123000" n, "+15559990000", \
	    "\"chest pain and I cannot feel my legs " n "\"",     \
	    "\"Fri, 24 May 2019 17:44:50 +0000\"")
#define M_BODY(sid, body)                                         \
	MSG(sid, "inbound", "+15551239999", "+15559990000", body, \
	    "\"Fri, 24 May 2019 17:44:50 +0000\"")

static void
test_page_poison(void **state)
{
	static const char *const entries[] = {
		M_EMERGENCY("1"),
		M_BODY("SMnul", "\"meet me \\u0000 5\""),
		M_EMERGENCY("2"),
		M_BODY("SMhigh", "\"a\\ud800b\""),
		M_EMERGENCY("3"),
		M_BODY("SMlow", "\"\\udc00\""),
		M_EMERGENCY("4"),
		M_BODY("SMhighA", "\"\\ud800\\u0041\""),
		M_EMERGENCY("5"),
		"{\"sid\":\"SMdup\",\"direction\":\"inbound\",\"from\":\"+1\","
		"\"body\":\"first\",\"body\":\"last\"}",
		M_EMERGENCY("6"),
		M_BODY("SMraw", "\"bad \xff\xc3 byte\""),
		M_EMERGENCY("7"),
		M_BODY("SMctl", "\"tab\tand\x01\""),
		M_EMERGENCY("8"),
		M_BODY("SMobj", "{\"text\":\"x\"}"),
		M_EMERGENCY("9"),
		"{\"sid\":{\"\\u0000\":1},\"body\":\"x\"}",
	};
	char *json = testutil_join("{\"messages\":[", entries,
	                           sizeof(entries) / sizeof(entries[0]),
	                           "],\"next_page_uri\":null}");
	static const struct testutil_want want[] = {
		{ "SMnul", "meet me \xef\xbf\xbd 5" },
		{ "SMhigh", "a\xef\xbf\xbd"
		            "b" },
		{ "SMlow", "\xef\xbf\xbd" },
		{ "SMhighA", "\xef\xbf\xbd"
		             "A" },
		{ "SMdup", "last" },
		{ "SMraw", "bad \xef\xbf\xbd\xef\xbf\xbd byte" },
		{ "SMctl", "tab\tand\x01" },
	};
	struct gateway_batch b = { 0 };
	struct twilio_json_page page;

	(void)state;
	assert_int_equal(parse(json, TWILIO_JSON_INBOUND, &b, &page), 0);
	assert_int_equal(page.kept, 9 + 7);
	assert_int_equal(page.unreadable, 1); /* SMobj */
	assert_int_equal(page.skipped, 1);    /* no sid */
	assert_int_equal(testutil_check_poisoned(
	                     &b, "SMem", want, sizeof(want) / sizeof(want[0])),
	                 9);
	for (size_t i = 0; i < b.count; i++)
		assert_int_equal(b.items[i].unreadable,
		                 strcmp(b.items[i].id, "SMobj") == 0);
	twilio_json_page_free(&page);
	gateway_batch_free(&b);
	free(json);
}

/* What the parsers say about a body they cannot read never quotes it:
 * it goes to the log. */
static void
test_errors_quote_nothing(void **state)
{
	static const char *const bodies[] = {
		"{\"messages\":[{\"sid\":\"SM1\",\"body\":MARKERWORD}]}",
		"{\"messages\":[{\"sid\":\"SM1\",\"body\":\"MARKERWORD\"",
		"{\"messages\":[{\"sid\":\"SM1\",\"body\":\"MARKERWORD\"}]}x",
		"{\"messages\":[{\"sid\":\"SM1\",\"body\":\"MARKERWORD\"}]}"
		"MARKERWORD",
		"MARKERWORD",
		"{\"MARKERWORD\"}",
		"{\"sid\":\"SM1\",\"body\":\"MARKERWORD\x01\"}",
		"{\"sid\":\"SM1\",\"body\":\"MARKERWORD\",\"body\":\"x\"}",
		"{\"sid\":\"SM1\",\"body\":\"MARKERWORD\xff\"}",
		"{\"sid\":\"SM1\",\"body\":\"MARKERWORD\\u0000\"}",
		"{\"code\":MARKERWORD}",
	};
	struct gateway_batch b = { 0 };
	struct twilio_json_page page;
	struct gateway_result res;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		size_t len = strlen(bodies[i]);

		err[0] = '\0';
		if (twilio_json_parse_page(bodies[i], len, TWILIO_JSON_INBOUND,
		                           &b, &page, err, sizeof(err)) == 0)
			twilio_json_page_free(&page);
		assert_null(strstr(err, "MARKER"));
		memset(&res, 0, sizeof(res));
		twilio_json_parse_created(bodies[i], len, &res);
		assert_null(strstr(res.error, "MARKER"));
		memset(&res, 0, sizeof(res));
		twilio_json_parse_error(400, bodies[i], len, &res);
		assert_null(strstr(res.error, "MARKER"));
	}
	gateway_batch_free(&b);
}

/* A failed parse leaves the batch as it was. */
static void
expect_bad_page(const char *json, size_t len)
{
	struct gateway_batch b = { 0 };
	struct twilio_json_page page = { .kept = 77 };
	char err[200] = "";

	assert_int_equal(gateway_batch_add(&b, "SM0", "+1", "+2", "before", 5),
	                 0);
	assert_int_equal(twilio_json_parse_page(json, len, TWILIO_JSON_INBOUND,
	                                        &b, &page, err, sizeof(err)),
	                 -1);
	assert_true(err[0] != '\0');
	assert_int_equal(page.kept, 77);
	assert_int_equal(b.count, 1);
	assert_string_equal(b.items[0].body, "before");
	gateway_batch_free(&b);
}

#define BAD(s) expect_bad_page((s), strlen(s))

static void
test_page_malformed(void **state)
{
	(void)state;
	BAD("");
	BAD("null");
	BAD("<html>503 Service Unavailable</html>");
	/* Truncated at every length: never a page, never a crash. */
	for (size_t n = 0; n < sizeof(page_last) - 1; n++)
		expect_bad_page(page_last, n);
	/* Trailing garbage. */
	char *junk = malloc(sizeof(page_last) + 1);
	assert_non_null(junk);
	memcpy(junk, page_last, sizeof(page_last) - 1);
	junk[sizeof(page_last) - 1] = '}';
	expect_bad_page(junk, sizeof(page_last));
	free(junk);
}

static void
test_page_wrong_types(void **state)
{
	(void)state;
	BAD("[]");
	BAD("\"messages\"");
	BAD("{}");
	BAD("{\"messages\":{}}");
	BAD("{\"messages\":null}");
	BAD("{\"messages\":[],\"next_page_uri\":5}");
	BAD("{\"messages\":[],\"next_page_uri\":\"\"}");
}

/* "{\"messages\":[" n copies of item "]}" */
static char *
repeat_page(size_t n, const char *item)
{
	size_t ilen = strlen(item), len = 16 + n * (ilen + 1);
	char *s = malloc(len), *p = s;

	assert_non_null(s);
	p += snprintf(p, len, "{\"messages\":[");
	for (size_t i = 0; i < n; i++) {
		memcpy(p, item, ilen);
		p += ilen;
		if (i + 1 < n)
			*p++ = ',';
	}
	memcpy(p, "]}", 3);
	return s;
}

static void
test_page_huge(void **state)
{
	const char *item = "{\"sid\":\"SM1\",\"direction\":\"inbound\","
	                   "\"from\":\"+1\",\"body\":\"a\"}";
	struct gateway_batch b = { 0 };
	struct twilio_json_page page;
	char *s;

	(void)state;
	s = repeat_page(TWILIO_JSON_PAGE_MAX, item);
	assert_int_equal(parse(s, TWILIO_JSON_INBOUND, &b, &page), 0);
	assert_int_equal(b.count, TWILIO_JSON_PAGE_MAX);
	twilio_json_page_free(&page);
	gateway_batch_free(&b);
	free(s);

	s = repeat_page(TWILIO_JSON_PAGE_MAX + 1, "0");
	expect_bad_page(s, strlen(s));
	free(s);
}

static void
test_page_long_fields(void **state)
{
	size_t n = BT_MESSAGE_MAX + 100;
	char *body = malloc(n + 1), *json;
	struct gateway_batch b = { 0 };
	struct twilio_json_page page;
	size_t len = n + 512;

	(void)state;
	assert_non_null(body);
	/* "a" then 4-byte emoji, so the cut falls inside a character. */
	body[0] = 'a';
	for (size_t i = 1; i + 4 <= n; i += 4)
		memcpy(body + i, "\xf0\x9f\x98\x80", 4);
	body[1 + (n - 1) / 4 * 4] = '\0';
	json = malloc(len);
	assert_non_null(json);
	snprintf(json, len,
	         "{\"messages\":[{\"sid\":\"SM1\",\"direction\":\"inbound\","
	         "\"from\":\"+1\",\"body\":\"%s\"},"
	         "{\"sid\":\"SM%0200d\",\"direction\":\"inbound\","
	         "\"from\":\"+1\",\"body\":\"long sid\"}]}",
	         body, 7);
	assert_int_equal(parse(json, TWILIO_JSON_INBOUND, &b, &page), 0);
	assert_int_equal(b.count, 1);
	assert_int_equal(page.truncated, 1);
	assert_int_equal(page.skipped, 1);
	size_t got = strlen(b.items[0].body);
	assert_true(got <= BT_MESSAGE_MAX && got > BT_MESSAGE_MAX - 4);
	assert_int_equal((got - 1) % 4, 0); /* whole characters only */
	assert_memory_equal(b.items[0].body, body, got);
	twilio_json_page_free(&page);
	gateway_batch_free(&b);
	free(json);
	free(body);
}

static void
test_created(void **state)
{
	static const char ok[] =
	    "{\"account_sid\":\"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
	    "\"api_version\":\"2010-04-01\",\"body\":\"Hello! \\ud83d\\udc4d\","
	    "\"date_created\":\"Thu, 24 Aug 2023 05:01:45 +0000\","
	    "\"date_sent\":null,\"direction\":\"outbound-api\","
	    "\"error_code\":null,\"from\":\"+14155552345\","
	    "\"sid\":\"SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"status\":"
	    "\"queued\","
	    "\"to\":\"+14155552345\"}";
	struct gateway_result res = { 0 };

	(void)state;
	assert_int_equal(twilio_json_parse_created(ok, strlen(ok), &res), 0);
	assert_string_equal(res.message_id,
	                    "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

	memset(&res, 0, sizeof(res));
	assert_int_equal(twilio_json_parse_created("{\"sid\":null}", 12, &res),
	                 -1);
	assert_string_equal(res.message_id, "");
	assert_true(res.error[0] != '\0');
	assert_int_equal(twilio_json_parse_created("{\"sid\":", 7, &res), -1);
	assert_int_equal(twilio_json_parse_created("[\"SM1\"]", 7, &res), -1);
	assert_int_equal(twilio_json_parse_created("{\"sid\":7}", 9, &res), -1);
	assert_string_equal(res.message_id, "");
}

static enum gateway_status
error_of(long http, const char *body, struct gateway_result *res)
{
	memset(res, 0, sizeof(*res));
	res->retry_after_s = 12;
	return twilio_json_parse_error(http, body, strlen(body), res);
}

static void
test_error_codes(void **state)
{
	struct gateway_result res;

	(void)state;
	assert_int_equal(
	    error_of(400,
	             "{\"code\":21610,\"message\":\"Attempt to send to "
	             "unsubscribed recipient\",\"more_info\":"
	             "\"https://www.twilio.com/docs/errors/21610\","
	             "\"status\":400}",
	             &res),
	    GATEWAY_OPTED_OUT);
	assert_string_equal(res.error_code, "21610");
	assert_int_equal(res.http_status, 400);
	assert_int_equal(res.retry_after_s, 12); /* left alone */
	assert_non_null(strstr(res.error, "unsubscribed recipient"));

	/* The number Twilio quotes is masked. */
	assert_int_equal(
	    error_of(400,
	             "{\"code\":21211,\"message\":\"The 'To' number "
	             "+15551234567 is not a valid phone number.\","
	             "\"more_info\":\"https://www.twilio.com/docs/errors/"
	             "21211\",\"status\":400}",
	             &res),
	    GATEWAY_FAILED);
	assert_string_equal(res.error_code, "21211");
	assert_null(strstr(res.error, "5551234567"));
	assert_non_null(strstr(res.error, "number +*********** is not"));

	assert_int_equal(
	    error_of(401,
	             "{\"code\":20003,\"message\":\"Authenticate\","
	             "\"more_info\":\"https://www.twilio.com/docs/"
	             "errors/20003\",\"status\":401}",
	             &res),
	    GATEWAY_FAILED);
	assert_string_equal(res.error_code, "20003");

	assert_int_equal(error_of(429,
	                          "{\"code\":20429,\"message\":\"Too Many "
	                          "Requests\",\"status\":429}",
	                          &res),
	                 GATEWAY_RETRY);
	assert_string_equal(res.error_code, "20429");

	/* A 5xx is transient whatever the body says. */
	assert_int_equal(
	    error_of(503, "<html>Service Unavailable</html>", &res),
	    GATEWAY_RETRY);
	assert_string_equal(res.error_code, "");
	assert_non_null(strstr(res.error, "503"));
	assert_int_equal(error_of(500, "{\"code\":21610}", &res),
	                 GATEWAY_RETRY);

	/* Bodies that say nothing usable. */
	assert_int_equal(error_of(404, "", &res), GATEWAY_FAILED);
	assert_string_equal(res.error_code, "");
	assert_int_equal(error_of(400, "{\"code\":\"21610\"}", &res),
	                 GATEWAY_FAILED);
	assert_string_equal(res.error_code, "");
	assert_int_equal(error_of(400, "{\"code\":21610,\"message\":7}", &res),
	                 GATEWAY_OPTED_OUT);
	assert_non_null(strstr(res.error, "no message"));
}

static void
expect_date(const char *s, int64_t want)
{
	int64_t got = -12345;

	assert_int_equal(twilio_json_parse_date(s, &got), 0);
	assert_int_equal(got, want);
}

static void
expect_no_date(const char *s)
{
	int64_t got = -12345;

	assert_int_equal(twilio_json_parse_date(s, &got), -1);
	assert_int_equal(got, -12345);
}

static void
test_dates(void **state)
{
	(void)state;
	expect_date("Mon, 16 Aug 2010 03:45:01 +0000", 1281930301);
	expect_date("Fri, 24 May 2019 17:44:50 +0000", 1558719890);
	expect_date("24 May 2019 17:44:50 GMT", 1558719890);
	expect_date("Fri, 24 May 2019 17:44:50 UT", 1558719890);
	expect_date("Thu, 29 Feb 2024 23:59:59 -0500", 1709269199);
	expect_date("Fri, 24 May 2019 19:44:50 +0200", 1558719890);
	expect_date("1 Jan 1970 00:00 +0100", -3600);
	expect_date("Thu, 01 Jan 1970 00:00:00 +0000", 0);
	expect_date("Fri, 31 Dec 9999 23:59:59 +0000", 253402300799);

	expect_no_date("");
	expect_no_date("yesterday");
	expect_no_date("2019-05-24T17:44:50Z");
	expect_no_date("Fri, 24 May 2019 17:44:50");        /* no zone */
	expect_no_date("Fri, 24 May 2019 17:44:50 +0000 "); /* trailing */
	expect_no_date("Fri, 24 May 2019 17:44:50 PST");
	expect_no_date("Fri, 24 May 2019 17:44:50 +000");
	expect_no_date("Fri, 24 May 2019 17:44:50 +2400");
	expect_no_date("Fri, 24 May 19 17:44:50 +0000");
	expect_no_date("Fri, 30 Feb 2024 17:44:50 +0000");
	expect_no_date("Fri, 29 Feb 2023 17:44:50 +0000");
	expect_no_date("Fri, 00 May 2019 17:44:50 +0000");
	expect_no_date("Fri, 24 Mai 2019 17:44:50 +0000");
	expect_no_date("Fri, 24 May 2019 24:00:00 +0000");
	expect_no_date("Fri, 24 May 2019 17:60:00 +0000");
	expect_no_date("Fri, 24 May 2019 17:44:61 +0000");
	expect_no_date("Fri 24 May 2019 17:44:50 +0000");
	expect_no_date("Fry, 24 May 2019 17:44:50 +0000");
	expect_no_date("Fri, 24 May 1899 17:44:50 +0000");
	expect_no_date("Fri, 24 May 2019 7:44:50 +0000");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_inbound_only),
		cmocka_unit_test(test_page_numbers),
		cmocka_unit_test(test_page_outbound),
		cmocka_unit_test(test_page_next),
		cmocka_unit_test(test_page_poison),
		cmocka_unit_test(test_errors_quote_nothing),
		cmocka_unit_test(test_page_minimal),
		cmocka_unit_test(test_page_skipped),
		cmocka_unit_test(test_page_malformed),
		cmocka_unit_test(test_page_wrong_types),
		cmocka_unit_test(test_page_huge),
		cmocka_unit_test(test_page_long_fields),
		cmocka_unit_test(test_created),
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
