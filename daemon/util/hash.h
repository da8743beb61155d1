/* FNV-1a, 32 bits: the hash of the small open-addressing tables over words
 * (concept.c's maps and word cache, context.c's memo), and of the
 * word table lexicon.c searches (gen_lexicon writes it with this hash). */
#ifndef BACKTALK_HASH_H
#define BACKTALK_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t
hash_fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

#endif
