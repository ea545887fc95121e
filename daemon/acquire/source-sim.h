/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated source: a programmable three-phase grid (per phase rms V, rms I, the angle by
 * which I lags V, and the line frequency: the model of the chip emulator) that produces the
 * same scans as the meter, on an sd-event timer, with lifetime counters it integrates itself,
 * exactly (integer picojoules, remainder kept).
 *
 * Paced: sim_speed simulated seconds pass per real second. Scans carry simulated time stamps
 * spaced exactly 1/sim_rate_hz apart (the loop catches up in bounded batches); the pipeline
 * runs on the wall clock.
 *
 * Simulated clock (sim_start, optionally sim_end): the scans' time stamps are simulated UTC
 * from sim_start, produced as fast as the CPU allows, and the manager runs the whole pipeline
 * (checkpoints, load profile, maximum demand, events) on them, so a month of operation runs in
 * seconds through the same code path. The first scan (the baseline) is at sim_start + one
 * period; the last is the first one at or past sim_end + one period, after which the source is
 * finished.
 */
#ifndef POLYMETER_SOURCE_SIM_H
#define POLYMETER_SOURCE_SIM_H

#include "acquire/source.h"

/* Scans produced per loop iteration at most, when the simulated clock runs ahead. */
#define PM_SIM_BATCH 1000

#endif
