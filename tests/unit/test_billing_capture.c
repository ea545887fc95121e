// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daily and monthly billing captures: when they are due (core/model/billing-capture.c),
 * what they hold, and the meter's captures in Europe/London through tzdata into the real
 * store (meter/period-capture.c): across a midnight, a month end, the two DST days, and a
 * daemon down over midnight.
 *
 * Samples: phase A's active counter advances 1000 codes per sample at 3.6 mJ per code, i.e.
 * exactly 1 mWh of +A per sample, so after sample n (the first, n = 0, is the baseline) the
 * +A register is n mWh.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "core/billing/civil-time.h"
#include "core/model/billing-capture.h"
#include "meter/meter.h"
#include "meter/period-capture.h"

#define EPOCH 0x1234567890abcdefULL
#define S INT64_C(1000000000)
#define H (3600 * S)

static char dir[64];
static char db[96];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s/pmcapXXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/polymeter.db", dir);
	pm_log_set_max(LOG_WARNING);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Day number of a date: days since 1970-01-01, the state's unit. */
static int32_t day(int y, int m, int d)
{
	return (int32_t)pm_civil_days_from_date(y, m, d);
}

/* UTC ns of a UTC civil time. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct pm_civil_time ct = {y, mo, d, h, mi, s};

	return pm_civil_to_utc_s(&ct) * S;
}

START_TEST(test_due_at_midnights_and_month_ends)
{
	struct pm_billing_capture_state s = {0};

	/* the first scan arms: nothing is captured before a midnight was seen */
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 1, 30)), 0);
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 1, 30)), 0);
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 1, 31)), PM_BILLING_CAPTURE_DAILY);
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 1, 31)), 0);
	/* the 1st: both */
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 2, 1)),
			  PM_BILLING_CAPTURE_DAILY | PM_BILLING_CAPTURE_MONTHLY);
	/* the clock set back over midnight captures nothing, and nothing twice after */
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 1, 31)), 0);
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 2, 1)), 0);
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 2, 2)), PM_BILLING_CAPTURE_DAILY);
	/* down from the 2nd to the 5th: one capture, not one per midnight missed */
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 2, 5)), PM_BILLING_CAPTURE_DAILY);
	/* down over a month end, to 3 March: both, once */
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 3, 3)),
			  PM_BILLING_CAPTURE_DAILY | PM_BILLING_CAPTURE_MONTHLY);
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2026, 3, 4)), PM_BILLING_CAPTURE_DAILY);
	/* a year end is a month end */
	s = (struct pm_billing_capture_state){true, day(2026, 12, 31), day(2026, 12, 1)};
	ck_assert_uint_eq(pm_billing_capture_due(&s, day(2027, 1, 1)),
			  PM_BILLING_CAPTURE_DAILY | PM_BILLING_CAPTURE_MONTHLY);
}
END_TEST

