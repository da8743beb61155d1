/* bench_convo: what the pure part of a message costs (classify_message
 * and convo_step), for the cases of a conversation, counted in
 * instructions by callgrind (each case runs in bench_convo_case, which
 * callgrind's --toggle-collect can select) or timed by the clock.
 *
 * Cases, each the same message played N times from the same state:
 *   none      "how should I brace for deadlifts" with no conversation:
 *             classified, starts none (a question)
 *   none2     "2" with no conversation: the fallback, starts none
 *   starts    "my back hurts after deadlifts": its reply, and the
 *             screening question it starts (and the check-in it schedules)
 *   continues "2" with the screening question waiting: the answer,
 *             which ends the conversation with its reply
 *   next      "1" with the screening question waiting: the next question
 *
 * usage: bench_convo --rules PATH [--case NAME] [-n N]
 * Prints, per case, nanoseconds per message (median of 5 passes); under
 *   valgrind --tool=callgrind --toggle-collect=bench_convo_case
 * the instructions per message are callgrind's total divided by N. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "convo.h"
#include "diag.h"
#include "rules.h"

#define T0 INT64_C(1767268800)

struct bench_case {
	const char *name, *text;
	bool waiting; /* the screening question waits */
};

static const struct bench_case cases[] = {
	{ "none", "how should I brace for deadlifts", false },
	{ "none2", "2", false },
	{ "starts", "my back hurts after deadlifts", false },
	{ "continues", "2", true },
	{ "next", "1", true },
};

/* Plays text n times from state st; returns the messages asked for, so
 * that nothing is optimised away. */
__attribute__((noinline)) static size_t
bench_convo_case(struct classify *c, const struct ruleset *rs,
                 const struct convo_state *st, const char *text, long n)
{
	size_t sent = 0;
	struct classify_result res;
	struct convo_state next;
	struct convo_out out;

	for (long i = 0; i < n; i++) {
		if (classify_message(c, text, strlen(text), &res, NULL) != 0)
			continue;
		struct convo_msg_in in = convo_msg_from(&res, text);
		convo_step(rs, st, &in, T0 + 60, &next, &out);
		sent += out.n;
	}
	return sent;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	const char *rules = NULL, *only = NULL;
	long n = 10000;
	int ch;

	while ((ch = getopt(argc, argv, "r:c:n:")) != -1) {
		if (ch == 'r')
			rules = optarg;
		else if (ch == 'c')
			only = optarg;
		else if (ch == 'n')
			n = strtol(optarg, NULL, 10);
		else
			goto usage;
	}
	if (rules == NULL || n <= 0)
		goto usage;
	struct diag d;
	struct ruleset *rs = NULL;
	diag_init(&d);
	if (rules_load(rules, &rs, &d) != 0) {
		diag_print(&d, stderr);
		diag_free(&d);
		return 1;
	}
	diag_free(&d);
	long screening = convo_find(rs->convos, "screening");
	struct classify *c = classify_new(rs);
	if (c == NULL || screening < 0) {
		fprintf(stderr, "bench_convo: no classifier, or no "
		                "\"screening\" conversation in the rules\n");
		return 1;
	}
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct bench_case *bc = &cases[k];
		struct convo_state st = { 0 };
		uint64_t t[5];
		size_t sent = 0;

		if (only != NULL && strcmp(only, bc->name) != 0)
			continue;
		if (bc->waiting) {
			st.conv = (uint16_t)(screening + 1);
			st.deadline = T0 + 86400;
			st.day = (int32_t)(T0 / 86400);
			st.sent = 1;
		}
		for (int p = 0; p < 5; p++) {
			uint64_t t0 = now_ns();
			sent = bench_convo_case(c, rs, &st, bc->text, n);
			t[p] = now_ns() - t0;
		}
		qsort(t, 5, sizeof(t[0]), cmp_u64);
		printf("%-10s %-34s %6.0f ns/message (%zu messages out "
		       "each)\n",
		       bc->name, bc->text, (double)t[2] / (double)n,
		       sent / (size_t)n);
	}
	classify_free(c);
	rules_free(rs);
	return 0;
usage:
	fprintf(stderr, "usage: bench_convo -r RULES [-c CASE] [-n N]\n");
	return 2;
}
