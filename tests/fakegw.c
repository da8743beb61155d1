/* fakegw: a fake SMS gateway for the end-to-end tests and benchmarks.
 *
 * It speaks the subsets of the Twilio and Infobip HTTP APIs that backtalkd
 * uses, on 127.0.0.1 only, serves inbound messages that tests script
 * through a control API under /_control/ on the same port, records every
 * request (in memory and, with --log, one JSON line each), and injects
 * faults from per-endpoint queues.  fakegw.h describes the protocols, the
 * control API and the faults.
 *
 * One mutex guards all state.  libmicrohttpd runs a thread per connection,
 * so a delayed or huge response holds up only its own client. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fakegw.h"

/* Hard limits on what clients send. */
#define FAKEGW_GATEWAY_BODY_MAX (1u << 20)   /* a gateway request body */
#define FAKEGW_CONTROL_BODY_MAX (256u << 20) /* a bulk inbound body */
#define FAKEGW_PAGE_MAX         1000 /* Twilio PageSize, Infobip limit */
#define FAKEGW_PAGE_DEFAULT     50
#define FAKEGW_DELAY_MAX_MS     600000
#define FAKEGW_HUGE_MAX         (UINT64_C(4) << 30)
#define FAKEGW_FAULT_REPEAT_MAX 100000
#define FAKEGW_RECENT_MAX       10000 /* gateway requests kept in memory */
#define FAKEGW_LOG_BODY_MAX     65536 /* bodies logged in full below this */
#define FAKEGW_TWILIO_BODY_MAX  1600  /* characters, as Twilio's 21617 */

#define TWILIO_PREFIX "/2010-04-01/Accounts/"
#define TWILIO_MORE   "https://www.twilio.com/docs/errors/"

/* --- small helpers --- */

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fputs("fakegw: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("fakegw: out of memory\n", stderr);
		abort();
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = xmalloc(n);
	memcpy(p, s, n);
	return p;
}

/* Grows *v (of *cap elements of size sz) to hold at least need elements. */
static void
grow(void *v, size_t *cap, size_t need, size_t sz)
{
	void **pv = v;
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	*pv = xrealloc(*pv, n * sz);
	*cap = n;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A growable string. */
struct sb {
	char *p;
	size_t len, cap;
};

static void
sb_addn(struct sb *b, const char *s, size_t n)
{
	grow(&b->p, &b->cap, b->len + n + 1, 1);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_add(struct sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

/* Adds s percent-encoded, as a query key or value. */
static void
sb_add_enc(struct sb *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			sb_addn(b, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		sb_addn(b, e, 3);
	}
}

/* Parses a whole decimal number in [min, max]; false otherwise. */
static bool
parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	char *end;
	long long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

/* Parses YYYY-MM-DD into the Unix time of its midnight UTC. */
static bool
parse_day(const char *s, int64_t *ret)
{
	struct tm tm;
	int y, m, d, n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n] || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return false;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*ret = (int64_t)timegm(&tm);
	return true;
}

/* "Mon, 23 Nov 2026 21:00:00 +0000", as Twilio writes dates. */
static json_t *
json_rfc2822(int64_t t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	return json_string(buf);
}

/* "2026-11-23T21:00:00.000+0000", as Infobip writes dates. */
static json_t *
json_iso8601(int64_t ms)
{
	char buf[64];
	time_t tt = (time_t)(ms / 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&tt, &tm);
	n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof buf - n, ".%03d+0000", (int)(ms % 1000));
	return json_string(buf);
}

/* Parses "2026-11-23T21:00:00.000+0000" as Infobip takes dates: the
 * fraction is optional, the zone Z, +hhmm or +hh:mm.  Unix milliseconds. */
static bool
parse_iso8601(const char *s, int64_t *ret_ms)
{
	int y, mo, d, h, mi, sec, zh, zm, n = 0, k = 0;
	int64_t ms = 0, scale = 100;
	struct tm tm;
	char sign;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
	           &n) != 6 ||
	    n != 19 || y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return false;
	s += n;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, k++) {
			ms += (*s - '0') * scale;
			scale /= 10;
		}
		if (k == 0)
			return false;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ret_ms = (int64_t)timegm(&tm) * 1000 + ms;
	if (strcmp(s, "Z") == 0)
		return true;
	sign = *s;
	if ((sign != '+' && sign != '-') ||
	    (sscanf(s + 1, "%2d%n", &zh, &n) != 1 || n != 2))
		return false;
	s += 3;
	if (*s == ':')
		s++;
	if (sscanf(s, "%2d%n", &zm, &n) != 1 || n != 2 || s[2] || zh < 0 ||
	    zh > 23 || zm < 0 || zm > 59)
		return false;
	*ret_ms -=
	    (sign == '-' ? -1 : 1) * ((int64_t)zh * 3600 + zm * 60) * 1000;
	return true;
}

/* Number of SMS segments: GSM-7 when the text is ASCII (an approximation:
 * a few ASCII characters are not in GSM-7), UCS-2 otherwise. */
static int
sms_segments(const char *s)
{
	size_t septets = 0, units = 0;
	bool ascii = true;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80)
			ascii = false;
		if (strchr("^{}\\[~]|", *p))
			septets += 2;
		else
			septets++;
		if ((*p & 0xc0) != 0x80)
			units += (*p >= 0xf0) ? 2 : 1; /* astral: a pair */
	}
	if (ascii)
		return septets <= 160 ? 1 : (int)((septets + 152) / 153);
	return units <= 70 ? 1 : (int)((units + 66) / 67);
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* --- state --- */

/* A Twilio message: inbound (scripted) or outbound (sent by a client). */
struct tmsg {
	char sid[35];
	char *from; /* NULL when sent through a Messaging Service */
	char *to;
	char *body;
	char *service_sid; /* MessagingServiceSid of a send, or NULL */
	int64_t date;      /* date_created (inbound: date_sent too), Unix
	                      seconds: the list's order */
	int64_t created_ms;
	int64_t sent_ms; /* outbound: when it leaves (date_sent); until then
	                    it is "queued" with no date_sent */
	uint64_t serial; /* breaks ties between equal dates */
	bool inbound;
};

/* An Infobip inbound message waiting in the inbox. */
struct imsg {
	char *id, *from, *to, *text;
	int64_t received_ms;
};

/* An outbound message a client sent, through either gateway. */
struct sent {
	const char *gateway;
	char *id, *from, *to, *body;
	char *bulk; /* Infobip's bulkId; NULL for Twilio */
	int64_t time_ms;
};

struct fault {
	int status;      /* 0: none */
	int retry_after; /* seconds; -1: no Retry-After header */
	int delay_ms;
	int truncate; /* 0, TRUNCATE_BODY or TRUNCATE_CLOSE */
	bool drop, malformed, duplicate, loop, apply;
	uint64_t huge_bytes;
	const char *raw; /* 200 with exactly this body; NULL: none */
};

enum { TRUNCATE_BODY = 1, TRUNCATE_CLOSE = 2 };

struct fqueue {
	struct fault *v;
	size_t head, len, cap;
};

enum endpoint {
	EP_TWILIO_LIST,
	EP_TWILIO_SEND,
	EP_INFOBIP_INBOX,
	EP_INFOBIP_SEND,
	EP_INFOBIP_LOGS,
	EP_FAULTABLE, /* endpoints before this one have fault queues */
	EP_CONTROL = EP_FAULTABLE,
	EP_OTHER,
	EP_COUNT
};

static const char *const endpoint_names[EP_COUNT] = {
	"twilio_list",  "twilio_send", "infobip_inbox", "infobip_send",
	"infobip_logs", "control",     "other",
};

enum auth { AUTH_NONE, AUTH_OK, AUTH_BAD };

static const char *const auth_names[] = { "none", "ok", "bad" };

/* One gateway request, as GET /_control/requests lists it. */
struct recent {
	int64_t time_ms;
	enum endpoint ep;
	enum auth auth;
	int status; /* 0: dropped */
	char method[8];
	char fault[16];
	char *path_query;
};

#define STATUS_SLOTS 600 /* slot 0 counts dropped connections */

