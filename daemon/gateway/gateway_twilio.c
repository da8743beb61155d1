/* gateway_twilio.c: the Twilio driver (Messages API, 2010-04-01).
 *
 * poll lists the messages sent to our number with DateSent>= yesterday's UTC
 * date, newest first, following next_page_uri for at most
 * http.max_pages_per_poll pages, and keeps the inbound ones.  Twilio filters
 * by day only, so asking from yesterday keeps a message that arrived just
 * before midnight UTC in view on the first poll after it.  Each page goes
 * to the daemon's sink, which stages it and says how many messages were new
 * (it de-duplicates by sid).  A poll stops at the first page with nothing
 * new, so a quiet poll costs one request; every TWILIO_FULL_SCAN_S, and on
 * the first poll, the whole listing is read instead, in case Twilio showed
 * a message late below others.  A backlog deeper than the page budget is
 * read on from where the last poll stopped.  A next_page_uri that comes
 * back to a page already read (in this poll, or on the way through a
 * backlog) ends the listing there, with a note the first time: following
 * it would read the same pages again and again, at once.
 *
 * send posts To, Body and From (or MessagingServiceSid) as a form; find_sent
 * lists what we sent to a number, newest first, back to a time, so that
 * after a crash between sending and recording, or an attempt that got no
 * answer, the daemon can look before sending twice.  Requests
 * use HTTP Basic auth with the account SID and the auth token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "gateway.h"
#include "gateway_http.h"
#include "http.h"
#include "twilio_json.h"

#define TWILIO_DEFAULT_BASE_URL "https://api.twilio.com"
#define TWILIO_API_PREFIX       "/2010-04-01/Accounts/"
#define TWILIO_USER_AGENT       "backtalk"
/* A sent message's date_created may be this far before the `since` the
 * daemon recorded, to allow for the two clocks disagreeing a little. */
#define TWILIO_CLOCK_SLACK_S 60
/* How often a poll reads the whole listing since yesterday rather than
 * stopping at the first page it has seen all of. */
#define TWILIO_FULL_SCAN_S 600

/* The URLs a listing has read. */
struct gateway_twilio_seen {
	char **urls;
	size_t count, cap;
};

struct gateway_twilio {
	struct gateway_in in;   /* when it is the inbound part */
	struct gateway_out out; /* when it is an outbound part */
	struct http_client *http;
	char *base_url; /* without a trailing slash */
	char *account_sid;
	char *number;
	char *messaging_service_sid; /* NULL: send From number */
	unsigned page_size;
	unsigned max_pages;
	char *list_path;   /* /2010-04-01/Accounts/{sid}/Messages.json */
	char *resume_url;  /* where a listing cut short by the page budget
	                      goes on; NULL when none */
	int64_t last_full; /* when the whole listing was last read */
	/* The URLs read on the way to resume_url, so that a next_page_uri
	 * looping back over several polls is seen too. */
	struct gateway_twilio_seen backlog;
	bool loop_noted; /* said that next_page_uri looped; until a listing
	                    reaches its real end */
};

/* --- URLs ---------------------------------------------------------------- */

/* base_url + path + "?" + name=value&... (names and values escaped);
 * fields end with NULL.  NULL when out of memory. */
static char *
gateway_twilio_url(const struct gateway_twilio *tw, const char *path,
                   const char *const *fields)
{
	char *buf = NULL, *name, *value;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool ok = f != NULL;

	if (ok)
		ok = fprintf(f, "%s%s", tw->base_url, path) >= 0;
	for (size_t i = 0; ok && fields[i] != NULL && fields[i + 1] != NULL;
	     i += 2) {
		name = curl_easy_escape(NULL, fields[i], 0);
		value = curl_easy_escape(NULL, fields[i + 1], 0);
		ok =
		    name != NULL && value != NULL &&
		    fprintf(f, "%c%s=%s", i == 0 ? '?' : '&', name, value) >= 0;
		curl_free(name);
		curl_free(value);
	}
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* next_page_uri is relative to the base URL.  It must stay under our
 * account's Messages list, so a reply cannot steer us to another host
 * ("@evil.example") or another resource. */
static char *
gateway_twilio_next_url(const struct gateway_twilio *tw, const char *uri)
{
	size_t n = strlen(tw->list_path);
	const char *fields[] = { NULL };

	if (strncmp(uri, tw->list_path, n) != 0 ||
	    (uri[n] != '?' && uri[n] != '\0') ||
	    strpbrk(uri, " \t\r\n#\\") != NULL)
		return NULL;
	return gateway_twilio_url(tw, uri, fields);
}

/* "YYYY-MM-DD", the UTC date of t. */
static void
gateway_twilio_day(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "1970-01-01");
}

