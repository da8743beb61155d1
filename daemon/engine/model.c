/* The red-flag model (model.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "model.h"
#include "regfile.h"

struct model {
	uint32_t dim;
	uint32_t nclass; /* 0: a red-flag model (version 1), else its classes */
	double threshold;
	double bias[MODEL_CLASSES_MAX]; /* version 1: bias[0] */
	char names[MODEL_CLASSES_MAX][MODEL_CLASS_NAME_MAX + 1];
	/* (dim + 1) * columns: w[i * columns + j] is feature i's weight for
	 * class j (version 1: one column); row 0 unused */
	float *w;
};

/* A model's weight columns: one for a red-flag model. */
static uint32_t
model_columns(const struct model *m)
{
	return m->nclass > 0 ? m->nclass : 1;
}

static void
model_error(char *err, size_t errlen, const char *path, long line,
            const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(err, errlen, "%s:%ld: %s", path, line, msg);
	else
		snprintf(err, errlen, "%s: %s", path, msg);
}

/* A finite number that fills the word [s, e), in *v. */
static bool
model_number(const char *s, const char *e, double *v)
{
	char buf[64];
	char *end;
	size_t n = (size_t)(e - s);

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	return *end == '\0' && errno == 0 && isfinite(*v);
}

/* The most words a line may have: a name and a number for each class. */
#define MODEL_WORDS ((int)MODEL_CLASSES_MAX + 1)

/* The line [s, e) cut at '#' and at blanks into at most MODEL_WORDS words;
 * returns how many, or MODEL_WORDS + 1 when there are more. */
static int
model_words(const char *s, const char *e, const char *ws[MODEL_WORDS],
            const char *we[MODEL_WORDS])
{
	int n = 0;
	const char *hash = memchr(s, '#', (size_t)(e - s));

	if (hash != NULL)
		e = hash;
	while (s < e) {
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s == e)
			break;
		if (n == MODEL_WORDS)
			return MODEL_WORDS + 1;
		ws[n] = s;
		while (s < e && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		we[n++] = s;
	}
	return n;
}

static bool
model_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && memcmp(s, word, n) == 0;
}

/* Whether [s, e) is a class name: a-z, '_' or '-', 1 to
 * MODEL_CLASS_NAME_MAX long. */
