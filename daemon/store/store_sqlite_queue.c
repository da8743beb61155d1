/* store_sqlite_queue.c: the daemon's reads and writes on the SQLite
 * backend: staged and recorded inbound messages, the outbox (the
 * sender's queue, claims with an owner and a lease, outcomes), opt-outs,
 * the flood guard's counts, the daemon's small state and its counts.
 * The statements are prepared at open (store_sqlite.c); see the top of
 * that file for why some are the way they are. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

/* Inbound messages. */

int
store_sqlite_queue_seen(struct store *base, const char *gateway, const char *id)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_SEEN];
	int rc;

	if (store_sqlite_bind_text(s, 1, gateway) ||
	    store_sqlite_bind_text(s, 2, id))
		return store_sqlite_binderr(st, ST_SEEN, "seen");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_sqlite_dberr(st, "seen");
	store_sqlite_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Binds an inbound message's columns as ?1 .. ?7 (gateway, id, from, to,
 * body, sent_at, received_at). */
static int
bind_inbound(sqlite3_stmt *s, const struct store_inbound *in)
{
	return store_sqlite_bind_text(s, 1, in->gateway) ||
	       store_sqlite_bind_text(s, 2, in->id) ||
	       store_sqlite_bind_text(s, 3, in->from) ||
	       store_sqlite_bind_text(s, 4, in->to) ||
	       store_sqlite_bind_text(s, 5, in->body) ||
	       store_sqlite_bind_int64(s, 6, in->sent_at) ||
	       store_sqlite_bind_int64(s, 7, in->received_at);
}

int
store_sqlite_queue_incoming_add(struct store *base,
                                const struct store_inbound *in)
{
	struct store_sqlite *st = store_sqlite_of(base);
	char what[160];

	if (in == NULL || in->gateway == NULL || in->id == NULL) {
		store_sqlite_seterr(st, "stage: no message");
		return -1;
	}
	snprintf(what, sizeof(what), "stage %s message %s", in->gateway,
	         in->id);
	if (bind_inbound(st->stmt[ST_INCOMING_ADD], in))
		return store_sqlite_binderr(st, ST_INCOMING_ADD, what);
	if (store_sqlite_exec(st, ST_INCOMING_ADD, what) < 0)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int
store_sqlite_queue_incoming_next(struct store *base, size_t max,
                                 struct store_staged *items, size_t *ret_n)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_INCOMING_NEXT];
	size_t n = 0;
	bool oom = false;
	int rc = SQLITE_DONE;

	*ret_n = 0;
	if (store_sqlite_bind_int64(s, 1, (int64_t)max))
		return store_sqlite_binderr(st, ST_INCOMING_NEXT, "incoming");
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_staged *m = &items[n++];

		m->gateway = store_sqlite_column_strdup(s, 0, &oom);
		m->id = store_sqlite_column_strdup(s, 1, &oom);
		m->from = store_sqlite_column_strdup(s, 2, &oom);
		m->to = store_sqlite_column_strdup(s, 3, &oom);
		m->body = store_sqlite_column_strdup(s, 4, &oom);
		m->sent_at = sqlite3_column_int64(s, 5);
		m->received_at = sqlite3_column_int64(s, 6);
		m->seq = sqlite3_column_int64(s, 7);
		if (oom)
			break;
	}
	if (oom)
		store_sqlite_seterr(st, "incoming: out of memory");
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_sqlite_dberr(st, "incoming");
	store_sqlite_done(s);
	if (oom || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		while (n > 0)
			store_staged_free(&items[--n]);
		return -1;
	}
	*ret_n = n;
	return 0;
}

/* Sets number's opt-out and, when opting out, cancels its pending replies
 * (see the top of the file).  Inside the caller's transaction. */
