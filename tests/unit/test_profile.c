// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the load profile and the power-quality profile: 15 min intervals, one sample a
 * minute (at hh:mm:30) unless a test says otherwise, 90 s maximum gap.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "core/metrology/profile.h"

#define S_NS 1000000000LL
#define MIN_NS (60 * S_NS)

static struct pm_profile make(int64_t period_ns)
{
	struct pm_profile p;
	struct pm_profile_config cfg = {
	    .period_ns = period_ns, .align_ns = 0, .max_gap_ns = 90 * S_NS, .nregs = 2};

	ck_assert_int_eq(pm_profile_init(&p, &cfg), 0);
	return p;
}

/* Sample k: at k min + 30 s; reg0 = 1000 + 10 k mWh (+extra), reg1 = 5 k;
 * V = 230 V + 1 V on odd k, I = 10 A, PF 0.9, f 50 Hz on every phase. */
static struct pm_profile_input input(int k, uint64_t extra)
{
	struct pm_profile_input in = {.reg = {1000 + 10 * (uint64_t)k + extra, 5 * (uint64_t)k}};

	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		in.ph[ph] = (struct pm_profile_pq){.v_mv = 230000 + (k % 2) * 1000,
						   .i_ma = 10000,
						   .pf_micro = 900000,
						   .f_mhz = 50000};
	return in;
}

static int64_t at(int k)
{
	return k * MIN_NS + 30 * S_NS;
}

START_TEST(test_config_validation)
{
	struct pm_profile p;
	struct pm_profile_config cfg = {.period_ns = 0, .max_gap_ns = 0, .nregs = 1};

	ck_assert_int_eq(pm_profile_init(&p, &cfg), -EINVAL);
	cfg.period_ns = 15 * MIN_NS;
	cfg.nregs = PM_PROFILE_MAX_REGS + 1;
	ck_assert_int_eq(pm_profile_init(&p, &cfg), -EINVAL);
	cfg.nregs = PM_PROFILE_MAX_REGS;
	ck_assert_int_eq(pm_profile_init(&p, &cfg), 0);
}
END_TEST

START_TEST(test_regular_intervals)
{
	struct pm_profile p = make(15 * MIN_NS);
	struct pm_profile_entry e[2];
	int n = 0;

	/* samples k = 0..30 at 0.5 .. 30.5 min.
	 * (0, 15]: k = 0..14, closed by k = 15: PARTIAL (start-up), 15 samples,
	 *          reg0 = 1000 + 140 = 1140, delta 140 (from the first sample); reg1 = 70,
	 * delta 70. (15, 30]: k = 15..29, closed by k = 30: status 0, reg0 = 1290, delta 150; reg1
	 * = 145, delta 75; V mean: 8 odd k (15..29) -> (15 x 230000 + 8 x 1000) / 15 = 230533.3 ->
	 * 230533 mV */
	for (int k = 0; k <= 30; k++) {
		struct pm_profile_input in = input(k, 0);

		if (pm_profile_update(&p, at(k), &in, &e[n])) {
			ck_assert_int_lt(n, 2);
			n++;
		}
	}
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(e[0].end_ns, 15 * MIN_NS);
	ck_assert_uint_eq(e[0].status, PM_PROFILE_PARTIAL);
	ck_assert_uint_eq(e[0].samples, 15);
	ck_assert_uint_eq(e[0].reg[0], 1140);
	ck_assert_uint_eq(e[0].delta[0], 140);
	ck_assert_uint_eq(e[0].reg[1], 70);
	ck_assert_uint_eq(e[0].delta[1], 70);
	ck_assert_int_eq(e[1].end_ns, 30 * MIN_NS);
	ck_assert_uint_eq(e[1].status, 0);
	ck_assert_uint_eq(e[1].samples, 15);
	ck_assert_uint_eq(e[1].reg[0], 1290);
	ck_assert_uint_eq(e[1].delta[0], 150);
	ck_assert_uint_eq(e[1].delta[1], 75);
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		ck_assert_int_eq(e[1].avg[ph].v_mv, 230533);
		ck_assert_int_eq(e[1].avg[ph].i_ma, 10000);
		ck_assert_int_eq(e[1].avg[ph].pf_micro, 900000);
		ck_assert_int_eq(e[1].avg[ph].f_mhz, 50000);
	}
}
END_TEST

