// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the meter pushes (daemon/core/dlms/push-message.c, cosem-push-setup.c) against bytes
 * built by hand from the standard:
 *  - Data-Notification (IEC 62056-5-3, tag 15): 0F, long-invoke-id-and-priority (4 octets,
 *    the id in bits 0..23), date-time as an untagged octet-string (00 empty, or 0C and 12
 *    octets), then the body Data;
 *  - general-glo-ciphering (DB): the title, then SC || IC || C || T of the Green Book's
 *    Table 40 (the same plaintext, key, title and counter as test_dlms_cipher.c);
 *  - the wrapper header (IEC 62056-47): version 1, source and destination wPorts, length;
 *  - Push setup (class 40 v0) attributes 2..7 and method 1.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/cosem-directory.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/push-message.h"
#include "core/dlms/push-setup.h"

static void expect_bytes(const struct pm_axdr_out *o, const uint8_t *want, size_t n)
{
	ck_assert(!o->overflow);
	ck_assert_uint_eq(o->len, n);
	ck_assert_mem_eq(o->buf, want, n);
}

/* 2026-11-23 Monday 04:35:08, deviation 0, status 0 (the reference's captured Clock bytes) */
static const uint8_t nov23[12] = {0x07, 0xEA, 0x0B, 0x17, 0x01, 0x04,
				  0x23, 0x08, 0x00, 0x00, 0x00, 0x00};
/* structure {long-unsigned 9} */
static const uint8_t body9[] = {0x02, 0x01, 0x12, 0x00, 0x09};

START_TEST(test_data_notification_with_date_time)
{
	static const uint8_t want[] = {
	    0x0F,		    /* data-notification */
	    0x00, 0x00, 0x00, 0x01, /* invoke id 1, unconfirmed, normal priority */
	    0x0C,		    /* date-time: 12 octets follow */
	    0x07, 0xEA, 0x0B, 0x17, 0x01, 0x04, 0x23, 0x08, 0x00,
	    0x00, 0x00, 0x00, 0x02, 0x01, 0x12, 0x00, 0x09, /* the body */
	};
	uint8_t buf[64];
	struct pm_axdr_out o;

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_dlms_put_data_notification(&o, 1, nov23, body9, sizeof(body9));
	expect_bytes(&o, want, sizeof(want));
}
END_TEST

START_TEST(test_data_notification_without_date_time)
{
	/* invoke id 0x123456 with high priority (bit 31) and confirmed (bit 30): C0 12 34 56 */
	static const uint8_t want[] = {0x0F, 0xC0, 0x12, 0x34, 0x56, 0x00,
				       0x02, 0x01, 0x12, 0x00, 0x09};
	uint8_t buf[64];
	struct pm_axdr_out o;

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_dlms_put_data_notification(
	    &o, 0x123456u | PM_DLMS_LONG_INVOKE_HIGH_PRIORITY | PM_DLMS_LONG_INVOKE_CONFIRMED, NULL,
	    body9, sizeof(body9));
	expect_bytes(&o, want, sizeof(want));
}
END_TEST

START_TEST(test_general_glo_ciphering_green_book_table_40)
{
	static const struct pm_dlms_keys keys = {
	    .ek = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C,
		   0x0D, 0x0E, 0x0F},
	    .ak = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC,
		   0xDD, 0xDE, 0xDF},
	};
	static const uint8_t title[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
	static const uint8_t apdu[] = {0xC0, 0x01, 0x00, 0x00, 0x08, 0x00, 0x00,
				       0x01, 0x00, 0x00, 0xFF, 0x02, 0x00};
	/* DB, 08 and the title, then 1E = 5 + 13 + 12 octets: Table 40's SC 30 form */
	static const uint8_t want[] = {
	    0xDB, 0x08, 0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E, 0x1E, 0x30, 0x01, 0x23,
	    0x45, 0x67, 0x41, 0x13, 0x12, 0xFF, 0x93, 0x5A, 0x47, 0x56, 0x68, 0x27, 0xC4, 0x67,
	    0xBC, 0x7D, 0x82, 0x5C, 0x3B, 0xE4, 0xA7, 0x7C, 0x3F, 0xCC, 0x05, 0x6B, 0x6B,
	};
	uint8_t buf[64];
	struct pm_axdr_out o;

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_dlms_put_general_glo(&o, &keys, title, 0x01234567, apdu, sizeof(apdu));
	expect_bytes(&o, want, sizeof(want));
}
END_TEST

START_TEST(test_wrapper_header)
{
	/* version 1, from wPort 1 (the meter's logical device) to wPort 1, 23 octets */
	static const uint8_t want[] = {0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x17};
	uint8_t buf[8];
	struct pm_axdr_out o;

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_dlms_put_wrapper_header(&o, 1, 1, 23);
	expect_bytes(&o, want, sizeof(want));
}
END_TEST

