/* The subcommands of the operator's tool `backtalk`. */
#ifndef BACKTALK_CMD_H
#define BACKTALK_CMD_H

/* Exit codes, documented in backtalk --help and backtalk(1). */
enum {
	EXIT_OK = 0,
	EXIT_PROBLEMS = 1,  /* check found errors */
	EXIT_USAGE = 2,     /* bad command line */
	EXIT_INPUT = 3,     /* some input lines were rejected */
	EXIT_RULES = 4,     /* the rules could not be loaded */
	EXIT_SOFTWARE = 70, /* out of memory or an internal error */
};

int cmd_check(int argc, char **argv);
int cmd_classify(int argc, char **argv);

/* Loads rules from path, printing problems to stderr; NULL on failure. */
struct ruleset;
struct ruleset *cmd_load_rules(const char *path);
const char *cmd_rules_path(const char *opt);

#endif
