/* gateway.c: creating the configured gateway driver and the batch of inbound
 * messages that every driver's poll fills. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gateway.h"
#include "http.h"

struct gateway *
gateway_new(const struct config *cfg, const char *secret, char *err,
            size_t errlen)
{
	switch (cfg->gateway) {
	case CONFIG_GATEWAY_TWILIO:
		return gateway_twilio_new(cfg, secret, err, errlen);
	case CONFIG_GATEWAY_INFOBIP:
		return gateway_infobip_new(cfg, secret, err, errlen);
	case CONFIG_GATEWAY_CONSOLE:
		return gateway_console_new(cfg, err, errlen);
	}
	snprintf(err, errlen, "unknown gateway %d", (int)cfg->gateway);
	return NULL;
}

void
gateway_free(struct gateway *gw)
{
	if (gw != NULL)
		gw->ops->free(gw);
}

void
gateway_send_many(struct gateway *gw, struct gateway_send *items, size_t n)
{
	if (gw->ops->send_many != NULL) {
		gw->ops->send_many(gw, items, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		gw->ops->send(gw, items[i].to, items[i].body, &items[i].res);
}

void
gateway_result_init(struct gateway_result *res)
{
	memset(res, 0, sizeof(*res));
	res->retry_after_s = -1;
}

bool
gateway_http_ok(int rc, const struct http_response *r)
{
	return rc == 0 && r->status >= 200 && r->status < 300;
}

/* What an HTTP status says about a request, whatever the body says: the
 * driver's parser decides only among the other 4xx (failed for good, or
 * the recipient opted out).  Sets res->unsure when the gateway may have
 * acted on it. */
static void
gateway_http_class(long status, struct gateway_result *res)
{
	res->unsure = false;
	if (status >= 500) {
		/* A 5xx may come after the message was created. */
		res->status = GATEWAY_RETRY;
		res->unsure = true;
	} else if (status == 429) {
		res->status = GATEWAY_THROTTLED;
	} else if (status == 401 || status == 403 || status == 404 ||
	           status == 407) {
		res->status = GATEWAY_AUTH;
	} else if (status < 400 || status == 408) {
		/* A redirect (never followed) or "request timeout": the
		 * server did not act on the request. */
		res->status = GATEWAY_RETRY;
	}
}

enum gateway_status
gateway_http_fail(
    int rc, const struct http_response *r,
    enum gateway_status (*parse_error)(long status, const char *body,
                                       size_t len, struct gateway_result *res),
    struct gateway_result *res)
{
	long retry_after = r->retry_after_s;

	if (rc != 0) {
		res->status = GATEWAY_RETRY;
		res->http_status = 0;
		/* Not sent at all (no connection): the gateway has nothing. */
		res->unsure = r->sent;
		snprintf(res->error, sizeof(res->error), "%s", r->error);
	} else {
		parse_error(r->status, r->body, r->len, res);
		gateway_http_class(r->status, res);
	}
	res->retry_after_s = retry_after;
	return res->status;
}

static void
gateway_message_clear(struct gateway_message *m)
{
	free(m->id);
	free(m->from);
	free(m->to);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

/* strdup that treats NULL as "", so every field of an item is a string. */
static char *
gateway_strdup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static int
gateway_batch_grow(struct gateway_batch *b)
{
	size_t cap = b->cap > 0 ? b->cap * 2 : 16;
	struct gateway_message *items;

	if (cap > SIZE_MAX / sizeof(*items))
		return -1;
	items = realloc(b->items, cap * sizeof(*items));
	if (items == NULL)
		return -1;
	b->items = items;
	b->cap = cap;
	return 0;
}

int
gateway_batch_add(struct gateway_batch *b, const char *id, const char *from,
                  const char *to, const char *body, int64_t sent_at)
{
	struct gateway_message m = { .sent_at = sent_at };

	if (b->count == b->cap && gateway_batch_grow(b) != 0)
		return -1;
	m.id = gateway_strdup(id);
	m.from = gateway_strdup(from);
	m.to = gateway_strdup(to);
	m.body = gateway_strdup(body);
	if (m.id == NULL || m.from == NULL || m.to == NULL || m.body == NULL) {
		gateway_message_clear(&m);
		return -1;
	}
	b->items[b->count++] = m;
	return 0;
}

int
gateway_batch_add_unreadable(struct gateway_batch *b, const char *id,
                             const char *from)
{
	if (gateway_batch_add(b, id, from, NULL, NULL, 0) != 0)
		return -1;
	b->items[b->count - 1].unreadable = true;
	return 0;
}

void
gateway_batch_truncate(struct gateway_batch *b, size_t count)
{
	while (b->count > count)
		gateway_message_clear(&b->items[--b->count]);
}

void
gateway_batch_free(struct gateway_batch *b)
{
	if (b == NULL)
		return;
	gateway_batch_truncate(b, 0);
	free(b->items);
	b->items = NULL;
	b->cap = 0;
	b->more = b->closed = false;
	b->nameless = 0;
}

long
gateway_batch_flush(struct gateway_batch *b)
{
	long fresh;

	if (b->sink == NULL)
		return (long)b->count;
	if (b->count == 0)
		return 0;
	fresh = b->sink(b->sink_arg, b);
	if (fresh >= 0)
		gateway_batch_truncate(b, 0);
	return fresh;
}

void
gateway_send_calls(struct http_client *http, struct gateway_send *items,
                   struct http_call *calls, size_t n, bool ready,
                   void (*read)(const struct http_call *call,
                                struct gateway_result *res))
{
	if (ready)
		http_perform(http, calls, n);
	for (size_t i = 0; i < n; i++) {
		if (!ready) {
			gateway_result_init(&items[i].res);
			items[i].res.status = GATEWAY_RETRY;
			snprintf(items[i].res.error, sizeof(items[i].res.error),
			         "out of memory");
		} else {
			read(&calls[i], &items[i].res);
		}
		if (calls == NULL)
			continue;
		/* The request body holds the message and the recipient. */
		if (calls[i].body != NULL) {
			explicit_bzero((char *)calls[i].body,
			               strlen(calls[i].body));
			free((char *)calls[i].body);
		}
		http_response_free(&calls[i].res);
	}
	free(calls);
}
