/* Sender: drains the outbox.  Each reply is marked "sending" before it is
 * handed to the sending thread (sendq.h), which calls the gateway while the
 * loop goes on; the loop records each outcome when the thread hands it
 * back.  A reply whose earlier attempt may have reached the gateway (left
 * "sending" by a crash, answered 5xx, or no answer after the request went
 * out) is first looked up at the gateway, so that it does not go out twice
 * when the gateway can tell; one the gateway surely did not act on (no
 * connection, 3xx, 408, 429, 401...) is sent again without a lookup.
 *
 * Replies go out most urgent first (emergency, urgent, the rest), oldest
 * first within an urgency.  A row left "sending" waits until its attempt
 * could have landed at the gateway, and holds back no other reply while
 * it waits; one recorded by a clock that was ahead (and stepped back)
 * waits that long after this start, on the monotonic clock, not for the
 * step (the loop moves the outbox's times when the clock steps while it
 * runs: backtalkd_clock).
 *
 * Backoff follows the gateway, not the reply: a failure waits about a
 * second while other sends work, longer as failures run on; 429s have a
 * backoff of their own (Retry-After, else growing with 429s in a row) and
 * do not count as attempts.  When the gateway refuses our credentials
 * (401, 403, 404, 407) every reply is held, none is failed, /healthz says
 * so, and one request asks again every SENDER_AUTH_PROBE_S (at once after
 * a reload). */
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "gwdriver.h"
#include "log.h"
#include "log_ids.h"
#include "sendq.h"

/* The journal's fields of a reply, then the event's own. */
#define SENDER_FIELDS(d, it, ...)                                       \
	LOG_FIELDS(LOG_F_INT("REPLY_ID", (it)->id),                     \
	           LOG_F_PHONE("TO", (it)->to),                         \
	           LOG_F_TEXT("GATEWAY", (d)->conf->gw_out->ops->name), \
	           LOG_F_TEXT("INBOUND_ID", (it)->inbound_id),          \
	           LOG_F_TEXT("CATEGORY", (it)->category), __VA_ARGS__)

#define SENDER_FAULT_BASE    1.0 /* the first wait after a failure: 0.5-1 s */
#define SENDER_RETRY_MAX     900.0
#define SENDER_THROTTLE_BASE 1.0 /* after a 429 without Retry-After */
#define SENDER_THROTTLE_MAX  60.0
#define SENDER_AUTH_PROBE_S  15.0 /* while credentials are refused */
#define SENDER_AUTH_REMIND_S 300.0
#define SENDER_BATCH         1024 /* replies handed over a turn */
/* Rows left "sending" by a crash or a failed write look like the queue's
 * own, so they are looked at only when the queue is empty: under a steady
 * load it is let run dry this often for that. */
#define SENDER_SETTLE_EVERY_S 30.0

/* How long to go on asking the gateway about an interrupted attempt when
 * the lookup itself fails, before sending anyway. */
#define SENDER_LOOKUP_WINDOW_S 600
/* An attempt recorded at a time still to come was recorded by a clock
 * that was ahead (then stepped back): when it really began is unknown,
 * so the lookup reads this far back. */
#define SENDER_AHEAD_LOOKBACK_S 86400

enum sender_look {
	SENDER_LOOK_SENT,  /* it went out: recorded so */
	SENDER_LOOK_SEND,  /* it did not, or nobody can tell: send it */
	SENDER_LOOK_LATER, /* ask again later (recorded so) */
};

/* Seconds an attempt with no answer may still take to land at the
 * gateway: three HTTP timeouts. */
static double
sender_settle_s(const struct daemon *d)
{
	return 3.0 * d->conf->cfg->http.timeout_ms / 1000.0;
}

/* How long a claim holds a reply against another daemon on the same
 * store: the settle time, so that a claim a dead daemon left has run out
 * by the time its reply may be looked up, renewed while the send is in
 * flight (sender_renew). */
static int64_t
sender_lease_s(const struct daemon *d)
{
	return (int64_t)sender_settle_s(d) + 1;
}

/* Renews the claims on the replies in flight, a third of a lease before
 * they would run out. */
