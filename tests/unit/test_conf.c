// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterd's configuration parser (daemon/app/conf.c): a good file gives the values written in
 * it and the documented defaults; every kind of bad file gives one error naming file:line and
 * leaves the previous configuration untouched.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/billing-conf.h"
#include "app/conf.h"

static char path[64];

static void write_conf(const char *text)
{
	int fd;

	strcpy(path, "/tmp/test_conf.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void remove_conf(void)
{
	unlink(path);
}

static const char good[] = "# a comment\n"
			   "[daemon]\n"
			   "log_interval = 10\n"
			   "\n"
			   "[meter feeder_1]\n"
			   "source = iio\n"
			   "uri = ip:192.0.2.7\n"
			   "device = meter0 ; inline comment\n"
			   "sampling_frequency = 50\n"
			   "buffer_scans = 64\n"
			   "stall_timeout = 3\n"
			   "acquisition = direct\n"
			   "poll_interval_ms = 500\n"
			   "full_scale_voltage_mv = 566393\n"
			   "full_scale_current_ma = 141421\n"
			   "[meter sim]\n"
			   "source = sim\n"
			   "sim_voltage_mv = 230000 231000 229000\n"
			   "sim_current_ma = 5000\n"
			   "sim_angle_mdeg = 0 -30000 180000\n"
			   "sim_frequency_mhz = 60000\n"
			   "sim_rate_hz = 100\n"
			   "sim_speed = 3600\n"
			   "sim_nj_per_code = 3963573\n"
			   "[meter defaults]\n"
			   "source = iio\n";

START_TEST(test_good)
{
	struct pm_conf c;
	char err[256] = "";
	const struct pm_conf_meter *m;

	write_conf(good);
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(c.log_interval_s, 10);
	ck_assert_uint_eq(c.n_meters, 3);

	m = &c.meter[0];
	ck_assert_str_eq(m->name, "feeder_1");
	ck_assert_uint_eq(m->line, 5);
	ck_assert_int_eq(m->source, PM_SOURCE_IIO);
	ck_assert_str_eq(m->uri, "ip:192.0.2.7");
	ck_assert_str_eq(m->device, "meter0");
	ck_assert_uint_eq(m->sampling_frequency, 50);
	ck_assert_uint_eq(m->buffer_scans, 64);
	ck_assert_uint_eq(m->stall_timeout_s, 3);
	ck_assert_int_eq(m->acquisition, PM_ACQ_DIRECT);
	ck_assert_uint_eq(m->poll_interval_ms, 500);
	ck_assert_int_eq(m->full_scale_mv, 566393);
	ck_assert_int_eq(m->full_scale_ma, 141421);

	m = &c.meter[1];
	ck_assert_str_eq(m->name, "sim");
	ck_assert_int_eq(m->source, PM_SOURCE_SIM);
	ck_assert_int_eq(m->sim.v_mv[0], 230000);
	ck_assert_int_eq(m->sim.v_mv[1], 231000);
	ck_assert_int_eq(m->sim.v_mv[2], 229000);
	/* one value: every phase */
	ck_assert_int_eq(m->sim.i_ma[0], 5000);
	ck_assert_int_eq(m->sim.i_ma[1], 5000);
	ck_assert_int_eq(m->sim.i_ma[2], 5000);
	ck_assert_int_eq(m->sim.angle_mdeg[1], -30000);
	ck_assert_int_eq(m->sim.angle_mdeg[2], 180000);
	ck_assert_int_eq(m->sim.f_mhz, 60000);
	ck_assert_uint_eq(m->sim.rate_hz, 100);
	ck_assert_uint_eq(m->sim.speed, 3600);
	ck_assert_uint_eq(m->sim.nj_per_code, 3963573);

	/* the documented defaults */
	m = &c.meter[2];
	ck_assert_str_eq(m->uri, "local:");
	ck_assert_str_eq(m->device, "ade9000");
	ck_assert_uint_eq(m->sampling_frequency, 0);
	ck_assert_uint_eq(m->buffer_scans, 16);
	ck_assert_uint_eq(m->stall_timeout_s, 5);
	ck_assert_int_eq(m->acquisition, PM_ACQ_AUTO);
	ck_assert_uint_eq(m->poll_interval_ms, 250);
	ck_assert_int_eq(m->full_scale_mv, 0);
	ck_assert_int_eq(m->full_scale_ma, 0);
	remove_conf();
}
END_TEST

START_TEST(test_default_log_interval)
{
	struct pm_conf c;
	char err[256];

	write_conf("[meter a]\nsource = sim\n");
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.log_interval_s, 1);
	ck_assert_uint_eq(c.meter[0].sim.v_mv[2], 230000);
	ck_assert_uint_eq(c.meter[0].sim.rate_hz, 10);
	ck_assert_uint_eq(c.meter[0].sim.speed, 1);
	ck_assert_uint_eq(c.meter[0].profile_period_min, 15);
	ck_assert_uint_eq(c.meter[0].demand_period_min, 15);
	ck_assert_uint_eq(c.meter[0].demand_subintervals, 1);
	remove_conf();
	write_conf("[meter a]\nsource = sim\nprofile_period = 60\ndemand_period = 30\n"
		   "demand_subintervals = 5\n");
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.meter[0].profile_period_min, 60);
	ck_assert_uint_eq(c.meter[0].demand_period_min, 30);
	ck_assert_uint_eq(c.meter[0].demand_subintervals, 5);
	remove_conf();
}
END_TEST

