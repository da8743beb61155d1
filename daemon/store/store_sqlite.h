/* store_sqlite.h: what the files of the SQLite backend share (private to
 * the store).  store_sqlite.c: opening, the schema and its migrations, the
 * prepared statements, transactions, retention; store_sqlite_queue.c: the
 * daemon's inbound and outbound queues, claims, opt-outs and state;
 * store_sqlite_convo.c: conversation states and scheduled check-ins;
 * store_sqlite_admin.c: the operator's tool's queries.  Each file's
 * operations fill one part of the operations table in store_sqlite.c. */
#ifndef BACKTALK_STORE_SQLITE_H
#define BACKTALK_STORE_SQLITE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store_ops.h"

/* The statements prepared at open, by name (their SQL is in
 * store_sqlite.c). */
enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_SEEN,
	ST_INCOMING_ADD,
	ST_INCOMING_NEXT,
	ST_INCOMING_DONE,
	ST_INBOUND_INSERT,
	ST_OPTOUT_UPSERT,
	ST_OPTOUT_CANCEL_PENDING,
	ST_OPTOUT_GET,
	ST_OUTBOX_INSERT,
	ST_NEXT_SENDING,
	ST_NEXT_PENDING,
	ST_OUTBOX_CLAIM,
	ST_OUTBOX_RENEW,
	ST_OUTBOX_ADOPT,
	ST_OUTBOX_SENT,
	ST_OUTBOX_RETRY,
	ST_OUTBOX_FAILED,
	ST_OUTBOX_CANCEL,
	ST_OUTBOX_RELEASE,
	ST_OUTBOX_REQUEUE,
	ST_CLAIMED,
	ST_RECENT_REPLIES,
	ST_RECENT_SAME,
	ST_STATE_GET,
	ST_STATE_SET,
	ST_RETAIN_INBOUND,
	ST_RETAIN_OUTBOX,
	ST_COUNTS,
	ST_OUTBOX_DEPTH,
	ST_WORK_SENDING,
	ST_WORK_FRESH,
	ST_WORK_LATER,
	ST_OUTBOX_SHIFT,
	ST_CONVO_GET,
	ST_CONVO_SET,
	ST_SCHED_CANCEL_NUMBER,
	ST_SCHED_INSERT,
	ST_SCHED_CLAIM,
	ST_SCHED_SETTLE,
	ST_SCHED_DEFER,
	ST_SCHED_ADOPT,
	ST_OUTBOX_INSERT_ID,
	ST_RETAIN_CONVO,
	ST_CONVO_EVENT_INSERT,
	ST_RETAIN_CONVO_EVENT,
	ST_CONVO_WAITING,
	ST_CONVO_EXPIRE,
	ST_COUNT
};

struct store_sqlite {
	struct store base;
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
	/* Inside store_batch_begin() .. store_batch_commit(): each write
	 * is a savepoint of the one open transaction. */
	bool batch;
	/* The daemon's lock on PATH.lock (store_open_daemon), or -1. */
	int lock_fd;
	/* The flood guard's memory, kept here (store_guard_reset). */
	struct counts *guard;
};

static inline struct store_sqlite *
store_sqlite_of(struct store *st)
{
	return (struct store_sqlite *)st;
}

static inline const struct store_sqlite *
store_sqlite_cof(const struct store *st)
{
	return (const struct store_sqlite *)st;
}

/* The backend's open (store_backend.open). */
int store_sqlite_open(const char *path, const struct store_how *how,
                      struct store **ret, char *err, size_t errlen);

/* Columns read into a struct store_outbox_item, in this order (the
 * statements in store_sqlite.c and the reader in store_sqlite_queue.c). */
#define STORE_SQLITE_ITEM_COLUMNS                                              \
	"id, inbound_id, to_number, from_number, body, attempts, created_at, " \
	"sending_since, state, urgency, (SELECT category FROM inbound i "      \
	"WHERE i.gateway = outbox.inbound_gateway AND i.id = "                 \
	"outbox.inbound_id), (SELECT received_at FROM inbound i "              \
	"WHERE i.gateway = outbox.inbound_gateway AND i.id = "                 \
	"outbox.inbound_id)"

