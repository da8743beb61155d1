/* bench_classify: how long classify_message takes per message.
 *
 * Loads a rule set, reads a file of messages (one a line) into memory,
 * classifies every message once to warm up (caches, branch predictors,
 * lazily allocated scratch), then times the messages in two ways:
 *
 *  - each call alone, with CLOCK_MONOTONIC around it (the figure includes
 *    one clock_gettime, whose cost is measured and printed);
 *  - batches of consecutive messages (64 by default), divided by the batch
 *    size, which hides the clock cost and gives the throughput.
 *
 * Both are repeated over several passes and the samples pooled, so one
 * noisy moment on a shared machine moves the median little; the median of
 * each pass is printed too, to show how stable the figures are.  The
 * decisions of every pass are compared with the first, and the category
 * distribution is printed so a reader sees what was classified.
 *
 * The last line is machine readable (key=value) for bench/run.sh.
 *
 * usage: bench_classify --rules PATH --messages FILE [--passes N]
 *                       [--batch N] [--label NAME] */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounds.h"
#include "category.h"
#include "classify.h"
#include "diag.h"
#include "normalise.h"
#include "prefilter.h"
#include "rules.h"

#define TOP_RULES 8

/* Kinds of message, for the breakdown of the per-call times: the
 * classifier takes a different path for each. */
enum {
	KIND_PLAIN,     /* ASCII after normalising, no letter runs */
	KIND_RUNS,      /* letter runs: classified under two readings */
	KIND_NON_ASCII, /* non-ASCII letters left after normalising */
	KIND_INVALID,   /* not UTF-8 */
	KIND__COUNT
};

static const char *const kind_names[KIND__COUNT] = {
	"ASCII, no letter runs",
	"ASCII, letter runs",
	"non-ASCII letters",
	"invalid UTF-8",
};

struct messages {
	char *data;
	size_t size;
	const char **text;
	size_t *len;
	size_t count;
	size_t bytes; /* message bytes, without line ends */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) +
	       (uint64_t)ts.tv_nsec;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "bench_classify: out of memory\n");
		exit(70);
	}
	return p;
}

