/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The object model: one table describing every quantity the meter publishes, and the
 * snapshot its protocol views read.
 *
 * Each point has a stable identifier, a unit and a decimal scaler (the snapshot holds
 * integers: value = integer x 10^scaler unit, as DLMS's scaler_unit), its access, and its
 * binding in each protocol: the D-Bus interface/property, the OBIS code (DLMS/COSEM), the
 * SunSpec point name (Modbus models 203/213). The views never keep values of their own: they
 * read one snapshot, filled in one go from the metrology results, so a client never sees
 * values from two different scans side by side.
 */
#ifndef POLYMETER_MODEL_H
#define POLYMETER_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/billing/account.h"
#include "core/metrology/metrology.h"
#include "core/metrology/metrology_instant.h"

enum pm_unit {
	PM_UNIT_V,
	PM_UNIT_A,
	PM_UNIT_W,
	PM_UNIT_VAR,
	PM_UNIT_VA,
	PM_UNIT_HZ,
	PM_UNIT_PF, /* dimensionless, -1..1, signed like the active power */
	PM_UNIT_WH,
	PM_UNIT_VARH,
	PM_UNIT_VAH,
	PM_UNIT_NONE,	  /* a count, a state, a name */
	PM_UNIT_SECOND,	  /* time; UTC since 1970 for a point in time */
	PM_UNIT_CURRENCY, /* the tariff's currency unit (GBP, ZAR, ...) */
	PM_UNIT_CURRENCY_PER_KWH,
	PM_UNIT_COUNT
};

enum pm_access {
	PM_ACCESS_READ,
	PM_ACCESS_READ_WRITE,
};

/* Where a point's value comes from. */
enum pm_point_source {
	PM_SRC_VOLTAGE, /* line-to-neutral (wye) or as measured (delta) */
	PM_SRC_CURRENT, /* a phase, or the sum of the three for the total (SunSpec "A") */
	PM_SRC_ACTIVE_POWER,
	PM_SRC_REACTIVE_POWER,
	PM_SRC_APPARENT_POWER,
	PM_SRC_POWER_FACTOR,
	PM_SRC_FREQUENCY,
	PM_SRC_NEUTRAL_CURRENT,
	PM_SRC_VOLTAGE_AVG, /* mean line-to-neutral */
	PM_SRC_VOLTAGE_LL,  /* line-to-line, .line */
	PM_SRC_VOLTAGE_LL_AVG,
	PM_SRC_ENERGY, /* register .reg */
};

/* .phase of a point: 0..2 = L1..L3, or the meter as a whole */
#define PM_MODEL_TOTAL PM_MET_PHASES

struct pm_point {
	const char *id; /* stable, dotted: "total.energy.active_import" */
	enum pm_point_source source;
	uint8_t phase; /* 0..2 or PM_MODEL_TOTAL */
	uint8_t reg;   /* enum pm_met_reg for PM_SRC_ENERGY */
	uint8_t line;  /* enum pm_met_line for PM_SRC_VOLTAGE_LL */
	enum pm_unit unit;
	int8_t scaler; /* value = snapshot integer x 10^scaler unit */
	enum pm_access access;
	const char *dbus_name; /* property on the meter (total) or on the phase object */
	const char *obis;      /* "1.0.1.8.0.255", NULL when OBIS has no code for it */
	const char *sunspec;   /* point name in models 203/213, NULL when none */
};

/*
 * DLMS: every point with an OBIS code is a Register (interface class 3): its value is
 * attribute 2, its scaler_unit (scaler, unit) attribute 3. The other quantities name their
 * class and attribute in their own binding (quantity.h).
 */
#define PM_POINT_DLMS_CLASS 3
#define PM_POINT_DLMS_VALUE_ATTR 2
#define PM_POINT_DLMS_SCALER_UNIT_ATTR 3

extern const struct pm_point pm_points[];
extern const size_t pm_point_count;

const char *pm_unit_name(enum pm_unit unit);
/* Index of the point with this id, or -1. */
int pm_point_find(const char *id);

/* The meter's account as the snapshot carries it (filled by daemon/meter/billing.c). */
enum pm_snapshot_credit {
	PM_CREDIT_OK,		/* in credit (or a credit-mode account) */
	PM_CREDIT_EC_AVAILABLE, /* emergency credit on offer */
	PM_CREDIT_EC_IN_USE,
	PM_CREDIT_EC_EXHAUSTED,
	PM_CREDIT_OUT, /* out of credit: the supply is held open for it */
};

enum pm_snapshot_supply { PM_SUPPLY_OPEN, PM_SUPPLY_CLOSED, PM_SUPPLY_ARMED };

/* Rate registers the snapshot carries: the tariff engine's TARIFF_MAX_RATES. */
#define PM_SNAPSHOT_RATES 8
/* Payments the snapshot carries, newest first: the account's ACCOUNT_PAYMENT_LOG_LEN. */
#define PM_SNAPSHOT_PAYMENTS 20
#define PM_SNAPSHOT_NAME_LEN 128

/* A civil date; year 0 = none. */
struct pm_date {
	int32_t year;
	uint8_t month, day;
};

/* num / den; den 0 = none. */
struct pm_ratio {
	int64_t num, den;
};

struct pm_snapshot_payment {
	int64_t utc;			    /* UTC seconds */
	int64_t value_mu;		    /* mu: 1/1000 of the minor currency unit */
	enum account_payment_method method; /* token, remote, local, dlms */
};

/* A friendly period: the supply is not opened for credit on @day (0..6) from start to end. */
struct pm_snapshot_friendly {
	int64_t day, start_s, end_s;
};

#define PM_SNAPSHOT_FRIENDLY (7 * ACCOUNT_FRIENDLY_PERIODS_PER_DAY)

/* The account's settings as published (org.polymeter.Account1.Configuration). */
struct pm_snapshot_settings {
	int64_t payg_debt_limit_mu, max_balance_mu, low_credit_mu;
	int64_t emergency_credit_mu; /* 0: emergency credit not offered */
	int64_t ec_threshold_mu, debt_weekly_rate_mu;
	enum account_debt_collection debt_collection;
	enum account_debt_in_ec debt_in_ec;
	int64_t payment_debt_pct, load_limit_w, load_limit_peak_w, load_limit_period_s;
	bool reconnect_needs_confirmation, friendly_special_days;
	int64_t n_friendly;
	struct pm_snapshot_friendly friendly[PM_SNAPSHOT_FRIENDLY]; /* by weekday */
};

/*
 * Every published account, credit, tariff, supply and STS value, filled in one go
 * (pm_billing_snapshot). The quantity table (quantity.h) says which field is which quantity;
 * integer fields are 64 bits wide so that one reader serves them all.
 */
struct pm_snapshot_account {
	bool valid;	 /* false: no account published (yet, or it could not be read) */
	bool has_tariff; /* the tariff values (rate, block, price, names, dates) are meaningful */
	int64_t rate, export_rate, block; /* 1..n */
	enum account_mode mode;
	int64_t balance_mu;	 /* mu: 1/1000 of the minor currency unit */
	int64_t available_mu;	 /* balance + emergency credit remaining */
	int64_t total_credit_mu; /* credit ever added, rolling over */
	int64_t emergency_mu;	 /* emergency credit remaining */
	enum account_ec_state ec_state;
	int64_t debt_to_clear_mu; /* emergency credit used, to repay */
	int64_t time_debt_mu;	  /* time-based debt */
	int64_t payment_debt_mu;  /* payment-based debt */
	int64_t debt_mu;	  /* debt to clear + time-based + payment-based debt */
	int64_t cost_last_hour_mu;
	int64_t cost_today_mu;
	int64_t charges_period_mu; /* §7.8: charges taken since the billing period's start */
	enum pm_snapshot_credit credit;
	enum pm_snapshot_supply supply;
	bool supply_closed;
	enum account_reason supply_reason;
	bool aux_closed; /* the tariff's auxiliary relay (open without a tariff) */
	bool sts;	 /* STS tokens accepted */
	char tariff_name[PM_SNAPSHOT_NAME_LEN];
	char rate_name[64], export_rate_name[64]; /* the current rates' names, "" when unnamed */
	char currency[4];
	int64_t minor_units;
	int64_t price_mu_per_kwh; /* import price of the current rate and block */
	bool peak_rate;
	struct pm_date local_date; /* the tariff engine's local date (with a tariff) */
	char future_tariff_name[PM_SNAPSHOT_NAME_LEN];
	struct pm_date future_tariff_date;
	struct pm_date conversion_date; /* a currency conversion pending on this date */
	struct pm_ratio conversion;	/* its factor; den 0 when none */
	char conversion_currency[4];	/* the currency it changes to (§8.11), "" when none */
	int64_t payment_count;
	int64_t n_payments;
	struct pm_snapshot_payment payments[PM_SNAPSHOT_PAYMENTS]; /* newest first */
	/* Lifetime energy per tariff rate register (rate i + 1), mWh: n_rates import registers,
	 * n_export_rates export registers (0 when the tariff does not price export). */
	int64_t n_rates, n_export_rates;
	int64_t rate_import_mwh[PM_SNAPSHOT_RATES];
	int64_t rate_export_mwh[PM_SNAPSHOT_RATES];
	struct pm_snapshot_settings settings;
};

/*
 * One consistent set of values. valid[i] is false while point i has no value (no sample
 * yet, or a quantity the wiring cannot give, e.g. line-to-neutral voltages in delta).
 */
struct pm_snapshot {
	uint64_t seq;	/* incremented at every fill */
	int64_t ts_ns;	/* timestamp of the sample the values come from */
	int64_t *value; /* pm_point_count entries */
	bool *valid;	/* pm_point_count entries */
	/* Set after the same sample was billed, before any view can read the snapshot: energy
	 * and money in one snapshot always belong together. */
	struct pm_snapshot_account account;
	/* Events logged so far (the store's count, kept by the meter so that no view queries the
	 * store); has_events false while the meter has no store or could not read the count. */
	bool has_events;
	uint64_t events;
};

/* Allocates the arrays; returns -ENOMEM. */
int pm_snapshot_init(struct pm_snapshot *snap);
void pm_snapshot_free(struct pm_snapshot *snap);

/* Fills every point from one sample's instantaneous values and the registers after it. */
void pm_snapshot_fill(struct pm_snapshot *snap, const struct pm_met_instant *inst,
		      const struct pm_met_registers *regs);

#endif
