// SPDX-License-Identifier: GPL-2.0-only
/* Decimal money <-> mu (daemon/core/billing/money.c): 1.00 = 100000 mu, exact, at most 5 decimals.
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

int main(void)
{
	Suite *s = suite_create("money");
	TCase *tc = tcase_create("money");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
