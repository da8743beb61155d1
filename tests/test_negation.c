/* Tests for negation.c: which red-flag matches a message negates.  Inputs
 * are already normalised (lowercase, apostrophes removed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "negation.h"

/* Runs negation_find on the match that starts at the first occurrence of
 * match in text.  Checks the result and, when negated, that the cue is
 * exactly the word cue. */
static void
check(const char *text, const char *match, const char *cue)
{
	const char *m = strstr(text, match);
	struct negation_cue c = { 12345, 12345 };
	bool neg;

	if (m == NULL)
		fail_msg("\"%s\" not in \"%s\"", match, text);
	neg = negation_find(text, strlen(text), (size_t)(m - text), &c);
	if (cue == NULL) {
		if (neg)
			fail_msg("\"%s\" in \"%s\" negated by \"%.*s\", want "
			         "not negated",
			         match, text, (int)(c.end - c.start),
			         text + c.start);
		return;
	}
	if (!neg)
		fail_msg("\"%s\" in \"%s\" not negated, want negated by \"%s\"",
		         match, text, cue);
	assert_true(c.start < c.end);
	assert_true(c.end <= (size_t)(m - text));
	if (c.end - c.start != strlen(cue) ||
	    memcmp(text + c.start, cue, c.end - c.start) != 0)
		fail_msg("\"%s\" in \"%s\": cue is \"%.*s\" at %zu, want "
		         "\"%s\"",
		         match, text, (int)(c.end - c.start), text + c.start,
		         c.start, cue);
}

static void
test_negated(void **state)
{
	(void)state;
	check("no numbness", "numb", "no");
	check("without any tingling", "tingl", "without");
	check("i dont have tingling", "tingl", "dont");
	check("never had any numbness", "numb", "never");
	check("no pins and needles", "pins", "no");
	check("nothings going down my leg", "going", "nothings");
	check("no sign of any numbness", "numb", "no");
	check("sore back, no numbness or tingling, what helps", "numb", "no");
	check("havent noticed tingling", "tingl", "havent");
}

static void
test_both_negated(void **state)
{
	const char *t = "no numbness or tingling";
	struct negation_cue c;

	(void)state;
	check(t, "numb", "no");
	check(t, "tingl", "no");
	/* The cue is reported by offset, the same for both. */
	assert_true(negation_find(t, strlen(t), 15, &c));
	assert_int_equal(c.start, 0);
	assert_int_equal(c.end, 2);
}

static void
test_cue_offsets(void **state)
{
	const char *t = "there is no real numbness";
	struct negation_cue c = { 0, 0 };

	(void)state;
	assert_true(negation_find(t, strlen(t), 17, &c));
	assert_int_equal(c.start, 9);
	assert_int_equal(c.end, 11);
	/* NULL is allowed when the caller wants only the answer. */
	assert_true(negation_find(t, strlen(t), 17, NULL));
	/* A match that begins inside a word: "ness" of "numbness". */
	c.start = c.end = 0;
	assert_true(negation_find(t, strlen(t), 21, &c));
	assert_int_equal(c.start, 9);
	assert_int_equal(c.end, 11);
}

static void
test_new_clause_not_negated(void **state)
{
	(void)state;
	check("no back pain really but my thigh is numb", "numb", NULL);
	check("without any warning my foot started tingling", "tingl", NULL);
	check("no pain, but tingling", "tingl", NULL);
	check("no pain but tingling", "tingl", NULL);
	check("no pain. tingling", "tingl", NULL);
	check("no pain; numb toes", "numb", NULL);
	check("no pain aside from numbness", "numb", NULL);
	check("no pain besides numbness", "numb", NULL);
	check("no idea why my leg is numb", "numb", NULL);
	check("never hurt before now my leg is numb", "numb", NULL);
	/* "my" opens a new statement, even with no punctuation before it;
	 * only after "in" is it part of the clause. */
	check("no pain my leg is numb", "numb", NULL);
	check("havent noticed in my legs any tingling", "tingl", "havent");
}

static void
test_pseudo_negation(void **state)
{
	(void)state;
	check("not sure if its numbness", "numb", NULL);
	check("not sure numbness", "numb", NULL);
	check("dont know tingling", "tingl", NULL);
	check("doesnt stop tingling", "tingl", NULL);
	/* "no change" says the numbness is still there. */
	check("no change in the numbness", "numb", NULL);
	check("not worse numbness", "numb", NULL);
}

static void
test_match_after_or_at_cue(void **state)
{
	(void)state;
	/* The negation comes after the match. */
	check("my leg is numb, not sure why", "numb", NULL);
	check("numb leg, no idea", "numb", NULL);
	/* The match starts at the first word: nothing before it. */
	check("cant feel my leg", "cant", NULL);
	check("i cant feel my leg", "cant", NULL);
	check("numbness", "numb", NULL);
}

static void
test_window(void **state)
{
	(void)state;
	/* Two content words between cue and match are in scope, three are
	 * not; fillers ("or", "any", "the") do not count. */
	check("no leg or foot numbness", "numb", "no");
	check("no lower leg or foot numbness", "numb", NULL);
	check("no any or the some numbness", "numb", "no");
}

static void
test_no_cue(void **state)
{
	(void)state;
	check("my leg is numb", "numb", NULL);
	check("tingling in my toes", "tingl", NULL);
	check("knock on wood numbness", "numb", NULL);
	/* Cue words must be whole words. */
	check("snow numbness", "numb", NULL);
	check("knot numbness", "numb", NULL);
	check("nonumbness", "numb", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negated),
		cmocka_unit_test(test_both_negated),
		cmocka_unit_test(test_cue_offsets),
		cmocka_unit_test(test_new_clause_not_negated),
		cmocka_unit_test(test_pseudo_negation),
		cmocka_unit_test(test_match_after_or_at_cue),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_no_cue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