static struct {
	pthread_mutex_t lock;
	/* Twilio messages, sorted by (date, serial): newest last. */
	struct tmsg **tm;
	size_t ntm, captm;
	/* Infobip inbox, a FIFO from head. */
	struct imsg *inbox;
	size_t inbox_head, inbox_len, inbox_cap;
	struct sent *sent;
	size_t nsent, capsent;
	char **optout;
	size_t noptout, capoptout;
	struct fqueue faults[EP_FAULTABLE];
	/* Random faults: each request to an endpoint with no fault queued
	 * draws one, each with its probability (POST /_control/config). */
	struct rfault {
		double p;
		struct fault f;
	} * random[EP_FAULTABLE];
	size_t nrandom[EP_FAULTABLE];
	uint64_t rng;
	/* Twilio as it behaves (POST /_control/config). */
	char token[256];     /* the auth token Twilio takes now */
	int64_t queue_ms;    /* an outbound message stays queued so long */
	int64_t list_lag_ms; /* and is listed only so long after it was
	                        created */
	uint64_t counts[EP_COUNT][STATUS_SLOTS];
	struct recent recent[FAKEGW_RECENT_MAX];
	uint64_t nrecent; /* all time; the ring holds the last few */
	uint64_t serial;  /* never reset, so ids stay unique */
	uint64_t salt;
	FILE *log;
	/* The bodies of "raw" faults, kept for the life of the process. */
	char **raws;
	size_t nraws, capraws;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct {
	const char *sid, *token, *infobip_key;
} cfg = {
	.sid = FAKEGW_DEFAULT_SID,
	.token = FAKEGW_DEFAULT_TOKEN,
	.infobip_key = FAKEGW_DEFAULT_KEY,
};

static atomic_bool stopping;

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* A new id: prefix and 32 hex digits, unique for this process and unlikely
 * to repeat across runs.  Called with the lock held. */
static void
state_new_id(const char *prefix, char *buf, size_t size)
{
	uint64_t n = ++st.serial;

	snprintf(buf, size, "%s%016" PRIx64 "%016" PRIx64, prefix,
	         mix64(n ^ st.salt), n);
}

static int
tmsg_cmp_key(const struct tmsg *m, int64_t date, uint64_t serial)
{
	if (m->date != date)
		return m->date < date ? -1 : 1;
	if (m->serial != serial)
		return m->serial < serial ? -1 : 1;
	return 0;
}

/* The index of the first message whose key is >= (date, serial). */
static size_t
twilio_lower_bound(int64_t date, uint64_t serial)
{
	size_t lo = 0, hi = st.ntm;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tmsg_cmp_key(st.tm[mid], date, serial) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
tmsg_cmp(const void *a, const void *b)
{
	const struct tmsg *x = *(struct tmsg *const *)a;
	const struct tmsg *y = *(struct tmsg *const *)b;

	return tmsg_cmp_key(x, y->date, y->serial);
}

/* Makes a Twilio message; the caller inserts it. Lock held. */
static struct tmsg *
twilio_new(const char *from, const char *to, const char *body,
           const char *service_sid, int64_t date, bool inbound)
{
	struct tmsg *m = xmalloc(sizeof *m);

	state_new_id("SM", m->sid, sizeof m->sid);
	m->serial = st.serial;
	m->from = xstrdup(from);
	m->to = xstrdup(to);
	m->body = xstrdup(body);
	m->service_sid = xstrdup(service_sid);
	m->date = date;
	m->created_ms = inbound ? date * 1000 : now_ms();
	m->sent_ms = inbound ? m->created_ms : m->created_ms + st.queue_ms;
	m->inbound = inbound;
	return m;
}

/* Inserts in order; appending is the usual case.  Lock held. */
static void
twilio_insert(struct tmsg *m)
{
	size_t i = twilio_lower_bound(m->date, m->serial);

	grow(&st.tm, &st.captm, st.ntm + 1, sizeof *st.tm);
	memmove(st.tm + i + 1, st.tm + i, (st.ntm - i) * sizeof *st.tm);
	st.tm[i] = m;
	st.ntm++;
}

static void
tmsg_free(struct tmsg *m)
{
	if (!m)
		return;
	free(m->from);
	free(m->to);
	free(m->body);
	free(m->service_sid);
	free(m);
}

static void
imsg_clear(struct imsg *m)
{
	free(m->id);
	free(m->from);
	free(m->to);
	free(m->text);
}

/* Adds an Infobip inbound message. Lock held. */
static const char *
infobip_add(const char *from, const char *to, const char *text,
            int64_t received_ms)
{
	char id[40];
	struct imsg *m;

	/* Reclaim the served part of the FIFO once it is most of it. */
	if (st.inbox_head > 0 && st.inbox_head >= st.inbox_len / 2) {
		memmove(st.inbox, st.inbox + st.inbox_head,
		        (st.inbox_len - st.inbox_head) * sizeof *st.inbox);
		st.inbox_len -= st.inbox_head;
		st.inbox_head = 0;
	}
	grow(&st.inbox, &st.inbox_cap, st.inbox_len + 1, sizeof *st.inbox);
	state_new_id("", id, sizeof id);
	m = &st.inbox[st.inbox_len++];
	m->id = xstrdup(id);
	m->from = xstrdup(from);
	m->to = xstrdup(to);
	m->text = xstrdup(text);
	m->received_ms = received_ms;
	return m->id;
}

/* Records an outbound message; bulk is Infobip's bulkId or NULL. Lock
 * held. */
static void
sent_add(const char *gateway, const char *id, const char *bulk,
         const char *from, const char *to, const char *body)
{
	struct sent *s;

	grow(&st.sent, &st.capsent, st.nsent + 1, sizeof *st.sent);
	s = &st.sent[st.nsent++];
	s->gateway = gateway;
	s->id = xstrdup(id);
	s->bulk = xstrdup(bulk);
	s->from = xstrdup(from);
	s->to = xstrdup(to);
	s->body = xstrdup(body);
	s->time_ms = now_ms();
}

static bool
optout_has(const char *number)
{
	for (size_t i = 0; i < st.noptout; i++)
		if (strcmp(st.optout[i], number) == 0)
			return true;
	return false;
}

/* Clears messages, sends, opt-outs, faults and counters. Lock held. */
static void
state_clear(void)
{
	size_t i;

	for (i = 0; i < st.ntm; i++)
		tmsg_free(st.tm[i]);
	free(st.tm);
	st.tm = NULL;
	st.ntm = st.captm = 0;
	for (i = st.inbox_head; i < st.inbox_len; i++)
		imsg_clear(&st.inbox[i]);
	free(st.inbox);
	st.inbox = NULL;
	st.inbox_head = st.inbox_len = st.inbox_cap = 0;
	for (i = 0; i < st.nsent; i++) {
		free(st.sent[i].id);
		free(st.sent[i].bulk);
		free(st.sent[i].from);
		free(st.sent[i].to);
		free(st.sent[i].body);
	}
	free(st.sent);
	st.sent = NULL;
	st.nsent = st.capsent = 0;
	for (i = 0; i < st.noptout; i++)
		free(st.optout[i]);
	free(st.optout);
	st.optout = NULL;
	st.noptout = st.capoptout = 0;
	for (i = 0; i < EP_FAULTABLE; i++) {
		free(st.faults[i].v);
		memset(&st.faults[i], 0, sizeof st.faults[i]);
		free(st.random[i]);
		st.random[i] = NULL;
		st.nrandom[i] = 0;
	}
	memset(st.counts, 0, sizeof st.counts);
	for (i = 0; i < FAKEGW_RECENT_MAX; i++) {
		free(st.recent[i].path_query);
		st.recent[i].path_query = NULL;
	}
	st.nrecent = 0;
}

/* Pops the next fault for ep into *ret; false when its queue is empty. */
static bool
fault_pop(enum endpoint ep, struct fault *ret)
{
	struct fqueue *q;
	bool got = false;

	if (ep >= EP_FAULTABLE)
		return false;
	pthread_mutex_lock(&st.lock);
	q = &st.faults[ep];
	if (q->head < q->len) {
		*ret = q->v[q->head++];
		got = true;
		if (q->head == q->len)
			q->head = q->len = 0;
	} else if (st.nrandom[ep] > 0) {
		/* xorshift64*: a seeded run draws the same faults. */
		st.rng ^= st.rng >> 12;
		st.rng ^= st.rng << 25;
		st.rng ^= st.rng >> 27;
		double x =
		    (double)((st.rng * UINT64_C(2685821657736338717)) >> 11) /
		    9007199254740992.0;
		for (size_t i = 0; i < st.nrandom[ep] && !got; i++) {
			if (x < st.random[ep][i].p) {
				*ret = st.random[ep][i].f;
				got = true;
			}
			x -= st.random[ep][i].p;
		}
	}
	pthread_mutex_unlock(&st.lock);
	return got;
}

static const char *
fault_name(const struct fault *f)
{
	if (f->drop)
		return "drop";
	if (f->status)
		return "status";
	if (f->malformed)
		return "malformed";
	if (f->huge_bytes)
		return "huge";
	if (f->raw)
		return "raw";
	if (f->truncate)
		return "truncate";
	if (f->duplicate)
		return "duplicate";
	if (f->loop)
		return "loop";
	if (f->delay_ms)
		return "delay";
	return "none";
}

/* --- requests and responses --- */

/* What the access handler keeps between its calls for one request. */
struct req {
	enum endpoint ep;
	char *body;
	size_t len, cap, limit;
	bool too_big;
	enum auth auth;
	int64_t start_ms;
	json_t *log_body; /* what the log shows of the body, or NULL */
};

/* A response a handler built: a status and a JSON document. */
struct out {
	int status;
	json_t *json;
	int retry_after; /* -1: none */
	bool www_auth;
};

static struct out
out_json(int status, json_t *json)
{
	struct out o = { status, json, -1, false };

	return o;
}

static struct out
twilio_error(int status, int code, const char *message)
{
	char more[80];

	snprintf(more, sizeof more, TWILIO_MORE "%d", code);
	return out_json(status, json_pack("{s:i, s:s, s:s, s:i}", "code", code,
	                                  "message", message, "more_info", more,
	                                  "status", status));
}

static struct out
infobip_error(int status, const char *id, const char *text)
{
	return out_json(status, json_pack("{s:{s:{s:s, s:s}}}", "requestError",
	                                  "serviceException", "messageId", id,
	                                  "text", text));
}

static struct out
control_error(int status, const char *msg)
{
	return out_json(status, json_pack("{s:s}", "error", msg));
}

/* The error a status fault answers with, in the gateway's own format. */
static struct out
fault_status_out(enum endpoint ep, const struct fault *f)
{
	const char *phrase = MHD_get_reason_phrase_for((unsigned)f->status);
	struct out o;

	if (!phrase || !*phrase)
		phrase = "Error";
	if (ep == EP_TWILIO_LIST || ep == EP_TWILIO_SEND) {
		o = twilio_error(f->status, 20000 + f->status, phrase);
	} else {
		char id[64];
		size_t i;

		for (i = 0; phrase[i] && i + 1 < sizeof id; i++)
			id[i] =
			    phrase[i] == ' ' ? '_' : (char)(phrase[i] & ~0x20);
		id[i] = '\0';
		o = infobip_error(
		    f->status, f->status >= 500 ? "GENERAL_ERROR" : id, phrase);
	}
	o.retry_after = f->retry_after;
	return o;
}

/* Streams a huge body: a valid JSON object padded to exactly total bytes
 * ({"messages":[],"padding":"xxx..."}), without holding it in memory. */
struct huge {
	const char *head;
	uint64_t total;
};

static ssize_t
huge_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	const struct huge *h = cls;
	size_t headlen = strlen(h->head), n = 0;

	if (pos >= h->total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	while (n < max && pos < h->total) {
		if (pos < headlen)
			buf[n] = h->head[pos];
		else if (pos == h->total - 2)
			buf[n] = '"';
		else if (pos == h->total - 1)
			buf[n] = '}';
		else
			buf[n] = 'x';
		n++;
		pos++;
	}
	return (ssize_t)n;
}

/* Sends the first half of a body and then fails, so the connection closes
 * short of its Content-Length. */
struct cut {
	char *text;
	size_t send;
};

static ssize_t
cut_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	const struct cut *c = cls;
	size_t n;

	if (pos >= c->send)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = c->send - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, c->text + pos, n);
	return (ssize_t)n;
}

