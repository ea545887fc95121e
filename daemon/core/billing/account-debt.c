/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's debt recovery (§8.10): the time-based debt collected at a weekly rate
 * in 100 instalments a week, and the debt registers. (The payment-based debt is collected by
 * account_topup(), as a share of each top-up.)
 *
 * The instalments count from when the debt was set: instalment n (from 1) falls due at
 * debt_origin_utc + n x 6048 s ("Debt repayments shall be deducted every 1.68 Hours"). Those
 * due in the time a call lets pass are collected in order, so a late tick catches up and each
 * is dealt with once (time only moves forward, account.c).
 * Instalment n collects rate * (k + 1) / 100 - rate * k / 100 with k = (n - 1) mod 100 (integer
 * division), so any 100 consecutive instalments collect exactly the weekly rate.
 */

#include <errno.h>

#include "core/billing/account-internal.h"

int64_t account_instalment_amount(int64_t weekly_rate_mu, int64_t index)
{
	int64_t k = index % ACCOUNT_INSTALMENTS_PER_WEEK;
	return weekly_rate_mu * (k + 1) / ACCOUNT_INSTALMENTS_PER_WEEK -
	       weekly_rate_mu * k / ACCOUNT_INSTALMENTS_PER_WEEK;
}

/* Running on emergency credit: EC taken and the customer's own balance used up. (Once EC is
 * exhausted its debt is in the balance and instalments are charged to it as usual, §8.8.) */
static bool on_emergency_credit(const struct account *a)
{
	return a->ec_state == ACCOUNT_EC_IN_USE && a->balance_mu <= 0;
}

/* An instalment while on EC, by §8.10's options i (KEEP_EC) and ii (REDUCE_EC); SUSPEND is
 * ours. False if it was skipped. */
static bool collect_on_ec(struct account *a, int64_t utc, int64_t amount_mu,
			  struct account_output *out)
{
	switch (a->config.debt_in_ec) {
	case ACCOUNT_DEBT_EC_SUSPEND:
		return false;
	case ACCOUNT_DEBT_EC_KEEP_EC:
		/* "increase the Debt to Clear register but not reduce any EC amount" */
		a->debt_to_clear_mu += amount_mu;
		return true;
	case ACCOUNT_DEBT_EC_REDUCE_EC:
		/* "increase the Debt to Clear register and reduce any EC amount": EC running out
		 * moves the debt to clear into the balance (§8.8), which must stay in its bound */
		if (a->balance_mu - account_ec_debt_if_spent(a, amount_mu, amount_mu) <
		    -ACCOUNT_BALANCE_BOUND_MU)
			return false;
		account_ec_use(a, utc, amount_mu, amount_mu, out);
		/* taken off EC remaining: from the Present Balance (§7.8) */
		account_count_charge(a, amount_mu);
		return true;
	}
	return false;
}

/* Collect one instalment; false if it was skipped (halted, suspended, balance at its bound). */
static bool collect(struct account *a, int64_t utc, int64_t amount_mu, struct account_output *out)
{
	/* option B: "halted when the meter runs out of prepaid credit" (account_below's rule:
	 * at exactly zero the customer is in credit and the instalment is collected) */
	if (a->config.debt_collection == ACCOUNT_DEBT_HALT_OUT_OF_CREDIT &&
	    account_out_of_credit(a))
		return false;
	if (on_emergency_credit(a))
		return collect_on_ec(a, utc, amount_mu, out);
	if (account_apply_charge(a, utc, amount_mu, out) < 0)
		return false;
	account_count_charge(a, amount_mu);
	return true;
}

/* Instalments due by @utc: n falls due at origin + n x 6048 s. */
static int64_t instalments_due(const struct account *a, int64_t utc)
{
	if (utc < a->debt_origin_utc)
		return 0;
	return (utc - a->debt_origin_utc) / ACCOUNT_INSTALMENT_S;
}

void account_collect_instalments(struct account *a, int64_t after_utc, int64_t until_utc,
				 struct account_output *out)
{
	int64_t last = instalments_due(a, until_utc);

	for (int64_t n = instalments_due(a, after_utc) + 1; n <= last; n++) {
		if (a->time_debt_mu == 0 || a->config.debt_weekly_rate_mu == 0)
			return;
		int64_t amount =
		    account_min(account_instalment_amount(a->config.debt_weekly_rate_mu, n - 1),
				a->time_debt_mu);
		int64_t due_utc = a->debt_origin_utc + n * ACCOUNT_INSTALMENT_S;
		if (amount == 0 || !collect(a, due_utc, amount, out))
			continue;
		a->time_debt_mu -= amount;
		if (a->time_debt_mu == 0) {
			struct account_event *ev =
			    account_emit(out, ACCOUNT_EVENT_DEBT_CLEARED, due_utc, amount);
			if (ev)
				ev->debt = ACCOUNT_DEBT_TIME;
		}
	}
}

int64_t account_instalments_passed_over(const struct account *a, int64_t after_utc,
					int64_t until_utc)
{
	int64_t last = instalments_due(a, until_utc), left = a->time_debt_mu;

	for (int64_t n = instalments_due(a, after_utc) + 1; n <= last && left > 0; n++)
		left -= account_min(account_instalment_amount(a->config.debt_weekly_rate_mu, n - 1),
				    left);
	return a->time_debt_mu - left;
}

int account_set_debt(struct account *acc, const struct account_time *now, int64_t time_debt_mu,
		     int64_t payment_debt_mu, struct account_output *out)
{
	if (time_debt_mu < 0 || payment_debt_mu < 0)
		return account_refuse(out, -EINVAL, "a debt must not be negative");
	if (time_debt_mu > ACCOUNT_AMOUNT_MAX_MU || payment_debt_mu > ACCOUNT_AMOUNT_MAX_MU)
		return account_refuse(out, -ERANGE, "debt above 1e13 mu");
	if (!account_whole_minor_units(time_debt_mu) || !account_whole_minor_units(payment_debt_mu))
		return account_refuse(out, -EINVAL,
				      "a debt finer than the currency's minor unit (a whole "
				      "number of minor units)");

	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	work.time_debt_mu = time_debt_mu;
	work.payment_debt_mu = payment_debt_mu;
	/* the instalments count from now (§8.10), not from a fixed epoch */
	work.debt_origin_utc = work.last_utc;
	return account_commit(acc, &work, now, ACCOUNT_REASON_NONE, out);
}
