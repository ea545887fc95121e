// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Profile generic objects (daemon/core/dlms/cosem-profile.c, cosem-selective.c,
 * cosem-event-codes.c) through the directory, against a fake meter whose rows are a formula of
 * their index. Expected bytes are written by hand from the Data tags (IEC 62056-6-2: 01 array,
 * 02 structure, 09 octet-string, 11 unsigned, 12 long-unsigned, 14 long64, 00 null-data) and
 * the date-time layout (cosem-time.h); entry counts are worked out in the comments.
 *
 * The fake load profile: 30-minute intervals from 2026-01-01 00:00 UTC (a Thursday; UTC
 * 1 767 225 600 s = 20 454 days), 240 days of them: 240 x 48 = 11 520 rows. Row k ends at
 * T0 + (k + 1) x 1800 s, +A = 1000 (k + 1) mWh, -A = 0, +R = 10 (k + 1), -R = 5; row 0 is
 * PARTIAL, row 2 POWER_DOWN | CLOCK_ADJUSTED.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/dlms/cosem-directory.h"
#include "core/dlms/cosem-event-codes.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/cosem-profile.h"
#include "core/dlms/server.h"
#include "core/metrology/profile.h"

#define T0 INT64_C(1767225600)
#define PERIOD 1800
#define LP_ROWS (240 * 48)

static struct pm_cosem_directory dir;

static const struct pm_dlms_assoc_info management = {.client = PM_DLMS_CLIENT_MANAGEMENT};
static const struct pm_dlms_assoc_info public_client = {.client = PM_DLMS_CLIENT_PUBLIC};

/* ---- the fake meter ---- */

struct fake {
	uint32_t lp_rows;
	int32_t offset_s; /* the zone: a fixed offset, no daylight saving */
	int row_calls;	  /* rows the last query visited */
	struct pm_cosem_profile_row events[4];
	uint32_t n_events;
	struct pm_cosem_profile_row billing[2];
	uint32_t n_billing;
};

static struct fake fake;
static struct pm_cosem_meter meter;

static void lp_row(uint32_t k, struct pm_cosem_profile_row *r)
{
	memset(r, 0, sizeof(*r));
	r->utc_s = T0 + (int64_t)(k + 1) * PERIOD;
	r->status = k == 0   ? PM_PROFILE_PARTIAL
		    : k == 2 ? PM_PROFILE_POWER_DOWN | PM_PROFILE_CLOCK_ADJUSTED
			     : 0;
	r->reg[0] = 1000u * (k + 1);
	r->reg[2] = 10u * (k + 1);
	r->reg[3] = 5;
}

/* Row @k of profile @p into @r; false beyond the last. */
static bool row_of(enum pm_cosem_profile p, uint32_t k, struct pm_cosem_profile_row *r)
{
	switch (p) {
	case PM_COSEM_LOAD_PROFILE:
		if (k >= fake.lp_rows)
			return false;
		lp_row(k, r);
		return true;
	case PM_COSEM_DAILY_BILLING:
		if (k >= fake.n_billing)
			return false;
		*r = fake.billing[k];
		return true;
	case PM_COSEM_STANDARD_EVENTS:
		if (k >= fake.n_events)
			return false;
		*r = fake.events[k];
		return true;
	default:
		return false;
	}
}

static enum pm_dlms_result fake_count(void *data, enum pm_cosem_profile p, uint32_t *n)
{
	struct pm_cosem_profile_row r;
	uint32_t k = 0;

	(void)data;
	while (row_of(p, k, &r))
		k++;
	*n = k;
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result fake_rows(void *data, enum pm_cosem_profile p,
				     const struct pm_cosem_rows_query *q, pm_cosem_row_fn fn,
				     void *ctx)
{
	struct pm_cosem_profile_row r;

	(void)data;
	fake.row_calls = 0;
	for (uint32_t k = 0; row_of(p, k, &r); k++) {
		if (q->by_entry) {
			if (k < q->first || (q->count && k - q->first >= q->count))
				continue;
		} else if (r.utc_s < q->from_utc_s || r.utc_s > q->to_utc_s) {
			continue;
		}
		fake.row_calls++;
		if (fn(ctx, &r))
			break;
	}
	return PM_DLMS_SUCCESS;
}

static void fake_offset(void *data, int64_t utc_s, int32_t *offset_s, bool *dst)
{
	(void)data;
	(void)utc_s;
	*offset_s = fake.offset_s;
	*dst = false;
}

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.lp_rows = LP_ROWS;
	meter = (struct pm_cosem_meter){
	    .measuring_period_s = PERIOD,
	    .local_offset = fake_offset,
	    .profile_count = fake_count,
	    .profile_rows = fake_rows,
	    .profile_capacity =
		{[PM_COSEM_LOAD_PROFILE] = LP_ROWS, [PM_COSEM_STANDARD_EVENTS] = 10000},
	};
	ck_assert_int_eq(pm_cosem_directory_init(&dir), 0);
}

static void teardown(void)
{
	pm_cosem_directory_free(&dir);
}

/* ---- requests through the directory ---- */

