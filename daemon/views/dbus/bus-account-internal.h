/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * org.polymeter.Account1 inside: the object's state, shared by its methods (bus-account.c)
 * and its properties (bus-account-props.c), which are generated from the object model.
 */
#ifndef POLYMETER_BUS_ACCOUNT_INTERNAL_H
#define POLYMETER_BUS_ACCOUNT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model/quantity.h"
#include "views/dbus/bus-account.h"

/* Change detection keeps what the last PropertiesChanged said, as text of this length. */
#define SENT_LEN 160
/* The text of a property not published (the account unknown): no value has it. */
#define SENT_UNKNOWN "\x1f"

struct pm_bus_account {
	sd_bus *bus;
	sd_event *event;
	uint64_t min_interval_us;
	char *meter;
	char *path;
	struct pm_billing *billing;
	pm_bus_account_clock_fn clock;
	void *clock_userdata;
	sd_bus_slot *slot;
	sd_bus_vtable *vtable;
	sd_event_source *timer;
	uint64_t last_emit_us;
	bool sent_once;
	bool sent_known; /* the account was known at the last PropertiesChanged */
	/* The properties: the quantities bound to this interface, in the table's order. */
	size_t n_props;
	uint16_t *prop_quantity;
	char (*sent)[SENT_LEN];
	struct pm_snapshot snap; /* the account part, filled at the meter's clock */
	sd_bus_message_handler_t *admin_handlers; /* by vtable index: admin_call() runs these */
};

/* The STS setup methods (bus-account-sts.c). */
int pm_bus_account_get_sts_setup(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int pm_bus_account_set_sts_setup(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int pm_bus_account_import_tids(sd_bus_message *msg, void *userdata, sd_bus_error *error);

/* The meter's clock, UTC ns: every billing call of the interface runs at this time. */
int64_t pm_bus_account_now(const struct pm_bus_account *a);
/* Finds the properties (the quantities bound to the interface): fills n_props,
 * prop_quantity and sent; -ENOMEM. */
int pm_bus_account_props_init(struct pm_bus_account *a);
/* Get of a property (the vtable's getter for every quantity). */
int pm_bus_account_get_prop(sd_bus *bus, const char *path, const char *interface,
			    const char *property, sd_bus_message *reply, void *userdata,
			    sd_bus_error *error);
/* Get of a dictionary property (Configuration): its keys are quantities too. */
int pm_bus_account_get_dict(sd_bus *bus, const char *path, const char *interface,
			    const char *property, sd_bus_message *reply, void *userdata,
			    sd_bus_error *error);
/* A Get or GetAll of an unknown account: the AccountUnavailable error; 0 for other calls. */
int pm_bus_account_refuse_unknown(sd_bus *bus, const struct pm_bus_account *a, sd_bus_error *error);
/* Sends one PropertiesChanged with what differs from what was sent last. */
int pm_bus_account_emit_changes(struct pm_bus_account *a);

#endif
