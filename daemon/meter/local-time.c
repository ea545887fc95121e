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

int pm_local_time_at(const char *zone, int64_t utc_s, struct pm_local_time *lt)
{
	time_t t = (time_t)utc_s; /* 64 bits: no truncation (the assertion above) */
	int64_t days, second_of_day;
	struct tm tm;

	if (zone && zone[0])
		setenv("TZ", zone, 1);
	else
		unsetenv("TZ");
	tzset();
	if (localtime_r(&t, &tm)) {
		lt->year = (int64_t)tm.tm_year + 1900;
		lt->month = tm.tm_mon + 1;
		lt->day = tm.tm_mday;
		lt->weekday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
		lt->hour = tm.tm_hour;
		lt->minute = tm.tm_min;
		lt->second = tm.tm_sec > 59 ? 59 : tm.tm_sec;
		return 0;
	}
	days = pm_civil_floor_div(utc_s, PM_S_PER_DAY);
	second_of_day = utc_s - days * PM_S_PER_DAY;
	pm_civil_date_from_days(days, &lt->year, &lt->month, &lt->day);
	lt->weekday = pm_civil_weekday(days);
	lt->hour = (int)(second_of_day / 3600);
	lt->minute = (int)(second_of_day / 60 % 60);
	lt->second = (int)(second_of_day % 60);
	return -EOVERFLOW;
}
