// SPDX-License-Identifier: GPL-2.0-only
/* The object model's DLMS bindings as the COSEM classes use them (see cosem-binding.h). */
#include <stdio.h>
#include <string.h>

#include "core/billing/civil-time.h"
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-time.h"

int pm_cosem_obis_parse(const char *text, uint8_t ln[6])
{
	const char *p = text;

	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (!digits || v > 255 || *p != (i < 5 ? '.' : '\0'))
			return -1;
		ln[i] = (uint8_t)v;
		if (i < 5)
			p++;
	}
	return 0;
}

void pm_cosem_obis_format(const uint8_t ln[6], char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u.%u.%u", ln[0], ln[1], ln[2], ln[3], ln[4], ln[5]);
}

/* Whether quantity @q is bound to attribute @attr of (@class_id, @obis). */
static bool bound_to(const struct pm_quantity *q, uint16_t class_id, const char *obis, uint8_t attr)
{
	return q->dlms.obis && q->dlms.class_id == class_id && q->dlms.attr == attr &&
	       !strcmp(q->dlms.obis, obis);
}

int pm_cosem_bound_quantity(uint16_t class_id, const uint8_t ln[6], uint8_t attr, uint8_t element)
{
	char obis[24];

	pm_cosem_obis_format(ln, obis, sizeof(obis));
	for (size_t i = 0; i < pm_quantity_count; i++)
		if (bound_to(&pm_quantities[i], class_id, obis, attr) &&
		    pm_quantities[i].dlms.element == element)
			return (int)i;
	return -1;
}

bool pm_cosem_attr_bound(uint16_t class_id, const uint8_t ln[6], uint8_t attr)
{
	char obis[24];

	pm_cosem_obis_format(ln, obis, sizeof(obis));
	for (size_t i = 0; i < pm_quantity_count; i++)
		if (bound_to(&pm_quantities[i], class_id, obis, attr))
			return true;
	return false;
}

bool pm_cosem_bound_needs_hls(uint16_t class_id, const uint8_t ln[6])
{
	char obis[24];

	pm_cosem_obis_format(ln, obis, sizeof(obis));
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_quantity *q = &pm_quantities[i];

		if (q->needs_hls && q->dlms.obis && q->dlms.class_id == class_id &&
		    !strcmp(q->dlms.obis, obis))
			return true;
	}
	return false;
}

bool pm_cosem_who_reads(enum pm_who who, enum pm_dlms_client client)
{
	if (client == PM_DLMS_CLIENT_MANAGEMENT)
		return true;
	return client == PM_DLMS_CLIENT_PUBLIC && who == PM_WHO_ANYONE;
}

bool pm_cosem_who_writes(const struct pm_quantity *q, enum pm_dlms_client client)
{
	return client == PM_DLMS_CLIENT_MANAGEMENT && q->write == PM_WHO_ADMIN &&
	       q->setting.size != 0 && q->dlms.element == 0 &&
	       (q->kind == PM_VALUE_INT || q->kind == PM_VALUE_BOOL || q->kind == PM_VALUE_ENUM);
}

enum pm_cosem_attr_access pm_cosem_bound_access(const struct pm_cosem_object *o,
						enum pm_dlms_client client, uint8_t attr)
{
	const struct pm_quantity *whole = NULL;
	bool any = false;
	char obis[24];

	pm_cosem_obis_format(o->ln, obis, sizeof(obis));
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_quantity *q = &pm_quantities[i];

		if (!bound_to(q, o->cls->class_id, obis, attr))
			continue;
		if (!pm_cosem_who_reads(q->read, client))
			return PM_COSEM_NO_ACCESS;
		any = true;
		if (q->dlms.element == 0)
			whole = q;
	}
	if (!any)
		return PM_COSEM_NO_ACCESS;
	return whole && pm_cosem_who_writes(whole, client) ? PM_COSEM_READ_WRITE : PM_COSEM_READ;
}

bool pm_cosem_bound_visible(const struct pm_cosem_object *o, enum pm_dlms_client client)
{
	char obis[24];

	pm_cosem_obis_format(o->ln, obis, sizeof(obis));
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_quantity *q = &pm_quantities[i];

		if (q->dlms.obis && q->dlms.class_id == o->cls->class_id &&
		    !strcmp(q->dlms.obis, obis) && pm_cosem_who_reads(q->read, client))
			return true;
	}
	return false;
}

