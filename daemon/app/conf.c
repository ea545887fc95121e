// SPDX-License-Identifier: GPL-2.0-only
/*
 * Configuration file parser (see conf.h). libinih splits the file into sections and key/value
 * pairs; a reader of our own feeds it the lines, so every message can name its line, and sees
 * every section header (libinih does not report empty sections).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/conf.h"
#include "core/billing/civil-time.h"
#include "core/billing/money.h"
#include "views/modbus/modbus-tcp.h" /* the server's defaults */

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
	K_STS_KEY,
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
	K_COUNT
};

static const struct {
	const char *name;
	enum pm_conf_source only; /* PM_SOURCE_NONE: any source */
} meter_keys[K_COUNT] = {
    [K_SOURCE] = {"source", PM_SOURCE_NONE},
    [K_URI] = {"uri", PM_SOURCE_IIO},
    [K_DEVICE] = {"device", PM_SOURCE_IIO},
    [K_SAMPLING_FREQUENCY] = {"sampling_frequency", PM_SOURCE_IIO},
    [K_BUFFER_SCANS] = {"buffer_scans", PM_SOURCE_IIO},
    [K_STALL_TIMEOUT] = {"stall_timeout", PM_SOURCE_IIO},
    [K_SIM_VOLTAGE] = {"sim_voltage_mv", PM_SOURCE_SIM},
    [K_SIM_CURRENT] = {"sim_current_ma", PM_SOURCE_SIM},
    [K_SIM_ANGLE] = {"sim_angle_mdeg", PM_SOURCE_SIM},
    [K_SIM_FREQUENCY] = {"sim_frequency_mhz", PM_SOURCE_SIM},
    [K_SIM_RATE] = {"sim_rate_hz", PM_SOURCE_SIM},
    [K_SIM_SPEED] = {"sim_speed", PM_SOURCE_SIM},
    [K_SIM_SCALE] = {"sim_nj_per_code", PM_SOURCE_SIM},
    [K_WIRING] = {"wiring", PM_SOURCE_NONE},
    [K_CHECKPOINT_WH] = {"checkpoint_wh", PM_SOURCE_NONE},
    [K_CHECKPOINT_INTERVAL] = {"checkpoint_interval", PM_SOURCE_NONE},
    [K_MODBUS_TCP_PORT] = {"modbus_tcp_port", PM_SOURCE_NONE},
    [K_MODBUS_UNIT] = {"modbus_unit", PM_SOURCE_NONE},
    [K_MODBUS_SDM630] = {"modbus_sdm630", PM_SOURCE_NONE},
    [K_MODBUS_RTU_DEVICE] = {"modbus_rtu_device", PM_SOURCE_NONE},
    [K_MODBUS_RTU_LINE] = {"modbus_rtu_line", PM_SOURCE_NONE},
    [K_MODBUS_RTU_RS485] = {"modbus_rtu_rs485", PM_SOURCE_NONE},
    [K_PROFILE_PERIOD] = {"profile_period", PM_SOURCE_NONE},
    [K_DEMAND_PERIOD] = {"demand_period", PM_SOURCE_NONE},
    [K_DEMAND_SUBINTERVALS] = {"demand_subintervals", PM_SOURCE_NONE},
    [K_SIM_V_ERROR] = {"sim_voltage_error_ppm", PM_SOURCE_SIM},
    [K_SIM_I_ERROR] = {"sim_current_error_ppm", PM_SOURCE_SIM},
    [K_SIM_I_NOISE] = {"sim_current_noise_ma", PM_SOURCE_SIM},
    [K_CONTACTOR_GPIO] = {"contactor_gpio", PM_SOURCE_NONE},
    [K_CONTACTOR_ACTIVE] = {"contactor_active", PM_SOURCE_NONE},
    [K_AUX_RELAY_GPIO] = {"aux_relay_gpio", PM_SOURCE_NONE},
    [K_AUX_RELAY_ACTIVE] = {"aux_relay_active", PM_SOURCE_NONE},
    [K_BUTTON_GPIO] = {"button_gpio", PM_SOURCE_NONE},
    [K_BUTTON_ACTIVE] = {"button_active", PM_SOURCE_NONE},
    [K_BUTTON_DEBOUNCE] = {"button_debounce_ms", PM_SOURCE_NONE},
    [K_MODBUS_WRITES] = {"modbus_writes", PM_SOURCE_NONE},
    [K_TIME_ZONE] = {"time_zone", PM_SOURCE_NONE},
    [K_TARIFF_FILE] = {"tariff_file", PM_SOURCE_NONE},
    [K_ACCOUNT_MODE] = {"account_mode", PM_SOURCE_NONE},
    [K_PAYG_DEBT_LIMIT] = {"payg_debt_limit", PM_SOURCE_NONE},
    [K_EMERGENCY_CREDIT] = {"emergency_credit", PM_SOURCE_NONE},
    [K_EMERGENCY_THRESHOLD] = {"emergency_credit_threshold", PM_SOURCE_NONE},
    [K_LOW_CREDIT] = {"low_credit", PM_SOURCE_NONE},
    [K_LOAD_LIMIT] = {"load_limit_w", PM_SOURCE_NONE},
    [K_RECONNECT_CONFIRM] = {"reconnect_needs_confirmation", PM_SOURCE_NONE},
    [K_STS_KEY] = {"sts_decoder_key", PM_SOURCE_NONE},
    [K_SIM_START] = {"sim_start", PM_SOURCE_SIM},
    [K_SIM_END] = {"sim_end", PM_SOURCE_SIM},
    [K_RECORD] = {"record", PM_SOURCE_NONE},
    [K_REPLAY_FILE] = {"replay_file", PM_SOURCE_REPLAY},
    [K_REPLAY_PACE] = {"replay_pace", PM_SOURCE_REPLAY},
    [K_ACQUISITION] = {"acquisition", PM_SOURCE_IIO},
    [K_POLL_INTERVAL] = {"poll_interval_ms", PM_SOURCE_IIO},
    [K_FULL_SCALE_VOLTAGE] = {"full_scale_voltage_mv", PM_SOURCE_IIO},
    [K_FULL_SCALE_CURRENT] = {"full_scale_current_ma", PM_SOURCE_IIO},
    [K_MODBUS_TCP_ADDRESS] = {"modbus_tcp_address", PM_SOURCE_NONE},
    [K_MODBUS_TCP_MAX_CONN] = {"modbus_tcp_max_connections", PM_SOURCE_NONE},
    [K_MODBUS_TCP_IDLE] = {"modbus_tcp_idle_timeout", PM_SOURCE_NONE},
    [K_MODBUS_TCP_HEADER] = {"modbus_tcp_header_timeout", PM_SOURCE_NONE},
};

