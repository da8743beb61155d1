/* Classification.  The fast path: normalise, look the whole message up as a
 * compliance or rule keyword, scan the prefilter once, then confirm with
 * PCRE2 only the candidate patterns, lowest number first.  Patterns are
 * numbered in precedence order, so the first confirmed rule wins and the
 * rest are never run.  The exclusions have a prefilter of their own,
 * scanned only when a rule that has some fires (one message in five with
 * the shipped rules): they were a quarter of every scan. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "category_model.h"
#include "classify.h"
#include "compliance.h"
#include "intent.h"
#include "concept.h"
#include "negation.h"
#include "normalise.h"
#include "model.h"
#include "prefilter.h"
#include "token.h"

#define CLASSIFY_MAX_RETRIES    32
#define CLASSIFY_CANDIDATES_MAX 4096

struct classify {
	const struct ruleset *rs;
	struct prefilter_scratch *scratch;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	uint64_t *bits;
	size_t nwords;
	struct prefilter_scratch *xscratch;
	uint64_t *xbits; /* the exclusions' candidates, once xscanned */
	size_t nxwords;
	bool xscanned;
	size_t ncompliance; /* the compliance patterns come first */
	struct concept_scratch *concepts;
	uint32_t candidates[CLASSIFY_CANDIDATES_MAX];
	char norm[2][BT_MESSAGE_MAX + 1];
	struct token toks[MODEL_TOKENS]; /* the category model's */
};

const char *
classify_via_name(enum classify_via via)
{
	static const char *const names[] = {
		"empty",
		"compliance keyword",
		"compliance phrase",
		"keyword",
		"pattern",
		"fallback",
		"concepts",
		"compliance request",
		"category model",
	};

	return (size_t)via < sizeof(names) / sizeof(names[0]) ? names[via]
	                                                      : "?";
}

struct classify *
classify_new(const struct ruleset *rs)
{
	struct classify *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->rs = rs;
	c->nwords = (rs->npatterns + 63) / 64 + 1;
	while (c->ncompliance < rs->npatterns &&
	       rs->patterns[c->ncompliance].kind == PATTERN_COMPLIANCE)
		c->ncompliance++;
	c->bits = calloc(c->nwords, sizeof(*c->bits));
	c->scratch = prefilter_scratch_new(rs->prefilter);
	c->nxwords = (rs->npatterns - rs->nmatch_end + 63) / 64 + 1;
	c->xbits = calloc(c->nxwords, sizeof(*c->xbits));
	c->xscratch = prefilter_scratch_new(rs->prefilter_ex);
	c->md = pcre2_match_data_create(1, NULL);
	c->mctx = pcre2_match_context_create(NULL);
	c->jit_stack =
	    pcre2_jit_stack_create(32 * 1024, BT_PCRE2_JIT_STACK_MAX, NULL);
	if (rs->concepts != NULL) {
		c->concepts = concept_scratch_new(rs->concepts);
		if (c->concepts == NULL) {
			classify_free(c);
			return NULL;
		}
	}
	if (c->bits == NULL || c->scratch == NULL || c->xbits == NULL ||
	    c->xscratch == NULL || c->md == NULL || c->mctx == NULL ||
	    c->jit_stack == NULL) {
		classify_free(c);
		return NULL;
	}
	pcre2_set_match_limit(c->mctx, BT_PCRE2_MATCH_LIMIT);
	pcre2_set_depth_limit(c->mctx, BT_PCRE2_DEPTH_LIMIT);
	pcre2_set_heap_limit(c->mctx, BT_PCRE2_HEAP_LIMIT_KB);
	pcre2_jit_stack_assign(c->mctx, NULL, c->jit_stack);
	return c;
}

void
classify_set_date(struct classify *c, int32_t today)
{
	if (c->concepts != NULL)
		concept_set_date(c->concepts, today);
}

void
classify_free(struct classify *c)
{
	if (c == NULL)
		return;
	prefilter_scratch_free(c->scratch);
	prefilter_scratch_free(c->xscratch);
	free(c->xbits);
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mctx);
	pcre2_jit_stack_free(c->jit_stack);
	concept_scratch_free(c->concepts);
	free(c->bits);
	free(c);
}

static void
classify_record(struct classify_explain *ex, unsigned pattern, size_t s,
                size_t e, bool negated, const struct negation_cue *cue)
{
	if (ex == NULL || ex->count >= CLASSIFY_EXPLAIN_MAX)
		return;
	struct classify_match *m = &ex->matches[ex->count++];
	memset(m, 0, sizeof(*m));
	m->pattern = pattern;
	m->start = s;
	m->end = e;
	m->negated = negated;
	if (negated) {
		m->cue_start = cue->start;
		m->cue_end = cue->end;
	}
}

