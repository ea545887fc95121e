// SPDX-License-Identifier: GPL-2.0-only
/*
 * The register images kept between requests (struct pm_mb_image): built once per snapshot,
 * rebuilt when the snapshot's seq, event count or account changes, and answering exactly as
 * an image built for the request alone. Addresses: base 40000, both meter models (model 213
 * at 40177, the vendor model at 40303: Seq at +4, balance at +12, EvtCnt at +26,
 * docs/modbus-map.md); the SDM630 input map's import energy at 0x0048.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/modbus-map.h"

#define PHV_A 40189   /* model 213 PhVphA, float32 */
#define SEQ 40307     /* vendor Seq, uint32 */
#define BALANCE 40315 /* vendor balance, int64, mill (1/1000 currency unit = 100 mu) */
#define EVTCNT 40329  /* vendor EvtCnt, uint32 */

static struct pm_snapshot snap;
static struct pm_mb_map map;
static struct pm_mb_image im;
static int l1v;

static void setup(void)
{
	struct pm_mb_config cfg;
	const char *why = NULL;

	ck_assert_int_eq(pm_snapshot_init(&snap), 0);
	l1v = pm_point_find("l1.voltage");
	ck_assert_int_ge(l1v, 0);
	snap.valid[l1v] = true;
	snap.value[l1v] = 230500; /* mV: 230.5 V = 0x43668000 */
	snap.seq = 7;
	snap.has_events = true;
	snap.events = 3;
	snap.account.valid = true;
	snap.account.minor_units = 2;
	snap.account.balance_mu = 100000; /* 1.00: 1000 mill */
	pm_mb_config_default(&cfg);
	cfg.sdm630 = true;
	ck_assert_int_eq(pm_mb_map_init(&map, &cfg, &why), 0);
	pm_mb_image_init(&im);
}

static void teardown(void)
{
	pm_snapshot_free(&snap);
}

static uint16_t H(unsigned addr)
{
	return pm_mb_image_holding(&im, &map, &snap)[addr - 40000];
}

static uint32_t H32(unsigned addr)
{
	return (uint32_t)H(addr) << 16 | H(addr + 1);
}

/* The key: a value changed under an unchanged seq is not seen (the image is kept, not rebuilt
 * per request); the new seq, an event or an account change is. */
START_TEST(test_rebuilt_when_the_snapshot_changes)
{
	ck_assert_uint_eq(H32(PHV_A), 0x43668000u);
	ck_assert_uint_eq(H32(SEQ), 7);
	snap.value[l1v] = 240000; /* 240 V = 0x43700000, not published yet (same seq) */
	ck_assert_uint_eq(H32(PHV_A), 0x43668000u);
	snap.seq = 8; /* published */
	ck_assert_uint_eq(H32(PHV_A), 0x43700000u);
	ck_assert_uint_eq(H32(SEQ), 8);

	ck_assert_uint_eq(H32(EVTCNT), 3);
	snap.events = 4; /* an event logged between two fills */
	ck_assert_uint_eq(H32(EVTCNT), 4);
	snap.has_events = false;
	ck_assert_uint_eq(H32(EVTCNT), 0xFFFFFFFFu);

	ck_assert_uint_eq(H(BALANCE + 3), 1000);
	snap.account.balance_mu = 250000; /* set after the fill it belongs to: 2.50 */
	ck_assert_uint_eq(H(BALANCE + 3), 2500);
	snap.account.valid = false; /* no account: not implemented */
	ck_assert_uint_eq(H(BALANCE), 0x8000);
}
END_TEST

/* The input image follows the same key, built on its own first read. */
START_TEST(test_input_image_keyed_too)
{
	int imp = pm_point_find("total.energy.active_import");
	const uint16_t *in;

	snap.valid[imp] = true;
	snap.value[imp] = 2500000; /* mWh: 2.5 kWh = 0x40200000 */
	in = pm_mb_image_input(&im, &map, &snap);
	ck_assert_uint_eq(in[0x48], 0x4020);
	ck_assert_uint_eq(in[0x49], 0x0000);
	snap.value[imp] = 3000000; /* 3 kWh = 0x40400000 */
	ck_assert_uint_eq(pm_mb_image_input(&im, &map, &snap)[0x48], 0x4020);
	snap.seq++;
	ck_assert_uint_eq(pm_mb_image_input(&im, &map, &snap)[0x48], 0x4040);
}
END_TEST

/* Answers from a kept image are those of an image built for the request alone, across
 * changes of the snapshot, for holding and input reads and refusals. */
START_TEST(test_answers_as_uncached)
{
	static const uint8_t reqs[][5] = {
	    {0x03, 0x9C, 0x40, 0x00, 0x7D}, /* 40000 x 125 */
	    {0x03, 0x9D, 0xAF, 0x00, 0x7D}, /* 40367 x 125 */
	    {0x04, 0x00, 0x00, 0x00, 0x7D}, /* input 0 x 125 */
	    {0x04, 0x01, 0x56, 0x00, 0x16}, /* input 0x0156 x 22 */
	    {0x03, 0x9C, 0x40, 0x00, 0x7E}, /* 126: refused */
	};
	uint8_t a[PM_MB_MAX_PDU], b[PM_MB_MAX_PDU];

	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
			size_t na = pm_mb_map_answer(&map, &im, &snap, reqs[i], 5, a);
			size_t nb = pm_mb_map_handle_pdu(&map, &snap, reqs[i], 5, b);

			ck_assert_uint_eq(na, nb);
			ck_assert_mem_eq(a, b, na);
		}
		snap.seq++;
		snap.value[l1v] += 1000;
		snap.events++;
	}
}
END_TEST

/* No snapshot: every measurement not implemented, built each time (nothing to key on). */
START_TEST(test_no_snapshot)
{
	ck_assert_uint_eq(pm_mb_image_holding(&im, &map, NULL)[PHV_A - 40000], 0x7FC0);
	ck_assert_uint_eq(H32(PHV_A), 0x43668000u);
	ck_assert_uint_eq(pm_mb_image_holding(&im, &map, NULL)[PHV_A - 40000], 0x7FC0);
}
END_TEST

static Suite *modbus_image_suite(void)
{
	Suite *s = suite_create("modbus_image");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rebuilt_when_the_snapshot_changes);
	tcase_add_test(tc, test_input_image_keyed_too);
	tcase_add_test(tc, test_answers_as_uncached);
	tcase_add_test(tc, test_no_snapshot);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(modbus_image_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
