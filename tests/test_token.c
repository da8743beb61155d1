/* Tests for token.c: words, numbers, sentences and clauses of a normalised
 * message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "token.h"

/* Renders the tokens as "word/sentence.clause" separated by spaces, with
 * '#' before numbers. */
static void
render(const char *text, char *out, size_t outlen)
{
	struct token t[64];
	size_t n = token_split(text, strlen(text), t, 64);
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && o < outlen; i++)
		o += (size_t)snprintf(
		    out + o, outlen - o, "%s%s%.*s/%u.%u", i ? " " : "",
		    (t[i].flags & TOKEN_NUMBER) ? "#" : "",
		    (int)(t[i].end - t[i].start), text + t[i].start,
		    t[i].sentence, t[i].clause);
}

static void
check(const char *text, const char *want)
{
	char got[1024];

	render(text, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", text, got, want);
}

static void
test_words_and_breaks(void **state)
{
	(void)state;
	check("my back hurts", "my/0.0 back/0.0 hurts/0.0");
	check("numb leg. no pain", "numb/0.0 leg/0.0 no/1.1 pain/1.1");
	check("numbness? nope", "numbness/0.0 nope/1.1");
	check("sore, stiff and tired", "sore/0.0 stiff/0.1 and/0.1 tired/0.1");
	check("x-ray was fine - leg numb",
	      "x/0.0 ray/0.0 was/0.0 fine/0.0 leg/0.1 numb/0.1");
	check("...", "");
	check("", "");
	check("  hi  ", "hi/0.0");
}

static void
test_numbers(void **state)
{
	(void)state;
	check("temp 101.2 today", "temp/0.0 #101.2/0.0 today/0.0");
	check("fever 38,6", "fever/0.0 #38,6/0.0");
	check("3rd time", "3rd/0.0 time/0.0");
	check("it was 5. then 6", "it/0.0 was/0.0 #5/0.0 then/1.1 #6/1.1");
	check("10,000 steps", "#10,000/0.0 steps/0.0");
}

static void
test_after_and_flags(void **state)
{
	struct token t[8];
	const char *s = "numb? nope";
	size_t n = token_split(s, strlen(s), t, 8);

	(void)state;
	assert_int_equal(n, 2);
	assert_int_equal(t[0].after, '?');
	assert_true(t[0].flags & TOKEN_SENTENCE_END);
	assert_true(t[1].flags & TOKEN_SENTENCE_END);
	assert_true(token_is(s, &t[1], "nope"));
	assert_false(token_is(s, &t[1], "nop"));
}

static void
test_bounded(void **state)
{
	static char big[8192];
	struct token t[16];

	(void)state;
	for (size_t i = 0; i + 1 < sizeof(big); i += 2) {
		big[i] = 'a';
		big[i + 1] = ' ';
	}
	assert_int_equal(token_split(big, sizeof(big) - 1, t, 16), 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_and_breaks),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_after_and_flags),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
