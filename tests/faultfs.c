/* faultfs: an LD_PRELOAD library for tests that makes writes to chosen
 * files fail, to see what backtalkd does when its disk fills up, turns
 * read-only or fails.
 *
 *   FAULTFS_PREFIX   only files whose path starts with this are affected
 *                    (e.g. /tmp/lab/state.db catches state.db, -wal, -shm)
 *   FAULTFS_CONTROL  a file holding the mode, read again every 50 ms:
 *                    empty or missing  no faults
 *                    enospc            pwrite, write: ENOSPC
 *                    erofs             pwrite, write: EROFS
 *                    eio               pwrite, write, fsync, fdatasync: EIO
 *
 * Writes through mmap (SQLite's WAL index) are not affected. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum faultfs_mode { FAULTFS_NONE, FAULTFS_ENOSPC, FAULTFS_EROFS, FAULTFS_EIO };

static enum faultfs_mode faultfs_mode_now;
static double faultfs_next_read;

static double
faultfs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The mode from FAULTFS_CONTROL, read at most every 50 ms.  Uses the
 * real read(2), which is not wrapped. */
static enum faultfs_mode
faultfs_mode(void)
{
	const char *ctl = getenv("FAULTFS_CONTROL");
	char buf[16] = "";
	double now = faultfs_now();

	if (ctl == NULL)
		return FAULTFS_NONE;
	if (now < faultfs_next_read)
		return faultfs_mode_now;
	faultfs_next_read = now + 0.05;
	int fd = open(ctl, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	if (strncmp(buf, "enospc", 6) == 0)
		faultfs_mode_now = FAULTFS_ENOSPC;
	else if (strncmp(buf, "erofs", 5) == 0)
		faultfs_mode_now = FAULTFS_EROFS;
	else if (strncmp(buf, "eio", 3) == 0)
		faultfs_mode_now = FAULTFS_EIO;
	else
		faultfs_mode_now = FAULTFS_NONE;
	return faultfs_mode_now;
}

/* Whether fd is one of the files FAULTFS_PREFIX names. */
static bool
faultfs_target(int fd)
{
	const char *prefix = getenv("FAULTFS_PREFIX");
	char link[64], path[4096];

	if (prefix == NULL || *prefix == '\0')
		return false;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = '\0';
	return strncmp(path, prefix, strlen(prefix)) == 0;
}

/* 0 to go ahead, or the errno the call fails with. */
static int
faultfs_fail(int fd, bool is_sync)
{
	enum faultfs_mode m = faultfs_mode();

	if (m == FAULTFS_NONE || !faultfs_target(fd))
		return 0;
	switch (m) {
	case FAULTFS_ENOSPC:
		return is_sync ? 0 : ENOSPC;
	case FAULTFS_EROFS:
		return is_sync ? 0 : EROFS;
	case FAULTFS_EIO:
		return EIO;
	default:
		return 0;
	}
}

typedef ssize_t (*faultfs_pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*faultfs_write_fn)(int, const void *, size_t);
typedef int (*faultfs_sync_fn)(int);

/* The next definition of name (libc's). */
static void *
faultfs_real(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	static faultfs_pwrite_fn real;
	int e = faultfs_fail(fd, false);

	if (real == NULL)
		*(void **)&real = faultfs_real("pwrite64");
	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd, buf, n, off);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite64(fd, buf, n, off);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	static faultfs_write_fn real;
	int e = faultfs_fail(fd, false);

	if (real == NULL)
		*(void **)&real = faultfs_real("write");
	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd, buf, n);
}

static int
faultfs_sync(const char *name, faultfs_sync_fn *real, int fd)
{
	int e = faultfs_fail(fd, true);

	if (*real == NULL)
		*(void **)real = faultfs_real(name);
	if (e != 0) {
		errno = e;
		return -1;
	}
	return (*real)(fd);
}

int
fsync(int fd)
{
	static faultfs_sync_fn real;

	return faultfs_sync("fsync", &real, fd);
}

int
fdatasync(int fd)
{
	static faultfs_sync_fn real;

	return faultfs_sync("fdatasync", &real, fd);
}
