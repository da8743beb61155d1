/* Durable state: inbound messages keyed by gateway id, the reply outbox,
 * opt-outs and a little daemon state.  Callers see only this interface;
 * store.c picks a backend from the location string given to the open
 * functions and calls it through its operations table (store_ops.h).  The
 * SQLite backend is store_sqlite*.c; another (PostgreSQL, for several
 * daemons sharing state) adds a table of its own and a scheme.
 *
 * Delivery model: a poll first stages each fetched message with
 * store_incoming_add(), so it is on disk before anything else happens.
 * store_incoming_next() hands staged messages back oldest first, and
 * store_record() writes the inbound message, the decision
 * and (when there is one to send) the outbox row in one transaction.  The
 * sender reads due rows with store_outbox_work(), claims each with
 * store_outbox_claim() before calling the gateway (one atomic step that
 * names this handle as the row's owner until a lease runs out, so that two
 * daemons never hold the same row), and records the outcome.  A row found
 * still "sending" after a crash is reconciled with the gateway before it
 * is sent again. */
#ifndef BACKTALK_STORE_H
#define BACKTALK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counts.h"

struct store;

struct store_inbound {
	const char *gateway; /* "twilio", "infobip", "console" */
	const char *id;      /* the gateway's message id */
	const char *from;
	const char *to;
	const char *body;
	int64_t sent_at;     /* from the gateway, 0 when unknown */
	int64_t received_at; /* when we saw it */
	int64_t staged_seq;  /* for store_record: its staged row, or 0 */
};

enum store_action {
	STORE_ACTION_REPLY, /* an outbox row is created */
	STORE_ACTION_NONE,  /* recorded, nothing to send */
};

struct store_decision {
	const char *category; /* "urgent", "stop", "fallback", ... */
	const char *topic;    /* NULL when none */
	const char *rule;     /* NULL for built-ins */
	enum store_action action;
	const char *reply;      /* for STORE_ACTION_REPLY */
	const char *reply_from; /* our number or sender id, may be NULL */
	const char *note;       /* why nothing is sent ("opted out", "too old",
	                           "flood guard"), NULL otherwise */
	/* Opt-out change to record in the same transaction: +1 opts the
	 * sender out, -1 opts back in, 0 leaves it. */
	int optout_change;
	/* How soon the reply must go out: 2 emergency, 1 urgent, 0 the
	 * rest.  The outbox sends the most urgent first. */
	int urgency;
	/* Conversations.  With STORE_ACTION_REPLY, more[0 .. nmore) are
	 * further outbox rows after the reply, in order (a conversation's
	 * question).  convo_state, unless NULL, becomes the sender's
	 * conversation state (store_convo_get).  cancel_scheduled cancels
	 * every check-in of the sender not yet sent (a STOP; opting out
	 * does it too), and schedule, unless NULL, schedules one in place
	 * of the sender's pending ones (a newer report).  All in the same
	 * transaction as the message. */
	const char *const *more;
	size_t nmore;
	const char *convo_state;
	bool cancel_scheduled;
	const struct store_schedule *schedule;
	/* What happened to the sender's conversations (store_convo_event),
	 * recorded with the message. */
	const struct store_convo_event *events;
	size_t nevents;
};

/* What happened to a conversation, for the outcome figures: never the
 * person's words, only names from the rules. */
struct store_convo_event {
	const char *convo;  /* its id in the rules */
	bool checkin;       /* begun by the scheduler */
	const char *event;  /* "started", "answered", "finished", "expired",
	                       "gave_up", "interrupted" */
	const char *step;   /* the step asked or answered, may be NULL */
	const char *answer; /* the option's outcome ("better") or where it
	                       leads, "stop" or "red_flag", may be NULL */
};

/* A check-in to schedule: conversation `convo` (its id in the rules),
 * due at due_at, under generation gen of the number's state. */
struct store_schedule {
	const char *convo;
	uint32_t gen;
	int64_t due_at;
};

