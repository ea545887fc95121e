// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test server for the Modbus RTU view: serves a fixed snapshot of known values through
 * daemon/views/modbus/modbus-rtu.c and the Modbus map on a tty, on one sd-event loop like
 * polymeterd.
 *
 *   rtu-serve TTY [--baud N] [--parity N|E|O] [--stop 1|2] [--unit N] [--no-rs485]
 *             [--add-unit N]... [--add-unit-line BAUD]
 *   rtu-serve --dump
 *
 * Several meters on one bus: each --add-unit N (up to 3) adds slave N with a map of its own
 * (serial "RTU-U<N>") over a snapshot of its own, the first meter's values except the total
 * active power, 4500 W + N x 1000 W. --add-unit-line BAUD asks for the extra units at another
 * baud (to see the refusal). Prints "ready rs485=0|1 t35=USEC units=N" once serving. SIGUSR1 prints
 * the counters as one line "stats frames=N answered=N exceptions=N crc=N other=N broadcast=N
 * discarded=N dropped=N"; SIGTERM/SIGINT print them too and end it. --dump prints the snapshot, "id
 * value scaler valid" per point, and exits.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "fixture.h"
#include "views/modbus/modbus-rtu.h"

#define EXTRA_MAX 3

static struct pm_snapshot snap;
static struct pm_mbrtu *srv;

/* the other meters on the bus (--add-unit) */
static struct {
	struct pm_mb_map map;
	struct pm_snapshot snap;
	char serial[16];
} extra[EXTRA_MAX];
static size_t n_extra;

static void put(const char *id, int64_t v, bool valid)
{
	fixture_set(&snap, "rtu-serve", id, v, valid);
}

/* Distinct values for every point, and round ones for those the tests decode. */
static void fill(void)
{
	for (size_t i = 0; i < pm_point_count; i++) {
		snap.valid[i] = true;
		snap.value[i] = 2000 + 41 * (int64_t)i;
	}
	put("l1.voltage", 231250, true); /* mV */
	put("l2.voltage", 229750, true);
	put("l3.voltage", 0, false); /* not implemented: NaN in model 213 */
	put("total.voltage_avg", 230500, true);
	put("l1.current", 12500, true); /* mA */
	put("total.current", 30000, true);
	put("total.active_power", 4500000, true); /* mW */
	put("total.frequency", 49980, true);	  /* mHz */
	snap.seq = 7;
	snap.ts_ns = 7 * 1000000LL;
}

/* An extra meter's snapshot: the first one's, with its own total active power. */
static int fill_extra(struct pm_snapshot *dst, unsigned unit)
{
	int w = pm_point_find("total.active_power");

	if (pm_snapshot_init(dst) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < pm_point_count; i++) {
		dst->value[i] = snap.value[i];
		dst->valid[i] = snap.valid[i];
	}
	dst->value[w] = 4500000 + 1000000LL * unit; /* mW */
	dst->seq = snap.seq;
	dst->ts_ns = snap.ts_ns;
	return 0;
}

static void print_stats(void)
{
	struct pm_mbrtu_stats st;

	pm_mbrtu_get_stats(srv, &st);
	printf("stats frames=%llu answered=%llu exceptions=%llu crc=%llu other=%llu "
	       "broadcast=%llu discarded=%llu dropped=%llu\n",
	       (unsigned long long)st.frames, (unsigned long long)st.answered,
	       (unsigned long long)st.exceptions, (unsigned long long)st.crc_errors,
	       (unsigned long long)st.other_address, (unsigned long long)st.broadcast,
	       (unsigned long long)st.discarded, (unsigned long long)st.dropped);
	fflush(stdout);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)userdata;
	print_stats();
	if (si->ssi_signo == SIGUSR1)
		return 0;
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

