/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The inside of polymeterctl, shared by its files:
 *
 *   polymeterctl.c            the command line: options, usage, UTC times, the dispatch
 *   polymeterctl-bus.c        the meters' names, one meter's Meter properties, failed calls
 *   polymeterctl-status.c     status, registers and watch
 *   polymeterctl-logs.c       events and profile
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

/* polymeterctl-bus.c */
const struct prop *ctl_prop_find(const struct meter_props *m, const char *name);
/* A 'd' property's value, NaN when it is missing; a 't' property's, 0 when it is missing. */
double ctl_prop_double(const struct meter_props *m, const char *name);
uint64_t ctl_prop_u64(const struct meter_props *m, const char *name);
/* Meter's properties (GetAll of the Meter interface); the error is printed. */
int ctl_get_meter_props(sd_bus *bus, const char *meter, struct meter_props *m);
int ctl_list_meters(sd_bus *bus, char names[][64], size_t max, size_t *n);
/* Prints a failed call's error (its short name for ours), frees it, returns r. */
int ctl_call_error(const char *meter, sd_bus_error *error, int r);

/* polymeterctl-json.c */
void ctl_json_number(double v);
void ctl_json_string(const char *s);

/* polymeterctl-status.c */
void ctl_print_status(const char *meter, const struct meter_props *m);
void ctl_print_registers(const char *meter, const struct meter_props *m);
int ctl_watch(sd_bus *bus, const char *meter); /* returns only on an error */

/* polymeterctl-logs.c */
int ctl_events(sd_bus *bus, const char *meter, uint64_t max);
int ctl_profile(sd_bus *bus, const char *meter, int64_t from, int64_t to, bool csv);

/* polymeterctl-calibrate.c */
struct calib_args {
	const char *step;
	uint32_t phase; /* 0 = all */
	double v, i, p; /* 0 = not given */
};

int ctl_parse_reference(const char *opt, const char *s, double *out);
int ctl_calibrate(sd_bus *bus, const char *meter, const struct calib_args *a);

#endif