enum daemon_key { D_LOG_INTERVAL, D_STATE_DIR, D_DBUS, D_DBUS_INTERVAL, D_COUNT };

static const char *const daemon_keys[D_COUNT] = {
    [D_LOG_INTERVAL] = "log_interval",
    [D_STATE_DIR] = "state_dir",
    [D_DBUS] = "dbus",
    [D_DBUS_INTERVAL] = "dbus_interval_ms",
};

enum section_kind { SEC_NONE, SEC_DAEMON, SEC_METER, SEC_BAD };

struct parser {
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

	struct pm_conf conf; /* the working copy; handed out only when all is valid */

	unsigned err_line; /* 0 = no error yet */
	char err[256];
};

static void __attribute__((format(printf, 3, 4)))
parse_error(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return; /* the first error is the one reported */
	p->err_line = line;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

static bool valid_meter_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(((struct pm_conf_meter *)0)->name))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static void meter_defaults(struct pm_conf_meter *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->uri, "local:");
	strcpy(m->device, "ade9000");
	m->buffer_scans = 16;
	m->stall_timeout_s = 5;
	m->poll_interval_ms = 250;
	for (int n = 0; n < PM_CONF_PHASES; n++)
		m->sim.v_mv[n] = 230000;
	m->sim.f_mhz = 50000;
	m->sim.rate_hz = 10;
	m->sim.speed = 1;
	m->sim.nj_per_code = 1000000; /* 1 mJ per code */
	m->wiring = PM_WIRING_WYE;
	m->checkpoint_wh = 1;
	m->checkpoint_interval_s = 60;
	m->profile_period_min = 15;
	m->demand_period_min = 15;
	m->demand_subintervals = 1;
	m->modbus_unit = 1;
	m->modbus_tcp_max_conn = PM_MBTCP_DEFAULT_MAX_CONN;
	m->modbus_tcp_idle_timeout_s = PM_MBTCP_DEFAULT_IDLE_USEC / 1000000;
	m->modbus_tcp_header_timeout_s = PM_MBTCP_DEFAULT_HEADER_USEC / 1000000;
	/* the Modbus RTU default line: 19200 baud, even parity, 1 stop bit; RS-485 mode */
	m->modbus_rtu_baud = 19200;
	m->modbus_rtu_parity = 'E';
	m->modbus_rtu_stop = 1;
	m->modbus_rtu_rs485 = true;
	pm_relay_config_defaults(&m->relay);
	m->account_mode = PM_ACCOUNT_CREDIT;
	m->reconnect_needs_confirmation = true;
}

/* A section header seen by the reader: "[daemon]" or "[meter NAME]". */
static void section_start(struct parser *p, const char *name)
{
	p->sec = SEC_BAD;
	p->meter = NULL;
	if (strcmp(name, "daemon") == 0) {
		if (p->daemon_line) {
			parse_error(p, p->line, "[daemon] given twice (first on line %u)",
				    p->daemon_line);
			return;
		}
		p->daemon_line = p->line;
		p->sec = SEC_DAEMON;
		return;
	}
	if (strncmp(name, "meter", 5) != 0 || (name[5] != ' ' && name[5] != '\t')) {
		parse_error(p, p->line, "unknown section [%s] (known: [daemon], [meter NAME])",
			    name);
		return;
	}
	name += 5;
	name += strspn(name, " \t");
	if (!valid_meter_name(name)) {
		parse_error(p, p->line,
			    "bad meter name '%s' (1 to 31 characters of A-Z, a-z, 0-9, _)", name);
		return;
	}
	for (size_t i = 0; i < p->conf.n_meters; i++)
		if (strcmp(p->conf.meter[i].name, name) == 0) {
			parse_error(p, p->line, "[meter %s] given twice (first on line %u)", name,
				    p->conf.meter[i].line);
			return;
		}
	if (p->conf.n_meters >= PM_CONF_MAX_METERS) {
		parse_error(p, p->line, "too many meters (at most %d)", PM_CONF_MAX_METERS);
		return;
	}
	p->meter = &p->conf.meter[p->conf.n_meters++];
	meter_defaults(p->meter);
	strcpy(p->meter->name, name);
	p->meter->line = p->line;
	p->sec = SEC_METER;
}

