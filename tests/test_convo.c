/* Tests for conversations: convo_parse.c (every load error names its
 * file:line), convocheck.c (the checks that classify) and convo.c (every
 * path of convo_step and convo_begin, and the state's text form).  No I/O
 * but the temporary rule file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convo.h"
#include "rulecheck.h"
#include "testutil.h"

#define RULES                                                                  \
	"replies = { fallback = \"the fallback\"; help = \"tips on "           \
	"request\"; stop = \"bye\";\n"                                         \
	"  stop_emergency = \"bye, call 911\"; stop_urgent = \"bye, go\"; "    \
	"};\n"                                                                 \
	"rules = (\n"                                                          \
	"  { id = \"numb\"; category = \"urgent\";\n"                          \
	"    patterns = [ \"\\\\bnumb\" ]; reply = \"See a doctor today.\";\n" \
	"    examples = [ \"my leg is numb\" ]; },\n"                          \
	"  { id = \"bladder\"; category = \"emergency\";\n"                    \
	"    patterns = [ \"\\\\bbladder\" ]; reply = \"Call 911 now.\";\n"    \
	"    examples = [ \"my bladder\" ]; },\n"                              \
	"  { id = \"sore\"; category = \"tip\"; topic = \"recovery\";\n"       \
	"    patterns = [ \"\\\\bsore\\\\b\" ]; reply = \"Rest a bit.\";\n"    \
	"    examples = [ \"my back is sore\" ]; },\n"                         \
	"  { id = \"form\"; category = \"tip\"; topic = \"form\";\n"           \
	"    keywords = [ \"FORM\" ]; patterns = [ \"\\\\bform\\\\b\" ];\n"    \
	"    reply = \"Brace first.\"; examples = [ \"form tips\" ]; }\n"      \
	");\n"

/* A conversation set that passes every check.  Tests replace a piece of
 * it to make each mistake. */
static const char good[] =
    "conversations = (\n"
    "  { id = \"screen\"; after = [ \"sore\" ];\n"
    "    give_up = \"OK, we will drop it.\";\n"
    "    steps = (\n"
    "      { id = \"ask\"; prompt = \"Any odd feeling? Reply 1 or 2.\";\n"
    "        reprompt = \"Reply 1 or 2.\";\n"
    "        answers = ( { on = [ \"1\", \"yeah\" ]; next = \"which\"; },\n"
    "                    { on = [ \"2\", \"nope\" ]; reply = \"clear\"; "
    "} ); },\n"
    "      { id = \"which\"; prompt = \"Reply A or B.\";\n"
    "        reprompt = \"Please reply A or B.\";\n"
    "        answers = ( { on = [ \"a\" ]; reply = \"bladder\"; },\n"
    "                    { on = [ \"b\" ]; reply = \"numb\"; } ); }\n"
    "    );\n"
    "    replies = { clear = \"Good, rest a bit.\"; };\n"
    "    examples = ( [ \"my back is sore => sore, ask\", \"1 => which\",\n"
    "                   \"a => bladder\" ] ); },\n"
    "  { id = \"later\"; after = [ \"tip\" ]; delay_days = 7;\n"
    "    steps = ( { id = \"how\"; prompt = \"How is it? Reply 1 or 2.\";\n"
    "      reprompt = \"Reply 1 or 2, please.\";\n"
    "      answers = ( { on = [ \"1\" ]; reply = \"form\";\n"
    "                    outcome = \"better\"; },\n"
    "                  { on = [ \"2\" ]; reply = \"numb\"; } ); } );\n"
    "    examples = ( [ \"=> how\", \"2 => numb\" ] ); }\n"
    ");\n";

#define T0 INT64_C(1767268800) /* 2026-01-01 12:00 UTC */

/* RULES + conv (good with `from` replaced by `to` when from is set),
 * loaded into *rs (NULL when it does not load) with the diagnostics of
 * the load and, when it loads, of rulecheck in d.  Returns the text, whose
 * lines the diagnostics name. */
