/* The send queue (sendq.h): a ring of replies between the daemon's loop
 * and a sending thread.
 *
 *   [head, done)  sent, waiting for the loop to take them back
 *   [done, tail)  handed over, not yet sent (the thread's chunk among them)
 *
 * The loop alone moves head and tail; the thread alone moves done.  The
 * mutex guards the three indices and the thread's flags; an entry belongs
 * to whichever side its index range says, so entries are read and written
 * without it.  One exception, sendq_holds: the loop reads the `it` of
 * entries in [done, tail) too, which is safe because while an entry is
 * handed over its `it` is read-only to both sides (the thread writes only
 * `res`). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sendq.h"

/* The thread's stack: libcurl and jansson need little. */
#define SENDQ_STACK (512 * 1024)

struct sendq_entry {
	struct store_outbox_item it;
	struct gateway_result res; /* the thread's, once sent */
};

struct sendq {
	struct sendq_entry *ring;
	size_t cap, chunk;
	size_t head, done, tail;     /* ever growing; index with % cap */
	struct gateway_send *batch;  /* the thread's chunk (the ring wraps) */
	struct gateway_out *gw;      /* the thread's */
	struct gateway_out *next_gw; /* from the next chunk on (a reload) */
	bool stop, stopped;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int efd; /* readable when [head, done) is not empty */
};

static void
sendq_notify(struct sendq *q)
{
	uint64_t one = 1;

	/* Only fails when the counter would overflow: it is readable then
	 * anyway. */
	while (write(q->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void *
sendq_main(void *arg)
{
	struct sendq *q = arg;
	struct gateway_out *old;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		/* Replies wait for a gateway, when there is none yet. */
		while (!q->stop && (q->done == q->tail ||
		                    (q->gw == NULL && q->next_gw == NULL)))
			pthread_cond_wait(&q->wake, &q->lock);
		if (q->stop)
			break;
		size_t from = q->done;
		size_t n = q->tail - from;
		if (n > q->chunk)
			n = q->chunk;
		old = NULL;
		if (q->next_gw != NULL) {
			old = q->gw;
			q->gw = q->next_gw;
			q->next_gw = NULL;
		}
		pthread_mutex_unlock(&q->lock);

		gateway_out_free(old);
		for (size_t i = 0; i < n; i++) {
			const struct sendq_entry *e =
			    &q->ring[(from + i) % q->cap];

			q->batch[i].to = e->it.to;
			q->batch[i].body = e->it.body;
			gateway_result_init(&q->batch[i].res);
		}
		gateway_out_send_many(q->gw, q->batch, n);
		for (size_t i = 0; i < n; i++)
			q->ring[(from + i) % q->cap].res = q->batch[i].res;

		pthread_mutex_lock(&q->lock);
		q->done = from + n;
		sendq_notify(q);
	}
	q->stopped = true;
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int
sendq_new(struct gateway_out *gw, size_t cap, size_t chunk, struct sendq **ret,
          char *err, size_t errlen)
{
	struct sendq *q = calloc(1, sizeof(*q));
	pthread_attr_t attr;
	int rc;

	*ret = NULL;
	if (q == NULL || cap == 0 || chunk == 0 ||
	    (q->ring = calloc(cap, sizeof(*q->ring))) == NULL ||
	    (q->batch = calloc(chunk, sizeof(*q->batch))) == NULL) {
		snprintf(err, errlen, "out of memory");
		if (q != NULL)
			free(q->ring);
		free(q);
		gateway_out_free(gw);
		return -1;
	}
	q->cap = cap;
	q->chunk = chunk > cap ? cap : chunk;
	q->gw = gw;
	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wake, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SENDQ_STACK);
	rc = pthread_create(&q->thread, &attr, sendq_main, q);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the sending thread: %s",
		         strerror(rc));
		pthread_cond_destroy(&q->wake);
		pthread_mutex_destroy(&q->lock);
		close(q->efd);
		goto fail;
	}
	*ret = q;
	return 0;
fail:
	gateway_out_free(gw);
	free(q->batch);
	free(q->ring);
	free(q);
	return -1;
}

