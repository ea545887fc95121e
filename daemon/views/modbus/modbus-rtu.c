// SPDX-License-Identifier: GPL-2.0-only
/* The Modbus RTU server (see modbus-rtu.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "views/modbus/modbus-rtu.h"
#include "views/serial/serial-port.h"

#define OUT_MAX (4 * PM_MBRTU_ADU_MAX) /* answers waiting for the line */

/* One slave address on the line: a meter's map over its snapshot. */
struct rtu_unit {
	const struct pm_mb_map *map;
	const struct pm_snapshot *snap;
	uint8_t unit_id;
};

struct pm_mbrtu {
	sd_event *event;
	struct rtu_unit unit[PM_MBRTU_UNITS_MAX];
	size_t n_units;
	struct pm_mbrtu_config line; /* as opened; .device is the port's */
	struct pm_serial_port *port;
	bool overrun; /* the frame being received outgrew the buffer: discard it */
	uint64_t t35_usec;
	sd_event_source *silence;
	size_t in_len;
	struct pm_mbrtu_stats st;
	uint8_t in[PM_MBRTU_ADU_MAX];
};

void pm_mbrtu_config_default(struct pm_mbrtu_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->baud = PM_MBRTU_DEFAULT_BAUD;
	cfg->parity = PM_MBRTU_DEFAULT_PARITY;
	cfg->stop_bits = 1;
	cfg->rs485 = true;
}

uint16_t pm_mbrtu_crc16(const uint8_t *p, size_t len)
{
	uint16_t crc = 0xFFFF;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
	}
	return crc;
}

static struct pm_tty_line line_of(const struct pm_mbrtu_config *cfg)
{
	return (struct pm_tty_line){
	    .baud = cfg->baud, .data_bits = 8, .parity = cfg->parity, .stop_bits = cfg->stop_bits};
}

/* Queues one answer (address + PDU + CRC) and writes what the line takes now. */
static void send_frame(struct pm_mbrtu *srv, const uint8_t *frame, size_t len)
{
	int r = pm_serial_port_send(srv->port, frame, len);

	if (r == -ENOBUFS) {
		srv->st.dropped++;
		log_debug("modbus-rtu: output queue full, answer dropped");
	} else if (r < 0) {
		srv->st.dropped++; /* the line is gone: what waited was dropped */
		log_warning_errno(r, "modbus-rtu: write");
	}
}

static const struct rtu_unit *find_unit(const struct pm_mbrtu *srv, uint8_t address)
{
	for (size_t i = 0; i < srv->n_units; i++)
		if (srv->unit[i].unit_id == address)
			return &srv->unit[i];
	return NULL;
}

/* One frame delimited by silence: check, then answer or ignore. */
static void frame_end(struct pm_mbrtu *srv)
{
	const struct rtu_unit *u;
	const uint8_t *f = srv->in;
	size_t len = srv->in_len;
	uint8_t resp[PM_MBRTU_ADU_MAX];
	uint16_t crc;
	size_t n;

	srv->in_len = 0;
	srv->st.frames++;
	if (srv->overrun || len < 4) {
		srv->st.overruns += srv->overrun;
		srv->overrun = false;
		srv->st.discarded++;
		log_debug("modbus-rtu: %zu-byte fragment discarded", len);
		return;
	}
	crc = pm_mbrtu_crc16(f, len - 2);
	if (f[len - 2] != (uint8_t)crc || f[len - 1] != (uint8_t)(crc >> 8)) {
		srv->st.crc_errors++;
		log_debug("modbus-rtu: CRC error, %zu-byte frame ignored", len);
		return;
	}
	if (f[0] == 0) {
		srv->st.broadcast++; /* nothing writable, and a broadcast read has no answer */
		return;
	}
	u = find_unit(srv, f[0]);
	if (!u) {
		srv->st.other_address++;
		return;
	}
	resp[0] = u->unit_id;
	n = pm_mb_map_handle_pdu(u->map, u->snap, f + 1, len - 3, resp + 1);
	if (resp[1] & 0x80)
		srv->st.exceptions++;
	crc = pm_mbrtu_crc16(resp, 1 + n);
	resp[1 + n] = (uint8_t)crc;
	resp[2 + n] = (uint8_t)(crc >> 8);
	srv->st.answered++;
	send_frame(srv, resp, n + 3);
}

static int on_silence(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct pm_mbrtu *srv = userdata;

	(void)s;
	(void)usec;
	frame_end(srv);
	return 0;
}

static int arm_silence(struct pm_mbrtu *srv)
{
	uint64_t now;
	int r;

	r = sd_event_now(srv->event, CLOCK_MONOTONIC, &now);
	if (r < 0)
		return r;
	r = sd_event_source_set_time(srv->silence, now + srv->t35_usec);
	if (r < 0)
		return r;
	return sd_event_source_set_enabled(srv->silence, SD_EVENT_ONESHOT);
}

/* The line hung up (the other end of a pty closed): what was being received is lost. */
static void on_hangup(void *data)
{
	struct pm_mbrtu *srv = data;

	srv->in_len = 0;
	srv->overrun = false;
	(void)sd_event_source_set_enabled(srv->silence, SD_EVENT_OFF);
}

/* Bytes received: gathered until a silence of t3.5 ends the frame. */
static void on_rx(void *data, const uint8_t *p, size_t n)
{
	struct pm_mbrtu *srv = data;
	int r;

	if (srv->overrun || srv->in_len + n > sizeof(srv->in)) {
		srv->overrun = true; /* keep the silence timing, drop the bytes */
	} else {
		memcpy(srv->in + srv->in_len, p, n);
		srv->in_len += n;
	}
	r = arm_silence(srv);
	if (r < 0)
		log_warning_errno(r, "modbus-rtu: silence timer");
}