static int
optout_apply(struct store_sqlite *st, const char *number, bool opted_out,
             const char *source, int64_t now)
{
	sqlite3_stmt *s = st->stmt[ST_OPTOUT_UPSERT];

	if (store_sqlite_bind_text(s, 1, number) ||
	    store_sqlite_bind_int64(s, 2, opted_out ? 1 : 0) ||
	    store_sqlite_bind_text(s, 3, source) ||
	    store_sqlite_bind_int64(s, 4, now))
		return store_sqlite_binderr(st, ST_OPTOUT_UPSERT, "opt-out");
	if (store_sqlite_exec(st, ST_OPTOUT_UPSERT, "opt-out") < 0)
		return -1;
	if (!opted_out)
		return 0;
	if (store_sqlite_convo_cancel(st, number, "opted out", now) < 0)
		return -1;
	s = st->stmt[ST_OPTOUT_CANCEL_PENDING];
	if (store_sqlite_bind_text(s, 1, number))
		return store_sqlite_binderr(st, ST_OPTOUT_CANCEL_PENDING,
		                            "opt-out: cancel pending replies");
	return store_sqlite_exec(st, ST_OPTOUT_CANCEL_PENDING,
	                         "opt-out: cancel pending replies");
}

enum store_record_result
store_sqlite_queue_record(struct store *base, const struct store_inbound *in,
                          const struct store_decision *dec)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s;
	char what[160];
	bool dup;

	if (in == NULL || dec == NULL || in->gateway == NULL ||
	    in->id == NULL) {
		store_sqlite_seterr(st, "record: no message or no decision");
		return STORE_ERROR;
	}
	snprintf(what, sizeof(what), "record %s message %s", in->gateway,
	         in->id);
	if (dec->action != STORE_ACTION_REPLY &&
	    dec->action != STORE_ACTION_NONE) {
		store_sqlite_seterr(st, "%s: unknown action %d", what,
		                    (int)dec->action);
		return STORE_ERROR;
	}
	if (store_sqlite_tx_begin(st) < 0)
		return STORE_ERROR;

	s = st->stmt[ST_INBOUND_INSERT];
	if (bind_inbound(s, in) ||
	    store_sqlite_bind_text(s, 8, dec->category) ||
	    store_sqlite_bind_text(s, 9, dec->topic) ||
	    store_sqlite_bind_text(s, 10, dec->rule) ||
	    store_sqlite_bind_text(s, 11, dec->note)) {
		store_sqlite_binderr(st, ST_INBOUND_INSERT, what);
		goto fail;
	}
	if (store_sqlite_exec(st, ST_INBOUND_INSERT, what) < 0)
		goto fail;
	dup = sqlite3_changes(st->db) == 0;
	/* Recorded now (or before): no longer waiting in incoming. */
	s = st->stmt[ST_INCOMING_DONE];
	if (in->staged_seq > 0) {
		if (store_sqlite_bind_int64(s, 1, in->staged_seq)) {
			store_sqlite_binderr(st, ST_INCOMING_DONE, what);
			goto fail;
		}
		if (store_sqlite_exec(st, ST_INCOMING_DONE, what) < 0)
			goto fail;
	}
	if (dup)
		return store_sqlite_tx_commit(st) < 0 ? STORE_ERROR
		                                      : STORE_DUPLICATE;

	if (dec->optout_change != 0) {
		char source[160];

		snprintf(source, sizeof(source), "%s:%s", in->gateway, in->id);
		if (optout_apply(st, in->from, dec->optout_change > 0, source,
		                 in->received_at) < 0)
			goto fail;
	}
	if (store_sqlite_convo_record(st, in, dec) < 0)
		goto fail;

	/* The reply, then the conversation's messages after it, in order
	 * (the sender takes rows of one urgency by id). */
	for (size_t i = 0; dec->action == STORE_ACTION_REPLY && i <= dec->nmore;
	     i++) {
		s = st->stmt[ST_OUTBOX_INSERT];
		if (store_sqlite_bind_text(s, 1, in->gateway) ||
		    store_sqlite_bind_text(s, 2, in->id) ||
		    store_sqlite_bind_text(s, 3, in->from) ||
		    store_sqlite_bind_text(s, 4, dec->reply_from) ||
		    store_sqlite_bind_text(
		        s, 5, i == 0 ? dec->reply : dec->more[i - 1]) ||
		    store_sqlite_bind_int64(s, 6, in->received_at) ||
		    store_sqlite_bind_int64(s, 7, dec->urgency)) {
			store_sqlite_binderr(st, ST_OUTBOX_INSERT, what);
			goto fail;
		}
		if (store_sqlite_exec(st, ST_OUTBOX_INSERT, what) < 0)
			goto fail;
	}

	if (store_sqlite_tx_commit(st) < 0)
		return STORE_ERROR;
	return STORE_RECORDED;
