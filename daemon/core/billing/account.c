/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's frame: the command transaction, time passing, the evaluation of supply,
 * emergency-credit offer and low-credit warning after every change, configuration, and the
 * read-only views. Every threshold is tested with account_below(): the manual's "falls below".
 */

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "core/billing/account-internal.h"

static void reset_output(struct account_output *out)
{
	out->error = NULL;
	out->n_events = 0;
	out->events_overflowed = false;
}

int account_refuse(struct account_output *out, int err, const char *why)
{
	reset_output(out);
	out->error = why;
	return err;
}

struct account_event *account_emit(struct account_output *out, enum account_event_type type,
				   int64_t utc, int64_t value)
{
	if (out->n_events >= ACCOUNT_EVENTS_MAX) {
		out->events_overflowed = true;
		return NULL;
	}
	struct account_event *ev = &out->events[out->n_events++];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->utc = utc;
	ev->value = value;
	return ev;
}

static int validate_time(const struct account_time *now, struct account_output *out)
{
	if (now->utc < 0)
		return account_refuse(out, -EINVAL, "time before 1970-01-01 UTC");
	if (now->weekday > 6)
		return account_refuse(out, -EINVAL, "weekday must be 0 (Monday) .. 6 (Sunday)");
	if (now->second_of_day >= ACCOUNT_SECONDS_PER_DAY)
		return account_refuse(out, -EINVAL, "second of day must be 0 .. 86399");
	return 0;
}

/*
 * Let time pass on the work copy: new local day, debt instalments, a change of tenancy due.
 * powered_down: the meter was off since the last call: the instalments due meanwhile are
 * passed over (their amount added to *skipped_mu), not collected.
 */
static void advance(struct account *a, const struct account_time *now, bool powered_down,
		    int64_t *skipped_mu, struct account_output *out)
{
	int64_t before = a->last_utc;

	/* A clock stepped back is "no time has passed": nothing is collected twice, and no day
	 * starts again (nor does one for an interval charged after a power-up, billing-accrual.c)
	 */
	a->last_utc = account_max(a->last_utc, now->utc);
	if (now->local_day > a->cost_day) {
		a->cost_day = now->local_day;
		a->cost_today_mu = 0;
	}
	if (powered_down)
		*skipped_mu = account_instalments_passed_over(a, before, a->last_utc);
	else
		account_collect_instalments(a, before, a->last_utc, out);
	if (a->tenancy_pending && a->tenancy.effective_utc <= a->last_utc)
		account_apply_tenancy(a, now, out);
	account_evaluate(a, now, ACCOUNT_REASON_NONE, out);
}

int account_begin(const struct account *acc, const struct account_time *now,
		  struct account_output *out, struct account *work)
{
	assert(acc && now && out && work);
	reset_output(out);
	int r = validate_time(now, out);
	if (r < 0)
		return r;
	*work = *acc;
	advance(work, now, false, NULL, out);
	return 0;
}

int account_begin_in_place(struct account *acc, const struct account_time *now,
			   struct account_output *out)
{
	assert(acc && now && out);
	reset_output(out);
	int r = validate_time(now, out);
	if (r < 0)
		return r;
	advance(acc, now, false, NULL, out);
	return 0;
}

void account_commit_in_place(struct account *acc, const struct account_time *now,
			     enum account_reason cause, struct account_output *out)
{
	account_evaluate(acc, now, cause, out);
}

int account_power_up(struct account *acc, const struct account_time *now, int64_t *skipped_mu,
		     struct account_output *out)
{
	struct account work;

	assert(acc && now && out && skipped_mu);
	*skipped_mu = 0;
	reset_output(out);
	int r = validate_time(now, out);
	if (r < 0)
		return r;
	work = *acc;
	advance(&work, now, true, skipped_mu, out);
	return account_commit(acc, &work, now, ACCOUNT_REASON_NONE, out);
}

int account_commit(struct account *acc, struct account *work, const struct account_time *now,
		   enum account_reason cause, struct account_output *out)
{
	account_evaluate(work, now, cause, out);
	*acc = *work;
	return 0;
}

int64_t account_disconnect_threshold(const struct account *a)
{
	return a->config.mode == ACCOUNT_MODE_PAYG ? a->config.payg_debt_limit_mu : 0;
}

bool account_out_of_credit(const struct account *a)
{
	return a->config.mode != ACCOUNT_MODE_CREDIT &&
	       account_below(account_available_credit(a), account_disconnect_threshold(a));
}

bool account_is_friendly(const struct account_config *c, const struct account_time *now)
{
	if (c->friendly_special_days && now->friendly_day)
		return true;
	for (unsigned i = 0; i < c->friendly_count[now->weekday]; i++) {
		const struct account_friendly_period *p = &c->friendly[now->weekday][i];
		if (now->second_of_day >= p->start_s && now->second_of_day < p->end_s)
			return true;
	}
	return false;
}

