// SPDX-License-Identifier: GPL-2.0-only
/*
 * The [mqtt] keys (conf-mqtt.h, docs/mqtt.md): each value checked as it is read, then the
 * section as a whole once the file is read (conf_mqtt_validate). An error names the line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app/conf-internal.h"

enum mqtt_key {
	M_BROKER,
	M_PORT,
	M_GATEWAY_ID,
	M_PREFIX,
	M_CLIENT_ID,
	M_LIVE_INTERVAL,
	M_LIVE_VALUES,
	M_KEEPALIVE,
	M_RECONNECT_MIN,
	M_RECONNECT_MAX,
	M_BACKLOG_MAX,
	M_INFLIGHT,
	M_USERNAME,
	M_PASSWORD_FILE,
	M_CA_FILE,
	M_CERT_FILE,
	M_KEY_FILE,
	M_HOMEASSISTANT,
	M_HA_PREFIX,
	M_COUNT
};

static const struct {
	const char *name, *want;
} keys[M_COUNT] = {
    [M_BROKER] = {"broker", "a numeric IPv4 or IPv6 address (no name: no DNS lookup)"},
    [M_PORT] = {"port", "1..65535"},
    [M_GATEWAY_ID] = {"gateway_id", "1 to 63 characters of A-Z, a-z, 0-9, _, -"},
    [M_PREFIX] = {"topic_prefix", "topic levels without +, #, empty levels or an outer /"},
    [M_CLIENT_ID] = {"client_id", "1 to 127 printable ASCII characters"},
    [M_LIVE_INTERVAL] = {"live_interval_ms", "0 (none) or 100..3600000 (milliseconds)"},
    [M_LIVE_VALUES] = {"live_values", "all or changed"},
    [M_KEEPALIVE] = {"keepalive_s", "5..3600 (seconds)"},
    [M_RECONNECT_MIN] = {"reconnect_min_ms", "100..600000 (milliseconds)"},
    [M_RECONNECT_MAX] = {"reconnect_max_ms", "100..3600000 (milliseconds)"},
    [M_BACKLOG_MAX] = {"backlog_max", "1..10000000 (messages per meter and stream)"},
    [M_INFLIGHT] = {"inflight", "1..1000 (messages)"},
    [M_USERNAME] = {"username", "1 to 127 characters"},
    [M_PASSWORD_FILE] = {"password_file", "an absolute path of at most 255 characters"},
    [M_CA_FILE] = {"ca_file", "an absolute path of at most 255 characters"},
    [M_CERT_FILE] = {"cert_file", "an absolute path of at most 255 characters"},
    [M_KEY_FILE] = {"key_file", "an absolute path of at most 255 characters"},
    [M_HOMEASSISTANT] = {"homeassistant", "yes or no"},
    [M_HA_PREFIX] = {"homeassistant_prefix",
		     "topic levels without +, #, empty levels or an outer /"},
};

_Static_assert(M_COUNT == CONF_MQTT_KEYS, "conf-internal.h counts the [mqtt] keys");

void conf_mqtt_defaults(struct pm_conf_mqtt *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->prefix, "polymeter");
	m->live_interval_ms = 10000;
	m->live = PM_MQTT_LIVE_ALL;
	m->keepalive_s = 60;
	m->reconnect_min_ms = 1000;
	m->reconnect_max_ms = 60000;
	m->backlog_max = 100000;
	m->inflight = 32;
	strcpy(m->ha_prefix, "homeassistant");
}

/* A topic level for the gateway: it must not widen or split a subscription or an ACL pattern. */
static int set_id(char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= size)
		return -EINVAL;
	for (const char *s = v; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return -EINVAL;
	return conf_set_string(dst, size, v);
}

/* One or more topic levels: no wildcard, no empty level, no leading or trailing '/'. */
static int set_topic(char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= size || v[0] == '/' || v[n - 1] == '/' || strstr(v, "//") ||
	    strpbrk(v, "+#"))
		return -EINVAL;
	for (const char *s = v; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return -EINVAL;
	return conf_set_string(dst, size, v);
}

static int set_path(char *dst, size_t size, const char *v)
{
	return v[0] == '/' ? conf_set_string(dst, size, v) : -EINVAL;
}

