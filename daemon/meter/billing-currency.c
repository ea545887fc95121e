// SPDX-License-Identifier: GPL-2.0-only
/*
 * A currency conversion: the factor and the command that schedules it in the tariff engine for
 * 00:00 local on a date (the registers are converted then, account_convert_currency()).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

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
