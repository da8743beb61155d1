/* Tests for concept.c: terms, word forms, prefixes, one-edit misspellings,
 * phrases, combinations, and the errors a rule writer sees.  Messages are
 * written already normalised. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "concept.h"
#include "context.h"

static struct concept_set *cs;
static struct concept_scratch *sc;

static long
define(const char *name, const char *const *terms)
{
	char err[256];
	long id = concept_define(cs, name, "t.conf", 1, err, sizeof(err));

	if (id < 0)
		fail_msg("define %s: %s", name, err);
	for (; *terms; terms++)
		if (concept_add_term(cs, (uint32_t)id, *terms, err,
		                     sizeof(err)) < 0)
			fail_msg("term %s: %s", *terms, err);
	return id;
}

static int
setup(void **state)
{
	char err[256];

	(void)state;
	cs = concept_set_new();
	assert_non_null(cs);
	define("bladder", (const char *const[]){ "bladder", "bowel", "pee",
	                                         "toilet", NULL });
	define("lost_control",
	       (const char *const[]){ "lost control", "cant hold", "accident",
	                              "leak", NULL });
	define("sensation",
	       (const char *const[]){ "numb", "tingling", "pins and needles",
	                              "asleep", "prickl*", NULL });
	define("leg",
	       (const char *const[]){ "leg", "foot", "calf", "thigh", NULL });
	define("fall", (const char *const[]){ "ladder", "fell", NULL });
	define("tail", (const char *const[]){ "hard to", NULL });
	define("words",
	       (const char *const[]){ "cancer", "stool", "pt:dor", NULL });
	define("spanish",
	       (const char *const[]){ "es:hormigueo", "pt:dormente", NULL });
	if (concept_finish(cs, err, sizeof(err)) < 0)
		fail_msg("finish: %s", err);
	sc = concept_scratch_new(cs);
	assert_non_null(sc);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	concept_scratch_free(sc);
	concept_set_free(cs);
	return 0;
}

/* The words of text that concept name matches, as "w1|w2 w3|...", with
 * how each matched. */
static void
expect(const char *text, const char *name, const char *want)
{
	char got[512] = "";
	size_t n, o = 0;
	long id = concept_lookup(cs, name);

	assert_true(id >= 0);
	concept_scan(cs, sc, text, strlen(text));
	size_t ntok;
	const struct token *t = concept_tokens(sc, &ntok);
	const struct concept_match *m = concept_matches(sc, &n);
	for (size_t i = 0; i < n; i++) {
		if (m[i].concept != (uint32_t)id)
			continue;
		size_t s = t[m[i].first].start, e = t[m[i].last].end;
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%.*s",
		                      o ? "|" : "", (int)(e - s), text + s);
	}
	if (strcmp(got, want) != 0)
		fail_msg("%s in \"%s\": got \"%s\", want \"%s\"", name, text,
		         got, want);
}

static void
test_word_forms(void **state)
{
	(void)state;
	expect("my leg is numb", "sensation", "numb");
	expect("numbness in my legs", "sensation", "numbness");
	expect("numbness in my legs", "leg", "legs");
	expect("it tingles", "sensation", "tingles");
	expect("feet feel asleep", "sensation", "asleep");
	expect("prickly feeling", "sensation", "prickly");
	expect("a pee accident", "lost_control", "accident");
	expect("it leaked", "lost_control", "leaked");
	expect("number of reps", "sensation", "");
	expect("sensations", "sensation", "");
}

static void
test_phrases(void **state)
{
	(void)state;
	expect("pins and needles", "sensation", "pins and needles");
	expect("pins n needles", "sensation", "pins n needles");
	expect("pins needles", "sensation", "pins needles");
	expect("i lost all control", "lost_control", "lost all control");
	expect("i lost my whole control", "lost_control", "");
	/* a phrase stays within its sentence */
	expect("i lost. control", "lost_control", "");
	expect("i cant hold it", "lost_control", "cant hold");
	/* a function word at the end of a phrase must be there */
	expect("hard to say", "tail", "hard to");
	expect("hard work", "tail", "");
}

