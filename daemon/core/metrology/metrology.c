// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrology: lifetime counter deltas -> four-quadrant energy registers, restart handling and
 * recovery, and the power-integration cross-check. See metrology.h for units and conventions.
 */
#include <errno.h>
#include <string.h>

#include "core/metrology/metrology.h"
#include "core/metrology/metrology_math.h"

#define NJ_PER_MWH PM_MET_NJ_PER_MWH

/*
 * A signed exact energy in floor form: value = mwh * 3.6e9 nJ + rem_nj, 0 <= rem_nj < 3.6e9.
 * Magnitudes are clamped to 2^61 mWh (2.3e15 kWh) so sums of a few never overflow.
 */
struct qty {
	int64_t mwh;
	uint64_t rem_nj;
};

#define QTY_MAX_MWH ((uint64_t)1 << 61)

static bool qty_negative(struct qty q)
{
	return q.mwh < 0;
}

/* |codes| x nJ per code, exactly: the product can exceed 64 bits, so split by 1 mWh first. */
static struct qty qty_from_codes(int64_t codes, uint32_t nj_per_code)
{
	uint64_t mag = codes < 0 ? (uint64_t)0 - (uint64_t)codes : (uint64_t)codes;
	uint64_t q = mag / NJ_PER_MWH, r = mag % NJ_PER_MWH;
	/* q <= 2^63 / 3.6e9 and r < 3.6e9: both products stay below 2^64 for a 32-bit scale */
	uint64_t r_nj = r * nj_per_code;
	uint64_t mwh = q * nj_per_code + r_nj / NJ_PER_MWH;
	uint64_t rem = r_nj % NJ_PER_MWH;
	struct qty out;

	if (mwh >= QTY_MAX_MWH) {
		mwh = QTY_MAX_MWH;
		rem = 0;
	}
	if (codes >= 0 || (mwh == 0 && rem == 0)) {
		out.mwh = (int64_t)mwh;
		out.rem_nj = rem;
	} else {
		out.mwh = -(int64_t)mwh - (rem > 0);
		out.rem_nj = rem > 0 ? NJ_PER_MWH - rem : 0;
	}
	return out;
}

static struct qty qty_add(struct qty a, struct qty b)
{
	struct qty out = {a.mwh + b.mwh, a.rem_nj + b.rem_nj};

	if (out.rem_nj >= NJ_PER_MWH) {
		out.rem_nj -= NJ_PER_MWH;
		out.mwh++;
	}
	return out;
}

static void qty_magnitude(struct qty q, uint64_t *mwh, uint64_t *rem_nj)
{
	if (!qty_negative(q)) {
		*mwh = (uint64_t)q.mwh;
		*rem_nj = q.rem_nj;
	} else {
		*mwh = (uint64_t)(-q.mwh) - (q.rem_nj > 0);
		*rem_nj = q.rem_nj > 0 ? NJ_PER_MWH - q.rem_nj : 0;
	}
}

static void energy_add_qty(struct pm_met_energy *e, struct qty q)
{
	uint64_t mwh, rem;

	qty_magnitude(q, &mwh, &rem);
	e->rem_nj += rem;
	if (e->rem_nj >= NJ_PER_MWH) {
		e->rem_nj -= NJ_PER_MWH;
		mwh++;
	}
	e->mwh = e->mwh > UINT64_MAX - mwh ? UINT64_MAX : e->mwh + mwh;
}

/* Classifies one interval's net deltas into a register set (see the quadrants in the header). */
static void credit_registers(struct pm_met_energy *regs, struct qty active, struct qty reactive,
			     struct qty apparent)
{
	bool import = !qty_negative(active);
	bool reactive_pos = !qty_negative(reactive);
	enum pm_met_reg quadrant;

	if (import)
		quadrant = reactive_pos ? PM_MET_R_Q1 : PM_MET_R_Q4;
	else
		quadrant = reactive_pos ? PM_MET_R_Q2 : PM_MET_R_Q3;

	energy_add_qty(&regs[import ? PM_MET_A_IMPORT : PM_MET_A_EXPORT], active);
	energy_add_qty(&regs[quadrant], reactive);
	energy_add_qty(&regs[reactive_pos ? PM_MET_R_IMPORT : PM_MET_R_EXPORT], reactive);
	/* apparent energy cannot be negative; a negative delta can only be garbage after a restart
	 */
	if (!qty_negative(apparent))
		energy_add_qty(&regs[import ? PM_MET_S_IMPORT : PM_MET_S_EXPORT], apparent);
}

