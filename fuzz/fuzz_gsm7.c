/* Fuzzes gsm7_measure: it agrees with the UTF-8 decoder on what is valid,
 * and its counts are consistent: no segments iff the text is empty, units
 * between one and two per character, and parts neither too few to hold the
 * units nor more than splitting escape or surrogate pairs can cause. */
#include "fuzz.h"
#include "gsm7.h"
#include "utf8.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static size_t
fuzz_gsm7_div_up(size_t a, size_t b)
{
	return (a + b - 1) / b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct gsm7_info info;
	size_t valid = utf8_invalid_offset(text, size);

	if (gsm7_measure(text, size, &info) != 0) {
		FUZZ_CHECK(valid < size);
		return 0;
	}
	FUZZ_CHECK(valid == size);

	/* Each character is 1 to 4 bytes. */
	FUZZ_CHECK(info.chars <= size && info.chars * 4 >= size);
	FUZZ_CHECK((info.segments == 0) == (size == 0));
	FUZZ_CHECK((info.units == 0) == (size == 0));
	FUZZ_CHECK(info.units >= info.chars && info.units <= 2 * info.chars);

	size_t single = info.encoding == GSM7_ENCODING_GSM7 ? 160 : 70;
	size_t part = info.encoding == GSM7_ENCODING_GSM7 ? 153 : 67;
	if (info.units == 0)
		FUZZ_CHECK(info.segments == 0);
	else if (info.units <= single)
		FUZZ_CHECK(info.segments == 1);
	else
		/* A part may end one unit short, never more. */
		FUZZ_CHECK(
		    info.segments >= fuzz_gsm7_div_up(info.units, part) &&
		    info.segments <= fuzz_gsm7_div_up(info.units, part - 1));

	if (info.encoding == GSM7_ENCODING_UCS2) {
		uint32_t cp = 0;
		size_t off = info.first_non_gsm_offset;
		FUZZ_CHECK(off < size);
		FUZZ_CHECK(utf8_decode(data + off, size - off, &cp) > 0);
		FUZZ_CHECK(cp == info.first_non_gsm);
		FUZZ_CHECK(gsm7_septets(cp) == 0);
	} else {
		/* Every character is in the table: 1 or 2 septets. */
		size_t off = 0, septets = 0;
		while (off < size) {
			uint32_t cp;
			size_t n = utf8_decode(data + off, size - off, &cp);
			FUZZ_CHECK(n > 0);
			unsigned w = gsm7_septets(cp);
			FUZZ_CHECK(w == 1 || w == 2);
			septets += w;
			off += n;
		}
		FUZZ_CHECK(septets == info.units);
	}
	return 0;
}
