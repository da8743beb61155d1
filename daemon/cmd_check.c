/* backtalk check: validate rule files and report every problem. */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "rulecheck.h"
#include "rules.h"

/* Patterns written in the rule files (not the built-in ones). */
static size_t
cmd_check_patterns(const struct ruleset *rs)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->npatterns; i++)
		if (rs->patterns[i].kind != PATTERN_COMPLIANCE)
			n++;
	return n;
}

int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "strict", no_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *config_path = NULL;
	struct config *cfg = NULL;
	struct ruleset *rs = NULL;
	bool strict = false;
	struct diag d;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "r:sc:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'r':
			path = optarg;
			break;
		case 's':
			strict = true;
			break;
		case 'h':
			printf("usage: backtalk check [--config FILE] [--rules "
			       "PATH] "
			       "[--strict]\n");
			return EXIT_OK;
		default:
			fprintf(stderr, "usage: backtalk check [--config FILE] "
			                "[--rules PATH] "
			                "[--strict]\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "backtalk check: unexpected argument \"%s\"\n",
		        argv[optind]);
		return EXIT_USAGE;
	}
	diag_init(&d);
	if (config_path != NULL) {
		/* The daemon's configuration, and the rules it names unless
		 * --rules says otherwise. */
		if (config_load(config_path, &cfg, &d) != 0)
			cfg = NULL;
		if (path == NULL && cfg != NULL)
			path = cfg->rules_path;
		if (cfg == NULL && path == NULL) {
			diag_print(&d, stderr);
			fprintf(stderr, "%s: %zu errors, %zu warnings\n",
			        config_path, d.errors, d.warnings);
			diag_free(&d);
			return EXIT_PROBLEMS;
		}
	}
	path = cmd_rules_path(path);

	if (rules_load(path, &rs, &d) == 0)
		rulecheck_run(rs, strict, &d);
	diag_print(&d, stderr);
	if (rs != NULL)
		fprintf(stderr,
		        "%s: %zu rules in %zu files, %zu patterns: %zu "
		        "errors, %zu warnings\n",
		        path, rs->nrules, rs->nfiles, cmd_check_patterns(rs),
		        d.errors, d.warnings);
	else
		fprintf(stderr, "%s: %zu errors, %zu warnings\n", path,
		        d.errors, d.warnings);
	int rc = d.errors > 0 ? EXIT_PROBLEMS : EXIT_OK;
	diag_free(&d);
	rules_free(rs);
	config_free(cfg);
	return rc;
}
