/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Local civil time in a meter's time zone: the one place polymeterd asks the C library for
 * tzdata's rules (TZ + tzset + localtime_r), so DST is the system's. Everything else counts UTC
 * in int64 arithmetic (daemon/core/billing/civil-time.h).
 *
 * An adapter, not core: it reads the environment and /usr/share/zoneinfo. Each call sets TZ for
 * its zone (the daemon is single-threaded; meters may differ in zone), which costs a tzset() and
 * possibly a read of the zone file: a meter's samples go through its cached clock instead
 * (local-clock.h), which asks here about once a day.
 */
#ifndef POLYMETER_LOCAL_TIME_H
#define POLYMETER_LOCAL_TIME_H

#include <stdbool.h>
#include <stdint.h>

struct pm_local_time {
	int64_t year;
	int month;   /* 1..12 */
	int day;     /* 1..31 */
	int weekday; /* ISO 8601: 1 = Monday .. 7 = Sunday */
	int hour, minute;
	int second;   /* 0..59: a leap second is counted as :59 */
	int64_t days; /* the local date as a day number (core/billing/civil-time.h) */
};

/*
 * Whether @zone ("Europe/London"; "" = the system's) is a tzdata zone: the C library silently
 * falls back to UTC for a name it does not know, so a configuration is checked with this first.
 */
bool pm_local_time_zone_exists(const char *zone);

/*
 * The local civil time of @utc_s in @zone. 0, or -EOVERFLOW when the C library cannot express
 * it (a year beyond int): then *lt is the UTC civil time.
 */
int pm_local_time_at(const char *zone, int64_t utc_s, struct pm_local_time *lt);

/*
 * The zone's offsets around @utc_s, as a meter's Clock publishes them (DLMS/COSEM class 8): the
 * offset in force, its daylight-saving flag, the standard offset, and the year's changes to and
 * from daylight saving. The year is the local year of @utc_s; a change is found to the second
 * (tzdata's changes fall on whole seconds).
 */
struct pm_local_zone {
	int32_t offset_s;     /* east of UTC at @utc_s (tm_gmtoff) */
	bool dst;	      /* daylight saving in force at @utc_s (tm_isdst) */
	int32_t std_offset_s; /* the offset outside daylight saving */
	/* the zone goes into and out of daylight saving in that year: then the UTC instants of
	 * the two changes and the offset added (dst offset - standard offset) */
	bool has_dst;
	int64_t dst_begin_utc, dst_end_utc;
	int32_t dst_shift_s;
	int64_t year; /* the local year these are for */
};

/* 0, or -EOVERFLOW when the C library cannot express the year (then UTC, no DST). */
int pm_local_time_zone_at(const char *zone, int64_t utc_s, struct pm_local_zone *z);
/* Only the offset in force at @utc_s and its daylight-saving flag (a cheap check of whether a
 * struct pm_local_zone still holds): 0, or -EOVERFLOW. */
int pm_local_time_offset(const char *zone, int64_t utc_s, int32_t *offset_s, bool *dst);

#endif
