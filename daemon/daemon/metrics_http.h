/* The metrics endpoint: a small HTTP server (libmicrohttpd) serving
 * GET /metrics and GET /healthz, driven by the daemon's own event loop.
 * It has no thread of its own: the loop polls metrics_http_fd() beside its
 * other descriptors, never sleeps past metrics_http_timeout(), and calls
 * metrics_http_run() each turn, which never blocks. */
#ifndef BACKTALK_METRICS_HTTP_H
#define BACKTALK_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define METRICS_HTTP_CONNECTIONS 64 /* at once; more wait in the backlog */
/* Every connection is closed this long after it was accepted, whatever it
 * sends (and sooner when idle this long). */
#define METRICS_HTTP_TIMEOUT_S 5

struct metrics_http;

/* Builds the body of GET /metrics (health false) or GET /healthz (health
 * true): returns it (malloc'd, taken by the server) with its length and
 * HTTP status, or NULL (the server answers 500). */
typedef char *(*metrics_http_page_fn)(void *arg, bool health,
                                      unsigned *ret_status, size_t *ret_len);

/* Listens on addr (an IPv4 or IPv6 address) and port.  0 and *ret set, or
 * -1 with the reason in err. */
int metrics_http_start(const char *addr, unsigned port,
                       metrics_http_page_fn page, void *arg,
                       struct metrics_http **ret, char *err, size_t errlen);
void metrics_http_stop(struct metrics_http *h); /* accepts NULL */

/* Whether it listens on addr and port already. */
bool metrics_http_is_at(const struct metrics_http *h, const char *addr,
                        unsigned port);
/* The descriptor to poll for input (covers the listening socket and every
 * connection). */
int metrics_http_fd(const struct metrics_http *h);
/* Seconds the loop may sleep at most before metrics_http_run(); -1 for no
 * limit.  Shuts down connections past their deadline on the way. */
double metrics_http_timeout(struct metrics_http *h);
/* Accepts, reads and answers what is ready, without blocking. */
void metrics_http_run(struct metrics_http *h);

#endif
