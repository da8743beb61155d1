/* Tests for model.c: the red-flag model's file format, its errors (each
 * naming file:line), its features and its probability. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_prob_follows_weights),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
