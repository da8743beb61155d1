/* Tests for metrics.c: the exact exposition text for a small set of
 * counters, label escaping, the bounded label tables, output cut to a small
 * buffer, and the health decision. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define T0 1000.0

/* Renders into a buffer the caller frees. */
static char *
render(const struct metrics *m, const struct metrics_gauges *g, double now)
{
	size_t len = metrics_render(m, g, now, "1.2.3", NULL, 0);
	char *buf = malloc(len + 1);

	assert_non_null(buf);
	assert_int_equal(metrics_render(m, g, now, "1.2.3", buf, len + 1), len);
	assert_int_equal(strlen(buf), len);
	return buf;
}

/* A few of everything, as the poller, the sender and the loop count
 * them. */
static struct metrics *
sample(void)
{
	struct metrics *m = metrics_new(T0);

	assert_non_null(m);
	metrics_inbound(m);
	metrics_inbound(m);
	metrics_inbound(m);
	metrics_unreadable(m, 2, 5);
	metrics_reply(m, "urgent", "red-flag-numb");
	metrics_reply(m, "urgent", "red-flag-numb");
	metrics_reply(m, "fallback", NULL);
	metrics_convo_event(m, "screening", "started");
	metrics_convo_event(m, "screening", "finished");
	metrics_convo_event(m, "screening", "started");
	metrics_convo_event(m, "checkin", "finished");
	metrics_checkin_answer(m, "worse");
	metrics_unanswered(m, "opted out");
	metrics_unanswered(m, "already opted out");
	metrics_unanswered(m, "flood guard");
	metrics_unanswered(m, "red flag already answered");
	metrics_unanswered(m, "something new");
	metrics_optout(m, 1);
	metrics_optout(m, -1);
	metrics_optout(m, 0);
	metrics_poll(m, true, 0.02, T0 + 1);
	metrics_poll(m, false, 0.3, T0 + 2);
	metrics_poll(m, true, 0.5, T0 + 4); /* le is inclusive */
	metrics_send_failed(m, "21610", T0 + 5);
	metrics_send_ok(m, T0 + 6);
	metrics_reload(m, true);
	metrics_reload(m, false);
	metrics_reply_latency(m, "urgent", 1); /* le is inclusive */
	metrics_reply_latency(m, "urgent", 0.5);
	metrics_reply_latency(m, "tip", 45);
	metrics_reply_latency(m, "fallback", 7200); /* past the last bound */
	metrics_clock_skew(m, -7200);
	return m;
}