static char *
load(const char *from, const char *to, struct ruleset **rs, struct diag *d)
{
	char *conv = strdup(good), *text, *dir, *path;

	assert_non_null(conv);
	if (from != NULL) {
		char *at = strstr(conv, from);
		if (at == NULL)
			fail_msg("\"%s\" is not in the conversations", from);
		*at = '\0';
		if (asprintf(&text, "%s%s%s", conv, to, at + strlen(from)) < 0)
			fail();
		free(conv);
		conv = text;
	}
	if (asprintf(&text, "%s%s", RULES, conv) < 0)
		fail();
	free(conv);
	dir = testutil_tmpdir();
	path = testutil_write(dir, "rules.conf", text);
	diag_init(d);
	*rs = NULL;
	if (rules_load(path, rs, d) == 0)
		rulecheck_run(*rs, false, d);
	free(path);
	testutil_rmdir(dir);
	return text;
}

/* The line of text on which needle first appears. */
static int
line_of(const char *text, const char *needle)
{
	const char *at = strstr(strstr(text, "conversations = ("), needle);
	int line = 1;

	if (at == NULL)
		fail_msg("\"%s\" not found", needle);
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

/* Loads with one replacement and expects an error on the line of `mark`
 * (in the changed text) that says `what`. */
static void
expect_error(const char *from, const char *to, const char *mark,
             const char *what)
{
	struct ruleset *rs;
	struct diag d;
	char *text = load(from, to, &rs, &d);

	if (d.errors == 0) {
		testutil_diag_dump(&d);
		fail_msg("no error for %s", what);
	}
	EXPECT_DIAG(&d, "rules.conf", line_of(text, mark), what);
	rules_free(rs);
	diag_free(&d);
	free(text);
}

static void
test_clean(void **state)
{
	struct ruleset *rs;
	struct diag d;
	char *text = load(NULL, NULL, &rs, &d);

	(void)state;
	if (rs == NULL || d.count != 0) {
		testutil_diag_dump(&d);
		fail_msg("the good conversations gave diagnostics");
	}
	assert_int_equal(rs->convos->n, 2);
	assert_int_equal(rs->convos->convos[1].delay_s, 7 * 86400);
	assert_int_equal(convo_find(rs->convos, "later"), 1);
	assert_int_equal(convo_find(rs->convos, "nobody"), -1);
	rules_free(rs);
	diag_free(&d);
	free(text);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	expect_error("reprompt = \"Reply 1 or 2.\";",
	             "reprompt = \"Reply 1 or 2.\"; colour = \"red\";",
	             "colour", "unknown key \"colour\"");
	expect_error("next = \"which\"", "next = \"whatever\"", "whatever",
	             "next \"whatever\" is no step");
	expect_error("reply = \"clear\"", "reply = \"nothing-here\"",
	             "nothing-here", "is no reply of this conversation");
	expect_error("reply = \"clear\"", "reply = \"clear\"; next = \"ask\"",
	             "next = \"ask\"", "give either next");
	expect_error("after = [ \"sore\" ]", "after = [ \"numb\" ]",
	             "[ \"numb\" ]", "a red flag never starts");
	expect_error("after = [ \"tip\" ]", "after = [ \"nobody\" ]",
	             "\"nobody\"", "no rule id nor category");
	expect_error("delay_days = 7", "delay_days = 0", "delay_days",
	             "delay_days must be");
	expect_error("\"2 => numb\"", "\"2 numb\"", "\"2 numb\"",
	             "must read \"what the person sends => what follows\"");
	expect_error("id = \"which\";", "id = \"ask\";", "Reply A or B",
	             "duplicate step \"ask\"");
	expect_error("outcome = \"better\"", "outcome = \"Much Better\"",
	             "Much Better", "must be lower-case letters");
	expect_error("steps = ( { id = \"how\"",
	             "colour = 3; steps = ( { id = \"how\"", "colour = 3",
	             "unknown key \"colour\"");
	/* libconfig's own errors carry the line too */
	expect_error("id = \"which\";", "id = = \"which\";",
	             "id = = ", "syntax error");
}

static void
test_reachable_and_ends(void **state)
{
	(void)state;
	/* Nothing leads to "which" any more. */
	expect_error("next = \"which\"", "reply = \"clear\"", "id = \"which\"",
	             "step \"which\" is never asked");
	/* "which" only leads back to itself and to "ask"... which ends;
	 * a pair that only lead to each other does not. */
	expect_error(
	    "{ on = [ \"b\" ]; reply = \"numb\"; } ); }",
	    "{ on = [ \"b\" ]; next = \"loop\"; } ); },\n"
	    "      { id = \"loop\"; prompt = \"Again? 1 or 2.\";\n"
	    "        reprompt = \"1 or 2?\";\n"
	    "        answers = ( { on = [ \"1\" ]; next = \"loop2\"; } ); },\n"
	    "      { id = \"loop2\"; prompt = \"More? 1 or 2.\";\n"
	    "        reprompt = \"1 or 2??\";\n"
	    "        answers = ( { on = [ \"1\" ]; next = \"loop\"; } ); }",
	    "id = \"loop2\"", "no answer ever leads to an end");
	expect_error("answers = ( { on = [ \"1\" ]; reply = \"form\";\n"
	             "                    outcome = \"better\"; },\n"
	             "                  { on = [ \"2\" ]; reply = \"numb\"; "
	             "} );",
	             "answers = ( );", "answers = ( );",
	             "answers must be a list of options");
}

static void
test_sms_budget(void **state)
{
	char *long_prompt;

	(void)state;
	expect_error("Any odd feeling?", "Any odd feeling \xe2\x80\x94 any?",
	             "Any odd feeling", "not in GSM-7");
	/* 307 characters: three SMS parts */
	long_prompt = malloc(400);
	assert_non_null(long_prompt);
	memset(long_prompt, 'x', 307);
	memcpy(long_prompt, "Reply 1 or 2 ", 13);
	long_prompt[307] = '\0';
	char *to;
	if (asprintf(&to, "prompt = \"%s\";", long_prompt) < 0)
		fail();
	expect_error("prompt = \"Reply A or B.\";", to, "xxxx",
	             "needs 3 SMS parts");
	free(to);
	free(long_prompt);
}

static void
test_answer_keywords(void **state)
{
	(void)state;
	expect_error("\"1\", \"yeah\"", "\"1\", \"yes\"", "\"yes\"",
	             "\"yes\" is the carriers' start keyword");
	expect_error("\"1\", \"yeah\"", "\"1\", \"Stop\"", "\"Stop\"",
	             "\"stop\" is the carriers' stop keyword");
	expect_error("\"1\", \"yeah\"", "\"1\", \"INFO\"", "\"INFO\"",
	             "\"info\" is the carriers' help keyword");
	expect_error("\"1\", \"yeah\"", "\"1\", \"unstop\"", "\"unstop\"",
	             "carriers' start keyword");
	expect_error("\"2\", \"nope\"", "\"2\", \"Yeah!\"", "\"Yeah!\"",
	             "\"yeah\" already chooses answer 1");
	/* read as a red flag: never reached, a red flag comes first */
	expect_error("\"2\", \"nope\"", "\"2\", \"numb\"", "\"numb\"",
	             "selects rule \"numb\" (urgent)");
}

static void
test_checks_that_classify(void **state)
{
	(void)state;
	expect_error("Any odd feeling? Reply 1 or 2.",
	             "If your leg is numb reply 1, else 2.", "If your leg",
	             "prompt: reply, read as a text from someone, selects "
	             "rule \"numb\"");
	expect_error("Please reply A or B.", "Unsubscribe", "Unsubscribe",
	             "reprompt: reply, read as a text");
	expect_error("OK, we will drop it.", "Bladder trouble? Bye.",
	             "Bladder trouble", "give_up: reply, read as a text");
	expect_error("Good, rest a bit.", "Good, your leg is numb.",
	             "leg is numb", "reply clear: reply, read as a text");
	/* examples must play out as written */
	expect_error("\"a => bladder\"", "\"a => numb\"", "\"a => numb\"",
	             "example turn \"a\" is answered with bladder, not as "
	             "written");
	expect_error("\"1 => which\"", "\"purple => which\"", "purple",
	             "is answered with again, not as written");
	expect_error("\"my back is sore => sore, ask\"",
	             "\"FORM => form, ask\"", "FORM",
	             "is answered with form, not as written");
}

/* ---- the engine ---- */

struct play {
	struct ruleset *rs;
	struct classify *c;
	struct convo_state st;
	struct convo_out out;
	int64_t now;
	bool subscribed; /* the number is known not to be opted out */
};

static void
play_setup(struct play *p)
{
	struct diag d;
	char *text = load(NULL, NULL, &p->rs, &d);

	assert_non_null(p->rs);
	diag_free(&d);
	free(text);
	p->c = classify_new(p->rs);
	assert_non_null(p->c);
	memset(&p->st, 0, sizeof(p->st));
	p->now = T0;
	p->subscribed = false;
}

static void
play_free(struct play *p)
{
	classify_free(p->c);
	rules_free(p->rs);
}

/* Sends one message a minute after the last; returns the messages sent
 * as "kind:name ..." for comparison. */
static const char *
say(struct play *p, const char *text)
{
	static char buf[256];
	static const char *const kinds[] = { "reply", "prompt", "reprompt",
		                             "end", "give_up" };
	struct classify_result res;
	size_t used = 0;

	p->now += 60;
	assert_int_equal(classify_message(p->c, text, strlen(text), &res, NULL),
	                 0);
	struct convo_msg_in in = convo_msg_from(&res, text);
	in.subscribed = p->subscribed;
	convo_step(p->rs, &p->st, &in, p->now, &p->st, &p->out);
	buf[0] = '\0';
	for (size_t i = 0; i < p->out.n; i++)
		used += (size_t)snprintf(
		    buf + used, sizeof(buf) - used, "%s%s:%s", i ? " " : "",
		    kinds[p->out.msgs[i].kind], p->out.msgs[i].name);
	return buf;
}

/* The events of the last step as "kind:conv/step[/answer][+checkin] ...". */
static const char *
events(const struct play *p)
{
	static char buf[256];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->out.nevents; i++) {
		const struct convo_event *e = &p->out.events[i];
		used += (size_t)snprintf(
		    buf + used, sizeof(buf) - used, "%s%s:%s/%s%s%s%s",
		    i ? " " : "", convo_event_name(e->kind),
		    p->rs->convos->convos[e->conv - 1].id,
		    e->step ? e->step : "-", e->answer ? "/" : "",
		    e->answer ? e->answer : "", e->checkin ? "+checkin" : "");
	}
	return buf;
}

