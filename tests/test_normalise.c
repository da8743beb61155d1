/* Tests for normalise.c: the text every rule pattern and keyword sees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "normalise.h"
#include "utf8.h"

static char out[BT_MESSAGE_MAX + 1];

/* Normalises in with the given runs mode and checks the output. */
static void
expect_runs(const char *in, enum normalise_runs runs, const char *want)
{
	struct normalise_result r;
	enum normalise_status st;

	memset(out, 'X', sizeof(out));
	st = normalise_text(in, strlen(in), runs, out, &r);
	assert_int_equal(st, NORMALISE_OK);
	if (strcmp(out, want) != 0)
		fail_msg("normalise(\"%s\") = \"%s\", want \"%s\"", in, out,
		         want);
	assert_int_equal(r.len, strlen(want));
	assert_true(r.len <= strlen(in));
	assert_false(r.truncated);
}

static void
expect(const char *in, const char *want)
{
	expect_runs(in, NORMALISE_RUNS_TWO, want);
}

/* Like expect, for input whose output may be longer (an emoji read as a
 * word). */
static void
expect_grown(const char *in, const char *want)
{
	struct normalise_result r;

	assert_int_equal(
	    normalise_text(in, strlen(in), NORMALISE_RUNS_TWO, out, &r),
	    NORMALISE_OK);
	if (strcmp(out, want) != 0)
		fail_msg("normalise(\"%s\") = \"%s\", want \"%s\"", in, out,
		         want);
	assert_int_equal(r.len, strlen(want));
	assert_false(r.truncated);
}

static void
test_case_folding(void **state)
{
	(void)state;
	expect("STOP", "stop");
	expect("My Back HURTS", "my back hurts");
	expect("abcXYZ019", "abcxyz019");
	/* Latin-1 letters fold to lowercase with accents stripped (utf8proc
	 * since the Unicode folding: they used to keep their accents). */
	expect("\xc3\x89T\xc3\x89", "ete");        /* ÉTÉ */
	expect("\xc3\x80\xc3\x96\xc3\x98\xc3\x9e", /* ÀÖØÞ */
	       "ao\xc3\xb8\xc3\xbe");              /* aoøþ: no accent */
	expect("ni\xc3\x91o", "nino");             /* NiÑo */
	/* The multiplication sign is not a letter, ß folds to ss. */
	expect("3\xc3\x97"
	       "5",
	       "3\xc3\x97"
	       "5");
	expect("stra\xc3\x9f"
	       "e",
	       "strasse");
	expect("caf\xc3\xa9", "cafe");
}

static void
test_apostrophes(void **state)
{
	(void)state;
	expect("can't", "cant");
	expect("Don't", "dont");
	expect("can\xe2\x80\x99t", "cant"); /* ’ */
	expect("can\xe2\x80\x98t", "cant"); /* ‘ */
	expect("can`t", "cant");
	expect("can\xc2\xb4t", "cant"); /* ´ */
	expect("can\xca\xbct", "cant"); /* ʼ */
	expect("it's been 9 days", "its been 9 days");
	expect("'stop'", "stop");
}

static void
test_typographic_punctuation(void **state)
{
	(void)state;
	/* Double quotes map to '"', dashes to '-', the ellipsis to '.'. */
	expect("he said \xe2\x80\x9cno\xe2\x80\x9d ok", "he said \"no\" ok");
	expect("pain \xe2\x80\x93 bad", "pain - bad"); /* en dash */
	expect("pain\xe2\x80\x94"
	       "bad",
	       "pain-bad");                             /* em dash */
	expect("wait\xe2\x80\xa6 what", "wait. what");  /* … */
	expect("\xc2\xabstop\xc2\xbb", "stop");         /* «stop» */
	expect("\xe2\x80\x9cSTOP\xe2\x80\x9d", "stop"); /* “STOP” */
	expect("why\xef\xbc\x9f", "why");               /* fullwidth ? */
}

/* Known bug (tests/README.md): U+2212 MINUS SIGN has an ASCII mapping in
 * normalise_ascii_punct, but normalise_classify treats U+2100..U+2BFF as
 * symbols first, so it becomes a space. */
static void
test_minus_sign(void **state)
{
	(void)state;
	expect("minus \xe2\x88\x92"
	       "1",
	       "minus -1");
	expect("3\xe2\x88\x92"
	       "4 days",
	       "3-4 days");
}