/* A scratch used for many messages finds what a fresh one finds: nothing
 * of one message (the words it had, their context) leaks into the next,
 * and a phrase is tried only when its other words are in the message. */
static void
test_scratch_reuse(void **state)
{
	static const char *const texts[] = {
		"pins and needles in my leg",
		"needles then pins",
		"pins",
		"i lost control of my bladder",
		"control lost",
		"no numbness in my foot but pins n needles",
		"hard to pee, lost all control",
		"",
		"hard",
		"pins needles pins and needles leg numb",
	};

	(void)state;
	for (int round = 0; round < 2; round++)
		for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
			const char *t = texts[k];
			struct concept_scratch *fresh = concept_scratch_new(cs);
			size_t n1, n2;
			assert_non_null(fresh);
			concept_scan(cs, sc, t, strlen(t));
			concept_scan(cs, fresh, t, strlen(t));
			const struct concept_match *a =
			    concept_matches(sc, &n1);
			const struct concept_match *b =
			    concept_matches(fresh, &n2);
			if (n1 != n2)
				fail_msg("\"%s\": %zu matches, fresh %zu", t,
				         n1, n2);
			for (size_t i = 0; i < n1; i++)
				assert_memory_equal(&a[i], &b[i], sizeof(a[i]));
			concept_scratch_free(fresh);
		}
	expect("needles then pins", "sensation", "");
	expect("pins and needles", "sensation", "pins and needles");
}

/* More distinct words than the word cache holds, each with words it knows:
 * whatever the cache evicts, every message is answered the same. */
static void
test_cache_eviction(void **state)
{
	char text[128];
	struct concept_scratch *fresh = concept_scratch_new(cs);
	size_t want, got;

	(void)state;
	assert_non_null(fresh);
	concept_scan(cs, fresh, "zq numb legg pins n needles bladder",
	             strlen("zq numb legg pins n needles bladder"));
	concept_matches(fresh, &want);
	assert_int_equal(want, 4);
	for (int i = 0; i < 20000; i++) {
		snprintf(text, sizeof(text),
		         "zq%d numb legg pins n needles bladder qz%d", i,
		         i * 7919);
		concept_scan(cs, sc, text, strlen(text));
		const struct concept_match *m = concept_matches(sc, &got);
		if (got != want)
			fail_msg("\"%s\": %zu matches, want %zu", text, got,
			         want);
		assert_int_equal(m[0].first, 1);
	}
	concept_scratch_free(fresh);
}

static void
test_misspellings(void **state)
{
	(void)state;
	expect("tinglling", "sensation", "tinglling");
	expect("tingleing", "sensation", "tingleing");
	expect("tinlging", "sensation", "tinlging"); /* swap */
	expect("bladdr", "bladder", "bladdr");
	expect("blaader", "bladder", "blaader");
	/* the first letter is never the edit */
	expect("ladder", "bladder", "");
	expect("towel", "bladder", "");
	/* a word that is a term word itself is never a misspelling */
	expect("fell off a ladder", "bladder", "");
	expect("fell off a ladder", "fall", "fell|ladder");
	/* short words need the exact form */
	expect("numm", "sensation", "");
	/* but doubled letters are forgiven */
	expect("my legg is numbb", "leg", "legg");
	expect("my legg is numbb", "sensation", "numbb");
	/* two edits are too many */
	expect("tnglng", "sensation", "");
	/* a word of the language is no misspelling (lexicon.c) */
	expect("i need to cancel my gym", "words", "");
	expect("i stood up", "words", "");
	expect("i hit the door", "words", "");
	expect("canser", "words", "canser");
	expect("stoool", "words", "stoool");
	expect("dorr", "words", "dorr");
}

/* Many forms of one word in many concepts: every concept still matches
 * (a word's matches were once cut at 6 and the last ones lost), and rules
 * that could overflow what a word can hold are refused at load. */
