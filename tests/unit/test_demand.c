// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of maximum demand. With a 15 min window, demand (mW) = window energy (mWh) x 4
 * (3 600 000 ms/h / 900 000 ms).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "core/metrology/demand.h"

#define S_NS 1000000000LL
#define MIN_NS (60 * S_NS)

static struct pm_demand make(uint32_t subintervals)
{
	struct pm_demand d;
	struct pm_demand_config cfg = {
	    .window_ns = 15 * MIN_NS, .subintervals = subintervals, .align_ns = 0};

	ck_assert_int_eq(pm_demand_init(&d, &cfg), 0);
	return d;
}

START_TEST(test_config_validation)
{
	struct pm_demand d;
	struct pm_demand_config cfg = {.window_ns = 15 * MIN_NS, .subintervals = 0};

	ck_assert_int_eq(pm_demand_init(&d, &cfg), -EINVAL);
	/* 900 000 ms / 7 = 128 571.43 ms: not a whole step */
	cfg.subintervals = 7;
	ck_assert_int_eq(pm_demand_init(&d, &cfg), -EINVAL);
	cfg.subintervals = PM_DEMAND_MAX_SUBINTERVALS + 1;
	ck_assert_int_eq(pm_demand_init(&d, &cfg), -EINVAL);
	cfg.subintervals = 15;
	ck_assert_int_eq(pm_demand_init(&d, &cfg), 0);
	ck_assert_int_eq(d.step_ns, 1 * MIN_NS);
}
END_TEST

/* One update per minute from t0 (exclusive) to t1 (inclusive), each adding mwh_per_min. */
static uint64_t feed(struct pm_demand *d, uint64_t reg, int64_t t0_min, int64_t t1_min,
		     uint64_t mwh_per_min)
{
	for (int64_t t = t0_min + 1; t <= t1_min; t++) {
		reg += mwh_per_min;
		pm_demand_update(d, t * MIN_NS, reg);
	}
	return reg;
}

START_TEST(test_block_demand_peak)
{
	struct pm_demand d = make(1);
	uint64_t reg = 1000000;

	/* block 1 (0, 15 min]: 15 x 100 = 1500 mWh -> 6000 mW
	 * block 2 (15, 30]:     15 x 200 = 3000 mWh -> 12000 mW  (the peak)
	 * block 3 (30, 45]:     15 x  50 =  750 mWh -> 3000 mW, closed by the sample at 46 min */
	pm_demand_update(&d, 0, reg);
	reg = feed(&d, reg, 0, 15, 100);
	reg = feed(&d, reg, 15, 30, 200);
	reg = feed(&d, reg, 30, 45, 50);
	pm_demand_update(&d, 46 * MIN_NS, reg);
	ck_assert(d.month[0].valid);
	ck_assert_int_eq(d.month[0].demand_mw, 12000);
	ck_assert_int_eq(d.month[0].end_ns, 30 * MIN_NS);
	ck_assert_int_eq(d.last.demand_mw, 3000);
	ck_assert_int_eq(d.last.end_ns, 45 * MIN_NS);
}
END_TEST

START_TEST(test_sliding_demand_peak)
{
	struct pm_demand d = make(3);
	static const uint64_t step_mwh[6] = {100, 400, 100, 700, 100, 100};
	uint64_t reg = 0;

	/* 15 min in 3 steps of 5 min; windows = sum of the last 3 steps, x 4:
	 *   end  5 min: 100           ->  400 mW
	 *   end 10 min: 100+400       -> 2000 mW
	 *   end 15 min: 100+400+100   -> 2400 mW
	 *   end 20 min: 400+100+700   -> 4800 mW  (the peak; blocks would only see 2400, 3600)
	 *   end 25 min: 100+700+100   -> 3600 mW
	 *   end 30 min: 700+100+100   -> 3600 mW */
	pm_demand_update(&d, 0, reg);
	for (int k = 0; k < 6; k++) {
		reg += step_mwh[k];
		pm_demand_update(&d, (k + 1) * 5 * MIN_NS, reg);
	}
	pm_demand_update(&d, 30 * MIN_NS + S_NS, reg);
	ck_assert_int_eq(d.month[0].demand_mw, 4800);
	ck_assert_int_eq(d.month[0].end_ns, 20 * MIN_NS);
	ck_assert_int_eq(d.last.demand_mw, 3600);
	ck_assert_int_eq(d.last.end_ns, 30 * MIN_NS);
}
END_TEST

START_TEST(test_outage_energy_spread_not_a_peak)
{
	struct pm_demand d = make(1);

	/* nothing for 22.5 min, then 3000 mWh at once (recovered after a daemon restart):
	 * block 1 (0, 15] gets 3000 x 15 / 22.5 = 2000 mWh -> 8000 mW; the open block 2 keeps
	 * the other 1000 mWh. Without the spread block 2 would have read 12000 mW. */
	pm_demand_update(&d, 0, 0);
	pm_demand_update(&d, 22 * MIN_NS + 30 * S_NS, 3000);
	ck_assert_int_eq(d.month[0].demand_mw, 8000);
	ck_assert_int_eq(d.month[0].end_ns, 15 * MIN_NS);
	ck_assert_uint_eq(d.open_mwh, 1000);
	/* block 2 closes at 30 min with those 1000 mWh -> 4000 mW */
	pm_demand_update(&d, 31 * MIN_NS, 3000);
	ck_assert_int_eq(d.last.demand_mw, 4000);
	ck_assert_int_eq(d.month[0].demand_mw, 8000);
}
END_TEST

