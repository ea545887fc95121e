/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One meter's account inside polymeterd: the tariff engine (daemon/core/billing/tariff.h) prices
 * the meter's register growth, the account engine (daemon/core/billing/account.h) takes the money
 * from the balance and decides the supply; STS tokens (daemon/core/sts/sts.h) add credit.
 * docs/account.md describes the rules and the configuration.
 *
 * Clock: UTC from the caller; local civil time (tariff switch points, days, friendly periods)
 * from tzdata in the meter's time_zone.
 *
 * Accrual: every sample with valid registers bills the growth of the total active import and
 * export registers since the energy billed last ("baseline"), in memory. A gap in the samples
 * longer than PM_BILLING_POWER_DOWN_NS, or a restart after one, is a power-down: the time
 * charges due in it are not collected (unless power_down_catch_up), event power_down_charges. The
 * state (account, tariff engine, baseline, STS meter) is written to the store with the meter's
 * energy checkpoints, in their transaction (pm_billing_checkpoint_record: at most every
 * PM_BILLING_MIN_SAVE_NS), and at least every save interval; never when its bytes are those last
 * written. Saved with a checkpoint, it is the state billed up to the sample before (billing runs
 * after the meter): its baseline says so, and the next sample after a restart bills the rest. The
 * record holds the money and the baseline together, so after a crash or power cut the energy
 * billed since the last save is billed again from the restored registers at the next sample
 * (at the rate in effect then): no money is lost beyond the energy the registers lose
 * (checkpoint_wh per register, or checkpoint_interval at full load), never a payment. Billed
 * energy the registers lost is not billed twice (the baseline moves back to the registers).
 *
 * Commands (top-up, token, tariff, mode, supply, tenancy, wallet, ...) are validated completely
 * on a copy of the state, the copy is committed to the store (a top-up with its reference, in
 * the same transaction), and only then does it replace the state and the call return 0: what
 * is acknowledged survives a kill -9 or a power cut. Without a store every command is refused.
 */
#ifndef POLYMETER_BILLING_H
#define POLYMETER_BILLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/billing/account.h"
#include "core/model/model.h"
#include "store/store.h"
#include "core/sts/sts.h"
#include "core/sts/sts-setup.h"
#include "core/billing/tariff.h"
#include "meter/tariff-file.h"

/* What a refusal was about, for D-Bus error names (bus-account.c). */
enum pm_billing_err {
	PM_BILLING_OK,
	PM_BILLING_ERR_INVALID,	       /* a bad argument; the message names it */
	PM_BILLING_ERR_REFUSED,	       /* valid, but not now (no EC on offer, nothing armed) */
	PM_BILLING_ERR_DUPLICATE,      /* a top-up reference already used */
	PM_BILLING_ERR_TARIFF,	       /* the tariff document; the message names the field */
	PM_BILLING_ERR_TOKEN,	       /* an STS token refused; the message says why */
	PM_BILLING_ERR_NOT_CONFIGURED, /* no STS decoder key, no tariff, ... */
	PM_BILLING_ERR_NO_STORE,       /* no store: nothing could be made durable */
	PM_BILLING_ERR_STORE_FAILED,   /* the store refused the commit: nothing changed */
	/* the account could not be read: it is unknown, not new (pm_billing_new) */
	PM_BILLING_ERR_ACCOUNT_UNAVAILABLE,
	/* a credit token for water, gas or time: this meter meters electricity (billing-token.c) */
	PM_BILLING_ERR_TOKEN_UTILITY,
	/* a credit token in a unit the account does not count (kWh in a currency account) */
	PM_BILLING_ERR_TOKEN_UNIT,
	/* token entry is locked after invalid entries (the manual's §4.2.1) */
	PM_BILLING_ERR_TOKEN_LOCKED,
};

struct pm_billing_error {
	enum pm_billing_err kind;
	char message[320];
};

struct pm_billing_config {
	const char *meter;	       /* name, for the store and messages */
	const char *time_zone;	       /* tzdata name ("Europe/London"); "" = the system's */
	const char *tariff_file;       /* "" = none; seeds a meter that has no stored account */
	struct account_config account; /* seeds a meter that has no stored account */
	bool sts;		       /* STS tokens accepted with this decoder key */
	uint64_t sts_dk;
	/* a new account keeps its credit in kWh (account_unit = kwh; billing-energy.c) */
	bool energy_account;
	/* with sts: the setup that goes with that key (applied when the key is provisioned) */
	bool has_sts_setup;
	struct sts_setup sts_setup;
	int64_t save_interval_ns; /* at least this often while money moves */
	/* the store was configured but could not be opened: the account is unknown, not new */
	bool store_failed;
	/* After a power-down (PM_BILLING_POWER_DOWN_NS), false (the manual, §8.9): the standing
	 * charge and debt instalments due while the meter was off are not collected; true: they
	 * are caught up at power-up (an option for utilities that want it). */
	bool power_down_catch_up;
};

