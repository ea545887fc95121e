/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Money as people write it ("10.00", "-0.40" currency units) and as the account engine counts
 * it (milli-minor-units, mu: 1.00 = ACCOUNT_MU_PER_UNIT = 100 000 mu with 2 minor digits).
 * Exact: no floating point; more than 5 decimals (finer than 1 mu) is refused.
 */
#ifndef POLYMETER_MONEY_H
#define POLYMETER_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* "10.00" -> 1000000. -EINVAL for anything else than [-]digits[.digits], -ERANGE when the
 * value is beyond +-1e13 units. */
int pm_money_parse(const char *text, int64_t *mu);
/* 1000000 -> "10.00" (2 decimals, more when the value has them). */
const char *pm_money_format(int64_t mu, char *buf, size_t len);

#endif
