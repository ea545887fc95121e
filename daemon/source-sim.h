/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated source: a programmable three-phase grid (per phase rms V, rms I, the angle by
 * which I lags V, and the line frequency: the model of the chip emulator) that produces the
 * same scans as the meter, on an sd-event timer, with lifetime counters it integrates itself,
 * exactly (integer picojoules, remainder kept).
 *
 * Simulated clock: sim_speed simulated seconds pass per real second. Scans carry simulated
 * time stamps spaced exactly 1/sim_rate_hz apart, so a month at 10 scans/s runs in seconds
 * through the same code path (the loop catches up in bounded batches).
 */
#ifndef POLYMETER_SOURCE_SIM_H
#define POLYMETER_SOURCE_SIM_H

#include "source.h"

/* Scans produced per loop iteration at most, when the simulated clock runs ahead. */
#define PM_SIM_BATCH 1000

#endif