static void
test_step_start_and_yes_path(void **state)
{
	struct play p;

	(void)state;
	play_setup(&p);
	assert_string_equal(say(&p, "my back is sore"),
	                    "reply:sore prompt:ask");
	assert_int_equal(p.st.conv, 1);
	assert_int_equal(p.st.step, 0);
	assert_int_equal(p.st.deadline, p.now + CONVO_TTL_DEFAULT);
	/* the check-in is scheduled a week on, under a new generation */
	assert_int_equal(p.out.checkin, 2);
	assert_int_equal(p.out.checkin_at, p.now + 7 * 86400);
	assert_int_equal(p.out.checkin_gen, 1);
	assert_int_equal(p.st.gen, 1);
	assert_string_equal(p.out.msgs[1].text,
	                    "Any odd feeling? Reply 1 or 2.");

	assert_string_equal(say(&p, "Yeah!"), "prompt:which");
	assert_false(p.out.ended);
	assert_int_equal(p.out.checkin, 0);
	assert_string_equal(say(&p, "A"), "end:bladder");
	assert_int_equal(p.out.msgs[0].category, CATEGORY_EMERGENCY);
	assert_string_equal(p.out.msgs[0].text, "Call 911 now.");
	assert_true(p.out.ended);
	assert_int_equal(p.st.conv, 0);
	/* over: "a" is an ordinary message again */
	assert_string_equal(say(&p, "a"), "reply:fallback");
	play_free(&p);
}

