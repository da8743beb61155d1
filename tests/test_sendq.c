/* Tests for sendq.c: replies come back in order with their outcomes, a
 * chunk at a time; the queue's room; a stop finishes the chunk in hand and
 * gives back what was never sent; a new gateway takes over at the next
 * chunk and the old one is freed; a queue started without one waits for
 * it; the descriptor wakes the loop. */
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sendq.h"

/* A gateway that records what it sends; it can be held at the start of a
 * chunk until the test lets it go. */
struct fakegw {
	struct gateway_out base;
	int tag;    /* goes into the message ids */
	int *freed; /* set to tag when freed */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool hold;    /* wait at the next chunk until released */
	bool holding; /* waiting now */
	size_t chunks, sent;
	char log[64][32]; /* "to" of each sent, in order */
};

static void
fake_send_many(struct gateway_out *gw, struct gateway_send *items, size_t n)
{
	struct fakegw *f = (struct fakegw *)gw;

	pthread_mutex_lock(&f->lock);
	f->chunks++;
	f->holding = f->hold;
	pthread_cond_broadcast(&f->cond);
	while (f->hold)
		pthread_cond_wait(&f->cond, &f->lock);
	f->holding = false;
	for (size_t i = 0; i < n; i++) {
		items[i].res.status = strcmp(items[i].body, "fail") == 0
		                          ? GATEWAY_RETRY
		                          : GATEWAY_OK;
		snprintf(items[i].res.message_id,
		         sizeof(items[i].res.message_id), "g%d-%zu", f->tag,
		         f->sent);
		if (f->sent < 64)
			snprintf(f->log[f->sent], sizeof(f->log[0]), "%s",
			         items[i].to);
		f->sent++;
	}
	pthread_mutex_unlock(&f->lock);
}

