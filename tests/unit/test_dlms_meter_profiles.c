// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DLMS view's profiles and time of use (daemon/views/dlms/dlms-meter-profiles.c) on a real
 * store, pipeline and account in Europe/London, through the COSEM directory: rows of the store
 * stamped with the offset of their own date, the event table sorted into its logs, a billing
 * capture, and a head-end's calendar becoming billing's future tariff. Dates are worked out in
 * the comments; bytes by hand from the Data tags (01 array, 02 structure, 09 octet-string,
 * 11 unsigned, 12 long-unsigned, 14 long64).
 */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "core/dlms/cosem-directory.h"
#include "core/dlms/server.h"
#include "views/dlms/dlms-meter-profiles.h"
#include "views/dlms/dlms-meter.h"

#define S INT64_C(1000000000)
#define MIN (60 * S)
/* 2026-07-06 10:00:00 UTC, a Monday: 11:00 BST (2026-01-01 is day 20 454, a Thursday; 6 July
 * is 186 days later, day 20 640) */
#define T_JUL (INT64_C(1783332000) * S)
#define T_JAN (INT64_C(20454) * 86400 * S)

static char dir[64], db[96], e7[96];
static struct pm_store *store;
static struct pm_meter *pipe_;
static struct pm_billing *billing;
static struct pm_dlms_meter dm;
static struct pm_dlms_meter_profiles mp;
static struct pm_cosem_directory directory;
static struct pm_cosem_meter cm;
static int changed;

static const struct pm_dlms_assoc_info management = {.client = PM_DLMS_CLIENT_MANAGEMENT};

static int64_t fake_now(void *userdata)
{
	(void)userdata;
	return T_JUL;
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
	    .tariff_file = e7,
	    .save_interval_ns = 60 * S,
	};
	struct pm_meter_config mc;
	char err[320];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/pmdlmspXXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/polymeter.db", dir);
	snprintf(e7, sizeof(e7), "%s/e7.json", dir);
	f = fopen(e7, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"version\": 1, \"name\": \"E7\","
	      " \"currency\": {\"code\": \"GBP\", \"minor_units\": 2},"
	      " \"rates\": {\"1\": {\"price_per_kwh\": \"0.15\"}, \"2\": {\"price_per_kwh\": "
	      "\"0.30\"}},"
	      " \"day_profiles\": {\"weekday\": [{\"at\": \"00:00\", \"rate\": 2},"
	      " {\"at\": \"00:30\", \"rate\": 1}, {\"at\": \"07:30\", \"rate\": 2}],"
	      " \"weekend\": [{\"at\": \"00:00\", \"rate\": 1}]},"
	      " \"seasons\": [{\"days\": {\"weekdays\": \"weekday\", \"weekend\": \"weekend\"}}],"
	      " \"billing_period\": {\"months\": 1, \"start\": \"2026-01-01\"}}",
	      f);
	fclose(f);
	pm_log_set_max(LOG_WARNING);
	ck_assert_int_eq(pm_store_open(db, &store, err, sizeof(err)), 0);
	pm_meter_config_default(&mc, "m1");
	ck_assert_int_eq(pm_meter_new(&mc, store, &pipe_), 0);
	account_config_default(&bc.account);
	ck_assert_int_eq(pm_billing_new(&bc, store, T_JUL, &billing, err, sizeof(err)), 0);
	pm_dlms_meter_init(&dm, &(struct pm_dlms_meter_config){
				    .name = "m1",
				    .time_zone = "Europe/London",
				    .pipe = pipe_,
				    .billing = billing,
				    .measuring_period_s = 900,
				    .now = fake_now,
				});
	pm_dlms_meter_profiles_init(&mp, &(struct pm_dlms_meter_profiles_config){
					     .name = "m1",
					     .time_zone = "Europe/London",
					     .pipe = pipe_,
					     .billing = billing,
					     .profile_period_s = 900,
					     .account_changed = account_changed,
					 });
	ck_assert_int_eq(pm_cosem_directory_init(&directory), 0);
	changed = 0;
}

