// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's account (daemon/meter/billing*.c) with the real store (SQLite) and real tariff
 * files: accrual from register growth, switch points in the meter's time zone, top-up references,
 * restart and power-cut behaviour, supply decisions, refusals that change nothing.
 * Longer than 800 lines because a test file covers one unit (tests/unit has one file a unit)
 * and each of this unit's rules has its own short test.
 *
 * Money by hand: 1.00 GBP = 100000 mu; 1 Wh at P mu/kWh costs P / 1000 mu.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "meter/billing-state.h"
#include "meter/billing.h"
#include "core/model/quantity.h"
#include "common/log.h"
#include "support/sts-vend.h" /* tokens to enter (the vending side) */

#define S INT64_C(1000000000)
/* 2026-01-05 10:00:00 UTC, a Monday */
#define T_JAN (INT64_C(1767607200) * S)
/* 2026-07-06 10:00:00 UTC, a Monday: 11:00 in London (BST, UTC+1) */
#define T_JUL (INT64_C(1783332000) * S)

static char dir[64], db[96], flat[96], tou[96], standing[96];
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
	snprintf(standing, sizeof(standing), "%s/standing.json", dir);
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
			" \"rates\": {\"1\": {\"name\": \"morning\", \"price_per_kwh\": \"0.10\"},"
			" \"2\": {\"name\": \"afternoon\", \"price_per_kwh\": \"0.50\"}},"
			" \"day_profiles\": {\"all\": [{\"at\": \"00:00\", \"rate\": 1},"
			" {\"at\": \"12:00\", \"rate\": 2, \"aux_relay\": true}]},"
			" \"seasons\": [{\"days\": {\"weekdays\": \"all\", \"weekend\": \"all\"}}],"
			" \"billing_period\": {\"months\": 1, \"start\": \"2026-01-01\"}}");
	/* free energy, a standing charge of 3.50 a week: 3500 mu every 6048 s */
	write_file(standing,
		   "{\"version\": 1, \"name\": \"Standing\","
		   " \"currency\": {\"code\": \"GBP\", \"minor_units\": 2},"
		   " \"rates\": {\"1\": {\"price_per_kwh\": \"0\"}},"
		   " \"day_profiles\": {\"all\": [{\"at\": \"00:00\", \"rate\": 1}]},"
		   " \"seasons\": [{\"days\": {\"weekdays\": \"all\", \"weekend\": \"all\"}}],"
		   " \"billing_period\": {\"months\": 1, \"start\": \"2026-01-01\"},"
		   " \"standing_charge\": {\"per_week\": \"3.50\"}}");
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

/* The event log the daemon would keep, oldest first. */
static unsigned n_events;
static char event_kind[64][32], event_detail[64][256];

static void on_event(void *userdata, int64_t utc_ns, const char *kind, const char *detail)
{
	(void)userdata;
	(void)utc_ns;
	if (n_events == 64)
		return;
	snprintf(event_kind[n_events], sizeof(event_kind[0]), "%s", kind);
	snprintf(event_detail[n_events], sizeof(event_detail[0]), "%s", detail);
	n_events++;
}

/* Index of the first event of @kind, -1 when none. */
static int find_event(const char *kind)
{
	for (unsigned i = 0; i < n_events; i++)
		if (!strcmp(event_kind[i], kind))
			return (int)i;
	return -1;
}

static struct pm_billing *open_logged(const char *tariff, const char *zone, int64_t now)
{
	struct pm_billing *b = open_billing(tariff, zone, now, store);

	n_events = 0;
	pm_billing_set_hooks(b, on_supply, on_event, NULL);
	return b;
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

START_TEST(test_factor_parsed_exactly)
{
	int64_t num = 0, den = 0;

	ck_assert_int_eq(pm_billing_parse_factor("0.5", &num, &den), 0);
	ck_assert(num == 5 && den == 10);
	ck_assert_int_eq(pm_billing_parse_factor("4", &num, &den), 0);
	ck_assert(num == 4 && den == 1);
	ck_assert_int_eq(pm_billing_parse_factor("0.25", &num, &den), 0);
	ck_assert(num == 25 && den == 100);
	ck_assert_int_eq(pm_billing_parse_factor("1.2345", &num, &den), 0);
	ck_assert(num == 12345 && den == 10000);
	ck_assert_int_eq(pm_billing_parse_factor("5", &num, &den), -ERANGE);
	ck_assert_int_eq(pm_billing_parse_factor("0.2499", &num, &den), -ERANGE);
	ck_assert_int_eq(pm_billing_parse_factor("4.0001", &num, &den), -ERANGE);
	ck_assert_int_eq(pm_billing_parse_factor("1.00001", &num, &den), -EINVAL);
	ck_assert_int_eq(pm_billing_parse_factor("1.", &num, &den), -EINVAL);
	ck_assert_int_eq(pm_billing_parse_factor("", &num, &den), -EINVAL);
	ck_assert_int_eq(pm_billing_parse_factor("-1", &num, &den), -EINVAL);
	ck_assert_int_eq(pm_billing_parse_factor("1e0", &num, &den), -EINVAL);
}
END_TEST

START_TEST(test_money_converted_half_away_from_zero)
{
	ck_assert_int_eq(account_convert_mu(1000000, 5, 10), 500000);
	ck_assert_int_eq(account_convert_mu(101, 5, 10), 51);	/* 50.5 -> 51 */
	ck_assert_int_eq(account_convert_mu(-101, 5, 10), -51); /* -50.5 -> -51 */
	ck_assert_int_eq(account_convert_mu(1, 25, 100), 0);	/* 0.25 -> 0 */
	ck_assert_int_eq(account_convert_mu(3, 25, 100), 1);	/* 0.75 -> 1 */
	ck_assert_int_eq(account_convert_mu(-250, 4, 1), -1000);
	/* no overflow near the top: 2^62 x 0.5 = 2^61 */
	ck_assert_int_eq(account_convert_mu(INT64_C(1) << 62, 5, 10), INT64_C(1) << 61);
	/* §8.11 with a change of minor units: GBP to JPY at 1.5, x 3/200: 1 234 567 mu ->
	 * 18 518.505 -> 18 519; to BHD at 4, x 40/1: 1e15 -> 4e16 (exact, no overflow); the
	 * terms at their bound 1e9: 999 999 999 x 1e9 / 999 999 999 = 1e9 */
	ck_assert_int_eq(account_convert_mu(1234567, 3, 200), 18519);
	ck_assert_int_eq(account_convert_mu(-1234567, 3, 200), -18519);
	ck_assert_int_eq(account_convert_mu(INT64_C(1000000000000000), 40, 1),
			 INT64_C(40000000000000000));
	ck_assert_int_eq(account_convert_mu(999999999, 1000000000, 999999999), 1000000000);
	/* saturates rather than overflows */
	ck_assert_int_eq(account_convert_mu(INT64_MAX, 40000, 1), INT64_MAX);
}
END_TEST

START_TEST(test_future_tariff_at_local_midnight)
{
	/* London in July is UTC+1: 00:00 local on 2026-07-07 is 2026-07-06 23:00 UTC */
	const int64_t before = INT64_C(1783378740) * S; /* 2026-07-06 22:59:00 UTC */
	const int64_t after = INT64_C(1783378830) * S;	/* 2026-07-06 23:00:30 UTC */
	struct pm_billing *b = open_logged(flat, "Europe/London", T_JUL);
	struct pm_billing_error e;
	struct pm_billing_view v;
	FILE *f = fopen(tou, "r");
	char json[2048];
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(json, 1, sizeof(json) - 1, f);
	fclose(f);
	json[n] = '\0';
	/* today, yesterday, no date, an impossible date: refused naming the date */
	ck_assert_int_eq(pm_billing_set_future_tariff(b, T_JUL, json, "2026-07-06", &e), -EINVAL);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.message, "date: 2026-07-06 is not after today"));
	ck_assert_int_eq(pm_billing_set_future_tariff(b, T_JUL, json, "2026-07-05", &e), -EINVAL);
	ck_assert_int_eq(pm_billing_set_future_tariff(b, T_JUL, json, "2026-06-31", &e), -EINVAL);
	ck_assert_str_eq(e.message, "date: '2026-06-31' is not a date YYYY-MM-DD");
	ck_assert_int_eq(
	    pm_billing_set_future_tariff(b, T_JUL, "{\"version\": 1}", "2026-07-07", &e), -EINVAL);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_TARIFF);
	pm_billing_view(b, T_JUL, &v);
	ck_assert(!v.has_future_tariff);

	ck_assert_int_eq(pm_billing_set_future_tariff(b, T_JUL, json, "2026-07-07", &e), 0);
	pm_billing_view(b, T_JUL, &v);
	ck_assert(v.has_future_tariff);
	ck_assert_str_eq(v.future_tariff_name, "Noon");
	ck_assert(v.future_tariff_date.year == 2026 && v.future_tariff_date.month == 7 &&
		  v.future_tariff_date.day == 7);

	pm_billing_sample(b, T_JUL, true, 0, 0, 0, false);
	/* 1 Wh at the flat 1.00 GBP per kWh = 100 mu */
	pm_billing_sample(b, before, true, 1000, 0, 0, false);
	pm_billing_view(b, before, &v);
	ck_assert_str_eq(v.tariff_name, "Flat");
	ck_assert_int_eq(v.regs.balance_mu, -100);
	/* past local midnight: "Noon" at rate 1, 0.10 GBP per kWh: 1 Wh = 10 mu */
	pm_billing_sample(b, after, true, 2000, 0, 0, false);
	pm_billing_view(b, after, &v);
	ck_assert_str_eq(v.tariff_name, "Noon");
	ck_assert(!v.has_future_tariff);
	ck_assert_int_eq(v.price_mu_per_kwh, 10000);
	ck_assert_int_eq(v.regs.balance_mu, -110);
	ck_assert_int_ge(find_event("tariff_deferred"), 0);
	ck_assert_int_ge(find_event("tariff_activated"), 0);
	ck_assert_str_eq(event_detail[find_event("tariff_activated")], "name=Noon currency=GBP");
	/* kept: a restart still has the activated tariff */
	pm_billing_free(b);
	b = open_billing(flat, "Europe/London", after, store);
	pm_billing_view(b, after, &v);
	ck_assert_str_eq(v.tariff_name, "Noon");
	pm_billing_free(b);
}
END_TEST

