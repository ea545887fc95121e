// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterctl events and profile (polymeterctl-internal.h): the meter's event log and its load
 * profile intervals, as text, JSON or (profile) CSV.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "core/billing/civil-time.h"
#include "ctl/polymeterctl-internal.h"
#include "views/dbus/bus.h"

int ctl_events(sd_bus *bus, const char *meter, uint64_t max)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char path[256], when[32];
	bool first = true;
	int r;

	snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	r = sd_bus_call_method(bus, PM_BUS_NAME, path, PM_BUS_IFACE_METER, "GetEvents", &error,
			       &reply, "t", max);
	if (r < 0)
		return ctl_call_error(meter, &error, r);
	if (ctl_json)
		printf("{\"meter\": \"%s\", \"events\": [", meter);
	r = sd_bus_message_enter_container(reply, 'a', "(tss)");
	while (r >= 0) {
		const char *kind, *detail;
		uint64_t utc;

		r = sd_bus_message_read(reply, "(tss)", &utc, &kind, &detail);
		if (r <= 0)
			break;
		pm_civil_format_utc((int64_t)utc, when, sizeof(when));
		if (ctl_json) {
			printf("%s{\"time\": \"%s\", \"utc_ns\": %llu, \"kind\": ",
			       first ? "" : ", ", when, (unsigned long long)utc);
			ctl_json_string(kind);
			fputs(", \"detail\": ", stdout);
			ctl_json_string(detail);
			putchar('}');
		} else {
			printf("%s  %-24s %s\n", when, kind, detail);
		}
		first = false;
	}
	if (ctl_json)
		printf("]}\n");
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
}

static const char *flags_text(uint32_t status, char buf[4])
{
	size_t n = 0;

	if (status & 1)
		buf[n++] = 'D'; /* power down */
	if (status & 2)
		buf[n++] = 'C'; /* clock adjusted */
	if (status & 4)
		buf[n++] = 'P'; /* partial */
	if (!n)
		buf[n++] = '-';
	buf[n] = 0;
	return buf;
}

static const char *const reg_names[4] = {"import_mwh", "export_mwh", "r_import_mvarh",
					 "r_export_mvarh"};
/* the per-phase means with their units, as the CSV header names them */
static const char *const pq_names[4] = {"v", "i", "pf", "f"};
static const char *const pq_units[4] = {"_v", "_a", "", "_hz"};

/* mWh as Wh with 3 decimals, exact */
static void print_wh(uint64_t mwh)
{
	printf(" %10llu.%03llu", (unsigned long long)(mwh / 1000),
	       (unsigned long long)(mwh % 1000));
}

static void print_header(const char *meter, bool csv)
{
	if (ctl_json) {
		printf("{\"meter\": \"%s\", \"intervals\": [", meter);
	} else if (csv) {
		fputs("meter,end_utc,period_s,status,flags,samples", stdout);
		for (int k = 0; k < 4; k++)
			printf(",%s", reg_names[k]);
		for (int k = 0; k < 4; k++)
			printf(",delta_%s", reg_names[k]);
		for (int q = 0; q < 4; q++)
			for (int ph = 1; ph <= 3; ph++)
				printf(",%s_l%d%s", pq_names[q], ph, pq_units[q]);
		putchar('\n');
	} else {
		printf("meter %s, load profile: energy in each interval ending at END\n", meter);
		printf("%-20s %-5s %7s %14s %14s %14s %14s %8s %8s %8s\n", "END (UTC)", "FLAGS",
		       "SAMPLES", "import Wh", "export Wh", "+R varh", "-R varh", "V L1", "V L2",
		       "V L3");
	}
}

/* What the FLAGS letters mean: printed under the table, only when one occurred. */
static void print_legend(uint32_t seen)
{
	static const char *const meaning[3] = {
	    "D power down (no sample for a while) in the interval",
	    "C clock adjusted",
	    "P partial (not covered from its start: start-up, resumed)",
	};
	const char *sep = "FLAGS: ";

	for (int i = 0; i < 3; i++)
		if (seen & (1u << i)) {
			printf("%s%s", sep, meaning[i]);
			sep = "; ";
		}
	if (seen)
		putchar('\n');
}

