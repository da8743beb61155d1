/* Tests for classify.c: compliance keywords and phrases, rule keywords,
 * precedence, negation, exclusions, the fallback, repeated letters, and
 * that explain mode (every pattern run) decides exactly as the fast path
 * (vectorscan prefilter, then PCRE2). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "normalise.h"
#include "prefilter.h"
#include "rules.h"
#include "testutil.h"

/* File order deliberately disagrees with precedence: the tip comes first,
 * the emergency rule after the urgent ones, the low priority rule before
 * the high one. */
static const char rules_text[] =
    "replies = { fallback = \"MENU\"; help = \"HELPTEXT\";\n"
    "  stop = \"BYE\"; start = \"HI\"; };\n"
    "rules = (\n"
    "  { id = \"form\"; category = \"tip\"; topic = \"form\";\n"
    "    keywords = [ \"FORM\" ];\n"
    "    patterns = [ \"\\\\bform\\\\b\", \"\\\\bdeadlift\" ];\n"
    "    reply = \"R-form\"; },\n"
    "  { id = \"recover-kw\"; category = \"tip\"; topic = \"recovery\";\n"
    "    keywords = [ \"RECOVER\" ]; reply = \"R-recover\"; },\n"
    "  { id = \"stretch\"; category = \"tip\"; topic = \"stretch\";\n"
    "    patterns = [ \"\\\\bstretch\" ]; reply = \"R-stretch\"; },\n"
    "  { id = \"fever\"; category = \"urgent\";\n"
    "    patterns = [ \"\\\\bfever\" ]; reply = \"R-fever\"; },\n"
    "  { id = \"numb\"; category = \"urgent\"; priority = 10;\n"
    "    patterns = [ \"\\\\bnumb(ness)?\\\\b\", \"\\\\btingl\" ];\n"
    "    keywords = [ \"NUMB\" ]; reply = \"R-numb\"; },\n"
    "  { id = \"cauda\"; category = \"emergency\";\n"
    "    patterns = [ \"\\\\b(bladder|bowel)\\\\b\" ];\n"
    "    reply = \"R-cauda\"; },\n"
    "  { id = \"week\"; category = \"referral\";\n"
    "    patterns = [ \"\\\\bweeks?\\\\b\" ];\n"
    "    exclude = [ \"\\\\bnext week\\\\b\", \"\\\\bper week\\\\b\" ];\n"
    "    reply = \"R-week\"; },\n"
    "  { id = \"sleep\"; category = \"referral\";\n"
    "    patterns = [ \"\\\\bsleep\\\\b\" ]; reply = \"R-sleep\"; },\n"
    "  { id = \"physio\"; category = \"referral\"; negatable = true;\n"
    "    patterns = [ \"\\\\bphysio\", \"\\\\bortho\" ];\n"
    "    reply = \"R-physio\"; },\n"
    "  { id = \"gym-a\"; category = \"info\";\n"
    "    patterns = [ \"\\\\bgym\\\\b\" ]; reply = \"R-gym-a\"; },\n"
    "  { id = \"gym-b\"; category = \"info\";\n"
    "    patterns = [ \"\\\\bgym\\\\b\" ]; reply = \"R-gym-b\"; },\n"
    "  { id = \"pharmacy-low\"; category = \"info\"; priority = 1;\n"
    "    patterns = [ \"pharmacy\" ]; reply = \"R-ph-low\"; },\n"
    "  { id = \"pharmacy-high\"; category = \"info\"; priority = 5;\n"
    "    patterns = [ \"\\\\bpharmac\" ]; reply = \"R-ph-high\"; },\n"
    /* Patterns vectorscan cannot take even as a prefilter (a subroutine
     * call, \\K) are confirmed on every message. */
    "  { id = \"both\"; category = \"info\"; priority = -5;\n"
    "    patterns = [ \"\\\\b(sore|stiff) and (?1)\\\\b\" ];\n"
    "    reply = \"R-both\"; },\n"
    "  { id = \"calf\"; category = \"info\"; priority = -6;\n"
    "    patterns = [ \"\\\\bsore \\\\Kcalf\" ]; reply = \"R-calf\"; },\n"
    "  { id = \"unicode\"; category = \"info\"; priority = -7;\n"
    "    patterns = [ \"\\\\bdolor\\\\b\", \"r\xc3\xbc"
    "cken\" ];\n"
    "    reply = \"R-unicode\"; }\n"
    ");\n";

static struct ruleset *rs;
static struct classify *cl;

