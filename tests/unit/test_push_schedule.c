// SPDX-License-Identifier: GPL-2.0-only
/*
 * When a meter pushes (daemon/core/dlms/push-schedule.c). Days counted by hand: 1970..2025 is
 * 56 years with 14 leap days (1972 .. 2024) = 20454 days, so 2026-01-01 is day 20454; day 0
 * (1970-01-01) was a Thursday, so day d is a Monday when (d + 3) % 7 == 0.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/billing/tariff.h"
#include "core/dlms/push-schedule.h"

#define JAN1_2026 INT64_C(20454)
/* 2026-03-04 (Wednesday): Jan 31 + Feb 28 + 3 days */
#define MAR4_2026 (JAN1_2026 + 31 + 28 + 3)
#define AT(day, hour) ((day)*INT64_C(86400) + (hour)*INT64_C(3600))

START_TEST(test_daily)
{
	struct pm_push_schedule s;

	pm_push_daily(&s);
	/* 13:00 on the 4th -> 00:00 on the 5th */
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(MAR4_2026, 13)), AT(MAR4_2026 + 1, 0));
	/* at 00:00 itself: that push is this one's, the next is tomorrow's */
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(MAR4_2026, 0)), AT(MAR4_2026 + 1, 0));
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(MAR4_2026, 0) - 1), AT(MAR4_2026, 0));
}
END_TEST

START_TEST(test_weekly_on_mondays)
{
	struct pm_push_schedule s;
	/* (MAR4 + 3) % 7: 20516 + 3 = 20519 = 7 x 2931 + 2: a Wednesday; Monday is 5 days on */
	const int64_t monday = MAR4_2026 + 5;

	ck_assert_int_eq((monday + 3) % 7, 0);
	pm_push_weekly(&s);
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(MAR4_2026, 13)), AT(monday, 0));
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(monday, 0)), AT(monday + 7, 0));
}
END_TEST

START_TEST(test_monthly_on_the_first)
{
	struct pm_push_schedule s;

	pm_push_monthly(&s);
	/* 2026-04-01: Jan 31 + Feb 28 + Mar 31 */
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(MAR4_2026, 13)), AT(JAN1_2026 + 90, 0));
	/* across the year: 2026-12-15 -> 2027-01-01, 2026 having 365 days */
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(JAN1_2026 + 348, 0)), AT(JAN1_2026 + 365, 0));
	/* at 00:00 on the 1st of April: the next is May's, April's 30 days on */
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(JAN1_2026 + 90, 0)),
			 AT(JAN1_2026 + 90 + 30, 0));
}
END_TEST

/*
 * A billing period of 3 months from 2026-01-31: 2026-01-31, 04-30 (April has 30 days), 07-31,
 * 10-31. 04-30 is day JAN1 + 31 + 28 + 31 + 29 = JAN1 + 119; 07-31 is JAN1 + 181 (Jan..Jun) +
 * 30 = JAN1 + 211.
 */
START_TEST(test_billing_period_months)
{
	struct pm_push_schedule s;

	ck_assert_int_eq(pm_push_every_months(&s, 3, 2026, 1, 31), 0);
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(MAR4_2026, 13)), AT(JAN1_2026 + 119, 0));
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(JAN1_2026 + 119, 0)), AT(JAN1_2026 + 211, 0));
	/* before the anchor the schedule runs backwards too: 2025-10-31 is JAN1 - 62 */
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(JAN1_2026 - 70, 0)), AT(JAN1_2026 - 62, 0));
	ck_assert_int_eq(pm_push_every_months(&s, 0, 2026, 1, 31), -EINVAL);
	ck_assert_int_eq(pm_push_every_months(&s, 1, 2026, 2, 29), -EINVAL);
}
END_TEST

/* A tariff's billing period: 1 month from 2026-01-01 gives the 1sts; 14 days from Monday
 * 2026-01-05 (JAN1 + 4) gives JAN1 + 4 + 14k. */
