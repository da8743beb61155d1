/* Rule set checks: examples, counter-examples, reply budgets, replies that
 * read as red flags or keywords, and runaway patterns.  Everything here
 * names the file and line to edit. */
#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "classify.h"
#include "convocheck.h"
#include "gsm7.h"
#include "rulecheck.h"

static void
rulecheck_describe(const struct classify_result *res, char *buf, size_t len)
{
	if (res->rule_id != NULL)
		snprintf(buf, len, "rule \"%s\" (%s)", res->rule_id,
		         category_name(res->category));
	else if (res->category == CATEGORY_FALLBACK)
		snprintf(buf, len, "no rule (the fallback reply)");
	else
		snprintf(buf, len, "the built-in %s keyword",
		         category_name(res->category));
}

static void
rulecheck_examples(const struct ruleset *rs, struct classify *c, struct diag *d)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];
		struct classify_result res;
		char what[128];

		for (size_t j = 0; j < r->examples.count; j++) {
			const struct rule_text *t = &r->examples.items[j];
			if (classify_message(c, t->text, strlen(t->text), &res,
			                     NULL) != 0)
				continue; /* not valid UTF-8: reported on load
				           */
			if (res.rule == (long)i)
				continue;
			rulecheck_describe(&res, what, sizeof(what));
			diag_add(d, DIAG_ERROR, r->file, t->line,
			         "rule \"%s\": example \"%s\" selects %s, not "
			         "this rule",
			         r->id, t->text, what);
		}
		for (size_t j = 0; j < r->counter_examples.count; j++) {
			const struct rule_text *t =
			    &r->counter_examples.items[j];
			if (classify_message(c, t->text, strlen(t->text), &res,
			                     NULL) != 0)
				continue;
			if (res.rule != (long)i)
				continue;
			diag_add(d, DIAG_ERROR, r->file, t->line,
			         "rule \"%s\": counter-example \"%s\" selects "
			         "this rule",
			         r->id, t->text);
		}
	}
}

static void
rulecheck_reply(const char *reply, const char *file, int line,
                const char *owner, bool strict, struct diag *d)
{
	enum diag_severity sev = strict ? DIAG_ERROR : DIAG_WARNING;
	struct gsm7_info info;

	if (reply == NULL || gsm7_measure(reply, strlen(reply), &info) != 0)
		return;
	if (info.encoding != GSM7_ENCODING_GSM7) {
		char ch[8] = { 0 };
		size_t n = 1;
		const unsigned char *p =
		    (const unsigned char *)reply + info.first_non_gsm_offset;
		if (*p >= 0xf0)
			n = 4;
		else if (*p >= 0xe0)
			n = 3;
		else if (*p >= 0xc0)
			n = 2;
		memcpy(ch, p, n);
		diag_add(
		    d, sev, file, line,
		    "%s: reply has \"%s\" (U+%04X), which is not in GSM-7, "
		    "so it would be sent as UCS-2 (70 characters a part); "
		    "use a plain ASCII character instead",
		    owner, ch, (unsigned)info.first_non_gsm);
	}
	if (info.segments > BT_REPLY_SEGMENTS_MAX)
		diag_add(d, sev, file, line,
		         "%s: reply needs %zu SMS parts (%zu %s); the budget "
		         "is %d parts (306 GSM-7 characters)",
		         owner, info.segments, info.units,
		         info.encoding == GSM7_ENCODING_GSM7 ? "septets"
		                                             : "UCS-2 units",
		         BT_REPLY_SEGMENTS_MAX);
}

/* A reply must not read as a red flag or a compliance keyword when it
 * comes back as a text: a peer that echoes what it gets (another bot, an
 * auto-responder) would otherwise be answered with a red flag, which goes
 * out before anything else, or would opt itself out and in. */
