// SPDX-License-Identifier: GPL-2.0-only
/* Decimal money <-> milli-minor-units (see money.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/billing/money.h"

#define MU_PER_UNIT INT64_C(100000) /* account.h ACCOUNT_MU_PER_UNIT */
#define DECIMALS 5
#define MAX_UNITS INT64_C(10000000000000)

int pm_money_parse(const char *text, int64_t *mu)
{
	const char *s = text;
	bool neg = false, digits = false;
	int64_t units = 0, frac = 0;
	int nfrac = 0;

	if (!s)
		return -EINVAL;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++) {
		digits = true;
		if (units > MAX_UNITS)
			return -ERANGE;
		units = units * 10 + (*s - '0');
	}
	if (*s == '.') {
		if (!digits || s[1] < '0' || s[1] > '9')
			return -EINVAL; /* "1." and ".5" are not money as people write it */
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++nfrac > DECIMALS)
				return -EINVAL;
			frac = frac * 10 + (*s - '0');
			digits = true;
		}
	}
	if (!digits || *s)
		return -EINVAL;
	if (units > MAX_UNITS)
		return -ERANGE;
	for (; nfrac < DECIMALS; nfrac++)
		frac *= 10;
	*mu = (units * MU_PER_UNIT + frac) * (neg ? -1 : 1);
	return 0;
}

const char *pm_money_format(int64_t mu, char *buf, size_t len)
{
	uint64_t a = mu < 0 ? -(uint64_t)mu : (uint64_t)mu;
	unsigned frac = (unsigned)(a % MU_PER_UNIT);
	char f[8];
	int n;

	snprintf(f, sizeof(f), "%05u", frac);
	/* two decimals always; the finer digits only when they are not zero */
	for (n = DECIMALS; n > 2 && f[n - 1] == '0'; n--)
		;
	f[n] = '\0';
	snprintf(buf, len, "%s%" PRIu64 ".%s", mu < 0 ? "-" : "", a / MU_PER_UNIT, f);
	return buf;
}