START_TEST(test_future_tariff_cancelled)
{
	struct pm_billing *b = open_logged(flat, "UTC", T_JAN);
	struct pm_billing_error e;
	struct pm_billing_view v;

	ck_assert_int_eq(pm_billing_cancel_future_tariff(b, T_JAN, &e), -EPERM);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_REFUSED);
	ck_assert_int_eq(pm_billing_set_future_tariff(
			     b, T_JAN,
			     "{\"version\": 1, \"name\": \"Later\","
			     " \"currency\": {\"code\": \"GBP\", \"minor_units\": 2},"
			     " \"rates\": {\"1\": {\"price_per_kwh\": \"3.00\"}},"
			     " \"day_profiles\": {\"all\": [{\"at\": \"00:00\", \"rate\": 1}]},"
			     " \"seasons\": [{\"days\": {\"weekdays\": \"all\", \"weekend\": "
			     "\"all\"}}],"
			     " \"billing_period\": {\"months\": 1, \"start\": \"2026-01-01\"}}",
			     "2026-01-06", &e),
			 0);
	ck_assert_int_eq(pm_billing_cancel_future_tariff(b, T_JAN, &e), 0);
	pm_billing_sample(b, T_JAN, true, 0, 0, 0, false);
	pm_billing_sample(b, T_JAN + 15 * 3600 * S, true, 1000, 0, 0, false); /* 01:00 next day */
	pm_billing_view(b, T_JAN + 15 * 3600 * S, &v);
	ck_assert_str_eq(v.tariff_name, "Flat");
	ck_assert_int_eq(v.regs.balance_mu, -100);
	pm_billing_free(b);
}
END_TEST

/*
 * §8.11: the request names the "Currency to be converted to", and "Following conversion the
 * meter will change the currency symbol". 10.00 GBP paid, 1 Wh at 1.00 GBP/kWh (100 mu) before
 * midnight: 999 900 mu. To JPY (0 minor units) at 1.5 yen a pound: 1 p (1000 mu) becomes
 * 1.5 / 100 yen = 15 mu of yen, so every amount x 3 / 200:
 *   balance 999 900 x 3 / 200 = 14 998.5 -> 14 999 mu (half away from zero, docs/account.md);
 *   price 100 000 x 3 / 200 = 1500 mu/kWh (1.5 yen); the payment of 10.00 GBP: 15 000 mu
 *   (15 yen, 10 x 1.5). The scheduled conversion survives a restart (record layout 6).
 *   1 Wh after it: 1.5 mu, 1 taken and 0.5 carried: 14 998.
 */
START_TEST(test_currency_conversion_to_yen)
{
	const int64_t next = T_JAN + (14 * 3600 + 1) * S; /* 2026-01-06 00:00:01 UTC */
	struct pm_billing *b = open_logged(flat, "UTC", T_JAN);
	struct pm_billing_error e;
	struct pm_billing_view v;
	int conv;

	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1000000, "r1", ACCOUNT_PAYMENT_LOCAL, &e), 0);
	ck_assert_int_eq(pm_billing_convert_currency(b, T_JAN, "2026-01-06", "1.5", "JPY", &e), 0);
	pm_billing_view(b, T_JAN, &v);
	ck_assert(v.has_conversion);
	ck_assert_int_eq(v.conversion_num, 15); /* the factor as asked, "1.5" */
	ck_assert_int_eq(v.conversion_den, 10);
	ck_assert_str_eq(v.conversion_currency, "JPY");
	ck_assert_int_eq(v.conversion_minor_units, 0);
	ck_assert_str_eq(v.currency, "GBP"); /* until the date */
	pm_billing_free(b);

	b = open_logged(flat, "UTC", T_JAN);
	pm_billing_view(b, T_JAN, &v);
	ck_assert(v.has_conversion);
	ck_assert_str_eq(v.conversion_currency, "JPY");
	pm_billing_sample(b, T_JAN, true, 0, 0, 0, false);
	pm_billing_sample(b, next - 2 * S, true, 1000, 0, 0, false);
	ck_assert_int_eq(balance(b, next - 2 * S), 999900);
	pm_billing_sample(b, next, true, 1000, 0, 0, false);
	pm_billing_view(b, next, &v);
	ck_assert(!v.has_conversion);
	ck_assert_str_eq(v.currency, "JPY");
	ck_assert_int_eq(v.minor_units, 0);
	ck_assert_int_eq(v.regs.balance_mu, 14999);
	ck_assert_int_eq(v.price_mu_per_kwh, 1500);
	ck_assert_int_eq(v.payments[0].value_mu, 15000);
	ck_assert_int_eq(v.regs.total_credit_mu, 0);
	conv = find_event("currency_converted");
	ck_assert_int_ge(conv, 0);
	ck_assert_ptr_nonnull(
	    strstr(event_detail[conv], "factor=3/200 balance=14.999 currency=JPY"));
	pm_billing_sample(b, next + S, true, 2000, 0, 0, false);
	ck_assert_int_eq(balance(b, next + S), 14998);
	/* a payment after it is in yen, whole yen (1000 mu): 500 yen */
	ck_assert_int_eq(pm_billing_topup(b, next + S, 500000, "r2", ACCOUNT_PAYMENT_LOCAL, &e), 0);
	ck_assert_int_eq(pm_billing_topup(b, next + S, 500500, "r3", ACCOUNT_PAYMENT_LOCAL, &e),
			 -EINVAL); /* 500.5 yen: finer than the yen */
	ck_assert_int_eq(balance(b, next + S), 514998);
	pm_billing_free(b);
}
END_TEST

/*
 * To BHD (3 minor units, the fils) at 0.5 dinar a pound: 1 p = 0.005 BHD = 5 fils, so every
 * amount x 5 (5/10 x 10): balance 999 900 -> 4 999 500 mu (4.9995 BHD); price 100 000 ->
 * 500 000 mu/kWh (0.500 BHD); the 10.00 GBP payment 5 000 000 mu (5.000 BHD). 1 Wh after:
 * 500 mu, 4 999 000.
 */
START_TEST(test_currency_conversion_to_dinar)
{
	const int64_t next = T_JAN + (14 * 3600 + 1) * S;
	struct pm_billing *b = open_logged(flat, "UTC", T_JAN);
	struct pm_billing_error e;
	struct pm_billing_view v;

	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1000000, "r1", ACCOUNT_PAYMENT_LOCAL, &e), 0);
	ck_assert_int_eq(pm_billing_convert_currency(b, T_JAN, "2026-01-06", "0.5", "BHD", &e), 0);
	pm_billing_sample(b, T_JAN, true, 0, 0, 0, false);
	pm_billing_sample(b, next - 2 * S, true, 1000, 0, 0, false);
	pm_billing_sample(b, next, true, 1000, 0, 0, false);
	pm_billing_view(b, next, &v);
	ck_assert_str_eq(v.currency, "BHD");
	ck_assert_int_eq(v.minor_units, 3);
	ck_assert_int_eq(v.regs.balance_mu, 4999500);
	ck_assert_int_eq(v.price_mu_per_kwh, 500000);
	ck_assert_int_eq(v.payments[0].value_mu, 5000000);
	pm_billing_sample(b, next + S, true, 2000, 0, 0, false);
	ck_assert_int_eq(balance(b, next + S), 4999000);
	pm_billing_free(b);
}
END_TEST

/* Bad input gets a clear error naming the field and changes nothing: a currency that is no
 * ISO 4217 code, a factor of 0, a date that is not after today. */
START_TEST(test_currency_conversion_refused)
{
	struct pm_billing *b = open_logged(flat, "UTC", T_JAN);
	struct pm_billing_error e;
	struct pm_billing_view v;

	ck_assert_int_eq(pm_billing_convert_currency(b, T_JAN, "2026-01-06", "1.5", "XYZ", &e),
			 -EINVAL);
	ck_assert_str_eq(e.message, "currency: 'XYZ' is not an ISO 4217 currency code (three "
				    "capital letters of a currency in use, e.g. EUR)");
	ck_assert_int_eq(pm_billing_convert_currency(b, T_JAN, "2026-01-06", "1.5", "eur", &e),
			 -EINVAL);
	ck_assert_int_eq(pm_billing_convert_currency(b, T_JAN, "2026-01-06", "1.5", "", &e),
			 -EINVAL);
	ck_assert_int_eq(pm_billing_convert_currency(b, T_JAN, "2026-01-06", "0", "EUR", &e),
			 -EINVAL);
	ck_assert_str_eq(e.message, "factor: '0' is outside 0.25 to 4");
	ck_assert_int_eq(pm_billing_convert_currency(b, T_JAN, "2026-01-04", "1.5", "EUR", &e),
			 -EINVAL);
	ck_assert(!strncmp(e.message, "date: 2026-01-04 is not after today", 35));
	pm_billing_view(b, T_JAN, &v);
	ck_assert(!v.has_conversion);
	ck_assert_str_eq(v.currency, "GBP");
	ck_assert_int_eq(find_event("currency_conversion_set"), -1);
	pm_billing_free(b);
}
END_TEST

