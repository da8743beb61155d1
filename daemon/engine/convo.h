/* Conversations: short exchanges defined in the rule files (a screening
 * question after a pain report, a check-in a week later), and the pure
 * function that plays one message through them.
 *
 * convo_step takes the state of one number's conversation, the message
 * classified, and the time; it gives the new state and what to send, in
 * order.  It does no I/O and allocates nothing: the caller stores the
 * state (convo_state_format/convo_state_parse) and sends the replies.
 * Precedence, always: a compliance keyword first (a STOP ends every
 * conversation and asks the caller to cancel every pending check-in), then
 * a red flag (it interrupts), then the waiting question's answer, then the
 * ordinary rules. */
#ifndef BACKTALK_CONVO_H
#define BACKTALK_CONVO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "category.h"
#include "classify.h"
#include "rules.h"

#define CONVO_MAX            32 /* conversations in a rule set */
#define CONVO_STEPS_MAX      16 /* steps in a conversation */
#define CONVO_ANSWERS_MAX    8  /* options of a step */
#define CONVO_TERMS_MAX      16 /* words that choose an option */
#define CONVO_TERM_MAX       32 /* bytes in one of them */
#define CONVO_AFTER_MAX      32 /* rules or categories a conversation follows */
#define CONVO_EXAMPLES_MAX   32
#define CONVO_TURNS_MAX      16 /* turns in an example */
#define CONVO_EXPECT_MAX     4  /* messages expected after one turn */
#define CONVO_OUT_MAX        3  /* messages convo_step can ask for */
#define CONVO_EVENTS_MAX     3  /* events convo_step can report */
#define CONVO_TTL_DEFAULT    86400
#define CONVO_DAILY_DEFAULT  4  /* conversation messages a number a day */
#define CONVO_STATE_TEXT_MAX 64 /* convo_state_format, with its NUL */

/* Where an option leads. */
enum convo_to {
	CONVO_TO_STEP,  /* another question */
	CONVO_TO_RULE,  /* the end: a rule's reply (a red flag, a tip...) */
	CONVO_TO_REPLY, /* the end: one of the conversation's own replies */
};

struct convo_answer {
	struct rule_list on; /* normalised whole messages that choose it */
	enum convo_to to;
	uint32_t target; /* step, rule (ruleset.rules) or own reply index */
	char *target_name;
	char *outcome; /* what choosing it means ("better"), or NULL */
	int line;
};

struct convo_stepdef {
	char *id;
	int line;
	char *prompt;
	int prompt_line;
	char *reprompt;
	int reprompt_line;
	struct convo_answer *answers;
	size_t nanswers;
};

/* A reply a conversation ends with, written in the conversation. */
struct convo_reply {
	char *id;
	char *text;
	int line;
};

/* One turn of an example: what the person sends ("" when the
 * conversation is begun by the scheduler, a check-in) and the names of
 * what must be sent back, in order. */
struct convo_turn {
	char *text;
	char *expect[CONVO_EXPECT_MAX];
	size_t nexpect;
	int line;
};

struct convo_example {
	struct convo_turn *turns;
	size_t nturns;
	int line;
};

struct convo {
	char *id;
	char *file;
	int line;
	/* Offered after a message these rules or categories answered. */
	struct rule_list after;
	uint32_t after_categories; /* bit per enum category */
	uint32_t *after_rules;     /* indexes in ruleset.rules */
	size_t nafter_rules;
	/* 0: asked right after the reply; otherwise a check-in, begun by the
	 * caller's scheduler this many seconds after the report. */
	int64_t delay_s;
	char *give_up; /* sent when the second answer fits no option */
	int give_up_line;
	struct convo_stepdef *steps; /* steps[0] is asked first */
	size_t nsteps;
	struct convo_reply *replies;
	size_t nreplies;
	struct convo_example *examples;
	size_t nexamples;
};

struct convo_set {
	struct convo *convos;
	size_t n;
	int64_t ttl_s;      /* a conversation waits this long for an answer */
	unsigned daily_max; /* conversation messages a number a day */
};

/* One number's conversation.  conv 0 is none; otherwise conversation
 * conv - 1 waits at step `step`.  gen counts reports and STOPs: a check-in
 * scheduled under another generation is stale.  day and sent count the
 * conversation messages of one UTC day (the daily bound). */
struct convo_state {
	uint16_t conv;
	uint16_t step;
	uint8_t reprompts;
	uint8_t sent;
	int32_t day;
	int64_t deadline;
	uint32_t gen;
};

