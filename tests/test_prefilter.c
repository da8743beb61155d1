/* Tests for prefilter.c: widening keeps the prefilter a superset of PCRE2,
 * and the database cache gives the same answers as a fresh build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "prefilter.h"

static void
expect_widen(const char *in, const char *want)
{
	char *got = prefilter_widen(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_widen(void **state)
{
	(void)state;
	expect_widen("\\bnumb\\b", "numb");
	expect_widen("\\Bx", "x");
	expect_widen("a{0,40}?b", "a*b");
	expect_widen("a{2,5}b", "a{2,}b");
	expect_widen("a{3}b", "a{3}b");
	expect_widen("a{2,}b", "a{2,}b");
	expect_widen("(?:\\s+\\w+){0,6}?x", "(?:\\s+\\w+)*x");
	expect_widen("[\\b{0,3}]x", "[\\b{0,3}]x"); /* inside a class */
	expect_widen("[]{0,2}]x", "[]{0,2}]x");     /* ] first is literal */
	expect_widen("\\x{41}{0,2}", "\\x{41}*");
	expect_widen("\\p{L}{1,3}", "\\p{L}{1,}");
	expect_widen("\\\\b", "\\\\b"); /* an escaped backslash, then b */
	expect_widen("\\Q\\b{0,2}\\E", "\\Q\\b{0,2}\\E");
	expect_widen("a{0,2}+b", "a*b");
}

static void
test_cache(void **state)
{
	const char *exprs[] = { "\\bnumb\\w*", "tingl", "(?<=x)y",
		                "^(?:a|$)+$" };
	char dir[] = "/tmp/bt-prefilter-XXXXXX";
	uint64_t a[1] = { 0 }, b[1] = { 0 };
	struct prefilter *p1, *p2;
	struct prefilter_scratch *s1, *s2;

	(void)state;
	assert_non_null(mkdtemp(dir));
	prefilter_cache_dir(dir);
	p1 = prefilter_new(exprs, 4); /* builds and saves */
	p2 = prefilter_new(exprs, 4); /* loads */
	assert_non_null(p1);
	assert_non_null(p2);
	assert_int_equal(prefilter_always_count(p1),
	                 prefilter_always_count(p2));
	s1 = prefilter_scratch_new(p1);
	s2 = prefilter_scratch_new(p2);
	assert_int_equal(prefilter_scan(p1, s1, "my leg is numb", 14, a), 0);
	assert_int_equal(prefilter_scan(p2, s2, "my leg is numb", 14, b), 0);
	assert_true(a[0] & 1);
	assert_int_equal(a[0], b[0]);
	prefilter_scratch_free(s1);
	prefilter_scratch_free(s2);
	prefilter_free(p1);
	prefilter_free(p2);
	prefilter_cache_dir(NULL);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widen),
		cmocka_unit_test(test_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
