// SPDX-License-Identifier: GPL-2.0-only
/* Civil time in UTC in int64 arithmetic (see civil-time.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "core/billing/civil-time.h"

/* 0000-03-01 to 1970-01-01: the eras below start on 1 March, after the leap day. */
#define DAYS_0000_03_01_TO_EPOCH INT64_C(719468)
#define DAYS_PER_ERA INT64_C(146097) /* 400 Gregorian years */

int64_t pm_civil_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

bool pm_civil_is_leap_year(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int pm_civil_days_in_month(int64_t year, int month)
{
	static const int length[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return month == 2 && pm_civil_is_leap_year(year) ? 29 : length[month - 1];
}

bool pm_civil_date_is_valid(int64_t year, int month, int day)
{
	return month >= 1 && month <= 12 && day >= 1 && day <= pm_civil_days_in_month(year, month);
}

int64_t pm_civil_days_from_date(int64_t year, int month, int day)
{
	/* a year from 1 March: the leap day is its last day, so month lengths do not move */
	int64_t y = year - (month <= 2);
	int64_t era = pm_civil_floor_div(y, 400);
	int64_t year_of_era = y - era * 400; /* [0, 399] */
	int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

	return era * DAYS_PER_ERA + day_of_era - DAYS_0000_03_01_TO_EPOCH;
}

void pm_civil_date_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t z = days + DAYS_0000_03_01_TO_EPOCH;
	int64_t era = pm_civil_floor_div(z, DAYS_PER_ERA);
	int64_t day_of_era = z - era * DAYS_PER_ERA; /* [0, 146096] */
	int64_t year_of_era =
	    (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year =
	    day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t month_from_march = (5 * day_of_year + 2) / 153; /* [0, 11] */

	*day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
	*month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
	*year = year_of_era + era * 400 + (*month <= 2);
}

int pm_civil_weekday(int64_t days)
{
	/* day 0 (1970-01-01) was a Thursday: Monday-based index 3 */
	return (int)((days % 7 + 7 + 3) % 7) + 1;
}

void pm_civil_from_utc_ns(int64_t utc_ns, struct pm_civil_time *ct)
{
	int64_t s = pm_civil_floor_div(utc_ns, PM_NS_PER_S);
	int64_t days = pm_civil_floor_div(s, PM_S_PER_DAY);
	int64_t second_of_day = s - days * PM_S_PER_DAY;

	pm_civil_date_from_days(days, &ct->year, &ct->month, &ct->day);
	ct->hour = (int)(second_of_day / 3600);
	ct->minute = (int)(second_of_day / 60 % 60);
	ct->second = (int)(second_of_day % 60);
}

int64_t pm_civil_to_utc_s(const struct pm_civil_time *ct)
{
	return pm_civil_days_from_date(ct->year, ct->month, ct->day) * PM_S_PER_DAY +
	       ct->hour * INT64_C(3600) + ct->minute * INT64_C(60) + ct->second;
}

int pm_civil_to_utc_ns(const struct pm_civil_time *ct, int64_t *utc_ns)
{
	int64_t s;

	/* int64 ns reach 292 years either side of 1970: a year beyond is refused before the
	 * day arithmetic could overflow */
	if (ct->year < 1600 || ct->year > 2300)
		return -ERANGE;
	s = pm_civil_to_utc_s(ct);
	if (s > INT64_MAX / PM_NS_PER_S || s < INT64_MIN / PM_NS_PER_S)
		return -ERANGE;
	*utc_ns = s * PM_NS_PER_S;
	return 0;
}

/* @n decimal digits at @s into *value; false when one is not a digit. */
static bool digits(const char *s, int n, int *value)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	return true;
}

/* "YYYY-MM-DD" at the start of @s (10 characters; what follows is the caller's). */
static bool date_prefix(const char *s, int *year, int *month, int *day)
{
	return digits(s, 4, year) && s[4] == '-' && digits(s + 5, 2, month) && s[7] == '-' &&
	       digits(s + 8, 2, day) && pm_civil_date_is_valid(*year, *month, *day);
}

int pm_civil_parse_date(const char *text, int *year, int *month, int *day)
{
	int y, m, d;

	/* digits() stops at the first non-digit, so a short string never reads past its end */
	if (!text || !date_prefix(text, &y, &m, &d) || text[10] != '\0')
		return -EINVAL;
	*year = y;
	*month = m;
	*day = d;
	return 0;
}

int pm_civil_parse_utc(const char *text, int64_t *utc_ns)
{
	struct pm_civil_time ct;
	int y;

	if (!text || !date_prefix(text, &y, &ct.month, &ct.day) || text[10] != 'T' ||
	    !digits(text + 11, 2, &ct.hour) || text[13] != ':' ||
	    !digits(text + 14, 2, &ct.minute) || text[16] != ':' ||
	    !digits(text + 17, 2, &ct.second) || text[19] != 'Z' || text[20] != '\0' ||
	    ct.hour > 23 || ct.minute > 59 || ct.second > 59)
		return -EINVAL;
	ct.year = y;
	return pm_civil_to_utc_ns(&ct, utc_ns);
}

const char *pm_civil_format_date(int64_t year, int month, int day, char *buf, size_t len)
{
	snprintf(buf, len, "%04" PRId64 "-%02d-%02d", year, month, day);
	return buf;
}

const char *pm_civil_format_utc(int64_t utc_ns, char *buf, size_t len)
{
	struct pm_civil_time ct;
	int n;

	pm_civil_from_utc_ns(utc_ns, &ct);
	n = snprintf(buf, len, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", ct.year, ct.month, ct.day,
		     ct.hour, ct.minute, ct.second);
	if (n < 0 || (size_t)n >= len) /* a buffer too short for it: the number at least */
		snprintf(buf, len, "%" PRId64, utc_ns);
	return buf;
}