static const uint8_t load_profile_ln[6] = {1, 0, 99, 1, 0, 255};
static const uint8_t standard_log_ln[6] = {0, 0, 99, 98, 0, 255};
static const uint8_t daily_ln[6] = {1, 0, 98, 2, 0, 255};

static enum pm_dlms_result get(const struct pm_dlms_assoc_info *who, const uint8_t ln[6],
			       uint8_t attr, uint8_t selector, const uint8_t *param, size_t n,
			       struct pm_axdr_out *out)
{
	const struct pm_cosem_request req = {.assoc = who, .meter = &meter};
	const struct pm_cosem_selector sel = {selector, param, n};
	const struct pm_cosem_object *o = pm_cosem_directory_ops.find(&dir, &req, 7, ln);

	ck_assert_ptr_nonnull(o);
	pm_axdr_out_reset(out);
	return pm_cosem_directory_ops.get(&dir, &req, o, attr, &sel, out);
}

#define BYTES_EQ(o, off, ...)                                                                      \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		ck_assert(!(o)->overflow);                                                         \
		ck_assert_uint_ge((o)->len, (off) + sizeof(want_));                                \
		ck_assert_msg(memcmp((o)->buf + (off), want_, sizeof(want_)) == 0,                 \
			      "bytes at %zu differ", (size_t)(off));                               \
	} while (0)

/* A whole answer. */
#define OUT_EQ(o, ...)                                                                             \
	do {                                                                                       \
		static const uint8_t all_[] = {__VA_ARGS__};                                       \
		ck_assert_uint_eq((o)->len, sizeof(all_));                                         \
		BYTES_EQ(o, 0, __VA_ARGS__);                                                       \
	} while (0)

/* The clock column's capture_object_definition: {8, 0.0.1.0.0.255, 2, 0}. */
#define CLOCK_DEF                                                                                  \
	0x02, 0x04, 0x12, 0x00, 0x08, 0x09, 0x06, 0, 0, 1, 0, 0, 0xFF, 0x0F, 0x02, 0x12, 0, 0
/* +A: {3, 1.0.1.8.0.255, 2, 0} */
#define IMPORT_DEF                                                                                 \
	0x02, 0x04, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 1, 8, 0, 0xFF, 0x0F, 0x02, 0x12, 0, 0
/* 2026-01-01 (Thursday) hh:mm:00, deviation 0, status 0 */
#define JAN1(hh, mm) 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, hh, mm, 0, 0, 0x00, 0x00, 0x00