static void
sender_renew(struct daemon *d)
{
	if (sendq_outstanding(d->sendq) == 0 || daemon_now(d) < d->next_renew)
		return;
	/* Tried again a third of a lease later, not at every turn. */
	d->next_renew = daemon_now(d) + (double)sender_lease_s(d) / 3;
	if (store_outbox_renew(d->store, daemon_clock(d) + sender_lease_s(d)) <
	    0)
		log_err("store: cannot renew the claims on the replies being "
		        "sent: %s",
		        store_error(d->store));
}

/* Where the token comes from, for the log: never the token itself. */
static void
sender_secret_source(const struct daemon *d, char *buf, size_t len)
{
	const struct config_secret *src = gwdriver_secret(d->conf->cfg);

	if (src == NULL) /* a driver without a secret (the console) */
		snprintf(buf, len, "the configuration");
	else if (src->file != NULL)
		snprintf(buf, len, "the file %s (a reload reads it again)",
		         src->file);
	else if (src->env != NULL)
		snprintf(buf, len,
		         "the environment variable %s (read at start: "
		         "restart)",
		         src->env);
	else if (src->credential != NULL)
		snprintf(
		    buf, len,
		    "the systemd credential %s (systemd copies it when the "
		    "service starts: restart, a reload is not enough)",
		    src->credential);
	else
		snprintf(buf, len, "the configuration");
}

void
sender_auth_failed(struct daemon *d, const struct gateway_result *res,
                   const char *what)
{
	double now = daemon_now(d);
	char src[512];
	bool first = d->auth_failing == 0;
	const char *acct = gwdriver_of(d->conf->cfg->gateway)->account_settings;

	metrics_gateway_auth(d->metrics, res->http_status,
	                     (double)daemon_clock(d));
	if (first)
		d->auth_failing = now;
	d->next_auth_probe = now + SENDER_AUTH_PROBE_S;
	/* Once when it starts, then now and then, not once a reply. */
	if (!first && now - d->auth_logged < SENDER_AUTH_REMIND_S)
		return;
	d->auth_logged = now;
	sender_secret_source(d, src, sizeof(src));
	if (acct == NULL) /* a driver without an account (the console) */
		acct = "the configuration";
	log_event(LOG_LEVEL_ERR, LOG_ID_AUTH_REFUSED,
	          LOG_FIELDS(LOG_F_TEXT("GATEWAY", d->conf->gw_out->ops->name),
	                     LOG_F_TEXT("REQUEST", what),
	                     LOG_F_INT("HTTP_STATUS", res->http_status),
	                     LOG_F_TEXT("ERROR", res->error),
	                     LOG_F_INT("FAILING_S",
	                               (long long)(now - d->auth_failing))),
	          "%s: the gateway refused a %s with HTTP %ld (%s): our "
	          "credentials, account or URL are wrong (a rotated token?). "
	          "Replies are held, not dropped, and go out once it takes "
	          "them. Check %s, and the token in %s",
	          d->conf->gw_out->ops->name, what, res->http_status,
	          res->error, acct, src);
}

void
sender_gateway_ok(struct daemon *d)
{
	if (d->auth_failing == 0)
		return;
	log_notice("%s: the gateway takes our credentials again after %.0f "
	           "s; sending the replies held",
	           d->conf->gw_out->ops->name, daemon_now(d) - d->auth_failing);
	d->auth_failing = 0;
	d->next_poll = 0; /* what arrived meanwhile, at once */
	metrics_gateway_auth(d->metrics, 0, (double)daemon_clock(d));
}

/* The wait after a 429 without Retry-After: grows with 429s in a row. */
static double
sender_throttle_wait(const struct daemon *d, const struct gateway_result *res)
{
	unsigned n = d->send_throttles > 0 ? d->send_throttles - 1 : 0;

	if (res->retry_after_s > 0)
		return (double)res->retry_after_s;
	return daemon_backoff(SENDER_THROTTLE_BASE, n, SENDER_THROTTLE_MAX);
}

/* The wait after a failed attempt, the reply's attempts counted: about a
 * second while other sends work, growing as failures run on (when the
 * gateway is down, each reply's own count sets it). */
