/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the account engine (daemon/core/billing/account*.c).
 * Longer than 800 lines because a test file covers one unit (tests/unit has one file a unit)
 * and each of this unit's rules has its own short test.
 *
 * Money in mu: 1 p = 1000 mu, 1.00 (pound) = 100 000 mu. Every expected value is worked out by
 * hand in the comment beside it. The clock starts at T0 = 1 699 488 000 s = 2023-11-09 00:00 UTC,
 * a Thursday (T0 = 2810 x 604 800 s, a multiple of 6048 s since 1970: debt instalments count
 * from when the debt is set, not from that grid). Local time = UTC in these tests. "§" cites the
 * UK prepayment meter manual (docs/account.md).
 */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/billing/account.h"

#define T0 INT64_C(1699488000)
#define HOUR 3600
#define DAY 86400
#define P(pence) ((int64_t)(pence)*1000)       /* pence to mu */
#define GBP(pounds) ((int64_t)(pounds)*100000) /* whole pounds to mu */
#define THURSDAY 3

static struct account_time at(int64_t utc)
{
	struct account_time t = {.utc = utc};
	t.local_day = (int32_t)(utc / DAY);
	t.weekday = (uint8_t)((utc / DAY + 3) % 7); /* 1970-01-01 was a Thursday (3) */
	t.second_of_day = (uint32_t)(utc % DAY);
	return t;
}

static unsigned count_events(const struct account_output *out, enum account_event_type type)
{
	unsigned n = 0;
	for (unsigned i = 0; i < out->n_events; i++)
		n += out->events[i].type == type;
	return n;
}

static const struct account_event *find_event(const struct account_output *out,
					      enum account_event_type type)
{
	for (unsigned i = 0; i < out->n_events; i++)
		if (out->events[i].type == type)
			return &out->events[i];
	return NULL;
}

/* A fresh account at T0 in the given mode; other settings at their defaults. */
static void new_account(struct account *acc, enum account_mode mode)
{
	struct account_output out;
	struct account_time now = at(T0);

	memset(acc, 0, sizeof(*acc));
	ck_assert_int_eq(account_init(acc, &now, &out), 0);
	ck_assert_int_eq(account_set_mode(acc, &now, mode, &out), 0);
}

static void configure(struct account *acc, const struct account_config *config)
{
	struct account_output out;
	struct account_time now = at(acc->last_utc);
	ck_assert_int_eq(account_configure(acc, &now, config, &out), 0);
}

/* Prepayment with EC threshold 1.00 and value 5.00 (a typical UK meter, smaller numbers). */
static void new_ec_account(struct account *acc)
{
	new_account(acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc->config;
	c.ec_enabled = true;
	c.ec_threshold_mu = GBP(1);
	c.ec_value_mu = GBP(5);
	configure(acc, &c);
}

static void topup(struct account *acc, int64_t utc, int64_t value, struct account_output *out)
{
	struct account_time now = at(utc);
	ck_assert_int_eq(account_topup(acc, &now, value, ACCOUNT_PAYMENT_LOCAL, out), 0);
}

static void charge(struct account *acc, int64_t utc, int64_t amount, struct account_output *out)
{
	struct account_time now = at(utc);
	ck_assert_int_eq(account_charge(acc, &now, amount, out), 0);
}

static void tick(struct account *acc, int64_t utc, struct account_output *out)
{
	struct account_time now = at(utc);
	ck_assert_int_eq(account_tick(acc, &now, out), 0);
}

/* EC account with balance 0.40 and EC taken at the meter: available 0.40 + 5.00 = 5.40. */
static void ec_taken_at_040(struct account *acc)
{
	struct account_output out;
	struct account_time now = at(T0 + 60);

	new_ec_account(acc);
	topup(acc, T0 + 10, P(40), &out);
	ck_assert_int_eq(acc->ec_state, ACCOUNT_EC_AVAILABLE);
	ck_assert_int_eq(account_take_emergency_credit(acc, &now, true, &out), 0);
}

/* ---- modes, balance, payments ------------------------------------------------------------ */

START_TEST(test_init_defaults)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0);

	ck_assert_int_eq(account_init(&acc, &now, &out), 0);
	ck_assert_int_eq(acc.config.mode, ACCOUNT_MODE_CREDIT);
	ck_assert_int_eq(acc.balance_mu, 0);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
	ck_assert(account_supply(&acc).closed);
	ck_assert_uint_eq(out.n_events, 0);
}
END_TEST

START_TEST(test_topup_adds_logs_and_counts)
{
	struct account acc;
	struct account_output out;
	struct account_payment p;
	struct account_time now = at(T0 + 100);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	ck_assert_int_eq(account_topup(&acc, &now, GBP(10), ACCOUNT_PAYMENT_TOKEN, &out), 0);
	ck_assert_int_eq(acc.balance_mu, 1000000); /* 10.00 = 1000 p = 1 000 000 mu */
	ck_assert_int_eq(acc.total_credit_mu, 1000000);
	ck_assert_uint_eq(acc.payment_count, 1);
	ck_assert(account_payment_at(&acc, 0, &p));
	ck_assert_int_eq(p.utc, T0 + 100);
	ck_assert_int_eq(p.value_mu, 1000000);
	ck_assert_int_eq(p.method, ACCOUNT_PAYMENT_TOKEN);
	ck_assert(!account_payment_at(&acc, 1, &p));
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_PAYMENT_ACCEPTED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->value, 1000000);
}
END_TEST

START_TEST(test_payment_log_keeps_last_20)
{
	struct account acc;
	struct account_output out;
	struct account_payment p;

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	for (int i = 1; i <= 25; i++) /* top-ups of 1 p, 2 p, ..., 25 p */
		topup(&acc, T0 + i, P(i), &out);
	ck_assert_uint_eq(acc.payment_count, 25);
	ck_assert_uint_eq(acc.payment_log_len, 20);
	ck_assert(account_payment_at(&acc, 0, &p));
	ck_assert_int_eq(p.value_mu, P(25)); /* newest */
	ck_assert(account_payment_at(&acc, 19, &p));
	ck_assert_int_eq(p.value_mu, P(6)); /* oldest kept: 25 - 19 = 6 */
	ck_assert(!account_payment_at(&acc, 20, &p));
	/* 1 + 2 + ... + 25 = 25 x 26 / 2 = 325 p */
	ck_assert_int_eq(acc.total_credit_mu, P(325));
	ck_assert_int_eq(acc.balance_mu, P(325));
}
END_TEST

START_TEST(test_total_credit_rolls_over)
{
	struct account acc;
	struct account_output out;

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	acc.total_credit_mu = ACCOUNT_TOTAL_CREDIT_ROLLOVER_MU - 500;
	topup(&acc, T0 + 1, P(1), &out);
	/* (1e15 - 500) + 1000 = 1e15 + 500 -> rolls over to 500 */
	ck_assert_int_eq(acc.total_credit_mu, 500);
}
END_TEST

START_TEST(test_credit_mode_never_disconnects)
{
	struct account acc;
	struct account_output out;

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	charge(&acc, T0 + 10, GBP(50), &out);
	ck_assert_int_eq(acc.balance_mu, -GBP(50)); /* 0 - 50.00 */
	ck_assert(account_supply(&acc).closed);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_SUPPLY_OPENED), 0);
}
END_TEST

START_TEST(test_prepayment_disconnects_below_zero)
{
	struct account acc;
	struct account_output out;

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	topup(&acc, T0 + 1, GBP(1), &out);
	charge(&acc, T0 + 2, GBP(1), &out);
	ck_assert_int_eq(acc.balance_mu, 0); /* 1.00 - 1.00: zero is not below zero */
	ck_assert(account_supply(&acc).closed);
	charge(&acc, T0 + 3, P(1), &out);
	ck_assert_int_eq(acc.balance_mu, -P(1)); /* 0 - 0.01 */
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_OUT_OF_CREDIT);
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_SUPPLY_OPENED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->reason, ACCOUNT_REASON_OUT_OF_CREDIT);
}
END_TEST

START_TEST(test_payg_disconnects_below_debt_limit)
{
	struct account acc;
	struct account_output out;

	new_account(&acc, ACCOUNT_MODE_PAYG);
	struct account_config c = acc.config;
	c.payg_debt_limit_mu = -GBP(5);
	configure(&acc, &c);
	charge(&acc, T0 + 1, GBP(5), &out);
	ck_assert_int_eq(acc.balance_mu, -GBP(5)); /* at the limit: still on */
	ck_assert(account_supply(&acc).closed);
	charge(&acc, T0 + 2, P(1), &out); /* -5.01 < -5.00 */
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_OUT_OF_CREDIT);
}
END_TEST

/*
 * One rule at exactly zero (account.h): the manual's "falls below a zero value" (§4.6.2), so a
 * balance of exactly 0.00 is in credit for the supply, for debt collection option B ("halted
 * when the meter runs out of prepaid credit", §8.10) and for a low-credit warning at 0.00.
 */
START_TEST(test_zero_is_in_credit_everywhere)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 20);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc.config;
	c.low_credit_threshold_mu = 0;
	c.debt_weekly_rate_mu = GBP(10); /* 0.10 an instalment */
	c.debt_collection = ACCOUNT_DEBT_HALT_OUT_OF_CREDIT;
	configure(&acc, &c);
	topup(&acc, T0 + 1, GBP(1), &out);
	charge(&acc, T0 + 2, GBP(1), &out); /* 1.00 - 1.00 = 0.00 */
	ck_assert_int_eq(acc.balance_mu, 0);
	ck_assert(account_supply(&acc).closed);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_LOW_CREDIT), 0);
	ck_assert_int_eq(account_set_debt(&acc, &now, GBP(1), 0, &out), 0);
	tick(&acc, T0 + 20 + 2 * ACCOUNT_INSTALMENT_S, &out);
	/* the first instalment at 0.00 is collected: -0.10, which is below zero everywhere: the
	 * supply opens, the warning sounds, the second instalment is halted */
	ck_assert_int_eq(acc.balance_mu, -P(10));
	ck_assert_int_eq(acc.time_debt_mu, GBP(1) - P(10));
	ck_assert(!account_supply(&acc).closed);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_LOW_CREDIT), 1);
	/* a top-up of exactly the debt brings it back to 0.00: in credit again (§4.6.2: "a
	 * payment ... to suffice any negative balance") */
	topup(&acc, T0 + 30 + 2 * ACCOUNT_INSTALMENT_S, P(10), &out);
	ck_assert_int_eq(acc.balance_mu, 0);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_AWAITING_CONFIRMATION);
}
END_TEST

START_TEST(test_payg_debt_limit_range)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0);

	new_account(&acc, ACCOUNT_MODE_PAYG);
	struct account_config c = acc.config;
	c.payg_debt_limit_mu = -500 * GBP(1); /* -500 units: the lowest allowed */
	ck_assert_int_eq(account_configure(&acc, &now, &c, &out), 0);
	c.payg_debt_limit_mu = -500 * GBP(1) - 1; /* 1 mu beyond */
	ck_assert_int_eq(account_configure(&acc, &now, &c, &out), -ERANGE);
	ck_assert_ptr_nonnull(out.error);
	c.payg_debt_limit_mu = 1; /* a positive "debt limit" */
	ck_assert_int_eq(account_configure(&acc, &now, &c, &out), -ERANGE);
	ck_assert_int_eq(acc.config.payg_debt_limit_mu, -500 * GBP(1));
}
END_TEST

