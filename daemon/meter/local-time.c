// SPDX-License-Identifier: GPL-2.0-only
/* Local civil time through tzdata (see local-time.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/billing/civil-time.h"
#include "meter/local-time.h"

/* Every build has -D_TIME_BITS=64: the conversion below keeps every int64 second. */
_Static_assert(sizeof(time_t) == sizeof(int64_t), "time_t must be 64 bits (-D_TIME_BITS=64)");

bool pm_local_time_zone_exists(const char *zone)
{
	char path[300];

	if (!zone || !zone[0])
		return true;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
	return !strstr(zone, "..") && access(path, R_OK) == 0;
}

static void use_zone(const char *zone)
{
	if (zone && zone[0])
		setenv("TZ", zone, 1);
	else
		unsetenv("TZ");
	tzset();
}

/* The offset and the daylight-saving flag at @utc_s, TZ already set. */
static bool offset_at(int64_t utc_s, int32_t *offset_s, bool *dst)
{
	time_t t = (time_t)utc_s;
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return false;
	*offset_s = (int32_t)tm.tm_gmtoff;
	*dst = tm.tm_isdst > 0;
	return true;
}

/* The first second in (@lo, @hi] whose offset differs from @lo's (one exists). */
static int64_t change_between(int64_t lo, int64_t hi)
{
	int32_t off0 = 0, off = 0;
	bool dst0 = false, dst = false;

	offset_at(lo, &off0, &dst0);
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		offset_at(mid, &off, &dst);
		if (off == off0 && dst == dst0)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

int pm_local_time_offset(const char *zone, int64_t utc_s, int32_t *offset_s, bool *dst)
{
	use_zone(zone);
	return offset_at(utc_s, offset_s, dst) ? 0 : -EOVERFLOW;
}

int pm_local_time_zone_at(const char *zone, int64_t utc_s, struct pm_local_zone *z)
{
	struct pm_local_time lt;
	int64_t start, end, prev, t;
	int32_t off, prev_off;
	bool dst, prev_dst, begun = false, ended = false;

	memset(z, 0, sizeof(*z));
	if (pm_local_time_at(zone, utc_s, &lt) < 0)
		return -EOVERFLOW;
	use_zone(zone);
	if (!offset_at(utc_s, &z->offset_s, &z->dst))
		return -EOVERFLOW;
	z->year = lt.year;
	z->std_offset_s = z->offset_s;
	/* the local year, from 1 January 00:00 local (+- a day of UTC covers every offset) */
	start = pm_civil_days_from_date(lt.year, 1, 1) * PM_S_PER_DAY - PM_S_PER_DAY;
	end = pm_civil_days_from_date(lt.year + 1, 1, 1) * PM_S_PER_DAY + PM_S_PER_DAY;
	/* tzdata's changes are months apart: a daily look finds each one's day */
	if (!offset_at(start, &prev_off, &prev_dst))
		return -EOVERFLOW;
	if (!prev_dst)
		z->std_offset_s = prev_off;
	for (prev = start, t = start + PM_S_PER_DAY; t <= end; prev = t, t += PM_S_PER_DAY) {
		int64_t at;
		struct pm_local_time when;

		if (!offset_at(t, &off, &dst))
			return -EOVERFLOW;
		if (off == prev_off && dst == prev_dst)
			continue;
		at = change_between(prev, t);
		pm_local_time_at(zone, at, &when);
		use_zone(zone);
		if (when.year == lt.year && dst && !prev_dst) {
			z->dst_begin_utc = at;
			z->dst_shift_s = off - prev_off;
			begun = true;
		} else if (when.year == lt.year && !dst && prev_dst) {
			z->dst_end_utc = at;
			ended = true;
		}
		if (!dst)
			z->std_offset_s = off;
		prev_off = off;
		prev_dst = dst;
	}
	if (!z->dst)
		z->std_offset_s = z->offset_s;
	z->has_dst = begun && ended;
	return 0;
}

int pm_local_time_at(const char *zone, int64_t utc_s, struct pm_local_time *lt)
{
	time_t t = (time_t)utc_s; /* 64 bits: no truncation (the assertion above) */
	int64_t days, second_of_day;
	struct tm tm;

	use_zone(zone);
	if (localtime_r(&t, &tm)) {
		lt->year = (int64_t)tm.tm_year + 1900;
		lt->month = tm.tm_mon + 1;
		lt->day = tm.tm_mday;
		lt->weekday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
		lt->hour = tm.tm_hour;
		lt->minute = tm.tm_min;
		lt->second = tm.tm_sec > 59 ? 59 : tm.tm_sec;
		lt->days = pm_civil_days_from_date(lt->year, lt->month, lt->day);
		return 0;
	}
	days = pm_civil_floor_div(utc_s, PM_S_PER_DAY);
	second_of_day = utc_s - days * PM_S_PER_DAY;
	pm_civil_date_from_days(days, &lt->year, &lt->month, &lt->day);
	lt->weekday = pm_civil_weekday(days);
	lt->hour = (int)(second_of_day / 3600);
	lt->minute = (int)(second_of_day / 60 % 60);
	lt->second = (int)(second_of_day % 60);
	lt->days = days;
	return -EOVERFLOW;
}
