/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Home Assistant MQTT discovery (docs/mqtt.md): the retained config topics of one meter's
 * sensors, which read the meter's live and account topics. Pure: topics and payloads only.
 */
#ifndef POLYMETER_MQTT_DISCOVERY_H
#define POLYMETER_MQTT_DISCOVERY_H

#include <stddef.h>

#include "views/mqtt/mqtt-json.h"

struct pm_mqtt_ha_ctx {
	const char *ha_prefix, *prefix, *gateway, *meter;
	const char *currency; /* the account's (for the balance sensor); "" when none yet */
};

/* How many sensors a meter has. */
size_t pm_mqtt_ha_count(void);
/* Sensor @k: its config topic into @topic, its config payload into @j. */
void pm_mqtt_ha_config(const struct pm_mqtt_ha_ctx *c, size_t k, char *topic, size_t size,
		       struct pm_json *j);

#endif
