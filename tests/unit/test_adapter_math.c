// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of daemon/common/adapter-math.h: the adapters' exact arithmetic without __int128, at
 * the edges of its ranges. Every expected value is worked out by hand in the comment above it.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "common/adapter-math.h"

START_TEST(test_scale_round)
{
	/* 230 000 000 codes x 0.001 mV = 230 000 mV */
	ck_assert_int_eq(pm_scale_round(230000000, 1000000), 230000);
	/* 3 x 0.5 = 1.5 -> 2; -3 x 0.5 = -1.5 -> -2 (half away from zero); 1 x 0.4999... -> 0 */
	ck_assert_int_eq(pm_scale_round(3, 500000000), 2);
	ck_assert_int_eq(pm_scale_round(-3, 500000000), -2);
	ck_assert_int_eq(pm_scale_round(3, -500000000), -2);
	ck_assert_int_eq(pm_scale_round(1, 499999999), 0);
	/* INT64_MAX x 1e9 / 1e9 = INT64_MAX: the product (2^63 x 1e9) needs 93 bits */
	ck_assert_int_eq(pm_scale_round(INT64_MAX, 1000000000), INT64_MAX);
	ck_assert_int_eq(pm_scale_round(INT64_MIN, 1000000000), INT64_MIN);
	/* 2^62 x 2 = 2^63: one past INT64_MAX, saturated; negative side reaches INT64_MIN */
	ck_assert_int_eq(pm_scale_round(INT64_C(1) << 62, 2000000000), INT64_MAX);
	ck_assert_int_eq(pm_scale_round(-(INT64_C(1) << 62), 2000000000), INT64_MIN);
	/* 9 223 372 036 854 775 807 x 0.000000001 = 9 223 372 036.854775807 -> 9 223 372 037 */
	ck_assert_int_eq(pm_scale_round(INT64_MAX, 1), INT64_C(9223372037));
}
END_TEST

START_TEST(test_energy_step_positive)
{
	uint64_t acc = 0;

	/* 2 300 000 mW x 0.1 s = 230 000 000 000 000 pJ = 230 000 codes of 1 mJ (1e9 pJ) */
	ck_assert_int_eq(pm_energy_step(2300000, 100000000, 1000000000, &acc), 230000);
	ck_assert_uint_eq(acc, 0);
	/* 103 923 mW x 20 ms = 2 078 460 000 000 pJ; a code of 3 963 573 nJ = 3 963 573 000 pJ:
	 * 524 codes = 2 076 912 252 000 pJ, remainder 1 547 748 000 pJ */
	ck_assert_int_eq(pm_energy_step(103923, 20000000, 3963573000ULL, &acc), 524);
	ck_assert_uint_eq(acc, 1547748000ULL);
	/* again: remainder 3 095 496 000 < one code, still 524 */
	ck_assert_int_eq(pm_energy_step(103923, 20000000, 3963573000ULL, &acc), 524);
	ck_assert_uint_eq(acc, 3095496000ULL);
	/* a third time: 4 643 244 000 = one more code + 679 671 000 */
	ck_assert_int_eq(pm_energy_step(103923, 20000000, 3963573000ULL, &acc), 525);
	ck_assert_uint_eq(acc, 679671000ULL);
}
END_TEST

START_TEST(test_energy_step_negative)
{
	uint64_t acc = 0;

	/* -1 mW x 1 ns = -1 pJ with 1000 pJ codes: floor is -1 code, remainder 999 pJ */
	ck_assert_int_eq(pm_energy_step(-1, 1, 1000, &acc), -1);
	ck_assert_uint_eq(acc, 999);
	/* +1 pJ completes the code: 999 + 1 = 1000 -> +1 code, remainder 0 (net 0 codes) */
	ck_assert_int_eq(pm_energy_step(1, 1, 1000, &acc), 1);
	ck_assert_uint_eq(acc, 0);
	/* -1 150 000 mW x 0.1 s = -115 000 codes of 1 mJ exactly */
	ck_assert_int_eq(pm_energy_step(-1150000, 100000000, 1000000000, &acc), -115000);
	ck_assert_uint_eq(acc, 0);
}
END_TEST

