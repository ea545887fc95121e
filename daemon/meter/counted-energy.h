/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The energy a meter's counters moved since polymeterd started, per phase and kind, signed
 * and exact (nJ, nvar.s, nVA.s): what the --once JSON line prints as energy_nj and the status
 * line as "counted". It is the daemon's own account of the counters, beside the registers
 * (which survive restarts and are what is billed), and is never stored.
 *
 * Scan by scan the counters are taken over by the core's counter-generation rule
 * (core/metrology/counter-baseline.h): within a generation the wrap-safe differences are
 * counted; a new generation is counted from zero when the source says its counters started
 * at zero (counters_from_zero), else it is only a new baseline; an apparent counter going
 * backwards within a generation is a new baseline, nothing counted for that interval.
 */
#ifndef POLYMETER_COUNTED_ENERGY_H
#define POLYMETER_COUNTED_ENERGY_H

#include <stdbool.h>

#include "common/adapter-math.h"
#include "core/metrology/metrology.h"

struct pm_counted_energy {
	struct pm_met_baseline base;
	struct pm_energy_nj energy_nj[PM_MET_PHASES][PM_MET_CNT_COUNT];
	unsigned restarts; /* generation changes, and phases whose counter went backwards */
};

/* Counts @s (of the meter named @meter, for the logs). A new generation's counters started at
 * zero unless the sample says their origin is unknown (counters_origin_unknown), as metrology
 * takes them. */
void pm_counted_energy_add(struct pm_counted_energy *ce, const char *meter,
			   const struct pm_met_sample *s);

/* The three phases' sum, per kind. */
void pm_counted_energy_total(const struct pm_counted_energy *ce,
			     struct pm_energy_nj total[PM_MET_CNT_COUNT]);

#endif
