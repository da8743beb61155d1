/* store.c: the interface of store.h.  Picks the backend a location names
 * (its scheme: "sqlite://..."; a bare path is SQLite's), and passes each
 * call to the handle's operations table (store_ops.h).  What needs no
 * backend lives here too: freeing items, the outbox state names, the
 * owner name a handle claims rows under. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_ops.h"
#include "store_sqlite.h"

static const struct store_backend store_backends[] = {
	{ "sqlite", store_sqlite_open },
};

#define STORE_BACKENDS (sizeof(store_backends) / sizeof(store_backends[0]))

/* Where "scheme://" ends in location, with *len the scheme's length; NULL
 * for a bare path (no scheme: letters, digits, '+', '-', '.' from a
 * letter, then "://"). */
static const char *
store_location_rest(const char *location, size_t *len)
{
	size_t n = 0;

	if (location == NULL || !((location[0] >= 'a' && location[0] <= 'z') ||
	                          (location[0] >= 'A' && location[0] <= 'Z')))
		return NULL;
	while (location[n] != '\0' && strchr("abcdefghijklmnopqrstuvwxyz"
	                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                     "0123456789+-.",
	                                     location[n]) != NULL)
		n++;
	if (strncmp(location + n, "://", 3) != 0)
		return NULL;
	*len = n;
	return location + n + 3;
}

/* The backend location names and where in it, or NULL with err filled. */
static const struct store_backend *
store_location_backend(const char *location, const char **where, char *err,
                       size_t errlen)
{
	size_t len = 0;
	const char *rest = store_location_rest(location, &len);

	if (location == NULL || *location == '\0') {
		snprintf(err, errlen, "no store location");
		return NULL;
	}
	if (rest == NULL) {
		*where = location;
		return &store_backends[0];
	}
	for (size_t i = 0; i < STORE_BACKENDS; i++)
		if (strlen(store_backends[i].scheme) == len &&
		    strncmp(location, store_backends[i].scheme, len) == 0) {
			if (*rest == '\0') {
				snprintf(err, errlen,
				         "%s: no database after \"%.*s://\"",
				         location, (int)len, location);
				return NULL;
			}
			*where = rest;
			return &store_backends[i];
		}
	snprintf(err, errlen,
	         "%s: unknown store scheme \"%.*s\" (this backtalk knows "
	         "\"sqlite://\" and a bare path)",
	         location, (int)len, location);
	return NULL;
}

int
store_location_check(const char *location, char *err, size_t errlen)
{
	const char *where;

	return store_location_backend(location, &where, err, errlen) != NULL
	           ? 0
	           : -1;
}

const char *
store_location_file(const char *location)
{
	const char *where;
	char err[8];
	const struct store_backend *b =
	    store_location_backend(location, &where, err, sizeof(err));

	return b == &store_backends[0] ? where : NULL;
}

static int
store_open_how(const char *location, const struct store_how *how,
               struct store **ret, char *err, size_t errlen)
{
	const char *where;
	const struct store_backend *b =
	    store_location_backend(location, &where, err, errlen);

	if (how->warn != NULL && how->warnlen > 0)
		how->warn[0] = '\0';
	if (how->ret_errno != NULL)
		*how->ret_errno = 0;
	if (b == NULL)
		return -1;
	return b->open(where, how, ret, err, errlen);
}

int
store_open_daemon(const char *location, bool strict, struct store **ret,
                  char *warn, size_t warnlen, char *err, size_t errlen)
{
	struct store_how how = { .daemon = true,
		                 .strict = strict,
		                 .writable = true,
		                 .warn = warn,
		                 .warnlen = warnlen };

	return store_open_how(location, &how, ret, err, errlen);
}

int
store_open(const char *location, struct store **ret, char *err, size_t errlen)
{
	return store_open_daemon(location, false, ret, NULL, 0, err, errlen);
}

int
store_open_existing(const char *location, bool writable, struct store **ret,
                    int *ret_errno, char *err, size_t errlen)
{
	struct store_how how = { .writable = writable, .ret_errno = ret_errno };

	return store_open_how(location, &how, ret, err, errlen);
}

void
store_owner_init(struct store *st)
{
	static unsigned handles;
	char host[64] = "";
	struct timespec ts = { 0, 0 };

	if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(st->owner, sizeof(st->owner), "%s:%ld:%lld.%09ld:%u", host,
	         (long)getpid(), (long long)ts.tv_sec, (long)ts.tv_nsec,
	         handles++);
}

const char *
store_owner(const struct store *st)
{
	return st->owner;
}

void
store_close(struct store *st)
{
	if (st != NULL)
		st->ops->close(st);
}

const char *
store_error(const struct store *st)
{
	if (st == NULL)
		return "no store";
	return st->err[0] != '\0' ? st->err : "no error";
}

int64_t
store_cost(const struct store *st)
{
	return st->ops->cost(st);
}

void
store_batch_rollback(struct store *st)
{
	st->ops->batch_rollback(st);
}

