// SPDX-License-Identifier: GPL-2.0-only
/*
 * The time-of-use objects (daemon/core/dlms/cosem-calendar.c, cosem-special-days.c,
 * cosem-register-activation.c, cosem-tariff-scripts.c, tou-calendar.c) through the directory,
 * against a fake meter holding a two-rate tariff. Expected bytes are written by hand from the
 * Blue Book's attribute layouts as the comments of those files give them (Data tags: 01 array,
 * 02 structure, 09 octet-string, 11 unsigned, 12 long-unsigned, 16 enum, 0F integer).
 *
 * The tariff "E7": rate 1 (night) and rate 2 (day), one export rate. Weekday profile (day_id
 * 1): 00:00 day, 00:30 night with the auxiliary relay, 07:30 day. Weekend profile (day_id 2):
 * night all day. One season from 1 January, weekdays on profile 1, Saturday and Sunday on 2.
 * Special days: 25 December every year on the night rate (pinned: the calendar's day_id 3,
 * "all day on rate 1"), and 4 May 2026 holding the relay only (not a rate: not listed).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/cosem-directory.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/cosem-time.h"
#include "core/dlms/tou-calendar.h"

static struct pm_cosem_directory dir;
static struct tariff active, future;
static struct pm_tou_passive passive;
static struct pm_snapshot snap;
static struct pm_cosem_meter meter;

static const struct pm_dlms_assoc_info management = {.client = PM_DLMS_CLIENT_MANAGEMENT};
static const struct pm_dlms_assoc_info public_client = {.client = PM_DLMS_CLIENT_PUBLIC};

/* What the meter was asked to do. */
static struct {
	int set_calls, cancel_calls;
	struct tariff tariff;
	char name[128];
	struct tariff_date date;
	int16_t deviation;
	enum pm_dlms_result answer; /* what set_future_tariff answers */
} asked;

static enum pm_dlms_result fake_set_future(void *data, const struct tariff *t, const char *name,
					   const struct tariff_date *date, int16_t deviation_min)
{
	(void)data;
	asked.set_calls++;
	if (asked.answer != PM_DLMS_SUCCESS)
		return asked.answer;
	asked.tariff = *t;
	snprintf(asked.name, sizeof(asked.name), "%s", name);
	asked.date = *date;
	asked.deviation = deviation_min;
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result fake_cancel(void *data)
{
	(void)data;
	asked.cancel_calls++;
	return PM_DLMS_SUCCESS;
}

static void economy7(struct tariff *t)
{
	memset(t, 0, sizeof(*t));
	t->n_rates = 2;
	t->n_export_rates = 1;
	t->n_day_profiles = 2;
	t->day_profiles[0] = (struct tariff_day_profile){
	    3, {{0, 1, 0, false}, {1800, 0, 0, true}, {27000, 1, 0, false}}};
	t->day_profiles[1] = (struct tariff_day_profile){1, {{0, 0, 0, false}}};
	t->n_seasons = 1;
	t->seasons[0] = (struct tariff_season){
	    .start_month = 1, .start_day = 1, .day_profile = {0, 0, 0, 0, 0, 1, 1}};
	t->n_special_days = 2;
	t->special_days[0] = (struct tariff_special_day){
	    {0, 12, 25}, TARIFF_SPECIAL_PIN_RATE | TARIFF_SPECIAL_FRIENDLY, 0, false};
	t->special_days[1] =
	    (struct tariff_special_day){{2026, 5, 4}, TARIFF_SPECIAL_PIN_AUX, 0, false};
	t->price_mu_per_kwh[0][0] = 15230;
	t->price_mu_per_kwh[1][0] = 30120;
	t->blocks.n_blocks = 1;
	t->period = (struct tariff_billing_period){TARIFF_PERIOD_MONTHS, 1, {2025, 1, 1}};
	t->standing = (struct tariff_standing_charge){TARIFF_STANDING_PER_DAY, 53530};
}

static void setup(void)
{
	economy7(&active);
	ck_assert_int_eq(tariff_validate(&active, NULL), 0);
	memset(&passive, 0, sizeof(passive));
	memset(&asked, 0, sizeof(asked));
	memset(&snap, 0, sizeof(snap));
	snap.account.valid = snap.account.has_tariff = true;
	snap.account.rate = 2;
	meter = (struct pm_cosem_meter){
	    .snap = &snap,
	    /* 2026-02-10 12:00 UTC; the zone is UTC all year */
	    .clock = {.utc_s = INT64_C(1770724800)},
	    .tariff = &active,
	    .tariff_name = "E7",
	    .passive = &passive,
	    .set_future_tariff = fake_set_future,
	    .cancel_future_tariff = fake_cancel,
	};
	ck_assert_int_eq(pm_cosem_directory_init(&dir), 0);
}

static void teardown(void)
{
	pm_cosem_directory_free(&dir);
}

static const uint8_t calendar_ln[6] = {0, 0, 13, 0, 0, 255};
static const uint8_t special_days_ln[6] = {0, 0, 11, 0, 0, 255};
static const uint8_t activation_ln[6] = {0, 0, 14, 0, 0, 255};
static const uint8_t scripts_ln[6] = {0, 0, 10, 0, 100, 255};

static const struct pm_cosem_object *find(const struct pm_dlms_assoc_info *who, uint16_t class_id,
					  const uint8_t ln[6])
{
	const struct pm_cosem_request req = {.assoc = who, .meter = &meter};

	return pm_cosem_directory_ops.find(&dir, &req, class_id, ln);
}

static enum pm_dlms_result get(uint16_t class_id, const uint8_t ln[6], uint8_t attr,
			       struct pm_axdr_out *out)
{
	const struct pm_cosem_request req = {.assoc = &management, .meter = &meter};
	const struct pm_cosem_object *o = find(&management, class_id, ln);

	ck_assert_ptr_nonnull(o);
	pm_axdr_out_reset(out);
	return pm_cosem_directory_ops.get(&dir, &req, o, attr, NULL, out);
}

static enum pm_dlms_result set(const struct pm_dlms_assoc_info *who, uint8_t attr,
			       const uint8_t *value, size_t len)
{
	const struct pm_cosem_request req = {.assoc = who, .meter = &meter};
	const struct pm_cosem_object *o = find(who, 20, calendar_ln);

	ck_assert_ptr_nonnull(o);
	return pm_cosem_directory_ops.set(&dir, &req, o, attr, value, len);
}

#define SET(attr, ...)                                                                             \
	({                                                                                         \
		static const uint8_t v_[] = {__VA_ARGS__};                                         \
		set(&management, attr, v_, sizeof(v_));                                            \
	})

#define OUT_EQ(o, ...)                                                                             \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		ck_assert(!(o)->overflow);                                                         \
		ck_assert_uint_eq((o)->len, sizeof(want_));                                        \
		ck_assert(memcmp((o)->buf, want_, sizeof(want_)) == 0);                            \
	} while (0)