START_TEST(test_currency_conversion_on_its_date)
{
	/* 2026-01-06 00:00:01 UTC: T_JAN is 2026-01-05 10:00 */
	const int64_t next = T_JAN + (14 * 3600 + 1) * S;
	struct pm_billing *b = open_logged(flat, "UTC", T_JAN);
	struct pm_billing_error e;
	struct pm_billing_view v;
	int snap, conv;

	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1000000, "r1", ACCOUNT_PAYMENT_LOCAL, &e), 0);
	ck_assert_int_eq(pm_billing_convert_currency(b, T_JAN, "2026-01-06", "5", NULL, &e),
			 -EINVAL);
	ck_assert_str_eq(e.message, "factor: '5' is outside 0.25 to 4");
	ck_assert_int_eq(pm_billing_convert_currency(b, T_JAN, "2026-01-05", "0.5", NULL, &e),
			 -EINVAL);
	ck_assert(!strncmp(e.message, "date:", 5));
	pm_billing_view(b, T_JAN, &v);
	ck_assert(!v.has_conversion);
	ck_assert_int_eq(pm_billing_convert_currency(b, T_JAN, "2026-01-06", "0.5", NULL, &e), 0);
	pm_billing_view(b, T_JAN, &v);
	ck_assert(v.has_conversion && v.conversion_num == 5 && v.conversion_den == 10);

	pm_billing_sample(b, T_JAN, true, 0, 0, 0, false);
	/* 1 Wh before midnight at 1.00 GBP/kWh: 1000000 - 100 = 999900 */
	pm_billing_sample(b, next - 2 * S, true, 1000, 0, 0, false);
	ck_assert_int_eq(balance(b, next - 2 * S), 999900);
	pm_billing_sample(b, next, true, 1000, 0, 0, false);
	pm_billing_view(b, next, &v);
	/* x 0.5: 999900 -> 499950; price 100000 -> 50000; the total credit register and the
	 * number of payments reset to zero (manual §8.4, §8.5.1, §8.11), the snapshot before
	 * holds them (total_credit=10.00 payments=1) */
	ck_assert(!v.has_conversion);
	ck_assert_int_eq(v.regs.balance_mu, 499950);
	ck_assert_int_eq(v.regs.total_credit_mu, 0);
	ck_assert_int_eq(v.regs.payment_count, 0);
	ck_assert_int_eq(v.payments[0].value_mu, 500000);
	ck_assert_int_eq(v.price_mu_per_kwh, 50000);
	snap = find_event("account_snapshot");
	conv = find_event("currency_converted");
	ck_assert_int_ge(snap, 0);
	ck_assert_int_gt(conv, snap);
	ck_assert_ptr_nonnull(strstr(event_detail[snap], "balance=9.99"));
	ck_assert_ptr_nonnull(strstr(event_detail[snap], "total_credit=10.00"));
	ck_assert_ptr_nonnull(strstr(event_detail[snap], "payments=1"));
	ck_assert_str_eq(event_detail[find_event("energy_snapshot")],
			 "before currency conversion: import1_mwh=1000 period_mwh=1000");
	ck_assert_ptr_nonnull(strstr(event_detail[conv], "factor=5/10"));
	/* 1 Wh after it: 50 mu */
	pm_billing_sample(b, next + S, true, 2000, 0, 0, false);
	ck_assert_int_eq(balance(b, next + S), 499900);
	pm_billing_free(b);
}
END_TEST

/* 6900 W against limits of 24 kW off peak and 5 kW on a peak rate, 1 s over trips. */
static bool trips_at_6900_w(const char *peak)
{
	char json[700];
	struct pm_billing *b = open_logged(flat, "UTC", T_JAN);
	struct pm_billing_error e;
	struct account_config c;
	struct pm_billing_view v;

	snprintf(json, sizeof(json),
		 "{\"version\": 1, \"name\": \"P\","
		 " \"currency\": {\"code\": \"GBP\", \"minor_units\": 2},"
		 " \"rates\": {\"1\": {\"price_per_kwh\": \"0.01\", \"peak\": %s}},"
		 " \"day_profiles\": {\"all\": [{\"at\": \"00:00\", \"rate\": 1}]},"
		 " \"seasons\": [{\"days\": {\"weekdays\": \"all\", \"weekend\": \"all\"}}],"
		 " \"billing_period\": {\"months\": 1, \"start\": \"2026-01-01\"}}",
		 peak);
	ck_assert_int_eq(pm_billing_set_tariff(b, T_JAN, json, &e), 0);
	pm_billing_get_config(b, &c);
	c.mode = ACCOUNT_MODE_CREDIT;
	c.load_limit_w = 24000;
	c.load_limit_peak_w = 5000;
	c.load_limit_period_s = 1;
	ck_assert_int_eq(pm_billing_configure(b, T_JAN, &c, &e), 0);
	for (int i = 0; i <= 5; i++)
		pm_billing_sample(b, T_JAN + i * S, true, 0, 0, 6900, false);
	pm_billing_view(b, T_JAN + 5 * S, &v);
	ck_assert_int_eq(v.peak_rate, !strcmp(peak, "true"));
	pm_billing_free(b);
	if (v.supply.closed)
		return false;
	ck_assert_int_eq(v.supply.reason, ACCOUNT_REASON_LOAD_LIMIT);
	ck_assert_int_ge(find_event("load_limit_tripped"), 0);
	return true;
}

START_TEST(test_peak_rate_lower_load_limit)
{
	ck_assert(!trips_at_6900_w("false"));
	ck_assert(trips_at_6900_w("true"));
}
END_TEST

START_TEST(test_block_crossing_logged_with_registers)
{
	struct pm_billing *b = open_logged(flat, "UTC", T_JAN);
	struct pm_billing_error e;
	int i;

	/* block 1 up to 1 kWh at 0.10, block 2 above at 0.20 */
	ck_assert_int_eq(
	    pm_billing_set_tariff(
		b, T_JAN,
		"{\"version\": 1, \"name\": \"Blocks\","
		" \"currency\": {\"code\": \"GBP\", \"minor_units\": 2},"
		" \"blocks\": {\"thresholds_kwh\": [\"1\"]},"
		" \"rates\": {\"1\": {\"price_per_kwh\": [\"0.10\", \"0.20\"]}},"
		" \"day_profiles\": {\"all\": [{\"at\": \"00:00\", \"rate\": 1}]},"
		" \"seasons\": [{\"days\": {\"weekdays\": \"all\", \"weekend\": \"all\"}}],"
		" \"billing_period\": {\"months\": 1, \"start\": \"2026-01-01\"}}",
		&e),
	    0);
	pm_billing_sample(b, T_JAN, true, 0, 0, 0, false);
	/* 1.5 kWh: the counter passes 1 kWh, the block changes after this interval */
	pm_billing_sample(b, T_JAN + 60 * S, true, 1500000, 0, 0, false);
	i = find_event("tariff_block");
	ck_assert_int_ge(i, 0);
	ck_assert_ptr_nonnull(strstr(event_detail[i], "block=2 rate=1 import1_mwh=1500000"));
	pm_billing_free(b);
}
END_TEST

/* @t as layouts 1 to 4 stored a tariff (billing-state.h): its bytes up to the levy, then the
 * levy of 24 bytes, with one de-minimis (the levy's). */
static void tariff_as_v4(const struct tariff *t, struct tariff_v4 *old)
{
	memcpy(old->before_levy, t, sizeof(old->before_levy));
	old->levy.levy_mu_per_kwh = t->levy.levy_mu_per_kwh;
	old->levy.de_minimis_mwh_per_day = t->levy.de_minimis_mwh_per_day;
	old->levy.reduced_tax_bp = t->levy.reduced_tax_bp;
	old->levy.rule = t->levy.rule;
	old->levy.reserved = t->levy.reserved;
	old->levy.standard_tax_bp = t->levy.standard_tax_bp;
}

/* @te as layouts 1 to 4 stored the engine: two shorter tariffs, the rest as it is. */
static void engine_as_v4(const struct tariff_engine *te, struct tariff_engine_v4 *old)
{
	memset(old, 0, sizeof(*old));
	old->has_tariff = te->has_tariff;
	tariff_as_v4(&te->active, &old->active);
	old->has_deferred = te->has_deferred;
	tariff_as_v4(&te->deferred, &old->deferred);
	memcpy(old->rest, &te->deferred_date, sizeof(old->rest));
}

/* @acc as layouts 1 to 6 stored it: without its last member, §7.8's charges (billing-state.h). */
static void account_as_v6(const struct account *acc, struct account_v6 *old)
{
	memcpy(old->bytes, acc, sizeof(old->bytes));
}

