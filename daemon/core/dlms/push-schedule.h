/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * When a meter pushes its data to the head-end (Push setup, class 40; issue 13, "Push and
 * scheduled reads"), as plain arithmetic: the adapter that sends (its timer, its connection, the
 * store that remembers what was delivered) asks this file what is due and when.
 *
 * Times are local seconds: seconds since 1970-01-01 00:00 of the meter's civil time (its
 * time_zone), so "00:00 on the 1st" is a multiple of 86400 whatever the zone; the adapter
 * turns a local instant into UTC with tzdata (meter/local-time.c).
 *
 *   - A schedule is a number of days or of months between nominal instants at 00:00 local,
 *     counted from an anchor day: daily = 1 day; weekly = 7 days from a Monday; monthly = 1
 *     month from a 1st; billing period = the tariff's months from its start date (a start on
 *     the 29th..31st falls on the last day of a shorter month, as the billing period does).
 *   - Each push starts at a pseudo-random offset of 0 .. window - 1 s after its nominal instant
 *     (0..2 h for the fleet: the meters must not all call the head-end at once). The
 *     offset is a hash of the meter's name and the nominal instant: every meter draws its own,
 *     and a meter restarted inside its window draws the same one again, so a restart neither
 *     skips the push nor sends it twice.
 *   - Nothing due is lost: pm_push_due() lists every nominal instant after the last one
 *     delivered, oldest first, so a head-end that was down gets every missed push when it is
 *     back; pm_push_retry_delay() spaces the attempts while it is down (doubling, capped).
 */
#ifndef POLYMETER_PUSH_SCHEDULE_H
#define POLYMETER_PUSH_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#define PM_PUSH_DAY_S 86400

enum pm_push_unit {
	PM_PUSH_DAYS,
	PM_PUSH_MONTHS,
};

struct pm_push_schedule {
	enum pm_push_unit unit;
	uint32_t count;	    /* days or months between nominal instants, >= 1 */
	int64_t anchor_day; /* a local day (days since 1970-01-01) with a nominal instant */
};

/* The schedules of the issue: daily, weekly on Mondays, monthly on the 1st. */
void pm_push_daily(struct pm_push_schedule *s);
void pm_push_weekly(struct pm_push_schedule *s);
void pm_push_monthly(struct pm_push_schedule *s);
/* Every @months months from the local date @year-@month-@day: 0, or -EINVAL (not a date,
 * months 0). */
int pm_push_every_months(struct pm_push_schedule *s, uint32_t months, int64_t year, int month,
			 int day);

struct tariff_billing_period;
/* Every billing period of a tariff (core/billing/tariff.h): its months, or days, from its start
 * date. 0, or -EINVAL (no period, not a date). */
int pm_push_billing(struct pm_push_schedule *s, const struct tariff_billing_period *bp);

/* The first nominal instant strictly after @local_s (local seconds). */
int64_t pm_push_next_nominal(const struct pm_push_schedule *s, int64_t local_s);

/*
 * The nominal instants in (@last_done_s, @now_s], oldest first, into @out (at most @max): the
 * pushes due and not delivered. Returns how many there are in all (more than @max: the adapter
 * sends the first @max and asks again). @last_done_s: the nominal instant of the last push
 * delivered (or the instant the schedule was set up, for none yet).
 */
size_t pm_push_due(const struct pm_push_schedule *s, int64_t last_done_s, int64_t now_s,
		   int64_t *out, size_t max);

/* The start offset of the push of @meter nominally at @nominal_s: 0 .. @window_s - 1 s (0 for
 * a window of 0), the same on every call. */
uint32_t pm_push_offset(const char *meter, int64_t nominal_s, uint32_t window_s);

/* The wait before attempt @attempt + 1 after @attempt + 1 failures: @base_s doubled each time,
 * at most @cap_s. */
uint32_t pm_push_retry_delay(unsigned attempt, uint32_t base_s, uint32_t cap_s);

#endif