/* libinih's line source: one line of the file per call, counted. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	ssize_t n = getline(&p->buf, &p->cap, p->f);
	const char *s;
	char name[128];

	if (n < 0)
		return NULL;
	p->line++;
	if (n > num - 1) {
		parse_error(p, p->line, "line too long (at most %d characters)", num - 2);
		strcpy(str, "\n");
		return str;
	}
	memcpy(str, p->buf, (size_t)n + 1);

	s = p->buf + strspn(p->buf, " \t");
	if (*s == '[') {
		const char *end = strchr(s, ']');
		size_t len;

		if (!end)
			return str; /* libinih reports the syntax error on this line */
		s++;
		s += strspn(s, " \t");
		len = (size_t)(end - s);
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len >= sizeof(name)) {
			parse_error(p, p->line, "section name too long");
			p->sec = SEC_BAD;
			return str;
		}
		memcpy(name, s, len);
		name[len] = '\0';
		section_start(p, name);
	}
	return str;
}

static int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	int64_t v;

	if (parse_i64(s, min, max, &v) < 0)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* One value for every phase, or one per phase: "230000" or "230000 231000 229500". */
static int parse_phases(const char *s, int64_t min, int64_t max, int64_t out[PM_CONF_PHASES])
{
	int64_t v[PM_CONF_PHASES];
	char tok[32];
	int n = 0;

	while (*s) {
		size_t len;

		s += strspn(s, " \t");
		if (!*s)
			break;
		len = strcspn(s, " \t");
		if (n == PM_CONF_PHASES || len >= sizeof(tok))
			return -EINVAL;
		memcpy(tok, s, len);
		tok[len] = '\0';
		if (parse_i64(tok, min, max, &v[n]) < 0)
			return -EINVAL;
		n++;
		s += len;
	}
	if (n == 1)
		v[1] = v[2] = v[0];
	else if (n != PM_CONF_PHASES)
		return -EINVAL;
	memcpy(out, v, sizeof(v));
	return 0;
}

static int set_string(char *dst, size_t size, const char *value)
{
	size_t n = strlen(value);

	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(dst, value, n + 1);
	return 0;
}

/* "yes" or "no" */
static int parse_yes_no(const char *value, bool *out)
{
	if (strcmp(value, "yes") == 0)
		*out = true;
	else if (strcmp(value, "no") == 0)
		*out = false;
	else
		return -EINVAL;
	return 0;
}

/* "2026-01-01T00:00:00Z" (UTC, whole seconds) -> ns since the epoch; a date that does not
 * exist (2026-02-30), one not after 1970-01-01T00:00:00Z or one after 2200 is refused. */
static int parse_utc(const char *s, int64_t *out)
{
	int64_t ns, year_2201_ns = pm_civil_days_from_date(2201, 1, 1) * PM_S_PER_DAY * PM_NS_PER_S;

	if (pm_civil_parse_utc(s, &ns) < 0 || ns <= 0 || ns >= year_2201_ns)
		return -EINVAL;
	*out = ns;
	return 0;
}

/* "19200 E 1": baud, parity, stop bits (the RTU server checks the baud is a standard one) */
static int parse_rtu_line(const char *value, struct pm_conf_meter *m)
{
	unsigned baud, stop;
	char parity, end;

	if (sscanf(value, "%u %c %u %c", &baud, &parity, &stop, &end) != 3)
		return -EINVAL;
	if (baud < 1200 || baud > 921600 || (parity != 'N' && parity != 'E' && parity != 'O') ||
	    (stop != 1 && stop != 2))
		return -EINVAL;
	m->modbus_rtu_baud = baud;
	m->modbus_rtu_parity = parity;
	m->modbus_rtu_stop = stop;
	return 0;
}

/*
 * The Modbus TCP bind address: a numeric IPv4 or IPv6 address, as strictly as the server reads
 * it (inet_pton: no host name, no "127.1" shorthand, no scope id).
 */
static int set_address(char *dst, size_t size, const char *value)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET6, value, &a6) != 1 && inet_pton(AF_INET, value, &a4) != 1)
		return -EINVAL;
	return set_string(dst, size, value);
}

/* A supply-control line: its spec (syntax only; the line is looked up when the daemon starts) */
static int set_gpio(struct pm_relay_line *l, const char *value)
{
	if (pm_relay_spec_check(value) < 0)
		return -EINVAL;
	return set_string(l->spec, sizeof(l->spec), value);
}

/* Its active level: "high" (closed or pressed = high) or "low" */
static int set_active(struct pm_relay_line *l, const char *value)
{
	if (strcmp(value, "high") == 0)
		l->active_low = false;
	else if (strcmp(value, "low") == 0)
		l->active_low = true;
	else
		return -EINVAL;
	return 0;
}

