// SPDX-License-Identifier: GPL-2.0-only
/*
 * A currency conversion: the factor, the rounding of every money register and setting, and the
 * command that schedules it in the tariff engine for 00:00 local on a date.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "meter/billing-internal.h"

int64_t pm_billing_convert_mu(int64_t value_mu, int64_t num, int64_t den)
{
	/* value = q den + m: q num is exact, m num / den is rounded (no overflow: |m| < den) */
	int64_t v = value_mu < 0 ? -value_mu : value_mu;
	int64_t q = v / den, m = v % den;
	int64_t out = q * num + (2 * m * num + den) / (2 * den);

	return value_mu < 0 ? -out : out;
}

/* A money setting x num / den to the nearest whole minor unit, half away from zero: settings
 * are whole minor units (billing-amounts.c); den x 1000 <= 1e7 keeps convert_mu exact. */
static int64_t convert_minor(int64_t value_mu, int64_t num, int64_t den)
{
	return pm_billing_convert_mu(value_mu, num, den * ACCOUNT_MU_PER_MINOR) *
	       ACCOUNT_MU_PER_MINOR;
}

void pm_billing_convert_account(struct account *acc, int64_t num, int64_t den)
{
	struct account_config c = acc->config;
	const char *why;
#define CONV(x) ((x) = pm_billing_convert_mu((x), num, den))
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

int pm_billing_parse_factor(const char *s, int64_t *num, int64_t *den)
{
	int64_t n = 0, d = 1;
	bool digits = false, point = false;

	for (const char *p = s; p && *p; p++) {
		if (*p == '.' && !point) {
			point = true;
			continue;
		}
		if (*p < '0' || *p > '9' || (point && d == 10000) || n > 1000000)
			return -EINVAL;
		n = n * 10 + (*p - '0');
		if (point)
			d *= 10;
		digits = true;
	}
	if (!digits || (point && d == 1))
		return -EINVAL;
	/* 1/4 <= n/d <= 4 */
	if (4 * n < d || n > 4 * d)
		return -ERANGE;
	*num = n;
	*den = d;
	return 0;
}

int pm_billing_convert_currency(struct pm_billing *b, int64_t utc_ns, const char *date,
				const char *factor, struct pm_billing_error *e)
{
	struct tariff_error terr;
	struct tariff_date d;
	struct state *work;
	int64_t num, den;
	int r;

	if (billing_energy_refuse(b, "currency conversion", e) < 0)
		return -EPERM;
	if (billing_parse_date(date, "date", &d, e) < 0)
		return -EINVAL;
	r = pm_billing_parse_factor(factor, &num, &den);
	if (r < 0)
		return billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
				    r == -ERANGE
					? "factor: '%s' is outside 0.25 to 4"
					: "factor: '%s' is not a decimal number (up to 4 decimals)",
				    factor ? factor : "");
	work = billing_begin(b, e, &r);
	if (!work)
		return r;
	if (!work->has_tariff) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_NOT_CONFIGURED, -ENOTSUP,
				    "meter %s has no tariff: a conversion needs one", b->meter);
	}
	r = billing_future_date(b, work, utc_ns, &d, "date", e);
	if (r >= 0 && tariff_engine_set_currency_conversion(&work->te, &d, num, den, &terr) < 0)
		r = billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL, "factor: %s", terr.message);
	if (r < 0) {
		free(work);
		return r;
	}
	billing_queue(b, utc_ns, "currency_conversion_set", "on=%s factor=%s", date, factor);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}