START_TEST(test_alignment_offset)
{
	struct pm_demand d;
	struct pm_demand_config cfg = {
	    .window_ns = 15 * MIN_NS, .subintervals = 1, .align_ns = 5 * MIN_NS};

	/* boundaries at 5, 20, 35 ... min: starting at 7 min, the first block ends at 20 min */
	ck_assert_int_eq(pm_demand_init(&d, &cfg), 0);
	pm_demand_update(&d, 7 * MIN_NS, 0);
	ck_assert_int_eq(d.open_end_ns, 20 * MIN_NS);
}
END_TEST

START_TEST(test_month_rollover_keeps_two_previous)
{
	struct pm_demand d = make(1);

	/* month 1: block (0, 15] 1000 mWh -> 4000 mW; the rollover at 15 min closes it.
	 * month 2: block (15, 30] 500 mWh -> 2000 mW. month 3: block (30, 45] 250 -> 1000 mW.
	 * After the third rollover: current empty, [1] = month 3, [2] = month 2, month 1 gone. */
	pm_demand_update(&d, 0, 0);
	pm_demand_update(&d, 15 * MIN_NS, 1000);
	pm_demand_month_rollover(&d, 15 * MIN_NS);
	ck_assert(!d.month[0].valid);
	ck_assert_int_eq(d.month[1].demand_mw, 4000);
	ck_assert_int_eq(d.month[1].end_ns, 15 * MIN_NS);

	pm_demand_update(&d, 30 * MIN_NS, 1500);
	pm_demand_month_rollover(&d, 30 * MIN_NS);
	ck_assert_int_eq(d.month[1].demand_mw, 2000);
	ck_assert_int_eq(d.month[2].demand_mw, 4000);

	pm_demand_update(&d, 45 * MIN_NS, 1750);
	pm_demand_month_rollover(&d, 45 * MIN_NS);
	ck_assert(!d.month[0].valid);
	ck_assert_int_eq(d.month[1].demand_mw, 1000);
	ck_assert_int_eq(d.month[1].end_ns, 45 * MIN_NS);
	ck_assert_int_eq(d.month[2].demand_mw, 2000);
	ck_assert_int_eq(d.month[2].end_ns, 30 * MIN_NS);
}
END_TEST

START_TEST(test_register_backwards_ignored)
{
	struct pm_demand d = make(1);

	/* 600 mWh, then the register "drops" to 100 (caller bug): no negative energy, new
	 * baseline; +200 after it. Block: 600 + 200 = 800 mWh -> 3200 mW */
	pm_demand_update(&d, 0, 0);
	pm_demand_update(&d, 5 * MIN_NS, 600);
	pm_demand_update(&d, 6 * MIN_NS, 100);
	pm_demand_update(&d, 7 * MIN_NS, 300);
	pm_demand_update(&d, 16 * MIN_NS, 300);
	ck_assert_int_eq(d.month[0].demand_mw, 3200);
}
END_TEST

/*
 * The clock set back: the meter's clock stands at 20 min for 30 min of real time, in which the
 * daemon feeds no demand and the register grows 30 x 100 mWh. When the clock runs again the
 * demand restarts (pm_demand_restart): that 3000 mWh is no demand of the block (15, 30 min]
 * (it would be 500 + 3000 + 1000 mWh -> 18 000 mW, a peak for time that did not pass).
 * Block 1 (0, 15]: 1500 mWh -> 6000 mW, the month's peak; block 2 from the restart at 20 min:
 * 10 x 100 = 1000 mWh -> 4000 mW.
 */
START_TEST(test_restart_after_clock_set)
{
	struct pm_demand d = make(1);
	uint64_t reg = 1000000;

	pm_demand_update(&d, 0, reg);
	reg = feed(&d, reg, 0, 20, 100);
	ck_assert(d.month[0].valid);
	ck_assert_int_eq(d.month[0].demand_mw, 6000);
	reg += 3000;
	pm_demand_restart(&d);
	pm_demand_update(&d, 20 * MIN_NS, reg);
	reg = feed(&d, reg, 20, 31, 100);
	ck_assert(d.last.valid);
	ck_assert_int_eq(d.last.end_ns, 30 * MIN_NS);
	ck_assert_int_eq(d.last.demand_mw, 4000);
	ck_assert_int_eq(d.month[0].demand_mw, 6000);
	ck_assert_int_eq(d.month[0].end_ns, 15 * MIN_NS);
}
END_TEST

static Suite *demand_suite(void)
{
	Suite *s = suite_create("demand");
	TCase *tc = tcase_create("demand");

	tcase_add_test(tc, test_config_validation);
	tcase_add_test(tc, test_block_demand_peak);
	tcase_add_test(tc, test_sliding_demand_peak);
	tcase_add_test(tc, test_outage_energy_spread_not_a_peak);
	tcase_add_test(tc, test_alignment_offset);
	tcase_add_test(tc, test_month_rollover_keeps_two_previous);
	tcase_add_test(tc, test_register_backwards_ignored);
	tcase_add_test(tc, test_restart_after_clock_set);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(demand_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
