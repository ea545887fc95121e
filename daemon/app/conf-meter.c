// SPDX-License-Identifier: GPL-2.0-only
/*
 * The [meter NAME] section's keys (conf-internal.h): their names and the source each belongs
 * to, a meter's defaults, and each key's value parsed into struct pm_conf_meter with the message
 * that says what was expected.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "app/conf-internal.h"
#include "core/billing/money.h"
#include "core/dlms/hdlc-link.h"
#include "views/dlms/dlms-push-conf.h"
#include "views/dlms/dlms-serial.h"
#include "views/dlms/dlms-tcp.h" /* the servers' defaults */
#include "views/modbus/modbus-tcp.h"

const struct conf_meter_key_def conf_meter_keys[K_COUNT] = {
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
    [K_POWER_DOWN_CATCH_UP] = {"power_down_catch_up", PM_SOURCE_NONE},
    [K_STS_KEY] = {"sts_decoder_key", PM_SOURCE_NONE},
    [K_STS_KEY_FILE] = {"sts_decoder_key_file", PM_SOURCE_NONE},
    [K_ACCOUNT_UNIT] = {"account_unit", PM_SOURCE_NONE},
    [K_STS_SGC] = {"sts_supply_group_code", PM_SOURCE_NONE},
    [K_STS_TI] = {"sts_tariff_index", PM_SOURCE_NONE},
    [K_STS_KRN] = {"sts_key_revision", PM_SOURCE_NONE},
    [K_STS_KT] = {"sts_key_type", PM_SOURCE_NONE},
    [K_STS_BASE] = {"sts_base_date", PM_SOURCE_NONE},
    [K_STS_KEN] = {"sts_key_expiry", PM_SOURCE_NONE},
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
    [K_DLMS_PORT] = {"dlms_port", PM_SOURCE_NONE},
    [K_DLMS_ADDRESS] = {"dlms_address", PM_SOURCE_NONE},
    [K_DLMS_MAX_CONN] = {"dlms_max_connections", PM_SOURCE_NONE},
    [K_DLMS_IDLE] = {"dlms_idle_timeout", PM_SOURCE_NONE},
    [K_DLMS_HEADER] = {"dlms_header_timeout", PM_SOURCE_NONE},
    [K_DLMS_PASSWORD_FILE] = {"dlms_password_file", PM_SOURCE_NONE},
    [K_DLMS_KEY_FILE] = {"dlms_key_file", PM_SOURCE_NONE},
    [K_DLMS_HDLC_DEVICE] = {"dlms_hdlc_device", PM_SOURCE_NONE},
    [K_DLMS_HDLC_LINE] = {"dlms_hdlc_line", PM_SOURCE_NONE},
    [K_DLMS_HDLC_RS485] = {"dlms_hdlc_rs485", PM_SOURCE_NONE},
    [K_DLMS_HDLC_ADDRESS] = {"dlms_hdlc_address", PM_SOURCE_NONE},
    [K_DLMS_HDLC_MODE_E] = {"dlms_hdlc_mode_e", PM_SOURCE_NONE},
    [K_DLMS_HDLC_INACTIVITY] = {"dlms_hdlc_inactivity_timeout", PM_SOURCE_NONE},
    [K_SIM_DIP_EVERY] = {"sim_dip_every_s", PM_SOURCE_SIM},
    [K_SIM_DIP_DURATION] = {"sim_dip_s", PM_SOURCE_SIM},
    [K_SIM_DIP_PERCENT] = {"sim_dip_percent", PM_SOURCE_SIM},
    [K_DLMS_CLIENTS] = {"dlms_clients", PM_SOURCE_NONE},
    [K_DLMS_PUSH_DESTINATION] = {"dlms_push_destination", PM_SOURCE_NONE},
    [K_DLMS_PUSH_SCHEDULE] = {"dlms_push_schedule", PM_SOURCE_NONE},
    [K_DLMS_PUSH_EVENTS] = {"dlms_push_events", PM_SOURCE_NONE},
    [K_DLMS_PUSH_WINDOW] = {"dlms_push_window", PM_SOURCE_NONE},
    [K_DLMS_PUSH_RETRY_BASE] = {"dlms_push_retry_base", PM_SOURCE_NONE},
    [K_DLMS_PUSH_RETRY_MAX] = {"dlms_push_retry_max", PM_SOURCE_NONE},
};

