/* The daemon of the poller's, the sender's and the decision's unit tests:
 * see daemontest.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <poll.h>
#include <sqlite3.h>
#include <unistd.h>

#include "daemontest.h"
#include "guardkeep.h"
#include "sendq.h"
#include "testutil.h"

#define DT_TO "+15550000000" /* our number */

const char dt_reply_form[] =
    "Brace your core and keep the bar close to your shins on every "
    "deadlift you pull.";
const char dt_reply_cauda[] =
    "Call 911 now: losing control of your bladder or bowel with back pain "
    "is an emergency.";
const char dt_reply_stop[] =
    "You are unsubscribed from Backtalk. Reply START to opt back in.";
const char dt_reply_stop_emergency[] =
    "You are unsubscribed from Backtalk. That needs emergency care now: "
    "call 911.";
const char dt_reply_help[] =
    "Backtalk help: text FORM for lifting tips, STOP to opt out.";
const char dt_reply_menu[] =
    "Backtalk: text FORM for lifting tips. Reply STOP to opt out.";

static char *
dt_rules_text(void)
{
	char *s = NULL;

	if (asprintf(
	        &s,
	        "replies = { fallback = \"%s\"; help = \"%s\";\n"
	        "  stop = \"%s\"; stop_emergency = \"%s\";\n"
	        "  start = \"You are subscribed to Backtalk again.\"; };\n"
	        "rules = (\n"
	        "  { id = \"form\"; category = \"tip\"; topic = \"form\";\n"
	        "    keywords = [ \"FORM\" ];\n"
	        "    patterns = [ \"\\\\bdeadlift\" ];\n"
	        "    reply = \"%s\"; },\n"
	        "  { id = \"cauda\"; category = \"emergency\";\n"
	        "    patterns = [ \"\\\\b(bladder|bowel)\\\\b\" ];\n"
	        "    reply = \"%s\"; }\n"
	        ");\n",
	        dt_reply_menu, dt_reply_help, dt_reply_stop,
	        dt_reply_stop_emergency, dt_reply_form, dt_reply_cauda) < 0)
		fail_msg("out of memory");
	return s;
}

/* --- the fake gateway ---------------------------------------------------- */

/* One script for both parts: the inbound part the poller polls, the
 * outbound parts the loop looks up with and the sending thread sends
 * with. */
struct dt_gateway {
	union {
		struct gateway_in in;
		struct gateway_out out;
	} part;
	struct dt_script *s;
};

static void
dt_add(struct gateway_batch *b, const char *spec)
{
	char buf[512], *from, *body;

	snprintf(buf, sizeof(buf), "%s", spec);
	from = strchr(buf, '|');
	assert_non_null(from);
	*from++ = '\0';
	body = strchr(from, '|');
	assert_non_null(body);
	*body++ = '\0';
	if (*body == '\0')
		assert_int_equal(gateway_batch_add_unreadable(b, buf, from), 0);
	else
		assert_int_equal(
		    gateway_batch_add(b, buf, from, DT_TO, body, 0), 0);
}

static enum gateway_status
dt_gw_poll(struct gateway_in *gw, struct gateway_batch *ret,
           struct gateway_result *res)
{
	struct dt_script *s = gateway_of(gw, struct dt_gateway, part.in)->s;
	const struct dt_poll *p;

	gateway_result_init(res);
	s->calls++;
	if (s->polled >= s->npolls)
		return res->status = GATEWAY_OK; /* nothing new */
	p = &s->polls[s->polled++];
	res->status = p->status;
	res->http_status = p->http_status;
	if (p->retry_after_s > 0)
		res->retry_after_s = p->retry_after_s;
	res->date = p->date;
	if (p->status != GATEWAY_OK)
		snprintf(res->error, sizeof(res->error), "scripted failure");
	for (size_t i = 0; i < sizeof(p->msgs) / sizeof(p->msgs[0]); i++)
		if (p->msgs[i] != NULL)
			dt_add(ret, p->msgs[i]);
	for (size_t i = 0; i < p->count; i++) {
		char id[32], from[32];
		snprintf(id, sizeof(id), "gen-%zu", i);
		snprintf(from, sizeof(from), "+1555100%04zu", i % 10000);
		assert_int_equal(gateway_batch_add(ret, id, from, DT_TO,
		                                   "how do I deadlift", 0),
		                 0);
	}
	ret->more = p->more;
	ret->closed = p->closed;
	if (p->flush)
		gateway_batch_flush(ret);
	if (p->heal != NULL)
		dt_heal(s->dt, p->heal);
	return res->status;
}

