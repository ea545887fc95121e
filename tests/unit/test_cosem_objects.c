// SPDX-License-Identifier: GPL-2.0-only
/*
 * The COSEM objects and their directory (daemon/core/dlms/cosem-*.c) against a meter and a
 * snapshot filled by hand. Expected bytes are written out by hand from the A-XDR tags and the
 * class layouts of IEC 62056-6-2 (written beside each: 0x09 octet-string, 0x0F integer, 0x10
 * long, 0x11 unsigned, 0x12 long-unsigned, 0x14 long64, 0x16 enum, ...), the unit codes of the
 * Blue Book, the object list element the reference captured from Gurux's server
 * (the DLMS reference sheet §1.6), and dates worked out in the comments; never produced
 * by the code under test.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/cosem-directory.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/cosem-time.h"
#include "core/model/quantity.h"

#define OUT_EQ(o, ...)                                                                             \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		ck_assert(!(o)->overflow);                                                         \
		ck_assert_uint_eq((o)->len, sizeof(want_));                                        \
		ck_assert(memcmp((o)->buf, want_, sizeof(want_)) == 0);                            \
	} while (0)

/* What the fake meter was asked to do. */
struct calls {
	int set_clock, disconnect, reconnect, set_setting, enter_token;
	char token[PM_COSEM_TOKEN_MAX + 1];
	int64_t clock_utc;
	const char *clock_how;
	bool armed;
	size_t setting;
	int64_t setting_value;
	enum pm_dlms_result answer;
};

static enum pm_dlms_result fake_set_clock(void *data, int64_t utc_s, const char *how)
{
	struct calls *c = data;

	c->set_clock++;
	c->clock_utc = utc_s;
	c->clock_how = how;
	return c->answer;
}

static enum pm_dlms_result fake_disconnect(void *data)
{
	struct calls *c = data;

	c->disconnect++;
	return c->answer;
}

static enum pm_dlms_result fake_reconnect(void *data, bool armed)
{
	struct calls *c = data;

	c->reconnect++;
	c->armed = armed;
	return c->answer;
}

static enum pm_dlms_result fake_set_setting(void *data, size_t quantity, int64_t value)
{
	struct calls *c = data;

	c->set_setting++;
	c->setting = quantity;
	c->setting_value = value;
	return c->answer;
}

static enum pm_dlms_result fake_enter_token(void *data, const char *token)
{
	struct calls *c = data;

	c->enter_token++;
	snprintf(c->token, sizeof(c->token), "%s", token);
	return c->answer;
}

/* 2026-11-23 04:35:08 UTC: 1970..2025 are 56 years with 14 leap days, 56 x 365 + 14 = 20454
 * days to 2026-01-01; 23 November is day 304 + 22 = 326 of 2026 (from 0), so 20780 days:
 * 20780 x 86400 + 4 x 3600 + 35 x 60 + 8. The reference's date-time 07 EA 0B 17 01 04 23 08. */
#define NOV23_UTC (INT64_C(20780) * 86400 + 4 * 3600 + 35 * 60 + 8)
/* Paris 2026: summer time from 29 March 01:00 UTC (day 31 + 28 + 28 = 87: 20541 days) to
 * 25 October 01:00 UTC (day 273 + 24 = 297: 20751 days); 1 July 12:00 UTC is day 181. */
#define DST_BEGIN_2026 (INT64_C(20541) * 86400 + 3600)
#define DST_END_2026 (INT64_C(20751) * 86400 + 3600)
#define JUL1_NOON_UTC (INT64_C(20635) * 86400 + 12 * 3600)

struct fixture {
	struct pm_cosem_directory dir;
	struct pm_snapshot snap;
	struct pm_cosem_meter meter;
	struct calls calls;
	struct pm_dlms_assoc_info pub, mgmt;
	struct pm_cosem_request rpub, rmgmt;
	struct pm_axdr_out out;
};

static struct fixture fx;

static void setup(void)
{
	memset(&fx, 0, sizeof(fx));
	ck_assert_int_eq(pm_cosem_directory_init(&fx.dir), 0);
	ck_assert_int_eq(pm_snapshot_init(&fx.snap), 0);
	fx.snap.seq = 1;
	fx.calls.answer = PM_DLMS_SUCCESS;
	fx.meter = (struct pm_cosem_meter){
	    .snap = &fx.snap,
	    .serial = "PM-0001",
	    .manufacturer = "polymeter",
	    .firmware = "1.2",
	    .logical_device_name = "PLYpolymeter-0001-extra",
	    .clock = {.utc_s = NOV23_UTC, .clock_base = 1},
	    .measuring_period_s = 900,
	    .data = &fx.calls,
	    .set_clock = fake_set_clock,
	    .remote_disconnect = fake_disconnect,
	    .remote_reconnect = fake_reconnect,
	    .set_setting = fake_set_setting,
	    .enter_token = fake_enter_token,
	};
	fx.pub = (struct pm_dlms_assoc_info){.client = PM_DLMS_CLIENT_PUBLIC,
					     .client_sap = 16,
					     .server_sap = 1,
					     .mechanism = 0,
					     .conformance = 0x00101D,
					     .client_max_pdu = 0xFFFF,
					     .server_max_pdu = 1024,
					     .dlms_version = 6};
	fx.mgmt = fx.pub;
	fx.mgmt.client = PM_DLMS_CLIENT_MANAGEMENT;
	fx.mgmt.client_sap = 1;
	fx.mgmt.mechanism = 1;
	fx.rpub = (struct pm_cosem_request){&fx.pub, &fx.meter};
	fx.rmgmt = (struct pm_cosem_request){&fx.mgmt, &fx.meter};
	pm_axdr_out_init_heap(&fx.out, 1u << 20);
}

static void teardown(void)
{
	pm_axdr_out_free(&fx.out);
	pm_snapshot_free(&fx.snap);
	pm_cosem_directory_free(&fx.dir);
}

static const struct pm_cosem_object *find(const struct pm_cosem_request *req, uint16_t cls,
					  uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e,
					  uint8_t f)
{
	const uint8_t ln[6] = {a, b, c, d, e, f};

	return pm_cosem_directory_ops.find(&fx.dir, req, cls, ln);
}

/* GET into fx.out (emptied first). */
static enum pm_dlms_result get(const struct pm_cosem_request *req, const struct pm_cosem_object *o,
			       uint8_t attr)
{
	pm_axdr_out_reset(&fx.out);
	return pm_cosem_directory_ops.get(&fx.dir, req, o, attr, NULL, &fx.out);
}

static enum pm_dlms_result set(const struct pm_cosem_request *req, const struct pm_cosem_object *o,
			       uint8_t attr, const uint8_t *v, size_t n)
{
	return pm_cosem_directory_ops.set(&fx.dir, req, o, attr, v, n);
}

static enum pm_dlms_result action(const struct pm_cosem_request *req,
				  const struct pm_cosem_object *o, uint8_t method, const uint8_t *p,
				  size_t n)
{
	pm_axdr_out_reset(&fx.out);
	return pm_cosem_directory_ops.action(&fx.dir, req, o, method, p, n, &fx.out);
}

static void set_point(const char *id, int64_t v)
{
	int i = pm_point_find(id);

	ck_assert_int_ge(i, 0);
	fx.snap.value[i] = v;
	fx.snap.valid[i] = true;
}

/* ---- the directory ---- */