static int
setup(void **state)
{
	(void)state;
	rs = testutil_load_text(rules_text);
	cl = classify_new(rs);
	return cl == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	classify_free(cl);
	rules_free(rs);
	return 0;
}

static struct classify_result
run(const char *text)
{
	struct classify_result r;

	if (classify_message(cl, text, strlen(text), &r, NULL) != 0)
		fail_msg("\"%s\" rejected", text);
	return r;
}

/* text selects rule id (NULL for a built-in) with category cat. */
static struct classify_result
expect(const char *text, enum category cat, const char *id)
{
	struct classify_result r = run(text);

	if (r.category != cat || (id == NULL) != (r.rule_id == NULL) ||
	    (id != NULL && strcmp(id, r.rule_id) != 0))
		fail_msg("\"%s\": %s rule %s, want %s rule %s", text,
		         category_name(r.category), r.rule_id ? r.rule_id : "-",
		         category_name(cat), id ? id : "-");
	if (id == NULL)
		assert_int_equal(r.rule, -1);
	else
		assert_string_equal(rs->rules[r.rule].id, id);
	return r;
}

static void
expect_via(const char *text, enum category cat, const char *id,
           enum classify_via via)
{
	struct classify_result r = expect(text, cat, id);

	if (r.via != via)
		fail_msg("\"%s\": via %d, want %d", text, (int)r.via, (int)via);
}

static void
test_compliance_keywords(void **state)
{
	const enum classify_via kw = CLASSIFY_VIA_COMPLIANCE_KEYWORD;

	(void)state;
	expect_via("STOP", CATEGORY_STOP, NULL, kw);
	expect_via("stop.", CATEGORY_STOP, NULL, kw);
	expect_via("Stop", CATEGORY_STOP, NULL, kw);
	expect_via("  stop!! ", CATEGORY_STOP, NULL, kw);
	expect_via("UNSUBSCRIBE", CATEGORY_STOP, NULL, kw);
	expect_via("opt out", CATEGORY_STOP, NULL, kw);
	expect_via("Opt-Out", CATEGORY_STOP, NULL, kw);
	expect_via("stop all", CATEGORY_STOP, NULL, kw);
	expect_via("CANCEL", CATEGORY_STOP, NULL, kw);
	expect_via("quit", CATEGORY_STOP, NULL, kw);
	expect_via("START", CATEGORY_START, NULL, kw);
	expect_via("unstop", CATEGORY_START, NULL, kw);
	expect_via("yes", CATEGORY_START, NULL, kw);
	expect_via("HELP", CATEGORY_HELP, NULL, kw);
	expect_via("Info", CATEGORY_HELP, NULL, kw);
	expect_via("\xe2\x80\x9cSTOP\xe2\x80\x9d \xf0\x9f\x99\x8f",
	           CATEGORY_STOP, NULL, kw);

	/* The built-in replies come from the replies group. */
	assert_string_equal(run("STOP").reply, "BYE");
	assert_string_equal(run("start").reply, "HI");
	assert_string_equal(run("help").reply, "HELPTEXT");
}

