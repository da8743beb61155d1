/* Tests for store_sqlite_convo.c through store.h, on a real SQLite file
 * in a fresh directory: a number's conversation state is written with
 * the message it follows (never twice for one message), a newer report's
 * check-in replaces the pending one, a STOP or an opt-out cancels every
 * check-in (claimed ones too), claims hold under a lease as outbox rows
 * do, a claimed check-in becomes exactly one outbox row however often it
 * is sent or the store reopened, and retention forgets idle states.
 * Conversation events are written with the message or the check-in that
 * caused them (once, or not at all when its transaction is rolled back),
 * counted by store_stats, shown by store_history, and forgotten by
 * retention. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "testutil.h"

#define ALICE "+15551110001"
#define BOB   "+15551110002"

struct fixture {
	char *dir, *path;
	struct store *st;
};

static struct store *
open_daemon(const struct fixture *fx)
{
	struct store *st = NULL;
	char err[512] = "";

	if (store_open(fx->path, &st, err, sizeof(err)) != 0)
		fail_msg("store_open %s: %s", fx->path, err);
	return st;
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->dir = testutil_tmpdir();
	if (asprintf(&fx->path, "%s/state.db", fx->dir) < 0)
		return -1;
	fx->st = open_daemon(fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	store_close(fx->st);
	free(fx->path);
	testutil_rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Records message id from `from` at t with a reply, then the messages in
 * more, the conversation state and the check-in given (either may be
 * NULL), and a STOP's cancel when stop. */
static enum store_record_result
record(struct store *st, const char *id, const char *from, int64_t t,
       const char *const *more, size_t nmore, const char *state,
       const struct store_schedule *sc, bool stop)
{
	struct store_inbound in = {
		.gateway = "twilio",
		.id = id,
		.from = from,
		.to = "+15550000000",
		.body = "my back hurts",
		.received_at = t,
	};
	struct store_decision dec = {
		.category = stop ? "stop" : "pain",
		.action = STORE_ACTION_REPLY,
		.reply = stop ? "You are unsubscribed." : "Sorry to hear.",
		.reply_from = "+15550000000",
		.more = more,
		.nmore = nmore,
		.convo_state = state,
		.cancel_scheduled = stop,
		.optout_change = stop ? 1 : 0,
		.schedule = sc,
	};

	return store_record(st, &in, &dec);
}

static int
body_line(void *arg, const struct store_outbox_row *r)
{
	char *out = arg;
	size_t len = strlen(out);

	snprintf(out + len, 256 - len, "%s%lld:%s", len ? " " : "",
	         (long long)r->id, r->state);
	return 0;
}

/* number's outbox rows, newest first: "id:state ...". */
static const char *
rows(struct store *st, const char *number)
{
	static char out[256];
	struct store_outbox_filter f = { .number = number, .state = -1 };

	out[0] = '\0';
	if (store_outbox_list(st, &f, 0, body_line, out) != 0)
		fail_msg("store_outbox_list: %s", store_error(st));
	return out;
}

/* The bodies of the outbox rows due at now, in the sender's order. */
static const char *
queue(struct store *st, int64_t now)
{
	static char out[512];
	struct store_outbox_item items[8];
	size_t n = 0, len = 0;

	out[0] = '\0';
	if (store_outbox_work(st, now, 0, false, 8, items, &n) != 0)
		fail_msg("store_outbox_work: %s", store_error(st));
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
		                        i ? "|" : "", items[i].body);
		store_outbox_item_free(&items[i]);
	}
	return out;
}

/* Claims at now (lease 60 s) and returns "convo/gen ..." of what came. */
static const char *
claim(struct store *st, int64_t now, struct store_scheduled *keep)
{
	static char out[256];
	struct store_scheduled items[4];
	size_t n = 0, len = 0;

	out[0] = '\0';
	if (store_scheduled_claim(st, now, now + 60, 4, items, &n) != 0)
		fail_msg("store_scheduled_claim: %s", store_error(st));
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s/%u",
		                        i ? " " : "", items[i].convo,
		                        (unsigned)items[i].gen);
		if (i == 0 && keep != NULL)
			*keep = items[i];
		else
			store_scheduled_free(&items[i]);
	}
	return out;
}

static const struct store_schedule checkin1 = { "checkin", 1, 1000 };
static const struct store_schedule checkin2 = { "checkin", 2, 2000 };

/* The state is written with its message, once: the same message recorded
 * again (a crash after the commit, before the staged row was known done)
 * changes nothing; the reply and the question after it are queued in
 * that order. */
