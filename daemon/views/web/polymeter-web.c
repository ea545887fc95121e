// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeter-web: the gateway's local status page (docs/web.md). A separate, unprivileged
 * process, a D-Bus client of polymeterd like polymeterctl, so the page adds no privilege and no
 * code to the metering daemon: it reads what anyone may read on the bus and serves it, with the
 * front end, over HTTP on loopback unless configured otherwise. One thread, one sd-event loop.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "common/log.h"
#include "common/version.h"
#include "views/web/web-bus.h"
#include "views/web/web-conf.h"
#include "views/web/web-http.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: polymeter-web [OPTIONS]\n"
		"The local status page of polymeterd: live values, energy, load profile, events,\n"
		"account, read over D-Bus and served over HTTP (docs/web.md).\n\n"
		"  --config FILE        settings ([web] section; default %s if it exists)\n"
		"  --address ADDR       numeric address to listen on (default 127.0.0.1)\n"
		"  --port N             TCP port (default 8080; 0: any free one)\n"
		"  --root DIR           the built front end (default /usr/share/polymeter/web)\n"
		"  --max-connections N  connections at once (default 64)\n"
		"  --timeout S          idle connections are closed after S seconds (default 30)\n"
		"  --user               the session bus instead of the system bus\n"
		"  --version, --help\n",
		WEB_CONF_DEFAULT);
}

/* The options' names are the file's keys, so one setter checks both. */
static int parse_args(int argc, char **argv, struct web_conf *c)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"address", required_argument, NULL, 'a'},
	    {"port", required_argument, NULL, 'p'},
	    {"root", required_argument, NULL, 'r'},
	    {"max-connections", required_argument, NULL, 'm'},
	    {"timeout", required_argument, NULL, 't'},
	    {"user", no_argument, NULL, 'u'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *config = NULL;
	int o, r;

	/* the file first, wherever --config stands; then the other options over it */
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (o == 'c')
			config = optarg;
		else if (o == '?')
			return -EINVAL;
	r = web_conf_load(c, config ? config : WEB_CONF_DEFAULT, config != NULL);
	if (r < 0 && r != -ENOENT)
		return r;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char *key = NULL;
		char err[320];

		switch (o) {
		case 'a':
			key = "address";
			break;
		case 'p':
			key = "port";
			break;
		case 'r':
			key = "root";
			break;
		case 'm':
			key = "max_connections";
			break;
		case 't':
			key = "timeout";
			break;
		case 'u':
			c->user_bus = true;
			break;
		case 'V':
			printf("polymeter-web %s\n", PM_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		}
		if (key && web_conf_set(c, key, optarg, err, sizeof(err)) < 0) {
			fprintf(stderr, "polymeter-web: %s\n", err);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "polymeter-web: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static int on_signal(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata)
{
	(void)si;
	(void)userdata;
	return sd_event_exit(sd_event_source_get_event(es), 0);
}

int main(int argc, char **argv)
{
	struct web_conf conf;
	sd_event *event = NULL;
	struct web_bus *bus = NULL;
	struct web_http *http = NULL;
	sigset_t mask;
	uint16_t port;
	int r;

	web_conf_defaults(&conf);
	if (parse_args(argc, argv, &conf) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN); /* a client gone mid-answer is an error on its socket only */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_default(&event);
	if (r >= 0)
		r = sd_event_add_signal(event, NULL, SIGTERM, on_signal, NULL);
	if (r >= 0)
		r = sd_event_add_signal(event, NULL, SIGINT, on_signal, NULL);
	if (r < 0) {
		log_error("event loop: %s", strerror(-r));
		goto out;
	}
	r = web_bus_new(event, conf.user_bus, &bus);
	if (r < 0)
		goto out;
	r = web_http_new(event, &conf.http, bus, &port, &http);
	if (r < 0)
		goto out;
	log_info("polymeter-web %s: serving http://%s%s%s:%u/ (polymeterd on the %s bus)",
		 PM_VERSION, strchr(conf.address, ':') ? "[" : "", conf.address,
		 strchr(conf.address, ':') ? "]" : "", port, conf.user_bus ? "session" : "system");
	sd_notify(0, "READY=1");
	r = sd_event_loop(event);
	sd_notify(0, "STOPPING=1");
out:
	web_http_free(http);
	web_bus_free(bus);
	sd_event_unref(event);
	return r < 0 ? 1 : 0;
}
