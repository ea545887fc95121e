/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The D-Bus view: name org.polymeter.Meter1, one object per meter at
 * /org/polymeter/Meter1/<meter> with the interface org.polymeter.Meter1.Meter, and the
 * ObjectManager at /org/polymeter/Meter1. docs/dbus.md and daemon/org.polymeter.Meter1.xml
 * describe the API.
 *
 * Every point of the object model is a read-only property: the totals under the point's
 * D-Bus name, phase values with the suffix L1, L2 or L3 ("VoltageL1"). Values are SI doubles
 * (V, A, W, var, VA, Hz, power factor -1..1), NaN while unknown; energy registers are
 * unsigned 64-bit Wh (floor of the register). PropertiesChanged is sent for the values that
 * changed, at most once per rate-limit interval per meter (the last change is never lost: a
 * change inside the interval is sent at its end).
 */
#ifndef POLYMETER_BUS_H
#define POLYMETER_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "model.h"

#define PM_BUS_NAME "org.polymeter.Meter1"
#define PM_BUS_ROOT "/org/polymeter/Meter1"
#define PM_BUS_IFACE_METER "org.polymeter.Meter1.Meter"

struct pm_bus;

/*
 * Connects (system bus, or the session bus when @user), attaches to @event, registers the
 * ObjectManager and requests the name. @min_interval_us rate-limits PropertiesChanged.
 */
int pm_bus_new(sd_event *event, bool user, uint64_t min_interval_us, struct pm_bus **out);
struct pm_bus *pm_bus_free(struct pm_bus *bus);

/*
 * Publishes a meter. @name must be a D-Bus path element ([A-Za-z0-9_]); the snapshot is
 * read, never copied, whenever a client asks, so it must live as long as the meter.
 */
int pm_bus_add_meter(struct pm_bus *bus, const char *name, const struct pm_snapshot *snap);

/* The meter's snapshot was refilled; @connected says whether its source delivers. */
int pm_bus_meter_changed(struct pm_bus *bus, const char *name, bool connected);

#endif
