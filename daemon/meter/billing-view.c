// SPDX-License-Identifier: GPL-2.0-only
/*
 * What one meter's account publishes: the view, the object model's snapshot of it, the names of
 * its enums.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "meter/billing-internal.h"

const char *pm_billing_mode_name(enum account_mode mode)
{
	switch (mode) {
	case ACCOUNT_MODE_CREDIT:
		return "credit";
	case ACCOUNT_MODE_PREPAYMENT:
		return "prepayment";
	case ACCOUNT_MODE_PAYG:
		return "payg";
	}
	return "unknown";
}

/* @src into @dst of @size bytes, cut and terminated as snprintf "%s" would (the views ask for
 * the account at every sample: this is cheaper) */
static void copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int pm_billing_mode_parse(const char *name, enum account_mode *mode)
{
	static const enum account_mode modes[] = {ACCOUNT_MODE_CREDIT, ACCOUNT_MODE_PREPAYMENT,
						  ACCOUNT_MODE_PAYG};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (name && !strcmp(name, pm_billing_mode_name(modes[i]))) {
			*mode = modes[i];
			return 0;
		}
	return -EINVAL;
}

const char *pm_billing_ec_name(enum account_ec_state state)
{
	switch (state) {
	case ACCOUNT_EC_NONE:
		return "none";
	case ACCOUNT_EC_AVAILABLE:
		return "available";
	case ACCOUNT_EC_IN_USE:
		return "in_use";
	case ACCOUNT_EC_EXHAUSTED:
		return "exhausted";
	}
	return "unknown";
}

const char *pm_billing_method_name(enum account_payment_method method)
{
	switch (method) {
	case ACCOUNT_PAYMENT_TOKEN:
		return "token";
	case ACCOUNT_PAYMENT_REMOTE:
		return "remote";
	case ACCOUNT_PAYMENT_LOCAL:
		return "local";
	case ACCOUNT_PAYMENT_DLMS:
		return "dlms";
	}
	return "unknown";
}

void pm_billing_view(const struct pm_billing *b, int64_t utc_ns, struct pm_billing_view *v)
{
	const struct state *st = &b->st;
	struct account_payment p;

	memset(v, 0, sizeof(*v));
	v->running = b->running;
	if (!b->running)
		return; /* unknown: nothing to publish (b->st is zeroed) */
	v->sts = st->has_sts;
	account_read_registers(&st->acc, utc_ns / 1000000000, &v->regs);
	v->supply = account_supply(&st->acc);
	v->armed = st->acc.awaiting_confirmation;
	v->has_tariff = st->has_tariff;
	if (st->has_tariff) {
		v->aux_closed = st->te.aux_relay;
		v->rate = st->te.rate;
		v->export_rate = st->te.export_rate;
		v->block = st->te.block;
		v->price_mu_per_kwh = st->te.active.price_mu_per_kwh[st->te.rate][st->te.block];
		copy_text(v->tariff_name, sizeof(v->tariff_name), st->info.name);
		copy_text(v->rate_name, sizeof(v->rate_name), st->info.rate_names[st->te.rate]);
		copy_text(v->export_rate_name, sizeof(v->export_rate_name),
			  st->info.export_rate_names[st->te.export_rate]);
		copy_text(v->currency, sizeof(v->currency), st->info.currency);
		v->minor_units = st->info.minor_units;
		v->local_date = st->te.now;
	} else {
		v->minor_units = 2;
	}
	for (unsigned i = 0; i < ACCOUNT_PAYMENT_LOG_LEN && account_payment_at(&st->acc, i, &p);
	     i++)
		v->payments[v->n_payments++] = p;
	v->has_future_tariff = st->has_tariff && st->te.has_deferred;
	if (v->has_future_tariff) {
		copy_text(v->future_tariff_name, sizeof(v->future_tariff_name),
			  st->deferred_info.name);
		v->future_tariff_date = st->te.deferred_date;
	}
	v->has_conversion = st->has_tariff && st->te.has_conversion;
	if (v->has_conversion) {
		v->conversion_date = st->te.conversion_date;
		v->conversion_num = st->te.conversion_num;
		v->conversion_den = st->te.conversion_den;
		copy_text(v->conversion_currency, sizeof(v->conversion_currency),
			  st->info.currency);
		v->conversion_minor_units = st->info.minor_units;
		/* with a change of currency the engine's factor has its minor units in it: the
		 * factor as asked is the one people gave */
		if (st->conversion_to.factor_den) {
			v->conversion_num = st->conversion_to.factor_num;
			v->conversion_den = st->conversion_to.factor_den;
		}
		if (st->conversion_to.currency[0]) {
			copy_text(v->conversion_currency, sizeof(v->conversion_currency),
				  st->conversion_to.currency);
			v->conversion_minor_units = st->conversion_to.minor_units;
		}
	}
	v->peak_rate = st->has_tariff && (st->info.peak_rates >> st->te.rate & 1u);
}

static struct pm_date snapshot_date(int year, int month, int day)
{
	return (struct pm_date){year, (uint8_t)month, (uint8_t)day};
}