START_TEST(test_gap_flagged_power_down)
{
	struct pm_profile p = make(15 * MIN_NS);
	struct pm_profile_entry e[3];
	int n = 0;

	/* k = 0..10 (0.5 .. 10.5 min), power down, samples resume at k = 47..60 with 370 mWh
	 * counted during the outage (recovered from the chip's counters).
	 * At 47.5 min: (0, 15] closes: POWER_DOWN | PARTIAL, 11 samples, reg0 = 1100, delta 100.
	 * (15, 30] and (30, 45] lie inside the gap: no entry.
	 * (45, 60]: k = 47..59 = 13 samples, POWER_DOWN | PARTIAL, closed by k = 60;
	 *   reg0 = 1000 + 590 + 370 = 1960, delta = 1960 - 1100 = 860: the outage's 370 mWh plus
	 *   the 490 of k = 10 -> 59 in the sample formula; deltas add up: 100 + 860 = 1960 - 1000.
	 */
	for (int k = 0; k <= 60; k++) {
		struct pm_profile_input in = input(k, k >= 47 ? 370 : 0);

		if (k > 10 && k < 47)
			continue;
		if (pm_profile_update(&p, at(k), &in, &e[n])) {
			ck_assert_int_lt(n, 3);
			n++;
		}
	}
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(e[0].end_ns, 15 * MIN_NS);
	ck_assert_uint_eq(e[0].status, PM_PROFILE_POWER_DOWN | PM_PROFILE_PARTIAL);
	ck_assert_uint_eq(e[0].samples, 11);
	ck_assert_uint_eq(e[0].reg[0], 1100);
	ck_assert_uint_eq(e[0].delta[0], 100);
	ck_assert_int_eq(e[1].end_ns, 60 * MIN_NS);
	ck_assert_uint_eq(e[1].status, PM_PROFILE_POWER_DOWN | PM_PROFILE_PARTIAL);
	ck_assert_uint_eq(e[1].samples, 13);
	ck_assert_uint_eq(e[1].reg[0], 1960);
	ck_assert_uint_eq(e[1].delta[0], 860);
	ck_assert_uint_eq(e[0].delta[0] + e[1].delta[0], 1960 - 1000);
}
END_TEST

START_TEST(test_short_gap_inside_interval)
{
	struct pm_profile p = make(15 * MIN_NS);
	struct pm_profile_entry e;
	struct pm_profile_input in;
	bool closed = false;

	/* samples at 0.5, 1.5, then 5.5 min (a 4 min pause > 90 s), then 16.5 closes (0, 15]:
	 * the gap lies inside one interval: POWER_DOWN | PARTIAL, 3 samples */
	in = input(0, 0);
	pm_profile_update(&p, at(0), &in, &e);
	in = input(1, 0);
	pm_profile_update(&p, at(1), &in, &e);
	in = input(5, 0);
	pm_profile_update(&p, at(5), &in, &e);
	in = input(16, 0);
	closed = pm_profile_update(&p, at(16), &in, &e);
	ck_assert(closed);
	ck_assert_uint_eq(e.status, PM_PROFILE_POWER_DOWN | PM_PROFILE_PARTIAL);
	ck_assert_uint_eq(e.samples, 3);
	ck_assert_uint_eq(e.reg[0], 1050);
}
END_TEST

START_TEST(test_clock_adjusted)
{
	struct pm_profile p = make(15 * MIN_NS);
	struct pm_profile_entry e;
	struct pm_profile_input in;

	/* samples at 0.5, 1.5, 2.5 ... min; after 2.5 one sample at 2.25 (the clock went back).
	 * (0, 15]: 15 regular samples + the one at 2.25 = 16, flagged CLOCK_ADJUSTED | PARTIAL,
	 * closed by 15.5. The caller then sets the clock and marks the open interval:
	 * (15, 30] is closed by 30.5 with CLOCK_ADJUSTED only. */
	for (int k = 0; k <= 30; k++) {
		bool closed;

		in = input(k, 0);
		closed = pm_profile_update(&p, at(k), &in, &e);
		ck_assert(closed == (k == 15 || k == 30));
		if (k == 2)
			ck_assert(!pm_profile_update(&p, at(2) - 15 * S_NS, &in, &e));
		if (k == 15) {
			ck_assert_int_eq(e.end_ns, 15 * MIN_NS);
			ck_assert_uint_eq(e.status, PM_PROFILE_CLOCK_ADJUSTED | PM_PROFILE_PARTIAL);
			ck_assert_uint_eq(e.samples, 16);
			pm_profile_mark(&p, PM_PROFILE_CLOCK_ADJUSTED);
		}
		if (k == 30) {
			ck_assert_int_eq(e.end_ns, 30 * MIN_NS);
			ck_assert_uint_eq(e.status, PM_PROFILE_CLOCK_ADJUSTED);
			ck_assert_uint_eq(e.samples, 15);
		}
	}
}
END_TEST

