/* phone.c: a number typed by an operator, to E.164.  Pure string work.
 *
 * The table knows, for a few countries, the country code, the national
 * (trunk) prefix, the international prefix and, where it is fixed, the
 * length of a national number.  It is not a numbering plan: it is what it
 * takes to read a number as dialled at home without guessing.  In a
 * country whose national numbers start with the trunk prefix 0, a number
 * without the 0 and without "+" could be either a national number or an
 * international one written without "+" (as Infobip writes them), so it
 * is refused rather than read one way or the other. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "phone.h"

#define PHONE_DIGITS_MAX 15 /* E.164 */

// clang-format off
static const struct phone_country phone_countries[] = {
	{ "AT", "Austria",        "43",  "0", true,  "00",   0,  0 },
	{ "AU", "Australia",      "61",  "0", true,  "0011", 9,  9 },
	{ "BE", "Belgium",        "32",  "0", true,  "00",   8,  9 },
	{ "CA", "Canada",         "1",   "1", false, "011",  10, 10 },
	{ "CH", "Switzerland",    "41",  "0", true,  "00",   9,  9 },
	{ "DE", "Germany",        "49",  "0", true,  "00",   0,  0 },
	{ "DK", "Denmark",        "45",  "",  false, "00",   8,  8 },
	{ "ES", "Spain",          "34",  "",  false, "00",   9,  9 },
	{ "FR", "France",         "33",  "0", true,  "00",   9,  9 },
	{ "GB", "the UK",         "44",  "0", true,  "00",   9,  10 },
	{ "IE", "Ireland",        "353", "0", true,  "00",   0,  0 },
	{ "IN", "India",          "91",  "0", true,  "00",   10, 10 },
	{ "IT", "Italy",          "39",  "",  false, "00",   0,  0 },
	{ "NL", "the Netherlands", "31", "0", true,  "00",   9,  9 },
	{ "NO", "Norway",         "47",  "",  false, "00",   8,  8 },
	{ "NZ", "New Zealand",    "64",  "0", true,  "00",   0,  0 },
	{ "PL", "Poland",         "48",  "",  false, "00",   9,  9 },
	{ "PT", "Portugal",       "351", "",  false, "00",   9,  9 },
	{ "SE", "Sweden",         "46",  "0", true,  "00",   0,  0 },
	{ "US", "the US",         "1",   "1", false, "011",  10, 10 },
	{ "ZA", "South Africa",   "27",  "0", true,  "00",   9,  9 },
};
// clang-format on

#define PHONE_NCOUNTRIES (sizeof(phone_countries) / sizeof(phone_countries[0]))

const struct phone_country *
phone_country_find(const char *iso)
{
	for (size_t i = 0; iso != NULL && i < PHONE_NCOUNTRIES; i++)
		if (strcasecmp(iso, phone_countries[i].iso) == 0)
			return &phone_countries[i];
	return NULL;
}

const char *
phone_country_list(void)
{
	static char list[PHONE_NCOUNTRIES * 4];
	size_t o = 0;

	if (list[0] != '\0')
		return list;
	for (size_t i = 0; i < PHONE_NCOUNTRIES; i++)
		o +=
		    (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
		                     i > 0 ? ", " : "", phone_countries[i].iso);
	return list;
}

