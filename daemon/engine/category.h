/* Categories and topics: the fixed vocabulary of decisions. */
#ifndef BACKTALK_CATEGORY_H
#define BACKTALK_CATEGORY_H

#include <stdbool.h>

/* In order of precedence for rule categories (emergency first). */
enum category {
	CATEGORY_EMERGENCY,
	CATEGORY_URGENT,
	CATEGORY_REFERRAL,
	CATEGORY_TIP,
	CATEGORY_INFO,
	/* Built in, never named by a rule. */
	CATEGORY_STOP,
	CATEGORY_START,
	CATEGORY_HELP,
	CATEGORY_FALLBACK,
	CATEGORY__COUNT
};

enum topic {
	TOPIC_NONE,
	TOPIC_CAUSES,
	TOPIC_FORM,
	TOPIC_STRETCH,
	TOPIC_RECOVERY,
	TOPIC_WARNING, /* the signs that call for a doctor or 911 */
	TOPIC__COUNT
};

const char *category_name(enum category c);
/* Parses a category a rule may have (not the built-in ones). */
bool category_parse_rule(const char *s, enum category *ret);
/* Parses any category name, built-ins included. */
bool category_parse(const char *s, enum category *ret);
const char *topic_name(enum topic t); /* NULL for TOPIC_NONE */
bool topic_parse(const char *s, enum topic *ret);
/* True for the red-flag categories, whose rules are negatable by default. */
bool category_is_red_flag(enum category c);

#endif