static void
cut_free(void *cls)
{
	struct cut *c = cls;

	free(c->text);
	free(c);
}

/* Collects the query of a request, decoded into a JSON object and encoded
 * again after the path. */
struct query_walk {
	json_t *obj;
	struct sb *pq;
	bool first;
};

static enum MHD_Result
query_collect(void *cls, enum MHD_ValueKind kind, const char *key,
              const char *value)
{
	struct query_walk *w = cls;

	(void)kind;
	if (!json_object_get(w->obj, key))
		json_object_set_new(w->obj, key,
		                    value ? json_string(value) : json_null());
	sb_add(w->pq, w->first ? "?" : "&");
	w->first = false;
	sb_add_enc(w->pq, key);
	if (value) {
		sb_add(w->pq, "=");
		sb_add_enc(w->pq, value);
	}
	return MHD_YES;
}

static const char *
header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Appends one request to the log and to the in-memory record. */
static void
req_record(struct MHD_Connection *c, struct req *r, const char *url,
           const char *method, int status, const char *fault)
{
	struct sb pq = { 0 };
	struct query_walk w = { json_object(), &pq, true };
	int64_t t = now_ms();
	const char *ct = header(c, MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *ua = header(c, MHD_HTTP_HEADER_USER_AGENT);
	struct recent *rec;
	int slot = status > 0 && status < STATUS_SLOTS ? status : 0;

	sb_add(&pq, url);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_collect, &w);

	pthread_mutex_lock(&st.lock);
	if (st.log) {
		json_t *line = json_object();

		json_object_set_new(line, "ts", json_iso8601(t));
		json_object_set_new(line, "time_ms", json_integer(t));
		json_object_set_new(line, "method", json_string(method));
		json_object_set_new(line, "path", json_string(url));
		json_object_set(line, "query", w.obj);
		json_object_set_new(line, "endpoint",
		                    json_string(endpoint_names[r->ep]));
		json_object_set_new(line, "auth",
		                    json_string(auth_names[r->auth]));
		if (ct)
			json_object_set_new(line, "content_type",
			                    json_string(ct));
		if (ua)
			json_object_set_new(line, "user_agent",
			                    json_string(ua));
		if (r->log_body)
			json_object_set(line, "body", r->log_body);
		json_object_set_new(line, "body_bytes", json_integer(r->len));
		json_object_set_new(line, "status", json_integer(status));
		json_object_set_new(line, "fault",
		                    fault ? json_string(fault) : json_null());
		json_object_set_new(line, "ms", json_integer(t - r->start_ms));
		json_dumpf(line, st.log, JSON_COMPACT);
		fputc('\n', st.log);
		fflush(st.log);
		json_decref(line);
	}
	st.counts[r->ep][slot]++;
	if (r->ep != EP_CONTROL) {
		rec = &st.recent[st.nrecent % FAKEGW_RECENT_MAX];
		free(rec->path_query);
		rec->time_ms = t;
		rec->ep = r->ep;
		rec->auth = r->auth;
		rec->status = status;
		snprintf(rec->method, sizeof rec->method, "%s", method);
		snprintf(rec->fault, sizeof rec->fault, "%s",
		         fault ? fault : "");
		rec->path_query = pq.p;
		pq.p = NULL;
		st.nrecent++;
	}
	pthread_mutex_unlock(&st.lock);
	free(pq.p);
	json_decref(w.obj);
}

/* Queues a handler's response, bent by the body faults of f (NULL: none),
 * and records the request. */
static enum MHD_Result
respond(struct MHD_Connection *c, struct req *r, const char *url,
        const char *method, struct out o, const struct fault *f)
{
	static const char *const garbage[EP_FAULTABLE] = {
		"{\"messages\": [ {\"sid\":",      "{\"sid\": \"SM",
		"{\"results\": [ {\"messageId\":", "{\"bulkId\": \"",
		"{\"results\": [ {\"bulkId\":",
	};
	static const char *const huge_head[EP_FAULTABLE] = {
		"{\"messages\":[],\"padding\":\"",
		"{\"sid\":null,\"padding\":\"",
		"{\"results\":[],\"padding\":\"",
		"{\"bulkId\":null,\"padding\":\"",
		"{\"results\":[],\"padding\":\"",
	};
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *text;
	size_t len;

	if (f && f->malformed) {
		text = (char *)garbage[r->ep];
		resp = MHD_create_response_from_buffer(strlen(text), text,
		                                       MHD_RESPMEM_PERSISTENT);
	} else if (f && f->raw) {
		text = (char *)f->raw;
		resp = MHD_create_response_from_buffer(strlen(text), text,
		                                       MHD_RESPMEM_PERSISTENT);
	} else if (f && f->huge_bytes) {
		struct huge *h = xmalloc(sizeof *h);

		h->head = huge_head[r->ep];
		h->total = f->huge_bytes;
		if (h->total < strlen(h->head) + 2)
			h->total = strlen(h->head) + 2;
		resp = MHD_create_response_from_callback(h->total, 64 * 1024,
		                                         huge_read, h, free);
	} else {
		text = o.json ? json_dumps(o.json, JSON_COMPACT) : NULL;
		if (!text)
			text = xstrdup("{}");
		len = strlen(text);
		if (f && f->truncate == TRUNCATE_CLOSE) {
			struct cut *cut = xmalloc(sizeof *cut);

			cut->text = text;
			cut->send = len / 2;
			resp = MHD_create_response_from_callback(
			    len, 4096, cut_read, cut, cut_free);
		} else {
			if (f && f->truncate == TRUNCATE_BODY)
				len /= 2;
			resp = MHD_create_response_from_buffer(
			    len, text, MHD_RESPMEM_MUST_FREE);
		}
	}
	if (!resp) {
		json_decref(o.json);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "application/json; charset=utf-8");
	if (o.retry_after >= 0) {
		char ra[24];

		snprintf(ra, sizeof ra, "%d", o.retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	if (o.www_auth)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		                        "Basic realm=\"Twilio API\"");
	ret = MHD_queue_response(c, (unsigned)o.status, resp);
	MHD_destroy_response(resp);
	req_record(c, r, url, method, o.status, f ? fault_name(f) : NULL);
	json_decref(o.json);
	return ret;
}

static const char *
arg(struct MHD_Connection *c, const char *name)
{
	const char *v =
	    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);

	return v && *v ? v : NULL;
}

/* Parses an application/x-www-form-urlencoded body into a JSON object of
 * strings; the first of repeated fields wins. */
static json_t *
form_parse(const char *body, size_t len)
{
	json_t *obj = json_object();
	char *copy = xmalloc(len + 1), *p, *next;

	memcpy(copy, body, len);
	copy[len] = '\0';
	for (p = copy; p; p = next) {
		char *eq;

		next = strchr(p, '&');
		if (next)
			*next++ = '\0';
		if (!*p)
			continue;
		eq = strchr(p, '=');
		if (eq)
			*eq++ = '\0';
		for (char *q = p; *q; q++)
			if (*q == '+')
				*q = ' ';
		for (char *q = eq; q && *q; q++)
			if (*q == '+')
				*q = ' ';
		MHD_http_unescape(p);
		if (eq)
			MHD_http_unescape(eq);
		if (!json_object_get(obj, p))
			json_object_set_new(obj, p, json_string(eq ? eq : ""));
	}
	free(copy);
	return obj;
}

