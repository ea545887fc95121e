/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * polymeterd pure core: the account engine (credit, prepayment, PAYG).
 *
 * Charges (money) and time in; balance, emergency credit, debts, events and the supply
 * (contactor) decision out. No I/O, no globals, no wall clock, no floating point. The tariff
 * engine prices energy and standing charge; this engine only receives the resulting amounts.
 *
 * Units (everywhere in this API):
 *   money  "milli-units" (mu): 1/1000 of the smallest currency unit, int64_t, suffix _mu.
 *          With pounds, 1 p = 1000 mu, 1.00 GBP = 100 000 mu (ACCOUNT_MU_PER_UNIT).
 *          "Units" in limits (e.g. the PAYG debt limit of 0 to -500 units) are major units.
 *   power  W, suffix _w.  time  seconds, suffix _s; UTC seconds since the epoch, suffix _utc.
 *   percentages  whole percent, suffix _pct.
 *
 * Time: every call takes a struct account_time: UTC seconds (elapsed time: debt instalments,
 * load-limit timers, cost in the last hour, scheduled change of tenancy) plus the local civil
 * time (serial day, weekday, second of day: friendly periods, cost today) that the adapter
 * works out with tzdata. UTC that goes backwards is treated as "no time has passed".
 *
 * Calls: every command validates all of its input first; on refusal it returns a negative errno,
 * sets out->error to a sentence saying why, and leaves struct account byte-for-byte unchanged.
 * On success it returns 0 and out->events lists what happened, in order, for the event log.
 * Each call resets *out. The caller should call account_tick() at least once a minute (and at
 * every friendly-period end) so that debt instalments, friendly-period ends and a scheduled
 * change of tenancy happen on time; anything missed is caught up at the next call.
 *
 * The account rules (balance, emergency credit, debt recovery, friendly periods, load limit,
 * supply control, change of tenancy, single wallet) are described next to each declaration;
 * "§" cites the UK prepayment meter manual (docs/account.md).
 *  - The manual's Present Balance register is "available credit" = balance + EC remaining
 *    (when EC is in use, §9.5): balance is the customer's own money, EC remaining the part of
 *    the emergency credit not yet spent. The low-credit warning, the supply decision and debt
 *    collection's "out of credit" all look at it.
 *  - One rule at every line, the manual's "falls below" (§4.6.2, §4.6.4, §4.7, §8.8): a value
 *    exactly at a line is on its good side. At exactly zero (the PAYG limit) a customer is in
 *    credit: the supply stays closed, debt is collected, no low-credit warning at 0.
 *  - A friendly period stops a new disconnection for credit; it does not reconnect a supply
 *    already open (SMETS2 non-disablement behaves the same).
 *  - Cost today / in the last hour count account_charge() amounts only (energy, standing
 *    charge, levies), not debt instalments (repayment) nor the second utility's wallet cost.
 */
#ifndef POLYMETER_ACCOUNT_H
#define POLYMETER_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#define ACCOUNT_MU_PER_MINOR INT64_C(1000)
#define ACCOUNT_MINOR_PER_UNIT INT64_C(100)
#define ACCOUNT_MU_PER_UNIT (ACCOUNT_MU_PER_MINOR * ACCOUNT_MINOR_PER_UNIT)

/* The balance stays within +-1e15 mu (1e10 units); any one amount is at most 1e13 mu. */
#define ACCOUNT_BALANCE_BOUND_MU INT64_C(1000000000000000)
#define ACCOUNT_AMOUNT_MAX_MU INT64_C(10000000000000)
/* The total-credit register counts modulo this (15 digits of mu, as a display rolls over). */
#define ACCOUNT_TOTAL_CREDIT_ROLLOVER_MU INT64_C(1000000000000000)
/* PAYG may run down to -500 units. */
#define ACCOUNT_PAYG_DEBT_LIMIT_MIN_MU (-500 * ACCOUNT_MU_PER_UNIT)

