/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter's account and its supply-control lines, linked: the account (meter/billing.h) says
 * where the contactor and the auxiliary relay belong, the lines (relay.h) follow it; the
 * customer's button confirms a reconnection to the account, as ConfirmReconnect does from a
 * local display. The decision is the account's only (docs/supply-control.md).
 *
 * At start the lines are taken where the stored account has them: a restart must not close,
 * even for an instant, a supply the account holds open. An unknown account says nothing about
 * the supply: its lines are not requested, so they stay as the last run left them, until the
 * account is read and first says where they belong. A line that cannot be driven is logged;
 * the account keeps its state (its next change retries).
 */
#ifndef POLYMETER_SUPPLY_LINK_H
#define POLYMETER_SUPPLY_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "meter/billing.h"
#include "supply/relay.h"

struct pm_supply_link {
	sd_event *event;
	const char *meter; /* its name, for the logs */
	const struct pm_relay_config *conf;
	struct pm_billing *billing;
	struct pm_relay *relay; /* NULL: no lines configured, or not taken yet */
	/* the meter's clock (the account's confirmation is dated with it) */
	int64_t (*now)(void *userdata);
	/* the account changed by the button (its views refresh) */
	void (*account_changed)(void *userdata);
	void *userdata;
};

/* Whether any line (contactor, auxiliary relay, button) is configured. */
bool pm_supply_link_configured(const struct pm_relay_config *c);

/*
 * Takes the configured lines where @l->billing's account has them now (@utc_ns); nothing when
 * none are configured or the account is unknown. Logs and returns a negative errno when they
 * cannot be taken.
 */
int pm_supply_link_start(struct pm_supply_link *l, int64_t utc_ns);

/* Where the account wants the supply (its supply hook): the lines are driven there. */
void pm_supply_link_set(struct pm_supply_link *l, bool contactor_closed, bool aux_closed);

/* Releases the lines (they keep their last level). */
void pm_supply_link_free(struct pm_supply_link *l);

#endif
