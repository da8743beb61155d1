/* store_ops.h: what a backend of store.h provides.  store.c parses the
 * location, opens the backend its scheme names and from then on calls the
 * handle's operations table: one function pointer per operation of
 * store.h that is the backend's to do (the rest, such as freeing items,
 * is store.c's).  A backend's handle begins with a struct store, whose
 * err the backend fills and store_error() returns.  Private to the store:
 * callers include store.h only. */
#ifndef BACKTALK_STORE_OPS_H
#define BACKTALK_STORE_OPS_H

#include "store.h"

/* How a store is opened (store_open_daemon, store_open,
 * store_open_existing). */
struct store_how {
	bool daemon;   /* the daemon's open: create, migrate, lock */
	bool strict;   /* daemon: refuse what would be a warning */
	bool writable; /* operator: may write */
	char *warn;    /* daemon: warnings, may be NULL */
	size_t warnlen;
	int *ret_errno; /* operator: why the store could not be opened */
};

struct store_ops {
	void (*close)(struct store *st);
	int64_t (*cost)(const struct store *st);
	int (*batch_begin)(struct store *st);
	int (*batch_commit)(struct store *st);
	void (*batch_rollback)(struct store *st);

	int (*seen)(struct store *st, const char *gateway, const char *id);
	int (*incoming_add)(struct store *st, const struct store_inbound *in);
	int (*incoming_next)(struct store *st, size_t max,
	                     struct store_staged *items, size_t *ret_n);
	enum store_record_result (*record)(struct store *st,
	                                   const struct store_inbound *in,
	                                   const struct store_decision *dec);

	int (*outbox_due)(struct store *st, int64_t now, size_t max,
	                  struct store_outbox_item *items, size_t *ret_n);
	int (*outbox_work)(struct store *st, int64_t now,
	                   int64_t settled_before, bool ahead_too, size_t max,
	                   struct store_outbox_item *items, size_t *ret_n);
	int (*outbox_shift)(struct store *st, int64_t delta, int64_t before);
	int (*outbox_claim)(struct store *st, int64_t id, int64_t now,
	                    int64_t lease_until);
	int (*outbox_renew)(struct store *st, int64_t lease_until);
	int (*outbox_sent)(struct store *st, int64_t id, const char *message_id,
	                   int64_t now);
	int (*outbox_retry)(struct store *st, int64_t id, int64_t next_at,
	                    const char *error);
	int (*outbox_requeue)(struct store *st, int64_t id, int64_t next_at,
	                      const char *error, bool counted);
	int (*outbox_failed)(struct store *st, int64_t id, const char *code,
	                     const char *error, int64_t now);
	int (*outbox_cancel)(struct store *st, int64_t id, const char *why);
	int (*outbox_release)(struct store *st, int64_t id);
	int (*outbox_claimed)(struct store *st, const char *message_id,
	                      int64_t except);

	int (*convo_get)(struct store *st, const char *number, char *buf,
	                 size_t len);
	int (*convo_set)(struct store *st, const char *number,
	                 const char *state, int64_t now);
	int (*convo_waiting)(struct store *st, int64_t before, size_t max,
	                     int (*fn)(void *arg, const char *number,
	                               const char *state),
	                     void *arg);
	int (*convo_expire)(struct store *st, const char *number,
	                    const char *was, const char *state,
	                    const struct store_convo_event *ev, size_t nev,
	                    int64_t now);
	int (*scheduled_claim)(struct store *st, int64_t now,
	                       int64_t lease_until, size_t max,
	                       struct store_scheduled *items, size_t *ret_n);
	int (*scheduled_send)(struct store *st,
	                      const struct store_scheduled *it,
	                      const char *body, int urgency, const char *state,
	                      const struct store_convo_event *events,
	                      size_t nevents, int64_t now);
	int (*scheduled_cancel)(struct store *st, int64_t id, const char *why,
	                        int64_t now);
	int (*scheduled_defer)(struct store *st, int64_t id, int64_t due_at);

	int (*optout_set)(struct store *st, const char *number, bool opted_out,
	                  const char *source, int64_t now);
	int (*is_opted_out)(struct store *st, const char *number);
	int (*recent_replies)(struct store *st, const char *number,
	                      int64_t since, int64_t *ret_count);
	int (*recent_same_reply)(struct store *st, const char *number,
	                         const char *body, int64_t since);
	int (*guard_reset)(struct store *st, unsigned window_s,
	                   size_t max_keys);
	int (*guard_get)(struct store *st, uint64_t key, int64_t now,
	                 struct counts_memo *ret);
	int (*guard_put)(struct store *st, uint64_t key,
	                 const struct counts_memo *m);
	int (*state_get)(struct store *st, const char *key, char *buf,
	                 size_t len);
	int (*state_set)(struct store *st, const char *key, const char *value);
	int64_t (*retention)(struct store *st, int64_t before);
	int (*counts)(struct store *st, struct store_counts *ret);
	int (*outbox_depth)(struct store *st, int64_t *ret, int64_t *oldest);

	int (*status)(struct store *st, struct store_status *ret);
	int (*failures)(struct store *st, int64_t since, size_t max,
	                int (*fn)(void *arg, const struct store_failure *f),
	                void *arg);
	int (*optouts)(struct store *st,
	               int (*fn)(void *arg, const struct store_optout *o),
	               void *arg);
	int (*number_form)(struct store *st, const char *number, char *buf,
	                   size_t len);
	int (*history)(struct store *st, const char *number, size_t max,
	               int (*fn)(void *arg, const struct store_event *e),
	               void *arg);
	int (*stats)(struct store *st, int64_t since,
	             int (*fn)(void *arg, const char *what, const char *name,
	                       int64_t count),
	             void *arg, struct store_stats *ret);
	int (*outbox_list)(
	    struct store *st, const struct store_outbox_filter *f, size_t max,
	    int (*fn)(void *arg, const struct store_outbox_row *r), void *arg);
	int (*outbox_operator_retry)(struct store *st,
	                             const struct store_outbox_filter *f,
	                             int64_t now, int64_t *selected,
	                             int64_t *changed);
	int (*outbox_operator_cancel)(struct store *st,
	                              const struct store_outbox_filter *f,
	                              int64_t now, int64_t *selected,
	                              int64_t *changed);
	int (*decided)(struct store *st, int64_t since, size_t max,
	               int (*fn)(void *arg, const struct store_decided *m),
	               void *arg);
};

/* The start of every backend's handle. */
struct store {
	const struct store_ops *ops;
	char owner[128]; /* store_owner() */
	char err[512];   /* store_error() */
};

/* A backend: the scheme of its locations ("sqlite" for "sqlite://...")
 * and how to open one; where is the location after "scheme://" (or the
 * bare path, for the SQLite backend). */
struct store_backend {
	const char *scheme;
	int (*open)(const char *where, const struct store_how *how,
	            struct store **ret, char *err, size_t errlen);
};

/* Fills st->owner with this process's name for the rows it claims. */
void store_owner_init(struct store *st);

#endif
