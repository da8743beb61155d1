/* Logging: one line per call on stderr, with a "<N>" priority prefix when
 * the journal reads it and a UTC timestamp otherwise, or, when stderr is
 * the journal, one native record per call (sd_journal_sendv) with the
 * event's MESSAGE_ID and fields; and the redaction of phone numbers.  A
 * line or record is built in a stack buffer and written with one write(2)
 * or sendmsg(2), so nothing is allocated and lines from threads do not
 * interleave.  Control characters (a newline in a message body), C1
 * controls and bidi overrides are escaped (escape.c), in the text and in
 * every field, so that one call is always one line and shows what it
 * holds.  A record that cannot be sent is written as a "<N>" line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
/* CODE_FILE and CODE_LINE would all name log.c. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
/* libsystemd's; sd_journal_sendv returns 0, not an error, when it is
 * missing (no journald), so its absence is checked first. */
#define LOG_JOURNAL_SOCKET "/run/systemd/journal/socket"
#endif

#include "escape.h"
#include "log.h"
#include "utf8.h"

/* Longest line written, newline included; longer ones end in "...". */
#define LOG_LINE_MAX  2048
#define LOG_IDENT_MAX 32
/* Longest field value written, escaped; longer ones end in "...". */
#define LOG_VALUE_MAX 512

