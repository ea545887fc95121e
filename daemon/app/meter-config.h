/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter's effective configuration as text, to tell at start what changed since the last
 * start (the config_change event; the text is kept in the store).
 *
 * The description holds what decides the meter's values (source and its device or simulated
 * grid, wiring, checkpoint steps, profile and demand periods), one "key=value" a line, defaults
 * filled in; the views (Modbus, D-Bus) are not part of it. Comparing the whole text is the
 * digest: equal text, same configuration.
 */
#ifndef POLYMETER_METER_CONFIG_H
#define POLYMETER_METER_CONFIG_H

#include <stddef.h>

#include "app/conf.h"

/* Writes the description of @c into @buf; -ENOBUFS when it does not fit. */
int pm_meter_config_describe(const struct pm_conf_meter *c, char *buf, size_t len);

/*
 * Names what differs between two descriptions, e.g. "wiring wye -> delta, sim_speed 5 -> 10"
 * (a key only in one of them shows "(none)" on the other side), truncated to @len. Returns
 * the number of keys that differ.
 */
size_t pm_meter_config_diff(const char *old, const char *new, char *out, size_t len);

#endif