#define ACCOUNT_PAYMENT_LOG_LEN 20
/* Debt recovery: 100 instalments a week, one every 604800 / 100 = 6048 s (1.68 h). */
#define ACCOUNT_INSTALMENT_S 6048
#define ACCOUNT_INSTALMENTS_PER_WEEK 100
#define ACCOUNT_FRIENDLY_PERIODS_PER_DAY 8
#define ACCOUNT_SECONDS_PER_DAY 86400
#define ACCOUNT_LOAD_LIMIT_MAX_W 24000
#define ACCOUNT_LOAD_LIMIT_PERIOD_MAX_S 3600
#define ACCOUNT_COST_BUCKETS 60 /* one per minute: cost in the last hour */
#define ACCOUNT_EVENTS_MAX 32

enum account_mode {
	ACCOUNT_MODE_CREDIT,	 /* bills later; never disconnects on balance */
	ACCOUNT_MODE_PREPAYMENT, /* disconnects when available credit falls below zero */
	ACCOUNT_MODE_PAYG,	 /* disconnects when available credit is below the debt limit */
};

enum account_payment_method {
	ACCOUNT_PAYMENT_TOKEN,	/* a token typed at the meter (e.g. STS) */
	ACCOUNT_PAYMENT_REMOTE, /* sent by the head-end */
	ACCOUNT_PAYMENT_LOCAL,	/* a local app on the gateway (D-Bus) */
	/* a token the head-end entered through the DLMS token gateway: the same token path as
	 * ACCOUNT_PAYMENT_TOKEN, its channel kept apart so the payment log says which it was */
	ACCOUNT_PAYMENT_DLMS,
};

/* Emergency credit (EC), as the UK prepayment meter runs it (§8.8). */
enum account_ec_state {
	ACCOUNT_EC_NONE,      /* not offered (disabled, PAYG, credit mode, balance not below the
			       * threshold) */
	ACCOUNT_EC_AVAILABLE, /* offered: the customer may take it */
	ACCOUNT_EC_IN_USE,    /* taken: ec_remaining_mu is spendable, debt_to_clear_mu owed */
	ACCOUNT_EC_EXHAUSTED, /* all spent: the debt to clear moved into the (negative) balance;
			       * not offered again until the balance is back to zero or above */
};

/* Time-based debt collection while out of credit. */
enum account_debt_collection {
	ACCOUNT_DEBT_COLLECT_ALWAYS,
	ACCOUNT_DEBT_HALT_OUT_OF_CREDIT, /* skip instalments while out of credit */
};

/* Time-based debt collection while running on emergency credit (EC taken, balance <= 0). */
enum account_debt_in_ec {
	ACCOUNT_DEBT_EC_REDUCE_EC, /* added to debt-to-clear and taken off EC remaining */
	ACCOUNT_DEBT_EC_KEEP_EC,   /* instalment added to debt-to-clear; EC remaining untouched */
	ACCOUNT_DEBT_EC_SUSPEND,   /* instalment skipped */
};

struct account_friendly_period {
	uint32_t start_s; /* local second of day, inclusive */
	uint32_t end_s;	  /* local second of day, exclusive; start_s < end_s <= 86400 */
};

struct account_config {
	enum account_mode mode;
	int64_t payg_debt_limit_mu;	 /* ACCOUNT_PAYG_DEBT_LIMIT_MIN_MU .. 0 */
	int64_t max_balance_mu;		 /* a top-up may not take the balance above this; > 0 */
	int64_t low_credit_threshold_mu; /* >= 0: warn once when available credit falls below */

	bool ec_enabled;	 /* never offered in PAYG mode whatever this says (§4.6.4) */
	int64_t ec_threshold_mu; /* offered when the balance is below this; >= 0 */
	int64_t ec_value_mu;	 /* > 0 when enabled */

	int64_t debt_weekly_rate_mu; /* time-based debt recovery per week; >= 0 */
	enum account_debt_collection debt_collection;
	enum account_debt_in_ec debt_in_ec;
	uint8_t payment_debt_pct; /* 0..100: share of each top-up that pays the payment debt */

