/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DLMS/COSEM view over TCP: the IEC 62056-47 wrapper on the daemon's sd-event loop, one
 * session of the pure application layer (core/dlms/server.h) per connection.
 *
 * The wrapper is 8 octets before each APDU: version 0x0001, source wPort, destination wPort,
 * length of the APDU (big-endian). The source wPort is the client SAP (16 public, 1
 * management), the destination the server's logical device (1); the answer swaps them. A
 * header with another version, or a length of 0 or longer than our max-receive-pdu-size (the
 * largest APDU a client may send us, announced in the AARE), loses the framing: the APDUs
 * before it are answered, then the connection closes. The connections themselves (timeouts,
 * pipelining, the cap and eviction, socket activation) are the stream server's
 * (views/net/stream-server.h), the same rules as Modbus TCP: one slow or hostile client never
 * delays another. Closing the transport ends the association.
 */
#ifndef POLYMETER_DLMS_TCP_H
#define POLYMETER_DLMS_TCP_H

#include <stdint.h>

#include <systemd/sd-event.h>

#include "core/dlms/cosem.h"
#include "core/dlms/server.h"
#include "views/net/stream-server.h" /* struct pm_stream_config: the listener and limits */

#define PM_DLMS_TCP_DEFAULT_PORT 4059 /* IANA "dlms/cosem" */
#define PM_DLMS_TCP_DEFAULT_MAX_CONN 8
/* a head-end keeps an association open between reads; 120 s is the usual inactivity timeout
 * of a meter's TCP-UDP setup object */
#define PM_DLMS_TCP_DEFAULT_IDLE_USEC (120 * 1000000ULL)
#define PM_DLMS_TCP_DEFAULT_HEADER_USEC (10 * 1000000ULL)
#define PM_DLMS_WRAPPER_HEADER 8
#define PM_DLMS_WRAPPER_VERSION 1

/* The meter the objects read, for one request (the daemon fills it from its meter). */
typedef const struct pm_cosem_meter *(*pm_dlms_meter_fn)(void *data);

struct pm_dlms_tcp;

static inline void pm_dlms_tcp_config_default(struct pm_stream_config *cfg)
{
	*cfg = (struct pm_stream_config){
	    .port = PM_DLMS_TCP_DEFAULT_PORT,
	    .listen_fd = -1,
	    .max_conn = PM_DLMS_TCP_DEFAULT_MAX_CONN,
	    .idle_usec = PM_DLMS_TCP_DEFAULT_IDLE_USEC,
	    .header_usec = PM_DLMS_TCP_DEFAULT_HEADER_USEC,
	};
}

/*
 * Listens and attaches to @event. @server (its directory and password) must outlive it;
 * @meter(@data) is called for each APDU. Returns 0 or a negative errno.
 */
int pm_dlms_tcp_new(sd_event *event, const struct pm_dlms_server_config *server,
		    pm_dlms_meter_fn meter, void *data, const struct pm_stream_config *cfg,
		    struct pm_dlms_tcp **out);
struct pm_dlms_tcp *pm_dlms_tcp_free(struct pm_dlms_tcp *srv);

/* The port listened on (useful with port 0), or a negative errno. */
int pm_dlms_tcp_port(const struct pm_dlms_tcp *srv);

#endif
