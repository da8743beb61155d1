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
#define SENDER_BATCH      256 /* replies a turn, so polling is not starved */

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

/* Sends one reply and records the outcome. */
static void
sender_one(struct daemon *d, struct store_outbox_item *it)
{
	struct gateway_result res;
	char who[LOG_PHONE_MAX];
	int64_t now = daemon_clock();

	log_phone(it->to, who, sizeof(who));
	/* An earlier attempt may have reached the gateway even though we saw
	 * no answer (a crash, a timeout, a dropped connection): look it up
	 * before sending again. */
	if ((it->state == STORE_OUTBOX_SENDING || it->attempts > 0) &&
	    sender_reconcile(d, it))
		return;
	/* Opted out since the reply was decided (a STOP confirmation itself
	 * is still sent). */
	if (store_is_opted_out(d->store, it->to) > 0 &&
	    !sender_is_stop_confirmation(d, it->body)) {
		store_outbox_cancel(d->store, it->id, "opted out");
		log_info("reply %lld to %s: cancelled, opted out",
		         (long long)it->id, who);
		return;
	}
	if (store_outbox_begin(d->store, it->id, now) != 0) {
		log_err("store: %s", store_error(d->store));
		return;
	}
	enum gateway_status st =
	    d->gw->ops->send(d->gw, it->to, it->body, &res);
	switch (st) {
	case GATEWAY_OK:
		if (store_outbox_sent(d->store, it->id, res.message_id,
		                      daemon_clock()) != 0)
			log_err(
			    "store: reply %lld sent as %s but not recorded: "
			    "%s",
			    (long long)it->id, res.message_id,
			    store_error(d->store));
		else
			log_info("reply %lld to %s: sent as %s",
			         (long long)it->id, who, res.message_id);
		return;
	case GATEWAY_RETRY: {
		unsigned attempts = (unsigned)it->attempts + 1;
		if (attempts >= d->cfg->guard.max_attempts) {
			store_outbox_failed(d->store, it->id, res.error_code,
			                    res.error, now);
			log_err(
			    "reply %lld to %s: giving up after %u attempts: "
			    "%s",
			    (long long)it->id, who, attempts, res.error);
			return;
		}
		double wait = daemon_backoff(SENDER_RETRY_BASE, attempts,
		                             SENDER_RETRY_MAX);
		if (res.retry_after_s > 0)
			wait = (double)res.retry_after_s;
		/* No answer at all: the request may still land at the
		 * gateway.  Give it time to, so that the lookup before the
		 * retry sees it. */
		double settle = 3.0 * d->cfg->http.timeout_ms / 1000.0;
		if (res.http_status == 0 && wait < settle)
			wait = settle;
		store_outbox_retry(d->store, it->id, now + (int64_t)wait + 1,
		                   res.error);
		log_warning("reply %lld to %s: %s (HTTP %ld); retry %u in "
		            "%.0f s",
		            (long long)it->id, who, res.error, res.http_status,
		            attempts, wait);
		return;
	}
	case GATEWAY_OPTED_OUT:
		store_outbox_failed(d->store, it->id, res.error_code, res.error,
		                    now);
		store_optout_set(d->store, it->to, true, "gateway", now);
		log_notice(
		    "reply %lld to %s: the gateway says the number opted "
		    "out (code %s); recorded the opt-out",
		    (long long)it->id, who, res.error_code);
		return;
	case GATEWAY_FAILED:
		store_outbox_failed(d->store, it->id, res.error_code, res.error,
		                    now);
		log_err("reply %lld to %s: failed for good (HTTP %ld, code "
		        "%s): %s",
		        (long long)it->id, who, res.http_status,
		        res.error_code[0] ? res.error_code : "-", res.error);
		return;
	}
}

double
sender_run(struct daemon *d)
{
	for (int i = 0; i < SENDER_BATCH; i++) {
		struct store_outbox_item it;
		double wait;

		if (!guard_rate_take(&d->rate, daemon_now(), &wait))
			return wait;
		int rc = store_outbox_next(d->store, daemon_clock(), &it);
		if (rc < 0) {
			log_err("store: cannot read the outbox: %s",
			        store_error(d->store));
			return 5;
		}
		if (rc == 0) {
			/* Nothing due; give the token back. */
			d->rate.tokens += d->rate.rate > 0 ? 1 : 0;
			return 1;
		}
		sender_one(d, &it);
		store_outbox_item_free(&it);
	}
	return 0;
}
