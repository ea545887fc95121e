// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's account (daemon/billing.c) with the real store (SQLite) and real tariff files:
 * accrual from register growth, switch points in the meter's time zone, top-up references,
 * restart and power-cut behaviour, supply decisions, refusals that change nothing.
 *
 * Money by hand: 1.00 GBP = 100000 mu; 1 Wh at P mu/kWh costs P / 1000 mu.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "billing.h"
#include "log.h"

#define S INT64_C(1000000000)
/* 2026-01-05 10:00:00 UTC, a Monday */
#define T_JAN (INT64_C(1767607200) * S)
/* 2026-07-06 10:00:00 UTC, a Monday: 11:00 in London (BST, UTC+1) */
#define T_JUL (INT64_C(1783332000) * S)

static char dir[64], db[96], flat[96], tou[96];
static struct pm_store *store;
static int supply_calls;
static bool contactor, aux;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char err[256];

	snprintf(dir, sizeof(dir), "%s/pmbillXXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/polymeter.db", dir);
	snprintf(flat, sizeof(flat), "%s/flat.json", dir);
	snprintf(tou, sizeof(tou), "%s/tou.json", dir);
	write_file(flat,
		   "{\"version\": 1, \"name\": \"Flat\","
		   " \"currency\": {\"code\": \"GBP\", \"minor_units\": 2},"
		   " \"rates\": {\"1\": {\"price_per_kwh\": \"1.00\"}},"
		   " \"day_profiles\": {\"all\": [{\"at\": \"00:00\", \"rate\": 1}]},"
		   " \"seasons\": [{\"days\": {\"weekdays\": \"all\", \"weekend\": \"all\"}}],"
		   " \"billing_period\": {\"months\": 1, \"start\": \"2026-01-01\"}}");
	/* rate 1 (0.10) until 12:00 local, rate 2 (0.50) after, aux relay on rate 2 */
	write_file(tou, "{\"version\": 1, \"name\": \"Noon\","
			" \"currency\": {\"code\": \"GBP\", \"minor_units\": 2},"
			" \"rates\": {\"1\": {\"price_per_kwh\": \"0.10\"},"
			" \"2\": {\"price_per_kwh\": \"0.50\"}},"
			" \"day_profiles\": {\"all\": [{\"at\": \"00:00\", \"rate\": 1},"
			" {\"at\": \"12:00\", \"rate\": 2, \"aux_relay\": true}]},"
			" \"seasons\": [{\"days\": {\"weekdays\": \"all\", \"weekend\": \"all\"}}],"
			" \"billing_period\": {\"months\": 1, \"start\": \"2026-01-01\"}}");
	pm_log_set_max(LOG_WARNING);
	ck_assert_int_eq(pm_store_open(db, &store, err, sizeof(err)), 0);
	supply_calls = 0;
}

static void teardown(void)
{
	char cmd[128];

	pm_store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void on_supply(void *userdata, bool c, bool a)
{
	(void)userdata;
	supply_calls++;
	contactor = c;
	aux = a;
}

static struct pm_billing *open_billing(const char *tariff, const char *zone, int64_t now,
				       struct pm_store *st)
{
	struct pm_billing_config cfg = {
	    .meter = "m1",
	    .time_zone = zone,
	    .tariff_file = tariff,
	    .save_interval_ns = 60 * S,
	};
	struct pm_billing *b;
	char err[320];

	account_config_default(&cfg.account);
	cfg.account.mode = ACCOUNT_MODE_PREPAYMENT;
	ck_assert_int_eq(pm_billing_new(&cfg, st, now, &b, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	pm_billing_set_hooks(b, on_supply, NULL, NULL);
	return b;
}

static int64_t balance(struct pm_billing *b, int64_t now)
{
	struct pm_billing_view v;

	pm_billing_view(b, now, &v);
	return v.regs.balance_mu;
}

START_TEST(test_growth_billed_at_price)
{
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, store);
	struct pm_billing_error e;

	pm_billing_sample(b, T_JAN, true, 5000, 0, 0, false); /* baseline: nothing billed */
	ck_assert_int_eq(balance(b, T_JAN), 0);
	/* 1 Wh at 100000 mu/kWh = 100 mu */
	pm_billing_sample(b, T_JAN + 60 * S, true, 6000, 0, 0, false);
	ck_assert_int_eq(balance(b, T_JAN + 60 * S), -100);
	/* registers not valid: nothing billed, the baseline waits */
	pm_billing_sample(b, T_JAN + 61 * S, false, 0, 0, 0, false);
	ck_assert_int_eq(balance(b, T_JAN + 61 * S), -100);
	ck_assert_int_eq(
	    pm_billing_topup(b, T_JAN + 62 * S, 100000, "ref-1", ACCOUNT_PAYMENT_LOCAL, &e), 0);
	ck_assert_int_eq(balance(b, T_JAN + 62 * S), 99900);
	pm_billing_free(b);
}
END_TEST

START_TEST(test_reference_used_once)
{
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, store);
	struct pm_billing_error e;

	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 500000, "ref-1", ACCOUNT_PAYMENT_LOCAL, &e), 0);
	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 500000, "ref-1", ACCOUNT_PAYMENT_REMOTE, &e),
			 -EEXIST);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_DUPLICATE);
	ck_assert_ptr_nonnull(strstr(e.message, "reference"));
	ck_assert_int_eq(balance(b, T_JAN), 500000);
	/* a reference with a space, an empty one, a zero amount: refused, nothing changes */
	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1, "a b", ACCOUNT_PAYMENT_LOCAL, &e), -EINVAL);
	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1, "", ACCOUNT_PAYMENT_LOCAL, &e), -EINVAL);
	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 0, "ref-2", ACCOUNT_PAYMENT_LOCAL, &e),
			 -EINVAL);
	ck_assert_int_eq(balance(b, T_JAN), 500000);
	pm_billing_free(b);
	/* the reference is remembered across a restart */
	b = open_billing(flat, "UTC", T_JAN + S, store);
	ck_assert_int_eq(pm_billing_topup(b, T_JAN + S, 1, "ref-1", ACCOUNT_PAYMENT_LOCAL, &e),
			 -EEXIST);
	ck_assert_int_eq(balance(b, T_JAN + S), 500000);
	pm_billing_free(b);
}
END_TEST