enum store_record_result {
	STORE_RECORDED = 1,
	STORE_DUPLICATE = 0, /* this gateway id was recorded before */
	STORE_ERROR = -1,
};

enum store_outbox_state {
	STORE_OUTBOX_PENDING,
	STORE_OUTBOX_SENDING,
	STORE_OUTBOX_SENT,
	STORE_OUTBOX_FAILED,
	STORE_OUTBOX_CANCELLED, /* e.g. the recipient opted out meanwhile */
};

struct store_outbox_item {
	int64_t id;
	char *inbound_id;
	char *to;
	char *from;
	char *body;
	int attempts;
	int64_t created_at;
	int64_t sending_since; /* when a previous attempt began; 0 if none */
	enum store_outbox_state state;
	int urgency;         /* as store_decision's */
	char *category;      /* its message's category */
	int64_t received_at; /* when its message was received */
};

struct store_counts {
	int64_t inbound, replies_sent, replies_failed, outbox_pending, optouts;
	int64_t staged; /* fetched, not yet decided */
};

/* A staged message, as store_incoming_next() returns it (strings owned;
 * free with store_staged_free). */
struct store_staged {
	char *gateway, *id, *from, *to, *body;
	int64_t sent_at, received_at;
	int64_t seq; /* the staged row */
};

/* Locations: "sqlite:///var/lib/backtalk/state.db" (the SQLite backend,
 * the file after "sqlite://"), or a bare path, which is SQLite's.  Any
 * other "scheme://" is refused, naming the scheme. */

/* Whether location names a backend this build has.  0, or -1 and err
 * filled (the scheme named). */
int store_location_check(const char *location, char *err, size_t errlen);
/* The local file a location names (for "sqlite://" and a bare path; a
 * pointer into location), or NULL when its backend has none: the daemon
 * keeps files of its own beside it. */
const char *store_location_file(const char *location);

/* Opens or creates the store at location, bringing its schema up to date,
 * as the one daemon that owns it.  The SQLite backend makes the file mode
 * 0600 and first refuses a directory owned by another user than this
 * process's (or root) or writable by group or others, and files beside the
 * database that another user owns, that group or others can write, or
 * that are not regular files; one that group or others can read is a
 * warning in warn (every warning, joined by "; "), or with strict
 * refused.  Then it takes an exclusive lock (a file beside the database),
 * held until store_close: a second store_open_daemon of the same database
 * fails, naming the pid of the process holding it; rows a previous daemon
 * left claimed are then this one's to reconcile.  store_open_existing()
 * takes no lock and checks no owner.  On failure returns -1 and fills
 * err. */
int store_open_daemon(const char *location, bool strict, struct store **ret,
                      char *warn, size_t warnlen, char *err, size_t errlen);
/* store_open_daemon() without strict and without the warnings: for tests
 * and tools that make a store of their own. */
int store_open(const char *location, struct store **ret, char *err,
               size_t errlen);
void store_close(struct store *st);
/* The last error, for the log. */
const char *store_error(const struct store *st);
/* Work units the backend counts for the store's statements since it was
 * opened (SQLite: VM steps): what a call costs, counted rather than
 * timed, for the tests that check a call does not grow with the backlog. */
int64_t store_cost(const struct store *st);
/* This handle's owner name, as recorded on the rows it claims: the host,
 * the process id, and a part that differs per handle and per start. */
const char *store_owner(const struct store *st);

/* Batches: between store_batch_begin() and store_batch_commit() every
 * write below joins one transaction, so a batch costs one sync to disk.
 * A write that fails inside a batch undoes only itself; a commit that
 * fails undoes the whole batch (the caller does it all again).  Without a
 * batch, each write is its own transaction. */
int store_batch_begin(struct store *st);
int store_batch_commit(struct store *st);
void store_batch_rollback(struct store *st);

