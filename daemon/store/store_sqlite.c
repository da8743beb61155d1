/* store_sqlite.c: the SQLite backend of store.h.  Owns the database file
 * (created 0600, WAL, synchronous=FULL), the schema and its migrations,
 * and every SQL statement the daemon runs.  The store takes every time
 * from its caller and never reads the clock, so tests are deterministic.
 *
 * Why some things are the way they are:
 * - Inbound rows use INSERT ... ON CONFLICT DO NOTHING rather than INSERT OR
 *   IGNORE: OR IGNORE would also swallow a NOT NULL violation and report it
 *   as a duplicate.
 * - A CHECK keeps a body on every outbox row that may still be sent, so a
 *   reply without text fails inside the transaction and rolls back.
 * - Opting a number out cancels its pending replies in the same
 *   transaction.  The sender cannot tell a STOP confirmation (which must go
 *   out to an opted-out number) from any other reply, so the cut is made
 *   here, at the moment of the opt-out: rows created before it are
 *   cancelled, the confirmation recorded with it is kept.
 * - Error messages name gateway ids and row ids, never phone numbers or
 *   message text, because they end up in the log.
 * - The queries the daemon runs per message or per sender turn name their
 *   index (INDEXED BY) where another would do: without statistics
 *   (ANALYZE) SQLite weighs `state = ?` like `to_number = ?` and may walk
 *   every pending row.  Tests count what a call costs in VM steps
 *   (store_vm_steps) with a big backlog.
 * - store_open is the daemon's: it refuses files and a directory other
 *   users own or can write (fileperm.c) and holds a lock on PATH.lock, so
 *   that a second daemon on the same database stops at start.
 *   store_open_existing is the operator's tool's, beside the daemon: no
 *   lock, no owner check (it runs as root or as the daemon's user). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fileperm.h"
#include "store.h"

#define STORE_BUSY_TIMEOUT_MS 5000

/* Migrations, in order: migrations[i] takes user_version i to i + 1.
 * Append new steps; never edit one that has shipped. */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE inbound ("
	" gateway TEXT NOT NULL,"
	" id TEXT NOT NULL,"
	" from_number TEXT NOT NULL,"
	" to_number TEXT NOT NULL,"
	" body TEXT," /* NULL once retention has cleared it */
	" sent_at INTEGER NOT NULL DEFAULT 0,"
	" received_at INTEGER NOT NULL,"
	" category TEXT NOT NULL,"
	" topic TEXT,"
	" rule TEXT,"
	" note TEXT,"
	" PRIMARY KEY (gateway, id));"
	"CREATE INDEX inbound_received ON inbound (received_at);"
	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY,"
	" inbound_gateway TEXT NOT NULL,"
	" inbound_id TEXT NOT NULL,"
	" to_number TEXT NOT NULL,"
	" from_number TEXT,"
	" body TEXT,"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"  ('pending', 'sending', 'sent', 'failed', 'cancelled')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" next_attempt_at INTEGER NOT NULL,"
	" sending_since INTEGER,"
	" sent_at INTEGER,"
	" failed_at INTEGER,"
	" message_id TEXT,"
	" error_code TEXT,"
	" error TEXT,"
	" FOREIGN KEY (inbound_gateway, inbound_id)"
	"  REFERENCES inbound (gateway, id),"
	" CONSTRAINT outbox_body_to_send CHECK (body IS NOT NULL OR"
	"  state IN ('sent', 'failed', 'cancelled')));"
	"CREATE INDEX outbox_queue ON outbox (state, next_attempt_at);"
	"CREATE INDEX outbox_recent ON outbox (to_number, created_at);"
	"CREATE TABLE optouts ("
	" number TEXT PRIMARY KEY,"
	" opted_out INTEGER NOT NULL CHECK (opted_out IN (0, 1)),"
	" source TEXT,"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE state ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL);",
	/* 1 -> 2: messages fetched but not yet classified.  A poll stages
	 * each page here before anything else happens, so that what a gateway
	 * hands out once only (Infobip) is on disk at once, and so that
	 * messages are decided oldest first across pages with only a page in
	 * memory.  No index on (gateway, id): gateway ids are random, and an
	 * index on them would cost a page write per message twice over.  A
	 * message staged twice is caught when it is recorded (the inbound
	 * primary key), and the daemon polls only when nothing is staged. */
	"CREATE TABLE incoming ("
	" seq INTEGER PRIMARY KEY,"
	" gateway TEXT NOT NULL,"
	" id TEXT NOT NULL,"
	" from_number TEXT NOT NULL,"
	" to_number TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" sent_at INTEGER NOT NULL DEFAULT 0,"
	" received_at INTEGER NOT NULL);"
	"CREATE INDEX incoming_order ON incoming (sent_at, seq);",
	/* 2 -> 3: replies go out most urgent first (2 emergency, 1 urgent,
	 * 0 the rest), oldest first within an urgency: the queue is read
	 * in the index's order.  Rows still to send take their urgency from
	 * the category recorded for their message. */
	"ALTER TABLE outbox ADD COLUMN urgency INTEGER NOT NULL DEFAULT 0;"
	"UPDATE outbox SET urgency = CASE (SELECT category FROM inbound i"
	"  WHERE i.gateway = outbox.inbound_gateway"
	"  AND i.id = outbox.inbound_id)"
	"  WHEN 'emergency' THEN 2 WHEN 'urgent' THEN 1 ELSE 0 END"
	" WHERE state IN ('pending', 'sending');"
	"CREATE INDEX outbox_urgency ON outbox (state, urgency DESC, id);",
	/* 3 -> 4: the sender's queue costs the same however long the
	 * backlog.  Pending rows never put off (due when created) are read
	 * in (urgency DESC, id) order from an index of their own, LIMIT rows
	 * at most; rows put off to a later time are found by when they are
	 * due, in an index that holds all the query needs, so that rows not
	 * yet due cost nothing.  Partial indexes: a row moves between them
	 * as its state and next_attempt_at change. */
	"CREATE INDEX outbox_fresh ON outbox (urgency DESC, id)"
	" WHERE state = 'pending' AND next_attempt_at <= created_at;"
	"CREATE INDEX outbox_later ON outbox"
	" (next_attempt_at, urgency, state, created_at)"
	" WHERE state = 'pending' AND next_attempt_at > created_at;",
};

#define STORE_SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Columns read into a struct store_outbox_item, in this order. */
#define OUTBOX_ITEM_COLUMNS                                                    \
	"id, inbound_id, to_number, from_number, body, attempts, created_at, " \
	"sending_since, state, urgency, (SELECT category FROM inbound i "      \
	"WHERE i.gateway = outbox.inbound_gateway AND i.id = "                 \
	"outbox.inbound_id), (SELECT received_at FROM inbound i "              \
	"WHERE i.gateway = outbox.inbound_gateway AND i.id = "                 \
	"outbox.inbound_id)"

/* Rows a transition may start from: a row that is sent, failed or
 * cancelled stays so. */
#define OUTBOX_LIVE "state IN ('pending', 'sending')"

enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_SEEN,
	ST_INCOMING_ADD,
	ST_INCOMING_NEXT,
	ST_INCOMING_DONE,
	ST_INBOUND_INSERT,
	ST_OPTOUT_UPSERT,
	ST_OPTOUT_CANCEL_PENDING,
	ST_OPTOUT_GET,
	ST_OUTBOX_INSERT,
	ST_NEXT_SENDING,
	ST_NEXT_PENDING,
	ST_OUTBOX_BEGIN,
	ST_OUTBOX_SENT,
	ST_OUTBOX_RETRY,
	ST_OUTBOX_FAILED,
	ST_OUTBOX_CANCEL,
	ST_OUTBOX_RELEASE,
	ST_OUTBOX_REQUEUE,
	ST_CLAIMED,
	ST_RECENT_REPLIES,
	ST_RECENT_SAME,
	ST_STATE_GET,
	ST_STATE_SET,
	ST_RETAIN_INBOUND,
	ST_RETAIN_OUTBOX,
	ST_COUNTS,
	ST_OUTBOX_DEPTH,
	ST_WORK_SENDING,
	ST_WORK_FRESH,
	ST_WORK_LATER,
	ST_OUTBOX_SHIFT,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT one",
	[ST_RELEASE] = "RELEASE one",
	[ST_ROLLBACK_TO] = "ROLLBACK TO one",
	[ST_SEEN] = "SELECT 1 FROM inbound WHERE gateway = ?1 AND id = ?2",
	[ST_INCOMING_ADD] =
	    "INSERT INTO incoming (gateway, id, from_number, to_number, "
	    "body, sent_at, received_at) "
	    "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE NOT EXISTS "
	    "(SELECT 1 FROM inbound WHERE gateway = ?1 AND id = ?2)",
	[ST_INCOMING_NEXT] =
	    "SELECT gateway, id, from_number, to_number, body, sent_at, "
	    "received_at, seq FROM incoming ORDER BY sent_at, seq LIMIT ?1",
	[ST_INCOMING_DONE] = "DELETE FROM incoming WHERE seq = ?1",
	[ST_INBOUND_INSERT] =
	    "INSERT INTO inbound (gateway, id, from_number, to_number, "
	    "body, sent_at, received_at, category, topic, rule, note) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	    "ON CONFLICT (gateway, id) DO NOTHING",
	[ST_OPTOUT_UPSERT] =
	    "INSERT INTO optouts (number, opted_out, source, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (number) DO UPDATE SET "
	    "opted_out = excluded.opted_out, source = excluded.source, "
	    "updated_at = excluded.updated_at",
	/* INDEXED BY: without statistics the planner takes outbox_urgency
	 * (state = ?) as readily, and would walk every pending row. */
	[ST_OPTOUT_CANCEL_PENDING] =
	    "UPDATE outbox INDEXED BY outbox_recent "
	    "SET state = 'cancelled', error = 'opted out' "
	    "WHERE to_number = ?1 AND state = 'pending'",
	[ST_OPTOUT_GET] = "SELECT opted_out FROM optouts WHERE number = ?1",
	[ST_OUTBOX_INSERT] =
	    "INSERT INTO outbox (inbound_gateway, inbound_id, to_number, "
	    "from_number, body, state, created_at, next_attempt_at, urgency) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6, ?7)",
	[ST_NEXT_SENDING] = "SELECT " OUTBOX_ITEM_COLUMNS " FROM outbox "
	                    "WHERE state = 'sending' "
	                    "ORDER BY sending_since, id LIMIT ?1",
	[ST_NEXT_PENDING] = "SELECT " OUTBOX_ITEM_COLUMNS " FROM outbox "
	                    "WHERE state = 'pending' AND next_attempt_at <= ?1 "
	                    "ORDER BY urgency DESC, id LIMIT ?2",
	/* The sender's queue, in three parts merged by store_outbox_work,
	 * each most urgent first, then oldest (by id: the wall clock may
	 * have stepped), each walking an index and stopping after ?2 rows
	 * (INDEXED BY: without statistics the planner would rather sort).
	 * Rows left "sending" whose attempt has had time to land (?3) or was
	 * recorded by a clock ahead of now (when ?4 is 1): few, the replies
	 * in flight at most. */
	[ST_WORK_SENDING] = "SELECT " OUTBOX_ITEM_COLUMNS " FROM outbox "
	                    "INDEXED BY outbox_urgency "
	                    "WHERE state = 'sending' AND (sending_since <= ?3 "
	                    "OR (?4 AND sending_since > ?1)) "
	                    "ORDER BY urgency DESC, id LIMIT ?2",
	/* Pending rows never put off, due at ?1 (all of them, unless the
	 * clock stepped back). */
	[ST_WORK_FRESH] = "SELECT " OUTBOX_ITEM_COLUMNS " FROM outbox "
	                  "INDEXED BY outbox_fresh "
	                  "WHERE state = 'pending' "
	                  "AND next_attempt_at <= created_at "
	                  "AND next_attempt_at <= ?1 "
	                  "ORDER BY urgency DESC, id LIMIT ?2",
	/* Pending rows put off until ?1 or earlier: the first ?2 of them
	 * picked from the index alone (rows not yet due are not read), then
	 * read. */
	[ST_WORK_LATER] = "SELECT " OUTBOX_ITEM_COLUMNS " FROM outbox "
	                  "WHERE id IN (SELECT id FROM outbox "
	                  "INDEXED BY outbox_later "
	                  "WHERE state = 'pending' "
	                  "AND next_attempt_at > created_at "
	                  "AND next_attempt_at <= ?1 "
	                  "ORDER BY urgency DESC, id LIMIT ?2) "
	                  "ORDER BY urgency DESC, id",
	/* The wall clock stepped by ?1 from ?2: spans measured from times
	 * recorded before the step keep their length.  A pending row due
	 * before the step stays due. */
	[ST_OUTBOX_SHIFT] =
	    "UPDATE outbox SET next_attempt_at = CASE "
	    "WHEN next_attempt_at > ?2 THEN next_attempt_at + ?1 "
	    "ELSE min(next_attempt_at, ?2 + ?1) END, "
	    "sending_since = sending_since + ?1 "
	    "WHERE state IN ('pending', 'sending')",
	[ST_OUTBOX_BEGIN] = "UPDATE outbox SET state = 'sending', "
	                    "attempts = attempts + 1, sending_since = ?2 "
	                    "WHERE id = ?1 AND " OUTBOX_LIVE,
	[ST_OUTBOX_SENT] = "UPDATE outbox SET state = 'sent', "
	                   "message_id = ?2, sent_at = ?3 "
	                   "WHERE id = ?1 AND " OUTBOX_LIVE,
	[ST_OUTBOX_RETRY] = "UPDATE outbox SET state = 'pending', "
	                    "next_attempt_at = ?2, error = ?3 "
	                    "WHERE id = ?1 AND " OUTBOX_LIVE,
	[ST_OUTBOX_FAILED] = "UPDATE outbox SET state = 'failed', "
	                     "error_code = ?2, error = ?3, failed_at = ?4 "
	                     "WHERE id = ?1 AND " OUTBOX_LIVE,
	[ST_OUTBOX_CANCEL] = "UPDATE outbox SET state = 'cancelled', "
	                     "error = ?2 WHERE id = ?1 AND " OUTBOX_LIVE,
	[ST_OUTBOX_RELEASE] = "UPDATE outbox SET state = 'pending', "
	                      "attempts = max(attempts - 1, 0), "
	                      "sending_since = NULL "
	                      "WHERE id = ?1 AND state = 'sending'",
	[ST_OUTBOX_REQUEUE] = "UPDATE outbox SET state = 'pending', "
	                      "next_attempt_at = ?2, error = ?3, "
	                      "attempts = max(attempts - ?4, 0), "
	                      "sending_since = NULL "
	                      "WHERE id = ?1 AND " OUTBOX_LIVE,
	[ST_CLAIMED] = "SELECT 1 FROM outbox WHERE message_id = ?1 "
	               "AND id <> ?2 LIMIT 1",
	[ST_RECENT_REPLIES] =
	    "SELECT count(*) FROM outbox WHERE to_number = ?1 "
	    "AND created_at >= ?2 AND state <> 'cancelled'",
	[ST_RECENT_SAME] = "SELECT 1 FROM outbox WHERE to_number = ?1 "
	                   "AND created_at >= ?2 AND state <> 'cancelled' "
	                   "AND body = ?3 LIMIT 1",
	[ST_STATE_GET] = "SELECT value FROM state WHERE key = ?1",
	[ST_STATE_SET] =
	    "INSERT INTO state (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[ST_RETAIN_INBOUND] = "UPDATE inbound SET body = NULL "
	                      "WHERE received_at < ?1 AND body IS NOT NULL",
	[ST_RETAIN_OUTBOX] =
	    "UPDATE outbox SET body = NULL WHERE created_at < ?1 "
	    "AND body IS NOT NULL "
	    "AND state IN ('sent', 'failed', 'cancelled')",
	[ST_COUNTS] = "SELECT (SELECT count(*) FROM inbound), "
	              "(SELECT count(*) FROM outbox WHERE state = 'sent'), "
	              "(SELECT count(*) FROM outbox WHERE state = 'failed'), "
	              "(SELECT count(*) FROM outbox "
	              " WHERE state IN ('pending', 'sending')), "
	              "(SELECT count(*) FROM optouts WHERE opted_out = 1), "
	              "(SELECT count(*) FROM incoming)",
	/* Only the outbox_queue index's pending and sending rows. */
	[ST_OUTBOX_DEPTH] = "SELECT count(*), coalesce(min(created_at), 0) "
	                    "FROM outbox WHERE state IN ('pending', 'sending')",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
	/* Inside store_batch_begin() .. store_batch_commit(): each write
	 * is a savepoint of the one open transaction. */
	bool batch;
	char err[512];
	/* The daemon's lock on PATH.lock (store_open), or -1. */
	int lock_fd;
};

