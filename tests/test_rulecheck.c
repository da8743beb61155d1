/* Tests for rulecheck.c: examples and counter-examples, reply encoding and
 * length, and patterns that backtrack without bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rulecheck.h"
#include "testutil.h"

/* Two rules that pass every check; tests append a third. */
#define BASE                                                                   \
	"replies = { fallback = \"the fallback\"; help = \"tips on "           \
	"request\"; };\n"                                                      \
	"rules = (\n"                                                          \
	"  { id = \"numb\"; category = \"urgent\";\n"                          \
	"    patterns = [ \"\\\\bnumb\" ]; reply = \"See a doctor today.\";\n" \
	"    examples = [ \"my leg is numb\" ];\n"                             \
	"    counter_examples = [ \"no numbness\" ]; },\n"                     \
	"  { id = \"form\"; category = \"tip\"; topic = \"form\";\n"           \
	"    patterns = [ \"\\\\bform\\\\b\" ]; reply = \"Brace first.\";\n"   \
	"    examples = [ \"form tips\" ]; }"

/* Loads BASE + extra + ");" and runs the checks into d. */
static size_t
check(const char *extra, bool strict, struct diag *d)
{
	char *text;
	struct ruleset *rs;
	size_t n;

	if (asprintf(&text, "%s%s\n);\n", BASE, extra) < 0)
		fail();
	rs = testutil_load_text(text);
	diag_init(d);
	n = rulecheck_run(rs, strict, d);
	assert_int_equal(n, d->errors);
	rules_free(rs);
	free(text);
	return n;
}

static void
test_clean(void **state)
{
	struct diag d;

	(void)state;
	assert_int_equal(check("", true, &d), 0);
	if (d.count != 0) {
		testutil_diag_dump(&d);
		fail_msg("clean rules gave diagnostics");
	}
	diag_free(&d);
}

static void
test_example_selects_other(void **state)
{
	struct diag d;

	(void)state;
	/* Lines: the third rule starts on line 10. */
	assert_int_equal(
	    check(",\n"
	          "  { id = \"stretch\"; category = \"tip\"; topic = "
	          "\"stretch\";\n"
	          "    patterns = [ \"stretch\" ]; reply = \"Hold 30s.\";\n"
	          "    examples = [ \"stretch please\",\n"
	          "                 \"stretch my numb leg\",\n"
	          "                 \"form and stretch\",\n"
	          "                 \"hello\",\n"
	          "                 \"STOP\" ]; }",
	          false, &d),
	    4);
	EXPECT_DIAG(&d, "rules.conf", 13, "rule \"stretch\"",
	            "example \"stretch my numb leg\"",
	            "selects rule \"numb\" (urgent)", "not this rule");
	EXPECT_DIAG(&d, "rules.conf", 14, "example \"form and stretch\"",
	            "selects rule \"form\" (tip)");
	EXPECT_DIAG(&d, "rules.conf", 15, "example \"hello\"",
	            "selects no rule (the fallback reply)");
	EXPECT_DIAG(&d, "rules.conf", 16, "example \"STOP\"",
	            "the built-in stop keyword");
	assert_int_equal(d.warnings, 0);
	diag_free(&d);
}

static void
test_counter_example_selects_rule(void **state)
{
	struct diag d;

	(void)state;
	assert_int_equal(
	    check(",\n"
	          "  { id = \"sleep\"; category = \"referral\";\n"
	          "    patterns = [ \"sleep\" ]; reply = \"See a physio.\";\n"
	          "    examples = [ \"cant sleep\" ];\n"
	          "    counter_examples = [ \"sleep is fine\",\n"
	          "                         \"numb when i sleep\" ]; }",
	          false, &d),
	    1);
	EXPECT_DIAG(&d, "rules.conf", 13, "rule \"sleep\"",
	            "counter-example \"sleep is fine\"", "selects this rule");
	/* The second counter-example selects another rule: fine. */
	assert_null(FIND_DIAG(&d, NULL, 0, "numb when i sleep"));
	diag_free(&d);
}

static void
test_reply_not_gsm7(void **state)
{
	static const char rule[] =
	    ",\n"
	    "  { id = \"quote\"; category = \"tip\"; topic = \"causes\";\n"
	    "    patterns = [ \"why\" ];\n"
	    "    reply = \"Don\xe2\x80\x99t lift through pain.\";\n"
	    "    examples = [ \"why\" ]; }";
	struct diag d;

	(void)state;
	/* A warning by default... */
	assert_int_equal(check(rule, false, &d), 0);
	assert_int_equal(d.warnings, 1);
	const struct diag_item *it = FIND_DIAG(
	    &d, "rules.conf", 12, "rule \"quote\"", "U+2019", "UCS-2");
	assert_non_null(it);
	assert_int_equal(it->severity, DIAG_WARNING);
	assert_non_null(strstr(it->message, "\xe2\x80\x99"));
	diag_free(&d);

	/* ... an error when strict. */
	assert_int_equal(check(rule, true, &d), 1);
	assert_int_equal(d.warnings, 0);
	it = FIND_DIAG(&d, "rules.conf", 12, "rule \"quote\"", "U+2019");
	assert_non_null(it);
	assert_int_equal(it->severity, DIAG_ERROR);
	diag_free(&d);
}

