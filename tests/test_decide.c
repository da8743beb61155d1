/* decide.c: what the daemon does with a classified message, on the test
 * rules (daemontest.h), the opt-outs read from a real state database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemontest.h"
#include "decide.h"
#include "guardkeep.h"
#include "normalise.h"

#define NUM_A "+15551230001"
#define NUM_B "+15551230002"

/* -2: the store says; else this answer (-1 unknown). */
static int forced = -2;

static int
opted_out(void *arg, const char *number)
{
	struct dt *t = arg;

	if (forced != -2)
		return forced;
	return store_is_opted_out(t->d.store, number);
}

static int
setup(void **state)
{
	forced = -2;
	*state = dt_new();
	return 0;
}

static int
teardown(void **state)
{
	dt_free(*state);
	return 0;
}

/* What the poller hands decide_message. */
static struct decide_env
env_of(struct dt *t, int64_t offset)
{
	struct decide_env env = {
		.cfg = &t->cfg,
		.rs = t->conf.rs,
		.guard = t->conf.guard,
		.opted_out = opted_out,
		.arg = t,
		.gateway_offset = offset,
	};

	return env;
}

/* Classifies body and decides it as the poller does; returns the
 * classification's category. */
static enum category
decide(struct dt *t, const char *from, const char *body, int64_t sent_at,
       int64_t offset, struct store_decision *dec)
{
	static char norm[BT_MESSAGE_MAX + 1];
	struct classify_result res;
	struct decide_env env = env_of(t, offset);

	assert_int_equal(decide_classify(t->conf.cls, t->conf.rs, body,
	                                 strlen(body), &res, norm, NULL),
	                 0);
	decide_message(&env, from, sent_at, t->wall, &res, norm, dec);
	return res.category;
}

static void
expect_reply(const struct store_decision *dec, const char *reply)
{
	assert_int_equal(dec->action, STORE_ACTION_REPLY);
	assert_string_equal(dec->reply, reply);
	assert_null(dec->note);
}

static void
expect_silent(const struct store_decision *dec, const char *note)
{
	assert_int_equal(dec->action, STORE_ACTION_NONE);
	assert_non_null(dec->note);
	assert_string_equal(dec->note, note);
}

/* A message a rule matches gets its reply; a red flag too. */
static void
test_decide_reply(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;

	assert_int_equal(decide(t, NUM_A, "how do I deadlift", 0, 0, &dec),
	                 CATEGORY_TIP);
	expect_reply(&dec, dt_reply_form);
	assert_string_equal(dec.category, "tip");
	assert_string_equal(dec.rule, "form");
	assert_int_equal(dec.optout_change, 0);
	assert_int_equal(
	    decide(t, NUM_B, "I cannot control my bladder", 0, 0, &dec),
	    CATEGORY_EMERGENCY);
	expect_reply(&dec, dt_reply_cauda);
}

/* An opted-out number gets nothing, a red flag included; an opt-out
 * state that cannot be read sends nothing either. */
static void
test_decide_opted_out(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;

	assert_int_equal(
	    store_optout_set(t->d.store, NUM_A, true, "sms", t->wall), 0);
	decide(t, NUM_A, "how do I deadlift", 0, 0, &dec);
	expect_silent(&dec, "opted out");
	decide(t, NUM_A, "I cannot control my bladder", 0, 0, &dec);
	expect_silent(&dec, "opted out");
	forced = -1;
	decide(t, NUM_B, "how do I deadlift", 0, 0, &dec);
	expect_silent(&dec, "opt-out state unknown");
}

/* Older than max_age_s by the gateway's clock: recorded, not answered. */
static void
test_decide_too_old(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;
	int64_t sent = t->wall - 86400 - 5;

	decide(t, NUM_A, "how do I deadlift", sent, 0, &dec);
	expect_silent(&dec, "too old");
	/* The gateway's clock is 10 s behind ours: 86,395 s old by it. */
	decide(t, NUM_A, "how do I deadlift", sent, -10, &dec);
	expect_reply(&dec, dt_reply_form);
}