	/* Friendly (non-disconnect) periods per local weekday, 0 = Monday .. 6 = Sunday. An
	 * overnight period is two entries (22:00-24:00 and 00:00-09:30 on the next day). */
	uint8_t friendly_count[7];
	struct account_friendly_period friendly[7][ACCOUNT_FRIENDLY_PERIODS_PER_DAY];
	bool friendly_special_days; /* honour account_time.friendly_day */

	uint32_t load_limit_w;	      /* 0 = off, else 1..24000 */
	uint32_t load_limit_peak_w;   /* 0 = same as load_limit_w, else 1..load_limit_w */
	uint32_t load_limit_period_s; /* over the limit this long trips: 1..3600 */

	/* After credit comes back (top-up, mode change), wait for the customer's confirmation
	 * before closing the contactor, as UK meters do ("armed"). */
	bool credit_reconnect_needs_confirmation;
	/* The largest power difference between the phases' loads (STS 2/6, IEC 62055-41
	 * MaximumPhasePowerUnbalanceLimit), trips like the load limit: 0 = off, else
	 * 1..ACCOUNT_LOAD_LIMIT_MAX_W. Sits in what was the struct's tail padding: the stored
	 * record keeps its size (layout 4, daemon/meter/billing-state.h). */
	uint32_t phase_unbalance_limit_w;
};

struct account_time {
	int64_t utc;		/* seconds since 1970-01-01 UTC, >= 0 */
	int32_t local_day;	/* serial number of the local civil date (any consistent origin) */
	uint8_t weekday;	/* local, 0 = Monday .. 6 = Sunday */
	uint32_t second_of_day; /* local, 0 .. 86399 */
	bool friendly_day;	/* the tariff's special days make today friendly */
};

struct account_payment {
	int64_t utc;
	int64_t value_mu;
	enum account_payment_method method;
};

/* Why the contactor is where it is (and why it moved, in events). */
enum account_reason {
	ACCOUNT_REASON_NONE,
	/* open */
	ACCOUNT_REASON_REMOTE_DISCONNECT,
	ACCOUNT_REASON_OUT_OF_CREDIT,
	ACCOUNT_REASON_LOAD_LIMIT,
	ACCOUNT_REASON_AWAITING_CONFIRMATION, /* armed */
	/* closed */
	ACCOUNT_REASON_FRIENDLY_PERIOD, /* closed only because of a friendly period */
	ACCOUNT_REASON_CREDIT_RESTORED,
	ACCOUNT_REASON_REMOTE_RECONNECT,
	ACCOUNT_REASON_CUSTOMER_CONFIRMATION,
	ACCOUNT_REASON_MODE_CHANGE,
	ACCOUNT_REASON_TENANCY_CHANGE,
};

struct account_supply {
	bool closed;
	enum account_reason reason; /* open: highest-priority cause; closed: NONE or FRIENDLY */
};

enum account_register_action {
	ACCOUNT_REGISTER_KEEP,
	ACCOUNT_REGISTER_RESET, /* to zero */
	ACCOUNT_REGISTER_SET,	/* to the given value */
};

enum account_contactor_action {
	ACCOUNT_CONTACTOR_UNCHANGED,
	ACCOUNT_CONTACTOR_OPEN,	 /* as a remote disconnect */
	ACCOUNT_CONTACTOR_CLOSE, /* as an immediate remote reconnect */
	ACCOUNT_CONTACTOR_ARM,	 /* as an armed remote reconnect */
};

struct account_tenancy_change {
	int64_t effective_utc; /* <= now: at once; later: at the first call at or after it */
	/* Balance: KEEP, RESET or SET. RESET and SET also end emergency credit and clear its
	 * debt to clear: that debt belongs to the outgoing occupant's balance. */
	enum account_register_action balance_action;
	int64_t balance_mu;
	/* Time-based and payment-based debts. */
	enum account_register_action debt_action;
	int64_t time_debt_mu;
	int64_t payment_debt_mu;
	bool clear_payment_log; /* empties the log and zeroes the number of payments */
	/* For the caller (the tariff engine owns these); echoed in the TENANCY_CHANGED event. */
	bool zero_standing_charge;
	bool clear_future_tariffs;
	enum account_contactor_action contactor;
};

