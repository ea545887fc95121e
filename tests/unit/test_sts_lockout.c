// SPDX-License-Identifier: GPL-2.0-only
/*
 * Token entry lockout (daemon/core/sts/sts-lockout.c) against the prepayment meter manual's
 * §4.2.1 and its example: 5 invalid entries lock entry until the next hour; the 5th lockout of
 * a day locks it until 00:01 the next day. Times by hand: day D = 20458 (2026-01-05), local
 * seconds of the day; UTC is taken equal to local (the adapter resolves the zone).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "core/sts/sts-lockout.h"

#define DAY 20458
#define H 3600

static struct sts_entry_time at(int32_t day, uint32_t second)
{
	return (struct sts_entry_time){
	    .utc = (int64_t)day * 86400 + second, .local_day = day, .second_of_day = second};
}

/* Five invalid entries a minute apart from @second on DAY; true when the 5th locked. */
static bool five_invalid(struct sts_lockout *l, int32_t day, uint32_t second)
{
	bool locked = false;

	for (uint32_t i = 0; i < 5; i++) {
		struct sts_entry_time t = at(day, second + 60 * i);

		ck_assert(!sts_lockout_locked(l, &t));
		locked = sts_lockout_invalid(l, &t);
		ck_assert(locked == (i == 4));
	}
	return locked;
}

/* The manual's example, 1 pm to 5 pm: locked until 2, 3, 4, 5 pm, then until 00:01 next day. */
START_TEST(test_manual_example)
{
	struct sts_lockout l = {0};
	struct sts_entry_time t;

	for (uint32_t hour = 13; hour <= 16; hour++) {
		ck_assert(five_invalid(&l, DAY, hour * H));
		ck_assert_int_eq(l.until_day, DAY);
		ck_assert_uint_eq(l.until_second, (hour + 1) * H);
		t = at(DAY, (hour + 1) * H - 1); /* a second before the hour: still locked */
		ck_assert(sts_lockout_locked(&l, &t));
		t = at(DAY, (hour + 1) * H);
		ck_assert(!sts_lockout_locked(&l, &t));
	}
	ck_assert(five_invalid(&l, DAY, 17 * H));
	ck_assert_uint_eq(l.lockouts, 5);
	ck_assert_int_eq(l.until_day, DAY + 1);
	ck_assert_uint_eq(l.until_second, 60);
	t = at(DAY, 23 * H + 59 * 60);
	ck_assert(sts_lockout_locked(&l, &t));
	t = at(DAY + 1, 59); /* 00:00:59 */
	ck_assert(sts_lockout_locked(&l, &t));
	t = at(DAY + 1, 60); /* 00:01 */
	ck_assert(!sts_lockout_locked(&l, &t));
	/* a new day counts its lockouts afresh: the next one is until the next hour */
	ck_assert(five_invalid(&l, DAY + 1, 9 * H));
	ck_assert_uint_eq(l.lockouts, 1);
	ck_assert_int_eq(l.until_day, DAY + 1);
	ck_assert_uint_eq(l.until_second, 10 * H);
}
END_TEST

/* Entry from 23:00: the next hour is 00:00 the next day. */
START_TEST(test_next_hour_after_midnight)
{
	struct sts_lockout l = {0};

	ck_assert(five_invalid(&l, DAY, 23 * H + 10 * 60));
	ck_assert_int_eq(l.until_day, DAY + 1);
	ck_assert_uint_eq(l.until_second, 0);
}
END_TEST

/* A session is 10 minutes from its first invalid entry: 4 invalid, then one 10 minutes after
 * the first starts a new session (count 1), and 4 more lock. */
START_TEST(test_session_of_ten_minutes)
{
	struct sts_lockout l = {0};
	struct sts_entry_time t;

	for (uint32_t i = 0; i < 4; i++) {
		t = at(DAY, 10 * H + 60 * i);
		ck_assert(!sts_lockout_invalid(&l, &t));
	}
	t = at(DAY, 10 * H + 600);
	ck_assert(!sts_lockout_invalid(&l, &t));
	ck_assert_uint_eq(l.invalid, 1);
	for (uint32_t i = 1; i < 4; i++) {
		t = at(DAY, 10 * H + 600 + 60 * i);
		ck_assert(!sts_lockout_invalid(&l, &t));
	}
	t = at(DAY, 10 * H + 600 + 240);
	ck_assert(sts_lockout_invalid(&l, &t));
	ck_assert_uint_eq(l.until_second, 11 * H);
}
END_TEST

/* A valid entry ends the session: 4 invalid, a valid one, 4 invalid: not locked. */
START_TEST(test_valid_entry_ends_session)
{
	struct sts_lockout l = {0};
	struct sts_entry_time t;

	for (uint32_t i = 0; i < 4; i++) {
		t = at(DAY, 10 * H + 10 * i);
		ck_assert(!sts_lockout_invalid(&l, &t));
	}
	sts_lockout_valid(&l);
	for (uint32_t i = 0; i < 4; i++) {
		t = at(DAY, 10 * H + 50 + 10 * i);
		ck_assert(!sts_lockout_invalid(&l, &t));
		ck_assert(!sts_lockout_locked(&l, &t));
	}
	ck_assert_int_eq(sts_lockout_check(&l), 0);
}
END_TEST

START_TEST(test_corrupt_state_refused)
{
	struct sts_lockout l = {.invalid = 5};

	ck_assert_int_eq(sts_lockout_check(&l), -EINVAL);
	l = (struct sts_lockout){.until_second = 86400};
	ck_assert_int_eq(sts_lockout_check(&l), -EINVAL);
	l = (struct sts_lockout){.lockouts = 6};
	ck_assert_int_eq(sts_lockout_check(&l), -EINVAL);
}
END_TEST

static Suite *lockout_suite(void)
{
	Suite *s = suite_create("sts_lockout");
	TCase *tc = tcase_create("sts_lockout");

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */

	tcase_add_test(tc, test_manual_example);
	tcase_add_test(tc, test_next_hour_after_midnight);
	tcase_add_test(tc, test_session_of_ten_minutes);
	tcase_add_test(tc, test_valid_entry_ends_session);
	tcase_add_test(tc, test_corrupt_state_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lockout_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