static const char sample_text[] =
    "# HELP backtalk_build_info The running version; always 1.\n"
    "# TYPE backtalk_build_info gauge\n"
    "backtalk_build_info{version=\"1.2.3\"} 1\n"
    "# HELP backtalk_inbound_messages_total Inbound messages recorded.\n"
    "# TYPE backtalk_inbound_messages_total counter\n"
    "backtalk_inbound_messages_total 3\n"
    "# HELP backtalk_inbound_unreadable_total Inbound messages that could "
    "not be read, not answered: recorded by id (each once), or with no id "
    "(each time a poll reads one).\n"
    "# TYPE backtalk_inbound_unreadable_total counter\n"
    "backtalk_inbound_unreadable_total{id=\"recorded\"} 2\n"
    "backtalk_inbound_unreadable_total{id=\"none\"} 5\n"
    "# HELP backtalk_unanswered_total Messages recorded without a reply, by "
    "why.\n"
    "# TYPE backtalk_unanswered_total counter\n"
    "backtalk_unanswered_total{reason=\"opted_out\"} 2\n"
    "backtalk_unanswered_total{reason=\"optout_unknown\"} 0\n"
    "backtalk_unanswered_total{reason=\"too_old\"} 0\n"
    "backtalk_unanswered_total{reason=\"flood_guard\"} 1\n"
    "backtalk_unanswered_total{reason=\"repeat\"} 0\n"
    "backtalk_unanswered_total{reason=\"red_flag_repeat\"} 1\n"
    "backtalk_unanswered_total{reason=\"auto_responder\"} 0\n"
    "backtalk_unanswered_total{reason=\"echo\"} 0\n"
    "backtalk_unanswered_total{reason=\"gateway_answers_keyword\"} 0\n"
    "backtalk_unanswered_total{reason=\"no_reply_text\"} 0\n"
    "backtalk_unanswered_total{reason=\"not_a_phone_number\"} 0\n"
    "backtalk_unanswered_total{reason=\"unreadable\"} 0\n"
    "backtalk_unanswered_total{reason=\"other\"} 1\n"
    "# HELP backtalk_replies_total Replies decided (queued to send), by "
    "category and rule.\n"
    "# TYPE backtalk_replies_total counter\n"
    "backtalk_replies_total{category=\"urgent\",rule=\"red-flag-numb\"} 2\n"
    "backtalk_replies_total{category=\"fallback\",rule=\"\"} 1\n"
    "# HELP backtalk_conversation_events_total Conversation events "
    "(started, answered, finished, expired, gave_up, interrupted), by "
    "conversation.\n"
    "# TYPE backtalk_conversation_events_total counter\n"
    "backtalk_conversation_events_total{conversation=\"screening\","
    "event=\"started\"} 2\n"
    "backtalk_conversation_events_total{conversation=\"screening\","
    "event=\"finished\"} 1\n"
    "backtalk_conversation_events_total{conversation=\"checkin\","
    "event=\"finished\"} 1\n"
    "# HELP backtalk_checkin_answers_total Check-ins ended, by the answer "
    "(its outcome, red_flag, stop, gave_up, no_answer).\n"
    "# TYPE backtalk_checkin_answers_total counter\n"
    "backtalk_checkin_answers_total{answer=\"worse\"} 1\n"
    "# HELP backtalk_replies_sent_total Replies the gateway accepted.\n"
    "# TYPE backtalk_replies_sent_total counter\n"
    "backtalk_replies_sent_total 1\n"
    "# HELP backtalk_send_failures_total Failed send attempts, by the "
    "gateway's error code.\n"
    "# TYPE backtalk_send_failures_total counter\n"
    "backtalk_send_failures_total{code=\"21610\"} 1\n"
    "# HELP backtalk_reply_latency_seconds From a message's arrival to its "
    "reply's send, by the message's category.\n"
    "# TYPE backtalk_reply_latency_seconds histogram\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"1\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"2\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"5\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"10\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"30\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"60\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"120\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"300\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"900\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"1800\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"3600\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"urgent\",le=\"+Inf\"} 2\n"
    "backtalk_reply_latency_seconds_sum{category=\"urgent\"} 1.5\n"
    "backtalk_reply_latency_seconds_count{category=\"urgent\"} 2\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"1\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"2\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"5\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"10\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"30\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"60\"} 1\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"120\"} 1\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"300\"} 1\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"900\"} 1\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"1800\"} 1\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"3600\"} 1\n"
    "backtalk_reply_latency_seconds_bucket{category=\"tip\",le=\"+Inf\"} 1\n"
    "backtalk_reply_latency_seconds_sum{category=\"tip\"} 45\n"
    "backtalk_reply_latency_seconds_count{category=\"tip\"} 1\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"1\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"2\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"5\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"10\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"30\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"60\"} 0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"120\"} "
    "0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"300\"} "
    "0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"900\"} "
    "0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"1800\"} "
    "0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"3600\"} "
    "0\n"
    "backtalk_reply_latency_seconds_bucket{category=\"fallback\",le=\"+Inf\"} "
    "1\n"
    "backtalk_reply_latency_seconds_sum{category=\"fallback\"} 7200\n"
    "backtalk_reply_latency_seconds_count{category=\"fallback\"} 1\n"
    "# HELP backtalk_optouts_total Opt-outs (STOP, or the gateway saying so).\n"
    "# TYPE backtalk_optouts_total counter\n"
    "backtalk_optouts_total 1\n"
    "# HELP backtalk_optins_total Opt-ins (START).\n"
    "# TYPE backtalk_optins_total counter\n"
    "backtalk_optins_total 1\n"
    "# HELP backtalk_poll_duration_seconds Time taken by each poll of the "
    "gateway.\n"
    "# TYPE backtalk_poll_duration_seconds histogram\n"
    "backtalk_poll_duration_seconds_bucket{le=\"0.01\"} 0\n"
    "backtalk_poll_duration_seconds_bucket{le=\"0.025\"} 1\n"
    "backtalk_poll_duration_seconds_bucket{le=\"0.05\"} 1\n"
    "backtalk_poll_duration_seconds_bucket{le=\"0.1\"} 1\n"
    "backtalk_poll_duration_seconds_bucket{le=\"0.25\"} 1\n"
    "backtalk_poll_duration_seconds_bucket{le=\"0.5\"} 3\n"
    "backtalk_poll_duration_seconds_bucket{le=\"1\"} 3\n"
    "backtalk_poll_duration_seconds_bucket{le=\"2.5\"} 3\n"
    "backtalk_poll_duration_seconds_bucket{le=\"5\"} 3\n"
    "backtalk_poll_duration_seconds_bucket{le=\"10\"} 3\n"
    "backtalk_poll_duration_seconds_bucket{le=\"30\"} 3\n"
    "backtalk_poll_duration_seconds_bucket{le=\"60\"} 3\n"
    "backtalk_poll_duration_seconds_bucket{le=\"+Inf\"} 3\n"
    "backtalk_poll_duration_seconds_sum 0.82\n"
    "backtalk_poll_duration_seconds_count 3\n"
    "# HELP backtalk_poll_failures_total Polls of the gateway that failed.\n"
    "# TYPE backtalk_poll_failures_total counter\n"
    "backtalk_poll_failures_total 1\n"
    "# HELP backtalk_poll_lag_seconds Seconds since the last successful poll "
    "(since the start before the first).\n"
    "# TYPE backtalk_poll_lag_seconds gauge\n"
    "backtalk_poll_lag_seconds 6\n"
    "# HELP backtalk_last_poll_success_timestamp_seconds When the last "
    "successful poll ended (Unix time; 0 never).\n"
    "# TYPE backtalk_last_poll_success_timestamp_seconds gauge\n"
    "backtalk_last_poll_success_timestamp_seconds 1004\n"
    "# HELP backtalk_last_send_success_timestamp_seconds When the gateway last "
    "accepted a reply (Unix time; 0 never).\n"
    "# TYPE backtalk_last_send_success_timestamp_seconds gauge\n"
    "backtalk_last_send_success_timestamp_seconds 1006\n"
    "# HELP backtalk_outbox_depth Replies waiting to be sent or being sent.\n"
    "# TYPE backtalk_outbox_depth gauge\n"
    "backtalk_outbox_depth 2\n"
    "# HELP backtalk_outbox_oldest_waiting_seconds Age of the oldest reply "
    "waiting to be sent or being sent; 0 when none waits.\n"
    "# TYPE backtalk_outbox_oldest_waiting_seconds gauge\n"
    "backtalk_outbox_oldest_waiting_seconds 30\n"
    "# HELP backtalk_rules_loaded Rules in use.\n"
    "# TYPE backtalk_rules_loaded gauge\n"
    "backtalk_rules_loaded 42\n"
    "# HELP backtalk_clock_skew_seconds The gateway's clock (its Date "
    "header) minus this host's, at the last poll.\n"
    "# TYPE backtalk_clock_skew_seconds gauge\n"
    "backtalk_clock_skew_seconds -7200\n"
    "# HELP backtalk_reloads_total Reloads asked for (SIGHUP).\n"
    "# TYPE backtalk_reloads_total counter\n"
    "backtalk_reloads_total 2\n"
    "# HELP backtalk_reload_failures_total Reloads that kept the previous "
    "configuration.\n"
    "# TYPE backtalk_reload_failures_total counter\n"
    "backtalk_reload_failures_total 1\n"
    "# HELP backtalk_last_reload_success 1 when the last reload took (or "
    "none was asked for), 0 when it kept the previous configuration.\n"
    "# TYPE backtalk_last_reload_success gauge\n"
    "backtalk_last_reload_success 0\n";

