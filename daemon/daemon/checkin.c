/* Check-ins (checkin.h).  Each claimed check-in is, in order: cancelled
 * when its conversation is gone from the rules, its number cannot be
 * answered or its generation is not the number's (stale); put off to the
 * end of the person's quiet hours (localtz.h); put off while another
 * conversation waits, the daily bound is met or the flood guard holds the
 * number back; otherwise its first question is queued through
 * store_scheduled_send, which also refuses an opted-out number. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "checkin.h"
#include "convo.h"
#include "convoflow.h"
#include "decide.h"
#include "localtz.h"
#include "log.h"
#include "senderid.h"

#define CHECKIN_BATCH   16
#define CHECKIN_EVERY_S 1.0
#define CHECKIN_LEASE_S 60
#define CHECKIN_LATER_S 3600 /* another conversation waits, or the bound */

/* Cancels (why) or puts off (until `later`, when > 0) check-in it. */
static void
checkin_settle(struct daemon *d, const struct store_scheduled *it,
               const char *why, int64_t later)
{
	char who[LOG_PHONE_MAX];
	int rc = later > 0 ? store_scheduled_defer(d->store, it->id, later)
	                   : store_scheduled_cancel(d->store, it->id, why,
	                                            daemon_clock(d));

	if (rc < 0) {
		log_err("store: check-in %" PRId64 ": %s", it->id,
		        store_error(d->store));
		return;
	}
	log_info("check-in %" PRId64 " to %s: %s %s", it->id,
	         log_phone(it->number, who, sizeof(who)),
	         later > 0 ? "put off:" : "cancelled:", why);
}

static void
checkin_one(struct daemon *d, const struct store_scheduled *it, int64_t now)
{
	const struct config *cfg = d->conf->cfg;
	const struct ruleset *rs = d->conf->rs;
	struct decide_env env = poller_decide_env(d);
	char text[CONVO_STATE_TEXT_MAX], key[64], who[LOG_PHONE_MAX];
	struct convo_state st, next;
	struct convo_out out;
	long conv = convo_find(rs->convos, it->convo);
	struct store_convo_event ev[CONVO_EVENTS_MAX + 1];
	size_t nev;
	const char *zone, *why;
	int64_t at;
	int rc;

	if (conv < 0) {
		checkin_settle(d, it, "its conversation is not in the rules",
		               0);
		return;
	}
	if (!senderid_answerable(it->number)) {
		checkin_settle(d, it, "not a number a reply can reach", 0);
		return;
	}
	zone = localtz_zone(it->number, cfg->conversations.timezone != NULL
	                                    ? cfg->conversations.timezone
	                                    : "UTC");
	at = localtz_after_quiet(zone, now, cfg->conversations.quiet_from,
	                         cfg->conversations.quiet_to);
	if (at > now) {
		checkin_settle(d, it, "quiet hours", at);
		return;
	}
	rc = store_convo_get(d->store, it->number, text, sizeof(text));
	if (rc < 0) {
		log_err("store: %s", store_error(d->store));
		return; /* claimed: taken again once the lease runs out */
	}
	if (rc == 0 || convo_state_parse(text, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (st.gen != it->gen) {
		checkin_settle(d, it, "stale (a newer report or a STOP)", 0);
		return;
	}
	if (convo_begin(rs, &st, (uint16_t)(conv + 1), it->gen, now, &next,
	                &out) < 0 ||
	    out.n == 0) {
		checkin_settle(d, it,
		               "another conversation waits or the daily "
		               "bound is met",
		               now + CHECKIN_LATER_S);
		return;
	}
	/* Counted by the guard like a reply; its own key, never a repeat. */
	snprintf(key, sizeof(key), "checkin %" PRId64, it->id);
	why = decide_convo_message(&env, it->number, 0, now, key,
	                           out.msgs[0].text, false);
	if (why != NULL && strcmp(why, "opted out") == 0) {
		checkin_settle(d, it, why, 0);
		return;
	}
	if (why != NULL) {
		checkin_settle(d, it, why, now + (int64_t)cfg->guard.window_s);
		return;
	}
	convo_state_format(&next, text, sizeof(text));
	nev = convoflow_events(rs, &out, false, &next, ev);
	rc = store_scheduled_send(d->store, it, out.msgs[0].text, 0, text, ev,
	                          nev, now);
	if (rc == 1)
		convoflow_count(d->metrics, ev, nev);
	if (rc < 0)
		log_err("store: check-in %" PRId64 ": %s", it->id,
		        store_error(d->store));
	else
		log_info("check-in %" PRId64 " to %s: %s", it->id,
		         log_phone(it->number, who, sizeof(who)),
		         rc == 1 ? "queued"
		                 : "not queued (opted out, or "
		                   "cancelled meanwhile)");
}

double
checkin_run(struct daemon *d)
{
	const struct config *cfg = d->conf->cfg;
	struct store_scheduled items[CHECKIN_BATCH];
	int64_t now = daemon_clock(d);
	size_t n = 0;

	convoflow_sweep(d);
	if (!cfg->conversations.checkin || d->conf->rs->convos == NULL ||
	    d->store_failing)
		return CHECKIN_EVERY_S;
	if (store_scheduled_claim(d->store, now, now + CHECKIN_LEASE_S,
	                          CHECKIN_BATCH, items, &n) < 0) {
		log_err("store: cannot claim check-ins: %s",
		        store_error(d->store));
		return 5;
	}
	for (size_t i = 0; i < n; i++) {
		checkin_one(d, &items[i], now);
		store_scheduled_free(&items[i]);
	}
	return n == CHECKIN_BATCH ? 0 : CHECKIN_EVERY_S;
}