fail:
	store_sqlite_tx_rollback(st);
	return STORE_ERROR;
}

/* The outbox. */

/* Reads the current row of an ST_NEXT_* query into *it.  0 or -1. */
static int
outbox_row(struct store_sqlite *st, sqlite3_stmt *s,
           struct store_outbox_item *it)
{
	bool oom = false;

	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(s, 0);
	it->inbound_id = store_sqlite_column_strdup(s, 1, &oom);
	it->to = store_sqlite_column_strdup(s, 2, &oom);
	it->from = store_sqlite_column_strdup(s, 3, &oom);
	it->body = store_sqlite_column_strdup(s, 4, &oom);
	it->attempts = sqlite3_column_int(s, 5);
	it->created_at = sqlite3_column_int64(s, 6);
	it->sending_since = sqlite3_column_int64(s, 7);
	it->urgency = sqlite3_column_int(s, 9);
	it->category = store_sqlite_column_strdup(s, 10, &oom);
	it->received_at = sqlite3_column_int64(s, 11);
	if (!store_outbox_state_parse((const char *)sqlite3_column_text(s, 8),
	                              &it->state)) {
		store_sqlite_seterr(st, "outbox row %" PRId64 ": unknown state",
		                    it->id);
	} else if (oom) {
		store_sqlite_seterr(st, "outbox: out of memory");
	} else {
		return 0;
	}
	store_outbox_item_free(it);
	return -1;
}

/* Runs one of the ST_NEXT_* queries (parameters bound), appending rows to
 * items until *n reaches max.  0 or -1. */
static int
outbox_query(struct store_sqlite *st, enum stmt which,
             struct store_outbox_item *items, size_t max, size_t *n)
{
	sqlite3_stmt *s = st->stmt[which];
	int rc = SQLITE_DONE;

	while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (outbox_row(st, s, &items[*n]) < 0) {
			store_sqlite_done(s);
			return -1;
		}
		(*n)++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_sqlite_dberr(st, "outbox");
		store_sqlite_done(s);
		return -1;
	}
	store_sqlite_done(s);
	return 0;
}

/* Rows left "sending" (when with_sending), then pending rows due at now. */
static int
outbox_due(struct store_sqlite *st, int64_t now, size_t max, bool with_sending,
           struct store_outbox_item *items, size_t *ret_n)
{
	size_t n = 0;
	int rc = 0;

	*ret_n = 0;
	if (max == 0)
		return 0;
	/* Rows left "sending" come first: the sender must settle them with
	 * the gateway before anything else goes out. */
	if (with_sending) {
		if (store_sqlite_bind_int64(st->stmt[ST_NEXT_SENDING], 1,
		                            (int64_t)max))
			return store_sqlite_binderr(st, ST_NEXT_SENDING,
			                            "outbox");
		rc = outbox_query(st, ST_NEXT_SENDING, items, max, &n);
	}
	if (rc == 0 && n < max) {
		if (store_sqlite_bind_int64(st->stmt[ST_NEXT_PENDING], 1,
		                            now) ||
		    store_sqlite_bind_int64(st->stmt[ST_NEXT_PENDING], 2,
		                            (int64_t)(max - n)))
			rc =
			    store_sqlite_binderr(st, ST_NEXT_PENDING, "outbox");
		else
			rc = outbox_query(st, ST_NEXT_PENDING, items, max, &n);
	}
	if (rc < 0) {
		while (n > 0)
			store_outbox_item_free(&items[--n]);
		return -1;
	}
	*ret_n = n;
	return 0;
}

