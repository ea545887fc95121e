// SPDX-License-Identifier: GPL-2.0-only
/* The DLMS view's meter (see dlms-meter.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "core/billing/civil-time.h"
#include "core/dlms/cosem-time.h"
#include "core/model/quantity.h"
#include "views/dlms/dlms-meter.h"

#define NS_PER_S INT64_C(1000000000)
/* IEC 62056-6-2 clock_base: internal crystal (the system clock, whatever disciplines it). */
#define CLOCK_BASE_CRYSTAL 1
/* The logical device name: a three-letter manufacturer id, then the meter's name. */
#define LDN_PREFIX "PLM"

void pm_dlms_meter_init(struct pm_dlms_meter *dm, const struct pm_dlms_meter_config *cfg)
{
	memset(dm, 0, sizeof(*dm));
	dm->cfg = *cfg;
	snprintf(dm->ldn, sizeof(dm->ldn), "%s%s", LDN_PREFIX, cfg->name ? cfg->name : "");
	pm_local_clock_init(&dm->local, cfg->time_zone);
}

int64_t pm_dlms_meter_clock_offset_ns(const struct pm_dlms_meter *dm)
{
	return dm->clock_offset_ns;
}

int64_t pm_dlms_meter_now_ns(const struct pm_dlms_meter *dm)
{
	return dm->cfg.now(dm->cfg.userdata) + dm->clock_offset_ns;
}

/* ---- what the objects ask ---- */

enum pm_dlms_result pm_dlms_meter_refused(const struct pm_dlms_meter *dm, const char *what,
					  const struct pm_billing_error *e)
{
	log_warning("meter %s: DLMS %s refused: %s", dm->cfg.name, what, e->message);
	switch (e->kind) {
	case PM_BILLING_ERR_NO_STORE:
	case PM_BILLING_ERR_STORE_FAILED:
	case PM_BILLING_ERR_ACCOUNT_UNAVAILABLE:
		return PM_DLMS_TEMPORARY_FAILURE;
	case PM_BILLING_ERR_NOT_CONFIGURED:
		return PM_DLMS_OBJECT_UNAVAILABLE;
	default:
		return PM_DLMS_OTHER_REASON;
	}
}

