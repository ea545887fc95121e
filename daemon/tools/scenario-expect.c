// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scenario runner's expectations (docs/scenario.md, "expect"): the energy registers, the
 * payment log, states, money registers and settings, and the event log (scenario-events.c).
 * Each expect line is one check; the first that does not hold fails the file.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tools/scenario.h"
#include "core/model/quantity.h"

/* expect import|export [RATE] KWH: the lifetime energy registers, kWh to 1 mWh. */
static int expect_energy(struct sim *s, char **w, int n)
{
	const char *name = w[1], *value = w[n - 1];
	const int64_t *reg = name[0] == 'i' ? s->tariff.import_mwh : s->tariff.export_mwh;
	int64_t want, got = 0;

	if (scn_parse_fixed(value, 6, &want) < 0)
		return scn_fail(s, "expect %s: '%s' is not kWh", name, value);
	if (n == 4) {
		int64_t r;
		if (scn_parse_fixed(w[2], 0, &r) < 0 || r < 1 || r > TARIFF_MAX_RATES)
			return scn_fail(s, "expect %s RATE KWH: rate 1..8", name);
		got = reg[r - 1];
	} else {
		for (int r = 0; r < TARIFF_MAX_RATES; r++)
			got += reg[r];
	}
	if (got != want)
		return scn_fail(s, "expect %s%s%s: %" PRId64 " mWh, got %" PRId64 " mWh", name,
				n == 4 ? " " : "", n == 4 ? w[2] : "", want, got);
	return 0;
}

/* expect payment N AMOUNT [METHOD]: the payment log (manual §8.3), N = 1 the newest; the
 * method token, remote or local. */
static int expect_payment(struct sim *s, char **w, int n)
{
	struct account_payment pay;
	int64_t i, want;
	char got[40];

	if ((n != 4 && n != 5) || scn_parse_fixed(w[2], 0, &i) < 0 || i < 1 ||
	    i > ACCOUNT_PAYMENT_LOG_LEN)
		return scn_fail(s, "expect payment N AMOUNT [METHOD]: N 1..%d",
				ACCOUNT_PAYMENT_LOG_LEN);
	if (scn_parse_money(s, w[3], &want) < 0)
		return scn_fail(s, "expect payment: '%s' is not an amount", w[3]);
	if (!account_payment_at(&s->account, (unsigned)(i - 1), &pay))
		return scn_fail(s, "expect payment %s: the log holds fewer payments", w[2]);
	if (pay.value_mu != want)
		return scn_fail(s, "expect payment %s %s, got %s", w[2], w[3],
				scn_format_money(s, pay.value_mu, got, sizeof(got)));
	if (n == 5 && strcmp(w[4], pm_payment_method_name(pay.method)))
		return scn_fail(s, "expect payment %s: method %s, got %s", w[2], w[4],
				pm_payment_method_name(pay.method));
	return 0;
}

/* A state by name ("supply" -> "closed"), or NULL when @name is no state. */
static const char *state_of(const struct sim *s, const char *name,
			    const struct account_registers *regs)
{
	static const char *const ec_names[] = {"none", "available", "in_use", "exhausted"};
	struct account_supply sup = account_supply(&s->account);
	struct account_time at = scn_account_time_at(s, s->utc);
	struct sts_entry_time t = {at.utc, at.local_day, at.second_of_day};

	if (!strcmp(name, "supply"))
		return sup.closed ? "closed" : "open";
	if (!strcmp(name, "reason"))
		return account_reason_name(sup.reason);
	if (!strcmp(name, "aux"))
		return s->tariff.aux_relay ? "closed" : "open";
	if (!strcmp(name, "friendly_day"))
		return s->tariff.friendly_day ? "yes" : "no";
	if (!strcmp(name, "peak"))
		return scn_peak_now(s) ? "yes" : "no";
	if (!strcmp(name, "ec"))
		return ec_names[regs->ec_state];
	if (!strcmp(name, "entry")) /* token entry (§4.2.1) */
		return sts_lockout_locked(&s->lockout, &t) ? "locked" : "open";
	return NULL;
}