int
store_sqlite_queue_outbox_due(struct store *base, int64_t now, size_t max,
                              struct store_outbox_item *items, size_t *ret_n)
{
	struct store_sqlite *st = store_sqlite_of(base);
	return outbox_due(st, now, max, true, items, ret_n);
}

/* The parts of the sender's queue, each in (urgency DESC, id) order;
 * their rows never overlap. */
static const enum stmt work_parts[] = { ST_WORK_SENDING, ST_WORK_FRESH,
	                                ST_WORK_LATER };
#define WORK_PARTS (sizeof(work_parts) / sizeof(work_parts[0]))

/* Whether the current row of a comes before that of b in the queue. */
static bool
work_before(sqlite3_stmt *a, sqlite3_stmt *b)
{
	int ua = sqlite3_column_int(a, 9), ub = sqlite3_column_int(b, 9);

	if (ua != ub)
		return ua > ub;
	return sqlite3_column_int64(a, 0) < sqlite3_column_int64(b, 0);
}

/* Steps part i; whether it has a row.  -1 on an error. */
static int
work_step(struct store_sqlite *st, size_t i)
{
	int rc = sqlite3_step(st->stmt[work_parts[i]]);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_sqlite_dberr(st, "outbox");
	return -1;
}

/* Merges the parts (parameters bound) into items, up to max rows. */
static int
work_merge(struct store_sqlite *st, size_t max, struct store_outbox_item *items,
           size_t *n)
{
	int live[WORK_PARTS];
	size_t i;

	for (i = 0; i < WORK_PARTS; i++)
		if ((live[i] = work_step(st, i)) < 0)
			return -1;
	while (*n < max) {
		size_t best = WORK_PARTS;

		for (i = 0; i < WORK_PARTS; i++)
			if (live[i] &&
			    (best == WORK_PARTS ||
			     work_before(st->stmt[work_parts[i]],
			                 st->stmt[work_parts[best]])))
				best = i;
		if (best == WORK_PARTS)
			break;
		if (outbox_row(st, st->stmt[work_parts[best]], &items[*n]) < 0)
			return -1;
		(*n)++;
		if ((live[best] = work_step(st, best)) < 0)
			return -1;
	}
	return 0;
}

int
store_sqlite_queue_outbox_work(struct store *base, int64_t now,
                               int64_t settled_before, bool ahead_too,
                               size_t max, struct store_outbox_item *items,
                               size_t *ret_n)
{
	struct store_sqlite *st = store_sqlite_of(base);
	size_t n = 0, i;
	int rc = 0;

	*ret_n = 0;
	if (max == 0)
		return 0;
	for (i = 0; i < WORK_PARTS; i++) {
		sqlite3_stmt *s = st->stmt[work_parts[i]];

		if (store_sqlite_bind_int64(s, 1, now) ||
		    store_sqlite_bind_int64(s, 2, (int64_t)max) ||
		    (work_parts[i] == ST_WORK_SENDING &&
		     (store_sqlite_bind_text(s, 5, st->base.owner) ||
		      store_sqlite_bind_int64(s, 3, settled_before) ||
		      store_sqlite_bind_int64(s, 4, ahead_too))))
			return store_sqlite_binderr(st, work_parts[i],
			                            "outbox");
	}
	rc = work_merge(st, max, items, &n);
	for (i = 0; i < WORK_PARTS; i++)
		store_sqlite_done(st->stmt[work_parts[i]]);
	if (rc < 0) {
		while (n > 0)
			store_outbox_item_free(&items[--n]);
		return -1;
	}
	*ret_n = n;
	return 0;
}

int
store_sqlite_queue_outbox_shift(struct store *base, int64_t delta,
                                int64_t before)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_SHIFT];

	if (store_sqlite_bind_int64(s, 1, delta) ||
	    store_sqlite_bind_int64(s, 2, before))
		return store_sqlite_binderr(st, ST_OUTBOX_SHIFT,
		                            "outbox shift");
	return store_sqlite_exec(st, ST_OUTBOX_SHIFT, "outbox shift");
}

