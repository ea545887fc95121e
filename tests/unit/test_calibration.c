// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the calibration arithmetic. Gains: gain = 1 + code / 2^27 (2^27 = 134217728),
 * so c_new = (2^27 + c_old) x reference / measured - 2^27. RMS offsets act on the square:
 * rms^2 = rms0^2 + 2^15 x code (2^15 = 32768), so c_new = c_old + (r^2 - m^2) / 32768.
 * Every expected value below is worked out in its comment.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "core/metrology/calibration.h"

START_TEST(test_gain_from_zero)
{
	int32_t c = 12345;

	/* reads 225.4 V for 230 V: 134217728 x 230000 / 225400 = 136956865.30 -> 136956865,
	 * minus 134217728 = 2739137 (gain 1.020408) */
	ck_assert_int_eq(pm_cal_gain_code(0, 230000, 225400, &c), 0);
	ck_assert_int_eq(c, 2739137);
}
END_TEST

START_TEST(test_gain_composes_with_register)
{
	int32_t c = 12345;

	/* +1 % already in the register (2^27 / 100 = 1342177) and the reading is 1 % high:
	 * (134217728 + 1342177) x 100000 / 101000 = 135559905 x 100 / 101 = 134217727.72 ->
	 * 134217728, i.e. code 0. Ignoring the register would give 2^27 x 100/101 - 2^27 =
	 * -1328888. */
	ck_assert_int_eq(pm_cal_gain_code(1342177, 100000, 101000, &c), 0);
	ck_assert_int_eq(c, 0);
	/* -0.5 % in the register (-671089) and the reading 1 % low (99000 for 100000):
	 * 133546639 x 100000 / 99000 = 134895594.95 -> 134895595, minus 2^27 = 677867 */
	ck_assert_int_eq(pm_cal_gain_code(-671089, 100000, 99000, &c), 0);
	ck_assert_int_eq(c, 677867);
}
END_TEST

START_TEST(test_gain_refuses_bad_input)
{
	int32_t c = 777;

	ck_assert_int_eq(pm_cal_gain_code(0, 230000, 0, &c), -EINVAL);
	ck_assert_int_eq(pm_cal_gain_code(0, 0, 230000, &c), -EINVAL);
	ck_assert_int_eq(pm_cal_gain_code(0, -5, 230000, &c), -EINVAL);
	/* the register beyond +-2^26 = 67108864 is not a state we calibrate from */
	ck_assert_int_eq(pm_cal_gain_code(67108865, 100, 100, &c), -EINVAL);
	/* twice the reading: gain 2 is beyond 1.5 */
	ck_assert_int_eq(pm_cal_gain_code(0, 200000, 100000, &c), -ERANGE);
	/* a third of the reading: gain 0.33 is below 0.5 */
	ck_assert_int_eq(pm_cal_gain_code(0, 100000, 300000, &c), -ERANGE);
	/* exactly 1.5: 2^27 x 3 / 2 - 2^27 = 2^26 = 67108864, the limit, accepted */
	ck_assert_int_eq(pm_cal_gain_code(0, 3, 2, &c), 0);
	ck_assert_int_eq(c, 67108864);
	c = 777;
	ck_assert_int_eq(pm_cal_gain_code(0, 200000, 100000, &c), -ERANGE);
	ck_assert_int_eq(c, 777); /* untouched on error */
}
END_TEST

START_TEST(test_regain)
{
	/* 1000 W read with code 0, then +1 % (1342177): 1000000 x 135559905 / 134217728
	 * = 1009999.998 -> 1010000 mW */
	ck_assert_int_eq(pm_cal_regain(1000000, 0, 1342177), 1010000);
	/* and back: 1010000 x 134217728 / 135559905 = 1000000.002 -> 1000000 */
	ck_assert_int_eq(pm_cal_regain(1010000, 1342177, 0), 1000000);
	/* unchanged code: unchanged value */
	ck_assert_int_eq(pm_cal_regain(123456, 5000, 5000), 123456);
}
END_TEST

