/* backtalk outbox: the replies backtalkd has decided, and the operator's
 * hand on them: list them, send failed ones again (after a gateway
 * outage), or cancel pending ones that should not go.  Each change is one
 * short transaction beside the running daemon; a retried reply is sent by
 * the daemon's sender like any other, which checks opt-outs again first. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "escape.h"
#include "store.h"

static const char cmd_outbox_usage[] =
    "usage: backtalk outbox [--config FILE | --db PATH] [--show-numbers]\n"
    "                       list [--state STATE] [--number NUMBER] "
    "[--limit N]\n"
    "       backtalk outbox [--config FILE | --db PATH]\n"
    "                       retry|cancel (ID... | --number NUMBER |\n"
    "                       --state STATE)\n";
static const char cmd_outbox_help[] =
    "\n"
    "list    replies newest first (default: the last 50): id, when it was\n"
    "        decided, state (pending, sending, sent, failed, cancelled),\n"
    "        attempts, the number, the category and rule, and for a\n"
    "        failed one the gateway's error code\n"
    "retry   failed replies go back to pending and backtalkd sends them\n"
    "        again, attempts counted afresh; replies whose text retention\n"
    "        deleted, and replies to a number that opted out, are left\n"
    "cancel  pending replies are cancelled and never sent; one being sent\n"
    "        now is left to its outcome\n"
    "\n"
    "retry and cancel take reply ids (from list), or --number for every\n"
    "reply to a number, or --state for every reply in a state.\n"
    "NUMBER is in international form, like +15551234567, or as dialled in\n"
    "the configuration's numbers.default_country.  Safe while backtalkd\n"
    "runs.\n"
    "\n"
    "Options:\n" CMD_ADMIN_HELP CMD_ADMIN_NUMBERS_HELP
    "  --state STATE   pending, sending, sent, failed or cancelled\n"
    "  --number NUMBER replies to NUMBER\n"
    "  --limit N       list at most N replies (default 50)\n"
    "\n"
    "Exit status: 0 done (retry and cancel: every reply selected was\n"
    "changed), 1 some selected replies could not be changed, 2 bad command\n"
    "line, 5 the state database could not be opened or written.\n";

#define CMD_OUTBOX_LIST_DEFAULT 50

struct cmd_outbox {
	struct cmd_admin *a;
	long n;
};

static int
cmd_outbox_row(void *arg, const struct store_outbox_row *r)
{
	struct cmd_outbox *o = arg;
	char who[LOG_PHONE_MAX], when[32], rule[96];

	snprintf(rule, sizeof(rule), "%s%s%s",
	         r->category != NULL ? r->category : "-",
	         r->rule != NULL ? "/" : "", r->rule != NULL ? r->rule : "");
	printf("%6" PRId64 "  %s  %-9s  %2d  %-16s  ", r->id,
	       cmd_admin_time(r->created_at, when, sizeof(when)),
	       r->state != NULL ? r->state : "?", r->attempts,
	       cmd_admin_number(o->a, r->to, who, sizeof(who)));
	escape_fputs(rule, stdout);
	if (r->error_code != NULL) {
		fputs("  error ", stdout);
		escape_fputs(r->error_code, stdout); /* the gateway's */
	}
	if (!r->has_body)
		fputs("  (text deleted by retention)", stdout);
	putchar('\n');
	o->n++;
	return 0;
}

/* Reads the number of --number into buf; false after saying why. */
static bool
cmd_outbox_number(struct cmd_admin *a, const char *arg, char *buf, size_t len)
{
	char form[64];

	if (!cmd_admin_phone(a->cmd, a->cfg, arg, buf, len))
		return false;
	/* Recorded without '+' (Infobip): the store matches both forms. */
	if (store_number_form(a->st, buf, form, sizeof(form)) == 1)
		snprintf(buf, len, "%s", form);
	return true;
}

