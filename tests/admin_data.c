/* The records behind admin_data.h.  The decisions are the ones
 * tests/admin/rules.conf makes, so that replaying them against it changes
 * nothing; tests/admin/rules-new.conf changes three of them. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "admin_data.h"

#define MIN  60
#define HOUR 3600
#define DAY  86400

struct admin_row {
	const char *gateway, *id, *from, *body;
	int64_t ago;
	const char *category, *topic, *rule, *reply;
	int optout_change;
	/* What became of the reply: 's'ent, 'f'ailed, or left pending. */
	char fate;
	const char *error_code, *error;
};

static const struct admin_row admin_rows[] = {
	{ "twilio", "SMa1", ADMIN_DATA_A, "FORM", 3 * DAY, "tip", "form",
	  "form", "Brace your core.", 0, 's', NULL, NULL },
	{ "twilio", "SMa2", ADMIN_DATA_A,
	  "my leg is numb and I cannot control my bladder", 2 * DAY, "urgent",
	  NULL, "numb-leg", "Numbness needs a doctor today.", 0, 's', NULL,
	  NULL },
	{ "twilio", "SMa3", ADMIN_DATA_A, "any stretches?", HOUR, "tip",
	  "stretch", "stretch", "Try cat-cow.", 0, 'p', NULL, NULL },
	{ "twilio", "SMb1", ADMIN_DATA_B, "hello", 10 * DAY, "fallback", NULL,
	  NULL, "Text FORM for tips.", 0, 'f', "30007", "carrier filtered" },
	{ "twilio", "SMb2", ADMIN_DATA_B, "form", 2 * HOUR, "tip", "form",
	  "form", "Brace your core.", 0, 'f', "21610",
	  "unsubscribed recipient" },
	{ "twilio", "SMb3", ADMIN_DATA_B, "STOP", 30 * MIN, "stop", NULL, NULL,
	  "You are unsubscribed.", 1, 's', NULL, NULL },
	{ "infobip", "ib-c1", ADMIN_DATA_C, "stretch please", 20 * MIN, "tip",
	  "stretch", "stretch", "Try cat-cow.", 0, 'p', NULL, NULL },
};

/* Takes the reply just recorded for r through the sender's steps. */
static int
admin_data_settle(struct store *st, const struct admin_row *r, int64_t now)
{
	struct store_outbox_item items[16];
	int64_t t = now - r->ago, id = 0;
	size_t n;
	int rc;

	if (store_outbox_due(st, now, 16, items, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(items[i].inbound_id, r->id) == 0)
			id = items[i].id;
		store_outbox_item_free(&items[i]);
	}
	if (id == 0)
		return -1;
	rc = store_outbox_claim(st, id, t + 1, t + 31) == 1 ? 0 : -1;
	if (rc == 0 && r->fate == 's')
		rc = store_outbox_sent(st, id, "SMout", t + 5);
	else if (rc == 0 && r->fate == 'f')
		rc =
		    store_outbox_failed(st, id, r->error_code, r->error, t + 5);
	return rc;
}

int
admin_data_fill(struct store *st, int64_t now)
{
	char poll[32];

	for (size_t i = 0; i < sizeof(admin_rows) / sizeof(admin_rows[0]);
	     i++) {
		const struct admin_row *r = &admin_rows[i];
		struct store_inbound in = {
			.gateway = r->gateway,
			.id = r->id,
			.from = r->from,
			.to = "+15550001000",
			.body = r->body,
			.sent_at = now - r->ago - 2,
			.received_at = now - r->ago,
		};
		struct store_decision dec = {
			.category = r->category,
			.topic = r->topic,
			.rule = r->rule,
			.action = STORE_ACTION_REPLY,
			.reply = r->reply,
			.reply_from = "+15550001000",
			.optout_change = r->optout_change,
		};
		if (store_record(st, &in, &dec) != STORE_RECORDED)
			return -1;
		if (r->fate != 'p' && admin_data_settle(st, r, now) < 0)
			return -1;
	}
	/* A message fetched but not decided yet. */
	struct store_inbound staged = {
		.gateway = "infobip",
		.id = "ib-c2",
		.from = ADMIN_DATA_C,
		.to = "+15550001000",
		.body = "thanks",
		.received_at = now - 5 * MIN,
	};
	if (store_incoming_add(st, &staged) != 1)
		return -1;
	snprintf(poll, sizeof(poll), "%lld", (long long)(now - 2 * MIN));
	if (store_state_set(st, "last_poll", poll) < 0)
		return -1;
	/* Retention has cleared the bodies of the oldest message. */
	return store_retention(st, now - 5 * DAY) < 0 ? -1 : 0;
}

/* One message of a conversation and what the daemon decided: its replies
 * (sent), its conversation events and the check-in it schedules. */
struct admin_convo_row {
	const char *id, *from, *body;
	int64_t ago;
	const char *category, *rule;
	const char *reply, *more;
	struct store_convo_event ev[2];
	size_t nev;
	bool schedule;
};

