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
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "views/dbus/bus.h"
#include "ctl/polymeterctl-account.h"
#include "core/billing/civil-time.h"

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

static bool json;

static const struct prop *find(const struct meter_props *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->p[i].name, name))
			return &m->p[i];
	return NULL;
}

/* Reads an a(dt) maximum demand (at most 3 entries kept). */
static int read_demand(sd_bus_message *msg, struct prop *p)
{
	double w;
	uint64_t end;
	int r;

	r = sd_bus_message_enter_container(msg, 'a', "(dt)");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(msg, "(dt)", &w, &end)) > 0)
		if (p->n_md < 3) {
			p->md_w[p->n_md] = w;
			p->md_end[p->n_md++] = end;
		}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(msg);
}

/* Reads one a{sv} of properties (positioned at the array) into @m. */
static int read_props(sd_bus_message *msg, struct meter_props *m)
{
	int r;

	r = sd_bus_message_enter_container(msg, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
		struct prop p = {0};
		const char *name, *contents;
		char type;

		r = sd_bus_message_read(msg, "s", &name);
		if (r < 0)
			return r;
		r = sd_bus_message_peek_type(msg, &type, &contents);
		if (r < 0)
			return r;
		snprintf(p.name, sizeof(p.name), "%s", name);
		p.type = contents[0];
		r = sd_bus_message_enter_container(msg, 'v', contents);
		if (r < 0)
			return r;
		switch (p.type) {
		case 'd':
			r = sd_bus_message_read(msg, "d", &p.d);
			break;
		case 't':
			r = sd_bus_message_read(msg, "t", &p.t);
			break;
		case 'b': {
			int b;

			r = sd_bus_message_read(msg, "b", &b);
			p.b = b;
			break;
		}
		case 's': {
			const char *s;

			r = sd_bus_message_read(msg, "s", &s);
			if (r >= 0)
				snprintf(p.s, sizeof(p.s), "%s", s);
			break;
		}
		case 'a':
			if (!strcmp(contents, "a(dt)")) {
				r = read_demand(msg, &p);
				break;
			}
			r = sd_bus_message_skip(msg, contents);
			break;
		default:
			r = sd_bus_message_skip(msg, contents);
		}
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(msg);
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(msg);
		if (r < 0)
			return r;
		if (m->n < MAX_PROPS)
			m->p[m->n++] = p;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(msg);
}

static int get_all(sd_bus *bus, const char *meter, struct meter_props *m)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char path[256];
	int r;

	snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	r = sd_bus_call_method(bus, PM_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
			       &error, &reply, "s", PM_BUS_IFACE_METER);
	if (r < 0) {
		fprintf(stderr, "polymeterctl: meter %s: %s\n", meter,
			error.message ? error.message : strerror(-r));
		sd_bus_error_free(&error);
		return r;
	}
	m->n = 0;
	r = read_props(reply, m);
	sd_bus_message_unref(reply);
	return r;
}

static double d(const struct meter_props *m, const char *name)
{
	const struct prop *p = find(m, name);

	return p && p->type == 'd' ? p->d : NAN;
}

static uint64_t t(const struct meter_props *m, const char *name)
{
	const struct prop *p = find(m, name);

	return p && p->type == 't' ? p->t : 0;
}

static void json_number(double v)
{
	if (isnan(v))
		fputs("null", stdout);
	else
		printf("%.6g", v);
}

static void json_string(const char *s);

/* "MaximumDemandImport": [{"w": 6900, "end_utc_ns": ..., "end": "..."} or null, ...] */
static void json_demand(const struct meter_props *m, const char *name)
{
	const struct prop *p = find(m, name);
	char when[32];

	printf(",\"%s\":[", name);
	for (size_t i = 0; p && i < p->n_md; i++) {
		if (i)
			putchar(',');
		if (isnan(p->md_w[i])) {
			fputs("null", stdout);
			continue;
		}
		pm_civil_format_utc((int64_t)p->md_end[i], when, sizeof(when));
		printf("{\"w\":");
		json_number(p->md_w[i]);
		printf(",\"end_utc_ns\":%llu,\"end\":", (unsigned long long)p->md_end[i]);
		json_string(when);
		putchar('}');
	}
	putchar(']');
}

static void print_demand(const struct meter_props *m, const char *name, const char *label)
{
	static const char *const month[3] = {"this month", "last month", "month before"};
	const struct prop *p = find(m, name);
	char when[32];

	printf("maximum demand %s:", label);
	for (size_t i = 0; p && i < p->n_md; i++) {
		if (isnan(p->md_w[i])) {
			printf("%s %s -", i ? ";" : "", month[i]);
			continue;
		}
		pm_civil_format_utc((int64_t)p->md_end[i], when, sizeof(when));
		printf("%s %s %.1f W (window ending %s)", i ? ";" : "", month[i], p->md_w[i], when);
	}
	putchar('\n');
}

