/* Checks on a rule set's conversations that only the classifier can
 * show: prompts and the conversations' own replies that would read as a
 * red flag or a keyword, options that a red flag or a keyword would
 * always take first, and example conversations that do not play out as
 * written.  The shape (steps, paths, GSM-7) is checked on load
 * (convo_parse.h). */
#ifndef BACKTALK_CONVOCHECK_H
#define BACKTALK_CONVOCHECK_H

#include <stddef.h>

#include "classify.h"
#include "diag.h"
#include "rules.h"

/* The clock the examples run on: 2026-01-01 12:00 UTC, a minute a turn. */
#define CONVOCHECK_EPOCH INT64_C(1767268800)

/* Runs the checks with classifier c (over rs).  Returns the number of
 * errors added. */
size_t convocheck_run(const struct ruleset *rs, struct classify *c,
                      struct diag *d);

#endif
