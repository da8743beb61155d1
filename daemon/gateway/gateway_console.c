/* The console gateway: inbound messages are lines on standard input (its
 * inbound part waits on it), replies are printed on standard output (its
 * outbound part).  For trying rules locally; it talks to no
 * network.  A line "+15551234567: text" comes from that number, any other
 * line from the demo number: numbers in E.164 already, as the daemon keeps
 * them (e164.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "config.h"
#include "gateway.h"

#define CONSOLE_DEMO_FROM "+15555550100"
#define CONSOLE_TO        "+15555550199"
#define CONSOLE_BUF       (BT_MESSAGE_MAX * 4)

struct gateway_console {
	union {
		struct gateway_in in;   /* reads standard input */
		struct gateway_out out; /* prints */
	} part;
	char buf[CONSOLE_BUF];
	size_t len;
	bool eof;
	unsigned long long seq;
	long long started; /* makes ids unique across runs */
};

/* "+15551234567: text" -> sender and the text after it. */
static const char *
console_split(char *line, const char **ret_from)
{
	size_t i = 1;

	*ret_from = CONSOLE_DEMO_FROM;
	if (line[0] != '+')
		return line;
	while (line[i] >= '0' && line[i] <= '9')
		i++;
	if (i < 7 || i > 16 || line[i] != ':')
		return line;
	line[i] = '\0';
	*ret_from = line;
	i++;
	while (line[i] == ' ')
		i++;
	return line + i;
}

static void
console_take_line(struct gateway_console *gc, char *line,
                  struct gateway_batch *ret)
{
	char id[64];
	const char *from;
	const char *body = console_split(line, &from);

	if (*body == '\0')
		return;
	snprintf(id, sizeof(id), "console-%lld-%llu", gc->started, ++gc->seq);
	gateway_batch_add(ret, id, from, CONSOLE_TO, body, (int64_t)time(NULL));
}

static enum gateway_status
console_poll(struct gateway_in *gw, struct gateway_batch *ret,
             struct gateway_result *res)
{
	struct gateway_console *gc =
	    gateway_of(gw, struct gateway_console, part.in);

	memset(res, 0, sizeof(*res));
	res->retry_after_s = -1;
	while (!gc->eof) {
		ssize_t n = read(STDIN_FILENO, gc->buf + gc->len,
		                 sizeof(gc->buf) - 1 - gc->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			gc->eof = true;
			break;
		}
		gc->len += (size_t)n;
		/* A line longer than the buffer is cut into pieces. */
		if (gc->len == sizeof(gc->buf) - 1)
			break;
	}
	char *start = gc->buf, *nl;
	gc->buf[gc->len] = '\0';
	while ((nl = memchr(start, '\n',
	                    gc->len - (size_t)(start - gc->buf))) != NULL) {
		*nl = '\0';
		if (nl > start && nl[-1] == '\r')
			nl[-1] = '\0';
		console_take_line(gc, start, ret);
		start = nl + 1;
	}
	size_t rest = gc->len - (size_t)(start - gc->buf);
	if (rest > 0 && (gc->eof || rest == sizeof(gc->buf) - 1)) {
		start[rest] = '\0';
		console_take_line(gc, start, ret);
		rest = 0;
		start = gc->buf + gc->len;
	}
	memmove(gc->buf, start, rest);
	gc->len = rest;
	ret->closed = gc->eof;
	return GATEWAY_OK;
}

static enum gateway_status
console_send(struct gateway_out *gw, const char *to, const char *body,
             struct gateway_result *res)
{
	struct gateway_console *gc =
	    gateway_of(gw, struct gateway_console, part.out);

	memset(res, 0, sizeof(*res));
	res->retry_after_s = -1;
	if (printf("-> %s: %s\n", to, body) < 0 || fflush(stdout) != 0) {
		res->status = GATEWAY_RETRY;
		snprintf(res->error, sizeof(res->error),
		         "cannot write to standard output: %s",
		         strerror(errno));
		return GATEWAY_RETRY;
	}
	snprintf(res->message_id, sizeof(res->message_id),
	         "console-out-%lld-%llu", gc->started, ++gc->seq);
	res->status = GATEWAY_OK;
	return GATEWAY_OK;
}

/* Printed output leaves no record to look up: say we cannot tell. */
static int
console_find_sent(struct gateway_out *gw, const char *to, const char *body,
                  int64_t since, struct gateway_result *res)
{
	(void)gw;
	(void)to;
	(void)body;
	(void)since;
	memset(res, 0, sizeof(*res));
	return -1;
}

/* Standard input until it ends; no deadline of its own. */
static void
console_events(struct gateway_in *gw, struct gateway_events *ev)
{
	struct gateway_console *gc =
	    gateway_of(gw, struct gateway_console, part.in);

	if (!gc->eof)
		ev->fds[ev->nfds++] = STDIN_FILENO;
}

static void
console_in_free(struct gateway_in *gw)
{
	if (gw != NULL)
		free(gateway_of(gw, struct gateway_console, part.in));
}

static void
console_out_free(struct gateway_out *gw)
{
	if (gw != NULL)
		free(gateway_of(gw, struct gateway_console, part.out));
}

static const struct gateway_in_ops console_in_ops = {
	.name = "console",
	.poll = console_poll,
	.events = console_events,
	.free = console_in_free,
};

static const struct gateway_out_ops console_out_ops = {
	.name = "console",
	.send = console_send,
	.find_sent = console_find_sent,
	.free = console_out_free,
};

/* Either part: it reads no setting and needs no secret. */
static struct gateway_console *
console_new(const struct config *cfg, const char *secret, char *err,
            size_t errlen)
{
	struct gateway_console *gc = calloc(1, sizeof(*gc));
	struct timespec ts;

	(void)cfg;
	(void)secret;
	if (gc == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gc->started = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return gc;
}

struct gateway_in *
gateway_console_in_new(const struct config *cfg, const char *secret, char *err,
                       size_t errlen)
{
	struct gateway_console *gc = console_new(cfg, secret, err, errlen);

	if (gc == NULL)
		return NULL;
	int fl = fcntl(STDIN_FILENO, F_GETFL);
	if (fl >= 0)
		fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK);
	gc->part.in.ops = &console_in_ops;
	return &gc->part.in;
}

struct gateway_out *
gateway_console_out_new(const struct config *cfg, const char *secret, char *err,
                        size_t errlen)
{
	struct gateway_console *gc = console_new(cfg, secret, err, errlen);

	if (gc == NULL)
		return NULL;
	gc->part.out.ops = &console_out_ops;
	return &gc->part.out;
}
