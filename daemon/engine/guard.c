/* Flood and loop guard.  Senders live in an open-addressing table that
 * grows with the number of senders seen within the window, up to a size
 * from max_senders.  Growing drops the senders whose window has passed;
 * when a probe run of the full-size table is full, the least recently seen
 * sender in it is forgotten, which at worst lets that sender get a reply a
 * little early.  An entry is 24 bytes: times are seconds from the first
 * check, the last message and reply a 32-bit hash of the pair.  A red-flag
 * reply sent to a sender also takes an entry, keyed by the sender and the
 * reply, for the red-flag ceiling. */
#include <stdlib.h>
#include <string.h>

#include "guard.h"

#define GUARD_PROBES  32
#define GUARD_MIN_CAP 1024
#define GUARD_MAX_CAP ((size_t)1 << 26)

struct guard_entry {
	uint64_t key;          /* 0: empty */
	uint32_t window_start; /* seconds from g->epoch */
	uint32_t last_at;
	uint32_t last_pair; /* hash of the last message and its reply */
	uint32_t count;     /* replies in this window */
};

struct guard {
	unsigned limit, window_s;
	size_t mask, used, max_cap;
	int64_t epoch; /* the first check's time, minus a day of slack */
	bool started;
	struct guard_entry *t;
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

struct guard *
guard_new(unsigned replies_per_sender, unsigned window_s, size_t max_senders)
{
	struct guard *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->max_cap = GUARD_MIN_CAP;
	while (g->max_cap < max_senders && g->max_cap < GUARD_MAX_CAP)
		g->max_cap <<= 1;
	g->t = calloc(GUARD_MIN_CAP, sizeof(*g->t));
	if (g->t == NULL) {
		free(g);
		return NULL;
	}
	g->mask = GUARD_MIN_CAP - 1;
	g->limit = replies_per_sender;
	g->window_s = window_s;
	return g;
}

void
guard_free(struct guard *g)
{
	if (g == NULL)
		return;
	free(g->t);
	free(g);
}

size_t
guard_tracked(const struct guard *g)
{
	return g->used;
}

size_t
guard_capacity(const struct guard *g)
{
	return g->mask + 1;
}

static bool
guard_live(const struct guard *g, const struct guard_entry *e, uint32_t now)
{
	return e->key != 0 && now >= e->window_start &&
	       now - e->window_start < g->window_s;
}

/* Doubles the table, keeping only the senders whose window is still open.
 * On failure the old table stays (and eviction takes over). */
static void
guard_grow(struct guard *g, uint32_t now)
{
	size_t cap = (g->mask + 1) * 2;
	struct guard_entry *t = calloc(cap, sizeof(*t));

	if (t == NULL)
		return;
	size_t used = 0;
	for (size_t i = 0; i <= g->mask; i++) {
		const struct guard_entry *e = &g->t[i];
		if (!guard_live(g, e, now))
			continue;
		for (size_t j = 0; j < cap; j++) {
			struct guard_entry *d = &t[(e->key + j) & (cap - 1)];
			if (d->key == 0) {
				*d = *e;
				used++;
				break;
			}
		}
	}
	free(g->t);
	g->t = t;
	g->mask = cap - 1;
	g->used = used;
}

static struct guard_entry *
guard_find(struct guard *g, uint64_t key, uint32_t now)
{
	struct guard_entry *oldest = NULL;

	if (g->used >= (g->mask + 1) / 2 && g->mask + 1 < g->max_cap)
		guard_grow(g, now);
	for (size_t i = 0; i < GUARD_PROBES; i++) {
		struct guard_entry *e = &g->t[(key + i) & g->mask];
		if (e->key == key)
			return e;
		if (e->key == 0) {
			e->key = key;
			g->used++;
			return e;
		}
		if (oldest == NULL || e->last_at < oldest->last_at)
			oldest = e;
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->key = key;
	return oldest;
}

/* Seconds from the epoch; a clock set back before it counts as the epoch
 * itself (and opens a new window). */
static uint32_t
guard_time(struct guard *g, int64_t now)
{
	if (!g->started) {
		g->epoch = now - 86400;
		g->started = true;
	}
	int64_t rel = now - g->epoch;
	return rel < 0 ? 0 : rel > UINT32_MAX ? UINT32_MAX : (uint32_t)rel;
}

/* The red-flag ceiling: whether this red-flag reply already went to this
 * sender within the window.  Each (sender, reply) pair has an entry of its
 * own in the table, so any number of different red-flag replies may go,
 * each once a window. */
static bool
guard_red_repeat(struct guard *g, const char *from, const char *reply,
                 uint32_t t)
{
	uint64_t key =
	    guard_hash(reply ? reply : "",
	               guard_hash(from, GUARD_FNV_BASIS) ^ GUARD_RED_SEED);
	struct guard_entry *r = guard_find(g, key, t);

	r->last_at = t;
	if (guard_live(g, r, t) && r->count > 0)
		return true;
	r->window_start = t;
	r->count = 1;
	r->last_pair = 0;
	return false;
}

enum guard_verdict
guard_check(struct guard *g, const char *from, const char *body_norm,
            const char *reply, bool priority, int64_t now)
{
	uint32_t t = guard_time(g, now);

	/* A priority reply has its ceiling and is not counted against the
	 * sender's other replies. */
	if (priority)
		return guard_red_repeat(g, from, reply, t) ? GUARD_RED_REPEAT
		                                           : GUARD_ALLOW;

	struct guard_entry *e =
	    guard_find(g, guard_hash(from, GUARD_FNV_BASIS), t);
	uint64_t pair = guard_hash(
	    reply ? reply : "", guard_hash(body_norm, GUARD_FNV_BASIS) ^ 0xff);
	uint32_t pair32 = (uint32_t)(pair ^ (pair >> 32));

	if (pair32 == 0)
		pair32 = 1;
	if (!guard_live(g, e, t) || e->count == 0) {
		e->window_start = t;
		e->count = 0;
		e->last_pair = 0;
	}
	e->last_at = t;
	if (e->count >= g->limit)
		return GUARD_FLOOD;
	if (e->count > 0 && e->last_pair == pair32)
		return GUARD_REPEAT;
	e->count++;
	e->last_pair = pair32;
	return GUARD_ALLOW;
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
