// SPDX-License-Identifier: GPL-2.0-only
/*
 * STS tokens entered into the account (billing.h): the STS rules (core/sts/sts.h) decide
 * whether a token is genuine and unused; this file decides what an accepted token does to this
 * meter's account, on a copy of the state committed before anything is acknowledged.
 *
 * Credit tokens (prepay-sts.md §1.8, https://www.sts.org.za/token-types): only electricity
 * tokens are this meter's; water, gas and time tokens (class 0 subclasses 1..3 and 5..7) are
 * refused with their own reason. A currency token (subclass 4) counts 0.00001 of the base
 * currency unit, the currency being the tariff's: credited in that currency with its minor
 * units (the account holds whole minor units, billing-amounts.c), the encoding's rounding
 * dropped (currency_mu()).
 *
 * Entry lockout (the manual's §4.2.1, core/sts/sts-lockout.h): one state per meter, whatever
 * the channel (D-Bus, DLMS, the display), kept in the store beside the account (store-sts.c).
 * Every refused entry is an event token_refused with its reason; a refusal that is the
 * token's (not the meter's: no store, no key, the account unavailable) counts as an invalid
 * entry; the lockout it causes is an event token_entry_locked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/billing-internal.h"
#include "common/log.h"
#include "core/billing/money.h"
#include "core/sts/sts-credit.h"
#include "core/sts/sts-lockout.h"

/* The tariff's minor units (0..4), or the account engine's 2 without a tariff. */
static int minor_units(const struct state *st)
{
	return st->has_tariff ? st->info.minor_units : 2;
}

/* @counts of 0.00001 base unit as whole minor units, in mu, rounded down
 * (sts_currency_minor_units()); *@dropped: the counts rounded away. */
static int64_t currency_mu(const struct state *st, uint32_t counts, uint32_t *dropped)
{
	return sts_currency_minor_units(counts, minor_units(st), dropped) * ACCOUNT_MU_PER_MINOR;
}

/* An accepted credit token into the account, its payment logged with @channel: 0, or a
 * refusal (frees @work). */
static int credit(struct pm_billing *b, struct state *work, const struct sts_result *res,
		  const struct account_time *at, enum account_payment_method channel,
		  int64_t *credit_mu, struct pm_billing_error *e)
{
	struct account_output out;
	uint32_t dropped;
	char text[40];
	int64_t mu;
	int r;

	if (res->token.utility != STS_UTILITY_ELECTRICITY) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_TOKEN_UTILITY, -ENOTSUP,
				    "token: a %s token (class 0 subclass %u): this meter accepts "
				    "electricity tokens only",
				    sts_utility_name(res->token.utility), res->token.subclass);
	}
	if (billing_energy_account(work)) {
		if (res->credit_unit != STS_UNIT_DECI_KWH) {
			free(work);
			return billing_fail(e, PM_BILLING_ERR_TOKEN_UNIT, -ENOTSUP,
					    "token: currency credit; this account keeps its "
					    "credit in kWh");
		}
		/* 0.1 kWh = 100 Wh = 100 minor units of the kWh account */
		mu = (int64_t)res->credit * 100 * ACCOUNT_MU_PER_MINOR;
		dropped = 0;
	} else if (res->credit_unit != STS_UNIT_CURRENCY_E5) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_TOKEN_UNIT, -ENOTSUP,
				    "token: credit in 0.1 kWh units; this account counts currency "
				    "only (account_unit = kwh keeps credit in kWh)");
	} else {
		mu = currency_mu(work, res->credit, &dropped);
	}
	if (mu == 0) {
		r = billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
				 "token: %lu x 0.00001 %s is less than the currency's minor unit",
				 (unsigned long)res->credit,
				 work->has_tariff ? work->info.currency : "units");
		free(work);
		return r;
	}
	r = account_topup(&work->acc, at, mu, channel, &out);
	if (r < 0)
		return billing_refused(b, work, r, &out, "token", e);
	billing_account_events(b, work, &out);
	billing_queue(b, at->utc * 1000000000, "sts_credit",
		      "tid=%lu counts=%lu credit=%s dropped_counts=%lu channel=%s",
		      (unsigned long)res->token.tid, (unsigned long)res->credit,
		      pm_money_format(mu, text, sizeof(text)), (unsigned long)dropped,
		      pm_billing_method_name(channel));
	*credit_mu = mu;
	return 0;
}

