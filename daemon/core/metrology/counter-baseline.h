/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The counter-generation rule (pure core): how the lifetime energy counters of a sample are
 * taken over from the counters seen before it, after a scan, a reconnection or a restart of
 * the daemon. Written once here; metrology's registers (metrology.c, pm_met_restore included)
 * and the daemon's energy counted since its start (meter/counted-energy.c) both follow it.
 *
 * A generation names one run of a device's counters (the driver's counter_epoch, docs/abi.md
 * §3): differences of counters are energy only within one generation. Against the baseline
 * (the generation and counters last taken) a sample is one of:
 *
 *   FIRST           no baseline yet: the sample becomes it, nothing is energy (the counters
 *                   hold what the chip counted before anyone looked).
 *   CONTINUES       same generation: the wrap-safe difference (two's complement, right across
 *                   a wrap) of every counter is the energy of the interval; active and
 *                   reactive may be negative (export), apparent is not.
 *   NEW_GENERATION  the generation changed: the counters restarted (driver re-probed, device
 *                   reconnected, module reloaded). What the old ones counted after the
 *                   baseline is out of reach. If the new ones started at zero their value is
 *                   the energy since the restart (credited, so nothing is lost and nothing
 *                   counted twice); else they are only the new baseline.
 *   BACKWARDS       same generation and yet an apparent counter went down (its wrap-safe
 *                   difference is negative): the counters restarted unannounced. Active and
 *                   reactive going down is export; apparent energy never decreases.
 *
 * Whether restarted counters started at zero is the caller's knowledge (struct
 * pm_met_restart_rule): the source says it per generation, metrology has it in its
 * configuration.
 */
#ifndef POLYMETER_COUNTER_BASELINE_H
#define POLYMETER_COUNTER_BASELINE_H

#include <stdbool.h>
#include <stdint.h>

#define PM_MET_PHASES 3

/* Which lifetime counter of a phase (index into pm_met_phase_sample.counter). */
enum pm_met_counter {
	PM_MET_CNT_ACTIVE,
	PM_MET_CNT_REACTIVE,
	PM_MET_CNT_APPARENT,
	PM_MET_CNT_COUNT
};

struct pm_met_sample;

/* The counters a sample is compared with: one generation's counters, as last taken. */
struct pm_met_baseline {
	bool valid; /* false: nothing taken yet */
	uint64_t generation;
	int64_t counter[PM_MET_PHASES][PM_MET_CNT_COUNT];
};

enum pm_met_counter_run {
	PM_MET_RUN_FIRST,
	PM_MET_RUN_CONTINUES,
	PM_MET_RUN_NEW_GENERATION,
	PM_MET_RUN_BACKWARDS,
};

/* What the caller knows of counters that restarted. */
struct pm_met_restart_rule {
	bool new_generation_from_zero; /* a new generation's counters started at zero */
	bool backwards_from_zero;      /* counters that restarted unannounced started at zero */
};

/* One sample against the baseline. */
struct pm_met_counter_step {
	enum pm_met_counter_run run;
	unsigned backwards; /* BACKWARDS: bit n set when phase n's apparent counter went down */
	bool credit;	    /* delta is energy; false: nothing to credit, delta is all 0 */
	int64_t delta[PM_MET_PHASES][PM_MET_CNT_COUNT]; /* counter codes */
};

/* Compares @s with @base under @rule; @base is not changed (pm_met_baseline_take moves it). */
void pm_met_baseline_compare(const struct pm_met_baseline *base, const struct pm_met_sample *s,
			     const struct pm_met_restart_rule *rule,
			     struct pm_met_counter_step *out);

/* @s's generation and counters become the baseline. */
void pm_met_baseline_take(struct pm_met_baseline *base, const struct pm_met_sample *s);

/* Number of phases in a step's backwards mask. */
unsigned pm_met_backwards_phases(const struct pm_met_counter_step *step);

#endif