/* Runs one pattern.  A match the message negates does not count; the search
 * goes on after it.  Returns true on a match that counts. */
static bool
classify_pattern(struct classify *c, unsigned pi, const char *text, size_t len,
                 bool negatable, unsigned *limit_hits,
                 struct classify_explain *ex)
{
	const struct pattern *p = &c->rs->patterns[pi];
	size_t start = 0;

	for (int tries = 0; tries < CLASSIFY_MAX_RETRIES && start <= len;
	     tries++) {
		int rc = p->jit
		             ? pcre2_jit_match(p->re, (PCRE2_SPTR)text, len,
		                               start, 0, c->md, c->mctx)
		             : pcre2_match(p->re, (PCRE2_SPTR)text, len, start,
		                           PCRE2_NO_UTF_CHECK, c->md, c->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return false;
		if (rc < 0) {
			(*limit_hits)++;
			return false;
		}
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
		size_t s = ov[0], e = ov[1];
		struct negation_cue cue;
		bool neg = negatable && negation_find(text, len, s, &cue);
		classify_record(ex, pi, s, e, neg, &cue);
		if (!neg)
			return true;
		start = e > s ? e : s + 1;
		while (start < len &&
		       ((unsigned char)text[start] & 0xc0) == 0x80)
			start++;
	}
	return false;
}

static inline bool
classify_bit(const uint64_t *bits, size_t i)
{
	return (bits[i >> 6] >> (i & 63)) & 1;
}

/* Whether an exclusion pattern of rule ri is found in text. */
static bool
classify_excluded(struct classify *c, uint32_t ri, const char *text, size_t len,
                  unsigned *limit_hits, struct classify_explain *ex)
{
	const struct rule *r = &c->rs->rules[ri];

	if (r->exclude.count > 0 && !c->xscanned) {
		memset(c->xbits, 0, c->nxwords * sizeof(*c->xbits));
		prefilter_scan(c->rs->prefilter_ex, c->xscratch, text, len,
		               c->xbits);
		c->xscanned = true;
	}
	for (size_t i = 0; i < r->exclude.count; i++) {
		unsigned pi = r->first_exclude + (unsigned)i;
		if (classify_bit(c->xbits, pi - c->rs->nmatch_end) &&
		    classify_pattern(c, pi, text, len, false, limit_hits, ex))
			return true;
	}
	return false;
}

/* Whether rule ri fires on text, given the candidate bits. */
static bool
classify_rule(struct classify *c, uint32_t ri, const char *text, size_t len,
              unsigned *limit_hits, struct classify_explain *ex)
{
	const struct rule *r = &c->rs->rules[ri];
	bool hit = false;

	for (size_t i = 0; i < r->patterns.count; i++) {
		unsigned pi = r->first_pattern + (unsigned)i;
		if (!classify_bit(c->bits, pi))
			continue;
		if (classify_pattern(c, pi, text, len, r->negatable, limit_hits,
		                     ex)) {
			hit = true;
			if (ex == NULL)
				break;
		}
	}
	return hit && !classify_excluded(c, ri, text, len, limit_hits, ex);
}

/* Whether combination ci holds in the last concept scan and no exclusion
 * pattern of its rule is found. */
static bool
classify_combo(struct classify *c, size_t ci, const char *text, size_t len,
               unsigned *limit_hits, struct classify_explain *ex)
{
	uint32_t ri = c->rs->combo_rule[ci];

	return concept_combo_holds(c->concepts, &c->rs->combos[ci],
	                           c->rs->rules[ri].negatable) &&
	       !classify_excluded(c, ri, text, len, limit_hits, ex);
}

static void
classify_set_rule(const struct ruleset *rs, long ri, enum classify_via via,
                  struct classify_result *ret)
{
	const struct rule *r = &rs->rules[ri];

