/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Energy counters made from power readings, for a meter read by polling (the direct acquisition
 * of source-iio-direct.c: the mainline ade9000 driver has no lifetime energy counter). Each
 * reading adds the trapezoid (P_prev + P_now) / 2 x dt to the counter of its phase and kind,
 * exactly: whole codes go to the counter, the rest stays in a remainder, so nothing is lost to
 * rounding however many readings are integrated. Active and reactive counters are signed (export
 * counts down, as the driver's do); apparent power is never negative.
 */
#ifndef POLYMETER_POWER_INTEGRATOR_H
#define POLYMETER_POWER_INTEGRATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "acquire/scan.h"

/* One code of the counters: 1 mJ (1 mvar.s, 1 mVA.s). */
#define PM_PINT_NJ_PER_CODE 1000000u

struct pm_power_integrator {
	bool have_prev;
	int64_t prev_ts_ns;
	int64_t prev_mw[PM_PHASES][PM_KINDS];
	/* in units of half a pJ, below 2 x code (the trapezoid's 1/2 kept exact) */
	uint64_t rest[PM_PHASES][PM_KINDS];
	int64_t counter[PM_PHASES][PM_KINDS];
};

/* Starts over at zero (a new connection: a new run of counters). */
void pm_power_integrator_reset(struct pm_power_integrator *pi);

/*
 * Integrates the powers read at ts_ns (mW, mvar, mVA per phase and kind) since the previous
 * reading. The first reading after a reset only sets the baseline, as does a reading whose
 * time is not after the previous one (the interval is unknown: nothing is invented).
 */
void pm_power_integrator_step(struct pm_power_integrator *pi, int64_t ts_ns,
			      const int64_t power[PM_PHASES][PM_KINDS]);

#endif