/* The account keys: money in currency units (1.00 = 100000 mu), defaults credit / confirm. */
START_TEST(test_account_keys)
{
	struct pm_conf c;
	char err[256];

	write_conf("[meter a]\nsource = sim\n");
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.meter[0].account_mode, PM_ACCOUNT_CREDIT);
	ck_assert(c.meter[0].reconnect_needs_confirmation);
	/* §8.9: the charges due while powered down are not collected unless asked for */
	ck_assert(!c.meter[0].power_down_catch_up);
	ck_assert_str_eq(c.meter[0].sts_decoder_key_file, "");
	ck_assert_str_eq(c.meter[0].tariff_file, "");
	remove_conf();
	write_conf("[meter a]\nsource = sim\naccount_mode = payg\npayg_debt_limit = -10.50\n"
		   "emergency_credit = 5.00\nemergency_credit_threshold = 1\nlow_credit = 0.25\n"
		   "load_limit_w = 7200\ntime_zone = Europe/London\ntariff_file = /etc/t.json\n"
		   "reconnect_needs_confirmation = no\npower_down_catch_up = yes\n"
		   "sts_decoder_key_file = /etc/polymeter/sts/a.key\n"
		   "sts_supply_group_code = 012345\nsts_key_revision = 2\nsts_base_date = 2014\n");
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.meter[0].account_mode, PM_ACCOUNT_PAYG);
	ck_assert_int_eq(c.meter[0].payg_debt_limit_mu, -1050000);
	ck_assert_int_eq(c.meter[0].emergency_credit_mu, 500000);
	ck_assert_int_eq(c.meter[0].emergency_threshold_mu, 100000);
	ck_assert_int_eq(c.meter[0].low_credit_mu, 25000);
	ck_assert_uint_eq(c.meter[0].load_limit_w, 7200);
	ck_assert_str_eq(c.meter[0].time_zone, "Europe/London");
	ck_assert_str_eq(c.meter[0].tariff_file, "/etc/t.json");
	ck_assert(!c.meter[0].reconnect_needs_confirmation);
	ck_assert(c.meter[0].power_down_catch_up);
	ck_assert_str_eq(c.meter[0].sts_decoder_key_file, "/etc/polymeter/sts/a.key");
	/* the setup: the keys given, the others their defaults (TI 1, KT 2, no expiry) */
	ck_assert(c.meter[0].has_sts_setup);
	ck_assert_uint_eq(c.meter[0].sts_setup.sgc, 12345);
	ck_assert_uint_eq(c.meter[0].sts_setup.krn, 2);
	ck_assert_uint_eq(c.meter[0].sts_setup.base, STS_BASE_2014);
	ck_assert_uint_eq(c.meter[0].sts_setup.ti, 1);
	ck_assert_uint_eq(c.meter[0].sts_setup.kt, 2);
	ck_assert_uint_eq(c.meter[0].sts_setup.ken, 255);
	remove_conf();
}
END_TEST