void
sendq_stop(struct sendq *q)
{
	bool join;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	join = !q->stop;
	q->stop = true;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	if (join)
		pthread_join(q->thread, NULL);
}

void
sendq_free(struct sendq *q)
{
	if (q == NULL)
		return;
	sendq_stop(q);
	for (size_t i = q->head; i != q->tail; i++)
		store_outbox_item_free(&q->ring[i % q->cap].it);
	gateway_out_free(q->gw);
	gateway_out_free(q->next_gw);
	pthread_cond_destroy(&q->wake);
	pthread_mutex_destroy(&q->lock);
	close(q->efd);
	free(q->batch);
	free(q->ring);
	free(q);
}

void
sendq_set_gateway(struct sendq *q, struct gateway_out *gw)
{
	struct gateway_out *unused;

	pthread_mutex_lock(&q->lock);
	unused = q->next_gw;
	q->next_gw = gw;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	gateway_out_free(unused); /* two reloads within one chunk */
}

size_t
sendq_outstanding(const struct sendq *q)
{
	return q->tail - q->head; /* both the loop's own */
}

size_t
sendq_room(const struct sendq *q)
{
	return q->stop ? 0 : q->cap - sendq_outstanding(q);
}

/* The loop's, like sendq_room: it reads only what the sending thread
 * never writes.  head and tail are moved by the loop alone (so read here
 * without the lock, as in sendq_outstanding); an entry's `it` is written
 * by the loop alone, in sendq_push before tail moves past it (the mutex
 * publishes it to the thread) and in sendq_pop/take_unsent after the
 * entry came back, and stays unchanged in between.  The thread only reads
 * `it` (to and body, for its chunk) and writes `res` and done, which this
 * never reads: entries in [done, tail) are the thread's to send, but their
 * `it` is read-only to both sides, so a read here races with nothing. */
bool
sendq_holds(const struct sendq *q, const char *to)
{
	for (size_t i = q->head; to != NULL && i < q->tail; i++) {
		const char *t = q->ring[i % q->cap].it.to;
		if (t != NULL && strcmp(t, to) == 0)
			return true;
	}
	return false;
}

int
sendq_push(struct sendq *q, const struct store_outbox_item *it)
{
	if (sendq_room(q) == 0)
		return -1;
	q->ring[q->tail % q->cap].it = *it;
	pthread_mutex_lock(&q->lock);
	q->tail++;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int
sendq_pop(struct sendq *q, struct store_outbox_item *it,
          struct gateway_result *res)
{
	uint64_t count;
	size_t done;

	pthread_mutex_lock(&q->lock);
	done = q->done;
	pthread_mutex_unlock(&q->lock);
	if (q->head == done) {
		/* Clear the descriptor; a chunk finished since is seen on
		 * the next call, and its write makes it readable again. */
		if (read(q->efd, &count, sizeof(count)) < 0) {
			/* EAGAIN: nothing to clear. */
		}
		pthread_mutex_lock(&q->lock);
		done = q->done;
		pthread_mutex_unlock(&q->lock);
		if (q->head == done)
			return 0;
	}
	struct sendq_entry *e = &q->ring[q->head % q->cap];
	*it = e->it;
	*res = e->res;
	memset(e, 0, sizeof(*e));
	q->head++;
	return 1;
}

int
sendq_take_unsent(struct sendq *q, struct store_outbox_item *it)
{
	pthread_mutex_lock(&q->lock);
	bool ok = q->stopped && q->done != q->tail;
	pthread_mutex_unlock(&q->lock);
	if (!ok || q->head != q->done)
		return 0; /* not stopped, or sent ones to take back first */
	struct sendq_entry *e = &q->ring[q->done % q->cap];
	*it = e->it;
	memset(e, 0, sizeof(*e));
	q->head++;
	q->done++; /* the thread is gone */
	return 1;
}

int
sendq_fd(const struct sendq *q)
{
	return q->efd;
}
