// SPDX-License-Identifier: GPL-2.0-only
/* The UTC clock a meter runs on (see source-clock.h). */
#include "acquire/source-clock.h"
#include "common/clock.h"

int64_t pm_source_utc_now(const struct pm_source *source)
{
	int64_t t;

	return source && pm_source_sim_utc(source, &t) ? t : pm_utc_now_ns();
}

int64_t pm_source_scan_utc(const struct pm_source *source, bool sim, struct pm_sim_clock *clock,
			   const struct pm_scan *scan)
{
	int64_t t;

	if (pm_source_sim_utc(source, &t))
		return t;
	if (!sim)
		return pm_utc_now_ns();
	if (!clock->started) {
		clock->started = true;
		clock->utc0_ns = pm_utc_now_ns();
		clock->ts0_ns = scan->ts_ns;
	}
	return clock->utc0_ns + (scan->ts_ns - clock->ts0_ns);
}
