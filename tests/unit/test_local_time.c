// SPDX-License-Identifier: GPL-2.0-only
/*
 * Local civil time through tzdata (daemon/meter/local-time.c): the UK's clock changes, a zone
 * west of UTC, times past 2038 and before 1970; and the cached clock (daemon/meter/local-clock.c)
 * on the same changes, the second before, at and after each, two meters in different zones
 * asked alternately, and how often it asks the C library. Day numbers are counted by hand in the
 * comments (2026-01-01 is day 20454: 56 years of 365 days + 14 leap days, a Thursday).
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/billing/civil-time.h"
#include "meter/local-clock.h"
#include "meter/local-time.h"

#define DAY INT64_C(86400)

/* The local time's fields, and its day number from the date (civil-time.h). */
static void check_fields(const struct pm_local_time *lt, int64_t year, int month, int day,
			 int weekday, int hour, int minute, int second)
{
	ck_assert_int_eq(lt->year, year);
	ck_assert_int_eq(lt->month, month);
	ck_assert_int_eq(lt->day, day);
	ck_assert_int_eq(lt->weekday, weekday);
	ck_assert_int_eq(lt->hour, hour);
	ck_assert_int_eq(lt->minute, minute);
	ck_assert_int_eq(lt->second, second);
	ck_assert_int_eq(lt->days, pm_civil_days_from_date(year, month, day));
}

