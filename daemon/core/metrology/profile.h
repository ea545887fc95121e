/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * profile: load profile and power-quality profile intervals (pure core; storage is the
 * caller's: this produces closed intervals, one at a time).
 *
 * Time: ns on the caller's wall clock (UTC); interval k covers (end - period, end] with ends at
 * align_ns + k x period. A sample at exactly an end belongs to the interval it ends.
 * Each entry holds, for up to PM_PROFILE_MAX_REGS registers chosen by the caller (mWh, mvarh
 * ... from metrology), the value at the last sample of the interval and the delta since the
 * previous entry (or since the first sample), so the deltas of consecutive entries always add
 * up to the registers' growth: energy counted during an outage appears in the first entry after
 * it, flagged, never lost. Power quality: mean of the samples' per-phase V, I, PF, f (sample
 * mean, samples arrive at a fixed scan rate).
 *
 * Status flags:
 *   POWER_DOWN      no sample for longer than max_gap_ns inside or at the edge of the interval
 *                   (the interval where the gap starts and the one where samples resume);
 *                   intervals entirely inside a gap produce no entry.
 *   CLOCK_ADJUSTED  time went backwards within the interval, or the caller said the clock was set.
 *   PARTIAL         the interval was not covered from its start: the first interval after
 *                   start-up, and the interval where samples resume after a gap.
 */
#ifndef POLYMETER_PROFILE_H
#define POLYMETER_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/metrology/metrology.h"

#define PM_PROFILE_MAX_REGS 10

enum pm_profile_status {
	PM_PROFILE_POWER_DOWN = 1u << 0,
	PM_PROFILE_CLOCK_ADJUSTED = 1u << 1,
	PM_PROFILE_PARTIAL = 1u << 2,
};

struct pm_profile_config {
	int64_t period_ns;  /* 15, 30 or 60 min (any positive value works) */
	int64_t align_ns;   /* interval ends at align_ns + k x period */
	int64_t max_gap_ns; /* a longer pause between samples is a power down */
	uint32_t nregs;	    /* registers recorded, <= PM_PROFILE_MAX_REGS */
};

struct pm_profile_pq {
	int64_t v_mv;
	int64_t i_ma;
	int32_t pf_micro;
	int64_t f_mhz;
};

struct pm_profile_input {
	uint64_t reg[PM_PROFILE_MAX_REGS];
	struct pm_profile_pq ph[PM_MET_PHASES];
};

struct pm_profile_entry {
	int64_t end_ns;
	uint32_t status; /* enum pm_profile_status bits */
	uint32_t samples;
	uint64_t reg[PM_PROFILE_MAX_REGS];
	uint64_t delta[PM_PROFILE_MAX_REGS];
	struct pm_profile_pq avg[PM_MET_PHASES];
};

struct pm_profile {
	struct pm_profile_config cfg;
	bool started;
	int64_t last_ns;
	int64_t open_end_ns;
	uint32_t open_status;
	uint32_t samples;
	bool stepped;				/* pm_profile_clock_step since the last sample */
	uint64_t reg[PM_PROFILE_MAX_REGS];	/* at the last sample */
	uint64_t base_reg[PM_PROFILE_MAX_REGS]; /* at the previous entry (or the first sample) */
	int64_t sum_v[PM_MET_PHASES], sum_i[PM_MET_PHASES], sum_pf[PM_MET_PHASES],
	    sum_f[PM_MET_PHASES];
};

/* -EINVAL unless period_ns > 0, max_gap_ns >= 0 and nregs <= PM_PROFILE_MAX_REGS. */
int pm_profile_init(struct pm_profile *p, const struct pm_profile_config *cfg);

/* Feeds one sample; returns true and fills *out when it closed an interval (at most one). */
bool pm_profile_update(struct pm_profile *p, int64_t t_ns, const struct pm_profile_input *in,
		       struct pm_profile_entry *out);

/* Marks the open interval (e.g. PM_PROFILE_CLOCK_ADJUSTED after the clock was set). */
void pm_profile_mark(struct pm_profile *p, uint32_t status);

/*
 * The caller's clock was set forward to @t_ns without that time passing (core/metrology/
 * wall-clock.h): the next sample, at or after @t_ns, is no power down. The open interval is
 * marked CLOCK_ADJUSTED; if that sample closes it, the interval it opens is CLOCK_ADJUSTED and
 * PARTIAL, and the intervals the clock skipped produce no entry.
 */
void pm_profile_clock_step(struct pm_profile *p, int64_t t_ns);

#endif
