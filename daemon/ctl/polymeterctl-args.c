// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterctl's command line (polymeterctl-internal.h): the options, which may come anywhere
 * (before or after the command, as in git), the operands, the help and the UTC times.
 *
 * Not getopt: a negative amount ("adjust -1.50") is an operand, and "--from" is a UTC time for
 * profile but a local date for "tariff set", so the options are collected here as text and each
 * command reads what it takes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/version.h"
#include "core/billing/civil-time.h"
#include "ctl/polymeterctl-internal.h"

/* One line a command: --help prints them as they are, bash completion reads the first words. */
static const char *const commands[][2] = {
    {"status", "instantaneous values per phase, energy totals in kWh, the account's line"},
    {"registers", "every energy register, Wh / varh / VAh, per phase and total"},
    {"watch", "status live, in place on a terminal (a line an update otherwise)"},
    {"list", "the meters' names"},
    {"events", "the event log, newest first (--max N, default 100)"},
    {"profile", "load profile of a day (default today; --from, --to, --csv, --plot[=F.svg])"},
    {"calibrate", "chip gains (--step gain) or offsets (--step offset) vs a reference load"},
    {"account", "the account: balance, credit, debt, cost, tariff and price"},
    {"topup", "AMOUNT [REFERENCE]: add a payment, in the tariff's currency"},
    {"token", "DIGITS: enter an STS token (20 digits)"},
    {"tariff", "set FILE.json [--from YYYY-MM-DD] | cancel: replace or schedule the tariff"},
    {"currency", "convert FACTOR --on YYYY-MM-DD [--to CODE]: redenominate prices and money"},
    {"mode", "credit|prepayment|payg: the account's mode"},
    {"supply", "disconnect|reconnect|arm|confirm: the supply contactor"},
    {"emergency-credit", "take the emergency credit on offer"},
    {"adjust", "DELTA: correct the balance (signed amount)"},
    {"debt", "TIME_DEBT PAYMENT_DEBT: set the debt registers"},
    {"wallet", "YYYY-MM-DD COST [final]: a second utility's cost of that day"},
    {"tenancy", "[OPTION...]: change of tenancy (asks first; --yes)"},
    {"configure", "KEY=VALUE...: account settings (money in currency units)"},
};

void ctl_usage(FILE *f)
{
	fputs("usage: polymeterctl [OPTION...] COMMAND [ARG...]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-17s %s\n", commands[i][0], commands[i][1]);
	fputs("\noptions (anywhere on the line):\n"
	      "  -m, --meter NAME  the meter, for every command (needed when there are several;\n"
	      "                    a reading command also takes NAME as its last word)\n"
	      "      --user        the session bus (polymeterd with dbus = session), not the "
	      "system bus\n"
	      "      --json        machine-readable output (status, registers, watch, events,\n"
	      "                    profile, calibrate, account)\n"
	      "      --csv         profile as CSV (a row an interval, the meter's name first)\n"
	      "      --plot[=FILE.svg]  profile as bars in the terminal, or into an SVG file\n"
	      "  -y, --yes         do a destructive command (tenancy, supply disconnect) without "
	      "asking\n"
	      "      --from TIME   --to TIME: profile's range, UTC (2026-01-01T00:15:00Z, "
	      "2026-01-01)\n"
	      "      --max N       events: at most N\n"
	      "      --step gain|offset  --phase 1|2|3|all  --voltage V  --current A  --power W\n"
	      "                    calibrate's reference (README, Calibration)\n"
	      "  -h, --help        this text\n"
	      "      --version     polymeterctl's version\n",
	      f);
}

/* The first word of every command, one a line: bash completion asks for them. */
static void print_commands(void)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("%s\n", commands[i][0]);
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("polymeterctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (polymeterctl --help lists the commands and options)\n", stderr);
	return 2;
}

/* "--name VALUE" or "--name=VALUE": the value, advancing *k; NULL when @a is not --name. */
static const char *value_of(const char *name, int argc, char **argv, int *k, bool *missing)
{
	const char *a = argv[*k];
	size_t n = strlen(name);

	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return NULL;
	if (*k + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*k];
}

