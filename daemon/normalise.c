/* Message normalisation.  The rules are written against this form, so any
 * change here changes what every rule matches: keep rules/README.md in step. */
#include <string.h>

#include "bounds.h"
#include "normalise.h"
#include "utf8.h"

enum cp_class { CP_KEEP, CP_SPACE, CP_DROP };

static char normalise_ascii_punct(uint32_t cp);

static enum cp_class
normalise_classify(uint32_t cp)
{
	if (cp == 0x27 || cp == 0x60 || cp == 0xb4 || cp == 0x2018 ||
	    cp == 0x2019 || cp == 0x201b || cp == 0x2032 || cp == 0x02bc)
		return CP_DROP; /* apostrophes: "don't" -> "dont" */
	if (normalise_ascii_punct(cp) != 0)
		return CP_KEEP; /* mapped to ASCII below */
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0xa0)
		return CP_SPACE;
	if ((cp >= 0x200b && cp <= 0x200f) || cp == 0x2060 || cp == 0xfeff ||
	    (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0000 && cp <= 0xe007f))
		return CP_DROP; /* zero-width joiners, variation selectors */
	if ((cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return CP_SPACE;
	if (cp == 0xa9 || cp == 0xae || (cp >= 0x2100 && cp <= 0x2bff) ||
	    (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x3030 && cp <= 0x303d))
		return CP_SPACE; /* emoji, dingbats, arrows, symbols */
	return CP_KEEP;
}

/* Maps typographic punctuation to ASCII; returns 0 when cp has no mapping. */
static char
normalise_ascii_punct(uint32_t cp)
{
	switch (cp) {
	case 0x201c:
	case 0x201d:
	case 0x201e:
	case 0xab:
	case 0xbb:
		return '"';
	case 0x2010:
	case 0x2011:
	case 0x2012:
	case 0x2013:
	case 0x2014:
	case 0x2015:
	case 0x2212:
		return '-';
	case 0x2026:
		return '.';
	case 0xff01:
		return '!';
	case 0xff1f:
		return '?';
	default:
		return 0;
	}
}

static bool
normalise_is_trim(unsigned char c)
{
	return c == ' ' || (c < 0x80 && c > 0x20 && !(c >= '0' && c <= '9') &&
	                    !(c >= 'a' && c <= 'z'));
}

enum normalise_status
normalise_text(const char *in, size_t len, enum normalise_runs runs, char *out,
               struct normalise_result *ret)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t off = 0, o = 0, n, start, end;
	unsigned char prev = 0;
	unsigned run = 0;
	bool space = false;
	uint32_t cp;

	memset(ret, 0, sizeof(*ret));
	if (len > BT_MESSAGE_MAX) {
		len = utf8_truncate(in, BT_MESSAGE_MAX);
		ret->truncated = true;
	}

	while (off < len) {
		if (p[off] < 0x80) {
			cp = p[off];
			n = 1;
		} else {
			n = utf8_decode(p + off, len - off, &cp);
			if (n == 0) {
				ret->bad_offset = off;
				out[0] = '\0';
				return NORMALISE_INVALID_UTF8;
			}
		}

		enum cp_class cls = normalise_classify(cp);
		if (cls == CP_DROP) {
			off += n;
			continue;
		}
		if (cls == CP_SPACE || cp == ' ') {
			space = true;
			prev = 0;
			run = 0;
			off += n;
			continue;
		}
		if (space && o > 0)
			out[o++] = ' ';
		space = false;

		char a = cp < 0x80 ? (char)cp : normalise_ascii_punct(cp);
		if (a != 0) {
			unsigned char c = (unsigned char)a;
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c + ('a' - 'A'));
			bool letter = c >= 'a' && c <= 'z';
			run = (letter && c == prev) ? run + 1 : 1;
			prev = letter ? c : 0;
			if (run >= 3) {
				ret->has_runs = true;
				if (runs == NORMALISE_RUNS_ONE && run == 3)
					o--; /* drop the second copy too */
				off += n;
				continue;
			}
			out[o++] = (char)c;
			off += n;
			continue;
		}

		/* Latin-1 capitals (not the multiplication sign) fold here;
		 * other scripts are matched caselessly by PCRE2. */
		if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)
			cp += 0x20;
		prev = 0;
		run = 0;
		if (cp < 0x800) {
			out[o++] = (char)(0xc0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			/* Same length as the input: copy the bytes. */
			memcpy(out + o, p + off, n);
			o += n;
		}
		off += n;
	}

	start = 0;
	end = o;
	while (start < end && normalise_is_trim((unsigned char)out[start]))
		start++;
	while (end > start && normalise_is_trim((unsigned char)out[end - 1]))
		end--;
	if (start > 0)
		memmove(out, out + start, end - start);
	out[end - start] = '\0';
	ret->len = end - start;
	return NORMALISE_OK;
}
