// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calendar rules of the tariff engine: the dates a tariff may name (years 1..9999) and billing
 * periods. The day arithmetic is the civil-time module's (proleptic Gregorian).
 */
#include "core/billing/tariff-internal.h"

bool tariff_date_is_valid(const struct tariff_date *date)
{
	if (date->year < 1 || date->year > 9999 || date->month < 1 || date->month > 12)
		return false;
	return pm_civil_date_is_valid(date->year, date->month, date->day);
}

static int32_t months_to_day_number(int64_t month_index, int day)
{
	int year = (int)tariff_floor_div(month_index, 12);
	int month = (int)(month_index - (int64_t)year * 12) + 1;

	return (int32_t)pm_civil_days_from_date(year, month, day);
}

void tariff_period_containing(const struct tariff_billing_period *period, int32_t day_number,
			      int32_t *start, int32_t *end)
{
	const struct tariff_date *first = &period->start;

	if (period->unit == TARIFF_PERIOD_DAYS) {
		int32_t origin =
		    (int32_t)pm_civil_days_from_date(first->year, first->month, first->day);
		int64_t k = tariff_floor_div((int64_t)day_number - origin, period->length);

		*start = (int32_t)(origin + k * period->length);
		*end = *start + period->length;
		return;
	}

	/* Calendar months: the start day is 1..28, so it exists in every month. */
	int64_t today_year;
	int today_month, today_day;
	int64_t origin_month = (int64_t)first->year * 12 + first->month - 1;

	pm_civil_date_from_days(day_number, &today_year, &today_month, &today_day);
	int64_t months = today_year * 12 + today_month - 1 - origin_month;
	if (today_day < first->day)
		months--;
	int64_t k = tariff_floor_div(months, period->length);
	*start = months_to_day_number(origin_month + k * period->length, first->day);
	*end = months_to_day_number(origin_month + (k + 1) * period->length, first->day);
}