static uint64_t t35(const struct pm_mbrtu_config *cfg)
{
	unsigned bits = 1 + 8 + (cfg->parity != 'N') + cfg->stop_bits;

	if (cfg->baud > 19200)
		return 1750;
	/* 3.5 characters, rounded up */
	return (7ULL * bits * 1000000ULL + 2ULL * cfg->baud - 1) / (2ULL * cfg->baud);
}

int pm_mbrtu_new(sd_event *event, const struct pm_mb_map *map, const struct pm_snapshot *snap,
		 const struct pm_mbrtu_config *cfg, struct pm_mbrtu **out)
{
	struct pm_tty_line line = line_of(cfg);
	struct pm_mbrtu *srv;
	int r;

	if (!cfg->device || cfg->baud < 1200 || !pm_tty_line_valid(&line) ||
	    (cfg->unit_id != 0 && cfg->unit_id != map->cfg.unit_id) || map->cfg.unit_id < 1 ||
	    map->cfg.unit_id > 247)
		return -EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->event = sd_event_ref(event);
	srv->unit[0] = (struct rtu_unit){.map = map, .snap = snap, .unit_id = map->cfg.unit_id};
	srv->n_units = 1;
	srv->line = *cfg;
	srv->t35_usec = t35(cfg);
	/* accuracy 1 us: the default (250 ms) would merge every frame of a busy bus */
	r = sd_event_add_time_relative(event, &srv->silence, CLOCK_MONOTONIC, srv->t35_usec, 1,
				       on_silence, srv);
	if (r < 0)
		goto fail;
	sd_event_source_set_enabled(srv->silence, SD_EVENT_OFF);
	r = pm_serial_port_new(event, "modbus-rtu", cfg->device, &line, cfg->rs485, OUT_MAX, on_rx,
			       on_hangup, srv, &srv->port);
	if (r < 0)
		goto fail;
	srv->line.device = pm_serial_port_device(srv->port);
	log_info("modbus-rtu: %s: %u 8%c%u, slave %u, t3.5 %llu us", cfg->device, cfg->baud,
		 cfg->parity, cfg->stop_bits, map->cfg.unit_id, (unsigned long long)srv->t35_usec);
	*out = srv;
	return 0;
fail:
	pm_mbrtu_free(srv);
	return r;
}

/* What the line saw, once, when it is closed. */
static void log_stats(const struct pm_mbrtu *srv)
{
	const struct pm_mbrtu_stats *st = &srv->st;

	log_info("modbus-rtu: %s: %llu frames: %llu answered (%llu exceptions), %llu bad CRC, "
		 "%llu for other slaves, %llu broadcasts, %llu discarded (%llu too long); "
		 "%llu answers dropped",
		 srv->line.device, (unsigned long long)st->frames, (unsigned long long)st->answered,
		 (unsigned long long)st->exceptions, (unsigned long long)st->crc_errors,
		 (unsigned long long)st->other_address, (unsigned long long)st->broadcast,
		 (unsigned long long)st->discarded, (unsigned long long)st->overruns,
		 (unsigned long long)st->dropped);
}

struct pm_mbrtu *pm_mbrtu_free(struct pm_mbrtu *srv)
{
	if (!srv)
		return NULL;
	if (srv->port) /* it was serving: not a failed start */
		log_stats(srv);
	sd_event_source_disable_unref(srv->silence);
	pm_serial_port_free(srv->port);
	sd_event_unref(srv->event);
	free(srv);
	return NULL;
}

int pm_mbrtu_add_unit(struct pm_mbrtu *srv, const struct pm_mb_map *map,
		      const struct pm_snapshot *snap, const struct pm_mbrtu_config *cfg)
{
	uint8_t id = map->cfg.unit_id;

	if (cfg->baud != srv->line.baud || cfg->parity != srv->line.parity ||
	    cfg->stop_bits != srv->line.stop_bits || cfg->rs485 != srv->line.rs485 ||
	    (cfg->unit_id != 0 && cfg->unit_id != id) || id < 1 || id > 247)
		return -EINVAL;
	if (find_unit(srv, id))
		return -EEXIST;
	if (srv->n_units == PM_MBRTU_UNITS_MAX)
		return -ENOSPC;
	srv->unit[srv->n_units++] = (struct rtu_unit){.map = map, .snap = snap, .unit_id = id};
	log_info("modbus-rtu: %s: slave %u added (%zu on the line)", srv->line.device, id,
		 srv->n_units);
	return 0;
}

struct pm_mbrtu *pm_mbrtu_release(struct pm_mbrtu *srv, const struct pm_mb_map *map)
{
	if (!srv)
		return NULL;
	for (size_t i = 0; i < srv->n_units; i++)
		if (srv->unit[i].map == map) {
			srv->unit[i] = srv->unit[--srv->n_units];
			break;
		}
	return srv->n_units ? NULL : pm_mbrtu_free(srv);
}

size_t pm_mbrtu_units(const struct pm_mbrtu *srv)
{
	return srv->n_units;
}

void pm_mbrtu_get_stats(const struct pm_mbrtu *srv, struct pm_mbrtu_stats *st)
{
	*st = srv->st;
}

const char *pm_mbrtu_device(const struct pm_mbrtu *srv)
{
	return srv->line.device;
}

bool pm_mbrtu_rs485(const struct pm_mbrtu *srv)
{
	return pm_serial_port_rs485(srv->port);
}

uint64_t pm_mbrtu_t35_usec(const struct pm_mbrtu *srv)
{
	return srv->t35_usec;
}
