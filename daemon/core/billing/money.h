/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decimal numbers as people write them ("10.00", "-0.40", "250.5") and as the engines count them:
 * integers scaled by a power of ten (money in milli-minor-units, mu: 1.00 = ACCOUNT_MU_PER_UNIT =
 * 100 000 mu with 2 minor digits; energy in mWh; percentages in basis points). Exact: no
 * floating point. The one decimal parser and printer of polymeterd, polymeterctl, the tariff
 * files and the scenario runner.
 */
#ifndef POLYMETER_MONEY_H
#define POLYMETER_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a decimal string is read: [sign] digits [ "." digits ]. */
struct pm_decimal_rules {
	unsigned decimals; /* the value is the number x 10^decimals; at most 18 */
	int64_t max;	   /* the largest magnitude of the scaled value */
	bool minus;	   /* a leading "-" is allowed */
	bool plus;	   /* a leading "+" is allowed */
	bool zeros_past;   /* digits past `decimals` may be given when they are zeros */
};

/* Why pm_decimal_parse refused a string, for messages that say what to change. */
enum pm_decimal_refusal {
	PM_DECIMAL_SYNTAX = 1, /* not [sign] digits [. digits]; "1." and ".5" are not either */
	PM_DECIMAL_NEGATIVE,   /* well formed, but negative and rules->minus is false */
	PM_DECIMAL_TOO_FINE,   /* more decimals than rules->decimals */
	PM_DECIMAL_TOO_BIG,    /* beyond rules->max */
};

/*
 * @text scaled by 10^rules->decimals into *value. 0; -ERANGE when it is beyond rules->max;
 * -EINVAL for every other refusal. *why (when not NULL) says which; *value is untouched.
 */
int pm_decimal_parse(const char *text, const struct pm_decimal_rules *rules, int64_t *value,
		     enum pm_decimal_refusal *why);
/*
 * value / 10^decimals as a decimal: "-" when negative, the fraction without trailing zeros but
 * with at least @min_decimals digits, and no "." when it has none ("12", "12.5", "12.50").
 */
const char *pm_decimal_format(int64_t value, unsigned decimals, unsigned min_decimals, char *buf,
			      size_t len);

/* "10.00" -> 1000000. -EINVAL for anything else than [+-]digits[.digits] with at most 5
 * decimals, -ERANGE when the value is beyond +-1e13 units. */
int pm_money_parse(const char *text, int64_t *mu);
/* 1000000 -> "10.00" (2 decimals, more when the value has them). */
const char *pm_money_format(int64_t mu, char *buf, size_t len);

#endif