static enum pm_dlms_result done(struct pm_dlms_meter *dm, const char *what, int r,
				const struct pm_billing_error *e)
{
	if (r < 0)
		return pm_dlms_meter_refused(dm, what, e);
	log_info("meter %s: DLMS %s", dm->cfg.name, what);
	if (dm->cfg.account_changed)
		dm->cfg.account_changed(dm->cfg.userdata);
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result remote_disconnect(void *data)
{
	struct pm_dlms_meter *dm = data;
	struct pm_billing_error e = {0};

	if (!dm->cfg.billing)
		return PM_DLMS_TEMPORARY_FAILURE;
	return done(dm, "remote disconnect",
		    pm_billing_disconnect(dm->cfg.billing, pm_dlms_meter_now_ns(dm), &e), &e);
}

static enum pm_dlms_result remote_reconnect(void *data, bool armed)
{
	struct pm_dlms_meter *dm = data;
	struct pm_billing_error e = {0};

	if (!dm->cfg.billing)
		return PM_DLMS_TEMPORARY_FAILURE;
	return done(dm, armed ? "remote reconnect (armed)" : "remote reconnect",
		    pm_billing_reconnect(dm->cfg.billing, pm_dlms_meter_now_ns(dm), armed, &e), &e);
}

/* @v into the setting's field of @c, as wide as the model's row says; false when it does not
 * fit the field (the account's own check then judges the value). */
static bool write_field(const struct pm_quantity *q, struct account_config *c, int64_t v)
{
	char *field = (char *)c + q->setting.off;

	if (q->kind == PM_VALUE_BOOL && q->setting.size == sizeof(bool)) {
		*(bool *)field = v != 0;
		return true;
	}
	if (q->kind == PM_VALUE_ENUM && q->setting.size == sizeof(int)) {
		int x = (int)v;

		if (v < 0 || v > INT32_MAX)
			return false;
		memcpy(field, &x, sizeof(x));
		return true;
	}
	if (q->kind != PM_VALUE_INT)
		return false;
	switch (q->setting.size) {
	case sizeof(uint8_t):
		if (v < 0 || v > UINT8_MAX)
			return false;
		*(uint8_t *)field = (uint8_t)v;
		return true;
	case sizeof(uint32_t): {
		uint32_t x = (uint32_t)v;

		if (v < 0 || v > UINT32_MAX)
			return false;
		memcpy(field, &x, sizeof(x));
		return true;
	}
	case sizeof(int64_t):
		memcpy(field, &v, sizeof(v));
		return true;
	default:
		return false;
	}
}

static enum pm_dlms_result set_setting(void *data, size_t quantity, int64_t value)
{
	struct pm_dlms_meter *dm = data;
	const struct pm_quantity *q = &pm_quantities[quantity];
	struct pm_billing_error e = {0};
	struct account_config c;
	char what[96];

	if (!dm->cfg.billing)
		return PM_DLMS_TEMPORARY_FAILURE;
	if (!q->setting.size)
		return PM_DLMS_READ_WRITE_DENIED;
	pm_billing_get_config(dm->cfg.billing, &c);
	if (!write_field(q, &c, value)) {
		log_warning("meter %s: DLMS SET of %s refused: %" PRId64 " does not fit it",
			    dm->cfg.name, q->id, value);
		return PM_DLMS_OTHER_REASON;
	}
	snprintf(what, sizeof(what), "SET of %s to %" PRId64, q->id, value);
	return done(dm, what,
		    pm_billing_configure(dm->cfg.billing, pm_dlms_meter_now_ns(dm), &c, &e), &e);
}

static enum pm_dlms_result set_clock(void *data, int64_t utc_s, const char *how)
{
	struct pm_dlms_meter *dm = data;
	int64_t source_ns = dm->cfg.now(dm->cfg.userdata);
	int64_t now_ns = source_ns + dm->clock_offset_ns;
	int64_t offset_ns;
	char when[40], detail[96];

	if (utc_s < -(INT64_MAX / NS_PER_S) + PM_DLMS_CLOCK_MAX_OFFSET_S ||
	    utc_s > INT64_MAX / NS_PER_S - PM_DLMS_CLOCK_MAX_OFFSET_S)
		return PM_DLMS_OTHER_REASON;
	offset_ns = utc_s * NS_PER_S - source_ns;
	if (offset_ns > PM_DLMS_CLOCK_MAX_OFFSET_S * NS_PER_S ||
	    offset_ns < -PM_DLMS_CLOCK_MAX_OFFSET_S * NS_PER_S) {
		log_warning("meter %s: DLMS clock %s to %s refused: more than %d s from the "
			    "source's clock",
			    dm->cfg.name, how,
			    pm_civil_format_utc(utc_s * NS_PER_S, when, sizeof(when)),
			    PM_DLMS_CLOCK_MAX_OFFSET_S);
		return PM_DLMS_OTHER_REASON;
	}
	dm->clock_offset_ns = offset_ns;
	snprintf(detail, sizeof(detail), "-> %s (%+" PRId64 " s, %s)",
		 pm_civil_format_utc(utc_s * NS_PER_S, when, sizeof(when)),
		 (utc_s * NS_PER_S - now_ns) / NS_PER_S, how);
	log_notice("meter %s: DLMS clock_set %s", dm->cfg.name, detail);
	pm_meter_event(dm->cfg.pipe, utc_s * NS_PER_S, "clock_set", detail);
	return PM_DLMS_SUCCESS;
}

/* ---- what the objects read ---- */

/* The zone around @utc_s: tzdata's year scan again only when the year or the offset in force
 * changed since the last. */
static void resolve_zone(struct pm_dlms_meter *dm, int64_t utc_s)
{
	const char *zone = dm->cfg.time_zone;
	int32_t off;
	bool dst;

	if (dm->have_zone && pm_local_clock_offset(&dm->local, utc_s, &off, &dst) == 0 &&
	    off == dm->zone.offset_s && dst == dm->zone.dst) {
		struct pm_local_time lt;

		if (pm_local_clock_at(&dm->local, utc_s, &lt) == 0 && lt.year == dm->zone.year)
			return;
	}
	dm->have_zone = pm_local_time_zone_at(zone, utc_s, &dm->zone) == 0;
}

static void fill_clock(struct pm_dlms_meter *dm, int64_t utc_s, struct pm_cosem_meter_clock *c)
{
	resolve_zone(dm, utc_s);
	memset(c, 0, sizeof(*c));
	c->utc_s = utc_s;
	c->clock_base = CLOCK_BASE_CRYSTAL;
	if (!dm->have_zone) {
		c->status = PM_COSEM_STATUS_DOUBTFUL; /* the zone could not be read: UTC */
		return;
	}
	c->offset_s = dm->zone.offset_s;
	c->std_offset_s = dm->zone.std_offset_s;
	c->dst = dm->zone.dst;
	c->dst_enabled = dm->zone.has_dst;
	c->dst_begin_utc = dm->zone.dst_begin_utc;
	c->dst_end_utc = dm->zone.dst_end_utc;
	c->dst_deviation_min = (int8_t)(dm->zone.dst_shift_s / 60);
}

void pm_dlms_meter_get(struct pm_dlms_meter *dm, struct pm_cosem_meter *out)
{
	const struct pm_snapshot *snap = pm_meter_snapshot(dm->cfg.pipe);
	const struct pm_meter_status *st = pm_meter_status(dm->cfg.pipe);
	const int64_t now_ns = pm_dlms_meter_now_ns(dm);
	uint32_t status = 0;

	memset(out, 0, sizeof(*out));
	if (snap && snap->seq) {
		/* the meter's values, with the account as it is now */
		dm->snap = *snap;
		if (dm->cfg.billing)
			pm_billing_snapshot(dm->cfg.billing, now_ns, &dm->snap.account);
		out->snap = &dm->snap;
		if (dm->cfg.billing && !dm->snap.account.valid)
			status |= PM_COSEM_STATUS_ACCOUNT_UNKNOWN;
	} else {
		status |= PM_COSEM_STATUS_NO_SNAPSHOT;
	}
	if (dm->cfg.connected && !dm->cfg.connected(dm->cfg.userdata))
		status |= PM_COSEM_STATUS_SOURCE_LOST;
	if (!st->store_ok)
		status |= PM_COSEM_STATUS_STORE_FAILING;
	if (!st->restored)
		status |= PM_COSEM_STATUS_NO_REGISTERS;
	if (dm->clock_offset_ns)
		status |= PM_COSEM_STATUS_CLOCK_ADJUSTED;
	out->status = status;
	out->serial = dm->cfg.name;
	out->manufacturer = "polymeter";
	out->firmware = dm->cfg.firmware;
	out->logical_device_name = dm->ldn;
	fill_clock(dm, pm_civil_floor_div(now_ns, NS_PER_S), &out->clock);
	out->measuring_period_s = dm->cfg.measuring_period_s;
	memcpy(out->demand_import, st->demand_import, sizeof(out->demand_import));
	memcpy(out->demand_export, st->demand_export, sizeof(out->demand_export));
	out->data = dm;
	out->set_clock = set_clock;
	out->remote_disconnect = remote_disconnect;
	out->remote_reconnect = remote_reconnect;
	out->set_setting = set_setting;
	out->enter_token = pm_dlms_meter_enter_token;
	pm_dlms_meter_load_token(dm);
	out->token_entry = dm->has_token ? &dm->token : NULL;
}
