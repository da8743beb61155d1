/* Phone numbers an operator types (backtalk optouts, history, chat):
 * brought to E.164, "+" and the country code, the form Twilio writes
 * numbers in, or refused with a message that says how to write them.  A
 * number without "+" is taken as dialled in the configured default
 * country (numbers.default_country), never guessed. */
#ifndef BACKTALK_PHONE_H
#define BACKTALK_PHONE_H

#include <stdbool.h>
#include <stddef.h>

/* The buffer phone_normalise needs at most: "+", 15 digits, NUL. */
#define PHONE_E164_MAX 17

struct phone_country {
	const char *iso;   /* ISO 3166 code: "US" */
	const char *name;  /* for messages: "the US" */
	const char *cc;    /* country calling code: "1" */
	const char *trunk; /* national prefix dialled first: "0", "1", "" */
	bool trunk_needed; /* a national number always starts with it */
	const char *idd;   /* international prefix: "00", "011"; NULL */
	unsigned nsn_min, nsn_max; /* digits after the country code; 0: any
	                              length E.164 allows */
};

/* The country with this ISO 3166 code (either case); NULL when it is not
 * one this table knows. */
const struct phone_country *phone_country_find(const char *iso);
/* "AT, AU, ..., US": every code phone_country_find knows. */
const char *phone_country_list(void);

/* Writes the E.164 form of in (spaces, dashes, dots and parentheses are
 * ignored) to buf (PHONE_E164_MAX bytes at least) and returns true; or
 * returns false with err saying why and how to write it.  home is the
 * default country for a number without "+" (NULL: none, and such a
 * number is refused). */
bool phone_normalise(const char *in, const struct phone_country *home,
                     char *buf, size_t len, char *err, size_t errlen);

#endif