/* power_down_catch_up reaches billing: the manual's rule (§8.9, not collected) unless the key
 * says yes. */
START_TEST(test_power_down_catch_up_reaches_billing)
{
	struct pm_billing_config bc;
	struct pm_conf c;
	char err[256];

	write_conf("[meter a]\nsource = sim\n");
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	pm_billing_conf(&c.meter[0], false, &bc);
	ck_assert(!bc.power_down_catch_up);
	remove_conf();
	write_conf("[meter a]\nsource = sim\npower_down_catch_up = yes\n");
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	pm_billing_conf(&c.meter[0], false, &bc);
	ck_assert(bc.power_down_catch_up);
	remove_conf();
}
END_TEST

/* Each bad file, the line its error must name and a word of the message. */
static const struct bad {
	const char *text;
	unsigned line;
	const char *says;
} bad[] = {
    {"[meter a]\nsource = sim\nfoo = 1\n", 3, "unknown key 'foo'"},
    {"[daemon]\nverbose = 1\n[meter a]\nsource = sim\n", 2, "unknown key 'verbose'"},
    {"[meter a]\nsource = sim\n[bogus]\nx = 1\n", 3, "unknown section [bogus]"},
    {"[meter a]\nsource = sim\n[meters b]\n", 3, "unknown section"},
    {"[meter a]\nsource = sim\nsource = iio\n", 3, "given twice"},
    {"[meter a]\nsource = sim\n[meter a]\nsource = sim\n", 3, "[meter a] given twice"},
    {"[daemon]\n[meter a]\nsource = sim\n[daemon]\n", 4, "[daemon] given twice"},
    {"[meter a]\nsource = iio\nbuffer_scans = 0\n", 3, "buffer_scans = '0'"},
    {"[meter a]\nsource = iio\nsampling_frequency = 10Hz\n", 3, "expected an integer"},
    {"[meter a]\nsource = iio\nstall_timeout = -1\n", 3, "stall_timeout"},
    {"[meter a]\nsource = modbus\n", 2, "expected iio, sim or replay"},
    {"[daemon]\nlog_interval = 1\n[meter a]\nuri = local:\n", 3, "no 'source'"},
    {"[meter a]\n", 1, "no 'source'"},
    {"[meter a]\nsim_speed = 10\nsource = iio\n", 2, "applies to source = sim"},
    {"[meter a]\nsource = sim\ndevice = meter0\n", 3, "applies to source = iio"},
    {"[daemon]\nlog_interval = 5\n", 2, "no [meter NAME] section"},
    {"", 1, "no [meter NAME] section"},
    {"[meter a]\nsource = sim\nthis is not a pair\n", 3, "syntax error"},
    {"[meter a]\nsource = sim\n  continued\n", 3, "syntax error"},
    {"[meter a\nsource = sim\n", 1, "syntax error"},
    {"source = sim\n[meter a]\nsource = sim\n", 1, "outside of any section"},
    {"[meter a.b]\nsource = sim\n", 1, "bad meter name"},
    {"[meter ]\nsource = sim\n", 1, "unknown section"},
    {"[meter abcdefghijklmnopqrstuvwxyz0123456]\nsource = sim\n", 1, "bad meter name"},
    {"[meter a]\nsource = sim\nsim_current_ma = 1 2\n", 3, "1 or 3 integers"},
    {"[meter a]\nsource = sim\nsim_current_ma = 1 2 3 4\n", 3, "1 or 3 integers"},
    {"[meter a]\nsource = sim\nsim_angle_mdeg = 400000\n", 3, "sim_angle_mdeg"},
    {"[meter a]\nsource = sim\nsim_rate_hz = 0\n", 3, "sim_rate_hz"},
    {"[meter a]\nsource = sim\nsim_speed = 99999999999999999999\n", 3, "sim_speed"},
    {"[meter a]\nsource = iio\nuri =\n", 3, "uri"},
    {"[daemon]\nlog_interval = x\n[meter a]\nsource = sim\n", 2, "log_interval"},
    {"[meter a]\nsource = sim\nprofile_period = 20\n", 3, "profile_period"},
    {"[meter a]\nsource = sim\ndemand_period = 60\n", 3, "demand_period"},
    {"[meter a]\nsource = sim\ndemand_subintervals = 7\n", 3, "demand_subintervals"},
    {"[meter a]\nsource = sim\nsim_voltage_error_ppm = 200001\n", 3, "sim_voltage_error_ppm"},
    {"[meter a]\nsource = sim\nsim_current_noise_ma = -1\n", 3, "sim_current_noise_ma"},
    {"[meter a]\nsource = iio\nsim_current_error_ppm = 0\n", 3, "applies to source = sim"},
    {"[meter a]\nsource = sim\nsim_dip_percent = 90\n", 3, "a dip is below 90 %"},
    {"[meter a]\nsource = sim\nsim_dip_s = 0\n", 3, "sim_dip_s"},
    {"[meter a]\nsource = iio\nsim_dip_every_s = 60\n", 3, "applies to source = sim"},
    {"[meter a]\nsource = sim\nsim_dip_every_s = 10\nsim_dip_s = 10\n", 4,
     "sim_dip_s = 10 must be shorter than sim_dip_every_s = 10"},
    {"[meter a]\nsource = sim\nsim_dip_every_s = 1\n", 3,
     "sim_dip_s = 1 must be shorter than sim_dip_every_s = 1"},
    /* several meters on one RTU bus: one address each, one line setting */
    {"[meter a]\nsource = sim\nmodbus_rtu_device = /dev/ttyS1\n[meter b]\nsource = sim\n"
     "modbus_rtu_device = /dev/ttyS1\n",
     6, "modbus_unit 1 on /dev/ttyS1: [meter a] (line 3)"},
    {"[meter a]\nsource = sim\nmodbus_rtu_device = /dev/ttyS1\nmodbus_unit = 4\n"
     "[meter b]\nsource = sim\nmodbus_unit = 4\nmodbus_rtu_device = /dev/ttyS1\n",
     7, "already has that slave address"},
    {"[meter a]\nsource = sim\nmodbus_rtu_device = /dev/ttyS1\n[meter b]\nsource = sim\n"
     "modbus_rtu_device = /dev/ttyS1\nmodbus_unit = 2\nmodbus_rtu_line = 9600 E 1\n",
     8, "differs from [meter a]'s 19200 E 1"},
    {"[meter a]\nsource = sim\nmodbus_rtu_device = /dev/ttyS1\n[meter b]\nsource = sim\n"
     "modbus_rtu_device = /dev/ttyS1\nmodbus_unit = 2\nmodbus_rtu_rs485 = no\n",
     8, "modbus_rtu_rs485 = no on /dev/ttyS1 differs"},
    {"[meter a]\nsource = sim\nmodbus_writes = 1\n", 3, "modbus_writes = '1': expected yes or no"},
    {"[meter a]\nsource = sim\naccount_mode = postpaid\n", 3, "credit, prepayment or payg"},
    {"[meter a]\nsource = sim\npayg_debt_limit = -500.01\n", 3, "payg_debt_limit"},
    {"[meter a]\nsource = sim\npayg_debt_limit = 1.00\n", 3, "payg_debt_limit"},
    {"[meter a]\nsource = sim\nemergency_credit = 5,00\n", 3, "emergency_credit"},
    {"[meter a]\nsource = sim\nlow_credit = -1\n", 3, "low_credit"},
    {"[meter a]\nsource = sim\nload_limit_w = 24001\n", 3, "load_limit_w"},
    {"[meter a]\nsource = sim\ntariff_file = tariff.json\n", 3, "absolute path"},
    /* the decoder key is a secret: never in polymeterd.conf, which every user may read */
    {"[meter a]\nsource = sim\nsts_decoder_key = 0123456789abcdef\n", 3,
     "sts_decoder_key = '...': expected nothing here: the decoder key is a secret"},
    {"[meter a]\nsource = sim\nsts_decoder_key_file = a.key\n", 3, "absolute file path"},
    {"[meter a]\nsource = sim\nsts_supply_group_code = 12345\n", 3, "6 digits"},
    {"[meter a]\nsource = sim\naccount_unit = wh\n", 3, "currency or kwh"},
    {"[meter a]\nsource = sim\nsts_base_date = 2000\n", 3, "1993, 2014 or 2035"},
    {"[meter a]\nsource = sim\nsts_key_revision = 0\n", 3, "key revision number 1..9"},
    {"[meter a]\nsource = sim\nsts_key_type = 4\n", 3, "key type 0..3"},
    {"[meter a]\nsource = sim\nsts_tariff_index = 100\n", 3, "tariff index 0..99"},
    {"[meter a]\nsource = sim\nsts_key_expiry = 256\n", 3, "key expiry number 0..255"},
    {"[meter a]\nsource = sim\nreconnect_needs_confirmation = maybe\n", 3, "yes or no"},
    {"[meter a]\nsource = sim\npower_down_catch_up = 1\n", 3, "yes or no"},
    {"[meter a]\nsource = iio\nacquisition = poll\n", 3,
     "acquisition = 'poll': expected auto, buffer or direct"},
    {"[meter a]\nsource = iio\npoll_interval_ms = 19\n", 3, "an integer 20..60000"},
    {"[meter a]\nsource = iio\nfull_scale_voltage_mv = 566.393\n", 3, "full_scale_voltage_mv"},
    {"[meter a]\nsource = iio\nfull_scale_current_ma = 0\n", 3, "full_scale_current_ma"},
    {"[meter a]\nsource = sim\nacquisition = direct\n", 3, "applies to source = iio"},
    /* two TCP listeners on one port: the second could not bind (EADDRINUSE) at start */
    {"[meter a]\nsource = sim\nmodbus_tcp_port = 1502\n[meter b]\nsource = sim\n"
     "modbus_tcp_port = 1502\n",
     6, "[meter b] modbus_tcp_port 1502: [meter a]'s modbus_tcp_port (line 3) already listens"},
    {"[meter a]\nsource = sim\nmodbus_tcp_port = 4059\ndlms_port = 4059\n", 4,
     "[meter a] dlms_port 4059: [meter a]'s modbus_tcp_port (line 3) already listens"},
    /* "any address" overlaps a given one */
    {"[meter a]\nsource = sim\ndlms_port = 4059\ndlms_address = 127.0.0.1\n[meter b]\n"
     "source = sim\ndlms_port = 4059\n",
     7, "[meter b] dlms_port 4059: [meter a]'s dlms_port (line 3) already listens on that port"},
    {"[meter a]\nsource = sim\ndlms_port = 4059\ndlms_address = ::1\n[meter b]\n"
     "source = sim\ndlms_address = ::1\ndlms_port = 4059\n",
     8, "already listens on that port and address ::1"},
};

