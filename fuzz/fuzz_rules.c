/* Fuzzes the rule loader: the input is written to a rule file and loaded,
 * and a rule set that loads is checked as `backtalk check` would.  Each
 * process makes one temporary file, unlinks it at once and rewrites it for
 * every input, read back through /proc/self/fd: a long run never fills the
 * disk and a crash leaves nothing behind in /tmp. */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "rulecheck.h"
#include "rules.h"

static char fuzz_rules_path[64];
static int fuzz_rules_fd = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("TMPDIR");
	char tmp[4096];

	(void)argc;
	(void)argv;
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/backtalk-fuzz-rules-XXXXXX",
	                     dir) >= sizeof(tmp)) {
		fprintf(stderr, "fuzz_rules: TMPDIR is too long\n");
		exit(1);
	}
	fuzz_rules_fd = mkstemp(tmp);
	if (fuzz_rules_fd < 0) {
		perror("fuzz_rules: mkstemp");
		exit(1);
	}
	unlink(tmp);
	snprintf(fuzz_rules_path, sizeof(fuzz_rules_path), "/proc/self/fd/%d",
	         fuzz_rules_fd);
	return 0;
}

static bool
fuzz_rules_write(const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (ftruncate(fuzz_rules_fd, 0) != 0)
		return false;
	while (off < size) {
		ssize_t n =
		    pwrite(fuzz_rules_fd, data + off, size - off, (off_t)off);
		if (n <= 0)
			return false;
		off += (size_t)n;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs = NULL;
	struct diag d;

	/* libconfig's @include would read any file on the machine, devices
	 * such as /dev/stdin included: not the loader's code, and a hang. */
	if (memmem(data, size, "@include", 8) != NULL)
		return -1;
	if (!fuzz_rules_write(data, size)) {
		perror("fuzz_rules: writing the rule file");
		abort();
	}

	diag_init(&d);
	int rc = rules_load(fuzz_rules_path, &rs, &d);
	if (rc == 0) {
		FUZZ_CHECK(rs != NULL);
		size_t before = d.errors;
		size_t added = rulecheck_run(rs, size % 2 == 1, &d);
		FUZZ_CHECK(added == d.errors - before);
	} else {
		FUZZ_CHECK(rc == -1 && rs == NULL && d.errors > 0);
	}
	FUZZ_CHECK(d.count <= d.errors + d.warnings);
	rules_free(rs);
	diag_free(&d);
	return 0;
}