static const char *
jstr(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* --- Twilio --- */

/* Whether pass is the token Twilio takes now. */
static bool
twilio_token_ok(const char *pass)
{
	bool ok;

	pthread_mutex_lock(&st.lock);
	ok = strcmp(pass, st.token) == 0;
	pthread_mutex_unlock(&st.lock);
	return ok;
}

static enum auth
twilio_auth(struct MHD_Connection *c)
{
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(c, &pass);
	enum auth a;

	if (!user)
		a = header(c, MHD_HTTP_HEADER_AUTHORIZATION) ? AUTH_BAD
		                                             : AUTH_NONE;
	else if (strcmp(user, cfg.sid) == 0 && pass && twilio_token_ok(pass))
		a = AUTH_OK;
	else
		a = AUTH_BAD;
	MHD_free(user);
	MHD_free(pass);
	return a;
}

static struct out
twilio_unauthorized(void)
{
	struct out o = twilio_error(401, 20003, "Authenticate");

	o.www_auth = true;
	return o;
}

static json_t *
twilio_msg_json(const struct tmsg *m, bool created)
{
	char uri[256], media[256], segs[16];
	json_t *date = json_rfc2822(m->date), *doc;
	json_t *sent = json_rfc2822(m->sent_ms / 1000);

	/* Twilio sets date_sent when the message leaves it. */
	if (!created && !m->inbound && now_ms() < m->sent_ms)
		created = true;

	snprintf(uri, sizeof uri, TWILIO_PREFIX "%s/Messages/%s.json", cfg.sid,
	         m->sid);
	snprintf(media, sizeof media, TWILIO_PREFIX "%s/Messages/%s/Media.json",
	         cfg.sid, m->sid);
	snprintf(segs, sizeof segs, "%d", sms_segments(m->body));
	doc = json_pack(
	    "{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:O, s:O, s:O, s:s, "
	    "s:s, s:n, s:n, s:n, s:s, s:s, s:s?, s:s, s:{s:s}}",
	    "sid", m->sid, "account_sid", cfg.sid, "from", m->from, "to", m->to,
	    "body", m->body, "direction",
	    m->inbound ? "inbound" : "outbound-api", "status",
	    m->inbound ? "received"
	    : created  ? "queued"
	               : "sent",
	    "date_sent", created ? json_null() : sent, "date_created", date,
	    "date_updated", date, "num_segments", segs, "num_media", "0",
	    "error_code", "error_message", "price", "price_unit", "USD",
	    "api_version", "2010-04-01", "messaging_service_sid",
	    m->service_sid, "uri", uri, "subresource_uris", "media", media);
	json_decref(date);
	json_decref(sent);
	return doc;
}

/* Page tokens are opaque to clients: they hold the (date, serial) key of
 * the last message served, and the next page starts below it. */
static void
twilio_token(char *buf, size_t size, int64_t date, uint64_t serial)
{
	snprintf(buf, size, "PASM%016" PRIx64 "%016" PRIx64, (uint64_t)date,
	         serial);
}

static bool
twilio_token_parse(const char *s, int64_t *ret_date, uint64_t *ret_serial)
{
	char part[17];
	uint64_t d, n;
	char *end;

	if (strlen(s) != 36 || strncmp(s, "PASM", 4) != 0)
		return false;
	memcpy(part, s + 4, 16);
	part[16] = '\0';
	d = strtoull(part, &end, 16);
	if (*end)
		return false;
	n = strtoull(s + 20, &end, 16);
	if (*end)
		return false;
	*ret_date = (int64_t)d;
	*ret_serial = n;
	return true;
}

struct twilio_filter {
	const char *to, *from;
	int64_t lo, hi; /* date_sent in [lo, hi) */
	bool by_date;   /* a DateSent filter was given */
	int64_t now_ms; /* when the list was asked for */
};

/* A message leaves the list order only by date_created, so the walk
 * stops below lo by that; a DateSent filter leaves out a message with no
 * date_sent yet (queued), as Twilio may. */
static bool
twilio_match(const struct twilio_filter *f, const struct tmsg *m)
{
	int64_t sent = m->sent_ms / 1000;

	if (f->to && strcmp(f->to, m->to) != 0)
		return false;
	if (f->from && (!m->from || strcmp(f->from, m->from) != 0))
		return false;
	/* Listed late: not yet. */
	if (!m->inbound && m->created_ms + st.list_lag_ms > f->now_ms)
		return false;
	if (!f->by_date)
		return true;
	if (m->sent_ms > f->now_ms)
		return false;
	return sent >= f->lo && sent < f->hi;
}

/* The list URI with the request's filters, page size and page. */
static char *
twilio_list_uri(struct MHD_Connection *c, int64_t page_size, int64_t page,
                const char *token)
{
	static const char *const keys[] = { "To", "From", "DateSent>",
		                            "DateSent<", "DateSent" };
	struct sb b = { 0 };
	char num[64];

	sb_add(&b, TWILIO_PREFIX);
	sb_add(&b, cfg.sid);
	sb_add(&b, "/Messages.json?");
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		const char *v = arg(c, keys[i]);

		if (!v)
			continue;
		sb_add_enc(&b, keys[i]);
		sb_add(&b, "=");
		sb_add_enc(&b, v);
		sb_add(&b, "&");
	}
	snprintf(num, sizeof num, "PageSize=%" PRId64 "&Page=%" PRId64,
	         page_size, page);
	sb_add(&b, num);
	if (token) {
		sb_add(&b, "&PageToken=");
		sb_add_enc(&b, token);
	}
	return b.p;
}

static struct out
twilio_list(struct MHD_Connection *c, struct req *r, const char *account,
            const struct fault *f)
{
	struct twilio_filter flt = { arg(c, "To"), arg(c, "From"), INT64_MIN,
		                     INT64_MAX,    false,          now_ms() };
	const char *ge = arg(c, "DateSent>"), *le = arg(c, "DateSent<");
	const char *on = arg(c, "DateSent"), *tok = arg(c, "PageToken");
	const char *ps = arg(c, "PageSize"), *pg = arg(c, "Page");
	int64_t page_size = FAKEGW_PAGE_DEFAULT, page = 0, day, tdate = 0;
	int64_t skip;
	uint64_t tserial = 0;
	size_t i, n = 0;
	const struct tmsg *last = NULL;
	bool more = false;
	json_t *msgs, *doc;
	char next_tok[64];
	char *uri, *first, *next = NULL;

	r->auth = twilio_auth(c);
	if (r->auth != AUTH_OK)
		return twilio_unauthorized();
	if (strcmp(account, cfg.sid) != 0)
		return twilio_error(404, 20404,
		                    "The requested resource was not found");
	if (ps && !parse_i64(ps, 1, INT64_MAX, &page_size))
		return twilio_error(400, 20001, "Invalid PageSize");
	if (page_size > FAKEGW_PAGE_MAX)
		page_size = FAKEGW_PAGE_MAX;
	if (pg && !parse_i64(pg, 0, 10000000, &page))
		return twilio_error(400, 20001, "Invalid Page");
	if (tok && !twilio_token_parse(tok, &tdate, &tserial))
		return twilio_error(400, 20001, "Invalid PageToken");
	if (ge) {
		if (!parse_day(ge, &day))
			return twilio_error(400, 20001, "Invalid DateSent>");
		flt.lo = day;
	}
	if (le) {
		if (!parse_day(le, &day))
			return twilio_error(400, 20001, "Invalid DateSent<");
		flt.hi = day + 86400;
	}
	if (on) {
		if (!parse_day(on, &day))
			return twilio_error(400, 20001, "Invalid DateSent");
		if (day > flt.lo)
			flt.lo = day;
		if (day + 86400 < flt.hi)
			flt.hi = day + 86400;
	}
	flt.by_date = ge || le || on;

	msgs = json_array();
	pthread_mutex_lock(&st.lock);
	/* Newest first: walk down from the cursor, or from the top. */
	i = tok ? twilio_lower_bound(tdate, tserial) : st.ntm;
	if (flt.hi != INT64_MAX) {
		size_t h = twilio_lower_bound(flt.hi, 0);

		if (h < i)
			i = h;
	}
	skip = tok ? 0 : page * page_size;
	while (i > 0) {
		const struct tmsg *m = st.tm[i - 1];

		if (m->date < flt.lo)
			break;
		i--;
		if (!twilio_match(&flt, m))
			continue;
		if (skip > 0) {
			skip--;
			continue;
		}
		if ((int64_t)n == page_size) {
			more = true;
			break;
		}
		json_array_append_new(msgs, twilio_msg_json(m, false));
		last = m;
		n++;
	}
	if (f && f->duplicate && n > 0) {
		/* The next page starts where this one did. */
		more = true;
		if (tok)
			snprintf(next_tok, sizeof next_tok, "%s", tok);
		else
			twilio_token(next_tok, sizeof next_tok, INT64_MAX,
			             UINT64_MAX);
	} else if (more) {
		twilio_token(next_tok, sizeof next_tok, last->date,
		             last->serial);
	}
	pthread_mutex_unlock(&st.lock);

	uri = twilio_list_uri(c, page_size, page, tok);
	first = twilio_list_uri(c, page_size, 0, NULL);
	if (f && f->loop)
		next = xstrdup(uri); /* this very page, again */
	else if (more)
		next = twilio_list_uri(c, page_size, page + 1, next_tok);
	doc = json_pack(
	    "{s:o, s:s, s:s?, s:n, s:I, s:I, s:I, s:I, s:s}", "messages", msgs,
	    "first_page_uri", first, "next_page_uri", next, "previous_page_uri",
	    "page", (json_int_t)page, "page_size", (json_int_t)page_size,
	    "start", (json_int_t)(page * page_size), "end",
	    (json_int_t)(page * page_size + (int64_t)n - (n > 0 ? 1 : 0)),
	    "uri", uri);
	free(uri);
	free(first);
	free(next);
	return out_json(200, doc);
}

static struct out
twilio_send(struct MHD_Connection *c, struct req *r, const char *account,
            json_t *form, bool dry)
{
	const char *to, *from, *service, *body;
	struct tmsg *m;
	json_t *doc;

	r->auth = twilio_auth(c);
	if (r->auth != AUTH_OK)
		return twilio_unauthorized();
	if (strcmp(account, cfg.sid) != 0)
		return twilio_error(404, 20404,
		                    "The requested resource was not found");
	to = jstr(form, "To");
	from = jstr(form, "From");
	service = jstr(form, "MessagingServiceSid");
	body = jstr(form, "Body");
	if (from && !*from)
		from = NULL;
	if (service && !*service)
		service = NULL;
	if (!to || !*to)
		return twilio_error(400, 21604,
		                    "A 'To' phone number is required.");
	if (!from && !service)
		return twilio_error(400, 21603,
		                    "A 'From' phone number is required.");
	if (!body || !*body)
		return twilio_error(400, 21602, "Message body is required.");
	if (utf8_chars(body) > FAKEGW_TWILIO_BODY_MAX)
		return twilio_error(400, 21617,
		                    "The concatenated message body exceeds "
		                    "the 1600 character limit.");

	pthread_mutex_lock(&st.lock);
	if (optout_has(to)) {
		pthread_mutex_unlock(&st.lock);
		return twilio_error(
		    400, 21610, "Attempt to send to unsubscribed recipient");
	}
	m = twilio_new(from, to, body, service, now_ms() / 1000, false);
	doc = twilio_msg_json(m, true);
	if (dry) {
		tmsg_free(m);
	} else {
		twilio_insert(m);
		sent_add("twilio", m->sid, NULL, from, to, body);
	}
	pthread_mutex_unlock(&st.lock);
	return out_json(201, doc);
}

/* --- Infobip --- */

static enum auth
infobip_auth(struct MHD_Connection *c)
{
	const char *h = header(c, MHD_HTTP_HEADER_AUTHORIZATION);

	if (!h)
		return AUTH_NONE;
	if (strncasecmp(h, "App ", 4) == 0 &&
	    strcmp(h + 4, cfg.infobip_key) == 0)
		return AUTH_OK;
	return AUTH_BAD;
}