static void push_event(struct pm_met_events *events, enum pm_met_event_type type, int64_t ts_ns,
		       int phase, enum pm_met_quantity quantity, int64_t a, int64_t b)
{
	if (!events)
		return;
	if (events->count >= PM_MET_EVENTS_MAX) {
		events->dropped++;
		return;
	}
	events->ev[events->count++] = (struct pm_met_event){
	    .type = type,
	    .ts_ns = ts_ns,
	    .phase = phase,
	    .quantity = quantity,
	    .a = a,
	    .b = b,
	};
}

void pm_met_config_default(struct pm_met_config *cfg)
{
	*cfg = (struct pm_met_config){
	    .total_mode = PM_MET_TOTAL_NET,
	    .credit_from_zero = true,
	    .xcheck_window_ns = 60LL * 1000000000,
	    .xcheck_abs_uj = 36LL * 1000000, /* 36 J = 10 mWh */
	    .xcheck_rel_ppm = 5000,	     /* 0.5 % */
	    .max_gap_ns = 5LL * 1000000000,
	};
}

void pm_met_init(struct pm_met *m, const struct pm_met_config *cfg)
{
	memset(m, 0, sizeof(*m));
	if (cfg)
		m->cfg = *cfg;
	else
		pm_met_config_default(&m->cfg);
}

static bool sample_valid(const struct pm_met_sample *s)
{
	for (int k = 0; k < PM_MET_CNT_COUNT; k++)
		if (s->nj_per_code[k] == 0)
			return false;
	return true;
}

static void set_power_baseline(struct pm_met *m, const struct pm_met_sample *s)
{
	m->has_power = true;
	m->last_ts_ns = s->ts_ns;
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		m->last_p_mw[ph] = s->ph[ph].p_mw;
		m->last_q_mvar[ph] = s->ph[ph].q_mvar;
	}
}

/* Counter delta -> uJ for the cross-check (sub-uJ truncation is irrelevant there). */
static int64_t codes_to_uj(int64_t codes, uint32_t nj_per_code)
{
	return pm_met_sat_mul_i64(codes, (int64_t)nj_per_code) / 1000;
}

/* Trapezoid of two power readings over dt: mW x ns = 1e-12 J = 1e-6 uJ. */
static int64_t trapezoid_uj(int64_t p0, int64_t p1, int64_t dt_ns)
{
	int64_t sum = pm_met_sat_add_i64(p0, p1);
	int64_t dt_ms = dt_ns / 1000000, dt_rest_ns = dt_ns % 1000000;
	/* mW x ms = uJ; the sub-ms rest is < 1e6 ns so its product rarely saturates */
	int64_t twice = pm_met_sat_add_i64(pm_met_sat_mul_i64(sum, dt_ms),
					   pm_met_sat_mul_i64(sum, dt_rest_ns) / 1000000);

	return twice / 2;
}

static int64_t abs_i64(int64_t v)
{
	return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

static void xcheck_evaluate(struct pm_met *m, int64_t ts_ns, struct pm_met_events *events)
{
	struct pm_met_xcheck *x = &m->xcheck;

	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		for (int k = 0; k < 2; k++) {
			int64_t c = x->counter_uj[ph][k], i = x->integral_uj[ph][k];
			int64_t diff = abs_i64(pm_met_sat_add_i64(c, -i));
			uint64_t mag =
			    (uint64_t)(abs_i64(c) > abs_i64(i) ? abs_i64(c) : abs_i64(i));
			uint64_t bound = (uint64_t)m->cfg.xcheck_abs_uj +
					 pm_met_muldiv_u64(mag, m->cfg.xcheck_rel_ppm, 1000000);

			if ((uint64_t)diff > bound)
				push_event(events, PM_MET_EV_DIVERGENCE, ts_ns, ph,
					   k == 0 ? PM_MET_Q_ACTIVE : PM_MET_Q_REACTIVE, c, i);
		}
	}
	memset(x, 0, sizeof(*x));
}

static void xcheck_interval(struct pm_met *m, const struct pm_met_sample *s,
			    const int64_t delta[PM_MET_PHASES][PM_MET_CNT_COUNT], int64_t dt_ns,
			    struct pm_met_events *events)
{
	struct pm_met_xcheck *x = &m->xcheck;

