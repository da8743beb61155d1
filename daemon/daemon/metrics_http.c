/* The metrics endpoint over libmicrohttpd in its "external" mode with
 * epoll: no thread is started; one epoll descriptor stands for the
 * listening socket and all connections, and MHD_run() does what is ready
 * and returns.  Everything that comes from a client is bounded: the
 * number of connections, small request headers, two paths, and the time a
 * connection may stay.  libmicrohttpd's own timeout is an idle one (a
 * client sending a header line every 2 s stayed for good), so each
 * connection is noted when it starts (MHD_OPTION_NOTIFY_CONNECTION) and
 * shut down METRICS_HTTP_TIMEOUT_S later whatever it does; the loop wakes
 * for that deadline.  There is no per-address limit: every client is on
 * 127.0.0.1 when the endpoint is, so four slow ones used to lock the
 * scraper out.  Instead there is room for more connections than a flood
 * of slow clients is likely to hold at once, and when it is full new ones
 * wait in the listen backlog, in turn, for the deadline to free a slot. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "metrics_http.h"

#define METRICS_HTTP_MEMORY_LIMIT (16 * 1024) /* request headers and all */
#define METRICS_HTTP_BACKLOG      128
#define METRICS_HTTP_ADDR_MAX     64

/* A connection, from when libmicrohttpd accepted it. */
struct metrics_http_conn {
	struct metrics_http_conn *prev, *next;
	double deadline; /* monotonic seconds */
	int fd;
	bool cut; /* shut down; libmicrohttpd closes it next */
};

struct metrics_http {
	struct metrics_http_conn *first, *last; /* oldest first */
	struct MHD_Daemon *mhd;
	metrics_http_page_fn page;
	void *arg;
	char addr[METRICS_HTTP_ADDR_MAX];
	unsigned port;
	int fd;
	char error[256]; /* libmicrohttpd's last complaint */
};

static double
metrics_http_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Notes a connection when it starts and forgets it when it closes. */
static void
metrics_http_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                    enum MHD_ConnectionNotificationCode toe)
{
	struct metrics_http *h = cls;
	struct metrics_http_conn *mc = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c,
		                             MHD_CONNECTION_INFO_CONNECTION_FD);
		mc = calloc(1, sizeof(*mc));
		if (mc == NULL || ci == NULL) {
			/* Not noted, so not served: */
			if (ci != NULL)
				shutdown(ci->connect_fd, SHUT_RDWR);
			free(mc);
			*socket_context = NULL;
			return;
		}
		mc->fd = ci->connect_fd;
		mc->deadline = metrics_http_now() + METRICS_HTTP_TIMEOUT_S;
		mc->prev = h->last;
		if (h->last != NULL)
			h->last->next = mc;
		else
			h->first = mc;
		h->last = mc;
		*socket_context = mc;
		return;
	}
	if (mc == NULL)
		return;
	if (mc->prev != NULL)
		mc->prev->next = mc->next;
	else
		h->first = mc->next;
	if (mc->next != NULL)
		mc->next->prev = mc->prev;
	else
		h->last = mc->prev;
	free(mc);
	*socket_context = NULL;
}

/* Shuts down every connection past its deadline: libmicrohttpd sees the
 * end of its input and closes it.  Returns the seconds until the next
 * deadline, or -1 when none is pending. */
static double
metrics_http_sweep(struct metrics_http *h)
{
	double now = metrics_http_now();

	for (struct metrics_http_conn *mc = h->first; mc != NULL;
	     mc = mc->next) {
		if (mc->cut)
			continue;
		if (mc->deadline > now)
			return mc->deadline - now;
		shutdown(mc->fd, SHUT_RDWR);
		mc->cut = true;
	}
	return -1;
}

static void
metrics_http_logger(void *cls, const char *fmt, va_list ap)
{
	struct metrics_http *h = cls;
	size_t n;

	vsnprintf(h->error, sizeof(h->error), fmt, ap);
	n = strlen(h->error);
	while (n > 0 && (h->error[n - 1] == '\n' || h->error[n - 1] == '.'))
		h->error[--n] = '\0';
}

