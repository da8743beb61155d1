/* backtalk stats: what people ask for, and what was sent, over a period. */
#include <getopt.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "escape.h"
#include "store.h"

static const char cmd_stats_usage[] =
    "usage: backtalk stats [--config FILE | --db PATH] [--since DATE|AGE] "
    "[--json]\n";
static const char cmd_stats_help[] =
    "\n"
    "Counts the messages received since DATE (2026-11-01, from local\n"
    "midnight) or for the last AGE (30m, 12h, 7d, 2w), or since the\n"
    "database began: by category, by topic and by rule (which guidance\n"
    "people ask for); those not answered, by why (opted out, too old,\n"
    "flood guard, repeat...); the replies sent, failed, cancelled and still\n"
    "waiting; and the numbers that opted out or back in.  \"(none)\" is a\n"
    "message without a topic, or one decided by a built-in (STOP, START,\n"
    "HELP, the fallback) rather than a rule.  Safe while backtalkd runs.\n"
    "\n"
    "Options:\n" CMD_ADMIN_HELP
    "  --since DATE|AGE  count from then (default: everything)\n"
    "  --json          one JSON object instead of text\n";

struct cmd_stats {
	json_t *groups; /* "category" -> [{"name":..,"count":..}] */
};

static int
cmd_stats_group(void *arg, const char *what, const char *name, int64_t count)
{
	struct cmd_stats *cs = arg;
	json_t *list = json_object_get(cs->groups, what);

	if (list == NULL) {
		list = json_array();
		json_object_set_new(cs->groups, what, list);
	}
	json_array_append_new(list,
	                      json_pack("{s:o,s:I}", "name",
	                                name ? json_string(name) : json_null(),
	                                "count", (json_int_t)count));
	return 0;
}

/* One group's lines under its title; names are escaped (a rule's id or a
 * reason is ours, but nothing reaches the terminal unescaped). */
static void
cmd_stats_group_text(const char *title, json_t *list, const char *empty)
{
	json_t *e;
	size_t i;

	printf("\n%s\n", title);
	if (json_array_size(list) == 0)
		printf("  %s\n", empty);
	json_array_foreach(list, i, e)
	{
		const char *name =
		    json_string_value(json_object_get(e, "name"));
		char shown[64 * ESCAPE_MAX];
		escape_str(name ? name : "(none)", shown, sizeof(shown));
		printf(
		    "  %-26s %8lld\n", shown,
		    (long long)json_integer_value(json_object_get(e, "count")));
	}
}

static void
cmd_stats_text(const struct cmd_stats *cs, const struct store_stats *s,
               int64_t since)
{
	static const char *const groups[] = { "category", "topic", "rule" };
	static const char *const titles[] = { "By category", "By topic",
		                              "By rule" };
	char when[32];

	if (since > 0)
		printf("Since %s\n\n",
		       cmd_admin_time(since, when, sizeof(when)));
	else
		printf("Since the database began\n\n");
	printf("%-28s %8lld\n", "Messages received", (long long)s->inbound);
	for (size_t g = 0; g < 3; g++)
		cmd_stats_group_text(titles[g],
		                     json_object_get(cs->groups, groups[g]),
		                     "(no messages)");
	cmd_stats_group_text("Not answered, by why",
	                     json_object_get(cs->groups, "unanswered"),
	                     "(none)");
	printf("\nReplies\n");
	printf("  %-26s %8lld\n", "sent", (long long)s->replies_sent);
	printf("  %-26s %8lld\n", "failed", (long long)s->replies_failed);
	printf("  %-26s %8lld\n", "cancelled", (long long)s->replies_cancelled);
	printf("  %-26s %8lld\n", "waiting", (long long)s->replies_pending);
	printf("\n%-28s %8lld\n", "Opted out (still)", (long long)s->optouts);
	printf("%-28s %8lld\n", "Opted back in", (long long)s->optins);
}

static int
cmd_stats_json(const struct cmd_stats *cs, const struct store_stats *s,
               int64_t since)
{
	json_t *o =
	    json_pack("{s:o,s:I,s:{s:I,s:I,s:I,s:I},s:I,s:I}", "since",
	              since > 0 ? json_integer(since) : json_null(), "inbound",
	              (json_int_t)s->inbound, "replies", "sent",
	              (json_int_t)s->replies_sent, "failed",
	              (json_int_t)s->replies_failed, "cancelled",
	              (json_int_t)s->replies_cancelled, "waiting",
	              (json_int_t)s->replies_pending, "optouts",
	              (json_int_t)s->optouts, "optins", (json_int_t)s->optins);
	static const char *const groups[] = { "category", "topic", "rule",
		                              "unanswered" };
	static const char *const keys[] = { "by_category", "by_topic",
		                            "by_rule", "not_answered" };
	int rc;

	if (o == NULL)
		return EXIT_SOFTWARE;
	for (size_t g = 0; g < 4; g++) {
		json_t *list = json_object_get(cs->groups, groups[g]);
		json_object_set_new(o, keys[g],
		                    list ? json_incref(list) : json_array());
	}
	rc = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(o);
	return rc == 0 ? EXIT_OK : EXIT_SOFTWARE;
}

int
cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_ADMIN_OPTIONS,
		{ "since", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_admin a = { .cmd = "stats" };
	struct cmd_stats cs = { 0 };
	struct store_stats s;
	int64_t since = 0;
	bool json = false;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, CMD_ADMIN_OPTSTRING "S:J", opts,
	                         NULL)) != -1) {
		if (cmd_admin_option(&a, ch, optarg))
			continue;
		switch (ch) {
		case 'S':
			if (cmd_admin_since(&a, optarg, &since) < 0)
				return EXIT_USAGE;
			continue;
		case 'J':
			json = true;
			continue;
		case 'h':
			printf("%s%s", cmd_stats_usage, cmd_stats_help);
			return EXIT_OK;
		}
		fputs(cmd_stats_usage, stderr);
		return EXIT_USAGE;
	}
	if (optind != argc) {
		fputs(cmd_stats_usage, stderr);
		return EXIT_USAGE;
	}
	rc = cmd_admin_open(&a, false);
	if (rc != EXIT_OK)
		goto out;
	cs.groups = json_object();
	if (cs.groups == NULL) {
		rc = EXIT_SOFTWARE;
	} else if (store_stats(a.st, since, cmd_stats_group, &cs, &s) < 0) {
		fprintf(stderr, "backtalk stats: %s: %s\n", a.path,
		        store_error(a.st));
		rc = EXIT_STATE;
	} else if (json) {
		rc = cmd_stats_json(&cs, &s, since);
	} else {
		cmd_stats_text(&cs, &s, since);
	}
	json_decref(cs.groups);
out:
	cmd_admin_close(&a);
	return rc;
}