/*
 * 2/0 SetMaximumPowerLimit or 2/6 SetMaximumPhasePowerUnbalanceLimit: IEC 62055-41 §6.3.9 and
 * §6.3.10 give both as watts in the transfer amount's encoding (0..18 201 624 W): the standard
 * caps them at what the field carries, and the meter at what its supply carries, so the limit
 * is capped at ACCOUNT_LOAD_LIMIT_MAX_W (the meter's rating); 0 turns it off. Applied to @work
 * (freed on refusal).
 */
static int set_limit(struct pm_billing *b, struct state *work, const struct sts_token *t,
		     const struct account_time *at, int64_t utc_ns, struct pm_billing_error *e)
{
	bool unbalance = t->kind == STS_KIND_SET_PHASE_UNBALANCE;
	struct account_config c = work->acc.config;
	uint32_t w = t->amount > ACCOUNT_LOAD_LIMIT_MAX_W ? ACCOUNT_LOAD_LIMIT_MAX_W : t->amount;
	struct account_output out;
	int r;

	if (unbalance) {
		c.phase_unbalance_limit_w = w;
	} else {
		c.load_limit_w = w;
		if (c.load_limit_peak_w > c.load_limit_w)
			c.load_limit_peak_w = 0;
	}
	if (w && !c.load_limit_period_s)
		c.load_limit_period_s = 60;
	r = account_configure(&work->acc, at, &c, &out);
	if (r < 0)
		return billing_refused(b, work, r, &out, "token", e);
	billing_account_events(b, work, &out);
	billing_queue(b, utc_ns, unbalance ? "sts_phase_unbalance" : "sts_max_power",
		      "tid=%lu requested_w=%lu limit_w=%lu%s", (unsigned long)t->tid,
		      (unsigned long)t->amount, (unsigned long)w, w < t->amount ? " capped" : "");
	return 0;
}

/*
 * A management token (class 2, prepay-sts.md §1.8), applied to @work (freed on refusal):
 *  2/0 SetMaximumPowerLimit, 2/6 SetMaximumPhasePowerUnbalanceLimit: set_limit();
 *  2/1 ClearCredit: register 0 (the credit register) or 0xffff (all registers; this meter
 *      has one credit register) sets a positive balance to zero; a debt is not forgiven;
 *  2/5 ClearTamperCondition: polymeterd keeps no tamper latch (the chip's events are logged
 *      as they happen): logged;
 *  2/2 SetTariffRate, 2/7 SetWaterMeterFactor: logged with their values, not acted on:
 *      IEC 62055-41 §6.3.11 and §6.3.12 reserve both fields for a definition the STS
 *      Association has not given (2/7 is water's), so no value has a meaning to apply.
 */
static int management(struct pm_billing *b, struct state *work, const struct sts_result *res,
		      const struct account_time *at, int64_t utc_ns, struct pm_billing_error *e)
{
	const struct sts_token *t = &res->token;
	struct account_output out;
	char text[40];
	int r = 0;

	switch (t->kind) {
	case STS_KIND_SET_MAX_POWER:
	case STS_KIND_SET_PHASE_UNBALANCE:
		return set_limit(b, work, t, at, utc_ns, e);
	case STS_KIND_CLEAR_CREDIT: {
		int64_t balance = work->acc.balance_mu;

		if (t->field != 0 && t->field != 0xFFFF) {
			free(work);
			return billing_fail(e, PM_BILLING_ERR_TOKEN, -ENOTSUP,
					    "token: clear credit of register %u: this meter has "
					    "register 0 (credit) only, or 0xffff (all)",
					    t->field);
		}
		if (balance > 0) {
			r = account_adjust_balance(&work->acc, at, -balance, &out);
			if (r < 0)
				return billing_refused(b, work, r, &out, "token", e);
			billing_account_events(b, work, &out);
		}
		billing_queue(b, utc_ns, "sts_clear_credit", "tid=%lu register=%s cleared=%s",
			      (unsigned long)t->tid, t->field ? "all" : "credit",
			      pm_money_format(balance > 0 ? balance : 0, text, sizeof(text)));
		return 0;
	}
	case STS_KIND_CLEAR_TAMPER:
		billing_queue(b, utc_ns, "sts_clear_tamper", "tid=%lu", (unsigned long)t->tid);
		return 0;
	case STS_KIND_SET_TARIFF_RATE:
	case STS_KIND_SET_WATER_FACTOR:
	default:
		billing_queue(b, utc_ns, "sts_management",
			      "tid=%lu subclass=%u value=%lu not_acted_on", (unsigned long)t->tid,
			      t->subclass, (unsigned long)t->amount);
		return 0;
	}
}