static void
test_step_no_path(void **state)
{
	struct play p;

	(void)state;
	play_setup(&p);
	say(&p, "my back is sore");
	assert_string_equal(say(&p, "nope"), "end:clear");
	assert_int_equal(p.out.msgs[0].category, CATEGORY_TIP);
	assert_string_equal(p.out.msgs[0].text, "Good, rest a bit.");
	assert_true(p.out.ended);
	play_free(&p);
}

static void
test_step_not_offered(void **state)
{
	struct play p;

	(void)state;
	play_setup(&p);
	/* a keyword asks for its tip; a question for its answer */
	assert_string_equal(say(&p, "FORM"), "reply:form");
	assert_int_equal(p.out.checkin, 0);
	assert_string_equal(say(&p, "is my back sore"), "reply:sore");
	assert_string_equal(say(&p, "my back is sore, what do I do"),
	                    "reply:sore");
	assert_string_equal(say(&p, "my back is sore?"), "reply:sore");
	/* a red flag never starts one */
	assert_string_equal(say(&p, "my back is sore and my leg is numb"),
	                    "reply:numb");
	assert_int_equal(p.out.checkin, 0);
	assert_int_equal(p.st.conv, 0);
	/* "form tips" follows "tip" (category): the check-in only */
	assert_string_equal(say(&p, "form tips"), "reply:form");
	assert_int_equal(p.out.checkin, 2);
	assert_int_equal(p.st.conv, 0);
	play_free(&p);
}