START_TEST(test_hourly_period)
{
	struct pm_profile p = make(60 * MIN_NS);
	struct pm_profile_entry e;
	struct pm_profile_input in;
	int closes = 0;

	/* 60 min period, samples each minute 0.5 .. 61.5: one entry, ending at 60 min, with
	 * k = 0..59 = 60 samples, reg0 = 1000 + 590 = 1590 */
	for (int k = 0; k <= 61; k++) {
		in = input(k, 0);
		if (pm_profile_update(&p, at(k), &in, &e))
			closes++;
	}
	ck_assert_int_eq(closes, 1);
	ck_assert_int_eq(e.end_ns, 60 * MIN_NS);
	ck_assert_uint_eq(e.samples, 60);
	ck_assert_uint_eq(e.reg[0], 1590);
}
END_TEST

/*
 * The clock set an hour forward after the sample at 5:30 (pm_profile_clock_step): the next
 * sample, 1 min of real time later, is dated 66:30. The open interval (0, 15 min] closes as
 * CLOCK_ADJUSTED (and PARTIAL: the first after start), not POWER_DOWN, though 61 min lie
 * between its samples; the intervals the clock skipped have no entry; the one it opened,
 * (60, 75 min], is CLOCK_ADJUSTED and PARTIAL, and the deltas still add up to the registers.
 */
START_TEST(test_clock_step_forward)
{
	struct pm_profile p = make(15 * MIN_NS);
	struct pm_profile_entry e;
	struct pm_profile_input in;

	for (int k = 0; k <= 5; k++) {
		in = input(k, 0);
		ck_assert(!pm_profile_update(&p, at(k), &in, &e));
	}
	pm_profile_clock_step(&p, at(6) + 60 * MIN_NS);
	in = input(6, 0);
	ck_assert(pm_profile_update(&p, at(6) + 60 * MIN_NS, &in, &e));
	ck_assert_int_eq(e.end_ns, 15 * MIN_NS);
	ck_assert_uint_eq(e.status, PM_PROFILE_CLOCK_ADJUSTED | PM_PROFILE_PARTIAL);
	ck_assert_uint_eq(e.samples, 6);
	/* reg0 1000 + 10 x 5 = 1050 at k = 5, from 1000 at k = 0 */
	ck_assert_uint_eq(e.reg[0], 1050);
	ck_assert_uint_eq(e.delta[0], 50);
	for (int k = 7; k <= 14; k++) {
		in = input(k, 0);
		ck_assert(!pm_profile_update(&p, at(k) + 60 * MIN_NS, &in, &e));
	}
	in = input(15, 0);
	ck_assert(pm_profile_update(&p, at(15) + 60 * MIN_NS, &in, &e));
	ck_assert_int_eq(e.end_ns, 75 * MIN_NS);
	ck_assert_uint_eq(e.status, PM_PROFILE_CLOCK_ADJUSTED | PM_PROFILE_PARTIAL);
	/* k = 6..14: 9 samples; reg0 1140 at k = 14, 90 more than 1050 */
	ck_assert_uint_eq(e.samples, 9);
	ck_assert_uint_eq(e.delta[0], 90);
}
END_TEST

static Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("profile");

	tcase_add_test(tc, test_config_validation);
	tcase_add_test(tc, test_regular_intervals);
	tcase_add_test(tc, test_gap_flagged_power_down);
	tcase_add_test(tc, test_short_gap_inside_interval);
	tcase_add_test(tc, test_clock_adjusted);
	tcase_add_test(tc, test_hourly_period);
	tcase_add_test(tc, test_clock_step_forward);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(profile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
