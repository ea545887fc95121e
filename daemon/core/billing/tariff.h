/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * polymeterd pure core: the tariff engine.
 *
 * Time and energy in, money out. No I/O, no globals, no wall clock, no floating point.
 *
 * Units (used everywhere in this API):
 *   energy  mWh, int64_t, suffix _mwh (import/export deltas, registers, block thresholds).
 *   money   "milli-units" (mu): the smallest currency unit x 1000, int64_t, suffix _mu.
 *           With pounds, 1 p = 1000 mu and 15.00 p = 15000 mu.
 *   prices  mu per kWh, suffix _mu_per_kwh. 1 kWh at 15000 mu/kWh costs 15000 mu.
 *   rates   basis points, suffix _bp (10000 = 100 %).
 *   Amounts are worked out exactly in micro-milli-units (mWh x mu/kWh = 1e-6 mu); the fraction
 *   below 1 mu is carried inside the engine to the next call, so a thousand small calls cost
 *   exactly what one big call costs (never more, at most 1 mu less at any instant).
 *
 * Time: the engine takes LOCAL civil time (struct tariff_time). The adapter converts UTC with
 * tzdata, so daylight saving time is the caller's job: on a spring-forward day the engine simply
 * never sees 01:00-01:59 local, on a fall-back day it sees that hour twice (local seconds go
 * back, the date stays); a local date earlier than one already seen (a DST change at midnight,
 * a clock step) is accepted, priced by its own day profile, and does not repeat the midnight
 * work of a day already closed. The UTC seconds in the same struct measure real elapsed time,
 * which only the standing charge uses (a 25-hour day collects 25 hours of standing charge).
 *
 * Accounting model: tariff_engine_account(now, import, export) closes the interval that ended
 * at `now`: its energy is priced with the state (rate, block, ...) in effect at the START of the
 * interval, then the engine moves to `now` (midnight work, billing period rollover, deferred
 * tariff, currency conversion, TOU switch, standing charge). Call it at least at every time
 * tariff_engine_next_switch() returns, so that no interval spans a switch point or midnight.
 */
#ifndef POLYMETER_TARIFF_H
#define POLYMETER_TARIFF_H

#include <stdbool.h>
#include <stdint.h>

#define TARIFF_MAX_RATES 8
#define TARIFF_MAX_BLOCKS 8 /* so up to 7 thresholds */
#define TARIFF_MAX_SWITCHES 48
#define TARIFF_MAX_DAY_PROFILES 16
#define TARIFF_MAX_SEASONS 4
#define TARIFF_MAX_SPECIAL_DAYS 50

#define TARIFF_SECONDS_PER_DAY 86400
/* 100 standing-charge instalments per week: 604800 s / 100 = 6048 s = 1.68 h */
#define TARIFF_INSTALMENT_S 6048
#define TARIFF_INSTALMENTS_PER_WEEK 100

/* Bounds that keep every product below 2^63 (validated, never assumed). */
#define TARIFF_MAX_PRICE_MU_PER_KWH INT64_C(100000000)	/* 100 000 units per kWh */
#define TARIFF_MAX_DELTA_MWH INT64_C(10000000000)	/* 10 MWh per call */
#define TARIFF_MAX_THRESHOLD_MWH INT64_C(1000000000000) /* 1 GWh */
#define TARIFF_MAX_STANDING_MU INT64_C(1000000000000)	/* 1e9 units per week */
#define TARIFF_MAX_CURRENCY_TERM INT64_C(1000000000)	/* numerator, denominator */

struct tariff_error {
	char message[160];
};

struct tariff_date {
	int year;  /* 1970..9999; 0 in a special day = every year */
	int month; /* 1..12 */
	int day;   /* 1..31 */
};

struct tariff_time {
	int64_t utc_s; /* seconds since 1970-01-01 UTC: real elapsed time (standing charge) */
	int year, month, day; /* local civil date */
	int weekday;	      /* local, ISO 8601: 1 = Monday .. 7 = Sunday; must match the date */
	int32_t seconds;      /* local seconds since 00:00, 0..86399 */
};

/* A switch point: from start_s (local seconds of day) on, until the next one. */
struct tariff_switch {
	int32_t start_s;
	uint8_t rate;	     /* import rate register, < n_rates */
	uint8_t export_rate; /* export rate register, < n_export_rates: export has its own TOU */
	bool aux_relay;	     /* auxiliary relay closed (e.g. storage heating) */
};

