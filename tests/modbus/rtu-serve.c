// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test server for the Modbus RTU view: serves a fixed snapshot of known values through
 * daemon/modbus-rtu.c and the Modbus map on a tty, on one sd-event loop like polymeterd.
 *
 *   rtu-serve TTY [--baud N] [--parity N|E|O] [--stop 1|2] [--unit N] [--no-rs485]
 *   rtu-serve --dump
 *
 * Prints "ready rs485=0|1 t35=USEC" once serving. SIGUSR1 prints the counters as one line
 * "stats frames=N answered=N exceptions=N crc=N other=N broadcast=N discarded=N dropped=N";
 * SIGTERM/SIGINT print them too and end it. --dump prints the snapshot, "id value scaler
 * valid" per point, and exits.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "modbus-rtu.h"

static struct pm_snapshot snap;
static struct pm_mbrtu *srv;

static void put(const char *id, int64_t v, bool valid)
{
	int i = pm_point_find(id);

	if (i < 0) {
		fprintf(stderr, "rtu-serve: no point %s\n", id);
		exit(EXIT_FAILURE);
	}
	snap.value[i] = v;
	snap.valid[i] = valid;
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

static int parse(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 0);
	return errno || *end || *v < min || *v > max ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	struct pm_mb_config mcfg;
	struct pm_mbrtu_config rcfg;
	struct pm_mb_map map;
	bool dump = false;
	sd_event *e = NULL;
	const char *why;
	sigset_t ss;
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
		if (!strcmp(a, "--baud") && !parse(n, 1, 4000000, &v))
			rcfg.baud = (unsigned)v;
		else if (!strcmp(a, "--parity") && strlen(n) == 1 && strchr("NEO", n[0]))
			rcfg.parity = n[0];
		else if (!strcmp(a, "--stop") && !parse(n, 1, 2, &v))
			rcfg.stop_bits = (unsigned)v;
		else if (!strcmp(a, "--unit") && !parse(n, 0, 255, &v))
			mcfg.unit_id = (uint8_t)v;
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
		for (size_t i = 0; i < pm_point_count; i++)
			printf("%s %lld %d %d\n", pm_points[i].id, (long long)snap.value[i],
			       pm_points[i].scaler, snap.valid[i]);
		pm_snapshot_free(&snap);
		return EXIT_SUCCESS;
	}
	if (!rcfg.device) {
		fprintf(stderr, "rtu-serve: no tty given\n");
		pm_snapshot_free(&snap);
		return EXIT_FAILURE;
	}
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGUSR1);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	r = sd_event_default(&e);
	if (r >= 0)
		r = sd_event_add_signal(e, NULL, SIGTERM, on_signal, NULL);
	if (r >= 0)
		r = sd_event_add_signal(e, NULL, SIGINT, on_signal, NULL);
	if (r >= 0)
		r = sd_event_add_signal(e, NULL, SIGUSR1, on_signal, NULL);
	if (r >= 0)
		r = pm_mbrtu_new(e, &map, &snap, &rcfg, &srv);
	if (r < 0) {
		fprintf(stderr, "rtu-serve: %s\n", strerror(-r));
		sd_event_unref(e);
		pm_snapshot_free(&snap);
		return EXIT_FAILURE;
	}
	printf("ready rs485=%d t35=%llu\n", pm_mbrtu_rs485(srv),
	       (unsigned long long)pm_mbrtu_t35_usec(srv));
	fflush(stdout);
	r = sd_event_loop(e);
	pm_mbrtu_free(srv);
	sd_event_unref(e);
	pm_snapshot_free(&snap);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
