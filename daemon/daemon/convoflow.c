/* The daemon's side of conversations (convoflow.h).  Precedence is the
 * engine's (a STOP, then a red flag, then the answer, then the ordinary
 * rules); the daemon adds what a reply has: a conversation message goes
 * only to a number that is not opted out and that the guard does not hold
 * back, counted by the guard like a reply, and only after the ordinary
 * reply went (a number whose reply was held back is asked nothing, and
 * then no question waits for it). */
#include <string.h>

#include "convoflow.h"
#include "log.h"
#include "metrics.h"

size_t
convoflow_events(const struct ruleset *rs, const struct convo_out *out,
                 bool held_back, const struct convo_state *next,
                 struct store_convo_event *ev)
{
	const struct convo_set *cs = rs->convos;
	bool started = false;
	size_t n = 0;

	for (size_t i = 0; cs != NULL && i < out->nevents; i++) {
		const struct convo_event *e = &out->events[i];

		if (e->kind == CONVO_EV_STARTED && held_back) {
			started = true;
			continue;
		}
		ev[n++] = (struct store_convo_event){
			.convo = cs->convos[e->conv - 1].id,
			.checkin = e->checkin,
			.event = convo_event_name(e->kind),
			.step = e->step,
			.answer = e->answer,
		};
	}
	/* A question that waited, whose next one (or re-prompt) was held
	 * back: that conversation is over. */
	if (held_back && !started && cs != NULL && next->conv != 0 &&
	    next->conv <= cs->n) {
		const struct convo *c = &cs->convos[next->conv - 1];
		ev[n++] = (struct store_convo_event){
			.convo = c->id,
			.checkin = c->delay_s > 0,
			.event = "interrupted",
			.step = next->step < c->nsteps ? c->steps[next->step].id
			                               : NULL,
			.answer = "held_back",
		};
	}
	return n;
}

void
convoflow_count(struct metrics *m, const struct store_convo_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *e = ev[i].event;

		metrics_convo_event(m, ev[i].convo, e);
		if (!ev[i].checkin || strcmp(e, "started") == 0 ||
		    strcmp(e, "answered") == 0)
			continue;
		metrics_checkin_answer(m,
		                       strcmp(e, "expired") == 0   ? "no_answer"
		                       : strcmp(e, "gave_up") == 0 ? "gave_up"
		                       : ev[i].answer != NULL ? ev[i].answer
		                                              : e);
	}
}

#define CONVOFLOW_SWEEP_MAX   64 /* states looked at a sweep */
#define CONVOFLOW_SWEEP_EVERY 60 /* seconds, at most */

struct convoflow_waiting {
	char number[64];
	char state[CONVO_STATE_TEXT_MAX];
};

struct convoflow_found {
	struct convoflow_waiting w[CONVOFLOW_SWEEP_MAX];
	size_t n;
};

static int
convoflow_collect(void *arg, const char *number, const char *state)
{
	struct convoflow_found *f = arg;

	if (f->n < CONVOFLOW_SWEEP_MAX && number != NULL && state != NULL &&
	    strlen(number) < sizeof(f->w[0].number) &&
	    strlen(state) < sizeof(f->w[0].state)) {
		snprintf(f->w[f->n].number, sizeof(f->w[0].number), "%s",
		         number);
		snprintf(f->w[f->n].state, sizeof(f->w[0].state), "%s", state);
		f->n++;
	}
	return 0;
}

void
convoflow_sweep(struct daemon *d)
{
	const struct ruleset *rs = d->conf->rs;
	struct convoflow_found found = { .n = 0 };
	int64_t now = daemon_clock(d);
	double mono = daemon_now(d);
	int64_t ttl;

	if (!convoflow_on(d) || d->store_failing || mono < d->next_sweep)
		return;
	ttl = rs->convos->ttl_s > 0 ? rs->convos->ttl_s : CONVO_TTL_DEFAULT;
	d->next_sweep = mono + (double)(ttl / 2 < CONVOFLOW_SWEEP_EVERY
	                                    ? ttl / 2 + 1
	                                    : CONVOFLOW_SWEEP_EVERY);
	if (store_convo_waiting(d->store, now - ttl, CONVOFLOW_SWEEP_MAX,
	                        convoflow_collect, &found) < 0) {
		log_err("store: cannot read waiting conversations: %s",
		        store_error(d->store));
		return;
	}
	for (size_t i = 0; i < found.n; i++) {
		struct store_convo_event ev[CONVO_EVENTS_MAX + 1];
		char text[CONVO_STATE_TEXT_MAX];
		struct convo_state st, next;
		struct convo_out out;
		size_t nev;
		int rc;

		if (convo_state_parse(found.w[i].state, &st) < 0 ||
		    convo_expire(rs, &st, now, &next, &out) < 0)
			continue;
		convo_state_format(&next, text, sizeof(text));
		nev = convoflow_events(rs, &out, false, &next, ev);
		rc = store_convo_expire(d->store, found.w[i].number,
		                        found.w[i].state, text, ev, nev, now);
		if (rc < 0) {
			log_err("store: cannot expire a conversation: %s",
			        store_error(d->store));
			return;
		}
		if (rc == 1)
			convoflow_count(d->metrics, ev, nev);
	}
}

bool
convoflow_on(const struct daemon *d)
{
	return (d->conf->cfg->conversations.screening ||
	        d->conf->cfg->conversations.checkin) &&
	       d->conf->rs->convos != NULL && d->conf->rs->convos->n > 0;
}

