/* backtalk chat: plays a conversation against the rules, one texter's
 * message a line, and shows what backtalkd would answer.  The decision is
 * the daemon's own (decide.c); opt-outs and the flood guard's counters
 * live in memory only, on a simulated clock, so nothing touches the state
 * database or the network. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "concept.h"
#include "context.h"
#include "convo.h"
#include "decide.h"
#include "gsm7.h"
#include "rulecheck.h"

#define CHAT_EPOCH    INT64_C(1767225600) /* 2026-01-01 00:00 UTC */
#define CHAT_STEP_S   60                  /* between two messages */
#define CHAT_WAIT_MAX (INT64_C(366) * 86400)

struct cmd_chat {
	struct config *cfg;
	const char *config_path;
	char *rules_path;
	struct ruleset *rs;
	struct classify *cls;
	struct guard *guard;
	struct classify_explain *ex; /* with --explain */
	char from[32];
	bool opted_out;
	int64_t now;
	int32_t today; /* dates in messages are read against it */
	/* The texter's conversation, and the check-in scheduled (conversation
	 * checkin - 1, due at checkin_at under checkin_gen; 0: none). */
	struct convo_state convo;
	uint16_t checkin;
	int64_t checkin_at;
	uint32_t checkin_gen;
	/* Play them: --conversations, or a configuration that turns them
	 * on (conversations.screening), as backtalkd does with it. */
	bool conversations;
	bool interactive; /* stdin is a terminal: prompt */
	const char *dim, *undim;
};

static const char cmd_chat_commands[] =
    "Each line is a text message from the texter; backtalk> shows the\n"
    "reply backtalkd would send, then [category/topic, rule; encoding,\n"
    "segments].  Messages are a minute apart.  With --conversations, a\n"
    "conversation's questions and answers follow, marked\n"
    "[conversation ...].\n"
    "  /help          this list\n"
    "  /rules [PATH]  reload the rules (from PATH from now on); broken\n"
    "                 rules keep the old ones.  Forgets the flood\n"
    "                 guard's counters, as a reload of backtalkd does,\n"
    "                 and the conversation\n"
    "  /wait TIME     let time pass: 30s, 10m, 2h, 1d; a check-in that\n"
    "                 falls due is asked then\n"
    "  /reset         forget opt-out, conversation, guard counters and\n"
    "                 the clock\n"
    "  /quit          leave (so does end of input)\n"
    "  //TEXT         send a message that starts with /\n";

/* Loads rules as backtalkd does: rulecheck errors refuse them too.
 * Prints every problem to fp; NULL on failure. */
static struct ruleset *
cmd_chat_load(const char *path, FILE *fp)
{
	struct ruleset *rs = NULL;
	struct diag d;

	diag_init(&d);
	if (rules_load(path, &rs, &d) == 0 &&
	    rulecheck_run(rs, false, &d) > 0) {
		rules_free(rs);
		rs = NULL;
	}
	diag_print(&d, fp);
	if (rs == NULL)
		fprintf(
		    fp,
		    "backtalk chat: cannot load rules from %s (%zu errors)\n",
		    path, d.errors);
	diag_free(&d);
	return rs;
}

/* A fresh guard and clock, as after a start or a reload of backtalkd. */
static int
cmd_chat_guard(struct cmd_chat *cc)
{
	const struct config *cfg = cc->cfg;
	struct guard *g =
	    guard_new(cfg->guard.replies_per_sender, cfg->guard.window_s,
	              cfg->guard.max_senders);

	if (g == NULL)
		return -1;
	guard_free(cc->guard);
	cc->guard = g;
	return 0;
}

/* /rules [PATH]: builds the new rules beside the old ones and swaps only
 * when they load. */
static void
cmd_chat_reload(struct cmd_chat *cc, const char *arg)
{
	const char *path = *arg ? arg : cc->rules_path;
	char *copy = strdup(path);
	struct ruleset *rs = copy ? cmd_chat_load(path, stdout) : NULL;
	struct classify *cls = rs ? classify_new(rs) : NULL;

	if (cls != NULL)
		classify_set_date(cls, cc->today);

	if (cls == NULL || cmd_chat_guard(cc) < 0) {
		if (copy == NULL || rs != NULL)
			printf("backtalk chat: out of memory\n");
		printf("%s(still the rules from %s)%s\n", cc->dim,
		       cc->rules_path, cc->undim);
		classify_free(cls);
		rules_free(rs);
		free(copy);
		return;
	}
	classify_free(cc->cls);
	rules_free(cc->rs);
	free(cc->rules_path);
	cc->rules_path = copy;
	cc->rs = rs;
	cc->cls = cls;
	/* conversations are named by their place in the rules */
	memset(&cc->convo, 0, sizeof(cc->convo));
	cc->checkin = 0;
	printf("%s(%zu rules from %s; flood guard counters forgotten)%s\n",
	       cc->dim, rs->nrules, cc->rules_path, cc->undim);
}

