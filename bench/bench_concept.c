/* bench_concept: what each library of the concept matcher costs.
 *
 * Reads messages, one a line, and the concepts groups of a rule set (every
 * *.conf of a directory, parsed with libconfig the way rules.c does), then
 * prints one table:
 *   1. Snowball: ns per sb_stemmer_stem call on the messages' words for
 *      english, spanish and portuguese; the distinct words; the hit rate
 *      the 4096-slot per-thread word cache of concept.c gets on the stream
 *      (simulated: same hash, same slots, same key limit).
 *   2. our one edit: the ns a word that misses the stems costs for the
 *      deletion-neighbourhood probes and their verification (a cold
 *      concept_scan of the word with the vocabulary, minus the same with
 *      only the words too short for an edit, so only the probes differ),
 *      and the bytes the index takes (from its layout in concept.c).
 *   3. vectorscan's approximate matching instead: every term word of 5+
 *      letters as \bWORD\b with edit_distance 1 in one block database:
 *      compile time, size, ns a message; and the words each approach flags.
 *   4. utf8proc: median ns of normalise_text for ASCII and non-ASCII
 *      messages.
 *   5. concept_scan with the rule set's concepts, warm scratch: median ns.
 * Batch figures, the compile and the index build are the thread's CPU
 * time (batches: best of --passes); medians are
 * CLOCK_MONOTONIC around each call, less the timer's own median cost.
 * The last line is `RESULT key=value ...`.
 *
 * With --show, the words only one approach flags go to stderr.
 *
 * usage: bench_concept --rules DIR --messages FILE [--passes N]
 *                      [--label NAME] [--show] */
#include <dirent.h>
#include <hs/hs.h>
#include <libconfig.h>
#include <libstemmer.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounds.h"
#include "concept.h"
#include "normalise.h"
#include "token.h"

#define LANGS      3
#define SLOTS      4096 /* concept.c CACHE_SLOTS */
#define SLOT_KEY   23   /* concept.c CACHE_KEY */
#define VOCAB_MAX  65536
#define CHUNK      1000 /* terms a concept of the vocabulary set */
#define MAX_FILES  1024
#define FUZZY_TEXT (CONCEPT_WORD_MAX + 2)

static const char *const bench_lang[LANGS] = { "english", "spanish",
	                                       "portuguese" };
static const char *const bench_tag[LANGS] = { "", "es:", "pt:" };
static volatile size_t bench_sink;

/* A string set with a count and a class per string. */
struct sset {
	char **key;
	size_t *count;
	uint8_t *cls;
	size_t cap, n;
};

enum { CLS_NONE, CLS_STEM, CLS_FUZZY };

struct vword {
	char w[CONCEPT_WORD_MAX + 1];
	size_t n;
	int lang;
	int prefix;
};

struct msg {
	char *raw, *norm;
	size_t rawlen, len;
	int ascii;
};

static double
bench_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double
bench_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint32_t
bench_fnv(const char *s, size_t n) /* concept.c concept_hash */
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void *
bench_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL) {
		fprintf(stderr, "bench_concept: out of memory\n");
		exit(1);
	}
	return p;
}

/* The index of (s, n) in set, added when new. */
static size_t
sset_add(struct sset *set, const char *s, size_t n)
{
	if ((set->n + 1) * 2 > set->cap) {
		struct sset o = *set;
		set->cap = o.cap ? o.cap * 2 : 1024;
		set->key = bench_xcalloc(set->cap, sizeof(char *));
		set->count = bench_xcalloc(set->cap, sizeof(size_t));
		set->cls = bench_xcalloc(set->cap, 1);
		for (size_t i = 0; i < o.cap; i++) {
			if (o.key[i] == NULL)
				continue;
			size_t j = bench_fnv(o.key[i], strlen(o.key[i])) &
			           (set->cap - 1);
			while (set->key[j] != NULL)
				j = (j + 1) & (set->cap - 1);
			set->key[j] = o.key[i];
			set->count[j] = o.count[i];
			set->cls[j] = o.cls[i];
		}
		free(o.key);
		free(o.count);
		free(o.cls);
	}
	size_t j = bench_fnv(s, n) & (set->cap - 1);
	while (set->key[j] != NULL) {
		if (strlen(set->key[j]) == n && memcmp(set->key[j], s, n) == 0)
			return j;
		j = (j + 1) & (set->cap - 1);
	}
	set->key[j] = strndup(s, n);
	if (set->key[j] == NULL)
		exit(1);
	set->n++;
	return j;
}