/* No valid sample for longer than this (the meter's profile_max_gap default), across a restart
 * of the daemon too: the meter was powered down in between. */
#define PM_BILLING_POWER_DOWN_NS (INT64_C(60) * 1000000000)

/* Where the supply should be: the contactor (main relay) and the auxiliary relay. */
typedef void (*pm_billing_supply_fn)(void *userdata, bool contactor_closed, bool aux_closed);
/* An account or tariff event for the meter's event log. */
typedef void (*pm_billing_event_fn)(void *userdata, int64_t utc_ns, const char *kind,
				    const char *detail);

struct pm_billing;

/*
 * Restores the meter's account from @store (may be NULL), or starts a new one from @cfg: only
 * when the store answers that it holds no account for the meter, or when the daemon runs
 * without a store (state_dir = none; then nothing is kept and every command is refused).
 *
 * An account that cannot be read is unknown, never new: the store configured but not opened
 * (cfg->store_failed), a read failing (locked, I/O), a record of an unknown layout or one
 * that fails its check (billing-state.h). Then billing is stopped: the view publishes nothing
 * (running false), every command is refused (PM_BILLING_ERR_ACCOUNT_UNAVAILABLE), the supply
 * hook is not called (the lines stay as they are), an account_unavailable event is sent
 * when the hooks are set, and, with a store, the read is retried from pm_billing_sample at
 * every save interval; when it succeeds billing starts (event account_available) and the
 * supply hook says where the lines belong. *err says why; the call still returns 0.
 */
int pm_billing_new(const struct pm_billing_config *cfg, struct pm_store *store, int64_t utc_ns,
		   struct pm_billing **out, char *err, size_t errlen);
void pm_billing_free(struct pm_billing *b);

void pm_billing_set_hooks(struct pm_billing *b, pm_billing_supply_fn supply,
			  pm_billing_event_fn event, void *userdata);

/* The account is saved with an energy checkpoint at most this often. */
#define PM_BILLING_MIN_SAVE_NS (INT64_C(10) * 1000000000)

/*
 * One sample of the meter: total active import and export registers (mWh) and the import
 * power (W; negative = export), @valid false while the registers are not published.
 * @checkpointed: the meter wrote an energy checkpoint with this sample.
 */
void pm_billing_sample(struct pm_billing *b, int64_t utc_ns, bool valid, uint64_t import_mwh,
		       uint64_t export_mwh, int32_t import_w, bool checkpointed);
/* The phase power unbalance the next samples see (the largest difference between the phases'
 * powers, W), for the limit STS 2/6 sets; 0 until said (a single-phase meter). */
void pm_billing_set_phase_unbalance(struct pm_billing *b, int32_t unbalance_w);
/* Saves the state if it changed since the last save (shutdown). */
/*
 * The account with the meter's energy checkpoints (meter.h's account hook): the record to save
 * with the checkpoint at @utc_ns, false when there is none to save (no store, not running,
 * unchanged since it was last written, or written less than PM_BILLING_MIN_SAVE_NS ago); and the
 * checkpoint's result. A record is ~20 kB: it is written only when it changed.
 */
bool pm_billing_checkpoint_record(struct pm_billing *b, int64_t utc_ns,
				  struct pm_store_account_record *rec);
void pm_billing_checkpoint_saved(struct pm_billing *b, int64_t utc_ns, int result);

/*
 * The billing period's end (§7.8, the monthly capture, meter/period-capture.h): the charges
 * taken over the period into *charges_mu and the record to store with the capture, its working
 * value reset; false when there is no account to store (no store, not running). Then
 * pm_billing_period_saved() with pm_store_add_billing_account()'s result: stored (> 0), the
 * reset stands; not stored, the working value is put back, to be captured at the next end.
 * Nothing may run on the account in between.
 */
bool pm_billing_period_end(struct pm_billing *b, struct pm_store_account_record *rec,
			   int64_t *charges_mu);
void pm_billing_period_saved(struct pm_billing *b, int64_t utc_ns, int64_t charges_mu, int result);
int pm_billing_flush(struct pm_billing *b, int64_t utc_ns);