static void
test_state_with_message(void **state)
{
	struct fixture *fx = *state;
	const char *more[] = { "Does the pain go down your leg? 1 yes 2 no" };
	char buf[64] = "";

	assert_int_equal(store_convo_get(fx->st, ALICE, buf, sizeof(buf)), 0);
	assert_int_equal(
	    record(fx->st, "SM1", ALICE, 100, more, 1, "c1 s0", NULL, false),
	    STORE_RECORDED);
	assert_int_equal(store_convo_get(fx->st, ALICE, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "c1 s0");
	assert_int_equal(
	    record(fx->st, "SM1", ALICE, 100, more, 1, "c1 s1", NULL, false),
	    STORE_DUPLICATE);
	assert_int_equal(store_convo_get(fx->st, ALICE, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "c1 s0");
	assert_string_equal(queue(fx->st, 100),
	                    "Sorry to hear.|Does the pain go down your leg? "
	                    "1 yes 2 no");
	assert_int_equal(store_convo_get(fx->st, BOB, buf, sizeof(buf)), 0);
	assert_int_equal(store_convo_set(fx->st, BOB, "c0", 5), 0);
	assert_int_equal(store_convo_get(fx->st, BOB, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "c0");
}

/* A newer report's check-in replaces the pending one; nothing is due
 * before its time; once claimed it is not handed out again while its
 * lease holds. */
static void
test_schedule_replaces(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(
	    record(fx->st, "SM1", ALICE, 100, NULL, 0, "g1", &checkin1, false),
	    STORE_RECORDED);
	assert_int_equal(
	    record(fx->st, "SM2", BOB, 100, NULL, 0, "g1", &checkin1, false),
	    STORE_RECORDED);
	assert_int_equal(
	    record(fx->st, "SM3", ALICE, 200, NULL, 0, "g2", &checkin2, false),
	    STORE_RECORDED);
	assert_string_equal(claim(fx->st, 999, NULL), "");
	/* Bob's, then Alice's second; her first is gone. */
	assert_string_equal(claim(fx->st, 2000, NULL), "checkin/1 checkin/2");
	assert_string_equal(claim(fx->st, 2001, NULL), "");
}

/* A STOP cancels every check-in of its number, pending or claimed, in the
 * transaction of its opt-out: a claimed one then sends nothing.  An
 * opt-out by the operator does the same. */
static void
test_stop_cancels(void **state)
{
	struct fixture *fx = *state;
	struct store_scheduled it;

	assert_int_equal(
	    record(fx->st, "SM1", ALICE, 100, NULL, 0, "g1", &checkin1, false),
	    STORE_RECORDED);
	assert_string_equal(claim(fx->st, 1000, &it), "checkin/1");
	assert_int_equal(
	    record(fx->st, "SM2", ALICE, 1001, NULL, 0, "g2", NULL, true),
	    STORE_RECORDED);
	assert_int_equal(store_scheduled_send(fx->st, &it, "How is your back?",
	                                      0, "x", NULL, 0, 1002),
	                 0);
	store_scheduled_free(&it);
	assert_string_equal(claim(fx->st, 100000, NULL), "");
	assert_string_equal(queue(fx->st, 100000), "You are unsubscribed.");

	assert_int_equal(
	    record(fx->st, "SM3", BOB, 100, NULL, 0, "g1", &checkin1, false),
	    STORE_RECORDED);
	assert_int_equal(store_optout_set(fx->st, BOB, true, "operator", 500),
	                 0);
	assert_string_equal(claim(fx->st, 100000, NULL), "");
}

/* A claimed check-in is queued once: its prompt is one outbox row, sent
 * twice it is queued once, and the number's state changes with it. */
static void
test_send_once(void **state)
{
	struct fixture *fx = *state;
	struct store_scheduled it;
	char buf[64];

	assert_int_equal(
	    record(fx->st, "SM1", ALICE, 100, NULL, 0, "g1", &checkin1, false),
	    STORE_RECORDED);
	assert_string_equal(claim(fx->st, 1000, &it), "checkin/1");
	assert_string_equal(it.number, ALICE);
	assert_string_equal(it.from, "+15550000000");
	assert_int_equal(it.due_at, 1000);
	assert_int_equal(store_scheduled_send(fx->st, &it, "How is your back?",
	                                      0, "c2", NULL, 0, 1001),
	                 1);
	assert_int_equal(store_scheduled_send(fx->st, &it, "How is your back?",
	                                      0, "c3", NULL, 0, 1002),
	                 0);
	store_scheduled_free(&it);
	assert_string_equal(queue(fx->st, 1001), "Sorry to hear.|How is your "
	                                         "back?");
	assert_int_equal(store_convo_get(fx->st, ALICE, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "c2");
	assert_string_equal(claim(fx->st, 100000, NULL), "");
}

/* Another handle (a second daemon on the same store) does not take a
 * claim under a live lease; once it ran out it does, and then the first
 * handle's send queues nothing. */
static void
test_claim_lease(void **state)
{
	struct fixture *fx = *state;
	struct store_scheduled a, b;
	struct store *other = NULL;
	char err[512] = "";

	assert_int_equal(
	    record(fx->st, "SM1", ALICE, 100, NULL, 0, "g1", &checkin1, false),
	    STORE_RECORDED);
	assert_int_equal(
	    store_open_existing(fx->path, true, &other, NULL, err, sizeof(err)),
	    0);
	assert_string_equal(claim(fx->st, 1000, &a), "checkin/1");
	assert_string_equal(claim(other, 1059, NULL), "");
	assert_string_equal(claim(other, 1060, &b), "checkin/1");
	assert_int_equal(
	    store_scheduled_send(fx->st, &a, "Q?", 0, NULL, NULL, 0, 1061), 0);
	assert_int_equal(
	    store_scheduled_send(other, &b, "Q?", 0, NULL, NULL, 0, 1061), 1);
	assert_string_equal(rows(fx->st, ALICE), "2:pending 1:pending");
	store_scheduled_free(&a);
	store_scheduled_free(&b);
	store_close(other);
}

/* A daemon killed between the claim and the send: the next one (the
 * store opened again) takes the check-in at once and queues it once. */
static void
test_claim_after_crash(void **state)
{
	struct fixture *fx = *state;
	struct store_scheduled it;

	assert_int_equal(
	    record(fx->st, "SM1", ALICE, 100, NULL, 0, "g1", &checkin1, false),
	    STORE_RECORDED);
	assert_string_equal(claim(fx->st, 1000, NULL), "checkin/1");
	store_close(fx->st);
	fx->st = open_daemon(fx);
	assert_string_equal(claim(fx->st, 1001, &it), "checkin/1");
	assert_int_equal(
	    store_scheduled_send(fx->st, &it, "Q?", 0, NULL, NULL, 0, 1002), 1);
	store_scheduled_free(&it);
	store_close(fx->st);
	fx->st = open_daemon(fx);
	assert_string_equal(claim(fx->st, 100000, NULL), "");
	assert_string_equal(rows(fx->st, ALICE), "2:pending 1:pending");
}

/* A stale check-in is cancelled, never sent; one put off (quiet hours)
 * comes back at its new time only. */
static void
test_cancel_and_defer(void **state)
{
	struct fixture *fx = *state;
	struct store_scheduled it;

	assert_int_equal(
	    record(fx->st, "SM1", ALICE, 100, NULL, 0, "g1", &checkin1, false),
	    STORE_RECORDED);
	assert_int_equal(
	    record(fx->st, "SM2", BOB, 100, NULL, 0, "g1", &checkin2, false),
	    STORE_RECORDED);
	assert_string_equal(claim(fx->st, 1000, &it), "checkin/1");
	assert_int_equal(store_scheduled_cancel(fx->st, it.id, "stale", 1000),
	                 1);
	assert_int_equal(store_scheduled_cancel(fx->st, it.id, "stale", 1000),
	                 0);
	store_scheduled_free(&it);
	assert_string_equal(claim(fx->st, 2000, &it), "checkin/2");
	assert_int_equal(store_scheduled_defer(fx->st, it.id, 3000), 1);
	store_scheduled_free(&it);
	assert_string_equal(claim(fx->st, 2999, NULL), "");
	assert_string_equal(claim(fx->st, 3000, NULL), "checkin/2");
	assert_string_equal(rows(fx->st, ALICE), "1:pending");
}

/* Retention forgets a state idle since before its cut, unless a check-in
 * is still to come for the number (it needs the generation). */
static void
test_retention_states(void **state)
{
	struct fixture *fx = *state;
	char buf[64];

	assert_int_equal(
	    record(fx->st, "SM1", ALICE, 100, NULL, 0, "g1", NULL, false),
	    STORE_RECORDED);
	assert_int_equal(
	    record(fx->st, "SM2", BOB, 100, NULL, 0, "g1", &checkin1, false),
	    STORE_RECORDED);
	assert_true(store_retention(fx->st, 250) >= 1);
	assert_int_equal(store_convo_get(fx->st, ALICE, buf, sizeof(buf)), 0);
	assert_int_equal(store_convo_get(fx->st, BOB, buf, sizeof(buf)), 1);
}

/* Records message id from `from` at t with the events given. */
static enum store_record_result
record_events(struct store *st, const char *id, const char *from, int64_t t,
              const struct store_convo_event *ev, size_t n)
{
	struct store_inbound in = {
		.gateway = "twilio",
		.id = id,
		.from = from,
		.to = "+15550000000",
		.body = "2",
		.received_at = t,
	};
	struct store_decision dec = {
		.category = "tip",
		.action = STORE_ACTION_NONE,
		.events = ev,
		.nevents = n,
	};

	return store_record(st, &in, &dec);
}

static int
stats_line(void *arg, const char *what, const char *name, int64_t count)
{
	char *out = arg;
	size_t len = strlen(out);

	if (strcmp(what, "conversation") == 0 || strcmp(what, "checkin") == 0)
		snprintf(out + len, 512 - len, "%s%s:%s=%lld", len ? " " : "",
		         what, name, (long long)count);
	return 0;
}

/* The conversation figures of store_stats since `since`. */
static const char *
convo_stats(struct store *st, int64_t since)
{
	static char out[512];
	struct store_stats totals;

	out[0] = '\0';
	if (store_stats(st, since, stats_line, out, &totals) != 0)
		fail_msg("store_stats: %s", store_error(st));
	return out;
}

static int
history_line(void *arg, const struct store_event *e)
{
	char *out = arg;
	size_t len = strlen(out);

	if (e->event != NULL)
		snprintf(out + len, 512 - len, "%s%lld:%s/%s/%s/%s@%s",
		         len ? " " : "", (long long)e->at, e->convo, e->event,
		         e->step ? e->step : "-", e->answer ? e->answer : "-",
		         e->id ? e->id : "-");
	else
		snprintf(out + len, 512 - len, "%s%lld:%s", len ? " " : "",
		         (long long)e->at, e->outbound ? "reply" : e->id);
	return 0;
}

static const char *
history(struct store *st, const char *number)
{
	static char out[512];

	out[0] = '\0';
	if (store_history(st, number, 0, history_line, out) != 0)
		fail_msg("store_history: %s", store_error(st));
	return out;
}

static void
test_events(void **state)
{
	struct fixture *fx = *state;
	struct store_scheduled it;
	static const struct store_convo_event started = { "screening", false,
		                                          "started", "ask",
		                                          NULL };
	static const struct store_convo_event answered[] = {
		{ "screening", false, "answered", "ask", "yes" },
		{ "screening", false, "finished", "bladder", "cauda" },
	};
	static const struct store_convo_event expired[] = {
		{ "checkin", true, "expired", "how", NULL },
		{ "screening", false, "started", "ask", NULL },
	};
	static const struct store_convo_event checkin = { "checkin", true,
		                                          "started", "how",
		                                          NULL };
	static const struct store_convo_event worse = { "checkin", true,
		                                        "finished", "how",
		                                        "worse" };

	assert_int_equal(
	    record(fx->st, "SM1", ALICE, 100, NULL, 0, "c1", NULL, false),
	    STORE_RECORDED);
	assert_int_equal(record_events(fx->st, "SM1x", ALICE, 100, &started, 1),
	                 STORE_RECORDED);
	/* the same message again records nothing */
	assert_int_equal(record_events(fx->st, "SM1x", ALICE, 100, &started, 1),
	                 STORE_DUPLICATE);
	/* a batch rolled back records nothing either */
	assert_int_equal(store_batch_begin(fx->st), 0);
	assert_int_equal(record_events(fx->st, "SM9", ALICE, 150, answered, 2),
	                 STORE_RECORDED);
	store_batch_rollback(fx->st);
	assert_int_equal(record_events(fx->st, "SM2", ALICE, 200, answered, 2),
	                 STORE_RECORDED);
	assert_int_equal(record_events(fx->st, "SM3", BOB, 300, expired, 2),
	                 STORE_RECORDED);
	/* a check-in's start is written when it is sent, once */
	assert_int_equal(
	    record(fx->st, "SM4", BOB, 400, NULL, 0, "g1", &checkin1, false),
	    STORE_RECORDED);
	assert_string_equal(claim(fx->st, 1000, &it), "checkin/1");
	assert_int_equal(store_scheduled_send(fx->st, &it, "How is it?", 0,
	                                      "c2", &checkin, 1, 1000),
	                 1);
	assert_int_equal(store_scheduled_send(fx->st, &it, "How is it?", 0,
	                                      "c2", &checkin, 1, 1001),
	                 0);
	store_scheduled_free(&it);
	assert_int_equal(record_events(fx->st, "SM5", BOB, 1100, &worse, 1),
	                 STORE_RECORDED);
	assert_string_equal(convo_stats(fx->st, 0),
	                    "conversation:screening started=2 "
	                    "conversation:checkin expired=1 "
	                    "conversation:checkin finished=1 "
	                    "conversation:checkin started=1 "
	                    "conversation:screening finished=1 "
	                    "checkin:no_answer=1 checkin:worse=1");
	assert_string_equal(convo_stats(fx->st, 1000),
	                    "conversation:checkin finished=1 "
	                    "conversation:checkin started=1 checkin:worse=1");
	/* in the person's history, after the message that caused them */
	assert_string_equal(history(fx->st, ALICE),
	                    "100:SM1 100:SM1x 100:reply "
	                    "100:screening/started/ask/-@SM1x "
	                    "200:SM2 200:screening/answered/ask/yes@SM2 "
	                    "200:screening/finished/bladder/cauda@SM2");
	assert_string_equal(history(fx->st, BOB),
	                    "300:SM3 300:checkin/expired/how/-@SM3 "
	                    "300:screening/started/ask/-@SM3 400:SM4 "
	                    "400:reply 1000:reply "
	                    "1000:checkin/started/how/-@SM4 1100:SM5 "
	                    "1100:checkin/finished/how/worse@SM5");
	/* retention forgets events as old as the bodies it clears */
	assert_true(store_retention(fx->st, 1000) >= 4);
	assert_string_equal(convo_stats(fx->st, 0),
	                    "conversation:checkin finished=1 "
	                    "conversation:checkin started=1 checkin:worse=1");
}

static int
waiting_line(void *arg, const char *number, const char *state)
{
	char *out = arg;
	size_t len = strlen(out);

	snprintf(out + len, 256 - len, "%s%s=%s", len ? " " : "", number,
	         state);
	return 0;
}

static const char *
waiting(struct store *st, int64_t before)
{
	static char out[256];

	out[0] = '\0';
	if (store_convo_waiting(st, before, 8, waiting_line, out) != 0)
		fail_msg("store_convo_waiting: %s", store_error(st));
	return out;
}

/* The sweep: the states that may wait, unchanged since before the cut,
 * oldest first; expiring one writes its event once, and not at all when
 * a message changed the state meanwhile. */
static void
test_sweep(void **state)
{
	struct fixture *fx = *state;
	static const struct store_convo_event ev = { "screening", false,
		                                     "expired", "ask", NULL };

	assert_int_equal(store_convo_set(fx->st, BOB, "c1 s0 b", 90), 0);
	assert_int_equal(store_convo_set(fx->st, ALICE, "c1 s0 a", 100), 0);
	assert_int_equal(store_convo_set(fx->st, "+15551110003", "c0 s0 c", 50),
	                 0);
	assert_int_equal(
	    store_convo_set(fx->st, "+15551110004", "c2 s0 d", 500), 0);
	assert_string_equal(waiting(fx->st, 200),
	                    "+15551110002=c1 s0 b +15551110001=c1 s0 a");
	/* a message changed Bob's meanwhile: nothing written */
	assert_int_equal(store_convo_set(fx->st, BOB, "c1 s1 b", 150), 0);
	assert_int_equal(
	    store_convo_expire(fx->st, BOB, "c1 s0 b", "c0 s0 b", &ev, 1, 300),
	    0);
	assert_int_equal(store_convo_expire(fx->st, ALICE, "c1 s0 a", "c0 s0 a",
	                                    &ev, 1, 300),
	                 1);
	assert_int_equal(store_convo_expire(fx->st, ALICE, "c1 s0 a", "c0 s0 a",
	                                    &ev, 1, 301),
	                 0);
	assert_string_equal(waiting(fx->st, 200), "+15551110002=c1 s1 b");
	assert_string_equal(convo_stats(fx->st, 0),
	                    "conversation:screening expired=1");
	assert_string_equal(history(fx->st, ALICE),
	                    "300:screening/expired/ask/-@-");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_state_with_message),
		T(test_schedule_replaces),
		T(test_stop_cancels),
		T(test_send_once),
		T(test_claim_lease),
		T(test_claim_after_crash),
		T(test_cancel_and_defer),
		T(test_retention_states),
		T(test_events),
		T(test_sweep),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
