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
	bool truncated;    /* input, or its folded form, was longer than
	                    * BT_MESSAGE_MAX: cut at a character boundary */
	size_t bad_offset; /* first invalid byte, for NORMALISE_INVALID_UTF8 */
};

/* Normalises UTF-8 text into out (at least BT_MESSAGE_MAX + 1 bytes):
 * letters lowercased, apostrophes removed ("can't" -> "cant"), typographic
 * quotes and dashes mapped to ASCII, emoji and symbols treated as spaces,
 * whitespace collapsed, punctuation around the message trimmed, and runs of
 * three or more identical letters shortened as runs says.  Text with any
 * non-ASCII byte is also folded with utf8proc: compatibility forms
 * ("\uff33", "\ufb01"), full case folding ("\u00df" -> "ss") and accents
 * and other marks stripped ("\u00e9" -> "e").  Pure ASCII output is never
 * longer than the input; folded output may grow, and is cut at a character
 * boundary at BT_MESSAGE_MAX bytes (truncated).  Pure: no allocation (one
 * static thread-local buffer), no I/O. */
enum normalise_status normalise_text(const char *in, size_t len,
                                     enum normalise_runs runs, char *out,
                                     struct normalise_result *ret);

#endif