/* Runs an outbox transition whose parameters are bound; fails when the
 * row is missing or already settled. */
static int
outbox_transition(struct store_sqlite *st, enum stmt which, int64_t id,
                  const char *what)
{
	if (store_sqlite_exec(st, which, what) < 0)
		return -1;
	if (sqlite3_changes(st->db) == 0) {
		store_sqlite_seterr(
		    st,
		    "%s: outbox row %" PRId64 " is not pending or "
		    "sending (missing, or already sent, failed or "
		    "cancelled)",
		    what, id);
		return -1;
	}
	return 0;
}

int
store_sqlite_queue_outbox_claim(struct store *base, int64_t id, int64_t now,
                                int64_t lease_until)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_CLAIM];
	int rc;

	if (store_sqlite_bind_int64(s, 1, now) ||
	    store_sqlite_bind_int64(s, 2, id) ||
	    store_sqlite_bind_int64(s, 3, lease_until) ||
	    store_sqlite_bind_text(s, 5, st->base.owner))
		return store_sqlite_binderr(st, ST_OUTBOX_CLAIM,
		                            "outbox claim");
	/* RETURNING: a row comes back when it was taken. */
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_ROW : SQLITE_ERROR;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_sqlite_dberr(st, "outbox claim");
	store_sqlite_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_sqlite_queue_outbox_renew(struct store *base, int64_t lease_until)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_RENEW];

	if (store_sqlite_bind_text(s, 1, st->base.owner) ||
	    store_sqlite_bind_int64(s, 2, lease_until))
		return store_sqlite_binderr(st, ST_OUTBOX_RENEW,
		                            "outbox renew");
	return store_sqlite_exec(st, ST_OUTBOX_RENEW, "outbox renew");
}

int
store_sqlite_queue_outbox_sent(struct store *base, int64_t id,
                               const char *message_id, int64_t now)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_SENT];

	if (store_sqlite_bind_int64(s, 1, id) ||
	    store_sqlite_bind_text(s, 2, message_id) ||
	    store_sqlite_bind_int64(s, 3, now))
		return store_sqlite_binderr(st, ST_OUTBOX_SENT, "outbox sent");
	return outbox_transition(st, ST_OUTBOX_SENT, id, "outbox sent");
}

int
store_sqlite_queue_outbox_retry(struct store *base, int64_t id, int64_t next_at,
                                const char *error)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_RETRY];

	if (store_sqlite_bind_int64(s, 1, id) ||
	    store_sqlite_bind_int64(s, 2, next_at) ||
	    store_sqlite_bind_text(s, 3, error))
		return store_sqlite_binderr(st, ST_OUTBOX_RETRY,
		                            "outbox retry");
	return outbox_transition(st, ST_OUTBOX_RETRY, id, "outbox retry");
}

int
store_sqlite_queue_outbox_failed(struct store *base, int64_t id,
                                 const char *code, const char *error,
                                 int64_t now)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_FAILED];

	if (store_sqlite_bind_int64(s, 1, id) ||
	    store_sqlite_bind_text(s, 2, code) ||
	    store_sqlite_bind_text(s, 3, error) ||
	    store_sqlite_bind_int64(s, 4, now))
		return store_sqlite_binderr(st, ST_OUTBOX_FAILED,
		                            "outbox failed");
	return outbox_transition(st, ST_OUTBOX_FAILED, id, "outbox failed");
}

int
store_sqlite_queue_outbox_cancel(struct store *base, int64_t id,
                                 const char *why)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_CANCEL];

	if (store_sqlite_bind_int64(s, 1, id) ||
	    store_sqlite_bind_text(s, 2, why))
		return store_sqlite_binderr(st, ST_OUTBOX_CANCEL,
		                            "outbox cancel");
	return outbox_transition(st, ST_OUTBOX_CANCEL, id, "outbox cancel");
}

