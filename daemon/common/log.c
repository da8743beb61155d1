/* Logging: one line per call on stderr, with a "<N>" priority prefix when
 * the journal reads it and a UTC timestamp otherwise, and the redaction of
 * phone numbers.  A line is built in a stack buffer and written with one
 * write(2), so nothing is allocated and lines from threads do not
 * interleave.  Control characters (a newline in a message body), C1
 * controls and bidi overrides are escaped (escape.c) so that one call is
 * always one line and shows what it holds. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"
#include "utf8.h"

/* Longest line written, newline included; longer ones end in "...". */
#define LOG_LINE_MAX  2048
#define LOG_IDENT_MAX 32

static enum log_level log_threshold = LOG_LEVEL_INFO;
static bool log_prefix;
static char log_ident[LOG_IDENT_MAX] = "backtalkd";

static const char *
log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERR:
		return "error";
	case LOG_LEVEL_WARNING:
		return "warning";
	case LOG_LEVEL_NOTICE:
		return "notice";
	case LOG_LEVEL_INFO:
		return "info";
	case LOG_LEVEL_DEBUG:
		return "debug";
	}
	return level < LOG_LEVEL_ERR ? "error" : "debug";
}

static void
log_debug_banner(void)
{
	log_msg(LOG_LEVEL_WARNING,
	        "DEBUG LOGGING IS ON: message bodies and full phone numbers "
	        "are written to the log; turn it off (log.level = \"info\") "
	        "when done");
}

static long log_pid; /* 0 until log_init */

void
log_init(const char *ident, enum log_level level, bool prefix)
{
	snprintf(log_ident, sizeof(log_ident), "%s",
	         ident && *ident ? ident : "backtalkd");
	log_threshold = level;
	log_prefix = prefix;
	log_pid = (long)getpid(); /* the daemon does not fork */
	if (level >= LOG_LEVEL_DEBUG)
		log_debug_banner();
}

void
log_set_level(enum log_level level)
{
	bool was_debug = log_threshold >= LOG_LEVEL_DEBUG;

	log_threshold = level;
	if (level >= LOG_LEVEL_DEBUG && !was_debug)
		log_debug_banner();
}

enum log_level
log_get_level(void)
{
	return log_threshold;
}

bool
log_debug(void)
{
	return log_threshold >= LOG_LEVEL_DEBUG;
}

bool
log_parse_level(const char *s, enum log_level *ret)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{ "err", LOG_LEVEL_ERR },         { "error", LOG_LEVEL_ERR },
		{ "warning", LOG_LEVEL_WARNING }, { "warn", LOG_LEVEL_WARNING },
		{ "notice", LOG_LEVEL_NOTICE },   { "info", LOG_LEVEL_INFO },
		{ "debug", LOG_LEVEL_DEBUG },
	};

	if (s == NULL)
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*ret = names[i].level;
			return true;
		}
	}
	return false;
}

static void
log_write(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += w;
		len -= (size_t)w;
	}
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX], line[LOG_LINE_MAX];
	int saved_errno = errno;
	size_t n, room, body;
	bool cut, msg_cut;
	va_list ap;
	int w;

	if (level > log_threshold)
		return;

	va_start(ap, fmt);
	w = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w < 0)
		snprintf(msg, sizeof(msg), "(unprintable log message)");
	msg_cut = w >= (int)sizeof(msg);

	if (log_prefix) {
		int p = (int)level < 0 ? 0 : (int)level > 7 ? 7 : (int)level;
		w = snprintf(line, sizeof(line), "<%d>", p);
	} else {
		struct tm tm;
		char stamp[32] = "";
		time_t now = time(NULL);
		if (gmtime_r(&now, &tm) != NULL)
			strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ",
			         &tm);
		w = snprintf(line, sizeof(line), "%s %s[%ld]: %s: ", stamp,
		             log_ident, log_pid > 0 ? log_pid : (long)getpid(),
		             log_level_name(level));
	}
	n = w < 0 ? 0 : (size_t)w;
	if (n > sizeof(line) / 2)
		n = sizeof(line) / 2;

	room = sizeof(line) - n - 1; /* the newline */
	body = escape_text(line + n, room, msg, &cut);
	if (cut || msg_cut) {
		/* Again with room for the mark, ending on a character
		 * boundary (escapes are whole or absent). */
		body = escape_text(line + n, room - 3, msg, &cut);
		body = utf8_truncate(line + n, body);
		memcpy(line + n + body, "...", 3);
		body += 3;
	}
	n += body;
	line[n++] = '\n';
	log_write(line, n);
	errno = saved_errno;
}

/* "+" (if there is one), the first digit, stars and the last four digits
 * when number looks like a phone number; otherwise stars and the last two
 * characters, or only stars when it is four characters or fewer. */
const char *
log_phone(const char *number, char *buf, size_t len)
{
	size_t nlen, digits, keep_head, keep_tail, stars, o = 0;

	if (buf == NULL || len == 0)
		return buf;
	if (number == NULL || number[0] == '\0') {
		snprintf(buf, len, "(none)");
		return buf;
	}
	if (log_debug()) {
		snprintf(buf, len, "%s", number);
		return buf;
	}
	nlen = strlen(number);
	keep_head = number[0] == '+' ? 1 : 0;
	digits = strspn(number + keep_head, "0123456789");
	if (keep_head + digits == nlen && digits >= 7 && digits <= 15) {
		keep_head += 1;
		keep_tail = 4;
	} else {
		keep_head = 0;
		keep_tail = nlen > 4 ? 2 : 0;
	}
	stars = nlen - keep_head - keep_tail;
	/* Keep the tail visible when the buffer is short. */
	while (stars > 1 && keep_head + stars + keep_tail >= len)
		stars--;
	if (keep_head + stars + keep_tail >= len) {
		/* Too small to show anything useful: stars only. */
		keep_head = keep_tail = 0;
		stars = len - 1;
	}
	memcpy(buf, number, keep_head);
	o = keep_head;
	memset(buf + o, '*', stars);
	o += stars;
	memcpy(buf + o, number + nlen - keep_tail, keep_tail);
	o += keep_tail;
	buf[o] = '\0';
	return buf;
}
