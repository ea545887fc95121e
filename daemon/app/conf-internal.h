/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The inside of the configuration parser (conf.h), shared by its files:
 *
 *   conf.c           the reading: libinih's line source, the section headers, the [daemon] keys,
 *                    pm_conf_load()
 *   conf-meter.c     the [meter NAME] keys: their table, a meter's defaults, each key's value
 *   conf-values.c    the value parsers: integers, phases, strings, yes/no, UTC times, the RTU
 *                    line, the Modbus TCP address, the GPIO lines
 *   conf-validate.c  the checks across keys and sections, once the whole file is read
 *
 * Nothing outside these files includes this header.
 */
#ifndef POLYMETER_CONF_INTERNAL_H
#define POLYMETER_CONF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app/conf.h"
#include "supply/relay-config.h"

enum meter_key {
	K_SOURCE,
	K_URI,
	K_DEVICE,
	K_SAMPLING_FREQUENCY,
	K_BUFFER_SCANS,
	K_STALL_TIMEOUT,
	K_SIM_VOLTAGE,
	K_SIM_CURRENT,
	K_SIM_ANGLE,
	K_SIM_FREQUENCY,
	K_SIM_RATE,
	K_SIM_SPEED,
	K_SIM_SCALE,
	K_WIRING,
	K_CHECKPOINT_WH,
	K_CHECKPOINT_INTERVAL,
	K_MODBUS_TCP_PORT,
	K_MODBUS_UNIT,
	K_MODBUS_SDM630,
	K_MODBUS_RTU_DEVICE,
	K_MODBUS_RTU_LINE,
	K_MODBUS_RTU_RS485,
	K_PROFILE_PERIOD,
	K_DEMAND_PERIOD,
	K_DEMAND_SUBINTERVALS,
	K_SIM_V_ERROR,
	K_SIM_I_ERROR,
	K_SIM_I_NOISE,
	K_CONTACTOR_GPIO,
	K_CONTACTOR_ACTIVE,
	K_AUX_RELAY_GPIO,
	K_AUX_RELAY_ACTIVE,
	K_BUTTON_GPIO,
	K_BUTTON_ACTIVE,
	K_BUTTON_DEBOUNCE,
	K_MODBUS_WRITES,
	K_TIME_ZONE,
	K_TARIFF_FILE,
	K_ACCOUNT_MODE,
	K_PAYG_DEBT_LIMIT,
	K_EMERGENCY_CREDIT,
	K_EMERGENCY_THRESHOLD,
	K_LOW_CREDIT,
	K_LOAD_LIMIT,
	K_RECONNECT_CONFIRM,
	K_POWER_DOWN_CATCH_UP,
	K_STS_KEY,
	K_STS_KEY_FILE,
	K_ACCOUNT_UNIT,
	K_STS_SGC,
	K_STS_TI,
	K_STS_KRN,
	K_STS_KT,
	K_STS_BASE,
	K_STS_KEN,
	K_SIM_START,
	K_SIM_END,
	K_RECORD,
	K_REPLAY_FILE,
	K_REPLAY_PACE,
	K_ACQUISITION,
	K_POLL_INTERVAL,
	K_FULL_SCALE_VOLTAGE,
	K_FULL_SCALE_CURRENT,
	K_MODBUS_TCP_ADDRESS,
	K_MODBUS_TCP_MAX_CONN,
	K_MODBUS_TCP_IDLE,
	K_MODBUS_TCP_HEADER,
	K_DLMS_PORT,
	K_DLMS_ADDRESS,
	K_DLMS_MAX_CONN,
	K_DLMS_IDLE,
	K_DLMS_HEADER,
	K_DLMS_PASSWORD_FILE,
	K_DLMS_KEY_FILE,
	K_DLMS_HDLC_DEVICE,
	K_DLMS_HDLC_LINE,
	K_DLMS_HDLC_RS485,
	K_DLMS_HDLC_ADDRESS,
	K_DLMS_HDLC_MODE_E,
	K_DLMS_HDLC_INACTIVITY,
	K_SIM_DIP_EVERY,
	K_SIM_DIP_DURATION,
	K_SIM_DIP_PERCENT,
	K_DLMS_CLIENTS,
	K_DLMS_PUSH_DESTINATION,
	K_DLMS_PUSH_SCHEDULE,
	K_DLMS_PUSH_EVENTS,
	K_DLMS_PUSH_WINDOW,
	K_DLMS_PUSH_RETRY_BASE,
	K_DLMS_PUSH_RETRY_MAX,
	K_COUNT
};