static void
test_emoji_and_symbols(void **state)
{
	(void)state;
	expect("back \xf0\x9f\x98\xad hurts", "back hurts"); /* 😭 */
	expect("back\xf0\x9f\x98\xadhurts", "back hurts");
	expect("stop \xf0\x9f\x99\x8f", "stop"); /* 🙏 */
	expect("\xf0\x9f\x99\x8f stop", "stop");
	expect("\xe2\x9c\x85 done", "done");        /* ✅ */
	expect("ok \xe2\x86\x92 next", "ok next");  /* → */
	expect("brand\xc2\xae name", "brand name"); /* ® */
	/* A thumbs up with a skin tone and a family joined by ZWJs. */
	expect("ok \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd thanks", "ok thanks");
	expect("hi \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9 there",
	       "hi there");
	/* Heart with a variation selector. */
	expect("love \xe2\x9d\xa4\xef\xb8\x8f it", "love it");
	expect("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", "");
	/* Emoji for a symptom, a body part or what happened read as words. */
	expect_grown("\xf0\x9f\x94\xa5\xe2\x9a\xa1 down my leg", /* 🔥⚡ */
	             "burning electric down my leg");
	expect_grown("my\xf0\x9f\xa6\xb5is numb", "my leg is numb"); /* 🦵 */
	expect_grown("\xf0\x9f\x9a\x97\xf0\x9f\x92\xa5", "car crash"); /* 🚗💥 */
	expect_grown("\xf0\x9f\x8c\xa1\xef\xb8\x8f 102", "temperature 102");
	/* 🔙 back, 🐜 ants, 🩲💦 underwear wet, 🚶 walking, 🧊 ice
	 */
	expect_grown("\xf0\x9f\x94\x99\xf0\x9f\x98\xa9", "back");
	expect_grown("\xf0\x9f\xa6\xb6\xf0\x9f\x90\x9c\xf0\x9f\x90\x9c",
	             "foot ants ants");
	expect_grown("\xf0\x9f\xa9\xb2\xf0\x9f\x92\xa6", "underwear wet");
	expect_grown("\xf0\x9f\x9a\xb6\xe2\x80\x8d\xe2\x99\x82\xef\xb8\x8f"
	             " hurts",
	             "walking hurts");
	expect_grown("\xf0\x9f\xa7\x8a on my back", "ice on my back");
	/* Letters of other scripts are kept as they are. */
	expect_grown("\xce\xb1\xce\xb2 \xe4\xb8\xad",
	             "\xce\xb1\xce\xb2 \xe4\xb8\xad");
}

static void
test_whitespace(void **state)
{
	(void)state;
	expect("  my   back\t\thurts \n", "my back hurts");
	expect("my\r\nback", "my back");
	expect("no\xc2\xa0space", "no space");         /* NBSP */
	expect("thin\xe2\x80\x89space", "thin space"); /* U+2009 */
	expect("zero\xe2\x80\x8bwidth", "zerowidth");  /* ZWSP dropped */
	expect("", "");
	expect("   ", "");
	expect("\t\n", "");
}

static void
test_trim_punctuation(void **state)
{
	(void)state;
	expect("stop.", "stop");
	expect("...help!!", "help");
	expect("STOP!!!", "stop");
	expect("(stop)", "stop");
	expect("  -- stop --  ", "stop");
	expect("why?", "why");
	expect("#1 pain", "1 pain");
	/* Punctuation inside the message stays. */
	expect("no pain, but tingling.", "no pain, but tingling");
	expect("leg/foot numb?!", "leg/foot numb");
	expect("...", "");
	/* Digits are not trimmed. */
	expect("10.", "10");
	expect("9 days", "9 days");
}

static void
test_runs_two(void **state)
{
	(void)state;
	expect_runs("numbbb", NORMALISE_RUNS_TWO, "numbb");
	expect_runs("sleeeep", NORMALISE_RUNS_TWO, "sleep");
	expect_runs("sleep", NORMALISE_RUNS_TWO, "sleep");
	expect_runs("HELLLLP", NORMALISE_RUNS_TWO, "hellp");
	expect_runs("soooo sore", NORMALISE_RUNS_TWO, "soo sore");
	/* Case is folded before runs are counted. */
	expect_runs("NuMbBb", NORMALISE_RUNS_TWO, "numbb");
	/* Digits and punctuation are not letters. */
	expect_runs("1111 reps!!!! ok", NORMALISE_RUNS_TWO, "1111 reps!!!! ok");
}