static int calib_option(const char *name, const char *v, struct calib_args *cal)
{
	if (!strcmp(name, "--step")) {
		cal->step = v;
	} else if (!strcmp(name, "--phase")) {
		if (!strcmp(v, "all"))
			cal->phase = 0;
		else if (strlen(v) == 1 && v[0] >= '1' && v[0] <= '3')
			cal->phase = (uint32_t)(v[0] - '0');
		else
			return usage_error("--phase: 1, 2, 3 or all, not %s", v);
	} else if (ctl_parse_reference(name + 2, v,
				       !strcmp(name, "--voltage")   ? &cal->v
				       : !strcmp(name, "--current") ? &cal->i
								    : &cal->p) < 0) {
		return 2;
	}
	return 0;
}

int ctl_parse_args(int argc, char **argv, struct ctl_opts *o)
{
	static const char *const valued[] = {"--meter",	  "--from", "--to",    "--on",
					     "--max",	  "--step", "--phase", "--voltage",
					     "--current", "--power"};

	memset(o, 0, sizeof(*o));
	o->max = 100;
	o->cal.step = "gain";
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k], *v = NULL;
		bool missing = false, done = false;

		if (!strcmp(a, "--user")) {
			o->user = true;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--csv")) {
			o->csv = true;
		} else if (!strcmp(a, "--yes") || !strcmp(a, "-y")) {
			o->yes = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			o->help = true;
		} else if (!strcmp(a, "--version")) {
			o->version = true;
		} else if (!strcmp(a, "--commands")) {
			print_commands();
			exit(0);
		} else if (!strcmp(a, "--plot")) {
			o->plot = "";
		} else if (!strncmp(a, "--plot=", 7)) {
			o->plot = a + 7;
			if (!*o->plot)
				return usage_error("--plot=%s: name the SVG file", "");
		} else if (!strcmp(a, "-m") && k + 1 < argc) {
			o->meter = argv[++k];
		} else if (a[0] == '-' && a[1] == '-') {
			for (size_t i = 0; !done && i < sizeof(valued) / sizeof(valued[0]); i++) {
				v = value_of(valued[i], argc, argv, &k, &missing);
				if (missing)
					return usage_error("%s needs a value", valued[i]);
				if (!v)
					continue;
				done = true;
				if (!strcmp(valued[i], "--meter")) {
					o->meter = v;
				} else if (!strcmp(valued[i], "--from")) {
					o->from = v;
				} else if (!strcmp(valued[i], "--to")) {
					o->to = v;
				} else if (!strcmp(valued[i], "--on")) {
					o->on = v;
				} else if (!strcmp(valued[i], "--max")) {
					char *end;

					errno = 0;
					o->max = strtoull(v, &end, 10);
					if (errno || *end || !*v || *v == '-')
						return usage_error("--max: not a count: %s", v);
				} else if (calib_option(valued[i], v, &o->cal)) {
					return 2;
				}
			}
			if (!done)
				return usage_error("unknown option %s", a);
		} else if (a[0] == '-' && a[1] && !(a[1] >= '0' && a[1] <= '9') && a[1] != '.') {
			return usage_error("unknown option %s", a);
		} else if (o->n_args < (int)(sizeof(o->args) / sizeof(o->args[0]))) {
			o->args[o->n_args++] = argv[k];
		} else {
			return usage_error("too many arguments%s", "");
		}
	}
	if (o->help || o->version)
		return 0;
	if (!o->n_args)
		return usage_error("no command given%s", "");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(o->args[0], commands[i][0]))
			return 0;
	return usage_error("unknown command '%s'", o->args[0]);
}

/*
 * UTC ns of an ISO 8601 date (and time) in UTC; -EINVAL when it is none (2026-02-30 is none),
 * is before 1970 or is beyond int64 ns (2262-04-11T23:47:16Z). strptime() reads the forms people
 * type (minutes only, a space for the T, no Z); the seconds are counted by the civil-time module,
 * never through time_t (32 bits on some gateways).
 */
int ctl_parse_time(const char *s, int64_t *ns)
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

/*
 * Local midnight of today and now, as UTC ns: the day people mean by "today" is the one of the
 * machine's time zone (TZ), so the C library's tzdata answers; time_t is 64 bits here
 * (_TIME_BITS=64).
 */
void ctl_today(int64_t *from, int64_t *to)
{
	time_t now = time(NULL), midnight;
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = 0;
	tm.tm_min = 0;
	tm.tm_sec = 0;
	tm.tm_isdst = -1; /* the zone's rule for that midnight, not now's */
	midnight = mktime(&tm);
	/* an interval ending at midnight is yesterday's last */
	*from = (int64_t)midnight * 1000000000 + 1;
	*to = (int64_t)now * 1000000000;
}

void ctl_print_version(void)
{
	printf("polymeterctl %s\n", PM_VERSION);
}
