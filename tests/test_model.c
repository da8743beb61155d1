/* Tests for model.c: the models' file formats, their errors (each naming
 * file:line), the features and the probabilities (a category model's as
 * liblinear-predict -b 1 gives them). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "token.h"

static struct model *
parse(const char *text, char *err)
{
	return model_parse("t.model", text, strlen(text), err, 256);
}

static void
expect_error(const char *text, const char *want)
{
	char err[256] = "";
	struct model *m = parse(text, err);

	if (m != NULL) {
		model_free(m);
		fail_msg("\"%s\" loaded, want error \"%s\"", text, want);
	}
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\", want \"%s\"", err, want);
}

static void
test_valid(void **state)
{
	char err[256];
	struct model *m = parse("backtalk-model 1\n"
	                        "# a comment\n"
	                        "dim 16\n"
	                        "threshold 0.75  # inline\n"
	                        "bias -0.5\n"
	                        "\n"
	                        "3 1.25\n"
	                        "16 -2\n",
	                        err);

	(void)state;
	assert_non_null(m);
	assert_int_equal(model_dim(m), 16);
	assert_true(fabs(model_threshold(m) - 0.75) < 1e-12);
	/* no token: the bias alone */
	assert_true(fabs(model_prob(m, "", NULL, 0) - 1.0 / (1.0 + exp(0.5))) <
	            1e-9);
	model_free(m);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("", "incomplete");
	expect_error("model 1\n", "t.model:1: not a backtalk model");
	expect_error("backtalk-model 1\ndim 0\n", "t.model:2: dim must");
	expect_error("backtalk-model 1\ndim 99999999\n", "t.model:2: dim");
	expect_error("backtalk-model 1\ndim 4\ndim 4\n", "t.model:3: dim");
	expect_error("backtalk-model 1\ndim 4\nthreshold 1\n",
	             "t.model:3: threshold");
	expect_error("backtalk-model 1\ndim 4\nthreshold 0.5\nbias x\n",
	             "t.model:4: bias");
	expect_error("backtalk-model 1\n3 0.5\n", "t.model:2: want a feature");
	expect_error("backtalk-model 1\ndim 4\n5 0.5\n",
	             "t.model:3: want a feature");
	expect_error("backtalk-model 1\ndim 4\n2 nan\n",
	             "t.model:3: the weight");
	expect_error("backtalk-model 1\ndim 4\n2 0.5 7\n",
	             "t.model:3: want two words");
	expect_error("backtalk-model 1\ndim 4\nthreshold 0.5\n",
	             "t.model: incomplete");
	char nul[] = "backtalk-model 1\ndim 4\n2 0\0.5\n";
	char err[256] = "";
	assert_null(model_parse("t.model", nul, sizeof(nul) - 1, err, 256));
	assert_non_null(strstr(err, "t.model:3: a NUL byte"));
}

