// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterctl status and registers (polymeterctl-internal.h): a meter's instantaneous values,
 * energy totals, maximum demand, account line and energy registers, as text or JSON.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "core/billing/civil-time.h"
#include "core/billing/money.h"
#include "ctl/polymeterctl-account.h"
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

/* "2026-12-05T17:30:01Z", or "never" before the first sample: LastUpdate is in µs. */
static const char *last_update(const struct meter_props *m, char *buf, size_t len)
{
	uint64_t us = ctl_prop_u64(m, "LastUpdate");

	if (!us || us > INT64_MAX / 1000)
		return "no sample yet";
	return pm_civil_format_utc((int64_t)(us * 1000), buf, len);
}

/* Wh as kWh with 3 decimals ("1.234"), exact: integer arithmetic, no rounding. */
static const char *kwh(int64_t wh, char *buf, size_t len)
{
	uint64_t a = wh < 0 ? -(uint64_t)wh : (uint64_t)wh;

	snprintf(buf, len, "%s%llu.%03llu", wh < 0 ? "-" : "", (unsigned long long)(a / 1000),
		 (unsigned long long)(a % 1000));
	return buf;
}

/* The account's line: mode, balance, tariff, rate and price, supply. */
static void print_account_line(sd_bus *bus, const char *meter)
{
	struct account_props a;
	char bal[40], price[40], rn[80];

	if (!ctl_read_account_quiet(bus, meter, &a))
		return;
	printf("account   %s, balance %s%s", a.mode, pm_money_format(a.balance, bal, sizeof(bal)),
	       a.unit);
	if (a.has_tariff)
		printf(", tariff %s: rate %u%s, %s%s per kWh", a.tariff, a.rate + 1u,
		       ctl_rate_name(&a, rn, sizeof(rn)),
		       pm_money_format(a.price, price, sizeof(price)), a.unit);
	else
		printf(", no tariff");
	printf(", supply %s\n", a.state);
}

/* A value of the status table, "-" while it is unknown (NaN) rather than "nan". */
static void column(double v, int width, int decimals)
{
	if (isnan(v))
		printf(" %*s", width, "-");
	else
		printf(" %*.*f", width, decimals, v);
}

void ctl_print_status(sd_bus *bus, const char *meter, const struct meter_props *m)
{
	static const char *const ph[] = {"L1", "L2", "L3", ""};
	static const char *const q[] = {"Voltage",	 "Current",	"Power",    "ReactivePower",
					"ApparentPower", "PowerFactor", "Frequency"};
	static const int widths[] = {9, 8, 10, 10, 10, 7, 8}, decimals[] = {2, 3, 1, 1, 1, 3, 3};
	const struct prop *c = ctl_prop_find(m, "Connected");
	int64_t imp = (int64_t)ctl_prop_u64(m, "EnergyImport");
	int64_t exp = (int64_t)ctl_prop_u64(m, "EnergyExport");
	char name[64], when[32], e[3][32];

	if (ctl_json) {
		printf("{\"meter\":\"%s\",\"connected\":%s", meter, c && c->b ? "true" : "false");
		printf(",\"time\":");
		if (ctl_prop_u64(m, "LastUpdate"))
			ctl_json_string(last_update(m, when, sizeof(when)));
		else
			fputs("null", stdout);
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
		printf(",\"EnergyImport\":%lld,\"EnergyExport\":%lld", (long long)imp,
		       (long long)exp);
		json_demand(m, "MaximumDemandImport");
		json_demand(m, "MaximumDemandExport");
		printf("}\n");
		fflush(stdout);
		return;
	}
	printf("meter %s: %s, last sample %s\n", meter, c && c->b ? "connected" : "NOT CONNECTED",
	       last_update(m, when, sizeof(when)));
	printf("%-6s %9s %8s %10s %10s %10s %7s %8s\n", "", "V", "A", "W", "var", "VA", "PF", "Hz");
	for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++) {
		double v[7];

		for (size_t k = 0; k < 7; k++) {
			snprintf(name, sizeof(name), "%s%s", q[k], ph[i]);
			v[k] = ctl_prop_double(m, name);
		}
		if (!*ph[i])
			v[0] = ctl_prop_double(m, "VoltageAverage");
		printf("%-6s", *ph[i] ? ph[i] : "total");
		for (size_t k = 0; k < 7; k++)
			column(v[k], widths[k], decimals[k]);
		putchar('\n');
	}
	/* the total row is not a column sum everywhere: say where */
	printf("(total: V and Hz the mean of the phases, A W var VA their sum, PF = W / VA)\n");
	printf("neutral current %.3f A\n", ctl_prop_double(m, "NeutralCurrent"));
	printf("energy    import %s kWh, export %s kWh, net %s kWh\n", kwh(imp, e[0], sizeof(e[0])),
	       kwh(exp, e[1], sizeof(e[1])), kwh(imp - exp, e[2], sizeof(e[2])));
	/* metrology's NET total (core/metrology/metrology.h): phases are netted before import
	 * and export are told apart, as a polyphase meter bills */
	printf("          (the phases netted each moment: an export on one phase offsets another's "
	       "import,\n           so these are not the sums of the phases' registers)\n");
	print_demand(m, "MaximumDemandImport", "import");
	print_demand(m, "MaximumDemandExport", "export");
	print_account_line(bus, meter);
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
