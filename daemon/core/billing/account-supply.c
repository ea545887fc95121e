/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's supply control: remote disconnect and reconnect (immediate or armed),
 * the customer's confirmation, and load limiting.
 *
 * The contactor is closed only when no latch holds it open. Latches, in priority order:
 * remote disconnect (until a remote reconnect), out of credit (until credit is back, then
 * armed if configured), load limit (until the customer confirms), armed (until the customer
 * confirms). The customer can never override a remote disconnect or a lack of credit.
 */

#include <errno.h>

#include "core/billing/account-internal.h"

int account_remote_disconnect(struct account *acc, const struct account_time *now,
			      struct account_output *out)
{
	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	work.remote_open = true;
	work.awaiting_confirmation = false;
	return account_commit(acc, &work, now, ACCOUNT_REASON_NONE, out);
}

int account_remote_reconnect(struct account *acc, const struct account_time *now, bool armed,
			     struct account_output *out)
{
	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	bool was_open = !account_supply(&work).closed;
	work.remote_open = false;
	/* Arming only makes sense for an open contactor: never open a closed one to arm it. */
	work.awaiting_confirmation = armed && was_open;
	return account_commit(acc, &work, now, ACCOUNT_REASON_REMOTE_RECONNECT, out);
}

int account_confirm(struct account *acc, const struct account_time *now, struct account_output *out)
{
	struct account work;
	int r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;
	if (!work.awaiting_confirmation && !work.load_limit_open)
		return account_refuse(out, -EPERM, "nothing awaits the customer's confirmation");
	work.awaiting_confirmation = false;
	work.load_limit_open = false;
	work.over_limit = false;
	return account_commit(acc, &work, now, ACCOUNT_REASON_CUSTOMER_CONFIRMATION, out);
}

int account_power_sample(struct account *acc, const struct account_time *now, int32_t import_w,
			 int32_t unbalance_w, bool peak_rate, struct account_output *out)
{
	/* never refused once time has passed: on the state itself */
	int r = account_begin_in_place(acc, now, out);
	if (r < 0)
		return r;

	const struct account_config *c = &acc->config;
	uint32_t limit_w =
	    peak_rate && c->load_limit_peak_w > 0 ? c->load_limit_peak_w : c->load_limit_w;
	bool over_load = limit_w > 0 && import_w > (int64_t)limit_w;
	bool over_unbalance =
	    c->phase_unbalance_limit_w > 0 && unbalance_w > (int64_t)c->phase_unbalance_limit_w;
	/* one timer: over either limit, continuously */
	if ((!over_load && !over_unbalance) || !account_supply(acc).closed) {
		acc->over_limit = false;
	} else {
		if (!acc->over_limit) {
			acc->over_limit = true;
			acc->over_limit_since_utc = acc->last_utc;
		}
		if (acc->last_utc - acc->over_limit_since_utc >= c->load_limit_period_s) {
			acc->over_limit = false;
			acc->load_limit_open = true;
			account_emit(out,
				     over_load ? ACCOUNT_EVENT_LOAD_LIMIT_TRIPPED
					       : ACCOUNT_EVENT_PHASE_UNBALANCE_TRIPPED,
				     acc->last_utc, over_load ? import_w : unbalance_w);
		}
	}
	account_commit_in_place(acc, now, ACCOUNT_REASON_NONE, out);
	return 0;
}