static void
test_compliance_phrases(void **state)
{
	const enum classify_via ph = CLASSIFY_VIA_COMPLIANCE_PHRASE;

	(void)state;
	expect_via("please stop texting me", CATEGORY_STOP, NULL, ph);
	expect_via("Stop sending me messages!", CATEGORY_STOP, NULL, ph);
	expect_via("dont text me again", CATEGORY_STOP, NULL, ph);
	expect_via("stop it please", CATEGORY_STOP, NULL, ph);
	expect_via("how do I unsubscribe from this", CATEGORY_STOP, NULL, ph);
	expect_via("para de me mandar mensagem", CATEGORY_STOP, NULL, ph);
	expect_via("deja de mandarme mensajes", CATEGORY_STOP, NULL, ph);
	expect_via("no me mandes mas", CATEGORY_STOP, NULL, ph);
	expect_via("quiero darme de baja", CATEGORY_STOP, NULL, ph);
	expect_via("pls delete my phone number", CATEGORY_STOP, NULL, ph);
	expect_via("get me out of this list", CATEGORY_STOP, NULL, ph);
	expect_via("i do not want any more texts", CATEGORY_STOP, NULL, ph);
	expect_via("nao quero receber mensagens", CATEGORY_STOP, NULL, ph);
	expect_via("no quiero mas mensajes gracias", CATEGORY_STOP, NULL, ph);
	assert_string_equal(run("please stop texting me").reply, "BYE");
	assert_false(run("please stop texting me").alert);
	assert_false(run("stop").alert);

	/* A STOP that names a red flag is a STOP, with the red flag beside
	 * it, read with the STOP phrase left out (alert_rule). */
	struct classify_result r = run("stop texting me my leg is numb");
	assert_int_equal(r.category, CATEGORY_STOP);
	assert_true(r.alert);
	assert_int_equal(r.alert_category, CATEGORY_URGENT);
	assert_string_equal(rs->rules[r.alert_rule].id, "numb");
	r = run("no more texts, i lost control of my bowel");
	assert_true(r.alert);
	assert_int_equal(r.alert_category, CATEGORY_EMERGENCY);
	r = run("no more textsss, my leggg is numbbb");
	assert_int_equal(r.category, CATEGORY_STOP);
	assert_true(r.alert);
	/* A stretched STOP whose other reading names the first rule: the
	 * STOP of the runs-one reading still outranks it. */
	r = run("stoppp texting me, i lost control of my bowel");
	assert_int_equal(r.category, CATEGORY_STOP);
	assert_true(r.alert);
	assert_int_equal(r.alert_category, CATEGORY_EMERGENCY);
	r = run("stop texting me, my deadlift form is off");
	assert_int_equal(r.category, CATEGORY_STOP);
	assert_false(r.alert);

	/* The keyword alone as the first sentence. */
	expect_via("cancel. my back is fine now", CATEGORY_STOP, NULL, ph);
	r = run("STOP!! my leg is numb");
	assert_int_equal(r.category, CATEGORY_STOP);
	assert_true(r.alert);
	expect_via("stop the texts. thanks", CATEGORY_STOP, NULL, ph);

	/* "stop" about the pain is not a request to stop messages. */
	expect_via("how do I stop my back hurting", CATEGORY_FALLBACK, NULL,
	           CLASSIFY_VIA_FALLBACK);
	expect("stop the tingling please", CATEGORY_URGENT, "numb");
	expect("I want to quit the gym", CATEGORY_INFO, "gym-a");
	expect("yes my leg is numb", CATEGORY_URGENT, "numb");
	expect("stopped. deadlifts hurt my back", CATEGORY_TIP, "form");
}

/* Opting back in and asking for the menu in ordinary words; they answer
 * only when no rule does, so a red flag beside them still wins. */
static void
test_request_phrases(void **state)
{
	const enum classify_via ph = CLASSIFY_VIA_COMPLIANCE_PHRASE;

	(void)state;
	expect_via("sign me up again", CATEGORY_START, NULL, ph);
	expect_via("Please resubscribe me", CATEGORY_START, NULL, ph);
	expect_via("opt me back in pls", CATEGORY_START, NULL, ph);
	expect_via("opt back in please", CATEGORY_START, NULL, ph);
	expect_via("i hit stop by accident, turn it back on", CATEGORY_START,
	           NULL, ph);
	expect_via("put me back onto the list", CATEGORY_START, NULL, ph);
	expect_via("quero voltar a receber", CATEGORY_START, NULL, ph);
	expect_via("ajuda por favor", CATEGORY_HELP, NULL, ph);
	expect_via("which is it, what keywords can i text", CATEGORY_HELP, NULL,
	           ph);
	expect_via("what should i respond with", CATEGORY_HELP, NULL, ph);
	expect_via("sorry i do not know what to write", CATEGORY_HELP, NULL,
	           ph);
	expect_via("can you show me how to use this service", CATEGORY_HELP,
	           NULL, ph);
	/* A red flag beside a request still wins. */
	expect("i dont know what to type, my leg is numb", CATEGORY_URGENT,
	       "numb");
	expect_via("what commands are there", CATEGORY_HELP, NULL, ph);
	expect_via("start texting me again", CATEGORY_START, NULL, ph);
	expect_via("send me the menu", CATEGORY_HELP, NULL, ph);
	expect_via("Menu?", CATEGORY_HELP, NULL, ph);
	expect_via("what are my options", CATEGORY_HELP, NULL, ph);
	expect_via("how do I use this", CATEGORY_HELP, NULL, ph);
	expect_via("what can I text you", CATEGORY_HELP, NULL, ph);
	expect_via("what do i say to get info", CATEGORY_HELP, NULL, ph);
	expect_via("how does this work, what can i ask", CATEGORY_HELP, NULL,
	           ph);
	expect("how does this work, my leg is numb", CATEGORY_URGENT, "numb");
	assert_string_equal(run("sign me up again").reply, "HI");
	expect("sign me up again, my leg is numb", CATEGORY_URGENT, "numb");
	expect("send me the menu, my leg is numb", CATEGORY_URGENT, "numb");
	expect_via("how do I start juggling", CATEGORY_FALLBACK, NULL,
	           CLASSIFY_VIA_FALLBACK);
	expect_via("the menu at the cafe", CATEGORY_FALLBACK, NULL,
	           CLASSIFY_VIA_FALLBACK);
	/* More ways of asking for the menu or to be signed up again. */
	expect_via("what am i supposed to send", CATEGORY_HELP, NULL, ph);
	expect_via("how do i talk to this thing", CATEGORY_HELP, NULL, ph);
	expect_via("how does this bot work", CATEGORY_HELP, NULL, ph);
	expect_via("can you send the list of commands", CATEGORY_HELP, NULL,
	           ph);
	expect_via("ayuda, como funciona esto", CATEGORY_HELP, NULL, ph);
	expect_via("nao sei o que escrever", CATEGORY_HELP, NULL, ph);
	expect_via("i unsubscribed by accident", CATEGORY_START, NULL, ph);
	expect_via("can you add me again", CATEGORY_START, NULL, ph);
	expect_via("turn my messages back on pls", CATEGORY_START, NULL, ph);
	expect_via("how do i get the tips again", CATEGORY_START, NULL, ph);
	expect("what am i supposed to do, my leg is numb", CATEGORY_URGENT,
	       "numb");
	expect_via("a list of exercises for my hips", CATEGORY_FALLBACK, NULL,
	           CLASSIFY_VIA_FALLBACK);
	expect_via("add me on instagram", CATEGORY_FALLBACK, NULL,
	           CLASSIFY_VIA_FALLBACK);
}

