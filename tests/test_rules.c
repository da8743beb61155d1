/* Tests for rules.c: loading rule files and directories, precedence order,
 * and the file:line diagnostics for every kind of mistake, all reported in
 * one run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "concept.h"
#include "rules.h"
#include "testutil.h"

#define REPLIES "replies = { fallback = \"menu\"; };\n"

/* Loads text that must fail; fills d (initialised here). */
static void
load_fail(const char *text, struct diag *d)
{
	char *dir = testutil_tmpdir();
	char *path = testutil_write(dir, "rules.conf", text);
	struct ruleset *sentinel = (struct ruleset *)(uintptr_t)0x1234;
	struct ruleset *rs = sentinel;

	diag_init(d);
	assert_int_equal(rules_load(path, &rs, d), -1);
	/* On failure the output parameter is untouched. */
	assert_ptr_equal(rs, sentinel);
	assert_true(d->errors > 0);
	free(path);
	testutil_rmdir(dir);
}

static long
find_rule(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i].id, id) == 0)
			return (long)i;
	fail_msg("no rule \"%s\"", id);
	return -1;
}

static void
test_valid_file(void **state)
{
	struct ruleset *rs;

	(void)state;
	rs = testutil_load_text(
	    "replies = { fallback = \"menu\"; help = \"help text\";\n"
	    "  stop = \"bye\"; start = \"hi\"; };\n"
	    "rules = (\n"
	    "  { id = \"numb-leg\"; category = \"urgent\"; priority = 10;\n"
	    "    patterns = [ \"\\\\bnumb\", \"tingl\" ];\n"
	    "    exclude = [ \"\\\\bnumbers?\\\\b\" ];\n"
	    "    keywords = [ \"NUMB\" ]; reply = \"see a doctor\";\n"
	    "    examples = [ \"my leg is numb\" ];\n"
	    "    counter_examples = [ \"no numbness\" ]; },\n"
	    "  { id = \"form\"; category = \"tip\"; topic = \"form\";\n"
	    "    keywords = [ \"FORM!\", \"Technique\" ];\n"
	    "    patterns = \"\\\\bform\\\\b\";\n"
	    "    reply = \"brace\"; examples = [ \"form tips\" ]; },\n"
	    "  { id = \"calm\"; category = \"urgent\"; negatable = false;\n"
	    "    patterns = [ \"fever\" ]; reply = \"r\";\n"
	    "    examples = [ \"fever\" ]; }\n"
	    ");\n");

	assert_int_equal(rs->nrules, 3);
	assert_int_equal(rs->nfiles, 1);

	const struct rule *r = &rs->rules[find_rule(rs, "numb-leg")];
	assert_int_equal(r->category, CATEGORY_URGENT);
	assert_int_equal(r->topic, TOPIC_NONE);
	assert_int_equal(r->priority, 10);
	assert_true(r->negatable); /* red flags are negatable by default */
	assert_string_equal(r->reply, "see a doctor");
	assert_int_equal(r->reply_line, 7);
	assert_int_equal(r->line, 4);
	assert_int_equal(r->patterns.count, 2);
	assert_string_equal(r->patterns.items[0].text, "\\bnumb");
	assert_int_equal(r->patterns.items[1].line, 5);
	assert_int_equal(r->exclude.count, 1);
	assert_int_equal(r->keywords.count, 1);
	assert_string_equal(r->keywords.items[0].text, "numb");
	assert_int_equal(r->examples.count, 1);
	assert_int_equal(r->counter_examples.count, 1);
	assert_non_null(strstr(r->file, "rules.conf"));

	r = &rs->rules[find_rule(rs, "form")];
	assert_int_equal(r->category, CATEGORY_TIP);
	assert_int_equal(r->topic, TOPIC_FORM);
	assert_false(r->negatable); /* tips are not */
	/* A single string is a list of one; keywords are normalised. */
	assert_int_equal(r->patterns.count, 1);
	assert_string_equal(r->keywords.items[0].text, "form");
	assert_string_equal(r->keywords.items[1].text, "technique");

	r = &rs->rules[find_rule(rs, "calm")];
	assert_false(r->negatable);

	assert_string_equal(rs->replies[REPLY_FALLBACK], "menu");
	assert_string_equal(rs->replies[REPLY_HELP], "help text");
	assert_string_equal(rs->replies[REPLY_STOP], "bye");
	assert_string_equal(rs->replies[REPLY_START], "hi");
	assert_int_equal(rs->reply_lines[REPLY_FALLBACK], 1);
	assert_int_equal(rs->reply_lines[REPLY_START], 2);
	assert_string_equal(rules_builtin_reply(rs, CATEGORY_HELP),
	                    "help text");
	assert_null(rules_builtin_reply(rs, CATEGORY_TIP));

	/* Keyword lookup takes normalised text. */
	assert_int_equal(rules_find_keyword(rs, "numb"),
	                 find_rule(rs, "numb-leg"));
	assert_int_equal(rules_find_keyword(rs, "technique"),
	                 find_rule(rs, "form"));
	assert_int_equal(rules_find_keyword(rs, "numb leg"), -1);

	/* Patterns: built-in compliance ones, then match patterns in rule
	 * order, then exclusions. */
	assert_int_equal(rs->npatterns, rs->nmatch_end + 1);
	assert_int_equal(rs->patterns[rs->nmatch_end].kind, PATTERN_EXCLUDE);
	assert_string_equal(rs->patterns[rs->nmatch_end].src, "\\bnumbers?\\b");
	assert_non_null(rs->prefilter);
	rules_free(rs);
}

