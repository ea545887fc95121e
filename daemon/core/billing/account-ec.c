/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's emergency credit (EC), as the UK prepayment meter manual lays it out
 * (§8.8, §9.4, §9.5; docs/account.md shows the registers step by step). The manual's Present
 * Balance register is our available credit: balance (the customer's own money) + EC remaining.
 *
 *  - Offered when the balance falls below the EC availability point (the threshold), in
 *    prepayment mode only: never in credit mode (§8.1) nor in PAYG (§4.6.4: "Emergency credit
 *    operation is disabled ... when using the PAYG mode").
 *  - Taken: EC remaining = the EC value. A negative balance (debt accrued in a friendly
 *    period) "will be reset and overwritten with the EC value. The Debt value will be written
 *    into the Debt to clear register": the balance starts again at zero, so the whole EC value
 *    is spendable.
 *  - Spent: every mu of EC spent is added to the debt to clear; so are debt instalments
 *    collected while running on EC (§8.10 options i and ii, account-debt.c).
 *  - Exhausted: "the Meter will transfer the amount in the Debt to Clear register into the
 *    Present Balance register", which then shows the whole debt, and the debt to clear is
 *    cleared. EC is not offered again until that debt is repaid (the balance back to zero or
 *    above) and the balance is below the threshold.
 *  - Credit while EC is in use repays the debt to clear first ("reduce the register by the
 *    credit value and remain in emergency credit"); once it is repaid EC ends and the unspent
 *    EC is withdrawn (it was never the customer's: "minus the EC value").
 */

#include <errno.h>

#include "core/billing/account-internal.h"

void account_ec_update_offer(struct account *a, struct account_output *out)
{
	const struct account_config *c = &a->config;
	bool may_offer = c->ec_enabled && c->mode == ACCOUNT_MODE_PREPAYMENT &&
			 account_below(a->balance_mu, c->ec_threshold_mu);

	/* exhausted with nothing owed any more (a credit repays it, account_ec_credit_added(); a
	 * currency conversion may round a debt to zero): EC may be offered again */
	if (a->ec_state == ACCOUNT_EC_EXHAUSTED && !account_below(a->balance_mu, 0))
		a->ec_state = ACCOUNT_EC_NONE;
	if (a->ec_state == ACCOUNT_EC_NONE && may_offer) {
		a->ec_state = ACCOUNT_EC_AVAILABLE;
		account_emit(out, ACCOUNT_EVENT_EC_AVAILABLE, a->last_utc, c->ec_value_mu);
	} else if (a->ec_state == ACCOUNT_EC_AVAILABLE && !may_offer) {
		a->ec_state = ACCOUNT_EC_NONE;
	}
}

/* §8.8: the debt to clear moves into the balance, which shows the whole debt. */
static void exhaust(struct account *a, int64_t utc, struct account_output *out)
{
	int64_t debt = a->debt_to_clear_mu;

	a->balance_mu -= debt;
	a->debt_to_clear_mu = 0;
	a->ec_remaining_mu = 0;
	a->ec_state = ACCOUNT_EC_EXHAUSTED;
	account_emit(out, ACCOUNT_EVENT_EC_EXHAUSTED, utc, debt);
}

int64_t account_ec_debt_if_spent(const struct account *a, int64_t spend_mu, int64_t owed_mu)
{
	if (a->ec_state != ACCOUNT_EC_IN_USE || spend_mu < a->ec_remaining_mu)
		return 0;
	return a->debt_to_clear_mu + owed_mu;
}

void account_ec_use(struct account *a, int64_t utc, int64_t spend_mu, int64_t owed_mu,
		    struct account_output *out)
{
	if (a->ec_state != ACCOUNT_EC_IN_USE)
		return;
	spend_mu = account_min(spend_mu, a->ec_remaining_mu);
	a->ec_remaining_mu -= spend_mu;
	a->debt_to_clear_mu += owed_mu;
	if (a->ec_remaining_mu == 0)
		exhaust(a, utc, out);
}

int64_t account_ec_repayable(const struct account *a, int64_t amount_mu)
{
	return a->ec_state == ACCOUNT_EC_IN_USE ? account_min(amount_mu, a->debt_to_clear_mu) : 0;
}

static void debt_cleared(int64_t utc, int64_t repaid_mu, struct account_output *out)
{
	struct account_event *ev;

	if (repaid_mu <= 0)
		return;
	ev = account_emit(out, ACCOUNT_EVENT_DEBT_CLEARED, utc, repaid_mu);
	if (ev)
		ev->debt = ACCOUNT_DEBT_TO_CLEAR;
}

void account_ec_credit_added(struct account *a, int64_t utc, int64_t repaid_mu,
			     int64_t balance_before_mu, struct account_output *out)
{
	if (a->ec_state == ACCOUNT_EC_IN_USE && a->debt_to_clear_mu == 0) {
		/* repaid (or nothing was owed): EC ends, the unspent EC is withdrawn; it is offered
		 * again by account_evaluate() if the balance is below the threshold */
		a->ec_state = ACCOUNT_EC_NONE;
		a->ec_remaining_mu = 0;
		debt_cleared(utc, repaid_mu, out);
	} else if (a->ec_state == ACCOUNT_EC_EXHAUSTED && !account_below(a->balance_mu, 0)) {
		/* the debt the balance showed is repaid: EC may be offered again */
		a->ec_state = ACCOUNT_EC_NONE;
		debt_cleared(utc, -balance_before_mu, out);
	}
}

static const char *why_no_ec(const struct account *a)
{
	if (a->config.mode == ACCOUNT_MODE_CREDIT)
		return "emergency credit is not used in credit mode (§8.1)";
	if (a->config.mode == ACCOUNT_MODE_PAYG)
		return "emergency credit is disabled in PAYG mode (§4.6.4): the supply stays on "
		       "down "
		       "to the PAYG debt limit";
	if (!a->config.ec_enabled)
		return "emergency credit is disabled";
	if (a->ec_state == ACCOUNT_EC_IN_USE)
		return "emergency credit already taken and not yet repaid";
	if (a->ec_state == ACCOUNT_EC_EXHAUSTED)
		return "emergency credit exhausted: it is offered again once the debt in the "
		       "balance is repaid (§8.8)";
	return "emergency credit is not available: balance not below its threshold";
}

int account_take_emergency_credit(struct account *acc, const struct account_time *now,
				  bool at_meter, struct account_output *out)
{
	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	if (work.ec_state != ACCOUNT_EC_AVAILABLE)
		return account_refuse(out, -EPERM, why_no_ec(&work));

	work.ec_state = ACCOUNT_EC_IN_USE;
	work.ec_remaining_mu = work.config.ec_value_mu;
	/* §8.8: a negative balance is written into the debt to clear and the balance overwritten,
	 * so the customer can spend the whole EC value (offered only with nothing owed) */
	if (account_below(work.balance_mu, 0)) {
		work.debt_to_clear_mu += -work.balance_mu;
		work.balance_mu = 0;
	}
	account_emit(out, ACCOUNT_EVENT_EC_TAKEN, work.last_utc, work.ec_remaining_mu);
	if (!at_meter)
		return account_commit(acc, &work, now, ACCOUNT_REASON_CREDIT_RESTORED, out);

	/* The button press that took the EC is also the customer's confirmation, so a supply
	 * held open for credit closes at once instead of being armed. */
	if (work.credit_open && !account_out_of_credit(&work))
		work.credit_open = false;
	work.awaiting_confirmation = false;
	return account_commit(acc, &work, now, ACCOUNT_REASON_CUSTOMER_CONFIRMATION, out);
}
