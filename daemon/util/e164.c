/* e164.c: the one form a phone number is kept in (e164.h). */
#include <stdio.h>
#include <string.h>

#include "e164.h"

const char *
e164_of(const char *number, char *buf, size_t len)
{
	size_t plus, digits;

	if (number == NULL)
		return NULL;
	plus = number[0] == '+';
	digits = strspn(number + plus, "0123456789");
	if (plus || number[digits] != '\0' || digits < E164_MIN_DIGITS ||
	    digits + 2 > len)
		return number;
	snprintf(buf, len, "+%s", number);
	return buf;
}
