// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the metrology core: registers from lifetime-counter deltas, quadrants, counter
 * restarts, restart recovery, the counter-generation rule (counter-baseline.h), the power
 * cross-check and the instantaneous values.
 * Longer than 800 lines because a test file covers one unit (tests/unit has one file a unit)
 * and each of this unit's rules has its own short test.
 *
 * Unless a test says otherwise the counter scale is 1 mJ per code (1 000 000 nJ), so
 * 3600 codes = 3.6 J = 1 mWh.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/metrology/metrology.h"
#include "core/metrology/metrology_instant.h"
#include "core/metrology/metrology_math.h"

#define MS 1000000LL
#define S_NS 1000000000LL

static struct pm_met_sample sample(int64_t ts_ns, uint64_t generation)
{
	struct pm_met_sample s = {.ts_ns = ts_ns, .generation = generation};

	for (int k = 0; k < PM_MET_CNT_COUNT; k++)
		s.nj_per_code[k] = 1000000;
	return s;
}

static void set_counters(struct pm_met_sample *s, int ph, int64_t active, int64_t reactive,
			 int64_t apparent)
{
	s->ph[ph].counter[PM_MET_CNT_ACTIVE] = active;
	s->ph[ph].counter[PM_MET_CNT_REACTIVE] = reactive;
	s->ph[ph].counter[PM_MET_CNT_APPARENT] = apparent;
}

static uint64_t total(const struct pm_met *m, enum pm_met_reg r)
{
	return pm_met_registers(m)->total[r].mwh;
}

static uint64_t phase(const struct pm_met *m, int ph, enum pm_met_reg r)
{
	return pm_met_registers(m)->phase[ph][r].mwh;
}

static const struct pm_met_event *find_event(const struct pm_met_events *ev,
					     enum pm_met_event_type type)
{
	for (size_t i = 0; i < ev->count; i++)
		if (ev->ev[i].type == type)
			return &ev->ev[i];
	return NULL;
}

/* Feeds phase A one interval of (dA, dR, dS) codes from a zero baseline. */
static void one_interval_phase_a(struct pm_met *m, int64_t da, int64_t dr, int64_t ds)
{
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 1);

	set_counters(&s0, 0, 1000, 1000, 1000);
	set_counters(&s1, 0, 1000 + da, 1000 + dr, 1000 + ds);
	ck_assert_int_eq(pm_met_update(m, &s0, NULL), 0);
	ck_assert_int_eq(pm_met_update(m, &s1, NULL), 0);
}

START_TEST(test_first_sample_is_baseline)
{
	struct pm_met m;
	struct pm_met_sample s = sample(0, 1);

	/* counters that already hold energy from before the daemon: not credited */
	pm_met_init(&m, NULL);
	set_counters(&s, 0, 360000, 360000, 360000);
	ck_assert_int_eq(pm_met_update(&m, &s, NULL), 0);
	for (int r = 0; r < PM_MET_REG_COUNT; r++)
		ck_assert_uint_eq(total(&m, r), 0);
}
END_TEST

START_TEST(test_q1_import_inductive)
{
	struct pm_met m;

	/* active 1000 -> 4600 = 3600 codes = 1 mWh; reactive +7200 = 2 mvarh; apparent
	 * +10800 = 3 mVAh. P > 0, Q > 0: Q1, +R. */
	pm_met_init(&m, NULL);
	one_interval_phase_a(&m, 3600, 7200, 10800);
	ck_assert_uint_eq(phase(&m, 0, PM_MET_A_IMPORT), 1);
	ck_assert_uint_eq(phase(&m, 0, PM_MET_A_EXPORT), 0);
	ck_assert_uint_eq(phase(&m, 0, PM_MET_R_Q1), 2);
	ck_assert_uint_eq(phase(&m, 0, PM_MET_R_Q4), 0);
	ck_assert_uint_eq(phase(&m, 0, PM_MET_R_IMPORT), 2);
	ck_assert_uint_eq(phase(&m, 0, PM_MET_R_EXPORT), 0);
	ck_assert_uint_eq(phase(&m, 0, PM_MET_S_IMPORT), 3);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 1);
	ck_assert_uint_eq(total(&m, PM_MET_R_Q1), 2);
	ck_assert_uint_eq(total(&m, PM_MET_S_IMPORT), 3);
}
END_TEST

START_TEST(test_q4_import_capacitive)
{
	struct pm_met m;

	/* active +3600 = 1 mWh import; reactive -3600 = 1 mvarh export: Q4, -R */
	pm_met_init(&m, NULL);
	one_interval_phase_a(&m, 3600, -3600, 7200);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 1);
	ck_assert_uint_eq(total(&m, PM_MET_R_Q4), 1);
	ck_assert_uint_eq(total(&m, PM_MET_R_Q1), 0);
	ck_assert_uint_eq(total(&m, PM_MET_R_EXPORT), 1);
	ck_assert_uint_eq(total(&m, PM_MET_R_IMPORT), 0);
	ck_assert_uint_eq(total(&m, PM_MET_S_IMPORT), 2);
}
END_TEST

START_TEST(test_q2_export_capacitive)
{
	struct pm_met m;

	/* active -3600 = 1 mWh export; reactive +3600 = 1 mvarh: Q2, +R; apparent to export */
	pm_met_init(&m, NULL);
	one_interval_phase_a(&m, -3600, 3600, 7200);
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 1);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 0);
	ck_assert_uint_eq(total(&m, PM_MET_R_Q2), 1);
	ck_assert_uint_eq(total(&m, PM_MET_R_IMPORT), 1);
	ck_assert_uint_eq(total(&m, PM_MET_S_EXPORT), 2);
	ck_assert_uint_eq(total(&m, PM_MET_S_IMPORT), 0);
}
END_TEST

