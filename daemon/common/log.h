/* Logging for backtalkd: levels, stderr with journal priority prefixes, and
 * redaction of phone numbers.  Library code does not log; callers log once. */
#ifndef BACKTALK_LOG_H
#define BACKTALK_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* Same numbers as syslog(3) priorities, so "<N>" prefixes are right. */
enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

/* prefix: write "<N>" priority prefixes (for the journal) instead of
 * timestamps and level names. */
void log_init(const char *ident, enum log_level level, bool prefix);
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

/* "+15551234567" -> "+1******4567": keeps a leading "+" and country digit
 * and the last four digits.  At debug level the number is returned whole.
 * Always returns buf. */
const char *log_phone(const char *number, char *buf, size_t len);
#define LOG_PHONE_MAX 64

#endif
