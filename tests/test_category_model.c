/* Tests for category_model.c: the settings category_model and
 * category_rules (every error at its file and line), and classification
 * with a category model: asked only when the rules leave the fallback, it
 * answers with its class's rule when its most likely class is not fallback
 * and reaches the threshold. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "model.h"
#include "rules.h"
#include "testutil.h"
#include "token.h"

#define REPLIES                                                              \
	"replies = { fallback = \"Text FORM for tips.\"; help = \"Tips.\"; " \
	"};\n"

/* The rules: line 2 is the first rule, category_rules on line 11. */
#define RULES                                                               \
	REPLIES                                                             \
	"rules = (\n"                                                       \
	"  { id = \"numb-leg\"; category = \"urgent\";\n"                   \
	"    patterns = [ \"\\\\bnumb\" ]; reply = \"See a doctor.\"; },\n" \
	"  { id = \"form\"; category = \"tip\"; topic = \"form\";\n"        \
	"    patterns = [ \"\\\\bform\\\\b\" ]; reply = \"Brace.\"; },\n"   \
	"  { id = \"see-doc\"; category = \"referral\";\n"                  \
	"    patterns = [ \"\\\\bphysio\" ]; reply = \"Book one.\"; },\n"   \
	"  { id = \"about\"; category = \"info\";\n"                        \
	"    patterns = [ \"\\\\bwho are you\" ]; reply = \"We are.\"; }\n" \
	");\n"

/* The feature of one word, in dimension 1024. */
static uint32_t
feature(const char *w)
{
	struct token toks[MODEL_TOKENS];
	uint32_t f[MODEL_FEATURES];
	size_t nt = token_split(w, strlen(w), toks, MODEL_TOKENS);

	assert_int_equal(model_features(1024, w, toks, nt, f), 1);
	return f[0];
}

/* A model of classes tip referral info fallback: "ball" is a tip with
 * probability 0.958, "maybe" a tip with 0.577 (under the threshold 0.8),
 * "who" info; a message with none of them is the fallback. */
static char *
model_text(const char *classes)
{
	static char text[1024];

	snprintf(text, sizeof(text),
	         "backtalk-model 2\n"
	         "classes %s\n"
	         "dim 1024\n"
	         "threshold 0.8\n"
	         "bias -4 -4 -4 1\n"
	         "%u 12 0 0 -6\n"
	         "%u 5 0 0 -1\n"
	         "%u 0 0 10 -6\n",
	         classes, feature("ball"), feature("maybe"), feature("who"));
	return text;
}

/* Loads rules.conf with text and categories.model beside it. */
static int
load(const char *text, const char *model, struct ruleset **rs, struct diag *d)
{
	char *dir = testutil_tmpdir();
	char *path = testutil_write(dir, "rules.conf", text);
	char *mpath = testutil_write(dir, "categories.model", model);
	int rc;

	diag_init(d);
	rc = rules_load(path, rs, d);
	free(path);
	free(mpath);
	testutil_rmdir(dir);
	return rc;
}

static const char settings[] = "category_model = \"categories.model\";\n"
                               "category_rules = {\n"
                               "  tip = \"form\";\n"
                               "  referral = \"see-doc\";\n"
                               "  info = \"about\";\n"
                               "};\n";