/* The published registers, as one snapshot (also carried by SNAPSHOT_REQUIRED). */
struct account_registers {
	enum account_mode mode;
	int64_t balance_mu;
	int64_t available_credit_mu; /* balance + EC remaining */
	enum account_ec_state ec_state;
	int64_t ec_remaining_mu;
	int64_t debt_to_clear_mu;
	int64_t time_debt_mu;
	int64_t payment_debt_mu;
	int64_t total_credit_mu;
	uint32_t payment_count;
	int64_t cost_today_mu;
	int64_t cost_last_hour_mu;
	int64_t charges_period_mu; /* §7.8: charges taken since the billing period's start */
};

enum account_event_type {
	ACCOUNT_EVENT_PAYMENT_ACCEPTED,	    /* value = top-up */
	ACCOUNT_EVENT_LOW_CREDIT,	    /* value = available credit */
	ACCOUNT_EVENT_EC_AVAILABLE,	    /* value = EC value on offer */
	ACCOUNT_EVENT_EC_TAKEN,		    /* value = EC value */
	ACCOUNT_EVENT_EC_EXHAUSTED,	    /* value = the debt to clear moved into the balance */
	ACCOUNT_EVENT_DEBT_CLEARED,	    /* debt says which register reached zero */
	ACCOUNT_EVENT_SUPPLY_OPENED,	    /* reason = cause */
	ACCOUNT_EVENT_SUPPLY_ARMED,	    /* open, awaiting the customer's confirmation */
	ACCOUNT_EVENT_SUPPLY_CLOSED,	    /* reason = what closed it */
	ACCOUNT_EVENT_DISCONNECT_SUSPENDED, /* out of credit inside a friendly period */
	ACCOUNT_EVENT_LOAD_LIMIT_TRIPPED,   /* value = power in W that tripped it */
	ACCOUNT_EVENT_SNAPSHOT_REQUIRED,    /* registers = state before the change that follows */
	ACCOUNT_EVENT_TENANCY_CHANGED,
	ACCOUNT_EVENT_WALLET_RECONCILED,       /* value = correction charged (+) or refunded (-) */
	ACCOUNT_EVENT_PHASE_UNBALANCE_TRIPPED, /* value = the unbalance in W that tripped it */
};

enum account_debt_register {
	ACCOUNT_DEBT_TO_CLEAR, /* emergency credit repaid */
	ACCOUNT_DEBT_TIME,
	ACCOUNT_DEBT_PAYMENT,
};

struct account_event {
	enum account_event_type type;
	int64_t utc;
	int64_t value;
	enum account_reason reason;
	enum account_debt_register debt;
	bool zero_standing_charge;	    /* TENANCY_CHANGED */
	bool clear_future_tariffs;	    /* TENANCY_CHANGED */
	struct account_registers registers; /* SNAPSHOT_REQUIRED */
};

struct account_output {
	const char *error; /* NULL on success */
	unsigned n_events;
	bool events_overflowed; /* never expected: ACCOUNT_EVENTS_MAX exceeds any one call */
	struct account_event events[ACCOUNT_EVENTS_MAX];
};

struct account_cost_bucket {
	int64_t minute; /* utc / 60 */
	int64_t cost_mu;
};

struct account_wallet_day {
	bool used;
	bool final;
	int32_t local_day;
	int64_t charged_mu; /* second utility's cost charged to the balance for that day */
};

/* The whole state: a plain value. Copy it to snapshot it; the adapter stores it. */
struct account {
	struct account_config config;
	int64_t last_utc;

	int64_t balance_mu;
	int64_t total_credit_mu;
	uint32_t payment_count;
	uint8_t payment_log_len;
	uint8_t payment_log_next; /* ring: index of the slot the next payment goes into */
	struct account_payment payment_log[ACCOUNT_PAYMENT_LOG_LEN];