/* A rule whose reply is n copies of c. */
static char *
rule_with_reply(size_t n, char c)
{
	char *reply = malloc(n + 1), *rule;

	assert_non_null(reply);
	memset(reply, c, n);
	reply[n] = '\0';
	if (asprintf(&rule,
	             ",\n"
	             "  { id = \"long\"; category = \"tip\"; topic = "
	             "\"recovery\";\n"
	             "    patterns = [ \"rest\" ];\n"
	             "    reply = \"%s\";\n"
	             "    examples = [ \"rest\" ]; }",
	             reply) < 0)
		fail();
	free(reply);
	return rule;
}

/* With replies.safety_net defined, every reply but STOP, START and the
 * red flags' ends with it. */
static void
test_safety_net(void **state)
{
	struct diag d;
	struct ruleset *rs = testutil_load_text(
	    "replies = { fallback = \"Menu. If in doubt, call us.\";\n"
	    "  help = \"Help text.\";\n"
	    "  stop = \"Bye.\"; start = \"Hi.\";\n"
	    "  safety_net = \"If in doubt, call us.\"; };\n"
	    "rules = (\n"
	    "  { id = \"numb\"; category = \"urgent\";\n"
	    "    patterns = [ \"\\\\bnumb\" ]; reply = \"See a doctor.\";\n"
	    "    examples = [ \"my leg is numb\" ]; },\n"
	    "  { id = \"form\"; category = \"tip\"; topic = \"form\";\n"
	    "    patterns = [ \"\\\\bform\\\\b\" ];\n"
	    "    reply = \"Brace first. If in doubt, call us.  \";\n"
	    "    examples = [ \"form tips\" ]; },\n"
	    "  { id = \"rest\"; category = \"tip\"; topic = \"recovery\";\n"
	    "    patterns = [ \"\\\\brest\\\\b\" ];\n"
	    "    reply = \"Rest a day.\";\n"
	    "    examples = [ \"rest\" ]; }\n"
	    ");\n");

	(void)state;
	diag_init(&d);
	assert_int_equal(rulecheck_run(rs, false, &d), 2);
	EXPECT_DIAG(&d, "rules.conf", 2, "replies.help",
	            "does not end with the safety net");
	EXPECT_DIAG(&d, "rules.conf", 15, "rule \"rest\"",
	            "does not end with the safety net");
	diag_free(&d);
	rules_free(rs);
}

static void
test_reply_too_long(void **state)
{
	struct diag d;
	char *rule;

	(void)state;
	/* 306 GSM-7 characters fit two parts. */
	rule = rule_with_reply(306, 'a');
	assert_int_equal(check(rule, true, &d), 0);
	assert_int_equal(d.count, 0);
	diag_free(&d);
	free(rule);

	/* 307 need three. */
	rule = rule_with_reply(307, 'a');
	assert_int_equal(check(rule, false, &d), 0);
	assert_int_equal(d.warnings, 1);
	EXPECT_DIAG(&d, "rules.conf", 12, "rule \"long\"", "3 SMS parts",
	            "307 septets");
	diag_free(&d);
	assert_int_equal(check(rule, true, &d), 1);
	EXPECT_DIAG(&d, "rules.conf", 12, "rule \"long\"", "3 SMS parts");
	diag_free(&d);
	free(rule);

	/* 154 extension characters are 308 septets. */
	rule = rule_with_reply(154, '|');
	assert_int_equal(check(rule, true, &d), 1);
	EXPECT_DIAG(&d, "rules.conf", 12, "rule \"long\"", "308 septets");
	diag_free(&d);
	free(rule);
}

