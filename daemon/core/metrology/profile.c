// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "core/metrology/metrology_math.h"
#include "core/metrology/profile.h"

int pm_profile_init(struct pm_profile *p, const struct pm_profile_config *cfg)
{
	if (cfg->period_ns <= 0 || cfg->max_gap_ns < 0 || cfg->nregs > PM_PROFILE_MAX_REGS)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	return 0;
}

/* The end of the interval (end - period, end] that contains t. */
static int64_t interval_end(const struct pm_profile *p, int64_t t)
{
	return pm_met_next_boundary(t - 1, p->cfg.align_ns, p->cfg.period_ns);
}

static int64_t mean(int64_t sum, uint32_t n)
{
	return n ? sum / (int64_t)n : 0;
}

static void close_interval(struct pm_profile *p, struct pm_profile_entry *out)
{
	memset(out, 0, sizeof(*out));
	out->end_ns = p->open_end_ns;
	out->status = p->open_status;
	out->samples = p->samples;
	for (uint32_t r = 0; r < p->cfg.nregs; r++) {
		out->reg[r] = p->reg[r];
		/* registers never go backwards; if the caller's did, the delta is 0, not huge */
		out->delta[r] = p->reg[r] >= p->base_reg[r] ? p->reg[r] - p->base_reg[r] : 0;
		p->base_reg[r] = p->reg[r];
	}
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		out->avg[ph].v_mv = mean(p->sum_v[ph], p->samples);
		out->avg[ph].i_ma = mean(p->sum_i[ph], p->samples);
		out->avg[ph].pf_micro = (int32_t)mean(p->sum_pf[ph], p->samples);
		out->avg[ph].f_mhz = mean(p->sum_f[ph], p->samples);
	}
	p->samples = 0;
	p->open_status = 0;
	memset(p->sum_v, 0, sizeof(p->sum_v));
	memset(p->sum_i, 0, sizeof(p->sum_i));
	memset(p->sum_pf, 0, sizeof(p->sum_pf));
	memset(p->sum_f, 0, sizeof(p->sum_f));
}

static void add_sample(struct pm_profile *p, const struct pm_profile_input *in)
{
	memcpy(p->reg, in->reg, sizeof(p->reg[0]) * p->cfg.nregs);
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		p->sum_v[ph] += in->ph[ph].v_mv;
		p->sum_i[ph] += in->ph[ph].i_ma;
		p->sum_pf[ph] += in->ph[ph].pf_micro;
		p->sum_f[ph] += in->ph[ph].f_mhz;
	}
	p->samples++;
}

bool pm_profile_update(struct pm_profile *p, int64_t t_ns, const struct pm_profile_input *in,
		       struct pm_profile_entry *out)
{
	bool closed = false, gap;

	if (!p->started) {
		p->started = true;
		p->last_ns = t_ns;
		p->open_end_ns = interval_end(p, t_ns);
		p->open_status = PM_PROFILE_PARTIAL;
		memcpy(p->base_reg, in->reg, sizeof(p->base_reg[0]) * p->cfg.nregs);
		add_sample(p, in);
		return false;
	}

	if (t_ns < p->last_ns) {
		/* closed intervals are never reopened: the sample counts in the open one */
		p->open_status |= PM_PROFILE_CLOCK_ADJUSTED;
		add_sample(p, in);
		p->last_ns = t_ns;
		return false;
	}

	gap = t_ns - p->last_ns > p->cfg.max_gap_ns;
	if (gap)
		p->open_status |= PM_PROFILE_POWER_DOWN;
	if (t_ns > p->open_end_ns) {
		close_interval(p, out);
		closed = true;
		p->open_end_ns = interval_end(p, t_ns);
		if (gap)
			p->open_status = PM_PROFILE_POWER_DOWN | PM_PROFILE_PARTIAL;
		if (p->stepped)
			p->open_status |= PM_PROFILE_CLOCK_ADJUSTED | PM_PROFILE_PARTIAL;
	}
	p->stepped = false;
	add_sample(p, in);
	p->last_ns = t_ns;
	return closed;
}

void pm_profile_mark(struct pm_profile *p, uint32_t status)
{
	p->open_status |= status;
}

void pm_profile_clock_step(struct pm_profile *p, int64_t t_ns)
{
	if (!p->started)
		return;
	p->open_status |= PM_PROFILE_CLOCK_ADJUSTED;
	p->stepped = true;
	/* the time skipped is no pause between samples */
	if (t_ns > p->last_ns)
		p->last_ns = t_ns;
}