/* Whether a gateway id has been recorded. 1 yes, 0 no, -1 error. */
int store_seen(struct store *st, const char *gateway, const char *id);
/* Stages a fetched message.  Returns 1 when staged, 0 when it was recorded
 * before (and is not staged), -1.  A message staged twice is recorded once:
 * store_record() of the second finds the first. */
int store_incoming_add(struct store *st, const struct store_inbound *in);
/* Up to max staged messages, oldest first (by sent_at, then the order
 * they were staged in).  0 and *ret_n set, or -1. */
int store_incoming_next(struct store *st, size_t max,
                        struct store_staged *items, size_t *ret_n);
void store_staged_free(struct store_staged *m);
/* Records a message with its decision and takes its staged row
 * (in->staged_seq) out, in one transaction. */
enum store_record_result store_record(struct store *st,
                                      const struct store_inbound *in,
                                      const struct store_decision *dec);

/* Up to max outbox rows to work on (for tests and tools: whoever holds
 * them): rows left "sending" by a crash first, then pending rows due at `now`,
 * most urgent first and oldest first within an urgency.  Fills items (free each
 * with store_outbox_item_free) and *ret_n; 0 or -1. */
int store_outbox_due(struct store *st, int64_t now, size_t max,
                     struct store_outbox_item *items, size_t *ret_n);
/* The sender's queue: up to max rows, most urgent first and oldest first
 * within an urgency (by row id, whatever the wall clock did): pending
 * rows due at `now`, and rows left "sending" whose attempt began at or
 * before settled_before (0: none, for a sender with replies of its own in
 * flight) or, when ahead_too, after `now` (recorded by a clock that was
 * ahead).  A row left "sending" that must wait holds back no other.
 * Fills items and *ret_n; 0 or -1. */
int store_outbox_work(struct store *st, int64_t now, int64_t settled_before,
                      bool ahead_too, size_t max,
                      struct store_outbox_item *items, size_t *ret_n);
/* The wall clock stepped by delta seconds from `before`: moves the times
 * recorded on live rows (when a retry is due, when an attempt began) by
 * as much, so that a wait keeps its length; a row due before the step
 * stays due.  0 or -1. */
int store_outbox_shift(struct store *st, int64_t delta, int64_t before);
/* The first of store_outbox_due(): 1 and *ret filled, 0 none, -1. */
int store_outbox_next(struct store *st, int64_t now,
                      struct store_outbox_item *ret);
/* Claims a row to send, in one atomic step, before the gateway call: a
 * pending row due at now, or a row left "sending" that no owner holds,
 * that this handle holds, or whose lease ran out by now, becomes
 * "sending" (attempts + 1, its attempt begun at now) under this handle's
 * owner name until lease_until.  1 claimed, 0 not (another owner holds it
 * under a live lease, or it is no longer due, or it is settled), -1. */
int store_outbox_claim(struct store *st, int64_t id, int64_t now,
                       int64_t lease_until);
/* Extends to lease_until the lease of every row this handle holds while
 * their sends are still in flight.  0 or -1. */
int store_outbox_renew(struct store *st, int64_t lease_until);
/* Outcomes.  Each also ends the row's claim (no owner, no lease). */
int store_outbox_sent(struct store *st, int64_t id, const char *message_id,
                      int64_t now);
/* Transient failure that may have reached the gateway: due again at
 * next_at, and looked up (from sending_since) before it is sent again. */
int store_outbox_retry(struct store *st, int64_t id, int64_t next_at,
                       const char *error);
/* A transient failure the gateway surely did not act on (no connection,
 * 429, 401...): due again at next_at, sent then without a lookup first
 * (sending_since cleared); the attempt is given back unless counted. */
int store_outbox_requeue(struct store *st, int64_t id, int64_t next_at,
                         const char *error, bool counted);
/* Permanent failure, with the gateway's error code. */
int store_outbox_failed(struct store *st, int64_t id, const char *code,
                        const char *error, int64_t now);
int store_outbox_cancel(struct store *st, int64_t id, const char *why);
/* Undoes store_outbox_claim() for a row that was never sent (the daemon
 * stopped first): pending again, with its attempt uncounted. */