/* The number's state; a missing or unreadable one is no conversation. */
static bool
convoflow_load(struct daemon *d, const char *from, struct convo_state *st,
               char *text, size_t len)
{
	int rc = store_convo_get(d->store, from, text, len);

	memset(st, 0, sizeof(*st));
	if (rc < 0) {
		log_err("store: cannot read a conversation state: %s",
		        store_error(d->store));
		return false;
	}
	if (rc == 0)
		text[0] = '\0';
	else if (convo_state_parse(text, st) < 0)
		log_warning("a conversation state is unreadable; starting "
		            "afresh");
	return true;
}

/* The decision's fields for a message answered by its conversation alone
 * (an answer): its first message's category and rule. */
static void
convoflow_answer(const struct classify_result *res, const struct convo_msg *m,
                 struct store_decision *dec)
{
	memset(dec, 0, sizeof(*dec));
	dec->category = category_name(m != NULL ? m->category : res->category);
	dec->rule = m != NULL && m->kind == CONVO_OUT_END && m->rule >= 0
	                ? m->name
	                : NULL;
	dec->action = STORE_ACTION_NONE;
}

bool
convoflow_decide(struct daemon *d, const struct decide_env *env,
                 const struct store_staged *m,
                 const struct classify_result *res, const char *norm,
                 struct convoflow *cf, struct store_decision *dec)
{
	const char *texts[CONVO_OUT_MAX];
	char was[CONVO_STATE_TEXT_MAX];
	struct convo_state st, next;
	struct convo_out out;
	struct convo_msg_in in;
	const char *note = NULL;
	int64_t now = daemon_clock(d);
	const struct config *cfg = d->conf->cfg;
	bool screening = cfg->conversations.screening;
	bool classified = false, went = true, dropped = false;

	size_t n = 0;

	if (!convoflow_load(d, m->from, &st, was, sizeof(was)))
		return false;
	in = convo_msg_from(res, m->body);
	/* Only a START asks (a bare YES while a question waits). */
	in.subscribed = res->category == CATEGORY_START &&
	                env->opted_out(env->arg, m->from) == 0;
	convo_step(d->conf->rs, &st, &in, now, &next, &out);
	convoflow_answer(res, NULL, dec);
	cf->first = res->category;
	for (size_t i = 0; i < out.n; i++) {
		const struct convo_msg *cm = &out.msgs[i];

		if (cm->kind == CONVO_OUT_CLASSIFIED) {
			struct store_decision ord;

			decide_message(env, m->from, m->sent_at, now, res, norm,
			               &ord);
			went = ord.action == STORE_ACTION_REPLY;
			if (n == 0)
				cf->first = res->category;
			if (went)
				texts[n++] = ord.reply;
			/* The message's own decision is what is recorded. */
			ord.action = STORE_ACTION_NONE;
			ord.reply = NULL;
			*dec = ord;
			note = ord.note;
			classified = true;
			continue;
		}
		bool question = cm->kind == CONVO_OUT_PROMPT ||
		                cm->kind == CONVO_OUT_REPROMPT;
		/* A screening question starts only when they are on. */
		bool off = cm->kind == CONVO_OUT_PROMPT &&
		           next.conv != st.conv && !screening;
		const char *why =
		    off     ? "screening is off"
		    : !went ? "reply held back"
		            : decide_convo_message(
		                  env, m->from, m->sent_at, now, norm, cm->text,
		                  category_is_red_flag(cm->category));
		if (why != NULL) {
			went = false;
			dropped |= question;
			if (n == 0 && note == NULL)
				note = why;
			continue;
		}
		if (n == 0) {
			cf->first = cm->category;
			if (!classified)
				convoflow_answer(res, cm, dec);
		}
		texts[n++] = cm->text;
	}
	dec->events = cf->events;
	dec->nevents =
	    convoflow_events(d->conf->rs, &out, dropped, &next, cf->events);
	/* A question held back is not waiting for an answer. */
	if (dropped) {
		next.conv = 0;
		next.step = 0;
		next.reprompts = 0;
		next.deadline = 0;
	}
	if (n > 0) {
		dec->action = STORE_ACTION_REPLY;
		dec->reply = texts[0];
		for (size_t i = 1; i < n; i++)
			cf->more[i - 1] = texts[i];
		dec->more = cf->more;
		dec->nmore = n - 1;
		dec->note = NULL;
	} else {
		dec->note = note;
	}
	dec->cancel_scheduled = out.cancel_checkins;
	/* A report's check-in, when they are on and its reply went. */
	if (out.checkin != 0 && cfg->conversations.checkin && n > 0 &&
	    out.checkin <= d->conf->rs->convos->n) {
		const struct convo *c =
		    &d->conf->rs->convos->convos[out.checkin - 1];
		int64_t delay =
		    cfg->conversations.checkin_delay_s > 0
		        ? (int64_t)cfg->conversations.checkin_delay_s
		        : c->delay_s;
		cf->sched = (struct store_schedule){
			.convo = c->id,
			.gen = out.checkin_gen,
			.due_at = now + delay,
		};
		dec->schedule = &cf->sched;
	}
	convo_state_format(&next, cf->state, sizeof(cf->state));
	/* Written only when it changed (or is new and not empty). */
	memset(&st, 0, sizeof(st));
	char empty[CONVO_STATE_TEXT_MAX];
	convo_state_format(&st, empty, sizeof(empty));
	if (strcmp(cf->state, was[0] ? was : empty) != 0)
		dec->convo_state = cf->state;
	return true;
}
