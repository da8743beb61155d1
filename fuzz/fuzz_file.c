/* The scratch file the file-reading targets (rules, config) load each
 * input from.  Each process makes one temporary file, unlinks it at once
 * and rewrites it for every input, read back through /proc/self/fd: a long
 * run never fills the disk and a crash leaves nothing behind in /tmp. */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char fuzz_file_path[64];
static int fuzz_file_fd = -1;

const char *
fuzz_file_init(const char *name)
{
	const char *dir = getenv("TMPDIR");
	char tmp[4096];

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/backtalk-%s-XXXXXX", dir,
	                     name) >= sizeof(tmp)) {
		fprintf(stderr, "%s: TMPDIR is too long\n", name);
		exit(1);
	}
	fuzz_file_fd = mkstemp(tmp);
	if (fuzz_file_fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	unlink(tmp);
	snprintf(fuzz_file_path, sizeof(fuzz_file_path), "/proc/self/fd/%d",
	         fuzz_file_fd);
	return fuzz_file_path;
}

/* Makes the file hold exactly data[0..size); aborts when it cannot. */
void
fuzz_file_write(const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (ftruncate(fuzz_file_fd, 0) != 0) {
		perror("fuzz_file: ftruncate");
		abort();
	}
	while (off < size) {
		ssize_t n =
		    pwrite(fuzz_file_fd, data + off, size - off, (off_t)off);
		if (n <= 0) {
			perror("fuzz_file: pwrite");
			abort();
		}
		off += (size_t)n;
	}
}

bool
fuzz_file_includes(const uint8_t *data, size_t size)
{
	/* libconfig's @include would read any file on the machine, devices
	 * such as /dev/stdin included: not our loader's code, and a hang. */
	return memmem(data, size, "@include", 8) != NULL;
}
