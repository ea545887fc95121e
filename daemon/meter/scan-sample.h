/* SPDX-License-Identifier: GPL-2.0-only */
/* A source's scan (acquire/scan.h) as the metrology core takes it (core/metrology). */
#ifndef POLYMETER_SCAN_SAMPLE_H
#define POLYMETER_SCAN_SAMPLE_H

#include "acquire/scan.h"
#include "core/metrology/metrology.h"

/* Same units; the power factor from P and S (1 with no apparent power). */
void pm_scan_to_sample(const struct pm_scan *scan, struct pm_met_sample *s);

#endif
