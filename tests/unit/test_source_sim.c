// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated source (daemon/acquire/source-sim.c) across a restart of the daemon (issue 19):
 * the simulated chip is probed anew at every start, so its counters start from zero in a
 * generation of their own, as the driver's do at probe (counter_epoch, docs/abi.md). Metrology
 * then restores the stored registers and credits the new counters from zero, with no
 * counter_backwards event: with the fixed generation 1 every restart looked like counters
 * going backwards.
 *
 * The grid: L1 at 240 V and 15 A in phase, 240 x 15 = 3600 W = 1 Wh a second, L2 and L3 idle;
 * one scan a second on the simulated clock from sim_start to sim_end = sim_start + 10 s: 11
 * scans, the first (the baseline) 1 s after sim_start with 1 Wh on its counter, the last at
 * 11 s with 11 Wh.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "acquire/source-sim.h"
#include "core/metrology/metrology.h"
#include "meter/scan-sample.h"

#define S INT64_C(1000000000)
#define START (INT64_C(1767607200) * S) /* 2026-01-05 10:00:00 UTC */

/* One run of the daemon: a source and the metrology it feeds. */
struct run {
	struct pm_met met;
	const struct pm_met_persist *restore; /* the checkpoint of the previous run, or NULL */
	unsigned scans;
	uint64_t generation;
	bool all_one_generation, all_from_zero;
	unsigned backwards, restarts, unrecoverable;
};

static void count(struct run *r, const struct pm_met_events *ev)
{
	for (size_t i = 0; i < ev->count; i++) {
		r->backwards += ev->ev[i].type == PM_MET_EV_COUNTER_BACKWARDS;
		r->restarts += ev->ev[i].type == PM_MET_EV_COUNTER_RESTART;
		r->unrecoverable += ev->ev[i].type == PM_MET_EV_RESTART_UNRECOVERABLE;
	}
}

static void on_scan(void *userdata, const struct pm_scan *scan)
{
	struct run *r = userdata;
	struct pm_met_sample s;
	struct pm_met_events ev = {.count = 0};

	if (r->scans++ == 0) {
		r->generation = scan->generation;
		r->all_one_generation = r->all_from_zero = true;
	}
	r->all_one_generation &= scan->generation == r->generation;
	r->all_from_zero &= scan->counters_from_zero;
	pm_scan_to_sample(scan, &s);
	if (r->scans == 1 && r->restore)
		ck_assert_int_eq(pm_met_restore(&r->met, r->restore, &s, &ev), 0);
	else
		ck_assert_int_eq(pm_met_update(&r->met, &s, &ev), 0);
	count(r, &ev);
}

/* The grid above, on the simulated clock from sim_start to sim_end = sim_start + 10 s. */
static void grid_conf(struct pm_conf_meter *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->source = PM_SOURCE_SIM;
	conf->sim.v_mv[0] = 240000;
	conf->sim.i_ma[0] = 15000;
	conf->sim.f_mhz = 50000;
	conf->sim.rate_hz = 1;
	conf->sim.speed = 1;
	conf->sim.nj_per_code = 1000000; /* 1 mJ a code */
	conf->sim_start_ns = START;
	conf->sim_end_ns = START + 10 * S;
}

/* Runs @conf's source to its end: its scans to @scan_fn, its chip events to @event_fn. */
static void run_source(const struct pm_conf_meter *conf, pm_scan_fn scan_fn,
		       pm_chip_event_fn event_fn, void *userdata)
{
	struct pm_source *src;
	sd_event *event;

	ck_assert_int_ge(sd_event_new(&event), 0);
	ck_assert_int_eq(pm_source_sim_new(event, conf, scan_fn, userdata, &src), 0);
	src->on_chip_event = event_fn; /* as pm_source_set_chip_event_cb (source.c) sets it */
	src->chip_event_userdata = userdata;
	for (int i = 0; i < 100 && !src->ops->finished(src); i++)
		ck_assert_int_ge(sd_event_run(event, 1000000), 0);
	ck_assert(src->ops->finished(src));
	src->ops->free(src);
	sd_event_unref(event);
}

static void run_daemon(struct run *r, const struct pm_met_persist *restore)
{
	struct pm_conf_meter conf;
	struct pm_met_config cfg;

	grid_conf(&conf);
	memset(r, 0, sizeof(*r));
	r->restore = restore;
	pm_met_config_default(&cfg);
	pm_met_init(&r->met, &cfg);
	run_source(&conf, on_scan, NULL, r);
}

