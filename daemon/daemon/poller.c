/* Poller: fetch inbound messages and stage each page on disk at once
 * (store_incoming_add), then take staged messages oldest first, classify
 * each, decide what to do, and record message and decision (and the reply
 * to send) before anything is sent.  Writes go in batches, one transaction
 * for a page or a chunk of decisions, so a sync to disk is shared by many
 * messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convoflow.h"
#include "daemon.h"
#include "decide.h"
#include "log.h"
#include "log_ids.h"
#include "senderid.h"
#include "spool.h"

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

struct decide_env
poller_decide_env(struct daemon *d)
{
	return (struct decide_env){
		.cfg = d->conf->cfg,
		.rs = d->conf->rs,
		.guard = d->conf->guard,
		.opted_out = poller_opted_out,
		.arg = d,
		.gateway_offset = clockwatch_gateway_offset(&d->clocks),
	};
}

/* The journal's MESSAGE_ID for a decided message: a red flag first
 * (answered or not), then an opt-out change, then whether it is
 * answered. */
static const char *
poller_event_id(const struct classify_result *res,
                const struct store_decision *dec)
{
	if (category_is_red_flag(res->category))
		return LOG_ID_RED_FLAG;
	if (dec->optout_change > 0)
		return LOG_ID_OPTOUT;
	if (dec->optout_change < 0)
		return LOG_ID_OPTIN;
	return dec->action == STORE_ACTION_REPLY ? LOG_ID_REPLY
	                                         : LOG_ID_UNANSWERED;
}

/* Decides one staged message and records it with its decision (inside
 * the caller's batch).  Returns false when the store failed. */
