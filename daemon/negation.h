/* Negation scope: whether a match in a normalised message is negated by the
 * message itself ("no numbness", "without any tingling", "i dont have
 * tingling"). */
#ifndef BACKTALK_NEGATION_H
#define BACKTALK_NEGATION_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
