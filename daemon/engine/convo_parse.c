/* Conversations in the rule files: libconfig parsing, name resolution and
 * the checks on each conversation's shape, with file:line for every
 * problem.  See convo_parse.h and rules/README.md, "Conversations". */
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "compliance.h"
#include "convo_parse.h"
#include "gsm7.h"
#include "normalise.h"
#include "utf8.h"

#define CONVO_DELAY_DAYS_MAX 60

static const char *const convo_parse_keys[] = {
	"id",    "after",   "delay_days", "give_up",
	"steps", "replies", "examples",   NULL,
};
static const char *const convo_parse_step_keys[] = {
	"id", "prompt", "reprompt", "answers", NULL,
};
static const char *const convo_parse_answer_keys[] = {
	"on", "next", "reply", "outcome", NULL,
};

/* Reports unknown keys of group g, which lists `what` as known. */
static void
convo_parse_keys_known(const config_setting_t *g, const char *const *keys,
                       const char *file, const char *owner, struct diag *d)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *k = config_setting_get_elem(g, i);
		const char *name = config_setting_name(k);
		const char *const *p = keys;
		while (*p != NULL && strcmp(*p, name) != 0)
			p++;
		if (*p != NULL)
			continue;
		char known[160] = "";
		size_t used = 0;
		for (p = keys; *p != NULL && used < sizeof(known); p++)
			used +=
			    (size_t)snprintf(known + used, sizeof(known) - used,
			                     "%s%s", p == keys ? "" : ", ", *p);
		diag_add(
		    d, DIAG_ERROR, file, (int)config_setting_source_line(k),
		    "%s: unknown key \"%s\" (known: %s)", owner, name, known);
	}
}

static int
convo_parse_line(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 0;
}

/* A string member: a copy, or NULL (reported when required). */
static char *
convo_parse_string(const config_setting_t *g, const char *key, bool required,
                   const char *file, const char *owner, int *line,
                   struct diag *d)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	const char *s;

	*line = convo_parse_line(m ? m : g);
	if (m == NULL) {
		if (required)
			diag_add(d, DIAG_ERROR, file, *line, "%s: missing %s",
			         owner, key);
		return NULL;
	}
	s = config_setting_get_string(m);
	if (s == NULL) {
		diag_add(d, DIAG_ERROR, file, *line, "%s: %s must be a string",
		         owner, key);
		return NULL;
	}
	if (s[0] == '\0' || strlen(s) > BT_REPLY_MAX ||
	    utf8_invalid_offset(s, strlen(s)) != strlen(s)) {
		diag_add(d, DIAG_ERROR, file, *line,
		         "%s: %s must be valid UTF-8, not empty, at most %d "
		         "bytes",
		         owner, key, BT_REPLY_MAX);
		return NULL;
	}
	return strdup(s);
}

/* The id member, checked; fallback text when missing or wrong. */
static char *
convo_parse_id(const config_setting_t *g, const char *file, const char *what,
               int index, struct diag *d)
{
	char owner[64], fallback[32];
	int line;

	snprintf(owner, sizeof(owner), "%s %d", what, index + 1);
	char *id = convo_parse_string(g, "id", true, file, owner, &line, d);
	if (id != NULL && !rules_id_ok(id)) {
		diag_add(d, DIAG_ERROR, file, line,
		         "%s: id must be lowercase letters, digits, '-', '_' "
		         "or '.', at most %d long",
		         owner, BT_RULE_ID_MAX);
		free(id);
		id = NULL;
	}
	if (id == NULL) {
		snprintf(fallback, sizeof(fallback), "#%d", index + 1);
		id = strdup(fallback);
	}
	return id;
}