static void
test_runs_one(void **state)
{
	(void)state;
	expect_runs("numbbb", NORMALISE_RUNS_ONE, "numb");
	expect_runs("numbbbbbbb", NORMALISE_RUNS_ONE, "numb");
	expect_runs("sleeeep", NORMALISE_RUNS_ONE, "slep");
	/* Runs of two are left alone in both modes. */
	expect_runs("sleep", NORMALISE_RUNS_ONE, "sleep");
	expect_runs("soooo sore", NORMALISE_RUNS_ONE, "so sore");
	/* A run broken by a space is two runs. */
	expect_runs("aa aa", NORMALISE_RUNS_ONE, "aa aa");
}

static void
test_has_runs(void **state)
{
	struct normalise_result r;

	(void)state;
	normalise_text("numbbb", 6, NORMALISE_RUNS_TWO, out, &r);
	assert_true(r.has_runs);
	normalise_text("numbbb", 6, NORMALISE_RUNS_ONE, out, &r);
	assert_true(r.has_runs);
	normalise_text("numbb", 5, NORMALISE_RUNS_TWO, out, &r);
	assert_false(r.has_runs);
	normalise_text("sleep well", 10, NORMALISE_RUNS_TWO, out, &r);
	assert_false(r.has_runs);
	normalise_text("1111!!!", 7, NORMALISE_RUNS_TWO, out, &r);
	assert_false(r.has_runs);
	normalise_text("aa a", 4, NORMALISE_RUNS_TWO, out, &r);
	assert_false(r.has_runs);
	normalise_text("AaA", 3, NORMALISE_RUNS_TWO, out, &r);
	assert_true(r.has_runs);
}

static void
expect_invalid(const char *in, size_t len, size_t bad)
{
	struct normalise_result r;

	memset(out, 'X', sizeof(out));
	assert_int_equal(normalise_text(in, len, NORMALISE_RUNS_TWO, out, &r),
	                 NORMALISE_INVALID_UTF8);
	assert_int_equal(r.bad_offset, bad);
	assert_int_equal(out[0], '\0');
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	expect_invalid("ab\xff"
	               "cd",
	               5, 2);
	expect_invalid("\x80", 1, 0);
	expect_invalid("caf\xc3\xa9 \xc0\xaf", 8, 6);  /* overlong */
	expect_invalid("x \xed\xa0\x80", 5, 2);        /* surrogate */
	expect_invalid("stop \xf4\x90\x80\x80", 9, 5); /* > U+10FFFF */
	expect_invalid("numb \xe2\x80", 7, 5);         /* truncated */
	/* Invalid bytes after a character that would be dropped. */
	expect_invalid("\xf0\x9f\x98\x80\xff", 5, 4);
}

/* Fills buf with n bytes of text that normalises to itself ("ab" repeated,
 * no runs, no spaces to collapse). */
static void
fill_ab(char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = i % 2 ? 'b' : 'a';
}

