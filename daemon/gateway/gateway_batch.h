/* The batch of inbound messages a poll fills (gateway_batch.c): what the
 * drivers and the pure parsers of their answers (twilio_json.c,
 * infobip_json.c) add to, and what the daemon stages.  Apart from the
 * drivers, so that a parser links nothing but itself and this. */
#ifndef BACKTALK_GATEWAY_BATCH_H
#define BACKTALK_GATEWAY_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
