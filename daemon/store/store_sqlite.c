/* store_sqlite.c: the SQLite backend of store.h, its core: opening the
 * database file (created 0600, WAL, synchronous=FULL), the schema and its
 * migrations, every statement the daemon runs (prepared at open),
 * transactions and batches, retention, and the backend's operations table.
 * The daemon's operations are in store_sqlite_queue.c, the operator's
 * tool's in store_sqlite_admin.c (store_sqlite.h holds what they share).
 * The store takes every time from its caller and never reads the clock,
 * so tests are deterministic.
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
 * - Numbers are compared byte for byte (an opt-out above all): they come
 *   in E.164 from every gateway's parser (e164.h), and migration 5 -> 6
 *   brought the numbers older versions kept (Infobip's, without "+") to
 *   that form.
 * - The queries the daemon runs per message or per sender turn name their
 *   index (INDEXED BY) where another would do: without statistics
 *   (ANALYZE) SQLite weighs `state = ?` like `to_number = ?` and may walk
 *   every pending row.  Tests count what a call costs in VM steps
 *   (store_cost) with a big backlog.
 * - store_open_daemon is the daemon's: it refuses files and a directory
 *   other users own or can write (fileperm.c) and holds a lock on
 *   PATH.lock, so that a second daemon on the same database stops at
 *   start.  Under that lock no other daemon holds a claim on this file, so
 *   the claims it finds (a dead daemon's) are cleared at open: their rows
 *   are settled at once, as before claims had leases.
 * - A claim is one UPDATE ... RETURNING: the row is taken by this handle's
 *   owner name, or left to the handle that holds it under a live lease.
 *   Outcomes clear the claim; a clock step moves leases with the other
 *   times.
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

#include "e164.h"
#include "fileperm.h"
#include "store_sqlite.h"

#define STORE_BUSY_TIMEOUT_MS 5000

static struct store_sqlite *store_sqlite_new(void);
static void store_sqlite_close(struct store *base);

/* SQL: column holds digits only, E164_MIN_DIGITS of them or more (a
 * number e164_of gives a "+"). */
#define STORE_BARE_NUMBER(col)                         \
	"(" col " NOT GLOB '*[^0-9]*' AND length(" col \
	") >= " E164_MIN_DIGITS_STR ")"

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
	/* 4 -> 5: claims.  A row being sent names the store handle that
	 * claimed it (owner) and until when (lease_until): another handle,
	 * another daemon on a shared database, never takes it before then.
	 * Rows left "sending" by an older daemon have no owner: whoever
	 * settles them first takes them, as before. */
	"ALTER TABLE outbox ADD COLUMN owner TEXT;"
	"ALTER TABLE outbox ADD COLUMN lease_until INTEGER;",
	/* 5 -> 6: numbers in E.164 (e164.h).  Infobip's were kept as it
	 * writes them, without "+": every number of E164_MIN_DIGITS or more
	 * digits and nothing else gets one, in every table that keeps a
	 * number, so that the daemon's exact comparisons (an opt-out above
	 * all) find them as its parsers now write them.  An opt-out kept in
	 * both forms (the gateway changed) is kept once: the one changed
	 * last, an opt-out when both changed at the same second. */
	"DELETE FROM optouts WHERE " STORE_BARE_NUMBER(
	    "number") " AND EXISTS"
	              " (SELECT 1 FROM optouts p WHERE p.number = '+' || "
	              "optouts.number"
	              "  AND (p.updated_at > optouts.updated_at"
	              "   OR (p.updated_at = optouts.updated_at"
	              "    AND p.opted_out >= optouts.opted_out)));"
	              "DELETE FROM optouts WHERE number GLOB '+*' AND EXISTS"
	              " (SELECT 1 FROM optouts b WHERE '+' || b.number = "
	              "optouts.number"
	              "  AND " STORE_BARE_NUMBER(
	                  "b.number") ");"
	                              "UPDATE optouts SET number = '+' || "
	                              "number"
	                              " WHERE " STORE_BARE_NUMBER(
	                                  "number") ";"
	                                            "UPDATE inbound SET "
	                                            "from_number = '+' || "
	                                            "from_number"
	                                            " WHERE " STORE_BARE_NUMBER(
	                                                "from_number") ";"
	                                                               "UPDATE "
	                                                               "inbound"
	                                                               " SET "
	                                                               "to_"
	                                                               "number "
	                                                               "= '+' "
	                                                               "|| "
	                                                               "to_"
	                                                               "number"
	                                                               " WHERE"
	                                                               " " STORE_BARE_NUMBER(
	                                                                   "to_"
	                                                                   "num"
	                                                                   "be"
	                                                                   "r") ";"
	                                                                        "UPDATE incoming SET from_number = '+' || from_number"
	                                                                        " WHERE " STORE_BARE_NUMBER(
	                                                                            "from_number") ";"
	                                                                                           "UPDATE incoming SET to_number = '+' || to_number"
	                                                                                           " WHERE " STORE_BARE_NUMBER(
	                                                                                               "to_number") ";"
	                                                                                                            "UPDATE outbox SET to_number = '+' || to_number"
	                                                                                                            " WHERE " STORE_BARE_NUMBER(
	                                                                                                                "to_number") ";"
	                                                                                                                             "UPDATE outbox SET from_number = '+' || from_number"
	                                                                                                                             " WHERE " STORE_BARE_NUMBER(
	                                                                                                                                 "from_number") ";",
	/* 6 -> 7: conversations.  convo keeps each number's conversation
	 * state (convo_state_format's text: step numbers and times, never
	 * what was said), written in the transaction that records the
	 * message it follows.  scheduled holds check-ins: one per report,
	 * due at due_at under the generation gen of the number's state
	 * (a newer one makes it stale), pending until a daemon claims it
	 * (owner and lease, as outbox rows), then sent (its prompt is the
	 * outbox row outbox_id) or cancelled (why in note).  A check-in
	 * refers to the report it follows, whose outbox row its prompt
	 * shares.  Numbers are E.164 as in every other table (this step
	 * comes after 5 -> 6, so it has none to rewrite). */
	"CREATE TABLE convo ("
	" number TEXT PRIMARY KEY,"
	" state TEXT NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE scheduled ("
	" id INTEGER PRIMARY KEY,"
	" number TEXT NOT NULL,"
	" from_number TEXT,"
	" convo TEXT NOT NULL,"
	" gen INTEGER NOT NULL,"
	" due_at INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"  ('pending', 'claimed', 'sent', 'cancelled')),"
	" inbound_gateway TEXT NOT NULL,"
	" inbound_id TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" owner TEXT,"
	" lease_until INTEGER,"
	" outbox_id INTEGER REFERENCES outbox (id),"
	" settled_at INTEGER,"
	" note TEXT,"
	" FOREIGN KEY (inbound_gateway, inbound_id)"
	"  REFERENCES inbound (gateway, id));"
	"CREATE INDEX scheduled_due ON scheduled (due_at, id)"
	" WHERE state IN ('pending', 'claimed');"
	"CREATE INDEX scheduled_number ON scheduled (number)"
	" WHERE state IN ('pending', 'claimed');",
	/* 7 -> 8: conversation outcomes.  convo_event holds what happened
	 * to each conversation (started, answered, finished, expired,
	 * gave_up, interrupted), written in the transaction of the message
	 * or the check-in that caused it, with the message it belongs to.
	 * Names from the rules only (the conversation, its step, the
	 * option's outcome), never what the person wrote; retention deletes
	 * rows older than the bodies it clears. */
	"CREATE TABLE convo_event ("
	" id INTEGER PRIMARY KEY,"
	" number TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" convo TEXT NOT NULL,"
	" checkin INTEGER NOT NULL DEFAULT 0,"
	" event TEXT NOT NULL CHECK (event IN ('started', 'answered',"
	"  'finished', 'expired', 'gave_up', 'interrupted')),"
	" step TEXT,"
	" answer TEXT,"
	" inbound_gateway TEXT,"
	" inbound_id TEXT);"
	"CREATE INDEX convo_event_at ON convo_event (at);"
	"CREATE INDEX convo_event_number ON convo_event (number, at);"
	/* The states that may wait for an answer, for the sweep that
	 * records expired conversations. */
	"CREATE INDEX convo_waiting ON convo (updated_at)"
	" WHERE substr(state, 1, 3) <> 'c0 ';",
};

