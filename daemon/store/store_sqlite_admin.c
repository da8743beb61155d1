/* store_sqlite_admin.c: the operator's tool's queries on the SQLite
 * backend (status, failures, opt-outs, history, stats, the outbox list and
 * the operator's retry and cancel, replay's decided messages).  They run
 * beside a running daemon: reads in one snapshot each, writes in short
 * transactions. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

/* The operator's tool.  Its queries run once a call, so they are prepared
 * then rather than kept with the daemon's.  Each is one statement, read in
 * one snapshot of a database the daemon may be writing. */

static sqlite3_stmt *
admin_prepare(struct store_sqlite *st, const char *sql, const char *what)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_sqlite_dberr(st, what);
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

/* Finalizes s after its last step rc: 0 when the rows ran out (or the
 * callback stopped them, stopped != 0), -1 otherwise. */
static int
admin_finish(struct store_sqlite *st, sqlite3_stmt *s, int rc, int stopped,
             const char *what)
{
	if (!stopped && rc != SQLITE_DONE)
		store_sqlite_dberr(st, what);
	sqlite3_finalize(s);
	return stopped || rc == SQLITE_DONE ? 0 : -1;
}

/* A bind failed: out of memory or a programming error. */
static int
admin_bind_failed(struct store_sqlite *st, sqlite3_stmt *s, const char *what)
{
	store_sqlite_dberr(st, what);
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
	return store_sqlite_bind_text(s, 1, number) ||
	       store_sqlite_bind_text(s, 2, other);
}