static void
test_step_stop_mid_conversation(void **state)
{
	struct play p;

	(void)state;
	play_setup(&p);
	say(&p, "my back is sore");
	say(&p, "1");
	uint32_t gen = p.st.gen;
	assert_string_equal(say(&p, "STOP"), "reply:stop");
	assert_true(p.out.cancel_checkins);
	assert_true(p.out.ended);
	assert_int_equal(p.st.conv, 0);
	assert_int_equal(p.st.gen, gen + 1);
	/* a STOP asked for in words ends it too */
	say(&p, "my back is sore");
	assert_int_equal(p.st.conv, 1);
	assert_string_equal(say(&p, "please stop texting me"), "reply:stop");
	assert_true(p.out.cancel_checkins);
	assert_int_equal(p.st.conv, 0);
	/* and with no conversation, it still cancels the check-ins */
	assert_string_equal(say(&p, "stop"), "reply:stop");
	assert_true(p.out.cancel_checkins);
	assert_false(p.out.ended);
	play_free(&p);
}

static void
test_step_red_flag_mid_conversation(void **state)
{
	struct play p;

	(void)state;
	play_setup(&p);
	say(&p, "my back is sore");
	assert_string_equal(say(&p, "my leg is numb"), "reply:numb");
	assert_int_equal(p.out.msgs[0].category, CATEGORY_URGENT);
	assert_true(p.out.ended);
	assert_int_equal(p.st.conv, 0);
	/* even when its words are an answer's: "b" would be, at "which" */
	say(&p, "my back is sore");
	say(&p, "1");
	assert_string_equal(say(&p, "bladder"), "reply:bladder");
	assert_int_equal(p.st.conv, 0);
	play_free(&p);
}

static void
test_step_help_keeps_waiting(void **state)
{
	struct play p;

	(void)state;
	play_setup(&p);
	say(&p, "my back is sore");
	assert_string_equal(say(&p, "HELP"), "reply:help");
	assert_false(p.out.ended);
	assert_int_equal(p.st.conv, 1);
	assert_string_equal(say(&p, "2"), "end:clear");
	play_free(&p);
}

/* A bare YES while a question waits, from a number not opted out: no
 * opt-in (nothing to opt into) and no answer (YES is a carrier keyword,
 * never an option): a miss, so the question is asked again, once.  From
 * a number that may be opted out it is a START, and the question still
 * waits; START and UNSTOP are always a START. */
static void
test_step_bare_yes(void **state)
{
	struct play p;

	(void)state;
	play_setup(&p);
	p.rs->convos->daily_max = 10;
	p.subscribed = true;
	assert_string_equal(say(&p, "YES"), "reply:start"); /* none waits */
	say(&p, "my back is sore");
	assert_string_equal(say(&p, "YES"), "reprompt:ask");
	assert_int_equal(p.out.nevents, 0);
	assert_int_equal(p.st.conv, 1);
	assert_string_equal(say(&p, "Yes!"), "give_up:give_up reply:start");
	assert_string_equal(events(&p), "gave_up:screen/ask");
	assert_int_equal(p.st.conv, 0);
	/* after the re-prompt, an answer still counts */
	say(&p, "my back is sore");
	assert_string_equal(say(&p, "yes"), "reprompt:ask");
	assert_string_equal(say(&p, "1"), "prompt:which");
	/* START, UNSTOP: compliance first, the question still waits */
	assert_string_equal(say(&p, "START"), "reply:start");
	assert_string_equal(say(&p, "unstop"), "reply:start");
	assert_int_equal(p.st.conv, 1);
	/* "yes please" is no keyword: a miss like any other */
	assert_string_equal(say(&p, "yes please"), "reprompt:which");
	/* opted out, or not known: YES is a START */
	p.subscribed = false;
	say(&p, "my back is sore");
	assert_string_equal(say(&p, "YES"), "reply:start");
	assert_int_equal(p.st.conv, 1);
	assert_int_equal(p.st.reprompts, 0);
	assert_string_equal(say(&p, "2"), "end:clear");
	play_free(&p);
}

