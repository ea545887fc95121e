// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <microhttpd.h>

#include "common/log.h"
#include "views/web/web-api.h"
#include "views/web/web-files.h"
#include "views/web/web-http.h"

/* Query parameters taken per request; the API has at most two. */
#define WEB_PARAMS_MAX 8

struct web_http {
	struct MHD_Daemon *d;
	sd_event_source *io, *timer;
	struct web_bus *bus;
	struct web_files files;
	/* a connection closed during the last run: libmicrohttpd takes new ones again (below
	 * max_connections) only at the start of its next run */
	bool closed;
};

/* What a request carried that the access handler learns over several calls. */
struct request {
	bool body; /* the request carried a body, which no GET or HEAD here takes */
};

struct params {
	const char *keys[WEB_PARAMS_MAX], *values[WEB_PARAMS_MAX];
	size_t n;
	bool too_many;
};

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct params *p = cls;

	(void)kind;
	if (p->n == WEB_PARAMS_MAX) {
		p->too_many = true;
		return MHD_NO;
	}
	p->keys[p->n] = key;
	p->values[p->n++] = value;
	return MHD_YES;
}

/* Queues @body (copied) with the headers every answer carries. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const void *body, size_t len, bool api)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	/* the page loads nothing from elsewhere (gateways are often offline), and may not be
	 * framed; the API's values are live, never cached */
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; style-src 'self' 'unsafe-inline'; "
				"img-src 'self' data:; frame-ancestors 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, api ? "no-store" : "no-cache");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	char body[320];
	int n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}", msg);

	return reply(c, status, "application/json", body, (size_t)n, true);
}

static enum MHD_Result answer_api(struct web_http *h, struct MHD_Connection *c, const char *url)
{
	struct params p = {0};
	struct web_answer a = {0};
	enum MHD_Result ret;

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_param, &p);
	if (p.too_many)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "too many parameters");
	if (web_api_answer(h->bus, url, p.keys, p.values, p.n, &a) < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	ret = reply(c, a.status, "application/json", a.body, a.len, true);
	free(a.body);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct web_http *h = cls;
	struct request *req = *state;
	const struct web_file *f;

	(void)version;
	(void)upload;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				   "read-only: only GET and HEAD are served");
	if (!req) { /* the headers are in; a body, if any, comes in the next calls */
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		*state = req;
		return MHD_YES;
	}
	if (*upload_size) {
		req->body = true;
		*upload_size = 0; /* read and dropped: nothing here takes a body */
		return MHD_YES;
	}
	if (req->body)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "a GET or HEAD carries no body");
	if (!strncmp(url, "/api/", 5))
		return answer_api(h, c, url);
	f = web_files_find(&h->files, strcmp(url, "/") ? url : "/index.html");
	if (!f)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such page");
	return reply(c, MHD_HTTP_OK, f->type, f->data, f->len, false);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*state);
	*state = NULL;
}

/* At the cap a connection's close frees a place, but libmicrohttpd puts its listening socket
 * back in its epoll set only when it runs next; until then nothing wakes it, and a client
 * waiting in the backlog would wait for an unrelated event (tests/web: the 5th of 4). */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct web_http *h = cls;

	(void)c;
	(void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		h->closed = true;
}

/* After every run: the next time libmicrohttpd needs to run without a socket event (a
 * connection's timeout, or work it has buffered; at once after a close, see above). */
static void rearm(struct web_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;
	uint64_t now;

	if (h->closed) {
		h->closed = false;
		ms = 0;
	} else if (MHD_get_timeout(h->d, &ms) != MHD_YES) {
		sd_event_source_set_enabled(h->timer, SD_EVENT_OFF);
		return;
	}
	sd_event_now(sd_event_source_get_event(h->timer), CLOCK_MONOTONIC, &now);
	sd_event_source_set_time(h->timer, now + ms * 1000);
	sd_event_source_set_enabled(h->timer, SD_EVENT_ONESHOT);
}

static int on_io(sd_event_source *es, int fd, uint32_t revents, void *userdata)
{
	struct web_http *h = userdata;

	(void)es;
	(void)fd;
	(void)revents;
	MHD_run(h->d);
	rearm(h);
	return 0;
}

static int on_timer(sd_event_source *es, uint64_t usec, void *userdata)
{
	(void)es;
	(void)usec;
	return on_io(NULL, -1, 0, userdata);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_info("http: %s", msg);
}

int web_http_new(sd_event *event, const struct web_http_conf *conf, struct web_bus *bus,
		 uint16_t *port, struct web_http **out)
{
	struct web_http *h = calloc(1, sizeof(*h));
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(conf->port)};
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(conf->port)};
	const struct sockaddr *sa = (const struct sockaddr *)&a4;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	char err[512];
	int r;

	if (!h)
		return -ENOMEM;
	h->bus = bus;
	if (inet_pton(AF_INET, conf->address, &a4.sin_addr) != 1) {
		if (inet_pton(AF_INET6, conf->address, &a6.sin6_addr) != 1) {
			log_error("address '%s' is not a numeric IPv4 or IPv6 address",
				  conf->address);
			r = -EINVAL;
			goto fail;
		}
		sa = (const struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	}
	r = web_files_load(conf->root, &h->files, err, sizeof(err));
	if (r < 0) {
		log_error("%s", err);
		goto fail;
	}
	h->d = MHD_start_daemon(
	    flags, conf->port, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,
	    MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_CONNECTION_LIMIT, conf->max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, conf->timeout_s, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, h, MHD_OPTION_NOTIFY_CONNECTION, on_connection, h, MHD_OPTION_END);
	if (!h->d) {
		r = -EADDRNOTAVAIL;
		log_error("cannot listen on %s port %u (in use, or not an address of this host)",
			  conf->address, conf->port);
		goto fail;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	r = info ? sd_event_add_io(event, &h->io, info->epoll_fd, EPOLLIN, on_io, h) : -EIO;
	if (r >= 0)
		r = sd_event_add_time(event, &h->timer, CLOCK_MONOTONIC, 0, 0, on_timer, h);
	if (r < 0) {
		log_error("HTTP server setup failed: %s", strerror(-r));
		goto fail;
	}
	rearm(h);
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : conf->port;
	*out = h;
	return 0;
fail:
	web_http_free(h);
	return r;
}

void web_http_free(struct web_http *h)
{
	if (!h)
		return;
	sd_event_source_disable_unref(h->io);
	sd_event_source_disable_unref(h->timer);
	if (h->d)
		MHD_stop_daemon(h->d);
	web_files_free(&h->files);
	free(h);
}
