/* Category and topic names. */
#include <string.h>

#include "category.h"

static const char *const category_names[CATEGORY__COUNT] = {
	"emergency", "urgent", "referral", "tip",      "info",
	"stop",      "start",  "help",     "fallback",
};

static const char *const topic_names[TOPIC__COUNT] = {
	NULL, "causes", "form", "stretch", "recovery", "warning",
};

const char *
category_name(enum category c)
{
	return c < CATEGORY__COUNT ? category_names[c] : "?";
}

bool
category_parse(const char *s, enum category *ret)
{
	for (int i = 0; i < CATEGORY__COUNT; i++)
		if (strcmp(s, category_names[i]) == 0) {
			*ret = (enum category)i;
			return true;
		}
	return false;
}

bool
category_parse_rule(const char *s, enum category *ret)
{
	enum category c;

	if (!category_parse(s, &c) || c > CATEGORY_INFO)
		return false;
	*ret = c;
	return true;
}

const char *
topic_name(enum topic t)
{
	return t < TOPIC__COUNT ? topic_names[t] : NULL;
}

bool
topic_parse(const char *s, enum topic *ret)
{
	for (int i = 1; i < TOPIC__COUNT; i++)
		if (strcmp(s, topic_names[i]) == 0) {
			*ret = (enum topic)i;
			return true;
		}
	return false;
}

bool
category_is_red_flag(enum category c)
{
	return c == CATEGORY_EMERGENCY || c == CATEGORY_URGENT;
}
