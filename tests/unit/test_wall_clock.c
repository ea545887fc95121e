// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the meter's clock from a wall clock that can be wrong (core/metrology/
 * wall-clock.h). Readings every 100 ms of boot time; the wall clock starts at
 * 2026-06-01T00:00:00Z = 1 780 272 000 s since the epoch (20 605 days x 86 400 s).
 */
#include <check.h>
#include <stdlib.h>

#include "core/metrology/wall-clock.h"

#define S_NS INT64_C(1000000000)
#define MS_NS INT64_C(1000000)
#define T0_NS (INT64_C(1780272000) * S_NS)
#define HOUR_NS (3600 * S_NS)
#define YEAR_NS (365 * 24 * HOUR_NS)

struct rig {
	struct pm_wall_clock c;
	int64_t boot_ns, wall_ns;
	bool trusted;
};

static void start(struct rig *g, bool trusted)
{
	pm_wall_clock_init(&g->c);
	g->boot_ns = 5 * S_NS; /* boot time is never 0 at the first scan */
	g->wall_ns = T0_NS;
	g->trusted = trusted;
}

/* Real time passes @dt (both clocks move by it), then one reading, as a sample. */
static struct pm_wall_step tick(struct rig *g, int64_t dt, bool sample)
{
	struct pm_wall_step s;
	struct pm_wall_reading r;

	g->boot_ns += dt;
	g->wall_ns += dt;
	r = (struct pm_wall_reading){
	    .wall_ns = g->wall_ns, .boot_ns = g->boot_ns, .trusted = g->trusted};
	pm_wall_clock_read(&g->c, &r, sample, &s);
	return s;
}

START_TEST(test_steady_clock_follows_wall)
{
	struct rig g;
	struct pm_wall_step s;

	start(&g, true);
	s = tick(&g, 0, true);
	ck_assert(s.trust_changed && s.trusted && !s.hold && !s.step && !s.jump && !s.frozen);
	ck_assert_int_eq(s.meter_ns, T0_NS);
	for (int i = 1; i <= 100; i++) {
		s = tick(&g, 100 * MS_NS, true);
		ck_assert(!s.step && !s.jump && !s.frozen && !s.trust_changed);
	}
	/* 100 readings 100 ms apart: 10 s later */
	ck_assert_int_eq(s.meter_ns, T0_NS + 10 * S_NS);
}
END_TEST

/* NTP slews at most 500 ppm: 0.5 ms more each second for 1000 s is 0.5 s, never a jump. */
START_TEST(test_slew_is_not_a_jump)
{
	struct rig g;
	struct pm_wall_step s;

	start(&g, true);
	tick(&g, 0, true);
	for (int i = 0; i < 1000; i++) {
		g.wall_ns += 500000; /* 0.5 ms */
		s = tick(&g, S_NS, true);
		ck_assert(!s.jump && !s.step);
	}
	/* 1000 s + 1000 x 0.5 ms = 1000.5 s */
	ck_assert_int_eq(s.meter_ns, T0_NS + 1000 * S_NS + 500 * MS_NS);
}
END_TEST

/* A set of 0.9 s is within the bound, 1.1 s beyond it. */
START_TEST(test_jump_bound)
{
	struct rig g;
	struct pm_wall_step s;

	start(&g, true);
	tick(&g, 0, true);
	g.wall_ns += 900 * MS_NS;
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(!s.jump && !s.step);
	g.wall_ns += 1100 * MS_NS;
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(s.jump && s.step);
	/* before: T0 + 0.9 + 0.1 = T0 + 1.0 s; expected T0 + 1.1 s, seen 1.1 s later */
	ck_assert_int_eq(s.jump_from_ns, T0_NS + 1100 * MS_NS);
	ck_assert_int_eq(s.jump_to_ns, T0_NS + 2200 * MS_NS);
}
END_TEST

static void forward(int64_t by)
{
	struct rig g;
	struct pm_wall_step s;

	start(&g, true);
	tick(&g, 0, true);
	tick(&g, 100 * MS_NS, true);
	g.wall_ns += by;
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(s.jump && s.step && !s.frozen && !s.hold);
	/* the wall clock read T0 + 0.1 s; 0.1 s later it would read T0 + 0.2 s */
	ck_assert_int_eq(s.jump_from_ns, T0_NS + 200 * MS_NS);
	ck_assert_int_eq(s.jump_to_ns, T0_NS + 200 * MS_NS + by);
	ck_assert_int_eq(s.meter_ns, T0_NS + 200 * MS_NS + by);
	/* the next sample is ordinary time again */
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(!s.jump && !s.step);
	ck_assert_int_eq(s.meter_ns, T0_NS + 300 * MS_NS + by);
}

START_TEST(test_forward_hour)
{
	forward(HOUR_NS);
}
END_TEST

START_TEST(test_forward_year)
{
	forward(YEAR_NS);
}
END_TEST

/*
 * Set back by @by at T0 + 0.2 s: the meter's clock stands at T0 + 0.1 s (its last reading)
 * until the wall clock passes it, @by - 0.1 s of real time later.
 */
