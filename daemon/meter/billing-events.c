// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event queue of the operation in progress and the texts of the meter's event log: what the
 * account and tariff engines report, written as the log has always had them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "meter/billing-internal.h"
#include "common/log.h"
#include "core/billing/money.h"

void billing_queue(struct pm_billing *b, int64_t utc_ns, const char *kind, const char *fmt, ...)
{
	struct queued_event *q;
	va_list ap;

	if (b->n_queued == EVENT_QUEUE)
		return; /* the log is a courtesy; the state carries the truth */
	q = &b->queue[b->n_queued++];
	q->utc_ns = utc_ns;
	snprintf(q->kind, sizeof(q->kind), "%s", kind);
	va_start(ap, fmt);
	vsnprintf(q->detail, sizeof(q->detail), fmt, ap);
	va_end(ap);
}

void billing_send_events(struct pm_billing *b)
{
	for (unsigned i = 0; i < b->n_queued; i++) {
		if (b->event_fn)
			b->event_fn(b->userdata, b->queue[i].utc_ns, b->queue[i].kind,
				    b->queue[i].detail);
		else
			log_info("meter %s: %s %s", b->meter, b->queue[i].kind, b->queue[i].detail);
	}
	b->n_queued = 0;
}

static const char *const account_event_kinds[] = {
    [ACCOUNT_EVENT_PAYMENT_ACCEPTED] = "payment_accepted",
    [ACCOUNT_EVENT_LOW_CREDIT] = "low_credit",
    [ACCOUNT_EVENT_EC_AVAILABLE] = "ec_available",
    [ACCOUNT_EVENT_EC_TAKEN] = "ec_taken",
    [ACCOUNT_EVENT_EC_EXHAUSTED] = "ec_exhausted",
    [ACCOUNT_EVENT_DEBT_CLEARED] = "debt_cleared",
    [ACCOUNT_EVENT_SUPPLY_OPENED] = "supply_opened",
    [ACCOUNT_EVENT_SUPPLY_ARMED] = "supply_armed",
    [ACCOUNT_EVENT_SUPPLY_CLOSED] = "supply_closed",
    [ACCOUNT_EVENT_DISCONNECT_SUSPENDED] = "disconnect_suspended",
    [ACCOUNT_EVENT_LOAD_LIMIT_TRIPPED] = "load_limit_tripped",
    [ACCOUNT_EVENT_SNAPSHOT_REQUIRED] = "account_snapshot",
    [ACCOUNT_EVENT_TENANCY_CHANGED] = "tenancy_changed",
    [ACCOUNT_EVENT_WALLET_RECONCILED] = "wallet_reconciled",
    [ACCOUNT_EVENT_PHASE_UNBALANCE_TRIPPED] = "phase_unbalance_tripped",
};

/*
 * The registers before a change of tenancy, the outgoing tenant's record (§6.2: "The CoT/S
 * command will trigger a Snapshot of readings": credit mode, emergency credit, present balance,
 * arrears). Every amount has its own buffer: they are all formatted before the text is made.
 */
static void queue_snapshot(struct pm_billing *b, int64_t ns, const struct account_registers *r)
{
	char balance[40], available[40], ec[40], to_clear[40], time_debt[40], payment_debt[40],
	    total[40];

	billing_queue(b, ns, account_event_kinds[ACCOUNT_EVENT_SNAPSHOT_REQUIRED],
		      "mode=%s ec=%s balance=%s available=%s ec_remaining=%s debt_to_clear=%s "
		      "time_debt=%s payment_debt=%s total_credit=%s payments=%u",
		      pm_billing_mode_name(r->mode), pm_billing_ec_name(r->ec_state),
		      pm_money_format(r->balance_mu, balance, sizeof(balance)),
		      pm_money_format(r->available_credit_mu, available, sizeof(available)),
		      pm_money_format(r->ec_remaining_mu, ec, sizeof(ec)),
		      pm_money_format(r->debt_to_clear_mu, to_clear, sizeof(to_clear)),
		      pm_money_format(r->time_debt_mu, time_debt, sizeof(time_debt)),
		      pm_money_format(r->payment_debt_mu, payment_debt, sizeof(payment_debt)),
		      pm_money_format(r->total_credit_mu, total, sizeof(total)), r->payment_count);
}