START_TEST(test_q3_export_inductive)
{
	struct pm_met m;

	/* active -7200 = 2 mWh export; reactive -3600 = 1 mvarh: Q3, -R */
	pm_met_init(&m, NULL);
	one_interval_phase_a(&m, -7200, -3600, 10800);
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 2);
	ck_assert_uint_eq(total(&m, PM_MET_R_Q3), 1);
	ck_assert_uint_eq(total(&m, PM_MET_R_EXPORT), 1);
	ck_assert_uint_eq(total(&m, PM_MET_R_Q1) + total(&m, PM_MET_R_Q2) + total(&m, PM_MET_R_Q4),
			  0);
	ck_assert_uint_eq(total(&m, PM_MET_S_EXPORT), 3);
}
END_TEST

/* A: +10800 (3 mWh import), B: +3600 (1 mWh import), C: -7200 (2 mWh export), all with
 * reactive +3600 (1 mvarh) and apparent +14400 (4 mVAh). */
static void mixed_phases(struct pm_met *m)
{
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 1);

	set_counters(&s1, 0, 10800, 3600, 14400);
	set_counters(&s1, 1, 3600, 3600, 14400);
	set_counters(&s1, 2, -7200, 3600, 14400);
	pm_met_update(m, &s0, NULL);
	pm_met_update(m, &s1, NULL);
}

START_TEST(test_mixed_phases_net_total)
{
	struct pm_met m;

	/* phases: A +A 3, Q1 1; B +A 1, Q1 1; C -A 2, Q2 1.
	 * NET total: 3 + 1 - 2 = +2 mWh import, reactive 3 mvarh in Q1, apparent 12 mVAh import */
	pm_met_init(&m, NULL);
	mixed_phases(&m);
	ck_assert_uint_eq(phase(&m, 0, PM_MET_A_IMPORT), 3);
	ck_assert_uint_eq(phase(&m, 1, PM_MET_A_IMPORT), 1);
	ck_assert_uint_eq(phase(&m, 2, PM_MET_A_EXPORT), 2);
	ck_assert_uint_eq(phase(&m, 2, PM_MET_R_Q2), 1);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 2);
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 0);
	ck_assert_uint_eq(total(&m, PM_MET_R_Q1), 3);
	ck_assert_uint_eq(total(&m, PM_MET_S_IMPORT), 12);
}
END_TEST

START_TEST(test_mixed_phases_phase_sum_total)
{
	struct pm_met m;
	struct pm_met_config cfg;

	/* PHASE_SUM: +A = 3 + 1 = 4, -A = 2, Q1 = 1 + 1 = 2, Q2 = 1, S import = 4 + 4 = 8,
	 * S export = 4: every total register is the sum of the phase registers */
	pm_met_config_default(&cfg);
	cfg.total_mode = PM_MET_TOTAL_PHASE_SUM;
	pm_met_init(&m, &cfg);
	mixed_phases(&m);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 4);
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 2);
	ck_assert_uint_eq(total(&m, PM_MET_R_Q1), 2);
	ck_assert_uint_eq(total(&m, PM_MET_R_Q2), 1);
	ck_assert_uint_eq(total(&m, PM_MET_S_IMPORT), 8);
	ck_assert_uint_eq(total(&m, PM_MET_S_EXPORT), 4);
	for (int r = 0; r < PM_MET_REG_COUNT; r++)
		ck_assert_uint_eq(total(&m, r),
				  phase(&m, 0, r) + phase(&m, 1, r) + phase(&m, 2, r));
}
END_TEST

START_TEST(test_sub_mwh_remainder_kept)
{
	struct pm_met m;
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 1), s2 = sample(200 * MS, 1);

	/* 1800 codes = 1.8 J = 0.5 mWh: 0 mWh + 1.8e9 nJ; twice: exactly 1 mWh, remainder 0 */
	pm_met_init(&m, NULL);
	set_counters(&s1, 0, 1800, 0, 1800);
	set_counters(&s2, 0, 3600, 0, 3600);
	pm_met_update(&m, &s0, NULL);
	pm_met_update(&m, &s1, NULL);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 0);
	ck_assert_uint_eq(pm_met_registers(&m)->total[PM_MET_A_IMPORT].rem_nj, 1800000000ULL);
	pm_met_update(&m, &s2, NULL);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 1);
	ck_assert_uint_eq(pm_met_registers(&m)->total[PM_MET_A_IMPORT].rem_nj, 0);
}
END_TEST

START_TEST(test_counter_wrap_is_a_small_delta)
{
	struct pm_met m;
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 1);

	/* (INT64_MIN + 1800) - (INT64_MAX - 1799) mod 2^64 = -2^64 + 1 + 3599 = 3600 codes = 1 mWh
	 */
	pm_met_init(&m, NULL);
	set_counters(&s0, 0, INT64_MAX - 1799, 0, 0);
	set_counters(&s1, 0, INT64_MIN + 1800, 0, 3600);
	pm_met_update(&m, &s0, NULL);
	pm_met_update(&m, &s1, NULL);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 1);
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 0);
}
END_TEST

START_TEST(test_generation_change_credits_from_zero)
{
	struct pm_met m;
	struct pm_met_events ev = {0};
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 2);
	const struct pm_met_event *e;

	/* old counters at 360000 (100 mWh); the module reloaded and its new counters count
	 * 7200 codes since probe: credited 2 mWh, the 100 mWh baseline is not subtracted */
	pm_met_init(&m, NULL);
	set_counters(&s0, 0, 360000, 0, 360000);
	set_counters(&s1, 0, 7200, 0, 7200);
	pm_met_update(&m, &s0, NULL);
	pm_met_update(&m, &s1, &ev);
	e = find_event(&ev, PM_MET_EV_COUNTER_RESTART);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->a, 1);
	ck_assert_int_eq(e->b, 2);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 2);
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 0);
}
END_TEST

START_TEST(test_generation_change_rebaseline)
{
	struct pm_met m;
	struct pm_met_config cfg;
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 2), s2 = sample(200 * MS, 2);

	/* credit_from_zero off: 7200 after the restart is only a baseline; 7200 -> 10800 = 1 mWh */
	pm_met_config_default(&cfg);
	cfg.credit_from_zero = false;
	pm_met_init(&m, &cfg);
	set_counters(&s0, 0, 360000, 0, 360000);
	set_counters(&s1, 0, 7200, 0, 7200);
	set_counters(&s2, 0, 10800, 0, 10800);
	pm_met_update(&m, &s0, NULL);
	pm_met_update(&m, &s1, NULL);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 0);
	pm_met_update(&m, &s2, NULL);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 1);
}
END_TEST

