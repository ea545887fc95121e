/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A new counter generation (acquire/scan.h) for counters that restarted with this run: a
 * number no earlier run can have had, so that stored counters are never taken for the
 * continuation of these (which a fixed number, or the connection count, would be after a
 * restart). The driver's counter_epoch is drawn the same way at probe (docs/abi.md).
 */
#ifndef POLYMETER_GENERATION_H
#define POLYMETER_GENERATION_H

#include <stdint.h>

/* A random 64-bit number; the real-time clock in ns when the kernel has no randomness yet. */
uint64_t pm_source_new_generation(void);

#endif