static double
sender_fault_wait(const struct daemon *d, unsigned attempts)
{
	unsigned n = attempts - 1;

	if (d->send_faults > 0 && d->send_faults - 1 < n)
		n = d->send_faults - 1;
	return daemon_backoff(SENDER_FAULT_BASE, n, SENDER_RETRY_MAX);
}

/* Settles a reply whose earlier attempt has an unknown outcome by asking
 * the gateway whether it went out. */
static enum sender_look
sender_reconcile(struct daemon *d, const struct store_outbox_item *it,
                 int64_t now)
{
	struct gateway_result res;
	char who[LOG_PHONE_MAX];
	int64_t since = it->sending_since - 60;
	int found;

	log_phone(it->to, who, sizeof(who));
	if (it->sending_since > now) {
		since = now - SENDER_AHEAD_LOOKBACK_S;
		log_warning("reply %lld to %s: its last attempt is recorded "
		            "%lld s from now (the clock was ahead and stepped "
		            "back); asking the gateway about the last day",
		            (long long)it->id, who,
		            (long long)(it->sending_since - now));
	}
	found = d->conf->gw_out->ops->find_sent(d->conf->gw_out, it->to,
	                                        it->body, since, &res);
	if (found >= 0)
		sender_gateway_ok(d); /* it took our credentials */
	/* The same text to the same number may have gone out for another
	 * message: what the lookup found is that one, not this one. */
	if (found == 1 && res.message_id[0] != '\0' &&
	    store_outbox_claimed(d->store, res.message_id, it->id) == 1) {
		log_info("reply %lld to %s: the gateway's %s with the same "
		         "text is another reply; sending this one",
		         (long long)it->id, who, res.message_id);
		return SENDER_LOOK_SEND;
	}
	if (found == 1) {
		log_notice("reply %lld to %s: found at the gateway as %s after "
		           "an attempt with no clear answer; not sending again",
		           (long long)it->id, who, res.message_id);
		store_outbox_sent(d->store, it->id, res.message_id,
		                  daemon_clock(d));
		return SENDER_LOOK_SENT;
	}
	if (found == 0) {
		/* A gateway may list a message it took late: one listing
		 * soon after the attempt does not say "not sent".  An attempt
		 * recorded ahead of the clock (which then stepped back) is
		 * timed from now, not made to wait for the step. */
		int64_t at = it->sending_since > now ? now : it->sending_since;
		int64_t trust = at + (int64_t)d->conf->cfg->http.lookup_trust_s;
		if (now >= trust)
			return SENDER_LOOK_SEND;
		store_outbox_retry(d->store, it->id, trust,
		                   "not listed at the gateway yet");
		log_info("reply %lld to %s: not listed at the gateway %lld s "
		         "after the attempt; looking again in %lld s",
		         (long long)it->id, who, (long long)(now - at),
		         (long long)(trust - now));
		return SENDER_LOOK_LATER;
	}
	/* The lookup failed: ask again for a while rather than risk a
	 * second copy, then send.  A refusal (401, 403...) is taken as a
	 * failed lookup, not as refused credentials: a key may be allowed to
	 * send and not to read the logs (Infobip's scopes), and the send
	 * says whether the credentials work. */
	if ((res.status == GATEWAY_RETRY || res.status == GATEWAY_THROTTLED ||
	     res.status == GATEWAY_AUTH) &&
	    now - it->sending_since < SENDER_LOOKUP_WINDOW_S) {
		double wait = sender_fault_wait(d, (unsigned)it->attempts + 1);
		if (wait > 60)
			wait = 60;
		if (res.status == GATEWAY_THROTTLED)
			wait = sender_throttle_wait(d, &res);
		if (res.retry_after_s > 0 && res.retry_after_s > wait)
			wait = (double)res.retry_after_s;
		store_outbox_retry(d->store, it->id, now + (int64_t)wait + 1,
		                   res.error);
		log_warning("reply %lld to %s: cannot ask the gateway whether "
		            "an earlier attempt went out (%s); asking again in "
		            "%.0f s",
		            (long long)it->id, who, res.error, wait);
		return SENDER_LOOK_LATER;
	}
	log_warning("reply %lld to %s: interrupted while sending and "
	            "the gateway cannot tell whether it went out; "
	            "sending it (it may arrive twice)",
	            (long long)it->id, who);
	return SENDER_LOOK_SEND;
}

