// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterctl status, registers and watch (polymeterctl-internal.h): a meter's instantaneous
 * values, maximum demand and energy registers as text or JSON, again at every
 * PropertiesChanged with watch.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "core/billing/civil-time.h"
#include "ctl/polymeterctl-internal.h"
#include "views/dbus/bus.h"

/* "MaximumDemandImport": [{"w": 6900, "end_utc_ns": ..., "end": "..."} or null, ...] */
static void json_demand(const struct meter_props *m, const char *name)
{
	const struct prop *p = ctl_prop_find(m, name);
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
		ctl_json_number(p->md_w[i]);
		printf(",\"end_utc_ns\":%llu,\"end\":", (unsigned long long)p->md_end[i]);
		ctl_json_string(when);
		putchar('}');
	}
	putchar(']');
}

static void print_demand(const struct meter_props *m, const char *name, const char *label)
{
	static const char *const month[3] = {"this month", "last month", "month before"};
	const struct prop *p = ctl_prop_find(m, name);
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

void ctl_print_status(const char *meter, const struct meter_props *m)
{
	static const char *const ph[] = {"L1", "L2", "L3", ""};
	static const char *const q[] = {"Voltage",	 "Current",	"Power",    "ReactivePower",
					"ApparentPower", "PowerFactor", "Frequency"};
	const struct prop *c = ctl_prop_find(m, "Connected");
	char name[64];

	if (ctl_json) {
		printf("{\"meter\":\"%s\",\"connected\":%s", meter, c && c->b ? "true" : "false");
		for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++)
			for (size_t k = 0; k < sizeof(q) / sizeof(q[0]); k++) {
				snprintf(name, sizeof(name), "%s%s", q[k], ph[i]);
				if (!ctl_prop_find(m, name))
					continue;
				printf(",\"%s\":", name);
				ctl_json_number(ctl_prop_double(m, name));
			}
		printf(",\"NeutralCurrent\":");
		ctl_json_number(ctl_prop_double(m, "NeutralCurrent"));
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
			v[k] = ctl_prop_double(m, name);
		}
		if (!*ph[i])
			v[0] = ctl_prop_double(m, "VoltageAverage");
		printf("%-6s %9.2f %8.3f %10.1f %10.1f %10.1f %7.3f %8.3f\n",
		       *ph[i] ? ph[i] : "total", v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
	}
	printf("neutral current %.3f A\n", ctl_prop_double(m, "NeutralCurrent"));
	print_demand(m, "MaximumDemandImport", "import");
	print_demand(m, "MaximumDemandExport", "export");
	fflush(stdout);
}

void ctl_print_registers(const char *meter, const struct meter_props *m)
{
	static const char *const regs[] = {
	    "EnergyImport",	    "EnergyExport",	"ReactiveEnergyImport",
	    "ReactiveEnergyExport", "ReactiveEnergyQ1", "ReactiveEnergyQ2",
	    "ReactiveEnergyQ3",	    "ReactiveEnergyQ4", "ApparentEnergyImport",
	    "ApparentEnergyExport",
	};
	static const char *const ph[] = {"", "L1", "L2", "L3"};
	char name[64];

	if (ctl_json)
		printf("{\"meter\":\"%s\"", meter);
	else
		printf("meter %s (Wh, varh, VAh)\n%-22s %14s %14s %14s %14s\n", meter, "register",
		       "total", "L1", "L2", "L3");
	for (size_t k = 0; k < sizeof(regs) / sizeof(regs[0]); k++) {
		if (!ctl_json)
			printf("%-22s", regs[k]);
		for (size_t i = 0; i < 4; i++) {
			snprintf(name, sizeof(name), "%s%s", regs[k], ph[i]);
			if (ctl_json)
				printf(",\"%s\":%llu", name,
				       (unsigned long long)ctl_prop_u64(m, name));
			else
				printf(" %14llu", (unsigned long long)ctl_prop_u64(m, name));
		}
		if (!ctl_json)
			printf("\n");
	}
	if (ctl_json)
		printf("}\n");
	fflush(stdout);
}

static int on_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	const char *meter = userdata;
	struct meter_props m;

	(void)error;
	if (ctl_get_meter_props(sd_bus_message_get_bus(msg), meter, &m) >= 0)
		ctl_print_status(meter, &m);
	return 0;
}

int ctl_watch(sd_bus *bus, const char *meter)
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
	r = ctl_get_meter_props(bus, meter, &m);
	if (r < 0)
		return r;
	ctl_print_status(meter, &m);
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
