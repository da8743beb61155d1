/* Calendar arithmetic (calendar.h): days from civil dates and back by the
 * well-known era arithmetic (400-year cycles of 146097 days), valid for
 * any date this program meets. */
#include <string.h>

#include "calendar.h"

int32_t
calendar_day(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void
calendar_civil(int32_t day, int *y, int *m, int *d)
{
	int32_t z = day + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	int32_t doe = z - era * 146097;
	int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int32_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
calendar_month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
		                    31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return days[m - 1] + (m == 2 && leap);
}

bool
calendar_valid(int y, int m, int d)
{
	return y >= 1900 && y <= 2200 && d >= 1 &&
	       d <= calendar_month_days(y, m);
}

int
calendar_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (3) */
	int w = (int)((day % 7 + 7 + 3) % 7);
	return w;
}

int32_t
calendar_from_time(time_t t)
{
	long long s = (long long)t;
	long long q = s / 86400 - (s % 86400 < 0);

	return (int32_t)q;
}

bool
calendar_parse(const char *s, int32_t *day)
{
	int v[3] = { 0, 0, 0 };
	static const int width[3] = { 4, 2, 2 };
	size_t k = 0;

	if (strlen(s) != 10)
		return false;
	for (int f = 0; f < 3; f++) {
		for (int j = 0; j < width[f]; j++, k++) {
			if (s[k] < '0' || s[k] > '9')
				return false;
			v[f] = v[f] * 10 + (s[k] - '0');
		}
		if (f < 2 && s[k++] != '-')
			return false;
	}
	if (!calendar_valid(v[0], v[1], v[2]))
		return false;
	*day = calendar_day(v[0], v[1], v[2]);
	return true;
}