static int meter_key(struct parser *p, const char *name, const char *value)
{
	struct pm_conf_meter *m = p->meter;
	unsigned *key_line = p->key_line[m - p->conf.meter];
	int k, r = -EINVAL;

	for (k = 0; k < K_COUNT; k++)
		if (strcmp(name, meter_keys[k].name) == 0)
			break;
	if (k == K_COUNT) {
		parse_error(p, p->line, "unknown key '%s' in [meter %s]", name, m->name);
		return -EINVAL;
	}
	if (key_line[k]) {
		parse_error(p, p->line, "'%s' given twice in [meter %s] (first on line %u)", name,
			    m->name, key_line[k]);
		return -EINVAL;
	}
	key_line[k] = p->line;

	switch ((enum meter_key)k) {
	case K_SOURCE:
		r = 0;
		if (strcmp(value, "iio") == 0)
			m->source = PM_SOURCE_IIO;
		else if (strcmp(value, "sim") == 0)
			m->source = PM_SOURCE_SIM;
		else if (strcmp(value, "replay") == 0)
			m->source = PM_SOURCE_REPLAY;
		else
			r = -EINVAL;
		if (r < 0) {
			parse_error(p, p->line, "source = '%s': expected iio, sim or replay",
				    value);
			return r;
		}
		return 0;
	case K_URI:
		r = set_string(m->uri, sizeof(m->uri), value);
		break;
	case K_DEVICE:
		r = set_string(m->device, sizeof(m->device), value);
		break;
	case K_SAMPLING_FREQUENCY:
		r = parse_u32(value, 1, 8000, &m->sampling_frequency);
		break;
	case K_BUFFER_SCANS:
		r = parse_u32(value, 1, 4096, &m->buffer_scans);
		break;
	case K_STALL_TIMEOUT:
		r = parse_u32(value, 1, 3600, &m->stall_timeout_s);
		break;
	case K_SIM_VOLTAGE:
		r = parse_phases(value, 0, 1000000000, m->sim.v_mv);
		break;
	case K_SIM_CURRENT:
		r = parse_phases(value, 0, 1000000000, m->sim.i_ma);
		break;
	case K_SIM_ANGLE:
		r = parse_phases(value, -360000, 360000, m->sim.angle_mdeg);
		break;
	case K_SIM_FREQUENCY:
		r = parse_i64(value, 1000, 1000000, &m->sim.f_mhz);
		break;
	case K_SIM_RATE:
		r = parse_u32(value, 1, 8000, &m->sim.rate_hz);
		break;
	case K_SIM_SPEED:
		r = parse_u32(value, 1, 1000000, &m->sim.speed);
		break;
	case K_SIM_SCALE:
		r = parse_u32(value, 1, UINT32_MAX, &m->sim.nj_per_code);
		break;
	case K_SIM_V_ERROR:
		r = parse_phases(value, -200000, 200000, m->sim.v_error_ppm);
		break;
	case K_SIM_I_ERROR:
		r = parse_phases(value, -200000, 200000, m->sim.i_error_ppm);
		break;
	case K_SIM_I_NOISE:
		r = parse_phases(value, 0, 1000000, m->sim.i_noise_ma);
		break;
	case K_WIRING:
		r = 0;
		if (strcmp(value, "wye") == 0)
			m->wiring = PM_WIRING_WYE;
		else if (strcmp(value, "delta") == 0)
			m->wiring = PM_WIRING_DELTA;
		else
			r = -EINVAL;
		break;
	case K_CHECKPOINT_WH:
		r = parse_u32(value, 1, 1000000, &m->checkpoint_wh);
		break;
	case K_CHECKPOINT_INTERVAL:
		r = parse_u32(value, 1, 86400, &m->checkpoint_interval_s);
		break;
	case K_PROFILE_PERIOD:
		r = parse_u32(value, 1, 60, &m->profile_period_min);
		if (!r && m->profile_period_min != 15 && m->profile_period_min != 30 &&
		    m->profile_period_min != 60)
			r = -EINVAL;
		break;
	case K_DEMAND_PERIOD:
		r = parse_u32(value, 1, 30, &m->demand_period_min);
		if (!r && m->demand_period_min != 15 && m->demand_period_min != 30)
			r = -EINVAL;
		break;
	case K_DEMAND_SUBINTERVALS:
		/* sliding steps must be whole seconds: 15 and 30 min both divide by 1..15 */
		r = parse_u32(value, 1, 15, &m->demand_subintervals);
		if (!r && (900 % m->demand_subintervals))
			r = -EINVAL;
		break;
	case K_MODBUS_TCP_PORT:
		r = parse_u32(value, 0, 65535, &m->modbus_tcp_port);
		break;
	case K_MODBUS_UNIT:
		r = parse_u32(value, 1, 247, &m->modbus_unit);
		break;
	case K_MODBUS_TCP_ADDRESS:
		r = set_address(m->modbus_tcp_address, sizeof(m->modbus_tcp_address), value);
		break;
	case K_MODBUS_TCP_MAX_CONN:
		r = parse_u32(value, 1, 256, &m->modbus_tcp_max_conn);
		break;
	case K_MODBUS_TCP_IDLE:
		r = parse_u32(value, 1, 86400, &m->modbus_tcp_idle_timeout_s);
		break;
	case K_MODBUS_TCP_HEADER:
		r = parse_u32(value, 1, 3600, &m->modbus_tcp_header_timeout_s);
		break;
	case K_MODBUS_RTU_DEVICE:
		r = value[0] == '/'
			? set_string(m->modbus_rtu_device, sizeof(m->modbus_rtu_device), value)
			: -EINVAL;
		break;
	case K_MODBUS_RTU_LINE:
		r = parse_rtu_line(value, m);
		break;
	case K_MODBUS_RTU_RS485:
		r = parse_yes_no(value, &m->modbus_rtu_rs485);
		break;
	case K_MODBUS_SDM630:
		r = parse_yes_no(value, &m->modbus_sdm630);
		break;
	case K_MODBUS_WRITES:
		r = parse_yes_no(value, &m->modbus_writes);
		break;
	case K_CONTACTOR_GPIO:
		r = set_gpio(&m->relay.contactor, value);
		break;
	case K_CONTACTOR_ACTIVE:
		r = set_active(&m->relay.contactor, value);
		break;
	case K_AUX_RELAY_GPIO:
		r = set_gpio(&m->relay.aux, value);
		break;
	case K_AUX_RELAY_ACTIVE:
		r = set_active(&m->relay.aux, value);
		break;
	case K_BUTTON_GPIO:
		r = set_gpio(&m->relay.button, value);
		break;
	case K_BUTTON_ACTIVE:
		r = set_active(&m->relay.button, value);
		break;
	case K_BUTTON_DEBOUNCE:
		r = parse_u32(value, 0, 1000, &m->relay.debounce_ms);
		break;
	case K_TIME_ZONE:
		r = set_string(m->time_zone, sizeof(m->time_zone), value);
		break;
	case K_TARIFF_FILE:
		r = value[0] == '/' ? set_string(m->tariff_file, sizeof(m->tariff_file), value)
				    : -EINVAL;
		break;
	case K_ACCOUNT_MODE:
		r = 0;
		if (strcmp(value, "credit") == 0)
			m->account_mode = PM_ACCOUNT_CREDIT;
		else if (strcmp(value, "prepayment") == 0)
			m->account_mode = PM_ACCOUNT_PREPAYMENT;
		else if (strcmp(value, "payg") == 0)
			m->account_mode = PM_ACCOUNT_PAYG;
		else
			r = -EINVAL;
		break;
	case K_PAYG_DEBT_LIMIT:
		r = pm_money_parse(value, &m->payg_debt_limit_mu);
		if (!r && (m->payg_debt_limit_mu > 0 || m->payg_debt_limit_mu < -50000000))
			r = -EINVAL;
		break;
	case K_EMERGENCY_CREDIT:
		r = pm_money_parse(value, &m->emergency_credit_mu);
		if (!r && m->emergency_credit_mu < 0)
			r = -EINVAL;
		break;
	case K_EMERGENCY_THRESHOLD:
		r = pm_money_parse(value, &m->emergency_threshold_mu);
		if (!r && m->emergency_threshold_mu < 0)
			r = -EINVAL;
		break;
	case K_LOW_CREDIT:
		r = pm_money_parse(value, &m->low_credit_mu);
		if (!r && m->low_credit_mu < 0)
			r = -EINVAL;
		break;
	case K_LOAD_LIMIT:
		r = parse_u32(value, 0, 24000, &m->load_limit_w);
		break;
	case K_RECONNECT_CONFIRM:
		r = 0;
		if (strcmp(value, "yes") == 0)
			m->reconnect_needs_confirmation = true;
		else if (strcmp(value, "no") == 0)
			m->reconnect_needs_confirmation = false;
		else
			r = -EINVAL;
		break;
	case K_STS_KEY: {
		char *end;

		errno = 0;
		m->sts_decoder_key = strtoull(value, &end, 16);
		r = strlen(value) == 16 && !*end && !errno ? 0 : -EINVAL;
		m->has_sts_decoder_key = r == 0;
		break;
	}
	case K_SIM_START:
		r = parse_utc(value, &m->sim_start_ns);
		break;
	case K_SIM_END:
		r = parse_utc(value, &m->sim_end_ns);
		break;
	case K_RECORD:
		r = value[0] == '/' ? set_string(m->record, sizeof(m->record), value) : -EINVAL;
		break;
	case K_REPLAY_FILE:
		r = value[0] == '/' ? set_string(m->replay_file, sizeof(m->replay_file), value)
				    : -EINVAL;
		break;
	case K_REPLAY_PACE:
		r = 0;
		if (strcmp(value, "recorded") == 0)
			m->replay_fast = false;
		else if (strcmp(value, "fast") == 0)
			m->replay_fast = true;
		else
			r = -EINVAL;
		break;
	case K_ACQUISITION:
		r = 0;
		if (strcmp(value, "auto") == 0)
			m->acquisition = PM_ACQ_AUTO;
		else if (strcmp(value, "buffer") == 0)
			m->acquisition = PM_ACQ_BUFFER;
		else if (strcmp(value, "direct") == 0)
			m->acquisition = PM_ACQ_DIRECT;
		else
			r = -EINVAL;
		break;
	case K_POLL_INTERVAL:
		r = parse_u32(value, 20, 60000, &m->poll_interval_ms);
		break;
	case K_FULL_SCALE_VOLTAGE:
		r = parse_i64(value, 1000, 100000000, &m->full_scale_mv);
		break;
	case K_FULL_SCALE_CURRENT:
		r = parse_i64(value, 1, 100000000, &m->full_scale_ma);
		break;
	case K_COUNT:
		break;
	}
	if (r < 0) {
		static const char *const want[K_COUNT] = {
		    [K_URI] = "a libiio URI of at most 255 characters",
		    [K_DEVICE] = "an IIO device label or name of at most 63 characters",
		    [K_SAMPLING_FREQUENCY] = "an integer 1..8000 (Hz)",
		    [K_BUFFER_SCANS] = "an integer 1..4096",
		    [K_STALL_TIMEOUT] = "an integer 1..3600 (seconds)",
		    [K_SIM_VOLTAGE] = "1 or 3 integers 0..1000000000 (mV)",
		    [K_SIM_CURRENT] = "1 or 3 integers 0..1000000000 (mA)",
		    [K_SIM_ANGLE] = "1 or 3 integers -360000..360000 (millidegrees)",
		    [K_SIM_FREQUENCY] = "an integer 1000..1000000 (mHz)",
		    [K_SIM_RATE] = "an integer 1..8000 (Hz)",
		    [K_SIM_SPEED] = "an integer 1..1000000",
		    [K_SIM_SCALE] = "an integer 1..4294967295 (nJ)",
		    [K_WIRING] = "wye or delta",
		    [K_CHECKPOINT_WH] = "an integer 1..1000000 (Wh)",
		    [K_CHECKPOINT_INTERVAL] = "an integer 1..86400 (seconds)",
		    [K_MODBUS_TCP_PORT] = "a TCP port 1..65535, or 0 for no Modbus TCP server",
		    [K_MODBUS_UNIT] = "a Modbus unit id 1..247",
		    [K_MODBUS_SDM630] = "yes or no",
		    [K_MODBUS_RTU_DEVICE] = "an absolute tty path of at most 63 characters",
		    [K_MODBUS_RTU_LINE] = "BAUD PARITY STOPBITS, e.g. 19200 E 1 (parity N, E or O)",
		    [K_MODBUS_RTU_RS485] = "yes or no",
		    [K_CONTACTOR_GPIO] = "CHIP:OFFSET or a GPIO line name",
		    [K_CONTACTOR_ACTIVE] = "high or low",
		    [K_AUX_RELAY_GPIO] = "CHIP:OFFSET or a GPIO line name",
		    [K_AUX_RELAY_ACTIVE] = "high or low",
		    [K_BUTTON_GPIO] = "CHIP:OFFSET or a GPIO line name",
		    [K_BUTTON_ACTIVE] = "high or low",
		    [K_BUTTON_DEBOUNCE] = "an integer 0..1000 (milliseconds)",
		    [K_MODBUS_WRITES] = "yes or no",
		    [K_TIME_ZONE] = "a tzdata zone such as Europe/London",
		    [K_TARIFF_FILE] = "an absolute path of at most 255 characters",
		    [K_ACCOUNT_MODE] = "credit, prepayment or payg",
		    [K_PAYG_DEBT_LIMIT] = "money from -500.00 to 0 (currency units)",
		    [K_EMERGENCY_CREDIT] = "money >= 0 (currency units; 0 = none)",
		    [K_EMERGENCY_THRESHOLD] = "money >= 0 (currency units)",
		    [K_LOW_CREDIT] = "money >= 0 (currency units)",
		    [K_LOAD_LIMIT] = "an integer 0..24000 (W; 0 = off)",
		    [K_RECONNECT_CONFIRM] = "yes or no",
		    [K_STS_KEY] = "16 hexadecimal digits (the STS decoder key)",
		    [K_SIM_START] = "a UTC time YYYY-MM-DDTHH:MM:SSZ (1970..2200)",
		    [K_SIM_END] = "a UTC time YYYY-MM-DDTHH:MM:SSZ (1970..2200)",
		    [K_RECORD] = "an absolute file path of at most 255 characters",
		    [K_REPLAY_FILE] = "an absolute file path of at most 255 characters",
		    [K_REPLAY_PACE] = "recorded or fast",
		    [K_ACQUISITION] = "auto, buffer or direct",
		    [K_POLL_INTERVAL] = "an integer 20..60000 (milliseconds)",
		    [K_FULL_SCALE_VOLTAGE] = "an integer 1000..100000000 (mV rms)",
		    [K_FULL_SCALE_CURRENT] = "an integer 1..100000000 (mA rms)",
		    [K_MODBUS_TCP_ADDRESS] =
			"a numeric IPv4 or IPv6 address, e.g. 192.0.2.10 or ::1",
		    [K_MODBUS_TCP_MAX_CONN] = "an integer 1..256 (connections)",
		    [K_MODBUS_TCP_IDLE] = "an integer 1..86400 (seconds)",
		    [K_MODBUS_TCP_HEADER] = "an integer 1..3600 (seconds)",
		};
		parse_error(p, p->line, "%s = '%s': expected %s", name, value, want[k]);
	}
	return r;
}

