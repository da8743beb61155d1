/* Concepts: term lists, their index, and matching them in a message.
 *
 * Loading turns every term word into a "vocabulary word" with its Snowball
 * stem.  Three indexes lead from a message word to vocabulary words: by
 * stem (one per language), by the words themselves and every word one
 * letter shorter (the deletion neighbourhood, for one edit), and a short
 * list of prefix words.  A message word is looked up once per thread and
 * the answer cached, so the stemmer runs only for words not seen lately. */
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "calendar.h"
#include "concept.h"
#include "context.h"
#include "hash.h"
#include "lexicon.h"
#include "model.h"
#include "normalise.h"
#include "number.h"

enum concept_lang { LANG_EN, LANG_ES, LANG_PT, LANG__COUNT };

static const char *const concept_lang_algo[LANG__COUNT] = {
	"english",
	"spanish",
	"portuguese",
};

#define NONE UINT32_MAX

/* In a struct cstart: a one-word term, the rest its concept. */
#define CONCEPT_START_ONE (UINT32_C(1) << 31)

_Static_assert((uint64_t)CONCEPT_MAX *CONCEPT_TERMS_MAX < CONCEPT_START_ONE,
               "a term number never has CONCEPT_START_ONE");

/* Open addressing from a byte string (kept in the set's arena) to a
 * number. */
struct cmap_slot {
	uint32_t key; /* arena offset + 1; 0 when empty */
	uint32_t klen;
	uint32_t value;
};

struct cmap {
	struct cmap_slot *slots;
	size_t cap, used;
};

struct cword {
	uint32_t surface, slen; /* arena */
	uint32_t stem, stlen;   /* arena; prefix words have none */
	uint8_t lang;
	bool prefix;
	uint32_t stem_next;  /* next word with the same stem */
	uint32_t first_term; /* terms that start with this word */
};

struct cterm {
	uint32_t concept;
	uint8_t n;
	uint8_t optional; /* bit j: word j is a function word ("and", "of") */
	uint32_t word[CONCEPT_TERM_WORDS];
	uint32_t next_start;
};

struct cfuzzy {
	uint32_t word;
	uint32_t next;
};

struct cconcept {
	char name[CONCEPT_NAME_MAX];
	char *file;
	int line;
	bool used;
	uint32_t nterms;
};

struct concept_set {
	char *arena;
	size_t alen, acap;
	struct cconcept *concepts;
	size_t nconcepts, ccap;
	struct cword *words;
	size_t nwords, wcap;
	struct cterm *terms;
	size_t nterms, tcap;
	struct cfuzzy *fuzzy;
	size_t nfuzzy, fcap;
	uint32_t *prefixes;
	size_t nprefixes, pcap;
	struct cmap names;              /* concept name -> id */
	struct cmap vocab;              /* lang, '*', surface -> word */
	struct cmap stems[LANG__COUNT]; /* stem -> first word */
	struct cmap deletions; /* word or word less a letter -> fuzzy */
	size_t ids_bound; /* the most term words a message word can match */
	bool lang_used[LANG__COUNT];
	struct sb_stemmer *stemmer[LANG__COUNT];
	bool finished;
	/* Combinations by their first concept, for concept_candidates. */
	uint32_t *combo_head; /* per concept */
	uint32_t *combo_next; /* per combination */
	/* Terms by their first word, in the order written, each with the
	 * next word it cannot do without (nwords, a word every message has,
	 * when it has none): a phrase whose key word is not in a message is
	 * passed over without being read.  A one-word term is its concept
	 * with CONCEPT_START_ONE set: it matches where its word is, without
	 * reading the term.  A word's starts are word_starts[word] (dense:
	 * a message word reads no struct cword). */
	struct cstart {
		uint32_t term, key;
	} * starts;
	struct cword_starts {
		uint32_t first, n;
	} * word_starts;
	size_t ncombos;
	const struct model *model; /* @model's, or NULL (not owned) */
};

/* The word cache: CACHE_SLOTS entries in sets of CACHE_WAYS, the least
 * recently used of a set replaced (two ways take about two thirds of the
 * misses a direct-mapped cache of the same size has).  16,384 entries hold
 * the 7,500 distinct words of 100,000 generated texts with few conflicts:
 * 8,000 misses there against 14,000 at 4,096, each some 10k instructions
 * of stemming.  An entry is one cache line (1 MB a thread, touched only
 * where words land) with a word's first CACHE_NEAR vocabulary words; the
 * few words that match more keep the rest in the slot's struct cache_far,
 * read only for them.  Every message word reads its entry, so it is kept
 * small: at 160 bytes the cache missed the processor's cache at nearly
 * every word. */
#define CACHE_SLOTS 16384
#define CACHE_WAYS  2
#define CACHE_KEY   19
#define CACHE_IDS \
	24 /* ids a word may match: concept_finish checks the rules fit */
#define CACHE_NEAR 6 /* of them in the entry itself */

_Static_assert(CACHE_WAYS == 2, "the replacement below knows two ways");

/* What a message word matches: vocabulary words, how, and its context
 * lists. */
struct word_ids {
	uint8_t n;
	uint8_t how[CACHE_IDS];
	uint32_t ids[CACHE_IDS];
	uint64_t ctx;   /* context_memo_word of the word */
	uint32_t mhash; /* model_word_hash of the word */
};

struct cache_entry {
	uint8_t klen; /* 0: empty */
	uint8_t n;
	uint8_t mru; /* in a set's first way: the way used last */
	char key[CACHE_KEY];
	uint8_t how[CACHE_NEAR];
	uint32_t mhash; /* model_word_hash of the word */
	uint64_t ctx;
	uint32_t ids[CACHE_NEAR];
};

_Static_assert(sizeof(struct cache_entry) == 64, "an entry is a cache line");

struct cache_far {
	uint8_t how[CACHE_IDS - CACHE_NEAR];
	uint32_t ids[CACHE_IDS - CACHE_NEAR];
};

struct concept_scratch {
	const struct concept_set *cs;
	int32_t today; /* the day dates are read against (calendar.h) */
	struct sb_stemmer *stemmer[LANG__COUNT];
	struct cache_entry *cache;
	struct cache_far *cache_far; /* by slot */
	struct token toks[TOKEN_MAX];
	size_t ntok;
	uint8_t tok_n[TOKEN_MAX];
	uint8_t tok_how[TOKEN_MAX][CACHE_IDS];
	uint32_t tok_ids[TOKEN_MAX][CACHE_IDS];
	uint64_t tok_ctx[TOKEN_MAX];   /* each token's context_memo_word */
	uint32_t tok_mhash[TOKEN_MAX]; /* each token's model_word_hash */
	struct concept_match matches[CONCEPT_MATCHES_MAX];
	bool judged[CONCEPT_MATCHES_MAX];    /* context worked out in full */
	int8_t blocked[CONCEPT_MATCHES_MAX]; /* -1 unknown, 0 counts, 1 not */
	size_t nmatches;
	const char *text;         /* of the last scan */
	struct context_memo *ctx; /* its words against context's lists */
	/* Vocabulary words some token matches, by id: a byte each, not a
	 * bit, since every phrase start a message word has tests one, and a
	 * byte is one load and a compare. */
	uint8_t *seen;
	uint64_t *present; /* concepts matched, by id */
	uint32_t *present_list;
	size_t npresent;
	uint8_t sent_len[TOKEN_MAX]; /* words of each sentence, up to 255 */
	bool sent_len_ready;         /* sent_len counted for this scan */
};

static uint32_t
concept_hash(const char *s, size_t n)
{
	return hash_fnv1a(s, n);
}

