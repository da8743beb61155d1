/* escape.c: the one escaping of outside text for terminals and logs
 * (escape.h). */
#include <stdint.h>
#include <string.h>

#include "escape.h"
#include "utf8.h"

static bool
escape_code_point(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The escape of the character at s (len bytes left) into out; returns its
 * length and sets *used to the bytes of s it stands for. */
static size_t
escape_one(const unsigned char *s, size_t len, char out[ESCAPE_MAX + 1],
           size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];
	uint32_t cp;
	size_t n;

	*used = 1;
	if (c == '\n' || c == '\r' || c == '\t') {
		out[0] = '\\';
		out[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		return 2;
	}
	if (c < 0x20 || c == 0x7f) {
		out[0] = '\\';
		out[1] = 'x';
		out[2] = hex[c >> 4];
		out[3] = hex[c & 0xf];
		return 4;
	}
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	n = utf8_decode(s, len, &cp);
	if (n == 0) {
		out[0] = '\\';
		out[1] = 'x';
		out[2] = hex[c >> 4];
		out[3] = hex[c & 0xf];
		return 4;
	}
	*used = n;
	if (escape_code_point(cp)) {
		out[0] = '\\';
		out[1] = 'u';
		for (int i = 0; i < 4; i++)
			out[2 + i] = hex[(cp >> (12 - 4 * i)) & 0xf];
		return 6;
	}
	memcpy(out, s, n);
	return n;
}

size_t
escape_text(char *buf, size_t size, const char *s, bool *cut)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n = 0;

	*cut = false;
	while (left > 0) {
		char esc[ESCAPE_MAX + 1];
		size_t used, elen = escape_one(p, left, esc, &used);

		if (n + elen > size) {
			*cut = true;
			break;
		}
		memcpy(buf + n, esc, elen);
		n += elen;
		p += used;
		left -= used;
	}
	return n;
}

const char *
escape_str(const char *s, char *buf, size_t size)
{
	bool cut;
	size_t n;

	if (size == 0)
		return buf;
	n = s != NULL ? escape_text(buf, size - 1, s, &cut) : 0;
	buf[n] = '\0';
	return buf;
}

void
escape_fputs(const char *s, FILE *fp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = s != NULL ? strlen(s) : 0;

	while (left > 0) {
		char esc[ESCAPE_MAX + 1];
		size_t used, elen = escape_one(p, left, esc, &used);

		fwrite(esc, 1, elen, fp);
		p += used;
		left -= used;
	}
}