static int daemon_key(struct parser *p, const char *name, const char *value)
{
	int k, r = -EINVAL;

	for (k = 0; k < D_COUNT; k++)
		if (strcmp(name, daemon_keys[k]) == 0)
			break;
	if (k == D_COUNT) {
		parse_error(p, p->line, "unknown key '%s' in [daemon]", name);
		return -EINVAL;
	}
	if (p->daemon_key_line[k]) {
		parse_error(p, p->line, "'%s' given twice in [daemon] (first on line %u)", name,
			    p->daemon_key_line[k]);
		return -EINVAL;
	}
	p->daemon_key_line[k] = p->line;
	switch ((enum daemon_key)k) {
	case D_LOG_INTERVAL:
		r = parse_u32(value, 0, 3600, &p->conf.log_interval_s);
		break;
	case D_STATE_DIR:
		/* an absolute path, or "none": registers are then kept in memory only */
		r = value[0] == '/' || strcmp(value, "none") == 0
			? set_string(p->conf.state_dir, sizeof(p->conf.state_dir), value)
			: -EINVAL;
		break;
	case D_DBUS:
		r = 0;
		if (strcmp(value, "system") == 0)
			p->conf.dbus = PM_DBUS_SYSTEM;
		else if (strcmp(value, "session") == 0)
			p->conf.dbus = PM_DBUS_SESSION;
		else if (strcmp(value, "none") == 0)
			p->conf.dbus = PM_DBUS_NONE;
		else
			r = -EINVAL;
		break;
	case D_DBUS_INTERVAL:
		r = parse_u32(value, 0, 60000, &p->conf.dbus_interval_ms);
		break;
	case D_COUNT:
		break;
	}
	if (r < 0) {
		static const char *const want[D_COUNT] = {
		    [D_LOG_INTERVAL] = "0..3600 (seconds)",
		    [D_STATE_DIR] = "an absolute directory of at most 255 characters, or none",
		    [D_DBUS] = "system, session or none",
		    [D_DBUS_INTERVAL] = "0..60000 (milliseconds)",
		};
		parse_error(p, p->line, "%s = '%s': expected %s", name, value, want[k]);
	}
	return r;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;

	(void)section; /* the reader saw the header and set p->sec */
	switch (p->sec) {
	case SEC_NONE:
		parse_error(p, p->line, "'%s' outside of any section", name);
		return 0;
	case SEC_BAD:
		return 0; /* the header's error is reported */
	case SEC_DAEMON:
		return daemon_key(p, name, value) < 0 ? 0 : 1;
	case SEC_METER:
		return meter_key(p, name, value) < 0 ? 0 : 1;
	}
	return 0;
}