/* A list of strings, or a single string as a list of one. */
static const config_setting_t *
convo_parse_list(const config_setting_t *g, const char *key, size_t max,
                 const char *file, const char *owner, struct diag *d)
{
	const config_setting_t *m = config_setting_get_member(g, key);

	if (m == NULL)
		return NULL;
	if (config_setting_type(m) != CONFIG_TYPE_STRING &&
	    config_setting_type(m) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(m) != CONFIG_TYPE_LIST) {
		diag_add(d, DIAG_ERROR, file, convo_parse_line(m),
		         "%s: %s must be a list of strings, like %s = [ "
		         "\"...\", \"...\" ];",
		         owner, key, key);
		return NULL;
	}
	if (config_setting_length(m) > (int)max) {
		diag_add(d, DIAG_ERROR, file, convo_parse_line(m),
		         "%s: %s has %d entries; the limit is %zu", owner, key,
		         config_setting_length(m), max);
		return NULL;
	}
	return m;
}

/* Entry i of a list that convo_parse_list accepted. */
static const char *
convo_parse_elem(const config_setting_t *l, int i, const char *file,
                 const char *owner, int *line, struct diag *d)
{
	const config_setting_t *e = config_setting_type(l) == CONFIG_TYPE_STRING
	                                ? l
	                                : config_setting_get_elem(l, i);
	const char *s = config_setting_get_string(e);

	*line = convo_parse_line(e);
	if (s == NULL || s[0] == '\0' ||
	    utf8_invalid_offset(s, strlen(s)) != strlen(s)) {
		diag_add(d, DIAG_ERROR, file, *line,
		         "%s: entry %d of %s is not a string of valid UTF-8",
		         owner, i + 1, config_setting_name(l));
		return NULL;
	}
	return s;
}

static int
convo_parse_count(const config_setting_t *l)
{
	return config_setting_type(l) == CONFIG_TYPE_STRING
	           ? 1
	           : config_setting_length(l);
}

static bool
convo_parse_push(struct rule_list *l, size_t max, const char *text, int line)
{
	if (l->items == NULL) {
		l->items = calloc(max ? max : 1, sizeof(*l->items));
		if (l->items == NULL)
			return false;
	}
	if (l->count >= max)
		return false;
	l->items[l->count].text = strdup(text);
	if (l->items[l->count].text == NULL)
		return false;
	l->items[l->count++].line = line;
	return true;
}