static void cmd_chat_checkin(struct cmd_chat *cc);

/* /wait TIME: "90", "90s", "10m", "2h", "1d". */
static void
cmd_chat_wait(struct cmd_chat *cc, const char *arg)
{
	char *end;
	long long n;
	int64_t unit = 1;

	errno = 0;
	n = strtoll(arg, &end, 10);
	if (*end != '\0' && strchr("smhd", *end) != NULL) {
		unit = *end == 'd'   ? 86400
		       : *end == 'h' ? 3600
		       : *end == 'm' ? 60
		                     : 1;
		end++;
	}
	if (errno != 0 || end == arg || *end != '\0' || n < 0 ||
	    n > CHAT_WAIT_MAX / unit) {
		printf("/wait takes a time like 30s, 10m, 2h or 1d (at most "
		       "366d)\n");
		return;
	}
	cc->now += n * unit;
	printf("%s(%lld s later)%s\n", cc->dim, n * (long long)unit, cc->undim);
	cmd_chat_checkin(cc);
}

static int
cmd_chat_opted_out(void *arg, const char *number)
{
	const struct cmd_chat *cc = arg;

	(void)number; /* one texter */
	return cc->opted_out;
}

/* The patterns that matched, as `backtalk classify --explain` lists
 * them. */
static void
cmd_chat_explain(const struct cmd_chat *cc, const struct classify_result *res)
{
	const struct classify_explain *ex = cc->ex;

	printf("%s  normalised \"%.*s\", decided by %s", cc->dim,
	       (int)ex->norm_len, ex->norm, classify_via_name(res->via));
	if (res->model_class != NULL)
		printf(", category model %s %.3f (threshold %.3f)",
		       res->model_class, res->model_prob, res->model_threshold);
	if (res->limit_hits)
		printf(", %u pattern runs hit the PCRE2 limits",
		       res->limit_hits);
	printf("%s\n", cc->undim);
	for (size_t i = 0; i < ex->count; i++) {
		const struct classify_match *m = &ex->matches[i];
		const struct pattern *p = &cc->rs->patterns[m->pattern];
		const char *kind = p->kind == PATTERN_EXCLUDE ? "exclude"
		                   : p->kind == PATTERN_MATCH ? "match"
		                                              : "compliance";
		const char *rule = p->kind == PATTERN_COMPLIANCE
		                       ? "(built in)"
		                       : cc->rs->rules[p->rule].id;

		printf("%s  %s %s %s \"%.*s\" at %zu-%zu", cc->dim,
		       m->negated ? "negated" : kind, rule, p->src,
		       (int)(m->end - m->start), ex->norm + m->start, m->start,
		       m->end);
		if (m->negated)
			printf(" by \"%.*s\"", (int)(m->cue_end - m->cue_start),
			       ex->norm + m->cue_start);
		else if (m->winner)
			printf(" (decided)");
		printf("%s\n", cc->undim);
	}
	for (size_t i = 0; i < ex->nconcepts; i++) {
		const struct classify_concept *k = &ex->concepts[i];
		printf("%s  concept %s \"%.*s\" at %zu-%zu", cc->dim,
		       concept_name(cc->rs->concepts, k->concept),
		       (int)(k->end - k->start), ex->norm + k->start, k->start,
		       k->end);
		for (unsigned f = 0; f < 4; f++)
			if (k->context & (1u << f))
				printf(", %s",
				       context_flag_name(
				           (enum context_flag)(1u << f)));
		if (k->context != 0)
			printf(" by \"%.*s\"", (int)(k->cue_end - k->cue_start),
			       ex->norm + k->cue_start);
		printf("%s\n", cc->undim);
	}
	if (ex->combo >= 0)
		for (size_t r = 0; r < cc->rs->nrules; r++) {
			const struct rule *ru = &cc->rs->rules[r];
			size_t first = ru->first_combo;
			if ((size_t)ex->combo >= first &&
			    (size_t)ex->combo < first + ru->when.count)
				printf("%s  decided by %s when \"%s\"%s\n",
				       cc->dim, ru->id,
				       ru->when.items[ex->combo - first].text,
				       cc->undim);
		}
}

