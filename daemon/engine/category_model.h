/* The category model in the rule files: `category_model = "FILE";` names
 * a backtalk-model 2 (model.h) whose classes are tip, referral, info and
 * fallback, and `category_rules = { tip = "RULE"; ... };` the rule whose
 * reply answers each class but fallback.  It speaks only for a message no
 * rule and no plain request answered: when the message's most likely class
 * is not fallback and reaches the model's threshold, the message gets that
 * class's rule's reply instead of the fallback menu.  None of its classes
 * raises an alarm, so it can never take the place of a red flag. */
#ifndef BACKTALK_CATEGORY_MODEL_H
#define BACKTALK_CATEGORY_MODEL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "rules.h"
#include "token.h"

/* Reads `category_model = "FILE";` (a file of the rule file's directory)
 * and loads it into rs->catmodel (made on first use).  Reports problems
 * to d. */
void category_model_parse_file(struct ruleset *rs, const char *file,
                               const config_setting_t *s, struct diag *d);

/* Reads `category_rules = { CLASS = "RULE-ID"; ... };`. */
void category_model_parse_rules(struct ruleset *rs, const char *file,
                                const config_setting_t *s, struct diag *d);

/* Once every file is read and rs->rules is in its final order: checks that
 * both settings are there, that every class is tip, referral, info or
 * fallback, that every class but fallback names a rule and that each such
 * rule exists and has the class as its category.  Reports problems to d. */
void category_model_finish(struct ruleset *rs, struct diag *d);

void category_model_free(struct category_model *cm);

/* What the model makes of a message. */
struct category_model_verdict {
	const char *cls; /* the most likely class */
	double prob;     /* its probability */
	double threshold;
	long rule; /* the rule that answers, or -1: the fallback stays */
};

/* The verdict on the normalised text cut into toks (token_split, at most
 * MODEL_TOKENS); false when the rule set has no category model. */
bool category_model_decide(const struct category_model *cm, const char *text,
                           const struct token *toks, size_t ntok,
                           struct category_model_verdict *ret);

#endif
