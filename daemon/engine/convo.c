/* The conversation engine: one message, or one scheduled check-in, played
 * through a number's conversation state.  Pure: no I/O, no allocation, no
 * clock; the caller stores the state and sends what it is told to. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convo.h"

bool
convo_active(const struct convo_state *st, int64_t now)
{
	return st->conv != 0 && now <= st->deadline;
}

struct convo_msg_in
convo_msg_from(const struct classify_result *res, const char *text)
{
	return (struct convo_msg_in){
		.category = res->category,
		.rule = res->rule,
		.via = res->via,
		.norm = res->norm,
		.text = text,
	};
}

const char *
convo_event_name(enum convo_event_kind kind)
{
	switch (kind) {
	case CONVO_EV_STARTED:
		return "started";
	case CONVO_EV_ANSWERED:
		return "answered";
	case CONVO_EV_FINISHED:
		return "finished";
	case CONVO_EV_EXPIRED:
		return "expired";
	case CONVO_EV_GAVE_UP:
		return "gave_up";
	case CONVO_EV_INTERRUPTED:
		return "interrupted";
	}
	return "?";
}

/* Reports what happened to conversation conv (an index + 1) waiting at
 * (or asking) step `step`. */
static void
convo_event(const struct convo_set *cs, struct convo_out *out,
            enum convo_event_kind kind, uint16_t conv, uint16_t step,
            const char *answer)
{
	const struct convo *c;

	if (out->nevents >= CONVO_EVENTS_MAX || cs == NULL || conv == 0 ||
	    conv > cs->n)
		return;
	c = &cs->convos[conv - 1];
	out->events[out->nevents++] = (struct convo_event){
		.kind = kind,
		.conv = conv,
		.checkin = c->delay_s > 0,
		.step = step < c->nsteps ? c->steps[step].id : NULL,
		.answer = answer,
	};
}

/* What an option means, for the figures: its outcome, else where it
 * leads. */
static const char *
convo_answer_label(const struct convo_answer *a)
{
	return a->outcome != NULL ? a->outcome : a->target_name;
}

long
convo_find(const struct convo_set *cs, const char *id)
{
	for (size_t i = 0; cs != NULL && i < cs->n; i++)
		if (strcmp(cs->convos[i].id, id) == 0)
			return (long)i;
	return -1;
}

static void
convo_push(struct convo_out *out, enum convo_kind kind, const char *text,
           enum category cat, const char *name, long rule)
{
	if (out->n >= CONVO_OUT_MAX)
		return;
	out->msgs[out->n++] = (struct convo_msg){
		.kind = kind,
		.text = text,
		.category = cat,
		.name = name,
		.rule = rule,
	};
}

static void
convo_push_classified(struct convo_out *out, const struct convo_msg_in *msg,
                      const struct ruleset *rs)
{
	convo_push(out, CONVO_OUT_CLASSIFIED, NULL, msg->category,
	           msg->rule >= 0 && (size_t)msg->rule < rs->nrules
	               ? rs->rules[msg->rule].id
	               : category_name(msg->category),
	           msg->rule);
}

/* Whether one more conversation message fits today's bound; rolls the
 * count over at a new UTC day. */
static bool
convo_room(const struct convo_set *cs, struct convo_state *st, int64_t now)
{
	int32_t day = (int32_t)(now >= 0 ? now / 86400 : (now - 86399) / 86400);

	if (st->day != day) {
		st->day = day;
		st->sent = 0;
	}
	return st->sent < cs->daily_max;
}

/* Asks step `step` of conversation `conv` (an index) and waits for its
 * answer. */
static void
convo_ask(const struct convo_set *cs, size_t conv, size_t step,
          enum convo_kind kind, int64_t now, struct convo_state *st,
          struct convo_out *out)
{
	const struct convo_stepdef *sd = &cs->convos[conv].steps[step];

	convo_push(out, kind,
	           kind == CONVO_OUT_REPROMPT ? sd->reprompt : sd->prompt,
	           CATEGORY_INFO, sd->id, -1);
	st->conv = (uint16_t)(conv + 1);
	st->step = (uint16_t)step;
	if (kind == CONVO_OUT_PROMPT)
		st->reprompts = 0;
	st->deadline = now + cs->ttl_s;
	if (st->sent < UINT8_MAX)
		st->sent++;
}

