// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tariff engine: prices the energy of each interval with the price matrix (rate x block),
 * keeps the block counters and the working log of the billing period, reconciles daily-resolved
 * blocks at midnight, prices export, collects the standing charge, adds levy and tax, and
 * switches to a deferred tariff or a new currency at 00:00 local. Units: see tariff.h.
 */
#include <errno.h>
#include <string.h>

#include "core/billing/tariff-internal.h"

/* Exact amounts of one call, in 1e-6 mu, before they are rounded to whole mu. */
struct call_sums {
	int64_t energy_umu;
	int64_t levy_umu;
	int64_t reduced_taxed_umu;  /* energy (+ levy) taxed at VAT rate 1 */
	int64_t standard_taxed_umu; /* energy (+ levy) taxed at VAT rate 2 */
	int64_t export_umu;	    /* > 0 credit, < 0 deduction */
	int64_t recon_umu;
	bool recon_standard_tax;
	int64_t standing_mu;
	bool standing_standard_tax;
};

/* The two parts of §7.8, each with its own de-minimis. */
enum levy_part {
	LEVY_PART_LEVY, /* the climate change levy */
	LEVY_PART_VAT2, /* VAT rate 2 instead of rate 1 */
};

static int32_t day_of(const struct tariff_time *time)
{
	return (int32_t)pm_civil_days_from_date(time->year, time->month, time->day);
}

static int32_t date_day(const struct tariff_date *date)
{
	return (int32_t)pm_civil_days_from_date(date->year, date->month, date->day);
}

int32_t tariff_engine_period_days(const struct tariff_engine *e)
{
	return e->period_end_day - e->period_start_day;
}

/* Threshold between block b and b + 1 in the counter's terms (today's or the period's). */
static int64_t block_threshold(const struct tariff_engine *e, unsigned b)
{
	int64_t threshold = e->active.blocks.threshold_mwh[b];

	if (e->active.blocks.daily_resolved)
		return threshold / tariff_engine_period_days(e);
	return threshold;
}

static int64_t block_counter(const struct tariff_engine *e)
{
	return e->active.blocks.daily_resolved ? e->day_basis_mwh : e->period_basis_mwh;
}

static int64_t de_minimis_of(const struct tariff_engine *e, enum levy_part part)
{
	return part == LEVY_PART_LEVY ? e->active.levy.de_minimis_mwh_per_day
				      : e->active.levy.vat2_de_minimis_mwh_per_day;
}

/*
 * §7.8, the daily-average rule: today is charged when the billing period's import before today,
 * averaged over the period's days before today, is greater than the part's de-minimis (the
 * first day of a period has no average). avg > d is total > d x days in integers, exactly.
 */
static bool average_above(const struct tariff_engine *e, int64_t de_minimis)
{
	const int64_t days = (int64_t)e->day_number - e->period_start_day;

	return days > 0 && e->period_import_mwh - e->day_import_mwh > de_minimis * days;
}

/* Today's import so far, or a charge at the end of today, pays the levy (LEVY) or the higher
 * tax (VAT2), by the rule of the tariff (tariff.h). at_end: a reconciliation of the day that
 * ends, for which the marginal rule counts the de-minimis as within. */
static bool day_charged(const struct tariff_engine *e, enum levy_part part, bool at_end)
{
	const int64_t de_minimis = de_minimis_of(e, part);

	if (de_minimis == 0)
		return true;
	if (e->active.levy.rule == TARIFF_LEVY_DAILY_AVERAGE)
		return average_above(e, de_minimis);
	return at_end ? e->day_import_mwh > de_minimis : e->day_import_mwh >= de_minimis;
}

static void update_block(struct tariff_engine *e, struct tariff_charge *charge)
{
	unsigned block = 0;
	int64_t counter = block_counter(e);

	while (block + 1 < e->active.blocks.n_blocks && counter >= block_threshold(e, block))
		block++;
	if (block != e->block)
		charge->events |= TARIFF_EVENT_BLOCK_CROSSING;
	e->block = (uint8_t)block;
}

/* A fresh billing period of the active tariff, the one containing `day`. */
static void start_period(struct tariff_engine *e, int32_t day, struct tariff_charge *charge)
{
	tariff_period_containing(&e->active.period, day, &e->period_start_day, &e->period_end_day);
	e->period_import_mwh = 0;
	e->period_basis_mwh = 0;
	e->day_basis_mwh = 0;
	memset(e->log_mwh, 0, sizeof(e->log_mwh));
	memset(e->log_umu, 0, sizeof(e->log_umu));
	update_block(e, charge);
}