static void teardown(void)
{
	char cmd[128];

	pm_cosem_directory_free(&directory);
	pm_billing_free(billing);
	pm_meter_free(pipe_);
	pm_store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The meter as one request sees it. */
static void refresh(void)
{
	pm_dlms_meter_get(&dm, &cm);
	pm_dlms_meter_profiles_get(&mp, &cm);
}

static enum pm_dlms_result get(uint16_t class_id, const uint8_t ln[6], uint8_t attr,
			       uint8_t selector, const uint8_t *param, size_t n,
			       struct pm_axdr_out *out)
{
	const struct pm_cosem_request req = {.assoc = &management, .meter = &cm};
	const struct pm_cosem_selector sel = {selector, param, n};
	const struct pm_cosem_object *o;

	refresh();
	o = pm_cosem_directory_ops.find(&directory, &req, class_id, ln);
	ck_assert_ptr_nonnull(o);
	pm_axdr_out_reset(out);
	return pm_cosem_directory_ops.get(&directory, &req, o, attr, &sel, out);
}

static enum pm_dlms_result set(uint8_t attr, const uint8_t *v, size_t n)
{
	static const uint8_t ln[6] = {0, 0, 13, 0, 0, 255};
	const struct pm_cosem_request req = {.assoc = &management, .meter = &cm};
	const struct pm_cosem_object *o;

	refresh();
	o = pm_cosem_directory_ops.find(&directory, &req, 20, ln);
	ck_assert_ptr_nonnull(o);
	return pm_cosem_directory_ops.set(&directory, &req, o, attr, v, n);
}

#define OUT_EQ(o, ...)                                                                             \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		ck_assert(!(o)->overflow);                                                         \
		ck_assert_uint_eq((o)->len, sizeof(want_));                                        \
		ck_assert(memcmp((o)->buf, want_, sizeof(want_)) == 0);                            \
	} while (0)

static const uint8_t load_profile_ln[6] = {1, 0, 99, 1, 0, 255};
static const uint8_t quality_ln[6] = {0, 0, 99, 98, 4, 255};
static const uint8_t disconnect_ln[6] = {0, 0, 99, 98, 2, 255};
static const uint8_t daily_ln[6] = {1, 0, 98, 2, 0, 255};
static const uint8_t calendar_ln[6] = {0, 0, 13, 0, 0, 255};

static struct pm_store_profile interval(int64_t end_ns, uint32_t status, uint64_t a_import)
{
	struct pm_store_profile e = {.end_ns = end_ns, .period_ns = 15 * MIN, .status = status};

	e.reg[PM_STORE_PROF_A_IMPORT] = a_import;
	return e;
}

/*
 * Two intervals: ending 2026-01-01 00:15 UTC (GMT: 00:15 local, deviation 0) and 2026-07-06
 * 10:00 UTC (BST: 11:00 local, a Monday, deviation -60 = FF C4, the date-time's DST bit 0x80
 * and the status column's bit 3, with PARTIAL's bit 2: 0x0C).
 */