int conf_mqtt_key(struct conf_parser *p, const char *name, const char *value)
{
	struct pm_conf_mqtt *m = &p->conf.mqtt;
	int k, r = -EINVAL;

	for (k = 0; k < M_COUNT; k++)
		if (strcmp(name, keys[k].name) == 0)
			break;
	if (k == M_COUNT) {
		conf_parse_error(p, p->line, "unknown key '%s' in [mqtt]", name);
		return -EINVAL;
	}
	if (p->mqtt_key_line[k]) {
		conf_parse_error(p, p->line, "'%s' given twice in [mqtt] (first on line %u)", name,
				 p->mqtt_key_line[k]);
		return -EINVAL;
	}
	p->mqtt_key_line[k] = p->line;
	switch ((enum mqtt_key)k) {
	case M_BROKER:
		r = conf_set_address(m->broker, sizeof(m->broker), value);
		break;
	case M_PORT:
		r = conf_parse_u32(value, 1, 65535, &m->port);
		break;
	case M_GATEWAY_ID:
		r = set_id(m->gateway_id, sizeof(m->gateway_id), value);
		break;
	case M_PREFIX:
		r = set_topic(m->prefix, sizeof(m->prefix), value);
		break;
	case M_CLIENT_ID:
		r = set_topic(m->client_id, sizeof(m->client_id), value);
		break;
	case M_LIVE_INTERVAL:
		r = conf_parse_u32(value, 0, 3600000, &m->live_interval_ms);
		if (r == 0 && m->live_interval_ms && m->live_interval_ms < 100)
			r = -EINVAL;
		break;
	case M_LIVE_VALUES:
		r = 0;
		if (strcmp(value, "all") == 0)
			m->live = PM_MQTT_LIVE_ALL;
		else if (strcmp(value, "changed") == 0)
			m->live = PM_MQTT_LIVE_CHANGED;
		else
			r = -EINVAL;
		break;
	case M_KEEPALIVE:
		r = conf_parse_u32(value, 5, 3600, &m->keepalive_s);
		break;
	case M_RECONNECT_MIN:
		r = conf_parse_u32(value, 100, 600000, &m->reconnect_min_ms);
		break;
	case M_RECONNECT_MAX:
		r = conf_parse_u32(value, 100, 3600000, &m->reconnect_max_ms);
		break;
	case M_BACKLOG_MAX:
		r = conf_parse_u32(value, 1, 10000000, &m->backlog_max);
		break;
	case M_INFLIGHT:
		r = conf_parse_u32(value, 1, 1000, &m->inflight);
		break;
	case M_USERNAME:
		r = value[0] ? conf_set_string(m->username, sizeof(m->username), value) : -EINVAL;
		break;
	case M_PASSWORD_FILE:
		r = set_path(m->password_file, sizeof(m->password_file), value);
		m->lines.password_file = p->line;
		break;
	case M_CA_FILE:
		r = set_path(m->ca_file, sizeof(m->ca_file), value);
		m->lines.ca_file = p->line;
		break;
	case M_CERT_FILE:
		r = set_path(m->cert_file, sizeof(m->cert_file), value);
		m->lines.cert_file = p->line;
		break;
	case M_KEY_FILE:
		r = set_path(m->key_file, sizeof(m->key_file), value);
		m->lines.key_file = p->line;
		break;
	case M_HOMEASSISTANT:
		r = conf_parse_yes_no(value, &m->homeassistant);
		m->lines.homeassistant = p->line;
		break;
	case M_HA_PREFIX:
		r = set_topic(m->ha_prefix, sizeof(m->ha_prefix), value);
		break;
	case M_COUNT:
		break;
	}
	if (r < 0)
		conf_parse_error(p, p->line, "%s = '%s': expected %s", name, value, keys[k].want);
	return r;
}

/* Once the file is read: the keys that go together, and the defaults that depend on others. */
void conf_mqtt_validate(struct conf_parser *p)
{
	struct pm_conf_mqtt *m = &p->conf.mqtt;
	const unsigned *at = p->mqtt_key_line;

	if (!m->enabled)
		return;
	if (!m->broker[0]) {
		conf_parse_error(p, m->lines.section, "[mqtt] needs broker (a numeric address)");
		return;
	}
	if (!m->gateway_id[0]) {
		conf_parse_error(p, m->lines.section,
				 "[mqtt] needs gateway_id (this gateway's topic level)");
		return;
	}
	if (m->reconnect_max_ms < m->reconnect_min_ms) {
		conf_parse_error(p, at[M_RECONNECT_MAX] ? at[M_RECONNECT_MAX] : at[M_RECONNECT_MIN],
				 "reconnect_max_ms (%u) is below reconnect_min_ms (%u)",
				 m->reconnect_max_ms, m->reconnect_min_ms);
		return;
	}
	if (!m->cert_file[0] != !m->key_file[0]) {
		conf_parse_error(p, m->cert_file[0] ? m->lines.cert_file : m->lines.key_file,
				 "cert_file and key_file go together (the client certificate)");
		return;
	}
	if (m->cert_file[0] && !m->ca_file[0]) {
		conf_parse_error(p, m->lines.cert_file,
				 "a client certificate needs ca_file (TLS checks the broker too)");
		return;
	}
	if (m->password_file[0] && !m->username[0]) {
		conf_parse_error(p, m->lines.password_file, "password_file needs username");
		return;
	}
	if (m->homeassistant && m->live != PM_MQTT_LIVE_ALL) {
		conf_parse_error(
		    p, m->lines.homeassistant,
		    "homeassistant = yes needs live_values = all (Home Assistant reads "
		    "every value from each live message)");
		return;
	}
	if (m->homeassistant && !m->live_interval_ms) {
		conf_parse_error(p, m->lines.homeassistant,
				 "homeassistant = yes needs live values (live_interval_ms > 0)");
		return;
	}
	if (!m->port)
		m->port = m->ca_file[0] ? 8883 : 1883;
	if (!m->client_id[0])
		snprintf(m->client_id, sizeof(m->client_id), "polymeterd-%s", m->gateway_id);
}
