/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One meter's local civil time, cached: the zone is asked through tzdata (local-time.h) at most
 * about once a simulated or real day, and every other instant is UTC plus the offset in force,
 * in int64 arithmetic.
 *
 * Why a cache of the C library's answers rather than a TZif reader of our own: the C library
 * already reads tzdata's files (RFC 8536) and their POSIX TZ footer (the rules after the last
 * listed change, e.g. for 2040), the system zone "" is /etc/localtime as everywhere else on the
 * gateway, and there is nothing of tzdata's format to keep up to date here. The cost that
 * mattered was asking it for every billed sample: setting TZ, tzset() (which re-reads the zone
 * file whenever TZ changed, or stats /etc/localtime for the system's zone) and localtime_r.
 *
 * A lookup at t outside the cached span resolves the span from t: the offset at t and at t + one
 * day; the same offset and daylight-saving flag at both ends means no change in between (tzdata's
 * changes are months apart: no zone changes twice within a day and back), else the change is
 * found to the second by bisection and the span ends there. So the span is [t, next change) or
 * [t, t + 1 day), and a change is never crossed with a stale offset.
 *
 * Each clock holds its own zone name and span: meters in different zones share no state. Only
 * during a resolution is TZ set (the daemon is single-threaded), and nothing is read from the
 * environment between resolutions.
 */
#ifndef POLYMETER_LOCAL_CLOCK_H
#define POLYMETER_LOCAL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "meter/local-time.h"

struct pm_local_clock {
	char zone[64];	      /* tzdata zone ("" = the system's), as the configuration's */
	bool valid;	      /* the span below is known */
	int64_t from, until;  /* UTC seconds [from, until) with this offset */
	int32_t offset_s;     /* east of UTC */
	bool dst;	      /* daylight saving in force */
	uint64_t resolutions; /* times the zone was asked (spans resolved): for the tests */
	/* the last answer (samples come many a second, and many a day) */
	bool have_last;
	int64_t last_utc_s;
	int last_r;
	struct pm_local_time last;
};

/* @zone: NULL or "" = the system's; a longer name than the field holds is cut (the
 * configuration refuses such names before). */
void pm_local_clock_init(struct pm_local_clock *c, const char *zone);

/* As pm_local_time_at: 0, or -EOVERFLOW beyond the C library's years (then *lt is UTC). */
int pm_local_clock_at(struct pm_local_clock *c, int64_t utc_s, struct pm_local_time *lt);

/* The offset in force at @utc_s and its daylight-saving flag: 0, or -EOVERFLOW (then 0, no
 * daylight saving). */
int pm_local_clock_offset(struct pm_local_clock *c, int64_t utc_s, int32_t *offset_s, bool *dst);

#endif
