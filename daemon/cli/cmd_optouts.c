/* backtalk optouts: list the numbers that opted out, and opt a number out
 * or back in by hand.  An opt-out cancels the replies still waiting for
 * that number in the same transaction (store_optout_set), and the sender
 * checks opt-outs again before each send, so nothing more goes to it but a
 * reply already being handed to the gateway. */
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "escape.h"
#include "store.h"

static const char cmd_optouts_usage[] =
    "usage: backtalk optouts [--config FILE | --db PATH] [--show-numbers] "
    "list\n"
    "       backtalk optouts [--config FILE | --db PATH] add NUMBER\n"
    "       backtalk optouts [--config FILE | --db PATH] remove NUMBER\n";
static const char cmd_optouts_help[] =
    "\n"
    "list    the numbers that opted out, oldest first, with when and how\n"
    "        (\"twilio:SM...\": their STOP message; \"gateway\": the\n"
    "        gateway refused a reply; \"operator\": added here)\n"
    "add     opt NUMBER out: backtalkd sends it nothing more, and replies\n"
    "        still waiting for it are cancelled\n"
    "remove  opt NUMBER back in (as if they had texted START)\n"
    "\n"
    "NUMBER is in international form, like +15551234567 (spaces and dashes\n"
    "are ignored), or as dialled in the configuration's\n"
    "numbers.default_country.  It is kept in that international form,\n"
    "as backtalkd keeps every number whatever the gateway.  Safe while\n"
    "backtalkd runs: add and remove are one short transaction each.\n"
    "\n"
    "Options:\n" CMD_ADMIN_HELP CMD_ADMIN_NUMBERS_HELP;

struct cmd_optouts_list {
	const struct cmd_admin *a;
	long n;
};

static int
cmd_optouts_row(void *arg, const struct store_optout *o)
{
	struct cmd_optouts_list *l = arg;
	char who[LOG_PHONE_MAX], when[32];

	printf("%-16s  %s  ",
	       cmd_admin_number(l->a, o->number, who, sizeof(who)),
	       cmd_admin_time(o->updated_at, when, sizeof(when)));
	escape_fputs(o->source != NULL ? o->source : "-", stdout);
	putchar('\n');
	l->n++;
	return 0;
}

static int
cmd_optouts_list(struct cmd_admin *a)
{
	struct cmd_optouts_list l = { a, 0 };

	if (store_optouts(a->st, cmd_optouts_row, &l) < 0) {
		fprintf(stderr, "backtalk optouts: %s: %s\n", a->path,
		        store_error(a->st));
		return EXIT_STATE;
	}
	printf("%ld number%s opted out\n", l.n, l.n == 1 ? "" : "s");
	return EXIT_OK;
}

static int
cmd_optouts_change(struct cmd_admin *a, const char *arg, bool out)
{
	char number[64], form[64], who[LOG_PHONE_MAX];
	int known, opted;

	if (!cmd_admin_phone(a->cmd, a->cfg, arg, number, sizeof(number)))
		return EXIT_USAGE;
	/* In E.164, as every driver's parser writes numbers (e164.h), so
	 * that the daemon's lookups find it whatever the gateway; a number
	 * the store holds in another form (a short one kept without "+")
	 * in that form. */
	known = store_number_form(a->st, number, form, sizeof(form));
	if (known == 1)
		memcpy(number, form, sizeof(number));
	if (known < 0 || (opted = store_is_opted_out(a->st, number)) < 0)
		goto fail;
	cmd_admin_number(a, number, who, sizeof(who));
	if (opted == out) {
		printf("%s is %s; nothing changed\n", who,
		       out ? "already opted out" : "not opted out");
		return EXIT_OK;
	}
	if (store_optout_set(a->st, number, out, "operator",
	                     (int64_t)time(NULL)) < 0)
		goto fail;
	if (out)
		printf("%s opted out: backtalkd sends it nothing more, and "
		       "replies waiting for it are cancelled\n",
		       who);
	else
		printf("%s opted back in\n", who);
	if (known == 0)
		printf("note: %s has never texted this service\n", who);
	return EXIT_OK;
fail:
	fprintf(stderr, "backtalk optouts: %s: %s\n", a->path,
	        store_error(a->st));
	return EXIT_STATE;
}

int
cmd_optouts(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_ADMIN_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_admin a = { .cmd = "optouts" };
	const char *verb;
	int ch, rc;
	bool list;

	optind = 1;
	while ((ch = getopt_long(argc, argv, CMD_ADMIN_OPTSTRING, opts,
	                         NULL)) != -1) {
		if (cmd_admin_option(&a, ch, optarg))
			continue;
		if (ch == 'h') {
			printf("%s%s", cmd_optouts_usage, cmd_optouts_help);
			return EXIT_OK;
		}
		fputs(cmd_optouts_usage, stderr);
		return EXIT_USAGE;
	}
	verb = optind < argc ? argv[optind] : "list";
	list = strcmp(verb, "list") == 0;
	if (list ? argc - optind > 1
	         : (strcmp(verb, "add") != 0 && strcmp(verb, "remove") != 0) ||
	               argc - optind != 2) {
		fputs(cmd_optouts_usage, stderr);
		return EXIT_USAGE;
	}
	rc = cmd_admin_open(&a, !list);
	if (rc == EXIT_OK)
		rc = list ? cmd_optouts_list(&a)
		          : cmd_optouts_change(&a, argv[optind + 1],
		                               strcmp(verb, "add") == 0);
	cmd_admin_close(&a);
	return rc;
}
