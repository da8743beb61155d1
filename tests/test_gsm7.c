/* Tests for gsm7.c: the GSM 03.38 tables, checked code point by code point
 * against the reference table in tests/data, and SMS segment
 * counting for GSM-7 and UCS-2. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gsm7.h"

#ifndef GSM7_TABLES
#error "GSM7_TABLES must name tests/data/gsm7_tables.txt"
#endif

#define TABLE_MAX 0x30000

/* Septets per code point according to the reference file. */
static unsigned char table[TABLE_MAX];

/* Reads lines "U+XXXX<TAB>gsm ..." under the "# BASIC" and "# EXTENSION"
 * headers.  Returns the number of entries in each section. */
static void
load_table(size_t *ret_basic, size_t *ret_ext)
{
	FILE *fp = fopen(GSM7_TABLES, "r");
	char line[256];
	unsigned section = 0;

	if (fp == NULL)
		fail_msg("cannot open %s", GSM7_TABLES);
	*ret_basic = *ret_ext = 0;
	memset(table, 0, sizeof(table));
	while (fgets(line, sizeof(line), fp) != NULL) {
		unsigned cp;
		if (strncmp(line, "# BASIC", 7) == 0) {
			section = 1;
			continue;
		}
		if (strncmp(line, "# EXTENSION", 11) == 0) {
			section = 2;
			continue;
		}
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "U+%x", &cp) != 1 || section == 0)
			fail_msg("%s: cannot read line: %s", GSM7_TABLES, line);
		assert_true(cp < TABLE_MAX);
		assert_int_equal(table[cp], 0); /* listed once */
		table[cp] = (unsigned char)section;
		if (section == 1)
			(*ret_basic)++;
		else
			(*ret_ext)++;
	}
	fclose(fp);
}

static void
test_septets_match_reference(void **state)
{
	size_t basic, ext, wrong = 0;

	(void)state;
	load_table(&basic, &ext);
	/* The file's own headers say 127 and 10: a parse that finds fewer
	 * would make the comparison below meaningless. */
	assert_int_equal(basic, 127);
	assert_int_equal(ext, 10);
	assert_int_equal(table[0x0a], 1);
	assert_int_equal(table[0x0d], 1);
	assert_int_equal(table[0x20ac], 2);

	for (uint32_t cp = 0; cp < TABLE_MAX; cp++) {
		unsigned got = gsm7_septets(cp);
		if (got != table[cp]) {
			if (wrong++ < 20)
				print_error("gsm7_septets(U+%04X) = %u, "
				            "reference says %u\n",
				            (unsigned)cp, got, table[cp]);
		}
	}
	if (wrong > 0)
		fail_msg("%zu code points disagree with %s", wrong,
		         GSM7_TABLES);
}

/* Builds a string of n copies of piece followed by tail. */
static char *
repeat(const char *piece, size_t n, const char *tail)
{
	size_t pl = strlen(piece), tl = strlen(tail);
	char *s = malloc(pl * n + tl + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * pl, piece, pl);
	memcpy(s + pl * n, tail, tl + 1);
	return s;
}

static struct gsm7_info
measure(const char *s)
{
	struct gsm7_info info;

	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(gsm7_measure(s, strlen(s), &info), 0);
	return info;
}

/* n copies of piece then tail: encoding, units and segments. */
static void
expect_segments(const char *piece, size_t n, const char *tail,
                enum gsm7_encoding enc, size_t units, size_t segments)
{
	char *s = repeat(piece, n, tail);
	struct gsm7_info info = measure(s);

	if (info.encoding != enc || info.units != units ||
	    info.segments != segments)
		fail_msg("%zu x \"%s\" + \"%s\": %s %zu units %zu segments, "
		         "want %s %zu units %zu segments",
		         n, piece, tail, gsm7_encoding_name(info.encoding),
		         info.units, info.segments, gsm7_encoding_name(enc),
		         units, segments);
	free(s);
}

static void
test_gsm7_segments(void **state)
{
	(void)state;
	expect_segments("a", 1, "", GSM7_ENCODING_GSM7, 1, 1);
	expect_segments("a", 160, "", GSM7_ENCODING_GSM7, 160, 1);
	expect_segments("a", 161, "", GSM7_ENCODING_GSM7, 161, 2);
	expect_segments("a", 306, "", GSM7_ENCODING_GSM7, 306, 2);
	expect_segments("a", 307, "", GSM7_ENCODING_GSM7, 307, 3);
	expect_segments("a", 459, "", GSM7_ENCODING_GSM7, 459, 3);
	expect_segments("a", 460, "", GSM7_ENCODING_GSM7, 460, 4);
	/* Basic-table characters outside ASCII take one septet. */
	expect_segments("\xc3\xa9", 160, "", GSM7_ENCODING_GSM7, 160, 1);
	expect_segments("\xce\x94", 161, "", GSM7_ENCODING_GSM7, 161, 2);
}