/* Regression: a repeated STOP is not recognised, so
 * the sender gets the menu after asking twice to stop. */
static void
test_repeated_stop(void **state)
{
	(void)state;
	expect("STOP STOP", CATEGORY_STOP, NULL);
	expect("stop stop stop", CATEGORY_STOP, NULL);
}

static void
test_rule_keywords(void **state)
{
	(void)state;
	expect_via("FORM", CATEGORY_TIP, "form", CLASSIFY_VIA_KEYWORD);
	expect_via("form!", CATEGORY_TIP, "form", CLASSIFY_VIA_KEYWORD);
	expect_via("Recover", CATEGORY_TIP, "recover-kw", CLASSIFY_VIA_KEYWORD);
	expect_via("NUMB", CATEGORY_URGENT, "numb", CLASSIFY_VIA_KEYWORD);
	assert_string_equal(run("RECOVER").reply, "R-recover");
	assert_int_equal(run("RECOVER").topic, TOPIC_RECOVERY);

	/* Keywords are whole messages only: inside a sentence, "form"
	 * selects the rule through its pattern, and a keyword-only rule
	 * not at all. */
	expect_via("form tips please", CATEGORY_TIP, "form",
	           CLASSIFY_VIA_PATTERN);
	expect_via("recover please", CATEGORY_FALLBACK, NULL,
	           CLASSIFY_VIA_FALLBACK);
	expect_via("how do i recover", CATEGORY_FALLBACK, NULL,
	           CLASSIFY_VIA_FALLBACK);
}

static void
test_precedence(void **state)
{
	(void)state;
	/* A red flag beats a tip listed earlier in the file. */
	expect("my leg went numb after deadlifts", CATEGORY_URGENT, "numb");
	expect("form check: tingling in my foot", CATEGORY_URGENT, "numb");
	/* Emergency beats urgent. */
	expect("numb and I cant control my bladder", CATEGORY_EMERGENCY,
	       "cauda");
	expect("fever and bowel problems", CATEGORY_EMERGENCY, "cauda");
	/* Within a category, higher priority first. */
	expect("fever and a numb leg", CATEGORY_URGENT, "numb");
	expect("fever only", CATEGORY_URGENT, "fever");
	expect("where is the pharmacy", CATEGORY_INFO, "pharmacy-high");
	/* Same category and priority: file order. */
	expect("gym", CATEGORY_INFO, "gym-a");
	assert_string_equal(run("gym").reply, "R-gym-a");
	/* Referral beats tip and info. */
	expect("two weeks of deadlift pain at the gym", CATEGORY_REFERRAL,
	       "week");
	expect("stretch at the gym", CATEGORY_TIP, "stretch");
	assert_int_equal(run("stretch at the gym").topic, TOPIC_STRETCH);
}