START_TEST(test_every_model_object_is_there)
{
	size_t points = 0;

	for (size_t i = 0; i < pm_point_count; i++) {
		uint8_t ln[6];
		unsigned v[6];

		if (!pm_points[i].obis)
			continue;
		points++;
		ck_assert_int_eq(sscanf(pm_points[i].obis, "%u.%u.%u.%u.%u.%u", &v[0], &v[1], &v[2],
					&v[3], &v[4], &v[5]),
				 6);
		for (int k = 0; k < 6; k++)
			ln[k] = (uint8_t)v[k];
		ck_assert_ptr_nonnull(pm_cosem_directory_ops.find(&fx.dir, &fx.rpub, 3, ln));
	}
	ck_assert_uint_gt(points, 40);
	/* the quantities of classes 1 and 3 are objects of their own */
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_dlms_binding *b = &pm_quantities[i].dlms;
		uint8_t ln[6];
		unsigned v[6];

		if (!b->obis || (b->class_id != 1 && b->class_id != 3))
			continue;
		ck_assert_int_eq(
		    sscanf(b->obis, "%u.%u.%u.%u.%u.%u", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]),
		    6);
		for (int k = 0; k < 6; k++)
			ln[k] = (uint8_t)v[k];
		ck_assert_msg(pm_cosem_directory_ops.find(&fx.dir, &fx.rmgmt, b->class_id, ln),
			      "%s", pm_quantities[i].id);
	}
	/* the first object is the current association; one Disconnect control, one Account */
	ck_assert_uint_eq(fx.dir.objects[0].cls->class_id, 15);
	ck_assert_ptr_nonnull(find(&fx.rpub, 70, 0, 0, 96, 3, 10, 255));
	ck_assert_ptr_nonnull(find(&fx.rpub, 111, 0, 0, 19, 0, 0, 255));
	ck_assert_ptr_nonnull(find(&fx.rpub, 112, 0, 0, 19, 11, 0, 255));
	/* Profile generic and Activity calendar are the profiles' tables', never made from the
	 * model's bindings; no object is in the directory twice */
	ck_assert_ptr_null(pm_cosem_bound_class(7));
	ck_assert_ptr_null(pm_cosem_bound_class(20));
	for (size_t i = 0; i < fx.dir.n; i++)
		for (size_t j = i + 1; j < fx.dir.n; j++)
			ck_assert(fx.dir.objects[i].cls->class_id !=
				      fx.dir.objects[j].cls->class_id ||
				  memcmp(fx.dir.objects[i].ln, fx.dir.objects[j].ln, 6) != 0);
	/* right LN, wrong class */
	ck_assert_ptr_null(find(&fx.rpub, 4, 1, 0, 1, 8, 0, 255));
	/* not associated: nothing */
	{
		struct pm_dlms_assoc_info none = {.client = PM_DLMS_CLIENT_NONE};
		struct pm_cosem_request r = {&none, &fx.meter};

		ck_assert_ptr_null(find(&r, 3, 1, 0, 1, 8, 0, 255));
	}
}
END_TEST

/* ---- Register ---- */