static void
test_render_exact(void **state)
{
	(void)state;
	struct metrics *m = sample();
	struct metrics_gauges g = { .outbox_depth = 2,
		                    .oldest_waiting = (int64_t)T0 - 20,
		                    .rules_loaded = 42 };
	char *text = render(m, &g, T0 + 10);

	assert_string_equal(text, sample_text);
	free(text);
	metrics_free(m);
}

/* Nothing counted yet: every family is there, with zeros, and the poll
 * lag runs from the start; an unknown outbox depth is left out. */
static void
test_render_empty(void **state)
{
	(void)state;
	struct metrics *m = metrics_new(T0);
	struct metrics_gauges g = { .outbox_depth = -1, .rules_loaded = 0 };
	char *text = render(m, &g, T0 + 7.5);

	assert_non_null(strstr(text, "\nbacktalk_inbound_messages_total 0\n"));
	assert_non_null(strstr(text,
	                       "# TYPE backtalk_replies_total counter\n"
	                       "# HELP backtalk_conversation_events_total"));
	assert_non_null(strstr(text,
	                       "# TYPE backtalk_checkin_answers_total counter\n"
	                       "# HELP backtalk_replies_sent_total"));
	assert_non_null(strstr(text, "\nbacktalk_poll_lag_seconds 7.5\n"));
	assert_non_null(
	    strstr(text, "\nbacktalk_last_poll_success_timestamp_seconds 0\n"));
	assert_null(strstr(text, "backtalk_outbox_depth"));
	free(text);
	metrics_free(m);
}