/* The account record as layout 1 stored it: struct state_v1 (daemon/meter/billing-state.h). */
START_TEST(test_layout_1_record_carried_over)
{
	struct account_time at = {.utc = T_JAN / S, .weekday = 0, .second_of_day = 36000};
	struct tariff_time tt = {
	    .utc_s = T_JAN / S, .year = 2026, .month = 1, .day = 5, .weekday = 1, .seconds = 36000};
	struct state_v1 *old = calloc(1, sizeof(*old));
	struct account acc;
	struct tariff_engine *te = malloc(sizeof(*te));
	struct tariff *t = malloc(sizeof(*t));
	struct account_output out;
	struct tariff_error terr;
	struct pm_billing_view v;
	struct pm_billing *b;
	char err[256];

	ck_assert_ptr_nonnull(old);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(te);
	ck_assert_int_eq(account_init(&acc, &at, &out), 0);
	ck_assert_int_eq(account_topup(&acc, &at, 500000, ACCOUNT_PAYMENT_REMOTE, &out), 0);
	account_as_v6(&acc, &old->acc);
	tariff_engine_init(te);
	ck_assert_int_eq(pm_tariff_file_load(flat, t, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(tariff_engine_set_tariff(te, t, &tt, &terr), 0);
	engine_as_v4(te, &old->te);
	free(te);
	old->has_tariff = true;
	snprintf(old->info.name, sizeof(old->info.name), "Stored");
	snprintf(old->info.currency, sizeof(old->info.currency), "GBP");
	old->info.minor_units = 2;
	ck_assert_int_eq(pm_store_save_account(store, "m1", 1, old, sizeof(*old), T_JAN, NULL, 0),
			 0);
	free(old);
	free(t);

	/* read, not seeded from the file: the stored name and the 5.00 GBP balance */
	b = open_billing(flat, "UTC", T_JAN, store);
	pm_billing_view(b, T_JAN, &v);
	ck_assert(v.running);
	ck_assert_str_eq(v.tariff_name, "Stored");
	ck_assert_int_eq(v.regs.balance_mu, 500000);
	ck_assert_int_eq(v.peak_rate, false);
	ck_assert_int_eq(pm_billing_flush(b, T_JAN + S), 0);
	pm_billing_free(b);
	/* saved as layout 2 and read as such */
	b = open_billing(flat, "UTC", T_JAN + S, store);
	pm_billing_view(b, T_JAN + S, &v);
	ck_assert(v.running);
	ck_assert_int_eq(v.regs.balance_mu, 500000);
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

/* saved_ns of the stored account row: when it was last written. */
static int64_t account_saved_ns(void)
{
	sqlite3 *other;
	sqlite3_stmt *st;
	int64_t t;

	ck_assert_int_eq(sqlite3_open(db, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(other,
					    "SELECT saved_ns FROM account WHERE meter = 'm1'", -1,
					    &st, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_close(other), SQLITE_OK);
	return t;
}

/* The ~20 kB record is written only when it changed, with the energy checkpoints at most every
 * PM_BILLING_MIN_SAVE_NS (10 s), and a checkpoint that failed leaves it to be written. */
START_TEST(test_account_written_only_when_changed)
{
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, store);
	struct pm_store_account_record rec;

	pm_billing_sample(b, T_JAN, true, 1000, 0, 0, false); /* the baseline: saved at once */
	ck_assert_int_eq(account_saved_ns(), T_JAN);
	/* nothing changed since: neither the flush nor a checkpoint writes it */
	ck_assert_int_eq(pm_billing_flush(b, T_JAN + 20 * S), 0);
	ck_assert_int_eq(account_saved_ns(), T_JAN);
	ck_assert(!pm_billing_checkpoint_record(b, T_JAN + 20 * S, &rec));
	/* 1 Wh billed (100 mu): changed, and 30 s since the last save */
	pm_billing_sample(b, T_JAN + 30 * S, true, 2000, 0, 0, false);
	ck_assert(pm_billing_checkpoint_record(b, T_JAN + 30 * S, &rec));
	ck_assert_uint_eq(rec.len, sizeof(struct state));
	/* the checkpoint failed: still to be written at the next one */
	pm_billing_checkpoint_saved(b, T_JAN + 30 * S, -ENOSPC);
	ck_assert(pm_billing_checkpoint_record(b, T_JAN + 31 * S, &rec));
	ck_assert_int_eq(pm_store_save_account(store, "m1", rec.layout, rec.state, rec.len,
					       T_JAN + 31 * S, NULL, 0),
			 0);
	pm_billing_checkpoint_saved(b, T_JAN + 31 * S, 0);
	ck_assert_int_eq(account_saved_ns(), T_JAN + 31 * S);
	ck_assert(!pm_billing_checkpoint_record(b, T_JAN + 50 * S, &rec));
	ck_assert_int_eq(pm_billing_flush(b, T_JAN + 50 * S), 0);
	ck_assert_int_eq(account_saved_ns(), T_JAN + 31 * S);
	/* changed 5 s after the flush found it saved: not with a checkpoint before 10 s */
	pm_billing_sample(b, T_JAN + 55 * S, true, 3000, 0, 0, false);
	ck_assert(!pm_billing_checkpoint_record(b, T_JAN + 55 * S, &rec));
	ck_assert(pm_billing_checkpoint_record(b, T_JAN + 60 * S, &rec));
	/* a flush writes it, and what the store holds is the state billed: 200 mu */
	ck_assert_int_eq(pm_billing_flush(b, T_JAN + 61 * S), 0);
	ck_assert_int_eq(account_saved_ns(), T_JAN + 61 * S);
	pm_billing_free(b);
	b = open_billing(flat, "UTC", T_JAN + 62 * S, store);
	ck_assert_int_eq(balance(b, T_JAN + 62 * S), -200);
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

/* --- a stored account that cannot be used is unknown, never new ---------------------------- */

static struct pm_billing *open_with_error(int64_t now, char *err, size_t errlen)
{
	struct pm_billing_config cfg = {
	    .meter = "m1", .time_zone = "UTC", .tariff_file = flat, .save_interval_ns = 60 * S};
	struct pm_billing *b;

	account_config_default(&cfg.account);
	cfg.account.mode = ACCOUNT_MODE_PREPAYMENT;
	ck_assert_int_eq(pm_billing_new(&cfg, store, now, &b, err, errlen), 0);
	n_events = 0;
	supply_calls = 0;
	pm_billing_set_hooks(b, on_supply, on_event, NULL);
	return b;
}

/* @st as a record of layout 2 or 3 had it: without the rates' names (billing-state.h). */
static void as_layout_3(const struct state *st, struct state_v3 *old)
{
	memset(old, 0, sizeof(*old));
	account_as_v6(&st->acc, &old->acc);
	engine_as_v4(&st->te, &old->te);
	old->has_tariff = st->has_tariff;
	memcpy(old->info.name, st->info.name, sizeof(old->info.name));
	memcpy(old->info.currency, st->info.currency, sizeof(old->info.currency));
	old->info.minor_units = st->info.minor_units;
	old->info.peak_rates = st->info.peak_rates;
	old->have_baseline = st->have_baseline;
	old->billed_import_mwh = st->billed_import_mwh;
	old->billed_export_mwh = st->billed_export_mwh;
	old->has_sts = st->has_sts;
	old->sts = st->sts;
}

/* A prepayment account with 12.34 GBP (1234000 mu), saved; its record in *st. */
static void stored_account(struct state *st)
{
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, store);
	struct pm_billing_error e;

	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1234000, "pay-1", ACCOUNT_PAYMENT_REMOTE, &e),
			 0);
	pm_billing_free(b);
	ck_assert_int_eq(pm_store_load_account(store, "m1", STATE_LAYOUT, st, sizeof(*st)), 0);
	ck_assert_int_eq(st->acc.balance_mu, 1234000);
}

/* What the account looks like when it is unknown: nothing published, nothing accepted. */
static void assert_unknown(struct pm_billing *b, int64_t now)
{
	struct pm_billing_error e;
	struct pm_billing_view v;

	pm_billing_view(b, now, &v);
	ck_assert(!v.running);
	ck_assert_int_eq(supply_calls, 0); /* the lines are not driven */
	ck_assert_int_eq(pm_billing_disconnect(b, now, &e), -EIO);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_ACCOUNT_UNAVAILABLE);
	ck_assert_int_eq(pm_billing_topup(b, now, 100, "pay-2", ACCOUNT_PAYMENT_LOCAL, &e), -EIO);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_ACCOUNT_UNAVAILABLE);
	ck_assert_int_eq(pm_billing_flush(b, now), 0); /* writes nothing */
	ck_assert_int_ge(find_event("account_unavailable"), 0);
}

/* Review finding 3: te.rate indexes an [8][8] price matrix and is a shift count. */
START_TEST(test_record_with_bad_rate_refused)
{
	struct state *st = malloc(sizeof(*st)), *back = malloc(sizeof(*back));
	struct pm_billing *b;
	char err[400];

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(back);
	stored_account(st);
	st->te.rate = 200;
	ck_assert_int_eq(
	    pm_store_save_account(store, "m1", STATE_LAYOUT, st, sizeof(*st), T_JAN, NULL, 0), 0);
	b = open_with_error(T_JAN + S, err, sizeof(err));
	ck_assert_msg(strstr(err, "te.rate") != NULL, "%s", err);
	assert_unknown(b, T_JAN + S);
	pm_billing_sample(b, T_JAN + 120 * S, true, 1000, 0, 0, true); /* a retry: still bad */
	assert_unknown(b, T_JAN + 120 * S);
	pm_billing_free(b);
	/* the record stays as it was: not replaced by a new account */
	ck_assert_int_eq(pm_store_load_account(store, "m1", STATE_LAYOUT, back, sizeof(*back)), 0);
	ck_assert_int_eq(memcmp(st, back, sizeof(*st)), 0);
	free(st);
	free(back);
}
END_TEST

/* A bool byte of 2 is refused before the record becomes a struct (UBSan would see the load). */
START_TEST(test_record_with_bad_bool_refused)
{
	struct state *st = malloc(sizeof(*st));
	unsigned char *raw = (unsigned char *)st;
	struct pm_billing *b;
	char err[400];

	ck_assert_ptr_nonnull(st);
	stored_account(st);
	raw[offsetof(struct state, acc.remote_open)] = 2;
	ck_assert_int_eq(
	    pm_store_save_account(store, "m1", STATE_LAYOUT, st, sizeof(*st), T_JAN, NULL, 0), 0);
	b = open_with_error(T_JAN + S, err, sizeof(err));
	ck_assert_msg(strstr(err, "acc.remote_open") != NULL, "%s", err);
	assert_unknown(b, T_JAN + S);
	pm_billing_free(b);
	free(st);
}
END_TEST

/* Money outside the engine's bounds (account.h: the balance within +-1e15 mu). */
START_TEST(test_record_with_bad_money_refused)
{
	struct state *st = malloc(sizeof(*st));
	struct pm_billing *b;
	char err[400];

	ck_assert_ptr_nonnull(st);
	stored_account(st);
	st->acc.balance_mu = INT64_C(1000000000000001);
	ck_assert_int_eq(
	    pm_store_save_account(store, "m1", STATE_LAYOUT, st, sizeof(*st), T_JAN, NULL, 0), 0);
	b = open_with_error(T_JAN + S, err, sizeof(err));
	ck_assert_msg(strstr(err, "acc.balance_mu") != NULL, "%s", err);
	assert_unknown(b, T_JAN + S);
	pm_billing_free(b);
	free(st);
}
END_TEST