/* Switch points strictly increasing; the first one at 0 so every second has a rate. */
struct tariff_day_profile {
	unsigned n_switches; /* 1..48 */
	struct tariff_switch switches[TARIFF_MAX_SWITCHES];
};

/*
 * A season starts every year and lasts until the next season's start; the season with the
 * latest start also covers the start of the year until the first start. Its start is a date
 * (start_week 0: start_month/start_day, e.g. 04-01) or a rule, so that a tariff written once
 * is right every year (start_week 1..4: the first..fourth start_weekday of start_month, -1:
 * the last; start_day 0), e.g. British Summer Time from the last Sunday of March:
 * {3, 0, 7, -1}. Two seasons may not start in the same month on days that could coincide.
 *
 * start_day, start_weekday and start_week take the 4 bytes an int start_day had before rules
 * existed: a stored account record of that time (day 1..31, little-endian targets) reads as
 * the same date with start_weekday 0 and start_week 0 (daemon/meter/billing-state.h).
 */
struct tariff_season {
	int start_month;
	int16_t start_day;	/* 1..31 with start_week 0, else 0 */
	uint8_t start_weekday;	/* ISO 1 = Monday .. 7 = Sunday with a rule, else 0 */
	int8_t start_week;	/* 0 a date; 1..4 the nth weekday of the month; -1 the last */
	uint8_t day_profile[7]; /* day profile per weekday, [0] = Monday .. [6] = Sunday */
};

/* The day of the month on which a season starts in `year` (its date, or its rule's day). */
int tariff_season_start_day(const struct tariff_season *season, int year);

enum {
	TARIFF_SPECIAL_PIN_RATE = 1u << 0, /* the whole day on `rate` (import) */
	TARIFF_SPECIAL_PIN_AUX = 1u << 1,  /* the auxiliary relay held at `aux_relay` all day */
	TARIFF_SPECIAL_FRIENDLY = 1u
				  << 2, /* a friendly (non-disconnect) day for the account engine */
};

struct tariff_special_day {
	struct tariff_date date; /* year 0 = every year */
	unsigned flags;		 /* TARIFF_SPECIAL_*, at least one */
	uint8_t rate;
	bool aux_relay;
};

enum tariff_period_unit {
	TARIFF_PERIOD_DAYS,   /* length 1..115 days */
	TARIFF_PERIOD_MONTHS, /* length 1..12 calendar months */
};

/*
 * Billing periods roll on from `start` (day 1..28, so every month has it): period k runs from
 * start + k x length (00:00 local) to the next one. Dates before `start` belong to earlier
 * periods of the same rhythm.
 */
struct tariff_billing_period {
	enum tariff_period_unit unit;
	int length;
	struct tariff_date start;
};

enum tariff_block_basis {
	TARIFF_BLOCK_ON_TOTAL_IMPORT, /* all import energy advances the block counter */
	TARIFF_BLOCK_ON_RATE,	      /* only energy on `basis_rate` does */
};

/*
 * Block (step) tariff. Block b applies while the counter (energy since the start of the billing
 * period) is in [threshold[b-1], threshold[b]). The current block picks the price column for
 * every rate; with TARIFF_BLOCK_ON_RATE make the other rates' rows flat if only one rate is
 * block-priced.
 *
 * Daily-resolved blocks: during a day the counter is today's energy and the thresholds are
 * threshold / days-in-period. At each midnight the engine reconciles against the working log
 * (energy and money charged per (rate, block) this period): the period's energy so far should
 * fill the blocks up to threshold x days-elapsed / days-in-period; energy logged on the wrong
 * side of a boundary is moved across it (taken from the source block's rates in proportion),
 * the log is priced at the current prices and the difference to what was charged is charged
 * or refunded. On the period's last midnight that equals plain period blocks.
 */
struct tariff_blocks {
	unsigned n_blocks;			      /* 1..8; 1 = no block tariff */
	int64_t threshold_mwh[TARIFF_MAX_BLOCKS - 1]; /* strictly increasing, > 0 */
	enum tariff_block_basis basis;
	uint8_t basis_rate;
	bool daily_resolved; /* needs TARIFF_BLOCK_ON_TOTAL_IMPORT */
};

enum tariff_export_mode {
	TARIFF_EXPORT_NEUTRAL, /* export changes no money */
	TARIFF_EXPORT_DEDUCT,  /* export is charged at the export price (reverse-flow tamper) */
	TARIFF_EXPORT_CREDIT,  /* export is credited at the export price of its export rate */
	TARIFF_EXPORT_PROPORTIONAL, /* credit proportion_bp of the current import price */
};