/* One token entered (no lockout) through @channel: what it does, committed; or why it is
 * refused. */
static int enter(struct pm_billing *b, int64_t utc_ns, const char *token,
		 enum account_payment_method channel, int64_t *credit_mu, struct sts_result *res,
		 struct pm_billing_error *e)
{
	struct account_time at;
	struct state *work;
	int r;

	*credit_mu = 0;
	work = billing_begin(b, e, &r);
	if (!work)
		return r;
	if (!work->has_sts) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_NOT_CONFIGURED, -ENOTSUP,
				    "meter %s has no STS decoder key (sts_decoder_key_file, "
				    "SetDecoderKey)",
				    b->meter);
	}
	/* another utility's token is not this meter's at all: said so before any TID rule */
	if (sts_decode(token, work->sts.dk, work->sts.base, res) == 0 &&
	    res->token.kind == STS_KIND_CREDIT && res->token.utility != STS_UTILITY_ELECTRICITY) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_TOKEN_UTILITY, -ENOTSUP,
				    "token: a %s token (class 0 subclass %u): this meter accepts "
				    "electricity tokens only",
				    sts_utility_name(res->token.utility), res->token.subclass);
	}
	r = sts_accept(&work->sts, token, utc_ns / 1000000000, res);
	if (r < 0) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_TOKEN, r, "token: %s", res->error);
	}
	billing_now_times(b, work, utc_ns, &at);
	if (res->action == STS_ACTION_ADD_CREDIT) {
		r = credit(b, work, res, &at, channel, credit_mu, e);
		if (r < 0)
			return r;
	} else if (res->action == STS_ACTION_MANAGEMENT) {
		r = management(b, work, res, &at, utc_ns, e);
		if (r < 0)
			return r;
	}
	billing_queue(b, utc_ns, "sts_token", "kind=%d tid=%u amount=%u", (int)res->token.kind,
		      res->token.tid, res->token.amount);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}

/* The STS side stored beside the account, read at the first entry. */
int billing_sts_side_load(struct pm_billing *b, struct pm_billing_error *e)
{
	int r;

	if (b->sts_side_loaded)
		return 0;
	r = pm_store_load_sts(b->store, b->meter, &b->sts_side);
	if (r == -ENODATA) {
		memset(&b->sts_side, 0, sizeof(b->sts_side));
		r = 0;
	}
	if (r < 0)
		return billing_fail(e, PM_BILLING_ERR_STORE_FAILED, r,
				    "meter %s: store: the token entry state: %s; nothing changed",
				    b->meter, strerror(-r));
	b->sts_side_loaded = true;
	return 0;
}

const char *pm_billing_token_refusal(const struct pm_billing_error *e, const struct sts_result *res)
{
	switch (e->kind) {
	case PM_BILLING_ERR_TOKEN:
		return sts_refusal_reason(res->status);
	case PM_BILLING_ERR_TOKEN_UTILITY:
		return "wrong_utility";
	case PM_BILLING_ERR_TOKEN_UNIT:
		return "wrong_unit";
	case PM_BILLING_ERR_INVALID:
		return "invalid_amount";
	case PM_BILLING_ERR_REFUSED:
		return "refused";
	default:
		return NULL;
	}
}