/*
 * Review finding 1: a record of a layout this build does not know (a downgrade) leaves the
 * account unknown; once the record is readable again (here: put back as it was) the next
 * sample a save interval (60 s) later reads it: the stored 12.34 GBP, not a new account.
 */
START_TEST(test_unreadable_account_read_again)
{
	struct state *st = malloc(sizeof(*st));
	struct pm_billing_view v;
	struct pm_billing *b;
	char err[400];

	ck_assert_ptr_nonnull(st);
	stored_account(st);
	ck_assert_int_eq(pm_store_save_account(store, "m1", 99, st, sizeof(*st), T_JAN, NULL, 0),
			 0);
	b = open_with_error(T_JAN + S, err, sizeof(err));
	ck_assert_msg(strstr(err, "unknown layout") != NULL, "%s", err);
	assert_unknown(b, T_JAN + S);
	ck_assert_int_eq(
	    pm_store_save_account(store, "m1", STATE_LAYOUT, st, sizeof(*st), T_JAN, NULL, 0), 0);
	pm_billing_sample(b, T_JAN + 30 * S, true, 0, 0, 0, true); /* before the interval */
	pm_billing_view(b, T_JAN + 30 * S, &v);
	ck_assert(!v.running);
	pm_billing_sample(b, T_JAN + 61 * S, true, 0, 0, 0, true);
	pm_billing_view(b, T_JAN + 61 * S, &v);
	ck_assert(v.running);
	ck_assert_int_eq(v.regs.balance_mu, 1234000);
	ck_assert_int_eq(v.regs.payment_count, 1);
	ck_assert_int_ge(find_event("account_available"), 0);
	ck_assert_int_eq(supply_calls, 1); /* now the lines are told where they belong */
	ck_assert(contactor);
	pm_billing_free(b);
	free(st);
}
END_TEST

/*
 * Review finding 6: only an absent row is "no account". The store answers -ENODATA for it,
 * distinct from -ENOENT (SQLite's "cannot open", which it used to share). Any failure to read
 * is an error (here the table is out of reach: another process renamed it): not seeded, not
 * overwritten, and read again a save interval later, once the table is back.
 */
START_TEST(test_only_an_absent_row_is_a_new_account)
{
	struct state *st = malloc(sizeof(*st));
	struct pm_billing_view v;
	struct pm_billing *b;
	sqlite3 *other;
	char err[400];

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(pm_store_load_account(store, "m1", STATE_LAYOUT, st, sizeof(*st)),
			 -ENODATA);
	stored_account(st);
	ck_assert_int_eq(sqlite3_open(db, &other), SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_exec(other, "ALTER TABLE account RENAME TO account_aside", NULL, NULL, NULL),
	    SQLITE_OK);
	b = open_with_error(T_JAN + S, err, sizeof(err));
	ck_assert_msg(strstr(err, "account unavailable") != NULL, "%s", err);
	assert_unknown(b, T_JAN + S);
	ck_assert_int_eq(
	    sqlite3_exec(other, "ALTER TABLE account_aside RENAME TO account", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(other), SQLITE_OK);
	pm_billing_sample(b, T_JAN + 61 * S, true, 0, 0, 0, true);
	pm_billing_view(b, T_JAN + 61 * S, &v);
	ck_assert(v.running);
	ck_assert_int_eq(v.regs.balance_mu, 1234000);
	pm_billing_free(b);
	free(st);
}
END_TEST

/*
 * The object model publishes the names billing uses in its commands and events (Mode,
 * EmergencyCredit, the payment methods): one vocabulary, whichever of them a view asks.
 */
START_TEST(test_model_names_are_billing_names)
{
	for (int i = -1; i <= 4; i++) {
		ck_assert_str_eq(pm_mode_name(i), pm_billing_mode_name((enum account_mode)i));
		ck_assert_str_eq(pm_ec_state_name(i), pm_billing_ec_name((enum account_ec_state)i));
		ck_assert_str_eq(pm_payment_method_name(i),
				 pm_billing_method_name((enum account_payment_method)i));
	}
}
END_TEST

/*
 * The snapshot the views publish from: after a 5.00 GBP top-up on the Noon tariff at 10:00
 * local (January: London is UTC), every value where the model's quantities read it.
 */
START_TEST(test_snapshot_carries_the_account)
{
	struct pm_billing *b = open_billing(tou, "Europe/London", T_JAN, store);
	struct pm_snapshot snap = {0};
	struct pm_billing_error e;
	int64_t before = balance(b, T_JAN);
	struct pm_value v;

	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 500000, "snap-1", ACCOUNT_PAYMENT_LOCAL, &e),
			 0);
	pm_billing_snapshot(b, T_JAN, &snap.account);
	ck_assert(snap.account.valid);
	ck_assert(snap.account.has_tariff);
	ck_assert_int_eq(snap.account.balance_mu, before + 500000);
	ck_assert_int_eq(snap.account.rate, 1); /* before 12:00: rate 1, counted from 1 */
	ck_assert_int_eq(snap.account.price_mu_per_kwh, 10000); /* 0.10 GBP = 10 p = 10000 mu */
	ck_assert_str_eq(snap.account.tariff_name, "Noon");
	ck_assert_str_eq(snap.account.rate_name, "morning"); /* rate 1's name in the file */
	ck_assert_str_eq(snap.account.export_rate_name, ""); /* the file names no export rate */
	ck_assert_str_eq(snap.account.currency, "GBP");
	ck_assert_int_eq(snap.account.minor_units, 2);
	ck_assert_int_eq(snap.account.local_date.year, 2026);
	ck_assert_int_eq(snap.account.local_date.month, 1);
	ck_assert_int_eq(snap.account.local_date.day, 5);
	ck_assert_int_eq(snap.account.payment_count, 1);
	ck_assert_int_eq(snap.account.n_payments, 1);
	ck_assert_int_eq(snap.account.payments[0].utc, T_JAN / S);
	ck_assert_int_eq(snap.account.payments[0].value_mu, 500000);
	ck_assert_int_eq(snap.account.payments[0].method, ACCOUNT_PAYMENT_LOCAL);
	ck_assert_int_eq(snap.account.n_rates, 2);
	/* and through the model, as D-Bus and Modbus read it */
	pm_quantity_value(&snap, (size_t)pm_quantity_find("account.mode"), &v);
	ck_assert_str_eq(v.s, "prepayment");
	pm_quantity_value(&snap, (size_t)pm_quantity_find("tariff.local_date"), &v);
	ck_assert(v.valid);
	ck_assert_int_eq(v.date.day, 5);
	pm_quantity_value(&snap, (size_t)pm_quantity_find("tariff.rate_name"), &v);
	ck_assert_str_eq(v.s, "morning");
	/* at 12:00 local rate 2, "afternoon", and so after a restart (the name is in the record) */
	pm_billing_sample(b, T_JAN, true, 0, 0, 0, false);
	pm_billing_sample(b, T_JAN + 7200 * S, true, 0, 0, 0, false);
	pm_billing_snapshot(b, T_JAN + 7200 * S, &snap.account);
	ck_assert_int_eq(snap.account.rate, 2);
	ck_assert_str_eq(snap.account.rate_name, "afternoon");
	ck_assert_int_eq(pm_billing_flush(b, T_JAN + 7200 * S), 0);
	pm_billing_free(b);
	b = open_billing(tou, "Europe/London", T_JAN + 7201 * S, store);
	pm_billing_snapshot(b, T_JAN + 7201 * S, &snap.account);
	ck_assert_str_eq(snap.account.rate_name, "afternoon");
	pm_billing_free(b);
}
END_TEST

/*
 * Change of tenancy: the outgoing tenant's registers are logged exactly, each amount its own
 * (manual §6.2: the CoT/S "will trigger a Snapshot of readings"). 12.34 topped up, 1 kWh at
 * 1.00 billed: balance 11.34; EC 5.00 taken below 20.00: available 16.34; debts 3.00 and 4.56.
 */
START_TEST(test_tenancy_snapshot_exact)
{
	struct pm_billing *b = open_logged(flat, "UTC", T_JAN);
	struct account_tenancy_change change = {.balance_action = ACCOUNT_REGISTER_SET,
						.balance_mu = 500000,
						.debt_action = ACCOUNT_REGISTER_RESET,
						.clear_payment_log = true};
	struct pm_billing_error e;
	struct account_config c;
	int snap;

	pm_billing_sample(b, T_JAN, true, 0, 0, 0, false);
	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1234000, "cot-1", ACCOUNT_PAYMENT_LOCAL, &e),
			 0);
	pm_billing_sample(b, T_JAN + 60 * S, true, 1000000, 0, 0, false);
	pm_billing_get_config(b, &c);
	c.ec_enabled = true;
	c.ec_threshold_mu = 2000000;
	c.ec_value_mu = 500000;
	ck_assert_int_eq(pm_billing_configure(b, T_JAN + 61 * S, &c, &e), 0);
	ck_assert_int_eq(pm_billing_take_emergency_credit(b, T_JAN + 62 * S, true, &e), 0);
	ck_assert_int_eq(pm_billing_set_debt(b, T_JAN + 63 * S, 300000, 456000, &e), 0);
	n_events = 0;
	ck_assert_int_eq(pm_billing_change_tenancy(b, T_JAN + 64 * S, &change, &e), 0);
	snap = find_event("account_snapshot");
	ck_assert_int_ge(snap, 0);
	ck_assert_str_eq(event_detail[snap],
			 "mode=prepayment ec=in_use balance=11.34 available=16.34 "
			 "ec_remaining=5.00 debt_to_clear=0.00 time_debt=3.00 payment_debt=4.56 "
			 "total_credit=12.34 payments=1");
	ck_assert_int_gt(find_event("tenancy_changed"), snap);
	ck_assert_int_eq(balance(b, T_JAN + 64 * S), 500000);
	pm_billing_free(b);
}
END_TEST

