/* Rule sets: loading rule files, validating them, and the compiled form the
 * classifier runs.  A ruleset is immutable once loaded, so a reload builds a
 * new one beside the running one and swaps it in only when it is clean. */
#ifndef BACKTALK_RULES_H
#define BACKTALK_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "category.h"
#include "diag.h"

struct prefilter;
struct echo;
struct concept_set;
struct concept_combo;
struct convo_set;
struct category_model;
struct model;

/* A string from a rule file and the line it is on. */
struct rule_text {
	char *text;
	int line;
};

struct rule_list {
	struct rule_text *items;
	size_t count;
};

struct rule {
	char *id;
	enum category category;
	enum topic topic;
	int priority;
	bool negatable;
	char *reply;
	int reply_line;
	struct rule_list patterns;
	struct rule_list exclude;
	struct rule_list keywords; /* normalised */
	struct rule_list examples;
	struct rule_list counter_examples;
	struct rule_list when; /* combinations of concepts, as written */
	char *file;
	int line;
	size_t order; /* position in load order, for ties */
	/* Index of the first match pattern and first exclusion pattern in
	 * ruleset.patterns; patterns.count and exclude.count follow it. */
	uint32_t first_pattern;
	uint32_t first_exclude;
	/* Its combinations: ruleset.combos[first_combo, + when.count). */
	uint32_t first_combo;
};

enum pattern_kind { PATTERN_COMPLIANCE, PATTERN_MATCH, PATTERN_EXCLUDE };

/* One compiled pattern.  Patterns are numbered compliance first, then the
 * rules' match patterns in precedence order, then exclusions, so that the
 * lowest numbered matching pattern belongs to the rule that wins. */
struct pattern {
	pcre2_code *re;
	enum pattern_kind kind;
	uint32_t rule;   /* index in ruleset.rules; compliance: category */
	const char *src; /* the pattern as written */
	bool jit;        /* JIT-compiled: run with pcre2_jit_match */
};

enum reply_slot {
	REPLY_FALLBACK,
	REPLY_HELP,
	REPLY_STOP,
	REPLY_START,
	REPLY_SAFETY_NET, /* the line every non-urgent reply ends with */
	/* The STOP confirmation of a message that also names a red flag
	 * ("stop texting me, my leg is numb"): the one message an opted-out
	 * number gets carries the advice. */
	REPLY_STOP_EMERGENCY,
	REPLY_STOP_URGENT,
	REPLY__COUNT
};

struct keyword_entry {
	const char *keyword; /* normalised */
	uint32_t rule;
};

struct ruleset {
	struct rule *rules; /* in precedence order */
	size_t nrules;
	struct pattern *patterns;
	size_t npatterns;
	size_t nmatch_end; /* patterns [0, nmatch_end) are not exclusions */
	struct keyword_entry *keywords; /* sorted by keyword */
	size_t nkeywords;
	size_t keyword_max; /* the longest keyword's length */
	char *replies[REPLY__COUNT];
	char *reply_files[REPLY__COUNT];
	int reply_lines[REPLY__COUNT];
	size_t nfiles;
	struct prefilter *prefilter; /* patterns [0, nmatch_end) */
	/* The exclusions, pattern nmatch_end + i as its pattern i: scanned
	 * only for a message where a rule that has some fires. */
	struct prefilter *prefilter_ex;
	struct echo *echo; /* every reply, for echo_match */
	struct concept_set *concepts;
	struct concept_combo *combos;
	uint32_t *combo_rule; /* the rule of each combination */
	size_t ncombos;
	size_t ncombo_rules; /* rules with combinations */
	bool jit;            /* every pattern is JIT-compiled */
	/* The conversations (convo.h), or NULL when no file has any. */
	struct convo_set *convos;
	/* The red-flag model of a model = "..."; setting (model.h), NULL
	 * when there is none or it did not load, and where that setting is
	 * (model_file NULL when no file has one). */
	struct model *model;
	char *model_file;
	int model_line;
	/* The category model of category_model = "..."; and its rules
	 * (category_model.h), or NULL when no file sets either. */
	struct category_model *catmodel;
};

/* Loads a rule file or a directory of *.conf files (in name order).
 * Reports every problem found to d; returns 0 and sets *ret, or -1 with
 * *ret untouched when anything is wrong. */
int rules_load(const char *path, struct ruleset **ret, struct diag *d);
void rules_free(struct ruleset *rs);

/* Whether id is a valid rule id: a-z, 0-9, '-', '_' or '.', 1 to
 * BT_RULE_ID_MAX long.  Conversations, steps and their replies too. */
bool rules_id_ok(const char *id);

/* Rule selected by a whole-message keyword, or -1. */
long rules_find_keyword(const struct ruleset *rs, const char *norm);

/* Precedence order: category, then higher priority, then load order. */
int rules_compare(const struct rule *a, const struct rule *b);

/* The reply for a built-in category, or NULL when the rules define none. */
const char *rules_builtin_reply(const struct ruleset *rs, enum category c);
/* The STOP confirmation for a message that also names a red flag of
 * category c (emergency or urgent), or NULL when the rules define none. */
const char *rules_stop_reply(const struct ruleset *rs, enum category c);

#endif
