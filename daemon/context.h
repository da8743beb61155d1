/* STUB until branch context merges */
#ifndef BACKTALK_CONTEXT_H
#define BACKTALK_CONTEXT_H
#include <stdint.h>
#include "token.h"
enum context_flag {
	CONTEXT_NEGATED = 1 << 0,
	CONTEXT_HISTORICAL = 1 << 1,
	CONTEXT_HYPOTHETICAL = 1 << 2,
	CONTEXT_OTHER = 1 << 3,
};
struct context_cue {
	uint16_t first, last;
};
struct context_result {
	unsigned flags;
	struct context_cue cue[4];
};
unsigned context_judge(const char *text, const struct token *toks, size_t ntok,
                       size_t first, size_t last, struct context_result *ret);
const char *context_flag_name(enum context_flag f);
#endif