/* A configuration loaded before: a failed load must leave every byte of it as it was. */
static void load_previous(struct pm_conf *c)
{
	char err[256];

	write_conf(good);
	ck_assert_int_eq(pm_conf_load(path, c, err, sizeof(err)), 0);
	remove_conf();
}

START_TEST(test_bad)
{
	const struct bad *b = &bad[_i];
	struct pm_conf c, before;
	char err[512], prefix[96];

	load_previous(&c);
	before = c;
	write_conf(b->text);
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), -EINVAL);
	snprintf(prefix, sizeof(prefix), "%s:%u: ", path, b->line);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
		      "case %d: '%s' does not start '%s'", _i, err, prefix);
	ck_assert_msg(strstr(err, b->says), "case %d: '%s' does not say '%s'", _i, err, b->says);
	ck_assert_msg(memcmp(&c, &before, sizeof(c)) == 0, "case %d changed the configuration", _i);
	remove_conf();
}
END_TEST

/* Meters on one RTU bus with their own addresses and the same line; writes default to no. */
START_TEST(test_rtu_bus)
{
	struct pm_conf c;
	char err[256];

	write_conf(
	    "[meter a]\nsource = sim\nmodbus_rtu_device = /dev/ttyS1\n"
	    "modbus_rtu_line = 9600 N 1\n[meter b]\nsource = sim\nmodbus_unit = 2\n"
	    "modbus_rtu_device = /dev/ttyS1\nmodbus_rtu_line = 9600 N 1\n"
	    "modbus_writes = yes\n[meter c]\nsource = sim\nmodbus_rtu_device = /dev/ttyS2\n");
	ck_assert_msg(pm_conf_load(path, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.n_meters, 3);
	ck_assert_uint_eq(c.meter[0].modbus_unit, 1);
	ck_assert_uint_eq(c.meter[1].modbus_unit, 2);
	ck_assert_uint_eq(c.meter[2].modbus_unit, 1); /* another tty: another bus */
	ck_assert(!c.meter[0].modbus_writes);
	ck_assert(c.meter[1].modbus_writes);
	remove_conf();
}
END_TEST

START_TEST(test_line_too_long)
{
	struct pm_conf c, before;
	char text[600], err[512], prefix[96];

	load_previous(&c);
	before = c;
	snprintf(text, sizeof(text), "[meter a]\nsource = iio\nuri = ip:%0400d\n", 7);
	write_conf(text);
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), -EINVAL);
	snprintf(prefix, sizeof(prefix), "%s:3: line too long", path);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "'%s'", err);
	ck_assert(memcmp(&c, &before, sizeof(c)) == 0);
	remove_conf();
}
END_TEST

