/* Echo detection: whether an inbound message is one of our own replies
 * coming back (another bot, an auto-responder or a spoofed sender texting
 * back what it got), so that it is not answered and no reply loop starts.
 *
 * "Nearly so" is measured on words of the normalised text, in order: with
 * n the words of the message, m those of a reply and k the longest common
 * subsequence of the two, the message is an echo of the reply when
 *   - n - k <= ECHO_EXTRA_MAX (at most 3 words of its own, such as "Re:"
 *     or "Fwd:"),
 *   - k >= ECHO_SHARE_PCT % of n (90 %: it is mostly our reply), and
 *   - k >= ECHO_MIN_WORDS, or k = m for a reply shorter than that (8
 *     words: a part of a two-part reply echoed on its own counts, "see a
 *     doctor today" does not).
 * So a person who quotes our reply and adds "my leg is numb" is not an
 * echo (4 words of their own); decide.c also never drops a message that
 * classifies as a red flag as an echo.  Pure: no I/O. */
#ifndef BACKTALK_ECHO_H
#define BACKTALK_ECHO_H

#include <stdbool.h>
#include <stddef.h>

#define ECHO_EXTRA_MAX 3
#define ECHO_SHARE_PCT 90
#define ECHO_MIN_WORDS 8

struct echo;

/* An empty set of replies.  NULL when out of memory. */
struct echo *echo_new(void);
void echo_free(struct echo *e);

/* Adds one of our replies (raw UTF-8, normalised here as inbound messages
 * are).  Returns 0, or -1 when out of memory or the text is not valid
 * UTF-8. */
int echo_add(struct echo *e, const char *reply);

/* Whether body_norm, a message normalised by normalise_text, is an echo
 * of one of the replies; *ret_reply (when not NULL) is the index of that
 * reply in the order added. */
bool echo_match(const struct echo *e, const char *body_norm, size_t *ret_reply);

/* The same test against a single reply text that is not in a set (a
 * configured compliance text). */
bool echo_match_text(const char *reply, const char *body_norm);

#endif
