/* backtalk: the operator's tool.  Checks rule files and tries messages
 * against them, and looks into (and, for opt-outs, changes) the state
 * database of a running backtalkd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "prefilter.h"
#include "version.h"

static void
backtalk_usage(FILE *fp)
{
	fprintf(
	    fp,
	    "usage: backtalk COMMAND [OPTIONS] [ARGS]\n"
	    "\n"
	    "Commands:\n"
	    "  check [--config FILE] [--rules PATH] [--strict]\n"
	    "      Check rule files: syntax, keys, patterns, examples and\n"
	    "      reply length.  Prints every problem as file:line and\n"
	    "      a summary line.  With --config, also checks backtalkd's\n"
	    "      configuration and the rules it names.\n"
	    "  classify [--rules PATH] [--explain] [TEXT ...]\n"
	    "      Classify each TEXT, or each line of standard input,\n"
	    "      and print one JSON object per message.\n"
	    "  chat [--rules PATH] [--from NUMBER] [--explain] [--config "
	    "FILE]\n"
	    "      Play a conversation: each line of standard input is a\n"
	    "      text, answered as backtalkd would (STOP, START, HELP,\n"
	    "      opt-out, flood and repeat guard), with the category,\n"
	    "      rule and SMS segments.  State is kept in memory only.\n"
	    "      /help lists its commands; /rules reloads the rules.\n"
	    "  features [--dim N] [--classes A,B,...] [FILE ...]\n"
	    "      Print the red-flag model's (or with --classes a\n"
	    "      category model's) training data for labelled messages\n"
	    "      (scripts/train-model.sh).\n"
	    "\n"
	    "Commands on backtalkd's state database (safe while it runs):\n"
	    "  status        last poll, messages, replies waiting, failures\n"
	    "  optouts list | add NUMBER | remove NUMBER\n"
	    "                list opt-outs, or opt a number out or back in\n"
	    "  history NUMBER  one person's messages and replies\n"
	    "  outbox list | retry ID... | cancel ID...\n"
	    "                replies by state; send failed ones again, or\n"
	    "                cancel pending ones (also by --number, --state)\n"
	    "  stats [--since DATE|AGE] [--json]\n"
	    "                messages by category, topic and rule; replies\n"
	    "  replay [--rules PATH] [--since DATE|AGE] [--limit N] [--json]\n"
	    "                which stored messages new rules would decide\n"
	    "                differently (run before a reload)\n"
	    "  They find the database from --config FILE (backtalkd's\n"
	    "  configuration, default %s) or --db PATH, and\n"
	    "  show phone numbers as +1******1234 unless --show-numbers.\n"
	    "  'backtalk COMMAND --help' tells more.\n"
	    "\n"
	    "Options:\n"
	    "  --rules PATH  a rule file, or a directory of *.conf files\n"
	    "                read in name order (default: $BACKTALK_RULES,\n"
	    "                else %s)\n"
	    "  --strict      treat reply warnings (not GSM-7, too long)\n"
	    "                as errors\n"
	    "  --explain     show the normalised text, each pattern that\n"
	    "                matched and where, and negated matches\n"
	    "  -h, --help    show this help\n"
	    "  -V, --version show the version\n"
	    "\n"
	    "Exit status:\n"
	    "  0  success\n"
	    "  1  check found errors; replay: reply texts would change\n"
	    "  2  bad command line\n"
	    "  3  classify rejected some input (invalid UTF-8)\n"
	    "  4  the rules could not be loaded\n"
	    "  5  the configuration or the state database could not be\n"
	    "     opened\n"
	    "  6  replay: decisions would change, none a red flag\n"
	    "  7  replay: a red-flag decision would change\n",
	    CONFIG_DEFAULT_PATH, BACKTALK_DEFAULT_RULES);
}

/* The vectorscan database cache: $BACKTALK_CACHE_DIR, else
 * $XDG_CACHE_HOME/backtalk, else ~/.cache/backtalk.  BACKTALK_CACHE_DIR set
 * to an empty string turns it off. */
static void
backtalk_cache_setup(void)
{
	const char *dir = getenv("BACKTALK_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char buf[4096];

	if (dir != NULL) {
		prefilter_cache_dir(*dir ? dir : NULL);
		return;
	}
	if (xdg != NULL && *xdg == '/')
		snprintf(buf, sizeof(buf), "%s/backtalk", xdg);
	else if (home != NULL && *home == '/')
		snprintf(buf, sizeof(buf), "%s/.cache/backtalk", home);
	else
		return;
	if (xdg == NULL && home != NULL) {
		/* ~/.cache may not exist yet. */
		char parent[4096];
		snprintf(parent, sizeof(parent), "%s/.cache", home);
		mkdir(parent, 0700);
	}
	prefilter_cache_dir(buf);
}

int
main(int argc, char **argv)
{
	backtalk_cache_setup();
	if (argc < 2) {
		backtalk_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		backtalk_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("backtalk %s\n", BACKTALK_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "features") == 0)
		return cmd_features(argc - 1, argv + 1);
	if (strcmp(argv[1], "classify") == 0)
		return cmd_classify(argc - 1, argv + 1);
	if (strcmp(argv[1], "chat") == 0)
		return cmd_chat(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "optouts") == 0)
		return cmd_optouts(argc - 1, argv + 1);
	if (strcmp(argv[1], "history") == 0)
		return cmd_history(argc - 1, argv + 1);
	if (strcmp(argv[1], "stats") == 0)
		return cmd_stats(argc - 1, argv + 1);
	if (strcmp(argv[1], "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(argv[1], "outbox") == 0)
		return cmd_outbox(argc - 1, argv + 1);
	fprintf(stderr,
	        "backtalk: unknown command \"%s\"; try 'backtalk --help'\n",
	        argv[1]);
	return EXIT_USAGE;
}
