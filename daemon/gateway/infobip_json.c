/* infobip_json.c: parsing Infobip's SMS API responses and building its send
 * request with jansson.  Bounded like twilio_json.c: at most
 * INFOBIP_JSON_RESULTS_MAX results, ids and numbers at most
 * INFOBIP_JSON_ID_MAX bytes, texts cut to BT_MESSAGE_MAX bytes at a
 * character boundary.  Infobip hands each inbound message out once only, so
 * an entry that cannot be used is counted rather than failing the response:
 * failing would lose every other message in it, and the inbox is read with
 * jsonread_page, so that a NUL or a lone surrogate in one text becomes
 * U+FFFD rather than making the whole answer unreadable.  The sent SMS logs are
 * read the other way round: an entry that cannot be read might be the message
 * looked for, so it makes the answer "cannot tell" unless the message is
 * found elsewhere in the list.
 *
 * Infobip writes numbers without "+" ("447700900123"): the inbox's are
 * given to the daemon in E.164 (e164.h: 8 or more digits become "+" and
 * the digits; a short code or an alphanumeric sender stays as it is), so
 * that nothing past the parser knows the difference.  Going out, the
 * driver (gateway_infobip.c) takes the "+" off again, and the logs are
 * compared with a leading "+" left aside on either side. */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bounds.h"
#include "calendar.h"
#include "e164.h"
#include "infobip_json.h"
#include "jsonread.h"
#include "utf8.h"

/* Adds one entry of results[]; returns 0, or -1 when out of memory.  An
 * entry with a messageId but no sender or text is added as unreadable, so
 * that the daemon records it; one without a messageId is only counted. */
static int
infobip_json_add(const json_t *msg, struct gateway_batch *batch,
                 struct infobip_json_inbox *inbox)
{
	const char *id, *from, *to, *text, *received;
	const json_t *jtext = json_object_get(msg, "text");
	char *cut = NULL, efrom[INFOBIP_JSON_ID_MAX + 2],
	     eto[INFOBIP_JSON_ID_MAX + 2];
	int64_t sent_at = 0;
	int r;

	id = jsonread_string(msg, "messageId", INFOBIP_JSON_ID_MAX);
	from = e164_of(jsonread_string(msg, "from", INFOBIP_JSON_ID_MAX), efrom,
	               sizeof(efrom));
	to = e164_of(jsonread_string(msg, "to", INFOBIP_JSON_ID_MAX), eto,
	             sizeof(eto));
	if (id == NULL || id[0] == '\0') {
		inbox->skipped++;
		return 0;
	}
	if (from == NULL || !json_is_string(jtext)) {
		r = gateway_batch_add_unreadable(batch, id, from);
		if (r == 0)
			inbox->unreadable++;
		return r;
	}
	text = json_string_value(jtext);
	if (json_string_length(jtext) > BT_MESSAGE_MAX) {
		cut = strndup(text, utf8_truncate(text, BT_MESSAGE_MAX));
		if (cut == NULL)
			return -1;
		text = cut;
		inbox->truncated++;
	}
	received = jsonread_string(msg, "receivedAt", 64);
	if (received != NULL &&
	    infobip_json_parse_date(received, &sent_at) != 0)
		sent_at = 0;
	r = gateway_batch_add(batch, id, from, to, text, sent_at);
	free(cut);
	if (r == 0)
		inbox->kept++;
	return r;
}

