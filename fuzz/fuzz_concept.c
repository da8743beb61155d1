/* Fuzzes the concept language: terms, combinations and matching.  The
 * input is three lines: terms separated by '|' (for two concepts, a and
 * b, split at the first ';'), a combination, and a message.  Whatever the
 * bytes, loading either succeeds or fails with an error, and a scan keeps
 * every match inside the message's tokens. */
#include <string.h>

#include "bounds.h"
#include "concept.h"
#include "fuzz.h"
#include "normalise.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The next line of [*p, end) as a NUL-terminated copy in buf. */
static void
fuzz_concept_line(const uint8_t **p, const uint8_t *end, char *buf,
                  size_t buflen)
{
	size_t n = 0;

	while (*p < end && **p != '\n') {
		if (n + 1 < buflen && **p != '\0')
			buf[n++] = (char)**p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	buf[n] = '\0';
}

static void
fuzz_concept_terms(struct concept_set *cs, uint32_t id, char *list)
{
	char err[256];

	for (char *t = list; t != NULL && *t != '\0';) {
		char *bar = strchr(t, '|');
		if (bar != NULL)
			*bar = '\0';
		if (*t != '\0' &&
		    concept_add_term(cs, id, t, err, sizeof(err)) < 0)
			FUZZ_CHECK(err[0] != '\0');
		t = bar ? bar + 1 : NULL;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char norm[BT_MESSAGE_MAX + 1];
	char terms[2048], combo[256], err[256];
	const uint8_t *p = data, *end = data + size;
	struct concept_combo c;
	struct normalise_result nr;

	fuzz_concept_line(&p, end, terms, sizeof(terms));
	fuzz_concept_line(&p, end, combo, sizeof(combo));
	struct concept_set *cs = concept_set_new();
	FUZZ_CHECK(cs != NULL);
	long a = concept_define(cs, "a", "f", 1, err, sizeof(err));
	long b = concept_define(cs, "b", "f", 2, err, sizeof(err));
	FUZZ_CHECK(a >= 0 && b >= 0);
	char *semi = strchr(terms, ';');
	if (semi != NULL)
		*semi = '\0';
	fuzz_concept_terms(cs, (uint32_t)a, terms);
	if (semi != NULL)
		fuzz_concept_terms(cs, (uint32_t)b, semi + 1);
	FUZZ_CHECK(concept_finish(cs, err, sizeof(err)) == 0);
	bool have_combo =
	    concept_combo_parse(cs, combo, &c, err, sizeof(err)) == 0;
	FUZZ_CHECK(have_combo || err[0] != '\0');
	if (have_combo) {
		FUZZ_CHECK(c.n >= 1 && c.n <= CONCEPT_COMBO_MAX);
		for (uint8_t k = 0; k < c.n; k++)
			FUZZ_CHECK(c.concept[k] < concept_count(cs));
	}

	struct concept_scratch *s = concept_scratch_new(cs);
	FUZZ_CHECK(s != NULL);
	if (normalise_text((const char *)p, (size_t)(end - p),
	                   NORMALISE_RUNS_TWO, norm, &nr) == NORMALISE_OK) {
		size_t n = concept_scan(cs, s, norm, nr.len), nm, nt;
		const struct concept_match *m = concept_matches(s, &nm);
		const struct token *t = concept_tokens(s, &nt);
		FUZZ_CHECK(n == nm && n <= CONCEPT_MATCHES_MAX);
		for (size_t i = 0; i < nm; i++) {
			FUZZ_CHECK(m[i].first <= m[i].last && m[i].last < nt);
			FUZZ_CHECK(m[i].concept < concept_count(cs));
			FUZZ_CHECK(t[m[i].last].end <= nr.len);
		}
		if (have_combo) {
			bool with = concept_combo_holds(s, &c, true);
			bool without = concept_combo_holds(s, &c, false);
			/* context can only take matches away */
			FUZZ_CHECK(!with || without);
		}
	}
	concept_scratch_free(s);
	concept_set_free(cs);
	return 0;
}
