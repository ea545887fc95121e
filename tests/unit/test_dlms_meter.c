// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DLMS view's meter (daemon/views/dlms/dlms-meter.c) on a real meter pipeline, account and
 * store: the clock it gives the objects (the zone through tzdata), a clock SET moving the
 * meter's clock offset and logging clock_set, the account's commands behind the disconnect
 * control and a setting's SET. Dates are worked out in the comments.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common/log.h"
#include "core/model/quantity.h"
#include "views/dlms/dlms-meter.h"

#define S INT64_C(1000000000)
/* 2026-07-06 10:00:00 UTC, a Monday: 11:00 BST in London */
#define T_JUL (INT64_C(1783332000) * S)
/* London 2026: BST from 29 March 01:00 UTC (day 20541) to 25 October 01:00 UTC (day 20751);
 * 2026-01-01 is day 20454 (56 years of 365 days and 14 leap days) */
#define BST_BEGIN (INT64_C(20541) * 86400 + 3600)
#define BST_END (INT64_C(20751) * 86400 + 3600)

static char dir[64], db[96], flat[96];
static struct pm_store *store;
static struct pm_meter *pipe_;
static struct pm_billing *billing;
static struct pm_dlms_meter dm;
static int64_t source_now;
static int changed;

static int64_t fake_now(void *userdata)
{
	(void)userdata;
	return source_now;
}

static void account_changed(void *userdata)
{
	(void)userdata;
	changed++;
}

static void setup(void)
{
	struct pm_billing_config bc = {
	    .meter = "m1",
	    .time_zone = "Europe/London",
	    .tariff_file = flat,
	    .save_interval_ns = 60 * S,
	};
	struct pm_meter_config mc;
	struct pm_dlms_meter_config cfg;
	char err[320];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/pmdlmsXXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/polymeter.db", dir);
	snprintf(flat, sizeof(flat), "%s/flat.json", dir);
	f = fopen(flat, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"version\": 1, \"name\": \"Flat\","
	      " \"currency\": {\"code\": \"GBP\", \"minor_units\": 2},"
	      " \"rates\": {\"1\": {\"price_per_kwh\": \"1.00\"}},"
	      " \"day_profiles\": {\"all\": [{\"at\": \"00:00\", \"rate\": 1}]},"
	      " \"seasons\": [{\"days\": {\"weekdays\": \"all\", \"weekend\": \"all\"}}],"
	      " \"billing_period\": {\"months\": 1, \"start\": \"2026-01-01\"}}",
	      f);
	fclose(f);
	pm_log_set_max(LOG_WARNING);
	ck_assert_int_eq(pm_store_open(db, &store, err, sizeof(err)), 0);
	pm_meter_config_default(&mc, "m1");
	ck_assert_int_eq(pm_meter_new(&mc, store, &pipe_), 0);
	account_config_default(&bc.account);
	bc.account.mode = ACCOUNT_MODE_PREPAYMENT;
	ck_assert_int_eq(pm_billing_new(&bc, store, T_JUL, &billing, err, sizeof(err)), 0);
	source_now = T_JUL;
	changed = 0;
	cfg = (struct pm_dlms_meter_config){
	    .name = "m1",
	    .time_zone = "Europe/London",
	    .firmware = "test",
	    .pipe = pipe_,
	    .billing = billing,
	    .measuring_period_s = 900,
	    .now = fake_now,
	    .account_changed = account_changed,
	};
	pm_dlms_meter_init(&dm, &cfg);
}

static void teardown(void)
{
	char cmd[128];

	pm_billing_free(billing);
	pm_meter_free(pipe_);
	pm_store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_clock_and_identity)
{
	struct pm_cosem_meter m;

	pm_dlms_meter_get(&dm, &m);
	ck_assert_ptr_null(m.snap); /* no scan yet */
	ck_assert(m.status & PM_COSEM_STATUS_NO_SNAPSHOT);
	ck_assert_str_eq(m.serial, "m1");
	ck_assert_str_eq(m.logical_device_name, "PLMm1");
	ck_assert_str_eq(m.firmware, "test");
	ck_assert_int_eq(m.clock.utc_s, T_JUL / S);
	ck_assert_int_eq(m.clock.offset_s, 3600);
	ck_assert(m.clock.dst);
	ck_assert_int_eq(m.clock.std_offset_s, 0);
	ck_assert(m.clock.dst_enabled);
	ck_assert_int_eq(m.clock.dst_begin_utc, BST_BEGIN);
	ck_assert_int_eq(m.clock.dst_end_utc, BST_END);
	ck_assert_int_eq(m.clock.dst_deviation_min, 60);
	ck_assert_int_eq(m.clock.clock_base, 1);
	ck_assert_int_eq(m.measuring_period_s, 900);
	/* in January the same zone is GMT, the same changes */
	source_now = INT64_C(20454) * 86400 * S;
	pm_dlms_meter_get(&dm, &m);
	ck_assert_int_eq(m.clock.offset_s, 0);
	ck_assert(!m.clock.dst);
	ck_assert_int_eq(m.clock.dst_begin_utc, BST_BEGIN);
}
END_TEST

