// SPDX-License-Identifier: GPL-2.0-only
/* A TCP server for a request/answer protocol framed on a byte stream (see stream-server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "views/net/stream-server.h"

/*
 * The connections' sockets are in one epoll set of our own (level-triggered), which sd-event
 * watches as one fd: a wakeup serves every ready connection from one epoll_wait, instead of
 * sd-event's one epoll_wait per dispatched source (at 64 busy masters the kernel re-reported
 * every ready socket per request: 36 % of the server's CPU). Fairness is per wakeup: a ready
 * connection gets at most READS_PER_WAKEUP reads, then the others run; what it has left keeps
 * its socket ready, so the next wakeup (after sd-event's other sources) serves it again.
 */
#define READS_PER_WAKEUP 4
/* More ready than this: the rest in the next wakeup (epoll hands level-triggered ones out
 * round robin). */
#define READY_PER_WAKEUP 64
#define ACCEPTS_PER_WAKEUP 16
#define ACCEPT_BACKOFF_USEC 100000 /* out of fds: stop accepting for a moment */
/*
 * At the cap, a connection active this recently is never evicted: a master that just connected
 * and is about to send, or one mid-conversation, is not cut off by the next newcomer (which is
 * refused instead). Hostile sockets age past it within a second and become evictable.
 */
#define EVICT_GRACE_USEC 1000000ULL

struct conn {
	struct pm_stream_server *srv;
	void *state; /* the protocol's */
	struct conn *prev, *next;
	int fd;
	uint32_t events;	/* what the connections' epoll set watches for */
	sd_event_source *timer; /* the idle or the header timeout, whichever comes first */
	uint64_t timer_at;	/* when it is armed for: at or before the deadline (lazily moved) */
	uint64_t last_done;	/* accepted, or its last request answered: idle time and eviction */
	uint64_t req_start; /* a request began arriving (accept, for a new connection); 0 = none */
	bool served;	    /* answered at least one request */
	bool draining;	    /* no more input (peer closed, framing lost): answer, flush, close */
	bool lost;	    /* the framing was lost (for the log) */
	bool closing;	    /* the protocol asked to close after its answer */
	size_t in_len;
	size_t out_off, out_len;
	uint8_t *in;  /* proto->frame_max */
	uint8_t *out; /* proto->out_max */
};

struct pm_stream_server {
	sd_event *event;
	const struct pm_stream_protocol *proto;
	void *data;
	struct pm_stream_config cfg;
	int fd;
	int epfd; /* the connections' epoll set */
	sd_event_source *listen;
	sd_event_source *ready; /* the epoll set has ready connections */
	sd_event_source *backoff;
	struct conn *conns;
	unsigned nconns;
};

static uint64_t now_usec(const struct pm_stream_server *srv)
{
	uint64_t now = 0;

	(void)sd_event_now(srv->event, CLOCK_MONOTONIC, &now);
	return now;
}