static void
test_load_file(void **state)
{
	char path[] = "/tmp/backtalk-model-test.XXXXXX", err[256] = "";
	int fd = mkstemp(path);
	const char *text = "backtalk-model 1\ndim 8\nthreshold 0.9\nbias 0\n";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct model *m = model_load(path, err, sizeof(err));
	assert_non_null(m);
	model_free(m);
	unlink(path);
	assert_null(model_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
	/* a directory is not a model */
	assert_null(model_load("/tmp", err, sizeof(err)));
	assert_non_null(strstr(err, "not a regular file"));
}

/* Features: sorted, each once, in [1, dim]; the same words give the same
 * features, and a word pair is a feature of its own. */
static void
test_features(void **state)
{
	struct token toks[MODEL_TOKENS];
	uint32_t a[MODEL_FEATURES], b[MODEL_FEATURES];
	const char *t1 = "leg leg numb", *t2 = "numb leg";

	(void)state;
	size_t n1 =
	    model_features(65536, t1, toks,
	                   token_split(t1, strlen(t1), toks, MODEL_TOKENS), a);
	/* leg, numb; leg_leg, leg_numb */
	assert_int_equal(n1, 4);
	for (size_t i = 1; i < n1; i++)
		assert_true(a[i] > a[i - 1]);
	size_t n2 =
	    model_features(65536, t2, toks,
	                   token_split(t2, strlen(t2), toks, MODEL_TOKENS), b);
	assert_int_equal(n2, 3); /* numb, leg; numb_leg */
	for (size_t i = 0; i < n1; i++)
		assert_true(a[i] >= 1 && a[i] <= 65536);
	/* dim 1: everything is feature 1 */
	assert_int_equal(
	    model_features(1, t1, toks,
	                   token_split(t1, strlen(t1), toks, MODEL_TOKENS), a),
	    1);
	assert_int_equal(a[0], 1);
}

/* A weight on a message's feature moves its probability that way. */
static void
test_prob_follows_weights(void **state)
{
	struct token toks[MODEL_TOKENS];
	uint32_t f[MODEL_FEATURES];
	const char *t = "numb";
	size_t nt = token_split(t, strlen(t), toks, MODEL_TOKENS);
	char text[256], err[256];

	(void)state;
	assert_int_equal(model_features(1024, t, toks, nt, f), 1);
	snprintf(text, sizeof(text),
	         "backtalk-model 1\ndim 1024\nthreshold 0.9\nbias -3\n%u 6\n",
	         f[0]);
	struct model *m = parse(text, err);
	assert_non_null(m);
	double p = model_prob(m, t, toks, nt);
	assert_true(fabs(p - 1.0 / (1.0 + exp(-3.0))) < 1e-6);
	const char *u = "sore";
	size_t nu = token_split(u, strlen(u), toks, MODEL_TOKENS);
	assert_true(model_prob(m, u, toks, nu) < 0.1);
	model_free(m);
}

/* A category model trained by
 *   scripts/train-model.sh -c tip,referral,fallback -d 16 -t 0.5 train.tsv
 * on ten messages whose first is a referral and second a fallback (so that
 * liblinear's columns, "label 1 2 0", are not in the order of -c). */
static const char small_model[] = "backtalk-model 2\n"
                                  "classes tip referral fallback\n"
                                  "dim 16\n"
                                  "threshold 0.5\n"
                                  "bias -0.375935 -0.282785 -0.0083938\n"
                                  "1 0.607616 -0.342172 -0.553337\n"
                                  "2 0.41521 -0.30334 -0.263241\n"
                                  "3 0.0820092 0.139095 -0.365793\n"
                                  "4 -0.804828 -0.346464 0.765392\n"
                                  "5 -0.0682729 -0.466268 0.220827\n"
                                  "6 -0.0894249 -0.420445 0.119113\n"
                                  "7 -0.0512705 -0.158399 -0.0148588\n"
                                  "8 0.0404661 0.190172 -0.270621\n"
                                  "9 -0.100531 0.148287 -0.245989\n"
                                  "10 -0.515306 0.422611 -0.14962\n"
                                  "11 0.367786 -0.192995 -0.377359\n"
                                  "12 -0.433672 0.590682 -0.348465\n"
                                  "13 0.0117684 -0.141156 -0.0641626\n"
                                  "14 0.663203 -0.352287 -0.613081\n"
                                  "15 0.0692323 0.35689 -0.570412\n"
                                  "16 0.394638 -0.369848 -0.137208\n";

/* The probabilities of each class, as liblinear-predict -b 1 printed them
 * with liblinear's own model file (full precision) on these messages'
 * `backtalk features --dim 16` lines, put in the order of the classes. */
static void
test_category_probs(void **state)
{
	static const struct {
		const char *text;
		double p[3]; /* tip, referral, fallback */
	} cases[] = {
		{ "how do i brace", { 0.38984, 0.452454, 0.157706 } },
		{ "see a doctor for my back",
		  { 0.603196, 0.239698, 0.157107 } },
		{ "pizza", { 0.226111, 0.415833, 0.358056 } },
		{ "", { 0.305, 0.321979, 0.373021 } },
	};
	struct token toks[MODEL_TOKENS];
	char err[256] = "";
	double p[MODEL_CLASSES_MAX];

	(void)state;
	struct model *m = parse(small_model, err);
	assert_non_null(m);
	assert_int_equal(model_classes(m), 3);
	assert_string_equal(model_class_name(m, 0), "tip");
	assert_string_equal(model_class_name(m, 2), "fallback");
	assert_null(model_class_name(m, 3));
	assert_true(fabs(model_threshold(m) - 0.5) < 1e-12);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;
		size_t nt = token_split(t, strlen(t), toks, MODEL_TOKENS);
		assert_int_equal(model_probs(m, t, toks, nt, p), 3);
		double sum = 0;
		for (int j = 0; j < 3; j++) {
			/* the file's weights have six digits */
			if (fabs(p[j] - cases[i].p[j]) > 2e-6)
				fail_msg("\"%s\" class %d: %.6f, liblinear "
				         "%.6f",
				         t, j, p[j], cases[i].p[j]);
			sum += p[j];
		}
		assert_true(fabs(sum - 1) < 1e-12);
	}
	model_free(m);
}