/* @n meters m0, m1, ... of two lines each. */
static void write_meters(int n)
{
	char text[8192] = "";
	size_t len = 0;

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"[meter m%d]\nsource = sim\n", i);
	ck_assert_uint_lt(len, sizeof(text) - 1);
	write_conf(text);
}

/* 64 meters a daemon (a gateway with many circuits): the 64th is the last accepted. */
START_TEST(test_64_meters)
{
	static struct pm_conf c;
	char err[512];

	ck_assert_int_eq(PM_CONF_MAX_METERS, 64);
	write_meters(64);
	ck_assert_msg(pm_conf_load(path, &c, err, sizeof(err)) == 0, "'%s'", err);
	ck_assert_uint_eq(c.n_meters, 64);
	ck_assert_str_eq(c.meter[0].name, "m0");
	ck_assert_str_eq(c.meter[63].name, "m63");
	remove_conf();
}
END_TEST

START_TEST(test_too_many_meters)
{
	static struct pm_conf c;
	char err[512], expected[160];

	write_meters(65);
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), -EINVAL);
	/* the 65th header, on line 2 x 64 + 1 = 129 */
	snprintf(expected, sizeof(expected), "%s:129: too many meters (at most 64)", path);
	ck_assert_msg(strncmp(err, expected, strlen(expected)) == 0, "'%s'", err);
	remove_conf();
}
END_TEST

