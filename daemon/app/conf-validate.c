// SPDX-License-Identifier: GPL-2.0-only
/*
 * The checks across keys and sections, once the whole file is read (conf-internal.h): every
 * meter has a source and only that source's keys, the simulated clock's and the replay's keys
 * agree, the Modbus TCP timeouts agree, and the meters that share an RTU or a DLMS HDLC bus can
 * share it; the TCP listeners are checked in conf-listeners.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "app/conf-internal.h"

/* The line of meter @i's key @k, else of the key that made it a bus member, else its header. */
static unsigned rtu_line(const struct conf_parser *p, size_t i, int k)
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
/* The line of meter @i's DLMS HDLC key @k, else of its dlms_hdlc_device. */
static unsigned hdlc_line(const struct conf_parser *p, size_t i, int k)
{
	return p->key_line[i][k] ? p->key_line[i][k] : p->key_line[i][K_DLMS_HDLC_DEVICE];
}

/*
 * DLMS over HDLC: mode E's sign-on offers 300..19200 baud, 8N1; meters naming the same tty
 * share one line (a bus): each needs its own HDLC address, all the same line settings, and an
 * optical port (mode E) serves one meter.
 */
static void validate_hdlc_buses(struct conf_parser *p)
{
	for (size_t j = 0; j < p->conf.n_meters; j++) {
		const struct pm_conf_meter *b = &p->conf.meter[j];

		if (b->dlms_hdlc_device[0] && b->dlms_hdlc_mode_e &&
		    (b->dlms_hdlc_baud > 19200 || b->dlms_hdlc_parity != 'N' ||
		     b->dlms_hdlc_stop != 1)) {
			conf_parse_error(p, hdlc_line(p, j, K_DLMS_HDLC_LINE),
					 "[meter %s] dlms_hdlc_mode_e needs dlms_hdlc_line "
					 "300..19200 N 1 (IEC 62056-21)",
					 b->name);
			return;
		}
		for (size_t i = 0; b->dlms_hdlc_device[0] && i < j; i++) {
			const struct pm_conf_meter *a = &p->conf.meter[i];
			const char *why = NULL;
			int k = K_DLMS_HDLC_LINE;

			if (strcmp(a->dlms_hdlc_device, b->dlms_hdlc_device) != 0)
				continue;
			if (a->dlms_hdlc_mode_e || b->dlms_hdlc_mode_e) {
				k = K_DLMS_HDLC_MODE_E;
				why = "an optical port (dlms_hdlc_mode_e) serves one meter";
			} else if (a->dlms_hdlc_address == b->dlms_hdlc_address) {
				k = K_DLMS_HDLC_ADDRESS;
				why = "the same dlms_hdlc_address";
			} else if (a->dlms_hdlc_baud != b->dlms_hdlc_baud ||
				   a->dlms_hdlc_parity != b->dlms_hdlc_parity ||
				   a->dlms_hdlc_stop != b->dlms_hdlc_stop ||
				   a->dlms_hdlc_rs485 != b->dlms_hdlc_rs485 ||
				   a->dlms_hdlc_inactivity_s != b->dlms_hdlc_inactivity_s) {
				why = "another dlms_hdlc_line, dlms_hdlc_rs485 or "
				      "dlms_hdlc_inactivity_timeout (one bus has one setting)";
			}
			if (why) {
				conf_parse_error(p, hdlc_line(p, j, k),
						 "[meter %s] dlms_hdlc_device %s: [meter %s] "
						 "(line %u) is on it with %s",
						 b->name, b->dlms_hdlc_device, a->name,
						 hdlc_line(p, i, K_DLMS_HDLC_DEVICE), why);
				return;
			}
		}
	}
}

/*
 * One dlms_key_file per meter: the GCM IV is the system title and an invocation counter, and
 * two meters answering under one title and key would draw on one counter sequence with two
 * sets of clients (pm_check_config compares the titles and keys the files hold too).
 */
static void validate_dlms_key_files(struct conf_parser *p)
{
	for (size_t j = 1; j < p->conf.n_meters; j++) {
		const struct pm_conf_meter *b = &p->conf.meter[j];

		for (size_t i = 0; b->dlms_key_file[0] && i < j; i++) {
			const struct pm_conf_meter *a = &p->conf.meter[i];

			if (strcmp(a->dlms_key_file, b->dlms_key_file) != 0)
				continue;
			conf_parse_error(p, p->key_line[j][K_DLMS_KEY_FILE],
					 "[meter %s] dlms_key_file %s: [meter %s] (line %u) has it "
					 "too; each meter needs its own system title and keys",
					 b->name, b->dlms_key_file, a->name,
					 p->key_line[i][K_DLMS_KEY_FILE]);
			return;
		}
	}
}

