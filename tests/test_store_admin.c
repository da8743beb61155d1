/* Tests for the operator's side of store_sqlite.c (store_open_existing and
 * the queries of backtalk status, optouts, history, stats and replay), on
 * the records of admin_data.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "admin_data.h"
#include "store.h"
#include "testutil.h"

#define NOW ADMIN_DATA_NOW

struct fixture {
	char *dir, *path;
	struct store *st; /* read-only, on the filled database */
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct store *w;
	char err[512] = "";

	if (fx == NULL)
		return -1;
	fx->dir = testutil_tmpdir();
	if (asprintf(&fx->path, "%s/state.db", fx->dir) < 0)
		return -1;
	if (store_open(fx->path, &w, err, sizeof(err)) != 0)
		fail_msg("store_open: %s", err);
	if (admin_data_fill(w, NOW) != 0)
		fail_msg("admin_data_fill: %s", store_error(w));
	store_close(w);
	if (store_open_existing(fx->path, false, &fx->st, NULL, err,
	                        sizeof(err)) != 0)
		fail_msg("store_open_existing: %s", err);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	store_close(fx->st);
	free(fx->path);
	testutil_rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Appends one line per row to a buffer, to compare with what a test
 * expects in one string. */
struct lines {
	char buf[4096];
	size_t len;
	int rows;
};

static void lines_add(struct lines *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
lines_add(struct lines *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	l->len += (size_t)vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len,
	                            fmt, ap);
	va_end(ap);
	assert_true(l->len < sizeof(l->buf));
	l->rows++;
}

#define S(x) ((x) ? (x) : "-")

static int
on_failure(void *arg, const struct store_failure *f)
{
	lines_add(arg, "%s %lld %s %s\n", f->to,
	          (long long)(NOW - f->failed_at), S(f->error_code),
	          S(f->error));
	return 0;
}

static int
on_optout(void *arg, const struct store_optout *o)
{
	lines_add(arg, "%s %s %lld\n", o->number, S(o->source),
	          (long long)(NOW - o->updated_at));
	return 0;
}

static int
on_event(void *arg, const struct store_event *e)
{
	lines_add(arg, "%lld %s %s/%s %s %s %s\n", (long long)(NOW - e->at),
	          e->outbound ? "out" : "in", S(e->category), S(e->rule),
	          S(e->state), S(e->note), e->body ? e->body : "<deleted>");
	return 0;
}

static int
on_group(void *arg, const char *what, const char *name, int64_t count)
{
	lines_add(arg, "%s %s %lld\n", what, S(name), (long long)count);
	return 0;
}

static int
on_decided(void *arg, const struct store_decided *m)
{
	lines_add(arg, "%s %s/%s %s\n", m->id, S(m->category), S(m->rule),
	          S(m->reply));
	return 0;
}

static int
stop_at_first(void *arg, const struct store_event *e)
{
	(void)e;
	(*(int *)arg)++;
	return 1;
}

static void
test_open_existing_missing(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	char err[512] = "", *path;
	int e = -1;

	if (asprintf(&path, "%s/nothing.db", fx->dir) < 0)
		fail();
	assert_int_equal(
	    store_open_existing(path, false, &st, &e, err, sizeof(err)), -1);
	assert_int_equal(e, ENOENT);
	assert_non_null(strstr(err, "nothing.db"));
	/* Not created, either way. */
	assert_int_equal(
	    store_open_existing(path, true, &st, &e, err, sizeof(err)), -1);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
}

static void
test_open_existing_refuses_other_versions(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	sqlite3 *db;
	char err[512] = "";

	/* The file's schema version, set by hand on purpose: the store never
	 * writes an older one. */
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(
	    store_open_existing(fx->path, false, &st, NULL, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "older than this backtalk"));
	/* Nor does the writable open migrate it. */
	assert_int_equal(
	    store_open_existing(fx->path, true, &st, NULL, err, sizeof(err)),
	    -1);
}

/* A read-only store writes nothing, and reads while the daemon holds a
 * write transaction open. */