START_TEST(test_missing_file)
{
	struct pm_conf c;
	char err[256];

	memset(&c, 0x5a, sizeof(c));
	ck_assert_int_eq(pm_conf_load("/nonexistent/polymeterd.conf", &c, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/polymeterd.conf: No such file or directory");
	ck_assert_uint_eq(((unsigned char *)&c)[0], 0x5a);
}
END_TEST

/* The simulated sensors' errors the calibration corrects: default 0, one or three values. */
START_TEST(test_sim_sensor_errors)
{
	struct pm_conf c;
	char err[256] = "";

	write_conf("[meter a]\nsource = sim\nsim_voltage_error_ppm = 20000 -10000 -200000\n"
		   "sim_current_error_ppm = 5000\n[meter b]\nsource = sim\n");
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.meter[0].sim.v_error_ppm[0], 20000);
	ck_assert_int_eq(c.meter[0].sim.v_error_ppm[1], -10000);
	ck_assert_int_eq(c.meter[0].sim.v_error_ppm[2], -200000);
	ck_assert_int_eq(c.meter[0].sim.i_error_ppm[2], 5000);
	ck_assert_int_eq(c.meter[0].sim.i_noise_ma[0], 0);
	ck_assert_int_eq(c.meter[1].sim.v_error_ppm[0], 0);
	remove_conf();
}
END_TEST

/* The simulated dip: none by default; when given, one second at 70 % unless set otherwise. */
START_TEST(test_sim_dip)
{
	struct pm_conf c;
	char err[256] = "";

	write_conf("[meter a]\nsource = sim\nsim_dip_every_s = 600\n[meter b]\nsource = sim\n"
		   "sim_dip_every_s = 3600\nsim_dip_s = 60\nsim_dip_percent = 0\n"
		   "[meter c]\nsource = sim\n");
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.meter[0].sim.dip_every_s, 600);
	ck_assert_uint_eq(c.meter[0].sim.dip_s, 1);
	ck_assert_uint_eq(c.meter[0].sim.dip_percent, 70);
	ck_assert_uint_eq(c.meter[1].sim.dip_every_s, 3600);
	ck_assert_uint_eq(c.meter[1].sim.dip_s, 60);
	ck_assert_uint_eq(c.meter[1].sim.dip_percent, 0);
	ck_assert_uint_eq(c.meter[2].sim.dip_every_s, 0);
	remove_conf();
}
END_TEST