START_TEST(test_mode_switch_at_run_time)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 10);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	charge(&acc, T0 + 5, GBP(2), &out); /* bill of 2.00: balance -2.00, on in credit mode */
	ck_assert(account_supply(&acc).closed);
	ck_assert_int_eq(account_set_mode(&acc, &now, ACCOUNT_MODE_PREPAYMENT, &out), 0);
	ck_assert(!account_supply(&acc).closed); /* -2.00 < 0 in prepayment */
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_SUPPLY_OPENED), 1);
	/* back to credit: credit is no longer short, reconnection waits for the customer */
	ck_assert_int_eq(account_set_mode(&acc, &now, ACCOUNT_MODE_CREDIT, &out), 0);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_AWAITING_CONFIRMATION);
	ck_assert_int_eq(account_confirm(&acc, &now, &out), 0);
	ck_assert(account_supply(&acc).closed);
}
END_TEST

START_TEST(test_mode_switch_without_confirmation_closes_at_once)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 10);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc.config;
	c.credit_reconnect_needs_confirmation = false;
	configure(&acc, &c);
	charge(&acc, T0 + 5, P(1), &out); /* -0.01: open */
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_set_mode(&acc, &now, ACCOUNT_MODE_CREDIT, &out), 0);
	ck_assert(account_supply(&acc).closed);
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_SUPPLY_CLOSED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->reason, ACCOUNT_REASON_MODE_CHANGE);
}
END_TEST

START_TEST(test_topup_after_disconnection_arms_then_confirm_closes)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 30);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	charge(&acc, T0 + 10, P(50), &out); /* -0.50: open */
	topup(&acc, T0 + 20, GBP(10), &out);
	ck_assert_int_eq(acc.balance_mu, P(950)); /* -0.50 + 10.00 = 9.50 */
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_SUPPLY_ARMED), 1);
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_AWAITING_CONFIRMATION);
	ck_assert_int_eq(account_confirm(&acc, &now, &out), 0);
	ck_assert(account_supply(&acc).closed);
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_SUPPLY_CLOSED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->reason, ACCOUNT_REASON_CUSTOMER_CONFIRMATION);
}
END_TEST

START_TEST(test_topup_closes_at_once_without_confirmation)
{
	struct account acc;
	struct account_output out;

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc.config;
	c.credit_reconnect_needs_confirmation = false;
	configure(&acc, &c);
	charge(&acc, T0 + 10, P(50), &out); /* -0.50: open */
	topup(&acc, T0 + 20, GBP(1), &out); /* -0.50 + 1.00 = 0.50 */
	ck_assert(account_supply(&acc).closed);
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_SUPPLY_CLOSED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->reason, ACCOUNT_REASON_CREDIT_RESTORED);
}
END_TEST

START_TEST(test_topup_not_enough_stays_disconnected)
{
	struct account acc;
	struct account_output out;

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	charge(&acc, T0 + 10, GBP(3), &out); /* -3.00 */
	topup(&acc, T0 + 20, GBP(2), &out);  /* -3.00 + 2.00 = -1.00: still below zero */
	ck_assert_int_eq(acc.balance_mu, -GBP(1));
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_OUT_OF_CREDIT);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_SUPPLY_ARMED), 0);
}
END_TEST

START_TEST(test_cost_today_and_last_hour)
{
	struct account acc;
	struct account_output out;

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	charge(&acc, T0 + 100, GBP(1), &out);  /* minute 1 of the day */
	charge(&acc, T0 + 1900, GBP(2), &out); /* minute 31 */
	charge(&acc, T0 + 3700, GBP(4), &out); /* minute 61 */
	/* last hour at minute 61 = minutes 2..61: 2.00 + 4.00 = 6.00; today 1 + 2 + 4 = 7.00 */
	ck_assert_int_eq(account_cost_last_hour(&acc, T0 + 3700), GBP(6));
	ck_assert_int_eq(acc.cost_today_mu, GBP(7));
	/* two hours later nothing is left in the last hour */
	ck_assert_int_eq(account_cost_last_hour(&acc, T0 + 3700 + 2 * HOUR), 0);
	/* next local day: cost today restarts */
	charge(&acc, T0 + DAY + 5, P(30), &out);
	ck_assert_int_eq(acc.cost_today_mu, P(30));
	struct account_registers regs;
	account_read_registers(&acc, T0 + DAY + 5, &regs);
	ck_assert_int_eq(regs.cost_last_hour_mu, P(30));
	ck_assert_int_eq(regs.balance_mu, -(GBP(7) + P(30))); /* credit mode: -7.30 */
}
END_TEST

/*
 * A cost that accrued over a long interval (the energy counted while the daemon was stopped)
 * counts in the last hour only with the last hour's share (§8.5: "charges ... applied within
 * the last hour"). 36.00 over the 10 h from 00:00 to 10:00: the last hour's buckets are the
 * minute in progress (10:00, nothing of the interval) and the 59 before it (09:01-10:00, 3540 s):
 * 36.00 x 3540 / 36000 = 3.54.
 */
START_TEST(test_cost_over_a_long_interval)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 10 * HOUR);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	ck_assert_int_eq(account_charge_over(&acc, &now, GBP(36), T0, &out), 0);
	ck_assert_int_eq(account_cost_last_hour(&acc, T0 + 10 * HOUR), P(354));
	ck_assert_int_eq(acc.cost_today_mu, GBP(36)); /* all of it today */
	ck_assert_int_eq(acc.balance_mu, -GBP(36));
	/* 30 minutes later, minutes 09:31-10:30: 09:31-10:00 of it, 1740 s: 36.00 x 1740 /
	 * 36000 = 1.74 */
	ck_assert_int_eq(account_cost_last_hour(&acc, T0 + 10 * HOUR + 1800), P(174));
	/* an interval starting at or after now is a charge at now */
	ck_assert_int_eq(account_charge_over(&acc, &now, P(1), T0 + 10 * HOUR, &out), 0);
	ck_assert_int_eq(account_cost_last_hour(&acc, T0 + 10 * HOUR), P(355));
	struct account_time bad = now;
	ck_assert_int_eq(account_charge_over(&acc, &bad, P(1), -1, &out), -EINVAL);
}
END_TEST

/* A call dated before one already seen (a clock stepped back, an interval the adapter closes
 * after a power-up) does not start the earlier day again: it is charged today. */
START_TEST(test_cost_today_never_goes_back_a_day)
{
	struct account acc;
	struct account_output out;

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	charge(&acc, T0 + DAY + 60, GBP(1), &out);   /* 00:01 on the next day */
	charge(&acc, T0 + DAY - 60, P(50), &out);    /* dated 23:59 the day before */
	ck_assert_int_eq(acc.cost_today_mu, P(150)); /* 1.00 + 0.50, both today */
	ck_assert_int_eq(acc.balance_mu, -P(150));
}
END_TEST

/* ---- emergency credit (UK rules) --------------------------------------------------------- */

START_TEST(test_ec_offered_below_threshold)
{
	struct account acc;
	struct account_output out;

	new_ec_account(&acc);
	topup(&acc, T0 + 1, GBP(2), &out); /* 2.00 >= 1.00 threshold: not offered */
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
	charge(&acc, T0 + 2, GBP(1), &out); /* 1.00: not below 1.00 */
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
	charge(&acc, T0 + 3, P(60), &out); /* 0.40 < 1.00: offered */
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_AVAILABLE);
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_EC_AVAILABLE);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->value, GBP(5));
}
END_TEST

START_TEST(test_ec_take_adds_to_available_credit)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 60);

	new_ec_account(&acc);
	topup(&acc, T0 + 10, P(40), &out);
	ck_assert_int_eq(account_take_emergency_credit(&acc, &now, true, &out), 0);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_IN_USE);
	/* balance 0.40 + EC 5.00 = 5.40 */
	ck_assert_int_eq(account_available_credit(&acc), P(540));
	ck_assert_int_eq(acc.balance_mu, P(40));
	ck_assert_int_eq(acc.debt_to_clear_mu, 0); /* nothing spent yet */
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_EC_TAKEN), 1);
}
END_TEST

START_TEST(test_ec_not_available_refused_unchanged)
{
	struct account acc, copy;
	struct account_output out;
	struct account_time now = at(T0 + 60);

	new_ec_account(&acc);
	topup(&acc, T0 + 10, GBP(1), &out); /* 1.00, not below the threshold */
	memcpy(&copy, &acc, sizeof(acc));
	ck_assert_int_eq(account_take_emergency_credit(&acc, &now, true, &out), -EPERM);
	ck_assert_ptr_nonnull(out.error);
	ck_assert_uint_eq(out.n_events, 0);
	ck_assert_int_eq(memcmp(&copy, &acc, sizeof(acc)), 0);
}
END_TEST

START_TEST(test_ec_spending_builds_debt_to_clear)
{
	struct account acc;
	struct account_output out;

	ec_taken_at_040(&acc);
	charge(&acc, T0 + 100, GBP(1), &out);
	/* 0.40 from the balance, 0.60 from EC: balance 0, EC 5.00 - 0.60 = 4.40, owed 0.60 */
	ck_assert_int_eq(acc.balance_mu, 0);
	ck_assert_int_eq(acc.ec_remaining_mu, P(440));
	ck_assert_int_eq(acc.debt_to_clear_mu, P(60));
	ck_assert_int_eq(account_available_credit(&acc), P(440));
	ck_assert(account_supply(&acc).closed);
}
END_TEST

/* §8.8: "When Emergency Credit is exhausted, the main contactor will open and the Meter will
 * transfer the amount in the Debt to Clear register into the Present Balance register." */
START_TEST(test_ec_exhaustion_moves_debt_into_balance_and_opens)
{
	struct account acc;
	struct account_output out;

	ec_taken_at_040(&acc);
	charge(&acc, T0 + 100, P(540), &out); /* all of 5.40: 0.40 own, 5.00 of EC */
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_EXHAUSTED);
	ck_assert_int_eq(acc.ec_remaining_mu, 0);
	/* the 5.00 of EC spent moved from the debt to clear into the balance: 0 - 5.00 */
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
	ck_assert_int_eq(acc.balance_mu, -GBP(5));
	ck_assert_int_eq(account_available_credit(&acc), -GBP(5));
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_EC_EXHAUSTED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->value, GBP(5));
	/* -5.00 falls below zero (§4.6.2): the contactor opens */
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_OUT_OF_CREDIT);
}
END_TEST

