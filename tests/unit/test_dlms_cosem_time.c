// SPDX-License-Identifier: GPL-2.0-only
/*
 * COSEM date-time (daemon/core/dlms/cosem-time.c). The reference's captured clock value
 * (the DLMS reference sheet: 07 EA 0B 17 01 04 23 08 00 00 00 00) and dates whose UTC is
 * counted by hand beside them.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/cosem-time.h"

/* 2026-11-23T04:35:08Z: 1970..2025 is 56 years with 14 leap days (1972 .. 2024) = 20454 days;
 * 2026 to 23 November: 31+28+31+30+31+30+31+31+30+31 = 304, + 22 = 326; 20780 days. */
#define REF_DAYS INT64_C(20780)
#define REF_UTC (REF_DAYS * 86400 + 4 * 3600 + 35 * 60 + 8)

static const uint8_t ref_bytes[12] = {0x07, 0xEA, 0x0B, 0x17, 0x01, 0x04,
				      0x23, 0x08, 0x00, 0x00, 0x00, 0x00};

START_TEST(test_reference_value)
{
	struct pm_cosem_datetime dt;
	uint8_t out[PM_COSEM_DATETIME_LEN];
	int64_t utc;

	pm_cosem_datetime_decode(ref_bytes, &dt);
	ck_assert_uint_eq(dt.year, 2026);
	ck_assert_uint_eq(dt.month, 11);
	ck_assert_uint_eq(dt.day, 23);
	ck_assert_uint_eq(dt.dow, 1); /* Monday */
	ck_assert_uint_eq(dt.hour, 4);
	ck_assert_uint_eq(dt.min, 35);
	ck_assert_uint_eq(dt.sec, 8);
	ck_assert_uint_eq(dt.hundredths, 0);
	ck_assert_int_eq(dt.deviation, 0);
	ck_assert_uint_eq(dt.status, 0);
	ck_assert(pm_cosem_datetime_check(&dt));
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), 0);
	ck_assert_int_eq(utc, REF_UTC);

	pm_cosem_datetime_encode(&dt, out);
	ck_assert(memcmp(out, ref_bytes, sizeof(out)) == 0);

	memset(&dt, 0xAA, sizeof(dt));
	pm_cosem_datetime_from_utc(REF_UTC, 0, 0, &dt);
	pm_cosem_datetime_encode(&dt, out);
	ck_assert(memcmp(out, ref_bytes, sizeof(out)) == 0);
}
END_TEST

START_TEST(test_deviation_sign)
{
	struct pm_cosem_datetime dt;
	uint8_t out[PM_COSEM_DATETIME_LEN];
	int64_t utc;
	/* Paris in winter, UTC+01:00: 05:35:08 local, deviation -60 = 0xFFC4 */
	static const uint8_t paris[12] = {0x07, 0xEA, 0x0B, 0x17, 0x01, 0x05,
					  0x23, 0x08, 0x00, 0xFF, 0xC4, 0x00};
	/* Paris in summer, UTC+02:00, daylight saving: 2026-07-01T10:00:00Z is 12:00 local,
	 * a Wednesday; deviation -120 = 0xFF88, status 0x80 */
	static const uint8_t summer[12] = {0x07, 0xEA, 0x07, 0x01, 0x03, 0x0C,
					   0x00, 0x00, 0x00, 0xFF, 0x88, 0x80};
	/* 2026-07-01 is day 20454 + 181 (31+28+31+30+31+30) = 20635 */
	const int64_t summer_utc = INT64_C(20635) * 86400 + 10 * 3600;
	/* New York in winter, UTC-05:00: deviation +300 = 0x012C; 23:35:08 on the 22nd, Sunday */
	static const uint8_t new_york[12] = {0x07, 0xEA, 0x0B, 0x16, 0x07, 0x17,
					     0x23, 0x08, 0x00, 0x01, 0x2C, 0x00};

	pm_cosem_datetime_from_utc(REF_UTC, 3600, 0, &dt);
	ck_assert_int_eq(dt.deviation, -60);
	pm_cosem_datetime_encode(&dt, out);
	ck_assert(memcmp(out, paris, sizeof(out)) == 0);
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), 0);
	ck_assert_int_eq(utc, REF_UTC);

	pm_cosem_datetime_from_utc(summer_utc, 7200, PM_COSEM_STATUS_DST, &dt);
	pm_cosem_datetime_encode(&dt, out);
	ck_assert(memcmp(out, summer, sizeof(out)) == 0);
	pm_cosem_datetime_decode(summer, &dt);
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), 0);
	ck_assert_int_eq(utc, summer_utc);

	pm_cosem_datetime_from_utc(REF_UTC, -5 * 3600, 0, &dt);
	pm_cosem_datetime_encode(&dt, out);
	ck_assert(memcmp(out, new_york, sizeof(out)) == 0);
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), 0);
	ck_assert_int_eq(utc, REF_UTC);
}
END_TEST

