/* The daemon's side of conversations (engine/convo.h): for one message,
 * the number's state is read from the store, convo_step plays the
 * message, and what it says to send becomes one decision for
 * store_record: the ordinary reply (decided as decide_message decides
 * it), then the conversation's messages, each judged like a reply
 * (decide_convo_message), with the new state and a STOP's cancel of
 * every check-in, all written in the message's transaction. */
#ifndef BACKTALK_CONVOFLOW_H
#define BACKTALK_CONVOFLOW_H

#include <stdbool.h>

#include "convo.h"
#include "daemon.h"
#include "decide.h"

/* What a decision points into; lives as long as the decision. */
struct convoflow {
	const char *more[CONVO_OUT_MAX];
	char state[CONVO_STATE_TEXT_MAX];
	struct store_schedule sched;
	/* What happened to the number's conversations (dec->events). */
	struct store_convo_event events[CONVO_EVENTS_MAX + 1];
	/* The category of the first message sent (its urgency), or of the
	 * message when nothing is sent. */
	enum category first;
};

/* The engine's events (out) as the store records them, into ev (room
 * for CONVO_EVENTS_MAX + 1); held_back: the question convo_step asked was
 * not sent, so a conversation it started did not start, and one that
 * waited ended.  Returns how many. */
size_t convoflow_events(const struct ruleset *rs, const struct convo_out *out,
                        bool held_back, const struct convo_state *next,
                        struct store_convo_event *ev);

/* Counts recorded events in the metrics: each event, and a check-in's
 * end by its answer. */
void convoflow_count(struct metrics *m, const struct store_convo_event *ev,
                     size_t n);

/* The sweep (from the check-in loop, at most every minute, sooner for a
 * short conversations.expiry_s): each conversation whose question waited
 * past its deadline is recorded as expired, counted in the metrics, and
 * its state cleared, unless a message changed it meanwhile.  Cheap: an
 * index holds only the states that may wait. */
void convoflow_sweep(struct daemon *d);

/* Whether conversations are played for messages at all (the
 * configuration turns them on and the rules have some). */
bool convoflow_on(const struct daemon *d);

/* Decides message m from m->from (classified as res, normalised as norm)
 * into dec, with its conversation.  Returns false when the store could
 * not be read (logged). */
bool convoflow_decide(struct daemon *d, const struct decide_env *env,
                      const struct store_staged *m,
                      const struct classify_result *res, const char *norm,
                      struct convoflow *cf, struct store_decision *dec);

#endif