START_TEST(test_restart_bills_downtime_once)
{
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, store);

	pm_billing_sample(b, T_JAN, true, 1000, 0, 0, false); /* the baseline: saved at once */
	/* an energy checkpoint 1 s later: not saved (at most every 10 s) */
	pm_billing_sample(b, T_JAN + S, true, 2000, 0, 0, true);
	ck_assert_int_eq(balance(b, T_JAN + S), -100);
	pm_billing_free(b); /* a crash: nothing flushed */

	/* the stored account is from the baseline: 0 billed at 1 Wh. The first sample bills all
	 * the growth since, the 1 Wh billed before the crash and 2 Wh counted while down: 300 mu */
	b = open_billing(flat, "UTC", T_JAN + 10 * S, store);
	ck_assert_int_eq(balance(b, T_JAN + 10 * S), 0);
	pm_billing_sample(b, T_JAN + 10 * S, true, 4000, 0, 0, false);
	ck_assert_int_eq(balance(b, T_JAN + 10 * S), -300);
	ck_assert_int_eq(pm_billing_flush(b, T_JAN + 10 * S), 0);
	pm_billing_free(b);

	/* a power cut: the registers came back lower (3.5 Wh) than billed (4 Wh): not billed
	 * again; growth from there is billed */
	b = open_billing(flat, "UTC", T_JAN + 20 * S, store);
	pm_billing_sample(b, T_JAN + 20 * S, true, 3500, 0, 0, false);
	ck_assert_int_eq(balance(b, T_JAN + 20 * S), -300);
	pm_billing_sample(b, T_JAN + 21 * S, true, 4500, 0, 0, false);
	ck_assert_int_eq(balance(b, T_JAN + 21 * S), -400);
	pm_billing_free(b);
}
END_TEST

START_TEST(test_switch_point_in_local_time)
{
	/* 11:00 BST baseline, 13:00 BST 1 kWh: the interval is closed at 12:00 local first, so
	 * the kWh is priced at rate 2 (0.50 = 50000 mu). Taken as UTC, 10:00-12:00 would not
	 * cross the switch and cost 10000 mu. */
	struct pm_billing *b = open_billing(tou, "Europe/London", T_JUL, store);
	struct pm_billing_view v;

	pm_billing_sample(b, T_JUL, true, 0, 0, 0, false);
	pm_billing_view(b, T_JUL, &v);
	ck_assert_uint_eq(v.rate, 0);
	ck_assert(!v.aux_closed);
	pm_billing_sample(b, T_JUL + 7200 * S, true, 1000000, 0, 0, false);
	pm_billing_view(b, T_JUL + 7200 * S, &v);
	ck_assert_int_eq(v.regs.balance_mu, -50000);
	ck_assert_uint_eq(v.rate, 1);
	ck_assert_int_eq(v.price_mu_per_kwh, 50000);
	ck_assert(v.aux_closed);
	ck_assert(aux); /* the hook was told */
	pm_billing_free(b);
}
END_TEST

START_TEST(test_supply_follows_credit)
{
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, store);
	struct pm_billing_error e;
	struct pm_billing_view v;

	ck_assert_int_eq(supply_calls, 1); /* the initial state: closed */
	ck_assert(contactor);
	pm_billing_sample(b, T_JAN, true, 0, 0, 0, false);
	pm_billing_sample(b, T_JAN + S, true, 1000, 0, 0, false); /* -100 mu: out of credit */
	ck_assert(!contactor);
	ck_assert_int_eq(supply_calls, 2);
	ck_assert_int_eq(pm_billing_confirm(b, T_JAN + 2 * S, &e), -EPERM);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_REFUSED);
	ck_assert_int_eq(pm_billing_topup(b, T_JAN + 3 * S, 100000, "r", ACCOUNT_PAYMENT_LOCAL, &e),
			 0);
	pm_billing_view(b, T_JAN + 3 * S, &v);
	ck_assert(!v.supply.closed);
	ck_assert(v.armed); /* waits for the customer */
	ck_assert(!contactor);
	ck_assert_int_eq(pm_billing_confirm(b, T_JAN + 4 * S, &e), 0);
	ck_assert(contactor);
	ck_assert_int_eq(supply_calls, 3);
	pm_billing_free(b);
}
END_TEST