int
store_outbox_next(struct store *st, int64_t now, struct store_outbox_item *ret)
{
	size_t n;

	if (store_outbox_due(st, now, 1, ret, &n) < 0)
		return -1;
	return n == 1 ? 1 : 0;
}

void
store_staged_free(struct store_staged *m)
{
	if (m == NULL)
		return;
	free(m->gateway);
	free(m->id);
	free(m->from);
	free(m->to);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

void
store_outbox_item_free(struct store_outbox_item *it)
{
	if (it == NULL)
		return;
	free(it->inbound_id);
	free(it->to);
	free(it->from);
	free(it->body);
	free(it->category);
	memset(it, 0, sizeof(*it));
}

static const char *const store_outbox_state_names[] = {
	[STORE_OUTBOX_PENDING] = "pending",
	[STORE_OUTBOX_SENDING] = "sending",
	[STORE_OUTBOX_SENT] = "sent",
	[STORE_OUTBOX_FAILED] = "failed",
	[STORE_OUTBOX_CANCELLED] = "cancelled",
};

const char *
store_outbox_state_name(enum store_outbox_state s)
{
	return (unsigned)s <= STORE_OUTBOX_CANCELLED
	           ? store_outbox_state_names[s]
	           : "?";
}

bool
store_outbox_state_parse(const char *name, enum store_outbox_state *ret)
{
	if (name == NULL)
		return false;
	for (unsigned i = 0; i <= STORE_OUTBOX_CANCELLED; i++)
		if (strcmp(name, store_outbox_state_names[i]) == 0) {
			*ret = (enum store_outbox_state)i;
			return true;
		}
	return false;
}

/* The rest goes to the backend as it is. */

int
store_batch_begin(struct store *st)
{
	return st->ops->batch_begin(st);
}

int
store_batch_commit(struct store *st)
{
	return st->ops->batch_commit(st);
}

int
store_seen(struct store *st, const char *gateway, const char *id)
{
	return st->ops->seen(st, gateway, id);
}

int
store_incoming_add(struct store *st, const struct store_inbound *in)
{
	return st->ops->incoming_add(st, in);
}

int
store_incoming_next(struct store *st, size_t max, struct store_staged *items,
                    size_t *ret_n)
{
	return st->ops->incoming_next(st, max, items, ret_n);
}

enum store_record_result
store_record(struct store *st, const struct store_inbound *in,
             const struct store_decision *dec)
{
	return st->ops->record(st, in, dec);
}

int
store_outbox_due(struct store *st, int64_t now, size_t max,
                 struct store_outbox_item *items, size_t *ret_n)
{
	return st->ops->outbox_due(st, now, max, items, ret_n);
}

int
store_outbox_work(struct store *st, int64_t now, int64_t settled_before,
                  bool ahead_too, size_t max, struct store_outbox_item *items,
                  size_t *ret_n)
{
	return st->ops->outbox_work(st, now, settled_before, ahead_too, max,
	                            items, ret_n);
}

int
store_outbox_shift(struct store *st, int64_t delta, int64_t before)
{
	return st->ops->outbox_shift(st, delta, before);
}

int
store_outbox_claim(struct store *st, int64_t id, int64_t now,
                   int64_t lease_until)
{
	return st->ops->outbox_claim(st, id, now, lease_until);
}

int
store_outbox_renew(struct store *st, int64_t lease_until)
{
	return st->ops->outbox_renew(st, lease_until);
}

int
store_outbox_sent(struct store *st, int64_t id, const char *message_id,
                  int64_t now)
{
	return st->ops->outbox_sent(st, id, message_id, now);
}

int
store_outbox_retry(struct store *st, int64_t id, int64_t next_at,
                   const char *error)
{
	return st->ops->outbox_retry(st, id, next_at, error);
}

int
store_outbox_requeue(struct store *st, int64_t id, int64_t next_at,
                     const char *error, bool counted)
{
	return st->ops->outbox_requeue(st, id, next_at, error, counted);
}

int
store_outbox_failed(struct store *st, int64_t id, const char *code,
                    const char *error, int64_t now)
{
	return st->ops->outbox_failed(st, id, code, error, now);
}

int
store_outbox_cancel(struct store *st, int64_t id, const char *why)
{
	return st->ops->outbox_cancel(st, id, why);
}

int
store_outbox_release(struct store *st, int64_t id)
{
	return st->ops->outbox_release(st, id);
}

int
store_outbox_claimed(struct store *st, const char *message_id, int64_t except)
{
	return st->ops->outbox_claimed(st, message_id, except);
}

int
store_convo_get(struct store *st, const char *number, char *buf, size_t len)
{
	return st->ops->convo_get(st, number, buf, len);
}

int
store_convo_set(struct store *st, const char *number, const char *state,
                int64_t now)
{
	return st->ops->convo_set(st, number, state, now);
}

int
store_convo_waiting(struct store *st, int64_t before, size_t max,
                    int (*fn)(void *arg, const char *number, const char *state),
                    void *arg)
{
	return st->ops->convo_waiting(st, before, max, fn, arg);
}

int
store_convo_expire(struct store *st, const char *number, const char *was,
                   const char *state, const struct store_convo_event *ev,
                   size_t nev, int64_t now)
{
	return st->ops->convo_expire(st, number, was, state, ev, nev, now);
}

void
store_scheduled_free(struct store_scheduled *it)
{
	if (it == NULL)
		return;
	free(it->number);
	free(it->from);
	free(it->convo);
	free(it->inbound_gateway);
	free(it->inbound_id);
	memset(it, 0, sizeof(*it));
}

int
store_scheduled_claim(struct store *st, int64_t now, int64_t lease_until,
                      size_t max, struct store_scheduled *items, size_t *ret_n)
{
	return st->ops->scheduled_claim(st, now, lease_until, max, items,
	                                ret_n);
}

int
store_scheduled_send(struct store *st, const struct store_scheduled *it,
                     const char *body, int urgency, const char *state,
                     const struct store_convo_event *events, size_t nevents,
                     int64_t now)
{
	return st->ops->scheduled_send(st, it, body, urgency, state, events,
	                               nevents, now);
}

int
store_scheduled_cancel(struct store *st, int64_t id, const char *why,
                       int64_t now)
{
	return st->ops->scheduled_cancel(st, id, why, now);
}

int
store_scheduled_defer(struct store *st, int64_t id, int64_t due_at)
{
	return st->ops->scheduled_defer(st, id, due_at);
}

int
store_optout_set(struct store *st, const char *number, bool opted_out,
                 const char *source, int64_t now)
{
	return st->ops->optout_set(st, number, opted_out, source, now);
}

int
store_is_opted_out(struct store *st, const char *number)
{
	return st->ops->is_opted_out(st, number);
}

int
store_recent_replies(struct store *st, const char *number, int64_t since,
                     int64_t *ret_count)
{
	return st->ops->recent_replies(st, number, since, ret_count);
}

int
store_recent_same_reply(struct store *st, const char *number, const char *body,
                        int64_t since)
{
	return st->ops->recent_same_reply(st, number, body, since);
}

int
store_guard_reset(struct store *st, unsigned window_s, size_t max_keys)
{
	return st->ops->guard_reset(st, window_s, max_keys);
}

int
store_guard_get(struct store *st, uint64_t key, int64_t now,
                struct counts_memo *ret)
{
	return st->ops->guard_get(st, key, now, ret);
}

int
store_guard_put(struct store *st, uint64_t key, const struct counts_memo *m)
{
	return st->ops->guard_put(st, key, m);
}

int
store_state_get(struct store *st, const char *key, char *buf, size_t len)
{
	return st->ops->state_get(st, key, buf, len);
}

int
store_state_set(struct store *st, const char *key, const char *value)
{
	return st->ops->state_set(st, key, value);
}

int64_t
store_retention(struct store *st, int64_t before)
{
	return st->ops->retention(st, before);
}

int
store_counts(struct store *st, struct store_counts *ret)
{
	return st->ops->counts(st, ret);
}

int
store_outbox_depth(struct store *st, int64_t *ret, int64_t *oldest)
{
	return st->ops->outbox_depth(st, ret, oldest);
}

int
store_status(struct store *st, struct store_status *ret)
{
	return st->ops->status(st, ret);
}

int
store_failures(struct store *st, int64_t since, size_t max,
               int (*fn)(void *arg, const struct store_failure *f), void *arg)
{
	return st->ops->failures(st, since, max, fn, arg);
}

int
store_optouts(struct store *st,
              int (*fn)(void *arg, const struct store_optout *o), void *arg)
{
	return st->ops->optouts(st, fn, arg);
}

int
store_number_form(struct store *st, const char *number, char *buf, size_t len)
{
	return st->ops->number_form(st, number, buf, len);
}

int
store_history(struct store *st, const char *number, size_t max,
              int (*fn)(void *arg, const struct store_event *e), void *arg)
{
	return st->ops->history(st, number, max, fn, arg);
}

int
store_stats(struct store *st, int64_t since,
            int (*fn)(void *arg, const char *what, const char *name,
                      int64_t count),
            void *arg, struct store_stats *ret)
{
	return st->ops->stats(st, since, fn, arg, ret);
}

int
store_outbox_list(struct store *st, const struct store_outbox_filter *f,
                  size_t max,
                  int (*fn)(void *arg, const struct store_outbox_row *r),
                  void *arg)
{
	return st->ops->outbox_list(st, f, max, fn, arg);
}

int
store_outbox_operator_retry(struct store *st,
                            const struct store_outbox_filter *f, int64_t now,
                            int64_t *selected, int64_t *changed)
{
	return st->ops->outbox_operator_retry(st, f, now, selected, changed);
}

int
store_outbox_operator_cancel(struct store *st,
                             const struct store_outbox_filter *f, int64_t now,
                             int64_t *selected, int64_t *changed)
{
	return st->ops->outbox_operator_cancel(st, f, now, selected, changed);
}

int
store_decided(struct store *st, int64_t since, size_t max,
              int (*fn)(void *arg, const struct store_decided *m), void *arg)
{
	return st->ops->decided(st, since, max, fn, arg);
}
