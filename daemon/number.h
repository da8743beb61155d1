/* STUB until branch number merges */
#ifndef BACKTALK_NUMBER_H
#define BACKTALK_NUMBER_H
#include <stdint.h>
#include "token.h"
enum number_concept {
	NUMBER_FEVER,
	NUMBER_OVER_A_WEEK,
	NUMBER_REPEAT,
	NUMBER__COUNT
};
struct number_match {
	enum number_concept kind;
	uint16_t first, last;
	double value;
};
size_t number_find(const char *text, const struct token *toks, size_t ntok,
                   struct number_match *out, size_t max);
const char *number_concept_name(enum number_concept k);
long number_concept_lookup(const char *name);
#endif
