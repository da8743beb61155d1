/* Message normalisation: the text every rule pattern and keyword sees. */
#ifndef BACKTALK_NORMALISE_H
#define BACKTALK_NORMALISE_H

#include <stdbool.h>
#include <stddef.h>

enum normalise_runs {
	NORMALISE_RUNS_TWO, /* "sleeeep" -> "sleep", "numbbb" -> "numbb" */
	NORMALISE_RUNS_ONE, /* "sleeeep" -> "slep",  "numbbb" -> "numb" */
};

enum normalise_status {
	NORMALISE_OK = 0,
	NORMALISE_INVALID_UTF8 = -1,
};

struct normalise_result {
	size_t len;        /* bytes written to out, excluding the NUL */
	bool has_runs;     /* a letter was repeated three or more times */
	bool truncated;    /* input was longer than BT_MESSAGE_MAX */
	size_t bad_offset; /* first invalid byte, for NORMALISE_INVALID_UTF8 */
};

/* Normalises UTF-8 text into out (at least BT_MESSAGE_MAX + 1 bytes):
 * ASCII and Latin-1 letters lowercased, apostrophes removed ("can't" ->
 * "cant"), typographic quotes and dashes mapped to ASCII, emoji and symbols
 * treated as spaces, whitespace collapsed, punctuation around the message
 * trimmed, and runs of three or more identical letters shortened as runs
 * says.  Pure: no allocation, no I/O. */
enum normalise_status normalise_text(const char *in, size_t len,
                                     enum normalise_runs runs, char *out,
                                     struct normalise_result *ret);

#endif
