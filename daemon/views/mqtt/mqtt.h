/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MQTT view (docs/mqtt.md): one connection to the broker for the whole gateway, through
 * libmosquitto driven from polymeterd's sd-event loop (its socket watched by the loop, its
 * housekeeping on a timer: no libmosquitto thread, nothing blocks the loop; the broker is a
 * numeric address, so connecting asks no resolver). Per meter it publishes the live values,
 * the account and maximum demand from the snapshot, and sends the store's queued rows
 * (profile intervals, events, billing captures) at QoS 1, moving each stream's cursor in the
 * store only past what the broker acknowledged.
 */
#ifndef POLYMETER_MQTT_H
#define POLYMETER_MQTT_H

#include <systemd/sd-event.h>

#include "app/conf.h"
#include "meter/meter.h"
#include "store/store.h"

struct pm_mqtt;

/* @store may be NULL (no store): then only the live topics are published. */
int pm_mqtt_new(sd_event *ev, const struct pm_conf_mqtt *conf, struct pm_store *store,
		struct pm_mqtt **out);
/* A meter to publish: its name, its pipeline (snapshot, status, events). Before start. */
int pm_mqtt_add_meter(struct pm_mqtt *m, const char *name, struct pm_meter *pipe);
/* Starts connecting. */
int pm_mqtt_start(struct pm_mqtt *m);
/* Saves the cursors and closes the connection without DISCONNECT, so the broker sends the will. */
void pm_mqtt_free(struct pm_mqtt *m);

/* Reads the first line of a password file (no newline) into @buf; -errno, *why set. */
int pm_mqtt_read_password(const char *path, char *buf, size_t size, const char **why);

#endif
