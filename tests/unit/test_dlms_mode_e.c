// SPDX-License-Identifier: GPL-2.0-only
/*
 * IEC 62056-21 mode E sign-on (daemon/core/dlms/mode-e.c). The messages are written out here
 * from the standard's layout: "/?" address "!" CR LF; the answer "/" XXX Z "\2" ident CR LF with
 * Z '5' for 9600 baud ('0' 300 .. '6' 19200); the option select ACK (0x06) "2" Z "2" CR LF.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/mode-e.h"

static const struct pm_mode_e_config cfg = {
    .address = "m0",
    .manufacturer = "PMD",
    .ident = "polymeter",
    .baud = 9600,
};

static enum pm_mode_e_action line(const char *s, uint8_t *out, size_t *len, unsigned *baud)
{
	return pm_mode_e_line(&cfg, (const uint8_t *)s, strlen(s), out, PM_MODE_E_LINE_MAX, len,
			      baud);
}

START_TEST(test_sign_on_any_and_ours)
{
	static const char want[] = "/PMD5\\2polymeter\r\n";
	uint8_t out[PM_MODE_E_LINE_MAX];
	unsigned baud = 0;
	size_t len;

	ck_assert_int_eq(line("/?!\r\n", out, &len, &baud), PM_MODE_E_IDENTIFY);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert(memcmp(out, want, len) == 0);
	ck_assert_int_eq(line("/?m0!\r\n", out, &len, &baud), PM_MODE_E_IDENTIFY);
	ck_assert(memcmp(out, want, len) == 0);
}
END_TEST

START_TEST(test_sign_on_other_meter_or_noise)
{
	uint8_t out[PM_MODE_E_LINE_MAX];
	unsigned baud = 0;
	size_t len = 99;

	ck_assert_int_eq(line("/?m1!\r\n", out, &len, &baud), PM_MODE_E_IGNORE);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(line("/?m0\r\n", out, &len, &baud), PM_MODE_E_IGNORE);
	ck_assert_int_eq(line("/?m0!", out, &len, &baud), PM_MODE_E_IGNORE); /* no CR LF */
	ck_assert_int_eq(line("/?m00!\r\n", out, &len, &baud), PM_MODE_E_IGNORE);
	ck_assert_int_eq(line("\r\n", out, &len, &baud), PM_MODE_E_IGNORE);
}
END_TEST

START_TEST(test_option_select)
{
	uint8_t out[PM_MODE_E_LINE_MAX];
	unsigned baud = 0;
	size_t len;

	/* HDLC at 9600 ('5'), and a reader asking for less: 2400 ('3') */
	ck_assert_int_eq(line("\x06"
			      "252\r\n",
			      out, &len, &baud),
			 PM_MODE_E_SWITCH);
	ck_assert_uint_eq(baud, 9600);
	ck_assert_int_eq(line("\x06"
			      "232\r\n",
			      out, &len, &baud),
			 PM_MODE_E_SWITCH);
	ck_assert_uint_eq(baud, 2400);
	/* more than offered (19200, '6'); mode C's data readout (V 0, Y 0); programming mode */
	ck_assert_int_eq(line("\x06"
			      "262\r\n",
			      out, &len, &baud),
			 PM_MODE_E_IGNORE);
	ck_assert_int_eq(line("\x06"
			      "050\r\n",
			      out, &len, &baud),
			 PM_MODE_E_IGNORE);
	ck_assert_int_eq(line("\x06"
			      "051\r\n",
			      out, &len, &baud),
			 PM_MODE_E_IGNORE);
	ck_assert_int_eq(line("\x06"
			      "2x2\r\n",
			      out, &len, &baud),
			 PM_MODE_E_IGNORE);
}
END_TEST

START_TEST(test_baud_chars_and_config)
{
	struct pm_mode_e_config c = cfg;

	ck_assert_int_eq(pm_mode_e_baud_char(300), '0');
	ck_assert_int_eq(pm_mode_e_baud_char(9600), '5');
	ck_assert_int_eq(pm_mode_e_baud_char(19200), '6');
	ck_assert_int_eq(pm_mode_e_baud_char(38400), 0);
	ck_assert_int_eq(pm_mode_e_config_check(&c), 0);
	c.baud = 38400;
	ck_assert_int_lt(pm_mode_e_config_check(&c), 0);
	c = cfg;
	c.manufacturer = "PM";
	ck_assert_int_lt(pm_mode_e_config_check(&c), 0);
	c = cfg;
	c.ident = "seventeen-chars-x";
	ck_assert_int_lt(pm_mode_e_config_check(&c), 0);
	c = cfg;
	c.address = "a!b";
	ck_assert_int_lt(pm_mode_e_config_check(&c), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dlms_mode_e");
	TCase *tc = tcase_create("mode_e");

	tcase_add_test(tc, test_sign_on_any_and_ours);
	tcase_add_test(tc, test_sign_on_other_meter_or_noise);
	tcase_add_test(tc, test_option_select);
	tcase_add_test(tc, test_baud_chars_and_config);
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
