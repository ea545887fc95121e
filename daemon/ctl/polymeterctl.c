// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterctl: the command line of polymeterd, over D-Bus. `polymeterctl --help` lists every
 * command with one line (polymeterctl-args.c has the list); docs/dbus.md the calls behind them.
 *
 * One way to choose the meter for every command: --meter NAME (-m NAME), which may be left out
 * when the daemon has one meter; the reading commands (status, registers, watch, events,
 * profile, calibrate, account) also take NAME as their last word, as they always did. status
 * and registers without a meter show every meter.
 *
 * --user talks to the session bus (a private bus: `make run`); the default is the system bus.
 * Output is plain text for people; --json prints one JSON object per meter (per update with
 * watch). Exit status: 0 done, 1 failed (the cause and the fix on stderr), 2 a usage error.
 *
 * This file connects, chooses the meter and dispatches; polymeterctl-internal.h lists the files
 * that run each command.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "ctl/polymeterctl-account.h"
#include "ctl/polymeterctl-internal.h"

bool ctl_json;
bool ctl_user;

#define MAX_METERS 32

static bool is_one_of(const char *cmd, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(cmd, *list))
			return true;
	return false;
}

/* The commands that read and may name their meter as their last word. */
static const char *const reading[] = {"status",	 "registers", "watch",	 "events",
				      "profile", "calibrate", "account", NULL};
/* The commands that show every meter when none is named. */
static const char *const every_meter[] = {"status", "registers", "list", NULL};

static void print_names(char names[][64], size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", names[i]);
}

/* The meter @o names (checked against the daemon's), the only one, or NULL for every one. */
static int choose_meter(const struct ctl_opts *o, char names[][64], size_t n, const char **meter)
{
	*meter = o->meter;
	if (o->meter) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(names[i], o->meter))
				return 0;
		fprintf(stderr, "polymeterctl: no meter %s; the daemon's meters: ", o->meter);
		print_names(names, n);
		fputs(n ? " (polymeterctl list)\n" : "none\n", stderr);
		return -ENOENT;
	}
	if (is_one_of(o->args[0], every_meter))
		return 0;
	if (n == 1) {
		*meter = names[0];
		return 0;
	}
	if (!n) {
		fputs("polymeterctl: polymeterd has no meter (a [meter NAME] section in its "
		      "configuration)\n",
		      stderr);
		return -ENOENT;
	}
	fprintf(stderr, "polymeterctl: %zu meters (", n);
	print_names(names, n);
	fprintf(stderr, "): choose one with --meter NAME\n");
	return -EINVAL;
}

/* profile's range: --from and --to, UTC; by default today (local) until now. */
static int profile_range(const struct ctl_opts *o, int64_t *from, int64_t *to)
{
	const int64_t day = INT64_C(86400000000000);

	ctl_today(from, to);
	if (o->from && ctl_parse_time(o->from, from) < 0) {
		fprintf(stderr, "polymeterctl: not a UTC time: %s (e.g. 2026-01-01T00:15:00Z)\n",
			o->from);
		return 2;
	}
	if (o->to && ctl_parse_time(o->to, to) < 0) {
		fprintf(stderr, "polymeterctl: not a UTC time: %s (e.g. 2026-01-01T00:15:00Z)\n",
			o->to);
		return 2;
	}
	/* one bound given: the day that follows or precedes it */
	if (o->from && !o->to)
		*to = *from <= INT64_MAX - day ? *from + day : INT64_MAX;
	if (o->to && !o->from)
		*from = *to >= day ? *to - day + 1 : 0;
	if (o->json + o->csv + !!o->plot > 1) {
		fprintf(stderr, "polymeterctl: one of --json, --csv and --plot\n");
		return 2;
	}
	return 0;
}

static int run_reading(sd_bus *bus, const struct ctl_opts *o, const char *meter, char names[][64],
		       size_t n, int64_t from, int64_t to)
{
	const char *cmd = o->args[0];
	int r = 0;

	if (!strcmp(cmd, "list")) {
		for (size_t i = 0; i < n; i++)
			if (!meter || !strcmp(meter, names[i]))
				printf("%s\n", names[i]);
		return 0;
	}
	if (!strcmp(cmd, "events"))
		return ctl_events(bus, meter, o->max);
	if (!strcmp(cmd, "profile"))
		return ctl_profile(bus, meter, from, to, o->csv, o->plot);
	if (!strcmp(cmd, "calibrate"))
		return ctl_calibrate(bus, meter, &o->cal);
	if (!strcmp(cmd, "watch"))
		return ctl_watch(bus, meter);
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct meter_props m;

		if (meter && strcmp(meter, names[i]))
			continue;
		r = ctl_get_meter_props(bus, names[i], &m);
		if (r < 0)
			break;
		if (!strcmp(cmd, "status"))
			ctl_print_status(bus, names[i], &m);
		else
			ctl_print_registers(names[i], &m);
	}
	return r < 0 ? r : 0;
}

int main(int argc, char **argv)
{
	struct ctl_opts o;
	char names[MAX_METERS][64];
	int64_t from = 0, to = 0;
	sd_bus *bus = NULL;
	const char *meter = NULL;
	size_t n = 0;
	int r;

	r = ctl_parse_args(argc, argv, &o);
	if (r)
		return r;
	if (o.help) {
		ctl_usage(stdout);
		return 0;
	}
	if (o.version) {
		ctl_print_version();
		return 0;
	}
	ctl_json = o.json;
	ctl_user = o.user;
	if (is_one_of(o.args[0], reading) && o.n_args == 2 && !o.meter) {
		o.meter = o.args[1];
		o.n_args = 1;
	}
	if ((is_one_of(o.args[0], reading) || !strcmp(o.args[0], "list")) && o.n_args > 1) {
		fprintf(stderr,
			"polymeterctl: %s takes no argument but the meter: %s (polymeterctl "
			"--help)\n",
			o.args[0], o.args[o.n_args - 1]);
		return 2;
	}
	if (!strcmp(o.args[0], "profile")) {
		r = profile_range(&o, &from, &to);
		if (r)
			return r;
	}
	r = ctl_open_bus(&bus);
	if (r < 0)
		return 1;
	r = ctl_list_meters(bus, names, MAX_METERS, &n);
	if (r >= 0)
		r = choose_meter(&o, names, n, &meter);
	if (r >= 0) {
		if (!strcmp(o.args[0], "account") || !is_one_of(o.args[0], reading))
			r = strcmp(o.args[0], "list") ? ctl_account_command(bus, &o, meter)
						      : run_reading(bus, &o, meter, names, n, 0, 0);
		else
			r = run_reading(bus, &o, meter, names, n, from, to);
	}
	sd_bus_flush_close_unref(bus);
	return r < 0 ? 1 : r;
}