static void
test_negation(void **state)
{
	(void)state;
	expect("no numbness, just sore", CATEGORY_FALLBACK, NULL);
	expect("no numbness but my foot tingles", CATEGORY_URGENT, "numb");
	expect("no numbness or tingling", CATEGORY_FALLBACK, NULL);
	expect("no numbness or tingling, form tips?", CATEGORY_TIP, "form");
	expect("no back pain really but my thigh is numb", CATEGORY_URGENT,
	       "numb");
	expect("my leg is numb, not sure why", CATEGORY_URGENT, "numb");
	/* A negated match does not hide a later one of the same pattern. */
	expect("no tingling in the morning, tingling at night", CATEGORY_URGENT,
	       "numb");
	/* Rules that are not red flags are not negated unless they say so. */
	expect("no gym today", CATEGORY_INFO, "gym-a");
	expect("no physio yet", CATEGORY_FALLBACK, NULL);
	expect("should i see a physio", CATEGORY_REFERRAL, "physio");
}

static void
test_exclusions(void **state)
{
	(void)state;
	expect("hurt for a week now", CATEGORY_REFERRAL, "week");
	expect("gonna lift again next week", CATEGORY_FALLBACK, NULL);
	expect("I train 3 times per week", CATEGORY_FALLBACK, NULL);
	/* An exclusion only silences its own rule. */
	expect("numb since next week", CATEGORY_URGENT, "numb");
	expect("gym next week", CATEGORY_INFO, "gym-a");
}

static void
test_fallback(void **state)
{
	const enum classify_via fb = CLASSIFY_VIA_FALLBACK;

	(void)state;
	expect_via("hello there", CATEGORY_FALLBACK, NULL, fb);
	expect_via("thx", CATEGORY_FALLBACK, NULL, fb);
	assert_string_equal(run("hello there").reply, "MENU");

	expect_via("", CATEGORY_FALLBACK, NULL, CLASSIFY_VIA_EMPTY);
	expect_via("   ", CATEGORY_FALLBACK, NULL, CLASSIFY_VIA_EMPTY);
	expect_via("?!...", CATEGORY_FALLBACK, NULL, CLASSIFY_VIA_EMPTY);
	expect_via("\xf0\x9f\x98\xad\xf0\x9f\x98\xad", CATEGORY_FALLBACK, NULL,
	           CLASSIFY_VIA_EMPTY);
	expect_via("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", CATEGORY_FALLBACK, NULL,
	           CLASSIFY_VIA_EMPTY);
	assert_string_equal(run("").reply, "MENU");
	assert_int_equal(run("").topic, TOPIC_NONE);
}

static void
test_invalid_utf8(void **state)
{
	struct classify_result r;
	struct classify_explain *ex = malloc(sizeof(*ex));

	(void)state;
	assert_non_null(ex);
	assert_int_equal(classify_message(cl, "stop\xff", 5, &r, NULL), -1);
	assert_int_equal(r.bad_offset, 4);
	assert_int_equal(classify_message(cl, "numb \xc0\xae", 7, &r, ex), -1);
	assert_int_equal(r.bad_offset, 5);
	free(ex);
}

static void
test_repeated_letters(void **state)
{
	struct classify_explain *ex = malloc(sizeof(*ex));
	struct classify_result r;
	const char *t;

	(void)state;
	assert_non_null(ex);
	/* "numbbbb" reads as "numbb" (no match) or "numb" (the keyword). */
	expect("numbbbb", CATEGORY_URGENT, "numb");
	expect("my leg is numbbbb", CATEGORY_URGENT, "numb");
	expect("MY LEG IS NUMBBBB!!!", CATEGORY_URGENT, "numb");
	/* "sleeeep" reads as "sleep" only with runs of two kept. */
	expect("cant sleeeeep", CATEGORY_REFERRAL, "sleep");
	/* Each reading decides something; the one with the higher
	 * precedence wins. */
	expect("cant sleeeep and my leg is numbbb", CATEGORY_URGENT, "numb");

	t = "my leg is numbbbb";
	assert_int_equal(classify_message(cl, t, strlen(t), &r, ex), 0);
	assert_string_equal(r.rule_id, "numb");
	assert_true(ex->used_runs_one);
	assert_string_equal(ex->norm, "my leg is numb");
	t = "cant sleeeeep";
	assert_int_equal(classify_message(cl, t, strlen(t), &r, ex), 0);
	assert_string_equal(r.rule_id, "sleep");
	assert_false(ex->used_runs_one);
	assert_string_equal(ex->norm, "cant sleep");
	free(ex);
}

