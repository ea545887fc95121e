// SPDX-License-Identifier: GPL-2.0-only
/*
 * UTC civil time in int64 arithmetic (daemon/core/billing/civil-time.c). Every expected value is
 * counted by hand in the comment beside it, or is a date everyone knows the weekday of.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/billing/civil-time.h"

#define NS PM_NS_PER_S

START_TEST(test_day_numbers)
{
	int64_t y;
	int m, d;

	ck_assert_int_eq(pm_civil_days_from_date(1970, 1, 1), 0);
	ck_assert_int_eq(pm_civil_days_from_date(1969, 12, 31), -1);
	/* 1970..1999: 30 years with 7 leap days (1972 .. 1996) = 10957; + Jan 31 + Feb 29 */
	ck_assert_int_eq(pm_civil_days_from_date(2000, 1, 1), 10957);
	ck_assert_int_eq(pm_civil_days_from_date(2000, 3, 1), 10957 + 31 + 29);
	/* 1970..2023: 54 years with 13 leap days (1972 .. 2020); + 31 + 28 */
	ck_assert_int_eq(pm_civil_days_from_date(2024, 2, 29), 54 * 365 + 13 + 31 + 28);
	/* 1900..1969: 70 years with 17 leap days (1904 .. 1968; 1900 is none) */
	ck_assert_int_eq(pm_civil_days_from_date(1900, 1, 1), -(70 * 365 + 17));
	/* 2100 is no leap year: 28 February is followed by 1 March */
	ck_assert_int_eq(pm_civil_days_from_date(2100, 3, 1) - pm_civil_days_from_date(2100, 2, 28),
			 1);
	ck_assert_int_eq(pm_civil_days_from_date(2000, 3, 1) - pm_civil_days_from_date(2000, 2, 28),
			 2);

	pm_civil_date_from_days(0, &y, &m, &d);
	ck_assert(y == 1970 && m == 1 && d == 1);
	pm_civil_date_from_days(-1, &y, &m, &d);
	ck_assert(y == 1969 && m == 12 && d == 31);
	pm_civil_date_from_days(11017, &y, &m, &d);
	ck_assert(y == 2000 && m == 3 && d == 1);
	pm_civil_date_from_days(11016, &y, &m, &d);
	ck_assert(y == 2000 && m == 2 && d == 29);
	pm_civil_date_from_days(-25567, &y, &m, &d);
	ck_assert(y == 1900 && m == 1 && d == 1);
	/* 0000-03-01 is 719468 days before 1970 (H. Hinnant's constant); 0000 is a leap year */
	pm_civil_date_from_days(-719468, &y, &m, &d);
	ck_assert(y == 0 && m == 3 && d == 1);
	pm_civil_date_from_days(-719469, &y, &m, &d);
	ck_assert(y == 0 && m == 2 && d == 29);
}
END_TEST

/*
 * Every day of 10000 years either side of 1970 follows the one before it. The loop counts the
 * days that break the rule and asserts once, naming the first: a Check assertion that passes
 * still writes its location to Check's pipe, one write(2) each, and 14.6 million of them took
 * minutes natively and tens of minutes under qemu-user (tests/arm/user-build).
 */
START_TEST(test_day_numbers_walk)
{
	int64_t y, prev_y, bad = 0, first_bad = 0;
	int m, d, prev_m, prev_d;
	bool follows;

	pm_civil_date_from_days(-3660000, &prev_y, &prev_m, &prev_d);
	for (int64_t n = -3660000 + 1; n <= 3660000; n++) {
		pm_civil_date_from_days(n, &y, &m, &d);
		if (d == prev_d + 1)
			follows = y == prev_y && m == prev_m;
		else if (m == prev_m + 1)
			follows = y == prev_y && d == 1 &&
				  prev_d == pm_civil_days_in_month(prev_y, prev_m);
		else
			follows =
			    y == prev_y + 1 && m == 1 && d == 1 && prev_m == 12 && prev_d == 31;
		if (!follows || pm_civil_days_from_date(y, m, d) != n) {
			if (bad++ == 0)
				first_bad = n;
		}
		prev_y = y;
		prev_m = m;
		prev_d = d;
	}
	ck_assert_msg(bad == 0,
		      "%" PRId64 " days do not follow the day before, the first day %" PRId64, bad,
		      first_bad);
}
END_TEST