	if (m->cfg.xcheck_window_ns <= 0)
		return;
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		int64_t ca =
		    codes_to_uj(delta[ph][PM_MET_CNT_ACTIVE], s->nj_per_code[PM_MET_CNT_ACTIVE]);
		int64_t cr = codes_to_uj(delta[ph][PM_MET_CNT_REACTIVE],
					 s->nj_per_code[PM_MET_CNT_REACTIVE]);

		x->counter_uj[ph][0] = pm_met_sat_add_i64(x->counter_uj[ph][0], ca);
		x->counter_uj[ph][1] = pm_met_sat_add_i64(x->counter_uj[ph][1], cr);
		x->integral_uj[ph][0] = pm_met_sat_add_i64(
		    x->integral_uj[ph][0], trapezoid_uj(m->last_p_mw[ph], s->ph[ph].p_mw, dt_ns));
		x->integral_uj[ph][1] =
		    pm_met_sat_add_i64(x->integral_uj[ph][1],
				       trapezoid_uj(m->last_q_mvar[ph], s->ph[ph].q_mvar, dt_ns));
	}
	x->covered_ns += dt_ns;
	if (x->covered_ns >= m->cfg.xcheck_window_ns)
		xcheck_evaluate(m, s->ts_ns, events);
}

/* The counters of @s against the baseline, by the counter-generation rule (counter-baseline.h). */
static void compare(const struct pm_met *m, const struct pm_met_sample *s,
		    struct pm_met_counter_step *step)
{
	const struct pm_met_restart_rule rule = {
	    .new_generation_from_zero = m->cfg.credit_from_zero && !s->counters_origin_unknown,
	    .backwards_from_zero = m->cfg.credit_from_zero,
	};

	pm_met_baseline_compare(&m->base, s, &rule, step);
}

/*
 * The body of pm_met_update once a baseline exists: the energy @step (compare) found is
 * credited and @s becomes the baseline. Returns true when the counters restarted (generation
 * change or an apparent counter going backwards).
 */
static bool accumulate(struct pm_met *m, const struct pm_met_sample *s,
		       const struct pm_met_counter_step *step, struct pm_met_events *events)
{
	struct qty net[PM_MET_CNT_COUNT] = {{0, 0}, {0, 0}, {0, 0}};
	bool restarted = step->run != PM_MET_RUN_CONTINUES;

	if (step->run == PM_MET_RUN_NEW_GENERATION)
		push_event(events, PM_MET_EV_COUNTER_RESTART, s->ts_ns, -1, PM_MET_Q_ACTIVE,
			   (int64_t)m->base.generation, (int64_t)s->generation);
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		if (step->backwards & (1u << ph))
			push_event(events, PM_MET_EV_COUNTER_BACKWARDS, s->ts_ns, ph,
				   PM_MET_Q_ACTIVE, m->base.counter[ph][PM_MET_CNT_APPARENT],
				   s->ph[ph].counter[PM_MET_CNT_APPARENT]);

	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		struct qty q[PM_MET_CNT_COUNT];

		for (int k = 0; k < PM_MET_CNT_COUNT; k++) {
			q[k] = qty_from_codes(step->delta[ph][k], s->nj_per_code[k]);
			net[k] = qty_add(net[k], q[k]);
		}
		credit_registers(m->regs.phase[ph], q[PM_MET_CNT_ACTIVE], q[PM_MET_CNT_REACTIVE],
				 q[PM_MET_CNT_APPARENT]);
		if (m->cfg.total_mode == PM_MET_TOTAL_PHASE_SUM)
			credit_registers(m->regs.total, q[PM_MET_CNT_ACTIVE],
					 q[PM_MET_CNT_REACTIVE], q[PM_MET_CNT_APPARENT]);
	}
	if (m->cfg.total_mode == PM_MET_TOTAL_NET)
		credit_registers(m->regs.total, net[PM_MET_CNT_ACTIVE], net[PM_MET_CNT_REACTIVE],
				 net[PM_MET_CNT_APPARENT]);

	/* Cross-check only intervals where both sides cover the same time. */
	if (m->has_power && !restarted) {
		int64_t dt = s->ts_ns - m->last_ts_ns;

		if (dt < 0)
			push_event(events, PM_MET_EV_TIME_BACKWARDS, s->ts_ns, -1, PM_MET_Q_ACTIVE,
				   m->last_ts_ns, s->ts_ns);
		else if (dt > 0 && dt <= m->cfg.max_gap_ns)
			xcheck_interval(m, s, step->delta, dt, events);
	}

	pm_met_baseline_take(&m->base, s);
	set_power_baseline(m, s);
	return restarted;
}

