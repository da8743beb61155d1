/* Shared by the libFuzzer targets: the entry points and a check that holds
 * in release builds too (assert() is compiled out under NDEBUG). */
#ifndef BACKTALK_FUZZ_H
#define BACKTALK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