#define ADMIN_ASK                                                          \
	"One question to be safe: if you notice numbness, tingling, pain " \
	"down a leg, a weak leg or trouble peeing, reply 1. If none of "   \
	"these, "                                                          \
	"reply 2."

static const struct admin_convo_row admin_convo_rows[] = {
	{ "SMd1",
	  ADMIN_DATA_D,
	  "my lower back is sore after deadlifts",
	  3 * HOUR,
	  "tip",
	  "tip-recovery",
	  "Rest a day or two, then move.",
	  ADMIN_ASK,
	  { { "screening", false, "started", "ask", NULL } },
	  1,
	  false },
	{ "SMd2",
	  ADMIN_DATA_D,
	  "1",
	  3 * HOUR - 2 * MIN,
	  "info",
	  NULL,
	  "If bladder or bowel habits changed, reply 1. If the groin or seat "
	  "area feels different, reply 2. If neither, reply 3.",
	  NULL,
	  { { "screening", false, "answered", "ask", "yes" } },
	  1,
	  false },
	{ "SMd3",
	  ADMIN_DATA_D,
	  "2",
	  3 * HOUR - 4 * MIN,
	  "emergency",
	  "cauda-equina-saddle-numbness",
	  "Numbness in the seat area: call 911.",
	  NULL,
	  { { "screening", false, "finished", "bladder",
	      "cauda-equina-saddle-numbness" } },
	  1,
	  false },
	{ "SMe1",
	  ADMIN_DATA_E,
	  "my back hurts",
	  7 * DAY + 2 * HOUR,
	  "tip",
	  "tip-recovery",
	  "Rest a day or two, then move.",
	  ADMIN_ASK,
	  { { "screening", false, "started", "ask", NULL } },
	  1,
	  true },
	{ "SMe2",
	  ADMIN_DATA_E,
	  "3",
	  HOUR,
	  "tip",
	  "pain-worsening",
	  "Worse after a week: see a doctor.",
	  NULL,
	  { { "checkin", true, "finished", "how", "worse" } },
	  1,
	  false },
};

/* Sends every reply waiting, at its creation time plus 5 s. */
static int
admin_data_send_all(struct store *st, int64_t now)
{
	struct store_outbox_item items[16];
	size_t n;
	int rc = 0;

	if (store_outbox_due(st, now, 16, items, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int64_t t = items[i].created_at;
		if ((strcmp(items[i].to, ADMIN_DATA_D) == 0 ||
		     strcmp(items[i].to, ADMIN_DATA_E) == 0) &&
		    (store_outbox_claim(st, items[i].id, t + 1, t + 31) != 1 ||
		     store_outbox_sent(st, items[i].id, "SMout", t + 5) < 0))
			rc = -1;
		store_outbox_item_free(&items[i]);
	}
	return rc;
}

/* E's check-in, a week after its report: the screening question it left
 * waiting expired, and the check-in asks. */
static int
admin_data_checkin(struct store *st, int64_t now)
{
	static const struct store_convo_event ev[] = {
		{ "screening", false, "expired", "ask", NULL },
		{ "checkin", true, "started", "how", NULL },
	};
	struct store_scheduled it;
	size_t n = 0;
	int64_t t = now - 2 * HOUR;

	if (store_scheduled_claim(st, t, t + 60, 1, &it, &n) < 0 || n != 1)
		return -1;
	int rc = store_scheduled_send(
	    st, &it,
	    "Backtalk here, checking in: how is your back now? Reply 1 if "
	    "better, 2 if about the same, 3 if worse.",
	    0, "c2 s0 r0 n1 d0 t0 g1", ev, 2, t);
	store_scheduled_free(&it);
	return rc == 1 ? 0 : -1;
}

int
admin_data_fill_convo(struct store *st, int64_t now)
{
	for (size_t i = 0;
	     i < sizeof(admin_convo_rows) / sizeof(admin_convo_rows[0]); i++) {
		const struct admin_convo_row *r = &admin_convo_rows[i];
		int64_t t = now - r->ago;
		const char *more[] = { r->more };
		struct store_schedule sc = { "checkin", 1, t + 7 * DAY - HOUR };
		struct store_inbound in = {
			.gateway = "twilio",
			.id = r->id,
			.from = r->from,
			.to = "+15550001000",
			.body = r->body,
			.sent_at = t - 2,
			.received_at = t,
		};
		struct store_decision dec = {
			.category = r->category,
			.rule = r->rule,
			.action = STORE_ACTION_REPLY,
			.reply = r->reply,
			.reply_from = "+15550001000",
			.more = more,
			.nmore = r->more != NULL ? 1 : 0,
			.events = r->ev,
			.nevents = r->nev,
			.schedule = r->schedule ? &sc : NULL,
		};
		if (strcmp(r->id, "SMe2") == 0 &&
		    admin_data_checkin(st, now) < 0)
			return -1;
		if (store_record(st, &in, &dec) != STORE_RECORDED ||
		    admin_data_send_all(st, now) < 0)
			return -1;
	}
	return 0;
}
