/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's money: top-ups, charges, adjustments and the payment log. Emergency
 * credit's part of them is account-ec.c, the cost registers account-cost.c.
 */

#include <errno.h>

#include "core/billing/account-internal.h"

int account_apply_charge(struct account *a, int64_t utc, int64_t amount_mu,
			 struct account_output *out)
{
	int64_t from_balance = account_min(amount_mu, account_max(a->balance_mu, 0));
	int64_t from_ec = 0;

	if (a->ec_state == ACCOUNT_EC_IN_USE)
		from_ec = account_min(amount_mu - from_balance, a->ec_remaining_mu);
	int64_t to_balance = amount_mu - from_ec;
	/* EC running out moves the debt to clear into the balance as well (§8.8) */
	int64_t moved = account_ec_debt_if_spent(a, from_ec, from_ec);
	if (a->balance_mu - to_balance - moved < -ACCOUNT_BALANCE_BOUND_MU)
		return -ERANGE;

	a->balance_mu -= to_balance;
	/* every mu of emergency credit spent is owed back (§8.8) */
	if (from_ec > 0)
		account_ec_use(a, utc, from_ec, from_ec, out);
	return 0;
}

int account_add_credit(struct account *a, int64_t utc, int64_t amount_mu, int64_t ceiling_mu,
		       struct account_output *out)
{
	int64_t repay = account_ec_repayable(a, amount_mu);
	int64_t to_balance = amount_mu - repay;
	int64_t balance_before = a->balance_mu;

	if (to_balance > 0 && a->balance_mu + to_balance > ceiling_mu)
		return -ERANGE;
	a->debt_to_clear_mu -= repay;
	a->balance_mu += to_balance;
	account_ec_credit_added(a, utc, repay, balance_before, out);
	return 0;
}

static void log_payment(struct account *a, int64_t utc, int64_t value_mu,
			enum account_payment_method method)
{
	struct account_payment *p = &a->payment_log[a->payment_log_next];

	p->utc = utc;
	p->value_mu = value_mu;
	p->method = method;
	a->payment_log_next = (a->payment_log_next + 1) % ACCOUNT_PAYMENT_LOG_LEN;
	if (a->payment_log_len < ACCOUNT_PAYMENT_LOG_LEN)
		a->payment_log_len++;
	a->payment_count++;
	a->total_credit_mu = (a->total_credit_mu + value_mu) % ACCOUNT_TOTAL_CREDIT_ROLLOVER_MU;
}

int account_topup(struct account *acc, const struct account_time *now, int64_t value_mu,
		  enum account_payment_method method, struct account_output *out)
{
	if (value_mu <= 0)
		return account_refuse(out, -EINVAL, "top-up value must be positive");
	if (value_mu > ACCOUNT_AMOUNT_MAX_MU)
		return account_refuse(out, -ERANGE, "top-up value above 1e13 mu");
	if (!account_whole_minor_units(value_mu))
		return account_refuse(out, -EINVAL,
				      "top-up value finer than the currency's minor unit "
				      "(a whole number of minor units)");
	if (method != ACCOUNT_PAYMENT_TOKEN && method != ACCOUNT_PAYMENT_REMOTE &&
	    method != ACCOUNT_PAYMENT_LOCAL && method != ACCOUNT_PAYMENT_DLMS)
		return account_refuse(out, -EINVAL, "unknown payment method");

	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	int64_t utc = work.last_utc;

	/* Payment-based debt recovery takes its share of the top-up first, as GB meters do. */
	int64_t to_debt =
	    account_min(value_mu * work.config.payment_debt_pct / 100, work.payment_debt_mu);
	work.payment_debt_mu -= to_debt;
	if (account_add_credit(&work, utc, value_mu - to_debt, work.config.max_balance_mu, out) < 0)
		return account_refuse(out, -ERANGE,
				      "top-up would take the balance above the "
				      "maximum balance");
	if (to_debt > 0 && work.payment_debt_mu == 0) {
		struct account_event *ev =
		    account_emit(out, ACCOUNT_EVENT_DEBT_CLEARED, utc, to_debt);
		if (ev)
			ev->debt = ACCOUNT_DEBT_PAYMENT;
	}
	log_payment(&work, utc, value_mu, method);
	account_emit(out, ACCOUNT_EVENT_PAYMENT_ACCEPTED, utc, value_mu);
	return account_commit(acc, &work, now, ACCOUNT_REASON_CREDIT_RESTORED, out);
}

int account_charge(struct account *acc, const struct account_time *now, int64_t amount_mu,
		   struct account_output *out)
{
	return account_charge_over(acc, now, amount_mu, now->utc, out);
}

int account_charge_over(struct account *acc, const struct account_time *now, int64_t amount_mu,
			int64_t since_utc, struct account_output *out)
{
	if (amount_mu < 0)
		return account_refuse(out, -EINVAL,
				      "a charge must not be negative "
				      "(use a balance adjustment for a credit)");
	if (amount_mu > ACCOUNT_AMOUNT_MAX_MU)
		return account_refuse(out, -ERANGE, "charge above 1e13 mu");
	if (since_utc < 0)
		return account_refuse(out, -EINVAL,
				      "charge interval starting before 1970-01-01 UTC");

	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	if (account_apply_charge(&work, work.last_utc, amount_mu, out) < 0)
		return account_refuse(out, -ERANGE,
				      "charge would take the balance below its bound (-1e15 mu)");
	account_add_cost(&work, since_utc, work.last_utc, amount_mu);
	account_count_charge(&work, amount_mu);
	return account_commit(acc, &work, now, ACCOUNT_REASON_NONE, out);
}

int account_adjust_balance(struct account *acc, const struct account_time *now, int64_t delta_mu,
			   struct account_output *out)
{
	if (delta_mu == 0)
		return account_refuse(out, -EINVAL, "balance adjustment of zero");
	if (delta_mu > ACCOUNT_AMOUNT_MAX_MU || delta_mu < -ACCOUNT_AMOUNT_MAX_MU)
		return account_refuse(out, -ERANGE, "balance adjustment beyond +-1e13 mu");

	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	if (delta_mu > 0)
		r = account_add_credit(&work, work.last_utc, delta_mu, work.config.max_balance_mu,
				       out);
	else
		r = account_apply_charge(&work, work.last_utc, -delta_mu, out);
	if (r < 0)
		return account_refuse(out, -ERANGE,
				      "adjustment would take the balance out of its bounds");
	return account_commit(acc, &work, now, ACCOUNT_REASON_CREDIT_RESTORED, out);
}
