/* Message normalisation.  The rules are written against this form, so any
 * change here changes what every rule matches: keep rules/README.md in step.
 *
 * ASCII takes a byte loop.  From the first byte >= 0x80 on, the rest of the
 * message is validated, then each character that is not dropped, a space or
 * mapped to ASCII punctuation is folded with utf8proc (compatibility
 * decomposition, full case folding, marks and default-ignorables stripped) into
 * a UTF-32 buffer, recomposed (Hangul), and fed through the same emitter. */
#include <string.h>
#include <utf8proc.h>

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
	if (cp == 0xa1 || cp == 0xbf || cp == 0xa9 || cp == 0xae ||
	    (cp >= 0x2100 && cp <= 0x2bff) ||
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

/* normalise_classify with ASCII answered inline, for the byte loop. */
static inline enum cp_class
normalise_classify_fast(uint32_t cp)
{
	if (cp >= 0x80)
		return normalise_classify(cp);
	if (cp == 0x27 || cp == 0x60)
		return CP_DROP;
	return cp < 0x20 || cp == 0x7f ? CP_SPACE : CP_KEEP;
}

/* Output being built: the emitter's state. */
struct normalise_out {
	char *out;
	size_t o;
	unsigned run;
	unsigned char prev;
	bool space;
	bool has_runs;
	enum normalise_runs runs;
};

/* Appends one code point to the output.  Returns false, writing nothing,
 * when bounded and it does not fit in BT_MESSAGE_MAX bytes (ASCII never
 * grows, so the ASCII loop passes false).  Inlined into both loops so
 * that the ASCII one keeps its state in registers. */
__attribute__((always_inline)) static inline bool
normalise_put(struct normalise_out *s, uint32_t cp, bool bounded)
{
	enum cp_class cls = normalise_classify_fast(cp);
	if (cls == CP_DROP)
		return true;
	if (cls == CP_SPACE || cp == ' ') {
		s->space = true;
		s->prev = 0;
		s->run = 0;
		return true;
	}

	char a = cp < 0x80 ? (char)cp : normalise_ascii_punct(cp);
	size_t sp = s->space && s->o > 0 ? 1 : 0;
	if (a != 0) {
		unsigned char c = (unsigned char)a;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + ('a' - 'A'));
		bool letter = c >= 'a' && c <= 'z';
		unsigned run = (letter && c == s->prev) ? s->run + 1 : 1;
		if (bounded && run < 3 && s->o + sp + 1 > BT_MESSAGE_MAX)
			return false;
		if (sp)
			s->out[s->o++] = ' ';
		s->space = false;
		s->run = run;
		s->prev = letter ? c : 0;
		if (run >= 3) {
			s->has_runs = true;
			if (s->runs == NORMALISE_RUNS_ONE && run == 3)
				s->o--; /* drop the second copy too */
			return true;
		}
		s->out[s->o++] = (char)c;
		return true;
	}

	uint8_t enc[4];
	size_t n = (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, enc);
	if (s->o + sp + n > BT_MESSAGE_MAX)
		return false;
	if (sp)
		s->out[s->o++] = ' ';
	s->space = false;
	s->prev = 0;
	s->run = 0;
	memcpy(s->out + s->o, enc, n);
	s->o += n;
	return true;
}

/* Emoji that people use for a symptom, a body part or what happened,
 * read as the word ("\U0001f525\u26a1 down my leg" -> "burning electric
 * down my leg"); every other emoji is a space.  Sorted by code point. */
static const struct {
	uint32_t cp;
	const char *word;
} normalise_emoji_words[] = {
	{ 0x26a1, "electric" },    { 0x1f321, "temperature" },
	{ 0x1f351, "butt" },       { 0x1f3cb, "lifting" },
	{ 0x1f3cd, "motorcycle" }, { 0x1f41c, "ants" },
	{ 0x1f4a5, "crash" },      { 0x1f4a6, "wet" },
	{ 0x1f4a9, "poop" },       { 0x1f519, "back" },
	{ 0x1f525, "burning" },    { 0x1f68c, "bus" },
	{ 0x1f697, "car" },        { 0x1f698, "car" },
	{ 0x1f699, "car" },        { 0x1f6b2, "bike" },
	{ 0x1f6b6, "walking" },    { 0x1f6bd, "toilet" },
	{ 0x1f6cf, "bed" },        { 0x1f912, "fever" },
	{ 0x1f915, "hurt" },       { 0x1f9b4, "bone" },
	{ 0x1f9b5, "leg" },        { 0x1f9b6, "foot" },
	{ 0x1f9ca, "ice" },        { 0x1f9d8, "yoga" },
	{ 0x1fa72, "underwear" },
};