static void backward(int64_t by, int64_t probe)
{
	struct rig g;
	struct pm_wall_step s;

	start(&g, true);
	tick(&g, 0, true);
	tick(&g, 100 * MS_NS, true);
	g.wall_ns -= by;
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(s.jump && s.frozen && !s.step);
	ck_assert_int_eq(s.jump_from_ns, T0_NS + 200 * MS_NS);
	ck_assert_int_eq(s.jump_to_ns, T0_NS + 200 * MS_NS - by);
	ck_assert_int_eq(s.meter_ns, T0_NS + 100 * MS_NS);
	/* @probe of real time later the wall reads T0 + 0.2 s - by + probe: still behind */
	s = tick(&g, probe, true);
	ck_assert(!s.jump && s.frozen && !s.step);
	ck_assert_int_eq(s.meter_ns, T0_NS + 100 * MS_NS);
	/* by - probe later in all: the wall reads T0 + 0.2 s, past the meter's clock again */
	s = tick(&g, by - probe, true);
	ck_assert(!s.jump && !s.frozen && !s.step);
	ck_assert_int_eq(s.meter_ns, T0_NS + 200 * MS_NS);
}

START_TEST(test_backward_hour)
{
	backward(HOUR_NS, 30 * 60 * S_NS);
}
END_TEST

START_TEST(test_backward_year)
{
	backward(YEAR_NS, 180 * 24 * HOUR_NS);
}
END_TEST

/* Untrusted from boot (a wrong clock), then NTP sets it a year on and synchronises. */
START_TEST(test_hold_until_trusted)
{
	struct rig g;
	struct pm_wall_step s;

	start(&g, false);
	g.wall_ns = T0_NS - YEAR_NS; /* booted a year behind */
	s = tick(&g, 0, true);
	ck_assert(s.hold && !s.trusted && s.trust_changed && !s.step);
	for (int i = 0; i < 50; i++) {
		s = tick(&g, 100 * MS_NS, true);
		ck_assert(s.hold && !s.trust_changed && !s.step);
	}
	/* the set: T0 - 1 y + 5.1 s becomes T0 + 5.1 s; still not synchronised */
	g.wall_ns += YEAR_NS;
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(s.jump && s.hold && !s.step);
	ck_assert_int_eq(s.jump_from_ns, T0_NS - YEAR_NS + 5100 * MS_NS);
	ck_assert_int_eq(s.meter_ns, T0_NS + 5100 * MS_NS);
	g.trusted = true;
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(s.trust_changed && s.trusted && !s.hold && s.step && !s.jump);
	ck_assert_int_eq(s.meter_ns, T0_NS + 5200 * MS_NS);
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(!s.step && !s.trust_changed);
	/* trust lost (e.g. the clock set by hand under clock_trust = ntp): held again */
	g.trusted = false;
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(s.trust_changed && s.hold && !s.step);
	g.trusted = true;
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(s.trust_changed && !s.hold && s.step);
}
END_TEST

/* An observation between samples (the system said its clock was set) reports the jump; the
 * next sample is the step, and does not report the jump again. */
START_TEST(test_observation_then_sample)
{
	struct rig g;
	struct pm_wall_step s;

	start(&g, true);
	tick(&g, 0, true);
	g.wall_ns += HOUR_NS;
	s = tick(&g, 50 * MS_NS, false);
	ck_assert(s.jump && !s.step);
	ck_assert_int_eq(s.jump_to_ns, T0_NS + 50 * MS_NS + HOUR_NS);
	s = tick(&g, 50 * MS_NS, true);
	ck_assert(!s.jump && s.step);
	ck_assert_int_eq(s.meter_ns, T0_NS + 100 * MS_NS + HOUR_NS);
	/* observations never make steps or change the meter's state of samples */
	s = tick(&g, 50 * MS_NS, false);
	ck_assert(!s.jump && !s.step);
	s = tick(&g, 50 * MS_NS, true);
	ck_assert(!s.step);
}
END_TEST

/* Back an hour, then forward the same hour 10 min later (a wrong set undone): the meter's clock
 * stood at T0 + 0.1 s for those 10 min and steps to T0 + 10 min + 0.3 s. */
START_TEST(test_back_then_forward)
{
	struct rig g;
	struct pm_wall_step s;

	start(&g, true);
	tick(&g, 0, true);
	tick(&g, 100 * MS_NS, true);
	g.wall_ns -= HOUR_NS;
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(s.frozen);
	s = tick(&g, 10 * 60 * S_NS, true);
	ck_assert(s.frozen && !s.step);
	g.wall_ns += HOUR_NS;
	s = tick(&g, 100 * MS_NS, true);
	ck_assert(s.jump && !s.frozen && s.step);
	ck_assert_int_eq(s.meter_ns, T0_NS + 10 * 60 * S_NS + 300 * MS_NS);
}
END_TEST

static Suite *wall_clock_suite(void)
{
	Suite *s = suite_create("wall_clock");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_steady_clock_follows_wall);
	tcase_add_test(tc, test_slew_is_not_a_jump);
	tcase_add_test(tc, test_jump_bound);
	tcase_add_test(tc, test_forward_hour);
	tcase_add_test(tc, test_forward_year);
	tcase_add_test(tc, test_backward_hour);
	tcase_add_test(tc, test_backward_year);
	tcase_add_test(tc, test_hold_until_trusted);
	tcase_add_test(tc, test_observation_then_sample);
	tcase_add_test(tc, test_back_then_forward);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wall_clock_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