void pm_cosem_put_datetime(struct pm_axdr_out *out, int64_t utc_s, int32_t offset_s, uint8_t status)
{
	struct pm_cosem_datetime dt;
	uint8_t b[PM_COSEM_DATETIME_LEN];

	pm_cosem_datetime_from_utc(utc_s, offset_s, status, &dt);
	pm_cosem_datetime_encode(&dt, b);
	pm_axdr_put_octet_string(out, b, sizeof(b));
}

void pm_cosem_put_datetime_unspecified(struct pm_axdr_out *out)
{
	const struct pm_cosem_datetime dt = {
	    .year = PM_COSEM_YEAR_ANY,
	    .month = PM_COSEM_ANY,
	    .day = PM_COSEM_ANY,
	    .dow = PM_COSEM_ANY,
	    .hour = PM_COSEM_ANY,
	    .min = PM_COSEM_ANY,
	    .sec = PM_COSEM_ANY,
	    .hundredths = PM_COSEM_ANY,
	    .deviation = PM_COSEM_DEVIATION_ANY,
	    .status = PM_COSEM_ANY,
	};
	uint8_t b[PM_COSEM_DATETIME_LEN];

	pm_cosem_datetime_encode(&dt, b);
	pm_axdr_put_octet_string(out, b, sizeof(b));
}

/* A COSEM date (octet-string of 5: year, month, day, day of week), every field "not specified"
 * for no date. */
static void put_date(struct pm_axdr_out *out, const struct pm_date *d)
{
	uint8_t b[5] = {0xFF, 0xFF, PM_COSEM_ANY, PM_COSEM_ANY, PM_COSEM_ANY};

	if (d->year > 0 && d->year < PM_COSEM_YEAR_ANY &&
	    pm_civil_date_is_valid(d->year, d->month, d->day)) {
		b[0] = (uint8_t)(d->year >> 8);
		b[1] = (uint8_t)d->year;
		b[2] = d->month;
		b[3] = d->day;
		b[4] =
		    (uint8_t)pm_civil_weekday(pm_civil_days_from_date(d->year, d->month, d->day));
	}
	pm_axdr_put_octet_string(out, b, sizeof(b));
}

/* Text: visible-string when it is printable ASCII (IEC 646), else utf8-string. */
static void put_text(struct pm_axdr_out *out, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7E) {
			pm_axdr_put_byte(out, PM_AXDR_UTF8_STRING);
			pm_axdr_put_length(out, n);
			pm_axdr_put_raw(out, s, n);
			return;
		}
	}
	pm_axdr_put_visible_string(out, s);
}

/* One scalar value (not an array). */
static void put_scalar(struct pm_axdr_out *out, const struct pm_value *v)
{
	switch (v->kind) {
	case PM_VALUE_INT:
		pm_axdr_put_i64(out, v->i);
		break;
	case PM_VALUE_BOOL:
		pm_axdr_put_bool(out, v->i != 0);
		break;
	case PM_VALUE_ENUM:
		pm_axdr_put_enum(out, (uint8_t)v->i);
		break;
	case PM_VALUE_STRING:
		put_text(out, v->s ? v->s : "");
		break;
	case PM_VALUE_DATE:
		put_date(out, &v->date);
		break;
	case PM_VALUE_TIME:
		pm_cosem_put_datetime(out, v->i, 0, 0);
		break;
	case PM_VALUE_RATIO:
		pm_axdr_put_structure(out, 2);
		pm_axdr_put_i64(out, v->i);
		pm_axdr_put_i64(out, v->den);
		break;
	case PM_VALUE_ARRAY:
	case PM_VALUE_KIND_COUNT:
		pm_axdr_put_null(out);
		break;
	}
}

enum pm_dlms_result pm_cosem_quantity_value(const struct pm_cosem_request *req, size_t q,
					    struct pm_value *v)
{
	const struct pm_snapshot *snap = req->meter ? req->meter->snap : NULL;

	pm_quantity_value(snap, q, v);
	return v->valid ? PM_DLMS_SUCCESS : PM_DLMS_OBJECT_UNAVAILABLE;
}

enum pm_dlms_result pm_cosem_put_quantity(const struct pm_cosem_request *req, size_t q,
					  struct pm_axdr_out *out)
{
	const struct pm_record *rec = pm_quantities[q].record;
	struct pm_value v;
	enum pm_dlms_result r = pm_cosem_quantity_value(req, q, &v);

	if (r != PM_DLMS_SUCCESS)
		return r;
	if (v.kind != PM_VALUE_ARRAY) {
		put_scalar(out, &v);
		return PM_DLMS_SUCCESS;
	}
	pm_axdr_put_array(out, v.n);
	for (size_t k = 0; k < v.n; k++) {
		pm_axdr_put_structure(out, rec->n_fields);
		for (size_t f = 0; f < rec->n_fields; f++) {
			struct pm_value field;

			pm_record_value(&v, rec, k, f, &field);
			put_scalar(out, &field);
		}
	}
	return PM_DLMS_SUCCESS;
}