static enum gateway_status
dt_gw_send(struct gateway_out *gw, const char *to, const char *body,
           struct gateway_result *res)
{
	struct dt_script *s = gateway_of(gw, struct dt_gateway, part.out)->s;
	size_t n = __atomic_load_n(&s->sent, __ATOMIC_ACQUIRE);

	gateway_result_init(res);
	if (s->nsends > 0)
		*res = s->sends[n < s->nsends ? n : s->nsends - 1];
	if (res->status == GATEWAY_OK && res->message_id[0] == '\0')
		snprintf(res->message_id, sizeof(res->message_id), "SM%zu", n);
	if (n < DT_MAX) {
		snprintf(s->sent_to[n], sizeof(s->sent_to[n]), "%s", to);
		snprintf(s->sent_body[n], sizeof(s->sent_body[n]), "%s", body);
	}
	__atomic_store_n(&s->sent, n + 1, __ATOMIC_RELEASE);
	return res->status;
}

static int
dt_gw_find_sent(struct gateway_out *gw, const char *to, const char *body,
                int64_t since, struct gateway_result *res)
{
	struct dt_script *s = gateway_of(gw, struct dt_gateway, part.out)->s;

	(void)to;
	(void)body;
	(void)since;
	s->finds++;
	*res = s->find_res;
	return s->find_rc;
}

static void
dt_gw_in_free(struct gateway_in *gw)
{
	free(gateway_of(gw, struct dt_gateway, part.in));
}

static void
dt_gw_out_free(struct gateway_out *gw)
{
	free(gateway_of(gw, struct dt_gateway, part.out));
}

static const struct gateway_in_ops dt_gw_in_ops = {
	.name = "fake",
	.poll = dt_gw_poll,
	.free = dt_gw_in_free,
};

static const struct gateway_out_ops dt_gw_out_ops = {
	.name = "fake",
	.send = dt_gw_send,
	.find_sent = dt_gw_find_sent,
	.free = dt_gw_out_free,
};

static struct gateway_in *
dt_gateway_in_new(struct dt_script *s)
{
	struct dt_gateway *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->part.in.ops = &dt_gw_in_ops;
	g->s = s;
	return &g->part.in;
}

static struct gateway_out *
dt_gateway_out_new(struct dt_script *s)
{
	struct dt_gateway *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->part.out.ops = &dt_gw_out_ops;
	g->s = s;
	return &g->part.out;
}

/* --- the clock ----------------------------------------------------------- */

static double
dt_now(void *arg)
{
	struct dt *t = arg;
	double v = t->mono;

	t->mono += t->mono_step;
	return v;
}

static int64_t
dt_wall(void *arg)
{
	return ((struct dt *)arg)->wall;
}

/* --- the daemon ---------------------------------------------------------- */