static void apply_schedule(struct tariff_engine *e, const struct tariff_time *now,
			   struct tariff_charge *charge)
{
	struct tariff_slot slot;

	tariff_schedule_at(&e->active, now, &slot);
	if (slot.rate != e->rate || slot.export_rate != e->export_rate)
		charge->events |= TARIFF_EVENT_RATE_SWITCH;
	if (slot.aux_relay != e->aux_relay)
		charge->events |= TARIFF_EVENT_AUX_RELAY;
	if (slot.friendly_day != e->friendly_day)
		charge->events |= TARIFF_EVENT_FRIENDLY_DAY;
	e->rate = slot.rate;
	e->export_rate = slot.export_rate;
	e->aux_relay = slot.aux_relay;
	e->friendly_day = slot.friendly_day;
}

/*
 * Prices `import` mWh at the current rate, splitting it exactly where a block threshold or a
 * daily de-minimis of the marginal rule falls inside the interval.
 */
static void charge_import(struct tariff_engine *e, int64_t import, struct call_sums *sums,
			  struct tariff_charge *charge)
{
	const struct tariff *t = &e->active;
	const unsigned rate = e->rate;
	const bool counts =
	    t->blocks.basis == TARIFF_BLOCK_ON_TOTAL_IMPORT || rate == t->blocks.basis_rate;
	const bool marginal = t->levy.rule == TARIFF_LEVY_MARGINAL;

	while (import > 0) {
		const unsigned block = e->block;
		int64_t segment = import;

		if (counts && block + 1 < t->blocks.n_blocks) {
			int64_t to_next_block = block_threshold(e, block) - block_counter(e);

			if (to_next_block < segment)
				segment = to_next_block;
		}
		const bool levied = day_charged(e, LEVY_PART_LEVY, false);
		const bool vat2 = day_charged(e, LEVY_PART_VAT2, false);
		/* the marginal rule relieves the day's import up to each de-minimis exactly */
		if (marginal && !levied &&
		    t->levy.de_minimis_mwh_per_day - e->day_import_mwh < segment)
			segment = t->levy.de_minimis_mwh_per_day - e->day_import_mwh;
		if (marginal && !vat2 &&
		    t->levy.vat2_de_minimis_mwh_per_day - e->day_import_mwh < segment)
			segment = t->levy.vat2_de_minimis_mwh_per_day - e->day_import_mwh;

		int64_t umu = segment * t->price_mu_per_kwh[rate][block];
		int64_t levy_umu = levied ? segment * t->levy.levy_mu_per_kwh : 0;

		sums->energy_umu += umu;
		sums->levy_umu += levy_umu;
		/* VAT is charged on the energy and the levy together */
		if (vat2)
			sums->standard_taxed_umu += umu + levy_umu;
		else
			sums->reduced_taxed_umu += umu + levy_umu;
		e->log_mwh[rate][block] += segment;
		e->log_umu[rate][block] += umu;
		e->import_mwh[rate] += segment;
		e->day_import_mwh += segment;
		e->period_import_mwh += segment;
		if (counts) {
			e->period_basis_mwh += segment;
			e->day_basis_mwh += segment;
		}
		update_block(e, charge);
		import -= segment;
	}
}

static void charge_export(struct tariff_engine *e, int64_t exported, struct call_sums *sums)
{
	const struct tariff_export *pricing = &e->active.export_pricing;
	int64_t import_price = e->active.price_mu_per_kwh[e->rate][e->block];

	e->export_mwh[e->export_rate] += exported;
	switch (pricing->mode) {
	case TARIFF_EXPORT_NEUTRAL:
		break;
	case TARIFF_EXPORT_DEDUCT:
		sums->export_umu -= exported * pricing->price_mu_per_kwh[e->export_rate];
		break;
	case TARIFF_EXPORT_CREDIT:
		sums->export_umu += exported * pricing->price_mu_per_kwh[e->export_rate];
		break;
	case TARIFF_EXPORT_PROPORTIONAL:
		sums->export_umu +=
		    tariff_mul_div(exported * import_price, pricing->proportion_bp, 10000);
		break;
	}
}

/*
 * Moves `amount` mWh of the working log from block `from` to block `to`, taking it from the
 * rates in proportion to what each has in `from` (cumulative shares: exact to the mWh).
 */