static void store_seterr(struct store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
store_seterr(struct store *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
}

/* Records the connection's last error under `what`, with the system's
 * reason for an I/O error and what an operator can do about the usual
 * ones; returns -1. */
static int
store_dberr(struct store *st, const char *what)
{
	int code = sqlite3_errcode(st->db) & 0xff;
	int sys = sqlite3_system_errno(st->db);
	const char *hint = "";
	char why[96] = "";

	if (sys != 0 && (code == SQLITE_IOERR || code == SQLITE_FULL ||
	                 code == SQLITE_CANTOPEN || code == SQLITE_READONLY))
		snprintf(why, sizeof(why), " (%s)", strerror(sys));
	if (code == SQLITE_FULL)
		hint = "; free space on the database's file system";
	else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		hint = "; another process holds the database's write lock";
	else if (code == SQLITE_READONLY || sys == EROFS || sys == EACCES)
		hint = "; the database must be writable by the daemon";
	else if (code == SQLITE_IOERR)
		/* SQLite keeps no errno for a failed commit's writes. */
		hint =
		    "; check the file system holding the database (read-only? "
		    "failing? the kernel log may say)";
	store_seterr(st, "%s: %s%s%s", what, sqlite3_errmsg(st->db), why, hint);
	return -1;
}

static int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int
bind_int64(sqlite3_stmt *s, int i, int64_t v)
{
	return sqlite3_bind_int64(s, i, (sqlite3_int64)v);
}

static char *
column_strdup(sqlite3_stmt *s, int col, bool *oom)
{
	const unsigned char *v = sqlite3_column_text(s, col);
	char *copy;

	if (v == NULL)
		return NULL;
	copy = strdup((const char *)v);
	if (copy == NULL)
		*oom = true;
	return copy;
}

/* Makes a cached statement ready for its next use. */
static void
stmt_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Runs a statement that returns no rows.  0 or -1. */
static int
store_exec(struct store *st, enum stmt which, const char *what)
{
	sqlite3_stmt *s = st->stmt[which];
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		store_dberr(st, what);
	stmt_done(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* A bind failed (out of memory or a programming error). */
static int
store_binderr(struct store *st, enum stmt which, const char *what)
{
	store_dberr(st, what);
	stmt_done(st->stmt[which]);
	return -1;
}

/* A batch the database rolled back on its own (SQLITE_FULL, SQLITE_IOERR
 * and the like end the transaction): nothing more may be written in it. */
static bool
tx_batch_lost(struct store *st)
{
	if (!st->batch || !sqlite3_get_autocommit(st->db))
		return false;
	store_seterr(st, "the batch transaction was rolled back by an "
	                 "earlier error; nothing in it was stored");
	return true;
}

static int
tx_begin(struct store *st)
{
	if (st->batch)
		return tx_batch_lost(st)
		           ? -1
		           : store_exec(st, ST_SAVEPOINT, "begin savepoint");
	return store_exec(st, ST_BEGIN, "begin transaction");
}

/* Rolls back whatever is open, keeping the error that caused it.  In a
 * batch only this write's savepoint is undone. */
static void
tx_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return;
	if (st->batch) {
		sqlite3_step(st->stmt[ST_ROLLBACK_TO]);
		stmt_done(st->stmt[ST_ROLLBACK_TO]);
		sqlite3_step(st->stmt[ST_RELEASE]);
		stmt_done(st->stmt[ST_RELEASE]);
		return;
	}
	sqlite3_step(st->stmt[ST_ROLLBACK]);
	stmt_done(st->stmt[ST_ROLLBACK]);
}

static int
tx_commit(struct store *st)
{
	if (st->batch && tx_batch_lost(st))
		return -1;
	if (store_exec(st, st->batch ? ST_RELEASE : ST_COMMIT, "commit") < 0) {
		tx_rollback(st);
		return -1;
	}
	return 0;
}

int
store_batch_begin(struct store *st)
{
	if (st->batch) {
		store_seterr(st, "batch: one is open already");
		return -1;
	}
	if (store_exec(st, ST_BEGIN, "begin batch") < 0)
		return -1;
	st->batch = true;
	return 0;
}

int
store_batch_commit(struct store *st)
{
	bool lost;

	if (!st->batch) {
		store_seterr(st, "batch: none is open");
		return -1;
	}
	lost = tx_batch_lost(st);
	st->batch = false;
	if (lost)
		return -1;
	if (store_exec(st, ST_COMMIT, "commit batch") < 0) {
		tx_rollback(st);
		return -1;
	}
	return 0;
}

void
store_batch_rollback(struct store *st)
{
	st->batch = false;
	tx_rollback(st);
}

static const char *
outbox_state_name(enum store_outbox_state s)
{
	switch (s) {
	case STORE_OUTBOX_PENDING:
		return "pending";
	case STORE_OUTBOX_SENDING:
		return "sending";
	case STORE_OUTBOX_SENT:
		return "sent";
	case STORE_OUTBOX_FAILED:
		return "failed";
	case STORE_OUTBOX_CANCELLED:
		return "cancelled";
	}
	return "?";
}

static int
outbox_state_parse(const char *name, enum store_outbox_state *ret)
{
	enum store_outbox_state s;

	if (name == NULL)
		return -1;
	for (s = STORE_OUTBOX_PENDING; s <= STORE_OUTBOX_CANCELLED; s++) {
		if (strcmp(name, outbox_state_name(s)) == 0) {
			*ret = s;
			return 0;
		}
	}
	return -1;
}

/* Opening. */

static void open_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
open_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Adds msg to the warnings of an open ("; " between two). */
static void
store_warn_add(char *warn, size_t warnlen, const char *msg)
{
	size_t n;

	if (warn == NULL || warnlen == 0)
		return;
	n = strlen(warn);
	snprintf(warn + n, warnlen - n, "%s%s", n > 0 ? "; " : "", msg);
}

/* Judges a file or directory with fileperm_check: 0 (a warning added to
 * warn), or -1 with err filled. */
static int
store_check_perm(const struct stat *sb, const struct fileperm_rule *rule,
                 bool strict, const char *what, const char *path, char *warn,
                 size_t warnlen, char *err, size_t errlen)
{
	char msg[1024];

	switch (fileperm_check(sb, rule, strict, geteuid(), what, path, msg,
	                       sizeof(msg))) {
	case FILEPERM_REFUSE:
		open_err(err, errlen, "%s", msg);
		return -1;
	case FILEPERM_WARN:
		store_warn_add(warn, warnlen, msg);
		break;
	case FILEPERM_OK:
		break;
	}
	return 0;
}

/* The directory the database is in: whoever can write it can put files of
 * their own in place of the database, its -wal or its lock. */
static int
store_check_dir(const char *path, bool strict, char *warn, size_t warnlen,
                char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat sb;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir)) {
		open_err(err, errlen, "%s: path too long", path);
		return -1;
	} else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	/* stat, not lstat: StateDirectory= with DynamicUser= makes
	 * /var/lib/NAME a symbolic link to /var/lib/private/NAME. */
	if (stat(dir, &sb) < 0) {
		open_err(err, errlen, "state directory %s: %s", dir,
		         strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		open_err(err, errlen, "state directory %s: not a directory",
		         dir);
		return -1;
	}
	return store_check_perm(&sb, &fileperm_private_dir, strict,
	                        "state directory", dir, warn, warnlen, err,
	                        errlen);
}

/* Refuses a symbolic link or a special file where the database, its -wal
 * or its -shm should be, and one another user owns or others can write.
 * A missing file is created by SQLite under store_open's umask 077, so it
 * is 0600, and the -wal and -shm files SQLite gives the same mode. */
static int
store_check_file(const char *path, const char *what, bool strict, char *warn,
                 size_t warnlen, char *err, size_t errlen)
{
	struct stat sb;

	/* lstat, never open(2) and close(2): closing any descriptor of the
	 * database releases every POSIX lock this process holds on it, the
	 * locks of a connection already open included, and another process
	 * could then take the WAL for its own and remove it. */
	if (lstat(path, &sb) < 0) {
		if (errno == ENOENT)
			return 0; /* SQLite creates it, under our umask 077 */
		open_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(sb.st_mode)) {
		open_err(err, errlen,
		         "%s: is a symbolic link; give the path of the %s "
		         "itself",
		         path, what);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		open_err(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	return store_check_perm(&sb, &fileperm_private, strict, what, path,
	                        warn, warnlen, err, errlen);
}

/* The pid the holder of a lock file wrote in it, or 0. */
static long
store_lock_holder(int fd)
{
	char buf[32], *end;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || pid <= 0 || (*end != '\n' && *end))
		return 0;
	return pid;
}

/* One state database has one daemon: an exclusive flock(2) on PATH.lock,
 * held until store_close, with our pid written in it for the next one to
 * name.  A file of its own, not the database: the operator's tool reads
 * and writes the database beside the running daemon, and SQLite's own
 * locks come and go with each transaction.  The file is left behind on
 * exit; an unlocked one is simply taken over. */
static int
store_lock(struct store *st, const char *path, bool strict, char *warn,
           size_t warnlen, char *err, size_t errlen)
{
	char lock[4200], pid[32];
	struct stat sb;
	int fd, n;

	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", path) >=
	    sizeof(lock)) {
		open_err(err, errlen, "%s: path too long", path);
		return -1;
	}
	/* O_NONBLOCK: a FIFO put in its place must not hang start-up. */
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
	          0600);
	if (fd < 0) {
		open_err(err, errlen, "lock file %s: %s", lock,
		         errno == ELOOP ? "is a symbolic link"
		                        : strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		open_err(err, errlen, "lock file %s: %s", lock,
		         strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		open_err(err, errlen, "lock file %s: not a regular file", lock);
		goto fail;
	}
	if (store_check_perm(&sb, &fileperm_private, strict, "lock file", lock,
	                     warn, warnlen, err, errlen) < 0)
		goto fail;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		long holder;

		if (errno != EWOULDBLOCK) {
			open_err(err, errlen, "cannot lock %s: %s", lock,
			         strerror(errno));
			goto fail;
		}
		holder = store_lock_holder(fd);
		if (holder > 0)
			open_err(err, errlen,
			         "%s is in use by another backtalkd, process "
			         "%ld (it holds %s); one state database has "
			         "one daemon: stop that one, or give this one "
			         "a 'state' of its own",
			         path, holder, lock);
		else
			open_err(err, errlen,
			         "%s is in use by another backtalkd (it holds "
			         "%s; its pid is not written yet); one state "
			         "database has one daemon: stop that one, or "
			         "give this one a 'state' of its own",
			         path, lock);
		goto fail;
	}
	/* The pid is for messages only: a failed write leaves the lock. */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) != n)
		(void)ftruncate(fd, 0);
	st->lock_fd = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

