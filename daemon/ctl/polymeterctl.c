// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterctl: the command line of polymeterd, over D-Bus.
 *
 *   polymeterctl [--user] [--json] status [METER]      instantaneous values, one line a phase
 *   polymeterctl [--user] [--json] registers [METER]   energy registers
 *   polymeterctl [--user] [--json] watch [METER]       status again at every PropertiesChanged
 *   polymeterctl [--user] list                         the meters
 *   polymeterctl [--user] [--json] events [METER] [--max N]     event log, newest first
 *                                                                (default 100)
 *   polymeterctl [--user] [--json|--csv] profile [METER] --from TIME --to TIME
 *                                                 load profile intervals ending in [from, to]
 *   polymeterctl [--user] [--json] calibrate [METER] [--step gain|offset] [--phase 1|2|3|all]
 *                [--voltage V] [--current A] [--power W]
 *                                 calibrate the chip against a reference load (docs/dbus.md,
 *                                 README "Calibration"): gain at a nominal load first, then
 *                                 offset at a low load; waits while readings settle
 *
 * Account commands (account, topup, token, tariff set, mode, supply, emergency-credit, adjust,
 * debt, wallet, tenancy, configure): see polymeterctl-account.c.
 *
 * TIME is UTC: 2026-01-01T00:15:00Z, 2026-01-01T00:15Z, 2026-01-01 00:15 or 2026-01-01
 * (a trailing Z is optional). METER may be left out when the daemon has one meter.
 *
 * --user talks to the session bus (tests); the default is the system bus. Output is plain
 * text for people; --json prints one JSON object per meter (per update with watch).
 *
 * This file reads the command line and dispatches; polymeterctl-internal.h lists the files
 * that run each command.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>

#include "ctl/polymeterctl-account.h"
#include "ctl/polymeterctl-internal.h"
#include "core/billing/civil-time.h"

bool ctl_json;

static bool find_meter_named(char names[][64], size_t n, const char *meter)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], meter))
			return true;
	return false;
}

static void usage(FILE *f)
{
	fputs("usage: polymeterctl [--user] [--json] status|registers|watch [METER]\n"
	      "       polymeterctl [--user] list\n"
	      "       polymeterctl [--user] [--json] events [METER] [--max N]\n"
	      "       polymeterctl [--user] [--json|--csv] profile [METER] --from TIME --to TIME\n"
	      "       polymeterctl [--user] [--json] calibrate [METER] [--step gain|offset]\n"
	      "                    [--phase 1|2|3|all] [--voltage V] [--current A] [--power W]\n"
	      "       polymeterctl [--user] [--json] account [METER]\n"
	      "       polymeterctl [--user] [--meter M] topup AMOUNT [REFERENCE] | token DIGITS |\n"
	      "           tariff set FILE.json [--from YYYY-MM-DD] | tariff cancel |\n"
	      "           currency convert FACTOR --on YYYY-MM-DD | mode credit|prepayment|payg |\n"
	      "           supply disconnect|reconnect|arm|confirm | emergency-credit |\n"
	      "           adjust DELTA | debt TIME PAYMENT | wallet DATE COST [final] |\n"
	      "           tenancy [OPTION...] | configure KEY=VALUE...\n"
	      "TIME is UTC, e.g. 2026-01-01T00:15:00Z or 2026-01-01\n",
	      f);
}

/*
 * UTC ns of an ISO 8601 date (and time) in UTC; -EINVAL when it is none (2026-02-30 is none),
 * is before 1970 or is beyond int64 ns (2262-04-11T23:47:16Z). strptime() reads the forms people
 * type (minutes only, a space for the T, no Z); the seconds are counted by the civil-time module,
 * never through time_t (32 bits on some gateways).
 */
