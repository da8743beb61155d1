/* Tests for intent.c: which short plain texts are requests to stop, to
 * start again or for the menu.  Inputs are already normalised (lowercase,
 * apostrophes removed, accents stripped). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "intent.h"

/* want: the category, or CATEGORY_FALLBACK for "no request". */
static void
check(const char *text, bool no_stop, enum category want)
{
	enum category got = CATEGORY_FALLBACK;
	bool found = intent_find(text, strlen(text), no_stop, &got);

	if (want == CATEGORY_FALLBACK && found)
		fail_msg("\"%s\": a request (%s), want none", text,
		         category_name(got));
	if (want != CATEGORY_FALLBACK && (!found || got != want))
		fail_msg("\"%s\": %s, want %s", text,
		         found ? category_name(got) : "none",
		         category_name(want));
}

static void
test_stop(void **state)
{
	(void)state;
	check("quit sending me stuff", false, CATEGORY_STOP);
	check("my backs better, im done with this service, please stop "
	      "sending",
	      false, CATEGORY_STOP);
	check("basta, no mas mensajes por favor", false, CATEGORY_STOP);
	check("stopp", false, CATEGORY_STOP);
	check("no more texts please", false, CATEGORY_STOP);
	check("leave me alone", false, CATEGORY_STOP);
	check("remove me from the list", false, CATEGORY_STOP);
	check("nao quero mais mensagens", false, CATEGORY_STOP);
	check("arrete", false, CATEGORY_STOP);
	check("stopp bitte keine sms mehr", false, CATEGORY_STOP);
	check("arretez de menvoyer des messages", false, CATEGORY_STOP);
	check("i want out", false, CATEGORY_STOP);
	check("no more please", false, CATEGORY_STOP);
	check("ne plus menvoyer de messages", false, CATEGORY_STOP);
	check("id like to be removed from this list, thank you", false,
	      CATEGORY_STOP);
	check("please take my number off your system", false, CATEGORY_STOP);
	check("turn them off", false, CATEGORY_STOP);
	/* with no_stop (an alert) a stop is never found */
	check("quit sending me stuff", true, CATEGORY_FALLBACK);
}

static void
test_start(void **state)
{
	(void)state;
	check("restart my texts", false, CATEGORY_START);
	check("resume messages please", false, CATEGORY_START);
	check("i want to sign up again", false, CATEGORY_START);
	check("hi, i want to start using the service again", false,
	      CATEGORY_START);
	/* signed up already: not a request to start */
	check("just signed up, how do i use this", false, CATEGORY_FALLBACK);
	check("re-join", false, CATEGORY_START);
	check("subscribe", false, CATEGORY_START);
	check("i want back in", false, CATEGORY_START);
	check("opt in", false, CATEGORY_START);
	check("back on pls", false, CATEGORY_START);
	check("please activate the service again", false, CATEGORY_START);
	check("can you send the tips again", false, CATEGORY_START);
}

static void
test_help(void **state)
{
	(void)state;
	check("options pls", false, CATEGORY_HELP);
	check("list of options please", false, CATEGORY_HELP);
	check("can you send me the instructions again?", false, CATEGORY_HELP);
	check("hello? how do i get started with this?", false, CATEGORY_HELP);
	/* the tips again is a start, not the menu */
	check("send me the tips again", false, CATEGORY_START);
	check("how do i ask a question here", false, CATEGORY_HELP);
	check("how does it work", false, CATEGORY_HELP);
	check("what are my options", false, CATEGORY_HELP);
	check("what words do you understand", false, CATEGORY_HELP);
	check("can u explain how to ask a question", false, CATEGORY_HELP);
}

/* Words outside every request, a request without its sign, two requests
 * that disagree. */
static void
test_not_requests(void **state)
{
	(void)state;
	check("how do i stop my back hurting", false, CATEGORY_FALLBACK);
	check("can i get back on it", false, CATEGORY_FALLBACK);
	check("im done", false, CATEGORY_FALLBACK);
	check("no more pain please", false, CATEGORY_FALLBACK);
	check("i want out of this pain", false, CATEGORY_FALLBACK);
	check("back on track", false, CATEGORY_FALLBACK);
	check("when do i start deadlifting again", false, CATEGORY_FALLBACK);
	check("cancel my appointment", false, CATEGORY_FALLBACK);
	check("i quit smoking", false, CATEGORY_FALLBACK);
	check("send me more", false, CATEGORY_FALLBACK);
	check("how do i use a lifting belt", false, CATEGORY_FALLBACK);
	check("stop. no wait, start again", false, CATEGORY_FALLBACK);
	check("thanks", false, CATEGORY_FALLBACK);
	check("", false, CATEGORY_FALLBACK);
}

/* Long texts are never requests, and never read past the bound. */
static void
test_long_text(void **state)
{
	char buf[INTENT_TEXT_MAX + 2];

	(void)state;
	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	memcpy(buf, "stop ", 5);
	check(buf, false, CATEGORY_FALLBACK);
	/* more words than it reads: none, though each is a filler */
	char many[INTENT_TEXT_MAX + 1] = "";
	for (int i = 0; i < 100; i++)
		strcat(many, "k ");
	check(many, false, CATEGORY_FALLBACK);
	check("stop stop stop", false, CATEGORY_STOP);
}

/* intent_word's binary search needs its table in order. */
static void
test_table_sorted(void **state)
{
	(void)state;
	assert_true(intent_table_ok());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sorted),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_not_requests),
		cmocka_unit_test(test_long_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