/* Errors: st->base.err, for store_error().  dberr records the
 * connection's last error under `what` and returns -1. */
void store_sqlite_seterr(struct store_sqlite *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int store_sqlite_dberr(struct store_sqlite *st, const char *what);
/* A bind failed: records it, resets the statement, returns -1. */
int store_sqlite_binderr(struct store_sqlite *st, enum stmt which,
                         const char *what);

int store_sqlite_bind_text(sqlite3_stmt *s, int i, const char *v);
int store_sqlite_bind_int64(sqlite3_stmt *s, int i, int64_t v);
/* A copy of a text column (NULL for NULL; *oom set when out of memory). */
char *store_sqlite_column_strdup(sqlite3_stmt *s, int col, bool *oom);
/* Makes a cached statement ready for its next use. */
void store_sqlite_done(sqlite3_stmt *s);
/* Runs a prepared statement that returns no rows.  0 or -1. */
int store_sqlite_exec(struct store_sqlite *st, enum stmt which,
                      const char *what);

/* One write's transaction: its own, or a savepoint inside a batch. */
int store_sqlite_tx_begin(struct store_sqlite *st);
void store_sqlite_tx_rollback(struct store_sqlite *st);
int store_sqlite_tx_commit(struct store_sqlite *st);

/* store_sqlite_queue.c */
int store_sqlite_queue_seen(struct store *base, const char *gateway,
                            const char *id);
int store_sqlite_queue_incoming_add(struct store *base,
                                    const struct store_inbound *in);
int store_sqlite_queue_incoming_next(struct store *base, size_t max,
                                     struct store_staged *items, size_t *ret_n);
enum store_record_result
store_sqlite_queue_record(struct store *base, const struct store_inbound *in,
                          const struct store_decision *dec);
int store_sqlite_queue_outbox_due(struct store *base, int64_t now, size_t max,
                                  struct store_outbox_item *items,
                                  size_t *ret_n);
int store_sqlite_queue_outbox_work(struct store *base, int64_t now,
                                   int64_t settled_before, bool ahead_too,
                                   size_t max, struct store_outbox_item *items,
                                   size_t *ret_n);
int store_sqlite_queue_outbox_shift(struct store *base, int64_t delta,
                                    int64_t before);
int store_sqlite_queue_outbox_claim(struct store *base, int64_t id, int64_t now,
                                    int64_t lease_until);
int store_sqlite_queue_outbox_renew(struct store *base, int64_t lease_until);
int store_sqlite_queue_outbox_sent(struct store *base, int64_t id,
                                   const char *message_id, int64_t now);
int store_sqlite_queue_outbox_retry(struct store *base, int64_t id,
                                    int64_t next_at, const char *error);
int store_sqlite_queue_outbox_requeue(struct store *base, int64_t id,
                                      int64_t next_at, const char *error,
                                      bool counted);
int store_sqlite_queue_outbox_failed(struct store *base, int64_t id,
                                     const char *code, const char *error,
                                     int64_t now);
int store_sqlite_queue_outbox_cancel(struct store *base, int64_t id,
                                     const char *why);
int store_sqlite_queue_outbox_release(struct store *base, int64_t id);
int store_sqlite_queue_outbox_claimed(struct store *base,
                                      const char *message_id, int64_t except);
int store_sqlite_queue_optout_set(struct store *base, const char *number,
                                  bool opted_out, const char *source,
                                  int64_t now);
int store_sqlite_queue_is_opted_out(struct store *base, const char *number);
int store_sqlite_queue_recent_replies(struct store *base, const char *number,
                                      int64_t since, int64_t *ret_count);
int store_sqlite_queue_recent_same_reply(struct store *base, const char *number,
                                         const char *body, int64_t since);
int store_sqlite_queue_guard_reset(struct store *base, unsigned window_s,
                                   size_t max_keys);
int store_sqlite_queue_guard_get(struct store *base, uint64_t key, int64_t now,
                                 struct counts_memo *ret);
int store_sqlite_queue_guard_put(struct store *base, uint64_t key,
                                 const struct counts_memo *m);
int store_sqlite_queue_state_get(struct store *base, const char *key, char *buf,
                                 size_t len);
int store_sqlite_queue_state_set(struct store *base, const char *key,
                                 const char *value);
int store_sqlite_queue_counts(struct store *base, struct store_counts *ret);
int store_sqlite_queue_outbox_depth(struct store *base, int64_t *ret,
                                    int64_t *oldest);

/* store_sqlite_convo.c */
int store_sqlite_convo_get(struct store *base, const char *number, char *buf,
                           size_t len);
int store_sqlite_convo_set(struct store *base, const char *number,
                           const char *state, int64_t now);
int store_sqlite_convo_waiting(struct store *base, int64_t before, size_t max,
                               int (*fn)(void *arg, const char *number,
                                         const char *state),
                               void *arg);
int store_sqlite_convo_expire(struct store *base, const char *number,
                              const char *was, const char *state,
                              const struct store_convo_event *ev, size_t nev,
                              int64_t now);
/* What store_record does for a decision's conversation parts (the state,
 * cancelling and scheduling check-ins), inside its transaction.  0 or
 * -1. */
int store_sqlite_convo_record(struct store_sqlite *st,
                              const struct store_inbound *in,
                              const struct store_decision *dec);
/* Cancels every check-in of number not yet sent, claimed ones too (a
 * STOP, an opt-out), inside the caller's transaction.  0 or -1. */
int store_sqlite_convo_cancel(struct store_sqlite *st, const char *number,
                              const char *why, int64_t now);
int store_sqlite_convo_scheduled_claim(struct store *base, int64_t now,
                                       int64_t lease_until, size_t max,
                                       struct store_scheduled *items,
                                       size_t *ret_n);
int store_sqlite_convo_scheduled_send(struct store *base,
                                      const struct store_scheduled *it,
                                      const char *body, int urgency,
                                      const char *state,
                                      const struct store_convo_event *events,
                                      size_t nevents, int64_t now);
int store_sqlite_convo_scheduled_cancel(struct store *base, int64_t id,
                                        const char *why, int64_t now);
int store_sqlite_convo_scheduled_defer(struct store *base, int64_t id,
                                       int64_t due_at);

/* store_sqlite_admin.c */
int store_sqlite_admin_status(struct store *base, struct store_status *ret);
int store_sqlite_admin_failures(struct store *base, int64_t since, size_t max,
                                int (*fn)(void *arg,
                                          const struct store_failure *f),
                                void *arg);
int store_sqlite_admin_optouts(struct store *base,
                               int (*fn)(void *arg,
                                         const struct store_optout *o),
                               void *arg);
int store_sqlite_admin_number_form(struct store *base, const char *number,
                                   char *buf, size_t len);
int
store_sqlite_admin_history(struct store *base, const char *number, size_t max,
                           int (*fn)(void *arg, const struct store_event *e),
                           void *arg);
int store_sqlite_admin_stats(struct store *base, int64_t since,
                             int (*fn)(void *arg, const char *what,
                                       const char *name, int64_t count),
                             void *arg, struct store_stats *ret);
int store_sqlite_admin_outbox_list(
    struct store *base, const struct store_outbox_filter *f, size_t max,
    int (*fn)(void *arg, const struct store_outbox_row *r), void *arg);
int store_sqlite_admin_outbox_operator_retry(
    struct store *base, const struct store_outbox_filter *f, int64_t now,
    int64_t *selected, int64_t *changed);
int store_sqlite_admin_outbox_operator_cancel(
    struct store *base, const struct store_outbox_filter *f, int64_t now,
    int64_t *selected, int64_t *changed);
int store_sqlite_admin_decided(struct store *base, int64_t since, size_t max,
                               int (*fn)(void *arg,
                                         const struct store_decided *m),
                               void *arg);

#endif
