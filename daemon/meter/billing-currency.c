// SPDX-License-Identifier: GPL-2.0-only
/*
 * A currency conversion: the factor and the command that schedules it in the tariff engine for
 * 00:00 local on a date (the registers are converted then, account_convert_currency()).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/billing/iso4217.h"
#include "meter/billing-internal.h"

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

/*
 * The account's currency changed to @st->info's (a tariff set, a future tariff activated) from
 * one of @old_minor_units while a conversion is pending: its factor was asked between the old
 * currency's units and holds their minor units, so it no longer says what it did. It is
 * dropped (event currency_conversion_cancelled); the head-end asks again in the new currency.
 * A change of the code alone keeps it.
 */
void billing_conversion_follow_currency(struct pm_billing *b, struct state *st, int64_t utc_ns,
					int old_minor_units)
{
	if (!st->te.has_conversion || st->info.minor_units == old_minor_units)
		return;
	st->te.has_conversion = false;
	memset(&st->conversion_to, 0, sizeof(st->conversion_to));
	billing_queue(b, utc_ns, "currency_conversion_cancelled",
		      "the tariff's currency %s has %d minor units, not %d", st->info.currency,
		      st->info.minor_units, old_minor_units);
}

/* The currency a conversion changes to: @code's minor units, or -EINVAL naming it. */
static int target_minor_units(const char *code, struct pm_billing_error *e)
{
	int minor = pm_iso4217_minor_units(code);

	if (minor < 0)
		return billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
				    "currency: '%.8s' is not an ISO 4217 currency code (three "
				    "capital letters of a currency in use, e.g. EUR)",
				    code);
	return minor;
}

int pm_billing_convert_currency(struct pm_billing *b, int64_t utc_ns, const char *date,
				const char *factor, const char *currency,
				struct pm_billing_error *e)
{
	struct tariff_error terr;
	struct tariff_date d;
	struct state *work;
	int64_t num, den;
	int r, minor = -1;

	if (billing_energy_refuse(b, "currency conversion", e) < 0)
		return -EPERM;
	if (billing_parse_date(date, "date", &d, e) < 0)
		return -EINVAL;
	if (currency) {
		minor = target_minor_units(currency, e);
		if (minor < 0)
			return -EINVAL;
	}
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
	/* amounts are in minor units: the factor between currency units times the change of
	 * minor units (GBP to JPY: x 10^-2) */
	if (r >= 0 &&
	    tariff_engine_set_currency_conversion(
		&work->te, &d, num, den, minor < 0 ? 0 : minor - work->info.minor_units, &terr) < 0)
		r = billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL, "factor: %s", terr.message);
	if (r < 0) {
		free(work);
		return r;
	}
	memset(&work->conversion_to, 0, sizeof(work->conversion_to));
	work->conversion_to.factor_num = num;
	work->conversion_to.factor_den = den;
	if (minor >= 0) {
		memcpy(work->conversion_to.currency, currency, 4);
		work->conversion_to.minor_units = minor;
	}
	billing_queue(b, utc_ns, "currency_conversion_set", "on=%s factor=%s currency=%s", date,
		      factor, minor >= 0 ? currency : work->info.currency);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}