/* The ordinary answer to a message: decide, print the reply or why there
 * is none, and keep the opt-out the decision records.  Returns whether a
 * reply was sent. */
static bool
cmd_chat_decide(struct cmd_chat *cc, const struct classify_result *res,
                const char *norm, bool bad)
{
	struct store_decision dec;
	struct gsm7_info info;
	struct decide_env env = {
		.cfg = cc->cfg,
		.rs = cc->rs,
		.guard = cc->guard,
		.opted_out = cmd_chat_opted_out,
		.arg = cc,
	};

	decide_message(&env, cc->from, 0, cc->now, res, norm, &dec);
	if (dec.optout_change > 0)
		cc->opted_out = true;
	else if (dec.optout_change < 0)
		cc->opted_out = false;

	if (dec.action == STORE_ACTION_REPLY)
		printf("backtalk> %s\n", dec.reply);
	else
		printf("(no reply: %s)\n", dec.note ? dec.note : "none");

	printf("%s  [%s%s%s", cc->dim, dec.category, dec.topic ? "/" : "",
	       dec.topic ? dec.topic : "");
	if (dec.rule)
		printf(", rule %s", dec.rule);
	if (dec.optout_change)
		printf(", %s", dec.optout_change > 0 ? "opted out now"
		                                     : "opted in again");
	if (dec.action == STORE_ACTION_REPLY &&
	    gsm7_measure(dec.reply, strlen(dec.reply), &info) == 0)
		printf("; %s, %zu chars, %zu segment%s",
		       gsm7_encoding_name(info.encoding), info.chars,
		       info.segments, info.segments == 1 ? "" : "s");
	if (bad)
		printf("; not valid UTF-8 at byte %zu, answered with the menu",
		       res->bad_offset);
	else if (res->truncated)
		printf("; cut to %d bytes", BT_MESSAGE_MAX);
	printf("]%s\n", cc->undim);
	if (cc->ex != NULL && !bad)
		cmd_chat_explain(cc, res);
	return dec.action == STORE_ACTION_REPLY;
}

/* A message of a conversation (a question, a re-prompt, the reply an
 * option ends with), and what it is. */
static void
cmd_chat_convo_print(const struct cmd_chat *cc, uint16_t conv,
                     const struct convo_msg *m)
{
	static const char *const kinds[] = {
		[CONVO_OUT_PROMPT] = "question",
		[CONVO_OUT_REPROMPT] = "again, question",
		[CONVO_OUT_END] = "answer",
		[CONVO_OUT_GIVE_UP] = "given up",
	};
	struct gsm7_info info;

	printf("backtalk> %s\n", m->text);
	printf("%s  [conversation %s, %s", cc->dim,
	       conv ? cc->rs->convos->convos[conv - 1].id : "?",
	       kinds[m->kind]);
	if (m->kind != CONVO_OUT_GIVE_UP)
		printf(" %s", m->name);
	if (m->kind == CONVO_OUT_END)
		printf(" (%s)", category_name(m->category));
	if (gsm7_measure(m->text, strlen(m->text), &info) == 0)
		printf("; %s, %zu chars, %zu segment%s",
		       gsm7_encoding_name(info.encoding), info.chars,
		       info.segments, info.segments == 1 ? "" : "s");
	printf("]%s\n", cc->undim);
}

/* What convo_step or convo_begin said besides the messages: a check-in
 * scheduled or cancelled. */
static void
cmd_chat_convo_note(struct cmd_chat *cc, const struct convo_out *out)
{
	if (out->cancel_checkins && cc->checkin != 0) {
		printf("%s(check-in cancelled)%s\n", cc->dim, cc->undim);
		cc->checkin = 0;
	}
	if (out->checkin != 0) {
		printf("%s(check-in %s %s, %lld days from now)%s\n", cc->dim,
		       cc->rs->convos->convos[out->checkin - 1].id,
		       cc->checkin ? "rescheduled" : "scheduled",
		       (long long)((out->checkin_at - cc->now) / 86400),
		       cc->undim);
		cc->checkin = out->checkin;
		cc->checkin_at = out->checkin_at;
		cc->checkin_gen = out->checkin_gen;
	}
}