static void
test_gsm7_extension(void **state)
{
	(void)state;
	/* Extension characters take two septets. */
	expect_segments("{", 80, "", GSM7_ENCODING_GSM7, 160, 1);
	expect_segments("{", 81, "", GSM7_ENCODING_GSM7, 162, 2);
	expect_segments("\xe2\x82\xac", 80, "", GSM7_ENCODING_GSM7, 160, 1);
	expect_segments("a", 159, "~", GSM7_ENCODING_GSM7, 161, 2);

	/* 151 a + "{" fills the first 153-septet part exactly and 153 a fill
	 * the second: 306 septets in 2 parts. */
	char *tail = repeat("a", 153, "");
	expect_segments("a", 151, "{", GSM7_ENCODING_GSM7, 153, 1);
	char *s = repeat("a", 151, "");
	char *t;
	if (asprintf(&t, "%s{%s", s, tail) < 0)
		fail();
	struct gsm7_info info = measure(t);
	assert_int_equal(info.units, 306);
	assert_int_equal(info.segments, 2);
	free(t);
	free(s);
	free(tail);

	/* 152 a + "{" + 152 a is also 306 septets, but the escape pair
	 * cannot be split after septet 153: part one carries 152, part two
	 * 154 would overflow, so three parts are needed. */
	s = repeat("a", 152, "");
	tail = repeat("a", 152, "");
	if (asprintf(&t, "%s{%s", s, tail) < 0)
		fail();
	info = measure(t);
	assert_int_equal(info.encoding, GSM7_ENCODING_GSM7);
	assert_int_equal(info.units, 306);
	assert_int_equal(info.segments, 3);
	free(t);
	free(s);
	free(tail);
}

static void
test_ucs2_segments(void **state)
{
	(void)state;
	/* "ж" is not in GSM-7, so the whole text goes as UCS-2. */
	expect_segments("\xd0\xb6", 70, "", GSM7_ENCODING_UCS2, 70, 1);
	expect_segments("\xd0\xb6", 71, "", GSM7_ENCODING_UCS2, 71, 2);
	expect_segments("\xd0\xb6", 134, "", GSM7_ENCODING_UCS2, 134, 2);
	expect_segments("\xd0\xb6", 135, "", GSM7_ENCODING_UCS2, 135, 3);
	/* One non-GSM character makes ASCII text UCS-2. */
	expect_segments("a", 69, "\xd0\xb6", GSM7_ENCODING_UCS2, 70, 1);
	expect_segments("a", 70, "\xd0\xb6", GSM7_ENCODING_UCS2, 71, 2);
	/* Emoji are two UTF-16 units. */
	expect_segments("\xf0\x9f\x98\x80", 35, "", GSM7_ENCODING_UCS2, 70, 1);
	expect_segments("\xf0\x9f\x98\x80", 36, "", GSM7_ENCODING_UCS2, 72, 2);
	expect_segments("a", 68, "\xf0\x9f\x98\x80", GSM7_ENCODING_UCS2, 70, 1);
	expect_segments("a", 69, "\xf0\x9f\x98\x80", GSM7_ENCODING_UCS2, 71, 2);
}

static void
test_ucs2_surrogate_not_split(void **state)
{
	char *head, *tail, *t;
	struct gsm7_info info;

	(void)state;
	/* 65 ж + emoji fill a 67-unit part exactly: 2 parts for 133. */
	head = repeat("\xd0\xb6", 65, "\xf0\x9f\x98\x80");
	tail = repeat("\xd0\xb6", 66, "");
	if (asprintf(&t, "%s%s", head, tail) < 0)
		fail();
	info = measure(t);
	assert_int_equal(info.units, 133);
	assert_int_equal(info.segments, 2);
	free(t);
	free(head);
	free(tail);

	/* 66 ж + emoji + 66 ж is 134 units, which fits two parts by count,
	 * but the pair would straddle units 67 and 68: three parts. */
	head = repeat("\xd0\xb6", 66, "\xf0\x9f\x98\x80");
	tail = repeat("\xd0\xb6", 66, "");
	if (asprintf(&t, "%s%s", head, tail) < 0)
		fail();
	info = measure(t);
	assert_int_equal(info.encoding, GSM7_ENCODING_UCS2);
	assert_int_equal(info.units, 134);
	assert_int_equal(info.chars, 133);
	assert_int_equal(info.segments, 3);
	free(t);
	free(head);
	free(tail);
}

static void
test_empty(void **state)
{
	struct gsm7_info info = measure("");

	(void)state;
	assert_int_equal(info.segments, 0);
	assert_int_equal(info.units, 0);
	assert_int_equal(info.chars, 0);
	assert_int_equal(info.encoding, GSM7_ENCODING_GSM7);
}

static void
test_first_non_gsm(void **state)
{
	struct gsm7_info info;

	(void)state;
	info = measure("don\xe2\x80\x99t \xd0\xb6");
	assert_int_equal(info.encoding, GSM7_ENCODING_UCS2);
	assert_int_equal(info.first_non_gsm, 0x2019);
	assert_int_equal(info.first_non_gsm_offset, 3);
	assert_int_equal(info.chars, 7);

	info = measure("caf\xc3\xa9 \xe2\x82\xac"
	               "5 `x`");
	assert_int_equal(info.encoding, GSM7_ENCODING_UCS2);
	assert_int_equal(info.first_non_gsm, 0x60);
	assert_int_equal(info.first_non_gsm_offset, 11);

	info = measure("plain [text] \xe2\x82\xac");
	assert_int_equal(info.encoding, GSM7_ENCODING_GSM7);
	assert_int_equal(info.units, 17);
	assert_int_equal(info.chars, 14);
}

static void
test_invalid_utf8(void **state)
{
	struct gsm7_info info;

	(void)state;
	assert_int_equal(gsm7_measure("ab\xff", 3, &info), -1);
	assert_int_equal(gsm7_measure("\xc0\x80", 2, &info), -1);
	assert_int_equal(gsm7_measure("\xed\xa0\x80", 3, &info), -1);
	assert_int_equal(gsm7_measure("ok \xe2\x82", 5, &info), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_septets_match_reference),
		cmocka_unit_test(test_gsm7_segments),
		cmocka_unit_test(test_gsm7_extension),
		cmocka_unit_test(test_ucs2_segments),
		cmocka_unit_test(test_ucs2_surrogate_not_split),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_first_non_gsm),
		cmocka_unit_test(test_invalid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
