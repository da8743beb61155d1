/* Tests for clockwatch.c: steps of the wall clock against the monotonic
 * one (drift and slewing are not steps), and the warnings about the
 * gateway's clock (once per disagreement, again when it moves by another
 * minute, and a word when the clocks agree again). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "clockwatch.h"

static void
test_steps(void **state)
{
	(void)state;
	struct clockwatch w;

	memset(&w, 0, sizeof(w));
	/* The first reading only sets the offset. */
	assert_true(clockwatch_step(&w, 1000000.0, 50.0) == 0);
	/* Both clocks run on together; small drift is no step. */
	assert_true(clockwatch_step(&w, 1000010.0, 60.0) == 0);
	assert_true(clockwatch_step(&w, 1000021.5, 70.0) == 0);
	/* NTP corrects a clock an hour fast. */
	assert_true(clockwatch_step(&w, 996430.0, 80.0) == -3600.0);
	assert_true(clockwatch_step(&w, 996440.0, 90.0) == 0);
	/* And forward. */
	assert_true(clockwatch_step(&w, 996460.0, 100.0) == 10.0);
	assert_true(clockwatch_step(&w, 996461.0, 101.0) == 0);
}

static void
test_gateway_skew(void **state)
{
	(void)state;
	struct clockwatch w;

	memset(&w, 0, sizeof(w));
	assert_int_equal(clockwatch_gateway_offset(&w), 0);
	/* Within a minute: nothing to say, but the offset is used. */
	assert_int_equal(clockwatch_gateway(&w, 1000, 1030), CLOCKWATCH_SAME);
	assert_int_equal(clockwatch_gateway_offset(&w), -30);
	/* Our clock two hours ahead: a warning, once. */
	assert_int_equal(clockwatch_gateway(&w, 1000, 8200), CLOCKWATCH_SKEWED);
	assert_int_equal(clockwatch_gateway_offset(&w), -7200);
	assert_int_equal(clockwatch_gateway(&w, 1010, 8211), CLOCKWATCH_SAME);
	/* It moved by more than another minute: a new warning. */
	assert_int_equal(clockwatch_gateway(&w, 1020, 10000),
	                 CLOCKWATCH_SKEWED);
	/* Fixed. */
	assert_int_equal(clockwatch_gateway(&w, 1030, 1031), CLOCKWATCH_AGREE);
	assert_int_equal(clockwatch_gateway(&w, 1040, 1041), CLOCKWATCH_SAME);
	assert_int_equal(clockwatch_gateway_offset(&w), -1);
	/* Behind counts as well as ahead. */
	assert_int_equal(clockwatch_gateway(&w, 5000, 1000), CLOCKWATCH_SKEWED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_gateway_skew),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
