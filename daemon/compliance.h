/* Built-in compliance keywords (STOP, START, HELP and their synonyms) and
 * explicit revocation phrases.  Not editable by rule files: carriers and the
 * law fix them. */
#ifndef BACKTALK_COMPLIANCE_H
#define BACKTALK_COMPLIANCE_H

#include <stdbool.h>
#include <stddef.h>

#include "category.h"

/* Category for a normalised whole message that is a compliance keyword
 * ("stop", "opt out", "unstop", "info"), or false. */
bool compliance_keyword(const char *norm, enum category *ret);

/* Revocation phrases ("please stop texting me"): PCRE2 patterns over the
 * normalised message, each giving CATEGORY_STOP. */
extern const char *const compliance_stop_patterns[];
extern const size_t compliance_stop_pattern_count;

#endif
