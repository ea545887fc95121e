// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterctl watch (polymeterctl-internal.h): the meter again at every PropertiesChanged of
 * its object (its Meter and Account interfaces), until polymeterd or the bus goes away.
 *
 * On a terminal the status is redrawn in place, as top does; into a pipe or a file one line an
 * update (time, power, energies, balance), so a log stays readable; with --json one object an
 * update. polymeterd leaving the bus (NameOwnerChanged with no new owner) ends the watch with a
 * message and exit status 1, rather than waiting forever for signals that cannot come.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "core/billing/civil-time.h"
#include "core/billing/money.h"
#include "ctl/polymeterctl-account.h"
#include "ctl/polymeterctl-internal.h"
#include "views/dbus/bus.h"

struct watch {
	const char *meter;
	bool tty;
	bool shown; /* the first reading was taken */
	int end;    /* < 0: stop with this error (printed) */
};

/* One plain line: time, power, the energies in kWh and, with an account, the balance. */
static void print_line(sd_bus *bus, const char *meter, const struct meter_props *m)
{
	uint64_t us = ctl_prop_u64(m, "LastUpdate");
	uint64_t imp = ctl_prop_u64(m, "EnergyImport"), exp = ctl_prop_u64(m, "EnergyExport");
	int64_t net = (int64_t)imp - (int64_t)exp;
	uint64_t anet = net < 0 ? -(uint64_t)net : (uint64_t)net;
	struct account_props a;
	char when[32] = "no-sample-yet", bal[40];

	if (us && us <= INT64_MAX / 1000)
		pm_civil_format_utc((int64_t)(us * 1000), when, sizeof(when));
	printf("%s %s P %.1f W import %llu.%03llu kWh export %llu.%03llu kWh net %s%llu.%03llu kWh",
	       when, meter, ctl_prop_double(m, "Power"), (unsigned long long)(imp / 1000),
	       (unsigned long long)(imp % 1000), (unsigned long long)(exp / 1000),
	       (unsigned long long)(exp % 1000), net < 0 ? "-" : "",
	       (unsigned long long)(anet / 1000), (unsigned long long)(anet % 1000));
	if (ctl_read_account_quiet(bus, meter, &a))
		printf(" balance %s%s supply %s", pm_money_format(a.balance, bal, sizeof(bal)),
		       a.unit, a.state);
	putchar('\n');
	fflush(stdout);
}

/* polymeterd left the bus (NameOwnerChanged, or found so by an update's call): the watch ends. */
static void daemon_left(struct watch *w)
{
	fprintf(stderr, "polymeterctl: polymeterd stopped (%s left the %s bus): watch ends\n",
		PM_BUS_NAME, ctl_user ? "session" : "system");
	w->end = -ESHUTDOWN;
}

static int show(sd_bus *bus, struct watch *w)
{
	struct meter_props m;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	if (!w->shown) {
		/* the first reading: an absent daemon is explained as for any command */
		r = ctl_get_meter_props(bus, w->meter, &m);
	} else {
		/* an update: the daemon may have left between its signal and this call, before
		 * its NameOwnerChanged was read; that is the end of the watch, not an error */
		r = ctl_get_meter_props_quiet(bus, w->meter, &m, &error);
		if (r < 0 && ctl_daemon_absent(&error)) {
			sd_bus_error_free(&error);
			daemon_left(w);
			return w->end;
		}
		if (r < 0)
			r = ctl_call_error(w->meter, &error, r);
		sd_bus_error_free(&error);
	}
	w->shown = true;
	if (r < 0) {
		w->end = r; /* printed: the daemon went away, or the meter did */
		return r;
	}
	if (ctl_json) {
		ctl_print_status(bus, w->meter, &m);
	} else if (w->tty) {
		/* home and clear to the end: redrawn where it was, as top */
		fputs("\033[H\033[J", stdout);
		printf("polymeterctl watch: meter %s, live (Ctrl-C to stop)\n\n", w->meter);
		ctl_print_status(bus, w->meter, &m);
	} else {
		print_line(bus, w->meter, &m);
	}
	return 0;
}

static int on_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	(void)error;
	show(sd_bus_message_get_bus(msg), userdata);
	return 0;
}

static int on_owner(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct watch *w = userdata;
	const char *name, *old_owner, *new_owner;

	(void)error;
	if (sd_bus_message_read(msg, "sss", &name, &old_owner, &new_owner) < 0)
		return 0;
	if (strcmp(name, PM_BUS_NAME) || *new_owner || w->end < 0)
		return 0;
	daemon_left(w);
	return 0;
}

int ctl_watch(sd_bus *bus, const char *meter)
{
	struct watch w = {.meter = meter, .tty = isatty(STDOUT_FILENO)};
	char match[512];
	int r;

	snprintf(match, sizeof(match),
		 "type='signal',sender='%s',path='%s/%s',interface='org.freedesktop.DBus."
		 "Properties',member='PropertiesChanged'",
		 PM_BUS_NAME, PM_BUS_ROOT, meter);
	r = sd_bus_add_match(bus, NULL, match, on_changed, &w);
	if (r >= 0)
		r = sd_bus_add_match(bus, NULL,
				     "type='signal',sender='org.freedesktop.DBus',path='/org/"
				     "freedesktop/DBus',interface='org.freedesktop.DBus',member="
				     "'NameOwnerChanged',arg0='" PM_BUS_NAME "'",
				     on_owner, &w);
	if (r < 0) {
		fprintf(stderr, "polymeterctl: cannot watch the bus: %s\n", strerror(-r));
		return r;
	}
	/* matches first: a daemon leaving from now on is seen */
	r = show(bus, &w);
	while (r >= 0 && w.end >= 0) {
		r = sd_bus_process(bus, NULL);
		if (r > 0 || r < 0)
			continue;
		r = sd_bus_wait(bus, UINT64_MAX);
	}
	if (r < 0 && w.end >= 0)
		fprintf(stderr, "polymeterctl: the %s bus went away (%s): watch ends\n",
			ctl_user ? "session" : "system", strerror(-r));
	return r < 0 ? r : w.end;
}
