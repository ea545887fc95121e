// SPDX-License-Identifier: GPL-2.0-only
/*
 * Profile generic (class 7, version 1): the load profile, the daily and monthly billing
 * profiles and the event logs (cosem-profile.h), read-only, for the management client only
 * (consumption is the customer's data; the public client does not see them).
 *
 * Attributes (IEC 62056-6-2; Gurux's GXDLMSProfileGeneric and the reference's table): 2 buffer
 * (array of structures, one element per capture object; selective access by range 1 and entry
 * 2, cosem-selective.h), 3 capture_objects (array of {class_id long-unsigned, logical_name
 * octet-string, attribute_index integer, data_index long-unsigned}), 4 capture_period
 * (double-long-unsigned, s; 0: captured on events), 5 sort_method (enum, 1 FIFO: entries in the
 * order they were captured), 6 sort_object (a capture_object_definition; none for FIFO: class 0,
 * LN zeros, attribute 0, data index 0), 7 entries_in_use and 8 profile_entries
 * (double-long-unsigned). Methods 1 reset and 2 capture: the meter's profiles are its record,
 * captured by the meter itself, so no client may invoke them (read-write-denied).
 *
 * The buffer is encoded row by row as the meter streams them (struct pm_cosem_meter), into a
 * heap writer bounded by PM_DLMS_MAX_RESPONSE, then behind its array header: 240 days of
 * 30-minute load profile (11 520 entries of 54 octets) are 622 kB, never all rows in memory.
 * A buffer larger than the bound is refused (other-reason); read it by range or by entry.
 *
 * The status column (Data 0.0.96.10.1.255, unsigned) is the DSMR / IDIS AMR profile status as
 * Gurux's forum quotes it (gurux.fi/node/24756): bit 7 power down (PM_PROFILE_POWER_DOWN),
 * bit 5 clock adjusted (PM_PROFILE_CLOCK_ADJUSTED), bit 3 daylight saving in force at the
 * interval's end, bit 2 data not valid (PM_PROFILE_PARTIAL: the interval was not covered from
 * its start, its energy may hold what was counted in an outage). Bits 0 critical error and 1
 * clock invalid are never set.
 */
#include <string.h>

#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-clock.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/cosem-profile.h"
#include "core/dlms/cosem-selective.h"
#include "core/dlms/cosem-time.h"
#include "core/dlms/server.h"
#include "core/metrology/profile.h"

#define STATUS_POWER_DOWN 0x80
#define STATUS_CLOCK_ADJUSTED 0x20
#define STATUS_DST 0x08
#define STATUS_DATA_NOT_VALID 0x04
#define SORT_FIFO 1

int32_t pm_cosem_meter_offset_at(const struct pm_cosem_meter *m, int64_t utc_s, bool *dst)
{
	int32_t off = 0;

	*dst = false;
	if (m->local_offset) {
		m->local_offset(m->profiles_data, utc_s, &off, dst);
		return off;
	}
	return pm_cosem_clock_offset_at(&m->clock, utc_s, dst);
}

static int32_t offset_only(const void *ctx, int64_t utc_s)
{
	bool dst;

	return pm_cosem_meter_offset_at(ctx, utc_s, &dst);
}

/* A row's time stamp: local time, with its deviation and the daylight-saving bit. */
static void put_time(struct pm_axdr_out *out, const struct pm_cosem_meter *m, int64_t utc_s)
{
	bool dst;
	int32_t off = pm_cosem_meter_offset_at(m, utc_s, &dst);

	pm_cosem_put_datetime(out, utc_s, off, dst ? PM_COSEM_STATUS_DST : 0);
}

/* The status column of a load-profile interval (see the top). */
static uint8_t profile_status(uint32_t status, bool dst)
{
	return (uint8_t)((status & PM_PROFILE_POWER_DOWN ? STATUS_POWER_DOWN : 0) |
			 (status & PM_PROFILE_CLOCK_ADJUSTED ? STATUS_CLOCK_ADJUSTED : 0) |
			 (dst ? STATUS_DST : 0) |
			 (status & PM_PROFILE_PARTIAL ? STATUS_DATA_NOT_VALID : 0));
}