	int32_t cost_day;
	int64_t cost_today_mu;
	struct account_cost_bucket cost_minutes[ACCOUNT_COST_BUCKETS];

	enum account_ec_state ec_state;
	int64_t ec_remaining_mu;
	int64_t debt_to_clear_mu;

	int64_t time_debt_mu;
	int64_t payment_debt_mu;
	/* When the time-based debt was set: instalment n (from 1) falls due at origin + n x 6048 s
	 * (§8.10). Those due up to last_utc have been dealt with. */
	int64_t debt_origin_utc;

	bool remote_open;
	bool credit_open;
	bool load_limit_open;
	bool awaiting_confirmation;
	bool friendly_now;
	bool suspension_reported;
	bool low_credit_warned;
	struct account_supply reported_supply;

	bool over_limit;
	int64_t over_limit_since_utc;

	bool tenancy_pending;
	struct account_tenancy_change tenancy;

	struct account_wallet_day wallet[2]; /* [0] most recent local day, [1] the one before */

	/* §7.8: the charges taken from the Present Balance since the start of the billing
	 * period, for the reconciliation at its end (account_end_charges_period()). Last, so
	 * that records of layouts 1 to 6 are this struct's prefix (daemon/meter/billing-state.h).
	 */
	int64_t charges_period_mu;
};

/* Defaults: credit mode, EC off, no debt, no friendly periods, load limit off, max balance
 * 1 000 000 units, confirmation needed after a credit disconnection. */
void account_config_default(struct account_config *config);
/* Checks every field's range and consistency; returns 0 or -EINVAL / -ERANGE with *error set.
 * (account_configure() also asks for whole minor units, see account_whole_minor_units().) */
int account_config_validate(const struct account_config *config, const char **error);

/*
 * An amount somebody gives the account (a top-up, a debt, a setting, a new balance, a second
 * utility's cost) is a whole number of the currency's minor units: mu are milli-minor-units,
 * so a multiple of ACCOUNT_MU_PER_MINOR. The manual's registers hold whole pence (§8.2, §8.8,
 * §8.10); only the engine's own charges (energy priced per Wh, instalments) are finer.
 */
bool account_whole_minor_units(int64_t mu);

/* A new account: balance 0, default config, clock at now. -EINVAL on a bad time. */
int account_init(struct account *acc, const struct account_time *now, struct account_output *out);

/* Replace the configuration (mode switch at run time included). Refused (-EINVAL) when a
 * money setting is not a whole number of minor units. */
int account_configure(struct account *acc, const struct account_time *now,
		      const struct account_config *config, struct account_output *out);
int account_set_mode(struct account *acc, const struct account_time *now, enum account_mode mode,
		     struct account_output *out);

/* Let time pass: debt instalments, friendly-period ends, a scheduled change of tenancy. */
int account_tick(struct account *acc, const struct account_time *now, struct account_output *out);

/*
 * The meter was powered down from the last call until now (the caller knows: a gap in its
 * samples, a restart). Time passes as account_tick() lets it, except that the time-based debt
 * instalments falling due meanwhile are passed over, not collected: the manual's rule for the
 * standing charge (§8.9: "Standing Charge will not be collected if the meter is powered
 * down"), which issue 19 applies to debt recovery too. *skipped_mu says what they would have
 * collected; the debt is unchanged and its instalments carry on from the next one.
 */
int account_power_up(struct account *acc, const struct account_time *now, int64_t *skipped_mu,
		     struct account_output *out);

