/* Fuzzes strjoin_find on any bytes: it returns, never reads past the
 * text, writes at most max lines (one spare slot must stay untouched),
 * and each line it reports is within the text's lines. */
#include <string.h>

#include "fuzz.h"
#include "strjoin.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned lines[5];
	size_t n, newlines = 0;

	for (size_t i = 0; i < size; i++)
		newlines += data[i] == '\n';
	lines[4] = 0xa5a5a5a5u;
	n = strjoin_find((const char *)data, size, lines, 4);
	if (lines[4] != 0xa5a5a5a5u)
		__builtin_trap();
	for (size_t i = 0; i < n && i < 4; i++)
		if (lines[i] < 1 || lines[i] > newlines + 1)
			__builtin_trap();
	return 0;
}