static void
test_truncation(void **state)
{
	size_t n = BT_MESSAGE_MAX + 100;
	char *in = malloc(n);
	struct normalise_result r;

	(void)state;
	assert_non_null(in);

	/* "é" straddles the limit: bytes BT_MESSAGE_MAX - 1 and
	 * BT_MESSAGE_MAX.  It must be dropped whole. */
	fill_ab(in, n);
	in[BT_MESSAGE_MAX - 1] = '\xc3';
	in[BT_MESSAGE_MAX] = '\xa9';
	assert_int_equal(normalise_text(in, n, NORMALISE_RUNS_TWO, out, &r),
	                 NORMALISE_OK);
	assert_true(r.truncated);
	assert_int_equal(r.len, BT_MESSAGE_MAX - 1);
	assert_int_equal(strlen(out), r.len);
	assert_int_equal(utf8_invalid_offset(out, r.len), r.len);
	assert_int_equal(out[r.len - 1], 'a'); /* in[BT_MESSAGE_MAX - 2] */

	/* "ø" (no accent to strip) ends exactly at the limit: it is kept. */
	fill_ab(in, n);
	in[BT_MESSAGE_MAX - 2] = '\xc3';
	in[BT_MESSAGE_MAX - 1] = '\xb8';
	assert_int_equal(normalise_text(in, n, NORMALISE_RUNS_TWO, out, &r),
	                 NORMALISE_OK);
	assert_true(r.truncated);
	assert_int_equal(r.len, BT_MESSAGE_MAX);
	assert_memory_equal(out + BT_MESSAGE_MAX - 2, "\xc3\xb8", 2);

	/* Emoji read as words grow the text: it is cut at the limit. */
	{
		static char big[BT_MESSAGE_MAX + 1];
		struct normalise_result g;
		for (size_t i = 0; i + 4 <= BT_MESSAGE_MAX; i += 4)
			memcpy(big + i, "\xf0\x9f\x94\xa5", 4); /* 🔥 */
		assert_int_equal(normalise_text(big, BT_MESSAGE_MAX,
		                                NORMALISE_RUNS_TWO, out, &g),
		                 NORMALISE_OK);
		assert_true(g.truncated);
		assert_true(g.len <= BT_MESSAGE_MAX);
		assert_int_equal(strlen(out), g.len);
		assert_memory_equal(out, "burning burning ", 16);
	}
	/* An emoji cut after two of its four bytes. */
	fill_ab(in, n);
	memcpy(in + BT_MESSAGE_MAX - 2, "\xf0\x9f\x98\x80", 4);
	assert_int_equal(normalise_text(in, n, NORMALISE_RUNS_TWO, out, &r),
	                 NORMALISE_OK);
	assert_true(r.truncated);
	assert_int_equal(r.len, BT_MESSAGE_MAX - 2);

	/* Exactly BT_MESSAGE_MAX bytes is not truncated. */
	fill_ab(in, BT_MESSAGE_MAX);
	assert_int_equal(
	    normalise_text(in, BT_MESSAGE_MAX, NORMALISE_RUNS_TWO, out, &r),
	    NORMALISE_OK);
	assert_false(r.truncated);
	assert_int_equal(r.len, BT_MESSAGE_MAX);
	free(in);
}

/* Output never grows: every input byte of a varied set of messages, built
 * from pieces that map to themselves, to less, or to a space. */
static void
test_never_longer(void **state)
{
	static const char *const pieces[] = {
		"a",
		"B",
		" ",
		"\t",
		"\xc3\x89",         /* É */
		"\xc3\xa9",         /* é */
		"\xe2\x80\x99",     /* ’ */
		"\xe2\x80\x9c",     /* “ */
		"\xe2\x80\x94",     /* — */
		"\xe2\x80\xa6",     /* … */
		"\xf0\x9f\x98\xad", /* 😭 */
		"\xc2\xa0",         /* NBSP */
		"\xc2\x85",         /* NEL, a C1 control */
		"\xe2\x80\x8b",     /* ZWSP */
		".",
		"!",
		"7",
		"\xce\xa3",     /* Σ */
		"\xe4\xb8\xad", /* 中 */
	};
	const size_t np = sizeof(pieces) / sizeof(pieces[0]);
	char in[64];
	struct normalise_result r;
	unsigned seed = 12345;

	(void)state;
	for (int iter = 0; iter < 5000; iter++) {
		size_t len = 0;
		int k = 1 + iter % 12;
		for (int j = 0; j < k; j++) {
			seed = seed * 1103515245u + 12345u;
			const char *p = pieces[(seed >> 16) % np];
			memcpy(in + len, p, strlen(p));
			len += strlen(p);
		}
		for (int m = 0; m < 2; m++) {
			enum normalise_runs runs =
			    m ? NORMALISE_RUNS_ONE : NORMALISE_RUNS_TWO;
			assert_int_equal(normalise_text(in, len, runs, out, &r),
			                 NORMALISE_OK);
			if (r.len > len)
				fail_msg("output %zu bytes from %zu", r.len,
				         len);
			assert_int_equal(strlen(out), r.len);
			assert_int_equal(utf8_invalid_offset(out, r.len),
			                 r.len);
			/* No leading, trailing or double spaces. */
			if (r.len > 0) {
				assert_true(out[0] != ' ');
				assert_true(out[r.len - 1] != ' ');
			}
			assert_null(strstr(out, "  "));
		}
	}
}

/* Non-ASCII text is folded with utf8proc: compatibility forms, full case
 * folding, accents and other marks stripped. */
