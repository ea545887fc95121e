// SPDX-License-Identifier: GPL-2.0-only
/* When the daily and monthly billing captures are due, and what they hold (billing-capture.h). */
#include <string.h>

#include "core/billing/civil-time.h"
#include "core/model/billing-capture.h"

/* Year x 12 + month - 1 of a day number: months compare as integers. */
static int64_t month_of_day(int64_t day)
{
	int64_t year;
	int month, mday;

	pm_civil_date_from_days(day, &year, &month, &mday);
	return year * 12 + month - 1;
}

unsigned pm_billing_capture_due(struct pm_billing_capture_state *s, int32_t local_day)
{
	unsigned due = 0;

	if (!s->armed) {
		s->armed = true;
		s->daily_day = s->monthly_day = local_day;
		return 0;
	}
	if (local_day > s->daily_day) {
		due |= PM_BILLING_CAPTURE_DAILY;
		s->daily_day = local_day;
	}
	/* a later month has a later day: the months are compared only then */
	if (local_day > s->monthly_day && month_of_day(local_day) > month_of_day(s->monthly_day)) {
		due |= PM_BILLING_CAPTURE_MONTHLY;
		s->monthly_day = local_day;
	}
	return due;
}

void pm_billing_values_fill(struct pm_billing_values *v, int64_t utc_ns, int32_t local_day,
			    bool monthly, const struct pm_met_registers *regs,
			    const struct pm_snapshot_account *acc,
			    const struct pm_demand_peak md_import[PM_DEMAND_MONTHS],
			    const struct pm_demand_peak md_export[PM_DEMAND_MONTHS])
{
	struct pm_civil_time ct;
	int slot = 0;

	memset(v, 0, sizeof(*v));
	v->utc_ns = utc_ns;
	v->local_day = local_day;
	v->reg[PM_BILLING_CAP_A_IMPORT] = regs->total[PM_MET_A_IMPORT].mwh;
	v->reg[PM_BILLING_CAP_A_EXPORT] = regs->total[PM_MET_A_EXPORT].mwh;
	v->reg[PM_BILLING_CAP_R_IMPORT] = regs->total[PM_MET_R_IMPORT].mwh;
	v->reg[PM_BILLING_CAP_R_EXPORT] = regs->total[PM_MET_R_EXPORT].mwh;
	if (acc && acc->valid && acc->has_tariff) {
		v->n_rates =
		    (uint8_t)(acc->n_rates < PM_SNAPSHOT_RATES ? acc->n_rates : PM_SNAPSHOT_RATES);
		v->n_export_rates =
		    (uint8_t)(acc->n_export_rates < PM_SNAPSHOT_RATES ? acc->n_export_rates
								      : PM_SNAPSHOT_RATES);
		for (int r = 0; r < v->n_rates; r++)
			v->rate_import[r] =
			    acc->rate_import_mwh[r] > 0 ? (uint64_t)acc->rate_import_mwh[r] : 0;
		for (int r = 0; r < v->n_export_rates; r++)
			v->rate_export[r] =
			    acc->rate_export_mwh[r] > 0 ? (uint64_t)acc->rate_export_mwh[r] : 0;
	}
	if (monthly) {
		/* the UTC month of the scan against the local month that just ended */
		pm_civil_from_utc_ns(utc_ns, &ct);
		if (ct.year * 12 + ct.month - 1 != month_of_day((int64_t)local_day - 1))
			slot = 1;
	}
	for (int d = 0; d < 2; d++) {
		const struct pm_demand_peak *p = d ? &md_export[slot] : &md_import[slot];

		v->md_valid[d] = p->valid;
		v->md_mw[d] = p->valid ? p->demand_mw : 0;
		v->md_end_ns[d] = p->valid ? p->end_ns : 0;
	}
}
