/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's change of tenancy or supplier: validated when requested, applied now or
 * at its date, always after a SNAPSHOT_REQUIRED event that carries the registers as they were.
 */

#include <errno.h>
#include <string.h>

#include "core/billing/account-internal.h"

static bool valid_action(enum account_register_action action)
{
	return action == ACCOUNT_REGISTER_KEEP || action == ACCOUNT_REGISTER_RESET ||
	       action == ACCOUNT_REGISTER_SET;
}

static const char *validate(const struct account *a, const struct account_tenancy_change *c)
{
	if (c->effective_utc < 0)
		return "change of tenancy dated before 1970-01-01 UTC";
	if (!valid_action(c->balance_action) || !valid_action(c->debt_action))
		return "unknown register action (keep, reset or set)";
	if (c->contactor != ACCOUNT_CONTACTOR_UNCHANGED && c->contactor != ACCOUNT_CONTACTOR_OPEN &&
	    c->contactor != ACCOUNT_CONTACTOR_CLOSE && c->contactor != ACCOUNT_CONTACTOR_ARM)
		return "unknown contactor action";
	if (c->balance_action == ACCOUNT_REGISTER_SET &&
	    (c->balance_mu < -ACCOUNT_BALANCE_BOUND_MU || c->balance_mu > a->config.max_balance_mu))
		return "new balance outside -1e15 mu .. the maximum balance";
	if (c->debt_action == ACCOUNT_REGISTER_SET &&
	    (c->time_debt_mu < 0 || c->time_debt_mu > ACCOUNT_AMOUNT_MAX_MU ||
	     c->payment_debt_mu < 0 || c->payment_debt_mu > ACCOUNT_AMOUNT_MAX_MU))
		return "new debts must be 0 .. 1e13 mu";
	if (c->balance_action == ACCOUNT_REGISTER_SET && !account_whole_minor_units(c->balance_mu))
		return "new balance finer than the currency's minor unit (a whole number of minor "
		       "units)";
	if (c->debt_action == ACCOUNT_REGISTER_SET &&
	    (!account_whole_minor_units(c->time_debt_mu) ||
	     !account_whole_minor_units(c->payment_debt_mu)))
		return "new debts finer than the currency's minor unit (a whole number of minor "
		       "units)";
	return NULL;
}

static int64_t new_value(enum account_register_action action, int64_t old, int64_t value)
{
	return action == ACCOUNT_REGISTER_KEEP ? old : action == ACCOUNT_REGISTER_SET ? value : 0;
}

void account_apply_tenancy(struct account *a, const struct account_time *now,
			   struct account_output *out)
{
	struct account_tenancy_change c = a->tenancy;
	int64_t utc = a->last_utc;

	struct account_event *snap = account_emit(out, ACCOUNT_EVENT_SNAPSHOT_REQUIRED, utc, 0);
	if (snap)
		account_read_registers(a, utc, &snap->registers);

	if (c.balance_action != ACCOUNT_REGISTER_KEEP) {
		a->balance_mu = new_value(c.balance_action, a->balance_mu, c.balance_mu);
		a->ec_state = ACCOUNT_EC_NONE;
		a->ec_remaining_mu = 0;
		a->debt_to_clear_mu = 0;
		a->low_credit_warned = false;
	}
	a->time_debt_mu = new_value(c.debt_action, a->time_debt_mu, c.time_debt_mu);
	a->payment_debt_mu = new_value(c.debt_action, a->payment_debt_mu, c.payment_debt_mu);
	if (c.debt_action != ACCOUNT_REGISTER_KEEP)
		a->debt_origin_utc = utc; /* a debt set counts its instalments from now (§8.10) */
	if (c.clear_payment_log) {
		memset(a->payment_log, 0, sizeof(a->payment_log));
		a->payment_log_len = 0;
		a->payment_log_next = 0;
		a->payment_count = 0;
	}
	switch (c.contactor) {
	case ACCOUNT_CONTACTOR_UNCHANGED:
		break;
	case ACCOUNT_CONTACTOR_OPEN:
		a->remote_open = true;
		a->awaiting_confirmation = false;
		break;
	case ACCOUNT_CONTACTOR_CLOSE:
		a->remote_open = false;
		a->awaiting_confirmation = false;
		break;
	case ACCOUNT_CONTACTOR_ARM:
		a->awaiting_confirmation = !account_supply(a).closed;
		a->remote_open = false;
		break;
	}
	a->tenancy_pending = false;
	memset(&a->tenancy, 0, sizeof(a->tenancy));

	struct account_event *ev = account_emit(out, ACCOUNT_EVENT_TENANCY_CHANGED, utc, 0);
	if (ev) {
		ev->zero_standing_charge = c.zero_standing_charge;
		ev->clear_future_tariffs = c.clear_future_tariffs;
	}
	account_evaluate(a, now, ACCOUNT_REASON_TENANCY_CHANGE, out);
}

int account_change_tenancy(struct account *acc, const struct account_time *now,
			   const struct account_tenancy_change *change, struct account_output *out)
{
	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	const char *why = validate(&work, change);
	if (why)
		return account_refuse(out, -EINVAL, why);

	work.tenancy = *change;
	work.tenancy_pending = true;
	if (change->effective_utc <= work.last_utc)
		account_apply_tenancy(&work, now, out);
	return account_commit(acc, &work, now, ACCOUNT_REASON_TENANCY_CHANGE, out);
}