/*
 * Cost in the last hour after a long stop (§8.5): the baseline at 10:00 is stored, the daemon
 * stops, and at 20:00 the first sample finds 36 kWh more at 1.00 a kWh: 36.00 over the 10 h.
 * The last hour's buckets are 19:01-20:00 (the minute in progress, 20:00, has nothing of it):
 * 36.00 x 3540 s / 36000 s = 3.54, not the whole 36.00.
 */
START_TEST(test_cost_last_hour_after_a_long_stop)
{
	const int64_t later = T_JAN + 10 * 3600 * S;
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, store);
	struct pm_billing_view v;

	pm_billing_sample(b, T_JAN, true, 0, 0, 0, false); /* the baseline: saved at once */
	pm_billing_free(b);
	b = open_billing(flat, "UTC", later, store);
	pm_billing_sample(b, later, true, 36000000, 0, 0, false);
	pm_billing_view(b, later, &v);
	ck_assert_int_eq(v.regs.balance_mu, -3600000);
	ck_assert_int_eq(v.regs.cost_today_mu, 3600000);
	ck_assert_int_eq(v.regs.cost_last_hour_mu, 354000);
	pm_billing_free(b);
}
END_TEST

/* 10.001 GBP and the like: refused on every path that takes an amount, in the currency. */
START_TEST(test_amounts_finer_than_minor_unit_refused)
{
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, store);
	struct account_tenancy_change change = {.balance_action = ACCOUNT_REGISTER_SET,
						.balance_mu = 100001};
	struct pm_billing_config cfg = {
	    .meter = "m2", .time_zone = "UTC", .tariff_file = flat, .save_interval_ns = 60 * S};
	struct pm_billing_error e;
	struct account_config c;
	struct pm_billing *b2;
	char err[320];

	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1000100, "m-1", ACCOUNT_PAYMENT_LOCAL, &e),
			 -EINVAL);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_INVALID);
	ck_assert_str_eq(e.message,
			 "amount: 10.001 GBP is finer than the currency's minor unit (0.01 GBP)");
	ck_assert_int_eq(pm_billing_set_debt(b, T_JAN, 0, 1, &e), -EINVAL);
	ck_assert_str_eq(e.message, "payment_debt: 0.00001 GBP is finer than the currency's "
				    "minor unit (0.01 GBP)");
	ck_assert_int_eq(pm_billing_adjust_balance(b, T_JAN, -500, &e), -EINVAL);
	ck_assert(!strncmp(e.message, "delta: -0.005 GBP", 17));
	ck_assert_int_eq(pm_billing_change_tenancy(b, T_JAN, &change, &e), -EINVAL);
	ck_assert(!strncmp(e.message, "balance: 1.00001 GBP", 20));
	ck_assert_int_eq(pm_billing_wallet(b, T_JAN, "2026-01-05", 999, false, &e), -EINVAL);
	ck_assert(!strncmp(e.message, "cost: 0.00999 GBP", 17));
	pm_billing_get_config(b, &c);
	c.ec_enabled = true;
	c.ec_threshold_mu = 100000;
	c.ec_value_mu = 500500;
	ck_assert_int_eq(pm_billing_configure(b, T_JAN, &c, &e), -EINVAL);
	ck_assert_str_eq(e.message, "emergency_credit: 5.005 GBP is finer than the currency's "
				    "minor unit (0.01 GBP)");
	ck_assert_int_eq(balance(b, T_JAN), 0);
	/* the refused top-up did not use up its reference: 10.01 with it is fine */
	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1001000, "m-1", ACCOUNT_PAYMENT_LOCAL, &e), 0);
	ck_assert_int_eq(balance(b, T_JAN), 1001000);
	pm_billing_free(b);

	/* the configuration file: a new meter is not seeded from such an amount */
	account_config_default(&cfg.account);
	cfg.account.mode = ACCOUNT_MODE_PREPAYMENT;
	cfg.account.low_credit_threshold_mu = 150010; /* 1.5001 */
	ck_assert_int_eq(pm_billing_new(&cfg, store, T_JAN, &b2, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "meter m2: low_credit: 1.5001 GBP is finer than the currency's "
			      "minor unit (0.01 GBP)");
}
END_TEST

/*
 * A currency conversion by 0.5 and by 0.25 (issue 19 keeps the settings whole minor units):
 * settings round to the nearest penny, half away from zero (0.99 x 0.5 = 0.495 -> 0.50), the
 * registers to the nearest mu; EC whose remainder rounds to nothing is exhausted (§8.8).
 */
START_TEST(test_conversion_keeps_settings_whole_minor_units)
{
	struct account_time at = {.utc = T_JAN / S, .second_of_day = 36000};
	struct account_output out;
	struct account acc;
	struct account_config c;

	ck_assert_int_eq(account_init(&acc, &at, &out), 0);
	c = acc.config;
	c.mode = ACCOUNT_MODE_PREPAYMENT;
	c.ec_enabled = true;
	c.ec_threshold_mu = 99000;	  /* 0.99 */
	c.ec_value_mu = 500000;		  /* 5.00 */
	c.low_credit_threshold_mu = 3000; /* 0.03 */
	ck_assert_int_eq(account_configure(&acc, &at, &c, &out), 0);
	acc.balance_mu = 1000;
	account_convert_currency(&acc, 5, 10);
	ck_assert_int_eq(acc.config.ec_threshold_mu, 50000); /* 0.495 -> 0.50 */
	ck_assert_int_eq(acc.config.ec_value_mu, 250000);
	ck_assert_int_eq(acc.config.low_credit_threshold_mu, 2000); /* 0.015 -> 0.02 */
	ck_assert_int_eq(acc.balance_mu, 500);			    /* a register: to the mu */

	/* EC in use with 1 mu left, 4.99999 owed, balance 0; x 0.25: EC 0.25 mu -> 0, owed
	 * 124 999.75 -> 125 000 mu, which moves into the balance */
	acc.ec_state = ACCOUNT_EC_IN_USE;
	acc.ec_remaining_mu = 1;
	acc.debt_to_clear_mu = 499999;
	acc.balance_mu = 0;
	account_convert_currency(&acc, 25, 100);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_EXHAUSTED);
	ck_assert_int_eq(acc.balance_mu, -125000);
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
}
END_TEST

/*
 * A record of layout 2 is carried over (billing-state.h): its exhausted emergency credit in the
 * earlier shape (debt to clear 4.00 beside a balance of -0.20) becomes the manual's (§8.8):
 * balance -4.20, debt to clear 0; its debt instalments carry on on the 6048 s grid since 1970:
 * T_JAN = 1 767 607 200 s = 292 263 x 6048 + 576, so the next one falls due 5472 s later.
 */
START_TEST(test_layout_2_record_carried_over)
{
	const int64_t slot = (T_JAN / S) / 6048, next = (slot + 1) * 6048 * S;
	struct pm_billing *b;
	struct state *st = malloc(sizeof(*st));
	struct state_v3 *old = malloc(sizeof(*old));

	ck_assert_ptr_nonnull(old);
	ck_assert_int_eq(slot, 292263);
	ck_assert_int_eq(next - T_JAN, 5472 * S);
	ck_assert_ptr_nonnull(st);
	stored_account(st); /* 12.34 */
	st->acc.config.mode = ACCOUNT_MODE_PREPAYMENT;
	st->acc.config.debt_weekly_rate_mu = 1000000; /* 10.00: 0.10 an instalment */
	st->acc.time_debt_mu = 500000;
	st->acc.debt_origin_utc = slot; /* layout 2: the last slot dealt with */
	st->acc.ec_state = ACCOUNT_EC_EXHAUSTED;
	st->acc.debt_to_clear_mu = 400000;
	st->acc.balance_mu = -20000;
	as_layout_3(st, old);
	ck_assert_int_eq(pm_store_save_account(store, "m1", 2, old, sizeof(*old), T_JAN, NULL, 0),
			 0);
	free(st);
	free(old);

	b = open_billing(flat, "UTC", T_JAN, store);
	ck_assert_int_eq(balance(b, T_JAN), -420000);
	pm_billing_sample(b, T_JAN, true, 0, 0, 0, false);
	pm_billing_sample(b, next - S, true, 0, 0, 0, false);
	ck_assert_int_eq(balance(b, next - S), -420000);
	pm_billing_sample(b, next, true, 0, 0, 0, false);
	ck_assert_int_eq(balance(b, next), -430000); /* one instalment of 0.10 */
	ck_assert_int_eq(pm_billing_flush(b, next), 0);
	pm_billing_free(b);
	/* saved as layout 4 and read as such: nothing carried over twice */
	b = open_billing(flat, "UTC", next, store);
	ck_assert_int_eq(balance(b, next), -430000);
	pm_billing_sample(b, next + S, true, 0, 0, 0, false);
	ck_assert_int_eq(balance(b, next + S), -430000);
	pm_billing_free(b);
}
END_TEST

/*
 * A record of layout 3 holds anything in the bytes layout 4 gave the phase power unbalance
 * limit (they were the configuration's tail padding): read as no limit, the record otherwise
 * as it was (12.34), and saved in layout 4.
 */
