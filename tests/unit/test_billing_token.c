// SPDX-License-Identifier: GPL-2.0-only
/*
 * STS tokens entered into the daemon's account (daemon/meter/billing-token.c), with the real
 * store (SQLite) and real tariff files: what each kind of token does, what is refused and that
 * a refusal changes nothing. Tokens are made by the vending side of tests/support/sts-vend.h,
 * which test_sts checks bit for bit against the published vectors.
 *
 * Amounts by hand (prepay-sts.md §1.2): counts t = m (e = 0), 10m + 16384 (e = 1),
 * 100m + 180224 (e = 2), 1000m + 1818624 (e = 3); vending rounds up. A currency token counts
 * 0.00001 of the base unit (sts.org.za token types). Money: mu = 1/1000 of the minor unit.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meter/billing.h"
#include "common/log.h"
#include "core/dlms/cosem-event-codes.h"
#include "support/sts-vend.h"

#define S INT64_C(1000000000)
/* 2026-01-05 10:00:00 UTC, a Monday */
#define T_JAN (INT64_C(1767607200) * S)
#define DK UINT64_C(0xabababababababab)

static char dir[64], db[96], gbp[96], jpy[96], bhd[96];
static struct pm_store *store;

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

/* The detail of the last event of @kind, NULL when none. */
static const char *last_event(const char *kind)
{
	for (unsigned i = n_events; i-- > 0;)
		if (!strcmp(event_kind[i], kind))
			return event_detail[i];
	return NULL;
}

static void write_tariff(const char *path, const char *code, int minor)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"{\"version\": 1, \"name\": \"Flat %s\","
		" \"currency\": {\"code\": \"%s\", \"minor_units\": %d},"
		" \"rates\": {\"1\": {\"price_per_kwh\": \"1\"}},"
		" \"day_profiles\": {\"all\": [{\"at\": \"00:00\", \"rate\": 1}]},"
		" \"seasons\": [{\"days\": {\"weekdays\": \"all\", \"weekend\": \"all\"}}],"
		" \"billing_period\": {\"months\": 1, \"start\": \"2026-01-01\"}}",
		code, code, minor);
	fclose(f);
}

static void setup(void)
{
	char err[256];

	snprintf(dir, sizeof(dir), "%s/pmtokXXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/polymeter.db", dir);
	snprintf(gbp, sizeof(gbp), "%s/gbp.json", dir);
	snprintf(jpy, sizeof(jpy), "%s/jpy.json", dir);
	snprintf(bhd, sizeof(bhd), "%s/bhd.json", dir);
	write_tariff(gbp, "GBP", 2);
	write_tariff(jpy, "JPY", 0);
	write_tariff(bhd, "BHD", 3);
	pm_log_set_max(LOG_WARNING);
	ck_assert_int_eq(pm_store_open(db, &store, err, sizeof(err)), 0);
	n_events = 0;
}

static void teardown(void)
{
	char cmd[128];

	pm_store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The meter with decoder key @dk from its configuration (sts false: none configured). */
static struct pm_billing *open_key(bool sts, uint64_t dk)
{
	struct pm_billing_config cfg = {.meter = "m1",
					.time_zone = "UTC",
					.tariff_file = gbp,
					.sts = sts,
					.sts_dk = dk,
					.save_interval_ns = 60 * S};
	struct pm_billing *b;
	char err[320];

	account_config_default(&cfg.account);
	cfg.account.mode = ACCOUNT_MODE_PREPAYMENT;
	ck_assert_int_eq(pm_billing_new(&cfg, store, T_JAN, &b, err, sizeof(err)), 0);
	pm_billing_set_hooks(b, NULL, on_event, NULL);
	return b;
}

static struct pm_billing *open_zone(const char *tariff, const char *zone)
{
	struct pm_billing_config cfg = {.meter = "m1",
					.time_zone = zone,
					.tariff_file = tariff,
					.sts = true,
					.sts_dk = DK,
					.save_interval_ns = 60 * S};
	struct pm_billing *b;
	char err[320];

	account_config_default(&cfg.account);
	cfg.account.mode = ACCOUNT_MODE_PREPAYMENT;
	ck_assert_int_eq(pm_billing_new(&cfg, store, T_JAN, &b, err, sizeof(err)), 0);
	pm_billing_set_hooks(b, NULL, on_event, NULL);
	return b;
}

static struct pm_billing *open_sts(const char *tariff)
{
	return open_zone(tariff, "UTC");
}

static int64_t balance(struct pm_billing *b)
{
	struct pm_billing_view v;

	pm_billing_view(b, T_JAN, &v);
	return v.regs.balance_mu;
}

/* A class 0 token of @subclass for @counts (rounded up as vending does), with TID @tid. */
static void credit_token(unsigned subclass, uint32_t tid, uint32_t counts,
			 char text[STS_TOKEN_TEXT_LEN])
{
	uint16_t field;

	ck_assert_int_eq(sts_amount_encode(counts, &field), 0);
	ck_assert_int_eq(sts_encode(0, subclass, sts_middle_tid(5, tid, field), DK, text), 0);
}

static int enter_at(struct pm_billing *b, int64_t now, const char *text, int64_t *credit,
		    struct pm_billing_error *e)
{
	struct sts_result res;

	return pm_billing_token(b, now, text, credit, &res, e);
}

static int enter(struct pm_billing *b, const char *text, int64_t *credit,
		 struct pm_billing_error *e)
{
	return enter_at(b, T_JAN, text, credit, e);
}

/*
 * GBP, 2 decimals: 1 p = 1000 counts. 1.00 GBP vended: e = 1, m = ceil((100000 - 16384) / 10)
 * = 8362, t = 83620 + 16384 = 100004 counts = 1.00004 GBP; credited 100 p = 100000 mu, the 4
 * counts of rounding dropped (and logged).
 */
START_TEST(test_currency_token_in_pounds)
{
	struct pm_billing *b = open_sts(gbp);
	char text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	int64_t credit;

	credit_token(4, 1000, 100000, text);
	ck_assert_int_eq(enter(b, text, &credit, &e), 0);
	ck_assert_int_eq(credit, 100000);
	ck_assert_int_eq(balance(b), 100000);
	ck_assert_ptr_nonnull(last_event("sts_credit"));
	ck_assert_ptr_nonnull(strstr(last_event("sts_credit"), "counts=100004"));
	ck_assert_ptr_nonnull(strstr(last_event("sts_credit"), "dropped_counts=4"));
	/* once only */
	ck_assert_int_eq(enter(b, text, &credit, &e), -EALREADY);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_TOKEN);
	ck_assert_int_eq(balance(b), 100000);
	pm_billing_free(b);
}
END_TEST