START_TEST(test_ec_repaid_by_topup_then_reoffered)
{
	struct account acc;
	struct account_output out;

	ec_taken_at_040(&acc);
	charge(&acc, T0 + 100, P(541), &out);
	/* 0.40 own + 5.00 EC + 0.01 more: balance -0.01, then the 5.00 owed moves in: -5.01 */
	ck_assert_int_eq(acc.balance_mu, -P(501));
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
	topup(&acc, T0 + 200, GBP(10), &out);
	/* §8.8 "the value of debt must be repaid in full": -5.01 + 10.00 = 4.99; EC ends */
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
	ck_assert_int_eq(acc.balance_mu, P(499));
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
	ck_assert_int_eq(acc.ec_remaining_mu, 0);
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_DEBT_CLEARED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->debt, ACCOUNT_DEBT_TO_CLEAR);
	ck_assert_int_eq(ev->value, P(501)); /* the debt the balance showed */
	/* re-offer: spend 4.00 -> 0.99 < 1.00 */
	charge(&acc, T0 + 300, GBP(4), &out);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_AVAILABLE);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_EC_AVAILABLE), 1);
}
END_TEST

/* §8.8: "If credit is added which does not repay the debt value shown on the Present balance
 * register the meter will reduce the debt and not offer Emergency credit availability." */
START_TEST(test_ec_topup_not_clearing_debt_keeps_ec_withdrawn)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 400);

	ec_taken_at_040(&acc);
	charge(&acc, T0 + 100, P(541), &out); /* balance -5.01 (above), exhausted */
	topup(&acc, T0 + 200, GBP(3), &out);
	/* -5.01 + 3.00 = -2.01: still debt, still open, EC not offered */
	ck_assert_int_eq(acc.balance_mu, -P(201));
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_EXHAUSTED);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_EC_AVAILABLE), 0);
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_take_emergency_credit(&acc, &now, true, &out), -EPERM);
	ck_assert_ptr_nonnull(strstr(out.error, "exhausted"));
	/* the next 3.00: -2.01 + 3.00 = 0.99, debt repaid; 0.99 < 1.00: EC offered again */
	topup(&acc, T0 + 500, GBP(3), &out);
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
	ck_assert_int_eq(acc.balance_mu, P(99));
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_AVAILABLE);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_EC_AVAILABLE), 1);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_AWAITING_CONFIRMATION);
}
END_TEST

/*
 * §8.8 with a debt accrued in a friendly period (§8.6). Prepayment, EC 5.00 offered below
 * 1.00, friendly Thursday 00:00-09:30. Every register as §8.8 lays it out (the manual's
 * Present Balance is our available credit, §9.5):
 *   01:00 charge 2.00:  balance -2.00 (friendly: stays closed), EC offered (-2.00 < 1.00)
 *   02:00 take EC:      "reset and overwritten with the EC value. The Debt value will be written
 *                       into the Debt to clear register": balance 0, EC 5.00, available 5.00,
 *                       debt to clear 2.00 -- the whole 5.00 is spendable
 *   10:00 charge 4.99:  0.00 own, 4.99 of EC: EC 0.01, debt to clear 2.00 + 4.99 = 6.99,
 *                       available 0.01, supply closed (the period ended at 09:30)
 *   10:01 charge 0.01:  EC exhausted; 6.99 + 0.01 = 7.00 moves into the balance: -7.00, debt to
 *                       clear 0; the contactor opens
 *   10:02 top-up 3.00:  -7.00 + 3.00 = -4.00: EC not offered, still open
 *   10:03 top-up 4.00:  -4.00 + 4.00 = 0.00: the debt is repaid (zero is in credit, §4.6.2);
 *                       EC ends; 0.00 < 1.00 offers it again; supply armed for the customer
 */
static void friendly_ec_account(struct account *acc)
{
	new_ec_account(acc);
	struct account_config c = acc->config;
	c.friendly_count[THURSDAY] = 1;
	c.friendly[THURSDAY][0] = (struct account_friendly_period){.start_s = 0, .end_s = 34200};
	configure(acc, &c);
}

START_TEST(test_ec_taken_in_debt_whole_value_spendable)
{
	struct account acc;
	struct account_output out;
	struct account_time two = at(T0 + 2 * HOUR);
	struct account_registers r;

	friendly_ec_account(&acc);
	charge(&acc, T0 + HOUR, GBP(2), &out);
	ck_assert_int_eq(acc.balance_mu, -GBP(2));
	ck_assert(account_supply(&acc).closed); /* friendly */
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_AVAILABLE);
	ck_assert_int_eq(account_take_emergency_credit(&acc, &two, true, &out), 0);
	account_read_registers(&acc, T0 + 2 * HOUR, &r);
	ck_assert_int_eq(r.ec_state, ACCOUNT_EC_IN_USE);
	ck_assert_int_eq(r.balance_mu, 0);
	ck_assert_int_eq(r.ec_remaining_mu, GBP(5));
	ck_assert_int_eq(r.available_credit_mu, GBP(5));
	ck_assert_int_eq(r.debt_to_clear_mu, GBP(2));

	charge(&acc, T0 + 10 * HOUR, P(499), &out);
	account_read_registers(&acc, T0 + 10 * HOUR, &r);
	ck_assert_int_eq(r.balance_mu, 0);
	ck_assert_int_eq(r.ec_remaining_mu, P(1));
	ck_assert_int_eq(r.available_credit_mu, P(1));
	ck_assert_int_eq(r.debt_to_clear_mu, P(699));
	ck_assert(account_supply(&acc).closed);

	charge(&acc, T0 + 10 * HOUR + 60, P(1), &out);
	account_read_registers(&acc, T0 + 10 * HOUR + 60, &r);
	ck_assert_int_eq(r.ec_state, ACCOUNT_EC_EXHAUSTED);
	ck_assert_int_eq(r.balance_mu, -GBP(7));
	ck_assert_int_eq(r.available_credit_mu, -GBP(7));
	ck_assert_int_eq(r.ec_remaining_mu, 0);
	ck_assert_int_eq(r.debt_to_clear_mu, 0);
	ck_assert_int_eq(find_event(&out, ACCOUNT_EVENT_EC_EXHAUSTED)->value, GBP(7));
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_OUT_OF_CREDIT);
}
END_TEST

START_TEST(test_ec_exhausted_registers_after_topups)
{
	struct account acc;
	struct account_output out;
	struct account_time two = at(T0 + 2 * HOUR);
	struct account_registers r;

	friendly_ec_account(&acc);
	charge(&acc, T0 + HOUR, GBP(2), &out);
	ck_assert_int_eq(account_take_emergency_credit(&acc, &two, true, &out), 0);
	charge(&acc, T0 + 10 * HOUR, GBP(5), &out); /* all the EC: -7.00, exhausted */
	ck_assert_int_eq(acc.balance_mu, -GBP(7));

	topup(&acc, T0 + 10 * HOUR + 120, GBP(3), &out);
	account_read_registers(&acc, T0 + 10 * HOUR + 120, &r);
	ck_assert_int_eq(r.balance_mu, -GBP(4));
	ck_assert_int_eq(r.available_credit_mu, -GBP(4));
	ck_assert_int_eq(r.ec_state, ACCOUNT_EC_EXHAUSTED);
	ck_assert_int_eq(r.ec_remaining_mu, 0);
	ck_assert_int_eq(r.debt_to_clear_mu, 0);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_EC_AVAILABLE), 0);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_OUT_OF_CREDIT);

	topup(&acc, T0 + 10 * HOUR + 180, GBP(4), &out);
	account_read_registers(&acc, T0 + 10 * HOUR + 180, &r);
	ck_assert_int_eq(r.balance_mu, 0);
	ck_assert_int_eq(r.available_credit_mu, 0);
	ck_assert_int_eq(r.debt_to_clear_mu, 0);
	ck_assert_int_eq(r.ec_state, ACCOUNT_EC_AVAILABLE);
	ck_assert_int_eq(find_event(&out, ACCOUNT_EVENT_DEBT_CLEARED)->value, GBP(4));
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_AWAITING_CONFIRMATION);
	ck_assert_uint_eq(r.payment_count, 2);
	ck_assert_int_eq(r.total_credit_mu, GBP(7)); /* 3.00 + 4.00, all of both payments */
}
END_TEST

/* §4.6.4: "Emergency credit operation is disabled by configuration when using the PAYG mode". */
START_TEST(test_ec_never_offered_in_payg)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 100);

	new_ec_account(&acc); /* prepayment at 0.00 < 1.00: offered */
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_AVAILABLE);
	ck_assert_int_eq(account_set_mode(&acc, &now, ACCOUNT_MODE_PAYG, &out), 0);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE); /* the offer is withdrawn */
	charge(&acc, T0 + 200, GBP(3), &out); /* -3.00, below the 0.00 limit: still no EC */
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_EC_AVAILABLE), 0);
	struct account copy = acc;
	struct account_time later = at(T0 + 300);
	ck_assert_int_eq(account_take_emergency_credit(&acc, &later, true, &out), -EPERM);
	ck_assert_ptr_nonnull(strstr(out.error, "PAYG"));
	ck_assert_int_eq(memcmp(&copy, &acc, sizeof(acc)), 0);
}
END_TEST

START_TEST(test_ec_partial_topup_while_in_use_keeps_ec_in_use)
{
	struct account acc;
	struct account_output out;

	ec_taken_at_040(&acc);
	charge(&acc, T0 + 100, GBP(1), &out); /* balance 0, EC 4.40, owed 0.60 */
	topup(&acc, T0 + 200, P(50), &out);
	/* 0.50 repays: owed 0.10; EC stays in use with 4.40; available 0 + 4.40 */
	ck_assert_int_eq(acc.debt_to_clear_mu, P(10));
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_IN_USE);
	ck_assert_int_eq(acc.ec_remaining_mu, P(440));
	ck_assert_int_eq(account_available_credit(&acc), P(440));
	ck_assert_int_eq(acc.balance_mu, 0);
}
END_TEST

START_TEST(test_ec_unspent_is_withdrawn_on_topup)
{
	struct account acc;
	struct account_output out;

	ec_taken_at_040(&acc);
	topup(&acc, T0 + 100, GBP(10), &out);
	/* nothing owed: 0.40 + 10.00 = 10.40; the unspent 5.00 EC is withdrawn */
	ck_assert_int_eq(acc.balance_mu, P(1040));
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
	ck_assert_int_eq(account_available_credit(&acc), P(1040));
}
END_TEST

START_TEST(test_ec_disabled_never_offered)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 100);

	new_ec_account(&acc);
	struct account_config c = acc.config;
	c.ec_enabled = false;
	configure(&acc, &c);
	charge(&acc, T0 + 10, P(1), &out); /* -0.01: out of credit, no EC */
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
	ck_assert_int_eq(account_take_emergency_credit(&acc, &now, true, &out), -EPERM);
	ck_assert_str_eq(out.error, "emergency credit is disabled");
}
END_TEST

START_TEST(test_ec_offer_withdrawn_when_disabled)
{
	struct account acc;
	struct account_output out;

	new_ec_account(&acc);
	topup(&acc, T0 + 10, P(40), &out);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_AVAILABLE);
	struct account_config c = acc.config;
	c.ec_enabled = false;
	configure(&acc, &c);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
}
END_TEST

