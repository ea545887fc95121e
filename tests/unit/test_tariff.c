// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the tariff engine (daemon/core/billing/tariff*.c).
 * Longer than 800 lines because a test file covers one unit (tests/unit has one file a unit)
 * and each of this unit's rules has its own short test.
 *
 * Money in mu (1/1000 of the smallest unit: 1 p = 1000 mu), energy in mWh (1 kWh = 1 000 000).
 * Every expected value is worked out by hand in the comment above its assertion.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/billing/tariff-internal.h"
#include "core/billing/tariff.h"

#define KWH INT64_C(1000000)
#define PENCE INT64_C(1000)

/* The test's own calendar, independent of the engine's. */
static bool leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int64_t days_since_1970(int year, int month, int day)
{
	static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t days = 0;

	for (int y = 1970; y < year; y++)
		days += leap(y) ? 366 : 365;
	for (int m = 1; m < month; m++)
		days += month_days[m - 1] + (m == 2 && leap(year));
	return days + day - 1;
}

/* Local time in a zone at UTC+0 (the engine does not care about the offset). */
static struct tariff_time at(int year, int month, int day, int hour, int minute)
{
	int64_t days = days_since_1970(year, month, day);
	struct tariff_time t = {
	    .utc_s = days * 86400 + hour * 3600 + minute * 60,
	    .year = year,
	    .month = month,
	    .day = day,
	    .weekday = (int)((days + 3) % 7) + 1, /* 1970-01-01 was a Thursday */
	    .seconds = hour * 3600 + minute * 60,
	};
	return t;
}

static int32_t hm(int hour, int minute)
{
	return hour * 3600 + minute * 60;
}

/* One rate, one block, one flat day, monthly periods from 2024-01-01, nothing else. */
static void flat_tariff(struct tariff *t, int64_t price)
{
	memset(t, 0, sizeof(*t));
	t->n_rates = 1;
	t->n_export_rates = 1;
	t->n_day_profiles = 1;
	t->day_profiles[0].n_switches = 1;
	t->n_seasons = 1;
	t->seasons[0].start_month = 1;
	t->seasons[0].start_day = 1;
	t->price_mu_per_kwh[0][0] = price;
	t->blocks.n_blocks = 1;
	t->period.unit = TARIFF_PERIOD_MONTHS;
	t->period.length = 1;
	t->period.start = (struct tariff_date){2024, 1, 1};
}

/* Night 00:00-07:00 on rate 0 at 10.00 p with the aux relay on, day 07:00-24:00 rate 1, 30.00 p. */
static void day_night_tariff(struct tariff *t)
{
	flat_tariff(t, 10 * PENCE);
	t->n_rates = 2;
	t->day_profiles[0].n_switches = 2;
	t->day_profiles[0].switches[0] = (struct tariff_switch){0, 0, 0, true};
	t->day_profiles[0].switches[1] = (struct tariff_switch){hm(7, 0), 1, 0, false};
	t->price_mu_per_kwh[1][0] = 30 * PENCE;
}

static void start(struct tariff_engine *e, const struct tariff *t, struct tariff_time now)
{
	struct tariff_error err = {{0}};

	tariff_engine_init(e);
	ck_assert_msg(tariff_engine_set_tariff(e, t, &now, &err) == 0, "%s", err.message);
}

static struct tariff_charge account(struct tariff_engine *e, struct tariff_time now, int64_t import,
				    int64_t exported)
{
	struct tariff_charge charge;
	struct tariff_error err = {{0}};

	ck_assert_msg(tariff_engine_account(e, &now, import, exported, &charge, &err) == 0, "%s",
		      err.message);
	return charge;
}

static struct tariff_engine *new_engine(void)
{
	struct tariff_engine *e = calloc(1, sizeof(*e));

	ck_assert_ptr_nonnull(e);
	return e;
}

/* ---------------------------------------------------------------- time of use */

/* The engine's a x b / c, floored, either side of a 64-bit product (2^32 x (2^32 - 1) =
 * 2^64 - 2^32 fits one word; 2^32 x 2^32 needs two): (2^64 - 2^32) / 7 = 2635249152773512045
 * rest 5, so -(2^32) x (2^32 - 1) / 7 floors to -2635249152773512046; / 3 is exact,
 * 6148914689804861440; 2^32 x 2^32 / 4 = 2^62; -7 x 3 / 2 = -10.5 floors to -11. */
START_TEST(test_mul_div_floors_either_side_of_64_bits)
{
	int64_t two32 = INT64_C(1) << 32;

	ck_assert_int_eq(tariff_mul_div(two32, two32 - 1, 7), INT64_C(2635249152773512045));
	ck_assert_int_eq(tariff_mul_div(-two32, two32 - 1, 7), INT64_C(-2635249152773512046));
	ck_assert_int_eq(tariff_mul_div(-two32, two32 - 1, 3), INT64_C(-6148914689804861440));
	ck_assert_int_eq(tariff_mul_div(two32, two32, 4), INT64_C(1) << 62);
	ck_assert_int_eq(tariff_mul_div(-two32, two32, 4), -(INT64_C(1) << 62));
	ck_assert_int_eq(tariff_mul_div(-7, 3, 2), -11);
	ck_assert_int_eq(tariff_mul_div(7, 3, 2), 10);
	/* beyond int64: saturated */
	ck_assert_int_eq(tariff_mul_div(two32, two32, 1), INT64_MAX);
	ck_assert_int_eq(tariff_mul_div(-two32, two32, 1), INT64_MIN);
}
END_TEST

START_TEST(test_flat_price)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	flat_tariff(&t, 15 * PENCE);
	start(e, &t, at(2024, 1, 10, 0, 0));
	/* 3 kWh at 15.00 p = 45.00 p = 45 000 mu */
	struct tariff_charge c = account(e, at(2024, 1, 10, 1, 0), 3 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 45000);
	ck_assert_int_eq(c.total_mu, 45000);
	ck_assert_int_eq(e->import_mwh[0], 3 * KWH);
	free(e);
}
END_TEST

/*
 * The worked example: winter (from 1 Oct) and summer (from 1 Apr) seasons, weekday and weekend
 * day profiles. Winter weekday: 00:00 r0, 07:00 r1, 16:00 r2 (peak), 19:00 r1, 23:00 r0.
 * Weekend (both seasons): 00:00 r0, 09:00 r1, 23:00 r0. Summer weekday: 00:00 r0, 07:00 r1,
 * 23:00 r0.
 */
static void seasonal_tariff(struct tariff *t)
{
	flat_tariff(t, 10 * PENCE);
	t->n_rates = 3;
	t->n_day_profiles = 3;
	struct tariff_day_profile *winter = &t->day_profiles[0];
	winter->n_switches = 5;
	winter->switches[0] = (struct tariff_switch){0, 0, 0, false};
	winter->switches[1] = (struct tariff_switch){hm(7, 0), 1, 0, false};
	winter->switches[2] = (struct tariff_switch){hm(16, 0), 2, 0, false};
	winter->switches[3] = (struct tariff_switch){hm(19, 0), 1, 0, false};
	winter->switches[4] = (struct tariff_switch){hm(23, 0), 0, 0, false};
	struct tariff_day_profile *weekend = &t->day_profiles[1];
	weekend->n_switches = 3;
	weekend->switches[0] = (struct tariff_switch){0, 0, 0, false};
	weekend->switches[1] = (struct tariff_switch){hm(9, 0), 1, 0, false};
	weekend->switches[2] = (struct tariff_switch){hm(23, 0), 0, 0, false};
	struct tariff_day_profile *summer = &t->day_profiles[2];
	summer->n_switches = 3;
	summer->switches[0] = (struct tariff_switch){0, 0, 0, false};
	summer->switches[1] = (struct tariff_switch){hm(7, 0), 1, 0, false};
	summer->switches[2] = (struct tariff_switch){hm(23, 0), 0, 0, false};
	t->n_seasons = 2;
	/* summer listed first: January must still find winter, last year's latest season */
	t->seasons[0] = (struct tariff_season){
	    .start_month = 4, .start_day = 1, .day_profile = {2, 2, 2, 2, 2, 1, 1}};
	t->seasons[1] = (struct tariff_season){
	    .start_month = 10, .start_day = 1, .day_profile = {0, 0, 0, 0, 0, 1, 1}};
	for (unsigned r = 0; r < 3; r++)
		t->price_mu_per_kwh[r][0] = (int64_t)(r + 1) * 10 * PENCE;
}

static uint8_t rate_at(const struct tariff *t, struct tariff_time time)
{
	struct tariff_slot slot;
	struct tariff_error err = {{0}};

	ck_assert_msg(tariff_lookup(t, &time, &slot, &err) == 0, "%s", err.message);
	return slot.rate;
}

START_TEST(test_tou_seasons_weekday_weekend)
{
	struct tariff t;

	seasonal_tariff(&t);
	/* Wed 17 Jan 2024 17:00: winter (Oct..Mar wraps the new year), weekday, peak */
	ck_assert_int_eq(rate_at(&t, at(2024, 1, 17, 17, 0)), 2);
	/* Sat 20 Jan 17:00: weekend profile, day rate */
	ck_assert_int_eq(rate_at(&t, at(2024, 1, 20, 17, 0)), 1);
	/* Sun 31 Mar 08:00: still winter, weekend, before 09:00: night */
	ck_assert_int_eq(rate_at(&t, at(2024, 3, 31, 8, 0)), 0);
	/* Mon 1 Apr 17:00: summer starts, no peak */
	ck_assert_int_eq(rate_at(&t, at(2024, 4, 1, 17, 0)), 1);
	/* Wed 17 Jul 06:59: summer weekday, night */
	ck_assert_int_eq(rate_at(&t, at(2024, 7, 17, 6, 59)), 0);
	/* Tue 1 Oct 17:00: winter again, peak */
	ck_assert_int_eq(rate_at(&t, at(2024, 10, 1, 17, 0)), 2);
	/* Tue 1 Oct 23:00 exactly: the 23:00 switch applies from its first second */
	ck_assert_int_eq(rate_at(&t, at(2024, 10, 1, 23, 0)), 0);
}
END_TEST

