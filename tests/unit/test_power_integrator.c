// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of daemon/core/metrology/power-integrator.c: energy counters (1 mJ codes) made from
 * polled power readings by the trapezoid rule, with the remainder kept exactly. Every expected
 * value is worked out by hand in the comment above it.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "core/metrology/power-integrator.h"

#define MS 1000000LL /* ns */

static int64_t p[PM_PHASES][PM_KINDS];

static void set_all(int64_t mw)
{
	for (int n = 0; n < PM_PHASES; n++)
		for (int k = 0; k < PM_KINDS; k++)
			p[n][k] = mw;
}

START_TEST(test_constant_power)
{
	struct pm_power_integrator pi;

	pm_power_integrator_reset(&pi);
	set_all(0);
	p[0][PM_ACTIVE] = 2300000;  /* 2300 W */
	p[1][PM_REACTIVE] = 400000; /* 400 var */
	p[2][PM_APPARENT] = 1000;   /* 1 VA */
	/* the first reading is the baseline: nothing counted */
	pm_power_integrator_step(&pi, 5000 * MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 0);
	/* 2300 W x 0.25 s = 575 J = 575 000 codes; 400 var x 0.25 s = 100 var.s = 100 000;
	 * 1 VA x 0.25 s = 0.25 VA.s = 250 */
	pm_power_integrator_step(&pi, 5250 * MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 575000);
	ck_assert_int_eq(pi.counter[1][PM_REACTIVE], 100000);
	ck_assert_int_eq(pi.counter[2][PM_APPARENT], 250);
	ck_assert_int_eq(pi.counter[0][PM_REACTIVE], 0);
	/* another 0.25 s: 1150 J in all */
	pm_power_integrator_step(&pi, 5500 * MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 1150000);
}
END_TEST

START_TEST(test_trapezoid)
{
	struct pm_power_integrator pi;

	pm_power_integrator_reset(&pi);
	set_all(0);
	pm_power_integrator_step(&pi, 0, p);
	/* 0 W -> 1000 W over 1 s: the trapezoid is (0 + 1000) / 2 x 1 = 500 J */
	set_all(1000000);
	pm_power_integrator_step(&pi, 1000 * MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 500000);
	/* 1000 W -> -1000 W over 1 s: (1000 - 1000) / 2 x 1 = 0 J */
	set_all(-1000000);
	pm_power_integrator_step(&pi, 2000 * MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 500000);
	/* -1000 W for 1 s: -1000 J, the counter counts down (export) */
	pm_power_integrator_step(&pi, 3000 * MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], -500000);
	ck_assert_int_eq(pi.counter[2][PM_ACTIVE], -500000);
}
END_TEST

START_TEST(test_remainder_exact)
{
	struct pm_power_integrator pi;
	int64_t t = 0;

	pm_power_integrator_reset(&pi);
	set_all(1); /* 1 mW */
	pm_power_integrator_step(&pi, t, p);
	/* 1 mW x 1 ms = 1 uJ: a thousand steps make the first whole 1 mJ code */
	for (int i = 0; i < 999; i++)
		pm_power_integrator_step(&pi, t += MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 0);
	pm_power_integrator_step(&pi, t += MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 1);
	/* -1 mW for 1 ms, a thousand times: -1 mJ, back to 0 exactly (floor with a positive
	 * remainder on the way: -1 after the first step) */
	set_all(-1);
	pm_power_integrator_step(&pi, t += MS, p);
	/* that step's trapezoid is (1 - 1) / 2 x 1 ms = 0 */
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 1);
	pm_power_integrator_step(&pi, t += MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 0);
	for (int i = 0; i < 999; i++)
		pm_power_integrator_step(&pi, t += MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 0);
}
END_TEST

START_TEST(test_time_not_advancing)
{
	struct pm_power_integrator pi;

	pm_power_integrator_reset(&pi);
	set_all(1000000);
	pm_power_integrator_step(&pi, 1000 * MS, p);
	pm_power_integrator_step(&pi, 2000 * MS, p);
	ck_assert_int_eq(pi.counter[1][PM_APPARENT], 1000000); /* 1000 VA x 1 s */
	/* the same time again, then an earlier one: no interval, nothing counted */
	pm_power_integrator_step(&pi, 2000 * MS, p);
	pm_power_integrator_step(&pi, 1500 * MS, p);
	ck_assert_int_eq(pi.counter[1][PM_APPARENT], 1000000);
	/* from 1.5 s to 2.5 s: the baseline moved to 1.5 s, 1000 J more */
	pm_power_integrator_step(&pi, 2500 * MS, p);
	ck_assert_int_eq(pi.counter[1][PM_APPARENT], 2000000);
	pm_power_integrator_reset(&pi);
	ck_assert_int_eq(pi.counter[1][PM_APPARENT], 0);
	ck_assert(!pi.have_prev);
}
END_TEST

START_TEST(test_wide)
{
	struct pm_power_integrator pi;

	pm_power_integrator_reset(&pi);
	set_all(1000000000); /* 1 MW */
	pm_power_integrator_step(&pi, 0, p);
	/* (1 MW + 1 MW) x 10 s is 2e19 half-pJ, beyond 64 bits: 1 MW x 10 s = 1e7 J = 1e10 codes */
	pm_power_integrator_step(&pi, 10000 * MS, p);
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], INT64_C(10000000000));
	set_all(-1000000000);
	pm_power_integrator_step(&pi, 20000 * MS, p);
	pm_power_integrator_step(&pi, 30000 * MS, p);
	/* +1e7 J, then (1 MW - 1 MW) x 10 s = 0, then -1e7 J */
	ck_assert_int_eq(pi.counter[0][PM_ACTIVE], 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("power_integrator");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_constant_power);
	tcase_add_test(tc, test_trapezoid);
	tcase_add_test(tc, test_remainder_exact);
	tcase_add_test(tc, test_time_not_advancing);
	tcase_add_test(tc, test_wide);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
