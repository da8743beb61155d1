/* Tests for lexicon.c: the table built from Debian's word lists holds the
 * words of the three languages, folded as messages are, and no
 * misspellings or short words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lexicon.h"

static bool
has(const char *w)
{
	return lexicon_has(w, strlen(w));
}

static void
test_words(void **state)
{
	(void)state;
	/* English, with inflected forms */
	assert_true(has("cancel"));
	assert_true(has("leaning"));
	assert_true(has("stood"));
	assert_true(has("track"));
	assert_true(has("door"));
	/* Spanish and Portuguese, accents folded away as in messages */
	assert_true(has("desde"));
	assert_true(has("tenho"));
	assert_true(has("espalda"));
	assert_true(has("esta"));    /* "está" */
	assert_true(has("coracao")); /* "coração" */
	assert_true(lexicon_size() > 200000);
}

static void
test_not_words(void **state)
{
	(void)state;
	assert_false(has("numbess"));
	assert_false(has("sciatca"));
	assert_false(has("bladdr"));
	assert_false(has("tinglling"));
	/* case and accents are folded before the lookup, not in it */
	assert_false(has("Cancel"));
	/* shorter than LEXICON_MIN, longer than LEXICON_MAX */
	assert_false(has("leg"));
	assert_false(has("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(lexicon_has("", 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_not_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
