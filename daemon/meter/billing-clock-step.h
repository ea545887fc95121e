/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The meter's clock stepped over time that did not pass (core/metrology/wall-clock.h: the wall
 * clock set forward, or the first sample after the clock was untrusted; docs/clock.md).
 */
#ifndef POLYMETER_BILLING_CLOCK_STEP_H
#define POLYMETER_BILLING_CLOCK_STEP_H

#include <stdint.h>

#include "meter/billing.h"

/*
 * Before the sample at @utc_ns: the standing charge and debt instalments due between the last
 * sample and @utc_ns are not collected (event clock_step_charges says how much), and the gap is
 * no power-down. The energy of the sample is billed as usual by pm_billing_sample().
 */
void pm_billing_clock_step(struct pm_billing *b, int64_t utc_ns);

#endif