/* --- listing ------------------------------------------------------------- */

/* Adds a copy of url; false when out of memory. */
static bool
gateway_twilio_seen_add(struct gateway_twilio_seen *s, const char *url)
{
	if (s->count == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		char **v = realloc(s->urls, cap * sizeof(*v));
		if (v == NULL)
			return false;
		s->urls = v;
		s->cap = cap;
	}
	if ((s->urls[s->count] = strdup(url)) == NULL)
		return false;
	s->count++;
	return true;
}

static bool
gateway_twilio_seen_has(const struct gateway_twilio_seen *s, const char *url)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->urls[i], url) == 0)
			return true;
	return false;
}

/* Forgets every URL. */
static void
gateway_twilio_seen_clear(struct gateway_twilio_seen *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->urls[i]);
	free(s->urls);
	*s = (struct gateway_twilio_seen){ 0 };
}

struct gateway_twilio_listing {
	bool stop_at_known; /* stop after a page the sink had all seen */
	bool complete;      /* reached the end, or a page all seen */
	bool looped;        /* next_page_uri came back to a page read */
	bool ended;         /* a page had no next_page_uri */
	char *next;         /* where the page budget ran out, or NULL */
	unsigned pages;     /* pages read */
	/* The URLs read so far (they are added to it); NULL: this
	 * listing's own. */
	struct gateway_twilio_seen *seen;
};

/* Reverses items [from, to) of b: Twilio lists newest first, and a page is
 * handed over oldest first, so that a STOP is taken before what the same
 * person sent after it. */
static void
gateway_twilio_reverse(struct gateway_batch *b, size_t from)
{
	for (size_t i = from, j = b->count; i + 1 < j; i++, j--) {
		struct gateway_message t = b->items[i];
		b->items[i] = b->items[j - 1];
		b->items[j - 1] = t;
	}
}

/* Fetches up to max_pages pages starting at url (which it frees), adding
 * the messages going in direction dir to batch and flushing each page.
 * Fills *ls; returns res->status. */
static enum gateway_status
gateway_twilio_list(struct gateway_twilio *tw, char *url,
                    enum twilio_json_direction dir, struct gateway_batch *batch,
                    unsigned max_pages, struct gateway_twilio_listing *ls,
                    struct gateway_result *res)
{
	struct http_response r;
	struct twilio_json_page page;
	struct gateway_twilio_seen own = { 0 };
	struct gateway_twilio_seen *seen = ls->seen ? ls->seen : &own;
	char err[200];
	size_t start;
	long fresh;
	int rc;

	ls->complete = false;
	ls->looped = false;
	ls->ended = false;
	ls->next = NULL;
	ls->pages = 0;
	for (; url != NULL && ls->pages < max_pages; ls->pages++) {
		/* Out of memory, a loop may go unseen: the page budget
		 * still bounds this poll. */
		(void)gateway_twilio_seen_add(seen, url);
		rc = http_get(tw->http, url, &r);
		free(url);
		url = NULL;
		if (r.date > 0)
			res->date = r.date;
		if (!gateway_http_ok(rc, &r)) {
			gateway_http_fail(rc, &r, twilio_json_parse_error, res);
			http_response_free(&r);
			goto out;
		}
		start = batch->count;
		rc = twilio_json_parse_page(r.body, r.len, dir, batch, &page,
		                            err, sizeof(err));
		res->http_status = r.status;
		http_response_free(&r);
		if (rc != 0) {
			res->status = GATEWAY_RETRY;
			snprintf(res->error, sizeof(res->error),
			         "unreadable Messages list: %s", err);
			goto out;
		}
		batch->nameless += page.skipped;
		if (page.skipped > 0)
			snprintf(res->error, sizeof(res->error),
			         "%zu unreadable messages without a sid left "
			         "out",
			         page.skipped);
		size_t got = batch->count - start;
		gateway_twilio_reverse(batch, start);
		fresh = gateway_batch_flush(batch);
		if (fresh < 0) {
			twilio_json_page_free(&page);
			res->status = GATEWAY_RETRY;
			snprintf(res->error, sizeof(res->error),
			         "cannot store the messages listed");
			goto out;
		}
		if (page.next_page_uri == NULL ||
		    (ls->stop_at_known && got > 0 && fresh == 0)) {
			ls->complete = true;
			ls->ended = page.next_page_uri == NULL;
		} else {
			url = gateway_twilio_next_url(tw, page.next_page_uri);
			if (url == NULL) {
				twilio_json_page_free(&page);
				res->status = GATEWAY_RETRY;
				snprintf(res->error, sizeof(res->error),
				         "next_page_uri is not under %s",
				         tw->list_path);
				goto out;
			}
			if (gateway_twilio_seen_has(seen, url)) {
				/* Read already: the listing ends here. */
				free(url);
				url = NULL;
				ls->complete = true;
				ls->looped = true;
			}
		}
		twilio_json_page_free(&page);
	}
	ls->next = url;
	res->status = GATEWAY_OK;
out:
	gateway_twilio_seen_clear(&own);
	return res->status;
}