/* Registers with distinct values, an account with two import rates and one export rate. */
START_TEST(test_values_hold_registers_rates_and_the_closing_months_peak)
{
	struct pm_met_registers regs = {0};
	struct pm_snapshot_account acc = {0};
	struct pm_demand_peak imp[PM_DEMAND_MONTHS] = {{true, 7000000, 11}, {true, 6000000, 12}},
			      exp[PM_DEMAND_MONTHS] = {{false, 0, 0}, {true, 2500000, 13}};
	struct pm_billing_values v;

	regs.total[PM_MET_A_IMPORT].mwh = 1001;
	regs.total[PM_MET_A_EXPORT].mwh = 1002;
	regs.total[PM_MET_R_IMPORT].mwh = 1003;
	regs.total[PM_MET_R_EXPORT].mwh = 1004;
	regs.total[PM_MET_R_Q1].mwh = 9999; /* not captured */
	acc.valid = acc.has_tariff = true;
	acc.n_rates = 2;
	acc.n_export_rates = 1;
	acc.rate_import_mwh[0] = 600;
	acc.rate_import_mwh[1] = 401;
	acc.rate_import_mwh[2] = 77; /* beyond n_rates: not captured */
	acc.rate_export_mwh[0] = 1002;

	/* daily at 2026-03-29 00:00 UTC (London, GMT): the current month's peak */
	pm_billing_values_fill(&v, utc(2026, 3, 29, 0, 0, 0), day(2026, 3, 29), false, &regs, &acc,
			       imp, exp);
	ck_assert_uint_eq(v.reg[PM_BILLING_CAP_A_IMPORT], 1001);
	ck_assert_uint_eq(v.reg[PM_BILLING_CAP_R_EXPORT], 1004);
	ck_assert_uint_eq(v.n_rates, 2);
	ck_assert_uint_eq(v.rate_import[0], 600);
	ck_assert_uint_eq(v.rate_import[1], 401);
	ck_assert_uint_eq(v.rate_import[2], 0);
	ck_assert_uint_eq(v.n_export_rates, 1);
	ck_assert_uint_eq(v.rate_export[0], 1002);
	ck_assert(v.md_valid[0] && !v.md_valid[1]);
	ck_assert_int_eq(v.md_mw[0], 7000000);
	ck_assert_int_eq(v.md_end_ns[0], 11);

	/* monthly at 00:00 BST on 1 April = 2026-03-31 23:00 UTC: March is still UTC's [0] */
	pm_billing_values_fill(&v, utc(2026, 3, 31, 23, 0, 0), day(2026, 4, 1), true, &regs, &acc,
			       imp, exp);
	ck_assert_int_eq(v.md_mw[0], 7000000);
	ck_assert(!v.md_valid[1]);
	/* monthly at 00:00 on 1 April in New York (EDT, UTC-4) = 04:00 UTC: March is [1] */
	pm_billing_values_fill(&v, utc(2026, 4, 1, 4, 0, 0), day(2026, 4, 1), true, &regs, &acc,
			       imp, exp);
	ck_assert_int_eq(v.md_mw[0], 6000000);
	ck_assert_int_eq(v.md_end_ns[0], 12);
	ck_assert(v.md_valid[1]);
	ck_assert_int_eq(v.md_mw[1], 2500000);

	/* no tariff: no rate registers */
	acc.has_tariff = false;
	pm_billing_values_fill(&v, 0, 0, false, &regs, &acc, imp, exp);
	ck_assert_uint_eq(v.n_rates, 0);
	ck_assert_uint_eq(v.n_export_rates, 0);
}
END_TEST

/* ---- the meter's captures, London time, real store ---- */

struct rig {
	struct pm_store *store;
	struct pm_meter *meter;
	struct pm_period_capture cap;
	int64_t n; /* the next sample's number */
};

static struct pm_met_sample sample(int64_t n)
{
	struct pm_met_sample s;

	memset(&s, 0, sizeof(s));
	s.ts_ns = n * S;
	s.generation = EPOCH;
	for (int k = 0; k < PM_MET_CNT_COUNT; k++)
		s.nj_per_code[k] = 3600000u;
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		s.ph[ph].v_mv = 230000;
		s.ph[ph].f_mhz = 50000;
	}
	s.ph[0].p_mw = 3600000;
	s.ph[0].counter[PM_MET_CNT_ACTIVE] = n * 1000;
	return s;
}

static void rig_start(struct rig *r, int64_t first_n)
{
	struct pm_meter_config cfg;
	char err[256];

	ck_assert_int_eq(pm_store_open(db, &r->store, err, sizeof(err)), 0);
	pm_meter_config_default(&cfg, "m");
	cfg.met.xcheck_window_ns = 0;
	ck_assert_int_eq(pm_meter_new(&cfg, r->store, &r->meter), 0);
	pm_period_capture_init(&r->cap, "m", "Europe/London", r->store);
	r->n = first_n;
}

static void rig_stop(struct rig *r)
{
	pm_meter_free(r->meter);
	pm_store_close(r->store);
}

/* One scan at @t (UTC ns): metered, then an account with two rates (rate 1 = +A, rate 2 =
 * 1000 mWh fixed) is set as billing does, then the captures. */