static void
test_directory(void **state)
{
	char *dir = testutil_tmpdir();
	struct ruleset *rs = NULL;
	struct diag d;

	(void)state;
	/* Written out of order: name order decides. */
	free(testutil_write(dir, "20-later.conf",
	                    "rules = ( { id = \"later\"; category = \"info\";"
	                    " patterns = [ \"x\" ]; reply = \"r\";"
	                    " examples = [ \"x\" ]; } );\n"));
	free(testutil_write(dir, "10-first.conf",
	                    REPLIES
	                    "rules = ( { id = \"first\"; category = \"info\";"
	                    " patterns = [ \"y\" ]; reply = \"r\";"
	                    " examples = [ \"y\" ]; } );\n"));
	/* None of these is read: each would be an error if it were. */
	free(testutil_write(dir, "README", "not a rule file {{{\n"));
	free(testutil_write(dir, "notes.txt", "rules = ( oops\n"));
	free(testutil_write(dir, "30-old.conf.bak", "rules = ( oops\n"));
	free(testutil_write(dir, ".hidden.conf", "rules = ( oops\n"));
	free(testutil_write(dir, ".conf", "rules = ( oops\n"));

	diag_init(&d);
	if (rules_load(dir, &rs, &d) != 0) {
		testutil_diag_dump(&d);
		fail_msg("directory did not load");
	}
	assert_int_equal(d.errors, 0);
	assert_int_equal(rs->nfiles, 2);
	assert_int_equal(rs->nrules, 2);
	/* Same category and priority: load order, which is name order. */
	assert_string_equal(rs->rules[0].id, "first");
	assert_string_equal(rs->rules[1].id, "later");
	assert_true(rs->rules[0].order < rs->rules[1].order);
	assert_non_null(strstr(rs->rules[0].file, "10-first.conf"));
	rules_free(rs);
	diag_free(&d);

	/* A directory with no *.conf files is an error. */
	char *empty = testutil_tmpdir();
	free(testutil_write(empty, "README", "nothing here\n"));
	diag_init(&d);
	rs = NULL;
	assert_int_equal(rules_load(empty, &rs, &d), -1);
	EXPECT_DIAG(&d, NULL, 0, "no *.conf");
	diag_free(&d);
	testutil_rmdir(empty);
	testutil_rmdir(dir);
}