/* Continues a listing that ran out of pages where it stopped, within the
 * pages left of this poll's budget. */
static enum gateway_status
gateway_twilio_resume(struct gateway_twilio *tw, struct gateway_batch *ret,
                      unsigned budget, int64_t now, bool *looped,
                      struct gateway_result *res)
{
	struct gateway_twilio_listing ls = { .stop_at_known = false,
		                             .seen = &tw->backlog };
	char *url = tw->resume_url;

	tw->resume_url = NULL;
	if (gateway_twilio_list(tw, url, TWILIO_JSON_INBOUND, ret, budget, &ls,
	                        res) != GATEWAY_OK) {
		gateway_twilio_seen_clear(&tw->backlog);
		return res->status; /* the next full listing covers it */
	}
	tw->resume_url = ls.next;
	*looped = *looped || ls.looped;
	if (ls.ended)
		tw->loop_noted = false;
	/* Read to the end: everything listed has been seen. */
	if (ls.complete) {
		tw->last_full = now;
		gateway_twilio_seen_clear(&tw->backlog);
	}
	return res->status;
}

static enum gateway_status
gateway_twilio_poll(struct gateway_in *gw, struct gateway_batch *ret,
                    struct gateway_result *res)
{
	struct gateway_twilio *tw = gateway_of(gw, struct gateway_twilio, in);
	struct gateway_twilio_seen seen = { 0 };
	struct gateway_twilio_listing ls = { .stop_at_known = true,
		                             .seen = &seen };
	int64_t now = (int64_t)time(NULL);
	char day[16], size[16];
	char *url;
	bool looped = false;

	gateway_result_init(res);
	/* Now and then (and first of all) the whole listing since yesterday
	 * is read, in case Twilio showed a message late, below messages
	 * listed before it; otherwise the poll stops at the first page it
	 * has seen all of. */
	if (tw->resume_url == NULL &&
	    (tw->last_full == 0 || now - tw->last_full >= TWILIO_FULL_SCAN_S))
		ls.stop_at_known = false;
	gateway_twilio_day(now - 86400, day, sizeof(day));
	snprintf(size, sizeof(size), "%u", tw->page_size);
	const char *fields[] = { "To",       tw->number, "DateSent>", day,
		                 "PageSize", size,       NULL };
	url = gateway_twilio_url(tw, tw->list_path, fields);
	if (url == NULL) {
		res->status = GATEWAY_RETRY;
		snprintf(res->error, sizeof(res->error), "out of memory");
		return res->status;
	}
	/* A page that fails after others were read keeps those (they are
	 * staged): the next poll lists the rest again. */
	if (gateway_twilio_list(tw, url, TWILIO_JSON_INBOUND, ret,
	                        tw->max_pages, &ls, res) != GATEWAY_OK) {
		gateway_twilio_seen_clear(&seen);
		return res->status;
	}
	if (ls.ended)
		tw->loop_noted = false;
	looped = ls.looped;
	if (ls.next != NULL) {
		/* A backlog deeper than a poll's pages: go on from here
		 * next time, after the newest page. */
		free(tw->resume_url);
		tw->resume_url = ls.next;
		gateway_twilio_seen_clear(&tw->backlog);
		tw->backlog = seen;
		seen = (struct gateway_twilio_seen){ 0 };
	} else if (tw->resume_url != NULL && ls.pages < tw->max_pages) {
		gateway_twilio_resume(tw, ret, tw->max_pages - ls.pages, now,
		                      &looped, res);
	} else if (ls.complete && !ls.stop_at_known) {
		tw->last_full = now;
	}
	gateway_twilio_seen_clear(&seen);
	if (res->status == GATEWAY_OK && looped && !tw->loop_noted) {
		tw->loop_noted = true;
		snprintf(res->error, sizeof(res->error),
		         "next_page_uri came back to a page already read; the "
		         "listing ends there (said once)");
	}
	if (res->status == GATEWAY_OK && tw->resume_url != NULL) {
		ret->more = true;
		snprintf(res->error, sizeof(res->error),
		         "a backlog of more than %u pages; reading on",
		         tw->max_pages);
	}
	return res->status;
}

