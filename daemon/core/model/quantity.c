// SPDX-License-Identifier: GPL-2.0-only
/*
 * The quantity table (see quantity.h): every published value that is not a measurement point,
 * once. The order of the rows with a D-Bus binding is the order of org.polymeter.Account1's
 * properties in its introspection; the Modbus rows name their own offsets.
 *
 * Money is in mu (1/1000 of the minor currency unit): with the two minor digits of GBP, EUR or
 * ZAR, 1 mu = 10^-5 currency unit (ACCOUNT_MU_PER_UNIT), hence scaler -5. The vendor model
 * publishes mill (10^-3 unit), so its scale is -3: value / 100, toward zero.
 *
 * DLMS: the prepayment objects of IEC 62056-6-2 where the Blue Book has an attribute for the
 * value (Account 0.0.19.0.0.255 class 111, Credit 0.0.19.1x.0.255 class 112 with instance 0
 * the token credit and 1 the emergency credit, Charge 0.0.19.2x.0.255 class 113 with instance 1
 * the time-based and 2 the payment-based debt, Disconnect control 0.0.96.3.10.255 class 70,
 * Activity calendar 0.0.13.0.0.255 class 20, the token credit history 0.0.99.15.0.255 class
 * 7, the rate registers 1.0.1.8.E.255 / 1.0.2.8.E.255 class 3). Where it has none, a
 * manufacturer-specific code in group C = 128 (IEC 62056-6-1: C 128..199 is the manufacturer's):
 * 0.0.128.D.E.255 with D = 0 account, 1 supply, 2 tariff, 3 STS, 4 events, as a Data (1) or,
 * with a unit, a Register (3), value attribute 2.
 */
#include <stddef.h>
#include <string.h>

#include "core/model/quantity.h"

/* The field of struct pm_snapshot the value lives in. */
#define AT(member)                                                                                 \
	.off = offsetof(struct pm_snapshot, member),                                               \
	.size = sizeof(((struct pm_snapshot *)0)->member)
#define DBUS(n, s) .dbus = {PM_IFACE_ACCOUNT1, NULL, n, s, 0}
#define DBUS_FROM_0(n, s) .dbus = {PM_IFACE_ACCOUNT1, NULL, n, s, -1}
#define CONFIG(key, s) .dbus = {PM_IFACE_ACCOUNT1, "Configuration", key, s, 0}
#define MB(o, t, sc, n, u) .modbus = {o, PM_MB_##t, sc, false, n, u}
#define DLMS(code, cls, a) .dlms = {code, cls, a, 0}
#define DLMS_ELEMENT(code, cls, a, e) .dlms = {code, cls, a, e}

#define SET(f)                                                                                     \
	.setting = {offsetof(struct account_config, f), sizeof(((struct account_config *)0)->f)}
#define MONEY .kind = PM_VALUE_INT, .unit = PM_UNIT_CURRENCY, .scaler = -5
#define FLAG .kind = PM_VALUE_BOOL, .unit = PM_UNIT_NONE
#define COUNT .kind = PM_VALUE_INT, .unit = PM_UNIT_NONE
#define TEXT .kind = PM_VALUE_STRING, .unit = PM_UNIT_NONE
#define DATE .kind = PM_VALUE_DATE, .unit = PM_UNIT_NONE
#define WATTS .kind = PM_VALUE_INT, .unit = PM_UNIT_W
#define SECONDS .kind = PM_VALUE_INT, .unit = PM_UNIT_SECOND
#define RECORDS .kind = PM_VALUE_ARRAY, .unit = PM_UNIT_NONE
#define STATE(fn) .kind = PM_VALUE_ENUM, .unit = PM_UNIT_NONE, .enum_name = fn

