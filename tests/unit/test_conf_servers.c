// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network servers' keys of a meter (daemon/app/conf-meter.c) and their translation into the
 * servers' configurations (daemon/app/modbus-tcp-conf.c, dlms-conf.c): the documented defaults
 * (Modbus TCP: 16 connections, 60 s idle, 10 s header; DLMS: port 4059 when enabled, 8
 * associations, 120 s idle, 10 s header: daemon/dist/polymeterd.conf.example), values as
 * written, one error naming file:line for every bad value, and the DLMS management password
 * file's rules.
 */
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/conf.h"
#include "app/dlms-conf.h"
#include "app/modbus-tcp-conf.h"

static char path[64];

static int load(const char *keys, struct pm_conf *c, char *err, size_t errlen)
{
	char text[512];
	int fd, r;

	snprintf(text, sizeof(text), "[daemon]\nstate_dir = none\n[meter m]\nsource = sim\n%s",
		 keys);
	strcpy(path, "/tmp/test_conf_servers.XXXXXX");
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
	struct pm_stream_config t;
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
	struct pm_stream_config t;
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
    {"dlms_port = 65536\n", 5, "expected a TCP port 1..65535, or 0 for no DLMS server"},
    {"dlms_port = -1\n", 5, "expected a TCP port 1..65535, or 0 for no DLMS server"},
    {"dlms_address = localhost\n", 5, "expected a numeric IPv4 or IPv6 address"},
    {"dlms_max_connections = 0\n", 5, "expected an integer 1..256"},
    {"dlms_idle_timeout = 86401\n", 5, "expected an integer 1..86400"},
    {"dlms_header_timeout = 3601\n", 5, "expected an integer 1..3600"},
    {"dlms_header_timeout = 31\ndlms_idle_timeout = 30\n", 5,
     "dlms_header_timeout 31 s is longer than dlms_idle_timeout 30 s"},
    {"dlms_password_file = secret\n", 5, "expected an absolute file path"},
    {"dlms_port = 4059\ndlms_port = 4060\n", 6, "'dlms_port' given twice"},
    {"dlms_hdlc_device = ttyS1\n", 5, "expected an absolute tty path"},
    {"dlms_hdlc_line = 9600 N 3\n", 5, "expected BAUD PARITY STOPBITS"},
    {"dlms_hdlc_line = 230400 N 1\n", 5, "300..115200 baud"},
    {"dlms_hdlc_line = 200 N 1\n", 5, "300..115200 baud"},
    {"dlms_hdlc_address = 15\n", 5, "expected an HDLC physical address 16..16381"},
    {"dlms_hdlc_address = 16382\n", 5, "expected an HDLC physical address 16..16381"},
    {"dlms_hdlc_mode_e = maybe\n", 5, "expected yes or no"},
    {"dlms_hdlc_inactivity_timeout = 86401\n", 5, "expected an integer 0..86400"},
    {"dlms_hdlc_device = /dev/ttyS1\ndlms_hdlc_mode_e = yes\ndlms_hdlc_line = 38400 N 1\n", 7,
     "[meter m] dlms_hdlc_mode_e needs dlms_hdlc_line 300..19200 N 1"},
    {"dlms_hdlc_device = /dev/ttyS1\ndlms_hdlc_mode_e = yes\ndlms_hdlc_line = 9600 E 1\n", 7,
     "needs dlms_hdlc_line 300..19200 N 1"},
    /* two meters on one bus: lines 5..6 meter m, 7 [meter n], 8 its source, 9.. its keys */
    {"dlms_hdlc_device = /dev/ttyS1\ndlms_hdlc_address = 17\n[meter n]\nsource = sim\n"
     "dlms_hdlc_device = /dev/ttyS1\ndlms_hdlc_address = 17\n",
     10, "[meter m] (line 5) is on it with the same dlms_hdlc_address"},
    {"dlms_hdlc_device = /dev/ttyS1\ndlms_hdlc_address = 17\n[meter n]\nsource = sim\n"
     "dlms_hdlc_device = /dev/ttyS1\ndlms_hdlc_address = 18\ndlms_hdlc_line = 19200 N 1\n",
     11, "another dlms_hdlc_line"},
    {"dlms_hdlc_device = /dev/ttyS1\ndlms_hdlc_mode_e = yes\n[meter n]\nsource = sim\n"
     "dlms_hdlc_device = /dev/ttyS1\ndlms_hdlc_address = 18\n",
     9, "an optical port (dlms_hdlc_mode_e) serves one meter"},
    /* one key file, two meters: one title and key, two counter sequences (GCM IV reuse) */
    {"dlms_key_file = /etc/k\n[meter n]\nsource = sim\ndlms_key_file = /etc/k\n", 8,
     "[meter n] dlms_key_file /etc/k: [meter m] (line 5) has it too"},
    /* dlms_clients: the SAP's range, the words, a SAP twice, what a client needs */
    {"dlms_clients = 127 lls reader\n", 5, "client SAP '127': expected 1..126"},
    {"dlms_clients = 0 lls reader\n", 5, "client SAP '0': expected 1..126"},
    {"dlms_clients = 17 lls boss\n", 5,
     "client SAP 17: rights 'boss': expected public, reader, operator or management"},
    {"dlms_clients = 17 password reader\n", 5,
     "authentication 'password': expected none, lls, hls or lls+hls"},
    {"dlms_clients = 17 lls\n", 5, "'17': expected SAP AUTHENTICATION RIGHTS"},
    {"dlms_clients = 17 lls reader /p /q /r\n", 5, "expected SAP AUTHENTICATION RIGHTS"},
    {"dlms_clients = 17 lls reader extra\n", 5, "'extra': expected an absolute path"},
    {"dlms_clients = 17 lls reader /p /k\n", 5, "client SAP 17: lls takes one password file"},
    {"dlms_clients = 17 lls+hls reader /p\n", 5, "a password file then a key file"},
    {"dlms_clients = 17 none public /p\n", 5, "none takes no secret file"},
    {"dlms_clients = ,\n", 5, "expected SAP AUTHENTICATION RIGHTS entries"},
    {"dlms_clients = 17 none reader\n", 5, "without authentication a client may only be public"},
    {"dlms_clients = 17 lls reader /p, 17 lls operator /q\n", 5, "client SAP 17 given twice"},
    /* several lines add up; a SAP on two of them is still one SAP twice */
    {"dlms_clients = 17 lls reader /p\ndlms_clients = 17 lls operator /q\n", 6,
     "client SAP 17 given twice"},
    {"dlms_clients = 17 lls reader /p\ndlms_clients = ,\n", 6,
     "expected SAP AUTHENTICATION RIGHTS entries"},
    {"dlms_clients = 18 hls operator /k18\n", 5,
     "client SAP 18 authenticates with hls, which needs dlms_key_file in [meter m]"},
    /* each client its own secrets: the management client's are not a reader's */
    {"dlms_password_file = /etc/p\ndlms_clients = 18 lls reader\n", 6,
     "client SAP 18 authenticates with lls and has no password file of its own"},
    {"dlms_key_file = /etc/k\ndlms_clients = 18 hls operator\n", 6,
     "client SAP 18 authenticates with hls and has no key file of its own"},
    /* lls+hls without a password (finding 7): an error, not a silent HLS-only client */
    {"dlms_key_file = /etc/k\ndlms_clients = 18 lls+hls operator\n", 6,
     "client SAP 18 authenticates with lls and has no password file of its own"},
    {"dlms_key_file = /etc/k\ndlms_clients = 1 lls+hls management\n", 6,
     "client SAP 1 authenticates with lls and has no password file of its own"},
    {"dlms_password_file = /etc/p\ndlms_clients = 18 lls reader /etc/p\n", 6,
     "client SAP 18: /etc/p is another client's secret file too"},
    {"dlms_clients = 17 lls reader /etc/s, 18 lls operator /etc/s\n", 5,
     "client SAP 17: /etc/s is another client's secret file too"},
    {"dlms_key_file = /etc/k\ndlms_clients = 18 hls operator /etc/k\n", 6,
     "client SAP 18: /etc/k is another client's secret file too"},
    {"dlms_push_destination = head-end.example:4059\n", 5, "expected HOST:PORT"},
    {"dlms_push_destination = 192.0.2.20\n", 5, "expected HOST:PORT"},
    {"dlms_push_destination = 192.0.2.20:0\n", 5, "expected HOST:PORT"},
    {"dlms_push_destination = ::1:4059\n", 5, "expected HOST:PORT"},
    {"dlms_push_schedule = hourly\n", 5, "expected one or more of daily"},
    {"dlms_push_events = power,fire\n", 5, "expected one or more of power"},
    {"dlms_push_window = 70000\n", 5, "expected an integer 0..65535"},
    {"dlms_push_retry_base = 0\n", 5, "expected an integer 1..65535"},
    {"dlms_push_schedule = daily\n", 5,
     "dlms_push_schedule in [meter m] needs dlms_push_destination"},
    {"dlms_push_events = supply\n", 5, "needs dlms_push_destination"},
    {"dlms_push_retry_base = 600\ndlms_push_retry_max = 60\n", 6, "is below dlms_push_retry_base"},
};