int
infobip_json_parse_inbox(const char *buf, size_t len,
                         struct gateway_batch *batch,
                         struct infobip_json_inbox *ret, char *err,
                         size_t errlen)
{
	struct infobip_json_inbox inbox = { 0 };
	size_t start = batch->count, i;
	json_t *root, *results, *pending, *msg;

	root = jsonread_page(buf, len, err, errlen);
	if (root == NULL)
		return -1;
	results = json_object_get(root, "results");
	if (!json_is_array(results)) {
		snprintf(err, errlen, "no results array");
		goto fail;
	}
	if (json_array_size(results) > INFOBIP_JSON_RESULTS_MAX) {
		snprintf(err, errlen, "%zu results, more than %d",
		         json_array_size(results), INFOBIP_JSON_RESULTS_MAX);
		goto fail;
	}
	pending = json_object_get(root, "pendingMessageCount");
	if (pending != NULL && !json_is_null(pending) &&
	    !json_is_integer(pending)) {
		snprintf(err, errlen, "pendingMessageCount is not a number");
		goto fail;
	}
	if (json_is_integer(pending) && json_integer_value(pending) > 0)
		inbox.pending = json_integer_value(pending) > LONG_MAX
		                    ? LONG_MAX
		                    : (long)json_integer_value(pending);
	json_array_foreach(results, i, msg)
	{
		if (infobip_json_add(msg, batch, &inbox) != 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	json_decref(root);
	batch->more = inbox.pending > 0;
	*ret = inbox;
	return 0;
fail:
	gateway_batch_truncate(batch, start);
	json_decref(root);
	return -1;
}

char *
infobip_json_send_body(const char *from, const char *to, const char *text)
{
	json_t *msg, *root;
	char *s;

	msg = json_pack("{s:[{s:s}], s:s}", "destinations", "to", to, "text",
	                text);
	if (msg != NULL && from != NULL &&
	    json_object_set_new(msg, "from", json_string(from)) != 0) {
		json_decref(msg);
		msg = NULL;
	}
	if (msg == NULL)
		return NULL;
	root = json_pack("{s:[o]}", "messages", msg);
	if (root == NULL)
		return NULL;
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return s;
}

static bool
infobip_json_group_failed(json_int_t group)
{
	return group == INFOBIP_GROUP_UNDELIVERABLE ||
	       group == INFOBIP_GROUP_EXPIRED ||
	       group == INFOBIP_GROUP_REJECTED;
}

int
infobip_json_parse_sent(const char *buf, size_t len, struct gateway_result *res)
{
	json_t *root, *msg, *status;
	const char *id, *name;
	int r = -1;

	root = jsonread_object(buf, len, res->error, sizeof(res->error));
	if (root == NULL)
		return -1;
	msg = json_array_get(json_object_get(root, "messages"), 0);
	id = jsonread_string(msg, "messageId", sizeof(res->message_id) - 1);
	if (id == NULL || id[0] == '\0') {
		snprintf(res->error, sizeof(res->error),
		         "send response has no messageId");
		goto out;
	}
	snprintf(res->message_id, sizeof(res->message_id), "%s", id);
	res->status = GATEWAY_OK;
	status = json_object_get(msg, "status");
	name = jsonread_string(status, "name", 64);
	if (infobip_json_group_failed(
	        json_integer_value(json_object_get(status, "groupId")))) {
		res->status = GATEWAY_FAILED;
		snprintf(res->error_code, sizeof(res->error_code), "%s",
		         name != NULL ? name : "REJECTED");
		snprintf(res->error, sizeof(res->error),
		         "Infobip did not accept the message: %s",
		         res->error_code);
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

/* --- sent SMS logs ------------------------------------------------------ */

/* What one logs entry says about the message looked for. */
enum infobip_json_log {
	INFOBIP_LOG_OTHER, /* surely another message */
	INFOBIP_LOG_MATCH,
	INFOBIP_LOG_UNSURE, /* might be it, but a field cannot be read */
};

/* v is the string s, byte for byte; with number, a leading '+' on either
 * side is left aside, as Infobip writes numbers without it. */
static bool
infobip_json_equal(const json_t *v, const char *s, bool number)
{
	const char *a = json_string_value(v);
	size_t n = json_string_length(v);

	if (number && n > 0 && a[0] == '+') {
		a++;
		n--;
	}
	if (number && s[0] == '+')
		s++;
	return n == strlen(s) && memcmp(a, s, n) == 0;
}

/* Any readable field that differs rules the entry out; otherwise one that
 * cannot be read leaves it unsure. */
static enum infobip_json_log
infobip_json_log_entry(const json_t *e, const char *to, const char *body,
                       int64_t earliest, const char **ret_id)
{
	const json_t *eto = json_object_get(e, "to");
	const json_t *text = json_object_get(e, "text");
	const char *id = jsonread_string(e, "messageId", INFOBIP_JSON_ID_MAX);
	const char *at = jsonread_string(e, "sentAt", 64);
	int64_t sent_at;
	bool unsure = false;

	if (!json_is_string(eto))
		unsure = true;
	else if (!infobip_json_equal(eto, to, true))
		return INFOBIP_LOG_OTHER;
	if (!json_is_string(text))
		unsure = true;
	else if (!infobip_json_equal(text, body, false))
		return INFOBIP_LOG_OTHER;
	if (at == NULL || infobip_json_parse_date(at, &sent_at) != 0)
		unsure = true;
	else if (sent_at < earliest)
		return INFOBIP_LOG_OTHER;
	if (unsure || id == NULL || id[0] == '\0')
		return INFOBIP_LOG_UNSURE;
	*ret_id = id;
	return INFOBIP_LOG_MATCH;
}

int
infobip_json_find_sent(const char *buf, size_t len, const char *to,
                       const char *body, int64_t since, size_t limit,
                       struct gateway_result *res)
{
	int64_t earliest = since < INT64_MIN + INFOBIP_JSON_CLOCK_SLACK_S
	                       ? INT64_MIN
	                       : since - INFOBIP_JSON_CLOCK_SLACK_S;
	size_t unsure = 0, i, n;
	json_t *root, *results, *e;
	const char *id = NULL;
	int r = -1;

	root = jsonread_object(buf, len, res->error, sizeof(res->error));
	if (root == NULL)
		return -1;
	results = json_object_get(root, "results");
	n = json_array_size(results);
	if (!json_is_array(results)) {
		snprintf(res->error, sizeof(res->error),
		         "logs response has no results array");
		goto out;
	}
	if (n > INFOBIP_JSON_RESULTS_MAX) {
		snprintf(res->error, sizeof(res->error),
		         "logs response has %zu results, more than %d", n,
		         INFOBIP_JSON_RESULTS_MAX);
		goto out;
	}
	json_array_foreach(results, i, e)
	{
		enum infobip_json_log m =
		    infobip_json_log_entry(e, to, body, earliest, &id);

		if (m == INFOBIP_LOG_MATCH) {
			snprintf(res->message_id, sizeof(res->message_id), "%s",
			         id);
			r = 1;
			goto out;
		}
		if (m == INFOBIP_LOG_UNSURE)
			unsure++;
	}
	if (unsure > 0)
		snprintf(res->error, sizeof(res->error),
		         "%zu unreadable entries in the logs", unsure);
	else if (n >= limit)
		snprintf(res->error, sizeof(res->error),
		         "the logs hold %zu entries, as many as asked for: "
		         "more may be left out",
		         n);
	else
		r = 0;
out:
	json_decref(root);
	return r;
}

/* Copies a gateway's text for the log, masking runs of five or more digits
 * (phone numbers). */
static void
infobip_json_masked(const char *s, char *buf, size_t len)
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

/* requestError.serviceException, or requestError.policyException. */
static const json_t *
infobip_json_exception(const json_t *root)
{
	const json_t *req = json_object_get(root, "requestError");
	const json_t *e = json_object_get(req, "serviceException");

	return e != NULL ? e : json_object_get(req, "policyException");
}

enum gateway_status
infobip_json_parse_error(long http_status, const char *buf, size_t len,
                         struct gateway_result *res)
{
	char why[256] = "", text[160] = "";
	const json_t *e;
	const char *code, *s;
	json_t *root;

	res->http_status = http_status;
	res->error_code[0] = '\0';
	root = jsonread_object(buf, len, why, sizeof(why));
	e = infobip_json_exception(root);
	code = jsonread_string(e, "messageId", sizeof(res->error_code) - 1);
	if (code != NULL)
		snprintf(res->error_code, sizeof(res->error_code), "%s", code);
	s = jsonread_string(e, "text", 1024);
	if (s != NULL)
		infobip_json_masked(s, text, sizeof(text));
	json_decref(root);
	if (http_status == 429 || http_status >= 500)
		res->status = GATEWAY_RETRY;
	else
		res->status = GATEWAY_FAILED;
	if (res->error_code[0] != '\0')
		snprintf(res->error, sizeof(res->error),
		         "HTTP %ld, Infobip error %s: %s", http_status,
		         res->error_code, text[0] != '\0' ? text : "(no text)");
	else
		snprintf(res->error, sizeof(res->error),
		         "HTTP %ld, no Infobip error in the body", http_status);
	return res->status;
}

/* --- dates --------------------------------------------------------------- */

/* Reads exactly n digits followed by sep (or by nothing when sep is 0);
 * returns the value or -1. */
static int
infobip_json_field(const char **p, int n, char sep)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	if (sep != '\0') {
		if (**p != sep)
			return -1;
		(*p)++;
	}
	return v;
}

/* The zone as seconds east of UTC. */
static int
infobip_json_zone(const char *p, long *ret)
{
	int sign, hh, mm;

	if (strcmp(p, "Z") == 0) {
		*ret = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	hh = infobip_json_field(&p, 2, '\0');
	if (*p == ':')
		p++;
	mm = infobip_json_field(&p, 2, '\0');
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || *p != '\0')
		return -1;
	*ret = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int
infobip_json_parse_date(const char *s, int64_t *ret)
{
	const char *p = s;
	int y, mon, d, hh, mm, ss;
	long zone;

	y = infobip_json_field(&p, 4, '-');
	mon = infobip_json_field(&p, 2, '-');
	d = infobip_json_field(&p, 2, 'T');
	hh = infobip_json_field(&p, 2, ':');
	mm = infobip_json_field(&p, 2, ':');
	ss = infobip_json_field(&p, 2, '\0');
	if (y < 1900 || mon < 1 || mon > 12 || d < 1 ||
	    d > calendar_month_days(y, mon) || hh < 0 || hh > 23 || mm < 0 ||
	    mm > 59 || ss < 0 || ss > 60)
		return -1;
	if (*p == '.') {
		const char *frac = ++p;
		while (isdigit((unsigned char)*p) && p - frac < 9)
			p++;
		if (p == frac)
			return -1;
	}
	if (infobip_json_zone(p, &zone) != 0)
		return -1;
	*ret = (int64_t)calendar_day(y, mon, d) * 86400 + hh * 3600 + mm * 60 +
	       ss - zone;
	return 0;
}

int
infobip_json_format_date(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int n;

	/* 1900-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
	if (t < -2208988800LL || t > 253402300799LL ||
	    len < INFOBIP_JSON_DATE_MAX || gmtime_r(&tt, &tm) == NULL)
		return -1;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.000+0000",
	             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	             tm.tm_min, tm.tm_sec);
	return n > 0 && (size_t)n < len ? 0 : -1;
}