#define STORE_SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Rows a transition may start from: a row that is sent, failed or
 * cancelled stays so. */
#define OUTBOX_LIVE "state IN ('pending', 'sending')"

/* A row left "sending" that this handle (?5) may take, at ?1: no owner
 * holds it, this one does, or its lease ran out. */
#define OUTBOX_FREE "(owner IS NULL OR owner = ?5 OR lease_until <= ?1)"

/* What an outcome sets besides: the claim ends. */
#define OUTBOX_UNCLAIM "owner = NULL, lease_until = NULL"

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
	[ST_NEXT_SENDING] = "SELECT " STORE_SQLITE_ITEM_COLUMNS " FROM outbox "
	                    "WHERE state = 'sending' "
	                    "ORDER BY sending_since, id LIMIT ?1",
	[ST_NEXT_PENDING] = "SELECT " STORE_SQLITE_ITEM_COLUMNS " FROM outbox "
	                    "WHERE state = 'pending' AND next_attempt_at <= ?1 "
	                    "ORDER BY urgency DESC, id LIMIT ?2",
	/* The sender's queue, in three parts merged by store_outbox_work,
	 * each most urgent first, then oldest (by id: the wall clock may
	 * have stepped), each walking an index and stopping after ?2 rows
	 * (INDEXED BY: without statistics the planner would rather sort).
	 * Rows left "sending" whose attempt has had time to land (?3) or was
	 * recorded by a clock ahead of now (when ?4 is 1): few, the replies
	 * in flight at most. */
	[ST_WORK_SENDING] = "SELECT " STORE_SQLITE_ITEM_COLUMNS " FROM outbox "
	                    "INDEXED BY outbox_urgency "
	                    "WHERE state = 'sending' AND (sending_since <= ?3 "
	                    "OR (?4 AND sending_since > ?1)) "
	                    "AND " OUTBOX_FREE " "
	                    "ORDER BY urgency DESC, id LIMIT ?2",
	/* Pending rows never put off, due at ?1 (all of them, unless the
	 * clock stepped back). */
	[ST_WORK_FRESH] = "SELECT " STORE_SQLITE_ITEM_COLUMNS " FROM outbox "
	                  "INDEXED BY outbox_fresh "
	                  "WHERE state = 'pending' "
	                  "AND next_attempt_at <= created_at "
	                  "AND next_attempt_at <= ?1 "
	                  "ORDER BY urgency DESC, id LIMIT ?2",
	/* Pending rows put off until ?1 or earlier: the first ?2 of them
	 * picked from the index alone (rows not yet due are not read), then
	 * read. */
	[ST_WORK_LATER] = "SELECT " STORE_SQLITE_ITEM_COLUMNS " FROM outbox "
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
	    "sending_since = sending_since + ?1, "
	    "lease_until = lease_until + ?1 "
	    "WHERE state IN ('pending', 'sending')",
	/* The claim, in one statement: the row is taken, or left as it is
	 * to whoever holds it.  A pending row must still be due (another
	 * daemon may have tried it meanwhile and put it off). */
	[ST_OUTBOX_CLAIM] =
	    "UPDATE outbox SET state = 'sending', attempts = attempts + 1, "
	    "sending_since = ?1, owner = ?5, lease_until = ?3 "
	    "WHERE id = ?2 AND ((state = 'pending' AND next_attempt_at <= ?1) "
	    "OR (state = 'sending' AND " OUTBOX_FREE ")) RETURNING id",
	/* The rows of this handle (?1) still in flight. */
	[ST_OUTBOX_RENEW] = "UPDATE outbox INDEXED BY outbox_urgency "
	                    "SET lease_until = ?2 "
	                    "WHERE state = 'sending' AND owner = ?1",
	/* At the daemon's open, under its lock: no other daemon holds a
	 * row of this database, so the claims left are a dead one's. */
	[ST_OUTBOX_ADOPT] = "UPDATE outbox INDEXED BY outbox_urgency "
	                    "SET " OUTBOX_UNCLAIM " "
	                    "WHERE state = 'sending' AND owner IS NOT NULL",
	[ST_OUTBOX_SENT] = "UPDATE outbox SET state = 'sent', "
	                   "message_id = ?2, sent_at = ?3, " OUTBOX_UNCLAIM " "
	                   "WHERE id = ?1 AND " OUTBOX_LIVE,
	[ST_OUTBOX_RETRY] = "UPDATE outbox SET state = 'pending', "
	                    "next_attempt_at = ?2, error = ?3, " OUTBOX_UNCLAIM
	                    " WHERE id = ?1 AND " OUTBOX_LIVE,
	[ST_OUTBOX_FAILED] =
	    "UPDATE outbox SET state = 'failed', "
	    "error_code = ?2, error = ?3, failed_at = ?4, " OUTBOX_UNCLAIM
	    " WHERE id = ?1 AND " OUTBOX_LIVE,
	[ST_OUTBOX_CANCEL] =
	    "UPDATE outbox SET state = 'cancelled', "
	    "error = ?2, " OUTBOX_UNCLAIM " WHERE id = ?1 AND " OUTBOX_LIVE,
	[ST_OUTBOX_RELEASE] = "UPDATE outbox SET state = 'pending', "
	                      "attempts = max(attempts - 1, 0), "
	                      "sending_since = NULL, " OUTBOX_UNCLAIM " "
	                      "WHERE id = ?1 AND state = 'sending'",
	[ST_OUTBOX_REQUEUE] = "UPDATE outbox SET state = 'pending', "
	                      "next_attempt_at = ?2, error = ?3, "
	                      "attempts = max(attempts - ?4, 0), "
	                      "sending_since = NULL, " OUTBOX_UNCLAIM " "
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
	[ST_CONVO_GET] = "SELECT state FROM convo WHERE number = ?1",
	[ST_CONVO_SET] =
	    "INSERT INTO convo (number, state, updated_at) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (number) DO UPDATE SET state = excluded.state, "
	    "updated_at = excluded.updated_at",
	/* A newer report's check-in replaces the number's pending ones
	 * (?2 says why); STOP cancels those claimed too. */
	[ST_SCHED_CANCEL_NUMBER] =
	    "UPDATE scheduled INDEXED BY scheduled_number "
	    "SET state = 'cancelled', note = ?2, settled_at = "
	    "?3, " OUTBOX_UNCLAIM
	    " WHERE number = ?1 AND state IN ('pending', 'claimed') "
	    "AND (state = 'pending' OR ?4)",
	[ST_SCHED_INSERT] =
	    "INSERT INTO scheduled (number, from_number, convo, gen, due_at, "
	    "inbound_gateway, inbound_id, created_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* Claims up to ?3 check-ins due at ?1 for this handle (?5) until ?2:
	 * pending ones, and claimed ones no live lease holds (this handle's
	 * own too: it settles each before it claims again). */
	[ST_SCHED_CLAIM] =
	    "UPDATE scheduled SET state = 'claimed', owner = ?5, "
	    "lease_until = ?2 WHERE id IN (SELECT id FROM scheduled "
	    "INDEXED BY scheduled_due WHERE state IN ('pending', 'claimed') "
	    "AND due_at <= ?1 AND (state = 'pending' OR owner IS NULL "
	    "OR lease_until <= ?1) "
	    "ORDER BY due_at, id LIMIT ?3) "
	    "RETURNING id, number, from_number, convo, gen, due_at, "
	    "inbound_gateway, inbound_id",
	/* Settles a check-in this handle (?4) holds: ?2 'sent' or
	 * 'cancelled'. */
	[ST_SCHED_SETTLE] =
	    "UPDATE scheduled SET state = ?2, note = ?3, settled_at = ?5, "
	    "outbox_id = ?6, " OUTBOX_UNCLAIM " WHERE id = ?1 "
	    "AND state = 'claimed' AND owner = ?4",
	/* Puts off a check-in this handle (?3) holds until ?2 (quiet
	 * hours), or gives one back (?2 its due time). */
	[ST_SCHED_DEFER] = "UPDATE scheduled SET state = 'pending', "
	                   "due_at = ?2, " OUTBOX_UNCLAIM " WHERE id = ?1 "
	                   "AND state = 'claimed' AND owner = ?3",
	[ST_SCHED_ADOPT] = "UPDATE scheduled INDEXED BY scheduled_due "
	                   "SET " OUTBOX_UNCLAIM " WHERE state IN ('pending', "
	                   "'claimed') AND owner IS NOT NULL",
	[ST_OUTBOX_INSERT_ID] =
	    "INSERT INTO outbox (inbound_gateway, inbound_id, to_number, "
	    "from_number, body, state, created_at, next_attempt_at, urgency) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6, ?7) RETURNING id",
	/* Conversation states idle since before ?1 with no check-in to
	 * come: their conversations are long over. */
	[ST_RETAIN_CONVO] =
	    "DELETE FROM convo WHERE updated_at < ?1 AND NOT EXISTS "
	    "(SELECT 1 FROM scheduled AS s INDEXED BY scheduled_number "
	    "WHERE s.number = convo.number "
	    "AND s.state IN ('pending', 'claimed'))",
	[ST_CONVO_EVENT_INSERT] =
	    "INSERT INTO convo_event (number, at, convo, checkin, event, step, "
	    "answer, inbound_gateway, inbound_id) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	/* Conversation events as old as the bodies retention clears. */
	[ST_CONVO_WAITING] =
	    "SELECT number, state FROM convo INDEXED BY convo_waiting "
	    "WHERE substr(state, 1, 3) <> 'c0 ' AND updated_at < ?1 "
	    "ORDER BY updated_at LIMIT ?2",
	[ST_CONVO_EXPIRE] = "UPDATE convo SET state = ?3, updated_at = ?4 "
	                    "WHERE number = ?1 AND state = ?2",
	[ST_RETAIN_CONVO_EVENT] =
	    "DELETE FROM convo_event INDEXED BY convo_event_at WHERE at < ?1",
	/* Only the outbox_queue index's pending and sending rows. */
	[ST_OUTBOX_DEPTH] = "SELECT count(*), coalesce(min(created_at), 0) "
	                    "FROM outbox WHERE state IN ('pending', 'sending')",
};

