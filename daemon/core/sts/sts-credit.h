/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * polymeterd pure core: what an accepted STS token is worth to an account, and the names a
 * refusal goes by in the event log. Shared by the daemon's token path (meter/billing-token.c)
 * and the scenario runner (daemon/tools/), so both count credit and name refusals alike.
 */
#ifndef POLYMETER_STS_CREDIT_H
#define POLYMETER_STS_CREDIT_H

#include <stdint.h>

#include "core/sts/sts.h"

/* A currency token counts 1e-5 of the base unit (sts.org.za, "Currency based tokens"). */
#define STS_CURRENCY_DECIMALS 5

/* "electricity", "water", "gas", "time". */
const char *sts_utility_name(enum sts_utility utility);

/*
 * @counts of 0.00001 base unit as whole minor units of a currency with @minor_units decimals
 * (0..5), rounded down: a minor unit is 10^(5 - minor_units) counts (GBP: 1 p = 1000 counts;
 * JPY: 1 yen = 100000; BHD: 1 fils = 100). Rounding down gives the customer what was paid:
 * vending rounds an amount UP to the next one the 16-bit field carries (prepay-sts.md §1.2:
 * 1.00 GBP arrives as 100004 counts), so the part below a minor unit is encoding, never money.
 * *@dropped: the counts rounded away.
 */
int64_t sts_currency_minor_units(uint32_t counts, int minor_units, uint32_t *dropped);

/* A refusal by the STS rules as the event log names it: malformed, invalid, unsupported,
 * used, old, key_expired, or refused. */
const char *sts_refusal_reason(enum sts_status status);

#endif
