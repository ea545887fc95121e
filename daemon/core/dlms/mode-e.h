/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IEC 62056-21 mode E, pure: the sign-on a handheld reader sends to an optical port before
 * HDLC, and the meter's side of it. At 300 baud, 7 data bits, even parity:
 *
 *   reader  "/?" device-address "!" CR LF          (an empty address: whichever meter)
 *   meter   "/" XXX Z "\2" identification CR LF    (XXX manufacturer, Z the highest baud
 *                                                   rate it offers, "\2": mode E, HDLC)
 *   reader  ACK "2" Z "2" CR LF                     (protocol 2: HDLC, at the rate Z)
 *
 * after which both sides use Z's rate, 8N1, and HDLC (IEC 62056-46). Z: '0' 300, '1' 600,
 * '2' 1200, '3' 2400, '4' 4800, '5' 9600, '6' 19200. A reader may ask for a lower rate than
 * offered. Anything else (another meter's address, a mode C option select asking for a data
 * readout, noise) gets no answer: the meter goes on waiting for a sign-on.
 */
#ifndef POLYMETER_MODE_E_H
#define POLYMETER_MODE_E_H

#include <stddef.h>
#include <stdint.h>

/* The longest message line (the identification's 16 characters, the address's 32, framing). */
#define PM_MODE_E_LINE_MAX 64

struct pm_mode_e_config {
	const char *address;	  /* the device address we answer to, 1..32 characters */
	const char *manufacturer; /* three letters */
	const char *ident;	  /* at most 16 printable characters, no '/' or '!' */
	unsigned baud;		  /* the highest rate we offer: one with a Z character */
};

enum pm_mode_e_action {
	PM_MODE_E_IGNORE,   /* not for us, or not a message we take */
	PM_MODE_E_IDENTIFY, /* send the identification (written to @out) */
	PM_MODE_E_SWITCH,   /* the reader chose HDLC at *@baud */
};

/* Z of a baud rate, or 0 when it has none. */
char pm_mode_e_baud_char(unsigned baud);

/* 0 when @cfg is one pm_mode_e_line can answer for, else -EINVAL. */
int pm_mode_e_config_check(const struct pm_mode_e_config *cfg);

/*
 * One line received (@n bytes ending in CR LF, the parity bit already cleared). On IDENTIFY
 * the identification message is written to @out (@cap >= PM_MODE_E_LINE_MAX) and its length
 * to *@out_len; on SWITCH the rate chosen to *@baud.
 */
enum pm_mode_e_action pm_mode_e_line(const struct pm_mode_e_config *cfg, const uint8_t *line,
				     size_t n, uint8_t *out, size_t cap, size_t *out_len,
				     unsigned *baud);

#endif
