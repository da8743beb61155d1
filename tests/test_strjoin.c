/* Tests for strjoin.c: two strings with no comma between them inside
 * [ ] or ( ) are found, with the line of the second; inside { }, in
 * comments and in strings they are not. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "strjoin.h"

static size_t
find(const char *text, unsigned *lines, size_t max)
{
	return strjoin_find(text, strlen(text), lines, max);
}

static void
test_joined_in_lists(void **state)
{
	unsigned l[4];

	(void)state;
	assert_int_equal(find("p = [ \"a\" \"b\" ];", l, 4), 1);
	assert_int_equal(l[0], 1);
	/* across lines, with a comment between: the line of the second */
	assert_int_equal(find("p = [ \"a\" # one\n  // two\n  /* three\n */ "
	                      "\"b\", \"c\" ];",
	                      l, 4),
	                 1);
	assert_int_equal(l[0], 4);
	/* in a list in parentheses, and several */
	assert_int_equal(
	    find("x = ( \"a\" \"b\" \"c\" );\ny = [ \"d\"\n\"e\" ];", l, 4), 3);
	assert_int_equal(l[0], 1);
	assert_int_equal(l[1], 1);
	assert_int_equal(l[2], 3);
	/* more than max: all counted, max written */
	assert_int_equal(find("p = [ \"a\" \"b\" \"c\" \"d\" ];", l, 2), 3);
}

static void
test_not_joined(void **state)
{
	unsigned l[4];

	(void)state;
	assert_int_equal(find("p = [ \"a\", \"b\" ];", l, 4), 0);
	/* a long reply split over lines in a group is meant */
	assert_int_equal(find("r = ( { reply = \"a\"\n  \"b\"; } );", l, 4), 0);
	/* quotes inside strings and comments */
	assert_int_equal(
	    find("p = [ \"a\\\" \\\"b\", \"c\" ]; # \"x\" \"y\"", l, 4), 0);
	assert_int_equal(find("p = [ \"a\", /* \"b\" \"c\" */ \"d\" ];", l, 4),
	                 0);
	/* unterminated things end the text quietly */
	assert_int_equal(find("p = [ \"a", l, 4), 0);
	assert_int_equal(find("p = [ /* \"a\" \"b\"", l, 4), 0);
	assert_int_equal(find("", l, 4), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_joined_in_lists),
		cmocka_unit_test(test_not_joined),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