/* The account engine's events: queued for the log, and what they ask of the tariff engine. */
void billing_account_events(struct pm_billing *b, struct state *st,
			    const struct account_output *out)
{
	char m1[40];

	for (unsigned i = 0; i < out->n_events; i++) {
		const struct account_event *ev = &out->events[i];
		int64_t ns = ev->utc * 1000000000;

		switch (ev->type) {
		case ACCOUNT_EVENT_SNAPSHOT_REQUIRED:
			queue_snapshot(b, ns, &ev->registers);
			break;
		case ACCOUNT_EVENT_TENANCY_CHANGED:
			if (ev->clear_future_tariffs)
				tariff_engine_cancel_deferred(&st->te);
			billing_queue(b, ns, account_event_kinds[ev->type],
				      "zero_standing_charge=%d clear_future_tariffs=%d",
				      ev->zero_standing_charge, ev->clear_future_tariffs);
			break;
		case ACCOUNT_EVENT_SUPPLY_OPENED:
		case ACCOUNT_EVENT_SUPPLY_ARMED:
		case ACCOUNT_EVENT_SUPPLY_CLOSED:
		case ACCOUNT_EVENT_DISCONNECT_SUSPENDED:
			billing_queue(b, ns, account_event_kinds[ev->type], "reason=%s",
				      account_reason_name(ev->reason));
			break;
		case ACCOUNT_EVENT_LOAD_LIMIT_TRIPPED:
			billing_queue(b, ns, account_event_kinds[ev->type], "power_w=%" PRId64,
				      ev->value);
			break;
		case ACCOUNT_EVENT_PHASE_UNBALANCE_TRIPPED:
			billing_queue(b, ns, account_event_kinds[ev->type], "unbalance_w=%" PRId64,
				      ev->value);
			break;
		default:
			billing_queue(b, ns, account_event_kinds[ev->type], "value=%s",
				      pm_money_format(ev->value, m1, sizeof(m1)));
			break;
		}
	}
}

static void format_registers(const struct state *st, char *buf, size_t len)
{
	size_t n = 0;

	for (unsigned r = 0; r < st->te.active.n_rates && n < len; r++)
		n += (size_t)snprintf(buf + n, len - n, "%simport%u_mwh=%" PRId64, r ? " " : "",
				      r + 1, st->te.import_mwh[r]);
	if (n < len)
		snprintf(buf + n, len - n, " period_mwh=%" PRId64, st->te.period_basis_mwh);
}

/*
 * The tariff engine's events for the log; a currency conversion converts the money registers
 * (after the registers in the old currency are logged as a snapshot).
 */
void billing_tariff_events(struct pm_billing *b, struct state *st, const struct account_time *at,
			   const struct tariff_charge *ch)
{
	int64_t ns = at->utc * 1000000000;
	char regs[160], m1[40];

	if (ch->events & TARIFF_EVENT_RATE_SWITCH)
		billing_queue(b, ns, "tariff_rate", "rate=%u export_rate=%u", ch->rate + 1u,
			      ch->export_rate + 1u);
	if (ch->events & TARIFF_EVENT_BLOCK_CROSSING) {
		format_registers(st, regs, sizeof(regs));
		billing_queue(b, ns, "tariff_block", "block=%u rate=%u %s balance=%s",
			      ch->block + 1u, ch->rate + 1u, regs,
			      pm_money_format(st->acc.balance_mu, m1, sizeof(m1)));
	}
	if (ch->events & TARIFF_EVENT_RECONCILED)
		billing_queue(b, ns, "tariff_reconciled", "adjustment=%s",
			      pm_money_format(ch->reconciliation_mu, m1, sizeof(m1)));
	if (ch->events & TARIFF_EVENT_PERIOD_ROLLOVER)
		billing_queue(b, ns, "tariff_period", "new billing period");
	if (ch->events & TARIFF_EVENT_TARIFF_ACTIVATED) {
		int old_minor_units = st->info.minor_units;

		st->info = st->deferred_info;
		memset(&st->deferred_info, 0, sizeof(st->deferred_info));
		billing_queue(b, ns, "tariff_activated", "name=%s currency=%s", st->info.name,
			      st->info.currency);
		billing_conversion_follow_currency(b, st, ns, old_minor_units);
	}
	if (ch->events & TARIFF_EVENT_CURRENCY) {
		struct account_registers g;

		/* §8.11: "a snapshot of readings before currency change, including kWh registers,
		 * present balance register, arrears balance registers, total credit register" */
		account_read_registers(&st->acc, at->utc, &g);
		queue_snapshot(b, ns, &g);
		format_registers(st, regs, sizeof(regs));
		billing_queue(b, ns, "energy_snapshot", "before currency conversion: %s", regs);
		account_convert_currency(&st->acc, ch->currency_num, ch->currency_den);
		/* §8.11: "Following conversion the meter will change the currency symbol"; the
		 * tariffs' prices are in the new currency now, the future one's too */
		if (st->conversion_to.currency[0]) {
			memcpy(st->info.currency, st->conversion_to.currency, 4);
			st->info.minor_units = st->conversion_to.minor_units;
			if (st->te.has_deferred) {
				memcpy(st->deferred_info.currency, st->conversion_to.currency, 4);
				st->deferred_info.minor_units = st->conversion_to.minor_units;
			}
		}
		memset(&st->conversion_to, 0, sizeof(st->conversion_to));
		billing_queue(b, ns, "currency_converted",
			      "factor=%" PRId64 "/%" PRId64 " balance=%s currency=%s",
			      ch->currency_num, ch->currency_den,
			      /* in the new currency's units: mu are 1/1000 of its minor unit */
			      pm_decimal_format(st->acc.balance_mu,
						(unsigned)st->info.minor_units + 3,
						(unsigned)st->info.minor_units, m1, sizeof(m1)),
			      st->info.currency);
	}
}