static void
test_truncated(void **state)
{
	size_t n = BT_MESSAGE_MAX + 50;
	char *text = malloc(n + 1);
	struct classify_result r;

	(void)state;
	assert_non_null(text);
	/* The red flag sits beyond the limit and is not seen. */
	for (size_t i = 0; i < n; i++)
		text[i] = "ab "[i % 3];
	memcpy(text + BT_MESSAGE_MAX + 10, " numb ", 6);
	text[n] = '\0';
	assert_int_equal(classify_message(cl, text, n, &r, NULL), 0);
	assert_true(r.truncated);
	assert_int_equal(r.category, CATEGORY_FALLBACK);
	/* Within the limit it is. */
	memcpy(text + 100, " numb ", 6);
	assert_int_equal(classify_message(cl, text, n, &r, NULL), 0);
	assert_true(r.truncated);
	assert_string_equal(r.rule_id, "numb");
	assert_int_equal(classify_message(cl, "numb", 4, &r, NULL), 0);
	assert_false(r.truncated);
	free(text);
}

static void
test_explain_records(void **state)
{
	struct classify_explain *ex = malloc(sizeof(*ex));
	struct classify_result r;
	const char *t = "No numbness, just SORE";
	bool negated = false;

	(void)state;
	assert_non_null(ex);
	assert_int_equal(classify_message(cl, t, strlen(t), &r, ex), 0);
	assert_int_equal(r.category, CATEGORY_FALLBACK);
	assert_string_equal(ex->norm, "no numbness, just sore");
	assert_int_equal(ex->norm_len, strlen(ex->norm));
	for (size_t i = 0; i < ex->count; i++) {
		const struct classify_match *m = &ex->matches[i];
		const struct pattern *p = &rs->patterns[m->pattern];
		assert_false(m->winner);
		if (!m->negated)
			continue;
		negated = true;
		assert_int_equal(p->kind, PATTERN_MATCH);
		assert_string_equal(rs->rules[p->rule].id, "numb");
		assert_int_equal(m->start, 3);
		assert_int_equal(m->end, 11);
		assert_int_equal(m->cue_start, 0);
		assert_int_equal(m->cue_end, 2);
	}
	assert_true(negated);

	/* The deciding match is marked; the negated one is recorded too. */
	t = "no numbness but my foot tingles";
	assert_int_equal(classify_message(cl, t, strlen(t), &r, ex), 0);
	assert_string_equal(r.rule_id, "numb");
	size_t winners = 0, negs = 0;
	for (size_t i = 0; i < ex->count; i++) {
		const struct classify_match *m = &ex->matches[i];
		if (m->winner) {
			winners++;
			assert_false(m->negated);
			assert_memory_equal(ex->norm + m->start, "tingl", 5);
		}
		if (m->negated) {
			negs++;
			assert_memory_equal(ex->norm + m->cue_start, "no", 2);
		}
	}
	assert_int_equal(winners, 1);
	assert_int_equal(negs, 1);

	/* Explain mode runs every pattern: lower-precedence matches are
	 * recorded as well as the winner. */
	t = "numb leg at the gym";
	assert_int_equal(classify_message(cl, t, strlen(t), &r, ex), 0);
	assert_string_equal(r.rule_id, "numb");
	bool gym_a = false, gym_b = false;
	for (size_t i = 0; i < ex->count; i++) {
		const struct pattern *p = &rs->patterns[ex->matches[i].pattern];
		if (p->kind != PATTERN_MATCH)
			continue;
		if (strcmp(rs->rules[p->rule].id, "gym-a") == 0)
			gym_a = true;
		if (strcmp(rs->rules[p->rule].id, "gym-b") == 0)
			gym_b = true;
	}
	assert_true(gym_a && gym_b);
	free(ex);
}

/* Messages built from fragments: red flags, negations, tips, compliance
 * words, emoji, runs, punctuation.  Each fragment alone, every ordered pair
 * joined by a space, and pairs joined by ", but ". */
static const char *const fragments[] = {
	"my leg is numb",
	"no numbness",
	"without any tingling",
	"tingling in my toes",
	"i dont have tingling",
	"no pain, but tingling",
	"fever",
	"lost control of my bladder",
	"no bowel issues",
	"sore for 2 weeks",
	"see you next week",
	"cant sleeeeep",
	"numbbbb",
	"form tips",
	"FORM",
	"how do I stop my back hurting",
	"please stop texting me",
	"STOP",
	"yes",
	"stretch",
	"pharmacy",
	"at the gym \xf0\x9f\x98\xad",
	"deadlift deadlift",
	"sore and stiff",
	"sore calf",
	"r\xc3\x9c"
	"cken dolor",
	"no physio",
	"\xe2\x80\x9cok\xe2\x80\x9d \xe2\x80\x94 thanks",
	"",
};