static void
rulecheck_echo(struct classify *c, const char *reply, const char *file,
               int line, const char *owner, struct diag *d)
{
	struct classify_result res;
	char what[128];

	if (reply == NULL ||
	    classify_message(c, reply, strlen(reply), &res, NULL) != 0)
		return;
	if (!category_is_red_flag(res.category) &&
	    res.category != CATEGORY_STOP && res.category != CATEGORY_START &&
	    res.category != CATEGORY_HELP)
		return;
	rulecheck_describe(&res, what, sizeof(what));
	diag_add(d, DIAG_ERROR, file, line,
	         "%s: reply, read as a text from someone, selects %s; a peer "
	         "that texts it back would be answered again and again; "
	         "reword it so that it reads as no symptom report or keyword",
	         owner, what);
}

/* Whether reply ends with line, trailing spaces aside. */
static bool
rulecheck_ends_with(const char *reply, const char *line)
{
	size_t n = strlen(reply), m = strlen(line);

	while (n > 0 && (reply[n - 1] == ' ' || reply[n - 1] == '\n'))
		n--;
	while (m > 0 && (line[m - 1] == ' ' || line[m - 1] == '\n'))
		m--;
	return n >= m && memcmp(reply + n - m, line, m) == 0;
}

static void
rulecheck_safety_line(const char *reply, const char *line, const char *file,
                      int where, const char *owner, struct diag *d)
{
	if (reply == NULL || rulecheck_ends_with(reply, line))
		return;
	diag_add(d, DIAG_ERROR, file, where,
	         "%s: reply does not end with the safety net (replies."
	         "safety_net), which tells what to do if a red flag shows "
	         "up; end it with \"%s\"",
	         owner, line);
}

/* Every reply that is not urgent or emergency ends with the safety net:
 * tips, referral, info, the fallback and help. */
static void
rulecheck_safety_net(const struct ruleset *rs, struct diag *d)
{
	const char *line = rs->replies[REPLY_SAFETY_NET];

	if (line == NULL) /* a rule set without one (tests, generated) */
		return;
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];
		char owner[BT_RULE_ID_MAX + 16];
		if (category_is_red_flag(r->category))
			continue;
		snprintf(owner, sizeof(owner), "rule \"%s\"", r->id);
		rulecheck_safety_line(r->reply, line, r->file, r->reply_line,
		                      owner, d);
	}
	rulecheck_safety_line(
	    rs->replies[REPLY_FALLBACK], line, rs->reply_files[REPLY_FALLBACK],
	    rs->reply_lines[REPLY_FALLBACK], "replies.fallback", d);
	rulecheck_safety_line(rs->replies[REPLY_HELP], line,
	                      rs->reply_files[REPLY_HELP],
	                      rs->reply_lines[REPLY_HELP], "replies.help", d);
}

/* A STOP that also names a red flag is confirmed with the advice when the
 * rules have the texts for it; without them the plain confirmation goes,
 * and the person is told nothing of the red flag. */
static void
rulecheck_stop_alerts(const struct ruleset *rs, struct diag *d)
{
	static const struct {
		int slot;
		const char *name;
	} alerts[] = {
		{ REPLY_STOP_EMERGENCY, "stop_emergency" },
		{ REPLY_STOP_URGENT, "stop_urgent" },
	};

	if (rs->replies[REPLY_STOP] == NULL)
		return;
	for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (rs->replies[alerts[i].slot] == NULL)
			diag_add(d, DIAG_WARNING, rs->reply_files[REPLY_STOP],
			         rs->reply_lines[REPLY_STOP],
			         "replies: no %s: a STOP that names a red flag "
			         "is confirmed without the advice to get care",
			         alerts[i].name);
}

/* Inputs that make backtracking patterns blow up, such as (a+)+$. */
static const char *const rulecheck_hostile[] = {
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
	"a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a!",
	("back back back back back back back back back back back back back "
	 "back back back back back back back back back back back back back !"),
	"1111111111111111111111111111111111111111111111111111111111111111!",
};

