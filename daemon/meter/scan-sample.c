// SPDX-License-Identifier: GPL-2.0-only
/* A scan as metrology takes it (see scan-sample.h). */
#include <string.h>

#include "meter/scan-sample.h"

void pm_scan_to_sample(const struct pm_scan *scan, struct pm_met_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->ts_ns = scan->ts_ns;
	s->generation = scan->generation;
	s->counters_origin_unknown = !scan->counters_from_zero;
	s->neutral_i_ma = scan->neutral_ma;
	for (int k = 0; k < PM_KINDS; k++)
		s->nj_per_code[k] = scan->nj_per_code[k];
	for (int n = 0; n < PM_PHASES; n++) {
		const struct pm_scan_phase *in = &scan->ph[n];
		struct pm_met_phase_sample *out = &s->ph[n];

		out->v_mv = in->v_mv;
		out->i_ma = in->i_ma;
		out->p_mw = in->p_mw;
		out->q_mvar = in->q_mvar;
		out->s_mva = in->s_mva;
		out->pf_micro = in->s_mva > 0 ? (int32_t)(in->p_mw * 1000000 / in->s_mva) : 1000000;
		out->f_mhz = in->f_mhz;
		for (int k = 0; k < PM_KINDS; k++)
			out->counter[k] = in->counter[k];
	}
}