#define NFRAG (sizeof(fragments) / sizeof(fragments[0]))

static size_t
build_messages(char ***ret)
{
	size_t cap = NFRAG + 2 * NFRAG * NFRAG, n = 0;
	char **m = calloc(cap, sizeof(*m));

	assert_non_null(m);
	for (size_t i = 0; i < NFRAG; i++)
		m[n++] = strdup(fragments[i]);
	for (size_t i = 0; i < NFRAG; i++)
		for (size_t j = 0; j < NFRAG; j++) {
			if (asprintf(&m[n++], "%s %s", fragments[i],
			             fragments[j]) < 0)
				fail();
			if (asprintf(&m[n++], "%s, but %s", fragments[i],
			             fragments[j]) < 0)
				fail();
		}
	*ret = m;
	return n;
}

static void
free_messages(char **m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i]);
	free(m);
}

/* The combination that explain names is the one that decided: when a
 * pattern of a higher rule decides, no combination is named, even though
 * a lower rule's combination holds. */
static void
test_explain_combo_only_when_concepts_decide(void **state)
{
	static const char text[] =
	    "replies = { fallback = \"MENU\"; help = \"H\";\n"
	    "  stop = \"BYE\"; start = \"HI\"; };\n"
	    "concepts = { why = [ \"cause\" ]; };\n"
	    "rules = (\n"
	    "  { id = \"bladder\"; category = \"emergency\";\n"
	    "    patterns = [ \"\\\\bbladder problems\" ];\n"
	    "    reply = \"R-bladder\"; },\n"
	    "  { id = \"causes\"; category = \"tip\"; topic = \"causes\";\n"
	    "    when = [ \"why\" ]; reply = \"R-causes\"; }\n"
	    ");\n";
	struct ruleset *r2 = testutil_load_text(text);
	struct classify *c2 = classify_new(r2);
	struct classify_explain *ex = malloc(sizeof(*ex));
	struct classify_result r;
	const char *t = "can deadlifts cause bladder problems";

	(void)state;
	assert_non_null(c2);
	assert_non_null(ex);
	assert_int_equal(classify_message(c2, t, strlen(t), &r, ex), 0);
	assert_string_equal(r.rule_id, "bladder");
	assert_int_equal(r.via, CLASSIFY_VIA_PATTERN);
	assert_int_equal(ex->combo, -1);
	/* Without the pattern's words the combination decides and is
	 * named. */
	t = "what can cause this";
	assert_int_equal(classify_message(c2, t, strlen(t), &r, ex), 0);
	assert_string_equal(r.rule_id, "causes");
	assert_int_equal(r.via, CLASSIFY_VIA_CONCEPTS);
	assert_true(ex->combo >= 0);
	free(ex);
	classify_free(c2);
	rules_free(r2);
}

/* Checks that the fast path and explain mode decide alike on every
 * message, and that the prefilter flags every pattern PCRE2 matches. */
