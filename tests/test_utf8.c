/* Tests for utf8.c: strict decoding (RFC 3629), the first invalid offset and
 * cutting text at a character boundary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "utf8.h"

/* Decodes s (n bytes) and checks the length used and the code point. */
static void
expect_decode(const char *s, size_t n, size_t want_len, uint32_t want_cp)
{
	uint32_t cp = 0xdeadbeef;
	size_t got = utf8_decode((const unsigned char *)s, n, &cp);

	assert_int_equal(got, want_len);
	if (want_len > 0)
		assert_int_equal(cp, want_cp);
}

static void
expect_invalid(const char *s, size_t n)
{
	uint32_t cp;

	assert_int_equal(utf8_decode((const unsigned char *)s, n, &cp), 0);
}

static void
test_decode_valid(void **state)
{
	(void)state;
	expect_decode("A", 1, 1, 0x41);
	expect_decode("\x00", 1, 1, 0);
	expect_decode("\x7f", 1, 1, 0x7f);
	expect_decode("\xc2\x80", 2, 2, 0x80);       /* lowest 2-byte */
	expect_decode("\xc3\xa9", 2, 2, 0xe9);       /* é */
	expect_decode("\xdf\xbf", 2, 2, 0x7ff);      /* highest 2-byte */
	expect_decode("\xe0\xa0\x80", 3, 3, 0x800);  /* lowest 3-byte */
	expect_decode("\xe2\x80\x99", 3, 3, 0x2019); /* ’ */
	expect_decode("\xed\x9f\xbf", 3, 3, 0xd7ff); /* below surrogates */
	expect_decode("\xee\x80\x80", 3, 3, 0xe000); /* above surrogates */
	expect_decode("\xef\xbf\xbf", 3, 3, 0xffff);
	expect_decode("\xf0\x90\x80\x80", 4, 4, 0x10000);
	expect_decode("\xf0\x9f\x98\x80", 4, 4, 0x1f600); /* emoji */
	expect_decode("\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff);
	/* Only the first character is decoded. */
	expect_decode("ab", 2, 1, 'a');
	expect_decode("\xc3\xa9z", 3, 2, 0xe9);
}

static void
test_decode_overlong(void **state)
{
	(void)state;
	expect_invalid("\xc0\x80", 2); /* NUL in two bytes */
	expect_invalid("\xc0\xaf", 2); /* '/' */
	expect_invalid("\xc1\xbf", 2); /* 0x7f */
	expect_invalid("\xe0\x80\x80", 3);
	expect_invalid("\xe0\x80\xaf", 3);
	expect_invalid("\xe0\x9f\xbf", 3); /* 0x7ff in three bytes */
	expect_invalid("\xf0\x80\x80\x80", 4);
	expect_invalid("\xf0\x8f\xbf\xbf", 4); /* 0xffff in four bytes */
}

static void
test_decode_surrogates(void **state)
{
	(void)state;
	expect_invalid("\xed\xa0\x80", 3); /* U+D800 */
	expect_invalid("\xed\xad\xbf", 3); /* U+DB7F */
	expect_invalid("\xed\xb0\x80", 3); /* U+DC00 */
	expect_invalid("\xed\xbf\xbf", 3); /* U+DFFF */
	/* CESU-8 style pair for U+1F600. */
	expect_invalid("\xed\xa0\xbd\xed\xb8\x80", 6);
}

static void
test_decode_above_max(void **state)
{
	(void)state;
	expect_invalid("\xf4\x90\x80\x80", 4); /* U+110000 */
	expect_invalid("\xf4\xbf\xbf\xbf", 4);
	expect_invalid("\xf5\x80\x80\x80", 4);
	expect_invalid("\xf7\xbf\xbf\xbf", 4);     /* U+1FFFFF */
	expect_invalid("\xf8\x88\x80\x80\x80", 5); /* old 5-byte form */
	expect_invalid("\xfc\x84\x80\x80\x80\x80", 6);
	expect_invalid("\xfe", 1);
	expect_invalid("\xff", 1);
}

static void
test_decode_bad_sequences(void **state)
{
	(void)state;
	/* A continuation byte cannot start a character. */
	expect_invalid("\x80", 1);
	expect_invalid("\xbf", 1);
	/* Lead bytes followed by something that is not a continuation. */
	expect_invalid("\xc3"
	               "a",
	               2);
	expect_invalid("\xe2\x80"
	               "a",
	               3);
	expect_invalid("\xf0\x9f\x98"
	               "a",
	               4);
	expect_invalid("\xc3\xc3\xa9", 3);
}

static void
test_decode_truncated(void **state)
{
	(void)state;
	/* Sequences cut short by len, even when the bytes beyond are there:
	 * the decoder must not read past len. */
	expect_invalid("\xc3\xa9", 1);
	expect_invalid("\xe2\x80\x99", 1);
	expect_invalid("\xe2\x80\x99", 2);
	expect_invalid("\xf0\x9f\x98\x80", 1);
	expect_invalid("\xf0\x9f\x98\x80", 2);
	expect_invalid("\xf0\x9f\x98\x80", 3);
}

static void
test_invalid_offset(void **state)
{
	(void)state;
	assert_int_equal(utf8_invalid_offset("", 0), 0);
	assert_int_equal(utf8_invalid_offset("hello", 5), 5);
	assert_int_equal(utf8_invalid_offset("caf\xc3\xa9", 5), 5);
	assert_int_equal(utf8_invalid_offset("ok \xf0\x9f\x98\x80 ok", 10), 10);
	assert_int_equal(utf8_invalid_offset("ab\xff"
	                                     "cd",
	                                     5),
	                 2);
	assert_int_equal(utf8_invalid_offset("caf\xc3\xa9\xc0\x80", 7), 5);
	assert_int_equal(utf8_invalid_offset("abc\xed\xa0\x80", 6), 3);
	/* Truncated at the end of the buffer. */
	assert_int_equal(utf8_invalid_offset("abc\xe2\x80", 5), 3);
	/* An embedded NUL is a valid character. */
	assert_int_equal(utf8_invalid_offset("a\0b", 3), 3);
}

static void
test_truncate(void **state)
{
	static const char s[] = "a\xc3\xa9"
	                        "b\xe2\x80\x99"
	                        "c\xf0\x9f\x98\x80"; /* aébʼc😀 */
	/* Character starts: a=0 é=1 b=3 ’=4 c=7 😀=8, end=12. */
	static const size_t want[] = {
		0, 1, 1, 3, 4, 4, 4, 7, 8, 8, 8, 8, 12,
	};

	(void)state;
	assert_int_equal(sizeof(s) - 1, 12);
	for (size_t len = 0; len <= 12; len++) {
		size_t got = utf8_truncate(s, len);
		if (got != want[len])
			fail_msg("utf8_truncate(s, %zu) = %zu, want %zu", len,
			         got, want[len]);
		/* The kept prefix is always valid. */
		assert_int_equal(utf8_invalid_offset(s, got), got);
	}
	assert_int_equal(utf8_truncate("plain ascii", 11), 11);
	assert_int_equal(utf8_truncate("plain ascii", 5), 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_valid),
		cmocka_unit_test(test_decode_overlong),
		cmocka_unit_test(test_decode_surrogates),
		cmocka_unit_test(test_decode_above_max),
		cmocka_unit_test(test_decode_bad_sequences),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_invalid_offset),
		cmocka_unit_test(test_truncate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
