// SPDX-License-Identifier: GPL-2.0-only
/* The Modbus TCP server (see modbus-tcp.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "views/modbus/modbus-tcp.h"

#define MBAP_HEADER 7 /* transaction id, protocol id, length, unit id */
#define ADU_MAX (MBAP_HEADER - 1 + 1 + PM_MB_MAX_PDU) /* 260 */
#define OUT_MAX (4 * ADU_MAX)			      /* answers waiting for a slow reader */
#define READS_PER_WAKEUP 4			      /* then let the other connections run */
#define ACCEPTS_PER_WAKEUP 16
#define ACCEPT_BACKOFF_USEC 100000 /* out of fds: stop accepting for a moment */

struct conn {
	struct pm_mbtcp *srv;
	struct conn *prev, *next;
	int fd;
	sd_event_source *io;
	sd_event_source *idle;
	size_t in_len;
	size_t out_off, out_len;
	uint8_t in[ADU_MAX];
	uint8_t out[OUT_MAX];
};

struct pm_mbtcp {
	sd_event *event;
	const struct pm_mb_map *map;
	const struct pm_snapshot *snap;
	struct pm_mbtcp_config cfg;
	int fd;
	sd_event_source *listen;
	sd_event_source *backoff;
	struct conn *conns;
	unsigned nconns;
};

void pm_mbtcp_config_default(struct pm_mbtcp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = PM_MBTCP_DEFAULT_PORT;
	cfg->listen_fd = -1;
	cfg->max_conn = PM_MBTCP_DEFAULT_MAX_CONN;
	cfg->idle_usec = PM_MBTCP_DEFAULT_IDLE_USEC;
}

static void conn_free(struct conn *c)
{
	struct pm_mbtcp *srv = c->srv;

	sd_event_source_disable_unref(c->io);
	sd_event_source_disable_unref(c->idle);
	if (c->fd >= 0)
		close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconns--;
	free(c);
}

static int idle_rearm(struct conn *c)
{
	uint64_t now;
	int r;

	r = sd_event_now(c->srv->event, CLOCK_MONOTONIC, &now);
	if (r < 0)
		return r;
	r = sd_event_source_set_time(c->idle, now + c->srv->cfg.idle_usec);
	if (r < 0)
		return r;
	return sd_event_source_set_enabled(c->idle, SD_EVENT_ONESHOT);
}

/* Answers one complete ADU (header + PDU) into the output buffer. */
static void answer(struct conn *c, const uint8_t *adu, size_t len)
{
	const struct pm_mb_map *map = c->srv->map;
	uint8_t *o = c->out + c->out_off + c->out_len;
	size_t n;

	memcpy(o, adu, 4); /* transaction id, protocol id */
	o[6] = adu[6];	   /* unit id echoed */
	if (adu[6] != map->cfg.unit_id) {
		o[7] = (uint8_t)(adu[7] | 0x80);
		o[8] = PM_MB_EX_GATEWAY_TARGET;
		n = 2;
	} else {
		n = pm_mb_map_handle_pdu(map, c->srv->snap, adu + MBAP_HEADER, len - MBAP_HEADER,
					 o + MBAP_HEADER);
	}
	o[4] = (uint8_t)((n + 1) >> 8);
	o[5] = (uint8_t)(n + 1);
	c->out_len += MBAP_HEADER + n;
}

/*
 * Answers every complete request in the input buffer while there is room for an answer.
 * Returns 0, or -EPROTO when the framing is lost (the connection must close).
 */
static int process(struct conn *c)
{
	size_t done = 0;
	int r;

	while (c->in_len - done >= MBAP_HEADER) {
		const uint8_t *a = c->in + done;
		unsigned proto = (unsigned)a[2] << 8 | a[3];
		unsigned len = (unsigned)a[4] << 8 | a[5];

		if (proto != 0 || len < 2 || len > 1 + PM_MB_MAX_PDU)
			return -EPROTO;
		if (c->in_len - done < 6 + len)
			break;
		if (c->out_off + c->out_len + ADU_MAX > OUT_MAX) {
			if (c->out_off == 0)
				break; /* full: wait until the client reads */
			memmove(c->out, c->out + c->out_off, c->out_len);
			c->out_off = 0;
			continue;
		}
		answer(c, a, 6 + len);
		done += 6 + len;
		r = idle_rearm(c);
		if (r < 0)
			return r;
	}
	if (done) {
		memmove(c->in, c->in + done, c->in_len - done);
		c->in_len -= done;
	}
	return 0;
}