static void move_logged_energy(struct tariff_engine *e, unsigned from, unsigned to, int64_t amount)
{
	int64_t available = 0, cumulative = 0, moved = 0;

	for (unsigned r = 0; r < e->active.n_rates; r++)
		available += e->log_mwh[r][from];
	if (amount > available)
		amount = available;
	if (amount <= 0)
		return;
	for (unsigned r = 0; r < e->active.n_rates; r++) {
		cumulative += e->log_mwh[r][from];
		int64_t moved_so_far = tariff_mul_div(amount, cumulative, available);
		int64_t share = moved_so_far - moved;

		moved = moved_so_far;
		e->log_mwh[r][from] -= share;
		e->log_mwh[r][to] += share;
	}
}

/*
 * Daily-resolved blocks, at the end of `days_elapsed` days of the period: the period's import
 * should fill the blocks up to thresholds pro rata to the days elapsed. Energy that the daily
 * pricing put on the wrong side of a block boundary is moved across it (from the rates in
 * proportion to their share of the source block); the rest of the log stays as charged. The
 * difference between the log at today's prices and what was charged is the correction.
 */
static void reconcile(struct tariff_engine *e, int32_t days_elapsed, struct call_sums *sums)
{
	const struct tariff *t = &e->active;
	const unsigned n_blocks = t->blocks.n_blocks;
	const int32_t period_days = tariff_engine_period_days(e);
	int64_t logged[TARIFF_MAX_BLOCKS] = {0}, excess[TARIFF_MAX_BLOCKS] = {0};
	int64_t total = 0, below_logged = 0, below_target = 0, corrected = 0, charged = 0;

	for (unsigned r = 0; r < t->n_rates; r++)
		for (unsigned b = 0; b < n_blocks; b++)
			logged[b] += e->log_mwh[r][b];
	for (unsigned b = 0; b < n_blocks; b++)
		total += logged[b];

	/* excess[b] > 0: too much logged below boundary b (between b and b + 1), < 0: too little */
	for (unsigned b = 0; b + 1 < n_blocks; b++) {
		int64_t allowance =
		    tariff_mul_div(t->blocks.threshold_mwh[b], days_elapsed, period_days);

		below_logged += logged[b];
		below_target = total < allowance ? total : allowance;
		excess[b] = below_logged - below_target;
	}
	/* Downward moves cascade from the top, upward ones from the bottom. */
	for (unsigned b = n_blocks - 1; b-- > 0;)
		if (excess[b] < 0)
			move_logged_energy(e, b + 1, b, -excess[b]);
	for (unsigned b = 0; b + 1 < n_blocks; b++)
		if (excess[b] > 0)
			move_logged_energy(e, b, b + 1, excess[b]);

	for (unsigned r = 0; r < t->n_rates; r++)
		for (unsigned b = 0; b < n_blocks; b++) {
			int64_t umu = e->log_mwh[r][b] * t->price_mu_per_kwh[r][b];

			charged += e->log_umu[r][b];
			corrected += umu;
			e->log_umu[r][b] = umu;
		}
	sums->recon_umu += corrected - charged;
}

/* Rounds value x num / den to nearest, half up; saturates at the int64 bounds (a factor up to
 * 4 x 10^4 with a change of minor units: no real amount comes near them). */
static int64_t convert_amount(int64_t value, int64_t num, int64_t den)
{
	int64_t twice;

	if (value > INT64_MAX / 2 || value < INT64_MIN / 2)
		return tariff_mul_div(value, num, den);
	twice = tariff_mul_div(2 * value, num, den);
	if (twice == INT64_MAX || twice == INT64_MIN)
		return tariff_mul_div(value, num, den);
	return tariff_floor_div(twice + 1, 2);
}

static int64_t convert_bounded(int64_t value, int64_t num, int64_t den, int64_t max)
{
	int64_t converted = convert_amount(value, num, den);

	return converted > max ? max : converted;
}

