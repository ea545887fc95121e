/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small JSON writer for the MQTT payloads: exact decimals from the model's integers and
 * decimal scalers (never through a double), UTC times as ISO 8601 text, strings escaped. An
 * allocation failure is remembered and reported once by pm_json_finish().
 */
#ifndef POLYMETER_MQTT_JSON_H
#define POLYMETER_MQTT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pm_json {
	char *buf;
	size_t len, cap;
	bool oom;
	bool comma; /* a value was written at this level: the next member needs a comma */
};

void pm_json_init(struct pm_json *j);
void pm_json_free(struct pm_json *j);
/* The text (NUL-terminated, owned by @j) and its length; NULL when an allocation failed. */
const char *pm_json_finish(struct pm_json *j, size_t *len);

void pm_json_open(struct pm_json *j, const char *key, char bracket); /* '{' or '[' */
void pm_json_close(struct pm_json *j, char bracket);		     /* '}' or ']' */
/* Members (@key NULL: an array element). */
void pm_json_str(struct pm_json *j, const char *key, const char *s);
void pm_json_int(struct pm_json *j, const char *key, int64_t v);
void pm_json_uint(struct pm_json *j, const char *key, uint64_t v);
void pm_json_bool(struct pm_json *j, const char *key, bool v);
void pm_json_null(struct pm_json *j, const char *key);
/* v x 10^scaler, exactly: 230000, -3 -> 230; 1234567, -3 -> 1234.567; 5, 2 -> 500. */
void pm_json_decimal(struct pm_json *j, const char *key, int64_t v, int scaler);
/* "YYYY-MM-DDTHH:MM:SSZ", and with ns when they are not whole seconds ".nnnnnnnnnZ". */
void pm_json_utc(struct pm_json *j, const char *key, int64_t utc_ns);

/* The decimal text of v x 10^scaler into buf (at least 48 bytes); returns buf. */
const char *pm_json_decimal_text(int64_t v, int scaler, char *buf, size_t size);

#endif
