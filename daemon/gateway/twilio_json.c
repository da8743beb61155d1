/* twilio_json.c: parsing Twilio's Messages API responses with jansson.  Every
 * input is bounded: the page must be an object whose messages array holds at
 * most TWILIO_JSON_PAGE_MAX entries, ids and numbers at most
 * TWILIO_JSON_ID_MAX bytes, bodies are cut to BT_MESSAGE_MAX bytes at a
 * character boundary (as bounds.h says), and an entry that does not fit is
 * counted and left out rather than failing the whole page, so one odd message
 * cannot stop the others from being answered.  A page is read with
 * jsonread_page: a NUL or a lone surrogate in one body becomes U+FFFD
 * instead of making the whole page unreadable, and an inbound entry that
 * has a sid but cannot be read otherwise goes to the batch marked
 * unreadable, for the daemon to record once.  Numbers are written in
 * E.164 (e164.h): Twilio's are already, but a long number without "+"
 * would get one, and short codes and alphanumeric senders are kept as
 * they are. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bounds.h"
#include "calendar.h"
#include "e164.h"
#include "twilio_json.h"
#include "jsonread.h"
#include "utf8.h"

static bool
twilio_json_wanted(const char *direction, enum twilio_json_direction dir)
{
	if (dir == TWILIO_JSON_INBOUND)
		return strcmp(direction, "inbound") == 0;
	return strncmp(direction, "outbound", 8) == 0;
}

/* An inbound message's time is when Twilio got it (date_sent); an
 * outbound one's is when it was created, which Twilio sets at once: it
 * sets date_sent only when the message leaves, and one it still holds
 * queued has none. */
static int64_t
twilio_json_time(const json_t *msg, enum twilio_json_direction dir)
{
	const char *keys[] = { "date_sent", "date_created", "date_sent" };
	size_t first = dir == TWILIO_JSON_OUTBOUND ? 1 : 0;
	int64_t t;

	for (size_t i = first; i < first + 2; i++) {
		const char *s = jsonread_string(msg, keys[i], 64);
		if (s != NULL && twilio_json_parse_date(s, &t) == 0)
			return t;
	}
	return 0;
}

/* Adds one entry of messages[]; returns 0, or -1 when out of memory.  An
 * inbound entry with a sid but no sender or body is added as unreadable,
 * so that the daemon records it once; one without a sid is only counted. */
static int
twilio_json_add(const json_t *msg, enum twilio_json_direction dir,
                struct gateway_batch *batch, struct twilio_json_page *page)
{
	const char *direction, *sid, *from, *to, *body;
	const json_t *jbody;
	char *cut = NULL, efrom[TWILIO_JSON_ID_MAX + 2],
	     eto[TWILIO_JSON_ID_MAX + 2];
	size_t blen;
	int r;

	direction = jsonread_string(msg, "direction", 64);
	if (direction != NULL && !twilio_json_wanted(direction, dir)) {
		page->other_direction++;
		return 0;
	}
	sid = jsonread_string(msg, "sid", TWILIO_JSON_ID_MAX);
	from = e164_of(jsonread_string(msg, "from", TWILIO_JSON_ID_MAX), efrom,
	               sizeof(efrom));
	to = e164_of(jsonread_string(msg, "to", TWILIO_JSON_ID_MAX), eto,
	             sizeof(eto));
	jbody = json_object_get(msg, "body");
	if (sid == NULL || sid[0] == '\0') {
		page->skipped++;
		return 0;
	}
	if (direction == NULL || from == NULL || !json_is_string(jbody)) {
		/* The listing asks for messages to our number: one that
		 * might be inbound is recorded as unreadable, once. */
		if (dir != TWILIO_JSON_INBOUND) {
			page->skipped++;
			return 0;
		}
		r = gateway_batch_add_unreadable(batch, sid, from);
		if (r == 0)
			page->unreadable++;
		return r;
	}
	body = json_string_value(jbody);
	blen = json_string_length(jbody);
	if (blen > BT_MESSAGE_MAX) {
		cut = strndup(body, utf8_truncate(body, BT_MESSAGE_MAX));
		if (cut == NULL)
			return -1;
		body = cut;
		page->truncated++;
	}
	r = gateway_batch_add(batch, sid, from, to, body,
	                      twilio_json_time(msg, dir));
	free(cut);
	if (r == 0)
		page->kept++;
	return r;
}

