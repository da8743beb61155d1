/* Metrics: counters updated by the poller, the sender and the loop, and
 * their rendering as Prometheus text (format 0.0.4).  Label values come
 * from rule files and from gateways, so every one is escaped, and the
 * labelled tables are bounded (see metrics.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "metrics.h"

#define METRICS_LABEL_MAX    64 /* bytes of a label value kept */
#define METRICS_CATEGORY_MAX 32

/* Poll duration histogram bounds, in seconds. */
static const double metrics_poll_le[] = { 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	                                  1,    2.5,   5,    10,  30,   60 };
#define METRICS_POLL_BUCKETS \
	(sizeof(metrics_poll_le) / sizeof(metrics_poll_le[0]))

/* Reply latency histogram bounds (a message's arrival to its reply's
 * send), in seconds: a red flag should be well inside the first few. */
static const double metrics_latency_le[] = { 1,   2,   5,   10,   30,  60,
	                                     120, 300, 900, 1800, 3600 };
#define METRICS_LATENCY_BUCKETS \
	(sizeof(metrics_latency_le) / sizeof(metrics_latency_le[0]))

struct metrics_latency_series {
	char category[METRICS_CATEGORY_MAX];
	uint64_t buckets[METRICS_LATENCY_BUCKETS]; /* not cumulative */
	uint64_t n;
	double sum;
};

struct metrics_reply_series {
	char category[METRICS_CATEGORY_MAX];
	char rule[BT_RULE_ID_MAX + 1];
	uint64_t n;
};

struct metrics_code_series {
	char code[METRICS_LABEL_MAX];
	uint64_t n;
};

/* Why a message got no reply, as counted: the labels, "other" last. */
static const char *const metrics_unanswered_labels[] = {
	"opted_out",
	"optout_unknown",
	"too_old",
	"flood_guard",
	"repeat",
	"red_flag_repeat",
	"auto_responder",
	"echo",
	"gateway_answers_keyword",
	"no_reply_text",
	"not_a_phone_number",
	"unreadable",
	"other",
};
#define METRICS_UNANSWERED_COUNT             \
	(sizeof(metrics_unanswered_labels) / \
	 sizeof(metrics_unanswered_labels[0]))

/* The decision's note (decide.c, poller.c), by its start, and the index
 * of the label it is counted under. */
static const struct {
	const char *note;
	unsigned label;
} metrics_unanswered_reasons[] = {
	{ "opted out", 0 },
	{ "already opted out", 0 },
	{ "opt-out state unknown", 1 },
	{ "too old", 2 },
	{ "flood guard", 3 },
	{ "repeat", 4 },
	{ "red flag already answered", 5 },
	{ "auto-responder", 6 },
	{ "echo of our reply", 7 },
	{ "gateway answers compliance keywords", 8 },
	{ "no text configured", 9 },
	{ "no reply text", 9 },
	{ "sender is not a phone number", 10 },
	{ "could not be read", 11 },
};

struct metrics {
	double started;
	uint64_t inbound, unreadable, unreadable_no_id;
	/* The last slot of each table is "other". */
	struct metrics_reply_series replies[METRICS_REPLY_SERIES_MAX + 1];
	size_t nreplies;
	struct metrics_code_series codes[METRICS_CODES_MAX + 1];
	size_t ncodes;
	/* category: the event, rule: the conversation */
	struct metrics_reply_series convos[METRICS_CONVO_SERIES_MAX + 1];
	size_t nconvos;
	struct metrics_code_series answers[METRICS_ANSWERS_MAX + 1];
	size_t nanswers;
	uint64_t sent, optouts, optins;

	uint64_t poll_buckets[METRICS_POLL_BUCKETS]; /* not cumulative */
	uint64_t polls, poll_failures;
	double poll_seconds;

	double last_poll_ok, last_send_ok; /* 0: never */
	/* Since when every poll (every send attempt) has failed; 0 when the
	 * last one succeeded. */
	double poll_failing_since, send_failing_since;
	/* Since when the gateway refuses our credentials, and its answer;
	 * 0 when it takes them. */
	double auth_failing_since;
	long auth_status;

