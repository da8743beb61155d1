/* JSON text of a string: jansson, with strings that need no escaping
 * copied. */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "jsonout.h"
#include "utf8.h"

/* Whether the string is its own JSON text: no byte below 0x20, no '"', no
 * '\' and no DEL (RFC 8259 lets a string hold everything else unescaped,
 * and jansson writes it as it is with the flags used here), and valid
 * UTF-8 (RFC 3629, as jansson checks it). */
static bool
jsonout_plain(const char *s, size_t len)
{
	bool ascii = true;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			return false;
		if (c >= 0x80)
			ascii = false;
	}
	return ascii || utf8_invalid_offset(s, len) == len;
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
