/* Fuzzes twilio_json.c: every parser gets the same bytes.  A page that parses
 * adds exactly the messages it counts (kept and unreadable), each with a
 * non-empty UTF-8 id, fields within their bounds and a body that is valid
 * UTF-8 no longer than
 * BT_MESSAGE_MAX; a page that does not parse leaves the batch alone.  Error
 * bodies map to the status their HTTP status and code call for. */
#include <string.h>

#include "bounds.h"
#include "fuzz.h"
#include "gateway.h"
#include "twilio_json.h"
#include "utf8.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_twilio_check_item(const struct gateway_message *m)
{
	size_t body = strlen(m->body);

	FUZZ_CHECK(m->id[0] != '\0');
	FUZZ_CHECK(strlen(m->id) <= TWILIO_JSON_ID_MAX);
	FUZZ_CHECK(strlen(m->from) <= TWILIO_JSON_ID_MAX);
	FUZZ_CHECK(strlen(m->to) <= TWILIO_JSON_ID_MAX);
	FUZZ_CHECK(body <= BT_MESSAGE_MAX);
	FUZZ_CHECK(utf8_invalid_offset(m->body, body) == body);
	FUZZ_CHECK(utf8_invalid_offset(m->id, strlen(m->id)) == strlen(m->id));
	FUZZ_CHECK(!m->unreadable || body == 0);
}

static void
fuzz_twilio_page(const char *buf, size_t len, enum twilio_json_direction dir,
                 struct gateway_batch *b)
{
	struct twilio_json_page page;
	size_t before = b->count;
	char err[200] = "";

	if (twilio_json_parse_page(buf, len, dir, b, &page, err, sizeof(err)) !=
	    0) {
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(b->count == before);
		return;
	}
	FUZZ_CHECK(b->count - before == page.kept + page.unreadable);
	FUZZ_CHECK(page.kept + page.unreadable + page.other_direction +
	               page.skipped <=
	           TWILIO_JSON_PAGE_MAX);
	if (dir == TWILIO_JSON_OUTBOUND)
		FUZZ_CHECK(page.unreadable == 0);
	FUZZ_CHECK(page.truncated <= page.kept);
	if (page.next_page_uri != NULL)
		FUZZ_CHECK(page.next_page_uri[0] != '\0' &&
		           strlen(page.next_page_uri) <= TWILIO_JSON_URI_MAX);
	for (size_t i = before; i < b->count; i++)
		fuzz_twilio_check_item(&b->items[i]);
	twilio_json_page_free(&page);
}

static void
fuzz_twilio_error(const char *buf, size_t len, long http)
{
	struct gateway_result res;
	enum gateway_status st;

	memset(&res, 0, sizeof(res));
	st = twilio_json_parse_error(http, buf, len, &res);
	FUZZ_CHECK(st == res.status && res.http_status == http);
	FUZZ_CHECK(res.error[0] != '\0');
	FUZZ_CHECK(memchr(res.error_code, '\0', sizeof(res.error_code)));
	if (http == 429 || http >= 500)
		FUZZ_CHECK(st == GATEWAY_RETRY);
	else if (strcmp(res.error_code, "21610") == 0)
		FUZZ_CHECK(st == GATEWAY_OPTED_OUT);
	else
		FUZZ_CHECK(st == GATEWAY_FAILED);
}

static void
fuzz_twilio_date(const char *buf, size_t len)
{
	char s[64];
	int64_t t = 42;

	if (len >= sizeof(s))
		return;
	memcpy(s, buf, len);
	s[len] = '\0';
	if (twilio_json_parse_date(s, &t) == 0)
		/* 1900-01-01 less a day .. 9999-12-31 plus a day. */
		FUZZ_CHECK(t >= -2208988800LL - 86400 &&
		           t <= 253402300799LL + 86400);
	else
		FUZZ_CHECK(t == 42);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct gateway_batch b = { 0 };
	struct gateway_result res;

	fuzz_twilio_page(buf, size, TWILIO_JSON_INBOUND, &b);
	fuzz_twilio_page(buf, size, TWILIO_JSON_OUTBOUND, &b);
	gateway_batch_free(&b);

	memset(&res, 0, sizeof(res));
	if (twilio_json_parse_created(buf, size, &res) == 0)
		FUZZ_CHECK(res.message_id[0] != '\0');
	else
		FUZZ_CHECK(res.message_id[0] == '\0' && res.error[0] != '\0');

	fuzz_twilio_error(buf, size, 400);
	fuzz_twilio_error(buf, size, 429);
	fuzz_twilio_error(buf, size, 503);
	fuzz_twilio_date(buf, size);
	return 0;
}
