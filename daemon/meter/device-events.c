// SPDX-License-Identifier: GPL-2.0-only
/* device_lost and device_found (see device-events.h). */
#include <stdio.h>

#include "meter/device-events.h"

bool pm_device_events_new_loss(const struct pm_device_events *d, const struct pm_source *source)
{
	return pm_source_losses(source) != d->losses_seen;
}

void pm_device_events_check(struct pm_device_events *d, const struct pm_source *source,
			    struct pm_meter *pipe, int64_t now_ns)
{
	unsigned losses = pm_source_losses(source);
	char detail[96];

	if (losses != d->losses_seen) {
		snprintf(detail, sizeof(detail), "%u loss(es) since start", losses);
		pm_meter_event(pipe, now_ns, "device_lost", detail);
		d->losses_seen = losses;
		if (!d->lost)
			d->lost_utc_ns = now_ns;
		d->lost = true;
	}
	if (d->lost && pm_source_connected(source)) {
		snprintf(detail, sizeof(detail), "after %.1f s",
			 (double)(now_ns - d->lost_utc_ns) / 1e9);
		pm_meter_event(pipe, now_ns, "device_found", detail);
		d->lost = false;
	}
}