static void update_credit_latch(struct account *a, struct account_output *out)
{
	if (account_out_of_credit(a)) {
		if (a->credit_open)
			return;
		if (a->friendly_now) {
			if (!a->suspension_reported)
				account_emit(out, ACCOUNT_EVENT_DISCONNECT_SUSPENDED, a->last_utc,
					     account_available_credit(a));
			a->suspension_reported = true;
			return;
		}
		a->credit_open = true;
		a->suspension_reported = false;
		/* Whatever was armed must now also wait for credit. */
		a->awaiting_confirmation = false;
		return;
	}
	a->suspension_reported = false;
	if (a->credit_open) {
		a->credit_open = false;
		if (a->config.credit_reconnect_needs_confirmation)
			a->awaiting_confirmation = true;
	}
}

static void update_low_credit(struct account *a, struct account_output *out)
{
	int64_t available = account_available_credit(a);
	bool low = a->config.mode != ACCOUNT_MODE_CREDIT &&
		   account_below(available, a->config.low_credit_threshold_mu);

	if (!low) {
		a->low_credit_warned = false;
		return;
	}
	/* In a friendly period the warning waits for the period's end. */
	if (a->low_credit_warned || a->friendly_now)
		return;
	a->low_credit_warned = true;
	account_emit(out, ACCOUNT_EVENT_LOW_CREDIT, a->last_utc, available);
}

static void report_supply(struct account *a, enum account_reason cause, struct account_output *out)
{
	struct account_supply now = account_supply(a);
	struct account_supply before = a->reported_supply;
	struct account_event *ev = NULL;

	if (!now.closed && now.reason == ACCOUNT_REASON_AWAITING_CONFIRMATION &&
	    (before.closed || before.reason != now.reason))
		ev = account_emit(out, ACCOUNT_EVENT_SUPPLY_ARMED, a->last_utc, 0);
	else if (!now.closed && before.closed)
		ev = account_emit(out, ACCOUNT_EVENT_SUPPLY_OPENED, a->last_utc, 0);
	else if (now.closed && !before.closed)
		ev = account_emit(out, ACCOUNT_EVENT_SUPPLY_CLOSED, a->last_utc, 0);
	if (ev)
		ev->reason =
		    now.closed
			? (cause != ACCOUNT_REASON_NONE ? cause : ACCOUNT_REASON_CREDIT_RESTORED)
			: now.reason;
	a->reported_supply = now;
}

void account_evaluate(struct account *a, const struct account_time *now, enum account_reason cause,
		      struct account_output *out)
{
	a->friendly_now =
	    a->config.mode != ACCOUNT_MODE_CREDIT && account_is_friendly(&a->config, now);
	update_credit_latch(a, out);
	account_ec_update_offer(a, out);
	update_low_credit(a, out);
	report_supply(a, cause, out);
}

int account_init(struct account *acc, const struct account_time *now, struct account_output *out)
{
	assert(acc && now && out);
	reset_output(out);
	int r = validate_time(now, out);
	if (r < 0)
		return r;
	memset(acc, 0, sizeof(*acc));
	account_config_default(&acc->config);
	acc->last_utc = now->utc;
	acc->cost_day = now->local_day;
	acc->debt_origin_utc = now->utc;
	acc->reported_supply.closed = true;
	account_evaluate(acc, now, ACCOUNT_REASON_NONE, out);
	return 0;
}

int account_configure(struct account *acc, const struct account_time *now,
		      const struct account_config *config, struct account_output *out)
{
	struct account work;
	const char *why = NULL;
	int r = account_config_validate(config, &why);
	if (r == 0)
		r = account_config_check_minor_units(config, &why);
	if (r < 0)
		return account_refuse(out, r, why);
	r = account_begin(acc, now, out, &work);
	if (r < 0)
		return r;

	bool mode_changed = work.config.mode != config->mode;
	work.config = *config;
	/* New limits start a new measurement of the overload. */
	work.over_limit = false;
	return account_commit(acc, &work, now,
			      mode_changed ? ACCOUNT_REASON_MODE_CHANGE : ACCOUNT_REASON_NONE, out);
}

int account_set_mode(struct account *acc, const struct account_time *now, enum account_mode mode,
		     struct account_output *out)
{
	struct account_config config = acc->config;
	config.mode = mode;
	return account_configure(acc, now, &config, out);
}

int account_tick(struct account *acc, const struct account_time *now, struct account_output *out)
{
	int r = account_begin_in_place(acc, now, out);
	if (r < 0)
		return r;
	account_commit_in_place(acc, now, ACCOUNT_REASON_NONE, out);
	return 0;
}

int64_t account_end_charges_period(struct account *acc)
{
	int64_t taken = acc->charges_period_mu;

	acc->charges_period_mu = 0;
	return taken;
}

int64_t account_available_credit(const struct account *acc)
{
	int64_t ec = acc->ec_state == ACCOUNT_EC_IN_USE ? acc->ec_remaining_mu : 0;
	return acc->balance_mu + ec;
}

