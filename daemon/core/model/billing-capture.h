/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The billing captures: the meter's registers as they stood at the first scan at or after
 * 00:00 local time (daily) and at or after 00:00 local on the 1st of a month (monthly), what
 * the DLMS billing profiles publish (1.0.98.2.0.255 daily, 1.0.98.1.0.255 monthly:
 * docs/dlms-profiles.md). Pure: the caller gives each scan's local date (tzdata is an adapter,
 * meter/local-time.c) and stores the captures (meter/period-capture.c).
 *
 * When a capture is due: the first scan whose local date is after the date of the last daily
 * capture; monthly, the first whose local month is after the last monthly capture's. A capture
 * is taken with the scan's real time and registers, so after a daemon down over midnight it is
 * the first scan after the restart that captures, dated when it ran; a daemon down over
 * several midnights captures once (the registers of the midnights it missed are unknown, and
 * a capture is never invented). On the days daylight saving changes, midnight is a local
 * midnight like any other: the day between two captures lasts 23 or 25 hours.
 */
#ifndef POLYMETER_BILLING_CAPTURE_H
#define POLYMETER_BILLING_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/metrology/demand.h"
#include "core/metrology/metrology.h"
#include "core/model/model.h"

/* Registers of a capture (totals, mWh / mvarh), in this order: the load profile's. */
enum pm_billing_capture_reg {
	PM_BILLING_CAP_A_IMPORT,
	PM_BILLING_CAP_A_EXPORT,
	PM_BILLING_CAP_R_IMPORT,
	PM_BILLING_CAP_R_EXPORT,
	PM_BILLING_CAP_REGS
};

/* One capture. */
struct pm_billing_values {
	int64_t utc_ns;	   /* the scan's time */
	int32_t local_day; /* its local date, days since 1970-01-01 */
	uint64_t reg[PM_BILLING_CAP_REGS];
	/* the tariff's rate registers (mWh), rate r + 1 in [r]; none without a tariff */
	uint8_t n_rates, n_export_rates;
	uint64_t rate_import[PM_SNAPSHOT_RATES];
	uint64_t rate_export[PM_SNAPSHOT_RATES];
	/* maximum demand of +A [0] and -A [1]: the peak's mean power (mW) and window end */
	bool md_valid[2];
	int64_t md_mw[2];
	int64_t md_end_ns[2];
};

/* What was captured last; armed false until a first local date is known. */
struct pm_billing_capture_state {
	bool armed;
	int32_t daily_day;   /* local date of the last daily capture (or of the arming scan) */
	int32_t monthly_day; /* a local date in the month of the last monthly capture */
};

enum pm_billing_capture_due {
	PM_BILLING_CAPTURE_DAILY = 1u << 0,
	PM_BILLING_CAPTURE_MONTHLY = 1u << 1,
};

/*
 * The captures due at a scan of local date @local_day (enum pm_billing_capture_due bits), and
 * the state moved on as if they were taken. A state not armed is armed with @local_day and
 * nothing is due: the first capture follows the first midnight seen. A date before the last
 * capture's (the clock set back) is due nothing, and the state keeps the later date.
 */
unsigned pm_billing_capture_due(struct pm_billing_capture_state *s, int32_t local_day);

/*
 * A capture at @utc_ns (local date @local_day) of the total registers @regs, the account's
 * rate registers (@acc: none unless it is valid and has a tariff) and the maximum demand of
 * the UTC months (meter.h: [0] the current month). Monthly (@monthly true), the peak is the
 * one of the local month being closed: demand months are UTC months, so at a local midnight
 * east of UTC the closing month is still [0], west of it the new UTC month has begun and the
 * closing month's peak is [1]. Daily, the current month's peak [0].
 */
void pm_billing_values_fill(struct pm_billing_values *v, int64_t utc_ns, int32_t local_day,
			    bool monthly, const struct pm_met_registers *regs,
			    const struct pm_snapshot_account *acc,
			    const struct pm_demand_peak md_import[PM_DEMAND_MONTHS],
			    const struct pm_demand_peak md_export[PM_DEMAND_MONTHS]);

#endif
