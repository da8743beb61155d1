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
#include <unistd.h>

#include "log.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