struct tariff_export {
	enum tariff_export_mode mode;
	int64_t price_mu_per_kwh[TARIFF_MAX_RATES]; /* per export rate */
	uint32_t proportion_bp;			    /* 0..10000, PROPORTIONAL only */
};

enum tariff_standing_unit {
	TARIFF_STANDING_PER_WEEK,
	TARIFF_STANDING_PER_DAY, /* collected as 7 x amount per week */
};

/*
 * Standing charge: the weekly amount W is collected in 100 instalments, one at the end of every
 * 6048 s of real (UTC) time since the first tariff was set. Instalment j (counted from 0) is
 * floor((j+1) W / 100) - floor(j W / 100), so every 100 instalments collect exactly W.
 */
struct tariff_standing_charge {
	enum tariff_standing_unit unit;
	int64_t amount_mu;
};

/*
 * Levy and tax on a daily de-minimis, as the UK climate change levy (CCL) and VAT rate 2 (the
 * prepayment meter manual, §7.8). Prices are before levy and tax. The manual holds two
 * de-minimis values, "for both CCL and VAT 2 application ... in case future CCL and VAT
 * application thresholds no longer coincided": de_minimis_mwh_per_day governs the levy,
 * vat2_de_minimis_mwh_per_day the higher tax rate (standard_tax_bp, the manual's VAT rate 2),
 * each on its own. Two rules:
 *
 * TARIFF_LEVY_DAILY_AVERAGE (0, the manual's): "At 00:00, following a day's usage, the meter
 * will calculate an average daily usage value using the total registered kWh's from the start
 * of the billing period and the number of days lapsed. If the calculated average daily amount
 * is greater than the de-minimis value for CCL then the following day, the CCL charge will be
 * applied to each kWh consumed" (and the same for VAT rate 2 with its own de-minimis). A day is
 * levied when the import of the billing period before it, over the days of the period before
 * it, is greater than de_minimis_mwh_per_day (exactly at it is not); it is taxed at VAT rate 2
 * when that average is greater than vat2_de_minimis_mwh_per_day. The first day of a billing
 * period has no average: neither. On a levied day every mWh pays levy_mu_per_kwh; on a VAT
 * rate 2 day energy (+ levy) and the day's standing charge instalments are taxed at
 * standard_tax_bp, on any other day at reduced_tax_bp (VAT rate 1). A midnight reconciliation
 * adjustment is taxed as the day that ended was.
 *
 * TARIFF_LEVY_MARGINAL (1, an option: polymeterd's rule before issue 19): the mWh imported
 * while today's import (local day, all rates) is below de_minimis_mwh_per_day pay no levy,
 * those above it pay it; the mWh imported while today's import is below
 * vat2_de_minimis_mwh_per_day are taxed at the reduced rate, those above it at the standard
 * rate; a standing charge instalment is taxed at the reduced rate while today's import is below
 * the VAT de-minimis; a reconciliation at the reduced rate if the day that ended stayed within.
 *
 * Both: a de-minimis of 0 means no relief from that part (everything levied, or everything at
 * the standard tax). Export credits are not taxed.
 */
enum tariff_levy_rule {
	TARIFF_LEVY_DAILY_AVERAGE = 0,
	TARIFF_LEVY_MARGINAL = 1,
};

struct tariff_levy {
	int64_t levy_mu_per_kwh;
	int64_t de_minimis_mwh_per_day; /* the levy's (CCL) */
	/*
	 * reduced_tax_bp, rule and reserved take the 4 bytes a uint32_t reduced_tax_bp had before
	 * the rule existed: a stored account record of that time (tax <= 10000, little-endian
	 * targets) reads as the same tax with rule 0 and reserved 0, so the record's layout
	 * stays (daemon/meter/billing-state.h).
	 */
	uint16_t reduced_tax_bp;  /* 0..10000 */
	uint8_t rule;		  /* enum tariff_levy_rule */
	uint8_t reserved;	  /* 0 */
	uint32_t standard_tax_bp; /* 0..10000 */
	/* VAT rate 2's (record layout 5; a record of layout 4 or older carries
	 * de_minimis_mwh_per_day here, the one value that served both before) */
	int64_t vat2_de_minimis_mwh_per_day;
};

