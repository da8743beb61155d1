/* Deciding what to do with a classified message: compliance keywords
 * first (answered even to an opted-out number, but a STOP from one already
 * opted out gets nothing), then opt-out, age, auto-responders, echoes of
 * our own replies and the flood guard.  Moved out of poller.c so that
 * `backtalk chat` runs the same code. */
#include <string.h>

#include "compliance.h"
#include "decide.h"
#include "echo.h"

/* The text for a compliance keyword: the config's override, else the
 * rules' reply. */
static const char *
decide_text(const struct decide_env *env, enum category c)
{
	const struct config *cfg = env->cfg;
	const char *over = NULL;

	if (c == CATEGORY_HELP)
		over = cfg->compliance.help_text;
	else if (c == CATEGORY_STOP)
		over = cfg->compliance.stop_text;
	else if (c == CATEGORY_START)
		over = cfg->compliance.start_text;
	return over ? over : rules_builtin_reply(env->rs, c);
}

/* Whether norm is one of our replies coming back (echo.h): the rules'
 * replies, or a compliance text from the configuration. */
static bool
decide_is_echo(const struct decide_env *env, const char *norm)
{
	const struct config *cfg = env->cfg;
	const char *const texts[] = { cfg->compliance.help_text,
		                      cfg->compliance.stop_text,
		                      cfg->compliance.start_text };

	if (echo_match(env->rs->echo, norm, NULL))
		return true;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i] != NULL && echo_match_text(texts[i], norm))
			return true;
	return false;
}

/* Whether the message is a single compliance word as the gateway reads
 * it ("STOP", "Unstop."): one word of letters once case and punctuation
 * are set aside, with no stretched letters. */
static bool
decide_bare_keyword(const struct classify_result *res, const char *norm)
{
	enum category c;

	return res->via == CLASSIFY_VIA_COMPLIANCE_KEYWORD &&
	       strpbrk(norm, " -") == NULL && compliance_keyword(norm, &c);
}

/* STOP, START and HELP.  Answered even to an opted-out number, except a
 * STOP from a number already opted out: it changes nothing, and a peer
 * that answers STOP to everything would otherwise get a confirmation each
 * time.  A START from a number that is not opted out goes through the
 * guard like any reply, and HELP has the red-flag ceiling, so that a peer
 * that answers HELP or START to everything is answered once a window. */
static void
decide_compliance(const struct decide_env *env, const char *from, int64_t now,
                  const struct classify_result *res, const char *norm,
                  struct store_decision *dec)
{
	/* The gateway answers STOP/START/HELP itself (Twilio on long codes
	 * and toll-free numbers), but only a message that is one keyword
	 * alone: record, stay silent.  "stop texting me", "stop please" or
	 * "stoppp" it passes on like any text, acting on none of them, so
	 * they are ours to confirm (with a red flag's advice when one is
	 * named): staying silent there would drop the advice. */
	if (env->cfg->compliance.gateway_handles_keywords &&
	    decide_bare_keyword(res, norm)) {
		dec->note = "gateway answers compliance keywords";
		return;
	}
	int opted = env->opted_out(env->arg, from);
	if (res->category == CATEGORY_STOP && opted > 0) {
		dec->optout_change = 0;
		dec->note = "already opted out";
		return;
	}
	if (res->category == CATEGORY_START && opted == 0)
		dec->optout_change = 0;
	dec->reply = decide_text(env, res->category);
	/* "stop texting me, my leg is numb": the confirmation, the one
	 * message an opted-out number gets, carries the red flag's advice. */
	if (res->category == CATEGORY_STOP && res->alert) {
		const char *alert =
		    rules_stop_reply(env->rs, res->alert_category);
		if (alert != NULL)
			dec->reply = alert;
	}
	if (dec->reply == NULL) {
		dec->note = "no text configured";
		return;
	}
	/* A STOP or START that changes the opt-out is always confirmed.  HELP
	 * has the ceiling of a red flag: once a window, past the flood
	 * limit. */
	bool change = (res->category == CATEGORY_STOP && opted <= 0) ||
	              (res->category == CATEGORY_START && opted != 0);
	if (!change) {
		enum guard_verdict v =
		    guard_check(env->guard, from, norm, dec->reply,
		                res->category == CATEGORY_HELP, now);
		if (v != GUARD_ALLOW) {
			dec->note = v == GUARD_RED_REPEAT
			                ? "help already answered"
			                : guard_verdict_name(v);
			dec->reply = NULL;
			return;
		}
	}
	/* A STOP confirmation is the one message an opted-out number
	 * still gets. */
	dec->action = STORE_ACTION_REPLY;
}

