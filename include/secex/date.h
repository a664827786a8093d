#ifndef SECEX_DATE_H
#define SECEX_DATE_H

/* Dates (days since 1970-01-01) and times (seconds since the epoch, UTC). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"

/* Dates are counted in days since 1970-01-01, times in seconds since the epoch (UTC). */
int64_t secex_date_days_from_civil(int year, unsigned month, unsigned day);
void secex_date_civil_from_days(int64_t days, int *year, unsigned *month, unsigned *day);
bool secex_date_leap_year(int year);
unsigned secex_date_days_in_month(int year, unsigned month);

/* Parses exactly "YYYY-MM-DD" (RFC 3339 full-date). */
bool secex_date_parse(int64_t *out_days, const char *str, size_t len);
/* Parses an RFC 3339 full-time ("10:00:00Z", "23:59:60.5+01:00") into seconds from the
 * start of its day in UTC (may fall outside 0..86399 with an offset); a leap second only
 * at 23:59:60 UTC. */
bool secex_date_time_parse(int64_t *out_seconds, const char *str, size_t len);
/* Parses an RFC 3339 date-time ("2024-05-01T10:00:00Z", offsets, fractions). */
bool secex_date_datetime_parse(int64_t *out_seconds, const char *str, size_t len);
/* Parses either form; a bare date means 00:00:00 UTC of that day. */
bool secex_date_when_parse(int64_t *out_seconds, const char *str, size_t len);
/* Writes "YYYY-MM-DD" into out (at least 11 bytes). */
void secex_date_format(char *out, int64_t days);

#endif
