/* gateway_batch.c: the batch of inbound messages that every driver's poll
 * and every parser fills (gateway_batch.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway_batch.h"

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
