/* Tests for store_sqlite.c: file modes, duplicates, the outbox life cycle,
 * a crash while sending, opt-outs, the flood-guard queries, retention,
 * schema versions, daemon state and rollback.  Each test has a database of
 * its own in a fresh directory; some look at the tables directly through a
 * second SQLite connection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "testutil.h"

struct fixture {
	char *dir;
	char *path;
	struct store *st;
};

static void
fx_open(struct fixture *fx)
{
	char err[512] = "";

	if (store_open(fx->path, &fx->st, err, sizeof(err)) != 0)
		fail_msg("store_open %s: %s", fx->path, err);
}

static void
fx_close(struct fixture *fx)
{
	store_close(fx->st);
	fx->st = NULL;
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->dir = testutil_tmpdir();
	if (asprintf(&fx->path, "%s/state.db", fx->dir) < 0)
		return -1;
	fx_open(fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	fx_close(fx);
	free(fx->path);
	testutil_rmdir(fx->dir);
	free(fx);
	return 0;
}

/* A path beside the database: "-wal", "-shm", or another name. */
static char *
fx_sibling(const struct fixture *fx, const char *suffix)
{
	char *p;

	if (asprintf(&p, "%s%s", fx->path, suffix) < 0)
		fail_msg("out of memory");
	return p;
}

/* The schema version this build makes, and how a test takes a database
 * back to version 6 (before conversations) and 4 (before claims had an
 * owner and a lease) to build an older one: the migration tests check the
 * file itself.  Version 6 (numbers in E.164) changed rows, not the schema:
 * undoing 7 and setting user_version to 5 is a version 5 database, with
 * whatever numbers the test wrote in it. */
#define SCHEMA_NOW 8
#define UNDO_V8    "DROP TABLE convo_event; DROP INDEX convo_waiting;"
#define UNDO_V7    UNDO_V8 "DROP TABLE scheduled; DROP TABLE convo;"
#define UNDO_V5                                         \
	UNDO_V7 "ALTER TABLE outbox DROP COLUMN owner;" \
	        "ALTER TABLE outbox DROP COLUMN lease_until;"

/* Looks at the database through a connection of its own.  The tests go
 * through store.h; these are for the few that check the file itself: its
 * format and schema version (opening, migrations, which build the old
 * schema by taking the new one back), every column of a recorded row, and
 * the big backlogs made in one statement for the cost tests. */
static int64_t
sql_int(const struct fixture *fx, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL) !=
	        SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* The first column of the first row as text; "<null>" for NULL and
 * "<none>" for no row.  Owned by the caller. */
static char *
sql_text(const struct fixture *fx, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	const unsigned char *v;
	char *out;

	if (sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL) !=
	        SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) != SQLITE_ROW)
		out = strdup("<none>");
	else if ((v = sqlite3_column_text(s, 0)) == NULL)
		out = strdup("<null>");
	else
		out = strdup((const char *)v);
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_non_null(out);
	return out;
}

#define assert_sql_text(fx, sql, want)              \
	do {                                        \
		char *got_ = sql_text((fx), (sql)); \
		assert_string_equal(got_, (want));  \
		free(got_);                         \
	} while (0)