static bool
model_name_ok(const char *s, const char *e)
{
	if (e == s || e - s > MODEL_CLASS_NAME_MAX)
		return false;
	for (; s < e; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* classes A B C ...: a category model's classes, once, before bias, dim
 * and the weights. */
static bool
model_parse_classes(struct model *m, int n, const char *ws[], const char *we[])
{
	if (m->nclass != 0 || m->w != NULL || n < 4 || n > MODEL_WORDS)
		return false;
	for (int i = 1; i < n; i++) {
		if (!model_name_ok(ws[i], we[i]))
			return false;
		for (int j = 1; j < i; j++)
			if (we[j] - ws[j] == we[i] - ws[i] &&
			    memcmp(ws[j], ws[i], (size_t)(we[i] - ws[i])) == 0)
				return false;
		memcpy(m->names[i - 1], ws[i], (size_t)(we[i] - ws[i]));
	}
	m->nclass = (uint32_t)(n - 1);
	return true;
}

/* The numbers of words [1, n) into v: one for each column. */
static bool
model_numbers(const struct model *m, int n, const char *ws[], const char *we[],
              double *v)
{
	if ((uint32_t)(n - 1) != model_columns(m))
		return false;
	for (int i = 1; i < n; i++)
		if (!model_number(ws[i], we[i], &v[i - 1]) ||
		    fabs(v[i - 1]) > 1e6)
			return false;
	return true;
}

/* The first line: "backtalk-model 1" or "backtalk-model 2", in *version. */
static bool
model_parse_magic(int n, const char *ws[], const char *we[], int *version)
{
	if (n != 2 || !model_is(ws[0], we[0], "backtalk-model"))
		return false;
	if (model_is(ws[1], we[1], "1"))
		*version = 1;
	else if (model_is(ws[1], we[1], "2"))
		*version = 2;
	else
		return false;
	return true;
}

/* Parses the text buf[0, len) of path into m. */
static int
model_parse_into(struct model *m, const char *path, const char *buf, size_t len,
                 char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len;
	long line = 0;
	int version = 0;
	bool have_threshold = false, have_bias = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		const char *ws[MODEL_WORDS], *we[MODEL_WORDS];
		double v, vs[MODEL_CLASSES_MAX];
		line++;
		if (memchr(p, '\0', (size_t)(le - p)) != NULL) {
			model_error(err, errlen, path, line, "a NUL byte");
			return -1;
		}
		int n = model_words(p, le, ws, we);
		p = nl != NULL ? nl + 1 : end;
		if (n == 0)
			continue;
		if (version == 0) {
			if (!model_parse_magic(n, ws, we, &version)) {
				model_error(
				    err, errlen, path, line,
				    "not a backtalk model: the first "
				    "line must be \"backtalk-model 1\" (a "
				    "red-flag model) or \"backtalk-model "
				    "2\" (a category model)");
				return -1;
			}
			continue;
		}
		if (version == 2 && model_is(ws[0], we[0], "classes")) {
			if (!model_parse_classes(m, n, ws, we)) {
				model_error(
				    err, errlen, path, line,
				    "classes must come once, before dim, "
				    "bias and the weights: 3 to %u "
				    "different names of a-z, _ and - (at "
				    "most %u letters)",
				    MODEL_CLASSES_MAX, MODEL_CLASS_NAME_MAX);
				return -1;
			}
			continue;
		}
		if (version == 2 && m->nclass == 0) {
			model_error(err, errlen, path, line,
			            "a backtalk-model 2 names its classes "
			            "first: classes A B C ...");
			return -1;
		}
		if (model_is(ws[0], we[0], "bias")) {
			if (!model_numbers(m, n, ws, we, vs)) {
				model_error(err, errlen, path, line,
				            "bias must be %u number%s, one for "
				            "each class",
				            model_columns(m),
				            model_columns(m) > 1 ? "s" : "");
				return -1;
			}
			memcpy(m->bias, vs, model_columns(m) * sizeof(*vs));
			have_bias = true;
			continue;
		}
		bool named = model_is(ws[0], we[0], "dim") ||
		             model_is(ws[0], we[0], "threshold");
		if (n != (named ? 2 : (int)model_columns(m) + 1)) {
			if (version == 1)
				model_error(err, errlen, path, line,
				            "want two words: a name and a "
				            "number, or a feature and its "
				            "weight");
			else
				model_error(err, errlen, path, line,
				            "want a name and a number, or a "
				            "feature and its %u weights, one "
				            "for each class",
				            m->nclass);
			return -1;
		}
		if (model_is(ws[0], we[0], "dim")) {
			if (m->w != NULL || !model_number(ws[1], we[1], &v) ||
			    v < 1 || v > MODEL_DIM_MAX || v != floor(v)) {
				model_error(
				    err, errlen, path, line,
				    "dim must come once, before the "
				    "weights, a whole number from 1 to %u",
				    MODEL_DIM_MAX);
				return -1;
			}
			m->dim = (uint32_t)v;
			m->w = calloc(((size_t)m->dim + 1) * model_columns(m),
			              sizeof(*m->w));
			if (m->w == NULL) {
				model_error(err, errlen, path, line,
				            "out of memory");
				return -1;
			}
			continue;
		}
		if (model_is(ws[0], we[0], "threshold")) {
			if (!model_number(ws[1], we[1], &v) || v <= 0 ||
			    v >= 1) {
				model_error(err, errlen, path, line,
				            "threshold must be a probability "
				            "above 0 and below 1");
				return -1;
			}
			m->threshold = v;
			have_threshold = true;
			continue;
		}
		double idx;
		if (m->w == NULL || !model_number(ws[0], we[0], &idx) ||
		    idx < 1 || idx > m->dim || idx != floor(idx)) {
			model_error(err, errlen, path, line,
			            "want a feature from 1 to dim (after the "
			            "dim line) and its weight");
			return -1;
		}
		if (!model_numbers(m, n, ws, we, vs)) {
			model_error(err, errlen, path, line,
			            "the weight must be a number");
			return -1;
		}
		for (uint32_t j = 0; j < model_columns(m); j++)
			m->w[(size_t)idx * model_columns(m) + j] = (float)vs[j];
	}
	if (version == 0 || m->w == NULL || !have_threshold || !have_bias) {
		model_error(err, errlen, path, 0,
		            "incomplete: a model needs \"backtalk-model 1\" "
		            "(or 2 and its classes), dim, threshold and "
		            "bias");
		return -1;
	}
	return 0;
}

struct model *
model_load(const char *path, char *err, size_t errlen)
{
	struct model *m;
	struct stat st;
	char why[128];
	/* never blocks on a FIFO or a device in its place (regfile.h) */
	int fd = regfile_open(path, 0, &st, why, sizeof(why));
	char *buf;

	if (fd < 0 && errno != EISDIR && errno != ENXIO) {
		model_error(err, errlen, path, 0, "cannot open: %s", why);
		return NULL;
	}
	if (fd < 0 || st.st_size > (off_t)MODEL_FILE_MAX) {
		model_error(err, errlen, path, 0,
		            "not a regular file of at most %u bytes",
		            MODEL_FILE_MAX);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	buf = malloc((size_t)st.st_size + 1);
	if (f == NULL || buf == NULL) {
		model_error(err, errlen, path, 0, "out of memory");
		free(buf);
		if (f != NULL)
			fclose(f);
		else
			close(fd);
		return NULL;
	}
	size_t len = fread(buf, 1, (size_t)st.st_size, f);
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad) {
		model_error(err, errlen, path, 0, "cannot read");
		free(buf);
		return NULL;
	}
	m = model_parse(path, buf, len, err, errlen);
	free(buf);
	return m;
}

struct model *
model_parse(const char *name, const char *buf, size_t len, char *err,
            size_t errlen)
{
	struct model *m;

	if (len > MODEL_FILE_MAX) {
		model_error(err, errlen, name, 0, "more than %u bytes",
		            MODEL_FILE_MAX);
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		model_error(err, errlen, name, 0, "out of memory");
		return NULL;
	}
	if (model_parse_into(m, name, buf, len, err, errlen) != 0) {
		model_free(m);
		return NULL;
	}
	return m;
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	free(m->w);
	free(m);
}

double
model_threshold(const struct model *m)
{
	return m->threshold;
}

uint32_t
model_dim(const struct model *m)
{
	return m->dim;
}

static int
model_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t
model_word_hash(const char *w, size_t n)
{
	return hash_fnv1a(w, n);
}

/* The hashes of the first MODEL_TOKENS tokens' words, into h; returns how
 * many. */
static size_t
model_hashes(const char *text, const struct token *toks, size_t ntok,
             uint32_t *h)
{
	if (ntok > MODEL_TOKENS)
		ntok = MODEL_TOKENS;
	for (size_t i = 0; i < ntok; i++)
		h[i] = hash_fnv1a(text + toks[i].start,
		                  toks[i].end - toks[i].start);
	return ntok;
}

/* A word pair's hash from its words': another mix of the two, so that
 * "leg numb" is neither "numb leg" nor either word. */
static inline uint32_t
model_pair_hash(uint32_t a, uint32_t b)
{
	uint64_t h = ((uint64_t)a << 32 | b) * UINT64_C(0x9e3779b97f4a7c15);

	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* A hash into [1, dim]: multiplied and shifted, not divided. */
static inline uint32_t
model_reduce(uint32_t h, uint32_t dim)
{
	return (uint32_t)(((uint64_t)h * dim) >> 32) + 1;
}

/* Adds feature f to out[*m] unless the open table set (slots, a power of
 * two) has it. */
static inline void
model_feature_add(uint32_t *set, size_t slots, uint32_t f, uint32_t *out,
                  size_t *m)
{
	size_t k = (f * 2654435761u) & (slots - 1);

	while (set[k] != 0 && set[k] != f)
		k = (k + 1) & (slots - 1);
	if (set[k] == f)
		return;
	set[k] = f;
	out[(*m)++] = f;
}

/* The features of the words with hashes h[0, n), each once, in the order
 * first met (a word, then its pair with the next), into out (2 * n of
 * room); returns how many.  A small open table (set: the power of two at
 * least 4 * n, cleared here) finds the ones met before. */
static size_t
model_features_hashed(uint32_t dim, const uint32_t *h, size_t n, uint32_t *out)
{
	uint32_t set[4 * MODEL_TOKENS];
	size_t m = 0, slots = 16;

	if (n > MODEL_TOKENS)
		n = MODEL_TOKENS;
	while (slots < 4 * n)
		slots *= 2;
	memset(set, 0, slots * sizeof(*set));
	for (size_t i = 0; i < n; i++) {
		model_feature_add(set, slots, model_reduce(h[i], dim), out, &m);
		if (i + 1 < n)
			model_feature_add(
			    set, slots,
			    model_reduce(model_pair_hash(h[i], h[i + 1]), dim),
			    out, &m);
	}
	return m;
}

size_t
model_features(uint32_t dim, const char *text, const struct token *toks,
               size_t ntok, uint32_t *out)
{
	uint32_t h[MODEL_TOKENS];

	if (dim == 0)
		return 0;
	size_t n = model_features_hashed(
	    dim, h, model_hashes(text, toks, ntok, h), out);
	qsort(out, n, sizeof(*out), model_cmp);
	return n;
}

double
model_prob_hashed(const struct model *m, const uint32_t *h, size_t n)
{
	uint32_t f[MODEL_FEATURES];
	size_t nf = model_features_hashed(m->dim, h, n, f);
	double z = m->bias[0];

	for (size_t i = 0; i < nf; i++)
		z += m->w[f[i]];
	return 1.0 / (1.0 + exp(-z));
}

double
model_prob(const struct model *m, const char *text, const struct token *toks,
           size_t ntok)
{
	uint32_t h[MODEL_TOKENS];

	return model_prob_hashed(m, h, model_hashes(text, toks, ntok, h));
}

uint32_t
model_classes(const struct model *m)
{
	return m->nclass;
}

const char *
model_class_name(const struct model *m, uint32_t i)
{
	return i < m->nclass ? m->names[i] : NULL;
}

/* liblinear's -b 1 for a one-vs-rest logistic regression of three or more
 * classes: each class's logistic, divided by their sum.  When every
 * logistic is 0 in doubles (decision values below -745), the class with the
 * largest decision value has it all. */
uint32_t
model_probs(const struct model *m, const char *text, const struct token *toks,
            size_t ntok, double *out)
{
	uint32_t h[MODEL_TOKENS], f[MODEL_FEATURES];
	double z[MODEL_CLASSES_MAX];
	uint32_t k = m->nclass, best = 0;
	size_t nf = model_features_hashed(m->dim, h,
	                                  model_hashes(text, toks, ntok, h), f);
	double sum = 0;

	for (uint32_t j = 0; j < k; j++) {
		z[j] = m->bias[j];
		for (size_t i = 0; i < nf; i++)
			z[j] += m->w[(size_t)f[i] * k + j];
		out[j] = 1.0 / (1.0 + exp(-z[j]));
		sum += out[j];
		if (z[j] > z[best])
			best = j;
	}
	for (uint32_t j = 0; j < k; j++)
		out[j] = sum > 0 ? out[j] / sum : j == best;
	return k;
}

static struct model *
model_load_beside(const char *conf, const char *name, char *err, size_t errlen)
{
	char path[4096];
	const char *slash = strrchr(conf, '/');
	int dn = slash != NULL ? (int)(slash - conf) : 1;
	const char *dir = slash != NULL ? conf : ".";

	if (snprintf(path, sizeof(path), "%.*s/%s", dn, dir, name) >=
	    (int)sizeof(path)) {
		model_error(err, errlen, name, 0, "path too long");
		return NULL;
	}
	return model_load(path, err, errlen);
}

struct model *
model_load_kind(const char *conf, const char *name, bool category, char *err,
                size_t errlen)
{
	struct model *m = model_load_beside(conf, name, err, errlen);

	if (m == NULL || (model_classes(m) != 0) == category)
		return m;
	if (category)
		snprintf(err, errlen,
		         "%s is a red-flag model (backtalk-model 1); name it "
		         "with model = \"%s\";",
		         name, name);
	else
		snprintf(err, errlen,
		         "%s is a category model (backtalk-model 2); name it "
		         "with category_model = \"%s\";",
		         name, name);
	model_free(m);
	return NULL;
}