static void
test_label_escaping(void **state)
{
	(void)state;
	struct metrics *m = metrics_new(T0);
	struct metrics_gauges g = { .outbox_depth = 0 };
	char *text;

	metrics_reply(m, "info", "a\"b\\c\nd");
	metrics_send_failed(m, "x\"}\n1", T0);
	text = render(m, &g, T0);
	assert_non_null(strstr(text, "\nbacktalk_replies_total{category="
	                             "\"info\",rule=\"a\\\"b\\\\c\\nd\"} "
	                             "1\n"));
	assert_non_null(strstr(
	    text, "\nbacktalk_send_failures_total{code=\"x\\\"}\\n1\"} 1\n"));
	free(text);
	metrics_free(m);
}

/* Conversations (their ids come from the rule files) fill
 * METRICS_CONVO_SERIES_MAX series, check-in answers METRICS_ANSWERS_MAX;
 * the rest are counted as "other". */
static void
test_convo_bounded(void **state)
{
	(void)state;
	struct metrics *m = metrics_new(T0);
	struct metrics_gauges g = { .outbox_depth = 0 };
	char id[16], *text, *p;
	size_t series = 0, answers = 0;

	for (int i = 0; i < METRICS_CONVO_SERIES_MAX + 3; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		metrics_convo_event(m, id, "started");
		metrics_checkin_answer(m, id);
	}
	text = render(m, &g, T0);
	for (p = text; (p = strstr(p, "\nbacktalk_conversation_events_total{"));
	     p++)
		series++;
	for (p = text; (p = strstr(p, "\nbacktalk_checkin_answers_total{"));
	     p++)
		answers++;
	assert_int_equal(series, METRICS_CONVO_SERIES_MAX + 1);
	assert_int_equal(answers, METRICS_ANSWERS_MAX + 1);
	assert_non_null(strstr(text, "{conversation=\"other\",event="
	                             "\"other\"} 3\n"));
	assert_non_null(strstr(text, "{answer=\"other\"} "));
	free(text);
	metrics_free(m);
}

/* A gateway inventing codes fills METRICS_CODES_MAX series; the rest are
 * counted as "other". */
static void
test_codes_bounded(void **state)
{
	(void)state;
	struct metrics *m = metrics_new(T0);
	struct metrics_gauges g = { .outbox_depth = 0 };
	char code[16], *text, *p;
	size_t series = 0;

	for (int i = 0; i < METRICS_CODES_MAX + 6; i++) {
		snprintf(code, sizeof(code), "E%d", i);
		metrics_send_failed(m, code, T0);
	}
	metrics_send_failed(m, "E0", T0); /* known: still its own */
	text = render(m, &g, T0);
	for (p = text; (p = strstr(p, "\nbacktalk_send_failures_total{")); p++)
		series++;
	assert_int_equal(series, METRICS_CODES_MAX + 1);
	assert_non_null(
	    strstr(text, "\nbacktalk_send_failures_total{code=\"E0\"} 2\n"));
	assert_non_null(
	    strstr(text, "\nbacktalk_send_failures_total{code=\"other\"} 6\n"));
	free(text);
	metrics_free(m);
}

static void
test_replies_bounded(void **state)
{
	(void)state;
	struct metrics *m = metrics_new(T0);
	struct metrics_gauges g = { .outbox_depth = 0 };
	char rule[16], *text;

	for (int i = 0; i < METRICS_REPLY_SERIES_MAX + 3; i++) {
		snprintf(rule, sizeof(rule), "r%d", i);
		metrics_reply(m, "info", rule);
	}
	text = render(m, &g, T0);
	assert_non_null(strstr(text, "{category=\"info\",rule=\"r0\"} 1\n"));
	assert_non_null(
	    strstr(text, "{category=\"other\",rule=\"other\"} 3\n"));
	free(text);
	metrics_free(m);
}

/* Reply latency: a span the wall clock made negative counts as 0, and
 * categories past METRICS_LATENCY_SERIES_MAX are counted as "other"; no
 * skew gauge before a gateway time has been seen. */
static void
test_latency_bounded(void **state)
{
	(void)state;
	struct metrics *m = metrics_new(T0);
	struct metrics_gauges g = { .outbox_depth = 0 };
	char cat[16], *text;

	metrics_reply_latency(m, "emergency", -3600);
	for (int i = 0; i < METRICS_LATENCY_SERIES_MAX + 2; i++) {
		snprintf(cat, sizeof(cat), "c%d", i);
		metrics_reply_latency(m, cat, 3);
	}
	text = render(m, &g, T0);
	assert_non_null(strstr(text, "\nbacktalk_reply_latency_seconds_bucket"
	                             "{category=\"emergency\",le=\"1\"} 1\n"));
	assert_non_null(strstr(text, "\nbacktalk_reply_latency_seconds_sum"
	                             "{category=\"emergency\"} 0\n"));
	assert_non_null(strstr(text, "\nbacktalk_reply_latency_seconds_count"
	                             "{category=\"other\"} 3\n"));
	assert_null(strstr(text, "category=\"c15\""));
	assert_null(strstr(text, "backtalk_clock_skew_seconds"));
	free(text);
	metrics_free(m);
}