/* The supply-control lines: defaults, both spec forms, active levels, debounce. */
START_TEST(test_relay_keys)
{
	struct pm_conf c;
	char err[256];

	write_conf("[meter a]\nsource = sim\n");
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.meter[0].relay.contactor.spec, "");
	ck_assert_str_eq(c.meter[0].relay.button.spec, "");
	ck_assert_uint_eq(c.meter[0].relay.debounce_ms, 50);
	ck_assert(c.meter[0].relay.contactor_initially_closed);
	ck_assert(!c.meter[0].relay.aux_initially_closed);
	remove_conf();
	write_conf(
	    "[meter a]\nsource = sim\ncontactor_gpio = gpiochip0:17\ncontactor_active = low\n"
	    "aux_relay_gpio = aux-relay\nbutton_gpio = ade9000-emu-gpio:2\n"
	    "button_active = high\nbutton_debounce_ms = 0\n");
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.meter[0].relay.contactor.spec, "gpiochip0:17");
	ck_assert(c.meter[0].relay.contactor.active_low);
	ck_assert_str_eq(c.meter[0].relay.aux.spec, "aux-relay");
	ck_assert(!c.meter[0].relay.aux.active_low);
	ck_assert_str_eq(c.meter[0].relay.button.spec, "ade9000-emu-gpio:2");
	ck_assert(!c.meter[0].relay.button.active_low);
	ck_assert_uint_eq(c.meter[0].relay.debounce_ms, 0);
	remove_conf();
}
END_TEST

static const struct bad relay_bad[] = {
    {"[meter a]\nsource = sim\ncontactor_gpio = gpiochip0:\n", 3, "CHIP:OFFSET or a GPIO"},
    {"[meter a]\nsource = sim\ncontactor_gpio = :3\n", 3, "contactor_gpio = ':3'"},
    {"[meter a]\nsource = sim\naux_relay_gpio = chip:x1\n", 3, "aux_relay_gpio"},
    {"[meter a]\nsource = sim\nbutton_gpio = gpiochip0:12345\n", 3, "button_gpio"},
    {"[meter a]\nsource = sim\nbutton_gpio = my button\n", 3, "button_gpio"},
    {"[meter a]\nsource = sim\ncontactor_active = 1\n", 3, "high or low"},
    {"[meter a]\nsource = sim\nbutton_debounce_ms = 1001\n", 3, "0..1000"},
    {"[meter a]\nsource = sim\nbutton_gpio = b\nbutton_gpio = c\n", 4, "given twice"},
};