static struct out
infobip_unauthorized(void)
{
	return infobip_error(401, "UNAUTHORIZED", "Invalid login details");
}

/* A number as Infobip writes it: without a leading '+'. */
static const char *
infobip_number(const char *s)
{
	return s && s[0] == '+' ? s + 1 : s;
}

/* Serves up to limit inbound messages; each goes out once, unless dry
 * (a duplicate or truncate fault) leaves them in the inbox.  Numbers as
 * Infobip writes them, without '+'. */
static struct out
infobip_inbox(struct MHD_Connection *c, struct req *r, bool dry)
{
	const char *l = arg(c, "limit");
	int64_t limit = FAKEGW_PAGE_DEFAULT;
	size_t avail, k, i;
	json_t *results = json_array();
	json_t *doc;

	r->auth = infobip_auth(c);
	if (r->auth != AUTH_OK) {
		json_decref(results);
		return infobip_unauthorized();
	}
	if (l && !parse_i64(l, 1, INT64_MAX, &limit)) {
		json_decref(results);
		return infobip_error(400, "BAD_REQUEST", "Invalid limit");
	}
	if (limit > FAKEGW_PAGE_MAX)
		limit = FAKEGW_PAGE_MAX;

	pthread_mutex_lock(&st.lock);
	avail = st.inbox_len - st.inbox_head;
	k = avail < (size_t)limit ? avail : (size_t)limit;
	for (i = 0; i < k; i++) {
		struct imsg *m = &st.inbox[st.inbox_head + i];

		json_array_append_new(
		    results,
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, "
		              "s:{s:i, s:s}, s:n}",
		              "messageId", m->id, "from",
		              infobip_number(m->from), "to",
		              infobip_number(m->to), "text", m->text,
		              "cleanText", m->text, "keyword", "", "receivedAt",
		              json_iso8601(m->received_ms), "smsCount",
		              sms_segments(m->text), "price", "pricePerMessage",
		              0, "currency", "EUR", "callbackData"));
	}
	if (!dry) {
		for (i = 0; i < k; i++)
			imsg_clear(&st.inbox[st.inbox_head + i]);
		st.inbox_head += k;
		if (st.inbox_head == st.inbox_len)
			st.inbox_head = st.inbox_len = 0;
	}
	doc = json_pack("{s:o, s:I, s:I}", "results", results, "messageCount",
	                (json_int_t)k, "pendingMessageCount",
	                (json_int_t)(avail - (dry ? 0 : k)));
	pthread_mutex_unlock(&st.lock);
	return out_json(200, doc);
}

static struct out
infobip_send(struct MHD_Connection *c, struct req *r, json_t *body, bool dry)
{
	json_t *msgs = json_object_get(body, "messages"), *m, *d, *out_msgs;
	size_t i, j;
	char bulk[40];

	r->auth = infobip_auth(c);
	if (r->auth != AUTH_OK)
		return infobip_unauthorized();
	if (!json_is_array(msgs) || json_array_size(msgs) == 0)
		return infobip_error(400, "BAD_REQUEST",
		                     "Invalid request body: no messages");
	json_array_foreach(msgs, i, m)
	{
		json_t *dests = json_object_get(m, "destinations");
		json_t *from = json_object_get(m, "from");

		if (!json_is_string(json_object_get(m, "text")))
			return infobip_error(400, "BAD_REQUEST",
			                     "Invalid request body: no text");
		if (from && !json_is_string(from))
			return infobip_error(400, "BAD_REQUEST",
			                     "Invalid request body: bad from");
		if (!json_is_array(dests) || json_array_size(dests) == 0)
			return infobip_error(
			    400, "BAD_REQUEST",
			    "Invalid request body: no destinations");
		json_array_foreach(dests, j, d) if (
		    !json_is_string(json_object_get(
		        d, "to"))) return infobip_error(400, "BAD_REQUEST",
		                                        "Invalid request body: "
		                                        "bad destination");
	}

	out_msgs = json_array();
	pthread_mutex_lock(&st.lock);
	state_new_id("", bulk, sizeof bulk);
	json_array_foreach(msgs, i, m)
	{
		const char *text = jstr(m, "text"), *from = jstr(m, "from");

		json_array_foreach(json_object_get(m, "destinations"), j, d)
		{
			const char *to = jstr(d, "to"),
			           *id = jstr(d, "messageId");
			char fresh[40];

			if (!id) {
				state_new_id("", fresh, sizeof fresh);
				id = fresh;
			}
			if (!dry)
				sent_add("infobip", id, bulk, from, to, text);
			json_array_append_new(
			    out_msgs,
			    json_pack("{s:s, s:{s:i, s:s, s:i, s:s, s:s}, "
			              "s:s}",
			              "to", to, "status", "groupId", 1,
			              "groupName", "PENDING", "id", 26, "name",
			              "PENDING_ACCEPTED", "description",
			              "Message sent to next instance",
			              "messageId", id));
		}
	}
	pthread_mutex_unlock(&st.lock);
	return out_json(
	    200, json_pack("{s:s, s:o}", "bulkId", bulk, "messages", out_msgs));
}

/* Serves the sent SMS logs: what clients sent through Infobip, newest
 * first, filtered by to (a leading '+' aside), sentSince and sentUntil,
 * at most limit (default 50, at most 1000). */
static struct out
infobip_logs(struct MHD_Connection *c, struct req *r)
{
	const char *l = arg(c, "limit"), *to = arg(c, "to");
	const char *since = arg(c, "sentSince"), *until = arg(c, "sentUntil");
	int64_t limit = FAKEGW_PAGE_DEFAULT, lo = INT64_MIN, hi = INT64_MAX;
	json_t *results;
	size_t i, n = 0;

	r->auth = infobip_auth(c);
	if (r->auth != AUTH_OK)
		return infobip_unauthorized();
	if (l && !parse_i64(l, 1, INT64_MAX, &limit))
		return infobip_error(400, "BAD_REQUEST", "Invalid limit");
	if (limit > FAKEGW_PAGE_MAX)
		limit = FAKEGW_PAGE_MAX;
	if (since && !parse_iso8601(since, &lo))
		return infobip_error(400, "BAD_REQUEST", "Invalid sentSince");
	if (until && !parse_iso8601(until, &hi))
		return infobip_error(400, "BAD_REQUEST", "Invalid sentUntil");

	results = json_array();
	pthread_mutex_lock(&st.lock);
	for (i = st.nsent; i > 0 && (int64_t)n < limit; i--) {
		const struct sent *s = &st.sent[i - 1];

		if (strcmp(s->gateway, "infobip") != 0 || s->time_ms < lo ||
		    s->time_ms > hi ||
		    (to &&
		     strcmp(infobip_number(to), infobip_number(s->to)) != 0))
			continue;
		json_array_append_new(
		    results,
		    json_pack(
		        "{s:s, s:s, s:s, s:s?, s:s, s:o, s:o, s:i, "
		        "s:{s:f, s:s}, s:{s:i, s:s, s:i, s:s, s:s}, "
		        "s:{s:i, s:s, s:i, s:s, s:s, s:b}}",
		        "bulkId", s->bulk ? s->bulk : s->id, "messageId", s->id,
		        "to", infobip_number(s->to), "from", s->from, "text",
		        s->body, "sentAt", json_iso8601(s->time_ms), "doneAt",
		        json_iso8601(s->time_ms), "smsCount",
		        sms_segments(s->body), "price", "pricePerMessage", 0.01,
		        "currency", "EUR", "status", "groupId", 3, "groupName",
		        "DELIVERED", "id", 5, "name", "DELIVERED_TO_HANDSET",
		        "description", "Message delivered to handset", "error",
		        "groupId", 0, "groupName", "OK", "id", 0, "name",
		        "NO_ERROR", "description", "No Error", "permanent", 0));
		n++;
	}
	pthread_mutex_unlock(&st.lock);
	return out_json(200, json_pack("{s:o}", "results", results));
}

/* --- control API --- */

/* Reads date_sent (Unix seconds, integer or real) into *ret_ms; absent
 * means now.  False when present and not a number. */
static bool
control_date(json_t *obj, json_t *fallback, int64_t *ret_ms)
{
	json_t *d = json_object_get(obj, "date_sent");

	if (!d && fallback)
		d = json_object_get(fallback, "date_sent");
	if (!d || json_is_null(d)) {
		*ret_ms = now_ms();
		return true;
	}
	if (!json_is_number(d))
		return false;
	*ret_ms = (int64_t)(json_number_value(d) * 1000.0);
	return true;
}

static int
control_gateway(json_t *obj)
{
	const char *g = jstr(obj, "gateway");

	if (g && strcmp(g, "twilio") == 0)
		return 0;
	if (g && strcmp(g, "infobip") == 0)
		return 1;
	return -1;
}

/* The fields of one inbound message, from m or the bulk request around
 * it. */
struct inbound {
	const char *from, *to, *body;
	int64_t ms;
};

static const char *
control_inbound_check(json_t *m, json_t *outer, struct inbound *ret)
{
	const char *body;

	if (!json_is_object(m))
		return "a message is not an object";
	ret->from = jstr(m, "from");
	if (!ret->from && outer)
		ret->from = jstr(outer, "from");
	ret->to = jstr(m, "to");
	if (!ret->to && outer)
		ret->to = jstr(outer, "to");
	body = jstr(m, "body");
	if (!body)
		body = jstr(m, "text");
	ret->body = body;
	if (!ret->from || !ret->to || !ret->body)
		return "a message needs string from, to and body";
	if (!control_date(m, outer, &ret->ms))
		return "date_sent must be a number (Unix seconds)";
	return NULL;
}

/* Adds one inbound message; returns its id (valid until the lock is
 * released). Lock held. */
static const char *
control_add(int gw, const struct inbound *in)
{
	struct tmsg *m;

	if (gw == 1)
		return infobip_add(in->from, in->to, in->body, in->ms);
	m = twilio_new(in->from, in->to, in->body, NULL, in->ms / 1000, true);
	twilio_insert(m);
	return m->sid;
}

