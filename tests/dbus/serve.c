// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test server for the D-Bus view: publishes meter "meter0" with a snapshot of known values
 * (tests/dbus/client.py has the same numbers) on the session bus. On SIGUSR1 it raises phase
 * L1's voltage by 0.1 V every 20 ms, 50 times (230.0 -> 235.0 V), so the client can see the
 * changes coalesced by the rate limit; SIGTERM ends it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "bus.h"

#define STEPS 50
#define STEP_US 20000
#define RATE_US 200000

static struct pm_met_instant inst;
static struct pm_met_registers regs;
static struct pm_snapshot snap;
static struct pm_bus *bus;
static int steps_left;

static void known_values(void)
{
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		inst.ph[ph].v_mv = 230000 + 1000 * ph;
		inst.ph[ph].i_ma = 10000 + 500 * ph;
		inst.ph[ph].p_mw = 2000000;
		inst.ph[ph].q_mvar = -400000;
		inst.ph[ph].s_mva = 2400000;
		inst.ph[ph].pf_micro = 833333;
		inst.ph[ph].f_mhz = 50010;
	}
	inst.ph[1].f_mhz = 0; /* phase L2 measures no frequency: NaN */
	inst.neutral_i_ma = 800;
	inst.p_mw = 6000000;
	inst.q_mvar = -1200000;
	inst.s_mva = 7200000;
	inst.pf_micro = 833333;
	inst.f_mhz = 50010;
	inst.has_line_to_neutral = true;
	inst.v_avg_mv = 231000;
	regs.total[PM_MET_A_IMPORT].mwh = 1234567;
	regs.phase[2][PM_MET_R_Q3].mwh = 999;
}

static int on_step(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)userdata;
	inst.ph[0].v_mv += 100;
	pm_snapshot_fill(&snap, &inst, &regs);
	pm_bus_meter_changed(bus, "meter0", true);
	if (--steps_left > 0) {
		sd_event_source_set_time(s, usec + STEP_US);
		return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	}
	return 0;
}

static int on_usr1(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	uint64_t now;

	(void)s;
	(void)si;
	steps_left = STEPS;
	sd_event_now(userdata, CLOCK_MONOTONIC, &now);
	/* floating source: the loop owns it */
	return sd_event_add_time(userdata, NULL, CLOCK_MONOTONIC, now + STEP_US, 0, on_step, NULL);
}

int main(void)
{
	sigset_t ss;
	sd_event *e;
	int r;

	known_values();
	sigemptyset(&ss);
	sigaddset(&ss, SIGUSR1);
	sigaddset(&ss, SIGTERM);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	if (sd_event_default(&e) < 0 || pm_snapshot_init(&snap) < 0)
		return 1;
	pm_snapshot_fill(&snap, &inst, &regs);
	r = pm_bus_new(e, true, RATE_US, &bus);
	if (r < 0) {
		fprintf(stderr, "serve: bus: %s\n", strerror(-r));
		return 1;
	}
	r = pm_bus_add_meter(bus, "meter0", &snap);
	if (r < 0 || pm_bus_add_meter(bus, "meter0", &snap) != -EEXIST ||
	    pm_bus_add_meter(bus, "bad/name", &snap) != -EINVAL) {
		fprintf(stderr, "serve: add_meter: %d\n", r);
		return 1;
	}
	pm_bus_meter_changed(bus, "meter0", true);
	sd_event_add_signal(e, NULL, SIGUSR1, on_usr1, e);
	sd_event_add_signal(e, NULL, SIGTERM, NULL, NULL);
	printf("ready\n");
	fflush(stdout);
	r = sd_event_loop(e);
	pm_bus_free(bus);
	pm_snapshot_free(&snap);
	sd_event_unref(e);
	return r < 0 ? 1 : 0;
}
