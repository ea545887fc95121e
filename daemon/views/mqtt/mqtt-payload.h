/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MQTT payloads (docs/mqtt.md), generated from the object model so that every name is the
 * D-Bus one: a point is "<D-Bus property>" (VoltageL1, Power, EnergyActiveImport), an account
 * quantity its org.polymeter.Account1 property. Each value is {"value": exact decimal or null,
 * "unit": "..."}; times are UTC, ISO 8601. The queued messages (profile, event, billing) carry
 * "id": "<gateway>/<meter>/<stream>/<key>", the same at every resend, for de-duplication.
 * Pure: text in a struct pm_json, no I/O.
 */
#ifndef POLYMETER_MQTT_PAYLOAD_H
#define POLYMETER_MQTT_PAYLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/metrology/demand.h"
#include "core/model/model.h"
#include "store/store.h"
#include "views/mqtt/mqtt-json.h"

/* The D-Bus property name of point @i ("Voltage" + "L1"). */
void pm_mqtt_point_name(size_t i, char *buf, size_t size);

/*
 * Live values of @snap, published at @ts_ns (UTC): every point, or (@last not NULL) only those
 * whose validity or value differs from @last_value/@last_valid. Returns how many values were
 * written.
 */
size_t pm_mqtt_live(struct pm_json *j, const char *meter, int64_t ts_ns,
		    const struct pm_snapshot *snap, const int64_t *last_value,
		    const bool *last_valid);
/* The account's quantities anyone may read, as on D-Bus (no arrays, no settings). */
void pm_mqtt_account(struct pm_json *j, const char *meter, int64_t ts_ns,
		     const struct pm_snapshot *snap);
/* Maximum demand: +A and -A of this UTC month and the two before, as D-Bus has them. */
void pm_mqtt_demand(struct pm_json *j, const char *meter, int64_t ts_ns,
		    const struct pm_demand_peak imp[PM_DEMAND_MONTHS],
		    const struct pm_demand_peak exp[PM_DEMAND_MONTHS]);

/* The queued messages' identity: "<gateway>/<meter>/<stream>/<key>". */
const char *pm_mqtt_stream_name(enum pm_store_mqtt_stream s);
void pm_mqtt_profile(struct pm_json *j, const char *gateway, const char *meter,
		     const struct pm_store_profile *e);
void pm_mqtt_event(struct pm_json *j, const char *gateway, const char *meter, int64_t id,
		   const struct pm_store_event *ev);
void pm_mqtt_billing(struct pm_json *j, const char *gateway, const char *meter,
		     const struct pm_store_billing *b);

#endif
