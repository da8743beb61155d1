/* A daemon for the poller's, the sender's and the decision's unit tests
 * (test_poller.c, test_sender.c, test_decide.c): a real state database
 * in a temporary directory, a fake gateway whose every answer the test
 * scripts, small rules, and a clock the test drives (struct daemon_time).
 * Test code only. */
#ifndef BACKTALK_DAEMONTEST_H
#define BACKTALK_DAEMONTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon.h"

#define DT_MAX 16

struct dt;

/* What one poll of the fake gateway answers.  msgs are "id|from|body"
 * ("id|from|" with no body: unreadable). */
struct dt_poll {
	enum gateway_status status;
	long http_status, retry_after_s;
	int64_t date; /* its Date header; 0 none */
	bool more, closed;
	const char *msgs[8];
	size_t count; /* > 0: that many generated messages instead */
	/* Hands the page to the daemon's sink inside the poll (as drivers
	 * reading several pages do), then heals the table named (dt_heal). */
	bool flush;
	const char *heal;
};

/* What the fake gateway does: read by its poll, send and find_sent (send
 * runs on the sending thread: the test changes nothing while replies are
 * in the queue). */
struct dt_script {
	struct dt_poll polls[DT_MAX];
	size_t npolls, polled;
	size_t calls;  /* polls made, scripted or not */
	struct dt *dt; /* for dt_poll.heal */
	/* The outcome of each send in turn; the last one repeats. */
	struct gateway_result sends[DT_MAX];
	size_t nsends, sent;
	char sent_to[DT_MAX][32], sent_body[DT_MAX][256];
	/* What find_sent answers (1, 0 or -1, res for -1 and 1). */
	int find_rc;
	struct gateway_result find_res;
	size_t finds;
};

struct dt {
	char *dir, *path;
	struct config cfg;
	struct dconf conf; /* d.conf: cfg, the test rules, the fake gateway */
	struct daemon d;
	struct dt_script gw;
	double mono;      /* the clock: monotonic seconds */
	double mono_step; /* added at each reading */
	int64_t wall;     /* wall clock, Unix seconds */
};

/* A daemon on a fresh database with the test rules (dt_rules), clocks at
 * mono 1000 s and wall 1,800,000,000, no send rate limit, no spool;
 * t->conf.gw is the fake gateway, scripted by t->gw. */
struct dt *dt_new(void);
void dt_free(struct dt *t);

/* The test rules' texts. */
extern const char dt_reply_form[];  /* "deadlift" or FORM: a tip */
extern const char dt_reply_cauda[]; /* "bladder": an emergency */
extern const char dt_reply_stop[], dt_reply_help[], dt_reply_menu[];
extern const char dt_reply_stop_emergency[];

/* A poll result: status and up to 8 "id|from|body" messages. */
struct dt_poll *dt_poll_add(struct dt *t, enum gateway_status status);
/* A send outcome, in turn. */
struct gateway_result *dt_send_add(struct dt *t, enum gateway_status status);

/* Starts the sending thread (its own fake gateway, on the same script). */
void dt_sendq(struct dt *t);
/* Waits (at most 10 s) for the thread to have n outcomes ready. */
void dt_wait_outcomes(struct dt *t, size_t n);
/* sender_run, then waits for the thread to make expect sends, then runs
 * sender_run until every outcome is recorded; returns its last delay. */
double dt_send_turn(struct dt *t, size_t expect);

/* Records an inbound message id from `from` with a reply body at the
 * given urgency, as the poller would; returns the outbox row id. */
int64_t dt_reply(struct dt *t, const char *id, const char *from,
                 const char *body, int urgency);
/* The same for a message of the given category ("stop", ...). */
int64_t dt_reply_as(struct dt *t, const char *id, const char *from,
                    const char *body, const char *category, int urgency);

/* An outbox row as the operator's tool sees it. */
struct dt_row {
	char state[16], error_code[32];
	int attempts;
	int64_t next_attempt_at;
};
void dt_row(struct dt *t, int64_t id, struct dt_row *ret);
/* Fails the test unless outbox row id is in that state. */
void dt_expect_state(struct dt *t, int64_t id, const char *state);
/* The note recorded with inbound message id from `from` ("" none), and
 * its category; fails the test when the message is not recorded. */
void dt_inbound(struct dt *t, const char *from, const char *id, char *note,
                size_t notelen, char *category, size_t catlen);
/* Counts: inbound recorded, staged, opted-out numbers. */
struct store_counts dt_counts(struct dt *t);

/* Makes the database refuse writes to table (a trigger raising an error,
 * on a connection of the test's own) until dt_heal. */
void dt_break(struct dt *t, const char *table);
void dt_heal(struct dt *t, const char *table);

#endif
