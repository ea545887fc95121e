// SPDX-License-Identifier: GPL-2.0-only
/*
 * Amounts people give the account (a top-up, a debt, a balance adjustment, a new balance, a
 * second utility's cost, a money setting) are whole minor units of the currency: the manual's
 * registers hold whole pence (§8.2, §8.8, §8.10), and a top-up of 10.001 GBP would credit a
 * tenth of a penny nobody paid. The account engine refuses such amounts too
 * (account_whole_minor_units()); this says so in the currency, naming the field.
 */
#include <errno.h>

#include "meter/billing-internal.h"
#include "core/billing/money.h"

/* The tariff's minor units (0..4), or the account engine's 2 without a tariff. */
static int minor_units(const struct state *st)
{
	return st->has_tariff ? st->info.minor_units : 2;
}

int billing_whole_minor(const struct state *st, const char *field, int64_t mu,
			struct pm_billing_error *e)
{
	unsigned decimals = (unsigned)minor_units(st);
	const char *code = st->has_tariff ? st->info.currency : "";
	char amount[48], unit[48];

	if (account_whole_minor_units(mu))
		return 0;
	/* mu are 1/1000 of the minor unit: minor_units + 3 decimals of the major unit */
	pm_decimal_format(mu, decimals + 3, decimals, amount, sizeof(amount));
	pm_decimal_format(ACCOUNT_MU_PER_MINOR, decimals + 3, decimals, unit, sizeof(unit));
	return billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
			    "%s: %s%s%s is finer than the currency's minor unit (%s%s%s)", field,
			    amount, code[0] ? " " : "", code, unit, code[0] ? " " : "", code);
}

int billing_whole_minor_config(const struct state *st, const struct account_config *c,
			       struct pm_billing_error *e)
{
	/* named as the configuration file and Configure name them (docs/account.md) */
	const struct {
		const char *key;
		int64_t mu;
	} amounts[] = {
	    {"payg_debt_limit", c->payg_debt_limit_mu},
	    {"max_balance", c->max_balance_mu},
	    {"low_credit", c->low_credit_threshold_mu},
	    {"emergency_credit", c->ec_value_mu},
	    {"emergency_credit_threshold", c->ec_threshold_mu},
	    {"debt_weekly_rate", c->debt_weekly_rate_mu},
	};

	for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
		int r = billing_whole_minor(st, amounts[i].key, amounts[i].mu, e);

		if (r < 0)
			return r;
	}
	return 0;
}