static void
test_precedence(void **state)
{
	struct ruleset *rs;
	static const char *const want[] = {
		"e", "f", "h", "g", "d", "c", "a", "b",
	};

	(void)state;
	/* File order: a b c d e f g h. */
	rs = testutil_load_text(
	    REPLIES
	    "rules = (\n"
	    "{ id = \"a\"; category = \"tip\"; topic = \"form\";"
	    "  patterns = [ \"a\" ]; reply = \"r\"; examples = [ \"a\" ]; },\n"
	    "{ id = \"b\"; category = \"info\"; priority = 100;"
	    "  patterns = [ \"b\" ]; reply = \"r\"; examples = [ \"b\" ]; },\n"
	    "{ id = \"c\"; category = \"referral\";"
	    "  patterns = [ \"c\" ]; reply = \"r\"; examples = [ \"c\" ]; },\n"
	    "{ id = \"d\"; category = \"referral\"; priority = 5;"
	    "  patterns = [ \"d\" ]; reply = \"r\"; examples = [ \"d\" ]; },\n"
	    "{ id = \"e\"; category = \"emergency\"; priority = -50;"
	    "  patterns = [ \"e\" ]; reply = \"r\"; examples = [ \"e\" ]; },\n"
	    "{ id = \"f\"; category = \"urgent\";"
	    "  patterns = [ \"f\" ]; reply = \"r\"; examples = [ \"f\" ]; },\n"
	    "{ id = \"g\"; category = \"urgent\"; priority = -1;"
	    "  patterns = [ \"g\" ]; reply = \"r\"; examples = [ \"g\" ]; },\n"
	    "{ id = \"h\"; category = \"urgent\"; priority = 0;"
	    "  patterns = [ \"h\" ]; reply = \"r\"; examples = [ \"h\" ]; }\n"
	    ");\n");
	assert_int_equal(rs->nrules, 8);
	for (size_t i = 0; i < 8; i++)
		if (strcmp(rs->rules[i].id, want[i]) != 0)
			fail_msg("rules[%zu] is \"%s\", want \"%s\"", i,
			         rs->rules[i].id, want[i]);
	for (size_t i = 0; i + 1 < 8; i++) {
		assert_true(rules_compare(&rs->rules[i], &rs->rules[i + 1]) <
		            0);
		assert_true(rules_compare(&rs->rules[i + 1], &rs->rules[i]) >
		            0);
	}
	assert_int_equal(rules_compare(&rs->rules[3], &rs->rules[3]), 0);
	/* Match patterns are numbered in precedence order too. */
	for (size_t i = 0; i + 1 < 8; i++)
		assert_true(rs->rules[i].first_pattern <
		            rs->rules[i + 1].first_pattern);
	rules_free(rs);
}

static void
test_syntax_error(void **state)
{
	struct diag d;

	(void)state;
	load_fail(REPLIES "rules = (\n"
	                  "  { id = \"a\"; category = \"tip\" = ; }\n"
	                  ");\n",
	          &d);
	EXPECT_DIAG(&d, "rules.conf", 3, "syntax error");
	diag_free(&d);

	/* Unterminated list: reported where the file ends. */
	load_fail(REPLIES "rules = (\n  { id = \"a\";\n", &d);
	EXPECT_DIAG(&d, "rules.conf", 0, "syntax error");
	assert_true(d.items[0].line >= 3);
	diag_free(&d);
}

static void
test_unknown_keys(void **state)
{
	struct diag d;

	(void)state;
	load_fail("replies = { fallback = \"menu\"; goodbye = \"x\"; };\n"
	          "rules = (\n"
	          "  { id = \"a\"; category = \"info\"; patterns = [ \"a\" ];\n"
	          "    reply = \"r\"; examples = [ \"a\" ];\n"
	          "    pattern = [ \"typo\" ]; }\n"
	          ");\n"
	          "rule = ( );\n",
	          &d);
	EXPECT_DIAG(&d, "rules.conf", 5, "rule \"a\"",
	            "unknown key \"pattern\"");
	EXPECT_DIAG(&d, "rules.conf", 1, "unknown key \"goodbye\"");
	EXPECT_DIAG(&d, "rules.conf", 7, "unknown setting \"rule\"");
	assert_int_equal(d.errors, 3);
	diag_free(&d);
}

static void
test_missing_fields(void **state)
{
	struct diag d;

	(void)state;
	load_fail(REPLIES "rules = (\n"
	                  "  { category = \"info\"; patterns = [ \"a\" ];\n"
	                  "    reply = \"r\"; examples = [ \"a\" ]; },\n"
	                  "  { id = \"no-category\"; patterns = [ \"b\" ];\n"
	                  "    reply = \"r\"; examples = [ \"b\" ]; },\n"
	                  "  { id = \"no-reply\"; category = \"info\";\n"
	                  "    patterns = [ \"c\" ]; examples = [ \"c\" ]; },\n"
	                  "  { id = \"no-match\"; category = \"info\";\n"
	                  "    reply = \"r\"; examples = [ \"d\" ]; }\n"
	                  ");\n",
	          &d);
	EXPECT_DIAG(&d, "rules.conf", 3, "rule 1 has no id");
	EXPECT_DIAG(&d, "rules.conf", 5, "rule \"no-category\"",
	            "missing category");
	EXPECT_DIAG(&d, "rules.conf", 7, "rule \"no-reply\"", "missing reply");
	EXPECT_DIAG(&d, "rules.conf", 9, "rule \"no-match\"",
	            "no when, patterns or keywords");
	assert_int_equal(d.errors, 4);
	diag_free(&d);
}