struct tariff {
	unsigned n_rates;	 /* import rate registers, 1..8 */
	unsigned n_export_rates; /* export rate registers, 1..8 */
	unsigned n_day_profiles; /* 1..16 */
	struct tariff_day_profile day_profiles[TARIFF_MAX_DAY_PROFILES];
	unsigned n_seasons; /* 1..4 */
	struct tariff_season seasons[TARIFF_MAX_SEASONS];
	unsigned n_special_days; /* 0..50 */
	struct tariff_special_day special_days[TARIFF_MAX_SPECIAL_DAYS];
	/* The price matrix: [rate][block]; TOU only = 1 block, block only = 1 rate. */
	int64_t price_mu_per_kwh[TARIFF_MAX_RATES][TARIFF_MAX_BLOCKS];
	struct tariff_blocks blocks;
	struct tariff_billing_period period;
	struct tariff_export export_pricing;
	struct tariff_standing_charge standing;
	struct tariff_levy levy;
};

/* What the schedule says for one instant (see tariff_lookup). */
struct tariff_slot {
	unsigned season, day_profile, switch_index;
	int special_day; /* index into special_days, -1 if none */
	uint8_t rate, export_rate;
	bool aux_relay, friendly_day;
	int32_t next_switch_s; /* next switch point of the day, 86400 = next midnight */
};

enum tariff_event {
	TARIFF_EVENT_RATE_SWITCH = 1u << 0,	 /* import or export rate changed */
	TARIFF_EVENT_BLOCK_CROSSING = 1u << 1,	 /* block changed: snapshot the registers */
	TARIFF_EVENT_AUX_RELAY = 1u << 2,	 /* auxiliary relay changed */
	TARIFF_EVENT_DAY_CHANGE = 1u << 3,	 /* one or more midnights passed */
	TARIFF_EVENT_RECONCILED = 1u << 4,	 /* daily-resolved reconciliation ran */
	TARIFF_EVENT_PERIOD_ROLLOVER = 1u << 5,	 /* a new billing period began: snapshot first */
	TARIFF_EVENT_TARIFF_ACTIVATED = 1u << 6, /* the deferred tariff replaced the active one */
	TARIFF_EVENT_CURRENCY = 1u << 7,	 /* prices converted: convert money registers */
	TARIFF_EVENT_FRIENDLY_DAY = 1u << 8,	 /* friendly-day flag changed */
};

/*
 * The money of one tariff_engine_account() call, all in mu. total_mu is what the account engine
 * takes from the balance (negative = a net credit):
 *   total = energy + reconciliation + standing + levy + tax - export_credit.
 */
struct tariff_charge {
	int64_t energy_mu;	   /* import energy at the price matrix */
	int64_t reconciliation_mu; /* daily-resolved correction, signed (refund < 0) */
	int64_t standing_mu;
	int64_t levy_mu;
	int64_t tax_mu;
	int64_t export_credit_mu; /* signed: > 0 credited, < 0 deducted (DEDUCT mode) */
	int64_t total_mu;
	/* State after the call. */
	uint8_t rate, export_rate, block;
	uint8_t block_before; /* block at the start of the call */
	bool aux_relay, friendly_day;
	unsigned events;		    /* enum tariff_event */
	int64_t currency_num, currency_den; /* the factor applied, with TARIFF_EVENT_CURRENCY */
};

/* The engine's state; the caller owns it (one per meter). Read the fields, write none. */
struct tariff_engine {
	bool has_tariff;
	struct tariff active;
	bool has_deferred;
	struct tariff deferred;
	struct tariff_date deferred_date;
	bool has_conversion;
	struct tariff_date conversion_date;
	int64_t conversion_num, conversion_den; /* the factor x 10^decimal_shift, in lowest terms */

	struct tariff_time now; /* time of the last call */
	int32_t day_number;	/* latest local date seen, days since 1970-01-01 */

	uint8_t rate, export_rate, block;
	bool aux_relay, friendly_day;

	/* Lifetime registers per rate, never reset by the engine. */
	int64_t import_mwh[TARIFF_MAX_RATES];
	int64_t export_mwh[TARIFF_MAX_RATES];

	/* Billing period [period_start_day, period_end_day), day numbers. */
	int32_t period_start_day, period_end_day;
	int64_t period_import_mwh; /* all import this period */
	int64_t period_basis_mwh;  /* block counter: import on the block basis this period */
	int64_t day_import_mwh;	   /* all import today (de-minimis) */
	int64_t day_basis_mwh;	   /* daily-resolved block counter */
	/* Working log: energy and money (1e-6 mu) charged per (rate, block) this period. */
	int64_t log_mwh[TARIFF_MAX_RATES][TARIFF_MAX_BLOCKS];
	int64_t log_umu[TARIFF_MAX_RATES][TARIFF_MAX_BLOCKS];

