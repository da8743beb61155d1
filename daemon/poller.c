/* Poller: fetch inbound messages, classify each, decide what to do, and
 * record message and decision in one transaction before anything is sent. */
#include <stdio.h>
#include <string.h>

#include "compliance.h"
#include "daemon.h"
#include "log.h"
#include "normalise.h"

#define POLLER_BACKOFF_MAX 300.0

static const char *
poller_text(const struct daemon *d, enum category c)
{
	const struct config *cfg = d->cfg;
	const char *over = NULL;

	if (c == CATEGORY_HELP)
		over = cfg->compliance.help_text;
	else if (c == CATEGORY_STOP)
		over = cfg->compliance.stop_text;
	else if (c == CATEGORY_START)
		over = cfg->compliance.start_text;
	return over ? over : rules_builtin_reply(d->rs, c);
}

/* Decides what to do with one classified message. */
static void
poller_decide(struct daemon *d, const struct gateway_message *m,
              const struct classify_result *res, const char *norm,
              struct store_decision *dec)
{
	const struct config *cfg = d->cfg;
	int64_t now = daemon_clock();
	bool compliance = res->category == CATEGORY_STOP ||
	                  res->category == CATEGORY_START ||
	                  res->category == CATEGORY_HELP;

	memset(dec, 0, sizeof(*dec));
	dec->category = category_name(res->category);
	dec->topic = topic_name(res->topic);
	dec->rule = res->rule_id;
	dec->action = STORE_ACTION_NONE;
	dec->reply_from = NULL;
	if (res->category == CATEGORY_STOP)
		dec->optout_change = 1;
	else if (res->category == CATEGORY_START)
		dec->optout_change = -1;

	if (compliance) {
		/* The gateway answers STOP/START/HELP itself (Twilio on long
		 * codes and toll-free numbers): record, stay silent. */
		if (cfg->compliance.gateway_handles_keywords) {
			dec->note = "gateway answers compliance keywords";
			return;
		}
		dec->reply = poller_text(d, res->category);
		if (dec->reply == NULL) {
			dec->note = "no text configured";
			return;
		}
		/* A STOP confirmation is the one message an opted-out
		 * number still gets. */
		dec->action = STORE_ACTION_REPLY;
		return;
	}
	int opted = store_is_opted_out(d->store, m->from);
	if (opted != 0) {
		dec->note = opted > 0 ? "opted out" : "opt-out state unknown";
		return;
	}
	if (m->sent_at > 0 && now - m->sent_at > (int64_t)cfg->max_age_s) {
		dec->note = "too old";
		return;
	}
	if (guard_is_autoreply(norm)) {
		dec->note = guard_verdict_name(GUARD_AUTORESPONDER);
		return;
	}
	if (res->reply == NULL) {
		dec->note = "no reply text";
		return;
	}
	enum guard_verdict v =
	    guard_check(d->guard, m->from, norm, res->reply,
	                category_is_red_flag(res->category), now);
	if (v != GUARD_ALLOW) {
		dec->note = guard_verdict_name(v);
		return;
	}
	dec->action = STORE_ACTION_REPLY;
	dec->reply = res->reply;
}

/* Records one message.  Returns false when the store failed. */
static bool
poller_take(struct daemon *d, const struct gateway_message *m)
{
	struct classify_result res;
	struct store_decision dec;
	struct normalise_result nr;
	static char norm[BT_MESSAGE_MAX + 1];
	char who[LOG_PHONE_MAX];
	const char *gw = d->gw->ops->name;
	const char *body = m->body ? m->body : "";

	int seen = store_seen(d->store, gw, m->id);
	if (seen < 0) {
		log_err("store: %s", store_error(d->store));
		return false;
	}
	if (seen > 0)
		return true;

	if (classify_message(d->cls, body, strlen(body), &res, NULL) != 0) {
		/* Gateways hand over valid UTF-8; if one does not, answer
		 * with the menu rather than lose the message. */
		log_warning("message %s: body is not valid UTF-8 (byte %zu); "
		            "answering with the menu",
		            m->id, res.bad_offset);
		memset(&res, 0, sizeof(res));
		res.category = CATEGORY_FALLBACK;
		res.rule = -1;
		res.reply = rules_builtin_reply(d->rs, CATEGORY_FALLBACK);
		norm[0] = '\0';
	} else {
		normalise_text(body, strlen(body), NORMALISE_RUNS_TWO, norm,
		               &nr);
	}
	poller_decide(d, m, &res, norm, &dec);

	struct store_inbound in = {
		.gateway = gw,
		.id = m->id,
		.from = m->from,
		.to = m->to,
		.body = body,
		.sent_at = m->sent_at,
		.received_at = daemon_clock(),
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

/* Stores what is pending; returns false if the store still fails. */
static bool
poller_drain(struct daemon *d)
{
	while (d->pending_next < d->pending.count) {
		if (!poller_take(d, &d->pending.items[d->pending_next]))
			return false;
		d->pending_next++;
	}
	gateway_batch_free(&d->pending);
	memset(&d->pending, 0, sizeof(d->pending));
	d->pending_next = 0;
	return true;
}

double
poller_run(struct daemon *d)
{
	double interval = d->cfg->poll_interval_ms / 1000.0;
	struct gateway_result res;

	if (!poller_drain(d)) {
		d->store_failing = true;
		d->poll_backoff = daemon_backoff(1, 4, POLLER_BACKOFF_MAX);
		return d->poll_backoff;
	}
	if (d->store_failing) {
		log_notice("store: recovered; taking new messages again");
		d->store_failing = false;
	}
	if (d->input_closed)
		return interval;

	double t0 = daemon_now();
	enum gateway_status st = d->gw->ops->poll(d->gw, &d->pending, &res);
	if (st != GATEWAY_OK) {
		double wait = daemon_backoff(interval, ++d->poll_failures,
		                             POLLER_BACKOFF_MAX);
		if (res.retry_after_s > 0 && res.retry_after_s > wait)
			wait = (double)res.retry_after_s;
		log_warning("%s: poll failed (HTTP %ld%s%s): %s; next try in "
		            "%.1f s",
		            d->gw->ops->name, res.http_status,
		            res.error_code[0] ? ", code " : "", res.error_code,
		            res.error, wait);
		/* Keep anything a partial poll brought. */
		poller_drain(d);
		d->poll_backoff = wait;
		return wait;
	}
	d->poll_backoff = 0;
	d->poll_failures = 0;
	if (res.error[0] != '\0') /* a note on success ("N unusable") */
		log_notice("%s: poll: %s", d->gw->ops->name, res.error);
	bool more = d->pending.more, closed = d->pending.closed;
	size_t n = d->pending.count;
	if (!poller_drain(d)) {
		d->store_failing = true;
		return daemon_backoff(1, 4, POLLER_BACKOFF_MAX);
	}
	if (n > 0)
		log_dbg("%s: poll brought %zu messages in %.3f s",
		        d->gw->ops->name, n, daemon_now() - t0);
	if (closed)
		d->input_closed = true;
	return more ? 0 : interval;
}
