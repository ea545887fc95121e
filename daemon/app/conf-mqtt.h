/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The [mqtt] section: polymeterd's publisher to an MQTT broker (daemon/views/mqtt/,
 * docs/mqtt.md). No section, no publisher. Parsed and checked by conf-mqtt.c; the files it
 * names are read by check-config.c, as a start reads them.
 */
#ifndef POLYMETER_CONF_MQTT_H
#define POLYMETER_CONF_MQTT_H

#include <stdbool.h>
#include <stdint.h>

enum pm_mqtt_live { PM_MQTT_LIVE_ALL, PM_MQTT_LIVE_CHANGED };

/* The lines of the keys named again in later errors (0: not given). */
struct pm_conf_mqtt_lines {
	unsigned section, password_file, ca_file, cert_file, key_file, homeassistant;
};

struct pm_conf_mqtt {
	bool enabled;		   /* the section was given */
	char broker[64];	   /* numeric IPv4/IPv6 address: no DNS lookup on the event loop */
	uint32_t port;		   /* default 1883, 8883 with TLS */
	char gateway_id[64];	   /* [A-Za-z0-9_-]: a topic level of its own */
	char prefix[128];	   /* topic levels before the gateway id, default "polymeter" */
	char client_id[128];	   /* default "polymeterd-<gateway_id>" */
	uint32_t live_interval_ms; /* live values this often; 0 = none */
	enum pm_mqtt_live live;
	uint32_t keepalive_s;
	uint32_t reconnect_min_ms, reconnect_max_ms; /* backoff doubles from min to max */
	uint32_t backlog_max; /* queued messages kept per meter and stream; older are dropped */
	uint32_t inflight;    /* QoS 1 messages sent and not yet acknowledged, at most */
	char username[128];
	char password_file[256];
	char ca_file[256]; /* TLS when set: the broker's certificate is checked against it */
	char cert_file[256], key_file[256]; /* the client certificate (both or neither) */
	bool homeassistant;		    /* Home Assistant MQTT discovery */
	char ha_prefix[64];		    /* its discovery prefix, default "homeassistant" */
	struct pm_conf_mqtt_lines lines;
};

#endif