START_TEST(test_clock_set)
{
	struct pm_store_event ev[4];
	struct pm_cosem_meter m;

	pm_dlms_meter_get(&dm, &m);
	ck_assert_int_eq(m.set_clock(m.data, T_JUL / S + 52, "set"), PM_DLMS_SUCCESS);
	ck_assert_int_eq(pm_dlms_meter_clock_offset_ns(&dm), 52 * S);
	/* the source's clock runs on; the meter's keeps 52 s ahead of it */
	source_now += 10 * S;
	pm_dlms_meter_get(&dm, &m);
	ck_assert_int_eq(m.clock.utc_s, T_JUL / S + 62);
	ck_assert(m.status & PM_COSEM_STATUS_CLOCK_ADJUSTED);
	ck_assert_int_ge(pm_store_events(store, "m1", ev, 4), 1);
	ck_assert_str_eq(ev[0].kind, "clock_set");
	ck_assert_str_eq(ev[0].detail, "-> 2026-07-06T10:00:52Z (+52 s, set)");
	ck_assert_int_eq(ev[0].utc_ns, T_JUL + 52 * S);
	/* back 30 s from the meter's 10:01:02 */
	ck_assert_int_eq(m.set_clock(m.data, T_JUL / S + 32, "shift_time"), PM_DLMS_SUCCESS);
	ck_assert_int_eq(pm_dlms_meter_clock_offset_ns(&dm), 22 * S);
	ck_assert_int_ge(pm_store_events(store, "m1", ev, 4), 2);
	ck_assert_str_eq(ev[0].detail, "-> 2026-07-06T10:00:32Z (-30 s, shift_time)");
	/* more than a day from the source's clock: refused, nothing moves */
	ck_assert_int_eq(m.set_clock(m.data, T_JUL / S + 10 + 86401, "set"), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(pm_dlms_meter_clock_offset_ns(&dm), 22 * S);
	ck_assert_int_eq(m.set_clock(m.data, T_JUL / S + 10 + 86400, "set"), PM_DLMS_SUCCESS);
	ck_assert_int_eq(pm_dlms_meter_clock_offset_ns(&dm), 86400 * S);
}
END_TEST

START_TEST(test_disconnect_and_settings)
{
	struct pm_snapshot *snap = (struct pm_snapshot *)pm_meter_snapshot(pipe_);
	struct account_config c;
	struct pm_billing_view v;
	struct pm_cosem_meter m;
	int max_balance = pm_quantity_find("settings.max_balance");
	int pct = pm_quantity_find("settings.payment_debt_percent");

	/* as after a first scan (the test has no source): the account is refreshed at once */
	snap->seq = 1;
	pm_dlms_meter_get(&dm, &m);
	ck_assert_ptr_nonnull(m.snap);
	ck_assert(m.snap->account.valid);
	ck_assert_int_eq(m.snap->account.supply, PM_SUPPLY_CLOSED);
	ck_assert_int_eq(m.remote_disconnect(m.data), PM_DLMS_SUCCESS);
	ck_assert_int_eq(changed, 1);
	pm_dlms_meter_get(&dm, &m);
	ck_assert_int_eq(m.snap->account.supply, PM_SUPPLY_OPEN);
	ck_assert(!m.snap->account.supply_closed);
	/* armed: waits for the customer */
	ck_assert_int_eq(m.remote_reconnect(m.data, true), PM_DLMS_SUCCESS);
	pm_billing_view(billing, T_JUL, &v);
	ck_assert(v.armed);
	ck_assert(!v.supply.closed);
	pm_dlms_meter_get(&dm, &m);
	ck_assert_int_eq(m.snap->account.supply, PM_SUPPLY_ARMED);

	ck_assert_int_ge(max_balance, 0);
	ck_assert_int_ge(pct, 0);
	ck_assert_int_eq(m.set_setting(m.data, (size_t)max_balance, 50000000), PM_DLMS_SUCCESS);
	pm_billing_get_config(billing, &c);
	ck_assert_int_eq(c.max_balance_mu, 50000000);
	ck_assert_int_eq(m.set_setting(m.data, (size_t)pct, 25), PM_DLMS_SUCCESS);
	pm_billing_get_config(billing, &c);
	ck_assert_int_eq(c.payment_debt_pct, 25);
	/* the account's own check (0..100), and a value its field cannot hold */
	ck_assert_int_eq(m.set_setting(m.data, (size_t)pct, 101), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(m.set_setting(m.data, (size_t)pct, 300), PM_DLMS_OTHER_REASON);
	pm_billing_get_config(billing, &c);
	ck_assert_int_eq(c.payment_debt_pct, 25);
	ck_assert_int_eq(changed, 4);
}
END_TEST

/*
 * §8.11: "Following conversion the meter will change the currency symbol". The DLMS Account's
 * currency (class 111 attribute 15: name, scale -minor_units) is read from the account's
 * snapshot: after a conversion to JPY it is JPY with 0 minor units. Midnight of 2026-07-07 in
 * London (BST) is 2026-07-06 23:00 UTC, 13 h after T_JUL.
 */
START_TEST(test_currency_follows_conversion)
{
	struct pm_snapshot *snap = (struct pm_snapshot *)pm_meter_snapshot(pipe_);
	const int64_t after = T_JUL + (13 * 3600 + 1) * S;
	struct pm_billing_error e;
	struct pm_cosem_meter m;

	snap->seq = 1;
	pm_dlms_meter_get(&dm, &m);
	ck_assert_str_eq(m.snap->account.currency, "GBP");
	ck_assert_int_eq(m.snap->account.minor_units, 2);
	ck_assert_int_eq(
	    pm_billing_convert_currency(billing, T_JUL, "2026-07-07", "1.5", "JPY", &e), 0);
	pm_billing_sample(billing, T_JUL, true, 0, 0, 0, false);
	pm_billing_sample(billing, after, true, 0, 0, 0, false);
	snap->seq = 2;
	pm_dlms_meter_get(&dm, &m);
	ck_assert_str_eq(m.snap->account.currency, "JPY");
	ck_assert_int_eq(m.snap->account.minor_units, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlms_meter");
	TCase *tc = tcase_create("dlms_meter");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_clock_and_identity);
	tcase_add_test(tc, test_clock_set);
	tcase_add_test(tc, test_disconnect_and_settings);
	tcase_add_test(tc, test_currency_follows_conversion);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