START_TEST(test_ec_taken_at_meter_reconnects_at_once)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 100);

	new_ec_account(&acc);
	charge(&acc, T0 + 10, P(20), &out); /* -0.20: open, EC offered */
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_AVAILABLE);
	ck_assert_int_eq(account_take_emergency_credit(&acc, &now, true, &out), 0);
	/* §8.8: the -0.20 goes to the debt to clear, the whole 5.00 is available; the button
	 * press is the confirmation */
	ck_assert_int_eq(account_available_credit(&acc), GBP(5));
	ck_assert_int_eq(acc.debt_to_clear_mu, P(20));
	ck_assert(account_supply(&acc).closed);
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_SUPPLY_CLOSED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->reason, ACCOUNT_REASON_CUSTOMER_CONFIRMATION);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_SUPPLY_ARMED), 0);
}
END_TEST

START_TEST(test_ec_taken_remotely_arms)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 100);

	new_ec_account(&acc);
	charge(&acc, T0 + 10, P(20), &out);
	ck_assert_int_eq(account_take_emergency_credit(&acc, &now, false, &out), 0);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_AWAITING_CONFIRMATION);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_SUPPLY_ARMED), 1);
	ck_assert_int_eq(account_confirm(&acc, &now, &out), 0);
	ck_assert(account_supply(&acc).closed);
}
END_TEST

START_TEST(test_ec_not_in_credit_mode)
{
	struct account acc;
	struct account_output out;

	new_ec_account(&acc);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_AVAILABLE); /* 0.00 < 1.00 in prepayment */
	struct account_config c = acc.config;
	c.mode = ACCOUNT_MODE_CREDIT;
	configure(&acc, &c);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
	charge(&acc, T0 + 10, GBP(3), &out);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
}
END_TEST

/* ---- validation: refused commands change nothing ----------------------------------------- */

START_TEST(test_refused_topups_change_nothing)
{
	struct account acc, copy;
	struct account_output out;
	struct account_time now = at(T0 + 50);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	topup(&acc, T0 + 10, GBP(5), &out);
	struct account_config c = acc.config;
	c.max_balance_mu = GBP(100);
	configure(&acc, &c);
	memcpy(&copy, &acc, sizeof(acc));

	ck_assert_int_eq(account_topup(&acc, &now, 0, ACCOUNT_PAYMENT_TOKEN, &out), -EINVAL);
	ck_assert_str_eq(out.error, "top-up value must be positive");
	ck_assert_int_eq(account_topup(&acc, &now, -P(1), ACCOUNT_PAYMENT_TOKEN, &out), -EINVAL);
	ck_assert_int_eq(account_topup(&acc, &now, INT64_MAX, ACCOUNT_PAYMENT_TOKEN, &out),
			 -ERANGE);
	ck_assert_int_eq(account_topup(&acc, &now, GBP(1), (enum account_payment_method)7, &out),
			 -EINVAL);
	/* 5.00 + 95.01 = 100.01 > 100.00 maximum */
	ck_assert_int_eq(account_topup(&acc, &now, P(9501), ACCOUNT_PAYMENT_TOKEN, &out), -ERANGE);
	ck_assert_ptr_nonnull(out.error);
	ck_assert_uint_eq(out.n_events, 0);
	ck_assert_int_eq(memcmp(&copy, &acc, sizeof(acc)), 0);
	/* 5.00 + 95.00 = 100.00 exactly is fine */
	ck_assert_int_eq(account_topup(&acc, &now, GBP(95), ACCOUNT_PAYMENT_TOKEN, &out), 0);
	ck_assert_int_eq(acc.balance_mu, GBP(100));
}
END_TEST

/* Amounts finer than the currency's minor unit (1 p = 1000 mu) are refused on every path that
 * takes one; the manual's registers hold whole pence (§8.2, §8.8, §8.10). */
START_TEST(test_amounts_finer_than_minor_unit_refused)
{
	struct account acc, copy;
	struct account_output out;
	struct account_time now = at(T0 + 50);
	int32_t day = (int32_t)(T0 / DAY);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	topup(&acc, T0 + 10, GBP(5), &out);
	memcpy(&copy, &acc, sizeof(acc));
	/* 10.001 = 1 000 100 mu: 100 mu is a tenth of a penny */
	ck_assert_int_eq(account_topup(&acc, &now, 1000100, ACCOUNT_PAYMENT_REMOTE, &out), -EINVAL);
	ck_assert_ptr_nonnull(strstr(out.error, "minor unit"));
	ck_assert_int_eq(account_set_debt(&acc, &now, GBP(1) + 1, 0, &out), -EINVAL);
	ck_assert_int_eq(account_set_debt(&acc, &now, 0, 500, &out), -EINVAL);
	struct account_config c = acc.config;
	c.ec_enabled = true;
	c.ec_value_mu = GBP(5) + 10; /* 5.0001 */
	c.ec_threshold_mu = GBP(1);
	ck_assert_int_eq(account_configure(&acc, &now, &c, &out), -EINVAL);
	ck_assert_ptr_nonnull(strstr(out.error, "emergency-credit value"));
	c = acc.config;
	c.debt_weekly_rate_mu = 1000050; /* 10.0005 a week */
	ck_assert_int_eq(account_configure(&acc, &now, &c, &out), -EINVAL);
	ck_assert_ptr_nonnull(strstr(out.error, "weekly debt"));
	struct account_tenancy_change t = {.balance_action = ACCOUNT_REGISTER_SET,
					   .balance_mu = P(100) + 5};
	ck_assert_int_eq(account_change_tenancy(&acc, &now, &t, &out), -EINVAL);
	ck_assert_int_eq(account_wallet_post(&acc, &now, day, 999, &out), -EINVAL);
	ck_assert_int_eq(memcmp(&copy, &acc, sizeof(acc)), 0);
	/* whole pence are fine: 10.01 */
	ck_assert_int_eq(account_topup(&acc, &now, 1001000, ACCOUNT_PAYMENT_REMOTE, &out), 0);
	ck_assert_int_eq(acc.balance_mu, 1501000); /* 5.00 + 10.01 */
}
END_TEST

START_TEST(test_refused_configs_change_nothing)
{
	struct account acc, copy;
	struct account_output out;
	struct account_time now = at(T0 + 50);
	struct account_config bad[10];

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	memcpy(&copy, &acc, sizeof(acc));
	for (unsigned i = 0; i < 10; i++)
		bad[i] = acc.config;
	bad[0].mode = (enum account_mode)9;
	bad[1].payg_debt_limit_mu = -GBP(501);
	bad[2].load_limit_w = 24001;
	bad[3].load_limit_w = 5000;
	bad[3].load_limit_period_s = 30;
	bad[3].load_limit_peak_w = 6000; /* peak above the normal limit */
	bad[4].friendly_count[0] = 1;
	bad[4].friendly[0][0] = (struct account_friendly_period){.start_s = 7200, .end_s = 3600};
	bad[5].payment_debt_pct = 101;
	bad[6].ec_enabled = true;
	bad[6].ec_value_mu = 0;
	bad[7].low_credit_threshold_mu = -1;
	bad[8].max_balance_mu = 0;
	bad[9].load_limit_w = 5000;
	bad[9].load_limit_period_s = 0;
	for (unsigned i = 0; i < 10; i++) {
		int r = account_configure(&acc, &now, &bad[i], &out);
		ck_assert_msg(r == -EINVAL || r == -ERANGE, "bad config %u accepted", i);
		ck_assert_ptr_nonnull(out.error);
		ck_assert_int_eq(memcmp(&copy, &acc, sizeof(acc)), 0);
	}
}
END_TEST

START_TEST(test_refused_bad_time_and_charges_change_nothing)
{
	struct account acc, copy;
	struct account_output out;
	struct account_time now = at(T0 + 50);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	memcpy(&copy, &acc, sizeof(acc));
	struct account_time bad = now;
	bad.weekday = 7;
	ck_assert_int_eq(account_tick(&acc, &bad, &out), -EINVAL);
	bad = now;
	bad.second_of_day = 86400;
	ck_assert_int_eq(account_charge(&acc, &bad, P(1), &out), -EINVAL);
	ck_assert_int_eq(account_charge(&acc, &now, -P(1), &out), -EINVAL);
	ck_assert_int_eq(account_charge(&acc, &now, ACCOUNT_AMOUNT_MAX_MU + 1, &out), -ERANGE);
	ck_assert_int_eq(account_adjust_balance(&acc, &now, 0, &out), -EINVAL);
	ck_assert_int_eq(account_set_debt(&acc, &now, -1, 0, &out), -EINVAL);
	ck_assert_int_eq(account_confirm(&acc, &now, &out), -EPERM);
	ck_assert_int_eq(memcmp(&copy, &acc, sizeof(acc)), 0);
}
END_TEST

START_TEST(test_charge_refused_at_balance_bound)
{
	struct account acc, copy;
	struct account_output out;
	struct account_time now = at(T0 + 50);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	acc.balance_mu = -ACCOUNT_BALANCE_BOUND_MU + 10;
	memcpy(&copy, &acc, sizeof(acc));
	/* -1e15 + 10 - 11 = -1e15 - 1: beyond the bound */
	ck_assert_int_eq(account_charge(&acc, &now, 11, &out), -ERANGE);
	ck_assert_int_eq(memcmp(&copy, &acc, sizeof(acc)), 0);
	ck_assert_int_eq(account_charge(&acc, &now, 10, &out), 0);
	ck_assert_int_eq(acc.balance_mu, -ACCOUNT_BALANCE_BOUND_MU);
}
END_TEST

/* ---- debt recovery ----------------------------------------------------------------------- */

START_TEST(test_instalment_amounts_sum_to_weekly_rate)
{
	/* 10.0005 per week = 1 000 050 mu; 1 000 050 / 100 = 10 000.5 per instalment */
	ck_assert_int_eq(account_instalment_amount(1000050, 0), 10000); /* 10000.5 -> 10000 */
	ck_assert_int_eq(account_instalment_amount(1000050, 1), 10001); /* 20001 - 10000 */
	int64_t sum = 0;
	for (int64_t slot = 281000; slot < 281100; slot++)
		sum += account_instalment_amount(1000050, slot);
	ck_assert_int_eq(sum, 1000050);
}
END_TEST

/* The debt is set at SET = T0 + 1000 s, off the 6048 s grid of the epoch; 10.01 a week =
 * 1 001 000 mu, 10 010 mu an instalment (§8.10: "100 equal payments during the week"). */
#define SET (T0 + 1000)

START_TEST(test_debt_collected_over_a_week)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(SET);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	struct account_config c = acc.config;
	c.debt_weekly_rate_mu = P(1001); /* 10.01 per week */
	configure(&acc, &c);
	ck_assert_int_eq(account_set_debt(&acc, &now, GBP(20), 0, &out), 0);
	tick(&acc, SET + ACCOUNT_INSTALMENT_S - 1, &out); /* the first is not due yet */
	ck_assert_int_eq(acc.time_debt_mu, GBP(20));
	for (int i = 1; i <= 100; i++) /* one tick per instalment, one week */
		tick(&acc, SET + (int64_t)i * ACCOUNT_INSTALMENT_S, &out);
	/* one week collects exactly 1 001 000: debt 2 000 000 - 1 001 000 = 999 000 */
	ck_assert_int_eq(acc.time_debt_mu, 999000);
	ck_assert_int_eq(acc.balance_mu, -1001000);
}
END_TEST