static void
test_classify(void **state)
{
	static const struct {
		const char *text;
		const char *rule; /* NULL: the fallback */
		enum classify_via via;
		const char *cls; /* the model's class, NULL: not asked */
	} cases[] = {
		{ "a tennis ball on the back?", "form",
		  CLASSIFY_VIA_CATEGORY_MODEL, "tip" },
		{ "who", "about", CLASSIFY_VIA_CATEGORY_MODEL, "info" },
		{ "maybe", NULL, CLASSIFY_VIA_FALLBACK, "tip" },
		{ "hello there", NULL, CLASSIFY_VIA_FALLBACK, "fallback" },
		/* a rule answers: the model is not asked */
		{ "my ball foot is numb", "numb-leg", CLASSIFY_VIA_PATTERN,
		  NULL },
		{ "physio or a ball", "see-doc", CLASSIFY_VIA_PATTERN, NULL },
		/* nor for nothing at all, nor for a plain request */
		{ "!!!", NULL, CLASSIFY_VIA_EMPTY, NULL },
		{ "HELP", NULL, CLASSIFY_VIA_COMPLIANCE_KEYWORD, NULL },
	};
	struct ruleset *rs = NULL;
	struct diag d;
	struct classify_result res;
	char text[2048];

	(void)state;
	snprintf(text, sizeof(text), "%s%s", RULES, settings);
	if (load(text, model_text("tip referral info fallback"), &rs, &d) !=
	    0) {
		testutil_diag_dump(&d);
		fail_msg("did not load");
	}
	diag_free(&d);
	struct classify *c = classify_new(rs);
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;
		assert_int_equal(classify_message(c, t, strlen(t), &res, NULL),
		                 0);
		if (cases[i].rule == NULL)
			assert_null(res.rule_id);
		else
			assert_string_equal(res.rule_id, cases[i].rule);
		assert_int_equal(res.via, cases[i].via);
		if (cases[i].cls == NULL)
			assert_null(res.model_class);
		else
			assert_string_equal(res.model_class, cases[i].cls);
	}
	/* the probabilities, threshold and the explain path's decision */
	struct classify_explain *ex = malloc(sizeof(*ex));
	assert_non_null(ex);
	assert_int_equal(classify_message(c, "maybe", 5, &res, ex), 0);
	assert_true(res.model_prob > 0.57 && res.model_prob < 0.58);
	assert_true(res.model_threshold == 0.8);
	assert_int_equal(classify_message(c, "ball", 4, &res, ex), 0);
	assert_true(res.model_prob > 0.95 && res.model_prob < 0.96);
	assert_string_equal(res.rule_id, "form");
	assert_string_equal(res.reply, "Brace.");
	/* runs of letters: read as the training data read them */
	assert_int_equal(classify_message(c, "balllll", 7, &res, NULL), 0);
	assert_string_equal(res.rule_id, "form");
	free(ex);
	classify_free(c);
	rules_free(rs);
}

/* Loads text (rules and settings) with the model, expecting it to fail
 * with the diagnostic at line. */
static void
expect_error(const char *text, const char *model, int line, const char *want)
{
	struct ruleset *rs = NULL;
	struct diag d;

	if (load(text, model, &rs, &d) == 0) {
		rules_free(rs);
		fail_msg("loaded, want \"%s\"", want);
	}
	EXPECT_DIAG(&d, "rules.conf", line, want);
	diag_free(&d);
}

static void
test_errors(void **state)
{
	const char *good = model_text("tip referral info fallback");
	char text[2048];

	(void)state;
	/* a rule of another category (line 13 of the rules) */
	snprintf(text, sizeof(text), "%s%s", RULES,
	         "category_model = \"categories.model\";\n"
	         "category_rules = {\n"
	         "  tip = \"numb-leg\";\n"
	         "  referral = \"see-doc\";\n"
	         "  info = \"nope\";\n"
	         "  fallback = \"form\";\n"
	         "};\n");
	expect_error(text, good, 14,
	             "tip = \"numb-leg\": that rule's category is urgent");
	expect_error(text, good, 16, "info = \"nope\": no rule has that id");
	expect_error(text, good, 17, "\"fallback\" is not a class");
	expect_error(text, good, 13, "no rule for the class \"tip\"");
	/* a class left out */
	snprintf(text, sizeof(text), "%s%s", RULES,
	         "category_model = \"categories.model\";\n"
	         "category_rules = { tip = \"form\"; info = \"about\"; };\n");
	expect_error(text, good, 13, "no rule for the class \"referral\"");
	/* a class that is not tip, referral, info or fallback */
	snprintf(text, sizeof(text), "%s%s", RULES, settings);
	expect_error(text, model_text("tip referral urgent fallback"), 12,
	             "class \"urgent\" is not tip, referral, info or fallback");
	/* a model that does not load: its own file and line */
	expect_error(text, "backtalk-model 2\nclasses a b\n", 12,
	             "categories.model:2: classes");
	/* a red-flag model in its place */
	expect_error(text, "backtalk-model 1\ndim 4\nthreshold 0.5\nbias 0\n",
	             12, "is a red-flag model");
	/* one setting without the other */
	snprintf(text, sizeof(text), "%s%s", RULES,
	         "category_rules = { tip = \"form\"; };\n");
	expect_error(text, good, 12, "category_rules without a category_model");
	snprintf(text, sizeof(text), "%s%s", RULES,
	         "category_model = \"categories.model\";\n");
	expect_error(text, good, 12, "needs category_rules");
	/* not a file name */
	snprintf(text, sizeof(text), "%s%s", RULES,
	         "category_model = \"../x.model\";\n"
	         "category_rules = { tip = \"form\"; };\n");
	expect_error(text, good, 12, "must be a file name");
	/* a category model named as the red-flag model */
	snprintf(text, sizeof(text), "%s%s", RULES,
	         "model = \"categories.model\";\n");
	expect_error(text, good, 12, "is a category model");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