/*
 * Seasons that start on a rule, so a tariff written once is right every year: summer from the
 * last Sunday of March, winter from the last Sunday of October (as British Summer Time). The
 * days, from the calendar: last Sundays of March 2024, 2025, 2026 = 31, 30, 29; of October
 * 2025 = 26. 1 Oct 2025 is a Wednesday, so its first Monday is the 6th; 29 Feb 2024 is a
 * Thursday, so February 2024's last Sunday is the 25th.
 */
START_TEST(test_season_starts_on_a_rule)
{
	struct tariff t;
	struct tariff_season first_monday = {
	    .start_month = 10, .start_weekday = 1, .start_week = 1};
	struct tariff_season last_sunday_feb = {
	    .start_month = 2, .start_weekday = 7, .start_week = -1};

	seasonal_tariff(&t);
	t.seasons[0].start_month = 3;
	t.seasons[0].start_day = 0;
	t.seasons[0].start_weekday = 7;
	t.seasons[0].start_week = -1;
	t.seasons[1].start_month = 10;
	t.seasons[1].start_day = 0;
	t.seasons[1].start_weekday = 7;
	t.seasons[1].start_week = -1;
	ck_assert_int_eq(tariff_season_start_day(&t.seasons[0], 2024), 31);
	ck_assert_int_eq(tariff_season_start_day(&t.seasons[0], 2025), 30);
	ck_assert_int_eq(tariff_season_start_day(&t.seasons[0], 2026), 29);
	ck_assert_int_eq(tariff_season_start_day(&t.seasons[1], 2025), 26);
	ck_assert_int_eq(tariff_season_start_day(&first_monday, 2025), 6);
	ck_assert_int_eq(tariff_season_start_day(&last_sunday_feb, 2024), 25);
	/* weekdays at 17:00: winter peak (rate 2) or summer day rate (1) */
	ck_assert_int_eq(rate_at(&t, at(2025, 1, 15, 17, 0)), 2);  /* January: winter */
	ck_assert_int_eq(rate_at(&t, at(2024, 3, 25, 17, 0)), 2);  /* Mon before the 31st */
	ck_assert_int_eq(rate_at(&t, at(2024, 4, 1, 17, 0)), 1);   /* Mon after it */
	ck_assert_int_eq(rate_at(&t, at(2026, 3, 27, 17, 0)), 2);  /* Fri before the 29th */
	ck_assert_int_eq(rate_at(&t, at(2026, 3, 30, 17, 0)), 1);  /* Mon after it */
	ck_assert_int_eq(rate_at(&t, at(2025, 10, 24, 17, 0)), 1); /* Fri before the 26th */
	ck_assert_int_eq(rate_at(&t, at(2025, 10, 27, 17, 0)), 2); /* Mon after it */
}
END_TEST

static void expect_rejected(const struct tariff *bad, const char *message);

START_TEST(test_season_rule_refused)
{
	struct tariff_error err = {{0}};
	struct tariff t;

	seasonal_tariff(&t);
	t.seasons[0] =
	    (struct tariff_season){.start_month = 3, .start_weekday = 7, .start_week = -1};
	/* the last Sunday of March falls on 25..31: 03-28 can be the same day, 03-24 never */
	t.seasons[1].start_month = 3;
	t.seasons[1].start_day = 28;
	expect_rejected(&t, "season[1].start: can fall on the start of season[0]");
	t.seasons[1].start_day = 24;
	ck_assert_msg(tariff_validate(&t, &err) == 0, "%s", err.message);
	t.seasons[0].start_week = 5;
	expect_rejected(&t, "season[0].start_week: 5 not -1 (last) or 0..4");
	t.seasons[0].start_week = 1;
	t.seasons[0].start_day = 3;
	expect_rejected(&t, "season[0].start_day: 3 with a rule, not 0");
	t.seasons[0].start_day = 0;
	t.seasons[0].start_weekday = 0;
	expect_rejected(&t, "season[0].start_weekday: 0 not in 1..7");
}
END_TEST

START_TEST(test_tou_interval_priced_at_its_start)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	day_night_tariff(&t);
	start(e, &t, at(2024, 1, 10, 6, 0));
	ck_assert_int_eq(e->rate, 0);
	/* 06:00-07:00 was night: 1 kWh at 10.00 p = 10 000 mu; then the 07:00 switch */
	struct tariff_charge c = account(e, at(2024, 1, 10, 7, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 10000);
	ck_assert_int_eq(c.rate, 1);
	ck_assert(c.events & TARIFF_EVENT_RATE_SWITCH);
	/* 07:00-08:00: 2 kWh at 30.00 p = 60.00 p */
	c = account(e, at(2024, 1, 10, 8, 0), 2 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 60000);
	ck_assert(!(c.events & TARIFF_EVENT_RATE_SWITCH));
	/* separate rate registers: 1 kWh night, 2 kWh day */
	ck_assert_int_eq(e->import_mwh[0], 1 * KWH);
	ck_assert_int_eq(e->import_mwh[1], 2 * KWH);
	free(e);
}
END_TEST

START_TEST(test_tou_eight_rates_48_switches)
{
	struct tariff t;
	struct tariff_slot slot;

	flat_tariff(&t, 10 * PENCE);
	t.n_rates = 8;
	t.day_profiles[0].n_switches = 48;
	/* half-hourly switch points; switch i at i x 1800 s on rate i mod 8 */
	for (int i = 0; i < 48; i++)
		t.day_profiles[0].switches[i] =
		    (struct tariff_switch){i * 1800, (uint8_t)(i % 8), 0, false};
	struct tariff_time noon = at(2024, 5, 5, 12, 10);
	ck_assert_int_eq(tariff_lookup(&t, &noon, &slot, NULL), 0);
	/* 12:10 is in switch 24 (12:00); 24 mod 8 = 0; next switch 12:30 = 45 000 s */
	ck_assert_int_eq(slot.switch_index, 24);
	ck_assert_int_eq(slot.rate, 0);
	ck_assert_int_eq(slot.next_switch_s, 45000);
	struct tariff_time late = at(2024, 5, 5, 23, 45);
	ck_assert_int_eq(tariff_lookup(&t, &late, &slot, NULL), 0);
	/* 23:45 is in switch 47 (23:30), 47 mod 8 = 7; next switch is midnight, 86 400 */
	ck_assert_int_eq(slot.switch_index, 47);
	ck_assert_int_eq(slot.rate, 7);
	ck_assert_int_eq(slot.next_switch_s, 86400);
}
END_TEST

START_TEST(test_next_switch_for_the_timer)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	day_night_tariff(&t);
	start(e, &t, at(2024, 1, 10, 3, 0));
	/* at 03:00 the next switch is 07:00 = 25 200 s */
	ck_assert_int_eq(tariff_engine_next_switch(e), 25200);
	account(e, at(2024, 1, 10, 7, 0), 0, 0);
	/* after 07:00 only midnight is left */
	ck_assert_int_eq(tariff_engine_next_switch(e), 86400);
	free(e);
}
END_TEST

START_TEST(test_aux_relay_follows_switches)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	day_night_tariff(&t);
	start(e, &t, at(2024, 1, 10, 6, 0));
	ck_assert(e->aux_relay);
	struct tariff_charge c = account(e, at(2024, 1, 10, 7, 0), 0, 0);
	ck_assert(!c.aux_relay);
	ck_assert(c.events & TARIFF_EVENT_AUX_RELAY);
	c = account(e, at(2024, 1, 11, 0, 0), 0, 0);
	ck_assert(c.aux_relay);
	ck_assert(c.events & TARIFF_EVENT_AUX_RELAY);
	free(e);
}
END_TEST

START_TEST(test_special_days_pin_rate_aux_friendly)
{
	struct tariff t;

	day_night_tariff(&t);
	t.n_special_days = 3;
	/* every 25 December: night rate all day */
	t.special_days[0] =
	    (struct tariff_special_day){{0, 12, 25}, TARIFF_SPECIAL_PIN_RATE, 0, false};
	/* 26 Dec 2024 only: aux relay held on, and a friendly day */
	t.special_days[1] = (struct tariff_special_day){
	    {2024, 12, 26}, TARIFF_SPECIAL_PIN_AUX | TARIFF_SPECIAL_FRIENDLY, 0, true};
	/* 25 Dec 2025 only overrides the yearly entry: day rate all day */
	t.special_days[2] =
	    (struct tariff_special_day){{2025, 12, 25}, TARIFF_SPECIAL_PIN_RATE, 1, false};
	struct tariff_slot slot;
	struct tariff_time time = at(2024, 12, 25, 12, 0);
	ck_assert_int_eq(tariff_lookup(&t, &time, &slot, NULL), 0);
	/* noon would be rate 1; the special day pins rate 0 */
	ck_assert_int_eq(slot.rate, 0);
	ck_assert_int_eq(slot.special_day, 0);
	ck_assert(!slot.friendly_day);
	time = at(2024, 12, 26, 12, 0);
	ck_assert_int_eq(tariff_lookup(&t, &time, &slot, NULL), 0);
	ck_assert_int_eq(slot.rate, 1);
	ck_assert(slot.aux_relay);
	ck_assert(slot.friendly_day);
	time = at(2025, 12, 25, 3, 0);
	ck_assert_int_eq(tariff_lookup(&t, &time, &slot, NULL), 0);
	/* 03:00 would be night; the 2025 entry wins over the yearly one: rate 1 */
	ck_assert_int_eq(slot.rate, 1);
	ck_assert_int_eq(slot.special_day, 2);

	/* the engine exposes the friendly day and reports when it starts and ends */
	struct tariff_engine *e = new_engine();
	start(e, &t, at(2024, 12, 25, 23, 0));
	struct tariff_charge c = account(e, at(2024, 12, 26, 0, 0), 0, 0);
	ck_assert(c.friendly_day);
	ck_assert(e->friendly_day);
	ck_assert(c.events & TARIFF_EVENT_FRIENDLY_DAY);
	c = account(e, at(2024, 12, 27, 0, 0), 0, 0);
	ck_assert(!c.friendly_day);
	ck_assert(c.events & TARIFF_EVENT_FRIENDLY_DAY);
	free(e);
}
END_TEST