START_TEST(test_to_utc_refusals)
{
	struct pm_cosem_datetime dt, base;
	int64_t utc = 42;

	pm_cosem_datetime_decode(ref_bytes, &base);

	dt = base;
	dt.dow = 2; /* 2026-11-23 is a Monday */
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
	dt.dow = PM_COSEM_ANY; /* not given: fine */
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), 0);
	dt.hundredths = PM_COSEM_ANY;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), 0);
	ck_assert_int_eq(utc, REF_UTC);

	dt = base;
	dt.deviation = PM_COSEM_DEVIATION_ANY;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
	dt.deviation = 721;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
	dt.deviation = -720;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), 0);
	ck_assert_int_eq(utc, REF_UTC - 720 * 60);

	dt = base;
	dt.year = PM_COSEM_YEAR_ANY;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
	dt = base;
	dt.month = 0xFE; /* daylight savings begin: a pattern, not a date */
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
	dt = base;
	dt.month = 2;
	dt.day = 29; /* 2026 is no leap year */
	dt.dow = PM_COSEM_ANY;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
	dt = base;
	dt.hour = 24;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
	dt = base;
	dt.min = 60;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
	dt = base;
	dt.sec = 60;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
	dt = base;
	dt.hundredths = 100;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
	dt = base;
	dt.hour = PM_COSEM_ANY;
	ck_assert_int_eq(pm_cosem_datetime_to_utc(&dt, &utc), -1);
}
END_TEST

START_TEST(test_check)
{
	struct pm_cosem_datetime dt, base;
	/* everything not specified: a valid pattern */
	static const uint8_t any[12] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
					0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00};

	pm_cosem_datetime_decode(any, &dt);
	ck_assert_uint_eq(dt.year, PM_COSEM_YEAR_ANY);
	ck_assert_int_eq(dt.deviation, PM_COSEM_DEVIATION_ANY);
	ck_assert(pm_cosem_datetime_check(&dt));

	pm_cosem_datetime_decode(ref_bytes, &base);
	dt = base;
	dt.month = 0xFD; /* daylight savings end */
	dt.day = 0xFE;	 /* last day of the month */
	ck_assert(pm_cosem_datetime_check(&dt));
	dt.month = 13;
	ck_assert(!pm_cosem_datetime_check(&dt));
	dt = base;
	dt.day = 0;
	ck_assert(!pm_cosem_datetime_check(&dt));
	dt = base;
	dt.month = 4;
	dt.day = 31; /* 31 April */
	ck_assert(!pm_cosem_datetime_check(&dt));
	dt.year = PM_COSEM_YEAR_ANY; /* any year's 31 April does not exist either, but a pattern
					without a year is not checked against a calendar */
	ck_assert(pm_cosem_datetime_check(&dt));
	dt = base;
	dt.dow = 8;
	ck_assert(!pm_cosem_datetime_check(&dt));
	dt = base;
	dt.deviation = -721;
	ck_assert(!pm_cosem_datetime_check(&dt));
	dt = base;
	dt.hundredths = 99;
	ck_assert(pm_cosem_datetime_check(&dt));
}
END_TEST

START_TEST(test_from_utc_edges)
{
	struct pm_cosem_datetime dt;

	/* 1969-12-31T23:59:59Z: the day before the epoch, a Wednesday */
	pm_cosem_datetime_from_utc(-1, 0, 0, &dt);
	ck_assert(dt.year == 1969 && dt.month == 12 && dt.day == 31 && dt.dow == 3);
	ck_assert(dt.hour == 23 && dt.min == 59 && dt.sec == 59);
	/* a year beyond 16 bits: not specified, and flagged invalid */
	pm_cosem_datetime_from_utc(INT64_MAX, 0, 0, &dt);
	ck_assert_uint_eq(dt.year, PM_COSEM_YEAR_ANY);
	ck_assert(dt.status & PM_COSEM_STATUS_INVALID);
	pm_cosem_datetime_from_utc(INT64_MIN, INT32_MIN, 0, &dt);
	ck_assert_uint_eq(dt.year, PM_COSEM_YEAR_ANY);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlms_cosem_time");
	TCase *tc = tcase_create("dlms_cosem_time");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_reference_value);
	tcase_add_test(tc, test_deviation_sign);
	tcase_add_test(tc, test_to_utc_refusals);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_from_utc_edges);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
