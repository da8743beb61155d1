/* The one form a phone number is kept in: E.164, "+" and digits.  Each
 * gateway's parser writes the numbers it reads this way (Infobip writes
 * them without "+", Twilio with it), so that the store, the opt-outs, the
 * guard and the tool compare numbers byte for byte and no caller
 * special-cases a driver; an outbound part that wants another form (Infobip:
 * digits only) converts back itself.
 *
 * The rule: E164_MIN_DIGITS or more digits, with or without a leading "+",
 * are a phone number and become "+" and the digits; anything else (a short
 * code of fewer digits, an alphanumeric sender, "+" and fewer digits) is
 * kept as it is.  The store's migration to schema 6 applies the same rule
 * to the numbers older versions kept.  Pure: no allocation, no I/O. */
#ifndef BACKTALK_E164_H
#define BACKTALK_E164_H

#include <stddef.h>

/* Fewest digits a phone number has (short codes have fewer). */
#define E164_MIN_DIGITS 8
/* E164_MIN_DIGITS as a string literal, for SQL. */
#define E164_STR_(x)        #x
#define E164_STR(x)         E164_STR_(x)
#define E164_MIN_DIGITS_STR E164_STR(E164_MIN_DIGITS)

/* The E.164 form of number by the rule above: number itself when it is
 * kept as it is (or is NULL), otherwise buf, written with "+" and the
 * digits (number as it is when they do not fit in len bytes). */
const char *e164_of(const char *number, char *buf, size_t len);

#endif
