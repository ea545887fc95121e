/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A serial port on the daemon's sd-event loop for a protocol server: the tty (tty-line.h)
 * read as bytes arrive, each run given to the server's callback, and its answers written
 * non-blocking through a bounded queue, so a stuck line delays nothing else. When the line
 * hangs up (the other end of a pty closed), reading pauses and is tried again every second
 * instead of spinning.
 */
#ifndef POLYMETER_SERIAL_PORT_H
#define POLYMETER_SERIAL_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "views/serial/tty-line.h"

/* Bytes received (@n > 0), in order. */
typedef void (*pm_serial_rx_fn)(void *data, const uint8_t *p, size_t n);
/* The line hung up: what was being received will not be completed. */
typedef void (*pm_serial_hup_fn)(void *data);

struct pm_serial_port;

/*
 * Opens @device at @line (with kernel RS-485 mode when @rs485), attaches to @event; @who names
 * the server in the log. At most @out_max bytes wait to be written. @rx and @hup (may be NULL)
 * are called with @data. Returns 0 or a negative errno.
 */
int pm_serial_port_new(sd_event *event, const char *who, const char *device,
		       const struct pm_tty_line *line, bool rs485, size_t out_max,
		       pm_serial_rx_fn rx, pm_serial_hup_fn hup, void *data,
		       struct pm_serial_port **out);
struct pm_serial_port *pm_serial_port_free(struct pm_serial_port *p);

/* Queues @n bytes and writes what the line takes now; -ENOBUFS (nothing queued) when the
 * queue has no room for all of them. */
int pm_serial_port_send(struct pm_serial_port *p, const uint8_t *b, size_t n);
/* Bytes queued and not yet handed to the kernel. */
size_t pm_serial_port_queued(const struct pm_serial_port *p);
/* Bytes the kernel has taken and not yet sent (TIOCOUTQ); 0 when it cannot say. */
size_t pm_serial_port_unsent(const struct pm_serial_port *p);
/* Sets another line (mode E's switch of rate), at once. */
int pm_serial_port_set_line(struct pm_serial_port *p, const struct pm_tty_line *line);

const char *pm_serial_port_device(const struct pm_serial_port *p);
/* True when the kernel accepted RS-485 mode. */
bool pm_serial_port_rs485(const struct pm_serial_port *p);

#endif