static int parse_time(const char *s, int64_t *ns)
{
	static const char *const formats[] = {
	    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S",
	    "%Y-%m-%d %H:%M",	 "%Y-%m-%d",
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct tm tm = {0};
		const char *end = strptime(s, formats[i], &tm);
		int64_t year, sec;

		if (!end || (*end && strcmp(end, "Z")))
			continue;
		year = (int64_t)tm.tm_year + 1900;
		if (!pm_civil_date_is_valid(year, tm.tm_mon + 1, tm.tm_mday))
			return -EINVAL;
		/* a leap second (:60) counts as the next minute's first, as timegm() has it */
		sec = pm_civil_days_from_date(year, tm.tm_mon + 1, tm.tm_mday) * 86400 +
		      (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
		if (sec < 0 || sec > INT64_MAX / 1000000000)
			return -EINVAL;
		*ns = sec * 1000000000;
		return 0;
	}
	return -EINVAL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"user", no_argument, NULL, 'u'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"max", required_argument, NULL, 'm'},
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"csv", no_argument, NULL, 'c'},
	    {"step", required_argument, NULL, 'S'},
	    {"phase", required_argument, NULL, 'P'},
	    {"voltage", required_argument, NULL, 'V'},
	    {"current", required_argument, NULL, 'I'},
	    {"power", required_argument, NULL, 'W'},
	    {0},
	};
	struct calib_args cal = {.step = "gain"};
	const char *from_s = NULL, *to_s = NULL;
	int64_t from = 0, to = 0;
	uint64_t max = 100;
	bool csv = false;
	char *end;
	char names[32][64];
	bool user = false;
	sd_bus *bus = NULL;
	const char *cmd, *meter;
	size_t n = 0;
	int c, r;

	r = pm_ctl_account_dispatch(argc, argv);
	if (r >= 0)
		return r; /* an account command (polymeterctl-account.c) */
	while ((c = getopt_long(argc, argv, "ujh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = true;
			break;
		case 'j':
			ctl_json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'm':
			errno = 0;
			max = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg || *optarg == '-') {
				fprintf(stderr, "polymeterctl: --max: not a count: %s\n", optarg);
				return 2;
			}
			break;
		case 'f':
			from_s = optarg;
			break;
		case 't':
			to_s = optarg;
			break;
		case 'c':
			csv = true;
			break;
		case 'S':
			cal.step = optarg;
			break;
		case 'P':
			if (!strcmp(optarg, "all")) {
				cal.phase = 0;
			} else if (strlen(optarg) == 1 && optarg[0] >= '1' && optarg[0] <= '3') {
				cal.phase = (uint32_t)(optarg[0] - '0');
			} else {
				fprintf(stderr, "polymeterctl: --phase: 1, 2, 3 or all, not %s\n",
					optarg);
				return 2;
			}
			break;
		case 'V':
			if (ctl_parse_reference("voltage", optarg, &cal.v) < 0)
				return 2;
			break;
		case 'I':
			if (ctl_parse_reference("current", optarg, &cal.i) < 0)
				return 2;
			break;
		case 'W':
			if (ctl_parse_reference("power", optarg, &cal.p) < 0)
				return 2;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || argc - optind > 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	meter = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (strcmp(cmd, "status") && strcmp(cmd, "registers") && strcmp(cmd, "watch") &&
	    strcmp(cmd, "list") && strcmp(cmd, "events") && strcmp(cmd, "profile") &&
	    strcmp(cmd, "calibrate")) {
		fprintf(stderr, "polymeterctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "profile")) {
		if (!from_s || !to_s) {
			fprintf(stderr, "polymeterctl: profile needs --from and --to\n");
			return 2;
		}
		if (parse_time(from_s, &from) < 0 || parse_time(to_s, &to) < 0) {
			fprintf(stderr, "polymeterctl: not a UTC time: %s\n",
				parse_time(from_s, &from) < 0 ? from_s : to_s);
			return 2;
		}
		if (ctl_json && csv) {
			fprintf(stderr, "polymeterctl: --json or --csv, not both\n");
			return 2;
		}
	}
	r = user ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "polymeterctl: cannot connect to the %s bus: %s\n",
			user ? "session" : "system", strerror(-r));
		return 1;
	}
	r = ctl_list_meters(bus, names, sizeof(names) / sizeof(names[0]), &n);
	if (r < 0)
		goto out;
	if (!strcmp(cmd, "list")) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", names[i]);
		goto out;
	}
	if (!strcmp(cmd, "events") || !strcmp(cmd, "profile") || !strcmp(cmd, "calibrate")) {
		if (!meter && n != 1) {
			fprintf(stderr, "polymeterctl: %zu meters: name one\n", n);
			r = -EINVAL;
			goto out;
		}
		if (!meter)
			meter = names[0];
		if (!find_meter_named(names, n, meter)) {
			r = -ENOENT;
			goto out;
		}
		if (!strcmp(cmd, "calibrate"))
			r = ctl_calibrate(bus, meter, &cal);
		else
			r = !strcmp(cmd, "events") ? ctl_events(bus, meter, max)
						   : ctl_profile(bus, meter, from, to, csv);
		goto out;
	}
	if (!strcmp(cmd, "watch")) {
		if (!meter && n)
			meter = names[0];
		r = meter ? ctl_watch(bus, meter) : -ENOENT;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct meter_props m;

		if (meter && strcmp(meter, names[i]))
			continue;
		r = ctl_get_meter_props(bus, names[i], &m);
		if (r < 0)
			goto out;
		if (!strcmp(cmd, "status"))
			ctl_print_status(names[i], &m);
		else
			ctl_print_registers(names[i], &m);
	}
	if (meter && !find_meter_named(names, n, meter))
		r = -ENOENT;
out:
	sd_bus_flush_close_unref(bus);
	if (r == -ENOENT)
		fprintf(stderr, "polymeterctl: no meter %s\n", meter ? meter : "");
	return r < 0 ? 1 : 0;
}
