/* vectorscan prefilter.
 *
 * Each PCRE2 pattern is widened before vectorscan sees it: word boundaries
 * are dropped and bounded repeats lose their upper bound.  Both only add
 * matches, which a prefilter may do, and together they make the database
 * about twice as fast to build and a third faster to scan.  Patterns that
 * vectorscan still rejects are confirmed by PCRE2 on every message.
 *
 * Building the database takes most of the start-up time, so a built one is
 * cached (hs_serialize_database) under a key made from the widened patterns,
 * the flags, the vectorscan version and the CPU features. */
#include <errno.h>
#include <fcntl.h>
#include <hs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prefilter.h"

#define PREFILTER_FLAGS                                               \
	(HS_FLAG_CASELESS | HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | \
	 HS_FLAG_ALLOWEMPTY)
#define PREFILTER_CACHE_MAGIC "backtalk-prefilter-1\n"
#define PREFILTER_CACHE_MAX   (256u << 20)

struct prefilter {
	hs_database_t *db; /* NULL when no pattern compiled */
	size_t n;
	uint32_t *always; /* patterns vectorscan rejected */
	size_t nalways;
};

struct prefilter_scratch {
	hs_scratch_t *hs;
};

static char *prefilter_cache = NULL;

void
prefilter_cache_dir(const char *dir)
{
	free(prefilter_cache);
	prefilter_cache = dir ? strdup(dir) : NULL;
}

/* Copies src to a new string with \b and \B removed and {m,n} quantifiers
 * turned into {m,} (or * when m is 0), outside character classes. */
char *
prefilter_widen(const char *src)
{
	size_t n = strlen(src), i = 0, o = 0;
	char *out = malloc(n + 1);
	bool in_class = false;

	if (out == NULL)
		return NULL;
	if (strstr(src, "\\Q") != NULL) {
		memcpy(out, src, n + 1); /* quoted text: leave it alone */
		return out;
	}
	while (i < n) {
		char c = src[i];
		if (c == '\\' && i + 1 < n) {
			char e = src[i + 1];
			if (!in_class && (e == 'b' || e == 'B')) {
				i += 2;
				continue;
			}
			out[o++] = src[i++];
			out[o++] = src[i++];
			/* \x{..}, \p{..}, \N{..}, \o{..}, \g{..}, \k{..} */
			if (i < n && src[i] == '{' && strchr("xpPNogk", e)) {
				while (i < n && src[i] != '}')
					out[o++] = src[i++];
				if (i < n)
					out[o++] = src[i++];
			}
			continue;
		}
		if (in_class) {
			if (c == ']')
				in_class = false;
			out[o++] = src[i++];
			continue;
		}
		if (c == '[') {
			in_class = true;
			out[o++] = src[i++];
			if (i < n && src[i] == '^')
				out[o++] = src[i++];
			if (i < n && src[i] == ']')
				out[o++] = src[i++]; /* literal ] first */
			continue;
		}
		if (c == '{') {
			size_t j = i + 1, m0 = j;
			while (j < n && src[j] >= '0' && src[j] <= '9')
				j++;
			if (j > m0 && j < n && src[j] == ',') {
				size_t k = j + 1;
				while (k < n && src[k] >= '0' && src[k] <= '9')
					k++;
				if (k > j + 1 && k < n && src[k] == '}') {
					bool zero =
					    j - m0 == 1 && src[m0] == '0';
					if (zero) {
						out[o++] = '*';
					} else {
						memcpy(out + o, src + i,
						       j + 1 - i);
						o += j + 1 - i;
						out[o++] = '}';
					}
					i = k + 1;
					if (i < n &&
					    (src[i] == '?' || src[i] == '+'))
						i++;
					continue;
				}
			}
		}
		out[o++] = src[i++];
	}
	out[o] = '\0';
	return out;
}

/* FNV-1a, 64 bits: the cache key. */
static uint64_t
prefilter_hash(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static uint64_t
prefilter_key(char *const *ex, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	hs_platform_info_t plat;
	unsigned flags = PREFILTER_FLAGS;
	const char *ver = hs_version();

	memset(&plat, 0, sizeof(plat));
	hs_populate_platform(&plat);
	h = prefilter_hash(h, ver, strlen(ver) + 1);
	h = prefilter_hash(h, &plat, sizeof(plat));
	h = prefilter_hash(h, &flags, sizeof(flags));
	h = prefilter_hash(h, &n, sizeof(n));
	for (size_t i = 0; i < n; i++)
		h = prefilter_hash(h, ex[i], strlen(ex[i]) + 1);
	return h;
}

static bool
prefilter_cache_path(uint64_t key, char *buf, size_t len)
{
	if (prefilter_cache == NULL)
		return false;
	return (size_t)snprintf(buf, len, "%s/prefilter-%016llx.hsdb",
	                        prefilter_cache, (unsigned long long)key) < len;
}

/* Reads a cached database: magic, the always list, the serialised db. */
static bool
prefilter_cache_load(struct prefilter *pf, uint64_t key)
{
	char path[4096], magic[sizeof(PREFILTER_CACHE_MAGIC) - 1];
	uint64_t nalways = 0;
	char *bytes = NULL;
	struct stat st;
	bool ok = false;
	FILE *fp;

	if (!prefilter_cache_path(key, path, sizeof(path)))
		return false;
	fp = fopen(path, "rbe");
	if (fp == NULL)
		return false;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)PREFILTER_CACHE_MAX)
		goto out;
	if (fread(magic, 1, sizeof(magic), fp) != sizeof(magic) ||
	    memcmp(magic, PREFILTER_CACHE_MAGIC, sizeof(magic)) != 0 ||
	    fread(&nalways, sizeof(nalways), 1, fp) != 1 || nalways > pf->n)
		goto out;
	if (nalways > 0 &&
	    fread(pf->always, sizeof(*pf->always), nalways, fp) != nalways)
		goto out;
	for (uint64_t i = 0; i < nalways; i++)
		if (pf->always[i] >= pf->n)
			goto out;
	long start = ftell(fp);
	size_t size = (size_t)(st.st_size - start);
	if (start < 0 || size == 0 || (bytes = malloc(size)) == NULL ||
	    fread(bytes, 1, size, fp) != size)
		goto out;
	if (hs_deserialize_database(bytes, size, &pf->db) != HS_SUCCESS) {
		pf->db = NULL;
		goto out;
	}
	pf->nalways = (size_t)nalways;
	ok = true;
