/* A person's local time, for check-ins: the time zone of a number (its
 * country code, and for +1 its area code, from a small table), and the
 * first moment at or after a time that is outside quiet hours there,
 * computed with the C library's time zone functions. */
#ifndef BACKTALK_LOCALTZ_H
#define BACKTALK_LOCALTZ_H

#include <stdint.h>

/* The zone of number ("+12125550100": "America/New_York"), or fallback
 * when the table does not know it. */
const char *localtz_zone(const char *number, const char *fallback);

/* The first time at or after now that is not within quiet hours
 * [from, to) (minutes after local midnight in zone; from == to: none; to
 * before from: the hours span midnight). */
int64_t localtz_after_quiet(const char *zone, int64_t now, int from, int to);

#endif
