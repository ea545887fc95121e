/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's debt recovery: the time-based debt collected at a weekly rate in 100
 * instalments a week, and the debt registers. (The payment-based debt is collected by
 * account_topup(), as a share of each top-up.)
 *
 * Instalment slots are fixed in UTC: slot n is collected when time reaches n * 6048 s, so a
 * late tick catches up and each slot is collected at most once.
 * Slot n collects rate * (k + 1) / 100 - rate * k / 100 with k = n mod 100 (integer division),
 * so any 100 consecutive slots collect exactly the weekly rate, never a rounded 100 x rate/100.
 */

#include <errno.h>

#include "core/billing/account-internal.h"

int64_t account_instalment_amount(int64_t weekly_rate_mu, int64_t slot)
{
	int64_t k = slot % ACCOUNT_INSTALMENTS_PER_WEEK;
	return weekly_rate_mu * (k + 1) / ACCOUNT_INSTALMENTS_PER_WEEK -
	       weekly_rate_mu * k / ACCOUNT_INSTALMENTS_PER_WEEK;
}

/* Running on emergency credit: EC taken and the customer's own balance used up. */
static bool on_emergency_credit(const struct account *a)
{
	return (a->ec_state == ACCOUNT_EC_IN_USE || a->ec_state == ACCOUNT_EC_EXHAUSTED) &&
	       a->balance_mu <= 0;
}

/* Collect one instalment; false if it was skipped (halted, suspended, balance at its bound). */
static bool collect(struct account *a, int64_t utc, int64_t amount_mu, struct account_output *out)
{
	const struct account_config *c = &a->config;

	if (c->debt_collection == ACCOUNT_DEBT_HALT_OUT_OF_CREDIT && account_out_of_credit(a))
		return false;
	if (on_emergency_credit(a)) {
		switch (c->debt_in_ec) {
		case ACCOUNT_DEBT_EC_SUSPEND:
			return false;
		case ACCOUNT_DEBT_EC_KEEP_EC:
			a->debt_to_clear_mu += amount_mu;
			return true;
		case ACCOUNT_DEBT_EC_REDUCE_EC:
			account_spend_ec(a, utc, amount_mu, out);
			a->debt_to_clear_mu += amount_mu;
			return true;
		}
	}
	return account_apply_charge(a, utc, amount_mu, out) == 0;
}

void account_collect_instalments(struct account *a, int64_t utc, struct account_output *out)
{
	int64_t due_slot = utc / ACCOUNT_INSTALMENT_S;

	while (a->debt_slot < due_slot) {
		if (a->time_debt_mu == 0 || a->config.debt_weekly_rate_mu == 0) {
			a->debt_slot = due_slot;
			return;
		}
		a->debt_slot++;
		int64_t amount = account_min(
		    account_instalment_amount(a->config.debt_weekly_rate_mu, a->debt_slot),
		    a->time_debt_mu);
		int64_t slot_utc = a->debt_slot * ACCOUNT_INSTALMENT_S;
		if (amount == 0 || !collect(a, slot_utc, amount, out))
			continue;
		a->time_debt_mu -= amount;
		if (a->time_debt_mu == 0) {
			struct account_event *ev =
			    account_emit(out, ACCOUNT_EVENT_DEBT_CLEARED, slot_utc, amount);
			if (ev)
				ev->debt = ACCOUNT_DEBT_TIME;
		}
	}
}

int account_set_debt(struct account *acc, const struct account_time *now, int64_t time_debt_mu,
		     int64_t payment_debt_mu, struct account_output *out)
{
	if (time_debt_mu < 0 || payment_debt_mu < 0)
		return account_refuse(out, -EINVAL, "a debt must not be negative");
	if (time_debt_mu > ACCOUNT_AMOUNT_MAX_MU || payment_debt_mu > ACCOUNT_AMOUNT_MAX_MU)
		return account_refuse(out, -ERANGE, "debt above 1e13 mu");

	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	work.time_debt_mu = time_debt_mu;
	work.payment_debt_mu = payment_debt_mu;
	return account_commit(acc, &work, now, ACCOUNT_REASON_NONE, out);
}
