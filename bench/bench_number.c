/* bench_number: what number_find costs per message, and what it finds.
 *
 * Reads messages, one a line, from a file (or "-" for stdin) into memory,
 * normalises and cuts each into tokens once, then times number_find alone
 * over every message for several passes and, for comparison,
 * normalise_text + token_split (with copying the tokens).  Times are the
 * thread's CPU time, and the best pass is printed: on a shared machine the
 * wall clock counts the time other work had the core.
 * With --print it prints each message that has a number concept and what
 * was found instead, which is how the rules' authors can see what
 * @fever, @over_a_week and @repeat take.
 *
 * usage: bench_number [--passes N] [--print] FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounds.h"
#include "calendar.h"
#include "normalise.h"
#include "number.h"
#include "token.h"

/* What the timed loop found, kept so the compiler keeps the calls. */
static volatile size_t bench_number_sink;
/* Dates are read against a fixed day, so runs compare. */
#define bench_number_today calendar_day(2026, 12, 7)

struct msg {
	char *text; /* normalised */
	size_t ntok;
	struct token *toks;
};

static double
bench_number_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
bench_number_print(const struct msg *m)
{
	struct number_match nm[16];
	size_t n =
	    number_find(m->text, m->toks, m->ntok, bench_number_today, nm, 16);

	if (n == 0)
		return;
	printf("%s\n", m->text);
	for (size_t i = 0; i < n; i++) {
		const struct token *a = &m->toks[nm[i].first];
		const struct token *b = &m->toks[nm[i].last];
		printf("  %s %g%s%s%s \"%.*s\"\n",
		       number_concept_name(nm[i].kind), nm[i].value,
		       (nm[i].flags & NUMBER_MORE) ? " more" : "",
		       (nm[i].flags & NUMBER_AGO) ? " ago" : "",
		       (nm[i].flags & NUMBER_EVERY) ? " every" : "",
		       (int)(b->end - a->start), m->text + a->start);
	}
}

int
main(int argc, char **argv)
{
	int passes = 5, print = 0;
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc)
			passes = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--print") == 0)
			print = 1;
		else
			path = argv[i];
	}
	if (path == NULL || passes < 1) {
		fprintf(stderr, "usage: bench_number [--passes N] [--print] "
		                "FILE\n");
		return 2;
	}
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (fp == NULL) {
		perror(path);
		return 1;
	}
	size_t cap = 1024, count = 0;
	struct msg *msgs = malloc(cap * sizeof(*msgs));
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len;
	static char norm[BT_MESSAGE_MAX + 1];
	static struct token toks[TOKEN_MAX];
	double t0 = bench_number_now();
	while (msgs != NULL && (len = getline(&line, &linecap, fp)) >= 0) {
		struct normalise_result nr;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (normalise_text(line, (size_t)len, NORMALISE_RUNS_TWO, norm,
		                   &nr) != NORMALISE_OK)
			continue;
		size_t nt = token_split(norm, nr.len, toks, TOKEN_MAX);
		if (count == cap) {
			cap *= 2;
			struct msg *m = realloc(msgs, cap * sizeof(*msgs));
			if (m == NULL)
				break;
			msgs = m;
		}
		struct msg *m = &msgs[count];
		m->text = malloc(nr.len + 1);
		m->toks = malloc((nt ? nt : 1) * sizeof(*toks));
		if (m->text == NULL || m->toks == NULL)
			break;
		memcpy(m->text, norm, nr.len + 1);
		memcpy(m->toks, toks, nt * sizeof(*toks));
		m->ntok = nt;
		count++;
	}
	double prep = bench_number_now() - t0;
	free(line);
	if (fp != stdin)
		fclose(fp);
	if (msgs == NULL || count == 0) {
		fprintf(stderr, "bench_number: no messages\n");
		return 1;
	}
	if (print) {
		for (size_t i = 0; i < count; i++)
			bench_number_print(&msgs[i]);
		return 0;
	}
	double best = 0;
	size_t found[NUMBER__COUNT] = { 0 }, with = 0;
	for (int p = 0; p < passes; p++) {
		struct number_match nm[16];
		double s = bench_number_now();
		size_t total = 0;
		for (size_t i = 0; i < count; i++)
			total += number_find(msgs[i].text, msgs[i].toks,
			                     msgs[i].ntok, bench_number_today,
			                     nm, 16);
		double e = bench_number_now() - s;
		if (p == 0 || e < best)
			best = e;
		bench_number_sink += total;
	}
	for (size_t i = 0; i < count; i++) {
		struct number_match nm[16];
		size_t n = number_find(msgs[i].text, msgs[i].toks, msgs[i].ntok,
		                       bench_number_today, nm, 16);
		with += n > 0;
		for (size_t j = 0; j < n; j++)
			found[nm[j].kind]++;
	}
	printf("messages %zu, with a number concept %zu (@fever %zu, "
	       "@over_a_week %zu, @repeat %zu)\n",
	       count, with, found[NUMBER_FEVER], found[NUMBER_OVER_A_WEEK],
	       found[NUMBER_REPEAT]);
	printf("number_find: %.1f ns a message (best of %d passes)\n",
	       best / (double)count * 1e9, passes);
	printf("normalise_text + token_split + copy: %.1f ns a message\n",
	       prep / (double)count * 1e9);
	return 0;
}