void
store_sqlite_seterr(struct store_sqlite *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->base.err, sizeof(st->base.err), fmt, ap);
	va_end(ap);
}

/* Records the connection's last error under `what`, with the system's
 * reason for an I/O error and what an operator can do about the usual
 * ones; returns -1. */
int
store_sqlite_dberr(struct store_sqlite *st, const char *what)
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
	store_sqlite_seterr(st, "%s: %s%s%s", what, sqlite3_errmsg(st->db), why,
	                    hint);
	return -1;
}

int
store_sqlite_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

int
store_sqlite_bind_int64(sqlite3_stmt *s, int i, int64_t v)
{
	return sqlite3_bind_int64(s, i, (sqlite3_int64)v);
}

char *
store_sqlite_column_strdup(sqlite3_stmt *s, int col, bool *oom)
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
void
store_sqlite_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Runs a statement that returns no rows.  0 or -1. */
int
store_sqlite_exec(struct store_sqlite *st, enum stmt which, const char *what)
{
	sqlite3_stmt *s = st->stmt[which];
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		store_sqlite_dberr(st, what);
	store_sqlite_done(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* A bind failed (out of memory or a programming error). */
int
store_sqlite_binderr(struct store_sqlite *st, enum stmt which, const char *what)
{
	store_sqlite_dberr(st, what);
	store_sqlite_done(st->stmt[which]);
	return -1;
}

/* A batch the database rolled back on its own (SQLITE_FULL, SQLITE_IOERR
 * and the like end the transaction): nothing more may be written in it. */
static bool
tx_batch_lost(struct store_sqlite *st)
{
	if (!st->batch || !sqlite3_get_autocommit(st->db))
		return false;
	store_sqlite_seterr(st, "the batch transaction was rolled back by an "
	                        "earlier error; nothing in it was stored");
	return true;
}

int
store_sqlite_tx_begin(struct store_sqlite *st)
{
	if (st->batch)
		return tx_batch_lost(st) ? -1
		                         : store_sqlite_exec(st, ST_SAVEPOINT,
		                                             "begin savepoint");
	return store_sqlite_exec(st, ST_BEGIN, "begin transaction");
}

/* Rolls back whatever is open, keeping the error that caused it.  In a
 * batch only this write's savepoint is undone. */
void
store_sqlite_tx_rollback(struct store_sqlite *st)
{
	if (sqlite3_get_autocommit(st->db))
		return;
	if (st->batch) {
		sqlite3_step(st->stmt[ST_ROLLBACK_TO]);
		store_sqlite_done(st->stmt[ST_ROLLBACK_TO]);
		sqlite3_step(st->stmt[ST_RELEASE]);
		store_sqlite_done(st->stmt[ST_RELEASE]);
		return;
	}
	sqlite3_step(st->stmt[ST_ROLLBACK]);
	store_sqlite_done(st->stmt[ST_ROLLBACK]);
}

int
store_sqlite_tx_commit(struct store_sqlite *st)
{
	if (st->batch && tx_batch_lost(st))
		return -1;
	if (store_sqlite_exec(st, st->batch ? ST_RELEASE : ST_COMMIT,
	                      "commit") < 0) {
		store_sqlite_tx_rollback(st);
		return -1;
	}
	return 0;
}

static int
store_sqlite_batch_begin(struct store *base)
{
	struct store_sqlite *st = store_sqlite_of(base);

	if (st->batch) {
		store_sqlite_seterr(st, "batch: one is open already");
		return -1;
	}
	if (store_sqlite_exec(st, ST_BEGIN, "begin batch") < 0)
		return -1;
	st->batch = true;
	return 0;
}

static int
store_sqlite_batch_commit(struct store *base)
{
	struct store_sqlite *st = store_sqlite_of(base);
	bool lost;

	if (!st->batch) {
		store_sqlite_seterr(st, "batch: none is open");
		return -1;
	}
	lost = tx_batch_lost(st);
	st->batch = false;
	if (lost)
		return -1;
	if (store_sqlite_exec(st, ST_COMMIT, "commit batch") < 0) {
		store_sqlite_tx_rollback(st);
		return -1;
	}
	return 0;
}

static void
store_sqlite_batch_rollback(struct store *base)
{
	struct store_sqlite *st = store_sqlite_of(base);

	st->batch = false;
	store_sqlite_tx_rollback(st);
}

/* Opening. */

static void store_sqlite_open_err(char *err, size_t errlen, const char *fmt,
                                  ...) __attribute__((format(printf, 3, 4)));

static void
store_sqlite_open_err(char *err, size_t errlen, const char *fmt, ...)
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
store_sqlite_warn_add(char *warn, size_t warnlen, const char *msg)
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
store_sqlite_check_perm(const struct stat *sb, const struct fileperm_rule *rule,
                        bool strict, const char *what, const char *path,
                        char *warn, size_t warnlen, char *err, size_t errlen)
{
	char msg[1024];

	switch (fileperm_check(sb, rule, strict, geteuid(), what, path, msg,
	                       sizeof(msg))) {
	case FILEPERM_REFUSE:
		store_sqlite_open_err(err, errlen, "%s", msg);
		return -1;
	case FILEPERM_WARN:
		store_sqlite_warn_add(warn, warnlen, msg);
		break;
	case FILEPERM_OK:
		break;
	}
	return 0;
}

/* The directory the database is in: whoever can write it can put files of
 * their own in place of the database, its -wal or its lock. */
static int
store_sqlite_check_dir(const char *path, bool strict, char *warn,
                       size_t warnlen, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat sb;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir)) {
		store_sqlite_open_err(err, errlen, "%s: path too long", path);
		return -1;
	} else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	/* stat, not lstat: StateDirectory= with DynamicUser= makes
	 * /var/lib/NAME a symbolic link to /var/lib/private/NAME. */
	if (stat(dir, &sb) < 0) {
		store_sqlite_open_err(err, errlen, "state directory %s: %s",
		                      dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		store_sqlite_open_err(
		    err, errlen, "state directory %s: not a directory", dir);
		return -1;
	}
	return store_sqlite_check_perm(&sb, &fileperm_private_dir, strict,
	                               "state directory", dir, warn, warnlen,
	                               err, errlen);
}

/* Refuses a symbolic link or a special file where the database, its -wal
 * or its -shm should be, and one another user owns or others can write.
 * A missing file is created by SQLite under store_open's umask 077, so it
 * is 0600, and the -wal and -shm files SQLite gives the same mode. */
static int
store_sqlite_check_file(const char *path, const char *what, bool strict,
                        char *warn, size_t warnlen, char *err, size_t errlen)
{
	struct stat sb;

	/* lstat, never open(2) and close(2): closing any descriptor of the
	 * database releases every POSIX lock this process holds on it, the
	 * locks of a connection already open included, and another process
	 * could then take the WAL for its own and remove it. */
	if (lstat(path, &sb) < 0) {
		if (errno == ENOENT)
			return 0; /* SQLite creates it, under our umask 077 */
		store_sqlite_open_err(err, errlen, "%s: %s", path,
		                      strerror(errno));
		return -1;
	}
	if (S_ISLNK(sb.st_mode)) {
		store_sqlite_open_err(
		    err, errlen,
		    "%s: is a symbolic link; give the path of the %s "
		    "itself",
		    path, what);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		store_sqlite_open_err(err, errlen, "%s: not a regular file",
		                      path);
		return -1;
	}
	return store_sqlite_check_perm(&sb, &fileperm_private, strict, what,
	                               path, warn, warnlen, err, errlen);
}

/* The pid the holder of a lock file wrote in it, or 0. */
static long
store_sqlite_lock_holder(int fd)
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
store_sqlite_lock(struct store_sqlite *st, const char *path, bool strict,
                  char *warn, size_t warnlen, char *err, size_t errlen)
{
	char lock[4200], pid[32];
	struct stat sb;
	int fd, n;

	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", path) >=
	    sizeof(lock)) {
		store_sqlite_open_err(err, errlen, "%s: path too long", path);
		return -1;
	}
	/* O_NONBLOCK: a FIFO put in its place must not hang start-up. */
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
	          0600);
	if (fd < 0) {
		store_sqlite_open_err(err, errlen, "lock file %s: %s", lock,
		                      errno == ELOOP ? "is a symbolic link"
		                                     : strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		store_sqlite_open_err(err, errlen, "lock file %s: %s", lock,
		                      strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		store_sqlite_open_err(err, errlen,
		                      "lock file %s: not a regular file", lock);
		goto fail;
	}
	if (store_sqlite_check_perm(&sb, &fileperm_private, strict, "lock file",
	                            lock, warn, warnlen, err, errlen) < 0)
		goto fail;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		long holder;

		if (errno != EWOULDBLOCK) {
			store_sqlite_open_err(err, errlen, "cannot lock %s: %s",
			                      lock, strerror(errno));
			goto fail;
		}
		holder = store_sqlite_lock_holder(fd);
		if (holder > 0)
			store_sqlite_open_err(
			    err, errlen,
			    "%s is in use by another backtalkd, process "
			    "%ld (it holds %s); one state database has "
			    "one daemon: stop that one, or give this one "
			    "a 'state' of its own",
			    path, holder, lock);
		else
			store_sqlite_open_err(
			    err, errlen,
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
store_sqlite_files(struct store_sqlite *st, const char *path, bool strict,
                   char *warn, size_t warnlen, char *err, size_t errlen)
{
	static const char *const suffix[] = { "-wal", "-shm" };
	char side[4200];

	if (store_sqlite_check_dir(path, strict, warn, warnlen, err, errlen) <
	        0 ||
	    store_sqlite_check_file(path, "database file", strict, warn,
	                            warnlen, err, errlen) < 0 ||
	    store_sqlite_lock(st, path, strict, warn, warnlen, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if ((size_t)snprintf(side, sizeof(side), "%s%s", path,
		                     suffix[i]) >= sizeof(side)) {
			store_sqlite_open_err(err, errlen, "%s: path too long",
			                      path);
			return -1;
		}
		if (store_sqlite_check_file(side, "database file", strict, warn,
		                            warnlen, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int
store_sqlite_db_exec(sqlite3 *db, const char *sql, const char *path, char *err,
                     size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		store_sqlite_open_err(err, errlen, "%s: %s", path,
		                      msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Runs a statement returning one value (a PRAGMA) and copies it as text. */
static int
store_sqlite_db_text(sqlite3 *db, const char *sql, char *buf, size_t len,
                     const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *v;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_sqlite_open_err(err, errlen, "%s: %s", path,
		                      sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		store_sqlite_open_err(err, errlen, "%s: %s", path,
		                      sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	v = sqlite3_column_text(s, 0);
	snprintf(buf, len, "%s", v != NULL ? (const char *)v : "");
	sqlite3_finalize(s);
	return 0;
}

static int
store_sqlite_db_version(sqlite3 *db, int *ret, const char *path, char *err,
                        size_t errlen)
{
	char buf[32], *end;
	long v;

	if (store_sqlite_db_text(db, "PRAGMA user_version", buf, sizeof(buf),
	                         path, err, errlen) < 0)
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || *end != '\0') {
		store_sqlite_open_err(err, errlen,
		                      "%s: unreadable schema version '%s'",
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
store_sqlite_migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	for (;;) {
		char sql[64];
		int version;

		if (store_sqlite_db_exec(db, "BEGIN IMMEDIATE", path, err,
		                         errlen) < 0)
			return -1;
		if (store_sqlite_db_version(db, &version, path, err, errlen) <
		    0)
			goto fail;
		if (version < 0) {
			store_sqlite_open_err(
			    err, errlen,
			    "%s: unknown database schema version %d", path,
			    version);
			goto fail;
		}
		if (version > STORE_SCHEMA_VERSION) {
			store_sqlite_open_err(
			    err, errlen,
			    "%s: database schema version %d is newer "
			    "than this backtalk knows (%d); run the "
			    "backtalk that wrote it, or a newer one",
			    path, version, STORE_SCHEMA_VERSION);
			goto fail;
		}
		if (version == STORE_SCHEMA_VERSION)
			return store_sqlite_db_exec(db, "COMMIT", path, err,
			                            errlen);
		if (store_sqlite_db_exec(db, migrations[version], path, err,
		                         errlen) < 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		         version + 1);
		if (store_sqlite_db_exec(db, sql, path, err, errlen) < 0)
			goto fail;
		if (store_sqlite_db_exec(db, "COMMIT", path, err, errlen) < 0)
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
store_sqlite_pragmas(sqlite3 *db, const char *path, char *err, size_t errlen)
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
	if (store_sqlite_db_exec(db,
	                         "PRAGMA foreign_keys = ON;"
	                         "PRAGMA synchronous = FULL;"
	                         "PRAGMA cache_size = -1024;"
	                         "PRAGMA temp_store = MEMORY;"
	                         "PRAGMA secure_delete = FAST;",
	                         path, err, errlen) < 0)
		return -1;
	if (store_sqlite_db_text(db, "PRAGMA journal_mode = WAL", mode,
	                         sizeof(mode), path, err, errlen) < 0)
		return -1;
	if (strcmp(mode, "wal") != 0) {
		store_sqlite_open_err(
		    err, errlen,
		    "%s: cannot use write-ahead logging (journal mode "
		    "stays '%s'); put the database on a local file system",
		    path, mode);
		return -1;
	}
	/* foreign_keys is a no-op inside a transaction and silently ignored
	 * by a build without them: check that it took. */
	if (store_sqlite_db_text(db, "PRAGMA foreign_keys", mode, sizeof(mode),
	                         path, err, errlen) < 0)
		return -1;
	if (strcmp(mode, "1") != 0) {
		store_sqlite_open_err(
		    err, errlen, "%s: foreign keys cannot be enabled", path);
		return -1;
	}
	return 0;
}

static int
store_sqlite_setup(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	if (store_sqlite_pragmas(db, path, err, errlen) < 0)
		return -1;
	return store_sqlite_migrate(db, path, err, errlen);
}

static int
store_sqlite_prepare(struct store_sqlite *st, const char *path, char *err,
                     size_t errlen)
{
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		                       SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
		                       NULL) != SQLITE_OK) {
			store_sqlite_open_err(err, errlen,
			                      "%s: preparing statement %d: %s",
			                      path, i, sqlite3_errmsg(st->db));
			return -1;
		}
	}
	return 0;
}

/* Before SQLite starts: no memory statistics (a mutex on every allocation,
 * and nothing here reads them). */
static void
store_sqlite_configure(void)
{
	static bool done;

	if (!done) {
		done = true;
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	}
}

static int
store_sqlite_open_daemon(const char *path, bool strict, struct store **ret,
                         char *warn, size_t warnlen, char *err, size_t errlen)
{
	struct store_sqlite *st;
	mode_t old_mask;
	int rc = -1;

	if (path == NULL || *path == '\0') {
		store_sqlite_open_err(err, errlen, "no database path");
		return -1;
	}
	st = store_sqlite_new();
	if (st == NULL) {
		store_sqlite_open_err(err, errlen, "%s: out of memory", path);
		return -1;
	}
	/* Whatever SQLite creates while we set up (-wal, -shm) is private
	 * too, whatever the caller's umask. */
	old_mask = umask(077);
	store_sqlite_configure();
	if (store_sqlite_files(st, path, strict, warn, warnlen, err, errlen) <
	    0)
		goto out;
	if (sqlite3_open_v2(path, &st->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                        SQLITE_OPEN_NOFOLLOW,
	                    NULL) != SQLITE_OK) {
		store_sqlite_open_err(err, errlen, "%s: %s", path,
		                      st->db != NULL ? sqlite3_errmsg(st->db)
		                                     : "out of memory");
		goto out;
	}
	if (store_sqlite_setup(st->db, path, err, errlen) < 0 ||
	    store_sqlite_prepare(st, path, err, errlen) < 0)
		goto out;
	if (store_sqlite_exec(st, ST_OUTBOX_ADOPT, "adopt claims") < 0 ||
	    store_sqlite_exec(st, ST_SCHED_ADOPT, "adopt check-ins") < 0) {
		store_sqlite_open_err(err, errlen, "%s: %s", path,
		                      st->base.err);
		goto out;
	}
	rc = 0;
out:
	umask(old_mask);
	if (rc < 0) {
		store_sqlite_close(&st->base);
		return -1;
	}
	*ret = &st->base;
	return 0;
}

/* Whether the schema is exactly this build's: the operator's tool never
 * migrates a database under a running daemon. */
static int
store_sqlite_check_version(sqlite3 *db, const char *path, char *err,
                           size_t errlen)
{
	int version;

	if (store_sqlite_db_version(db, &version, path, err, errlen) < 0)
		return -1;
	if (version == 0) {
		store_sqlite_open_err(
		    err, errlen,
		    "%s: not a backtalk state database (no schema); is "
		    "this the file backtalkd's 'state' setting names?",
		    path);
		return -1;
	}
	if (version < STORE_SCHEMA_VERSION) {
		store_sqlite_open_err(
		    err, errlen,
		    "%s: database schema version %d is older than this "
		    "backtalk's (%d); start the new backtalkd once to "
		    "upgrade it",
		    path, version, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (version > STORE_SCHEMA_VERSION) {
		store_sqlite_open_err(
		    err, errlen,
		    "%s: database schema version %d is newer than this "
		    "backtalk's (%d); use the backtalk installed with "
		    "the running backtalkd",
		    path, version, STORE_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

static int
store_sqlite_open_existing(const char *path, bool writable, struct store **ret,
                           int *ret_errno, char *err, size_t errlen)
{
	struct store_sqlite *st;
	struct stat sb;
	int fd, flags;

	if (path == NULL || *path == '\0') {
		store_sqlite_open_err(err, errlen, "no database path");
		return -1;
	}
	/* SQLite says only "unable to open database file": find out why
	 * first, so that the caller can say what to do. */
	fd =
	    open(path, (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		if (ret_errno != NULL)
			*ret_errno = errno;
		store_sqlite_open_err(err, errlen, "%s: %s", path,
		                      errno == ELOOP
		                          ? "is a symbolic link; give the path "
		                            "of the database file itself"
		                          : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (!S_ISREG(sb.st_mode)) {
		store_sqlite_open_err(err, errlen, "%s: not a regular file",
		                      path);
		return -1;
	}
	st = store_sqlite_new();
	if (st == NULL) {
		store_sqlite_open_err(err, errlen, "%s: out of memory", path);
		return -1;
	}
	flags = (writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) |
	        SQLITE_OPEN_NOFOLLOW;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		store_sqlite_open_err(err, errlen, "%s: %s", path,
		                      st->db != NULL ? sqlite3_errmsg(st->db)
		                                     : "out of memory");
		goto fail;
	}
	if (writable) {
		if (store_sqlite_pragmas(st->db, path, err, errlen) < 0)
			goto fail;
	} else {
		/* query_only: a read command cannot write, whatever it runs. */
		sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
		if (store_sqlite_db_exec(st->db,
		                         "PRAGMA query_only = ON;"
		                         "PRAGMA temp_store = MEMORY;",
		                         path, err, errlen) < 0)
			goto fail;
	}
	if (store_sqlite_check_version(st->db, path, err, errlen) < 0 ||
	    store_sqlite_prepare(st, path, err, errlen) < 0)
		goto fail;
	*ret = &st->base;
	return 0;
fail:
	store_sqlite_close(&st->base);
	return -1;
}

static void
store_sqlite_close(struct store *base)
{
	struct store_sqlite *st = store_sqlite_of(base);
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* after SQLite: the lock goes last */
	counts_free(st->guard);
	free(st);
}

/* Retention. */

/* Clears bodies older than before in one transaction; *ret_cleared is
 * how many.  0 or -1. */
static int
retention_clear(struct store_sqlite *st, int64_t before, int64_t *ret_cleared)
{
	int64_t cleared;

	if (store_sqlite_tx_begin(st) < 0)
		return -1;
	if (store_sqlite_bind_int64(st->stmt[ST_RETAIN_INBOUND], 1, before)) {
		store_sqlite_binderr(st, ST_RETAIN_INBOUND, "retention");
		goto fail;
	}
	if (store_sqlite_exec(st, ST_RETAIN_INBOUND, "retention: inbound") < 0)
		goto fail;
	cleared = sqlite3_changes64(st->db);
	if (store_sqlite_bind_int64(st->stmt[ST_RETAIN_OUTBOX], 1, before)) {
		store_sqlite_binderr(st, ST_RETAIN_OUTBOX, "retention");
		goto fail;
	}
	if (store_sqlite_exec(st, ST_RETAIN_OUTBOX, "retention: outbox") < 0)
		goto fail;
	cleared += sqlite3_changes64(st->db);
	if (store_sqlite_bind_int64(st->stmt[ST_RETAIN_CONVO], 1, before)) {
		store_sqlite_binderr(st, ST_RETAIN_CONVO, "retention");
		goto fail;
	}
	if (store_sqlite_exec(st, ST_RETAIN_CONVO, "retention: convo") < 0)
		goto fail;
	cleared += sqlite3_changes64(st->db);
	if (store_sqlite_bind_int64(st->stmt[ST_RETAIN_CONVO_EVENT], 1,
	                            before)) {
		store_sqlite_binderr(st, ST_RETAIN_CONVO_EVENT, "retention");
		goto fail;
	}
	if (store_sqlite_exec(st, ST_RETAIN_CONVO_EVENT,
	                      "retention: convo events") < 0)
		goto fail;
	cleared += sqlite3_changes64(st->db);
	if (store_sqlite_tx_commit(st) < 0)
		return -1;
	*ret_cleared = cleared;
	return 0;
fail:
	store_sqlite_tx_rollback(st);
	return -1;
}

static int64_t
store_sqlite_retention(struct store *base, int64_t before)
{
	struct store_sqlite *st = store_sqlite_of(base);
	int64_t cleared = 0;
	int rc;

	if (sqlite3_exec(st->db, "PRAGMA secure_delete = ON", NULL, NULL,
	                 NULL) != SQLITE_OK)
		return store_sqlite_dberr(st, "retention: secure_delete");
	rc = retention_clear(st, before, &cleared);
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
		return store_sqlite_dberr(st, "retention: vacuum");
	rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	                               NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return store_sqlite_dberr(st, "retention: checkpoint");
	return cleared;
}

static int64_t
store_sqlite_cost(const struct store *base)
{
	const struct store_sqlite *st = store_sqlite_cof(base);
	int64_t n = 0;

	for (size_t i = 0; i < ST_COUNT; i++)
		if (st->stmt[i] != NULL)
			n += sqlite3_stmt_status(st->stmt[i],
			                         SQLITE_STMTSTATUS_VM_STEP, 0);
	return n;
}

static const struct store_ops store_sqlite_ops = {
	.close = store_sqlite_close,
	.cost = store_sqlite_cost,
	.batch_begin = store_sqlite_batch_begin,
	.batch_commit = store_sqlite_batch_commit,
	.batch_rollback = store_sqlite_batch_rollback,
	.seen = store_sqlite_queue_seen,
	.incoming_add = store_sqlite_queue_incoming_add,
	.incoming_next = store_sqlite_queue_incoming_next,
	.record = store_sqlite_queue_record,
	.outbox_due = store_sqlite_queue_outbox_due,
	.outbox_work = store_sqlite_queue_outbox_work,
	.outbox_shift = store_sqlite_queue_outbox_shift,
	.outbox_claim = store_sqlite_queue_outbox_claim,
	.outbox_renew = store_sqlite_queue_outbox_renew,
	.outbox_sent = store_sqlite_queue_outbox_sent,
	.outbox_retry = store_sqlite_queue_outbox_retry,
	.outbox_requeue = store_sqlite_queue_outbox_requeue,
	.outbox_failed = store_sqlite_queue_outbox_failed,
	.outbox_cancel = store_sqlite_queue_outbox_cancel,
	.outbox_release = store_sqlite_queue_outbox_release,
	.outbox_claimed = store_sqlite_queue_outbox_claimed,
	.convo_get = store_sqlite_convo_get,
	.convo_set = store_sqlite_convo_set,
	.convo_waiting = store_sqlite_convo_waiting,
	.convo_expire = store_sqlite_convo_expire,
	.scheduled_claim = store_sqlite_convo_scheduled_claim,
	.scheduled_send = store_sqlite_convo_scheduled_send,
	.scheduled_cancel = store_sqlite_convo_scheduled_cancel,
	.scheduled_defer = store_sqlite_convo_scheduled_defer,
	.optout_set = store_sqlite_queue_optout_set,
	.is_opted_out = store_sqlite_queue_is_opted_out,
	.recent_replies = store_sqlite_queue_recent_replies,
	.recent_same_reply = store_sqlite_queue_recent_same_reply,
	.guard_reset = store_sqlite_queue_guard_reset,
	.guard_get = store_sqlite_queue_guard_get,
	.guard_put = store_sqlite_queue_guard_put,
	.state_get = store_sqlite_queue_state_get,
	.state_set = store_sqlite_queue_state_set,
	.retention = store_sqlite_retention,
	.counts = store_sqlite_queue_counts,
	.outbox_depth = store_sqlite_queue_outbox_depth,
	.status = store_sqlite_admin_status,
	.failures = store_sqlite_admin_failures,
	.optouts = store_sqlite_admin_optouts,
	.number_form = store_sqlite_admin_number_form,
	.history = store_sqlite_admin_history,
	.stats = store_sqlite_admin_stats,
	.outbox_list = store_sqlite_admin_outbox_list,
	.outbox_operator_retry = store_sqlite_admin_outbox_operator_retry,
	.outbox_operator_cancel = store_sqlite_admin_outbox_operator_cancel,
	.decided = store_sqlite_admin_decided,
};

/* A handle with its table and owner name, nothing open yet. */
static struct store_sqlite *
store_sqlite_new(void)
{
	struct store_sqlite *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->base.ops = &store_sqlite_ops;
	store_owner_init(&st->base);
	st->lock_fd = -1;
	return st;
}

int
store_sqlite_open(const char *path, const struct store_how *how,
                  struct store **ret, char *err, size_t errlen)
{
	if (how->daemon)
		return store_sqlite_open_daemon(path, how->strict, ret,
		                                how->warn, how->warnlen, err,
		                                errlen);
	return store_sqlite_open_existing(path, how->writable, ret,
	                                  how->ret_errno, err, errlen);
}