static void
convo_end(struct convo_state *st, struct convo_out *out)
{
	st->conv = 0;
	st->step = 0;
	st->reprompts = 0;
	st->deadline = 0;
	out->ended = true;
}

/* A message that asks something ("how do I...", "my back hurts, is it
 * ok to lift?") asks for its answer, not a screening question: a question
 * mark, or a question word starting the message or one of its clauses. */
static bool
convo_is_question(const char *norm)
{
	static const char *const words[] = {
		"how",  "why",  "what",  "when",   "where", "which",
		"who",  "can",  "could", "should", "would", "is",
		"are",  "does", "do",    "did",    "will",  "whats",
		"hows", "whys", "any",   "am",     "shall", NULL,
	};

	if (strchr(norm, '?') != NULL)
		return true;
	for (const char *p = norm; *p != '\0';) {
		size_t n = strcspn(p, " ,.;:!");
		bool starts = p == norm || strchr(",.;:!", p[-1]) != NULL ||
		              (p - norm >= 2 && p[-1] == ' ' &&
		               strchr(",.;:!", p[-2]) != NULL);
		for (const char *const *w = words; starts && *w != NULL; w++)
			if (strlen(*w) == n && memcmp(*w, p, n) == 0)
				return true;
		p += n;
		p += strspn(p, " ,.;:!");
	}
	return false;
}

static bool
convo_follows(const struct convo *c, const struct convo_msg_in *msg)
{
	if (msg->category < CATEGORY__COUNT &&
	    (c->after_categories & (1u << msg->category)) != 0)
		return true;
	for (size_t i = 0; i < c->nafter_rules; i++)
		if ((long)c->after_rules[i] == msg->rule)
			return true;
	return false;
}

/* After a message's ordinary reply: the conversations it starts (asked
 * now) and the check-in it schedules.  A message starts them when it is a
 * report (chosen by its words, not a keyword such as FORM, and no
 * question) and one of the rules or categories they follow answered it. */
static void
convo_offer(const struct convo_set *cs, const struct convo_msg_in *msg,
            int64_t now, struct convo_state *st, struct convo_out *out)
{
	bool asked = false;

	if (msg->via != CLASSIFY_VIA_PATTERN &&
	    msg->via != CLASSIFY_VIA_CONCEPTS)
		return;
	if (msg->norm == NULL || convo_is_question(msg->norm) ||
	    (msg->text != NULL && strchr(msg->text, '?') != NULL))
		return;
	for (size_t i = 0; i < cs->n; i++) {
		const struct convo *c = &cs->convos[i];
		if (c->nsteps == 0 || !convo_follows(c, msg))
			continue;
		if (c->delay_s > 0) {
			if (out->checkin != 0)
				continue;
			st->gen++;
			out->checkin = (uint16_t)(i + 1);
			out->checkin_at = now + c->delay_s;
			out->checkin_gen = st->gen;
		} else if (!asked && convo_room(cs, st, now)) {
			convo_ask(cs, i, 0, CONVO_OUT_PROMPT, now, st, out);
			convo_event(cs, out, CONVO_EV_STARTED, st->conv, 0,
			            NULL);
			asked = true;
		}
	}
}

/* The waiting step's option that the whole message names, or NULL. */
static const struct convo_answer *
convo_choice(const struct convo_stepdef *sd, const char *norm)
{
	for (size_t i = 0; norm != NULL && i < sd->nanswers; i++)
		for (size_t j = 0; j < sd->answers[i].on.count; j++)
			if (strcmp(sd->answers[i].on.items[j].text, norm) == 0)
				return &sd->answers[i];
	return NULL;
}