int store_outbox_release(struct store *st, int64_t id);
void store_outbox_item_free(struct store_outbox_item *it);
/* Whether a gateway message id is recorded for an outbox row other than
 * `except` (so a lookup that found it found another reply).  1, 0, -1. */
int store_outbox_claimed(struct store *st, const char *message_id,
                         int64_t except);

/* Conversations: the state of a number's conversation
 * (convo_state_format's text) and its scheduled check-ins.
 *
 * store_convo_get copies the number's state into buf: 1, 0 when it has
 * none, -1.  store_convo_set keeps one outside store_record (tests and
 * tools): 0 or -1. */
int store_convo_get(struct store *st, const char *number, char *buf,
                    size_t len);
int store_convo_set(struct store *st, const char *number, const char *state,
                    int64_t now);
/* The sweep for expired conversations.  store_convo_waiting calls fn for
 * up to max states that may wait for an answer (any but "c0 ...") left
 * unchanged since before `before`, oldest first, by an index of those
 * alone; fn returns 0 to go on (it must not write to the store: collect,
 * then expire).  0 or -1.  store_convo_expire replaces number's state
 * `was` by `state` and records the events, in one transaction, unless a
 * message changed the state meanwhile: 1 written, 0 not, -1. */
int store_convo_waiting(struct store *st, int64_t before, size_t max,
                        int (*fn)(void *arg, const char *number,
                                  const char *state),
                        void *arg);
int store_convo_expire(struct store *st, const char *number, const char *was,
                       const char *state, const struct store_convo_event *ev,
                       size_t nev, int64_t now);

/* A claimed check-in (strings owned; free with store_scheduled_free). */
struct store_scheduled {
	int64_t id;
	char *number, *from, *convo;
	uint32_t gen;
	int64_t due_at;
	char *inbound_gateway, *inbound_id; /* the report it follows */
};
void store_scheduled_free(struct store_scheduled *it);
/* Claims up to max check-ins due at now for this handle until
 * lease_until, in one atomic step: pending ones, and claimed ones no live
 * lease holds (this handle settles each it claimed before claiming
 * again).  Oldest due
 * first.  0 and *ret_n set, or -1. */
int store_scheduled_claim(struct store *st, int64_t now, int64_t lease_until,
                          size_t max, struct store_scheduled *items,
                          size_t *ret_n);
/* Sends a claimed check-in, in one transaction: its prompt (body, from,
 * urgency) becomes an outbox row for it->number that shares its report's
 * message, state (unless NULL) the number's conversation state, the
 * events (its start, and an expired question it replaces) are recorded,
 * and the check-in is marked sent.  When the number has opted out meanwhile, or
 * the check-in is no longer this handle's (cancelled by a STOP, or taken
 * by another after the lease ran out), nothing is written.  1 queued, 0
 * not, -1. */
int store_scheduled_send(struct store *st, const struct store_scheduled *it,
                         const char *body, int urgency, const char *state,
                         const struct store_convo_event *events, size_t nevents,
                         int64_t now);
/* Cancels a claimed check-in (stale: a newer report or another
 * conversation), why in its note.  1 cancelled, 0 not this handle's, -1. */
int store_scheduled_cancel(struct store *st, int64_t id, const char *why,
                           int64_t now);
/* Gives a claimed check-in back, pending again and due at due_at (later
 * for quiet hours; its own due time when the daemon stops).  1, 0 not
 * this handle's, -1. */
int store_scheduled_defer(struct store *st, int64_t id, int64_t due_at);

/* Opt-outs. */
int store_optout_set(struct store *st, const char *number, bool opted_out,
                     const char *source, int64_t now);
/* 1 opted out, 0 not, -1 error. */
int store_is_opted_out(struct store *st, const char *number);

/* Replies recorded for number since `since` (for the flood guard), and
 * whether the same reply text went to it since then. */
int store_recent_replies(struct store *st, const char *number, int64_t since,
                         int64_t *ret_count);