/* What store_open checks before SQLite opens anything, and its lock. */
static int
store_claim(struct store *st, const char *path, bool strict, char *warn,
            size_t warnlen, char *err, size_t errlen)
{
	static const char *const suffix[] = { "-wal", "-shm" };
	char side[4200];

	if (store_check_dir(path, strict, warn, warnlen, err, errlen) < 0 ||
	    store_check_file(path, "database file", strict, warn, warnlen, err,
	                     errlen) < 0 ||
	    store_lock(st, path, strict, warn, warnlen, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if ((size_t)snprintf(side, sizeof(side), "%s%s", path,
		                     suffix[i]) >= sizeof(side)) {
			open_err(err, errlen, "%s: path too long", path);
			return -1;
		}
		if (store_check_file(side, "database file", strict, warn,
		                     warnlen, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int
db_exec(sqlite3 *db, const char *sql, const char *path, char *err,
        size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		open_err(err, errlen, "%s: %s", path,
		         msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Runs a statement returning one value (a PRAGMA) and copies it as text. */
static int
db_query_text(sqlite3 *db, const char *sql, char *buf, size_t len,
              const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *v;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		open_err(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		open_err(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	v = sqlite3_column_text(s, 0);
	snprintf(buf, len, "%s", v != NULL ? (const char *)v : "");
	sqlite3_finalize(s);
	return 0;
}

static int
db_user_version(sqlite3 *db, int *ret, const char *path, char *err,
                size_t errlen)
{
	char buf[32], *end;
	long v;

	if (db_query_text(db, "PRAGMA user_version", buf, sizeof(buf), path,
	                  err, errlen) < 0)
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || *end != '\0') {
		open_err(err, errlen, "%s: unreadable schema version '%s'",
		         path, buf);
		return -1;
	}
	*ret = (int)v;
	return 0;
}

/* Brings the schema up to STORE_SCHEMA_VERSION, one transaction per step.
 * Each step re-reads the version inside its write transaction, so two
 * daemons opening the same file at once cannot both apply it. */
static int
store_migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	for (;;) {
		char sql[64];
		int version;

		if (db_exec(db, "BEGIN IMMEDIATE", path, err, errlen) < 0)
			return -1;
		if (db_user_version(db, &version, path, err, errlen) < 0)
			goto fail;
		if (version < 0) {
			open_err(err, errlen,
			         "%s: unknown database schema version %d", path,
			         version);
			goto fail;
		}
		if (version > STORE_SCHEMA_VERSION) {
			open_err(err, errlen,
			         "%s: database schema version %d is newer "
			         "than this backtalk knows (%d); run the "
			         "backtalk that wrote it, or a newer one",
			         path, version, STORE_SCHEMA_VERSION);
			goto fail;
		}
		if (version == STORE_SCHEMA_VERSION)
			return db_exec(db, "COMMIT", path, err, errlen);
		if (db_exec(db, migrations[version], path, err, errlen) < 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		         version + 1);
		if (db_exec(db, sql, path, err, errlen) < 0)
			goto fail;
		if (db_exec(db, "COMMIT", path, err, errlen) < 0)
			goto fail;
	}
fail:
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* The connection's settings for writing (the daemon, and the operator's
 * tool when it writes). */
static int
store_pragmas(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char mode[16];

	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
	/* secure_delete = FAST zeroes deleted text where that costs no extra
	 * write; retention turns it fully on while it clears bodies and then
	 * VACUUMs, so no cleared text survives in free pages either.
	 * temp_store = MEMORY keeps the statement journal of each message's
	 * savepoint (and any sort) in memory: in a file under /var/tmp it
	 * cost two writes per page a message touched, and put copies of
	 * message bodies on disk outside the database. */
	if (db_exec(db,
	            "PRAGMA foreign_keys = ON;"
	            "PRAGMA synchronous = FULL;"
	            "PRAGMA cache_size = -1024;"
	            "PRAGMA temp_store = MEMORY;"
	            "PRAGMA secure_delete = FAST;",
	            path, err, errlen) < 0)
		return -1;
	if (db_query_text(db, "PRAGMA journal_mode = WAL", mode, sizeof(mode),
	                  path, err, errlen) < 0)
		return -1;
	if (strcmp(mode, "wal") != 0) {
		open_err(err, errlen,
		         "%s: cannot use write-ahead logging (journal mode "
		         "stays '%s'); put the database on a local file system",
		         path, mode);
		return -1;
	}
	/* foreign_keys is a no-op inside a transaction and silently ignored
	 * by a build without them: check that it took. */
	if (db_query_text(db, "PRAGMA foreign_keys", mode, sizeof(mode), path,
	                  err, errlen) < 0)
		return -1;
	if (strcmp(mode, "1") != 0) {
		open_err(err, errlen, "%s: foreign keys cannot be enabled",
		         path);
		return -1;
	}
	return 0;
}

static int
store_setup(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	if (store_pragmas(db, path, err, errlen) < 0)
		return -1;
	return store_migrate(db, path, err, errlen);
}

static int
store_prepare(struct store *st, const char *path, char *err, size_t errlen)
{
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		                       SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
		                       NULL) != SQLITE_OK) {
			open_err(err, errlen, "%s: preparing statement %d: %s",
			         path, i, sqlite3_errmsg(st->db));
			return -1;
		}
	}
	return 0;
}

/* Before SQLite starts: no memory statistics (a mutex on every allocation,
 * and nothing here reads them). */
static void
store_configure(void)
{
	static bool done;

	if (!done) {
		done = true;
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	}
}

int
store_open_daemon(const char *path, bool strict, struct store **ret, char *warn,
                  size_t warnlen, char *err, size_t errlen)
{
	struct store *st;
	mode_t old_mask;
	int rc = -1;

	if (warn != NULL && warnlen > 0)
		warn[0] = '\0';
	if (path == NULL || *path == '\0') {
		open_err(err, errlen, "no database path");
		return -1;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		open_err(err, errlen, "%s: out of memory", path);
		return -1;
	}
	st->lock_fd = -1;
	/* Whatever SQLite creates while we set up (-wal, -shm) is private
	 * too, whatever the caller's umask. */
	old_mask = umask(077);
	store_configure();
	if (store_claim(st, path, strict, warn, warnlen, err, errlen) < 0)
		goto out;
	if (sqlite3_open_v2(path, &st->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                        SQLITE_OPEN_NOFOLLOW,
	                    NULL) != SQLITE_OK) {
		open_err(err, errlen, "%s: %s", path,
		         st->db != NULL ? sqlite3_errmsg(st->db)
		                        : "out of memory");
		goto out;
	}
	if (store_setup(st->db, path, err, errlen) < 0 ||
	    store_prepare(st, path, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	umask(old_mask);
	if (rc < 0) {
		store_close(st);
		return -1;
	}
	*ret = st;
	return 0;
}

int
store_open(const char *path, struct store **ret, char *err, size_t errlen)
{
	return store_open_daemon(path, false, ret, NULL, 0, err, errlen);
}

/* Whether the schema is exactly this build's: the operator's tool never
 * migrates a database under a running daemon. */
static int
store_check_version(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int version;

	if (db_user_version(db, &version, path, err, errlen) < 0)
		return -1;
	if (version == 0) {
		open_err(err, errlen,
		         "%s: not a backtalk state database (no schema); is "
		         "this the file backtalkd's 'state' setting names?",
		         path);
		return -1;
	}
	if (version < STORE_SCHEMA_VERSION) {
		open_err(err, errlen,
		         "%s: database schema version %d is older than this "
		         "backtalk's (%d); start the new backtalkd once to "
		         "upgrade it",
		         path, version, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (version > STORE_SCHEMA_VERSION) {
		open_err(err, errlen,
		         "%s: database schema version %d is newer than this "
		         "backtalk's (%d); use the backtalk installed with "
		         "the running backtalkd",
		         path, version, STORE_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

int
store_open_existing(const char *path, bool writable, struct store **ret,
                    int *ret_errno, char *err, size_t errlen)
{
	struct store *st;
	struct stat sb;
	int fd, flags;

	if (ret_errno != NULL)
		*ret_errno = 0;
	if (path == NULL || *path == '\0') {
		open_err(err, errlen, "no database path");
		return -1;
	}
	/* SQLite says only "unable to open database file": find out why
	 * first, so that the caller can say what to do. */
	fd =
	    open(path, (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		if (ret_errno != NULL)
			*ret_errno = errno;
		open_err(err, errlen, "%s: %s", path,
		         errno == ELOOP ? "is a symbolic link; give the path "
		                          "of the database file itself"
		                        : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (!S_ISREG(sb.st_mode)) {
		open_err(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		open_err(err, errlen, "%s: out of memory", path);
		return -1;
	}
	st->lock_fd = -1;
	flags = (writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) |
	        SQLITE_OPEN_NOFOLLOW;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		open_err(err, errlen, "%s: %s", path,
		         st->db != NULL ? sqlite3_errmsg(st->db)
		                        : "out of memory");
		goto fail;
	}
	if (writable) {
		if (store_pragmas(st->db, path, err, errlen) < 0)
			goto fail;
	} else {
		/* query_only: a read command cannot write, whatever it runs. */
		sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
		if (db_exec(st->db,
		            "PRAGMA query_only = ON;"
		            "PRAGMA temp_store = MEMORY;",
		            path, err, errlen) < 0)
			goto fail;
	}
	if (store_check_version(st->db, path, err, errlen) < 0 ||
	    store_prepare(st, path, err, errlen) < 0)
		goto fail;
	*ret = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* after SQLite: the lock goes last */
	free(st);
}

const char *
store_error(const struct store *st)
{
	if (st == NULL)
		return "no store";
	return st->err[0] != '\0' ? st->err : "no error";
}

/* Inbound messages. */

int
store_seen(struct store *st, const char *gateway, const char *id)
{
	sqlite3_stmt *s = st->stmt[ST_SEEN];
	int rc;

	if (bind_text(s, 1, gateway) || bind_text(s, 2, id))
		return store_binderr(st, ST_SEEN, "seen");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_dberr(st, "seen");
	stmt_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Binds an inbound message's columns as ?1 .. ?7 (gateway, id, from, to,
 * body, sent_at, received_at). */
static int
bind_inbound(sqlite3_stmt *s, const struct store_inbound *in)
{
	return bind_text(s, 1, in->gateway) || bind_text(s, 2, in->id) ||
	       bind_text(s, 3, in->from) || bind_text(s, 4, in->to) ||
	       bind_text(s, 5, in->body) || bind_int64(s, 6, in->sent_at) ||
	       bind_int64(s, 7, in->received_at);
}

int
store_incoming_add(struct store *st, const struct store_inbound *in)
{
	char what[160];

	if (in == NULL || in->gateway == NULL || in->id == NULL) {
		store_seterr(st, "stage: no message");
		return -1;
	}
	snprintf(what, sizeof(what), "stage %s message %s", in->gateway,
	         in->id);
	if (bind_inbound(st->stmt[ST_INCOMING_ADD], in))
		return store_binderr(st, ST_INCOMING_ADD, what);
	if (store_exec(st, ST_INCOMING_ADD, what) < 0)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
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

int
store_incoming_next(struct store *st, size_t max, struct store_staged *items,
                    size_t *ret_n)
{
	sqlite3_stmt *s = st->stmt[ST_INCOMING_NEXT];
	size_t n = 0;
	bool oom = false;
	int rc = SQLITE_DONE;

	*ret_n = 0;
	if (bind_int64(s, 1, (int64_t)max))
		return store_binderr(st, ST_INCOMING_NEXT, "incoming");
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_staged *m = &items[n++];

		m->gateway = column_strdup(s, 0, &oom);
		m->id = column_strdup(s, 1, &oom);
		m->from = column_strdup(s, 2, &oom);
		m->to = column_strdup(s, 3, &oom);
		m->body = column_strdup(s, 4, &oom);
		m->sent_at = sqlite3_column_int64(s, 5);
		m->received_at = sqlite3_column_int64(s, 6);
		m->seq = sqlite3_column_int64(s, 7);
		if (oom)
			break;
	}
	if (oom)
		store_seterr(st, "incoming: out of memory");
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_dberr(st, "incoming");
	stmt_done(s);
	if (oom || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		while (n > 0)
			store_staged_free(&items[--n]);
		return -1;
	}
	*ret_n = n;
	return 0;
}

/* Sets number's opt-out and, when opting out, cancels its pending replies
 * (see the top of the file).  Inside the caller's transaction. */
static int
store_optout_apply(struct store *st, const char *number, bool opted_out,
                   const char *source, int64_t now)
{
	sqlite3_stmt *s = st->stmt[ST_OPTOUT_UPSERT];

	if (bind_text(s, 1, number) || bind_int64(s, 2, opted_out ? 1 : 0) ||
	    bind_text(s, 3, source) || bind_int64(s, 4, now))
		return store_binderr(st, ST_OPTOUT_UPSERT, "opt-out");
	if (store_exec(st, ST_OPTOUT_UPSERT, "opt-out") < 0)
		return -1;
	if (!opted_out)
		return 0;
	s = st->stmt[ST_OPTOUT_CANCEL_PENDING];
	if (bind_text(s, 1, number))
		return store_binderr(st, ST_OPTOUT_CANCEL_PENDING,
		                     "opt-out: cancel pending replies");
	return store_exec(st, ST_OPTOUT_CANCEL_PENDING,
	                  "opt-out: cancel pending replies");
}

enum store_record_result
store_record(struct store *st, const struct store_inbound *in,
             const struct store_decision *dec)
{
	sqlite3_stmt *s;
	char what[160];
	bool dup;

	if (in == NULL || dec == NULL || in->gateway == NULL ||
	    in->id == NULL) {
		store_seterr(st, "record: no message or no decision");
		return STORE_ERROR;
	}
	snprintf(what, sizeof(what), "record %s message %s", in->gateway,
	         in->id);
	if (dec->action != STORE_ACTION_REPLY &&
	    dec->action != STORE_ACTION_NONE) {
		store_seterr(st, "%s: unknown action %d", what,
		             (int)dec->action);
		return STORE_ERROR;
	}
	if (tx_begin(st) < 0)
		return STORE_ERROR;

	s = st->stmt[ST_INBOUND_INSERT];
	if (bind_inbound(s, in) || bind_text(s, 8, dec->category) ||
	    bind_text(s, 9, dec->topic) || bind_text(s, 10, dec->rule) ||
	    bind_text(s, 11, dec->note)) {
		store_binderr(st, ST_INBOUND_INSERT, what);
		goto fail;
	}
	if (store_exec(st, ST_INBOUND_INSERT, what) < 0)
		goto fail;
	dup = sqlite3_changes(st->db) == 0;
	/* Recorded now (or before): no longer waiting in incoming. */
	s = st->stmt[ST_INCOMING_DONE];
	if (in->staged_seq > 0) {
		if (bind_int64(s, 1, in->staged_seq)) {
			store_binderr(st, ST_INCOMING_DONE, what);
			goto fail;
		}
		if (store_exec(st, ST_INCOMING_DONE, what) < 0)
			goto fail;
	}
	if (dup)
		return tx_commit(st) < 0 ? STORE_ERROR : STORE_DUPLICATE;

	if (dec->optout_change != 0) {
		char source[160];

		snprintf(source, sizeof(source), "%s:%s", in->gateway, in->id);
		if (store_optout_apply(st, in->from, dec->optout_change > 0,
		                       source, in->received_at) < 0)
			goto fail;
	}

	if (dec->action == STORE_ACTION_REPLY) {
		s = st->stmt[ST_OUTBOX_INSERT];
		if (bind_text(s, 1, in->gateway) || bind_text(s, 2, in->id) ||
		    bind_text(s, 3, in->from) ||
		    bind_text(s, 4, dec->reply_from) ||
		    bind_text(s, 5, dec->reply) ||
		    bind_int64(s, 6, in->received_at) ||
		    bind_int64(s, 7, dec->urgency)) {
			store_binderr(st, ST_OUTBOX_INSERT, what);
			goto fail;
		}
		if (store_exec(st, ST_OUTBOX_INSERT, what) < 0)
			goto fail;
	}

	if (tx_commit(st) < 0)
		return STORE_ERROR;
	return STORE_RECORDED;
fail:
	tx_rollback(st);
	return STORE_ERROR;
}

/* The outbox. */

/* Reads the current row of an ST_NEXT_* query into *it.  0 or -1. */
static int
outbox_row(struct store *st, sqlite3_stmt *s, struct store_outbox_item *it)
{
	bool oom = false;

	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(s, 0);
	it->inbound_id = column_strdup(s, 1, &oom);
	it->to = column_strdup(s, 2, &oom);
	it->from = column_strdup(s, 3, &oom);
	it->body = column_strdup(s, 4, &oom);
	it->attempts = sqlite3_column_int(s, 5);
	it->created_at = sqlite3_column_int64(s, 6);
	it->sending_since = sqlite3_column_int64(s, 7);
	it->urgency = sqlite3_column_int(s, 9);
	it->category = column_strdup(s, 10, &oom);
	it->received_at = sqlite3_column_int64(s, 11);
	if (outbox_state_parse((const char *)sqlite3_column_text(s, 8),
	                       &it->state) < 0) {
		store_seterr(st, "outbox row %" PRId64 ": unknown state",
		             it->id);
	} else if (oom) {
		store_seterr(st, "outbox: out of memory");
	} else {
		return 0;
	}
	store_outbox_item_free(it);
	return -1;
}

/* Runs one of the ST_NEXT_* queries (parameters bound), appending rows to
 * items until *n reaches max.  0 or -1. */
static int
outbox_query(struct store *st, enum stmt which, struct store_outbox_item *items,
             size_t max, size_t *n)
{
	sqlite3_stmt *s = st->stmt[which];
	int rc = SQLITE_DONE;

	while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (outbox_row(st, s, &items[*n]) < 0) {
			stmt_done(s);
			return -1;
		}
		(*n)++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_dberr(st, "outbox");
		stmt_done(s);
		return -1;
	}
	stmt_done(s);
	return 0;
}

/* Rows left "sending" (when with_sending), then pending rows due at now. */
static int
outbox_due(struct store *st, int64_t now, size_t max, bool with_sending,
           struct store_outbox_item *items, size_t *ret_n)
{
	size_t n = 0;
	int rc = 0;

	*ret_n = 0;
	if (max == 0)
		return 0;
	/* Rows left "sending" come first: the sender must settle them with
	 * the gateway before anything else goes out. */
	if (with_sending) {
		if (bind_int64(st->stmt[ST_NEXT_SENDING], 1, (int64_t)max))
			return store_binderr(st, ST_NEXT_SENDING, "outbox");
		rc = outbox_query(st, ST_NEXT_SENDING, items, max, &n);
	}
	if (rc == 0 && n < max) {
		if (bind_int64(st->stmt[ST_NEXT_PENDING], 1, now) ||
		    bind_int64(st->stmt[ST_NEXT_PENDING], 2,
		               (int64_t)(max - n)))
			rc = store_binderr(st, ST_NEXT_PENDING, "outbox");
		else
			rc = outbox_query(st, ST_NEXT_PENDING, items, max, &n);
	}
	if (rc < 0) {
		while (n > 0)
			store_outbox_item_free(&items[--n]);
		return -1;
	}
	*ret_n = n;
	return 0;
}

int
store_outbox_due(struct store *st, int64_t now, size_t max,
                 struct store_outbox_item *items, size_t *ret_n)
{
	return outbox_due(st, now, max, true, items, ret_n);
}

/* The parts of the sender's queue, each in (urgency DESC, id) order;
 * their rows never overlap. */
static const enum stmt work_parts[] = { ST_WORK_SENDING, ST_WORK_FRESH,
	                                ST_WORK_LATER };
#define WORK_PARTS (sizeof(work_parts) / sizeof(work_parts[0]))

/* Whether the current row of a comes before that of b in the queue. */
static bool
work_before(sqlite3_stmt *a, sqlite3_stmt *b)
{
	int ua = sqlite3_column_int(a, 9), ub = sqlite3_column_int(b, 9);

	if (ua != ub)
		return ua > ub;
	return sqlite3_column_int64(a, 0) < sqlite3_column_int64(b, 0);
}

/* Steps part i; whether it has a row.  -1 on an error. */
static int
work_step(struct store *st, size_t i)
{
	int rc = sqlite3_step(st->stmt[work_parts[i]]);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_dberr(st, "outbox");
	return -1;
}

/* Merges the parts (parameters bound) into items, up to max rows. */
static int
work_merge(struct store *st, size_t max, struct store_outbox_item *items,
           size_t *n)
{
	int live[WORK_PARTS];
	size_t i;

	for (i = 0; i < WORK_PARTS; i++)
		if ((live[i] = work_step(st, i)) < 0)
			return -1;
	while (*n < max) {
		size_t best = WORK_PARTS;

		for (i = 0; i < WORK_PARTS; i++)
			if (live[i] &&
			    (best == WORK_PARTS ||
			     work_before(st->stmt[work_parts[i]],
			                 st->stmt[work_parts[best]])))
				best = i;
		if (best == WORK_PARTS)
			break;
		if (outbox_row(st, st->stmt[work_parts[best]], &items[*n]) < 0)
			return -1;
		(*n)++;
		if ((live[best] = work_step(st, best)) < 0)
			return -1;
	}
	return 0;
}

int
store_outbox_work(struct store *st, int64_t now, int64_t settled_before,
                  bool ahead_too, size_t max, struct store_outbox_item *items,
                  size_t *ret_n)
{
	size_t n = 0, i;
	int rc = 0;

	*ret_n = 0;
	if (max == 0)
		return 0;
	for (i = 0; i < WORK_PARTS; i++) {
		sqlite3_stmt *s = st->stmt[work_parts[i]];

		if (bind_int64(s, 1, now) || bind_int64(s, 2, (int64_t)max) ||
		    (work_parts[i] == ST_WORK_SENDING &&
		     (bind_int64(s, 3, settled_before) ||
		      bind_int64(s, 4, ahead_too))))
			return store_binderr(st, work_parts[i], "outbox");
	}
	rc = work_merge(st, max, items, &n);
	for (i = 0; i < WORK_PARTS; i++)
		stmt_done(st->stmt[work_parts[i]]);
	if (rc < 0) {
		while (n > 0)
			store_outbox_item_free(&items[--n]);
		return -1;
	}
	*ret_n = n;
	return 0;
}

int64_t
store_vm_steps(const struct store *st)
{
	int64_t n = 0;

	for (size_t i = 0; i < ST_COUNT; i++)
		if (st->stmt[i] != NULL)
			n += sqlite3_stmt_status(st->stmt[i],
			                         SQLITE_STMTSTATUS_VM_STEP, 0);
	return n;
}

int
store_outbox_shift(struct store *st, int64_t delta, int64_t before)
{
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_SHIFT];

	if (bind_int64(s, 1, delta) || bind_int64(s, 2, before))
		return store_binderr(st, ST_OUTBOX_SHIFT, "outbox shift");
	return store_exec(st, ST_OUTBOX_SHIFT, "outbox shift");
}

int
store_outbox_next(struct store *st, int64_t now, struct store_outbox_item *ret)
{
	size_t n;

	if (store_outbox_due(st, now, 1, ret, &n) < 0)
		return -1;
	return n == 1 ? 1 : 0;
}

/* Runs an outbox transition whose parameters are bound; fails when the
 * row is missing or already settled. */
static int
outbox_transition(struct store *st, enum stmt which, int64_t id,
                  const char *what)
{
	if (store_exec(st, which, what) < 0)
		return -1;
	if (sqlite3_changes(st->db) == 0) {
		store_seterr(st,
		             "%s: outbox row %" PRId64 " is not pending or "
		             "sending (missing, or already sent, failed or "
		             "cancelled)",
		             what, id);
		return -1;
	}
	return 0;
}

int
store_outbox_begin(struct store *st, int64_t id, int64_t now)
{
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_BEGIN];

	if (bind_int64(s, 1, id) || bind_int64(s, 2, now))
		return store_binderr(st, ST_OUTBOX_BEGIN, "outbox begin");
	return outbox_transition(st, ST_OUTBOX_BEGIN, id, "outbox begin");
}

int
store_outbox_sent(struct store *st, int64_t id, const char *message_id,
                  int64_t now)
{
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_SENT];

	if (bind_int64(s, 1, id) || bind_text(s, 2, message_id) ||
	    bind_int64(s, 3, now))
		return store_binderr(st, ST_OUTBOX_SENT, "outbox sent");
	return outbox_transition(st, ST_OUTBOX_SENT, id, "outbox sent");
}

int
store_outbox_retry(struct store *st, int64_t id, int64_t next_at,
                   const char *error)
{
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_RETRY];

	if (bind_int64(s, 1, id) || bind_int64(s, 2, next_at) ||
	    bind_text(s, 3, error))
		return store_binderr(st, ST_OUTBOX_RETRY, "outbox retry");
	return outbox_transition(st, ST_OUTBOX_RETRY, id, "outbox retry");
}

int
store_outbox_failed(struct store *st, int64_t id, const char *code,
                    const char *error, int64_t now)
{
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_FAILED];

	if (bind_int64(s, 1, id) || bind_text(s, 2, code) ||
	    bind_text(s, 3, error) || bind_int64(s, 4, now))
		return store_binderr(st, ST_OUTBOX_FAILED, "outbox failed");
	return outbox_transition(st, ST_OUTBOX_FAILED, id, "outbox failed");
}

int
store_outbox_cancel(struct store *st, int64_t id, const char *why)
{
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_CANCEL];

	if (bind_int64(s, 1, id) || bind_text(s, 2, why))
		return store_binderr(st, ST_OUTBOX_CANCEL, "outbox cancel");
	return outbox_transition(st, ST_OUTBOX_CANCEL, id, "outbox cancel");
}

int
store_outbox_release(struct store *st, int64_t id)
{
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_RELEASE];

	if (bind_int64(s, 1, id))
		return store_binderr(st, ST_OUTBOX_RELEASE, "outbox release");
	return outbox_transition(st, ST_OUTBOX_RELEASE, id, "outbox release");
}

int
store_outbox_requeue(struct store *st, int64_t id, int64_t next_at,
                     const char *error, bool counted)
{
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_REQUEUE];

	if (bind_int64(s, 1, id) || bind_int64(s, 2, next_at) ||
	    bind_text(s, 3, error) || bind_int64(s, 4, counted ? 0 : 1))
		return store_binderr(st, ST_OUTBOX_REQUEUE, "outbox requeue");
	return outbox_transition(st, ST_OUTBOX_REQUEUE, id, "outbox requeue");
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

/* Opt-outs. */

int
store_optout_set(struct store *st, const char *number, bool opted_out,
                 const char *source, int64_t now)
{
	if (tx_begin(st) < 0)
		return -1;
	if (store_optout_apply(st, number, opted_out, source, now) < 0) {
		tx_rollback(st);
		return -1;
	}
	return tx_commit(st);
}

/* Runs a query returning at most one integer.  1 and *ret set, 0 no row,
 * -1 error. */
static int
query_int64(struct store *st, enum stmt which, const char *what, int64_t *ret)
{
	sqlite3_stmt *s = st->stmt[which];
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		store_dberr(st, what);
	stmt_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_is_opted_out(struct store *st, const char *number)
{
	int64_t v = 0;
	int rc;

	if (bind_text(st->stmt[ST_OPTOUT_GET], 1, number))
		return store_binderr(st, ST_OPTOUT_GET, "opt-out lookup");
	rc = query_int64(st, ST_OPTOUT_GET, "opt-out lookup", &v);
	if (rc < 0)
		return -1;
	return rc == 1 && v != 0;
}

int
store_outbox_claimed(struct store *st, const char *message_id, int64_t except)
{
	sqlite3_stmt *s = st->stmt[ST_CLAIMED];
	int64_t v;

	if (bind_text(s, 1, message_id) || bind_int64(s, 2, except))
		return store_binderr(st, ST_CLAIMED, "outbox claimed");
	return query_int64(st, ST_CLAIMED, "outbox claimed", &v);
}

int
store_recent_replies(struct store *st, const char *number, int64_t since,
                     int64_t *ret_count)
{
	sqlite3_stmt *s = st->stmt[ST_RECENT_REPLIES];
	int64_t n = 0;

	if (bind_text(s, 1, number) || bind_int64(s, 2, since))
		return store_binderr(st, ST_RECENT_REPLIES, "recent replies");
	if (query_int64(st, ST_RECENT_REPLIES, "recent replies", &n) < 0)
		return -1;
	*ret_count = n;
	return 0;
}

int
store_recent_same_reply(struct store *st, const char *number, const char *body,
                        int64_t since)
{
	sqlite3_stmt *s = st->stmt[ST_RECENT_SAME];
	int64_t v;

	if (bind_text(s, 1, number) || bind_int64(s, 2, since) ||
	    bind_text(s, 3, body))
		return store_binderr(st, ST_RECENT_SAME, "recent same reply");
	return query_int64(st, ST_RECENT_SAME, "recent same reply", &v);
}

/* Daemon state. */

int
store_state_get(struct store *st, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *s = st->stmt[ST_STATE_GET];
	const unsigned char *v;
	size_t n;
	int rc;

	if (buf == NULL || len == 0) {
		store_seterr(st, "state %s: no buffer", key ? key : "(null)");
		return -1;
	}
	if (bind_text(s, 1, key))
		return store_binderr(st, ST_STATE_GET, "state get");
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		buf[0] = '\0';
		stmt_done(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		store_dberr(st, "state get");
		stmt_done(s);
		return -1;
	}
	v = sqlite3_column_text(s, 0);
	n = (size_t)sqlite3_column_bytes(s, 0);
	if (v == NULL || n >= len) {
		store_seterr(st, "state %s: value of %zu bytes does not fit",
		             key, n);
		stmt_done(s);
		return -1;
	}
	memcpy(buf, v, n);
	buf[n] = '\0';
	stmt_done(s);
	return 1;
}

int
store_state_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = st->stmt[ST_STATE_SET];

	if (bind_text(s, 1, key) || bind_text(s, 2, value))
		return store_binderr(st, ST_STATE_SET, "state set");
	return store_exec(st, ST_STATE_SET, "state set");
}

/* Retention and counts. */

/* Clears bodies older than before in one transaction; *ret_cleared is
 * how many.  0 or -1. */
static int
store_retention_clear(struct store *st, int64_t before, int64_t *ret_cleared)
{
	int64_t cleared;

	if (tx_begin(st) < 0)
		return -1;
	if (bind_int64(st->stmt[ST_RETAIN_INBOUND], 1, before)) {
		store_binderr(st, ST_RETAIN_INBOUND, "retention");
		goto fail;
	}
	if (store_exec(st, ST_RETAIN_INBOUND, "retention: inbound") < 0)
		goto fail;
	cleared = sqlite3_changes64(st->db);
	if (bind_int64(st->stmt[ST_RETAIN_OUTBOX], 1, before)) {
		store_binderr(st, ST_RETAIN_OUTBOX, "retention");
		goto fail;
	}
	if (store_exec(st, ST_RETAIN_OUTBOX, "retention: outbox") < 0)
		goto fail;
	cleared += sqlite3_changes64(st->db);
	if (tx_commit(st) < 0)
		return -1;
	*ret_cleared = cleared;
	return 0;
fail:
	tx_rollback(st);
	return -1;
}

int64_t
store_retention(struct store *st, int64_t before)
{
	int64_t cleared = 0;
	int rc;

	if (sqlite3_exec(st->db, "PRAGMA secure_delete = ON", NULL, NULL,
	                 NULL) != SQLITE_OK)
		return store_dberr(st, "retention: secure_delete");
	rc = store_retention_clear(st, before, &cleared);
	sqlite3_exec(st->db, "PRAGMA secure_delete = FAST", NULL, NULL, NULL);
	if (rc < 0)
		return -1;
	if (cleared == 0)
		return 0;

	/* secure_delete has zeroed the old text in the pages written; VACUUM
	 * rewrites the file without its free pages, and the TRUNCATE
	 * checkpoint after it leaves no older page copy in the -wal file.
	 * A checkpoint held up by a reader (SQLITE_BUSY) is completed by a
	 * later one. */
	if (sqlite3_exec(st->db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK)
		return store_dberr(st, "retention: vacuum");
	rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	                               NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return store_dberr(st, "retention: checkpoint");
	return cleared;
}

int
store_counts(struct store *st, struct store_counts *ret)
{
	sqlite3_stmt *s = st->stmt[ST_COUNTS];
	int rc = sqlite3_step(s);

	if (rc != SQLITE_ROW) {
		store_dberr(st, "counts");
		stmt_done(s);
		return -1;
	}
	ret->inbound = sqlite3_column_int64(s, 0);
	ret->replies_sent = sqlite3_column_int64(s, 1);
	ret->replies_failed = sqlite3_column_int64(s, 2);
	ret->outbox_pending = sqlite3_column_int64(s, 3);
	ret->optouts = sqlite3_column_int64(s, 4);
	ret->staged = sqlite3_column_int64(s, 5);
	stmt_done(s);
	return 0;
}

int
store_outbox_depth(struct store *st, int64_t *ret, int64_t *oldest)
{
	sqlite3_stmt *s = st->stmt[ST_OUTBOX_DEPTH];

	if (sqlite3_step(s) != SQLITE_ROW) {
		store_dberr(st, "outbox depth");
		stmt_done(s);
		return -1;
	}
	*ret = sqlite3_column_int64(s, 0);
	if (oldest != NULL)
		*oldest = sqlite3_column_int64(s, 1);
	stmt_done(s);
	return 0;
}

/* The operator's tool.  Its queries run once a call, so they are prepared
 * then rather than kept with the daemon's.  Each is one statement, read in
 * one snapshot of a database the daemon may be writing. */

static sqlite3_stmt *
admin_prepare(struct store *st, const char *sql, const char *what)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_dberr(st, what);
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

/* Finalizes s after its last step rc: 0 when the rows ran out (or the
 * callback stopped them, stopped != 0), -1 otherwise. */
static int
admin_finish(struct store *st, sqlite3_stmt *s, int rc, int stopped,
             const char *what)
{
	if (!stopped && rc != SQLITE_DONE)
		store_dberr(st, what);
	sqlite3_finalize(s);
	return stopped || rc == SQLITE_DONE ? 0 : -1;
}

/* A bind failed: out of memory or a programming error. */
static int
admin_bind_failed(struct store *st, sqlite3_stmt *s, const char *what)
{
	store_dberr(st, what);
	sqlite3_finalize(s);
	return -1;
}

static const char *
admin_text(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

/* The same number the other way round: with a leading '+' dropped, or
 * added.  Gateways differ (Infobip writes none). */
static void
admin_other_form(const char *number, char *buf, size_t len)
{
	if (number[0] == '+')
		snprintf(buf, len, "%s", number + 1);
	else
		snprintf(buf, len, "+%s", number);
}

/* Binds number and its other form as ?1 and ?2. */
static int
admin_bind_number(sqlite3_stmt *s, const char *number, char *other, size_t len)
{
	admin_other_form(number, other, len);
	return bind_text(s, 1, number) || bind_text(s, 2, other);
}

int
store_status(struct store *st, struct store_status *ret)
{
	static const char sql[] =
	    "SELECT (SELECT count(*) FROM inbound), "
	    "(SELECT count(*) FROM incoming), "
	    "(SELECT count(*) FROM optouts WHERE opted_out = 1), "
	    "(SELECT count(*) FROM outbox WHERE state = 'pending'), "
	    "(SELECT count(*) FROM outbox WHERE state = 'sending'), "
	    "(SELECT count(*) FROM outbox WHERE state = 'sent'), "
	    "(SELECT count(*) FROM outbox WHERE state = 'failed'), "
	    "(SELECT count(*) FROM outbox WHERE state = 'cancelled'), "
	    "(SELECT coalesce(min(created_at), 0) FROM outbox "
	    " WHERE state IN ('pending', 'sending'))";
	sqlite3_stmt *s = admin_prepare(st, sql, "status");
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(ret, 0, sizeof(*ret));
		ret->inbound = sqlite3_column_int64(s, 0);
		ret->staged = sqlite3_column_int64(s, 1);
		ret->optouts = sqlite3_column_int64(s, 2);
		ret->outbox[STORE_OUTBOX_PENDING] = sqlite3_column_int64(s, 3);
		ret->outbox[STORE_OUTBOX_SENDING] = sqlite3_column_int64(s, 4);
		ret->outbox[STORE_OUTBOX_SENT] = sqlite3_column_int64(s, 5);
		ret->outbox[STORE_OUTBOX_FAILED] = sqlite3_column_int64(s, 6);
		ret->outbox[STORE_OUTBOX_CANCELLED] =
		    sqlite3_column_int64(s, 7);
		ret->oldest_pending = sqlite3_column_int64(s, 8);
		rc = SQLITE_DONE;
	}
	return admin_finish(st, s, rc, 0, "status");
}

int
store_failures(struct store *st, int64_t since, size_t max,
               int (*fn)(void *arg, const struct store_failure *f), void *arg)
{
	static const char sql[] =
	    "SELECT id, to_number, failed_at, error_code, error FROM outbox "
	    "WHERE state = 'failed' AND failed_at >= ?1 "
	    "ORDER BY failed_at DESC, id DESC LIMIT ?2";
	sqlite3_stmt *s = admin_prepare(st, sql, "failures");
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	if (bind_int64(s, 1, since) || bind_int64(s, 2, (int64_t)max))
		return admin_bind_failed(st, s, "failures");
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_failure f = {
			.id = sqlite3_column_int64(s, 0),
			.to = admin_text(s, 1),
			.failed_at = sqlite3_column_int64(s, 2),
			.error_code = admin_text(s, 3),
			.error = admin_text(s, 4),
		};
		stop = fn(arg, &f);
	}
	return admin_finish(st, s, rc, stop, "failures");
}

int
store_optouts(struct store *st,
              int (*fn)(void *arg, const struct store_optout *o), void *arg)
{
	static const char sql[] =
	    "SELECT number, source, updated_at FROM optouts "
	    "WHERE opted_out = 1 ORDER BY updated_at, number";
	sqlite3_stmt *s = admin_prepare(st, sql, "opt-outs");
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_optout o = {
			.number = admin_text(s, 0),
			.source = admin_text(s, 1),
			.updated_at = sqlite3_column_int64(s, 2),
		};
		stop = fn(arg, &o);
	}
	return admin_finish(st, s, rc, stop, "opt-outs");
}

int
store_number_form(struct store *st, const char *number, char *buf, size_t len)
{
	/* The form a gateway wrote first, then one an opt-out has. */
	static const char sql[] =
	    "SELECT n FROM (SELECT from_number AS n, 0 AS k FROM inbound "
	    "WHERE from_number IN (?1, ?2) "
	    "UNION ALL SELECT number, 1 FROM optouts "
	    "WHERE number IN (?1, ?2)) ORDER BY k LIMIT 1";
	sqlite3_stmt *s = admin_prepare(st, sql, "number lookup");
	char other[128];
	const char *v;
	int rc;

	if (s == NULL)
		return -1;
	if (admin_bind_number(s, number, other, sizeof(other)))
		return admin_bind_failed(st, s, "number lookup");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		v = admin_text(s, 0);
		snprintf(buf, len, "%s", v != NULL ? v : number);
		sqlite3_finalize(s);
		return 1;
	}
	return admin_finish(st, s, rc, 0, "number lookup");
}

int
store_history(struct store *st, const char *number, size_t max,
              int (*fn)(void *arg, const struct store_event *e), void *arg)
{
	/* A reply sorts right after its message (its created_at is the
	 * message's received_at); the last max events, in time order. */
	static const char sql[] =
	    "SELECT at, outbound, gateway, id, category, topic, rule, state, "
	    "note, body FROM (SELECT * FROM ("
	    " SELECT received_at AS at, received_at AS k, 0 AS outbound,"
	    "  rowid AS seq, gateway, id, category, topic, rule,"
	    "  NULL AS state, note, body"
	    " FROM inbound WHERE from_number IN (?1, ?2)"
	    " UNION ALL"
	    " SELECT coalesce(o.sent_at, o.failed_at, o.created_at),"
	    "  o.created_at, 1, o.id, i.gateway, i.id, i.category, i.topic,"
	    "  i.rule, o.state,"
	    "  CASE WHEN o.error_code IS NOT NULL"
	    "   THEN o.error_code || ': ' || coalesce(o.error, '')"
	    "   ELSE o.error END,"
	    "  o.body"
	    " FROM outbox o JOIN inbound i ON i.gateway = o.inbound_gateway"
	    "  AND i.id = o.inbound_id"
	    " WHERE o.to_number IN (?1, ?2))"
	    " ORDER BY k DESC, outbound DESC, seq DESC LIMIT ?3) "
	    "ORDER BY k, outbound, seq";
	sqlite3_stmt *s = admin_prepare(st, sql, "history");
	char other[128];
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	if (admin_bind_number(s, number, other, sizeof(other)) ||
	    bind_int64(s, 3, max > 0 ? (int64_t)max : -1))
		return admin_bind_failed(st, s, "history");
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_event e = {
			.at = sqlite3_column_int64(s, 0),
			.outbound = sqlite3_column_int(s, 1) != 0,
			.gateway = admin_text(s, 2),
			.id = admin_text(s, 3),
			.category = admin_text(s, 4),
			.topic = admin_text(s, 5),
			.rule = admin_text(s, 6),
			.state = admin_text(s, 7),
			.note = admin_text(s, 8),
			.body = admin_text(s, 9),
		};
		stop = fn(arg, &e);
	}
	return admin_finish(st, s, rc, stop, "history");
}

int
store_stats(struct store *st, int64_t since,
            int (*fn)(void *arg, const char *what, const char *name,
                      int64_t count),
            void *arg, struct store_stats *ret)
{
	static const char *const what[] = { "category", "topic", "rule",
		                            "unanswered" };
	static const char groups_sql[] =
	    "SELECT 0, category, count(*) FROM inbound WHERE received_at >= ?1 "
	    "GROUP BY 2 UNION ALL "
	    "SELECT 1, topic, count(*) FROM inbound WHERE received_at >= ?1 "
	    "GROUP BY 2 UNION ALL "
	    "SELECT 2, rule, count(*) FROM inbound WHERE received_at >= ?1 "
	    "GROUP BY 2 UNION ALL "
	    "SELECT 3, note, count(*) FROM inbound WHERE received_at >= ?1 "
	    "AND note IS NOT NULL GROUP BY 2 ORDER BY 1, 3 DESC, 2";
	static const char totals_sql[] =
	    "SELECT (SELECT count(*) FROM inbound WHERE received_at >= ?1), "
	    "(SELECT count(*) FROM outbox WHERE state = 'sent' "
	    " AND sent_at >= ?1), "
	    "(SELECT count(*) FROM outbox WHERE state = 'failed' "
	    " AND failed_at >= ?1), "
	    "(SELECT count(*) FROM outbox WHERE state = 'cancelled' "
	    " AND created_at >= ?1), "
	    "(SELECT count(*) FROM outbox WHERE state IN "
	    " ('pending', 'sending') AND created_at >= ?1), "
	    "(SELECT count(*) FROM optouts WHERE opted_out = 1 "
	    " AND updated_at >= ?1), "
	    "(SELECT count(*) FROM optouts WHERE opted_out = 0 "
	    " AND updated_at >= ?1)";
	sqlite3_stmt *s;
	int rc, stop = 0, result = -1;

	/* Both queries see the same snapshot. */
	if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_dberr(st, "stats");
	s = admin_prepare(st, totals_sql, "stats");
	if (s == NULL)
		goto out;
	if (bind_int64(s, 1, since)) {
		admin_finish(st, s, SQLITE_MISUSE, 0, "stats");
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		ret->inbound = sqlite3_column_int64(s, 0);
		ret->replies_sent = sqlite3_column_int64(s, 1);
		ret->replies_failed = sqlite3_column_int64(s, 2);
		ret->replies_cancelled = sqlite3_column_int64(s, 3);
		ret->replies_pending = sqlite3_column_int64(s, 4);
		ret->optouts = sqlite3_column_int64(s, 5);
		ret->optins = sqlite3_column_int64(s, 6);
		rc = SQLITE_DONE;
	}
	if (admin_finish(st, s, rc, 0, "stats") < 0)
		goto out;
	s = admin_prepare(st, groups_sql, "stats");
	if (s == NULL)
		goto out;
	if (bind_int64(s, 1, since)) {
		admin_finish(st, s, SQLITE_MISUSE, 0, "stats");
		goto out;
	}
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int k = sqlite3_column_int(s, 0);
		stop = fn(arg, what[k >= 0 && k <= 3 ? k : 2], admin_text(s, 1),
		          sqlite3_column_int64(s, 2));
	}
	result = admin_finish(st, s, rc, stop, "stats");
out:
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	return result;
}

int
store_decided(struct store *st, int64_t since, size_t max,
              int (*fn)(void *arg, const struct store_decided *m), void *arg)
{
	/* The reply row is found through the outbox_recent index: a reply
	 * is created for its sender at the message's received_at. */
	static const char sql[] =
	    "SELECT i.gateway, i.id, i.body, i.category, i.topic, i.rule, "
	    "o.body, i.received_at, i.sent_at FROM inbound i "
	    "LEFT JOIN outbox o ON o.to_number = i.from_number "
	    " AND o.created_at = i.received_at "
	    " AND o.inbound_gateway = i.gateway AND o.inbound_id = i.id "
	    "WHERE i.received_at >= ?1 AND i.body IS NOT NULL "
	    "ORDER BY i.received_at, i.rowid LIMIT ?2";
	sqlite3_stmt *s = admin_prepare(st, sql, "inbound");
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	if (bind_int64(s, 1, since) ||
	    bind_int64(s, 2, max > 0 ? (int64_t)max : -1))
		return admin_bind_failed(st, s, "inbound");
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_decided m = {
			.gateway = admin_text(s, 0),
			.id = admin_text(s, 1),
			.body = admin_text(s, 2),
			.category = admin_text(s, 3),
			.topic = admin_text(s, 4),
			.rule = admin_text(s, 5),
			.reply = admin_text(s, 6),
			.received_at = sqlite3_column_int64(s, 7),
			.sent_at = sqlite3_column_int64(s, 8),
		};
		stop = fn(arg, &m);
	}
	return admin_finish(st, s, rc, stop, "inbound");
}

/* ---- backtalk outbox: the operator's look at replies, retry, cancel ---- */

/* The filter's WHERE clause over outbox o: ?1 id (0 any), ?2 and ?3 the
 * number in both forms (NULL any), ?4 the state (NULL any). */
#define OUTBOX_FILTER                                                        \
	"(?1 = 0 OR o.id = ?1) AND (?2 IS NULL OR o.to_number IN (?2, ?3)) " \
	"AND (?4 IS NULL OR o.state = ?4)"

static const char *const outbox_state_names[] = {
	[STORE_OUTBOX_PENDING] = "pending",
	[STORE_OUTBOX_SENDING] = "sending",
	[STORE_OUTBOX_SENT] = "sent",
	[STORE_OUTBOX_FAILED] = "failed",
	[STORE_OUTBOX_CANCELLED] = "cancelled",
};

const char *
store_outbox_state_name(enum store_outbox_state s)
{
	return (unsigned)s <= STORE_OUTBOX_CANCELLED ? outbox_state_names[s]
	                                             : "?";
}

bool
store_outbox_state_parse(const char *name, enum store_outbox_state *ret)
{
	for (unsigned i = 0; i <= STORE_OUTBOX_CANCELLED; i++)
		if (strcmp(name, outbox_state_names[i]) == 0) {
			*ret = (enum store_outbox_state)i;
			return true;
		}
	return false;
}

/* Binds the filter as ?1 to ?4. */
static int
outbox_bind_filter(sqlite3_stmt *s, const struct store_outbox_filter *f,
                   char *other, size_t len)
{
	if (bind_int64(s, 1, f->id))
		return -1;
	if (f->number != NULL) {
		admin_other_form(f->number, other, len);
		if (bind_text(s, 2, f->number) || bind_text(s, 3, other))
			return -1;
	}
	if (f->state >= 0 && bind_text(s, 4,
	                               store_outbox_state_name(
	                                   (enum store_outbox_state)f->state)))
		return -1;
	return 0;
}

int
store_outbox_list(struct store *st, const struct store_outbox_filter *f,
                  size_t max,
                  int (*fn)(void *arg, const struct store_outbox_row *r),
                  void *arg)
{
	static const char sql[] =
	    "SELECT o.id, o.created_at, o.state, o.attempts, o.to_number, "
	    "i.category, i.rule, o.next_attempt_at, o.error_code, "
	    "o.body IS NOT NULL FROM outbox o "
	    "LEFT JOIN inbound i ON i.gateway = o.inbound_gateway "
	    " AND i.id = o.inbound_id "
	    "WHERE " OUTBOX_FILTER " ORDER BY o.id DESC LIMIT ?5";
	sqlite3_stmt *s = admin_prepare(st, sql, "outbox");
	char other[72];
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	if (outbox_bind_filter(s, f, other, sizeof(other)) ||
	    bind_int64(s, 5, max > 0 ? (int64_t)max : -1))
		return admin_bind_failed(st, s, "outbox");
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_outbox_row r = {
			.id = sqlite3_column_int64(s, 0),
			.created_at = sqlite3_column_int64(s, 1),
			.state = admin_text(s, 2),
			.attempts = sqlite3_column_int(s, 3),
			.to = admin_text(s, 4),
			.category = admin_text(s, 5),
			.rule = admin_text(s, 6),
			.next_attempt_at = sqlite3_column_int64(s, 7),
			.error_code = admin_text(s, 8),
			.has_body = sqlite3_column_int(s, 9) != 0,
		};
		stop = fn(arg, &r);
	}
	return admin_finish(st, s, rc, stop, "outbox");
}

