/* Fuzzes the rule loader: the input is written to a rule file (see
 * fuzz_file.c) and loaded, and a rule set that loads is checked as
 * `backtalk check` would. */
#include <stdbool.h>
#include <string.h>

#include "diag.h"
#include "fuzz.h"
#include "rulecheck.h"
#include "rules.h"

static const char *fuzz_rules_path;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_rules_path = fuzz_file_init("fuzz-rules");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs = NULL;
	struct diag d;

	if (fuzz_file_includes(data, size))
		return -1;
	fuzz_file_write(data, size);

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
