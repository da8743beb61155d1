/* poller.c: every way a poll ends (poller_run's return paths), on a real
 * state database with a scripted gateway and a driven clock
 * (daemontest.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemontest.h"

#define INTERVAL 5.0 /* poll_interval_ms's default */
#define NUM_A    "+15551230001"
#define NUM_B    "+15551230002"

static int
setup(void **state)
{
	*state = dt_new();
	return 0;
}

static int
teardown(void **state)
{
	dt_free(*state);
	return 0;
}

static void
expect_note(struct dt *t, const char *from, const char *id, const char *want)
{
	char note[256], cat[64];

	dt_inbound(t, from, id, note, sizeof(note), cat, sizeof(cat));
	assert_string_equal(note, want);
}

/* A poll that works: every message staged, decided and recorded with its
 * reply (a red flag's marked most urgent); the next poll after the
 * interval; the time of the poll saved for `backtalk status`. */
static void
test_poll_ok(void **state)
{
	struct dt *t = *state;
	struct dt_poll *p = dt_poll_add(t, GATEWAY_OK);
	struct store_status st;
	char v[32];

	p->msgs[0] = "m1|" NUM_A "|how do I deadlift";
	p->msgs[1] = "m2|" NUM_B "|my back hurts and I cannot control my "
	             "bladder";
	assert_true(poller_run(&t->d) == INTERVAL);
	assert_int_equal(t->gw.calls, 1);
	assert_int_equal(dt_counts(t).inbound, 2);
	assert_int_equal(dt_counts(t).staged, 0);
	assert_int_equal(store_status(t->d.store, &st), 0);
	assert_int_equal(st.outbox[STORE_OUTBOX_PENDING], 2);
	expect_note(t, NUM_A, "m1", "");
	assert_false(t->d.store_failing);
	assert_int_equal(t->d.poll_failures, 0);
	assert_true(t->d.poll_backoff == 0);
	assert_int_equal(store_state_get(t->d.store, "last_poll", v, sizeof(v)),
	                 1);
	assert_string_equal(v, "1800000000");
	/* The red flag goes out first. */
	struct store_outbox_item it;
	assert_int_equal(store_outbox_next(t->d.store, t->wall, &it), 1);
	assert_string_equal(it.to, NUM_B);
	assert_int_equal(it.urgency, 2);
	store_outbox_item_free(&it);
}

/* The gateway says more are waiting: poll again at once. */
static void
test_poll_more(void **state)
{
	struct dt *t = *state;

	dt_poll_add(t, GATEWAY_OK)->more = true;
	assert_true(poller_run(&t->d) == 0);
}

/* The input closed (console at EOF): the poll's messages are decided,
 * and no poll is made after it. */
static void
test_poll_closed(void **state)
{
	struct dt *t = *state;
	struct dt_poll *p = dt_poll_add(t, GATEWAY_OK);

	p->msgs[0] = "c1|" NUM_A "|deadlift";
	p->closed = true;
	assert_true(poller_run(&t->d) == INTERVAL);
	assert_true(t->d.input_closed);
	assert_int_equal(dt_counts(t).inbound, 1);
	assert_true(poller_run(&t->d) == INTERVAL);
	assert_int_equal(t->gw.calls, 1);
}

/* A failed poll backs off, longer with each failure in a row; what it
 * brought before it failed is recorded all the same; a poll that works
 * ends the backoff. */
static void
test_poll_retry_backs_off(void **state)
{
	struct dt *t = *state;
	struct dt_poll *p = dt_poll_add(t, GATEWAY_RETRY);
	double w;

	p->http_status = 503;
	p->msgs[0] = "r1|" NUM_A "|deadlift";
	w = poller_run(&t->d);
	assert_true(w >= INTERVAL && w <= 2 * INTERVAL);
	assert_int_equal(t->d.poll_failures, 1);
	assert_true(t->d.poll_backoff == w);
	assert_int_equal(dt_counts(t).inbound, 1);

	dt_poll_add(t, GATEWAY_RETRY)->http_status = 502;
	w = poller_run(&t->d);
	assert_true(w >= 2 * INTERVAL && w <= 4 * INTERVAL);
	assert_int_equal(t->d.poll_failures, 2);

	dt_poll_add(t, GATEWAY_OK);
	assert_true(poller_run(&t->d) == INTERVAL);
	assert_int_equal(t->d.poll_failures, 0);
	assert_true(t->d.poll_backoff == 0);
}

/* Retry-After longer than the backoff is obeyed. */
static void
test_poll_retry_after(void **state)
{
	struct dt *t = *state;
	struct dt_poll *p = dt_poll_add(t, GATEWAY_THROTTLED);

	p->http_status = 429;
	p->retry_after_s = 120;
	assert_true(poller_run(&t->d) == 120);
}

/* Refused credentials: the daemon says so (replies held), and asks again
 * within 15 s whatever Retry-After says; a poll that works clears it. */
static void
test_poll_auth(void **state)
{
	struct dt *t = *state;
	struct dt_poll *p = dt_poll_add(t, GATEWAY_AUTH);

	p->http_status = 401;
	p->retry_after_s = 100;
	assert_true(poller_run(&t->d) == 15);
	assert_true(t->d.auth_failing > 0);
	dt_poll_add(t, GATEWAY_OK);
	assert_true(poller_run(&t->d) == INTERVAL);
	assert_true(t->d.auth_failing == 0);
}

