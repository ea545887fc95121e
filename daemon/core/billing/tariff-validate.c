// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Validation of a whole tariff and of a local time. Every check names the offending field the
 * way the tariff JSON does, so an installer can find it: "day_profile[2].switch[5]: ...".
 */
#include <errno.h>
#include <stdio.h>

#include "core/billing/tariff-internal.h"

int tariff_fail(struct tariff_error *err, const char *format, ...)
{
	va_list args;

	if (err) {
		va_start(args, format);
		vsnprintf(err->message, sizeof(err->message), format, args);
		va_end(args);
	}
	return -EINVAL;
}

static bool in_range(int64_t value, int64_t low, int64_t high)
{
	return value >= low && value <= high;
}

static int validate_day_profiles(const struct tariff *t, struct tariff_error *err)
{
	for (unsigned p = 0; p < t->n_day_profiles; p++) {
		const struct tariff_day_profile *profile = &t->day_profiles[p];

		if (!in_range(profile->n_switches, 1, TARIFF_MAX_SWITCHES))
			return tariff_fail(err, "day_profile[%u].n_switches: %u not in 1..%d", p,
					   profile->n_switches, TARIFF_MAX_SWITCHES);
		for (unsigned s = 0; s < profile->n_switches; s++) {
			const struct tariff_switch *sw = &profile->switches[s];

			if (!in_range(sw->start_s, 0, TARIFF_SECONDS_PER_DAY - 1))
				return tariff_fail(
				    err, "day_profile[%u].switch[%u]: time %d not in 0..86399", p,
				    s, (int)sw->start_s);
			if (s == 0 && sw->start_s != 0)
				return tariff_fail(
				    err,
				    "day_profile[%u].switch[0]: first switch must be at "
				    "0 s (00:00), not %d",
				    p, (int)sw->start_s);
			if (s > 0 && sw->start_s <= profile->switches[s - 1].start_s)
				return tariff_fail(
				    err, "day_profile[%u].switch[%u]: time not increasing", p, s);
			if (sw->rate >= t->n_rates)
				return tariff_fail(err,
						   "day_profile[%u].switch[%u].rate: %u not below "
						   "n_rates (%u)",
						   p, s, sw->rate, t->n_rates);
			if (sw->export_rate >= t->n_export_rates)
				return tariff_fail(
				    err,
				    "day_profile[%u].switch[%u].export_rate: %u not below "
				    "n_export_rates (%u)",
				    p, s, sw->export_rate, t->n_export_rates);
		}
	}
	return 0;
}

/* The days of its month on which a season can start, over all years: [*lo, *hi]. */
static void season_start_range(const struct tariff_season *season, int *lo, int *hi)
{
	if (season->start_week == 0) {
		*lo = *hi = season->start_day;
	} else if (season->start_week > 0) {
		*lo = 1 + 7 * (season->start_week - 1);
		*hi = *lo + 6;
	} else {
		/* the last weekday: within the last 7 days of a 28..31-day month */
		*lo = season->start_month == 2
			  ? 22
			  : pm_civil_days_in_month(2001, season->start_month) - 6;
		*hi = season->start_month == 2 ? 29 : *lo + 6;
	}
}

static int validate_season_start(const struct tariff_season *season, unsigned i,
				 struct tariff_error *err)
{
	if (season->start_week == 0) {
		/* A season start must exist every year, so 29 February is refused. */
		struct tariff_date start = {2001, season->start_month, season->start_day};

		if (!tariff_date_is_valid(&start))
			return tariff_fail(
			    err, "season[%u].start: %02d-%02d is not a date of every year", i,
			    season->start_month, season->start_day);
		if (season->start_weekday)
			return tariff_fail(err, "season[%u].start_weekday: %u with a date, not 0",
					   i, (unsigned)season->start_weekday);
		return 0;
	}
	if (season->start_week < -1 || season->start_week > 4)
		return tariff_fail(err, "season[%u].start_week: %d not -1 (last) or 0..4", i,
				   season->start_week);
	if (season->start_month < 1 || season->start_month > 12)
		return tariff_fail(err, "season[%u].start_month: %d not in 1..12", i,
				   season->start_month);
	if (season->start_weekday < 1 || season->start_weekday > 7)
		return tariff_fail(err, "season[%u].start_weekday: %u not in 1..7", i,
				   (unsigned)season->start_weekday);
	if (season->start_day)
		return tariff_fail(err, "season[%u].start_day: %d with a rule, not 0", i,
				   season->start_day);
	return 0;
}

