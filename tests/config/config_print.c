/* Loads one config file and prints its diagnostics as --check-config does,
 * for the golden-file tests in this directory.  Exit status 0 when the
 * file loads, 1 when it does not, 2 on a usage error. */
#include <stdio.h>

#include "config.h"

int
main(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct diag d;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: config_print FILE\n");
		return 2;
	}
	diag_init(&d);
	rc = config_load(argv[1], &cfg, &d) == 0 ? 0 : 1;
	diag_print(&d, stdout);
	config_free(cfg);
	diag_free(&d);
	return rc;
}
