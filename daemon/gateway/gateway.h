/* The SMS gateway driver interface.  Each driver (gateway_twilio.c,
 * gateway_infobip.c, gateway_console.c) comes in two parts:
 *
 *   struct gateway_in   fetches inbound messages (poll, reread) and says
 *                       what the event loop waits on for it (events: its
 *                       descriptors and a deadline).  The daemon makes one
 *                       per gateway configuration; a listening driver may
 *                       own a socket here.
 *   struct gateway_out  sends replies and looks up a sent message
 *                       (send, send_many, find_sent).  One per thread that
 *                       uses it: the sending thread has its own, and so
 *                       does the loop for its lookups (each has its own
 *                       connections).
 *
 * gateway.c makes them (gateway_in_new, gateway_out_new) from the driver
 * the configuration names, by the table of drivers (gwdriver.h).  The
 * drivers parse answers with pure functions (twilio_json.c,
 * infobip_json.c) that are unit-tested and fuzzed apart from any network,
 * share the HTTP helpers of gateway_http.h, and never call back into
 * gateway.c. */
#ifndef BACKTALK_GATEWAY_H
#define BACKTALK_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gateway_batch.h"

struct config;

/* How a request turned out.  By HTTP status (gateway_http_fail): 2xx OK;
 * 401, 403, 404 and 407 GATEWAY_AUTH (our credentials, account or URL are
 * wrong: an operator's mistake, not the message's); 429 GATEWAY_THROTTLED;
 * 3xx, 408, 5xx and no answer at all GATEWAY_RETRY; any other 4xx
 * GATEWAY_FAILED, or GATEWAY_OPTED_OUT for the gateway's opt-out code. */
enum gateway_status {
	GATEWAY_OK,        /* done */
	GATEWAY_RETRY,     /* transient: connection, timeout, 3xx, 408, 5xx */
	GATEWAY_FAILED,    /* permanent: the gateway refused this message */
	GATEWAY_OPTED_OUT, /* recipient opted out at the gateway (Twilio 21610)
	                    */
	GATEWAY_THROTTLED, /* 429: not acted on; try again later */
	GATEWAY_AUTH,      /* 401, 403, 404, 407: not acted on; hold replies
	                      until the operator fixes the configuration */
};

struct gateway_result {
	enum gateway_status status;
	long http_status;   /* 0 when no HTTP response */
	long retry_after_s; /* from Retry-After; -1 when absent */
	int64_t date;       /* a poll: the gateway's clock (its Date
	                       header) at its answer; 0 when unknown */
	/* The request may have reached the gateway and been acted on (an
	 * answer of 5xx, or none after the request went out): look before
	 * sending it again.  False when the gateway surely did nothing
	 * (refused connection, 3xx, 408, 429, 401...). */
	bool unsure;
	char message_id[128]; /* id of an accepted or found message */
	char error_code[32];  /* the gateway's error code, "" when none */
	char error[256];      /* for the log: no secrets, no message bodies */
};

/* One reply for send_many. */
struct gateway_send {
	const char *to;
	const char *body;
	struct gateway_result res; /* the outcome; res.status */
};

/* A result with nothing in it yet. */
static inline void
gateway_result_init(struct gateway_result *res)
{
	memset(res, 0, sizeof(*res));
	res->retry_after_s = -1;
}

/* Descriptors the event loop waits on for an inbound part. */
#define GATEWAY_EVENTS_MAX 4

/* What an inbound part asks of the event loop: call poll as soon as one
 * of fds is readable, and no later than timeout_s seconds from now (< 0:
 * no deadline of its own; the poll interval rules).  A driver that polls
 * over HTTP has neither (the poller's own delay decides); the console
 * waits on standard input; a listening driver would give its socket and
 * the deadline of its own timers. */
struct gateway_events {
	int fds[GATEWAY_EVENTS_MAX];
	size_t nfds;
	double timeout_s;
};

struct gateway_in;
struct gateway_out;