/* { on = [ "1", "yeah" ]; next = "step"; } or { ...; reply = "id"; } */
static void
convo_parse_answer(const config_setting_t *g, const char *file,
                   const char *owner, struct convo_answer *a, struct diag *d)
{
	int line;

	a->line = convo_parse_line(g);
	convo_parse_keys_known(g, convo_parse_answer_keys, file, owner, d);
	const config_setting_t *on =
	    convo_parse_list(g, "on", CONVO_TERMS_MAX, file, owner, d);
	if (on == NULL && config_setting_get_member(g, "on") == NULL)
		diag_add(d, DIAG_ERROR, file, a->line,
		         "%s: missing on = [ \"1\", \"word\" ]; (what the "
		         "person texts to choose it)",
		         owner);
	for (int i = 0; on != NULL && i < convo_parse_count(on); i++) {
		const char *s = convo_parse_elem(on, i, file, owner, &line, d);
		char norm[BT_MESSAGE_MAX + 1];
		struct normalise_result nr;
		if (s == NULL)
			continue;
		if (normalise_text(s, strlen(s), NORMALISE_RUNS_TWO, norm,
		                   &nr) != NORMALISE_OK ||
		    nr.len == 0 || nr.len >= CONVO_TERM_MAX) {
			diag_add(
			    d, DIAG_ERROR, file, line,
			    "%s: \"%s\" must have a letter or digit and be "
			    "shorter than %d bytes",
			    owner, s, CONVO_TERM_MAX);
			continue;
		}
		convo_parse_push(&a->on, CONVO_TERMS_MAX, norm, line);
	}
	char *next =
	    convo_parse_string(g, "next", false, file, owner, &line, d);
	char *reply =
	    convo_parse_string(g, "reply", false, file, owner, &line, d);
	if ((next == NULL) == (reply == NULL)) {
		diag_add(d, DIAG_ERROR, file, a->line,
		         "%s: give either next = \"step\"; (another question) "
		         "or reply = \"id\"; (the end: a rule's reply or one "
		         "of the conversation's replies)",
		         owner);
		free(next);
		free(reply);
		return;
	}
	a->to = next != NULL ? CONVO_TO_STEP : CONVO_TO_RULE;
	a->target_name = next != NULL ? next : reply;
	/* What choosing it means, for the outcome figures ("better"). */
	a->outcome =
	    convo_parse_string(g, "outcome", false, file, owner, &line, d);
	if (a->outcome != NULL &&
	    (strlen(a->outcome) >= CONVO_TERM_MAX ||
	     strspn(a->outcome, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
	         strlen(a->outcome))) {
		diag_add(d, DIAG_ERROR, file, line,
		         "%s: outcome \"%s\" must be lower-case letters, "
		         "digits and _, shorter than %d bytes (it names a "
		         "figure in stats and /metrics)",
		         owner, a->outcome, CONVO_TERM_MAX);
		free(a->outcome);
		a->outcome = NULL;
	}
}

static void
convo_parse_step(const config_setting_t *g, const char *file, const char *cid,
                 int index, struct convo_stepdef *st, struct diag *d)
{
	char owner[2 * BT_RULE_ID_MAX + 48];

	st->line = convo_parse_line(g);
	if (!config_setting_is_group(g)) {
		diag_add(d, DIAG_ERROR, file, st->line,
		         "conversation \"%s\": step %d must be a group: { id "
		         "= \"...\"; prompt = \"...\"; ... }",
		         cid, index + 1);
		st->id = strdup("?");
		return;
	}
	st->id = convo_parse_id(g, file, "step", index, d);
	snprintf(owner, sizeof(owner), "conversation \"%s\", step \"%s\"", cid,
	         st->id ? st->id : "?");
	convo_parse_keys_known(g, convo_parse_step_keys, file, owner, d);
	st->prompt = convo_parse_string(g, "prompt", true, file, owner,
	                                &st->prompt_line, d);
	st->reprompt = convo_parse_string(g, "reprompt", true, file, owner,
	                                  &st->reprompt_line, d);
	const config_setting_t *l = config_setting_get_member(g, "answers");
	if (l == NULL || !config_setting_is_list(l) ||
	    config_setting_length(l) == 0) {
		diag_add(d, DIAG_ERROR, file, convo_parse_line(l ? l : g),
		         "%s: answers must be a list of options in "
		         "parentheses: answers = ( { on = [ \"1\" ]; next = "
		         "\"...\"; }, ... );",
		         owner);
		return;
	}
	int n = config_setting_length(l);
	if (n > CONVO_ANSWERS_MAX) {
		diag_add(d, DIAG_ERROR, file, convo_parse_line(l),
		         "%s: %d answers; the limit is %d", owner, n,
		         CONVO_ANSWERS_MAX);
		n = CONVO_ANSWERS_MAX;
	}
	st->answers = calloc((size_t)n, sizeof(*st->answers));
	if (st->answers == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *a = config_setting_get_elem(l, i);
		if (!config_setting_is_group(a)) {
			diag_add(d, DIAG_ERROR, file, convo_parse_line(a),
			         "%s: answer %d must be a group: { on = [ "
			         "\"1\" ]; next = \"...\"; }",
			         owner, i + 1);
			continue;
		}
		convo_parse_answer(a, file, owner, &st->answers[st->nanswers++],
		                   d);
	}
}

/* "what the person sends => name, name": one turn of an example. */
static bool
convo_parse_turn(const char *s, int line, struct convo_turn *t)
{
	const char *arrow = strstr(s, "=>");

	t->line = line;
	if (arrow == NULL)
		return false;
	for (const char *p; (p = strstr(arrow + 2, "=>")) != NULL;)
		arrow = p; /* the last one: a message may hold "=>" */
	size_t tl = (size_t)(arrow - s);
	while (tl > 0 && s[tl - 1] == ' ')
		tl--;
	t->text = strndup(s, tl);
	if (t->text == NULL)
		return false;
	const char *p = arrow + 2;
	while (*p != '\0') {
		p += strspn(p, " ,");
		size_t n = strcspn(p, " ,");
		if (n == 0)
			break;
		if (t->nexpect == CONVO_EXPECT_MAX)
			return false;
		t->expect[t->nexpect] = strndup(p, n);
		if (t->expect[t->nexpect] == NULL)
			return false;
		t->nexpect++;
		p += n;
	}
	return t->nexpect > 0;
}

static void
convo_parse_examples(const config_setting_t *l, const char *file,
                     struct convo *c, struct diag *d)
{
	char owner[BT_RULE_ID_MAX + 32];
	int n = config_setting_length(l);

	snprintf(owner, sizeof(owner), "conversation \"%s\"", c->id);
	if (!config_setting_is_list(l) || n > CONVO_EXAMPLES_MAX) {
		diag_add(d, DIAG_ERROR, file, convo_parse_line(l),
		         "%s: examples must be a list, in parentheses, of at "
		         "most %d examples, each a list of turns: examples = "
		         "( [ \"my back hurts => tip-recovery, ask\", \"2 => "
		         "clear\" ] );",
		         owner, CONVO_EXAMPLES_MAX);
		return;
	}
	c->examples = calloc(n ? (size_t)n : 1, sizeof(*c->examples));
	if (c->examples == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);
		struct convo_example *ex = &c->examples[c->nexamples++];
		ex->line = convo_parse_line(e);
		if (!(config_setting_is_array(e) ||
		      config_setting_is_list(e)) ||
		    config_setting_length(e) == 0 ||
		    config_setting_length(e) > CONVO_TURNS_MAX) {
			diag_add(d, DIAG_ERROR, file, ex->line,
			         "%s: example %d must be a list of 1 to %d "
			         "turns: [ \"text => what follows\", ... ]",
			         owner, i + 1, CONVO_TURNS_MAX);
			continue;
		}
		int nt = config_setting_length(e);
		ex->turns = calloc((size_t)nt, sizeof(*ex->turns));
		if (ex->turns == NULL)
			return;
		for (int j = 0; j < nt; j++) {
			int line;
			const char *s =
			    convo_parse_elem(e, j, file, owner, &line, d);
			struct convo_turn *t = &ex->turns[ex->nturns++];
			if (s != NULL && !convo_parse_turn(s, line, t))
				diag_add(d, DIAG_ERROR, file, line,
				         "%s: example turn \"%s\" must read "
				         "\"what the person sends => what "
				         "follows\", with 1 to %d names after "
				         "=>",
				         owner, s, CONVO_EXPECT_MAX);
		}
	}
}

