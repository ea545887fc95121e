/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrology_instant: instantaneous and derived values of one sample (pure, no state).
 * Units as in metrology.h: mV, mA, mW, mvar, mVA, mHz, power factor in millionths.
 */
#ifndef POLYMETER_METROLOGY_INSTANT_H
#define POLYMETER_METROLOGY_INSTANT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/metrology/metrology.h"

/*
 * How the chip's voltage inputs are wired (the driver's `wiring` attribute).
 * WYE (4-wire): the three rms voltages are line-to-neutral. Line-to-line voltages are derived
 *   assuming the phasors are 120 degrees apart (the chip gives no per-scan angle):
 *   |Va - Vb| = sqrt(Va^2 + Va*Vb + Vb^2), i.e. sqrt(3) * V when balanced. An angle error of
 *   the real network shows up as an error of this derived value, not of any register.
 * DELTA (3-wire, phase B is the reference): the chip measures V_AB on input A and V_CB on
 *   input C, and computes V_A - V_C = V_AC for B. So the rms voltages are already line-to-line:
 *   V_AB = v[A], V_BC = v[C], V_CA = v[B]; no line-to-neutral voltage exists.
 */
enum pm_met_wiring {
	PM_MET_WIRING_WYE,
	PM_MET_WIRING_DELTA,
};

enum pm_met_line {
	PM_MET_LINE_AB,
	PM_MET_LINE_BC,
	PM_MET_LINE_CA,
};

struct pm_met_instant_phase {
	int64_t v_mv; /* as measured (line-to-neutral in wye, line-to-line in delta) */
	int64_t i_ma;
	int64_t p_mw;
	int64_t q_mvar;
	int64_t s_mva;
	int32_t pf_micro;
	int64_t f_mhz;
};

struct pm_met_instant {
	int64_t ts_ns;
	struct pm_met_instant_phase ph[PM_MET_PHASES];
	int64_t neutral_i_ma;
	/* totals: algebraic sums of the phases (S: arithmetic apparent power, IEEE 1459) */
	int64_t p_mw;
	int64_t q_mvar;
	int64_t s_mva;
	int32_t pf_micro; /* P / S, signed like P; 1000000 when S = 0 (no load) */
	int64_t f_mhz;	  /* mean over the phases that measure a frequency; 0 if none */
	int64_t i_avg_ma;
	bool has_line_to_neutral; /* false in delta */
	int64_t v_avg_mv;	  /* mean line-to-neutral voltage (wye), 0 in delta */
	int64_t v_ll_mv[3];	  /* indexed by enum pm_met_line */
	int64_t v_ll_avg_mv;
};

void pm_met_instant(const struct pm_met_sample *s, enum pm_met_wiring wiring,
		    struct pm_met_instant *out);

#endif