/* Auto-responders and echoes of our own replies are not answered; a red
 * flag is never taken for an echo. */
static void
test_decide_autoreply_and_echo(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;

	decide(t, NUM_A,
	       "This is an automated message. I am out of the office until "
	       "Monday.",
	       0, 0, &dec);
	expect_silent(&dec, "auto-responder");
	decide(t, NUM_A, dt_reply_form, 0, 0, &dec);
	expect_silent(&dec, "echo of our reply");
	assert_int_equal(decide(t, NUM_B, dt_reply_cauda, 0, 0, &dec),
	                 CATEGORY_EMERGENCY);
	expect_reply(&dec, dt_reply_cauda);
}

/* Sends `from` as many different questions as the guard answers in a
 * window, each answered. */
static void
fill_window(struct dt *t, const char *from)
{
	struct store_decision dec;
	char body[64];

	for (unsigned i = 0; i < t->cfg.guard.replies_per_sender; i++) {
		snprintf(body, sizeof(body), "deadlift question %c",
		         (char)('a' + i));
		decide(t, from, body, 0, 0, &dec);
		expect_reply(&dec, dt_reply_form);
	}
}

/* The flood guard: replies_per_sender replies a window, then silence for
 * ordinary replies; a red flag still gets through; the same message
 * twice is answered once. */
static void
test_decide_guard(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;

	fill_window(t, NUM_A);
	decide(t, NUM_A, "deadlift question z", 0, 0, &dec);
	expect_silent(&dec, "flood guard");
	decide(t, NUM_A, "I cannot control my bladder", 0, 0, &dec);
	expect_reply(&dec, dt_reply_cauda);

	decide(t, NUM_B, "how do I deadlift", 0, 0, &dec);
	expect_reply(&dec, dt_reply_form);
	decide(t, NUM_B, "how do I deadlift", 0, 0, &dec);
	expect_silent(&dec, "repeat");
}

/* A conversation's message is judged like a reply: not to an opted-out
 * number or one whose opt-out is unknown, not after a message too old,
 * counted by the guard (held back past the flood limit, a red flag's
 * answer still through). */
static void
test_decide_convo_message(void **state)
{
	struct dt *t = *state;
	struct decide_env env = env_of(t, 0);
	const char *q = "One question: reply 1 or 2.";

	assert_string_equal(decide_convo_message(&env, NUM_A, t->wall - 90000,
	                                         t->wall, "ouch", q, false),
	                    "too old");
	fill_window(t, NUM_A);
	assert_string_equal(
	    decide_convo_message(&env, NUM_A, 0, t->wall, "ouch z", q, false),
	    "flood guard");
	assert_null(decide_convo_message(&env, NUM_A, 0, t->wall, "1",
	                                 dt_reply_cauda, true));
	assert_null(
	    decide_convo_message(&env, NUM_B, 0, t->wall, "ouch", q, false));
	assert_int_equal(
	    store_optout_set(t->d.store, NUM_B, true, "sms", t->wall), 0);
	assert_string_equal(
	    decide_convo_message(&env, NUM_B, 0, t->wall, "2", q, false),
	    "opted out");
	forced = -1;
	assert_string_equal(
	    decide_convo_message(&env, NUM_A, 0, t->wall, "2", q, false),
	    "opt-out state unknown");
}

/* The guard's memory is the store's: a guard built by a reload starts
 * afresh, as one keeping its own did, but only once it checks (a reload
 * that fails leaves the running guard's memory alone); and the store's
 * memory is what the guard decides from. */
