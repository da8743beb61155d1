/* spool.c: raw gateway answers kept on disk until their messages are
 * staged (spool.h).  Errors name files and errno, never their contents. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"

#define SPOOL_SUFFIX ".json"

char *
spool_dir(const char *state_path)
{
	size_t len = strlen(state_path) + sizeof(".spool");
	char *s = malloc(len);

	if (s != NULL)
		snprintf(s, len, "%s.spool", state_path);
	return s;
}

/* dir/name, or "" when it does not fit (then open and rename fail). */
static void
spool_path(const char *dir, const char *name, const char *suffix, char *buf,
           size_t len)
{
	int n = snprintf(buf, len, "%s/%s%s", dir, name, suffix);

	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';
}

static int
spool_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

static int
spool_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Creates NAME.tmp for a name not taken yet; the fd, or -1. */
static int
spool_create(const char *dir, const char *prefix, char *name, size_t namelen,
             char *tmp, size_t tmplen)
{
	struct timespec ts;
	int fd = -1;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (unsigned i = 0; fd < 0 && i < 100; i++) {
		/* Zero-padded, so that names sort oldest first. */
		snprintf(name, namelen, "%s-%012lld%09ld-%02u" SPOOL_SUFFIX,
		         prefix, (long long)ts.tv_sec, ts.tv_nsec, i);
		spool_path(dir, name, ".tmp", tmp, tmplen);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	return fd;
}

int
spool_put(const char *dir, const char *prefix, const char *buf, size_t len,
          char *name, size_t namelen, char *err, size_t errlen)
{
	char tmp[4096], path[4096];
	int fd, e;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	fd = spool_create(dir, prefix, name, namelen, tmp, sizeof(tmp));
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file: %s", dir,
		         strerror(errno));
		return -1;
	}
	if (spool_write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", tmp, strerror(e));
		return -1;
	}
	close(fd);
	spool_path(dir, name, "", path, sizeof(path));
	if (rename(tmp, path) != 0 || spool_sync_dir(dir) != 0) {
		e = errno;
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}

int
spool_read(const char *dir, const char *name, char **ret, size_t *ret_len,
           char *err, size_t errlen)
{
	char path[4096], *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, e = 0;
	ssize_t n;

	spool_path(dir, name, "", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len + 1 >= cap) {
			char *p = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (p == NULL) {
				e = ENOMEM;
				break;
			}
			buf = p;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			e = errno;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (e != 0) {
		free(buf);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

int
spool_drop(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[4096];

	spool_path(dir, name, "", path, sizeof(path));
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Not synced: a file that comes back is read again, and its
	 * messages, staged before, are recorded once. */
	return 0;
}

void
spool_renamed(const char *name, const char *suffix, char *buf, size_t len)
{
	size_t n = strlen(name), r = strlen(SPOOL_READING);

	if (n > r && strcmp(name + n - r, SPOOL_READING) == 0)
		n -= r;
	snprintf(buf, len, "%.*s%s", (int)n, name, suffix);
}

int
spool_rename(const char *dir, const char *name, const char *suffix, char *err,
             size_t errlen)
{
	char from[4096], to[4096], base[SPOOL_NAME_MAX + 32];

	spool_renamed(name, suffix, base, sizeof(base));
	spool_path(dir, name, "", from, sizeof(from));
	spool_path(dir, base, "", to, sizeof(to));
	if (rename(from, to) != 0 || spool_sync_dir(dir) != 0) {
		snprintf(err, errlen, "%s: %s", from, strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether name is PREFIX-....json + suffix. */
static int
spool_ours(const char *name, const char *prefix, const char *suffix)
{
	size_t n = strlen(name), p = strlen(prefix);
	size_t s = strlen(SPOOL_SUFFIX) + strlen(suffix);

	return n > p + 1 + s && strncmp(name, prefix, p) == 0 &&
	       name[p] == '-' &&
	       strncmp(name + n - s, SPOOL_SUFFIX, strlen(SPOOL_SUFFIX)) == 0 &&
	       strcmp(name + n - strlen(suffix), suffix) == 0;
}

int
spool_oldest(const char *dir, const char *prefix, const char *suffix,
             char *name, size_t namelen, char *err, size_t errlen)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (dp == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		if (!spool_ours(de->d_name, prefix, suffix) ||
		    strlen(de->d_name) >= namelen ||
		    (found && strcmp(de->d_name, name) >= 0))
			continue;
		snprintf(name, namelen, "%s", de->d_name);
		found = 1;
	}
	closedir(dp);
	return found;
}
