// SPDX-License-Identifier: GPL-2.0-only
/*
 * Local civil time through tzdata (daemon/meter/local-time.c): the UK's clock changes, a zone
 * west of UTC, times past 2038 and before 1970. Day numbers are counted by hand in the comments
 * (2026-01-01 is day 20454: 56 years of 365 days + 14 leap days, a Thursday).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "meter/local-time.h"

#define DAY INT64_C(86400)

static void check_local(const char *zone, int64_t utc_s, int64_t year, int month, int day,
			int weekday, int hour, int minute, int second)
{
	struct pm_local_time lt;

	ck_assert_int_eq(pm_local_time_at(zone, utc_s, &lt), 0);
	ck_assert_int_eq(lt.year, year);
	ck_assert_int_eq(lt.month, month);
	ck_assert_int_eq(lt.day, day);
	ck_assert_int_eq(lt.weekday, weekday);
	ck_assert_int_eq(lt.hour, hour);
	ck_assert_int_eq(lt.minute, minute);
	ck_assert_int_eq(lt.second, second);
}

START_TEST(test_uk_clock_changes)
{
	/* 2026-03-29, the last Sunday of March: day 20454 + 31 + 28 + 28 = 20541. BST from
	 * 01:00 UTC: 00:59:59 GMT, then 02:00:00 BST */
	int64_t march_29 = 20541 * DAY;
	/* 2026-10-25, the last Sunday of October: day 20454 + 297 = 20751. GMT again from 01:00
	 * UTC: 01:59:59 BST, then 01:00:00 GMT */
	int64_t october_25 = 20751 * DAY;

	check_local("Europe/London", march_29 + 3600 - 1, 2026, 3, 29, 7, 0, 59, 59);
	check_local("Europe/London", march_29 + 3600, 2026, 3, 29, 7, 2, 0, 0);
	check_local("Europe/London", october_25 + 3600 - 1, 2026, 10, 25, 7, 1, 59, 59);
	check_local("Europe/London", october_25 + 3600, 2026, 10, 25, 7, 1, 0, 0);
	/* the same instant in UTC (named: the system's zone "" differs between machines) */
	check_local("UTC", march_29 + 3600, 2026, 3, 29, 7, 1, 0, 0);
}
END_TEST

START_TEST(test_west_and_far)
{
	/* 2026-07-01 (day 20454 + 181 = 20635, a Wednesday) 12:00 UTC is 08:00 EDT */
	check_local("America/New_York", 20635 * DAY + 12 * 3600, 2026, 7, 1, 3, 8, 0, 0);
	/* 00:30 UTC on 1 July is still 30 June, 20:30 EDT, a Tuesday */
	check_local("America/New_York", 20635 * DAY + 1800, 2026, 6, 30, 2, 20, 30, 0);
	/* 2^31 s = 2038-01-19T03:14:08Z: GMT in winter, no 32-bit wrap to 1901 */
	check_local("Europe/London", INT64_C(2147483648), 2038, 1, 19, 2, 3, 14, 8);
	/* 2040-07-01: 70 years with 17 leap days = 25567 days to 2040-01-01 (a Sunday), + 182
	 * (2040 is a leap year) = 25749, a Sunday; 12:00 UTC is 13:00 BST */
	check_local("Europe/London", 25749 * DAY + 12 * 3600, 2040, 7, 1, 7, 13, 0, 0);
	/* 1969-07-20T20:17:00Z: 12 days to 1 August + 153 to 1970 = day -165, a Sunday */
	check_local("UTC", -165 * DAY + 20 * 3600 + 17 * 60, 1969, 7, 20, 7, 20, 17, 0);
	/* South Africa: UTC+2 all year; 23:00 UTC on 2026-12-31 is 01:00 on 2027-01-01, a Friday */
	check_local("Africa/Johannesburg", (20454 + 364) * DAY + 23 * 3600, 2027, 1, 1, 5, 1, 0, 0);
}
END_TEST

/* The zone as a DLMS Clock publishes it: offsets and the year's daylight-saving changes. */
START_TEST(test_zone_offsets)
{
	struct pm_local_zone z;

	/* London, 1 July 2026 12:00 UTC: BST (+3600), GMT outside it; changes on 29 March and
	 * 25 October at 01:00 UTC (days 20541 and 20751, above) */
	ck_assert_int_eq(pm_local_time_zone_at("Europe/London", 20635 * DAY + 12 * 3600, &z), 0);
	ck_assert_int_eq(z.offset_s, 3600);
	ck_assert(z.dst);
	ck_assert_int_eq(z.std_offset_s, 0);
	ck_assert(z.has_dst);
	ck_assert_int_eq(z.dst_begin_utc, 20541 * DAY + 3600);
	ck_assert_int_eq(z.dst_end_utc, 20751 * DAY + 3600);
	ck_assert_int_eq(z.dst_shift_s, 3600);
	ck_assert_int_eq(z.year, 2026);
	/* the same year seen from January: GMT now, the same changes */
	ck_assert_int_eq(pm_local_time_zone_at("Europe/London", 20454 * DAY + 3600, &z), 0);
	ck_assert_int_eq(z.offset_s, 0);
	ck_assert(!z.dst);
	ck_assert_int_eq(z.dst_begin_utc, 20541 * DAY + 3600);
	ck_assert_int_eq(z.dst_end_utc, 20751 * DAY + 3600);
	/* Sydney, southern hemisphere, 1 July 2026 (winter, AEST +10 h): summer time ends on
	 * 5 April 03:00 AEDT = 4 April 16:00 UTC (day 20454 + 90 + 3 = 20547) and begins on
	 * 4 October 02:00 AEST = 3 October 16:00 UTC (day 20454 + 273 + 2 = 20729) */
	ck_assert_int_eq(pm_local_time_zone_at("Australia/Sydney", 20635 * DAY, &z), 0);
	ck_assert_int_eq(z.offset_s, 36000);
	ck_assert(!z.dst);
	ck_assert_int_eq(z.std_offset_s, 36000);
	ck_assert(z.has_dst);
	ck_assert_int_eq(z.dst_end_utc, 20547 * DAY + 16 * 3600);
	ck_assert_int_eq(z.dst_begin_utc, 20729 * DAY + 16 * 3600);
	ck_assert_int_eq(z.dst_shift_s, 3600);
	/* the cheap check agrees */
	{
		int32_t off;
		bool dst;

		ck_assert_int_eq(pm_local_time_offset("Europe/London", 20635 * DAY, &off, &dst), 0);
		ck_assert_int_eq(off, 3600);
		ck_assert(dst);
	}
	/* South Africa: UTC+2, no daylight saving */
	ck_assert_int_eq(pm_local_time_zone_at("Africa/Johannesburg", 20635 * DAY, &z), 0);
	ck_assert_int_eq(z.offset_s, 7200);
	ck_assert_int_eq(z.std_offset_s, 7200);
	ck_assert(!z.dst);
	ck_assert(!z.has_dst);
}
END_TEST

START_TEST(test_zone_exists)
{
	ck_assert(pm_local_time_zone_exists("Europe/London"));
	ck_assert(pm_local_time_zone_exists(""));
	ck_assert(pm_local_time_zone_exists(NULL));
	ck_assert(!pm_local_time_zone_exists("Europe/Atlantis"));
	ck_assert(!pm_local_time_zone_exists("../../etc/passwd"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("local_time");
	TCase *tc = tcase_create("local_time");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_uk_clock_changes);
	tcase_add_test(tc, test_west_and_far);
	tcase_add_test(tc, test_zone_exists);
	tcase_add_test(tc, test_zone_offsets);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