static void scan(struct rig *r, int64_t t)
{
	struct pm_met_sample s = sample(r->n++);
	struct pm_snapshot_account acc = {.valid = true, .has_tariff = true, .n_rates = 2};

	ck_assert_int_eq(pm_meter_push(r->meter, &s, t), 0);
	acc.rate_import_mwh[0] = (int64_t)pm_meter_registers(r->meter)->total[PM_MET_A_IMPORT].mwh;
	acc.rate_import_mwh[1] = 1000;
	pm_meter_set_account(r->meter, &acc);
	pm_period_capture_scan(&r->cap, t, r->meter);
}

static int count(struct rig *r, enum pm_store_billing_scheme scheme)
{
	uint64_t n;

	ck_assert_int_eq(pm_store_billing_count(r->store, "m", scheme, INT64_MIN, INT64_MAX, &n),
			 0);
	return (int)n;
}

static struct pm_store_billing last(struct rig *r, enum pm_store_billing_scheme scheme)
{
	struct pm_store_billing b;

	ck_assert_int_eq(pm_store_last_billing(r->store, "m", scheme, &b), 0);
	return b;
}

/*
 * London, spring 2026: BST starts 29 March at 01:00 UTC. Midnight local on the 29th is
 * 00:00 GMT = 00:00 UTC; on the 30th it is 00:00 BST = 23:00 UTC on the 29th (a 23-hour day);
 * on 1 April 00:00 BST = 31 March 23:00 UTC, the month end.
 */
START_TEST(test_london_midnights_spring_and_month_end)
{
	struct rig r;
	struct pm_store_billing b;

	rig_start(&r, 0);
	scan(&r, utc(2026, 3, 28, 23, 59, 58)); /* sample 0: arms on the 28th, +A 0 */
	scan(&r, utc(2026, 3, 28, 23, 59, 59)); /* +A 1 */
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 0);
	scan(&r, utc(2026, 3, 29, 0, 0, 0)); /* +A 2: the first scan of the 29th */
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 1);
	b = last(&r, PM_STORE_BILLING_DAILY);
	ck_assert_int_eq(b.local_day, day(2026, 3, 29));
	ck_assert_int_eq(b.utc_ns, utc(2026, 3, 29, 0, 0, 0));
	ck_assert_uint_eq(b.reg[PM_STORE_PROF_A_IMPORT], 2);
	ck_assert_uint_eq(b.n_rates, 2);
	ck_assert_uint_eq(b.rate_import[0], 2);
	ck_assert_uint_eq(b.rate_import[1], 1000);

	scan(&r, utc(2026, 3, 29, 22, 59, 59)); /* 23:59:59 BST: still the 29th, +A 3 */
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 1);
	scan(&r, utc(2026, 3, 29, 23, 0, 0)); /* 00:00 BST on the 30th, +A 4 */
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 2);
	b = last(&r, PM_STORE_BILLING_DAILY);
	ck_assert_int_eq(b.local_day, day(2026, 3, 30));
	/* the 29th lasted 23 hours */
	ck_assert_int_eq(b.utc_ns - utc(2026, 3, 29, 0, 0, 0), 23 * H);
	ck_assert_uint_eq(b.reg[PM_STORE_PROF_A_IMPORT], 4);
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_MONTHLY), 0);

	scan(&r, utc(2026, 3, 30, 12, 0, 0));	/* +A 5, the 30th */
	scan(&r, utc(2026, 3, 31, 12, 0, 0));	/* +A 6, daily for the 31st */
	scan(&r, utc(2026, 3, 31, 22, 59, 59)); /* +A 7, 23:59:59 BST on the 31st */
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_MONTHLY), 0);
	scan(&r, utc(2026, 3, 31, 23, 0, 0)); /* +A 8, 00:00 BST on 1 April */
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 4);
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_MONTHLY), 1);
	b = last(&r, PM_STORE_BILLING_MONTHLY);
	ck_assert_int_eq(b.local_day, day(2026, 4, 1));
	ck_assert_int_eq(b.utc_ns, utc(2026, 3, 31, 23, 0, 0));
	ck_assert_uint_eq(b.reg[PM_STORE_PROF_A_IMPORT], 8);
	ck_assert_uint_eq(last(&r, PM_STORE_BILLING_DAILY).reg[PM_STORE_PROF_A_IMPORT], 8);
	rig_stop(&r);
}
END_TEST

