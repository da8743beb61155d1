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

/* The configuration's compliance texts, which replace the rules' replies
 * to HELP, STOP and START. */
static void
cmd_check_texts(const struct config *cfg, const char *config_path,
                const struct ruleset *rs, struct diag *d)
{
	const struct {
		const char *key, *text;
	} texts[] = {
		{ "compliance.help_text", cfg->compliance.help_text },
		{ "compliance.stop_text", cfg->compliance.stop_text },
		{ "compliance.start_text", cfg->compliance.start_text },
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].text != NULL)
			rulecheck_text(rs, texts[i].text, config_path, 0,
			               texts[i].key, d);
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

	if (rules_load(path, &rs, &d) == 0) {
		rulecheck_run(rs, strict, &d);
		if (cfg != NULL)
			cmd_check_texts(cfg, config_path, rs, &d);
	}
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