/*
 * A top-up of value_mu (> 0, whole minor units). In order: payment_debt_pct of it pays the
 * payment-based debt; the rest goes as §8.8 says:
 *  - EC in use: it repays the debt to clear first; one that does not clear it leaves EC in use
 *    ("remain in emergency credit"); once the debt to clear is repaid EC ends, the unspent EC
 *    is withdrawn (it was never the customer's: "minus the EC value") and the rest goes to the
 *    balance;
 *  - EC exhausted: the debt is in the balance; EC stays withdrawn until the balance is back to
 *    zero or above, then may be offered again (below the threshold);
 *  - else it goes to the balance.
 * Refused if the balance would exceed max_balance_mu. The payment is logged, counted and added
 * to the total credit in full.
 */
int account_topup(struct account *acc, const struct account_time *now, int64_t value_mu,
		  enum account_payment_method method, struct account_output *out);

/*
 * A cost (energy, a standing-charge instalment, a levy) of amount_mu >= 0, from the caller's
 * tariff engine. It is taken from a positive balance first, then from emergency credit in use
 * (each mu of EC spent is added to the debt to clear, §8.8), then the balance goes negative: in
 * credit mode that is the bill, in a friendly period it accrues as debt. When the EC runs out,
 * the debt to clear moves into the balance and EC is exhausted (§8.8). It counts towards cost
 * today and cost in the last hour.
 */
int account_charge(struct account *acc, const struct account_time *now, int64_t amount_mu,
		   struct account_output *out);

/*
 * The same for a cost that accrued evenly over [since_utc, now] (an interval the tariff engine
 * closed, e.g. the energy counted while the daemon was stopped): cost in the last hour counts
 * only the share of it that falls within the last hour's minutes (§8.5: "charges applied
 * within the last hour"), not the whole of a long interval. since_utc >= now: as
 * account_charge().
 */
int account_charge_over(struct account *acc, const struct account_time *now, int64_t amount_mu,
			int64_t since_utc, struct account_output *out);

/* A non-payment adjustment of the balance (export credit, supplier correction), either sign. */
int account_adjust_balance(struct account *acc, const struct account_time *now, int64_t delta_mu,
			   struct account_output *out);

/*
 * The customer takes the emergency credit on offer (§8.8, §9.5): EC remaining = ec_value_mu.
 *  - balance >= 0: available credit = balance + EC (0.40 + 5.00 = 5.40);
 *  - balance < 0 (debt accrued in a friendly period): the debt is written into the debt to
 *    clear and the balance starts again at zero, so the whole EC value is spendable
 *    (-2.00 then EC 5.00: balance 0, EC 5.00, available 5.00, debt to clear 2.00).
 * at_meter: taken with the button at the meter, which also counts as the confirmation a credit
 * reconnection waits for; a remote activation leaves the supply armed. -EPERM when EC is not
 * on offer (out.error says why: disabled, PAYG, credit mode, already taken, or the balance is
 * not below the threshold).
 */
int account_take_emergency_credit(struct account *acc, const struct account_time *now,
				  bool at_meter, struct account_output *out);

/* Debts: set the time-based and payment-based debt registers (>= 0, whole minor units). The
 * time-based debt's instalments count from now: the first falls due 6048 s later (§8.10). */
int account_set_debt(struct account *acc, const struct account_time *now, int64_t time_debt_mu,
		     int64_t payment_debt_mu, struct account_output *out);

/* The instalment with index i (0 = the first after the debt was set): with k = i mod 100,
 * rate * (k + 1) / 100 - rate * k / 100, so every 100 consecutive instalments sum to exactly
 * the weekly rate (§8.10: "100 equal payments during the week"). */
int64_t account_instalment_amount(int64_t weekly_rate_mu, int64_t index);

/* Supply control. A remote disconnect holds until a remote reconnect; an armed reconnect also
 * waits for the customer's confirmation. Credit and load limit still hold the supply open. */
int account_remote_disconnect(struct account *acc, const struct account_time *now,
			      struct account_output *out);
int account_remote_reconnect(struct account *acc, const struct account_time *now, bool armed,
			     struct account_output *out);
/* The customer's confirmation (button or local display). -EPERM if nothing waits for it. */
int account_confirm(struct account *acc, const struct account_time *now,
		    struct account_output *out);

