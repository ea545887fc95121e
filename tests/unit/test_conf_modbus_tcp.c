// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Modbus TCP keys of a meter (daemon/app/conf-meter.c) and their translation into the server's
 * configuration (daemon/app/modbus-tcp-conf.c): the documented defaults (16 connections, 60 s
 * idle, 10 s header: daemon/dist/polymeterd.conf.example), values as written, and one error
 * naming file:line for every bad value.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/conf.h"
#include "app/modbus-tcp-conf.h"

static char path[64];

static int load(const char *keys, struct pm_conf *c, char *err, size_t errlen)
{
	char text[512];
	int fd, r;

	snprintf(text, sizeof(text), "[daemon]\nstate_dir = none\n[meter m]\nsource = sim\n%s",
		 keys);
	strcpy(path, "/tmp/test_conf_mbtcp.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	r = pm_conf_load(path, c, err, errlen);
	unlink(path);
	return r;
}

START_TEST(test_defaults)
{
	struct pm_conf c;
	struct pm_mbtcp_config t;
	char err[256] = "";

	ck_assert_int_eq(load("", &c, err, sizeof(err)), 0);
	pm_conf_mbtcp(&c.meter[0], &t);
	ck_assert_ptr_null(t.address); /* any address, both families */
	ck_assert_uint_eq(t.max_conn, 16);
	ck_assert_uint_eq(t.idle_usec, 60ULL * 1000000);
	ck_assert_uint_eq(t.header_usec, 10ULL * 1000000);
	ck_assert_int_eq(t.listen_fd, -1);
}
END_TEST

START_TEST(test_values)
{
	struct pm_conf c;
	struct pm_mbtcp_config t;
	char err[256] = "";

	ck_assert_int_eq(load("modbus_tcp_port = 1502\nmodbus_tcp_address = fd00::7\n"
			      "modbus_tcp_max_connections = 256\nmodbus_tcp_idle_timeout = 86400\n"
			      "modbus_tcp_header_timeout = 3600\n",
			      &c, err, sizeof(err)),
			 0);
	pm_conf_mbtcp(&c.meter[0], &t);
	ck_assert_str_eq(t.address, "fd00::7");
	ck_assert_uint_eq(t.port, 1502);
	ck_assert_uint_eq(t.max_conn, 256);
	ck_assert_uint_eq(t.idle_usec, 86400ULL * 1000000);
	ck_assert_uint_eq(t.header_usec, 3600ULL * 1000000);

	ck_assert_int_eq(load("modbus_tcp_address = 192.0.2.10\n", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.meter[0].modbus_tcp_address, "192.0.2.10");
	/* a short idle timeout takes the header default down with it */
	ck_assert_int_eq(load("modbus_tcp_idle_timeout = 3\n", &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.meter[0].modbus_tcp_header_timeout_s, 3);
}
END_TEST

static const struct {
	const char *keys;
	unsigned line;
	const char *msg;
} bad[] = {
    {"modbus_tcp_address = localhost\n", 5, "expected a numeric IPv4 or IPv6 address"},
    {"modbus_tcp_address = 127.1\n", 5, "expected a numeric IPv4 or IPv6 address"},
    {"modbus_tcp_address = 192.0.2.256\n", 5, "expected a numeric IPv4 or IPv6 address"},
    {"modbus_tcp_address = fe80::1%eth0\n", 5, "expected a numeric IPv4 or IPv6 address"},
    {"modbus_tcp_max_connections = 0\n", 5, "expected an integer 1..256"},
    {"modbus_tcp_max_connections = 257\n", 5, "expected an integer 1..256"},
    {"modbus_tcp_idle_timeout = 0\n", 5, "expected an integer 1..86400"},
    {"modbus_tcp_idle_timeout = 86401\n", 5, "expected an integer 1..86400"},
    {"modbus_tcp_header_timeout = 0\n", 5, "expected an integer 1..3600"},
    {"modbus_tcp_header_timeout = 10s\n", 5, "expected an integer 1..3600"},
    {"modbus_tcp_header_timeout = 20\nmodbus_tcp_idle_timeout = 19\n", 5,
     "modbus_tcp_header_timeout 20 s is longer than modbus_tcp_idle_timeout 19 s"},
    {"modbus_tcp_max_connections = 4\nmodbus_tcp_max_connections = 5\n", 6,
     "'modbus_tcp_max_connections' given twice"},
};

START_TEST(test_bad)
{
	struct pm_conf c, before;
	char err[256] = "", want[96];

	memset(&c, 0x5a, sizeof(c));
	before = c;
	ck_assert_int_lt(load(bad[_i].keys, &c, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s:%u: ", path, bad[_i].line);
	ck_assert_msg(strstr(err, want) == err, "case %d: '%s' does not start with '%s'", _i, err,
		      want);
	ck_assert_msg(strstr(err, bad[_i].msg), "case %d: '%s' lacks '%s'", _i, err, bad[_i].msg);
	ck_assert_msg(memcmp(&c, &before, sizeof(c)) == 0, "case %d changed the configuration", _i);
}
END_TEST

static Suite *conf_mbtcp_suite(void)
{
	Suite *s = suite_create("conf_modbus_tcp");
	TCase *tc = tcase_create("conf_modbus_tcp");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_values);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_mbtcp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
