/* Poller: fetch inbound messages and stage each page on disk at once
 * (store_incoming_add), then take staged messages oldest first, classify
 * each, decide what to do, and record message and decision (and the reply
 * to send) before anything is sent.  Writes go in batches, one transaction
 * for a page or a chunk of decisions, so a sync to disk is shared by many
 * messages. */
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "decide.h"
#include "log.h"

#define POLLER_BACKOFF_MAX       300.0
#define POLLER_AUTH_RETRY_S      15.0
#define POLLER_CHUNK             1024 /* staged messages decided a transaction */
#define POLLER_TURN_S            0.05 /* deciding a backlog, before other work */
#define POLLER_LAST_POLL_EVERY_S 60

static int
poller_opted_out(void *arg, const char *number)
{
	struct daemon *d = arg;

	return store_is_opted_out(d->store, number);
}

/* Decides one staged message and records it with its decision (inside
 * the caller's batch).  Returns false when the store failed. */
static bool
poller_take(struct daemon *d, const struct store_staged *m)
{
	struct classify_result res;
	struct store_decision dec;
	static char norm[BT_MESSAGE_MAX + 1];
	char who[LOG_PHONE_MAX];
	const char *body = m->body ? m->body : "";
	struct decide_env env = {
		.cfg = d->cfg,
		.rs = d->rs,
		.guard = d->guard,
		.opted_out = poller_opted_out,
		.arg = d,
	};

	/* Gateways hand over valid UTF-8; if one does not, the menu
	 * answers rather than the message being lost. */
	if (decide_classify(d->cls, d->rs, body, strlen(body), &res, norm,
	                    NULL) != 0) {
		log_warning("message %s: body is not valid UTF-8 (byte %zu); "
		            "answering with the menu",
		            m->id, res.bad_offset);
	}
	decide_message(&env, m->from, m->sent_at, daemon_clock(), &res, norm,
	               &dec);

	struct store_inbound in = {
		.gateway = m->gateway,
		.id = m->id,
		.from = m->from,
		.to = m->to,
		.body = body,
		.sent_at = m->sent_at,
		.received_at = m->received_at,
		.staged_seq = m->seq,
	};
	switch (store_record(d->store, &in, &dec)) {
	case STORE_ERROR:
		log_err("store: cannot record message %s: %s; will retry",
		        m->id, store_error(d->store));
		return false;
	case STORE_DUPLICATE:
		return true;
	case STORE_RECORDED:
		break;
	}
	metrics_inbound(d->metrics);
	metrics_optout(d->metrics, dec.optout_change);
	if (dec.action == STORE_ACTION_REPLY)
		metrics_reply(d->metrics, dec.category, dec.rule);
	log_info("inbound %s from %s: %s%s%s rule=%s -> %s%s%s", m->id,
	         log_phone(m->from, who, sizeof(who)), dec.category,
	         dec.topic ? "/" : "", dec.topic ? dec.topic : "",
	         dec.rule ? dec.rule : "-",
	         dec.action == STORE_ACTION_REPLY ? "reply" : "no reply",
	         dec.note ? ": " : "", dec.note ? dec.note : "");
	if (log_debug())
		log_dbg("inbound %s body: %s", m->id, body);
	return true;
}

/* Decides up to POLLER_CHUNK staged messages, oldest first, in one
 * transaction.  Returns how many, or -1 when the store failed (then none
 * of them is recorded, and they stay staged). */
static long
poller_decide_chunk(struct daemon *d)
{
	static struct store_staged items[POLLER_CHUNK];
	size_t n, i;
	bool ok = true;

	if (store_incoming_next(d->store, POLLER_CHUNK, items, &n) < 0) {
		log_err("store: cannot read staged messages: %s",
		        store_error(d->store));
		return -1;
	}
	if (n == 0)
		return 0;
	if (store_batch_begin(d->store) < 0) {
		log_err("store: %s", store_error(d->store));
		ok = false;
	}
	for (i = 0; ok && i < n; i++)
		ok = poller_take(d, &items[i]);
	if (ok && store_batch_commit(d->store) < 0) {
		log_err("store: cannot commit %zu decisions: %s; will decide "
		        "them again",
		        n, store_error(d->store));
		ok = false;
	} else if (!ok) {
		store_batch_rollback(d->store);
	}
	for (i = 0; i < n; i++)
		store_staged_free(&items[i]);
	return ok ? (long)n : -1;
}

/* Decides staged messages for at most POLLER_TURN_S, so that the sender
 * gets its turn in a long backlog.  Returns 1 when some are left, 0 when
 * none, -1 when the store failed. */
static int
poller_decide_staged(struct daemon *d)
{
	double t0 = daemon_now();
	long n;

	do {
		n = poller_decide_chunk(d);
		if (n < 0)
			return -1;
		if (n < POLLER_CHUNK)
			return 0;
	} while (daemon_now() - t0 < POLLER_TURN_S);
	return 1;
}

/* The batch's sink: stages a page of fetched messages in one transaction.
 * Returns how many were new, or -1 (they stay in the batch). */
