// SPDX-License-Identifier: GPL-2.0-only
/*
 * The [mqtt] section (daemon/app/conf-mqtt.c): the documented defaults (docs/mqtt.md), values
 * as written, and one error naming file:line for each bad value or combination.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/conf.h"

static const char meter[] = "[meter m]\nsource = sim\n";

/* Loads @text; returns pm_conf_load's result, the message in @err. */
static int load(const char *text, struct pm_conf *conf, char *err, size_t len)
{
	char path[] = "/tmp/test_conf_mqtt_XXXXXX";
	int fd = mkstemp(path), r;
	FILE *f = fdopen(fd, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	r = pm_conf_load(path, conf, err, len);
	if (r < 0) { /* drop the temporary path: "PATH:LINE: message" -> "LINE: message" */
		char *colon = strchr(err, ':');

		if (colon)
			memmove(err, colon + 1, strlen(colon));
	}
	unlink(path);
	return r;
}

START_TEST(test_defaults)
{
	static struct pm_conf c;
	char err[512];
	char text[256];

	snprintf(text, sizeof(text), "[mqtt]\nbroker = 127.0.0.1\ngateway_id = gw1\n%s", meter);
	ck_assert_int_eq(load(text, &c, err, sizeof(err)), 0);
	ck_assert(c.mqtt.enabled);
	ck_assert_uint_eq(c.mqtt.port, 1883);
	ck_assert_str_eq(c.mqtt.prefix, "polymeter");
	ck_assert_str_eq(c.mqtt.client_id, "polymeterd-gw1");
	ck_assert_uint_eq(c.mqtt.live_interval_ms, 10000);
	ck_assert_uint_eq(c.mqtt.keepalive_s, 60);
	ck_assert_uint_eq(c.mqtt.backlog_max, 100000);
	ck_assert_uint_eq(c.mqtt.inflight, 32);
	ck_assert(!c.mqtt.homeassistant);
	/* no section, no publisher */
	ck_assert_int_eq(load(meter, &c, err, sizeof(err)), 0);
	ck_assert(!c.mqtt.enabled);
	/* TLS moves the default port to 8883 */
	snprintf(text, sizeof(text), "[mqtt]\nbroker = ::1\ngateway_id = g\nca_file = /ca\n%s",
		 meter);
	ck_assert_int_eq(load(text, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.mqtt.port, 8883);
}
END_TEST

START_TEST(test_errors)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"[mqtt]\nbroker = mqtt.example.com\n",
	     "2: broker = 'mqtt.example.com': expected a numeric IPv4 or IPv6 address"},
	    {"[mqtt]\nbroker = 10.0.0.1\n", "1: [mqtt] needs gateway_id"},
	    {"[mqtt]\ngateway_id = gw1\n", "1: [mqtt] needs broker"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = gw/1\n", "3: gateway_id = 'gw/1': expected"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = g\ntopic_prefix = a/#\n",
	     "4: topic_prefix = 'a/#': expected"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = g\nport = 0\n", "4: port = '0': expected"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = g\nlive_interval_ms = 50\n",
	     "4: live_interval_ms = '50'"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = g\nbogus = 1\n",
	     "4: unknown key 'bogus' in [mqtt]"},
	    {"[mqtt]\nbroker = 10.0.0.1\nbroker = 10.0.0.2\n", "3: 'broker' given twice"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = g\ncert_file = /c\n",
	     "4: cert_file and key_file go together"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = g\ncert_file = /c\nkey_file = /k\n",
	     "4: a client certificate needs ca_file"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = g\npassword_file = /p\n",
	     "4: password_file needs username"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = g\nlive_values = changed\n"
	     "homeassistant = yes\n",
	     "5: homeassistant = yes needs live_values = all"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = g\nreconnect_min_ms = 5000\n"
	     "reconnect_max_ms = 1000\n",
	     "5: reconnect_max_ms (1000) is below reconnect_min_ms (5000)"},
	    {"[mqtt]\nbroker = 10.0.0.1\ngateway_id = g\n[mqtt]\n", "4: [mqtt] given twice"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct pm_conf c;
		char text[512], err[512];

		snprintf(text, sizeof(text), "%s%s", cases[i].text, meter);
		c.mqtt.port = 4242; /* a failed load leaves the output alone */
		ck_assert_int_eq(load(text, &c, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strncmp(err, cases[i].want, strlen(cases[i].want)) == 0,
			      "case %zu: got '%s', want '%s...'", i, err, cases[i].want);
		ck_assert_uint_eq(c.mqtt.port, 4242);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conf_mqtt");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
