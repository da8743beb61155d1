/* gateway_infobip.c: the Infobip driver (SMS API).
 *
 * poll makes one GET /sms/1/inbox/reports?limit=N.  Infobip hands each
 * inbound message out once only, so poll never fetches a second batch on its
 * own: it sets batch->more when pendingMessageCount > 0, and the daemon
 * stores the batch durably before it polls again.  So that a fault in
 * parsing cannot lose an answer, poll hands each one to the daemon's keep
 * callback, which puts it on disk, before parsing it; reread parses one
 * kept by a daemon that stopped before staging it.  send posts one message to
 * /sms/2/text/advanced.  Requests carry "Authorization: App <API key>".
 *
 * find_sent asks the sent SMS logs, GET /sms/1/logs?to=&sentSince=&limit=,
 * for a message to that number with exactly that text, sent no earlier than
 * a minute before `since` (clock slack), so that after a crash between
 * sending and recording the daemon does not send a reply twice.  It cannot
 * tell (-1) when the request or its answer fails, when an entry that might
 * be the message is unreadable, when the list holds as many entries as
 * asked for (it may be cut short), or when `since` is older than the 48
 * hours Infobip keeps its logs.
 *
 * Numbers: the daemon's are E.164 ("+447700900123", infobip_json.c writes
 * the inbox's so); Infobip's have no "+".  The outbound part takes it off
 * (gateway_infobip_number) for what it sends and looks up, and the logs
 * are compared with a leading '+' left aside on either side.
 *
 * Infobip does not say how soon a message it accepted shows in the logs.
 * The daemon looks after a restart, after waiting out a send that got no
 * answer (3 x http.timeout_ms), or after a 5xx; it takes "not there" for
 * "not sent" only from a lookup http.lookup_trust_s or more after the
 * attempt, and looks again then when an earlier one found nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "gateway.h"
#include "gateway_http.h"
#include "http.h"
#include "infobip_json.h"

#define INFOBIP_INBOX_PATH "/sms/1/inbox/reports"
#define INFOBIP_SEND_PATH  "/sms/2/text/advanced"
#define INFOBIP_LOGS_PATH  "/sms/1/logs"
#define INFOBIP_USER_AGENT "backtalk"
/* Log entries asked for: the messages to one number since one send, far
 * fewer than this unless something is badly wrong. */
#define INFOBIP_LOGS_LIMIT 100
/* Infobip keeps the logs for 48 hours; an hour less leaves a margin. */
#define INFOBIP_LOGS_KEPT_S (47 * 3600)

struct gateway_infobip {
	struct gateway_in in;   /* when it is the inbound part */
	struct gateway_out out; /* when it is an outbound part */
	struct http_client *http;
	char *inbox_url; /* base_url + INFOBIP_INBOX_PATH?limit=N */
	char *send_url;
	char *logs_url; /* base_url + INFOBIP_LOGS_PATH, without a query */
	char *number;   /* sender; NULL: the account's default */
};

/* Parses an inbox answer into ret; returns res->status. */
static enum gateway_status
gateway_infobip_read(const char *raw, size_t len, struct gateway_batch *ret,
                     struct gateway_result *res)
{
	struct infobip_json_inbox inbox;
	char err[200];

	if (infobip_json_parse_inbox(raw, len, ret, &inbox, err, sizeof(err)) !=
	    0) {
		/* Infobip will not hand these messages out again; the
		 * daemon keeps the answer on disk (keep) for the operator. */
		res->status = GATEWAY_RETRY;
		snprintf(res->error, sizeof(res->error),
		         "unreadable inbox reports: %s", err);
		return res->status;
	}
	ret->nameless += inbox.skipped;
	if (inbox.skipped > 0)
		snprintf(res->error, sizeof(res->error),
		         "%zu unreadable inbound messages without a "
		         "messageId left out (Infobip will not send them "
		         "again)",
		         inbox.skipped);
	res->status = GATEWAY_OK;
	return res->status;
}

static enum gateway_status
gateway_infobip_poll(struct gateway_in *gw, struct gateway_batch *ret,
                     struct gateway_result *res)
{
	struct gateway_infobip *ib = gateway_of(gw, struct gateway_infobip, in);
	struct http_response r;
	int rc;

	gateway_result_init(res);
	rc = http_get(ib->http, ib->inbox_url, &r);
	res->date = r.date;
	if (!gateway_http_ok(rc, &r)) {
		gateway_http_fail(rc, &r, infobip_json_parse_error, res);
		http_response_free(&r);
		return res->status;
	}
	res->http_status = r.status;
	/* On disk before anything can go wrong in parsing it. */
	if (ret->keep != NULL)
		ret->keep(ret->sink_arg, r.body, r.len);
	gateway_infobip_read(r.body, r.len, ret, res);
	http_response_free(&r);
	return res->status;
}

static enum gateway_status
gateway_infobip_reread(struct gateway_in *gw, const char *raw, size_t len,
                       struct gateway_batch *ret, struct gateway_result *res)
{
	(void)gw;
	gateway_result_init(res);
	return gateway_infobip_read(raw, len, ret, res);
}