/* next_page_uri: absent or null on the last page. */
static int
twilio_json_next(const json_t *root, char **ret, char *err, size_t errlen)
{
	const json_t *v = json_object_get(root, "next_page_uri");

	*ret = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > TWILIO_JSON_URI_MAX) {
		snprintf(err, errlen, "next_page_uri is not a usable string");
		return -1;
	}
	*ret = strdup(json_string_value(v));
	if (*ret == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
twilio_json_parse_page(const char *buf, size_t len,
                       enum twilio_json_direction dir,
                       struct gateway_batch *batch,
                       struct twilio_json_page *ret, char *err, size_t errlen)
{
	struct twilio_json_page page = { 0 };
	size_t start = batch->count, i;
	json_t *root, *messages, *msg;

	root = jsonread_page(buf, len, err, errlen);
	if (root == NULL)
		return -1;
	messages = json_object_get(root, "messages");
	if (!json_is_array(messages)) {
		snprintf(err, errlen, "no messages array");
		goto fail;
	}
	if (json_array_size(messages) > TWILIO_JSON_PAGE_MAX) {
		snprintf(err, errlen, "%zu messages on a page, more than %d",
		         json_array_size(messages), TWILIO_JSON_PAGE_MAX);
		goto fail;
	}
	if (twilio_json_next(root, &page.next_page_uri, err, errlen) != 0)
		goto fail;
	json_array_foreach(messages, i, msg)
	{
		if (twilio_json_add(msg, dir, batch, &page) != 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	json_decref(root);
	*ret = page;
	return 0;
fail:
	gateway_batch_truncate(batch, start);
	twilio_json_page_free(&page);
	json_decref(root);
	return -1;
}

void
twilio_json_page_free(struct twilio_json_page *p)
{
	if (p == NULL)
		return;
	free(p->next_page_uri);
	p->next_page_uri = NULL;
}

int
twilio_json_parse_created(const char *buf, size_t len,
                          struct gateway_result *res)
{
	json_t *root;
	const char *sid;
	int r = -1;

	root = jsonread_object(buf, len, res->error, sizeof(res->error));
	if (root == NULL)
		return -1;
	sid = jsonread_string(root, "sid", sizeof(res->message_id) - 1);
	if (sid != NULL && sid[0] != '\0') {
		snprintf(res->message_id, sizeof(res->message_id), "%s", sid);
		r = 0;
	} else {
		snprintf(res->error, sizeof(res->error),
		         "created message has no sid");
	}
	json_decref(root);
	return r;
}

/* Copies a gateway's message for the log, masking runs of five or more
 * digits (Twilio quotes the phone number in, say, error 21211). */
static void
twilio_json_masked(const char *s, char *buf, size_t len)
{
	size_t i, j, run;

	if (len == 0)
		return;
	for (i = 0, j = 0; s[i] != '\0' && j + 1 < len; i++) {
		for (run = 0; isdigit((unsigned char)s[i + run]); run++)
			;
		if (run >= 5) {
			for (; run > 0 && j + 1 < len; run--, i++)
				buf[j++] = '*';
			i--;
			continue;
		}
		buf[j++] = s[i];
	}
	buf[j] = '\0';
}

enum gateway_status
twilio_json_parse_error(long http_status, const char *buf, size_t len,
                        struct gateway_result *res)
{
	char why[256] = "", message[160] = "";
	json_t *root, *code;
	json_int_t n = 0;
	const char *text;

	res->http_status = http_status;
	res->error_code[0] = '\0';
	root = jsonread_object(buf, len, why, sizeof(why));
	if (root != NULL) {
		code = json_object_get(root, "code");
		if (json_is_integer(code)) {
			n = json_integer_value(code);
			snprintf(res->error_code, sizeof(res->error_code),
			         "%" JSON_INTEGER_FORMAT, n);
		}
		text = jsonread_string(root, "message", 1024);
		if (text != NULL)
			twilio_json_masked(text, message, sizeof(message));
		json_decref(root);
	}
	if (http_status == 429 || http_status >= 500)
		res->status = GATEWAY_RETRY;
	else if (n == TWILIO_ERROR_OPTED_OUT)
		res->status = GATEWAY_OPTED_OUT;
	else
		res->status = GATEWAY_FAILED;
	if (res->error_code[0] != '\0')
		snprintf(res->error, sizeof(res->error),
		         "HTTP %ld, Twilio error %s: %s", http_status,
		         res->error_code,
		         message[0] != '\0' ? message : "(no message)");
	else
		snprintf(res->error, sizeof(res->error),
		         "HTTP %ld, no Twilio error code in the body",
		         http_status);
	return res->status;
}

/* --- RFC 2822 dates ------------------------------------------------------ */

/* Reads between min and max digits; returns the value or -1. */
static int
twilio_json_digits(const char **p, int min, int max)
{
	int v = 0, n = 0;

	while (n < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= min ? v : -1;
}

/* Returns the index (0-based) of the three-letter name at *p in names. */
static int
twilio_json_name(const char **p, const char *const *names, int count)
{
	for (int i = 0; i < count; i++) {
		if (strncmp(*p, names[i], 3) == 0) {
			*p += 3;
			return i;
		}
	}
	return -1;
}

static bool
twilio_json_skip(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* The zone as seconds east of UTC. */
static int
twilio_json_zone(const char *p, long *ret)
{
	int sign, hh, mm;

	if (strcmp(p, "GMT") == 0 || strcmp(p, "UT") == 0 ||
	    strcmp(p, "UTC") == 0) {
		*ret = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	hh = twilio_json_digits(&p, 2, 2);
	mm = twilio_json_digits(&p, 2, 2);
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || *p != '\0')
		return -1;
	*ret = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int
twilio_json_parse_date(const char *s, int64_t *ret)
{
	static const char *const wdays[] = { "Mon", "Tue", "Wed", "Thu",
		                             "Fri", "Sat", "Sun" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
		                              "May", "Jun", "Jul", "Aug",
		                              "Sep", "Oct", "Nov", "Dec" };
	const char *p = s;
	int d, mon, y, hh, mm, ss = 0;
	long zone;

	if (isalpha((unsigned char)*p) &&
	    (twilio_json_name(&p, wdays, 7) < 0 || !twilio_json_skip(&p, ',') ||
	     !twilio_json_skip(&p, ' ')))
		return -1;
	d = twilio_json_digits(&p, 1, 2);
	if (d < 0 || !twilio_json_skip(&p, ' '))
		return -1;
	mon = twilio_json_name(&p, months, 12) + 1;
	if (mon < 1 || !twilio_json_skip(&p, ' '))
		return -1;
	y = twilio_json_digits(&p, 4, 4);
	if (y < 1900 || !twilio_json_skip(&p, ' '))
		return -1;
	hh = twilio_json_digits(&p, 2, 2);
	if (hh < 0 || !twilio_json_skip(&p, ':'))
		return -1;
	mm = twilio_json_digits(&p, 2, 2);
	if (twilio_json_skip(&p, ':'))
		ss = twilio_json_digits(&p, 2, 2);
	if (mm < 0 || ss < 0 || !twilio_json_skip(&p, ' '))
		return -1;
	if (twilio_json_zone(p, &zone) != 0 || d < 1 ||
	    d > calendar_month_days(y, mon) || hh > 23 || mm > 59 || ss > 60)
		return -1;
	*ret = (int64_t)calendar_day(y, mon, d) * 86400 + hh * 3600 + mm * 60 +
	       ss - zone;
	return 0;
}
