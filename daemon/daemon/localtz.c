/* Local time for check-ins (localtz.h).  The zone of a number comes from
 * a small table: country codes whose country has one zone (or one most
 * people live in), and for +1 the area codes of the bigger cities of each
 * North American zone; anything else gets the configured default.  The
 * offset itself always comes from the system's time zone database through
 * TZ, tzset and localtime_r/mktime, so daylight saving time is right.
 *
 * TZ is switched in the daemon's loop only.  The sending thread may read
 * the environment (libcurl looks up proxies); once TZ exists, glibc's
 * setenv replaces its entry in place and keeps every value it made, so a
 * reader there sees the old value or the new one, never freed memory.
 * The process's own TZ is put back after each computation. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "localtz.h"

struct localtz_prefix {
	const char *prefix; /* after '+' */
	const char *zone;
};

/* Longest prefix first within a country; +1 area codes, then country
 * codes. */
static const struct localtz_prefix localtz_table[] = {
	/* +1: Eastern */
	{ "1212", "America/New_York" },
	{ "1917", "America/New_York" },
	{ "1718", "America/New_York" },
	{ "1646", "America/New_York" },
	{ "1617", "America/New_York" },
	{ "1202", "America/New_York" },
	{ "1215", "America/New_York" },
	{ "1305", "America/New_York" },
	{ "1404", "America/New_York" },
	{ "1313", "America/Detroit" },
	{ "1416", "America/Toronto" },
	{ "1514", "America/Toronto" },
	/* Central */
	{ "1312", "America/Chicago" },
	{ "1773", "America/Chicago" },
	{ "1713", "America/Chicago" },
	{ "1214", "America/Chicago" },
	{ "1512", "America/Chicago" },
	{ "1612", "America/Chicago" },
	{ "1504", "America/Chicago" },
	{ "1314", "America/Chicago" },
	/* Mountain */
	{ "1303", "America/Denver" },
	{ "1801", "America/Denver" },
	{ "1505", "America/Denver" },
	{ "1602", "America/Phoenix" },
	{ "1480", "America/Phoenix" },
	{ "1403", "America/Edmonton" },
	/* Pacific */
	{ "1213", "America/Los_Angeles" },
	{ "1310", "America/Los_Angeles" },
	{ "1415", "America/Los_Angeles" },
	{ "1408", "America/Los_Angeles" },
	{ "1619", "America/Los_Angeles" },
	{ "1206", "America/Los_Angeles" },
	{ "1503", "America/Los_Angeles" },
	{ "1702", "America/Los_Angeles" },
	{ "1604", "America/Vancouver" },
	/* Alaska, Hawaii */
	{ "1907", "America/Anchorage" },
	{ "1808", "Pacific/Honolulu" },
	/* Countries */
	{ "44", "Europe/London" },
	{ "353", "Europe/Dublin" },
	{ "351", "Europe/Lisbon" },
	{ "33", "Europe/Paris" },
	{ "32", "Europe/Brussels" },
	{ "31", "Europe/Amsterdam" },
	{ "34", "Europe/Madrid" },
	{ "39", "Europe/Rome" },
	{ "41", "Europe/Zurich" },
	{ "43", "Europe/Vienna" },
	{ "45", "Europe/Copenhagen" },
	{ "46", "Europe/Stockholm" },
	{ "47", "Europe/Oslo" },
	{ "48", "Europe/Warsaw" },
	{ "49", "Europe/Berlin" },
	{ "27", "Africa/Johannesburg" },
	{ "91", "Asia/Kolkata" },
	{ "61", "Australia/Sydney" },
	{ "64", "Pacific/Auckland" },
};

const char *
localtz_zone(const char *number, const char *fallback)
{
	const char *p = number;

	if (p == NULL)
		return fallback;
	if (*p == '+')
		p++;
	for (size_t i = 0; i < sizeof(localtz_table) / sizeof(localtz_table[0]);
	     i++) {
		size_t n = strlen(localtz_table[i].prefix);
		if (strncmp(p, localtz_table[i].prefix, n) == 0)
			return localtz_table[i].zone;
	}
	return fallback;
}

/* Minutes after local midnight of t in the zone set. */
static int
localtz_minute(time_t t, struct tm *tm)
{
	localtime_r(&t, tm);
	return tm->tm_hour * 60 + tm->tm_min;
}

/* Whether minute m is within [from, to) (spanning midnight when to is
 * before from). */
static bool
localtz_quiet(int m, int from, int to)
{
	if (from == to)
		return false;
	if (from < to)
		return m >= from && m < to;
	return m >= from || m < to;
}

int64_t
localtz_after_quiet(const char *zone, int64_t now, int from, int to)
{
	const char *old = getenv("TZ");
	char *saved = old != NULL ? strdup(old) : NULL;
	struct tm tm;
	time_t t = (time_t)now, end;
	int64_t ret = now;

	if (from == to)
		goto out;
	setenv("TZ", zone, 1);
	tzset();
	if (!localtz_quiet(localtz_minute(t, &tm), from, to))
		goto out;
	/* The end of the quiet hours: today's, or tomorrow's when it is
	 * already past (the hours span midnight). */
	tm.tm_hour = to / 60;
	tm.tm_min = to % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	end = mktime(&tm);
	if (end != (time_t)-1 && end <= t) {
		localtime_r(&t, &tm);
		tm.tm_mday += 1;
		tm.tm_hour = to / 60;
		tm.tm_min = to % 60;
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		end = mktime(&tm);
	}
	ret = end != (time_t)-1 && end > t ? (int64_t)end : now + 3600;
out:
	if (from != to) {
		if (saved != NULL)
			setenv("TZ", saved, 1);
		else
			setenv("TZ", ":/etc/localtime", 1); /* the default */
		tzset();
	}
	free(saved);
	return ret;
}