static int validate_seasons(const struct tariff *t, struct tariff_error *err)
{
	for (unsigned i = 0; i < t->n_seasons; i++) {
		const struct tariff_season *season = &t->seasons[i];
		int lo, hi;

		if (validate_season_start(season, i, err) < 0)
			return -EINVAL;
		season_start_range(season, &lo, &hi);
		for (unsigned j = 0; j < i; j++) {
			int other_lo, other_hi;

			season_start_range(&t->seasons[j], &other_lo, &other_hi);
			if (t->seasons[j].start_month == season->start_month && lo <= other_hi &&
			    other_lo <= hi)
				return tariff_fail(
				    err,
				    season->start_week || t->seasons[j].start_week
					? "season[%u].start: can fall on the start of "
					  "season[%u]"
					: "season[%u].start: same start as season[%u]",
				    i, j);
		}
		for (unsigned w = 0; w < 7; w++)
			if (season->day_profile[w] >= t->n_day_profiles)
				return tariff_fail(err,
						   "season[%u].day_profile[%u]: %u not below "
						   "n_day_profiles (%u)",
						   i, w, season->day_profile[w], t->n_day_profiles);
	}
	return 0;
}

static int validate_special_days(const struct tariff *t, struct tariff_error *err)
{
	const unsigned known =
	    TARIFF_SPECIAL_PIN_RATE | TARIFF_SPECIAL_PIN_AUX | TARIFF_SPECIAL_FRIENDLY;

	for (unsigned i = 0; i < t->n_special_days; i++) {
		const struct tariff_special_day *special = &t->special_days[i];
		struct tariff_date date = special->date;

		/* A yearly special day may be 29 February: check it against a leap year. */
		if (date.year == 0)
			date.year = 2000;
		if (!tariff_date_is_valid(&date))
			return tariff_fail(
			    err, "special_day[%u].date: %04d-%02d-%02d is not a date", i,
			    special->date.year, special->date.month, special->date.day);
		for (unsigned j = 0; j < i; j++) {
			const struct tariff_date *other = &t->special_days[j].date;

			if (other->year == special->date.year &&
			    other->month == special->date.month && other->day == special->date.day)
				return tariff_fail(err,
						   "special_day[%u].date: same date as "
						   "special_day[%u]",
						   i, j);
		}
		if (special->flags == 0 || (special->flags & ~known))
			return tariff_fail(err,
					   "special_day[%u].flags: 0x%x is not a non-empty set of "
					   "pin-rate, pin-aux, friendly",
					   i, special->flags);
		if ((special->flags & TARIFF_SPECIAL_PIN_RATE) && special->rate >= t->n_rates)
			return tariff_fail(err, "special_day[%u].rate: %u not below n_rates (%u)",
					   i, special->rate, t->n_rates);
	}
	return 0;
}

static int validate_blocks(const struct tariff *t, struct tariff_error *err)
{
	const struct tariff_blocks *blocks = &t->blocks;

	if (!in_range(blocks->n_blocks, 1, TARIFF_MAX_BLOCKS))
		return tariff_fail(err, "blocks.n_blocks: %u not in 1..%d", blocks->n_blocks,
				   TARIFF_MAX_BLOCKS);
	for (unsigned i = 0; i + 1 < blocks->n_blocks; i++) {
		int64_t threshold = blocks->threshold_mwh[i];

		if (!in_range(threshold, 1, TARIFF_MAX_THRESHOLD_MWH))
			return tariff_fail(err, "blocks.threshold_mwh[%u]: %lld not in 1..%lld", i,
					   (long long)threshold,
					   (long long)TARIFF_MAX_THRESHOLD_MWH);
		if (i > 0 && threshold <= blocks->threshold_mwh[i - 1])
			return tariff_fail(err, "blocks.threshold_mwh[%u]: not increasing", i);
	}
	if (blocks->basis != TARIFF_BLOCK_ON_TOTAL_IMPORT && blocks->basis != TARIFF_BLOCK_ON_RATE)
		return tariff_fail(err, "blocks.basis: %d is not total-import or rate",
				   (int)blocks->basis);
	if (blocks->basis == TARIFF_BLOCK_ON_RATE && blocks->basis_rate >= t->n_rates)
		return tariff_fail(err, "blocks.basis_rate: %u not below n_rates (%u)",
				   blocks->basis_rate, t->n_rates);
	if (blocks->daily_resolved && blocks->basis != TARIFF_BLOCK_ON_TOTAL_IMPORT)
		return tariff_fail(err, "blocks.daily_resolved: needs blocks on total import");
	return 0;
}

