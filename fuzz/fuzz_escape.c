/* Fuzzes escape_text, which every log line and admin command passes
 * outside text through: its output is valid UTF-8 with no C0 or C1
 * control, DEL or bidi override or isolate left, fits the buffer, is cut
 * only when the input did not fit, and text with nothing to escape comes
 * out unchanged. */
#include <string.h>

#include "escape.h"
#include "fuzz.h"
#include "utf8.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Whether s (valid UTF-8) holds a character escape_text must escape. */
static bool
fuzz_escape_has_unsafe(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return true;
		/* C1: U+0080..U+009F is C2 80..C2 9F. */
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			return true;
		/* U+202A..U+202E is E2 80 AA..AE; U+2066..U+2069 E2 81 A6..A9.
		 */
		if (c == 0xe2 && i + 2 < n) {
			unsigned char b = (unsigned char)s[i + 1];
			unsigned char d = (unsigned char)s[i + 2];
			if (b == 0x80 && d >= 0xaa && d <= 0xae)
				return true;
			if (b == 0x81 && d >= 0xa6 && d <= 0xa9)
				return true;
		}
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	size_t big = size * ESCAPE_MAX + 1, small = size / 2 + ESCAPE_MAX;
	char *out = malloc(big);
	size_t n;
	bool cut = false;

	if (in == NULL || out == NULL)
		goto out;
	memcpy(in, data, size);
	in[size] = '\0';
	size = strlen(in); /* escape_text reads a C string */

	n = escape_text(out, big, in, &cut);
	FUZZ_CHECK(!cut);
	FUZZ_CHECK(n < big);
	FUZZ_CHECK(utf8_invalid_offset(out, n) == n);
	FUZZ_CHECK(!fuzz_escape_has_unsafe(out, n));
	if (utf8_invalid_offset(in, size) == size &&
	    !fuzz_escape_has_unsafe(in, size))
		FUZZ_CHECK(n == size && memcmp(out, in, size) == 0);

	/* A small buffer: never overrun, and cut only when short. */
	cut = false;
	n = escape_text(out, small, in, &cut);
	FUZZ_CHECK(n <= small);
	FUZZ_CHECK(utf8_invalid_offset(out, n) == n);
	FUZZ_CHECK(!fuzz_escape_has_unsafe(out, n));
out:
	free(in);
	free(out);
	return 0;
}