int
store_sqlite_queue_outbox_release(struct store *base, int64_t id)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_RELEASE];

	if (store_sqlite_bind_int64(s, 1, id))
		return store_sqlite_binderr(st, ST_OUTBOX_RELEASE,
		                            "outbox release");
	return outbox_transition(st, ST_OUTBOX_RELEASE, id, "outbox release");
}

int
store_sqlite_queue_outbox_requeue(struct store *base, int64_t id,
                                  int64_t next_at, const char *error,
                                  bool counted)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_REQUEUE];

	if (store_sqlite_bind_int64(s, 1, id) ||
	    store_sqlite_bind_int64(s, 2, next_at) ||
	    store_sqlite_bind_text(s, 3, error) ||
	    store_sqlite_bind_int64(s, 4, counted ? 0 : 1))
		return store_sqlite_binderr(st, ST_OUTBOX_REQUEUE,
		                            "outbox requeue");
	return outbox_transition(st, ST_OUTBOX_REQUEUE, id, "outbox requeue");
}

/* Opt-outs. */

int
store_sqlite_queue_optout_set(struct store *base, const char *number,
                              bool opted_out, const char *source, int64_t now)
{
	struct store_sqlite *st = store_sqlite_of(base);
	if (store_sqlite_tx_begin(st) < 0)
		return -1;
	if (optout_apply(st, number, opted_out, source, now) < 0) {
		store_sqlite_tx_rollback(st);
		return -1;
	}
	return store_sqlite_tx_commit(st);
}

/* Runs a query returning at most one integer.  1 and *ret set, 0 no row,
 * -1 error. */
static int
query_int64(struct store_sqlite *st, enum stmt which, const char *what,
            int64_t *ret)
{
	sqlite3_stmt *s = st->stmt[which];
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		store_sqlite_dberr(st, what);
	store_sqlite_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_sqlite_queue_is_opted_out(struct store *base, const char *number)
{
	struct store_sqlite *st = store_sqlite_of(base);
	int64_t v = 0;
	int rc;

	if (store_sqlite_bind_text(st->stmt[ST_OPTOUT_GET], 1, number))
		return store_sqlite_binderr(st, ST_OPTOUT_GET,
		                            "opt-out lookup");
	rc = query_int64(st, ST_OPTOUT_GET, "opt-out lookup", &v);
	if (rc < 0)
		return -1;
	return rc == 1 && v != 0;
}

int
store_sqlite_queue_outbox_claimed(struct store *base, const char *message_id,
                                  int64_t except)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_CLAIMED];
	int64_t v;

	if (store_sqlite_bind_text(s, 1, message_id) ||
	    store_sqlite_bind_int64(s, 2, except))
		return store_sqlite_binderr(st, ST_CLAIMED, "outbox claimed");
	return query_int64(st, ST_CLAIMED, "outbox claimed", &v);
}

int
store_sqlite_queue_recent_replies(struct store *base, const char *number,
                                  int64_t since, int64_t *ret_count)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_RECENT_REPLIES];
	int64_t n = 0;

	if (store_sqlite_bind_text(s, 1, number) ||
	    store_sqlite_bind_int64(s, 2, since))
		return store_sqlite_binderr(st, ST_RECENT_REPLIES,
		                            "recent replies");
	if (query_int64(st, ST_RECENT_REPLIES, "recent replies", &n) < 0)
		return -1;
	*ret_count = n;
	return 0;
}

int
store_sqlite_queue_recent_same_reply(struct store *base, const char *number,
                                     const char *body, int64_t since)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_RECENT_SAME];
	int64_t v;

	if (store_sqlite_bind_text(s, 1, number) ||
	    store_sqlite_bind_int64(s, 2, since) ||
	    store_sqlite_bind_text(s, 3, body))
		return store_sqlite_binderr(st, ST_RECENT_SAME,
		                            "recent same reply");
	return query_int64(st, ST_RECENT_SAME, "recent same reply", &v);
}

/* The flood guard's memory: in this handle's memory (one daemon owns a
 * SQLite database), in a counts table. */