/*
 * JPY, no minor unit: 1 yen = 100000 counts. 2 yen vended: e = 2, m = ceil((200000 - 180224)
 * / 100) = 198, t = 19800 + 180224 = 200024 counts; credited 2 yen = 2 x 1000 mu = 2000 mu
 * (counting a count as 1 mu, as GBP's scale would, gives 200024 mu: 200 yen).
 */
START_TEST(test_currency_token_in_yen)
{
	struct pm_billing *b = open_sts(jpy);
	char text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	int64_t credit;

	credit_token(4, 1000, 200000, text);
	ck_assert_int_eq(enter(b, text, &credit, &e), 0);
	ck_assert_int_eq(credit, 2000);
	ck_assert_int_eq(balance(b), 2000);
	pm_billing_free(b);
}
END_TEST

/*
 * BHD, 3 decimals: 1 fils = 100 counts. 12345 counts (e = 0, exact) = 0.12345 BHD: 123 fils
 * = 123000 mu, 45 counts dropped.
 */
START_TEST(test_currency_token_in_fils)
{
	struct pm_billing *b = open_sts(bhd);
	char text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	int64_t credit;

	credit_token(4, 1000, 12345, text);
	ck_assert_int_eq(enter(b, text, &credit, &e), 0);
	ck_assert_int_eq(credit, 123000);
	ck_assert_int_eq(balance(b), 123000);
	ck_assert_ptr_nonnull(strstr(last_event("sts_credit"), "dropped_counts=45"));
	pm_billing_free(b);
}
END_TEST

/* 999 counts = 0.00999 GBP, less than a penny: refused, and its TID stays unused. */
START_TEST(test_currency_token_below_minor_unit_refused)
{
	struct pm_billing *b = open_sts(gbp);
	char small[STS_TOKEN_TEXT_LEN], text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	int64_t credit;

	credit_token(4, 1000, 999, small);
	ck_assert_int_eq(enter(b, small, &credit, &e), -EINVAL);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.message, "minor unit"));
	ck_assert_int_eq(balance(b), 0);
	credit_token(4, 1000, 1000, text); /* the same TID, 1 p */
	ck_assert_int_eq(enter(b, text, &credit, &e), 0);
	ck_assert_int_eq(balance(b), 1000);
	pm_billing_free(b);
}
END_TEST

/*
 * Water (0/1), gas (0/2), time (0/3) and their currency tokens (0/5, 0/6, 0/7) are for other
 * meters: each refused with its own reason, the balance and the TID memory unchanged (an
 * electricity token with the same TID is then accepted). Entered 10 minutes apart, so that
 * no five fall in one entry session (§4.2.1, test_lockout_*).
 */
START_TEST(test_other_utilities_refused)
{
	static const struct {
		unsigned subclass;
		const char *name;
	} others[] = {{1, "water"}, {2, "gas"}, {3, "time"}, {5, "water"}, {6, "gas"}, {7, "time"}};
	struct pm_billing *b = open_sts(gbp);
	char text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	int64_t credit;

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		credit_token(others[i].subclass, 2000, 10000, text);
		ck_assert_int_eq(enter_at(b, T_JAN + (int64_t)i * 600 * S, text, &credit, &e),
				 -ENOTSUP);
		ck_assert_int_eq(e.kind, PM_BILLING_ERR_TOKEN_UTILITY);
		ck_assert_ptr_nonnull(strstr(e.message, others[i].name));
		ck_assert_int_eq(credit, 0);
		ck_assert_int_eq(balance(b), 0);
	}
	credit_token(4, 2000, 10000, text);
	ck_assert_int_eq(enter_at(b, T_JAN + 3600 * S, text, &credit, &e), 0);
	ck_assert_int_eq(balance(b), 10000);
	pm_billing_free(b);
}
END_TEST