static void
test_many_forms(void **state)
{
	struct concept_set *c2 = concept_set_new();
	struct concept_scratch *s2;
	char err[256];
	static const char *const forms[] = { "connect",     "connected",
		                             "connecting",  "connection",
		                             "connections", "connects" };

	(void)state;
	assert_non_null(c2);
	for (size_t i = 0; i < 6; i++) {
		char name[8];
		snprintf(name, sizeof(name), "c%zu", i);
		long id =
		    concept_define(c2, name, "t.conf", 1, err, sizeof(err));
		assert_true(id >= 0);
		assert_int_equal(concept_add_term(c2, (uint32_t)id, forms[i],
		                                  err, sizeof(err)),
		                 0);
	}
	long last = concept_define(c2, "last", "t.conf", 2, err, sizeof(err));
	assert_true(last >= 0);
	assert_int_equal(concept_add_term(c2, (uint32_t)last, "connective", err,
	                                  sizeof(err)),
	                 0);
	if (concept_finish(c2, err, sizeof(err)) != 0)
		fail_msg("finish: %s", err);
	s2 = concept_scratch_new(c2);
	assert_non_null(s2);
	concept_scan(c2, s2, "connect", 7);
	size_t n;
	const struct concept_match *m = concept_matches(s2, &n);
	bool found = false;
	for (size_t i = 0; i < n; i++)
	found |= m[i].concept == (uint32_t)last;
	assert_true(found);
	concept_scratch_free(s2);
	concept_set_free(c2);

	/* prefixes that start one another, and forms of one stem: more than
	 * a word can hold */
	c2 = concept_set_new();
	assert_non_null(c2);
	long id = concept_define(c2, "talk", "t.conf", 1, err, sizeof(err));
	assert_true(id >= 0);
	static const char long_word[] = "connectionlessnesses";
	for (size_t k = 3; k <= strlen(long_word); k++) {
		char term[32];
		snprintf(term, sizeof(term), "%.*s*", (int)k, long_word);
		assert_int_equal(
		    concept_add_term(c2, (uint32_t)id, term, err, sizeof(err)),
		    0);
	}
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(concept_add_term(c2, (uint32_t)id, forms[i],
		                                  err, sizeof(err)),
		                 0);
	assert_int_equal(
	    concept_add_term(c2, (uint32_t)id, "connective", err, sizeof(err)),
	    0);
	assert_int_equal(concept_finish(c2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "could match"));
	concept_set_free(c2);
}

static void
test_languages(void **state)
{
	(void)state;
	expect("tengo hormigueos en la pierna", "spanish", "hormigueos");
	expect("pe dormente", "spanish", "dormente");
}

static bool
holds(const char *text, const char *combo, bool ctx)
{
	struct concept_combo c;
	char err[256];

	if (concept_combo_parse(cs, combo, &c, err, sizeof(err)) < 0)
		fail_msg("%s: %s", combo, err);
	concept_scan(cs, sc, text, strlen(text));
	return concept_combo_holds(sc, &c, ctx);
}

static void
test_combinations(void **state)
{
	(void)state;
	assert_true(holds("lost control of my bladder",
	                  "bladder + lost_control", true));
	assert_true(
	    holds("bladder: lost control", "bladder + lost_control", true));
	assert_false(holds("my bladder is fine. lost control of the bar",
	                   "bladder + lost_control", true));
	assert_true(holds("my leg is numb", "sensation + leg within 4", true));
	assert_false(holds("my leg hurts after squats and my back is numb",
	                   "sensation + leg within 4", true));
	assert_true(holds("my leg hurts after squats and my back is numb",
	                  "sensation + leg", true));
	assert_true(holds("numb", "sensation", true));
	assert_false(holds("no numbness", "sensation", true));
	assert_true(holds("no numbness", "sensation", false));
}

/* A duration said as a sentence of its own ("3 WEEKS.") is read in the
 * sentence before it, or after it when it comes first; one inside a
 * sentence with other words stays there. */