START_TEST(test_layout_3_record_has_no_unbalance_limit)
{
	struct state *st = malloc(sizeof(*st));
	struct state_v3 *old = malloc(sizeof(*old));
	struct account_config c;
	struct pm_billing *b;

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(old);
	stored_account(st);
	st->acc.config.phase_unbalance_limit_w = 0xFFFFFFFFu; /* padding bytes, not a limit */
	as_layout_3(st, old);
	ck_assert_int_eq(
	    pm_store_save_account(store, "m1", STATE_LAYOUT_3, old, sizeof(*old), T_JAN, NULL, 0),
	    0);
	b = open_billing(flat, "UTC", T_JAN, store);
	ck_assert_int_eq(balance(b, T_JAN), 1234000);
	pm_billing_get_config(b, &c);
	ck_assert_uint_eq(c.phase_unbalance_limit_w, 0);
	ck_assert_int_eq(pm_billing_flush(b, T_JAN + S), 0);
	pm_billing_free(b);
	ck_assert_int_eq(pm_store_load_account(store, "m1", STATE_LAYOUT, st, sizeof(*st)), 0);
	ck_assert_uint_eq(st->acc.config.phase_unbalance_limit_w, 0);
	free(st);
	free(old);
}
END_TEST

/*
 * A record of layout 4 (billing-state.h), built by hand from a saved account: each tariff of
 * its engine ends with the 24-byte levy of one de-minimis. Read, the account is as it was
 * (12.34, the unbalance limit 4 kW that layout 4 already held) and both §7.8 de-minimis are
 * the one value the record had (33 kWh = 33 000 000 mWh): the same charges as before. Saved
 * again as layout 5.
 */
START_TEST(test_layout_4_record_carried_over)
{
	struct state *st = malloc(sizeof(*st));
	struct state_v4 *old = calloc(1, sizeof(*old));
	struct account_config c;
	struct pm_billing *b;

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(old);
	stored_account(st);
	st->acc.config.phase_unbalance_limit_w = 4000;
	st->acc.config.load_limit_period_s = 60;
	st->te.active.levy.de_minimis_mwh_per_day = 33000000;
	st->te.active.levy.vat2_de_minimis_mwh_per_day = 1; /* not in a layout 4 record */
	account_as_v6(&st->acc, &old->acc);
	engine_as_v4(&st->te, &old->te);
	old->has_tariff = st->has_tariff;
	old->info = st->info;
	old->have_baseline = st->have_baseline;
	old->billed_import_mwh = st->billed_import_mwh;
	old->billed_export_mwh = st->billed_export_mwh;
	old->has_sts = st->has_sts;
	old->sts = st->sts;
	old->deferred_info = st->deferred_info;
	ck_assert_int_eq(
	    pm_store_save_account(store, "m1", STATE_LAYOUT_4, old, sizeof(*old), T_JAN, NULL, 0),
	    0);
	b = open_billing(flat, "UTC", T_JAN, store);
	ck_assert_int_eq(balance(b, T_JAN), 1234000);
	pm_billing_get_config(b, &c);
	ck_assert_uint_eq(c.phase_unbalance_limit_w, 4000);
	ck_assert_int_eq(pm_billing_flush(b, T_JAN + S), 0);
	pm_billing_free(b);
	ck_assert_int_eq(pm_store_load_account(store, "m1", STATE_LAYOUT, st, sizeof(*st)), 0);
	ck_assert_int_eq(st->acc.balance_mu, 1234000);
	ck_assert_int_eq(st->te.active.levy.de_minimis_mwh_per_day, 33000000);
	ck_assert_int_eq(st->te.active.levy.vat2_de_minimis_mwh_per_day, 33000000);
	ck_assert_uint_eq(st->acc.config.phase_unbalance_limit_w, 4000);
	free(st);
	free(old);
}
END_TEST

/*
 * A record of layout 5 (billing-state.h), built by hand: struct state without the conversion's
 * target currency, with a conversion of x 0.5 pending in its engine (layout 5 kept the
 * currency). Read, the conversion is still pending, in GBP, its factor the engine's 5/10, and
 * 12.34 stays 12.34.
 */
START_TEST(test_layout_5_record_carried_over)
{
	struct state *st = malloc(sizeof(*st));
	struct state_v5 *old = calloc(1, sizeof(*old));
	struct pm_billing_view v;
	struct pm_billing *b;

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(old);
	stored_account(st);
	st->te.has_conversion = true;
	st->te.conversion_date = (struct tariff_date){2026, 1, 6};
	st->te.conversion_num = 5;
	st->te.conversion_den = 10;
	account_as_v6(&st->acc, &old->acc);
	old->te = st->te;
	old->has_tariff = st->has_tariff;
	old->info = st->info;
	old->have_baseline = st->have_baseline;
	old->billed_import_mwh = st->billed_import_mwh;
	old->billed_export_mwh = st->billed_export_mwh;
	old->has_sts = st->has_sts;
	old->sts = st->sts;
	old->deferred_info = st->deferred_info;
	ck_assert_int_eq(
	    pm_store_save_account(store, "m1", STATE_LAYOUT_5, old, sizeof(*old), T_JAN, NULL, 0),
	    0);
	b = open_billing(flat, "UTC", T_JAN, store);
	pm_billing_view(b, T_JAN, &v);
	ck_assert(v.running);
	ck_assert_int_eq(v.regs.balance_mu, 1234000);
	ck_assert(v.has_conversion);
	ck_assert_int_eq(v.conversion_num, 5);
	ck_assert_int_eq(v.conversion_den, 10);
	ck_assert_str_eq(v.conversion_currency, "GBP");
	ck_assert_int_eq(pm_billing_flush(b, T_JAN + S), 0);
	pm_billing_free(b);
	ck_assert_int_eq(pm_store_load_account(store, "m1", STATE_LAYOUT, st, sizeof(*st)), 0);
	ck_assert_str_eq(st->conversion_to.currency, "");
	free(st);
	free(old);
}
END_TEST

/*
 * A record of layout 6 (before §7.8's charges of the billing period): read with everything it
 * held, 12.34 stays 12.34, and the working value starts at 0 (the charges of its period before
 * the upgrade are not known). Saved again, it is a layout-7 record.
 */
START_TEST(test_layout_6_record_carried_over)
{
	struct state *st = malloc(sizeof(*st));
	struct state_v6 *old = calloc(1, sizeof(*old));
	struct pm_billing_view v;
	struct pm_billing *b;

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(old);
	stored_account(st);
	account_as_v6(&st->acc, &old->acc);
	old->te = st->te;
	old->has_tariff = st->has_tariff;
	old->info = st->info;
	old->have_baseline = st->have_baseline;
	old->billed_import_mwh = st->billed_import_mwh;
	old->billed_export_mwh = st->billed_export_mwh;
	old->has_sts = st->has_sts;
	old->sts = st->sts;
	old->deferred_info = st->deferred_info;
	old->conversion_to = st->conversion_to;
	ck_assert_int_eq(
	    pm_store_save_account(store, "m1", STATE_LAYOUT_6, old, sizeof(*old), T_JAN, NULL, 0),
	    0);
	b = open_billing(flat, "UTC", T_JAN, store);
	pm_billing_view(b, T_JAN, &v);
	ck_assert(v.running);
	ck_assert_int_eq(v.regs.balance_mu, 1234000);
	ck_assert_int_eq(v.regs.charges_period_mu, 0);
	ck_assert_str_eq(v.tariff_name, "Flat");
	ck_assert_int_eq(pm_billing_flush(b, T_JAN + S), 0);
	pm_billing_free(b);
	ck_assert_int_eq(pm_store_load_account(store, "m1", STATE_LAYOUT, st, sizeof(*st)), 0);
	ck_assert_int_eq(st->acc.balance_mu, 1234000);
	ck_assert_int_eq(st->acc.charges_period_mu, 0);
	free(st);
	free(old);
}
END_TEST

/*
 * §7.8 at the billing period's end: "the monetary amount taken over the period will be stored
 * together with a time stamp and the working value reset". Flat tariff, 1.00 a kWh: 2 kWh are
 * 2.00 (200 000 mu) taken; the monthly capture holds 200 000 and the stored record 0, written
 * in the one transaction. A capture of a date already captured (the clock went back) is
 * ignored: the account keeps its working value, to go with the next period's end.
 */
START_TEST(test_period_end_stores_charges_with_capture)
{
	struct pm_billing *b = open_billing(flat, "UTC", T_JAN, store);
	struct state *st = malloc(sizeof(*st));
	struct pm_store_account_record rec;
	struct pm_store_billing row = {.scheme = PM_STORE_BILLING_MONTHLY, .local_day = 20458}, got;
	struct pm_billing_error e;
	struct pm_billing_view v;
	int64_t charges = -1;
	int r;

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1000000, "pay-1", ACCOUNT_PAYMENT_LOCAL, &e),
			 0);
	pm_billing_sample(b, T_JAN, true, 5000, 0, 0, false); /* baseline */
	/* 2 kWh (5 000 to 2 005 000 mWh) at 100 000 mu/kWh = 200 000 mu */
	pm_billing_sample(b, T_JAN + 60 * S, true, 2005000, 0, 0, false);
	pm_billing_view(b, T_JAN + 60 * S, &v);
	ck_assert_int_eq(v.regs.charges_period_mu, 200000);
	ck_assert_int_eq(v.regs.balance_mu, 800000); /* 10.00 - 2.00: the top-up not counted */

	row.utc_ns = T_JAN + 61 * S;
	ck_assert(pm_billing_period_end(b, &rec, &charges));
	ck_assert_int_eq(charges, 200000);
	row.has_charges = true;
	row.charges_mu = charges;
	r = pm_store_add_billing_account(store, "m1", &row, &rec, row.utc_ns);
	ck_assert_int_eq(r, 1);
	pm_billing_period_saved(b, row.utc_ns, charges, r);
	pm_billing_view(b, T_JAN + 61 * S, &v);
	ck_assert_int_eq(v.regs.charges_period_mu, 0);
	ck_assert_int_eq(pm_store_last_billing(store, "m1", PM_STORE_BILLING_MONTHLY, &got), 0);
	ck_assert(got.has_charges);
	ck_assert_int_eq(got.charges_mu, 200000);
	ck_assert_int_eq(got.utc_ns, T_JAN + 61 * S);
	/* the record stored with it holds the reset */
	ck_assert_int_eq(pm_store_load_account(store, "m1", STATE_LAYOUT, st, sizeof(*st)), 0);
	ck_assert_int_eq(st->acc.charges_period_mu, 0);
	ck_assert_int_eq(st->acc.balance_mu, 800000);

	/* 1 kWh more: 100 000 mu; the same date again is ignored, nothing reset */
	pm_billing_sample(b, T_JAN + 120 * S, true, 3005000, 0, 0, false);
	row.utc_ns = T_JAN + 121 * S;
	ck_assert(pm_billing_period_end(b, &rec, &charges));
	ck_assert_int_eq(charges, 100000);
	row.charges_mu = charges;
	r = pm_store_add_billing_account(store, "m1", &row, &rec, row.utc_ns);
	ck_assert_int_eq(r, 0);
	pm_billing_period_saved(b, row.utc_ns, charges, r);
	pm_billing_view(b, T_JAN + 121 * S, &v);
	ck_assert_int_eq(v.regs.charges_period_mu, 100000);
	ck_assert_int_eq(pm_store_last_billing(store, "m1", PM_STORE_BILLING_MONTHLY, &got), 0);
	ck_assert_int_eq(got.charges_mu, 200000);
	ck_assert_int_eq(pm_store_load_account(store, "m1", STATE_LAYOUT, st, sizeof(*st)), 0);
	ck_assert_int_eq(st->acc.charges_period_mu, 0);
	ck_assert_int_eq(st->acc.balance_mu, 800000); /* the ignored capture wrote nothing */
	free(st);
	pm_billing_free(b);
}
END_TEST