static int
bench_cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmpd);
	return v[n / 2];
}

/* The median cost of reading the monotonic clock twice. */
static double
bench_timer_cost(void)
{
	double v[1001];

	for (size_t i = 0; i < 1001; i++) {
		double a = bench_mono();
		v[i] = bench_mono() - a;
	}
	return bench_median(v, 1001);
}

struct terms {
	struct concept_set *rules; /* the rule set's concepts */
	struct vword *vocab;
	size_t nvocab;
	size_t nterms, nconcepts;
};

static void
bench_vocab_add(struct terms *t, const char *term)
{
	int lang = 0;

	if (strncmp(term, "es:", 3) == 0 || strncmp(term, "pt:", 3) == 0) {
		lang = term[0] == 'e' ? 1 : 2;
		term += 3;
	} else if (strncmp(term, "en:", 3) == 0) {
		term += 3;
	}
	while (*term != '\0') {
		static char norm[BT_MESSAGE_MAX + 1];
		struct normalise_result nr;
		size_t n = strcspn(term, " ");
		int prefix = n > 0 && term[n - 1] == '*';
		if (n > 0 &&
		    normalise_text(term, n - (size_t)prefix, NORMALISE_RUNS_TWO,
		                   norm, &nr) == NORMALISE_OK &&
		    nr.len > 0 && nr.len <= CONCEPT_WORD_MAX) {
			size_t k;
			for (k = 0; k < t->nvocab; k++)
				if (t->vocab[k].lang == lang &&
				    t->vocab[k].prefix == prefix &&
				    t->vocab[k].n == nr.len &&
				    memcmp(t->vocab[k].w, norm, nr.len) == 0)
					break;
			if (k == t->nvocab && t->nvocab < VOCAB_MAX) {
				struct vword *v = &t->vocab[t->nvocab++];
				memcpy(v->w, norm, nr.len);
				v->w[nr.len] = '\0';
				v->n = nr.len;
				v->lang = lang;
				v->prefix = prefix;
			}
		}
		term += n;
		while (*term == ' ')
			term++;
	}
}

static int
bench_namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the concepts groups of every *.conf in dir (or of the file dir). */
static int
bench_load_terms(const char *dir, struct terms *t)
{
	char *files[MAX_FILES];
	size_t nfiles = 0;
	char err[256];
	DIR *d = opendir(dir);

	if (d != NULL) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL && nfiles < MAX_FILES) {
			size_t n = strlen(e->d_name);
			if (n > 5 && strcmp(e->d_name + n - 5, ".conf") == 0) {
				size_t l = strlen(dir) + n + 2;
				files[nfiles] = bench_xcalloc(l, 1);
				snprintf(files[nfiles], l, "%s/%s", dir,
				         e->d_name);
				nfiles++;
			}
		}
		closedir(d);
		qsort(files, nfiles, sizeof(files[0]), bench_namecmp);
	} else {
		files[nfiles++] = strdup(dir);
	}
	t->rules = concept_set_new();
	t->vocab = bench_xcalloc(VOCAB_MAX, sizeof(*t->vocab));
	for (size_t f = 0; f < nfiles; f++) {
		config_t cfg;
		config_init(&cfg);
		config_set_include_dir(&cfg, dir);
		if (config_read_file(&cfg, files[f]) != CONFIG_TRUE) {
			fprintf(stderr, "%s:%d: %s\n", files[f],
			        config_error_line(&cfg),
			        config_error_text(&cfg));
			return -1;
		}
		config_setting_t *g = config_lookup(&cfg, "concepts");
		for (int i = 0; g != NULL && i < config_setting_length(g);
		     i++) {
			config_setting_t *c = config_setting_get_elem(g, i);
			long id = concept_define(
			    t->rules, config_setting_name(c), files[f],
			    config_setting_source_line(c), err, sizeof(err));
			if (id < 0) {
				fprintf(stderr, "%s: %s\n", files[f], err);
				return -1;
			}
			t->nconcepts++;
			for (int j = 0; j < config_setting_length(c); j++) {
				const char *term = config_setting_get_string(
				    config_setting_get_elem(c, j));
				if (term == NULL)
					continue;
				if (concept_add_term(t->rules, (uint32_t)id,
				                     term, err,
				                     sizeof(err)) < 0) {
					fprintf(stderr, "%s: %s\n", files[f],
					        err);
					return -1;
				}
				t->nterms++;
				bench_vocab_add(t, term);
			}
		}
		config_destroy(&cfg);
		free(files[f]);
	}
	if (concept_finish(t->rules, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_concept: %s\n", err);
		return -1;
	}
	return 0;
}