/* The line of meter @i's key @k, else of the key that made it a bus member, else its header. */
static unsigned rtu_line(const struct parser *p, size_t i, int k)
{
	if (p->key_line[i][k])
		return p->key_line[i][k];
	if (p->key_line[i][K_MODBUS_RTU_DEVICE])
		return p->key_line[i][K_MODBUS_RTU_DEVICE];
	return p->conf.meter[i].line;
}

/*
 * Meters naming the same tty share one RTU server (one bus): each needs its own slave
 * address, and all must ask for the same line settings.
 */
static void validate_rtu_buses(struct parser *p)
{
	for (size_t j = 1; j < p->conf.n_meters; j++) {
		const struct pm_conf_meter *b = &p->conf.meter[j];

		for (size_t i = 0; b->modbus_rtu_device[0] && i < j; i++) {
			const struct pm_conf_meter *a = &p->conf.meter[i];

			if (strcmp(a->modbus_rtu_device, b->modbus_rtu_device) != 0)
				continue;
			if (a->modbus_unit == b->modbus_unit) {
				parse_error(p, rtu_line(p, j, K_MODBUS_UNIT),
					    "[meter %s] modbus_unit %u on %s: [meter %s] (line %u) "
					    "already has that slave address on this bus",
					    b->name, b->modbus_unit, b->modbus_rtu_device, a->name,
					    rtu_line(p, i, K_MODBUS_UNIT));
				return;
			}
			if (a->modbus_rtu_baud != b->modbus_rtu_baud ||
			    a->modbus_rtu_parity != b->modbus_rtu_parity ||
			    a->modbus_rtu_stop != b->modbus_rtu_stop) {
				parse_error(
				    p, rtu_line(p, j, K_MODBUS_RTU_LINE),
				    "[meter %s] modbus_rtu_line %u %c %u on %s differs from "
				    "[meter %s]'s %u %c %u (line %u): one bus has one line "
				    "setting",
				    b->name, b->modbus_rtu_baud, b->modbus_rtu_parity,
				    b->modbus_rtu_stop, b->modbus_rtu_device, a->name,
				    a->modbus_rtu_baud, a->modbus_rtu_parity, a->modbus_rtu_stop,
				    rtu_line(p, i, K_MODBUS_RTU_LINE));
				return;
			}
			if (a->modbus_rtu_rs485 != b->modbus_rtu_rs485) {
				parse_error(p, rtu_line(p, j, K_MODBUS_RTU_RS485),
					    "[meter %s] modbus_rtu_rs485 = %s on %s differs from "
					    "[meter %s]'s (line %u): one bus has one line setting",
					    b->name, b->modbus_rtu_rs485 ? "yes" : "no",
					    b->modbus_rtu_device, a->name,
					    rtu_line(p, i, K_MODBUS_RTU_RS485));
				return;
			}
		}
	}
}