static enum log_level log_threshold = LOG_LEVEL_INFO;
static enum log_output log_output = LOG_OUTPUT_LINES;
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
log_init(const char *ident, enum log_level level, enum log_output out)
{
	snprintf(log_ident, sizeof(log_ident), "%s",
	         ident && *ident ? ident : "backtalkd");
	log_threshold = level;
	log_output = out;
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

/* s escaped into dst[0..room), ending in "..." on a character boundary
 * when it does not fit or was cut before (cut); returns the length. */
static size_t
log_escape(char *dst, size_t room, const char *s, bool cut)
{
	bool more;
	size_t n;

	if (room < 4)
		return 0;
	n = escape_text(dst, room, s, &more);
	if (more || cut) {
		/* Again with room for the mark, ending on a character
		 * boundary (escapes are whole or absent). */
		n = escape_text(dst, room - 3, s, &more);
		n = utf8_truncate(dst, n);
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	return n;
}

static int
log_priority(enum log_level level)
{
	return (int)level < 0 ? 0 : (int)level > 7 ? 7 : (int)level;
}

static void
log_line(enum log_level level, bool prefix, const char *msg, bool msg_cut)
{
	char line[LOG_LINE_MAX];
	size_t n;
	int w;

	if (prefix) {
		w = snprintf(line, sizeof(line), "<%d>", log_priority(level));
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
	n += log_escape(line + n, sizeof(line) - n - 1 /* the newline */, msg,
	                msg_cut);
	line[n++] = '\n';
	log_write(line, n);
}

/* Whether name may be a field of the caller's: a journal field name, and
 * not one log_record_build writes itself. */
static bool
log_field_name_ok(const char *name)
{
	static const char *const own[] = { "MESSAGE", "MESSAGE_ID", "PRIORITY",
		                           "SYSLOG_IDENTIFIER" };
	size_t len;

	if (name == NULL || name[0] == '\0' || name[0] == '_' ||
	    (name[0] >= '0' && name[0] <= '9'))
		return false;
	len = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (name[len] != '\0' || len > 64)
		return false;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strcmp(name, own[i]) == 0)
			return false;
	return true;
}

/* Appends "NAME=value" (value escaped, at most max bytes of it) to r; no
 * change when it does not fit. */
static void
log_record_add(struct log_record *r, size_t *used, const char *name,
               const char *value, size_t max, bool cut)
{
	size_t nlen = strlen(name), room = sizeof(r->buf) - *used, n;
	char *p = r->buf + *used;

	if (r->n >= LOG_RECORD_FIELDS || room < nlen + 1 + 4)
		return;
	memcpy(p, name, nlen);
	p[nlen] = '=';
	room -= nlen + 1;
	if (room > max)
		room = max;
	n = nlen + 1 + log_escape(p + nlen + 1, room, value, cut);
	r->iov[r->n].iov_base = p;
	r->iov[r->n].iov_len = n;
	r->n++;
	*used += n;
}

void
log_record_build(struct log_record *r, enum log_level level,
                 const char *message_id, const struct log_field *fields,
                 size_t nfields, const char *message)
{
	char tmp[LOG_PHONE_MAX > 32 ? LOG_PHONE_MAX : 32];
	size_t used = 0;

	r->n = 0;
	snprintf(tmp, sizeof(tmp), "%d", log_priority(level));
	log_record_add(r, &used, "PRIORITY", tmp, 8, false);
	log_record_add(r, &used, "SYSLOG_IDENTIFIER", log_ident, LOG_IDENT_MAX,
	               false);
	if (message_id != NULL)
		log_record_add(r, &used, "MESSAGE_ID", message_id, 64, false);
	log_record_add(r, &used, "MESSAGE", message ? message : "",
	               LOG_LINE_MAX, false);
	for (size_t i = 0; i < nfields; i++) {
		const struct log_field *f = &fields[i];
		const char *v = f->text;

		if (v == NULL || !log_field_name_ok(f->name))
			continue;
		switch (f->kind) {
		case LOG_FIELD_TEXT:
			break;
		case LOG_FIELD_INT:
			snprintf(tmp, sizeof(tmp), "%lld", f->num);
			v = tmp;
			break;
		case LOG_FIELD_PHONE:
			v = log_phone(v, tmp, sizeof(tmp));
			break;
		case LOG_FIELD_BODY:
			if (!log_debug())
				continue;
			break;
		}
		log_record_add(r, &used, f->name, v, LOG_VALUE_MAX, false);
	}
}

/* Sends a record to the journal; false when it could not be sent. */
static bool
log_journal(enum log_level level, const char *message_id,
            const struct log_field *fields, size_t nfields, const char *msg,
            bool msg_cut)
{
#ifdef HAVE_SYSTEMD
	struct log_record r;
	char mark[LOG_LINE_MAX];

	if (msg_cut) {
		/* Cut on a character boundary, with the mark, as lines are. */
		size_t n = strlen(msg);
		n = utf8_truncate(msg,
		                  n < sizeof(mark) - 4 ? n : sizeof(mark) - 4);
		memcpy(mark, msg, n);
		memcpy(mark + n, "...", 4);
		msg = mark;
	}
	if (access(LOG_JOURNAL_SOCKET, W_OK) != 0)
		return false;
	log_record_build(&r, level, message_id, fields, nfields, msg);
	return sd_journal_sendv(r.iov, (int)r.n) >= 0;
#else
	(void)level;
	(void)message_id;
	(void)fields;
	(void)nfields;
	(void)msg;
	(void)msg_cut;
	return false;
#endif
}

static void
log_emit(enum log_level level, const char *message_id,
         const struct log_field *fields, size_t nfields, const char *fmt,
         va_list ap)
{
	char msg[LOG_LINE_MAX];
	int saved_errno = errno;
	int w;

	w = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (w < 0)
		snprintf(msg, sizeof(msg), "(unprintable log message)");
	bool msg_cut = w >= (int)sizeof(msg);

	if (log_output != LOG_OUTPUT_JOURNAL ||
	    !log_journal(level, message_id, fields, nfields, msg, msg_cut))
		log_line(level, log_output != LOG_OUTPUT_LINES, msg, msg_cut);
	errno = saved_errno;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	log_emit(level, NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_event(enum log_level level, const char *message_id,
          const struct log_field *fields, size_t nfields, const char *fmt, ...)
{
	va_list ap;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	log_emit(level, message_id, fields, nfields, fmt, ap);
	va_end(ap);
}

bool
log_journal_stream_is(const char *env, dev_t dev, ino_t ino)
{
	unsigned long long d, i;
	char *end;

	if (env == NULL || env[0] < '0' || env[0] > '9')
		return false;
	errno = 0;
	d = strtoull(env, &end, 10);
	if (errno != 0 || *end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	i = strtoull(end + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	return d == (unsigned long long)dev && i == (unsigned long long)ino;
}

bool
log_stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	struct stat st;

	if (env == NULL || fstat(STDERR_FILENO, &st) != 0)
		return false;
	return log_journal_stream_is(env, st.st_dev, st.st_ino);
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