static void
test_step_reprompt_then_new(void **state)
{
	struct play p;

	(void)state;
	play_setup(&p);
	p.rs->convos->daily_max = 10;
	say(&p, "my back is sore");
	assert_string_equal(say(&p, "purple"), "reprompt:ask");
	assert_string_equal(p.out.msgs[0].text, "Reply 1 or 2.");
	assert_int_equal(p.st.conv, 1);
	assert_int_equal(p.st.reprompts, 1);
	/* the second miss ends it, and the message is read as new */
	assert_string_equal(say(&p, "form tips"), "give_up:give_up reply:form");
	assert_string_equal(p.out.msgs[0].text, "OK, we will drop it.");
	assert_true(p.out.ended);
	assert_int_equal(p.st.conv, 0);
	/* a new report after a miss starts over */
	say(&p, "my back is sore");
	say(&p, "purple");
	assert_string_equal(say(&p, "my back is sore again"),
	                    "give_up:give_up reply:sore prompt:ask");
	assert_int_equal(p.st.reprompts, 0);
	/* an answer after a re-prompt still counts */
	assert_string_equal(say(&p, "purple"), "reprompt:ask");
	assert_string_equal(say(&p, "1"), "prompt:which");
	assert_int_equal(p.st.reprompts, 0);
	play_free(&p);
}

static void
test_step_expiry(void **state)
{
	struct play p;

	(void)state;
	play_setup(&p);
	say(&p, "my back is sore");
	p.now = p.st.deadline - 60; /* say adds the minute: at the deadline */
	assert_string_equal(say(&p, "1"), "prompt:which");
	p.now = p.st.deadline; /* a second late */
	p.now += 1 - 60;
	assert_string_equal(say(&p, "a"), "reply:fallback");
	assert_int_equal(p.st.conv, 0);
	assert_false(p.out.ended);
	play_free(&p);
}

static void
test_step_daily_bound(void **state)
{
	struct play p;

	(void)state;
	play_setup(&p);
	p.rs->convos->daily_max = 2;
	assert_string_equal(say(&p, "my back is sore"),
	                    "reply:sore prompt:ask");
	assert_string_equal(say(&p, "nope"), "end:clear");
	assert_string_equal(say(&p, "my back is sore"),
	                    "reply:sore prompt:ask");
	assert_string_equal(say(&p, "2"), "end:clear");
	/* two conversation messages today: no third */
	assert_string_equal(say(&p, "my back is sore"), "reply:sore");
	assert_int_equal(p.st.conv, 0);
	/* the next UTC day */
	p.now += 86400;
	assert_string_equal(say(&p, "my back is sore"),
	                    "reply:sore prompt:ask");
	play_free(&p);
}

static void
test_begin_checkin(void **state)
{
	struct play p;
	struct convo_state st;

	(void)state;
	play_setup(&p);
	say(&p, "form tips"); /* schedules the check-in */
	uint16_t conv = p.out.checkin;
	uint32_t gen = p.out.checkin_gen;
	assert_int_equal(conv, 2);
	/* stale: a generation that is not the state's */
	assert_int_equal(
	    convo_begin(p.rs, &p.st, conv, gen + 1, p.now, &st, &p.out), -1);
	assert_int_equal(p.out.n, 0);
	assert_int_equal(st.conv, 0);
	/* not while another conversation waits */
	say(&p, "my back is sore"); /* a newer report: a newer generation */
	assert_int_equal(p.out.checkin_gen, gen + 1);
	assert_int_equal(convo_begin(p.rs, &p.st, conv, p.out.checkin_gen,
	                             p.now, &st, &p.out),
	                 -1);
	/* the first report's check-in is stale now */
	say(&p, "2");
	assert_int_equal(
	    convo_begin(p.rs, &p.st, conv, gen, p.now + 60, &st, &p.out), -1);
	assert_int_equal(
	    convo_begin(p.rs, &p.st, conv, gen + 1, p.now + 60, &st, &p.out),
	    0);
	assert_int_equal(p.out.n, 1);
	assert_int_equal(p.out.msgs[0].kind, CONVO_OUT_PROMPT);
	assert_string_equal(p.out.msgs[0].name, "how");
	p.st = st;
	p.now += 60;
	assert_string_equal(say(&p, "2"), "end:numb");
	/* a STOP makes every scheduled check-in stale */
	say(&p, "form tips");
	gen = p.out.checkin_gen;
	say(&p, "STOP");
	assert_int_equal(
	    convo_begin(p.rs, &p.st, conv, gen, p.now + 60, &st, &p.out), -1);
	/* no such conversation */
	assert_int_equal(
	    convo_begin(p.rs, &p.st, 9, p.st.gen, p.now + 60, &st, &p.out), -1);
	play_free(&p);
}