START_TEST(test_generation_change_origin_unknown)
{
	struct pm_met m;
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 2), s2 = sample(200 * MS, 2);

	/* The source cannot say where generation 2 started (no counter_epoch): its 7200 codes
	 * are a lifetime value, not 2 mWh since the restart, so they are only a baseline even
	 * with credit_from_zero on; 7200 -> 10800 = 3600 codes = 1 mWh. */
	pm_met_init(&m, NULL);
	set_counters(&s0, 0, 360000, 0, 360000);
	set_counters(&s1, 0, 7200, 0, 7200);
	set_counters(&s2, 0, 10800, 0, 10800);
	s1.counters_origin_unknown = true;
	s2.counters_origin_unknown = true;
	pm_met_update(&m, &s0, NULL);
	pm_met_update(&m, &s1, NULL);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 0);
	pm_met_update(&m, &s2, NULL);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 1);
}
END_TEST

START_TEST(test_counter_backwards_same_generation)
{
	struct pm_met m;
	struct pm_met_events ev = {0};
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 1);
	const struct pm_met_event *e;

	/* apparent 36000 -> 3600 with the same generation: a restart nobody told us about.
	 * Active 36000 -> 3600 is NOT 32400 codes of export: credited from zero, +A 1 mWh. */
	pm_met_init(&m, NULL);
	set_counters(&s0, 0, 36000, 0, 36000);
	set_counters(&s1, 0, 3600, 0, 3600);
	pm_met_update(&m, &s0, NULL);
	pm_met_update(&m, &s1, &ev);
	e = find_event(&ev, PM_MET_EV_COUNTER_BACKWARDS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->phase, 0);
	ck_assert_int_eq(e->a, 36000);
	ck_assert_int_eq(e->b, 3600);
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 0);
	ck_assert_uint_eq(phase(&m, 0, PM_MET_A_EXPORT), 0);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 1);
}
END_TEST

START_TEST(test_export_is_not_a_restart)
{
	struct pm_met m;
	struct pm_met_events ev = {0};
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 1);

	/* the active counter going down while apparent grows is export, not a restart */
	pm_met_init(&m, NULL);
	set_counters(&s0, 0, 36000, 0, 36000);
	set_counters(&s1, 0, 32400, 0, 39600);
	pm_met_update(&m, &s0, NULL);
	pm_met_update(&m, &s1, &ev);
	ck_assert_ptr_null(find_event(&ev, PM_MET_EV_COUNTER_BACKWARDS));
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 1);
	ck_assert_uint_eq(total(&m, PM_MET_S_EXPORT), 1);
}
END_TEST

START_TEST(test_huge_delta_exact)
{
	struct pm_met m;
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 1);

	/* 3.6e15 codes at 4 J (4e9 nJ) per code = 1.44e25 nJ, far beyond 64 bits;
	 * / 3.6e9 nJ per mWh = 4e15 mWh exactly, remainder 0 */
	pm_met_init(&m, NULL);
	s1.nj_per_code[PM_MET_CNT_ACTIVE] = 4000000000u;
	set_counters(&s1, 0, 3600000000000000LL, 0, 3600000000000000LL);
	pm_met_update(&m, &s0, NULL);
	pm_met_update(&m, &s1, NULL);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 4000000000000000ULL);
	ck_assert_uint_eq(pm_met_registers(&m)->total[PM_MET_A_IMPORT].rem_nj, 0);
	/* apparent at 1 mJ/code: 3.6e15 / 3600 = 1e12 mVAh */
	ck_assert_uint_eq(total(&m, PM_MET_S_IMPORT), 1000000000000ULL);
}
END_TEST

START_TEST(test_registers_never_decrease)
{
	struct pm_met m;
	struct pm_met_registers before;

	/* alternating import and export: every register stays >= its previous value */
	pm_met_init(&m, NULL);
	for (int i = 0; i < 20; i++) {
		struct pm_met_sample s = sample(i * 100 * MS, 1);
		int64_t active = (i % 2) ? 3600 * i : -3600 * i;

		set_counters(&s, 0, active, -active, 3600 * i * i);
		before = *pm_met_registers(&m);
		pm_met_update(&m, &s, NULL);
		for (int r = 0; r < PM_MET_REG_COUNT; r++)
			ck_assert_uint_ge(total(&m, r), before.total[r].mwh);
	}
}
END_TEST

static struct pm_met_config xcheck_config(void)
{
	struct pm_met_config cfg;

	pm_met_config_default(&cfg);
	cfg.xcheck_window_ns = 1 * S_NS;
	cfg.xcheck_abs_uj = 1000;  /* 1 mJ */
	cfg.xcheck_rel_ppm = 1000; /* 0.1 % */
	cfg.max_gap_ns = 5 * S_NS;
	return cfg;
}

/* 11 samples 100 ms apart (10 intervals = 1 s), phase A counter +3600 codes (3.6 J) each. */
static void run_xcheck(struct pm_met *m, int64_t p_mw, struct pm_met_events *ev)
{
	for (int i = 0; i <= 10; i++) {
		struct pm_met_sample s = sample(i * 100 * MS, 1);

		set_counters(&s, 0, 3600 * i, 0, 3600 * i);
		s.ph[0].p_mw = p_mw;
		pm_met_update(m, &s, ev);
	}
}

START_TEST(test_xcheck_agrees)
{
	struct pm_met m;
	struct pm_met_config cfg = xcheck_config();
	struct pm_met_events ev = {0};

	/* 36 W x 0.1 s = 3.6 J per interval = the counter's 3600 codes x 1 mJ: no event */
	pm_met_init(&m, &cfg);
	run_xcheck(&m, 36000, &ev);
	ck_assert_ptr_null(find_event(&ev, PM_MET_EV_DIVERGENCE));
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 10);
}
END_TEST

