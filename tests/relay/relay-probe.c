// SPDX-License-Identifier: GPL-2.0-only
/*
 * relay-probe: daemon/supply/relay.c on real GPIO lines, driven line by line from stdin, for the VM
 * test (tests/vm/cases/relay) and for checking a board's wiring.
 *
 *   relay-probe [--contactor SPEC] [--contactor-low] [--aux SPEC] [--aux-low]
 *               [--button SPEC] [--button-low] [--debounce MS]
 *
 * SPEC is CHIP:OFFSET or a line name (as the contactor_gpio key). Commands on stdin, one per
 * line, each answered by one line on stdout:
 *   contactor 0|1, aux 0|1   pm_relay_set()       -> "ok" or "error <reason>"
 *   state                    the outputs as set   -> "contactor N aux N button N presses N"
 *   quit
 * Every call of the button callback prints "press N" (N counts them). Errors of pm_relay_new
 * go to stderr (the daemon's log) and the exit status is 1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "supply/relay.h"

struct probe {
	struct pm_relay *relay;
	sd_event *ev;
	unsigned presses;
	char buf[256];
	size_t len;
};

static void on_button(void *userdata)
{
	struct probe *p = userdata;

	printf("press %u\n", ++p->presses);
	fflush(stdout);
}

static void command(struct probe *p, char *line)
{
	char what[16];
	int v, r;

	if (strcmp(line, "quit") == 0) {
		sd_event_exit(p->ev, 0);
		return;
	}
	if (strcmp(line, "state") == 0) {
		printf("contactor %d aux %d button %d presses %u\n",
		       pm_relay_get(p->relay, PM_RELAY_CONTACTOR),
		       pm_relay_get(p->relay, PM_RELAY_AUX), pm_relay_button_pressed(p->relay),
		       p->presses);
	} else if (sscanf(line, "%15s %d", what, &v) == 2 && (v == 0 || v == 1) &&
		   (strcmp(what, "contactor") == 0 || strcmp(what, "aux") == 0)) {
		r = pm_relay_set(p->relay,
				 strcmp(what, "aux") == 0 ? PM_RELAY_AUX : PM_RELAY_CONTACTOR, v);
		if (r < 0)
			printf("error %s\n", strerror(-r));
		else
			printf("ok\n");
	} else {
		printf("error unknown command '%s'\n", line);
	}
	fflush(stdout);
}

static int on_stdin(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct probe *p = userdata;
	ssize_t n = read(fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
	char *nl;

	(void)s;
	(void)revents;
	if (n <= 0)
		return sd_event_exit(p->ev, 0); /* end of input */
	p->len += (size_t)n;
	p->buf[p->len] = '\0';
	while ((nl = strchr(p->buf, '\n'))) {
		*nl = '\0';
		command(p, p->buf);
		p->len -= (size_t)(nl + 1 - p->buf);
		memmove(p->buf, nl + 1, p->len + 1);
	}
	if (p->len == sizeof(p->buf) - 1)
		p->len = 0; /* an overlong line: dropped */
	return 0;
}

static int set_spec(struct pm_relay_line *l, const char *spec)
{
	if (strlen(spec) >= sizeof(l->spec))
		return -1;
	strcpy(l->spec, spec);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"contactor", required_argument, NULL, 'c'}, {"contactor-low", no_argument, NULL, 'C'},
	    {"aux", required_argument, NULL, 'a'},	 {"aux-low", no_argument, NULL, 'A'},
	    {"button", required_argument, NULL, 'b'},	 {"button-low", no_argument, NULL, 'B'},
	    {"debounce", required_argument, NULL, 'd'},	 {NULL, 0, NULL, 0},
	};
	struct pm_relay_config cfg;
	struct probe p = {0};
	int o, r = 0;

	pm_relay_config_defaults(&cfg);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			r |= set_spec(&cfg.contactor, optarg);
			break;
		case 'C':
			cfg.contactor.active_low = true;
			break;
		case 'a':
			r |= set_spec(&cfg.aux, optarg);
			break;
		case 'A':
			cfg.aux.active_low = true;
			break;
		case 'b':
			r |= set_spec(&cfg.button, optarg);
			break;
		case 'B':
			cfg.button.active_low = true;
			break;
		case 'd':
			cfg.debounce_ms = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (r || optind != argc) {
		fprintf(stderr, "usage: see the head of tests/relay/relay-probe.c\n");
		return 2;
	}
	if (sd_event_default(&p.ev) < 0)
		return 1;
	r = pm_relay_new(p.ev, &cfg, on_button, &p, &p.relay);
	if (r < 0) {
		sd_event_unref(p.ev);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	r = sd_event_add_io(p.ev, NULL, STDIN_FILENO, EPOLLIN, on_stdin, &p);
	if (r >= 0)
		r = sd_event_loop(p.ev);
	pm_relay_free(p.relay);
	sd_event_unref(p.ev);
	return r < 0 ? 1 : 0;
}
