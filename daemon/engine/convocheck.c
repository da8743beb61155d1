/* Conversation checks that classify: texts we send, options, and example
 * conversations played through convo_step as the daemon would. */
#include <stdio.h>
#include <string.h>

#include "convo.h"
#include "convocheck.h"
#include "rulecheck.h"

/* The name an example gives what convo_step sent. */
static const char *
convocheck_name(const struct convo_msg *m)
{
	switch (m->kind) {
	case CONVO_OUT_REPROMPT:
		return "again";
	case CONVO_OUT_GIVE_UP:
		return "give_up";
	default:
		return m->name;
	}
}

/* What was sent, as "a, b", into buf. */
static void
convocheck_list(const struct convo_out *out, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < out->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		                         i ? ", " : "",
		                         convocheck_name(&out->msgs[i]));
	if (out->n == 0)
		snprintf(buf, len, "nothing");
}

static void
convocheck_example(const struct ruleset *rs, struct classify *c,
                   const struct convo *cv, size_t conv,
                   const struct convo_example *ex, struct diag *d)
{
	struct convo_state st = { 0 };
	int64_t now = CONVOCHECK_EPOCH;

	for (size_t i = 0; i < ex->nturns; i++) {
		const struct convo_turn *t = &ex->turns[i];
		struct convo_out out;
		char got[256];
		bool same;

		if (t->text == NULL)
			return; /* malformed: reported on load */
		now += 60;
		if (t->text[0] == '\0') {
			if (convo_begin(rs, &st, (uint16_t)(conv + 1), st.gen,
			                now, &st, &out) != 0) {
				diag_add(d, DIAG_ERROR, cv->file, t->line,
				         "conversation \"%s\": example turn "
				         "%zu begins the conversation, which "
				         "cannot begin there (another one "
				         "waits, or the daily bound is met)",
				         cv->id, i + 1);
				return;
			}
		} else {
			struct classify_result res;
			if (classify_message(c, t->text, strlen(t->text), &res,
			                     NULL) != 0)
				return; /* not UTF-8: reported on load */
			struct convo_msg_in in = convo_msg_from(&res, t->text);
			convo_step(rs, &st, &in, now, &st, &out);
		}
		same = out.n == t->nexpect;
		for (size_t j = 0; same && j < out.n; j++)
			same = strcmp(convocheck_name(&out.msgs[j]),
			              t->expect[j]) == 0;
		if (same)
			continue;
		convocheck_list(&out, got, sizeof(got));
		diag_add(d, DIAG_ERROR, cv->file, t->line,
		         "conversation \"%s\": example turn \"%s\" is "
		         "answered with %s, not as written",
		         cv->id, t->text[0] ? t->text : "(begun)", got);
		return; /* the rest would follow from a wrong state */
	}
}

/* An option a red flag or a keyword always takes first can never be
 * chosen. */
static void
convocheck_answers(struct classify *c, const struct convo *cv,
                   const struct convo_stepdef *sd, struct diag *d)
{
	for (size_t i = 0; i < sd->nanswers; i++)
		for (size_t j = 0; j < sd->answers[i].on.count; j++) {
			const struct rule_text *w = &sd->answers[i].on.items[j];
			struct classify_result res;
			if (classify_message(c, w->text, strlen(w->text), &res,
			                     NULL) != 0 ||
			    res.via == CLASSIFY_VIA_COMPLIANCE_KEYWORD)
				continue; /* a keyword: reported on load */
			if (!category_is_red_flag(res.category) &&
			    res.category != CATEGORY_STOP &&
			    res.category != CATEGORY_START &&
			    res.category != CATEGORY_HELP)
				continue;
			char what[BT_RULE_ID_MAX + 48];
			if (res.rule_id != NULL)
				snprintf(what, sizeof(what), "rule \"%s\" (%s)",
				         res.rule_id,
				         category_name(res.category));
			else
				snprintf(what, sizeof(what),
				         "the built-in %s request",
				         category_name(res.category));
			diag_add(d, DIAG_ERROR, cv->file, w->line,
			         "conversation \"%s\", step \"%s\": \"%s\" "
			         "selects %s, which comes before any answer, "
			         "so it can never choose this option",
			         cv->id, sd->id, w->text, what);
		}
}

size_t
convocheck_run(const struct ruleset *rs, struct classify *c, struct diag *d)
{
	const struct convo_set *cs = rs->convos;
	size_t errors = d->errors;
	char owner[2 * BT_RULE_ID_MAX + 64];

	for (size_t i = 0; cs != NULL && i < cs->n; i++) {
		const struct convo *cv = &cs->convos[i];
		if (cv->give_up != NULL) {
			snprintf(owner, sizeof(owner),
			         "conversation \"%s\": give_up", cv->id);
			rulecheck_text(rs, cv->give_up, cv->file,
			               cv->give_up_line, owner, d);
		}
		for (size_t j = 0; j < cv->nreplies; j++) {
			snprintf(owner, sizeof(owner),
			         "conversation \"%s\": reply %s", cv->id,
			         cv->replies[j].id);
			rulecheck_tip_text(rs, cv->replies[j].text, cv->file,
			                   cv->replies[j].line, owner, d);
		}
		for (size_t j = 0; j < cv->nsteps; j++) {
			const struct convo_stepdef *sd = &cv->steps[j];
			snprintf(owner, sizeof(owner),
			         "conversation \"%s\", step \"%s\": prompt",
			         cv->id, sd->id);
			if (sd->prompt != NULL)
				rulecheck_text(rs, sd->prompt, cv->file,
				               sd->prompt_line, owner, d);
			snprintf(owner, sizeof(owner),
			         "conversation \"%s\", step \"%s\": reprompt",
			         cv->id, sd->id);
			if (sd->reprompt != NULL)
				rulecheck_text(rs, sd->reprompt, cv->file,
				               sd->reprompt_line, owner, d);
			convocheck_answers(c, cv, sd, d);
		}
		for (size_t j = 0; j < cv->nexamples; j++)
			convocheck_example(rs, c, cv, i, &cv->examples[j], d);
	}
	return d->errors - errors;
}
