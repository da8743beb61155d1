/* Which senders can be answered by SMS: a phone number or a short code.
 * A message from anything else (an alphanumeric sender id such as
 * "VERIFY", an empty or garbled From) is recorded but never answered: a
 * reply could not reach it, and would be sent to whatever the gateway
 * made of it. */
#ifndef BACKTALK_SENDERID_H
#define BACKTALK_SENDERID_H

#include <stdbool.h>

/* True for a phone number, an optional "+" and 8 to 15 digits (E.164;
 * Infobip writes it without the "+"), or a short code, 3 to 8 digits
 * with no "+". */
bool senderid_answerable(const char *from);

#endif