	uint64_t reloads, reload_failures;
	bool last_reload_failed;
	uint64_t unanswered[METRICS_UNANSWERED_COUNT];

	/* The last slot is "other". */
	struct metrics_latency_series latency[METRICS_LATENCY_SERIES_MAX + 1];
	size_t nlatency;

	bool skew_known;
	double skew; /* the gateway's clock minus ours */
};

struct metrics *
metrics_new(double now)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->started = now;
	snprintf(m->replies[METRICS_REPLY_SERIES_MAX].category,
	         METRICS_CATEGORY_MAX, "other");
	snprintf(m->replies[METRICS_REPLY_SERIES_MAX].rule,
	         sizeof(m->replies[0].rule), "other");
	snprintf(m->codes[METRICS_CODES_MAX].code, METRICS_LABEL_MAX, "other");
	snprintf(m->convos[METRICS_CONVO_SERIES_MAX].category,
	         METRICS_CATEGORY_MAX, "other");
	snprintf(m->convos[METRICS_CONVO_SERIES_MAX].rule,
	         sizeof(m->convos[0].rule), "other");
	snprintf(m->answers[METRICS_ANSWERS_MAX].code, METRICS_LABEL_MAX,
	         "other");
	snprintf(m->latency[METRICS_LATENCY_SERIES_MAX].category,
	         METRICS_CATEGORY_MAX, "other");
	return m;
}

void
metrics_free(struct metrics *m)
{
	free(m);
}

void
metrics_inbound(struct metrics *m)
{
	m->inbound++;
}

void
metrics_unreadable(struct metrics *m, uint64_t n, uint64_t n_no_id)
{
	m->unreadable += n;
	m->unreadable_no_id += n_no_id;
}

/* Counts one for (category, rule) in table t of max series (its slot max
 * is "other"), added when new. */
static void
metrics_pair_count(struct metrics_reply_series *t, size_t *n, size_t max,
                   const char *category, const char *rule)
{
	struct metrics_reply_series *r;

	for (size_t i = 0; i < *n; i++) {
		r = &t[i];
		if (strcmp(r->rule, rule) == 0 &&
		    strcmp(r->category, category) == 0) {
			r->n++;
			return;
		}
	}
	if (*n == max) {
		t[max].n++;
		return;
	}
	r = &t[(*n)++];
	snprintf(r->category, sizeof(r->category), "%s", category);
	snprintf(r->rule, sizeof(r->rule), "%s", rule);
	r->n = 1;
}

void
metrics_reply(struct metrics *m, const char *category, const char *rule)
{
	metrics_pair_count(m->replies, &m->nreplies, METRICS_REPLY_SERIES_MAX,
	                   category, rule != NULL ? rule : "");
}

void
metrics_convo_event(struct metrics *m, const char *convo, const char *event)
{
	metrics_pair_count(m->convos, &m->nconvos, METRICS_CONVO_SERIES_MAX,
	                   event, convo);
}

/* The series of label value v in table t of max entries (its slot max is
 * "other"), added when new. */
static struct metrics_code_series *
metrics_code_find(struct metrics_code_series *t, size_t *n, size_t max,
                  const char *v)
{
	size_t i;

	for (i = 0; i < *n && strcmp(t[i].code, v) != 0; i++)
		;
	if (i < *n)
		return &t[i];
	if (*n == max)
		return &t[max];
	snprintf(t[*n].code, sizeof(t[*n].code), "%s", v);
	return &t[(*n)++];
}

void
metrics_checkin_answer(struct metrics *m, const char *answer)
{
	metrics_code_find(m->answers, &m->nanswers, METRICS_ANSWERS_MAX, answer)
	    ->n++;
}

void
metrics_optout(struct metrics *m, int change)
{
	if (change > 0)
		m->optouts++;
	else if (change < 0)
		m->optins++;
}

