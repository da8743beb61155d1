/* admin_mkstate PATH [NOW] [convo]: writes the records of admin_data.c
 * into a new state database at PATH, with times relative to NOW (Unix
 * seconds; default ADMIN_DATA_NOW), and with "convo" its conversations
 * too, for the tests in tests/admin/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_data.h"

int
main(int argc, char **argv)
{
	struct store *st;
	char err[512];
	int64_t now = ADMIN_DATA_NOW;

	bool convo = argc > 2 && strcmp(argv[argc - 1], "convo") == 0;

	if (convo)
		argc--;
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: admin_mkstate PATH [NOW] [convo]\n");
		return 2;
	}
	if (argc == 3)
		now = strtoll(argv[2], NULL, 10);
	if (store_open(argv[1], &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "admin_mkstate: %s\n", err);
		return 1;
	}
	if (admin_data_fill(st, now) < 0 ||
	    (convo && admin_data_fill_convo(st, now) < 0)) {
		fprintf(stderr, "admin_mkstate: %s\n", store_error(st));
		store_close(st);
		return 1;
	}
	store_close(st);
	return 0;
}
