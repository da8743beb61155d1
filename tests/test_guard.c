/* Tests for guard.c: replies per sender per window, repeats, red flags,
 * the table's growth and eviction, the send rate and auto-reply phrases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "guard.h"

#define T0 INT64_C(1700000000)

static void
test_limit_per_window(void **state)
{
	(void)state;
	struct guard *g = guard_new(3, 60, 100);

	assert_non_null(g);
	assert_int_equal(guard_check(g, "+15550001", "a", "r1", false, T0),
	                 GUARD_ALLOW);
	assert_int_equal(guard_check(g, "+15550001", "b", "r2", false, T0 + 1),
	                 GUARD_ALLOW);
	assert_int_equal(guard_check(g, "+15550001", "c", "r3", false, T0 + 2),
	                 GUARD_ALLOW);
	assert_int_equal(guard_check(g, "+15550001", "d", "r4", false, T0 + 3),
	                 GUARD_FLOOD);
	/* Another sender has its own count. */
	assert_int_equal(guard_check(g, "+15550002", "d", "r4", false, T0 + 3),
	                 GUARD_ALLOW);
	/* The window ends 60 s after the first reply in it. */
	assert_int_equal(guard_check(g, "+15550001", "e", "r5", false, T0 + 59),
	                 GUARD_FLOOD);
	assert_int_equal(guard_check(g, "+15550001", "e", "r5", false, T0 + 60),
	                 GUARD_ALLOW);
	guard_free(g);
}

static void
test_repeat(void **state)
{
	(void)state;
	struct guard *g = guard_new(10, 60, 100);

	assert_int_equal(guard_check(g, "+1", "pain", "tips", false, T0),
	                 GUARD_ALLOW);
	assert_int_equal(guard_check(g, "+1", "pain", "tips", false, T0 + 5),
	                 GUARD_REPEAT);
	/* Same message, a different reply (edited rules): answered. */
	assert_int_equal(guard_check(g, "+1", "pain", "tips2", false, T0 + 6),
	                 GUARD_ALLOW);
	/* A different message with the same reply: answered. */
	assert_int_equal(guard_check(g, "+1", "sore", "tips2", false, T0 + 7),
	                 GUARD_ALLOW);
	/* After the window the same exchange is answered again. */
	assert_int_equal(guard_check(g, "+1", "sore", "tips2", false, T0 + 70),
	                 GUARD_ALLOW);
	guard_free(g);
}

/* Red flags pass the flood limit and the repeat check, but the same
 * red-flag reply goes to a sender once a window; a different one always
 * goes. */
static void
test_red_flag_ceiling(void **state)
{
	(void)state;
	struct guard *g = guard_new(1, 60, 100);
	char reply[32];

	assert_int_equal(guard_check(g, "+1", "x", "r", false, T0),
	                 GUARD_ALLOW);
	assert_int_equal(guard_check(g, "+1", "y", "r2", false, T0),
	                 GUARD_FLOOD);
	/* The first red-flag reply goes, past the flood limit. */
	assert_int_equal(guard_check(g, "+1", "numb", "urgent", true, T0),
	                 GUARD_ALLOW);
	/* The same reply again, to the same or another message: held. */
	assert_int_equal(guard_check(g, "+1", "numb", "urgent", true, T0 + 1),
	                 GUARD_RED_REPEAT);
	assert_int_equal(
	    guard_check(g, "+1", "numb foot", "urgent", true, T0 + 30),
	    GUARD_RED_REPEAT);
	/* A different red-flag reply goes, and so do twenty more. */
	assert_int_equal(
	    guard_check(g, "+1", "bladder", "emergency", true, T0 + 2),
	    GUARD_ALLOW);
	for (int i = 0; i < 20; i++) {
		snprintf(reply, sizeof(reply), "red %d", i);
		assert_int_equal(guard_check(g, "+1", "m", reply, true, T0 + 3),
		                 GUARD_ALLOW);
	}
	/* Another sender gets it too. */
	assert_int_equal(guard_check(g, "+2", "numb", "urgent", true, T0 + 3),
	                 GUARD_ALLOW);
	/* A window after it was sent, it goes again. */
	assert_int_equal(guard_check(g, "+1", "numb", "urgent", true, T0 + 59),
	                 GUARD_RED_REPEAT);
	assert_int_equal(guard_check(g, "+1", "numb", "urgent", true, T0 + 60),
	                 GUARD_ALLOW);
	guard_free(g);
}

/* A peer that texts a red flag every second for a minute, among other
 * senders, gets one reply. */
