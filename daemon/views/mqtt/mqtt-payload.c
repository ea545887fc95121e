// SPDX-License-Identifier: GPL-2.0-only
/* The MQTT payloads (mqtt-payload.h, docs/mqtt.md), from the model's tables. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/billing/civil-time.h"
#include "core/model/quantity.h"
#include "views/mqtt/mqtt-payload.h"

static const char *const phase_suffix[PM_MET_PHASES + 1] = {"L1", "L2", "L3", ""};

void pm_mqtt_point_name(size_t i, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", pm_points[i].dbus_name, phase_suffix[pm_points[i].phase]);
}

/* {"value": v x 10^scaler, "unit": unit} */
static void value(struct pm_json *j, const char *key, bool valid, int64_t v, int scaler,
		  const char *unit)
{
	pm_json_open(j, key, '{');
	if (valid)
		pm_json_decimal(j, "value", v, scaler);
	else
		pm_json_null(j, "value");
	pm_json_str(j, "unit", unit);
	pm_json_close(j, '}');
}

/* The header every payload starts with. */
static void head(struct pm_json *j, const char *meter, int64_t ts_ns)
{
	pm_json_open(j, NULL, '{');
	pm_json_str(j, "meter", meter);
	pm_json_utc(j, "ts", ts_ns);
}

size_t pm_mqtt_live(struct pm_json *j, const char *meter, int64_t ts_ns,
		    const struct pm_snapshot *snap, const int64_t *last_value,
		    const bool *last_valid)
{
	size_t n = 0;

	head(j, meter, ts_ns);
	pm_json_uint(j, "seq", snap->seq);
	pm_json_open(j, "values", '{');
	for (size_t i = 0; i < pm_point_count; i++) {
		const struct pm_point *p = &pm_points[i];
		char name[64];

		if (last_value && last_valid[i] == snap->valid[i] &&
		    (!snap->valid[i] || last_value[i] == snap->value[i]))
			continue;
		pm_mqtt_point_name(i, name, sizeof(name));
		value(j, name, snap->valid[i], snap->value[i], p->scaler, pm_unit_name(p->unit));
		n++;
	}
	pm_json_close(j, '}');
	pm_json_close(j, '}');
	return n;
}

void pm_mqtt_account(struct pm_json *j, const char *meter, int64_t ts_ns,
		     const struct pm_snapshot *snap)
{
	head(j, meter, ts_ns);
	pm_json_bool(j, "valid", snap->account.valid);
	pm_json_open(j, "values", '{');
	for (size_t q = 0; q < pm_quantity_count; q++) {
		const struct pm_quantity *qt = &pm_quantities[q];
		struct pm_value v;
		char text[64];

		/* what the bus policy lets anyone read, one property each (no Configuration) */
		if (!qt->dbus.iface || qt->dbus.dict || qt->read != PM_WHO_ANYONE ||
		    strcmp(qt->dbus.iface, PM_IFACE_ACCOUNT1) != 0 || qt->kind == PM_VALUE_ARRAY)
			continue;
		pm_quantity_value(snap, q, &v);
		if (!v.valid) {
			pm_json_null(j, qt->dbus.name);
			continue;
		}
		switch (qt->kind) {
		case PM_VALUE_INT:
			/* money's scaler follows the tariff currency's minor digits */
			value(j, qt->dbus.name, true, v.i + qt->dbus.bias,
			      pm_quantity_scaler(snap, q),
			      qt->unit == PM_UNIT_CURRENCY ? snap->account.currency
							   : pm_unit_name(qt->unit));
			break;
		case PM_VALUE_BOOL:
			pm_json_bool(j, qt->dbus.name, v.i != 0);
			break;
		case PM_VALUE_TIME:
			pm_json_utc(j, qt->dbus.name, v.i * 1000000000);
			break;
		default: /* ENUM (its name), STRING, DATE, RATIO: as text */
			pm_value_text(&v, text, sizeof(text));
			pm_json_str(j, qt->dbus.name, text);
			break;
		}
	}
	pm_json_close(j, '}');
	pm_json_close(j, '}');
}

static void peaks(struct pm_json *j, const char *key, const struct pm_demand_peak p[])
{
	pm_json_open(j, key, '[');
	for (int m = 0; m < PM_DEMAND_MONTHS; m++) {
		pm_json_open(j, NULL, '{');
		value(j, "demand", p[m].valid, p[m].demand_mw, -3, "W");
		if (p[m].valid)
			pm_json_utc(j, "end", p[m].end_ns);
		else
			pm_json_null(j, "end");
		pm_json_close(j, '}');
	}
	pm_json_close(j, ']');
}

void pm_mqtt_demand(struct pm_json *j, const char *meter, int64_t ts_ns,
		    const struct pm_demand_peak imp[PM_DEMAND_MONTHS],
		    const struct pm_demand_peak exp[PM_DEMAND_MONTHS])
{
	head(j, meter, ts_ns);
	peaks(j, "MaximumDemandImport", imp);
	peaks(j, "MaximumDemandExport", exp);
	pm_json_close(j, '}');
}

const char *pm_mqtt_stream_name(enum pm_store_mqtt_stream s)
{
	static const char *const names[PM_STORE_MQTT_STREAMS] = {
	    [PM_STORE_MQTT_PROFILE] = "profile",
	    [PM_STORE_MQTT_EVENT] = "event",
	    [PM_STORE_MQTT_DAILY] = "billing/daily",
	    [PM_STORE_MQTT_MONTHLY] = "billing/monthly",
	};
	return (unsigned)s < PM_STORE_MQTT_STREAMS ? names[s] : "?";
}

