/* backtalk replay: decides stored messages again against a set of rules
 * and shows where the decision would differ: the operator's check before
 * reloading backtalkd with new rules. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "cmd.h"
#include "escape.h"
#include "rules.h"
#include "store.h"

static const char cmd_replay_usage[] =
    "usage: backtalk replay [--config FILE | --db PATH] [--rules PATH]\n"
    "                       [--since DATE|AGE] [--limit N] [--json]\n";
static const char cmd_replay_help[] =
    "\n"
    "Classifies the stored messages again (those whose text retention has\n"
    "not deleted) against the rules at PATH, and prints each message whose\n"
    "category, topic, rule or reply would change:\n"
    "  twilio:SM123  urgent/numb-leg -> emergency/bladder (red flag)\n"
    "with the old and the new reply text under it when the text changed,\n"
    "then a summary line.  Run it before reloading backtalkd with new\n"
    "rules.  Nothing is sent or written.  Message texts are not shown.\n"
    "\n"
    "Options:\n" CMD_ADMIN_HELP
    "  --rules PATH    the rules to try (default: the rules the\n"
    "                  configuration names, else $BACKTALK_RULES or the\n"
    "                  installed ones)\n"
    "  --since DATE|AGE  messages received since then (2026-11-01, 7d)\n"
    "  --limit N       at most N messages, oldest first\n"
    "  --json          one JSON object: the counts and each change\n"
    "\n"
    "Exit status: 0 nothing would change, 1 only reply texts would change\n"
    "(the decisions stay), 6 decisions would change but none to or from a\n"
    "red flag, 7 a red-flag decision would change; 2 bad command line, 4\n"
    "the rules could not be loaded, 5 the state database could not be\n"
    "opened.\n";

/* Exit statuses of their own: what kind of change the new rules make. */
enum {
	CMD_REPLAY_TEXTS = 1,     /* reply texts only */
	CMD_REPLAY_DECISIONS = 6, /* decisions, none a red flag */
	CMD_REPLAY_RED = 7,       /* a red-flag decision */
};

struct cmd_replay {
	struct classify *c;
	const struct ruleset *rs;
	long replayed, changed, decisions, red, texts;
	json_t *changes; /* --json: each change; NULL for text */
};

static bool
cmd_replay_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
cmd_replay_one(void *arg, const struct store_decided *m)
{
	struct cmd_replay *r = arg;
	struct classify_result res;
	enum category old;
	bool compliance, reply_changed, decision, red;
	const char *category, *topic;

	/* dates in the message are read against the day it was written, as
	 * backtalkd read them */
	classify_set_date(
	    r->c,
	    calendar_from_time(m->sent_at > 0 ? m->sent_at : m->received_at));
	if (classify_message(r->c, m->body, strlen(m->body), &res, NULL) != 0) {
		/* As backtalkd does with a body that is not UTF-8. */
		memset(&res, 0, sizeof(res));
		res.category = CATEGORY_FALLBACK;
		res.reply = rules_builtin_reply(r->rs, CATEGORY_FALLBACK);
	}
	r->replayed++;
	category = category_name(res.category);
	topic = topic_name(res.topic);
	/* The text of STOP, START and HELP replies may come from the
	 * configuration rather than the rules: only rule replies are
	 * compared, and only when one was recorded. */
	compliance = res.category == CATEGORY_STOP ||
	             res.category == CATEGORY_START ||
	             res.category == CATEGORY_HELP;
	reply_changed = !compliance && m->reply != NULL &&
	                !cmd_replay_same(m->reply, res.reply);
	if (cmd_replay_same(m->category, category) &&
	    cmd_replay_same(m->topic, topic) &&
	    cmd_replay_same(m->rule, res.rule_id) && !reply_changed)
		return 0;
	/* A decision changes with the category, topic or rule; a red-flag
	 * decision when the old or the new one is a red flag. */
	decision = !cmd_replay_same(m->category, category) ||
	           !cmd_replay_same(m->topic, topic) ||
	           !cmd_replay_same(m->rule, res.rule_id);
	red =
	    decision &&
	    (category_is_red_flag(res.category) ||
	     (category_parse(m->category, &old) && category_is_red_flag(old)));
	r->changed++;
	r->decisions += decision;
	r->red += red;
	r->texts += !decision;
	if (r->changes != NULL) {
		json_array_append_new(
		    r->changes,
		    json_pack("{s:s,s:s,s:s,s:b,s:{s:s,s:s?,s:s?,s:s?},"
		              "s:{s:s,s:s?,s:s?,s:s?}}",
		              "gateway", m->gateway, "id", m->id, "change",
		              decision ? "decision" : "reply_text", "red_flag",
		              red, "old", "category", m->category, "topic",
		              m->topic, "rule", m->rule, "reply", m->reply,
		              "new", "category", category, "topic", topic,
		              "rule", res.rule_id, "reply",
		              compliance ? NULL : res.reply));
		return 0;
	}
	escape_fputs(m->gateway, stdout);
	putchar(':');
	escape_fputs(m->id, stdout); /* the gateway's: from outside */
	printf("  %s%s%s -> %s%s%s", m->category, m->rule ? "/" : "",
	       m->rule ? m->rule : "", category, res.rule_id ? "/" : "",
	       res.rule_id ? res.rule_id : "");
	if (!cmd_replay_same(m->topic, topic))
		printf(" (topic %s -> %s)", m->topic ? m->topic : "none",
		       topic ? topic : "none");
	if (!decision)
		printf(" (reply changed)");
	if (red)
		printf(" (red flag)");
	putchar('\n');
	if (reply_changed) {
		/* Our texts, escaped all the same. */
		fputs("    old reply: ", stdout);
		cmd_admin_text(stdout, m->reply);
		fputs("\n    new reply: ", stdout);
		cmd_admin_text(stdout, res.reply);
		putchar('\n');
	}
	return 0;
}