static void convert_tariff(struct tariff *t, int64_t num, int64_t den)
{
	for (unsigned r = 0; r < TARIFF_MAX_RATES; r++) {
		for (unsigned b = 0; b < TARIFF_MAX_BLOCKS; b++)
			t->price_mu_per_kwh[r][b] = convert_bounded(
			    t->price_mu_per_kwh[r][b], num, den, TARIFF_MAX_PRICE_MU_PER_KWH);
		t->export_pricing.price_mu_per_kwh[r] = convert_bounded(
		    t->export_pricing.price_mu_per_kwh[r], num, den, TARIFF_MAX_PRICE_MU_PER_KWH);
	}
	t->levy.levy_mu_per_kwh =
	    convert_bounded(t->levy.levy_mu_per_kwh, num, den, TARIFF_MAX_PRICE_MU_PER_KWH);
	int64_t standing_max = t->standing.unit == TARIFF_STANDING_PER_DAY
				   ? TARIFF_MAX_STANDING_MU / 7
				   : TARIFF_MAX_STANDING_MU;
	t->standing.amount_mu = convert_bounded(t->standing.amount_mu, num, den, standing_max);
}

static void convert_currency(struct tariff_engine *e, struct tariff_charge *charge)
{
	const int64_t num = e->conversion_num, den = e->conversion_den;
	int64_t *carries[] = {&e->carry_energy, &e->carry_recon, &e->carry_levy, &e->carry_tax,
			      &e->carry_export};

	convert_tariff(&e->active, num, den);
	if (e->has_deferred)
		convert_tariff(&e->deferred, num, den);
	for (unsigned r = 0; r < TARIFF_MAX_RATES; r++)
		for (unsigned b = 0; b < TARIFF_MAX_BLOCKS; b++)
			e->log_umu[r][b] = convert_amount(e->log_umu[r][b], num, den);
	for (unsigned i = 0; i < sizeof(carries) / sizeof(carries[0]); i++)
		*carries[i] = convert_amount(*carries[i], num, den);
	e->has_conversion = false;
	charge->events |= TARIFF_EVENT_CURRENCY;
	charge->currency_num = num;
	charge->currency_den = den;
}

/* Midnight work for the local days that ended before `new_day`. */
static void close_days(struct tariff_engine *e, int32_t new_day, struct call_sums *sums,
		       struct tariff_charge *charge)
{
	const struct tariff *t = &e->active;

	charge->events |= TARIFF_EVENT_DAY_CHANGE;
	if (t->blocks.daily_resolved && t->blocks.n_blocks > 1) {
		int32_t end = new_day < e->period_end_day ? new_day : e->period_end_day;

		reconcile(e, end - e->period_start_day, sums);
		/* the day that ends */
		sums->recon_standard_tax = day_charged(e, LEVY_PART_VAT2, true);
		charge->events |= TARIFF_EVENT_RECONCILED;
	}
	e->day_import_mwh = 0;
	e->day_basis_mwh = 0;
	if (new_day >= e->period_end_day) {
		start_period(e, new_day, charge);
		charge->events |= TARIFF_EVENT_PERIOD_ROLLOVER;
	}
	if (e->has_conversion && new_day >= date_day(&e->conversion_date))
		convert_currency(e, charge);
	if (e->has_deferred && new_day >= date_day(&e->deferred_date)) {
		e->active = e->deferred;
		e->has_deferred = false;
		start_period(e, new_day, charge);
		charge->events |= TARIFF_EVENT_TARIFF_ACTIVATED | TARIFF_EVENT_PERIOD_ROLLOVER;
	}
	e->day_number = new_day;
	update_block(e, charge);
}

/* floor(j x W / 100) without overflow: what the first j instalments of a week W collect. */
static int64_t instalments_total(int64_t j, int64_t weekly)
{
	return (j / TARIFF_INSTALMENTS_PER_WEEK) * weekly +
	       (j % TARIFF_INSTALMENTS_PER_WEEK) * weekly / TARIFF_INSTALMENTS_PER_WEEK;
}

int64_t tariff_engine_skip_standing(struct tariff_engine *e, int64_t utc_s)
{
	const struct tariff *t = &e->active;
	int64_t weekly = t->standing.unit == TARIFF_STANDING_PER_DAY ? 7 * t->standing.amount_mu
								     : t->standing.amount_mu;
	int64_t due, skipped;

	if (!e->has_tariff || utc_s < e->standing_anchor_utc)
		return 0;
	due = (utc_s - e->standing_anchor_utc) / TARIFF_INSTALMENT_S;
	if (due <= e->standing_index)
		return 0;
	skipped = instalments_total(due, weekly) - instalments_total(e->standing_index, weekly);
	e->standing_index = due;
	return skipped;
}