	ret->category = r->category;
	ret->topic = r->topic;
	ret->rule = ri;
	ret->rule_id = r->id;
	ret->reply = r->reply;
	ret->via = via;
}

static void
classify_set_builtin(const struct ruleset *rs, enum category cat,
                     enum classify_via via, struct classify_result *ret)
{
	ret->category = cat;
	ret->topic = TOPIC_NONE;
	ret->rule = -1;
	ret->rule_id = NULL;
	ret->reply = rules_builtin_reply(rs, cat);
	ret->via = via;
}

/* Marks the explain record of the deciding match. */
static void
classify_mark_winner(struct classify_explain *ex, const struct ruleset *rs,
                     long ri)
{
	if (ex == NULL)
		return;
	for (size_t i = 0; i < ex->count; i++) {
		const struct pattern *p = &rs->patterns[ex->matches[i].pattern];
		if (p->kind == PATTERN_MATCH && (long)p->rule == ri &&
		    !ex->matches[i].negated) {
			ex->matches[i].winner = true;
			return;
		}
	}
}

static void
classify_record_concepts(struct classify *c, struct classify_explain *ex)
{
	size_t n, ntok;
	const struct concept_match *m = concept_matches(c->concepts, &n);
	const struct token *t = concept_tokens(c->concepts, &ntok);

	ex->nconcepts = 0;
	for (size_t i = 0; i < n && i < CLASSIFY_CONCEPTS_MAX; i++) {
		struct classify_concept *k = &ex->concepts[ex->nconcepts++];
		k->concept = m[i].concept;
		k->start = t[m[i].first].start;
		k->end = t[m[i].last].end;
		k->context = m[i].context;
		k->cue_start = k->cue_end = 0;
		if (m[i].context != 0) {
			k->cue_start = t[m[i].cue_first].start;
			k->cue_end = t[m[i].cue_last].end;
		}
		k->how = m[i].how;
	}
}

/* The first rule, in precedence order, that a combination of concepts
 * selects, or LONG_MAX. */
static long
classify_concepts(struct classify *c, const char *text, size_t len,
                  unsigned *limit_hits, struct classify_explain *ex)
{
	const struct ruleset *rs = c->rs;

	if (rs->ncombo_rules == 0 || c->concepts == NULL)
		return LONG_MAX;
	concept_scan(rs->concepts, c->concepts, text, len);
	if (ex != NULL)
		classify_record_concepts(c, ex);
	/* Combinations are numbered in precedence order: the first that
	 * holds decides.  Only those whose first concept was found can. */
	size_t n = concept_candidates(rs->concepts, c->concepts, c->candidates,
	                              CLASSIFY_CANDIDATES_MAX);
	for (size_t k = 0; k < (n == SIZE_MAX ? rs->ncombos : n); k++) {
		size_t ci = n == SIZE_MAX ? k : c->candidates[k];
		if (!classify_combo(c, ci, text, len, limit_hits, ex))
			continue;
		if (ex != NULL)
			ex->combo = (long)ci;
		return rs->combo_rule[ci];
	}
	return LONG_MAX;
}

/* no_stop: the STOP phrases are not looked for (classify_alert). */
static void
classify_norm(struct classify *c, const char *text, size_t len,
              struct classify_result *ret, struct classify_explain *ex,
              bool no_stop)
{
	const struct ruleset *rs = c->rs;
	enum category cat;
	long ri;
	size_t i, ncompliance = c->ncompliance;
	unsigned limit_hits = 0;
	bool decided = false;
	enum category request = CATEGORY_FALLBACK; /* none yet */

	if (len == 0) {
		classify_set_builtin(rs, CATEGORY_FALLBACK, CLASSIFY_VIA_EMPTY,
		                     ret);
		return;
	}
	if (compliance_keyword(text, &cat)) {
		classify_set_builtin(rs, cat, CLASSIFY_VIA_COMPLIANCE_KEYWORD,
		                     ret);
		return;
	}
	/* a text longer than every keyword is none (most texts) */
	ri = len <= rs->keyword_max ? rules_find_keyword(rs, text) : -1;
	if (ri >= 0) {
		classify_set_rule(rs, ri, CLASSIFY_VIA_KEYWORD, ret);
		return;
	}

	memset(c->bits, 0, c->nwords * sizeof(*c->bits));
	c->xscanned = ex != NULL;
	if (ex != NULL) {
		memset(c->bits, 0xff, c->nwords * sizeof(*c->bits));
		memset(c->xbits, 0xff, c->nxwords * sizeof(*c->xbits));
	} else {
		prefilter_scan(rs->prefilter, c->scratch, text, len, c->bits);
	}

	/* Only the compliance patterns the prefilter names, in order: the
	 * others did nothing here (there are some 40, a text names one or
	 * two).  A STOP found ends the loop through decided. */
	for (size_t w = 0; (w << 6) < ncompliance && !decided; w++)
		for (uint64_t word = c->bits[w]; word != 0 && !decided;
		     word &= word - 1) {
			i = (w << 6) + (size_t)__builtin_ctzll(word);
			if (i >= ncompliance)
				break;
			if (rs->patterns[i].rule != CATEGORY_STOP) {
				if (request == CATEGORY_FALLBACK &&
				    classify_pattern(c, (unsigned)i, text, len,
				                     false, &limit_hits, ex))
					request =
					    (enum category)rs->patterns[i].rule;
				continue;
			}
			if (no_stop)
				continue;
			if (classify_pattern(c, (unsigned)i, text, len, false,
			                     &limit_hits, ex)) {
				classify_set_builtin(
				    rs, CATEGORY_STOP,
				    CLASSIFY_VIA_COMPLIANCE_PHRASE, ret);
				decided = true;
				if (ex == NULL)
					goto out;
			}
		}

	long best = decided ? LONG_MAX
	                    : classify_concepts(c, text, len, &limit_hits, ex);
	long last = -1;
	for (size_t w = ncompliance >> 6; w < c->nwords && !(decided && !ex);
	     w++) {
		uint64_t word = c->bits[w];
		while (word != 0) {
			size_t pi = (w << 6) + (size_t)__builtin_ctzll(word);
			word &= word - 1;
			if (pi < ncompliance)
				continue;
			if (pi >= rs->nmatch_end)
				goto done;
			long r = rs->patterns[pi].rule;
			if (r == last)
				continue;
			last = r;
			if (!decided && r >= best) {
				classify_set_rule(rs, best,
				                  CLASSIFY_VIA_CONCEPTS, ret);
				decided = true;
				if (ex == NULL)
					goto out;
			}
			if (!classify_rule(c, (uint32_t)r, text, len,
			                   &limit_hits, ex))
				continue;
			if (!decided) {
				classify_set_rule(rs, r, CLASSIFY_VIA_PATTERN,
				                  ret);
				classify_mark_winner(ex, rs, r);
				decided = true;
			}
			if (ex == NULL)
				goto out;
		}
	}
done:
	if (!decided && best != LONG_MAX) {
		classify_set_rule(rs, best, CLASSIFY_VIA_CONCEPTS, ret);
		decided = true;
	}
	/* "sign me up again", "send me the menu": only when no rule
	 * answered. */
	if (!decided && request != CATEGORY_FALLBACK) {
		classify_set_builtin(rs, request,
		                     CLASSIFY_VIA_COMPLIANCE_PHRASE, ret);
		decided = true;
	}
	/* "quit sending me stuff", "resume messages please", "options pls":
	 * a clause that is nothing but a request, when no rule answered. */
	if (!decided && intent_find(text, len, no_stop, &cat)) {
		classify_set_builtin(rs, cat, CLASSIFY_VIA_COMPLIANCE_REQUEST,
		                     ret);
		decided = true;
	}
	if (!decided)
		classify_set_builtin(rs, CATEGORY_FALLBACK,
		                     CLASSIFY_VIA_FALLBACK, ret);
out:
	/* The combination explains the answer only when it decided it. */
	if (ex != NULL && ret->via != CLASSIFY_VIA_CONCEPTS)
		ex->combo = -1;
	ret->limit_hits += limit_hits;
}

/* Rank of a result: compliance first, then rules in precedence order, then
 * the fallback. */
static long
classify_rank(const struct classify_result *r)
{
	if (r->category == CATEGORY_STOP || r->category == CATEGORY_START ||
	    r->category == CATEGORY_HELP)
		return -1;
	if (r->rule >= 0)
		return r->rule;
	return LONG_MAX;
}

static void
classify_result_init(struct classify_result *r)
{
	memset(r, 0, sizeof(*r));
	r->rule = -1;
	r->alert_rule = -1;
	r->alert_category = CATEGORY_FALLBACK;
}

/* Reads norm without the STOP phrases; a red-flag rule it then selects is
 * kept beside the STOP. */
static void
classify_alert_read(struct classify *c, const char *norm, size_t len,
                    struct classify_result *ret)
{
	struct classify_result alt;

