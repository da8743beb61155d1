/* The running daemon's state, shared by the event loop (backtalkd.c), the
 * poller (poller.c) and the sender (sender.c): the running configuration
 * (d->conf, dconf.h) and what outlives it; its clocks and backoff are in
 * daemon.c. */
#ifndef BACKTALK_DAEMON_H
#define BACKTALK_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "clockwatch.h"
#include "dconf.h"
#include "gateway.h"
#include "metrics.h"
#include "metrics_http.h"
#include "store.h"

/* Where the daemon reads the time: the system's clocks when a function is
 * NULL (backtalkd), a test's own otherwise, so that it can drive the
 * poller and the sender through time. */
struct daemon_time {
	double (*now)(void *arg);   /* monotonic seconds */
	int64_t (*wall)(void *arg); /* wall clock, Unix seconds */
	void *arg;
};

struct daemon {
	struct daemon_time clock;
	/* The running configuration and all made from it (dconf.h): a reload
	 * builds a new one and swaps this pointer.  Everything below
	 * outlives a configuration. */
	struct dconf *conf;
	struct store *store;

	double next_poll;    /* monotonic seconds */
	double poll_backoff; /* current delay after failures, 0 when fine */
	unsigned poll_failures;
	double next_send;    /* earliest time the sender should run again */
	struct sendq *sendq; /* the sending thread */
	double next_settle;  /* when the sender lets the queue run dry */
	double next_renew;   /* when the sender renews its claims */
	double next_checkin; /* when check-ins are looked for (checkin.h) */
	double next_sweep;   /* when expired conversations are looked for */
	double started;      /* monotonic seconds at start */
	/* Steps of the wall clock, and the gateway's clock against ours. */
	struct clockwatch clocks;
	bool input_closed; /* the gateway will bring nothing more */

	/* How the gateway has answered sends lately (sender.c): failed
	 * attempts and 429s in a row, each ended by a send that works, so
	 * that a reply's backoff follows the gateway's state, not its own
	 * bad luck. */
	unsigned send_faults, send_throttles;
	/* Since when (monotonic) the gateway refuses our credentials, 0 when
	 * it takes them: replies are held, and one request asks again every
	 * so often (next_auth_probe). */
	double auth_failing, next_auth_probe, auth_logged;
	bool store_failing; /* stop taking new work until it recovers */

	/* When (monotonic seconds) "last_poll" was last written for
	 * backtalk status; 0 never. */
	double last_poll_saved;

	/* The batch a poll fills; what could not be staged (the store
	 * failed) stays here and is staged before the next poll, because
	 * Infobip will not return it again. */
	struct gateway_batch pending;
	/* Answers of a gateway that hands messages out once (Infobip), kept
	 * on disk (spool.h) until what pending holds of them is staged. */
	char *spool_dir;
	char **kept; /* their file names */
	size_t nkept;
	bool spool_read; /* answers left by an earlier run are read */

	/* Counted over the whole run, reloads included. */
	struct metrics *metrics;
	struct metrics_http *metrics_http; /* NULL when metrics.port is 0 */
};

/* Monotonic seconds, and the wall clock in Unix seconds, by d->clock (the
 * system's when d is NULL). */
double daemon_now(const struct daemon *d);
int64_t daemon_clock(const struct daemon *d);

/* Polls the gateway once and records every new message with its decision.
 * Returns the seconds until the next poll. */
double poller_run(struct daemon *d);
/* What a reply is judged by (decide.h): the running configuration, rules
 * and guard, the store's opt-outs and the gateway's clock offset; shared
 * by the poller and the check-ins. */
struct decide_env;
struct decide_env poller_decide_env(struct daemon *d);

/* Sends due replies from the outbox, within the send rate.  Returns the
 * seconds until it should run again. */
double sender_run(struct daemon *d);
/* Stops the sending thread, records what it sent and puts back what it
 * had not. */
void sender_stop(struct daemon *d);
/* The gateway refused our credentials on a request (what: "poll" or
 * "send"): holds every reply, marks the daemon unhealthy and
 * logs what to check (once, then every few minutes). */
void sender_auth_failed(struct daemon *d, const struct gateway_result *res,
                        const char *what);
/* The gateway took our credentials on a request (answered 2xx, or
 * refused the message itself). */
void sender_gateway_ok(struct daemon *d);

/* Exponential backoff with full jitter: base * 2^attempt capped at cap,
 * then a random point in [half, whole]. */
double daemon_backoff(double base, unsigned attempt, double cap);

#endif
