/* Deciding: what the daemon does with one inbound message once it is
 * classified (reply, or stay silent and why).  Shared by the poller and
 * `backtalk chat`, so that trying rules decides exactly as the daemon
 * does.  No I/O: the opt-out state comes through a callback and the time
 * from the caller. */
#ifndef BACKTALK_DECIDE_H
#define BACKTALK_DECIDE_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "config.h"
#include "guard.h"
#include "rules.h"
#include "store.h"

struct decide_env {
	const struct config *cfg;
	const struct ruleset *rs;
	struct guard *guard; /* counts the replies it allows */
	/* Whether a number is opted out: 1, 0, or -1 when unknown. */
	int (*opted_out)(void *arg, const char *number);
	void *arg;
	/* Seconds the gateway's clock is ahead of ours (negative: behind),
	 * 0 when unknown.  A message's age is judged on the gateway's clock,
	 * which dated it, not on a host clock that may be wrong. */
	int64_t gateway_offset;
};

/* Classifies body and normalises it into norm (BT_MESSAGE_MAX + 1
 * bytes) as the guard wants it.  Returns 0, or -1 when body is not valid
 * UTF-8: then ret is the fallback menu (the daemon answers with it rather
 * than lose the message), ret->bad_offset says where, and norm is empty. */
int decide_classify(struct classify *c, const struct ruleset *rs,
                    const char *body, size_t len, struct classify_result *ret,
                    char *norm, struct classify_explain *ex);

/* Decides one classified message from `from`, sent at sent_at (0 when
 * unknown), at wall-clock time now.  Fills dec, whose strings point into
 * the config, the rules and static text. */
void decide_message(const struct decide_env *env, const char *from,
                    int64_t sent_at, int64_t now,
                    const struct classify_result *res, const char *norm,
                    struct store_decision *dec);

/* A conversation's message to `from` (a question, the reply an answer
 * ends with) after a message sent at sent_at, judged as a reply is: not
 * to an opted-out number, not after a message too old, and counted by the
 * guard (red: a red flag's, with its ceiling).  NULL when it may go, else
 * why not (static text). */
const char *decide_convo_message(const struct decide_env *env, const char *from,
                                 int64_t sent_at, int64_t now, const char *norm,
                                 const char *text, bool red);

#endif