static void
test_duration_alone(void **state)
{
	(void)state;
	assert_true(holds("my leg is numb. 3 weeks.",
	                  "@over_a_week + leg within 6", true));
	assert_true(holds("my leg is numb. been 10 days now!",
	                  "@over_a_week + leg within 8", true));
	assert_true(holds("two weeks. my leg is still numb",
	                  "@over_a_week + leg within 6", true));
	assert_true(holds("how long is normal for leg pain? im at 11 days",
	                  "@over_a_week + leg within 8", true));
	assert_true(holds("my calf still hurts. had it 3 weeks",
	                  "@over_a_week + leg within 8", true));
	assert_true(holds("3 weeks", "@over_a_week", true));
	assert_false(holds("my leg is numb. squats for 3 weeks.",
	                   "@over_a_week + leg", true));
	assert_false(holds("my leg is numb. 3 weeks of squats.",
	                   "@over_a_week + leg", true));
}

/* A fragment (a sentence of 3 words or fewer) next to a short sentence
 * (8 words or fewer) is one statement written in pieces: a combination with a
 * span may take its parts from both.  Not a combination without a span, not
 * long sentences, not two sentences apart, and context stays each match's own:
 * "no numbness. my leg hurts" does not combine. */
static void
test_fragments(void **state)
{
	(void)state;
	assert_true(holds("tingling. whole left leg.",
	                  "sensation + leg within 10", true));
	assert_true(holds("bladder not. cant hold it since monday.",
	                  "bladder + lost_control within 8", true));
	assert_true(holds("left leg. numb since monday",
	                  "sensation + leg within 8", true));
	/* a fragment next to a sentence of up to 8 words ("someone ran a
	 * stop sign and hit me. back pain.") */
	assert_true(holds("fell off the ladder and hurt my leg. numb.",
	                  "sensation + leg within 10", true));
	assert_true(holds("tingling. it runs down the side of my calf",
	                  "sensation + leg within 10", true));
	assert_false(holds("tingling. it runs all the way down the side of my "
	                   "calf",
	                   "sensation + leg within 12", true));
	assert_false(holds("no numbness. my leg hurts",
	                   "sensation + leg within 8", true));
	assert_false(
	    holds("pins. needles. whole left leg.", "sensation + leg", true));
	assert_false(holds("numb. the squats today were heavy and my leg "
	                   "is sore",
	                   "sensation + leg within 12", true));
	assert_false(
	    holds("numb. ok. my leg", "sensation + leg within 8", true));
	assert_false(holds("numb. my leg", "sensation + leg within 2", true));
}

/* "unless": a combination does not hold where the named concept counts in
 * a clause of its matches; elsewhere in the sentence, negated, or in
 * another clause it does not stop it. */