/* The reply an option ends with. */
static void
convo_finish(const struct ruleset *rs, const struct convo *c,
             const struct convo_answer *a, struct convo_state *st,
             struct convo_out *out)
{
	if (a->to == CONVO_TO_RULE && a->target < rs->nrules) {
		const struct rule *r = &rs->rules[a->target];
		convo_push(out, CONVO_OUT_END, r->reply, r->category, r->id,
		           (long)a->target);
	} else if (a->to == CONVO_TO_REPLY && a->target < c->nreplies) {
		const struct convo_reply *cr = &c->replies[a->target];
		convo_push(out, CONVO_OUT_END, cr->text, CATEGORY_TIP, cr->id,
		           -1);
	}
	convo_end(st, out);
}

/* A conversation that expired, or that rules that changed no longer
 * have: over, reported as expired when the rules still have it. */
static void
convo_lapse(const struct convo_set *cs, struct convo_state *st,
            struct convo_out *out)
{
	if (cs != NULL && st->conv <= cs->n)
		convo_event(cs, out, CONVO_EV_EXPIRED, st->conv, st->step,
		            NULL);
	st->conv = 0;
	st->step = 0;
	st->reprompts = 0;
	st->deadline = 0;
}

int
convo_expire(const struct ruleset *rs, const struct convo_state *in,
             int64_t now, struct convo_state *out_st, struct convo_out *out)
{
	const struct convo_set *cs = rs->convos;
	struct convo_state st = *in;

	memset(out, 0, sizeof(*out));
	*out_st = *in;
	if (in->conv == 0 ||
	    (convo_active(in, now) && cs != NULL && in->conv <= cs->n &&
	     in->step < cs->convos[in->conv - 1].nsteps))
		return -1;
	convo_lapse(cs, &st, out);
	*out_st = st;
	return 0;
}

void
convo_step(const struct ruleset *rs, const struct convo_state *in,
           const struct convo_msg_in *msg, int64_t now,
           struct convo_state *out_st, struct convo_out *out)
{
	const struct convo_set *cs = rs->convos;
	struct convo_state st = *in;
	bool active = cs != NULL && convo_active(&st, now) &&
	              st.conv <= cs->n &&
	              st.step < cs->convos[st.conv - 1].nsteps;

	memset(out, 0, sizeof(*out));
	if (!active && st.conv != 0)
		convo_lapse(cs, &st, out);
	if (msg->category == CATEGORY_STOP) {
		if (active) {
			convo_event(cs, out, CONVO_EV_INTERRUPTED, st.conv,
			            st.step, "stop");
			convo_end(&st, out);
		}
		st.gen++; /* every scheduled check-in is stale */
		out->cancel_checkins = true;
		convo_push_classified(out, msg, rs);
		goto done;
	}
	/* A bare YES, while a question waits, from a number that is not
	 * opted out (so not an opt-in): "yes" to a question answered with
	 * digits.  It answers no option (none is a carrier keyword): the
	 * question is asked again, once. */
	bool yes = active && msg->category == CATEGORY_START &&
	           msg->subscribed &&
	           msg->via == CLASSIFY_VIA_COMPLIANCE_KEYWORD &&
	           msg->norm != NULL && strncmp(msg->norm, "yes", 3) == 0 &&
	           strspn(msg->norm + 3, ".!") == strlen(msg->norm + 3);
	if (cs == NULL || (msg->category == CATEGORY_START && !yes) ||
	    msg->category == CATEGORY_HELP) {
		/* compliance: answered; a waiting question still waits */
		convo_push_classified(out, msg, rs);
		goto done;
	}
	if (category_is_red_flag(msg->category)) {
		if (active) {
			convo_event(cs, out, CONVO_EV_INTERRUPTED, st.conv,
			            st.step, "red_flag");
			convo_end(&st, out);
		}
		convo_push_classified(out, msg, rs);
		goto done;
	}
	if (active) {
		const struct convo *c = &cs->convos[st.conv - 1];
		const struct convo_answer *a =
		    convo_choice(&c->steps[st.step], msg->norm);
		if (a != NULL && a->to == CONVO_TO_STEP &&
		    a->target < c->nsteps) {
			convo_event(cs, out, CONVO_EV_ANSWERED, st.conv,
			            st.step, convo_answer_label(a));
			convo_room(cs, &st, now); /* rolls the day over */
			convo_ask(cs, st.conv - 1, a->target, CONVO_OUT_PROMPT,
			          now, &st, out);
			goto done;
		}
		if (a != NULL) {
			convo_event(cs, out, CONVO_EV_FINISHED, st.conv,
			            st.step, convo_answer_label(a));
			convo_finish(rs, c, a, &st, out);
			goto done;
		}
		if (st.reprompts == 0) {
			st.reprompts = 1;
			convo_room(cs, &st, now);
			convo_ask(cs, st.conv - 1, st.step, CONVO_OUT_REPROMPT,
			          now, &st, out);
			goto done;
		}
		/* a second miss: end politely, and the message is new */
		convo_event(cs, out, CONVO_EV_GAVE_UP, st.conv, st.step, NULL);
		if (c->give_up != NULL)
			convo_push(out, CONVO_OUT_GIVE_UP, c->give_up,
			           CATEGORY_INFO, "give_up", -1);
		convo_end(&st, out);
	}
	convo_push_classified(out, msg, rs);
	convo_offer(cs, msg, now, &st, out);
done:
	*out_st = st;
}