/* A kWh token (0/0) in a currency account: refused with its own reason, nothing changed. */
START_TEST(test_kwh_token_in_currency_account_refused)
{
	struct pm_billing *b = open_sts(gbp);
	char text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	int64_t credit;

	credit_token(0, 3000, 10, text);
	ck_assert_int_eq(enter(b, text, &credit, &e), -ENOTSUP);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_TOKEN_UNIT);
	ck_assert_int_eq(balance(b), 0);
	pm_billing_free(b);
}
END_TEST

/* Events of @kind in the log. */
static unsigned count_events(const char *kind)
{
	unsigned n = 0;

	for (unsigned i = 0; i < n_events; i++)
		n += !strcmp(event_kind[i], kind);
	return n;
}

/* 20 digits no vending system made for this key: refused as invalid (CRC). */
#define WRONG "12345678901234567890"

/*
 * §4.2.1: 5 invalid entries lock entry until the next hour, local time. Zone Asia/Kolkata
 * (UTC+05:30): 10:00 UTC is 15:30 local, so entry is locked until 16:00 local = 10:30 UTC
 * (not 11:00 UTC, the next UTC hour). Every refusal is an event with its reason; a valid token
 * while locked is refused too (and credits nothing); the lockout survives a restart.
 */
START_TEST(test_lockout_until_next_local_hour)
{
	struct pm_billing *b = open_zone(gbp, "Asia/Kolkata");
	char text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	int64_t credit;

	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(enter_at(b, T_JAN + i * 60 * S, WRONG, &credit, &e), -EBADMSG);
	ck_assert_uint_eq(count_events("token_refused"), 5);
	ck_assert_ptr_nonnull(strstr(last_event("token_refused"), "reason="));
	ck_assert_ptr_nonnull(last_event("token_entry_locked"));
	ck_assert_ptr_nonnull(strstr(last_event("token_entry_locked"), "until=2026-01-05 16:00"));
	credit_token(4, 1000, 100000, text);
	ck_assert_int_eq(enter_at(b, T_JAN + 600 * S, text, &credit, &e), -EBUSY);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_TOKEN_LOCKED);
	ck_assert_ptr_nonnull(strstr(e.message, "16:00"));
	ck_assert_ptr_nonnull(strstr(last_event("token_refused"), "reason=locked"));
	ck_assert_int_eq(balance(b), 0);
	pm_billing_free(b);
	/* kept in the store: still locked a second before 16:00 local after a restart */
	b = open_zone(gbp, "Asia/Kolkata");
	ck_assert_int_eq(enter_at(b, T_JAN + 1799 * S, text, &credit, &e), -EBUSY);
	ck_assert_int_eq(balance(b), 0);
	ck_assert_int_eq(enter_at(b, T_JAN + 1800 * S, text, &credit, &e), 0);
	ck_assert_int_eq(balance(b), 100000);
	pm_billing_free(b);
}
END_TEST

/*
 * §4.2.1's example in the daemon: five lockouts in a day (UTC: 10:00, 11:00, ... 14:00, five
 * wrong tokens each) lock entry until 00:01 the next day. Replayed and wrong-utility tokens
 * count as invalid entries as wrong digits do.
 */
START_TEST(test_lockout_until_next_day)
{
	struct pm_billing *b = open_sts(gbp);
	char used[STS_TOKEN_TEXT_LEN], text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	int64_t credit;

	credit_token(4, 500, 1000, used);
	ck_assert_int_eq(enter(b, used, &credit, &e), 0);
	for (int hour = 0; hour < 5; hour++) {
		int64_t t0 = T_JAN + hour * 3600 * S + S;

		for (int i = 0; i < 5; i++)
			ck_assert_int_lt(enter_at(b, t0 + i * S, i % 2 ? used : WRONG, &credit, &e),
					 0);
	}
	ck_assert_uint_eq(count_events("token_entry_locked"), 5);
	ck_assert_ptr_nonnull(strstr(last_event("token_entry_locked"), "until=2026-01-06 00:01"));
	credit_token(4, 1000, 1000, text);
	/* 2026-01-06 00:00:59 UTC = T_JAN + 14 h + 59 s: locked; 00:01: accepted */
	ck_assert_int_eq(enter_at(b, T_JAN + (14 * 3600 + 59) * S, text, &credit, &e), -EBUSY);
	ck_assert_int_eq(enter_at(b, T_JAN + (14 * 3600 + 60) * S, text, &credit, &e), 0);
	ck_assert_int_eq(balance(b), 2000);
	pm_billing_free(b);
}
END_TEST

/* A 0.01 GBP currency token with TID @tid for decoder key @dk. */
static void penny(uint64_t dk, uint32_t tid, char text[STS_TOKEN_TEXT_LEN])
{
	ck_assert_int_eq(sts_encode(0, 4, sts_middle_tid(5, tid, 1000), dk, text), 0);
}

#define DK2 UINT64_C(0x0123456789abcdef)
#define DK3 UINT64_C(0xfedcba9876543210)

/*
 * The decoder key: one configured after the account exists applies (at the next start);
 * SetDecoderKey replaces it, and stays while the configured key is unchanged; a new
 * configured key applies again. The TID memory is kept throughout: a TID used under one key
 * stays used under the next. No event carries the key.
 */
