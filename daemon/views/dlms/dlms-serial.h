/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DLMS/COSEM view over a serial line: HDLC (IEC 62056-46) on an RS-485 bus or an optical
 * port, on the daemon's sd-event loop, the same application layer as the TCP wrapper
 * (core/dlms/server.h: the same associations and objects).
 *
 * One server per tty; each meter on it is a station with its own HDLC address (the lower,
 * physical address; upper 1, the management logical device), its own link (core/dlms/
 * hdlc-link.h) and its own association, so several meters share one bus. pm_dlms_serial_new()
 * opens the line with the first station, pm_dlms_serial_add() adds the others; a second
 * station with the same address, or asking for other line settings, is refused.
 *
 * Receiving: the bytes are cut into frames by pm_hdlc_find; what is no frame (line noise, a
 * frame cut short, a bad FCS) is dropped, and a frame for an address none of the stations has
 * is ignored: nothing ignored puts a byte on the bus. A frame that stops arriving for the
 * inter-octet time-out (30 ms, or 3 characters at the line's current speed when longer) is
 * given up, so a half frame never holds the frames behind it. Answers are written non-blocking (a
 * queue).
 *
 * RS-485: with rs485 the kernel's RS-485 mode is asked for, as Modbus RTU does
 * (views/serial/tty-line.h).
 *
 * Mode E (IEC 62056-21, core/dlms/mode-e.h), for an optical port with one meter: the line
 * starts at 300 baud 7E1 waiting for the sign-on, answers it after the standard's minimum
 * reaction time (200 ms) with the identification offering the configured rate, switches to
 * that rate (or the lower one the reader chose) 8N1 on the option select, and serves HDLC; it
 * goes back to waiting for a sign-on after the link's DISC, or when no link has been up for
 * the inactivity time-out.
 */
#ifndef POLYMETER_DLMS_SERIAL_H
#define POLYMETER_DLMS_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "core/dlms/hdlc-link.h"
#include "core/dlms/server.h"
#include "views/dlms/dlms-tcp.h" /* pm_dlms_meter_fn */

#define PM_DLMS_SERIAL_DEFAULT_BAUD 9600
#define PM_DLMS_SERIAL_STATIONS_MAX 16
/* The gap within a frame after which its start is given up: 30 ms, a margin over the 25 ms
 * Gurux's HDLC setup object gives inter_octet_time_out by default (development/src/cosem.c), or
 * the time of 3 characters on a slow line, where one character alone can take longer (8N1 at
 * 300 baud: 10 bits, 33.3 ms). */
#define PM_DLMS_SERIAL_INTER_OCTET_MIN_USEC 30000ULL
#define PM_DLMS_SERIAL_INTER_OCTET_CHARS 3u
/* IEC 62056-21: the meter answers a sign-on no sooner than 200 ms after it (200 ms <= t_r <=
 * 1500 ms; 20 ms only for a manufacturer id whose third letter is lower case, not "PMD"), as an
 * independent mode C client quotes the standard; its own text was not available. */
#define PM_DLMS_SERIAL_REACTION_USEC 200000ULL
/* What a mode E meter says of itself after "/", the manufacturer and the rate (mode-e.h):
 * "PMD" is no FLAG-registered manufacturer id. */
#define PM_DLMS_SERIAL_MANUFACTURER "PMD"
#define PM_DLMS_SERIAL_IDENT "polymeter"

struct pm_dlms_serial_config {
	const char *device;	  /* tty path; not kept after pm_dlms_serial_new() */
	unsigned baud;		  /* HDLC's rate (mode E: the highest offered), 300 .. 115200 */
	char parity;		  /* 'N' (IEC 62056-46's 8N1), 'E' or 'O' */
	unsigned stop_bits;	  /* 1 or 2 */
	bool rs485;		  /* ask for the kernel's RS-485 mode */
	bool mode_e;		  /* an optical port: the IEC 62056-21 sign-on first */
	uint64_t inactivity_usec; /* a link without frames falls back to disconnected; 0 never */
};

/* One meter on the line. */
struct pm_dlms_station {
	uint16_t lower;	     /* HDLC physical address 0x10..0x3FFD; 0: the 1-byte form only */
	const char *address; /* mode E device address (the meter's name), kept by the caller */
	const struct pm_dlms_server_config *server; /* must outlive the station */
	pm_dlms_meter_fn meter;			    /* the objects, for each APDU */
	void *data;				    /* for @meter; identifies the station */
};

/* What the line saw, logged when it is closed (an installer's first look at a bus with wrong
 * settings, noise or a missing terminator). */
struct pm_dlms_serial_stats {
	uint64_t frames;	/* whole frames with a good FCS */
	uint64_t noise;		/* runs of bytes dropped: noise, half frames, bad FCS/HCS */
	uint64_t other_address; /* frames for no station of this line */
	uint64_t answers;	/* APDUs answered */
	uint64_t sign_ons;	/* mode E sign-ons answered */
	uint64_t dropped;	/* answers dropped: the output queue full (a stuck line) */
};

struct pm_dlms_serial;

/* The inter-octet time-out of a line at @baud with @char_bits bits a character (start, data,
 * parity, stop): PM_DLMS_SERIAL_INTER_OCTET_CHARS characters, rounded up to the microsecond,
 * at least PM_DLMS_SERIAL_INTER_OCTET_MIN_USEC. */
static inline uint64_t pm_dlms_serial_inter_octet_usec(unsigned baud, unsigned char_bits)
{
	uint64_t bits = (uint64_t)PM_DLMS_SERIAL_INTER_OCTET_CHARS * char_bits;
	uint64_t t = (bits * 1000000 + baud - 1) / baud;

	return t > PM_DLMS_SERIAL_INTER_OCTET_MIN_USEC ? t : PM_DLMS_SERIAL_INTER_OCTET_MIN_USEC;
}

/* 9600 8N1, RS-485 mode asked for, no mode E, 120 s. */
static inline void pm_dlms_serial_config_default(struct pm_dlms_serial_config *cfg)
{
	*cfg = (struct pm_dlms_serial_config){
	    .baud = PM_DLMS_SERIAL_DEFAULT_BAUD,
	    .parity = 'N',
	    .stop_bits = 1,
	    .rs485 = true,
	    .inactivity_usec = PM_HDLC_LINK_DEFAULT_INACTIVITY_USEC,
	};
}

/*
 * Opens and sets up the tty with its first station, attaches to @event. Returns 0 or a
 * negative errno (-EINVAL for a bad configuration).
 */
int pm_dlms_serial_new(sd_event *event, const struct pm_dlms_serial_config *cfg,
		       const struct pm_dlms_station *st, struct pm_dlms_serial **out);
/*
 * Another station on the same line: @cfg's line settings must be those it was opened with, and
 * not mode E (-EINVAL), its address free (-EEXIST; the 1-byte form is one station's alone), at
 * most PM_DLMS_SERIAL_STATIONS_MAX (-ENOSPC).
 */
int pm_dlms_serial_add(struct pm_dlms_serial *s, const struct pm_dlms_serial_config *cfg,
		       const struct pm_dlms_station *st);
/* Takes the station of @data off the line; the last one frees the server. Returns NULL. */
struct pm_dlms_serial *pm_dlms_serial_release(struct pm_dlms_serial *s, const void *data);
struct pm_dlms_serial *pm_dlms_serial_free(struct pm_dlms_serial *s);

const char *pm_dlms_serial_device(const struct pm_dlms_serial *s);
void pm_dlms_serial_get_stats(const struct pm_dlms_serial *s, struct pm_dlms_serial_stats *st);

#endif