static void print_status(const char *meter, const struct meter_props *m)
{
	static const char *const ph[] = {"L1", "L2", "L3", ""};
	static const char *const q[] = {"Voltage",	 "Current",	"Power",    "ReactivePower",
					"ApparentPower", "PowerFactor", "Frequency"};
	const struct prop *c = find(m, "Connected");
	char name[64];

	if (json) {
		printf("{\"meter\":\"%s\",\"connected\":%s", meter, c && c->b ? "true" : "false");
		for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++)
			for (size_t k = 0; k < sizeof(q) / sizeof(q[0]); k++) {
				snprintf(name, sizeof(name), "%s%s", q[k], ph[i]);
				if (!find(m, name))
					continue;
				printf(",\"%s\":", name);
				json_number(d(m, name));
			}
		printf(",\"NeutralCurrent\":");
		json_number(d(m, "NeutralCurrent"));
		json_demand(m, "MaximumDemandImport");
		json_demand(m, "MaximumDemandExport");
		printf("}\n");
		fflush(stdout);
		return;
	}
	printf("meter %s: %s\n", meter, c && c->b ? "connected" : "NOT CONNECTED");
	printf("%-6s %9s %8s %10s %10s %10s %7s %8s\n", "", "V", "A", "W", "var", "VA", "PF", "Hz");
	for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++) {
		double v[7];

		for (size_t k = 0; k < 7; k++) {
			snprintf(name, sizeof(name), "%s%s", q[k], ph[i]);
			v[k] = d(m, name);
		}
		if (!*ph[i])
			v[0] = d(m, "VoltageAverage");
		printf("%-6s %9.2f %8.3f %10.1f %10.1f %10.1f %7.3f %8.3f\n",
		       *ph[i] ? ph[i] : "total", v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
	}
	printf("neutral current %.3f A\n", d(m, "NeutralCurrent"));
	print_demand(m, "MaximumDemandImport", "import");
	print_demand(m, "MaximumDemandExport", "export");
	fflush(stdout);
}

static void print_registers(const char *meter, const struct meter_props *m)
{
	static const char *const regs[] = {
	    "EnergyImport",	    "EnergyExport",	"ReactiveEnergyImport",
	    "ReactiveEnergyExport", "ReactiveEnergyQ1", "ReactiveEnergyQ2",
	    "ReactiveEnergyQ3",	    "ReactiveEnergyQ4", "ApparentEnergyImport",
	    "ApparentEnergyExport",
	};
	static const char *const ph[] = {"", "L1", "L2", "L3"};
	char name[64];

	if (json)
		printf("{\"meter\":\"%s\"", meter);
	else
		printf("meter %s (Wh, varh, VAh)\n%-22s %14s %14s %14s %14s\n", meter, "register",
		       "total", "L1", "L2", "L3");
	for (size_t k = 0; k < sizeof(regs) / sizeof(regs[0]); k++) {
		if (!json)
			printf("%-22s", regs[k]);
		for (size_t i = 0; i < 4; i++) {
			snprintf(name, sizeof(name), "%s%s", regs[k], ph[i]);
			if (json)
				printf(",\"%s\":%llu", name, (unsigned long long)t(m, name));
			else
				printf(" %14llu", (unsigned long long)t(m, name));
		}
		if (!json)
			printf("\n");
	}
	if (json)
		printf("}\n");
	fflush(stdout);
}

/* Meter names: the children of the ObjectManager root. */
static int list_meters(sd_bus *bus, char names[][64], size_t max, size_t *n)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r;

	*n = 0;
	r = sd_bus_call_method(bus, PM_BUS_NAME, PM_BUS_ROOT, "org.freedesktop.DBus.ObjectManager",
			       "GetManagedObjects", &error, &reply, NULL);
	if (r < 0) {
		fprintf(stderr, "polymeterctl: %s: %s\n", PM_BUS_NAME,
			error.message ? error.message : strerror(-r));
		sd_bus_error_free(&error);
		return r;
	}
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		const char *path;

		r = sd_bus_message_read(reply, "o", &path);
		if (r < 0)
			break;
		if (*n < max && !strncmp(path, PM_BUS_ROOT "/", strlen(PM_BUS_ROOT) + 1))
			snprintf(names[(*n)++], 64, "%s", path + strlen(PM_BUS_ROOT) + 1);
		r = sd_bus_message_skip(reply, "a{sa{sv}}");
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
}

static int on_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	const char *meter = userdata;
	struct meter_props m;

	(void)error;
	if (get_all(sd_bus_message_get_bus(msg), meter, &m) >= 0)
		print_status(meter, &m);
	return 0;
}