START_TEST(test_relay_bad)
{
	const struct bad *b = &relay_bad[_i];
	struct pm_conf c, before;
	char err[512], prefix[96];

	load_previous(&c);
	before = c;
	write_conf(b->text);
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), -EINVAL);
	snprintf(prefix, sizeof(prefix), "%s:%u: ", path, b->line);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
		      "case %d: '%s' does not start '%s'", _i, err, prefix);
	ck_assert_msg(strstr(err, b->says), "case %d: '%s' does not say '%s'", _i, err, b->says);
	ck_assert_msg(memcmp(&c, &before, sizeof(c)) == 0, "case %d changed the configuration", _i);
	remove_conf();
}
END_TEST

/* Two listeners on one port but different addresses are two sockets: accepted. */
START_TEST(test_listeners_apart)
{
	struct pm_conf c;
	char err[256];

	write_conf("[meter a]\nsource = sim\ndlms_port = 4059\ndlms_address = 127.0.0.1\n"
		   "modbus_tcp_port = 502\n[meter b]\nsource = sim\ndlms_port = 4059\n"
		   "dlms_address = 127.0.0.2\nmodbus_tcp_port = 503\n");
	ck_assert_msg(pm_conf_load(path, &c, err, sizeof(err)) == 0, "%s", err);
	remove_conf();
}
END_TEST

/* A NUL byte would end libinih's line early and hide the rest: an error on its line. */
START_TEST(test_nul_byte)
{
	static const char text[] = "[meter a]\nsource = sim\ntime_zone = UTC\0junk\n";
	struct pm_conf c, before;
	char err[512], prefix[96];
	int fd;

	load_previous(&c);
	before = c;
	strcpy(path, "/tmp/test_conf.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	ck_assert_int_eq(pm_conf_load(path, &c, err, sizeof(err)), -EINVAL);
	snprintf(prefix, sizeof(prefix), "%s:3: a NUL byte in the line", path);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "'%s'", err);
	ck_assert(memcmp(&c, &before, sizeof(c)) == 0);
	remove_conf();
}
END_TEST

/* fopen opens a directory; the error says what it is, once. */
START_TEST(test_directory)
{
	struct pm_conf c;
	char err[256];

	memset(&c, 0x5a, sizeof(c));
	ck_assert_int_eq(pm_conf_load("/", &c, err, sizeof(err)), -EISDIR);
	ck_assert_str_eq(err, "/: is a directory, not a configuration file");
	ck_assert_uint_eq(((unsigned char *)&c)[0], 0x5a);
}
END_TEST

/* The lines of the keys start-up opens files for, for its messages (check-config.c). */
START_TEST(test_key_lines)
{
	struct pm_conf c;
	char err[256];

	write_conf("[meter a]\nsource = sim\nrecord = /tmp/x.rec\n[meter b]\nsource = sim\n"
		   "tariff_file = /t.json\ntime_zone = UTC\ndlms_password_file = /p\n");
	ck_assert_msg(pm_conf_load(path, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.meter[0].lines.record, 3);
	ck_assert_uint_eq(c.meter[0].lines.tariff_file, 0);
	ck_assert_uint_eq(c.meter[1].lines.tariff_file, 6);
	ck_assert_uint_eq(c.meter[1].lines.time_zone, 7);
	ck_assert_uint_eq(c.meter[1].lines.dlms_password_file, 8);
	remove_conf();
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");

	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_default_log_interval);
	tcase_add_test(tc, test_account_keys);
	tcase_add_test(tc, test_power_down_catch_up_reaches_billing);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_line_too_long);
	tcase_add_test(tc, test_64_meters);
	tcase_add_test(tc, test_too_many_meters);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_sim_sensor_errors);
	tcase_add_test(tc, test_sim_dip);
	tcase_add_test(tc, test_relay_keys);
	tcase_add_loop_test(tc, test_relay_bad, 0, (int)(sizeof(relay_bad) / sizeof(relay_bad[0])));
	tcase_add_test(tc, test_rtu_bus);
	tcase_add_test(tc, test_listeners_apart);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_directory);
	tcase_add_test(tc, test_key_lines);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
