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
    "HELP, the fallback) rather than a rule.  When conversations ran in\n"
    "the period, they follow: by conversation, how many started, finished\n"
    "(an answer led to their last reply), expired (no answer in time),\n"
    "gave up (two answers that fit no option) and were interrupted (a\n"
    "STOP, a red flag, or a question held back by the flood guard); then\n"
    "how check-ins ended: better, same, worse (the outcomes the rules give\n"
    "their answers), red flag, no answer, and any other.  Safe while\n"
    "backtalkd runs.\n"
    "\n"
    "Options:\n" CMD_ADMIN_HELP
    "  --since DATE|AGE  count from then (default: everything)\n"
    "  --json          one JSON object instead of text\n";

struct cmd_stats {
	json_t *groups; /* "category" -> [{"name":..,"count":..}] */
	/* {"screening": {"started": n, ...}}, conversations in the order
	 * first counted; {"better": n, ...}, the five always. */
	json_t *convos, *answers;
};

/* The events a conversation's line shows, in order (not "answered": a
 * step inside one). */
static const char *const cmd_stats_events[] = { "started", "finished",
	                                        "expired", "gave_up",
	                                        "interrupted" };
#define CMD_STATS_EVENTS \
	(sizeof(cmd_stats_events) / sizeof(cmd_stats_events[0]))
/* The check-in answers always shown, in order. */
static const char *const cmd_stats_answers[] = { "better", "same", "worse",
	                                         "red_flag", "no_answer" };
#define CMD_STATS_ANSWERS \
	(sizeof(cmd_stats_answers) / sizeof(cmd_stats_answers[0]))

/* A "conversation" row: name is "<conversation> <event>". */
static void
cmd_stats_convo(struct cmd_stats *cs, const char *name, int64_t count)
{
	const char *sp = name != NULL ? strrchr(name, ' ') : NULL;
	char id[128];
	json_t *c;

	if (sp == NULL)
		return;
	snprintf(id, sizeof(id), "%.*s", (int)(sp - name), name);
	c = json_object_get(cs->convos, id);
	if (c == NULL) {
		c = json_object();
		for (size_t i = 0; i < CMD_STATS_EVENTS; i++)
			json_object_set_new(c, cmd_stats_events[i],
			                    json_integer(0));
		json_object_set_new(cs->convos, id, c);
	}
	json_object_set_new(c, sp + 1, json_integer((json_int_t)count));
}

static int
cmd_stats_group(void *arg, const char *what, const char *name, int64_t count)
{
	struct cmd_stats *cs = arg;
	json_t *list = json_object_get(cs->groups, what);

	if (strcmp(what, "conversation") == 0) {
		cmd_stats_convo(cs, name, count);
		return 0;
	}
	if (strcmp(what, "checkin") == 0) {
		json_object_set_new(cs->answers, name ? name : "(none)",
		                    json_integer((json_int_t)count));
		return 0;
	}
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

/* Conversations, when any ran in the period: a line each, then how
 * check-ins ended. */
static void
cmd_stats_convos_text(const struct cmd_stats *cs)
{
	static const char *const titles[] = { "started", "finished", "expired",
		                              "gave up", "interrupted" };
	const char *id, *name;
	json_t *c, *n;
	char shown[64 * ESCAPE_MAX];

	if (json_object_size(cs->convos) == 0)
		return;
	printf("\n%-28s", "Conversations");
	for (size_t i = 0; i < CMD_STATS_EVENTS; i++)
		printf(" %11s", titles[i]);
	putchar('\n');
	json_object_foreach(cs->convos, id, c)
	{
		escape_str(id, shown, sizeof(shown));
		printf("  %-26s", shown);
		for (size_t i = 0; i < CMD_STATS_EVENTS; i++)
			printf(" %11lld",
			       (long long)json_integer_value(
			           json_object_get(c, cmd_stats_events[i])));
		putchar('\n');
	}
	printf("\nCheck-in answers\n");
	json_object_foreach(cs->answers, name, n)
	{
		char words[64];
		snprintf(words, sizeof(words), "%s", name);
		for (char *p = words; *p != '\0'; p++)
			if (*p == '_')
				*p = ' ';
		escape_str(words, shown, sizeof(shown));
		printf("  %-26s %8lld\n", shown,
		       (long long)json_integer_value(n));
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
	cmd_stats_convos_text(cs);
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
	json_object_set(o, "conversations", cs->convos);
	json_object_set(o, "checkin_answers", cs->answers);
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
	cs.convos = json_object();
	cs.answers = json_object();
	for (size_t i = 0; cs.answers != NULL && i < CMD_STATS_ANSWERS; i++)
		json_object_set_new(cs.answers, cmd_stats_answers[i],
		                    json_integer(0));
	if (cs.groups == NULL || cs.convos == NULL || cs.answers == NULL) {
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
	json_decref(cs.convos);
	json_decref(cs.answers);
out:
	cmd_admin_close(&a);
	return rc;
}
