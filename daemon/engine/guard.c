/* Flood and loop guard.  What it remembers of each sender (and of each
 * red-flag reply sent to a sender) is a counts_memo kept by a keeper: its
 * own counts table (counts.c: bounded, forgetting the senders looked at
 * longest ago when full, which at worst lets one get a reply a little
 * early), or one the caller gives, such as the store, so that daemons
 * sharing a store can share it.  The guard decides; the keeper keeps. */
#include <stdlib.h>
#include <string.h>

#include "guard.h"

struct guard {
	unsigned limit, window_s;
	struct guard_keeper keeper;
	struct counts *own; /* the built-in keeper's table, or NULL */
	int64_t floor;      /* the first check's time, minus a day of slack */
	bool started;
};

static uint64_t
guard_hash(const char *s, uint64_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return h ? h : 1;
}

#define GUARD_FNV_BASIS UINT64_C(14695981039346656037)
/* Mixed into the keys of (sender, red-flag reply) entries. */
#define GUARD_RED_SEED UINT64_C(0x9e3779b97f4a7c15)

static int
guard_own_get(void *arg, uint64_t key, int64_t now, struct counts_memo *m)
{
	counts_get(arg, key, now, m);
	return 0;
}

static int
guard_own_put(void *arg, uint64_t key, const struct counts_memo *m)
{
	counts_put(arg, key, m);
	return 0;
}

struct guard *
guard_new_kept(unsigned replies_per_sender, unsigned window_s,
               const struct guard_keeper *keeper)
{
	struct guard *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->limit = replies_per_sender;
	g->window_s = window_s;
	g->keeper = *keeper;
	return g;
}

struct guard *
guard_new(unsigned replies_per_sender, unsigned window_s, size_t max_senders)
{
	struct counts *c = counts_new(window_s, max_senders);
	struct guard_keeper k = { guard_own_get, guard_own_put, NULL, c };
	struct guard *g;

	if (c == NULL)
		return NULL;
	g = guard_new_kept(replies_per_sender, window_s, &k);
	if (g == NULL) {
		counts_free(c);
		return NULL;
	}
	g->own = c;
	return g;
}

void
guard_free(struct guard *g)
{
	if (g == NULL)
		return;
	counts_free(g->own);
	if (g->keeper.free != NULL)
		g->keeper.free(g->keeper.arg);
	free(g);
}

size_t
guard_tracked(const struct guard *g)
{
	return g->own != NULL ? counts_used(g->own) : 0;
}

size_t
guard_capacity(const struct guard *g)
{
	return g->own != NULL ? counts_capacity(g->own) : 0;
}

static bool
guard_live(const struct guard *g, const struct counts_memo *m, int64_t now)
{
	return now >= m->window_start && now - m->window_start < g->window_s;
}

/* The time a check is made at: a clock set back before the first check,
 * minus a day, counts as that (and opens a new window). */
static int64_t
guard_time(struct guard *g, int64_t now)
{
	if (!g->started) {
		g->floor = now - 86400;
		g->started = true;
	}
	return now < g->floor ? g->floor : now;
}

/* The red-flag ceiling: whether this red-flag reply already went to this
 * sender within the window.  Each (sender, reply) pair has a memo of its
 * own, so any number of different red-flag replies may go, each once a
 * window.  A keeper that fails lets the reply go. */
static bool
guard_red_repeat(struct guard *g, const char *from, const char *reply,
                 int64_t t)
{
	uint64_t key =
	    guard_hash(reply ? reply : "",
	               guard_hash(from, GUARD_FNV_BASIS) ^ GUARD_RED_SEED);
	struct counts_memo r;
	bool repeat;

	if (g->keeper.get(g->keeper.arg, key, t, &r) < 0)
		return false;
	r.last_at = t;
	repeat = guard_live(g, &r, t) && r.count > 0;
	if (!repeat) {
		r.window_start = t;
		r.count = 1;
		r.pair = 0;
	}
	g->keeper.put(g->keeper.arg, key, &r);
	return repeat;
}

