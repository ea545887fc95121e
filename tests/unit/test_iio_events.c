// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decoding the driver's IIO event codes (docs/abi.md §6): unmodified codes, channel type +
 * index + type thresh + direction. The codes are put together here by the uapi layout of
 * <linux/iio/events.h>: type << 56 | direction << 48 | channel type << 32 | channel.
 */
#include <check.h>
#include <errno.h>

#include <linux/iio/types.h>

#include "acquire/source-iio-events.h"

static uint64_t code(unsigned chan_type, int chan, unsigned type, unsigned dir)
{
	return (uint64_t)type << 56 | (uint64_t)dir << 48 | (uint64_t)chan_type << 32 |
	       (uint16_t)chan;
}

START_TEST(test_swell_dip)
{
	struct pm_chip_event ev;

	ck_assert_int_eq(pm_iio_event_decode(
			     code(IIO_ALTVOLTAGE, 1, IIO_EV_TYPE_THRESH, IIO_EV_DIR_RISING), &ev),
			 0);
	ck_assert_int_eq(ev.kind, PM_CHIP_SWELL);
	ck_assert_int_eq(ev.phase, 1);
	ck_assert(ev.rising);
	ck_assert_int_eq(pm_iio_event_decode(
			     code(IIO_ALTVOLTAGE, 2, IIO_EV_TYPE_THRESH, IIO_EV_DIR_FALLING), &ev),
			 0);
	ck_assert_int_eq(ev.kind, PM_CHIP_DIP);
	ck_assert_int_eq(ev.phase, 2);
	ck_assert(!ev.rising);
}
END_TEST

/* Reverse power: falling = became export, rising = back to import; overcurrent 0..3 (N). */
START_TEST(test_reverse_power_overcurrent)
{
	struct pm_chip_event ev;

	ck_assert_int_eq(
	    pm_iio_event_decode(code(IIO_POWER, 0, IIO_EV_TYPE_THRESH, IIO_EV_DIR_FALLING), &ev),
	    0);
	ck_assert_int_eq(ev.kind, PM_CHIP_REVERSE);
	ck_assert(!ev.rising);
	ck_assert_int_eq(
	    pm_iio_event_decode(code(IIO_POWER, 0, IIO_EV_TYPE_THRESH, IIO_EV_DIR_RISING), &ev), 0);
	ck_assert(ev.rising);
	ck_assert_int_eq(
	    pm_iio_event_decode(code(IIO_CURRENT, 3, IIO_EV_TYPE_THRESH, IIO_EV_DIR_RISING), &ev),
	    0);
	ck_assert_int_eq(ev.kind, PM_CHIP_OVERCURRENT);
	ck_assert_int_eq(ev.phase, 3);
}
END_TEST

START_TEST(test_unknown_codes_refused)
{
	struct pm_chip_event ev;

	/* another channel type, another event type, a channel out of range, either direction */
	ck_assert_int_eq(
	    pm_iio_event_decode(code(IIO_TEMP, 0, IIO_EV_TYPE_THRESH, IIO_EV_DIR_RISING), &ev),
	    -EINVAL);
	ck_assert_int_eq(
	    pm_iio_event_decode(code(IIO_ALTVOLTAGE, 0, IIO_EV_TYPE_MAG, IIO_EV_DIR_RISING), &ev),
	    -EINVAL);
	ck_assert_int_eq(pm_iio_event_decode(
			     code(IIO_ALTVOLTAGE, 3, IIO_EV_TYPE_THRESH, IIO_EV_DIR_RISING), &ev),
			 -EINVAL);
	ck_assert_int_eq(
	    pm_iio_event_decode(code(IIO_POWER, 0, IIO_EV_TYPE_THRESH, IIO_EV_DIR_EITHER), &ev),
	    -EINVAL);
	ck_assert_int_eq(
	    pm_iio_event_decode(code(IIO_CURRENT, 4, IIO_EV_TYPE_THRESH, IIO_EV_DIR_RISING), &ev),
	    -EINVAL);
}
END_TEST

static Suite *iio_events_suite(void)
{
	Suite *s = suite_create("iio_events");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_swell_dip);
	tcase_add_test(tc, test_reverse_power_overcurrent);
	tcase_add_test(tc, test_unknown_codes_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(iio_events_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
