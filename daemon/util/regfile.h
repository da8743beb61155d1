/* Opening a file that must be a regular one (the config, a rule file, a
 * secret) without ever blocking: a FIFO, a device or a socket in its place
 * is refused at once instead of hanging start-up, a reload, `backtalk
 * check` and SIGTERM with them. */
#ifndef BACKTALK_REGFILE_H
#define BACKTALK_REGFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/* Opens path read-only with O_NONBLOCK and extra_flags (O_NOFOLLOW, say),
 * checks with fstat that it is a regular file, then clears O_NONBLOCK.
 * Returns the descriptor with *st filled, or -1 with errno set (EISDIR for
 * a directory, ENXIO for anything else that is not a regular file) and
 * err filled with why, without the path: "it is a directory", "it is not
 * a regular file (a FIFO, device or socket)" or strerror's text. */
int regfile_open(const char *path, int extra_flags, struct stat *st, char *err,
                 size_t errlen);

/* regfile_open as a stdio stream, for libconfig's config_read. */
FILE *regfile_fopen(const char *path, char *err, size_t errlen);

#endif