/*
 * A record of layout 3 (before the rates' names, billing-state.h) on the Noon tariff: read with
 * everything it held, the balance and the tariff's name, and no rate name (it has none); its
 * meanings are layout 4's, so nothing else is carried over: 12.34 stays 12.34.
 */
START_TEST(test_layout_3_record_carried_over)
{
	struct state *st = malloc(sizeof(*st));
	struct state_v3 *old = malloc(sizeof(*old));
	struct pm_billing_error e;
	struct pm_billing_view v;
	struct pm_billing *b;

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(old);
	b = open_billing(tou, "UTC", T_JAN, store);
	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 1234000, "pay-3", ACCOUNT_PAYMENT_REMOTE, &e),
			 0);
	pm_billing_free(b);
	ck_assert_int_eq(pm_store_load_account(store, "m1", STATE_LAYOUT, st, sizeof(*st)), 0);
	ck_assert_str_eq(st->info.rate_names[0], "morning");
	as_layout_3(st, old);
	ck_assert_int_eq(
	    pm_store_save_account(store, "m1", STATE_LAYOUT_3, old, sizeof(*old), T_JAN, NULL, 0),
	    0);
	free(st);
	free(old);

	b = open_billing(tou, "UTC", T_JAN + S, store);
	pm_billing_view(b, T_JAN + S, &v);
	ck_assert(v.running);
	ck_assert_int_eq(v.regs.balance_mu, 1234000);
	ck_assert_str_eq(v.tariff_name, "Noon");
	ck_assert_str_eq(v.currency, "GBP");
	ck_assert_str_eq(v.rate_name, "");
	pm_billing_free(b);
}
END_TEST

/*
 * A day powered down (§8.9: "Standing Charge will not be collected if the meter is powered
 * down"; issue 19: debt recovery too). Standing charge 3.50 a week and a debt at 7.00 a week:
 * 3500 + 7000 mu every 6048 s from T_JAN (the tariff and the debt both set then). 100.00 topped
 * up; the first instalments at +6048 s: 10 000 000 - 10 500 = 9 989 500. The daemon stops
 * then and starts 86 400 s later, at +92 448 s: instalments 2 to 15 fell due while it was off
 * (15 x 6048 = 90 720 <= 92 448 < 96 768). Passed over (the manual): the balance stays, the
 * event says 14 x 3500 = 0.49 and 14 x 7000 = 0.98 were not collected; the 16th, at +96 768,
 * is: 9 979 000. Caught up (the option): 14 x 10 500 = 147 000 at the restart: 9 842 500.
 */
static int64_t day_powered_down(bool catch_up, const char *meter)
{
	struct pm_billing_config cfg = {.meter = meter,
					.time_zone = "UTC",
					.tariff_file = standing,
					.save_interval_ns = 60 * S,
					.power_down_catch_up = catch_up};
	const int64_t first = T_JAN + 6048 * S, up = T_JAN + 92448 * S;
	struct pm_billing_error e;
	struct account_config c;
	struct pm_billing *b;
	char err[320];
	int ev;

	account_config_default(&cfg.account);
	cfg.account.mode = ACCOUNT_MODE_PREPAYMENT;
	cfg.account.debt_weekly_rate_mu = 700000;
	ck_assert_int_eq(pm_billing_new(&cfg, store, T_JAN, &b, err, sizeof(err)), 0);
	pm_billing_set_hooks(b, on_supply, on_event, NULL);
	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 10000000, meter, ACCOUNT_PAYMENT_LOCAL, &e), 0);
	ck_assert_int_eq(pm_billing_set_debt(b, T_JAN, 1000000, 0, &e), 0);
	pm_billing_get_config(b, &c);
	ck_assert_int_eq(c.debt_weekly_rate_mu, 700000);
	for (int64_t t = 0; t <= 6048; t += 48) /* samples as a running meter sends them */
		pm_billing_sample(b, T_JAN + t * S, true, 0, 0, 0, false);
	ck_assert_int_eq(balance(b, first), 9989500);
	ck_assert_int_eq(pm_billing_flush(b, first), 0); /* the daemon stops */
	pm_billing_free(b);

	ck_assert_int_eq(pm_billing_new(&cfg, store, up, &b, err, sizeof(err)), 0);
	n_events = 0;
	pm_billing_set_hooks(b, on_supply, on_event, NULL);
	pm_billing_sample(b, up, true, 0, 0, 0, false);
	ev = find_event("power_down_charges");
	if (catch_up) {
		ck_assert_int_eq(ev, -1);
		ck_assert_int_eq(balance(b, up), 9842500);
	} else {
		ck_assert_int_ge(ev, 0);
		ck_assert_str_eq(event_detail[ev],
				 "down_s=86400 standing=0.49 debt=0.98 not collected");
		ck_assert_int_eq(balance(b, up), 9989500);
	}
	for (int64_t t = 92448 + 48; t <= 96768; t += 48)
		pm_billing_sample(b, T_JAN + t * S, true, 0, 0, 0, false);
	int64_t after = balance(b, T_JAN + 96768 * S);
	pm_billing_free(b);
	return after;
}

START_TEST(test_power_down_charges_not_collected)
{
	ck_assert_int_eq(day_powered_down(false, "m1"), 9979000);
}
END_TEST

START_TEST(test_power_down_charges_caught_up_as_an_option)
{
	/* 9 842 500 - 10 500 for the 16th */
	ck_assert_int_eq(day_powered_down(true, "m1"), 9832000);
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
	tcase_add_test(tc, test_account_written_only_when_changed);
	tcase_add_test(tc, test_switch_point_in_local_time);
	tcase_add_test(tc, test_supply_follows_credit);
	tcase_add_test(tc, test_bad_tariff_changes_nothing);
	tcase_add_test(tc, test_without_store_nothing_is_accepted);
	tcase_add_test(tc, test_sts_credit_token);
	tcase_add_test(tc, test_unknown_zone_refused);
	tcase_add_test(tc, test_factor_parsed_exactly);
	tcase_add_test(tc, test_money_converted_half_away_from_zero);
	tcase_add_test(tc, test_future_tariff_at_local_midnight);
	tcase_add_test(tc, test_future_tariff_cancelled);
	tcase_add_test(tc, test_currency_conversion_on_its_date);
	tcase_add_test(tc, test_currency_conversion_to_yen);
	tcase_add_test(tc, test_currency_conversion_to_dinar);
	tcase_add_test(tc, test_currency_conversion_refused);
	tcase_add_test(tc, test_peak_rate_lower_load_limit);
	tcase_add_test(tc, test_block_crossing_logged_with_registers);
	tcase_add_test(tc, test_layout_1_record_carried_over);
	tcase_add_test(tc, test_record_with_bad_rate_refused);
	tcase_add_test(tc, test_record_with_bad_bool_refused);
	tcase_add_test(tc, test_record_with_bad_money_refused);
	tcase_add_test(tc, test_unreadable_account_read_again);
	tcase_add_test(tc, test_only_an_absent_row_is_a_new_account);
	tcase_add_test(tc, test_model_names_are_billing_names);
	tcase_add_test(tc, test_snapshot_carries_the_account);
	tcase_add_test(tc, test_tenancy_snapshot_exact);
	tcase_add_test(tc, test_cost_last_hour_after_a_long_stop);
	tcase_add_test(tc, test_amounts_finer_than_minor_unit_refused);
	tcase_add_test(tc, test_conversion_keeps_settings_whole_minor_units);
	tcase_add_test(tc, test_layout_2_record_carried_over);
	tcase_add_test(tc, test_layout_3_record_has_no_unbalance_limit);
	tcase_add_test(tc, test_layout_3_record_carried_over);
	tcase_add_test(tc, test_layout_4_record_carried_over);
	tcase_add_test(tc, test_layout_5_record_carried_over);
	tcase_add_test(tc, test_layout_6_record_carried_over);
	tcase_add_test(tc, test_period_end_stores_charges_with_capture);
	tcase_add_test(tc, test_power_down_charges_not_collected);
	tcase_add_test(tc, test_power_down_charges_caught_up_as_an_option);
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
