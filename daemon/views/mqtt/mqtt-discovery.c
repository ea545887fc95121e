// SPDX-License-Identifier: GPL-2.0-only
/*
 * Home Assistant MQTT discovery (mqtt-discovery.h). The sensors follow Home Assistant's
 * sensor device classes: energy in kWh with state_class total_increasing (what its energy
 * dashboard takes), power, voltage, current, frequency, power factor as measurements, the
 * balance as a monetary value in the account's currency.
 */
#include <stdio.h>
#include <string.h>

#include "views/mqtt/mqtt-discovery.h"

/* One sensor: the D-Bus name it reads, from which topic, how it is shown. */
static const struct {
	const char *object, *name, *value, *leaf;
	const char *device_class, *state_class, *unit;
	int divide; /* the published value over this (Wh -> kWh: 1000); 1: as published */
} sensors[] = {
    {"energy_import", "Energy import", "EnergyImport", "live", "energy", "total_increasing", "kWh",
     1000},
    {"energy_export", "Energy export", "EnergyExport", "live", "energy", "total_increasing", "kWh",
     1000},
    {"power", "Power", "Power", "live", "power", "measurement", "W", 1},
    {"power_l1", "Power L1", "PowerL1", "live", "power", "measurement", "W", 1},
    {"power_l2", "Power L2", "PowerL2", "live", "power", "measurement", "W", 1},
    {"power_l3", "Power L3", "PowerL3", "live", "power", "measurement", "W", 1},
    {"voltage_l1", "Voltage L1", "VoltageL1", "live", "voltage", "measurement", "V", 1},
    {"voltage_l2", "Voltage L2", "VoltageL2", "live", "voltage", "measurement", "V", 1},
    {"voltage_l3", "Voltage L3", "VoltageL3", "live", "voltage", "measurement", "V", 1},
    {"current_l1", "Current L1", "CurrentL1", "live", "current", "measurement", "A", 1},
    {"current_l2", "Current L2", "CurrentL2", "live", "current", "measurement", "A", 1},
    {"current_l3", "Current L3", "CurrentL3", "live", "current", "measurement", "A", 1},
    {"frequency", "Frequency", "Frequency", "live", "frequency", "measurement", "Hz", 1},
    {"power_factor", "Power factor", "PowerFactor", "live", "power_factor", "measurement", NULL, 1},
    /* monetary: Home Assistant allows state_class total only, or none */
    {"balance", "Balance", "Balance", "account", "monetary", NULL, NULL, 1},
};

size_t pm_mqtt_ha_count(void)
{
	return sizeof(sensors) / sizeof(sensors[0]);
}

void pm_mqtt_ha_config(const struct pm_mqtt_ha_ctx *c, size_t k, char *topic, size_t size,
		       struct pm_json *j)
{
	char buf[512], node[160];

	snprintf(node, sizeof(node), "%s_%s", c->gateway, c->meter);
	snprintf(topic, size, "%s/sensor/%s/%s/config", c->ha_prefix, node, sensors[k].object);
	pm_json_open(j, NULL, '{');
	snprintf(buf, sizeof(buf), "%s %s", c->meter, sensors[k].name);
	pm_json_str(j, "name", buf);
	snprintf(buf, sizeof(buf), "polymeter_%s_%s", node, sensors[k].object);
	pm_json_str(j, "unique_id", buf);
	pm_json_str(j, "object_id", buf);
	snprintf(buf, sizeof(buf), "%s/%s/%s/%s", c->prefix, c->gateway, c->meter, sensors[k].leaf);
	pm_json_str(j, "state_topic", buf);
	if (sensors[k].divide > 1)
		snprintf(buf, sizeof(buf), "{{ value_json['values']['%s']['value'] / %d }}",
			 sensors[k].value, sensors[k].divide);
	else
		snprintf(buf, sizeof(buf), "{{ value_json['values']['%s']['value'] }}",
			 sensors[k].value);
	pm_json_str(j, "value_template", buf);
	pm_json_str(j, "device_class", sensors[k].device_class);
	if (sensors[k].state_class)
		pm_json_str(j, "state_class", sensors[k].state_class);
	if (sensors[k].unit)
		pm_json_str(j, "unit_of_measurement", sensors[k].unit);
	else if (!strcmp(sensors[k].device_class, "monetary") && c->currency[0])
		pm_json_str(j, "unit_of_measurement", c->currency);
	snprintf(buf, sizeof(buf), "%s/%s/status", c->prefix, c->gateway);
	pm_json_str(j, "availability_topic", buf);
	pm_json_str(j, "payload_available", "online");
	pm_json_str(j, "payload_not_available", "offline");
	pm_json_open(j, "device", '{');
	pm_json_open(j, "identifiers", '[');
	snprintf(buf, sizeof(buf), "polymeter_%s", node);
	pm_json_str(j, NULL, buf);
	pm_json_close(j, ']');
	snprintf(buf, sizeof(buf), "%s %s", c->gateway, c->meter);
	pm_json_str(j, "name", buf);
	pm_json_str(j, "manufacturer", "polymeter");
	pm_json_str(j, "model", "polymeterd meter");
	pm_json_close(j, '}');
	pm_json_close(j, '}');
}
