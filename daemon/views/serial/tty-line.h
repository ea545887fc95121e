/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A serial line for the protocol servers on RS-485 and optical ports (Modbus RTU, DLMS HDLC):
 * the tty opened non-blocking, set raw with the line's rate, data bits, parity and stop bits
 * and no flow control, and the kernel's RS-485 mode asked for (TIOCSRS485: RTS high while
 * sending, so the driver turns the transceiver around at the right bit time). A driver that
 * drops settings (a pty has no line rate or parity) or has no RS-485 mode (ENOTTY, EINVAL: a
 * pty, most USB adapters) gets a warning and serving goes on: an auto-direction transceiver
 * still works, a DE/RE wired to RTS will not transmit.
 */
#ifndef POLYMETER_TTY_LINE_H
#define POLYMETER_TTY_LINE_H

#include <stdbool.h>

struct pm_tty_line {
	unsigned baud;	    /* a standard rate, 300 .. 921600 */
	unsigned data_bits; /* 7 or 8 */
	char parity;	    /* 'N', 'E' or 'O' */
	unsigned stop_bits; /* 1 or 2 */
};

/* True when @line is one the servers can set. */
bool pm_tty_line_valid(const struct pm_tty_line *line);

/* Opens @device (O_NONBLOCK, O_NOCTTY, close-on-exec) and drops what was queued on it; the
 * fd, or a negative errno (-ENOTTY for a file that is no terminal). */
int pm_tty_open(const char *device);

/*
 * Sets @fd raw at @line (reads return what is there, never wait), keeping what is queued;
 * @who and @device name the warning when the driver did not take all of it. Returns 0 or a
 * negative errno.
 */
int pm_tty_set_line(int fd, const struct pm_tty_line *line, const char *who, const char *device);

/* Kernel RS-485 mode on @fd; false (with a warning naming @who and @device) when the driver has
 * none. */
bool pm_tty_rs485(int fd, const char *who, const char *device);

#endif
