/* Tokens: a normalised message cut into words, with the sentence and the
 * clause each word is in.  Concepts, context and numbers all work on this
 * form.  Pure: no allocation, no I/O. */
#ifndef BACKTALK_TOKEN_H
#define BACKTALK_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many tokens are taken from a message; the rest is ignored by
 * concept matching (patterns still see the whole text). */
#define TOKEN_MAX 1024

enum token_flag {
	TOKEN_NUMBER = 1 << 0,      /* digits, maybe with one '.' or ',' */
	TOKEN_CLAUSE_END = 1 << 1,  /* a clause ends after this token */
	TOKEN_SENTENCE_END = 1 << 2 /* a sentence ends after this token */
};

struct token {
	uint32_t start, end; /* bytes [start, end) of the normalised text */
	uint16_t sentence;   /* sentence number, from 0 */
	uint16_t clause;     /* clause number, from 0, across the message */
	uint8_t flags;       /* enum token_flag */
	char after;          /* first punctuation after the word, or 0 */
};

/* Cuts text (normalised: lowercase, single spaces) into tokens.  A word is
 * a run of ASCII letters and digits and non-ASCII bytes; "101.2" and "38,6"
 * stay one number.  A sentence ends at . ! ? ; or a newline; a clause also
 * ends at , : ( ) " / and a dash between spaces.  Returns the number of
 * tokens written, at most max. */
size_t token_split(const char *text, size_t len, struct token *out, size_t max);

/* Whether token t spells word (a NUL-terminated lowercase string).  Inline:
 * context and numbers ask it of every word near a match, and with a
 * literal word the length is known when compiling. */
static inline bool
token_is(const char *text, const struct token *t, const char *word)
{
	size_t n = __builtin_strlen(word);

	return t->end - t->start == n && text[t->start] == word[0] &&
	       __builtin_memcmp(text + t->start, word, n) == 0;
}

#endif