static void
test_bad_values(void **state)
{
	struct diag d;

	(void)state;
	load_fail(
	    REPLIES
	    "rules = (\n"
	    "  { id = \"a\"; category = \"critical\";\n"
	    "    patterns = [ \"a\" ]; reply = \"r\"; },\n"
	    "  { id = \"Bad Id\"; category = \"info\";\n"
	    "    patterns = [ \"b\" ]; reply = \"r\"; },\n"
	    "  { id = \"c\"; category = \"info\"; priority = \"high\";\n"
	    "    patterns = [ \"c\" ]; reply = \"r\"; },\n"
	    "  { id = \"d\"; category = \"info\"; priority = 5000;\n"
	    "    patterns = [ \"d\" ]; reply = \"r\"; },\n"
	    "  { id = \"e\"; category = \"urgent\"; negatable = 1;\n"
	    "    patterns = [ \"e\" ]; reply = \"r\"; },\n"
	    "  { id = \"f\"; category = \"info\"; keywords = [ \"!!\" ];\n"
	    "    patterns = [ 42 ]; reply = \"\"; },\n"
	    "  { id = \"g\"; category = \"info\"; patterns = 7;\n"
	    "    reply = \"r\"; }\n"
	    ");\n",
	    &d);
	EXPECT_DIAG(&d, "rules.conf", 3, "rule \"a\"",
	            "category must be one of");
	EXPECT_DIAG(&d, "rules.conf", 5, "rule 2: id must be");
	EXPECT_DIAG(&d, "rules.conf", 7, "rule \"c\"", "priority must be");
	EXPECT_DIAG(&d, "rules.conf", 9, "rule \"d\"", "priority 5000");
	EXPECT_DIAG(&d, "rules.conf", 11, "rule \"e\"", "negatable must be");
	EXPECT_DIAG(&d, "rules.conf", 13, "rule \"f\"", "keyword \"!!\"",
	            "no letters or digits");
	EXPECT_DIAG(&d, "rules.conf", 14, "rule \"f\"", "entry 1 of patterns");
	EXPECT_DIAG(&d, "rules.conf", 14, "rule \"f\"", "reply is empty");
	EXPECT_DIAG(&d, "rules.conf", 15, "rule \"g\"",
	            "patterns must be a list");
	assert_int_equal(d.errors, 9);
	diag_free(&d);
}

static void
test_topics(void **state)
{
	struct diag d;

	(void)state;
	load_fail(REPLIES "rules = (\n"
	                  "  { id = \"tip-no-topic\"; category = \"tip\";\n"
	                  "    patterns = [ \"a\" ]; reply = \"r\"; },\n"
	                  "  { id = \"urgent-topic\"; category = \"urgent\";\n"
	                  "    topic = \"form\";\n"
	                  "    patterns = [ \"b\" ]; reply = \"r\"; },\n"
	                  "  { id = \"bad-topic\"; category = \"tip\";\n"
	                  "    topic = \"diet\";\n"
	                  "    patterns = [ \"c\" ]; reply = \"r\"; }\n"
	                  ");\n",
	          &d);
	EXPECT_DIAG(&d, "rules.conf", 3, "rule \"tip-no-topic\"",
	            "a tip needs a topic");
	EXPECT_DIAG(&d, "rules.conf", 6, "rule \"urgent-topic\"",
	            "only tip rules have a topic");
	EXPECT_DIAG(&d, "rules.conf", 9, "rule \"bad-topic\"",
	            "topic must be one of");
	assert_int_equal(d.errors, 3);
	diag_free(&d);
}