static int watch(sd_bus *bus, const char *meter)
{
	char match[512];
	struct meter_props m;
	int r;

	snprintf(match, sizeof(match),
		 "type='signal',sender='%s',path='%s/%s',interface='org.freedesktop.DBus."
		 "Properties',member='PropertiesChanged'",
		 PM_BUS_NAME, PM_BUS_ROOT, meter);
	r = sd_bus_add_match(bus, NULL, match, on_changed, (void *)meter);
	if (r < 0)
		return r;
	r = get_all(bus, meter, &m);
	if (r < 0)
		return r;
	print_status(meter, &m);
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		r = sd_bus_wait(bus, UINT64_MAX);
		if (r < 0)
			return r;
	}
}

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

/* A JSON string (also fine as a CSV field when it holds no quote). */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static int call_error(const char *meter, sd_bus_error *error, int r)
{
	if (error->name && !strncmp(error->name, "org.polymeter.Meter1.Error.", 27))
		fprintf(stderr, "polymeterctl: meter %s: %s (%s)\n", meter, error->message,
			error->name + 27);
	else
		fprintf(stderr, "polymeterctl: meter %s: %s\n", meter,
			error->message ? error->message : strerror(-r));
	sd_bus_error_free(error);
	return r;
}

static int events(sd_bus *bus, const char *meter, uint64_t max)
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
		return call_error(meter, &error, r);
	if (json)
		printf("{\"meter\": \"%s\", \"events\": [", meter);
	r = sd_bus_message_enter_container(reply, 'a', "(tss)");
	while (r >= 0) {
		const char *kind, *detail;
		uint64_t utc;

		r = sd_bus_message_read(reply, "(tss)", &utc, &kind, &detail);
		if (r <= 0)
			break;
		pm_civil_format_utc((int64_t)utc, when, sizeof(when));
		if (json) {
			printf("%s{\"time\": \"%s\", \"utc_ns\": %llu, \"kind\": ",
			       first ? "" : ", ", when, (unsigned long long)utc);
			json_string(kind);
			fputs(", \"detail\": ", stdout);
			json_string(detail);
			putchar('}');
		} else {
			printf("%s  %-24s %s\n", when, kind, detail);
		}
		first = false;
	}
	if (json)
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
static const char *const pq_names[4] = {"v", "i", "pf", "f"};

static int profile(sd_bus *bus, const char *meter, int64_t from, int64_t to, bool csv)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char path[256], when[32], fl[4];
	bool first = true;
	int r;

	snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	r = sd_bus_call_method(bus, PM_BUS_NAME, path, PM_BUS_IFACE_METER, "GetProfile", &error,
			       &reply, "tt", (uint64_t)from, (uint64_t)to);
	if (r < 0)
		return call_error(meter, &error, r);
	if (json) {
		printf("{\"meter\": \"%s\", \"intervals\": [", meter);
	} else if (csv) {
		fputs("end,period_s,status,samples", stdout);
		for (int k = 0; k < 4; k++)
			printf(",%s", reg_names[k]);
		for (int k = 0; k < 4; k++)
			printf(",delta_%s", reg_names[k]);
		for (int q = 0; q < 4; q++)
			for (int ph = 1; ph <= 3; ph++)
				printf(",%s_l%d", pq_names[q], ph);
		putchar('\n');
	} else {
		printf("%-20s %-5s %7s %12s %12s %12s %12s %8s %8s %8s\n", "END (UTC)", "FLAGS",
		       "SAMPLES", "+A mWh", "-A mWh", "+R mvarh", "-R mvarh", "V L1", "V L2",
		       "V L3");
	}
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
		pm_civil_format_utc((int64_t)end, when, sizeof(when));
		if (json) {
			printf("%s{\"end\": \"%s\", \"end_utc_ns\": %llu, \"period_s\": %llu, "
			       "\"status\": %u, \"samples\": %u",
			       first ? "" : ", ", when, (unsigned long long)end,
			       (unsigned long long)(period / 1000000000), status, samples);
			for (int k = 0; k < 4; k++)
				printf(", \"%s\": %llu", reg_names[k], (unsigned long long)reg[k]);
			for (int k = 0; k < 4; k++)
				printf(", \"delta_%s\": %llu", reg_names[k],
				       (unsigned long long)delta[k]);
			for (int q = 0; q < 4; q++)
				for (int ph = 0; ph < 3; ph++) {
					printf(", \"%s_l%d\": ", pq_names[q], ph + 1);
					json_number(pq[ph][q]);
				}
			putchar('}');
		} else if (csv) {
			printf("%s,%llu,%u,%u", when, (unsigned long long)(period / 1000000000),
			       status, samples);
			for (int k = 0; k < 4; k++)
				printf(",%llu", (unsigned long long)reg[k]);
			for (int k = 0; k < 4; k++)
				printf(",%llu", (unsigned long long)delta[k]);
			for (int q = 0; q < 4; q++)
				for (int ph = 0; ph < 3; ph++)
					printf(",%.6g", pq[ph][q]);
			putchar('\n');
		} else {
			printf("%-20s %-5s %7u %12llu %12llu %12llu %12llu %8.2f %8.2f %8.2f\n",
			       when, flags_text(status, fl), samples, (unsigned long long)delta[0],
			       (unsigned long long)delta[1], (unsigned long long)delta[2],
			       (unsigned long long)delta[3], pq[0][0], pq[1][0], pq[2][0]);
		}
		first = false;
	}
	if (json)
		printf("]}\n");
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
}

