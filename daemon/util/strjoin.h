/* Adjacent strings in a list: libconfig joins "a" "b" into "ab", so a
 * missing comma in a list of patterns or examples silently makes one
 * string of two.  This scanner finds, in the text of a configuration
 * file, every place inside [ ] or ( ) where one string literal follows
 * another with only spaces and comments between them.  (Inside a group
 * { }, as in a long reply split over lines, joining is meant and is not
 * reported.)  Pure: no allocation, no I/O. */
#ifndef BACKTALK_STRJOIN_H
#define BACKTALK_STRJOIN_H

#include <stddef.h>

/* Writes into lines (at most max) the line number of each second string
 * of such a pair, and returns how many there are in all (which may be
 * more than max). */
size_t strjoin_find(const char *text, size_t len, unsigned *lines, size_t max);

#endif
