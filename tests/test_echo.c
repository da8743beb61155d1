/* Tests for echo.c: our replies coming back are echoes, exactly or nearly
 * (case, punctuation, a "Re:", one part of a two-part reply), and people's
 * messages are not: short phrases from a reply, a quote with a symptom
 * added, and every message of the triage corpora against the shipped
 * replies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "echo.h"
#include "normalise.h"
#include "rules.h"

static const char urgent[] =
    "Please see a doctor today: urgent care, your own doctor or a sports "
    "medicine clinic. A change of feeling in a leg or foot with back pain "
    "can mean an irritated nerve. Stop lifting until you are checked. If "
    "your groin loses feeling or you cannot control your bladder or bowels, "
    "call 911.";
static const char menu[] = "Text WHY, FORM or STRETCH. Reply STOP to opt out.";

/* Normalises text as decide_classify does, into a static buffer. */
static const char *
norm(const char *text)
{
	static char out[BT_MESSAGE_MAX + 1];
	struct normalise_result nr;

	assert_int_equal(
	    normalise_text(text, strlen(text), NORMALISE_RUNS_TWO, out, &nr),
	    NORMALISE_OK);
	return out;
}

static struct echo *
two_replies(void)
{
	struct echo *e = echo_new();

	assert_non_null(e);
	assert_int_equal(echo_add(e, urgent), 0);
	assert_int_equal(echo_add(e, menu), 0);
	return e;
}

static void
test_exact_and_near(void **state)
{
	struct echo *e = two_replies();
	size_t which = 99;
	char buf[1024];

	(void)state;
	assert_true(echo_match(e, norm(urgent), &which));
	assert_int_equal(which, 0);
	assert_true(echo_match(e, norm(menu), &which));
	assert_int_equal(which, 1);
	/* Case, punctuation and curly quotes do not matter. */
	assert_true(echo_match(
	    e,
	    norm("TEXT why form or stretch!!! reply \xe2\x80\x9cstop\xe2\x80"
	         "\x9d to opt out"),
	    NULL));
	/* A prefix of up to three words of its own. */
	snprintf(buf, sizeof(buf), "Re: Fwd: %s", urgent);
	assert_true(echo_match(e, norm(buf), NULL));
	/* The first part of a two-part reply, echoed on its own. */
	snprintf(buf, sizeof(buf), "%.153s", urgent);
	assert_true(echo_match(e, norm(buf), NULL));
	/* A word or two dropped or changed. */
	assert_true(echo_match(e,
	                       norm("Please see a doctor today: urgent care, "
	                            "your doctor or a sports medicine clinic."),
	                       NULL));
	echo_free(e);
}

static void
test_people_are_not_echoes(void **state)
{
	struct echo *e = two_replies();
	char buf[1024];

	(void)state;
	/* A phrase of a reply is not enough: eight words are. */
	assert_false(echo_match(e, norm("see a doctor today"), NULL));
	assert_false(echo_match(e, norm("should I stop lifting?"), NULL));
	assert_false(echo_match(
	    e, norm("can I see a sports medicine clinic today"), NULL));
	/* Our reply quoted with a symptom added: four words of the
	 * texter's own. */
	snprintf(buf, sizeof(buf), "%s my leg is numb", urgent);
	assert_false(echo_match(e, norm(buf), NULL));
	snprintf(buf, sizeof(buf),
	         "you said \"%.80s\" but now I cant feel "
	         "my foot",
	         urgent);
	assert_false(echo_match(e, norm(buf), NULL));
	/* The words of a reply in another order, with more of their own. */
	assert_false(echo_match(e,
	                        norm("my groin is numb and I cannot control my "
	                             "bladder, call 911?"),
	                        NULL));
	assert_false(echo_match(e, norm(""), NULL));
	echo_free(e);
}

static void
test_short_reply_whole(void **state)
{
	struct echo *e = echo_new();

	(void)state;
	assert_int_equal(echo_add(e, "pong"), 0);
	assert_true(echo_match(e, norm("Pong!"), NULL));
	assert_false(echo_match(e, norm("ping"), NULL));
	assert_false(echo_match(e, norm("pong pong my leg is numb"), NULL));
	echo_free(e);
}

static void
test_text(void **state)
{
	(void)state;
	assert_true(
	    echo_match_text(menu, norm("re: "
	                               "text why, form or "
	                               "stretch. reply stop to opt out")));
	assert_false(echo_match_text(menu, norm("stop")));
	assert_false(echo_match_text(NULL, norm("stop")));
}

/* A message far longer than any reply is no echo, and costs little. */
static void
test_long_message(void **state)
{
	struct echo *e = two_replies();
	char *big = malloc(BT_MESSAGE_MAX + 1);

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < BT_MESSAGE_MAX; i += 2) {
		big[i] = 'a';
		big[i + 1] = ' ';
	}
	big[BT_MESSAGE_MAX] = '\0';
	assert_false(echo_match(e, norm(big), NULL));
	free(big);
	echo_free(e);
}

/* Every shipped reply is an echo of itself, and no message of either
 * triage corpus is an echo of a shipped reply. */
static void
test_shipped(void **state)
{
	static const char *const corpora[] = { DEV_CORPUS, EXTRA_CORPUS };
	struct ruleset *rs = NULL;
	struct diag d;
	char *line = NULL;
	size_t cap = 0, n = 0;

	(void)state;
	diag_init(&d);
	if (rules_load(SHIPPED_RULES, &rs, &d) != 0)
		fail_msg("the shipped rules in %s do not load", SHIPPED_RULES);
	diag_free(&d);
	for (size_t i = 0; i < rs->nrules; i++)
		assert_true(
		    echo_match(rs->echo, norm(rs->rules[i].reply), NULL));
	for (int i = 0; i < REPLY__COUNT; i++)
		if (rs->replies[i] != NULL)
			assert_true(
			    echo_match(rs->echo, norm(rs->replies[i]), NULL));
	for (size_t c = 0; c < 2; c++) {
		FILE *fp = fopen(corpora[c], "r");
		if (fp == NULL)
			fail_msg("cannot open %s", corpora[c]);
		while (getline(&line, &cap, fp) > 0) {
			char *text = strrchr(line, '\t');
			if (line[0] == '#' || text == NULL)
				continue;
			text++;
			text[strcspn(text, "\r\n")] = '\0';
			if (echo_match(rs->echo, norm(text), NULL))
				fail_msg("%s: \"%s\" taken for an echo",
				         corpora[c], text);
			n++;
		}
		fclose(fp);
	}
	assert_true(n > 200);
	free(line);
	rules_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_near),
		cmocka_unit_test(test_people_are_not_echoes),
		cmocka_unit_test(test_short_reply_whole),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_long_message),
		cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