void
metrics_poll(struct metrics *m, bool ok, double secs, double now)
{
	size_t i;

	for (i = 0; i < METRICS_POLL_BUCKETS && secs > metrics_poll_le[i]; i++)
		;
	if (i < METRICS_POLL_BUCKETS)
		m->poll_buckets[i]++;
	m->polls++;
	m->poll_seconds += secs;
	if (ok) {
		m->last_poll_ok = now;
		m->poll_failing_since = 0;
		return;
	}
	m->poll_failures++;
	if (m->poll_failing_since == 0)
		m->poll_failing_since = now;
}

void
metrics_send_ok(struct metrics *m, double now)
{
	m->sent++;
	m->last_send_ok = now;
	m->send_failing_since = 0;
}

void
metrics_send_failed(struct metrics *m, const char *code, double now)
{
	metrics_code_find(m->codes, &m->ncodes, METRICS_CODES_MAX, code)->n++;
	if (m->send_failing_since == 0)
		m->send_failing_since = now;
}

void
metrics_send_idle(struct metrics *m)
{
	m->send_failing_since = 0;
}

void
metrics_reply_latency(struct metrics *m, const char *category, double secs)
{
	struct metrics_latency_series *l = NULL;
	size_t i;

	if (category == NULL)
		category = "";
	if (secs < 0) /* the wall clock stepped back meanwhile */
		secs = 0;
	for (i = 0; i < m->nlatency && l == NULL; i++)
		if (strcmp(m->latency[i].category, category) == 0)
			l = &m->latency[i];
	if (l == NULL && m->nlatency == METRICS_LATENCY_SERIES_MAX)
		l = &m->latency[METRICS_LATENCY_SERIES_MAX];
	if (l == NULL) {
		l = &m->latency[m->nlatency++];
		snprintf(l->category, sizeof(l->category), "%s", category);
	}
	for (i = 0; i < METRICS_LATENCY_BUCKETS && secs > metrics_latency_le[i];
	     i++)
		;
	if (i < METRICS_LATENCY_BUCKETS)
		l->buckets[i]++;
	l->n++;
	l->sum += secs;
}

void
metrics_clock_skew(struct metrics *m, double skew)
{
	m->skew_known = true;
	m->skew = skew;
}

void
metrics_gateway_auth(struct metrics *m, long http_status, double now)
{
	if (http_status == 0) {
		m->auth_failing_since = 0;
		m->auth_status = 0;
		return;
	}
	if (m->auth_failing_since == 0)
		m->auth_failing_since = now;
	m->auth_status = http_status;
}

void
metrics_reload(struct metrics *m, bool ok)
{
	m->reloads++;
	if (!ok)
		m->reload_failures++;
	m->last_reload_failed = !ok;
}

/* The index of the label a note is counted under. */
static unsigned
metrics_unanswered_label(const char *note)
{
	for (size_t i = 0;
	     note != NULL && i < sizeof(metrics_unanswered_reasons) /
	                             sizeof(metrics_unanswered_reasons[0]);
	     i++) {
		const char *r = metrics_unanswered_reasons[i].note;
		size_t n = strlen(r);
		if (strncmp(note, r, n) == 0 &&
		    (note[n] == '\0' || note[n] == ' ' || note[n] == ':'))
			return metrics_unanswered_reasons[i].label;
	}
	return METRICS_UNANSWERED_COUNT - 1; /* other */
}

void
metrics_unanswered(struct metrics *m, const char *note)
{
	m->unanswered[metrics_unanswered_label(note)]++;
}

const char *
metrics_unanswered_reason(const char *note)
{
	return metrics_unanswered_labels[metrics_unanswered_label(note)];
}

/* --- rendering --- */

/* Text written so far; what does not fit is counted, not written. */
struct metrics_out {
	char *buf;
	size_t len, off;
};

static void metrics_printf(struct metrics_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
metrics_printf(struct metrics_out *o, const char *fmt, ...)
{
	size_t room = o->off < o->len ? o->len - o->off : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->off : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->off += (size_t)n;
}

/* A label value, escaped as the format asks: backslash, double quote and
 * line feed. */
static void
metrics_label(struct metrics_out *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			metrics_printf(o, "\\\\");
		else if (*v == '"')
			metrics_printf(o, "\\\"");
		else if (*v == '\n')
			metrics_printf(o, "\\n");
		else
			metrics_printf(o, "%c", *v);
	}
}

