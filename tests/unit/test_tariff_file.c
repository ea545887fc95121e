// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the tariff file parser (daemon/meter/tariff-file.c).
 *
 * Money in mu (1/1000 of the smallest unit: with GBP, 1 p = 1000 mu, so 1 GBP = 100 000 mu),
 * energy in mWh (1 kWh = 1 000 000 mWh), percentages in basis points (1 % = 100 bp). The example
 * files are read from daemon/dist/tariff-examples/ relative to the current directory (the
 * repository root under `make check`). Every expected value is worked out in the comment above it.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/tariff-file.h"

#define KWH INT64_C(1000000)
#define EXAMPLES "daemon/dist/tariff-examples/"

static int32_t hm(int hour, int minute)
{
	return hour * 3600 + minute * 60;
}

static struct tariff *load_example(const char *name, struct pm_tariff_file_info *info)
{
	struct tariff *t = calloc(1, sizeof(*t));
	char path[256], err[512] = "";

	ck_assert_ptr_nonnull(t);
	snprintf(path, sizeof(path), EXAMPLES "%s", name);
	ck_assert_msg(pm_tariff_file_load(path, t, info, err, sizeof(err)) == 0, "%s", err);
	return t;
}

static void assert_switch(const struct tariff_switch *s, int32_t start_s, unsigned rate,
			  unsigned export_rate, bool aux)
{
	ck_assert_int_eq(s->start_s, start_s);
	ck_assert_uint_eq(s->rate, rate);
	ck_assert_uint_eq(s->export_rate, export_rate);
	ck_assert(s->aux_relay == aux);
}

static void assert_special(const struct tariff_special_day *d, int year, int month, int day,
			   unsigned flags, unsigned rate, bool aux)
{
	ck_assert_int_eq(d->date.year, year);
	ck_assert_int_eq(d->date.month, month);
	ck_assert_int_eq(d->date.day, day);
	ck_assert_uint_eq(d->flags, flags);
	ck_assert_uint_eq(d->rate, rate);
	ck_assert(d->aux_relay == aux);
}

/* ---------------------------------------------------------------- the examples */

START_TEST(test_example_uk_economy7)
{
	struct pm_tariff_file_info info;
	struct tariff *t = load_example("uk-economy7.json", &info);
	const unsigned pin_friendly = TARIFF_SPECIAL_PIN_RATE | TARIFF_SPECIAL_FRIENDLY;

	ck_assert_str_eq(info.name, "Economy 7 Saver, weekends off-peak");
	ck_assert_str_eq(info.currency, "GBP");
	ck_assert_int_eq(info.minor_units, 2);
	/* the rates' names, by register: "rates" key 1 is register 0 */
	ck_assert_str_eq(info.rate_names[0], "night");
	ck_assert_str_eq(info.rate_names[1], "day");
	ck_assert_str_eq(info.rate_names[2], "");
	ck_assert_str_eq(info.export_rate_names[0], "export");

	ck_assert_uint_eq(t->n_rates, 2);
	/* "0.1523" GBP = 15.23 p = 15 230 mu; "0.1675" = 16.75 p = 16 750 mu */
	ck_assert_int_eq(t->price_mu_per_kwh[0][0], 15230);
	ck_assert_int_eq(t->price_mu_per_kwh[0][1], 16750);
	/* "0.3012" = 30.12 p = 30 120 mu; "0.3315" = 33.15 p = 33 150 mu */
	ck_assert_int_eq(t->price_mu_per_kwh[1][0], 30120);
	ck_assert_int_eq(t->price_mu_per_kwh[1][1], 33150);
	ck_assert_int_eq(t->price_mu_per_kwh[0][2], 0);

	/* one threshold "300" kWh = 300 000 000 mWh: two blocks */
	ck_assert_uint_eq(t->blocks.n_blocks, 2);
	ck_assert_int_eq(t->blocks.threshold_mwh[0], 300 * KWH);
	ck_assert_int_eq(t->blocks.basis, TARIFF_BLOCK_ON_TOTAL_IMPORT);
	ck_assert(t->blocks.daily_resolved);

	/* export credit "0.15" = 15.00 p = 15 000 mu */
	ck_assert_int_eq(t->export_pricing.mode, TARIFF_EXPORT_CREDIT);
	ck_assert_uint_eq(t->n_export_rates, 1);
	ck_assert_int_eq(t->export_pricing.price_mu_per_kwh[0], 15000);
	ck_assert_uint_eq(t->export_pricing.proportion_bp, 0);

	/* day profiles in file order; rate "1" (night) is index 0, "2" (day) index 1 */
	ck_assert_uint_eq(t->n_day_profiles, 2);
	ck_assert_uint_eq(t->day_profiles[0].n_switches, 3);
	assert_switch(&t->day_profiles[0].switches[0], 0, 1, 0, false);
	assert_switch(&t->day_profiles[0].switches[1], hm(0, 30), 0, 0, true);
	assert_switch(&t->day_profiles[0].switches[2], hm(7, 30), 1, 0, false);
	ck_assert_uint_eq(t->day_profiles[1].n_switches, 3);
	assert_switch(&t->day_profiles[1].switches[0], 0, 0, 0, true);
	assert_switch(&t->day_profiles[1].switches[1], hm(9, 0), 1, 0, false);
	assert_switch(&t->day_profiles[1].switches[2], hm(23, 0), 0, 0, true);

	/* weekdays -> "weekday" (0), weekend -> "weekend" (1) */
	ck_assert_uint_eq(t->n_seasons, 1);
	ck_assert_int_eq(t->seasons[0].start_month, 1);
	ck_assert_int_eq(t->seasons[0].start_day, 1);
	const uint8_t week[7] = {0, 0, 0, 0, 0, 1, 1};
	ck_assert(memcmp(t->seasons[0].day_profile, week, 7) == 0);

	ck_assert_uint_eq(t->n_special_days, 3);
	assert_special(&t->special_days[0], 0, 12, 25, pin_friendly, 0, false);
	assert_special(&t->special_days[1], 0, 12, 26, pin_friendly, 0, false);
	assert_special(&t->special_days[2], 2025, 5, 5, TARIFF_SPECIAL_PIN_RATE, 0, false);

	ck_assert_int_eq(t->period.unit, TARIFF_PERIOD_MONTHS);
	ck_assert_int_eq(t->period.length, 1);
	ck_assert_int_eq(t->period.start.year, 2025);
	ck_assert_int_eq(t->period.start.month, 1);
	ck_assert_int_eq(t->period.start.day, 1);

	/* "0.5353" GBP a day = 53.53 p = 53 530 mu */
	ck_assert_int_eq(t->standing.unit, TARIFF_STANDING_PER_DAY);
	ck_assert_int_eq(t->standing.amount_mu, 53530);

	/* levy "0.00775" GBP = 0.775 p = 775 mu per kWh; "33" kWh; 5 % = 500 bp; 20 % = 2000 bp */
	ck_assert_int_eq(t->levy.levy_mu_per_kwh, 775);
	ck_assert_int_eq(t->levy.de_minimis_mwh_per_day, 33 * KWH);
	ck_assert_int_eq(t->levy.vat2_de_minimis_mwh_per_day, 33 * KWH); /* one key: both */
	ck_assert_uint_eq(t->levy.reduced_tax_bp, 500);
	ck_assert_uint_eq(t->levy.standard_tax_bp, 2000);
	ck_assert_uint_eq(t->levy.rule, TARIFF_LEVY_DAILY_AVERAGE); /* no "rule": the manual's */
	free(t);
}
END_TEST

