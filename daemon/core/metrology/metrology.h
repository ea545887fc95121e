/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrology: driver samples -> billing energy registers (pure core: no I/O, no globals, no clock).
 *
 * Energy comes from the driver's lifetime accumulators (docs/abi.md §3), never from power
 * samples: every sample carries the 64-bit counters, and the registers grow by the wrap-safe
 * difference between consecutive counters, so a dropped scan or a slow daemon loses nothing.
 * Power samples are integrated only to cross-check the counters.
 *
 * Units (all integers):
 *   time            ns (int64); the metrology core wants a monotonic clock
 *   voltage         mV rms               current   mA rms
 *   power           mW, mvar, mVA        frequency mHz
 *   power factor    millionths (-1000000 .. 1000000), signed like P
 *   counter scale   nJ per code (J per code x 1e9, the 9 decimals the driver prints), <= 2^32 - 1
 *   registers       mWh, plus the exact sub-mWh remainder in nJ (1 mWh = 3 600 000 000 nJ), so a
 *                   register is exact: value = mwh + rem_nj / 3.6e9 mWh. Reactive registers are
 *                   in mvarh, apparent ones in mVAh, with the same representation.
 *
 * Sign conventions (IEC 62053-23 quadrants, consumer's view):
 *   import = the interval's active energy delta >= 0; export = < 0.
 *   Q1: import, reactive >= 0 (inductive load)    Q2: export, reactive >= 0 (capacitive)
 *   Q3: export, reactive <  0 (inductive)         Q4: import, reactive <  0 (capacitive load)
 *   +R = Q1 + Q2, -R = Q3 + Q4. Apparent energy goes to S import or S export by the sign of the
 *   same interval's active delta. An interval is the time between two samples of this core: the
 *   chip nets import and export inside one interval (its accumulators are signed), so a
 *   direction change within one scan period is netted, as in any accumulator-based meter.
 */
#ifndef POLYMETER_METROLOGY_H
#define POLYMETER_METROLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/metrology/counter-baseline.h"

#define PM_MET_NJ_PER_MWH 3600000000ULL

/* One phase of one driver scan, already in engineering units except the counters. */
struct pm_met_phase_sample {
	int64_t v_mv;	  /* rms; line-to-neutral in wye, line-to-line in delta (see instant) */
	int64_t i_ma;	  /* rms */
	int64_t p_mw;	  /* active power, negative = export */
	int64_t q_mvar;	  /* reactive power, negative = capacitive while importing */
	int64_t s_mva;	  /* apparent power */
	int32_t pf_micro; /* power factor x 1e6 as the chip reports it */
	int64_t f_mhz;	  /* line frequency measured on this phase, 0 = none */
	int64_t counter[PM_MET_CNT_COUNT]; /* lifetime counters, raw codes (s64, never wrap) */
};

struct pm_met_sample {
	int64_t ts_ns;	     /* monotonic */
	uint64_t generation; /* changes whenever the driver's counters restarted from 0 */
	/* The source cannot say where a new generation's counters started (a buffered device
	 * without counter_epoch): such a generation is only a new baseline, never credited from
	 * zero, which would count the counters' whole lifetime again. */
	bool counters_origin_unknown;
	struct pm_met_phase_sample ph[PM_MET_PHASES];
	int64_t neutral_i_ma;
	uint32_t nj_per_code[PM_MET_CNT_COUNT]; /* counter scale per kind, nJ per code */
};

/* Registers of one phase or of the total. */
enum pm_met_reg {
	PM_MET_A_IMPORT, /* +A */
	PM_MET_A_EXPORT, /* -A */
	PM_MET_R_Q1,
	PM_MET_R_Q2,
	PM_MET_R_Q3,
	PM_MET_R_Q4,
	PM_MET_R_IMPORT, /* +R = Q1 + Q2 */
	PM_MET_R_EXPORT, /* -R = Q3 + Q4 */
	PM_MET_S_IMPORT,
	PM_MET_S_EXPORT,
	PM_MET_REG_COUNT
};

struct pm_met_energy {
	uint64_t mwh;	 /* saturates at UINT64_MAX (never reached: 1.8e13 kWh) */
	uint64_t rem_nj; /* < PM_MET_NJ_PER_MWH */
};

struct pm_met_registers {
	struct pm_met_energy phase[PM_MET_PHASES][PM_MET_REG_COUNT];
	struct pm_met_energy total[PM_MET_REG_COUNT];
};

/*
 * How the total registers are formed.
 * NET (default): each interval, the signed phase deltas are summed first and the sum is
 *   classified (import/export, quadrant) - the polyphase meter's total, where one phase's
 *   export offsets another phase's import in the same interval.
 * PHASE_SUM: each total register is the sum of the same register of the three phases.
 */
enum pm_met_total_mode {
	PM_MET_TOTAL_NET,
	PM_MET_TOTAL_PHASE_SUM,
};

struct pm_met_config {
	enum pm_met_total_mode total_mode;
	/*
	 * After a counter restart (generation change, or an apparent counter going backwards) the
	 * driver's counters restarted from 0 at probe (abi.md §3), so the new counter value is
	 * credited as energy counted since the restart. false: the first value after a restart
	 * is only taken as a new baseline (use it if the source's counters do not start at 0).
	 * Either way, what the old counters counted after the last sample this core saw and
	 * before they restarted is lost (while the daemon runs: at most the scans between the
	 * last one read and the module unload; see pm_met_restore for a daemon restart).
	 * The rule for both kinds of restart is counter-baseline.h's.
	 */
	bool credit_from_zero;
	/* Cross-check of counters against integrated power (per phase, active and reactive). */
	int64_t xcheck_window_ns; /* compare when this much covered time has accumulated; 0 = off */
	int64_t xcheck_abs_uj;	  /* absolute bound on |counters - integral|, uJ */
	uint32_t xcheck_rel_ppm; /* plus this fraction of the larger magnitude, parts per million */
	int64_t max_gap_ns;	 /* intervals longer than this are not integrated (both sides) */
};

/* Sensible defaults: NET totals, credit from zero, 60 s window, 0.5 % + 36 J, 5 s gap. */
void pm_met_config_default(struct pm_met_config *cfg);

enum pm_met_event_type {
	PM_MET_EV_COUNTER_RESTART,   /* generation changed: a = old, b = new generation */
	PM_MET_EV_COUNTER_BACKWARDS, /* apparent counter went down, same generation: restart
				      * assumed; phase, a = previous, b = new counter code */
	PM_MET_EV_DIVERGENCE,	     /* phase, quantity; a = counters, b = integral, uJ */
	PM_MET_EV_TIME_BACKWARDS,    /* a = previous ts, b = sample ts; interval not integrated */
	PM_MET_EV_RESTART_RECOVERED, /* daemon restart, same generation: a = mWh credited to
				      * total +A, b = to total -A (the chip's count while down) */
	PM_MET_EV_RESTART_UNRECOVERABLE,  /* daemon restart across a generation change: the energy
					   * between the last checkpoint and the driver's counter
					   * restart is lost; a = persisted, b = new generation */
	PM_MET_EV_REGISTER_RESET_REFUSED, /* an attempt to lower a register was refused */
	PM_MET_EV_BAD_SAMPLE,		  /* sample refused (zero or too large scale) */
};

enum pm_met_quantity {
	PM_MET_Q_ACTIVE,
	PM_MET_Q_REACTIVE,
};

struct pm_met_event {
	enum pm_met_event_type type;
	int64_t ts_ns;
	int phase; /* 0..2, or -1 for the meter as a whole */
	enum pm_met_quantity quantity;
	int64_t a, b;
};

#define PM_MET_EVENTS_MAX 16

/* Events produced by one call; the caller drains them. Overflow is counted, not silent. */
struct pm_met_events {
	struct pm_met_event ev[PM_MET_EVENTS_MAX];
	size_t count;
	size_t dropped;
};

/* What a checkpoint must store, as one consistent pair of registers and counters. */
struct pm_met_persist {
	struct pm_met_registers regs;
	bool has_counters;
	uint64_t generation;
	int64_t counter[PM_MET_PHASES][PM_MET_CNT_COUNT];
};

struct pm_met_xcheck {
	int64_t covered_ns;
	int64_t counter_uj[PM_MET_PHASES][2];  /* active, reactive */
	int64_t integral_uj[PM_MET_PHASES][2]; /* active, reactive */
};

struct pm_met {
	struct pm_met_config cfg;
	struct pm_met_registers regs;
	struct pm_met_baseline base; /* the counters the next sample's are taken over from */
	bool has_power;
	int64_t last_ts_ns;
	int64_t last_p_mw[PM_MET_PHASES];
	int64_t last_q_mvar[PM_MET_PHASES];
	struct pm_met_xcheck xcheck;
};

void pm_met_init(struct pm_met *m, const struct pm_met_config *cfg);

/*
 * Feeds one sample. Registers grow by the counters' deltas since the previous sample; the first
 * sample only sets the baseline. Returns 0, or -EINVAL for a sample whose scale is 0 or above
 * 2^32 - 1 nJ (nothing changes, PM_MET_EV_BAD_SAMPLE). events may be NULL.
 */
int pm_met_update(struct pm_met *m, const struct pm_met_sample *s, struct pm_met_events *events);

/* Registers and counters for a checkpoint (consistent with each other). */
void pm_met_get_persist(const struct pm_met *m, struct pm_met_persist *out);

/*
 * Daemon restart: loads the checkpoint and credits what the chip counted while the daemon was
 * down, from the first sample after the restart.
 * - Same generation: the counters' delta since the checkpoint is credited in full (an
 *   interval spanning the downtime, classified by the signs of its net deltas).
 *   PM_MET_EV_RESTART_RECOVERED.
 * - Generation changed (module reloaded / device re-probed while down): what the old counters
 *   counted after the checkpoint is unrecoverable; with credit_from_zero the new counters'
 *   value (energy since the re-probe) is credited. PM_MET_EV_RESTART_UNRECOVERABLE.
 * - No counters in the checkpoint: registers loaded, the sample is the new baseline.
 * Must be called on a freshly initialised pm_met (before any pm_met_update); returns -EBUSY
 * otherwise, -EINVAL for a bad sample.
 */
int pm_met_restore(struct pm_met *m, const struct pm_met_persist *p, const struct pm_met_sample *s,
		   struct pm_met_events *events);

/*
 * Replaces the registers (e.g. registers read back from the store, or set by a management
 * command). Registers only ever increase: if any new register is below the current one, nothing
 * changes, PM_MET_EV_REGISTER_RESET_REFUSED is raised and -EPERM returned.
 */
int pm_met_set_registers(struct pm_met *m, const struct pm_met_registers *regs, int64_t ts_ns,
			 struct pm_met_events *events);

const struct pm_met_registers *pm_met_registers(const struct pm_met *m);

#endif
