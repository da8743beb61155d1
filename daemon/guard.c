/* Flood and loop guard.  Senders live in a fixed open-addressing table sized
 * from max_senders (calloc'd, so untouched slots cost no memory); when a
 * probe run is full the least recently seen sender in it is forgotten, which
 * at worst lets that sender get a reply a little early. */
#include <stdlib.h>
#include <string.h>

#include "guard.h"

#define GUARD_PROBES 32

struct guard_entry {
	uint64_t key; /* 0: empty */
	int64_t window_start;
	int64_t last_at;
	uint64_t last_msg;   /* hash of the last message answered */
	uint64_t last_reply; /* hash of the last reply sent */
	unsigned count;      /* replies in this window */
};

struct guard {
	unsigned limit, window_s;
	size_t mask;
	struct guard_entry *t;
};

static uint64_t
guard_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return h ? h : 1;
}

struct guard *
guard_new(unsigned replies_per_sender, unsigned window_s, size_t max_senders)
{
	struct guard *g = calloc(1, sizeof(*g));
	size_t cap = 64;

	if (g == NULL)
		return NULL;
	while (cap < max_senders && cap < ((size_t)1 << 26))
		cap <<= 1;
	g->t = calloc(cap, sizeof(*g->t));
	if (g->t == NULL) {
		free(g);
		return NULL;
	}
	g->mask = cap - 1;
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

static struct guard_entry *
guard_find(struct guard *g, uint64_t key)
{
	struct guard_entry *oldest = NULL;

	for (size_t i = 0; i < GUARD_PROBES; i++) {
		struct guard_entry *e = &g->t[(key + i) & g->mask];
		if (e->key == key)
			return e;
		if (e->key == 0) {
			e->key = key;
			return e;
		}
		if (oldest == NULL || e->last_at < oldest->last_at)
			oldest = e;
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->key = key;
	return oldest;
}

enum guard_verdict
guard_check(struct guard *g, const char *from, const char *body_norm,
            const char *reply, bool red_flag, int64_t now)
{
	struct guard_entry *e = guard_find(g, guard_hash(from));
	uint64_t msg = guard_hash(body_norm);
	uint64_t rep = guard_hash(reply ? reply : "");

	if (now - e->window_start >= (int64_t)g->window_s ||
	    now < e->window_start) {
		e->window_start = now;
		e->count = 0;
		e->last_msg = 0;
		e->last_reply = 0;
	}
	e->last_at = now;
	if (!red_flag) {
		if (e->count >= g->limit)
			return GUARD_FLOOD;
		if (e->count > 0 && e->last_msg == msg && e->last_reply == rep)
			return GUARD_REPEAT;
	}
	e->count++;
	e->last_msg = msg;
	e->last_reply = rep;
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