static int validate_period(const struct tariff *t, struct tariff_error *err)
{
	const struct tariff_billing_period *period = &t->period;

	if (period->unit == TARIFF_PERIOD_DAYS) {
		if (!in_range(period->length, 1, 115))
			return tariff_fail(err, "period.length: %d not in 1..115 days",
					   period->length);
	} else if (period->unit == TARIFF_PERIOD_MONTHS) {
		if (!in_range(period->length, 1, 12))
			return tariff_fail(err, "period.length: %d not in 1..12 months",
					   period->length);
	} else {
		return tariff_fail(err, "period.unit: %d is not days or months", (int)period->unit);
	}
	if (!tariff_date_is_valid(&period->start) || period->start.year < 1970)
		return tariff_fail(err, "period.start: %04d-%02d-%02d is not a date from 1970 on",
				   period->start.year, period->start.month, period->start.day);
	if (period->start.day > 28)
		return tariff_fail(err, "period.start.day: %d not in 1..28", period->start.day);
	return 0;
}

static int validate_money(const struct tariff *t, struct tariff_error *err)
{
	const struct tariff_export *exp = &t->export_pricing;
	const struct tariff_levy *levy = &t->levy;
	int64_t weekly;

	for (unsigned r = 0; r < t->n_rates; r++)
		for (unsigned b = 0; b < t->blocks.n_blocks; b++)
			if (!in_range(t->price_mu_per_kwh[r][b], 0, TARIFF_MAX_PRICE_MU_PER_KWH))
				return tariff_fail(err, "price[%u][%u]: %lld not in 0..%lld", r, b,
						   (long long)t->price_mu_per_kwh[r][b],
						   (long long)TARIFF_MAX_PRICE_MU_PER_KWH);

	if (exp->mode < TARIFF_EXPORT_NEUTRAL || exp->mode > TARIFF_EXPORT_PROPORTIONAL)
		return tariff_fail(err,
				   "export.mode: %d is not neutral, deduct, credit or "
				   "proportional",
				   (int)exp->mode);
	for (unsigned r = 0; r < t->n_export_rates; r++)
		if (!in_range(exp->price_mu_per_kwh[r], 0, TARIFF_MAX_PRICE_MU_PER_KWH))
			return tariff_fail(err, "export.price[%u]: %lld not in 0..%lld", r,
					   (long long)exp->price_mu_per_kwh[r],
					   (long long)TARIFF_MAX_PRICE_MU_PER_KWH);
	if (exp->proportion_bp > 10000)
		return tariff_fail(err, "export.proportion_bp: %u not in 0..10000",
				   exp->proportion_bp);

	if (t->standing.unit != TARIFF_STANDING_PER_WEEK &&
	    t->standing.unit != TARIFF_STANDING_PER_DAY)
		return tariff_fail(err, "standing.unit: %d is not per week or per day",
				   (int)t->standing.unit);
	weekly = t->standing.unit == TARIFF_STANDING_PER_DAY && t->standing.amount_mu >= 0
		     ? t->standing.amount_mu * 7
		     : t->standing.amount_mu;
	if (!in_range(t->standing.amount_mu, 0, TARIFF_MAX_STANDING_MU) ||
	    weekly > TARIFF_MAX_STANDING_MU)
		return tariff_fail(err, "standing.amount_mu: %lld is not 0..%lld per week",
				   (long long)t->standing.amount_mu,
				   (long long)TARIFF_MAX_STANDING_MU);

	if (!in_range(levy->levy_mu_per_kwh, 0, TARIFF_MAX_PRICE_MU_PER_KWH))
		return tariff_fail(err, "levy.levy_mu_per_kwh: %lld not in 0..%lld",
				   (long long)levy->levy_mu_per_kwh,
				   (long long)TARIFF_MAX_PRICE_MU_PER_KWH);
	if (!in_range(levy->de_minimis_mwh_per_day, 0, TARIFF_MAX_THRESHOLD_MWH))
		return tariff_fail(err, "levy.de_minimis_mwh_per_day: %lld not in 0..%lld",
				   (long long)levy->de_minimis_mwh_per_day,
				   (long long)TARIFF_MAX_THRESHOLD_MWH);
	if (!in_range(levy->vat2_de_minimis_mwh_per_day, 0, TARIFF_MAX_THRESHOLD_MWH))
		return tariff_fail(err, "levy.vat2_de_minimis_mwh_per_day: %lld not in 0..%lld",
				   (long long)levy->vat2_de_minimis_mwh_per_day,
				   (long long)TARIFF_MAX_THRESHOLD_MWH);
	if (levy->reduced_tax_bp > 10000)
		return tariff_fail(err, "levy.reduced_tax_bp: %u not in 0..10000",
				   (unsigned)levy->reduced_tax_bp);
	if (levy->rule > TARIFF_LEVY_MARGINAL)
		return tariff_fail(err, "levy.rule: %u is not a rule (0 daily average, 1 marginal)",
				   (unsigned)levy->rule);
	if (levy->reserved)
		return tariff_fail(err, "levy.reserved: %u, not 0", (unsigned)levy->reserved);
	if (levy->standard_tax_bp > 10000)
		return tariff_fail(err, "levy.standard_tax_bp: %u not in 0..10000",
				   levy->standard_tax_bp);
	return 0;
}