/* Two files defining the same id. */
static void
load_duplicate_ids(struct diag *d)
{
	char *dir = testutil_tmpdir();
	struct ruleset *rs = NULL;

	/* The first definition has the lower precedence, so that an order
	 * by precedence and an order by file disagree. */
	free(testutil_write(dir, "10-a.conf",
	                    REPLIES
	                    "rules = (\n"
	                    "  { id = \"same\"; category = \"tip\";\n"
	                    "    topic = \"form\"; patterns = [ \"a\" ];\n"
	                    "    reply = \"r\"; examples = [ \"a\" ]; }\n"
	                    ");\n"));
	free(testutil_write(dir, "20-b.conf",
	                    "rules = (\n"
	                    "\n"
	                    "\n"
	                    "  { id = \"same\"; category = \"emergency\";\n"
	                    "    patterns = [ \"b\" ]; reply = \"r\";\n"
	                    "    examples = [ \"b\" ]; }\n"
	                    ");\n"));
	diag_init(d);
	assert_int_equal(rules_load(dir, &rs, d), -1);
	testutil_rmdir(dir);
}

static void
test_duplicate_ids(void **state)
{
	struct diag d;

	(void)state;
	load_duplicate_ids(&d);
	assert_int_equal(d.errors, 1);
	/* Reported once, naming both definitions. */
	const struct diag_item *it =
	    FIND_DIAG(&d, NULL, 0, "duplicate rule id \"same\"");
	assert_non_null(it);
	assert_non_null(strstr(it->file, ".conf"));
	assert_true(strstr(it->file, "10-a.conf") != NULL ||
	            strstr(it->message, "10-a.conf:3") != NULL);
	assert_true(strstr(it->file, "20-b.conf") != NULL ||
	            strstr(it->message, "20-b.conf:4") != NULL);
	diag_free(&d);
}

/* Regression: rules_check_unique runs after the rules
 * are sorted by precedence, so "first defined at" names the definition with
 * the higher precedence, not the one read first. */
static void
test_duplicate_ids_names_first_definition(void **state)
{
	struct diag d;

	(void)state;
	load_duplicate_ids(&d);
	EXPECT_DIAG(&d, "20-b.conf", 4, "duplicate rule id \"same\"",
	            "first defined at ", "10-a.conf:3");
	diag_free(&d);
}

/* Regression: "has neither patterns nor keywords" is
 * only reported for a rule with no other error. */
static void
test_no_patterns_reported_with_other_errors(void **state)
{
	struct diag d;

	(void)state;
	load_fail(REPLIES "rules = (\n"
	                  "  { id = \"a\"; category = \"info\"; reply = \"\";\n"
	                  "    examples = [ \"a\" ]; }\n"
	                  ");\n",
	          &d);
	EXPECT_DIAG(&d, "rules.conf", 3, "rule \"a\"", "reply is empty");
	EXPECT_DIAG(&d, "rules.conf", 3, "rule \"a\"",
	            "no when, patterns or keywords");
	diag_free(&d);
}

/* Concepts: every mistake names the line to edit. */
static void
test_concept_errors(void **state)
{
	struct diag d;

	(void)state;
	load_fail(REPLIES "concepts = {\n"
	                  "  leg = [ \"leg\", \"foot\" ];\n"
	                  "  foot = [ \"calf\" ];\n"
	                  "  Bad = [ \"x\" ];\n"
	                  "  empty = [ ];\n"
	                  "  regex = [ \"numb(ness)?\" ];\n"
	                  "  spare = [ \"zebra\" ];\n"
	                  "};\n"
	                  "rules = (\n"
	                  "  { id = \"a\"; category = \"urgent\";\n"
	                  "    when = [ \"leg + regex\",\n"
	                  "             \"leg + nosuch\",\n"
	                  "             \"leg within x\" ];\n"
	                  "    reply = \"r\"; examples = [ \"a\" ]; }\n"
	                  ");\n",
	          &d);
	EXPECT_DIAG(&d, "rules.conf", 5, "concept name \"Bad\"");
	EXPECT_DIAG(&d, "rules.conf", 6, "concept \"empty\"", "list of terms");
	EXPECT_DIAG(&d, "rules.conf", 7, "concept \"regex\"", "use patterns");
	EXPECT_DIAG(&d, "rules.conf", 13, "rule \"a\"",
	            "unknown concept \"nosuch\"");
	EXPECT_DIAG(&d, "rules.conf", 14, "rule \"a\"", "within takes");
	EXPECT_DIAG(&d, "rules.conf", 8, "concept \"spare\"", "not used");
	diag_free(&d);
}

/* The same concept in two files: reported at the second, naming the
 * first. */