/* §8.10: the instalments count from when the debt was set, not from a fixed epoch. */
START_TEST(test_debt_instalments_count_from_when_set)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(SET);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	struct account_config c = acc.config;
	c.debt_weekly_rate_mu = P(1001);
	configure(&acc, &c);
	ck_assert_int_eq(account_set_debt(&acc, &now, GBP(20), 0, &out), 0);
	/* T0 + 6048 is a multiple of 6048 s since 1970 (T0 = 281 000 x 6048): nothing is due
	 * there, the first instalment is at SET + 6048 */
	tick(&acc, T0 + ACCOUNT_INSTALMENT_S, &out);
	ck_assert_int_eq(acc.time_debt_mu, GBP(20));
	tick(&acc, SET + ACCOUNT_INSTALMENT_S, &out);
	ck_assert_int_eq(acc.time_debt_mu, GBP(20) - 10010);
	/* set again at SET + 9000: the schedule starts again from then */
	struct account_time again = at(SET + 9000);
	ck_assert_int_eq(account_set_debt(&acc, &again, GBP(1), 0, &out), 0);
	tick(&acc, SET + 2 * ACCOUNT_INSTALMENT_S, &out); /* the old second one: not due */
	ck_assert_int_eq(acc.time_debt_mu, GBP(1));
	tick(&acc, SET + 9000 + ACCOUNT_INSTALMENT_S, &out);
	ck_assert_int_eq(acc.time_debt_mu, GBP(1) - 10010);
	/* credit mode, nothing else charged: the two instalments, -10 010 - 10 010 */
	ck_assert_int_eq(acc.balance_mu, -20020);
}
END_TEST

/*
 * Powered down (§8.9's rule, applied by issue 19 to debt recovery too): the instalments due while
 * the meter was off are passed over. 10 010 mu an instalment from SET; the first collected at
 * SET + 6048; off until SET + 6048 + 86 400 = SET + 92 448: instalments 2 to 15 (15 x 6048 =
 * 90 720 <= 92 448 < 96 768) are passed over, 14 x 10 010 = 140 140 mu, the debt unchanged; the
 * 16th is the next collected.
 */
START_TEST(test_debt_not_collected_while_powered_down)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(SET);
	struct account_time up = at(SET + 92448);
	int64_t skipped = -1;

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	struct account_config c = acc.config;
	c.debt_weekly_rate_mu = P(1001);
	configure(&acc, &c);
	ck_assert_int_eq(account_set_debt(&acc, &now, GBP(20), 0, &out), 0);
	tick(&acc, SET + ACCOUNT_INSTALMENT_S, &out);
	ck_assert_int_eq(acc.time_debt_mu, GBP(20) - 10010);
	ck_assert_int_eq(account_power_up(&acc, &up, &skipped, &out), 0);
	ck_assert_int_eq(skipped, 140140);
	ck_assert_int_eq(acc.time_debt_mu, GBP(20) - 10010);
	ck_assert_int_eq(acc.balance_mu, -10010);
	tick(&acc, SET + 16 * ACCOUNT_INSTALMENT_S - 1, &out);
	ck_assert_int_eq(acc.time_debt_mu, GBP(20) - 10010);
	tick(&acc, SET + 16 * ACCOUNT_INSTALMENT_S, &out);
	ck_assert_int_eq(acc.time_debt_mu, GBP(20) - 20020);
	ck_assert_int_eq(acc.balance_mu, -20020);
}
END_TEST

START_TEST(test_debt_catch_up_after_a_gap)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(SET);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	struct account_config c = acc.config;
	c.debt_weekly_rate_mu = P(1001);
	configure(&acc, &c);
	ck_assert_int_eq(account_set_debt(&acc, &now, GBP(20), 0, &out), 0);
	tick(&acc, SET + 7 * DAY, &out); /* one call after a whole week: the same 100 */
	ck_assert_int_eq(acc.time_debt_mu, 999000);
	tick(&acc, SET + 7 * DAY, &out); /* and never twice */
	ck_assert_int_eq(acc.time_debt_mu, 999000);
	tick(&acc, SET + 7 * DAY - HOUR, &out); /* clock stepped back: nothing happens */
	ck_assert_int_eq(acc.time_debt_mu, 999000);
}
END_TEST

START_TEST(test_debt_cleared_event)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	struct account_config c = acc.config;
	c.debt_weekly_rate_mu = GBP(10); /* 10 000 mu per instalment */
	configure(&acc, &c);
	ck_assert_int_eq(account_set_debt(&acc, &now, P(15), 0, &out), 0);
	tick(&acc, T0 + 2 * ACCOUNT_INSTALMENT_S, &out);
	/* 10 000 then min(10 000, 5 000) = 5 000: cleared, 15 p charged in all */
	ck_assert_int_eq(acc.time_debt_mu, 0);
	ck_assert_int_eq(acc.balance_mu, -P(15));
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_DEBT_CLEARED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->debt, ACCOUNT_DEBT_TIME);
	ck_assert_int_eq(ev->utc, T0 + 2 * ACCOUNT_INSTALMENT_S);
}
END_TEST

START_TEST(test_debt_halted_when_out_of_credit)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc.config;
	c.debt_weekly_rate_mu = GBP(10);
	c.debt_collection = ACCOUNT_DEBT_HALT_OUT_OF_CREDIT;
	configure(&acc, &c);
	ck_assert_int_eq(account_set_debt(&acc, &now, GBP(5), 0, &out), 0);
	tick(&acc, T0 + 3 * ACCOUNT_INSTALMENT_S, &out);
	/* the first at balance 0.00 is collected (zero is in credit: §4.6.2 "falls below a zero
	 * value"), -0.10 is out of credit: the second and third are halted */
	ck_assert_int_eq(acc.time_debt_mu, GBP(5) - P(10));
	ck_assert_int_eq(acc.balance_mu, -P(10));
	topup(&acc, T0 + 3 * ACCOUNT_INSTALMENT_S + 1, P(25), &out); /* -0.10 + 0.25 = 0.15 */
	tick(&acc, T0 + 5 * ACCOUNT_INSTALMENT_S, &out);
	/* two of 0.10 from 0.15: the fourth leaves 0.05, the fifth makes -0.05 */
	ck_assert_int_eq(acc.time_debt_mu, GBP(5) - P(30));
	ck_assert_int_eq(acc.balance_mu, -P(5));
	tick(&acc, T0 + 6 * ACCOUNT_INSTALMENT_S, &out); /* out of credit again: halted */
	ck_assert_int_eq(acc.time_debt_mu, GBP(5) - P(30));
}
END_TEST

START_TEST(test_debt_collected_always_disconnects)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc.config;
	c.debt_weekly_rate_mu = GBP(10);
	configure(&acc, &c);
	ck_assert_int_eq(account_set_debt(&acc, &now, GBP(5), 0, &out), 0);
	tick(&acc, T0 + ACCOUNT_INSTALMENT_S, &out);
	ck_assert_int_eq(acc.balance_mu, -P(10)); /* 0 - 0.10 */
	ck_assert(!account_supply(&acc).closed);
}
END_TEST

/* EC account with EC taken at 0.00: balance 0, EC remaining 5.00, debt rate 10.00/week. */
static void on_ec_with_debt(struct account *acc, enum account_debt_in_ec option)
{
	struct account_output out;
	struct account_time now = at(T0 + 10);

	new_ec_account(acc);
	struct account_config c = acc->config;
	c.debt_weekly_rate_mu = GBP(10);
	c.debt_in_ec = option;
	configure(acc, &c);
	ck_assert_int_eq(account_take_emergency_credit(acc, &now, true, &out), 0);
	ck_assert_int_eq(account_set_debt(acc, &now, GBP(5), 0, &out), 0);
}

/* The first instalment of the debt on_ec_with_debt() set at T0 + 10 (§8.10). */
#define FIRST_DUE (T0 + 10 + ACCOUNT_INSTALMENT_S)

START_TEST(test_debt_in_ec_keep_ec)
{
	struct account acc;
	struct account_output out;

	on_ec_with_debt(&acc, ACCOUNT_DEBT_EC_KEEP_EC);
	tick(&acc, FIRST_DUE, &out);
	/* 0.10 owed on top of EC; EC stays 5.00 */
	ck_assert_int_eq(acc.debt_to_clear_mu, P(10));
	ck_assert_int_eq(acc.ec_remaining_mu, GBP(5));
	ck_assert_int_eq(acc.time_debt_mu, GBP(5) - P(10));
	ck_assert_int_eq(acc.balance_mu, 0);
}
END_TEST

START_TEST(test_debt_in_ec_reduce_ec)
{
	struct account acc;
	struct account_output out;

	on_ec_with_debt(&acc, ACCOUNT_DEBT_EC_REDUCE_EC);
	tick(&acc, FIRST_DUE, &out);
	/* 0.10 owed and taken off EC: 5.00 - 0.10 = 4.90 */
	ck_assert_int_eq(acc.debt_to_clear_mu, P(10));
	ck_assert_int_eq(acc.ec_remaining_mu, P(490));
	ck_assert_int_eq(acc.time_debt_mu, GBP(5) - P(10));
	/* a top-up of 10.00 repays 0.10 and leaves 9.90 */
	topup(&acc, FIRST_DUE + 1, GBP(10), &out);
	ck_assert_int_eq(acc.balance_mu, P(990));
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
}
END_TEST

START_TEST(test_debt_in_ec_suspended)
{
	struct account acc;
	struct account_output out;

	on_ec_with_debt(&acc, ACCOUNT_DEBT_EC_SUSPEND);
	tick(&acc, FIRST_DUE + 4 * ACCOUNT_INSTALMENT_S, &out);
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
	ck_assert_int_eq(acc.ec_remaining_mu, GBP(5));
	ck_assert_int_eq(acc.time_debt_mu, GBP(5));
}
END_TEST

/* §8.8: exhausted, "The Present Balance register shall show the total debt that shall be the
 * sum of the Emergency Credit used plus any debt accrued from debt repayments." */
START_TEST(test_debt_in_ec_keep_ec_then_exhausted)
{
	struct account acc;
	struct account_output out;

	on_ec_with_debt(&acc, ACCOUNT_DEBT_EC_KEEP_EC);
	tick(&acc, FIRST_DUE, &out); /* 0.10 owed, EC untouched at 5.00 (option i) */
	charge(&acc, FIRST_DUE + 1, GBP(5), &out);
	/* EC used 5.00 + debt repayment 0.10 = 5.10 moves into the balance */
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_EXHAUSTED);
	ck_assert_int_eq(acc.balance_mu, -P(510));
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
	ck_assert_int_eq(find_event(&out, ACCOUNT_EVENT_EC_EXHAUSTED)->value, P(510));
	/* from then on an instalment is taken from the balance (option A): -5.10 - 0.10 */
	tick(&acc, FIRST_DUE + ACCOUNT_INSTALMENT_S, &out);
	ck_assert_int_eq(acc.balance_mu, -P(520));
	ck_assert_int_eq(acc.time_debt_mu, GBP(5) - P(20));
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
}
END_TEST