/* Like snprintf: a short buffer gets the beginning, NUL terminated, and
 * the whole length is returned. */
static void
test_render_cut(void **state)
{
	(void)state;
	struct metrics *m = sample();
	struct metrics_gauges g = { .outbox_depth = 2,
		                    .oldest_waiting = (int64_t)T0 - 20,
		                    .rules_loaded = 42 };
	char small[40];
	size_t len;

	memset(small, 'x', sizeof(small));
	len = metrics_render(m, &g, T0 + 10, "1.2.3", small, sizeof(small));
	assert_int_equal(len, strlen(sample_text));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, sample_text, sizeof(small) - 1);
	metrics_free(m);
}

static void
test_health(void **state)
{
	(void)state;
	struct metrics *m = metrics_new(T0);
	struct metrics_gauges g = { .outbox_depth = 0, .rules_loaded = 1 };
	char why[128];

	assert_true(metrics_health(m, &g, T0, 300, why, sizeof(why)));
	assert_string_equal(why, "ok");

	/* Polls failing: fine up to the limit, not past it. */
	metrics_poll(m, false, 0.1, T0 + 10);
	metrics_poll(m, false, 0.1, T0 + 200);
	assert_true(metrics_health(m, &g, T0 + 310, 300, why, sizeof(why)));
	assert_false(metrics_health(m, &g, T0 + 311, 300, why, sizeof(why)));
	assert_string_equal(why,
	                    "every poll of the gateway has failed for 301 s");
	/* One poll that works is enough. */
	metrics_poll(m, true, 0.1, T0 + 312);
	assert_true(metrics_health(m, &g, T0 + 1000, 300, why, sizeof(why)));

	/* Sends failing matter only while replies wait. */
	metrics_send_failed(m, "30001", T0 + 1000);
	metrics_send_failed(m, "30001", T0 + 1200);
	assert_true(metrics_health(m, &g, T0 + 1400, 300, why, sizeof(why)));
	g.outbox_depth = 3;
	assert_false(metrics_health(m, &g, T0 + 1400, 300, why, sizeof(why)));
	assert_string_equal(why,
	                    "every send has failed for 400 s; 3 replies wait");
	metrics_send_ok(m, T0 + 1401);
	assert_true(metrics_health(m, &g, T0 + 1800, 300, why, sizeof(why)));
	/* An empty outbox clears a failing streak: the next reply starts
	 * its own. */
	metrics_send_failed(m, "30001", T0 + 1800);
	metrics_send_idle(m);
	assert_true(metrics_health(m, &g, T0 + 2500, 300, why, sizeof(why)));

	/* The store failing is at once unhealthy. */
	g.store_failing = true;
	assert_false(metrics_health(m, &g, T0 + 2500, 300, why, sizeof(why)));
	assert_string_equal(why, "the state database is failing");
	g.store_failing = false;
	g.outbox_depth = -1;
	assert_false(metrics_health(m, &g, T0 + 2500, 300, why, sizeof(why)));
	metrics_free(m);
}

/* Refused credentials are at once unhealthy, with what to check, and
 * healthy again as soon as the gateway takes them. */
static void
test_health_auth(void **state)
{
	(void)state;
	struct metrics *m = metrics_new(T0);
	struct metrics_gauges g = { .outbox_depth = 2, .rules_loaded = 1 };
	char why[200];

	metrics_gateway_auth(m, 401, T0 + 5);
	metrics_gateway_auth(m, 403, T0 + 6);
	assert_false(metrics_health(m, &g, T0 + 7, 300, why, sizeof(why)));
	assert_string_equal(why, "the gateway has refused our credentials "
	                         "(HTTP 403) for 2 s: replies are held; check "
	                         "the account, the token and base_url");
	metrics_gateway_auth(m, 0, T0 + 8);
	assert_true(metrics_health(m, &g, T0 + 9, 300, why, sizeof(why)));
	metrics_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_exact),
		cmocka_unit_test(test_render_empty),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_codes_bounded),
		cmocka_unit_test(test_convo_bounded),
		cmocka_unit_test(test_replies_bounded),
		cmocka_unit_test(test_latency_bounded),
		cmocka_unit_test(test_render_cut),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_health_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