START_TEST(test_decoder_key_applies_and_is_replaced)
{
	struct pm_billing *b = open_key(false, 0);
	char text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	int64_t credit;

	penny(DK, 100, text);
	ck_assert_int_eq(enter(b, text, &credit, &e), -ENOTSUP);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_NOT_CONFIGURED);
	ck_assert_ptr_nonnull(strstr(last_event("token_refused"), "reason=no_key"));
	pm_billing_free(b);
	/* the key file is written after the account exists: it applies */
	b = open_key(true, DK);
	ck_assert_int_eq(enter(b, text, &credit, &e), 0);
	ck_assert_int_eq(balance(b), 1000);
	/* an admin replaces it */
	ck_assert_int_eq(pm_billing_set_sts_key(b, T_JAN, DK2, &e), 0);
	penny(DK, 101, text);
	ck_assert_int_eq(enter(b, text, &credit, &e), -EBADMSG);
	penny(DK2, 101, text);
	ck_assert_int_eq(enter(b, text, &credit, &e), 0);
	ck_assert_int_eq(balance(b), 2000);
	pm_billing_free(b);
	/* the same key file at the next start: the key set since stays */
	b = open_key(true, DK);
	penny(DK2, 102, text);
	ck_assert_int_eq(enter(b, text, &credit, &e), 0);
	pm_billing_free(b);
	/* a new key file applies; TID 102 stays used under it */
	b = open_key(true, DK3);
	penny(DK3, 102, text);
	ck_assert_int_eq(enter(b, text, &credit, &e), -EALREADY);
	penny(DK3, 103, text);
	ck_assert_int_eq(enter(b, text, &credit, &e), 0);
	ck_assert_int_eq(balance(b), 4000);
	for (unsigned i = 0; i < n_events; i++) {
		ck_assert_ptr_null(strstr(event_detail[i], "abababababababab"));
		ck_assert_ptr_null(strstr(event_detail[i], "0123456789abcdef"));
		ck_assert_ptr_null(strstr(event_detail[i], "fedcba9876543210"));
	}
	ck_assert_ptr_nonnull(last_event("sts_key_set"));
	pm_billing_free(b);
}
END_TEST

/*
 * The STS setup over the management interface, and the TID memory of a replaced meter: its
 * TIDs 5000, 5001 and 6000 stay used, 4999 (older than its oldest) is too old, 5500 is new.
 * The base date moves only while no token was entered. Bad values change nothing.
 */
START_TEST(test_sts_setup_and_tid_import)
{
	const struct sts_setup setup = {
	    .sgc = 123456, .ti = 7, .krn = 2, .kt = 2, .base = STS_BASE_2014, .ken = 255};
	const uint32_t replaced[] = {5001, 5000, 6000};
	struct pm_billing *b = open_sts(gbp);
	char text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	struct sts_setup got, bad;
	int64_t credit;
	bool has;

	ck_assert_int_eq(pm_billing_set_sts_setup(b, T_JAN, &setup, &e), 0);
	pm_billing_get_sts_setup(b, &has, &got);
	ck_assert(has);
	ck_assert(got.sgc == 123456 && got.ti == 7 && got.krn == 2 && got.kt == 2 &&
		  got.base == STS_BASE_2014 && got.ken == 255);
	ck_assert_ptr_nonnull(strstr(last_event("sts_setup"), "supply_group_code=123456"));
	bad = setup;
	bad.krn = 0;
	ck_assert_int_eq(pm_billing_set_sts_setup(b, T_JAN, &bad, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "key_revision"));
	bad = setup;
	bad.sgc = 1000000;
	ck_assert_int_eq(pm_billing_set_sts_setup(b, T_JAN, &bad, &e), -EINVAL);
	ck_assert_int_eq(pm_billing_import_sts_tids(b, T_JAN, (const uint32_t[]){1u << 24}, 1, &e),
			 -EINVAL);
	ck_assert_int_eq(pm_billing_import_sts_tids(b, T_JAN, replaced, 3, &e), 0);
	pm_billing_free(b);
	/* kept in the store */
	b = open_sts(gbp);
	pm_billing_get_sts_setup(b, &has, &got);
	ck_assert(got.sgc == 123456 && got.krn == 2 && got.base == STS_BASE_2014);
	for (size_t i = 0; i < 3; i++) {
		penny(DK, replaced[i], text);
		ck_assert_int_eq(enter_at(b, T_JAN + (int64_t)i * 600 * S, text, &credit, &e),
				 -EALREADY);
	}
	penny(DK, 4999, text);
	ck_assert_int_eq(enter_at(b, T_JAN + 1800 * S, text, &credit, &e), -ESTALE);
	penny(DK, 5500, text);
	ck_assert_int_eq(enter_at(b, T_JAN + 2400 * S, text, &credit, &e), 0);
	ck_assert_int_eq(balance(b), 1000);
	/* a token was entered: the base date stays */
	bad = setup;
	bad.base = STS_BASE_1993;
	ck_assert_int_eq(pm_billing_set_sts_setup(b, T_JAN, &bad, &e), -EPERM);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_REFUSED);
	pm_billing_get_sts_setup(b, &has, &got);
	ck_assert_int_eq(got.base, STS_BASE_2014);
	/* the key expiry number applies (prepay-sts.md §1.3): TID 6000000 >> 16 = 91 > KEN 90 */
	bad = setup;
	bad.ken = 90;
	ck_assert_int_eq(pm_billing_set_sts_setup(b, T_JAN, &bad, &e), 0);
	penny(DK, 6000000, text);
	ck_assert_int_eq(enter_at(b, T_JAN + 3000 * S, text, &credit, &e), -EKEYEXPIRED);
	penny(DK, 5900000, text); /* 5900000 >> 16 = 90: not expired */
	ck_assert_int_eq(enter_at(b, T_JAN + 3600 * S, text, &credit, &e), 0);
	pm_billing_free(b);
}
END_TEST