/* Option ii (REDUCE_EC): an instalment that takes the last of the EC exhausts it. */
START_TEST(test_debt_in_ec_reduce_ec_exhausts)
{
	struct account acc;
	struct account_output out;

	on_ec_with_debt(&acc, ACCOUNT_DEBT_EC_REDUCE_EC);
	charge(&acc, T0 + 20, P(495), &out); /* EC 5.00 - 4.95 = 0.05, owed 4.95 */
	ck_assert_int_eq(acc.ec_remaining_mu, P(5));
	tick(&acc, FIRST_DUE, &out);
	/* 0.10 owed: 4.95 + 0.10 = 5.05; the 0.05 left of EC is used up: exhausted, the 5.05
	 * moves into the balance */
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_EXHAUSTED);
	ck_assert_int_eq(acc.balance_mu, -P(505));
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
	ck_assert_int_eq(acc.time_debt_mu, GBP(5) - P(10));
	ck_assert(!account_supply(&acc).closed);
}
END_TEST

START_TEST(test_payment_based_debt_recovery)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc.config;
	c.payment_debt_pct = 25;
	configure(&acc, &c);
	ck_assert_int_eq(account_set_debt(&acc, &now, 0, GBP(10), &out), 0);
	topup(&acc, T0 + 10, GBP(20), &out);
	/* 25 % of 20.00 = 5.00 to the debt: debt 5.00, balance 15.00; 20.00 logged */
	ck_assert_int_eq(acc.payment_debt_mu, GBP(5));
	ck_assert_int_eq(acc.balance_mu, GBP(15));
	ck_assert_int_eq(acc.total_credit_mu, GBP(20));
	topup(&acc, T0 + 20, GBP(40), &out);
	/* 25 % of 40.00 = 10.00 but only 5.00 owed: balance 15.00 + 35.00 = 50.00 */
	ck_assert_int_eq(acc.payment_debt_mu, 0);
	ck_assert_int_eq(acc.balance_mu, GBP(50));
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_DEBT_CLEARED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->debt, ACCOUNT_DEBT_PAYMENT);
}
END_TEST

/* ---- standing charge and friendly periods ------------------------------------------------ */

/* Prepayment with a Thursday friendly period 00:00-09:30 and a low-credit threshold of 2.00. */
static void friendly_morning_account(struct account *acc)
{
	new_account(acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc->config;
	c.friendly_count[THURSDAY] = 1;
	c.friendly[THURSDAY][0] = (struct account_friendly_period){.start_s = 0, .end_s = 34200};
	c.low_credit_threshold_mu = GBP(2);
	configure(acc, &c);
}

START_TEST(test_standing_charge_accrues_as_debt_in_friendly_period)
{
	struct account acc;
	struct account_output out;

	friendly_morning_account(&acc);
	topup(&acc, T0 + 60, P(10), &out);
	charge(&acc, T0 + HOUR, P(25), &out); /* a standing-charge instalment at 01:00 */
	/* 0.10 - 0.25 = -0.15: accrues as debt, contactor stays closed */
	ck_assert_int_eq(acc.balance_mu, -P(15));
	ck_assert(account_supply(&acc).closed);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_FRIENDLY_PERIOD);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_DISCONNECT_SUSPENDED), 1);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_LOW_CREDIT), 0);
	ck_assert_int_eq(acc.cost_today_mu, P(25));
}
END_TEST

START_TEST(test_friendly_period_crossing_its_end)
{
	struct account acc;
	struct account_output out;

	friendly_morning_account(&acc);
	charge(&acc, T0 + HOUR, P(50), &out); /* -0.50 at 01:00 */
	ck_assert(account_supply(&acc).closed);
	tick(&acc, T0 + 34199, &out); /* 09:29:59: still friendly */
	ck_assert(account_supply(&acc).closed);
	ck_assert_uint_eq(out.n_events, 0);
	tick(&acc, T0 + 34200, &out); /* 09:30:00: the period ends */
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_OUT_OF_CREDIT);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_SUPPLY_OPENED), 1);
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_LOW_CREDIT);
	ck_assert_ptr_nonnull(ev); /* the warning waited for the end */
	ck_assert_int_eq(ev->value, -P(50));
}
END_TEST

START_TEST(test_friendly_period_does_not_reconnect)
{
	struct account acc;
	struct account_output out;

	friendly_morning_account(&acc);
	charge(&acc, T0 - HOUR + DAY, P(50), &out); /* Thursday 23:00: not friendly, opens */
	ck_assert(!account_supply(&acc).closed);
	/* Friday has no friendly period; next Thursday 01:00 is friendly but stays open */
	tick(&acc, T0 + 7 * DAY + HOUR, &out);
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_OUT_OF_CREDIT);
}
END_TEST

START_TEST(test_friendly_special_day)
{
	struct account acc;
	struct account_output out;

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc.config;
	c.friendly_special_days = true;
	configure(&acc, &c);
	struct account_time holiday = at(T0 + 12 * HOUR);
	holiday.friendly_day = true;
	ck_assert_int_eq(account_charge(&acc, &holiday, GBP(1), &out), 0);
	ck_assert_int_eq(acc.balance_mu, -GBP(1));
	ck_assert(account_supply(&acc).closed);
	tick(&acc, T0 + 13 * HOUR, &out); /* the caller says: no longer a friendly day */
	ck_assert(!account_supply(&acc).closed);
}
END_TEST

START_TEST(test_low_credit_warning_once_per_crossing)
{
	struct account acc;
	struct account_output out;

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc.config;
	c.low_credit_threshold_mu = GBP(2);
	configure(&acc, &c);
	topup(&acc, T0 + 1, GBP(3), &out);
	charge(&acc, T0 + 2, P(150), &out); /* 3.00 - 1.50 = 1.50 < 2.00 */
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_LOW_CREDIT), 1);
	charge(&acc, T0 + 3, P(10), &out); /* 1.40: already warned */
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_LOW_CREDIT), 0);
	topup(&acc, T0 + 4, GBP(1), &out); /* 2.40: above, re-armed */
	charge(&acc, T0 + 5, P(50), &out); /* 1.90 < 2.00: warned again */
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_LOW_CREDIT), 1);
}
END_TEST

/* ---- load limiting ----------------------------------------------------------------------- */

static void load_limited_account(struct account *acc)
{
	new_account(acc, ACCOUNT_MODE_CREDIT);
	struct account_config c = acc->config;
	c.load_limit_w = 6000;
	c.load_limit_peak_w = 4000;
	c.load_limit_period_s = 30;
	configure(acc, &c);
}

static void power(struct account *acc, int64_t utc, int32_t w, bool peak,
		  struct account_output *out)
{
	struct account_time now = at(utc);
	ck_assert_int_eq(account_power_sample(acc, &now, w, 0, peak, out), 0);
}

START_TEST(test_load_limit_trips_and_confirm_restores_repeatedly)
{
	struct account acc;
	struct account_output out;

	load_limited_account(&acc);
	for (int round = 0; round < 3; round++) {
		int64_t t = T0 + 1000 * (round + 1);
		struct account_time later = at(t + 40);

		power(&acc, t, 7000, false, &out);
		power(&acc, t + 29, 7000, false, &out); /* 29 s over: not yet */
		ck_assert(account_supply(&acc).closed);
		power(&acc, t + 30, 7000, false, &out); /* 30 s over: trips */
		ck_assert(!account_supply(&acc).closed);
		ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_LOAD_LIMIT);
		const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_LOAD_LIMIT_TRIPPED);
		ck_assert_ptr_nonnull(ev);
		ck_assert_int_eq(ev->value, 7000);
		ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_SUPPLY_OPENED), 1);
		/* only the customer restores it */
		tick(&acc, t + 35, &out);
		ck_assert(!account_supply(&acc).closed);
		ck_assert_int_eq(account_confirm(&acc, &later, &out), 0);
		ck_assert(account_supply(&acc).closed);
		ev = find_event(&out, ACCOUNT_EVENT_SUPPLY_CLOSED);
		ck_assert_ptr_nonnull(ev);
		ck_assert_int_eq(ev->reason, ACCOUNT_REASON_CUSTOMER_CONFIRMATION);
	}
}
END_TEST

/*
 * The phase power unbalance limit (STS 2/6, IEC 62055-41 §6.3.10: "the maximum allowable power
 * difference between phase loads, in watts") trips like the load limit: a limit of 1000 W,
 * 30 s. 1000 W of unbalance is at the limit, not above it: never trips. 1001 W from t: trips at
 * t + 30, the event saying the unbalance; the load (500 W) is under any load limit.
 */
START_TEST(test_phase_unbalance_limit_trips)
{
	struct account acc;
	struct account_output out;
	struct account_config c;
	struct account_time now;
	const int64_t t = T0 + 1000;

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	c = acc.config;
	c.phase_unbalance_limit_w = 1000;
	c.load_limit_period_s = 30;
	configure(&acc, &c);
	for (int64_t s = 0; s <= 60; s += 10) {
		now = at(T0 + s);
		ck_assert_int_eq(account_power_sample(&acc, &now, 500, 1000, false, &out), 0);
	}
	ck_assert(account_supply(&acc).closed);
	now = at(t);
	ck_assert_int_eq(account_power_sample(&acc, &now, 500, 1001, false, &out), 0);
	now = at(t + 29);
	ck_assert_int_eq(account_power_sample(&acc, &now, 500, 1001, false, &out), 0);
	ck_assert(account_supply(&acc).closed);
	now = at(t + 30);
	ck_assert_int_eq(account_power_sample(&acc, &now, 500, 1001, false, &out), 0);
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_LOAD_LIMIT);
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_PHASE_UNBALANCE_TRIPPED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->value, 1001);
	ck_assert_ptr_null(find_event(&out, ACCOUNT_EVENT_LOAD_LIMIT_TRIPPED));
	/* the customer's confirmation restores it */
	now = at(t + 40);
	ck_assert_int_eq(account_confirm(&acc, &now, &out), 0);
	ck_assert(account_supply(&acc).closed);
	/* above 24 kW, or without a period, the setting is refused */
	c.phase_unbalance_limit_w = 24001;
	ck_assert_int_eq(account_configure(&acc, &now, &c, &out), -ERANGE);
	c.phase_unbalance_limit_w = 1000;
	c.load_limit_period_s = 0;
	ck_assert_int_eq(account_configure(&acc, &now, &c, &out), -ERANGE);
	ck_assert_uint_eq(acc.config.load_limit_period_s, 30);
}
END_TEST

START_TEST(test_load_limit_dip_restarts_timer)
{
	struct account acc;
	struct account_output out;

	load_limited_account(&acc);
	power(&acc, T0 + 100, 7000, false, &out);
	power(&acc, T0 + 120, 5000, false, &out); /* back under 6000 */
	power(&acc, T0 + 125, 7000, false, &out); /* over again from 125 */
	power(&acc, T0 + 150, 7000, false, &out); /* 25 s: no trip */
	ck_assert(account_supply(&acc).closed);
	power(&acc, T0 + 155, 7000, false, &out); /* 30 s: trip */
	ck_assert(!account_supply(&acc).closed);
}
END_TEST

