/* Loop and flood guard: decides whether a reply may go out, before it is
 * recorded, from what it remembers of the sender (in memory, or kept by
 * the store: guard_new_kept).  Per sender: at most N replies a window and no
 * identical reply to an identical repeated message within it; a global send
 * rate; and detection of other auto-responders.  Red-flag replies (and
 * HELP) are not counted against the per-sender limit and skip it and the
 * repeat check, but have a ceiling of their own that nothing bypasses: the
 * first red-flag reply to a sender always goes, and the same red-flag reply
 * is not sent to the same sender again within the window (a different one
 * is). */
#ifndef BACKTALK_GUARD_H
#define BACKTALK_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counts.h"

struct guard;

enum guard_verdict {
	GUARD_ALLOW,
	GUARD_FLOOD,         /* too many replies to this sender */
	GUARD_REPEAT,        /* same message, same reply, within the window */
	GUARD_AUTORESPONDER, /* the message looks machine-written */
	GUARD_RED_REPEAT,    /* this red-flag reply went to the sender within
	                        the window */
};

/* A guard that keeps what it remembers of each sender itself, in memory,
 * for at most about max_senders senders at once. */
struct guard *guard_new(unsigned replies_per_sender, unsigned window_s,
                        size_t max_senders);

/* Where a guard keeps its memos (keys are hashes of the sender, or of the
 * sender and a red-flag reply): get fills *m (all zero for a key it does
 * not know) and returns 0, or -1; put stores what the check made of it
 * (0 or -1).  The store is one (daemon: guardkeep.c). */
struct guard_keeper {
	int (*get)(void *arg, uint64_t key, int64_t now, struct counts_memo *m);
	int (*put)(void *arg, uint64_t key, const struct counts_memo *m);
	void (*free)(void *arg); /* by guard_free; may be NULL */
	void *arg;
};
/* A guard whose memos the keeper keeps. */
struct guard *guard_new_kept(unsigned replies_per_sender, unsigned window_s,
                             const struct guard_keeper *keeper);
void guard_free(struct guard *g);
/* Senders tracked now, and the table's current size (for metrics and
 * tests), for a guard that keeps its own memos (0 otherwise). */
size_t guard_tracked(const struct guard *g);
size_t guard_capacity(const struct guard *g);

/* Checks and, when allowed, counts a reply to `from`.  body_norm is the
 * normalised inbound text and reply the chosen reply (for repeat
 * detection).  priority is for red flags (and HELP): the per-sender count
 * and repeat check do not apply, and GUARD_RED_REPEAT means this very
 * reply went to `from` within the window. */
enum guard_verdict guard_check(struct guard *g, const char *from,
                               const char *body_norm, const char *reply,
                               bool priority, int64_t now);

/* Whether a normalised message reads like an automatic reply ("out of
 * office", "this is an automated message", "do not reply"). */
bool guard_is_autoreply(const char *body_norm);

const char *guard_verdict_name(enum guard_verdict v);

/* Token bucket for the global send rate.  rate <= 0 means unlimited. */
struct guard_rate {
	double rate, tokens, burst;
	double last; /* seconds, monotonic */
};
void guard_rate_init(struct guard_rate *r, double rate, double now);
/* Takes a token if one is there; otherwise returns false and sets
 * *ret_wait to the seconds until one will be. */
bool guard_rate_take(struct guard_rate *r, double now, double *ret_wait);

#endif