static void
test_concept_duplicate(void **state)
{
	char *dir = testutil_tmpdir();
	struct ruleset *rs = NULL;
	struct diag d;

	(void)state;
	free(testutil_write(dir, "10-a.conf",
	                    REPLIES "concepts = { leg = [ \"leg\" ]; };\n"));
	free(testutil_write(dir, "20-b.conf",
	                    "\nconcepts = {\n  leg = [ \"calf\" ];\n};\n"));
	diag_init(&d);
	assert_int_equal(rules_load(dir, &rs, &d), -1);
	EXPECT_DIAG(&d, "20-b.conf", 3, "concept \"leg\"", "defined already at",
	            "10-a.conf:2");
	diag_free(&d);
	testutil_rmdir(dir);
}

/* A rule with only combinations loads and selects by them. */
static void
test_concepts_load(void **state)
{
	struct ruleset *rs;

	(void)state;
	rs = testutil_load_text(
	    REPLIES "concepts = { leg = [ \"leg\" ];\n"
	            "  numb = [ \"numb\", \"pins and needles\" ]; };\n"
	            "rules = (\n"
	            "  { id = \"n\"; category = \"urgent\";\n"
	            "    when = [ \"numb + leg within 5\" ];\n"
	            "    reply = \"r\"; examples = [ \"a\" ]; }\n"
	            ");\n");
	assert_non_null(rs);
	assert_int_equal(rs->ncombos, 1);
	assert_int_equal(rs->ncombo_rules, 1);
	assert_int_equal(rs->rules[0].when.count, 1);
	assert_int_equal(rs->combos[0].n, 2);
	assert_int_equal(rs->combos[0].within, 5);
	rules_free(rs);
}

/* A combination ending "unless NAME" loads with its concept, which counts
 * as used; an unknown one is an error at its line. */
static void
test_concepts_unless(void **state)
{
	struct ruleset *rs;
	struct diag d;

	(void)state;
	rs = testutil_load_text(
	    REPLIES
	    "concepts = { leg = [ \"leg\" ];\n"
	    "  numb = [ \"numb\" ]; machine = [ \"tens machine\" ]; };\n"
	    "rules = (\n"
	    "  { id = \"n\"; category = \"urgent\";\n"
	    "    when = [ \"numb + leg within 5 unless machine\" ];\n"
	    "    reply = \"r\"; examples = [ \"a\" ]; }\n"
	    ");\n");
	assert_non_null(rs);
	assert_int_equal(rs->ncombos, 1);
	assert_int_equal(rs->combos[0].nunless, 1);
	assert_int_equal(rs->combos[0].within, 5);
	rules_free(rs);
	load_fail(REPLIES "concepts = { leg = [ \"leg\" ]; };\n"
	                  "rules = (\n"
	                  "  { id = \"n\"; category = \"urgent\";\n"
	                  "    when = [ \"leg unless nope\" ];\n"
	                  "    reply = \"r\"; examples = [ \"a\" ]; }\n"
	                  ");\n",
	          &d);
	if (FIND_DIAG(&d, "rules.conf", 0, "unknown concept \"nope\"", "") ==
	    NULL) {
		testutil_diag_dump(&d);
		fail_msg("unknown unless concept not reported");
	}
	diag_free(&d);
}

static void
test_duplicate_keywords(void **state)
{
	struct diag d;

	(void)state;
	load_fail(REPLIES
	          "rules = (\n"
	          "  { id = \"one\"; category = \"tip\"; topic = \"form\";\n"
	          "    keywords = [ \"FORM\" ]; reply = \"r\"; },\n"
	          "  { id = \"two\"; category = \"tip\"; topic = \"form\";\n"
	          "    keywords = [ \"lift\",\n"
	          "                 \"Form!\" ]; reply = \"r\"; }\n"
	          ");\n",
	          &d);
	/* "Form!" normalises to "form", the keyword of "one". */
	const struct diag_item *it =
	    FIND_DIAG(&d, "rules.conf", 0, "keyword \"form\"",
	              "is also a keyword of rule");
	if (it == NULL) {
		testutil_diag_dump(&d);
		fail_msg("duplicate keyword not reported");
	}
	assert_non_null(strstr(it->message, "\"one\""));
	assert_non_null(strstr(it->message, "\"two\""));
	assert_true(it->line == 4 || it->line == 7);
	assert_int_equal(d.errors, 1);
	diag_free(&d);
}