/* The account's settings as Configuration publishes them: emergency credit 0 when off. */
static void snapshot_settings(const struct pm_billing *b, struct pm_snapshot_settings *out)
{
	struct account_config c;

	pm_billing_get_config(b, &c);
	out->payg_debt_limit_mu = c.payg_debt_limit_mu;
	out->max_balance_mu = c.max_balance_mu;
	out->low_credit_mu = c.low_credit_threshold_mu;
	out->emergency_credit_mu = c.ec_enabled ? c.ec_value_mu : 0;
	out->ec_threshold_mu = c.ec_threshold_mu;
	out->debt_weekly_rate_mu = c.debt_weekly_rate_mu;
	out->debt_collection = c.debt_collection;
	out->debt_in_ec = c.debt_in_ec;
	out->payment_debt_pct = c.payment_debt_pct;
	out->load_limit_w = c.load_limit_w;
	out->load_limit_peak_w = c.load_limit_peak_w;
	out->load_limit_period_s = c.load_limit_period_s;
	out->reconnect_needs_confirmation = c.credit_reconnect_needs_confirmation;
	out->friendly_special_days = c.friendly_special_days;
	out->n_friendly = 0;
	for (int d = 0; d < 7; d++)
		for (unsigned k = 0;
		     k < c.friendly_count[d] && out->n_friendly < PM_SNAPSHOT_FRIENDLY; k++)
			out->friendly[out->n_friendly++] = (struct pm_snapshot_friendly){
			    d, c.friendly[d][k].start_s, c.friendly[d][k].end_s};
}

/* The view as the object model's snapshot carries it (model.h): every value the views publish. */
void pm_billing_snapshot(const struct pm_billing *b, int64_t utc_ns,
			 struct pm_snapshot_account *out)
{
	struct pm_billing_view v;

	pm_billing_view(b, utc_ns, &v);
	memset(out, 0, sizeof(*out));
	out->valid = v.running;
	if (!v.running)
		return;
	out->has_tariff = v.has_tariff;
	out->rate = v.rate + 1;
	out->export_rate = v.export_rate + 1;
	out->block = v.block + 1;
	out->mode = v.regs.mode;
	out->balance_mu = v.regs.balance_mu;
	out->available_mu = v.regs.available_credit_mu;
	out->total_credit_mu = v.regs.total_credit_mu;
	out->emergency_mu = v.regs.ec_remaining_mu;
	out->ec_state = v.regs.ec_state;
	out->debt_to_clear_mu = v.regs.debt_to_clear_mu;
	out->time_debt_mu = v.regs.time_debt_mu;
	out->payment_debt_mu = v.regs.payment_debt_mu;
	out->debt_mu = v.regs.debt_to_clear_mu + v.regs.time_debt_mu + v.regs.payment_debt_mu;
	out->cost_last_hour_mu = v.regs.cost_last_hour_mu;
	out->cost_today_mu = v.regs.cost_today_mu;
	out->charges_period_mu = v.regs.charges_period_mu;
	out->supply = v.supply.closed ? PM_SUPPLY_CLOSED
		      : v.armed	      ? PM_SUPPLY_ARMED
				      : PM_SUPPLY_OPEN;
	out->supply_closed = v.supply.closed;
	out->supply_reason = v.supply.reason;
	if (!v.supply.closed && v.supply.reason == ACCOUNT_REASON_OUT_OF_CREDIT)
		out->credit = PM_CREDIT_OUT;
	else if (v.regs.ec_state == ACCOUNT_EC_AVAILABLE)
		out->credit = PM_CREDIT_EC_AVAILABLE;
	else if (v.regs.ec_state == ACCOUNT_EC_IN_USE)
		out->credit = PM_CREDIT_EC_IN_USE;
	else if (v.regs.ec_state == ACCOUNT_EC_EXHAUSTED)
		out->credit = PM_CREDIT_EC_EXHAUSTED;
	else
		out->credit = PM_CREDIT_OK;
	out->aux_closed = v.has_tariff && v.aux_closed;
	out->sts = v.sts;
	copy_text(out->tariff_name, sizeof(out->tariff_name), v.tariff_name);
	copy_text(out->rate_name, sizeof(out->rate_name), v.rate_name);
	copy_text(out->export_rate_name, sizeof(out->export_rate_name), v.export_rate_name);
	copy_text(out->currency, sizeof(out->currency), v.currency);
	out->minor_units = v.minor_units;
	out->price_mu_per_kwh = v.price_mu_per_kwh;
	out->peak_rate = v.peak_rate;
	if (v.has_tariff)
		out->local_date =
		    snapshot_date(v.local_date.year, v.local_date.month, v.local_date.day);
	if (v.has_future_tariff) {
		copy_text(out->future_tariff_name, sizeof(out->future_tariff_name),
			  v.future_tariff_name);
		out->future_tariff_date =
		    snapshot_date(v.future_tariff_date.year, v.future_tariff_date.month,
				  v.future_tariff_date.day);
	}
	if (v.has_conversion) {
		out->conversion_date = snapshot_date(
		    v.conversion_date.year, v.conversion_date.month, v.conversion_date.day);
		out->conversion = (struct pm_ratio){v.conversion_num, v.conversion_den};
		copy_text(out->conversion_currency, sizeof(out->conversion_currency),
			  v.conversion_currency);
	}
	out->payment_count = v.regs.payment_count;
	out->n_payments = v.n_payments;
	for (unsigned i = 0; i < v.n_payments && i < PM_SNAPSHOT_PAYMENTS; i++)
		out->payments[i] = (struct pm_snapshot_payment){
		    v.payments[i].utc, v.payments[i].value_mu, v.payments[i].method};
	snapshot_settings(b, &out->settings);
	if (v.has_tariff) {
		const struct tariff_engine *te = &b->st.te;
		unsigned ne = te->active.export_pricing.mode == TARIFF_EXPORT_NEUTRAL
				  ? 0
				  : te->active.n_export_rates;

		_Static_assert(PM_SNAPSHOT_RATES == TARIFF_MAX_RATES, "a snapshot slot per rate");
		out->n_rates = te->active.n_rates;
		out->n_export_rates = ne;
		for (int k = 0; k < PM_SNAPSHOT_RATES; k++) {
			out->rate_import_mwh[k] = te->import_mwh[k];
			out->rate_export_mwh[k] = te->export_mwh[k];
		}
	}
}
