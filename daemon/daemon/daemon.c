/* The daemon's time: its clocks (the system's, or a test's through
 * struct daemon_time) and the backoff between retries. */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "daemon.h"

double
daemon_now(const struct daemon *d)
{
	struct timespec ts;

	if (d != NULL && d->clock.now != NULL)
		return d->clock.now(d->clock.arg);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int64_t
daemon_clock(const struct daemon *d)
{
	if (d != NULL && d->clock.wall != NULL)
		return d->clock.wall(d->clock.arg);
	return (int64_t)time(NULL);
}

double
daemon_backoff(double base, unsigned attempt, double cap)
{
	double d = base * ldexp(1.0, attempt > 30 ? 30 : (int)attempt);

	if (d > cap)
		d = cap;
	/* Full jitter over the upper half keeps retries apart. */
	return d / 2 + (d / 2) * ((double)random() / RAND_MAX);
}