/* Commands: 0, or a negative errno with *e saying why; on refusal nothing changed. */
int pm_billing_topup(struct pm_billing *b, int64_t utc_ns, int64_t value_mu, const char *reference,
		     enum account_payment_method method, struct pm_billing_error *e);
/* An STS token; *credit_mu is the credit it added (0 for a management token). */
int pm_billing_token(struct pm_billing *b, int64_t utc_ns, const char *token, int64_t *credit_mu,
		     struct sts_result *res, struct pm_billing_error *e);
/*
 * The same token path (the same rules and the one lockout of the meter, whatever the channel),
 * for a token that came through @channel: ACCOUNT_PAYMENT_TOKEN (D-Bus, the display: what
 * pm_billing_token passes) or ACCOUNT_PAYMENT_DLMS (the DLMS token gateway). The payment log
 * and the events sts_credit and token_refused name the channel.
 */
int pm_billing_token_via(struct pm_billing *b, int64_t utc_ns, const char *token,
			 enum account_payment_method channel, int64_t *credit_mu,
			 struct sts_result *res, struct pm_billing_error *e);
/* What an accepted token did, as D-Bus EnterToken and the DLMS token gateway name it:
 * "credit", "test", "management", "key_change_staged", "key_changed" ("none"). */
const char *pm_billing_token_kind(enum sts_action action);
/* Why a token was refused, as the event token_refused names it ("malformed", "invalid",
 * "used", "old", "wrong_utility", ...); NULL: not the token's fault (no key, no store, the
 * account unavailable, entry locked), which does not count as an invalid entry. */
const char *pm_billing_token_refusal(const struct pm_billing_error *e,
				     const struct sts_result *res);
/*
 * Sets or replaces the STS decoder key (SetDecoderKey): tokens are then decrypted with @dk; the
 * TID memory is kept, a staged key change half dropped. The key is never published or logged.
 */
int pm_billing_set_sts_key(struct pm_billing *b, int64_t utc_ns, uint64_t dk,
			   struct pm_billing_error *e);
/*
 * The meter's STS setup (core/sts/sts-setup.h): read (*has false without a decoder key), set
 * (supply group code, tariff index, key revision, key type, base date, key expiry number; the
 * base date only while no token was entered), and the TID memory of a replaced meter merged in.
 */
void pm_billing_get_sts_setup(const struct pm_billing *b, bool *has, struct sts_setup *s);
int pm_billing_set_sts_setup(struct pm_billing *b, int64_t utc_ns, const struct sts_setup *s,
			     struct pm_billing_error *e);
int pm_billing_import_sts_tids(struct pm_billing *b, int64_t utc_ns, const uint32_t *tids, size_t n,
			       struct pm_billing_error *e);
int pm_billing_set_tariff(struct pm_billing *b, int64_t utc_ns, const char *json,
			  struct pm_billing_error *e);
int pm_billing_set_mode(struct pm_billing *b, int64_t utc_ns, enum account_mode mode,
			struct pm_billing_error *e);
int pm_billing_take_emergency_credit(struct pm_billing *b, int64_t utc_ns, bool at_meter,
				     struct pm_billing_error *e);
int pm_billing_disconnect(struct pm_billing *b, int64_t utc_ns, struct pm_billing_error *e);
int pm_billing_reconnect(struct pm_billing *b, int64_t utc_ns, bool armed,
			 struct pm_billing_error *e);
/* The customer's confirmation: the button input (the relay module) or the local display. */
int pm_billing_confirm(struct pm_billing *b, int64_t utc_ns, struct pm_billing_error *e);
int pm_billing_change_tenancy(struct pm_billing *b, int64_t utc_ns,
			      const struct account_tenancy_change *change,
			      struct pm_billing_error *e);
int pm_billing_adjust_balance(struct pm_billing *b, int64_t utc_ns, int64_t delta_mu,
			      struct pm_billing_error *e);
int pm_billing_set_debt(struct pm_billing *b, int64_t utc_ns, int64_t time_debt_mu,
			int64_t payment_debt_mu, struct pm_billing_error *e);
/* The account's settings (EC, debt recovery, friendly periods, load limit, ...). */
void pm_billing_get_config(const struct pm_billing *b, struct account_config *config);
int pm_billing_configure(struct pm_billing *b, int64_t utc_ns, const struct account_config *config,
			 struct pm_billing_error *e);
/*
 * A future (deferred) tariff: @json replaces the active tariff at 00:00 local on @date
 * ("YYYY-MM-DD", after today); it replaces an earlier future tariff. Cancel: refused (REFUSED)
 * when none is pending.
 */
