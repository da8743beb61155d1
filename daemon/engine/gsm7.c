/* SMS encoding and segment counting.  Single-part messages carry 160 septets
 * (GSM-7) or 70 UTF-16 units (UCS-2); concatenated parts lose 7 septets or 3
 * units to the header, and an escape pair or a surrogate pair is never split
 * across parts, which is how handsets and gateways build them. */
#include <string.h>

#include "gsm7.h"
#include "utf8.h"

/* Non-ASCII code points in the GSM 03.38 basic table. */
static const uint16_t gsm7_basic_extra[] = {
	0x00a1, 0x00a3, 0x00a4, 0x00a5, 0x00a7, 0x00bf, 0x00c4, 0x00c5,
	0x00c6, 0x00c7, 0x00c9, 0x00d1, 0x00d6, 0x00d8, 0x00dc, 0x00df,
	0x00e0, 0x00e4, 0x00e5, 0x00e6, 0x00e8, 0x00e9, 0x00ec, 0x00f1,
	0x00f2, 0x00f6, 0x00f8, 0x00f9, 0x00fc, 0x0393, 0x0394, 0x0398,
	0x039b, 0x039e, 0x03a0, 0x03a3, 0x03a6, 0x03a8, 0x03a9,
};

unsigned
gsm7_septets(uint32_t cp)
{
	size_t i;

	if (cp < 0x80) {
		switch (cp) {
		case '\n':
		case '\r':
			return 1;
		case 0x0c:
		case '[':
		case '\\':
		case ']':
		case '^':
		case '{':
		case '|':
		case '}':
		case '~':
			return 2;
		case '`':
			return 0;
		default:
			return cp >= 0x20 && cp < 0x7f ? 1 : 0;
		}
	}
	if (cp == 0x20ac)
		return 2; /* euro sign, extension table */
	for (i = 0; i < sizeof(gsm7_basic_extra) / sizeof(gsm7_basic_extra[0]);
	     i++)
		if (gsm7_basic_extra[i] == cp)
			return 1;
	return 0;
}

static size_t
gsm7_segments(const char *text, size_t len, enum gsm7_encoding enc,
              size_t total)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t single = enc == GSM7_ENCODING_GSM7 ? 160 : 70;
	size_t part = enc == GSM7_ENCODING_GSM7 ? 153 : 67;
	size_t off = 0, segs = 1, fill = 0, n, w;
	uint32_t cp;

	if (total == 0)
		return 0;
	if (total <= single)
		return 1;
	while (off < len) {
		n = utf8_decode(p + off, len - off, &cp);
		if (enc == GSM7_ENCODING_GSM7)
			w = gsm7_septets(cp);
		else
			w = cp >= 0x10000 ? 2 : 1;
		if (fill + w > part) {
			segs++;
			fill = 0;
		}
		fill += w;
		off += n;
	}
	return segs;
}

int
gsm7_measure(const char *text, size_t len, struct gsm7_info *ret)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t off = 0, n, septets = 0, utf16 = 0, chars = 0;
	uint32_t cp, bad = 0;
	size_t bad_off = 0;
	unsigned w;
	int gsm = 1;

	while (off < len) {
		n = utf8_decode(p + off, len - off, &cp);
		if (n == 0)
			return -1;
		w = gsm7_septets(cp);
		if (w == 0 && gsm) {
			gsm = 0;
			bad = cp;
			bad_off = off;
		}
		septets += w;
		utf16 += cp >= 0x10000 ? 2 : 1;
		chars++;
		off += n;
	}
	memset(ret, 0, sizeof(*ret));
	ret->chars = chars;
	ret->encoding = gsm ? GSM7_ENCODING_GSM7 : GSM7_ENCODING_UCS2;
	ret->units = gsm ? septets : utf16;
	ret->segments = gsm7_segments(text, len, ret->encoding, ret->units);
	ret->first_non_gsm = bad;
	ret->first_non_gsm_offset = bad_off;
	return 0;
}

const char *
gsm7_encoding_name(enum gsm7_encoding enc)
{
	return enc == GSM7_ENCODING_GSM7 ? "GSM-7" : "UCS-2";
}