static int
read_messages(const char *path, struct messages *m)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 1 << 20;

	memset(m, 0, sizeof(*m));
	if (fp == NULL) {
		fprintf(stderr, "bench_classify: %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	m->data = xmalloc(cap + 1);
	for (;;) {
		size_t n = fread(m->data + m->size, 1, cap - m->size, fp);
		m->size += n;
		if (m->size < cap)
			break;
		cap *= 2;
		char *d = realloc(m->data, cap + 1);
		if (d == NULL) {
			fprintf(stderr, "bench_classify: out of memory\n");
			exit(70);
		}
		m->data = d;
	}
	if (ferror(fp)) {
		fprintf(stderr, "bench_classify: %s: read error\n", path);
		return -1;
	}
	if (fp != stdin)
		fclose(fp);
	m->data[m->size] = '\0';

	size_t lines = 0;
	for (size_t i = 0; i < m->size; i++)
		if (m->data[i] == '\n')
			lines++;
	lines++;
	m->text = xmalloc(lines * sizeof(*m->text));
	m->len = xmalloc(lines * sizeof(*m->len));
	for (size_t i = 0; i < m->size;) {
		char *nl = memchr(m->data + i, '\n', m->size - i);
		size_t end = nl ? (size_t)(nl - m->data) : m->size;
		size_t n = end - i;
		if (n > 0 && m->data[i + n - 1] == '\r')
			n--;
		m->text[m->count] = m->data + i;
		m->len[m->count] = n;
		m->bytes += n;
		m->count++;
		i = end + 1;
	}
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Percentile p (0..100) of sorted v, nearest rank. */
static double
percentile(const double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t k = (size_t)(p / 100.0 * (double)n + 0.5);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

struct stats {
	double median, mean, p99, max;
};

/* Sorts v in place. */
static struct stats
summarise(double *v, size_t n)
{
	struct stats s = { 0 };
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += v[i];
	qsort(v, n, sizeof(*v), cmp_double);
	s.median = percentile(v, n, 50);
	s.p99 = percentile(v, n, 99);
	s.max = n ? v[n - 1] : 0;
	s.mean = n ? sum / (double)n : 0;
	return s;
}

/* Cost of one clock_gettime, in ns: the median of many back-to-back
 * pairs. */
static double
clock_cost_ns(void)
{
	enum { N = 20001 };
	double *v = xmalloc(N * sizeof(*v));

	for (int i = 0; i < N; i++) {
		uint64_t a = now_ns(), b = now_ns();
		v[i] = (double)(b - a);
	}
	struct stats s = summarise(v, N);
	free(v);
	return s.median;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: bench_classify --rules PATH --messages FILE "
	            "[--passes N] [--batch N] [--label NAME]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "messages", required_argument, NULL, 'm' },
		{ "passes", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rules_path = NULL, *msg_path = NULL, *label = "rules";
	unsigned long passes = 3, batch = 64;
	int ch;

	while ((ch = getopt_long(argc, argv, "r:m:p:b:l:h", opts, NULL)) !=
	       -1) {
		char *end;
		switch (ch) {
		case 'r':
			rules_path = optarg;
			break;
		case 'm':
			msg_path = optarg;
			break;
		case 'p':
		case 'b':
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || v > 1000000) {
				usage(stderr);
				return 2;
			}
			*(ch == 'p' ? &passes : &batch) = v;
			break;
		case 'l':
			label = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (rules_path == NULL || msg_path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}

	/* Load. */
	struct diag d;
	struct ruleset *rs = NULL;
	diag_init(&d);
	uint64_t t0 = now_ns();
	int lrc = rules_load(rules_path, &rs, &d);
	double load_s = (double)(now_ns() - t0) / 1e9;
	if (lrc != 0) {
		diag_print(&d, stderr);
		fprintf(stderr, "bench_classify: cannot load rules from %s\n",
		        rules_path);
		diag_free(&d);
		return 1;
	}
	size_t warnings = d.warnings;
	diag_free(&d);

	struct messages m;
	if (read_messages(msg_path, &m) != 0)
		return 1;
	if (m.count == 0) {
		fprintf(stderr, "bench_classify: %s has no messages\n",
		        msg_path);
		return 1;
	}

	struct classify *c = classify_new(rs);
	if (c == NULL) {
		fprintf(stderr, "bench_classify: cannot create classifier\n");
		return 1;
	}

	/* Shape of the input, outside any timing. */
	static char norm[BT_MESSAGE_MAX + 1];
	size_t with_runs = 0, non_ascii = 0, longest = 0;
	unsigned char *kind = xmalloc(m.count);
	for (size_t i = 0; i < m.count; i++) {
		struct normalise_result nr;
		kind[i] = KIND_PLAIN;
		if (normalise_text(m.text[i], m.len[i], NORMALISE_RUNS_TWO,
		                   norm, &nr) != NORMALISE_OK) {
			kind[i] = KIND_INVALID;
			continue;
		}
		if (nr.has_runs) {
			with_runs++;
			kind[i] = KIND_RUNS;
		}
		for (size_t k = 0; k < nr.len; k++)
			if ((unsigned char)norm[k] >= 0x80) {
				non_ascii++;
				kind[i] = KIND_NON_ASCII;
				break;
			}
		if (m.len[i] > longest)
			longest = m.len[i];
	}

	/* Warm up, and record the decisions to compare every pass with. */
	long *decided = xmalloc(m.count * sizeof(*decided));
	size_t cat_count[CATEGORY__COUNT] = { 0 }, via_count[6] = { 0 };
	size_t *rule_count =
	    calloc(rs->nrules ? rs->nrules : 1, sizeof(*rule_count));
	size_t invalid = 0, limit_hits = 0, truncated = 0;
	if (rule_count == NULL) {
		fprintf(stderr, "bench_classify: out of memory\n");
		return 70;
	}
	uint64_t tw = now_ns();
	for (size_t i = 0; i < m.count; i++) {
		struct classify_result res;
		if (classify_message(c, m.text[i], m.len[i], &res, NULL) != 0) {
			invalid++;
			decided[i] = -2;
			continue;
		}
		decided[i] = res.rule >= 0 ? res.rule : -100 - res.category;
		cat_count[res.category]++;
		if ((unsigned)res.via < 6)
			via_count[res.via]++;
		if (res.rule >= 0)
			rule_count[res.rule]++;
		limit_hits += res.limit_hits;
		truncated += res.truncated;
	}
	double warm_s = (double)(now_ns() - tw) / 1e9;

	/* Timed passes. */
	size_t nbatches = (m.count + batch - 1) / batch;
	double *single = xmalloc(passes * m.count * sizeof(*single));
	double *batched = xmalloc(passes * nbatches * sizeof(*batched));
	double *pass_single_median = xmalloc(passes * sizeof(double));
	double *pass_batch_mean = xmalloc(passes * sizeof(double));
	double *scratch = xmalloc((m.count > nbatches ? m.count : nbatches) *
	                          sizeof(*scratch));
	size_t mismatches = 0;
	uint64_t batch_total_ns = 0;

	for (unsigned long p = 0; p < passes; p++) {
		double *s = single + p * m.count;
		for (size_t i = 0; i < m.count; i++) {
			struct classify_result res;
			uint64_t a = now_ns();
			int rc = classify_message(c, m.text[i], m.len[i], &res,
			                          NULL);
			uint64_t b = now_ns();
			s[i] = (double)(b - a) / 1000.0;
			long got = rc != 0         ? -2
			           : res.rule >= 0 ? res.rule
			                           : -100 - res.category;
			if (got != decided[i])
				mismatches++;
		}
		memcpy(scratch, s, m.count * sizeof(*s));
		pass_single_median[p] = summarise(scratch, m.count).median;

		double *bt = batched + p * nbatches;
		uint64_t pass_ns = 0;
		for (size_t bi = 0; bi < nbatches; bi++) {
			size_t from = bi * batch;
			size_t to =
			    from + batch < m.count ? from + batch : m.count;
			struct classify_result res;
			uint64_t a = now_ns();
			for (size_t i = from; i < to; i++)
				classify_message(c, m.text[i], m.len[i], &res,
				                 NULL);
			uint64_t b = now_ns();
			pass_ns += b - a;
			bt[bi] = (double)(b - a) / 1000.0 / (double)(to - from);
		}
		batch_total_ns += pass_ns;
		pass_batch_mean[p] = (double)pass_ns / 1000.0 / (double)m.count;
	}

	/* Per-call times by kind of message, before the pooled samples are
	 * sorted. */
	struct stats kstats[KIND__COUNT];
	size_t kcount[KIND__COUNT] = { 0 };
	double ktotal[KIND__COUNT] = { 0 }, all_total = 0;
	double *kbuf = xmalloc(passes * m.count * sizeof(*kbuf));
	for (int k = 0; k < KIND__COUNT; k++) {
		size_t n = 0;
		for (unsigned long p = 0; p < passes; p++)
			for (size_t i = 0; i < m.count; i++)
				if (kind[i] == k) {
					kbuf[n] = single[p * m.count + i];
					ktotal[k] += kbuf[n];
					n++;
				}
		kcount[k] = n / passes;
		kstats[k] = summarise(kbuf, n);
		all_total += ktotal[k];
	}

	/* And by length, to show how the cost grows with the text. */
	static const size_t len_edges[] = { 0, 32, 100, 200, SIZE_MAX };
	enum { NLEN = sizeof(len_edges) / sizeof(len_edges[0]) - 1 };
	struct stats lstats[NLEN];
	size_t lcount[NLEN] = { 0 };
	double lbytes[NLEN] = { 0 }, ltotal[NLEN] = { 0 };
	for (int k = 0; k < NLEN; k++) {
		size_t n = 0;
		for (unsigned long p = 0; p < passes; p++)
			for (size_t i = 0; i < m.count; i++)
				if (m.len[i] >= len_edges[k] &&
				    m.len[i] < len_edges[k + 1]) {
					kbuf[n] = single[p * m.count + i];
					ltotal[k] += kbuf[n];
					if (p == 0)
						lbytes[k] += (double)m.len[i];
					n++;
				}
		lcount[k] = n / passes;
		lstats[k] = summarise(kbuf, n);
	}
	free(kbuf);

	double clock_ns = clock_cost_ns();
	struct stats ss = summarise(single, passes * m.count);
	struct stats bs = summarise(batched, passes * nbatches);
	double total_s = (double)batch_total_ns / 1e9;
	double mean_us =
	    (double)batch_total_ns / 1000.0 / (double)(passes * m.count);
	double per_s = (double)(passes * m.count) / total_s;

	/* Report. */
	size_t rule_patterns = 0, compliance = 0, exclusions = 0;
	for (size_t i = 0; i < rs->npatterns; i++) {
		if (rs->patterns[i].kind == PATTERN_COMPLIANCE)
			compliance++;
		else
			rule_patterns++;
		if (rs->patterns[i].kind == PATTERN_EXCLUDE)
			exclusions++;
	}
	size_t always = prefilter_always_count(rs->prefilter) +
	                prefilter_always_count(rs->prefilter_ex);

	printf("== backtalk classification benchmark: %s ==\n", label);
	printf("rules       %s\n", rules_path);
	printf("            %zu rules in %zu files, %zu keywords, %zu load "
	       "warnings\n",
	       rs->nrules, rs->nfiles, rs->nkeywords, warnings);
	printf("            %zu patterns (%zu in rules, %zu of them "
	       "exclusions, %zu built-in compliance)\n",
	       rs->npatterns, rule_patterns, exclusions, compliance);
	printf("            %zu patterns vectorscan could not take "
	       "(confirmed by PCRE2 on every message)\n",
	       always);
	printf("            PCRE2 JIT: %s\n",
	       rs->jit ? "every pattern" : "NOT for every pattern");
	printf("            loaded in %.3f s (parse, PCRE2 compile, "
	       "vectorscan database)\n",
	       load_s);
	printf("messages    %s\n", msg_path);
	printf("            %zu messages, %.1f bytes on average, longest "
	       "%zu; %zu with letter runs (classified twice), %zu "
	       "non-ASCII after normalising\n",
	       m.count, (double)m.bytes / (double)m.count, longest, with_runs,
	       non_ascii);
	printf("warm-up     1 pass, %.3f s\n", warm_s);
	printf("timing      %lu passes; CLOCK_MONOTONIC costs %.0f ns a "
	       "call\n",
	       passes, clock_ns);
	printf("  per call  median %.3f us   mean %.3f us   p99 %.3f us   "
	       "max %.1f us   (includes one clock read)\n",
	       ss.median, ss.mean, ss.p99, ss.max);
	printf("            median by pass:");
	for (unsigned long p = 0; p < passes; p++)
		printf(" %.3f", pass_single_median[p]);
	printf(" us\n");
	printf("            by kind of message:  count    median      "
	       "mean       p99  share of time\n");
	for (int k = 0; k < KIND__COUNT; k++)
		if (kcount[k])
			printf("            %-22s %6zu %8.3f  %8.3f  %8.3f  "
			       "%5.1f%%\n",
			       kind_names[k], kcount[k], kstats[k].median,
			       kstats[k].mean, kstats[k].p99,
			       all_total > 0 ? 100.0 * ktotal[k] / all_total
			                     : 0.0);
	printf("            by length in bytes:  count    median      "
	       "mean       p99  ns a byte\n");
	for (int k = 0; k < NLEN; k++) {
		char name[32];
		if (lcount[k] == 0)
			continue;
		if (len_edges[k + 1] == SIZE_MAX)
			snprintf(name, sizeof(name), "%zu and over",
			         len_edges[k]);
		else
			snprintf(name, sizeof(name), "%zu to %zu", len_edges[k],
			         len_edges[k + 1] - 1);
		printf("            %-22s %6zu %8.3f  %8.3f  %8.3f  %6.1f\n",
		       name, lcount[k], lstats[k].median, lstats[k].mean,
		       lstats[k].p99,
		       lbytes[k] > 0
		           ? ltotal[k] * 1000.0 / (lbytes[k] * (double)passes)
		           : 0.0);
	}
	printf("  batch %-3lu median %.3f us   mean %.3f us   p99 %.3f us   "
	       "(per message, over batches)\n",
	       batch, bs.median, mean_us, bs.p99);
	printf("            mean by pass:");
	for (unsigned long p = 0; p < passes; p++)
		printf(" %.3f", pass_batch_mean[p]);
	printf(" us\n");
	printf("throughput  %.0f messages/s on one thread (%.3f s for %zu "
	       "messages)\n",
	       per_s, total_s, passes * m.count);

	printf("decisions   (warm-up pass; every timed pass %s)\n",
	       mismatches ? "DIFFERED" : "decided the same");
	for (int k = 0; k < CATEGORY__COUNT; k++)
		if (cat_count[k])
			printf("  %-10s %7zu  %5.1f%%\n",
			       category_name((enum category)k), cat_count[k],
			       100.0 * (double)cat_count[k] / (double)m.count);
	printf("  by way of:");
	for (int k = 0; k < 6; k++)
		if (via_count[k])
			printf(" %s %zu;",
			       classify_via_name((enum classify_via)k),
			       via_count[k]);
	printf("\n");
	size_t distinct = 0;
	for (size_t i = 0; i < rs->nrules; i++)
		if (rule_count[i])
			distinct++;
	printf("  %zu of %zu rules decided at least one message; the most "
	       "frequent:\n",
	       distinct, rs->nrules);
	for (int t = 0; t < TOP_RULES; t++) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < rs->nrules; i++)
			if (rule_count[i] && (best == SIZE_MAX ||
			                      rule_count[i] > rule_count[best]))
				best = i;
		if (best == SIZE_MAX)
			break;
		printf("    %-36s %-9s %7zu\n", rs->rules[best].id,
		       category_name(rs->rules[best].category),
		       rule_count[best]);
		rule_count[best] = 0;
	}
	if (invalid || limit_hits || truncated)
		printf("  %zu invalid UTF-8, %zu PCRE2 limit hits, %zu "
		       "truncated\n",
		       invalid, limit_hits, truncated);
	if (mismatches)
		printf("ERROR: %zu decisions differed between passes\n",
		       mismatches);

	printf("RESULT label=%s rules=%zu patterns=%zu always=%zu "
	       "messages=%zu load_s=%.3f median_us=%.3f mean_us=%.3f "
	       "p99_us=%.3f batch_median_us=%.3f batch_p99_us=%.3f "
	       "msgs_per_s=%.0f fallback_pct=%.1f mismatches=%zu\n",
	       label, rs->nrules, rs->npatterns, always, m.count, load_s,
	       ss.median, mean_us, ss.p99, bs.median, bs.p99, per_s,
	       100.0 * (double)cat_count[CATEGORY_FALLBACK] / (double)m.count,
	       mismatches);

	free(rule_count);
	free(decided);
	free(kind);
	free(single);
	free(batched);
	free(pass_single_median);
	free(pass_batch_mean);
	free(scratch);
	free(m.text);
	free(m.len);
	free(m.data);
	classify_free(c);
	rules_free(rs);
	return mismatches ? 1 : 0;
}