struct gateway_in_ops {
	const char *name;
	/* Fetches inbound messages into *ret, flushing each page it
	 * completes (gateway_batch_flush) when it reads several.  Twilio
	 * lists recent messages to our number, following next_page_uri, and
	 * stops at a page the sink has seen all of; Infobip returns each
	 * message once only, so the caller must store them before polling
	 * again.  Returns res->status. */
	enum gateway_status (*poll)(struct gateway_in *gw,
	                            struct gateway_batch *ret,
	                            struct gateway_result *res);
	/* Optional: parses an answer that keep() put on disk and the daemon
	 * did not stage (it stopped first) into *ret, as poll would have.
	 * Returns res->status. */
	enum gateway_status (*reread)(struct gateway_in *gw, const char *raw,
	                              size_t len, struct gateway_batch *ret,
	                              struct gateway_result *res);
	/* Fills *ev (zeroed, timeout_s -1, by the caller's
	 * gateway_in_events) with what the loop should wait on. */
	void (*events)(struct gateway_in *gw, struct gateway_events *ev);
	void (*free)(struct gateway_in *gw);
};

struct gateway_out_ops {
	const char *name;
	/* Sends one SMS; on GATEWAY_OK res->message_id holds its id. */
	enum gateway_status (*send)(struct gateway_out *gw, const char *to,
	                            const char *body,
	                            struct gateway_result *res);
	/* Optional: sends several, some at once (http.parallel_sends), each
	 * with the outcome send would give it.  NULL: one by one. */
	void (*send_many)(struct gateway_out *gw, struct gateway_send *items,
	                  size_t n);
	/* After a crash between sending and recording: looks for an outbound
	 * message to `to` with this body sent at or after `since`.  Returns 1
	 * and fills res->message_id when found, 0 when surely not sent, -1
	 * when it cannot tell (error, or the gateway cannot list sent
	 * messages). */
	int (*find_sent)(struct gateway_out *gw, const char *to,
	                 const char *body, int64_t since,
	                 struct gateway_result *res);
	void (*free)(struct gateway_out *gw);
};

/* Every driver's inbound state begins with, or holds, one of these, and
 * its outbound state one of those (gateway_of finds the driver's state
 * from either). */
struct gateway_in {
	const struct gateway_in_ops *ops;
};
struct gateway_out {
	const struct gateway_out_ops *ops;
};

#define gateway_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Make the inbound or the outbound part of the driver the configuration
 * names; secret is its credential (the Twilio auth token or the Infobip
 * API key), NULL for the console.  NULL with err set on failure. */
struct gateway_in *gateway_in_new(const struct config *cfg, const char *secret,
                                  char *err, size_t errlen);
struct gateway_out *gateway_out_new(const struct config *cfg,
                                    const char *secret, char *err,
                                    size_t errlen);
void gateway_in_free(struct gateway_in *gw);
void gateway_out_free(struct gateway_out *gw);
/* What the loop waits on for gw (gateway_events). */
void gateway_in_events(struct gateway_in *gw, struct gateway_events *ev);
/* Sends items with the driver's send_many, or one by one. */
void gateway_out_send_many(struct gateway_out *gw, struct gateway_send *items,
                           size_t n);

/* The drivers' constructors, which the factory (gateway.c) lists. */
struct gateway_in *gateway_twilio_in_new(const struct config *cfg,
                                         const char *secret, char *err,
                                         size_t errlen);
struct gateway_out *gateway_twilio_out_new(const struct config *cfg,
                                           const char *secret, char *err,
                                           size_t errlen);
struct gateway_in *gateway_infobip_in_new(const struct config *cfg,
                                          const char *secret, char *err,
                                          size_t errlen);
struct gateway_out *gateway_infobip_out_new(const struct config *cfg,
                                            const char *secret, char *err,
                                            size_t errlen);
struct gateway_in *gateway_console_in_new(const struct config *cfg,
                                          const char *secret, char *err,
                                          size_t errlen);
struct gateway_out *gateway_console_out_new(const struct config *cfg,
                                            const char *secret, char *err,
                                            size_t errlen);

#endif
