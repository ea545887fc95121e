// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test server for the Modbus TCP view: serves a fixed snapshot of known values through
 * daemon/views/modbus/modbus-tcp.c and the Modbus map, on one sd-event loop like polymeterd.
 *
 *   serve [--port N] [--address IP] [--unit N] [--base N] [--models 203|213|both]
 *         [--max-conn N] [--idle-ms N] [--header-ms N] [--sdm630] [--churn] [--dump]
 *
 * Prints "port N" once listening (port 0 = ephemeral). With a socket from systemd
 * (systemd-socket-activate, FileDescriptorName=modbus or a single unnamed one) it uses that.
 * --dump prints the snapshot, "id value scaler valid" per point, and exits: the clients
 * compare what they decode with it. --churn refills the snapshot every millisecond
 * (seq + 1, timestamp = seq ms, import energy + 65.537 Wh) so a client can see that every
 * read comes from one snapshot. --sdm630 adds the SDM630-compatible input registers (FC 0x04).
 * SIGTERM/SIGINT end it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "fixture.h"
#include "views/modbus/modbus-tcp.h"

static struct pm_snapshot snap;

static void set(const char *id, int64_t v)
{
	fixture_set(&snap, "serve", id, v, true);
}

/* The known values: every point valid, a distinct value each, a few on the edges. */
static void known_values(void)
{
	for (size_t i = 0; i < pm_point_count; i++) {
		snap.valid[i] = true;
		snap.value[i] = 1000 + 37 * (int64_t)i;
	}
	set("l1.voltage", 230456);			 /* mV */
	set("l2.voltage", 230500);			 /* mV */
	snap.valid[pm_point_find("l3.voltage")] = false; /* not implemented */
	set("total.voltage_avg", 230478);
	set("total.voltage_ll_avg", 399200);
	set("l1.current", 10250);
	set("l2.current", 400000); /* 400 A: clamped in model 203 */
	set("l3.current", 9800);
	set("total.current", 420050);
	set("total.neutral_current", 800);
	set("total.active_power", 6000000);
	set("l1.active_power", -2000000); /* exporting */
	set("total.reactive_power", -1200000);
	set("total.apparent_power", 7200000);
	set("total.power_factor", 833333);
	set("l1.power_factor", -900000);
	set("total.frequency", 50010);
	set("total.energy.active_import", 1234567);
	set("total.energy.active_export", 7654321);
	set("l3.energy.reactive_q3", 4294967301000); /* 2^32 + 5 Wh: acc32 rolls over */
	set("total.energy.reactive_import", 987654321);
	snap.seq = 42;
	snap.ts_ns = 42 * 1000000LL;
	/* the account: -0.40 GBP on emergency credit (5.00 left, 5.40 to repay), rate 2, block 3 */
	snap.account = (struct pm_snapshot_account){
	    .valid = true,
	    .has_tariff = true,
	    .rate = 2,
	    .block = 3,
	    .minor_units = 2, /* GBP: mill = mu / 100 */
	    .balance_mu = -40000,
	    .emergency_mu = 500000,
	    .debt_mu = 540000,
	    .credit = PM_CREDIT_EC_IN_USE,
	    .supply = PM_SUPPLY_CLOSED,
	    /* aux relay closed; three import rates, two priced export rates (mWh) */
	    .aux_closed = true,
	    .n_rates = 3,
	    .n_export_rates = 2,
	    .rate_import_mwh = {1000, 5000000000000LL, 7},
	    .rate_export_mwh = {250, 4294967296LL},
	};
	snap.has_events = true;
	snap.events = 70000; /* beyond 16 bits: both words of the uint32 carry */
}

static int on_churn(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)userdata;
	snap.seq++;
	snap.ts_ns = (int64_t)snap.seq * 1000000LL;
	snap.value[pm_point_find("total.energy.active_import")] += 65537;
	snap.account.balance_mu = -(int64_t)snap.seq * 100; /* -seq mill */
	sd_event_source_set_time(s, usec + 1000);
	return 0;
}

