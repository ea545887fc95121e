// SPDX-License-Identifier: GPL-2.0-only
/* One meter's local civil time, the offset cached between changes (see local-clock.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/billing/civil-time.h"
#include "meter/local-clock.h"

/* How far one resolution looks ahead: less than the shortest time between two changes. */
#define SPAN_S PM_S_PER_DAY

void pm_local_clock_init(struct pm_local_clock *c, const char *zone)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->zone, sizeof(c->zone), "%s", zone ? zone : "");
}

static bool same_offset(const char *zone, int64_t utc_s, int32_t offset_s, bool dst)
{
	int32_t off;
	bool d;

	return pm_local_time_offset(zone, utc_s, &off, &d) == 0 && off == offset_s && d == dst;
}

/* The span from @utc_s: 0, or -EOVERFLOW (the C library cannot express that year). */
static int resolve(struct pm_local_clock *c, int64_t utc_s)
{
	int64_t lo = utc_s, hi;

	c->valid = false;
	c->resolutions++;
	if (pm_local_time_offset(c->zone, utc_s, &c->offset_s, &c->dst) < 0)
		return -EOVERFLOW;
	hi = utc_s + SPAN_S; /* a year the C library expresses: far from int64's end */
	/* a change within the span (or a year beyond the C library at its end): the first
	 * second with another offset ends it; at lo the offset is ours, at hi it is not */
	if (!same_offset(c->zone, hi, c->offset_s, c->dst)) {
		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;

			if (same_offset(c->zone, mid, c->offset_s, c->dst))
				lo = mid;
			else
				hi = mid;
		}
	}
	c->from = utc_s;
	c->until = hi;
	c->valid = true;
	return 0;
}

int pm_local_clock_offset(struct pm_local_clock *c, int64_t utc_s, int32_t *offset_s, bool *dst)
{
	if ((!c->valid || utc_s < c->from || utc_s >= c->until) && resolve(c, utc_s) < 0) {
		*offset_s = 0;
		*dst = false;
		return -EOVERFLOW;
	}
	*offset_s = c->offset_s;
	*dst = c->dst;
	return 0;
}

int pm_local_clock_at(struct pm_local_clock *c, int64_t utc_s, struct pm_local_time *lt)
{
	int32_t offset_s;
	bool dst;
	int64_t local, days, second_of_day;
	int r;

	if (c->have_last && utc_s == c->last_utc_s && c->valid && utc_s >= c->from &&
	    utc_s < c->until) {
		*lt = c->last;
		return c->last_r;
	}
	r = pm_local_clock_offset(c, utc_s, &offset_s, &dst);
	/* beyond the C library's years: UTC, as pm_local_time_at gives it */
	local = r == 0 ? utc_s + offset_s : utc_s;
	days = pm_civil_floor_div(local, PM_S_PER_DAY);
	second_of_day = local - days * PM_S_PER_DAY;
	if (!c->have_last || days != c->last.days) {
		pm_civil_date_from_days(days, &c->last.year, &c->last.month, &c->last.day);
		c->last.weekday = pm_civil_weekday(days);
		c->last.days = days;
	}
	c->last.hour = (int)(second_of_day / 3600);
	c->last.minute = (int)(second_of_day / 60 % 60);
	c->last.second = (int)(second_of_day % 60);
	c->last_utc_s = utc_s;
	c->last_r = r;
	c->have_last = true;
	*lt = c->last;
	return r;
}