START_TEST(test_dlms_defaults_and_values)
{
	struct pm_conf c;
	struct pm_stream_config t;
	char err[256] = "";

	ck_assert_int_eq(load("", &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.meter[0].dlms_port, 0); /* no DLMS server unless asked */
	pm_conf_dlms(&c.meter[0], &t);
	ck_assert_ptr_null(t.address);
	ck_assert_uint_eq(t.max_conn, 8);
	ck_assert_uint_eq(t.idle_usec, 120ULL * 1000000);
	ck_assert_uint_eq(t.header_usec, 10ULL * 1000000);
	ck_assert_int_eq(t.listen_fd, -1);

	ck_assert_int_eq(load("dlms_port = 4059\ndlms_address = ::1\ndlms_max_connections = 2\n"
			      "dlms_idle_timeout = 30\ndlms_header_timeout = 5\n"
			      "dlms_password_file = /etc/polymeter/dlms.pw\n",
			      &c, err, sizeof(err)),
			 0);
	pm_conf_dlms(&c.meter[0], &t);
	ck_assert_uint_eq(t.port, 4059);
	ck_assert_str_eq(t.address, "::1");
	ck_assert_uint_eq(t.max_conn, 2);
	ck_assert_uint_eq(t.idle_usec, 30ULL * 1000000);
	ck_assert_uint_eq(t.header_usec, 5ULL * 1000000);
	ck_assert_str_eq(c.meter[0].dlms_password_file, "/etc/polymeter/dlms.pw");
}
END_TEST

/* dlms_clients beside the standard two, and replacing one of them (server.h rules). */
START_TEST(test_dlms_clients)
{
	struct pm_dlms_client_rule rules[PM_DLMS_MAX_CLIENTS];
	struct pm_conf_dlms_secrets files[PM_DLMS_MAX_CLIENTS];
	struct pm_conf c;
	char err[256] = "";

	ck_assert_int_eq(load("", &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(pm_conf_dlms_clients(&c.meter[0], rules, files), 2);
	/* SAP 1's secrets: dlms_password_file and dlms_key_file (none here) */
	ck_assert_str_eq(files[0].password_file, "");
	ck_assert_uint_eq(rules[0].sap, 1);
	ck_assert_uint_eq(rules[0].auth, PM_DLMS_AUTH_LLS | PM_DLMS_AUTH_HLS);
	ck_assert_int_eq(rules[0].rights, PM_DLMS_CLIENT_MANAGEMENT);
	ck_assert_uint_eq(rules[1].sap, 16);
	ck_assert_uint_eq(rules[1].auth, PM_DLMS_AUTH_NONE);
	ck_assert_int_eq(rules[1].rights, PM_DLMS_CLIENT_PUBLIC);

	ck_assert_int_eq(load("dlms_password_file = /etc/p\ndlms_key_file = /etc/k\n"
			      "dlms_clients = 17 lls reader /etc/p17,18 hls operator /etc/k18 , "
			      "1 hls management\n"
			      "dlms_clients = 19 lls+hls management /etc/p19 /etc/k19\n",
			      &c, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(pm_conf_dlms_clients(&c.meter[0], rules, files), 5);
	/* 16 as standard; 1 replaced: HLS only */
	ck_assert_uint_eq(rules[0].sap, 16);
	ck_assert_uint_eq(rules[1].sap, 17);
	ck_assert_uint_eq(rules[1].auth, PM_DLMS_AUTH_LLS);
	ck_assert_int_eq(rules[1].rights, PM_DLMS_CLIENT_READER);
	ck_assert_uint_eq(rules[2].sap, 18);
	ck_assert_uint_eq(rules[2].auth, PM_DLMS_AUTH_HLS);
	ck_assert_int_eq(rules[2].rights, PM_DLMS_CLIENT_OPERATOR);
	ck_assert_uint_eq(rules[3].sap, 1);
	ck_assert_uint_eq(rules[3].auth, PM_DLMS_AUTH_HLS);
	ck_assert_int_eq(rules[3].rights, PM_DLMS_CLIENT_MANAGEMENT);
	/* each its own files; SAP 1 without its own: the meter's two */
	ck_assert_str_eq(files[1].password_file, "/etc/p17");
	ck_assert_str_eq(files[1].key_file, "");
	ck_assert_str_eq(files[2].key_file, "/etc/k18");
	ck_assert_str_eq(files[3].password_file, "/etc/p");
	ck_assert_str_eq(files[3].key_file, "/etc/k");
	ck_assert_str_eq(files[4].password_file, "/etc/p19");
	ck_assert_str_eq(files[4].key_file, "/etc/k19");
	ck_assert(!rules[1].password && !rules[1].security); /* the view reads them */
}
END_TEST

START_TEST(test_dlms_hdlc_defaults_and_values)
{
	struct pm_dlms_serial_config s;
	struct pm_conf c;
	char err[256] = "";

	ck_assert_int_eq(load("", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.meter[0].dlms_hdlc_device, ""); /* no HDLC server unless asked */
	pm_conf_dlms_serial(&c.meter[0], &s);
	/* IEC 62056-46's 9600 8N1, kernel RS-485 mode, 120 s, no sign-on */
	ck_assert_uint_eq(s.baud, 9600);
	ck_assert_int_eq(s.parity, 'N');
	ck_assert_uint_eq(s.stop_bits, 1);
	ck_assert(s.rs485);
	ck_assert(!s.mode_e);
	ck_assert_uint_eq(s.inactivity_usec, 120ULL * 1000000);
	ck_assert_uint_eq(c.meter[0].dlms_hdlc_address, 0);

	ck_assert_int_eq(load("dlms_hdlc_device = /dev/ttyUSB0\ndlms_hdlc_line = 19200 N 1\n"
			      "dlms_hdlc_rs485 = no\ndlms_hdlc_mode_e = yes\n"
			      "dlms_hdlc_inactivity_timeout = 30\n",
			      &c, err, sizeof(err)),
			 0);
	pm_conf_dlms_serial(&c.meter[0], &s);
	ck_assert_str_eq(s.device, "/dev/ttyUSB0");
	ck_assert_uint_eq(s.baud, 19200);
	ck_assert(!s.rs485);
	ck_assert(s.mode_e);
	ck_assert_uint_eq(s.inactivity_usec, 30ULL * 1000000);
	/* two meters on one bus, each its own address */
	ck_assert_int_eq(load("dlms_hdlc_device = /dev/ttyS1\ndlms_hdlc_address = 17\n"
			      "[meter n]\nsource = sim\n"
			      "dlms_hdlc_device = /dev/ttyS1\ndlms_hdlc_address = 16381\n",
			      &c, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(c.meter[0].dlms_hdlc_address, 17);
	ck_assert_uint_eq(c.meter[1].dlms_hdlc_address, 16381);
}
END_TEST

/* Writes @len bytes of @text to a fresh file of mode @mode; its path in @file. */
static void password_file(char *file, const char *text, size_t len, mode_t mode)
{
	int fd;

	strcpy(file, "/tmp/test_dlms_pw.XXXXXX");
	fd = mkstemp(file);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static const struct {
	const char *text;
	size_t len;
	mode_t mode;
	const char *want; /* the password, or NULL: refused */
} pw[] = {
    {"Secret-1\n", 9, 0600, "Secret-1"},
    {"Secret-1", 8, 0400, "Secret-1"},		    /* no line end */
    {"Secret-1\r\nsecond\n", 17, 0600, "Secret-1"}, /* the first line, CR LF */
    {"Secret-1\n", 9, 0640, NULL},		    /* the group may read it */
    {"Secret-1\n", 9, 0604, NULL},		    /* anyone may read it */
    {"\nSecret\n", 8, 0600, NULL},		    /* an empty first line */
    {"", 0, 0600, NULL},
    {"two words\n", 10, 0600, NULL},
    {"nul\0byte\n", 9, 0600, NULL},
    {"01234567890123456789012345678901", 32, 0600, "01234567890123456789012345678901"},
    {"012345678901234567890123456789012", 33, 0600, NULL},
};

START_TEST(test_dlms_password_file)
{
	char file[64], buf[PM_DLMS_PASSWORD_MAX + 1] = "unchanged";
	const char *why = NULL;
	int r;

	password_file(file, pw[_i].text, pw[_i].len, pw[_i].mode);
	r = pm_dlms_read_password(file, buf, &why);
	unlink(file);
	if (pw[_i].want) {
		ck_assert_msg(r == 0, "case %d refused: %s", _i, why);
		ck_assert_str_eq(buf, pw[_i].want);
	} else {
		ck_assert_msg(r < 0 && why, "case %d accepted", _i);
		ck_assert_str_eq(buf, "unchanged");
	}
}
END_TEST

START_TEST(test_dlms_password_missing)
{
	char buf[PM_DLMS_PASSWORD_MAX + 1];
	const char *why = NULL;

	ck_assert_int_eq(pm_dlms_read_password("/nonexistent/dlms.pw", buf, &why), -ENOENT);
	ck_assert_str_eq(why, "cannot be opened");
}
END_TEST

START_TEST(test_dlms_push_defaults_and_values)
{
	struct pm_conf c;
	char err[256] = "";

	ck_assert_int_eq(load("", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.meter[0].dlms_push_destination, ""); /* no push unless asked */
	ck_assert_uint_eq(c.meter[0].dlms_push_schedules, 0);
	ck_assert_uint_eq(c.meter[0].dlms_push_events, 0);
	ck_assert_uint_eq(c.meter[0].dlms_push_window_s, 7200);
	ck_assert_uint_eq(c.meter[0].dlms_push_retry_base_s, 60);
	ck_assert_uint_eq(c.meter[0].dlms_push_retry_max_s, 3600);

	ck_assert_int_eq(load("dlms_push_destination = [::1]:4059\n"
			      "dlms_push_schedule = daily, billing\n"
			      "dlms_push_events = low_credit supply\n"
			      "dlms_push_window = 0\ndlms_push_retry_base = 5\n"
			      "dlms_push_retry_max = 5\n",
			      &c, err, sizeof(err)),
			 0);
	ck_assert_str_eq(c.meter[0].dlms_push_destination, "[::1]:4059");
	ck_assert_uint_eq(c.meter[0].dlms_push_schedules, 1u << 0 | 1u << 3);
	ck_assert_uint_eq(c.meter[0].dlms_push_events, 1u << 2 | 1u << 1);
	ck_assert_uint_eq(c.meter[0].dlms_push_window_s, 0);
	ck_assert_uint_eq(c.meter[0].dlms_push_retry_base_s, 5);
	ck_assert_uint_eq(c.meter[0].dlms_push_retry_max_s, 5);
	ck_assert_int_eq(load("dlms_push_destination = 192.0.2.20:4059\n"
			      "dlms_push_schedule = none\n",
			      &c, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(c.meter[0].dlms_push_schedules, 0);
}
END_TEST

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

static Suite *conf_servers_suite(void)
{
	Suite *s = suite_create("conf_servers");
	TCase *tc = tcase_create("conf_servers");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_values);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_dlms_defaults_and_values);
	tcase_add_test(tc, test_dlms_hdlc_defaults_and_values);
	tcase_add_test(tc, test_dlms_clients);
	tcase_add_test(tc, test_dlms_push_defaults_and_values);
	tcase_add_loop_test(tc, test_dlms_password_file, 0, (int)(sizeof(pw) / sizeof(pw[0])));
	tcase_add_test(tc, test_dlms_password_missing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_servers_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
