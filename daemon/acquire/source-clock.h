/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The UTC clock a meter runs on: the one its profile, demand, account and events are dated
 * with. A source with a simulated UTC (the simulated clock with sim_start, a replay) gives it;
 * the simulated source without sim_start runs its simulated clock from the wall clock of its
 * first scan (so sim_speed makes demand windows and profile intervals pass faster too); any
 * other source runs on the wall clock.
 */
#ifndef POLYMETER_SOURCE_CLOCK_H
#define POLYMETER_SOURCE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "acquire/scan.h"
#include "acquire/source.h"

/* The simulated source's clock without sim_start: UTC at its first scan + simulated time. */
struct pm_sim_clock {
	bool started;
	int64_t utc0_ns, ts0_ns;
};

/* The meter's UTC now: its source's simulated UTC, else the wall clock. @source may be NULL. */
int64_t pm_source_utc_now(const struct pm_source *source);

/* The UTC of @scan from @source; @sim: the source is the simulated one (source = sim). */
int64_t pm_source_scan_utc(const struct pm_source *source, bool sim, struct pm_sim_clock *clock,
			   const struct pm_scan *scan);

#endif