enum convo_kind {
	CONVO_OUT_CLASSIFIED, /* the message's ordinary reply (classify's) */
	CONVO_OUT_PROMPT,     /* a step's question */
	CONVO_OUT_REPROMPT,   /* a step's question again, once */
	CONVO_OUT_END,        /* the reply an option ends with */
	CONVO_OUT_GIVE_UP,    /* the polite end after two misses */
};

struct convo_msg {
	enum convo_kind kind;
	const char *text; /* NULL for CLASSIFIED: the caller has it */
	enum category category;
	const char *name; /* step, rule or reply id (for logs, examples) */
	long rule;        /* CONVO_OUT_END to a rule: its index, else -1 */
};

/* What happened to a conversation, for the outcome figures. */
enum convo_event_kind {
	CONVO_EV_STARTED,     /* its first question is asked */
	CONVO_EV_ANSWERED,    /* an answer led to another question */
	CONVO_EV_FINISHED,    /* an answer led to the reply that ends it */
	CONVO_EV_EXPIRED,     /* its deadline passed with a question waiting */
	CONVO_EV_GAVE_UP,     /* the re-prompt was used, then another miss */
	CONVO_EV_INTERRUPTED, /* a red flag or a STOP ended it */
};

struct convo_event {
	enum convo_event_kind kind;
	uint16_t conv;      /* the conversation's index + 1 */
	bool checkin;       /* begun by the scheduler (delay_s > 0) */
	const char *step;   /* the step asked, or that was waiting */
	const char *answer; /* ANSWERED, FINISHED: the option's outcome, else
	                       where it leads; INTERRUPTED: "stop" or
	                       "red_flag"; NULL otherwise */
};

struct convo_out {
	struct convo_msg msgs[CONVO_OUT_MAX];
	size_t n;
	struct convo_event events[CONVO_EVENTS_MAX];
	size_t nevents;
	/* A STOP: cancel every pending check-in of the number. */
	bool cancel_checkins;
	/* A check-in to schedule: conversation checkin - 1, at checkin_at,
	 * under generation checkin_gen (0: none).  A newer one replaces it. */
	uint16_t checkin;
	int64_t checkin_at;
	uint32_t checkin_gen;
	bool ended; /* a conversation that was waiting is over */
};

/* What convo_step needs of a message: its classification (category, rule,
 * via), its normalised text (classify_result.norm), the text as sent
 * (NULL when unknown), which alone keeps a final question mark, and
 * whether the number is known not to be opted out (subscribed; false when
 * unknown): a bare YES from such a number, while a question waits, opts
 * nothing in and answers nothing (YES is a carrier keyword, never an
 * option): it is a miss, re-prompted once. */
struct convo_msg_in {
	enum category category;
	long rule;
	enum classify_via via;
	const char *norm;
	const char *text;
	bool subscribed;
};

/* The input convo_step needs, from a classification and the text as sent
 * (NULL when unknown).  Valid while res->norm is (classify.h). */
struct convo_msg_in convo_msg_from(const struct classify_result *res,
                                   const char *text);

/* The name of an event kind ("started", "gave_up", ...). */
const char *convo_event_name(enum convo_event_kind kind);

/* Whether a state waits for an answer at time now. */
bool convo_active(const struct convo_state *st, int64_t now);

/* Plays one message.  out_st may be st. */
void convo_step(const struct ruleset *rs, const struct convo_state *st,
                const struct convo_msg_in *msg, int64_t now,
                struct convo_state *out_st, struct convo_out *out);

/* Begins conversation conv (a check-in) scheduled under generation gen.
 * Returns 0 and asks its first question; -1 when it is stale (a STOP or a
 * newer report since), another conversation is waiting, or the daily
 * bound is reached: then nothing is sent and *out_st is *st. */
int convo_begin(const struct ruleset *rs, const struct convo_state *st,
                uint16_t conv, uint32_t gen, int64_t now,
                struct convo_state *out_st, struct convo_out *out);

/* The sweep: a conversation whose question waited past its deadline (or
 * that the rules no longer have) is over.  Returns 0 with *out_st without
 * it and its CONVO_EV_EXPIRED event in out (none for one the rules no
 * longer have); -1 when st has none waiting or it is still active (then
 * *out_st is *st).  Nothing is sent. */
int convo_expire(const struct ruleset *rs, const struct convo_state *st,
                 int64_t now, struct convo_state *out_st,
                 struct convo_out *out);

/* "c1 s0 r0 n1 d20430 t1765000000 g3" into buf (CONVO_STATE_TEXT_MAX). */
void convo_state_format(const struct convo_state *st, char *buf, size_t len);
/* The reverse.  Returns 0, or -1 on anything malformed (*st zeroed). */
int convo_state_parse(const char *text, struct convo_state *st);

/* The index of the conversation named id, or -1. */
long convo_find(const struct convo_set *cs, const char *id);

#endif