struct account_supply account_supply(const struct account *acc)
{
	struct account_supply s = {.closed = false};

	if (acc->remote_open)
		s.reason = ACCOUNT_REASON_REMOTE_DISCONNECT;
	else if (acc->credit_open)
		s.reason = ACCOUNT_REASON_OUT_OF_CREDIT;
	else if (acc->load_limit_open)
		s.reason = ACCOUNT_REASON_LOAD_LIMIT;
	else if (acc->awaiting_confirmation)
		s.reason = ACCOUNT_REASON_AWAITING_CONFIRMATION;
	else {
		s.closed = true;
		s.reason = account_out_of_credit(acc) && acc->friendly_now
			       ? ACCOUNT_REASON_FRIENDLY_PERIOD
			       : ACCOUNT_REASON_NONE;
	}
	return s;
}

void account_read_registers(const struct account *acc, int64_t now_utc,
			    struct account_registers *regs)
{
	memset(regs, 0, sizeof(*regs));
	regs->mode = acc->config.mode;
	regs->balance_mu = acc->balance_mu;
	regs->available_credit_mu = account_available_credit(acc);
	regs->ec_state = acc->ec_state;
	regs->ec_remaining_mu = acc->ec_remaining_mu;
	regs->debt_to_clear_mu = acc->debt_to_clear_mu;
	regs->time_debt_mu = acc->time_debt_mu;
	regs->charges_period_mu = acc->charges_period_mu;
	regs->payment_debt_mu = acc->payment_debt_mu;
	regs->total_credit_mu = acc->total_credit_mu;
	regs->payment_count = acc->payment_count;
	regs->cost_today_mu = acc->cost_today_mu;
	regs->cost_last_hour_mu = account_cost_last_hour(acc, now_utc);
}

bool account_payment_at(const struct account *acc, unsigned i, struct account_payment *payment)
{
	if (i >= acc->payment_log_len)
		return false;
	unsigned slot =
	    (acc->payment_log_next + ACCOUNT_PAYMENT_LOG_LEN - 1 - i) % ACCOUNT_PAYMENT_LOG_LEN;
	*payment = acc->payment_log[slot];
	return true;
}

const char *account_reason_name(enum account_reason reason)
{
	switch (reason) {
	case ACCOUNT_REASON_NONE:
		return "none";
	case ACCOUNT_REASON_REMOTE_DISCONNECT:
		return "remote-disconnect";
	case ACCOUNT_REASON_OUT_OF_CREDIT:
		return "out-of-credit";
	case ACCOUNT_REASON_LOAD_LIMIT:
		return "load-limit";
	case ACCOUNT_REASON_AWAITING_CONFIRMATION:
		return "awaiting-confirmation";
	case ACCOUNT_REASON_FRIENDLY_PERIOD:
		return "friendly-period";
	case ACCOUNT_REASON_CREDIT_RESTORED:
		return "credit-restored";
	case ACCOUNT_REASON_REMOTE_RECONNECT:
		return "remote-reconnect";
	case ACCOUNT_REASON_CUSTOMER_CONFIRMATION:
		return "customer-confirmation";
	case ACCOUNT_REASON_MODE_CHANGE:
		return "mode-change";
	case ACCOUNT_REASON_TENANCY_CHANGE:
		return "tenancy-change";
	}
	return "unknown";
}

const char *account_event_name(enum account_event_type type)
{
	switch (type) {
	case ACCOUNT_EVENT_PAYMENT_ACCEPTED:
		return "payment-accepted";
	case ACCOUNT_EVENT_LOW_CREDIT:
		return "low-credit";
	case ACCOUNT_EVENT_EC_AVAILABLE:
		return "emergency-credit-available";
	case ACCOUNT_EVENT_EC_TAKEN:
		return "emergency-credit-taken";
	case ACCOUNT_EVENT_EC_EXHAUSTED:
		return "emergency-credit-exhausted";
	case ACCOUNT_EVENT_DEBT_CLEARED:
		return "debt-cleared";
	case ACCOUNT_EVENT_SUPPLY_OPENED:
		return "supply-opened";
	case ACCOUNT_EVENT_SUPPLY_ARMED:
		return "supply-armed";
	case ACCOUNT_EVENT_SUPPLY_CLOSED:
		return "supply-closed";
	case ACCOUNT_EVENT_DISCONNECT_SUSPENDED:
		return "disconnect-suspended";
	case ACCOUNT_EVENT_LOAD_LIMIT_TRIPPED:
		return "load-limit-tripped";
	case ACCOUNT_EVENT_PHASE_UNBALANCE_TRIPPED:
		return "phase-unbalance-tripped";
	case ACCOUNT_EVENT_SNAPSHOT_REQUIRED:
		return "snapshot-required";
	case ACCOUNT_EVENT_TENANCY_CHANGED:
		return "tenancy-changed";
	case ACCOUNT_EVENT_WALLET_RECONCILED:
		return "wallet-reconciled";
	}
	return "unknown";
}
