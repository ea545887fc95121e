/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Modbus RTU view: a slave on a serial line (RS-485) on the daemon's sd-event loop,
 * answering from the Modbus map (core/proto/modbus-map.h) over one snapshot.
 *
 * Several meters on one bus: one server per tty serves one slave address (unit) per meter,
 * each with its own map and snapshot (the Common model's DA of each map is its address).
 * pm_mbrtu_new() opens the line with the first unit, pm_mbrtu_add_unit() adds the others;
 * a second unit with the same address, or asking for other line settings, is refused.
 *
 * The tty is opened non-blocking and set raw (8 data bits, parity N/E/O, 1 or 2 stop bits,
 * no flow control). Frames are delimited by silence: every byte received re-arms a timer of
 * t3.5 (3.5 character times, 1750 us above 19200 baud, as the Modbus serial line guide says);
 * when it fires, the bytes gathered are one frame. A frame is then
 *
 *   - discarded (counted) when shorter than 4 bytes or longer than 256 (a half frame
 *     followed by silence, line noise),
 *   - ignored (counted) when its CRC-16 is wrong,
 *   - ignored (counted) when it is for another slave address,
 *   - never answered when it is a broadcast (address 0): no point of the map is writable,
 *     and a broadcast read has no answer by definition,
 *   - otherwise answered by the map codec (validation and exception codes are its own),
 *     address + PDU + CRC, written non-blocking (a queue, EAGAIN-safe).
 *
 * Nothing ignored puts a byte on the bus, so other slaves and the master are not disturbed.
 * The counters (struct pm_mbrtu_stats) are the line's, logged when it is closed (at shutdown):
 * an installer's first look at a bus with wrong settings, noise or a missing terminator.
 * The t1.5 inter-character rule is not enforced (nor by most masters, and a USB adapter or a
 * pty delivers bytes in bursts): a frame is what arrives between two silences of t3.5.
 *
 * RS-485: with cfg.rs485 the kernel's RS-485 mode is asked for (TIOCSRS485: RTS high while
 * sending), so the driver turns the transceiver around at the right bit time. A driver
 * without it (ENOTTY, EINVAL: a pty, most USB adapters) gets a warning and serving goes on:
 * an auto-direction transceiver still works, a DE/RE wired to RTS will not transmit.
 * libmodbus is not used, for the reasons given in modbus-tcp.h; its RTU server also reads a
 * frame in blocking steps and sleeps for the RTS delay in userspace.
 */
#ifndef POLYMETER_MODBUS_RTU_H
#define POLYMETER_MODBUS_RTU_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "core/proto/modbus-map.h"

#define PM_MBRTU_DEFAULT_BAUD 19200
#define PM_MBRTU_DEFAULT_PARITY 'E'
#define PM_MBRTU_ADU_MAX 256  /* address + PDU (253) + CRC */
#define PM_MBRTU_UNITS_MAX 16 /* meters on one line (as many as the daemon has meters) */

struct pm_mbrtu_config {
	const char *device; /* tty path, e.g. /dev/ttyS1; not kept after pm_mbrtu_new() */
	unsigned baud;	    /* a standard rate, 1200 .. 921600 */
	char parity;	    /* 'N', 'E' or 'O' */
	unsigned stop_bits; /* 1 or 2 */
	uint8_t unit_id;    /* 0 = the map's (cfg.unit_id, the Common model's DA); else must
			     * equal it */
	bool rs485;	    /* ask for the kernel's RS-485 mode */
};

/* What the server saw; every frame received lands in exactly one of the last five. */
struct pm_mbrtu_stats {
	uint64_t frames;	/* frames delimited by silence */
	uint64_t answered;	/* answered (normal or exception response) */
	uint64_t exceptions;	/* of which exception responses */
	uint64_t crc_errors;	/* ignored: bad CRC */
	uint64_t other_address; /* ignored: for a slave address none of the units has */
	uint64_t broadcast;	/* ignored: address 0 */
	uint64_t discarded;	/* ignored: too short or too long */
	uint64_t overruns;	/* of which too long: more than PM_MBRTU_ADU_MAX bytes before a
				 * silence (noise, two frames without the gap between them) */
	uint64_t dropped;	/* answers dropped: output queue full (a stuck line) */
};

struct pm_mbrtu;

/* 19200 8E1 (the Modbus default), the map's unit id, RS-485 mode asked for. */
void pm_mbrtu_config_default(struct pm_mbrtu_config *cfg);

/*
 * Opens and sets up the tty, attaches to @event. @map and @snap are read, never copied, for
 * every request: they must outlive the server. Returns 0 or a negative errno (-EINVAL for a
 * bad configuration: baud, parity, stop bits, unit id).
 */
int pm_mbrtu_new(sd_event *event, const struct pm_mb_map *map, const struct pm_snapshot *snap,
		 const struct pm_mbrtu_config *cfg, struct pm_mbrtu **out);
struct pm_mbrtu *pm_mbrtu_free(struct pm_mbrtu *srv);

/*
 * Another unit on the same line: @map's unit id must be free on it (-EEXIST otherwise) and
 * @cfg's line settings (baud, parity, stop bits, RS-485) those the line was opened with
 * (-EINVAL otherwise); @cfg->device is not looked at. At most PM_MBRTU_UNITS_MAX units
 * (-ENOSPC).
 */
int pm_mbrtu_add_unit(struct pm_mbrtu *srv, const struct pm_mb_map *map,
		      const struct pm_snapshot *snap, const struct pm_mbrtu_config *cfg);
/*
 * Takes @map's unit off the line (its meter is going away); the last one frees the server.
 * Returns NULL.
 */
struct pm_mbrtu *pm_mbrtu_release(struct pm_mbrtu *srv, const struct pm_mb_map *map);
/* How many units the line serves. */
size_t pm_mbrtu_units(const struct pm_mbrtu *srv);

void pm_mbrtu_get_stats(const struct pm_mbrtu *srv, struct pm_mbrtu_stats *st);
/* The tty the line was opened on. */
const char *pm_mbrtu_device(const struct pm_mbrtu *srv);
/* True when the kernel accepted RS-485 mode. */
bool pm_mbrtu_rs485(const struct pm_mbrtu *srv);
/* The silence that ends a frame, in microseconds. */
uint64_t pm_mbrtu_t35_usec(const struct pm_mbrtu *srv);

/* CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF); sent low byte first. */
uint16_t pm_mbrtu_crc16(const uint8_t *p, size_t len);

#endif
