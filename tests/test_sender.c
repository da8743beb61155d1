/* sender.c: every outcome of a send, recorded in a real state database,
 * with a scripted gateway on the real sending thread (sendq.c) and a
 * driven clock (daemontest.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemontest.h"
#include "sendq.h"

#define NUM_A "+15551230001"
#define NUM_B "+15551230002"

static int
setup(void **state)
{
	struct dt *t = dt_new();

	dt_sendq(t);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	dt_free(*state);
	return 0;
}

static size_t
sent(struct dt *t)
{
	return __atomic_load_n(&t->gw.sent, __ATOMIC_ACQUIRE);
}

/* Taken by the gateway: recorded as sent with its id. */
static void
test_send_ok(void **state)
{
	struct dt *t = *state;
	int64_t id = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	struct dt_row r;

	dt_send_turn(t, 1);
	assert_int_equal(sent(t), 1);
	assert_string_equal(t->gw.sent_to[0], NUM_A);
	assert_string_equal(t->gw.sent_body[0], dt_reply_form);
	dt_row(t, id, &r);
	assert_string_equal(r.state, "sent");
	assert_int_equal(r.attempts, 1);
	/* Nothing is sent twice. */
	dt_send_turn(t, 0);
	assert_int_equal(sent(t), 1);
}

/* A transient failure: pending again, due after a backoff that grows
 * while failures run on, not sent before it is due, then sent. */
static void
test_send_retry_backoff(void **state)
{
	struct dt *t = *state;
	int64_t id = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	struct dt_row r;
	int64_t wait;

	dt_send_add(t, GATEWAY_RETRY)->http_status = 503;
	dt_send_add(t, GATEWAY_RETRY)->http_status = 503;
	dt_send_add(t, GATEWAY_RETRY)->http_status = 503;
	dt_send_add(t, GATEWAY_OK);

	dt_send_turn(t, 1);
	dt_row(t, id, &r);
	assert_string_equal(r.state, "pending");
	assert_int_equal(r.attempts, 1);
	wait = r.next_attempt_at - t->wall; /* 0.5 to 1 s, and a second */
	assert_true(wait >= 1 && wait <= 2);
	assert_int_equal(t->d.send_faults, 1);

	/* Not due yet: not sent. */
	dt_send_turn(t, 0);
	assert_int_equal(sent(t), 1);

	t->wall = r.next_attempt_at;
	dt_send_turn(t, 1);
	dt_row(t, id, &r);
	assert_int_equal(r.attempts, 2);
	wait = r.next_attempt_at - t->wall; /* 1 to 2 s, and a second */
	assert_true(wait >= 2 && wait <= 3);

	t->wall = r.next_attempt_at;
	dt_send_turn(t, 1);
	dt_row(t, id, &r);
	assert_int_equal(r.attempts, 3);
	wait = r.next_attempt_at - t->wall; /* 2 to 4 s, and a second */
	assert_true(wait >= 3 && wait <= 5);

	t->wall = r.next_attempt_at;
	dt_send_turn(t, 1);
	dt_row(t, id, &r);
	assert_string_equal(r.state, "sent");
	assert_int_equal(r.attempts, 4);
	assert_int_equal(t->d.send_faults, 0);
}

/* A reply whose attempt got no answer after the request went out: pending,
 * due only once the attempt could have landed at the gateway (three HTTP
 * timeouts, 45 s); the clock is moved to then.  Returns its row. */
static int64_t
unsure_then_due(struct dt *t)
{
	int64_t id = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	struct dt_row r;

	dt_send_add(t, GATEWAY_RETRY)->unsure = true;
	dt_send_turn(t, 1);
	dt_row(t, id, &r);
	assert_string_equal(r.state, "pending");
	assert_true(r.next_attempt_at - t->wall >= 45);
	t->wall = r.next_attempt_at;
	return id;
}

/* Looked up before it is sent again: found, it is recorded as sent and
 * not sent a second time. */
static void
test_send_unsure_looked_up(void **state)
{
	struct dt *t = *state;
	int64_t id = unsure_then_due(t);

	t->gw.find_rc = 1;
	snprintf(t->gw.find_res.message_id, sizeof(t->gw.find_res.message_id),
	         "SMfound");
	dt_send_turn(t, 0);
	assert_int_equal(t->gw.finds, 1);
	assert_int_equal(sent(t), 1);
	dt_expect_state(t, id, "sent");
}

/* The same, but the gateway surely has not got it: sent again. */
static void
test_send_unsure_not_found(void **state)
{
	struct dt *t = *state;
	int64_t id = unsure_then_due(t);

	dt_send_add(t, GATEWAY_OK);
	t->gw.find_rc = 0;
	dt_send_turn(t, 1);
	assert_int_equal(t->gw.finds, 1);
	assert_int_equal(sent(t), 2);
	dt_expect_state(t, id, "sent");
}

