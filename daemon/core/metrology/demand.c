// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "core/metrology/demand.h"
#include "core/metrology/metrology_math.h"

#define NS_PER_MS 1000000LL

int pm_demand_init(struct pm_demand *d, const struct pm_demand_config *cfg)
{
	int64_t step;

	if (cfg->subintervals == 0 || cfg->subintervals > PM_DEMAND_MAX_SUBINTERVALS ||
	    cfg->window_ns <= 0)
		return -EINVAL;
	step = cfg->window_ns / cfg->subintervals;
	if (step * (int64_t)cfg->subintervals != cfg->window_ns || step % NS_PER_MS != 0 ||
	    step == 0)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->step_ns = step;
	return 0;
}

/* Ends the open step: the window is the last `subintervals` steps, this one included. */
static void close_step(struct pm_demand *d)
{
	uint64_t window_mwh = 0;
	int64_t demand;

	d->ring[d->ring_pos] = d->open_mwh;
	d->ring_pos = (d->ring_pos + 1) % d->cfg.subintervals;
	for (uint32_t i = 0; i < d->cfg.subintervals; i++)
		window_mwh += d->ring[i];
	demand = (int64_t)pm_met_muldiv_u64(window_mwh, 3600000,
					    (uint64_t)(d->cfg.window_ns / NS_PER_MS));
	d->last =
	    (struct pm_demand_peak){.valid = true, .demand_mw = demand, .end_ns = d->open_end_ns};
	if (!d->month[0].valid || demand > d->month[0].demand_mw)
		d->month[0] = d->last;
	d->open_mwh = 0;
	d->open_end_ns += d->step_ns;
}

void pm_demand_update(struct pm_demand *d, int64_t t_ns, uint64_t register_mwh)
{
	uint64_t energy, left;
	int64_t from;

	if (!d->started) {
		d->started = true;
		d->last_ns = t_ns;
		d->last_mwh = register_mwh;
		d->open_end_ns = pm_met_next_boundary(t_ns, d->cfg.align_ns, d->step_ns);
		return;
	}
	energy = register_mwh >= d->last_mwh ? register_mwh - d->last_mwh : 0;
	left = energy;
	from = d->last_ns;
	d->last_mwh = register_mwh;
	if (t_ns > d->last_ns)
		d->last_ns = t_ns;

	if (t_ns > d->open_end_ns &&
	    (t_ns - d->open_end_ns) / d->step_ns > PM_DEMAND_MAX_SPREAD_STEPS) {
		/* a clock jump, not an outage: the energy closes the open step and the sliding
		 * window starts afresh at the new time */
		d->open_mwh += left;
		close_step(d);
		memset(d->ring, 0, sizeof(d->ring));
		d->open_end_ns = pm_met_next_boundary(t_ns, d->cfg.align_ns, d->step_ns);
		return;
	}
	/* The share of (from, t] up to each boundary passed is time-proportional; if `from` lies
	 * in a step already closed by a rollover, that time counts with the open step. */
	while (t_ns > d->open_end_ns) {
		uint64_t span = (uint64_t)(t_ns - from);
		/* from <= open_end always holds: updates and rollovers only move open_end on */
		uint64_t part = (uint64_t)(d->open_end_ns - from);
		uint64_t share = pm_met_muldiv_u64(left, part, span);

		d->open_mwh += share;
		left -= share;
		from = d->open_end_ns;
		close_step(d);
	}
	d->open_mwh += left;
}

void pm_demand_month_rollover(struct pm_demand *d, int64_t t_ns)
{
	if (d->started)
		while (d->open_end_ns <= t_ns)
			close_step(d);
	d->month[2] = d->month[1];
	d->month[1] = d->month[0];
	d->month[0] = (struct pm_demand_peak){0};
}

void pm_demand_restart(struct pm_demand *d)
{
	d->started = false;
	d->open_mwh = 0;
	memset(d->ring, 0, sizeof(d->ring));
	d->ring_pos = 0;
}