static struct out
control_inbound(json_t *body)
{
	int gw = control_gateway(body);
	struct inbound in;
	const char *err;
	json_t *doc;

	if (gw < 0)
		return control_error(400, "gateway must be twilio or infobip");
	err = control_inbound_check(body, NULL, &in);
	if (err)
		return control_error(400, err);
	pthread_mutex_lock(&st.lock);
	doc = json_pack("{s:s}", "id", control_add(gw, &in));
	pthread_mutex_unlock(&st.lock);
	return out_json(200, doc);
}

static struct out
control_bulk(json_t *body)
{
	int gw = control_gateway(body);
	json_t *msgs = json_object_get(body, "messages"), *m;
	struct inbound *in;
	size_t i, n;
	bool sorted = true;
	char first[40] = "", last[40] = "";
	json_t *doc;

	if (gw < 0)
		return control_error(400, "gateway must be twilio or infobip");
	if (!json_is_array(msgs))
		return control_error(400, "messages must be an array");
	n = json_array_size(msgs);
	in = xmalloc(n * sizeof *in);
	json_array_foreach(msgs, i, m)
	{
		const char *err = control_inbound_check(m, body, &in[i]);

		if (err) {
			char msg[128];

			free(in);
			snprintf(msg, sizeof msg, "messages[%zu]: %s", i, err);
			return control_error(400, msg);
		}
	}

	pthread_mutex_lock(&st.lock);
	if (gw == 0)
		grow(&st.tm, &st.captm, st.ntm + n, sizeof *st.tm);
	for (i = 0; i < n; i++) {
		const char *id;

		if (gw == 0) {
			/* Append, and sort once at the end if need be. */
			struct tmsg *t =
			    twilio_new(in[i].from, in[i].to, in[i].body, NULL,
			               in[i].ms / 1000, true);

			if (st.ntm > 0 && tmsg_cmp(&st.tm[st.ntm - 1], &t) > 0)
				sorted = false;
			st.tm[st.ntm++] = t;
			id = t->sid;
		} else {
			id = infobip_add(in[i].from, in[i].to, in[i].body,
			                 in[i].ms);
		}
		if (i == 0)
			snprintf(first, sizeof first, "%s", id);
		if (i == n - 1)
			snprintf(last, sizeof last, "%s", id);
	}
	if (!sorted)
		qsort(st.tm, st.ntm, sizeof *st.tm, tmsg_cmp);
	pthread_mutex_unlock(&st.lock);
	free(in);
	doc = json_pack("{s:I, s:s, s:s}", "added", (json_int_t)n, "first_id",
	                first, "last_id", last);
	return out_json(200, doc);
}

static struct out
control_sent(struct MHD_Connection *c)
{
	const char *o = arg(c, "offset"), *g = arg(c, "gateway");
	int64_t offset = 0;
	json_t *list = json_array(), *doc;

	if (o && !parse_i64(o, 0, INT64_MAX, &offset)) {
		json_decref(list);
		return control_error(400, "offset must be a number");
	}
	pthread_mutex_lock(&st.lock);
	for (size_t i = (size_t)offset; i < st.nsent; i++) {
		const struct sent *s = &st.sent[i];

		if (g && strcmp(g, s->gateway) != 0)
			continue;
		json_array_append_new(
		    list,
		    json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s, s:I, "
		              "s:I}",
		              "index", (json_int_t)i, "gateway", s->gateway,
		              "id", s->id, "from", s->from, "to", s->to, "body",
		              s->body, "time", (json_int_t)(s->time_ms / 1000),
		              "time_ms", (json_int_t)s->time_ms));
	}
	doc = json_pack("{s:I, s:o}", "total", (json_int_t)st.nsent, "sent",
	                list);
	pthread_mutex_unlock(&st.lock);
	return out_json(200, doc);
}

static struct out
control_requests(struct MHD_Connection *c)
{
	const char *rc = arg(c, "recent");
	int64_t want = 100;
	json_t *eps = json_object(), *recent = json_array(), *faults, *doc;
	uint64_t total = 0, from;

	if (rc && !parse_i64(rc, 0, FAKEGW_RECENT_MAX, &want)) {
		json_decref(eps);
		json_decref(recent);
		return control_error(400, "recent must be 0 to 10000");
	}
	faults = json_object();
	pthread_mutex_lock(&st.lock);
	for (int e = 0; e < EP_COUNT; e++) {
		json_t *obj = json_object();
		uint64_t sum = 0;

		for (int s = 0; s < STATUS_SLOTS; s++) {
			char key[16];

			if (!st.counts[e][s])
				continue;
			if (s == 0)
				snprintf(key, sizeof key, "drop");
			else
				snprintf(key, sizeof key, "%d", s);
			json_object_set_new(
			    obj, key,
			    json_integer((json_int_t)st.counts[e][s]));
			sum += st.counts[e][s];
		}
		json_object_set_new(obj, "total",
		                    json_integer((json_int_t)sum));
		json_object_set_new(eps, endpoint_names[e], obj);
		total += sum;
	}
	for (int e = 0; e < EP_FAULTABLE; e++)
		json_object_set_new(
		    faults, endpoint_names[e],
		    json_integer(
		        (json_int_t)(st.faults[e].len - st.faults[e].head)));
	from = st.nrecent > (uint64_t)want ? st.nrecent - (uint64_t)want : 0;
	for (uint64_t k = from; k < st.nrecent; k++) {
		const struct recent *rec = &st.recent[k % FAKEGW_RECENT_MAX];

		json_array_append_new(
		    recent,
		    json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s?}", "time_ms",
		              (json_int_t)rec->time_ms, "endpoint",
		              endpoint_names[rec->ep], "method", rec->method,
		              "path", rec->path_query, "status", rec->status,
		              "auth", auth_names[rec->auth], "fault",
		              rec->fault[0] ? rec->fault : NULL));
	}
	doc = json_pack("{s:I, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:o}}", "total",
	                (json_int_t)total, "endpoints", eps, "recent", recent,
	                "state", "twilio_messages", (json_int_t)st.ntm,
	                "infobip_pending",
	                (json_int_t)(st.inbox_len - st.inbox_head), "sent",
	                (json_int_t)st.nsent, "optouts", (json_int_t)st.noptout,
	                "faults_pending", faults);
	pthread_mutex_unlock(&st.lock);
	return out_json(200, doc);
}

/* A copy of a "raw" fault's body that lives as long as the process. */
static const char *
raw_keep(const char *s)
{
	char *copy = xstrdup(s);

	pthread_mutex_lock(&st.lock);
	grow(&st.raws, &st.capraws, st.nraws + 1, sizeof *st.raws);
	st.raws[st.nraws++] = copy;
	pthread_mutex_unlock(&st.lock);
	return copy;
}

/* Parses one fault object; returns an error message or NULL. */
static const char *
control_fault_parse(json_t *obj, struct fault *ret, int64_t *ret_count)
{
	const char *key;
	json_t *v;
	int64_t n;

	memset(ret, 0, sizeof *ret);
	ret->retry_after = -1;
	*ret_count = 1;
	if (!json_is_object(obj))
		return "a fault must be an object";
	json_object_foreach(obj, key, v)
	{
		n = json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
		if (strcmp(key, "status") == 0) {
			if (n < 100 || n > 599)
				return "status must be 100 to 599";
			ret->status = (int)n;
		} else if (strcmp(key, "retry_after") == 0) {
			if (n < 0 || n > 86400)
				return "retry_after must be 0 to 86400";
			ret->retry_after = (int)n;
		} else if (strcmp(key, "delay_ms") == 0) {
			if (n < 0 || n > FAKEGW_DELAY_MAX_MS)
				return "delay_ms must be 0 to 600000";
			ret->delay_ms = (int)n;
		} else if (strcmp(key, "huge_bytes") == 0) {
			if (n < 1 || (uint64_t)n > FAKEGW_HUGE_MAX)
				return "huge_bytes must be 1 to 4 GiB";
			ret->huge_bytes = (uint64_t)n;
		} else if (strcmp(key, "raw") == 0) {
			if (!json_is_string(v))
				return "raw must be a string";
			ret->raw = raw_keep(json_string_value(v));
		} else if (strcmp(key, "count") == 0) {
			if (n < 1 || n > FAKEGW_FAULT_REPEAT_MAX)
				return "count must be 1 to 100000";
			*ret_count = n;
		} else if (strcmp(key, "truncate") == 0) {
			if (json_is_boolean(v))
				ret->truncate =
				    json_is_true(v) ? TRUNCATE_BODY : 0;
			else if (json_is_string(v) &&
			         strcmp(json_string_value(v), "body") == 0)
				ret->truncate = TRUNCATE_BODY;
			else if (json_is_string(v) &&
			         strcmp(json_string_value(v), "close") == 0)
				ret->truncate = TRUNCATE_CLOSE;
			else
				return "truncate must be true, \"body\" or "
				       "\"close\"";
		} else if (strcmp(key, "drop") == 0 ||
		           strcmp(key, "malformed") == 0 ||
		           strcmp(key, "duplicate") == 0 ||
		           strcmp(key, "loop") == 0 ||
		           strcmp(key, "apply") == 0) {
			if (!json_is_boolean(v))
				return "drop, malformed, duplicate, loop and "
				       "apply must be true or false";
			if (key[0] == 'l')
				ret->loop = json_is_true(v);
			else if (key[0] == 'd' && key[1] == 'r')
				ret->drop = json_is_true(v);
			else if (key[0] == 'm')
				ret->malformed = json_is_true(v);
			else if (key[0] == 'd')
				ret->duplicate = json_is_true(v);
			else
				ret->apply = json_is_true(v);
		} else {
			return "unknown fault field (known: status, "
			       "retry_after, delay_ms, drop, truncate, "
			       "malformed, huge_bytes, raw, duplicate, loop, "
			       "apply, count)";
		}
	}
	if (ret->retry_after >= 0 && !ret->status)
		return "retry_after needs a status";
	return NULL;
}

