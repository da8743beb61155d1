/* Shared by the libFuzzer targets: the entry points and a check that holds
 * in release builds too (assert() is compiled out under NDEBUG). */
#ifndef BACKTALK_FUZZ_H
#define BACKTALK_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_file.c: a scratch file for the targets that load a file.
 * fuzz_file_init returns its path; fuzz_file_write replaces its contents;
 * fuzz_file_includes says whether the input has a libconfig @include
 * (skipped: it would read arbitrary files). */
const char *fuzz_file_init(const char *name);
void fuzz_file_write(const uint8_t *data, size_t size);
bool fuzz_file_includes(const uint8_t *data, size_t size);

/* fuzz_shipped.c: the rules the classifying targets fuzz against, from
 * $BACKTALK_FUZZ_RULES or the repository's rules/, and their classifier;
 * loaded once, freed at exit.  Exits with the reasons when they do not
 * load (or, with need_convos, have no conversations). */
struct ruleset;
struct classify;
struct fuzz_shipped {
	struct ruleset *rs;
	struct classify *c;
};
const struct fuzz_shipped *fuzz_shipped_load(const char *target,
                                             bool need_convos);

/* Aborts, so libFuzzer saves the input, when an invariant is broken. */
#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			        __LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
