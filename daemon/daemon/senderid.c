/* senderid.c: which senders a reply can go to (senderid.h). */
#include <string.h>

#include "senderid.h"

#define SENDERID_PHONE_MIN 8
#define SENDERID_PHONE_MAX 15
#define SENDERID_SHORT_MIN 3
#define SENDERID_SHORT_MAX 8

bool
senderid_answerable(const char *from)
{
	bool plus;
	size_t digits;

	if (from == NULL)
		return false;
	plus = from[0] == '+';
	digits = strspn(from + plus, "0123456789");
	if (from[plus + digits] != '\0')
		return false;
	if (digits >= SENDERID_PHONE_MIN && digits <= SENDERID_PHONE_MAX)
		return true;
	return !plus && digits >= SENDERID_SHORT_MIN &&
	       digits <= SENDERID_SHORT_MAX;
}