static void
metrics_head(struct metrics_out *o, const char *name, const char *type,
             const char *help)
{
	metrics_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	               type);
}

static void
metrics_counter(struct metrics_out *o, const char *name, const char *help,
                uint64_t v)
{
	metrics_head(o, name, "counter", help);
	metrics_printf(o, "%s %llu\n", name, (unsigned long long)v);
}

static void
metrics_gauge(struct metrics_out *o, const char *name, const char *help,
              double v)
{
	metrics_head(o, name, "gauge", help);
	metrics_printf(o, "%s %.15g\n", name, v);
}

/* One labelled sample: name{k1="v1"} n, or name{k1="v1",k2="v2"} n. */
static void
metrics_labelled(struct metrics_out *o, const char *name, const char *k1,
                 const char *v1, const char *k2, const char *v2, uint64_t n)
{
	metrics_printf(o, "%s{%s=\"", name, k1);
	metrics_label(o, v1);
	if (k2 != NULL) {
		metrics_printf(o, "\",%s=\"", k2);
		metrics_label(o, v2);
	}
	metrics_printf(o, "\"} %llu\n", (unsigned long long)n);
}

static void
metrics_render_replies(struct metrics_out *o, const struct metrics *m)
{
	static const char name[] = "backtalk_replies_total";
	const struct metrics_reply_series *other =
	    &m->replies[METRICS_REPLY_SERIES_MAX];

	metrics_head(o, name, "counter",
	             "Replies decided (queued to send), by category and rule.");
	for (size_t i = 0; i < m->nreplies; i++)
		metrics_labelled(o, name, "category", m->replies[i].category,
		                 "rule", m->replies[i].rule, m->replies[i].n);
	if (other->n > 0)
		metrics_labelled(o, name, "category", other->category, "rule",
		                 other->rule, other->n);
}

static void
metrics_render_convos(struct metrics_out *o, const struct metrics *m)
{
	static const char name[] = "backtalk_conversation_events_total";
	static const char aname[] = "backtalk_checkin_answers_total";
	const struct metrics_reply_series *other =
	    &m->convos[METRICS_CONVO_SERIES_MAX];

	metrics_head(o, name, "counter",
	             "Conversation events (started, answered, finished, "
	             "expired, gave_up, interrupted), by conversation.");
	for (size_t i = 0; i < m->nconvos; i++)
		metrics_labelled(o, name, "conversation", m->convos[i].rule,
		                 "event", m->convos[i].category,
		                 m->convos[i].n);
	if (other->n > 0)
		metrics_labelled(o, name, "conversation", other->rule, "event",
		                 other->category, other->n);
	metrics_head(o, aname, "counter",
	             "Check-ins ended, by the answer (its outcome, red_flag, "
	             "stop, gave_up, no_answer).");
	for (size_t i = 0; i <= METRICS_ANSWERS_MAX; i++)
		if (i < m->nanswers ||
		    (i == METRICS_ANSWERS_MAX && m->answers[i].n > 0))
			metrics_labelled(o, aname, "answer", m->answers[i].code,
			                 NULL, NULL, m->answers[i].n);
}

static void
metrics_render_codes(struct metrics_out *o, const struct metrics *m)
{
	static const char name[] = "backtalk_send_failures_total";
	const struct metrics_code_series *other = &m->codes[METRICS_CODES_MAX];

	metrics_head(o, name, "counter",
	             "Failed send attempts, by the gateway's error code.");
	for (size_t i = 0; i < m->ncodes; i++)
		metrics_labelled(o, name, "code", m->codes[i].code, NULL, NULL,
		                 m->codes[i].n);
	if (other->n > 0)
		metrics_labelled(o, name, "code", other->code, NULL, NULL,
		                 other->n);
}