/*
 * The channel a token came through (issue 13): the DLMS token gateway's entries
 * (pm_billing_token_via, ACCOUNT_PAYMENT_DLMS) and D-Bus's (pm_billing_token) take the one path
 * and its TID memory; the payment log and the events name the channel, and the log's "dlms"
 * entry survives a restart (the stored record is checked field by field when read back).
 * 1.00 GBP vended = 100004 counts = 100 p = 100000 mu (as test_currency_token_in_pounds).
 */
START_TEST(test_token_channel_in_payment_log)
{
	struct pm_billing *b = open_sts(gbp);
	char dlms[STS_TOKEN_TEXT_LEN], dbus[STS_TOKEN_TEXT_LEN];
	struct pm_billing_error e;
	struct pm_billing_view v;
	struct sts_result res;
	int64_t credit;

	credit_token(4, 3000, 100000, dlms);
	credit_token(4, 3001, 100000, dbus);
	ck_assert_int_eq(
	    pm_billing_token_via(b, T_JAN, dlms, ACCOUNT_PAYMENT_DLMS, &credit, &res, &e), 0);
	ck_assert_int_eq(credit, 100000);
	ck_assert_str_eq(pm_billing_token_kind(res.action), "credit");
	ck_assert_ptr_nonnull(strstr(last_event("sts_credit"), "channel=dlms"));
	ck_assert_int_eq(enter(b, dbus, &credit, &e), 0);
	ck_assert_ptr_nonnull(strstr(last_event("sts_credit"), "channel=token"));
	/* the DLMS token again on D-Bus, the D-Bus one again on DLMS: both used */
	ck_assert_int_eq(enter(b, dlms, &credit, &e), -EALREADY);
	ck_assert_int_eq(
	    pm_billing_token_via(b, T_JAN, dbus, ACCOUNT_PAYMENT_DLMS, &credit, &res, &e),
	    -EALREADY);
	ck_assert_str_eq(pm_billing_token_refusal(&e, &res), "used");
	ck_assert_ptr_nonnull(strstr(last_event("token_refused"), "reason=used channel=dlms"));
	pm_billing_view(b, T_JAN, &v);
	ck_assert_uint_eq(v.n_payments, 2);
	ck_assert_int_eq(v.payments[0].method, ACCOUNT_PAYMENT_TOKEN);
	ck_assert_int_eq(v.payments[1].method, ACCOUNT_PAYMENT_DLMS);
	ck_assert_str_eq(pm_billing_method_name(v.payments[1].method), "dlms");
	ck_assert_int_eq(v.regs.balance_mu, 200000);
	pm_billing_free(b);

	b = open_sts(gbp);
	pm_billing_view(b, T_JAN, &v);
	ck_assert_uint_eq(v.n_payments, 2);
	ck_assert_int_eq(v.payments[1].method, ACCOUNT_PAYMENT_DLMS);
	ck_assert_int_eq(v.regs.balance_mu, 200000);
	pm_billing_free(b);
}
END_TEST

/*
 * Management tokens act (prepay-sts.md §1.8), with the STS 531 vectors of §2.3 for PAN
 * 600727000000000009 (DK e653341f9d5bf36f): CTSA03 sets the maximum power to 1000 W (the load
 * limit), CTSA04 clears the credit (all registers: the 5.00 GBP balance to zero), CTSA06 clears
 * tamper, CTSA07 sets a phase unbalance limit of 10 W (logged); each once. A vended limit of
 * 30000 W is capped at the account's 24000 W.
 */