START_TEST(test_dst_spring_forward)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	day_night_tariff(&t);
	/* night until 02:30 in this test; standing charge 1000.00 p a week = 10 000 mu each 6048 s
	 */
	t.day_profiles[0].switches[1].start_s = hm(2, 30);
	t.standing.amount_mu = 1000 * PENCE;
	struct tariff_time midnight = at(2024, 3, 31, 0, 0);
	start(e, &t, midnight);
	/* clocks go 01:00 -> 02:00 local; the adapter gives local 03:30 at 2.5 h real time */
	struct tariff_time after = at(2024, 3, 31, 3, 30);
	after.utc_s = midnight.utc_s + 9000;
	struct tariff_charge c = account(e, after, 2 * KWH, 0);
	/* 2 kWh of night energy at 10.00 p = 20 000 mu; the 02:30 switch passed: day rate now */
	ck_assert_int_eq(c.energy_mu, 20000);
	ck_assert_int_eq(c.rate, 1);
	/* real time 9000 s: one instalment (6048 s), not two as 3.5 h of local time would give */
	ck_assert_int_eq(c.standing_mu, 10000);
	free(e);
}
END_TEST

START_TEST(test_dst_fall_back_repeats_the_hour)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	day_night_tariff(&t);
	/* night until 01:20 */
	t.day_profiles[0].switches[1].start_s = hm(1, 20);
	struct tariff_time first = at(2024, 10, 27, 1, 30);
	start(e, &t, first);
	ck_assert_int_eq(e->rate, 1);
	/* the clock goes back: 40 real minutes later local time reads 01:10 again, same date */
	struct tariff_time second = at(2024, 10, 27, 1, 10);
	second.utc_s = first.utc_s + 2400;
	struct tariff_charge c = account(e, second, 1 * KWH, 0);
	/* the interval started at 01:30 on the day rate: 1 kWh at 30.00 p */
	ck_assert_int_eq(c.energy_mu, 30000);
	/* 01:10 is before the 01:20 switch: back on night, and no day change */
	ck_assert_int_eq(c.rate, 0);
	ck_assert(c.events & TARIFF_EVENT_RATE_SWITCH);
	ck_assert(!(c.events & TARIFF_EVENT_DAY_CHANGE));
	free(e);
}
END_TEST

/* ---------------------------------------------------------------- blocks and periods */

/* Two blocks on total import: 10.00 p up to 5 kWh a month, 20.00 p above. */
static void two_block_tariff(struct tariff *t)
{
	flat_tariff(t, 10 * PENCE);
	t->blocks.n_blocks = 2;
	t->blocks.threshold_mwh[0] = 5 * KWH;
	t->price_mu_per_kwh[0][1] = 20 * PENCE;
}

START_TEST(test_block_crossing_split_pro_rata)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	two_block_tariff(&t);
	start(e, &t, at(2024, 1, 10, 0, 0));
	/* 8 kWh in one call: 5 kWh x 10.00 p + 3 kWh x 20.00 p = 50 p + 60 p = 110.00 p */
	struct tariff_charge c = account(e, at(2024, 1, 10, 6, 0), 8 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 110000);
	ck_assert_int_eq(c.block_before, 0);
	ck_assert_int_eq(c.block, 1);
	ck_assert(c.events & TARIFF_EVENT_BLOCK_CROSSING);
	/* the working log keeps kWh per price: 5 kWh in block 0, 3 kWh in block 1 */
	ck_assert_int_eq(e->log_mwh[0][0], 5 * KWH);
	ck_assert_int_eq(e->log_mwh[0][1], 3 * KWH);
	/* staying in block 1: 1 kWh at 20.00 p, no crossing */
	c = account(e, at(2024, 1, 10, 7, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 20000);
	ck_assert(!(c.events & TARIFF_EVENT_BLOCK_CROSSING));
	free(e);
}
END_TEST

START_TEST(test_block_on_one_rate_register)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* day/night; blocks counted on the day rate (1) only, threshold 2 kWh */
	day_night_tariff(&t);
	t.blocks.n_blocks = 2;
	t.blocks.threshold_mwh[0] = 2 * KWH;
	t.blocks.basis = TARIFF_BLOCK_ON_RATE;
	t.blocks.basis_rate = 1;
	t.price_mu_per_kwh[0][1] = 10 * PENCE; /* night flat */
	t.price_mu_per_kwh[1][1] = 50 * PENCE;
	start(e, &t, at(2024, 1, 10, 0, 0));
	/* 00:00-07:00: 10 kWh of night does not move the block counter: 10 x 10.00 p = 100 p */
	struct tariff_charge c = account(e, at(2024, 1, 10, 7, 0), 10 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 100000);
	ck_assert_int_eq(c.block, 0);
	/* 07:00-08:00: 3 kWh day = 2 x 30.00 p + 1 x 50.00 p = 110.00 p */
	c = account(e, at(2024, 1, 10, 8, 0), 3 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 110000);
	ck_assert_int_eq(c.block, 1);
	ck_assert_int_eq(e->period_basis_mwh, 3 * KWH);
	ck_assert_int_eq(e->period_import_mwh, 13 * KWH);
	free(e);
}
END_TEST

START_TEST(test_price_matrix_tou_and_blocks)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* rate x block: night 10/15 p, day 30/40 p, threshold 4 kWh on total import */
	day_night_tariff(&t);
	t.blocks.n_blocks = 2;
	t.blocks.threshold_mwh[0] = 4 * KWH;
	t.price_mu_per_kwh[0][1] = 15 * PENCE;
	t.price_mu_per_kwh[1][1] = 40 * PENCE;
	start(e, &t, at(2024, 1, 10, 0, 0));
	/* night 3 kWh, all block 0: 3 x 10 p = 30 p */
	struct tariff_charge c = account(e, at(2024, 1, 10, 7, 0), 3 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 30000);
	/* day 2 kWh: 1 kWh fills block 0 at 30 p, 1 kWh block 1 at 40 p = 70 p */
	c = account(e, at(2024, 1, 10, 8, 0), 2 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 70000);
	/* day 1 kWh more at (day, block 1) = 40 p */
	c = account(e, at(2024, 1, 10, 9, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 40000);
	/* next night 1 kWh at (night, block 1) = 15 p; the interval 23:59-00:00 */
	account(e, at(2024, 1, 10, 23, 59), 0, 0);
	c = account(e, at(2024, 1, 11, 0, 0), 0, 0);
	c = account(e, at(2024, 1, 11, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 15000);
	free(e);
}
END_TEST

START_TEST(test_eight_blocks)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	flat_tariff(&t, 1 * PENCE);
	/* 8 blocks, one per kWh: block b costs (b + 1) p; thresholds 1..7 kWh */
	t.blocks.n_blocks = 8;
	for (int b = 0; b < 8; b++) {
		t.price_mu_per_kwh[0][b] = (b + 1) * PENCE;
		if (b < 7)
			t.blocks.threshold_mwh[b] = (b + 1) * KWH;
	}
	start(e, &t, at(2024, 1, 10, 0, 0));
	/* 10 kWh: 1+2+3+4+5+6+7 p for the first 7 kWh = 28 p, then 3 kWh x 8 p = 24 p: 52 p */
	struct tariff_charge c = account(e, at(2024, 1, 10, 1, 0), 10 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 52000);
	ck_assert_int_eq(c.block, 7);
	free(e);
}
END_TEST

START_TEST(test_monthly_rollover_resets_blocks)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	two_block_tariff(&t);
	start(e, &t, at(2024, 1, 30, 0, 0));
	/* 6 kWh in January: block 1 */
	account(e, at(2024, 1, 31, 23, 0), 6 * KWH, 0);
	ck_assert_int_eq(e->block, 1);
	/* 1 kWh 23:00-24:00 on 31 Jan is still January's: 20.00 p; then the period rolls */
	struct tariff_charge c = account(e, at(2024, 2, 1, 0, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 20000);
	ck_assert(c.events & TARIFF_EVENT_PERIOD_ROLLOVER);
	ck_assert(c.events & TARIFF_EVENT_BLOCK_CROSSING);
	ck_assert_int_eq(c.block, 0);
	ck_assert_int_eq(e->period_basis_mwh, 0);
	/* February: 29 days (2024 is a leap year) */
	ck_assert_int_eq(tariff_engine_period_days(e), 29);
	/* back to 10.00 p */
	c = account(e, at(2024, 2, 1, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 10000);
	/* lifetime register untouched by the rollover: 6 + 1 + 1 = 8 kWh */
	ck_assert_int_eq(e->import_mwh[0], 8 * KWH);
	free(e);
}
END_TEST

START_TEST(test_month_periods_from_day_15_across_february)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	flat_tariff(&t, 10 * PENCE);
	t.period.start = (struct tariff_date){2020, 6, 15};
	/* 20 Feb 2023 is in 15 Feb .. 15 Mar 2023: 28 days */
	start(e, &t, at(2023, 2, 20, 0, 0));
	ck_assert_int_eq(tariff_engine_period_days(e), 28);
	/* 14 Mar is still in it */
	struct tariff_charge c = account(e, at(2023, 3, 14, 23, 0), 0, 0);
	ck_assert(!(c.events & TARIFF_EVENT_PERIOD_ROLLOVER));
	/* 15 Mar 00:00 starts 15 Mar .. 15 Apr: 31 days */
	c = account(e, at(2023, 3, 15, 0, 0), 0, 0);
	ck_assert(c.events & TARIFF_EVENT_PERIOD_ROLLOVER);
	ck_assert_int_eq(tariff_engine_period_days(e), 31);
	free(e);

	/* in 2024 the same period has 29 days */
	e = new_engine();
	start(e, &t, at(2024, 2, 20, 0, 0));
	ck_assert_int_eq(tariff_engine_period_days(e), 29);
	/* before the 15th, the period began last month: 15 Jan .. 15 Feb 2024 = 31 days */
	start(e, &t, at(2024, 2, 14, 0, 0));
	ck_assert_int_eq(tariff_engine_period_days(e), 31);
	ck_assert_int_eq(e->period_start_day, days_since_1970(2024, 1, 15));
	free(e);
}
END_TEST