/* The STOP confirmation is the one reply an opted-out number still gets.
 * The decision chose it (decide.c): a reply to a message classified STOP
 * is that confirmation, whatever the configured text is now. */
static bool
sender_is_stop_confirmation(const struct store_outbox_item *it)
{
	return it->category != NULL &&
	       strcmp(it->category, category_name(CATEGORY_STOP)) == 0;
}

/* Counts an attempt for the metrics; a failure by the gateway's error
 * code, or by the HTTP status when it gave none. */
static void
sender_count(struct daemon *d, const struct gateway_result *res)
{
	double now = (double)daemon_clock(d);
	char code[sizeof(res->error_code) + 8];

	if (res->status == GATEWAY_OK) {
		metrics_send_ok(d->metrics, now);
		return;
	}
	if (res->error_code[0] != '\0')
		snprintf(code, sizeof(code), "%s", res->error_code);
	else if (res->http_status > 0)
		snprintf(code, sizeof(code), "http_%ld", res->http_status);
	else
		snprintf(code, sizeof(code), "no_answer");
	metrics_send_failed(d->metrics, code, now);
	if (res->status == GATEWAY_OPTED_OUT)
		metrics_optout(d->metrics, 1);
}

/* A transient failure: back to pending, looked up first when the gateway
 * may have acted on it. */
static void
sender_retry(struct daemon *d, const struct store_outbox_item *it,
             const struct gateway_result *res, int64_t now, const char *who)
{
	unsigned attempts = (unsigned)it->attempts + 1;

	d->send_faults++;
	if (attempts >= d->conf->cfg->guard.max_attempts) {
		store_outbox_failed(d->store, it->id, res->error_code,
		                    res->error, now);
		log_event(
		    LOG_LEVEL_ERR, LOG_ID_SEND_FAILED,
		    SENDER_FIELDS(d, it, LOG_F_INT("ATTEMPT", attempts),
		                  LOG_F_INT("HTTP_STATUS", res->http_status),
		                  LOG_F_TEXT("ERROR", res->error)),
		    "reply %lld to %s: giving up after %u attempts: %s",
		    (long long)it->id, who, attempts, res->error);
		return;
	}
	double wait = sender_fault_wait(d, attempts);
	if (res->retry_after_s > 0)
		wait = (double)res->retry_after_s;
	/* No answer at all: the request may still land at the gateway.
	 * Give it time to, so that the lookup before the retry sees it. */
	if (res->unsure && res->http_status == 0 && wait < sender_settle_s(d))
		wait = sender_settle_s(d);
	if (res->unsure)
		store_outbox_retry(d->store, it->id, now + (int64_t)wait + 1,
		                   res->error);
	else
		store_outbox_requeue(d->store, it->id, now + (int64_t)wait + 1,
		                     res->error, true);
	log_event(LOG_LEVEL_WARNING, LOG_ID_SEND_RETRY,
	          SENDER_FIELDS(d, it, LOG_F_INT("ATTEMPT", attempts),
	                        LOG_F_INT("HTTP_STATUS", res->http_status),
	                        LOG_F_TEXT("ERROR", res->error),
	                        LOG_F_INT("RETRY_IN_S", (long long)wait)),
	          "reply %lld to %s: %s (HTTP %ld); retry %u in %.0f s%s",
	          (long long)it->id, who, res->error, res->http_status,
	          attempts, wait, res->unsure ? ", after a lookup" : "");
}

