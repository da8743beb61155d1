/* guardkeep.c: the daemon's flood guard, whose memory of each sender the
 * store keeps (store_guard_get), so that daemons sharing a store could
 * share it.  A new guard (at start, at each reload) starts with an empty
 * memory, as one keeping its own did: the store's is reset at the new
 * guard's first check, so a reload that fails, and whose guard never
 * checks, leaves the running guard's memory alone. */
#include <stdlib.h>

#include "guardkeep.h"
#include "log.h"

struct guardkeep {
	struct store *st;
	unsigned window_s;
	size_t max_senders;
	bool fresh; /* the store's memory is still the previous guard's */
};

static int
guardkeep_get(void *arg, uint64_t key, int64_t now, struct counts_memo *m)
{
	struct guardkeep *k = arg;

	if (k->fresh) {
		if (store_guard_reset(k->st, k->window_s, k->max_senders) < 0)
			goto fail;
		k->fresh = false;
	}
	if (store_guard_get(k->st, key, now, m) == 0)
		return 0;
fail:
	log_err("store: %s; the flood guard lets this reply go",
	        store_error(k->st));
	return -1;
}

static int
guardkeep_put(void *arg, uint64_t key, const struct counts_memo *m)
{
	struct guardkeep *k = arg;

	if (store_guard_put(k->st, key, m) == 0)
		return 0;
	log_err("store: %s", store_error(k->st));
	return -1;
}

struct guard *
guardkeep_new(struct store *st, unsigned replies_per_sender, unsigned window_s,
              size_t max_senders)
{
	struct guardkeep *k = calloc(1, sizeof(*k));
	struct guard_keeper keeper = { guardkeep_get, guardkeep_put, free, k };
	struct guard *g;

	if (k == NULL)
		return NULL;
	*k = (struct guardkeep){ st, window_s, max_senders, true };
	g = guard_new_kept(replies_per_sender, window_s, &keeper);
	if (g == NULL)
		free(k);
	return g;
}