/* The word for an emoji, or NULL. */
static const char *
normalise_emoji_word(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(normalise_emoji_words) /
	                    sizeof(normalise_emoji_words[0]);

	/* Letters with accents and most other scripts come before the
	 * first. */
	if (cp < normalise_emoji_words[0].cp)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (normalise_emoji_words[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sizeof(normalise_emoji_words) /
	             sizeof(normalise_emoji_words[0]) &&
	    normalise_emoji_words[lo].cp == cp)
		return normalise_emoji_words[lo].word;
	return NULL;
}

/* Emits cp, or its word between spaces when it is such an emoji. */
static bool
normalise_put_emoji(struct normalise_out *s, uint32_t cp)
{
	const char *w = normalise_emoji_word(cp);

	if (w == NULL)
		return normalise_put(s, cp, true);
	if (!normalise_put(s, ' ', true))
		return false;
	for (; *w; w++)
		if (!normalise_put(s, (unsigned char)*w, true))
			return false;
	return normalise_put(s, ' ', true);
}

/* The ASCII part of a message: lowercase letters and spaces, most of any
 * message, taken here with the emitter's state in locals; anything else
 * goes through normalise_put.  The same output as normalise_put byte by
 * byte.  Returns the number of bytes taken (it stops at the first byte
 * >= 0x80). */
static size_t
normalise_ascii(struct normalise_out *s, const unsigned char *p, size_t len)
{
	char *out = s->out;
	size_t o = s->o, off;
	unsigned run = s->run;
	unsigned char prev = s->prev;
	bool space = s->space, has_runs = s->has_runs;
	bool one = s->runs == NORMALISE_RUNS_ONE;

	for (off = 0; off < len; off++) {
		unsigned char c = p[off];
		if (c >= 'a' && c <= 'z') {
			if (space) {
				if (o > 0)
					out[o++] = ' ';
				space = false;
			}
			run = c == prev ? run + 1 : 1;
			prev = c;
			if (run >= 3) {
				has_runs = true;
				if (one && run == 3)
					o--; /* drop the second copy too */
				continue;
			}
			out[o++] = (char)c;
			continue;
		}
		if (c == ' ') {
			space = true;
			prev = 0;
			run = 0;
			continue;
		}
		if (c >= 0x80)
			break;
		s->o = o;
		s->run = run;
		s->prev = prev;
		s->space = space;
		s->has_runs = has_runs;
		normalise_put(s, c, false);
		o = s->o;
		run = s->run;
		prev = s->prev;
		space = s->space;
		has_runs = s->has_runs;
	}
	s->o = o;
	s->run = run;
	s->prev = prev;
	s->space = space;
	s->has_runs = has_runs;
	return off;
}

/* Room for the folded message: folding rarely adds code points, and one
 * that does not fit cuts the message like an over-long input. */
#define NORMALISE_FOLD_MAX (2 * BT_MESSAGE_MAX)

static const utf8proc_option_t normalise_fold_options =
    UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE |
    UTF8PROC_COMPOSE;

static _Thread_local utf8proc_int32_t normalise_buf[NORMALISE_FOLD_MAX];

/* Folds valid UTF-8 into normalise_buf and returns the number of code
 * points; *whole is false when the fold did not fit and was cut. */
static size_t
normalise_fold(const unsigned char *p, size_t len, bool *whole)
{
	utf8proc_int32_t *buf = normalise_buf;
	utf8proc_ssize_t w = 0, got;
	size_t off = 0, n;
	uint32_t cp;
	int bound = 0;
	bool folded = false;

	*whole = true;

	while (off < len) {
		n = utf8_decode(p + off, len - off, &cp);
		off += n;
		if (cp < 0x80 || normalise_classify(cp) != CP_KEEP ||
		    normalise_ascii_punct(cp) != 0) {
			/* Left to the emitter; runs of spaces kept short. */
			if (w > 0 && buf[w - 1] == ' ' && cp == ' ')
				continue;
			if (w == NORMALISE_FOLD_MAX) {
				*whole = false;
				break;
			}
			buf[w++] = (utf8proc_int32_t)cp;
			continue;
		}
		folded = true;
		got = utf8proc_decompose_char((utf8proc_int32_t)cp, buf + w,
		                              NORMALISE_FOLD_MAX - w,
		                              normalise_fold_options, &bound);
		if (got < 0) { /* cannot happen on valid input: keep it */
			got = 1;
			if (w < NORMALISE_FOLD_MAX)
				buf[w] = (utf8proc_int32_t)cp;
		}
		if (got > NORMALISE_FOLD_MAX - w) {
			*whole = false;
			break;
		}
		w += got;
	}

	/* Marks are gone, so no reordering is needed: only recompose.  When
	 * nothing was folded, the buffer is ASCII, spaces, dropped and
	 * punctuation code points (emoji, symbols, dashes, quotes, zero
	 * widths): none is the second of a canonical composition pair
	 * (combining marks, Hangul vowels and trailing consonants, a few Indic
	 * vowel signs: all folded), so composing would change nothing. */
	if (!folded)
		return (size_t)w;
	got = utf8proc_normalize_utf32(buf, w, UTF8PROC_COMPOSE);
	if (got >= 0)
		w = got;
	return (size_t)w;
}

enum normalise_status
normalise_text(const char *in, size_t len, enum normalise_runs runs, char *out,
               struct normalise_result *ret)
{
	const unsigned char *p = (const unsigned char *)in;
	struct normalise_out s = { .out = out, .runs = runs };
	size_t off, start, end;

	memset(ret, 0, sizeof(*ret));
	if (len > BT_MESSAGE_MAX) {
		len = utf8_truncate(in, BT_MESSAGE_MAX);
		ret->truncated = true;
	}

	/* ASCII as far as it goes: never longer than the input. */
	off = normalise_ascii(&s, p, len);
	if (off < len) {
		size_t bad = off + utf8_invalid_offset(in + off, len - off);
		if (bad < len) {
			ret->bad_offset = bad;
			out[0] = '\0';
			return NORMALISE_INVALID_UTF8;
		}
		bool whole, fits = true;
		size_t w = normalise_fold(p + off, len - off, &whole);
		for (size_t i = 0; i < w && fits; i++)
			fits =
			    normalise_put_emoji(&s, (uint32_t)normalise_buf[i]);
		if (!whole || !fits)
			ret->truncated = true;
	}

	start = 0;
	end = s.o;
	while (start < end && normalise_is_trim((unsigned char)out[start]))
		start++;
	while (end > start && normalise_is_trim((unsigned char)out[end - 1]))
		end--;
	if (start > 0)
		memmove(out, out + start, end - start);
	out[end - start] = '\0';
	ret->len = end - start;
	ret->has_runs = s.has_runs;
	return NORMALISE_OK;
}
