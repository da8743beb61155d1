/* store_sqlite_convo.c: conversations on the SQLite backend: each
 * number's conversation state, and the check-ins scheduled for later.
 * A check-in is scheduled, replaced or cancelled in the transaction that
 * records the message causing it (store_record), and cancelled in the
 * transaction of an opt-out.  The daemon claims due ones with an owner
 * and a lease, as outbox rows, and sends one by turning it into an outbox
 * row in the same transaction that marks it sent: so a crash at any point
 * leaves it either pending (or claimed, for the next daemon to take) or
 * sent with its prompt queued, never both and never neither.  Errors name
 * row ids, never numbers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

int
store_sqlite_convo_get(struct store *base, const char *number, char *buf,
                       size_t len)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_CONVO_GET];
	int rc;

	if (store_sqlite_bind_text(s, 1, number))
		return store_sqlite_binderr(st, ST_CONVO_GET, "convo state");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(s, 0);

		snprintf(buf, len, "%s", v != NULL ? (const char *)v : "");
	} else if (rc != SQLITE_DONE) {
		store_sqlite_dberr(st, "convo state");
	}
	store_sqlite_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Inside the caller's transaction. */
static int
convo_put(struct store_sqlite *st, const char *number, const char *state,
          int64_t now)
{
	sqlite3_stmt *s = st->stmt[ST_CONVO_SET];

	if (store_sqlite_bind_text(s, 1, number) ||
	    store_sqlite_bind_text(s, 2, state) ||
	    store_sqlite_bind_int64(s, 3, now))
		return store_sqlite_binderr(st, ST_CONVO_SET, "convo state");
	return store_sqlite_exec(st, ST_CONVO_SET, "convo state");
}

int
store_sqlite_convo_set(struct store *base, const char *number,
                       const char *state, int64_t now)
{
	struct store_sqlite *st = store_sqlite_of(base);

	if (store_sqlite_tx_begin(st) < 0)
		return -1;
	if (convo_put(st, number, state, now) < 0) {
		store_sqlite_tx_rollback(st);
		return -1;
	}
	return store_sqlite_tx_commit(st);
}

/* Cancels number's check-ins: pending ones, and claimed ones too when
 * claimed_too. */
static int
sched_cancel_number(struct store_sqlite *st, const char *number,
                    const char *why, int64_t now, bool claimed_too)
{
	sqlite3_stmt *s = st->stmt[ST_SCHED_CANCEL_NUMBER];

	if (store_sqlite_bind_text(s, 1, number) ||
	    store_sqlite_bind_text(s, 2, why) ||
	    store_sqlite_bind_int64(s, 3, now) ||
	    store_sqlite_bind_int64(s, 4, claimed_too))
		return store_sqlite_binderr(st, ST_SCHED_CANCEL_NUMBER,
		                            "cancel check-ins");
	return store_sqlite_exec(st, ST_SCHED_CANCEL_NUMBER,
	                         "cancel check-ins");
}

int
store_sqlite_convo_cancel(struct store_sqlite *st, const char *number,
                          const char *why, int64_t now)
{
	return sched_cancel_number(st, number, why, now, true);
}

/* Records what happened to number's conversations, with message
 * gateway/id, inside the caller's transaction. */
static int
convo_events_put(struct store_sqlite *st, const char *number, int64_t at,
                 const char *gateway, const char *id,
                 const struct store_convo_event *ev, size_t n)
{
	sqlite3_stmt *s = st->stmt[ST_CONVO_EVENT_INSERT];

	for (size_t i = 0; ev != NULL && i < n; i++) {
		if (store_sqlite_bind_text(s, 1, number) ||
		    store_sqlite_bind_int64(s, 2, at) ||
		    store_sqlite_bind_text(s, 3, ev[i].convo) ||
		    store_sqlite_bind_int64(s, 4, ev[i].checkin) ||
		    store_sqlite_bind_text(s, 5, ev[i].event) ||
		    store_sqlite_bind_text(s, 6, ev[i].step) ||
		    store_sqlite_bind_text(s, 7, ev[i].answer) ||
		    store_sqlite_bind_text(s, 8, gateway) ||
		    store_sqlite_bind_text(s, 9, id))
			return store_sqlite_binderr(st, ST_CONVO_EVENT_INSERT,
			                            "convo event");
		if (store_sqlite_exec(st, ST_CONVO_EVENT_INSERT,
		                      "convo event") < 0)
			return -1;
	}
	return 0;
}

