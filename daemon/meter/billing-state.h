/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The account record polymeterd stores (daemon/meter/billing-store.c): struct state as one plain
 * value, its layout number, and the check every record read back passes before it is used.
 *
 * Internal to daemon/meter/billing*.c and their unit test: nothing else reads the record.
 */
#ifndef POLYMETER_BILLING_STATE_H
#define POLYMETER_BILLING_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/billing/account.h"
#include "core/sts/sts.h"
#include "meter/tariff-file.h"
#include "core/billing/tariff.h"

/* The stored record's layout; bump it whenever struct state or an engine struct changes, in
 * size or in meaning. */
#define STATE_LAYOUT 7

/*
 * struct account as layouts 1 to 6 stored it: the same without charges_period_mu (§7.8, layout
 * 7), which is its last member, so those records hold the account's prefix. Bytes, for the
 * size and offsets only: billing-store.c copies them into a struct account whose working value
 * starts at 0, and the bools are checked at struct account's offsets (billing-record.c).
 */
struct account_v6 {
	_Alignas(struct account) unsigned char bytes[offsetof(struct account, charges_period_mu)];
};

/*
 * The currency a pending conversion changes to (manual §8.11: the request names the "Currency
 * to be converted to"; "Following conversion the meter will change the currency symbol"). All
 * zero: the conversion keeps the account's currency (ConvertCurrency without one, or a layout-5
 * record's conversion), its factor the engine's conversion_num / conversion_den.
 */
struct billing_conversion_target {
	char currency[4];    /* ISO 4217 code, "" = the same */
	int32_t minor_units; /* its minor units (0..4) */
	/* the factor as asked, between currency units (0.25..4): the engine keeps it times the
	 * change of minor units; 0 / 0 = the engine's factor */
	int64_t factor_num, factor_den;
};

/* Everything that survives a restart, as one plain value. */
struct state {
	struct account acc;
	struct tariff_engine te;
	bool has_tariff;
	struct pm_tariff_file_info info;
	bool have_baseline;
	uint64_t billed_import_mwh, billed_export_mwh;
	bool has_sts;
	struct sts_meter sts;
	struct pm_tariff_file_info deferred_info; /* the deferred tariff's name, currency, peaks */
	struct billing_conversion_target conversion_to; /* with te.has_conversion (layout 6) */
};

/* Layout 6 (before §7.8's charges of the billing period): struct state with the older account. */
#define STATE_LAYOUT_6 6

struct state_v6 {
	struct account_v6 acc;
	struct tariff_engine te;
	bool has_tariff;
	struct pm_tariff_file_info info;
	bool have_baseline;
	uint64_t billed_import_mwh, billed_export_mwh;
	bool has_sts;
	struct sts_meter sts;
	struct pm_tariff_file_info deferred_info;
	struct billing_conversion_target conversion_to;
};

/* Layout 5 (before the conversion's target currency): struct state without conversion_to. */
#define STATE_LAYOUT_5 5

struct state_v5 {
	struct account_v6 acc;
	struct tariff_engine te;
	bool has_tariff;
	struct pm_tariff_file_info info;
	bool have_baseline;
	uint64_t billed_import_mwh, billed_export_mwh;
	bool has_sts;
	struct sts_meter sts;
	struct pm_tariff_file_info deferred_info;
};

/*
 * Layouts 1 to 4 stored the tariff engine before the levy held VAT rate 2's own de-minimis
 * (§7.8, issue 19): struct tariff_levy was 24 bytes, without vat2_de_minimis_mwh_per_day, so
 * each of the engine's two tariffs was 8 bytes shorter. Those layouts' tariff and engine as
 * bytes, for their offsets and sizes only (never loaded as values: the record is bytes until
 * its bools pass, billing-record.c); billing-store.c splices a record of them into struct
 * state and gives both de-minimis the one value those records had.
 */
struct tariff_levy_v4 {
	int64_t levy_mu_per_kwh;
	int64_t de_minimis_mwh_per_day;
	uint16_t reduced_tax_bp;
	uint8_t rule;
	uint8_t reserved;
	uint32_t standard_tax_bp;
};

struct tariff_v4 {
	unsigned char before_levy[offsetof(struct tariff, levy)];
	struct tariff_levy_v4 levy;
};

struct tariff_engine_v4 {
	bool has_tariff;
	struct tariff_v4 active;
	bool has_deferred;
	struct tariff_v4 deferred;
	/* from deferred_date to the end: as struct tariff_engine has them */
	unsigned char
	    rest[sizeof(struct tariff_engine) - offsetof(struct tariff_engine, deferred_date)];
};

/* Layout 4 (before VAT rate 2's de-minimis): struct state with the engine of layouts 1 to 4. */
#define STATE_LAYOUT_4 4

struct state_v4 {
	struct account_v6 acc;
	struct tariff_engine_v4 te;
	bool has_tariff;
	struct pm_tariff_file_info info;
	bool have_baseline;
	uint64_t billed_import_mwh, billed_export_mwh;
	bool has_sts;
	struct sts_meter sts;
	struct pm_tariff_file_info deferred_info;
};

/*
 * Layout 3 (before the rates' names): read, then carried over with no names. Its
 * account_config had 4 bytes of tail padding where layout 4 keeps phase_unbalance_limit_w
 * (issue 19: STS 2/6 acts), which a layout-3 record may hold as anything: read as 0, no limit
 * (billing-store.c).
 */
#define STATE_LAYOUT_3 3

