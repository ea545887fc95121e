// SPDX-License-Identifier: GPL-2.0-only
/* The energy counted since the daemon started (see counted-energy.h). */
#include <inttypes.h>

#include "common/log.h"
#include "meter/counted-energy.h"

void pm_counted_energy_add(struct pm_counted_energy *ce, const char *meter,
			   const struct pm_met_sample *s)
{
	/* An apparent counter going back within a generation: the counters were reset behind
	 * the source's back, from where is unknown, so nothing is counted for this interval. */
	const struct pm_met_restart_rule rule = {
	    .new_generation_from_zero = !s->counters_origin_unknown,
	    .backwards_from_zero = false,
	};
	struct pm_met_counter_step step;

	pm_met_baseline_compare(&ce->base, s, &rule, &step);
	if (step.run == PM_MET_RUN_NEW_GENERATION) {
		ce->restarts++;
		log_notice("meter %s: energy counters restarted (generation %" PRIu64 " -> %" PRIu64
			   "), %s",
			   meter, ce->base.generation, s->generation,
			   step.credit ? "counting from zero" : "new baseline");
	}
	for (int n = 0; n < PM_MET_PHASES; n++)
		if (step.backwards & (1u << n))
			log_warning("meter %s: phase %c apparent counter went backwards, "
				    "new baseline",
				    meter, 'A' + n);
	ce->restarts += pm_met_backwards_phases(&step);
	if (step.credit)
		for (int n = 0; n < PM_MET_PHASES; n++)
			for (int k = 0; k < PM_MET_CNT_COUNT; k++)
				pm_energy_add_codes(&ce->energy_nj[n][k], step.delta[n][k],
						    s->nj_per_code[k]);
	pm_met_baseline_take(&ce->base, s);
}

void pm_counted_energy_total(const struct pm_counted_energy *ce,
			     struct pm_energy_nj total[PM_MET_CNT_COUNT])
{
	for (int k = 0; k < PM_MET_CNT_COUNT; k++) {
		total[k] = (struct pm_energy_nj){0};
		for (int n = 0; n < PM_MET_PHASES; n++)
			pm_energy_sum(&total[k], &ce->energy_nj[n][k]);
	}
}
