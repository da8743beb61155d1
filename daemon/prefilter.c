/* vectorscan prefilter. */
#include <hs.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"

struct prefilter {
	hs_database_t *db; /* NULL when no pattern compiled */
	size_t n;
	uint32_t *always; /* patterns vectorscan rejected */
	size_t nalways;
};

struct prefilter_scratch {
	hs_scratch_t *hs;
};

static hs_database_t *
prefilter_compile(const char *const *exprs, const unsigned *ids,
                  const unsigned *flags, size_t n, long *ret_bad)
{
	hs_database_t *db = NULL;
	hs_compile_error_t *cerr = NULL;

	*ret_bad = -1;
	if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK,
	                     NULL, &db, &cerr) == HS_SUCCESS)
		return db;
	if (cerr != NULL) {
		*ret_bad = cerr->expression;
		hs_free_compile_error(cerr);
	}
	return NULL;
}

struct prefilter *
prefilter_new(const char *const *exprs, size_t n)
{
	struct prefilter *pf = calloc(1, sizeof(*pf));
	const char **ex = calloc(n ? n : 1, sizeof(*ex));
	unsigned *ids = calloc(n ? n : 1, sizeof(*ids));
	unsigned *flags = calloc(n ? n : 1, sizeof(*flags));
	size_t m = n, i;
	long bad;

	if (pf == NULL || ex == NULL || ids == NULL || flags == NULL)
		goto fail;
	pf->n = n;
	pf->always = calloc(n ? n : 1, sizeof(*pf->always));
	if (pf->always == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		ex[i] = exprs[i];
		ids[i] = (unsigned)i;
		/* Byte mode, not UTF8|UCP: Unicode classes make databases
		 * many times larger and slower to build.  On ASCII text
		 * byte mode is a superset of PCRE2's UTF+UCP matching, and
		 * prefilter_scan does not use it on other text. */
		flags[i] = HS_FLAG_CASELESS | HS_FLAG_PREFILTER |
		           HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
	}
	/* Drop the patterns vectorscan rejects one at a time; it names the
	 * first failing expression on each try. */
	while (m > 0) {
		pf->db = prefilter_compile(ex, ids, flags, m, &bad);
		if (pf->db != NULL)
			break;
		if (bad < 0 || (size_t)bad >= m) {
			/* Not tied to one expression: confirm everything. */
			for (i = 0; i < m; i++)
				pf->always[pf->nalways++] = ids[i];
			m = 0;
			break;
		}
		pf->always[pf->nalways++] = ids[bad];
		memmove(ex + bad, ex + bad + 1, (m - bad - 1) * sizeof(*ex));
		memmove(ids + bad, ids + bad + 1, (m - bad - 1) * sizeof(*ids));
		memmove(flags + bad, flags + bad + 1,
		        (m - bad - 1) * sizeof(*flags));
		m--;
	}
	free(ex);
	free(ids);
	free(flags);
	return pf;
fail:
	free(ex);
	free(ids);
	free(flags);
	prefilter_free(pf);
	return NULL;
}

void
prefilter_free(struct prefilter *pf)
{
	if (pf == NULL)
		return;
	if (pf->db)
		hs_free_database(pf->db);
	free(pf->always);
	free(pf);
}

size_t
prefilter_always_count(const struct prefilter *pf)
{
	return pf->nalways;
}

struct prefilter_scratch *
prefilter_scratch_new(const struct prefilter *pf)
{
	struct prefilter_scratch *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (pf->db && hs_alloc_scratch(pf->db, &s->hs) != HS_SUCCESS) {
		free(s);
		return NULL;
	}
	return s;
}

void
prefilter_scratch_free(struct prefilter_scratch *s)
{
	if (s == NULL)
		return;
	if (s->hs)
		hs_free_scratch(s->hs);
	free(s);
}

static int
prefilter_on_match(unsigned id, unsigned long long from, unsigned long long to,
                   unsigned flags, void *ctx)
{
	uint64_t *bits = ctx;

	(void)from;
	(void)to;
	(void)flags;
	bits[id >> 6] |= UINT64_C(1) << (id & 63);
	return 0;
}

static bool
prefilter_is_ascii(const char *text, size_t len)
{
	unsigned char acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= (unsigned char)text[i];
	return acc < 0x80;
}

int
prefilter_scan(const struct prefilter *pf, struct prefilter_scratch *s,
               const char *text, size_t len, uint64_t *bits)
{
	size_t i;

	for (i = 0; i < pf->nalways; i++)
		bits[pf->always[i] >> 6] |= UINT64_C(1) << (pf->always[i] & 63);
	if (pf->db == NULL)
		return 0;
	if (!prefilter_is_ascii(text, len)) {
		for (i = 0; i < (pf->n + 63) / 64; i++)
			bits[i] = ~UINT64_C(0);
		return 0;
	}
	if (hs_scan(pf->db, text, (unsigned)len, 0, s->hs, prefilter_on_match,
	            bits) != HS_SUCCESS) {
		for (i = 0; i < (pf->n + 63) / 64; i++)
			bits[i] = ~UINT64_C(0);
		return -1;
	}
	return 0;
}
