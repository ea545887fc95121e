/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter's device_lost and device_found events, from what its source says: device_lost when
 * the source counts a new loss, device_found when it delivers again after one. Looked at once
 * a second (the manager's device timer), so a loss and a recovery within a second are still
 * one of each.
 */
#ifndef POLYMETER_DEVICE_EVENTS_H
#define POLYMETER_DEVICE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "acquire/source.h"
#include "meter/meter.h"

struct pm_device_events {
	unsigned losses_seen; /* the source's loss count at the last look */
	bool lost;
	int64_t lost_utc_ns; /* when the loss was first seen */
};

/* True when the source counts a loss not logged yet (the next pm_device_events_check logs it). */
bool pm_device_events_new_loss(const struct pm_device_events *d, const struct pm_source *source);

/* Logs into @pipe what changed since the last look, at @now_ns. */
void pm_device_events_check(struct pm_device_events *d, const struct pm_source *source,
			    struct pm_meter *pipe, int64_t now_ns);

#endif