/* The simulated clock's and the replay's keys go together. */
static int validate_clock(struct parser *p, size_t i)
{
	const struct pm_conf_meter *m = &p->conf.meter[i];
	const unsigned *line = p->key_line[i];

	if (line[K_SIM_END] && !line[K_SIM_START]) {
		parse_error(p, line[K_SIM_END], "sim_end needs sim_start in [meter %s]", m->name);
		return -EINVAL;
	}
	if (line[K_SIM_END] && m->sim_end_ns <= m->sim_start_ns) {
		parse_error(p, line[K_SIM_END], "sim_end must be after sim_start (line %u)",
			    line[K_SIM_START]);
		return -EINVAL;
	}
	if (line[K_SIM_START] && line[K_SIM_SPEED]) {
		parse_error(p, line[K_SIM_SPEED],
			    "sim_speed paces the simulation on the real clock; with sim_start "
			    "(line %u) the simulated clock runs as fast as possible",
			    line[K_SIM_START]);
		return -EINVAL;
	}
	if (m->source == PM_SOURCE_REPLAY && !line[K_REPLAY_FILE]) {
		parse_error(p, m->line, "[meter %s] has source = replay but no replay_file",
			    m->name);
		return -EINVAL;
	}
	if (line[K_RECORD] && m->source == PM_SOURCE_REPLAY &&
	    strcmp(m->record, m->replay_file) == 0) {
		parse_error(p, line[K_RECORD], "record would overwrite the replay_file");
		return -EINVAL;
	}
	return 0;
}