int
store_sqlite_convo_waiting(struct store *base, int64_t before, size_t max,
                           int (*fn)(void *arg, const char *number,
                                     const char *state),
                           void *arg)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_CONVO_WAITING];
	int rc, stop = 0;

	if (store_sqlite_bind_int64(s, 1, before) ||
	    store_sqlite_bind_int64(s, 2, (int64_t)max))
		return store_sqlite_binderr(st, ST_CONVO_WAITING,
		                            "waiting conversations");
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
		stop = fn(arg, (const char *)sqlite3_column_text(s, 0),
		          (const char *)sqlite3_column_text(s, 1));
	if (!stop && rc != SQLITE_DONE)
		store_sqlite_dberr(st, "waiting conversations");
	store_sqlite_done(s);
	return stop || rc == SQLITE_DONE ? 0 : -1;
}

int
store_sqlite_convo_expire(struct store *base, const char *number,
                          const char *was, const char *state,
                          const struct store_convo_event *ev, size_t nev,
                          int64_t now)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_CONVO_EXPIRE];

	if (store_sqlite_tx_begin(st) < 0)
		return -1;
	if (store_sqlite_bind_text(s, 1, number) ||
	    store_sqlite_bind_text(s, 2, was) ||
	    store_sqlite_bind_text(s, 3, state) ||
	    store_sqlite_bind_int64(s, 4, now)) {
		store_sqlite_binderr(st, ST_CONVO_EXPIRE, "expire convo");
		goto fail;
	}
	if (store_sqlite_exec(st, ST_CONVO_EXPIRE, "expire convo") < 0)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		/* a message changed it meanwhile: its decision counted */
		store_sqlite_tx_rollback(st);
		return 0;
	}
	if (convo_events_put(st, number, now, NULL, NULL, ev, nev) < 0)
		goto fail;
	return store_sqlite_tx_commit(st) < 0 ? -1 : 1;
fail:
	store_sqlite_tx_rollback(st);
	return -1;
}

int
store_sqlite_convo_record(struct store_sqlite *st,
                          const struct store_inbound *in,
                          const struct store_decision *dec)
{
	const struct store_schedule *sc = dec->schedule;
	sqlite3_stmt *s;

	if (dec->cancel_scheduled &&
	    sched_cancel_number(st, in->from, "stop", in->received_at, true) <
	        0)
		return -1;
	if (dec->convo_state != NULL &&
	    convo_put(st, in->from, dec->convo_state, in->received_at) < 0)
		return -1;
	if (convo_events_put(st, in->from, in->received_at, in->gateway, in->id,
	                     dec->events, dec->nevents) < 0)
		return -1;
	if (sc == NULL)
		return 0;
	/* A newer report's check-in replaces the pending one. */
	if (sched_cancel_number(st, in->from, "replaced", in->received_at,
	                        false) < 0)
		return -1;
	s = st->stmt[ST_SCHED_INSERT];
	if (store_sqlite_bind_text(s, 1, in->from) ||
	    store_sqlite_bind_text(s, 2, dec->reply_from) ||
	    store_sqlite_bind_text(s, 3, sc->convo) ||
	    store_sqlite_bind_int64(s, 4, sc->gen) ||
	    store_sqlite_bind_int64(s, 5, sc->due_at) ||
	    store_sqlite_bind_text(s, 6, in->gateway) ||
	    store_sqlite_bind_text(s, 7, in->id) ||
	    store_sqlite_bind_int64(s, 8, in->received_at))
		return store_sqlite_binderr(st, ST_SCHED_INSERT,
		                            "schedule check-in");
	return store_sqlite_exec(st, ST_SCHED_INSERT, "schedule check-in");
}

