/* corpus_check: runs every message of a labelled corpus through
 * `backtalk classify` and lists each message whose category is not one the
 * corpus accepts, or whose tip topic is wrong.
 *
 *   corpus_check BACKTALK RULES CORPUS.tsv [MIN_PERCENT [MIN_RECALL
 *                [MAX_FALSE]]]
 *
 * Corpus lines are "accept<TAB>topic<TAB>text": accept is a comma list of
 * categories, topic the one a tip must have ('-' for any).  Lines starting
 * with '#' are comments; "# date: YYYY-MM-DD" says the day the messages
 * were written, against which dates in them are read (backtalk classify
 * --date; without it, today).  Exits 0 when every message is acceptable, 1 when
 * some are not, 2 when the corpus or backtalk could not be run.  With
 * MIN_PERCENT it exits 0 when at least that share is acceptable; MIN_RECALL
 * (100 by default: every red flag) is the share of red flags that must be
 * caught and MAX_FALSE (100 by default: no limit) the largest share of the
 * messages without a red flag that may be taken for one. */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct row {
	int lineno;
	char *accept; /* comma list */
	char *topic;  /* "-" for any */
	char *text;
};

static const char *const corpus_categories[] = {
	"emergency", "urgent", "referral", "tip",  "info",
	"fallback",  "stop",   "start",    "help", NULL,
};

static const char *const corpus_topics[] = {
	"-", "causes", "form", "stretch", "recovery", "warning", NULL,
};

static bool
corpus_known(const char *const *list, const char *s, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && strncmp(*list, s, n) == 0)
			return true;
	return false;
}

/* Whether category cat is in the comma list accept. */
static bool
corpus_accepts(const char *accept, const char *cat)
{
	size_t n = strlen(cat);

	for (const char *p = accept; *p;) {
		size_t m = strcspn(p, ",");
		if (m == n && strncmp(p, cat, n) == 0)
			return true;
		p += m;
		if (*p == ',')
			p++;
	}
	return false;
}

static bool
corpus_is_red_flag(const char *cat)
{
	return strcmp(cat, "emergency") == 0 || strcmp(cat, "urgent") == 0;
}

/* Whether every category accept lists is a red flag: the message must
 * raise an alarm.  Lists that mix a red flag with others ("referral,urgent")
 * count neither as red flags to catch nor as false alarms. */
static bool
corpus_only_red_flags(const char *accept)
{
	for (const char *p = accept; *p;) {
		size_t m = strcspn(p, ",");
		if (!(m == 6 && strncmp(p, "urgent", 6) == 0) &&
		    !(m == 9 && strncmp(p, "emergency", 9) == 0))
			return false;
		p += m;
		if (*p == ',')
			p++;
	}
	return true;
}