out:
	free(bytes);
	fclose(fp);
	return ok;
}

/* Best effort: a cache that cannot be written only costs start-up time. */
static void
prefilter_cache_save(const struct prefilter *pf, uint64_t key)
{
	char path[4096], tmp[4200];
	char *bytes = NULL;
	size_t size = 0;
	uint64_t nalways = pf->nalways;
	FILE *fp;
	int fd;

	if (pf->db == NULL || !prefilter_cache_path(key, path, sizeof(path)))
		return;
	if (mkdir(prefilter_cache, 0700) != 0 && errno != EEXIST)
		return;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path,
	                     (long)getpid()) >= sizeof(tmp))
		return;
	if (hs_serialize_database(pf->db, &bytes, &size) != HS_SUCCESS)
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	          0600);
	if (fd < 0 || (fp = fdopen(fd, "wb")) == NULL) {
		if (fd >= 0)
			close(fd);
		free(bytes);
		return;
	}
	bool ok =
	    fwrite(PREFILTER_CACHE_MAGIC, 1, sizeof(PREFILTER_CACHE_MAGIC) - 1,
	           fp) == sizeof(PREFILTER_CACHE_MAGIC) - 1 &&
	    fwrite(&nalways, sizeof(nalways), 1, fp) == 1 &&
	    (nalways == 0 ||
	     fwrite(pf->always, sizeof(*pf->always), nalways, fp) == nalways) &&
	    fwrite(bytes, 1, size, fp) == size;
	ok = fclose(fp) == 0 && ok;
	free(bytes);
	if (!ok || rename(tmp, path) != 0)
		unlink(tmp);
}

/* Compiles the accepted expressions; the rejected ones are found first one
 * by one (cheap), so the whole set is compiled once. */
static void
prefilter_build(struct prefilter *pf, char *const *ex)
{
	const char **ok = calloc(pf->n ? pf->n : 1, sizeof(*ok));
	unsigned *ids = calloc(pf->n ? pf->n : 1, sizeof(*ids));
	unsigned *flags = calloc(pf->n ? pf->n : 1, sizeof(*flags));
	size_t m = 0;

	if (ok == NULL || ids == NULL || flags == NULL) {
		for (size_t i = 0; i < pf->n; i++)
			pf->always[pf->nalways++] = (uint32_t)i;
		goto out;
	}
	for (size_t i = 0; i < pf->n; i++) {
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *cerr = NULL;
		if (hs_expression_info(ex[i], PREFILTER_FLAGS, &info, &cerr) !=
		    HS_SUCCESS) {
			hs_free_compile_error(cerr);
			pf->always[pf->nalways++] = (uint32_t)i;
			continue;
		}
		free(info);
		ok[m] = ex[i];
		ids[m] = (unsigned)i;
		flags[m] = PREFILTER_FLAGS;
		m++;
	}
	/* Should a pattern pass alone but fail in the set, drop the one
	 * named and try again. */
	while (m > 0) {
		hs_compile_error_t *cerr = NULL;
		if (hs_compile_multi(ok, flags, ids, (unsigned)m, HS_MODE_BLOCK,
		                     NULL, &pf->db, &cerr) == HS_SUCCESS)
			break;
		pf->db = NULL;
		long bad = cerr ? cerr->expression : -1;
		hs_free_compile_error(cerr);
		if (bad < 0 || (size_t)bad >= m) {
			for (size_t i = 0; i < m; i++)
				pf->always[pf->nalways++] = ids[i];
			break;
		}
		pf->always[pf->nalways++] = ids[bad];
		memmove(ok + bad, ok + bad + 1, (m - bad - 1) * sizeof(*ok));
		memmove(ids + bad, ids + bad + 1, (m - bad - 1) * sizeof(*ids));
		m--;
	}
out:
	free(ok);
	free(ids);
	free(flags);
}

struct prefilter *
prefilter_new(const char *const *exprs, size_t n)
{
	struct prefilter *pf = calloc(1, sizeof(*pf));
	char **ex = calloc(n ? n : 1, sizeof(*ex));

	if (pf == NULL || ex == NULL)
		goto fail;
	pf->n = n;
	pf->always = calloc(n ? n : 1, sizeof(*pf->always));
	if (pf->always == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if ((ex[i] = prefilter_widen(exprs[i])) == NULL)
			goto fail;

	uint64_t key = prefilter_key(ex, n);
	if (!prefilter_cache_load(pf, key)) {
		pf->nalways = 0;
		prefilter_build(pf, ex);
		prefilter_cache_save(pf, key);
	}
	for (size_t i = 0; i < n; i++)
		free(ex[i]);
	free(ex);
	return pf;
fail:
	if (ex != NULL)
		for (size_t i = 0; i < n; i++)
			free(ex[i]);
	free(ex);
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