	classify_result_init(&alt);
	classify_norm(c, norm, len, &alt, NULL, true);
	ret->limit_hits += alt.limit_hits;
	if (alt.rule >= 0 && category_is_red_flag(alt.category)) {
		const char *reply = rules_stop_reply(c->rs, alt.category);

		ret->alert = true;
		ret->alert_rule = alt.rule;
		ret->alert_category = alt.category;
		/* The confirmation the daemon sends (decide.c), so that
		 * `backtalk classify` shows it too. */
		if (reply != NULL)
			ret->reply = reply;
	}
}

/* A STOP asked for in words may name a red flag too: the message is read
 * again without the STOP phrases, in the reading with runs of letters cut
 * to two (ret->norm) and, when it has runs and that found none, cut to one
 * ("no more textss, my leg is numbbb"), so that the confirmation can carry
 * the advice. */
static void
classify_alert(struct classify *c, const char *text, size_t len, bool runs,
               struct classify_result *ret)
{
	struct normalise_result nr;

	if (ret->category != CATEGORY_STOP ||
	    ret->via != CLASSIFY_VIA_COMPLIANCE_PHRASE)
		return;
	classify_alert_read(c, ret->norm, ret->norm_len, ret);
	if (runs && !ret->alert) {
		normalise_text(text, len, NORMALISE_RUNS_ONE, c->norm[1], &nr);
		classify_alert_read(c, c->norm[1], nr.len, ret);
	}
}

/* A message the rules left to the fallback: the category model may answer
 * it with a tip, a referral or info instead.  It reads the message as the
 * training data did (runs of letters cut to two: ret->norm). */
static void
classify_category_model(struct classify *c, struct classify_result *ret)
{
	struct category_model_verdict v;

	if (ret->via != CLASSIFY_VIA_FALLBACK || c->rs->catmodel == NULL)
		return;
	size_t ntok =
	    token_split(ret->norm, ret->norm_len, c->toks, MODEL_TOKENS);
	if (!category_model_decide(c->rs->catmodel, ret->norm, c->toks, ntok,
	                           &v))
		return;
	ret->model_class = v.cls;
	ret->model_prob = v.prob;
	ret->model_threshold = v.threshold;
	if (v.rule >= 0)
		classify_set_rule(c->rs, v.rule, CLASSIFY_VIA_CATEGORY_MODEL,
		                  ret);
}

int
classify_message(struct classify *c, const char *text, size_t len,
                 struct classify_result *ret, struct classify_explain *ex)
{
	struct normalise_result nr;
	struct classify_result alt;