static void
metrics_render_polls(struct metrics_out *o, const struct metrics *m)
{
	uint64_t cum = 0;

	metrics_head(o, "backtalk_poll_duration_seconds", "histogram",
	             "Time taken by each poll of the gateway.");
	for (size_t i = 0; i < METRICS_POLL_BUCKETS; i++) {
		cum += m->poll_buckets[i];
		metrics_printf(
		    o,
		    "backtalk_poll_duration_seconds_bucket{le=\"%g\"} "
		    "%llu\n",
		    metrics_poll_le[i], (unsigned long long)cum);
	}
	metrics_printf(o,
	               "backtalk_poll_duration_seconds_bucket{le=\"+Inf\"} "
	               "%llu\n",
	               (unsigned long long)m->polls);
	metrics_printf(o, "backtalk_poll_duration_seconds_sum %.15g\n",
	               m->poll_seconds);
	metrics_printf(o, "backtalk_poll_duration_seconds_count %llu\n",
	               (unsigned long long)m->polls);
	metrics_counter(o, "backtalk_poll_failures_total",
	                "Polls of the gateway that failed.", m->poll_failures);
}

static void
metrics_render_latency_one(struct metrics_out *o,
                           const struct metrics_latency_series *l)
{
	static const char name[] = "backtalk_reply_latency_seconds";
	uint64_t cum = 0;

	for (size_t i = 0; i < METRICS_LATENCY_BUCKETS; i++) {
		cum += l->buckets[i];
		metrics_printf(o, "%s_bucket{category=\"", name);
		metrics_label(o, l->category);
		metrics_printf(o, "\",le=\"%g\"} %llu\n", metrics_latency_le[i],
		               (unsigned long long)cum);
	}
	metrics_printf(o, "%s_bucket{category=\"", name);
	metrics_label(o, l->category);
	metrics_printf(o, "\",le=\"+Inf\"} %llu\n", (unsigned long long)l->n);
	metrics_printf(o, "%s_sum{category=\"", name);
	metrics_label(o, l->category);
	metrics_printf(o, "\"} %.15g\n", l->sum);
	metrics_printf(o, "%s_count{category=\"", name);
	metrics_label(o, l->category);
	metrics_printf(o, "\"} %llu\n", (unsigned long long)l->n);
}

static void
metrics_render_latency(struct metrics_out *o, const struct metrics *m)
{
	metrics_head(o, "backtalk_reply_latency_seconds", "histogram",
	             "From a message's arrival to its reply's send, by the "
	             "message's category.");
	for (size_t i = 0; i < m->nlatency; i++)
		metrics_render_latency_one(o, &m->latency[i]);
	if (m->latency[METRICS_LATENCY_SERIES_MAX].n > 0)
		metrics_render_latency_one(
		    o, &m->latency[METRICS_LATENCY_SERIES_MAX]);
}

