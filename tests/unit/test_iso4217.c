// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ISO 4217 minor units (daemon/core/billing/iso4217.c), the currency a conversion names
 * (manual §8.11). Expected values from the standard's list: the pound and the euro have 2
 * decimals, the yen none, the Bahraini dinar 3 (fils), the Chilean Unidad de Fomento 4.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "core/billing/iso4217.h"

START_TEST(test_known_codes)
{
	ck_assert_int_eq(pm_iso4217_minor_units("GBP"), 2);
	ck_assert_int_eq(pm_iso4217_minor_units("EUR"), 2);
	ck_assert_int_eq(pm_iso4217_minor_units("ZAR"), 2);
	ck_assert_int_eq(pm_iso4217_minor_units("JPY"), 0);
	ck_assert_int_eq(pm_iso4217_minor_units("KRW"), 0);
	ck_assert_int_eq(pm_iso4217_minor_units("BHD"), 3);
	ck_assert_int_eq(pm_iso4217_minor_units("KWD"), 3);
	ck_assert_int_eq(pm_iso4217_minor_units("CLF"), 4);
	/* the first and the last of the sorted table: the search reaches both ends */
	ck_assert_int_eq(pm_iso4217_minor_units("AED"), 2);
	ck_assert_int_eq(pm_iso4217_minor_units("ZWL"), 2);
}
END_TEST

START_TEST(test_unknown_codes)
{
	ck_assert_int_eq(pm_iso4217_minor_units("XYZ"), -ENOENT);
	ck_assert_int_eq(pm_iso4217_minor_units("gbp"), -ENOENT); /* codes are capitals */
	ck_assert_int_eq(pm_iso4217_minor_units("GBPX"), -ENOENT);
	ck_assert_int_eq(pm_iso4217_minor_units("GB"), -ENOENT);
	ck_assert_int_eq(pm_iso4217_minor_units(""), -ENOENT);
	ck_assert_int_eq(pm_iso4217_minor_units(NULL), -ENOENT);
	ck_assert_int_eq(pm_iso4217_minor_units("XAU"), -ENOENT); /* gold: no minor units */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("iso4217");
	TCase *tc = tcase_create("iso4217");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_known_codes);
	tcase_add_test(tc, test_unknown_codes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
