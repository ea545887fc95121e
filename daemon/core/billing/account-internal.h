/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's parts, shared between its files; not for callers.
 *
 * Every public command runs as a small transaction: account_begin() copies the state into a
 * work copy and lets time pass on it, the command validates and changes the copy, and
 * account_commit() evaluates supply and warnings and copies it back. A refusal simply drops the
 * copy, which is how "a refused command changes nothing" holds byte for byte.
 *
 * A command that can never be refused once time has passed (the tick, a power sample) works on
 * the state itself: account_begin_in_place() and account_commit_in_place() do the same steps
 * without the two copies (the account is 2 kB and these run at every sample).
 */
#ifndef POLYMETER_ACCOUNT_INTERNAL_H
#define POLYMETER_ACCOUNT_INTERNAL_H

#include "core/billing/account.h"

int account_begin(const struct account *acc, const struct account_time *now,
		  struct account_output *out, struct account *work);
int account_commit(struct account *acc, struct account *work, const struct account_time *now,
		   enum account_reason cause, struct account_output *out);
int account_begin_in_place(struct account *acc, const struct account_time *now,
			   struct account_output *out);
void account_commit_in_place(struct account *acc, const struct account_time *now,
			     enum account_reason cause, struct account_output *out);
int account_refuse(struct account_output *out, int err, const char *why);

struct account_event *account_emit(struct account_output *out, enum account_event_type type,
				   int64_t utc, int64_t value);

/* Work out the supply latches, EC offer and low-credit warning for `now`; emit what changed.
 * cause: what a closing contactor is attributed to (NONE: credit restored). */
void account_evaluate(struct account *a, const struct account_time *now, enum account_reason cause,
		      struct account_output *out);

/* account-config.c: every money setting a whole number of minor units; 0 or -EINVAL with
 * *error naming the setting. */
int account_config_check_minor_units(const struct account_config *config, const char **error);

/* Take amount_mu >= 0 from balance, then EC in use, then the balance goes negative.
 * -ERANGE (nothing changed) if the balance would leave its bound. */
int account_apply_charge(struct account *a, int64_t utc, int64_t amount_mu,
			 struct account_output *out);
/* Add credit: repays the EC debt to clear first (ending EC when it reaches zero), then the
 * balance, which may not exceed ceiling_mu (-ERANGE, nothing changed). */
int account_add_credit(struct account *a, int64_t utc, int64_t amount_mu, int64_t ceiling_mu,
		       struct account_output *out);

/*
 * The manual's "falls below" (§4.6.2 "falls below a zero value", §4.6.4, §4.7, §4.3.1, §8.8):
 * strictly less. A value exactly at a line is on its good side: at exactly zero a prepayment
 * customer is in credit. Every threshold of the engine is tested through this (or through
 * account_out_of_credit()), so the supply decision, debt collection's "out of credit", the EC
 * offer and the low-credit warning agree at every line.
 */
static inline bool account_below(int64_t value_mu, int64_t line_mu)
{
	return value_mu < line_mu;
}

/* Available credit below which the supply opens: 0 (prepayment) or the debt limit (PAYG). */
int64_t account_disconnect_threshold(const struct account *a);
/* Prepayment / PAYG with available credit below the disconnect threshold: what opens the
 * supply (outside friendly periods) and halts debt collection option B (§8.10). */
bool account_out_of_credit(const struct account *a);
bool account_is_friendly(const struct account_config *config, const struct account_time *now);

/* account-ec.c */
/* Offers EC when the rules allow it, withdraws an offer they no longer allow. */
void account_ec_update_offer(struct account *a, struct account_output *out);
/* EC in use: spend_mu of EC remaining is spent (at most all of it) and owed_mu added to the
 * debt to clear; when EC runs out it is exhausted and the debt to clear moves into the
 * balance (§8.8). Does nothing unless EC is in use. */
void account_ec_use(struct account *a, int64_t utc, int64_t spend_mu, int64_t owed_mu,
		    struct account_output *out);
/* What account_ec_use() with these amounts would move into the balance (0: EC not used up). */
int64_t account_ec_debt_if_spent(const struct account *a, int64_t spend_mu, int64_t owed_mu);
/* The part of a credit of amount_mu that repays the debt to clear (EC in use), the rest being
 * the balance's. */
int64_t account_ec_repayable(const struct account *a, int64_t amount_mu);
/* After a credit repaid repaid_mu of the debt to clear and the rest went to the balance (which
 * was balance_before_mu): EC ends when its debt is repaid. */
void account_ec_credit_added(struct account *a, int64_t utc, int64_t repaid_mu,
			     int64_t balance_before_mu, struct account_output *out);

/* §7.8's working value: amount_mu (>= 0) taken from the Present Balance as a charge. Held at
 * the balance's bound, which a billing period's charges cannot reach but a corrupted value
 * must not overflow past. */
static inline void account_count_charge(struct account *a, int64_t amount_mu)
{
	if (a->charges_period_mu > ACCOUNT_BALANCE_BOUND_MU - amount_mu)
		a->charges_period_mu = ACCOUNT_BALANCE_BOUND_MU;
	else
		a->charges_period_mu += amount_mu;
}

/* account-cost.c */
/* Cost today and cost in the last hour: amount_mu accrued evenly over [since_utc, utc]. */
void account_add_cost(struct account *a, int64_t since_utc, int64_t utc, int64_t amount_mu);

/* account-debt.c */
/* Time-based debt instalments falling due in (after_utc, until_utc]. */
void account_collect_instalments(struct account *a, int64_t after_utc, int64_t until_utc,
				 struct account_output *out);
/* What those would have collected from the debt (all of them, none halted): they are passed
 * over, the debt unchanged (the meter was powered down, §8.9). */
int64_t account_instalments_passed_over(const struct account *a, int64_t after_utc,
					int64_t until_utc);

/* account-tenancy.c */
void account_apply_tenancy(struct account *a, const struct account_time *now,
			   struct account_output *out);

static inline int64_t account_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static inline int64_t account_max(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

#endif