static void collect_standing(struct tariff_engine *e, int64_t utc_s, struct call_sums *sums)
{
	const struct tariff *t = &e->active;
	int64_t weekly = t->standing.unit == TARIFF_STANDING_PER_DAY ? 7 * t->standing.amount_mu
								     : t->standing.amount_mu;
	int64_t due;

	/* A clock stepped back collects nothing until real time passes the next instalment. */
	if (utc_s < e->standing_anchor_utc)
		return;
	due = (utc_s - e->standing_anchor_utc) / TARIFF_INSTALMENT_S;
	if (due <= e->standing_index)
		return;
	sums->standing_mu +=
	    instalments_total(due, weekly) - instalments_total(e->standing_index, weekly);
	e->standing_index = due;
	sums->standing_standard_tax = day_charged(e, LEVY_PART_VAT2, false);
}

static void settle(struct tariff_engine *e, const struct call_sums *sums,
		   struct tariff_charge *charge)
{
	const struct tariff_levy *levy = &e->active.levy;
	int64_t standing_bp =
	    sums->standing_standard_tax ? levy->standard_tax_bp : levy->reduced_tax_bp;
	int64_t recon_bp = sums->recon_standard_tax ? levy->standard_tax_bp : levy->reduced_tax_bp;
	int64_t tax_umu = tariff_mul_div(sums->reduced_taxed_umu, levy->reduced_tax_bp, 10000) +
			  tariff_mul_div(sums->standard_taxed_umu, levy->standard_tax_bp, 10000) +
			  tariff_mul_div(sums->recon_umu, recon_bp, 10000) +
			  tariff_mul_div(sums->standing_mu, standing_bp * 100, 1);

	charge->energy_mu = tariff_take_whole_mu(&e->carry_energy, sums->energy_umu);
	charge->reconciliation_mu = tariff_take_whole_mu(&e->carry_recon, sums->recon_umu);
	charge->levy_mu = tariff_take_whole_mu(&e->carry_levy, sums->levy_umu);
	charge->tax_mu = tariff_take_whole_mu(&e->carry_tax, tax_umu);
	charge->export_credit_mu = tariff_take_whole_mu(&e->carry_export, sums->export_umu);
	charge->standing_mu = sums->standing_mu;
	charge->total_mu = charge->energy_mu + charge->reconciliation_mu + charge->standing_mu +
			   charge->levy_mu + charge->tax_mu - charge->export_credit_mu;
	charge->rate = e->rate;
	charge->export_rate = e->export_rate;
	charge->block = e->block;
	charge->aux_relay = e->aux_relay;
	charge->friendly_day = e->friendly_day;
}

void tariff_engine_init(struct tariff_engine *e)
{
	memset(e, 0, sizeof(*e));
}

int tariff_engine_set_tariff(struct tariff_engine *e, const struct tariff *tariff,
			     const struct tariff_time *now, struct tariff_error *err)
{
	struct tariff_charge ignored = {0};
	int32_t day;
	int r;

	r = tariff_validate(tariff, err);
	if (r < 0)
		return r;
	r = tariff_time_validate(now, err);
	if (r < 0)
		return r;

	day = day_of(now);
	if (!e->has_tariff) {
		e->standing_anchor_utc = now->utc_s;
		e->standing_index = 0;
		e->day_number = day;
	} else if (day > e->day_number) {
		e->day_number = day;
		e->day_import_mwh = 0;
	}
	e->active = *tariff;
	e->has_tariff = true;
	e->now = *now;
	start_period(e, day, &ignored);
	apply_schedule(e, now, &ignored);
	return 0;
}

static int check_future_date(const struct tariff_engine *e, const struct tariff_date *date,
			     const char *field, struct tariff_error *err)
{
	if (!e->has_tariff)
		return tariff_fail(err, "%s: no active tariff yet", field);
	if (!tariff_date_is_valid(date) || date->year < 1970)
		return tariff_fail(err, "%s: %04d-%02d-%02d is not a date from 1970 on", field,
				   date->year, date->month, date->day);
	if (date_day(date) <= e->day_number)
		return tariff_fail(err, "%s: %04d-%02d-%02d is not after the current date", field,
				   date->year, date->month, date->day);
	return 0;
}

int tariff_engine_set_deferred(struct tariff_engine *e, const struct tariff *tariff,
			       const struct tariff_date *activation, struct tariff_error *err)
{
	int r = tariff_validate(tariff, err);

	if (r < 0)
		return r;
	r = check_future_date(e, activation, "activation_date", err);
	if (r < 0)
		return r;
	e->deferred = *tariff;
	e->deferred_date = *activation;
	e->has_deferred = true;
	return 0;
}

