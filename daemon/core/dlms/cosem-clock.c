// SPDX-License-Identifier: GPL-2.0-only
/*
 * Clock (class 8, version 0) at 0.0.1.0.0.255 (IEC 62056-6-1; Gurux's default LN for its Clock).
 * Attributes (the reference's table, from Gurux's GXDLMSClock): 2 time (date-time octet-string),
 * 3 time_zone (long, minutes), 4 status (unsigned), 5 daylight_savings_begin and 6 _end
 * (date-time octet-strings), 7 daylight_savings_deviation (integer, minutes), 8
 * daylight_savings_enabled (boolean), 9 clock_base (enum). Methods 1 adjust_to_quarter, 2
 * adjust_to_measuring_period, 3 adjust_to_minute, 4 adjust_to_preset_time, 5
 * preset_adjusting_time, 6 shift_time.
 *
 * Signs: DLMS's deviation runs from local time to UTC (UTC = local + deviation; cosem-time.h),
 * and time_zone is the same for local standard time: -60 in Paris, as Gurux documents for DLMS
 * and IDIS (gurux.fi, "Clock": "Paris Time zone (UTC+60) ... DLMS and IDIS: -60 minutes").
 * daylight_savings_deviation is the minutes the local time moves forward (60).
 *
 * Both clients read every attribute. The zone is the meter's configuration (time_zone in
 * polymeterd.conf), so attributes 3 and 5..9 are read-only; the management client may SET the
 * time and invoke methods 1, 2, 3 and 6, each of which asks the meter to set its clock
 * (struct pm_cosem_meter.set_clock: the daemon decides what that means, views/dlms/dlms-meter.h).
 * Methods 4 and 5 (a preset time with a validity window) are not offered: no access.
 *
 * daylight_savings_begin / _end: this year's changes as the local time in force just before
 * each (with its deviation), fully specified; every field "not specified" without daylight
 * saving.
 */
#include "core/billing/civil-time.h"
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-clock.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/cosem-time.h"

enum clock_method {
	ADJUST_TO_QUARTER = 1,
	ADJUST_TO_MEASURING_PERIOD = 2,
	ADJUST_TO_MINUTE = 3,
	ADJUST_TO_PRESET_TIME = 4,
	PRESET_ADJUSTING_TIME = 5,
	SHIFT_TIME = 6,
};

/* shift_time's range (Blue Book: -900..900 s). */
#define SHIFT_MAX_S 900

int32_t pm_cosem_clock_offset_at(const struct pm_cosem_meter_clock *c, int64_t utc_s, bool *dst)
{
	bool in;

	if (!c->dst_enabled) {
		*dst = false;
		return c->std_offset_s;
	}
	/* the southern hemisphere begins late in the year and ends early in it */
	if (c->dst_begin_utc <= c->dst_end_utc)
		in = utc_s >= c->dst_begin_utc && utc_s < c->dst_end_utc;
	else
		in = utc_s >= c->dst_begin_utc || utc_s < c->dst_end_utc;
	*dst = in;
	return c->std_offset_s + (in ? c->dst_deviation_min * 60 : 0);
}

void pm_cosem_clock_put_local(struct pm_axdr_out *out, const struct pm_cosem_meter_clock *c,
			      int64_t utc_s)
{
	bool dst;
	int32_t off = pm_cosem_clock_offset_at(c, utc_s, &dst);

	pm_cosem_put_datetime(out, utc_s, off,
			      (uint8_t)(c->status | (dst ? PM_COSEM_STATUS_DST : 0)));
}

/* A change of this year's, in the local time in force just before it. */
static void put_change(struct pm_axdr_out *out, const struct pm_cosem_meter_clock *c, int64_t utc_s)
{
	bool dst;
	int32_t off;

	if (!c->dst_enabled) {
		pm_cosem_put_datetime_unspecified(out);
		return;
	}
	off = pm_cosem_clock_offset_at(c, utc_s - 1, &dst);
	pm_cosem_put_datetime(out, utc_s, off, dst ? PM_COSEM_STATUS_DST : 0);
}

static enum pm_dlms_result clock_get(const struct pm_cosem_object *o,
				     const struct pm_cosem_request *req, uint8_t attr,
				     const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	const struct pm_cosem_meter_clock *c;

	(void)o;
	(void)sel;
	if (!req->meter)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	c = &req->meter->clock;
	switch (attr) {
	case 2:
		pm_cosem_put_datetime(out, c->utc_s, c->offset_s,
				      (uint8_t)(c->status | (c->dst ? PM_COSEM_STATUS_DST : 0)));
		break;
	case 3:
		pm_axdr_put_i16(out, (int16_t)(-c->std_offset_s / 60));
		break;
	case 4:
		pm_axdr_put_u8(out, (uint8_t)(c->status | (c->dst ? PM_COSEM_STATUS_DST : 0)));
		break;
	case 5:
		put_change(out, c, c->dst_begin_utc);
		break;
	case 6:
		put_change(out, c, c->dst_end_utc);
		break;
	case 7:
		pm_axdr_put_i8(out, c->dst_enabled ? c->dst_deviation_min : 0);
		break;
	case 8:
		pm_axdr_put_bool(out, c->dst_enabled);
		break;
	case 9:
		pm_axdr_put_enum(out, c->clock_base);
		break;
	default:
		return PM_DLMS_OBJECT_UNDEFINED;
	}
	return PM_DLMS_SUCCESS;
}