/* The per-sender limit and repeat check on the sender's memo e, updated
 * when the reply is allowed. */
static enum guard_verdict
guard_count(const struct guard *g, struct counts_memo *e, uint32_t pair32,
            int64_t t)
{
	if (!guard_live(g, e, t) || e->count == 0) {
		e->window_start = t;
		e->count = 0;
		e->pair = 0;
	}
	e->last_at = t;
	if (e->count >= g->limit)
		return GUARD_FLOOD;
	if (e->count > 0 && e->pair == pair32)
		return GUARD_REPEAT;
	e->count++;
	e->pair = pair32;
	return GUARD_ALLOW;
}

enum guard_verdict
guard_check(struct guard *g, const char *from, const char *body_norm,
            const char *reply, bool priority, int64_t now)
{
	int64_t t = guard_time(g, now);

	/* A priority reply has its ceiling and is not counted against the
	 * sender's other replies. */
	if (priority)
		return guard_red_repeat(g, from, reply, t) ? GUARD_RED_REPEAT
		                                           : GUARD_ALLOW;

	uint64_t key = guard_hash(from, GUARD_FNV_BASIS);
	uint64_t pair = guard_hash(
	    reply ? reply : "", guard_hash(body_norm, GUARD_FNV_BASIS) ^ 0xff);
	uint32_t pair32 = (uint32_t)(pair ^ (pair >> 32));
	struct counts_memo e;
	enum guard_verdict v;

	if (pair32 == 0)
		pair32 = 1;
	/* A keeper that fails (a shared store out of reach) guards
	 * nothing: a reply is better than none. */
	if (g->keeper.get(g->keeper.arg, key, t, &e) < 0)
		return GUARD_ALLOW;
	v = guard_count(g, &e, pair32, t);
	g->keeper.put(g->keeper.arg, key, &e);
	return v;
}

/* Phrases other auto-responders use, in normalised form. */
static const char *const guard_autoreply_phrases[] = {
	"out of office",
	"out of the office",
	"automatic reply",
	"auto-reply",
	"autoreply",
	"auto reply",
	"automated message",
	"automated response",
	"this is an automated",
	"do not reply to this",
	"dont reply to this",
	"no-reply",
	"noreply",
	"with do not disturb",
	"im driving with",
	"this number does not accept",
	"this number cannot receive",
	"message could not be delivered",
	"undeliverable",
	NULL,
};

bool
guard_is_autoreply(const char *body_norm)
{
	for (const char *const *p = guard_autoreply_phrases; *p; p++)
		if (strstr(body_norm, *p) != NULL)
			return true;
	return false;
}

const char *
guard_verdict_name(enum guard_verdict v)
{
	switch (v) {
	case GUARD_ALLOW:
		return "allow";
	case GUARD_FLOOD:
		return "flood guard";
	case GUARD_REPEAT:
		return "repeat";
	case GUARD_AUTORESPONDER:
		return "auto-responder";
	case GUARD_RED_REPEAT:
		return "red flag already answered";
	}
	return "?";
}

void
guard_rate_init(struct guard_rate *r, double rate, double now)
{
	r->rate = rate;
	r->burst = rate > 1 ? rate : 1;
	r->tokens = r->burst;
	r->last = now;
}

bool
guard_rate_take(struct guard_rate *r, double now, double *ret_wait)
{
	*ret_wait = 0;
	if (r->rate <= 0)
		return true;
	if (now > r->last) {
		r->tokens += (now - r->last) * r->rate;
		if (r->tokens > r->burst)
			r->tokens = r->burst;
		r->last = now;
	}
	if (r->tokens >= 1) {
		r->tokens -= 1;
		return true;
	}
	*ret_wait = (1 - r->tokens) / r->rate;
	return false;
}