#define ACCOUNT_111 "0.0.19.0.0.255"
#define TOKEN_CREDIT_112 "0.0.19.10.0.255"
#define EMERGENCY_CREDIT_112 "0.0.19.11.0.255"
#define TIME_DEBT_113 "0.0.19.21.0.255"
#define PAYMENT_DEBT_113 "0.0.19.22.0.255"
#define DISCONNECT_70 "0.0.96.3.10.255"
#define CALENDAR_20 "0.0.13.0.0.255"
#define LIMITER_71 "0.0.17.0.0.255"

static const struct pm_record_field payment_fields[] = {
    {"utc", PM_VALUE_TIME, offsetof(struct pm_snapshot_payment, utc), NULL},
    {"value", PM_VALUE_INT, offsetof(struct pm_snapshot_payment, value_mu), NULL},
    {"method", PM_VALUE_ENUM, offsetof(struct pm_snapshot_payment, method), pm_payment_method_name},
};

static const struct pm_record payment_record = {
    .size = sizeof(struct pm_snapshot_payment),
    .count_off = offsetof(struct pm_snapshot, account.n_payments),
    .n_fields = sizeof(payment_fields) / sizeof(payment_fields[0]),
    .fields = payment_fields,
};

static const struct pm_record_field friendly_fields[] = {
    {"day", PM_VALUE_INT, offsetof(struct pm_snapshot_friendly, day), NULL},
    {"start", PM_VALUE_INT, offsetof(struct pm_snapshot_friendly, start_s), NULL},
    {"end", PM_VALUE_INT, offsetof(struct pm_snapshot_friendly, end_s), NULL},
};

static const struct pm_record friendly_record = {
    .size = sizeof(struct pm_snapshot_friendly),
    .count_off = offsetof(struct pm_snapshot, account.settings.n_friendly),
    .n_fields = sizeof(friendly_fields) / sizeof(friendly_fields[0]),
    .fields = friendly_fields,
};