/* A red-flag model has no classes; the version-1 file is read as before. */
static void
test_versions(void **state)
{
	char err[256] = "";
	struct model *m = parse("backtalk-model 1\ndim 4\nthreshold 0.5\n"
	                        "bias 0\n",
	                        err);

	(void)state;
	assert_non_null(m);
	assert_int_equal(model_classes(m), 0);
	assert_null(model_class_name(m, 0));
	model_free(m);
	/* every logistic 0 in doubles: the largest decision value wins */
	double p[MODEL_CLASSES_MAX];
	m = parse("backtalk-model 2\nclasses a b c\ndim 4\nthreshold 0.5\n"
	          "bias -2000 -900 -1000\n",
	          err);
	assert_non_null(m);
	assert_int_equal(model_probs(m, "", NULL, 0, p), 3);
	assert_true(p[0] == 0 && p[1] == 1 && p[2] == 0);
	model_free(m);
}

static void
test_category_errors(void **state)
{
	(void)state;
	expect_error("backtalk-model 3\n", "t.model:1: not a backtalk model");
	expect_error("backtalk-model 2\ndim 4\n",
	             "t.model:2: a backtalk-model 2 names its classes first");
	expect_error("backtalk-model 2\nclasses a b\n", "t.model:2: classes");
	expect_error("backtalk-model 2\nclasses a b a\n", "t.model:2: classes");
	expect_error("backtalk-model 2\nclasses a b C\n", "t.model:2: classes");
	expect_error("backtalk-model 2\nclasses a b c d e f g h i\n",
	             "t.model:2: classes");
	expect_error("backtalk-model 2\nclasses a b c\nclasses a b c\n",
	             "t.model:3: classes must come once");
	expect_error("backtalk-model 2\n\nclasses a b c\nbias 1 2\n",
	             "t.model:4: bias must be 3 numbers");
	expect_error("backtalk-model 2\nclasses a b c\ndim 4\n2 1 2\n",
	             "t.model:4: want a name and a number, or a feature and "
	             "its 3 weights");
	expect_error("backtalk-model 2\nclasses a b c\ndim 4\n2 1 2 x\n",
	             "t.model:4: the weight must be a number");
	expect_error("backtalk-model 2\nclasses a b c\ndim 4\n5 1 2 3\n",
	             "t.model:4: want a feature");
	expect_error("backtalk-model 2\nclasses a b c\ndim 4 5\n",
	             "t.model:3: want a name and a number");
	expect_error("backtalk-model 1\nclasses a b c\n",
	             "t.model:2: want two words");
	expect_error("backtalk-model 2\nclasses a b c\ndim 4\nbias 0 0 0\n",
	             "t.model: incomplete");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_prob_follows_weights),
		cmocka_unit_test(test_category_probs),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_category_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