/* Runs the operator's change (sql, with the filter and ?5 = now) in one
 * transaction: *selected rows matched the filter in state from, *changed
 * were changed. */
static int
outbox_operator(struct store *st, const char *sql, const char *from,
                const struct store_outbox_filter *f, int64_t now,
                int64_t *selected, int64_t *changed, const char *what)
{
	static const char count_sql[] =
	    "SELECT count(*) FROM outbox o WHERE " OUTBOX_FILTER
	    " AND o.state = ?5";
	sqlite3_stmt *c = NULL, *u = NULL;
	char other[72];
	int rc;

	*selected = *changed = 0;
	if (tx_begin(st) < 0)
		return -1;
	c = admin_prepare(st, count_sql, what);
	if (c == NULL)
		goto fail;
	if (outbox_bind_filter(c, f, other, sizeof(other)) ||
	    bind_text(c, 5, from)) {
		store_dberr(st, what);
		goto fail;
	}
	rc = sqlite3_step(c);
	if (rc != SQLITE_ROW) {
		store_dberr(st, what);
		goto fail;
	}
	*selected = sqlite3_column_int64(c, 0);
	u = admin_prepare(st, sql, what);
	if (u == NULL)
		goto fail;
	if (outbox_bind_filter(u, f, other, sizeof(other)) ||
	    bind_int64(u, 5, now)) {
		store_dberr(st, what);
		goto fail;
	}
	if (sqlite3_step(u) != SQLITE_DONE) {
		store_dberr(st, what);
		goto fail;
	}
	*changed = sqlite3_changes(st->db);
	sqlite3_finalize(c);
	sqlite3_finalize(u);
	return tx_commit(st);
fail:
	sqlite3_finalize(c);
	sqlite3_finalize(u);
	tx_rollback(st);
	return -1;
}

