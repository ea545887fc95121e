/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Modbus TCP view: a server on the daemon's sd-event loop answering from the Modbus map
 * (core/proto/modbus-map.h) over one snapshot.
 *
 * Framing is our own (the MBAP header: transaction id, protocol id 0, length = unit id + PDU,
 * 2..254), over the stream server (views/net/stream-server.h), which keeps the connections:
 * non-blocking, pipelining, timeouts, the cap and eviction. A request for another unit id is
 * answered with exception 0x0B; 0xFF (the implementation guide's "no particular unit") is
 * this server. A bad header (protocol id != 0, length out of range) loses the framing: the
 * requests before it are answered, then the connection closes.
 *
 * libmodbus is not used here. In 3.1.6 (Debian 12) modbus_receive() blocks until a whole
 * frame arrived (0.5 s per byte: one slow client stalls all), and modbus_reply() stalls
 * 0.5 s + flush on an illegal count or function, never answers FC 0x07, reads out of bounds
 * for FC 0x07/0x11 (fixed in 3.1.12), leaks its version on FC 0x11, writes into the mapping
 * on any write function, and ignores the unit id. With every request validated and answered
 * by the pure map codec, the reply is a 7-byte header copy, so libmodbus would add nothing but
 * those traps.
 */
#ifndef POLYMETER_MODBUS_TCP_H
#define POLYMETER_MODBUS_TCP_H

#include <stdint.h>

#include <systemd/sd-event.h>

#include "core/proto/modbus-map.h"
#include "views/net/stream-server.h" /* struct pm_stream_config: the listener and limits */

#define PM_MBTCP_DEFAULT_PORT 502
#define PM_MBTCP_DEFAULT_MAX_CONN 16
#define PM_MBTCP_DEFAULT_IDLE_USEC (60 * 1000000ULL)
/* the slowest BMS poll (10 s) still sends its first request in time */
#define PM_MBTCP_DEFAULT_HEADER_USEC (10 * 1000000ULL)

struct pm_mbtcp;

void pm_mbtcp_config_default(struct pm_stream_config *cfg);

/*
 * Listens and attaches to @event. @map and @snap are read, never copied: they must outlive the
 * server (the daemon refills the snapshot in place). The register image is built from @snap
 * when a request finds it changed (struct pm_mb_image), so a change to @snap must show in its
 * seq, event count or account. Returns 0 or a negative errno.
 */
int pm_mbtcp_new(sd_event *event, const struct pm_mb_map *map, const struct pm_snapshot *snap,
		 const struct pm_stream_config *cfg, struct pm_mbtcp **out);
struct pm_mbtcp *pm_mbtcp_free(struct pm_mbtcp *srv);

/* The port listened on (useful with port 0), or a negative errno. */
int pm_mbtcp_port(const struct pm_mbtcp *srv);
unsigned pm_mbtcp_connections(const struct pm_mbtcp *srv);

/* 0 when @address is one the server can bind (a numeric IPv4 or IPv6 address), else -EINVAL. */
int pm_mbtcp_check_address(const char *address);

/*
 * Socket activation: the listening stream socket passed by systemd whose FileDescriptorName
 * is @name (or the only one passed, if it is unnamed). Returns the fd, -ENOENT when none,
 * or a negative errno.
 */
int pm_mbtcp_activated_fd(const char *name);

#endif
