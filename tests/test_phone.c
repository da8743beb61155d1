/* Tests for phone.c: numbers as an operator types them, to E.164 with or
 * without a default country, and the refusals that say how to write
 * them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "phone.h"
#include "testutil.h"

/* in, with the default country iso (NULL: none), gives want. */
static void
ok(const char *iso, const char *in, const char *want)
{
	const struct phone_country *home = NULL;
	char buf[PHONE_E164_MAX], err[512];

	if (iso != NULL) {
		home = phone_country_find(iso);
		assert_non_null(home);
	}
	if (!phone_normalise(in, home, buf, sizeof(buf), err, sizeof(err)))
		fail_msg("%s \"%s\": %s", iso != NULL ? iso : "-", in, err);
	if (strcmp(buf, want) != 0)
		fail_msg("%s \"%s\": got %s, want %s", iso != NULL ? iso : "-",
		         in, buf, want);
}

/* in is refused, and the message holds want. */
static void
refused(const char *iso, const char *in, const char *want)
{
	const struct phone_country *home =
	    iso != NULL ? phone_country_find(iso) : NULL;
	char buf[PHONE_E164_MAX] = "", err[512] = "";

	if (phone_normalise(in, home, buf, sizeof(buf), err, sizeof(err)))
		fail_msg("%s \"%s\" gave %s; it should be refused",
		         iso != NULL ? iso : "-", in, buf);
	if (strstr(err, want) == NULL)
		fail_msg("%s \"%s\": \"%s\" not in: %s",
		         iso != NULL ? iso : "-", in, want, err);
}

/* The case: a US number typed without +1. */
static void
test_us_without_country_code(void **state)
{
	(void)state;
	ok("US", "5550007778", "+15550007778");
	ok("US", "555-000-7778", "+15550007778");
	ok("US", "(555) 000 7778", "+15550007778");
	ok("US", "1 555 000 7778", "+15550007778");
	ok("US", "15550007778", "+15550007778");
	ok("US", "+1 555 000 7778", "+15550007778");
	ok("us", "011 44 7700 900123", "+447700900123");
	ok("US", "+44 7700 900123", "+447700900123");
	/* Twelve digits are no US number, and not taken as one abroad. */
	refused("US", "447700900123", "not a number in the US");
	refused("US", "447700900123", "takes + and its country code");
	refused("US", "555000777", "10 digits");
	refused("US", "05550007778", "not a number in the US");
}

/* Without a default country, only "+" numbers: the short form was stored
 * as typed and never matched the gateway's. */
static void
test_no_default_country(void **state)
{
	(void)state;
	ok(NULL, "+15550007778", "+15550007778");
	ok(NULL, "+44 7700-900.123", "+447700900123");
	refused(NULL, "5550007778", "has no country code");
	refused(NULL, "5550007778", "numbers.default_country");
	refused(NULL, "15550007778", "like +15551234567");
	refused(NULL, "0044 7700 900123", "has no country code");
}

/* A trunk prefix of 0: a national number starts with it; one without it
 * could be a number written without its "+", so it is refused. */
static void
test_trunk_zero(void **state)
{
	(void)state;
	ok("GB", "07700 900123", "+447700900123");
	ok("gb", "00 44 7700 900123", "+447700900123");
	ok("GB", "0015550007778", "+15550007778");
	refused("GB", "447700900123", "neither + and a country code nor the 0");
	refused("GB", "7700900123", "as +44 and the number without its 0");
	refused("GB", "0770090", "9 to 10 digits after the 0");
	ok("FR", "06 12 34 56 78", "+33612345678");
	ok("DE", "030 1234567", "+49301234567");
	/* Without a trunk prefix, and Italy keeps its leading 0. */
	ok("ES", "612 345 678", "+34612345678");
	ok("IT", "06 1234 5678", "+390612345678");
	ok("IT", "312 345 6789", "+393123456789");
	refused("ES", "61234567", "9 digits");
}

static void
test_not_numbers(void **state)
{
	(void)state;
	refused("US", "not-a-number", "is not a phone number");
	refused("US", "", "is not a phone number");
	refused("US", "+", "is not a phone number");
	refused("US", "+1555+0007778", "is not a phone number");
	refused(NULL, "+0123456789", "not starting with 0");
	refused(NULL, "+1234567", "8 to 15 digits");
	refused(NULL, "+1234567890123456", "8 to 15 digits");
	refused(NULL, "+1555000777", "after +1");
	refused(NULL, "+11555000777", "an area code first");
	refused(NULL, "555０007778", "is not a phone number");
}

static void
test_countries(void **state)
{
	(void)state;
	assert_null(phone_country_find("XX"));
	assert_null(phone_country_find(""));
	assert_null(phone_country_find(NULL));
	assert_string_equal(phone_country_find("ca")->cc, "1");
	assert_non_null(strstr(phone_country_list(), "GB, IE"));
	assert_non_null(strstr(phone_country_list(), "US"));
}

/* numbers.default_country: a code the table knows, in either case. */
static void
test_config_key(void **state)
{
	char *dir = testutil_tmpdir();
	char *good =
	    testutil_write(dir, "good.conf",
	                   "gateway = { driver = \"console\"; };\n"
	                   "numbers = { default_country = \"gb\"; };\n");
	char *bad =
	    testutil_write(dir, "bad.conf",
	                   "gateway = { driver = \"console\"; };\n"
	                   "numbers = { default_country = \"XX\"; };\n");
	struct config *cfg = NULL;
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(config_load(good, &cfg, &d), 0);
	assert_string_equal(cfg->numbers.default_country, "GB");
	config_free(cfg);
	diag_free(&d);

	cfg = NULL;
	diag_init(&d);
	assert_int_not_equal(config_load(bad, &cfg, &d), 0);
	EXPECT_DIAG(&d, "bad.conf", 2, "numbers.default_country", "AT, AU",
	            "(got \"XX\")", "with + and the country code");
	diag_free(&d);
	free(good);
	free(bad);
	testutil_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_us_without_country_code),
		cmocka_unit_test(test_no_default_country),
		cmocka_unit_test(test_trunk_zero),
		cmocka_unit_test(test_not_numbers),
		cmocka_unit_test(test_countries),
		cmocka_unit_test(test_config_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