START_TEST(test_xcheck_diverges)
{
	struct pm_met m;
	struct pm_met_config cfg = xcheck_config();
	struct pm_met_events ev = {0};
	const struct pm_met_event *e;

	/* power says 40 W: 40 J over 1 s; counters 10 x 3.6 J = 36 J. |36e6 - 40e6| = 4e6 uJ >
	 * 1000 uJ + 0.1 % x 40e6 uJ = 41000 uJ: one event, phase A, active, a = 36e6, b = 40e6.
	 * Registers still come from the counters: 10 mWh. */
	pm_met_init(&m, &cfg);
	run_xcheck(&m, 40000, &ev);
	e = find_event(&ev, PM_MET_EV_DIVERGENCE);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->phase, 0);
	ck_assert_int_eq(e->quantity, PM_MET_Q_ACTIVE);
	ck_assert_int_eq(e->a, 36000000);
	ck_assert_int_eq(e->b, 40000000);
	ck_assert_int_eq(e->ts_ns, 1 * S_NS);
	ck_assert_uint_eq(ev.count, 1);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 10);
}
END_TEST

START_TEST(test_xcheck_within_relative_bound)
{
	struct pm_met m;
	struct pm_met_config cfg = xcheck_config();
	struct pm_met_events ev = {0};

	/* 36.03 W: 36.03 J vs 36 J, diff 30000 uJ <= 1000 + 0.1 % x 36.03e6 = 37030 uJ: no event */
	pm_met_init(&m, &cfg);
	run_xcheck(&m, 36030, &ev);
	ck_assert_ptr_null(find_event(&ev, PM_MET_EV_DIVERGENCE));
}
END_TEST

START_TEST(test_xcheck_skips_gaps)
{
	struct pm_met m;
	struct pm_met_config cfg = xcheck_config();
	struct pm_met_events ev = {0};
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(10 * S_NS, 1);

	/* a 10 s interval (> 5 s max gap) with a power reading that disagrees wildly: not
	 * integrated, so no divergence; the counters' 36000 codes = 10 mWh are credited */
	pm_met_init(&m, &cfg);
	s0.ph[0].p_mw = 1000000;
	s1.ph[0].p_mw = 1000000;
	set_counters(&s1, 0, 36000, 0, 36000);
	pm_met_update(&m, &s0, &ev);
	pm_met_update(&m, &s1, &ev);
	ck_assert_uint_eq(ev.count, 0);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 10);
}
END_TEST

START_TEST(test_time_backwards_event)
{
	struct pm_met m;
	struct pm_met_events ev = {0};
	struct pm_met_sample s0 = sample(5 * S_NS, 1), s1 = sample(4 * S_NS, 1);

	/* the clock went back: event, and the counters' 3600 codes are still credited */
	pm_met_init(&m, NULL);
	set_counters(&s1, 0, 3600, 0, 3600);
	pm_met_update(&m, &s0, &ev);
	pm_met_update(&m, &s1, &ev);
	ck_assert_ptr_nonnull(find_event(&ev, PM_MET_EV_TIME_BACKWARDS));
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 1);
}
END_TEST

/* A meter that counted 3600 codes (1 mWh) and was checkpointed at counter 3600, generation 7. */
static void checkpointed(struct pm_met_persist *p)
{
	struct pm_met m;
	struct pm_met_sample s0 = sample(0, 7), s1 = sample(100 * MS, 7);

	pm_met_init(&m, NULL);
	set_counters(&s1, 0, 3600, 0, 3600);
	pm_met_update(&m, &s0, NULL);
	pm_met_update(&m, &s1, NULL);
	pm_met_get_persist(&m, p);
}

START_TEST(test_restart_recovery_same_generation)
{
	struct pm_met_persist p;
	struct pm_met m;
	struct pm_met_events ev = {0};
	struct pm_met_sample first = sample(3600 * S_NS, 7);
	const struct pm_met_event *e;

	/* the daemon was down while the chip counted 36000 codes (10 mWh): 3600 -> 39600.
	 * +A = 1 (checkpoint) + 10 (recovered) = 11 mWh */
	checkpointed(&p);
	ck_assert(p.has_counters);
	ck_assert_int_eq(p.counter[0][PM_MET_CNT_ACTIVE], 3600);
	pm_met_init(&m, NULL);
	set_counters(&first, 0, 39600, 0, 39600);
	ck_assert_int_eq(pm_met_restore(&m, &p, &first, &ev), 0);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 11);
	e = find_event(&ev, PM_MET_EV_RESTART_RECOVERED);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->a, 10);
	ck_assert_int_eq(e->b, 0);
	ck_assert_ptr_null(find_event(&ev, PM_MET_EV_RESTART_UNRECOVERABLE));
}
END_TEST

START_TEST(test_restart_recovery_generation_changed)
{
	struct pm_met_persist p;
	struct pm_met m;
	struct pm_met_events ev = {0};
	struct pm_met_sample first = sample(3600 * S_NS, 8);
	const struct pm_met_event *e;

	/* the module was reloaded while the daemon was down: whatever generation 7 counted after
	 * its checkpoint at 3600 is lost; generation 8 counted 7200 codes since probe (2 mWh).
	 * +A = 1 + 2 = 3 mWh */
	checkpointed(&p);
	pm_met_init(&m, NULL);
	set_counters(&first, 0, 7200, 0, 7200);
	ck_assert_int_eq(pm_met_restore(&m, &p, &first, &ev), 0);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 3);
	e = find_event(&ev, PM_MET_EV_RESTART_UNRECOVERABLE);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->a, 7);
	ck_assert_int_eq(e->b, 8);
	ck_assert_ptr_null(find_event(&ev, PM_MET_EV_RESTART_RECOVERED));
}
END_TEST

START_TEST(test_restore_refused_when_running)
{
	struct pm_met_persist p;
	struct pm_met m;
	struct pm_met_sample s = sample(0, 7);

	checkpointed(&p);
	pm_met_init(&m, NULL);
	pm_met_update(&m, &s, NULL);
	ck_assert_int_eq(pm_met_restore(&m, &p, &s, NULL), -EBUSY);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 0);
}
END_TEST