int pm_billing_set_future_tariff(struct pm_billing *b, int64_t utc_ns, const char *json,
				 const char *date, struct pm_billing_error *e);
int pm_billing_cancel_future_tariff(struct pm_billing *b, int64_t utc_ns,
				    struct pm_billing_error *e);
/*
 * A currency conversion at 00:00 local on @date (after today): every price of the active and
 * the future tariff and every money register and money setting of the account are multiplied
 * by @factor, a decimal string 0.25..4 with up to 4 decimals ("0.5"), and the account changes
 * to the ISO 4217 currency @currency (NULL: it keeps its own) with its minor units
 * (manual §8.11); the registers are logged first (event account_snapshot). Money registers
 * round to the nearest mu, settings to the nearest minor unit of the new currency, half away
 * from 0. An unknown currency is refused (InvalidArgument), nothing changed.
 */
int pm_billing_convert_currency(struct pm_billing *b, int64_t utc_ns, const char *date,
				const char *factor, const char *currency,
				struct pm_billing_error *e);
/* The factor as num / den: -EINVAL not a decimal, -ERANGE outside 1/4..4. */
int pm_billing_parse_factor(const char *s, int64_t *num, int64_t *den);

/*
 * The time of use as a DLMS head-end sees it (billing-tou.c): copies of the active tariff and
 * the future one with their names and the future's date; has_tariff false when the account is
 * not running or has no tariff.
 */
struct pm_billing_tou {
	bool has_tariff;
	struct tariff active;
	char name[128];
	bool has_future;
	struct tariff future;
	char future_name[128];
	struct tariff_date future_date; /* it replaces the active one at 00:00 local */
};

void pm_billing_tou(const struct pm_billing *b, struct pm_billing_tou *out);
/*
 * As pm_billing_set_future_tariff, with the tariff already built (a DLMS head-end's calendar
 * over the active tariff: core/dlms/tou-calendar.h): @t from 00:00 local on @date (after
 * today), named @name, with the active tariff's currency and peak rates.
 */
int pm_billing_set_future_tariff_struct(struct pm_billing *b, int64_t utc_ns,
					const struct tariff *t, const char *name,
					const struct tariff_date *date, struct pm_billing_error *e);

/* Single wallet: @date "YYYY-MM-DD" local; @final: the day's total. */
int pm_billing_wallet(struct pm_billing *b, int64_t utc_ns, const char *date, int64_t cost_mu,
		      bool final, struct pm_billing_error *e);

/* Everything published, as one consistent view. */
struct pm_billing_view {
	bool running; /* false: the account is unknown; nothing else in the view is set */
	struct account_registers regs;
	struct account_supply supply;
	bool armed;
	bool aux_closed;
	bool has_tariff;
	char tariff_name[128];
	char currency[4];
	int minor_units;
	uint8_t rate, export_rate, block;
	char rate_name[64], export_rate_name[64]; /* the current rates' names, "" when unnamed */
	int64_t price_mu_per_kwh;		  /* import price of the current rate and block */
	unsigned n_payments;
	struct account_payment payments[ACCOUNT_PAYMENT_LOG_LEN]; /* newest first */
	bool sts;
	struct tariff_time local_date; /* the tariff engine's last local time (with a tariff) */
	bool peak_rate;		       /* the current import rate is a peak rate */
	bool has_future_tariff;
	char future_tariff_name[128];
	struct tariff_date future_tariff_date; /* it replaces the active one at 00:00 local */
	bool has_conversion;
	struct tariff_date conversion_date;	/* at 00:00 local, money x num / den */
	int64_t conversion_num, conversion_den; /* the factor between currency units */
	char conversion_currency[4];		/* the currency it changes to (or stays) */
	int conversion_minor_units;
};

void pm_billing_view(const struct pm_billing *b, int64_t utc_ns, struct pm_billing_view *v);
/* Every value the views publish, as the object model's snapshot carries it (model.h,
 * quantity.h): the one fill of the snapshot's account, read by D-Bus and Modbus alike. */
void pm_billing_snapshot(const struct pm_billing *b, int64_t utc_ns,
			 struct pm_snapshot_account *out);

const char *pm_billing_mode_name(enum account_mode mode);
int pm_billing_mode_parse(const char *name, enum account_mode *mode);
const char *pm_billing_ec_name(enum account_ec_state state);
const char *pm_billing_method_name(enum account_payment_method method);

#endif