static void
test_readonly_beside_writer(void **state)
{
	struct fixture *fx = *state;
	struct store *daemon;
	struct store_status s;
	char err[512] = "";

	assert_int_equal(store_state_set(fx->st, "x", "1"), -1);
	assert_int_equal(
	    store_optout_set(fx->st, ADMIN_DATA_A, true, "operator", NOW), -1);
	assert_int_equal(store_open(fx->path, &daemon, err, sizeof(err)), 0);
	assert_int_equal(store_batch_begin(daemon), 0);
	assert_int_equal(store_state_set(daemon, "y", "2"), 0);
	assert_int_equal(store_status(fx->st, &s), 0);
	assert_int_equal(s.inbound, 7);
	store_batch_rollback(daemon);
	store_close(daemon);
}

static void
test_status(void **state)
{
	struct fixture *fx = *state;
	struct store_status s;
	char v[32];

	memset(&s, 0xff, sizeof(s));
	assert_int_equal(store_status(fx->st, &s), 0);
	assert_int_equal(s.inbound, 7);
	assert_int_equal(s.staged, 1);
	assert_int_equal(s.optouts, 1);
	assert_int_equal(s.outbox[STORE_OUTBOX_PENDING], 2);
	assert_int_equal(s.outbox[STORE_OUTBOX_SENDING], 0);
	assert_int_equal(s.outbox[STORE_OUTBOX_SENT], 3);
	assert_int_equal(s.outbox[STORE_OUTBOX_FAILED], 2);
	assert_int_equal(s.outbox[STORE_OUTBOX_CANCELLED], 0);
	assert_int_equal(NOW - s.oldest_pending, 3600);
	assert_int_equal(store_state_get(fx->st, "last_poll", v, sizeof(v)), 1);
	assert_int_equal(strtoll(v, NULL, 10), NOW - 120);
}

static void
test_failures_since(void **state)
{
	struct fixture *fx = *state;
	struct lines l = { 0 };

	assert_int_equal(
	    store_failures(fx->st, NOW - 86400, 10, on_failure, &l), 0);
	assert_string_equal(l.buf, "+15551230002 7195 21610 unsubscribed "
	                           "recipient\n");
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_failures(fx->st, 0, 10, on_failure, &l), 0);
	assert_int_equal(l.rows, 2); /* newest first */
	assert_non_null(strstr(l.buf, "21610 unsubscribed recipient\n"
	                              "+15551230002 863995 30007"));
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_failures(fx->st, 0, 1, on_failure, &l), 0);
	assert_int_equal(l.rows, 1);
}

static void
test_optouts_and_number_form(void **state)
{
	struct fixture *fx = *state;
	struct lines l = { 0 };
	char buf[64];

	assert_int_equal(store_optouts(fx->st, on_optout, &l), 0);
	assert_string_equal(l.buf, "+15551230002 twilio:SMb3 1800\n");
	/* Either form finds the one the gateway wrote. */
	assert_int_equal(
	    store_number_form(fx->st, "+447700900123", buf, sizeof(buf)), 1);
	assert_string_equal(buf, ADMIN_DATA_C);
	assert_int_equal(
	    store_number_form(fx->st, "15551230001", buf, sizeof(buf)), 1);
	assert_string_equal(buf, ADMIN_DATA_A);
	assert_int_equal(
	    store_number_form(fx->st, "+15559999999", buf, sizeof(buf)), 0);
}

/* The operator's opt-out cancels the pending reply, and only that one. */
static void
test_optout_cancels_pending(void **state)
{
	struct fixture *fx = *state;
	struct store *w;
	struct store_status s;
	struct lines l = { 0 };
	char err[512] = "";

	assert_int_equal(
	    store_open_existing(fx->path, true, &w, NULL, err, sizeof(err)), 0);
	assert_int_equal(
	    store_optout_set(w, ADMIN_DATA_C, true, "operator", NOW), 0);
	store_close(w);
	assert_int_equal(store_status(fx->st, &s), 0);
	assert_int_equal(s.optouts, 2);
	assert_int_equal(s.outbox[STORE_OUTBOX_PENDING], 1);
	assert_int_equal(s.outbox[STORE_OUTBOX_CANCELLED], 1);
	assert_int_equal(store_optouts(fx->st, on_optout, &l), 0);
	assert_non_null(strstr(l.buf, "447700900123 operator 0\n"));
}

