// SPDX-License-Identifier: GPL-2.0-only
/* Samples: the energy the registers grew by, priced by the tariff engine and taken from the
 * account; the account saved with the meter's energy checkpoints. */
#include <inttypes.h>
#include <string.h>

#include "meter/billing-internal.h"
#include "common/log.h"
#include "core/billing/money.h"

/* A restart after a long stop walks the switch points in between: at most this many. */
#define MAX_SWITCH_STEPS 20000

/*
 * Money of the tariff interval [since, now] into the account. Its cost accrued over the whole
 * interval, so cost in the last hour counts only the last hour's share of it: after a long
 * stop the energy counted while down is billed as one interval (§8.5).
 */
static void take_charge(struct pm_billing *b, struct state *st, const struct account_time *now,
			int64_t since, const struct tariff_charge *ch)
{
	struct account_time at = *now;
	struct account_output out;
	int r = 0;

	at.friendly_day = ch->friendly_day;
	if (ch->total_mu > 0)
		r = account_charge_over(&st->acc, &at, ch->total_mu, since, &out);
	else if (ch->total_mu < 0)
		r = account_adjust_balance(&st->acc, &at, -ch->total_mu, &out);
	if (r < 0)
		log_error("meter %s: the account refused a charge of %" PRId64 " mu: %s", b->meter,
			  ch->total_mu, out.error);
	else if (ch->total_mu)
		billing_account_events(b, st, &out);
	billing_tariff_events(b, st, &at, ch);
}

static void tariff_interval(struct pm_billing *b, struct state *st, int64_t utc, int64_t imp,
			    int64_t exp)
{
	struct tariff_time tt;
	struct account_time at;
	struct tariff_charge ch;
	struct tariff_error err;
	int64_t since = st->te.now.utc_s; /* where the engine's interval starts */

	billing_local_times(b, utc, &tt, &at);
	if (tariff_engine_account(&st->te, &tt, imp, exp, &ch, &err) < 0) {
		if (!b->tariff_error_logged)
			log_error("meter %s: tariff: %s", b->meter, err.message);
		b->tariff_error_logged = true;
		return;
	}
	b->tariff_error_logged = false;
	take_charge(b, st, &at, since, &ch);
}

/*
 * Bills energy up to @utc. Intervals must not span a switch point or midnight, so the ones
 * passed since the last call are closed first (with no energy: what was counted in between,
 * e.g. while the daemon was stopped, goes to the interval that ends now).
 */
static void bill(struct pm_billing *b, struct state *st, int64_t utc, uint64_t imp, uint64_t exp)
{
	for (int i = 0; st->has_tariff && i < MAX_SWITCH_STEPS; i++) {
		int64_t at =
		    st->te.now.utc_s + (tariff_engine_next_switch(&st->te) - st->te.now.seconds);

		if (at >= utc || at <= st->te.now.utc_s)
			break;
		tariff_interval(b, st, at, 0, 0);
	}
	while (st->has_tariff && (imp || exp)) {
		int64_t i =
		    imp > (uint64_t)TARIFF_MAX_DELTA_MWH ? TARIFF_MAX_DELTA_MWH : (int64_t)imp;
		int64_t e =
		    exp > (uint64_t)TARIFF_MAX_DELTA_MWH ? TARIFF_MAX_DELTA_MWH : (int64_t)exp;

		tariff_interval(b, st, utc, i, e);
		imp -= (uint64_t)i;
		exp -= (uint64_t)e;
	}
	if (st->has_tariff && st->te.now.utc_s < utc)
		tariff_interval(b, st, utc, 0, 0); /* standing charge and switches keep time */
}

/*
 * When the engines last heard of time: the last valid sample of this run, or after a restart
 * what the stored state knows (saved at every command, with the energy checkpoints and at
 * shutdown: after a crash up to a save interval of running time may count as powered down).
 */
static int64_t last_known_utc(const struct pm_billing *b, const struct state *st)
{
	int64_t t = st->acc.last_utc;

	if (b->last_sample_utc)
		return b->last_sample_utc;
	if (st->has_tariff && st->te.now.utc_s > t)
		t = st->te.now.utc_s;
	return t;
}

/*
 * The meter was powered down from @since until @utc (§8.9): the standing charge and debt
 * instalments due meanwhile are passed over, and the event says what was not collected.
 */