int store_recent_same_reply(struct store *st, const char *number,
                            const char *body, int64_t since);

/* The flood guard's memory (engine/guard.c decides, the store keeps):
 * per key (a hash of a sender, or of a sender and a red-flag reply), its
 * counts in the current window, so that daemons sharing a store can share
 * them.  The SQLite backend keeps them in this handle's memory.
 * store_guard_reset() forgets them all and sets how long a window is and
 * about how many keys to hold at most (the oldest looked at are forgotten
 * first).  store_guard_get() fills *ret (all zero for a key not known)
 * and makes room for it; store_guard_put() keeps what the check made of
 * it.  0 or -1. */
int store_guard_reset(struct store *st, unsigned window_s, size_t max_keys);
int store_guard_get(struct store *st, uint64_t key, int64_t now,
                    struct counts_memo *ret);
int store_guard_put(struct store *st, uint64_t key,
                    const struct counts_memo *m);

/* Small key/value state ("last_poll", "twilio_since"). */
int store_state_get(struct store *st, const char *key, char *buf, size_t len);
int store_state_set(struct store *st, const char *key, const char *value);

/* Deletes message bodies (inbound and outbox) older than `before`, keeping
 * the rows and counts, the conversation states left idle since then
 * with no check-in to come and the conversation events older than that
 * (they hold no text), then compacts the storage so that no cleared text
 * survives in it.  Returns rows cleared or -1. */
int64_t store_retention(struct store *st, int64_t before);
int store_counts(struct store *st, struct store_counts *ret);
/* Replies pending or being sent, found by the outbox's queue index (only
 * the waiting rows are read): cheap enough for every metrics scrape.  0
 * and *ret set (and *oldest, unless NULL: when the oldest of them was
 * decided, 0 when none waits), or -1. */
int store_outbox_depth(struct store *st, int64_t *ret, int64_t *oldest);

/* The operator's tool.  It works on the store of a running backtalkd:
 * reads run beside the daemon's writes, and its few writes are short
 * transactions. */

/* Opens an existing store for the operator's tool: never creates it and
 * never changes the schema (a store whose schema version is not this
 * build's is refused).  Read-only unless writable.  On failure returns -1
 * and fills err; ret_errno (may be NULL) gets errno when the store itself
 * could not be opened (ENOENT, EACCES), else 0. */
int store_open_existing(const char *location, bool writable, struct store **ret,
                        int *ret_errno, char *err, size_t errlen);

/* What `backtalk status` shows, counted in one read transaction. */
struct store_status {
	int64_t inbound, staged, optouts;
	int64_t outbox[STORE_OUTBOX_CANCELLED + 1]; /* by state */
	int64_t oldest_pending; /* created_at of the oldest pending or
	                           sending reply; 0 when none */
};
int store_status(struct store *st, struct store_status *ret);

/* A reply that failed for good. */
struct store_failure {
	int64_t id, failed_at;
	const char *to, *error_code, *error; /* may be NULL */
};
/* Calls fn for each reply failed at or after since, newest first, at most
 * max of them.  fn returns 0 to go on.  0 or -1. */
int store_failures(struct store *st, int64_t since, size_t max,
                   int (*fn)(void *arg, const struct store_failure *f),
                   void *arg);

struct store_optout {
	const char *number, *source;
	int64_t updated_at;
};
/* Calls fn for each opted-out number, oldest opt-out first.  0 or -1. */
int store_optouts(struct store *st,
                  int (*fn)(void *arg, const struct store_optout *o),
                  void *arg);
/* The form in which number is recorded (inbound senders and opt-outs),
 * with or without a leading '+': Infobip writes numbers without it.
 * 1 and buf filled, 0 not recorded, -1 error. */
int store_number_form(struct store *st, const char *number, char *buf,
                      size_t len);

