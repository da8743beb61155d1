/* counts.c: the open-addressing table of counts.h, moved out of the flood
 * guard (engine/guard.c) so that the store can keep the guard's memory
 * too.  An entry is 24 bytes: times are seconds from an epoch (the first
 * call's time, minus a day of slack), clamped to it. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "counts.h"

#define COUNTS_PROBES  32
#define COUNTS_MIN_CAP 1024
#define COUNTS_MAX_CAP ((size_t)1 << 26)

struct counts_entry {
	uint64_t key;          /* 0: empty */
	uint32_t window_start; /* seconds from c->epoch */
	uint32_t last_at;
	uint32_t pair;
	uint32_t count;
};

struct counts {
	unsigned window_s;
	size_t mask, used, max_cap;
	int64_t epoch; /* the first call's time, minus a day of slack */
	bool started;
	struct counts_entry *t;
};

struct counts *
counts_new(unsigned window_s, size_t max_keys)
{
	struct counts *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->max_cap = COUNTS_MIN_CAP;
	while (c->max_cap < max_keys && c->max_cap < COUNTS_MAX_CAP)
		c->max_cap <<= 1;
	c->t = calloc(COUNTS_MIN_CAP, sizeof(*c->t));
	if (c->t == NULL) {
		free(c);
		return NULL;
	}
	c->mask = COUNTS_MIN_CAP - 1;
	c->window_s = window_s;
	return c;
}

void
counts_free(struct counts *c)
{
	if (c == NULL)
		return;
	free(c->t);
	free(c);
}

size_t
counts_used(const struct counts *c)
{
	return c->used;
}

size_t
counts_capacity(const struct counts *c)
{
	return c->mask + 1;
}

static bool
counts_live(const struct counts *c, const struct counts_entry *e, uint32_t now)
{
	return e->key != 0 && now >= e->window_start &&
	       now - e->window_start < c->window_s;
}

/* Doubles the table, keeping only the keys whose window is still open.
 * On failure the old table stays (and eviction takes over). */
static void
counts_grow(struct counts *c, uint32_t now)
{
	size_t cap = (c->mask + 1) * 2;
	struct counts_entry *t = calloc(cap, sizeof(*t));

	if (t == NULL)
		return;
	size_t used = 0;
	for (size_t i = 0; i <= c->mask; i++) {
		const struct counts_entry *e = &c->t[i];
		if (!counts_live(c, e, now))
			continue;
		for (size_t j = 0; j < cap; j++) {
			struct counts_entry *d = &t[(e->key + j) & (cap - 1)];
			if (d->key == 0) {
				*d = *e;
				used++;
				break;
			}
		}
	}
	free(c->t);
	c->t = t;
	c->mask = cap - 1;
	c->used = used;
}

/* key's entry, made (or taken from the key looked at longest ago in its
 * probe run) when missing.  Only a lookup grows the table: counts_put
 * finds the entry counts_get made where it was. */
static struct counts_entry *
counts_find(struct counts *c, uint64_t key, uint32_t now, bool may_grow)
{
	struct counts_entry *oldest = NULL;

	if (may_grow && c->used >= (c->mask + 1) / 2 &&
	    c->mask + 1 < c->max_cap)
		counts_grow(c, now);
	for (size_t i = 0; i < COUNTS_PROBES; i++) {
		struct counts_entry *e = &c->t[(key + i) & c->mask];
		if (e->key == key)
			return e;
		if (e->key == 0) {
			e->key = key;
			c->used++;
			return e;
		}
		if (oldest == NULL || e->last_at < oldest->last_at)
			oldest = e;
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->key = key;
	return oldest;
}

/* Seconds from the epoch; a time before it counts as the epoch itself. */
static uint32_t
counts_time(struct counts *c, int64_t now)
{
	if (!c->started) {
		c->epoch = now - 86400;
		c->started = true;
	}
	int64_t rel = now - c->epoch;
	return rel < 0 ? 0 : rel > UINT32_MAX ? UINT32_MAX : (uint32_t)rel;
}

void
counts_get(struct counts *c, uint64_t key, int64_t now, struct counts_memo *ret)
{
	uint32_t t = counts_time(c, now);
	const struct counts_entry *e = counts_find(c, key, t, true);

	memset(ret, 0, sizeof(*ret));
	if (e->window_start == 0 && e->last_at == 0 && e->count == 0 &&
	    e->pair == 0)
		return;
	ret->window_start = c->epoch + e->window_start;
	ret->last_at = c->epoch + e->last_at;
	ret->pair = e->pair;
	ret->count = e->count;
}

void
counts_put(struct counts *c, uint64_t key, const struct counts_memo *m)
{
	uint32_t last = counts_time(c, m->last_at);
	struct counts_entry *e = counts_find(c, key, last, false);

	e->window_start = counts_time(c, m->window_start);
	e->last_at = last;
	e->pair = m->pair;
	e->count = m->count;
}