static void power_down(struct pm_billing *b, struct state *st, int64_t since, int64_t utc)
{
	struct account_output out;
	struct account_time at;
	int64_t standing = 0, debt = 0;
	char m1[40], m2[40];

	billing_now_times(b, st, utc * 1000000000, &at);
	if (st->has_tariff)
		standing = tariff_engine_skip_standing(&st->te, utc);
	if (account_power_up(&st->acc, &at, &debt, &out) < 0)
		return;
	billing_account_events(b, st, &out);
	billing_queue(b, utc * 1000000000, "power_down_charges",
		      "down_s=%" PRId64 " standing=%s debt=%s not collected", utc - since,
		      pm_money_format(standing, m1, sizeof(m1)),
		      pm_money_format(debt, m2, sizeof(m2)));
}

void pm_billing_sample(struct pm_billing *b, int64_t utc_ns, bool valid, uint64_t import_mwh,
		       uint64_t export_mwh, int32_t import_w, bool checkpointed)
{
	struct state *st = &b->st;
	struct tariff_time tt;
	struct account_time at;
	struct account_output out;
	uint64_t imp = 0, exp = 0;
	int64_t utc = utc_ns / 1000000000;
	int r;

	if (!b)
		return;
	if (!b->running)
		billing_retry_account(b, utc_ns);
	if (!b->running || !valid)
		return;
	if (!st->have_baseline) {
		/* saved at once (below): from then on a crash re-bills from this baseline */
		st->have_baseline = true;
		st->billed_import_mwh = import_mwh;
		st->billed_export_mwh = export_mwh;
		checkpointed = true;
		b->saved_ns = INT64_MIN / 2;
	}
	/* registers below what was billed: a power cut lost energy already billed */
	if (import_mwh >= st->billed_import_mwh)
		imp = import_mwh - st->billed_import_mwh;
	if (export_mwh >= st->billed_export_mwh)
		exp = export_mwh - st->billed_export_mwh;
	st->billed_import_mwh = import_mwh;
	st->billed_export_mwh = export_mwh;
	if (!b->cfg.power_down_catch_up &&
	    utc_ns - last_known_utc(b, st) * 1000000000 > PM_BILLING_POWER_DOWN_NS)
		power_down(b, st, last_known_utc(b, st), utc);
	b->last_sample_utc = utc;
	bill(b, st, utc, imp, exp);

	billing_local_times(b, utc, &tt, &at);
	at.friendly_day = st->has_tariff && st->te.friendly_day;
	if (account_tick(&st->acc, &at, &out) >= 0)
		billing_account_events(b, st, &out);
	/* the lower load limit while the schedule is on a rate the tariff marks "peak" */
	if (account_power_sample(&st->acc, &at, import_w > 0 ? import_w : 0, b->phase_unbalance_w,
				 st->has_tariff && (st->info.peak_rates >> st->te.rate & 1u),
				 &out) >= 0)
		billing_account_events(b, st, &out);
	billing_send_events(b);
	billing_report_supply(b);

	/* with the energy checkpoints, but not more often than PM_BILLING_MIN_SAVE_NS: a record
	 * is ~20 kB and checkpoints may come at every sample */
	if (!b->store || (utc_ns - b->saved_ns < b->cfg.save_interval_ns &&
			  (!checkpointed || utc_ns - b->saved_ns < PM_BILLING_MIN_SAVE_NS)))
		return;
	r = billing_save(b, st, utc_ns, NULL, 0);
	if (r < 0 && !b->save_failing)
		log_error("meter %s: saving the account failed: %s; retried", b->meter,
			  strerror(-r));
	else if (r >= 0 && b->save_failing)
		log_info("meter %s: the account is saved again", b->meter);
	b->save_failing = r < 0;
	if (r < 0)
		b->saved_ns = utc_ns; /* retried after an interval, not at every sample */
}

void pm_billing_set_phase_unbalance(struct pm_billing *b, int32_t unbalance_w)
{
	if (b)
		b->phase_unbalance_w = unbalance_w > 0 ? unbalance_w : 0;
}

int pm_billing_flush(struct pm_billing *b, int64_t utc_ns)
{
	if (!b || !b->running || !b->store)
		return 0;
	return billing_save(b, &b->st, utc_ns, NULL, 0);
}
