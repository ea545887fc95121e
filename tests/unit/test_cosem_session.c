// SPDX-License-Identifier: GPL-2.0-only
/*
 * The COSEM objects' directory behind the session engine (daemon/core/dlms/server*.c): whole
 * APDUs in and out, as a client sees them. AARQs and GET-Request bytes are the reference's
 * captures (the DLMS reference sheet §1.6) or built by hand from IEC 62056-5-3 (the LLS
 * AARQ, as tests/unit/test_dlms_apdu.c builds it); expected answers are written by hand.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/cosem-directory.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/server.h"
#include "core/model/quantity.h"

static const uint8_t public_aarq[] = {
    0x60, 0x1D, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01, 0xBE, 0x10, 0x04,
    0x0E, 0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x40, 0x1E, 0x1D, 0xFF, 0xFF};
/* LLS: sender-acse-requirements 8A 02 07 80, mechanism-name 8B 07 2.16.756.5.8.2.1,
 * calling-authentication-value AC 0A {80 08 "12345678"}; 11 + 4 + 9 + 12 + 18 = 54 */
static const uint8_t lls_aarq[] = {
    0x60, 0x36, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01, 0x8A,
    0x02, 0x07, 0x80, 0x8B, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x01, 0xAC, 0x0A,
    0x80, 0x08, '1',  '2',  '3',  '4',	'5',  '6',  '7',  '8',	0xBE, 0x10, 0x04, 0x0E,
    0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x40, 0x1E, 0x1D, 0xFF, 0xFF};
/* The reference's GET of the association's object list. */
static const uint8_t get_object_list[] = {0xC0, 0x01, 0xC1, 0x00, 0x0F, 0x00, 0x00,
					  0x28, 0x00, 0x00, 0xFF, 0x02, 0x00};
/* GET 1.0.1.8.0.255 (class 3) attribute 2; the script table 0.0.10.0.106.255 (class 9) 2 */
static const uint8_t get_energy[] = {0xC0, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00,
				     0x01, 0x08, 0x00, 0xFF, 0x02, 0x00};
static const uint8_t get_scripts[] = {0xC0, 0x01, 0xC1, 0x00, 0x09, 0x00, 0x00,
				      0x0A, 0x00, 0x6A, 0xFF, 0x02, 0x00};
/* ACTION-Request-Normal: Disconnect control 0.0.96.3.10.255 method 1, integer 0 */
static const uint8_t act_disconnect[] = {0xC3, 0x01, 0xC1, 0x00, 0x46, 0x00, 0x00, 0x60,
					 0x03, 0x0A, 0xFF, 0x01, 0x01, 0x0F, 0x00};

static int disconnects;

static enum pm_dlms_result fake_disconnect(void *data)
{
	(void)data;
	disconnects++;
	return PM_DLMS_SUCCESS;
}

struct fixture {
	struct pm_cosem_directory dir;
	struct pm_dlms_server_config cfg;
	struct pm_dlms_session *s;
	struct pm_snapshot snap;
	struct pm_cosem_meter meter;
	struct pm_axdr_out out;
};

static struct fixture fx;

static void setup(void)
{
	int i;

	memset(&fx, 0, sizeof(fx));
	disconnects = 0;
	ck_assert_int_eq(pm_cosem_directory_init(&fx.dir), 0);
	ck_assert_int_eq(pm_snapshot_init(&fx.snap), 0);
	fx.snap.seq = 1;
	i = pm_point_find("total.energy.active_import");
	fx.snap.value[i] = 1234567;
	fx.snap.valid[i] = true;
	fx.meter = (struct pm_cosem_meter){.snap = &fx.snap, .remote_disconnect = fake_disconnect};
	fx.cfg = (struct pm_dlms_server_config){
	    .ops = &pm_cosem_directory_ops, .dir = &fx.dir, .password = "12345678"};
	fx.s = pm_dlms_session_new(&fx.cfg);
	ck_assert_ptr_nonnull(fx.s);
	pm_axdr_out_init_heap(&fx.out, PM_DLMS_MAX_RESPONSE + 64);
}

static void teardown(void)
{
	pm_axdr_out_free(&fx.out);
	pm_dlms_session_free(fx.s);
	pm_snapshot_free(&fx.snap);
	pm_cosem_directory_free(&fx.dir);
}

static void apdu(uint16_t client, const uint8_t *a, size_t n)
{
	ck_assert_int_eq(pm_dlms_session_apdu(fx.s, &fx.meter, client, 1, a, n, &fx.out),
			 PM_DLMS_ANSWER);
}

#define ANSWER_IS(...)                                                                             \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		ck_assert_uint_eq(fx.out.len, sizeof(want_));                                      \
		ck_assert(memcmp(fx.out.buf, want_, sizeof(want_)) == 0);                          \
	} while (0)

static void associate(uint16_t client, const uint8_t *aarq, size_t n)
{
	static const uint8_t accepted[] = {0xA2, 0x03, 0x02, 0x01, 0x00};

	apdu(client, aarq, n);
	ck_assert_uint_gt(fx.out.len, 20);
	ck_assert_uint_eq(fx.out.buf[0], 0x61);
	ck_assert(memmem(fx.out.buf, fx.out.len, accepted, sizeof(accepted)));
}