START_TEST(test_load_profile_in_the_offset_of_its_date)
{
	struct pm_store_profile a = interval(T_JAN + 15 * MIN, 0, 1000),
				b = interval(T_JUL, PM_PROFILE_PARTIAL, 2000);
	struct pm_axdr_out out;

	ck_assert_int_eq(pm_store_add_profile(store, "m1", &a), 0);
	ck_assert_int_eq(pm_store_add_profile(store, "m1", &b), 0);
	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(7, load_profile_ln, 2, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x02,
	       /* January */
	       0x02, 0x06, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 0x00, 0x0F, 0x00, 0x00, 0x00,
	       0x00, 0x00, 0x11, 0x00, 0x14, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0x14, 0, 0, 0, 0, 0, 0,
	       0, 0, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0, 0, 0, 0, 0,
	       /* July */
	       0x02, 0x06, 0x09, 0x0C, 0x07, 0xEA, 0x07, 0x06, 0x01, 0x0B, 0x00, 0x00, 0x00, 0xFF,
	       0xC4, 0x80, 0x11, 0x0C, 0x14, 0, 0, 0, 0, 0, 0, 0x07, 0xD0, 0x14, 0, 0, 0, 0, 0, 0,
	       0, 0, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0, 0, 0, 0, 0);
	/* entries_in_use 2; profile_entries: 240 days of 15 minutes, 240 x 96 = 23 040 = 0x5A00 */
	ck_assert_int_eq(get(7, load_profile_ln, 7, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0, 0, 0, 2);
	ck_assert_int_eq(get(7, load_profile_ln, 8, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0, 0, 0x5A, 0x00);
	pm_axdr_out_free(&out);
}
END_TEST

/*
 * The event table holds, in this order: power_up, a swell starting on L1 (overvoltage L1, 79),
 * a remote disconnection (62), a token (credit log), the swell ending (voltage L1 normal, 85).
 * The power quality log is its two: entry 2 of it is the swell's end.
 */
START_TEST(test_events_sorted_into_their_logs)
{
	/* entry 2 of the log, both columns */
	static const uint8_t second[] = {0x02, 0x04, 0x06, 0,	 0, 0, 2,    0x06, 0,
					 0,    0,    2,	   0x12, 0, 0, 0x12, 0,	   0};
	struct pm_axdr_out out;

	ck_assert_int_eq(pm_store_add_event(store, "m1", T_JAN + 1 * MIN, "power_up", "x"), 0);
	ck_assert_int_eq(
	    pm_store_add_event(store, "m1", T_JAN + 2 * MIN, "swell", "L1 rising, 253.1 V"), 0);
	ck_assert_int_eq(pm_store_add_event(store, "m1", T_JAN + 3 * MIN, "supply_opened",
					    "reason=remote-disconnect"),
			 0);
	ck_assert_int_eq(pm_store_add_event(store, "m1", T_JAN + 4 * MIN, "sts_token", "kind=0"),
			 0);
	ck_assert_int_eq(
	    pm_store_add_event(store, "m1", T_JAN + 5 * MIN, "swell", "L1 falling, 240.0 V"), 0);
	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(7, quality_ln, 2, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x02, 0x02, 0x02, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 0, 2, 0, 0,
	       0, 0, 0, 0x12, 0, 79, 0x02, 0x02, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 0, 5, 0,
	       0, 0, 0, 0, 0x12, 0, 85);
	ck_assert_int_eq(get(7, quality_ln, 7, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0, 0, 0, 2);
	ck_assert_int_eq(get(7, quality_ln, 2, 2, second, sizeof(second), &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, 0x02, 0x02, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 0, 5, 0, 0,
	       0, 0, 0, 0x12, 0, 85);
	ck_assert_int_eq(get(7, disconnect_ln, 2, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, 0x02, 0x02, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 0, 3, 0, 0,
	       0, 0, 0, 0x12, 0, 62);
	pm_axdr_out_free(&out);
}
END_TEST

/*
 * The phase-unbalance trip goes to the disconnector control log as 1307 (0x051B), the STS
 * management token that set the limit to the token and credit log as 1417 (0x0589): each the
 * only entry of its log, at 00:01 and 00:02 on 2026-01-01 (a Thursday, 4).
 */
START_TEST(test_phase_unbalance_events_in_their_logs)
{
	static const uint8_t credit_ln[6] = {0, 0, 99, 98, 6, 255};
	struct pm_axdr_out out;

	ck_assert_int_eq(pm_store_add_event(store, "m1", T_JAN + 1 * MIN, "sts_phase_unbalance",
					    "tid=1 limit_w=11"),
			 0);
	ck_assert_int_eq(pm_store_add_event(store, "m1", T_JAN + 2 * MIN, "phase_unbalance_tripped",
					    "unbalance_w=11"),
			 0);
	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(7, disconnect_ln, 2, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, 0x02, 0x02, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 0, 2, 0, 0,
	       0, 0, 0, 0x12, 0x05, 0x1B);
	ck_assert_int_eq(get(7, credit_ln, 2, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, 0x02, 0x02, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 0, 1, 0, 0,
	       0, 0, 0, 0x12, 0x05, 0x89);
	pm_axdr_out_free(&out);
}
END_TEST

/* A daily capture read back: entries_in_use 1, its clock and +A (entry 1, columns 1..2). */
START_TEST(test_daily_capture)
{
	static const uint8_t first_two[] = {0x02, 0x04, 0x06, 0,    0, 0, 1,	0x06, 0,
					    0,	  0,	1,    0x12, 0, 0, 0x12, 0,    2};
	struct pm_store_billing b = {
	    .scheme = PM_STORE_BILLING_DAILY,
	    .local_day = 20454,
	    .utc_ns = T_JAN + 1 * S,
	    .reg = {5000},
	};
	struct pm_axdr_out out;

	ck_assert_int_eq(pm_store_add_billing(store, "m1", &b), 0);
	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(7, daily_ln, 7, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0, 0, 0, 1);
	ck_assert_int_eq(get(7, daily_ln, 2, 2, first_two, sizeof(first_two), &out),
			 PM_DLMS_SUCCESS);
	/* 5000 mWh = 0x1388 */
	OUT_EQ(&out, 0x01, 0x01, 0x02, 0x02, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 0, 0, 1, 0,
	       0, 0, 0, 0x14, 0, 0, 0, 0, 0, 0, 0x13, 0x88);
	pm_axdr_out_free(&out);
}
END_TEST

/* A day action {hh:mm:00.00, the tariffication script, rate}. */
#define ACTION(hh, mm, rate)                                                                       \
	0x02, 0x03, 0x09, 0x04, hh, mm, 0x00, 0x00, 0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64,      \
	    0xFF, 0x12, 0x00, rate
/* 2026-08-01 00:00:00 local (BST), deviation @dev (two octets) */
#define AUG1(d0, d1) 0x09, 0x0C, 0x07, 0xEA, 0x08, 0x01, 0xFF, 0, 0, 0, 0, d0, d1, 0xFF

/*
 * A head-end writes a calendar with the night rate from 01:00 to 08:00 on weekdays and
 * activates it at 00:00 BST on 1 August: billing's future tariff is that one, from that date,
 * named as written. The same with a deviation of 0 (that midnight is BST, -60) is refused.
 */
START_TEST(test_calendar_becomes_the_future_tariff)
{
	static const uint8_t name[] = {0x09, 0x03, 'E', '7', 'b'};
	static const uint8_t days[] = {0x01,
				       0x02,
				       0x02,
				       0x02,
				       0x11,
				       1,
				       0x01,
				       0x03,
				       ACTION(0, 0, 2),
				       ACTION(1, 0, 1),
				       ACTION(8, 0, 2),
				       0x02,
				       0x02,
				       0x11,
				       2,
				       0x01,
				       0x01,
				       ACTION(0, 0, 1)};
	static const uint8_t utc_midnight[] = {AUG1(0x00, 0x00)};
	static const uint8_t bst_midnight[] = {AUG1(0xFF, 0xC4)};
	struct pm_billing_view v;
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(20, calendar_ln, 2, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x02, 'E', '7');
	ck_assert_int_eq(set(6, name, sizeof(name)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(set(9, days, sizeof(days)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(set(10, utc_midnight, sizeof(utc_midnight)), PM_DLMS_OTHER_REASON);
	pm_billing_view(billing, T_JUL, &v);
	ck_assert(!v.has_future_tariff);
	ck_assert_int_eq(changed, 0);
	ck_assert_int_eq(set(10, bst_midnight, sizeof(bst_midnight)), PM_DLMS_SUCCESS);
	pm_billing_view(billing, T_JUL, &v);
	ck_assert(v.has_future_tariff);
	ck_assert_str_eq(v.future_tariff_name, "E7b");
	ck_assert_int_eq(v.future_tariff_date.year, 2026);
	ck_assert_int_eq(v.future_tariff_date.month, 8);
	ck_assert_int_eq(v.future_tariff_date.day, 1);
	ck_assert_int_eq(changed, 1);
	/* read back: the passive calendar is the future tariff's, its time 00:00 BST (2026-08-01
	   is a Saturday) */
	ck_assert_int_eq(get(20, calendar_ln, 6, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x03, 'E', '7', 'b');
	ck_assert_int_eq(get(20, calendar_ln, 10, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x0C, 0x07, 0xEA, 0x08, 0x01, 0x06, 0, 0, 0, 0, 0xFF, 0xC4, 0x80);
	ck_assert_int_eq(get(20, calendar_ln, 9, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x02, 0x02, 0x02, 0x11, 1, 0x01, 0x03, ACTION(0, 0, 2), ACTION(1, 0, 1),
	       ACTION(8, 0, 2), 0x02, 0x02, 0x11, 2, 0x01, 0x01, ACTION(0, 0, 1));
	/* the active calendar is unchanged until then */
	ck_assert_int_eq(get(20, calendar_ln, 2, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x02, 'E', '7');
	/* every date field unspecified: cancelled */
	{
		static const uint8_t none[] = {0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
					       0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF};

		ck_assert_int_eq(set(10, none, sizeof(none)), PM_DLMS_SUCCESS);
		pm_billing_view(billing, T_JUL, &v);
		ck_assert(!v.has_future_tariff);
		ck_assert_int_eq(set(10, none, sizeof(none)), PM_DLMS_SUCCESS);
	}
	pm_axdr_out_free(&out);
}
END_TEST

/* 11 520 intervals of 30 minutes ending T_JAN + k x 30 min, +A k x 1000 mWh, written in one
 * transaction through a second connection (the store's own appends commit one by one). */
static void fill_profile(void)
{
	sqlite3 *h;
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "INSERT OR IGNORE INTO meter (name) VALUES ('m1');"
		 "INSERT INTO profile (meter, end_ns, period_ns, status, samples, a_import,"
		 " a_export, r_import, r_export, d_a_import, d_a_export, d_r_import, d_r_export,"
		 " v1_mv, v2_mv, v3_mv, i1_ma, i2_ma, i3_ma, pf1_micro, pf2_micro, pf3_micro,"
		 " f1_mhz, f2_mhz, f3_mhz)"
		 " WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 11520)"
		 " SELECT 'm1', %lld + n * 1800000000000, 1800000000000, 0, 1, n * 1000, 0, 0, 0,"
		 " 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM k;",
		 (long long)T_JAN);
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/*
 * 240 days of 30-minute intervals from the store: 240 x 48 = 11 520 entries of 54 octets behind
 * the header 01 82 2D 00, read through SQLite and tzdata in one GET (timed: a bound for a broken
 * loop, not a benchmark).
 */
START_TEST(test_whole_store_in_one_get)
{
	struct pm_axdr_out out;
	struct timespec t0, t1;
	double ms;

	fill_profile();
	pm_axdr_out_init_heap(&out, PM_DLMS_MAX_RESPONSE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(get(7, load_profile_ln, 2, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ck_assert_uint_eq(out.len, 4 + 11520 * 54);
	ck_assert_uint_eq(out.buf[1], 0x82);
	ck_assert_uint_eq(out.buf[2], 0x2D);
	ck_assert_uint_eq(out.buf[3], 0x00);
	ck_assert(ms < 5000);
	pm_axdr_out_free(&out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dlms_meter_profiles");
	TCase *tc = tcase_create("view");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_load_profile_in_the_offset_of_its_date);
	tcase_add_test(tc, test_events_sorted_into_their_logs);
	tcase_add_test(tc, test_phase_unbalance_events_in_their_logs);
	tcase_add_test(tc, test_daily_capture);
	tcase_add_test(tc, test_calendar_becomes_the_future_tariff);
	tcase_add_test(tc, test_whole_store_in_one_get);
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
