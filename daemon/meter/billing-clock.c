// SPDX-License-Identifier: GPL-2.0-only
/* The engines' local civil time: the meter's zone, its offset cached (local-clock.h). */
#include "core/billing/civil-time.h"
#include "meter/billing-internal.h"
#include "meter/local-clock.h"

/* Local civil time of @utc in the meter's zone (local-clock.h), for both engines. */
void billing_local_times(const struct pm_billing *b, int64_t utc, struct tariff_time *tt,
			 struct account_time *at)
{
	struct pm_local_time lt;

	pm_local_clock_at(b->clock, utc, &lt); /* beyond the C library: UTC, as good as any */
	tt->utc_s = utc;
	tt->year = (int)lt.year;
	tt->month = lt.month;
	tt->day = lt.day;
	tt->weekday = lt.weekday;
	tt->seconds = lt.hour * 3600 + lt.minute * 60 + lt.second;
	at->utc = utc;
	at->local_day = (int32_t)lt.days;
	at->weekday = (uint8_t)(lt.weekday - 1); /* 0 = Monday */
	at->second_of_day = (uint32_t)tt->seconds;
	at->friendly_day = false;
}

void billing_now_times(const struct pm_billing *b, const struct state *st, int64_t utc_ns,
		       struct account_time *at)
{
	struct tariff_time tt;

	billing_local_times(b, utc_ns / 1000000000, &tt, at);
	at->friendly_day = st->has_tariff && st->te.friendly_day;
}