int pm_met_update(struct pm_met *m, const struct pm_met_sample *s, struct pm_met_events *events)
{
	struct pm_met_counter_step step;

	if (!sample_valid(s)) {
		push_event(events, PM_MET_EV_BAD_SAMPLE, s->ts_ns, -1, PM_MET_Q_ACTIVE, 0, 0);
		return -EINVAL;
	}
	if (!m->base.valid) {
		pm_met_baseline_take(&m->base, s);
		set_power_baseline(m, s);
		return 0;
	}
	compare(m, s, &step);
	accumulate(m, s, &step, events);
	return 0;
}

void pm_met_get_persist(const struct pm_met *m, struct pm_met_persist *out)
{
	memset(out, 0, sizeof(*out));
	out->regs = m->regs;
	out->has_counters = m->base.valid;
	out->generation = m->base.generation;
	memcpy(out->counter, m->base.counter, sizeof(out->counter));
}

int pm_met_restore(struct pm_met *m, const struct pm_met_persist *p, const struct pm_met_sample *s,
		   struct pm_met_events *events)
{
	struct pm_met_counter_step step;
	uint64_t import_before, export_before;
	bool restarted;

	if (m->base.valid)
		return -EBUSY;
	if (!sample_valid(s)) {
		push_event(events, PM_MET_EV_BAD_SAMPLE, s->ts_ns, -1, PM_MET_Q_ACTIVE, 0, 0);
		return -EINVAL;
	}
	m->regs = p->regs;
	if (!p->has_counters) {
		pm_met_baseline_take(&m->base, s);
		set_power_baseline(m, s);
		return 0;
	}

	/* the checkpoint's counters are the baseline: the first sample is taken over from them */
	m->base.valid = true;
	m->base.generation = p->generation;
	memcpy(m->base.counter, p->counter, sizeof(m->base.counter));
	/* no power readings exist for the downtime: the first interval is not cross-checked */
	m->has_power = false;

	compare(m, s, &step);
	if (step.run == PM_MET_RUN_NEW_GENERATION)
		push_event(events, PM_MET_EV_RESTART_UNRECOVERABLE, s->ts_ns, -1, PM_MET_Q_ACTIVE,
			   (int64_t)p->generation, (int64_t)s->generation);
	import_before = m->regs.total[PM_MET_A_IMPORT].mwh;
	export_before = m->regs.total[PM_MET_A_EXPORT].mwh;
	restarted = accumulate(m, s, &step, events);
	if (!restarted)
		push_event(events, PM_MET_EV_RESTART_RECOVERED, s->ts_ns, -1, PM_MET_Q_ACTIVE,
			   (int64_t)(m->regs.total[PM_MET_A_IMPORT].mwh - import_before),
			   (int64_t)(m->regs.total[PM_MET_A_EXPORT].mwh - export_before));
	return 0;
}

static bool energy_below(const struct pm_met_energy *a, const struct pm_met_energy *b)
{
	return a->mwh < b->mwh || (a->mwh == b->mwh && a->rem_nj < b->rem_nj);
}

int pm_met_set_registers(struct pm_met *m, const struct pm_met_registers *regs, int64_t ts_ns,
			 struct pm_met_events *events)
{
	for (int r = 0; r < PM_MET_REG_COUNT; r++) {
		bool lower = energy_below(&regs->total[r], &m->regs.total[r]) ||
			     regs->total[r].rem_nj >= NJ_PER_MWH;

		for (int ph = 0; ph < PM_MET_PHASES; ph++)
			lower = lower || energy_below(&regs->phase[ph][r], &m->regs.phase[ph][r]) ||
				regs->phase[ph][r].rem_nj >= NJ_PER_MWH;
		if (lower) {
			push_event(events, PM_MET_EV_REGISTER_RESET_REFUSED, ts_ns, -1,
				   PM_MET_Q_ACTIVE, r, 0);
			return -EPERM;
		}
	}
	m->regs = *regs;
	return 0;
}

const struct pm_met_registers *pm_met_registers(const struct pm_met *m)
{
	return &m->regs;
}
