/* Fuzzes number_find on any bytes: normalised and cut into tokens as the
 * concept matcher does, every match found lies within the tokens, its span
 * is in order, its kind has a name, and it never writes more than asked.
 * Also run straight on the raw bytes' tokens (not normalised): number_find
 * must not rely on the normaliser for its bounds.  Each is run with no
 * reference day and with three (dates are read only with one). */
#include <math.h>
#include <string.h>

#include "bounds.h"
#include "calendar.h"
#include "fuzz.h"
#include "normalise.h"
#include "number.h"
#include "token.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_number_one(const char *text, size_t len)
{
	static struct token toks[TOKEN_MAX];
	/* one spare slot past max: number_find must never touch it */
	struct number_match m[9];
	size_t nt = token_split(text, len, toks, TOKEN_MAX);

	/* no date, an ordinary day, a day after a year's end, a leap day */
	const int32_t days[] = { CALENDAR_NONE, calendar_day(2026, 12, 7),
		                 calendar_day(2027, 1, 3),
		                 calendar_day(2024, 2, 29) };

	memset(&m[8], 0xa5, sizeof(m[8]));
	for (size_t k = 0; k < 4; k++)
		for (size_t max = 0; max <= 8; max += 4) {
			size_t n = number_find(text, toks, nt, days[k], m, max);
			FUZZ_CHECK(n <= max);
			for (size_t i = 0; i < n; i++) {
				FUZZ_CHECK(m[i].first <= m[i].last);
				FUZZ_CHECK(m[i].last < nt);
				FUZZ_CHECK((unsigned)m[i].kind < NUMBER__COUNT);
				FUZZ_CHECK(number_concept_name(m[i].kind) !=
				           NULL);
				FUZZ_CHECK(isfinite(m[i].value) &&
				           m[i].value > 0);
				FUZZ_CHECK(
				    (m[i].flags & ~(NUMBER_MORE | NUMBER_AGO |
				                    NUMBER_EVERY)) == 0);
			}
		}
	const unsigned char *spare = (const unsigned char *)&m[8];
	for (size_t i = 0; i < sizeof(m[8]); i++)
		FUZZ_CHECK(spare[i] == 0xa5);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[BT_MESSAGE_MAX + 1];
	struct normalise_result nr;

	if (normalise_text((const char *)data, size, NORMALISE_RUNS_TWO, out,
	                   &nr) == NORMALISE_OK)
		fuzz_number_one(out, nr.len);
	if (size <= BT_MESSAGE_MAX)
		fuzz_number_one((const char *)data, size);
	return 0;
}