START_TEST(test_three_month_period)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	flat_tariff(&t, 10 * PENCE);
	t.period.length = 3;
	/* quarters from 1 Jan 2024: Jan 31 + Feb 29 + Mar 31 = 91 days */
	start(e, &t, at(2024, 2, 10, 0, 0));
	ck_assert_int_eq(tariff_engine_period_days(e), 91);
	struct tariff_charge c = account(e, at(2024, 4, 1, 0, 0), 0, 0);
	ck_assert(c.events & TARIFF_EVENT_PERIOD_ROLLOVER);
	/* Apr 30 + May 31 + Jun 30 = 91 days */
	ck_assert_int_eq(tariff_engine_period_days(e), 91);
	/* Jul 31 + Aug 31 + Sep 30 = 92 days */
	account(e, at(2024, 7, 1, 0, 0), 0, 0);
	ck_assert_int_eq(tariff_engine_period_days(e), 92);
	free(e);
}
END_TEST

START_TEST(test_ninety_day_period)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	two_block_tariff(&t);
	t.period.unit = TARIFF_PERIOD_DAYS;
	t.period.length = 90;
	start(e, &t, at(2024, 1, 1, 0, 0));
	ck_assert_int_eq(tariff_engine_period_days(e), 90);
	account(e, at(2024, 3, 30, 23, 0), 6 * KWH, 0);
	ck_assert_int_eq(e->block, 1);
	/* 1 Jan + 90 days: Jan 31 -> 1 Feb is +31, 1 Mar is +60, 31 Mar is +90 */
	struct tariff_charge c = account(e, at(2024, 3, 31, 0, 0), 0, 0);
	ck_assert(c.events & TARIFF_EVENT_PERIOD_ROLLOVER);
	ck_assert_int_eq(c.block, 0);
	ck_assert_int_eq(e->period_start_day, days_since_1970(2024, 3, 31));
	free(e);
}
END_TEST

START_TEST(test_rollover_after_a_long_gap)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	two_block_tariff(&t);
	t.period.unit = TARIFF_PERIOD_DAYS;
	t.period.length = 7;
	start(e, &t, at(2024, 1, 3, 12, 0));
	/* weekly periods from Mon 1 Jan: 3 Jan is in 1..8 Jan */
	ck_assert_int_eq(e->period_start_day, days_since_1970(2024, 1, 1));
	/* the daemon was off; 20 Feb is 50 days after 1 Jan: period 7 (7 x 7 = 49) from 19 Feb */
	struct tariff_charge c = account(e, at(2024, 2, 20, 12, 0), 0, 0);
	ck_assert(c.events & TARIFF_EVENT_PERIOD_ROLLOVER);
	ck_assert_int_eq(e->period_start_day, days_since_1970(2024, 2, 19));
	free(e);
}
END_TEST

/* ---------------------------------------------------------------- daily-resolved blocks */

/* 30-day periods from 1 Jan 2024, 300 kWh threshold -> 10 kWh a day. */
static void daily_resolved_tariff(struct tariff *t, int64_t block0, int64_t block1)
{
	flat_tariff(t, block0);
	t->blocks.n_blocks = 2;
	t->blocks.threshold_mwh[0] = 300 * KWH;
	t->blocks.daily_resolved = true;
	t->price_mu_per_kwh[0][1] = block1;
	t->period.unit = TARIFF_PERIOD_DAYS;
	t->period.length = 30;
}

START_TEST(test_daily_resolved_reconciliation_down)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	daily_resolved_tariff(&t, 10 * PENCE, 20 * PENCE);
	start(e, &t, at(2024, 1, 1, 0, 0));
	/* day 1: 15 kWh; daily threshold 300 / 30 = 10 kWh: 10 x 10 p + 5 x 20 p = 200 p */
	struct tariff_charge c = account(e, at(2024, 1, 1, 12, 0), 15 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 200000);
	ck_assert_int_eq(c.block, 1);
	/* midnight 1: allowance 300 x 1/30 = 10 kWh, 15 kWh used: same split, nothing to correct */
	c = account(e, at(2024, 1, 2, 0, 0), 0, 0);
	ck_assert(c.events & TARIFF_EVENT_RECONCILED);
	ck_assert_int_eq(c.reconciliation_mu, 0);
	ck_assert_int_eq(c.block, 0);
	/* day 2: 5 kWh, under today's 10 kWh: 5 x 10 p = 50 p */
	c = account(e, at(2024, 1, 2, 12, 0), 5 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 50000);
	/*
	 * midnight 2: allowance 300 x 2/30 = 20 kWh, 20 kWh used, all in block 0: 20 x 10 p = 200
	 * p; charged 200 p + 50 p = 250 p: refund 50 p = -50 000 mu
	 */
	c = account(e, at(2024, 1, 3, 0, 0), 0, 0);
	ck_assert_int_eq(c.reconciliation_mu, -50000);
	ck_assert_int_eq(c.total_mu, -50000);
	ck_assert_int_eq(e->log_mwh[0][0], 20 * KWH);
	ck_assert_int_eq(e->log_mwh[0][1], 0);
	free(e);
}
END_TEST

START_TEST(test_daily_resolved_reconciliation_up)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* declining blocks: 20.00 p then 10.00 p */
	daily_resolved_tariff(&t, 20 * PENCE, 10 * PENCE);
	start(e, &t, at(2024, 1, 1, 0, 0));
	/* day 1: 5 kWh x 20 p = 100 p; midnight: allowance 10 kWh, 5 used, nothing to correct */
	account(e, at(2024, 1, 1, 12, 0), 5 * KWH, 0);
	struct tariff_charge c = account(e, at(2024, 1, 2, 0, 0), 0, 0);
	ck_assert_int_eq(c.reconciliation_mu, 0);
	/* day 2: 15 kWh: 10 x 20 p + 5 x 10 p = 250 p */
	c = account(e, at(2024, 1, 2, 12, 0), 15 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 250000);
	/* midnight 2: allowance 20 kWh, 20 used: 20 x 20 p = 400 p; charged 350 p: +50 p */
	c = account(e, at(2024, 1, 3, 0, 0), 0, 0);
	ck_assert_int_eq(c.reconciliation_mu, 50000);
	free(e);
}
END_TEST

START_TEST(test_daily_resolved_last_midnight_equals_period_blocks)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* a 2-day period with a 20 kWh threshold: 10 kWh a day */
	daily_resolved_tariff(&t, 10 * PENCE, 20 * PENCE);
	t.period.length = 2;
	t.blocks.threshold_mwh[0] = 20 * KWH;
	start(e, &t, at(2024, 1, 1, 0, 0));
	/* day 1: 15 kWh = 10 x 10 p + 5 x 20 p = 200 p; day 2: 4 kWh x 10 p = 40 p */
	account(e, at(2024, 1, 1, 12, 0), 15 * KWH, 0);
	account(e, at(2024, 1, 2, 0, 0), 0, 0);
	account(e, at(2024, 1, 2, 12, 0), 4 * KWH, 0);
	/*
	 * last midnight: 19 kWh against the full 20 kWh: all block 0 = 190 p, as plain period
	 * blocks would have charged; charged 240 p: -50 p; then the period rolls over
	 */
	struct tariff_charge c = account(e, at(2024, 1, 3, 0, 0), 0, 0);
	ck_assert_int_eq(c.reconciliation_mu, -50000);
	ck_assert(c.events & TARIFF_EVENT_PERIOD_ROLLOVER);
	ck_assert_int_eq(e->log_mwh[0][0], 0);
	free(e);
}
END_TEST

START_TEST(test_daily_resolved_with_tou_moves_only_what_crossed)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* day/night on daily-resolved blocks, 10 kWh a day: night 10/20 p, day 30/60 p */
	daily_resolved_tariff(&t, 10 * PENCE, 20 * PENCE);
	t.n_rates = 2;
	t.day_profiles[0].n_switches = 2;
	t.day_profiles[0].switches[1] = (struct tariff_switch){hm(7, 0), 1, 0, false};
	t.price_mu_per_kwh[1][0] = 30 * PENCE;
	t.price_mu_per_kwh[1][1] = 60 * PENCE;
	start(e, &t, at(2024, 1, 1, 0, 0));
	/* day 1: night 8 kWh x 10 p = 80 p; day 4 kWh: 2 x 30 p + 2 x 60 p = 180 p */
	ck_assert_int_eq(account(e, at(2024, 1, 1, 7, 0), 8 * KWH, 0).energy_mu, 80000);
	ck_assert_int_eq(account(e, at(2024, 1, 1, 12, 0), 4 * KWH, 0).energy_mu, 180000);
	/* midnight 1: 12 kWh against 10 kWh: 10 in block 0, 2 in block 1, as charged: 0 */
	struct tariff_charge c = account(e, at(2024, 1, 2, 0, 0), 0, 0);
	ck_assert_int_eq(c.reconciliation_mu, 0);
	/* day 2: night 3 kWh x 10 p = 30 p, day 2 kWh x 30 p = 60 p */
	account(e, at(2024, 1, 2, 7, 0), 3 * KWH, 0);
	account(e, at(2024, 1, 2, 12, 0), 2 * KWH, 0);
	/*
	 * midnight 2: 17 kWh against 20 kWh, all block 0. Block 1 holds only day-rate energy
	 * (2 kWh), moved down: 2 x (30 p - 60 p) = -60 p = -60 000 mu
	 */
	c = account(e, at(2024, 1, 3, 0, 0), 0, 0);
	ck_assert_int_eq(c.reconciliation_mu, -60000);
	/* log: night 8 + 3 = 11 kWh, day 2 + 2 + 2 = 6 kWh, all in block 0 */
	ck_assert_int_eq(e->log_mwh[0][0], 11 * KWH);
	ck_assert_int_eq(e->log_mwh[1][0], 6 * KWH);
	ck_assert_int_eq(e->log_mwh[1][1], 0);
	free(e);
}
END_TEST

/* ---------------------------------------------------------------- export */

static struct tariff_charge export_2kwh(enum tariff_export_mode mode)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* import 30.00 p, export 5.00 p, proportional compensation 50 % */
	flat_tariff(&t, 30 * PENCE);
	t.export_pricing.mode = mode;
	t.export_pricing.price_mu_per_kwh[0] = 5 * PENCE;
	t.export_pricing.proportion_bp = 5000;
	start(e, &t, at(2024, 1, 10, 12, 0));
	struct tariff_charge c = account(e, at(2024, 1, 10, 13, 0), 0, 2 * KWH);
	ck_assert_int_eq(e->export_mwh[0], 2 * KWH);
	ck_assert_int_eq(e->import_mwh[0], 0);
	free(e);
	return c;
}

