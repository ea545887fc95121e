// SPDX-License-Identifier: GPL-2.0-only
/* Decimal strings <-> scaled integers, and money in mu (see money.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "core/billing/money.h"

#define MU_PER_UNIT INT64_C(100000) /* account.h ACCOUNT_MU_PER_UNIT */
#define MU_DECIMALS 5
#define MU_SHOWN_DECIMALS 2 /* money is written with the cents, "10.00" */
#define MAX_UNITS INT64_C(10000000000000)

static int64_t power_of_ten(unsigned n)
{
	int64_t p = 1;

	while (n--)
		p *= 10;
	return p;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int refuse(enum pm_decimal_refusal reason, enum pm_decimal_refusal *why)
{
	if (why)
		*why = reason;
	return reason == PM_DECIMAL_TOO_BIG ? -ERANGE : -EINVAL;
}

int pm_decimal_parse(const char *text, const struct pm_decimal_rules *rules, int64_t *value,
		     enum pm_decimal_refusal *why)
{
	const char *p = text;
	int64_t unit = power_of_ten(rules->decimals), whole = 0, frac = 0;
	unsigned n_frac = 0;
	bool negative = false, big = false, fine = false;

	if (!p)
		return refuse(PM_DECIMAL_SYNTAX, why);
	/* a "-" is read even where none is allowed: "is negative" says more than "not a number" */
	if (*p == '-' || (*p == '+' && rules->plus))
		negative = *p++ == '-';
	if (!is_digit(*p))
		return refuse(PM_DECIMAL_SYNTAX, why);
	for (; is_digit(*p); p++) {
		/* whole stays <= max / unit: once beyond, the digits are only checked */
		if (big || whole > rules->max / unit / 10 ||
		    whole * 10 > rules->max / unit - (*p - '0'))
			big = true;
		else
			whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return refuse(PM_DECIMAL_SYNTAX, why);
		for (; is_digit(*p); p++, n_frac++) {
			if (n_frac < rules->decimals)
				frac = frac * 10 + (*p - '0');
			else if (*p != '0' || !rules->zeros_past)
				fine = true;
		}
	}
	if (*p != '\0')
		return refuse(PM_DECIMAL_SYNTAX, why);
	if (negative && !rules->minus)
		return refuse(PM_DECIMAL_NEGATIVE, why);
	if (fine)
		return refuse(PM_DECIMAL_TOO_FINE, why);
	for (; n_frac < rules->decimals; n_frac++)
		frac *= 10;
	if (big || whole > rules->max / unit || whole * unit > rules->max - frac)
		return refuse(PM_DECIMAL_TOO_BIG, why);
	*value = negative ? -(whole * unit + frac) : whole * unit + frac;
	return 0;
}

const char *pm_decimal_format(int64_t value, unsigned decimals, unsigned min_decimals, char *buf,
			      size_t len)
{
	/* the magnitude as unsigned: INT64_MIN has none as int64 */
	uint64_t magnitude = value < 0 ? -(uint64_t)value : (uint64_t)value;
	uint64_t unit = (uint64_t)power_of_ten(decimals);
	uint64_t frac = magnitude % unit;
	unsigned shown = decimals;

	while (shown > min_decimals && frac % 10 == 0) {
		frac /= 10;
		shown--;
	}
	if (shown == 0)
		snprintf(buf, len, "%s%" PRIu64, value < 0 ? "-" : "", magnitude / unit);
	else
		snprintf(buf, len, "%s%" PRIu64 ".%0*" PRIu64, value < 0 ? "-" : "",
			 magnitude / unit, (int)shown, frac);
	return buf;
}

int pm_money_parse(const char *text, int64_t *mu)
{
	/* up to 1e13 whole units, with any fraction of the last one */
	static const struct pm_decimal_rules money = {
	    .decimals = MU_DECIMALS,
	    .max = MAX_UNITS * MU_PER_UNIT + (MU_PER_UNIT - 1),
	    .minus = true,
	    .plus = true,
	};

	return pm_decimal_parse(text, &money, mu, NULL);
}

const char *pm_money_format(int64_t mu, char *buf, size_t len)
{
	return pm_decimal_format(mu, MU_DECIMALS, MU_SHOWN_DECIMALS, buf, len);
}
