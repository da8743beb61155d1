/* Plain requests to stop, to start again or for the menu, in words of the
 * sender's own: "quit sending me stuff", "resume messages please", "i want
 * to sign up again", "options pls", "basta, no mas mensajes".  A clause
 * that says nothing but such a request (its words all from one request's
 * vocabulary and a few politeness and filler words) is the request.  Pure:
 * no allocation, no I/O.
 *
 * The classifier asks only when no rule answered the message, so a red
 * flag or a question in the same message always wins; the fixed keywords
 * and phrases of compliance.h are looked for first. */
#ifndef BACKTALK_INTENT_H
#define BACKTALK_INTENT_H

#include <stdbool.h>
#include <stddef.h>

#include "category.h"

/* Longest normalised text looked at: a request is short. */
#define INTENT_TEXT_MAX 240

/* The request that some clause of the normalised text is, as
 * CATEGORY_STOP, CATEGORY_START or CATEGORY_HELP in *ret; false when no
 * clause is one, or when clauses ask for different things ("stop... no
 * wait, start").  With no_stop a stop is never returned. */
bool intent_find(const char *norm, size_t len, bool no_stop,
                 enum category *ret);

/* Whether the word table is in strcmp order, each word once (a test). */
bool intent_table_ok(void);

#endif