/* The parsed example drives the engine: a night-rate kWh costs what the file says. */
START_TEST(test_example_uk_economy7_prices_a_kwh)
{
	struct tariff *t = load_example("uk-economy7.json", NULL);
	struct tariff_engine *e = calloc(1, sizeof(*e));
	struct tariff_error err = {{0}};
	struct tariff_charge charge;
	/* Wednesday 2025-01-15 = day 20103 since 1970-01-01, 00:30 and 01:00 local = UTC */
	struct tariff_time start = {20103 * INT64_C(86400) + hm(0, 30), 2025, 1, 15, 3, hm(0, 30)};
	struct tariff_time now = {20103 * INT64_C(86400) + hm(1, 0), 2025, 1, 15, 3, hm(1, 0)};

	ck_assert_ptr_nonnull(e);
	tariff_engine_init(e);
	ck_assert_msg(tariff_engine_set_tariff(e, t, &start, &err) == 0, "%s", err.message);
	ck_assert_msg(tariff_engine_account(e, &now, 1 * KWH, 0, &charge, &err) == 0, "%s",
		      err.message);
	/*
	 * 00:30-01:00 is the night rate, block 1 (1 kWh is below 300/31 kWh today): 15 230 mu.
	 * Below the 33 kWh de-minimis: no levy, 5 % tax = 761.5 mu, 761 now (0.5 carried).
	 * No standing charge instalment yet (the first is due 6048 s after 00:30).
	 */
	ck_assert_uint_eq(charge.rate, 0);
	ck_assert_int_eq(charge.energy_mu, 15230);
	ck_assert_int_eq(charge.levy_mu, 0);
	ck_assert_int_eq(charge.tax_mu, 761);
	ck_assert_int_eq(charge.standing_mu, 0);
	ck_assert_int_eq(charge.total_mu, 15991);
	ck_assert(charge.aux_relay);
	free(e);
	free(t);
}
END_TEST

