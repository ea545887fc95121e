/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A TCP server for a request/answer protocol framed on a byte stream (Modbus TCP's MBAP, the
 * DLMS wrapper), on the daemon's sd-event loop. The protocol gives the framing (where a
 * request ends) and the answer to each complete request; this file keeps the connections, so
 * both protocols follow the same rules against slow, silent and hostile clients.
 *
 * Non-blocking: each connection accumulates bytes and answers each complete request at once; a
 * partial frame just waits in its buffer, so a slow or silent client never delays another.
 * Requests may be pipelined: they are answered in order while the output buffer has room, the
 * rest as soon as the client reads (never dropped).
 *
 * A connection is closed when its framing is lost (the protocol says the head is bad: after
 * answering the requests before it), when the protocol asks (after sending the answer), when
 * its peer closed (after answering what it sent), when no request completes for the idle
 * timeout (a client that stops reading its answers), or when a request (the first one: from
 * accept) is not complete within the header timeout, so that half-sent headers cannot hold a
 * slot for long. At the cap a newcomer evicts the longest-idle connection that never completed
 * a request, or, if all have, the longest-idle one, but none that was active within the last
 * second (the newcomer is refused then): a few hostile sockets cannot lock a client out.
 */
#ifndef POLYMETER_STREAM_SERVER_H
#define POLYMETER_STREAM_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

/* What the input buffer starts with. */
enum pm_stream_head {
	PM_STREAM_EMPTY,
	PM_STREAM_PARTIAL,
	PM_STREAM_COMPLETE, /* a whole request of *len bytes */
	PM_STREAM_BAD,	    /* not a request: the framing is lost */
};

struct pm_stream_protocol {
	const char *name;  /* in the log: "modbus-tcp" */
	size_t frame_max;  /* the longest request */
	size_t answer_max; /* the longest answer to one request */
	size_t out_max;	   /* answers waiting for a slow reader, >= answer_max */
	/* Classifies the @n bytes at @a; a complete request's length in *len (<= frame_max:
	 * a longer one is BAD). */
	enum pm_stream_head (*head)(void *proto, const uint8_t *a, size_t n, size_t *len);
	/* Per-connection state (NULL: none): returns 0 or a negative errno. */
	int (*open)(void *proto, void **conn);
	void (*close)(void *proto, void *conn);
	/*
	 * Answers one complete request of @len bytes into @out (answer_max bytes of room);
	 * returns the answer's length (0: nothing to send). *close_after set: send it, then
	 * close the connection.
	 */
	size_t (*answer)(void *proto, void *conn, const uint8_t *req, size_t len, uint8_t *out,
			 bool *close_after);
};

struct pm_stream_config {
	const char *address; /* numeric IPv4/IPv6 address to bind, NULL = any (dual stack) */
	uint16_t port;	     /* 0 = an ephemeral port (tests), see pm_stream_server_port() */
	int listen_fd;	    /* >= 0: a listening socket from systemd, owned by the server once it is
			     * accepted as one; address and port unused */
	unsigned max_conn;  /* simultaneous connections, >= 1 */
	uint64_t idle_usec; /* close a connection without a complete request for this long */
	uint64_t header_usec; /* close one whose request (the first: from accept) is not complete
			       * within this long */
};

struct pm_stream_server;

/* Listens and attaches to @event; @proto and @data must outlive the server. 0 or -errno. */
int pm_stream_server_new(sd_event *event, const struct pm_stream_protocol *proto, void *data,
			 const struct pm_stream_config *cfg, struct pm_stream_server **out);
struct pm_stream_server *pm_stream_server_free(struct pm_stream_server *srv);

/* The port listened on (useful with port 0), or a negative errno. */
int pm_stream_server_port(const struct pm_stream_server *srv);
unsigned pm_stream_server_connections(const struct pm_stream_server *srv);

/* 0 when @address is one the server can bind (a numeric IPv4 or IPv6 address), else -EINVAL. */
int pm_stream_check_address(const char *address);

/*
 * Socket activation: the listening stream socket passed by systemd whose FileDescriptorName
 * is @name (or the only one passed, if it is unnamed). Returns the fd, -ENOENT when none,
 * or a negative errno.
 */
int pm_stream_activated_fd(const char *name);

#endif
