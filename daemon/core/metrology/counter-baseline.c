// SPDX-License-Identifier: GPL-2.0-or-later
/* The counter-generation rule (see counter-baseline.h). */
#include <string.h>

#include "core/metrology/counter-baseline.h"
#include "core/metrology/metrology.h"

/* Two's complement difference: right across a wrap of the counter. */
static int64_t wrap_safe_delta(int64_t to, int64_t from)
{
	return (int64_t)((uint64_t)to - (uint64_t)from);
}

void pm_met_baseline_compare(const struct pm_met_baseline *base, const struct pm_met_sample *s,
			     const struct pm_met_restart_rule *rule,
			     struct pm_met_counter_step *out)
{
	memset(out, 0, sizeof(*out));
	if (!base->valid) {
		out->run = PM_MET_RUN_FIRST;
		return;
	}
	if (s->generation != base->generation) {
		out->run = PM_MET_RUN_NEW_GENERATION;
		out->credit = rule->new_generation_from_zero;
	} else {
		out->run = PM_MET_RUN_CONTINUES;
		for (int ph = 0; ph < PM_MET_PHASES; ph++)
			if (wrap_safe_delta(s->ph[ph].counter[PM_MET_CNT_APPARENT],
					    base->counter[ph][PM_MET_CNT_APPARENT]) < 0)
				out->backwards |= 1u << ph;
		if (out->backwards) {
			out->run = PM_MET_RUN_BACKWARDS;
			out->credit = rule->backwards_from_zero;
		} else {
			out->credit = true;
		}
	}
	if (!out->credit)
		return;
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		for (int k = 0; k < PM_MET_CNT_COUNT; k++)
			/* restarted counters that started at zero: all they hold is new energy */
			out->delta[ph][k] = wrap_safe_delta(
			    s->ph[ph].counter[k],
			    out->run == PM_MET_RUN_CONTINUES ? base->counter[ph][k] : 0);
}

void pm_met_baseline_take(struct pm_met_baseline *base, const struct pm_met_sample *s)
{
	base->valid = true;
	base->generation = s->generation;
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		for (int k = 0; k < PM_MET_CNT_COUNT; k++)
			base->counter[ph][k] = s->ph[ph].counter[k];
}

unsigned pm_met_backwards_phases(const struct pm_met_counter_step *step)
{
	unsigned n = 0;

	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		n += (step->backwards >> ph) & 1u;
	return n;
}