/* --- sending ------------------------------------------------------------- */

/* Reads the answer to one Create Message into res. */
static void
gateway_twilio_sent(const struct http_call *call, struct gateway_result *res)
{
	gateway_result_init(res);
	if (!gateway_http_ok(call->rc, &call->res)) {
		gateway_http_fail(call->rc, &call->res, twilio_json_parse_error,
		                  res);
		return;
	}
	res->http_status = call->res.status;
	res->status = GATEWAY_OK;
	/* Twilio took it: an unreadable answer must not make the daemon send
	 * again, so this is still OK, without an id. */
	if (twilio_json_parse_created(call->res.body, call->res.len, res) != 0)
		res->message_id[0] = '\0';
}

/* Posts each item's form (To, Body, and From or MessagingServiceSid), up
 * to http.parallel_sends at once. */
static void
gateway_twilio_send_many(struct gateway_out *gw, struct gateway_send *items,
                         size_t n)
{
	struct gateway_twilio *tw = gateway_of(gw, struct gateway_twilio, out);
	const char *none[] = { NULL };
	struct http_call *calls = calloc(n, sizeof(*calls));
	char *url = gateway_twilio_url(tw, tw->list_path, none);
	size_t i;

	for (i = 0; i < n && calls != NULL && url != NULL; i++) {
		const char *fields[] = {
			"To",
			items[i].to,
			"Body",
			items[i].body,
			tw->messaging_service_sid != NULL
			    ? "MessagingServiceSid"
			    : "From",
			tw->messaging_service_sid != NULL
			    ? tw->messaging_service_sid
			    : tw->number,
			NULL,
		};
		calls[i].url = url;
		calls[i].content_type =
		    "Content-Type: application/x-www-form-urlencoded";
		calls[i].body = http_form_encode(fields);
		if (calls[i].body == NULL)
			break;
	}
	gateway_http_send_calls(tw->http, items, calls, n, i == n,
	                        gateway_twilio_sent);
	free(url);
}

static enum gateway_status
gateway_twilio_send(struct gateway_out *gw, const char *to, const char *body,
                    struct gateway_result *res)
{
	struct gateway_send item = { .to = to, .body = body };

	gateway_twilio_send_many(gw, &item, 1);
	*res = item.res;
	return res->status;
}

/* What find_sent looks for, page by page (a batch sink). */
struct gateway_twilio_look {
	const char *body;
	int64_t from;      /* created at or after this */
	char sid[128];     /* the first match; "" when none yet */
	bool past_attempt; /* a page held only messages created before */
};

/* Looks through one page of outbound messages.  Returns 0 ("nothing
 * new"), which ends the listing, once the message is found or a page is
 * all older than the attempt; else the page's size. */
static long
gateway_twilio_look_page(void *arg, struct gateway_batch *b)
{
	struct gateway_twilio_look *lk = arg;
	bool older = b->count > 0;

	for (size_t i = 0; i < b->count; i++) {
		const struct gateway_message *m = &b->items[i];
		if (m->sent_at < lk->from)
			continue;
		older = false;
		if (lk->sid[0] == '\0' && strcmp(m->body, lk->body) == 0)
			snprintf(lk->sid, sizeof(lk->sid), "%s", m->id);
	}
	if (older)
		lk->past_attempt = true;
	return lk->sid[0] != '\0' || older ? 0 : (long)b->count;
}