static void
test_step_events(void **state)
{
	struct play p;
	struct convo_state st;

	(void)state;
	play_setup(&p);
	p.rs->convos->daily_max = 20;
	/* both ways, each step reported once */
	say(&p, "my back is sore");
	assert_string_equal(events(&p), "started:screen/ask");
	say(&p, "1");
	assert_string_equal(events(&p), "answered:screen/ask/which");
	say(&p, "a");
	assert_string_equal(events(&p), "finished:screen/which/bladder");
	say(&p, "a"); /* over: an ordinary message, nothing happens */
	assert_string_equal(events(&p), "");
	say(&p, "my back is sore");
	say(&p, "HELP"); /* answered; the question still waits */
	assert_string_equal(events(&p), "");
	say(&p, "nope");
	assert_string_equal(events(&p), "finished:screen/ask/clear");
	/* a STOP and a red flag interrupt */
	say(&p, "my back is sore");
	say(&p, "STOP");
	assert_string_equal(events(&p), "interrupted:screen/ask/stop");
	say(&p, "STOP"); /* none waits: nothing */
	assert_string_equal(events(&p), "");
	say(&p, "my back is sore");
	say(&p, "1");
	say(&p, "my leg is numb");
	assert_string_equal(events(&p), "interrupted:screen/which/red_flag");
	/* a re-prompt is no event; the second miss gives up, and the
	 * message, new, may start another */
	say(&p, "my back is sore");
	say(&p, "purple");
	assert_string_equal(events(&p), "");
	say(&p, "my back is sore again");
	assert_string_equal(events(&p),
	                    "gave_up:screen/ask started:screen/ask");
	/* expired: seen when the number next writes, once */
	p.now = p.st.deadline;
	say(&p, "my back is sore");
	assert_string_equal(events(&p),
	                    "expired:screen/ask started:screen/ask");
	p.now = p.st.deadline;
	say(&p, "a");
	assert_string_equal(events(&p), "expired:screen/ask");
	say(&p, "a");
	assert_string_equal(events(&p), "");
	/* a check-in: started by the scheduler, its answer's outcome */
	say(&p, "form tips");
	assert_int_equal(convo_begin(p.rs, &p.st, p.out.checkin,
	                             p.out.checkin_gen, p.now + 60, &st,
	                             &p.out),
	                 0);
	assert_string_equal(events(&p), "started:later/how+checkin");
	p.st = st;
	p.now += 60;
	say(&p, "1");
	assert_string_equal(events(&p), "finished:later/how/better+checkin");
	/* no outcome: where the answer leads is its name */
	say(&p, "form tips");
	convo_begin(p.rs, &p.st, p.out.checkin, p.out.checkin_gen, p.now, &st,
	            &p.out);
	p.st = st;
	say(&p, "2");
	assert_string_equal(events(&p), "finished:later/how/numb+checkin");
	/* a check-in that begins over an expired question: both */
	say(&p, "my back is sore"); /* asks, and schedules the check-in */
	uint16_t conv = p.out.checkin;
	uint32_t gen = p.out.checkin_gen;
	assert_int_equal(
	    convo_begin(p.rs, &p.st, conv, gen, p.st.deadline + 1, &st, &p.out),
	    0);
	assert_string_equal(events(&p),
	                    "expired:screen/ask started:later/how+checkin");
	/* refused: nothing happened */
	assert_int_equal(convo_begin(p.rs, &st, conv, gen + 1,
	                             p.st.deadline + 2, &st, &p.out),
	                 -1);
	assert_int_equal(p.out.nevents, 0);
	play_free(&p);
}