START_TEST(test_export_neutral)
{
	struct tariff_charge c = export_2kwh(TARIFF_EXPORT_NEUTRAL);

	ck_assert_int_eq(c.export_credit_mu, 0);
	ck_assert_int_eq(c.total_mu, 0);
}
END_TEST

START_TEST(test_export_credit)
{
	/* 2 kWh x 5.00 p = 10.00 p credited: total -10 000 mu */
	struct tariff_charge c = export_2kwh(TARIFF_EXPORT_CREDIT);

	ck_assert_int_eq(c.export_credit_mu, 10000);
	ck_assert_int_eq(c.total_mu, -10000);
}
END_TEST

START_TEST(test_export_deduct)
{
	/* 2 kWh x 5.00 p = 10.00 p deducted: total +10 000 mu */
	struct tariff_charge c = export_2kwh(TARIFF_EXPORT_DEDUCT);

	ck_assert_int_eq(c.export_credit_mu, -10000);
	ck_assert_int_eq(c.total_mu, 10000);
}
END_TEST

START_TEST(test_export_proportional)
{
	/* 50 % of the 30.00 p import price = 15.00 p a kWh; 2 kWh = 30.00 p credited */
	struct tariff_charge c = export_2kwh(TARIFF_EXPORT_PROPORTIONAL);

	ck_assert_int_eq(c.export_credit_mu, 30000);
	ck_assert_int_eq(c.total_mu, -30000);
}
END_TEST

START_TEST(test_export_own_tou)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* one import rate; export rate 0 before 10:00 at 4.00 p, export rate 1 after at 8.00 p */
	flat_tariff(&t, 30 * PENCE);
	t.n_export_rates = 2;
	t.day_profiles[0].n_switches = 2;
	t.day_profiles[0].switches[1] = (struct tariff_switch){hm(10, 0), 0, 1, false};
	t.export_pricing.mode = TARIFF_EXPORT_CREDIT;
	t.export_pricing.price_mu_per_kwh[0] = 4 * PENCE;
	t.export_pricing.price_mu_per_kwh[1] = 8 * PENCE;
	start(e, &t, at(2024, 6, 1, 9, 0));
	/* 09:00-10:00: 1 kWh import at 30 p, 1 kWh export at 4 p */
	struct tariff_charge c = account(e, at(2024, 6, 1, 10, 0), 1 * KWH, 1 * KWH);
	ck_assert_int_eq(c.energy_mu, 30000);
	ck_assert_int_eq(c.export_credit_mu, 4000);
	ck_assert_int_eq(c.total_mu, 26000);
	ck_assert_int_eq(c.export_rate, 1);
	ck_assert(c.events & TARIFF_EVENT_RATE_SWITCH);
	/* 10:00-11:00: 1 kWh export at 8 p */
	c = account(e, at(2024, 6, 1, 11, 0), 0, 1 * KWH);
	ck_assert_int_eq(c.export_credit_mu, 8000);
	ck_assert_int_eq(e->export_mwh[0], 1 * KWH);
	ck_assert_int_eq(e->export_mwh[1], 1 * KWH);
	free(e);
}
END_TEST

/* ---------------------------------------------------------------- standing charge, levy, tax */

START_TEST(test_standing_charge_instalments)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* 12.345 p a week = 12 345 mu: instalments of floor(123.45) = 123 mu, exact per week */
	flat_tariff(&t, 10 * PENCE);
	t.standing.amount_mu = 12345;
	struct tariff_time t0 = at(2024, 1, 1, 0, 0);
	start(e, &t, t0);
	struct tariff_time time = t0;
	time.utc_s = t0.utc_s + 6047;
	time.seconds = 6047;
	/* 6047 s: not yet */
	ck_assert_int_eq(account(e, time, 0, 0).standing_mu, 0);
	/* 6048 s = 1.68 h: the first instalment, 123 mu */
	time.utc_s++;
	time.seconds++;
	ck_assert_int_eq(account(e, time, 0, 0).standing_mu, 123);
	/* a week later (604 800 s = 100 instalments): 12 345 in all, so 12 345 - 123 = 12 222 */
	struct tariff_charge c = account(e, at(2024, 1, 8, 0, 0), 0, 0);
	ck_assert_int_eq(c.standing_mu, 12222);
	ck_assert_int_eq(c.total_mu, 12222);
	ck_assert_int_eq(e->standing_index, 100);
	/* the clock steps back an hour: nothing is collected twice, nothing is refunded */
	time = at(2024, 1, 8, 0, 30);
	time.utc_s -= 5400;
	ck_assert_int_eq(account(e, time, 0, 0).standing_mu, 0);
	ck_assert_int_eq(e->standing_index, 100);
	free(e);
}
END_TEST

/*
 * §8.9 of the UK prepayment meter manual: "Standing Charge will not be collected if the meter
 * is powered down". 3.50 a week = 350 000 mu: 3500 mu an instalment. The first is collected at
 * 01:40:48 (6048 s); the meter is then off until 6048 + 86 400 = 92 448 s: instalments 2 to 15
 * (15 x 6048 = 90 720 <= 92 448 < 16 x 6048 = 96 768) are passed over, 14 x 3500 = 49 000 mu,
 * and the 16th is the next collected.
 */
START_TEST(test_standing_charge_not_collected_while_powered_down)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	flat_tariff(&t, 10 * PENCE);
	t.standing.amount_mu = 350000;
	struct tariff_time t0 = at(2024, 1, 1, 0, 0);
	start(e, &t, t0);
	struct tariff_time time = t0;
	time.utc_s += 6048;
	time.seconds += 6048;
	ck_assert_int_eq(account(e, time, 0, 0).standing_mu, 3500);
	ck_assert_int_eq(tariff_engine_skip_standing(e, t0.utc_s + 92448), 49000);
	ck_assert_int_eq(e->standing_index, 15);
	ck_assert_int_eq(tariff_engine_skip_standing(e, t0.utc_s + 92448), 0); /* once */
	/* the power-up at 01:40:48 the next day: nothing more to collect */
	time = at(2024, 1, 2, 1, 40);
	time.utc_s += 48;
	time.seconds += 48;
	ck_assert_int_eq(time.utc_s, t0.utc_s + 92448);
	ck_assert_int_eq(account(e, time, 0, 0).standing_mu, 0);
	/* the 16th at 96 768 s = 26:52:48, 02:52:48 on the 2nd */
	time = at(2024, 1, 2, 2, 52);
	time.utc_s += 48;
	time.seconds += 48;
	ck_assert_int_eq(account(e, time, 0, 0).standing_mu, 3500);
	free(e);
}
END_TEST

START_TEST(test_standing_charge_per_day)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* 100 mu a day = 700 mu a week = 7 mu an instalment */
	flat_tariff(&t, 10 * PENCE);
	t.standing.unit = TARIFF_STANDING_PER_DAY;
	t.standing.amount_mu = 100;
	start(e, &t, at(2024, 1, 1, 0, 0));
	/* one day = 86 400 / 6048 = 14.28: 14 instalments x 7 mu = 98 mu */
	ck_assert_int_eq(account(e, at(2024, 1, 2, 0, 0), 0, 0).standing_mu, 98);
	free(e);
}
END_TEST

/*
 * The manual's rule (§7.8): "At 00:00, following a day's usage, the meter will calculate an
 * average daily usage value using the total registered kWh's from the start of the billing
 * period and the number of days lapsed. If the calculated average daily amount is greater than
 * the de-minimis value for CCL then the following day, the CCL charge will be applied to each
 * kWh consumed" (and VAT rate 2 likewise). 10.00 p/kWh; de-minimis 2 kWh a day; levy 1.00 p/kWh;
 * tax 5 % (rate 1), 20 % (rate 2); monthly periods from 2024-01-01.
 */
