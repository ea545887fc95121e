/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The account's side of a currency conversion (manual §8.11): every money register and setting
 * times the factor. Pure, so the daemon (meter/billing-events.c) and the scenario runner
 * convert the same way when the tariff engine reports TARIFF_EVENT_CURRENCY.
 */

#include "core/billing/account.h"

/*
 * floor(v x num / den) for v >= 0, 1 <= num, den <= 1e9, with *rest = the remainder (0..den-1),
 * exactly, without a 128-bit product: v = q den + m and num = a den + b give
 * v num / den = q num + m a + m b / den, with m, b < den so m b < 1e18. Saturates at INT64_MAX.
 */
static int64_t floor_mul_div(int64_t v, int64_t num, int64_t den, int64_t *rest)
{
	const int64_t q = v / den, m = v % den, a = num / den, b = num % den;
	const int64_t small = m * a + m * b / den; /* < num + den */

	*rest = m * b % den;
	if (q > (INT64_MAX - small) / num)
		return INT64_MAX;
	return q * num + small;
}

int64_t account_convert_mu(int64_t value_mu, int64_t num, int64_t den)
{
	/* INT64_MIN has no positive counterpart: one mu less changes nothing that rounds */
	int64_t v = value_mu < 0 ? -(value_mu == INT64_MIN ? value_mu + 1 : value_mu) : value_mu;
	int64_t rest, out = floor_mul_div(v, num, den, &rest);

	if (out < INT64_MAX && 2 * rest >= den)
		out++;
	return value_mu < 0 ? -out : out;
}

/* A money setting x num / den to the nearest whole minor unit (1000 mu), half away from zero:
 * settings are whole minor units (account_whole_minor_units()). */
static int64_t convert_minor(int64_t value_mu, int64_t num, int64_t den)
{
	int64_t v = value_mu < 0 ? -value_mu : value_mu; /* settings are far from INT64_MIN */
	int64_t rest, exact = floor_mul_div(v, num, den, &rest);
	int64_t minor = exact / ACCOUNT_MU_PER_MINOR, below = exact % ACCOUNT_MU_PER_MINOR;

	/* (below + rest / den) / 1000 >= 1/2, in integers: below < 1000, rest < den <= 1e9 */
	if (2 * (below * den + rest) >= ACCOUNT_MU_PER_MINOR * den)
		minor++;
	if (minor > INT64_MAX / ACCOUNT_MU_PER_MINOR)
		minor = INT64_MAX / ACCOUNT_MU_PER_MINOR;
	return (value_mu < 0 ? -minor : minor) * ACCOUNT_MU_PER_MINOR;
}

/* A register converted, held within the engine's bound (+-1e15 mu). */
static int64_t convert_register(int64_t value_mu, int64_t num, int64_t den)
{
	int64_t out = account_convert_mu(value_mu, num, den);

	if (out > ACCOUNT_BALANCE_BOUND_MU)
		return ACCOUNT_BALANCE_BOUND_MU;
	if (out < -ACCOUNT_BALANCE_BOUND_MU)
		return -ACCOUNT_BALANCE_BOUND_MU;
	return out;
}

void account_convert_currency(struct account *acc, int64_t num, int64_t den)
{
	struct account_config c = acc->config;
	const char *why;
#define CONV(x) ((x) = convert_register((x), num, den))
#define CONV_MINOR(x) ((x) = convert_minor((x), num, den))
	CONV(acc->balance_mu);
	/* §8.4 and §8.5.1: the total credit and the number of payments are reset to zero by a
	 * change of currency (their values before it are in the snapshot logged first, §8.11);
	 * the payment log keeps its entries, in the new currency like every other register */
	acc->total_credit_mu = 0;
	acc->payment_count = 0;
	for (unsigned i = 0; i < ACCOUNT_PAYMENT_LOG_LEN; i++)
		CONV(acc->payment_log[i].value_mu);
	CONV(acc->cost_today_mu);
	CONV(acc->charges_period_mu);
	for (unsigned i = 0; i < ACCOUNT_COST_BUCKETS; i++)
		CONV(acc->cost_minutes[i].cost_mu);
	CONV(acc->ec_remaining_mu);
	CONV(acc->debt_to_clear_mu);
	CONV(acc->time_debt_mu);
	CONV(acc->payment_debt_mu);
	for (unsigned i = 0; i < 2; i++)
		CONV(acc->wallet[i].charged_mu);
	CONV_MINOR(c.payg_debt_limit_mu);
	CONV_MINOR(c.max_balance_mu);
	CONV_MINOR(c.low_credit_threshold_mu);
	CONV_MINOR(c.ec_threshold_mu);
	CONV_MINOR(c.ec_value_mu);
	CONV_MINOR(c.debt_weekly_rate_mu);
#undef CONV_MINOR
#undef CONV
	/* emergency credit in use whose remainder rounded to nothing is used up: exhausted, its
	 * debt to clear in the balance (§8.8), as the engine would have done */
	if (acc->ec_state == ACCOUNT_EC_IN_USE && acc->ec_remaining_mu == 0) {
		acc->balance_mu -= acc->debt_to_clear_mu;
		acc->debt_to_clear_mu = 0;
		acc->ec_state = ACCOUNT_EC_EXHAUSTED;
	}
	/* a max_balance rounding to nothing (below half a minor unit x factor) stays positive */
	if (c.max_balance_mu < ACCOUNT_MU_PER_MINOR)
		c.max_balance_mu = ACCOUNT_MU_PER_MINOR;
	/* the PAYG debt limit has a bound in currency units (-500): a larger factor meets it */
	if (c.payg_debt_limit_mu < ACCOUNT_PAYG_DEBT_LIMIT_MIN_MU)
		c.payg_debt_limit_mu = ACCOUNT_PAYG_DEBT_LIMIT_MIN_MU;
	if (account_config_validate(&c, &why) == 0)
		acc->config = c;
}