START_TEST(test_calendar)
{
	ck_assert(!pm_civil_is_leap_year(2100));
	ck_assert(!pm_civil_is_leap_year(1900));
	ck_assert(pm_civil_is_leap_year(2000));
	ck_assert(pm_civil_is_leap_year(2024));
	ck_assert(!pm_civil_is_leap_year(2026));
	ck_assert(pm_civil_is_leap_year(-4)); /* proleptic: 5 BC */
	ck_assert_int_eq(pm_civil_days_in_month(2100, 2), 28);
	ck_assert_int_eq(pm_civil_days_in_month(2000, 2), 29);
	ck_assert_int_eq(pm_civil_days_in_month(2026, 4), 30);
	ck_assert_int_eq(pm_civil_days_in_month(2026, 12), 31);
	ck_assert(pm_civil_date_is_valid(2024, 2, 29));
	ck_assert(!pm_civil_date_is_valid(2100, 2, 29));
	ck_assert(!pm_civil_date_is_valid(2026, 4, 31));
	ck_assert(!pm_civil_date_is_valid(2026, 13, 1));
	ck_assert(!pm_civil_date_is_valid(2026, 0, 1));
	ck_assert(!pm_civil_date_is_valid(2026, 1, 0));

	ck_assert_int_eq(pm_civil_weekday(0), 4);      /* 1970-01-01: Thursday */
	ck_assert_int_eq(pm_civil_weekday(-1), 3);     /* 1969-12-31: Wednesday */
	ck_assert_int_eq(pm_civil_weekday(4), 1);      /* 1970-01-05: Monday */
	ck_assert_int_eq(pm_civil_weekday(3), 7);      /* 1970-01-04: Sunday */
	ck_assert_int_eq(pm_civil_weekday(-25567), 1); /* 1900-01-01: Monday */
	ck_assert_int_eq(pm_civil_weekday(19782), 4);  /* 2024-02-29: Thursday */

	ck_assert_int_eq(pm_civil_floor_div(-1, 86400), -1);
	ck_assert_int_eq(pm_civil_floor_div(-86400, 86400), -1);
	ck_assert_int_eq(pm_civil_floor_div(-86401, 86400), -2);
	ck_assert_int_eq(pm_civil_floor_div(86399, 86400), 0);
}
END_TEST

START_TEST(test_utc_ns)
{
	struct pm_civil_time ct;
	int64_t ns;

	/* 2^31 s: 24855 days (68 years with 17 leap days = 24837, + 18) + 3 h 14 min 8 s */
	pm_civil_from_utc_ns(INT64_C(2147483648) * NS, &ct);
	ck_assert(ct.year == 2038 && ct.month == 1 && ct.day == 19);
	ck_assert(ct.hour == 3 && ct.minute == 14 && ct.second == 8);
	ck_assert_int_eq(pm_civil_to_utc_s(&ct), INT64_C(24855) * 86400 + 3 * 3600 + 14 * 60 + 8);
	ck_assert_int_eq(pm_civil_to_utc_s(&ct), INT64_C(2147483648));

	/* 1 ns before the epoch is in the last second of 1969 */
	pm_civil_from_utc_ns(-1, &ct);
	ck_assert(ct.year == 1969 && ct.month == 12 && ct.day == 31);
	ck_assert(ct.hour == 23 && ct.minute == 59 && ct.second == 59);

	ct = (struct pm_civil_time){1969, 12, 31, 23, 59, 59};
	ck_assert_int_eq(pm_civil_to_utc_ns(&ct, &ns), 0);
	ck_assert_int_eq(ns, -1 * NS);
	/* INT64_MAX ns = 9223372036 s = 106751 days + 85636 s (23 h 47 min 16 s) */
	ct = (struct pm_civil_time){2262, 4, 11, 23, 47, 16};
	ck_assert_int_eq(pm_civil_days_from_date(2262, 4, 11), 106751);
	ck_assert_int_eq(pm_civil_to_utc_ns(&ct, &ns), 0);
	ck_assert_int_eq(ns, INT64_C(9223372036) * NS);
	ct.second = 17;
	ck_assert_int_eq(pm_civil_to_utc_ns(&ct, &ns), -ERANGE);
	ct.year = 100000;
	ck_assert_int_eq(pm_civil_to_utc_ns(&ct, &ns), -ERANGE);
}
END_TEST

