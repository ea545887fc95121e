// SPDX-License-Identifier: GPL-2.0-only
/*
 * The power-of-ten table behind the Modbus float32 registers: every entry exact, and v x 10^e
 * the double nearest the decimal value (the decimal literals below are, by C's rules, the
 * doubles nearest their values: what a correctly rounded scaling must give).
 */
#include <check.h>
#include <stdlib.h>

#include "core/proto/pow10.h"

START_TEST(test_table_exact)
{
	double p = 1.0;
	int64_t q = 1;

	/* 10^k = 10 x 10^(k-1) exactly: no entry is a rounded value */
	for (int k = 0; k <= PM_POW10_MAX; k++) {
		ck_assert_msg(pm_pow10(k) == p, "10^%d", k);
		p *= 10.0; /* exact while 10^k < 2^53 x 2^k, i.e. up to 10^22 */
	}
	ck_assert(pm_pow10(22) == 1e22);
	ck_assert(pm_pow10(23) == 0.0);
	ck_assert(pm_pow10(-1) == 0.0);
	for (int k = 0; k <= PM_POW10_INT64_MAX; k++) {
		ck_assert_int_eq(pm_pow10_int64(k), q);
		if (k < PM_POW10_INT64_MAX)
			q *= 10;
	}
	ck_assert_int_eq(pm_pow10_int64(18), 1000000000000000000LL);
	ck_assert_int_eq(pm_pow10_int64(19), 0);
	ck_assert_int_eq(pm_pow10_int64(-1), 0);
}
END_TEST

START_TEST(test_scale_correctly_rounded)
{
	/* a negative exponent divides by an exact power: 230456 mV is the double nearest 230.456 */
	ck_assert(pm_scale10(230456, -3) == 230.456);
	ck_assert(pm_scale10(1, -1) == 0.1);
	ck_assert(pm_scale10(833333, -6) == 0.833333);
	ck_assert(pm_scale10(-1200000, -3) == -1200.0);
	ck_assert(pm_scale10(1234567, -6) == 1.234567);
	ck_assert(pm_scale10(3, -22) == 3e-22);
	ck_assert(pm_scale10(-5, 2) == -500.0);
	ck_assert(pm_scale10(7, 0) == 7.0);
	/* beyond the table in exact steps of 10^22: 10^22 x 10 and 10^22 x 10^22 round once */
	ck_assert(pm_scale10(1, 23) == 1e23);
	ck_assert(pm_scale10(1, 44) == 1e44);
	ck_assert(pm_scale10(1, -23) > 0.99e-23 && pm_scale10(1, -23) < 1.01e-23);
	/* the float32 of the registers: the float nearest the decimal value */
	ck_assert((float)pm_scale10(230456, -3) == 230.456f);
	ck_assert((float)pm_scale10(50010, -3) == 50.01f);
}
END_TEST

static Suite *pow10_suite(void)
{
	Suite *s = suite_create("pow10");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_table_exact);
	tcase_add_test(tc, test_scale_correctly_rounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pow10_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
