/* Tokens: words with their sentence and clause. */
#include <string.h>

#include "token.h"

/* Byte classes, looked up instead of compared: a message is cut byte by
 * byte. */
enum { TOKEN_C_WORD = 1, TOKEN_C_DIGIT = 2 };

/* GNU C range designators, as GCC and clang take them. */
static const uint8_t token_class[256] = {
	['a' ... 'z'] = TOKEN_C_WORD,
	['0' ... '9'] = TOKEN_C_WORD | TOKEN_C_DIGIT,
	[0x80 ... 0xff] = TOKEN_C_WORD,
};

static inline bool
token_word_byte(unsigned char c)
{
	return token_class[c] & TOKEN_C_WORD;
}

static inline bool
token_digit(unsigned char c)
{
	return token_class[c] & TOKEN_C_DIGIT;
}

/* 0 for no break, 1 for a clause break, 2 for a sentence break. */
static int
token_break(const char *text, size_t len, size_t i)
{
	switch (text[i]) {
	case '.':
	case '!':
	case '?':
	case ';':
	case '\n':
		return 2;
	case ',':
	case ':':
	case '(':
	case ')':
	case '"':
	case '/':
		return 1;
	case '-':
		/* " - " is a clause break, "x-ray" is not */
		return (i > 0 && text[i - 1] == ' ') &&
		               (i + 1 >= len || text[i + 1] == ' ')
		           ? 1
		           : 0;
	default:
		return 0;
	}
}

size_t
token_split(const char *text, size_t len, struct token *out, size_t max)
{
	size_t i = 0, n = 0;
	uint16_t sentence = 0, clause = 0;

	while (i < len && n < max) {
		if (text[i] == ' ') { /* the usual gap between words */
			i++;
			continue;
		}
		if (!token_word_byte((unsigned char)text[i])) {
			int b = token_break(text, len, i);
			if (b > 0 && n > 0) {
				struct token *p = &out[n - 1];
				if (p->after == 0)
					p->after = text[i];
				if (!(p->flags & TOKEN_CLAUSE_END) &&
				    p->sentence == sentence &&
				    p->clause == clause) {
					p->flags |= TOKEN_CLAUSE_END;
					if (clause < UINT16_MAX)
						clause++;
				}
				if (b == 2 &&
				    !(p->flags & TOKEN_SENTENCE_END)) {
					p->flags |= TOKEN_SENTENCE_END;
					if (sentence < UINT16_MAX)
						sentence++;
				}
			}
			i++;
			continue;
		}
		size_t s = i;
		uint8_t all = TOKEN_C_DIGIT; /* the classes every byte has */
		for (;;) {
			uint8_t cl;
			while (i < len &&
			       (cl = token_class[(unsigned char)text[i]]) !=
			           0) {
				all &= cl;
				i++;
			}
			/* a decimal point or comma inside a number */
			if (i + 1 < len && (text[i] == '.' || text[i] == ',') &&
			    (all & TOKEN_C_DIGIT) &&
			    token_digit((unsigned char)text[i + 1]) &&
			    token_digit((unsigned char)text[i - 1])) {
				i++;
				continue;
			}
			break;
		}
		bool number = all & TOKEN_C_DIGIT;
		struct token *t = &out[n++];
		t->start = (uint32_t)s;
		t->end = (uint32_t)i;
		t->sentence = sentence;
		t->clause = clause;
		t->flags = number ? TOKEN_NUMBER : 0;
		t->after = 0;
	}
	if (n > 0)
		out[n - 1].flags |= TOKEN_CLAUSE_END | TOKEN_SENTENCE_END;
	return n;
}
