/* The SMS gateway driver interface.  A driver polls for inbound messages and
 * sends replies; each lives in its own file (gateway_twilio.c,
 * gateway_infobip.c, gateway_console.c) and parses responses with pure
 * functions (twilio_json.c, infobip_json.c) that are unit-tested and fuzzed
 * apart from any network. */
#ifndef BACKTALK_GATEWAY_H
#define BACKTALK_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

/* An inbound message as the gateway reports it. */
struct gateway_message {
	char *id;        /* the gateway's id: Twilio SID, Infobip messageId */
	char *from;      /* sender, E.164 */
	char *to;        /* our number */
	char *body;      /* UTF-8 text */
	int64_t sent_at; /* Unix seconds; 0 when unknown */
	/* The gateway listed it, but it could not be read (no sender or no
	 * text, or a field of the wrong kind): only id (and from, when it
	 * could be read) is set.  The daemon records it by its id, so that
	 * it is counted once and not read again, and does not answer it. */
	bool unreadable;
};

struct gateway_batch {
	struct gateway_message *items;
	size_t count, cap;
	bool more;   /* the gateway says more are waiting (Infobip) */
	bool closed; /* no more input will ever come (console at EOF) */
	/* Messages left out that could not be read and had no id to record
	 * them by; the daemon counts them and sets this back to 0. */
	size_t nameless;
	/* Optional: where a poll's pages go.  The daemon stages each page
	 * durably; a driver that reads several pages hands each one over
	 * with gateway_batch_flush() so that only a page is in memory. */
	long (*sink)(void *arg, struct gateway_batch *b);
	void *sink_arg;
	/* Optional, called with sink_arg: a driver whose gateway hands each
	 * message out once only (Infobip) gives it every answer it is about
	 * to parse, so that the answer is on disk first and a parser fault
	 * cannot lose it.  Returns 0, or -1 when it could not be kept (the
	 * driver parses it all the same). */
	int (*keep)(void *arg, const char *raw, size_t len);
};

/* Adds a copy of the strings; returns 0, or -1 when out of memory. */
int gateway_batch_add(struct gateway_batch *b, const char *id, const char *from,
                      const char *to, const char *body, int64_t sent_at);
/* Adds a message that cannot be read (gateway_message.unreadable); from
 * may be NULL.  Returns 0, or -1 when out of memory. */
int gateway_batch_add_unreadable(struct gateway_batch *b, const char *id,
                                 const char *from);
/* Frees the items from index count on; a parser uses it to undo a page it
 * could not finish. */
void gateway_batch_truncate(struct gateway_batch *b, size_t count);
void gateway_batch_free(struct gateway_batch *b);
/* Hands the items collected so far to the sink and empties the batch.
 * Returns how many of them the sink had not seen before (all of them when
 * there is no sink, and then the batch keeps them), or -1 when the sink
 * failed; the items then stay in the batch. */
long gateway_batch_flush(struct gateway_batch *b);

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

struct gateway;

/* One reply for send_many. */
struct gateway_send {
	const char *to;
	const char *body;
	struct gateway_result res; /* the outcome; res.status */
};

struct gateway_ops {
	const char *name;
	/* Fetches inbound messages into *ret, flushing each page it
	 * completes (gateway_batch_flush) when it reads several.  Twilio
	 * lists recent messages to our number, following next_page_uri, and
	 * stops at a page the sink has seen all of; Infobip returns each
	 * message once only, so the caller must store them before polling
	 * again.  Returns res->status. */
	enum gateway_status (*poll)(struct gateway *gw,
	                            struct gateway_batch *ret,
	                            struct gateway_result *res);
	/* Sends one SMS; on GATEWAY_OK res->message_id holds its id. */
	enum gateway_status (*send)(struct gateway *gw, const char *to,
	                            const char *body,
	                            struct gateway_result *res);
	/* Optional: sends several, some at once (http.parallel_sends), each
	 * with the outcome send would give it.  NULL: one by one. */
	void (*send_many)(struct gateway *gw, struct gateway_send *items,
	                  size_t n);
	/* After a crash between sending and recording: looks for an outbound
	 * message to `to` with this body sent at or after `since`.  Returns 1
	 * and fills res->message_id when found, 0 when surely not sent, -1
	 * when it cannot tell (error, or the gateway cannot list sent
	 * messages). */
	int (*find_sent)(struct gateway *gw, const char *to, const char *body,
	                 int64_t since, struct gateway_result *res);
	/* Optional: parses an answer that keep() put on disk and the daemon
	 * did not stage (it stopped first) into *ret, as poll would have.
	 * Returns res->status. */
	enum gateway_status (*reread)(struct gateway *gw, const char *raw,
	                              size_t len, struct gateway_batch *ret,
	                              struct gateway_result *res);
	/* A descriptor the event loop should wait on for readability, or -1
	 * (the console gateway reads standard input). */
	int (*fd)(struct gateway *gw);
	void (*free)(struct gateway *gw);
};

/* Every driver's state begins with this. */
struct gateway {
	const struct gateway_ops *ops;
};

/* Creates the driver the configuration names; secret is its credential (the
 * Twilio auth token or the Infobip API key), NULL for the console. */
struct gateway *gateway_new(const struct config *cfg, const char *secret,
                            char *err, size_t errlen);
void gateway_free(struct gateway *gw);
/* Sends items with the driver's send_many, or one by one. */
void gateway_send_many(struct gateway *gw, struct gateway_send *items,
                       size_t n);

/* For the HTTP drivers: a result with nothing in it yet. */
void gateway_result_init(struct gateway_result *res);
struct http_response;
struct http_client;
struct http_call;
/* For the HTTP drivers' send_many: runs calls[0..n) (each body malloc'ed)
 * when ready (else every item fails with "out of memory"), fills each
 * item's result with read, then wipes and frees the bodies, the responses
 * and calls. */
void gateway_send_calls(struct http_client *http, struct gateway_send *items,
                        struct http_call *calls, size_t n, bool ready,
                        void (*read)(const struct http_call *call,
                                     struct gateway_result *res));
/* Whether a request got a 2xx answer. */
bool gateway_http_ok(int rc, const struct http_response *r);
/* Fills res from a failed request or a response that is not 2xx, reading
 * the gateway's error body with parse_error; returns res->status. */
enum gateway_status gateway_http_fail(
    int rc, const struct http_response *r,
    enum gateway_status (*parse_error)(long status, const char *body,
                                       size_t len, struct gateway_result *res),
    struct gateway_result *res);

struct gateway *gateway_twilio_new(const struct config *cfg, const char *secret,
                                   char *err, size_t errlen);
struct gateway *gateway_infobip_new(const struct config *cfg,
                                    const char *secret, char *err,
                                    size_t errlen);
struct gateway *gateway_console_new(const struct config *cfg, char *err,
                                    size_t errlen);

#endif