/* ---- the Push setup objects ---- */

static struct pm_cosem_directory dir;
static struct pm_snapshot snap;
static struct pm_cosem_meter meter;
static struct pm_dlms_assoc_info pub, mgmt;
static struct pm_cosem_push_info info = {"192.0.2.1:4059", 7200, 60};
static unsigned pushed = 99;

static enum pm_dlms_result fake_push(void *data, unsigned setup)
{
	(void)data;
	pushed = setup;
	return PM_DLMS_SUCCESS;
}

static void setup(void)
{
	ck_assert_int_eq(pm_cosem_directory_init(&dir), 0);
	ck_assert_int_eq(pm_snapshot_init(&snap), 0);
	snap.seq = 1;
	meter = (struct pm_cosem_meter){
	    .snap = &snap,
	    .serial = "m0",
	    .clock = {.utc_s = INT64_C(20780) * 86400 + 4 * 3600 + 35 * 60 + 8, .clock_base = 1},
	    .push = &info,
	    .push_now = fake_push,
	};
	pub = (struct pm_dlms_assoc_info){.client = PM_DLMS_CLIENT_PUBLIC, .client_sap = 16};
	mgmt = (struct pm_dlms_assoc_info){.client = PM_DLMS_CLIENT_MANAGEMENT, .client_sap = 1};
	pushed = 99;
}

static void teardown(void)
{
	pm_snapshot_free(&snap);
	pm_cosem_directory_free(&dir);
}

static const struct pm_cosem_object *setup_object(const struct pm_dlms_assoc_info *a, uint8_t e)
{
	const uint8_t ln[6] = {0, 0, 25, 9, e, 255};
	const struct pm_cosem_request req = {a, &meter};

	return pm_cosem_directory_ops.find(&dir, &req, 40, ln);
}

static void expect_attr(uint8_t e, uint8_t attr, const uint8_t *want, size_t n)
{
	const struct pm_cosem_request req = {&mgmt, &meter};
	const struct pm_cosem_object *o = setup_object(&mgmt, e);
	struct pm_axdr_out out;

	ck_assert_ptr_nonnull(o);
	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(pm_cosem_directory_ops.get(&dir, &req, o, attr, NULL, &out),
			 PM_DLMS_SUCCESS);
	expect_bytes(&out, want, n);
	pm_axdr_out_free(&out);
}

START_TEST(test_push_object_list)
{
	/* array of 5 x structure {long-unsigned class, octet-string(6) LN, integer attribute,
	 * long-unsigned data index}: the setup itself (40, attribute 1), the serial number (1),
	 * the Clock (8), +A and -A (3), each attribute 2 */
	static const uint8_t want[] = {
	    0x01, 0x05, 0x02, 0x04, 0x12, 0x00, 0x28, 0x09, 0x06, 0x00, 0x00, 0x19, 0x09, 0x00,
	    0xFF, 0x0F, 0x01, 0x12, 0x00, 0x00, 0x02, 0x04, 0x12, 0x00, 0x01, 0x09, 0x06, 0x00,
	    0x00, 0x60, 0x01, 0x00, 0xFF, 0x0F, 0x02, 0x12, 0x00, 0x00, 0x02, 0x04, 0x12, 0x00,
	    0x08, 0x09, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0xFF, 0x0F, 0x02, 0x12, 0x00, 0x00,
	    0x02, 0x04, 0x12, 0x00, 0x03, 0x09, 0x06, 0x01, 0x00, 0x01, 0x08, 0x00, 0xFF, 0x0F,
	    0x02, 0x12, 0x00, 0x00, 0x02, 0x04, 0x12, 0x00, 0x03, 0x09, 0x06, 0x01, 0x00, 0x02,
	    0x08, 0x00, 0xFF, 0x0F, 0x02, 0x12, 0x00, 0x00,
	};

	expect_attr(0, 2, want, sizeof(want));
}
END_TEST

START_TEST(test_send_destination_and_timing)
{
	/* structure {enum 0 TCP, octet-string "192.0.2.1:4059" (14), enum 0 A-XDR APDU} */
	static const uint8_t dest[] = {0x02, 0x03, 0x16, 0x00, 0x09, 0x0E, '1', '9',
				       '2',  '.',  '0',	 '.',  '2',  '.',  '1', ':',
				       '4',  '0',  '5',	 '9',  0x16, 0x00};
	static const uint8_t window[] = {0x01, 0x00};	   /* no communication window */
	static const uint8_t start[] = {0x12, 0x1C, 0x20}; /* 7200 s = 0x1C20 */
	static const uint8_t retries[] = {0x11, 0xFF};	   /* until delivered */
	static const uint8_t delay[] = {0x12, 0x00, 0x3C}; /* 60 s */

	expect_attr(1, 3, dest, sizeof(dest));
	expect_attr(1, 4, window, sizeof(window));
	expect_attr(1, 5, start, sizeof(start));
	expect_attr(1, 6, retries, sizeof(retries));
	expect_attr(1, 7, delay, sizeof(delay));
}
END_TEST

