/* Sender: drains the outbox.  Each reply is marked "sending" before the
 * gateway call; a reply still marked after a crash is first looked up at the
 * gateway, so a crash between sending and recording does not send twice
 * when the gateway can tell. */
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "log.h"

#define SENDER_RETRY_BASE 2.0
#define SENDER_RETRY_MAX  900.0
#define SENDER_BATCH      128 /* replies a turn, so polling is not starved */

/* Settles a reply whose earlier attempt has an unknown outcome.  Returns
 * true when it was sent already (and is now recorded so). */
static bool
sender_reconcile(struct daemon *d, const struct store_outbox_item *it)
{
	struct gateway_result res;
	char who[LOG_PHONE_MAX];
	int found = d->gw->ops->find_sent(d->gw, it->to, it->body,
	                                  it->sending_since - 60, &res);

	log_phone(it->to, who, sizeof(who));
	if (found == 1) {
		log_notice("reply %lld to %s: found at the gateway as %s after "
		           "a restart; not sending again",
		           (long long)it->id, who, res.message_id);
		store_outbox_sent(d->store, it->id, res.message_id,
		                  daemon_clock());
		return true;
	}
	if (found < 0)
		log_warning("reply %lld to %s: interrupted while sending and "
		            "the gateway cannot tell whether it went out; "
		            "sending it (it may arrive twice)",
		            (long long)it->id, who);
	return false;
}

/* The STOP confirmation is the one reply an opted-out number still gets. */
static bool
sender_is_stop_confirmation(const struct daemon *d, const char *body)
{
	const char *t = d->cfg->compliance.stop_text
	                    ? d->cfg->compliance.stop_text
	                    : rules_builtin_reply(d->rs, CATEGORY_STOP);

	return t != NULL && body != NULL && strcmp(t, body) == 0;
}

/* Records the outcome of one attempt (inside the caller's batch). */
static void
sender_settle(struct daemon *d, const struct store_outbox_item *it,
              enum gateway_status st, const struct gateway_result *res,
              int64_t now)
{
	char who[LOG_PHONE_MAX];

	log_phone(it->to, who, sizeof(who));
	switch (st) {
	case GATEWAY_OK:
		if (store_outbox_sent(d->store, it->id, res->message_id,
		                      daemon_clock()) != 0)
			log_err(
			    "store: reply %lld sent as %s but not recorded: "
			    "%s",
			    (long long)it->id, res->message_id,
			    store_error(d->store));
		else
			log_info("reply %lld to %s: sent as %s",
			         (long long)it->id, who, res->message_id);
		return;
	case GATEWAY_RETRY: {
		unsigned attempts = (unsigned)it->attempts + 1;
		if (attempts >= d->cfg->guard.max_attempts) {
			store_outbox_failed(d->store, it->id, res->error_code,
			                    res->error, now);
			log_err(
			    "reply %lld to %s: giving up after %u attempts: "
			    "%s",
			    (long long)it->id, who, attempts, res->error);
			return;
		}
		double wait = daemon_backoff(SENDER_RETRY_BASE, attempts,
		                             SENDER_RETRY_MAX);
		if (res->retry_after_s > 0)
			wait = (double)res->retry_after_s;
		/* No answer at all: the request may still land at the
		 * gateway.  Give it time to, so that the lookup before the
		 * retry sees it. */
		double settle = 3.0 * d->cfg->http.timeout_ms / 1000.0;
		if (res->http_status == 0 && wait < settle)
			wait = settle;
		store_outbox_retry(d->store, it->id, now + (int64_t)wait + 1,
		                   res->error);
		log_warning("reply %lld to %s: %s (HTTP %ld); retry %u in "
		            "%.0f s",
		            (long long)it->id, who, res->error,
		            res->http_status, attempts, wait);
		return;
	}
	case GATEWAY_OPTED_OUT:
		store_outbox_failed(d->store, it->id, res->error_code,
		                    res->error, now);
		store_optout_set(d->store, it->to, true, "gateway", now);
		log_notice(
		    "reply %lld to %s: the gateway says the number opted "
		    "out (code %s); recorded the opt-out",
		    (long long)it->id, who, res->error_code);
		return;
	case GATEWAY_FAILED:
		store_outbox_failed(d->store, it->id, res->error_code,
		                    res->error, now);
		log_err("reply %lld to %s: failed for good (HTTP %ld, code "
		        "%s): %s",
		        (long long)it->id, who, res->http_status,
		        res->error_code[0] ? res->error_code : "-", res->error);
		return;
	}
}

