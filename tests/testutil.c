/* Test helpers: temporary rule files and diagnostics lookups. */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "utf8.h"

char *
testutil_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (asprintf(&dir, "%s/backtalk-test.XXXXXX", base) < 0)
		fail_msg("out of memory");
	if (mkdtemp(dir) == NULL)
		fail_msg("mkdtemp %s failed", dir);
	return dir;
}

void
testutil_rmdir(char *dir)
{
	DIR *dp;
	struct dirent *e;

	if (dir == NULL)
		return;
	dp = opendir(dir);
	if (dp != NULL) {
		while ((e = readdir(dp)) != NULL) {
			char *p;
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
				continue;
			unlink(p);
			free(p);
		}
		closedir(dp);
	}
	rmdir(dir);
	free(dir);
}

char *
testutil_write(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *fp;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		fail_msg("out of memory");
	fp = fopen(path, "w");
	if (fp == NULL)
		fail_msg("cannot write %s", path);
	fputs(text, fp);
	if (fclose(fp) != 0)
		fail_msg("cannot write %s", path);
	return path;
}

struct ruleset *
testutil_load_text(const char *text)
{
	char *dir = testutil_tmpdir();
	char *path = testutil_write(dir, "rules.conf", text);
	struct ruleset *rs = NULL;
	struct diag d;

	diag_init(&d);
	if (rules_load(path, &rs, &d) != 0) {
		testutil_diag_dump(&d);
		fail_msg("test rules did not load (%zu errors)", d.errors);
	}
	diag_free(&d);
	free(path);
	testutil_rmdir(dir);
	return rs;
}

static bool
testutil_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

const struct diag_item *
testutil_diag_find(const struct diag *d, const char *file_suffix, int line, ...)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct diag_item *it = &d->items[i];
		bool ok = true;
		va_list ap;
		const char *sub;

		if (file_suffix != NULL &&
		    (it->file == NULL ||
		     !testutil_ends_with(it->file, file_suffix)))
			continue;
		if (line != 0 && it->line != line)
			continue;
		va_start(ap, line);
		while ((sub = va_arg(ap, const char *)) != NULL)
			if (strstr(it->message, sub) == NULL)
				ok = false;
		va_end(ap);
		if (ok)
			return it;
	}
	return NULL;
}

void
testutil_diag_dump(const struct diag *d)
{
	fprintf(stderr, "--- %zu diagnostics (%zu errors, %zu warnings):\n",
	        d->count, d->errors, d->warnings);
	diag_print(d, stderr);
	fprintf(stderr, "---\n");
}

char *
testutil_join(const char *head, const char *const *entries, size_t n,
              const char *tail)
{
	size_t len = strlen(head) + strlen(tail) + n + 1, off;
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(entries[i]);
	s = malloc(len);
	assert_non_null(s);
	off = (size_t)snprintf(s, len, "%s", head);
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, len - off, "%s%s",
		                        i > 0 ? "," : "", entries[i]);
	snprintf(s + off, len - off, "%s", tail);
	return s;
}

static void
testutil_utf8(const char *s)
{
	assert_int_equal(utf8_invalid_offset(s, strlen(s)), strlen(s));
}

size_t
testutil_check_poisoned(const struct gateway_batch *b, const char *emergency,
                        const struct testutil_want *want, size_t n)
{
	size_t emergencies = 0, found = 0;

	for (size_t i = 0; i < b->count; i++) {
		const struct gateway_message *m = &b->items[i];

		testutil_utf8(m->id);
		testutil_utf8(m->body);
		if (strncmp(m->id, emergency, strlen(emergency)) == 0) {
			assert_false(m->unreadable);
			assert_non_null(strstr(m->body, "chest pain"));
			emergencies++;
		}
		for (size_t k = 0; k < n; k++) {
			if (strcmp(m->id, want[k].id) != 0)
				continue;
			assert_false(m->unreadable);
			assert_string_equal(m->body, want[k].body);
			found++;
		}
	}
	assert_int_equal(found, n);
	return emergencies;
}

void
testutil_expect_unreadable(const struct gateway_batch *b, size_t first,
                           size_t n)
{
	assert_true(first + n <= b->count);
	for (size_t i = first; i < first + n; i++) {
		assert_true(b->items[i].unreadable);
		assert_string_equal(b->items[i].body, "");
	}
	if (first + n < b->count)
		assert_false(b->items[first + n].unreadable);
}