static long
concept_arena_add(struct concept_set *cs, const char *s, size_t n)
{
	if (cs->alen + n + 1 > cs->acap) {
		size_t ncap = cs->acap ? cs->acap * 2 : 4096;
		while (ncap < cs->alen + n + 1)
			ncap *= 2;
		char *a = realloc(cs->arena, ncap);
		if (a == NULL)
			return -1;
		cs->arena = a;
		cs->acap = ncap;
	}
	memcpy(cs->arena + cs->alen, s, n);
	cs->arena[cs->alen + n] = '\0';
	cs->alen += n + 1;
	return (long)(cs->alen - n - 1);
}

static const uint32_t *
cmap_get(const struct concept_set *cs, const struct cmap *m, const char *key,
         size_t klen)
{
	if (m->cap == 0)
		return NULL;
	size_t i = concept_hash(key, klen) & (m->cap - 1);
	for (;;) {
		const struct cmap_slot *s = &m->slots[i];
		if (s->key == 0)
			return NULL;
		if (s->klen == klen &&
		    memcmp(cs->arena + s->key - 1, key, klen) == 0)
			return &s->value;
		i = (i + 1) & (m->cap - 1);
	}
}

static int
cmap_grow(struct concept_set *cs, struct cmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	struct cmap_slot *n = calloc(ncap, sizeof(*n));

	if (n == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		struct cmap_slot *s = &m->slots[i];
		if (s->key == 0)
			continue;
		size_t j =
		    concept_hash(cs->arena + s->key - 1, s->klen) & (ncap - 1);
		while (n[j].key != 0)
			j = (j + 1) & (ncap - 1);
		n[j] = *s;
	}
	free(m->slots);
	m->slots = n;
	m->cap = ncap;
	return 0;
}

/* The value for key, created as NONE when missing; NULL when out of
 * memory. */
static uint32_t *
cmap_put(struct concept_set *cs, struct cmap *m, const char *key, size_t klen)
{
	if ((m->used + 1) * 2 > m->cap && cmap_grow(cs, m) < 0)
		return NULL;
	size_t i = concept_hash(key, klen) & (m->cap - 1);
	for (;;) {
		struct cmap_slot *s = &m->slots[i];
		if (s->key == 0)
			break;
		if (s->klen == klen &&
		    memcmp(cs->arena + s->key - 1, key, klen) == 0)
			return &s->value;
		i = (i + 1) & (m->cap - 1);
	}
	long off = concept_arena_add(cs, key, klen);
	if (off < 0)
		return NULL;
	m->slots[i] = (struct cmap_slot){ .key = (uint32_t)off + 1,
		                          .klen = (uint32_t)klen,
		                          .value = NONE };
	m->used++;
	return &m->slots[i].value;
}

static void *
concept_grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	void *n = realloc(p, ncap * size);
	if (n != NULL)
		*cap = ncap;
	return n;
}

struct concept_set *
concept_set_new(void)
{
	struct concept_set *cs = calloc(1, sizeof(*cs));

	if (cs == NULL)
		return NULL;
	for (int k = 0; k < NUMBER__COUNT; k++) {
		char err[64];
		if (concept_define(cs,
		                   number_concept_name((enum number_concept)k),
		                   NULL, 0, err, sizeof(err)) < 0) {
			concept_set_free(cs);
			return NULL;
		}
	}
	char err[64];
	if (concept_define(cs, CONCEPT_MODEL_NAME, NULL, 0, err, sizeof(err)) !=
	    CONCEPT_MODEL) {
		concept_set_free(cs);
		return NULL;
	}
	return cs;
}

void
concept_set_free(struct concept_set *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->nconcepts; i++)
		free(cs->concepts[i].file);
	free(cs->concepts);
	free(cs->words);
	free(cs->terms);
	free(cs->fuzzy);
	free(cs->prefixes);
	free(cs->names.slots);
	free(cs->vocab.slots);
	for (int l = 0; l < LANG__COUNT; l++) {
		free(cs->stems[l].slots);
		if (cs->stemmer[l] != NULL)
			sb_stemmer_delete(cs->stemmer[l]);
	}
	free(cs->deletions.slots);
	free(cs->arena);
	free(cs->combo_head);
	free(cs->combo_next);
	free(cs->starts);
	free(cs->word_starts);
	free(cs);
}