static void
test_compliance_keyword(void **state)
{
	struct diag d;

	(void)state;
	load_fail(REPLIES "rules = (\n"
	                  "  { id = \"a\"; category = \"info\";\n"
	                  "    keywords = [ \"stop\" ]; reply = \"r\"; },\n"
	                  "  { id = \"b\"; category = \"info\";\n"
	                  "    keywords = [ \"Opt Out\",\n"
	                  "                 \"HELP!\" ]; reply = \"r\"; }\n"
	                  ");\n",
	          &d);
	EXPECT_DIAG(&d, "rules.conf", 4, "rule \"a\"", "keyword \"stop\"",
	            "built-in stop keyword");
	EXPECT_DIAG(&d, "rules.conf", 6, "rule \"b\"", "keyword \"opt out\"",
	            "built-in stop keyword");
	EXPECT_DIAG(&d, "rules.conf", 7, "rule \"b\"", "keyword \"help\"",
	            "built-in help keyword");
	assert_int_equal(d.errors, 3);
	diag_free(&d);
}

static void
test_pcre2_error(void **state)
{
	struct diag d;

	(void)state;
	load_fail(REPLIES "rules = (\n"
	                  "  { id = \"paren\"; category = \"info\";\n"
	                  "    patterns = [ \"ok\",\n"
	                  "                 \"(bar\" ]; reply = \"r\"; },\n"
	                  "  { id = \"excl\"; category = \"info\";\n"
	                  "    patterns = [ \"fine\" ];\n"
	                  "    exclude = [ \"x{2,1}\" ]; reply = \"r\"; }\n"
	                  ");\n",
	          &d);
	EXPECT_DIAG(&d, "rules.conf", 5, "rule \"paren\"", "pattern \"(bar\"",
	            "offset 4", "missing closing parenthesis");
	EXPECT_DIAG(&d, "rules.conf", 8, "rule \"excl\"", "pattern \"x{2,1}\"",
	            "offset 5", "out of order");
	assert_int_equal(d.errors, 2);
	diag_free(&d);
}

static void
test_missing_fallback(void **state)
{
	struct diag d;

	(void)state;
	load_fail("rules = (\n"
	          "  { id = \"a\"; category = \"info\"; patterns = [ \"a\" ];\n"
	          "    reply = \"r\"; examples = [ \"a\" ]; }\n"
	          ");\n",
	          &d);
	EXPECT_DIAG(&d, "rules.conf", 0, "no fallback reply");
	assert_int_equal(d.errors, 1);
	diag_free(&d);

	/* A replies group without the fallback. */
	load_fail("replies = { help = \"h\"; };\n"
	          "rules = (\n"
	          "  { id = \"a\"; category = \"info\"; patterns = [ \"a\" ];\n"
	          "    reply = \"r\"; examples = [ \"a\" ]; }\n"
	          ");\n",
	          &d);
	EXPECT_DIAG(&d, NULL, 0, "no fallback reply");
	assert_int_equal(d.errors, 1);
	diag_free(&d);
}

static void
test_all_errors_reported(void **state)
{
	struct diag d;

	(void)state;
	/* Three distinct mistakes in three rules, each rule otherwise
	 * complete (examples included, so no warnings): three items. */
	load_fail(REPLIES "rules = (\n"
	                  "  { id = \"one\"; category = \"info\";\n"
	                  "    patterns = [ \"a\" ]; reply = \"r\";\n"
	                  "    examples = [ \"a\" ]; colour = \"red\"; },\n"
	                  "  { id = \"two\"; category = \"sometimes\";\n"
	                  "    patterns = [ \"b\" ]; reply = \"r\";\n"
	                  "    examples = [ \"b\" ]; },\n"
	                  "  { id = \"three\"; category = \"info\";\n"
	                  "    patterns = [ \"c(\" ]; reply = \"r\";\n"
	                  "    examples = [ \"c\" ]; }\n"
	                  ");\n",
	          &d);
	if (d.count != 3) {
		testutil_diag_dump(&d);
		fail_msg("%zu diagnostics, want 3", d.count);
	}
	assert_int_equal(d.errors, 3);
	assert_int_equal(d.warnings, 0);
	EXPECT_DIAG(&d, "rules.conf", 5, "rule \"one\"",
	            "unknown key \"colour\"");
	EXPECT_DIAG(&d, "rules.conf", 6, "rule \"two\"", "category");
	EXPECT_DIAG(&d, "rules.conf", 10, "rule \"three\"", "pattern \"c(\"");
	diag_free(&d);
}