START_TEST(test_restart_is_a_new_generation_not_counters_backwards)
{
	struct run one, two;
	struct pm_met_persist saved;
	struct pm_met_persist end;

	run_daemon(&one, NULL);
	ck_assert_uint_eq(one.scans, 11);
	ck_assert(one.all_one_generation && one.all_from_zero);
	pm_met_get_persist(&one.met, &saved);
	/* 1 Wh to 11 Wh: 10 Wh counted after the baseline */
	ck_assert_uint_eq(saved.regs.phase[0][PM_MET_A_IMPORT].mwh, 10000);
	ck_assert_uint_eq(saved.regs.total[PM_MET_A_IMPORT].mwh, 10000);

	run_daemon(&two, &saved); /* the daemon starts again on the stored checkpoint */
	ck_assert_uint_eq(two.scans, 11);
	ck_assert(two.all_one_generation && two.all_from_zero);
	ck_assert(two.generation != one.generation);
	ck_assert_uint_eq(two.backwards, 0);
	ck_assert_uint_eq(two.restarts, 1);	 /* the new generation, once */
	ck_assert_uint_eq(two.unrecoverable, 1); /* as the driver reloaded at a restart */
	pm_met_get_persist(&two.met, &end);
	/* 10 Wh of the first run, then the new counters from zero: 1 Wh at the first scan and 10
	 * Wh after it: 21 Wh, never lower */
	ck_assert_uint_eq(end.regs.phase[0][PM_MET_A_IMPORT].mwh, 21000);
	ck_assert_uint_eq(end.regs.total[PM_MET_A_IMPORT].mwh, 21000);
	ck_assert_uint_eq(end.generation, two.generation);
}
END_TEST

/* What the simulated chip raised and the voltages it measured, for the dip test. */
struct dip_run {
	unsigned scans, falling, rising, events_before_scan[12];
	int64_t v_mv[12];
	uint64_t last_counter;
	bool events_before_their_scan;
	int64_t last_ts;
};

static void dip_scan(void *userdata, const struct pm_scan *scan)
{
	struct dip_run *r = userdata;

	ck_assert_uint_lt(r->scans, 12);
	r->v_mv[r->scans] = scan->ph[0].v_mv;
	r->last_counter = scan->ph[0].counter[PM_ACTIVE];
	r->last_ts = scan->ts_ns;
	r->scans++;
}

static void dip_event(void *userdata, const struct pm_chip_event *ev)
{
	struct dip_run *r = userdata;

	ck_assert_int_eq(ev->kind, PM_CHIP_DIP);
	ck_assert_int_lt(ev->phase, 3);
	/* dated after the scan before it: the meter logs it with the next scan's values */
	r->events_before_their_scan &= ev->ts_ns > r->last_ts;
	r->falling += !ev->rising;
	r->rising += ev->rising;
	r->events_before_scan[r->scans]++;
}

/*
 * sim_dip_every_s = 4, sim_dip_s = 1, sim_dip_percent = 50 on the grid above: the scans at 4 s
 * and 8 s after sim_start are in a dip (4 s and 8 s from the start, each lasting one scan
 * period), so L1 reads 240 x 50 % = 120 V there and 240 V elsewhere; each dip raises the dip
 * event on the three phases when it starts (falling) and when it ends (rising). The energy: 9
 * scans at 3600 W (1 Wh each) and 2 at 120 V x 15 A = 1800 W (0.5 Wh): 10 Wh on the counter.
 */
START_TEST(test_dip)
{
	struct pm_conf_meter conf;
	struct dip_run r = {.events_before_their_scan = true};

	grid_conf(&conf);
	conf.sim.dip_every_s = 4;
	conf.sim.dip_s = 1;
	conf.sim.dip_percent = 50;
	run_source(&conf, dip_scan, dip_event, &r);

	ck_assert_uint_eq(r.scans, 11); /* at 1 s .. 11 s: index k is the scan at k + 1 s */
	for (unsigned k = 0; k < 11; k++)
		ck_assert_int_eq(r.v_mv[k], k == 3 || k == 7 ? 120000 : 240000);
	ck_assert_uint_eq(r.falling, 6);
	ck_assert_uint_eq(r.rising, 6);
	/* three phases each time, just before the scans at 4, 5, 8 and 9 s */
	for (unsigned k = 0; k < 11; k++)
		ck_assert_uint_eq(r.events_before_scan[k],
				  k == 3 || k == 4 || k == 7 || k == 8 ? 3 : 0);
	ck_assert(r.events_before_their_scan);
	ck_assert_uint_eq(r.last_counter, 10 * 3600 * 1000); /* 10 Wh = 36 000 J, 1 mJ a code */
}
END_TEST

static Suite *source_sim_suite(void)
{
	Suite *s = suite_create("source_sim");
	TCase *tc = tcase_create("restart");

	tcase_add_test(tc, test_restart_is_a_new_generation_not_counters_backwards);
	tcase_add_test(tc, test_dip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(source_sim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