int
store_outbox_operator_retry(struct store *st,
                            const struct store_outbox_filter *f, int64_t now,
                            int64_t *selected, int64_t *changed)
{
	/* Only failed replies whose text is kept, and never to a number
	 * that has opted out (in either form). */
	static const char sql[] =
	    "UPDATE outbox AS o SET state = 'pending', next_attempt_at = ?5, "
	    "attempts = 0, sending_since = NULL, failed_at = NULL, "
	    "error_code = NULL, error = 'retried by the operator' "
	    "WHERE " OUTBOX_FILTER " AND o.state = 'failed' "
	    "AND o.body IS NOT NULL AND NOT EXISTS (SELECT 1 FROM optouts p "
	    " WHERE p.opted_out = 1 AND (p.number = o.to_number "
	    " OR p.number = '+' || o.to_number OR '+' || p.number = "
	    "o.to_number))";

	return outbox_operator(st, sql, "failed", f, now, selected, changed,
	                       "outbox retry");
}

int
store_outbox_operator_cancel(struct store *st,
                             const struct store_outbox_filter *f, int64_t now,
                             int64_t *selected, int64_t *changed)
{
	/* Only pending replies: one being sent is the gateway's already. */
	static const char sql[] =
	    "UPDATE outbox AS o SET state = 'cancelled', "
	    "error = 'cancelled by the operator' "
	    "WHERE " OUTBOX_FILTER " AND o.state = 'pending' AND ?5 = ?5";

	return outbox_operator(st, sql, "pending", f, now, selected, changed,
	                       "outbox cancel");
}
