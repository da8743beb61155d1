/* The subcommands of the operator's tool `backtalk`. */
#ifndef BACKTALK_CMD_H
#define BACKTALK_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

/* Exit codes, documented in backtalk --help and backtalk(1). */
enum {
	EXIT_OK = 0,
	EXIT_PROBLEMS = 1,  /* check found errors */
	EXIT_USAGE = 2,     /* bad command line */
	EXIT_INPUT = 3,     /* some input lines were rejected */
	EXIT_RULES = 4,     /* the rules could not be loaded */
	EXIT_STATE = 5,     /* the configuration or the state database
	                       could not be opened */
	EXIT_SOFTWARE = 70, /* out of memory or an internal error */
};

int cmd_check(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_optouts(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_features(int argc, char **argv);

/* The dimension `backtalk features` hashes into unless told: the shipped
 * model's (scripts/train-model.sh). */
#define CMD_FEATURES_DIM 65536u

/* Loads rules from path, printing problems to stderr; NULL on failure. */
struct ruleset;
struct ruleset *cmd_load_rules(const char *path);
const char *cmd_rules_path(const char *opt);

/* The day dates in messages are read against: --date YYYY-MM-DD (opt), or
 * today (UTC) when opt is NULL.  Prints an error naming cmd and returns
 * false when opt is not a valid date. */
bool cmd_date(const char *cmd, const char *opt, int32_t *day);

/* Shared by the commands that read backtalkd's state database
 * (cmd_admin.c). */
struct config;
struct store;

struct cmd_admin {
	const char *cmd; /* "status", for messages */
	const char *config_path, *db_path;
	char instance_config[256]; /* --instance NAME: its configuration */
	bool show_numbers;
	struct config *cfg; /* loaded when the database came from it */
	struct store *st;
	const char *path; /* the database opened */
};

/* getopt_long entries of the options every admin command takes. */
// clang-format off
#define CMD_ADMIN_OPTIONS                                   \
	{ "config", required_argument, NULL, 'c' },         \
	{ "db", required_argument, NULL, 'D' },             \
	{ "instance", required_argument, NULL, 'I' },       \
	{ "show-numbers", no_argument, NULL, 'N' },         \
	{ "local-time", no_argument, NULL, 'L' },           \
	{ "help", no_argument, NULL, 'h' }
// clang-format on
#define CMD_ADMIN_OPTSTRING "c:D:I:NLh"
#define CMD_ADMIN_HELP                                                         \
	"  --config FILE   backtalkd's configuration, whose 'state' names\n"   \
	"                  the database (default " CONFIG_DEFAULT_PATH ")\n"   \
	"  --db PATH       the state database itself (overrides --config)\n"   \
	"  --instance NAME the daemon backtalkd@NAME runs: its "               \
	"configuration\n"                                                      \
	"                  /etc/backtalk/NAME/backtalk.conf\n"                 \
	"  --local-time    times in the local zone with its offset (default\n" \
	"                  UTC, 2026-12-07T05:56:40Z, as in the log)\n"
#define CMD_ADMIN_NUMBERS_HELP \
	"  --show-numbers  show phone numbers whole (default +1******1234)\n"

/* Takes an option common to the admin commands: true when ch was one. */
bool cmd_admin_option(struct cmd_admin *a, int ch, const char *arg);
/* Finds and opens the database, read-only unless writable; on failure
 * prints what to do and returns the exit status, else EXIT_OK. */
int cmd_admin_open(struct cmd_admin *a, bool writable);
void cmd_admin_close(struct cmd_admin *a);
/* A phone number as shown: redacted ("+1******1234") unless
 * --show-numbers.  Returns buf. */
const char *cmd_admin_number(const struct cmd_admin *a, const char *number,
                             char *buf, size_t len);
/* "2026-11-20 12:00:00" in local time; "-" for 0.  Returns buf. */
const char *cmd_admin_time(int64_t t, char *buf, size_t len);
/* "2 min", "1 h 05 min", "3 d 4 h".  Returns buf. */
const char *cmd_admin_age(int64_t seconds, char *buf, size_t len);
/* --since: a date (2026-11-01, local midnight) or a duration before now
 * (30m, 12h, 7d, 2w).  0, or -1 (having said why) when it is neither. */
int cmd_admin_since(const struct cmd_admin *a, const char *arg, int64_t *ret);
/* Reads --limit ARG, a count of what (1 or more) into *ret; false after
 * saying why. */
bool cmd_admin_limit(const struct cmd_admin *a, const char *arg,
                     const char *what, long long *ret);
/* A phone number given on the command line, in E.164: "+1 (555)
 * 000-7778" -> "+15550007778", and one without "+" as dialled in cfg's
 * numbers.default_country (cfg may be NULL: no default).  False, having
 * said why and how to write it on stderr, when it is none.  buf holds
 * PHONE_E164_MAX bytes at least. */
bool cmd_admin_phone(const char *cmd, const struct config *cfg, const char *arg,
                     char *buf, size_t len);
/* Writes message text for a terminal: control characters become '?',
 * line breaks spaces. */
void cmd_admin_text(FILE *fp, const char *text);

#endif
