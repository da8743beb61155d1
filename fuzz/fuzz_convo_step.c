/* Fuzzes convo_step and convo_begin over the shipped rules and their
 * conversations.  The input is a run of messages, one a line; a line's
 * first byte sets how long after the last it comes (up to two days), and
 * a line "!" begins the scheduled check-in.  The state goes through its
 * text form between messages, as the store will keep it, and the
 * precedence holds at every step: a STOP ends the conversation and cancels
 * the check-ins, a red flag ends it and is answered with its own reply.
 * The rules come from $BACKTALK_FUZZ_RULES, else the repository's
 * rules/. */
#include <string.h>

#include "classify.h"
#include "convo.h"
#include "fuzz.h"
#include "rules.h"

static const struct fuzz_shipped *fuzz_convo_step_set;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_convo_step_set = fuzz_shipped_load("fuzz_convo_step", true);
	return 0;
}

/* The invariants of one step's output. */
static void
fuzz_convo_step_check(const struct classify_result *res,
                      const struct convo_state *in,
                      const struct convo_state *st, const struct convo_out *out,
                      int64_t now)
{
	const struct ruleset *rs = fuzz_convo_step_set->rs;

	FUZZ_CHECK(out->n <= CONVO_OUT_MAX);
	FUZZ_CHECK(st->conv <= rs->convos->n);
	if (st->conv != 0) {
		FUZZ_CHECK(st->step < rs->convos->convos[st->conv - 1].nsteps);
		FUZZ_CHECK(st->deadline > now);
	}
	for (size_t i = 0; i < out->n; i++) {
		const struct convo_msg *m = &out->msgs[i];
		FUZZ_CHECK(m->name != NULL);
		FUZZ_CHECK(m->kind == CONVO_OUT_CLASSIFIED || m->text != NULL);
	}
	if (res->category == CATEGORY_STOP) {
		FUZZ_CHECK(out->cancel_checkins && st->conv == 0);
		FUZZ_CHECK(st->gen == in->gen + 1);
		FUZZ_CHECK(out->n == 1 && out->checkin == 0);
	}
	if (category_is_red_flag(res->category)) {
		FUZZ_CHECK(st->conv == 0 && out->n == 1);
		FUZZ_CHECK(out->msgs[0].kind == CONVO_OUT_CLASSIFIED &&
		           out->msgs[0].rule == res->rule);
		FUZZ_CHECK(out->checkin == 0);
	}
	if (out->n > 0 && out->msgs[out->n - 1].kind == CONVO_OUT_PROMPT)
		FUZZ_CHECK(st->conv != 0 && st->reprompts == 0);
	/* Events: bounded, named, and each matches what was asked for. */
	FUZZ_CHECK(out->nevents <= CONVO_EVENTS_MAX);
	for (size_t i = 0; i < out->nevents; i++) {
		const struct convo_event *e = &out->events[i];
		bool asked = false, ended = false;
		FUZZ_CHECK(e->conv != 0 && e->conv <= rs->convos->n);
		FUZZ_CHECK(e->step != NULL);
		for (size_t j = 0; j < out->n; j++) {
			asked |= out->msgs[j].kind == CONVO_OUT_PROMPT;
			ended |= out->msgs[j].kind == CONVO_OUT_END;
		}
		if (e->kind == CONVO_EV_STARTED || e->kind == CONVO_EV_ANSWERED)
			FUZZ_CHECK(asked && st->conv != 0);
		if (e->kind == CONVO_EV_FINISHED)
			FUZZ_CHECK(ended && e->answer != NULL);
		if (e->kind == CONVO_EV_INTERRUPTED)
			FUZZ_CHECK(e->answer != NULL && st->conv == 0);
		/* a conversation that waited ends at most once */
		if (e->kind != CONVO_EV_STARTED)
			FUZZ_CHECK(e->conv == in->conv);
	}
	if (res->category == CATEGORY_STOP && in->conv != 0 &&
	    in->deadline >= now)
		FUZZ_CHECK(out->nevents == 1 &&
		           out->events[0].kind == CONVO_EV_INTERRUPTED);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ruleset *rs = fuzz_convo_step_set->rs;
	struct convo_state st = { 0 };
	int64_t now = INT64_C(1767268800);
	char text[CONVO_STATE_TEXT_MAX];
	uint16_t checkin = 0;
	uint32_t checkin_gen = 0;
	size_t pos = 0;

	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - data) : size;
		struct convo_state in = st, next;
		struct convo_out out;

		if (end > pos) {
			now += (int64_t)data[pos] * 700; /* up to ~2 days */
			pos++;
		}
		if (end - pos == 1 && data[pos] == '!') {
			if (convo_begin(rs, &in, checkin, checkin_gen, now,
			                &next, &out) == 0) {
				FUZZ_CHECK(out.n == 1 && next.conv == checkin);
				FUZZ_CHECK(out.msgs[0].kind ==
				           CONVO_OUT_PROMPT);
				FUZZ_CHECK(out.nevents >= 1 &&
				           out.events[out.nevents - 1].kind ==
				               CONVO_EV_STARTED);
			} else {
				FUZZ_CHECK(out.n == 0 && out.nevents == 0);
				FUZZ_CHECK(memcmp(&next, &in, sizeof(in)) == 0);
			}
		} else {
			struct classify_result res;
			char *msg =
			    strndup((const char *)data + pos, end - pos);
			if (msg == NULL)
				return 0;
			if (classify_message(fuzz_convo_step_set->c, msg,
			                     strlen(msg), &res, NULL) != 0) {
				free(msg);
				pos = end + 1;
				continue;
			}
			struct convo_msg_in min = convo_msg_from(&res, msg);
			/* the opt-out state, from the time byte's low bit */
			min.subscribed = pos > 0 && (data[pos - 1] & 1) != 0;
			convo_step(rs, &in, &min, now, &next, &out);
			fuzz_convo_step_check(&res, &in, &next, &out, now);
			if (out.checkin != 0) {
				checkin = out.checkin;
				checkin_gen = out.checkin_gen;
			}
			free(msg);
		}
		/* through the store's text form and back */
		convo_state_format(&next, text, sizeof(text));
		FUZZ_CHECK(convo_state_parse(text, &st) == 0);
		FUZZ_CHECK(st.conv == next.conv && st.step == next.step &&
		           st.reprompts == next.reprompts &&
		           st.sent == next.sent && st.day == next.day &&
		           st.deadline == next.deadline && st.gen == next.gen);
		pos = end + 1;
	}
	/* any text: parsing never accepts what it cannot give back */
	char *raw = strndup((const char *)data, size < 80 ? size : 80);
	if (raw != NULL) {
		struct convo_state back;
		if (convo_state_parse(raw, &back) == 0) {
			convo_state_format(&back, text, sizeof(text));
			struct convo_state again;
			FUZZ_CHECK(convo_state_parse(text, &again) == 0);
			FUZZ_CHECK(again.gen == back.gen &&
			           again.deadline == back.deadline);
		}
		free(raw);
	}
	return 0;
}
