/* Bounded JSON readers for the gateway parsers.  Error messages name what
 * is wrong and where, never the text there: jansson's own error text
 * quotes the token it stopped at, which may be part of a message body, and
 * these messages end up in the log. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonread.h"
#include "utf8.h"

/* U+FFFD as a JSON escape and in UTF-8. */
#define JSONREAD_FFFD_ESC  "\\uFFFD"
#define JSONREAD_FFFD_UTF8 "\xEF\xBF\xBD"

/* What jansson's error was, in words of our own. */
static const char *
jsonread_why(const json_error_t *jerr)
{
	switch (json_error_code(jerr)) {
	case json_error_premature_end_of_input:
		return "cut short";
	case json_error_end_of_input_expected:
		return "data after the end";
	case json_error_invalid_utf8:
		return "not UTF-8";
	case json_error_invalid_syntax:
		return "invalid syntax";
	case json_error_duplicate_key:
		return "a duplicate key";
	case json_error_null_character:
		return "a NUL character";
	case json_error_numeric_overflow:
		return "a number out of range";
	case json_error_out_of_memory:
		return "out of memory";
	default:
		return "unreadable";
	}
}

static json_t *
jsonread_decode(const char *buf, size_t len, size_t flags, char *err,
                size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, flags, &jerr);

	if (root == NULL) {
		snprintf(err, errlen, "not JSON: %s at byte %d",
		         jsonread_why(&jerr), jerr.position);
		return NULL;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a JSON object");
		json_decref(root);
		return NULL;
	}
	return root;
}

json_t *
jsonread_object(const char *buf, size_t len, char *err, size_t errlen)
{
	return jsonread_decode(buf, len, JSON_REJECT_DUPLICATES, err, errlen);
}

/* The value of the 4 hex digits at s, or -1. */
static long
jsonread_hex4(const char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Copies the escape at buf[i] (a backslash) to *o; returns the bytes of
 * input it took.  \u0000 and lone surrogates become \uFFFD. */
static size_t
jsonread_escape(const char *buf, size_t len, size_t i, char **o)
{
	long cp, lo;

	if (i + 6 > len || buf[i + 1] != 'u' ||
	    (cp = jsonread_hex4(buf + i + 2)) < 0) {
		size_t n = i + 1 < len ? 2 : 1; /* jansson judges the rest */
		memcpy(*o, buf + i, n);
		*o += n;
		return n;
	}
	if (cp >= 0xD800 && cp <= 0xDBFF && i + 12 <= len &&
	    buf[i + 6] == '\\' && buf[i + 7] == 'u' &&
	    (lo = jsonread_hex4(buf + i + 8)) >= 0xDC00 && lo <= 0xDFFF) {
		memcpy(*o, buf + i, 12); /* a whole surrogate pair */
		*o += 12;
		return 12;
	}
	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
		memcpy(*o, JSONREAD_FFFD_ESC, 6);
	else
		memcpy(*o, buf + i, 6);
	*o += 6;
	return 6;
}

/* The cleaned copy jsonread_page decodes; NULL when out of memory. */
static char *
jsonread_clean(const char *buf, size_t len, size_t *ret_len)
{
	static const char hex[] = "0123456789abcdef";
	bool in_string = false;
	size_t i = 0, n;
	char *out, *o;
	uint32_t cp;

	/* At worst a control character becomes six bytes. */
	if (len > (SIZE_MAX - 1) / 6)
		return NULL;
	out = malloc(len * 6 + 1);
	if (out == NULL)
		return NULL;
	o = out;
	while (i < len) {
		unsigned char c = (unsigned char)buf[i];

		if (!in_string || c == '"') {
			/* Outside strings jansson judges every byte. */
			in_string = !in_string && c == '"';
			*o++ = (char)c;
			i++;
		} else if (c == '\\') {
			i += jsonread_escape(buf, len, i, &o);
		} else if (c < 0x20) {
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 0xf];
			o += 6;
			i++;
		} else if (c < 0x80) {
			*o++ = (char)c;
			i++;
		} else if ((n = utf8_decode((const unsigned char *)buf + i,
		                            len - i, &cp)) == 0) {
			memcpy(o, JSONREAD_FFFD_UTF8, 3);
			o += 3;
			i++;
		} else {
			memcpy(o, buf + i, n);
			o += n;
			i += n;
		}
	}
	*ret_len = (size_t)(o - out);
	return out;
}

json_t *
jsonread_page(const char *buf, size_t len, char *err, size_t errlen)
{
	size_t clen;
	char *clean = jsonread_clean(buf, len, &clen);
	json_t *root;

	if (clean == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	root = jsonread_decode(clean, clen, 0, err, errlen);
	free(clean);
	return root;
}

const char *
jsonread_string(const json_t *obj, const char *key, size_t max)
{
	const json_t *v = json_object_get(obj, key);
	const char *s;

	if (!json_is_string(v) || json_string_length(v) > max)
		return NULL;
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return NULL;
	return s;
}