int ctl_profile(sd_bus *bus, const char *meter, int64_t from, int64_t to, bool csv,
		const char *plot)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char path[256], when[32], fl[4];
	struct ctl_plot_point *pts = NULL;
	size_t n_pts = 0, cap = 0;
	uint32_t seen = 0;
	bool first = true;
	int r;

	snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	r = sd_bus_call_method(bus, PM_BUS_NAME, path, PM_BUS_IFACE_METER, "GetProfile", &error,
			       &reply, "tt", (uint64_t)from, (uint64_t)to);
	if (r < 0)
		return ctl_call_error(meter, &error, r);
	if (!plot)
		print_header(meter, csv);
	r = sd_bus_message_enter_container(reply, 'a', "(ttuuatata(dddd))");
	while (r >= 0) {
		uint64_t end, period;
		uint32_t status, samples;
		const void *p;
		size_t sz;
		uint64_t reg[4] = {0}, delta[4] = {0};
		double pq[3][4] = {{0}};

		r = sd_bus_message_enter_container(reply, 'r', "ttuuatata(dddd)");
		if (r <= 0)
			break;
		r = sd_bus_message_read(reply, "ttuu", &end, &period, &status, &samples);
		if (r >= 0)
			r = sd_bus_message_read_array(reply, 't', &p, &sz);
		if (r >= 0)
			memcpy(reg, p, sz < sizeof(reg) ? sz : sizeof(reg));
		if (r >= 0)
			r = sd_bus_message_read_array(reply, 't', &p, &sz);
		if (r >= 0)
			memcpy(delta, p, sz < sizeof(delta) ? sz : sizeof(delta));
		if (r >= 0)
			r = sd_bus_message_enter_container(reply, 'a', "(dddd)");
		for (int ph = 0; r > 0 && ph < 3; ph++)
			r = sd_bus_message_read(reply, "(dddd)", &pq[ph][0], &pq[ph][1], &pq[ph][2],
						&pq[ph][3]);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r < 0)
			break;
		seen |= status;
		pm_civil_format_utc((int64_t)end, when, sizeof(when));
		if (plot) {
			if (n_pts == cap) {
				struct ctl_plot_point *np;

				cap = cap ? 2 * cap : 128;
				np = realloc(pts, cap * sizeof(*pts));
				if (!np) {
					r = -ENOMEM;
					break;
				}
				pts = np;
			}
			pts[n_pts++] = (struct ctl_plot_point){(int64_t)end, delta[0], delta[1]};
		} else if (ctl_json) {
			printf("%s{\"end\": \"%s\", \"end_utc_ns\": %llu, \"period_s\": %llu, "
			       "\"status\": %u, \"flags\": \"%s\", \"samples\": %u",
			       first ? "" : ", ", when, (unsigned long long)end,
			       (unsigned long long)(period / 1000000000), status,
			       flags_text(status, fl), samples);
			for (int k = 0; k < 4; k++)
				printf(", \"%s\": %llu", reg_names[k], (unsigned long long)reg[k]);
			for (int k = 0; k < 4; k++)
				printf(", \"delta_%s\": %llu", reg_names[k],
				       (unsigned long long)delta[k]);
			for (int q = 0; q < 4; q++)
				for (int ph = 0; ph < 3; ph++) {
					printf(", \"%s_l%d\": ", pq_names[q], ph + 1);
					ctl_json_number(pq[ph][q]);
				}
			putchar('}');
		} else if (csv) {
			printf("%s,%s,%llu,%u,%s,%u", meter, when,
			       (unsigned long long)(period / 1000000000), status,
			       flags_text(status, fl), samples);
			for (int k = 0; k < 4; k++)
				printf(",%llu", (unsigned long long)reg[k]);
			for (int k = 0; k < 4; k++)
				printf(",%llu", (unsigned long long)delta[k]);
			for (int q = 0; q < 4; q++)
				for (int ph = 0; ph < 3; ph++)
					printf(",%.6g", pq[ph][q]);
			putchar('\n');
		} else {
			printf("%-20s %-5s %7u", when, flags_text(status, fl), samples);
			for (int k = 0; k < 4; k++)
				print_wh(delta[k]);
			printf(" %8.2f %8.2f %8.2f\n", pq[0][0], pq[1][0], pq[2][0]);
		}
		first = false;
	}
	sd_bus_message_unref(reply);
	if (r >= 0 && plot)
		r = ctl_plot(meter, pts, n_pts, *plot ? plot : NULL);
	free(pts);
	if (plot || r < 0)
		return r < 0 ? r : 0;
	if (ctl_json)
		printf("]}\n");
	else if (!csv && first)
		printf("(no interval in this range)\n");
	else if (!csv)
		print_legend(seen);
	return 0;
}