START_TEST(test_load_limit_peak_rate_lower_limit)
{
	struct account acc;
	struct account_output out;

	load_limited_account(&acc);
	power(&acc, T0 + 100, 5000, false, &out); /* 5000 <= 6000 off-peak */
	power(&acc, T0 + 200, 5000, false, &out);
	ck_assert(account_supply(&acc).closed);
	power(&acc, T0 + 300, 5000, true, &out); /* 5000 > 4000 at peak */
	power(&acc, T0 + 330, 5000, true, &out);
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_LOAD_LIMIT);
}
END_TEST

/* ---- supply control ---------------------------------------------------------------------- */

START_TEST(test_remote_disconnect_and_reconnect)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 10);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	ck_assert_int_eq(account_remote_disconnect(&acc, &now, &out), 0);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_REMOTE_DISCONNECT);
	ck_assert_int_eq(find_event(&out, ACCOUNT_EVENT_SUPPLY_OPENED)->reason,
			 ACCOUNT_REASON_REMOTE_DISCONNECT);
	ck_assert_int_eq(account_confirm(&acc, &now, &out), -EPERM); /* customer cannot override */
	ck_assert_int_eq(account_remote_reconnect(&acc, &now, false, &out), 0);
	ck_assert(account_supply(&acc).closed);
	ck_assert_int_eq(find_event(&out, ACCOUNT_EVENT_SUPPLY_CLOSED)->reason,
			 ACCOUNT_REASON_REMOTE_RECONNECT);
}
END_TEST

START_TEST(test_remote_armed_reconnect_waits_for_customer)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 10);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	ck_assert_int_eq(account_remote_disconnect(&acc, &now, &out), 0);
	ck_assert_int_eq(account_remote_reconnect(&acc, &now, true, &out), 0);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_AWAITING_CONFIRMATION);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_SUPPLY_ARMED), 1);
	ck_assert_int_eq(account_confirm(&acc, &now, &out), 0);
	ck_assert(account_supply(&acc).closed);
}
END_TEST

START_TEST(test_armed_reconnect_never_opens_a_closed_supply)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 10);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	ck_assert_int_eq(account_remote_reconnect(&acc, &now, true, &out), 0);
	ck_assert(account_supply(&acc).closed);
	ck_assert_uint_eq(out.n_events, 0);
}
END_TEST

START_TEST(test_remote_reconnect_does_not_override_credit)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 10);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	charge(&acc, T0 + 5, P(1), &out); /* -0.01: out of credit */
	ck_assert_int_eq(account_remote_disconnect(&acc, &now, &out), 0);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_REMOTE_DISCONNECT);
	ck_assert_int_eq(account_remote_reconnect(&acc, &now, false, &out), 0);
	ck_assert(!account_supply(&acc).closed);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_OUT_OF_CREDIT);
}
END_TEST

/* ---- change of tenancy ------------------------------------------------------------------- */

START_TEST(test_tenancy_now_snapshot_first)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 100);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	topup(&acc, T0 + 10, P(1234), &out);
	ck_assert_int_eq(account_set_debt(&acc, &now, GBP(3), GBP(4), &out), 0);
	struct account_tenancy_change change = {
	    .effective_utc = 0,
	    .balance_action = ACCOUNT_REGISTER_SET,
	    .balance_mu = GBP(5),
	    .debt_action = ACCOUNT_REGISTER_RESET,
	    .clear_payment_log = true,
	    .zero_standing_charge = true,
	    .clear_future_tariffs = true,
	};
	ck_assert_int_eq(account_change_tenancy(&acc, &now, &change, &out), 0);
	ck_assert_uint_ge(out.n_events, 2);
	ck_assert_int_eq(out.events[0].type, ACCOUNT_EVENT_SNAPSHOT_REQUIRED);
	ck_assert_int_eq(out.events[0].registers.balance_mu, P(1234)); /* before: 12.34 */
	ck_assert_int_eq(out.events[0].registers.time_debt_mu, GBP(3));
	ck_assert_uint_eq(out.events[0].registers.payment_count, 1);
	ck_assert_int_eq(out.events[1].type, ACCOUNT_EVENT_TENANCY_CHANGED);
	ck_assert(out.events[1].zero_standing_charge);
	ck_assert(out.events[1].clear_future_tariffs);
	ck_assert_int_eq(acc.balance_mu, GBP(5));
	ck_assert_int_eq(acc.time_debt_mu, 0);
	ck_assert_int_eq(acc.payment_debt_mu, 0);
	ck_assert_uint_eq(acc.payment_count, 0);
	ck_assert_uint_eq(acc.payment_log_len, 0);
}
END_TEST

START_TEST(test_tenancy_at_a_date)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 100);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	topup(&acc, T0 + 10, GBP(7), &out);
	struct account_tenancy_change change = {
	    .effective_utc = T0 + DAY,
	    .balance_action = ACCOUNT_REGISTER_RESET,
	    .contactor = ACCOUNT_CONTACTOR_OPEN,
	};
	ck_assert_int_eq(account_change_tenancy(&acc, &now, &change, &out), 0);
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_SNAPSHOT_REQUIRED), 0);
	ck_assert_int_eq(acc.balance_mu, GBP(7));
	tick(&acc, T0 + DAY - 1, &out);
	ck_assert_int_eq(acc.balance_mu, GBP(7));
	tick(&acc, T0 + DAY, &out);
	ck_assert_int_eq(out.events[0].type, ACCOUNT_EVENT_SNAPSHOT_REQUIRED);
	ck_assert_int_eq(out.events[0].registers.balance_mu, GBP(7));
	ck_assert_uint_eq(count_events(&out, ACCOUNT_EVENT_TENANCY_CHANGED), 1);
	ck_assert_int_eq(acc.balance_mu, 0);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_REMOTE_DISCONNECT);
	ck_assert(!acc.tenancy_pending);
}
END_TEST

START_TEST(test_tenancy_arm_contactor)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 100);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	ck_assert_int_eq(account_remote_disconnect(&acc, &now, &out), 0);
	struct account_tenancy_change change = {.contactor = ACCOUNT_CONTACTOR_ARM};
	ck_assert_int_eq(account_change_tenancy(&acc, &now, &change, &out), 0);
	ck_assert_int_eq(account_supply(&acc).reason, ACCOUNT_REASON_AWAITING_CONFIRMATION);
	ck_assert_int_eq(account_confirm(&acc, &now, &out), 0);
	ck_assert(account_supply(&acc).closed);
}
END_TEST

START_TEST(test_tenancy_balance_reset_ends_ec)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 200);

	ec_taken_at_040(&acc);
	charge(&acc, T0 + 100, GBP(1), &out); /* balance 0, EC 4.40, owed 0.60 */
	struct account_tenancy_change change = {.balance_action = ACCOUNT_REGISTER_SET,
						.balance_mu = GBP(2)};
	ck_assert_int_eq(account_change_tenancy(&acc, &now, &change, &out), 0);
	ck_assert_int_eq(out.events[0].registers.debt_to_clear_mu, P(60)); /* snapshot: before */
	ck_assert_int_eq(out.events[0].registers.available_credit_mu, P(440));
	/* the new occupant starts at 2.00 with no EC and nothing owed */
	ck_assert_int_eq(acc.balance_mu, GBP(2));
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_NONE);
	ck_assert_int_eq(account_available_credit(&acc), GBP(2));
}
END_TEST

START_TEST(test_tenancy_refused_changes_nothing)
{
	struct account acc, copy;
	struct account_output out;
	struct account_time now = at(T0 + 100);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	memcpy(&copy, &acc, sizeof(acc));
	struct account_tenancy_change bad = {.balance_action = (enum account_register_action)5};
	ck_assert_int_eq(account_change_tenancy(&acc, &now, &bad, &out), -EINVAL);
	bad = (struct account_tenancy_change){.debt_action = ACCOUNT_REGISTER_SET,
					      .time_debt_mu = -1};
	ck_assert_int_eq(account_change_tenancy(&acc, &now, &bad, &out), -EINVAL);
	bad = (struct account_tenancy_change){.balance_action = ACCOUNT_REGISTER_SET,
					      .balance_mu = acc.config.max_balance_mu + 1};
	ck_assert_int_eq(account_change_tenancy(&acc, &now, &bad, &out), -EINVAL);
	ck_assert_ptr_nonnull(out.error);
	ck_assert_uint_eq(out.n_events, 0);
	ck_assert_int_eq(memcmp(&copy, &acc, sizeof(acc)), 0);
}
END_TEST

/* ---- single wallet ----------------------------------------------------------------------- */

/*
 * §7.8: "The meter records the monetary amount of charges taken from the Present Balance
 * register from the start of the billing period ... At the end of the billing period the
 * monetary amount taken over the period will be stored together with a time stamp and the
 * working value reset." Charges count; top-ups and balance adjustments are not charges.
 */
START_TEST(test_charges_this_period)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + HOUR);
	int32_t day = (int32_t)(T0 / DAY);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	struct account_config c = acc.config;
	c.debt_weekly_rate_mu = P(100); /* 1.00 a week: the first instalment 100 000 / 100 = 1 p */
	configure(&acc, &c);
	topup(&acc, T0 + 1, GBP(10), &out);
	ck_assert_int_eq(acc.charges_period_mu, 0); /* a top-up is not a charge */
	/* 10 kWh at 20.000 p/kWh = 200 p, and a 25 p standing charge: 225 p taken */
	ck_assert_int_eq(account_charge(&acc, &now, P(200), &out), 0);
	ck_assert_int_eq(account_charge(&acc, &now, P(25), &out), 0);
	ck_assert_int_eq(acc.charges_period_mu, P(225));
	/* adjustments either way are corrections, not charges: 225 p still */
	ck_assert_int_eq(account_adjust_balance(&acc, &now, -P(5), &out), 0);
	ck_assert_int_eq(account_adjust_balance(&acc, &now, P(5), &out), 0);
	ck_assert_int_eq(acc.charges_period_mu, P(225));
	/* debt recovery is taken from the balance: the first instalment, due 6048 s after the
	 * debt was set, is 1 p: 225 + 1 = 226 p */
	ck_assert_int_eq(account_set_debt(&acc, &now, GBP(5), 0, &out), 0);
	tick(&acc, T0 + HOUR + ACCOUNT_INSTALMENT_S, &out);
	ck_assert_int_eq(acc.time_debt_mu, GBP(5) - P(1));
	ck_assert_int_eq(acc.charges_period_mu, P(226));
	/* a second utility's cost is charged to the balance: 50 p, 276 p; its final total of
	 * 40 p refunds 10 p, a credit, not counted: 276 p */
	struct account_time later = at(T0 + 3 * HOUR);
	ck_assert_int_eq(account_wallet_post(&acc, &later, day, P(50), &out), 0);
	ck_assert_int_eq(acc.charges_period_mu, P(276));
	ck_assert_int_eq(account_wallet_final(&acc, &later, day, P(40), &out), 0);
	ck_assert_int_eq(acc.charges_period_mu, P(276));
	/* the registers publish it */
	struct account_registers regs;
	account_read_registers(&acc, later.utc, &regs);
	ck_assert_int_eq(regs.charges_period_mu, P(276));
	/* the period's end: 276 p to store, the working value reset; the next charge, 3 p, is the
	 * new period's */
	ck_assert_int_eq(account_end_charges_period(&acc), P(276));
	ck_assert_int_eq(acc.charges_period_mu, 0);
	ck_assert_int_eq(account_charge(&acc, &later, P(3), &out), 0);
	ck_assert_int_eq(acc.charges_period_mu, P(3));
	/* balance: 10.00 - 2.25 - 0.01 - 0.50 + 0.10 - 0.03 = 7.31 */
	ck_assert_int_eq(acc.balance_mu, P(731));
}
END_TEST

