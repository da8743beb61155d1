/* Tests for jsonout.c: its JSON text of a string is jansson's, byte for
 * byte, whether the string is copied or handed to jansson. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "jsonout.h"

/* jsonout_string(s) must equal jansson's encoding of s. */
static void
same(const char *s, size_t len)
{
	char got[4096], want[4096];
	json_t *t = json_stringn(s, len);
	size_t wn, gn;

	assert_non_null(t);
	wn = json_dumpb(t, want, sizeof(want), JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(t);
	gn = jsonout_string(s, len, got, sizeof(got));
	assert_true(wn > 0 && wn <= sizeof(want));
	if (gn != wn || memcmp(got, want, wn) != 0)
		fail_msg("\"%.*s\": got %.*s, want %.*s", (int)len, s,
		         (int)(gn < sizeof(got) ? gn : 0), got, (int)wn, want);
}

static void
test_every_ascii_byte(void **state)
{
	char s[3];

	(void)state;
	same("", 0);
	for (int c = 0; c < 0x80; c++) {
		s[0] = 'a';
		s[1] = (char)c;
		s[2] = 'b';
		same(s + 1, 1);
		same(s, 3);
	}
}

static void
test_non_ascii(void **state)
{
	static const char *const texts[] = {
		"caf\xc3\xa9",                  /* é */
		"me duele la espalda \xc3\xb1", /* ñ */
		"back \xf0\x9f\x98\xad pain",   /* emoji */
		"line\xe2\x80\xa8separator",    /* U+2028 */
		"\xef\xbb\xbf"
		"bom", /* U+FEFF */
		"tab\there \"quoted\" back\\slash /slash",
		"\x7f del",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		same(texts[i], strlen(texts[i]));
}

/* Random strings from bytes that need no escaping, bytes that do and
 * non-ASCII letters: every one encoded as jansson encodes it. */
static void
test_random(void **state)
{
	static const char *const pieces[] = {
		"a",
		"Z",
		" ",
		"0",
		"~",
		"/",
		"\"",
		"\\",
		"\n",
		"\x01",
		"\x1f",
		"\x7f",
		"\xc3\xa9",
		"\xe2\x80\x99",
		"\xf0\x9f\x92\xaa",
		"{",
		"}",
	};
	uint32_t x = 12345;
	char s[1024];

	(void)state;
	for (int k = 0; k < 20000; k++) {
		size_t len = 0;
		x = x * 1103515245u + 12345u;
		size_t n = (x >> 16) % 64;
		/* half of them plain ASCII only */
		size_t np = k % 2 ? 6 : sizeof(pieces) / sizeof(pieces[0]);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			const char *p = pieces[(x >> 16) % np];
			memcpy(s + len, p, strlen(p));
			len += strlen(p);
		}
		same(s, len);
	}
}

static void
test_errors(void **state)
{
	char buf[8];

	(void)state;
	/* not UTF-8: a bad byte, an overlong form, a surrogate, past
	 * U+10FFFF, cut short */
	assert_int_equal(jsonout_string("a\xff", 2, buf, sizeof(buf)), 0);
	assert_int_equal(jsonout_string("\xc0\xaf", 2, buf, sizeof(buf)), 0);
	assert_int_equal(jsonout_string("\xed\xa0\x80", 3, buf, sizeof(buf)),
	                 0);
	assert_int_equal(
	    jsonout_string("\xf4\x90\x80\x80", 4, buf, sizeof(buf)), 0);
	assert_int_equal(jsonout_string("a\xc3", 2, buf, sizeof(buf)), 0);
	/* too long for buf: the length it needs, more than cap */
	assert_int_equal(jsonout_string("abcdefghij", 10, buf, sizeof(buf)),
	                 12);
	assert_true(jsonout_string("abc\"defghij", 11, buf, sizeof(buf)) >
	            sizeof(buf));
	assert_int_equal(jsonout_string("abcdef", 6, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "\"abcdef\"", 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_ascii_byte),
		cmocka_unit_test(test_non_ascii),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
