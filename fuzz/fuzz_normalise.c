/* Fuzzes normalise_text in both run modes: any bytes in, and what comes out
 * is valid UTF-8, at most BT_MESSAGE_MAX bytes (no longer than what went in
 * when that was ASCII), with whitespace collapsed. */
#include <string.h>

#include "bounds.h"
#include "fuzz.h"
#include "normalise.h"
#include "utf8.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_normalise_one(const char *in, size_t len, enum normalise_runs runs)
{
	static char out[BT_MESSAGE_MAX + 1];
	struct normalise_result nr;
	/* The part of the input normalise_text reads. */
	size_t used =
	    len > BT_MESSAGE_MAX ? utf8_truncate(in, BT_MESSAGE_MAX) : len;
	size_t bad = utf8_invalid_offset(in, used);
	bool ascii = true;

	for (size_t i = 0; i < used; i++)
		if ((unsigned char)in[i] >= 0x80)
			ascii = false;

	FUZZ_CHECK(used <= BT_MESSAGE_MAX);
	enum normalise_status st = normalise_text(in, len, runs, out, &nr);
	/* Folding may grow non-ASCII text past the limit too. */
	FUZZ_CHECK(nr.truncated == (len > BT_MESSAGE_MAX) ||
	           (nr.truncated && !ascii && st == NORMALISE_OK));
	if (st == NORMALISE_INVALID_UTF8) {
		FUZZ_CHECK(bad < used);
		FUZZ_CHECK(nr.bad_offset == bad);
		return;
	}
	FUZZ_CHECK(st == NORMALISE_OK);
	FUZZ_CHECK(bad == used);
	FUZZ_CHECK(nr.len <= BT_MESSAGE_MAX);
	if (ascii)
		FUZZ_CHECK(nr.len <= used);
	FUZZ_CHECK(out[nr.len] == '\0');
	FUZZ_CHECK(utf8_invalid_offset(out, nr.len) == nr.len);
	for (size_t i = 0; i < nr.len; i++) {
		unsigned char c = (unsigned char)out[i];
		FUZZ_CHECK(c >= 0x20 && c != 0x7f); /* controls become spaces */
		FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
		FUZZ_CHECK(!(c == ' ' && i + 1 < nr.len && out[i + 1] == ' '));
	}
	if (nr.len > 0)
		FUZZ_CHECK(out[0] != ' ' && out[nr.len - 1] != ' ');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_normalise_one((const char *)data, size, NORMALISE_RUNS_TWO);
	fuzz_normalise_one((const char *)data, size, NORMALISE_RUNS_ONE);
	return 0;
}
