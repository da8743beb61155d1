/* Calendar arithmetic for reading dates in messages: a day is a count of
 * days since 1970-01-01 (proleptic Gregorian), so the difference of two
 * days is a duration.  Pure: no clock, no time zone, no I/O; the caller
 * says what day it is. */
#ifndef BACKTALK_CALENDAR_H
#define BACKTALK_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* No day given: dates in messages are not read. */
#define CALENDAR_NONE INT32_MIN

/* The day of year y, month m (1-12), day d (1-31); the date must be valid
 * (calendar_valid). */
int32_t calendar_day(int y, int m, int d);

/* The year, month and day of a day. */
void calendar_civil(int32_t day, int *y, int *m, int *d);

/* Days in month m of year y (leap years count), 0 for a bad month. */
int calendar_month_days(int y, int m);

/* Whether y-m-d is a date of years 1900 to 2200. */
bool calendar_valid(int y, int m, int d);

/* 0 for Monday ... 6 for Sunday. */
int calendar_weekday(int32_t day);

/* The day of a time, by its date in UTC. */
int32_t calendar_from_time(time_t t);

/* Parses "YYYY-MM-DD" (exactly) into *day; returns false when s is not
 * one or not a valid date. */
bool calendar_parse(const char *s, int32_t *day);

#endif