/* Records the outcome of one attempt (inside the caller's batch). */
static void
sender_settle(struct daemon *d, const struct store_outbox_item *it,
              const struct gateway_result *res, int64_t now)
{
	char who[LOG_PHONE_MAX];

	log_phone(it->to, who, sizeof(who));
	sender_count(d, res);
	/* Taken, or refused for the message itself: the credentials work. */
	if (res->status == GATEWAY_OK || res->status == GATEWAY_FAILED ||
	    res->status == GATEWAY_OPTED_OUT)
		sender_gateway_ok(d);
	switch (res->status) {
	case GATEWAY_OK:
		metrics_reply_latency(d->metrics, it->category,
		                      (double)(now - it->received_at));
		d->send_faults = 0;
		d->send_throttles = 0;
		if (store_outbox_sent(d->store, it->id, res->message_id,
		                      daemon_clock(d)) != 0)
			log_err(
			    "store: reply %lld sent as %s but not recorded: "
			    "%s",
			    (long long)it->id, res->message_id,
			    store_error(d->store));
		else
			log_event(
			    LOG_LEVEL_INFO, LOG_ID_SENT,
			    SENDER_FIELDS(
			        d, it,
			        LOG_F_TEXT("GATEWAY_MESSAGE_ID",
			                   res->message_id),
			        LOG_F_INT("ATTEMPT", it->attempts + 1),
			        LOG_F_INT("LATENCY_S", now - it->received_at)),
			    "reply %lld to %s: sent as %s", (long long)it->id,
			    who, res->message_id);
		return;
	case GATEWAY_RETRY:
		sender_retry(d, it, res, now, who);
		return;
	case GATEWAY_THROTTLED: {
		/* Never acted on: not an attempt, and no lookup. */
		d->send_throttles++;
		double wait = sender_throttle_wait(d, res);
		store_outbox_requeue(d->store, it->id, now + (int64_t)wait + 1,
		                     res->error, false);
		log_event(LOG_LEVEL_WARNING, LOG_ID_SEND_RETRY,
		          SENDER_FIELDS(
		              d, it, LOG_F_INT("HTTP_STATUS", res->http_status),
		              LOG_F_TEXT("ERROR", res->error),
		              LOG_F_INT("RETRY_IN_S", (long long)wait)),
		          "reply %lld to %s: %s (HTTP %ld); retry in %.0f s",
		          (long long)it->id, who, res->error, res->http_status,
		          wait);
		return;
	}
	case GATEWAY_AUTH:
		/* Held: due at once, and sent when the credentials work. */
		store_outbox_requeue(d->store, it->id, now, res->error, false);
		sender_auth_failed(d, res, "send");
		return;
	case GATEWAY_OPTED_OUT:
		store_outbox_failed(d->store, it->id, res->error_code,
		                    res->error, now);
		store_optout_set(d->store, it->to, true, "gateway", now);
		log_event(LOG_LEVEL_NOTICE, LOG_ID_SEND_FAILED,
		          SENDER_FIELDS(
		              d, it, LOG_F_INT("HTTP_STATUS", res->http_status),
		              LOG_F_TEXT("ERROR_CODE", res->error_code),
		              LOG_F_TEXT("ERROR", res->error),
		              LOG_F_TEXT("REASON", "opted_out"),
		              LOG_F_TEXT("OPTOUT", "out")),
		          "reply %lld to %s: the gateway says the number opted "
		          "out (code %s); recorded the opt-out",
		          (long long)it->id, who, res->error_code);
		return;
	case GATEWAY_FAILED:
		store_outbox_failed(d->store, it->id, res->error_code,
		                    res->error, now);
		log_event(
		    LOG_LEVEL_ERR, LOG_ID_SEND_FAILED,
		    SENDER_FIELDS(
		        d, it, LOG_F_INT("HTTP_STATUS", res->http_status),
		        LOG_F_TEXT("ERROR_CODE",
		                   res->error_code[0] ? res->error_code : NULL),
		        LOG_F_TEXT("ERROR", res->error)),
		    "reply %lld to %s: failed for good (HTTP %ld, code "
		    "%s): %s",
		    (long long)it->id, who, res->http_status,
		    res->error_code[0] ? res->error_code : "-", res->error);
		return;
	}
}

/* Whether a due reply should go out now, as far as its earlier attempt
 * goes: a row left "sending" (which store_outbox_work hands out only once
 * that attempt could have landed at the gateway) or retried is looked up
 * like any attempt that got no answer. */