/* A reply another daemon on the same store has claimed is neither sent
 * nor looked up while its lease lives, and holds back no other reply;
 * once the lease has run out it is settled like any reply left
 * "sending": looked up, then sent. */
static void
test_send_held_by_another_daemon(void **state)
{
	struct dt *t = *state;
	int64_t held = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	int64_t other = dt_reply(t, "m2", NUM_B, dt_reply_form, 0);
	struct store *b = NULL;
	char err[512] = "";

	if (store_open_existing(t->path, true, &b, NULL, err, sizeof(err)) != 0)
		fail_msg("store_open_existing: %s", err);
	assert_int_equal(store_outbox_claim(b, held, t->wall, t->wall + 60), 1);
	dt_send_add(t, GATEWAY_OK);
	dt_send_turn(t, 1);
	assert_string_equal(t->gw.sent_to[0], NUM_B);
	dt_expect_state(t, other, "sent");
	/* Settle time (45 s) has passed, the lease (60 s) has not. */
	t->wall += 50;
	dt_send_turn(t, 0);
	assert_int_equal(t->gw.finds, 0);
	assert_int_equal(sent(t), 1);
	dt_expect_state(t, held, "sending");
	/* The other daemon died: its claim runs out. */
	t->wall += 11;
	t->gw.find_rc = 0;
	dt_send_turn(t, 1);
	assert_int_equal(t->gw.finds, 1);
	assert_int_equal(sent(t), 2);
	dt_expect_state(t, held, "sent");
	store_close(b);
}

/* Transient failures up to guard.max_attempts, then failed for good. */
static void
test_send_gives_up(void **state)
{
	struct dt *t = *state;
	int64_t id = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	struct dt_row r;

	t->cfg.guard.max_attempts = 2;
	dt_send_add(t, GATEWAY_RETRY)->http_status = 500;
	dt_send_turn(t, 1);
	dt_row(t, id, &r);
	assert_string_equal(r.state, "pending");
	t->wall = r.next_attempt_at;
	dt_send_turn(t, 1);
	dt_row(t, id, &r);
	assert_string_equal(r.state, "failed");
	assert_int_equal(r.attempts, 2);
}

/* Refused for the message itself: failed for good, never retried. */
static void
test_send_failed(void **state)
{
	struct dt *t = *state;
	int64_t id = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	struct gateway_result *res = dt_send_add(t, GATEWAY_FAILED);
	struct dt_row r;

	res->http_status = 400;
	snprintf(res->error_code, sizeof(res->error_code), "21211");
	dt_send_turn(t, 1);
	dt_row(t, id, &r);
	assert_string_equal(r.state, "failed");
	assert_string_equal(r.error_code, "21211");
	t->wall += 100000;
	dt_send_turn(t, 0);
	assert_int_equal(sent(t), 1);
}

/* The gateway says the number opted out: failed, and the opt-out is
 * recorded, so that nothing more goes to it. */
static void
test_send_gateway_opt_out(void **state)
{
	struct dt *t = *state;
	int64_t id = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	struct gateway_result *res = dt_send_add(t, GATEWAY_OPTED_OUT);

	snprintf(res->error_code, sizeof(res->error_code), "21610");
	dt_send_turn(t, 1);
	dt_expect_state(t, id, "failed");
	assert_int_equal(store_is_opted_out(t->d.store, NUM_A), 1);
}

/* The number opted out after the reply was decided (the opt-out cancels
 * the replies pending then; these are recorded after it, as a reply
 * decided before the opt-out was seen would be): cancelled when it is
 * due, never sent; the STOP confirmation is the one reply it still gets.
 * The decision says which reply that is, not its text: a confirmation
 * whose text the configuration has changed since still goes, and another
 * reply that happens to read like it does not. */
static void
test_send_opted_out_meanwhile(void **state)
{
	struct dt *t = *state;
	int64_t id, stop, old, alike;

	assert_int_equal(
	    store_optout_set(t->d.store, NUM_A, true, "sms", t->wall), 0);
	id = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	stop = dt_reply_as(t, "m2", NUM_A, dt_reply_stop, "stop", 0);
	old = dt_reply_as(t, "m3", NUM_A, "Unsubscribed.", "stop", 0);
	alike = dt_reply(t, "m4", NUM_A, dt_reply_stop, 0);
	/* One at a time to a number, in order: the second once the first
	 * is back. */
	dt_send_turn(t, 1);
	assert_int_equal(sent(t), 2);
	assert_string_equal(t->gw.sent_body[0], dt_reply_stop);
	assert_string_equal(t->gw.sent_body[1], "Unsubscribed.");
	dt_expect_state(t, id, "cancelled");
	dt_expect_state(t, stop, "sent");
	dt_expect_state(t, old, "sent");
	dt_expect_state(t, alike, "cancelled");
}

