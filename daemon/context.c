/* STUB */
#include <string.h>
#include "context.h"
unsigned
context_judge(const char *text, const struct token *toks, size_t ntok,
              size_t first, size_t last, struct context_result *ret)
{
	(void)ntok;
	(void)last;
	memset(ret, 0, sizeof(*ret));
	for (size_t i = first;
	     i > 0 && toks[i - 1].clause == toks[first].clause; i--)
		if (token_is(text, &toks[i - 1], "no") ||
		    token_is(text, &toks[i - 1], "not")) {
			ret->flags |= CONTEXT_NEGATED;
			ret->cue[0].first = ret->cue[0].last =
			    (uint16_t)(i - 1);
			break;
		}
	return ret->flags;
}
const char *
context_flag_name(enum context_flag f)
{
	return f == CONTEXT_NEGATED        ? "negated"
	       : f == CONTEXT_HISTORICAL   ? "historical"
	       : f == CONTEXT_HYPOTHETICAL ? "hypothetical"
	                                   : "someone else";
}
