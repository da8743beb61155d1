/* Tests for log.c: phone number redaction, the journal and timestamp line
 * formats, level filtering, the debug banner, escaping and the line length
 * limit.  stderr is captured by pointing fd 2 at a temporary file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "log_ids.h"

static int capture_fd = -1;
static int saved_stderr = -1;
static FILE *capture_fp;

static void
capture_start(void)
{
	capture_fp = tmpfile();
	assert_non_null(capture_fp);
	capture_fd = fileno(capture_fp);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_int_equal(dup2(capture_fd, STDERR_FILENO), STDERR_FILENO);
}

/* Restores stderr and returns what was written, owned by the caller. */
static char *
capture_end(void)
{
	long size;
	char *text;

	assert_int_equal(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
	close(saved_stderr);
	size = lseek(capture_fd, 0, SEEK_END);
	assert_true(size >= 0);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(pread(capture_fd, text, (size_t)size, 0), size);
	fclose(capture_fp);
	capture_fp = NULL;
	return text;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int
setup(void **state)
{
	(void)state;
	log_init("backtalkd", LOG_LEVEL_INFO, LOG_OUTPUT_PREFIXED);
	return 0;
}

static void
check_phone(const char *in, const char *want)
{
	char buf[LOG_PHONE_MAX];

	assert_ptr_equal(log_phone(in, buf, sizeof(buf)), buf);
	assert_string_equal(buf, want);
}

static void
test_phone_redacted(void **state)
{
	(void)state;
	check_phone("+15551234567", "+1******4567");
	check_phone("+447700900123", "+4*******0123");
	check_phone("+1234567", "+1**4567");       /* shortest E.164 */
	check_phone("15551234567", "1******4567"); /* Infobip: no '+' */
	check_phone(NULL, "(none)");
	check_phone("", "(none)");
	/* Odd inputs: stars but the last two, or only stars when short. */
	check_phone("12345", "***45");
	check_phone("INFOBIP", "*****IP");
	check_phone("+1555-123-4567", "************67");
	check_phone("+1234567890123456", "***************56"); /* 16 digits */
	check_phone("abcd", "****");
	check_phone("7", "*");
}

static void
test_phone_small_buffer(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	log_phone("+15551234567", buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
	assert_null(strstr(buf, "555123"));
	/* The tail still shows when it fits. */
	assert_string_equal(buf, "+1*4567");

	char tiny[3];
	log_phone("+15551234567", tiny, sizeof(tiny));
	assert_string_equal(tiny, "**");
	assert_null(log_phone("+15551234567", NULL, 0));
}

static void
test_phone_whole_at_debug(void **state)
{
	char buf[LOG_PHONE_MAX];

	(void)state;
	capture_start();
	log_set_level(LOG_LEVEL_DEBUG);
	char *out = capture_end();
	assert_true(log_debug());
	assert_string_equal(log_phone("+15551234567", buf, sizeof(buf)),
	                    "+15551234567");
	log_set_level(LOG_LEVEL_INFO);
	assert_false(log_debug());
	assert_string_equal(log_phone("+15551234567", buf, sizeof(buf)),
	                    "+1******4567");
	free(out);
}

static void
test_prefix_format(void **state)
{
	(void)state;
	log_init("backtalkd", LOG_LEVEL_INFO, LOG_OUTPUT_PREFIXED);
	capture_start();
	log_err("disk %s", "full");
	log_warning("w");
	log_notice("n");
	log_info("hello %d", 5);
	char *out = capture_end();
	assert_string_equal(out, "<3>disk full\n<4>w\n<5>n\n<6>hello 5\n");
	free(out);
}

static void
test_timestamp_format(void **state)
{
	regex_t re;
	char pattern[256];

	(void)state;
	log_init("backtalkd", LOG_LEVEL_INFO, LOG_OUTPUT_LINES);
	capture_start();
	log_info("polled %d messages", 3);
	log_err("bad");
	char *out = capture_end();
	snprintf(pattern, sizeof(pattern),
	         "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z "
	         "backtalkd\\[%ld\\]: info: polled 3 messages\n"
	         "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z "
	         "backtalkd\\[%ld\\]: error: bad\n$",
	         (long)getpid(), (long)getpid());
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, out, 0, NULL, 0) != 0)
		fail_msg("unexpected log output: %s", out);
	regfree(&re);
	free(out);
	log_init("backtalkd", LOG_LEVEL_INFO, LOG_OUTPUT_PREFIXED);
}

static void
test_level_filtering(void **state)
{
	(void)state;
	log_init("backtalkd", LOG_LEVEL_INFO, LOG_OUTPUT_PREFIXED);
	capture_start();
	log_dbg("hidden body");
	log_info("shown");
	log_set_level(LOG_LEVEL_ERR);
	log_warning("hidden warning");
	log_notice("hidden notice");
	log_err("shown err");
	log_set_level(LOG_LEVEL_INFO);
	char *out = capture_end();
	assert_string_equal(out, "<6>shown\n<3>shown err\n");
	assert_int_equal(log_get_level(), LOG_LEVEL_INFO);
	free(out);
}

static void
test_debug_banner(void **state)
{
	(void)state;
	capture_start();
	log_init("backtalkd", LOG_LEVEL_DEBUG, LOG_OUTPUT_PREFIXED);
	log_dbg("body: %s", "my back hurts");
	/* Already at debug: no second banner. */
	log_set_level(LOG_LEVEL_DEBUG);
	char *out = capture_end();
	assert_int_equal(count_lines(out), 2);
	assert_true(strncmp(out, "<4>DEBUG LOGGING IS ON", 22) == 0);
	assert_non_null(strstr(out, "message bodies"));
	assert_non_null(strstr(out, "<7>body: my back hurts\n"));
	free(out);

	/* Turning debug on later says so too. */
	log_init("backtalkd", LOG_LEVEL_INFO, LOG_OUTPUT_PREFIXED);
	capture_start();
	log_set_level(LOG_LEVEL_DEBUG);
	log_set_level(LOG_LEVEL_INFO);
	out = capture_end();
	assert_true(strncmp(out, "<4>DEBUG LOGGING IS ON", 22) == 0);
	assert_int_equal(count_lines(out), 1);
	free(out);
}

static void
test_one_line_per_call(void **state)
{
	(void)state;
	capture_start();
	log_info("body \"stop\nnow\r\" tab\there bell\a del\x7f end");
	char *out = capture_end();
	assert_string_equal(
	    out,
	    "<6>body \"stop\\nnow\\r\" tab\\there bell\\x07 del\\x7f end\n");
	free(out);
}

static void
test_long_line_cut(void **state)
{
	char big[5000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_init("backtalkd", LOG_LEVEL_INFO, LOG_OUTPUT_LINES);
	capture_start();
	log_info("%s", big);
	char *out = capture_end();
	size_t len = strlen(out);
	assert_true(len <= 2048);
	assert_true(len > 2000);
	assert_int_equal(count_lines(out), 1);
	assert_string_equal(out + len - 4, "...\n");
	free(out);

	/* A cut never splits a UTF-8 character. */
	char *text = calloc(1, 3 * 1000 + 1);
	assert_non_null(text);
	for (int i = 0; i < 1000; i++)
		memcpy(text + 3 * i, "\xe2\x82\xac", 3); /* the euro sign */
	log_init("backtalkd", LOG_LEVEL_INFO, LOG_OUTPUT_PREFIXED);
	capture_start();
	log_info("x%s", text);
	out = capture_end();
	len = strlen(out);
	assert_true(len <= 2048);
	assert_string_equal(out + len - 7, "\xe2\x82\xac...\n");
	free(out);
	free(text);

	/* Escapes near the end are not split either. */
	memset(big, '\n', sizeof(big) - 1);
	capture_start();
	log_info("%s", big);
	out = capture_end();
	len = strlen(out);
	assert_true(len <= 2048);
	assert_string_equal(out + len - 6, "\\n...\n");
	free(out);
}

static void
test_errno_kept(void **state)
{
	(void)state;
	capture_start();
	errno = ENOENT;
	log_info("open failed: %s", strerror(errno));
	assert_int_equal(errno, ENOENT);
	errno = EACCES;
	log_dbg("filtered");
	assert_int_equal(errno, EACCES);
	free(capture_end());
}

static void
test_parse_level(void **state)
{
	enum log_level l = LOG_LEVEL_INFO;

	(void)state;
	assert_true(log_parse_level("err", &l));
	assert_int_equal(l, LOG_LEVEL_ERR);
	assert_true(log_parse_level("error", &l));
	assert_int_equal(l, LOG_LEVEL_ERR);
	assert_true(log_parse_level("warning", &l));
	assert_int_equal(l, LOG_LEVEL_WARNING);
	assert_true(log_parse_level("notice", &l));
	assert_int_equal(l, LOG_LEVEL_NOTICE);
	assert_true(log_parse_level("INFO", &l));
	assert_int_equal(l, LOG_LEVEL_INFO);
	assert_true(log_parse_level("debug", &l));
	assert_int_equal(l, LOG_LEVEL_DEBUG);
	l = LOG_LEVEL_NOTICE;
	assert_false(log_parse_level("verbose", &l));
	assert_false(log_parse_level("", &l));
	assert_false(log_parse_level(NULL, &l));
	assert_int_equal(l, LOG_LEVEL_NOTICE);
}

/* The debug log shows a body's C1 controls, bidi overrides and isolates
 * and bytes that are not UTF-8 escaped; other text is kept. */
static void
test_c1_and_bidi_escaped(void **state)
{
	(void)state;
	log_init("backtalkd", LOG_LEVEL_DEBUG, LOG_OUTPUT_PREFIXED);
	capture_start();
	log_dbg("inbound SM1 body: %s",
	        "a\xc2\x85"
	        "b\xc2\x9b"
	        "2J\xe2\x80\xae"
	        "c\xe2\x81\xa6"
	        "d\xe2\x81\xa9"
	        "\xff\x1b\x7f \xc3\xa9\xf0\x9f\x98\x80");
	char *out = capture_end();
	log_init("backtalkd", LOG_LEVEL_INFO, LOG_OUTPUT_PREFIXED);
	assert_string_equal(out, "<7>inbound SM1 body: a\\u0085b\\u009b2J"
	                         "\\u202ec\\u2066d\\u2069\\xff\\x1b\\x7f "
	                         "\xc3\xa9\xf0\x9f\x98\x80\n");
	free(out);
}

/* The record's field i as a string (they are not NUL-terminated). */
static const char *
record_field(const struct log_record *r, size_t i)
{
	static char buf[LOG_RECORD_MAX + 1];

	assert_true(i < r->n);
	memcpy(buf, r->iov[i].iov_base, r->iov[i].iov_len);
	buf[r->iov[i].iov_len] = '\0';
	return buf;
}

/* Whether any field of the record contains needle. */
static bool
record_has(const struct log_record *r, const char *needle)
{
	for (size_t i = 0; i < r->n; i++)
		if (strstr(record_field(r, i), needle) != NULL)
			return true;
	return false;
}

/* A journal record: PRIORITY, SYSLOG_IDENTIFIER, MESSAGE_ID and MESSAGE
 * first, then the caller's fields in order; numbers; a NULL text left
 * out. */
static void
test_record_fields(void **state)
{
	static struct log_record r;
	const struct log_field f[] = {
		LOG_F_TEXT("CATEGORY", "emergency"),
		LOG_F_TEXT("RULE", "cauda-equina"),
		LOG_F_TEXT("TOPIC", NULL),
		LOG_F_INT("REPLY_ID", -42),
		LOG_F_TEXT("GATEWAY", "twilio"),
	};

	(void)state;
	log_record_build(&r, LOG_LEVEL_NOTICE, LOG_ID_RED_FLAG, f, 5,
	                 "inbound SM1: emergency");
	assert_int_equal(r.n, 8);
	assert_string_equal(record_field(&r, 0), "PRIORITY=5");
	assert_string_equal(record_field(&r, 1), "SYSLOG_IDENTIFIER=backtalkd");
	assert_string_equal(record_field(&r, 2), "MESSAGE_ID=" LOG_ID_RED_FLAG);
	assert_string_equal(record_field(&r, 3),
	                    "MESSAGE=inbound SM1: emergency");
	assert_string_equal(record_field(&r, 4), "CATEGORY=emergency");
	assert_string_equal(record_field(&r, 5), "RULE=cauda-equina");
	assert_string_equal(record_field(&r, 6), "REPLY_ID=-42");
	assert_string_equal(record_field(&r, 7), "GATEWAY=twilio");

	/* No MESSAGE_ID for a plain line. */
	log_record_build(&r, LOG_LEVEL_ERR, NULL, NULL, 0, "disk full");
	assert_int_equal(r.n, 3);
	assert_string_equal(record_field(&r, 0), "PRIORITY=3");
	assert_string_equal(record_field(&r, 2), "MESSAGE=disk full");
}

/* Privacy in fields as in lines: a number redacted, a body left out,
 * both whole at the debug level. */
static void
test_record_privacy(void **state)
{
	static struct log_record r;
	const struct log_field f[] = {
		LOG_F_PHONE("FROM", "+15551234567"),
		LOG_F_BODY("BODY", "my back hurts since friday"),
		LOG_F_TEXT("CATEGORY", "tip"),
	};

	(void)state;
	log_record_build(&r, LOG_LEVEL_INFO, LOG_ID_REPLY, f, 3, "inbound");
	assert_int_equal(r.n, 6);
	assert_string_equal(record_field(&r, 4), "FROM=+1******4567");
	assert_string_equal(record_field(&r, 5), "CATEGORY=tip");
	assert_false(record_has(&r, "5551234"));
	assert_false(record_has(&r, "my back"));
	assert_false(record_has(&r, "BODY="));

	capture_start();
	log_set_level(LOG_LEVEL_DEBUG);
	char *out = capture_end();
	free(out);
	log_record_build(&r, LOG_LEVEL_INFO, LOG_ID_REPLY, f, 3, "inbound");
	log_set_level(LOG_LEVEL_INFO);
	assert_int_equal(r.n, 7);
	assert_string_equal(record_field(&r, 4), "FROM=+15551234567");
	assert_string_equal(record_field(&r, 5),
	                    "BODY=my back hurts since friday");
}

/* Names that are not journal field names, and the fields log.c writes
 * itself, are left out; values are escaped and cut like lines. */
static void
test_record_names_and_escaping(void **state)
{
	static struct log_record r;
	static char big[3000];
	const struct log_field f[] = {
		LOG_F_TEXT("lower", "x"),
		LOG_F_TEXT("_PID", "1"),
		LOG_F_TEXT("1ST", "x"),
		LOG_F_TEXT("A-B", "x"),
		LOG_F_TEXT("", "x"),
		LOG_F_TEXT(NULL, "x"),
		LOG_F_TEXT("MESSAGE", "forged"),
		LOG_F_TEXT("PRIORITY", "0"),
		LOG_F_TEXT("MESSAGE_ID", "00"),
		LOG_F_TEXT("SYSLOG_IDENTIFIER", "sshd"),
		LOG_F_TEXT("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		           "AAAAAAAAAAAAAA",
		           "65 letters"),
		LOG_F_TEXT("ERROR", "line\nRULE=forged\xe2\x80\xae"),
		LOG_F_TEXT("LONG", big),
	};

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	log_record_build(&r, LOG_LEVEL_INFO, NULL, f, sizeof(f) / sizeof(f[0]),
	                 "two\nlines");
	assert_int_equal(r.n, 5);
	assert_string_equal(record_field(&r, 2), "MESSAGE=two\\nlines");
	assert_string_equal(record_field(&r, 3),
	                    "ERROR=line\\nRULE=forged\\u202e");
	const char *lng = record_field(&r, 4);
	assert_true(strncmp(lng, "LONG=aaa", 8) == 0);
	assert_true(strlen(lng) <= 5 + 512);
	assert_string_equal(lng + strlen(lng) - 3, "...");
	for (size_t i = 0; i < r.n; i++)
		assert_null(memchr(r.iov[i].iov_base, '\n', r.iov[i].iov_len));
}

/* More fields than a record holds: the first ones are kept, nothing
 * overflows. */
static void
test_record_bounds(void **state)
{
	static struct log_record r;
	static char big[LOG_RECORD_MAX];
	struct log_field f[LOG_RECORD_FIELDS + 8];

	(void)state;
	memset(big, 'b', sizeof(big) - 1);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		f[i] = (struct log_field)LOG_F_TEXT("F", big);
	log_record_build(&r, LOG_LEVEL_INFO, LOG_ID_SENT, f,
	                 sizeof(f) / sizeof(f[0]), big);
	assert_true(r.n <= LOG_RECORD_FIELDS);
	assert_true(r.n >= 4);
	size_t total = 0;
	for (size_t i = 0; i < r.n; i++) {
		assert_true((char *)r.iov[i].iov_base >= r.buf);
		total += r.iov[i].iov_len;
	}
	assert_true(total <= LOG_RECORD_MAX);
	assert_string_equal(
	    record_field(&r, 3) + strlen(record_field(&r, 3)) - 3, "...");
}

/* JOURNAL_STREAM is "DEV:INO" in decimal; anything else is not the
 * journal. */
static void
test_journal_stream_parse(void **state)
{
	(void)state;
	assert_true(log_journal_stream_is("8:12345", 8, 12345));
	assert_true(log_journal_stream_is("0:1", 0, 1));
	assert_false(log_journal_stream_is("8:12345", 8, 12346));
	assert_false(log_journal_stream_is("9:12345", 8, 12345));
	assert_false(log_journal_stream_is(NULL, 8, 12345));
	assert_false(log_journal_stream_is("", 8, 12345));
	assert_false(log_journal_stream_is("8", 8, 12345));
	assert_false(log_journal_stream_is("8:", 8, 0));
	assert_false(log_journal_stream_is(":12345", 0, 12345));
	assert_false(log_journal_stream_is("8:12345x", 8, 12345));
	assert_false(log_journal_stream_is("8:-1", 8, (ino_t)-1));
	assert_false(log_journal_stream_is(" 8:12345", 8, 12345));
	assert_false(log_journal_stream_is("8:12345:1", 8, 12345));
	assert_false(log_journal_stream_is("99999999999999999999999:1", 8, 1));
}

/* stderr is the journal only when JOURNAL_STREAM names the file fd 2 is:
 * set for another file (a shell started from a unit, redirected) it is
 * not. */
static void
test_stderr_is_journal(void **state)
{
	struct stat st;
	char env[64];

	(void)state;
	capture_start();
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino);
	unsetenv("JOURNAL_STREAM");
	bool unset = log_stderr_is_journal();
	setenv("JOURNAL_STREAM", env, 1);
	bool same = log_stderr_is_journal();
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", env, 1);
	bool other = log_stderr_is_journal();
	unsetenv("JOURNAL_STREAM");
	free(capture_end());
	assert_false(unset);
	assert_true(same);
	assert_false(other);
}

/* Not under the journal, log_event writes the same line as log_msg: the
 * fields are for the journal only. */
static void
test_event_as_line(void **state)
{
	(void)state;
	log_init("backtalkd", LOG_LEVEL_INFO, LOG_OUTPUT_PREFIXED);
	capture_start();
	log_event(LOG_LEVEL_INFO, LOG_ID_REPLY,
	          LOG_FIELDS(LOG_F_TEXT("CATEGORY", "tip"),
	                     LOG_F_PHONE("FROM", "+15551234567")),
	          "inbound %s: %s", "SM1", "tip");
	log_event(LOG_LEVEL_DEBUG, LOG_ID_REPLY, NULL, 0, "hidden");
	char *out = capture_end();
	assert_string_equal(out, "<6>inbound SM1: tip\n");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_phone_redacted, setup),
		cmocka_unit_test_setup(test_phone_small_buffer, setup),
		cmocka_unit_test_setup(test_phone_whole_at_debug, setup),
		cmocka_unit_test_setup(test_prefix_format, setup),
		cmocka_unit_test_setup(test_timestamp_format, setup),
		cmocka_unit_test_setup(test_level_filtering, setup),
		cmocka_unit_test_setup(test_debug_banner, setup),
		cmocka_unit_test_setup(test_one_line_per_call, setup),
		cmocka_unit_test_setup(test_long_line_cut, setup),
		cmocka_unit_test_setup(test_errno_kept, setup),
		cmocka_unit_test_setup(test_parse_level, setup),
		cmocka_unit_test_setup(test_c1_and_bidi_escaped, setup),
		cmocka_unit_test_setup(test_record_fields, setup),
		cmocka_unit_test_setup(test_record_privacy, setup),
		cmocka_unit_test_setup(test_record_names_and_escaping, setup),
		cmocka_unit_test_setup(test_record_bounds, setup),
		cmocka_unit_test_setup(test_journal_stream_parse, setup),
		cmocka_unit_test_setup(test_stderr_is_journal, setup),
		cmocka_unit_test_setup(test_event_as_line, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
