/* The send queue: a thread that sends replies, so that the daemon's loop
 * goes on polling and deciding while the gateway answers.
 *
 * The loop hands over replies it has already marked "sending" in the state
 * database (sendq_push); the thread sends them a chunk at a time with a
 * gateway of its own (its own connections), and the loop takes back each
 * reply with its outcome (sendq_pop) and records it.  The thread never
 * touches the database, the logs or the metrics.  sendq_fd() is readable
 * when outcomes are waiting.
 *
 * Everything but the thread itself is called from the loop's thread. */
#ifndef BACKTALK_SENDQ_H
#define BACKTALK_SENDQ_H

#include <stdbool.h>
#include <stddef.h>

#include "gateway.h"
#include "store.h"

struct sendq;

/* Starts the thread.  gw (which the queue then owns) sends, or none until
 * sendq_set_gateway() gives one when gw is NULL (backtalkd starts the
 * thread before its first configuration); cap is the most replies handed
 * over and not yet taken back; chunk how many the thread sends at a time
 * (gateway_out_send_many).  0, or -1 with err set. */
int sendq_new(struct gateway_out *gw, size_t cap, size_t chunk,
              struct sendq **ret, char *err, size_t errlen);
/* Stops the thread once the chunk it is sending is done, and frees the
 * queue; replies still in it are freed unsent.  Call sendq_stop() and
 * take everything back first to record them. */
void sendq_free(struct sendq *q);

/* Sends with gw (the queue owns it) from the next chunk on; the gateway in
 * use is freed by the thread when its chunk is done (a reload), so that
 * the caller never frees a gateway the thread may be sending with. */
void sendq_set_gateway(struct sendq *q, struct gateway_out *gw);

/* How many more replies sendq_push() takes now. */
size_t sendq_room(const struct sendq *q);
/* Replies handed over and not yet taken back. */
size_t sendq_outstanding(const struct sendq *q);
/* Hands over a reply: the queue owns *it (its strings) until sendq_pop()
 * or sendq_take_unsent() gives it back.  -1 when there is no room. */
int sendq_push(struct sendq *q, const struct store_outbox_item *it);
/* Whether a reply to `to` is in the queue, sent or not yet taken back
 * (the loop's: it reads the entries it handed over, never their
 * results). */
bool sendq_holds(const struct sendq *q, const char *to);
/* Takes back the oldest reply the thread has sent, with its outcome: 1,
 * or 0 when none is done yet.  The caller frees *it. */
int sendq_pop(struct sendq *q, struct store_outbox_item *it,
              struct gateway_result *res);
/* A descriptor that is readable when sendq_pop() has something (reading
 * it is sendq_pop's job). */
int sendq_fd(const struct sendq *q);

/* Asks the thread to finish the chunk it is sending and stop, and waits
 * for it.  Afterwards sendq_pop() gives back what was sent and
 * sendq_take_unsent() what never was. */
void sendq_stop(struct sendq *q);
/* After sendq_stop(): takes back a reply that was never sent (1), or 0
 * when none is left. */
int sendq_take_unsent(struct sendq *q, struct store_outbox_item *it);

#endif