void tariff_engine_cancel_deferred(struct tariff_engine *e)
{
	e->has_deferred = false;
}

static int64_t gcd(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int tariff_engine_set_currency_conversion(struct tariff_engine *e, const struct tariff_date *date,
					  int64_t num, int64_t den, int decimal_shift,
					  struct tariff_error *err)
{
	int r = check_future_date(e, date, "conversion.date", err);
	int64_t g;

	if (r < 0)
		return r;
	if (decimal_shift < -4 || decimal_shift > 4)
		return tariff_fail(err, "conversion.decimal_shift: %d not in -4..4", decimal_shift);
	if (num < 1 || num > TARIFF_MAX_CURRENCY_TERM || den < 1 || den > TARIFF_MAX_CURRENCY_TERM)
		return tariff_fail(err, "conversion.factor: %lld/%lld terms not in 1..%lld",
				   (long long)num, (long long)den,
				   (long long)TARIFF_MAX_CURRENCY_TERM);
	if (4 * num < den || num > 4 * den)
		return tariff_fail(err, "conversion.factor: %lld/%lld not in 0.25..4",
				   (long long)num, (long long)den);
	/* with a change of minor units, in lowest terms (a factor of 4 to 4 more digits is
	 * 40000 / 1); without, as given (the events show the factor that was asked) */
	if (decimal_shift) {
		for (; decimal_shift > 0; decimal_shift--)
			num *= 10;
		for (; decimal_shift < 0; decimal_shift++)
			den *= 10;
		g = gcd(num, den);
		num /= g;
		den /= g;
	}
	if (num > TARIFF_MAX_CURRENCY_TERM || den > TARIFF_MAX_CURRENCY_TERM)
		return tariff_fail(err,
				   "conversion.factor: %lld/%lld with the change of minor units "
				   "has terms above %lld",
				   (long long)num, (long long)den,
				   (long long)TARIFF_MAX_CURRENCY_TERM);
	e->conversion_date = *date;
	e->conversion_num = num;
	e->conversion_den = den;
	e->has_conversion = true;
	return 0;
}

int tariff_engine_account(struct tariff_engine *e, const struct tariff_time *now,
			  int64_t import_mwh, int64_t export_mwh, struct tariff_charge *charge,
			  struct tariff_error *err)
{
	struct call_sums sums = {0};
	int32_t day;
	int r;

	if (!e->has_tariff)
		return tariff_fail(err, "engine: no tariff set");
	r = tariff_time_validate(now, err);
	if (r < 0)
		return r;
	if (import_mwh < 0 || import_mwh > TARIFF_MAX_DELTA_MWH)
		return tariff_fail(err, "import_mwh: %lld not in 0..%lld", (long long)import_mwh,
				   (long long)TARIFF_MAX_DELTA_MWH);
	if (export_mwh < 0 || export_mwh > TARIFF_MAX_DELTA_MWH)
		return tariff_fail(err, "export_mwh: %lld not in 0..%lld", (long long)export_mwh,
				   (long long)TARIFF_MAX_DELTA_MWH);

	memset(charge, 0, sizeof(*charge));
	charge->block_before = e->block;

	/* The interval's energy belongs to the state at its start. */
	charge_import(e, import_mwh, &sums, charge);
	charge_export(e, export_mwh, &sums);

	day = day_of(now);
	if (day > e->day_number) {
		/* The standing charge due until midnight is the ending day's, at its price: a
		 * currency conversion (§8.11) or a tariff taking effect at 00:00 applies from then
		 * on. Intervals never span midnight (see the top): this one ends at now's 00:00. */
		collect_standing(e, now->utc_s - now->seconds, &sums);
		close_days(e, day, &sums, charge);
	}
	e->now = *now;
	apply_schedule(e, now, charge);
	collect_standing(e, now->utc_s, &sums);
	settle(e, &sums, charge);
	return 0;
}

int32_t tariff_engine_next_switch(const struct tariff_engine *e)
{
	struct tariff_slot slot;

	if (!e->has_tariff)
		return TARIFF_SECONDS_PER_DAY;
	tariff_schedule_at(&e->active, &e->now, &slot);
	return slot.next_switch_s;
}