/* Writes what it can; returns 0 or a negative errno (connection gone). */
static int flush_out(struct conn *c)
{
	while (c->out_len > 0) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c->out_off += (size_t)n;
		c->out_len -= (size_t)n;
	}
	if (c->out_len == 0)
		c->out_off = 0;
	return 0;
}

/* Reads while output has room: the events wanted follow the buffers' state. */
static int update_events(struct conn *c)
{
	uint32_t ev = 0;

	if (c->out_len > 0)
		ev |= EPOLLOUT;
	/* stop reading while a complete request waits for room to answer (back-pressure) */
	if (c->in_len < sizeof(c->in) && c->out_off + c->out_len + ADU_MAX <= OUT_MAX)
		ev |= EPOLLIN;
	if (c->in_len == sizeof(c->in) && c->out_len == 0)
		return -EPROTO; /* cannot happen: a full buffer holds a complete ADU */
	return sd_event_source_set_io_events(c->io, ev ? ev : EPOLLOUT);
}

static int on_conn_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct conn *c = userdata;
	int r = 0;

	(void)s;
	if (revents & (EPOLLERR | EPOLLHUP) && !(revents & EPOLLIN)) {
		conn_free(c);
		return 0;
	}
	if (revents & EPOLLOUT) {
		r = flush_out(c);
		if (r < 0)
			goto close;
		r = process(c); /* requests that waited for room */
		if (r < 0)
			goto close;
	}
	for (int i = 0; i < READS_PER_WAKEUP && (revents & EPOLLIN); i++) {
		ssize_t n;

		if (c->in_len == sizeof(c->in) || c->out_off + c->out_len + ADU_MAX > OUT_MAX)
			break;
		n = recv(fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
		if (n == 0) {
			r = 0;
			goto close; /* peer closed */
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			r = -errno;
			goto close;
		}
		c->in_len += (size_t)n;
		r = process(c);
		if (r < 0)
			goto close;
	}
	r = flush_out(c);
	if (r < 0)
		goto close;
	r = update_events(c);
	if (r < 0)
		goto close;
	return 0;
close:
	if (r == -EPROTO)
		log_debug("modbus-tcp: connection %d: bad MBAP header, closing", fd);
	else if (r < 0 && r != -ECONNRESET && r != -EPIPE)
		log_debug("modbus-tcp: connection %d: %s, closing", fd, strerror(-r));
	conn_free(c);
	return 0;
}

static int on_conn_idle(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct conn *c = userdata;

	(void)s;
	(void)usec;
	log_debug("modbus-tcp: connection %d idle, closing", c->fd);
	conn_free(c);
	return 0;
}

static int conn_new(struct pm_mbtcp *srv, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	int one = 1, r;

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->srv = srv;
	c->fd = fd;
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r = sd_event_add_io(srv->event, &c->io, fd, EPOLLIN, on_conn_io, c);
	if (r >= 0)
		r = sd_event_add_time_relative(srv->event, &c->idle, CLOCK_MONOTONIC,
					       srv->cfg.idle_usec, 0, on_conn_idle, c);
	if (r < 0) {
		conn_free(c);
		return r;
	}
	return 0;
}

static int on_backoff(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct pm_mbtcp *srv = userdata;

	(void)s;
	(void)usec;
	return sd_event_source_set_enabled(srv->listen, SD_EVENT_ON);
}