/* A day action {start_time hh:mm:00.00, the tariffication script, script_selector rate}. */
#define ACTION(hh, mm, rate)                                                                       \
	0x02, 0x03, 0x09, 0x04, hh, mm, 0x00, 0x00, 0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64,      \
	    0xFF, 0x12, 0x00, rate
/* A season {name "S<k>", start every year on mm-dd at 00:00, week "W<k>"}. */
#define SEASON(k, mm, dd)                                                                          \
	0x02, 0x03, 0x09, 0x02, 'S', '0' + (k), 0x09, 0x0C, 0xFF, 0xFF, mm, dd, 0xFF, 0x00, 0x00,  \
	    0x00, 0x00, 0x80, 0x00, 0xFF, 0x09, 0x02, 'W', '0' + (k)

START_TEST(test_active_calendar)
{
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(20, calendar_ln, 2, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x02, 'E', '7');
	ck_assert_int_eq(get(20, calendar_ln, 3, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, SEASON(1, 1, 1));
	/* W1: Monday..Friday day_id 1, Saturday and Sunday 2 */
	ck_assert_int_eq(get(20, calendar_ln, 4, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, 0x02, 0x08, 0x09, 0x02, 'W', '1', 0x11, 1, 0x11, 1, 0x11, 1, 0x11,
	       1, 0x11, 1, 0x11, 2, 0x11, 2);
	/* day 1: 00:00 rate 2, 00:30 rate 1, 07:30 rate 2; day 2: 00:00 rate 1; day 3 (25
	   December's): 00:00 rate 1 */
	ck_assert_int_eq(get(20, calendar_ln, 5, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x03, 0x02, 0x02, 0x11, 1, 0x01, 0x03, ACTION(0, 0, 2), ACTION(0, 30, 1),
	       ACTION(7, 30, 2), 0x02, 0x02, 0x11, 2, 0x01, 0x01, ACTION(0, 0, 1), 0x02, 0x02, 0x11,
	       3, 0x01, 0x01, ACTION(0, 0, 1));
	/* no future tariff, nothing written: the passive calendar is a copy of the active one,
	   and no activation time is set */
	ck_assert_int_eq(get(20, calendar_ln, 6, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x02, 'E', '7');
	ck_assert_int_eq(get(20, calendar_ln, 7, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, SEASON(1, 1, 1));
	ck_assert_int_eq(get(20, calendar_ln, 10, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00,
	       0xFF);
	pm_axdr_out_free(&out);
}
END_TEST

START_TEST(test_special_days_activation_scripts)
{
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 4096);
	/* 25 December every year (year FFFF, weekday FF) on day_id 3; 4 May is relay only */
	ck_assert_int_eq(get(11, special_days_ln, 2, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, 0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x05, 0xFF, 0xFF, 0x0C, 0x19,
	       0xFF, 0x11, 0x03);
	/* registers: 1.0.1.8.1.255, 1.0.1.8.2.255, 1.0.2.8.1.255 (class 3) */
	ck_assert_int_eq(get(6, activation_ln, 2, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x03, 0x02, 0x02, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 1, 8, 1, 0xFF,
	       0x02, 0x02, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 1, 8, 2, 0xFF, 0x02, 0x02, 0x12,
	       0x00, 0x03, 0x09, 0x06, 1, 0, 2, 8, 1, 0xFF);
	/* masks "1" {1, 3} and "2" {2, 3}: the single export register counts under both */
	ck_assert_int_eq(get(6, activation_ln, 3, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x02, 0x02, 0x02, 0x09, 0x01, 0x01, 0x01, 0x02, 0x11, 1, 0x11, 3, 0x02,
	       0x02, 0x09, 0x01, 0x02, 0x01, 0x02, 0x11, 2, 0x11, 3);
	/* rate 2 in force */
	ck_assert_int_eq(get(6, activation_ln, 4, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x01, 0x02);
	/* script r writes the Register activation's active_mask (class 6, attribute 4) with r */
	ck_assert_int_eq(get(9, scripts_ln, 2, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x02, 0x02, 0x02, 0x12, 0x00, 0x01, 0x01, 0x01, 0x02, 0x05, 0x16, 0x01,
	       0x12, 0x00, 0x06, 0x09, 0x06, 0, 0, 14, 0, 0, 0xFF, 0x0F, 0x04, 0x09, 0x01, 0x01,
	       0x02, 0x02, 0x12, 0x00, 0x02, 0x01, 0x01, 0x02, 0x05, 0x16, 0x01, 0x12, 0x00, 0x06,
	       0x09, 0x06, 0, 0, 14, 0, 0, 0xFF, 0x0F, 0x04, 0x09, 0x01, 0x02);
	/* without a tariff they have nothing to say */
	meter.tariff = NULL;
	ck_assert_int_eq(get(20, calendar_ln, 3, &out), PM_DLMS_OBJECT_UNAVAILABLE);
	ck_assert_int_eq(get(11, special_days_ln, 2, &out), PM_DLMS_OBJECT_UNAVAILABLE);
	ck_assert_int_eq(get(6, activation_ln, 2, &out), PM_DLMS_OBJECT_UNAVAILABLE);
	pm_axdr_out_free(&out);
}
END_TEST

/* A passive calendar: night 01:00-08:00 on weekdays, night all weekend. */
static void write_valid_passive(void)
{
	ck_assert_int_eq(SET(6, 0x09, 0x03, 'E', '7', 'b'), PM_DLMS_SUCCESS);
	ck_assert_int_eq(SET(9, 0x01, 0x02, 0x02, 0x02, 0x11, 1, 0x01, 0x03, ACTION(0, 0, 2),
			     ACTION(1, 0, 1), ACTION(8, 0, 2), 0x02, 0x02, 0x11, 2, 0x01, 0x01,
			     ACTION(0, 0, 1)),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(SET(8, 0x01, 0x01, 0x02, 0x08, 0x09, 0x02, 'W', '1', 0x11, 1, 0x11, 1,
			     0x11, 1, 0x11, 1, 0x11, 1, 0x11, 2, 0x11, 2),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(SET(7, 0x01, 0x01, SEASON(1, 1, 1)), PM_DLMS_SUCCESS);
}

/* 2026-03-01 00:00:00, weekday and deviation not specified. */
#define MARCH1 0x09, 0x0C, 0x07, 0xEA, 0x03, 0x01, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF

START_TEST(test_passive_set_becomes_the_future_tariff)
{
	struct pm_axdr_out out;
	const struct tariff_day_profile *d;

	pm_axdr_out_init_heap(&out, 4096);
	write_valid_passive();
	/* read back before activation: what was written */
	ck_assert_int_eq(get(20, calendar_ln, 6, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x03, 'E', '7', 'b');
	ck_assert_int_eq(get(20, calendar_ln, 9, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x02, 0x02, 0x02, 0x11, 1, 0x01, 0x03, ACTION(0, 0, 2), ACTION(1, 0, 1),
	       ACTION(8, 0, 2), 0x02, 0x02, 0x11, 2, 0x01, 0x01, ACTION(0, 0, 1));
	ck_assert_int_eq(asked.set_calls, 0);
	/* the active calendar did not move */
	ck_assert_int_eq(get(20, calendar_ln, 2, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x02, 'E', '7');

	ck_assert_int_eq(SET(10, MARCH1), PM_DLMS_SUCCESS);
	ck_assert_int_eq(asked.set_calls, 1);
	ck_assert_str_eq(asked.name, "E7b");
	ck_assert_int_eq(asked.date.year, 2026);
	ck_assert_int_eq(asked.date.month, 3);
	ck_assert_int_eq(asked.date.day, 1);
	ck_assert_int_eq(asked.deviation, PM_COSEM_DEVIATION_ANY);
	/* the candidate: weekday profile 0 s rate 2, 3600 s rate 1, 28 800 s rate 2 (0-based
	   1, 0, 1); at 01:00 the active weekday profile had the relay closed (since 00:30), so
	   the new night switch keeps it closed; weekend all night */
	ck_assert_int_eq(tariff_validate(&asked.tariff, NULL), 0);
	ck_assert_uint_eq(asked.tariff.n_day_profiles, 2);
	d = &asked.tariff.day_profiles[0];
	ck_assert_uint_eq(d->n_switches, 3);
	ck_assert_int_eq(d->switches[1].start_s, 3600);
	ck_assert_uint_eq(d->switches[0].rate, 1);
	ck_assert_uint_eq(d->switches[1].rate, 0);
	ck_assert(d->switches[1].aux_relay);
	ck_assert_int_eq(d->switches[2].start_s, 28800);
	ck_assert(!d->switches[2].aux_relay);
	ck_assert_uint_eq(asked.tariff.day_profiles[1].n_switches, 1);
	ck_assert_uint_eq(asked.tariff.seasons[0].day_profile[5], 1);
	/* everything but the time of use is the active tariff's */
	ck_assert_int_eq(asked.tariff.price_mu_per_kwh[1][0], 30120);
	ck_assert_uint_eq(asked.tariff.n_special_days, 2);
	ck_assert_int_eq(asked.tariff.standing.amount_mu, 53530);
	/* what was written is now the future tariff's: the staging is empty */
	ck_assert(!passive.has_name && !passive.has_days);
	pm_axdr_out_free(&out);
}
END_TEST

/* With a future tariff, the passive attributes read it, and attribute 10 its date. */
START_TEST(test_passive_reads_the_future_tariff)
{
	struct pm_axdr_out out;

	economy7(&future);
	future.seasons[0].start_month = 4;
	meter.future_tariff = &future;
	meter.future_tariff_name = "Summer";
	meter.future_tariff_date = (struct tariff_date){2026, 4, 1};
	pm_axdr_out_init_heap(&out, 4096);
	ck_assert_int_eq(get(20, calendar_ln, 6, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x06, 'S', 'u', 'm', 'm', 'e', 'r');
	ck_assert_int_eq(get(20, calendar_ln, 7, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, SEASON(1, 4, 1));
	/* 2026-04-01 is a Wednesday (1 January a Thursday, + 90 days): 00:00 UTC */
	ck_assert_int_eq(get(20, calendar_ln, 10, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0x0C, 0x07, 0xEA, 0x04, 0x01, 0x03, 0, 0, 0, 0, 0x00, 0x00, 0x00);
	/* the active ones still read the active tariff */
	ck_assert_int_eq(get(20, calendar_ln, 3, &out), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x01, 0x01, SEASON(1, 1, 1));
	pm_axdr_out_free(&out);
}
END_TEST

/* Activations that must change nothing: the meter is never asked, the staging stays. */
START_TEST(test_invalid_calendars_change_nothing)
{
	struct pm_tou_passive before;

	write_valid_passive();
	/* a day profile using rate 3 of a two-rate tariff */
	ck_assert_int_eq(SET(9, 0x01, 0x02, 0x02, 0x02, 0x11, 1, 0x01, 0x01, ACTION(0, 0, 3), 0x02,
			     0x02, 0x11, 2, 0x01, 0x01, ACTION(0, 0, 1)),
			 PM_DLMS_SUCCESS);
	before = passive;
	ck_assert_int_eq(SET(10, MARCH1), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(asked.set_calls, 0);
	ck_assert(memcmp(&before, &passive, sizeof(passive)) == 0);

	/* a week naming day profile 9, which the day table does not have */
	write_valid_passive();
	ck_assert_int_eq(SET(8, 0x01, 0x01, 0x02, 0x08, 0x09, 0x02, 'W', '1', 0x11, 1, 0x11, 1,
			     0x11, 1, 0x11, 1, 0x11, 1, 0x11, 9, 0x11, 2),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(SET(10, MARCH1), PM_DLMS_OTHER_REASON);
	/* a season naming week W2, which the week table does not have */
	write_valid_passive();
	ck_assert_int_eq(SET(7, 0x01, 0x01, SEASON(2, 1, 1)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(SET(10, MARCH1), PM_DLMS_OTHER_REASON);
	/* a day whose first action is not at 00:00 */
	write_valid_passive();
	ck_assert_int_eq(SET(9, 0x01, 0x02, 0x02, 0x02, 0x11, 1, 0x01, 0x01, ACTION(6, 0, 1), 0x02,
			     0x02, 0x11, 2, 0x01, 0x01, ACTION(0, 0, 1)),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(SET(10, MARCH1), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(asked.set_calls, 0);

	/* a valid calendar at 01:00 instead of midnight */
	write_valid_passive();
	ck_assert_int_eq(SET(10, 0x09, 0x0C, 0x07, 0xEA, 0x03, 0x01, 0xFF, 0x01, 0x00, 0x00, 0x00,
			     0x80, 0x00, 0xFF),
			 PM_DLMS_OTHER_REASON);
	/* 2026-02-30 is no date */
	ck_assert_int_eq(SET(10, 0x09, 0x0C, 0x07, 0xEA, 0x02, 0x1E, 0xFF, 0x00, 0x00, 0x00, 0x00,
			     0x80, 0x00, 0xFF),
			 PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(asked.set_calls, 0);
	/* the meter refuses (a date not after today): its answer, the staging kept */
	asked.answer = PM_DLMS_OTHER_REASON;
	ck_assert_int_eq(SET(10, MARCH1), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(asked.set_calls, 1);
	ck_assert(passive.has_days);
}
END_TEST

/* SETs of the wrong shape or values the meter cannot take write nothing. */
START_TEST(test_bad_sets_write_nothing)
{
	struct pm_tou_passive before;

	write_valid_passive();
	before = passive;
	/* an integer, not an array */
	ck_assert_int_eq(SET(9, 0x0F, 0x00), PM_DLMS_TYPE_UNMATCHED);
	/* a week of 7 day_ids and no name */
	ck_assert_int_eq(SET(8, 0x01, 0x01, 0x02, 0x07, 0x11, 1, 0x11, 1, 0x11, 1, 0x11, 1, 0x11, 1,
			     0x11, 2, 0x11, 2),
			 PM_DLMS_TYPE_UNMATCHED);
	/* a season starting in a given year (2026) */
	ck_assert_int_eq(SET(7, 0x01, 0x01, 0x02, 0x03, 0x09, 0x02, 'S', '1', 0x09, 0x0C, 0x07,
			     0xEA, 0x01, 0x01, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF, 0x09,
			     0x02, 'W', '1'),
			 PM_DLMS_OTHER_REASON);
	/* a day action running another script table (the disconnect control's) */
	ck_assert_int_eq(SET(9, 0x01, 0x01, 0x02, 0x02, 0x11, 1, 0x01, 0x01, 0x02, 0x03, 0x09, 0x04,
			     0, 0, 0, 0, 0x09, 0x06, 0, 0, 10, 0, 106, 0xFF, 0x12, 0x00, 0x01),
			 PM_DLMS_OTHER_REASON);
	/* two day profiles with day_id 1 */
	ck_assert_int_eq(SET(9, 0x01, 0x02, 0x02, 0x02, 0x11, 1, 0x01, 0x01, ACTION(0, 0, 1), 0x02,
			     0x02, 0x11, 1, 0x01, 0x01, ACTION(0, 0, 2)),
			 PM_DLMS_OTHER_REASON);
	/* trailing bytes after the value */
	ck_assert_int_eq(SET(6, 0x09, 0x01, 'x', 0x00), PM_DLMS_TYPE_UNMATCHED);
	ck_assert(memcmp(&before, &passive, sizeof(passive)) == 0);
	/* the active attributes and the public client cannot write */
	ck_assert_int_eq(SET(2, 0x09, 0x01, 'x'), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(set(&public_client, 6, (const uint8_t[]){0x09, 0x01, 'x'}, 3),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert(memcmp(&before, &passive, sizeof(passive)) == 0);
}
END_TEST

/* Method 1: the passive calendar from the next local midnight, 2026-02-11. */
START_TEST(test_activate_method_is_tomorrow)
{
	const struct pm_cosem_request req = {.assoc = &management, .meter = &meter};
	const struct pm_cosem_request pub = {.assoc = &public_client, .meter = &meter};
	const struct pm_cosem_object *o = find(&management, 20, calendar_ln);
	static const uint8_t zero[] = {0x0F, 0x00};
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 64);
	write_valid_passive();
	ck_assert_int_eq(pm_cosem_directory_ops.action(&dir, &pub, o, 1, zero, sizeof(zero), &out),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(pm_cosem_directory_ops.action(&dir, &req, o, 1, zero, sizeof(zero), &out),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(asked.set_calls, 1);
	ck_assert_int_eq(asked.date.year, 2026);
	ck_assert_int_eq(asked.date.month, 2);
	ck_assert_int_eq(asked.date.day, 11);
	ck_assert_str_eq(asked.name, "E7b");
	/* a zone 13 hours east (Pacific/Auckland in summer): 12:00 UTC on the 10th is 01:00 on
	   the 11th there, so tomorrow is the 12th */
	meter.clock.dst_enabled = false;
	meter.clock.std_offset_s = 13 * 3600;
	ck_assert_int_eq(pm_cosem_directory_ops.action(&dir, &req, o, 1, NULL, 0, &out),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(asked.date.day, 12);
	pm_axdr_out_free(&out);
}
END_TEST

/* Attribute 10 with every date field not specified cancels the future tariff. */
START_TEST(test_unspecified_time_cancels)
{
	ck_assert_int_eq(SET(10, 0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
			     0x80, 0x00, 0xFF),
			 PM_DLMS_SUCCESS);
	ck_assert_int_eq(asked.cancel_calls, 1);
	ck_assert_int_eq(asked.set_calls, 0);
}
END_TEST

/* The conversion itself: seasons in any order come out sorted by start. */
START_TEST(test_seasons_sorted_by_start)
{
	struct tariff t;
	struct pm_tou_calendar cal;

	economy7(&t);
	t.n_seasons = 2;
	t.seasons[0] = (struct tariff_season){
	    .start_month = 10, .start_day = 1, .day_profile = {0, 0, 0, 0, 0, 1, 1}};
	t.seasons[1] = (struct tariff_season){
	    .start_month = 4, .start_day = 1, .day_profile = {1, 1, 1, 1, 1, 1, 1}};
	ck_assert_int_eq(tariff_validate(&t, NULL), 0);
	pm_tou_from_tariff(&t, "two seasons", &cal);
	ck_assert_uint_eq(cal.n_seasons, 2);
	ck_assert_uint_eq(cal.seasons[0].month, 4);
	ck_assert_uint_eq(cal.weeks[0].day_id[0], 2);
	ck_assert_uint_eq(cal.seasons[1].month, 10);
	ck_assert_uint_eq(cal.weeks[1].day_id[0], 1);
	ck_assert_uint_eq(cal.name_len, 11);
}
END_TEST

static Suite *calendar_suite(void)
{
	Suite *s = suite_create("cosem_calendar");
	TCase *tc = tcase_create("calendar");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_active_calendar);
	tcase_add_test(tc, test_special_days_activation_scripts);
	tcase_add_test(tc, test_passive_set_becomes_the_future_tariff);
	tcase_add_test(tc, test_passive_reads_the_future_tariff);
	tcase_add_test(tc, test_invalid_calendars_change_nothing);
	tcase_add_test(tc, test_bad_sets_write_nothing);
	tcase_add_test(tc, test_activate_method_is_tomorrow);
	tcase_add_test(tc, test_unspecified_time_cancels);
	tcase_add_test(tc, test_seasons_sorted_by_start);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(calendar_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