/* Whether a due reply should go out now: not when an earlier attempt
 * turns out to have reached the gateway, nor when the number opted out
 * since the reply was decided (a STOP confirmation itself is still sent).
 * Records either outcome. */
static bool
sender_should_send(struct daemon *d, const struct store_outbox_item *it)
{
	char who[LOG_PHONE_MAX];

	/* An earlier attempt may have reached the gateway even though we saw
	 * no answer (a crash, a timeout, a dropped connection): look it up
	 * before sending again. */
	if ((it->state == STORE_OUTBOX_SENDING || it->attempts > 0) &&
	    sender_reconcile(d, it))
		return false;
	if (store_is_opted_out(d->store, it->to) > 0 &&
	    !sender_is_stop_confirmation(d, it->body)) {
		store_outbox_cancel(d->store, it->id, "opted out");
		log_info("reply %lld to %s: cancelled, opted out",
		         (long long)it->id,
		         log_phone(it->to, who, sizeof(who)));
		return false;
	}
	return true;
}

/* Takes up to max send tokens; returns how many, and when none, sets
 * *ret_wait to the time until one will be there. */
static size_t
sender_tokens(struct daemon *d, size_t max, double *ret_wait)
{
	double now = daemon_now();
	size_t n = 0;

	while (n < max && guard_rate_take(&d->rate, now, ret_wait))
		n++;
	return n;
}

/* One turn: takes up to SENDER_BATCH due replies, marks them "sending" in
 * one transaction, sends them, and records the outcomes in another.  A
 * crash in between leaves them "sending", and each is looked up at the
 * gateway before it is sent again. */
double
sender_run(struct daemon *d)
{
	static struct store_outbox_item items[SENDER_BATCH];
	static struct gateway_result results[SENDER_BATCH];
	static enum gateway_status status[SENDER_BATCH];
	static bool go[SENDER_BATCH];
	double wait = 1;
	int64_t now = daemon_clock();
	size_t n, i, tokens;

	tokens = sender_tokens(d, SENDER_BATCH, &wait);
	if (tokens == 0)
		return wait;
	if (store_outbox_due(d->store, now, tokens, items, &n) < 0) {
		log_err("store: cannot read the outbox: %s",
		        store_error(d->store));
		d->rate.tokens += d->rate.rate > 0 ? (double)tokens : 0;
		return 5;
	}
	/* Give back the tokens not used. */
	if (d->rate.rate > 0)
		d->rate.tokens += (double)(tokens - n);
	if (n == 0)
		return 1;

	/* Settle what needs a look first, then mark the rest in one go. */
	for (i = 0; i < n; i++)
		go[i] = sender_should_send(d, &items[i]);
	if (store_batch_begin(d->store) < 0)
		goto store_failed;
	for (i = 0; i < n; i++) {
		if (go[i] &&
		    store_outbox_begin(d->store, items[i].id, now) < 0) {
			log_err("store: %s", store_error(d->store));
			go[i] = false;
		}
	}
	if (store_batch_commit(d->store) < 0)
		goto store_failed;

	for (i = 0; i < n; i++) {
		if (go[i])
			status[i] = d->gw->ops->send(
			    d->gw, items[i].to, items[i].body, &results[i]);
	}

	now = daemon_clock();
	if (store_batch_begin(d->store) < 0)
		goto store_failed;
	for (i = 0; i < n; i++) {
		if (go[i])
			sender_settle(d, &items[i], status[i], &results[i],
			              now);
	}
	if (store_batch_commit(d->store) < 0)
		goto store_failed;
	for (i = 0; i < n; i++)
		store_outbox_item_free(&items[i]);
	return n == tokens ? 0 : 1; /* more may be due */

store_failed:
	/* Rows marked "sending" are looked up before they are sent again. */
	log_err("store: cannot record the outbox: %s", store_error(d->store));
	for (i = 0; i < n; i++)
		store_outbox_item_free(&items[i]);
	return 5;
}