START_TEST(test_register_reset_refused)
{
	struct pm_met m;
	struct pm_met_registers regs;
	struct pm_met_events ev = {0};
	const struct pm_met_event *e;

	/* +A is 1 mWh; setting it to 0 is refused and nothing changes; raising it to 5 works */
	pm_met_init(&m, NULL);
	one_interval_phase_a(&m, 3600, 0, 3600);
	regs = *pm_met_registers(&m);
	regs.total[PM_MET_A_IMPORT].mwh = 0;
	ck_assert_int_eq(pm_met_set_registers(&m, &regs, 42, &ev), -EPERM);
	e = find_event(&ev, PM_MET_EV_REGISTER_RESET_REFUSED);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->a, PM_MET_A_IMPORT);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 1);
	regs.total[PM_MET_A_IMPORT].mwh = 5;
	ck_assert_int_eq(pm_met_set_registers(&m, &regs, 43, NULL), 0);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 5);
}
END_TEST

START_TEST(test_bad_scale_refused)
{
	struct pm_met m;
	struct pm_met_events ev = {0};
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 1);

	pm_met_init(&m, NULL);
	pm_met_update(&m, &s0, NULL);
	s1.nj_per_code[PM_MET_CNT_REACTIVE] = 0;
	set_counters(&s1, 0, 3600, 0, 3600);
	ck_assert_int_eq(pm_met_update(&m, &s1, &ev), -EINVAL);
	ck_assert_ptr_nonnull(find_event(&ev, PM_MET_EV_BAD_SAMPLE));
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 0);
}
END_TEST

START_TEST(test_event_overflow_counted)
{
	struct pm_met_persist p;
	struct pm_met m;
	struct pm_met_events ev = {.count = PM_MET_EVENTS_MAX};
	struct pm_met_sample first = sample(0, 8);

	/* a full event buffer: the two restart events are counted as dropped */
	checkpointed(&p);
	pm_met_init(&m, NULL);
	pm_met_restore(&m, &p, &first, &ev);
	ck_assert_uint_eq(ev.dropped, 2);
}
END_TEST

START_TEST(test_instant_wye)
{
	struct pm_met_sample s = sample(0, 1);
	struct pm_met_instant in;

	/* balanced 230 V: V_LL = sqrt(3 x 230000^2) = 398371.69 -> 398372 mV.
	 * Va 230 V, Vb 220 V: sqrt(230000^2 + 230000 x 220000 + 220000^2) = sqrt(151.9e9)
	 * = 389743.51 -> 389744 mV */
	for (int ph = 0; ph < 3; ph++)
		s.ph[ph].v_mv = 230000;
	pm_met_instant(&s, PM_MET_WIRING_WYE, &in);
	ck_assert(in.has_line_to_neutral);
	ck_assert_int_eq(in.v_avg_mv, 230000);
	ck_assert_int_eq(in.v_ll_mv[PM_MET_LINE_AB], 398372);
	ck_assert_int_eq(in.v_ll_mv[PM_MET_LINE_BC], 398372);
	ck_assert_int_eq(in.v_ll_mv[PM_MET_LINE_CA], 398372);
	s.ph[1].v_mv = 220000;
	pm_met_instant(&s, PM_MET_WIRING_WYE, &in);
	ck_assert_int_eq(in.v_ll_mv[PM_MET_LINE_AB], 389744);
	ck_assert_int_eq(in.v_ll_mv[PM_MET_LINE_BC], 389744);
	ck_assert_int_eq(in.v_ll_mv[PM_MET_LINE_CA], 398372);
	/* average (230 + 220 + 230) / 3 = 226.666 V -> 226667 mV */
	ck_assert_int_eq(in.v_avg_mv, 226667);
}
END_TEST

START_TEST(test_instant_delta)
{
	struct pm_met_sample s = sample(0, 1);
	struct pm_met_instant in;

	/* delta: input A = V_AB, computed B = V_AC, input C = V_CB */
	s.ph[0].v_mv = 400000;
	s.ph[1].v_mv = 401000;
	s.ph[2].v_mv = 399000;
	pm_met_instant(&s, PM_MET_WIRING_DELTA, &in);
	ck_assert(!in.has_line_to_neutral);
	ck_assert_int_eq(in.v_ll_mv[PM_MET_LINE_AB], 400000);
	ck_assert_int_eq(in.v_ll_mv[PM_MET_LINE_BC], 399000);
	ck_assert_int_eq(in.v_ll_mv[PM_MET_LINE_CA], 401000);
	ck_assert_int_eq(in.v_ll_avg_mv, 400000);
}
END_TEST

START_TEST(test_instant_totals)
{
	struct pm_met_sample s = sample(0, 1);
	struct pm_met_instant in;

	/* P = 1000 + 2000 - 500 = 2500 mW; Q = 300 - 200 + 0 = 100 mvar;
	 * S = 1500 + 2500 + 1000 = 5000 mVA; PF = 2500 / 5000 = 0.5 = 500000;
	 * f = (50000 + 50010) / 2 = 50005 mHz (phase C measures none);
	 * I avg = (10 + 20 + 30) / 3 = 20 mA; neutral passed through */
	s.ph[0] = (struct pm_met_phase_sample){
	    .i_ma = 10, .p_mw = 1000, .q_mvar = 300, .s_mva = 1500, .f_mhz = 50000};
	s.ph[1] = (struct pm_met_phase_sample){
	    .i_ma = 20, .p_mw = 2000, .q_mvar = -200, .s_mva = 2500, .f_mhz = 50010};
	s.ph[2] = (struct pm_met_phase_sample){.i_ma = 30, .p_mw = -500, .s_mva = 1000};
	s.neutral_i_ma = 7;
	pm_met_instant(&s, PM_MET_WIRING_WYE, &in);
	ck_assert_int_eq(in.p_mw, 2500);
	ck_assert_int_eq(in.q_mvar, 100);
	ck_assert_int_eq(in.s_mva, 5000);
	ck_assert_int_eq(in.pf_micro, 500000);
	ck_assert_int_eq(in.f_mhz, 50005);
	ck_assert_int_eq(in.i_avg_ma, 20);
	ck_assert_int_eq(in.neutral_i_ma, 7);
	ck_assert_int_eq(in.ph[2].p_mw, -500);
	/* all export: P = -1000 - 1500 - 500 = -3000, S still 5000: PF = -0.6 */
	s.ph[0].p_mw = -1000;
	s.ph[1].p_mw = -1500;
	pm_met_instant(&s, PM_MET_WIRING_WYE, &in);
	ck_assert_int_eq(in.pf_micro, -600000);
	/* no load: PF reads 1 */
	for (int ph = 0; ph < 3; ph++)
		s.ph[ph].p_mw = s.ph[ph].s_mva = 0;
	pm_met_instant(&s, PM_MET_WIRING_WYE, &in);
	ck_assert_int_eq(in.pf_micro, 1000000);
}
END_TEST