/* Per-tariff-rate energy registers: the vendor model's RateImpN / RateExpN, OBIS rate E = N. */
#define RATE_IMPORT(n)                                                                             \
	{                                                                                          \
		.id = "register.rate" #n ".active_import", .group = PM_GROUP_REGISTERS,            \
		.kind = PM_VALUE_INT, .unit = PM_UNIT_WH, .scaler = -3, .read = PM_WHO_ANYONE,     \
		.write = PM_WHO_NOBODY, .desc = "import energy counted on tariff rate " #n,        \
		AT(account.rate_import_mwh[(n)-1]), .presence = PM_PRESENT_IMPORT_RATE,            \
		.index = (n)-1, MB(30 + 4 * ((n)-1), INT64, -3, "RateImp" #n, "mWh"),              \
		DLMS("1.0.1.8." #n ".255", 3, 2)                                                   \
	}
#define RATE_EXPORT(n)                                                                             \
	{                                                                                          \
		.id = "register.rate" #n ".active_export", .group = PM_GROUP_REGISTERS,            \
		.kind = PM_VALUE_INT, .unit = PM_UNIT_WH, .scaler = -3, .read = PM_WHO_ANYONE,     \
		.write = PM_WHO_NOBODY, .desc = "export energy counted on export rate " #n,        \
		AT(account.rate_export_mwh[(n)-1]), .presence = PM_PRESENT_EXPORT_RATE,            \
		.index = (n)-1, MB(62 + 4 * ((n)-1), INT64, -3, "RateExp" #n, "mWh"),              \
		DLMS("1.0.2.8." #n ".255", 3, 2)                                                   \
	}

const struct pm_quantity
    pm_quantities[] =
	{
	    /* --- org.polymeter.Account1, in the order of its properties --- */
	    {.id = "account.running",
	     .group = PM_GROUP_ACCOUNT,
	     FLAG,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "the account is known; false: nothing else is published",
	     AT(account.valid),
	     .presence = PM_PRESENT_SNAPSHOT,
	     DBUS("Running", "b")},
	    {.id = "account.mode",
	     .group = PM_GROUP_ACCOUNT,
	     STATE(pm_mode_name),
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "credit, prepayment or payg",
	     AT(account.mode),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("Mode", "s"),
	     DLMS_ELEMENT(ACCOUNT_111, 111, 2, 1)},
	    {.id = "account.balance",
	     .group = PM_GROUP_ACCOUNT,
	     MONEY,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "prepayment balance, 1/1000 currency unit (toward zero), signed",
	     AT(account.balance_mu),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("Balance", "x"),
	     MB(12, INT64, -3, "Bal", "mill"),
	     DLMS(TOKEN_CREDIT_112, 112, 2)},
	    {.id = "account.available_credit",
	     .group = PM_GROUP_ACCOUNT,
	     MONEY,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "balance + emergency credit remaining",
	     AT(account.available_mu),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("AvailableCredit", "x"),
	     DLMS(ACCOUNT_111, 111, 5)},
	    {.id = "account.total_credit",
	     .group = PM_GROUP_ACCOUNT,
	     MONEY,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "credit ever added, rolling over at 10^15 mu",
	     AT(account.total_credit_mu),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("TotalCredit", "x"),
	     DLMS("0.0.128.0.0.255", 3, 2)},
	    {.id = "payments.count",
	     .group = PM_GROUP_PAYMENTS,
	     COUNT,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "payments ever accepted",
	     AT(account.payment_count),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("PaymentCount", "u"),
	     DLMS("0.0.128.0.1.255", 1, 2)},
	    {.id = "payments.log",
	     .group = PM_GROUP_PAYMENTS,
	     .kind = PM_VALUE_ARRAY,
	     .unit = PM_UNIT_NONE,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "the last payments, newest first: UTC, value (mu), method",
	     AT(account.payments),
	     .presence = PM_PRESENT_ACCOUNT,
	     .record = &payment_record,
	     DBUS("Payments", "a(txs)"),
	     DLMS("0.0.99.15.0.255", 7, 2)},
	    {.id = "credit.emergency.state",
	     .group = PM_GROUP_CREDIT,
	     STATE(pm_ec_state_name),
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_DISPLAY,
	     .desc = "emergency credit: none, available, in_use, exhausted",
	     AT(account.ec_state),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("EmergencyCredit", "s"),
	     DLMS(EMERGENCY_CREDIT_112, 112, 8)},
	    {.id = "credit.emergency.remaining",
	     .group = PM_GROUP_CREDIT,
	     MONEY,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "emergency credit remaining",
	     AT(account.emergency_mu),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("EmergencyCreditRemaining", "x"),
	     MB(16, INT64, -3, "EmCr", "mill"),
	     DLMS(EMERGENCY_CREDIT_112, 112, 2)},
	    {.id = "account.debt.to_clear",
	     .group = PM_GROUP_ACCOUNT,
	     MONEY,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "emergency credit used, to repay",
	     AT(account.debt_to_clear_mu),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("DebtToClear", "x"),
	     DLMS(ACCOUNT_111, 111, 6)},
	    {.id = "account.debt.time_based",
	     .group = PM_GROUP_ACCOUNT,
	     MONEY,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "time-based debt",
	     AT(account.time_debt_mu),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("TimeDebt", "x"),
	     DLMS(TIME_DEBT_113, 113, 12)},
	    {.id = "account.debt.payment_based",
	     .group = PM_GROUP_ACCOUNT,
	     MONEY,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "payment-based debt",
	     AT(account.payment_debt_mu),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("PaymentDebt", "x"),
	     DLMS(PAYMENT_DEBT_113, 113, 12)},
	    {.id = "account.cost.last_hour",
	     .group = PM_GROUP_ACCOUNT,
	     MONEY,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "money taken in the last hour",
	     AT(account.cost_last_hour_mu),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("CostLastHour", "x"),
	     DLMS("0.0.128.0.2.255", 3, 2)},
	    {.id = "account.cost.today",
	     .group = PM_GROUP_ACCOUNT,
	     MONEY,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "money taken since 00:00 local",
	     AT(account.cost_today_mu),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("CostToday", "x"),
	     DLMS("0.0.128.0.3.255", 3, 2)},
	    {.id = "supply.closed",
	     .group = PM_GROUP_SUPPLY,
	     FLAG,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "the supply contactor is closed",
	     AT(account.supply_closed),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("SupplyClosed", "b"),
	     DLMS(DISCONNECT_70, 70, 2)},
	    {.id = "supply.state",
	     .group = PM_GROUP_SUPPLY,
	     STATE(pm_supply_state_name),
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "supply contactor: 0 open, 1 closed, 2 armed",
	     AT(account.supply),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("SupplyState", "s"),
	     MB(25, ENUM16, 0, "Supply", NULL),
	     DLMS(DISCONNECT_70, 70, 3)},
	    {.id = "supply.reason",
	     .group = PM_GROUP_SUPPLY,
	     STATE(pm_supply_reason_name),
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "why the contactor is where it is",
	     AT(account.supply_reason),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("SupplyReason", "s"),
	     DLMS("0.0.128.1.0.255", 1, 2)},
	    {.id = "supply.aux_closed",
	     .group = PM_GROUP_SUPPLY,
	     FLAG,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "the tariff's auxiliary relay: 0 open, 1 closed",
	     AT(account.aux_closed),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("AuxRelayClosed", "b"),
	     MB(28, ENUM16, 0, "Aux", NULL),
	     DLMS("0.0.128.1.1.255", 1, 2)},
	    {.id = "tariff.present",
	     .group = PM_GROUP_TARIFF,
	     FLAG,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "the account has a tariff",
	     AT(account.has_tariff),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("HasTariff", "b"),
	     DLMS("0.0.128.2.0.255", 1, 2)},
	    {.id = "tariff.name",
	     .group = PM_GROUP_TARIFF,
	     TEXT,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "the active tariff's name",
	     AT(account.tariff_name),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("TariffName", "s"),
	     DLMS(CALENDAR_20, 20, 2)},
	    {.id = "tariff.currency",
	     .group = PM_GROUP_TARIFF,
	     TEXT,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "ISO 4217 code of the tariff's currency",
	     AT(account.currency),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("Currency", "s"),
	     DLMS_ELEMENT(ACCOUNT_111, 111, 15, 1)},
	    {.id = "tariff.minor_units",
	     .group = PM_GROUP_TARIFF,
	     COUNT,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "decimal digits of the minor currency unit",
	     AT(account.minor_units),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("MinorUnits", "u"),
	     DLMS_ELEMENT(ACCOUNT_111, 111, 15, 2)},
	    {.id = "tariff.rate",
	     .group = PM_GROUP_TARIFF,
	     COUNT,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "active tariff rate, 1..n",
	     AT(account.rate),
	     .presence = PM_PRESENT_TARIFF,
	     DBUS_FROM_0("Rate", "y"),
	     MB(10, UINT16, 0, "TarRate", NULL),
	     DLMS("0.0.128.2.1.255", 1, 2)},
	    {.id = "tariff.export_rate",
	     .group = PM_GROUP_TARIFF,
	     COUNT,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "active export rate, 1..n",
	     AT(account.export_rate),
	     .presence = PM_PRESENT_TARIFF,
	     DBUS_FROM_0("ExportRate", "y"),
	     DLMS("0.0.128.2.2.255", 1, 2)},
	    {.id = "tariff.block",
	     .group = PM_GROUP_TARIFF,
	     COUNT,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "active tariff block, 1..n",
	     AT(account.block),
	     .presence = PM_PRESENT_TARIFF,
	     DBUS_FROM_0("Block", "y"),
	     MB(11, UINT16, 0, "TarBlk", NULL),
	     DLMS("0.0.128.2.3.255", 1, 2)},
	    {.id = "tariff.price",
	     .group = PM_GROUP_TARIFF,
	     .kind = PM_VALUE_INT,
	     .unit = PM_UNIT_CURRENCY_PER_KWH,
	     .scaler = -5,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "import price of the current rate and block",
	     AT(account.price_mu_per_kwh),
	     .presence = PM_PRESENT_TARIFF,
	     DBUS("Price", "x"),
	     DLMS("0.0.128.2.4.255", 3, 2)},
	    {.id = "sts.enabled",
	     .group = PM_GROUP_STS,
	     FLAG,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "STS tokens are accepted (a decoder key is configured)",
	     AT(account.sts),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("StsTokens", "b"),
	     DLMS("0.0.128.3.0.255", 1, 2)},
	    {.id = "tariff.local_date",
	     .group = PM_GROUP_TARIFF,
	     DATE,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "the tariff engine's local date",
	     AT(account.local_date),
	     .presence = PM_PRESENT_TARIFF,
	     DBUS("LocalDate", "s"),
	     DLMS("0.0.128.2.5.255", 1, 2)},
	    {.id = "tariff.peak_rate",
	     .group = PM_GROUP_TARIFF,
	     FLAG,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_NOBODY,
	     .desc = "the current import rate is a peak rate",
	     AT(account.peak_rate),
	     .presence = PM_PRESENT_ACCOUNT,
	     DBUS("PeakRate", "b"),
	     DLMS("0.0.128.2.6.255", 1, 2)},
	    {.id = "tariff.future.name",
	     .group = PM_GROUP_TARIFF,
	     TEXT,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "the tariff that replaces the active one",
	     AT(account.future_tariff_name),
	     .presence = PM_PRESENT_TARIFF,
	     DBUS("FutureTariffName", "s"),
	     DLMS(CALENDAR_20, 20, 6)},
	    {.id = "tariff.future.date",
	     .group = PM_GROUP_TARIFF,
	     DATE,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "it replaces the active one at 00:00 local on this date",
	     AT(account.future_tariff_date),
	     .presence = PM_PRESENT_TARIFF,
	     DBUS("FutureTariffDate", "s"),
	     DLMS(CALENDAR_20, 20, 10)},
	    {.id = "tariff.conversion.date",
	     .group = PM_GROUP_TARIFF,
	     DATE,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "a currency conversion at 00:00 local on this date",
	     AT(account.conversion_date),
	     .presence = PM_PRESENT_TARIFF,
	     DBUS("CurrencyConversionDate", "s"),
	     DLMS("0.0.128.2.7.255", 1, 2)},
	    {.id = "tariff.conversion.factor",
	     .group = PM_GROUP_TARIFF,
	     .kind = PM_VALUE_RATIO,
	     .unit = PM_UNIT_NONE,
	     .read = PM_WHO_ANYONE,
	     .write = PM_WHO_ADMIN,
	     .desc = "its factor: every price and money register x this",
	     AT(account.conversion),
	     .presence = PM_PRESENT_TARIFF,
	     DBUS("CurrencyConversionFactor", "s"),
	     DLMS("0.0.128.2.8.255", 1, 2)},

/* --- the account's settings: org.polymeter.Account1.Configuration, in its order --- */
#define SETTING(ident, k, what, field, key, sig)                                                   \
	{                                                                                          \
		.id = "settings." ident, .group = PM_GROUP_SETTINGS, k, .read = PM_WHO_ANYONE,     \
		.write = PM_WHO_ADMIN, .desc = what, AT(account.settings.field),                   \
		.presence = PM_PRESENT_ACCOUNT, CONFIG(key, sig)
	    SETTING("payg_debt_limit", MONEY, "PAYG: the supply opens below this available credit",
		    payg_debt_limit_mu, "payg_debt_limit", "x"),
	    SET(payg_debt_limit_mu),
	    DLMS("0.0.128.5.0.255", 3, 2)},
    SETTING("max_balance", MONEY, "a top-up may not take the balance above this", max_balance_mu,
	    "max_balance", "x"),
    SET(max_balance_mu), DLMS("0.0.128.5.1.255", 3, 2)
}
,
    SETTING("low_credit", MONEY, "warn once when available credit falls below this", low_credit_mu,
	    "low_credit", "x"),
    SET(low_credit_threshold_mu), DLMS(ACCOUNT_111, 111, 16)
}
,
    SETTING("emergency_credit", MONEY, "emergency credit offered; 0: none", emergency_credit_mu,
	    "emergency_credit", "x"),
    DLMS(EMERGENCY_CREDIT_112, 112, 9)
}
,
    SETTING("emergency_credit_threshold", MONEY, "emergency credit is offered below this balance",
	    ec_threshold_mu, "emergency_credit_threshold", "x"),
    SET(ec_threshold_mu), DLMS(EMERGENCY_CREDIT_112, 112, 10)
}
,
    SETTING("debt_weekly_rate", MONEY, "time-based debt recovered per week", debt_weekly_rate_mu,
	    "debt_weekly_rate", "x"),
    SET(debt_weekly_rate_mu), DLMS("0.0.128.5.2.255", 3, 2)
}
,
    SETTING("debt_collection", STATE(pm_debt_collection_name), "always, or halt_out_of_credit",
	    debt_collection, "debt_collection", "s"),
    SET(debt_collection), DLMS("0.0.128.5.3.255", 1, 2)
}
,
    SETTING("debt_in_emergency_credit", STATE(pm_debt_in_ec_name),
	    "debt instalments in emergency credit: reduce, keep or suspend", debt_in_ec,
	    "debt_in_emergency_credit", "s"),
    SET(debt_in_ec), DLMS("0.0.128.5.4.255", 1, 2)
}
,
    SETTING("payment_debt_percent", COUNT, "share of each top-up that pays the payment debt, %",
	    payment_debt_pct, "payment_debt_percent", "y"),
    SET(payment_debt_pct), DLMS(PAYMENT_DEBT_113, 113, 13)
}
, SETTING("load_limit", WATTS, "load limit; 0: off", load_limit_w, "load_limit_w", "u"),
    SET(load_limit_w), DLMS(LIMITER_71, 71, 4)
}
,
    SETTING("load_limit_peak", WATTS, "load limit on peak rates; 0: the load limit",
	    load_limit_peak_w, "load_limit_peak_w", "u"),
    SET(load_limit_peak_w), DLMS("0.0.128.5.5.255", 3, 2)
}
,
    SETTING("load_limit_period", SECONDS, "over the limit this long opens the supply",
	    load_limit_period_s, "load_limit_period_s", "u"),
    SET(load_limit_period_s), DLMS(LIMITER_71, 71, 6)
}
,
    SETTING("reconnect_needs_confirmation", FLAG,
	    "a reconnection after credit is restored waits for the customer",
	    reconnect_needs_confirmation, "reconnect_needs_confirmation", "b"),
    SET(credit_reconnect_needs_confirmation), DLMS("0.0.128.5.6.255", 1, 2)
}
,
    SETTING("friendly_special_days", FLAG, "the tariff's special days are friendly",
	    friendly_special_days, "friendly_special_days", "b"),
    SET(friendly_special_days), DLMS("0.0.128.5.7.255", 1, 2)
}
,
    SETTING("friendly_periods", RECORDS,
	    "friendly periods: weekday 0..6, start and end (local seconds)", friendly,
	    "friendly_periods", "a(yuu)"),
    .record = &friendly_record, DLMS("0.0.128.5.8.255", 1, 2)
}
,
#undef SETTING

    /* --- published by Modbus (and DLMS) only: summaries and the snapshot itself --- */
    {.id = "snapshot.seq",
     .group = PM_GROUP_SNAPSHOT,
     COUNT,
     .read = PM_WHO_ANYONE,
     .write = PM_WHO_NOBODY,
     .desc = "snapshot sequence number, low 32 bits",
     AT(seq),
     .presence = PM_PRESENT_SNAPSHOT,
     MB(4, UINT32, 0, "Seq", NULL)},
    {.id = "snapshot.time",
     .group = PM_GROUP_SNAPSHOT,
     .kind = PM_VALUE_INT,
     .unit = PM_UNIT_SECOND,
     .scaler = -9,
     .read = PM_WHO_ANYONE,
     .write = PM_WHO_NOBODY,
     .desc = "sample timestamp of the snapshot",
     AT(ts_ns),
     .presence = PM_PRESENT_SNAPSHOT,
     MB(6, INT64, -3, "Ts", "ms")},
    {.id = "account.debt.total",
     .group = PM_GROUP_SUMMARY,
     MONEY,
     .read = PM_WHO_ANYONE,
     .write = PM_WHO_NOBODY,
     .desc = "outstanding debt: emergency credit to repay + time- and payment-based debt",
     AT(account.debt_mu),
     .presence = PM_PRESENT_ACCOUNT,
     MB(20, INT64, -3, "Debt", "mill"),
     DLMS(ACCOUNT_111, 111, 8)},
    {.id = "credit.state",
     .group = PM_GROUP_SUMMARY,
     STATE(pm_credit_state_name),
     .read = PM_WHO_ANYONE,
     .write = PM_WHO_NOBODY,
     .desc = "credit state: 0 in credit, 1 emergency credit available, 2 in use, 3 exhausted, "
	     "4 out of credit",
     AT(account.credit),
     .presence = PM_PRESENT_ACCOUNT,
     MB(24, ENUM16, 0, "CrSt", NULL),
     DLMS("0.0.128.0.4.255", 1, 2)},
    {.id = "events.count",
     .group = PM_GROUP_EVENTS,
     COUNT,
     .read = PM_WHO_ANYONE,
     .write = PM_WHO_NOBODY,
     .desc = "events the meter has logged (the store's count), modulo 2^32 - 1",
     AT(events),
     .presence = PM_PRESENT_EVENTS,
     .modbus = {26, PM_MB_UINT32, 0, true, "EvtCnt", NULL},
     DLMS("0.0.128.4.0.255", 1, 2)},
    {.id = "tariff.rates.import",
     .group = PM_GROUP_SUMMARY,
     COUNT,
     .read = PM_WHO_ANYONE,
     .write = PM_WHO_NOBODY,
     .desc = "import rate registers the tariff defines, 1..8 (0 without a tariff)",
     AT(account.n_rates),
     .presence = PM_PRESENT_ACCOUNT_OR_ZERO,
     MB(29, UINT16, 0, "NRates", NULL),
     DLMS("0.0.128.2.9.255", 1, 2)},
    RATE_IMPORT(1), RATE_IMPORT(2), RATE_IMPORT(3), RATE_IMPORT(4), RATE_IMPORT(5), RATE_IMPORT(6),
    RATE_IMPORT(7), RATE_IMPORT(8), RATE_EXPORT(1), RATE_EXPORT(2), RATE_EXPORT(3), RATE_EXPORT(4),
    RATE_EXPORT(5), RATE_EXPORT(6), RATE_EXPORT(7), RATE_EXPORT(8),
}
;

const size_t pm_quantity_count = sizeof(pm_quantities) / sizeof(pm_quantities[0]);

_Static_assert(PM_SNAPSHOT_PAYMENTS == ACCOUNT_PAYMENT_LOG_LEN, "a snapshot slot per payment");

int pm_quantity_find(const char *id)
{
	for (size_t i = 0; i < pm_quantity_count; i++)
		if (!strcmp(pm_quantities[i].id, id))
			return (int)i;
	return -1;
}