START_TEST(test_levy_on_the_daily_average)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();
	struct tariff_charge c;

	flat_tariff(&t, 10 * PENCE);
	t.levy.de_minimis_mwh_per_day = 2 * KWH;
	t.levy.vat2_de_minimis_mwh_per_day = 2 * KWH; /* the same value for both, §7.8 */
	t.levy.levy_mu_per_kwh = 1 * PENCE;
	t.levy.reduced_tax_bp = 500;
	t.levy.standard_tax_bp = 2000;
	ck_assert_int_eq(t.levy.rule, TARIFF_LEVY_DAILY_AVERAGE); /* the default */
	start(e, &t, at(2024, 1, 1, 0, 0));
	/* Jan 1, the period's first day, has no average: 5 kWh, all at rate 1: 50.00 p energy,
	 * 5 % = 2.50 p tax, no levy (the marginal rule would levy 3 of them) */
	c = account(e, at(2024, 1, 1, 12, 0), 5 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 50000);
	ck_assert_int_eq(c.levy_mu, 0);
	ck_assert_int_eq(c.tax_mu, 2500);
	/* Jan 2: average 5 kWh / 1 day = 5 > 2: every kWh of the day is levied. 1 kWh: 10.00 p +
	 * 1.00 p levy, 20 % of 11.00 p = 2.20 p */
	account(e, at(2024, 1, 2, 0, 0), 0, 0);
	c = account(e, at(2024, 1, 2, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 10000);
	ck_assert_int_eq(c.levy_mu, 1000);
	ck_assert_int_eq(c.tax_mu, 2200);
	/* Jan 3: average 6 kWh / 2 days = 3 > 2: levied, nothing used. Jan 4: 6 / 3 = 2, not
	 * greater than 2: 1 kWh at rate 1, 10.00 p + 0.50 p, no levy */
	account(e, at(2024, 1, 3, 0, 0), 0, 0);
	account(e, at(2024, 1, 4, 0, 0), 0, 0);
	c = account(e, at(2024, 1, 4, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.levy_mu, 0);
	ck_assert_int_eq(c.tax_mu, 500);
	/* Feb 1: a new billing period, its first day not levied whatever January's average */
	account(e, at(2024, 2, 1, 0, 0), 0, 0);
	c = account(e, at(2024, 2, 1, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.levy_mu, 0);
	ck_assert_int_eq(c.tax_mu, 500);
	free(e);
}
END_TEST

/*
 * §7.8: "The meter is capable of applying CCL and VAT rate 2 to usage above a configurable daily
 * de-minimis value. The meter will hold values for both CCL and VAT 2 application", each on the
 * daily average from the following day. 10.00 p/kWh; levy 1.00 p/kWh above 2 kWh a day; VAT
 * rate 2 (20 %) above 4 kWh a day, else VAT rate 1 (5 %); monthly periods from 2024-01-01.
 */
START_TEST(test_levy_and_vat2_each_on_its_de_minimis)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();
	struct tariff_charge c;

	flat_tariff(&t, 10 * PENCE);
	t.levy.de_minimis_mwh_per_day = 2 * KWH;
	t.levy.vat2_de_minimis_mwh_per_day = 4 * KWH;
	t.levy.levy_mu_per_kwh = 1 * PENCE;
	t.levy.reduced_tax_bp = 500;
	t.levy.standard_tax_bp = 2000;
	start(e, &t, at(2024, 1, 1, 0, 0));
	/* Jan 1, no average yet: 3 kWh, 30.00 p, no levy, 5 % = 1.50 p */
	c = account(e, at(2024, 1, 1, 12, 0), 3 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 30000);
	ck_assert_int_eq(c.levy_mu, 0);
	ck_assert_int_eq(c.tax_mu, 1500);
	/* Jan 2: average 3 / 1 = 3 > 2 (levy) but not > 4 (VAT rate 2): 7 kWh, 70.00 p + 7.00 p
	 * levy, 5 % of 77.00 p = 3.85 p */
	account(e, at(2024, 1, 2, 0, 0), 0, 0);
	c = account(e, at(2024, 1, 2, 12, 0), 7 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 70000);
	ck_assert_int_eq(c.levy_mu, 7000);
	ck_assert_int_eq(c.tax_mu, 3850);
	/* Jan 3: average (3 + 7) / 2 = 5 > 2 and > 4: 1 kWh, 10.00 p + 1.00 p levy, 20 % of
	 * 11.00 p = 2.20 p */
	account(e, at(2024, 1, 3, 0, 0), 0, 0);
	c = account(e, at(2024, 1, 3, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 10000);
	ck_assert_int_eq(c.levy_mu, 1000);
	ck_assert_int_eq(c.tax_mu, 2200);
	/* Jan 4: 11 / 3 = 3.67: above the levy's 2, not above VAT's 4: 1 kWh, 10.00 p + 1.00 p,
	 * 5 % of 11.00 p = 0.55 p */
	account(e, at(2024, 1, 4, 0, 0), 0, 0);
	c = account(e, at(2024, 1, 4, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.levy_mu, 1000);
	ck_assert_int_eq(c.tax_mu, 550);
	free(e);
}
END_TEST

/*
 * The other way round (§7.8: "in case future CCL and VAT application thresholds no longer
 * coincided"): VAT rate 2 above 2 kWh a day, the levy above 4. Jan 1: 3 kWh; Jan 2, average
 * 3 > 2, not > 4: 1 kWh at 10.00 p, no levy, 20 % of 10.00 p = 2.00 p.
 */
START_TEST(test_vat2_without_levy)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();
	struct tariff_charge c;

	flat_tariff(&t, 10 * PENCE);
	t.levy.de_minimis_mwh_per_day = 4 * KWH;
	t.levy.vat2_de_minimis_mwh_per_day = 2 * KWH;
	t.levy.levy_mu_per_kwh = 1 * PENCE;
	t.levy.reduced_tax_bp = 500;
	t.levy.standard_tax_bp = 2000;
	start(e, &t, at(2024, 1, 1, 0, 0));
	account(e, at(2024, 1, 1, 12, 0), 3 * KWH, 0);
	account(e, at(2024, 1, 2, 0, 0), 0, 0);
	c = account(e, at(2024, 1, 2, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 10000);
	ck_assert_int_eq(c.levy_mu, 0);
	ck_assert_int_eq(c.tax_mu, 2000);
	free(e);
}
END_TEST

/*
 * The marginal option with two de-minimis: levy above 2 kWh of the day, VAT rate 2 above 3.
 * 5 kWh in one call, split at both: 0..2 kWh 20.00 p, 5 % = 1.00 p; 2..3 kWh 10.00 p + 1.00 p
 * levy, 5 % of 11.00 p = 0.55 p; 3..5 kWh 20.00 p + 2.00 p levy, 20 % of 22.00 p = 4.40 p.
 * Energy 50.00 p, levy 3.00 p, tax 1.00 + 0.55 + 4.40 = 5.95 p.
 */
START_TEST(test_marginal_with_two_de_minimis)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();
	struct tariff_charge c;

	flat_tariff(&t, 10 * PENCE);
	t.levy.rule = TARIFF_LEVY_MARGINAL;
	t.levy.de_minimis_mwh_per_day = 2 * KWH;
	t.levy.vat2_de_minimis_mwh_per_day = 3 * KWH;
	t.levy.levy_mu_per_kwh = 1 * PENCE;
	t.levy.reduced_tax_bp = 500;
	t.levy.standard_tax_bp = 2000;
	start(e, &t, at(2024, 1, 1, 0, 0));
	c = account(e, at(2024, 1, 1, 12, 0), 5 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 50000);
	ck_assert_int_eq(c.levy_mu, 3000);
	ck_assert_int_eq(c.tax_mu, 5950);
	free(e);
}
END_TEST

/* The standing charge on a levied day pays VAT rate 2 (§7.8 with §7.5): 100.00 p a week = 1000
 * mu an instalment; 3 kWh on Jan 1 make Jan 2 levied (3 / 1 > 2). */
START_TEST(test_standing_charge_taxed_on_a_levied_day)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();
	struct tariff_charge c;

	flat_tariff(&t, 10 * PENCE);
	t.standing.amount_mu = 100 * PENCE;
	t.levy.de_minimis_mwh_per_day = 2 * KWH;
	t.levy.vat2_de_minimis_mwh_per_day = 2 * KWH; /* the same value for both, §7.8 */
	t.levy.reduced_tax_bp = 500;
	t.levy.standard_tax_bp = 2000;
	start(e, &t, at(2024, 1, 1, 0, 0));
	/* 01:41 (6060 s): one instalment on Jan 1, not levied: 5 % of 1000 = 50 mu; 3 kWh at
	 * 5 %: 1500 mu */
	c = account(e, at(2024, 1, 1, 1, 41), 3 * KWH, 0);
	ck_assert_int_eq(c.standing_mu, 1000);
	ck_assert_int_eq(c.tax_mu, 50 + 1500);
	/* Jan 1 23:59 (86 340 s): instalments 2..14 (14 x 6048 = 84 672 <= 86 340), 13 x 1000 at
	 * 5 % = 650 mu; the call at 01:41 on Jan 2 (93 660 s) collects the 15th (90 720 s), on
	 * the levied day: 20 % of 1000 = 200 mu */
	c = account(e, at(2024, 1, 1, 23, 59), 0, 0);
	ck_assert_int_eq(c.standing_mu, 13000);
	ck_assert_int_eq(c.tax_mu, 650);
	account(e, at(2024, 1, 2, 0, 0), 0, 0);
	c = account(e, at(2024, 1, 2, 1, 41), 0, 0);
	ck_assert_int_eq(c.standing_mu, 1000);
	ck_assert_int_eq(c.tax_mu, 200);
	free(e);
}
END_TEST

/* The marginal rule, an option (tariff.h): within today's de-minimis relieved, above it
 * levied. */
START_TEST(test_levy_and_tax_above_de_minimis)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* 10.00 p/kWh; de-minimis 2 kWh a day; levy 1.00 p/kWh; tax 5 % reduced, 20 % standard */
	flat_tariff(&t, 10 * PENCE);
	t.levy.rule = TARIFF_LEVY_MARGINAL;
	t.levy.de_minimis_mwh_per_day = 2 * KWH;
	t.levy.vat2_de_minimis_mwh_per_day = 2 * KWH; /* the same value for both, §7.8 */
	t.levy.levy_mu_per_kwh = 1 * PENCE;
	t.levy.reduced_tax_bp = 500;
	t.levy.standard_tax_bp = 2000;
	start(e, &t, at(2024, 1, 10, 0, 0));
	/*
	 * 5 kWh in one call. Relieved 2 kWh: 20.00 p energy, 5 % tax = 1.00 p, no levy.
	 * Above 3 kWh: 30.00 p energy + 3.00 p levy, 20 % tax of 33.00 p = 6.60 p.
	 * energy 50 000, levy 3 000, tax 1 000 + 6 600 = 7 600, total 60 600 mu
	 */
	struct tariff_charge c = account(e, at(2024, 1, 10, 12, 0), 5 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 50000);
	ck_assert_int_eq(c.levy_mu, 3000);
	ck_assert_int_eq(c.tax_mu, 7600);
	ck_assert_int_eq(c.total_mu, 60600);
	/* a new day restores the relief: 1 kWh = 10.00 p + 5 % = 0.50 p */
	account(e, at(2024, 1, 11, 0, 0), 0, 0);
	c = account(e, at(2024, 1, 11, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 10000);
	ck_assert_int_eq(c.levy_mu, 0);
	ck_assert_int_eq(c.tax_mu, 500);
	free(e);
}
END_TEST

START_TEST(test_tax_on_standing_charge)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();

	/* the marginal rule; 100.00 p a week = 1000 mu an instalment; de-minimis 2 kWh; tax 5 % /
	 * 20 % */
	flat_tariff(&t, 10 * PENCE);
	t.levy.rule = TARIFF_LEVY_MARGINAL;
	t.standing.amount_mu = 100 * PENCE;
	t.levy.de_minimis_mwh_per_day = 2 * KWH;
	t.levy.vat2_de_minimis_mwh_per_day = 2 * KWH; /* the same value for both, §7.8 */
	t.levy.reduced_tax_bp = 500;
	t.levy.standard_tax_bp = 2000;
	struct tariff_time t0 = at(2024, 1, 10, 0, 0);
	start(e, &t, t0);
	/* 01:41 (6060 s): one instalment, nothing imported today: 5 % of 1000 = 50 mu */
	struct tariff_charge c = account(e, at(2024, 1, 10, 1, 41), 0, 0);
	ck_assert_int_eq(c.standing_mu, 1000);
	ck_assert_int_eq(c.tax_mu, 50);
	/*
	 * 03:22 (12 120 s): 3 kWh in this call, 2 relieved (20 p, tax 1 p) and 1 above (10 p,
	 * tax 2 p); the second instalment finds the day above de-minimis: 20 % of 1000 = 200 mu.
	 * tax = 1000 + 2000 + 200 = 3200 mu
	 */
	c = account(e, at(2024, 1, 10, 3, 22), 3 * KWH, 0);
	ck_assert_int_eq(c.standing_mu, 1000);
	ck_assert_int_eq(c.tax_mu, 3200);
	free(e);
}
END_TEST

