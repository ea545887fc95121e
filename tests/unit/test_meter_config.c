// SPDX-License-Identifier: GPL-2.0-only
/* The meter's configuration description and the config_change diff. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "app/meter-config.h"

static struct pm_conf_meter sim_meter(void)
{
	struct pm_conf_meter c;

	memset(&c, 0, sizeof(c));
	strcpy(c.name, "m");
	c.source = PM_SOURCE_SIM;
	for (int i = 0; i < PM_CONF_PHASES; i++) {
		c.sim.v_mv[i] = 230000;
		c.sim.i_ma[i] = 10000;
	}
	c.sim.f_mhz = 50000;
	c.sim.rate_hz = 10;
	c.sim.speed = 1;
	c.sim.nj_per_code = 1000000;
	c.checkpoint_wh = 1;
	c.checkpoint_interval_s = 60;
	c.profile_period_min = 15;
	c.demand_period_min = 15;
	c.demand_subintervals = 1;
	c.modbus_tcp_port = 1502;
	return c;
}

START_TEST(test_describe_lists_what_meters)
{
	struct pm_conf_meter c = sim_meter();
	char buf[1024];

	ck_assert_int_eq(pm_meter_config_describe(&c, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "source=sim\n"
			      "sim_voltage_mv=230000 230000 230000\n"
			      "sim_current_ma=10000 10000 10000\n"
			      "sim_angle_mdeg=0 0 0\n"
			      "sim_frequency_mhz=50000\n"
			      "sim_rate_hz=10\n"
			      "sim_speed=1\n"
			      "sim_nj_per_code=1000000\n"
			      "wiring=wye\n"
			      "checkpoint_wh=1\n"
			      "checkpoint_interval=60\n"
			      "profile_period=15\n"
			      "demand_period=15\n"
			      "demand_subintervals=1\n");
	ck_assert_int_eq(pm_meter_config_describe(&c, buf, 20), -ENOBUFS);
}
END_TEST

/* A view (the Modbus port) is not part of it: changing it changes nothing. */
START_TEST(test_views_not_described)
{
	struct pm_conf_meter a = sim_meter(), b = sim_meter();
	char da[1024], db[1024], diff[256];

	b.modbus_tcp_port = 0;
	ck_assert_int_eq(pm_meter_config_describe(&a, da, sizeof(da)), 0);
	ck_assert_int_eq(pm_meter_config_describe(&b, db, sizeof(db)), 0);
	ck_assert_uint_eq(pm_meter_config_diff(da, db, diff, sizeof(diff)), 0);
	ck_assert_str_eq(diff, "");
}
END_TEST

START_TEST(test_diff_names_changes)
{
	struct pm_conf_meter a = sim_meter(), b = sim_meter();
	char da[1024], db[1024], diff[256];

	b.wiring = PM_WIRING_DELTA;
	b.sim.speed = 5;
	ck_assert_int_eq(pm_meter_config_describe(&a, da, sizeof(da)), 0);
	ck_assert_int_eq(pm_meter_config_describe(&b, db, sizeof(db)), 0);
	ck_assert_uint_eq(pm_meter_config_diff(da, db, diff, sizeof(diff)), 2);
	ck_assert_str_eq(diff, "sim_speed 1 -> 5, wiring wye -> delta");
	/* another source: the keys of one only show (none) on the other side */
	ck_assert_uint_eq(pm_meter_config_diff("source=sim\nsim_speed=1\n",
					       "source=iio\nuri=local:\n", diff, sizeof(diff)),
			  3);
	ck_assert_str_eq(diff, "source sim -> iio, sim_speed 1 -> (none), uri (none) -> local:");
	/* truncated, still terminated, still counted */
	ck_assert_uint_eq(pm_meter_config_diff(da, db, diff, 10), 2);
	ck_assert_uint_eq(strlen(diff), 9);
}
END_TEST

/*
 * An iio meter: the acquisition keys are described only when set, so a digest stored before
 * they existed still matches a configuration that does not use them.
 */
START_TEST(test_iio_acquisition_described_when_set)
{
	struct pm_conf_meter c = sim_meter();
	char buf[1024];

	c.source = PM_SOURCE_IIO;
	strcpy(c.uri, "local:");
	strcpy(c.device, "ade9000");
	c.poll_interval_ms = 250;
	ck_assert_int_eq(pm_meter_config_describe(&c, buf, sizeof(buf)), 0);
	ck_assert_ptr_eq(strstr(buf, "acquisition"), NULL);
	ck_assert_ptr_eq(strstr(buf, "full_scale"), NULL);
	ck_assert_ptr_eq(strstr(buf, "poll_interval"), NULL);
	c.acquisition = PM_ACQ_DIRECT;
	c.poll_interval_ms = 100;
	c.full_scale_mv = 566393;
	c.full_scale_ma = 141421;
	ck_assert_int_eq(pm_meter_config_describe(&c, buf, sizeof(buf)), 0);
	ck_assert_ptr_ne(strstr(buf, "sampling_frequency=0\n"
				     "acquisition=direct\n"
				     "poll_interval_ms=100\n"
				     "full_scale_voltage_mv=566393\n"
				     "full_scale_current_ma=141421\n"),
			 NULL);
}
END_TEST

static Suite *meter_config_suite(void)
{
	Suite *s = suite_create("meter_config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_describe_lists_what_meters);
	tcase_add_test(tc, test_views_not_described);
	tcase_add_test(tc, test_diff_names_changes);
	tcase_add_test(tc, test_iio_acquisition_described_when_set);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(meter_config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
