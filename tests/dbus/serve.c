// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test server for the D-Bus view: publishes meter "meter0" with a snapshot of known values
 * (tests/dbus/client.py has the same numbers) on the session bus, an event log of three
 * events and a load profile made by the core's pm_profile from fixed samples (below), and
 * meter "nostore", the same snapshot without a store. On SIGUSR1 it raises phase
 * L1's voltage by 0.1 V every 20 ms, 50 times (230.0 -> 235.0 V), so the client can see the
 * changes coalesced by the rate limit; SIGTERM ends it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "views/dbus/bus.h"
#include "core/metrology/profile.h"

#define STEPS 50
#define STEP_US 20000
#define RATE_US 200000

static struct pm_met_instant inst;
static struct pm_met_registers regs;
static struct pm_snapshot snap;
static struct pm_bus *bus;
static int steps_left;

/* 2026-01-01T00:00:00Z */
#define T0_NS (INT64_C(1767225600) * 1000000000)
#define MIN_NS (INT64_C(60) * 1000000000)

static const struct pm_store_event events[] = {
    {T0_NS + 1000000000, "daemon_start", ""},
    {T0_NS + 2000000000, "counter_restart", "phase=0 a=1 b=2"},
    {T0_NS + 3000000000, "device_lost", "no scan for 5 s"},
};
#define N_EVENTS (sizeof(events) / sizeof(events[0]))

static struct pm_store_profile intervals[8];
static size_t n_intervals;

/*
 * One sample a minute from T0 to T0 + 46 min into a 15-minute profile: at minute k, +A =
 * 250 k mWh, -A = 0, +R = 10 k mvarh, -R = 0; V L1 = 230 V + 0.1 k V, L2 = 231 V, L3 = 232 V;
 * I = 10 A, 10.5 A, 11 A; PF 0.8; f 50 Hz (L2 0). Closed: the interval ending at T0 (the
 * sample at T0 alone, PARTIAL), then T0 + 15, 30, 45 min (15 samples each).
 */
static void fixed_profile(void)
{
	struct pm_profile p;
	struct pm_profile_config cfg = {
	    .period_ns = 15 * MIN_NS, .align_ns = 0, .max_gap_ns = 2 * MIN_NS, .nregs = 4};
	struct pm_profile_entry e;

	pm_profile_init(&p, &cfg);
	for (int k = 0; k <= 46; k++) {
		struct pm_profile_input in = {0};

		in.reg[0] = 250 * (uint64_t)k;
		in.reg[2] = 10 * (uint64_t)k;
		for (int ph = 0; ph < PM_MET_PHASES; ph++) {
			in.ph[ph].v_mv = 230000 + 1000 * ph + (ph == 0 ? 100 * k : 0);
			in.ph[ph].i_ma = 10000 + 500 * ph;
			in.ph[ph].pf_micro = 800000;
			in.ph[ph].f_mhz = ph == 1 ? 0 : 50000;
		}
		if (pm_profile_update(&p, T0_NS + k * MIN_NS, &in, &e) && n_intervals < 8) {
			struct pm_store_profile *r = &intervals[n_intervals++];

			r->end_ns = e.end_ns;
			r->period_ns = cfg.period_ns;
			r->status = e.status;
			r->samples = e.samples;
			memcpy(r->reg, e.reg, sizeof(r->reg));
			memcpy(r->delta, e.delta, sizeof(r->delta));
			memcpy(r->avg, e.avg, sizeof(r->avg));
		}
	}
}

static int ops_events(void *userdata, struct pm_store_event *ev, size_t max)
{
	size_t n = 0;

	(void)userdata;
	for (; n < max && n < N_EVENTS; n++)
		ev[n] = events[N_EVENTS - 1 - n];
	return (int)n;
}

static int ops_profile(void *userdata, int64_t from_ns, int64_t to_ns,
		       struct pm_store_profile **out, size_t *n)
{
	(void)userdata;
	*out = calloc(n_intervals ? n_intervals : 1, sizeof(**out));
	*n = 0;
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < n_intervals; i++)
		if (intervals[i].end_ns >= from_ns && intervals[i].end_ns <= to_ns)
			(*out)[(*n)++] = intervals[i];
	return 0;
}

static const struct pm_bus_meter_ops ops = {.events = ops_events, .profile = ops_profile};

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
	fixed_profile();
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
	r = pm_bus_add_meter(bus, "meter0", &snap, &ops, NULL);
	if (r >= 0)
		r = pm_bus_add_meter(bus, "nostore", &snap, NULL, NULL);
	if (r < 0 || pm_bus_add_meter(bus, "meter0", &snap, &ops, NULL) != -EEXIST ||
	    pm_bus_add_meter(bus, "bad/name", &snap, NULL, NULL) != -EINVAL) {
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