START_TEST(test_capture_objects_and_scalars)
{
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(&management, load_profile_ln, 3, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x06, CLOCK_DEF,
	       /* the status Data {1, 0.0.96.10.1.255, 2, 0} */
	       0x02, 0x04, 0x12, 0x00, 0x01, 0x09, 0x06, 0, 0, 96, 10, 1, 0xFF, 0x0F, 0x02, 0x12, 0,
	       0, IMPORT_DEF,
	       /* -A, +R, -R: 1.0.2.8.0.255, 1.0.3.8.0.255, 1.0.4.8.0.255 */
	       0x02, 0x04, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 2, 8, 0, 0xFF, 0x0F, 0x02, 0x12, 0,
	       0, 0x02, 0x04, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 3, 8, 0, 0xFF, 0x0F, 0x02, 0x12,
	       0, 0, 0x02, 0x04, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 4, 8, 0, 0xFF, 0x0F, 0x02,
	       0x12, 0, 0);
	/* capture_period: the meter's 1800 s = 0x708 */
	ck_assert_int_eq(get(&management, load_profile_ln, 4, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0x00, 0x00, 0x07, 0x08);
	/* sort_method FIFO (enum 1); sort_object none */
	ck_assert_int_eq(get(&management, load_profile_ln, 5, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x16, 0x01);
	ck_assert_int_eq(get(&management, load_profile_ln, 6, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x02, 0x04, 0x12, 0, 0, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x0F, 0, 0x12, 0, 0);
	/* entries_in_use and profile_entries: 11 520 = 0x2D00 */
	ck_assert_int_eq(get(&management, load_profile_ln, 7, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0x00, 0x00, 0x2D, 0x00);
	ck_assert_int_eq(get(&management, load_profile_ln, 8, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0x00, 0x00, 0x2D, 0x00);
	/* the event logs are captured on events: capture_period 0 */
	ck_assert_int_eq(get(&management, standard_log_ln, 4, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0, 0, 0, 0);
	/* and their capture objects: clock, then the event code Data 0.0.96.11.0.255 */
	ck_assert_int_eq(get(&management, standard_log_ln, 3, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x02, CLOCK_DEF, 0x02, 0x04, 0x12, 0x00, 0x01, 0x09, 0x06, 0, 0, 96, 11,
	       0, 0xFF, 0x0F, 0x02, 0x12, 0, 0);
	pm_axdr_out_free(&out);
}
END_TEST

/*
 * The whole buffer: 11 520 entries, each structure of 6 (2 octets) + clock (2 + 12) + status
 * (2) + four long64 (4 x 9) = 54 octets, behind the array header 01 82 2D 00: 4 + 622 080.
 */
START_TEST(test_whole_load_profile)
{
	struct pm_axdr_out out;
	clock_t t;

	pm_axdr_out_init_heap(&out, PM_DLMS_MAX_RESPONSE);
	t = clock();
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	t = clock() - t;
	ck_assert_uint_eq(out.len, 4 + 11520 * 54);
	BYTES_EQ(&out, 0, 0x01, 0x82, 0x2D, 0x00,
		 /* entry 1: ends 00:30, status data-not-valid (bit 2), +A 1000, -A 0, +R 10,
		    -R 5 */
		 0x02, 0x06, JAN1(0, 30), 0x11, 0x04, 0x14, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0x14, 0,
		 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0x14, 0, 0, 0, 0, 0, 0, 0,
		 0x05);
	/* entry 3 (at 4 + 2 x 54): ends 01:30, power down (bit 7) and clock adjusted (bit 5) */
	BYTES_EQ(&out, 4 + 2 * 54, 0x02, 0x06, JAN1(1, 30), 0x11, 0xA0);
	/* the last: row 11 519 ends T0 + 11 520 x 1800 s = T0 + 240 days = 2026-08-29 00:00, a
	   Saturday (dow 6); +A 11 520 000 = 0xAFC800 */
	BYTES_EQ(&out, 4 + 11519 * 54, 0x02, 0x06, 0x09, 0x0C, 0x07, 0xEA, 0x08, 0x1D, 0x06, 0, 0,
		 0, 0, 0, 0, 0, 0x11, 0x00, 0x14, 0, 0, 0, 0, 0, 0xAF, 0xC8, 0x00);
	/* "reasonably fast": far below a second on the gateway-class machine (a bound for a
	 * broken loop only, not a benchmark) */
	ck_assert_int_lt((long)t, (long)(2 * CLOCKS_PER_SEC));
	pm_axdr_out_free(&out);
}
END_TEST

/* A range descriptor on the clock column from @from to @to, every column. */
#define RANGE(from, to, ...)                                                                       \
	{                                                                                          \
		0x02, 0x04, CLOCK_DEF, from, to, __VA_ARGS__                                       \
	}

/*
 * 06:00 to 12:00 on 1 January, inclusive: the intervals ending 06:00, 06:30, ..., 12:00, that is
 * (12 - 6) x 2 + 1 = 13 entries; the first is row 11 (ends 12 x 30 min = 06:00), +A 12 000.
 */
START_TEST(test_range_selects_by_clock)
{
	static const uint8_t range[] = RANGE(JAN1(6, 0), JAN1(12, 0), 0x01, 0x00);
	/* the same with the deviation not specified: local time, the fake zone is UTC */
	static const uint8_t local[] = RANGE(JAN1(6, 0), 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0xFF,
					     12, 0, 0, 0xFF, 0x80, 0x00, 0xFF, 0x01, 0x00);
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 65536);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 1, range, sizeof(range), &out),
			 PM_DLMS_SUCCESS);
	ck_assert_uint_eq(out.len, 2 + 13 * 54);
	BYTES_EQ(&out, 0, 0x01, 0x0D, 0x02, 0x06, JAN1(6, 0), 0x11, 0x00, 0x14, 0, 0, 0, 0, 0, 0,
		 0x2E, 0xE0);
	BYTES_EQ(&out, 2 + 12 * 54, 0x02, 0x06, JAN1(12, 0));
	ck_assert_int_eq(fake.row_calls, 13);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 1, local, sizeof(local), &out),
			 PM_DLMS_SUCCESS);
	ck_assert_uint_eq(out.len, 2 + 13 * 54);
	pm_axdr_out_free(&out);
}
END_TEST

/*
 * A zone one hour east of UTC (Paris in winter: deviation -60 = 0xFFC4): local 07:00 to 08:00
 * is 06:00 to 07:00 UTC, 3 entries, and their clock column is local time: the first, ending
 * 06:00 UTC, reads 07:00 with deviation FF C4.
 */
START_TEST(test_range_and_clock_in_local_time)
{
	static const uint8_t range[] =
	    RANGE(0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 7, 0, 0, 0, 0xFF, 0xC4, 0x00, 0x09,
		  0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 8, 0, 0, 0, 0x80, 0x00, 0x00, 0x01, 0x00);
	struct pm_axdr_out out;

	fake.offset_s = 3600;
	pm_axdr_out_init_heap(&out, 65536);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 1, range, sizeof(range), &out),
			 PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x03,
	       /* ends 06:00 UTC: row 11 */
	       0x02, 0x06, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 7, 0, 0, 0, 0xFF, 0xC4, 0x00,
	       0x11, 0x00, 0x14, 0, 0, 0, 0, 0, 0, 0x2E, 0xE0, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0x14,
	       0, 0, 0, 0, 0, 0, 0, 0x78, 0x14, 0, 0, 0, 0, 0, 0, 0, 0x05,
	       /* ends 06:30 UTC: row 12, +A 13 000 = 0x32C8, +R 130 = 0x82 */
	       0x02, 0x06, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 7, 30, 0, 0, 0xFF, 0xC4, 0x00,
	       0x11, 0x00, 0x14, 0, 0, 0, 0, 0, 0, 0x32, 0xC8, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0x14,
	       0, 0, 0, 0, 0, 0, 0, 0x82, 0x14, 0, 0, 0, 0, 0, 0, 0, 0x05,
	       /* ends 07:00 UTC: row 13, +A 14 000 = 0x36B0, +R 140 = 0x8C */
	       0x02, 0x06, 0x09, 0x0C, 0x07, 0xEA, 0x01, 0x01, 0x04, 8, 0, 0, 0, 0xFF, 0xC4, 0x00,
	       0x11, 0x00, 0x14, 0, 0, 0, 0, 0, 0, 0x36, 0xB0, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0x14,
	       0, 0, 0, 0, 0, 0, 0, 0x8C, 0x14, 0, 0, 0, 0, 0, 0, 0, 0x05);
	pm_axdr_out_free(&out);
}
END_TEST

