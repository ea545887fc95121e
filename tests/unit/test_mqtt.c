// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MQTT view's pure parts and its queues: exact decimals and UTC text in the payloads, and
 * the store's cursors over a real SQLite file (schema 8).
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "views/mqtt/mqtt-json.h"
#include "views/mqtt/mqtt-payload.h"

START_TEST(test_decimal)
{
	char b[64];

	/* value x 10^scaler, written by hand */
	ck_assert_str_eq(pm_json_decimal_text(230000, -3, b, sizeof(b)), "230");
	ck_assert_str_eq(pm_json_decimal_text(1234567, -3, b, sizeof(b)), "1234.567");
	ck_assert_str_eq(pm_json_decimal_text(-500000, -6, b, sizeof(b)), "-0.5");
	ck_assert_str_eq(pm_json_decimal_text(7, -3, b, sizeof(b)), "0.007");
	ck_assert_str_eq(pm_json_decimal_text(5, 2, b, sizeof(b)), "500");
	ck_assert_str_eq(pm_json_decimal_text(0, -3, b, sizeof(b)), "0");
	ck_assert_str_eq(pm_json_decimal_text(INT64_MIN, -3, b, sizeof(b)),
			 "-9223372036854775.808");
}
END_TEST

START_TEST(test_json_text)
{
	struct pm_json j;
	const char *t;

	pm_json_init(&j);
	pm_json_open(&j, NULL, '{');
	pm_json_str(&j, "k", "a\"b\\c\n");
	pm_json_utc(&j, "ts", 1767225600000000000); /* 2026-01-01 00:00:00 UTC = 1767225600 s */
	pm_json_utc(&j, "t2", 1767225600500000000);
	pm_json_open(&j, "a", '[');
	pm_json_int(&j, NULL, -1);
	pm_json_null(&j, NULL);
	pm_json_close(&j, ']');
	pm_json_close(&j, '}');
	t = pm_json_finish(&j, NULL);
	ck_assert_str_eq(t, "{\"k\":\"a\\\"b\\\\c\\u000a\",\"ts\":\"2026-01-01T00:00:00Z\","
			    "\"t2\":\"2026-01-01T00:00:00.500000000Z\",\"a\":[-1,null]}");
	pm_json_free(&j);
}
END_TEST

START_TEST(test_event_payload)
{
	struct pm_store_event ev = {.utc_ns = 1767225600000000000, .kind = "daemon_start"};
	struct pm_json j;

	pm_json_init(&j);
	pm_mqtt_event(&j, "gw1", "sim", 42, &ev);
	ck_assert_str_eq(pm_json_finish(&j, NULL),
			 "{\"meter\":\"sim\",\"ts\":\"2026-01-01T00:00:00Z\","
			 "\"id\":\"gw1/sim/event/42\",\"seq\":42,\"kind\":\"daemon_start\","
			 "\"detail\":\"\"}");
	pm_json_free(&j);
}
END_TEST

/*
 * Money is counted in mu, 1/1000 of the currency's minor unit (model.h), so its decimal point
 * moves with the currency: 12 345 678 mu are 12 345.678 yen (no minor digits) and 12.345678
 * dinar (3 minor digits, the fils). A fixed scaler of -5 (GBP's) wrote 123.45678 for both.
 */
static void account_balance_text(const char *currency, int64_t minor_units, const char *want)
{
	struct pm_snapshot snap;
	struct pm_json j;
	const char *t;

	memset(&snap, 0, sizeof(snap));
	snap.account.valid = true;
	snap.account.balance_mu = 12345678;
	snap.account.minor_units = minor_units;
	snprintf(snap.account.currency, sizeof(snap.account.currency), "%s", currency);
	pm_json_init(&j);
	pm_mqtt_account(&j, "gw1", 1767225600000000000, &snap);
	t = pm_json_finish(&j, NULL);
	ck_assert_msg(strstr(t, want), "%s: %s not in %s", currency, want, t);
	pm_json_free(&j);
}

START_TEST(test_account_money_scaler)
{
	account_balance_text("JPY", 0, "\"Balance\":{\"value\":12345.678,\"unit\":\"JPY\"}");
	account_balance_text("GBP", 2, "\"Balance\":{\"value\":123.45678,\"unit\":\"GBP\"}");
	account_balance_text("BHD", 3, "\"Balance\":{\"value\":12.345678,\"unit\":\"BHD\"}");
}
END_TEST

static int count_events(void *ctx, int64_t id, const struct pm_store_event *ev)
{
	int64_t *ids = ctx;

	(void)ev;
	ids[++ids[0]] = id;
	return 0;
}

START_TEST(test_store_queue)
{
	char path[] = "/tmp/test_mqtt_XXXXXX";
	struct pm_store_mqtt_cursor c[PM_STORE_MQTT_STREAMS] = {{0}};
	struct pm_store *s;
	char db[64], err[256];
	int64_t key, ids[8] = {0};
	uint64_t n;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	snprintf(db, sizeof(db), "%s", path);
	ck_assert_int_eq(pm_store_open(db, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(pm_store_mqtt_load(s, "m", c), -ENOENT);
	ck_assert_int_eq(pm_store_mqtt_newest(s, "m", PM_STORE_MQTT_EVENT, &key), 0);
	ck_assert(key == INT64_MIN);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(pm_store_add_event(s, "m", 1000 - i, "k", ""), 0);
	/* ids 1..5, in the order logged, whatever their times */
	ck_assert_int_eq(pm_store_mqtt_newest(s, "m", PM_STORE_MQTT_EVENT, &key), 0);
	ck_assert_int_eq(key, 5);
	ck_assert_int_eq(pm_store_mqtt_pending(s, "m", PM_STORE_MQTT_EVENT, 2, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(pm_store_mqtt_nth(s, "m", PM_STORE_MQTT_EVENT, 2, 2, &key), 0);
	ck_assert_int_eq(key, 4);
	ck_assert_int_eq(pm_store_mqtt_nth(s, "m", PM_STORE_MQTT_EVENT, 2, 4, &key), -ENOENT);
	ck_assert_int_eq(pm_store_events_after(s, "m", 3, 0, count_events, ids), 0);
	ck_assert_int_eq(ids[0], 2);
	ck_assert_int_eq(ids[1], 4);
	ck_assert_int_eq(ids[2], 5);
	c[PM_STORE_MQTT_EVENT].last = 4;
	c[PM_STORE_MQTT_EVENT].dropped = 1;
	c[PM_STORE_MQTT_PROFILE].last = INT64_MIN;
	ck_assert_int_eq(pm_store_mqtt_save(s, "m", c), 0);
	pm_store_close(s);
	/* a new connection reads what was committed */
	memset(c, 0, sizeof(c));
	ck_assert_int_eq(pm_store_open(db, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(pm_store_mqtt_load(s, "m", c), 0);
	ck_assert_int_eq(c[PM_STORE_MQTT_EVENT].last, 4);
	ck_assert_uint_eq(c[PM_STORE_MQTT_EVENT].dropped, 1);
	ck_assert(c[PM_STORE_MQTT_PROFILE].last == INT64_MIN);
	pm_store_close(s);
	unlink(db);
	snprintf(err, sizeof(err), "%s-wal", db);
	unlink(err);
	snprintf(err, sizeof(err), "%s-shm", db);
	unlink(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mqtt");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_decimal);
	tcase_add_test(tc, test_json_text);
	tcase_add_test(tc, test_event_payload);
	tcase_add_test(tc, test_account_money_scaler);
	tcase_add_test(tc, test_store_queue);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
