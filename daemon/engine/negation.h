/* Negation scope: whether a match in a normalised message is negated by the
 * message itself ("no numbness", "without any tingling", "i dont have
 * tingling"). */
#ifndef BACKTALK_NEGATION_H
#define BACKTALK_NEGATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct negation_cue {
	size_t start, end; /* the negating words, as byte offsets */
};

/* Looks backwards from match_start, within the same clause, for a negation
 * cue that governs the match.  A clause ends at punctuation, at a contrast
 * or time word ("but", "now", "since") or at a new subject ("my", "i").
 * At most NEGATION_WINDOW content words may stand between cue and match;
 * fillers ("any", "have", "or") do not count.  Words inside the match
 * itself never negate it, so "cant feel my leg" stays a red flag. */
bool negation_find(const char *text, size_t len, size_t match_start,
                   struct negation_cue *ret_cue);

#define NEGATION_WINDOW 2

/* The word lists, shared with context.c (NULL-terminated, lowercase,
 * without apostrophes): negating words, words that undo a negating word
 * right before them ("not sure", "no change"), words that end a negation's
 * scope, and words that do not use up its window. */
extern const char *const negation_cues[];
extern const char *const negation_pseudo[];
extern const char *const negation_terminators[];
extern const char *const negation_fillers[];

/* Whether the n bytes at w spell one of the words of list. */
bool negation_word_in(const char *const *list, const char *w, size_t n);

/* The first letters of a list's entries, as bits (a = 1, ..., z = 1 << 25,
 * anything else 1 << 26); remembered per thread. */
uint32_t negation_list_letters(const char *const *list);

#endif
