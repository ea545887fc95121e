// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decimal money <-> mu (daemon/core/billing/money.c): 1.00 = 100000 mu, exact, at most 5 decimals;
 * and the decimal parser and printer under it, as the tariff files (kWh, %, money with the
 * currency's minor units) and the scenario runner use it.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "core/billing/money.h"

START_TEST(test_parse)
{
	int64_t mu;

	ck_assert_int_eq(pm_money_parse("10.00", &mu), 0);
	ck_assert_int_eq(mu, 1000000);
	ck_assert_int_eq(pm_money_parse("0.40", &mu), 0);
	ck_assert_int_eq(mu, 40000);
	ck_assert_int_eq(pm_money_parse("-0.00001", &mu), 0);
	ck_assert_int_eq(mu, -1);
	ck_assert_int_eq(pm_money_parse("7", &mu), 0);
	ck_assert_int_eq(mu, 700000);
	ck_assert_int_eq(pm_money_parse("+0.5", &mu), 0);
	ck_assert_int_eq(mu, 50000);
	mu = 42;
	ck_assert_int_eq(pm_money_parse("0.000001", &mu), -EINVAL); /* finer than 1 mu */
	ck_assert_int_eq(pm_money_parse("1,00", &mu), -EINVAL);
	ck_assert_int_eq(pm_money_parse("", &mu), -EINVAL);
	ck_assert_int_eq(pm_money_parse("-", &mu), -EINVAL);
	ck_assert_int_eq(pm_money_parse("1.", &mu), -EINVAL);
	ck_assert_int_eq(pm_money_parse(".5", &mu), -EINVAL);
	ck_assert_int_eq(pm_money_parse("1e3", &mu), -EINVAL);
	ck_assert_int_eq(pm_money_parse("99999999999999", &mu), -ERANGE);
	ck_assert_int_eq(mu, 42); /* untouched on error */
}
END_TEST

START_TEST(test_format)
{
	char buf[40];

	ck_assert_str_eq(pm_money_format(1000000, buf, sizeof(buf)), "10.00");
	ck_assert_str_eq(pm_money_format(-40000, buf, sizeof(buf)), "-0.40");
	ck_assert_str_eq(pm_money_format(-191, buf, sizeof(buf)), "-0.00191");
	ck_assert_str_eq(pm_money_format(123450, buf, sizeof(buf)), "1.2345");
	ck_assert_str_eq(pm_money_format(INT64_MIN, buf, sizeof(buf)), "-92233720368547.75808");
}
END_TEST

START_TEST(test_money_limits)
{
	int64_t mu;

	/* 1e13 units is the largest whole amount: 1e13 x 1e5 mu, with any fraction of a unit */
	ck_assert_int_eq(pm_money_parse("10000000000000.99999", &mu), 0);
	ck_assert_int_eq(mu, INT64_C(1000000000000099999));
	ck_assert_int_eq(pm_money_parse("-10000000000000", &mu), 0);
	ck_assert_int_eq(mu, -INT64_C(1000000000000000000));
	ck_assert_int_eq(pm_money_parse("10000000000001", &mu), -ERANGE);
	ck_assert_int_eq(pm_money_parse("0.000000", &mu), -EINVAL); /* 6 decimals, even zeros */
	ck_assert_int_eq(pm_money_parse("--1", &mu), -EINVAL);
	ck_assert_int_eq(pm_money_parse("1 ", &mu), -EINVAL);
	ck_assert_int_eq(pm_money_parse(NULL, &mu), -EINVAL);
	ck_assert_int_eq(pm_money_parse("007.5", &mu), 0);
	ck_assert_int_eq(mu, 750000);
}
END_TEST

START_TEST(test_decimal_parse)
{
	/* a tariff's kWh: 6 decimals (1 mWh = 0.000001 kWh), never negative, at most 1000 kWh */
	const struct pm_decimal_rules kwh = {
	    .decimals = 6, .max = INT64_C(1000000000), .zeros_past = true};
	/* a scenario's amounts: signed, exactly the decimals given */
	const struct pm_decimal_rules signed3 = {
	    .decimals = 3, .max = INT64_C(1000000), .minus = true};
	enum pm_decimal_refusal why = 0;
	int64_t v;

	ck_assert_int_eq(pm_decimal_parse("250.5", &kwh, &v, &why), 0);
	ck_assert_int_eq(v, 250500000); /* 250.5 x 10^6 */
	ck_assert_int_eq(pm_decimal_parse("0.0000010000", &kwh, &v, &why), 0);
	ck_assert_int_eq(v, 1); /* zeros past the 6th decimal are allowed here */
	ck_assert_int_eq(pm_decimal_parse("1000", &kwh, &v, &why), 0);
	ck_assert_int_eq(v, INT64_C(1000000000));

	v = 42;
	ck_assert_int_eq(pm_decimal_parse("0.0000001", &kwh, &v, &why), -EINVAL);
	ck_assert_int_eq(why, PM_DECIMAL_TOO_FINE);
	ck_assert_int_eq(pm_decimal_parse("-1", &kwh, &v, &why), -EINVAL);
	ck_assert_int_eq(why, PM_DECIMAL_NEGATIVE);
	ck_assert_int_eq(pm_decimal_parse("-x", &kwh, &v, &why), -EINVAL);
	ck_assert_int_eq(why, PM_DECIMAL_SYNTAX); /* not a number first, then negative */
	ck_assert_int_eq(pm_decimal_parse("+1", &kwh, &v, &why), -EINVAL);
	ck_assert_int_eq(why, PM_DECIMAL_SYNTAX);
	ck_assert_int_eq(pm_decimal_parse("1000.000001", &kwh, &v, &why), -ERANGE);
	ck_assert_int_eq(why, PM_DECIMAL_TOO_BIG);
	ck_assert_int_eq(pm_decimal_parse("99999999999999999999999", &kwh, &v, &why), -ERANGE);
	ck_assert_int_eq(why, PM_DECIMAL_TOO_BIG);
	ck_assert_int_eq(pm_decimal_parse("1.", &kwh, &v, &why), -EINVAL);
	ck_assert_int_eq(why, PM_DECIMAL_SYNTAX);
	ck_assert_int_eq(pm_decimal_parse(".5", &kwh, &v, &why), -EINVAL);
	ck_assert_int_eq(why, PM_DECIMAL_SYNTAX);
	ck_assert_int_eq(v, 42); /* untouched on every refusal */

	ck_assert_int_eq(pm_decimal_parse("-0.125", &signed3, &v, NULL), 0);
	ck_assert_int_eq(v, -125);
	ck_assert_int_eq(pm_decimal_parse("-1000", &signed3, &v, NULL), 0);
	ck_assert_int_eq(v, -1000000);
	ck_assert_int_eq(pm_decimal_parse("0.1250", &signed3, &v, &why), -EINVAL);
	ck_assert_int_eq(why, PM_DECIMAL_TOO_FINE); /* no zeros past: exactly what was asked */
	ck_assert_int_eq(pm_decimal_parse("+1", &signed3, &v, &why), -EINVAL);
	ck_assert_int_eq(why, PM_DECIMAL_SYNTAX);
	/* 9 as the only digit with max / unit = 5: too big at the first digit */
	ck_assert_int_eq(
	    pm_decimal_parse("9", &(struct pm_decimal_rules){.decimals = 2, .max = 599}, &v, &why),
	    -ERANGE);
	ck_assert_int_eq(pm_decimal_parse("5.99",
					  &(struct pm_decimal_rules){.decimals = 2, .max = 599}, &v,
					  &why),
			 0);
	ck_assert_int_eq(v, 599);
}
END_TEST

START_TEST(test_decimal_format)
{
	char buf[40];

	/* no trailing zeros, no "." for a whole number: the tariff file's messages */
	ck_assert_str_eq(pm_decimal_format(1, 6, 0, buf, sizeof(buf)), "0.000001");
	ck_assert_str_eq(pm_decimal_format(250500000, 6, 0, buf, sizeof(buf)), "250.5");
	ck_assert_str_eq(pm_decimal_format(10000, 2, 0, buf, sizeof(buf)), "100");
	/* every decimal: the scenario runner's mismatches */
	ck_assert_str_eq(pm_decimal_format(-20000, 5, 5, buf, sizeof(buf)), "-0.20000");
	ck_assert_str_eq(pm_decimal_format(0, 5, 5, buf, sizeof(buf)), "0.00000");
	ck_assert_str_eq(pm_decimal_format(7, 0, 0, buf, sizeof(buf)), "7");
	ck_assert_str_eq(pm_decimal_format(INT64_MIN, 0, 0, buf, sizeof(buf)),
			 "-9223372036854775808");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("money");
	TCase *tc = tcase_create("money");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_money_limits);
	tcase_add_test(tc, test_decimal_parse);
	tcase_add_test(tc, test_decimal_format);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
