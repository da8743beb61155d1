/* Diagnostics list. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

#define DIAG_MAX_DEFAULT 1000

void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
	d->max = DIAG_MAX_DEFAULT;
}

void
diag_free(struct diag *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->count; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

void
diag_add(struct diag *d, enum diag_severity sev, const char *file, int line,
         const char *fmt, ...)
{
	struct diag_item *it;
	va_list ap;
	char *msg;

	if (sev == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->count >= d->max)
		return;
	if (d->count == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		struct diag_item *n = realloc(d->items, ncap * sizeof(*n));
		if (n == NULL)
			return;
		d->items = n;
		d->cap = ncap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	it = &d->items[d->count++];
	it->severity = sev;
	it->file = file ? strdup(file) : NULL;
	it->line = line;
	it->message = msg;
}

void
diag_print(const struct diag *d, FILE *fp)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		const struct diag_item *it = &d->items[i];
		const char *sev =
		    it->severity == DIAG_ERROR ? "error" : "warning";
		if (it->file && it->line > 0)
			fprintf(fp, "%s:%d: %s: %s\n", it->file, it->line, sev,
			        it->message);
		else if (it->file)
			fprintf(fp, "%s: %s: %s\n", it->file, sev, it->message);
		else
			fprintf(fp, "%s: %s\n", sev, it->message);
	}
	if (d->errors + d->warnings > d->count)
		fprintf(fp, "(%zu more problems not shown)\n",
		        d->errors + d->warnings - d->count);
}
