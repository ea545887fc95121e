// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The time-of-use schedule: season -> week profile -> day profile -> switch point, then the
 * special days on top. Pure lookup on a tariff and a validated local time.
 */
#include <errno.h>

#include "core/billing/tariff-internal.h"

/* Month and day as one comparable number. */
static int date_key(int month, int day)
{
	return month * 100 + day;
}

int tariff_season_start_day(const struct tariff_season *season, int year)
{
	int64_t first = pm_civil_days_from_date(year, season->start_month, 1);
	int length = pm_civil_days_in_month(year, season->start_month);
	int weekday_first = pm_civil_weekday(first);

	if (season->start_week == 0)
		return season->start_day;
	if (season->start_week > 0)
		return 1 + (season->start_weekday - weekday_first + 7) % 7 +
		       7 * (season->start_week - 1);
	/* the last: back from the month's last day to its weekday */
	return length - (pm_civil_weekday(first + length - 1) - season->start_weekday + 7) % 7;
}

static unsigned season_at(const struct tariff *tariff, int year, int month, int day)
{
	int today = date_key(month, day);
	int best_key = -1, latest_key = -1;
	unsigned best = 0, latest = 0;

	for (unsigned i = 0; i < tariff->n_seasons; i++) {
		const struct tariff_season *season = &tariff->seasons[i];
		int key = date_key(season->start_month, tariff_season_start_day(season, year));

		if (key <= today && key > best_key) {
			best_key = key;
			best = i;
		}
		/* the seasons' order is the same every year: validation keeps a rule's days
		 * apart from every other start of its month */
		if (key > latest_key) {
			latest_key = key;
			latest = i;
		}
	}
	/* Before the first start of the year, last year's latest season is still running. */
	return best_key >= 0 ? best : latest;
}

static int special_day_at(const struct tariff *tariff, int year, int month, int day)
{
	int every_year = -1;

	for (unsigned i = 0; i < tariff->n_special_days; i++) {
		const struct tariff_date *date = &tariff->special_days[i].date;

		if (date->month != month || date->day != day)
			continue;
		/* A special day of this very year wins over a yearly one. */
		if (date->year == year)
			return (int)i;
		if (date->year == 0 && every_year < 0)
			every_year = (int)i;
	}
	return every_year;
}

void tariff_schedule_at(const struct tariff *tariff, const struct tariff_time *time,
			struct tariff_slot *slot)
{
	unsigned season = season_at(tariff, time->year, time->month, time->day);
	unsigned profile_index = tariff->seasons[season].day_profile[time->weekday - 1];
	const struct tariff_day_profile *profile = &tariff->day_profiles[profile_index];
	unsigned sw = 0;

	/* Switch points are few (<= 48) and sorted; the first is at 0 s. */
	while (sw + 1 < profile->n_switches && profile->switches[sw + 1].start_s <= time->seconds)
		sw++;

	slot->season = season;
	slot->day_profile = profile_index;
	slot->switch_index = sw;
	slot->rate = profile->switches[sw].rate;
	slot->export_rate = profile->switches[sw].export_rate;
	slot->aux_relay = profile->switches[sw].aux_relay;
	slot->friendly_day = false;
	slot->next_switch_s = sw + 1 < profile->n_switches ? profile->switches[sw + 1].start_s
							   : TARIFF_SECONDS_PER_DAY;

	slot->special_day = special_day_at(tariff, time->year, time->month, time->day);
	if (slot->special_day < 0)
		return;
	const struct tariff_special_day *special = &tariff->special_days[slot->special_day];
	if (special->flags & TARIFF_SPECIAL_PIN_RATE)
		slot->rate = special->rate;
	if (special->flags & TARIFF_SPECIAL_PIN_AUX)
		slot->aux_relay = special->aux_relay;
	if (special->flags & TARIFF_SPECIAL_FRIENDLY)
		slot->friendly_day = true;
}

int tariff_lookup(const struct tariff *tariff, const struct tariff_time *time,
		  struct tariff_slot *slot, struct tariff_error *err)
{
	int r = tariff_validate(tariff, err);

	if (r < 0)
		return r;
	r = tariff_time_validate(time, err);
	if (r < 0)
		return r;
	tariff_schedule_at(tariff, time, slot);
	return 0;
}