START_TEST(test_management_tokens_act)
{
	struct pm_billing *b = open_key(true, UINT64_C(0xe653341f9d5bf36f));
	char text[STS_TOKEN_TEXT_LEN];
	struct account_config c;
	struct pm_billing_error e;
	struct sts_result res;
	uint16_t field;
	int64_t credit;

	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 500000, "r1", ACCOUNT_PAYMENT_LOCAL, &e), 0);
	ck_assert_int_eq(pm_billing_token(b, T_JAN, "50901894209860263092", &credit, &res, &e), 0);
	ck_assert_int_eq(res.action, STS_ACTION_MANAGEMENT);
	pm_billing_get_config(b, &c);
	ck_assert_uint_eq(c.load_limit_w, 1000);
	ck_assert_ptr_nonnull(strstr(last_event("sts_max_power"), "limit_w=1000"));
	ck_assert_int_eq(enter(b, "29511990995826640868", &credit, &e), 0);
	ck_assert_int_eq(balance(b), 0);
	ck_assert_ptr_nonnull(strstr(last_event("sts_clear_credit"), "register=all cleared=5.00"));
	ck_assert_int_eq(enter(b, "37037300014464855694", &credit, &e), 0);
	ck_assert_ptr_nonnull(last_event("sts_clear_tamper"));
	/* CTSA07: 2/6, a phase power unbalance limit of 10 W (IEC 62055-41 §6.3.10), acted on:
	 * 10 W of unbalance is at the limit; 11 W for the period 2/0 set (60 s) opens the supply */
	ck_assert_int_eq(enter(b, "30220533115430798647", &credit, &e), 0);
	pm_billing_get_config(b, &c);
	ck_assert_uint_eq(c.phase_unbalance_limit_w, 10);
	ck_assert_uint_eq(c.load_limit_period_s, 60);
	ck_assert_ptr_nonnull(strstr(last_event("sts_phase_unbalance"), "limit_w=10"));
	ck_assert_int_eq(pm_billing_topup(b, T_JAN, 500000, "r2", ACCOUNT_PAYMENT_LOCAL, &e), 0);
	pm_billing_set_phase_unbalance(b, 10);
	for (int64_t s = 0; s <= 120; s += 10)
		pm_billing_sample(b, T_JAN + s * S, true, 0, 0, 0, false);
	ck_assert_ptr_null(last_event("phase_unbalance_tripped"));
	pm_billing_set_phase_unbalance(b, 11);
	for (int64_t s = 130; s < 190; s += 10)
		pm_billing_sample(b, T_JAN + s * S, true, 0, 0, 0, false);
	ck_assert_ptr_null(last_event("phase_unbalance_tripped"));   /* 50 s over */
	pm_billing_sample(b, T_JAN + 190 * S, true, 0, 0, 0, false); /* 60 s over: trips */
	ck_assert_ptr_nonnull(strstr(last_event("phase_unbalance_tripped"), "unbalance_w=11"));
	ck_assert_ptr_nonnull(strstr(last_event("supply_opened"), "reason=load-limit"));
	ck_assert_int_eq(enter(b, "50901894209860263092", &credit, &e), -EALREADY);
	ck_assert_int_eq(sts_amount_encode(30000, &field), 0);
	ck_assert_int_eq(
	    sts_encode(2, 0, sts_middle_tid(5, 6000000, field), UINT64_C(0xe653341f9d5bf36f), text),
	    0);
	ck_assert_int_eq(enter(b, text, &credit, &e), 0);
	pm_billing_get_config(b, &c);
	ck_assert_uint_eq(c.load_limit_w, 24000);
	ck_assert_ptr_nonnull(strstr(last_event("sts_max_power"), "capped"));
	pm_billing_free(b);
}
END_TEST

/* A prepayment meter @meter keeping its credit in kWh (account_unit = kwh), decoder key @dk. */
static struct pm_billing *open_energy(const char *meter, uint64_t dk)
{
	struct pm_billing_config cfg = {.meter = meter,
					.time_zone = "UTC",
					.tariff_file = "",
					.energy_account = true,
					.sts = true,
					.sts_dk = dk,
					.save_interval_ns = 60 * S};
	struct pm_billing *b;
	char err[320];

	account_config_default(&cfg.account);
	cfg.account.mode = ACCOUNT_MODE_PREPAYMENT;
	ck_assert_int_eq(pm_billing_new(&cfg, store, T_JAN, &b, err, sizeof(err)), 0);
	pm_billing_set_hooks(b, NULL, on_event, NULL);
	return b;
}

#define DK_PAN1 UINT64_C(0xe653341f9d5bf36f) /* PAN 600727000000000009, prepay-sts.md §2.3 */
#define WH (INT64_C(1000))		     /* mu per Wh in the kWh account: 1 mu = 1 mWh */

/*
 * The energy-denominated account (seed 002, "STS prepaid (kWh)"): credit in kWh, 1 mu = 1 mWh.
 * A kWh token credits kWh (vector Nectar_1 step1: field 0x000a = 10 x 0.1 kWh = 1 kWh); use
 * takes kWh (400 Wh); emergency credit (2 kWh offered below 1 kWh), the low-credit warning
 * (0.5 kWh) and the supply decision work in kWh; a currency token and a tariff are refused.
 */