static void put_register(struct pm_axdr_out *out, uint64_t v)
{
	pm_axdr_put_i64(out, v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

static void put_cell(struct pm_axdr_out *out, const struct pm_cosem_meter *m,
		     const struct pm_cosem_column *c, const struct pm_cosem_profile_row *row)
{
	unsigned i = c->index;
	bool dst;

	switch (c->source) {
	case PM_COSEM_COL_CLOCK:
		put_time(out, m, row->utc_s);
		return;
	case PM_COSEM_COL_STATUS:
		pm_cosem_meter_offset_at(m, row->utc_s, &dst);
		pm_axdr_put_u8(out, profile_status(row->status, dst));
		return;
	case PM_COSEM_COL_EVENT_CODE:
		pm_axdr_put_u16(out, row->event_code);
		return;
	case PM_COSEM_COL_REG:
		put_register(out, i < 4 ? row->reg[i] : 0);
		return;
	case PM_COSEM_COL_RATE_IMPORT:
		if (i < row->n_rates && i < PM_COSEM_PROFILE_RATES)
			put_register(out, row->rate_import[i]);
		else
			pm_axdr_put_null(out); /* the tariff had no such rate */
		return;
	case PM_COSEM_COL_RATE_EXPORT:
		if (i < row->n_export_rates && i < PM_COSEM_PROFILE_RATES)
			put_register(out, row->rate_export[i]);
		else
			pm_axdr_put_null(out);
		return;
	case PM_COSEM_COL_DEMAND:
		if (i < 2 && row->md_valid[i])
			pm_axdr_put_i64(out, row->md_mw[i]);
		else
			pm_axdr_put_null(out); /* no peak in that month yet */
		return;
	case PM_COSEM_COL_DEMAND_TIME:
		if (i < 2 && row->md_valid[i])
			put_time(out, m, row->md_end_s[i]);
		else
			pm_cosem_put_datetime_unspecified(out);
		return;
	default:
		pm_axdr_put_null(out);
	}
}

struct buffer_ctx {
	const struct pm_cosem_meter *m;
	const struct pm_cosem_profile_def *def;
	const struct pm_cosem_selection *sel;
	struct pm_axdr_out rows;
	uint32_t n;
};

static int put_row(void *ctx, const struct pm_cosem_profile_row *row)
{
	struct buffer_ctx *b = ctx;

	pm_axdr_put_structure(&b->rows, b->sel->n_columns);
	for (unsigned k = 0; k < b->sel->n_columns; k++)
		put_cell(&b->rows, b->m, &b->def->columns[b->sel->columns[k]], row);
	b->n++;
	return b->rows.overflow ? 1 : 0; /* too long even for block transfer: stop reading */
}

static enum pm_dlms_result put_buffer(const struct pm_cosem_profile_def *def,
				      enum pm_cosem_profile p, const struct pm_cosem_meter *m,
				      const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	struct pm_cosem_selection s;
	struct buffer_ctx b = {.m = m, .def = def, .sel = &s};
	enum pm_dlms_result r;

	r = pm_cosem_select(sel, def->columns, def->n_columns, offset_only, m, &s);
	if (r != PM_DLMS_SUCCESS)
		return r;
	if (!m->profile_rows)
		return PM_DLMS_TEMPORARY_FAILURE;
	if (!s.q.by_entry && s.q.from_utc_s > s.q.to_utc_s) {
		pm_axdr_put_array(out, 0); /* from after to: no entry is in the range */
		return PM_DLMS_SUCCESS;
	}
	pm_axdr_out_init_heap(&b.rows, PM_DLMS_MAX_RESPONSE);
	r = m->profile_rows(m->profiles_data, p, &s.q, put_row, &b);
	if (r == PM_DLMS_SUCCESS && b.rows.overflow)
		r = PM_DLMS_OTHER_REASON;
	if (r == PM_DLMS_SUCCESS) {
		pm_axdr_put_array(out, b.n);
		pm_axdr_put_raw(out, b.rows.buf, b.rows.len);
	}
	pm_axdr_out_free(&b.rows);
	return r;
}

static void put_capture_def(struct pm_axdr_out *out, uint16_t class_id, const uint8_t ln[6],
			    int8_t attr)
{
	pm_axdr_put_structure(out, 4);
	pm_axdr_put_u16(out, class_id);
	pm_axdr_put_octet_string(out, ln, 6);
	pm_axdr_put_i8(out, attr);
	pm_axdr_put_u16(out, 0);
}

static enum pm_dlms_result profile_get(const struct pm_cosem_object *o,
				       const struct pm_cosem_request *req, uint8_t attr,
				       const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	static const uint8_t no_ln[6] = {0};
	const struct pm_cosem_profile_def *def =
	    pm_cosem_profile_def((enum pm_cosem_profile)o->arg);
	const struct pm_cosem_meter *m = req->meter;
	uint32_t n;
	enum pm_dlms_result r;

	if (!def || !m)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	switch (attr) {
	case 2:
		return put_buffer(def, (enum pm_cosem_profile)o->arg, m, sel, out);
	case 3:
		pm_axdr_put_array(out, def->n_columns);
		for (unsigned k = 0; k < def->n_columns; k++)
			put_capture_def(out, def->columns[k].class_id, def->columns[k].ln,
					def->columns[k].attr);
		return PM_DLMS_SUCCESS;
	case 4:
		pm_axdr_put_u32(
		    out, def->capture_period_s != PM_COSEM_PERIOD_OF_METER ? def->capture_period_s
			 : m->measuring_period_s > 0 && m->measuring_period_s <= UINT32_MAX
			     ? (uint32_t)m->measuring_period_s
			     : 0);
		return PM_DLMS_SUCCESS;
	case 5:
		pm_axdr_put_enum(out, SORT_FIFO);
		return PM_DLMS_SUCCESS;
	case 6:
		put_capture_def(out, 0, no_ln, 0);
		return PM_DLMS_SUCCESS;
	case 7:
		if (!m->profile_count)
			return PM_DLMS_TEMPORARY_FAILURE;
		r = m->profile_count(m->profiles_data, (enum pm_cosem_profile)o->arg, &n);
		if (r == PM_DLMS_SUCCESS)
			pm_axdr_put_u32(out, n);
		return r;
	case 8:
		pm_axdr_put_u32(out, m->profile_capacity[o->arg]);
		return PM_DLMS_SUCCESS;
	default:
		return PM_DLMS_OBJECT_UNDEFINED;
	}
}

static uint8_t buffer_selectors(const struct pm_cosem_object *o, uint8_t attr)
{
	(void)o;
	return attr == 2 ? (1u << 1 | 1u << 2) : 0;
}

const struct pm_cosem_class pm_cosem_profile_class = {
    .class_id = 7,
    .version = 1,
    .n_attrs = 8,
    .n_methods = 2,
    .visible = pm_cosem_visible_to_management,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_no_methods,
    .selectors = buffer_selectors,
    .get = profile_get,
};

/* The logical names of cosem-profile-defs.c (tests/unit/test_cosem_profiles.c checks them). */
static const struct pm_cosem_object profiles[] = {
    {{1, 0, 99, 1, 0, 255}, &pm_cosem_profile_class, PM_COSEM_LOAD_PROFILE},
    {{1, 0, 98, 2, 0, 255}, &pm_cosem_profile_class, PM_COSEM_DAILY_BILLING},
    {{1, 0, 98, 1, 0, 255}, &pm_cosem_profile_class, PM_COSEM_MONTHLY_BILLING},
    {{0, 0, 99, 98, 0, 255}, &pm_cosem_profile_class, PM_COSEM_STANDARD_EVENTS},
    {{0, 0, 99, 98, 2, 255}, &pm_cosem_profile_class, PM_COSEM_DISCONNECT_EVENTS},
    {{0, 0, 99, 98, 4, 255}, &pm_cosem_profile_class, PM_COSEM_POWER_QUALITY_EVENTS},
    {{0, 0, 99, 98, 6, 255}, &pm_cosem_profile_class, PM_COSEM_CREDIT_EVENTS},
};

const struct pm_cosem_table pm_cosem_profile_table = PM_COSEM_TABLE(profiles);