START_TEST(test_management_only)
{
	ck_assert_ptr_null(setup_object(&pub, 0));
	for (uint8_t e = 0; e < PM_PUSH_SETUPS; e++)
		ck_assert_ptr_nonnull(setup_object(&mgmt, e));
	ck_assert_ptr_null(setup_object(&mgmt, PM_PUSH_SETUPS));
}
END_TEST

START_TEST(test_push_method)
{
	const struct pm_cosem_request req = {&mgmt, &meter};
	const struct pm_cosem_object *o = setup_object(&mgmt, 3);
	static const uint8_t zero[] = {0x0F, 0x00}; /* integer 0 */
	static const uint8_t one[] = {0x0F, 0x01};  /* integer 1: not the method's data */
	static const uint8_t text[] = {0x09, 0x00}; /* octet-string */
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 64);
	ck_assert_int_eq(pm_cosem_directory_ops.action(&dir, &req, o, 1, one, 2, &out),
			 PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(pm_cosem_directory_ops.action(&dir, &req, o, 1, text, 2, &out),
			 PM_DLMS_TYPE_UNMATCHED);
	ck_assert_uint_eq(pushed, 99);
	ck_assert_int_eq(pm_cosem_directory_ops.action(&dir, &req, o, 1, zero, 2, &out),
			 PM_DLMS_SUCCESS);
	ck_assert_uint_eq(pushed, PM_PUSH_SUPPLY);
	pm_axdr_out_free(&out);
}
END_TEST

START_TEST(test_body_reads_the_objects)
{
	const struct pm_cosem_request req = {&mgmt, &meter};
	/* structure of 3: the setup's logical name (octet-string 0.0.25.9.2.255), the serial
	 * number "m0", then the Clock's date-time, 12 octets: 2026-11-23 Mon 04:35:08 UTC */
	static const uint8_t head[] = {0x02, 0x03, 0x09, 0x06, 0x00, 0x00, 0x19, 0x09, 0x02, 0xFF};
	static const uint8_t clock[] = {0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x17, 0x01,
					0x04, 0x23, 0x08, 0x00, 0x00, 0x00};
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(pm_push_body(&pm_cosem_directory_ops, &dir, &req, PM_PUSH_POWER, &out),
			 PM_DLMS_SUCCESS);
	ck_assert_uint_ge(out.len, sizeof(head) + 4 + sizeof(clock));
	ck_assert_mem_eq(out.buf, head, sizeof(head));
	/* the serial number as its Data object serves it: 2 octets of text after a tag and a
	 * length */
	ck_assert_uint_eq(out.buf[sizeof(head) + 1], 2);
	ck_assert_mem_eq(out.buf + sizeof(head) + 2, "m0", 2);
	ck_assert_mem_eq(out.buf + sizeof(head) + 4, clock, 2 + 10);
	pm_axdr_out_free(&out);
}
END_TEST

START_TEST(test_body_null_for_unavailable)
{
	const struct pm_cosem_request req = {&mgmt, &meter};
	struct pm_axdr_out out;

	/* no snapshot: +A and -A (elements 4 and 5 of the scheduled push) are null-data */
	meter.snap = NULL;
	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(pm_push_body(&pm_cosem_directory_ops, &dir, &req, PM_PUSH_SCHEDULED, &out),
			 PM_DLMS_SUCCESS);
	ck_assert_uint_eq(out.buf[out.len - 1], 0x00);
	ck_assert_uint_eq(out.buf[out.len - 2], 0x00);
	pm_axdr_out_free(&out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dlms_push");
	TCase *msg = tcase_create("message");
	TCase *obj = tcase_create("push_setup");

	tcase_add_test(msg, test_data_notification_with_date_time);
	tcase_add_test(msg, test_data_notification_without_date_time);
	tcase_add_test(msg, test_general_glo_ciphering_green_book_table_40);
	tcase_add_test(msg, test_wrapper_header);
	tcase_add_checked_fixture(obj, setup, teardown);
	tcase_add_test(obj, test_push_object_list);
	tcase_add_test(obj, test_send_destination_and_timing);
	tcase_add_test(obj, test_management_only);
	tcase_add_test(obj, test_push_method);
	tcase_add_test(obj, test_body_reads_the_objects);
	tcase_add_test(obj, test_body_null_for_unavailable);
	suite_add_tcase(s, msg);
	suite_add_tcase(s, obj);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
