/* Concepts: named lists of terms (words and phrases, not regular
 * expressions) that rules combine.  A term word matches a message word with
 * the same Snowball stem, a word one edit away when it is long enough, or
 * any word it is a prefix of when written with a trailing '*'.  The
 * built-in number concepts (@fever, @over_a_week, @repeat) come from
 * number.c, and every match is judged in context by context.c.
 *
 * A concept set is built while rules load and is immutable afterwards; a
 * scratch holds one thread's work on one message. */
#ifndef BACKTALK_CONCEPT_H
#define BACKTALK_CONCEPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "number.h"
#include "token.h"

#define CONCEPT_NAME_MAX    48
#define CONCEPT_MAX         2048
#define CONCEPT_TERMS_MAX   1024 /* a concept */
#define CONCEPT_TERM_WORDS  8    /* a term */
#define CONCEPT_WORD_MAX    32   /* bytes in a term word */
#define CONCEPT_COMBO_MAX   4    /* concepts in a combination */
#define CONCEPT_MATCHES_MAX 256  /* matches kept for a message */
#define CONCEPT_FUZZY_MIN   5    /* letters a word needs for one edit */

enum concept_how {
	CONCEPT_HOW_STEM,   /* same stem (or the same word) */
	CONCEPT_HOW_PREFIX, /* "tingl*" */
	CONCEPT_HOW_FUZZY,  /* one edit away */
	CONCEPT_HOW_NUMBER, /* a built-in number concept */
	CONCEPT_HOW_MODEL,  /* @model: the red-flag model (model.h) */
};

/* @model, the built-in concept the red-flag model matches: defined in every
 * set, after the number concepts, and matched only when a model is set. */
#define CONCEPT_MODEL_NAME "@model"
#define CONCEPT_MODEL      ((long)NUMBER__COUNT)

struct model;

/* The concepts an "unless" may name: "unless c or d". */
#define CONCEPT_UNLESS_MAX 4

/* A combination from a rule's "when": every concept in one sentence, all
 * inside `within` words when within > 0, and no match of a concept of
 * `unless` that counts in a clause of the matches that make it ("a + b
 * within 6 unless c", "a + b unless c or d"). */
struct concept_combo {
	uint32_t concept[CONCEPT_COMBO_MAX];
	uint8_t n;
	uint8_t nunless;
	uint16_t within;
	uint32_t unless[CONCEPT_UNLESS_MAX];
};

struct concept_match {
	uint32_t concept;
	uint16_t first, last; /* tokens, inclusive */
	uint16_t sentence;
	uint8_t context; /* enum context_flag bits */
	uint8_t how;     /* enum concept_how, of the weakest word */
	uint16_t cue_first, cue_last; /* the strongest context trigger */
};

struct concept_set;
struct concept_scratch;

struct concept_set *concept_set_new(void);

/* Gives @model its model (owned by the caller, who keeps it while the set
 * lives), or none with NULL. */
void concept_set_model(struct concept_set *cs, const struct model *m);
bool concept_has_model(const struct concept_set *cs);
void concept_set_free(struct concept_set *cs);

/* Defines a concept.  Returns its id, or -1 with err filled when the name is
 * not a-z, 0-9 and '_' or is taken (err names where it was defined). */
long concept_define(struct concept_set *cs, const char *name, const char *file,
                    int line, char *err, size_t errlen);

/* Adds a term to concept id.  Returns 0, or -1 with err filled. */
int concept_add_term(struct concept_set *cs, uint32_t id, const char *term,
                     char *err, size_t errlen);

/* Builds the indexes; call once, after every term is added.  Returns 0, or
 * -1 when out of memory or a stemmer is missing (err filled). */
int concept_finish(struct concept_set *cs, char *err, size_t errlen);

/* Parses "a + b + c within 6", optionally followed by "unless d", into
 * ret, marking the concepts used.
 * Returns 0, or -1 with err filled. */
int concept_combo_parse(struct concept_set *cs, const char *src,
                        struct concept_combo *ret, char *err, size_t errlen);

long concept_lookup(const struct concept_set *cs, const char *name);
size_t concept_count(const struct concept_set *cs);
const char *concept_name(const struct concept_set *cs, uint32_t id);
/* Where a concept was defined; file is NULL for the built-ins. */
void concept_where(const struct concept_set *cs, uint32_t id, const char **file,
                   int *line);
bool concept_is_used(const struct concept_set *cs, uint32_t id);
bool concept_is_builtin(const struct concept_set *cs, uint32_t id);

struct concept_scratch *concept_scratch_new(const struct concept_set *cs);
void concept_scratch_free(struct concept_scratch *s);

/* Sets the day the next scans read dates against ("since nov 1st" is
 * @over_a_week when that is more than 7 days before it); CALENDAR_NONE
 * (calendar.h), the default, reads no dates. */
void concept_set_date(struct concept_scratch *s, int32_t today);

/* Finds every concept in a normalised message.  Returns how many matches
 * were found (at most CONCEPT_MATCHES_MAX). */
size_t concept_scan(const struct concept_set *cs, struct concept_scratch *s,
                    const char *text, size_t len);

/* The matches of the last scan, each with its context worked out (a scan
 * leaves context to be judged when a combination needs it). */
const struct concept_match *concept_matches(struct concept_scratch *s,
                                            size_t *n);
/* The tokens of the last scan. */
const struct token *concept_tokens(const struct concept_scratch *s, size_t *n);

/* Whether a combination holds in the last scan.  With use_context, a match
 * that is negated, historical or hypothetical does not count; one that is
 * someone else's does. */
bool concept_combo_holds(struct concept_scratch *s,
                         const struct concept_combo *c, bool use_context);

/* Indexes combinations c[0..n) (a rule set's, in precedence order) so that
 * concept_candidates can list those a scan makes possible.  Returns 0, or
 * -1 when out of memory. */
int concept_index_combos(struct concept_set *cs, const struct concept_combo *c,
                         size_t n);

/* The indexes of the combinations whose first concept the last scan
 * found, ascending, into out; SIZE_MAX when there are more than max (then
 * every combination is a candidate). */
size_t concept_candidates(const struct concept_set *cs,
                          const struct concept_scratch *s, uint32_t *out,
                          size_t max);

/* Damerau (optimal string alignment) distance of a and b, or limit + 1
 * when it is more than limit.  Exposed for tests. */
unsigned concept_distance(const char *a, size_t an, const char *b, size_t bn,
                          unsigned limit);

#endif