START_TEST(test_example_uk_commercial_seasonal)
{
	struct tariff *t = load_example("uk-commercial-seasonal.json", NULL);

	ck_assert_uint_eq(t->n_rates, 3);
	/* no blocks: one price column. 13.50 p, 24.80 p, 41.25 p */
	ck_assert_uint_eq(t->blocks.n_blocks, 1);
	ck_assert_int_eq(t->price_mu_per_kwh[0][0], 13500);
	ck_assert_int_eq(t->price_mu_per_kwh[1][0], 24800);
	ck_assert_int_eq(t->price_mu_per_kwh[2][0], 41250);

	/* proportional: "50" % = 5000 bp; two export registers, no export prices */
	ck_assert_int_eq(t->export_pricing.mode, TARIFF_EXPORT_PROPORTIONAL);
	ck_assert_uint_eq(t->export_pricing.proportion_bp, 5000);
	ck_assert_uint_eq(t->n_export_rates, 2);
	ck_assert_int_eq(t->export_pricing.price_mu_per_kwh[0], 0);
	ck_assert_int_eq(t->export_pricing.price_mu_per_kwh[1], 0);

	ck_assert_uint_eq(t->n_day_profiles, 3);
	const struct tariff_day_profile *winter = &t->day_profiles[0];
	ck_assert_uint_eq(winter->n_switches, 5);
	assert_switch(&winter->switches[0], 0, 0, 0, false);
	assert_switch(&winter->switches[1], hm(7, 0), 1, 0, false);
	/* "16:00:00", rate 3 = index 2, export rate 2 = index 1 */
	assert_switch(&winter->switches[2], hm(16, 0), 2, 1, false);
	assert_switch(&winter->switches[3], hm(19, 0), 1, 0, false);
	assert_switch(&winter->switches[4], hm(23, 0), 0, 0, false);
	ck_assert_uint_eq(t->day_profiles[1].n_switches, 3);
	assert_switch(&t->day_profiles[1].switches[1], hm(7, 0), 1, 0, false);
	assert_switch(&t->day_profiles[1].switches[2], hm(23, 0), 0, 0, false);
	ck_assert_uint_eq(t->day_profiles[2].n_switches, 3);
	assert_switch(&t->day_profiles[2].switches[1], hm(9, 0), 1, 0, false);

	/* profiles: 0 winter_weekday, 1 summer_weekday, 2 weekend */
	ck_assert_uint_eq(t->n_seasons, 2);
	const uint8_t summer[7] = {1, 1, 1, 1, 1, 2, 2}, winter_week[7] = {0, 0, 0, 0, 0, 2, 2};
	ck_assert_int_eq(t->seasons[0].start_month, 4);
	ck_assert_int_eq(t->seasons[0].start_day, 1);
	ck_assert(memcmp(t->seasons[0].day_profile, summer, 7) == 0);
	ck_assert_int_eq(t->seasons[1].start_month, 10);
	ck_assert_int_eq(t->seasons[1].start_day, 1);
	ck_assert(memcmp(t->seasons[1].day_profile, winter_week, 7) == 0);

	ck_assert_uint_eq(t->n_special_days, 6);
	assert_special(&t->special_days[0], 0, 1, 1, TARIFF_SPECIAL_PIN_RATE, 0, false);
	assert_special(&t->special_days[1], 2025, 4, 18, TARIFF_SPECIAL_PIN_RATE, 0, false);
	assert_special(&t->special_days[5], 0, 12, 26, TARIFF_SPECIAL_PIN_RATE, 0, false);

	ck_assert_int_eq(t->period.unit, TARIFF_PERIOD_MONTHS);
	ck_assert_int_eq(t->period.length, 3);

	/* "12.60" GBP a week = 1260 p = 1 260 000 mu */
	ck_assert_int_eq(t->standing.unit, TARIFF_STANDING_PER_WEEK);
	ck_assert_int_eq(t->standing.amount_mu, 1260000);

	/* levy 775 mu/kWh; no de-minimis (0): 20 % on everything */
	ck_assert_int_eq(t->levy.levy_mu_per_kwh, 775);
	ck_assert_int_eq(t->levy.de_minimis_mwh_per_day, 0);
	ck_assert_uint_eq(t->levy.reduced_tax_bp, 0);
	ck_assert_uint_eq(t->levy.standard_tax_bp, 2000);
	free(t);
}
END_TEST

START_TEST(test_example_za_municipal_prepaid)
{
	struct pm_tariff_file_info info;
	struct tariff *t = load_example("za-municipal-prepaid.json", &info);

	ck_assert_str_eq(info.currency, "ZAR");
	ck_assert_int_eq(info.minor_units, 2);
	ck_assert_uint_eq(t->n_rates, 1);
	/* R 1.9640 = 196.40 c = 196 400 mu; 252.16 c; 354.38 c; 416.73 c */
	ck_assert_uint_eq(t->blocks.n_blocks, 4);
	ck_assert_int_eq(t->price_mu_per_kwh[0][0], 196400);
	ck_assert_int_eq(t->price_mu_per_kwh[0][1], 252160);
	ck_assert_int_eq(t->price_mu_per_kwh[0][2], 354380);
	ck_assert_int_eq(t->price_mu_per_kwh[0][3], 416730);
	ck_assert_int_eq(t->blocks.threshold_mwh[0], 50 * KWH);
	ck_assert_int_eq(t->blocks.threshold_mwh[1], 350 * KWH);
	ck_assert_int_eq(t->blocks.threshold_mwh[2], 600 * KWH);
	ck_assert_int_eq(t->blocks.basis, TARIFF_BLOCK_ON_TOTAL_IMPORT);
	ck_assert(!t->blocks.daily_resolved);

	ck_assert_int_eq(t->export_pricing.mode, TARIFF_EXPORT_DEDUCT);
	ck_assert_uint_eq(t->n_export_rates, 1);
	ck_assert_int_eq(t->export_pricing.price_mu_per_kwh[0], 196400);

	ck_assert_uint_eq(t->n_day_profiles, 1);
	ck_assert_uint_eq(t->day_profiles[0].n_switches, 5);
	assert_switch(&t->day_profiles[0].switches[0], 0, 0, 0, true);
	assert_switch(&t->day_profiles[0].switches[1], hm(6, 0), 0, 0, false);
	assert_switch(&t->day_profiles[0].switches[2], hm(9, 0), 0, 0, true);
	assert_switch(&t->day_profiles[0].switches[3], hm(17, 0), 0, 0, false);
	assert_switch(&t->day_profiles[0].switches[4], hm(21, 0), 0, 0, true);

	/* one season without "start": from 01-01, every day the same profile */
	ck_assert_uint_eq(t->n_seasons, 1);
	ck_assert_int_eq(t->seasons[0].start_month, 1);
	ck_assert_int_eq(t->seasons[0].start_day, 1);
	const uint8_t week[7] = {0, 0, 0, 0, 0, 0, 0};
	ck_assert(memcmp(t->seasons[0].day_profile, week, 7) == 0);

	ck_assert_uint_eq(t->n_special_days, 10);
	assert_special(&t->special_days[0], 0, 1, 1, TARIFF_SPECIAL_FRIENDLY, 0, false);
	assert_special(&t->special_days[4], 0, 6, 16, TARIFF_SPECIAL_FRIENDLY, 0, false);
	assert_special(&t->special_days[9], 0, 12, 26, TARIFF_SPECIAL_FRIENDLY, 0, false);

	ck_assert_int_eq(t->period.unit, TARIFF_PERIOD_MONTHS);
	ck_assert_int_eq(t->period.length, 1);
	ck_assert_int_eq(t->period.start.month, 7);

	/* no standing charge; VAT 15 % = 1500 bp on everything (no de-minimis) */
	ck_assert_int_eq(t->standing.amount_mu, 0);
	ck_assert_int_eq(t->levy.levy_mu_per_kwh, 0);
	ck_assert_uint_eq(t->levy.standard_tax_bp, 1500);
	free(t);
}
END_TEST

