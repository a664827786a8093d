/* Dates and times: civil dates, RFC 3339 parsing and formatting. */

#include <stdio.h>
#include <string.h>
#include "secex/date.h"
#include "secex/banned.h"

/* Howard Hinnant's days_from_civil. */
int64_t secex_date_days_from_civil(int year, unsigned month, unsigned day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (month + (month > 2 ? (unsigned)-3 : 9)) + 2) / 5 + day - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

void secex_date_civil_from_days(int64_t z, int *year, unsigned *month, unsigned *day)
{
	int64_t era, y;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = (int)(y + (*month <= 2));
}

bool secex_date_leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned secex_date_days_in_month(int year, unsigned month)
{
	static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	return month == 2 && secex_date_leap_year(year) ? 29 : days[month - 1];
}

/* Reads exactly n ASCII digits. */
static bool digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

bool secex_date_parse(int64_t *out_days, const char *s, size_t len)
{
	unsigned y, m, d;

	if (len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return false;
	if (m < 1 || m > 12 || d < 1 || d > secex_date_days_in_month((int)y, m))
		return false;
	*out_days = secex_date_days_from_civil((int)y, m, d);
	return true;
}

bool secex_date_time_parse(int64_t *out_seconds, const char *s, size_t len)
{
	unsigned hh, mm, ss, oh = 0, om = 0;
	size_t i = 8;
	long offset = 0;

	if (len < 9 || s[2] != ':' || s[5] != ':' || !digits(s, 2, &hh) || !digits(s + 3, 2, &mm) ||
	    !digits(s + 6, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
		return false;
	if (s[i] == '.') {
		size_t start = ++i;

		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
		offset = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
		   digits(s + i + 1, 2, &oh) && digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59) {
		offset = (long)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
	} else {
		return false;
	}
	if (ss == 60) {
		/* a leap second is only valid at 23:59:60 UTC */
		long utc = ((long)hh * 3600 + (long)mm * 60 + 59 - offset) % 86400;

		if (utc < 0)
			utc += 86400;
		if (utc != 86399)
			return false;
		ss = 59;
	}
	*out_seconds = (int64_t)hh * 3600 + (int64_t)mm * 60 + ss - offset;
	return true;
}

bool secex_date_datetime_parse(int64_t *out_seconds, const char *s, size_t len)
{
	int64_t days, time;

	if (len < 20 || !secex_date_parse(&days, s, 10) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !secex_date_time_parse(&time, s + 11, len - 11))
		return false;
	*out_seconds = days * 86400 + time;
	return true;
}

bool secex_date_when_parse(int64_t *out_seconds, const char *s, size_t len)
{
	int64_t days;

	if (len == 10) {
		if (!secex_date_parse(&days, s, len))
			return false;
		*out_seconds = days * 86400;
		return true;
	}
	return secex_date_datetime_parse(out_seconds, s, len);
}

void secex_date_format(char *out, int64_t days)
{
	int y;
	unsigned m, d;

	secex_date_civil_from_days(days, &y, &m, &d);
	snprintf(out, 11, "%04d-%02u-%02u", (y % 10000 + 10000) % 10000, m % 13, d % 32);
}
