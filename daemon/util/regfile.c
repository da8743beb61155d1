/* regfile.c: open a file only if it is a regular one, never blocking
 * (regfile.h).  A FIFO opened for reading blocks until a writer comes,
 * unless O_NONBLOCK is given; with it the open returns at once and fstat
 * says what the file is. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "regfile.h"

int
regfile_open(const char *path, int extra_flags, struct stat *st, char *err,
             size_t errlen)
{
	int fd, flags, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | extra_flags);
	if (fd < 0) {
		saved = errno;
		snprintf(err, errlen, "%s", strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, st) != 0) {
		saved = errno;
		snprintf(err, errlen, "%s", strerror(saved));
		goto fail;
	}
	if (S_ISDIR(st->st_mode)) {
		saved = EISDIR;
		snprintf(err, errlen, "it is a directory");
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		saved = ENXIO;
		snprintf(err, errlen,
		         "it is not a regular file (a FIFO, device or "
		         "socket)");
		goto fail;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		saved = errno;
		snprintf(err, errlen, "%s", strerror(saved));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	errno = saved;
	return -1;
}

FILE *
regfile_fopen(const char *path, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd, saved;

	fd = regfile_open(path, 0, &st, err, errlen);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (f == NULL) {
		saved = errno;
		snprintf(err, errlen, "%s", strerror(saved));
		close(fd);
		errno = saved;
	}
	return f;
}
