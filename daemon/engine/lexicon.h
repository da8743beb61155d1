/* The words of a language: whether a message word is a real word of
 * English, Spanish or Portuguese, so that a one-edit match is not tried
 * on it ("cancel" is no misspelling of "cancer", nor "desde" of "desce").
 *
 * The table comes from Debian's word lists (wamerican, wspanish,
 * wbrazilian), folded as messages are (normalise.h) and kept as 32-bit
 * hashes, sorted: gen_lexicon writes it at build time.  A word that is no
 * word has about one chance in 10,000 of hashing like one, which only
 * costs that word its one-edit match.  Pure: no allocation, no I/O. */
#ifndef BACKTALK_LEXICON_H
#define BACKTALK_LEXICON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Words shorter than this are not in the table (no one-edit match is
 * tried on them anyway). */
#define LEXICON_MIN 4
#define LEXICON_MAX 40

/* Whether w (n bytes, folded, lowercase) is a word of the lists. */
bool lexicon_has(const char *w, size_t n);

/* How many words the table holds (distinct hashes). */
size_t lexicon_size(void);

#endif