static void
test_red_flag_echo_bounded(void **state)
{
	(void)state;
	struct guard *g = guard_new(5, 3600, 100);
	char from[32];
	int sent = 0;

	for (int i = 0; i < 60; i++) {
		snprintf(from, sizeof(from), "+1666%07d", i);
		assert_int_equal(guard_check(g, from, "m", "r", false, T0 + i),
		                 GUARD_ALLOW);
		if (guard_check(g, "+1", "call 911", "emergency", true,
		                T0 + i) == GUARD_ALLOW)
			sent++;
	}
	assert_int_equal(sent, 1);
	guard_free(g);
}

static void
test_clock_back(void **state)
{
	(void)state;
	struct guard *g = guard_new(1, 60, 100);

	assert_int_equal(guard_check(g, "+1", "x", "r", false, T0),
	                 GUARD_ALLOW);
	/* A clock set back opens a new window rather than blocking for
	 * however long the jump was. */
	assert_int_equal(guard_check(g, "+1", "y", "r2", false, T0 - 3600),
	                 GUARD_ALLOW);
	assert_int_equal(guard_check(g, "+1", "z", "r3", false, T0 - 3599),
	                 GUARD_FLOOD);
	guard_free(g);
}

/* The table starts small and grows with the senders in the window; the
 * senders already counted keep their counts across growth. */
static void
test_grows_and_keeps(void **state)
{
	(void)state;
	struct guard *g = guard_new(1, 3600, 50000);
	char from[32];

	size_t cap0 = guard_capacity(g);
	assert_true(cap0 <= 1024);
	for (int i = 0; i < 20000; i++) {
		snprintf(from, sizeof(from), "+1555%07d", i);
		assert_int_equal(
		    guard_check(g, from, "m", "r", false, T0 + i / 100),
		    GUARD_ALLOW);
	}
	assert_int_equal(guard_tracked(g), 20000);
	assert_true(guard_capacity(g) > cap0);
	assert_true(guard_capacity(g) <= 65536);
	for (int i = 0; i < 20000; i++) {
		snprintf(from, sizeof(from), "+1555%07d", i);
		assert_int_equal(
		    guard_check(g, from, "m2", "r2", false, T0 + 300),
		    GUARD_FLOOD);
	}
	guard_free(g);
}

/* Growing drops senders whose window has passed. */
static void
test_grow_drops_expired(void **state)
{
	(void)state;
	struct guard *g = guard_new(5, 60, 100000);
	char from[32];

	for (int i = 0; i < 600; i++) {
		snprintf(from, sizeof(from), "+1666%07d", i);
		guard_check(g, from, "m", "r", false, T0);
	}
	assert_int_equal(guard_tracked(g), 600);
	/* An hour later, new senders: the first growth forgets the old. */
	for (int i = 0; i < 600; i++) {
		snprintf(from, sizeof(from), "+1777%07d", i);
		guard_check(g, from, "m", "r", false, T0 + 3600);
	}
	assert_true(guard_tracked(g) < 1200);
	guard_free(g);
}

/* At max_senders the table stops growing: memory stays bounded and the
 * least recently seen sender in a full probe run is forgotten. */
static void
test_bounded(void **state)
{
	(void)state;
	struct guard *g = guard_new(1, 3600, 2000);
	char from[32];

	for (int i = 0; i < 100000; i++) {
		snprintf(from, sizeof(from), "+1888%07d", i);
		assert_int_equal(guard_check(g, from, "m", "r", false, T0 + i),
		                 GUARD_ALLOW);
	}
	assert_true(guard_capacity(g) <= 2048);
	assert_true(guard_tracked(g) <= guard_capacity(g));
	/* The most recent sender is still known. */
	assert_int_equal(guard_check(g, from, "m2", "r2", false, T0 + 100000),
	                 GUARD_FLOOD);
	guard_free(g);
}

static void
test_rate(void **state)
{
	(void)state;
	struct guard_rate r;
	double wait;

	guard_rate_init(&r, 2, 100.0);
	assert_true(guard_rate_take(&r, 100.0, &wait));
	assert_true(guard_rate_take(&r, 100.0, &wait));
	assert_false(guard_rate_take(&r, 100.0, &wait));
	assert_true(wait > 0.49 && wait < 0.51);
	assert_true(guard_rate_take(&r, 100.5, &wait));
	/* No limit. */
	guard_rate_init(&r, 0, 100.0);
	for (int i = 0; i < 1000; i++)
		assert_true(guard_rate_take(&r, 100.0, &wait));
}

static void
test_autoreply(void **state)
{
	(void)state;
	assert_true(guard_is_autoreply("im driving with do not disturb on"));
	assert_true(guard_is_autoreply("this is an automated message"));
	assert_false(guard_is_autoreply("my back hurts after deadlifts"));
	assert_string_equal(guard_verdict_name(GUARD_FLOOD), "flood guard");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_per_window),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_red_flag_ceiling),
		cmocka_unit_test(test_red_flag_echo_bounded),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_grows_and_keeps),
		cmocka_unit_test(test_grow_drops_expired),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_autoreply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