/* ---------------------------------------------------------------- a small tariff, varied */

/* Two rates, one day profile every day, monthly; each test changes one thing in it. */
static const char minimal[] =
    "{\n"
    "  \"version\": 1,\n"
    "  \"currency\": {\"code\": \"GBP\", \"minor_units\": 2},\n"
    "  \"rates\": {\"1\": {\"price_per_kwh\": \"0.20\"}, \"2\": {\"price_per_kwh\": \"0.10\"}},\n"
    "  \"day_profiles\": {\"normal\": [{\"at\": \"00:00\", \"rate\": 2},\n"
    "                                {\"at\": \"07:00\", \"rate\": 1},\n"
    "                                {\"at\": \"23:00\", \"rate\": 2}]},\n"
    "  \"seasons\": [{\"days\": {\"every_day\": \"normal\"}}],\n"
    "  \"billing_period\": {\"months\": 1, \"start\": \"2025-01-01\"}\n"
    "}\n";

/* text with the first `from` replaced by `to` (the caller frees). */
static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t head;
	char *result;

	ck_assert_msg(at != NULL, "'%s' not in the tariff text", from);
	head = (size_t)(at - text);
	result = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	ck_assert_ptr_nonnull(result);
	memcpy(result, text, head);
	strcpy(result + head, to);
	strcat(result, at + strlen(from));
	return result;
}

static char *edit(const char *from, const char *to)
{
	return replace(minimal, from, to);
}

/* Replaces in *text, freeing the old text. */
static void edit_more(char **text, const char *from, const char *to)
{
	char *result = replace(*text, from, to);

	free(*text);
	*text = result;
}

static struct tariff *parse_ok(const char *text)
{
	struct tariff *t = calloc(1, sizeof(*t));
	char err[512] = "";

	ck_assert_ptr_nonnull(t);
	ck_assert_msg(pm_tariff_file_parse("tariff.json", text, t, err, sizeof(err)) == 0, "%s",
		      err);
	return t;
}