struct tariff_file_info_v3 {
	char name[128];
	char currency[4];
	int minor_units;
	uint8_t peak_rates;
};

struct state_v3 {
	struct account_v6 acc;
	struct tariff_engine_v4 te;
	bool has_tariff;
	struct tariff_file_info_v3 info;
	bool have_baseline;
	uint64_t billed_import_mwh, billed_export_mwh;
	bool has_sts;
	struct sts_meter sts;
	struct tariff_file_info_v3 deferred_info;
};

/*
 * Layout 2: struct state_v3, but with two meanings layout 3 changed (issue 19), carried
 * over when read (billing-store.c):
 *  - acc.debt_origin_utc held the last debt instalment slot dealt with (instalment slots were
 *    fixed at multiples of 6048 s since 1970);
 *  - emergency credit had its earlier shape: an exhausted EC kept its debt to clear beside the
 *    balance, and EC taken with a negative balance was added to it.
 */
#define STATE_LAYOUT_2 2

/* Layout 1 (before peak rates and the deferred tariff's info): read, then carried over. */
struct tariff_file_info_v1 {
	char name[128];
	char currency[4];
	int minor_units;
};

struct state_v1 {
	struct account_v6 acc;
	struct tariff_engine_v4 te;
	bool has_tariff;
	struct tariff_file_info_v1 info;
	bool have_baseline;
	uint64_t billed_import_mwh, billed_export_mwh;
	bool has_sts;
	struct sts_meter sts;
};

/*
 * The sizes each layout's records have on the 64-bit targets (x86_64, arm64: LP64, the same
 * sizes and alignments). A change to struct state or to an engine struct that changes its size
 * fails the build here: it needs a new STATE_LAYOUT and a loader for the old one. A change that
 * keeps the size is not caught; the value checks below refuse most such records.
 */
_Static_assert(STATE_LAYOUT == 7, "a new layout: give its size below, keep the old loaders");
#if defined(__LP64__)
_Static_assert(sizeof(struct state) == 22352, "struct state changed: bump STATE_LAYOUT");
_Static_assert(sizeof(struct state_v6) == 22344, "layout 6 records are 22344 bytes");
_Static_assert(sizeof(struct account_v6) + 8 == sizeof(struct account),
	       "layouts 1 to 6 hold struct account without its last member");
_Static_assert(sizeof(struct state_v5) == 22320, "layout 5 records are 22320 bytes");
_Static_assert(sizeof(struct state_v4) == 22304, "layout 4 records are 22304 bytes");
/* layouts 1 to 4: each tariff 8 bytes shorter, everything else of the engine as it is */
_Static_assert(sizeof(struct tariff_v4) + 8 == sizeof(struct tariff) &&
		   offsetof(struct tariff_engine_v4, active) ==
		       offsetof(struct tariff_engine, active) &&
		   offsetof(struct tariff_engine_v4, rest) + 16 ==
		       offsetof(struct tariff_engine, deferred_date) &&
		   sizeof(struct tariff_engine_v4) + 16 == sizeof(struct tariff_engine),
	       "the engine of layouts 1 to 4 moved");
/* layouts 2 and 3 are both struct state_v3 */
_Static_assert(sizeof(struct state_v3) == 20256, "layout 2 and 3 records are 20256 bytes");
/* the unbalance limit (layout 4) in what layouts 2 and 3 had as the config's tail padding */
_Static_assert(offsetof(struct account_config, phase_unbalance_limit_w) ==
		       offsetof(struct account_config, credit_reconnect_needs_confirmation) + 4 &&
		   sizeof(struct account_config) ==
		       offsetof(struct account_config, phase_unbalance_limit_w) + 4,
	       "account_config moved: bump STATE_LAYOUT");
_Static_assert(sizeof(struct state_v1) == 20104, "layout 1 records are 20104 bytes");
/* The levy's rule took bytes of reduced_tax_bp that layout 3 records hold as zero (tariff.h):
 * the levy keeps its size and offsets, so those records read the same, with the default rule. */
_Static_assert(sizeof(struct tariff_levy) == 32 && offsetof(struct tariff_levy, rule) == 18 &&
		   offsetof(struct tariff_levy, standard_tax_bp) == 20 &&
		   offsetof(struct tariff_levy, vat2_de_minimis_mwh_per_day) == 24 &&
		   sizeof(struct tariff_levy_v4) == 24,
	       "struct tariff_levy moved: bump STATE_LAYOUT");
/* Likewise a season's start rule took the bytes of an int start_day (1..31) above its low 16. */
_Static_assert(sizeof(struct tariff_season) == 16 &&
		   offsetof(struct tariff_season, start_day) == 4 &&
		   offsetof(struct tariff_season, start_week) == 7,
	       "struct tariff_season moved: bump STATE_LAYOUT");
#endif

/*
 * Checks a record read back from the store, as raw bytes (@len of them, layout @layout 1 to
 * 7), before any of it is used as a struct: every bool byte is 0 or 1 (a bool holding 2 is
 * undefined behaviour once loaded). 0, or -EBADMSG with *why naming the field.
 */
int pm_billing_record_check_bools(const unsigned char *rec, size_t len, uint32_t layout,
				  const char **why);
/*
 * Checks the values of a state whose bools passed: enums in range, indexes below their arrays
 * and the tariff's counts, money within the account engine's bounds, the configuration and the
 * tariffs valid. 0, or -EBADMSG with *why naming the field.
 */
int pm_billing_state_check(const struct state *st, const char **why);

#endif
