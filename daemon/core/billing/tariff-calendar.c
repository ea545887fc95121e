// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calendar arithmetic for the tariff engine: local civil dates as day numbers, weekdays and
 * billing periods. Proleptic Gregorian calendar, years 1..9999.
 */
#include "core/billing/tariff-internal.h"

/* Days before the first of each month in a common year. */
static const int days_before_month[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

bool tariff_is_leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int tariff_days_in_month(int year, int month)
{
	static const int length[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && tariff_is_leap_year(year))
		return 29;
	return length[month - 1];
}

/* Days from 0001-01-01 to the first of January of `year` (year >= 1). */
static int64_t days_before_year(int year)
{
	int64_t y = year - 1;

	return 365 * y + y / 4 - y / 100 + y / 400;
}

static int day_of_year(int year, int month, int day)
{
	int leap_day = month > 2 && tariff_is_leap_year(year);

	return days_before_month[month - 1] + leap_day + day - 1;
}

int32_t tariff_day_number(int year, int month, int day)
{
	return (int32_t)(days_before_year(year) - days_before_year(1970) +
			 day_of_year(year, month, day));
}

void tariff_civil_from_day(int32_t day_number, struct tariff_date *date)
{
	int64_t from_year_one = day_number + days_before_year(1970);
	/* 146097 days per 400 years: the estimate is off by at most a year either way. */
	int year = (int)(from_year_one * 400 / 146097) + 1;
	int month = 12;

	while (days_before_year(year) > from_year_one)
		year--;
	while (days_before_year(year + 1) <= from_year_one)
		year++;
	int doy = (int)(from_year_one - days_before_year(year));
	while (day_of_year(year, month, 1) > doy)
		month--;
	date->year = year;
	date->month = month;
	date->day = doy - day_of_year(year, month, 1) + 1;
}

int tariff_weekday_of(int32_t day_number)
{
	/* 1970-01-01 was a Thursday (ISO 4). */
	int from_monday = (int)(((int64_t)day_number % 7 + 7 + 3) % 7);

	return from_monday + 1;
}

bool tariff_date_is_valid(const struct tariff_date *date)
{
	if (date->year < 1 || date->year > 9999 || date->month < 1 || date->month > 12)
		return false;
	return date->day >= 1 && date->day <= tariff_days_in_month(date->year, date->month);
}

static int32_t months_to_day_number(int64_t month_index, int day)
{
	int year = (int)tariff_floor_div(month_index, 12);
	int month = (int)(month_index - (int64_t)year * 12) + 1;

	return tariff_day_number(year, month, day);
}

void tariff_period_containing(const struct tariff_billing_period *period, int32_t day_number,
			      int32_t *start, int32_t *end)
{
	const struct tariff_date *first = &period->start;

	if (period->unit == TARIFF_PERIOD_DAYS) {
		int32_t origin = tariff_day_number(first->year, first->month, first->day);
		int64_t k = tariff_floor_div((int64_t)day_number - origin, period->length);

		*start = (int32_t)(origin + k * period->length);
		*end = *start + period->length;
		return;
	}

	/* Calendar months: the start day is 1..28, so it exists in every month. */
	struct tariff_date today;
	int64_t origin_month = (int64_t)first->year * 12 + first->month - 1;

	tariff_civil_from_day(day_number, &today);
	int64_t months = (int64_t)today.year * 12 + today.month - 1 - origin_month;
	if (today.day < first->day)
		months--;
	int64_t k = tariff_floor_div(months, period->length);
	*start = months_to_day_number(origin_month + k * period->length, first->day);
	*end = months_to_day_number(origin_month + (k + 1) * period->length, first->day);
}