/* A small integer by name, or -1. */
static int64_t integer_of(const struct sim *s, const char *name,
			  const struct account_registers *regs)
{
	if (!strcmp(name, "rate"))
		return s->tariff.rate + 1;
	if (!strcmp(name, "block"))
		return s->tariff.block + 1;
	if (!strcmp(name, "payments"))
		return regs->payment_count;
	if (!strcmp(name, "unserved_s"))
		return s->unserved_s;
	if (!strcmp(name, "load_limit_w"))
		return s->account.config.load_limit_w;
	return -1;
}

/* Money by name (a register, a total since the start or a setting): false when no such. */
static bool money_of(const struct sim *s, const char *name, const struct account_registers *regs,
		     int64_t *mu)
{
	const struct account_config *c = &s->account.config;
	const struct {
		const char *name;
		int64_t value;
	} money[] = {
	    {"balance", regs->balance_mu},
	    {"available", regs->available_credit_mu},
	    {"ec_remaining", regs->ec_remaining_mu},
	    {"debt_to_clear", regs->debt_to_clear_mu},
	    {"time_debt", regs->time_debt_mu},
	    {"payment_debt", regs->payment_debt_mu},
	    {"total_credit", regs->total_credit_mu},
	    {"cost_today", regs->cost_today_mu},
	    {"charges_period", regs->charges_period_mu},
	    {"energy_cost", s->energy_mu},
	    {"standing", s->standing_mu},
	    {"levy", s->levy_mu},
	    {"tax", s->tax_mu},
	    {"reconciliation", s->recon_mu},
	    {"export_credit", s->export_credit_mu},
	    {"debt_paid", s->debt_paid_mu},
	    /* the account's settings, as the engine holds them (a conversion changes them) */
	    {"ec_value", c->ec_value_mu},
	    {"ec_threshold", c->ec_threshold_mu},
	    {"low_credit", c->low_credit_threshold_mu},
	    {"debt_weekly", c->debt_weekly_rate_mu},
	    {"payg_debt_limit", c->payg_debt_limit_mu},
	    {"max_balance", c->max_balance_mu},
	};

	for (size_t i = 0; i < sizeof(money) / sizeof(money[0]); i++)
		if (!strcmp(money[i].name, name)) {
			*mu = money[i].value;
			return true;
		}
	return false;
}

int scn_expect(struct sim *s, char **w, int n)
{
	struct account_registers regs;
	const char *name, *value, *state;
	int64_t got, want;
	char text[40];

	if (n < 3)
		return scn_fail(s, "expect NAME VALUE");
	name = w[1];
	value = w[n - 1];
	s->checks++;
	if (!strcmp(name, "event") || !strcmp(name, "events"))
		return scn_expect_event(s, w, n);
	if (!strcmp(name, "import") || !strcmp(name, "export"))
		return expect_energy(s, w, n);
	if (!strcmp(name, "payment"))
		return expect_payment(s, w, n);
	account_read_registers(&s->account, s->utc, &regs);
	state = state_of(s, name, &regs);
	if (state) {
		if (strcmp(state, value))
			return scn_fail(s, "expect %s %s, got %s", name, value, state);
		return 0;
	}
	got = integer_of(s, name, &regs);
	if (got >= 0) {
		if (scn_parse_fixed(value, 0, &want) < 0 || want != got)
			return scn_fail(s, "expect %s %s, got %" PRId64, name, value, got);
		return 0;
	}
	if (!money_of(s, name, &regs, &got))
		return scn_fail(s, "expect: unknown register '%s'", name);
	if (scn_parse_money(s, value, &want) < 0)
		return scn_fail(s, "expect %s: '%s' is not an amount", name, value);
	if (got != want)
		return scn_fail(s, "expect %s %s, got %s", name, value,
				scn_format_money(s, got, text, sizeof(text)));
	return 0;
}