START_TEST(test_bad_tariff_changes_nothing)
{
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, store);
	struct pm_billing_error e;
	struct pm_billing_view v;

	ck_assert_int_eq(pm_billing_set_tariff(b, T_JAN, "{\"version\": 2}", &e), -EINVAL);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_TARIFF);
	ck_assert_ptr_nonnull(strstr(e.message, "version"));
	pm_billing_view(b, T_JAN, &v);
	ck_assert_str_eq(v.tariff_name, "Flat");
	ck_assert_int_eq(v.price_mu_per_kwh, 100000);
	pm_billing_free(b);
}
END_TEST

START_TEST(test_without_store_nothing_is_accepted)
{
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, NULL);
	struct pm_billing_error e;

	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 100, "r", ACCOUNT_PAYMENT_LOCAL, &e), -ENODEV);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_NO_STORE);
	ck_assert_int_eq(balance(b, T_JAN), 0);
	pm_billing_free(b);
}
END_TEST

/*
 * STS: a currency credit token (class 0 subclass 4, amount field 10000 = 10000 x 0.00001 GBP
 * = 0.10 GBP = 10000 mu: below 2^14, so exponent 0 and exact) tops up; the same token again is
 * refused as used; a kWh token (subclass 0) is refused and does not use up its TID.
 */
START_TEST(test_sts_credit_token)
{
	const uint64_t dk = 0xabababababababab;
	struct pm_billing_config cfg = {.meter = "m1",
					.time_zone = "UTC",
					.tariff_file = flat,
					.sts = true,
					.sts_dk = dk,
					.save_interval_ns = 60 * S};
	char text[STS_TOKEN_TEXT_LEN], kwh[STS_TOKEN_TEXT_LEN], err[320];
	struct pm_billing_error e;
	struct sts_result res;
	struct pm_billing *b;
	int64_t credit;

	account_config_default(&cfg.account);
	ck_assert_int_eq(pm_billing_new(&cfg, store, T_JAN, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(sts_encode(0, 4, sts_middle_tid(5, 1000, 10000), dk, text), 0);
	ck_assert_int_eq(sts_encode(0, 0, sts_middle_tid(5, 1001, 10), dk, kwh), 0);

	ck_assert_int_eq(pm_billing_token(b, T_JAN, text, &credit, &res, &e), 0);
	ck_assert_int_eq(credit, 10000);
	ck_assert_int_eq(balance(b, T_JAN), 10000);
	ck_assert_int_eq(pm_billing_token(b, T_JAN, text, &credit, &res, &e), -EALREADY);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_TOKEN);
	ck_assert_int_eq(balance(b, T_JAN), 10000);
	ck_assert_int_eq(pm_billing_token(b, T_JAN, kwh, &credit, &res, &e), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(e.message, "currency"));
	ck_assert_int_eq(pm_billing_token(b, T_JAN, kwh, &credit, &res, &e), -ENOTSUP);
	ck_assert_int_eq(balance(b, T_JAN), 10000);
	pm_billing_free(b);
	/* the TID memory is stored: the token stays used after a restart */
	ck_assert_int_eq(pm_billing_new(&cfg, store, T_JAN, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(pm_billing_token(b, T_JAN, text, &credit, &res, &e), -EALREADY);
	ck_assert_int_eq(balance(b, T_JAN), 10000);
	pm_billing_free(b);
}
END_TEST

START_TEST(test_unknown_zone_refused)
{
	struct pm_billing_config cfg = {
	    .meter = "m1", .time_zone = "Mars/Olympus", .tariff_file = ""};
	struct pm_billing *b;
	char err[320];

	account_config_default(&cfg.account);
	ck_assert_int_eq(pm_billing_new(&cfg, store, T_JAN, &b, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "time_zone"));
}
END_TEST

static Suite *billing_suite(void)
{
	Suite *s = suite_create("billing");
	TCase *tc = tcase_create("billing");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_growth_billed_at_price);
	tcase_add_test(tc, test_reference_used_once);
	tcase_add_test(tc, test_restart_bills_downtime_once);
	tcase_add_test(tc, test_switch_point_in_local_time);
	tcase_add_test(tc, test_supply_follows_credit);
	tcase_add_test(tc, test_bad_tariff_changes_nothing);
	tcase_add_test(tc, test_without_store_nothing_is_accepted);
	tcase_add_test(tc, test_sts_credit_token);
	tcase_add_test(tc, test_unknown_zone_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(billing_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