static void
fake_free(struct gateway_out *gw)
{
	struct fakegw *f = (struct fakegw *)gw;

	*f->freed = f->tag;
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static const struct gateway_out_ops fake_ops = {
	.name = "fake",
	.send_many = fake_send_many,
	.free = fake_free,
};

static struct fakegw *
fake_new(int tag, int *freed)
{
	struct fakegw *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->base.ops = &fake_ops;
	f->tag = tag;
	f->freed = freed;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	return f;
}

static void
fake_hold(struct fakegw *f, bool hold)
{
	pthread_mutex_lock(&f->lock);
	f->hold = hold;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* Waits until the thread is held at the start of a chunk. */
static void
fake_wait_holding(struct fakegw *f)
{
	pthread_mutex_lock(&f->lock);
	while (!f->holding)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
}

static void
item(struct store_outbox_item *it, int64_t id, const char *to, const char *body)
{
	memset(it, 0, sizeof(*it));
	it->id = id;
	it->to = strdup(to);
	it->body = strdup(body);
	assert_non_null(it->to);
	assert_non_null(it->body);
}

/* Waits on the descriptor (at most 5 s), then pops one. */
static int
pop_wait(struct sendq *q, struct store_outbox_item *it,
         struct gateway_result *res)
{
	for (int i = 0; i < 50; i++) {
		if (sendq_pop(q, it, res) == 1)
			return 1;
		struct pollfd p = { .fd = sendq_fd(q), .events = POLLIN };
		poll(&p, 1, 100);
	}
	return 0;
}

static void
test_in_order_with_outcomes(void **state)
{
	(void)state;
	int freed = 0;
	struct fakegw *f = fake_new(1, &freed);
	struct sendq *q;
	struct store_outbox_item it;
	struct gateway_result res;
	char err[128], to[16];

	assert_int_equal(sendq_new(&f->base, 8, 3, &q, err, sizeof(err)), 0);
	assert_int_equal(sendq_room(q), 8);
	assert_int_equal(sendq_pop(q, &it, &res), 0);
	for (int i = 0; i < 7; i++) {
		snprintf(to, sizeof(to), "+1555000%d", i);
		item(&it, 100 + i, to, i == 4 ? "fail" : "hello");
		assert_int_equal(sendq_push(q, &it), 0);
	}
	assert_int_equal(sendq_outstanding(q), 7);
	assert_int_equal(sendq_room(q), 1);
	for (int i = 0; i < 7; i++) {
		assert_int_equal(pop_wait(q, &it, &res), 1);
		assert_int_equal(it.id, 100 + i);
		snprintf(to, sizeof(to), "+1555000%d", i);
		assert_string_equal(it.to, to);
		assert_int_equal(res.status,
		                 i == 4 ? GATEWAY_RETRY : GATEWAY_OK);
		store_outbox_item_free(&it);
	}
	assert_int_equal(sendq_outstanding(q), 0);
	assert_int_equal(sendq_room(q), 8);
	/* Chunks of at most 3. */
	assert_true(f->chunks >= 3);
	assert_int_equal(f->sent, 7);
	sendq_free(q);
	assert_int_equal(freed, 1);
}

static void
test_full_queue_refuses(void **state)
{
	(void)state;
	int freed = 0;
	struct fakegw *f = fake_new(1, &freed);
	struct sendq *q;
	struct store_outbox_item it;
	char err[128];

	f->hold = true;
	assert_int_equal(sendq_new(&f->base, 2, 1, &q, err, sizeof(err)), 0);
	item(&it, 1, "+15550001", "a");
	assert_int_equal(sendq_push(q, &it), 0);
	item(&it, 2, "+15550002", "b");
	assert_int_equal(sendq_push(q, &it), 0);
	assert_int_equal(sendq_room(q), 0);
	item(&it, 3, "+15550003", "c");
	assert_int_equal(sendq_push(q, &it), -1);
	store_outbox_item_free(&it); /* still the caller's */
	fake_hold(f, false);
	sendq_free(q); /* frees what is left */
	assert_int_equal(freed, 1);
}

static void
test_stop_gives_back_unsent(void **state)
{
	(void)state;
	int freed = 0;
	struct fakegw *f = fake_new(1, &freed);
	struct sendq *q;
	struct store_outbox_item it;
	struct gateway_result res;
	char err[128];
	int64_t back = 0;
	int unsent = 0;

	f->hold = true;
	assert_int_equal(sendq_new(&f->base, 16, 2, &q, err, sizeof(err)), 0);
	for (int i = 0; i < 5; i++) {
		item(&it, i + 1, "+15550001", "x");
		assert_int_equal(sendq_push(q, &it), 0);
	}
	/* The thread holds its first chunk (id 1, perhaps 2 as well: it may
	 * have woken before the second push); stopping lets it finish that
	 * chunk, and at most the next it may already have begun. */
	fake_wait_holding(f);
	assert_int_equal(sendq_take_unsent(q, &it), 0); /* not stopped */
	fake_hold(f, false);
	sendq_stop(q);
	assert_int_equal(sendq_room(q), 0);
	/* Sent ones come back first, then the rest as unsent. */
	assert_int_equal(sendq_take_unsent(q, &it), 0);
	while (sendq_pop(q, &it, &res) == 1) {
		assert_int_equal(it.id, ++back);
		assert_int_equal(res.status, GATEWAY_OK);
		store_outbox_item_free(&it);
	}
	assert_true(back >= 1);
	assert_int_equal((size_t)back, f->sent);
	while (sendq_take_unsent(q, &it) == 1) {
		assert_int_equal(it.id, ++back);
		unsent++;
		store_outbox_item_free(&it);
	}
	assert_int_equal(back, 5);
	assert_int_equal((size_t)(5 - unsent), f->sent);
	assert_int_equal(sendq_outstanding(q), 0);
	sendq_free(q);
}

static void
test_new_gateway_at_next_chunk(void **state)
{
	(void)state;
	int freed1 = 0, freed2 = 0, freed3 = 0;
	struct fakegw *f1 = fake_new(1, &freed1);
	struct fakegw *f2 = fake_new(2, &freed2);
	struct fakegw *f3 = fake_new(3, &freed3);
	struct sendq *q;
	struct store_outbox_item it;
	struct gateway_result res;
	char err[128];

	assert_int_equal(sendq_new(&f1->base, 4, 4, &q, err, sizeof(err)), 0);
	item(&it, 1, "+15550001", "x");
	assert_int_equal(sendq_push(q, &it), 0);
	assert_int_equal(pop_wait(q, &it, &res), 1);
	assert_string_equal(res.message_id, "g1-0");
	store_outbox_item_free(&it);

	/* Two reloads before the next chunk: the first new one is never
	 * used and is freed at once; the second takes over. */
	sendq_set_gateway(q, &f2->base);
	sendq_set_gateway(q, &f3->base);
	assert_int_equal(freed2, 2);
	assert_int_equal(freed1, 0);
	item(&it, 2, "+15550002", "y");
	assert_int_equal(sendq_push(q, &it), 0);
	assert_int_equal(pop_wait(q, &it, &res), 1);
	assert_string_equal(res.message_id, "g3-0");
	store_outbox_item_free(&it);
	assert_int_equal(freed1, 1); /* freed by the thread */
	sendq_free(q);
	assert_int_equal(freed3, 3);
}

/* backtalkd starts the thread before its first configuration: a reply
 * handed over before there is a gateway waits for one, and is sent with
 * it. */
static void
test_no_gateway_yet(void **state)
{
	(void)state;
	int freed = 0;
	struct fakegw *f = fake_new(1, &freed);
	struct sendq *q;
	struct store_outbox_item it;
	struct gateway_result res;
	struct pollfd p;
	char err[128];

	assert_int_equal(sendq_new(NULL, 4, 4, &q, err, sizeof(err)), 0);
	p = (struct pollfd){ .fd = sendq_fd(q), .events = POLLIN };
	item(&it, 1, "+15550001", "x");
	assert_int_equal(sendq_push(q, &it), 0);
	assert_int_equal(poll(&p, 1, 200), 0); /* nothing sent */
	sendq_set_gateway(q, &f->base);
	assert_int_equal(pop_wait(q, &it, &res), 1);
	assert_string_equal(res.message_id, "g1-0");
	store_outbox_item_free(&it);
	sendq_free(q);
	assert_int_equal(freed, 1);
}

static void
test_descriptor_wakes(void **state)
{
	(void)state;
	int freed = 0;
	struct fakegw *f = fake_new(1, &freed);
	struct sendq *q;
	struct store_outbox_item it;
	struct gateway_result res;
	struct pollfd p;
	char err[128];

	assert_int_equal(sendq_new(&f->base, 4, 4, &q, err, sizeof(err)), 0);
	p = (struct pollfd){ .fd = sendq_fd(q), .events = POLLIN };
	assert_int_equal(poll(&p, 1, 0), 0);
	item(&it, 1, "+15550001", "x");
	assert_int_equal(sendq_push(q, &it), 0);
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(sendq_pop(q, &it, &res), 1);
	store_outbox_item_free(&it);
	/* Nothing left: popping again clears it. */
	assert_int_equal(sendq_pop(q, &it, &res), 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	sendq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_with_outcomes),
		cmocka_unit_test(test_full_queue_refuses),
		cmocka_unit_test(test_stop_gives_back_unsent),
		cmocka_unit_test(test_new_gateway_at_next_chunk),
		cmocka_unit_test(test_no_gateway_yet),
		cmocka_unit_test(test_descriptor_wakes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
