// SPDX-License-Identifier: GPL-2.0-only
/*
 * The inter-octet time-out of the DLMS serial line (views/dlms/dlms-serial.h) from the line's
 * speed. A character is 1 start bit, the data bits, a parity bit if any and the stop bits; the
 * time-out is 3 characters, at least 30 ms. The expected values are worked out by hand below.
 */
#include <check.h>
#include <stdlib.h>

#include "views/dlms/dlms-serial.h"

START_TEST(test_slow_lines_get_three_characters)
{
	/* 8N1 at 300 baud, HDLC after a mode E sign-on at the slowest rate: 10 bits, one
	 * character 10 / 300 s = 33.3 ms, longer than the 30 ms floor alone; 3 of them
	 * 30 / 300 s = 100 ms */
	ck_assert_uint_eq(pm_dlms_serial_inter_octet_usec(300, 10), 100000);
	/* the mode E sign-on line, 7E1 at 300: also 10 bits, 100 ms */
	ck_assert_uint_eq(pm_dlms_serial_inter_octet_usec(300, 7 + 1 + 1 + 1), 100000);
	/* 8E2 at 300: 12 bits, 36 / 300 s = 120 ms */
	ck_assert_uint_eq(pm_dlms_serial_inter_octet_usec(300, 12), 120000);
	/* 8N1 at 600: 30 / 600 s = 50 ms */
	ck_assert_uint_eq(pm_dlms_serial_inter_octet_usec(600, 10), 50000);
	/* rounded up to the microsecond: 30 / 700 s = 42857.14 us -> 42858 */
	ck_assert_uint_eq(pm_dlms_serial_inter_octet_usec(700, 10), 42858);
}
END_TEST

START_TEST(test_fast_lines_keep_30_ms)
{
	/* 8N1 at 1200: 30 / 1200 s = 25 ms, under the floor: 30 ms */
	ck_assert_uint_eq(pm_dlms_serial_inter_octet_usec(1200, 10), 30000);
	/* 8N1 at 9600: 3.125 ms; 8E2 at 2400: 36 / 2400 s = 15 ms; 115200: 0.26 ms */
	ck_assert_uint_eq(pm_dlms_serial_inter_octet_usec(9600, 10), 30000);
	ck_assert_uint_eq(pm_dlms_serial_inter_octet_usec(2400, 12), 30000);
	ck_assert_uint_eq(pm_dlms_serial_inter_octet_usec(115200, 10), 30000);
	/* the break-even: 8N1 at 1000 baud, 30 / 1000 s = 30 ms exactly */
	ck_assert_uint_eq(pm_dlms_serial_inter_octet_usec(1000, 10), 30000);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dlms_serial_gap");
	TCase *tc = tcase_create("gap");

	tcase_add_test(tc, test_slow_lines_get_three_characters);
	tcase_add_test(tc, test_fast_lines_keep_30_ms);
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
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
