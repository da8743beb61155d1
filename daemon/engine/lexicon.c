/* The word table's lookup: a binary search of the sorted hashes that
 * gen_lexicon wrote (lexicon.h says what they are). */
#include "hash.h"
#include "lexicon.h"

extern const uint32_t lexicon_table[];
extern const size_t lexicon_count;

bool
lexicon_has(const char *w, size_t n)
{
	size_t lo = 0, hi = lexicon_count;
	uint32_t h;

	if (n < LEXICON_MIN || n > LEXICON_MAX)
		return false;
	h = hash_fnv1a(w, n);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (lexicon_table[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < lexicon_count && lexicon_table[lo] == h;
}

size_t
lexicon_size(void)
{
	return lexicon_count;
}
