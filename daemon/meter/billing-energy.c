// SPDX-License-Identifier: GPL-2.0-only
/*
 * The energy-denominated account ("STS prepaid (kWh)", seed 002): credit kept in kWh, as an STS
 * kWh meter keeps it. It is the account engine unchanged, counting energy as its money: the
 * account's tariff is a built-in one whose "currency" is the pseudo-code KWH with 3 decimals
 * (the minor unit is 1 Wh, 1 mu = 1 mWh) and whose one rate costs 1 KWH per kWh, so every
 * Wh consumed takes 1 Wh of credit. Emergency credit, the low-credit warning, friendly periods,
 * load limits, debt and the supply decision then work in kWh exactly as in money, and the
 * amounts people give (top-ups, thresholds) are kWh with up to 3 decimals.
 *
 * An account is energy-denominated when its tariff's currency is KWH: set when a new account
 * is seeded with account_unit = kwh (and no tariff file), kept in the stored state. Price and
 * currency commands (a tariff, a future tariff, a currency conversion) are refused for it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/billing-internal.h"

#define ENERGY_CODE "KWH"

static const char energy_tariff[] =
    "{\"version\": 1, \"name\": \"kWh credit\","
    " \"description\": \"polymeterd's energy-denominated account: 1 kWh of credit per kWh\","
    " \"currency\": {\"code\": \"" ENERGY_CODE "\", \"minor_units\": 3},"
    " \"rates\": {\"1\": {\"name\": \"energy\", \"price_per_kwh\": \"1\"}},"
    " \"day_profiles\": {\"all\": [{\"at\": \"00:00\", \"rate\": 1}]},"
    " \"seasons\": [{\"days\": {\"weekdays\": \"all\", \"weekend\": \"all\"}}],"
    " \"billing_period\": {\"months\": 1, \"start\": \"1970-01-01\"}}";

bool billing_energy_account(const struct state *st)
{
	return st->has_tariff && !strcmp(st->info.currency, ENERGY_CODE);
}

int billing_energy_refuse(const struct pm_billing *b, const char *what, struct pm_billing_error *e)
{
	if (!b->running || !billing_energy_account(&b->st))
		return 0;
	return billing_fail(e, PM_BILLING_ERR_REFUSED, -EPERM,
			    "%s: meter %s keeps its credit in kWh (account_unit = kwh): it has no "
			    "prices or currency",
			    what, b->meter);
}

int billing_seed_energy(struct pm_billing *b, const struct tariff_time *tt, char *err,
			size_t errlen)
{
	struct tariff_error terr;
	struct tariff *t;
	int r;

	if (b->tariff_file[0]) {
		snprintf(err, errlen,
			 "meter %s: account_unit = kwh keeps credit in kWh: a tariff_file (prices "
			 "in a currency) does not apply",
			 b->meter);
		return -EINVAL;
	}
	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	r = pm_tariff_file_parse_info("account_unit = kwh", energy_tariff, t, &b->st.info, err,
				      errlen);
	if (r >= 0) {
		r = tariff_engine_set_tariff(&b->st.te, t, tt, &terr);
		if (r < 0)
			snprintf(err, errlen, "meter %s: the kWh account: %s", b->meter,
				 terr.message);
	}
	free(t);
	if (r < 0)
		return r;
	b->st.has_tariff = true;
	return 0;
}