START_TEST(test_kwh_account)
{
	struct pm_billing *b = open_energy("m1", DK_PAN1);
	char text[STS_TOKEN_TEXT_LEN];
	struct pm_billing_view v;
	struct pm_billing_error e;
	struct account_config c;
	int64_t credit, t = T_JAN;

	pm_billing_view(b, t, &v);
	ck_assert_str_eq(v.currency, "KWH");
	ck_assert_int_eq(v.minor_units, 3);
	ck_assert_int_eq(enter(b, "66475648316756821785", &credit, &e), 0);
	ck_assert_int_eq(credit, 1000 * WH);
	ck_assert_int_eq(balance(b), 1000 * WH);
	/* 400 Wh used: 1000 - 400 = 600 Wh left */
	pm_billing_sample(b, t, true, 0, 0, 400, false);
	t += 3600 * S;
	pm_billing_sample(b, t, true, 400 * 1000, 0, 400, false);
	ck_assert_int_eq(balance(b), 600 * WH);
	/* the settings in kWh: EC 2 kWh offered below 1 kWh, low credit below 0.5 kWh */
	pm_billing_get_config(b, &c);
	c.ec_enabled = true;
	c.ec_value_mu = 2000 * WH;
	c.ec_threshold_mu = 1000 * WH;
	c.low_credit_threshold_mu = 500 * WH;
	ck_assert_int_eq(pm_billing_configure(b, t, &c, &e), 0);
	/* 200 Wh more: 400 Wh left, below the low-credit level */
	t += 1800 * S;
	pm_billing_sample(b, t, true, 600 * 1000, 0, 400, false);
	ck_assert_int_eq(balance(b), 400 * WH);
	ck_assert_ptr_nonnull(last_event("low_credit"));
	ck_assert_int_eq(pm_billing_take_emergency_credit(b, t, true, &e), 0);
	pm_billing_view(b, t, &v);
	ck_assert_int_eq(v.regs.available_credit_mu, (400 + 2000) * WH);
	ck_assert(v.supply.closed);
	/* 2.4 kWh more uses it all: the supply opens */
	t += 6 * 3600 * S;
	pm_billing_sample(b, t, true, 3000 * 1000, 0, 400, false);
	pm_billing_view(b, t, &v);
	ck_assert_int_le(v.regs.available_credit_mu, 0);
	ck_assert(!v.supply.closed);
	/* money does not belong here */
	ck_assert_int_eq(sts_encode(0, 4, sts_middle_tid(5, 6000000, 1000), DK_PAN1, text), 0);
	ck_assert_int_eq(enter_at(b, t, text, &credit, &e), -ENOTSUP);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_TOKEN_UNIT);
	ck_assert_int_eq(pm_billing_set_tariff(b, t, "{}", &e), -EPERM);
	ck_assert_int_eq(e.kind, PM_BILLING_ERR_REFUSED);
	pm_billing_free(b);
}
END_TEST

/*
 * The STS vectors of sts_test_vectors.tsv (../shared/reference, Nectar_1: DK e653341f9d5bf36f,
 * base 1993) through the daemon's token path into a kWh account, in the file's order: every
 * electricity token credits the amount its row states (counts x 0.1 kWh = counts x 100 Wh),
 * once; water and gas tokens are refused as another utility's; step12A carries the TID of
 * step5B (6472020), so it is refused as already used. Entered 601 s apart (no entry session
 * holds five refusals). Then every electricity token again: each refused as used.
 */
static const struct {
	const char *token;
	unsigned subclass;
	uint32_t tid;
	uint32_t counts; /* the row's "field encodes N x 0.1" */
} vectors[] = {
    {"66475648316756821785", 0, 5944921, 10},	    /* step1Test */
    {"26436017448909825227", 1, 5944921, 10},	    /* step1ATest */
    {"47052671496957348697", 2, 5944921, 10},	    /* step1BTest */
    {"14605694188309739537", 1, 5988122, 163834},   /* step2CTSA20Test */
    {"36924780240841024731", 0, 5988122, 163834},   /* step2ACTSA20Test */
    {"62668783003252886770", 2, 5988122, 163834},   /* step2BCTSA20Test */
    {"11019866711865218477", 2, 6470523, 163844},   /* step3CTSA20Test */
    {"65724708343212635258", 0, 6470523, 163844},   /* step3ACTSA20Test */
    {"43068373842621717515", 1, 6470523, 163844},   /* step3BCTSA20Test */
    {"42371551666535254341", 0, 6471964, 1802324},  /* step4CTSA20Test */
    {"08160869283280106226", 1, 6471964, 1802324},  /* step4ACTSA20Test */
    {"67143373817426898432", 2, 6471964, 1802324},  /* step4BCTSA20Test */
    {"70363045748300344617", 1, 6472020, 18186624}, /* step5CTSA20Test */
    {"49261723634786610437", 2, 6472020, 18186624}, /* step5ACTSA20Test */
    {"18009632033176370418", 0, 6472020, 18186624}, /* step5BCTSA20Test */
    {"72349224775172357552", 2, 6472021, 18201624}, /* step6CTSA20Test */
    {"12805131357955755939", 0, 6472021, 18201624}, /* step6ACTSA20Test */
    {"39576835911798786718", 1, 6472021, 18201624}, /* step6BCTSA20Test */
    {"57144000167239742426", 0, 6472022, 1820624},  /* step7CTSA20Test */
    {"65588636375882192986", 1, 6472022, 1820624},  /* step7ACTSA20Test */
    {"41109480379913866024", 2, 6472022, 1820624},  /* step7BCTSA20Test */
    {"70308691906921010309", 1, 6472023, 1235524},  /* step8CTSA20Test */
    {"11142952395253308689", 2, 6472023, 1235524},  /* step8ACTSA20Test */
    {"37909354224671858723", 0, 6472023, 1235524},  /* step8BCTSA20Test */
    {"45753099596249311388", 2, 6472024, 17634624}, /* step9CTSA20Test */
    {"26262948009387340368", 1, 6472024, 17634624}, /* step9ACTSA20Test */
    {"71777743993390229056", 0, 6472024, 17634624}, /* step9BCTSA20Test */
    {"73561917813841338074", 0, 6472025, 147824},   /* step10CTSA20Test */
    {"67036392399646087418", 1, 6472025, 147824},   /* step10ACTSA20Test */
    {"07128729223928426985", 2, 6472025, 147824},   /* step10BCTSA20Test */
    {"73508892949665105367", 1, 6472570, 18},	    /* step11CTSA20Test */
    {"58652293903821551890", 2, 6472570, 18},	    /* step11ACTSA20Test */
    {"55160880109952893498", 0, 6472570, 18},	    /* step11BCTSA20Test */
    {"48655865329762276574", 2, 6472020, 189824},   /* step12CTSA20Test */
    {"43183161221229495584", 0, 6472020, 189824},   /* step12ACTSA20Test */
    {"51607171463000835171", 1, 6472020, 189824},   /* step12BCTSA20Test */
    {"62624214800861085936", 0, 6472572, 18974},    /* step13CTSA20Test */
    {"73238915881253767035", 1, 6472572, 18974},    /* step13ACTSA20Test */
    {"60785799035261648393", 2, 6472572, 18974},    /* step13BCTSA20Test */
    {"41347338266226172225", 1, 6472574, 108974},   /* step14CTSA20Test */
    {"08032634883920046224", 0, 6472574, 108974},   /* step14ACTSA20Test */
    {"32685870760859080983", 2, 6472574, 108974},   /* step14BCTSA20Test */
    {"20191987725982752848", 2, 6501375, 5},	    /* step15CTSA20Test */
    {"28370771280824040728", 1, 6501375, 5},	    /* step15ACTSA20Test */
    {"05983059757600918504", 0, 6501375, 5},	    /* step15BCTSA20Test */
};