/* replies = { clear = "..."; }; */
static void
convo_parse_replies(const config_setting_t *g, const char *file,
                    struct convo *c, struct diag *d)
{
	char owner[BT_RULE_ID_MAX + 32];
	int n = config_setting_length(g);

	snprintf(owner, sizeof(owner), "conversation \"%s\"", c->id);
	if (!config_setting_is_group(g) || n > CONVO_ANSWERS_MAX) {
		diag_add(d, DIAG_ERROR, file, convo_parse_line(g),
		         "%s: replies must be a group of at most %d replies: "
		         "replies = { clear = \"...\"; };",
		         owner, CONVO_ANSWERS_MAX);
		return;
	}
	c->replies = calloc(n ? (size_t)n : 1, sizeof(*c->replies));
	if (c->replies == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *r = config_setting_get_elem(g, i);
		const char *s = config_setting_get_string(r);
		int line = convo_parse_line(r);
		if (s == NULL || s[0] == '\0' || strlen(s) > BT_REPLY_MAX ||
		    utf8_invalid_offset(s, strlen(s)) != strlen(s)) {
			diag_add(d, DIAG_ERROR, file, line,
			         "%s: reply %s must be a string of valid "
			         "UTF-8, not empty, at most %d bytes",
			         owner, config_setting_name(r), BT_REPLY_MAX);
			continue;
		}
		struct convo_reply *cr = &c->replies[c->nreplies++];
		cr->id = strdup(config_setting_name(r));
		cr->text = strdup(s);
		cr->line = line;
	}
}

