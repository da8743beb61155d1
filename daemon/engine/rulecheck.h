/* Checks on a loaded rule set that only classification can show. */
#ifndef BACKTALK_RULECHECK_H
#define BACKTALK_RULECHECK_H

#include <stdbool.h>

#include "diag.h"
#include "rules.h"

/* Checks that every example selects its rule and no counter-example does,
 * that replies use only GSM-7 and fit BT_REPLY_SEGMENTS_MAX segments
 * (warnings, or errors when strict), that no reply, read as a text from
 * someone, selects a red-flag rule or a compliance keyword (an error), and
 * that no pattern runs into the PCRE2 limits on adversarial input, and
 * the conversations as convocheck_run does.  Returns the number of errors
 * added. */
size_t rulecheck_run(const struct ruleset *rs, bool strict, struct diag *d);

/* Checks one more reply text, such as the configuration's compliance
 * texts, the way rulecheck_run checks replies: it must not read as a red
 * flag or a compliance keyword under rs.  owner names it in the
 * diagnostics.  Returns the number of errors added. */
size_t rulecheck_text(const struct ruleset *rs, const char *text,
                      const char *file, int line, const char *owner,
                      struct diag *d);

/* Checks a reply that ends an exchange the way tip replies are checked:
 * it ends with the safety net and, as rulecheck_text, reads as no red
 * flag or keyword.  Returns the number of errors added. */
size_t rulecheck_tip_text(const struct ruleset *rs, const char *text,
                          const char *file, int line, const char *owner,
                          struct diag *d);

#endif