/* Reads the answer to one send into res. */
static void
gateway_infobip_sent(const struct http_call *call, struct gateway_result *res)
{
	gateway_result_init(res);
	if (!gateway_http_ok(call->rc, &call->res)) {
		gateway_http_fail(call->rc, &call->res,
		                  infobip_json_parse_error, res);
		return;
	}
	res->http_status = call->res.status;
	res->status = GATEWAY_OK;
	/* Infobip took it: an unreadable answer must not make the daemon
	 * send again, so this is still OK, without an id. */
	if (infobip_json_parse_sent(call->res.body, call->res.len, res) != 0) {
		res->status = GATEWAY_OK;
		res->message_id[0] = '\0';
	}
}

/* A number as Infobip writes it: the daemon's E.164 (e164.h) without its
 * "+". */
static const char *
gateway_infobip_number(const char *to)
{
	return to + (to[0] == '+');
}

/* Posts one message per request, up to http.parallel_sends at once. */
static void
gateway_infobip_send_many(struct gateway_out *gw, struct gateway_send *items,
                          size_t n)
{
	struct gateway_infobip *ib =
	    gateway_of(gw, struct gateway_infobip, out);
	struct http_call *calls = calloc(n, sizeof(*calls));
	size_t i;

	for (i = 0; i < n && calls != NULL; i++) {
		calls[i].url = ib->send_url;
		calls[i].content_type = "Content-Type: application/json";
		calls[i].body = infobip_json_send_body(
		    ib->number, gateway_infobip_number(items[i].to),
		    items[i].body);
		if (calls[i].body == NULL)
			break;
	}
	gateway_http_send_calls(ib->http, items, calls, n, i == n,
	                        gateway_infobip_sent);
}

static enum gateway_status
gateway_infobip_send(struct gateway_out *gw, const char *to, const char *body,
                     struct gateway_result *res)
{
	struct gateway_send item = { .to = to, .body = body };

	gateway_infobip_send_many(gw, &item, 1);
	*res = item.res;
	return res->status;
}

/* logs_url?to=...&sentSince=...&limit=..., the values escaped; NULL when
 * out of memory. */
static char *
gateway_infobip_logs_url(const struct gateway_infobip *ib, const char *to,
                         const char *since)
{
	char *eto = curl_easy_escape(NULL, gateway_infobip_number(to), 0);
	char *esince = curl_easy_escape(NULL, since, 0);
	char *url = NULL;
	size_t len;

	if (eto != NULL && esince != NULL) {
		len = strlen(ib->logs_url) + strlen(eto) + strlen(esince) + 64;
		url = malloc(len);
		if (url != NULL)
			snprintf(url, len, "%s?to=%s&sentSince=%s&limit=%d",
			         ib->logs_url, eto, esince, INFOBIP_LOGS_LIMIT);
	}
	curl_free(eto);
	curl_free(esince);
	return url;
}

static int
gateway_infobip_find_sent(struct gateway_out *gw, const char *to,
                          const char *body, int64_t since,
                          struct gateway_result *res)
{
	struct gateway_infobip *ib =
	    gateway_of(gw, struct gateway_infobip, out);
	char date[INFOBIP_JSON_DATE_MAX];
	struct http_response r;
	char *url;
	int rc, found;

	gateway_result_init(res);
	res->status = GATEWAY_RETRY;
	if (since < (int64_t)time(NULL) - INFOBIP_LOGS_KEPT_S) {
		snprintf(
		    res->error, sizeof(res->error),
		    "infobip: sent too long ago to be in the logs (Infobip "
		    "keeps them 48 hours)");
		return -1;
	}
	if (infobip_json_format_date(since - INFOBIP_JSON_CLOCK_SLACK_S, date,
	                             sizeof(date)) != 0) {
		snprintf(res->error, sizeof(res->error),
		         "infobip: no date for %lld", (long long)since);
		return -1;
	}
	url = gateway_infobip_logs_url(ib, to, date);
	if (url == NULL) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		return -1;
	}
	rc = http_get(ib->http, url, &r);
	free(url);
	if (!gateway_http_ok(rc, &r)) {
		gateway_http_fail(rc, &r, infobip_json_parse_error, res);
		http_response_free(&r);
		return -1;
	}
	res->http_status = r.status;
	found = infobip_json_find_sent(r.body, r.len, to, body, since,
	                               INFOBIP_LOGS_LIMIT, res);
	http_response_free(&r);
	if (found >= 0)
		res->status = GATEWAY_OK;
	return found;
}

static void
gateway_infobip_free(struct gateway_infobip *ib)
{
	if (ib == NULL)
		return;
	http_free(ib->http);
	free(ib->inbox_url);
	free(ib->send_url);
	free(ib->logs_url);
	free(ib->number);
	free(ib);
}

static void
gateway_infobip_in_free(struct gateway_in *gw)
{
	gateway_infobip_free(gateway_of(gw, struct gateway_infobip, in));
}

static void
gateway_infobip_out_free(struct gateway_out *gw)
{
	gateway_infobip_free(gateway_of(gw, struct gateway_infobip, out));
}