int tariff_validate(const struct tariff *t, struct tariff_error *err)
{
	int r;

	if (!in_range(t->n_rates, 1, TARIFF_MAX_RATES))
		return tariff_fail(err, "n_rates: %u not in 1..%d", t->n_rates, TARIFF_MAX_RATES);
	if (!in_range(t->n_export_rates, 1, TARIFF_MAX_RATES))
		return tariff_fail(err, "n_export_rates: %u not in 1..%d", t->n_export_rates,
				   TARIFF_MAX_RATES);
	if (!in_range(t->n_day_profiles, 1, TARIFF_MAX_DAY_PROFILES))
		return tariff_fail(err, "n_day_profiles: %u not in 1..%d", t->n_day_profiles,
				   TARIFF_MAX_DAY_PROFILES);
	if (!in_range(t->n_seasons, 1, TARIFF_MAX_SEASONS))
		return tariff_fail(err, "n_seasons: %u not in 1..%d", t->n_seasons,
				   TARIFF_MAX_SEASONS);
	if (t->n_special_days > TARIFF_MAX_SPECIAL_DAYS)
		return tariff_fail(err, "n_special_days: %u not in 0..%d", t->n_special_days,
				   TARIFF_MAX_SPECIAL_DAYS);

	r = validate_day_profiles(t, err);
	if (r == 0)
		r = validate_seasons(t, err);
	if (r == 0)
		r = validate_special_days(t, err);
	if (r == 0)
		r = validate_blocks(t, err);
	if (r == 0)
		r = validate_period(t, err);
	if (r == 0)
		r = validate_money(t, err);
	return r;
}

int tariff_time_validate(const struct tariff_time *time, struct tariff_error *err)
{
	struct tariff_date date = {time->year, time->month, time->day};

	if (!in_range(time->year, 1970, 9999))
		return tariff_fail(err, "time.year: %d not in 1970..9999", time->year);
	if (!in_range(time->month, 1, 12))
		return tariff_fail(err, "time.month: %d not in 1..12", time->month);
	if (!tariff_date_is_valid(&date))
		return tariff_fail(err, "time.day: %04d-%02d-%02d is not a date", time->year,
				   time->month, time->day);
	if (!in_range(time->seconds, 0, TARIFF_SECONDS_PER_DAY - 1))
		return tariff_fail(err, "time.seconds: %d not in 0..86399", (int)time->seconds);
	int weekday = pm_civil_weekday(pm_civil_days_from_date(time->year, time->month, time->day));
	if (time->weekday != weekday)
		return tariff_fail(err, "time.weekday: %d does not match %04d-%02d-%02d (%d)",
				   time->weekday, time->year, time->month, time->day, weekday);
	return 0;
}