START_TEST(test_rms_offset)
{
	int32_t c = 99;

	/* reads 1000 codes for 1100: (1210000 - 1000000) / 32768 = 6.41 -> 6 */
	ck_assert_int_eq(pm_cal_rms_offset_code(0, 1100, 1000, &c), 0);
	ck_assert_int_eq(c, 6);
	/* the same with 10 already in the register (the reading includes it): 16 */
	ck_assert_int_eq(pm_cal_rms_offset_code(10, 1100, 1000, &c), 0);
	ck_assert_int_eq(c, 16);
	/* reads high, 1000 for 900: (810000 - 1000000) / 32768 = -5.80 -> -6 */
	ck_assert_int_eq(pm_cal_rms_offset_code(0, 900, 1000, &c), 0);
	ck_assert_int_eq(c, -6);
	/* a noise floor of 40000 codes with no load at all: -(1.6e9) / 32768 = -48828.1 -> -48828
	 */
	ck_assert_int_eq(pm_cal_rms_offset_code(0, 0, 40000, &c), 0);
	ck_assert_int_eq(c, -48828);
}
END_TEST

START_TEST(test_rms_offset_range)
{
	int32_t c = 99;

	/* 600000 codes missing: 3.6e11 / 32768 = 10986328 > 2^23 - 1 = 8388607 */
	ck_assert_int_eq(pm_cal_rms_offset_code(0, 600000, 0, &c), -ERANGE);
	/* r = 512, m = 256: (262144 - 65536) / 32768 = 6 exactly; 8388601 + 6 = 8388607 = 2^23 - 1,
	 * the top of the register: accepted; 8388602 + 6: refused */
	ck_assert_int_eq(pm_cal_rms_offset_code(8388601, 512, 256, &c), 0);
	ck_assert_int_eq(c, 8388607);
	ck_assert_int_eq(pm_cal_rms_offset_code(8388602, 512, 256, &c), -ERANGE);
	ck_assert_int_eq(pm_cal_rms_offset_code(8388608, 1, 1, &c), -EINVAL);
	ck_assert_int_eq(pm_cal_rms_offset_code(0, -1, 1, &c), -EINVAL);
	ck_assert_int_eq(c, 8388607); /* untouched on error */
}
END_TEST

START_TEST(test_to_codes_and_names)
{
	int64_t codes = 0;

	/* 230 V with 0.02 mV per code (scale 20000000 nano): 230000 / 0.02 = 11500000 */
	ck_assert_int_eq(pm_cal_to_codes(230000, 20000000, &codes), 0);
	ck_assert_int_eq(codes, 11500000);
	/* 1 mA with 0.003 mA per code: 333.3 -> 333 */
	ck_assert_int_eq(pm_cal_to_codes(1, 3000000, &codes), 0);
	ck_assert_int_eq(codes, 333);
	ck_assert_int_eq(pm_cal_to_codes(1, 0, &codes), -EINVAL);
	ck_assert_int_eq(pm_cal_to_codes(-1, 1000, &codes), -EINVAL);
	ck_assert_str_eq(pm_cal_attr_fmt(PM_CAL_VGAIN), "in_voltage%d_calibscale");
	ck_assert_str_eq(pm_cal_attr_fmt(PM_CAL_IRMSOS), "in_current%d_rms_calibbias");
	ck_assert_str_eq(pm_cal_reg_name(PM_CAL_PGAIN), "pgain");
	ck_assert_ptr_null(pm_cal_reg_name(PM_CAL_REGS));
}
END_TEST

static Suite *calibration_suite(void)
{
	Suite *s = suite_create("calibration");
	TCase *tc = tcase_create("calibration");

	tcase_add_test(tc, test_gain_from_zero);
	tcase_add_test(tc, test_gain_composes_with_register);
	tcase_add_test(tc, test_gain_refuses_bad_input);
	tcase_add_test(tc, test_regain);
	tcase_add_test(tc, test_rms_offset);
	tcase_add_test(tc, test_rms_offset_range);
	tcase_add_test(tc, test_to_codes_and_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(calibration_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