/* One message from the texter: the conversation engine says what goes
 * out, in order; the ordinary answer among it is decided as backtalkd
 * decides, and a conversation's messages go only to a number that is not
 * opted out, and only after an ordinary answer that went. */
static void
cmd_chat_message(struct cmd_chat *cc, const char *text, size_t len)
{
	static char norm[BT_MESSAGE_MAX + 1];
	struct classify_result res;
	struct convo_state next;
	struct convo_out out;
	bool bad = decide_classify(cc->cls, cc->rs, text, len, &res, norm,
	                           cc->ex) != 0;
	bool was_out = cc->opted_out, sent = true, dropped = false;
	char *copy;
	struct convo_msg_in in;

	cc->now += CHAT_STEP_S;
	if (!cc->conversations) {
		cmd_chat_decide(cc, &res, norm, bad);
		return;
	}
	copy = strndup(text, len);
	in = convo_msg_from(&res, copy);
	in.subscribed = !cc->opted_out;
	convo_step(cc->rs, &cc->convo, &in, cc->now, &next, &out);
	free(copy);
	for (size_t i = 0; i < out.n; i++) {
		if (out.msgs[i].kind == CONVO_OUT_CLASSIFIED)
			sent = cmd_chat_decide(cc, &res, norm, bad);
		else if (was_out || !sent)
			dropped |= out.msgs[i].kind == CONVO_OUT_PROMPT ||
			           out.msgs[i].kind == CONVO_OUT_REPROMPT;
		else
			cmd_chat_convo_print(
			    cc,
			    out.msgs[i].kind == CONVO_OUT_END ||
			            out.msgs[i].kind == CONVO_OUT_GIVE_UP
			        ? cc->convo.conv
			        : next.conv,
			    &out.msgs[i]);
	}
	/* A question not asked does not wait (a HELP or a START not
	 * answered leaves the waiting one waiting, as in backtalkd). */
	if (was_out || dropped)
		next.conv = 0;
	if (was_out || !sent)
		out.checkin = 0;
	cc->convo = next;
	cmd_chat_convo_note(cc, &out);
}

/* After /wait: the scheduled check-in, when it is due, is asked now (the
 * daemon will pick a reasonable local hour; chat does not). */
static void
cmd_chat_checkin(struct cmd_chat *cc)
{
	struct convo_state next;
	struct convo_out out;

	if (cc->checkin == 0 || cc->now < cc->checkin_at)
		return;
	if (!cc->opted_out &&
	    convo_begin(cc->rs, &cc->convo, cc->checkin, cc->checkin_gen,
	                cc->now, &next, &out) == 0) {
		cmd_chat_convo_print(cc, cc->checkin, &out.msgs[0]);
		cc->convo = next;
	} else {
		printf("%s(check-in %s not asked: stale, opted out, another "
		       "question waits, or the daily bound is met)%s\n",
		       cc->dim, cc->rs->convos->convos[cc->checkin - 1].id,
		       cc->undim);
	}
	cc->checkin = 0;
}

/* A line starting with '/'.  Returns false for /quit. */
static bool
cmd_chat_command(struct cmd_chat *cc, char *line)
{
	char *arg = line + strcspn(line, " \t");

	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	if (strcmp(line, "/quit") == 0 || strcmp(line, "/exit") == 0)
		return false;
	if (strcmp(line, "/help") == 0 || strcmp(line, "/?") == 0) {
		fputs(cmd_chat_commands, stdout);
	} else if (strcmp(line, "/rules") == 0) {
		cmd_chat_reload(cc, arg);
	} else if (strcmp(line, "/wait") == 0) {
		cmd_chat_wait(cc, arg);
	} else if (strcmp(line, "/reset") == 0) {
		if (cmd_chat_guard(cc) < 0) {
			printf("backtalk chat: out of memory\n");
			return true;
		}
		cc->opted_out = false;
		cc->now = CHAT_EPOCH;
		memset(&cc->convo, 0, sizeof(cc->convo));
		cc->checkin = 0;
		printf("%s(forgot opt-out, conversation, flood guard counters "
		       "and the clock)%s\n",
		       cc->dim, cc->undim);
	} else {
		printf("unknown command %s; /help lists them\n", line);
	}
	return true;
}

static void
cmd_chat_free(struct cmd_chat *cc)
{
	classify_free(cc->cls);
	rules_free(cc->rs);
	guard_free(cc->guard);
	free(cc->ex);
	free(cc->rules_path);
	config_free(cc->cfg); /* loaded, or defaults without strings */
}

