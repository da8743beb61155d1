/* Fuzzes context_judge: any bytes, normalised and cut into tokens as the
 * daemon does, and every span of one to three tokens judged.  The flags
 * are known ones, the result matches the return value, every cue lies
 * inside the message, and context_judge_memo (one memo for the whole run,
 * reset for each input) gives the same answer. */
#include <string.h>

#include "bounds.h"
#include "context.h"
#include "fuzz.h"
#include "normalise.h"
#include "token.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[BT_MESSAGE_MAX + 1];
	static struct token toks[TOKEN_MAX];
	const unsigned all = CONTEXT_NEGATED | CONTEXT_HISTORICAL |
	                     CONTEXT_HYPOTHETICAL | CONTEXT_OTHER;
	struct normalise_result nr;
	static struct context_memo *memo;

	if (memo == NULL)
		memo = context_memo_new();
	FUZZ_CHECK(memo != NULL);
	if (normalise_text((const char *)data, size, NORMALISE_RUNS_TWO, text,
	                   &nr) != NORMALISE_OK)
		return 0;
	size_t n = token_split(text, nr.len, toks, TOKEN_MAX);
	FUZZ_CHECK(n <= TOKEN_MAX);
	context_memo_reset(memo, text, toks, n);
	for (size_t first = 0; first < n; first++) {
		for (size_t last = first; last < n && last < first + 3;
		     last++) {
			struct context_result r;
			unsigned f =
			    context_judge(text, toks, n, first, last, &r);
			FUZZ_CHECK(f == r.flags);
			struct context_result rm;
			FUZZ_CHECK(context_judge_memo(memo, first, last, &rm) ==
			           f);
			FUZZ_CHECK(memcmp(&rm, &r, sizeof(r)) == 0);
			FUZZ_CHECK(
			    context_judge_memo(memo, first, last, NULL) ==
			    context_judge(text, toks, n, first, last, NULL));
			FUZZ_CHECK((f & ~all) == 0);
			for (unsigned b = 0; b < CONTEXT_FLAGS; b++) {
				if (!(f & (1u << b)))
					continue;
				FUZZ_CHECK(r.cue[b].first <= r.cue[b].last);
				FUZZ_CHECK(r.cue[b].last < n);
				/* A trigger is never a word of the match. */
				FUZZ_CHECK(r.cue[b].last < first ||
				           r.cue[b].first > last);
				FUZZ_CHECK(strcmp(context_flag_name(1u << b),
				                  "?") != 0);
			}
		}
	}
	/* A span past the end gets nothing. */
	FUZZ_CHECK(context_judge(text, toks, n, n, n, NULL) == 0);
	return 0;
}