static void
convo_parse_one(struct convo_set *cs, const config_setting_t *g,
                const char *file, int index, struct diag *d)
{
	char owner[BT_RULE_ID_MAX + 32];
	int line;

	if (!config_setting_is_group(g)) {
		diag_add(d, DIAG_ERROR, file, convo_parse_line(g),
		         "entry %d of conversations is not a conversation; "
		         "each is a group in braces: { id = \"...\"; steps = "
		         "( ... ); }",
		         index + 1);
		return;
	}
	if (cs->n >= CONVO_MAX) {
		diag_add(d, DIAG_ERROR, file, convo_parse_line(g),
		         "more than %d conversations", CONVO_MAX);
		return;
	}
	struct convo *c = &cs->convos[cs->n++];
	c->line = convo_parse_line(g);
	c->file = strdup(file);
	c->id = convo_parse_id(g, file, "conversation", index, d);
	snprintf(owner, sizeof(owner), "conversation \"%s\"",
	         c->id ? c->id : "?");
	convo_parse_keys_known(g, convo_parse_keys, file, owner, d);

	const config_setting_t *after =
	    convo_parse_list(g, "after", CONVO_AFTER_MAX, file, owner, d);
	if (after == NULL && config_setting_get_member(g, "after") == NULL)
		diag_add(d, DIAG_ERROR, file, c->line,
		         "%s: missing after = [ \"rule-id\", \"category\" ]; "
		         "(the replies it follows)",
		         owner);
	for (int i = 0; after != NULL && i < convo_parse_count(after); i++) {
		const char *s =
		    convo_parse_elem(after, i, file, owner, &line, d);
		if (s != NULL)
			convo_parse_push(&c->after, CONVO_AFTER_MAX, s, line);
	}

	const config_setting_t *m = config_setting_get_member(g, "delay_days");
	if (m != NULL) {
		int v = config_setting_type(m) == CONFIG_TYPE_INT
		            ? config_setting_get_int(m)
		            : -1;
		if (v < 1 || v > CONVO_DELAY_DAYS_MAX)
			diag_add(d, DIAG_ERROR, file, convo_parse_line(m),
			         "%s: delay_days must be a whole number of "
			         "days from 1 to %d",
			         owner, CONVO_DELAY_DAYS_MAX);
		else
			c->delay_s = (int64_t)v * 86400;
	}
	c->give_up = convo_parse_string(g, "give_up", false, file, owner,
	                                &c->give_up_line, d);

	const config_setting_t *l = config_setting_get_member(g, "steps");
	if (l == NULL || !config_setting_is_list(l) ||
	    config_setting_length(l) == 0 ||
	    config_setting_length(l) > CONVO_STEPS_MAX) {
		diag_add(d, DIAG_ERROR, file, convo_parse_line(l ? l : g),
		         "%s: steps must be a list of 1 to %d steps in "
		         "parentheses: steps = ( { id = \"ask\"; ... } );",
		         owner, CONVO_STEPS_MAX);
	} else {
		int n = config_setting_length(l);
		c->steps = calloc((size_t)n, sizeof(*c->steps));
		for (int i = 0; c->steps != NULL && i < n; i++)
			convo_parse_step(config_setting_get_elem(l, i), file,
			                 c->id, i, &c->steps[c->nsteps++], d);
	}
	if ((m = config_setting_get_member(g, "replies")) != NULL)
		convo_parse_replies(m, file, c, d);
	if ((m = config_setting_get_member(g, "examples")) != NULL)
		convo_parse_examples(m, file, c, d);
	if (c->nexamples == 0)
		diag_add(d, DIAG_WARNING, file, c->line,
		         "%s: has no examples; add whole conversations it "
		         "must play out so check can test it",
		         owner);
}

