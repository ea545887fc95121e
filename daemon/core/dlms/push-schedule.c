// SPDX-License-Identifier: GPL-2.0-only
/* When a meter pushes (see push-schedule.h). */
#include <errno.h>

#include "core/billing/civil-time.h"
#include "core/billing/tariff.h"
#include "core/dlms/push-schedule.h"

/* 1970-01-05, the first Monday of the epoch: weekly pushes go on Mondays. */
#define FIRST_MONDAY 4

void pm_push_daily(struct pm_push_schedule *s)
{
	*s = (struct pm_push_schedule){.unit = PM_PUSH_DAYS, .count = 1, .anchor_day = 0};
}

void pm_push_weekly(struct pm_push_schedule *s)
{
	*s =
	    (struct pm_push_schedule){.unit = PM_PUSH_DAYS, .count = 7, .anchor_day = FIRST_MONDAY};
}

void pm_push_monthly(struct pm_push_schedule *s)
{
	*s = (struct pm_push_schedule){.unit = PM_PUSH_MONTHS, .count = 1, .anchor_day = 0};
}

int pm_push_every_months(struct pm_push_schedule *s, uint32_t months, int64_t year, int month,
			 int day)
{
	if (!months || !pm_civil_date_is_valid(year, month, day))
		return -EINVAL;
	*s = (struct pm_push_schedule){.unit = PM_PUSH_MONTHS,
				       .count = months,
				       .anchor_day = pm_civil_days_from_date(year, month, day)};
	return 0;
}

int pm_push_billing(struct pm_push_schedule *s, const struct tariff_billing_period *bp)
{
	if (bp->length < 1 ||
	    !pm_civil_date_is_valid(bp->start.year, bp->start.month, bp->start.day))
		return -EINVAL;
	if (bp->unit == TARIFF_PERIOD_MONTHS)
		return pm_push_every_months(s, (uint32_t)bp->length, bp->start.year,
					    bp->start.month, bp->start.day);
	*s = (struct pm_push_schedule){
	    .unit = PM_PUSH_DAYS,
	    .count = (uint32_t)bp->length,
	    .anchor_day = pm_civil_days_from_date(bp->start.year, bp->start.month, bp->start.day),
	};
	return 0;
}

/* The nominal day @k periods of months after the anchor's month: the anchor's day of month,
 * or the month's last day when it has fewer. */
static int64_t month_occurrence(const struct pm_push_schedule *s, int64_t k)
{
	int64_t y0, ym, y;
	int m0, d0, m, last;

	pm_civil_date_from_days(s->anchor_day, &y0, &m0, &d0);
	ym = y0 * 12 + (m0 - 1) + k * s->count;
	y = pm_civil_floor_div(ym, 12);
	m = (int)(ym - y * 12) + 1;
	last = pm_civil_days_in_month(y, m);
	return pm_civil_days_from_date(y, m, d0 < last ? d0 : last);
}

int64_t pm_push_next_nominal(const struct pm_push_schedule *s, int64_t local_s)
{
	int64_t day = pm_civil_floor_div(local_s, PM_PUSH_DAY_S);
	int64_t y0, y, k;
	int m0, d0, m, d;

	if (s->unit == PM_PUSH_DAYS) {
		/* the last nominal day at or before @day is at or before @local_s: the next one */
		k = pm_civil_floor_div(day - s->anchor_day, s->count) + 1;
		return (s->anchor_day + k * s->count) * PM_PUSH_DAY_S;
	}
	pm_civil_date_from_days(s->anchor_day, &y0, &m0, &d0);
	pm_civil_date_from_days(day, &y, &m, &d);
	/* a period or two before the month of @local_s, then forward to the first after it */
	k = pm_civil_floor_div((y * 12 + m) - (y0 * 12 + m0), s->count) - 1;
	while (month_occurrence(s, k) * PM_PUSH_DAY_S <= local_s)
		k++;
	return month_occurrence(s, k) * PM_PUSH_DAY_S;
}

size_t pm_push_due(const struct pm_push_schedule *s, int64_t last_done_s, int64_t now_s,
		   int64_t *out, size_t max)
{
	size_t n = 0;

	for (int64_t t = pm_push_next_nominal(s, last_done_s); t <= now_s;
	     t = pm_push_next_nominal(s, t)) {
		if (n < max)
			out[n] = t;
		n++;
	}
	return n;
}

/* splitmix64's finaliser: every input bit moves about half the output bits. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

uint32_t pm_push_offset(const char *meter, int64_t nominal_s, uint32_t window_s)
{
	/* FNV-1a over the name, then the instant mixed in */
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	if (!window_s)
		return 0;
	for (const unsigned char *p = (const unsigned char *)meter; *p; p++)
		h = (h ^ *p) * UINT64_C(0x100000001b3);
	return (uint32_t)(mix(h ^ mix((uint64_t)nominal_s)) % window_s);
}

uint32_t pm_push_retry_delay(unsigned attempt, uint32_t base_s, uint32_t cap_s)
{
	uint64_t d = base_s;

	for (unsigned i = 0; i < attempt && d < cap_s; i++)
		d *= 2;
	return d < cap_s ? (uint32_t)d : cap_s;
}