static bool
concept_name_ok(const char *name, bool builtin)
{
	size_t n = strlen(name);

	if (n == 0 || n >= CONCEPT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (i == 0 && builtin && c == '@')
			continue;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

long
concept_define(struct concept_set *cs, const char *name, const char *file,
               int line, char *err, size_t errlen)
{
	bool builtin = file == NULL;

	if (!concept_name_ok(name, builtin)) {
		snprintf(err, errlen,
		         "concept name \"%.60s\" must be 1 to %d of a-z, 0-9 "
		         "and _",
		         name, CONCEPT_NAME_MAX - 1);
		return -1;
	}
	if (cs->nconcepts >= CONCEPT_MAX) {
		snprintf(err, errlen, "more than %d concepts", CONCEPT_MAX);
		return -1;
	}
	uint32_t *v = cmap_put(cs, &cs->names, name, strlen(name));
	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (*v != NONE) {
		const struct cconcept *o = &cs->concepts[*v];
		if (o->file == NULL)
			snprintf(err, errlen,
			         "concept \"%s\" is built in; choose another "
			         "name",
			         name);
		else
			snprintf(err, errlen,
			         "concept \"%s\" is defined already at %s:%d",
			         name, o->file, o->line);
		return -1;
	}
	struct cconcept *n = concept_grow(cs->concepts, &cs->ccap,
	                                  cs->nconcepts + 1, sizeof(*n));
	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cs->concepts = n;
	struct cconcept *c = &cs->concepts[cs->nconcepts];
	memset(c, 0, sizeof(*c));
	memcpy(c->name, name, strlen(name) + 1);
	c->file = file ? strdup(file) : NULL;
	c->line = line;
	if (file != NULL && c->file == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*v = (uint32_t)cs->nconcepts;
	return (long)cs->nconcepts++;
}

static struct sb_stemmer *
concept_stemmer(struct sb_stemmer **slot, int lang)
{
	if (*slot == NULL)
		*slot = sb_stemmer_new(concept_lang_algo[lang], NULL);
	return *slot;
}

/* The stem of w in lang, into out (NUL-terminated); returns its length. */
static size_t
concept_stem(struct sb_stemmer *st, const char *w, size_t n, char *out,
             size_t outlen)
{
	const sb_symbol *s = sb_stemmer_stem(st, (const sb_symbol *)w, (int)n);
	size_t sl;

	if (s == NULL) { /* out of memory: the word is its own stem */
		s = (const sb_symbol *)w;
		sl = n;
	} else {
		sl = (size_t)sb_stemmer_length(st);
	}
	if (sl >= outlen)
		sl = outlen - 1;
	memcpy(out, s, sl);
	out[sl] = '\0';
	return sl;
}

/* A vocabulary word for (lang, prefix, w), created when new. */
static long
concept_word(struct concept_set *cs, int lang, bool prefix, const char *w,
             size_t n)
{
	char key[CONCEPT_WORD_MAX + 4];

	key[0] = (char)('0' + lang);
	key[1] = prefix ? '*' : '=';
	memcpy(key + 2, w, n);
	uint32_t *v = cmap_put(cs, &cs->vocab, key, n + 2);
	if (v == NULL)
		return -1;
	if (*v != NONE)
		return *v;
	struct cword *nw =
	    concept_grow(cs->words, &cs->wcap, cs->nwords + 1, sizeof(*nw));
	if (nw == NULL)
		return -1;
	cs->words = nw;
	long off = concept_arena_add(cs, w, n);
	if (off < 0)
		return -1;
	cs->words[cs->nwords] = (struct cword){
		.surface = (uint32_t)off,
		.slen = (uint32_t)n,
		.lang = (uint8_t)lang,
		.prefix = prefix,
		.stem_next = NONE,
		.first_term = NONE,
	};
	cs->lang_used[lang] = true;
	*v = (uint32_t)cs->nwords;
	return (long)cs->nwords++;
}

/* Words a phrase may leave out in a message: "pins n needles", "loss of
 * control" and "loss control" all match their phrase. */
static bool
concept_function_word(const char *w, size_t n)
{
	static const char *const words[] = { "and", "n",  "of", "the",
		                             "a",   "an", "my", "to",
		                             "in",  "on", "or", NULL };

	for (const char *const *p = words; *p; p++)
		if (strlen(*p) == n && memcmp(*p, w, n) == 0)
			return true;
	return false;
}

int
concept_add_term(struct concept_set *cs, uint32_t id, const char *term,
                 char *err, size_t errlen)
{
	int lang = LANG_EN;
	const char *p = term;
	struct cterm t = { .concept = id, .next_start = NONE };

	if (id >= cs->nconcepts || cs->concepts[id].file == NULL) {
		snprintf(err, errlen, "no such concept");
		return -1;
	}
	if (cs->concepts[id].nterms >= CONCEPT_TERMS_MAX) {
		snprintf(err, errlen, "more than %d terms in one concept",
		         CONCEPT_TERMS_MAX);
		return -1;
	}
	if (strncmp(p, "en:", 3) == 0 || strncmp(p, "es:", 3) == 0 ||
	    strncmp(p, "pt:", 3) == 0) {
		lang =
		    p[0] == 'e' ? (p[1] == 'n' ? LANG_EN : LANG_ES) : LANG_PT;
		p += 3;
	}
	while (*p != '\0') {
		char raw[CONCEPT_WORD_MAX * 2], norm[BT_MESSAGE_MAX + 1];
		struct normalise_result nr;
		size_t n = 0;
		bool prefix = false;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		while (*p != '\0' && *p != ' ') {
			if (n + 1 >= sizeof(raw)) {
				snprintf(err, errlen,
				         "term \"%.60s\": a word is longer "
				         "than %d bytes",
				         term, CONCEPT_WORD_MAX);
				return -1;
			}
			raw[n++] = *p++;
		}
		if (raw[n - 1] == '*') {
			prefix = true;
			n--;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)raw[i];
			if (c < 0x80 && c != '\'' && !(c >= 'a' && c <= 'z') &&
			    !(c >= 'A' && c <= 'Z') &&
			    !(c >= '0' && c <= '9')) {
				snprintf(err, errlen,
				         "term \"%.60s\": '%c' is not allowed; "
				         "a term is words of letters and "
				         "digits (a trailing * for a prefix), "
				         "use patterns for anything else",
				         term, c);
				return -1;
			}
		}
		if (normalise_text(raw, n, NORMALISE_RUNS_TWO, norm, &nr) !=
		        NORMALISE_OK ||
		    nr.len == 0 || memchr(norm, ' ', nr.len) != NULL) {
			snprintf(err, errlen,
			         "term \"%.60s\": a word is not valid UTF-8 "
			         "letters",
			         term);
			return -1;
		}
		if (nr.len > CONCEPT_WORD_MAX) {
			snprintf(err, errlen,
			         "term \"%.60s\": a word is longer than %d "
			         "bytes",
			         term, CONCEPT_WORD_MAX);
			return -1;
		}
		if (prefix && nr.len < 3) {
			snprintf(err, errlen,
			         "term \"%.60s\": a prefix needs at least 3 "
			         "letters before the *",
			         term);
			return -1;
		}
		if (t.n >= CONCEPT_TERM_WORDS) {
			snprintf(err, errlen,
			         "term \"%.60s\": more than %d words", term,
			         CONCEPT_TERM_WORDS);
			return -1;
		}
		long w = concept_word(cs, lang, prefix, norm, nr.len);
		if (w < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (t.n > 0 && concept_function_word(norm, nr.len))
			t.optional |= (uint8_t)(1u << t.n);
		t.word[t.n++] = (uint32_t)w;
	}
	if (t.n == 0) {
		snprintf(err, errlen, "a term is empty");
		return -1;
	}
	/* Function words may be left out only before a word that must be
	 * there: "hard to" needs its "to", or it would match every "hard". */
	for (int j = t.n - 1; j > 0 && ((t.optional >> j) & 1); j--)
		t.optional &= (uint8_t) ~(1u << j);
	struct cterm *nt =
	    concept_grow(cs->terms, &cs->tcap, cs->nterms + 1, sizeof(*nt));
	if (nt == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cs->terms = nt;
	cs->terms[cs->nterms++] = t;
	cs->concepts[id].nterms++;
	return 0;
}

static int
concept_add_fuzzy(struct concept_set *cs, const char *key, size_t klen,
                  uint32_t word)
{
	uint32_t *v = cmap_put(cs, &cs->deletions, key, klen);

	if (v == NULL)
		return -1;
	/* once per word and key */
	for (uint32_t f = *v; f != NONE; f = cs->fuzzy[f].next)
		if (cs->fuzzy[f].word == word)
			return 0;
	struct cfuzzy *nf =
	    concept_grow(cs->fuzzy, &cs->fcap, cs->nfuzzy + 1, sizeof(*nf));
	if (nf == NULL)
		return -1;
	cs->fuzzy = nf;
	cs->fuzzy[cs->nfuzzy] = (struct cfuzzy){ .word = word, .next = *v };
	*v = (uint32_t)cs->nfuzzy++;
	return 0;
}

int
concept_finish(struct concept_set *cs, char *err, size_t errlen)
{
	/* Terms are chained from their first word, in the order written. */
	for (size_t i = cs->nterms; i-- > 0;) {
		struct cword *w = &cs->words[cs->terms[i].word[0]];
		cs->terms[i].next_start = w->first_term;
		w->first_term = (uint32_t)i;
	}
	free(cs->starts);
	free(cs->word_starts);
	cs->starts = malloc((cs->nterms + 1) * sizeof(*cs->starts));
	cs->word_starts = malloc((cs->nwords + 1) * sizeof(*cs->word_starts));
	/* how many terms each word is in: the fewer, the rarer in texts */
	uint32_t *uses = calloc(cs->nwords + 1, sizeof(*uses));
	if (cs->starts == NULL || cs->word_starts == NULL || uses == NULL) {
		free(uses);
		goto oom;
	}
	for (size_t i = 0; i < cs->nterms; i++)
		for (uint8_t j = 0; j < cs->terms[i].n; j++)
			uses[cs->terms[i].word[j]]++;
	for (size_t i = 0, o = 0; i < cs->nwords; i++) {
		struct cword *w = &cs->words[i];
		struct cword_starts *ws = &cs->word_starts[i];
		ws->first = (uint32_t)o;
		for (uint32_t ti = w->first_term; ti != NONE;
		     ti = cs->terms[ti].next_start) {
			const struct cterm *t = &cs->terms[ti];
			/* the key is the word after the first that the term
			 * needs and the fewest terms have: a start is passed
			 * over when its key is not in the text, and the rarer
			 * the key, the fewer terms are read to be tried */
			uint32_t key = NONE;
			for (uint8_t j = 1; j < t->n; j++)
				if (!((t->optional >> j) & 1) &&
				    (key == NONE ||
				     uses[t->word[j]] < uses[key]))
					key = t->word[j];
			if (key == NONE)
				key = (uint32_t)cs->nwords; /* always seen */
			cs->starts[o++] = (struct cstart){
				t->n == 1 ? t->concept | CONCEPT_START_ONE : ti,
				key
			};
		}
		ws->n = (uint32_t)o - ws->first;
	}
	free(uses);
	for (size_t i = 0; i < cs->nwords; i++) {
		struct cword *w = &cs->words[i];
		char stem[CONCEPT_WORD_MAX * 2 + 1], key[CONCEPT_WORD_MAX];

		if (w->prefix) {
			uint32_t *np =
			    concept_grow(cs->prefixes, &cs->pcap,
			                 cs->nprefixes + 1, sizeof(*np));
			if (np == NULL)
				goto oom;
			cs->prefixes = np;
			cs->prefixes[cs->nprefixes++] = (uint32_t)i;
			continue;
		}
		struct sb_stemmer *st =
		    concept_stemmer(&cs->stemmer[w->lang], w->lang);
		if (st == NULL) {
			snprintf(err, errlen, "no Snowball stemmer for %s",
			         concept_lang_algo[w->lang]);
			return -1;
		}
		/* copy: the arena may move while stems are added */
		char surface[CONCEPT_WORD_MAX + 1];
		memcpy(surface, cs->arena + w->surface, w->slen);
		surface[w->slen] = '\0';
		size_t sl =
		    concept_stem(st, surface, w->slen, stem, sizeof(stem));
		long off = concept_arena_add(cs, stem, sl);
		if (off < 0)
			goto oom;
		w = &cs->words[i];
		w->stem = (uint32_t)off;
		w->stlen = (uint32_t)sl;
		uint32_t *v = cmap_put(cs, &cs->stems[w->lang], stem, sl);
		if (v == NULL)
			goto oom;
		w->stem_next = *v;
		*v = (uint32_t)i;

		if (w->slen < CONCEPT_FUZZY_MIN)
			continue;
		if (concept_add_fuzzy(cs, surface, w->slen, (uint32_t)i) < 0)
			goto oom;
		for (size_t d = 1; d < w->slen; d++) { /* never the first */
			memcpy(key, surface, d);
			memcpy(key + d, surface + d + 1, w->slen - d - 1);
			if (concept_add_fuzzy(cs, key, w->slen - 1,
			                      (uint32_t)i) < 0)
				goto oom;
		}
	}
	/* A message word is looked up as at most CACHE_IDS vocabulary
	 * words: all the words of its stem in each language, and the
	 * prefixes it starts with (which start one another).  The most that
	 * can be must fit, or a term would silently stop matching. */
	size_t most = 0, longest = 0;
	for (int l = 0; l < LANG__COUNT; l++) {
		size_t lmax = 0;
		for (size_t i = 0; cs->lang_used[l] && i < cs->nwords; i++) {
			const struct cword *w = &cs->words[i];
			size_t n = 0;
			if (w->prefix || w->lang != l)
				continue;
			const uint32_t *v = cmap_get(
			    cs, &cs->stems[l], cs->arena + w->stem, w->stlen);
			for (uint32_t j = v ? *v : NONE; j != NONE;
			     j = cs->words[j].stem_next)
				n++;
			if (n > lmax) {
				lmax = n;
				if (n > longest) {
					longest = n;
					most = i;
				}
			}
		}
		cs->ids_bound += lmax;
	}
	size_t pmax = 0;
	for (size_t a = 0; a < cs->nprefixes; a++) {
		const struct cword *p = &cs->words[cs->prefixes[a]];
		size_t n = 0;
		for (size_t b = 0; b < cs->nprefixes; b++) {
			const struct cword *q = &cs->words[cs->prefixes[b]];
			n += q->slen <= p->slen &&
			     memcmp(cs->arena + q->surface,
			            cs->arena + p->surface, q->slen) == 0;
		}
		if (n > pmax)
			pmax = n;
	}
	cs->ids_bound += pmax;
	if (cs->ids_bound > CACHE_IDS) {
		const struct cword *w = &cs->words[most];
		snprintf(err, errlen,
		         "a message word could match %zu term words, more than "
		         "%d: %zu share the stem \"%.*s\"; write fewer forms "
		         "of a word (one matches them all)",
		         cs->ids_bound, CACHE_IDS, longest, (int)w->stlen,
		         cs->arena + w->stem);
		return -1;
	}
	cs->finished = true;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

void
concept_set_model(struct concept_set *cs, const struct model *m)
{
	cs->model = m;
}

bool
concept_has_model(const struct concept_set *cs)
{
	return cs->model != NULL;
}

long
concept_lookup(const struct concept_set *cs, const char *name)
{
	const uint32_t *v = cmap_get(cs, &cs->names, name, strlen(name));

	return v ? (long)*v : -1;
}

size_t
concept_count(const struct concept_set *cs)
{
	return cs->nconcepts;
}

const char *
concept_name(const struct concept_set *cs, uint32_t id)
{
	return id < cs->nconcepts ? cs->concepts[id].name : "?";
}

void
concept_where(const struct concept_set *cs, uint32_t id, const char **file,
              int *line)
{
	*file = id < cs->nconcepts ? cs->concepts[id].file : NULL;
	*line = id < cs->nconcepts ? cs->concepts[id].line : 0;
}

bool
concept_is_used(const struct concept_set *cs, uint32_t id)
{
	return id < cs->nconcepts && cs->concepts[id].used;
}

bool
concept_is_builtin(const struct concept_set *cs, uint32_t id)
{
	return id < cs->nconcepts && cs->concepts[id].file == NULL;
}

static int
concept_combo_used(struct concept_set *cs, const struct concept_combo *c)
{
	for (uint8_t k = 0; k < c->n; k++)
		cs->concepts[c->concept[k]].used = true;
	for (uint8_t k = 0; k < c->nunless; k++)
		cs->concepts[c->unless[k]].used = true;
	return 0;
}

/* Reads the concept name at *p (after spaces, up to a space, + or the
 * end) and looks it up into *id.  Returns its length, 0 when there is no
 * name, or -1 with err filled when it is too long or unknown. */
static long
concept_combo_name(const struct concept_set *cs, const char *src,
                   const char **p, long *id, char *err, size_t errlen)
{
	char name[CONCEPT_NAME_MAX];
	size_t n = 0;

	while (**p == ' ')
		(*p)++;
	while (**p != '\0' && **p != ' ' && **p != '+') {
		if (n + 1 >= sizeof(name)) {
			snprintf(err, errlen,
			         "\"%.80s\": a concept name is too long", src);
			return -1;
		}
		name[n++] = *(*p)++;
	}
	name[n] = '\0';
	if (n == 0)
		return 0;
	*id = concept_lookup(cs, name);
	if (*id < 0) {
		snprintf(err, errlen, "unknown concept \"%s\"", name);
		return -1;
	}
	return (long)n;
}

/* Parses the "unless NAME [or NAME ...]" ending a combination at p into
 * ret. */
static int
concept_combo_unless(struct concept_set *cs, const char *src, const char *p,
                     struct concept_combo *ret, char *err, size_t errlen)
{
	for (;;) {
		long id = -1;
		long n = concept_combo_name(cs, src, &p, &id, err, errlen);

		if (n < 0)
			return -1;
		while (*p == ' ')
			p++;
		bool more = strncmp(p, "or", 2) == 0 && p[2] == ' ';
		if (n == 0 || (*p != '\0' && !more)) {
			snprintf(err, errlen,
			         "\"%.80s\": unless takes concept names joined "
			         "by or, at the end",
			         src);
			return -1;
		}
		for (uint8_t k = 0; k < ret->n; k++)
			if (ret->concept[k] == (uint32_t)id) {
				snprintf(err, errlen,
				         "\"%.80s\": the concept after unless "
				         "is also needed",
				         src);
				return -1;
			}
		for (uint8_t k = 0; k < ret->nunless; k++)
			if (ret->unless[k] == (uint32_t)id) {
				snprintf(err, errlen,
				         "\"%.80s\": concept \"%s\" is named "
				         "twice after unless",
				         src, concept_name(cs, (uint32_t)id));
				return -1;
			}
		if (ret->nunless >= CONCEPT_UNLESS_MAX) {
			snprintf(
			    err, errlen,
			    "\"%.80s\": more than %d concepts after unless",
			    src, CONCEPT_UNLESS_MAX);
			return -1;
		}
		ret->unless[ret->nunless++] = (uint32_t)id;
		if (!more)
			return concept_combo_used(cs, ret);
		p += 3;
	}
}

int
concept_combo_parse(struct concept_set *cs, const char *src,
                    struct concept_combo *ret, char *err, size_t errlen)
{
	const char *p = src;

	memset(ret, 0, sizeof(*ret));
	for (;;) {
		long id = -1;
		long n = concept_combo_name(cs, src, &p, &id, err, errlen);

		if (n < 0)
			return -1;
		if (n == 0) {
			snprintf(err, errlen,
			         "\"%.80s\": a concept name is missing; write "
			         "names joined by +, e.g. \"bladder + "
			         "lost_control within 6\"",
			         src);
			return -1;
		}
		if (ret->n >= CONCEPT_COMBO_MAX) {
			snprintf(err, errlen,
			         "\"%.80s\": more than %d concepts in one "
			         "combination",
			         src, CONCEPT_COMBO_MAX);
			return -1;
		}
		for (uint8_t k = 0; k < ret->n; k++)
			if (ret->concept[k] == (uint32_t)id) {
				snprintf(err, errlen,
				         "\"%.80s\": concept \"%s\" is named "
				         "twice",
				         src, concept_name(cs, (uint32_t)id));
				return -1;
			}
		ret->concept[ret->n++] = (uint32_t)id;
		while (*p == ' ')
			p++;
		if (*p == '+') {
			p++;
			continue;
		}
		if (*p == '\0')
			return concept_combo_used(cs, ret);
		if (strncmp(p, "unless", 6) == 0 && p[6] == ' ')
			return concept_combo_unless(cs, src, p + 7, ret, err,
			                            errlen);
		if (strncmp(p, "within", 6) == 0 && p[6] == ' ') {
			char *end;
			p += 7;
			while (*p == ' ')
				p++;
			long w = strtol(p, &end, 10);
			while (*end == ' ')
				end++;
			if (end != p && w >= 1 && w <= 100 &&
			    strncmp(end, "unless", 6) == 0 && end[6] == ' ') {
				ret->within = (uint16_t)w;
				return concept_combo_unless(cs, src, end + 7,
				                            ret, err, errlen);
			}
			if (end == p || *end != '\0' || w < 1 || w > 100) {
				snprintf(err, errlen,
				         "\"%.80s\": within takes a number of "
				         "words from 1 to 100",
				         src);
				return -1;
			}
			ret->within = (uint16_t)w;
			return concept_combo_used(cs, ret);
		}
		snprintf(err, errlen,
		         "\"%.80s\": expected +, within or unless after "
		         "\"%s\"",
		         src, concept_name(cs, (uint32_t)id));
		return -1;
	}
}

unsigned
concept_distance(const char *a, size_t an, const char *b, size_t bn,
                 unsigned limit)
{
	unsigned rows[3][CONCEPT_WORD_MAX * 2 + 2];

	if (an > CONCEPT_WORD_MAX * 2 || bn > CONCEPT_WORD_MAX * 2)
		return limit + 1;
	if ((an > bn ? an - bn : bn - an) > limit)
		return limit + 1;
	unsigned *pp = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= bn; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= an; i++) {
		unsigned best = (unsigned)i;
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= bn; j++) {
			unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned v = prev[j - 1] + cost;
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
		unsigned *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[bn] > limit ? limit + 1 : prev[bn];
}

struct concept_scratch *
concept_scratch_new(const struct concept_set *cs)
{
	struct concept_scratch *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->cs = cs;
	s->today = CALENDAR_NONE;
	s->cache = aligned_alloc(64, CACHE_SLOTS * sizeof(*s->cache));
	if (s->cache != NULL)
		memset(s->cache, 0, CACHE_SLOTS * sizeof(*s->cache));
	s->cache_far = calloc(CACHE_SLOTS, sizeof(*s->cache_far));
	s->seen = calloc(cs->nwords + 1, 1);
	s->ctx = context_memo_new();
	s->present = calloc((cs->nconcepts + 63) / 64 + 1, sizeof(uint64_t));
	s->present_list = calloc(CONCEPT_MATCHES_MAX, sizeof(*s->present_list));
	if (s->cache == NULL || s->cache_far == NULL || s->seen == NULL ||
	    s->ctx == NULL || s->present == NULL || s->present_list == NULL) {
		concept_scratch_free(s);
		return NULL;
	}
	s->seen[cs->nwords] = 1; /* the key of terms that have none */
	for (int l = 0; l < LANG__COUNT; l++)
		if (cs->lang_used[l] &&
		    concept_stemmer(&s->stemmer[l], l) == NULL) {
			concept_scratch_free(s);
			return NULL;
		}
	return s;
}

void
concept_scratch_free(struct concept_scratch *s)
{
	if (s == NULL)
		return;
	for (int l = 0; l < LANG__COUNT; l++)
		if (s->stemmer[l] != NULL)
			sb_stemmer_delete(s->stemmer[l]);
	free(s->cache);
	free(s->cache_far);
	free(s->seen);
	context_memo_free(s->ctx);
	free(s->present);
	free(s->present_list);
	free(s);
}

static void
concept_entry_add(struct word_ids *e, uint32_t id, uint8_t how)
{
	for (uint8_t i = 0; i < e->n; i++)
		if (e->ids[i] == id)
			return;
	if (e->n < CACHE_IDS) {
		e->ids[e->n] = id;
		e->how[e->n++] = how;
	}
}

/* The vocabulary words with the stem of w, in each language in use. */
static void
concept_lookup_stems(struct concept_scratch *s, const char *w, size_t n,
                     struct word_ids *e)
{
	const struct concept_set *cs = s->cs;
	char stem[CONCEPT_WORD_MAX * 2 + 1];

	for (int l = 0; l < LANG__COUNT; l++) {
		if (!cs->lang_used[l])
			continue;
		size_t sl =
		    concept_stem(s->stemmer[l], w, n, stem, sizeof(stem));
		const uint32_t *v = cmap_get(cs, &cs->stems[l], stem, sl);
		for (uint32_t i = v ? *v : NONE; i != NONE;
		     i = cs->words[i].stem_next)
			concept_entry_add(e, i, CONCEPT_HOW_STEM);
	}
}

/* Which vocabulary words the message word w matches, into e. */
static void
concept_lookup_word(struct concept_scratch *s, const char *w, size_t n,
                    bool number, struct word_ids *e)
{
	const struct concept_set *cs = s->cs;
	char stem[CONCEPT_WORD_MAX * 2 + 1];

	e->n = 0;
	e->ctx = context_memo_word(s->ctx, w, n);
	e->mhash = model_word_hash(w, n);
	for (int l = 0; l < LANG__COUNT; l++) {
		if (!cs->lang_used[l])
			continue;
		size_t sl =
		    concept_stem(s->stemmer[l], w, n, stem, sizeof(stem));
		const uint32_t *v = cmap_get(cs, &cs->stems[l], stem, sl);
		for (uint32_t i = v ? *v : NONE; i != NONE;
		     i = cs->words[i].stem_next)
			concept_entry_add(e, i, CONCEPT_HOW_STEM);
	}
	for (size_t k = 0; k < cs->nprefixes; k++) {
		const struct cword *pw = &cs->words[cs->prefixes[k]];
		if (n >= pw->slen &&
		    memcmp(w, cs->arena + pw->surface, pw->slen) == 0)
			concept_entry_add(e, cs->prefixes[k],
			                  CONCEPT_HOW_PREFIX);
	}
	/* "numbb", "legg": doubled letters collapsed, when that is all,
	 * and the word is no word of the language ("door" is not "dor"). */
	bool word = e->n == 0 && !number && lexicon_has(w, n);
	if (e->n == 0 && !number && !word && n <= CONCEPT_WORD_MAX * 2) {
		char one[CONCEPT_WORD_MAX * 2];
		size_t on = 0;
		for (size_t i = 0; i < n; i++)
			if (on == 0 || one[on - 1] != w[i] ||
			    (unsigned char)w[i] >= 0x80)
				one[on++] = w[i];
		if (on < n) {
			concept_lookup_stems(s, one, on, e);
			for (uint8_t i = 0; i < e->n; i++)
				e->how[i] = CONCEPT_HOW_FUZZY;
		}
	}
	/* One edit, only for a word that is no term word itself, nor a
	 * word of the language ("cancel" is not "cancer" misspelt). */
	if (e->n > 0 || number || n + 1 < CONCEPT_FUZZY_MIN ||
	    n > CONCEPT_WORD_MAX + 1 || cs->deletions.cap == 0 || word)
		return;
	char key[CONCEPT_WORD_MAX + 2];
	for (size_t d = 0; d <= n; d++) {
		size_t kl = n;
		if (d == 0) {
			memcpy(key, w, n);
		} else if (d == 1) {
			continue; /* the first letter is never the edit */
		} else {
			memcpy(key, w, d - 1);
			memcpy(key + d - 1, w + d, n - d);
			kl = n - 1;
		}
		const uint32_t *v = cmap_get(cs, &cs->deletions, key, kl);
		for (uint32_t f = v ? *v : NONE; f != NONE;
		     f = cs->fuzzy[f].next) {
			const struct cword *cw = &cs->words[cs->fuzzy[f].word];
			const char *sf = cs->arena + cw->surface;
			if (sf[0] == w[0] &&
			    concept_distance(w, n, sf, cw->slen, 1) <= 1)
				concept_entry_add(e, cs->fuzzy[f].word,
				                  CONCEPT_HOW_FUZZY);
		}
	}
}

static inline uint64_t
concept_load8(const char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t
concept_load4(const char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* memcmp(a, b, n) == 0 for the few bytes of a word (n <= CACHE_KEY),
 * without a call: two or three loads of 8 bytes that overlap when they
 * must (never past n), 4 bytes for a short word. */
static inline bool
concept_key_eq(const char *a, const char *b, size_t n)
{
	if (n >= 8)
		return concept_load8(a) == concept_load8(b) &&
		       concept_load8(a + n - 8) == concept_load8(b + n - 8) &&
		       (n <= 16 ||
		        concept_load8(a + 8) == concept_load8(b + 8));
	if (n >= 4)
		return concept_load4(a) == concept_load4(b) &&
		       concept_load4(a + n - 4) == concept_load4(b + n - 4);
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* The word cache's hash of a word (n <= CACHE_KEY): the loads of
 * concept_key_eq, multiplied and mixed, instead of FNV-1a's byte at a
 * time.  Only which slot a word lands in depends on it. */
static inline uint32_t
concept_cache_hash(const char *w, size_t n)
{
	uint64_t a = 0, b = 0, c = 0;

	if (n >= 8) {
		a = concept_load8(w);
		b = concept_load8(w + n - 8);
		if (n > 16)
			c = concept_load8(w + 8);
	} else if (n >= 4) {
		a = concept_load4(w);
		b = concept_load4(w + n - 4);
	} else if (n > 0) {
		a = (unsigned char)w[0] |
		    (unsigned)(unsigned char)w[n / 2] << 8 |
		    (unsigned)(unsigned char)w[n - 1] << 16;
	}
	uint64_t h = (a * UINT64_C(0x9e3779b97f4a7c15)) ^
	             (b * UINT64_C(0xc2b2ae3d27d4eb4f)) ^
	             (c * UINT64_C(0x165667b19e3779f9)) ^ n;
	h ^= h >> 29;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	return (uint32_t)(h >> 32);
}

/* Token i's vocabulary words are those of word w: from the word cache,
 * else looked up (and cached). */
static void
concept_tok_lookup(struct concept_scratch *s, size_t i, const char *w, size_t n,
                   bool number)
{
	if (n > CACHE_KEY) {
		struct word_ids tmp = { .n = 0 };
		concept_lookup_word(s, w, n, number, &tmp);
		s->tok_n[i] = tmp.n;
		s->tok_ctx[i] = tmp.ctx;
		s->tok_mhash[i] = tmp.mhash;
		memcpy(s->tok_ids[i], tmp.ids, sizeof(tmp.ids));
		memcpy(s->tok_how[i], tmp.how, sizeof(tmp.how));
		return;
	}
	struct cache_entry *set = &s->cache[(concept_cache_hash(w, n) &
	                                     (CACHE_SLOTS / CACHE_WAYS - 1)) *
	                                    CACHE_WAYS];
	struct cache_entry *e = NULL;
	for (uint8_t k = 0; k < CACHE_WAYS && e == NULL; k++)
		if (set[k].klen == n && concept_key_eq(set[k].key, w, n)) {
			set[0].mru = k;
			e = &set[k];
		}
	struct cache_far *far;
	if (e == NULL) {
		struct word_ids tmp = { .n = 0 };
		uint8_t victim = set[0].mru == 0 ? 1 : 0;
		e = &set[victim];
		far = &s->cache_far[e - s->cache];
		set[0].mru = victim;
		concept_lookup_word(s, w, n, number, &tmp);
		memcpy(e->key, w, n);
		e->klen = (uint8_t)n;
		e->n = tmp.n;
		e->ctx = tmp.ctx;
		e->mhash = tmp.mhash;
		memcpy(e->ids, tmp.ids, sizeof(e->ids));
		memcpy(e->how, tmp.how, sizeof(e->how));
		memcpy(far->ids, tmp.ids + CACHE_NEAR, sizeof(far->ids));
		memcpy(far->how, tmp.how + CACHE_NEAR, sizeof(far->how));
	}
	s->tok_n[i] = e->n;
	s->tok_ctx[i] = e->ctx;
	s->tok_mhash[i] = e->mhash;
	/* all CACHE_NEAR: a fixed size is copied without a call */
	memcpy(s->tok_ids[i], e->ids, sizeof(e->ids));
	memcpy(s->tok_how[i], e->how, sizeof(e->how));
	if (e->n > CACHE_NEAR) {
		far = &s->cache_far[e - s->cache];
		memcpy(s->tok_ids[i] + CACHE_NEAR, far->ids, sizeof(far->ids));
		memcpy(s->tok_how[i] + CACHE_NEAR, far->how, sizeof(far->how));
	}
}

static bool
concept_tok_has(const struct concept_scratch *s, size_t t, uint32_t word,
                uint8_t *how)
{
	for (uint8_t i = 0; i < s->tok_n[t]; i++)
		if (s->tok_ids[t][i] == word) {
			if (s->tok_how[t][i] > *how)
				*how = s->tok_how[t][i];
			return true;
		}
	return false;
}

/* Adds a match once.  Terms are matched token by token, so their matches
 * come in order of first token: a term's twin (ordered) can only be among
 * the last ones, those at the same first token.  A number's is looked for
 * among all. */
static void
concept_add_match(struct concept_scratch *s, uint32_t concept, size_t first,
                  size_t last, uint8_t how, bool ordered)
{
	for (size_t i = s->nmatches; i-- > 0;) {
		struct concept_match *m = &s->matches[i];
		if (ordered && m->first != first)
			break;
		if (m->concept == concept && m->first == first &&
		    m->last == last)
			return;
	}
	if (s->nmatches >= CONCEPT_MATCHES_MAX)
		return;
	s->matches[s->nmatches++] = (struct concept_match){
		.concept = concept,
		.first = (uint16_t)first,
		.last = (uint16_t)last,
		.sentence = s->toks[first].sentence,
		.how = how,
	};
}

/* Words a duration said on its own may have about it: "3 weeks now.",
 * "been 10 days already.", "21 days and counting.", "im at 11 days",
 * "had it 3 weeks". */
static const char *const concept_duration_filler[] = {
	"about", "almost", "already",  "and", "at",   "been", "counting", "day",
	"far",   "for",    "had",      "ish", "it",   "its",  "im",       "ive",
	"like",  "lol",    "nearly",   "now", "on",   "over", "plus",     "smh",
	"so",    "still",  "straight", "tbh", "this", "ugh",  "x",
};

/* The sentence a duration at tokens [first, last] belongs to: its own,
 * unless that sentence says nothing but the duration ("BACK STILL HURTS.
 * 3 WEEKS."): then the sentence before it, or after it when it comes
 * first. */
static uint16_t
concept_number_sentence(const struct concept_scratch *s, const char *text,
                        size_t first, size_t last)
{
	uint16_t sent = s->toks[first].sentence;
	size_t lo = first, hi = last;
	while (lo > 0 && s->toks[lo - 1].sentence == sent)
		lo--;
	while (hi + 1 < s->ntok && s->toks[hi + 1].sentence == sent)
		hi++;
	for (size_t i = lo; i <= hi; i++) {
		if (i >= first && i <= last)
			continue;
		const struct token *t = &s->toks[i];
		size_t n = t->end - t->start;
		bool filler = false;
		for (size_t k = 0; k < sizeof(concept_duration_filler) /
		                           sizeof(concept_duration_filler[0]);
		     k++)
			if (strlen(concept_duration_filler[k]) == n &&
			    memcmp(concept_duration_filler[k], text + t->start,
			           n) == 0)
				filler = true;
		if (!filler)
			return sent;
	}
	if (lo > 0)
		return s->toks[lo - 1].sentence;
	if (hi + 1 < s->ntok)
		return s->toks[hi + 1].sentence;
	return sent;
}

static inline bool
concept_seen(const struct concept_scratch *s, uint32_t word)
{
	return s->seen[word];
}

/* Whether every word term t needs after its first is matched by some token
 * of the message.  Exact, and cheap: it turns most phrases away before
 * they are tried word by word at a position. */
static bool
concept_term_possible(const struct concept_scratch *s, const struct cterm *t)
{
	for (uint8_t j = 1; j < t->n; j++)
		if (!((t->optional >> j) & 1) && !concept_seen(s, t->word[j]))
			return false;
	return true;
}

/* Tries every term that starts with the words token i matches. */
static void
concept_terms_at(struct concept_scratch *s, size_t i)
{
	const struct concept_set *cs = s->cs;

	for (uint8_t k = 0; k < s->tok_n[i]; k++) {
		const struct cword_starts ws =
		    cs->word_starts[s->tok_ids[i][k]];
		const struct cstart *st = cs->starts + ws.first;
		for (uint32_t x = 0; x < ws.n; x++) {
			if (!concept_seen(s, st[x].key))
				continue;
			uint8_t how = s->tok_how[i][k];
			if (st[x].term & CONCEPT_START_ONE) {
				concept_add_match(
				    s, st[x].term & ~CONCEPT_START_ONE, i, i,
				    how, true);
				continue;
			}
			const struct cterm *t = &cs->terms[st[x].term];
			if (!concept_term_possible(s, t))
				continue;
			size_t at = i;
			bool ok = true;
			for (uint8_t j = 1; j < t->n && ok; j++) {
				bool optional = (t->optional >> j) & 1;
				bool found = false;
				/* the next word, or the one after it */
				for (size_t nx = at + 1;
				     nx <= at + 2 && nx < s->ntok &&
				     s->toks[nx].sentence ==
				         s->toks[i].sentence;
				     nx++)
					if (concept_tok_has(s, nx, t->word[j],
					                    &how)) {
						at = nx;
						found = true;
						break;
					}
				ok = found || optional;
			}
			if (ok)
				concept_add_match(s, t->concept, i, at, how,
				                  true);
		}
	}
}

void
concept_set_date(struct concept_scratch *s, int32_t today)
{
	s->today = today;
}

size_t
concept_scan(const struct concept_set *cs, struct concept_scratch *s,
             const char *text, size_t len)
{
	struct number_match nums[32];

	s->nmatches = 0;
	/* forget the words of the last scan */
	for (size_t i = 0; i < s->ntok; i++)
		for (uint8_t k = 0; k < s->tok_n[i]; k++)
			s->seen[s->tok_ids[i][k]] = 0;
	s->ntok = token_split(text, len, s->toks, TOKEN_MAX);
	s->sent_len_ready = false;
	for (size_t i = 0; i < s->ntok; i++) {
		const struct token *t = &s->toks[i];
		concept_tok_lookup(s, i, text + t->start, t->end - t->start,
		                   (t->flags & TOKEN_NUMBER) != 0);
		const uint32_t *ids = s->tok_ids[i];
		for (uint8_t k = 0; k < s->tok_n[i]; k++)
			s->seen[ids[k]] = 1;
	}
	if (cs->nterms > 0)
		for (size_t i = 0; i < s->ntok; i++)
			if (s->tok_n[i] > 0)
				concept_terms_at(s, i);
	size_t nn = number_find(text, s->toks, s->ntok, s->today, nums,
	                        sizeof(nums) / sizeof(nums[0]));
	for (size_t i = 0; i < nn; i++) {
		size_t before = s->nmatches;
		concept_add_match(s, (uint32_t)nums[i].kind, nums[i].first,
		                  nums[i].last, CONCEPT_HOW_NUMBER, false);
		if (s->nmatches == before ||
		    nums[i].kind != NUMBER_OVER_A_WEEK ||
		    s->nmatches >= CONCEPT_MATCHES_MAX)
			continue;
		/* a duration said on its own is read in its neighbour too */
		uint16_t to = concept_number_sentence(s, text, nums[i].first,
		                                      nums[i].last);
		if (to != s->matches[before].sentence) {
			s->matches[s->nmatches] = s->matches[before];
			s->matches[s->nmatches++].sentence = to;
		}
	}
	/* @model: the whole message, when the model rates it a red flag */
	if (cs->model != NULL && s->ntok > 0 &&
	    s->nmatches < CONCEPT_MATCHES_MAX &&
	    model_prob_hashed(cs->model, s->tok_mhash, s->ntok) >=
	        model_threshold(cs->model))
		concept_add_match(s, CONCEPT_MODEL, 0, s->ntok - 1,
		                  CONCEPT_HOW_MODEL, false);
	for (size_t i = 0; i < s->npresent; i++)
		s->present[s->present_list[i] >> 6] = 0;
	s->npresent = 0;
	s->text = text;
	context_memo_reset_known(s->ctx, text, s->toks, s->ntok, s->tok_ctx);
	for (size_t i = 0; i < s->nmatches; i++) {
		uint32_t c = s->matches[i].concept;
		s->judged[i] = false;
		s->blocked[i] = -1;
		if (!((s->present[c >> 6] >> (c & 63)) & 1)) {
			s->present[c >> 6] |= UINT64_C(1) << (c & 63);
			s->present_list[s->npresent++] = c;
		}
	}
	return s->nmatches;
}

/* Works out the context of match i, once: a match whose concept no
 * combination asks about never costs a context judgement. */
static void
concept_judge(struct concept_scratch *s, size_t i)
{
	struct concept_match *m = &s->matches[i];
	struct context_result cr;

	if (s->judged[i])
		return;
	s->judged[i] = true;
	m->context =
	    (uint8_t)context_judge_memo(s->ctx, m->first, m->last, &cr);
	for (int b = 0; b < 4; b++)
		if (m->context & (1u << b)) {
			m->cue_first = cr.cue[b].first;
			m->cue_last = cr.cue[b].last;
			break;
		}
}

const struct concept_match *
concept_matches(struct concept_scratch *s, size_t *n)
{
	for (size_t i = 0; i < s->nmatches; i++)
		concept_judge(s, i);
	*n = s->nmatches;
	return s->matches;
}

int
concept_index_combos(struct concept_set *cs, const struct concept_combo *c,
                     size_t n)
{
	free(cs->combo_head);
	free(cs->combo_next);
	cs->combo_head = malloc((cs->nconcepts + 1) * sizeof(uint32_t));
	cs->combo_next = malloc((n + 1) * sizeof(uint32_t));
	if (cs->combo_head == NULL || cs->combo_next == NULL)
		return -1;
	for (size_t i = 0; i < cs->nconcepts; i++)
		cs->combo_head[i] = NONE;
	/* pushed from the last, so each list runs in combination order */
	for (size_t i = n; i-- > 0;) {
		cs->combo_next[i] = NONE;
		if (c[i].n == 0)
			continue;
		cs->combo_next[i] = cs->combo_head[c[i].concept[0]];
		cs->combo_head[c[i].concept[0]] = (uint32_t)i;
	}
	cs->ncombos = n;
	return 0;
}

static int
concept_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

size_t
concept_candidates(const struct concept_set *cs,
                   const struct concept_scratch *s, uint32_t *out, size_t max)
{
	size_t n = 0;

	if (cs->combo_head == NULL)
		return 0;
	for (size_t i = 0; i < s->npresent; i++)
		for (uint32_t c = cs->combo_head[s->present_list[i]]; c != NONE;
		     c = cs->combo_next[c]) {
			if (n == max)
				return SIZE_MAX;
			out[n++] = c;
		}
	if (n > 32) {
		qsort(out, n, sizeof(*out), concept_u32_cmp);
		return n;
	}
	for (size_t i = 1; i < n; i++) { /* a few: insertion sort */
		uint32_t v = out[i];
		size_t j = i;
		for (; j > 0 && out[j - 1] > v; j--)
			out[j] = out[j - 1];
		out[j] = v;
	}
	return n;
}

const struct token *
concept_tokens(const struct concept_scratch *s, size_t *n)
{
	*n = s->ntok;
	return s->toks;
}

static bool
concept_counts(struct concept_scratch *s, size_t i, bool use_context)
{
	const struct concept_match *m = &s->matches[i];

	if (!use_context)
		return true;
	if (s->judged[i])
		return !(m->context & (CONTEXT_NEGATED | CONTEXT_HISTORICAL |
		                       CONTEXT_HYPOTHETICAL));
	if (s->blocked[i] < 0)
		s->blocked[i] =
		    context_judge_memo(s->ctx, m->first, m->last, NULL) != 0;
	return !s->blocked[i];
}

/* A sentence of at most CONCEPT_FRAGMENT words next to one of at most
 * CONCEPT_SHORT is one statement written in pieces: "pins. needles. whole
 * left leg.", "bladder not. cant go since yesterday".  A combination with
 * a span ("within N") may take its parts from both; one without a span
 * may not ("back sore after squats. nothing happened" is no retention),
 * nor may long sentences ("no tingling or anything. my legs are just
 * wrecked after the session", "numb. the squats today were heavy and my
 * leg is sore"); "someone ran a stop sign and hit me. back pain." is
 * short enough.  Context is still judged in each match's
 * own sentence, so "no numbness. my leg hurts" keeps its numbness
 * negated. */
#define CONCEPT_FRAGMENT 3
#define CONCEPT_SHORT    8

static bool
concept_sentence_joins(struct concept_scratch *s, uint16_t a, uint16_t b)
{
	if (a == b)
		return true;
	if (!s->sent_len_ready) { /* counted the first time it is asked */
		for (size_t i = 0; i < s->ntok; i++)
			s->sent_len[s->toks[i].sentence] = 0;
		for (size_t i = 0; i < s->ntok; i++)
			if (s->sent_len[s->toks[i].sentence] < UINT8_MAX)
				s->sent_len[s->toks[i].sentence]++;
		s->sent_len_ready = true;
	}
	uint16_t lo = a < b ? a : b, hi = a < b ? b : a;
	uint8_t nlo = s->sent_len[lo], nhi = s->sent_len[hi];
	return hi - lo == 1 && nlo <= CONCEPT_SHORT && nhi <= CONCEPT_SHORT &&
	       (nlo <= CONCEPT_FRAGMENT || nhi <= CONCEPT_FRAGMENT);
}

/* Whether concept k has a match that counts in sentence sent (or a
 * sentence joined to it), inside tokens [lo, hi]; the first such match in
 * *at (may be NULL). */
static bool
concept_has_in(struct concept_scratch *s, uint32_t k, bool use_context,
               uint16_t sent, bool join, size_t lo, size_t hi, size_t *at)
{
	for (size_t i = 0; i < s->nmatches; i++) {
		const struct concept_match *m = &s->matches[i];
		/* @model is the whole message: it is in every sentence */
		if (m->concept == k &&
		    (m->sentence == sent || k == (uint32_t)CONCEPT_MODEL ||
		     (join && concept_sentence_joins(s, sent, m->sentence))) &&
		    m->first >= lo && m->last <= hi &&
		    concept_counts(s, i, use_context)) {
			if (at != NULL)
				*at = i;
			return true;
		}
	}
	return false;
}

/* Whether the clauses of matches at[0..n) hold a match of a concept of
 * c's unless that counts (with use_context, one not negated, past or
 * hypothetical). */
static bool
concept_unless_in(struct concept_scratch *s, const struct concept_combo *c,
                  bool use_context, const size_t *at, size_t n)
{
	for (size_t i = 0; i < s->nmatches; i++) {
		const struct concept_match *m = &s->matches[i];
		uint8_t k = 0;
		while (k < c->nunless && c->unless[k] != m->concept)
			k++;
		if (k == c->nunless)
			continue;
		uint16_t cl = s->toks[m->first].clause;
		for (size_t j = 0; j < n; j++) {
			const struct concept_match *o = &s->matches[at[j]];
			if (cl >= s->toks[o->first].clause &&
			    cl <= s->toks[o->last].clause &&
			    concept_counts(s, i, use_context))
				return true;
		}
	}
	return false;
}

/* Every window that could hold the combination starts at one of its
 * matches; each is checked in O(matches), so a message full of matches
 * costs matches^2 at most, never a product over the concepts. */
bool
concept_combo_holds(struct concept_scratch *s, const struct concept_combo *c,
                    bool use_context)
{
	if (c->n == 0)
		return false;
	for (uint8_t k = 0; k < c->n; k++)
		if (!((s->present[c->concept[k] >> 6] >> (c->concept[k] & 63)) &
		      1))
			return false;
	/* Context is judged only where the words already fit: first the
	 * window without context, then with it. */
	for (size_t i = 0; i < s->nmatches; i++) {
		const struct concept_match *a = &s->matches[i];
		bool in_combo = false;
		for (uint8_t k = 0; k < c->n; k++)
			if (a->concept == c->concept[k])
				in_combo = true;
		if (!in_combo)
			continue;
		size_t lo = 0, hi = SIZE_MAX;
		if (c->within != 0) {
			lo = a->first;
			hi = lo + c->within - 1;
		}
		uint8_t k;
		size_t at[CONCEPT_COMBO_MAX];
		for (k = 0; k < c->n; k++)
			if (!concept_has_in(s, c->concept[k], false,
			                    a->sentence, c->within != 0, lo, hi,
			                    &at[k]))
				break;
		if (k < c->n)
			continue;
		if (!use_context) {
			if (c->nunless == 0 ||
			    !concept_unless_in(s, c, false, at, c->n))
				return true;
			continue;
		}
		if (!concept_counts(s, i, true))
			continue;
		for (k = 0; k < c->n; k++)
			if (!concept_has_in(s, c->concept[k], true, a->sentence,
			                    c->within != 0, lo, hi, &at[k]))
				break;
		if (k == c->n && (c->nunless == 0 ||
		                  !concept_unless_in(s, c, true, at, c->n)))
			return true;
	}
	return false;
}