static void check_local(const char *zone, int64_t utc_s, int64_t year, int month, int day,
			int weekday, int hour, int minute, int second)
{
	struct pm_local_time lt;

	ck_assert_int_eq(pm_local_time_at(zone, utc_s, &lt), 0);
	check_fields(&lt, year, month, day, weekday, hour, minute, second);
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

static void check_clock(struct pm_local_clock *c, int64_t utc_s, int64_t year, int month, int day,
			int weekday, int hour, int minute, int second, int32_t offset_s, bool dst)
{
	struct pm_local_time lt;
	int32_t off;
	bool d;

	ck_assert_int_eq(pm_local_clock_at(c, utc_s, &lt), 0);
	check_fields(&lt, year, month, day, weekday, hour, minute, second);
	ck_assert_int_eq(pm_local_clock_offset(c, utc_s, &off, &d), 0);
	ck_assert_int_eq(off, offset_s);
	ck_assert(d == dst);
}

/* London, 2026: BST (+1 h) from 29 March 01:00 UTC (day 20541) to 25 October 01:00 UTC (day
 * 20751), the last Sundays of March and October (the EU rule). Each instant asked in order, as a
 * meter's samples come, so the cached span must end exactly at the change. */
START_TEST(test_clock_london)
{
	struct pm_local_clock c;
	int64_t spring = 20541 * DAY + 3600, autumn = 20751 * DAY + 3600;

	pm_local_clock_init(&c, "Europe/London");
	/* the evening before, to prime a span that reaches over the change */
	check_clock(&c, spring - 3 * 3600, 2026, 3, 28, 6, 22, 0, 0, 0, false);
	check_clock(&c, spring - 1, 2026, 3, 29, 7, 0, 59, 59, 0, false);
	check_clock(&c, spring, 2026, 3, 29, 7, 2, 0, 0, 3600, true);
	check_clock(&c, spring, 2026, 3, 29, 7, 2, 0, 0, 3600, true); /* asked again */
	check_clock(&c, spring + 1, 2026, 3, 29, 7, 2, 0, 1, 3600, true);
	/* 23:00 UTC is local midnight: 30 March, a Monday */
	check_clock(&c, spring + 22 * 3600 - 1, 2026, 3, 29, 7, 23, 59, 59, 3600, true);
	check_clock(&c, spring + 22 * 3600, 2026, 3, 30, 1, 0, 0, 0, 3600, true);
	check_clock(&c, autumn - 3 * 3600, 2026, 10, 24, 6, 23, 0, 0, 3600, true);
	check_clock(&c, autumn - 1, 2026, 10, 25, 7, 1, 59, 59, 3600, true);
	/* the hour 01:00..01:59 again, now GMT */
	check_clock(&c, autumn, 2026, 10, 25, 7, 1, 0, 0, 0, false);
	check_clock(&c, autumn + 1, 2026, 10, 25, 7, 1, 0, 1, 0, false);
	/* back in time (a clock set): asked again, still right */
	check_clock(&c, spring - 1, 2026, 3, 29, 7, 0, 59, 59, 0, false);
	check_clock(&c, autumn + 3600, 2026, 10, 25, 7, 2, 0, 0, 0, false);
}
END_TEST

/* Sydney, 2026 (NSW rule: summer time from the first Sunday of October 02:00 AEST to the first
 * Sunday of April 03:00 AEDT). It ends on 5 April: 03:00 AEDT (+11) = 4 April 16:00 UTC (day
 * 20454 + 90 + 3 = 20547); it begins on 4 October: 02:00 AEST (+10) = 3 October 16:00 UTC (day
 * 20454 + 273 + 2 = 20729). Johannesburg: +2 all year, never a change. */
START_TEST(test_clock_southern)
{
	struct pm_local_clock syd, jnb;
	int64_t end = 20547 * DAY + 16 * 3600, begin = 20729 * DAY + 16 * 3600;

	pm_local_clock_init(&syd, "Australia/Sydney");
	check_clock(&syd, end - 1, 2026, 4, 5, 7, 2, 59, 59, 39600, true);
	check_clock(&syd, end, 2026, 4, 5, 7, 2, 0, 0, 36000, false);
	check_clock(&syd, end + 1, 2026, 4, 5, 7, 2, 0, 1, 36000, false);
	check_clock(&syd, begin - 1, 2026, 10, 4, 7, 1, 59, 59, 36000, false);
	check_clock(&syd, begin, 2026, 10, 4, 7, 3, 0, 0, 39600, true);
	check_clock(&syd, begin + 1, 2026, 10, 4, 7, 3, 0, 1, 39600, true);
	/* 13:00 UTC on 31 December is local midnight of 1 January 2027, a Friday */
	check_clock(&syd, (20454 + 364) * DAY + 13 * 3600 - 1, 2026, 12, 31, 4, 23, 59, 59, 39600,
		    true);
	check_clock(&syd, (20454 + 364) * DAY + 13 * 3600, 2027, 1, 1, 5, 0, 0, 0, 39600, true);

	pm_local_clock_init(&jnb, "Africa/Johannesburg");
	check_clock(&jnb, end, 2026, 4, 4, 6, 18, 0, 0, 7200, false);
	check_clock(&jnb, begin, 2026, 10, 3, 6, 18, 0, 0, 7200, false);
	/* 22:00 UTC is local midnight */
	check_clock(&jnb, 20635 * DAY + 22 * 3600 - 1, 2026, 7, 1, 3, 23, 59, 59, 7200, false);
	check_clock(&jnb, 20635 * DAY + 22 * 3600, 2026, 7, 2, 4, 0, 0, 0, 7200, false);
}
END_TEST

/* Two meters, London and Sydney, asked alternately every minute across London's spring change
 * (29 March 01:00 UTC, day 20541; Sydney is on AEDT, +11 h, until 4 April); and a TZ someone
 * else set in between must not leak into either. */
START_TEST(test_clock_two_meters)
{
	struct pm_local_clock lon, syd;
	int64_t spring = 20541 * DAY + 3600;

	pm_local_clock_init(&lon, "Europe/London");
	pm_local_clock_init(&syd, "Australia/Sydney");
	for (int64_t t = spring - 3600; t < spring + 2 * 3600; t += 60) {
		struct pm_local_time a, b;
		int64_t lon_s = t + (t < spring ? 0 : 3600), syd_s = t + 39600;
		int64_t lon_day = lon_s / DAY, syd_day = syd_s / DAY;

		setenv("TZ", "America/New_York", 1);
		ck_assert_int_eq(pm_local_clock_at(&lon, t, &a), 0);
		ck_assert_int_eq(pm_local_clock_at(&syd, t, &b), 0);
		/* 29 March is day 20541 (a Sunday): London's local day is it, Sydney's the same
		 * day from 13:00 UTC on the 28th */
		ck_assert_int_eq(lon_day, 20541);
		ck_assert_int_eq(a.day, 29);
		ck_assert_int_eq(a.hour * 3600 + a.minute * 60 + a.second, lon_s - lon_day * DAY);
		ck_assert_int_eq(syd_day, 20541);
		ck_assert_int_eq(b.day, 29);
		ck_assert_int_eq(b.hour * 3600 + b.minute * 60 + b.second, syd_s - syd_day * DAY);
	}
	unsetenv("TZ");
}
END_TEST

/* The point of the clock: a day of samples at 1 Hz asks the C library about once, not 86 400
 * times; the day of a change about twice (the span up to it, then the one after). */
START_TEST(test_clock_asks_once_a_day)
{
	struct pm_local_clock c;
	struct pm_local_time lt;
	int64_t jan_1 = 20454 * DAY, march_29 = 20541 * DAY;

	pm_local_clock_init(&c, "Europe/London");
	for (int64_t t = jan_1; t < jan_1 + DAY; t++)
		ck_assert_int_eq(pm_local_clock_at(&c, t, &lt), 0);
	ck_assert_uint_eq(c.resolutions, 1);
	pm_local_clock_init(&c, "Europe/London");
	for (int64_t t = march_29; t < march_29 + DAY; t++)
		ck_assert_int_eq(pm_local_clock_at(&c, t, &lt), 0);
	ck_assert_uint_eq(c.resolutions, 2);
	/* the last sample: 23:59:59 UTC is 00:59:59 BST on 30 March, a Monday */
	ck_assert_int_eq(lt.day, 30);
	ck_assert_int_eq(lt.weekday, 1);
	ck_assert_int_eq(lt.hour, 0);
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
	tcase_add_test(tc, test_clock_london);
	tcase_add_test(tc, test_clock_southern);
	tcase_add_test(tc, test_clock_two_meters);
	tcase_add_test(tc, test_clock_asks_once_a_day);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