static void
rulecheck_runaway(const struct ruleset *rs, struct diag *d)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	pcre2_match_context *mctx = pcre2_match_context_create(NULL);

	if (md == NULL || mctx == NULL)
		goto out;
	pcre2_set_match_limit(mctx, BT_PCRE2_MATCH_LIMIT);
	pcre2_set_depth_limit(mctx, BT_PCRE2_DEPTH_LIMIT);
	pcre2_set_heap_limit(mctx, BT_PCRE2_HEAP_LIMIT_KB);
	for (size_t i = 0; i < rs->npatterns; i++) {
		const struct pattern *p = &rs->patterns[i];
		if (p->kind == PATTERN_COMPLIANCE)
			continue;
		for (size_t h = 0; h < sizeof(rulecheck_hostile) /
		                           sizeof(rulecheck_hostile[0]);
		     h++) {
			const char *s = rulecheck_hostile[h];
			int rc = pcre2_match(p->re, (PCRE2_SPTR)s, strlen(s), 0,
			                     0, md, mctx);
			if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH)
				continue;
			const struct rule *r = &rs->rules[p->rule];
			const struct rule_list *l = p->kind == PATTERN_MATCH
			                                ? &r->patterns
			                                : &r->exclude;
			int line = r->line;
			for (size_t k = 0; k < l->count; k++)
				if (l->items[k].text == p->src)
					line = l->items[k].line;
			diag_add(d, DIAG_ERROR, r->file, line,
			         "rule \"%s\": pattern \"%s\" backtracks "
			         "without bound (it hit the PCRE2 limit on a "
			         "test message); remove nested repeats such as "
			         "(a+)+",
			         r->id, p->src);
			break;
		}
	}
out:
	pcre2_match_data_free(md);
	pcre2_match_context_free(mctx);
}

size_t
rulecheck_run(const struct ruleset *rs, bool strict, struct diag *d)
{
	size_t errors = d->errors;
	struct classify *c = classify_new(rs);
	static const char *const reply_names[REPLY__COUNT] = {
		"replies.fallback",    "replies.help",
		"replies.stop",        "replies.start",
		"replies.safety_net",  "replies.stop_emergency",
		"replies.stop_urgent",
	};

	if (c == NULL) {
		diag_add(d, DIAG_ERROR, NULL, 0, "out of memory");
		return 1;
	}
	rulecheck_runaway(rs, d);
	rulecheck_examples(rs, c, d);
	rulecheck_safety_net(rs, d);
	rulecheck_stop_alerts(rs, d);
	for (size_t i = 0; i < rs->nrules; i++) {
		char owner[BT_RULE_ID_MAX + 16];
		const struct rule *r = &rs->rules[i];
		snprintf(owner, sizeof(owner), "rule \"%s\"", r->id);
		rulecheck_reply(r->reply, r->file, r->reply_line, owner, strict,
		                d);
		rulecheck_echo(c, r->reply, r->file, r->reply_line, owner, d);
	}
	for (int i = 0; i < REPLY__COUNT; i++) {
		rulecheck_reply(rs->replies[i], rs->reply_files[i],
		                rs->reply_lines[i], reply_names[i], strict, d);
		rulecheck_echo(c, rs->replies[i], rs->reply_files[i],
		               rs->reply_lines[i], reply_names[i], d);
	}
	convocheck_run(rs, c, d);
	classify_free(c);
	return d->errors - errors;
}

size_t
rulecheck_tip_text(const struct ruleset *rs, const char *text, const char *file,
                   int line, const char *owner, struct diag *d)
{
	size_t errors = d->errors;

	if (rs->replies[REPLY_SAFETY_NET] != NULL)
		rulecheck_safety_line(text, rs->replies[REPLY_SAFETY_NET], file,
		                      line, owner, d);
	rulecheck_text(rs, text, file, line, owner, d);
	return d->errors - errors;
}

size_t
rulecheck_text(const struct ruleset *rs, const char *text, const char *file,
               int line, const char *owner, struct diag *d)
{
	size_t errors = d->errors;
	struct classify *c = classify_new(rs);

	if (c == NULL) {
		diag_add(d, DIAG_ERROR, NULL, 0, "out of memory");
		return 1;
	}
	rulecheck_echo(c, text, file, line, owner, d);
	classify_free(c);
	return d->errors - errors;
}