START_TEST(test_parse)
{
	static const char *const bad_dates[] = {
	    "2026-02-30",  "2100-02-29", "2026-13-01", "2026-00-10",
	    "2026-01-00",  "2026-2-03",	 "2026-02-3",  " 2026-02-03",
	    "2026-02-03 ", "+026-02-03", "2026-+2-03", "2026/02/03",
	    "20260203",	   "",		 "2026-02",    "2026-02-03T00:00:00Z",
	};
	static const char *const bad_times[] = {
	    "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z",
	    "2026-01-01T00:00:00",  "2026-01-01 00:00:00Z", "2026-01-01T00:00:00z",
	    "2026-01-01T0:00:00Z",  "2026-02-30T00:00:00Z", "2026-01-01T00:00:00Z ",
	    "2026-01-01",	    "2026-01-01T00:00Z",    "",
	};
	int y = -1, m = -1, d = -1;
	int64_t ns = 42;

	ck_assert_int_eq(pm_civil_parse_date("2000-02-29", &y, &m, &d), 0);
	ck_assert(y == 2000 && m == 2 && d == 29);
	ck_assert_int_eq(pm_civil_parse_date("1969-12-31", &y, &m, &d), 0);
	ck_assert(y == 1969 && m == 12 && d == 31);
	ck_assert_int_eq(pm_civil_parse_date("0000-01-01", &y, &m, &d), 0);
	ck_assert(y == 0 && m == 1 && d == 1);
	for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
		y = m = d = -1;
		ck_assert_msg(pm_civil_parse_date(bad_dates[i], &y, &m, &d) == -EINVAL, "%s",
			      bad_dates[i]);
		ck_assert(y == -1 && m == -1 && d == -1); /* untouched */
	}
	ck_assert_int_eq(pm_civil_parse_date(NULL, &y, &m, &d), -EINVAL);

	ck_assert_int_eq(pm_civil_parse_utc("1970-01-01T00:00:00Z", &ns), 0);
	ck_assert_int_eq(ns, 0);
	ck_assert_int_eq(pm_civil_parse_utc("2038-01-19T03:14:08Z", &ns), 0);
	ck_assert_int_eq(ns, INT64_C(2147483648) * NS);
	/* 2026-01-01: 56 years with 14 leap days (1972 .. 2024) = 20454 days; + 15 min */
	ck_assert_int_eq(pm_civil_parse_utc("2026-01-01T00:15:00Z", &ns), 0);
	ck_assert_int_eq(ns, (INT64_C(20454) * 86400 + 900) * NS);
	ck_assert_int_eq(pm_civil_parse_utc("1969-12-31T23:59:59Z", &ns), 0);
	ck_assert_int_eq(ns, -NS);
	ck_assert_int_eq(pm_civil_parse_utc("2262-04-11T23:47:17Z", &ns), -ERANGE);
	for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
		ns = 42;
		ck_assert_msg(pm_civil_parse_utc(bad_times[i], &ns) == -EINVAL, "%s", bad_times[i]);
		ck_assert_int_eq(ns, 42);
	}
}
END_TEST

START_TEST(test_format)
{
	char buf[PM_CIVIL_UTC_LEN], small[12];

	ck_assert_str_eq(pm_civil_format_date(2026, 3, 1, buf, sizeof(buf)), "2026-03-01");
	ck_assert_str_eq(pm_civil_format_date(999, 12, 31, buf, sizeof(buf)), "0999-12-31");
	ck_assert_str_eq(pm_civil_format_utc(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
	ck_assert_str_eq(pm_civil_format_utc(-1, buf, sizeof(buf)), "1969-12-31T23:59:59Z");
	ck_assert_str_eq(
	    pm_civil_format_utc(INT64_C(2147483648) * NS + 999999999, buf, sizeof(buf)),
	    "2038-01-19T03:14:08Z");
	ck_assert_str_eq(pm_civil_format_utc(INT64_MAX, buf, sizeof(buf)), "2262-04-11T23:47:16Z");
	/* INT64_MIN ns = -9223372037 s (rounded down) = -106752 days + 763 s (the well-known
	 * 1677-09-21T00:12:43.145Z) */
	ck_assert_str_eq(pm_civil_format_utc(INT64_MIN, buf, sizeof(buf)), "1677-09-21T00:12:43Z");
	ck_assert_str_eq(pm_civil_format_utc(5 * NS, small, sizeof(small)), "5000000000");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("civil_time");
	TCase *tc = tcase_create("civil_time");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_day_numbers);
	tcase_add_test(tc, test_day_numbers_walk);
	tcase_add_test(tc, test_calendar);
	tcase_add_test(tc, test_utc_ns);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