	int64_t standing_anchor_utc; /* instalment j is due at anchor + (j + 1) x 6048 s */
	int64_t standing_index;	     /* instalments collected so far */

	/* Carried fractions of 1 mu, in 1e-6 mu, each in [0, 1e6). */
	int64_t carry_energy, carry_recon, carry_levy, carry_tax, carry_export;
};

/* Checks every field; on error names the field in err (may be NULL) and returns -EINVAL. */
int tariff_validate(const struct tariff *tariff, struct tariff_error *err);

/* Checks a local time: ranges and weekday against the date. -EINVAL on error. */
int tariff_time_validate(const struct tariff_time *time, struct tariff_error *err);

/* The schedule at one instant (pure, no engine). -EINVAL on a bad time. */
int tariff_lookup(const struct tariff *tariff, const struct tariff_time *time,
		  struct tariff_slot *slot, struct tariff_error *err);

void tariff_engine_init(struct tariff_engine *engine);

/*
 * Installs a validated tariff at once (at `now`). The lifetime registers, today's import and the
 * standing charge rhythm carry on; the billing period restarts as the new tariff's period
 * containing `now` with its counters at zero. The first tariff also starts the standing charge.
 * On error nothing changes.
 */
int tariff_engine_set_tariff(struct tariff_engine *engine, const struct tariff *tariff,
			     const struct tariff_time *now, struct tariff_error *err);

/*
 * Schedules a validated tariff to replace the active one at 00:00 local on `activation` (a
 * date after the engine's current date). Replaces any earlier deferred tariff. On activation
 * the billing period restarts as in tariff_engine_set_tariff (event PERIOD_ROLLOVER), so
 * activate at a period start to keep block allowances whole.
 */
int tariff_engine_set_deferred(struct tariff_engine *engine, const struct tariff *tariff,
			       const struct tariff_date *activation, struct tariff_error *err);
void tariff_engine_cancel_deferred(struct tariff_engine *engine);

/*
 * Schedules a currency conversion at 00:00 local on `date` (after the current date): every
 * price, the standing charge and the levy of the active and the deferred tariff, and the working
 * log, are multiplied by num/den (rounded to nearest, half up) with 1/4 <= num/den <= 4 (§8.11:
 * "conversion factor in the range 0.25 to 4"), a factor between currency units, and by
 * 10^decimal_shift (-4..4): the new currency's minor units less the old one's, since amounts
 * are counted in minor units (GBP to JPY: -2, 1.00 GBP = 100 p -> 1 yen at a factor of 1).
 * The engine keeps the product, reduced, as conversion_num / conversion_den (each at most
 * TARIFF_MAX_CURRENCY_TERM). The call that passes the date reports TARIFF_EVENT_CURRENCY with
 * that product: snapshot the money registers, then convert them with the same factor.
 */
int tariff_engine_set_currency_conversion(struct tariff_engine *engine,
					  const struct tariff_date *date, int64_t num, int64_t den,
					  int decimal_shift, struct tariff_error *err);

/*
 * Closes the interval that ends at `now` (see the top of this file). import_mwh and export_mwh
 * are the energy since the previous call, 0..TARIFF_MAX_DELTA_MWH. On error (no tariff, bad
 * time, bad energy) returns -EINVAL and changes nothing.
 */
int tariff_engine_account(struct tariff_engine *engine, const struct tariff_time *now,
			  int64_t import_mwh, int64_t export_mwh, struct tariff_charge *charge,
			  struct tariff_error *err);

/*
 * The meter was powered down until utc_s (§8.9 of the UK prepayment meter manual: "Standing
 * Charge will not be collected if the meter is powered down"): the standing-charge instalments
 * falling due until then are passed over, never collected; the rhythm carries on from the
 * next one. Returns what they would have collected (mu, before tax).
 */
int64_t tariff_engine_skip_standing(struct tariff_engine *engine, int64_t utc_s);

/* Local seconds of day of the next switch point after the last call; 86400 = next midnight. */
int32_t tariff_engine_next_switch(const struct tariff_engine *engine);

/* Days in the current billing period. */
int32_t tariff_engine_period_days(const struct tariff_engine *engine);

#endif
