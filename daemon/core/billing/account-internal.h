/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's parts, shared between its files; not for callers.
 *
 * Every public command runs as a small transaction: account_begin() copies the state into a
 * work copy and lets time pass on it, the command validates and changes the copy, and
 * account_commit() evaluates supply and warnings and copies it back. A refusal simply drops the
 * copy, which is how "a refused command changes nothing" holds byte for byte.
 */
#ifndef POLYMETER_ACCOUNT_INTERNAL_H
#define POLYMETER_ACCOUNT_INTERNAL_H

#include "core/billing/account.h"

int account_begin(const struct account *acc, const struct account_time *now,
		  struct account_output *out, struct account *work);
int account_commit(struct account *acc, struct account *work, const struct account_time *now,
		   enum account_reason cause, struct account_output *out);
int account_refuse(struct account_output *out, int err, const char *why);

struct account_event *account_emit(struct account_output *out, enum account_event_type type,
				   int64_t utc, int64_t value);

/* Work out the supply latches, EC offer and low-credit warning for `now`; emit what changed.
 * cause: what a closing contactor is attributed to (NONE: credit restored). */
void account_evaluate(struct account *a, const struct account_time *now, enum account_reason cause,
		      struct account_output *out);

/* Take amount_mu >= 0 from balance, then EC in use, then the balance goes negative.
 * -ERANGE (nothing changed) if the balance would leave its bound. */
int account_apply_charge(struct account *a, int64_t utc, int64_t amount_mu,
			 struct account_output *out);
/* Add credit: repays the EC debt to clear first (ending EC when it reaches zero), then the
 * balance, which may not exceed ceiling_mu (-ERANGE, nothing changed). */
int account_add_credit(struct account *a, int64_t utc, int64_t amount_mu, int64_t ceiling_mu,
		       struct account_output *out);
/* Spend up to amount_mu of EC remaining (EXHAUSTED when it reaches zero); returns the spend. */
int64_t account_spend_ec(struct account *a, int64_t utc, int64_t amount_mu,
			 struct account_output *out);

/* Available credit below which the supply opens: 0 (prepayment) or the debt limit (PAYG). */
int64_t account_disconnect_threshold(const struct account *a);
/* Prepayment / PAYG with available credit at or below the disconnect threshold. */
bool account_out_of_credit(const struct account *a);
bool account_is_friendly(const struct account_config *config, const struct account_time *now);

/* account-debt.c */
void account_collect_instalments(struct account *a, int64_t utc, struct account_output *out);

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