int
store_sqlite_convo_scheduled_claim(struct store *base, int64_t now,
                                   int64_t lease_until, size_t max,
                                   struct store_scheduled *items, size_t *ret_n)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_SCHED_CLAIM];
	size_t n = 0;
	bool oom = false;
	int rc = SQLITE_DONE;

	*ret_n = 0;
	if (max == 0)
		return 0;
	if (store_sqlite_bind_int64(s, 1, now) ||
	    store_sqlite_bind_int64(s, 2, lease_until) ||
	    store_sqlite_bind_int64(s, 3, (int64_t)max) ||
	    store_sqlite_bind_text(s, 5, st->base.owner))
		return store_sqlite_binderr(st, ST_SCHED_CLAIM,
		                            "claim check-ins");
	/* Every row RETURNING gives is claimed: read them all. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_scheduled *it;

		if (n >= max || oom)
			continue;
		it = &items[n++];
		memset(it, 0, sizeof(*it));
		it->id = sqlite3_column_int64(s, 0);
		it->number = store_sqlite_column_strdup(s, 1, &oom);
		it->from = store_sqlite_column_strdup(s, 2, &oom);
		it->convo = store_sqlite_column_strdup(s, 3, &oom);
		it->gen = (uint32_t)sqlite3_column_int64(s, 4);
		it->due_at = sqlite3_column_int64(s, 5);
		it->inbound_gateway = store_sqlite_column_strdup(s, 6, &oom);
		it->inbound_id = store_sqlite_column_strdup(s, 7, &oom);
	}
	if (rc != SQLITE_DONE)
		store_sqlite_dberr(st, "claim check-ins");
	else if (oom)
		store_sqlite_seterr(st, "claim check-ins: out of memory");
	store_sqlite_done(s);
	if (rc != SQLITE_DONE || oom) {
		/* Those claimed stay claimed until the lease runs out. */
		while (n > 0)
			store_scheduled_free(&items[--n]);
		return -1;
	}
	*ret_n = n;
	return 0;
}

/* Settles check-in id, held by this handle: state "sent" (outbox_id its
 * prompt) or "cancelled".  1 settled, 0 not this handle's, -1. */
