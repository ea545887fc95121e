/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * polymeter-web's HTTP side: libmicrohttpd driven from the sd-event loop (its epoll fd and its
 * timeout), so the page's requests, the D-Bus copy and the timers share one thread and no
 * locks. libmicrohttpd keeps each connection's state and writes non-blocking: a client that
 * reads slowly holds its own buffer, not the loop; connections are capped and idle ones time
 * out. Serves the front end's files (read once, at start) and the JSON API (web-api.h).
 * GET and HEAD only: anything else is a 405, a request with a body a 400, an unknown path a 404.
 */
#ifndef POLYMETER_WEB_HTTP_H
#define POLYMETER_WEB_HTTP_H

#include <stdint.h>

#include <systemd/sd-event.h>

#include "views/web/web-bus.h"

struct web_http_conf {
	const char *address;	  /* numeric IPv4 or IPv6 address to listen on */
	uint16_t port;		  /* 0: one the kernel picks (tests) */
	const char *root;	  /* the built front end: index.html, assets/ */
	unsigned max_connections; /* at once; more wait in the listen backlog */
	unsigned timeout_s;	  /* an idle connection is closed after this */
};

struct web_http;

/* Reads the front end and listens; *port gets the port bound. 0 or a negative errno (logged). */
int web_http_new(sd_event *event, const struct web_http_conf *conf, struct web_bus *bus,
		 uint16_t *port, struct web_http **out);
void web_http_free(struct web_http *h);

#endif
