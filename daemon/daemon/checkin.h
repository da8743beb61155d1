/* Check-ins: the scheduled conversations (a week after a report, "how is
 * your back now?").  The daemon's loop claims the due ones from the store
 * and sends each by turning it into an outbox row in the transaction that
 * marks it sent (store_scheduled_send), so a crash at any point neither
 * loses nor repeats one.  A check-in made stale by a newer report or a
 * STOP (another generation of the number's state) is cancelled, never
 * sent; one due in the person's quiet hours waits for their end. */
#ifndef BACKTALK_CHECKIN_H
#define BACKTALK_CHECKIN_H

#include "daemon.h"

/* Sends the check-ins due now.  Returns the seconds until it should run
 * again. */
double checkin_run(struct daemon *d);

#endif