int
cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_ADMIN_OPTIONS,
		{ "rules", required_argument, NULL, 'r' },
		{ "since", required_argument, NULL, 'S' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_admin a = { .cmd = "replay" };
	struct cmd_replay r = { 0 };
	struct ruleset *rs = NULL;
	const char *rules = NULL;
	int64_t since = 0;
	long long limit = 0;
	bool json = false;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, CMD_ADMIN_OPTSTRING "r:S:l:J",
	                         opts, NULL)) != -1) {
		if (cmd_admin_option(&a, ch, optarg))
			continue;
		switch (ch) {
		case 'r':
			rules = optarg;
			continue;
		case 'S':
			if (cmd_admin_since(&a, optarg, &since) < 0)
				return EXIT_USAGE;
			continue;
		case 'l':
			if (!cmd_admin_limit(&a, optarg, "messages", &limit))
				return EXIT_USAGE;
			continue;
		case 'J':
			json = true;
			continue;
		case 'h':
			printf("%s%s", cmd_replay_usage, cmd_replay_help);
			return EXIT_OK;
		}
		fputs(cmd_replay_usage, stderr);
		return EXIT_USAGE;
	}
	if (optind != argc) {
		fputs(cmd_replay_usage, stderr);
		return EXIT_USAGE;
	}
	rc = cmd_admin_open(&a, false);
	if (rc != EXIT_OK)
		goto out;
	if (rules == NULL && a.cfg != NULL)
		rules = a.cfg->rules_path;
	rs = cmd_load_rules(cmd_rules_path(rules));
	if (rs == NULL) {
		rc = EXIT_RULES;
		goto out;
	}
	r.rs = rs;
	r.c = classify_new(rs);
	if (json)
		r.changes = json_array();
	if (r.c == NULL || (json && r.changes == NULL)) {
		fprintf(stderr, "backtalk replay: out of memory\n");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	if (store_decided(a.st, since, (size_t)limit, cmd_replay_one, &r) < 0) {
		fprintf(stderr, "backtalk replay: %s: %s\n", a.path,
		        store_error(a.st));
		rc = EXIT_STATE;
		goto out;
	}
	if (json) {
		json_t *o = json_pack(
		    "{s:i,s:i,s:i,s:i,s:i,s:O}", "replayed", (int)r.replayed,
		    "changed", (int)r.changed, "decisions_changed",
		    (int)r.decisions, "red_flag_decisions_changed", (int)r.red,
		    "reply_texts_changed", (int)r.texts, "changes", r.changes);
		if (o == NULL ||
		    json_dumpf(o, stdout,
		               JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
			json_decref(o);
			fprintf(stderr, "backtalk replay: out of memory\n");
			rc = EXIT_SOFTWARE;
			goto out;
		}
		putchar('\n');
		json_decref(o);
	} else {
		printf("%ld messages replayed, %ld would change: %ld "
		       "decisions (%ld red-flag), %ld reply texts only\n",
		       r.replayed, r.changed, r.decisions, r.red, r.texts);
	}
	rc = r.red > 0         ? CMD_REPLAY_RED
	     : r.decisions > 0 ? CMD_REPLAY_DECISIONS
	     : r.texts > 0     ? CMD_REPLAY_TEXTS
	                       : EXIT_OK;
out:
	json_decref(r.changes);
	classify_free(r.c);
	rules_free(rs);
	cmd_admin_close(&a);
	return rc;
}