START_TEST(test_math_helpers)
{
	/* 1e18 x 1e18 = 1e36 needs 120 bits; / 1e18 = 1e18 */
	ck_assert_uint_eq(pm_met_muldiv_u64(1000000000000000000ULL, 1000000000000000000ULL,
					    1000000000000000000ULL),
			  1000000000000000000ULL);
	/* (2^64 - 1)^2 / (2^64 - 1) = 2^64 - 1 exactly */
	ck_assert_uint_eq(pm_met_muldiv_u64(UINT64_MAX, UINT64_MAX, UINT64_MAX), UINT64_MAX);
	/* 2^63 x 4 / 2 = 2^64 does not fit: saturates */
	ck_assert_uint_eq(pm_met_muldiv_u64(1ULL << 63, 4, 2), UINT64_MAX);
	/* 7 x 3 / 2 = 10.5 -> 10 */
	ck_assert_uint_eq(pm_met_muldiv_u64(7, 3, 2), 10);
	/* either side of 2^64 (the product in one word or two): 2^32 x (2^32 - 1) = 2^64 - 2^32
	 * = 2^32 x 3 x 1431655765, / 3 = 6148914689804861440 exactly; / 7 = 2635249152773512045
	 * rest 5; 2^32 x 2^32 / 4 = 2^62; (2^32 + 1)(2^32 - 1) = 2^64 - 1 */
	ck_assert_uint_eq(pm_met_muldiv_u64(1ULL << 32, (1ULL << 32) - 1, 3),
			  6148914689804861440ULL);
	ck_assert_uint_eq(pm_met_muldiv_u64(1ULL << 32, (1ULL << 32) - 1, 7),
			  2635249152773512045ULL);
	ck_assert_uint_eq(pm_met_muldiv_u64(1ULL << 32, 1ULL << 32, 4), 1ULL << 62);
	ck_assert_uint_eq(pm_met_muldiv_u64((1ULL << 32) + 1, (1ULL << 32) - 1, 1), UINT64_MAX);
	/* floor(-1 / 900) = -1; next boundary after -1 with step 900 is 0, after 0 is 900 */
	ck_assert_int_eq(pm_met_floor_div_i64(-1, 900), -1);
	ck_assert_int_eq(pm_met_next_boundary(-1, 0, 900), 0);
	ck_assert_int_eq(pm_met_next_boundary(0, 0, 900), 900);
	/* sqrt: 0 -> 0, 2 = 1.41 -> 1, 3 = 1.73 -> 2, 2^62 -> 2^31 */
	ck_assert_uint_eq(pm_met_isqrt_round(0), 0);
	ck_assert_uint_eq(pm_met_isqrt_round(2), 1);
	ck_assert_uint_eq(pm_met_isqrt_round(3), 2);
	ck_assert_uint_eq(pm_met_isqrt_round(1ULL << 62), 1ULL << 31);
	ck_assert_int_eq(pm_met_sat_mul_i64(INT64_MAX / 2, 3), INT64_MAX);
	ck_assert_int_eq(pm_met_sat_mul_i64(INT64_MIN / 2, 3), INT64_MIN);
	ck_assert_int_eq(pm_met_sat_add_i64(INT64_MAX, 1), INT64_MAX);
}
END_TEST

/* --- the counter-generation rule (counter-baseline.h) ------------------------------------ */

static const struct pm_met_restart_rule from_zero = {true, true};
static const struct pm_met_restart_rule rebase = {false, false};

/* A baseline of generation @gen with phase A's counters at (active, reactive, apparent). */
static struct pm_met_baseline baseline(uint64_t gen, int64_t active, int64_t reactive,
				       int64_t apparent)
{
	struct pm_met_sample s = sample(0, gen);
	struct pm_met_baseline b = {0};

	set_counters(&s, 0, active, reactive, apparent);
	pm_met_baseline_take(&b, &s);
	return b;
}

START_TEST(test_step_first_sample_only_a_baseline)
{
	struct pm_met_baseline b = {0};
	struct pm_met_counter_step st;
	struct pm_met_sample s = sample(0, 7);

	/* nothing taken yet: 360000 codes the chip counted before are not energy of ours */
	set_counters(&s, 0, 360000, 1800, 360000);
	pm_met_baseline_compare(&b, &s, &from_zero, &st);
	ck_assert_int_eq(st.run, PM_MET_RUN_FIRST);
	ck_assert(!st.credit);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_ACTIVE], 0);
	pm_met_baseline_take(&b, &s);
	ck_assert(b.valid);
	ck_assert_uint_eq(b.generation, 7);
	ck_assert_int_eq(b.counter[0][PM_MET_CNT_ACTIVE], 360000);
	ck_assert_int_eq(b.counter[0][PM_MET_CNT_REACTIVE], 1800);
}
END_TEST