static void entry_time(const struct pm_billing *b, int64_t utc_ns, struct sts_entry_time *t)
{
	struct tariff_time tt;
	struct account_time at;

	billing_local_times(b, utc_ns / 1000000000, &tt, &at);
	t->utc = utc_ns / 1000000000;
	t->local_day = at.local_day;
	t->second_of_day = at.second_of_day;
}

void billing_sts_side_save(struct pm_billing *b, const struct pm_store_sts *next)
{
	int r = pm_store_save_sts(b->store, b->meter, next);

	if (r < 0) {
		/* the entry is refused either way; the lockout is then counted in memory only */
		log_error("meter %s: saving the token entry state failed: %s", b->meter,
			  strerror(-r));
	}
	b->sts_side = *next;
}

const char *pm_billing_token_kind(enum sts_action action)
{
	switch (action) {
	case STS_ACTION_ADD_CREDIT:
		return "credit";
	case STS_ACTION_TEST:
		return "test";
	case STS_ACTION_MANAGEMENT:
		return "management";
	case STS_ACTION_KEY_STAGED:
		return "key_change_staged";
	case STS_ACTION_KEY_CHANGED:
		return "key_changed";
	case STS_ACTION_NONE:
		break;
	}
	return "none";
}

int pm_billing_token(struct pm_billing *b, int64_t utc_ns, const char *token, int64_t *credit_mu,
		     struct sts_result *res, struct pm_billing_error *e)
{
	return pm_billing_token_via(b, utc_ns, token, ACCOUNT_PAYMENT_TOKEN, credit_mu, res, e);
}

int pm_billing_token_via(struct pm_billing *b, int64_t utc_ns, const char *token,
			 enum account_payment_method channel, int64_t *credit_mu,
			 struct sts_result *res, struct pm_billing_error *e)
{
	struct pm_store_sts next;
	struct sts_entry_time t;
	const char *reason;
	char until[32];
	int r;

	*credit_mu = 0;
	memset(res, 0, sizeof(*res));
	if (!b->running || !b->store)
		/* refused as every command */
		return enter(b, utc_ns, token, channel, credit_mu, res, e);
	r = billing_sts_side_load(b, e);
	if (r < 0)
		return r;
	entry_time(b, utc_ns, &t);
	next = b->sts_side;
	if (sts_lockout_locked(&next.lockout, &t)) {
		sts_lockout_until_text(&next.lockout, until, sizeof(until));
		b->n_queued = 0;
		billing_queue(b, utc_ns, "token_refused", "reason=locked until=%s channel=%s",
			      until, pm_billing_method_name(channel));
		billing_send_events(b);
		return billing_fail(e, PM_BILLING_ERR_TOKEN_LOCKED, -EBUSY,
				    "token: entry is locked until %s local time (%d invalid "
				    "entries; manual §4.2.1)",
				    until, STS_LOCKOUT_INVALID);
	}
	r = enter(b, utc_ns, token, channel, credit_mu, res, e);
	if (r == 0) {
		if (next.lockout.invalid) {
			sts_lockout_valid(&next.lockout);
			billing_sts_side_save(b, &next);
		}
		return 0;
	}
	reason = pm_billing_token_refusal(e, res);
	if (!reason) {
		/* the meter's fault, not the token's: logged (when it can be), not counted */
		if (e->kind == PM_BILLING_ERR_NOT_CONFIGURED) {
			b->n_queued = 0;
			billing_queue(b, utc_ns, "token_refused", "reason=no_key %s", e->message);
			billing_send_events(b);
		}
		return r;
	}
	b->n_queued = 0;
	billing_queue(b, utc_ns, "token_refused", "reason=%s channel=%s %s", reason,
		      pm_billing_method_name(channel), e->message);
	if (sts_lockout_invalid(&next.lockout, &t))
		billing_queue(b, utc_ns, "token_entry_locked", "until=%s lockouts_today=%u",
			      sts_lockout_until_text(&next.lockout, until, sizeof(until)),
			      next.lockout.lockouts);
	billing_sts_side_save(b, &next);
	billing_send_events(b);
	return r;
}
