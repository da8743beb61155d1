/* Diagnostics: the errors and warnings that checking config or rules finds,
 * each with the file and line an operator has to edit. */
#ifndef BACKTALK_DIAG_H
#define BACKTALK_DIAG_H

#include <stdio.h>
#include <stddef.h>

enum diag_severity { DIAG_ERROR, DIAG_WARNING };

struct diag_item {
	enum diag_severity severity;
	char *file; /* NULL when the problem has no file */
	int line;   /* 0 when unknown */
	char *message;
};

struct diag {
	struct diag_item *items;
	size_t count, cap;
	size_t errors, warnings;
	size_t max; /* items kept beyond this are only counted */
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);
void diag_add(struct diag *d, enum diag_severity sev, const char *file,
              int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prints "file:line: error: message" lines in the order found. */
void diag_print(const struct diag *d, FILE *fp);

#endif