static const struct gateway_in_ops gateway_infobip_in_ops = {
	.name = "infobip",
	.poll = gateway_infobip_poll,
	.reread = gateway_infobip_reread,
	.free = gateway_infobip_in_free,
};

static const struct gateway_out_ops gateway_infobip_out_ops = {
	.name = "infobip",
	.send = gateway_infobip_send,
	.send_many = gateway_infobip_send_many,
	.find_sent = gateway_infobip_find_sent,
	.free = gateway_infobip_out_free,
};

static int
gateway_infobip_check(const struct config *cfg, const char *secret, char *err,
                      size_t errlen)
{
	if (cfg->infobip.base_url == NULL || cfg->infobip.base_url[0] == '\0') {
		snprintf(err, errlen,
		         "infobip: base_url is not set (your account's "
		         "https://xxxx.api.infobip.com)");
		return -1;
	}
	if (secret == NULL || secret[0] == '\0') {
		snprintf(err, errlen, "infobip: the API key is empty");
		return -1;
	}
	if (!http_url_allowed(cfg->infobip.base_url,
	                      cfg->http.allow_insecure_http)) {
		snprintf(err, errlen,
		         "infobip: base_url must be https (plain http only to "
		         "loopback, unless http.allow_insecure_http is set)");
		return -1;
	}
	return 0;
}

/* base (without trailing slashes) + path + suffix. */
static char *
gateway_infobip_url(const char *base, const char *path, const char *suffix)
{
	size_t n = strlen(base);
	size_t len;
	char *s;

	while (n > 0 && base[n - 1] == '/')
		n--;
	len = n + strlen(path) + strlen(suffix) + 1;
	s = malloc(len);
	if (s != NULL)
		snprintf(s, len, "%.*s%s%s", (int)n, base, path, suffix);
	return s;
}

static struct http_client *
gateway_infobip_http(const struct config *cfg, const char *secret)
{
	struct http_options o = {
		.ca_file = cfg->http.ca_file,
		.connect_timeout_ms = cfg->http.connect_timeout_ms,
		.timeout_ms = cfg->http.timeout_ms,
		.max_response = cfg->http.max_response_bytes,
		.allow_insecure_http = cfg->http.allow_insecure_http,
		.user_agent = INFOBIP_USER_AGENT,
		.parallel = cfg->http.parallel_sends,
	};
	struct http_client *c;
	size_t len = strlen(secret) + sizeof("App ");
	char *auth = malloc(len);

	if (auth == NULL)
		return NULL;
	snprintf(auth, len, "App %s", secret);
	o.authorization = auth;
	c = http_new(&o);
	explicit_bzero(auth, len);
	free(auth);
	return c;
}

static struct gateway_infobip *
gateway_infobip_new(const struct config *cfg, const char *secret, char *err,
                    size_t errlen)
{
	struct gateway_infobip *ib;
	unsigned limit = cfg->infobip.limit > 0 ? cfg->infobip.limit : 100;
	char query[32];

	if (gateway_infobip_check(cfg, secret, err, errlen) != 0)
		return NULL;
	if (limit > INFOBIP_JSON_RESULTS_MAX)
		limit = INFOBIP_JSON_RESULTS_MAX;
	snprintf(query, sizeof(query), "?limit=%u", limit);
	ib = calloc(1, sizeof(*ib));
	if (ib == NULL)
		goto oom;
	ib->inbox_url = gateway_infobip_url(cfg->infobip.base_url,
	                                    INFOBIP_INBOX_PATH, query);
	ib->send_url =
	    gateway_infobip_url(cfg->infobip.base_url, INFOBIP_SEND_PATH, "");
	ib->logs_url =
	    gateway_infobip_url(cfg->infobip.base_url, INFOBIP_LOGS_PATH, "");
	ib->http = gateway_infobip_http(cfg, secret);
	if (ib->inbox_url == NULL || ib->send_url == NULL ||
	    ib->logs_url == NULL || ib->http == NULL)
		goto oom;
	if (cfg->infobip.number != NULL && cfg->infobip.number[0] != '\0') {
		ib->number = strdup(cfg->infobip.number);
		if (ib->number == NULL)
			goto oom;
	}
	return ib;
oom:
	gateway_infobip_free(ib);
	snprintf(err, errlen, "infobip: out of memory");
	return NULL;
}

struct gateway_in *
gateway_infobip_in_new(const struct config *cfg, const char *secret, char *err,
                       size_t errlen)
{
	struct gateway_infobip *ib =
	    gateway_infobip_new(cfg, secret, err, errlen);

	if (ib == NULL)
		return NULL;
	ib->in.ops = &gateway_infobip_in_ops;
	return &ib->in;
}

struct gateway_out *
gateway_infobip_out_new(const struct config *cfg, const char *secret, char *err,
                        size_t errlen)
{
	struct gateway_infobip *ib =
	    gateway_infobip_new(cfg, secret, err, errlen);

	if (ib == NULL)
		return NULL;
	ib->out.ops = &gateway_infobip_out_ops;
	return &ib->out;
}
