// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's side of HLS-GMAC (views/dlms/dlms-hls.c) against a real store in a temporary
 * directory: the server's counters reserved in blocks of PM_DLMS_HLS_IC_BLOCK (256) and never
 * handed out twice, across a block boundary, a reopen and a store that cannot commit; the
 * client's counter taken only above the last one.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "meter/meter.h"
#include "store/store-internal.h"
#include "store/store.h"
#include "views/dlms/dlms-hls.h"

static char dir[64], db[96];
static const struct pm_dlms_keys keys = {
    .ek = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
	   0x0F},
    .ak = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE,
	   0xDF},
};
static const uint8_t title[8] = {0x50, 0x4D, 0x54, 0, 0, 0, 0, 0x01};
static const uint8_t client_title[8] = {0x4D, 0x4D, 0x4D, 0, 0, 0, 0, 0x01};

/* A store, a meter on it and the meter's HLS side, as the daemon has them. */
struct rig {
	struct pm_store *store;
	struct pm_meter *meter;
	struct pm_dlms_hls hls;
};

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s/pmhlsXXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/polymeter.db", dir);
	pm_log_set_max(LOG_WARNING);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void rig_open(struct rig *r, const char *name)
{
	struct pm_meter_config cfg;
	char err[256];

	ck_assert_int_eq(pm_store_open(db, &r->store, err, sizeof(err)), 0);
	pm_meter_config_default(&cfg, name);
	ck_assert_int_eq(pm_meter_new(&cfg, r->store, &r->meter), 0);
	ck_assert_int_eq(pm_dlms_hls_init(&r->hls, name, r->meter, &keys, title, client_title), 0);
}

static void rig_close(struct rig *r)
{
	pm_dlms_hls_done(&r->hls);
	pm_meter_free(r->meter);
	pm_store_close(r->store);
}

static int next_ic(struct rig *r, uint32_t *ic)
{
	return r->hls.sec.next_ic(r->hls.sec.data, ic);
}

/* The counter of a request that may change the meter (a SET or an ACTION): committed first. */
static bool client_ic(struct rig *r, uint32_t ic, uint32_t *expected)
{
	return r->hls.sec.client_ic(r->hls.sec.data, ic, true, expected);
}

/* The counter of a GET or an AARQ: checked, kept in memory only. */
static bool client_get_ic(struct rig *r, uint32_t ic, uint32_t *expected)
{
	return r->hls.sec.client_ic(r->hls.sec.data, ic, false, expected);
}

/* 0..257 in order across the first block's end; after a reopen the rest of the second block
 * (258..511) is skipped: the next is 512, strictly above every one handed out. */
START_TEST(test_block_boundary_and_reopen)
{
	struct rig r;
	uint32_t ic;

	rig_open(&r, "m");
	for (uint32_t want = 0; want <= 257; want++) {
		ck_assert_int_eq(next_ic(&r, &ic), 0);
		ck_assert_uint_eq(ic, want);
	}
	rig_close(&r);
	rig_open(&r, "m");
	ck_assert_int_eq(next_ic(&r, &ic), 0);
	ck_assert_uint_eq(ic, 512);
	rig_close(&r);
	/* the same key and title under another meter name: still above */
	rig_open(&r, "renamed");
	ck_assert_int_eq(next_ic(&r, &ic), 0);
	ck_assert_uint_eq(ic, 768);
	rig_close(&r);
}
END_TEST

/* At a block's end a store that cannot commit hands out nothing; once it can, the next block
 * starts where the last committed one ended. */
START_TEST(test_failed_commit_hands_out_nothing)
{
	struct rig r;
	uint32_t ic = 0;

	rig_open(&r, "m");
	for (int i = 0; i < 256; i++)
		ck_assert_int_eq(next_ic(&r, &ic), 0);
	ck_assert_uint_eq(ic, 255);
	ck_assert_int_eq(pm_store_exec(r.store, "PRAGMA query_only = 1"), 0);
	ic = 12345;
	ck_assert_int_lt(next_ic(&r, &ic), 0);
	ck_assert_int_lt(next_ic(&r, &ic), 0);
	ck_assert_uint_eq(ic, 12345);
	ck_assert_int_eq(pm_store_exec(r.store, "PRAGMA query_only = 0"), 0);
	ck_assert_int_eq(next_ic(&r, &ic), 0);
	ck_assert_uint_eq(ic, 256);
	rig_close(&r);
}
END_TEST

/* The client's counter: taken only above the last one taken (equal is a replay), the one
 * expected told; one the store could not record is not taken; all of it after a reopen. */
START_TEST(test_client_counter)
{
	struct rig r;
	uint32_t expected;

	rig_open(&r, "m");
	ck_assert(client_ic(&r, 5, &expected));
	ck_assert(!client_ic(&r, 5, &expected));
	ck_assert_uint_eq(expected, 6);
	ck_assert(!client_ic(&r, 4, &expected));
	ck_assert_uint_eq(expected, 6);
	ck_assert_int_eq(pm_store_exec(r.store, "PRAGMA query_only = 1"), 0);
	ck_assert(!client_ic(&r, 7, &expected));
	ck_assert_int_eq(pm_store_exec(r.store, "PRAGMA query_only = 0"), 0);
	ck_assert(client_ic(&r, 7, &expected));
	rig_close(&r);
	rig_open(&r, "m");
	ck_assert(!client_ic(&r, 7, &expected));
	ck_assert_uint_eq(expected, 8);
	ck_assert(client_ic(&r, 8, &expected));
	/* a GET's counter rises in memory: 9 taken, 9 again a replay, a SET then needs 10 */
	ck_assert(client_get_ic(&r, 9, &expected));
	ck_assert(!client_get_ic(&r, 9, &expected));
	ck_assert_uint_eq(expected, 10);
	ck_assert(!client_ic(&r, 9, &expected));
	rig_close(&r);
	/* not stored (docs/dlms.md): after a restart the last SET's 8 holds: 9 passes once more */
	rig_open(&r, "m");
	ck_assert(!client_ic(&r, 8, &expected));
	ck_assert(client_get_ic(&r, 9, &expected));
	rig_close(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlms_hls_store");
	TCase *tc = tcase_create("dlms_hls_store");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_block_boundary_and_reopen);
	tcase_add_test(tc, test_failed_commit_hands_out_nothing);
	tcase_add_test(tc, test_client_counter);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