static bool
poller_take(struct daemon *d, const struct store_staged *m)
{
	struct classify_result res;
	struct store_decision dec;
	struct convoflow cf;
	static char norm[BT_MESSAGE_MAX + 1];
	char who[LOG_PHONE_MAX];
	const char *body = m->body ? m->body : "";
	struct decide_env env = poller_decide_env(d);

	/* Dates in the message ("pain since nov 1st") are read against the
	 * day the gateway says it was sent, else the day it was received. */
	classify_set_date(
	    d->conf->cls,
	    calendar_from_time(m->sent_at > 0 ? m->sent_at : m->received_at));
	/* Gateways hand over valid UTF-8; if one does not, the menu
	 * answers rather than the message being lost. */
	if (decide_classify(d->conf->cls, d->conf->rs, body, strlen(body), &res,
	                    norm, NULL) != 0) {
		log_warning("message %s: body is not valid UTF-8 (byte %zu); "
		            "answering with the menu",
		            m->id, res.bad_offset);
	}
	/* Conversations are played for numbers a reply can reach. */
	cf.first = res.category;
	if (convoflow_on(d) && senderid_answerable(m->from)) {
		if (!convoflow_decide(d, &env, m, &res, norm, &cf, &dec))
			return false;
	} else {
		decide_message(&env, m->from, m->sent_at, daemon_clock(d), &res,
		               norm, &dec);
	}
	/* An alphanumeric sender id or a garbled From: recorded, never
	 * answered (a reply cannot reach it). */
	if (dec.action == STORE_ACTION_REPLY && !senderid_answerable(m->from)) {
		dec.action = STORE_ACTION_NONE;
		dec.reply = NULL;
		dec.note = "sender is not a phone number or short code";
	}
	/* Red flags go out first (store_outbox_work): the first message's,
	 * a conversation's answer to a red flag too. */
	dec.urgency = cf.first == CATEGORY_EMERGENCY ? 2
	              : cf.first == CATEGORY_URGENT  ? 1
	                                             : 0;

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
	convoflow_count(d->metrics, dec.events, dec.nevents);
	if (dec.action == STORE_ACTION_REPLY)
		metrics_reply(d->metrics, dec.category, dec.rule);
	else
		metrics_unanswered(d->metrics, dec.note);
	bool reply = dec.action == STORE_ACTION_REPLY;
	log_event(
	    LOG_LEVEL_INFO, poller_event_id(&res, &dec),
	    LOG_FIELDS(
	        LOG_F_TEXT("GATEWAY", m->gateway),
	        LOG_F_TEXT("INBOUND_ID", m->id), LOG_F_PHONE("FROM", m->from),
	        LOG_F_TEXT("CATEGORY", dec.category),
	        LOG_F_TEXT("TOPIC", dec.topic), LOG_F_TEXT("RULE", dec.rule),
	        LOG_F_TEXT("ACTION", reply ? "reply" : "none"),
	        LOG_F_TEXT("REASON",
	                   reply ? NULL : metrics_unanswered_reason(dec.note)),
	        LOG_F_TEXT("REASON_TEXT", dec.note),
	        LOG_F_TEXT("OPTOUT", dec.optout_change > 0   ? "out"
	                             : dec.optout_change < 0 ? "in"
	                                                     : NULL),
	        LOG_F_BODY("BODY", body)),
	    "inbound %s from %s: %s%s%s rule=%s -> %s%s%s", m->id,
	    log_phone(m->from, who, sizeof(who)), dec.category,
	    dec.topic ? "/" : "", dec.topic ? dec.topic : "",
	    dec.rule ? dec.rule : "-", reply ? "reply" : "no reply",
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
	double t0 = daemon_now(d);
	long n;

	do {
		n = poller_decide_chunk(d);
		if (n < 0)
			return -1;
		if (n < POLLER_CHUNK)
			return 0;
	} while (daemon_now(d) - t0 < POLLER_TURN_S);
	return 1;
}

/* Records a message the gateway listed but that could not be read, by its
 * id, so that it is counted once and not read again.  Returns 1 when new,
 * 0 when recorded before, -1 when the store failed. */
static int
poller_unreadable(struct daemon *d, const struct store_inbound *in)
{
	struct store_decision dec = {
		.category = "unreadable",
		.action = STORE_ACTION_NONE,
		.note = "could not be read",
	};

	switch (store_record(d->store, in, &dec)) {
	case STORE_RECORDED:
		return 1;
	case STORE_DUPLICATE:
		return 0;
	case STORE_ERROR:
		break;
	}
	return -1;
}

/* The batch's sink: stages a page of fetched messages in one transaction
 * (an unreadable one is recorded by its id instead).  Returns how many
 * were new, or -1 (they stay in the batch). */
static long
poller_stage(void *arg, struct gateway_batch *b)
{
	struct daemon *d = arg;
	const char *gw = d->conf->gw_in->ops->name;
	int64_t now = daemon_clock(d);
	long fresh = 0;
	size_t unreadable = 0;

	if (store_batch_begin(d->store) < 0)
		goto fail;
	for (size_t i = 0; i < b->count; i++) {
		const struct gateway_message *m = &b->items[i];
		struct store_inbound in = {
			.gateway = gw,
			.id = m->id,
			.from = m->from,
			.to = m->to,
			.body = m->unreadable ? NULL
			        : m->body     ? m->body
			                      : "",
			.sent_at = m->sent_at,
			.received_at = now,
		};
		int rc = m->unreadable ? poller_unreadable(d, &in)
		                       : store_incoming_add(d->store, &in);
		if (rc < 0) {
			store_batch_rollback(d->store);
			goto fail;
		}
		fresh += rc;
		if (m->unreadable && rc > 0) {
			unreadable++;
			log_event(
			    LOG_LEVEL_WARNING, LOG_ID_UNANSWERED,
			    LOG_FIELDS(LOG_F_TEXT("GATEWAY", gw),
			               LOG_F_TEXT("INBOUND_ID", m->id),
			               LOG_F_TEXT("CATEGORY", "unreadable"),
			               LOG_F_TEXT("ACTION", "none"),
			               LOG_F_TEXT("REASON", "unreadable")),
			    "%s message %s could not be read (no "
			    "sender or text); recorded as unreadable, "
			    "not answered",
			    gw, m->id);
		}
	}
	if (store_batch_commit(d->store) < 0)
		goto fail;
	metrics_unreadable(d->metrics, unreadable, 0);
	return fresh;
fail:
	log_err("store: cannot stage %zu fetched messages: %s; keeping them "
	        "in memory and trying again",
	        b->count, store_error(d->store));
	d->store_failing = true;
	return -1;
}

/* The batch's keep: puts an answer on disk before the driver parses it. */
static int
poller_keep(void *arg, const char *raw, size_t len)
{
	struct daemon *d = arg;
	char name[SPOOL_NAME_MAX], err[512] = "out of memory";
	char **kept;

	kept = realloc(d->kept, (d->nkept + 1) * sizeof(*kept));
	if (kept == NULL) {
		log_err("spool: out of memory; reading the answer unkept");
		return -1;
	}
	d->kept = kept;
	if (spool_put(d->spool_dir, d->conf->gw_in->ops->name, raw, len, name,
	              sizeof(name), err, sizeof(err)) != 0 ||
	    (d->kept[d->nkept] = strdup(name)) == NULL) {
		log_err("spool: cannot keep the answer on disk (%s); reading "
		        "it unkept",
		        err);
		return -1;
	}
	d->nkept++;
	return 0;
}

/* The kept answers are staged (done) or cannot be parsed: drops them, or
 * sets them aside for the operator. */
static void
poller_kept(struct daemon *d, bool done)
{
	char err[512], aside[SPOOL_NAME_MAX + 32];

	for (size_t i = 0; i < d->nkept; i++) {
		if (done) {
			if (spool_drop(d->spool_dir, d->kept[i], err,
			               sizeof(err)) != 0)
				log_warning("spool: %s", err);
		} else if (spool_rename(d->spool_dir, d->kept[i],
		                        SPOOL_UNREADABLE, err,
		                        sizeof(err)) != 0) {
			log_err("spool: %s", err);
		} else {
			spool_renamed(d->kept[i], SPOOL_UNREADABLE, aside,
			              sizeof(aside));
			log_err("%s: an answer that cannot be read is kept in "
			        "%s/%s: the messages in it are not answered",
			        d->conf->gw_in->ops->name, d->spool_dir, aside);
		}
		free(d->kept[i]);
	}
	d->nkept = 0;
}

/* Sets aside an answer that a run died reading again (a fault in parsing
 * would otherwise kill every start).  Returns true when there was one. */
static bool
poller_reread_died(struct daemon *d)
{
	char name[SPOOL_NAME_MAX], err[512], aside[SPOOL_NAME_MAX + 32];
	int rc =
	    spool_oldest(d->spool_dir, d->conf->gw_in->ops->name, SPOOL_READING,
	                 name, sizeof(name), err, sizeof(err));

	if (rc == 0)
		return false;
	if (rc < 0 || spool_rename(d->spool_dir, name, SPOOL_UNREADABLE, err,
	                           sizeof(err)) != 0) {
		log_err("spool: %s", err);
		return false;
	}
	spool_renamed(name, SPOOL_UNREADABLE, aside, sizeof(aside));
	log_err("%s: the daemon stopped while reading an answer again; it is "
	        "kept in %s/%s: the messages in it are not answered",
	        d->conf->gw_in->ops->name, d->spool_dir, aside);
	return true;
}

/* Reads an answer an earlier run kept and did not stage into d->pending,
 * oldest first, each once.  Returns true when there was one. */
static bool
poller_reread(struct daemon *d)
{
	/* The last one read: one that could not be removed once staged is
	 * not read again (its messages are recorded), nor any before it. */
	static char last[SPOOL_NAME_MAX];
	char name[SPOOL_NAME_MAX], reading[SPOOL_NAME_MAX + 16], err[512];
	struct gateway_result res;
	size_t len;
	char *raw = NULL, **kept;
	int rc;

	if (d->spool_read || d->conf->gw_in->ops->reread == NULL ||
	    d->spool_dir == NULL) {
		d->spool_read = true;
		return false;
	}
	if (poller_reread_died(d))
		return true;
	rc = spool_oldest(d->spool_dir, d->conf->gw_in->ops->name, "", name,
	                  sizeof(name), err, sizeof(err));
	if (rc <= 0 || strcmp(name, last) <= 0) {
		if (rc < 0)
			log_err("spool: %s", err);
		d->spool_read = true;
		return false;
	}
	snprintf(last, sizeof(last), "%s", name);
	snprintf(reading, sizeof(reading), "%s" SPOOL_READING, name);
	kept = realloc(d->kept, (d->nkept + 1) * sizeof(*kept));
	if (kept != NULL)
		d->kept = kept;
	if (kept == NULL || (d->kept[d->nkept] = strdup(reading)) == NULL ||
	    spool_rename(d->spool_dir, name, SPOOL_READING, err, sizeof(err)) !=
	        0 ||
	    spool_read(d->spool_dir, reading, &raw, &len, err, sizeof(err)) !=
	        0) {
		log_err("spool: %s; reading it at the next start",
		        kept != NULL && d->kept[d->nkept] != NULL
		            ? err
		            : "out of memory");
		if (kept != NULL)
			free(d->kept[d->nkept]);
		d->spool_read = true;
		return false;
	}
	d->nkept++;
	log_notice("%s: reading %s, kept by an earlier run",
	           d->conf->gw_in->ops->name, name);
	if (d->conf->gw_in->ops->reread(d->conf->gw_in, raw, len, &d->pending,
	                                &res) != GATEWAY_OK) {
		log_err("%s: %s", d->conf->gw_in->ops->name, res.error);
		poller_kept(d, false);
	} else if (res.error[0] != '\0') {
		log_notice("%s: %s", d->conf->gw_in->ops->name, res.error);
	}
	free(raw);
	return true;
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
	double mono = daemon_now(d); /* the minute is a span */
	char v[32];

	if (d->last_poll_saved > 0 &&
	    mono - d->last_poll_saved < POLLER_LAST_POLL_EVERY_S)
		return;
	snprintf(v, sizeof(v), "%lld", (long long)daemon_clock(d));
	if (store_state_set(d->store, "last_poll", v) < 0)
		log_warning("store: cannot record the poll time: %s",
		            store_error(d->store));
	else
		d->last_poll_saved = mono;
}

/* Notes the gateway's clock from its answer's Date header: the age of
 * its messages is judged by it (their dates are its own), and a host
 * clock that disagrees by more than a minute is worth a warning. */
static void
poller_clock(struct daemon *d, int64_t gateway)
{
	int64_t ours = daemon_clock(d);
	enum clockwatch_news news =
	    clockwatch_gateway(&d->clocks, gateway, ours);
	int64_t skew = gateway - ours;

	metrics_clock_skew(d->metrics, (double)skew);
	if (news == CLOCKWATCH_SKEWED)
		log_warning("clock: this host's clock is %lld s %s the "
		            "gateway's (its Date header); message ages are "
		            "judged by the gateway's clock; check NTP",
		            (long long)(skew < 0 ? -skew : skew),
		            skew < 0 ? "ahead of" : "behind");
	else if (news == CLOCKWATCH_AGREE)
		log_notice("clock: this host's clock agrees with the "
		           "gateway's again (%+lld s)",
		           (long long)skew);
}

/* Stages what an earlier poll could not; returns false if that still
 * fails. */
static bool
poller_flush(struct daemon *d)
{
	d->pending.sink = poller_stage;
	d->pending.sink_arg = d;
	d->pending.keep = d->spool_dir != NULL ? poller_keep : NULL;
	if (gateway_batch_flush(&d->pending) < 0)
		return false;
	/* Everything the kept answers held is on disk now. */
	poller_kept(d, true);
	if (d->pending.nameless > 0) {
		metrics_unreadable(d->metrics, 0, d->pending.nameless);
		d->pending.nameless = 0;
	}
	return true;
}

double
poller_run(struct daemon *d)
{
	double interval = d->conf->cfg->poll_interval_ms / 1000.0;
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
	/* Answers an earlier run kept on disk come first. */
	if (poller_reread(d))
		return 0;

	double t0 = daemon_now(d);
	d->pending.more = false;
	enum gateway_status st =
	    d->conf->gw_in->ops->poll(d->conf->gw_in, &d->pending, &res);
	/* A kept answer the driver then failed to parse: nothing of it is
	 * in the batch. */
	if (st != GATEWAY_OK && d->nkept > 0)
		poller_kept(d, false);
	metrics_poll(d->metrics, st == GATEWAY_OK, daemon_now(d) - t0,
	             (double)daemon_clock(d));
	if (res.date > 0)
		poller_clock(d, res.date);
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
		log_event(
		    LOG_LEVEL_WARNING, LOG_ID_POLL_FAILED,
		    LOG_FIELDS(LOG_F_TEXT("GATEWAY", d->conf->gw_in->ops->name),
		               LOG_F_INT("HTTP_STATUS", res.http_status),
		               LOG_F_TEXT("ERROR_CODE", res.error_code[0]
		                                            ? res.error_code
		                                            : NULL),
		               LOG_F_TEXT("ERROR", res.error),
		               LOG_F_INT("FAILURES", d->poll_failures),
		               LOG_F_INT("RETRY_IN_S", (long long)wait)),
		    "%s: poll failed (HTTP %ld%s%s): %s; next try in "
		    "%.1f s",
		    d->conf->gw_in->ops->name, res.http_status,
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
		log_notice("%s: poll: %s", d->conf->gw_in->ops->name,
		           res.error);
	if ((left = poller_decide_staged(d)) < 0) {
		d->store_failing = true;
		return daemon_backoff(1, 4, POLLER_BACKOFF_MAX);
	}
	log_dbg("%s: poll took %.3f s", d->conf->gw_in->ops->name,
	        daemon_now(d) - t0);
	if (closed)
		d->input_closed = true;
	return more || left > 0 ? 0 : interval;
}