static enum MHD_Result
metrics_http_reply(struct MHD_Connection *c, unsigned status, char *body,
                   size_t len, bool exposition)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        exposition ? "text/plain; version=0.0.4; "
	                                     "charset=utf-8"
	                                   : "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
metrics_http_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	char *body = strdup(text);

	if (body == NULL)
		return MHD_NO;
	return metrics_http_reply(c, status, body, strlen(body), false);
}

static enum MHD_Result
metrics_http_on_request(void *cls, struct MHD_Connection *c, const char *url,
                        const char *method, const char *version,
                        const char *upload, size_t *upload_size, void **state)
{
	struct metrics_http *h = cls;
	bool health;
	unsigned status = 0;
	size_t len = 0;
	char *body;

	(void)version;
	(void)upload;
	(void)state;
	/* A body is not wanted: drop it (the memory limit bounds it). */
	*upload_size = 0;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return metrics_http_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		                         "only GET\n");
	if (strcmp(url, "/metrics") == 0)
		health = false;
	else if (strcmp(url, "/healthz") == 0)
		health = true;
	else
		return metrics_http_text(
		    c, MHD_HTTP_NOT_FOUND,
		    "not found; try /metrics or /healthz\n");
	body = h->page(h->arg, health, &status, &len);
	if (body == NULL)
		return metrics_http_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		                         "out of memory\n");
	return metrics_http_reply(c, status, body, len, !health);
}

int
metrics_http_start(const char *addr, unsigned port, metrics_http_page_fn page,
                   void *arg, struct metrics_http **ret, char *err,
                   size_t errlen)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sa4 = { .sin_family = AF_INET };
	const struct sockaddr *sa;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	struct metrics_http *h;

	if (inet_pton(AF_INET, addr, &sa4.sin_addr) == 1) {
		sa4.sin_port = htons((uint16_t)port);
		sa = (const struct sockaddr *)&sa4;
	} else if (inet_pton(AF_INET6, addr, &sa6.sin6_addr) == 1) {
		sa6.sin6_port = htons((uint16_t)port);
		sa = (const struct sockaddr *)&sa6;
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "%s is not an IP address", addr);
		return -1;
	}
	if (strlen(addr) >= METRICS_HTTP_ADDR_MAX || port == 0 ||
	    port > 65535) {
		snprintf(err, errlen, "bad address or port");
		return -1;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->page = page;
	h->arg = arg;
	h->port = port;
	snprintf(h->addr, sizeof(h->addr), "%s", addr);
	h->mhd = MHD_start_daemon(
	    flags, (uint16_t)port, NULL, NULL, metrics_http_on_request, h,
	    MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_EXTERNAL_LOGGER,
	    metrics_http_logger, h, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)METRICS_HTTP_CONNECTIONS, MHD_OPTION_NOTIFY_CONNECTION,
	    metrics_http_notify, h, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)METRICS_HTTP_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)METRICS_HTTP_MEMORY_LIMIT, MHD_OPTION_LISTEN_BACKLOG_SIZE,
	    (unsigned)METRICS_HTTP_BACKLOG, MHD_OPTION_END);
	if (h->mhd == NULL) {
		snprintf(err, errlen, "cannot listen on %s port %u: %s", addr,
		         port, h->error[0] ? h->error : "libmicrohttpd failed");
		free(h);
		return -1;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL || info->epoll_fd < 0) {
		snprintf(err, errlen, "libmicrohttpd has no epoll descriptor");
		metrics_http_stop(h);
		return -1;
	}
	h->fd = info->epoll_fd;
	*ret = h;
	return 0;
}

void
metrics_http_stop(struct metrics_http *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->mhd); /* notifies every close */
	free(h);
}

bool
metrics_http_is_at(const struct metrics_http *h, const char *addr,
                   unsigned port)
{
	return h != NULL && h->port == port && strcmp(h->addr, addr) == 0;
}

int
metrics_http_fd(const struct metrics_http *h)
{
	return h->fd;
}

double
metrics_http_timeout(struct metrics_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;
	double t = metrics_http_sweep(h), m;

	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES)
		return t;
	m = (double)ms / 1000.0;
	return t < 0 || m < t ? m : t;
}

void
metrics_http_run(struct metrics_http *h)
{
	metrics_http_sweep(h);
	MHD_run(h->mhd);
}