/* §7.8 with emergency credit: a charge spending EC is taken from the Present Balance (balance
 * + EC remaining) and counts in full; a refused charge counts nothing. */
START_TEST(test_charges_this_period_on_ec)
{
	struct account acc;
	struct account_output out;

	ec_taken_at_040(&acc);
	struct account_time now = at(acc.last_utc);
	/* 1.00: 0.40 from the balance, 0.60 from EC: 100 p taken */
	ck_assert_int_eq(account_charge(&acc, &now, P(100), &out), 0);
	ck_assert_int_eq(acc.ec_remaining_mu, P(440));
	ck_assert_int_eq(acc.charges_period_mu, P(100));
	ck_assert_int_eq(account_charge(&acc, &now, ACCOUNT_AMOUNT_MAX_MU + 1, &out), -ERANGE);
	ck_assert_int_eq(acc.charges_period_mu, P(100));
}
END_TEST

START_TEST(test_wallet_running_postings_and_final)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 10 * HOUR);
	int32_t day = (int32_t)(T0 / DAY);

	new_account(&acc, ACCOUNT_MODE_PREPAYMENT);
	topup(&acc, T0 + 1, GBP(10), &out);
	ck_assert_int_eq(account_wallet_post(&acc, &now, day, GBP(1), &out), 0);
	ck_assert_int_eq(acc.balance_mu, GBP(9)); /* 10.00 - 1.00 */
	ck_assert_int_eq(account_wallet_post(&acc, &now, day, P(250), &out), 0);
	ck_assert_int_eq(acc.balance_mu, P(750)); /* running 2.50: 1.50 more */
	struct account_time midnight = at(T0 + DAY);
	ck_assert_int_eq(account_wallet_final(&acc, &midnight, day, P(240), &out), 0);
	/* final 2.40 replaces 2.50: 0.10 back, balance 7.60 */
	ck_assert_int_eq(acc.balance_mu, P(760));
	const struct account_event *ev = find_event(&out, ACCOUNT_EVENT_WALLET_RECONCILED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->value, -P(10));
	/* the day is closed */
	struct account copy;
	memcpy(&copy, &acc, sizeof(acc));
	ck_assert_int_eq(account_wallet_post(&acc, &midnight, day, P(300), &out), -EPERM);
	ck_assert_int_eq(memcmp(&copy, &acc, sizeof(acc)), 0);
}
END_TEST

START_TEST(test_wallet_final_corrects_up_after_next_day_started)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + DAY + 1800);
	int32_t day = (int32_t)(T0 / DAY);

	new_account(&acc, ACCOUNT_MODE_CREDIT);
	ck_assert_int_eq(account_wallet_post(&acc, &now, day, GBP(2), &out), 0);
	ck_assert_int_eq(account_wallet_post(&acc, &now, day + 1, P(10), &out), 0);
	ck_assert_int_eq(account_wallet_final(&acc, &now, day, P(230), &out), 0);
	/* 2.00 + 0.10 posted, then day's final 2.30: 0.30 more; balance -(2.30 + 0.10) = -2.40 */
	ck_assert_int_eq(acc.balance_mu, -P(240));
	ck_assert_int_eq(find_event(&out, ACCOUNT_EVENT_WALLET_RECONCILED)->value, P(30));
	/* a day older than the last two is refused */
	ck_assert_int_eq(account_wallet_post(&acc, &now, day - 1, P(10), &out), -EINVAL);
	ck_assert_int_eq(account_wallet_post(&acc, &now, day, -1, &out), -EINVAL);
}
END_TEST

START_TEST(test_balance_adjustment_repays_ec_first)
{
	struct account acc;
	struct account_output out;
	struct account_time now = at(T0 + 200);

	ec_taken_at_040(&acc);
	charge(&acc, T0 + 100, GBP(1), &out); /* owed 0.60, EC 4.40, balance 0 */
	ck_assert_int_eq(account_adjust_balance(&acc, &now, GBP(1), &out), 0);
	/* 1.00 export credit: 0.60 repays, 0.40 to the balance; EC ends */
	ck_assert_int_eq(acc.balance_mu, P(40));
	ck_assert_int_eq(acc.debt_to_clear_mu, 0);
	ck_assert_int_eq(acc.ec_state, ACCOUNT_EC_AVAILABLE); /* 0.40 < 1.00: re-offered */
	ck_assert_uint_eq(acc.payment_count,
			  1); /* only the 0.40 top-up: an adjustment is no payment */
}
END_TEST

static Suite *account_suite(void)
{
	Suite *s = suite_create("account");
	TCase *tc;

	tc = tcase_create("balance");
	tcase_add_test(tc, test_init_defaults);
	tcase_add_test(tc, test_topup_adds_logs_and_counts);
	tcase_add_test(tc, test_payment_log_keeps_last_20);
	tcase_add_test(tc, test_total_credit_rolls_over);
	tcase_add_test(tc, test_credit_mode_never_disconnects);
	tcase_add_test(tc, test_prepayment_disconnects_below_zero);
	tcase_add_test(tc, test_payg_disconnects_below_debt_limit);
	tcase_add_test(tc, test_zero_is_in_credit_everywhere);
	tcase_add_test(tc, test_payg_debt_limit_range);
	tcase_add_test(tc, test_mode_switch_at_run_time);
	tcase_add_test(tc, test_mode_switch_without_confirmation_closes_at_once);
	tcase_add_test(tc, test_topup_after_disconnection_arms_then_confirm_closes);
	tcase_add_test(tc, test_topup_closes_at_once_without_confirmation);
	tcase_add_test(tc, test_topup_not_enough_stays_disconnected);
	tcase_add_test(tc, test_cost_today_and_last_hour);
	tcase_add_test(tc, test_cost_over_a_long_interval);
	tcase_add_test(tc, test_cost_today_never_goes_back_a_day);
	tcase_add_test(tc, test_balance_adjustment_repays_ec_first);
	suite_add_tcase(s, tc);

	tc = tcase_create("emergency_credit");
	tcase_add_test(tc, test_ec_offered_below_threshold);
	tcase_add_test(tc, test_ec_take_adds_to_available_credit);
	tcase_add_test(tc, test_ec_not_available_refused_unchanged);
	tcase_add_test(tc, test_ec_spending_builds_debt_to_clear);
	tcase_add_test(tc, test_ec_exhaustion_moves_debt_into_balance_and_opens);
	tcase_add_test(tc, test_ec_repaid_by_topup_then_reoffered);
	tcase_add_test(tc, test_ec_topup_not_clearing_debt_keeps_ec_withdrawn);
	tcase_add_test(tc, test_ec_taken_in_debt_whole_value_spendable);
	tcase_add_test(tc, test_ec_exhausted_registers_after_topups);
	tcase_add_test(tc, test_ec_never_offered_in_payg);
	tcase_add_test(tc, test_ec_partial_topup_while_in_use_keeps_ec_in_use);
	tcase_add_test(tc, test_ec_unspent_is_withdrawn_on_topup);
	tcase_add_test(tc, test_ec_disabled_never_offered);
	tcase_add_test(tc, test_ec_offer_withdrawn_when_disabled);
	tcase_add_test(tc, test_ec_taken_at_meter_reconnects_at_once);
	tcase_add_test(tc, test_ec_taken_remotely_arms);
	tcase_add_test(tc, test_ec_not_in_credit_mode);
	suite_add_tcase(s, tc);

	tc = tcase_create("validation");
	tcase_add_test(tc, test_refused_topups_change_nothing);
	tcase_add_test(tc, test_amounts_finer_than_minor_unit_refused);
	tcase_add_test(tc, test_refused_configs_change_nothing);
	tcase_add_test(tc, test_refused_bad_time_and_charges_change_nothing);
	tcase_add_test(tc, test_charge_refused_at_balance_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("debt");
	tcase_add_test(tc, test_instalment_amounts_sum_to_weekly_rate);
	tcase_add_test(tc, test_debt_collected_over_a_week);
	tcase_add_test(tc, test_debt_instalments_count_from_when_set);
	tcase_add_test(tc, test_debt_catch_up_after_a_gap);
	tcase_add_test(tc, test_debt_not_collected_while_powered_down);
	tcase_add_test(tc, test_debt_cleared_event);
	tcase_add_test(tc, test_debt_halted_when_out_of_credit);
	tcase_add_test(tc, test_debt_collected_always_disconnects);
	tcase_add_test(tc, test_debt_in_ec_keep_ec);
	tcase_add_test(tc, test_debt_in_ec_reduce_ec);
	tcase_add_test(tc, test_debt_in_ec_suspended);
	tcase_add_test(tc, test_debt_in_ec_keep_ec_then_exhausted);
	tcase_add_test(tc, test_debt_in_ec_reduce_ec_exhausts);
	tcase_add_test(tc, test_payment_based_debt_recovery);
	suite_add_tcase(s, tc);

	tc = tcase_create("friendly");
	tcase_add_test(tc, test_standing_charge_accrues_as_debt_in_friendly_period);
	tcase_add_test(tc, test_friendly_period_crossing_its_end);
	tcase_add_test(tc, test_friendly_period_does_not_reconnect);
	tcase_add_test(tc, test_friendly_special_day);
	tcase_add_test(tc, test_low_credit_warning_once_per_crossing);
	suite_add_tcase(s, tc);

	tc = tcase_create("supply");
	tcase_add_test(tc, test_load_limit_trips_and_confirm_restores_repeatedly);
	tcase_add_test(tc, test_phase_unbalance_limit_trips);
	tcase_add_test(tc, test_load_limit_dip_restarts_timer);
	tcase_add_test(tc, test_load_limit_peak_rate_lower_limit);
	tcase_add_test(tc, test_remote_disconnect_and_reconnect);
	tcase_add_test(tc, test_remote_armed_reconnect_waits_for_customer);
	tcase_add_test(tc, test_armed_reconnect_never_opens_a_closed_supply);
	tcase_add_test(tc, test_remote_reconnect_does_not_override_credit);
	suite_add_tcase(s, tc);

	tc = tcase_create("tenancy_wallet");
	tcase_add_test(tc, test_tenancy_now_snapshot_first);
	tcase_add_test(tc, test_tenancy_at_a_date);
	tcase_add_test(tc, test_tenancy_arm_contactor);
	tcase_add_test(tc, test_tenancy_balance_reset_ends_ec);
	tcase_add_test(tc, test_tenancy_refused_changes_nothing);
	tcase_add_test(tc, test_wallet_running_postings_and_final);
	tcase_add_test(tc, test_wallet_final_corrects_up_after_next_day_started);
	tcase_add_test(tc, test_charges_this_period);
	tcase_add_test(tc, test_charges_this_period_on_ec);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(account_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