	classify_result_init(ret);
	ret->norm = "";
	if (normalise_text(text, len, NORMALISE_RUNS_TWO, c->norm[0], &nr) !=
	    NORMALISE_OK) {
		ret->bad_offset = nr.bad_offset;
		return -1;
	}
	ret->truncated = nr.truncated;
	ret->norm = c->norm[0];
	ret->norm_len = nr.len;
	if (ex != NULL) {
		memcpy(ex->norm, c->norm[0], nr.len + 1);
		ex->norm_len = nr.len;
		ex->count = 0;
		ex->nconcepts = 0;
		ex->combo = -1;
		ex->used_runs_one = false;
	}
	classify_norm(c, c->norm[0], nr.len, ret, ex, false);
	/* Nothing outranks a compliance answer; the first rule is
	 * outranked by a STOP the other reading finds ("stoppp texting me,
	 * i wet myself"). */
	if (!nr.has_runs || classify_rank(ret) < 0) {
		classify_alert(c, text, len, nr.has_runs, ret);
		classify_category_model(c, ret);
		return 0;
	}

	/* "numbbb" may mean "numb" and "sleeeep" means "sleep": try the
	 * other reading too and keep whichever decides more. */
	normalise_text(text, len, NORMALISE_RUNS_ONE, c->norm[1], &nr);
	classify_result_init(&alt);
	struct classify_explain *ex2 = NULL;
	if (ex != NULL) {
		ex2 = malloc(sizeof(*ex2));
		if (ex2 != NULL) {
			ex2->count = 0;
			ex2->nconcepts = 0;
			ex2->combo = -1;
		}
	}
	classify_norm(c, c->norm[1], nr.len, &alt, ex2, false);
	if (classify_rank(&alt) < classify_rank(ret)) {
		alt.truncated = ret->truncated;
		alt.limit_hits += ret->limit_hits;
		alt.norm = ret->norm;
		alt.norm_len = ret->norm_len;
		*ret = alt;
		if (ex != NULL && ex2 != NULL) {
			memcpy(ex->norm, c->norm[1], nr.len + 1);
			ex->norm_len = nr.len;
			memcpy(ex->matches, ex2->matches,
			       ex2->count * sizeof(ex2->matches[0]));
			ex->count = ex2->count;
			memcpy(ex->concepts, ex2->concepts,
			       ex2->nconcepts * sizeof(ex2->concepts[0]));
			ex->nconcepts = ex2->nconcepts;
			ex->combo = ex2->combo;
			ex->used_runs_one = true;
		}
	} else {
		ret->limit_hits += alt.limit_hits;
	}
	free(ex2);
	classify_alert(c, text, len, true, ret);
	classify_category_model(c, ret);
	return 0;
}