static int
sched_settle(struct store_sqlite *st, int64_t id, const char *state,
             const char *why, int64_t now, int64_t outbox_id)
{
	sqlite3_stmt *s = st->stmt[ST_SCHED_SETTLE];

	if (store_sqlite_bind_int64(s, 1, id) ||
	    store_sqlite_bind_text(s, 2, state) ||
	    store_sqlite_bind_text(s, 3, why) ||
	    store_sqlite_bind_text(s, 4, st->base.owner) ||
	    store_sqlite_bind_int64(s, 5, now) ||
	    (outbox_id > 0 ? store_sqlite_bind_int64(s, 6, outbox_id)
	                   : sqlite3_bind_null(s, 6)))
		return store_sqlite_binderr(st, ST_SCHED_SETTLE,
		                            "settle check-in");
	if (store_sqlite_exec(st, ST_SCHED_SETTLE, "settle check-in") < 0)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

/* Whether number has opted out, inside the caller's transaction. */
static int
sched_opted_out(struct store_sqlite *st, const char *number)
{
	sqlite3_stmt *s = st->stmt[ST_OPTOUT_GET];
	int rc, out = 0;

	if (store_sqlite_bind_text(s, 1, number))
		return store_sqlite_binderr(st, ST_OPTOUT_GET, "opt-out");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		out = sqlite3_column_int(s, 0) != 0;
	else if (rc != SQLITE_DONE)
		store_sqlite_dberr(st, "opt-out");
	store_sqlite_done(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? out : -1;
}

/* The prompt's outbox row; its id in *ret_id.  0 or -1. */
static int
sched_outbox_insert(struct store_sqlite *st, const struct store_scheduled *it,
                    const char *body, int urgency, int64_t now, int64_t *ret_id)
{
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_INSERT_ID];
	int rc;

	if (store_sqlite_bind_text(s, 1, it->inbound_gateway) ||
	    store_sqlite_bind_text(s, 2, it->inbound_id) ||
	    store_sqlite_bind_text(s, 3, it->number) ||
	    store_sqlite_bind_text(s, 4, it->from) ||
	    store_sqlite_bind_text(s, 5, body) ||
	    store_sqlite_bind_int64(s, 6, now) ||
	    store_sqlite_bind_int64(s, 7, urgency))
		return store_sqlite_binderr(st, ST_OUTBOX_INSERT_ID,
		                            "check-in prompt");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*ret_id = sqlite3_column_int64(s, 0);
	else
		store_sqlite_dberr(st, "check-in prompt");
	store_sqlite_done(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_sqlite_convo_scheduled_send(struct store *base,
                                  const struct store_scheduled *it,
                                  const char *body, int urgency,
                                  const char *state,
                                  const struct store_convo_event *events,
                                  size_t nevents, int64_t now)
{
	struct store_sqlite *st = store_sqlite_of(base);
	int64_t outbox_id = 0;
	int rc;

	if (it == NULL || it->number == NULL || body == NULL) {
		store_sqlite_seterr(st, "send check-in: no check-in or text");
		return -1;
	}
	if (store_sqlite_tx_begin(st) < 0)
		return -1;
	rc = sched_opted_out(st, it->number);
	if (rc < 0)
		goto fail;
	if (rc == 1) {
		rc = sched_settle(st, it->id, "cancelled", "opted out", now, 0);
		if (rc < 0)
			goto fail;
		return store_sqlite_tx_commit(st) < 0 ? -1 : 0;
	}
	if (sched_outbox_insert(st, it, body, urgency, now, &outbox_id) < 0)
		goto fail;
	rc = sched_settle(st, it->id, "sent", NULL, now, outbox_id);
	if (rc <= 0) {
		/* Not ours (any more): the prompt goes with the rest. */
		store_sqlite_tx_rollback(st);
		return rc;
	}
	if (state != NULL && convo_put(st, it->number, state, now) < 0)
		goto fail;
	if (convo_events_put(st, it->number, now, it->inbound_gateway,
	                     it->inbound_id, events, nevents) < 0)
		goto fail;
	return store_sqlite_tx_commit(st) < 0 ? -1 : 1;
fail:
	store_sqlite_tx_rollback(st);
	return -1;
}

int
store_sqlite_convo_scheduled_cancel(struct store *base, int64_t id,
                                    const char *why, int64_t now)
{
	struct store_sqlite *st = store_sqlite_of(base);
	int rc;

	if (store_sqlite_tx_begin(st) < 0)
		return -1;
	rc = sched_settle(st, id, "cancelled", why, now, 0);
	if (rc < 0) {
		store_sqlite_tx_rollback(st);
		return -1;
	}
	return store_sqlite_tx_commit(st) < 0 ? -1 : rc;
}

int
store_sqlite_convo_scheduled_defer(struct store *base, int64_t id,
                                   int64_t due_at)
{
	struct store_sqlite *st = store_sqlite_of(base);
	sqlite3_stmt *s = st->stmt[ST_SCHED_DEFER];

	if (store_sqlite_bind_int64(s, 1, id) ||
	    store_sqlite_bind_int64(s, 2, due_at) ||
	    store_sqlite_bind_text(s, 3, st->base.owner))
		return store_sqlite_binderr(st, ST_SCHED_DEFER,
		                            "defer check-in");
	if (store_sqlite_exec(st, ST_SCHED_DEFER, "defer check-in") < 0)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}