/* 429: not an attempt, due again after Retry-After, no lookup. */
static void
test_send_throttled(void **state)
{
	struct dt *t = *state;
	int64_t id = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	struct gateway_result *res = dt_send_add(t, GATEWAY_THROTTLED);
	struct dt_row r;

	res->http_status = 429;
	res->retry_after_s = 30;
	dt_send_add(t, GATEWAY_OK);
	dt_send_turn(t, 1);
	dt_row(t, id, &r);
	assert_string_equal(r.state, "pending");
	assert_int_equal(r.attempts, 0);
	assert_int_equal(r.next_attempt_at, t->wall + 31);
	t->wall += 31;
	dt_send_turn(t, 1);
	assert_int_equal(t->gw.finds, 0);
	dt_expect_state(t, id, "sent");
}

/* Refused credentials: every reply held (none failed), one request every
 * 15 s asks again, and once it works the rest go out. */
static void
test_send_auth_held(void **state)
{
	struct dt *t = *state;
	int64_t a = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	int64_t b = dt_reply(t, "m2", NUM_B, dt_reply_form, 0);
	struct gateway_result *res;
	struct dt_row r;
	double w;

	t->cfg.gateway = CONFIG_GATEWAY_TWILIO;
	res = dt_send_add(t, GATEWAY_AUTH);
	res->http_status = 401;
	res = dt_send_add(t, GATEWAY_AUTH);
	res->http_status = 401;
	dt_send_add(t, GATEWAY_OK);
	dt_send_turn(t, 2);
	assert_true(t->d.auth_failing > 0);
	dt_row(t, a, &r);
	assert_string_equal(r.state, "pending");
	assert_int_equal(r.attempts, 0);
	dt_expect_state(t, b, "pending");

	/* Held: nothing goes out until the probe is due. */
	w = sender_run(&t->d);
	assert_true(w > 0 && w <= 15);
	assert_int_equal(sent(t), 2);

	/* The probe: one request alone, which works; then the other. */
	t->mono += 15;
	sender_run(&t->d);
	assert_int_equal(sendq_outstanding(t->d.sendq), 1);
	dt_wait_outcomes(t, 3);
	sender_run(&t->d);
	assert_true(t->d.auth_failing == 0);
	dt_wait_outcomes(t, 4);
	sender_run(&t->d);
	dt_expect_state(t, a, "sent");
	dt_expect_state(t, b, "sent");
}

/* A red flag goes out before replies decided earlier. */
static void
test_send_red_flag_first(void **state)
{
	struct dt *t = *state;

	dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	dt_reply(t, "m2", NUM_B, dt_reply_cauda, 2);
	dt_send_turn(t, 2);
	assert_string_equal(t->gw.sent_body[0], dt_reply_cauda);
	assert_string_equal(t->gw.sent_to[0], NUM_B);
	assert_string_equal(t->gw.sent_body[1], dt_reply_form);
}

/* The send rate: no token, no send, and the wait until one. */
static void
test_send_rate(void **state)
{
	struct dt *t = *state;
	double w;

	guard_rate_init(&t->conf.rate, 1.0, t->mono);
	dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	dt_reply(t, "m2", NUM_B, dt_reply_form, 0);
	while (t->conf.rate.tokens >= 1)
		t->conf.rate.tokens -= 1;
	w = sender_run(&t->d);
	assert_true(w > 0 && w <= 1);
	assert_int_equal(sendq_outstanding(t->d.sendq), 0);
	t->mono += 1;
	dt_send_turn(t, 1);
	assert_int_equal(sent(t), 1);
}

/* The store cannot mark a reply "sending": it is not sent (a send not
 * recorded first could go out twice), and stays pending; then it goes
 * out. */
static void
test_send_store_fails(void **state)
{
	struct dt *t = *state;
	int64_t id = dt_reply(t, "m1", NUM_A, dt_reply_form, 0);
	struct dt_row r;

	dt_break(t, "outbox");
	sender_run(&t->d);
	assert_int_equal(sendq_outstanding(t->d.sendq), 0);
	dt_row(t, id, &r);
	assert_string_equal(r.state, "pending");
	assert_int_equal(r.attempts, 0);
	dt_heal(t, "outbox");
	dt_send_turn(t, 1);
	dt_expect_state(t, id, "sent");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_send_ok),
		T(test_send_retry_backoff),
		T(test_send_unsure_looked_up),
		T(test_send_unsure_not_found),
		T(test_send_gives_up),
		T(test_send_failed),
		T(test_send_gateway_opt_out),
		T(test_send_opted_out_meanwhile),
		T(test_send_throttled),
		T(test_send_auth_held),
		T(test_send_red_flag_first),
		T(test_send_rate),
		T(test_send_store_fails),
		T(test_send_held_by_another_daemon),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
