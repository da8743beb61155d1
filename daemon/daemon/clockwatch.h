/* Watching the clocks: steps of the wall clock (against the monotonic
 * one) and the gateway's clock against this host's.  Pure: the callers
 * read the clocks and log. */
#ifndef BACKTALK_CLOCKWATCH_H
#define BACKTALK_CLOCKWATCH_H

#include <stdbool.h>
#include <stdint.h>

/* A wall clock that moved this much against the monotonic one between
 * two readings stepped (NTP slews smaller errors). */
#define CLOCKWATCH_STEP_MIN_S 2.0
/* The gateway's clock and ours may disagree by this much (seconds) before
 * it is worth a warning. */
#define CLOCKWATCH_SKEW_WARN_S 60

struct clockwatch {
	bool started;
	double offset; /* wall minus monotonic at the last reading */

	bool skew_known;
	int64_t skew;           /* the gateway's clock minus ours */
	bool skew_warned;       /* a warning stands for this disagreement */
	int64_t skew_warned_at; /* the skew it was about */
};

/* One reading of both clocks (seconds).  Returns how far the wall clock
 * stepped since the last reading (negative: back), or 0 when it did not
 * (or this is the first). */
double clockwatch_step(struct clockwatch *w, double wall, double mono);

enum clockwatch_news {
	CLOCKWATCH_SAME,   /* nothing new to say */
	CLOCKWATCH_SKEWED, /* the clocks disagree by more than the limit
	                      (first time, or by another minute since) */
	CLOCKWATCH_AGREE,  /* they agree again after a warning */
};

/* Notes the gateway's clock (its Date header, Unix seconds) read when our
 * wall clock said `ours`. */
enum clockwatch_news clockwatch_gateway(struct clockwatch *w, int64_t gateway,
                                        int64_t ours);

/* Seconds to add to our wall clock to get the gateway's (0 when no
 * gateway time has been seen). */
int64_t clockwatch_gateway_offset(const struct clockwatch *w);

#endif