/* A [meter] key: its name, and the one source it applies to. */
struct conf_meter_key_def {
	const char *name;
	enum pm_conf_source only; /* PM_SOURCE_NONE: any source */
};

/* conf-meter.c: indexed by enum meter_key */
extern const struct conf_meter_key_def conf_meter_keys[K_COUNT];

enum daemon_key { D_LOG_INTERVAL, D_STATE_DIR, D_DBUS, D_DBUS_INTERVAL, D_CLOCK_TRUST, D_COUNT };

enum section_kind { SEC_NONE, SEC_DAEMON, SEC_METER, SEC_MQTT, SEC_BAD };

/* conf-mqtt.c: the [mqtt] keys, counted for the parser's lines */
#define CONF_MQTT_KEYS 19

struct conf_parser {
	const char *path;
	FILE *f;
	char *buf;
	size_t cap;
	unsigned line; /* of the line libinih is working on */
	int max_line;

	enum section_kind sec;
	struct pm_conf_meter *meter; /* when sec == SEC_METER */
	unsigned daemon_line;	     /* of [daemon], 0 = not seen */
	unsigned daemon_key_line[D_COUNT];
	unsigned key_line[PM_CONF_MAX_METERS][K_COUNT];
	unsigned mqtt_key_line[CONF_MQTT_KEYS];

	struct pm_conf conf; /* the working copy; handed out only when all is valid */

	unsigned err_line; /* 0 = no error yet */
	char err[256];
};

/* conf.c: records the first error (file line and message); later ones are dropped. */
void conf_parse_error(struct conf_parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* conf-meter.c */
void conf_meter_defaults(struct pm_conf_meter *m);
/* One "name = value" of the current [meter] section: 0, or -EINVAL with the error recorded. */
int conf_meter_key(struct conf_parser *p, const char *name, const char *value);

/* conf-dlms-clients.c: the value of dlms_clients into the current meter (0, or -EINVAL with
 * the error recorded), and its checks against the meter's other keys once all are read. */
int conf_dlms_clients(struct conf_parser *p, const char *value);
void conf_validate_dlms_clients(struct conf_parser *p, size_t meter);

/* conf-mqtt.c: [mqtt]'s defaults, one key (0 or -EINVAL, error recorded), the whole section */
void conf_mqtt_defaults(struct pm_conf_mqtt *m);
int conf_mqtt_key(struct conf_parser *p, const char *name, const char *value);
void conf_mqtt_validate(struct conf_parser *p);

/* conf-validate.c: the checks across keys and sections; an error is recorded in p. */
void conf_validate(struct conf_parser *p);
/* No two TCP listeners (any meter, any protocol) on one port and address (conf-listeners.c). */
void conf_validate_listeners(struct conf_parser *p);

/* conf-values.c: 0, or -EINVAL with the output untouched */
int conf_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
int conf_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
int conf_parse_phases(const char *s, int64_t min, int64_t max, int64_t out[PM_CONF_PHASES]);
int conf_set_string(char *dst, size_t size, const char *value);
int conf_parse_yes_no(const char *value, bool *out);
int conf_parse_utc(const char *s, int64_t *out);
int conf_parse_line(const char *value, unsigned min_baud, unsigned max_baud, uint32_t *baud,
		    char *parity, uint32_t *stop);
int conf_set_address(char *dst, size_t size, const char *value);
int conf_set_gpio(struct pm_relay_line *l, const char *value);
int conf_set_active(struct pm_relay_line *l, const char *value);

#endif
