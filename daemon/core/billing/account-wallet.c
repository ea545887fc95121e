/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's single wallet: the balance also pays a second utility (e.g. gas) whose
 * cost another local app posts as a running total since the start of the local day, then as
 * the day's final total. Each posting charges (or refunds) the difference from what was already
 * charged for that day, so the final total simply replaces the running postings.
 */

#include <errno.h>
#include <stddef.h>

#include "core/billing/account-internal.h"

/* The slot for local_day, opening a new one for a later day; NULL for a day too old. */
static struct account_wallet_day *slot_for(struct account *a, int32_t local_day)
{
	for (unsigned i = 0; i < 2; i++)
		if (a->wallet[i].used && a->wallet[i].local_day == local_day)
			return &a->wallet[i];
	if (a->wallet[0].used && local_day < a->wallet[0].local_day)
		return NULL;
	a->wallet[1] = a->wallet[0];
	a->wallet[0] = (struct account_wallet_day){.used = true, .local_day = local_day};
	return &a->wallet[0];
}

static int post(struct account *acc, const struct account_time *now, int32_t local_day,
		int64_t total_mu, bool final, struct account_output *out)
{
	if (total_mu < 0)
		return account_refuse(out, -EINVAL, "second-utility cost must not be negative");
	if (total_mu > ACCOUNT_AMOUNT_MAX_MU)
		return account_refuse(out, -ERANGE, "second-utility cost above 1e13 mu");
	if (!account_whole_minor_units(total_mu))
		return account_refuse(out, -EINVAL,
				      "second-utility cost finer than the currency's minor unit "
				      "(a whole number of minor units)");

	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	struct account_wallet_day *day = slot_for(&work, local_day);
	if (!day)
		return account_refuse(out, -EINVAL,
				      "second-utility cost for a day older than the last two");
	if (day->final)
		return account_refuse(out, -EPERM, "that day's second-utility cost is final");

	int64_t delta = total_mu - day->charged_mu;
	if (delta > 0)
		r = account_apply_charge(&work, work.last_utc, delta, out);
	else if (delta < 0)
		r = account_add_credit(&work, work.last_utc, -delta, ACCOUNT_BALANCE_BOUND_MU, out);
	if (r < 0)
		return account_refuse(out, -ERANGE,
				      "second-utility cost would take the balance out of bounds");
	/* the cost charged is a charge (§7.8); a refund is a credit, not counted */
	if (delta > 0)
		account_count_charge(&work, delta);
	day->charged_mu = total_mu;
	if (final) {
		day->final = true;
		account_emit(out, ACCOUNT_EVENT_WALLET_RECONCILED, work.last_utc, delta);
	}
	return account_commit(acc, &work, now, ACCOUNT_REASON_NONE, out);
}

int account_wallet_post(struct account *acc, const struct account_time *now, int32_t local_day,
			int64_t cost_since_day_start_mu, struct account_output *out)
{
	return post(acc, now, local_day, cost_since_day_start_mu, false, out);
}

int account_wallet_final(struct account *acc, const struct account_time *now, int32_t local_day,
			 int64_t day_total_mu, struct account_output *out)
{
	return post(acc, now, local_day, day_total_mu, true, out);
}
