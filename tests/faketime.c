/* faketime: an LD_PRELOAD library for tests that sets the wall clock of a
 * process apart from the host's, to see what backtalkd does when its clock
 * is wrong or steps (a clock fast at boot, then corrected by NTP).
 *
 *   FAKETIME_CONTROL  a file holding the offset in whole seconds (e.g.
 *                     "3600" for an hour ahead, "-60"), read again every
 *                     20 ms; empty or missing: no offset
 *
 * Only the wall clock moves: clock_gettime(CLOCK_REALTIME and
 * CLOCK_REALTIME_COARSE), gettimeofday() and time().  CLOCK_MONOTONIC and
 * the other clocks are left as they are, as a real step leaves them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef int (*faketime_gettime_fn)(clockid_t, struct timespec *);

static _Atomic long long faketime_offset;
static _Atomic long long faketime_next_read_ns;

static faketime_gettime_fn
faketime_real(void)
{
	static _Atomic(faketime_gettime_fn) fn;
	faketime_gettime_fn f = atomic_load(&fn);

	if (f == NULL) {
		f = (faketime_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
		atomic_store(&fn, f);
	}
	return f;
}

/* The offset from FAKETIME_CONTROL, read at most every 20 ms (threads
 * racing to read it read the same file). */
static long long
faketime_get(void)
{
	const char *ctl = getenv("FAKETIME_CONTROL");
	struct timespec ts;
	long long now_ns;
	char buf[32];

	if (ctl == NULL || faketime_real()(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	now_ns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (now_ns < atomic_load(&faketime_next_read_ns))
		return atomic_load(&faketime_offset);
	atomic_store(&faketime_next_read_ns, now_ns + 20000000LL);
	int fd = open(ctl, O_RDONLY | O_CLOEXEC);
	long long off = 0;
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fd);
		off = strtoll(buf, NULL, 10);
	}
	atomic_store(&faketime_offset, off);
	return off;
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc = faketime_real()(id, ts);

	if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += (time_t)faketime_get();
	return rc;
}

int
gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t
time(time_t *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t != NULL)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