struct dt *
dt_new(void)
{
	struct dt *t = calloc(1, sizeof(*t));
	char err[512], *rules = dt_rules_text();

	assert_non_null(t);
	log_init("test", LOG_LEVEL_WARNING, false);
	t->dir = testutil_tmpdir();
	if (asprintf(&t->path, "%s/state.db", t->dir) < 0)
		fail_msg("out of memory");
	t->gw.dt = t;
	t->mono = 1000;
	t->wall = 1800000000;
	config_defaults(&t->cfg);
	t->cfg.guard.send_rate = 0;
	t->d.clock.now = dt_now;
	t->d.clock.wall = dt_wall;
	t->d.clock.arg = t;
	t->d.conf = &t->conf;
	t->conf.cfg = &t->cfg;
	t->conf.rs = testutil_load_text(rules);
	free(rules);
	t->conf.cls = classify_new(t->conf.rs);
	assert_non_null(t->conf.cls);
	if (store_open(t->path, &t->d.store, err, sizeof(err)) != 0)
		fail_msg("store_open %s: %s", t->path, err);
	t->conf.guard =
	    guardkeep_new(t->d.store, t->cfg.guard.replies_per_sender,
	                  t->cfg.guard.window_s, t->cfg.guard.max_senders);
	assert_non_null(t->conf.guard);
	guard_rate_init(&t->conf.rate, t->cfg.guard.send_rate, t->mono);
	t->d.metrics = metrics_new((double)t->wall);
	assert_non_null(t->d.metrics);
	t->conf.gw_in = dt_gateway_in_new(&t->gw);
	t->conf.gw_out = dt_gateway_out_new(&t->gw);
	t->d.started = t->mono;
	return t;
}

void
dt_free(struct dt *t)
{
	if (t == NULL)
		return;
	if (t->d.sendq != NULL)
		sendq_free(t->d.sendq);
	gateway_batch_free(&t->d.pending);
	free(t->d.kept);
	gateway_in_free(t->conf.gw_in);
	gateway_out_free(t->conf.gw_out);
	metrics_free(t->d.metrics);
	guard_free(t->conf.guard);
	store_close(t->d.store);
	classify_free(t->conf.cls);
	rules_free(t->conf.rs);
	testutil_rmdir(t->dir);
	free(t->path);
	free(t);
}

struct dt_poll *
dt_poll_add(struct dt *t, enum gateway_status status)
{
	struct dt_poll *p;

	assert_true(t->gw.npolls < DT_MAX);
	p = &t->gw.polls[t->gw.npolls++];
	memset(p, 0, sizeof(*p));
	p->status = status;
	return p;
}

struct gateway_result *
dt_send_add(struct dt *t, enum gateway_status status)
{
	struct gateway_result *r;

	assert_true(t->gw.nsends < DT_MAX);
	r = &t->gw.sends[t->gw.nsends++];
	gateway_result_init(r);
	r->status = status;
	if (status != GATEWAY_OK)
		snprintf(r->error, sizeof(r->error), "scripted %d", status);
	return r;
}

void
dt_sendq(struct dt *t)
{
	char err[256];

	if (sendq_new(dt_gateway_out_new(&t->gw), 64, 16, &t->d.sendq, err,
	              sizeof(err)) != 0)
		fail_msg("sendq_new: %s", err);
}

void
dt_wait_outcomes(struct dt *t, size_t total)
{
	struct pollfd pfd = { .fd = sendq_fd(t->d.sendq), .events = POLLIN };

	for (int i = 0; i < 10000; i++) {
		if (__atomic_load_n(&t->gw.sent, __ATOMIC_ACQUIRE) >= total &&
		    poll(&pfd, 1, 0) == 1)
			return;
		usleep(1000);
	}
	fail_msg("the sending thread made %zu sends, not %zu",
	         __atomic_load_n(&t->gw.sent, __ATOMIC_ACQUIRE), total);
}

double
dt_send_turn(struct dt *t, size_t expect)
{
	size_t before = __atomic_load_n(&t->gw.sent, __ATOMIC_ACQUIRE);
	double w = sender_run(&t->d);

	if (expect > 0)
		dt_wait_outcomes(t, before + expect);
	/* The thread may hand its outcomes back a chunk at a time. */
	for (int i = 0; i < 10000; i++) {
		w = sender_run(&t->d);
		if (sendq_outstanding(t->d.sendq) == 0)
			return w;
		usleep(1000);
	}
	fail_msg("%zu replies are still with the sending thread",
	         sendq_outstanding(t->d.sendq));
	return w;
}

static int
dt_newest(void *arg, const struct store_outbox_row *r)
{
	*(int64_t *)arg = r->id;
	return 1;
}

