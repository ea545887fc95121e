// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "core/metrology/metrology_instant.h"
#include "core/metrology/metrology_math.h"

/* Line-to-line from two line-to-neutral magnitudes 120 degrees apart (law of cosines). */
static int64_t line_to_line_wye(int64_t va_mv, int64_t vb_mv)
{
	uint64_t a = (uint64_t)(va_mv < 0 ? 0 : va_mv);
	uint64_t b = (uint64_t)(vb_mv < 0 ? 0 : vb_mv);

	/* a, b < 2^31 mV (2 000 kV) keeps the sum of squares below 2^64 */
	if (a > INT32_MAX)
		a = INT32_MAX;
	if (b > INT32_MAX)
		b = INT32_MAX;
	return (int64_t)pm_met_isqrt_round(a * a + a * b + b * b);
}

/* round(num / den) for den > 0 */
static int64_t div_round(int64_t num, int64_t den)
{
	return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

void pm_met_instant(const struct pm_met_sample *s, enum pm_met_wiring wiring,
		    struct pm_met_instant *out)
{
	int64_t f_sum = 0, f_n = 0, i_sum = 0, v_sum = 0;

	memset(out, 0, sizeof(*out));
	out->ts_ns = s->ts_ns;
	out->neutral_i_ma = s->neutral_i_ma;
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		const struct pm_met_phase_sample *in = &s->ph[ph];

		out->ph[ph] = (struct pm_met_instant_phase){
		    .v_mv = in->v_mv,
		    .i_ma = in->i_ma,
		    .p_mw = in->p_mw,
		    .q_mvar = in->q_mvar,
		    .s_mva = in->s_mva,
		    .pf_micro = in->pf_micro,
		    .f_mhz = in->f_mhz,
		};
		out->p_mw += in->p_mw;
		out->q_mvar += in->q_mvar;
		out->s_mva += in->s_mva;
		i_sum += in->i_ma;
		v_sum += in->v_mv;
		if (in->f_mhz > 0) {
			f_sum += in->f_mhz;
			f_n++;
		}
	}
	out->f_mhz = f_n ? div_round(f_sum, f_n) : 0;
	out->i_avg_ma = div_round(i_sum, PM_MET_PHASES);
	if (out->s_mva > 0) {
		int64_t pf = div_round(pm_met_sat_mul_i64(out->p_mw, 1000000), out->s_mva);

		/* |P| > S can only come from rounding in the chip: clamp to the physical range */
		if (pf > 1000000)
			pf = 1000000;
		if (pf < -1000000)
			pf = -1000000;
		out->pf_micro = (int32_t)pf;
	} else {
		out->pf_micro = 1000000;
	}

	if (wiring == PM_MET_WIRING_WYE) {
		out->has_line_to_neutral = true;
		out->v_avg_mv = div_round(v_sum, PM_MET_PHASES);
		out->v_ll_mv[PM_MET_LINE_AB] = line_to_line_wye(s->ph[0].v_mv, s->ph[1].v_mv);
		out->v_ll_mv[PM_MET_LINE_BC] = line_to_line_wye(s->ph[1].v_mv, s->ph[2].v_mv);
		out->v_ll_mv[PM_MET_LINE_CA] = line_to_line_wye(s->ph[2].v_mv, s->ph[0].v_mv);
	} else {
		out->v_ll_mv[PM_MET_LINE_AB] = s->ph[0].v_mv;
		out->v_ll_mv[PM_MET_LINE_BC] = s->ph[2].v_mv;
		out->v_ll_mv[PM_MET_LINE_CA] = s->ph[1].v_mv;
	}
	out->v_ll_avg_mv = div_round(out->v_ll_mv[0] + out->v_ll_mv[1] + out->v_ll_mv[2], 3);
}