static void
sql_exec(const struct fixture *fx, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	if (sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	        SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* Reading through the interface. */

/* A second handle on the same database, as a second daemon on a shared
 * store would have (no lock: store_open_existing, writable). */
static struct store *
second_handle(const struct fixture *fx)
{
	struct store *st = NULL;
	char err[512] = "";

	if (store_open_existing(fx->path, true, &st, NULL, err, sizeof(err)) !=
	    0)
		fail_msg("store_open_existing %s: %s", fx->path, err);
	return st;
}

/* Replies waiting, being sent, sent, failed and cancelled, all told. */
static int64_t
outbox_total(struct store *st)
{
	struct store_status ss;
	int64_t n = 0;

	if (store_status(st, &ss) != 0)
		fail_msg("store_status: %s", store_error(st));
	for (int i = 0; i <= STORE_OUTBOX_CANCELLED; i++)
		n += ss.outbox[i];
	return n;
}

static int64_t
inbound_total(struct store *st)
{
	struct store_counts c;

	if (store_counts(st, &c) != 0)
		fail_msg("store_counts: %s", store_error(st));
	return c.inbound;
}

static int
newest_row(void *arg, const struct store_outbox_row *r)
{
	*(struct store_outbox_row *)arg = *r;
	return 1;
}

/* The newest reply to number (its outbox row id), as `backtalk outbox`
 * lists it. */
static int64_t
newest_reply(struct store *st, const char *number)
{
	struct store_outbox_filter f = { .number = number, .state = -1 };
	struct store_outbox_row r = { .id = 0 };

	if (store_outbox_list(st, &f, 1, newest_row, &r) != 0)
		fail_msg("store_outbox_list: %s", store_error(st));
	return r.id;
}

struct history_text {
	char buf[1024];
};

static int
history_line(void *arg, const struct store_event *e)
{
	struct history_text *h = arg;
	size_t len = strlen(h->buf);

	if (e->outbound)
		snprintf(h->buf + len, sizeof(h->buf) - len,
		         "%sreply %s|%lld|%s|%s", len ? "\n" : "", e->state,
		         (long long)e->at, e->note ? e->note : "-",
		         e->body ? e->body : "<null>");
	else
		snprintf(h->buf + len, sizeof(h->buf) - len,
		         "%s%s %s|%lld|%s|%s|%s|%s|%s", len ? "\n" : "",
		         e->gateway, e->id, (long long)e->at, e->category,
		         e->topic ? e->topic : "-", e->rule ? e->rule : "-",
		         e->note ? e->note : "-", e->body ? e->body : "<null>");
	return 0;
}

/* A number's messages and replies, one a line, as `backtalk history`
 * reads them: "twilio SM1|received|category|topic|rule|note|body" and
 * "reply state|at|error|body". */
static const char *
history(struct store *st, const char *number)
{
	static struct history_text h;

	h.buf[0] = '\0';
	if (store_history(st, number, 0, history_line, &h) != 0)
		fail_msg("store_history: %s", store_error(st));
	return h.buf;
}

static int
reply_row_of(void *arg, const struct store_outbox_row *r)
{
	char *out = arg;

	snprintf(out, 128, "%s|%d|%s|%lld", r->state, r->attempts,
	         r->error_code ? r->error_code : "-",
	         (long long)r->next_attempt_at);
	return 0;
}

/* A reply as `backtalk outbox` lists it: "state|attempts|error code|due". */
static const char *
reply_row(struct store *st, int64_t id)
{
	static char out[128];
	struct store_outbox_filter f = { .id = id, .state = -1 };

	snprintf(out, sizeof(out), "<none>");
	if (store_outbox_list(st, &f, 0, reply_row_of, out) != 0)
		fail_msg("store_outbox_list: %s", store_error(st));
	return out;
}

static int
optout_line(void *arg, const struct store_optout *o)
{
	char *out = arg;
	size_t len = strlen(out);

	snprintf(out + len, 128 - len, "%s%s|%s|%lld", len ? " " : "",
	         o->number, o->source ? o->source : "-",
	         (long long)o->updated_at);
	return 0;
}

/* The opted-out numbers as `backtalk optouts` lists them. */
static const char *
optouts(struct store *st)
{
	static char out[128];

	out[0] = '\0';
	if (store_optouts(st, optout_line, out) != 0)
		fail_msg("store_optouts: %s", store_error(st));
	return out;
}

static struct store_inbound
inbound(const char *id, const char *from, const char *body, int64_t t)
{
	struct store_inbound in = {
		.gateway = "twilio",
		.id = id,
		.from = from,
		.to = "+15550000000",
		.body = body,
		.sent_at = t - 1,
		.received_at = t,
	};
	return in;
}

static struct store_decision
reply(const char *text)
{
	struct store_decision dec = {
		.category = "info",
		.topic = "hours",
		.rule = "info-hours",
		.action = STORE_ACTION_REPLY,
		.reply = text,
		.reply_from = "+15550000000",
	};
	return dec;
}

static struct store_decision
no_reply(const char *category, const char *note)
{
	struct store_decision dec = {
		.category = category,
		.action = STORE_ACTION_NONE,
		.note = note,
	};
	return dec;
}

static void
record_ok(struct store *st, const struct store_inbound *in,
          const struct store_decision *dec)
{
	enum store_record_result r = store_record(st, in, dec);

	if (r != STORE_RECORDED)
		fail_msg("store_record %s: %d: %s", in->id, (int)r,
		         store_error(st));
}

/* Records a message from `from` at t that gets `text` as its reply, and
 * returns the outbox row id. */
static int64_t
record_reply(struct fixture *fx, const char *id, const char *from,
             const char *text, int64_t t)
{
	struct store_inbound in = inbound(id, from, "hello", t);
	struct store_decision dec = reply(text);

	record_ok(fx->st, &in, &dec);
	return newest_reply(fx->st, from);
}

static void
assert_counts(struct store *st, int64_t inbound_n, int64_t sent, int64_t failed,
              int64_t pending, int64_t optouts)
{
	struct store_counts c;

	memset(&c, 0xff, sizeof(c));
	if (store_counts(st, &c) != 0)
		fail_msg("store_counts: %s", store_error(st));
	assert_int_equal(c.inbound, inbound_n);
	assert_int_equal(c.replies_sent, sent);
	assert_int_equal(c.replies_failed, failed);
	assert_int_equal(c.outbox_pending, pending);
	assert_int_equal(c.optouts, optouts);
	/* The metrics' cheap count agrees. */
	int64_t depth = -1;
	assert_int_equal(store_outbox_depth(st, &depth, NULL), 0);
	assert_int_equal(depth, pending);
}

static void
assert_mode_0600(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		fail_msg("%s: missing", path);
	if ((sb.st_mode & 07777) != 0600)
		fail_msg("%s: mode %o, want 600", path,
		         (unsigned)(sb.st_mode & 07777));
}

/* Opening. */

static void
test_open_creates_private_files(void **state)
{
	struct fixture *fx = *state;
	struct store_inbound in = inbound("SM1", "+15551110001", "hi", 100);
	struct store_decision dec = reply("Open 9 to 5.");
	char *wal = fx_sibling(fx, "-wal"), *shm = fx_sibling(fx, "-shm");
	mode_t old;

	/* Recreate with a permissive umask: the files must still be 0600,
	 * and the caller's umask must come back unchanged. */
	fx_close(fx);
	unlink(fx->path);
	unlink(wal);
	unlink(shm);
	old = umask(0);
	fx_open(fx);
	assert_int_equal(umask(old), 0);

	assert_mode_0600(fx->path);
	record_ok(fx->st, &in, &dec);
	assert_mode_0600(wal);
	assert_mode_0600(shm);
	assert_int_equal(sql_int(fx, "PRAGMA user_version"), SCHEMA_NOW);
	assert_sql_text(fx, "PRAGMA journal_mode", "wal");
	free(wal);
	free(shm);
}

static void
test_open_refuses_symlink(void **state)
{
	struct fixture *fx = *state;
	char *link = fx_sibling(fx, ".link");
	struct store *st = NULL;
	char err[512] = "";

	assert_int_equal(symlink(fx->path, link), 0);
	assert_int_equal(store_open(link, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, "symbolic link"));
	unlink(link);
	free(link);
}

static void
test_open_refuses_other_files(void **state)
{
	struct fixture *fx = *state;
	char *junk = testutil_write(fx->dir, "junk.db",
	                            "this is not an SQLite database, but it "
	                            "is long enough to have a header.\n");
	struct store *st = NULL;
	char err[512] = "";

	assert_int_equal(store_open(junk, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, "junk.db"));
	assert_non_null(strstr(err, "not a database"));
	assert_int_equal(store_open(fx->dir, &st, err, sizeof(err)), -1);
	assert_null(st);
	free(junk);
}

static void
test_newer_schema_refused(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	char err[512] = "";

	fx_close(fx);
	sql_exec(fx, "PRAGMA user_version = 99");
	assert_int_equal(store_open(fx->path, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, fx->path));
	assert_non_null(strstr(err, "schema version 99 is newer"));
	/* Refusing does not touch it. */
	assert_int_equal(sql_int(fx, "PRAGMA user_version"), 99);
	sql_exec(fx, "PRAGMA user_version = 8");
	fx_open(fx);
}

static void
test_reopen_keeps_data(void **state)
{
	struct fixture *fx = *state;
	struct store_inbound in = inbound("SM1", "+15551110001", "hi", 100);
	struct store_decision dec = reply("Open 9 to 5.");
	struct store_outbox_item it;
	char buf[32];

	record_ok(fx->st, &in, &dec);
	assert_int_equal(store_state_set(fx->st, "last_poll", "100"), 0);
	fx_close(fx);
	fx_open(fx);

	assert_int_equal(store_seen(fx->st, "twilio", "SM1"), 1);
	assert_int_equal(store_seen(fx->st, "twilio", "SM2"), 0);
	assert_int_equal(store_seen(fx->st, "infobip", "SM1"), 0);
	assert_int_equal(store_state_get(fx->st, "last_poll", buf, sizeof(buf)),
	                 1);
	assert_string_equal(buf, "100");
	assert_int_equal(store_outbox_next(fx->st, 100, &it), 1);
	assert_string_equal(it.body, "Open 9 to 5.");
	store_outbox_item_free(&it);
	assert_counts(fx->st, 1, 0, 0, 1, 0);
}

/* Recording. */

static void
test_record_duplicate(void **state)
{
	struct fixture *fx = *state;
	struct store_inbound in = inbound("SM1", "+15551110001", "hi", 100);
	struct store_inbound again = inbound("SM1", "+15551110002", "bye", 500);
	struct store_decision dec = reply("Open 9 to 5.");
	struct store_decision stop = no_reply("stop", NULL);

	record_ok(fx->st, &in, &dec);
	stop.optout_change = 1;
	assert_int_equal(store_record(fx->st, &again, &stop), STORE_DUPLICATE);

	/* Nothing of the second one was kept. */
	assert_counts(fx->st, 1, 0, 0, 1, 0);
	assert_string_equal(history(fx->st, "+15551110001"),
	                    "twilio SM1|100|info|hours|info-hours|-|hi\n"
	                    "reply pending|100|-|Open 9 to 5.");
	assert_string_equal(history(fx->st, "+15551110002"), "");
	assert_int_equal(outbox_total(fx->st), 1);
	assert_int_equal(store_is_opted_out(fx->st, "+15551110002"), 0);

	/* The key is the gateway and its id together. */
	again.gateway = "infobip";
	record_ok(fx->st, &again, &stop);
	assert_counts(fx->st, 2, 0, 0, 1, 1);
}

static void
test_record_fields(void **state)
{
	struct fixture *fx = *state;
	struct store_inbound in = inbound("SM1", "+15551110001", "hi", 100);
	struct store_decision dec = no_reply("fallback", "flood guard");

	in.body = NULL;
	record_ok(fx->st, &in, &dec);
	assert_string_equal(history(fx->st, "+15551110001"),
	                    "twilio SM1|100|fallback|-|-|flood guard|<null>");
	/* Every column as stored, the ones no call returns too (to_number,
	 * sent_at): the row itself is the subject here. */
	assert_sql_text(fx,
	                "SELECT gateway || '|' || id || '|' || from_number || "
	                "'|' || to_number || '|' || ifnull(body, '-') || '|' "
	                "|| sent_at || '|' || received_at || '|' || category "
	                "|| '|' || ifnull(topic, '-') || '|' || "
	                "ifnull(rule, '-') || '|' || note FROM inbound",
	                "twilio|SM1|+15551110001|+15550000000|-|99|100|"
	                "fallback|-|-|flood guard");
	/* No reply decided, no outbox row. */
	assert_int_equal(outbox_total(fx->st), 0);
}

static void
test_failed_record_leaves_nothing(void **state)
{
	struct fixture *fx = *state;
	struct store_inbound in = inbound("SM1", "+15551110001", "STOP", 100);
	struct store_decision dec = reply(NULL);
	struct store_decision fine = reply("You will get no more messages.");

	/* The inbound row and the opt-out are written before the outbox
	 * insert fails on the missing reply: all of it must go. */
	dec.category = "stop";
	dec.optout_change = 1;
	assert_int_equal(store_record(fx->st, &in, &dec), STORE_ERROR);
	assert_non_null(strstr(store_error(fx->st), "SM1"));
	assert_non_null(strstr(store_error(fx->st), "outbox_body_to_send"));
	assert_int_equal(store_seen(fx->st, "twilio", "SM1"), 0);
	assert_int_equal(store_is_opted_out(fx->st, "+15551110001"), 0);
	assert_counts(fx->st, 0, 0, 0, 0, 0);
	assert_string_equal(optouts(fx->st), "");
	assert_int_equal(outbox_total(fx->st), 0);

	/* A message without a sender fails the same way. */
	in.from = NULL;
	assert_int_equal(store_record(fx->st, &in, &fine), STORE_ERROR);
	assert_int_equal(store_seen(fx->st, "twilio", "SM1"), 0);

	/* The store is usable afterwards, and the id is not taken. */
	in.from = "+15551110001";
	fine.optout_change = 1;
	record_ok(fx->st, &in, &fine);
	assert_counts(fx->st, 1, 0, 0, 1, 1);
}

/* The outbox. */

static void
test_reply_is_pending_and_due(void **state)
{
	struct fixture *fx = *state;
	struct store_outbox_item it;
	int64_t id =
	    record_reply(fx, "SM1", "+15551110001", "Open 9 to 5.", 100);

	assert_true(id > 0);
	assert_int_equal(store_outbox_next(fx->st, 99, &it), 0);
	assert_int_equal(store_outbox_next(fx->st, 100, &it), 1);
	assert_int_equal(it.id, id);
	assert_string_equal(it.inbound_id, "SM1");
	assert_string_equal(it.to, "+15551110001");
	assert_string_equal(it.from, "+15550000000");
	assert_string_equal(it.body, "Open 9 to 5.");
	assert_int_equal(it.attempts, 0);
	assert_int_equal(it.created_at, 100);
	assert_int_equal(it.sending_since, 0);
	assert_int_equal(it.state, STORE_OUTBOX_PENDING);
	store_outbox_item_free(&it);
	assert_null(it.body);
	store_outbox_item_free(NULL);
}

static void
test_outbox_order(void **state)
{
	struct fixture *fx = *state;
	struct store_outbox_item it;
	int64_t late = record_reply(fx, "SM1", "+15551110001", "one", 200);
	int64_t early = record_reply(fx, "SM2", "+15551110002", "two", 100);

	assert_int_equal(store_outbox_next(fx->st, 150, &it), 1);
	assert_int_equal(it.id, early);
	store_outbox_item_free(&it);
	assert_int_equal(store_outbox_sent(fx->st, early, "SMa", 150), 0);
	assert_int_equal(store_outbox_next(fx->st, 150, &it), 0);
	assert_int_equal(store_outbox_next(fx->st, 200, &it), 1);
	assert_int_equal(it.id, late);
	store_outbox_item_free(&it);
}

static void
test_outbox_transitions(void **state)
{
	struct fixture *fx = *state;
	struct store_outbox_item it;
	int64_t a = record_reply(fx, "SM1", "+15551110001", "one", 100);
	int64_t b = record_reply(fx, "SM2", "+15551110002", "two", 100);
	int64_t c = record_reply(fx, "SM3", "+15551110003", "three", 100);

	/* a: begin, transient failure, not due until next_at, then sent. */
	assert_int_equal(store_outbox_claim(fx->st, a, 101, 101 + 30), 1);
	assert_int_equal(store_outbox_next(fx->st, 101, &it), 1);
	assert_int_equal(it.id, a);
	assert_int_equal(it.state, STORE_OUTBOX_SENDING);
	assert_int_equal(it.attempts, 1);
	assert_int_equal(it.sending_since, 101);
	store_outbox_item_free(&it);

	assert_int_equal(store_outbox_retry(fx->st, a, 160, "HTTP 503"), 0);
	assert_int_equal(store_outbox_next(fx->st, 159, &it), 1);
	assert_int_not_equal(it.id, a); /* b or c, due since 100 */
	store_outbox_item_free(&it);
	assert_int_equal(store_outbox_cancel(fx->st, c, "opted out"), 0);
	assert_int_equal(store_outbox_claim(fx->st, b, 102, 102 + 30), 1);
	assert_int_equal(
	    store_outbox_failed(fx->st, b, "21610", "unsubscribed", 103), 0);
	assert_int_equal(store_outbox_next(fx->st, 159, &it), 0);

	assert_int_equal(store_outbox_next(fx->st, 160, &it), 1);
	assert_int_equal(it.id, a);
	assert_int_equal(it.state, STORE_OUTBOX_PENDING);
	assert_int_equal(it.attempts, 1);
	assert_int_equal(it.sending_since, 101);
	store_outbox_item_free(&it);
	assert_int_equal(store_outbox_claim(fx->st, a, 160, 160 + 30), 1);
	assert_int_equal(store_outbox_sent(fx->st, a, "SMreply1", 161), 0);
	assert_int_equal(store_outbox_next(fx->st, 1000, &it), 0);

	assert_string_equal(reply_row(fx->st, a), "sent|2|-|160");
	assert_string_equal(history(fx->st, "+15551110001"),
	                    "twilio SM1|100|info|hours|info-hours|-|hello\n"
	                    "reply sent|161|HTTP 503|one");
	assert_int_equal(store_outbox_claimed(fx->st, "SMreply1", 0), 1);
	assert_int_equal(store_outbox_claimed(fx->st, "SMreply1", a), 0);
	assert_string_equal(reply_row(fx->st, b), "failed|1|21610|100");
	assert_string_equal(history(fx->st, "+15551110002"),
	                    "twilio SM2|100|info|hours|info-hours|-|hello\n"
	                    "reply failed|103|21610: unsubscribed|two");
	assert_string_equal(reply_row(fx->st, c), "cancelled|0|-|100");
	assert_non_null(strstr(history(fx->st, "+15551110003"),
	                       "reply cancelled|100|opted out|"));
	assert_counts(fx->st, 3, 1, 1, 0, 0);

	/* Settled rows stay settled; outcomes for unknown rows are errors. */
	/* A settled row is not claimed (0: nothing to take, no error). */
	assert_int_equal(store_outbox_claim(fx->st, a, 200, 200 + 30), 0);
	assert_int_equal(store_outbox_sent(fx->st, b, "SMx", 200), -1);
	assert_int_equal(store_outbox_retry(fx->st, c, 200, "x"), -1);
	assert_int_equal(store_outbox_failed(fx->st, a, "1", "x", 200), -1);
	assert_int_equal(store_outbox_cancel(fx->st, a, "x"), -1);
	assert_int_equal(store_outbox_claim(fx->st, 999, 200, 200 + 30), 0);
	assert_counts(fx->st, 3, 1, 1, 0, 0);
}

/* An attempt the gateway surely did not act on goes back to pending with
 * no attempt time (so no lookup before the next), its attempt given back
 * when it is not to count (a 429, refused credentials). */
static void
test_outbox_requeue(void **state)
{
	struct fixture *fx = *state;
	struct store_outbox_item it;
	int64_t a = record_reply(fx, "SM1", "+15551110001", "one", 100);

	assert_int_equal(store_outbox_claim(fx->st, a, 101, 101 + 30), 1);
	assert_int_equal(
	    store_outbox_requeue(fx->st, a, 105, "HTTP 429", false), 0);
	assert_int_equal(store_outbox_next(fx->st, 104, &it), 0);
	assert_int_equal(store_outbox_next(fx->st, 105, &it), 1);
	assert_int_equal(it.state, STORE_OUTBOX_PENDING);
	assert_int_equal(it.attempts, 0);
	assert_int_equal(it.sending_since, 0);
	store_outbox_item_free(&it);

	assert_int_equal(store_outbox_claim(fx->st, a, 106, 106 + 30), 1);
	assert_int_equal(
	    store_outbox_requeue(fx->st, a, 110, "connection refused", true),
	    0);
	assert_int_equal(store_outbox_next(fx->st, 110, &it), 1);
	assert_int_equal(it.attempts, 1);
	assert_int_equal(it.sending_since, 0);
	store_outbox_item_free(&it);
	assert_non_null(strstr(history(fx->st, "+15551110001"),
	                       "reply pending|100|connection refused|"));

	assert_int_equal(store_outbox_sent(fx->st, a, "SMa", 111), 0);
	assert_int_equal(store_outbox_requeue(fx->st, a, 120, "x", true), -1);
}

/* The child records two replies, starts sending the later one and dies
 * without a word, as a crash or a kill -9 would leave things. */
static void
crash_while_sending(const char *path)
{
	struct store *st = NULL;
	struct store_inbound a = inbound("SMa", "+15551110001", "hi", 100);
	struct store_inbound b = inbound("SMb", "+15551110002", "hi", 50);
	struct store_decision dec = reply("Open 9 to 5.");
	struct store_outbox_item it;
	char err[512];

	if (store_open(path, &st, err, sizeof(err)) != 0 ||
	    store_record(st, &a, &dec) != STORE_RECORDED ||
	    store_outbox_next(st, 100, &it) != 1 ||
	    store_outbox_claim(st, it.id, 120, 150) != 1 ||
	    store_record(st, &b, &dec) != STORE_RECORDED)
		_exit(1);
	raise(SIGKILL);
	_exit(2);
}

static void
test_sending_row_first_after_crash(void **state)
{
	struct fixture *fx = *state;
	struct store_outbox_item it;
	pid_t pid;
	int status;

	fx_close(fx);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		crash_while_sending(fx->path);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail_msg("child did not get to the crash (status %d)", status);

	fx_open(fx);
	/* Both records survived, and the row that was being sent comes
	 * before b, although b has been due for longer. */
	assert_counts(fx->st, 2, 0, 0, 2, 0);
	assert_int_equal(store_outbox_next(fx->st, 1000, &it), 1);
	assert_string_equal(it.inbound_id, "SMa");
	assert_int_equal(it.state, STORE_OUTBOX_SENDING);
	assert_int_equal(it.sending_since, 120);
	assert_int_equal(it.attempts, 1);
	/* Settled with the gateway: it went out. */
	assert_int_equal(store_outbox_sent(fx->st, it.id, "SMreply", 1000), 0);
	store_outbox_item_free(&it);
	assert_int_equal(store_outbox_next(fx->st, 1000, &it), 1);
	assert_string_equal(it.inbound_id, "SMb");
	assert_int_equal(it.state, STORE_OUTBOX_PENDING);
	store_outbox_item_free(&it);
}

/* Opt-outs. */

static void
test_optout_set(void **state)
{
	struct fixture *fx = *state;
	const char *n = "+15551110001";

	assert_int_equal(store_is_opted_out(fx->st, n), 0);
	assert_int_equal(store_optout_set(fx->st, n, true, "admin", 100), 0);
	assert_int_equal(store_is_opted_out(fx->st, n), 1);
	assert_int_equal(store_is_opted_out(fx->st, "+15551110002"), 0);
	assert_counts(fx->st, 0, 0, 0, 0, 1);
	assert_string_equal(optouts(fx->st), "+15551110001|admin|100");
	assert_int_equal(store_optout_set(fx->st, n, true, "admin", 110), 0);
	assert_int_equal(store_is_opted_out(fx->st, n), 1);
	assert_int_equal(store_optout_set(fx->st, n, false, "admin", 120), 0);
	assert_int_equal(store_is_opted_out(fx->st, n), 0);
	assert_counts(fx->st, 0, 0, 0, 0, 0);
}

static int
stats_ignore(void *arg, const char *what, const char *name, int64_t count)
{
	(void)arg;
	(void)what;
	(void)name;
	(void)count;
	return 0;
}

static void
test_optout_in_record(void **state)
{
	struct fixture *fx = *state;
	const char *n = "+15551110001";
	struct store_inbound stop = inbound("SM2", n, "STOP", 200);
	struct store_inbound start = inbound("SM3", n, "START", 300);
	struct store_decision confirm = reply("You will get no more messages.");
	struct store_decision welcome = reply("Welcome back.");
	struct store_outbox_item it;
	int64_t before, other;

	before = record_reply(fx, "SM1", n, "Open 9 to 5.", 100);
	other = record_reply(fx, "SM9", "+15551110002", "Open 9 to 5.", 100);
	confirm.category = "stop";
	confirm.optout_change = 1;
	record_ok(fx->st, &stop, &confirm);
	assert_int_equal(store_is_opted_out(fx->st, n), 1);
	assert_string_equal(optouts(fx->st), "+15551110001|twilio:SM2|200");

	/* The reply decided before the STOP is cancelled with it; the
	 * confirmation and other numbers' replies are not. */
	assert_string_equal(reply_row(fx->st, before), "cancelled|0|-|100");
	assert_int_equal(store_outbox_next(fx->st, 1000, &it), 1);
	assert_int_equal(it.id, other);
	store_outbox_item_free(&it);
	assert_int_equal(store_outbox_sent(fx->st, other, "x", 1000), 0);
	assert_int_equal(store_outbox_next(fx->st, 1000, &it), 1);
	assert_int_not_equal(it.id, before);
	assert_string_equal(it.inbound_id, "SM2");
	assert_string_equal(it.body, "You will get no more messages.");
	store_outbox_item_free(&it);

	welcome.category = "start";
	welcome.optout_change = -1;
	record_ok(fx->st, &start, &welcome);
	assert_int_equal(store_is_opted_out(fx->st, n), 0);
	assert_string_equal(optouts(fx->st), "");
	assert_counts(fx->st, 4, 1, 0, 2, 0);
	struct store_stats ss;
	assert_int_equal(store_stats(fx->st, 0, stats_ignore, NULL, &ss), 0);
	assert_int_equal(ss.optouts, 0);
	assert_int_equal(ss.optins, 1);
}

/* Flood guard. */

static void
test_recent_replies(void **state)
{
	struct fixture *fx = *state;
	const char *x = "+15551110001", *y = "+15551110002";
	int64_t n = -1, first, third;

	first = record_reply(fx, "SM1", x, "A", 100);
	record_reply(fx, "SM2", x, "B", 200);
	third = record_reply(fx, "SM3", x, "B", 300);
	record_reply(fx, "SM4", y, "C", 300);

	assert_int_equal(store_recent_replies(fx->st, x, 0, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_recent_replies(fx->st, x, 150, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_recent_replies(fx->st, x, 300, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_recent_replies(fx->st, x, 301, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_recent_replies(fx->st, "+1555", 0, &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(store_recent_same_reply(fx->st, x, "A", 100), 1);
	assert_int_equal(store_recent_same_reply(fx->st, x, "A", 101), 0);
	assert_int_equal(store_recent_same_reply(fx->st, x, "B", 250), 1);
	assert_int_equal(store_recent_same_reply(fx->st, x, "C", 0), 0);
	assert_int_equal(store_recent_same_reply(fx->st, y, "C", 0), 1);

	/* Sent replies count; cancelled ones do not. */
	assert_int_equal(store_outbox_sent(fx->st, third, "SMr", 301), 0);
	assert_int_equal(store_recent_replies(fx->st, x, 250, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_outbox_cancel(fx->st, first, "test"), 0);
	assert_int_equal(store_recent_replies(fx->st, x, 0, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_recent_same_reply(fx->st, x, "A", 0), 0);
	assert_int_equal(store_recent_same_reply(fx->st, x, "B", 250), 1);
}

/* Retention. */

/* Whether the bytes of s appear anywhere in the file. */
static bool
file_contains(const char *path, const char *s)
{
	FILE *fp = fopen(path, "rb");
	size_t n = strlen(s), len = 0, cap = 0;
	char *buf = NULL, chunk[4096];
	size_t got;
	bool found;

	if (fp == NULL)
		return false;
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (len + got > cap) {
			cap = (len + got) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		memcpy(buf + len, chunk, got);
		len += got;
	}
	fclose(fp);
	found = buf != NULL && memmem(buf, len, s, n) != NULL;
	free(buf);
	return found;
}

static void
test_retention(void **state)
{
	struct fixture *fx = *state;
	struct store_inbound in =
	    inbound("SM1", "+15551110001", "old-inbound-body-1", 100);
	struct store_decision dec = reply("old-reply-body-1");
	struct store_outbox_item it;
	char *wal = fx_sibling(fx, "-wal");
	int64_t first, second;
	struct stat sb;

	record_ok(fx->st, &in, &dec);
	first = newest_reply(fx->st, in.from);
	in = inbound("SM2", "+15551110002", "old-inbound-body-2", 200);
	dec = reply("still-to-send-2");
	record_ok(fx->st, &in, &dec);
	second = newest_reply(fx->st, in.from);
	in = inbound("SM3", "+15551110003", "new-inbound-body-3", 300);
	dec = reply("new-reply-body-3");
	record_ok(fx->st, &in, &dec);
	assert_int_equal(store_outbox_sent(fx->st, first, "SMr1", 101), 0);
	assert_int_equal(store_outbox_claim(fx->st, second, 201, 201 + 30), 1);
	assert_int_equal(store_outbox_retry(fx->st, second, 5000, "503"), 0);
	fx_close(fx);
	fx_open(fx);
	assert_true(file_contains(fx->path, "old-inbound-body-1"));

	/* Inbound SM1 and SM2, and the sent reply to SM1; the reply to SM2
	 * is still to be sent and keeps its text. */
	assert_int_equal(store_retention(fx->st, 250), 3);
	assert_counts(fx->st, 3, 1, 0, 2, 0);
	assert_string_equal(history(fx->st, "+15551110001"),
	                    "twilio SM1|100|info|hours|info-hours|-|<null>\n"
	                    "reply sent|101|-|<null>");
	assert_string_equal(history(fx->st, "+15551110002"),
	                    "twilio SM2|200|info|hours|info-hours|-|<null>\n"
	                    "reply pending|200|503|still-to-send-2");
	assert_string_equal(history(fx->st, "+15551110003"),
	                    "twilio SM3|300|info|hours|info-hours|-|"
	                    "new-inbound-body-3\n"
	                    "reply pending|300|-|new-reply-body-3");
	assert_int_equal(store_outbox_claimed(fx->st, "SMr1", 0), 1);
	assert_int_equal(store_outbox_next(fx->st, 4999, &it), 1);
	assert_string_equal(it.body, "new-reply-body-3");
	store_outbox_item_free(&it);

	/* Gone from the files, not only from the tables. */
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_false(file_contains(fx->path, "old-inbound-body-1"));
	assert_false(file_contains(fx->path, "old-inbound-body-2"));
	assert_false(file_contains(fx->path, "old-reply-body-1"));
	assert_true(file_contains(fx->path, "new-inbound-body-3"));

	/* Nothing left to clear. */
	assert_int_equal(store_retention(fx->st, 250), 0);
	/* Once sent, the second reply's text goes too. */
	assert_int_equal(store_outbox_sent(fx->st, second, "SMr2", 5001), 0);
	assert_int_equal(store_retention(fx->st, 250), 1);
	assert_counts(fx->st, 3, 2, 0, 1, 0);
	free(wal);
}

/* Daemon state. */

static void
test_state_get_set(void **state)
{
	struct fixture *fx = *state;
	char buf[16] = "junk", tiny[4];

	assert_int_equal(
	    store_state_get(fx->st, "twilio_since", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(store_state_set(fx->st, "twilio_since", "12345"), 0);
	assert_int_equal(
	    store_state_get(fx->st, "twilio_since", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "12345");
	assert_int_equal(store_state_set(fx->st, "twilio_since", "678"), 0);
	assert_int_equal(
	    store_state_get(fx->st, "twilio_since", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "678");
	assert_int_equal(store_state_get(fx->st, "last_poll", buf, sizeof(buf)),
	                 0);
	/* "678" and its NUL need 4 bytes; "1234" does not fit. */
	assert_int_equal(
	    store_state_get(fx->st, "twilio_since", tiny, sizeof(tiny)), 1);
	assert_int_equal(store_state_set(fx->st, "twilio_since", "1234"), 0);
	assert_int_equal(
	    store_state_get(fx->st, "twilio_since", tiny, sizeof(tiny)), -1);
	assert_non_null(strstr(store_error(fx->st), "does not fit"));
	assert_int_equal(store_state_get(fx->st, "last_poll", buf, sizeof(buf)),
	                 0);
}

/* Staging and batches. */

static void
test_migrate_from_v1(void **state)
{
	struct fixture *fx = *state;
	struct store_inbound in = inbound("SM1", "+15551110001", "hi", 100);
	struct store_decision dec = reply("Open 9 to 5.");

	record_ok(fx->st, &in, &dec);
	fx_close(fx);
	/* What the first schema looked like. */
	sql_exec(fx, UNDO_V5 "DROP INDEX outbox_fresh; DROP INDEX outbox_later;"
	                     "DROP INDEX outbox_urgency;"
	                     "ALTER TABLE outbox DROP COLUMN urgency;"
	                     "DROP TABLE incoming; PRAGMA user_version = 1");
	fx_open(fx);
	assert_int_equal(sql_int(fx, "PRAGMA user_version"), SCHEMA_NOW);
	struct store_counts c;
	assert_int_equal(store_counts(fx->st, &c), 0);
	assert_int_equal(c.staged, 0);
	assert_int_equal(c.inbound, 1);
	assert_int_equal(store_seen(fx->st, "twilio", "SM1"), 1);
}

static void
test_incoming_staging(void **state)
{
	struct fixture *fx = *state;
	struct store_inbound a = inbound("SMa", "+15551110001", "later", 300);
	struct store_inbound b = inbound("SMb", "+15551110002", "first", 100);
	struct store_inbound c = inbound("SMc", "+15551110003", "tie 1", 200);
	struct store_inbound d = inbound("SMd", "+15551110004", "tie 2", 200);
	struct store_decision dec = reply("Open 9 to 5.");
	struct store_staged got[8];
	struct store_counts counts;
	size_t n;

	assert_int_equal(store_incoming_add(fx->st, &a), 1);
	assert_int_equal(store_incoming_add(fx->st, &b), 1);
	assert_int_equal(store_incoming_add(fx->st, &c), 1);
	assert_int_equal(store_incoming_add(fx->st, &d), 1);
	/* Staged is not recorded yet. */
	assert_int_equal(store_seen(fx->st, "twilio", "SMa"), 0);
	assert_int_equal(store_counts(fx->st, &counts), 0);
	assert_int_equal(counts.staged, 4);
	assert_int_equal(counts.inbound, 0);

	/* Oldest first; equal times keep the order they were staged in. */
	assert_int_equal(store_incoming_next(fx->st, 3, got, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(got[0].id, "SMb");
	assert_string_equal(got[0].body, "first");
	assert_string_equal(got[0].from, "+15551110002");
	assert_string_equal(got[0].to, "+15550000000");
	assert_string_equal(got[0].gateway, "twilio");
	assert_int_equal(got[0].sent_at, 99);
	assert_int_equal(got[0].received_at, 100);
	assert_true(got[0].seq > 0);
	assert_string_equal(got[1].id, "SMc");
	assert_string_equal(got[2].id, "SMd");

	/* Recording takes the message's staged row out. */
	b.staged_seq = got[0].seq;
	for (size_t i = 0; i < n; i++)
		store_staged_free(&got[i]);
	record_ok(fx->st, &b, &dec);
	assert_int_equal(store_seen(fx->st, "twilio", "SMb"), 1);
	assert_int_equal(store_incoming_next(fx->st, 8, got, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(got[0].id, "SMc");
	for (size_t i = 0; i < n; i++)
		store_staged_free(&got[i]);
	/* Recorded: not staged again. */
	assert_int_equal(store_incoming_add(fx->st, &b), 0);

	/* Staged twice (two pages of one poll listed it): the second is a
	 * duplicate when it is recorded, and leaves the staged ones too. */
	assert_int_equal(store_incoming_add(fx->st, &a), 1);
	assert_int_equal(store_incoming_next(fx->st, 8, got, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(got[2].id, "SMa");
	assert_string_equal(got[3].id, "SMa");
	a.staged_seq = got[2].seq;
	record_ok(fx->st, &a, &dec);
	a.staged_seq = got[3].seq;
	assert_int_equal(store_record(fx->st, &a, &dec), STORE_DUPLICATE);
	for (size_t i = 0; i < n; i++)
		store_staged_free(&got[i]);
	assert_int_equal(store_incoming_next(fx->st, 8, got, &n), 0);
	for (size_t i = 0; i < n; i++) {
		assert_string_not_equal(got[i].id, "SMa");
		store_staged_free(&got[i]);
	}
	/* One reply to SMa (and SMb's). */
	const char *h = history(fx->st, a.from), *r = strstr(h, "\nreply ");
	assert_non_null(r);
	assert_null(strstr(r + 1, "\nreply "));
	assert_int_equal(outbox_total(fx->st), 2);
	store_staged_free(NULL);
}

static void
test_batch_commit_and_rollback(void **state)
{
	struct fixture *fx = *state;
	struct store_inbound a = inbound("SMa", "+15551110001", "one", 100);
	struct store_inbound b = inbound("SMb", "+15551110002", "two", 100);
	struct store_inbound c = inbound("SMc", "+15551110003", "three", 100);
	struct store_decision dec = reply("Open 9 to 5.");
	struct store_decision bad = reply(NULL);

	assert_int_equal(store_batch_commit(fx->st), -1);
	assert_int_equal(store_batch_begin(fx->st), 0);
	assert_int_equal(store_batch_begin(fx->st), -1);
	record_ok(fx->st, &a, &dec);
	/* A failed write undoes only itself. */
	assert_int_equal(store_record(fx->st, &b, &bad), STORE_ERROR);
	record_ok(fx->st, &c, &dec);
	/* Nothing is visible to another handle before the commit. */
	struct store *other = second_handle(fx);
	assert_int_equal(inbound_total(other), 0);
	assert_int_equal(store_batch_commit(fx->st), 0);
	assert_int_equal(inbound_total(other), 2);
	store_close(other);
	assert_int_equal(store_seen(fx->st, "twilio", "SMb"), 0);

	/* A rolled back batch leaves nothing. */
	assert_int_equal(store_batch_begin(fx->st), 0);
	record_ok(fx->st, &b, &dec);
	assert_int_equal(
	    store_optout_set(fx->st, "+15551110009", true, "t", 100), 0);
	store_batch_rollback(fx->st);
	assert_int_equal(store_seen(fx->st, "twilio", "SMb"), 0);
	assert_int_equal(store_is_opted_out(fx->st, "+15551110009"), 0);
	/* And without a batch, each write is its own transaction again. */
	record_ok(fx->st, &b, &dec);
	assert_int_equal(inbound_total(fx->st), 3);
}

static void
test_outbox_due(void **state)
{
	struct fixture *fx = *state;
	struct store_outbox_item items[4];
	int64_t a = record_reply(fx, "SMa", "+15551110001", "A", 100);
	int64_t b = record_reply(fx, "SMb", "+15551110002", "B", 110);
	int64_t c = record_reply(fx, "SMc", "+15551110003", "C", 120);
	size_t n;

	record_reply(fx, "SMd", "+15551110004", "D", 500);
	/* c was interrupted while sending: it comes first. */
	assert_int_equal(store_outbox_claim(fx->st, c, 130, 130 + 30), 1);
	assert_int_equal(store_outbox_due(fx->st, 200, 4, items, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(items[0].id, c);
	assert_int_equal(items[0].state, STORE_OUTBOX_SENDING);
	assert_int_equal(items[1].id, a);
	assert_int_equal(items[2].id, b);
	assert_string_equal(items[2].body, "B");
	for (size_t i = 0; i < n; i++)
		store_outbox_item_free(&items[i]);
	assert_int_equal(store_outbox_due(fx->st, 200, 2, items, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(items[1].id, a);
	for (size_t i = 0; i < n; i++)
		store_outbox_item_free(&items[i]);
	assert_int_equal(store_outbox_due(fx->st, 200, 0, items, &n), 0);
	assert_int_equal(n, 0);

	/* A gateway id recorded for a row is claimed, for the others. */
	assert_int_equal(store_outbox_sent(fx->st, a, "SMx", 210), 0);
	assert_int_equal(store_outbox_claimed(fx->st, "SMx", b), 1);
	assert_int_equal(store_outbox_claimed(fx->st, "SMx", a), 0);
	assert_int_equal(store_outbox_claimed(fx->st, "SMy", b), 0);
}

/* Records a reply with an urgency (2 emergency, 1 urgent, 0 the rest)
 * and returns its outbox row id. */
static int64_t
record_urgent(struct fixture *fx, const char *id, const char *category,
              int urgency, int64_t t)
{
	struct store_inbound in = inbound(id, "+15551110009", "hello", t);
	struct store_decision dec = reply("text");

	dec.category = category;
	dec.urgency = urgency;
	record_ok(fx->st, &in, &dec);
	return newest_reply(fx->st, in.from);
}

/* The message ids of store_outbox_work()'s rows, in its order, as
 * "SM4 SM3+ SM1" (+ marks a row left "sending"). */
static const char *
work_on(struct store *st, int64_t now, int64_t settled_before, bool ahead_too,
        size_t max)
{
	static char out[256];
	struct store_outbox_item items[8];
	size_t n;

	assert_true(max <= 8);
	if (store_outbox_work(st, now, settled_before, ahead_too, max, items,
	                      &n) != 0)
		fail_msg("store_outbox_work: %s", store_error(st));
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(out);
		snprintf(out + len, sizeof(out) - len, "%s%s%s", i ? " " : "",
		         items[i].inbound_id,
		         items[i].state == STORE_OUTBOX_SENDING ? "+" : "");
		store_outbox_item_free(&items[i]);
	}
	return out;
}

static const char *
work(struct fixture *fx, int64_t now, int64_t settled_before, bool ahead_too,
     size_t max)
{
	return work_on(fx->st, now, settled_before, ahead_too, max);
}

/* The sender's queue: most urgent first, oldest first within an urgency
 * (by row, not by a wall-clock time), with the category and arrival of
 * each row's message. */
static void
test_work_by_urgency(void **state)
{
	struct fixture *fx = *state;
	struct store_outbox_item it;
	size_t n;

	record_urgent(fx, "SM1", "tip", 0, 100);
	record_urgent(fx, "SM2", "tip", 0, 90);
	record_urgent(fx, "SM3", "urgent", 1, 110);
	record_urgent(fx, "SM4", "emergency", 2, 120);
	assert_string_equal(work(fx, 200, 0, false, 8), "SM4 SM3 SM1 SM2");
	assert_string_equal(work(fx, 200, 0, false, 1), "SM4");
	assert_int_equal(store_outbox_work(fx->st, 200, 0, false, 1, &it, &n),
	                 0);
	assert_int_equal(it.urgency, 2);
	assert_string_equal(it.category, "emergency");
	assert_int_equal(it.received_at, 120);
	store_outbox_item_free(&it);
}

/* A row left "sending" is handed out once its attempt has settled (or,
 * when asked, when it is recorded ahead of now), and until then it holds
 * back no other row. */
static void
test_work_sending_rows_wait_alone(void **state)
{
	struct fixture *fx = *state;
	int64_t stuck = record_urgent(fx, "SM1", "emergency", 2, 100);
	int64_t ahead = record_urgent(fx, "SM2", "urgent", 1, 100);

	record_urgent(fx, "SM3", "tip", 0, 100);
	assert_int_equal(store_outbox_claim(fx->st, stuck, 190, 190 + 30), 1);
	assert_int_equal(store_outbox_claim(fx->st, ahead, 3800, 3800 + 30), 1);
	/* At 200, stuck began 10 s ago: not settled before 180. */
	assert_string_equal(work(fx, 200, 180, false, 1), "SM3");
	/* Settled: it comes first again, as the most urgent. */
	assert_string_equal(work(fx, 200, 195, false, 8), "SM1+ SM3");
	/* The row recorded an hour ahead, only when asked for. */
	assert_string_equal(work(fx, 200, 195, true, 8), "SM1+ SM2+ SM3");
	/* No rows left "sending" at all for a sender with its own in
	 * flight. */
	assert_string_equal(work(fx, 200, 0, false, 8), "SM3");
}

static int
times_row(void *arg, const struct store_outbox_row *r)
{
	int64_t *due = arg;

	if (r->id > 0 && r->id < 8) {
		due[r->id] = r->next_attempt_at;
		due[0] = r->id > due[0] ? r->id : due[0]; /* the last row */
	}
	return 0;
}

/* Each reply's due time and when its attempt began ("-" for a settled
 * row, 0 for none), oldest row first: what the sender reads. */
static const char *
outbox_times(struct store *st)
{
	static char out[128];
	struct store_outbox_filter f = { .state = -1 };
	struct store_outbox_item items[8];
	int64_t due[8] = { 0 };
	size_t n;

	if (store_outbox_list(st, &f, 0, times_row, due) != 0 ||
	    store_outbox_due(st, INT64_MAX, 8, items, &n) != 0)
		fail_msg("store: %s", store_error(st));
	out[0] = '\0';
	for (int64_t id = 1; id <= due[0]; id++) {
		size_t len = strlen(out);
		const struct store_outbox_item *it = NULL;

		for (size_t i = 0; i < n; i++)
			if (items[i].id == id)
				it = &items[i];
		if (it != NULL)
			snprintf(out + len, sizeof(out) - len, "%s%lld/%lld",
			         len ? " " : "", (long long)due[id],
			         (long long)it->sending_since);
		else
			snprintf(out + len, sizeof(out) - len, "%s%lld/-",
			         len ? " " : "", (long long)due[id]);
	}
	for (size_t i = 0; i < n; i++)
		store_outbox_item_free(&items[i]);
	return out;
}

/* After the wall clock steps, recorded waits keep their length: a retry
 * due in 30 s is due 30 s after the step, not an hour later; a row due
 * before the step stays due; an attempt's start moves too. */
static void
test_outbox_shift(void **state)
{
	struct fixture *fx = *state;
	int64_t retry = record_urgent(fx, "SM1", "tip", 0, 3000);
	int64_t due = record_urgent(fx, "SM2", "tip", 0, 3000);
	int64_t sending = record_urgent(fx, "SM3", "tip", 0, 3000);
	int64_t sent = record_urgent(fx, "SM4", "tip", 0, 3000);

	assert_int_equal(store_outbox_claim(fx->st, retry, 3590, 3590 + 30), 1);
	assert_int_equal(store_outbox_retry(fx->st, retry, 3630, "503"), 0);
	assert_int_equal(store_outbox_claim(fx->st, sending, 3595, 3595 + 30),
	                 1);
	assert_int_equal(store_outbox_claim(fx->st, sent, 3595, 3595 + 30), 1);
	assert_int_equal(store_outbox_sent(fx->st, sent, "SMx", 3596), 0);
	/* At 3600 the clock steps back an hour, to 0. */
	assert_int_equal(store_outbox_shift(fx->st, -3600, 3600), 0);
	assert_string_equal(outbox_times(fx->st), "30/-10 0/0 0/-5 3000/-");
	(void)due;
	/* Forward: a due row stays due, a wait keeps its length. */
	assert_int_equal(store_outbox_shift(fx->st, 100, 10), 0);
	assert_string_equal(outbox_times(fx->st), "130/90 0/0 0/95 3000/-");
}

/* A database of schema 2 gets its waiting replies' urgency from their
 * messages' categories. */
static void
test_migrate_urgency(void **state)
{
	struct fixture *fx = *state;

	record_urgent(fx, "SM1", "tip", 0, 100);
	record_urgent(fx, "SM2", "emergency", 0, 100);
	record_urgent(fx, "SM3", "urgent", 0, 100);
	fx_close(fx);
	sql_exec(fx, UNDO_V5 "DROP INDEX outbox_fresh; DROP INDEX outbox_later;"
	                     "DROP INDEX outbox_urgency;"
	                     "ALTER TABLE outbox DROP COLUMN urgency;"
	                     "PRAGMA user_version = 2");
	fx_open(fx);
	assert_int_equal(sql_int(fx, "PRAGMA user_version"), SCHEMA_NOW);
	assert_string_equal(work(fx, 200, 0, false, 4), "SM2 SM3 SM1");
}

/* n pending rows straight into the tables (the store would take a
 * transaction each): messages PREFIX1..PREFIXn from as many numbers,
 * tips, created at `at`, due at `due`. */
static void
add_backlog(struct fixture *fx, const char *prefix, int n, int64_t at,
            int64_t due)
{
	char sql[1024];

	/* A fixture only, in one statement (20,000 store_record calls would
	 * cost the test seconds); what is checked goes through the store. */
	snprintf(sql, sizeof(sql),
	         "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
	         "FROM k WHERE i < %d) INSERT INTO inbound (gateway, id, "
	         "from_number, to_number, body, received_at, category) "
	         "SELECT 'twilio', '%s' || i, '+1555' || (2000000 + i), "
	         "'+15550000000', "
	         "'hello', %lld, 'tip' FROM k;"
	         "INSERT INTO outbox (inbound_gateway, inbound_id, to_number, "
	         "from_number, body, state, created_at, next_attempt_at) "
	         "SELECT 'twilio', id, from_number, to_number, 'text', "
	         "'pending', %lld, %lld FROM inbound WHERE id LIKE '%s%%' "
	         "ORDER BY received_at, length(id), id",
	         n, prefix, (long long)at, (long long)at, (long long)due,
	         prefix);
	sql_exec(fx, sql);
}

/* Rows put off until later (a retry) take their place in the queue by
 * urgency and row, with rows never put off and rows left "sending". */
static void
test_work_merges_put_off_rows(void **state)
{
	struct fixture *fx = *state;
	int64_t retry = record_urgent(fx, "SM1", "tip", 0, 100);
	int64_t later = record_urgent(fx, "SM3", "urgent", 1, 100);
	int64_t sending;

	record_urgent(fx, "SM2", "tip", 0, 100);
	sending = record_urgent(fx, "SM4", "tip", 0, 100);
	record_urgent(fx, "SM5", "emergency", 2, 100);
	assert_int_equal(store_outbox_claim(fx->st, retry, 150, 150 + 30), 1);
	assert_int_equal(store_outbox_retry(fx->st, retry, 180, "503"), 0);
	assert_int_equal(store_outbox_claim(fx->st, later, 150, 150 + 30), 1);
	assert_int_equal(store_outbox_retry(fx->st, later, 500, "503"), 0);
	assert_int_equal(store_outbox_claim(fx->st, sending, 190, 190 + 30), 1);
	assert_string_equal(work(fx, 200, 195, false, 8), "SM5 SM1 SM2 SM4+");
	assert_string_equal(work(fx, 200, 195, false, 2), "SM5 SM1");
	assert_string_equal(work(fx, 600, 195, false, 8),
	                    "SM5 SM3 SM1 SM2 SM4+");
	assert_string_equal(work(fx, 600, 195, false, 3), "SM5 SM3 SM1");
}

/* A sender turn costs the same with a big backlog: 20,000 replies due,
 * or 20,000 put off until later, make it read a few rows more than it
 * hands out, not the backlog (counted in SQLite VM steps, not time). */
static void
test_work_cost_flat(void **state)
{
	struct fixture *fx = *state;
	int64_t steps;

	record_urgent(fx, "SM1", "tip", 0, 100);
	record_urgent(fx, "SM2", "emergency", 2, 100);
	add_backlog(fx, "BK", 20000, 100, 100);
	steps = store_cost(fx->st);
	assert_string_equal(work(fx, 200, 195, true, 4), "SM2 SM1 BK1 BK2");
	steps = store_cost(fx->st) - steps;
	print_message("due backlog: %lld VM steps\n", (long long)steps);
	assert_true(steps > 0);
	assert_true(steps < 2000);
	/* The backlog put off until later, and a few rows due again (the
	 * fixture changed in one statement, as it was made). */
	sql_exec(fx, "UPDATE outbox SET next_attempt_at = 5000 "
	             "WHERE inbound_id LIKE 'BK%'");
	add_backlog(fx, "RT", 3, 100, 150);
	steps = store_cost(fx->st);
	assert_string_equal(work(fx, 200, 195, true, 8), "SM2 SM1 RT1 RT2 RT3");
	steps = store_cost(fx->st) - steps;
	print_message("backlog not due: %lld VM steps\n", (long long)steps);
	assert_true(steps < 2000);
}

/* A STOP cancels its number's pending replies without reading the
 * others': with 20,000 replies to other numbers waiting, recording it
 * costs a few hundred VM steps. */
static void
test_optout_cost_flat(void **state)
{
	struct fixture *fx = *state;
	const char *n = "+15551110001";
	struct store_inbound stop = inbound("SM2", n, "STOP", 200);
	struct store_decision confirm = reply("You will get no more messages.");
	int64_t steps;

	record_reply(fx, "SM1", n, "Open 9 to 5.", 100);
	add_backlog(fx, "BK", 20000, 100, 100);
	confirm.category = "stop";
	confirm.optout_change = 1;
	steps = store_cost(fx->st);
	record_ok(fx->st, &stop, &confirm);
	steps = store_cost(fx->st) - steps;
	print_message("STOP with a backlog: %lld VM steps\n", (long long)steps);
	assert_true(steps < 2000);
	assert_string_equal(reply_row(fx->st, 1), "cancelled|0|-|100");
	struct store_status ss;
	assert_int_equal(store_status(fx->st, &ss), 0);
	assert_int_equal(ss.outbox[STORE_OUTBOX_PENDING], 20001);
}

/* A database of schema 3 gets the sender's queue indexes. */
static void
test_migrate_work_indexes(void **state)
{
	struct fixture *fx = *state;
	int64_t retry = record_urgent(fx, "SM1", "tip", 0, 100);

	record_urgent(fx, "SM2", "urgent", 1, 100);
	assert_int_equal(store_outbox_claim(fx->st, retry, 150, 150 + 30), 1);
	assert_int_equal(store_outbox_retry(fx->st, retry, 180, "503"), 0);
	fx_close(fx);
	sql_exec(fx, UNDO_V5 "DROP INDEX outbox_fresh; DROP INDEX outbox_later;"
	                     "PRAGMA user_version = 3");
	fx_open(fx);
	assert_int_equal(sql_int(fx, "PRAGMA user_version"), SCHEMA_NOW);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM sqlite_master "
	                             "WHERE name IN ('outbox_fresh', "
	                             "'outbox_later')"),
	                 2);
	assert_string_equal(work(fx, 170, 0, false, 8), "SM2");
	assert_string_equal(work(fx, 200, 0, false, 8), "SM2 SM1");
}

/* Claims. */

/* Two daemons claim disjoint rows: a row one holds under a live lease is
 * neither handed to the other by its queue nor claimed by it; once the
 * lease has run out (the clock driven through `now`) the other takes it,
 * and a renewed lease holds it longer. */
static void
test_claim_two_daemons(void **state)
{
	struct fixture *fx = *state;
	struct store *a = fx->st, *b = second_handle(fx);
	int64_t r1 = record_reply(fx, "SM1", "+15551110001", "one", 100);
	int64_t r2 = record_reply(fx, "SM2", "+15551110002", "two", 100);
	int64_t r3 = record_reply(fx, "SM3", "+15551110003", "three", 100);
	int64_t r4 = record_reply(fx, "SM4", "+15551110004", "four", 100);

	assert_string_not_equal(store_owner(a), store_owner(b));
	/* Both read the same four rows; each claims them all, A first. */
	assert_string_equal(work_on(a, 110, 0, false, 8), "SM1 SM2 SM3 SM4");
	assert_string_equal(work_on(b, 110, 0, false, 8), "SM1 SM2 SM3 SM4");
	assert_int_equal(store_outbox_claim(a, r1, 110, 140), 1);
	assert_int_equal(store_outbox_claim(a, r2, 110, 140), 1);
	assert_int_equal(store_outbox_claim(b, r1, 110, 140), 0);
	assert_int_equal(store_outbox_claim(b, r2, 110, 140), 0);
	assert_int_equal(store_outbox_claim(b, r3, 110, 140), 1);
	assert_int_equal(store_outbox_claim(b, r4, 110, 140), 1);
	assert_int_equal(store_outbox_claim(a, r3, 110, 140), 0);
	assert_int_equal(store_outbox_claim(a, r4, 110, 140), 0);

	/* Settling rows left "sending" (settled_before past their attempt):
	 * each sees its own, never the other's while the lease lives. */
	assert_string_equal(work_on(a, 139, 139, true, 8), "SM1+ SM2+");
	assert_string_equal(work_on(b, 139, 139, true, 8), "SM3+ SM4+");
	assert_int_equal(store_outbox_claim(b, r1, 139, 170), 0);

	/* A renews its lease on r2 (its send still in flight) and records
	 * r1's outcome; B records r3's. */
	assert_int_equal(store_outbox_renew(a, 200), 0);
	assert_int_equal(store_outbox_sent(a, r1, "SMo1", 120), 0);
	assert_int_equal(store_outbox_sent(b, r3, "SMo3", 120), 0);

	/* At 140 the first leases have run out: B (say A died) takes r4's
	 * back and could take r2's, but A renewed it until 200.  A, alive
	 * or restarted, takes B's r4 only once B's lease ran out too. */
	assert_string_equal(work_on(b, 140, 140, true, 8), "SM4+");
	assert_string_equal(work_on(a, 140, 140, true, 8), "SM2+ SM4+");
	assert_int_equal(store_outbox_claim(b, r2, 140, 170), 0);
	assert_int_equal(store_outbox_claim(a, r4, 140, 170), 1);
	assert_int_equal(store_outbox_claim(b, r4, 150, 180), 0);
	assert_int_equal(store_outbox_claim(b, r2, 200, 230), 1);
	assert_int_equal(store_outbox_claim(a, r2, 210, 240), 0);
	/* Outcomes end the claim: a row put back is anyone's when due. */
	assert_int_equal(store_outbox_release(b, r2), 0);
	assert_int_equal(store_outbox_claim(a, r2, 210, 240), 1);
	store_close(b);
}

/* A clock step moves a lease with the other recorded times: a claim
 * keeps its length across the step. */
static void
test_claim_lease_shifts(void **state)
{
	struct fixture *fx = *state;
	struct store *b = second_handle(fx);
	int64_t r1 = record_reply(fx, "SM1", "+15551110001", "one", 3000);

	assert_int_equal(store_outbox_claim(fx->st, r1, 3595, 3625), 1);
	/* At 3600 the clock steps back an hour: the lease ends at 25. */
	assert_int_equal(store_outbox_shift(fx->st, -3600, 3600), 0);
	assert_int_equal(store_outbox_claim(b, r1, 24, 60), 0);
	assert_int_equal(store_outbox_claim(b, r1, 25, 60), 1);
	store_close(b);
}

/* A pending row another daemon tried meanwhile and put off is no longer
 * due: the claim of a daemon that read it before does not take it. */
static void
test_claim_not_due(void **state)
{
	struct fixture *fx = *state;
	struct store *b = second_handle(fx);
	int64_t r1 = record_reply(fx, "SM1", "+15551110001", "one", 100);

	assert_int_equal(store_outbox_claim(fx->st, r1, 110, 140), 1);
	assert_int_equal(store_outbox_retry(fx->st, r1, 300, "503"), 0);
	assert_int_equal(store_outbox_claim(b, r1, 120, 150), 0);
	assert_int_equal(store_outbox_claim(b, r1, 300, 330), 1);
	store_close(b);
}

/* The daemon's open holds the database's lock, so claims it finds are a
 * dead daemon's: their rows are settled at once, as before leases. */
static void
test_claim_adopted_at_open(void **state)
{
	struct fixture *fx = *state;
	int64_t r1 = record_reply(fx, "SM1", "+15551110001", "one", 100);

	assert_int_equal(store_outbox_claim(fx->st, r1, 110, 10000), 1);
	fx_close(fx);
	fx_open(fx);
	assert_string_equal(work(fx, 150, 139, true, 8), "SM1+");
	assert_int_equal(store_outbox_claim(fx->st, r1, 150, 180), 1);
}

/* A version 4 database (before claims had an owner and a lease) migrates,
 * and the row it left "sending" is anyone's to settle.  Builds the old
 * schema by taking the new one back (the file itself is the subject). */
static void
test_migrate_claims(void **state)
{
	struct fixture *fx = *state;
	struct store *b;
	int64_t r1 = record_reply(fx, "SM1", "+15551110001", "one", 100);

	assert_int_equal(store_outbox_claim(fx->st, r1, 110, 140), 1);
	fx_close(fx);
	sql_exec(fx, UNDO_V5 "PRAGMA user_version = 4");
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM pragma_table_info"
	                             "('outbox') WHERE name = 'owner'"),
	                 0);
	fx_open(fx);
	assert_int_equal(sql_int(fx, "PRAGMA user_version"), SCHEMA_NOW);
	b = second_handle(fx);
	assert_string_equal(work_on(b, 120, 115, false, 8), "SM1+");
	assert_int_equal(store_outbox_claim(b, r1, 120, 150), 1);
	assert_int_equal(store_outbox_claim(fx->st, r1, 121, 150), 0);
	store_close(b);
}

/* A version 5 database kept Infobip's numbers as it writes them, without
 * "+".  Version 6 gives every number of eight digits or more its "+" in
 * every table that keeps one, in the one transaction of its step, keeps
 * short codes and names as they are, and keeps an opt-out made in both
 * forms once (the later; an opt-out on a tie): an opt-out made before the
 * migration still stops a reply after it, looked up as the parsers now
 * write the number. */
static void
test_migrate_e164(void **state)
{
	struct fixture *fx = *state;
	struct store_inbound st_in = inbound("IB9", "447700900009", "hi", 90);

	st_in.gateway = "infobip";
	st_in.to = "447700900000";
	record_reply(fx, "IB1", "447700900001", "one", 100);
	record_reply(fx, "IB5", "447700900005", "five", 105);
	record_reply(fx, "IB6", "55512", "short", 106);
	assert_int_equal(store_incoming_add(fx->st, &st_in), 1);
	assert_int_equal(
	    store_optout_set(fx->st, "447700900002", true, "infobip:IB2", 101),
	    0);
	/* The same number in both forms: the later says. */
	assert_int_equal(
	    store_optout_set(fx->st, "447700900003", true, "infobip:IB3", 200),
	    0);
	assert_int_equal(
	    store_optout_set(fx->st, "+447700900003", false, "twilio:SM3", 150),
	    0);
	assert_int_equal(
	    store_optout_set(fx->st, "447700900004", false, "infobip:IB4", 100),
	    0);
	assert_int_equal(
	    store_optout_set(fx->st, "+447700900004", true, "twilio:SM4", 300),
	    0);
	assert_int_equal(
	    store_optout_set(fx->st, "447700900007", false, "infobip:a", 300),
	    0);
	assert_int_equal(
	    store_optout_set(fx->st, "+447700900007", true, "twilio:b", 300),
	    0);
	assert_int_equal(
	    store_optout_set(fx->st, "55513", true, "infobip:IB7", 102), 0);
	fx_close(fx);
	sql_exec(fx, UNDO_V7 "PRAGMA user_version = 5");
	fx_open(fx);
	assert_int_equal(sql_int(fx, "PRAGMA user_version"), SCHEMA_NOW);

	/* Not one number of eight digits or more is left without "+". */
	assert_int_equal(
	    sql_int(fx, "SELECT (SELECT count(*) FROM inbound WHERE"
	                " from_number NOT LIKE '+%' AND length(from_number)"
	                " >= 8 OR to_number NOT LIKE '+%') +"
	                " (SELECT count(*) FROM outbox WHERE to_number NOT LIKE"
	                " '+%' AND length(to_number) >= 8 OR from_number NOT"
	                " LIKE '+%') +"
	                " (SELECT count(*) FROM incoming WHERE from_number NOT"
	                " LIKE '+%' OR to_number NOT LIKE '+%') +"
	                " (SELECT count(*) FROM optouts WHERE number NOT LIKE"
	                " '+%' AND length(number) >= 8)"),
	    0);
	assert_sql_text(fx,
	                "SELECT from_number || ' ' || to_number FROM inbound "
	                "WHERE id = 'IB1'",
	                "+447700900001 +15550000000");
	assert_sql_text(fx,
	                "SELECT from_number || ' ' || to_number FROM incoming "
	                "WHERE id = 'IB9'",
	                "+447700900009 +447700900000");
	assert_sql_text(fx,
	                "SELECT group_concat(to_number, ' ') FROM (SELECT "
	                "to_number FROM outbox ORDER BY id)",
	                "+447700900001 +447700900005 55512");
	assert_sql_text(
	    fx,
	    "SELECT group_concat(number || '=' || opted_out || ':' "
	    "|| source, ' ') FROM (SELECT * FROM optouts ORDER BY "
	    "number)",
	    "+447700900002=1:infobip:IB2 +447700900003=1:infobip:IB3 "
	    "+447700900004=1:twilio:SM4 +447700900007=1:twilio:b "
	    "55513=1:infobip:IB7");

	/* The opt-outs made before hold for the numbers as they come in
	 * now, and a short code's as it always did. */
	assert_int_equal(store_is_opted_out(fx->st, "+447700900002"), 1);
	assert_int_equal(store_is_opted_out(fx->st, "+447700900003"), 1);
	assert_int_equal(store_is_opted_out(fx->st, "+447700900004"), 1);
	assert_int_equal(store_is_opted_out(fx->st, "+447700900007"), 1);
	assert_int_equal(store_is_opted_out(fx->st, "55513"), 1);
	assert_int_equal(store_is_opted_out(fx->st, "447700900002"), 0);
	/* A STOP now, in E.164, cancels a reply recorded before. */
	assert_int_equal(
	    store_optout_set(fx->st, "+447700900005", true, "infobip:IB8", 400),
	    0);
	assert_sql_text(fx,
	                "SELECT group_concat(state, ' ') FROM (SELECT state "
	                "FROM outbox ORDER BY id)",
	                "pending cancelled pending");
}

/* A version 6 database (before conversations) migrates: its replies are
 * kept and the conversation tables are made.  A version 5 one goes through
 * both steps: its bare numbers get their "+" and a conversation kept after
 * under the number as the parsers now write it is found under that number
 * only. */
static void
test_migrate_convo(void **state)
{
	struct fixture *fx = *state;
	char buf[64];

	record_reply(fx, "SM1", "+15551110001", "one", 100);
	fx_close(fx);
	sql_exec(fx, UNDO_V7 "PRAGMA user_version = 6");
	fx_open(fx);
	assert_int_equal(sql_int(fx, "PRAGMA user_version"), SCHEMA_NOW);
	assert_string_equal(work(fx, 150, 0, false, 8), "SM1");
	assert_int_equal(store_convo_set(fx->st, "+15551110001", "c0", 150), 0);
	assert_int_equal(
	    store_convo_get(fx->st, "+15551110001", buf, sizeof(buf)), 1);

	record_reply(fx, "IB2", "447700900002", "two", 160);
	fx_close(fx);
	sql_exec(fx, UNDO_V7 "PRAGMA user_version = 5");
	fx_open(fx);
	assert_int_equal(sql_int(fx, "PRAGMA user_version"), SCHEMA_NOW);
	assert_sql_text(fx,
	                "SELECT group_concat(to_number, ' ') FROM (SELECT "
	                "to_number FROM outbox ORDER BY id)",
	                "+15551110001 +447700900002");
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM convo"), 0);
	assert_int_equal(store_convo_set(fx->st, "+447700900002", "c1", 170),
	                 0);
	assert_int_equal(
	    store_convo_get(fx->st, "+447700900002", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "c1");
	assert_int_equal(
	    store_convo_get(fx->st, "447700900002", buf, sizeof(buf)), 0);
}

/* A version 7 database (conversations, before their events) migrates: its
 * conversation states and check-ins are kept, and events can be recorded
 * and are retained like messages. */
static void
test_migrate_convo_events(void **state)
{
	struct fixture *fx = *state;
	static const struct store_convo_event ev = { "screening", false,
		                                     "started", "ask", NULL };
	char buf[64];

	assert_int_equal(store_convo_set(fx->st, "+15551110001", "c1", 150), 0);
	fx_close(fx);
	sql_exec(fx, UNDO_V8 "PRAGMA user_version = 7");
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM sqlite_master "
	                             "WHERE name = 'convo_event'"),
	                 0);
	fx_open(fx);
	assert_int_equal(sql_int(fx, "PRAGMA user_version"), SCHEMA_NOW);
	assert_int_equal(
	    store_convo_get(fx->st, "+15551110001", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "c1");
	struct store_inbound in = {
		.gateway = "twilio",
		.id = "SM1",
		.from = "+15551110001",
		.to = "+15550000000",
		.body = "my back hurts",
		.received_at = 200,
	};
	struct store_decision dec = {
		.category = "tip",
		.action = STORE_ACTION_NONE,
		.events = &ev,
		.nevents = 1,
	};
	assert_int_equal(store_record(fx->st, &in, &dec), STORE_RECORDED);
	assert_sql_text(fx,
	                "SELECT number || ' ' || at || ' ' || convo || ' ' || "
	                "event || ' ' || step || ' ' || inbound_id FROM "
	                "convo_event",
	                "+15551110001 200 screening started ask SM1");
	assert_true(store_retention(fx->st, 201) >= 1);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM convo_event"), 0);
}

/* Locations: "sqlite://" and a bare path open the same database; another
 * scheme is refused, naming it. */
static void
test_location(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	char loc[600], err[512] = "";
	int64_t n = 0;

	record_reply(fx, "SM1", "+15551110001", "one", 100);
	snprintf(loc, sizeof(loc), "sqlite://%s", fx->path);
	assert_string_equal(store_location_file(loc), fx->path);
	assert_string_equal(store_location_file(fx->path), fx->path);
	assert_int_equal(store_location_check(loc, err, sizeof(err)), 0);
	assert_int_equal(
	    store_open_existing(loc, false, &st, NULL, err, sizeof(err)), 0);
	assert_int_equal(store_outbox_depth(st, &n, NULL), 0);
	assert_int_equal(n, 1);
	store_close(st);

	st = NULL;
	assert_int_equal(
	    store_open("postgres://db/backtalk", &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, "unknown store scheme \"postgres\""));
	assert_int_equal(store_location_check("mysql://x", err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "\"mysql\""));
	assert_null(store_location_file("mysql://x"));
	assert_int_equal(store_open("sqlite://", &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no database"));
}

/* The flood guard's memory: kept per key once set up, all zero for a key
 * not known, forgotten at a reset. */
static void
test_guard_memory(void **state)
{
	struct fixture *fx = *state;
	struct counts_memo m = { .window_start = 1 }, got;

	assert_int_equal(store_guard_get(fx->st, 42, 100, &got), -1);
	assert_non_null(strstr(store_error(fx->st), "not set up"));
	assert_int_equal(store_guard_reset(fx->st, 60, 1000), 0);
	assert_int_equal(store_guard_get(fx->st, 42, 100, &got), 0);
	assert_int_equal(got.window_start, 0);
	assert_int_equal(got.count, 0);
	m = (struct counts_memo){
		.window_start = 100, .last_at = 110, .pair = 7, .count = 3
	};
	assert_int_equal(store_guard_put(fx->st, 42, &m), 0);
	assert_int_equal(store_guard_get(fx->st, 42, 120, &got), 0);
	assert_int_equal(got.window_start, 100);
	assert_int_equal(got.last_at, 110);
	assert_int_equal(got.pair, 7);
	assert_int_equal(got.count, 3);
	assert_int_equal(store_guard_get(fx->st, 43, 120, &got), 0);
	assert_int_equal(got.count, 0);
	assert_int_equal(store_guard_reset(fx->st, 60, 1000), 0);
	assert_int_equal(store_guard_get(fx->st, 42, 120, &got), 0);
	assert_int_equal(got.count, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_open_creates_private_files),
		T(test_open_refuses_symlink),
		T(test_open_refuses_other_files),
		T(test_newer_schema_refused),
		T(test_reopen_keeps_data),
		T(test_record_duplicate),
		T(test_record_fields),
		T(test_failed_record_leaves_nothing),
		T(test_reply_is_pending_and_due),
		T(test_outbox_order),
		T(test_outbox_transitions),
		T(test_outbox_requeue),
		T(test_sending_row_first_after_crash),
		T(test_optout_set),
		T(test_optout_in_record),
		T(test_recent_replies),
		T(test_retention),
		T(test_state_get_set),
		T(test_migrate_from_v1),
		T(test_incoming_staging),
		T(test_batch_commit_and_rollback),
		T(test_outbox_due),
		T(test_work_by_urgency),
		T(test_work_sending_rows_wait_alone),
		T(test_outbox_shift),
		T(test_migrate_urgency),
		T(test_work_merges_put_off_rows),
		T(test_work_cost_flat),
		T(test_optout_cost_flat),
		T(test_migrate_work_indexes),
		T(test_claim_two_daemons),
		T(test_claim_not_due),
		T(test_claim_lease_shifts),
		T(test_claim_adopted_at_open),
		T(test_migrate_claims),
		T(test_migrate_e164),
		T(test_migrate_convo),
		T(test_migrate_convo_events),
		T(test_location),
		T(test_guard_memory),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