/* Lists what we sent to `to`, newest first, without a date filter: Twilio
 * filters on date_sent, which a message it still holds queued does not
 * have yet (a long code sends a segment a second, so a backlog queues for
 * minutes), and such a message must be found.  It matches on the body and
 * date_created (set when Twilio takes the message), and reads pages until
 * the message is found, a page holds only messages created before the
 * attempt, or the list ends: 0 then.  It assumes Twilio lists a queued
 * message above those sent before it was created (newest first).  When
 * the page budget runs out first it cannot tell (-1). */
static int
gateway_twilio_find_sent(struct gateway_out *gw, const char *to,
                         const char *body, int64_t since,
                         struct gateway_result *res)
{
	struct gateway_twilio *tw = gateway_of(gw, struct gateway_twilio, out);
	struct gateway_twilio_look lk = {
		.body = body,
		.from = since - TWILIO_CLOCK_SLACK_S,
	};
	struct gateway_batch sent = {
		.sink = gateway_twilio_look_page,
		.sink_arg = &lk,
	};
	struct gateway_twilio_listing ls = { .stop_at_known = true };
	char size[16];
	char *url;
	int found = -1;

	gateway_result_init(res);
	snprintf(size, sizeof(size), "%u", tw->page_size);
	/* A messaging service picks the sender from its pool, so filter by
	 * From only when we send from our number. */
	const char *fields[] = { "To",
		                 to,
		                 "PageSize",
		                 size,
		                 tw->messaging_service_sid == NULL ? "From"
		                                                   : NULL,
		                 tw->number,
		                 NULL };
	url = gateway_twilio_url(tw, tw->list_path, fields);
	if (url == NULL) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		return -1;
	}
	if (gateway_twilio_list(tw, url, TWILIO_JSON_OUTBOUND, &sent,
	                        tw->max_pages, &ls, res) != GATEWAY_OK)
		goto out;
	free(ls.next);
	if (lk.sid[0] != '\0') {
		snprintf(res->message_id, sizeof(res->message_id), "%s",
		         lk.sid);
		found = 1;
	} else if (ls.complete) {
		found = 0;
	} else {
		res->status = GATEWAY_RETRY;
		snprintf(res->error, sizeof(res->error),
		         "more than %u pages of messages to that number since "
		         "the attempt",
		         tw->max_pages);
	}
out:
	gateway_batch_free(&sent);
	return found;
}

static void
gateway_twilio_free(struct gateway_twilio *tw)
{
	if (tw == NULL)
		return;
	http_free(tw->http);
	free(tw->base_url);
	free(tw->account_sid);
	free(tw->number);
	free(tw->messaging_service_sid);
	free(tw->list_path);
	free(tw->resume_url);
	gateway_twilio_seen_clear(&tw->backlog);
	free(tw);
}

static void
gateway_twilio_in_free(struct gateway_in *gw)
{
	gateway_twilio_free(gateway_of(gw, struct gateway_twilio, in));
}

static void
gateway_twilio_out_free(struct gateway_out *gw)
{
	gateway_twilio_free(gateway_of(gw, struct gateway_twilio, out));
}

static const struct gateway_in_ops gateway_twilio_in_ops = {
	.name = "twilio",
	.poll = gateway_twilio_poll,
	.free = gateway_twilio_in_free,
};

static const struct gateway_out_ops gateway_twilio_out_ops = {
	.name = "twilio",
	.send = gateway_twilio_send,
	.send_many = gateway_twilio_send_many,
	.find_sent = gateway_twilio_find_sent,
	.free = gateway_twilio_out_free,
};

/* --- construction -------------------------------------------------------- */

static int
gateway_twilio_check(const struct config *cfg, const char *secret, char *err,
                     size_t errlen)
{
	const char *base = cfg->twilio.base_url != NULL
	                       ? cfg->twilio.base_url
	                       : TWILIO_DEFAULT_BASE_URL;

	if (cfg->twilio.account_sid == NULL ||
	    cfg->twilio.account_sid[0] == '\0') {
		snprintf(err, errlen, "twilio: account_sid is not set");
		return -1;
	}
	if (cfg->twilio.number == NULL || cfg->twilio.number[0] == '\0') {
		snprintf(err, errlen, "twilio: number is not set");
		return -1;
	}
	if (secret == NULL || secret[0] == '\0') {
		snprintf(err, errlen, "twilio: the auth token is empty");
		return -1;
	}
	if (!http_url_allowed(base, cfg->http.allow_insecure_http)) {
		snprintf(err, errlen,
		         "twilio: base_url must be https (plain http only to "
		         "loopback, unless http.allow_insecure_http is set)");
		return -1;
	}
	return 0;
}