START_TEST(test_tariff_billing_period)
{
	struct tariff_billing_period monthly = {TARIFF_PERIOD_MONTHS, 1, {2026, 1, 1}};
	struct tariff_billing_period fortnight = {TARIFF_PERIOD_DAYS, 14, {2026, 1, 5}};
	struct tariff_billing_period none = {TARIFF_PERIOD_MONTHS, 0, {2026, 1, 1}};
	struct tariff_billing_period bad = {TARIFF_PERIOD_DAYS, 7, {2026, 2, 30}};
	struct pm_push_schedule s;

	ck_assert_int_eq(pm_push_billing(&s, &monthly), 0);
	/* after 2026-03-04 13:00 the next 1st is April's: JAN1 + 31 + 28 + 31 = JAN1 + 90 */
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(MAR4_2026, 13)), AT(JAN1_2026 + 90, 0));
	ck_assert_int_eq(pm_push_billing(&s, &fortnight), 0);
	/* 2026-03-04 is JAN1 + 62; the periods start at JAN1 + 4 + 14k: k = 5 is JAN1 + 74 */
	ck_assert_int_eq(pm_push_next_nominal(&s, AT(MAR4_2026, 13)), AT(JAN1_2026 + 74, 0));
	ck_assert_int_eq(pm_push_billing(&s, &none), -EINVAL);
	ck_assert_int_eq(pm_push_billing(&s, &bad), -EINVAL);
}
END_TEST

/* The head-end was down since the push of 2026-03-02 00:00: at 13:00 on the 4th the pushes of
 * the 3rd and the 4th are due, oldest first; with room for one, the count still says two. */
START_TEST(test_missed_pushes_are_due)
{
	struct pm_push_schedule s;
	int64_t due[4];

	pm_push_daily(&s);
	ck_assert_uint_eq(pm_push_due(&s, AT(MAR4_2026 - 2, 0), AT(MAR4_2026, 13), due, 4), 2);
	ck_assert_int_eq(due[0], AT(MAR4_2026 - 1, 0));
	ck_assert_int_eq(due[1], AT(MAR4_2026, 0));
	ck_assert_uint_eq(pm_push_due(&s, AT(MAR4_2026 - 2, 0), AT(MAR4_2026, 13), due, 1), 2);
	ck_assert_int_eq(due[0], AT(MAR4_2026 - 1, 0));
	/* the last one delivered is the 4th's: nothing due until the 5th */
	ck_assert_uint_eq(pm_push_due(&s, AT(MAR4_2026, 0), AT(MAR4_2026, 23), due, 4), 0);
}
END_TEST

/* Offsets: inside the window, the same on every call, and spread over the window for a fleet:
 * 400 meters drawing from 8 slices of 15 minutes of a 2 h window leave none empty (a draw that
 * clustered would). */
START_TEST(test_offset_window)
{
	unsigned slices[8] = {0};
	char name[24];

	ck_assert_uint_eq(pm_push_offset("m1", AT(MAR4_2026, 0), 0), 0);
	for (int i = 0; i < 400; i++) {
		uint32_t o;

		snprintf(name, sizeof(name), "meter%d", i);
		o = pm_push_offset(name, AT(MAR4_2026, 0), 7200);
		ck_assert_uint_lt(o, 7200);
		ck_assert_uint_eq(o, pm_push_offset(name, AT(MAR4_2026, 0), 7200));
		slices[o / 900]++;
	}
	for (int i = 0; i < 8; i++)
		ck_assert_uint_gt(slices[i], 0);
}
END_TEST

/* 60 s doubled: 60, 120, 240, 480, 960, 1920, then the 3600 s cap; a huge attempt count too. */
START_TEST(test_retry_backoff)
{
	static const uint32_t want[] = {60, 120, 240, 480, 960, 1920, 3600, 3600};

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_uint_eq(pm_push_retry_delay(i, 60, 3600), want[i]);
	ck_assert_uint_eq(pm_push_retry_delay(1000, 60, 3600), 3600);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("push_schedule");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_daily);
	tcase_add_test(tc, test_weekly_on_mondays);
	tcase_add_test(tc, test_monthly_on_the_first);
	tcase_add_test(tc, test_billing_period_months);
	tcase_add_test(tc, test_tariff_billing_period);
	tcase_add_test(tc, test_missed_pushes_are_due);
	tcase_add_test(tc, test_offset_window);
	tcase_add_test(tc, test_retry_backoff);
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