/* A set with every vocabulary word as a one-word term; with short_only,
 * only the words too short for an edit (and one dummy word per language
 * in use, so the same stemmers run). */
static struct concept_set *
bench_vocab_set(const struct terms *t, int short_only)
{
	struct concept_set *cs = concept_set_new();
	int used[LANGS] = { 0 };
	char name[32], term[CONCEPT_WORD_MAX + 8], err[256];
	long id = -1;
	size_t k = 0;

	for (size_t i = 0; i < t->nvocab; i++) {
		const struct vword *v = &t->vocab[i];
		if (!v->prefix)
			used[v->lang] = 1;
		if (short_only && !v->prefix && v->n >= CONCEPT_FUZZY_MIN)
			continue;
		if (k++ % CHUNK == 0) {
			snprintf(name, sizeof(name), "v%zu", k / CHUNK);
			id = concept_define(cs, name, "vocab", 1, err,
			                    sizeof(err));
		}
		snprintf(term, sizeof(term), "%s%s%s", bench_tag[v->lang], v->w,
		         v->prefix ? "*" : "");
		if (id < 0 ||
		    concept_add_term(cs, (uint32_t)id, term, err, sizeof(err)))
			fprintf(stderr, "bench_concept: %s: %s\n", term, err);
	}
	id = concept_define(cs, "dummy", "vocab", 1, err, sizeof(err));
	for (int l = 0; l < LANGS; l++)
		if (used[l]) {
			snprintf(term, sizeof(term), "%szq", bench_tag[l]);
			concept_add_term(cs, (uint32_t)id, term, err,
			                 sizeof(err));
		}
	if (concept_finish(cs, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_concept: %s\n", err);
		exit(1);
	}
	return cs;
}

/* How a single word fares with the vocabulary set. */
static int
bench_classify_word(const struct concept_set *cs, struct concept_scratch *s,
                    const char *w, size_t n)
{
	size_t nm = concept_scan(cs, s, w, n), k;
	const struct concept_match *m = concept_matches(s, &nm);
	int cls = CLS_NONE;

	for (k = 0; k < nm; k++) {
		if (m[k].how == CONCEPT_HOW_FUZZY && cls == CLS_NONE)
			cls = CLS_FUZZY;
		if (m[k].how == CONCEPT_HOW_STEM ||
		    m[k].how == CONCEPT_HOW_PREFIX)
			cls = CLS_STEM;
	}
	return cls;
}

/* Bytes of the deletion index of concept.c for the vocabulary: the
 * deletions map (12-byte slots, kept at most half full, from 64), the
 * (key, word) chain entries (8 bytes, doubling from 64) and the keys in
 * the arena (NUL-terminated). */
static size_t
bench_index_bytes(const struct terms *t, size_t *keys, size_t *pairs)
{
	struct sset set = { 0 }, pairset = { 0 };
	size_t arena = 0;
	char key[CONCEPT_WORD_MAX + 1], pk[CONCEPT_WORD_MAX + 16];

	for (size_t i = 0; i < t->nvocab; i++) {
		const struct vword *v = &t->vocab[i];
		if (v->prefix || v->n < CONCEPT_FUZZY_MIN)
			continue;
		for (size_t d = 0; d < v->n; d++) { /* 0: the word itself */
			size_t kl = v->n;
			memcpy(key, v->w, v->n);
			if (d > 0) {
				memcpy(key + d, v->w + d + 1, v->n - d - 1);
				kl--;
			}
			size_t before = set.n;
			sset_add(&set, key, kl);
			if (set.n > before)
				arena += kl + 1;
			int pl = snprintf(pk, sizeof(pk), "%zu:%.*s", i,
			                  (int)kl, key);
			sset_add(&pairset, pk, (size_t)pl);
		}
	}
	size_t cap = 64, fcap = 64;
	while ((set.n + 1) * 2 > cap)
		cap *= 2;
	while (fcap < pairset.n)
		fcap *= 2;
	*keys = set.n;
	*pairs = pairset.n;
	return set.n ? cap * 12 + fcap * 8 + arena : 0;
}

static int
bench_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (unsigned char)c >= 0x80;
}

