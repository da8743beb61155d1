/* Compiling one rule pattern with PCRE2: the options every pattern gets. */
#ifndef BACKTALK_PATTERN_H
#define BACKTALK_PATTERN_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

/* Compiles src caselessly for UTF-8 text, JIT-compiled when the platform
 * allows.  On failure returns NULL and fills err and *ret_offset. */
pcre2_code *pattern_compile(const char *src, bool *ret_jit, char *err,
                            size_t errlen, size_t *ret_offset);

#endif
