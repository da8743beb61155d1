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
