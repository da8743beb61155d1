/* Logging for backtalkd: levels, stderr lines (with journal priority
 * prefixes or timestamps) or native journal records with structured
 * fields, and the redaction of phone numbers.  Library code does not log;
 * callers log once, and pass the fields of an event they log. */
#ifndef BACKTALK_LOG_H
#define BACKTALK_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Same numbers as syslog(3) priorities, so "<N>" prefixes are right. */
enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

enum log_output {
	LOG_OUTPUT_LINES,    /* "TIME IDENT[PID]: LEVEL: text" lines */
	LOG_OUTPUT_PREFIXED, /* "<N>text" lines, for a journal stream */
	/* Records sent to the journal (sd_journal_sendv) with their fields;
	 * "<N>" lines when one cannot be sent or without libsystemd. */
	LOG_OUTPUT_JOURNAL,
};

void log_init(const char *ident, enum log_level level, enum log_output out);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_parse_level(const char *s, enum log_level *ret);
bool log_debug(void); /* debug logging (bodies, full numbers) is on */

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define log_err(...)     log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_dbg(...)     log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* Structured fields of an event, for the journal (KEY=value).  Privacy
 * applies to them as to the text: a PHONE field is redacted as log_phone()
 * does and a BODY field is left out unless debug logging is on.  A field
 * with a NULL text is left out, and so is one whose name is not a journal
 * field name (A-Z, 0-9, "_", not first a digit or "_", at most 64) or is
 * one log.c writes itself (MESSAGE, MESSAGE_ID, PRIORITY,
 * SYSLOG_IDENTIFIER). */
enum log_field_kind {
	LOG_FIELD_TEXT,
	LOG_FIELD_INT,
	LOG_FIELD_PHONE,
	LOG_FIELD_BODY,
};
struct log_field {
	const char *name;
	enum log_field_kind kind;
	const char *text;
	long long num;
};
#define LOG_F_TEXT(n, v)                                         \
	{                                                        \
		.name = (n), .kind = LOG_FIELD_TEXT, .text = (v) \
	}
#define LOG_F_INT(n, v)                                         \
	{                                                       \
		.name = (n), .kind = LOG_FIELD_INT, .text = "", \
		.num = (long long)(v)                           \
	}
#define LOG_F_PHONE(n, v)                                         \
	{                                                         \
		.name = (n), .kind = LOG_FIELD_PHONE, .text = (v) \
	}
#define LOG_F_BODY(n, v)                                         \
	{                                                        \
		.name = (n), .kind = LOG_FIELD_BODY, .text = (v) \
	}
/* The fields argument pair of log_event: LOG_FIELDS(LOG_F_TEXT(...), ...) */
#define LOG_FIELDS(...)                                         \
	(const struct log_field[]){ __VA_ARGS__ },              \
	    sizeof((const struct log_field[]){ __VA_ARGS__ }) / \
	        sizeof(struct log_field)

/* One event: a line as log_msg writes, or for the journal a record with
 * PRIORITY, SYSLOG_IDENTIFIER, MESSAGE, MESSAGE_ID (log_ids.h; NULL for
 * none) and the fields. */
void log_event(enum log_level level, const char *message_id,
               const struct log_field *fields, size_t nfields, const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

/* A journal record built, the pure part of log_event: iov[0..n) point
 * into buf, one "KEY=value" each. */
#define LOG_RECORD_FIELDS 32
#define LOG_RECORD_MAX    8192
struct log_record {
	struct iovec iov[LOG_RECORD_FIELDS];
	size_t n;
	char buf[LOG_RECORD_MAX];
};
void log_record_build(struct log_record *r, enum log_level level,
                      const char *message_id, const struct log_field *fields,
                      size_t nfields, const char *message);

/* Whether JOURNAL_STREAM's value ("DEV:INO", as systemd sets it) names the
 * file with st_dev dev and st_ino ino. */
bool log_journal_stream_is(const char *env, dev_t dev, ino_t ino);
/* Whether standard error is the journal: JOURNAL_STREAM names the file
 * that fstat(2) of fd 2 finds (not merely set, as in a shell started
 * from a unit and redirected). */
bool log_stderr_is_journal(void);

/* "+15551234567" -> "+1******4567": keeps a leading "+" and country digit
 * and the last four digits.  At debug level the number is returned whole.
 * Always returns buf. */
const char *log_phone(const char *number, char *buf, size_t len);
#define LOG_PHONE_MAX 64

#endif