int main(int argc, char **argv)
{
	struct pm_mb_config mcfg;
	struct pm_mbrtu_config rcfg;
	struct pm_mb_map map;
	bool dump = false;
	unsigned extra_unit[EXTRA_MAX];
	long extra_baud = 0;
	sd_event *e = NULL;
	const char *why;
	long v;
	int r;

	pm_mb_config_default(&mcfg);
	pm_mbrtu_config_default(&rcfg);
	mcfg.model = "polymeterd-rtu-test";
	mcfg.serial = "RTU-0001";
	mcfg.version = "0.1";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *n = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "--dump")) {
			dump = true;
			continue;
		}
		if (!strcmp(a, "--no-rs485")) {
			rcfg.rs485 = false;
			continue;
		}
		if (a[0] != '-' && !rcfg.device) {
			rcfg.device = a;
			continue;
		}
		i++;
		if (!strcmp(a, "--baud") && !fixture_parse(n, 1, 4000000, &v))
			rcfg.baud = (unsigned)v;
		else if (!strcmp(a, "--parity") && strlen(n) == 1 && strchr("NEO", n[0]))
			rcfg.parity = n[0];
		else if (!strcmp(a, "--stop") && !fixture_parse(n, 1, 2, &v))
			rcfg.stop_bits = (unsigned)v;
		else if (!strcmp(a, "--unit") && !fixture_parse(n, 0, 255, &v))
			mcfg.unit_id = (uint8_t)v;
		else if (!strcmp(a, "--add-unit") && n_extra < EXTRA_MAX &&
			 !fixture_parse(n, 0, 255, &v))
			extra_unit[n_extra++] = (unsigned)v;
		else if (!strcmp(a, "--add-unit-line") && !fixture_parse(n, 1, 4000000, &v))
			extra_baud = v;
		else {
			fprintf(stderr, "rtu-serve: bad argument %s %s\n", a, n);
			return EXIT_FAILURE;
		}
	}
	if (pm_mb_map_init(&map, &mcfg, &why) < 0) {
		fprintf(stderr, "rtu-serve: %s\n", why);
		return EXIT_FAILURE;
	}
	if (pm_snapshot_init(&snap) < 0)
		return EXIT_FAILURE;
	fill();
	if (dump) {
		fixture_dump(&snap);
		pm_snapshot_free(&snap);
		return EXIT_SUCCESS;
	}
	if (!rcfg.device) {
		fprintf(stderr, "rtu-serve: no tty given\n");
		pm_snapshot_free(&snap);
		return EXIT_FAILURE;
	}
	r = fixture_event(&e, on_signal, true);
	if (r >= 0)
		r = pm_mbrtu_new(e, &map, &snap, &rcfg, &srv);
	for (size_t i = 0; r >= 0 && i < n_extra; i++) {
		pm_mb_config_default(&mcfg);
		mcfg.model = "polymeterd-rtu-test";
		mcfg.version = "0.1";
		snprintf(extra[i].serial, sizeof(extra[i].serial), "RTU-U%u", extra_unit[i]);
		mcfg.serial = extra[i].serial;
		mcfg.unit_id = (uint8_t)extra_unit[i];
		if (pm_mb_map_init(&extra[i].map, &mcfg, &why) < 0) {
			fprintf(stderr, "rtu-serve: unit %u: %s\n", extra_unit[i], why);
			r = -EINVAL;
			break;
		}
		r = fill_extra(&extra[i].snap, extra_unit[i]);
		if (r < 0)
			break;
		if (extra_baud)
			rcfg.baud = (unsigned)extra_baud;
		r = pm_mbrtu_add_unit(srv, &extra[i].map, &extra[i].snap, &rcfg);
		if (r < 0)
			fprintf(stderr, "rtu-serve: unit %u: ", extra_unit[i]);
	}
	if (r < 0) {
		fprintf(stderr, "rtu-serve: %s\n", strerror(-r));
		pm_mbrtu_free(srv);
		for (size_t i = 0; i < n_extra; i++)
			pm_snapshot_free(&extra[i].snap);
		sd_event_unref(e);
		pm_snapshot_free(&snap);
		return EXIT_FAILURE;
	}
	printf("ready rs485=%d t35=%llu units=%zu\n", pm_mbrtu_rs485(srv),
	       (unsigned long long)pm_mbrtu_t35_usec(srv), pm_mbrtu_units(srv));
	fflush(stdout);
	r = sd_event_loop(e);
	/* as the daemon does: each meter takes its unit off; the last one closes the line */
	for (size_t i = 0; i < n_extra; i++)
		srv = pm_mbrtu_release(srv, &extra[i].map);
	srv = pm_mbrtu_release(srv, &map);
	for (size_t i = 0; i < n_extra; i++)
		pm_snapshot_free(&extra[i].snap);
	sd_event_unref(e);
	pm_snapshot_free(&snap);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
