/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The account on D-Bus: interface org.polymeter.Account1 on each meter object
 * (/org/polymeter/Meter1/<meter>), next to org.polymeter.Meter1.Meter. docs/dbus.md (section
 * "Account") and daemon/views/dbus/org.polymeter.Account1.xml describe it.
 *
 * Money is int64 in milli-minor-units (mu: 1/1000 of the smallest currency unit; 1.00 GBP =
 * 100000 mu), times UTC seconds. Every property emits PropertiesChanged, at most once per
 * rate-limit interval while samples move the money, at once after a method succeeded. A
 * method replies only after its change is committed to the store; a refusal is a named error
 * (org.polymeter.Account1.Error.*) whose message names the bad argument, and changes nothing.
 * Who may call what: the bus policy (daemon/dist/org.polymeter.Meter1.conf), and the same rule
 * checked here on every call (bus-caller.h): root and polymeter-admin everything, polymeter-display
 * the customer's answers ConfirmReconnect and TakeEmergencyCredit.
 */
#ifndef POLYMETER_BUS_ACCOUNT_H
#define POLYMETER_BUS_ACCOUNT_H

#include <systemd/sd-event.h>

#include "core/model/quantity.h"
#include "meter/billing.h"
#include "views/dbus/bus.h"

#define PM_BUS_IFACE_ACCOUNT PM_IFACE_ACCOUNT1
#define PM_BUS_ACCOUNT_ERROR "org.polymeter.Account1.Error."

struct pm_bus_account;

/* The meter's clock, UTC ns: the one its billing runs on (simulated, replayed or the wall's). */
typedef int64_t (*pm_bus_account_clock_fn)(void *userdata);

/*
 * Publishes @billing's account on @meter's object. Its properties are the object model's
 * quantities bound to org.polymeter.Account1 (core/model/quantity.c), read from the account
 * as pm_billing_snapshot gives it at @clock's time; every method runs at @clock's time too.
 */
int pm_bus_account_add(struct pm_bus *bus, sd_event *event, uint64_t min_interval_us,
		       const char *meter, struct pm_billing *billing, pm_bus_account_clock_fn clock,
		       void *clock_userdata, struct pm_bus_account **out);
struct pm_bus_account *pm_bus_account_free(struct pm_bus_account *a);
/* The account may have changed (a sample was billed): PropertiesChanged, rate-limited. */
void pm_bus_account_changed(struct pm_bus_account *a);

#endif