int
cmd_outbox(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_ADMIN_OPTIONS,
		{ "state", required_argument, NULL, 's' },
		{ "number", required_argument, NULL, 'n' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_admin a = { .cmd = "outbox" };
	struct store_outbox_filter f = { .id = 0, .number = NULL, .state = -1 };
	enum store_outbox_state state;
	const char *number_arg = NULL, *verb;
	long long limit = CMD_OUTBOX_LIST_DEFAULT;
	char number[64], *end;
	int ch, rc, nids;
	bool list, retry;

	optind = 1;
	while ((ch = getopt_long(argc, argv, CMD_ADMIN_OPTSTRING "s:n:l:", opts,
	                         NULL)) != -1) {
		if (cmd_admin_option(&a, ch, optarg))
			continue;
		switch (ch) {
		case 's':
			if (!store_outbox_state_parse(optarg, &state)) {
				fprintf(stderr,
				        "backtalk outbox: --state \"%s\": give "
				        "pending, sending, sent, failed or "
				        "cancelled\n",
				        optarg);
				return EXIT_USAGE;
			}
			f.state = (int)state;
			continue;
		case 'n':
			number_arg = optarg;
			continue;
		case 'l':
			if (!cmd_admin_limit(&a, optarg, "replies", &limit))
				return EXIT_USAGE;
			continue;
		case 'h':
			printf("%s%s", cmd_outbox_usage, cmd_outbox_help);
			return EXIT_OK;
		}
		fputs(cmd_outbox_usage, stderr);
		return EXIT_USAGE;
	}
	verb = optind < argc ? argv[optind] : "list";
	list = strcmp(verb, "list") == 0;
	retry = strcmp(verb, "retry") == 0;
	nids = optind < argc ? argc - optind - 1 : 0;
	if (!list && !retry && strcmp(verb, "cancel") != 0) {
		fputs(cmd_outbox_usage, stderr);
		return EXIT_USAGE;
	}
	/* A change names its replies one way: ids, a number or a state. */
	if ((list && nids > 0) ||
	    (!list &&
	     (nids > 0) + (number_arg != NULL) + (f.state >= 0) != 1)) {
		fputs(cmd_outbox_usage, stderr);
		return EXIT_USAGE;
	}
	for (int i = 0; i < nids; i++) {
		long long id = strtoll(argv[optind + 1 + i], &end, 10);
		if (*end != '\0' || id <= 0) {
			fprintf(stderr,
			        "backtalk outbox: \"%s\" is not a reply id "
			        "(the first column of backtalk outbox list)\n",
			        argv[optind + 1 + i]);
			return EXIT_USAGE;
		}
	}
	rc = cmd_admin_open(&a, !list);
	if (rc != EXIT_OK)
		goto out;
	if (number_arg != NULL) {
		if (!cmd_outbox_number(&a, number_arg, number,
		                       sizeof(number))) {
			rc = EXIT_USAGE;
			goto out;
		}
		f.number = number;
	}
	if (list) {
		struct cmd_outbox o = { &a, 0 };
		if (store_outbox_list(a.st, &f, (size_t)limit, cmd_outbox_row,
		                      &o) < 0)
			goto fail;
		printf("%ld repl%s\n", o.n, o.n == 1 ? "y" : "ies");
		goto out;
	}
	int64_t selected = 0, changed = 0, now = (int64_t)time(NULL);
	for (int i = 0; i < (nids > 0 ? nids : 1); i++) {
		int64_t s, c;
		if (nids > 0)
			f.id = strtoll(argv[optind + 1 + i], NULL, 10);
		if ((retry ? store_outbox_operator_retry(a.st, &f, now, &s, &c)
		           : store_outbox_operator_cancel(a.st, &f, now, &s,
		                                          &c)) < 0)
			goto fail;
		if (nids > 0 && s == 0)
			fprintf(stderr,
			        "backtalk outbox: reply %" PRId64
			        " is not %s\n",
			        f.id, retry ? "a failed one" : "pending");
		else if (s > c)
			fprintf(stderr,
			        "backtalk outbox: %" PRId64 " failed repl%s "
			        "left: the text was deleted by retention, or "
			        "the number opted out\n",
			        s - c, s - c == 1 ? "y" : "ies");
		selected += nids > 0 ? 1 : s;
		changed += c;
	}
	if (retry && changed == 0)
		printf("no reply to send again\n");
	else if (retry)
		printf("%" PRId64 " repl%s to send again: backtalkd sends "
		       "%s at its next turn\n",
		       changed, changed == 1 ? "y" : "ies",
		       changed == 1 ? "it" : "them");
	else
		printf("%" PRId64 " repl%s cancelled\n", changed,
		       changed == 1 ? "y" : "ies");
	rc = changed == selected ? EXIT_OK : EXIT_PROBLEMS;
	goto out;
fail:
	fprintf(stderr, "backtalk outbox: %s: %s\n", a.path, store_error(a.st));
	rc = EXIT_STATE;
out:
	cmd_admin_close(&a);
	return rc;
}