static void
test_unless(void **state)
{
	struct concept_combo c;
	char err[256];

	(void)state;
	assert_false(holds("my leg went numb from the ladder",
	                   "sensation + leg within 6 unless fall", true));
	assert_true(holds("my leg is numb",
	                  "sensation + leg within 6 unless fall", true));
	assert_true(holds("fell off the ladder, now my leg is numb",
	                  "sensation + leg within 6 unless fall", true));
	assert_true(holds("my leg is numb, no ladder involved",
	                  "sensation + leg unless fall", true));
	assert_false(
	    holds("ladder leg numb", "sensation + leg unless fall", false));
	assert_false(
	    holds("numb from the ladder", "sensation unless fall", true));
	assert_int_equal(concept_combo_parse(cs,
	                                     "sensation + leg within 6 "
	                                     "unless fall",
	                                     &c, err, sizeof(err)),
	                 0);
	assert_int_equal(c.nunless, 1);
	assert_int_equal(c.within, 6);
	assert_int_equal(c.unless[0], (uint32_t)concept_lookup(cs, "fall"));
	/* "unless a or b": any of them stops it */
	assert_false(holds("my leg went numb on the toilet",
	                   "sensation + leg "
	                   "unless fall or bladder",
	                   true));
	assert_false(holds("my leg went numb from the ladder",
	                   "sensation + leg unless fall or bladder", true));
	assert_true(holds("my leg went numb",
	                  "sensation + leg unless fall or bladder", true));
	assert_int_equal(concept_combo_parse(cs,
	                                     "sensation + leg within 6 "
	                                     "unless fall or bladder",
	                                     &c, err, sizeof(err)),
	                 0);
	assert_int_equal(c.nunless, 2);
	assert_int_equal(c.unless[1], (uint32_t)concept_lookup(cs, "bladder"));
	assert_true(concept_combo_parse(cs, "sensation unless fall or", &c, err,
	                                sizeof(err)) < 0);
	assert_true(concept_combo_parse(cs, "sensation unless fall or fall", &c,
	                                err, sizeof(err)) < 0);
	assert_true(concept_combo_parse(cs,
	                                "sensation unless fall or bladder or "
	                                "tail or words or spanish",
	                                &c, err, sizeof(err)) < 0);
	assert_true(concept_combo_parse(cs, "sensation unless fall and leg", &c,
	                                err, sizeof(err)) < 0);
	assert_true(concept_combo_parse(cs, "sensation unless", &c, err,
	                                sizeof(err)) < 0);
	assert_true(concept_combo_parse(cs, "sensation unless nope", &c, err,
	                                sizeof(err)) < 0);
	assert_true(concept_combo_parse(cs, "sensation unless fall + leg", &c,
	                                err, sizeof(err)) < 0);
	assert_true(concept_combo_parse(cs, "sensation + leg unless leg", &c,
	                                err, sizeof(err)) < 0);
}

static void
test_context_recorded(void **state)
{
	size_t n;
	const struct concept_match *m;

	(void)state;
	concept_scan(cs, sc, "no numbness", 11);
	m = concept_matches(sc, &n);
	assert_int_equal(n, 1);
	assert_true(m[0].context & CONTEXT_NEGATED);
	assert_int_equal(m[0].cue_first, 0);
}

static void
test_errors(void **state)
{
	struct concept_set *e = concept_set_new();
	struct concept_combo c;
	char err[256];

	(void)state;
	assert_non_null(e);
	assert_true(concept_define(e, "Bad-Name", "f", 3, err, sizeof(err)) <
	            0);
	assert_true(concept_define(e, "@fever", "f", 3, err, sizeof(err)) < 0);
	long id = concept_define(e, "ok", "f", 3, err, sizeof(err));
	assert_true(id >= 0);
	assert_true(concept_define(e, "ok", "g", 9, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "f:3"));
	assert_true(concept_add_term(e, (uint32_t)id, "numb(ness)?", err,
	                             sizeof(err)) < 0);
	assert_non_null(strstr(err, "use patterns"));
	assert_true(concept_add_term(e, (uint32_t)id, "ab*", err, sizeof(err)) <
	            0);
	assert_true(concept_add_term(e, (uint32_t)id, "   ", err, sizeof(err)) <
	            0);
	assert_int_equal(
	    concept_add_term(e, (uint32_t)id, "Can't Feel", err, sizeof(err)),
	    0);
	assert_int_equal(concept_finish(e, err, sizeof(err)), 0);
	assert_true(concept_combo_parse(e, "ok + nope", &c, err, sizeof(err)) <
	            0);
	assert_non_null(strstr(err, "unknown concept \"nope\""));
	assert_true(concept_combo_parse(e, "ok +", &c, err, sizeof(err)) < 0);
	assert_true(concept_combo_parse(e, "ok + ok", &c, err, sizeof(err)) <
	            0);
	assert_true(concept_combo_parse(e, "ok within", &c, err, sizeof(err)) <
	            0);
	assert_true(
	    concept_combo_parse(e, "ok within 0", &c, err, sizeof(err)) < 0);
	assert_true(
	    concept_combo_parse(e, "ok within 5x", &c, err, sizeof(err)) < 0);
	assert_true(concept_combo_parse(e, "a + b + c + d + e", &c, err,
	                                sizeof(err)) < 0);
	assert_false(concept_is_used(e, (uint32_t)id));
	assert_int_equal(concept_combo_parse(e, "ok + @fever within 9", &c, err,
	                                     sizeof(err)),
	                 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.within, 9);
	assert_true(concept_is_used(e, (uint32_t)id));
	concept_set_free(e);
}

