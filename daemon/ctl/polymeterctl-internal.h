/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The inside of polymeterctl, shared by its files:
 *
 *   polymeterctl.c            the dispatch: the bus, the meter, the command
 *   polymeterctl-args.c       the command line: options anywhere, --help, --version, UTC times
 *   polymeterctl-bus.c        the meters' names, one meter's Meter properties, failed calls
 *   polymeterctl-status.c     status and registers
 *   polymeterctl-watch.c      watch: in place on a terminal, a line an update elsewhere
 *   polymeterctl-logs.c       events and profile
 *   polymeterctl-plot.c       profile --plot: in the terminal or as an SVG file
 *   polymeterctl-confirm.c    the confirmation of a destructive command
 *   polymeterctl-calibrate.c  calibrate
 *   polymeterctl-json.c       JSON numbers and strings
 *   polymeterctl-account.c    the account commands (polymeterctl-account.h, on their own)
 *
 * Each command prints to stdout and its errors to stderr, and returns 0 or a negative errno.
 */
#ifndef POLYMETER_POLYMETERCTL_INTERNAL_H
#define POLYMETER_POLYMETERCTL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#define MAX_PROPS 128

struct prop {
	char name[64];
	char type;
	double d;
	uint64_t t;
	bool b;
	char s[128];
	/* a(dt), the maximum demand: (W, window end UTC ns) per month, newest first */
	double md_w[3];
	uint64_t md_end[3];
	size_t n_md;
};

struct meter_props {
	struct prop p[MAX_PROPS];
	size_t n;
};

/* --json (polymeterctl.c): every printer reads it, so it is one flag of the process. */
extern bool ctl_json;
/* --user: the session bus; the error messages name the bus. */
extern bool ctl_user;

/* polymeterctl-calibrate.c */
struct calib_args {
	const char *step;
	uint32_t phase; /* 0 = all */
	double v, i, p; /* 0 = not given */
};

/* The command line (polymeterctl-args.c): options may come anywhere, as in git. */
struct ctl_opts {
	bool user, json, csv, yes, help, version;
	const char *meter;     /* --meter NAME, or the read commands' last word */
	const char *from, *to; /* --from, --to: profile's UTC times, tariff's date */
	const char *on;	       /* --on: a currency conversion's date */
	const char *plot;      /* --plot: "" in the terminal, else an SVG file */
	uint64_t max;	       /* --max, events */
	struct calib_args cal; /* calibrate's options */
	char *args[64];	       /* the operands, args[0] the command */
	int n_args;
};

/* Fills @o from argv; prints the error and returns 2 on a usage error, else 0. */
int ctl_parse_args(int argc, char **argv, struct ctl_opts *o);
void ctl_usage(FILE *f);
void ctl_print_version(void);
/* UTC ns of an ISO 8601 UTC date and time (see polymeterctl-args.c); -EINVAL for none. */
int ctl_parse_time(const char *s, int64_t *ns);
/* Today's local midnight and now, UTC ns: profile's default range. */
void ctl_today(int64_t *from, int64_t *to);

/* polymeterctl-bus.c */
const struct prop *ctl_prop_find(const struct meter_props *m, const char *name);
/* A 'd' property's value, NaN when it is missing; a 't' property's, 0 when it is missing. */
double ctl_prop_double(const struct meter_props *m, const char *name);
uint64_t ctl_prop_u64(const struct meter_props *m, const char *name);
/* Meter's properties (GetAll of the Meter interface); the error is printed. */
int ctl_get_meter_props(sd_bus *bus, const char *meter, struct meter_props *m);
/* The same, the call's error left in @error (the caller frees it), nothing printed. */
int ctl_get_meter_props_quiet(sd_bus *bus, const char *meter, struct meter_props *m,
			      sd_bus_error *error);
int ctl_list_meters(sd_bus *bus, char names[][64], size_t max, size_t *n);
/* Prints a failed call's error (its short name for ours), frees it, returns r. */
int ctl_call_error(const char *meter, sd_bus_error *error, int r);
/* Whether a call's error says polymeterd has no name on the bus (not running, or gone). */
bool ctl_daemon_absent(const sd_bus_error *error);
/*
 * The cause and the fix of a failure to reach polymeterd (not running, no bus, access denied),
 * printed when @error is one of those; returns whether it was.
 */
bool ctl_explain_bus_error(const sd_bus_error *error, int r);
/* Opens the system bus (the session bus with --user); the error is printed. */
int ctl_open_bus(sd_bus **bus);

/* polymeterctl-json.c */
void ctl_json_number(double v);
void ctl_json_string(const char *s);

/* polymeterctl-status.c */
/* status also reads the meter's account, when it has one, for its line. */
void ctl_print_status(sd_bus *bus, const char *meter, const struct meter_props *m);
void ctl_print_registers(const char *meter, const struct meter_props *m);

/* polymeterctl-watch.c: returns when the daemon or the bus goes away (an error, printed). */
int ctl_watch(sd_bus *bus, const char *meter);

/* polymeterctl-logs.c */
int ctl_events(sd_bus *bus, const char *meter, uint64_t max);
int ctl_profile(sd_bus *bus, const char *meter, int64_t from, int64_t to, bool csv,
		const char *plot);

/* polymeterctl-plot.c: one interval's energy in mWh, import and export. */
struct ctl_plot_point {
	int64_t end_ns;
	uint64_t import_mwh, export_mwh;
};

/* A bar chart in the terminal (@file NULL) or an SVG file; returns 0 or a negative errno. */
int ctl_plot(const char *meter, const struct ctl_plot_point *pts, size_t n, const char *file);

/* polymeterctl-confirm.c: --yes, or "y" typed on a terminal; the refusal is printed. */
bool ctl_confirm(bool yes, const char *what);

int ctl_parse_reference(const char *opt, const char *s, double *out);
int ctl_calibrate(sd_bus *bus, const char *meter, const struct calib_args *a);

#endif