/* selected_values: +A only, then clock and +A listed in the other order (the capture objects'
 * order is kept). */
START_TEST(test_range_selected_values)
{
	static const uint8_t import_only[] = RANGE(JAN1(0, 30), JAN1(1, 0), 0x01, 0x01, IMPORT_DEF);
	static const uint8_t two[] =
	    RANGE(JAN1(0, 30), JAN1(0, 30), 0x01, 0x02, IMPORT_DEF, CLOCK_DEF);
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 4096);
	/* 00:30 and 01:00: 2 entries of one column, +A 1000 and 2000 */
	ck_assert_int_eq(
	    get(&management, load_profile_ln, 2, 1, import_only, sizeof(import_only), &out),
	    PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x02, 0x02, 0x01, 0x14, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0x02, 0x01, 0x14,
	       0, 0, 0, 0, 0, 0, 0x07, 0xD0);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 1, two, sizeof(two), &out),
			 PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, 0x02, 0x02, JAN1(0, 30), 0x14, 0, 0, 0, 0, 0, 0, 0x03, 0xE8);
	pm_axdr_out_free(&out);
}
END_TEST

/* A range before the first interval, and one between two ends: no entry. */
START_TEST(test_range_with_no_entries)
{
	static const uint8_t before[] =
	    RANGE(0x09, 0x0C, 0x07, 0xE9, 0x0C, 0x1F, 0x03, 0, 0, 0, 0, 0, 0, 0, JAN1(0, 29), 0x01,
		  0x00); /* 2025-12-31 (Wednesday) 00:00 to 2026-01-01 00:29 */
	static const uint8_t between[] = RANGE(JAN1(0, 31), JAN1(0, 59), 0x01, 0x00);
	/* from after to */
	static const uint8_t reversed[] = RANGE(JAN1(12, 0), JAN1(6, 0), 0x01, 0x00);
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 1, before, sizeof(before), &out),
			 PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x00);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 1, between, sizeof(between), &out),
			 PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x00);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 1, reversed, sizeof(reversed), &out),
			 PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x00);
	pm_axdr_out_free(&out);
}
END_TEST

/* An entry descriptor {from_entry, to_entry, from_selected_value, to_selected_value}. */
#define ENTRY(f, t, fc, tc)                                                                        \
	{                                                                                          \
		0x02, 0x04, 0x06, 0, 0, (f) >> 8, (f)&0xFF, 0x06, 0, 0, (t) >> 8, (t)&0xFF, 0x12,  \
		    0, fc, 0x12, 0, tc                                                             \
	}

/*
 * Entries 2..5, columns 1..2 (clock and status): 4 entries of structure of 2, the first ending
 * 01:00 (row 1). Entry 11 519 to the last (to_entry 0): 2 entries. From 11 521: none.
 */
START_TEST(test_entry_descriptor)
{
	static const uint8_t two_to_five[] = ENTRY(2, 5, 1, 2);
	static const uint8_t to_last[] = ENTRY(11519, 0, 3, 0);
	static const uint8_t beyond[] = ENTRY(11521, 0, 0, 0);
	static const uint8_t reversed[] = ENTRY(5, 2, 0, 0);
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(
	    get(&management, load_profile_ln, 2, 2, two_to_five, sizeof(two_to_five), &out),
	    PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x04, 0x02, 0x02, JAN1(1, 0), 0x11, 0x00, 0x02, 0x02, JAN1(1, 30), 0x11,
	       0xA0, 0x02, 0x02, JAN1(2, 0), 0x11, 0x00, 0x02, 0x02, JAN1(2, 30), 0x11, 0x00);
	/* columns 3..6 (to 0 = the last) of rows 11 518 and 11 519: +A 11 519 000 = 0xAFC418 */
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 2, to_last, sizeof(to_last), &out),
			 PM_DLMS_SUCCESS);
	ck_assert_uint_eq(out.len, 2 + 2 * (2 + 4 * 9));
	BYTES_EQ(&out, 0, 0x01, 0x02, 0x02, 0x04, 0x14, 0, 0, 0, 0, 0, 0xAF, 0xC4, 0x18);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 2, beyond, sizeof(beyond), &out),
			 PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x00);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 2, reversed, sizeof(reversed), &out),
			 PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x00);
	pm_axdr_out_free(&out);
}
END_TEST