/* One key of the meter's STS setup (core/sts/sts-setup.h); the others keep their defaults. */
static int conf_sts_setup(struct pm_conf_meter *m, int k, const char *value)
{
	struct sts_setup *s = &m->sts_setup;
	uint32_t v = 0;
	int r;

	if (k == K_STS_SGC) {
		r = strlen(value) == 6 ? conf_parse_u32(value, 0, STS_SGC_MAX, &v) : -EINVAL;
		s->sgc = v;
	} else if (k == K_STS_BASE) {
		r = conf_parse_u32(value, 1993, 2035, &v);
		if (r == 0 && v != 1993 && v != 2014 && v != 2035)
			r = -EINVAL;
		s->base = v == 2035 ? STS_BASE_2035 : v == 2014 ? STS_BASE_2014 : STS_BASE_1993;
	} else {
		uint32_t max = k == K_STS_TI	? STS_TI_MAX
			       : k == K_STS_KRN ? STS_KRN_MAX
			       : k == K_STS_KT	? STS_KT_MAX
						: 255;

		r = conf_parse_u32(value, k == K_STS_KRN ? STS_KRN_MIN : 0, max, &v);
		if (k == K_STS_TI)
			s->ti = (uint8_t)v;
		else if (k == K_STS_KRN)
			s->krn = (uint8_t)v;
		else if (k == K_STS_KT)
			s->kt = (uint8_t)v;
		else
			s->ken = (uint8_t)v;
	}
	if (r == 0)
		m->has_sts_setup = true;
	return r;
}

void conf_meter_defaults(struct pm_conf_meter *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->uri, "local:");
	strcpy(m->device, "ade9000");
	m->buffer_scans = 16;
	m->stall_timeout_s = 5;
	m->poll_interval_ms = 250;
	/* an STS key's setup when only some of it is given: KRN 1, KT 2, TI 1, base 1993, no
	 * expiry */
	m->sts_setup = (struct sts_setup){
	    .krn = 1, .kt = 2, .ti = 1, .base = STS_BASE_1993, .ken = STS_KEN_NO_EXPIRY};
	for (int n = 0; n < PM_CONF_PHASES; n++)
		m->sim.v_mv[n] = 230000;
	m->sim.f_mhz = 50000;
	m->sim.rate_hz = 10;
	m->sim.speed = 1;
	m->sim.nj_per_code = 1000000; /* 1 mJ per code */
	/* a dip of one second to 70 %, once sim_dip_every_s is given (IEC 61000-4-30 counts a
	 * dip below 90 %) */
	m->sim.dip_s = 1;
	m->sim.dip_percent = 70;
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
	m->dlms_max_conn = PM_DLMS_TCP_DEFAULT_MAX_CONN;
	m->dlms_idle_timeout_s = PM_DLMS_TCP_DEFAULT_IDLE_USEC / 1000000;
	m->dlms_header_timeout_s = PM_DLMS_TCP_DEFAULT_HEADER_USEC / 1000000;
	/* the Modbus RTU default line: 19200 baud, even parity, 1 stop bit; RS-485 mode */
	m->modbus_rtu_baud = 19200;
	m->modbus_rtu_parity = 'E';
	m->modbus_rtu_stop = 1;
	m->modbus_rtu_rs485 = true;
	/* DLMS HDLC: 9600 8N1 (IEC 62056-46), RS-485 mode, the 1-byte address, 120 s */
	m->dlms_hdlc_baud = PM_DLMS_SERIAL_DEFAULT_BAUD;
	m->dlms_hdlc_parity = 'N';
	m->dlms_hdlc_stop = 1;
	m->dlms_hdlc_rs485 = true;
	m->dlms_hdlc_inactivity_s = PM_HDLC_LINK_DEFAULT_INACTIVITY_USEC / 1000000;
	m->dlms_push_window_s = PM_DLMS_PUSH_DEFAULT_WINDOW_S;
	m->dlms_push_retry_base_s = PM_DLMS_PUSH_DEFAULT_RETRY_BASE_S;
	m->dlms_push_retry_max_s = PM_DLMS_PUSH_DEFAULT_RETRY_MAX_S;
	pm_relay_config_defaults(&m->relay);
	m->account_mode = PM_ACCOUNT_CREDIT;
	m->reconnect_needs_confirmation = true;
}