START_TEST(test_step_same_generation_continues)
{
	/* a restart of the daemon (or a reconnection) with the same generation 7: taken over
	 * from the checkpoint's counters 3600 / 1800 / 3600; active 3600 -> 39600 = 36000 codes,
	 * reactive 1800 -> 9000 = 7200, apparent 3600 -> 39600 = 36000 */
	struct pm_met_baseline b = baseline(7, 3600, 1800, 3600);
	struct pm_met_counter_step st;
	struct pm_met_sample s = sample(0, 7);

	set_counters(&s, 0, 39600, 9000, 39600);
	pm_met_baseline_compare(&b, &s, &rebase, &st);
	ck_assert_int_eq(st.run, PM_MET_RUN_CONTINUES);
	ck_assert(st.credit);
	ck_assert_uint_eq(st.backwards, 0);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_ACTIVE], 36000);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_REACTIVE], 7200);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_APPARENT], 36000);
	/* phases B and C stayed at 0: nothing */
	ck_assert_int_eq(st.delta[1][PM_MET_CNT_ACTIVE], 0);
	ck_assert_int_eq(st.delta[2][PM_MET_CNT_APPARENT], 0);
}
END_TEST

START_TEST(test_step_export_continues)
{
	/* active 36000 -> 32400 while apparent 36000 -> 39600: 3600 codes of export, no restart */
	struct pm_met_baseline b = baseline(1, 36000, 0, 36000);
	struct pm_met_counter_step st;
	struct pm_met_sample s = sample(0, 1);

	set_counters(&s, 0, 32400, 0, 39600);
	pm_met_baseline_compare(&b, &s, &from_zero, &st);
	ck_assert_int_eq(st.run, PM_MET_RUN_CONTINUES);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_ACTIVE], -3600);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_APPARENT], 3600);
}
END_TEST

START_TEST(test_step_wrap_is_not_backwards)
{
	/* apparent (INT64_MAX - 1799) -> (INT64_MIN + 1800): mod 2^64 that is
	 * 1800 + 1799 + 1 = 3600 codes forward, a wrap, not a restart */
	struct pm_met_baseline b = baseline(1, 0, 0, INT64_MAX - 1799);
	struct pm_met_counter_step st;
	struct pm_met_sample s = sample(0, 1);

	set_counters(&s, 0, 0, 0, INT64_MIN + 1800);
	pm_met_baseline_compare(&b, &s, &rebase, &st);
	ck_assert_int_eq(st.run, PM_MET_RUN_CONTINUES);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_APPARENT], 3600);
}
END_TEST

START_TEST(test_step_new_generation_from_zero)
{
	/* generation 1 left at 360000; generation 2 (re-probed, counting from 0) is at 7200:
	 * the energy is 7200 codes, not 7200 - 360000 = -352800 */
	struct pm_met_baseline b = baseline(1, 360000, 3600, 360000);
	struct pm_met_counter_step st;
	struct pm_met_sample s = sample(0, 2);

	set_counters(&s, 0, 7200, 1800, 7200);
	pm_met_baseline_compare(&b, &s, &from_zero, &st);
	ck_assert_int_eq(st.run, PM_MET_RUN_NEW_GENERATION);
	ck_assert(st.credit);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_ACTIVE], 7200);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_REACTIVE], 1800);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_APPARENT], 7200);
}
END_TEST

START_TEST(test_step_new_generation_rebase)
{
	/* counters of unknown origin: 7200 is only the new baseline, nothing credited */
	struct pm_met_baseline b = baseline(1, 360000, 0, 360000);
	struct pm_met_counter_step st;
	struct pm_met_sample s = sample(0, 2);

	set_counters(&s, 0, 7200, 0, 7200);
	pm_met_baseline_compare(&b, &s, &rebase, &st);
	ck_assert_int_eq(st.run, PM_MET_RUN_NEW_GENERATION);
	ck_assert(!st.credit);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_ACTIVE], 0);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_APPARENT], 0);
}
END_TEST

START_TEST(test_step_backwards_within_generation)
{
	/* generation 1: phase A 36000 -> 39600 forward, phase B's apparent 5300 -> 20 back. One
	 * chip restarts all its phases at once: from zero, A's 39600 and B's 10 / 20 are the
	 * energy since; rebased, nothing is */
	struct pm_met_baseline b = baseline(1, 36000, 0, 36000);
	struct pm_met_counter_step st;
	struct pm_met_sample s = sample(0, 1);

	b.counter[1][PM_MET_CNT_ACTIVE] = 5000;
	b.counter[1][PM_MET_CNT_APPARENT] = 5300;
	set_counters(&s, 0, 39600, 0, 39600);
	set_counters(&s, 1, 10, 0, 20);
	pm_met_baseline_compare(&b, &s, &from_zero, &st);
	ck_assert_int_eq(st.run, PM_MET_RUN_BACKWARDS);
	ck_assert_uint_eq(st.backwards, 1u << 1);
	ck_assert_uint_eq(pm_met_backwards_phases(&st), 1);
	ck_assert(st.credit);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_ACTIVE], 39600);
	ck_assert_int_eq(st.delta[1][PM_MET_CNT_ACTIVE], 10);
	ck_assert_int_eq(st.delta[1][PM_MET_CNT_APPARENT], 20);

	pm_met_baseline_compare(&b, &s, &rebase, &st);
	ck_assert_int_eq(st.run, PM_MET_RUN_BACKWARDS);
	ck_assert(!st.credit);
	ck_assert_int_eq(st.delta[0][PM_MET_CNT_ACTIVE], 0);
	ck_assert_int_eq(st.delta[1][PM_MET_CNT_APPARENT], 0);

	/* phases A and C back at once: both in the mask */
	set_counters(&s, 0, 7, 0, 9);
	set_counters(&s, 1, 5000, 0, 5300);
	b.counter[2][PM_MET_CNT_APPARENT] = 3300;
	set_counters(&s, 2, -1, 0, 5);
	pm_met_baseline_compare(&b, &s, &rebase, &st);
	ck_assert_uint_eq(st.backwards, (1u << 0) | (1u << 2));
	ck_assert_uint_eq(pm_met_backwards_phases(&st), 2);
}
END_TEST