void
convo_parse_setting(struct ruleset *rs, const char *file,
                    const config_setting_t *s, struct diag *d)
{
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		diag_add(d, DIAG_ERROR, file, convo_parse_line(s),
		         "conversations must be a list in parentheses: "
		         "conversations = ( { ... }, { ... } );");
		return;
	}
	if (rs->convos == NULL) {
		struct convo_set *cs = calloc(1, sizeof(*cs));
		if (cs == NULL)
			return;
		cs->convos = calloc(CONVO_MAX, sizeof(*cs->convos));
		if (cs->convos == NULL) {
			free(cs);
			return;
		}
		cs->ttl_s = CONVO_TTL_DEFAULT;
		cs->daily_max = CONVO_DAILY_DEFAULT;
		rs->convos = cs;
	}
	for (int i = 0; i < config_setting_length(s); i++)
		convo_parse_one(rs->convos, config_setting_get_elem(s, i), file,
		                i, d);
}

/* ---- resolving names and checking the shape ---- */

static long
convo_parse_rule(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i].id, id) == 0)
			return (long)i;
	return -1;
}

static long
convo_parse_step_index(const struct convo *c, const char *id)
{
	for (size_t i = 0; i < c->nsteps; i++)
		if (c->steps[i].id != NULL && strcmp(c->steps[i].id, id) == 0)
			return (long)i;
	return -1;
}

static long
convo_parse_reply_index(const struct convo *c, const char *id)
{
	for (size_t i = 0; i < c->nreplies; i++)
		if (strcmp(c->replies[i].id, id) == 0)
			return (long)i;
	return -1;
}

static void
convo_parse_after(struct ruleset *rs, struct convo *c, struct diag *d)
{
	c->after_rules = calloc(c->after.count ? c->after.count : 1,
	                        sizeof(*c->after_rules));
	if (c->after_rules == NULL)
		return;
	for (size_t i = 0; i < c->after.count; i++) {
		const struct rule_text *t = &c->after.items[i];
		enum category cat;
		long r;
		if (category_parse_rule(t->text, &cat)) {
			if (category_is_red_flag(cat))
				diag_add(d, DIAG_ERROR, c->file, t->line,
				         "conversation \"%s\": after \"%s\": a "
				         "red flag never starts a conversation",
				         c->id, t->text);
			else
				c->after_categories |= 1u << cat;
		} else if ((r = convo_parse_rule(rs, t->text)) >= 0) {
			if (category_is_red_flag(rs->rules[r].category))
				diag_add(d, DIAG_ERROR, c->file, t->line,
				         "conversation \"%s\": after \"%s\": a "
				         "red flag never starts a conversation",
				         c->id, t->text);
			else
				c->after_rules[c->nafter_rules++] = (uint32_t)r;
		} else {
			diag_add(d, DIAG_ERROR, c->file, t->line,
			         "conversation \"%s\": after \"%s\" is no "
			         "rule id nor category (referral, tip, info)",
			         c->id, t->text);
		}
	}
}

/* A text we send: GSM-7 and at most two SMS parts, or an error. */
static void
convo_parse_sms(const struct convo *c, const char *what, const char *text,
                int line, struct diag *d)
{
	struct gsm7_info info;

	if (text == NULL || gsm7_measure(text, strlen(text), &info) != 0)
		return;
	if (info.encoding != GSM7_ENCODING_GSM7)
		diag_add(d, DIAG_ERROR, c->file, line,
		         "conversation \"%s\": %s has U+%04X, which is not in "
		         "GSM-7 (it would go as UCS-2, 70 characters a part); "
		         "use plain ASCII",
		         c->id, what, (unsigned)info.first_non_gsm);
	else if (info.segments > BT_REPLY_SEGMENTS_MAX)
		diag_add(d, DIAG_ERROR, c->file, line,
		         "conversation \"%s\": %s needs %zu SMS parts; the "
		         "limit is %d (306 GSM-7 characters)",
		         c->id, what, info.segments, BT_REPLY_SEGMENTS_MAX);
}