static void
test_unicode_fold(void **state)
{
	(void)state;
	/* Spanish opening marks are punctuation: the message stays ASCII. */
	expect("\xc2\xbf"
	       "por qu\xc3\xa9"
	       " me duele? \xc2\xa1"
	       "ayuda!",
	       "por que me duele? ayuda");
	/* Full-width letters. */
	expect("\xef\xbc\xae\xef\xbc\xb5\xef\xbc\xad\xef\xbc\xa2", "numb");
	expect("\xef\xbd\x93\xef\xbd\x94\xef\xbd\x8f\xef\xbd\x90", "stop");
	expect("can\xef\xbc\x87t", "cant"); /* full-width apostrophe */
	/* Accents, precomposed and combining. */
	expect("N\xc3\x9aMB", "numb");
	expect("dorm\xc3\xad"
	       "da",
	       "dormida");
	expect("formigam\xc3\xa9nto", "formigamento");
	expect("cafe\xcc\x81", "cafe");
	expect("E\xcc\x81\xcc\xa7T", "et"); /* two combining marks */
	/* Ligatures and ß. */
	expect("\xef\xac\x81ne", "fine");   /* ﬁ */
	expect("\xef\xac\x83x", "ffix");    /* ﬃ */
	expect("GRO\xc3\x9f", "gross");     /* ß */
	expect("GRO\xe1\xba\x9e", "gross"); /* ẞ */
	expect("numb\xc2\xad"               /* soft hyphen */
	       "ness",
	       "numbness");
	/* Greek and Cyrillic capitals, final sigma folded too. */
	expect("\xce\xa0\xce\x8c\xce\x9d\xce\x9f\xce\xa3",  /* ΠΌΝΟΣ */
	       "\xcf\x80\xce\xbf\xce\xbd\xce\xbf\xcf\x83"); /* πονοσ */
	expect("\xcf\x82", "\xcf\x83");                     /* ς -> σ */
	expect("\xd0\xa1\xd0\x9f\xd0\x98\xd0\x9d\xd0\x90",  /* СПИНА */
	       "\xd1\x81\xd0\xbf\xd0\xb8\xd0\xbd\xd0\xb0"); /* спина */
	/* Turkish: dotted capital I folds to i; dotless i stays. */
	expect("\xc4\xb0YI", "iyi");
	expect("\xc4\xb1", "\xc4\xb1");
	/* Hangul syllables are recomposed after folding. */
	expect("\xed\x97\x88\xeb\xa6\xac", "\xed\x97\x88\xeb\xa6\xac");
	/* Conjoining jamo compose to a syllable, after an emoji too (the
	 * emoji alone needs no composing, the jamo do). */
	expect("\xe1\x84\x80\xe1\x85\xa1", "\xea\xb0\x80");
	expect("\xf0\x9f\x98\xad \xe1\x84\x80\xe1\x85\xa1 ok",
	       "\xea\xb0\x80 ok");
	expect(
	    "ok \xf0\x9f\x98\xad\xe2\x80\x94 fine \xe2\x80\x9cyes\xe2\x80\x9d",
	    "ok - fine \"yes");
	/* Mixed ASCII and non-ASCII. */
	expect("My B\xc3\x81"
	       "CK hurts \xef\xbc\xae\xef\xbc\xaf\xef\xbc\xb7 \xf0\x9f\x98\xad",
	       "my back hurts now");
	expect("can\xe2\x80\x99t feel my f\xc3\xb2ot \xe2\x88\x92 at all",
	       "cant feel my foot - at all");
	/* Letter runs are counted on the folded letters. */
	expect_runs("N\xc3\x9a\xc3\x9a\xc3\x9aMB", NORMALISE_RUNS_TWO, "nuumb");
	expect_runs("N\xc3\x9a\xc3\x9a\xc3\x9aMB", NORMALISE_RUNS_ONE, "numb");
	expect_runs("ne\xcc\x81"
	            "e\xcc\x81"
	            "e\xcc\x81"
	            "d",
	            NORMALISE_RUNS_ONE, "ned");
}

/* The compliance keywords are matched on the normalised text. */
static void
test_unicode_compliance(void **state)
{
	(void)state;
	expect("\xef\xbc\xb3\xef\xbc\xb4\xef\xbc\xaf\xef\xbc\xb0", "stop");
	expect("Stop", "stop");
	expect("\xef\xbc\xb3top\xef\xbc\x81", "stop"); /* Ｓtop！ */
	expect(
	    "\xf0\x9d\x90\x92\xf0\x9d\x90\x93\xf0\x9d\x90\x8e\xf0\x9d\x90\x8f",
	    "stop"); /* mathematical bold STOP */
	expect("UNSUBSCRIB\xc3\x89", "unsubscribe");
}