static void
test_decide_guard_kept_by_store(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;
	struct guard *next;

	fill_window(t, NUM_A);
	/* A reload builds the next guard; the running one still counts. */
	next = guardkeep_new(t->d.store, t->cfg.guard.replies_per_sender,
	                     t->cfg.guard.window_s, t->cfg.guard.max_senders);
	assert_non_null(next);
	decide(t, NUM_A, "deadlift question y", 0, 0, &dec);
	expect_silent(&dec, "flood guard");
	/* Installed, the next guard starts afresh. */
	guard_free(t->conf.guard);
	t->conf.guard = next;
	fill_window(t, NUM_A);
	/* Forgotten by the store, the sender is answered again: the memory
	 * is the store's, not the guard's. */
	decide(t, NUM_A, "deadlift question x", 0, 0, &dec);
	expect_silent(&dec, "flood guard");
	assert_int_equal(store_guard_reset(t->d.store, t->cfg.guard.window_s,
	                                   t->cfg.guard.max_senders),
	                 0);
	decide(t, NUM_A, "deadlift question w", 0, 0, &dec);
	expect_reply(&dec, dt_reply_form);
}

/* STOP is confirmed and opts out; a STOP from a number already opted out
 * gets nothing; the configuration's text overrides the rules'. */
static void
test_decide_stop(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;

	assert_int_equal(decide(t, NUM_A, "STOP", 0, 0, &dec), CATEGORY_STOP);
	expect_reply(&dec, dt_reply_stop);
	assert_int_equal(dec.optout_change, 1);
	assert_int_equal(
	    store_optout_set(t->d.store, NUM_A, true, "sms", t->wall), 0);
	decide(t, NUM_A, "STOP", 0, 0, &dec);
	expect_silent(&dec, "already opted out");
	assert_int_equal(dec.optout_change, 0);

	t->cfg.compliance.stop_text = "Stopped.";
	decide(t, NUM_B, "STOP", 0, 0, &dec);
	expect_reply(&dec, "Stopped.");
	t->cfg.compliance.stop_text = NULL;
}

/* A STOP that names a red flag opts out, and its confirmation carries the
 * advice (the configuration's plain text does not replace it); one that
 * names none gets the plain confirmation; a number already opted out
 * still gets nothing. */
static void
test_decide_stop_red_flag(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;

	assert_int_equal(decide(t, NUM_A,
	                        "stop texting me, i lost control of my bladder",
	                        0, 0, &dec),
	                 CATEGORY_STOP);
	expect_reply(&dec, dt_reply_stop_emergency);
	assert_int_equal(dec.optout_change, 1);
	t->cfg.compliance.stop_text = "Stopped.";
	decide(t, NUM_B, "stop texting me, my bowel is a mess", 0, 0, &dec);
	expect_reply(&dec, dt_reply_stop_emergency);
	decide(t, NUM_B, "stop texting me, my deadlift is stuck", 0, 0, &dec);
	expect_reply(&dec, "Stopped.");
	t->cfg.compliance.stop_text = NULL;
	assert_int_equal(
	    store_optout_set(t->d.store, NUM_A, true, "sms", t->wall), 0);
	decide(t, NUM_A, "stop texting me, i lost control of my bladder", 0, 0,
	       &dec);
	expect_silent(&dec, "already opted out");
}

/* START opts back in and is confirmed, even to an opted-out number; from
 * one not opted out it changes nothing. HELP is answered once a window. */
static void
test_decide_start_help(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;

	assert_int_equal(
	    store_optout_set(t->d.store, NUM_A, true, "sms", t->wall), 0);
	assert_int_equal(decide(t, NUM_A, "START", 0, 0, &dec), CATEGORY_START);
	assert_int_equal(dec.action, STORE_ACTION_REPLY);
	assert_int_equal(dec.optout_change, -1);
	decide(t, NUM_B, "START", 0, 0, &dec);
	assert_int_equal(dec.action, STORE_ACTION_REPLY);
	assert_int_equal(dec.optout_change, 0);

	assert_int_equal(decide(t, NUM_B, "HELP", 0, 0, &dec), CATEGORY_HELP);
	expect_reply(&dec, dt_reply_help);
	decide(t, NUM_B, "HELP", 0, 0, &dec);
	expect_silent(&dec, "help already answered");
}

/* The gateway answers a compliance keyword sent alone itself: recorded
 * (the opt-out too), not answered.  A STOP or START in other words, or a
 * keyword with stretched letters, the gateway does not act on: answered
 * as when it handles none, a red flag's advice included. */