/*
 * Load limiting: the present import power and phase power unbalance (the largest difference
 * between the phases' powers, W). Above the load limit (the peak limit when peak_rate and one
 * is set) or above the phase unbalance limit, continuously for load_limit_period_s, the supply
 * opens (reason load limit; the event says which limit); only the customer's confirmation
 * restores it, and the timer starts again. At a limit is not above it.
 */
int account_power_sample(struct account *acc, const struct account_time *now, int32_t import_w,
			 int32_t unbalance_w, bool peak_rate, struct account_output *out);

/*
 * Change of tenancy or supplier. Applied at once when effective_utc <= now, else at the first
 * call at or after it (a later request replaces a pending one). Applying emits
 * SNAPSHOT_REQUIRED (the registers before the change) and then TENANCY_CHANGED. A balance or
 * debts set are whole minor units; debts set or reset start the instalments again (§8.10).
 */
int account_change_tenancy(struct account *acc, const struct account_time *now,
			   const struct account_tenancy_change *change, struct account_output *out);

/*
 * Single wallet: another local app posts a second utility's cost (whole minor units) since the
 * start of local day
 * `local_day` (running, e.g. every half hour) and, after midnight, that day's final total. The
 * balance pays the difference from what was already charged for that day: a final total below
 * the postings is refunded to the balance. A day is closed by its final total; only the two
 * most recent days may be posted to.
 */
int account_wallet_post(struct account *acc, const struct account_time *now, int32_t local_day,
			int64_t cost_since_day_start_mu, struct account_output *out);
int account_wallet_final(struct account *acc, const struct account_time *now, int32_t local_day,
			 int64_t day_total_mu, struct account_output *out);

/*
 * A currency conversion (manual §8.11), applied when the tariff engine reports
 * TARIFF_EVENT_CURRENCY with its factor num / den (1..1e9 each: the currency factor 1/4..4 times
 * the change of minor units, 10^-4..10^4), after the registers were logged: every money register
 * x num / den to the nearest mu, every money setting to the nearest whole minor unit (of the new
 * currency: mu are milli-minor units of whichever currency), half away from zero; a register
 * the factor would take beyond the engine's bound (+-1e15 mu) held at it; the total credit and
 * the number of payments reset to zero (§8.4, §8.5.1, §8.11); emergency credit whose remainder
 * rounds to nothing exhausted.
 */
void account_convert_currency(struct account *acc, int64_t num, int64_t den);
/* @value_mu x num / den, to the nearest mu, half away from zero (1 <= num, den <= 1e9);
 * saturates at the int64 bounds. */
int64_t account_convert_mu(int64_t value_mu, int64_t num, int64_t den);

/*
 * §7.8: "The meter records the monetary amount of charges taken from the Present Balance
 * register from the start of the billing period ... At the end of the billing period the
 * monetary amount taken over the period will be stored together with a time stamp and the
 * working value reset." The working value counts what account_charge() and
 * account_charge_over() take (energy, standing charge, levies), the time-based debt
 * instalments collected from the balance or from emergency credit in use, and a second
 * utility's cost charged to the balance: every charge that lowers the available credit. Top-ups,
 * balance adjustments (either sign: a correction, not a charge), a second utility's refund and
 * an instalment only added to the debt to clear (EC kept) are not counted.
 * This returns the working value and resets it to zero: the caller stores the amount with the
 * period's end (and the reset state) at once.
 */
int64_t account_end_charges_period(struct account *acc);

/* Read-only views. */
int64_t account_available_credit(const struct account *acc);
struct account_supply account_supply(const struct account *acc);
int64_t account_cost_last_hour(const struct account *acc, int64_t now_utc);
void account_read_registers(const struct account *acc, int64_t now_utc,
			    struct account_registers *regs);
/* The i-th most recent payment (0 = newest); false when there are fewer than i + 1. */
bool account_payment_at(const struct account *acc, unsigned i, struct account_payment *payment);

const char *account_reason_name(enum account_reason reason);
const char *account_event_name(enum account_event_type type);

#endif
