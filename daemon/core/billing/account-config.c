/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The account engine's configuration: defaults, complete validation, and the whole minor units
 * asked of the amounts people give. */

#include <errno.h>
#include <string.h>

#include "core/billing/account-internal.h"

void account_config_default(struct account_config *config)
{
	memset(config, 0, sizeof(*config));
	config->mode = ACCOUNT_MODE_CREDIT;
	config->max_balance_mu = 1000000 * ACCOUNT_MU_PER_UNIT;
	config->debt_collection = ACCOUNT_DEBT_COLLECT_ALWAYS;
	config->debt_in_ec = ACCOUNT_DEBT_EC_REDUCE_EC;
	config->credit_reconnect_needs_confirmation = true;
}

static bool in_range(int64_t v, int64_t lo, int64_t hi)
{
	return v >= lo && v <= hi;
}

static int fail(const char **error, int err, const char *why)
{
	if (error)
		*error = why;
	return err;
}

static int validate_friendly(const struct account_config *c, const char **error)
{
	for (unsigned day = 0; day < 7; day++) {
		if (c->friendly_count[day] > ACCOUNT_FRIENDLY_PERIODS_PER_DAY)
			return fail(error, -EINVAL, "more than 8 friendly periods on one weekday");
		for (unsigned i = 0; i < c->friendly_count[day]; i++) {
			const struct account_friendly_period *p = &c->friendly[day][i];

			if (p->end_s > ACCOUNT_SECONDS_PER_DAY)
				return fail(error, -ERANGE,
					    "a friendly period ends after 24:00 (86400 s)");
			if (p->start_s >= p->end_s)
				return fail(error, -EINVAL,
					    "a friendly period must start before it ends "
					    "(split an overnight period at midnight)");
		}
	}
	return 0;
}

static int validate_load_limit(const struct account_config *c, const char **error)
{
	if (c->load_limit_w > ACCOUNT_LOAD_LIMIT_MAX_W)
		return fail(error, -ERANGE, "load limit above 24 kW (24000 W)");
	if (c->load_limit_peak_w > c->load_limit_w)
		return c->load_limit_w == 0
			   ? fail(error, -EINVAL, "a peak load limit needs a load limit")
			   : fail(error, -ERANGE,
				  "the peak load limit must not exceed the load limit");
	if (c->load_limit_period_s > ACCOUNT_LOAD_LIMIT_PERIOD_MAX_S)
		return fail(error, -ERANGE, "load limit period above 3600 s");
	if (c->load_limit_w > 0 && c->load_limit_period_s == 0)
		return fail(error, -ERANGE, "load limit period must be 1..3600 s");
	if (c->phase_unbalance_limit_w > ACCOUNT_LOAD_LIMIT_MAX_W)
		return fail(error, -ERANGE, "phase power unbalance limit above 24 kW (24000 W)");
	if (c->phase_unbalance_limit_w > 0 && c->load_limit_period_s == 0)
		return fail(error, -ERANGE, "load limit period must be 1..3600 s");
	return 0;
}

bool account_whole_minor_units(int64_t mu)
{
	return mu % ACCOUNT_MU_PER_MINOR == 0;
}

int account_config_check_minor_units(const struct account_config *c, const char **error)
{
#define FINER(name) name " finer than the currency's minor unit (a whole number of minor units)"
	const struct {
		int64_t mu;
		const char *why;
	} amounts[] = {
	    {c->payg_debt_limit_mu, FINER("PAYG debt limit")},
	    {c->max_balance_mu, FINER("maximum balance")},
	    {c->low_credit_threshold_mu, FINER("low-credit threshold")},
	    {c->ec_threshold_mu, FINER("emergency-credit threshold")},
	    {c->ec_value_mu, FINER("emergency-credit value")},
	    {c->debt_weekly_rate_mu, FINER("weekly debt recovery rate")},
	};
#undef FINER

	for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++)
		if (!account_whole_minor_units(amounts[i].mu))
			return fail(error, -EINVAL, amounts[i].why);
	return 0;
}

int account_config_validate(const struct account_config *c, const char **error)
{
	if (c->mode != ACCOUNT_MODE_CREDIT && c->mode != ACCOUNT_MODE_PREPAYMENT &&
	    c->mode != ACCOUNT_MODE_PAYG)
		return fail(error, -EINVAL, "unknown payment mode");
	if (!in_range(c->payg_debt_limit_mu, ACCOUNT_PAYG_DEBT_LIMIT_MIN_MU, 0))
		return fail(error, -ERANGE, "PAYG debt limit outside 0 .. -500 units");
	if (!in_range(c->max_balance_mu, 1, ACCOUNT_BALANCE_BOUND_MU))
		return fail(error, -ERANGE, "maximum balance must be 1 .. 1e15 mu");
	if (!in_range(c->low_credit_threshold_mu, 0, ACCOUNT_AMOUNT_MAX_MU))
		return fail(error, -ERANGE, "low-credit threshold must be 0 .. 1e13 mu");
	if (!in_range(c->ec_threshold_mu, 0, ACCOUNT_AMOUNT_MAX_MU))
		return fail(error, -ERANGE, "emergency-credit threshold must be 0 .. 1e13 mu");
	if (!in_range(c->ec_value_mu, 0, ACCOUNT_AMOUNT_MAX_MU))
		return fail(error, -ERANGE, "emergency-credit value must be 0 .. 1e13 mu");
	if (c->ec_enabled && c->ec_value_mu == 0)
		return fail(error, -EINVAL, "emergency credit enabled with a value of zero");
	if (!in_range(c->debt_weekly_rate_mu, 0, ACCOUNT_AMOUNT_MAX_MU))
		return fail(error, -ERANGE, "weekly debt recovery rate must be 0 .. 1e13 mu");
	if (c->debt_collection != ACCOUNT_DEBT_COLLECT_ALWAYS &&
	    c->debt_collection != ACCOUNT_DEBT_HALT_OUT_OF_CREDIT)
		return fail(error, -EINVAL, "unknown debt collection option");
	if (c->debt_in_ec != ACCOUNT_DEBT_EC_REDUCE_EC &&
	    c->debt_in_ec != ACCOUNT_DEBT_EC_KEEP_EC && c->debt_in_ec != ACCOUNT_DEBT_EC_SUSPEND)
		return fail(error, -EINVAL, "unknown debt collection option for emergency credit");
	if (c->payment_debt_pct > 100)
		return fail(error, -ERANGE, "payment-based debt recovery above 100 %");

	int r = validate_friendly(c, error);
	if (r < 0)
		return r;
	return validate_load_limit(c, error);
}
