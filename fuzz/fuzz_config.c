/* Fuzzes the daemon's configuration loader: the input is written to a
 * config file (see fuzz_file.c) and loaded.  A config that loads has no
 * errors; one that does not has at least one, each reported as file:line.
 * Secret files it names are read only if they are regular files (secret.c),
 * so a path to a device or a FIFO cannot hang it. */
#include <string.h>

#include "config.h"
#include "diag.h"
#include "fuzz.h"

static const char *fuzz_config_path;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_config_path = fuzz_file_init("fuzz-config");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	struct diag d;

	if (fuzz_file_includes(data, size))
		return -1;
	fuzz_file_write(data, size);
	diag_init(&d);
	int rc = config_load(fuzz_config_path, &cfg, &d);
	if (rc == 0)
		FUZZ_CHECK(cfg != NULL && d.errors == 0);
	else
		FUZZ_CHECK(cfg == NULL && d.errors > 0);
	FUZZ_CHECK(d.count <= d.errors + d.warnings);
	config_free(cfg);
	diag_free(&d);
	return 0;
}