/* Options of one step: where they lead, and words that are a carrier's
 * keyword or choose two options. */
static void
convo_parse_answers(struct ruleset *rs, struct convo *c,
                    struct convo_stepdef *st, struct diag *d)
{
	for (size_t i = 0; i < st->nanswers; i++) {
		struct convo_answer *a = &st->answers[i];
		long t;
		for (size_t j = 0; j < a->on.count; j++) {
			const struct rule_text *w = &a->on.items[j];
			enum category cat;
			if (compliance_keyword(w->text, &cat))
				diag_add(d, DIAG_ERROR, c->file, w->line,
				         "conversation \"%s\", step \"%s\": "
				         "\"%s\" is the carriers' %s keyword; "
				         "use a digit or a letter",
				         c->id, st->id, w->text,
				         category_name(cat));
			for (size_t k = 0; k <= i; k++) {
				const struct convo_answer *b = &st->answers[k];
				size_t end = k == i ? j : b->on.count;
				for (size_t m = 0; m < end; m++)
					if (strcmp(b->on.items[m].text,
					           w->text) == 0)
						diag_add(
						    d, DIAG_ERROR, c->file,
						    w->line,
						    "conversation \"%s\", step "
						    "\"%s\": \"%s\" already "
						    "chooses answer %zu (line "
						    "%d)",
						    c->id, st->id, w->text,
						    k + 1, b->on.items[m].line);
			}
		}
		if (a->target_name == NULL)
			continue;
		if (a->to == CONVO_TO_STEP) {
			t = convo_parse_step_index(c, a->target_name);
			if (t < 0)
				diag_add(d, DIAG_ERROR, c->file, a->line,
				         "conversation \"%s\", step \"%s\": "
				         "next \"%s\" is no step of this "
				         "conversation",
				         c->id, st->id, a->target_name);
			else
				a->target = (uint32_t)t;
		} else if ((t = convo_parse_reply_index(c, a->target_name)) >=
		           0) {
			a->to = CONVO_TO_REPLY;
			a->target = (uint32_t)t;
		} else if ((t = convo_parse_rule(rs, a->target_name)) >= 0) {
			a->target = (uint32_t)t;
		} else {
			diag_add(d, DIAG_ERROR, c->file, a->line,
			         "conversation \"%s\", step \"%s\": reply "
			         "\"%s\" is no reply of this conversation nor "
			         "a rule id",
			         c->id, st->id, a->target_name);
		}
	}
}

/* Every step reachable from the first, and every step with a way to an
 * end (no cycle without an exit). */
static void
convo_parse_graph(const struct convo *c, struct diag *d)
{
	bool seen[CONVO_STEPS_MAX] = { false },
	     ends[CONVO_STEPS_MAX] = { false };
	bool changed = true;

	seen[0] = c->nsteps > 0;
	while (changed) {
		changed = false;
		for (size_t i = 0; i < c->nsteps; i++)
			for (size_t j = 0; j < c->steps[i].nanswers; j++) {
				const struct convo_answer *a =
				    &c->steps[i].answers[j];
				if (a->target_name == NULL)
					continue;
				if (a->to != CONVO_TO_STEP) {
					changed |= !ends[i];
					ends[i] = true;
				} else if (a->target < c->nsteps) {
					if (seen[i] && !seen[a->target])
						changed = seen[a->target] =
						    true;
					if (ends[a->target] && !ends[i])
						changed = ends[i] = true;
				}
			}
	}
	for (size_t i = 0; i < c->nsteps; i++) {
		const struct convo_stepdef *st = &c->steps[i];
		if (st->nanswers == 0)
			continue; /* reported already */
		if (!seen[i])
			diag_add(d, DIAG_ERROR, c->file, st->line,
			         "conversation \"%s\": step \"%s\" is never "
			         "asked: no answer leads to it",
			         c->id, st->id);
		else if (!ends[i])
			diag_add(d, DIAG_ERROR, c->file, st->line,
			         "conversation \"%s\": from step \"%s\" no "
			         "answer ever leads to an end (a cycle without "
			         "an exit); give one answer a reply = \"...\";",
			         c->id, st->id);
	}
}

