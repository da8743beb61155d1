/* Fuzzes the models' parser and features on any bytes: the bytes as a
 * model file (model_parse: it loads or reports one error, and a model that
 * loads gives a probability in [0, 1] on a few messages; a category
 * model's probabilities sum to 1), and as a
 * message (model_features: indices sorted, each once, within [1, dim], no
 * more than MODEL_FEATURES). */
#include <math.h>
#include <string.h>

#include "bounds.h"
#include "fuzz.h"
#include "model.h"
#include "normalise.h"
#include "token.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_model_features(const char *text, size_t len, uint32_t dim)
{
	static struct token toks[MODEL_TOKENS];
	static uint32_t f[MODEL_FEATURES];
	size_t nt = token_split(text, len, toks, MODEL_TOKENS);
	size_t n = model_features(dim, text, toks, nt, f);

	if (n > MODEL_FEATURES)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (f[i] < 1 || f[i] > dim || (i > 0 && f[i] <= f[i - 1]))
			__builtin_trap();
}

static void
fuzz_model_probs(const struct model *m, const char *text,
                 const struct token *toks, size_t nt)
{
	double p[MODEL_CLASSES_MAX], sum = 0;
	uint32_t k = model_probs(m, text, toks, nt, p);

	if (k < 3 || k > MODEL_CLASSES_MAX)
		__builtin_trap();
	for (uint32_t j = 0; j < k; j++) {
		if (!(p[j] >= 0.0 && p[j] <= 1.0) ||
		    model_class_name(m, j) == NULL)
			__builtin_trap();
		sum += p[j];
	}
	if (!(fabs(sum - 1.0) < 1e-9))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char norm[BT_MESSAGE_MAX + 1];
	static struct token toks[MODEL_TOKENS];
	static const char *const msgs[] = {
		"my leg is numb and my back hurts",
		"",
		"a",
		"sore back after squats, what helps",
	};
	char err[256];
	struct model *m = model_parse("fuzz.model", (const char *)data, size,
	                              err, sizeof(err));

	if (m == NULL) {
		if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)
			__builtin_trap();
	} else {
		for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
			size_t nt = token_split(msgs[i], strlen(msgs[i]), toks,
			                        MODEL_TOKENS);
			if (model_classes(m) > 0) {
				fuzz_model_probs(m, msgs[i], toks, nt);
				continue;
			}
			double p = model_prob(m, msgs[i], toks, nt);
			if (!(p >= 0.0 && p <= 1.0))
				__builtin_trap();
		}
		model_free(m);
	}
	/* the bytes as a message, raw and normalised, in a small and the
	 * shipped dimension */
	fuzz_model_features((const char *)data, size, 7);
	struct normalise_result nr;
	if (normalise_text((const char *)data, size, NORMALISE_RUNS_TWO, norm,
	                   &nr) == NORMALISE_OK) {
		fuzz_model_features(norm, nr.len, 1);
		fuzz_model_features(norm, nr.len, 65536);
	}
	return 0;
}
