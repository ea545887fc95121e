/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Modbus RTU line's counters on D-Bus: interface org.polymeter.Meter1.ModbusRtu on the
 * object of each meter served over RTU (/org/polymeter/Meter1/<meter>), next to
 * org.polymeter.Meter1.Meter. docs/dbus.md (section "Modbus RTU") and
 * daemon/views/dbus/org.polymeter.Meter1.ModbusRtu.xml describe it.
 *
 * The counters are the line's (struct pm_mbrtu_stats): meters sharing one RS-485 bus show the
 * same values. They change with every frame on the bus, so they send no PropertiesChanged
 * (EmitsChangedSignal false): a client reads them when it wants them. Read-only, open to
 * everyone like every property.
 */
#ifndef POLYMETER_BUS_MODBUS_RTU_H
#define POLYMETER_BUS_MODBUS_RTU_H

#include "views/dbus/bus.h"
#include "views/modbus/modbus-rtu.h"

#define PM_BUS_IFACE_MODBUS_RTU "org.polymeter.Meter1.ModbusRtu"

struct pm_bus_rtu;

/*
 * Publishes @line's counters on @meter's object (the meter must be on the bus already). @line
 * is read whenever a client asks: free the returned object before the line.
 */
int pm_bus_rtu_add(struct pm_bus *bus, const char *meter, const struct pm_mbrtu *line,
		   struct pm_bus_rtu **out);
struct pm_bus_rtu *pm_bus_rtu_free(struct pm_bus_rtu *r);

#endif