/* One line of a person's history: an inbound message, or a reply. */
struct store_event {
	int64_t at; /* received, or sent / failed / created for a reply */
	bool outbound;
	/* A conversation event (store_convo_event) recorded with message
	 * gateway/id (or with the check-in that followed it): convo, event,
	 * step and answer set, the rest as its message's.  NULL otherwise. */
	const char *convo, *event, *step, *answer;
	const char *gateway, *id; /* the inbound message (for a reply too) */
	const char *category, *topic, *rule; /* topic and rule may be NULL */
	const char *state; /* reply: outbox state; inbound: NULL */
	const char *note;  /* inbound: why nothing was sent; reply: error */
	const char *body;  /* NULL once retention has cleared it */
};
/* Calls fn for each message from number (either form, with or without a
 * leading '+') and each reply to it, in time order, at most max.  0 or -1. */
int store_history(struct store *st, const char *number, size_t max,
                  int (*fn)(void *arg, const struct store_event *e), void *arg);

/* Counts since `since`: inbound messages by category, topic and rule
 * (fn is called with what = "category", "topic" or "rule" and name NULL
 * for "none"), those not answered by why (what = "unanswered", name the
 * reason: "opted out", "too old", "flood guard", "repeat", ...),
 * conversation events but "answered" (what = "conversation", name
 * "<conversation id> <event>"), the ends of check-ins (what = "checkin",
 * name the answer's outcome, "red_flag", "stop", "gave_up" or
 * "no_answer" for one that expired), and the totals below. */
struct store_stats {
	int64_t inbound, replies_sent, replies_failed, replies_cancelled,
	    replies_pending, optouts, optins;
};
int store_stats(struct store *st, int64_t since,
                int (*fn)(void *arg, const char *what, const char *name,
                          int64_t count),
                void *arg, struct store_stats *ret);

/* What `backtalk outbox` selects; the unset parts select every row. */
struct store_outbox_filter {
	int64_t id;         /* 0: any */
	const char *number; /* NULL: any; matched with or without '+' */
	int state;          /* enum store_outbox_state, or -1: any */
};
struct store_outbox_row {
	int64_t id, created_at, next_attempt_at;
	const char *state, *to, *category, *rule, *error_code; /* may be NULL */
	int attempts;
	bool has_body; /* false once retention has cleared the text */
};
const char *store_outbox_state_name(enum store_outbox_state s);
bool store_outbox_state_parse(const char *name, enum store_outbox_state *ret);
/* Calls fn for each row the filter selects, newest first, at most max
 * (0: all).  0 or -1. */
int store_outbox_list(struct store *st, const struct store_outbox_filter *f,
                      size_t max,
                      int (*fn)(void *arg, const struct store_outbox_row *r),
                      void *arg);
/* The operator's retry, in one transaction: of the *selected rows (those
 * the filter selects that failed), the ones whose text is kept and whose
 * number has not opted out go back to pending, due at now with their
 * attempts counted afresh (*changed).  0 or -1. */
int store_outbox_operator_retry(struct store *st,
                                const struct store_outbox_filter *f,
                                int64_t now, int64_t *selected,
                                int64_t *changed);
/* The operator's cancel: the *selected rows (those the filter selects
 * that are pending) are cancelled (*changed); a row being sent is left to
 * its outcome. */
int store_outbox_operator_cancel(struct store *st,
                                 const struct store_outbox_filter *f,
                                 int64_t now, int64_t *selected,
                                 int64_t *changed);

/* An inbound message whose body is still kept, with its decision and the
 * reply recorded for it (NULL when none, or cleared). */
struct store_decided {
	const char *gateway, *id, *body;
	const char *category, *topic, *rule, *reply;
	int64_t received_at;
	int64_t sent_at; /* from the gateway, 0 when unknown */
};
/* Calls fn for each inbound message received at or after since whose body
 * is kept, oldest first, at most max (0: no limit).  0 or -1. */
int store_decided(struct store *st, int64_t since, size_t max,
                  int (*fn)(void *arg, const struct store_decided *m),
                  void *arg);

#endif