/* A stand-in for the account at the period's end (meter/billing.h): a working value of 225 p
 * (225 000 mu) and a record of 4 bytes; what the capture told it. */
struct fake_account {
	int64_t charges_mu;
	unsigned char record[4];
	unsigned ends, saved;
	int result;
};

static bool fake_end(void *ctx, struct pm_store_account_record *rec, int64_t *charges_mu)
{
	struct fake_account *f = ctx;

	f->ends++;
	*charges_mu = f->charges_mu;
	f->charges_mu = 0;
	*rec = (struct pm_store_account_record){7, f->record, sizeof(f->record)};
	return true;
}

static void fake_saved(void *ctx, int64_t utc_ns, int64_t charges_mu, int result)
{
	struct fake_account *f = ctx;

	(void)utc_ns;
	f->saved++;
	f->result = result;
	if (result <= 0)
		f->charges_mu = charges_mu;
}

/* §7.8: the monthly capture (1 April 00:00 BST) ends the billing period: it holds the 225 p
 * taken and the account record is stored with it; the daily captures hold no charges. */
START_TEST(test_month_end_stores_the_periods_charges)
{
	struct fake_account f = {.charges_mu = 225000, .record = {1, 2, 3, 4}};
	unsigned char got[4];
	struct pm_store_billing b;
	struct rig r;

	rig_start(&r, 0);
	r.cap.account = (struct pm_period_account){fake_end, fake_saved, &f};
	scan(&r, utc(2026, 3, 31, 12, 0, 0)); /* arms on the 31st */
	scan(&r, utc(2026, 3, 31, 22, 0, 0)); /* 23:00 BST, the 31st */
	ck_assert_uint_eq(f.ends, 0);
	scan(&r, utc(2026, 3, 31, 23, 0, 0)); /* 00:00 BST on 1 April */
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_MONTHLY), 1);
	ck_assert_uint_eq(f.ends, 1);
	ck_assert_uint_eq(f.saved, 1);
	ck_assert_int_eq(f.result, 1);
	ck_assert_int_eq(f.charges_mu, 0); /* reset, stored */
	b = last(&r, PM_STORE_BILLING_MONTHLY);
	ck_assert(b.has_charges);
	ck_assert_int_eq(b.charges_mu, 225000);
	ck_assert_int_eq(b.utc_ns, utc(2026, 3, 31, 23, 0, 0));
	ck_assert(!last(&r, PM_STORE_BILLING_DAILY).has_charges);
	ck_assert_int_eq(pm_store_load_account(r.store, "m", 7, got, sizeof(got)), 0);
	ck_assert_int_eq(memcmp(got, f.record, sizeof(got)), 0);
	/* the next daily capture does not end the period */
	scan(&r, utc(2026, 4, 1, 23, 0, 0)); /* 00:00 BST on the 2nd */
	/* daily: 1 and 2 April (the 31st only armed the scheme) */
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 2);
	ck_assert_uint_eq(f.ends, 1);
	rig_stop(&r);
}
END_TEST

/*
 * London, autumn 2026: GMT returns 25 October at 01:00 UTC. Midnight local on the 25th is
 * 00:00 BST = 24 October 23:00 UTC; on the 26th 00:00 GMT = 00:00 UTC: a 25-hour day, and
 * the hour 01:00-02:00 local that happens twice captures nothing.
 */
START_TEST(test_london_autumn_day_of_25_hours)
{
	struct rig r;
	struct pm_store_billing b;

	rig_start(&r, 0);
	scan(&r, utc(2026, 10, 24, 22, 0, 0)); /* arms on the 24th */
	scan(&r, utc(2026, 10, 24, 23, 0, 0)); /* 00:00 BST on the 25th */
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 1);
	scan(&r, utc(2026, 10, 25, 0, 30, 0)); /* 01:30 BST */
	scan(&r, utc(2026, 10, 25, 1, 30, 0)); /* 01:30 GMT, the same local hour again */
	scan(&r, utc(2026, 10, 25, 23, 59, 59));
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 1);
	scan(&r, utc(2026, 10, 26, 0, 0, 0)); /* 00:00 GMT on the 26th, +A 5 */
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 2);
	b = last(&r, PM_STORE_BILLING_DAILY);
	ck_assert_int_eq(b.utc_ns - utc(2026, 10, 24, 23, 0, 0), 25 * H);
	ck_assert_uint_eq(b.reg[PM_STORE_PROF_A_IMPORT], 5);
	rig_stop(&r);
}
END_TEST

