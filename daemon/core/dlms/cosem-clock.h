/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The meter's local time as the COSEM objects write it (the Clock, and every object with a time
 * stamp: capture times, profile entries), from the zone the daemon resolved
 * (struct pm_cosem_meter_clock).
 */
#ifndef POLYMETER_COSEM_CLOCK_H
#define POLYMETER_COSEM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dlms/axdr.h"
#include "core/dlms/cosem-meter.h"

/* The zone's offset east of UTC at @utc_s (its standard offset, plus the daylight-saving
 * deviation between this year's begin and end); *dst whether daylight saving is in force. */
int32_t pm_cosem_clock_offset_at(const struct pm_cosem_meter_clock *c, int64_t utc_s, bool *dst);
/* @utc_s as a date-time octet-string in the meter's local time, its deviation and the
 * daylight-saving status bit (with the clock's own status bits). */
void pm_cosem_clock_put_local(struct pm_axdr_out *out, const struct pm_cosem_meter_clock *c,
			      int64_t utc_s);

#endif
