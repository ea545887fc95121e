// SPDX-License-Identifier: GPL-2.0-only
/* The meter's clock stepped over time that did not pass (see billing-clock-step.h). */
#include <inttypes.h>

#include "core/billing/money.h"
#include "meter/billing-clock-step.h"
#include "meter/billing-internal.h"

void pm_billing_clock_step(struct pm_billing *b, int64_t utc_ns)
{
	struct state *st;
	struct account_output out;
	struct account_time at;
	int64_t utc = utc_ns / 1000000000, standing = 0, debt = 0;
	char m1[40], m2[40];

	if (!b || !b->running)
		return;
	st = &b->st;
	billing_now_times(b, st, utc_ns, &at);
	/* as at a power-up (the manual, §8.9): what fell due in time not lived is passed over */
	if (st->has_tariff)
		standing = tariff_engine_skip_standing(&st->te, utc);
	if (account_power_up(&st->acc, &at, &debt, &out) < 0)
		return;
	billing_account_events(b, st, &out);
	billing_queue(b, utc_ns, "clock_step_charges", "standing=%s debt=%s not collected",
		      pm_money_format(standing, m1, sizeof(m1)),
		      pm_money_format(debt, m2, sizeof(m2)));
	billing_send_events(b);
	/* the next sample's gap from here is no power-down */
	b->last_sample_utc = utc;
}
