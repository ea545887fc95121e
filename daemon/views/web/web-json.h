/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * D-Bus values as JSON, for polymeter-web's API: what polymeterd publishes goes to the page
 * unchanged in meaning, without a per-property table here to keep in step with the model.
 */
#ifndef POLYMETER_WEB_JSON_H
#define POLYMETER_WEB_JSON_H

#include <jansson.h>
#include <systemd/sd-bus.h>

/*
 * Reads the one complete value at the message's position into a new JSON value: integers as
 * integers, doubles as reals (NaN and infinities, "unknown" on the bus, as null), strings,
 * booleans, variants unwrapped, a{s...} as objects, other arrays and structs as arrays.
 * Returns 0 or a negative errno (the message is then left inside the value).
 */
int web_json_read(sd_bus_message *m, json_t **out);

/* Reads an a{sv} of properties into the object @props (set or replaced key by key). */
int web_json_read_props(sd_bus_message *m, json_t *props);

#endif