static int on_listen(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct pm_mbtcp *srv = userdata;

	(void)s;
	(void)revents;
	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM: pause instead of spinning */
			log_warning_errno(-errno, "modbus-tcp: accept");
			sd_event_source_set_enabled(srv->listen, SD_EVENT_OFF);
			sd_event_source_set_time_relative(srv->backoff, ACCEPT_BACKOFF_USEC);
			return sd_event_source_set_enabled(srv->backoff, SD_EVENT_ONESHOT);
		}
		if (srv->nconns >= srv->cfg.max_conn) {
			log_debug("modbus-tcp: %u connections (the cap), refusing one",
				  srv->nconns);
			close(cfd);
			continue;
		}
		if (conn_new(srv, cfd) < 0)
			log_warning("modbus-tcp: cannot set up a connection");
	}
	return 0;
}

static int listen_socket(const struct pm_mbtcp_config *cfg)
{
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	char port[8];
	int fd = -1, one = 1, zero = 0, r;

	snprintf(port, sizeof(port), "%u", cfg->port);
	hints.ai_family = cfg->address ? AF_UNSPEC : AF_INET6;
	r = getaddrinfo(cfg->address, port, &hints, &ai);
	if (r != 0 && !cfg->address) { /* no IPv6: any IPv4 address */
		hints.ai_family = AF_INET;
		r = getaddrinfo(NULL, port, &hints, &ai);
	}
	if (r != 0)
		return -EINVAL;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6 && !cfg->address)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		close(fd);
		goto out;
	}
	r = fd;
out:
	freeaddrinfo(ai);
	return r;
}

int pm_mbtcp_new(sd_event *event, const struct pm_mb_map *map, const struct pm_snapshot *snap,
		 const struct pm_mbtcp_config *cfg, struct pm_mbtcp **out)
{
	struct pm_mbtcp *srv;
	int r, fl;

	if (cfg->max_conn < 1 || cfg->idle_usec < 1000)
		return -EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->fd = -1;
	srv->event = sd_event_ref(event);
	srv->map = map;
	srv->snap = snap;
	srv->cfg = *cfg;
	srv->cfg.address = NULL; /* not kept: the caller's string */
	if (cfg->listen_fd >= 0) {
		r = sd_is_socket(cfg->listen_fd, AF_UNSPEC, SOCK_STREAM, 1);
		if (r <= 0) {
			r = r < 0 ? r : -ENOTSOCK;
			goto fail;
		}
		srv->fd = cfg->listen_fd;
		fl = fcntl(srv->fd, F_GETFL);
		if (fl < 0 || fcntl(srv->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
			r = -errno;
			goto fail;
		}
	} else {
		srv->fd = listen_socket(cfg);
		if (srv->fd < 0) {
			r = srv->fd;
			goto fail;
		}
	}
	r = sd_event_add_io(event, &srv->listen, srv->fd, EPOLLIN, on_listen, srv);
	if (r < 0)
		goto fail;
	r = sd_event_add_time_relative(event, &srv->backoff, CLOCK_MONOTONIC, ACCEPT_BACKOFF_USEC,
				       0, on_backoff, srv);
	if (r < 0)
		goto fail;
	sd_event_source_set_enabled(srv->backoff, SD_EVENT_OFF);
	*out = srv;
	return 0;
fail:
	pm_mbtcp_free(srv);
	return r;
}

struct pm_mbtcp *pm_mbtcp_free(struct pm_mbtcp *srv)
{
	if (!srv)
		return NULL;
	while (srv->conns)
		conn_free(srv->conns);
	sd_event_source_disable_unref(srv->listen);
	sd_event_source_disable_unref(srv->backoff);
	if (srv->fd >= 0)
		close(srv->fd);
	sd_event_unref(srv->event);
	free(srv);
	return NULL;
}

int pm_mbtcp_port(const struct pm_mbtcp *srv)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(srv->fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -EAFNOSUPPORT;
}

unsigned pm_mbtcp_connections(const struct pm_mbtcp *srv)
{
	return srv->nconns;
}

int pm_mbtcp_activated_fd(const char *name)
{
	char **names = NULL;
	int n, found = -ENOENT;

	n = sd_listen_fds_with_names(0, &names);
	if (n <= 0) {
		free(names);
		return n < 0 ? n : -ENOENT;
	}
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;
		bool match =
		    names && (!strcmp(names[i], name) || (n == 1 && !strcmp(names[i], "unknown")));

		if (match && found < 0 && sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) > 0)
			found = fd;
	}
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return found;
}