struct calib_args {
	const char *step;
	uint32_t phase; /* 0 = all */
	double v, i, p; /* 0 = not given */
};

/* A reference value: a finite number >= 0. */
static int parse_ref(const char *opt, const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*out) || *out < 0) {
		fprintf(stderr, "polymeterctl: --%s: not a value >= 0: %s\n", opt, s);
		return -EINVAL;
	}
	return 0;
}

static const char *const cal_units[] = {"V", "A", "W"};

/* The unit of a register's measured/reference values. */
static const char *cal_unit(const char *reg)
{
	if (reg[0] == 'v')
		return cal_units[0];
	if (reg[0] == 'i')
		return cal_units[1];
	return cal_units[2];
}

/* Calls Calibrate, again every second while the daemon says the readings are settling. */
static int calibrate(sd_bus *bus, const char *meter, const struct calib_args *a)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *reg;
	char path[256];
	uint32_t phase;
	int32_t old_code, new_code;
	double measured, reference;
	bool first = true;
	int r;

	snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	for (int tries = 0;; tries++) {
		r = sd_bus_call_method(bus, PM_BUS_NAME, path, PM_BUS_IFACE_METER, "Calibrate",
				       &error, &reply, "suddd", a->step, a->phase, a->v, a->i,
				       a->p);
		if (r >= 0 || tries >= 60 || !sd_bus_error_has_name(&error, PM_BUS_ERROR_NOT_READY))
			break;
		sd_bus_error_free(&error);
		sleep(1);
	}
	if (r < 0)
		return call_error(meter, &error, r);
	if (json)
		printf("{\"meter\": \"%s\", \"step\": \"%s\", \"changes\": [", meter, a->step);
	r = sd_bus_message_enter_container(reply, 'a', "(usiidd)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(usiidd)", &phase, &reg, &old_code,
						  &new_code, &measured, &reference)) > 0) {
		if (json) {
			printf("%s{\"phase\": %u, \"register\": \"%s\", \"old\": %d, \"new\": %d, "
			       "\"measured\": %.6g, \"reference\": %.6g}",
			       first ? "" : ", ", phase, reg, old_code, new_code, measured,
			       reference);
		} else {
			printf("L%u %-6s %11d -> %11d  (read %.3f %s for %.3f %s)\n", phase, reg,
			       old_code, new_code, measured, cal_unit(reg), reference,
			       cal_unit(reg));
		}
		first = false;
	}
	if (json)
		printf("]}\n");
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
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
			json = true;
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
			if (parse_ref("voltage", optarg, &cal.v) < 0)
				return 2;
			break;
		case 'I':
			if (parse_ref("current", optarg, &cal.i) < 0)
				return 2;
			break;
		case 'W':
			if (parse_ref("power", optarg, &cal.p) < 0)
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
		if (json && csv) {
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
	r = list_meters(bus, names, sizeof(names) / sizeof(names[0]), &n);
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
			r = calibrate(bus, meter, &cal);
		else
			r = !strcmp(cmd, "events") ? events(bus, meter, max)
						   : profile(bus, meter, from, to, csv);
		goto out;
	}
	if (!strcmp(cmd, "watch")) {
		if (!meter && n)
			meter = names[0];
		r = meter ? watch(bus, meter) : -ENOENT;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct meter_props m;

		if (meter && strcmp(meter, names[i]))
			continue;
		r = get_all(bus, names[i], &m);
		if (r < 0)
			goto out;
		if (!strcmp(cmd, "status"))
			print_status(names[i], &m);
		else
			print_registers(names[i], &m);
	}
	if (meter && !find_meter_named(names, n, meter))
		r = -ENOENT;
out:
	sd_bus_flush_close_unref(bus);
	if (r == -ENOENT)
		fprintf(stderr, "polymeterctl: no meter %s\n", meter ? meter : "");
	return r < 0 ? 1 : 0;
}
