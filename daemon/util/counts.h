/* counts.h: per-key counts in a time window, kept in memory: the flood
 * guard's memory of each sender (engine/guard.c decides what the counts
 * mean), and the SQLite store's keeping of it (store_guard_get).  Keys
 * are 64-bit hashes (0 is not a key); times are the caller's seconds. */
#ifndef BACKTALK_COUNTS_H
#define BACKTALK_COUNTS_H

#include <stddef.h>
#include <stdint.h>

/* What is remembered of one key.  All zero for a key never seen. */
struct counts_memo {
	int64_t window_start; /* when its window began */
	int64_t last_at;      /* when it was last looked at */
	uint32_t pair;        /* a hash the caller keeps (the last exchange) */
	uint32_t count;       /* in this window */
};

struct counts;

/* A table that grows with the keys seen within window_s, up to a size
 * from max_keys; growing drops the keys whose window has passed, and when
 * a probe run of the full-size table is full, the key in it looked at
 * longest ago is forgotten.  NULL when out of memory. */
struct counts *counts_new(unsigned window_s, size_t max_keys);
void counts_free(struct counts *c);
/* Keys held now, and the table's current size (for metrics and tests). */
size_t counts_used(const struct counts *c);
size_t counts_capacity(const struct counts *c);

/* key's memo at now (all zero when it is new, or was forgotten).  Makes
 * room for it, so that counts_put of the same key right after finds it.
 * A time before the first call's, minus a day, counts as that. */
void counts_get(struct counts *c, uint64_t key, int64_t now,
                struct counts_memo *ret);
void counts_put(struct counts *c, uint64_t key, const struct counts_memo *m);

#endif
