/* Fuzzes classification against the shipped rules.  Every message is
 * classified twice: on the fast path (vectorscan prefilter, first confirmed
 * rule wins) and with explain (every pattern run), and the two decisions
 * must agree.  That proves the prefilter never drops a match that decides.
 * The rules come from $BACKTALK_FUZZ_RULES, else the repository's rules/. */
#include <string.h>

#include "classify.h"
#include "fuzz.h"
#include "rules.h"

static const struct fuzz_shipped *fuzz_classify_set;
static struct classify_explain *fuzz_classify_ex;

static void
fuzz_classify_cleanup(void)
{
	free(fuzz_classify_ex);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_classify_set = fuzz_shipped_load("fuzz_classify", false);
	fuzz_classify_ex = malloc(sizeof(*fuzz_classify_ex));
	if (fuzz_classify_ex == NULL) {
		fprintf(stderr, "fuzz_classify: out of memory\n");
		exit(1);
	}
	atexit(fuzz_classify_cleanup);
	return 0;
}

static void
fuzz_classify_print(const char *what, const struct classify_result *r)
{
	fprintf(stderr, "  %s: category %s, rule %ld (%s), via %d\n", what,
	        category_name(r->category), r->rule,
	        r->rule_id ? r->rule_id : "none", (int)r->via);
}

/* The result names a rule that exists, or none, consistently. */
static void
fuzz_classify_check_result(const struct classify_result *r)
{
	const struct ruleset *rs = fuzz_classify_set->rs;

	FUZZ_CHECK(r->category < CATEGORY__COUNT);
	if (r->rule >= 0) {
		FUZZ_CHECK((size_t)r->rule < rs->nrules);
		FUZZ_CHECK(r->rule_id == rs->rules[r->rule].id);
		FUZZ_CHECK(r->category == rs->rules[r->rule].category);
		FUZZ_CHECK(r->reply == rs->rules[r->rule].reply);
	} else {
		const char *alert =
		    r->alert ? rules_stop_reply(rs, r->alert_category) : NULL;

		FUZZ_CHECK(r->rule == -1 && r->rule_id == NULL);
		/* A STOP that names a red flag carries its advice. */
		FUZZ_CHECK(r->reply == (alert != NULL ? alert
		                                      : rules_builtin_reply(
		                                            rs, r->category)));
	}
	if (r->alert) {
		FUZZ_CHECK(r->category == CATEGORY_STOP);
		FUZZ_CHECK(r->alert_category == CATEGORY_EMERGENCY ||
		           r->alert_category == CATEGORY_URGENT);
		FUZZ_CHECK(r->alert_rule >= 0 &&
		           (size_t)r->alert_rule < rs->nrules);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct classify_explain *ex = fuzz_classify_ex;
	struct classify_result fast, slow;

	int rc_fast =
	    classify_message(fuzz_classify_set->c, text, size, &fast, NULL);
	int rc_slow =
	    classify_message(fuzz_classify_set->c, text, size, &slow, ex);
	FUZZ_CHECK(rc_fast == rc_slow);
	if (rc_fast != 0) {
		FUZZ_CHECK(rc_fast == -1);
		FUZZ_CHECK(fast.bad_offset == slow.bad_offset);
		FUZZ_CHECK(fast.bad_offset < size);
		return 0;
	}
	fuzz_classify_check_result(&fast);
	fuzz_classify_check_result(&slow);
	if (fast.category != slow.category || fast.rule != slow.rule ||
	    fast.topic != slow.topic || fast.via != slow.via) {
		fprintf(stderr,
		        "fuzz_classify: the prefilter changed the "
		        "decision on \"%.*s\" (normalised \"%.*s\")\n",
		        (int)size, text, (int)ex->norm_len, ex->norm);
		fuzz_classify_print("fast path", &fast);
		fuzz_classify_print("explain", &slow);
		abort();
	}

	FUZZ_CHECK(ex->norm_len <= BT_MESSAGE_MAX);
	FUZZ_CHECK(ex->norm[ex->norm_len] == '\0');
	FUZZ_CHECK(ex->count <= CLASSIFY_EXPLAIN_MAX);
	for (size_t i = 0; i < ex->count; i++) {
		const struct classify_match *m = &ex->matches[i];
		FUZZ_CHECK(m->pattern < fuzz_classify_set->rs->npatterns);
		FUZZ_CHECK(m->start <= m->end && m->end <= ex->norm_len);
		if (m->negated)
			FUZZ_CHECK(m->cue_start <= m->cue_end &&
			           m->cue_end <= ex->norm_len);
	}
	return 0;
}
