/* guardkeep.h: the daemon's flood guard, its memory kept by the store. */
#ifndef BACKTALK_GUARDKEEP_H
#define BACKTALK_GUARDKEEP_H

#include <stddef.h>

#include "guard.h"
#include "store.h"

/* A guard (guard_new's limits) whose memos st keeps; guard_free frees
 * it.  NULL when out of memory. */
struct guard *guardkeep_new(struct store *st, unsigned replies_per_sender,
                            unsigned window_s, size_t max_senders);

#endif