int
cmd_chat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'f' },
		{ "explain", no_argument, NULL, 'e' },
		{ "config", required_argument, NULL, 'c' },
		{ "date", required_argument, NULL, 'd' },
		{ "conversations", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
	    "usage: backtalk chat [--rules PATH] [--from NUMBER] [--explain] "
	    "[--config FILE]\n"
	    "                     [--date YYYY-MM-DD] [--conversations]\n"
	    "  --date           read dates in the messages (\"pain since nov "
	    "1st\")\n"
	    "                   as written on that day (default: today, UTC)\n"
	    "  --conversations  play the rules' conversations (screening "
	    "questions,\n"
	    "                   check-ins), as backtalkd does with\n"
	    "                   conversations.screening on (the default with "
	    "a --config\n"
	    "                   that turns it on)\n";
	struct cmd_chat cc = { .now = CHAT_EPOCH };
	const char *rules = NULL, *from = "+15555550100", *date = NULL;
	bool explain = false;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ch, rc = EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "r:f:ec:d:Ch", opts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'C':
			cc.conversations = true;
			break;
		case 'd':
			date = optarg;
			break;
		case 'r':
			rules = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 'e':
			explain = true;
			break;
		case 'c':
			cc.config_path = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			fputs("\n", stdout);
			fputs(cmd_chat_commands, stdout);
			return EXIT_OK;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!cmd_date("chat", date, &cc.today))
		return EXIT_USAGE;
	if (cc.config_path != NULL) {
		struct diag d;
		diag_init(&d);
		if (config_load(cc.config_path, &cc.cfg, &d) != 0) {
			diag_print(&d, stderr);
			fprintf(stderr,
			        "backtalk chat: cannot load %s (%zu errors)\n",
			        cc.config_path, d.errors);
			diag_free(&d);
			return EXIT_STATE;
		}
		diag_free(&d);
		if (rules == NULL)
			rules = cc.cfg->rules_path;
		/* As the daemon with this configuration does. */
		if (cc.cfg->conversations.screening)
			cc.conversations = true;
	} else if ((cc.cfg = calloc(1, sizeof(*cc.cfg))) != NULL) {
		config_defaults(cc.cfg);
	}
	cc.rules_path = strdup(cmd_rules_path(rules));
	cc.ex = explain ? malloc(sizeof(*cc.ex)) : NULL;
	if (cc.cfg == NULL || cc.rules_path == NULL || (explain && !cc.ex) ||
	    cmd_chat_guard(&cc) < 0) {
		fprintf(stderr, "backtalk chat: out of memory\n");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	if (!cmd_admin_phone("chat", cc.cfg, from, cc.from, sizeof(cc.from))) {
		rc = EXIT_USAGE;
		goto out;
	}
	if ((cc.rs = cmd_chat_load(cc.rules_path, stderr)) == NULL) {
		rc = EXIT_RULES;
		goto out;
	}
	if ((cc.cls = classify_new(cc.rs)) == NULL) {
		fprintf(stderr, "backtalk chat: out of memory\n");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	classify_set_date(cc.cls, cc.today);
	cc.interactive = isatty(STDIN_FILENO);
	if (isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL) {
		cc.dim = "\033[2m";
		cc.undim = "\033[0m";
	} else {
		cc.dim = cc.undim = "";
	}
	if (cc.interactive)
		printf("%s(%zu rules from %s; texting as %s; /help lists the "
		       "commands)%s\n",
		       cc.dim, cc.rs->nrules, cc.rules_path, cc.from, cc.undim);

	for (;;) {
		if (cc.interactive) {
			fputs("you> ", stdout);
			fflush(stdout);
		}
		if ((n = getline(&line, &cap, stdin)) < 0) {
			if (cc.interactive)
				putchar('\n');
			break;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (line[0] == '/' && line[1] != '/') {
			if (!cmd_chat_command(&cc, line))
				break;
		} else if (line[0] == '/') {
			cmd_chat_message(&cc, line + 1, (size_t)n - 1);
		} else {
			cmd_chat_message(&cc, line, (size_t)n);
		}
		if (!cc.interactive)
			fflush(stdout);
	}
	if (fflush(stdout) != 0) {
		perror("backtalk chat: stdout");
		rc = EXIT_SOFTWARE;
	}
out:
	free(line);
	cmd_chat_free(&cc);
	return rc;
}