static void validate_rtu_buses(struct conf_parser *p)
{
	for (size_t j = 1; j < p->conf.n_meters; j++) {
		const struct pm_conf_meter *b = &p->conf.meter[j];

		for (size_t i = 0; b->modbus_rtu_device[0] && i < j; i++) {
			const struct pm_conf_meter *a = &p->conf.meter[i];

			if (strcmp(a->modbus_rtu_device, b->modbus_rtu_device) != 0)
				continue;
			if (a->modbus_unit == b->modbus_unit) {
				conf_parse_error(
				    p, rtu_line(p, j, K_MODBUS_UNIT),
				    "[meter %s] modbus_unit %u on %s: [meter %s] (line %u) "
				    "already has that slave address on this bus",
				    b->name, b->modbus_unit, b->modbus_rtu_device, a->name,
				    rtu_line(p, i, K_MODBUS_UNIT));
				return;
			}
			if (a->modbus_rtu_baud != b->modbus_rtu_baud ||
			    a->modbus_rtu_parity != b->modbus_rtu_parity ||
			    a->modbus_rtu_stop != b->modbus_rtu_stop) {
				conf_parse_error(
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
				conf_parse_error(
				    p, rtu_line(p, j, K_MODBUS_RTU_RS485),
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

/* The simulated clock's, the simulated dip's and the replay's keys go together. */
static int validate_clock(struct conf_parser *p, size_t i)
{
	const struct pm_conf_meter *m = &p->conf.meter[i];
	const unsigned *line = p->key_line[i];

	if (line[K_SIM_END] && !line[K_SIM_START]) {
		conf_parse_error(p, line[K_SIM_END], "sim_end needs sim_start in [meter %s]",
				 m->name);
		return -EINVAL;
	}
	if (line[K_SIM_END] && m->sim_end_ns <= m->sim_start_ns) {
		conf_parse_error(p, line[K_SIM_END], "sim_end must be after sim_start (line %u)",
				 line[K_SIM_START]);
		return -EINVAL;
	}
	if (line[K_SIM_START] && line[K_SIM_SPEED]) {
		conf_parse_error(p, line[K_SIM_SPEED],
				 "sim_speed paces the simulation on the real clock; with sim_start "
				 "(line %u) the simulated clock runs as fast as possible",
				 line[K_SIM_START]);
		return -EINVAL;
	}
	if (m->sim.dip_every_s && m->sim.dip_s >= m->sim.dip_every_s) {
		conf_parse_error(
		    p, line[K_SIM_DIP_DURATION] ? line[K_SIM_DIP_DURATION] : line[K_SIM_DIP_EVERY],
		    "sim_dip_s = %" PRIu32 " must be shorter than sim_dip_every_s = %" PRIu32
		    ": the voltage comes back between two dips",
		    m->sim.dip_s, m->sim.dip_every_s);
		return -EINVAL;
	}
	if (m->source == PM_SOURCE_REPLAY && !line[K_REPLAY_FILE]) {
		conf_parse_error(p, m->line, "[meter %s] has source = replay but no replay_file",
				 m->name);
		return -EINVAL;
	}
	if (line[K_RECORD] && m->source == PM_SOURCE_REPLAY &&
	    strcmp(m->record, m->replay_file) == 0) {
		conf_parse_error(p, line[K_RECORD], "record would overwrite the replay_file");
		return -EINVAL;
	}
	return 0;
}

/*
 * A request may take at most as long as the silence allowed between requests: a header timeout
 * longer than the idle one is an error when given, and follows a shorter idle timeout when not.
 */
static int validate_timeouts(struct conf_parser *p, size_t i, enum meter_key header_key,
			     uint32_t *header_s, uint32_t idle_s, const char *idle_name)
{
	const unsigned *line = p->key_line[i];

	if (*header_s <= idle_s)
		return 0;
	if (!line[header_key]) {
		*header_s = idle_s;
		return 0;
	}
	conf_parse_error(p, line[header_key], "%s %u s is longer than %s %u s in [meter %s]",
			 conf_meter_keys[header_key].name, *header_s, idle_name, idle_s,
			 p->conf.meter[i].name);
	return -EINVAL;
}

/* The push keys of meter @i: schedules or events need a destination, the retry cap the
 * base. */
static int validate_push(struct conf_parser *p, size_t i)
{
	const struct pm_conf_meter *m = &p->conf.meter[i];
	const unsigned *line = p->key_line[i];
	enum meter_key k = line[K_DLMS_PUSH_SCHEDULE] ? K_DLMS_PUSH_SCHEDULE : K_DLMS_PUSH_EVENTS;

	if ((m->dlms_push_schedules || m->dlms_push_events) && !m->dlms_push_destination[0]) {
		conf_parse_error(p, line[k], "%s in [meter %s] needs dlms_push_destination",
				 conf_meter_keys[k].name, m->name);
		return -EINVAL;
	}
	if (m->dlms_push_retry_max_s < m->dlms_push_retry_base_s) {
		k = line[K_DLMS_PUSH_RETRY_MAX] ? K_DLMS_PUSH_RETRY_MAX : K_DLMS_PUSH_RETRY_BASE;
		conf_parse_error(p, line[k],
				 "dlms_push_retry_max (%u s) is below dlms_push_retry_base (%u s) "
				 "in [meter %s]",
				 m->dlms_push_retry_max_s, m->dlms_push_retry_base_s, m->name);
		return -EINVAL;
	}
	return 0;
}

/* Cross-key checks, once the whole file is read. */
void conf_validate(struct conf_parser *p)
{
	for (size_t i = 0; i < p->conf.n_meters; i++) {
		const struct pm_conf_meter *m = &p->conf.meter[i];

		if (m->source == PM_SOURCE_NONE) {
			conf_parse_error(
			    p, m->line, "[meter %s] has no 'source' (iio, sim or replay)", m->name);
			return;
		}
		for (int k = 0; k < K_COUNT; k++) {
			unsigned line = p->key_line[i][k];

			if (line && conf_meter_keys[k].only != PM_SOURCE_NONE &&
			    conf_meter_keys[k].only != m->source) {
				conf_parse_error(p, line,
						 "'%s' applies to source = %s, [meter %s] has %s",
						 conf_meter_keys[k].name,
						 pm_conf_source_name(conf_meter_keys[k].only),
						 m->name, pm_conf_source_name(m->source));
				return;
			}
		}
		if (validate_clock(p, i) < 0)
			return;
		conf_validate_dlms_clients(p, i);
		if (p->err_line)
			return;
		if (validate_timeouts(
			p, i, K_MODBUS_TCP_HEADER, &p->conf.meter[i].modbus_tcp_header_timeout_s,
			m->modbus_tcp_idle_timeout_s, "modbus_tcp_idle_timeout") < 0 ||
		    validate_timeouts(p, i, K_DLMS_HEADER, &p->conf.meter[i].dlms_header_timeout_s,
				      m->dlms_idle_timeout_s, "dlms_idle_timeout") < 0 ||
		    validate_push(p, i) < 0)
			return;
	}
	if (p->conf.n_meters == 0)
		conf_parse_error(p, p->line ? p->line : 1, "no [meter NAME] section");
	validate_rtu_buses(p);
	validate_hdlc_buses(p);
	validate_dlms_key_files(p);
	conf_validate_listeners(p);
	for (size_t i = 0; i < p->conf.n_meters; i++) {
		const unsigned *line = p->key_line[i];

		p->conf.meter[i].lines = (struct pm_conf_key_lines){
		    .time_zone = line[K_TIME_ZONE],
		    .tariff_file = line[K_TARIFF_FILE],
		    .record = line[K_RECORD],
		    .replay_file = line[K_REPLAY_FILE],
		    .dlms_password_file = line[K_DLMS_PASSWORD_FILE],
		    .dlms_key_file = line[K_DLMS_KEY_FILE],
		    .dlms_clients = line[K_DLMS_CLIENTS],
		    .sts_decoder_key_file = line[K_STS_KEY_FILE],
		    .payg_debt_limit = line[K_PAYG_DEBT_LIMIT],
		    .emergency_credit = line[K_EMERGENCY_CREDIT],
		    .emergency_credit_threshold = line[K_EMERGENCY_THRESHOLD],
		    .low_credit = line[K_LOW_CREDIT],
		};
	}
}