size_t
metrics_render(const struct metrics *m, const struct metrics_gauges *g,
               double now, const char *version, char *buf, size_t len)
{
	struct metrics_out o = { .buf = buf, .len = len, .off = 0 };
	double since_poll =
	    now - (m->last_poll_ok ? m->last_poll_ok : m->started);

	if (len > 0)
		buf[0] = '\0';
	metrics_head(&o, "backtalk_build_info", "gauge",
	             "The running version; always 1.");
	metrics_labelled(&o, "backtalk_build_info", "version", version, NULL,
	                 NULL, 1);
	metrics_counter(&o, "backtalk_inbound_messages_total",
	                "Inbound messages recorded.", m->inbound);
	metrics_head(&o, "backtalk_inbound_unreadable_total", "counter",
	             "Inbound messages that could not be read, not answered: "
	             "recorded by id (each once), or with no id (each time a "
	             "poll reads one).");
	metrics_labelled(&o, "backtalk_inbound_unreadable_total", "id",
	                 "recorded", NULL, NULL, m->unreadable);
	metrics_labelled(&o, "backtalk_inbound_unreadable_total", "id", "none",
	                 NULL, NULL, m->unreadable_no_id);
	metrics_head(&o, "backtalk_unanswered_total", "counter",
	             "Messages recorded without a reply, by why.");
	for (size_t i = 0; i < METRICS_UNANSWERED_COUNT; i++)
		metrics_labelled(&o, "backtalk_unanswered_total", "reason",
		                 metrics_unanswered_labels[i], NULL, NULL,
		                 m->unanswered[i]);
	metrics_render_replies(&o, m);
	metrics_render_convos(&o, m);
	metrics_counter(&o, "backtalk_replies_sent_total",
	                "Replies the gateway accepted.", m->sent);
	metrics_render_codes(&o, m);
	metrics_render_latency(&o, m);
	metrics_counter(&o, "backtalk_optouts_total",
	                "Opt-outs (STOP, or the gateway saying so).",
	                m->optouts);
	metrics_counter(&o, "backtalk_optins_total", "Opt-ins (START).",
	                m->optins);
	metrics_render_polls(&o, m);
	metrics_gauge(&o, "backtalk_poll_lag_seconds",
	              "Seconds since the last successful poll (since the "
	              "start before the first).",
	              since_poll > 0 ? since_poll : 0);
	metrics_gauge(&o, "backtalk_last_poll_success_timestamp_seconds",
	              "When the last successful poll ended (Unix time; 0 "
	              "never).",
	              m->last_poll_ok);
	metrics_gauge(&o, "backtalk_last_send_success_timestamp_seconds",
	              "When the gateway last accepted a reply (Unix time; 0 "
	              "never).",
	              m->last_send_ok);
	if (g->outbox_depth >= 0)
		metrics_gauge(&o, "backtalk_outbox_depth",
		              "Replies waiting to be sent or being sent.",
		              (double)g->outbox_depth);
	if (g->outbox_depth >= 0)
		metrics_gauge(
		    &o, "backtalk_outbox_oldest_waiting_seconds",
		    "Age of the oldest reply waiting to be sent or being sent; "
		    "0 when none waits.",
		    g->oldest_waiting > 0 && now > (double)g->oldest_waiting
		        ? now - (double)g->oldest_waiting
		        : 0);
	metrics_gauge(&o, "backtalk_rules_loaded", "Rules in use.",
	              (double)g->rules_loaded);
	if (m->skew_known)
		metrics_gauge(&o, "backtalk_clock_skew_seconds",
		              "The gateway's clock (its Date header) minus "
		              "this host's, at the last poll.",
		              m->skew);
	metrics_counter(&o, "backtalk_reloads_total",
	                "Reloads asked for (SIGHUP).", m->reloads);
	metrics_counter(&o, "backtalk_reload_failures_total",
	                "Reloads that kept the previous configuration.",
	                m->reload_failures);
	metrics_gauge(&o, "backtalk_last_reload_success",
	              "1 when the last reload took (or none was asked for), "
	              "0 when it kept the previous configuration.",
	              m->last_reload_failed ? 0 : 1);
	return o.off;
}

bool
metrics_health(const struct metrics *m, const struct metrics_gauges *g,
               double now, unsigned max_failing_s, char *reason, size_t len)
{
	if (g->store_failing || g->outbox_depth < 0) {
		snprintf(reason, len, "the state database is failing");
		return false;
	}
	if (m->auth_failing_since > 0) {
		snprintf(reason, len,
		         "the gateway has refused our credentials (HTTP %ld) "
		         "for %.0f s: replies are held; check the account, the "
		         "token and base_url",
		         m->auth_status, now - m->auth_failing_since);
		return false;
	}
	if (m->poll_failing_since > 0 &&
	    now - m->poll_failing_since > max_failing_s) {
		snprintf(reason, len,
		         "every poll of the gateway has failed for %.0f s",
		         now - m->poll_failing_since);
		return false;
	}
	if (m->send_failing_since > 0 && g->outbox_depth > 0 &&
	    now - m->send_failing_since > max_failing_s) {
		snprintf(reason, len,
		         "every send has failed for %.0f s; %lld replies wait",
		         now - m->send_failing_since,
		         (long long)g->outbox_depth);
		return false;
	}
	snprintf(reason, len, "ok");
	return true;
}
