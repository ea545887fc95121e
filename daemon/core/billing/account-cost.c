/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account engine's cost registers (§8.5): cost today and cost in the last hour, from the
 * charges account_charge() and account_charge_over() take (energy, standing charge, levies).
 *
 * Cost in the last hour is kept in one bucket a UTC minute (60 of them, a ring): the last hour
 * is the minute in progress and the 59 before it. A cost that accrued over an interval is
 * spread over the interval's seconds, each second's share going to its minute; the share of
 * minutes older than the last hour is not kept. So after a long stop of the daemon, whose
 * energy is billed as one interval at the first sample, the last hour shows the last hour's
 * share of it, not the whole gap's cost.
 */

#include "core/billing/account-internal.h"

static void add_to_minute(struct account *a, int64_t minute, int64_t amount_mu)
{
	struct account_cost_bucket *b = &a->cost_minutes[minute % ACCOUNT_COST_BUCKETS];

	/* a bucket holding another minute holds one at least an hour older: start it again */
	if (b->minute != minute) {
		b->minute = minute;
		b->cost_mu = 0;
	}
	b->cost_mu += amount_mu;
}

/* The share of amount_mu (spread evenly over [since, utc]) that accrued from @from to @utc.
 * utc - from is at most an hour and a minute, amount_mu at most 1e13: no overflow. */
static int64_t share_from(int64_t amount_mu, int64_t since, int64_t utc, int64_t from)
{
	return amount_mu * (utc - from) / (utc - since);
}

void account_add_cost(struct account *a, int64_t since_utc, int64_t utc, int64_t amount_mu)
{
	int64_t last_minute = utc / 60;

	a->cost_today_mu += amount_mu;
	/* an interval within one minute: all of it is that minute's (the loop below would give
	 * the same, at two divisions a call) */
	if (since_utc >= utc || since_utc / 60 == last_minute) {
		add_to_minute(a, last_minute, amount_mu);
		return;
	}
	int64_t first_minute =
	    account_max(since_utc / 60, last_minute - (ACCOUNT_COST_BUCKETS - 1));
	int64_t from = account_max(since_utc, first_minute * 60);
	int64_t left = share_from(amount_mu, since_utc, utc, from);

	/* minute by minute, the share from each minute's start to utc: the differences add up to
	 * exactly the share of the kept minutes */
	for (int64_t m = first_minute; m <= last_minute; m++) {
		int64_t next = account_min((m + 1) * 60, utc);
		int64_t after = share_from(amount_mu, since_utc, utc, next);

		add_to_minute(a, m, left - after);
		left = after;
	}
}

int64_t account_cost_last_hour(const struct account *acc, int64_t now_utc)
{
	int64_t minute = now_utc / 60, sum = 0;

	for (unsigned i = 0; i < ACCOUNT_COST_BUCKETS; i++) {
		const struct account_cost_bucket *b = &acc->cost_minutes[i];
		if (b->minute > minute - ACCOUNT_COST_BUCKETS && b->minute <= minute)
			sum += b->cost_mu;
	}
	return sum;
}