static char *
gateway_twilio_base(const char *url)
{
	const char *s = url != NULL ? url : TWILIO_DEFAULT_BASE_URL;
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		n--;
	return strndup(s, n);
}

static char *
gateway_twilio_list_path(const char *account_sid)
{
	char *sid = curl_easy_escape(NULL, account_sid, 0);
	char *path = NULL;
	size_t n;

	if (sid == NULL)
		return NULL;
	n = strlen(TWILIO_API_PREFIX) + strlen(sid) + sizeof("/Messages.json");
	path = malloc(n);
	if (path != NULL)
		snprintf(path, n, "%s%s/Messages.json", TWILIO_API_PREFIX, sid);
	curl_free(sid);
	return path;
}

static struct http_client *
gateway_twilio_http(const struct config *cfg, const char *secret)
{
	struct http_options o = {
		.ca_file = cfg->http.ca_file,
		.connect_timeout_ms = cfg->http.connect_timeout_ms,
		.timeout_ms = cfg->http.timeout_ms,
		.max_response = cfg->http.max_response_bytes,
		.allow_insecure_http = cfg->http.allow_insecure_http,
		.basic_user = cfg->twilio.account_sid,
		.basic_password = secret,
		.user_agent = TWILIO_USER_AGENT,
		.parallel = cfg->http.parallel_sends,
	};

	return http_new(&o);
}

static struct gateway_twilio *
gateway_twilio_new(const struct config *cfg, const char *secret, char *err,
                   size_t errlen)
{
	struct gateway_twilio *tw;

	if (gateway_twilio_check(cfg, secret, err, errlen) != 0)
		return NULL;
	tw = calloc(1, sizeof(*tw));
	if (tw == NULL)
		goto oom;
	tw->page_size = cfg->twilio.page_size > 0 ? cfg->twilio.page_size : 100;
	if (tw->page_size > TWILIO_JSON_PAGE_MAX)
		tw->page_size = TWILIO_JSON_PAGE_MAX;
	tw->max_pages = cfg->http.max_pages_per_poll > 0
	                    ? cfg->http.max_pages_per_poll
	                    : 10;
	tw->base_url = gateway_twilio_base(cfg->twilio.base_url);
	tw->account_sid = strdup(cfg->twilio.account_sid);
	tw->number = strdup(cfg->twilio.number);
	tw->list_path = gateway_twilio_list_path(cfg->twilio.account_sid);
	tw->http = gateway_twilio_http(cfg, secret);
	if (tw->base_url == NULL || tw->account_sid == NULL ||
	    tw->number == NULL || tw->list_path == NULL || tw->http == NULL)
		goto oom;
	if (cfg->twilio.messaging_service_sid != NULL &&
	    cfg->twilio.messaging_service_sid[0] != '\0') {
		tw->messaging_service_sid =
		    strdup(cfg->twilio.messaging_service_sid);
		if (tw->messaging_service_sid == NULL)
			goto oom;
	}
	return tw;
oom:
	gateway_twilio_free(tw);
	snprintf(err, errlen, "twilio: out of memory");
	return NULL;
}

struct gateway_in *
gateway_twilio_in_new(const struct config *cfg, const char *secret, char *err,
                      size_t errlen)
{
	struct gateway_twilio *tw =
	    gateway_twilio_new(cfg, secret, err, errlen);

	if (tw == NULL)
		return NULL;
	tw->in.ops = &gateway_twilio_in_ops;
	return &tw->in;
}

struct gateway_out *
gateway_twilio_out_new(const struct config *cfg, const char *secret, char *err,
                       size_t errlen)
{
	struct gateway_twilio *tw =
	    gateway_twilio_new(cfg, secret, err, errlen);

	if (tw == NULL)
		return NULL;
	tw->out.ops = &gateway_twilio_out_ops;
	return &tw->out;
}