int conf_meter_key(struct conf_parser *p, const char *name, const char *value)
{
	struct pm_conf_meter *m = p->meter;
	unsigned *key_line = p->key_line[m - p->conf.meter];
	int k, r = -EINVAL;

	for (k = 0; k < K_COUNT; k++)
		if (strcmp(name, conf_meter_keys[k].name) == 0)
			break;
	if (k == K_COUNT) {
		conf_parse_error(p, p->line, "unknown key '%s' in [meter %s]", name, m->name);
		return -EINVAL;
	}
	/* dlms_clients alone may be given on several lines, each adding its entries: entries
	 * with their secret files' paths do not all fit libinih's line */
	if (key_line[k] && k != K_DLMS_CLIENTS) {
		conf_parse_error(p, p->line, "'%s' given twice in [meter %s] (first on line %u)",
				 name, m->name, key_line[k]);
		return -EINVAL;
	}
	if (!key_line[k])
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
			conf_parse_error(p, p->line, "source = '%s': expected iio, sim or replay",
					 value);
			return r;
		}
		return 0;
	case K_URI:
		r = conf_set_string(m->uri, sizeof(m->uri), value);
		break;
	case K_DEVICE:
		r = conf_set_string(m->device, sizeof(m->device), value);
		break;
	case K_SAMPLING_FREQUENCY:
		r = conf_parse_u32(value, 1, 8000, &m->sampling_frequency);
		break;
	case K_BUFFER_SCANS:
		r = conf_parse_u32(value, 1, 4096, &m->buffer_scans);
		break;
	case K_STALL_TIMEOUT:
		r = conf_parse_u32(value, 1, 3600, &m->stall_timeout_s);
		break;
	case K_SIM_VOLTAGE:
		r = conf_parse_phases(value, 0, 1000000000, m->sim.v_mv);
		break;
	case K_SIM_CURRENT:
		r = conf_parse_phases(value, 0, 1000000000, m->sim.i_ma);
		break;
	case K_SIM_ANGLE:
		r = conf_parse_phases(value, -360000, 360000, m->sim.angle_mdeg);
		break;
	case K_SIM_FREQUENCY:
		r = conf_parse_i64(value, 1000, 1000000, &m->sim.f_mhz);
		break;
	case K_SIM_RATE:
		r = conf_parse_u32(value, 1, 8000, &m->sim.rate_hz);
		break;
	case K_SIM_SPEED:
		r = conf_parse_u32(value, 1, 1000000, &m->sim.speed);
		break;
	case K_SIM_SCALE:
		r = conf_parse_u32(value, 1, UINT32_MAX, &m->sim.nj_per_code);
		break;
	case K_SIM_V_ERROR:
		r = conf_parse_phases(value, -200000, 200000, m->sim.v_error_ppm);
		break;
	case K_SIM_I_ERROR:
		r = conf_parse_phases(value, -200000, 200000, m->sim.i_error_ppm);
		break;
	case K_SIM_I_NOISE:
		r = conf_parse_phases(value, 0, 1000000, m->sim.i_noise_ma);
		break;
	case K_SIM_DIP_EVERY:
		r = conf_parse_u32(value, 0, 31622400, &m->sim.dip_every_s);
		break;
	case K_SIM_DIP_DURATION:
		r = conf_parse_u32(value, 1, 3600, &m->sim.dip_s);
		break;
	case K_SIM_DIP_PERCENT:
		r = conf_parse_u32(value, 0, 89, &m->sim.dip_percent);
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
		r = conf_parse_u32(value, 1, 1000000, &m->checkpoint_wh);
		break;
	case K_CHECKPOINT_INTERVAL:
		r = conf_parse_u32(value, 1, 86400, &m->checkpoint_interval_s);
		break;
	case K_PROFILE_PERIOD:
		r = conf_parse_u32(value, 1, 60, &m->profile_period_min);
		if (!r && m->profile_period_min != 15 && m->profile_period_min != 30 &&
		    m->profile_period_min != 60)
			r = -EINVAL;
		break;
	case K_DEMAND_PERIOD:
		r = conf_parse_u32(value, 1, 30, &m->demand_period_min);
		if (!r && m->demand_period_min != 15 && m->demand_period_min != 30)
			r = -EINVAL;
		break;
	case K_DEMAND_SUBINTERVALS:
		/* sliding steps must be whole seconds: 15 and 30 min both divide by 1..15 */
		r = conf_parse_u32(value, 1, 15, &m->demand_subintervals);
		if (!r && (900 % m->demand_subintervals))
			r = -EINVAL;
		break;
	case K_MODBUS_TCP_PORT:
		r = conf_parse_u32(value, 0, 65535, &m->modbus_tcp_port);
		break;
	case K_MODBUS_UNIT:
		r = conf_parse_u32(value, 1, 247, &m->modbus_unit);
		break;
	case K_MODBUS_TCP_ADDRESS:
		r = conf_set_address(m->modbus_tcp_address, sizeof(m->modbus_tcp_address), value);
		break;
	case K_MODBUS_TCP_MAX_CONN:
		r = conf_parse_u32(value, 1, 256, &m->modbus_tcp_max_conn);
		break;
	case K_MODBUS_TCP_IDLE:
		r = conf_parse_u32(value, 1, 86400, &m->modbus_tcp_idle_timeout_s);
		break;
	case K_MODBUS_TCP_HEADER:
		r = conf_parse_u32(value, 1, 3600, &m->modbus_tcp_header_timeout_s);
		break;
	case K_DLMS_PORT:
		r = conf_parse_u32(value, 0, 65535, &m->dlms_port);
		break;
	case K_DLMS_ADDRESS:
		r = conf_set_address(m->dlms_address, sizeof(m->dlms_address), value);
		break;
	case K_DLMS_MAX_CONN:
		r = conf_parse_u32(value, 1, 256, &m->dlms_max_conn);
		break;
	case K_DLMS_IDLE:
		r = conf_parse_u32(value, 1, 86400, &m->dlms_idle_timeout_s);
		break;
	case K_DLMS_HEADER:
		r = conf_parse_u32(value, 1, 3600, &m->dlms_header_timeout_s);
		break;
	case K_DLMS_PASSWORD_FILE:
		r = value[0] == '/' ? conf_set_string(m->dlms_password_file,
						      sizeof(m->dlms_password_file), value)
				    : -EINVAL;
		break;
	case K_DLMS_KEY_FILE:
		r = value[0] == '/'
			? conf_set_string(m->dlms_key_file, sizeof(m->dlms_key_file), value)
			: -EINVAL;
		break;
	case K_MODBUS_RTU_DEVICE:
		r = value[0] == '/'
			? conf_set_string(m->modbus_rtu_device, sizeof(m->modbus_rtu_device), value)
			: -EINVAL;
		break;
	case K_MODBUS_RTU_LINE:
		r = conf_parse_line(value, 1200, 921600, &m->modbus_rtu_baud, &m->modbus_rtu_parity,
				    &m->modbus_rtu_stop);
		break;
	case K_MODBUS_RTU_RS485:
		r = conf_parse_yes_no(value, &m->modbus_rtu_rs485);
		break;
	case K_DLMS_CLIENTS:
		return conf_dlms_clients(p, value); /* its own, precise messages */
	case K_DLMS_HDLC_DEVICE:
		r = value[0] == '/'
			? conf_set_string(m->dlms_hdlc_device, sizeof(m->dlms_hdlc_device), value)
			: -EINVAL;
		break;
	case K_DLMS_HDLC_LINE:
		r = conf_parse_line(value, 300, 115200, &m->dlms_hdlc_baud, &m->dlms_hdlc_parity,
				    &m->dlms_hdlc_stop);
		break;
	case K_DLMS_HDLC_RS485:
		r = conf_parse_yes_no(value, &m->dlms_hdlc_rs485);
		break;
	case K_DLMS_HDLC_ADDRESS:
		r = conf_parse_u32(value, 0, 0x3FFD, &m->dlms_hdlc_address);
		if (r == 0 && m->dlms_hdlc_address && m->dlms_hdlc_address < 0x10)
			r = -EINVAL; /* 1..15 are reserved */
		break;
	case K_DLMS_HDLC_MODE_E:
		r = conf_parse_yes_no(value, &m->dlms_hdlc_mode_e);
		break;
	case K_DLMS_HDLC_INACTIVITY:
		r = conf_parse_u32(value, 0, 86400, &m->dlms_hdlc_inactivity_s);
		break;
	case K_DLMS_PUSH_DESTINATION:
		r = pm_dlms_push_parse_destination(value, NULL) == 0
			? conf_set_string(m->dlms_push_destination,
					  sizeof(m->dlms_push_destination), value)
			: -EINVAL;
		break;
	case K_DLMS_PUSH_SCHEDULE:
		r = pm_dlms_push_parse_names(value, pm_dlms_push_schedule_names,
					     PM_DLMS_PUSH_SCHEDULES, &m->dlms_push_schedules);
		break;
	case K_DLMS_PUSH_EVENTS:
		r = pm_dlms_push_parse_names(value, pm_dlms_push_event_names, PM_DLMS_PUSH_EVENTS,
					     &m->dlms_push_events);
		break;
	case K_DLMS_PUSH_WINDOW:
		r = conf_parse_u32(value, 0, 65535, &m->dlms_push_window_s);
		break;
	case K_DLMS_PUSH_RETRY_BASE:
		r = conf_parse_u32(value, 1, 65535, &m->dlms_push_retry_base_s);
		break;
	case K_DLMS_PUSH_RETRY_MAX:
		r = conf_parse_u32(value, 1, 604800, &m->dlms_push_retry_max_s);
		break;
	case K_MODBUS_SDM630:
		r = conf_parse_yes_no(value, &m->modbus_sdm630);
		break;
	case K_MODBUS_WRITES:
		r = conf_parse_yes_no(value, &m->modbus_writes);
		break;
	case K_CONTACTOR_GPIO:
		r = conf_set_gpio(&m->relay.contactor, value);
		break;
	case K_CONTACTOR_ACTIVE:
		r = conf_set_active(&m->relay.contactor, value);
		break;
	case K_AUX_RELAY_GPIO:
		r = conf_set_gpio(&m->relay.aux, value);
		break;
	case K_AUX_RELAY_ACTIVE:
		r = conf_set_active(&m->relay.aux, value);
		break;
	case K_BUTTON_GPIO:
		r = conf_set_gpio(&m->relay.button, value);
		break;
	case K_BUTTON_ACTIVE:
		r = conf_set_active(&m->relay.button, value);
		break;
	case K_BUTTON_DEBOUNCE:
		r = conf_parse_u32(value, 0, 1000, &m->relay.debounce_ms);
		break;
	case K_TIME_ZONE:
		r = conf_set_string(m->time_zone, sizeof(m->time_zone), value);
		break;
	case K_TARIFF_FILE:
		r = value[0] == '/' ? conf_set_string(m->tariff_file, sizeof(m->tariff_file), value)
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
		r = conf_parse_u32(value, 0, 24000, &m->load_limit_w);
		break;
	case K_RECONNECT_CONFIRM:
		r = conf_parse_yes_no(value, &m->reconnect_needs_confirmation);
		break;
	case K_POWER_DOWN_CATCH_UP:
		r = conf_parse_yes_no(value, &m->power_down_catch_up);
		break;
	case K_STS_KEY:
		/* a secret in a file every user may read (docs/account.md, "The decoder key") */
		r = -EINVAL;
		break;
	case K_STS_SGC:
	case K_STS_TI:
	case K_STS_KRN:
	case K_STS_KT:
	case K_STS_BASE:
	case K_STS_KEN:
		r = conf_sts_setup(m, k, value);
		break;
	case K_ACCOUNT_UNIT:
		r = !strcmp(value, "kwh") || !strcmp(value, "currency") ? 0 : -EINVAL;
		m->account_kwh = !strcmp(value, "kwh");
		break;
	case K_STS_KEY_FILE:
		r = value[0] == '/' ? conf_set_string(m->sts_decoder_key_file,
						      sizeof(m->sts_decoder_key_file), value)
				    : -EINVAL;
		break;
	case K_SIM_START:
		r = conf_parse_utc(value, &m->sim_start_ns);
		break;
	case K_SIM_END:
		r = conf_parse_utc(value, &m->sim_end_ns);
		break;
	case K_RECORD:
		r = value[0] == '/' ? conf_set_string(m->record, sizeof(m->record), value)
				    : -EINVAL;
		break;
	case K_REPLAY_FILE:
		r = value[0] == '/' ? conf_set_string(m->replay_file, sizeof(m->replay_file), value)
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
		r = conf_parse_u32(value, 20, 60000, &m->poll_interval_ms);
		break;
	case K_FULL_SCALE_VOLTAGE:
		r = conf_parse_i64(value, 1000, 100000000, &m->full_scale_mv);
		break;
	case K_FULL_SCALE_CURRENT:
		r = conf_parse_i64(value, 1, 100000000, &m->full_scale_ma);
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
		    [K_SIM_DIP_EVERY] = "an integer 0..31622400 (simulated seconds; 0 = never)",
		    [K_SIM_DIP_DURATION] = "an integer 1..3600 (simulated seconds)",
		    [K_SIM_DIP_PERCENT] =
			"an integer 0..89 (% of sim_voltage_mv: a dip is below 90 %)",
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
		    [K_POWER_DOWN_CATCH_UP] = "yes or no",
		    [K_STS_KEY] = "nothing here: the decoder key is a secret; give "
				  "sts_decoder_key_file (mode 0640 root:polymeter) or set it "
				  "with SetDecoderKey",
		    [K_STS_KEY_FILE] = "an absolute file path of at most 255 characters",
		    [K_ACCOUNT_UNIT] = "currency or kwh",
		    [K_STS_SGC] = "a supply group code, 6 digits 000000..999999",
		    [K_STS_TI] = "a tariff index 0..99",
		    [K_STS_KRN] = "a key revision number 1..9",
		    [K_STS_KT] = "a key type 0..3",
		    [K_STS_BASE] = "1993, 2014 or 2035",
		    [K_STS_KEN] = "a key expiry number 0..255 (255: no expiry)",
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
		    [K_DLMS_PORT] = "a TCP port 1..65535, or 0 for no DLMS server",
		    [K_DLMS_ADDRESS] = "a numeric IPv4 or IPv6 address, e.g. 192.0.2.10 or ::1",
		    [K_DLMS_MAX_CONN] = "an integer 1..256 (connections)",
		    [K_DLMS_IDLE] = "an integer 1..86400 (seconds)",
		    [K_DLMS_HEADER] = "an integer 1..3600 (seconds)",
		    [K_DLMS_PASSWORD_FILE] = "an absolute file path of at most 255 characters",
		    [K_DLMS_KEY_FILE] = "an absolute file path of at most 255 characters",
		    [K_DLMS_HDLC_DEVICE] = "an absolute tty path of at most 63 characters",
		    [K_DLMS_HDLC_LINE] = "BAUD PARITY STOPBITS, e.g. 9600 N 1 (300..115200 baud, "
					 "parity N, E or O)",
		    [K_DLMS_HDLC_RS485] = "yes or no",
		    [K_DLMS_HDLC_ADDRESS] = "an HDLC physical address 16..16381, or 0 for the "
					    "1-byte address",
		    [K_DLMS_HDLC_MODE_E] = "yes or no",
		    [K_DLMS_HDLC_INACTIVITY] = "an integer 0..86400 (seconds; 0 = never)",
		    [K_DLMS_PUSH_DESTINATION] = "HOST:PORT, a numeric IPv4 address or [IPv6] "
						"and a port 1..65535, e.g. 192.0.2.20:4059",
		    [K_DLMS_PUSH_SCHEDULE] = "one or more of daily, weekly, monthly, billing "
					     "(separated by commas or spaces), or none",
		    [K_DLMS_PUSH_EVENTS] = "one or more of power, supply, low_credit (separated "
					   "by commas or spaces), or none",
		    [K_DLMS_PUSH_WINDOW] = "an integer 0..65535 (seconds)",
		    [K_DLMS_PUSH_RETRY_BASE] = "an integer 1..65535 (seconds)",
		    [K_DLMS_PUSH_RETRY_MAX] = "an integer 1..604800 (seconds)",
		};
		/* a secret is never repeated into a log */
		conf_parse_error(p, p->line, "%s = '%s': expected %s", name,
				 k == K_STS_KEY ? "..." : value, want[k]);
	}
	return r;
}