int
store_sqlite_queue_guard_reset(struct store *base, unsigned window_s,
                               size_t max_keys)
{
	struct store_sqlite *st = store_sqlite_of(base);
	struct counts *c = counts_new(window_s, max_keys);

	if (c == NULL) {
		store_sqlite_seterr(st, "flood guard: out of memory");
		return -1;
	}
	counts_free(st->guard);
	st->guard = c;
	return 0;
}

/* The table, or NULL (and the error) before store_guard_reset. */
static struct counts *
guard_memory(struct store_sqlite *st)
{
	if (st->guard == NULL)
		store_sqlite_seterr(st, "flood guard: not set up "
		                        "(store_guard_reset)");
	return st->guard;
}

int
store_sqlite_queue_guard_get(struct store *base, uint64_t key, int64_t now,
                             struct counts_memo *ret)
{
	struct counts *c = guard_memory(store_sqlite_of(base));

	if (c == NULL)
		return -1;
	counts_get(c, key, now, ret);
	return 0;
}

int
store_sqlite_queue_guard_put(struct store *base, uint64_t key,
                             const struct counts_memo *m)
{
	struct counts *c = guard_memory(store_sqlite_of(base));

	if (c == NULL)
		return -1;
	counts_put(c, key, m);
	return 0;
}

/* Daemon state. */

int
store_sqlite_queue_state_get(struct store *base, const char *key, char *buf,
                             size_t len)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_STATE_GET];
	const unsigned char *v;
	size_t n;
	int rc;

	if (buf == NULL || len == 0) {
		store_sqlite_seterr(st, "state %s: no buffer",
		                    key ? key : "(null)");
		return -1;
	}
	if (store_sqlite_bind_text(s, 1, key))
		return store_sqlite_binderr(st, ST_STATE_GET, "state get");
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		buf[0] = '\0';
		store_sqlite_done(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		store_sqlite_dberr(st, "state get");
		store_sqlite_done(s);
		return -1;
	}
	v = sqlite3_column_text(s, 0);
	n = (size_t)sqlite3_column_bytes(s, 0);
	if (v == NULL || n >= len) {
		store_sqlite_seterr(
		    st, "state %s: value of %zu bytes does not fit", key, n);
		store_sqlite_done(s);
		return -1;
	}
	memcpy(buf, v, n);
	buf[n] = '\0';
	store_sqlite_done(s);
	return 1;
}

int
store_sqlite_queue_state_set(struct store *base, const char *key,
                             const char *value)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_STATE_SET];

	if (store_sqlite_bind_text(s, 1, key) ||
	    store_sqlite_bind_text(s, 2, value))
		return store_sqlite_binderr(st, ST_STATE_SET, "state set");
	return store_sqlite_exec(st, ST_STATE_SET, "state set");
}

/* Counts. */

int
store_sqlite_queue_counts(struct store *base, struct store_counts *ret)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_COUNTS];
	int rc = sqlite3_step(s);

	if (rc != SQLITE_ROW) {
		store_sqlite_dberr(st, "counts");
		store_sqlite_done(s);
		return -1;
	}
	ret->inbound = sqlite3_column_int64(s, 0);
	ret->replies_sent = sqlite3_column_int64(s, 1);
	ret->replies_failed = sqlite3_column_int64(s, 2);
	ret->outbox_pending = sqlite3_column_int64(s, 3);
	ret->optouts = sqlite3_column_int64(s, 4);
	ret->staged = sqlite3_column_int64(s, 5);
	store_sqlite_done(s);
	return 0;
}

int
store_sqlite_queue_outbox_depth(struct store *base, int64_t *ret,
                                int64_t *oldest)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_DEPTH];

	if (sqlite3_step(s) != SQLITE_ROW) {
		store_sqlite_dberr(st, "outbox depth");
		store_sqlite_done(s);
		return -1;
	}
	*ret = sqlite3_column_int64(s, 0);
	if (oldest != NULL)
		*oldest = sqlite3_column_int64(s, 1);
	store_sqlite_done(s);
	return 0;
}