START_TEST(test_bad_selectors)
{
	/* selector 3 does not exist for the buffer */
	static const uint8_t any[] = {0x00};
	/* an entry descriptor that is an unsigned, not a structure */
	static const uint8_t not_a_structure[] = {0x11, 0x00};
	/* a range restricted on +A instead of the clock */
	static const uint8_t on_import[] = {0x02,	0x04, IMPORT_DEF, JAN1(0, 0),
					    JAN1(1, 0), 0x01, 0x00};
	/* a selected value that is no capture object: Clock attribute 3 */
	static const uint8_t no_column[] =
	    RANGE(JAN1(0, 0), JAN1(1, 0), 0x01, 0x01, 0x02, 0x04, 0x12, 0x00, 0x08, 0x09, 0x06, 0,
		  0, 1, 0, 0, 0xFF, 0x0F, 0x03, 0x12, 0, 0);
	/* 25:00 is no time */
	static const uint8_t bad_time[] = RANGE(JAN1(25, 0), JAN1(1, 0), 0x01, 0x00);
	/* columns 7..8 of 6 */
	static const uint8_t no_columns[] = ENTRY(1, 1, 7, 8);
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 3, any, sizeof(any), &out),
			 PM_DLMS_SCOPE_OF_ACCESS_VIOLATED);
	/* selective access on another attribute */
	ck_assert_int_eq(get(&management, load_profile_ln, 3, 1, any, sizeof(any), &out),
			 PM_DLMS_SCOPE_OF_ACCESS_VIOLATED);
	ck_assert_int_eq(
	    get(&management, load_profile_ln, 2, 2, not_a_structure, sizeof(not_a_structure), &out),
	    PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(
	    get(&management, load_profile_ln, 2, 1, not_a_structure, sizeof(not_a_structure), &out),
	    PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(
	    get(&management, load_profile_ln, 2, 1, on_import, sizeof(on_import), &out),
	    PM_DLMS_SCOPE_OF_ACCESS_VIOLATED);
	ck_assert_int_eq(
	    get(&management, load_profile_ln, 2, 1, no_column, sizeof(no_column), &out),
	    PM_DLMS_SCOPE_OF_ACCESS_VIOLATED);
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 1, bad_time, sizeof(bad_time), &out),
			 PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(
	    get(&management, load_profile_ln, 2, 2, no_columns, sizeof(no_columns), &out),
	    PM_DLMS_SCOPE_OF_ACCESS_VIOLATED);
	/* nothing written by a refusal */
	ck_assert_uint_eq(out.len, 0);
	pm_axdr_out_free(&out);
}
END_TEST