void
convo_parse_finish(struct ruleset *rs, struct diag *d)
{
	struct convo_set *cs = rs->convos;

	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		struct convo *c = &cs->convos[i];
		for (size_t j = 0; j < i; j++)
			if (strcmp(cs->convos[j].id, c->id) == 0)
				diag_add(d, DIAG_ERROR, c->file, c->line,
				         "duplicate conversation id \"%s\" "
				         "(first defined at %s:%d)",
				         c->id, cs->convos[j].file,
				         cs->convos[j].line);
		convo_parse_after(rs, c, d);
		convo_parse_sms(c, "give_up", c->give_up, c->give_up_line, d);
		for (size_t j = 0; j < c->nreplies; j++) {
			for (size_t k = 0; k < j; k++)
				if (strcmp(c->replies[k].id,
				           c->replies[j].id) == 0)
					diag_add(d, DIAG_ERROR, c->file,
					         c->replies[j].line,
					         "conversation \"%s\": "
					         "duplicate reply \"%s\"",
					         c->id, c->replies[j].id);
			convo_parse_sms(c, "a reply", c->replies[j].text,
			                c->replies[j].line, d);
		}
		for (size_t j = 0; j < c->nsteps; j++) {
			struct convo_stepdef *st = &c->steps[j];
			for (size_t k = 0; k < j; k++)
				if (strcmp(c->steps[k].id, st->id) == 0)
					diag_add(d, DIAG_ERROR, c->file,
					         st->line,
					         "conversation \"%s\": "
					         "duplicate step \"%s\"",
					         c->id, st->id);
			convo_parse_sms(c, "a prompt", st->prompt,
			                st->prompt_line, d);
			convo_parse_sms(c, "a reprompt", st->reprompt,
			                st->reprompt_line, d);
			convo_parse_answers(rs, c, st, d);
		}
		convo_parse_graph(c, d);
	}
}

static void
convo_parse_list_free(struct rule_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].text);
	free(l->items);
}

void
convo_parse_free(struct convo_set *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		struct convo *c = &cs->convos[i];
		free(c->id);
		free(c->file);
		free(c->give_up);
		free(c->after_rules);
		convo_parse_list_free(&c->after);
		for (size_t j = 0; j < c->nsteps; j++) {
			struct convo_stepdef *st = &c->steps[j];
			for (size_t k = 0; k < st->nanswers; k++) {
				convo_parse_list_free(&st->answers[k].on);
				free(st->answers[k].target_name);
				free(st->answers[k].outcome);
			}
			free(st->answers);
			free(st->id);
			free(st->prompt);
			free(st->reprompt);
		}
		free(c->steps);
		for (size_t j = 0; j < c->nreplies; j++) {
			free(c->replies[j].id);
			free(c->replies[j].text);
		}
		free(c->replies);
		for (size_t j = 0; j < c->nexamples; j++) {
			struct convo_example *ex = &c->examples[j];
			for (size_t k = 0; k < ex->nturns; k++) {
				free(ex->turns[k].text);
				for (size_t e = 0; e < ex->turns[k].nexpect;
				     e++)
					free(ex->turns[k].expect[e]);
			}
			free(ex->turns);
		}
		free(c->examples);
	}
	free(cs->convos);
	free(cs);
}
