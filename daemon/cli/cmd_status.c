/* backtalk status: how backtalkd is doing, from its state database. */
#include <getopt.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"
#include "escape.h"
#include "store.h"

#define CMD_STATUS_FAILURES_MAX 20 /* recent failures listed */

static const char cmd_status_usage[] =
    "usage: backtalk status [--config FILE | --db PATH] [--show-numbers]\n";
static const char cmd_status_help[] =
    "\n"
    "Shows how backtalkd is doing, from its state database: when it last\n"
    "polled the gateway successfully, how many messages it has recorded\n"
    "and has still to decide, the replies waiting to go out and how old\n"
    "the oldest is, replies that failed in the last 24 hours with the\n"
    "gateway's error codes, and how many numbers have opted out.  Safe\n"
    "while backtalkd runs: it only reads.\n"
    "\n"
    "Options:\n" CMD_ADMIN_HELP CMD_ADMIN_NUMBERS_HELP;

struct cmd_status_fail {
	const struct cmd_admin *a;
	int64_t n;
};

static int
cmd_status_failure(void *arg, const struct store_failure *f)
{
	struct cmd_status_fail *cf = arg;
	char when[32], who[LOG_PHONE_MAX];

	printf("  %s  reply %lld to %s: ",
	       cmd_admin_time(f->failed_at, when, sizeof(when)),
	       (long long)f->id,
	       cmd_admin_number(cf->a, f->to, who, sizeof(who)));
	/* The gateway's words: escaped. */
	escape_fputs(f->error_code != NULL ? f->error_code : "no code", stdout);
	if (f->error != NULL) {
		putchar(' ');
		escape_fputs(f->error, stdout);
	}
	putchar('\n');
	cf->n++;
	return 0;
}

static int
cmd_status_print(struct cmd_admin *a, int64_t now)
{
	struct store_status s;
	struct cmd_status_fail cf = { a, 0 };
	char buf[32], when[32], age[32];
	int got;

	if (store_status(a->st, &s) < 0 ||
	    (got = store_state_get(a->st, "last_poll", buf, sizeof(buf))) < 0) {
		fprintf(stderr, "backtalk status: %s: %s\n", a->path,
		        store_error(a->st));
		return EXIT_STATE;
	}
	printf("database:        %s\n", a->path);
	if (got == 1) {
		int64_t t = strtoll(buf, NULL, 10);
		printf("last poll:       %s (%s ago; recorded once a minute)\n",
		       cmd_admin_time(t, when, sizeof(when)),
		       cmd_admin_age(now - t, age, sizeof(age)));
	} else {
		printf("last poll:       none recorded\n");
	}
	printf("inbound:         %lld recorded, %lld fetched and not yet "
	       "decided\n",
	       (long long)s.inbound, (long long)s.staged);
	printf("outbox:          %lld pending, %lld sending, %lld sent, %lld "
	       "failed, %lld cancelled\n",
	       (long long)s.outbox[STORE_OUTBOX_PENDING],
	       (long long)s.outbox[STORE_OUTBOX_SENDING],
	       (long long)s.outbox[STORE_OUTBOX_SENT],
	       (long long)s.outbox[STORE_OUTBOX_FAILED],
	       (long long)s.outbox[STORE_OUTBOX_CANCELLED]);
	if (s.oldest_pending != 0)
		printf("oldest pending:  %s old (since %s)\n",
		       cmd_admin_age(now - s.oldest_pending, age, sizeof(age)),
		       cmd_admin_time(s.oldest_pending, when, sizeof(when)));
	else
		printf("oldest pending:  none waiting\n");
	printf("opted out:       %lld number%s\n", (long long)s.optouts,
	       s.optouts == 1 ? "" : "s");
	printf("failed replies in the last 24 h:\n");
	if (store_failures(a->st, now - 86400, CMD_STATUS_FAILURES_MAX,
	                   cmd_status_failure, &cf) < 0) {
		fprintf(stderr, "backtalk status: %s: %s\n", a->path,
		        store_error(a->st));
		return EXIT_STATE;
	}
	if (cf.n == 0)
		printf("  none\n");
	else if (cf.n == CMD_STATUS_FAILURES_MAX)
		printf("  (the last %d only)\n", CMD_STATUS_FAILURES_MAX);
	return EXIT_OK;
}

int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_ADMIN_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_admin a = { .cmd = "status" };
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, CMD_ADMIN_OPTSTRING, opts,
	                         NULL)) != -1) {
		if (cmd_admin_option(&a, ch, optarg))
			continue;
		if (ch == 'h') {
			printf("%s%s", cmd_status_usage, cmd_status_help);
			return EXIT_OK;
		}
		fputs(cmd_status_usage, stderr);
		return EXIT_USAGE;
	}
	if (optind != argc) {
		fprintf(stderr,
		        "backtalk status: unexpected argument \"%s\"\n%s",
		        argv[optind], cmd_status_usage);
		return EXIT_USAGE;
	}
	rc = cmd_admin_open(&a, false);
	if (rc == EXIT_OK)
		rc = cmd_status_print(&a, (int64_t)time(NULL));
	cmd_admin_close(&a);
	return rc;
}