#define MU_PER_MINOR_UNIT 1000

enum pm_dlms_result pm_cosem_put_money(const struct pm_cosem_request *req, size_t q,
				       struct pm_axdr_out *out)
{
	struct pm_value v;
	enum pm_dlms_result r = pm_cosem_quantity_value(req, q, &v);
	int64_t minor;

	if (r != PM_DLMS_SUCCESS)
		return r;
	minor = v.i / MU_PER_MINOR_UNIT;
	pm_axdr_put_i32(out, minor > INT32_MAX	 ? INT32_MAX
			     : minor < INT32_MIN ? INT32_MIN
						 : (int32_t)minor);
	return PM_DLMS_SUCCESS;
}

enum pm_dlms_result pm_cosem_put_u32(const struct pm_cosem_request *req, size_t q,
				     struct pm_axdr_out *out)
{
	struct pm_value v;
	enum pm_dlms_result r = pm_cosem_quantity_value(req, q, &v);

	if (r != PM_DLMS_SUCCESS)
		return r;
	pm_axdr_put_u32(out, v.i < 0 ? 0 : v.i > UINT32_MAX ? UINT32_MAX : (uint32_t)v.i);
	return PM_DLMS_SUCCESS;
}

enum pm_dlms_result pm_cosem_set_money(const struct pm_cosem_request *req, size_t q,
				       const uint8_t *value, size_t len)
{
	const struct pm_cosem_meter *m = req->meter;
	struct pm_axdr_in in;
	struct pm_axdr_data d;

	pm_axdr_in_init(&in, value, len);
	if (pm_axdr_get_data(&in, &d) || d.tag != PM_AXDR_DOUBLE_LONG || pm_axdr_in_left(&in))
		return PM_DLMS_TYPE_UNMATCHED;
	if (!m || !m->set_setting)
		return PM_DLMS_TEMPORARY_FAILURE;
	return m->set_setting(m->data, q, d.i * MU_PER_MINOR_UNIT);
}

enum pm_dlms_result pm_cosem_set_quantity(const struct pm_cosem_request *req, size_t q,
					  const uint8_t *value, size_t len)
{
	const struct pm_quantity *qt = &pm_quantities[q];
	const struct pm_cosem_meter *m = req->meter;
	struct pm_axdr_in in;
	struct pm_axdr_data d;
	int64_t v = 0;

	pm_axdr_in_init(&in, value, len);
	switch (qt->kind) {
	case PM_VALUE_INT:
		if (pm_axdr_expect_int(&in, INT64_MIN, INT64_MAX, &v))
			return PM_DLMS_TYPE_UNMATCHED;
		break;
	case PM_VALUE_BOOL:
	case PM_VALUE_ENUM:
		if (pm_axdr_get_data(&in, &d) ||
		    d.tag != (qt->kind == PM_VALUE_BOOL ? PM_AXDR_BOOLEAN : PM_AXDR_ENUM))
			return PM_DLMS_TYPE_UNMATCHED;
		v = (int64_t)d.u;
		break;
	default:
		return PM_DLMS_READ_WRITE_DENIED;
	}
	if (pm_axdr_in_left(&in))
		return PM_DLMS_TYPE_UNMATCHED; /* more than one Data */
	if (!m || !m->set_setting)
		return PM_DLMS_TEMPORARY_FAILURE;
	return m->set_setting(m->data, q, v);
}

enum pm_dlms_result pm_cosem_bound_get(const struct pm_cosem_object *o,
				       const struct pm_cosem_request *req, uint8_t attr,
				       const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	int q = pm_cosem_bound_quantity(o->cls->class_id, o->ln, attr, 0);

	(void)sel;
	if (q < 0)
		return PM_DLMS_OBJECT_UNDEFINED;
	return pm_cosem_put_quantity(req, (size_t)q, out);
}

enum pm_dlms_result pm_cosem_bound_set(const struct pm_cosem_object *o,
				       const struct pm_cosem_request *req, uint8_t attr,
				       const uint8_t *value, size_t len)
{
	int q = pm_cosem_bound_quantity(o->cls->class_id, o->ln, attr, 0);

	if (q < 0)
		return PM_DLMS_READ_WRITE_DENIED;
	return pm_cosem_set_quantity(req, (size_t)q, value, len);
}