START_TEST(test_public_reads)
{
	associate(16, public_aarq, sizeof(public_aarq));
	/* GET-Response-Normal, data: long64 1234567 */
	apdu(16, get_energy, sizeof(get_energy));
	ANSWER_IS(0xC4, 0x01, 0xC1, 0x00, 0x14, 0, 0, 0, 0, 0, 0x12, 0xD6, 0x87);
	/* the script table is the management client's: data-access-result object-undefined */
	apdu(16, get_scripts, sizeof(get_scripts));
	ANSWER_IS(0xC4, 0x01, 0xC1, 0x01, 0x04);
	/* the public client may not disconnect: action-result read-write-denied */
	apdu(16, act_disconnect, sizeof(act_disconnect));
	ck_assert_uint_ge(fx.out.len, 5);
	ck_assert_uint_eq(fx.out.buf[0], 0xC7);
	ck_assert_uint_eq(fx.out.buf[3], 0x03);
	ck_assert_int_eq(disconnects, 0);
}
END_TEST

/* The object list comes in blocks to a client that receives at most 512 octets (the public
 * AARQ with max-receive-pdu-size 0x0200); joined, it starts with the association's element as
 * the reference captured it. */
START_TEST(test_object_list_in_blocks)
{
	static const uint8_t first[] = {0x02, 0x04, 0x12, 0x00, 0x0F, 0x11, 0x02, 0x09, 0x06,
					0x00, 0x00, 0x28, 0x00, 0x00, 0xFF, 0x02, 0x02, 0x01,
					0x0B, 0x02, 0x03, 0x0F, 0x01, 0x16, 0x01, 0x00};
	struct pm_axdr_out joined;
	uint32_t block = 1;
	bool last = false;

	uint8_t small_aarq[sizeof(public_aarq)];

	memcpy(small_aarq, public_aarq, sizeof(small_aarq));
	small_aarq[sizeof(small_aarq) - 2] = 0x02;
	small_aarq[sizeof(small_aarq) - 1] = 0x00;
	pm_axdr_out_init_heap(&joined, PM_DLMS_MAX_RESPONSE);
	associate(16, small_aarq, sizeof(small_aarq));
	apdu(16, get_object_list, sizeof(get_object_list));
	while (!last) {
		struct pm_axdr_in in;
		uint8_t b, result;
		uint32_t n;
		size_t len;
		const uint8_t *raw;
		uint8_t next[] = {0xC0, 0x02, 0xC1, 0, 0, 0, 0};

		/* C4 02 C1, last-block, block-number, 00 raw-data, its length, the octets */
		pm_axdr_in_init(&in, fx.out.buf, fx.out.len);
		ck_assert_int_eq(pm_axdr_get_byte(&in, &b), 0);
		ck_assert_uint_eq(b, 0xC4);
		ck_assert_int_eq(pm_axdr_get_byte(&in, &b), 0);
		ck_assert_uint_eq(b, 0x02);
		ck_assert_int_eq(pm_axdr_get_byte(&in, &b), 0);
		ck_assert_int_eq(pm_axdr_get_byte(&in, &b), 0);
		last = b != 0;
		ck_assert_int_eq(pm_axdr_get_u32be(&in, &n), 0);
		ck_assert_uint_eq(n, block);
		ck_assert_int_eq(pm_axdr_get_byte(&in, &result), 0);
		ck_assert_uint_eq(result, 0x00);
		ck_assert_int_eq(pm_axdr_get_length(&in, &len), 0);
		ck_assert_int_eq(pm_axdr_get_bytes(&in, len, &raw), 0);
		ck_assert_uint_eq(pm_axdr_in_left(&in), 0);
		pm_axdr_put_raw(&joined, raw, len);
		if (last)
			break;
		next[3] = (uint8_t)(block >> 24);
		next[4] = (uint8_t)(block >> 16);
		next[5] = (uint8_t)(block >> 8);
		next[6] = (uint8_t)block;
		apdu(16, next, sizeof(next));
		block++;
	}
	ck_assert_uint_gt(block, 1);
	/* array of more than 127 elements: 01 81 nn (or 82 nnnn), then the association */
	ck_assert_uint_eq(joined.buf[0], 0x01);
	ck_assert(joined.buf[1] == 0x81 || joined.buf[1] == 0x82);
	ck_assert(!memcmp(joined.buf + (joined.buf[1] == 0x81 ? 3 : 4), first, sizeof(first)));
	/* and the whole of it is one Data */
	{
		struct pm_axdr_in in;

		pm_axdr_in_init(&in, joined.buf, joined.len);
		ck_assert_int_eq(pm_axdr_skip_data(&in, 8), 0);
		ck_assert_uint_eq(pm_axdr_in_left(&in), 0);
	}
	pm_axdr_out_free(&joined);
}
END_TEST

START_TEST(test_management_disconnects)
{
	associate(1, lls_aarq, sizeof(lls_aarq));
	apdu(1, act_disconnect, sizeof(act_disconnect));
	ck_assert_uint_ge(fx.out.len, 5);
	ck_assert_uint_eq(fx.out.buf[0], 0xC7);
	ck_assert_uint_eq(fx.out.buf[3], 0x00); /* success */
	ck_assert_int_eq(disconnects, 1);
	/* and it sees the script table */
	apdu(1, get_scripts, sizeof(get_scripts));
	ck_assert_uint_eq(fx.out.buf[3], 0x00);
	ck_assert_uint_eq(fx.out.buf[4], 0x01); /* array */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cosem_session");
	TCase *tc = tcase_create("cosem_session");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_public_reads);
	tcase_add_test(tc, test_object_list_in_blocks);
	tcase_add_test(tc, test_management_disconnects);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