/* \b is a zero-width assertion, which approximate matching refuses, so a
 * match counts only when it is a whole word once the non-word characters
 * an edit may have taken in at either end are trimmed. */
struct hsctx {
	const char *text;
	size_t len;
	size_t matches;
};

static int
bench_hs_word(unsigned id, unsigned long long from, unsigned long long to,
              unsigned flags, void *ctx)
{
	struct hsctx *h = ctx;
	size_t a = (size_t)from, b = (size_t)to;

	(void)id;
	(void)flags;
	while (a < b && !bench_alnum(h->text[a]))
		a++;
	while (b > a && !bench_alnum(h->text[b - 1]))
		b--;
	if (a < b && (a == 0 || !bench_alnum(h->text[a - 1])) &&
	    (b == h->len || !bench_alnum(h->text[b])))
		h->matches++;
	return 0;
}

/* Whether a vocabulary word of 5+ letters is within one edit of w
 * (concept_distance: insert, delete, substitute, swap), with the same
 * first letter or not. */
static void
bench_near(const struct terms *t, const char *w, size_t n, int *same_first,
           int *other_first)
{
	*same_first = *other_first = 0;
	for (size_t i = 0; i < t->nvocab; i++) {
		const struct vword *v = &t->vocab[i];
		if (v->prefix || v->n < CONCEPT_FUZZY_MIN)
			continue;
		if (concept_distance(w, n, v->w, v->n, 1) <= 1) {
			if (v->w[0] == w[0])
				*same_first = 1;
			else
				*other_first = 1;
		}
	}
}