static bool
phone_prefix(const char *s, const char *prefix)
{
	return prefix != NULL && prefix[0] != '\0' &&
	       strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The digits of in, and whether it began with '+'; false when it holds
 * anything else than digits and the separators people type. */
static bool
phone_digits(const char *in, char *digits, size_t len, bool *plus)
{
	size_t n = 0;

	*plus = false;
	for (const char *p = in; *p != '\0'; p++) {
		if (strchr(" -.()/\t", *p) != NULL)
			continue;
		if (*p == '+' && n == 0 && !*plus) {
			*plus = true;
			continue;
		}
		if (!isdigit((unsigned char)*p) || n + 1 >= len)
			return false;
		digits[n++] = *p;
	}
	digits[n] = '\0';
	return n > 0;
}

/* digits (a country code and the rest) is a number E.164 allows; a
 * number of the North American plan has 10 digits after the 1, the first
 * of them (the area code's) not 0 or 1. */
static bool
phone_check(const char *in, const char *digits, char *err, size_t errlen)
{
	size_t n = strlen(digits);

	if (digits[0] == '0' || n < 8 || n > PHONE_DIGITS_MAX) {
		snprintf(err, errlen,
		         "\"%s\" is not a phone number in international form: "
		         "+, a country code (not starting with 0) and the "
		         "number, 8 to 15 digits in all, like +15551234567",
		         in);
		return false;
	}
	if (digits[0] == '1' && (n != 11 || digits[1] < '2')) {
		snprintf(err, errlen,
		         "\"%s\" is not a phone number: after +1 (the US, "
		         "Canada and the rest of the North American plan) "
		         "come 10 digits, an area code first, like "
		         "+15551234567",
		         in);
		return false;
	}
	return true;
}

/* A number as dialled in home, to its country code and national number;
 * false with err when it cannot be one. */
static bool
phone_national(const char *in, const char *digits,
               const struct phone_country *home, char *e164, size_t len,
               char *err, size_t errlen)
{
	const char *nsn = digits;
	size_t n, trunk = strlen(home->trunk);

	/* The trunk prefix: always there (0), or there when the number is
	 * one digit longer than a national number (1 555 000 7778). */
	if (phone_prefix(digits, home->trunk) &&
	    (home->trunk_needed || strlen(digits) == home->nsn_max + trunk))
		nsn = digits + trunk;
	else if (home->trunk_needed) {
		snprintf(err, errlen,
		         "\"%s\" has neither + and a country code nor the %s "
		         "that a number dialled in %s (the default country) "
		         "starts with: write it with the %s, or as +%s and "
		         "the number without its %s",
		         in, home->trunk, home->name, home->trunk, home->cc,
		         home->trunk);
		return false;
	}
	n = strlen(nsn);
	if (home->nsn_min > 0 && (n < home->nsn_min || n > home->nsn_max)) {
		char digits_text[64];

		if (home->nsn_min == home->nsn_max)
			snprintf(digits_text, sizeof(digits_text), "%u",
			         home->nsn_min);
		else
			snprintf(digits_text, sizeof(digits_text), "%u to %u",
			         home->nsn_min, home->nsn_max);
		char more[64] = "";

		if (home->trunk_needed)
			snprintf(more, sizeof(more), " after the %s",
			         home->trunk);
		else if (trunk > 0)
			snprintf(more, sizeof(more),
			         ", or %zu starting with %s",
			         (size_t)home->nsn_max + trunk, home->trunk);
		snprintf(err, errlen,
		         "\"%s\" is not a number in %s (the default country), "
		         "whose numbers have %s digits%s; a number elsewhere "
		         "takes + and its country code",
		         in, home->name, digits_text, more);
		return false;
	}
	snprintf(e164, len, "%s%s", home->cc, nsn);
	return true;
}

bool
phone_normalise(const char *in, const struct phone_country *home, char *buf,
                size_t len, char *err, size_t errlen)
{
	char digits[64], e164[64];
	bool plus;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (!phone_digits(in, digits, sizeof(digits), &plus)) {
		snprintf(err, errlen,
		         "\"%s\" is not a phone number: give digits, with a "
		         "leading + and the country code, like +15551234567 "
		         "(spaces, dashes, dots and parentheses are ignored)",
		         in);
		return false;
	}
	if (plus) {
		snprintf(e164, sizeof(e164), "%s", digits);
	} else if (home != NULL && phone_prefix(digits, home->idd)) {
		/* Dialled abroad from home: 011 44..., 00 44... */
		snprintf(e164, sizeof(e164), "%s", digits + strlen(home->idd));
	} else if (home == NULL) {
		snprintf(err, errlen,
		         "\"%s\" has no country code: write it with + and the "
		         "country code, like +15551234567 (or set "
		         "numbers.default_country in backtalkd's "
		         "configuration to type numbers as dialled at home)",
		         in);
		return false;
	} else if (!phone_national(in, digits, home, e164, sizeof(e164), err,
	                           errlen)) {
		return false;
	}
	if (!phone_check(in, e164, err, errlen))
		return false;
	if ((size_t)snprintf(buf, len, "+%s", e164) >= len) {
		snprintf(err, errlen, "\"%s\": no room for the number", in);
		return false;
	}
	return true;
}