static bool
sender_may_send(struct daemon *d, const struct store_outbox_item *it,
                int64_t now)
{
	/* No earlier attempt the gateway may have acted on. */
	if (it->state != STORE_OUTBOX_SENDING && it->sending_since == 0)
		return true;
	return sender_reconcile(d, it, now) == SENDER_LOOK_SEND;
}

/* Whether the number opted out since the reply was decided (a STOP
 * confirmation itself is still sent); cancels the reply when it did.
 * Inside the caller's batch. */
static bool
sender_opted_out(struct daemon *d, const struct store_outbox_item *it)
{
	char who[LOG_PHONE_MAX];

	if (store_is_opted_out(d->store, it->to) <= 0 ||
	    sender_is_stop_confirmation(it))
		return false;
	store_outbox_cancel(d->store, it->id, "opted out");
	log_event(LOG_LEVEL_INFO, LOG_ID_SEND_CANCELLED,
	          SENDER_FIELDS(d, it, LOG_F_TEXT("REASON", "opted_out")),
	          "reply %lld to %s: cancelled, opted out", (long long)it->id,
	          log_phone(it->to, who, sizeof(who)));
	return true;
}

/* One reply at a time to a number, so that they arrive in order (a
 * conversation's question after the reply it follows): row i waits while
 * a reply to the same number is with the sending thread or goes before it
 * in this batch (go[j]). */
static bool
sender_busy(const struct daemon *d, const struct store_outbox_item *items,
            const bool *go, size_t i)
{
	if (items[i].to == NULL)
		return false;
	if (sendq_holds(d->sendq, items[i].to))
		return true;
	for (size_t j = 0; j < i; j++)
		if (go[j] && items[j].to != NULL &&
		    strcmp(items[j].to, items[i].to) == 0)
			return true;
	return false;
}

/* Takes up to max send tokens; returns how many, and when none, sets
 * *ret_wait to the time until one will be there. */
static size_t
sender_tokens(struct daemon *d, size_t max, double *ret_wait)
{
	double now = daemon_now(d);
	size_t n = 0;

	while (n < max && guard_rate_take(&d->conf->rate, now, ret_wait))
		n++;
	return n;
}

/* Records the outcomes the sending thread has handed back, in one
 * transaction.  When that fails the rows stay "sending", and each is
 * looked up at the gateway before it could be sent again. */
static void
sender_collect(struct daemon *d)
{
	struct store_outbox_item it;
	struct gateway_result res;
	bool open = false;
	size_t n = 0;
	int64_t now = daemon_clock(d);

	while (sendq_pop(d->sendq, &it, &res) == 1) {
		if (n++ == 0 && store_batch_begin(d->store) == 0)
			open = true;
		sender_settle(d, &it, &res, now);
		store_outbox_item_free(&it);
	}
	if (open && store_batch_commit(d->store) < 0)
		log_err("store: cannot record the outcome of %zu replies: %s; "
		        "each will be looked up at the gateway",
		        n, store_error(d->store));
}

/* One turn: records what the sending thread has done, then takes up to
 * SENDER_BATCH due replies (as many as the queue has room for), marks
 * them "sending" (claims them) in one transaction and hands them to the
 * thread.  A crash after that leaves them "sending", and each is looked
 * up at the gateway before it is sent again. */