/*
 * The daemon stops at 23:00 on 15 January and starts again at 07:30 on the 16th (GMT = UTC):
 * the first scan after the start captures the 16th, dated 07:30 (its real time), with the
 * registers it has then; a second restart the same day captures nothing more.
 */
START_TEST(test_down_over_midnight_captures_at_the_first_scan_after)
{
	struct rig r;
	struct pm_store_billing b;

	rig_start(&r, 0);
	scan(&r, utc(2026, 1, 14, 23, 59, 59)); /* arms on the 14th */
	scan(&r, utc(2026, 1, 15, 0, 0, 1));	/* captures the 15th, +A 1 */
	scan(&r, utc(2026, 1, 15, 23, 0, 0));	/* +A 2 */
	ck_assert_int_eq(pm_meter_checkpoint(r.meter, utc(2026, 1, 15, 23, 0, 0)), 0);
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 1);
	rig_stop(&r);

	/* restart: the counters went on to sample 10 while the daemon was down (same epoch:
	 * recovered), so the first scan after it has +A 10 */
	rig_start(&r, 10);
	scan(&r, utc(2026, 1, 16, 7, 30, 0));
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 2);
	b = last(&r, PM_STORE_BILLING_DAILY);
	ck_assert_int_eq(b.local_day, day(2026, 1, 16));
	ck_assert_int_eq(b.utc_ns, utc(2026, 1, 16, 7, 30, 0));
	ck_assert_uint_eq(b.reg[PM_STORE_PROF_A_IMPORT], 10);
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_MONTHLY), 0);
	rig_stop(&r);

	rig_start(&r, 20);
	scan(&r, utc(2026, 1, 16, 9, 0, 0));
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 2);
	/* down from the 16th to 2 February: one daily and one monthly capture */
	scan(&r, utc(2026, 2, 2, 6, 0, 0));
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_DAILY), 3);
	ck_assert_int_eq(count(&r, PM_STORE_BILLING_MONTHLY), 1);
	ck_assert_int_eq(last(&r, PM_STORE_BILLING_MONTHLY).local_day, day(2026, 2, 2));
	rig_stop(&r);
}
END_TEST

/* Without a store nothing is captured (nor is the capture taken and lost). */
START_TEST(test_no_store_no_capture)
{
	struct pm_period_capture c;
	struct pm_meter_config cfg;
	struct pm_meter *m;
	struct pm_met_sample s = sample(0);

	pm_meter_config_default(&cfg, "m");
	ck_assert_int_eq(pm_meter_new(&cfg, NULL, &m), 0);
	pm_period_capture_init(&c, "m", "Europe/London", NULL);
	ck_assert_int_eq(pm_meter_push(m, &s, utc(2026, 1, 1, 0, 0, 0)), 0);
	pm_period_capture_scan(&c, utc(2026, 1, 1, 0, 0, 0), m);
	ck_assert_uint_eq(c.captures + c.failures, 0);
	pm_meter_free(m);
}
END_TEST

static Suite *capture_suite(void)
{
	Suite *s = suite_create("billing_capture");
	TCase *tc = tcase_create("capture");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_due_at_midnights_and_month_ends);
	tcase_add_test(tc, test_values_hold_registers_rates_and_the_closing_months_peak);
	tcase_add_test(tc, test_london_midnights_spring_and_month_end);
	tcase_add_test(tc, test_london_autumn_day_of_25_hours);
	tcase_add_test(tc, test_down_over_midnight_captures_at_the_first_scan_after);
	tcase_add_test(tc, test_no_store_no_capture);
	tcase_add_test(tc, test_month_end_stores_the_periods_charges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(capture_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
