/* Prefilter: one vectorscan (Hyperscan) database over every pattern, scanned
 * once per message, so that PCRE2 only confirms the few patterns that can
 * match.  Prefilter mode may report patterns that do not really match, never
 * miss one that does; patterns vectorscan cannot take are always confirmed,
 * and so is every pattern on a message that is not pure ASCII. */
#ifndef BACKTALK_PREFILTER_H
#define BACKTALK_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

struct prefilter;
struct prefilter_scratch;

/* Builds the database over exprs[0..n).  Never fails for a pattern that
 * vectorscan rejects: that pattern is marked as always a candidate.
 * Returns NULL only when out of memory or vectorscan is unusable. */
struct prefilter *prefilter_new(const char *const *exprs, size_t n);
void prefilter_free(struct prefilter *pf);

/* Where built databases are cached (created 0700 if missing); NULL, the
 * default, turns the cache off.  Process-wide: set it before loading. */
void prefilter_cache_dir(const char *dir);

/* The expression vectorscan is given for a PCRE2 pattern: word boundaries
 * dropped, {m,n} widened to {m,}.  Only ever matches more.  Exposed for
 * tests; returns a new string or NULL when out of memory. */
char *prefilter_widen(const char *src);

/* How many patterns are confirmed by PCRE2 on every message. */
size_t prefilter_always_count(const struct prefilter *pf);

struct prefilter_scratch *prefilter_scratch_new(const struct prefilter *pf);
void prefilter_scratch_free(struct prefilter_scratch *s);

/* Sets bit i of bits (n patterns, (n + 63) / 64 words, cleared by the
 * caller) for every pattern i that may match text.  Returns 0, or -1 when
 * the scan failed, in which case every bit is set. */
int prefilter_scan(const struct prefilter *pf, struct prefilter_scratch *s,
                   const char *text, size_t len, uint64_t *bits);

#endif
