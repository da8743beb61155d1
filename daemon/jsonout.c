/* JSON text of a string: jansson, with plain printable ASCII copied. */
#include <jansson.h>
#include <string.h>

#include "jsonout.h"

/* Whether every byte is printable ASCII (0x20 to 0x7e) other than '"' and
 * '\': the bytes RFC 8259 lets a string hold unescaped, and that jansson
 * writes as they are with the flags used here. */
static int
jsonout_plain(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

size_t
jsonout_string(const char *s, size_t len, char *buf, size_t cap)
{
	if (jsonout_plain(s, len)) {
		if (len + 2 <= cap) {
			buf[0] = '"';
			memcpy(buf + 1, s, len);
			buf[len + 1] = '"';
		}
		return len + 2;
	}
	json_t *t = json_stringn(s, len);
	if (t == NULL)
		return 0;
	size_t n = json_dumpb(t, buf, cap, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(t);
	return n;
}