int
main(int argc, char **argv)
{
	const char *rules = NULL, *path = NULL, *label = "run";
	int passes = 3, show = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			rules = argv[++i];
		else if (strcmp(argv[i], "--messages") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc)
			passes = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--show") == 0)
			show = 1;
		else if (strcmp(argv[i], "--label") == 0 && i + 1 < argc)
			label = argv[++i];
		else
			path = NULL, i = argc;
	}
	if (rules == NULL || path == NULL || passes < 1) {
		fprintf(stderr, "usage: bench_concept --rules DIR --messages "
		                "FILE [--passes N] [--label NAME] [--show]\n");
		return 2;
	}
	struct terms t = { 0 };
	if (bench_load_terms(rules, &t) < 0)
		return 1;

	/* Messages, normalised as classify does for concepts. */
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		perror(path);
		return 1;
	}
	size_t cap = 1024, count = 0, nascii = 0;
	struct msg *msgs = bench_xcalloc(cap, sizeof(*msgs));
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len;
	static char norm[BT_MESSAGE_MAX + 1];
	while ((len = getline(&line, &linecap, fp)) >= 0) {
		struct normalise_result nr;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (normalise_text(line, (size_t)len, NORMALISE_RUNS_TWO, norm,
		                   &nr) != NORMALISE_OK)
			continue;
		if (count == cap) {
			cap *= 2;
			msgs = realloc(msgs, cap * sizeof(*msgs));
			if (msgs == NULL)
				return 1;
		}
		struct msg *m = &msgs[count++];
		m->raw = strndup(line, (size_t)len);
		m->rawlen = (size_t)len;
		m->norm = strndup(norm, nr.len);
		m->len = nr.len;
		m->ascii = 1;
		for (ssize_t k = 0; k < len; k++)
			if ((unsigned char)line[k] >= 0x80)
				m->ascii = 0;
		nascii += (size_t)m->ascii;
	}
	free(line);
	fclose(fp);
	if (count == 0) {
		fprintf(stderr, "bench_concept: no messages\n");
		return 1;
	}

	/* The word stream: every token, in order, as a set index. */
	struct sset words = { 0 };
	size_t nstream = 0, scap = 1 << 16, nwordtok = 0;
	char **stream = bench_xcalloc(scap, sizeof(char *));
	uint8_t *isnum = bench_xcalloc(scap, 1);
	static struct token toks[TOKEN_MAX];
	for (size_t i = 0; i < count; i++) {
		size_t nt =
		    token_split(msgs[i].norm, msgs[i].len, toks, TOKEN_MAX);
		for (size_t k = 0; k < nt; k++) {
			if (nstream == scap) {
				scap *= 2;
				stream = realloc(stream, scap * sizeof(char *));
				isnum = realloc(isnum, scap);
				if (stream == NULL || isnum == NULL)
					return 1;
			}
			size_t j =
			    sset_add(&words, msgs[i].norm + toks[k].start,
			             toks[k].end - toks[k].start);
			words.count[j]++;
			isnum[nstream] = (toks[k].flags & TOKEN_NUMBER) != 0;
			nwordtok += !isnum[nstream];
			stream[nstream++] = words.key[j];
		}
	}
	/* the set may have moved the keys' slots, never the keys */

	/* 1. Snowball, and the word cache simulated. */
	double stem_ns[LANGS];
	for (int l = 0; l < LANGS; l++) {
		struct sb_stemmer *st = sb_stemmer_new(bench_lang[l], NULL);
		double best = 0;
		for (int p = 0; p < passes; p++) {
			double s = bench_cpu();
			size_t sum = 0;
			for (size_t k = 0; k < nstream; k++) {
				if (isnum[k])
					continue;
				const char *w = stream[k];
				sb_stemmer_stem(st, (const sb_symbol *)w,
				                (int)strlen(w));
				sum += (size_t)sb_stemmer_length(st);
			}
			double e = bench_cpu() - s;
			bench_sink += sum;
			if (p == 0 || e < best)
				best = e;
		}
		stem_ns[l] = best / (double)(nwordtok ? nwordtok : 1);
		sb_stemmer_delete(st);
	}
	size_t hits = 0;
	{
		const char **slot = bench_xcalloc(SLOTS, sizeof(char *));
		for (size_t k = 0; k < nstream; k++) {
			const char *w = stream[k];
			size_t n = strlen(w);
			if (n > SLOT_KEY)
				continue;
			size_t j = bench_fnv(w, n) & (SLOTS - 1);
			if (slot[j] == w)
				hits++;
			else
				slot[j] = w;
		}
		free(slot);
	}

	/* 2. Our one edit.  Every distinct word classified with the whole
	 * vocabulary; the missed ones of 4+ letters (those the probes run
	 * for) timed cold against the vocabulary and against its short words
	 * only. */
	double build0 = bench_cpu();
	struct concept_set *vfull = bench_vocab_set(&t, 0);
	double build_ms = (bench_cpu() - build0) / 1e6;
	struct concept_set *vshort = bench_vocab_set(&t, 1);
	struct concept_scratch *vs = concept_scratch_new(vfull);
	size_t nmiss = 0, ours_tok = 0, ours_distinct = 0;
	char **miss = bench_xcalloc(words.n, sizeof(char *));
	for (size_t j = 0; j < words.cap; j++) {
		if (words.key[j] == NULL)
			continue;
		size_t n = strlen(words.key[j]);
		words.cls[j] =
		    (uint8_t)bench_classify_word(vfull, vs, words.key[j], n);
		if (words.cls[j] == CLS_FUZZY) {
			ours_distinct++;
			ours_tok += words.count[j];
		}
		if (words.cls[j] != CLS_STEM && n + 1 >= CONCEPT_FUZZY_MIN &&
		    n <= CONCEPT_WORD_MAX + 1 && words.key[j][0] > '9')
			miss[nmiss++] = words.key[j];
	}
	concept_scratch_free(vs);
	double cold[2] = { 0, 0 };
	for (int which = 0; which < 2; which++) {
		const struct concept_set *cs = which ? vshort : vfull;
		for (int p = 0; p < passes; p++) {
			struct concept_scratch *s = concept_scratch_new(cs);
			double st = bench_cpu();
			for (size_t k = 0; k < nmiss; k++)
				bench_sink += concept_scan(cs, s, miss[k],
				                           strlen(miss[k]));
			double e = bench_cpu() - st;
			concept_scratch_free(s);
			if (p == 0 || e < cold[which])
				cold[which] = e;
		}
	}
	double probe_ns = nmiss ? (cold[0] - cold[1]) / (double)nmiss : 0;
	double missed_ns = nmiss ? cold[0] / (double)nmiss : 0;
	size_t keys = 0, pairs = 0;
	size_t index_bytes = bench_index_bytes(&t, &keys, &pairs);

	/* 3. vectorscan, approximate. */
	size_t npat = 0;
	char **exprs = bench_xcalloc(t.nvocab + 1, sizeof(char *));
	unsigned *ids = bench_xcalloc(t.nvocab + 1, sizeof(unsigned));
	unsigned *flags = bench_xcalloc(t.nvocab + 1, sizeof(unsigned));
	hs_expr_ext_t *ext = bench_xcalloc(t.nvocab + 1, sizeof(*ext));
	const hs_expr_ext_t **extp = bench_xcalloc(t.nvocab + 1, sizeof(*extp));
	struct sset seen = { 0 };
	for (size_t i = 0; i < t.nvocab; i++) {
		const struct vword *v = &t.vocab[i];
		if (v->prefix || v->n < CONCEPT_FUZZY_MIN)
			continue;
		size_t before = seen.n;
		sset_add(&seen, v->w, v->n);
		if (seen.n == before)
			continue; /* the same word in two languages */
		char *e = bench_xcalloc(v->n * 4 + 8, 1);
		size_t o = 0;
		for (size_t k = 0; k < v->n; k++) {
			unsigned char c = (unsigned char)v->w[k];
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
				e[o++] = (char)c;
			else
				o += (size_t)snprintf(e + o, 5, "\\x%02x", c);
		}
		exprs[npat] = e;
		ids[npat] = (unsigned)npat;
		flags[npat] = HS_FLAG_SOM_LEFTMOST;
		ext[npat].flags = HS_EXT_FLAG_EDIT_DISTANCE;
		ext[npat].edit_distance = 1;
		extp[npat] = &ext[npat];
		npat++;
	}
	hs_database_t *db = NULL;
	hs_scratch_t *hscratch = NULL;
	hs_compile_error_t *cerr = NULL;
	size_t db_bytes = 0;
	double compile_ms = 0, hs_ns = 0;
	size_t hs_tok = 0, hs_distinct = 0, hs_events = 0;
	size_t both = 0, hs_only_stem = 0, hs_only_first = 0, hs_only_other = 0,
	       ours_only = 0;
	if (npat > 0) {
		double s = bench_cpu();
		if (hs_compile_ext_multi((const char *const *)exprs, flags, ids,
		                         extp, (unsigned)npat, HS_MODE_BLOCK,
		                         NULL, &db, &cerr) != HS_SUCCESS) {
			fprintf(stderr, "bench_concept: vectorscan: %s\n",
			        cerr->message);
			hs_free_compile_error(cerr);
			return 1;
		}
		compile_ms = (bench_cpu() - s) / 1e6;
		hs_database_size(db, &db_bytes);
		if (hs_alloc_scratch(db, &hscratch) != HS_SUCCESS)
			return 1;
		double best = 0;
		for (int p = 0; p < passes; p++) {
			struct hsctx h = { 0 };
			double st = bench_cpu();
			for (size_t i = 0; i < count; i++) {
				h.text = msgs[i].norm;
				h.len = msgs[i].len;
				hs_scan(db, msgs[i].norm, (unsigned)msgs[i].len,
				        0, hscratch, bench_hs_word, &h);
			}
			double e = bench_cpu() - st;
			if (p == 0 || e < best)
				best = e;
			hs_events = h.matches;
		}
		hs_ns = best / (double)count;
		/* Words flagged, each distinct word scanned alone. */
		for (size_t j = 0; j < words.cap; j++) {
			if (words.key[j] == NULL)
				continue;
			const char *w = words.key[j];
			size_t n = strlen(w);
			struct hsctx h = { w, n, 0 };
			hs_scan(db, w, (unsigned)n, 0, hscratch, bench_hs_word,
			        &h);
			int hs = h.matches > 0,
			    ours = words.cls[j] == CLS_FUZZY;
			if (hs) {
				hs_distinct++;
				hs_tok += words.count[j];
			}
			if (hs && ours) {
				both += words.count[j];
			} else if (hs && words.cls[j] == CLS_STEM) {
				hs_only_stem += words.count[j];
			} else if (hs) {
				int same, other;
				bench_near(&t, w, n, &same, &other);
				if (!same && other)
					hs_only_first += words.count[j];
				else
					hs_only_other += words.count[j];
				if (show)
					fprintf(stderr,
					        "vectorscan only: %s%s\n", w,
					        !same && other ? " (first)"
					                       : "");
			} else if (ours) {
				ours_only += words.count[j];
				if (show)
					fprintf(stderr, "ours only: %s\n", w);
			}
		}
	}

	/* 4. utf8proc: normalise_text a message, ASCII and not. */
	double tcost = bench_timer_cost();
	double *v = bench_xcalloc(count * (size_t)passes, sizeof(double));
	double *w2 = bench_xcalloc(count * (size_t)passes, sizeof(double));
	size_t na = 0, nn = 0;
	for (int p = 0; p < passes; p++)
		for (size_t i = 0; i < count; i++) {
			struct normalise_result nr;
			double s = bench_mono();
			normalise_text(msgs[i].raw, msgs[i].rawlen,
			               NORMALISE_RUNS_TWO, norm, &nr);
			double e = bench_mono() - s - tcost;
			if (msgs[i].ascii)
				v[na++] = e;
			else
				w2[nn++] = e;
		}
	double norm_ascii = bench_median(v, na);
	double norm_other = bench_median(w2, nn);

	/* 5. concept_scan with the rule set's concepts, warm. */
	struct concept_scratch *rs = concept_scratch_new(t.rules);
	for (size_t i = 0; i < count; i++)
		concept_scan(t.rules, rs, msgs[i].norm, msgs[i].len);
	size_t nv = 0, found = 0;
	for (int p = 0; p < passes; p++)
		for (size_t i = 0; i < count; i++) {
			double s = bench_mono();
			found += concept_scan(t.rules, rs, msgs[i].norm,
			                      msgs[i].len);
			v[nv++] = bench_mono() - s - tcost;
		}
	double scan_med = bench_median(v, nv);
	concept_scratch_free(rs);

	double hit_pct = nstream ? 100.0 * (double)hits / (double)nstream : 0;
	printf("bench_concept %s: %zu messages (%zu ASCII), %zu words, %zu "
	       "distinct; %zu concepts, %zu terms, %zu vocabulary words\n",
	       label, count, nascii, nstream, words.n, t.nconcepts, t.nterms,
	       t.nvocab);
	printf("%-44s %12s\n", "measure", "value");
	for (int l = 0; l < LANGS; l++)
		printf("1 snowball %-33s %9.1f ns\n", bench_lang[l],
		       stem_ns[l]);
	printf("1 %-42s %12zu\n", "distinct words", words.n);
	printf("1 %-42s %10.1f %%\n", "word cache hit rate (4096 slots)",
	       hit_pct);
	printf("2 %-42s %12zu\n",
	       "distinct words missing the stems, 4+ "
	       "letters",
	       nmiss);
	printf("2 %-42s %9.1f ns\n", "cold lookup of such a word (scan)",
	       missed_ns);
	printf("2 %-42s %9.1f ns\n", "of which one-edit probes + verify",
	       probe_ns);
	printf("2 %-42s %12zu\n", "deletion keys", keys);
	printf("2 %-42s %12zu\n", "(key, word) pairs", pairs);
	printf("2 %-42s %9.1f ms\n", "build the vocabulary set and index",
	       build_ms);
	printf("2 %-42s %10.1f KiB\n", "deletion index memory",
	       (double)index_bytes / 1024);
	printf("3 %-42s %12zu\n", "vectorscan patterns (5+ letters)", npat);
	printf("3 %-42s %9.1f ms\n", "compile", compile_ms);
	printf("3 %-42s %10.1f KiB\n", "database", (double)db_bytes / 1024);
	printf("3 %-42s %9.1f ns\n", "scan a message (mean)", hs_ns);
	printf("3 %-42s %12zu\n", "match events on the stream", hs_events);
	printf("3 %-42s %12zu\n", "words flagged: ours (one edit)", ours_tok);
	printf("3 %-42s %12zu\n", "words flagged: vectorscan (0 or 1 edit)",
	       hs_tok);
	printf("3 %-42s %12zu\n", "  both", both);
	printf("3 %-42s %12zu\n", "  vectorscan only: term word / same stem",
	       hs_only_stem);
	printf("3 %-42s %12zu\n", "  vectorscan only: first letter edited",
	       hs_only_first);
	printf("3 %-42s %12zu\n", "  vectorscan only: other", hs_only_other);
	printf("3 %-42s %12zu\n", "  ours only (swap, doubled letters)",
	       ours_only);
	printf("4 %-42s %9.1f ns\n", "normalise_text ASCII (median)",
	       norm_ascii);
	printf("4 %-42s %9.1f ns\n", "normalise_text non-ASCII (median)",
	       norm_other);
	printf("5 %-42s %9.1f ns\n", "concept_scan warm (median)", scan_med);
	printf("RESULT label=%s messages=%zu words=%zu distinct=%zu vocab=%zu "
	       "stem_en_ns=%.1f stem_es_ns=%.1f stem_pt_ns=%.1f "
	       "cache_hit_pct=%.1f missed=%zu missed_lookup_ns=%.1f "
	       "edit_probe_ns=%.1f index_keys=%zu index_bytes=%zu "
	       "build_ms=%.2f hs_patterns=%zu "
	       "hs_compile_ms=%.1f hs_db_bytes=%zu hs_scan_ns=%.1f "
	       "flag_ours=%zu flag_distinct_ours=%zu flag_hs=%zu "
	       "flag_distinct_hs=%zu flag_both=%zu hs_only_stem=%zu "
	       "hs_only_first=%zu hs_only_other=%zu ours_only=%zu "
	       "norm_ascii_ns=%.1f norm_nonascii_ns=%.1f scan_median_ns=%.1f "
	       "matches=%zu\n",
	       label, count, nstream, words.n, t.nvocab, stem_ns[0], stem_ns[1],
	       stem_ns[2], hit_pct, nmiss, missed_ns, probe_ns, keys,
	       index_bytes, build_ms, npat, compile_ms, db_bytes, hs_ns,
	       ours_tok, ours_distinct, hs_tok, hs_distinct, both, hs_only_stem,
	       hs_only_first, hs_only_other, ours_only, norm_ascii, norm_other,
	       scan_med, found);
	if (hscratch != NULL)
		hs_free_scratch(hscratch);
	if (db != NULL)
		hs_free_database(db);
	concept_set_free(vfull);
	concept_set_free(vshort);
	concept_set_free(t.rules);
	return 0;
}