int64_t
dt_reply(struct dt *t, const char *id, const char *from, const char *body,
         int urgency)
{
	return dt_reply_as(t, id, from, body,
	                   urgency == 2 ? "emergency" : "tip", urgency);
}

int64_t
dt_reply_as(struct dt *t, const char *id, const char *from, const char *body,
            const char *category, int urgency)
{
	struct store_inbound in = {
		.gateway = "fake",
		.id = id,
		.from = from,
		.to = DT_TO,
		.body = "scripted",
		.received_at = t->wall,
	};
	struct store_decision dec = {
		.category = category,
		.action = STORE_ACTION_REPLY,
		.reply = body,
		.urgency = urgency,
	};
	struct store_outbox_filter f = { .number = from, .state = -1 };
	int64_t row = 0;

	assert_int_equal(store_record(t->d.store, &in, &dec), STORE_RECORDED);
	assert_int_equal(store_outbox_list(t->d.store, &f, 1, dt_newest, &row),
	                 0);
	assert_true(row > 0);
	return row;
}

static int
dt_row_fill(void *arg, const struct store_outbox_row *r)
{
	struct dt_row *ret = arg;

	snprintf(ret->state, sizeof(ret->state), "%s",
	         r->state ? r->state : "");
	snprintf(ret->error_code, sizeof(ret->error_code), "%s",
	         r->error_code ? r->error_code : "");
	ret->attempts = r->attempts;
	ret->next_attempt_at = r->next_attempt_at;
	return 0;
}

void
dt_row(struct dt *t, int64_t id, struct dt_row *ret)
{
	struct store_outbox_filter f = { .id = id, .state = -1 };

	memset(ret, 0, sizeof(*ret));
	assert_int_equal(store_outbox_list(t->d.store, &f, 1, dt_row_fill, ret),
	                 0);
	if (ret->state[0] == '\0')
		fail_msg("no outbox row %lld", (long long)id);
}

void
dt_expect_state(struct dt *t, int64_t id, const char *state)
{
	struct dt_row r;

	dt_row(t, id, &r);
	assert_string_equal(r.state, state);
}

struct dt_find {
	const char *id;
	char *note, *category;
	size_t notelen, catlen;
	bool found;
};

static int
dt_inbound_fill(void *arg, const struct store_event *e)
{
	struct dt_find *f = arg;

	if (e->outbound || e->id == NULL || strcmp(e->id, f->id) != 0)
		return 0;
	snprintf(f->note, f->notelen, "%s", e->note ? e->note : "");
	snprintf(f->category, f->catlen, "%s", e->category ? e->category : "");
	f->found = true;
	return 0;
}

void
dt_inbound(struct dt *t, const char *from, const char *id, char *note,
           size_t notelen, char *category, size_t catlen)
{
	struct dt_find f = { id, note, category, notelen, catlen, false };

	assert_int_equal(
	    store_history(t->d.store, from, 100, dt_inbound_fill, &f), 0);
	if (!f.found)
		fail_msg("message %s from %s is not recorded", id, from);
}

struct store_counts
dt_counts(struct dt *t)
{
	struct store_counts c;

	assert_int_equal(store_counts(t->d.store, &c), 0);
	return c;
}

/* Raw SQL on the state file, on purpose: dt_break and dt_mend inject a
 * fault into the SQLite file itself (triggers that make writes to a table
 * fail), which no call of store.h can do. */
static void
dt_exec(struct dt *t, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(t->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

void
dt_break(struct dt *t, const char *table)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	         "CREATE TRIGGER dt_break_%s_i BEFORE INSERT ON %s BEGIN "
	         "SELECT RAISE(ABORT, 'broken by the test'); END;"
	         "CREATE TRIGGER dt_break_%s_u BEFORE UPDATE ON %s BEGIN "
	         "SELECT RAISE(ABORT, 'broken by the test'); END;",
	         table, table, table, table);
	dt_exec(t, sql);
}

void
dt_heal(struct dt *t, const char *table)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
	         "DROP TRIGGER dt_break_%s_i; DROP TRIGGER dt_break_%s_u;",
	         table, table);
	dt_exec(t, sql);
}
