/* backtalk history: one person's messages and the replies to them, and
 * what each did to a conversation. */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "escape.h"
#include "store.h"

static const char cmd_history_usage[] =
    "usage: backtalk history [--config FILE | --db PATH] [--show-numbers]\n"
    "                        [--no-bodies] NUMBER\n";
static const char cmd_history_help[] =
    "\n"
    "Shows the messages NUMBER sent and the replies backtalkd made, in time\n"
    "order: when, \"in\" or \"out\", the category and rule that decided it,\n"
    "what happened (for a message: \"recorded\", or why no reply was sent;\n"
    "for a reply: pending, sending, sent, failed with the gateway's error\n"
    "code, or cancelled) and the text.  Text older than the configured\n"
    "retention has been deleted and shows as \"(body deleted by\n"
    "retention)\".  NUMBER is in international form, like +15551234567,\n"
    "or as dialled in the configuration's numbers.default_country; it is\n"
    "matched with or without a leading +.\n"
    "\n"
    "A conversation's steps are \"cnv\" lines after the message (or the\n"
    "check-in) that made them, with the conversation and its question:\n"
    "\"started\" (the question was asked), \"answered\" (the message\n"
    "answered it, and another question followed) and \"finished\" (its\n"
    "answer ended the conversation) with the option the answer chose,\n"
    "\"expired\" (no answer in time), \"gave_up\" (a second answer that\n"
    "fit no option) and \"interrupted\" (by a STOP or a red flag).\n"
    "\n"
    "Options:\n" CMD_ADMIN_HELP CMD_ADMIN_NUMBERS_HELP
    "  --no-bodies     leave the message text out\n";

struct cmd_history {
	bool bodies;
	long n;
};

/* What a conversation event says, in words, for the text column. */
static void
cmd_history_convo_text(const struct store_event *e, char *buf, size_t len)
{
	const char *ev = e->event, *step = e->step ? e->step : "?";
	const char *answer = e->answer ? e->answer : "?";

	if (strcmp(ev, "started") == 0)
		snprintf(buf, len, "asked \"%s\"", step);
	else if (strcmp(ev, "answered") == 0)
		snprintf(buf, len, "answer to \"%s\": %s; next question", step,
		         answer);
	else if (strcmp(ev, "finished") == 0)
		snprintf(buf, len, "answer to \"%s\": %s; conversation over",
		         step, answer);
	else if (strcmp(ev, "expired") == 0)
		snprintf(buf, len, "no answer to \"%s\" in time", step);
	else if (strcmp(ev, "gave_up") == 0)
		snprintf(buf, len, "no answer to \"%s\" fit; dropped", step);
	else if (strcmp(ev, "interrupted") == 0)
		snprintf(buf, len, "\"%s\" ended by %s", step,
		         strcmp(answer, "red_flag") == 0 ? "a red flag"
		         : strcmp(answer, "stop") == 0   ? "a STOP"
		                                         : answer);
	else
		snprintf(buf, len, "%s", ev);
}

/* A conversation event: "cnv", conversation/step, event and answer. */
static void
cmd_history_convo(const struct cmd_history *h, const struct store_event *e)
{
	char when[32], decided[96], what[96], text[160];
	char shown[96 * ESCAPE_MAX], shown_decided[96 * ESCAPE_MAX];
	char shown_text[160 * ESCAPE_MAX];
	int pad;

	snprintf(decided, sizeof(decided), "%s%s%s", e->convo,
	         e->step != NULL ? "/" : "", e->step != NULL ? e->step : "");
	snprintf(what, sizeof(what), "%s%s%s", e->event,
	         e->answer != NULL ? " " : "",
	         e->answer != NULL ? e->answer : "");
	/* Names from the rules: escaped all the same. */
	escape_str(what, shown, sizeof(shown));
	escape_str(decided, shown_decided, sizeof(shown_decided));
	printf("%s  cnv  %-24s  %s", cmd_admin_time(e->at, when, sizeof(when)),
	       shown_decided, shown);
	if (h->bodies) {
		cmd_history_convo_text(e, text, sizeof(text));
		escape_str(text, shown_text, sizeof(shown_text));
		pad = 20 - (int)strlen(shown);
		printf("%*s%s", pad > 1 ? pad : 1, "", shown_text);
	}
	putchar('\n');
}

static int
cmd_history_event(void *arg, const struct store_event *e)
{
	struct cmd_history *h = arg;
	char when[32], decided[96], what[96], shown[96 * ESCAPE_MAX];

	if (e->event != NULL) {
		cmd_history_convo(h, e);
		h->n++;
		return 0;
	}

	snprintf(decided, sizeof(decided), "%s%s%s", e->category,
	         e->rule != NULL ? "/" : "", e->rule != NULL ? e->rule : "");
	if (!e->outbound)
		snprintf(what, sizeof(what), "%s",
		         e->note != NULL ? e->note : "recorded");
	else if (strcmp(e->state, "failed") == 0 && e->note != NULL)
		/* note is "code: error"; the code is what to look up. */
		snprintf(what, sizeof(what), "failed %.*s",
		         (int)strcspn(e->note, ":"), e->note);
	else
		snprintf(what, sizeof(what), "%s", e->state);
	/* A failure's code is the gateway's: escaped, as the text is. */
	escape_str(what, shown, sizeof(shown));
	printf("%s  %-3s  %-24s  %s", cmd_admin_time(e->at, when, sizeof(when)),
	       e->outbound ? "out" : "in", decided, shown);
	if (h->bodies) {
		/* The text last, after the other columns aligned. */
		printf("%*s", 20 - (int)strlen(shown), "");
		if (e->body != NULL)
			cmd_admin_text(stdout, e->body);
		else
			fputs("(body deleted by retention)", stdout);
	}
	putchar('\n');
	h->n++;
	return 0;
}

int
cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_ADMIN_OPTIONS,
		{ "no-bodies", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_admin a = { .cmd = "history" };
	struct cmd_history h = { .bodies = true };
	char who[LOG_PHONE_MAX];
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, CMD_ADMIN_OPTSTRING "B", opts,
	                         NULL)) != -1) {
		if (cmd_admin_option(&a, ch, optarg))
			continue;
		if (ch == 'B') {
			h.bodies = false;
			continue;
		}
		if (ch == 'h') {
			printf("%s%s", cmd_history_usage, cmd_history_help);
			return EXIT_OK;
		}
		fputs(cmd_history_usage, stderr);
		return EXIT_USAGE;
	}
	if (argc - optind != 1) {
		fputs(cmd_history_usage, stderr);
		return EXIT_USAGE;
	}
	char number[64];
	/* Opened first: the configuration has the default country. */
	rc = cmd_admin_open(&a, false);
	if (rc != EXIT_OK)
		goto out;
	if (!cmd_admin_phone(a.cmd, a.cfg, argv[optind], number,
	                     sizeof(number))) {
		rc = EXIT_USAGE;
		goto out;
	}
	cmd_admin_number(&a, number, who, sizeof(who));
	printf("history of %s\n", who);
	if (store_history(a.st, number, 0, cmd_history_event, &h) < 0) {
		fprintf(stderr, "backtalk history: %s: %s\n", a.path,
		        store_error(a.st));
		rc = EXIT_STATE;
	} else if (h.n == 0) {
		printf("no messages from %s and no replies to it\n", who);
	}
out:
	cmd_admin_close(&a);
	return rc;
}