static void
test_errors_across_files(void **state)
{
	char *dir = testutil_tmpdir();
	struct ruleset *rs = NULL;
	struct diag d;

	(void)state;
	/* A syntax error in one file does not hide errors in the next. */
	free(testutil_write(dir, "10-broken.conf", REPLIES "rules = ( {\n"));
	free(testutil_write(dir, "20-bad.conf",
	                    "rules = (\n"
	                    "  { id = \"x\"; category = \"nope\";\n"
	                    "    patterns = [ \"x\" ]; reply = \"r\"; }\n"
	                    ");\n"
	                    "replies = { fallback = \"again\"; };\n"));
	diag_init(&d);
	assert_int_equal(rules_load(dir, &rs, &d), -1);
	EXPECT_DIAG(&d, "10-broken.conf", 0, "syntax error");
	EXPECT_DIAG(&d, "20-bad.conf", 2, "rule \"x\"", "category");
	diag_free(&d);
	testutil_rmdir(dir);

	/* Replies in two files. */
	dir = testutil_tmpdir();
	free(testutil_write(dir, "a.conf", REPLIES));
	free(testutil_write(dir, "b.conf",
	                    "replies = { fallback = \"two\"; };\n"));
	diag_init(&d);
	assert_int_equal(rules_load(dir, &rs, &d), -1);
	EXPECT_DIAG(&d, "b.conf", 1, "replies are defined in", "a.conf");
	diag_free(&d);
	testutil_rmdir(dir);
}

static void
test_unreadable_path(void **state)
{
	struct ruleset *rs = NULL;
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
	    rules_load("/nonexistent/backtalk/rules.conf", &rs, &d), -1);
	assert_null(rs);
	EXPECT_DIAG(&d, "/nonexistent/backtalk/rules.conf", 0, "cannot open");
	diag_free(&d);
}

static void
test_invalid_utf8_text(void **state)
{
	struct diag d;

	(void)state;
	load_fail(REPLIES "rules = (\n"
	                  "  { id = \"a\"; category = \"info\";\n"
	                  "    patterns = [ \"a\" ];\n"
	                  "    reply = \"bad \xff byte\"; }\n"
	                  ");\n",
	          &d);
	EXPECT_DIAG(&d, "rules.conf", 5, "rule \"a\"", "reply",
	            "not valid UTF-8");
	diag_free(&d);
}

/* A FIFO named *.conf in a rules directory, or given as the rules, is an
 * error at once: it used to block the load (a reload, `backtalk check`)
 * until a writer came. */
static void
test_fifo_refused(void **state)
{
	char *dir = testutil_tmpdir();
	struct ruleset *rs = NULL;
	struct diag d;
	char *fifo;

	(void)state;
	free(testutil_write(dir, "10-first.conf",
	                    REPLIES
	                    "rules = ( { id = \"first\"; category = \"info\";"
	                    " patterns = [ \"y\" ]; reply = \"r\";"
	                    " examples = [ \"y\" ]; } );\n"));
	assert_true(asprintf(&fifo, "%s/20-fifo.conf", dir) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	diag_init(&d);
	alarm(10); /* a hang fails the test */
	assert_int_equal(rules_load(dir, &rs, &d), -1);
	EXPECT_DIAG(&d, "20-fifo.conf", 0, "cannot read", "not a regular file");
	diag_free(&d);

	diag_init(&d);
	assert_int_equal(rules_load(fifo, &rs, &d), -1);
	alarm(0);
	EXPECT_DIAG(&d, "20-fifo.conf", 0, "not a regular file");
	diag_free(&d);
	free(fifo);
	testutil_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_file),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_topics),
		cmocka_unit_test(test_duplicate_ids),
		cmocka_unit_test(test_duplicate_ids_names_first_definition),
		cmocka_unit_test(test_no_patterns_reported_with_other_errors),
		cmocka_unit_test(test_duplicate_keywords),
		cmocka_unit_test(test_concept_errors),
		cmocka_unit_test(test_concept_duplicate),
		cmocka_unit_test(test_concepts_load),
		cmocka_unit_test(test_concepts_unless),
		cmocka_unit_test(test_compliance_keyword),
		cmocka_unit_test(test_pcre2_error),
		cmocka_unit_test(test_missing_fallback),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_errors_across_files),
		cmocka_unit_test(test_unreadable_path),
		cmocka_unit_test(test_invalid_utf8_text),
		cmocka_unit_test(test_fifo_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