static void
test_builtin_reply_checked(void **state)
{
	char text[1024], *fallback = malloc(401);
	struct ruleset *rs;
	struct diag d;

	(void)state;
	assert_non_null(fallback);
	memset(fallback, 'm', 400);
	fallback[400] = '\0';
	snprintf(text, sizeof(text),
	         "replies = {\n"
	         "  fallback = \"%s\";\n"
	         "  stop = \"You\xe2\x80\x99re out.\"; };\n"
	         "rules = ( { id = \"a\"; category = \"info\";\n"
	         "  patterns = [ \"a\" ]; reply = \"r\"; examples = [ \"a\" ]; "
	         "} );\n",
	         fallback);
	rs = testutil_load_text(text);
	diag_init(&d);
	assert_int_equal(rulecheck_run(rs, true, &d), 2);
	EXPECT_DIAG(&d, "rules.conf", 2, "replies.fallback", "3 SMS parts");
	EXPECT_DIAG(&d, "rules.conf", 3, "replies.stop", "U+2019");
	diag_free(&d);
	rules_free(rs);
	free(fallback);
}

/* A reply that, texted back, selects a red flag or a compliance keyword:
 * an error wherever it is, rules or built-ins or configuration texts. */
static void
test_reply_reads_as_red_flag(void **state)
{
	static const char text[] =
	    "replies = {\n"
	    "  fallback = \"Text FORM. Numbness: see a doctor.\";\n"
	    "  help = \"Tips on request.\";\n"
	    "  stop = \"No more messages from us.\";\n"
	    "  start = \"start\"; };\n"
	    "rules = (\n"
	    "  { id = \"numb\"; category = \"urgent\";\n"
	    "    patterns = [ \"\\\\bnumb\" ];\n"
	    "    reply = \"Your leg is numb: see a doctor today.\";\n"
	    "    examples = [ \"my leg is numb\" ]; },\n"
	    "  { id = \"form\"; category = \"tip\"; topic = \"form\";\n"
	    "    patterns = [ \"\\\\bform\\\\b\" ];\n"
	    "    reply = \"Brace first; a doctor can check your form.\";\n"
	    "    examples = [ \"form tips\" ]; }\n"
	    ");\n";
	struct ruleset *rs = testutil_load_text(text);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(rulecheck_run(rs, false, &d), 4);
	EXPECT_DIAG(&d, "rules.conf", 9, "rule \"numb\"",
	            "read as a text from someone", "rule \"numb\" (urgent)");
	EXPECT_DIAG(&d, "rules.conf", 2, "replies.fallback",
	            "rule \"numb\" (urgent)");
	EXPECT_DIAG(&d, "rules.conf", 4, "replies.stop",
	            "the built-in stop keyword");
	EXPECT_DIAG(&d, "rules.conf", 5, "replies.start",
	            "the built-in start keyword");
	/* A reply that reads as a tip or nothing at all is fine. */
	assert_null(FIND_DIAG(&d, NULL, 0, "rule \"form\""));
	assert_null(FIND_DIAG(&d, NULL, 0, "replies.help"));
	diag_free(&d);

	/* Configuration texts, one at a time. */
	diag_init(&d);
	assert_int_equal(rulecheck_text(rs, "HELP", "backtalk.conf", 0,
	                                "compliance.help_text", &d),
	                 1);
	EXPECT_DIAG(&d, "backtalk.conf", 0, "compliance.help_text",
	            "the built-in help keyword");
	assert_int_equal(rulecheck_text(rs,
	                                "Tips for lifters; text STOP to "
	                                "opt out.",
	                                "backtalk.conf", 0,
	                                "compliance.help_text", &d),
	                 0);
	diag_free(&d);
	rules_free(rs);
}

static void
test_runaway_patterns(void **state)
{
	struct diag d;

	(void)state;
	assert_int_equal(
	    check(",\n"
	          "  { id = \"nested\"; category = \"info\";\n"
	          "    patterns = [ \"^(a+)+$\" ]; reply = \"r\";\n"
	          "    examples = [ \"aaa\" ]; },\n"
	          "  { id = \"words\"; category = \"info\";\n"
	          "    patterns = [ \"zz\" ];\n"
	          "    exclude = [ \"^(\\\\w+\\\\s?)+$\" ]; reply = \"r\";\n"
	          "    examples = [ \"zz, top\" ]; }",
	          false, &d),
	    2);
	EXPECT_DIAG(&d, "rules.conf", 11, "rule \"nested\"",
	            "pattern \"^(a+)+$\"", "backtracks without bound");
	EXPECT_DIAG(&d, "rules.conf", 15, "rule \"words\"",
	            "pattern \"^(\\w+\\s?)+$\"", "backtracks without bound");
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_example_selects_other),
		cmocka_unit_test(test_counter_example_selects_rule),
		cmocka_unit_test(test_reply_not_gsm7),
		cmocka_unit_test(test_reply_too_long),
		cmocka_unit_test(test_safety_net),
		cmocka_unit_test(test_builtin_reply_checked),
		cmocka_unit_test(test_reply_reads_as_red_flag),
		cmocka_unit_test(test_runaway_patterns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