static void
test_history(void **state)
{
	struct fixture *fx = *state;
	struct lines l = { 0 };
	int n = 0;

	assert_int_equal(store_history(fx->st, "15551230002", 0, on_event, &l),
	                 0);
	assert_string_equal(
	    l.buf,
	    "864000 in fallback/- - - <deleted>\n"
	    "863995 out fallback/- failed 30007: carrier filtered <deleted>\n"
	    "7200 in tip/form - - form\n"
	    "7195 out tip/form failed 21610: unsubscribed recipient "
	    "Brace your core.\n"
	    "1800 in stop/- - - STOP\n"
	    "1795 out stop/- sent - You are unsubscribed.\n");
	/* The last two events, still in time order. */
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_history(fx->st, ADMIN_DATA_B, 2, on_event, &l),
	                 0);
	assert_string_equal(l.buf,
	                    "1800 in stop/- - - STOP\n"
	                    "1795 out stop/- sent - You are unsubscribed.\n");
	memset(&l, 0, sizeof(l));
	assert_int_equal(
	    store_history(fx->st, "+447700900123", 0, on_event, &l), 0);
	assert_string_equal(l.buf, "1200 in tip/stretch - - stretch please\n"
	                           "1200 out tip/stretch pending - Try "
	                           "cat-cow.\n");
	assert_int_equal(
	    store_history(fx->st, ADMIN_DATA_A, 0, stop_at_first, &n), 0);
	assert_int_equal(n, 1);
}

static void
test_stats(void **state)
{
	struct fixture *fx = *state;
	struct lines l = { 0 };
	struct store_stats s;

	memset(&s, 0xff, sizeof(s));
	assert_int_equal(store_stats(fx->st, NOW - 7 * 86400, on_group, &l, &s),
	                 0);
	assert_int_equal(s.inbound, 6);
	assert_int_equal(s.replies_sent, 3);
	assert_int_equal(s.replies_failed, 1);
	assert_int_equal(s.replies_pending, 2);
	assert_int_equal(s.replies_cancelled, 0);
	assert_int_equal(s.optouts, 1);
	assert_int_equal(s.optins, 0);
	assert_string_equal(l.buf, "category tip 4\n"
	                           "category stop 1\n"
	                           "category urgent 1\n"
	                           "topic - 2\n"
	                           "topic form 2\n"
	                           "topic stretch 2\n"
	                           "rule form 2\n"
	                           "rule stretch 2\n"
	                           "rule - 1\n"
	                           "rule numb-leg 1\n");
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_stats(fx->st, 0, on_group, &l, &s), 0);
	assert_int_equal(s.inbound, 7);
	assert_int_equal(s.replies_failed, 2);
	assert_non_null(strstr(l.buf, "category fallback 1\n"));
}

static void
test_decided(void **state)
{
	struct fixture *fx = *state;
	struct lines l = { 0 };

	assert_int_equal(store_decided(fx->st, 0, 0, on_decided, &l), 0);
	/* SMb1's body was cleared by retention. */
	assert_string_equal(l.buf,
	                    "SMa1 tip/form Brace your core.\n"
	                    "SMa2 urgent/numb-leg Numbness needs a doctor "
	                    "today.\n"
	                    "SMb2 tip/form Brace your core.\n"
	                    "SMa3 tip/stretch Try cat-cow.\n"
	                    "SMb3 stop/- You are unsubscribed.\n"
	                    "ib-c1 tip/stretch Try cat-cow.\n");
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_decided(fx->st, NOW - 3600, 2, on_decided, &l),
	                 0);
	assert_string_equal(l.buf, "SMa3 tip/stretch Try cat-cow.\n"
	                           "SMb3 stop/- You are unsubscribed.\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_open_existing_missing),
		T(test_open_existing_refuses_other_versions),
		T(test_readonly_beside_writer),
		T(test_status),
		T(test_failures_since),
		T(test_optouts_and_number_form),
		T(test_optout_cancels_pending),
		T(test_history),
		T(test_stats),
		T(test_decided),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