START_TEST(test_fractions_carried_not_lost)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();
	int64_t sum = 0;

	/* 15.001 p/kWh: 1 mWh costs 0.015001 mu */
	flat_tariff(&t, 15001);
	start(e, &t, at(2024, 1, 10, 0, 0));
	/* 1000 calls of 1 mWh = 1 kWh = 15.001 mu: 15 whole mu, as one call would give */
	for (int i = 1; i <= 1000; i++) {
		struct tariff_time time = at(2024, 1, 10, 0, 0);

		time.utc_s += i;
		time.seconds += i;
		sum += account(e, time, 1, 0).energy_mu;
	}
	ck_assert_int_eq(sum, 15);
	ck_assert_int_eq(e->import_mwh[0], 1000);
	free(e);
}
END_TEST

/* ---------------------------------------------------------------- deferred tariff, currency */

START_TEST(test_deferred_tariff_at_midnight)
{
	struct tariff active, next;
	struct tariff_engine *e = new_engine();
	struct tariff_error err = {{0}};

	flat_tariff(&active, 15 * PENCE);
	flat_tariff(&next, 20 * PENCE);
	start(e, &active, at(2024, 1, 2, 0, 0));
	struct tariff_date today = {2024, 1, 2}, activation = {2024, 1, 3};
	ck_assert_int_eq(tariff_engine_set_deferred(e, &next, &today, &err), -EINVAL);
	ck_assert_str_eq(err.message, "activation_date: 2024-01-02 is not after the current date");
	ck_assert_int_eq(tariff_engine_set_deferred(e, &next, &activation, &err), 0);
	/* 1 kWh before midnight at the old 15.00 p */
	account(e, at(2024, 1, 2, 23, 0), 0, 0);
	struct tariff_charge c = account(e, at(2024, 1, 3, 0, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 15000);
	ck_assert(c.events & TARIFF_EVENT_TARIFF_ACTIVATED);
	ck_assert(c.events & TARIFF_EVENT_PERIOD_ROLLOVER);
	ck_assert(!e->has_deferred);
	/* after midnight at 20.00 p */
	c = account(e, at(2024, 1, 3, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 20000);
	free(e);
}
END_TEST

START_TEST(test_currency_conversion_on_date)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();
	struct tariff_error err = {{0}};

	/* 15.001 p/kWh and 100.00 p a week standing charge */
	flat_tariff(&t, 15001);
	t.standing.amount_mu = 100 * PENCE;
	start(e, &t, at(2024, 1, 1, 12, 0));
	struct tariff_date date = {2024, 1, 2};
	ck_assert_int_eq(tariff_engine_set_currency_conversion(e, &date, 1, 5, 0, &err), -EINVAL);
	ck_assert_str_eq(err.message, "conversion.factor: 1/5 not in 0.25..4");
	ck_assert_int_eq(tariff_engine_set_currency_conversion(e, &date, 9, 2, 0, &err), -EINVAL);
	ck_assert_int_eq(tariff_engine_set_currency_conversion(e, &date, 1, 2, 0, &err), 0);
	/* 1 kWh before midnight at the old price: 15 001 mu; and the standing charge due before
	 * it (§8.11 converts at 00:00): from 12:00, 7 instalments (7 x 6048 = 42 336 <= 43 200 s)
	 * of 100 000 / 100 = 1000 mu, 7000 */
	struct tariff_charge c = account(e, at(2024, 1, 2, 0, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 15001);
	ck_assert_int_eq(c.standing_mu, 7000);
	ck_assert(c.events & TARIFF_EVENT_CURRENCY);
	ck_assert_int_eq(c.currency_num, 1);
	ck_assert_int_eq(c.currency_den, 2);
	/* 15 001 / 2 = 7500.5, half up: 7501; 100 000 / 2 = 50 000 a week */
	ck_assert_int_eq(e->active.price_mu_per_kwh[0][0], 7501);
	ck_assert_int_eq(e->active.standing.amount_mu, 50000);
	c = account(e, at(2024, 1, 2, 1, 0), 1 * KWH, 0);
	ck_assert_int_eq(c.energy_mu, 7501);
	ck_assert(!(c.events & TARIFF_EVENT_CURRENCY));
	/* the 8th instalment (8 x 6048 = 48 384 s = 01:26:24) at the new price: 500 mu */
	c = account(e, at(2024, 1, 2, 2, 0), 0, 0);
	ck_assert_int_eq(c.standing_mu, 500);
	free(e);
}
END_TEST

/*
 * §8.11 with a change of minor units: a factor between currency units, and amounts counted in
 * minor units. GBP (2 digits) to JPY (0) at 1.5 yen a pound: 1 p = 1.5 / 100 yen, so every mu
 * x 15/10 x 10^-2 = 3/200. 15.001 p/kWh = 15 001 mu -> 15 001 x 3 / 200 = 225.015 -> 225 mu
 * (0.225 yen); 100.00 p a week = 100 000 mu -> 1500 mu (1.5 yen). GBP to BHD (3 digits) at
 * 0.5: x 5/10 x 10 = 5: 15 001 -> 75 005 mu (75.005 fils).
 */
START_TEST(test_currency_conversion_changes_minor_units)
{
	struct tariff t;
	struct tariff_engine *e = new_engine();
	struct tariff_error err = {{0}};
	struct tariff_date date = {2024, 1, 2};
	struct tariff_charge c;

	flat_tariff(&t, 15001);
	t.standing.amount_mu = 100 * PENCE;
	start(e, &t, at(2024, 1, 1, 12, 0));
	ck_assert_int_eq(tariff_engine_set_currency_conversion(e, &date, 15, 10, 5, &err), -EINVAL);
	ck_assert_str_eq(err.message, "conversion.decimal_shift: 5 not in -4..4");
	ck_assert_int_eq(tariff_engine_set_currency_conversion(e, &date, 15, 10, -2, &err), 0);
	ck_assert_int_eq(e->conversion_num, 3);
	ck_assert_int_eq(e->conversion_den, 200);
	c = account(e, at(2024, 1, 2, 0, 0), 0, 0);
	ck_assert(c.events & TARIFF_EVENT_CURRENCY);
	ck_assert_int_eq(c.currency_num, 3);
	ck_assert_int_eq(c.currency_den, 200);
	ck_assert_int_eq(e->active.price_mu_per_kwh[0][0], 225);
	ck_assert_int_eq(e->active.standing.amount_mu, 1500);
	free(e);

	e = new_engine();
	start(e, &t, at(2024, 1, 1, 12, 0));
	ck_assert_int_eq(tariff_engine_set_currency_conversion(e, &date, 5, 10, 1, &err), 0);
	account(e, at(2024, 1, 2, 0, 0), 0, 0);
	ck_assert_int_eq(e->active.price_mu_per_kwh[0][0], 75005);
	free(e);
}
END_TEST

/* ---------------------------------------------------------------- validation */

/* A rejected tariff leaves every byte of the engine as it was. */
static void expect_rejected(const struct tariff *bad, const char *message)
{
	struct tariff good;
	struct tariff_engine *e = new_engine(), *copy = new_engine();
	struct tariff_error err = {{0}};
	struct tariff_time now = at(2024, 1, 10, 12, 0);

	day_night_tariff(&good);
	start(e, &good, at(2024, 1, 10, 0, 0));
	account(e, at(2024, 1, 10, 6, 0), 1 * KWH, 0);
	memcpy(copy, e, sizeof(*e));
	ck_assert_int_eq(tariff_validate(bad, &err), -EINVAL);
	ck_assert_str_eq(err.message, message);
	ck_assert_int_eq(tariff_engine_set_tariff(e, bad, &now, &err), -EINVAL);
	ck_assert_str_eq(err.message, message);
	struct tariff_date later = {2024, 2, 1};
	ck_assert_int_eq(tariff_engine_set_deferred(e, bad, &later, &err), -EINVAL);
	ck_assert(memcmp(copy, e, sizeof(*e)) == 0);
	free(e);
	free(copy);
}

START_TEST(test_validate_accepts_the_examples)
{
	struct tariff t;

	seasonal_tariff(&t);
	ck_assert_int_eq(tariff_validate(&t, NULL), 0);
	daily_resolved_tariff(&t, 1, 2);
	ck_assert_int_eq(tariff_validate(&t, NULL), 0);
}
END_TEST

START_TEST(test_validate_switch_points)
{
	struct tariff t;

	seasonal_tariff(&t);
	t.day_profiles[2].switches[2].start_s = hm(6, 0);
	expect_rejected(&t, "day_profile[2].switch[2]: time not increasing");
	seasonal_tariff(&t);
	t.day_profiles[1].switches[0].start_s = 60;
	expect_rejected(&t,
			"day_profile[1].switch[0]: first switch must be at 0 s (00:00), not 60");
	seasonal_tariff(&t);
	t.day_profiles[0].switches[4].start_s = 86400;
	expect_rejected(&t, "day_profile[0].switch[4]: time 86400 not in 0..86399");
	seasonal_tariff(&t);
	t.day_profiles[0].switches[3].rate = 3;
	expect_rejected(&t, "day_profile[0].switch[3].rate: 3 not below n_rates (3)");
	seasonal_tariff(&t);
	t.day_profiles[0].n_switches = 49;
	expect_rejected(&t, "day_profile[0].n_switches: 49 not in 1..48");
	seasonal_tariff(&t);
	t.day_profiles[0].switches[1].export_rate = 1;
	expect_rejected(&t, "day_profile[0].switch[1].export_rate: 1 not below n_export_rates (1)");
}
END_TEST

START_TEST(test_validate_seasons_and_special_days)
{
	struct tariff t;

	seasonal_tariff(&t);
	t.seasons[1].day_profile[6] = 3;
	expect_rejected(&t, "season[1].day_profile[6]: 3 not below n_day_profiles (3)");
	seasonal_tariff(&t);
	t.seasons[1].start_month = 4;
	expect_rejected(&t, "season[1].start: same start as season[0]");
	seasonal_tariff(&t);
	t.seasons[1].start_month = 2;
	t.seasons[1].start_day = 29;
	expect_rejected(&t, "season[1].start: 02-29 is not a date of every year");
	seasonal_tariff(&t);
	t.n_special_days = 2;
	t.special_days[0] =
	    (struct tariff_special_day){{0, 12, 25}, TARIFF_SPECIAL_FRIENDLY, 0, false};
	t.special_days[1] = t.special_days[0];
	expect_rejected(&t, "special_day[1].date: same date as special_day[0]");
	t.special_days[1].date.day = 26;
	t.special_days[1].flags = TARIFF_SPECIAL_PIN_RATE;
	t.special_days[1].rate = 5;
	expect_rejected(&t, "special_day[1].rate: 5 not below n_rates (3)");
	t.special_days[1].flags = 0;
	expect_rejected(&t, "special_day[1].flags: 0x0 is not a non-empty set of pin-rate, "
			    "pin-aux, friendly");
	t.special_days[1].flags = TARIFF_SPECIAL_FRIENDLY;
	t.special_days[1].date = (struct tariff_date){2023, 2, 29};
	expect_rejected(&t, "special_day[1].date: 2023-02-29 is not a date");
	t.n_special_days = 51;
	expect_rejected(&t, "n_special_days: 51 not in 0..50");
}
END_TEST

START_TEST(test_validate_blocks_and_period)
{
	struct tariff t;

	two_block_tariff(&t);
	t.blocks.n_blocks = 3;
	t.blocks.threshold_mwh[1] = 5 * KWH;
	t.price_mu_per_kwh[0][2] = 30 * PENCE;
	expect_rejected(&t, "blocks.threshold_mwh[1]: not increasing");
	two_block_tariff(&t);
	t.blocks.n_blocks = 9;
	expect_rejected(&t, "blocks.n_blocks: 9 not in 1..8");
	two_block_tariff(&t);
	t.blocks.basis = TARIFF_BLOCK_ON_RATE;
	t.blocks.daily_resolved = true;
	expect_rejected(&t, "blocks.daily_resolved: needs blocks on total import");
	two_block_tariff(&t);
	t.period.unit = TARIFF_PERIOD_DAYS;
	t.period.length = 116;
	expect_rejected(&t, "period.length: 116 not in 1..115 days");
	two_block_tariff(&t);
	t.period.length = 13;
	expect_rejected(&t, "period.length: 13 not in 1..12 months");
	two_block_tariff(&t);
	t.period.start.day = 29;
	expect_rejected(&t, "period.start.day: 29 not in 1..28");
}
END_TEST

START_TEST(test_validate_money)
{
	struct tariff t;

	two_block_tariff(&t);
	t.price_mu_per_kwh[0][1] = -1;
	expect_rejected(&t, "price[0][1]: -1 not in 0..100000000");
	two_block_tariff(&t);
	t.export_pricing.proportion_bp = 10001;
	expect_rejected(&t, "export.proportion_bp: 10001 not in 0..10000");
	two_block_tariff(&t);
	t.levy.standard_tax_bp = 20000;
	expect_rejected(&t, "levy.standard_tax_bp: 20000 not in 0..10000");
	flat_tariff(&t, 10 * PENCE);
	t.levy.rule = 2;
	expect_rejected(&t, "levy.rule: 2 is not a rule (0 daily average, 1 marginal)");
	flat_tariff(&t, 10 * PENCE);
	t.levy.vat2_de_minimis_mwh_per_day = -1;
	expect_rejected(&t, "levy.vat2_de_minimis_mwh_per_day: -1 not in 0..1000000000000");
	two_block_tariff(&t);
	t.standing.amount_mu = -5;
	expect_rejected(&t, "standing.amount_mu: -5 is not 0..1000000000000 per week");
}
END_TEST

START_TEST(test_bad_account_input_changes_nothing)
{
	struct tariff t;
	struct tariff_engine *e = new_engine(), *copy = new_engine();
	struct tariff_error err = {{0}};
	struct tariff_charge charge;

	tariff_engine_init(e);
	struct tariff_time now = at(2024, 1, 10, 1, 0);
	ck_assert_int_eq(tariff_engine_account(e, &now, 0, 0, &charge, &err), -EINVAL);
	ck_assert_str_eq(err.message, "engine: no tariff set");

	day_night_tariff(&t);
	start(e, &t, at(2024, 1, 10, 0, 0));
	memcpy(copy, e, sizeof(*e));
	/* 10 Jan 2024 is a Wednesday (3), not a Thursday */
	now.weekday = 4;
	ck_assert_int_eq(tariff_engine_account(e, &now, 1, 0, &charge, &err), -EINVAL);
	ck_assert_str_eq(err.message, "time.weekday: 4 does not match 2024-01-10 (3)");
	now = at(2024, 1, 10, 1, 0);
	now.seconds = 86400;
	ck_assert_int_eq(tariff_engine_account(e, &now, 1, 0, &charge, &err), -EINVAL);
	ck_assert_str_eq(err.message, "time.seconds: 86400 not in 0..86399");
	now = at(2024, 1, 10, 1, 0);
	ck_assert_int_eq(tariff_engine_account(e, &now, -1, 0, &charge, &err), -EINVAL);
	ck_assert_str_eq(err.message, "import_mwh: -1 not in 0..10000000000");
	ck_assert_int_eq(tariff_engine_account(e, &now, 0, -1, &charge, &err), -EINVAL);
	ck_assert_str_eq(err.message, "export_mwh: -1 not in 0..10000000000");
	now.month = 2;
	now.day = 30;
	ck_assert_int_eq(tariff_engine_account(e, &now, 1, 0, &charge, &err), -EINVAL);
	ck_assert_str_eq(err.message, "time.day: 2024-02-30 is not a date");
	ck_assert(memcmp(copy, e, sizeof(*e)) == 0);
	free(e);
	free(copy);
}
END_TEST

static Suite *tariff_suite(void)
{
	Suite *s = suite_create("tariff");
	TCase *tou = tcase_create("tou");
	TCase *blocks = tcase_create("blocks");
	TCase *daily = tcase_create("daily_resolved");
	TCase *exp = tcase_create("export");
	TCase *charges = tcase_create("charges");
	TCase *changes = tcase_create("changes");
	TCase *validation = tcase_create("validation");

	tcase_add_test(tou, test_mul_div_floors_either_side_of_64_bits);
	tcase_add_test(tou, test_flat_price);
	tcase_add_test(tou, test_tou_seasons_weekday_weekend);
	tcase_add_test(tou, test_season_starts_on_a_rule);
	tcase_add_test(tou, test_season_rule_refused);
	tcase_add_test(tou, test_tou_interval_priced_at_its_start);
	tcase_add_test(tou, test_tou_eight_rates_48_switches);
	tcase_add_test(tou, test_next_switch_for_the_timer);
	tcase_add_test(tou, test_aux_relay_follows_switches);
	tcase_add_test(tou, test_special_days_pin_rate_aux_friendly);
	tcase_add_test(tou, test_dst_spring_forward);
	tcase_add_test(tou, test_dst_fall_back_repeats_the_hour);
	suite_add_tcase(s, tou);

	tcase_add_test(blocks, test_block_crossing_split_pro_rata);
	tcase_add_test(blocks, test_block_on_one_rate_register);
	tcase_add_test(blocks, test_price_matrix_tou_and_blocks);
	tcase_add_test(blocks, test_eight_blocks);
	tcase_add_test(blocks, test_monthly_rollover_resets_blocks);
	tcase_add_test(blocks, test_month_periods_from_day_15_across_february);
	tcase_add_test(blocks, test_three_month_period);
	tcase_add_test(blocks, test_ninety_day_period);
	tcase_add_test(blocks, test_rollover_after_a_long_gap);
	suite_add_tcase(s, blocks);

	tcase_add_test(daily, test_daily_resolved_reconciliation_down);
	tcase_add_test(daily, test_daily_resolved_reconciliation_up);
	tcase_add_test(daily, test_daily_resolved_last_midnight_equals_period_blocks);
	tcase_add_test(daily, test_daily_resolved_with_tou_moves_only_what_crossed);
	suite_add_tcase(s, daily);

	tcase_add_test(exp, test_export_neutral);
	tcase_add_test(exp, test_export_credit);
	tcase_add_test(exp, test_export_deduct);
	tcase_add_test(exp, test_export_proportional);
	tcase_add_test(exp, test_export_own_tou);
	suite_add_tcase(s, exp);

	tcase_add_test(charges, test_standing_charge_instalments);
	tcase_add_test(charges, test_standing_charge_per_day);
	tcase_add_test(charges, test_standing_charge_not_collected_while_powered_down);
	tcase_add_test(charges, test_levy_on_the_daily_average);
	tcase_add_test(charges, test_levy_and_vat2_each_on_its_de_minimis);
	tcase_add_test(charges, test_vat2_without_levy);
	tcase_add_test(charges, test_marginal_with_two_de_minimis);
	tcase_add_test(charges, test_standing_charge_taxed_on_a_levied_day);
	tcase_add_test(charges, test_levy_and_tax_above_de_minimis);
	tcase_add_test(charges, test_tax_on_standing_charge);
	tcase_add_test(charges, test_fractions_carried_not_lost);
	suite_add_tcase(s, charges);

	tcase_add_test(changes, test_deferred_tariff_at_midnight);
	tcase_add_test(changes, test_currency_conversion_on_date);
	tcase_add_test(changes, test_currency_conversion_changes_minor_units);
	suite_add_tcase(s, changes);

	tcase_add_test(validation, test_validate_accepts_the_examples);
	tcase_add_test(validation, test_validate_switch_points);
	tcase_add_test(validation, test_validate_seasons_and_special_days);
	tcase_add_test(validation, test_validate_blocks_and_period);
	tcase_add_test(validation, test_validate_money);
	tcase_add_test(validation, test_bad_account_input_changes_nothing);
	suite_add_tcase(s, validation);
	return s;
}

int main(void)
{
	SRunner *runner = srunner_create(tariff_suite());
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