/* Non-ASCII text before an invalid byte: the offset is that of the input. */
static void
test_unicode_invalid(void **state)
{
	(void)state;
	expect_invalid("\xef\xbc\xb3\xef\xbc\xb4\xef\xbc\xaf\xef\xbc\xb0 \xff",
	               14, 13);
	expect_invalid("e\xcc\x81\xc0\xaf", 5, 3);
	expect_invalid("\xef\xb7\xba\xed\xa0\x80", 6, 3);
	expect_invalid("\xc3\x9f\xc3", 3, 2);
}

/* ﷺ (3 bytes) folds to 18 code points, 33 bytes. */
#define FOLD_GROWS "\xef\xb7\xba"
#define FOLD_GROWN                                                   \
	"\xd8\xb5\xd9\x84\xd9\x89 \xd8\xa7\xd9\x84\xd9\x84\xd9\x87 " \
	"\xd8\xb9\xd9\x84\xd9\x8a\xd9\x87 \xd9\x88\xd8\xb3\xd9\x84\xd9\x85"

static void
test_unicode_growth(void **state)
{
	char *in = malloc(BT_MESSAGE_MAX);
	struct normalise_result r;
	size_t k = 20 * 3;

	(void)state;
	assert_non_null(in);

	/* Growth that fits is not a truncation. */
	assert_int_equal(
	    normalise_text(FOLD_GROWS, 3, NORMALISE_RUNS_TWO, out, &r),
	    NORMALISE_OK);
	assert_string_equal(out, FOLD_GROWN);
	assert_int_equal(r.len, strlen(FOLD_GROWN));
	assert_false(r.truncated);

	/* Exactly BT_MESSAGE_MAX bytes in, ending with 20 of them: the output
	 * is cut at a character boundary at BT_MESSAGE_MAX bytes. */
	fill_ab(in, BT_MESSAGE_MAX - k);
	for (size_t i = BT_MESSAGE_MAX - k; i < BT_MESSAGE_MAX; i += 3)
		memcpy(in + i, FOLD_GROWS, 3);
	for (int m = 0; m < 2; m++) {
		memset(out, 'X', sizeof(out));
		assert_int_equal(
		    normalise_text(in, BT_MESSAGE_MAX,
		                   m ? NORMALISE_RUNS_ONE : NORMALISE_RUNS_TWO,
		                   out, &r),
		    NORMALISE_OK);
		assert_true(r.truncated);
		assert_true(r.len <= BT_MESSAGE_MAX);
		assert_true(r.len >= BT_MESSAGE_MAX - 2);
		assert_int_equal(strlen(out), r.len);
		assert_int_equal(utf8_invalid_offset(out, r.len), r.len);
		assert_memory_equal(out, in, BT_MESSAGE_MAX - k);
		assert_memory_equal(out + BT_MESSAGE_MAX - k, FOLD_GROWN,
		                    strlen(FOLD_GROWN));
	}

	/* Nothing but them: the folded code points outgrow the fold buffer
	 * too, and the output is still filled up to the limit. */
	for (size_t i = 0; i + 3 <= BT_MESSAGE_MAX; i += 3)
		memcpy(in + i, FOLD_GROWS, 3);
	assert_int_equal(normalise_text(in, BT_MESSAGE_MAX / 3 * 3,
	                                NORMALISE_RUNS_TWO, out, &r),
	                 NORMALISE_OK);
	assert_true(r.truncated);
	assert_true(r.len >= BT_MESSAGE_MAX - 2);
	assert_int_equal(utf8_invalid_offset(out, r.len), r.len);
	assert_memory_equal(out, FOLD_GROWN, strlen(FOLD_GROWN));
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_folding),
		cmocka_unit_test(test_apostrophes),
		cmocka_unit_test(test_typographic_punctuation),
		cmocka_unit_test(test_minus_sign),
		cmocka_unit_test(test_emoji_and_symbols),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_trim_punctuation),
		cmocka_unit_test(test_runs_two),
		cmocka_unit_test(test_runs_one),
		cmocka_unit_test(test_has_runs),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_never_longer),
		cmocka_unit_test(test_unicode_fold),
		cmocka_unit_test(test_unicode_compliance),
		cmocka_unit_test(test_unicode_invalid),
		cmocka_unit_test(test_unicode_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
