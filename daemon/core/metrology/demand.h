/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * demand: maximum demand of one energy register (pure core: time and values come in).
 *
 * One pm_demand follows one monotonic register (e.g. total +A in mWh, from metrology); create
 * one per register that needs a maximum demand (+A, -A, +R ...).
 *
 * Block demand: subintervals = 1, the window is the demand period (15 or 30 min).
 * Sliding demand: the window is divided into `subintervals` steps; at the end of every step the
 *   demand over the last `subintervals` steps is evaluated (e.g. 15 min in 5 x 3 min).
 * Demand (mW) = energy in the window (mWh) x 3 600 000 / window (ms), rounded down; it is
 *   the mean power over the window. A window that started before the first sample (start-up)
 *   counts the missing time as zero energy, so it can only understate.
 *
 * Time: ns on the caller's wall clock (UTC), because windows are aligned to it: step boundaries
 * are at align_ns + k x step. Pass the local UTC offset as align_ns for local quarter hours.
 * The core knows no calendar: the caller says when a billing month ends (rollover).
 *
 * Energy attribution: the register's growth between two updates is spread over the step
 * boundaries it spans in proportion to time (exact integer split, nothing lost), so energy
 * credited after an outage (restart recovery) becomes the mean power over the outage, not a
 * false peak. Energy for time already closed (after a rollover) goes to the open step.
 */
#ifndef POLYMETER_DEMAND_H
#define POLYMETER_DEMAND_H

#include <stdbool.h>
#include <stdint.h>

#define PM_DEMAND_MAX_SUBINTERVALS 60
/* Months kept: the current one and the two previous ones. */
#define PM_DEMAND_MONTHS 3
/* More steps than this in one update is a clock jump: the energy goes to the open step. */
#define PM_DEMAND_MAX_SPREAD_STEPS 100000

struct pm_demand_config {
	int64_t window_ns;     /* whole milliseconds, e.g. 15 or 30 min */
	uint32_t subintervals; /* 1 = block; N = sliding, window / N must be whole ms */
	int64_t align_ns;      /* boundaries at align_ns + k x step */
};

struct pm_demand_peak {
	bool valid;
	int64_t demand_mw;
	int64_t end_ns; /* end of the window where the maximum occurred */
};

struct pm_demand {
	struct pm_demand_config cfg;
	int64_t step_ns;
	bool started;
	int64_t last_ns;
	uint64_t last_mwh;
	int64_t open_end_ns; /* end of the open step */
	uint64_t open_mwh;   /* energy in the open step so far */
	uint64_t ring[PM_DEMAND_MAX_SUBINTERVALS];
	uint32_t ring_pos;
	struct pm_demand_peak last;		       /* the most recent evaluated window */
	struct pm_demand_peak month[PM_DEMAND_MONTHS]; /* [0] current, [1] previous, [2] before */
};

/* -EINVAL (nothing set up) unless 0 < subintervals <= MAX and window / subintervals is a whole,
 * positive number of milliseconds. */
int pm_demand_init(struct pm_demand *d, const struct pm_demand_config *cfg);

/* Feeds the register's value at t_ns. The first call is the baseline. A register that went
 * backwards (it must not) is taken as a new baseline without energy. */
void pm_demand_update(struct pm_demand *d, int64_t t_ns, uint64_t register_mwh);

/*
 * The caller's clock was set (core/metrology/wall-clock.h): the register's growth since the
 * last update is not spread over time that did not pass. The open step and the sliding window
 * are dropped (nothing is evaluated from them) and the next update is a new baseline, as at
 * start-up; the peaks found so far are kept.
 */
void pm_demand_restart(struct pm_demand *d);

/* Closes every step ending at or before t_ns, then starts a new month: the current month's
 * maximum becomes the previous one, the previous one the one before, the oldest is dropped. */
void pm_demand_month_rollover(struct pm_demand *d, int64_t t_ns);

#endif
