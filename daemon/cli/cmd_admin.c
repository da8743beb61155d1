/* cmd_admin.c: what the admin commands (status, optouts, history, stats,
 * replay) share: finding backtalkd's state database from --db or its
 * configuration, opening it beside the running daemon, and showing
 * numbers, times and message text to an operator (escaped: they came
 * from outside, and must not act on the terminal). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "diag.h"
#include "escape.h"
#include "log.h"
#include "phone.h"
#include "store.h"

/* --local-time: one command a process, so a flag for cmd_admin_time. */
static bool cmd_admin_local_time;

bool
cmd_admin_option(struct cmd_admin *a, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		a->config_path = arg;
		return true;
	case 'D':
		a->db_path = arg;
		return true;
	case 'N':
		a->show_numbers = true;
		return true;
	case 'I':
		/* backtalkd@NAME.service reads /etc/backtalk/NAME/: a plain
		 * name, as systemd would have it in a unit name. */
		if (arg[0] == '\0' || arg[0] == '.' ||
		    strspn(arg,
		           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
		           "VWXYZ0123456789-_.") != strlen(arg) ||
		    strlen(arg) > 64) {
			fprintf(stderr,
			        "backtalk %s: --instance \"%s\": give the name "
			        "after backtalkd@ (letters, digits, '-', '_' "
			        "and '.')\n",
			        a->cmd, arg);
			exit(EXIT_USAGE);
		}
		snprintf(a->instance_config, sizeof(a->instance_config),
		         CONFIG_DEFAULT_DIR "/%s/backtalk.conf", arg);
		a->config_path = a->instance_config;
		return true;
	case 'L':
		cmd_admin_local_time = true;
		return true;
	}
	return false;
}

/* The daemon's configuration, for its state path (and rules). */
static int
cmd_admin_config(struct cmd_admin *a)
{
	const char *path =
	    a->config_path != NULL ? a->config_path : CONFIG_DEFAULT_PATH;
	struct diag d;
	int rc = EXIT_OK;

	diag_init(&d);
	if (config_load(path, &a->cfg, &d) != 0) {
		diag_print(&d, stderr);
		fprintf(stderr,
		        "backtalk %s: cannot use backtalkd's configuration "
		        "%s; fix it (backtalk check --config %s), name "
		        "another with --config FILE, or give the database "
		        "with --db PATH\n",
		        a->cmd, path, path);
		a->cfg = NULL;
		rc = EXIT_STATE;
	}
	diag_free(&d);
	return rc;
}

int
cmd_admin_open(struct cmd_admin *a, bool writable)
{
	char err[512];
	int e, rc;

	if (a->db_path == NULL || a->config_path != NULL) {
		rc = cmd_admin_config(a);
		if (rc != EXIT_OK)
			return rc;
	}
	a->path = a->db_path != NULL ? a->db_path : a->cfg->state_path;
	if (store_open_existing(a->path, writable, &a->st, &e, err,
	                        sizeof(err)) == 0)
		return EXIT_OK;
	if (e == ENOENT)
		fprintf(stderr,
		        "backtalk %s: cannot open %s: no such file; is "
		        "backtalkd's state path right? (--db PATH or "
		        "--config FILE)\n",
		        a->cmd, a->path);
	else if (e == EACCES || e == EPERM)
		fprintf(stderr,
		        "backtalk %s: cannot open %s: permission denied; the "
		        "state database is private to backtalkd's user: run "
		        "backtalk as root (sudo backtalk %s ...)\n",
		        a->cmd, a->path, a->cmd);
	else
		fprintf(stderr,
		        "backtalk %s: cannot open the state database: "
		        "%s\n",
		        a->cmd, err);
	a->st = NULL;
	return EXIT_STATE;
}

void
cmd_admin_close(struct cmd_admin *a)
{
	store_close(a->st);
	config_free(a->cfg);
	a->st = NULL;
	a->cfg = NULL;
}

const char *
cmd_admin_number(const struct cmd_admin *a, const char *number, char *buf,
                 size_t len)
{
	char raw[LOG_PHONE_MAX];

	/* A number comes from outside: escaped, shown or redacted. */
	if (a->show_numbers)
		return escape_str(number != NULL ? number : "(none)", buf, len);
	return escape_str(log_phone(number, raw, sizeof(raw)), buf, len);
}

const char *
cmd_admin_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 ||
	    (cmd_admin_local_time ? localtime_r(&tt, &tm)
	                          : gmtime_r(&tt, &tm)) == NULL ||
	    strftime(buf, len,
	             cmd_admin_local_time ? "%Y-%m-%dT%H:%M:%S%z"
	                                  : "%Y-%m-%dT%H:%M:%SZ",
	             &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

const char *
cmd_admin_age(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%lld s", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lld min", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, len, "%lld h %02lld min", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lld d %lld h", (long long)(s / 86400),
		         (long long)(s % 86400 / 3600));
	return buf;
}

/* cmd_admin_since without the message. */
static int
cmd_admin_since_parse(const char *arg, int64_t now, int64_t *ret)
{
	struct tm tm = { 0 };
	char *end;
	long long n;

	if (arg == NULL || *arg == '\0')
		return -1;
	end = strptime(arg, "%Y-%m-%d", &tm);
	if (end != NULL && *end == '\0') {
		tm.tm_isdst = -1;
		time_t t = mktime(&tm);
		if (t == (time_t)-1)
			return -1;
		*ret = (int64_t)t;
		return 0;
	}
	if (!isdigit((unsigned char)arg[0]))
		return -1;
	errno = 0;
	n = strtoll(arg, &end, 10);
	if (errno != 0 || n > 100LL * 366 * 86400 || end[0] == '\0' ||
	    end[1] != '\0')
		return -1;
	switch (end[0]) {
	case 's':
		break;
	case 'm':
		n *= 60;
		break;
	case 'h':
		n *= 3600;
		break;
	case 'd':
		n *= 86400;
		break;
	case 'w':
		n *= 7 * 86400;
		break;
	default:
		return -1;
	}
	*ret = now - n;
	return 0;
}

int
cmd_admin_since(const struct cmd_admin *a, const char *arg, int64_t *ret)
{
	if (cmd_admin_since_parse(arg, (int64_t)time(NULL), ret) == 0)
		return 0;
	fprintf(stderr,
	        "backtalk %s: --since \"%s\": give a date (2026-11-01) or an "
	        "age (30m, 12h, 7d, 2w)\n",
	        a->cmd, arg);
	return -1;
}

void
cmd_admin_text(FILE *fp, const char *text)
{
	escape_fputs(text, fp);
}

bool
cmd_admin_phone(const char *cmd, const struct config *cfg, const char *arg,
                char *buf, size_t len)
{
	const struct phone_country *home =
	    cfg != NULL ? phone_country_find(cfg->numbers.default_country)
	                : NULL;
	char err[512];

	if (phone_normalise(arg, home, buf, len, err, sizeof(err)))
		return true;
	fprintf(stderr, "backtalk %s: %s\n", cmd, err);
	return false;
}

bool
cmd_admin_limit(const struct cmd_admin *a, const char *arg, const char *what,
                long long *ret)
{
	char *end;
	long long n = strtoll(arg, &end, 10);

	if (*end != '\0' || n <= 0 || n > INT_MAX) {
		fprintf(stderr,
		        "backtalk %s: --limit \"%s\": give a number of %s, 1 "
		        "or more\n",
		        a->cmd, arg, what);
		return false;
	}
	*ret = n;
	return true;
}