static struct out
control_faults(json_t *body)
{
	struct fault *parsed[EP_FAULTABLE] = { 0 };
	size_t nparsed[EP_FAULTABLE] = { 0 }, cap[EP_FAULTABLE] = { 0 };
	const char *key, *err = NULL;
	char msg[256];
	json_t *v, *doc = NULL;
	int e;

	if (!json_is_object(body))
		return control_error(400, "faults must be a JSON object");
	json_object_foreach(body, key, v)
	{
		size_t i;
		json_t *f;

		for (e = 0; e < EP_FAULTABLE; e++)
			if (strcmp(key, endpoint_names[e]) == 0)
				break;
		if (e == EP_FAULTABLE) {
			snprintf(msg, sizeof msg,
			         "%s: unknown endpoint (known: twilio_list, "
			         "twilio_send, infobip_inbox, infobip_send, "
			         "infobip_logs)",
			         key);
			err = msg;
			goto out;
		}
		if (!json_is_array(v)) {
			snprintf(msg, sizeof msg, "%s: must be an array", key);
			err = msg;
			goto out;
		}
		json_array_foreach(v, i, f)
		{
			struct fault one;
			int64_t count;
			const char *ferr = control_fault_parse(f, &one, &count);

			if (ferr) {
				snprintf(msg, sizeof msg, "%s[%zu]: %s", key, i,
				         ferr);
				err = msg;
				goto out;
			}
			grow(&parsed[e], &cap[e], nparsed[e] + (size_t)count,
			     sizeof *parsed[e]);
			while (count-- > 0)
				parsed[e][nparsed[e]++] = one;
		}
	}

	pthread_mutex_lock(&st.lock);
	for (e = 0; e < EP_FAULTABLE; e++) {
		struct fqueue *q = &st.faults[e];

		grow(&q->v, &q->cap, q->len + nparsed[e], sizeof *q->v);
		if (nparsed[e])
			memcpy(q->v + q->len, parsed[e],
			       nparsed[e] * sizeof *q->v);
		q->len += nparsed[e];
	}
	doc = json_object();
	for (e = 0; e < EP_FAULTABLE; e++)
		json_object_set_new(
		    doc, endpoint_names[e],
		    json_integer(
		        (json_int_t)(st.faults[e].len - st.faults[e].head)));
	pthread_mutex_unlock(&st.lock);
out:
	for (e = 0; e < EP_FAULTABLE; e++)
		free(parsed[e]);
	if (err)
		return control_error(400, err);
	return out_json(200, json_pack("{s:o}", "pending", doc));
}

/* The endpoint named key, or EP_FAULTABLE. */
static int
control_endpoint(const char *key)
{
	int e;

	for (e = 0; e < EP_FAULTABLE; e++)
		if (strcmp(key, endpoint_names[e]) == 0)
			break;
	return e;
}

/* Parses {"ENDPOINT": [{"p": probability, fault...}], ...} into ret (and
 * nret) for every endpoint; returns an error message or NULL. */
static const char *
control_random_parse(json_t *obj, struct rfault **ret, size_t *nret, char *msg,
                     size_t len)
{
	const char *key, *err;
	json_t *v, *f;
	size_t i;

	if (!json_is_object(obj))
		return "random must be an object of endpoints";
	json_object_foreach(obj, key, v)
	{
		int e = control_endpoint(key);
		double sum = 0;

		if (e == EP_FAULTABLE) {
			snprintf(msg, len, "random: %s: unknown endpoint", key);
			return msg;
		}
		if (!json_is_array(v))
			return "random: each endpoint takes an array";
		free(ret[e]);
		ret[e] = xmalloc(json_array_size(v) * sizeof *ret[e]);
		nret[e] = 0;
		json_array_foreach(v, i, f)
		{
			json_t *copy = json_is_object(f) ? json_copy(f) : NULL;
			json_t *p = json_object_get(f, "p");
			int64_t count;

			if (!copy || !json_is_number(p)) {
				json_decref(copy);
				return "random: each fault needs a number p";
			}
			json_object_del(copy, "p");
			err = control_fault_parse(copy, &ret[e][nret[e]].f,
			                          &count);
			json_decref(copy);
			if (err) {
				snprintf(msg, len, "random: %s[%zu]: %s", key,
				         i, err);
				return msg;
			}
			ret[e][nret[e]].p = json_number_value(p);
			sum += ret[e][nret[e]++].p;
			if (ret[e][nret[e] - 1].p < 0 || sum > 1)
				return "random: probabilities must be 0 to 1 "
				       "and add up to at most 1";
		}
	}
	return NULL;
}

/* POST /_control/config: how Twilio behaves from now on. */
static struct out
control_config(json_t *body)
{
	struct rfault *rnd[EP_FAULTABLE] = { 0 };
	size_t nrnd[EP_FAULTABLE] = { 0 };
	json_t *token = json_object_get(body, "twilio_token");
	json_t *queue = json_object_get(body, "twilio_queue_ms");
	json_t *lag = json_object_get(body, "twilio_list_lag_ms");
	json_t *seed = json_object_get(body, "seed");
	json_t *random = json_object_get(body, "random");
	const char *key, *err = NULL;
	char msg[256];
	json_t *v;
	int e;

	if (!json_is_object(body))
		return control_error(400, "config must be a JSON object");
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "twilio_token") != 0 &&
		    strcmp(key, "twilio_queue_ms") != 0 &&
		    strcmp(key, "twilio_list_lag_ms") != 0 &&
		    strcmp(key, "seed") != 0 && strcmp(key, "random") != 0 &&
		    strcmp(key, "clear_faults") != 0)
			return control_error(
			    400, "unknown config key (known: twilio_token, "
			         "twilio_queue_ms, twilio_list_lag_ms, random, "
			         "seed, clear_faults)");
	}
	if (token &&
	    (!json_is_string(token) || json_string_length(token) == 0 ||
	     json_string_length(token) >= sizeof st.token))
		return control_error(400, "twilio_token must be a string");
	if ((queue &&
	     (!json_is_integer(queue) || json_integer_value(queue) < 0)) ||
	    (lag && (!json_is_integer(lag) || json_integer_value(lag) < 0)) ||
	    (seed && !json_is_integer(seed)))
		return control_error(400, "twilio_queue_ms, twilio_list_lag_ms "
		                          "and seed must be whole numbers");
	if (random)
		err = control_random_parse(random, rnd, nrnd, msg, sizeof msg);
	if (err) {
		for (e = 0; e < EP_FAULTABLE; e++)
			free(rnd[e]);
		return control_error(400, err);
	}
	pthread_mutex_lock(&st.lock);
	if (token)
		snprintf(st.token, sizeof st.token, "%s",
		         json_string_value(token));
	if (queue)
		st.queue_ms = json_integer_value(queue);
	if (lag)
		st.list_lag_ms = json_integer_value(lag);
	if (seed)
		st.rng = mix64((uint64_t)json_integer_value(seed)) | 1;
	for (e = 0; random && e < EP_FAULTABLE; e++) {
		if (!json_object_get(random, endpoint_names[e]))
			continue;
		free(st.random[e]);
		st.random[e] = rnd[e];
		st.nrandom[e] = nrnd[e];
	}
	if (json_is_true(json_object_get(body, "clear_faults")))
		for (e = 0; e < EP_FAULTABLE; e++)
			st.faults[e].head = st.faults[e].len = 0;
	pthread_mutex_unlock(&st.lock);
	return out_json(200, json_pack("{s:b}", "ok", 1));
}

static struct out
control_optout(json_t *body)
{
	const char *number = jstr(body, "number");
	bool remove = json_is_true(json_object_get(body, "remove"));

	if (!number || !*number)
		return control_error(400, "number must be a string");
	pthread_mutex_lock(&st.lock);
	if (remove) {
		for (size_t i = 0; i < st.noptout; i++) {
			if (strcmp(st.optout[i], number) != 0)
				continue;
			free(st.optout[i]);
			st.optout[i] = st.optout[--st.noptout];
			break;
		}
	} else if (!optout_has(number)) {
		grow(&st.optout, &st.capoptout, st.noptout + 1,
		     sizeof *st.optout);
		st.optout[st.noptout++] = xstrdup(number);
	}
	pthread_mutex_unlock(&st.lock);
	return out_json(200, json_pack("{s:b}", "ok", 1));
}

static struct out
control_route(struct MHD_Connection *c, const char *url, const char *method,
              json_t *body, bool body_ok)
{
	const char *what = url + strlen("/_control/");
	bool get = strcmp(method, "GET") == 0;
	bool post = strcmp(method, "POST") == 0;

	if (post && !body_ok && strcmp(what, "reset") != 0)
		return control_error(400, "the body must be JSON");
	if (post && strcmp(what, "inbound") == 0)
		return control_inbound(body);
	if (post && strcmp(what, "inbound/bulk") == 0)
		return control_bulk(body);
	if (post && strcmp(what, "faults") == 0)
		return control_faults(body);
	if (post && strcmp(what, "optout") == 0)
		return control_optout(body);
	if (post && strcmp(what, "config") == 0)
		return control_config(body);
	if (post && strcmp(what, "reset") == 0) {
		pthread_mutex_lock(&st.lock);
		state_clear();
		pthread_mutex_unlock(&st.lock);
		return out_json(200, json_pack("{s:b}", "ok", 1));
	}
	if (get && strcmp(what, "sent") == 0)
		return control_sent(c);
	if (get && strcmp(what, "requests") == 0)
		return control_requests(c);
	if (get && strcmp(what, "ping") == 0)
		return out_json(200, json_pack("{s:b}", "ok", 1));
	return control_error(404, "no such control endpoint");
}

/* --- the HTTP glue --- */

