/* Conversations in the rule files: reading `conversations = ( ... );` with
 * libconfig and checking the shape of each one (every step reachable,
 * every step with a way out, every option leading somewhere, prompts in
 * GSM-7 and two SMS parts, options that are no carrier keyword).  Every
 * problem names its file and line.  The checks that need the classifier
 * (examples, prompts that read as a red flag) are rulecheck's. */
#ifndef BACKTALK_CONVO_PARSE_H
#define BACKTALK_CONVO_PARSE_H

#include <libconfig.h>

#include "convo.h"
#include "diag.h"
#include "rules.h"

/* Reads one file's `conversations` list into rs->convos (made on first
 * use).  Reports problems to d. */
void convo_parse_setting(struct ruleset *rs, const char *file,
                         const config_setting_t *s, struct diag *d);

/* Once every file is read and rs->rules is in its final order: resolves
 * the names conversations use (rules, categories, steps, replies) and
 * checks each conversation's shape.  Reports problems to d. */
void convo_parse_finish(struct ruleset *rs, struct diag *d);

void convo_parse_free(struct convo_set *cs);

#endif