/* The text is refused with exactly `message`, and *out is not touched at all. */
static void expect_error(const char *text, const char *message)
{
	struct tariff *t = malloc(sizeof(*t)), *copy = malloc(sizeof(*copy));
	struct pm_tariff_file_info info, info_copy;
	char err[512] = "";

	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(copy);
	memset(t, 0xa5, sizeof(*t));
	memcpy(copy, t, sizeof(*t));
	memset(&info, 0x5a, sizeof(info));
	info_copy = info;
	ck_assert_int_eq(pm_tariff_file_parse_info("tariff.json", text, t, &info, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, message);
	ck_assert(memcmp(copy, t, sizeof(*t)) == 0);
	ck_assert(memcmp(&info_copy, &info, sizeof(info)) == 0);
	free(t);
	free(copy);
}

static void expect_edit_error(const char *from, const char *to, const char *message)
{
	char *text = edit(from, to);

	expect_error(text, message);
	free(text);
}

START_TEST(test_minimal_and_defaults)
{
	struct tariff *t = parse_ok(minimal);

	ck_assert_uint_eq(t->n_rates, 2);
	/* "0.20" = 20 p = 20 000 mu, "0.10" = 10 000 mu */
	ck_assert_int_eq(t->price_mu_per_kwh[0][0], 20000);
	ck_assert_int_eq(t->price_mu_per_kwh[1][0], 10000);
	ck_assert_uint_eq(t->blocks.n_blocks, 1);
	/* without "export": neutral, one export register */
	ck_assert_int_eq(t->export_pricing.mode, TARIFF_EXPORT_NEUTRAL);
	ck_assert_uint_eq(t->n_export_rates, 1);
	ck_assert_uint_eq(t->n_special_days, 0);
	ck_assert_int_eq(t->standing.unit, TARIFF_STANDING_PER_WEEK);
	ck_assert_int_eq(t->standing.amount_mu, 0);
	ck_assert_int_eq(t->levy.standard_tax_bp, 0);
	ck_assert_int_eq(tariff_validate(t, NULL), 0);
	free(t);
}
END_TEST

START_TEST(test_peak_rates)
{
	struct tariff *t = malloc(sizeof(*t));
	struct pm_tariff_file_info info;
	char err[512] = "", *text;

	ck_assert_ptr_nonnull(t);
	/* none marked: no peak rate */
	ck_assert_int_eq(
	    pm_tariff_file_parse_info("tariff.json", minimal, t, &info, err, sizeof(err)), 0);
	ck_assert_uint_eq(info.peak_rates, 0);
	/* rate "1" (register 0) peak, rate "2" explicitly not: bit 0 only */
	text = edit("\"2\": {\"price_per_kwh\": \"0.10\"}",
		    "\"2\": {\"price_per_kwh\": \"0.10\", \"peak\": false}");
	{
		char *both = replace(text, "{\"price_per_kwh\": \"0.20\"}",
				     "{\"price_per_kwh\": \"0.20\", \"peak\": true}");

		ck_assert_int_eq(
		    pm_tariff_file_parse_info("tariff.json", both, t, &info, err, sizeof(err)), 0);
		ck_assert_uint_eq(info.peak_rates, 1u);
		free(both);
	}
	free(text);
	/* only rate "2" (register 1): bit 1 */
	text = edit("\"2\": {\"price_per_kwh\": \"0.10\"}",
		    "\"2\": {\"price_per_kwh\": \"0.10\", \"peak\": true}");
	ck_assert_int_eq(pm_tariff_file_parse_info("tariff.json", text, t, &info, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(info.peak_rates, 2u);
	free(text);
	free(t);
	expect_edit_error("{\"price_per_kwh\": \"0.20\"}",
			  "{\"price_per_kwh\": \"0.20\", \"peak\": \"yes\"}",
			  "tariff.json: rates.1.peak: must be true or false, not a string");
}
END_TEST

START_TEST(test_money_is_exact)
{
	struct tariff *t;
	char *text;

	/* trailing zeros past the finest step are exact: "0.15230000" = 15 230 mu */
	text = edit("\"0.20\"", "\"0.15230000\"");
	t = parse_ok(text);
	ck_assert_int_eq(t->price_mu_per_kwh[0][0], 15230);
	free(text);
	free(t);

	/* the finest step with minor_units 2: "0.00001" GBP = 0.001 p = 1 mu */
	text = edit("\"0.20\"", "\"0.00001\"");
	t = parse_ok(text);
	ck_assert_int_eq(t->price_mu_per_kwh[0][0], 1);
	free(text);
	free(t);

	/* the engine's limit 100 000 000 mu = 100 000 p = "1000" GBP per kWh is accepted */
	text = edit("\"0.20\"", "\"1000\"");
	t = parse_ok(text);
	ck_assert_int_eq(t->price_mu_per_kwh[0][0], 100000000);
	free(text);
	free(t);

	/* yen, no minor unit: "31" JPY = 31 yen = 31 000 mu */
	text = edit("\"GBP\", \"minor_units\": 2", "\"JPY\", \"minor_units\": 0");
	edit_more(&text, "\"0.20\"", "\"31\"");
	edit_more(&text, "\"0.10\"", "\"25\"");
	t = parse_ok(text);
	ck_assert_int_eq(t->price_mu_per_kwh[0][0], 31000);
	ck_assert_int_eq(t->price_mu_per_kwh[1][0], 25000);
	free(text);
	free(t);

	/* dinar, 3 minor units (fils): "0.0255" KWD = 25.5 fils = 25 500 mu */
	text = edit("\"GBP\", \"minor_units\": 2", "\"KWD\", \"minor_units\": 3");
	edit_more(&text, "\"0.20\"", "\"0.0255\"");
	t = parse_ok(text);
	ck_assert_int_eq(t->price_mu_per_kwh[0][0], 25500);
	free(text);
	free(t);
}
END_TEST

START_TEST(test_season_day_shorthands)
{
	/* a single day wins over "weekend", which wins over "every_day" */
	char *text = edit("{\"every_day\": \"normal\"}",
			  "{\"sunday\": \"sun\", \"every_day\": \"normal\", \"weekend\": \"sat\"}");
	struct tariff *t;
	/* profiles in file order: normal 0, sat 1, sun 2 */
	const uint8_t week[7] = {0, 0, 0, 0, 0, 1, 2};

	edit_more(&text, "\"rate\": 2}]}",
		  "\"rate\": 2}], \"sat\": [{\"at\": \"00:00\", \"rate\": 1}], "
		  "\"sun\": [{\"at\": \"00:00\", \"rate\": 2}]}");
	t = parse_ok(text);
	ck_assert_uint_eq(t->n_day_profiles, 3);
	ck_assert(memcmp(t->seasons[0].day_profile, week, 7) == 0);
	free(t);
	free(text);
}
END_TEST

/* ---------------------------------------------------------------- errors */

START_TEST(test_error_syntax_has_line_and_column)
{
	/* the comma after "version": 1 is missing: jansson stops at "currency", line 3, column
	 * 12, the last character of the string token it could not place */
	expect_edit_error("\"version\": 1,", "\"version\": 1",
			  "tariff.json:3:12: '}' expected near '\"currency\"'");
	/* a key twice is a syntax error too: line 9 is
	 * '  "billing_period": {"months": 1, "months": 2, ...': the second "months" ends at 42 */
	expect_edit_error("\"months\": 1,", "\"months\": 1, \"months\": 2,",
			  "tariff.json:9:42: duplicate object key near '\"months\"'");
	expect_error("", "tariff.json:1:0: '[' or '{' expected near end of file");
	expect_error("[]", "tariff.json: the document must be a JSON object { ... }, not an array");
}
END_TEST

START_TEST(test_error_unknown_key)
{
	expect_edit_error("{\"price_per_kwh\": \"0.20\"}", "{\"prise_per_kwh\": \"0.20\"}",
			  "tariff.json: rates.1.prise_per_kwh: unknown key (known here: name, "
			  "price_per_kwh, peak)");
	expect_edit_error("\"version\": 1,", "\"version\": 1, \"tarrif\": {},",
			  "tariff.json: tarrif: unknown key (known here: version, name, "
			  "description, currency, rates, blocks, export, day_profiles, seasons, "
			  "special_days, billing_period, standing_charge, levy)");
	expect_edit_error("\"months\": 1,", "\"months\": 1, \"start_day\": 1,",
			  "tariff.json: billing_period.start_day: unknown key (known here: days, "
			  "months, start)");
}
END_TEST

START_TEST(test_error_missing_and_types)
{
	expect_edit_error("\"version\": 1,", "", "tariff.json: version: missing (required)");
	expect_edit_error("\"version\": 1,", "\"version\": 2,",
			  "tariff.json: version: 2 is not supported: this polymeterd reads "
			  "version 1");
	expect_edit_error("{\"at\": \"07:00\", \"rate\": 1}", "{\"at\": \"07:00\"}",
			  "tariff.json: day_profiles.normal[1].rate: missing (required)");
	expect_edit_error("\"GBP\"", "\"pounds\"",
			  "tariff.json: currency.code: 'pounds' is not an ISO 4217 code (three "
			  "capital letters, e.g. GBP)");
	expect_edit_error("\"minor_units\": 2", "\"minor_units\": 5",
			  "tariff.json: currency.minor_units: 5 is not in 0..4");
	expect_edit_error(
	    "\"minor_units\": 2", "\"minor_units\": 2.0",
	    "tariff.json: currency.minor_units: must be a whole number, not a number");
	expect_edit_error("\"0.20\"", "0.20",
			  "tariff.json: rates.1.price_per_kwh: must be a decimal string such as "
			  "\"0.1523\": JSON numbers are binary floating point, amounts are kept "
			  "exactly");
	expect_edit_error("\"0.20\"", "\"0,20\"",
			  "tariff.json: rates.1.price_per_kwh: '0,20' is not a decimal number "
			  "(digits, optionally '.' and more digits, such as \"0.1523\")");
	expect_edit_error("\"0.20\"", "\"1e3\"",
			  "tariff.json: rates.1.price_per_kwh: '1e3' is not a decimal number "
			  "(digits, optionally '.' and more digits, such as \"0.1523\")");
	expect_edit_error("\"0.20\"", "\".5\"",
			  "tariff.json: rates.1.price_per_kwh: '.5' is not a decimal number "
			  "(digits, optionally '.' and more digits, such as \"0.1523\")");
}
END_TEST

START_TEST(test_error_bad_time)
{
	expect_edit_error("\"07:00\"", "\"25:00\"",
			  "tariff.json: day_profiles.normal[1].at: '25:00' is not a time of day "
			  "(HH:MM or HH:MM:SS, 00:00..23:59:59)");
	expect_edit_error("\"07:00\"", "\"7:00\"",
			  "tariff.json: day_profiles.normal[1].at: '7:00' is not a time of day "
			  "(HH:MM or HH:MM:SS, 00:00..23:59:59)");
	expect_edit_error("\"07:00\"", "\"23:30\"",
			  "tariff.json: day_profiles.normal[2].at: '23:00' is not after the "
			  "previous switch point");
	expect_edit_error("\"00:00\"", "\"00:30\"",
			  "tariff.json: day_profiles.normal[0].at: '00:30': the first switch point "
			  "must be at 00:00, so that every second of the day has a rate");
}
END_TEST

START_TEST(test_error_rate_out_of_range)
{
	expect_edit_error("{\"at\": \"07:00\", \"rate\": 1}", "{\"at\": \"07:00\", \"rate\": 3}",
			  "tariff.json: day_profiles.normal[1].rate: 3 is not a rate of this "
			  "tariff (rates 1..2)");
	expect_edit_error("{\"at\": \"07:00\", \"rate\": 1}", "{\"at\": \"07:00\", \"rate\": 0}",
			  "tariff.json: day_profiles.normal[1].rate: 0 is not a rate of this "
			  "tariff (rates 1..2)");
	expect_edit_error("{\"at\": \"07:00\", \"rate\": 1}",
			  "{\"at\": \"07:00\", \"rate\": 1, \"export_rate\": 2}",
			  "tariff.json: day_profiles.normal[1].export_rate: 2 is not an export "
			  "rate of this tariff (export rates 1..1)");
	expect_edit_error(
	    "\"1\": {\"price_per_kwh\": \"0.20\"}, \"2\"",
	    "\"1\": {\"price_per_kwh\": \"0.20\"}, \"9\"",
	    "tariff.json: rates.9: '9' is not a rate number: rates are numbered \"1\" "
	    "to \"8\"");
	expect_edit_error("\"1\": {\"price_per_kwh\": \"0.20\"}, \"2\"",
			  "\"1\": {\"price_per_kwh\": \"0.20\"}, \"3\"",
			  "tariff.json: rates: rate \"2\" is missing: rates are numbered 1..2 "
			  "without gaps");
}
END_TEST

START_TEST(test_error_unknown_day_profile)
{
	expect_edit_error("{\"every_day\": \"normal\"}", "{\"every_day\": \"norml\"}",
			  "tariff.json: seasons[0].days.every_day: no day profile named 'norml' "
			  "(day profiles: normal)");
	expect_edit_error("{\"every_day\": \"normal\"}", "{\"weekdays\": \"normal\"}",
			  "tariff.json: seasons[0].days: no day profile for saturday (give "
			  "\"saturday\", \"weekend\" or \"every_day\")");
}
END_TEST

START_TEST(test_error_money)
{
	/* 6 decimals of a pound = 1/10000 p, finer than 1 mu = 1/1000 p */
	expect_edit_error("\"0.20\"", "\"0.202345\"",
			  "tariff.json: rates.1.price_per_kwh: '0.202345' has too many decimals: "
			  "the finest step is 0.00001 GBP (5 decimals)");
	expect_edit_error("\"0.10\"", "\"-0.10\"",
			  "tariff.json: rates.2.price_per_kwh: '-0.10' is negative: it must be 0 "
			  "or more");
	/* 1000.00001 GBP = 100 000 001 mu, one over the engine's limit */
	expect_edit_error("\"0.20\"", "\"1000.00001\"",
			  "tariff.json: rates.1.price_per_kwh: '1000.00001' is above the limit of "
			  "1000 GBP per kWh");
	expect_edit_error("\"0.20\"", "\"99999999999999999999999\"",
			  "tariff.json: rates.1.price_per_kwh: '99999999999999999999999' is above "
			  "the limit of 1000 GBP per kWh");
	expect_edit_error("\"0.20\"", "[\"0.20\", \"0.30\"]",
			  "tariff.json: rates.1.price_per_kwh: 2 prices for 1 blocks (give one "
			  "price per block, or one string for every block)");
}
END_TEST

START_TEST(test_error_blocks)
{
	expect_edit_error(
	    "\"billing_period\"",
	    "\"blocks\": {\"thresholds_kwh\": [\"100\", \"100\"]}, \"billing_period\"",
	    "tariff.json: blocks.thresholds_kwh[1]: '100' is not above the previous "
	    "threshold '100'");
	expect_edit_error("\"billing_period\"",
			  "\"blocks\": {\"thresholds_kwh\": [\"250.5\", \"100\"]}, "
			  "\"billing_period\"",
			  "tariff.json: blocks.thresholds_kwh[1]: '100' is not above the previous "
			  "threshold '250.5'");
	expect_edit_error("\"billing_period\"",
			  "\"blocks\": {\"thresholds_kwh\": [\"0.0000001\"]}, \"billing_period\"",
			  "tariff.json: blocks.thresholds_kwh[0]: '0.0000001' has too many "
			  "decimals: the finest step is 0.000001 kWh (6 decimals)");
	expect_edit_error("\"billing_period\"",
			  "\"blocks\": {\"thresholds_kwh\": [\"100\"], \"basis\": \"rate\", "
			  "\"basis_rate\": 2, \"daily_resolved\": true}, \"billing_period\"",
			  "tariff.json: blocks.daily_resolved: needs \"basis\": \"total\"");
}
END_TEST

START_TEST(test_error_other_sections)
{
	expect_edit_error("\"months\": 1,", "\"months\": 1, \"days\": 30,",
			  "tariff.json: billing_period: give either \"days\" (1..115) or "
			  "\"months\" (1..12)");
	expect_edit_error(
	    "\"2025-01-01\"", "\"2025-01-31\"",
	    "tariff.json: billing_period.start: '2025-01-31': a billing period starts "
	    "on day 1..28 (every month has it)");
	expect_edit_error("\"2025-01-01\"", "\"2025-02-30\"",
			  "tariff.json: billing_period.start: '2025-02-30' is not a date "
			  "(YYYY-MM-DD)");
	expect_edit_error("\"billing_period\"",
			  "\"special_days\": [{\"date\": \"12-25\", \"friendly\": false}], "
			  "\"billing_period\"",
			  "tariff.json: special_days[0]: changes nothing: give \"rate\", "
			  "\"aux_relay\" or \"friendly\": true");
	expect_edit_error("\"billing_period\"",
			  "\"export\": {\"mode\": \"credit\"}, \"billing_period\"",
			  "tariff.json: export.rates: missing: mode 'credit' needs the price of "
			  "every export rate");
	expect_edit_error("\"billing_period\"",
			  "\"export\": {\"mode\": \"neutral\", \"proportion_percent\": \"50\"}, "
			  "\"billing_period\"",
			  "tariff.json: export.proportion_percent: only for mode 'proportional', "
			  "not 'neutral'");
	expect_edit_error("\"billing_period\"",
			  "\"levy\": {\"standard_tax_percent\": \"20.005\"}, \"billing_period\"",
			  "tariff.json: levy.standard_tax_percent: '20.005' has too many decimals: "
			  "the finest step is 0.01 % (2 decimals)");
	expect_edit_error("\"billing_period\"",
			  "\"levy\": {\"standard_tax_percent\": \"120\"}, \"billing_period\"",
			  "tariff.json: levy.standard_tax_percent: '120' is above the limit of "
			  "100 %");
	expect_edit_error("\"billing_period\"",
			  "\"levy\": {\"rule\": \"average\"}, \"billing_period\"",
			  "tariff.json: levy.rule: 'average' is not a rule: give daily_average or "
			  "marginal");
	expect_edit_error("\"billing_period\"",
			  "\"standing_charge\": {\"per_day\": \"0.50\", \"per_week\": \"3.50\"}, "
			  "\"billing_period\"",
			  "tariff.json: standing_charge: give either \"per_day\" or \"per_week\"");
}
END_TEST

/* "rule": the levy's de-minimis rule, "daily_average" (§7.8, the default) or "marginal". */
START_TEST(test_levy_rule)
{
	char *text =
	    edit("\"billing_period\"", "\"levy\": {\"rule\": \"marginal\"}, \"billing_period\"");
	struct tariff *t = parse_ok(text);

	ck_assert_uint_eq(t->levy.rule, TARIFF_LEVY_MARGINAL);
	free(t);
	free(text);
	text = edit("\"billing_period\"",
		    "\"levy\": {\"rule\": \"daily_average\"}, \"billing_period\"");
	t = parse_ok(text);
	ck_assert_uint_eq(t->levy.rule, TARIFF_LEVY_DAILY_AVERAGE);
	free(t);
	free(text);
}
END_TEST

/*
 * §7.8's two de-minimis values, "for both CCL and VAT 2 application": de_minimis_kwh_per_day
 * is the levy's, vat_rate_2_de_minimis_kwh_per_day VAT rate 2's. Without the second, the
 * first serves both (as the one key did before): "33" kWh = 33 000 000 mWh each; with it,
 * "40.5" kWh = 40 500 000 mWh. A bad value is refused naming the key.
 */
START_TEST(test_levy_two_de_minimis)
{
	char *text = edit("\"billing_period\"",
			  "\"levy\": {\"de_minimis_kwh_per_day\": \"33\"}, \"billing_period\"");
	struct tariff *t = parse_ok(text);

	ck_assert_int_eq(t->levy.de_minimis_mwh_per_day, 33000000);
	ck_assert_int_eq(t->levy.vat2_de_minimis_mwh_per_day, 33000000);
	free(t);
	free(text);
	text = edit("\"billing_period\"",
		    "\"levy\": {\"de_minimis_kwh_per_day\": \"33\", "
		    "\"vat_rate_2_de_minimis_kwh_per_day\": \"40.5\"}, \"billing_period\"");
	t = parse_ok(text);
	ck_assert_int_eq(t->levy.de_minimis_mwh_per_day, 33000000);
	ck_assert_int_eq(t->levy.vat2_de_minimis_mwh_per_day, 40500000);
	free(t);
	free(text);
	/* only the second: the levy has no relief (0), VAT rate 2 above 10 kWh */
	text =
	    edit("\"billing_period\"", "\"levy\": {\"vat_rate_2_de_minimis_kwh_per_day\": \"10\"}, "
				       "\"billing_period\"");
	t = parse_ok(text);
	ck_assert_int_eq(t->levy.de_minimis_mwh_per_day, 0);
	ck_assert_int_eq(t->levy.vat2_de_minimis_mwh_per_day, 10000000);
	free(t);
	free(text);
	expect_edit_error(
	    "\"billing_period\"",
	    "\"levy\": {\"vat_rate_2_de_minimis_kwh_per_day\": \"-1\"}, "
	    "\"billing_period\"",
	    "tariff.json: levy.vat_rate_2_de_minimis_kwh_per_day: '-1' is negative: it "
	    "must be 0 or more");
	expect_edit_error("\"billing_period\"",
			  "\"levy\": {\"vat_rate_2_de_minimis_kwh_per_day\": 33}, "
			  "\"billing_period\"",
			  "tariff.json: levy.vat_rate_2_de_minimis_kwh_per_day: must be a decimal "
			  "string such as \"250.5\": JSON numbers are binary floating point, "
			  "amounts are kept exactly");
}
END_TEST

/* A season's start by rule: "last sunday of march" is month 3, weekday 7, week -1. */
START_TEST(test_season_start_rule)
{
	struct tariff *t = load_example("../../../tests/schema/valid/season-rule.json", NULL);

	ck_assert_int_eq(t->n_seasons, 2);
	ck_assert_int_eq(t->seasons[0].start_month, 3);
	ck_assert_int_eq(t->seasons[0].start_day, 0);
	ck_assert_int_eq(t->seasons[0].start_weekday, 7);
	ck_assert_int_eq(t->seasons[0].start_week, -1);
	ck_assert_int_eq(t->seasons[1].start_month, 10);
	free(t);
	expect_edit_error(
	    "\"days\": {", "\"start\": \"fifth monday of may\", \"days\": {",
	    "tariff.json: seasons[0].start: 'fifth monday of may' is neither MM-DD nor "
	    "a rule such as 'last sunday of march' (first, second, third, fourth or "
	    "last)");
}
END_TEST

START_TEST(test_error_refused_by_the_engine)
{
	/* valid JSON and a well-formed file, but a season cannot start on a day not in every year
	 */
	expect_edit_error("[{\"days\"", "[{\"start\": \"02-29\", \"days\"",
			  "tariff.json: seasons[0].start: '02-29' is not a date of every year: a "
			  "season starts every year");
	/* two special days on the same date */
	expect_edit_error("\"billing_period\"",
			  "\"special_days\": [{\"date\": \"12-25\", \"friendly\": true}, "
			  "{\"date\": \"12-25\", \"rate\": 1}], \"billing_period\"",
			  "tariff.json: special_days[1].date: the same date as special_days[0]");
}
END_TEST

START_TEST(test_load_errors)
{
	struct tariff t;
	char err[256];

	memset(&t, 0x11, sizeof(t));
	ck_assert_int_eq(pm_tariff_file_load(EXAMPLES "missing.json", &t, NULL, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, EXAMPLES "missing.json: No such file or directory");
	/* a directory opens but cannot be read */
	ck_assert_int_eq(pm_tariff_file_load(EXAMPLES, &t, NULL, err, sizeof(err)), -EISDIR);
	/* a short error buffer is cut, not overrun */
	ck_assert_int_eq(pm_tariff_file_parse("tariff.json", "[]", &t, err, 12), -EINVAL);
	ck_assert_str_eq(err, "tariff.json");
	ck_assert_int_eq(pm_tariff_file_parse("tariff.json", "[]", &t, NULL, 0), -EINVAL);
}
END_TEST

static Suite *tariff_file_suite(void)
{
	Suite *s = suite_create("tariff_file");
	TCase *examples = tcase_create("examples");
	TCase *values = tcase_create("values");
	TCase *errors = tcase_create("errors");

	tcase_add_test(examples, test_example_uk_economy7);
	tcase_add_test(examples, test_example_uk_economy7_prices_a_kwh);
	tcase_add_test(examples, test_example_uk_commercial_seasonal);
	tcase_add_test(examples, test_example_za_municipal_prepaid);
	suite_add_tcase(s, examples);

	tcase_add_test(values, test_minimal_and_defaults);
	tcase_add_test(values, test_money_is_exact);
	tcase_add_test(values, test_season_day_shorthands);
	tcase_add_test(values, test_peak_rates);
	suite_add_tcase(s, values);

	tcase_add_test(errors, test_error_syntax_has_line_and_column);
	tcase_add_test(errors, test_error_unknown_key);
	tcase_add_test(errors, test_error_missing_and_types);
	tcase_add_test(errors, test_error_bad_time);
	tcase_add_test(errors, test_error_rate_out_of_range);
	tcase_add_test(errors, test_error_unknown_day_profile);
	tcase_add_test(errors, test_error_money);
	tcase_add_test(errors, test_error_blocks);
	tcase_add_test(errors, test_error_other_sections);
	tcase_add_test(errors, test_levy_rule);
	tcase_add_test(errors, test_levy_two_de_minimis);
	tcase_add_test(errors, test_season_start_rule);
	tcase_add_test(errors, test_error_refused_by_the_engine);
	tcase_add_test(errors, test_load_errors);
	suite_add_tcase(s, errors);
	return s;
}

int main(void)
{
	SRunner *runner = srunner_create(tariff_file_suite());
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
