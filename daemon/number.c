/* STUB */
#include <string.h>
#include "number.h"
size_t
number_find(const char *text, const struct token *toks, size_t ntok,
            struct number_match *out, size_t max)
{
	(void)text;
	(void)toks;
	(void)ntok;
	(void)out;
	(void)max;
	return 0;
}
const char *
number_concept_name(enum number_concept k)
{
	static const char *n[] = { "@fever", "@over_a_week", "@repeat" };
	return (unsigned)k < NUMBER__COUNT ? n[k] : "?";
}
long
number_concept_lookup(const char *name)
{
	for (long i = 0; i < NUMBER__COUNT; i++)
		if (strcmp(name, number_concept_name((enum number_concept)i)) ==
		    0)
			return i;
	return -1;
}