static void
test_distance(void **state)
{
	(void)state;
	assert_int_equal(concept_distance("abc", 3, "abc", 3, 1), 0);
	assert_int_equal(concept_distance("abc", 3, "acb", 3, 1), 1);
	assert_int_equal(concept_distance("abc", 3, "ab", 2, 1), 1);
	assert_int_equal(concept_distance("abc", 3, "xyz", 3, 1), 2);
	assert_int_equal(concept_distance("a", 1, "abcd", 4, 1), 2);
}

/* Candidates: the combinations whose first concept a scan found, in
 * order. */
static void
test_candidates(void **state)
{
	struct concept_combo c[3];
	char err[256];
	uint32_t out[8];

	(void)state;
	assert_int_equal(
	    concept_combo_parse(cs, "leg + sensation", &c[0], err, sizeof(err)),
	    0);
	assert_int_equal(concept_combo_parse(cs, "bladder + lost_control",
	                                     &c[1], err, sizeof(err)),
	                 0);
	assert_int_equal(
	    concept_combo_parse(cs, "sensation", &c[2], err, sizeof(err)), 0);
	assert_int_equal(concept_index_combos(cs, c, 3), 0);
	concept_scan(cs, sc, "numb leg", 8);
	assert_int_equal(concept_candidates(cs, sc, out, 8), 2);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 2);
	assert_int_equal(concept_candidates(cs, sc, out, 1), SIZE_MAX);
	concept_scan(cs, sc, "my bladder", 10);
	assert_int_equal(concept_candidates(cs, sc, out, 8), 1);
	assert_int_equal(out[0], 1);
	concept_scan(cs, sc, "fine", 4);
	assert_int_equal(concept_candidates(cs, sc, out, 8), 0);

	/* Many candidates, from two concepts in turn, come out ascending
	 * (a few sorted by insertion, more by qsort). */
	struct concept_combo many[40];
	uint32_t all[40];
	for (size_t n = 3; n <= 40; n += 37) {
		for (size_t i = 0; i < n; i++)
			assert_int_equal(
			    concept_combo_parse(cs,
			                        i % 3 ? "leg + sensation"
			                              : "sensation + leg",
			                        &many[i], err, sizeof(err)),
			    0);
		assert_int_equal(concept_index_combos(cs, many, n), 0);
		concept_scan(cs, sc, "numb leg", 8);
		assert_int_equal(concept_candidates(cs, sc, all, 40), n);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(all[i], i);
	}
	assert_int_equal(concept_index_combos(cs, c, 3), 0);
}

static void
test_bounded(void **state)
{
	static char big[8192];

	(void)state;
	for (size_t i = 0; i + 5 < sizeof(big); i += 5)
		memcpy(big + i, "numb ", 5);
	big[sizeof(big) - 1] = '\0';
	size_t n = concept_scan(cs, sc, big, strlen(big));
	assert_true(n <= CONCEPT_MATCHES_MAX);
	assert_true(holds(big, "sensation", true));
	assert_false(holds(big, "sensation + leg within 3", true));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_word_forms),
		cmocka_unit_test(test_phrases),
		cmocka_unit_test(test_misspellings),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_many_forms),
		cmocka_unit_test(test_combinations),
		cmocka_unit_test(test_unless),
		cmocka_unit_test(test_context_recorded),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_duration_alone),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_scratch_reuse),
		cmocka_unit_test(test_cache_eviction),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
