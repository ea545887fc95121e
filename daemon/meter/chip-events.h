/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The meter IC's own events (swell, dip, reverse power, overcurrent: acquire/source.h) as
 * events of the meter, each logged with the values of the first scan taken after it:
 * "swell L2 rising, 253.1 V". An event arrives as soon as the chip raises it, the scans of the
 * same moment often later (a buffer refill), so events wait here, dated when they arrived,
 * until a scan taken after them is in; one waiting longer than a few seconds (a source
 * without timestamps) is logged with the last values seen.
 */
#ifndef POLYMETER_CHIP_EVENTS_H
#define POLYMETER_CHIP_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acquire/scan.h"
#include "acquire/source.h"
#include "meter/meter.h"

#define PM_CHIP_EVENTS_WAITING 8

struct pm_chip_events {
	struct pm_meter *pipe; /* where they are logged */
	struct {
		struct pm_chip_event ev;
		int64_t utc_ns; /* when it arrived */
	} pending[PM_CHIP_EVENTS_WAITING];
	size_t n_pending;
};

/*
 * Takes @ev, arrived at @utc_ns; @last: the last scan (NULL: none yet), for the events logged
 * at once to make room.
 */
void pm_chip_events_add(struct pm_chip_events *q, const struct pm_chip_event *ev, int64_t utc_ns,
			const struct pm_scan *last);

/*
 * Logs the waiting events @last speaks for: those the chip saw before @last was taken, and
 * any waiting for longer than a few seconds at @now_ns; @all: every one (shutdown, a device
 * lost: no scan is coming).
 */
void pm_chip_events_flush(struct pm_chip_events *q, const struct pm_scan *last, bool all,
			  int64_t now_ns);

#endif