int
store_sqlite_admin_status(struct store *base, struct store_status *ret)
{
	struct store_sqlite *st = store_sqlite_of(base);
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
store_sqlite_admin_failures(struct store *base, int64_t since, size_t max,
                            int (*fn)(void *arg, const struct store_failure *f),
                            void *arg)
{
	struct store_sqlite *st = store_sqlite_of(base);
	static const char sql[] =
	    "SELECT id, to_number, failed_at, error_code, error FROM outbox "
	    "WHERE state = 'failed' AND failed_at >= ?1 "
	    "ORDER BY failed_at DESC, id DESC LIMIT ?2";
	sqlite3_stmt *s = admin_prepare(st, sql, "failures");
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	if (store_sqlite_bind_int64(s, 1, since) ||
	    store_sqlite_bind_int64(s, 2, (int64_t)max))
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
store_sqlite_admin_optouts(struct store *base,
                           int (*fn)(void *arg, const struct store_optout *o),
                           void *arg)
{
	struct store_sqlite *st = store_sqlite_of(base);
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
store_sqlite_admin_number_form(struct store *base, const char *number,
                               char *buf, size_t len)
{
	struct store_sqlite *st = store_sqlite_of(base);
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
store_sqlite_admin_history(struct store *base, const char *number, size_t max,
                           int (*fn)(void *arg, const struct store_event *e),
                           void *arg)
{
	struct store_sqlite *st = store_sqlite_of(base);
	/* A reply sorts right after its message (its created_at is the
	 * message's received_at), and what the message did to a
	 * conversation after its replies (kind 2); the last max events, in
	 * time order. */
	static const char sql[] =
	    "SELECT at, kind, gateway, id, category, topic, rule, state, "
	    "note, body, convo, event, step, answer FROM (SELECT * FROM ("
	    " SELECT received_at AS at, received_at AS k, 0 AS kind,"
	    "  rowid AS seq, gateway, id, category, topic, rule,"
	    "  NULL AS state, note, body, NULL AS convo, NULL AS event,"
	    "  NULL AS step, NULL AS answer"
	    " FROM inbound WHERE from_number IN (?1, ?2)"
	    " UNION ALL"
	    " SELECT coalesce(o.sent_at, o.failed_at, o.created_at),"
	    "  o.created_at, 1, o.id, i.gateway, i.id, i.category, i.topic,"
	    "  i.rule, o.state,"
	    "  CASE WHEN o.error_code IS NOT NULL"
	    "   THEN o.error_code || ': ' || coalesce(o.error, '')"
	    "   ELSE o.error END,"
	    "  o.body, NULL, NULL, NULL, NULL"
	    " FROM outbox o JOIN inbound i ON i.gateway = o.inbound_gateway"
	    "  AND i.id = o.inbound_id"
	    " WHERE o.to_number IN (?1, ?2)"
	    " UNION ALL"
	    " SELECT at, at, 2, id, inbound_gateway, inbound_id, NULL, NULL,"
	    "  NULL, NULL, NULL, NULL, convo, event, step, answer"
	    " FROM convo_event INDEXED BY convo_event_number"
	    " WHERE number IN (?1, ?2))"
	    " ORDER BY k DESC, kind DESC, seq DESC LIMIT ?3) "
	    "ORDER BY k, kind, seq";
	sqlite3_stmt *s = admin_prepare(st, sql, "history");
	char other[128];
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	if (admin_bind_number(s, number, other, sizeof(other)) ||
	    store_sqlite_bind_int64(s, 3, max > 0 ? (int64_t)max : -1))
		return admin_bind_failed(st, s, "history");
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_event e = {
			.at = sqlite3_column_int64(s, 0),
			.outbound = sqlite3_column_int(s, 1) == 1,
			.gateway = admin_text(s, 2),
			.id = admin_text(s, 3),
			.category = admin_text(s, 4),
			.topic = admin_text(s, 5),
			.rule = admin_text(s, 6),
			.state = admin_text(s, 7),
			.note = admin_text(s, 8),
			.body = admin_text(s, 9),
			.convo = admin_text(s, 10),
			.event = admin_text(s, 11),
			.step = admin_text(s, 12),
			.answer = admin_text(s, 13),
		};
		stop = fn(arg, &e);
	}
	return admin_finish(st, s, rc, stop, "history");
}

int
store_sqlite_admin_stats(struct store *base, int64_t since,
                         int (*fn)(void *arg, const char *what,
                                   const char *name, int64_t count),
                         void *arg, struct store_stats *ret)
{
	struct store_sqlite *st = store_sqlite_of(base);
	static const char *const what[] = { "category",     "topic",
		                            "rule",         "unanswered",
		                            "conversation", "checkin" };
	static const char groups_sql[] =
	    "SELECT 0, category, count(*) FROM inbound WHERE received_at >= ?1 "
	    "GROUP BY 2 UNION ALL "
	    "SELECT 1, topic, count(*) FROM inbound WHERE received_at >= ?1 "
	    "GROUP BY 2 UNION ALL "
	    "SELECT 2, rule, count(*) FROM inbound WHERE received_at >= ?1 "
	    "GROUP BY 2 UNION ALL "
	    "SELECT 3, note, count(*) FROM inbound WHERE received_at >= ?1 "
	    "AND note IS NOT NULL GROUP BY 2 UNION ALL "
	    "SELECT 4, convo || ' ' || event, count(*) FROM convo_event "
	    "INDEXED BY convo_event_at WHERE at >= ?1 AND event <> 'answered' "
	    "GROUP BY 2 UNION ALL "
	    "SELECT 5, CASE event WHEN 'expired' THEN 'no_answer' "
	    "WHEN 'gave_up' THEN 'gave_up' ELSE coalesce(answer, event) END, "
	    "count(*) FROM convo_event INDEXED BY convo_event_at "
	    "WHERE at >= ?1 AND checkin = 1 AND event IN ('finished', "
	    "'expired', 'gave_up', 'interrupted') GROUP BY 2 "
	    "ORDER BY 1, 3 DESC, 2";
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
		return store_sqlite_dberr(st, "stats");
	s = admin_prepare(st, totals_sql, "stats");
	if (s == NULL)
		goto out;
	if (store_sqlite_bind_int64(s, 1, since)) {
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
	if (store_sqlite_bind_int64(s, 1, since)) {
		admin_finish(st, s, SQLITE_MISUSE, 0, "stats");
		goto out;
	}
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int k = sqlite3_column_int(s, 0);
		stop = fn(arg, what[k >= 0 && k <= 5 ? k : 2], admin_text(s, 1),
		          sqlite3_column_int64(s, 2));
	}
	result = admin_finish(st, s, rc, stop, "stats");
out:
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	return result;
}

int
store_sqlite_admin_decided(struct store *base, int64_t since, size_t max,
                           int (*fn)(void *arg, const struct store_decided *m),
                           void *arg)
{
	struct store_sqlite *st = store_sqlite_of(base);
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
	if (store_sqlite_bind_int64(s, 1, since) ||
	    store_sqlite_bind_int64(s, 2, max > 0 ? (int64_t)max : -1))
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

/* Binds the filter as ?1 to ?4. */
static int
outbox_bind_filter(sqlite3_stmt *s, const struct store_outbox_filter *f,
                   char *other, size_t len)
{
	if (store_sqlite_bind_int64(s, 1, f->id))
		return -1;
	if (f->number != NULL) {
		admin_other_form(f->number, other, len);
		if (store_sqlite_bind_text(s, 2, f->number) ||
		    store_sqlite_bind_text(s, 3, other))
			return -1;
	}
	if (f->state >= 0 &&
	    store_sqlite_bind_text(
	        s, 4,
	        store_outbox_state_name((enum store_outbox_state)f->state)))
		return -1;
	return 0;
}

int
store_sqlite_admin_outbox_list(
    struct store *base, const struct store_outbox_filter *f, size_t max,
    int (*fn)(void *arg, const struct store_outbox_row *r), void *arg)
{
	struct store_sqlite *st = store_sqlite_of(base);
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
	    store_sqlite_bind_int64(s, 5, max > 0 ? (int64_t)max : -1))
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
outbox_operator(struct store_sqlite *st, const char *sql, const char *from,
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
	if (store_sqlite_tx_begin(st) < 0)
		return -1;
	c = admin_prepare(st, count_sql, what);
	if (c == NULL)
		goto fail;
	if (outbox_bind_filter(c, f, other, sizeof(other)) ||
	    store_sqlite_bind_text(c, 5, from)) {
		store_sqlite_dberr(st, what);
		goto fail;
	}
	rc = sqlite3_step(c);
	if (rc != SQLITE_ROW) {
		store_sqlite_dberr(st, what);
		goto fail;
	}
	*selected = sqlite3_column_int64(c, 0);
	u = admin_prepare(st, sql, what);
	if (u == NULL)
		goto fail;
	if (outbox_bind_filter(u, f, other, sizeof(other)) ||
	    store_sqlite_bind_int64(u, 5, now)) {
		store_sqlite_dberr(st, what);
		goto fail;
	}
	if (sqlite3_step(u) != SQLITE_DONE) {
		store_sqlite_dberr(st, what);
		goto fail;
	}
	*changed = sqlite3_changes(st->db);
	sqlite3_finalize(c);
	sqlite3_finalize(u);
	return store_sqlite_tx_commit(st);
fail:
	sqlite3_finalize(c);
	sqlite3_finalize(u);
	store_sqlite_tx_rollback(st);
	return -1;
}

int
store_sqlite_admin_outbox_operator_retry(struct store *base,
                                         const struct store_outbox_filter *f,
                                         int64_t now, int64_t *selected,
                                         int64_t *changed)
{
	struct store_sqlite *st = store_sqlite_of(base);
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
store_sqlite_admin_outbox_operator_cancel(struct store *base,
                                          const struct store_outbox_filter *f,
                                          int64_t now, int64_t *selected,
                                          int64_t *changed)
{
	struct store_sqlite *st = store_sqlite_of(base);
	/* Only pending replies: one being sent is the gateway's already. */
	static const char sql[] =
	    "UPDATE outbox AS o SET state = 'cancelled', "
	    "error = 'cancelled by the operator' "
	    "WHERE " OUTBOX_FILTER " AND o.state = 'pending' AND ?5 = ?5";

	return outbox_operator(st, sql, "pending", f, now, selected, changed,
	                       "outbox cancel");
}
