/* SPDX-License-Identifier: GPL-2.0-only */
/* polymeterctl's account commands (polymeterctl-account.c lists them). */
#ifndef POLYMETER_POLYMETERCTL_ACCOUNT_H
#define POLYMETER_POLYMETERCTL_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "ctl/polymeterctl-internal.h"

#define PM_CTL_MAX_CFG 24

/* org.polymeter.Account1's properties, as polymeterctl reads them (money in mu). */
struct account_props {
	bool running, supply_closed, aux, has_tariff;
	char mode[16], ec[16], state[16], reason[32], tariff[128], currency[8];
	char rate_name[64]; /* the current import rate's name, "" when the tariff gives none */
	/* " GBP" after an amount, "" without a tariff (no currency to name) */
	char unit[10];
	int64_t balance, available, total, ec_remaining, debt_to_clear, time_debt, payment_debt,
	    cost_hour, cost_today, price;
	uint32_t payments;
	uint8_t rate, block;
	/* pending changes: "" when none (FutureTariffName/Date, CurrencyConversionDate/Factor) */
	char future_tariff[128], future_date[16], conversion_date[16], conversion_factor[48];
	char conversion_currency[8]; /* the currency from the conversion on (§8.11) */
	/* Configuration: key and value as text, money in currency units */
	char cfg[PM_CTL_MAX_CFG][2][48];
	size_t n_cfg;
};

/*
 * Reads @meter's account; false (nothing printed) when the daemon has none there, or when it
 * cannot be read (the account unknown): status then shows no account line.
 */
bool ctl_read_account_quiet(sd_bus *bus, const char *meter, struct account_props *p);

/* " (night)": the current import rate's name to follow its number, "" when it has none. */
const char *ctl_rate_name(const struct account_props *p, char *buf, size_t len);

/* Runs an account command (o->args) on @meter (chosen by polymeterctl.c); the exit status. */
int ctl_account_command(sd_bus *bus, const struct ctl_opts *o, const char *meter);

#endif
