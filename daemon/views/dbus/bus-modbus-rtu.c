// SPDX-License-Identifier: GPL-2.0-only
/* org.polymeter.Meter1.ModbusRtu on a meter's object (see bus-modbus-rtu.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/dbus/bus-modbus-rtu.h"

struct pm_bus_rtu {
	const struct pm_mbrtu *line;
	sd_bus_slot *slot;
};

/* The counters: property name and field of struct pm_mbrtu_stats (docs/dbus.md). */
static const struct {
	const char *name;
	size_t field;
} counters[] = {
    {"Frames", offsetof(struct pm_mbrtu_stats, frames)},
    {"Answered", offsetof(struct pm_mbrtu_stats, answered)},
    {"Exceptions", offsetof(struct pm_mbrtu_stats, exceptions)},
    {"CrcErrors", offsetof(struct pm_mbrtu_stats, crc_errors)},
    {"OtherSlave", offsetof(struct pm_mbrtu_stats, other_address)},
    {"Broadcasts", offsetof(struct pm_mbrtu_stats, broadcast)},
    {"Discarded", offsetof(struct pm_mbrtu_stats, discarded)},
    {"Overruns", offsetof(struct pm_mbrtu_stats, overruns)},
    {"Dropped", offsetof(struct pm_mbrtu_stats, dropped)},
};

static int get_device(sd_bus *bus, const char *path, const char *interface, const char *property,
		      sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	const struct pm_bus_rtu *r = userdata;

	(void)bus;
	(void)path;
	(void)interface;
	(void)property;
	(void)error;
	return sd_bus_message_append(reply, "s", pm_mbrtu_device(r->line));
}

static int get_counter(sd_bus *bus, const char *path, const char *interface, const char *property,
		       sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	const struct pm_bus_rtu *r = userdata;
	struct pm_mbrtu_stats st;
	uint64_t v;

	(void)bus;
	(void)path;
	(void)interface;
	pm_mbrtu_get_stats(r->line, &st);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (!strcmp(counters[i].name, property)) {
			memcpy(&v, (const char *)&st + counters[i].field, sizeof(v));
			return sd_bus_message_append(reply, "t", v);
		}
	return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property);
}

/* No flag: EmitsChangedSignal false (the counters move with every frame on the bus). */
#define COUNTER(name) SD_BUS_PROPERTY(name, "t", get_counter, 0, 0)

static const sd_bus_vtable vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Device", "s", get_device, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    COUNTER("Frames"),
    COUNTER("Answered"),
    COUNTER("Exceptions"),
    COUNTER("CrcErrors"),
    COUNTER("OtherSlave"),
    COUNTER("Broadcasts"),
    COUNTER("Discarded"),
    COUNTER("Overruns"),
    COUNTER("Dropped"),
    SD_BUS_VTABLE_END,
};

int pm_bus_rtu_add(struct pm_bus *bus, const char *meter, const struct pm_mbrtu *line,
		   struct pm_bus_rtu **out)
{
	struct pm_bus_rtu *r = calloc(1, sizeof(*r));
	char path[256];
	int n, ret;

	if (!r)
		return -ENOMEM;
	r->line = line;
	n = snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		free(r);
		return -EINVAL;
	}
	ret = sd_bus_add_object_vtable(pm_bus_sd_bus(bus), &r->slot, path, PM_BUS_IFACE_MODBUS_RTU,
				       vtable, r);
	if (ret < 0) {
		free(r);
		return ret;
	}
	/* clients that listed the objects already (ObjectManager) learn of it */
	(void)sd_bus_emit_interfaces_added(pm_bus_sd_bus(bus), path, PM_BUS_IFACE_MODBUS_RTU, NULL);
	*out = r;
	return 0;
}

struct pm_bus_rtu *pm_bus_rtu_free(struct pm_bus_rtu *r)
{
	if (r) {
		sd_bus_slot_unref(r->slot);
		free(r);
	}
	return NULL;
}
