/* Classification: from a raw message to the decision and the reply. */
#ifndef BACKTALK_CLASSIFY_H
#define BACKTALK_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "category.h"
#include "bounds.h"
#include "rules.h"

enum classify_via {
	CLASSIFY_VIA_EMPTY, /* nothing left after normalising */
	CLASSIFY_VIA_COMPLIANCE_KEYWORD,
	CLASSIFY_VIA_COMPLIANCE_PHRASE,
	CLASSIFY_VIA_KEYWORD,
	CLASSIFY_VIA_PATTERN,
	CLASSIFY_VIA_FALLBACK,
	CLASSIFY_VIA_CONCEPTS, /* a combination of concepts ("when") */
	CLASSIFY_VIA_COMPLIANCE_REQUEST, /* a plain request (intent.h) */
	/* in the fallback's place, the category model (category_model.h) */
	CLASSIFY_VIA_CATEGORY_MODEL,
};

/* "compliance keyword", "pattern", ...: how a result was reached. */
const char *classify_via_name(enum classify_via via);

struct classify_result {
	enum category category;
	enum topic topic;
	long rule;           /* index in ruleset.rules, -1 for built-ins */
	const char *rule_id; /* NULL for built-ins and fallback */
	/* NULL when the rules define none; for a STOP that names a red flag
	 * (alert), the stop reply that carries its advice. */
	const char *reply;
	enum classify_via via;
	bool truncated;      /* message was cut to BT_MESSAGE_MAX */
	unsigned limit_hits; /* pattern runs stopped by PCRE2 limits */
	size_t bad_offset;   /* for invalid UTF-8 */
	/* The message normalised with runs of letters cut to two (normalise.h,
	 * NORMALISE_RUNS_TWO), as the guard and the echo check read it, and
	 * its length: points into the classifier, valid until its next
	 * classify_message.  "" when the text is not valid UTF-8. */
	const char *norm;
	size_t norm_len;
	/* A STOP asked for in words that also names a red flag ("stop texting
	 * me, my leg is numb"): the red-flag rule the message selects without
	 * the STOP, and its category, when alert is true. */
	bool alert;
	long alert_rule;
	enum category alert_category;
	/* The category model's verdict, when the rules left the fallback and
	 * the rule set has one: its most likely class (NULL when it was not
	 * asked), that class's probability and the model's threshold.  It
	 * decided when via is CLASSIFY_VIA_CATEGORY_MODEL. */
	const char *model_class;
	double model_prob;
	double model_threshold;
};

/* One pattern match, recorded for --explain. */
struct classify_match {
	unsigned pattern; /* index in ruleset.patterns */
	size_t start, end;
	bool negated;
	size_t cue_start, cue_end; /* the negating words, when negated */
	bool winner;               /* the match that decided the result */
};

#define CLASSIFY_EXPLAIN_MAX  256
#define CLASSIFY_CONCEPTS_MAX 128

/* One concept match, recorded for --explain. */
struct classify_concept {
	uint32_t concept;          /* id in ruleset.concepts */
	size_t start, end;         /* bytes of the normalised text */
	unsigned context;          /* enum context_flag bits */
	size_t cue_start, cue_end; /* the context trigger, when any */
	unsigned how;              /* enum concept_how */
};

struct classify_explain {
	char norm[BT_MESSAGE_MAX + 1]; /* the normalised text matched */
	size_t norm_len;
	bool used_runs_one; /* result came from the "numbbb" -> "numb" form */
	struct classify_match matches[CLASSIFY_EXPLAIN_MAX];
	size_t count;
	struct classify_concept concepts[CLASSIFY_CONCEPTS_MAX];
	size_t nconcepts;
	long combo; /* index in ruleset.combos that decided, or -1 */
};

struct classify;

/* A classifier owns the scratch space for one thread; the ruleset must
 * outlive it. */
struct classify *classify_new(const struct ruleset *rs);
void classify_free(struct classify *c);

/* Sets the day the message was written, as days since 1970-01-01
 * (calendar.h): dates in the messages classified next are read against it
 * ("pain since nov 1st" is over a week on 2026-12-07).  CALENDAR_NONE, the
 * default of a new classifier, reads no dates. */
void classify_set_date(struct classify *c, int32_t today);

/* Classifies one message.  Returns 0, or -1 when text is not valid UTF-8
 * (ret->bad_offset says where).  With ex non-NULL every pattern is run
 * (no prefilter) and every match recorded; the decision is the same. */
int classify_message(struct classify *c, const char *text, size_t len,
                     struct classify_result *ret, struct classify_explain *ex);

#endif