int
decide_classify(struct classify *c, const struct ruleset *rs, const char *body,
                size_t len, struct classify_result *ret, char *norm,
                struct classify_explain *ex)
{
	if (classify_message(c, body, len, ret, ex) != 0) {
		size_t bad = ret->bad_offset;
		memset(ret, 0, sizeof(*ret));
		ret->category = CATEGORY_FALLBACK;
		ret->rule = -1;
		ret->reply = rules_builtin_reply(rs, CATEGORY_FALLBACK);
		ret->bad_offset = bad;
		ret->norm = "";
		norm[0] = '\0';
		return -1;
	}
	/* The classifier normalised it as the guard wants it. */
	memcpy(norm, ret->norm, ret->norm_len + 1);
	return 0;
}

void
decide_message(const struct decide_env *env, const char *from, int64_t sent_at,
               int64_t now, const struct classify_result *res, const char *norm,
               struct store_decision *dec)
{
	const struct config *cfg = env->cfg;
	bool compliance = res->category == CATEGORY_STOP ||
	                  res->category == CATEGORY_START ||
	                  res->category == CATEGORY_HELP;

	memset(dec, 0, sizeof(*dec));
	dec->category = category_name(res->category);
	dec->topic = topic_name(res->topic);
	dec->rule = res->rule_id;
	dec->action = STORE_ACTION_NONE;
	dec->reply_from = NULL;
	if (res->category == CATEGORY_STOP)
		dec->optout_change = 1;
	else if (res->category == CATEGORY_START)
		dec->optout_change = -1;

	if (compliance) {
		decide_compliance(env, from, now, res, norm, dec);
		return;
	}
	int opted = env->opted_out(env->arg, from);
	if (opted != 0) {
		dec->note = opted > 0 ? "opted out" : "opt-out state unknown";
		return;
	}
	if (sent_at > 0 &&
	    now + env->gateway_offset - sent_at > (int64_t)cfg->max_age_s) {
		dec->note = "too old";
		return;
	}
	if (guard_is_autoreply(norm)) {
		dec->note = guard_verdict_name(GUARD_AUTORESPONDER);
		return;
	}
	/* A red flag is never taken for an echo: the guard's ceiling on
	 * identical red-flag replies bounds those instead. */
	if (!category_is_red_flag(res->category) && decide_is_echo(env, norm)) {
		dec->note = "echo of our reply";
		return;
	}
	if (res->reply == NULL) {
		dec->note = "no reply text";
		return;
	}
	enum guard_verdict v =
	    guard_check(env->guard, from, norm, res->reply,
	                category_is_red_flag(res->category), now);
	if (v != GUARD_ALLOW) {
		dec->note = guard_verdict_name(v);
		return;
	}
	dec->action = STORE_ACTION_REPLY;
	dec->reply = res->reply;
}

const char *
decide_convo_message(const struct decide_env *env, const char *from,
                     int64_t sent_at, int64_t now, const char *norm,
                     const char *text, bool red)
{
	int opted = env->opted_out(env->arg, from);

	if (opted != 0)
		return opted > 0 ? "opted out" : "opt-out state unknown";
	if (sent_at > 0 &&
	    now + env->gateway_offset - sent_at > (int64_t)env->cfg->max_age_s)
		return "too old";
	if (text == NULL)
		return "no reply text";
	enum guard_verdict v =
	    guard_check(env->guard, from, norm, text, red, now);
	return v == GUARD_ALLOW ? NULL : guard_verdict_name(v);
}