static long
poller_stage(void *arg, struct gateway_batch *b)
{
	struct daemon *d = arg;
	const char *gw = d->gw->ops->name;
	int64_t now = daemon_clock();
	long fresh = 0;

	if (store_batch_begin(d->store) < 0)
		goto fail;
	for (size_t i = 0; i < b->count; i++) {
		const struct gateway_message *m = &b->items[i];
		struct store_inbound in = {
			.gateway = gw,
			.id = m->id,
			.from = m->from,
			.to = m->to,
			.body = m->body ? m->body : "",
			.sent_at = m->sent_at,
			.received_at = now,
		};
		int rc = store_incoming_add(d->store, &in);
		if (rc < 0) {
			store_batch_rollback(d->store);
			goto fail;
		}
		fresh += rc;
	}
	if (store_batch_commit(d->store) < 0)
		goto fail;
	return fresh;
fail:
	log_err("store: cannot stage %zu fetched messages: %s; keeping them "
	        "in memory and trying again",
	        b->count, store_error(d->store));
	d->store_failing = true;
	return -1;
}

/* Logs the end of a spell of store failures, once. */
static void
poller_store_ok(struct daemon *d)
{
	if (d->store_failing) {
		log_notice("store: recovered; taking new messages again");
		d->store_failing = false;
	}
}

/* Records when a poll last succeeded, for `backtalk status`.  At most
 * once a minute: each write is a sync to disk, and the daemon may poll
 * every second. */
static void
poller_note_success(struct daemon *d)
{
	int64_t now = daemon_clock();
	char v[32];

	if (d->last_poll_saved != 0 &&
	    now - d->last_poll_saved < POLLER_LAST_POLL_EVERY_S)
		return;
	snprintf(v, sizeof(v), "%lld", (long long)now);
	if (store_state_set(d->store, "last_poll", v) < 0)
		log_warning("store: cannot record the poll time: %s",
		            store_error(d->store));
	else
		d->last_poll_saved = now;
}

/* Stages what an earlier poll could not; returns false if that still
 * fails. */
static bool
poller_flush(struct daemon *d)
{
	d->pending.sink = poller_stage;
	d->pending.sink_arg = d;
	return gateway_batch_flush(&d->pending) >= 0;
}

double
poller_run(struct daemon *d)
{
	double interval = d->cfg->poll_interval_ms / 1000.0;
	struct gateway_result res;
	int left;

	if (!poller_flush(d) || (left = poller_decide_staged(d)) < 0) {
		d->store_failing = true;
		d->poll_backoff = daemon_backoff(1, 4, POLLER_BACKOFF_MAX);
		return d->poll_backoff;
	}
	poller_store_ok(d);
	/* Decide a backlog before fetching more. */
	if (left > 0)
		return 0;
	if (d->input_closed)
		return interval;

	double t0 = daemon_now();
	d->pending.more = false;
	enum gateway_status st = d->gw->ops->poll(d->gw, &d->pending, &res);
	metrics_poll(d->metrics, st == GATEWAY_OK, daemon_now() - t0,
	             (double)daemon_clock());
	bool more = d->pending.more, closed = d->pending.closed;
	/* Whatever the poll brought (all of it, or a partial poll's pages)
	 * is staged before anything else happens. */
	bool staged = poller_flush(d);
	if (!staged) {
		/* The store failed (and said why): the batch stays in memory
		 * and nothing more is fetched until it is on disk. */
		d->store_failing = true;
		d->poll_backoff = daemon_backoff(1, 4, POLLER_BACKOFF_MAX);
		return d->poll_backoff;
	}
	if (st != GATEWAY_OK && d->store_failing) {
		/* The gateway answered; staging a page failed part way and
		 * has now caught up: poll again at once. */
		poller_store_ok(d);
		poller_decide_staged(d);
		return 0;
	}
	if (st == GATEWAY_AUTH)
		sender_auth_failed(d, &res, "poll");
	else if (st == GATEWAY_OK)
		sender_gateway_ok(d);
	if (st != GATEWAY_OK) {
		double wait = daemon_backoff(interval, ++d->poll_failures,
		                             POLLER_BACKOFF_MAX);
		if (res.retry_after_s > 0 && res.retry_after_s > wait)
			wait = (double)res.retry_after_s;
		/* Refused credentials: ask again as often as the held
		 * replies do, so that a fixed token is seen soon. */
		if (st == GATEWAY_AUTH && wait > POLLER_AUTH_RETRY_S)
			wait = POLLER_AUTH_RETRY_S;
		log_warning("%s: poll failed (HTTP %ld%s%s): %s; next try in "
		            "%.1f s",
		            d->gw->ops->name, res.http_status,
		            res.error_code[0] ? ", code " : "", res.error_code,
		            res.error, wait);
		d->poll_backoff = wait;
		poller_decide_staged(d);
		return wait;
	}
	d->poll_backoff = 0;
	d->poll_failures = 0;
	poller_note_success(d);
	if (res.error[0] != '\0') /* a note on success ("N unusable") */
		log_notice("%s: poll: %s", d->gw->ops->name, res.error);
	if ((left = poller_decide_staged(d)) < 0) {
		d->store_failing = true;
		return daemon_backoff(1, 4, POLLER_BACKOFF_MAX);
	}
	log_dbg("%s: poll took %.3f s", d->gw->ops->name, daemon_now() - t0);
	if (closed)
		d->input_closed = true;
	return more || left > 0 ? 0 : interval;
}
