/* The models: logistic regressions over the words and word pairs of a
 * normalised message, trained with liblinear (scripts/train-model.sh) on
 * the labelled corpora.
 *
 * - The red-flag model, a net under the rules: a message it rates at or
 *   above its threshold matches the built-in concept @model, which a rule
 *   uses like any concept (rules/06-model.conf).  Its file is text:
 *   "backtalk-model 1", then "dim N", "threshold P", "bias B", then one
 *   "INDEX WEIGHT" line per feature whose weight is not zero.
 * - A category model (category_model.h), one-vs-rest over three or more
 *   classes: "backtalk-model 2", then "classes A B C ...", then "dim N",
 *   "threshold P", "bias B_A B_B B_C ...", then one "INDEX W_A W_B W_C ..."
 *   line per feature with a weight that is not zero.
 *
 * '#' starts a comment.  model_load is the only function with I/O; the
 * rest is pure. */
#ifndef BACKTALK_MODEL_H
#define BACKTALK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "token.h"

/* Bounds on a model file. */
#define MODEL_FILE_MAX       (16u << 20) /* bytes */
#define MODEL_DIM_MAX        (1u << 22)  /* features */
#define MODEL_CLASSES_MAX    8u          /* a category model's classes */
#define MODEL_CLASS_NAME_MAX 16u         /* letters in a class's name */

/* The most features one message gives (a word and a word pair each per
 * token; tokens past this are not read). */
#define MODEL_TOKENS   256
#define MODEL_FEATURES (2 * MODEL_TOKENS)

struct model;

/* Loads the model in path.  On error returns NULL and writes one line,
 * "path:line: what is wrong" (or "path: ..." for the file as a whole),
 * to err. */
struct model *model_load(const char *path, char *err, size_t errlen);
void model_free(struct model *m);

/* Loads the model a rule file's setting names: name (a file name, no '/')
 * in the directory of the file conf, as model_load, and of the kind the
 * setting takes: a category model (backtalk-model 2) when category, else a
 * red-flag model (backtalk-model 1).  A model of the other kind is NULL,
 * with err naming the setting it belongs in. */
struct model *model_load_kind(const char *conf, const char *name, bool category,
                              char *err, size_t errlen);

/* The same from the text buf[0, len) (no NUL needed), named name in
 * errors: the pure parser model_load uses. */
struct model *model_parse(const char *name, const char *buf, size_t len,
                          char *err, size_t errlen);

/* The threshold in the file: the least probability that is a match. */
double model_threshold(const struct model *m);

/* The features of the normalised text cut into toks: indices in [1, dim],
 * sorted, each once, written to out (MODEL_FEATURES of room); returns how
 * many.  The same function makes the training data (backtalk features). */
size_t model_features(uint32_t dim, const char *text, const struct token *toks,
                      size_t ntok, uint32_t *out);

/* The dimension features are hashed into. */
uint32_t model_dim(const struct model *m);

/* A word's hash (FNV-1a, 32 bits): the word feature is it, the pair
 * feature a mix of two neighbours'. */
uint32_t model_word_hash(const char *w, size_t n);

/* A category model's classes (3 to MODEL_CLASSES_MAX), or 0 for a
 * red-flag model; the name of class i (NULL past the last). */
uint32_t model_classes(const struct model *m);
const char *model_class_name(const struct model *m, uint32_t i);

/* A category model's probability of each class for the message, in
 * out[0, model_classes(m)) (they sum to 1, as liblinear-predict -b 1 gives
 * them); returns how many. */
uint32_t model_probs(const struct model *m, const char *text,
                     const struct token *toks, size_t ntok, double *out);

/* The probability that the message whose words have hashes h[0, n) is a
 * red flag: for a caller that keeps each word's hash (concept.c's word
 * cache). */
double model_prob_hashed(const struct model *m, const uint32_t *h, size_t n);

/* The probability that the message is a red flag (a red-flag model). */
double model_prob(const struct model *m, const char *text,
                  const struct token *toks, size_t ntok);

#endif