/* A request may take at most as long as the silence allowed between requests. */
static int validate_modbus_tcp(struct parser *p, size_t i)
{
	struct pm_conf_meter *m = &p->conf.meter[i];
	const unsigned *line = p->key_line[i];

	if (m->modbus_tcp_header_timeout_s <= m->modbus_tcp_idle_timeout_s)
		return 0;
	if (!line[K_MODBUS_TCP_HEADER]) { /* the default follows a shorter idle timeout */
		m->modbus_tcp_header_timeout_s = m->modbus_tcp_idle_timeout_s;
		return 0;
	}
	parse_error(p, line[K_MODBUS_TCP_HEADER],
		    "modbus_tcp_header_timeout %u s is longer than modbus_tcp_idle_timeout %u s "
		    "in [meter %s]",
		    m->modbus_tcp_header_timeout_s, m->modbus_tcp_idle_timeout_s, m->name);
	return -EINVAL;
}

/* Cross-key checks, once the whole file is read. */
static void validate(struct parser *p)
{
	for (size_t i = 0; i < p->conf.n_meters; i++) {
		const struct pm_conf_meter *m = &p->conf.meter[i];

		if (m->source == PM_SOURCE_NONE) {
			parse_error(p, m->line, "[meter %s] has no 'source' (iio, sim or replay)",
				    m->name);
			return;
		}
		for (int k = 0; k < K_COUNT; k++) {
			unsigned line = p->key_line[i][k];

			if (line && meter_keys[k].only != PM_SOURCE_NONE &&
			    meter_keys[k].only != m->source) {
				parse_error(
				    p, line, "'%s' applies to source = %s, [meter %s] has %s",
				    meter_keys[k].name, pm_conf_source_name(meter_keys[k].only),
				    m->name, pm_conf_source_name(m->source));
				return;
			}
		}
		if (validate_clock(p, i) < 0)
			return;
		if (validate_modbus_tcp(p, i) < 0)
			return;
	}
	if (p->conf.n_meters == 0)
		parse_error(p, p->line ? p->line : 1, "no [meter NAME] section");
	validate_rtu_buses(p);
}

const char *pm_conf_source_name(enum pm_conf_source s)
{
	switch (s) {
	case PM_SOURCE_IIO:
		return "iio";
	case PM_SOURCE_SIM:
		return "sim";
	case PM_SOURCE_REPLAY:
		return "replay";
	case PM_SOURCE_NONE:
		break;
	}
	return "none";
}

int pm_conf_load(const char *path, struct pm_conf *conf, char *err, size_t errlen)
{
	struct parser *p;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	p->path = path;
	p->conf.log_interval_s = 1;
	strcpy(p->conf.state_dir, PM_CONF_DEFAULT_STATE_DIR);
	p->conf.dbus = PM_DBUS_SYSTEM;
	p->conf.dbus_interval_ms = 1000;
	p->f = fopen(path, "re");
	if (!p->f) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		free(p);
		return r;
	}

	/* Plain "key = value" lines only: no continuation lines, no key without a value. */
	ini_allow_multiline = false;
	ini_allow_no_value = false;
	ini_stop_on_first_error = true;
	r = ini_parse_stream(reader, p, handler, p);
	if (r > 0 && (!p->err_line || (unsigned)r < p->err_line)) {
		p->err_line = 0;
		parse_error(p, (unsigned)r, "syntax error (expected [section] or key = value)");
	} else if (r < 0 && !p->err_line) {
		parse_error(p, p->line, "cannot parse (%d)", r);
	}
	if (ferror(p->f))
		parse_error(p, p->line, "read error");
	if (!p->err_line)
		validate(p);

	if (p->err_line) {
		snprintf(err, errlen, "%s:%u: %s", path, p->err_line, p->err);
		r = -EINVAL;
	} else {
		*conf = p->conf;
		r = 0;
	}
	fclose(p->f);
	free(p->buf);
	free(p);
	return r;
}