/* The public client does not see the profiles; nobody may reset or capture them. */
START_TEST(test_access)
{
	const struct pm_cosem_request pub = {.assoc = &public_client, .meter = &meter};
	const struct pm_cosem_request mgmt = {.assoc = &management, .meter = &meter};
	const struct pm_cosem_object *o;
	static const uint8_t zero[] = {0x0F, 0x00};
	struct pm_axdr_out out;

	ck_assert_ptr_null(pm_cosem_directory_ops.find(&dir, &pub, 7, load_profile_ln));
	ck_assert_ptr_null(pm_cosem_directory_ops.find(&dir, &pub, 7, standard_log_ln));
	o = pm_cosem_directory_ops.find(&dir, &mgmt, 7, load_profile_ln);
	ck_assert_ptr_nonnull(o);
	pm_axdr_out_init_heap(&out, 64);
	ck_assert_int_eq(pm_cosem_directory_ops.action(&dir, &mgmt, o, 1, zero, sizeof(zero), &out),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(pm_cosem_directory_ops.action(&dir, &mgmt, o, 2, zero, sizeof(zero), &out),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(pm_cosem_directory_ops.set(&dir, &mgmt, o, 2, zero, sizeof(zero)),
			 PM_DLMS_READ_WRITE_DENIED);
	/* a meter without a store cannot read rows */
	meter.profile_rows = NULL;
	meter.profile_count = NULL;
	ck_assert_int_eq(get(&management, load_profile_ln, 2, 0, NULL, 0, &out),
			 PM_DLMS_TEMPORARY_FAILURE);
	ck_assert_int_eq(get(&management, load_profile_ln, 7, 0, NULL, 0, &out),
			 PM_DLMS_TEMPORARY_FAILURE);
	pm_axdr_out_free(&out);
}
END_TEST

/* The object table's logical names are the definitions' ones. */
START_TEST(test_table_matches_definitions)
{
	ck_assert_uint_eq(pm_cosem_profile_table.n, PM_COSEM_PROFILES);
	for (size_t i = 0; i < pm_cosem_profile_table.n; i++) {
		const struct pm_cosem_object *o = &pm_cosem_profile_table.objects[i];
		const struct pm_cosem_profile_def *d =
		    pm_cosem_profile_def((enum pm_cosem_profile)o->arg);

		ck_assert_ptr_nonnull(d);
		ck_assert(memcmp(o->ln, d->ln, 6) == 0);
	}
	ck_assert_ptr_null(pm_cosem_profile_def(PM_COSEM_PROFILES));
}
END_TEST

/* The event kinds' logs and codes (cosem-event-codes.c's table, IDIS / DSMR numbers). */
START_TEST(test_event_codes)
{
	enum pm_cosem_profile log;
	uint16_t code;

	pm_cosem_event_classify("power_down", "last sample: ...", &log, &code);
	ck_assert_int_eq(log, PM_COSEM_STANDARD_EVENTS);
	ck_assert_uint_eq(code, 1);
	pm_cosem_event_classify("tariff_activated", "name=x", &log, &code);
	ck_assert_uint_eq(code, 9);
	pm_cosem_event_classify("swell", "L2 rising, 253.1 V", &log, &code);
	ck_assert_int_eq(log, PM_COSEM_POWER_QUALITY_EVENTS);
	ck_assert_uint_eq(code, 80); /* overvoltage L2 */
	pm_cosem_event_classify("swell", "L2 falling, 230.0 V", &log, &code);
	ck_assert_uint_eq(code, 86); /* voltage L2 normal */
	pm_cosem_event_classify("dip", "L3 falling, 190.2 V", &log, &code);
	ck_assert_uint_eq(code, 78); /* undervoltage L3 */
	pm_cosem_event_classify("overcurrent", "N rising, 40.000 A", &log, &code);
	ck_assert_uint_eq(code, 1203);
	pm_cosem_event_classify("supply_opened", "reason=remote-disconnect", &log, &code);
	ck_assert_int_eq(log, PM_COSEM_DISCONNECT_EVENTS);
	ck_assert_uint_eq(code, 62);
	pm_cosem_event_classify("supply_closed", "reason=remote-reconnect", &log, &code);
	ck_assert_uint_eq(code, 63);
	pm_cosem_event_classify("supply_opened", "reason=out-of-credit", &log, &code);
	ck_assert_uint_eq(code, 1300);
	pm_cosem_event_classify("sts_token", "kind=0 tid=1 amount=2", &log, &code);
	ck_assert_int_eq(log, PM_COSEM_CREDIT_EVENTS);
	ck_assert_uint_eq(code, 1400);
	pm_cosem_event_classify("something_new", NULL, &log, &code);
	ck_assert_int_eq(log, PM_COSEM_STANDARD_EVENTS);
	ck_assert_uint_eq(code, PM_EVENT_CODE_OTHER);
}
END_TEST

/*
 * Every kind the daemon logs (docs/events.md, docs/clock.md, docs/account.md, docs/mqtt.md; the
 * callers of pm_meter_event and billing_queue) has a code of its own: none falls to
 * PM_EVENT_CODE_OTHER, and no two kinds share a code in one log (the supply's and the chip's
 * kinds take theirs from the detail and are checked in test_event_codes).
 */
START_TEST(test_every_logged_kind_has_a_code)
{
	static const char *const kinds[] = {
	    "daemon_start",
	    "daemon_stop",
	    "restart_recovered",
	    "restart_unrecoverable",
	    "chip_reset",
	    "power_down",
	    "power_up",
	    "power_down_charges",
	    "clock_step_charges",
	    "device_lost",
	    "device_found",
	    "config_change",
	    "divergence",
	    "counter_backwards",
	    "time_backwards",
	    "register_reset_refused",
	    "bad_sample",
	    "events_dropped",
	    "store_failed",
	    "calibration",
	    "account_unavailable",
	    "account_available",
	    "clock_jump",
	    "clock_trusted",
	    "clock_untrusted",
	    "clock_set",
	    "mqtt_backlog_dropped",
	    "tariff_set",
	    "tariff_activated",
	    "tariff_deferred",
	    "tariff_deferred_cancelled",
	    "tariff_period",
	    "tariff_rate",
	    "tariff_block",
	    "tariff_reconciled",
	    "currency_conversion_set",
	    "currency_converted",
	    "account_snapshot",
	    "energy_snapshot",
	    "tenancy_changed",
	    "wallet_reconciled",
	    "payment_accepted",
	    "low_credit",
	    "ec_available",
	    "ec_taken",
	    "ec_exhausted",
	    "debt_cleared",
	    "supply_armed",
	    "disconnect_suspended",
	    "load_limit_tripped",
	    "phase_unbalance_tripped",
	    "token_refused",
	    "token_entry_locked",
	    "sts_token",
	    "sts_credit",
	    "sts_key_set",
	    "sts_setup",
	    "sts_tids_imported",
	    "sts_max_power",
	    "sts_phase_unbalance",
	    "sts_clear_credit",
	    "sts_clear_tamper",
	    "sts_management",
	};
	enum { N = sizeof(kinds) / sizeof(kinds[0]) };
	enum pm_cosem_profile log[N];
	uint16_t code[N];

	for (size_t i = 0; i < N; i++) {
		pm_cosem_event_classify(kinds[i], "", &log[i], &code[i]);
		ck_assert_msg(code[i] != PM_EVENT_CODE_OTHER, "%s has no code", kinds[i]);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(log[i] != log[j] || code[i] != code[j], "%s and %s share %u",
				      kinds[i], kinds[j], code[i]);
	}
}
END_TEST

/* The codes given to the kinds that had none (docs/dlms-profiles.md's table). */
START_TEST(test_event_codes_added)
{
	static const struct {
		const char *kind;
		enum pm_cosem_profile log;
		uint16_t code;
	} want[] = {
	    {"phase_unbalance_tripped", PM_COSEM_DISCONNECT_EVENTS, 1307},
	    {"sts_phase_unbalance", PM_COSEM_CREDIT_EVENTS, 1417},
	    {"power_down_charges", PM_COSEM_CREDIT_EVENTS, 1418},
	    {"clock_step_charges", PM_COSEM_CREDIT_EVENTS, 1419},
	    {"clock_jump", PM_COSEM_STANDARD_EVENTS, 1017},
	    {"clock_trusted", PM_COSEM_STANDARD_EVENTS, 1018},
	    {"clock_untrusted", PM_COSEM_STANDARD_EVENTS, 1019},
	    {"mqtt_backlog_dropped", PM_COSEM_STANDARD_EVENTS, 1020},
	    {"energy_snapshot", PM_COSEM_STANDARD_EVENTS, 1111},
	};
	enum pm_cosem_profile log;
	uint16_t code;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		pm_cosem_event_classify(want[i].kind, "x=1", &log, &code);
		ck_assert_msg(log == want[i].log && code == want[i].code, "%s: log %d code %u",
			      want[i].kind, (int)log, code);
	}
}
END_TEST

/* An event log's rows: clock and a long-unsigned code. */
START_TEST(test_event_log_buffer)
{
	struct pm_axdr_out out;

	fake.events[0] = (struct pm_cosem_profile_row){.utc_s = T0 + 3600, .event_code = 1};
	fake.events[1] = (struct pm_cosem_profile_row){.utc_s = T0 + 3660, .event_code = 1000};
	fake.n_events = 2;
	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(&management, standard_log_ln, 2, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x02, 0x02, 0x02, JAN1(1, 0), 0x12, 0x00, 0x01, 0x02, 0x02, JAN1(1, 1),
	       0x12, 0x03, 0xE8);
	ck_assert_int_eq(get(&management, standard_log_ln, 7, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0, 0, 0, 2);
	ck_assert_int_eq(get(&management, standard_log_ln, 8, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0, 0, 0x27, 0x10); /* 10 000 */
	pm_axdr_out_free(&out);
}
END_TEST

/*
 * A daily capture with two import rates and one export rate, an import peak and no export
 * peak: 25 columns, rates 3..8 and the export peak null-data, its time "not specified".
 */
START_TEST(test_billing_row_columns)
{
	struct pm_axdr_out out;
	static const uint8_t last_cols[] = ENTRY(1, 1, 14, 0);

	fake.billing[0] = (struct pm_cosem_profile_row){
	    .utc_s = T0 + 300,
	    .reg = {1000, 0, 0, 0},
	    .n_rates = 2,
	    .n_export_rates = 1,
	    .rate_import = {600, 400},
	    .rate_export = {7},
	    .md_valid = {true, false},
	    .md_mw = {6900000},
	    .md_end_s = {T0 + 900},
	};
	fake.n_billing = 1;
	pm_axdr_out_init_heap(&out, 4096);
	/* columns 14.. : export rates 1..8, then +A demand value and time, -A value and time */
	ck_assert_int_eq(get(&management, daily_ln, 2, 2, last_cols, sizeof(last_cols), &out),
			 PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, 0x02, 0x0C,
	       /* export rate 1: 7; rates 2..8: null */
	       0x14, 0, 0, 0, 0, 0, 0, 0, 0x07, 0, 0, 0, 0, 0, 0, 0,
	       /* 6 900 000 mW = 0x694920 */
	       0x14, 0, 0, 0, 0, 0, 0x69, 0x49, 0x20, JAN1(0, 15),
	       /* -A: null, time not specified */
	       0x00, 0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00,
	       0xFF);
	/* its capture period: a day, 86 400 = 0x15180 */
	ck_assert_int_eq(get(&management, daily_ln, 4, 0, NULL, 0, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x06, 0x00, 0x01, 0x51, 0x80);
	pm_axdr_out_free(&out);
}
END_TEST

/* ---- through the session engine, as a head-end sees it ---- */

/* LLS AARQ of the management client, password "12345678" (as test_cosem_session.c builds it:
 * sender-acse-requirements, mechanism 2.16.756.5.8.2.1, calling-authentication-value). */
static const uint8_t lls_aarq[] = {
    0x60, 0x36, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01, 0x8A,
    0x02, 0x07, 0x80, 0x8B, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x01, 0xAC, 0x0A,
    0x80, 0x08, '1',  '2',  '3',  '4',	'5',  '6',  '7',  '8',	0xBE, 0x10, 0x04, 0x0E,
    0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x40, 0x1E, 0x1D, 0xFF, 0xFF};

/*
 * GET-Request-Normal (C0 01, invoke-id C1) of the load profile (class 7, 1.0.99.1.0.255)
 * attribute 2 with access selection 01, selector 02, entries 1..1 and columns 1..2: the answer
 * is GET-Response-Normal (C4 01 C1), data (00), the one entry. Then the whole buffer: longer
 * than the PDU, it comes in blocks (C4 02 C1, last-block, block-number, raw-data) that join to
 * 4 + 11 520 x 54 octets.
 */
START_TEST(test_through_the_session)
{
	static const uint8_t get_first[] = {0xC0, 0x01, 0xC1, 0x00, 0x07, 1,	0, 99,	 1, 0, 0xFF,
					    0x02, 0x01, 0x02, 0x02, 0x04, 0x06, 0, 0,	 0, 1, 0x06,
					    0,	  0,	0,    1,    0x12, 0,	1, 0x12, 0, 2};
	static const uint8_t get_all[] = {0xC0, 0x01, 0xC1, 0x00, 0x07, 1,   0,
					  99,	1,    0,    0xFF, 0x02, 0x00};
	const struct pm_dlms_server_config cfg = {
	    .ops = &pm_cosem_directory_ops, .dir = &dir, .password = "12345678"};
	struct pm_dlms_session *s = pm_dlms_session_new(&cfg);
	struct pm_axdr_out out, joined;
	uint32_t block = 1;
	bool last = false;

	ck_assert_ptr_nonnull(s);
	pm_axdr_out_init_heap(&out, PM_DLMS_MAX_RESPONSE + 64);
	pm_axdr_out_init_heap(&joined, PM_DLMS_MAX_RESPONSE);
	ck_assert_int_eq(pm_dlms_session_apdu(s, &meter, 1, 1, lls_aarq, sizeof(lls_aarq), &out),
			 PM_DLMS_ANSWER);
	ck_assert_uint_eq(out.buf[0], 0x61);
	ck_assert_int_eq(pm_dlms_session_apdu(s, &meter, 1, 1, get_first, sizeof(get_first), &out),
			 PM_DLMS_ANSWER);
	OUT_EQ(&out, 0xC4, 0x01, 0xC1, 0x00, 0x01, 0x01, 0x02, 0x02, JAN1(0, 30), 0x11, 0x04);

	ck_assert_int_eq(pm_dlms_session_apdu(s, &meter, 1, 1, get_all, sizeof(get_all), &out),
			 PM_DLMS_ANSWER);
	while (!last) {
		uint8_t next[] = {0xC0, 0x02, 0xC1, 0, 0, 0, 0};
		struct pm_axdr_in in;
		const uint8_t *raw;
		uint8_t b[4];
		uint32_t n;
		size_t len;

		pm_axdr_in_init(&in, out.buf, out.len);
		for (int k = 0; k < 4; k++)
			ck_assert_int_eq(pm_axdr_get_byte(&in, &b[k]), 0);
		ck_assert(b[0] == 0xC4 && b[1] == 0x02 && b[2] == 0xC1);
		last = b[3] != 0;
		ck_assert_int_eq(pm_axdr_get_u32be(&in, &n), 0);
		ck_assert_uint_eq(n, block);
		ck_assert_int_eq(pm_axdr_get_byte(&in, &b[0]), 0);
		ck_assert_uint_eq(b[0], 0x00); /* raw-data */
		ck_assert_int_eq(pm_axdr_get_length(&in, &len), 0);
		ck_assert_int_eq(pm_axdr_get_bytes(&in, len, &raw), 0);
		pm_axdr_put_raw(&joined, raw, len);
		if (last)
			break;
		next[3] = (uint8_t)(block >> 24);
		next[4] = (uint8_t)(block >> 16);
		next[5] = (uint8_t)(block >> 8);
		next[6] = (uint8_t)block;
		ck_assert_int_eq(pm_dlms_session_apdu(s, &meter, 1, 1, next, sizeof(next), &out),
				 PM_DLMS_ANSWER);
		block++;
	}
	ck_assert_uint_eq(joined.len, 4 + 11520 * 54);
	ck_assert(joined.buf[0] == 0x01 && joined.buf[1] == 0x82 && joined.buf[2] == 0x2D &&
		  joined.buf[3] == 0x00);
	pm_axdr_out_free(&joined);
	pm_axdr_out_free(&out);
	pm_dlms_session_free(s);
}
END_TEST

static Suite *profiles_suite(void)
{
	Suite *s = suite_create("cosem_profiles");
	TCase *tc = tcase_create("profiles");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_capture_objects_and_scalars);
	tcase_add_test(tc, test_whole_load_profile);
	tcase_add_test(tc, test_range_selects_by_clock);
	tcase_add_test(tc, test_range_and_clock_in_local_time);
	tcase_add_test(tc, test_range_selected_values);
	tcase_add_test(tc, test_range_with_no_entries);
	tcase_add_test(tc, test_entry_descriptor);
	tcase_add_test(tc, test_bad_selectors);
	tcase_add_test(tc, test_access);
	tcase_add_test(tc, test_table_matches_definitions);
	tcase_add_test(tc, test_event_codes);
	tcase_add_test(tc, test_every_logged_kind_has_a_code);
	tcase_add_test(tc, test_event_codes_added);
	tcase_add_test(tc, test_event_log_buffer);
	tcase_add_test(tc, test_billing_row_columns);
	tcase_add_test(tc, test_through_the_session);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(profiles_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