/* The sweep: a question past its deadline is over, once; an active one,
 * or none, is left. */
static void
test_expire(void **state)
{
	struct play p;
	struct convo_state st, st2;

	(void)state;
	play_setup(&p);
	assert_int_equal(convo_expire(p.rs, &p.st, p.now, &st, &p.out), -1);
	say(&p, "my back is sore");
	say(&p, "1");
	assert_int_equal(convo_expire(p.rs, &p.st, p.st.deadline, &st, &p.out),
	                 -1);
	assert_int_equal(memcmp(&st, &p.st, sizeof(st)), 0);
	assert_int_equal(p.out.nevents, 0);
	assert_int_equal(
	    convo_expire(p.rs, &p.st, p.st.deadline + 1, &st, &p.out), 0);
	assert_string_equal(events(&p), "expired:screen/which");
	assert_int_equal(p.out.n, 0);
	assert_int_equal(st.conv, 0);
	assert_int_equal(st.gen, p.st.gen); /* the check-in stays due */
	/* once: the state it leaves has nothing to expire */
	assert_int_equal(
	    convo_expire(p.rs, &st, p.st.deadline + 2, &st2, &p.out), -1);
	/* a message after the sweep finds nothing expired either */
	p.now = p.st.deadline + 2;
	p.st = st;
	say(&p, "a");
	assert_int_equal(p.out.nevents, 0);
	play_free(&p);
}

static void
test_state_text(void **state)
{
	struct convo_state st = { .conv = 2,
		                  .step = 3,
		                  .reprompts = 1,
		                  .sent = 4,
		                  .day = 20454,
		                  .deadline = INT64_C(1767268800),
		                  .gen = 4000000000u },
	                   back;
	char buf[CONVO_STATE_TEXT_MAX];

	(void)state;
	convo_state_format(&st, buf, sizeof(buf));
	assert_string_equal(buf, "c2 s3 r1 n4 d20454 t1767268800 g4000000000");
	assert_int_equal(convo_state_parse(buf, &back), 0);
	assert_int_equal(back.conv, st.conv);
	assert_int_equal(back.step, st.step);
	assert_int_equal(back.reprompts, st.reprompts);
	assert_int_equal(back.sent, st.sent);
	assert_int_equal(back.day, st.day);
	assert_int_equal(back.deadline, st.deadline);
	assert_int_equal(back.gen, st.gen);
	static const char *const bad[] = {
		"",
		"c2",
		"c2 s3 r1 n4 d20454 t1767268800",
		"c2 s3 r1 n4 d20454 t1767268800 g1 ",
		"c2 s3 r1 n4 d20454 t1767268800 g1 x",
		"c70000 s3 r1 n4 d20454 t1767268800 g1",
		"c2 s3 r256 n4 d20454 t1767268800 g1",
		"c2 s3 r1 n4 d20454 t99999999999999999999 g1",
		"c2 s3 r1 n4 d20454 t1767268800 g-1",
		"c2  s3 r1 n4 d20454 t1767268800 g1",
		"c+2 s3 r1 n4 d20454 t1767268800 g1",
		"s3 c2 r1 n4 d20454 t1767268800 g1",
		"c2 s3 r1 n4 d20454 t1767268800 g1x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (convo_state_parse(bad[i], &back) != -1)
			fail_msg("\"%s\" parsed", bad[i]);
		assert_int_equal(back.conv, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_reachable_and_ends),
		cmocka_unit_test(test_sms_budget),
		cmocka_unit_test(test_answer_keywords),
		cmocka_unit_test(test_checks_that_classify),
		cmocka_unit_test(test_step_start_and_yes_path),
		cmocka_unit_test(test_step_no_path),
		cmocka_unit_test(test_step_not_offered),
		cmocka_unit_test(test_step_stop_mid_conversation),
		cmocka_unit_test(test_step_red_flag_mid_conversation),
		cmocka_unit_test(test_step_help_keeps_waiting),
		cmocka_unit_test(test_step_bare_yes),
		cmocka_unit_test(test_step_reprompt_then_new),
		cmocka_unit_test(test_step_expiry),
		cmocka_unit_test(test_step_daily_bound),
		cmocka_unit_test(test_begin_checkin),
		cmocka_unit_test(test_step_events),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_state_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
