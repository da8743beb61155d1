/* Metrics: the daemon's counters and the health decision, kept in memory
 * by the single event loop (no locks), and written out in the Prometheus
 * text exposition format 0.0.4.  Pure code: the HTTP endpoint that serves
 * them is metrics_http.c. */
#ifndef BACKTALK_METRICS_H
#define BACKTALK_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Distinct label sets kept; what comes after is counted under "other", so
 * that a gateway inventing error codes cannot grow the table. */
#define METRICS_REPLY_SERIES_MAX 1024 /* (category, rule) pairs */
#define METRICS_CODES_MAX        64   /* send failure codes */
#define METRICS_CONVO_SERIES_MAX 64   /* (conversation, event) pairs */
#define METRICS_ANSWERS_MAX      16   /* check-in answers */
#define METRICS_LATENCY_SERIES_MAX                \
	16 /* categories in the latency histogram \
	    */

struct metrics;

/* What a scrape reads from the running daemon at that moment. */
struct metrics_gauges {
	int64_t outbox_depth;   /* replies pending or sending; -1 unknown */
	int64_t oldest_waiting; /* when the oldest of them was decided (Unix
	                           seconds); 0 none or unknown */
	size_t rules_loaded;
	bool store_failing; /* the poller cannot write to the store */
};

/* `now` is the wall clock in Unix seconds everywhere below. */
struct metrics *metrics_new(double now);
void metrics_free(struct metrics *m);

/* An inbound message recorded, and the reply decided for it (rule NULL
 * for a built-in reply). */
void metrics_inbound(struct metrics *m);
void metrics_reply(struct metrics *m, const char *category, const char *rule);
/* A conversation event recorded (store_convo_event: "started",
 * "finished", ...), and the end of a check-in by its answer ("better",
 * ..., "red_flag", "stop", "gave_up", "no_answer"), counted as the
 * decision that caused it is committed. */
void metrics_convo_event(struct metrics *m, const char *convo,
                         const char *event);
void metrics_checkin_answer(struct metrics *m, const char *answer);
/* Inbound messages the gateway listed that could not be read: n recorded
 * by their id (each once), and n_no_id left out for want of one (each
 * time a poll reads them). */
void metrics_unreadable(struct metrics *m, uint64_t n, uint64_t n_no_id);
/* A message recorded without a reply, and why (the decision's note: "opted
 * out", "too old", "flood guard", ...), counted by a fixed set of reasons
 * (anything else is "other"). */
void metrics_unanswered(struct metrics *m, const char *note);
/* The reason label a note is counted under ("opted_out", "too_old", ...,
 * "other"), for the journal's REASON= field. */
const char *metrics_unanswered_reason(const char *note);
/* +1 an opt-out, -1 an opt-in. */
void metrics_optout(struct metrics *m, int change);

/* A poll of the gateway that took `secs`. */
void metrics_poll(struct metrics *m, bool ok, double secs, double now);
/* A send attempt; a failure is counted by the gateway's error code (or
 * "http_NNN", or "no_answer"). */
void metrics_send_ok(struct metrics *m, double now);
void metrics_send_failed(struct metrics *m, const char *code, double now);
/* Nothing is waiting to be sent: sending is not failing, whatever the
 * last attempt did. */
void metrics_send_idle(struct metrics *m);
void metrics_reload(struct metrics *m, bool ok);
/* A reply sent `secs` after its message arrived (a negative span, after
 * the wall clock stepped back, counts as 0). */
void metrics_reply_latency(struct metrics *m, const char *category,
                           double secs);
/* The gateway's clock minus this host's, as the last poll saw it. */
void metrics_clock_skew(struct metrics *m, double skew);
/* The gateway refused our credentials (HTTP 401, 403, 404 or 407) on a
 * poll or a send; or, with http_status 0, it took them again. */
void metrics_gateway_auth(struct metrics *m, long http_status, double now);

/* Writes the exposition text into buf (at most len bytes, always NUL
 * terminated when len > 0) and returns its length: when that is len or
 * more, the text was cut and a buffer of the returned length + 1 holds
 * it, as with snprintf. */
size_t metrics_render(const struct metrics *m, const struct metrics_gauges *g,
                      double now, const char *version, char *buf, size_t len);

/* Whether the daemon is healthy; when not, a one-line reason in reason.
 * Unhealthy: the store fails, the gateway refuses our credentials (at
 * once: replies are held until an operator fixes them), polling has failed
 * continuously for longer than max_failing_s, or every send attempt has
 * for that long while replies wait. */
bool metrics_health(const struct metrics *m, const struct metrics_gauges *g,
                    double now, unsigned max_failing_s, char *reason,
                    size_t len);

#endif