/* The store cannot stage what a poll brought: the messages stay in
 * memory, nothing more is fetched, the poller backs off; once the store
 * works they are recorded. */
static void
test_poll_stage_fails(void **state)
{
	struct dt *t = *state;
	double w;

	dt_poll_add(t, GATEWAY_OK)->msgs[0] = "s1|" NUM_A "|deadlift";
	dt_break(t, "incoming");
	w = poller_run(&t->d);
	assert_true(w >= 8 && w <= 16);
	assert_true(t->d.store_failing);
	assert_int_equal(t->d.pending.count, 1);
	/* Still failing: no poll until the batch is on disk. */
	w = poller_run(&t->d);
	assert_true(w >= 8 && w <= 16);
	assert_int_equal(t->gw.calls, 1);

	dt_heal(t, "incoming");
	assert_true(poller_run(&t->d) == INTERVAL);
	assert_false(t->d.store_failing);
	assert_int_equal(t->d.pending.count, 0);
	assert_int_equal(dt_counts(t).inbound, 1);
	assert_int_equal(t->gw.calls, 2);
}

/* A page failed to stage inside a poll that then failed, and the store
 * has caught up since: poll again at once, no failure counted. */
static void
test_poll_stage_catches_up(void **state)
{
	struct dt *t = *state;
	struct dt_poll *p = dt_poll_add(t, GATEWAY_RETRY);

	p->msgs[0] = "u1|" NUM_A "|deadlift";
	p->flush = true;
	p->heal = "incoming";
	dt_break(t, "incoming");
	assert_true(poller_run(&t->d) == 0);
	assert_false(t->d.store_failing);
	assert_int_equal(t->d.poll_failures, 0);
	assert_int_equal(dt_counts(t).inbound, 1);
}

/* The store cannot record decisions: the messages stay staged, nothing
 * more is fetched, the poller backs off; then they are decided. */
static void
test_poll_decide_fails(void **state)
{
	struct dt *t = *state;
	double w;

	dt_poll_add(t, GATEWAY_OK)->msgs[0] = "d1|" NUM_A "|deadlift";
	dt_break(t, "inbound");
	w = poller_run(&t->d);
	assert_true(w >= 8 && w <= 16);
	assert_true(t->d.store_failing);
	assert_int_equal(dt_counts(t).staged, 1);
	/* Failing before the poll: no poll. */
	w = poller_run(&t->d);
	assert_true(w >= 8 && w <= 16);
	assert_int_equal(t->gw.calls, 1);

	dt_heal(t, "inbound");
	assert_true(poller_run(&t->d) == INTERVAL);
	assert_false(t->d.store_failing);
	assert_int_equal(dt_counts(t).staged, 0);
	assert_int_equal(dt_counts(t).inbound, 1);
}

/* A backlog is decided a turn at a time (the sender gets its turn), and
 * before anything more is fetched. */
static void
test_poll_backlog(void **state)
{
	struct dt *t = *state;

	dt_poll_add(t, GATEWAY_OK)->count = 2100;
	t->mono_step = 0.1; /* each chunk takes longer than a turn */
	assert_true(poller_run(&t->d) == 0);
	assert_int_equal(dt_counts(t).staged, 2100 - 1024);
	assert_true(poller_run(&t->d) == 0);
	assert_int_equal(dt_counts(t).staged, 2100 - 2048);
	assert_int_equal(t->gw.calls, 1); /* no poll in the backlog */
	assert_true(poller_run(&t->d) == INTERVAL);
	assert_int_equal(dt_counts(t).staged, 0);
	assert_int_equal(dt_counts(t).inbound, 2100);
	assert_int_equal(t->gw.calls, 2);
}

/* Recorded, not answered: a message that cannot be read, and one from an
 * alphanumeric sender id; a message listed again is recorded once. */
static void
test_poll_unanswered(void **state)
{
	struct dt *t = *state;
	struct dt_poll *p = dt_poll_add(t, GATEWAY_OK);
	struct store_status st;

	p->msgs[0] = "x1|" NUM_A "|";
	p->msgs[1] = "x2|VERIFY|deadlift";
	p->msgs[2] = "x3|" NUM_B "|deadlift";
	assert_true(poller_run(&t->d) == INTERVAL);
	dt_poll_add(t, GATEWAY_OK)->msgs[0] = "x3|" NUM_B "|deadlift";
	assert_true(poller_run(&t->d) == INTERVAL);
	assert_int_equal(dt_counts(t).inbound, 3);
	expect_note(t, NUM_A, "x1", "could not be read");
	expect_note(t, "VERIFY", "x2",
	            "sender is not a phone number or short code");
	assert_int_equal(store_status(t->d.store, &st), 0);
	assert_int_equal(st.outbox[STORE_OUTBOX_PENDING], 1);
}

/* The gateway's Date header is noted: its clock against ours. */
static void
test_poll_gateway_clock(void **state)
{
	struct dt *t = *state;

	dt_poll_add(t, GATEWAY_OK)->date = t->wall + 120;
	assert_true(poller_run(&t->d) == INTERVAL);
	assert_int_equal(clockwatch_gateway_offset(&t->d.clocks), 120);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_poll_ok),           T(test_poll_more),
		T(test_poll_closed),       T(test_poll_retry_backs_off),
		T(test_poll_retry_after),  T(test_poll_auth),
		T(test_poll_stage_fails),  T(test_poll_stage_catches_up),
		T(test_poll_decide_fails), T(test_poll_backlog),
		T(test_poll_unanswered),   T(test_poll_gateway_clock),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
