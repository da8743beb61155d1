/* Helpers shared by the unit tests: temporary rule files and lookups in a
 * diagnostics list.  Test code only; nothing here is linked into backtalk. */
#ifndef BACKTALK_TESTUTIL_H
#define BACKTALK_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "gateway.h"
#include "rules.h"

/* A fresh directory under $TMPDIR (or /tmp); the test fails if it cannot be
 * made.  Returns a string owned by the caller. */
char *testutil_tmpdir(void);

/* Removes a directory made by testutil_tmpdir and the files in it (one
 * level deep: the tests make no subdirectories). */
void testutil_rmdir(char *dir);

/* Writes text to dir/name and returns the path, owned by the caller. */
char *testutil_write(const char *dir, const char *name, const char *text);

/* Loads rules from text written to a temporary file; fails the test when
 * they do not load, printing the diagnostics. */
struct ruleset *testutil_load_text(const char *text);

/* The first item whose file ends with file_suffix (NULL: any file), whose
 * line is line (0: any line) and whose message contains every one of the
 * NULL-terminated substrings; NULL when none does. */
const struct diag_item *testutil_diag_find(const struct diag *d,
                                           const char *file_suffix, int line,
                                           ...);

/* head, then the n entries with commas between them, then tail (a JSON
 * list, say); the test fails when out of memory.  Free with free(). */
char *testutil_join(const char *head, const char *const *entries, size_t n,
                    const char *tail);

/* Items [first, first + n) of b are marked unreadable, with an empty body
 * (the id is checked by the caller), and the item after them is not. */
void testutil_expect_unreadable(const struct gateway_batch *b, size_t first,
                                size_t n);

/* A message a parser must read from a poisoned list, with its body. */
struct testutil_want {
	const char *id, *body;
};

/* Checks a batch parsed from a list with poisoned messages: every id and
 * body is valid UTF-8; each message whose id starts with emergency is
 * readable and says "chest pain"; each of want[0..n) is there, readable,
 * with that body.  Returns how many emergencies it found. */
size_t testutil_check_poisoned(const struct gateway_batch *b,
                               const char *emergency,
                               const struct testutil_want *want, size_t n);

/* Prints every item, to show what was found when an expectation fails. */
void testutil_diag_dump(const struct diag *d);

/* testutil_diag_find with the NULL after the substrings supplied. */
#define FIND_DIAG(d, file, line, ...) \
	testutil_diag_find((d), (file), (line), __VA_ARGS__, (const char *)NULL)

/* Fails the test, printing every diagnostic, unless one matches. */
#define EXPECT_DIAG(d, file, line, ...)                               \
	do {                                                          \
		if (FIND_DIAG(d, file, line, __VA_ARGS__) == NULL) {  \
			testutil_diag_dump(d);                        \
			fail_msg("no diagnostic at %s:%d with %s",    \
			         (file) ? (const char *)(file) : "*", \
			         (int)(line), #__VA_ARGS__);          \
		}                                                     \
	} while (0)

#endif
