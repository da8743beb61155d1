/* backtalk features: the models' training data.  Reads labelled messages
 * (the corpus format: accept TAB topic TAB text, '#' comments) and prints
 * one liblinear line each: +1 when the first acceptable category is a red
 * flag (emergency, urgent), else -1, then the message's features as
 * INDEX:1, made by the same model_features the classifier uses.  With
 * --classes A,B,C the label is instead the place (0, 1, 2, ...) of the
 * first acceptable category in that list, and a message whose first
 * category is not in it is left out: a category model's data.
 * scripts/train-model.sh trains rules/redflag.model and
 * rules/categories.model from them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "category.h"
#include "cmd.h"
#include "model.h"
#include "normalise.h"
#include "token.h"

static void
cmd_features_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: backtalk features [--dim N] [--classes A,B,...] "
	        "[FILE ...]\n"
	        "  Print the red-flag model's training line for each labelled\n"
	        "  message (accept TAB topic TAB text) of each FILE, or of\n"
	        "  standard input: +1 for a red flag (emergency, urgent\n"
	        "  first), else -1, then its features as INDEX:1.\n"
	        "  --dim N        hash the features into N (default %u)\n"
	        "  --classes A,B  a category model's: the label is the place\n"
	        "                 (from 0) of the first acceptable category\n"
	        "                 in the list; other messages are left out\n",
	        CMD_FEATURES_DIM);
}

/* Whether the first category of a comma list is a red flag. */
static bool
cmd_features_red(const char *accept, size_t n)
{
	return (n >= 9 && strncmp(accept, "emergency", 9) == 0 &&
	        (n == 9 || accept[9] == ',')) ||
	       (n >= 6 && strncmp(accept, "urgent", 6) == 0 &&
	        (n == 6 || accept[6] == ','));
}

/* The place of the category accept[0, n) in the comma list classes, or
 * -1. */
static int
cmd_features_class(const char *classes, const char *accept, size_t n)
{
	int i = 0;

	for (const char *p = classes; *p != '\0'; i++) {
		size_t m = strcspn(p, ",");
		if (m == n && strncmp(p, accept, n) == 0)
			return i;
		p += m;
		if (*p == ',')
			p++;
	}
	return -1;
}

/* Prints the line of one corpus line (none when classes leaves it out);
 * false when it is malformed. */
static bool
cmd_features_line(uint32_t dim, const char *classes, char *line, char *norm,
                  struct token *toks, uint32_t *f)
{
	struct normalise_result nr;
	char *t1 = strchr(line, '\t'), *t2;
	int cls = 0;

	if (t1 == NULL || (t2 = strchr(t1 + 1, '\t')) == NULL)
		return false;
	const char *text = t2 + 1;
	if (classes != NULL) {
		cls = cmd_features_class(classes, line, strcspn(line, ",\t"));
		if (cls < 0)
			return true;
	}
	if (normalise_text(text, strlen(text), NORMALISE_RUNS_TWO, norm, &nr) !=
	    NORMALISE_OK)
		return false;
	size_t ntok = token_split(norm, nr.len, toks, MODEL_TOKENS);
	size_t n = model_features(dim, norm, toks, ntok, f);
	if (classes != NULL)
		printf("%d", cls);
	else
		fputs(cmd_features_red(line, (size_t)(t1 - line)) ? "+1" : "-1",
		      stdout);
	for (size_t i = 0; i < n; i++)
		printf(" %u:1", f[i]);
	putchar('\n');
	return true;
}

static int
cmd_features_file(uint32_t dim, const char *classes, FILE *fp, const char *name)
{
	static char norm[BT_MESSAGE_MAX + 1];
	static struct token toks[MODEL_TOKENS];
	static uint32_t f[MODEL_FEATURES];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int bad = 0;

	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (!cmd_features_line(dim, classes, line, norm, toks, f)) {
			fprintf(stderr,
			        "backtalk features: %s:%ld: not accept TAB "
			        "topic TAB text in valid UTF-8\n",
			        name, lineno);
			bad = 1;
		}
	}
	free(line);
	return bad;
}

/* Whether the list is 2 to MODEL_CLASSES_MAX categories, each once. */
static bool
cmd_features_classes_ok(const char *classes)
{
	char name[16];
	enum category c;
	unsigned n = 0;

	for (const char *p = classes;; p++) {
		size_t m = strcspn(p, ",");
		if (m == 0 || m >= sizeof(name) || ++n > MODEL_CLASSES_MAX)
			return false;
		memcpy(name, p, m);
		name[m] = '\0';
		if (!category_parse(name, &c) ||
		    cmd_features_class(classes, p, m) != (int)n - 1)
			return false;
		p += m;
		if (*p == '\0')
			return n >= 2;
	}
}

int
cmd_features(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dim", required_argument, NULL, 'd' },
		{ "classes", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long dim = CMD_FEATURES_DIM;
	const char *classes = NULL;
	int c, bad = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dim = strtoul(optarg, &end, 10);
			if (*end != '\0' || dim < 1 || dim > MODEL_DIM_MAX) {
				fprintf(stderr,
				        "backtalk features: --dim must be 1 to "
				        "%u\n",
				        MODEL_DIM_MAX);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			classes = optarg;
			if (!cmd_features_classes_ok(classes)) {
				fprintf(
				    stderr,
				    "backtalk features: --classes takes two "
				    "to %u category names with commas "
				    "between them: tip,referral,info,"
				    "fallback\n",
				    MODEL_CLASSES_MAX);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			cmd_features_usage(stdout);
			return EXIT_OK;
		default:
			cmd_features_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc)
		return cmd_features_file((uint32_t)dim, classes, stdin, "-")
		           ? EXIT_INPUT
		           : EXIT_OK;
	for (int i = optind; i < argc; i++) {
		FILE *fp = fopen(argv[i], "r");
		if (fp == NULL) {
			fprintf(stderr, "backtalk features: cannot open %s\n",
			        argv[i]);
			bad = 1;
			continue;
		}
		bad |= cmd_features_file((uint32_t)dim, classes, fp, argv[i]);
		fclose(fp);
	}
	return bad ? EXIT_INPUT : EXIT_OK;
}
