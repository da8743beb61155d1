/* Strict UTF-8 decoding (RFC 3629). */
#include "utf8.h"

size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp)
{
	uint32_t cp, min;
	size_t n, i;
	unsigned char c = s[0];

	if (c < 0x80) {
		*ret_cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return n;
}

size_t
utf8_invalid_offset(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t off = 0, n;
	uint32_t cp;

	while (off < len) {
		if (p[off] < 0x80) {
			off++;
			continue;
		}
		n = utf8_decode(p + off, len - off, &cp);
		if (n == 0)
			return off;
		off += n;
	}
	return len;
}

size_t
utf8_truncate(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = len;

	/* Step back over continuation bytes to the start of the last
	 * character, then keep it only if it is complete. */
	while (n > 0 && (p[n - 1] & 0xc0) == 0x80 && len - n < 3)
		n--;
	if (n == 0)
		return 0;
	if (p[n - 1] >= 0xc0) {
		uint32_t cp;
		size_t want = utf8_decode(p + n - 1, len - (n - 1), &cp);
		return want == 0 ? n - 1 : len;
	}
	return len;
}
