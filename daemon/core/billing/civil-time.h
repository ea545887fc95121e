/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Civil time in UTC, in int64 arithmetic: proleptic Gregorian dates as day numbers (days since
 * 1970-01-01, negative before), weekdays, month lengths, and the ISO 8601 text the daemon, the
 * tariff files and polymeterctl read and write ("2026-03-01", "2026-03-01T00:15:00Z").
 *
 * Why not time_t: on a 32-bit gateway time_t may be 32 bits (Debian 12 armhf, i386 without
 * _TIME_BITS=64), where timegm() and gmtime_r() fail after 2038-01-19, and a meter's registers,
 * profile and events outlive that. Nothing here depends on time_t, the C library's time zone or
 * the wall clock; local time (tzdata) is an adapter (daemon/meter/local-time.h).
 *
 * Day numbers by the era (400-year) decomposition of H. Hinnant's days_from_civil /
 * civil_from_days: exact for every year an int64 day number can reach.
 */
#ifndef POLYMETER_CIVIL_TIME_H
#define POLYMETER_CIVIL_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PM_NS_PER_S INT64_C(1000000000)
#define PM_S_PER_DAY INT64_C(86400)

/* A UTC date and time of day; second 0..59 (no leap seconds: UTC as POSIX counts it). */
struct pm_civil_time {
	int64_t year;
	int month; /* 1..12 */
	int day;   /* 1..31 */
	int hour, minute, second;
};

/* a / b rounded towards minus infinity (b > 0): the day of a time before 1970 is the day before. */
int64_t pm_civil_floor_div(int64_t a, int64_t b);

bool pm_civil_is_leap_year(int64_t year);
/* 28..31; @month 1..12. */
int pm_civil_days_in_month(int64_t year, int month);
/* @month 1..12 and @day 1..its length. */
bool pm_civil_date_is_valid(int64_t year, int month, int day);

/* Days since 1970-01-01 of a date (1970-01-01 is 0, 1969-12-31 is -1). */
int64_t pm_civil_days_from_date(int64_t year, int month, int day);
/* The date of a day number. */
void pm_civil_date_from_days(int64_t days, int64_t *year, int *month, int *day);
/* ISO 8601 weekday of a day number: 1 = Monday .. 7 = Sunday (day 0 is a Thursday, 4). */
int pm_civil_weekday(int64_t days);

/* UTC ns since the epoch <-> civil time; ns before 1970 belong to the days before. */
void pm_civil_from_utc_ns(int64_t utc_ns, struct pm_civil_time *ct);
/* UTC seconds of a civil time (fields in range: the caller validated them). */
int64_t pm_civil_to_utc_s(const struct pm_civil_time *ct);
/* The same in ns: -ERANGE when it is beyond int64 ns (1677-09-21 .. 2262-04-11). */
int pm_civil_to_utc_ns(const struct pm_civil_time *ct, int64_t *utc_ns);

/*
 * "YYYY-MM-DD", strictly: exactly 4 + 2 + 2 digits, a calendar date (2026-02-30 is none), no
 * sign, space or anything after it. 0 or -EINVAL (the outputs untouched).
 */
int pm_civil_parse_date(const char *text, int *year, int *month, int *day);
/*
 * "YYYY-MM-DDTHH:MM:SSZ", strictly, as pm_civil_parse_date; hours 00..23, minutes and seconds
 * 00..59. UTC ns, or -EINVAL; -ERANGE beyond int64 ns.
 */
int pm_civil_parse_utc(const char *text, int64_t *utc_ns);

/* "YYYY-MM-DD" (the year zero-padded to at least 4 characters, as printf's %04). */
const char *pm_civil_format_date(int64_t year, int month, int day, char *buf, size_t len);
/*
 * "YYYY-MM-DDTHH:MM:SSZ" of UTC ns (whole seconds, rounded down). Any int64 ns fits in
 * PM_CIVIL_UTC_LEN; into a shorter buffer the ns are written as a number instead.
 */
#define PM_CIVIL_UTC_LEN 32
const char *pm_civil_format_utc(int64_t utc_ns, char *buf, size_t len);

#endif