START_TEST(test_new_generation_nothing_lost_or_twice)
{
	struct pm_met m;
	struct pm_met_events ev = {0};
	struct pm_met_sample s[5];
	/* phase A, active = apparent: generation 1 counts 0 -> 3600 -> 7200 (2 mWh); the driver
	 * re-probes, generation 2 starts at 0 and is first read at 1800, then 5400: credited
	 * 1800 + 3600 = 5400 codes (1.5 mWh). Total 7200 + 5400 = 12600 codes = 3.5 mWh:
	 * 3 mWh and 1800 codes x 1e6 nJ = 1.8e9 nJ. */
	const int64_t gen[5] = {1, 1, 1, 2, 2}, cnt[5] = {0, 3600, 7200, 1800, 5400};

	pm_met_init(&m, NULL);
	for (int i = 0; i < 5; i++) {
		s[i] = sample(i * 100 * MS, (uint64_t)gen[i]);
		set_counters(&s[i], 0, cnt[i], 0, cnt[i]);
		ck_assert_int_eq(pm_met_update(&m, &s[i], &ev), 0);
	}
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 3);
	ck_assert_uint_eq(pm_met_registers(&m)->total[PM_MET_A_IMPORT].rem_nj, 1800000000);
	ck_assert_uint_eq(total(&m, PM_MET_S_IMPORT), 3);
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 0);
	ck_assert_ptr_nonnull(find_event(&ev, PM_MET_EV_COUNTER_RESTART));
	/* and the persisted baseline is generation 2's, at 5400 */
	{
		struct pm_met_persist p;

		pm_met_get_persist(&m, &p);
		ck_assert(p.has_counters);
		ck_assert_uint_eq(p.generation, 2);
		ck_assert_int_eq(p.counter[0][PM_MET_CNT_ACTIVE], 5400);
	}
}
END_TEST

START_TEST(test_backwards_rebased_registers)
{
	struct pm_met m;
	struct pm_met_config cfg;
	struct pm_met_sample s0 = sample(0, 1), s1 = sample(100 * MS, 1), s2 = sample(200 * MS, 1);

	/* credit_from_zero off: apparent 36000 -> 3600 is a new baseline (nothing credited, no
	 * export of 32400 codes); 3600 -> 7200 is then 1 mWh */
	pm_met_config_default(&cfg);
	cfg.credit_from_zero = false;
	pm_met_init(&m, &cfg);
	set_counters(&s0, 0, 36000, 0, 36000);
	set_counters(&s1, 0, 3600, 0, 3600);
	set_counters(&s2, 0, 7200, 0, 7200);
	pm_met_update(&m, &s0, NULL);
	pm_met_update(&m, &s1, NULL);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 0);
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 0);
	pm_met_update(&m, &s2, NULL);
	ck_assert_uint_eq(total(&m, PM_MET_A_IMPORT), 1);
	ck_assert_uint_eq(total(&m, PM_MET_A_EXPORT), 0);
}
END_TEST

static Suite *metrology_suite(void)
{
	Suite *s = suite_create("metrology");
	TCase *regs = tcase_create("registers");
	TCase *restart = tcase_create("restart");
	TCase *xcheck = tcase_create("crosscheck");
	TCase *instant = tcase_create("instant");
	TCase *baseline_rule = tcase_create("counter_baseline");

	tcase_add_test(regs, test_first_sample_is_baseline);
	tcase_add_test(regs, test_q1_import_inductive);
	tcase_add_test(regs, test_q4_import_capacitive);
	tcase_add_test(regs, test_q2_export_capacitive);
	tcase_add_test(regs, test_q3_export_inductive);
	tcase_add_test(regs, test_mixed_phases_net_total);
	tcase_add_test(regs, test_mixed_phases_phase_sum_total);
	tcase_add_test(regs, test_sub_mwh_remainder_kept);
	tcase_add_test(regs, test_counter_wrap_is_a_small_delta);
	tcase_add_test(regs, test_huge_delta_exact);
	tcase_add_test(regs, test_registers_never_decrease);
	tcase_add_test(regs, test_register_reset_refused);
	tcase_add_test(regs, test_bad_scale_refused);
	suite_add_tcase(s, regs);

	tcase_add_test(restart, test_generation_change_credits_from_zero);
	tcase_add_test(restart, test_generation_change_rebaseline);
	tcase_add_test(restart, test_counter_backwards_same_generation);
	tcase_add_test(restart, test_export_is_not_a_restart);
	tcase_add_test(restart, test_restart_recovery_same_generation);
	tcase_add_test(restart, test_restart_recovery_generation_changed);
	tcase_add_test(restart, test_restore_refused_when_running);
	tcase_add_test(restart, test_generation_change_origin_unknown);
	tcase_add_test(restart, test_event_overflow_counted);
	suite_add_tcase(s, restart);

	tcase_add_test(baseline_rule, test_step_first_sample_only_a_baseline);
	tcase_add_test(baseline_rule, test_step_same_generation_continues);
	tcase_add_test(baseline_rule, test_step_export_continues);
	tcase_add_test(baseline_rule, test_step_wrap_is_not_backwards);
	tcase_add_test(baseline_rule, test_step_new_generation_from_zero);
	tcase_add_test(baseline_rule, test_step_new_generation_rebase);
	tcase_add_test(baseline_rule, test_step_backwards_within_generation);
	tcase_add_test(baseline_rule, test_new_generation_nothing_lost_or_twice);
	tcase_add_test(baseline_rule, test_backwards_rebased_registers);
	suite_add_tcase(s, baseline_rule);

	tcase_add_test(xcheck, test_xcheck_agrees);
	tcase_add_test(xcheck, test_xcheck_diverges);
	tcase_add_test(xcheck, test_xcheck_within_relative_bound);
	tcase_add_test(xcheck, test_xcheck_skips_gaps);
	tcase_add_test(xcheck, test_time_backwards_event);
	suite_add_tcase(s, xcheck);

	tcase_add_test(instant, test_instant_wye);
	tcase_add_test(instant, test_instant_delta);
	tcase_add_test(instant, test_instant_totals);
	tcase_add_test(instant, test_math_helpers);
	suite_add_tcase(s, instant);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(metrology_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
