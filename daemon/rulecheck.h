/* Checks on a loaded rule set that only classification can show. */
#ifndef BACKTALK_RULECHECK_H
#define BACKTALK_RULECHECK_H

#include <stdbool.h>

#include "diag.h"
#include "rules.h"

/* Checks that every example selects its rule and no counter-example does,
 * that replies use only GSM-7 and fit BT_REPLY_SEGMENTS_MAX segments
 * (warnings, or errors when strict), and that no pattern runs into the PCRE2
 * limits on adversarial input.  Returns the number of errors added. */
size_t rulecheck_run(const struct ruleset *rs, bool strict, struct diag *d);

#endif