static void
compare_paths(const struct ruleset *set, struct classify *c, char **msgs,
              size_t n)
{
	struct classify_explain *ex = malloc(sizeof(*ex));
	size_t nwords = (set->npatterns + 63) / 64;
	uint64_t *bits = calloc(nwords + 1, sizeof(*bits));
	uint64_t *xbits = calloc(nwords + 1, sizeof(*xbits));
	struct prefilter_scratch *scratch =
	    prefilter_scratch_new(set->prefilter);
	struct prefilter_scratch *xscratch =
	    prefilter_scratch_new(set->prefilter_ex);
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	char norm[BT_MESSAGE_MAX + 1];
	size_t differ = 0, missed = 0, decided = 0;

	assert_non_null(ex);
	assert_non_null(bits);
	assert_non_null(xbits);
	assert_non_null(scratch);
	assert_non_null(xscratch);
	assert_non_null(md);
	for (size_t i = 0; i < n; i++) {
		struct classify_result fast, slow;
		const char *t = msgs[i];
		int rf = classify_message(c, t, strlen(t), &fast, NULL);
		int rx = classify_message(c, t, strlen(t), &slow, ex);
		assert_int_equal(rf, rx);
		if (rf != 0)
			continue;
		if (fast.rule >= 0)
			decided++;
		if (fast.category != slow.category || fast.rule != slow.rule ||
		    fast.topic != slow.topic || fast.via != slow.via ||
		    fast.reply != slow.reply) {
			if (differ++ < 10)
				print_error(
				    "\"%s\": fast %s/%s, explain %s/%s\n", t,
				    category_name(fast.category),
				    fast.rule_id ? fast.rule_id : "-",
				    category_name(slow.category),
				    slow.rule_id ? slow.rule_id : "-");
		}

		/* Both readings of the message, as classify makes them. */
		for (int runs = 0; runs < 2; runs++) {
			struct normalise_result nr;
			normalise_text(t, strlen(t),
			               runs ? NORMALISE_RUNS_ONE
			                    : NORMALISE_RUNS_TWO,
			               norm, &nr);
			memset(bits, 0, (nwords + 1) * sizeof(*bits));
			memset(xbits, 0, (nwords + 1) * sizeof(*xbits));
			assert_int_equal(prefilter_scan(set->prefilter, scratch,
			                                norm, nr.len, bits),
			                 0);
			/* the exclusions, pattern nmatch_end + i as i */
			assert_int_equal(prefilter_scan(set->prefilter_ex,
			                                xscratch, norm, nr.len,
			                                xbits),
			                 0);
			for (size_t p = 0; p < set->npatterns; p++) {
				int rc = pcre2_match(set->patterns[p].re,
				                     (PCRE2_SPTR)norm, nr.len,
				                     0, 0, md, NULL);
				if (rc < 0)
					continue;
				size_t q = p < set->nmatch_end
				               ? p
				               : p - set->nmatch_end;
				const uint64_t *b =
				    p < set->nmatch_end ? bits : xbits;
				if ((b[q >> 6] >> (q & 63)) & 1)
					continue;
				if (missed++ < 10)
					print_error("prefilter missed "
					            "pattern %zu \"%s\" on "
					            "\"%s\"\n",
					            p, set->patterns[p].src,
					            norm);
			}
		}
	}
	print_message("%zu messages, %zu decided by a rule\n", n, decided);
	if (differ > 0)
		fail_msg("explain and fast path differ on %zu of %zu messages",
		         differ, n);
	if (missed > 0)
		fail_msg("prefilter missed %zu true matches", missed);
	/* The comparison means little if nothing was decided by rules. */
	assert_true(decided > n / 4);
	pcre2_match_data_free(md);
	prefilter_scratch_free(scratch);
	prefilter_scratch_free(xscratch);
	free(bits);
	free(xbits);
	free(ex);
}

static void
test_explain_matches_fast_path(void **state)
{
	char **msgs;
	size_t n = build_messages(&msgs);

	(void)state;
	/* The rules above include patterns vectorscan rejects. */
	assert_true(prefilter_always_count(rs->prefilter) +
	                prefilter_always_count(rs->prefilter_ex) >=
	            2);
	assert_true(n >= 300);
	compare_paths(rs, cl, msgs, n);
	free_messages(msgs, n);
}

/* The same over the shipped rules and the dev corpus with the generated
 * messages, when the shipped rules load (they are being written). */
static void
test_explain_matches_fast_path_shipped(void **state)
{
	struct ruleset *shipped = NULL;
	struct classify *c;
	struct diag d;
	char **msgs;
	size_t n = build_messages(&msgs), cap;
	FILE *fp;
	char line[1024];

	(void)state;
	diag_init(&d);
	if (rules_load(SHIPPED_RULES, &shipped, &d) != 0) {
		diag_free(&d);
		free_messages(msgs, n);
		fail_msg("the shipped rules in %s do not load", SHIPPED_RULES);
	}
	diag_free(&d);

	fp = fopen(DEV_CORPUS, "r");
	if (fp == NULL)
		fail_msg("cannot open %s", DEV_CORPUS);
	{
		cap = n + 200;
		msgs = realloc(msgs, cap * sizeof(*msgs));
		assert_non_null(msgs);
		while (n < cap && fgets(line, sizeof(line), fp) != NULL) {
			char *tab;
			if (line[0] == '#')
				continue;
			line[strcspn(line, "\r\n")] = '\0';
			tab = strrchr(line, '\t');
			msgs[n++] = strdup(tab ? tab + 1 : line);
		}
		fclose(fp);
	}
	c = classify_new(shipped);
	assert_non_null(c);
	compare_paths(shipped, c, msgs, n);
	classify_free(c);
	rules_free(shipped);
	free_messages(msgs, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compliance_keywords),
		cmocka_unit_test(test_compliance_phrases),
		cmocka_unit_test(test_repeated_stop),
		cmocka_unit_test(test_request_phrases),
		cmocka_unit_test(test_rule_keywords),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_repeated_letters),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_explain_records),
		cmocka_unit_test(test_explain_combo_only_when_concepts_decide),
		cmocka_unit_test(test_explain_matches_fast_path),
		cmocka_unit_test(test_explain_matches_fast_path_shipped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