static void identity(struct pm_json *j, const char *gateway, const char *meter,
		     enum pm_store_mqtt_stream s, int64_t key)
{
	char id[256];

	snprintf(id, sizeof(id), "%s/%s/%s/%" PRId64, gateway, meter, pm_mqtt_stream_name(s), key);
	pm_json_str(j, "id", id);
}

/* The profile's and the billing captures' registers: total +A, -A, +R, -R (mWh, mvarh). */
static const char *const reg_points[PM_STORE_PROF_REGS] = {
    "total.energy.active_import",
    "total.energy.active_export",
    "total.energy.reactive_import",
    "total.energy.reactive_export",
};

static void registers(struct pm_json *j, const char *key, const uint64_t reg[PM_STORE_PROF_REGS])
{
	pm_json_open(j, key, '{');
	for (int r = 0; r < PM_STORE_PROF_REGS; r++) {
		int i = pm_point_find(reg_points[r]);
		char name[64];

		if (i < 0)
			continue;
		pm_mqtt_point_name((size_t)i, name, sizeof(name));
		value(j, name, reg[r] <= INT64_MAX, (int64_t)reg[r], pm_points[i].scaler,
		      pm_unit_name(pm_points[i].unit));
	}
	pm_json_close(j, '}');
}

void pm_mqtt_profile(struct pm_json *j, const char *gateway, const char *meter,
		     const struct pm_store_profile *e)
{
	/* the per-phase means, named as the points whose units and scalers they have */
	static const char *const avg_points[4] = {"voltage", "current", "power_factor",
						  "frequency"};

	head(j, meter, e->end_ns);
	identity(j, gateway, meter, PM_STORE_MQTT_PROFILE, e->end_ns);
	pm_json_utc(j, "start", e->end_ns - e->period_ns);
	pm_json_utc(j, "end", e->end_ns);
	pm_json_int(j, "period_s", e->period_ns / 1000000000);
	pm_json_uint(j, "status", e->status);
	pm_json_bool(j, "power_down", e->status & PM_PROFILE_POWER_DOWN);
	pm_json_bool(j, "clock_adjusted", e->status & PM_PROFILE_CLOCK_ADJUSTED);
	pm_json_bool(j, "partial", e->status & PM_PROFILE_PARTIAL);
	pm_json_uint(j, "samples", e->samples);
	registers(j, "registers", e->reg);
	registers(j, "deltas", e->delta);
	pm_json_open(j, "averages", '{');
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		for (int k = 0; k < 4; k++) {
			const int64_t v[4] = {e->avg[ph].v_mv, e->avg[ph].i_ma, e->avg[ph].pf_micro,
					      e->avg[ph].f_mhz};
			char id[32], name[64];
			int i;

			snprintf(id, sizeof(id), "l%d.%s", ph + 1, avg_points[k]);
			i = pm_point_find(id);
			if (i < 0)
				continue;
			pm_mqtt_point_name((size_t)i, name, sizeof(name));
			value(j, name, true, v[k], pm_points[i].scaler,
			      pm_unit_name(pm_points[i].unit));
		}
	pm_json_close(j, '}');
	pm_json_close(j, '}');
}

void pm_mqtt_event(struct pm_json *j, const char *gateway, const char *meter, int64_t id,
		   const struct pm_store_event *ev)
{
	head(j, meter, ev->utc_ns);
	identity(j, gateway, meter, PM_STORE_MQTT_EVENT, id);
	pm_json_int(j, "seq", id);
	pm_json_str(j, "kind", ev->kind);
	pm_json_str(j, "detail", ev->detail);
	pm_json_close(j, '}');
}

void pm_mqtt_billing(struct pm_json *j, const char *gateway, const char *meter,
		     const struct pm_store_billing *b)
{
	bool daily = b->scheme == PM_STORE_BILLING_DAILY;
	int64_t y;
	int mo, d;
	char date[24];

	head(j, meter, b->utc_ns);
	identity(j, gateway, meter, daily ? PM_STORE_MQTT_DAILY : PM_STORE_MQTT_MONTHLY, b->utc_ns);
	pm_json_str(j, "period", daily ? "daily" : "monthly");
	pm_civil_date_from_days(b->local_day, &y, &mo, &d);
	pm_json_str(j, "local_date", pm_civil_format_date(y, mo, d, date, sizeof(date)));
	registers(j, "registers", b->reg);
	pm_json_open(j, "rates_import", '[');
	for (int r = 0; r < b->n_rates && r < PM_STORE_BILLING_RATES; r++)
		value(j, NULL, b->rate_import[r] <= INT64_MAX, (int64_t)b->rate_import[r], -3,
		      "Wh");
	pm_json_close(j, ']');
	pm_json_open(j, "rates_export", '[');
	for (int r = 0; r < b->n_export_rates && r < PM_STORE_BILLING_RATES; r++)
		value(j, NULL, b->rate_export[r] <= INT64_MAX, (int64_t)b->rate_export[r], -3,
		      "Wh");
	pm_json_close(j, ']');
	for (int k = 0; k < 2; k++) {
		pm_json_open(j, k ? "MaximumDemandExport" : "MaximumDemandImport", '{');
		value(j, "demand", b->md_valid[k], b->md_mw[k], -3, "W");
		if (b->md_valid[k])
			pm_json_utc(j, "end", b->md_end_ns[k]);
		else
			pm_json_null(j, "end");
		pm_json_close(j, '}');
	}
	/* §7.8: the period's charges, in mu as D-Bus gives money (the capture holds no
	 * currency); only a monthly capture with an account has them */
	if (b->has_charges)
		pm_json_int(j, "charges_mu", b->charges_mu);
	pm_json_close(j, '}');
}
