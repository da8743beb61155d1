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

/* Requests to opt back in ("sign me up again") or for the menu ("send me
 * the options").  Unlike revocations they decide only when no rule
 * matched, so a red flag in the same message still wins. */
struct compliance_request {
	const char *pattern;
	enum category category; /* CATEGORY_START or CATEGORY_HELP */
};
extern const struct compliance_request compliance_requests[];
extern const size_t compliance_request_count;

#endif