/* Sleeps, but gives up when the server is stopping. */
static void
sleep_ms(int ms)
{
	while (ms > 0 && !atomic_load(&stopping)) {
		int step = ms < 20 ? ms : 20;
		struct timespec ts = { 0, (long)step * 1000000L };

		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/* Splits a Twilio Messages.json path; false when url is not one. */
static bool
twilio_path(const char *url, char *account, size_t size)
{
	const char *a, *slash;

	if (strncmp(url, TWILIO_PREFIX, strlen(TWILIO_PREFIX)) != 0)
		return false;
	a = url + strlen(TWILIO_PREFIX);
	slash = strchr(a, '/');
	if (!slash || slash == a || (size_t)(slash - a) >= size ||
	    strcmp(slash, "/Messages.json") != 0)
		return false;
	memcpy(account, a, (size_t)(slash - a));
	account[slash - a] = '\0';
	return true;
}

static enum endpoint
classify(const char *url, const char *method)
{
	char account[64];
	bool get = strcmp(method, "GET") == 0;
	bool post = strcmp(method, "POST") == 0;

	if (strncmp(url, "/_control/", 10) == 0)
		return EP_CONTROL;
	if (twilio_path(url, account, sizeof account))
		return get ? EP_TWILIO_LIST : post ? EP_TWILIO_SEND : EP_OTHER;
	if (get && strcmp(url, "/sms/1/inbox/reports") == 0)
		return EP_INFOBIP_INBOX;
	if (post && strcmp(url, "/sms/2/text/advanced") == 0)
		return EP_INFOBIP_SEND;
	if (get && strcmp(url, "/sms/1/logs") == 0)
		return EP_INFOBIP_LOGS;
	return EP_OTHER;
}

/* Runs a gateway endpoint's handler; dry leaves the state as it was. */
static struct out
gateway_handle(struct MHD_Connection *c, struct req *r, const char *url,
               json_t *form, json_t *json, const struct fault *f, bool dry)
{
	char account[64] = "";

	twilio_path(url, account, sizeof account);
	switch (r->ep) {
	case EP_TWILIO_LIST:
		return twilio_list(c, r, account, f);
	case EP_TWILIO_SEND:
		return twilio_send(c, r, account, form, dry);
	case EP_INFOBIP_INBOX:
		return infobip_inbox(c, r, dry || (f && f->duplicate));
	case EP_INFOBIP_SEND:
		return infobip_send(c, r, json, dry);
	case EP_INFOBIP_LOGS:
		return infobip_logs(c, r);
	default:
		return control_error(404, "not found");
	}
}

/* Serves a gateway request, applying the next fault queued for it.  A
 * fault leaves the state alone unless it says "apply". */
static enum MHD_Result
gateway_serve(struct MHD_Connection *c, struct req *r, const char *url,
              const char *method, json_t *form, json_t *json)
{
	struct fault f;
	bool has = fault_pop(r->ep, &f);
	bool replaced =
	    has && (f.drop || f.status || f.malformed || f.huge_bytes || f.raw);
	struct out o = { 0, NULL, -1, false };

	/* The handlers check again; this is for the record when a fault
	 * answers before them. */
	r->auth = r->ep == EP_TWILIO_LIST || r->ep == EP_TWILIO_SEND
	              ? twilio_auth(c)
	              : infobip_auth(c);
	if (has && f.delay_ms)
		sleep_ms(f.delay_ms);
	if (!replaced || f.apply)
		o = gateway_handle(c, r, url, form, json, has ? &f : NULL,
		                   has && !f.apply && f.truncate);
	if (has && f.drop) {
		json_decref(o.json);
		req_record(c, r, url, method, 0, "drop");
		return MHD_NO;
	}
	if (has && f.status) {
		json_decref(o.json);
		o = fault_status_out(r->ep, &f);
	} else if (replaced && !o.status) {
		o.status = 200;
	}
	return respond(c, r, url, method, o, has ? &f : NULL);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **con_cls)
{
	struct req *r = *con_cls;
	const char *ct;
	json_t *form = NULL, *json = NULL;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (!r) {
		r = xmalloc(sizeof *r);
		memset(r, 0, sizeof *r);
		r->ep = classify(url, method);
		r->limit = r->ep == EP_CONTROL ? FAKEGW_CONTROL_BODY_MAX
		                               : FAKEGW_GATEWAY_BODY_MAX;
		r->start_ms = now_ms();
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->too_big && r->len + *upload_size <= r->limit) {
			grow(&r->body, &r->cap, r->len + *upload_size + 1, 1);
			memcpy(r->body + r->len, upload, *upload_size);
			r->len += *upload_size;
			r->body[r->len] = '\0';
		} else {
			r->too_big = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_big)
		return respond(c, r, url, method,
		               control_error(413, "request body too large"),
		               NULL);

	ct = header(c, MHD_HTTP_HEADER_CONTENT_TYPE);
	/* The control API takes JSON whatever the Content-Type says. */
	if (ct && r->ep != EP_CONTROL &&
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
		form = form_parse(r->body ? r->body : "", r->len);
	else if (r->len > 0)
		json = json_loadb(r->body, r->len, 0, NULL);
	if (form)
		r->log_body = json_incref(form);
	else if (json && r->len <= FAKEGW_LOG_BODY_MAX &&
	         json_object_get(json, "twilio_token")) {
		/* The log never holds a secret. */
		r->log_body = json_copy(json);
		json_object_set_new(r->log_body, "twilio_token",
		                    json_string("(hidden)"));
	} else if (json && r->len <= FAKEGW_LOG_BODY_MAX)
		r->log_body = json_incref(json);
	else if (r->len > 0 && r->len <= FAKEGW_LOG_BODY_MAX)
		r->log_body =
		    json_stringn(r->body, r->len); /* NULL: not UTF-8 */

	if (r->ep == EP_CONTROL)
		ret = respond(c, r, url, method,
		              control_route(c, url, method, json, json != NULL),
		              NULL);
	else if (r->ep == EP_OTHER)
		ret = respond(c, r, url, method,
		              control_error(404, "not found"), NULL);
	else
		ret = gateway_serve(c, r, url, method, form, json);
	json_decref(form);
	json_decref(json);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode why)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (!r)
		return;
	free(r->body);
	json_decref(r->log_body);
	free(r);
	*con_cls = NULL;
}

/* --- main --- */

static void
usage(FILE *f)
{
	fputs("usage: fakegw [--port N] [--port-file PATH] [--log PATH]\n"
	      "              [--twilio-sid AC...] [--twilio-token T]\n"
	      "              [--infobip-key K] [--verbose]\n"
	      "A fake Twilio and Infobip gateway on 127.0.0.1 for tests; "
	      "see tests/fakegw.h.\n",
	      f);
}

/* Writes the port to path through a temporary file, so that a reader
 * never sees it half written. */
static int
write_port_file(const char *path, unsigned port)
{
	size_t n = strlen(path) + 8;
	char *tmp = xmalloc(n);
	FILE *f;
	int rc = -1;

	snprintf(tmp, n, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f) {
		bool ok = fprintf(f, "%u\n", port) > 0;

		if (fclose(f) == 0 && ok && rename(tmp, path) == 0)
			rc = 0;
		else
			unlink(tmp);
	}
	free(tmp);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'f' },
		{ "log", required_argument, NULL, 'l' },
		{ "twilio-sid", required_argument, NULL, 's' },
		{ "twilio-token", required_argument, NULL, 't' },
		{ "infobip-key", required_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *port_file = NULL, *log_path = NULL;
	int64_t port = 0;
	bool verbose = false;
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	sigset_t sigs;
	unsigned flags;
	int opt, sig;

	while ((opt = getopt_long(argc, argv, "p:f:l:s:t:k:vh", opts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'p':
			if (!parse_i64(optarg, 0, 65535, &port)) {
				fprintf(stderr,
				        "fakegw: --port %s: must be 0 "
				        "to 65535\n",
				        optarg);
				return 2;
			}
			break;
		case 'f':
			port_file = optarg;
			break;
		case 'l':
			log_path = optarg;
			break;
		case 's':
			cfg.sid = optarg;
			break;
		case 't':
			cfg.token = optarg;
			break;
		case 'k':
			cfg.infobip_key = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (strlen(cfg.sid) < 2 || strlen(cfg.sid) > 60 ||
	    strchr(cfg.sid, '/')) {
		fputs("fakegw: --twilio-sid must be 2 to 60 characters, no "
		      "'/'\n",
		      stderr);
		return 2;
	}
	if (getrandom(&st.salt, sizeof st.salt, 0) != sizeof st.salt)
		st.salt = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32);
	st.rng = mix64(st.salt) | 1;
	if (strlen(cfg.token) >= sizeof st.token) {
		fputs("fakegw: --twilio-token is too long\n", stderr);
		return 2;
	}
	snprintf(st.token, sizeof st.token, "%s", cfg.token);
	if (log_path) {
		st.log = fopen(log_path, "a");
		if (!st.log) {
			fprintf(stderr, "fakegw: %s: %s\n", log_path,
			        strerror(errno));
			return 1;
		}
	}

	/* Every thread inherits the blocked signals; main waits for them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
	        MHD_USE_THREAD_PER_CONNECTION;
	if (verbose)
		flags |= MHD_USE_ERROR_LOG;
	d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request,
	                     NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	                     MHD_OPTION_CONNECTION_TIMEOUT, 120u,
	                     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr,
		        "fakegw: cannot listen on 127.0.0.1:%" PRId64 "\n",
		        port);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || !info->port) {
		fputs("fakegw: cannot tell the port it listens on\n", stderr);
		MHD_stop_daemon(d);
		return 1;
	}
	if (port_file && write_port_file(port_file, info->port) < 0) {
		fprintf(stderr, "fakegw: %s: %s\n", port_file, strerror(errno));
		MHD_stop_daemon(d);
		return 1;
	}
	if (verbose)
		fprintf(stderr, "fakegw: listening on 127.0.0.1:%u\n",
		        info->port);

	while (sigwait(&sigs, &sig) != 0)
		;
	atomic_store(&stopping, true);
	MHD_stop_daemon(d);
	pthread_mutex_lock(&st.lock);
	state_clear();
	pthread_mutex_unlock(&st.lock);
	if (st.log)
		fclose(st.log);
	if (port_file)
		unlink(port_file);
	return 0;
}