static void
test_decide_gateway_keywords(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;

	t->cfg.compliance.gateway_handles_keywords = true;
	decide(t, NUM_A, "STOP", 0, 0, &dec);
	expect_silent(&dec, "gateway answers compliance keywords");
	assert_int_equal(dec.optout_change, 1);
	decide(t, NUM_A, "Unsubscribe.", 0, 0, &dec);
	expect_silent(&dec, "gateway answers compliance keywords");
	decide(t, NUM_A, "help", 0, 0, &dec);
	expect_silent(&dec, "gateway answers compliance keywords");

	assert_int_equal(decide(t, NUM_A, "please stop texting me", 0, 0, &dec),
	                 CATEGORY_STOP);
	expect_reply(&dec, dt_reply_stop);
	assert_int_equal(dec.optout_change, 1);
	decide(t, NUM_A, "stop please", 0, 0, &dec);
	expect_reply(&dec, dt_reply_stop);
	decide(t, NUM_A, "STOPPP", 0, 0, &dec);
	expect_reply(&dec, dt_reply_stop);
	decide(t, NUM_B, "stop texting me, i lost control of my bladder", 0, 0,
	       &dec);
	expect_reply(&dec, dt_reply_stop_emergency);
	assert_int_equal(dec.optout_change, 1);
}

/* A classification without a reply text is not answered. */
static void
test_decide_no_reply_text(void **state)
{
	struct dt *t = *state;
	struct store_decision dec;
	struct classify_result res = { .category = CATEGORY_TIP, .rule = -1 };
	struct decide_env env = env_of(t, 0);

	decide_message(&env, NUM_A, 0, t->wall, &res, "something", &dec);
	expect_silent(&dec, "no reply text");
}

/* A body that is not UTF-8 gets the menu rather than being lost. */
static void
test_decide_bad_utf8(void **state)
{
	struct dt *t = *state;
	static char norm[BT_MESSAGE_MAX + 1];
	struct classify_result res;
	const char body[] = "back \xff pain";

	assert_int_equal(decide_classify(t->conf.cls, t->conf.rs, body,
	                                 strlen(body), &res, norm, NULL),
	                 -1);
	assert_int_equal(res.category, CATEGORY_FALLBACK);
	assert_string_equal(res.reply, dt_reply_menu);
	assert_int_equal(res.bad_offset, 5);
	assert_string_equal(norm, "");
	assert_string_equal(res.norm, "");
}

/* The guard and the echo check get the classifier's own normalised text,
 * with runs cut to two, even when the reading with runs cut to one is the
 * one that decided ("deadliiift" is read as "deadlift"). */
static void
test_decide_norm_runs_two(void **state)
{
	struct dt *t = *state;
	static char norm[BT_MESSAGE_MAX + 1], want[BT_MESSAGE_MAX + 1];
	struct classify_result res;
	struct normalise_result nr;
	const char body[] = "How do I DEADLIIIFT";

	assert_int_equal(
	    normalise_text(body, strlen(body), NORMALISE_RUNS_TWO, want, &nr),
	    NORMALISE_OK);
	assert_string_equal(want, "how do i deadliift");
	assert_int_equal(decide_classify(t->conf.cls, t->conf.rs, body,
	                                 strlen(body), &res, norm, NULL),
	                 0);
	assert_int_equal(res.category, CATEGORY_TIP);
	assert_string_equal(res.rule_id, "form");
	assert_string_equal(norm, want);
	assert_string_equal(res.norm, want);
	assert_int_equal(res.norm_len, nr.len);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_decide_reply),
		T(test_decide_convo_message),
		T(test_decide_opted_out),
		T(test_decide_too_old),
		T(test_decide_autoreply_and_echo),
		T(test_decide_guard),
		T(test_decide_stop),
		T(test_decide_guard_kept_by_store),
		T(test_decide_start_help),
		T(test_decide_gateway_keywords),
		T(test_decide_no_reply_text),
		T(test_decide_bad_utf8),
		T(test_decide_norm_runs_two),
		T(test_decide_stop_red_flag),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