/* Reads the corpus; returns the number of rows or -1 on a bad line. */
static long
corpus_read(const char *path, struct row **ret, char *date, size_t datelen)
{
	FILE *fp = fopen(path, "r");
	struct row *rows = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	int lineno = 0;
	bool bad = false;

	if (fp == NULL) {
		fprintf(stderr, "corpus: cannot open %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &lcap, fp)) >= 0) {
		lineno++;
		while (len > 0 &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		/* "# date: 2026-12-07": the day the messages were written */
		if (strncmp(line, "# date:", 7) == 0) {
			const char *d = line + 7 + strspn(line + 7, " \t");
			if (strlen(d) != 10 || strlen(d) >= datelen) {
				fprintf(stderr,
				        "%s:%d: want # date: YYYY-MM-DD\n",
				        path, lineno);
				bad = true;
			} else {
				snprintf(date, datelen, "%s", d);
			}
			continue;
		}
		if (len == 0 || line[0] == '#')
			continue;
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (t2 == NULL) {
			fprintf(stderr,
			        "%s:%d: want accept<TAB>topic<TAB>text\n", path,
			        lineno);
			bad = true;
			continue;
		}
		*t1 = *t2 = '\0';
		for (const char *p = line; *p;) {
			size_t m = strcspn(p, ",");
			if (!corpus_known(corpus_categories, p, m)) {
				fprintf(stderr,
				        "%s:%d: unknown category "
				        "\"%.*s\"\n",
				        path, lineno, (int)m, p);
				bad = true;
			}
			p += m;
			if (*p == ',')
				p++;
		}
		if (!corpus_known(corpus_topics, t1 + 1, strlen(t1 + 1))) {
			fprintf(stderr, "%s:%d: unknown topic \"%s\"\n", path,
			        lineno, t1 + 1);
			bad = true;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			rows = realloc(rows, cap * sizeof(*rows));
			if (rows == NULL) {
				perror("corpus");
				exit(2);
			}
		}
		rows[n].lineno = lineno;
		rows[n].accept = strdup(line);
		rows[n].topic = strdup(t1 + 1);
		rows[n].text = strdup(t2 + 1);
		n++;
	}
	free(line);
	fclose(fp);
	*ret = rows;
	return bad ? -1 : (long)n;
}

/* Runs backtalk classify over every text; returns its stdout as a FILE. */
static FILE *
corpus_run(const char *backtalk, const char *rules, const char *date,
           struct row *rows, size_t n, pid_t *ret_pid)
{
	char **argv = calloc(n + 8, sizeof(*argv));
	int fd[2];
	pid_t pid;
	size_t k = 0;

	if (argv == NULL || pipe(fd) != 0) {
		perror("corpus");
		exit(2);
	}
	argv[k++] = (char *)backtalk;
	argv[k++] = "classify";
	argv[k++] = "--rules";
	argv[k++] = (char *)rules;
	if (*date != '\0') {
		argv[k++] = "--date";
		argv[k++] = (char *)date;
	}
	argv[k++] = "--"; /* texts may start with '-' */
	for (size_t i = 0; i < n; i++)
		argv[k++] = rows[i].text;
	argv[k] = NULL;
	pid = fork();
	if (pid < 0) {
		perror("corpus: fork");
		exit(2);
	}
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execv(backtalk, argv);
		perror(backtalk);
		_exit(127);
	}
	close(fd[1]);
	free(argv);
	*ret_pid = pid;
	return fdopen(fd[0], "r");
}

/* Confusion of categories: rows are the first accepted category, columns
 * the one classify chose. */
static size_t corpus_confusion[16][16];

static int
corpus_category_index(const char *name, size_t n)
{
	for (int i = 0; corpus_categories[i]; i++)
		if (strlen(corpus_categories[i]) == n &&
		    strncmp(corpus_categories[i], name, n) == 0)
			return i;
	return -1;
}

static void
corpus_tally(const char *accept, const char *got)
{
	int want = corpus_category_index(accept, strcspn(accept, ","));
	int g = corpus_category_index(got, strlen(got));

	if (want >= 0 && g >= 0)
		corpus_confusion[want][g]++;
}

static void
corpus_matrix(void)
{
	int n = 0;

	while (corpus_categories[n])
		n++;
	printf("corpus: confusion (rows: wanted first, columns: got)\n%-10s",
	       "");
	for (int j = 0; j < n; j++)
		printf(" %5.5s", corpus_categories[j]);
	printf("\n");
	for (int i = 0; i < n; i++) {
		size_t row = 0;
		for (int j = 0; j < n; j++)
			row += corpus_confusion[i][j];
		if (row == 0)
			continue;
		printf("%-10s", corpus_categories[i]);
		for (int j = 0; j < n; j++)
			printf(" %5zu", corpus_confusion[i][j]);
		printf("\n");
	}
}

int
main(int argc, char **argv)
{
	struct row *rows = NULL;
	char date[16] = "";
	long nrows;
	size_t ok = 0, red = 0, caught = 0, false_red = 0, got = 0;
	char *line = NULL;
	size_t lcap = 0;
	pid_t pid;
	int status;
	/* CORPUS_QUIET=1: figures only, no message text (for a set that must
	 * stay unseen). */
	const char *q = getenv("CORPUS_QUIET");
	bool quiet = q != NULL && *q != '\0' && strcmp(q, "0") != 0;

	/* MIN_PERCENT: the share of messages that must be acceptable (100
	 * by default); MIN_RECALL the share of red flags that must be caught
	 * (100: every one); MAX_FALSE the largest share of false red flags
	 * among the messages without one (100: any). */
	double limit[3] = { 100, 100, 100 };
	bool bad_args = argc < 4 || argc > 7;
	for (int a = 4; a < argc && !bad_args; a++) {
		char *end;
		limit[a - 4] = strtod(argv[a], &end);
		if (end == argv[a] || *end != '\0' || limit[a - 4] < 0 ||
		    limit[a - 4] > 100)
			bad_args = true;
	}
	if (bad_args) {
		fprintf(stderr, "usage: corpus_check BACKTALK RULES "
		                "CORPUS.tsv [MIN_PERCENT [MIN_RECALL "
		                "[MAX_FALSE]]]\n");
		return 2;
	}
	double min_percent = limit[0], min_recall = limit[1],
	       max_false = limit[2];
	nrows = corpus_read(argv[3], &rows, date, sizeof(date));
	if (nrows <= 0) {
		fprintf(stderr, "corpus: %s in %s\n",
		        nrows < 0 ? "errors" : "no messages", argv[3]);
		return 2;
	}

	FILE *out =
	    corpus_run(argv[1], argv[2], date, rows, (size_t)nrows, &pid);
	if (out == NULL) {
		perror("corpus");
		return 2;
	}
	while (getline(&line, &lcap, out) >= 0) {
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);
		const char *cat = NULL, *topic = NULL, *rule = NULL;
		if (got >= (size_t)nrows) {
			fprintf(stderr, "corpus: more output lines than "
			                "messages\n");
			return 2;
		}
		struct row *r = &rows[got++];
		if (o != NULL) {
			cat = json_string_value(json_object_get(o, "category"));
			topic = json_string_value(json_object_get(o, "topic"));
			rule = json_string_value(json_object_get(o, "rule"));
		}
		if (cat == NULL) {
			fprintf(stderr,
			        "corpus: line %d: unexpected output: %s",
			        r->lineno, line);
			return 2;
		}
		bool good = corpus_accepts(r->accept, cat);
		if (good && strcmp(cat, "tip") == 0 &&
		    strcmp(r->topic, "-") != 0 &&
		    (topic == NULL || strcmp(topic, r->topic) != 0))
			good = false;
		corpus_tally(r->accept, cat);
		if (good)
			ok++;
		else if (!quiet)
			printf("FAIL %s:%d: got %s%s%s (rule %s), want %s%s%s: "
			       "%s\n",
			       argv[3], r->lineno, cat, topic ? "/" : "",
			       topic ? topic : "", rule ? rule : "-", r->accept,
			       strcmp(r->topic, "-") ? " topic " : "",
			       strcmp(r->topic, "-") ? r->topic : "", r->text);
		if (corpus_only_red_flags(r->accept)) {
			red++;
			if (corpus_is_red_flag(cat))
				caught++;
		} else if (corpus_is_red_flag(cat) &&
		           !corpus_accepts(r->accept, cat)) {
			false_red++;
		}
		json_decref(o);
	}
	free(line);
	fclose(out);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr,
		        "corpus: backtalk classify failed (status "
		        "%d)\n",
		        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return 2;
	}
	if (got != (size_t)nrows) {
		fprintf(stderr, "corpus: %zu results for %ld messages\n", got,
		        nrows);
		return 2;
	}
	printf("corpus: %zu/%ld acceptable, %zu/%zu emergency+urgent caught, "
	       "%zu false red flags (%s)\n",
	       ok, nrows, caught, red, false_red, argv[3]);
	printf("corpus: %.1f%% acceptable, %.1f%% red-flag recall, %.1f%% "
	       "false red flags (of %ld without one)\n",
	       100.0 * (double)ok / (double)nrows,
	       red ? 100.0 * (double)caught / (double)red : 100.0,
	       nrows - (long)red
	           ? 100.0 * (double)false_red / (double)(nrows - (long)red)
	           : 0.0,
	       nrows - (long)red);
	corpus_matrix();
	for (long i = 0; i < nrows; i++) {
		free(rows[i].accept);
		free(rows[i].topic);
		free(rows[i].text);
	}
	free(rows);
	if (100.0 * (double)caught < min_recall * (double)red) {
		printf("corpus: a red flag was missed\n");
		if (min_recall < 100)
			printf("corpus: %.1f%% red-flag recall, below %.1f%%\n",
			       100.0 * (double)caught / (double)red,
			       min_recall);
		return 1;
	}
	if (100.0 * (double)false_red >
	    max_false * (double)(nrows - (long)red)) {
		printf("corpus: %.1f%% false red flags, above %.1f%%\n",
		       100.0 * (double)false_red / (double)(nrows - (long)red),
		       max_false);
		return 1;
	}
	if (100.0 * (double)ok < min_percent * (double)nrows) {
		printf("corpus: %.1f%% acceptable, below %.1f%%\n",
		       100.0 * (double)ok / (double)nrows, min_percent);
		return 1;
	}
	return 0;
}
