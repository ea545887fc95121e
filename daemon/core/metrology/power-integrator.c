// SPDX-License-Identifier: GPL-2.0-only
/* Energy counters made from power readings (see power-integrator.h). */
#include <string.h>

#include "common/adapter-math.h"
#include "core/metrology/power-integrator.h"

/* one code in pJ */
#define CODE_PJ ((uint64_t)PM_PINT_NJ_PER_CODE * 1000u)

void pm_power_integrator_reset(struct pm_power_integrator *pi)
{
	memset(pi, 0, sizeof(*pi));
}

void pm_power_integrator_step(struct pm_power_integrator *pi, int64_t ts_ns,
			      const int64_t power[PM_PHASES][PM_KINDS])
{
	bool integrate = pi->have_prev && ts_ns > pi->prev_ts_ns;

	for (int n = 0; n < PM_PHASES; n++)
		for (int k = 0; k < PM_KINDS; k++) {
			if (integrate) {
				/* (Pa + Pb) x dt in codes of 2 x CODE_PJ: the trapezoid's area */
				int64_t sum = pm_met_sat_add_i64(pi->prev_mw[n][k], power[n][k]);
				uint64_t dt = (uint64_t)(ts_ns - pi->prev_ts_ns);
				int64_t codes =
				    pm_energy_step(sum, dt, 2 * CODE_PJ, &pi->rest[n][k]);

				pi->counter[n][k] = pm_met_sat_add_i64(pi->counter[n][k], codes);
			}
			pi->prev_mw[n][k] = power[n][k];
		}
	pi->have_prev = true;
	pi->prev_ts_ns = ts_ns;
}