int main(int argc, char **argv)
{
	struct pm_mb_config mcfg;
	struct pm_stream_config tcfg;
	struct pm_mb_map map;
	struct pm_mbtcp *srv = NULL;
	bool churn = false, dump = false;
	sd_event *e = NULL;
	const char *why;
	long v;
	int r;

	pm_mb_config_default(&mcfg);
	pm_mbtcp_config_default(&tcfg);
	mcfg.model = "polymeterd-test";
	mcfg.serial = "TEST-0001";
	mcfg.version = "0.1";
	tcfg.port = 1502;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *n = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "--churn")) {
			churn = true;
			continue;
		}
		if (!strcmp(a, "--dump")) {
			dump = true;
			continue;
		}
		if (!strcmp(a, "--sdm630")) {
			mcfg.sdm630 = true;
			continue;
		}
		i++;
		if (!strcmp(a, "--port") && !fixture_parse(n, 0, 65535, &v))
			tcfg.port = (uint16_t)v;
		else if (!strcmp(a, "--unit") && !fixture_parse(n, 0, 255, &v))
			mcfg.unit_id = (uint8_t)v;
		else if (!strcmp(a, "--base") && !fixture_parse(n, 0, 65535, &v))
			mcfg.base = (uint16_t)v;
		else if (!strcmp(a, "--max-conn") && !fixture_parse(n, 0, 100000, &v))
			tcfg.max_conn = (unsigned)v;
		else if (!strcmp(a, "--idle-ms") && !fixture_parse(n, 1, 86400000, &v))
			tcfg.idle_usec = (uint64_t)v * 1000;
		else if (!strcmp(a, "--header-ms") && !fixture_parse(n, 1, 86400000, &v))
			tcfg.header_usec = (uint64_t)v * 1000;
		else if (!strcmp(a, "--address") && i < argc)
			tcfg.address = n; /* checked by the server */
		else if (!strcmp(a, "--models") &&
			 (!strcmp(n, "203") || !strcmp(n, "213") || !strcmp(n, "both"))) {
			mcfg.model_203 = strcmp(n, "213") != 0;
			mcfg.model_213 = strcmp(n, "203") != 0;
		} else {
			fprintf(stderr, "serve: bad argument %s %s\n", a, n);
			return EXIT_FAILURE;
		}
	}
	if (pm_mb_map_init(&map, &mcfg, &why) < 0) {
		fprintf(stderr, "serve: %s\n", why);
		return EXIT_FAILURE;
	}
	if (pm_snapshot_init(&snap) < 0)
		return EXIT_FAILURE;
	known_values();
	if (dump) {
		fixture_dump(&snap);
		pm_snapshot_free(&snap);
		return EXIT_SUCCESS;
	}
	r = pm_mbtcp_activated_fd("modbus");
	if (r >= 0)
		tcfg.listen_fd = r;
	else if (r != -ENOENT)
		fprintf(stderr, "serve: socket activation: %s\n", strerror(-r));

	signal(SIGPIPE, SIG_IGN);
	r = fixture_event(&e, NULL, false);
	/*
	 * The snapshot obeys the churn's invariant (balance = -seq mill) from the start: a read
	 * before the first tick must not look mixed. Accuracy 1 us: sd-event's default (0) lets
	 * the ticks slip by up to 250 ms.
	 */
	if (churn)
		snap.account.balance_mu = -(int64_t)snap.seq * 100;
	if (r >= 0 && churn)
		r = sd_event_add_time_relative(e, NULL, CLOCK_MONOTONIC, 1000, 1, on_churn, NULL);
	if (r >= 0)
		r = pm_mbtcp_new(e, &map, &snap, &tcfg, &srv);
	if (r < 0) {
		fprintf(stderr, "serve: %s\n", strerror(-r));
		sd_event_unref(e);
		pm_snapshot_free(&snap);
		return EXIT_FAILURE;
	}
	printf("port %d\n", pm_mbtcp_port(srv));
	fflush(stdout);
	r = sd_event_loop(e);
	pm_mbtcp_free(srv);
	sd_event_unref(e);
	pm_snapshot_free(&snap);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