START_TEST(test_register_point)
{
	const struct pm_cosem_object *o = find(&fx.rpub, 3, 1, 0, 1, 8, 0, 255);
	const struct pm_cosem_object *v1 = find(&fx.rpub, 3, 1, 0, 32, 7, 0, 255);
	const struct pm_cosem_object *pf = find(&fx.rpub, 3, 1, 0, 13, 7, 0, 255);
	struct pm_cosem_selector sel = {.selector = 1};

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(v1);
	ck_assert_ptr_nonnull(pf);
	set_point("total.energy.active_import", 1234567); /* mWh: 1234.567 Wh */
	set_point("l1.voltage", 230125);		  /* mV */

	ck_assert_int_eq(get(&fx.rpub, o, 1), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x06, 1, 0, 1, 8, 0, 255);
	/* long64 1234567 = 0x12D687 */
	ck_assert_int_eq(get(&fx.rpub, o, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x14, 0, 0, 0, 0, 0, 0x12, 0xD6, 0x87);
	/* scaler_unit {integer -3, enum 30 Wh} */
	ck_assert_int_eq(get(&fx.rpub, o, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x0F, 0xFD, 0x16, 30);
	/* 230125 = 0x000382ED; V is 35 */
	ck_assert_int_eq(get(&fx.rpub, v1, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x14, 0, 0, 0, 0, 0, 0x03, 0x82, 0xED);
	ck_assert_int_eq(get(&fx.rpub, v1, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x0F, 0xFD, 0x16, 35);
	/* the power factor: scaler -6, no unit (255) */
	ck_assert_int_eq(get(&fx.rpub, pf, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x0F, 0xFA, 0x16, 0xFF);
	/* no value in the snapshot, and no snapshot at all */
	ck_assert_int_eq(get(&fx.rpub, pf, 2), PM_DLMS_OBJECT_UNAVAILABLE);
	ck_assert_uint_eq(fx.out.len, 0);
	fx.meter.snap = NULL;
	ck_assert_int_eq(get(&fx.rpub, o, 2), PM_DLMS_OBJECT_UNAVAILABLE);
	/* no attribute 4; no selective access on a Register */
	ck_assert_int_eq(get(&fx.rpub, o, 4), PM_DLMS_OBJECT_UNDEFINED);
	pm_axdr_out_reset(&fx.out);
	ck_assert_int_eq(pm_cosem_directory_ops.get(&fx.dir, &fx.rpub, o, 2, &sel, &fx.out),
			 PM_DLMS_SCOPE_OF_ACCESS_VIOLATED);
	/* read-only for both, reset refused */
	ck_assert_int_eq(set(&fx.rmgmt, o, 2, (const uint8_t[]){0x14, 0, 0, 0, 0, 0, 0, 0, 0}, 9),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, (const uint8_t[]){0x0F, 0}, 2),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(action(&fx.rmgmt, o, 2, NULL, 0), PM_DLMS_OBJECT_UNDEFINED);
}
END_TEST

START_TEST(test_register_quantity)
{
	/* account.total_credit, 0.0.128.0.0.255: money in mu, GBP's 2 minor digits: scaler
	 * -(2 + 3) = -5, local currency (10) */
	const struct pm_cosem_object *o = find(&fx.rpub, 3, 0, 0, 128, 0, 0, 255);
	/* the rate register 1.0.1.8.2.255 (register.rate2.active_import) */
	const struct pm_cosem_object *rate2 = find(&fx.rpub, 3, 1, 0, 1, 8, 2, 255);

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(rate2);
	ck_assert_int_eq(get(&fx.rpub, o, 2), PM_DLMS_OBJECT_UNAVAILABLE); /* no account */
	fx.snap.account.valid = true;
	fx.snap.account.minor_units = 2;
	fx.snap.account.total_credit_mu = -2;
	ck_assert_int_eq(get(&fx.rpub, o, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE);
	ck_assert_int_eq(get(&fx.rpub, o, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x0F, 0xFB, 0x16, 10);
	/* rate 2 exists only when the tariff defines it */
	ck_assert_int_eq(get(&fx.rpub, rate2, 2), PM_DLMS_OBJECT_UNAVAILABLE);
	fx.snap.account.has_tariff = true;
	fx.snap.account.n_rates = 2;
	fx.snap.account.rate_import_mwh[1] = 5000;
	ck_assert_int_eq(get(&fx.rpub, rate2, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x14, 0, 0, 0, 0, 0, 0, 0x13, 0x88);
}
END_TEST

/* A setting: the management client writes it through the meter, the public one reads it. */
START_TEST(test_setting_set)
{
	/* settings.load_limit_peak, 0.0.128.5.5.255, Register in W, write admin */
	const struct pm_cosem_object *o = find(&fx.rmgmt, 3, 0, 0, 128, 5, 5, 255);
	/* settings.reconnect_needs_confirmation, 0.0.128.5.6.255, Data boolean */
	const struct pm_cosem_object *b = find(&fx.rmgmt, 1, 0, 0, 128, 5, 6, 255);
	/* account.total_credit: written by nobody */
	const struct pm_cosem_object *ro = find(&fx.rmgmt, 3, 0, 0, 128, 0, 0, 255);
	const uint8_t v4000[] = {0x06, 0, 0, 0x0F, 0xA0}; /* double-long-unsigned 4000 */
	const uint8_t yes[] = {0x03, 0x01};
	int q = pm_quantity_find("settings.load_limit_peak");

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(set(&fx.rpub, o, 2, v4000, sizeof(v4000)), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(fx.calls.set_setting, 0);
	ck_assert_int_eq(set(&fx.rmgmt, o, 2, yes, sizeof(yes)), PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(set(&fx.rmgmt, o, 3, (const uint8_t[]){0x02, 0x02, 0x0F, 0, 0x16, 27}, 6),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(set(&fx.rmgmt, o, 2, v4000, sizeof(v4000)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.set_setting, 1);
	ck_assert_uint_eq(fx.calls.setting, (size_t)q);
	ck_assert_int_eq(fx.calls.setting_value, 4000);
	ck_assert_int_eq(set(&fx.rmgmt, b, 2, yes, sizeof(yes)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.setting_value, 1);
	ck_assert_int_eq(set(&fx.rmgmt, b, 2, v4000, sizeof(v4000)), PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(set(&fx.rmgmt, ro, 2, v4000, sizeof(v4000)), PM_DLMS_READ_WRITE_DENIED);
	/* the meter's refusal is the client's answer */
	fx.calls.answer = PM_DLMS_OTHER_REASON;
	ck_assert_int_eq(set(&fx.rmgmt, o, 2, v4000, sizeof(v4000)), PM_DLMS_OTHER_REASON);
}
END_TEST

/* ---- Data ---- */

START_TEST(test_data)
{
	const struct pm_cosem_object *serial = find(&fx.rpub, 1, 0, 0, 96, 1, 0, 255);
	const struct pm_cosem_object *ldn = find(&fx.rpub, 1, 0, 0, 42, 0, 0, 255);
	const struct pm_cosem_object *status = find(&fx.rpub, 1, 0, 0, 96, 5, 0, 255);
	const struct pm_cosem_object *reason = find(&fx.rpub, 1, 0, 0, 128, 1, 0, 255);
	const struct pm_cosem_object *sap = find(&fx.rpub, 17, 0, 0, 41, 0, 0, 255);

	ck_assert_ptr_nonnull(serial);
	ck_assert_ptr_nonnull(ldn);
	ck_assert_ptr_nonnull(status);
	ck_assert_ptr_nonnull(reason);
	ck_assert_ptr_nonnull(sap);
	/* visible-string (10) "PM-0001" */
	ck_assert_int_eq(get(&fx.rpub, serial, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x0A, 7, 'P', 'M', '-', '0', '0', '0', '1');
	/* octet-string of the first 16 octets */
	ck_assert_int_eq(get(&fx.rpub, ldn, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 16, 'P', 'L', 'Y', 'p', 'o', 'l', 'y', 'm', 'e', 't', 'e', 'r', '-',
	       '0', '0', '0');
	/* SAP assignment: array of {long-unsigned 1, octet-string name} */
	ck_assert_int_eq(get(&fx.rpub, sap, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x01, 1, 0x02, 2, 0x12, 0, 1, 0x09, 16, 'P', 'L', 'Y', 'p', 'o', 'l', 'y',
	       'm', 'e', 't', 'e', 'r', '-', '0', '0', '0');
	/* double-long-unsigned; no snapshot adds bit 0 */
	fx.meter.status = 0x04;
	ck_assert_int_eq(get(&fx.rpub, status, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x06, 0, 0, 0, 0x04);
	fx.meter.snap = NULL;
	ck_assert_int_eq(get(&fx.rpub, status, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x06, 0, 0, 0, 0x05);
	fx.meter.snap = &fx.snap;
	/* supply.reason: enum, its code (remote disconnect is 1) */
	fx.snap.account.valid = true;
	fx.snap.account.supply_reason = ACCOUNT_REASON_REMOTE_DISCONNECT;
	ck_assert_int_eq(get(&fx.rpub, reason, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x16, 1);
	/* Data has no methods, nor attribute 3 */
	ck_assert_int_eq(get(&fx.rpub, reason, 3), PM_DLMS_OBJECT_UNDEFINED);
	ck_assert_int_eq(action(&fx.rmgmt, reason, 1, NULL, 0), PM_DLMS_OBJECT_UNDEFINED);
}
END_TEST

/* ---- Clock ---- */

START_TEST(test_clock_get)
{
	const struct pm_cosem_object *o = find(&fx.rpub, 8, 0, 0, 1, 0, 0, 255);

	ck_assert_ptr_nonnull(o);
	/* UTC, no daylight saving: the reference's date-time, Monday, deviation 0, status 0 */
	ck_assert_int_eq(get(&fx.rpub, o, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x17, 0x01, 0x04, 0x23, 0x08, 0x00, 0x00,
	       0x00, 0x00);
	ck_assert_int_eq(get(&fx.rpub, o, 5), PM_DLMS_SUCCESS); /* not specified */
	OUT_EQ(&fx.out, 0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80,
	       0x00, 0xFF);
	ck_assert_int_eq(get(&fx.rpub, o, 8), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x03, 0x00);

	/* Paris in summer: 1 July 2026 12:00 UTC is 14:00 CEST, a Wednesday (1 January 2026 was
	 * a Thursday, day 181 is 25 weeks and 6 days later); deviation -120 = 0xFF88, status DST */
	fx.meter.clock = (struct pm_cosem_meter_clock){
	    .utc_s = JUL1_NOON_UTC,
	    .offset_s = 7200,
	    .std_offset_s = 3600,
	    .dst = true,
	    .dst_enabled = true,
	    .dst_begin_utc = DST_BEGIN_2026,
	    .dst_end_utc = DST_END_2026,
	    .dst_deviation_min = 60,
	    .clock_base = 1,
	};
	ck_assert_int_eq(get(&fx.rpub, o, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x0C, 0x07, 0xEA, 0x07, 0x01, 0x03, 0x0E, 0x00, 0x00, 0x00, 0xFF,
	       0x88, 0x80);
	/* time_zone: long -60 (Paris, DLMS's sign) */
	ck_assert_int_eq(get(&fx.rpub, o, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x10, 0xFF, 0xC4);
	ck_assert_int_eq(get(&fx.rpub, o, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x11, 0x80);
	/* begin: Sunday 29 March 02:00 CET (deviation -60 = 0xFFC4), not yet in summer time */
	ck_assert_int_eq(get(&fx.rpub, o, 5), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x0C, 0x07, 0xEA, 0x03, 0x1D, 0x07, 0x02, 0x00, 0x00, 0x00, 0xFF,
	       0xC4, 0x00);
	/* end: Sunday 25 October 03:00 CEST, in summer time */
	ck_assert_int_eq(get(&fx.rpub, o, 6), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x0C, 0x07, 0xEA, 0x0A, 0x19, 0x07, 0x03, 0x00, 0x00, 0x00, 0xFF,
	       0x88, 0x80);
	ck_assert_int_eq(get(&fx.rpub, o, 7), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x0F, 60);
	ck_assert_int_eq(get(&fx.rpub, o, 8), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x03, 0x01);
	ck_assert_int_eq(get(&fx.rpub, o, 9), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x16, 0x01);
	ck_assert_int_eq(get(&fx.rpub, o, 10), PM_DLMS_OBJECT_UNDEFINED);
}
END_TEST

START_TEST(test_clock_set)
{
	const struct pm_cosem_object *o = find(&fx.rmgmt, 8, 0, 0, 1, 0, 0, 255);
	/* 2026-11-23 04:36:00, deviation 0: NOV23_UTC + 52 s */
	const uint8_t t[] = {0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x17, 0x01,
			     0x04, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00};
	/* the same local time at deviation -60 (UTC+1): an hour earlier in UTC */
	const uint8_t t_cet[] = {0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x17, 0xFF,
				 0x04, 0x24, 0x00, 0xFF, 0xFF, 0xC4, 0x00};
	const uint8_t zero[] = {0x0F, 0x00};

	ck_assert_ptr_nonnull(o);
	/* the public client neither sets nor adjusts */
	ck_assert_int_eq(set(&fx.rpub, o, 2, t, sizeof(t)), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(action(&fx.rpub, o, 3, zero, sizeof(zero)), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(fx.calls.set_clock, 0);

	ck_assert_int_eq(set(&fx.rmgmt, o, 2, t, sizeof(t)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.set_clock, 1);
	ck_assert_int_eq(fx.calls.clock_utc, NOV23_UTC + 52);
	ck_assert_str_eq(fx.calls.clock_how, "set");
	ck_assert_int_eq(set(&fx.rmgmt, o, 2, t_cet, sizeof(t_cet)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.clock_utc, NOV23_UTC + 52 - 3600);
	/* not a date-time; the zone is the configuration's */
	ck_assert_int_eq(set(&fx.rmgmt, o, 2, zero, sizeof(zero)), PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(set(&fx.rmgmt, o, 3, (const uint8_t[]){0x10, 0, 0}, 3),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(fx.calls.set_clock, 2);

	/* 04:35:08 to the nearest minute is 04:35:00, to the quarter 04:30:00; the measuring
	 * period is 15 min too */
	ck_assert_int_eq(action(&fx.rmgmt, o, 3, zero, sizeof(zero)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.clock_utc, NOV23_UTC - 8);
	ck_assert_str_eq(fx.calls.clock_how, "adjust_to_minute");
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, zero, sizeof(zero)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.clock_utc, NOV23_UTC - 5 * 60 - 8);
	ck_assert_int_eq(action(&fx.rmgmt, o, 2, NULL, 0), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.clock_utc, NOV23_UTC - 5 * 60 - 8);
	/* shift_time: long seconds, -900..900 */
	ck_assert_int_eq(action(&fx.rmgmt, o, 6, (const uint8_t[]){0x10, 0xFF, 0xE2}, 3),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.clock_utc, NOV23_UTC - 30);
	ck_assert_str_eq(fx.calls.clock_how, "shift_time");
	ck_assert_int_eq(action(&fx.rmgmt, o, 6, (const uint8_t[]){0x10, 0x03, 0x85}, 3),
			 PM_DLMS_OTHER_REASON); /* 901 s */
	ck_assert_int_eq(fx.calls.set_clock, 6);
	/* preset time: not offered */
	ck_assert_int_eq(action(&fx.rmgmt, o, 4, zero, sizeof(zero)), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(action(&fx.rmgmt, o, 7, zero, sizeof(zero)), PM_DLMS_OBJECT_UNDEFINED);
	/* the meter's refusal is passed on */
	fx.calls.answer = PM_DLMS_TEMPORARY_FAILURE;
	ck_assert_int_eq(set(&fx.rmgmt, o, 2, t, sizeof(t)), PM_DLMS_TEMPORARY_FAILURE);
}
END_TEST

/* ---- Association LN ---- */

/* An access_rights item: attribute @a with access @m, no selectors. */
#define ATTR(a, m) 0x02, 0x03, 0x0F, a, 0x16, m, 0x00
#define METHOD(n, m) 0x02, 0x02, 0x0F, n, 0x16, m

/* The object list's length header, and where its first element starts. */
static size_t list_head(const struct pm_axdr_out *o, size_t *count)
{
	ck_assert_uint_eq(o->buf[0], 0x01); /* array */
	if (o->buf[1] < 0x80) {
		*count = o->buf[1];
		return 2;
	}
	ck_assert_uint_eq(o->buf[1], 0x81);
	*count = o->buf[2];
	return 3;
}

/* Whether the list in fx.out holds an element for (@cls, @ln). */
static bool listed(uint16_t cls, const uint8_t ln[6])
{
	const uint8_t head[] = {0x02, 0x04, 0x12, (uint8_t)(cls >> 8), (uint8_t)cls};

	for (size_t i = 0; i + 16 <= fx.out.len; i++)
		if (!memcmp(fx.out.buf + i, head, sizeof(head)) && fx.out.buf[i + 7] == 0x09 &&
		    fx.out.buf[i + 8] == 6 && !memcmp(fx.out.buf + i + 9, ln, 6))
			return true;
	return false;
}

START_TEST(test_object_list)
{
	const struct pm_cosem_object *o = find(&fx.rpub, 15, 0, 0, 40, 0, 0, 255);
	/* the association itself, as the reference shows Gurux's: class 15, version 2, its LN,
	 * 11 attributes (1 read ... 7 secret no access ...), 6 methods, none offered */
	static const uint8_t first[] = {
	    0x02,	  0x04,	       0x12,	     0x00,	   0x0F,	 0x11,
	    0x02,	  0x09,	       0x06,	     0x00,	   0x00,	 0x28,
	    0x00,	  0x00,	       0xFF,	     0x02,	   0x02,	 0x01,
	    0x0B,	  ATTR(1, 1),  ATTR(2, 1),   ATTR(3, 1),   ATTR(4, 1),	 ATTR(5, 1),
	    ATTR(6, 1),	  ATTR(7, 0),  ATTR(8, 1),   ATTR(9, 1),   ATTR(10, 1),	 ATTR(11, 1),
	    0x01,	  0x06,	       METHOD(1, 0), METHOD(2, 0), METHOD(3, 0), METHOD(4, 0),
	    METHOD(5, 0), METHOD(6, 0)};
	static const uint8_t scripts[6] = {0, 0, 10, 0, 106, 255};
	static const uint8_t clock[6] = {0, 0, 1, 0, 0, 255};
	/* the Clock for the management client: time read-write, methods 1-3 and 6 */
	static const uint8_t clock_mgmt[] = {0x02,
					     0x04,
					     0x12,
					     0x00,
					     0x08,
					     0x11,
					     0x00,
					     0x09,
					     0x06,
					     0,
					     0,
					     1,
					     0,
					     0,
					     255,
					     0x02,
					     0x02,
					     0x01,
					     0x09,
					     ATTR(1, 1),
					     ATTR(2, 3),
					     ATTR(3, 1),
					     ATTR(4, 1),
					     ATTR(5, 1),
					     ATTR(6, 1),
					     ATTR(7, 1),
					     ATTR(8, 1),
					     ATTR(9, 1),
					     0x01,
					     0x06,
					     METHOD(1, 1),
					     METHOD(2, 1),
					     METHOD(3, 1),
					     METHOD(4, 0),
					     METHOD(5, 0),
					     METHOD(6, 1)};
	size_t n_pub, n_mgmt, at;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(get(&fx.rpub, o, 2), PM_DLMS_SUCCESS);
	at = list_head(&fx.out, &n_pub);
	ck_assert_uint_ge(fx.out.len, at + sizeof(first));
	ck_assert(!memcmp(fx.out.buf + at, first, sizeof(first)));
	ck_assert(listed(8, clock));
	ck_assert(!listed(9, scripts)); /* the script table is the management client's */
	ck_assert_ptr_null(find(&fx.rpub, 9, 0, 0, 10, 0, 106, 255));

	ck_assert_int_eq(get(&fx.rmgmt, o, 2), PM_DLMS_SUCCESS);
	at = list_head(&fx.out, &n_mgmt);
	ck_assert(!memcmp(fx.out.buf + at, first, sizeof(first)));
	ck_assert(listed(9, scripts));
	/* the management client sees every object, the public one fewer (the script table at
	 * least); the array's count is what each one's list holds */
	ck_assert_uint_lt(n_pub, n_mgmt);
	ck_assert_uint_eq(n_mgmt, fx.dir.n);
	{
		size_t seen = 0;

		for (size_t i = 0; i < fx.dir.n; i++)
			seen +=
			    pm_cosem_directory_visible(&fx.dir.objects[i], PM_DLMS_CLIENT_PUBLIC);
		ck_assert_uint_eq(n_pub, seen);
	}
	for (size_t i = 0; i + sizeof(clock_mgmt) <= fx.out.len; i++)
		if (!memcmp(fx.out.buf + i, clock_mgmt, sizeof(clock_mgmt)))
			goto found;
	ck_abort_msg("the Clock's element for the management client");
found:
	/* the secret: nobody reads it */
	ck_assert_int_eq(get(&fx.rmgmt, o, 7), PM_DLMS_READ_WRITE_DENIED);
}
END_TEST

START_TEST(test_association_attributes)
{
	const struct pm_cosem_object *o = find(&fx.rpub, 15, 0, 0, 40, 0, 0, 255);

	/* associated_partners_id {integer 16, long-unsigned 1} */
	ck_assert_int_eq(get(&fx.rpub, o, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x0F, 16, 0x12, 0x00, 0x01);
	/* application_context_name: the AARQ's OID 2.16.756.5.8.1.1 */
	ck_assert_int_eq(get(&fx.rpub, o, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01);
	/* xDLMS_context_info: bit-string(24) 00 10 1D, 1024, 65535, version 6, QoS 0, no
	 * ciphering info */
	ck_assert_int_eq(get(&fx.rpub, o, 5), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x06, 0x04, 0x18, 0x00, 0x10, 0x1D, 0x12, 0x04, 0x00, 0x12, 0xFF,
	       0xFF, 0x11, 0x06, 0x0F, 0x00, 0x09, 0x00);
	/* mechanism 2.16.756.5.8.2.1: the management client's low-level security */
	ck_assert_int_eq(get(&fx.rmgmt, o, 6), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x01);
	ck_assert_int_eq(get(&fx.rpub, o, 8), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x16, 0x02); /* associated */
	ck_assert_int_eq(get(&fx.rpub, o, 11), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x11, 0x00, 0x0A, 0x00);
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, NULL, 0), PM_DLMS_READ_WRITE_DENIED);
}
END_TEST

/* ---- Disconnect control and its script table ---- */

START_TEST(test_disconnect)
{
	const struct pm_cosem_object *o = find(&fx.rpub, 70, 0, 0, 96, 3, 10, 255);
	const struct pm_cosem_object *st = find(&fx.rmgmt, 9, 0, 0, 10, 0, 106, 255);
	const uint8_t zero[] = {0x0F, 0x00};

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(get(&fx.rpub, o, 2), PM_DLMS_OBJECT_UNAVAILABLE); /* no account yet */
	fx.snap.account.valid = true;
	fx.snap.account.supply_closed = false;
	fx.snap.account.supply = PM_SUPPLY_ARMED;
	fx.snap.account.settings.reconnect_needs_confirmation = true;
	ck_assert_int_eq(get(&fx.rpub, o, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x03, 0x00);
	ck_assert_int_eq(get(&fx.rpub, o, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x16, 0x02); /* ready_for_reconnection */
	ck_assert_int_eq(get(&fx.rpub, o, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x16, 0x03);
	fx.snap.account.settings.reconnect_needs_confirmation = false;
	ck_assert_int_eq(get(&fx.rpub, o, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x16, 0x06);
	fx.snap.account.supply_closed = true;
	fx.snap.account.supply = PM_SUPPLY_CLOSED;
	ck_assert_int_eq(get(&fx.rpub, o, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x03, 0x01);
	ck_assert_int_eq(get(&fx.rpub, o, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x16, 0x01);
	ck_assert_int_eq(set(&fx.rmgmt, o, 4, (const uint8_t[]){0x16, 1}, 2),
			 PM_DLMS_READ_WRITE_DENIED);

	/* the public client may not act */
	ck_assert_int_eq(action(&fx.rpub, o, 1, zero, sizeof(zero)), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(fx.calls.disconnect, 0);
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, zero, sizeof(zero)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.disconnect, 1);
	ck_assert_int_eq(action(&fx.rmgmt, o, 2, zero, sizeof(zero)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.reconnect, 1);
	ck_assert(fx.calls.armed);
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, (const uint8_t[]){0x09, 0x00}, 2),
			 PM_DLMS_TYPE_UNMATCHED);
	fx.calls.answer = PM_DLMS_TEMPORARY_FAILURE; /* e.g. the account has no store */
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, zero, sizeof(zero)), PM_DLMS_TEMPORARY_FAILURE);
	fx.calls.answer = PM_DLMS_SUCCESS;
	ck_assert_int_eq(fx.calls.disconnect, 2);

	/* scripts: {1, [{execute 2, class 70, its LN, method 1, integer 0}]}, {2, ... method 2} */
	ck_assert_int_eq(get(&fx.rmgmt, st, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x01, 0x02, 0x02, 0x02, 0x12, 0x00, 0x01, 0x01, 0x01, 0x02, 0x05, 0x16,
	       0x02, 0x12, 0x00, 0x46, 0x09, 0x06, 0, 0, 96, 3, 10, 255, 0x0F, 0x01, 0x0F, 0x00,
	       0x02, 0x02, 0x12, 0x00, 0x02, 0x01, 0x01, 0x02, 0x05, 0x16, 0x02, 0x12, 0x00, 0x46,
	       0x09, 0x06, 0, 0, 96, 3, 10, 255, 0x0F, 0x02, 0x0F, 0x00);
	ck_assert_int_eq(action(&fx.rmgmt, st, 1, (const uint8_t[]){0x12, 0x00, 0x01}, 3),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.disconnect, 3);
	ck_assert_int_eq(action(&fx.rmgmt, st, 1, (const uint8_t[]){0x12, 0x00, 0x02}, 3),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.reconnect, 2);
	ck_assert_int_eq(action(&fx.rmgmt, st, 1, (const uint8_t[]){0x12, 0x00, 0x03}, 3),
			 PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(fx.calls.disconnect + fx.calls.reconnect, 5);
}
END_TEST

/* ---- maximum demand ---- */

START_TEST(test_demand)
{
	const struct pm_cosem_object *cur = find(&fx.rpub, 4, 1, 0, 1, 6, 0, 255);
	const struct pm_cosem_object *prev = find(&fx.rpub, 4, 1, 0, 1, 6, 0, 101);
	const struct pm_cosem_object *exp = find(&fx.rpub, 4, 1, 0, 2, 6, 0, 102);

	ck_assert_ptr_nonnull(cur);
	ck_assert_ptr_nonnull(prev);
	ck_assert_ptr_nonnull(exp);
	/* 7.2 kW measured in the window ending 2026-11-23 04:30:00 UTC */
	fx.meter.demand_import[0] = (struct pm_demand_peak){
	    .valid = true, .demand_mw = 7200000, .end_ns = (NOV23_UTC - 5 * 60 - 8) * 1000000000};
	fx.meter.demand_export[2] = (struct pm_demand_peak){
	    .valid = true, .demand_mw = 1, .end_ns = (NOV23_UTC - 5 * 60 - 8) * 1000000000};
	/* long64 7200000 = 0x6DDD00, scaler -3 W (27) */
	ck_assert_int_eq(get(&fx.rpub, cur, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x14, 0, 0, 0, 0, 0, 0x6D, 0xDD, 0x00);
	ck_assert_int_eq(get(&fx.rpub, cur, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x0F, 0xFD, 0x16, 27);
	ck_assert_int_eq(get(&fx.rpub, cur, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x11, 0x00);
	ck_assert_int_eq(get(&fx.rpub, cur, 5), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x17, 0x01, 0x04, 0x1E, 0x00, 0x00, 0x00,
	       0x00, 0x00);
	ck_assert_int_eq(get(&fx.rpub, exp, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x14, 0, 0, 0, 0, 0, 0, 0, 0x01);
	/* the previous month has none: value 0, status 1, capture time not specified */
	ck_assert_int_eq(get(&fx.rpub, prev, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x14, 0, 0, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(get(&fx.rpub, prev, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x11, 0x01);
	ck_assert_int_eq(get(&fx.rpub, prev, 5), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80,
	       0x00, 0xFF);
	ck_assert_int_eq(action(&fx.rmgmt, cur, 1, (const uint8_t[]){0x0F, 0}, 2),
			 PM_DLMS_READ_WRITE_DENIED);
}
END_TEST

/* ---- payment classes: the bound attributes, read-only ---- */

START_TEST(test_payment_classes)
{
	const struct pm_cosem_object *acc = find(&fx.rpub, 111, 0, 0, 19, 0, 0, 255);
	const struct pm_cosem_object *ec = find(&fx.rpub, 112, 0, 0, 19, 11, 0, 255);
	const struct pm_cosem_object *lim = find(&fx.rpub, 71, 0, 0, 17, 0, 0, 255);

	ck_assert_ptr_nonnull(acc);
	ck_assert_ptr_nonnull(ec);
	ck_assert_ptr_nonnull(lim);
	fx.snap.account.valid = true;
	fx.snap.account.mode = ACCOUNT_MODE_PAYG;
	fx.snap.account.available_mu = 123456789; /* 123456.789 pence: 123456 = 0x01E240 */
	fx.snap.account.debt_to_clear_mu = -1999; /* toward zero: -1 = 0xFFFFFFFF */
	memcpy(fx.snap.account.currency, "GBP", 4);
	fx.snap.account.minor_units = 2;
	fx.snap.account.ec_state = ACCOUNT_EC_IN_USE;
	fx.snap.account.settings.load_limit_w = 6000;
	/* {payment_mode 2 prepayment (PAYG), account_status 2 active} */
	ck_assert_int_eq(get(&fx.rpub, acc, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x16, 0x02, 0x16, 0x02);
	ck_assert_int_eq(get(&fx.rpub, acc, 5), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x05, 0x00, 0x01, 0xE2, 0x40);
	ck_assert_int_eq(get(&fx.rpub, acc, 6), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x05, 0xFF, 0xFF, 0xFF, 0xFF);
	/* currency {visible-string "GBP", integer -2, enum 2 monetary} */
	ck_assert_int_eq(get(&fx.rpub, acc, 15), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x03, 0x0A, 0x03, 'G', 'B', 'P', 0x0F, 0xFE, 0x16, 0x02);
	/* unbound attributes: no access */
	ck_assert_int_eq(get(&fx.rpub, acc, 3), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(get(&fx.rpub, acc, 20), PM_DLMS_OBJECT_UNDEFINED);
	/* emergency credit in use: credit_status 3 in_use */
	ck_assert_int_eq(get(&fx.rpub, ec, 8), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x16, 0x03);
	/* threshold_normal: double-long-unsigned 6000 W */
	ck_assert_int_eq(get(&fx.rpub, lim, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x06, 0x00, 0x00, 0x17, 0x70);
	/* the Limiter is read-only, even for the management client, for now */
	ck_assert_int_eq(set(&fx.rmgmt, lim, 4, (const uint8_t[]){0x06, 0, 0, 0, 1}, 5),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(fx.calls.set_setting, 0);
	/* low_credit_threshold: the public client may not write it; the management client sets
	 * 2.50 GBP as double-long 250 minor units = 250 000 mu (a long64 is the wrong type) */
	ck_assert_int_eq(set(&fx.rpub, acc, 16, (const uint8_t[]){0x05, 0, 0, 0x00, 0xFA}, 5),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(
	    set(&fx.rmgmt, acc, 16, (const uint8_t[]){0x14, 0, 0, 0, 0, 0, 0, 0, 1}, 9),
	    PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(fx.calls.set_setting, 0);
	ck_assert_int_eq(set(&fx.rmgmt, acc, 16, (const uint8_t[]){0x05, 0, 0, 0x00, 0xFA}, 5),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.set_setting, 1);
	ck_assert_int_eq(fx.calls.setting_value, 250000);
	ck_assert_str_eq(pm_quantities[fx.calls.setting].id, "settings.low_credit");
}
END_TEST

/*
 * Account attribute 4 current_credit_status, bit-string of 8 (04 08 xx), bit 0 the octet's
 * most significant: 0 in_credit 0x80, 1 low_credit 0x40, 3 next_credit_selectable 0x10, 5
 * selectable_credit_in_use 0x04, 6 out_of_credit 0x02. The low-credit threshold is 5.00 GBP =
 * 500 000 mu; "below" is strictly below (account.h: at the line is its good side).
 */
START_TEST(test_account_credit_status)
{
	const struct pm_cosem_object *acc = find(&fx.rpub, 111, 0, 0, 19, 0, 0, 255);

	ck_assert_ptr_nonnull(acc);
	ck_assert_int_eq(get(&fx.rpub, acc, 4), PM_DLMS_OBJECT_UNAVAILABLE); /* no account yet */
	fx.snap.account.valid = true;
	fx.snap.account.settings.low_credit_mu = 500000;
	/* credit mode, nothing available: in credit and nothing else (no low credit in it) */
	fx.snap.account.mode = ACCOUNT_MODE_CREDIT;
	fx.snap.account.credit = PM_CREDIT_OK;
	ck_assert_int_eq(get(&fx.rpub, acc, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x04, 0x08, 0x80);
	/* PAYG, 1234.56789 GBP available, emergency credit in use: 0x80 | 0x04 */
	fx.snap.account.mode = ACCOUNT_MODE_PAYG;
	fx.snap.account.available_mu = 123456789;
	fx.snap.account.credit = PM_CREDIT_EC_IN_USE;
	fx.snap.account.ec_state = ACCOUNT_EC_IN_USE;
	ck_assert_int_eq(get(&fx.rpub, acc, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x04, 0x08, 0x84);
	/* prepayment, 4.00 GBP < 5.00, emergency credit on offer: 0x80 | 0x40 | 0x10 = 0xD0 */
	fx.snap.account.mode = ACCOUNT_MODE_PREPAYMENT;
	fx.snap.account.available_mu = 400000;
	fx.snap.account.credit = PM_CREDIT_EC_AVAILABLE;
	fx.snap.account.ec_state = ACCOUNT_EC_AVAILABLE;
	ck_assert_int_eq(get(&fx.rpub, acc, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x04, 0x08, 0xD0);
	/* exactly at 5.00 GBP: not low */
	fx.snap.account.available_mu = 500000;
	fx.snap.account.credit = PM_CREDIT_OK;
	fx.snap.account.ec_state = ACCOUNT_EC_NONE;
	ck_assert_int_eq(get(&fx.rpub, acc, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x04, 0x08, 0x80);
	/* out of credit, emergency credit spent: 0x02 | 0x40 = 0x42 */
	fx.snap.account.available_mu = -1000;
	fx.snap.account.credit = PM_CREDIT_OUT;
	fx.snap.account.ec_state = ACCOUNT_EC_EXHAUSTED;
	ck_assert_int_eq(get(&fx.rpub, acc, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x04, 0x08, 0x42);
	/* read-only for both clients; attribute 3 stays unserved */
	ck_assert_int_eq(set(&fx.rmgmt, acc, 4, (const uint8_t[]){0x04, 0x08, 0x80}, 3),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(get(&fx.rmgmt, acc, 3), PM_DLMS_READ_WRITE_DENIED);
}
END_TEST

/*
 * Money for a currency with 0, 2 and 3 minor digits (JPY, GBP, BHD). The model counts mu,
 * 1/1000 of the minor unit, whatever the currency. Each amount below is 1 234 000 mu:
 *   JPY: 1 234 000 mu = 1 234 yen;  GBP: = 1 234 pence = 12.34 GBP;  BHD: = 1 234 fils = 1.234 BHD.
 * A Register (0.0.128.0.0.255, total credit) serves mu as long64 1 234 000 (0x12D450), so its
 * scaler must be -(digits + 3): 1 234 000 x 10^-3 = 1 234 (JPY), x 10^-5 = 12.34 (GBP),
 * x 10^-6 = 1.234 (BHD). The Account serves the minor unit as double-long 1 234 (0x04D2) with
 * currency_scale -digits: 1 234 x 10^0 = 1 234, x 10^-2 = 12.34, x 10^-3 = 1.234. Both give the
 * amount exactly, in every currency.
 */
START_TEST(test_money_scalers_follow_the_currency)
{
	static const struct {
		const char *code;
		int64_t digits;
		uint8_t register_scaler; /* -(digits + 3), as integer octet */
		uint8_t currency_scale;	 /* -digits */
	} cur[] = {
	    {"JPY", 0, 0xFD, 0x00}, /* -3, 0 */
	    {"GBP", 2, 0xFB, 0xFE}, /* -5, -2 */
	    {"BHD", 3, 0xFA, 0xFD}, /* -6, -3 */
	};
	const struct pm_cosem_object *total = find(&fx.rpub, 3, 0, 0, 128, 0, 0, 255);
	const struct pm_cosem_object *acc = find(&fx.rpub, 111, 0, 0, 19, 0, 0, 255);

	ck_assert_ptr_nonnull(total);
	ck_assert_ptr_nonnull(acc);
	fx.snap.account.valid = true;
	fx.snap.account.total_credit_mu = 1234000;
	fx.snap.account.available_mu = 1234000;
	for (size_t i = 0; i < sizeof(cur) / sizeof(cur[0]); i++) {
		memcpy(fx.snap.account.currency, cur[i].code, 4);
		fx.snap.account.minor_units = cur[i].digits;
		ck_assert_int_eq(get(&fx.rpub, total, 2), PM_DLMS_SUCCESS);
		OUT_EQ(&fx.out, 0x14, 0, 0, 0, 0, 0, 0x12, 0xD4, 0x50);
		ck_assert_int_eq(get(&fx.rpub, total, 3), PM_DLMS_SUCCESS);
		ck_assert_uint_eq(fx.out.len, 6);
		ck_assert_uint_eq(fx.out.buf[3], cur[i].register_scaler);
		ck_assert_int_eq(get(&fx.rpub, acc, 5), PM_DLMS_SUCCESS);
		OUT_EQ(&fx.out, 0x05, 0x00, 0x00, 0x04, 0xD2);
		/* {visible-string code, integer -digits, enum 2 monetary} */
		ck_assert_int_eq(get(&fx.rpub, acc, 15), PM_DLMS_SUCCESS);
		ck_assert_uint_eq(fx.out.len, 11);
		ck_assert(memcmp(fx.out.buf + 4, cur[i].code, 3) == 0);
		ck_assert_uint_eq(fx.out.buf[8], cur[i].currency_scale);
	}
}
END_TEST

/*
 * The price (0.0.128.2.4.255, currency per kWh, unit 254 other) and a money setting written as
 * a Register follow the currency too. BHD: 0.025 BHD/kWh = 25 fils = 25 000 mu per kWh, long64
 * 25 000 (0x61A8) at scaler -6: 25 000 x 10^-6 = 0.025. JPY: a PAYG debt limit of -500 yen is
 * -500 000 mu, so a head-end that read scaler -3 writes long64 -500 000 (0xFFF85EE0) and the
 * meter is asked for -500 000 mu; the Account's low_credit_threshold takes 100 (yen) as
 * double-long and becomes 100 x 1 000 = 100 000 mu.
 */
START_TEST(test_money_price_and_settings_per_currency)
{
	const struct pm_cosem_object *price = find(&fx.rpub, 3, 0, 0, 128, 2, 4, 255);
	const struct pm_cosem_object *payg = find(&fx.rmgmt, 3, 0, 0, 128, 5, 0, 255);
	const struct pm_cosem_object *acc = find(&fx.rmgmt, 111, 0, 0, 19, 0, 0, 255);

	ck_assert_ptr_nonnull(price);
	ck_assert_ptr_nonnull(payg);
	ck_assert_ptr_nonnull(acc);
	fx.snap.account.valid = true;
	fx.snap.account.has_tariff = true;
	memcpy(fx.snap.account.currency, "BHD", 4);
	fx.snap.account.minor_units = 3;
	fx.snap.account.price_mu_per_kwh = 25000;
	ck_assert_int_eq(get(&fx.rpub, price, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x14, 0, 0, 0, 0, 0, 0, 0x61, 0xA8);
	ck_assert_int_eq(get(&fx.rpub, price, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x0F, 0xFA, 0x16, 254);

	memcpy(fx.snap.account.currency, "JPY", 4);
	fx.snap.account.minor_units = 0;
	ck_assert_int_eq(get(&fx.rmgmt, payg, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x0F, 0xFD, 0x16, 10);
	ck_assert_int_eq(
	    set(&fx.rmgmt, payg, 2,
		(const uint8_t[]){0x14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF8, 0x5E, 0xE0}, 9),
	    PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.set_setting, 1);
	ck_assert_int_eq(fx.calls.setting_value, -500000);
	ck_assert_str_eq(pm_quantities[fx.calls.setting].id, "settings.payg_debt_limit");
	ck_assert_int_eq(set(&fx.rmgmt, acc, 16, (const uint8_t[]){0x05, 0, 0, 0, 100}, 5),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.setting_value, 100000);
}
END_TEST

/* ---- token gateway ---- */

/* LLS on a meter with HLS keys: every write of money, supply or tariff is refused before the
 * meter is asked, whether the object is a payment class, the Clock or a setting served as a
 * Register or Data; HLS writes the same objects. */
START_TEST(test_lls_restricted)
{
	struct pm_dlms_assoc_info lls = fx.mgmt, gmac = fx.mgmt;
	const struct pm_cosem_request rlls = {&lls, &fx.meter}, rgmac = {&gmac, &fx.meter};
	/* settings.max_balance 0.0.128.5.1.255, Register; settings.reconnect_needs_confirmation
	 * 0.0.128.5.6.255, Data; the Clock; the Token gateway */
	const struct pm_cosem_object *max_balance = find(&rlls, 3, 0, 0, 128, 5, 1, 255);
	const struct pm_cosem_object *reconnect = find(&rlls, 1, 0, 0, 128, 5, 6, 255);
	const struct pm_cosem_object *clock = find(&rlls, 8, 0, 0, 1, 0, 0, 255);
	const struct pm_cosem_object *gateway = find(&rlls, 115, 0, 0, 19, 40, 0, 255);
	/* account.total_credit: written by nobody */
	const struct pm_cosem_object *total = find(&rlls, 3, 0, 0, 128, 0, 0, 255);
	const uint8_t v4000[] = {0x06, 0, 0, 0x0F, 0xA0}; /* double-long-unsigned 4000 */
	const uint8_t money[] = {0x05, 0, 0, 0x0F, 0xA0}; /* double-long 4000 */
	const uint8_t yes[] = {0x03, 0x01};
	/* 2026-11-23 04:36:00, deviation 0 */
	const uint8_t t[] = {0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x17, 0x01,
			     0x04, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00};
	const uint8_t zero[] = {0x0F, 0x00};
	const uint8_t enter[] = {0x09, 20,  '6', '6', '4', '7', '5', '6', '4', '8', '3',
				 '1',  '6', '7', '5', '6', '8', '2', '1', '7', '8', '5'};
	int max_q = pm_quantity_find("settings.max_balance");

	lls.lls_restricted = true;
	gmac.mechanism = 5;
	ck_assert_ptr_nonnull(max_balance);
	ck_assert_ptr_nonnull(reconnect);
	ck_assert_ptr_nonnull(clock);
	ck_assert_ptr_nonnull(gateway);
	ck_assert_ptr_nonnull(total);
	ck_assert_int_ge(max_q, 0);
	ck_assert(pm_quantities[max_q].needs_hls);

	ck_assert_int_eq(set(&rlls, max_balance, 2, money, sizeof(money)),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(set(&rlls, reconnect, 2, yes, sizeof(yes)), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(fx.calls.set_setting, 0);
	ck_assert_int_eq(set(&rlls, clock, 2, t, sizeof(t)), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(action(&rlls, clock, 6, zero, sizeof(zero)), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(fx.calls.set_clock, 0);
	ck_assert_int_eq(action(&rlls, gateway, 1, enter, sizeof(enter)),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(fx.calls.enter_token, 0);
	/* reading is not restricted */
	ck_assert_int_eq(get(&rlls, clock, 2), PM_DLMS_SUCCESS);
	/* a quantity nobody writes stays refused as before, for its own reason */
	ck_assert_int_eq(set(&rlls, total, 2, v4000, sizeof(v4000)), PM_DLMS_READ_WRITE_DENIED);

	ck_assert_int_eq(set(&rgmac, max_balance, 2, money, sizeof(money)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.set_setting, 1);
	ck_assert_uint_eq(fx.calls.setting, (size_t)max_q);
	ck_assert_int_eq(set(&rgmac, reconnect, 2, yes, sizeof(yes)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.set_setting, 2);
	ck_assert_int_eq(set(&rgmac, clock, 2, t, sizeof(t)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.set_clock, 1);
	ck_assert_int_eq(action(&rgmac, gateway, 1, enter, sizeof(enter)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.enter_token, 1);
}
END_TEST

/* Every quantity an administrator writes moves money, the supply or the tariff: the model
 * marks each as needing HLS, so a row added without thinking of it fails here. */
START_TEST(test_admin_quantities_need_hls)
{
	for (size_t i = 0; i < pm_quantity_count; i++)
		if (pm_quantities[i].write == PM_WHO_ADMIN)
			ck_assert_msg(pm_quantities[i].needs_hls, "%s", pm_quantities[i].id);
	ck_assert(!pm_quantities[pm_quantity_find("account.total_credit")].needs_hls);
}
END_TEST

START_TEST(test_token_gateway)
{
	const struct pm_cosem_object *o = find(&fx.rmgmt, 115, 0, 0, 19, 40, 0, 255);
	struct pm_cosem_token_entry entry = {.token = "123",
					     .utc_s = NOV23_UTC,
					     .status = PM_COSEM_TOKEN_EXECUTION_OK,
					     .description = "credit"};
	/* octet-string(20) "66475648316756821785" */
	const uint8_t enter[] = {0x09, 20,  '6', '6', '4', '7', '5', '6', '4', '8', '3',
				 '1',  '6', '7', '5', '6', '8', '2', '1', '7', '8', '5'};
	uint8_t long_token[2 + 65];

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_null(find(&fx.rpub, 115, 0, 0, 19, 40, 0, 255)); /* management only */
	/* token_delivery_method: enum 0 remote; the rest unavailable before a token */
	ck_assert_int_eq(get(&fx.rmgmt, o, 5), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x16, 0x00);
	ck_assert_int_eq(get(&fx.rmgmt, o, 6), PM_DLMS_OBJECT_UNAVAILABLE);
	ck_assert_int_eq(get(&fx.rmgmt, o, 2), PM_DLMS_OBJECT_UNAVAILABLE);

	fx.meter.token_entry = &entry;
	ck_assert_int_eq(get(&fx.rmgmt, o, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x03, '1', '2', '3');
	/* token_time: the reference's date-time (UTC, no DST): 07 EA 0B 17 01 04 23 08, 00
	 * hundredths, deviation 0, status 0 */
	ck_assert_int_eq(get(&fx.rmgmt, o, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x17, 0x01, 0x04, 0x23, 0x08, 0x00, 0x00,
	       0x00, 0x00);
	/* token_description: array(1) of octet-string "credit" */
	ck_assert_int_eq(get(&fx.rmgmt, o, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x01, 0x01, 0x09, 0x06, 'c', 'r', 'e', 'd', 'i', 't');
	/* token_status: {enum 3 token_execution_ok, bit-string of 0 bits} */
	ck_assert_int_eq(get(&fx.rmgmt, o, 6), PM_DLMS_SUCCESS);
	OUT_EQ(&fx.out, 0x02, 0x02, 0x16, 0x03, 0x04, 0x00);

	/* enter: the digits reach the meter as text; its answer is the action's */
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, enter, sizeof(enter)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(fx.calls.enter_token, 1);
	ck_assert_str_eq(fx.calls.token, "66475648316756821785");
	fx.calls.answer = PM_DLMS_OTHER_REASON; /* e.g. already used */
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, enter, sizeof(enter)), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(fx.calls.enter_token, 2);

	/* no token at all: never reaches the meter */
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, NULL, 0), PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, (const uint8_t[]){0x0F, 0x05}, 2),
			 PM_DLMS_TYPE_UNMATCHED); /* integer 5 */
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, (const uint8_t[]){0x09, 0x00}, 2),
			 PM_DLMS_TYPE_UNMATCHED); /* empty */
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, (const uint8_t[]){0x09, 0x03, '1', 0, '2'}, 5),
			 PM_DLMS_TYPE_UNMATCHED); /* a NUL inside */
	long_token[0] = 0x09;
	long_token[1] = 65;
	memset(long_token + 2, '1', 65);
	ck_assert_int_eq(action(&fx.rmgmt, o, 1, long_token, sizeof(long_token)),
			 PM_DLMS_TYPE_UNMATCHED); /* 65 octets: more than PM_COSEM_TOKEN_MAX */
	ck_assert_int_eq(fx.calls.enter_token, 2);
	/* the attributes are read-only */
	ck_assert_int_eq(set(&fx.rmgmt, o, 2, (const uint8_t[]){0x09, 0x01, '1'}, 3),
			 PM_DLMS_READ_WRITE_DENIED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cosem_objects");
	TCase *tc = tcase_create("cosem_objects");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_model_object_is_there);
	tcase_add_test(tc, test_register_point);
	tcase_add_test(tc, test_register_quantity);
	tcase_add_test(tc, test_setting_set);
	tcase_add_test(tc, test_data);
	tcase_add_test(tc, test_clock_get);
	tcase_add_test(tc, test_clock_set);
	tcase_add_test(tc, test_token_gateway);
	tcase_add_test(tc, test_lls_restricted);
	tcase_add_test(tc, test_admin_quantities_need_hls);
	tcase_add_test(tc, test_object_list);
	tcase_add_test(tc, test_association_attributes);
	tcase_add_test(tc, test_disconnect);
	tcase_add_test(tc, test_demand);
	tcase_add_test(tc, test_payment_classes);
	tcase_add_test(tc, test_account_credit_status);
	tcase_add_test(tc, test_money_scalers_follow_the_currency);
	tcase_add_test(tc, test_money_price_and_settings_per_currency);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