static enum pm_cosem_attr_access clock_access(const struct pm_cosem_object *o,
					      enum pm_dlms_client client, uint8_t attr)
{
	(void)o;
	if (client == PM_DLMS_CLIENT_MANAGEMENT)
		return attr == 2 ? PM_COSEM_READ_WRITE : PM_COSEM_READ;
	return client == PM_DLMS_CLIENT_PUBLIC ? PM_COSEM_READ : PM_COSEM_NO_ACCESS;
}

static bool clock_method_access(const struct pm_cosem_object *o, enum pm_dlms_client client,
				uint8_t method)
{
	(void)o;
	return client == PM_DLMS_CLIENT_MANAGEMENT && method != ADJUST_TO_PRESET_TIME &&
	       method != PRESET_ADJUSTING_TIME;
}

static enum pm_dlms_result set_clock(const struct pm_cosem_request *req, int64_t utc_s,
				     const char *how)
{
	const struct pm_cosem_meter *m = req->meter;

	if (!m || !m->set_clock)
		return PM_DLMS_TEMPORARY_FAILURE;
	return m->set_clock(m->data, utc_s, how);
}

static enum pm_dlms_result clock_set(const struct pm_cosem_object *o,
				     const struct pm_cosem_request *req, uint8_t attr,
				     const uint8_t *value, size_t len)
{
	struct pm_cosem_datetime dt;
	struct pm_axdr_in in;
	const uint8_t *p;
	int64_t utc_s;
	size_t n;

	(void)o;
	if (attr != 2 || !req->meter)
		return PM_DLMS_READ_WRITE_DENIED;
	pm_axdr_in_init(&in, value, len);
	if (pm_axdr_expect_octet_string(&in, &p, &n) || n != PM_COSEM_DATETIME_LEN ||
	    pm_axdr_in_left(&in))
		return PM_DLMS_TYPE_UNMATCHED;
	pm_cosem_datetime_decode(p, &dt);
	/* no deviation given: the local time of the meter's zone as it is now */
	if (dt.deviation == PM_COSEM_DEVIATION_ANY)
		dt.deviation = (int16_t)(-req->meter->clock.offset_s / 60);
	if (pm_cosem_datetime_to_utc(&dt, &utc_s))
		return PM_DLMS_OTHER_REASON; /* not a date-time the clock can take */
	return set_clock(req, utc_s, "set");
}

/* @local_s rounded to the nearest multiple of @step_s (a half rounds up). */
static int64_t nearest(int64_t local_s, int64_t step_s)
{
	return pm_civil_floor_div(local_s + step_s / 2, step_s) * step_s;
}

/* The parameter of methods 1..3: integer(0) (any integer, or none, is taken). */
static bool zero_parameter(const uint8_t *param, size_t len)
{
	struct pm_axdr_in in;
	int64_t v;

	if (!param || !len)
		return true;
	pm_axdr_in_init(&in, param, len);
	return !pm_axdr_expect_int(&in, INT64_MIN, INT64_MAX, &v) && !pm_axdr_in_left(&in);
}

static enum pm_dlms_result clock_action(const struct pm_cosem_object *o,
					const struct pm_cosem_request *req, uint8_t method,
					const uint8_t *param, size_t len, struct pm_axdr_out *out)
{
	const struct pm_cosem_meter *m = req->meter;
	struct pm_axdr_in in;
	int64_t local, shift;

	(void)o;
	(void)out;
	if (!m)
		return PM_DLMS_TEMPORARY_FAILURE;
	local = m->clock.utc_s + m->clock.offset_s;
	switch (method) {
	case ADJUST_TO_QUARTER:
		if (!zero_parameter(param, len))
			return PM_DLMS_TYPE_UNMATCHED;
		return set_clock(req, nearest(local, 900) - m->clock.offset_s, "adjust_to_quarter");
	case ADJUST_TO_MEASURING_PERIOD:
		if (!zero_parameter(param, len))
			return PM_DLMS_TYPE_UNMATCHED;
		if (m->measuring_period_s <= 0)
			return PM_DLMS_OTHER_REASON;
		return set_clock(req, nearest(local, m->measuring_period_s) - m->clock.offset_s,
				 "adjust_to_measuring_period");
	case ADJUST_TO_MINUTE:
		if (!zero_parameter(param, len))
			return PM_DLMS_TYPE_UNMATCHED;
		return set_clock(req, nearest(local, 60) - m->clock.offset_s, "adjust_to_minute");
	case SHIFT_TIME:
		pm_axdr_in_init(&in, param, len);
		if (!param || pm_axdr_expect_int(&in, INT16_MIN, INT16_MAX, &shift) ||
		    pm_axdr_in_left(&in))
			return PM_DLMS_TYPE_UNMATCHED;
		if (shift < -SHIFT_MAX_S || shift > SHIFT_MAX_S)
			return PM_DLMS_OTHER_REASON;
		return set_clock(req, m->clock.utc_s + shift, "shift_time");
	default:
		return PM_DLMS_READ_WRITE_DENIED;
	}
}

const struct pm_cosem_class pm_cosem_clock_class = {
    .class_id = 8,
    .version = 0,
    .n_attrs = 9,
    .n_methods = 6,
    .visible = pm_cosem_visible_to_all,
    .attr_access = clock_access,
    .method_access = clock_method_access,
    .selectors = pm_cosem_no_selectors,
    .get = clock_get,
    .set = clock_set,
    .action = clock_action,
};

static const struct pm_cosem_object clock[] = {
    {{0, 0, 1, 0, 0, 255}, &pm_cosem_clock_class, 0},
};

const struct pm_cosem_table pm_cosem_clock_table = PM_COSEM_TABLE(clock);