double
sender_run(struct daemon *d)
{
	static struct store_outbox_item items[SENDER_BATCH];
	static bool go[SENDER_BATCH];
	double wait = 1;
	int64_t now;
	size_t n, i, tokens, room, held = 0;
	bool settle;
	int rc;

	sender_collect(d);
	sender_renew(d);
	settle = sendq_outstanding(d->sendq) == 0;
	if (settle)
		d->next_settle = daemon_now(d) + SENDER_SETTLE_EVERY_S;
	else if (daemon_now(d) >= d->next_settle)
		return 1; /* the queue's descriptor wakes the loop */
	room = sendq_room(d->sendq);
	if (room == 0)
		return 1;
	if (room > SENDER_BATCH)
		room = SENDER_BATCH;
	/* Credentials refused: everything is held but one request now and
	 * then, which asks whether they work again. */
	if (d->auth_failing > 0) {
		if (!settle)
			return 1;
		if (daemon_now(d) < d->next_auth_probe)
			return d->next_auth_probe - daemon_now(d);
		d->next_auth_probe = daemon_now(d) + SENDER_AUTH_PROBE_S;
		room = 1;
	}
	tokens = sender_tokens(d, room, &wait);
	if (tokens == 0)
		return wait;
	/* Rows left "sending" are looked at once their attempt could have
	 * landed at the gateway: settle time after it began, on the wall
	 * clock, as it is recorded; or, when it is recorded ahead of the
	 * clock (which then stepped back), settle time after this start, on
	 * the monotonic clock.  Until then they hold back no other reply. */
	now = daemon_clock(d);
	int64_t settled_before =
	    settle ? now - (int64_t)sender_settle_s(d) - 1 : 0;
	bool ahead_too =
	    settle && daemon_now(d) - d->started >= sender_settle_s(d);
	rc = store_outbox_work(d->store, now, settled_before, ahead_too, tokens,
	                       items, &n);
	if (rc < 0) {
		log_err("store: cannot read the outbox: %s",
		        store_error(d->store));
		d->conf->rate.tokens +=
		    d->conf->rate.rate > 0 ? (double)tokens : 0;
		return 5;
	}
	/* Give back the tokens not used. */
	if (d->conf->rate.rate > 0)
		d->conf->rate.tokens += (double)(tokens - n);
	if (n == 0)
		return 1;

	/* Settle what needs a look at the gateway first, then mark the rest
	 * in one go. */
	for (i = 0; i < n; i++)
		go[i] = sender_may_send(d, &items[i], now);
	if (store_batch_begin(d->store) < 0)
		goto store_failed;
	for (i = 0; i < n; i++) {
		if (go[i] && sender_opted_out(d, &items[i]))
			go[i] = false;
		if (go[i] && sender_busy(d, items, go, i)) {
			go[i] = false;
			held++;
		}
		/* Another daemon on the same store may hold it (0). */
		if (go[i]) {
			int c = store_outbox_claim(d->store, items[i].id, now,
			                           now + sender_lease_s(d));
			if (c < 0)
				log_err("store: %s", store_error(d->store));
			go[i] = c == 1;
		}
	}
	if (store_batch_commit(d->store) < 0)
		goto store_failed;
	if (d->conf->rate.rate > 0)
		d->conf->rate.tokens += (double)held;

	for (i = 0; i < n; i++) {
		/* The queue has room for all n: it owns them now. */
		if (!go[i] || sendq_push(d->sendq, &items[i]) != 0)
			store_outbox_item_free(&items[i]);
	}
	/* More may be due; a row held back goes when the reply before it
	 * is taken back (the queue's descriptor wakes the loop). */
	return n == tokens && held == 0 ? 0 : 1;

store_failed:
	/* Rows marked "sending" are looked up before they are sent again. */
	log_err("store: cannot record the outbox: %s", store_error(d->store));
	for (i = 0; i < n; i++)
		store_outbox_item_free(&items[i]);
	return 5;
}

/* At the end: records what the thread sent, and puts back what it never
 * did, so that the next start sends it without a lookup first. */
void
sender_stop(struct daemon *d)
{
	struct store_outbox_item it;
	size_t n = 0;

	sendq_stop(d->sendq);
	sender_collect(d);
	if (store_batch_begin(d->store) < 0)
		log_err("store: %s", store_error(d->store));
	while (sendq_take_unsent(d->sendq, &it) == 1) {
		if (store_outbox_release(d->store, it.id) < 0)
			log_err("store: %s", store_error(d->store));
		store_outbox_item_free(&it);
		n++;
	}
	if (store_batch_commit(d->store) < 0)
		log_err("store: cannot put back %zu replies not sent: %s; "
		        "each will be looked up at the gateway first",
		        n, store_error(d->store));
	else if (n > 0)
		log_info("%zu replies not sent yet are left for the next "
		         "start",
		         n);
}