START_TEST(test_sts_vectors_through_token_path)
{
	struct pm_billing *b = open_energy("m1", DK_PAN1);
	const size_t n = sizeof(vectors) / sizeof(vectors[0]);
	struct pm_billing_error e;
	struct account_config c;
	int64_t credit, t = T_JAN, expect = 0;

	ck_assert_uint_eq(n, 45);
	/* room for 1.8 million kWh tokens: the largest balance the engine holds */
	pm_billing_get_config(b, &c);
	c.max_balance_mu = ACCOUNT_BALANCE_BOUND_MU;
	ck_assert_int_eq(pm_billing_configure(b, t, &c, &e), 0);
	for (size_t i = 0; i < n; i++, t += 601 * S) {
		int r = enter_at(b, t, vectors[i].token, &credit, &e);

		if (vectors[i].subclass != 0) {
			ck_assert_int_eq(r, -ENOTSUP);
			ck_assert_int_eq(e.kind, PM_BILLING_ERR_TOKEN_UTILITY);
		} else if (vectors[i].tid == 6472020 && vectors[i].counts == 189824) {
			ck_assert_int_eq(r, -EALREADY); /* step12A: step5B's TID */
		} else {
			ck_assert_msg(r == 0, "vector %zu: %s", i, e.message);
			ck_assert_int_eq(credit, (int64_t)vectors[i].counts * 100 * WH);
			expect += credit;
		}
		ck_assert_int_eq(balance(b), expect);
	}
	/* the sum of the 14 credited rows: 59 484 827 counts x 100 Wh */
	ck_assert_int_eq(expect, INT64_C(59484827) * 100 * WH);
	for (size_t i = 0; i < n; i++, t += 601 * S) {
		if (vectors[i].subclass != 0)
			continue;
		ck_assert_int_eq(enter_at(b, t, vectors[i].token, &credit, &e), -EALREADY);
	}
	ck_assert_int_eq(balance(b), expect);
	pm_billing_free(b);
}
END_TEST

/* The token path's events go to the DLMS token and credit log (docs/dlms-profiles.md). */
START_TEST(test_token_events_in_credit_log)
{
	enum pm_cosem_profile log = PM_COSEM_STANDARD_EVENTS;
	uint16_t code = 0;

	pm_cosem_event_classify("token_refused", "reason=invalid", &log, &code);
	ck_assert_int_eq(log, PM_COSEM_CREDIT_EVENTS);
	ck_assert_uint_eq(code, 1407);
	pm_cosem_event_classify("token_entry_locked", "until=2026-01-05 16:00", &log, &code);
	ck_assert_uint_eq(code, 1408);
	pm_cosem_event_classify("sts_management", "subclass=6", &log, &code);
	ck_assert_int_eq(log, PM_COSEM_CREDIT_EVENTS);
	ck_assert_uint_eq(code, 1416);
}
END_TEST

static Suite *billing_token_suite(void)
{
	Suite *s = suite_create("billing_token");
	TCase *tc = tcase_create("billing_token");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_currency_token_in_pounds);
	tcase_add_test(tc, test_currency_token_in_yen);
	tcase_add_test(tc, test_currency_token_in_fils);
	tcase_add_test(tc, test_currency_token_below_minor_unit_refused);
	tcase_add_test(tc, test_other_utilities_refused);
	tcase_add_test(tc, test_kwh_token_in_currency_account_refused);
	tcase_add_test(tc, test_lockout_until_next_local_hour);
	tcase_add_test(tc, test_lockout_until_next_day);
	tcase_add_test(tc, test_decoder_key_applies_and_is_replaced);
	tcase_add_test(tc, test_sts_setup_and_tid_import);
	tcase_add_test(tc, test_management_tokens_act);
	tcase_add_test(tc, test_token_channel_in_payment_log);
	tcase_add_test(tc, test_kwh_account);
	tcase_add_test(tc, test_sts_vectors_through_token_path);
	tcase_add_test(tc, test_token_events_in_credit_log);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(billing_token_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