static void conn_free(struct conn *c)
{
	struct pm_stream_server *srv = c->srv;

	sd_event_source_disable_unref(c->timer);
	if (c->fd >= 0) {
		(void)epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	if (c->state)
		srv->proto->close(srv->data, c->state);
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconns--;
	free(c->in);
	free(c->out);
	free(c);
}

static bool out_has_room(const struct conn *c)
{
	return c->out_off + c->out_len + c->srv->proto->answer_max <= c->srv->proto->out_max;
}

/* Answers one complete request into the output buffer. */
static void answer(struct conn *c, const uint8_t *req, size_t len)
{
	struct pm_stream_server *srv = c->srv;
	bool close_after = false;

	c->out_len += srv->proto->answer(srv->data, c->state, req, len,
					 c->out + c->out_off + c->out_len, &close_after);
	if (close_after) {
		c->draining = true;
		c->closing = true;
	}
}

/*
 * Answers every complete request at the head of the input, in order, while the output has
 * room for an answer; the rest waits for the client to read. A bad header stops the reading:
 * what came before it is still answered, then the connection closes (conn_done()).
 */
static void process(struct conn *c)
{
	size_t done = 0, len = 0;
	enum pm_stream_head h = PM_STREAM_EMPTY;

	while (!c->closing && (h = c->srv->proto->head(c->srv->data, c->in + done, c->in_len - done,
						       &len)) == PM_STREAM_COMPLETE) {
		if (!out_has_room(c)) {
			if (c->out_off == 0)
				break; /* full: wait until the client reads */
			memmove(c->out, c->out + c->out_off, c->out_len);
			c->out_off = 0;
			continue;
		}
		answer(c, c->in + done, len);
		done += len;
	}
	if (done) {
		memmove(c->in, c->in + done, c->in_len - done);
		c->in_len -= done;
		c->served = true;
		c->last_done = now_usec(c->srv);
		c->req_start = 0;
	}
	if (h == PM_STREAM_PARTIAL && !c->req_start)
		c->req_start = now_usec(c->srv); /* the next request began arriving */
	else if (h == PM_STREAM_COMPLETE && c->served)
		c->req_start = 0; /* complete, waiting for the client to read: the idle timeout's */
	if (h == PM_STREAM_BAD && !c->draining) {
		c->draining = true;
		c->lost = true;
	}
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

/*
 * Answers and sends until nothing moves: answers sent make room for the requests that waited
 * in the input (pipelined in one segment), and those must not wait for more input. Returns 0
 * or a negative errno (connection gone).
 */
static int pump(struct conn *c)
{
	for (;;) {
		size_t before = c->in_len;
		int r;

		process(c);
		r = flush_out(c);
		if (r < 0)
			return r;
		if (c->in_len == before || c->out_len > 0)
			return 0; /* nothing answered, or the client must read first */
	}
}

/* Reads into the input buffer: >0 bytes read, 0 nothing to read now, -EPIPE the peer closed
 * its side, or a negative errno. */
static ssize_t read_in(struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->in_len, c->srv->proto->frame_max - c->in_len, 0);

		if (n > 0) {
			c->in_len += (size_t)n;
			return n;
		}
		if (n == 0)
			return -EPIPE;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* Reading is wanted while neither buffer is full and more input may come (back-pressure). */
static bool wants_input(const struct conn *c)
{
	return !c->draining && c->in_len < c->srv->proto->frame_max && out_has_room(c);
}

/*
 * The connection's next deadline: no answered request for the idle timeout, or a request (the
 * first one: from accept) not complete within the header timeout, while we read (when we do
 * not, for back-pressure, the rest of the request may wait in our own socket buffer).
 */
static uint64_t conn_deadline(const struct conn *c)
{
	uint64_t d = c->last_done + c->srv->cfg.idle_usec;

	if (c->req_start && wants_input(c) && c->req_start + c->srv->cfg.header_usec < d)
		d = c->req_start + c->srv->cfg.header_usec;
	return d;
}

static int timer_arm(struct conn *c, uint64_t at)
{
	int r = sd_event_source_set_time(c->timer, at);

	if (r < 0)
		return r;
	c->timer_at = at;
	return sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
}

/*
 * Moves the timer only when the deadline came earlier than the timer is armed for (a request
 * began arriving: the header timeout). A later deadline (a request answered: the idle timeout
 * restarts) leaves it where it is; when it fires early, on_conn_timer() re-arms it. One
 * sd-event timer update per timeout instead of one per request.
 */
static int timer_update(struct conn *c)
{
	uint64_t d = conn_deadline(c);

	return d < c->timer_at ? timer_arm(c, d) : 0;
}

/* The connections' epoll set watches @c for @events (EPOLLIN, EPOLLOUT or none). */
static int watch(struct conn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (events == c->events)
		return 0;
	if (epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		return -errno;
	c->events = events;
	return 0;
}

/* True when a draining connection has nothing left to answer or to send. */
static bool conn_done(const struct conn *c)
{
	size_t len;

	return c->draining && c->out_len == 0 &&
	       (c->closing ||
		c->srv->proto->head(c->srv->data, c->in, c->in_len, &len) != PM_STREAM_COMPLETE);
}

/* One ready connection, in a wakeup of the connections' epoll set. */
static void conn_io(struct conn *c, uint32_t revents)
{
	int fd = c->fd, r = 0;

	if (revents & (EPOLLERR | EPOLLHUP) && !(revents & EPOLLIN)) {
		conn_free(c);
		return;
	}
	for (int i = 0; i < READS_PER_WAKEUP; i++) {
		size_t space;
		ssize_t n;

		r = pump(c);
		if (r < 0)
			goto close;
		if (!wants_input(c))
			break;
		space = c->srv->proto->frame_max - c->in_len;
		n = read_in(c);
		if (n == -EPIPE) {
			c->draining = true; /* answer what is complete, then close */
			continue;
		}
		if (n < 0) {
			r = (int)n;
			goto close;
		}
		if (n == 0)
			break;
		if ((size_t)n < space)
			break; /* drained (no need for the recv that says so): epoll wakes us */
	}
	r = pump(c);
	if (r < 0)
		goto close;
	if (conn_done(c)) {
		r = c->lost ? -EPROTO : 0;
		goto close;
	}
	r = watch(c, (c->out_len ? EPOLLOUT : 0) | (wants_input(c) ? EPOLLIN : 0));
	if (r >= 0)
		r = timer_update(c);
	if (r < 0)
		goto close;
	return;
close:
	if (r == -EPROTO)
		log_debug("%s: connection %d: framing lost, closing", c->srv->proto->name, fd);
	else if (r < 0 && r != -ECONNRESET && r != -EPIPE)
		log_debug("%s: connection %d: %s, closing", c->srv->proto->name, fd, strerror(-r));
	conn_free(c);
}

/* Serves the ready connections: one epoll_wait, each connection at most READS_PER_WAKEUP. */
static int on_ready(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct epoll_event ev[READY_PER_WAKEUP];
	int n;

	(void)s;
	(void)revents;
	(void)userdata;
	n = epoll_wait(fd, ev, READY_PER_WAKEUP, 0);
	/* each connection is reported once and frees nothing but itself */
	for (int i = 0; i < n; i++)
		conn_io(ev[i].data.ptr, ev[i].events);
	return 0;
}

static int on_conn_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct conn *c = userdata;
	uint64_t now = now_usec(c->srv), d = conn_deadline(c);

	(void)s;
	(void)usec;
	if (now < d && timer_arm(c, d) >= 0)
		return 0; /* armed for an earlier deadline that has moved on since */
	log_debug("%s: connection %d: %s, closing", c->srv->proto->name, c->fd,
		  now >= c->last_done + c->srv->cfg.idle_usec ? "idle"
							      : "request not complete in time");
	conn_free(c);
	return 0;
}

static int conn_new(struct pm_stream_server *srv, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct epoll_event ev = {.events = EPOLLIN};
	int one = 1, r;

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->srv = srv;
	c->fd = fd;
	c->in = malloc(srv->proto->frame_max);
	c->out = malloc(srv->proto->out_max);
	c->last_done = c->req_start = now_usec(srv);
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	if (!c->in || !c->out) {
		conn_free(c);
		return -ENOMEM;
	}
	if (srv->proto->open) {
		r = srv->proto->open(srv->data, &c->state);
		if (r < 0) {
			conn_free(c);
			return r;
		}
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->timer_at = conn_deadline(c);
	r = sd_event_add_time(srv->event, &c->timer, CLOCK_MONOTONIC, c->timer_at, 0, on_conn_timer,
			      c);
	ev.data.ptr = c;
	if (r >= 0 && epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		r = -errno;
	else
		c->events = EPOLLIN;
	if (r < 0) {
		conn_free(c);
		return r;
	}
	return 0;
}

/*
 * At the cap, the connection a newcomer replaces: the longest-idle one that never completed a
 * request, or, when every connection has, the longest-idle one; never one active within the
 * grace. NULL: the newcomer is refused.
 */
static struct conn *eviction_victim(const struct pm_stream_server *srv, uint64_t now)
{
	struct conn *silent = NULL, *any = NULL;
	bool all_served = true;

	/* the list is newest first: "<=" makes the oldest win a tie (accepted in one wakeup) */
	for (struct conn *c = srv->conns; c; c = c->next) {
		all_served &= c->served;
		if (now < c->last_done + EVICT_GRACE_USEC)
			continue;
		if (!c->served && (!silent || c->last_done <= silent->last_done))
			silent = c;
		if (!any || c->last_done <= any->last_done)
			any = c;
	}
	if (silent)
		return silent;
	return all_served ? any : NULL;
}

static int on_backoff(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct pm_stream_server *srv = userdata;

	(void)s;
	(void)usec;
	return sd_event_source_set_enabled(srv->listen, SD_EVENT_ON);
}

static int on_listen(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct pm_stream_server *srv = userdata;

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
			log_warning_errno(-errno, "%s: accept", srv->proto->name);
			sd_event_source_set_enabled(srv->listen, SD_EVENT_OFF);
			sd_event_source_set_time_relative(srv->backoff, ACCEPT_BACKOFF_USEC);
			return sd_event_source_set_enabled(srv->backoff, SD_EVENT_ONESHOT);
		}
		if (srv->nconns >= srv->cfg.max_conn) {
			struct conn *v = eviction_victim(srv, now_usec(srv));

			if (!v) {
				log_debug("%s: %u connections (the cap), all active: "
					  "refusing a new one",
					  srv->proto->name, srv->nconns);
				close(cfd);
				continue;
			}
			log_debug("%s: %u connections (the cap): closing connection %d "
				  "(%s, idle %" PRIu64 " ms) for a new one",
				  srv->proto->name, srv->nconns, v->fd,
				  v->served ? "served" : "never completed a request",
				  (now_usec(srv) - v->last_done) / 1000);
			conn_free(v);
		}
		if (conn_new(srv, cfd) < 0)
			log_warning("%s: cannot set up a connection", srv->proto->name);
	}
	return 0;
}

/*
 * A numeric IPv4 or IPv6 address (inet_pton: no host names, no shorthand such as "127.1"),
 * or NULL for any. Returns 0 or -EINVAL.
 */
static int bind_address(const char *address, uint16_t port, struct sockaddr_storage *ss,
			socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (!address || inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	if (inet_pton(AF_INET, address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return 0;
	}
	return -EINVAL;
}

int pm_stream_check_address(const char *address)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return address ? bind_address(address, 0, &ss, &len) : 0;
}

static int listen_socket(const struct pm_stream_config *cfg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, r;

	r = bind_address(cfg->address, cfg->port, &ss, &len);
	if (r < 0)
		return r;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && !cfg->address && errno == EAFNOSUPPORT) { /* no IPv6: any IPv4 address */
		struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;

		memset(&ss, 0, sizeof(ss));
		in4->sin_family = AF_INET;
		in4->sin_port = htons(cfg->port);
		len = sizeof(*in4);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/*
	 * No address: one socket for both families (v6only off). An IPv6 address given: that
	 * address only, so "::" means every IPv6 address and not IPv4 too (say "0.0.0.0" or omit
	 * the address for those).
	 */
	if (ss.ss_family == AF_INET6) {
		int v6only = cfg->address != NULL;

		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int pm_stream_server_new(sd_event *event, const struct pm_stream_protocol *proto, void *data,
			 const struct pm_stream_config *cfg, struct pm_stream_server **out)
{
	struct pm_stream_server *srv;
	int r, fl;

	if (cfg->max_conn < 1 || cfg->idle_usec < 1000 || cfg->header_usec < 1000 ||
	    proto->out_max < proto->answer_max || pm_stream_check_address(cfg->address) < 0)
		return -EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->fd = -1;
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->epfd < 0) {
		r = -errno;
		free(srv);
		return r;
	}
	srv->event = sd_event_ref(event);
	srv->proto = proto;
	srv->data = data;
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
	r = sd_event_add_io(event, &srv->ready, srv->epfd, EPOLLIN, on_ready, srv);
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
	pm_stream_server_free(srv);
	return r;
}

struct pm_stream_server *pm_stream_server_free(struct pm_stream_server *srv)
{
	if (!srv)
		return NULL;
	while (srv->conns)
		conn_free(srv->conns);
	sd_event_source_disable_unref(srv->listen);
	sd_event_source_disable_unref(srv->ready);
	sd_event_source_disable_unref(srv->backoff);
	if (srv->fd >= 0)
		close(srv->fd);
	close(srv->epfd);
	sd_event_unref(srv->event);
	free(srv);
	return NULL;
}

int pm_stream_server_port(const struct pm_stream_server *srv)
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

unsigned pm_stream_server_connections(const struct pm_stream_server *srv)
{
	return srv->nconns;
}

int pm_stream_activated_fd(const char *name)
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