START_TEST(test_energy_step_wide)
{
	uint64_t acc = 0;

	/* 1e15 mW (1 MV x 1 MA, the config's maximum) x 1 s = 1e24 pJ: 80 bits. In codes of
	 * 4 294 967 295 nJ (4 294 967 295 000 pJ): 1e24 / 4 294 967 295 000 = 232 830 643 708.07,
	 * so 232 830 643 708 codes; remainder 1e24 - 232 830 643 708 x 4 294 967 295 000 =
	 * 1e24 - 999 999 999 999 657 529 860 000 = 342 470 140 000 pJ */
	ck_assert_int_eq(
	    pm_energy_step(INT64_C(1000000000000000), 1000000000, 4294967295000ULL, &acc),
	    INT64_C(232830643708));
	ck_assert_uint_eq(acc, 342470140000ULL);
	/* the same power exported: -(232 830 643 708 + 1) codes, remainder 4 294 967 295 000 -
	 * 342 470 140 000 = 3 952 497 155 000 pJ, plus the 342 470 140 000 already held = one code
	 * exactly: -232 830 643 709 + 1 = -232 830 643 708 net, remainder 0 */
	ck_assert_int_eq(
	    pm_energy_step(-INT64_C(1000000000000000), 1000000000, 4294967295000ULL, &acc),
	    -INT64_C(232830643708));
	ck_assert_uint_eq(acc, 0);
	/* INT64_MAX mW x 2^63 ns in 1 pJ codes: 2^126, saturated to INT64_MAX codes */
	ck_assert_int_eq(pm_energy_step(INT64_MAX, UINT64_C(1) << 63, 1, &acc), INT64_MAX);
	ck_assert_int_eq(pm_energy_step(INT64_MIN, UINT64_C(1) << 63, 1, &acc), INT64_MIN);
}
END_TEST

START_TEST(test_energy_sum_and_print)
{
	struct pm_energy_nj e = {0}, t = {0};
	char buf[48];

	/* 22 770 000 codes of 1 mJ = 22 770 J = 22 770 000 000 000 nJ */
	pm_energy_add_codes(&e, 22770000, 1000000);
	ck_assert_int_eq(e.j, 22770);
	ck_assert_int_eq(e.nj, 0);
	ck_assert_str_eq(pm_energy_nj_str(buf, sizeof(buf), &e), "22770000000000");
	/* 22 770 J = 6 325 mWh (22 770 / 3.6) */
	ck_assert_int_eq(pm_energy_mwh(&e), 6325);
	/* -11 385 000 codes of 1 mJ = -11 385 J */
	memset(&e, 0, sizeof(e));
	pm_energy_add_codes(&e, -11385000, 1000000);
	ck_assert_str_eq(pm_energy_nj_str(buf, sizeof(buf), &e), "-11385000000000");
	/* -1 code of 3 963 573 nJ: floor form j = -1, nj = 996 036 427; printed -3963573 */
	memset(&e, 0, sizeof(e));
	pm_energy_add_codes(&e, -1, 3963573);
	ck_assert_int_eq(e.j, -1);
	ck_assert_int_eq(e.nj, 996036427);
	ck_assert_str_eq(pm_energy_nj_str(buf, sizeof(buf), &e), "-3963573");
	/* + 1 code again: exactly zero */
	pm_energy_add_codes(&e, 1, 3963573);
	ck_assert_int_eq(e.j, 0);
	ck_assert_int_eq(e.nj, 0);
	ck_assert_str_eq(pm_energy_nj_str(buf, sizeof(buf), &e), "0");
	/* INT64_MAX codes x 4 294 967 295 nJ = 39 614 081 247 908 796 755 622 232 065 nJ, about
	 * 3.96e19 J: beyond int64 J, saturated at INT64_MAX J */
	pm_energy_add_codes(&e, INT64_MAX, UINT32_MAX);
	ck_assert_int_eq(e.j, INT64_MAX);
	/* 2^62 codes x 2 nJ = 2^63 nJ = 9 223 372 036.854775808 J: needs 64 bits of nJ unsigned */
	memset(&e, 0, sizeof(e));
	pm_energy_add_codes(&e, INT64_C(1) << 62, 2);
	ck_assert_int_eq(e.j, INT64_C(9223372036));
	ck_assert_int_eq(e.nj, 854775808);
	ck_assert_str_eq(pm_energy_nj_str(buf, sizeof(buf), &e), "9223372036854775808");
	/* a month at 2 300 W: 2 300 x 2 592 000 s = 5 961 600 000 J = 5.9616e18 nJ, summed three
	 * times = 17 884 800 000 J (1.79e19 nJ, beyond int64 nJ): 4 968 000 000 mWh */
	memset(&e, 0, sizeof(e));
	pm_energy_add_codes(&e, INT64_C(5961600000000), 1000000);
	for (int i = 0; i < 3; i++)
		pm_energy_sum(&t, &e);
	ck_assert_int_eq(t.j, INT64_C(17884800000));
	ck_assert_str_eq(pm_energy_nj_str(buf, sizeof(buf), &t), "17884800000000000000");
	ck_assert_int_eq(pm_energy_mwh(&t), INT64_C(4968000000));
	/* -0.5 J is 0 mWh (towards zero); -3.6 J is -1 mWh */
	t = (struct pm_energy_nj){.j = -1, .nj = 500000000};
	ck_assert_int_eq(pm_energy_mwh(&t), 0);
	t = (struct pm_energy_nj){.j = -4, .nj = 400000000};
	ck_assert_int_eq(pm_energy_mwh(&t), -1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("adapter_math");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_scale_round);
	tcase_add_test(tc, test_energy_step_positive);
	tcase_add_test(tc, test_energy_step_negative);
	tcase_add_test(tc, test_energy_step_wide);
	tcase_add_test(tc, test_energy_sum_and_print);
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