int
convo_begin(const struct ruleset *rs, const struct convo_state *in,
            uint16_t conv, uint32_t gen, int64_t now,
            struct convo_state *out_st, struct convo_out *out)
{
	const struct convo_set *cs = rs->convos;
	struct convo_state st = *in;

	memset(out, 0, sizeof(*out));
	*out_st = *in;
	if (cs == NULL || conv == 0 || conv > cs->n ||
	    cs->convos[conv - 1].nsteps == 0 || in->gen != gen ||
	    convo_active(in, now) || !convo_room(cs, &st, now))
		return -1;
	/* One that waited and expired is over: it is replaced. */
	if (st.conv != 0 && st.conv <= cs->n)
		convo_event(cs, out, CONVO_EV_EXPIRED, st.conv, st.step, NULL);
	convo_ask(cs, conv - 1, 0, CONVO_OUT_PROMPT, now, &st, out);
	convo_event(cs, out, CONVO_EV_STARTED, conv, 0, NULL);
	*out_st = st;
	return 0;
}

void
convo_state_format(const struct convo_state *st, char *buf, size_t len)
{
	snprintf(
	    buf, len, "c%u s%u r%u n%u d%" PRId32 " t%" PRId64 " g%" PRIu32,
	    (unsigned)st->conv, (unsigned)st->step, (unsigned)st->reprompts,
	    (unsigned)st->sent, st->day, st->deadline, st->gen);
}

/* One "<letter><number>" field and the space after it. */
static bool
convo_state_field(const char **p, char letter, long long min, long long max,
                  long long *ret)
{
	char *end;

	if (**p != letter || (*p)[1] == ' ' || (*p)[1] == '+' ||
	    (*p)[1] == '\0')
		return false;
	errno = 0;
	*ret = strtoll(*p + 1, &end, 10);
	if (errno != 0 || end == *p + 1 || *ret < min || *ret > max)
		return false;
	if (*end == ' ')
		end++;
	else if (*end != '\0')
		return false;
	*p = end;
	return true;
}

int
convo_state_parse(const char *text, struct convo_state *st)
{
	const char *p = text;
	long long c, s, r, n, d, t, g;

	memset(st, 0, sizeof(*st));
	if (!convo_state_field(&p, 'c', 0, UINT16_MAX, &c) ||
	    !convo_state_field(&p, 's', 0, UINT16_MAX, &s) ||
	    !convo_state_field(&p, 'r', 0, UINT8_MAX, &r) ||
	    !convo_state_field(&p, 'n', 0, UINT8_MAX, &n) ||
	    !convo_state_field(&p, 'd', INT32_MIN, INT32_MAX, &d) ||
	    !convo_state_field(&p, 't', INT64_MIN, INT64_MAX, &t) ||
	    !convo_state_field(&p, 'g', 0, UINT32_MAX, &g) || *p != '\0' ||
	    p[-1] == ' ')
		return -1;
	*st = (struct convo_state){
		.conv = (uint16_t)c,
		.step = (uint16_t)s,
		.reprompts = (uint8_t)r,
		.sent = (uint8_t)n,
		.day = (int32_t)d,
		.deadline = t,
		.gen = (uint32_t)g,
	};
	return 0;
}
