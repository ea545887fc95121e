// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scenario runner's event log (docs/scenario.md, "Events"): the account engine's events,
 * the tariff engine's, and the runner's own for what the daemon logs as it adapts them (a
 * power-down, a currency conversion and its snapshot, token entries). Every event is counted
 * by name since the start; the last SCN_EVENTS_KEPT are kept whole, so a scenario can check
 * the details of the most recent one of a name.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tools/scenario.h"

void scn_event(struct sim *s, const char *name, const char *fmt, ...)
{
	struct scn_events *e = &s->events;
	struct scn_event *ev = &e->kept[e->next];
	unsigned i;
	va_list ap;

	snprintf(ev->name, sizeof(ev->name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(ev->detail, sizeof(ev->detail), fmt, ap);
	va_end(ap);
	e->next = (e->next + 1) % SCN_EVENTS_KEPT;
	if (e->n_kept < SCN_EVENTS_KEPT)
		e->n_kept++;
	for (i = 0; i < e->n_names && strcmp(e->names[i], ev->name); i++)
		;
	if (i == SCN_EVENT_NAMES)
		return; /* more names than any scenario raises: counted no further */
	if (i == e->n_names)
		memcpy(e->names[e->n_names++], ev->name, SCN_EVENT_NAME_LEN);
	e->counts[i]++;
}

void scn_account_events(struct sim *s, const struct account_output *out)
{
	char m[40];

	for (unsigned i = 0; i < out->n_events; i++) {
		const struct account_event *ev = &out->events[i];
		const char *name = account_event_name(ev->type);

		if (ev->type == ACCOUNT_EVENT_LOAD_LIMIT_TRIPPED ||
		    ev->type == ACCOUNT_EVENT_PHASE_UNBALANCE_TRIPPED)
			scn_event(s, name, "w=%" PRId64, ev->value);
		else if (ev->type == ACCOUNT_EVENT_SUPPLY_OPENED ||
			 ev->type == ACCOUNT_EVENT_SUPPLY_CLOSED)
			scn_event(s, name, "reason=%s", account_reason_name(ev->reason));
		else
			scn_event(s, name, "value=%s",
				  scn_format_money(s, ev->value, m, sizeof(m)));
	}
}

/*
 * §8.11: "The meter will take a snapshot of readings before currency change, including kWh
 * registers, present balance register, arrears balance registers, total credit register",
 * then the registers are converted, as the daemon does (meter/billing-events.c).
 */
static void convert_currency(struct sim *s, const struct tariff_charge *ch)
{
	struct account_registers g;
	char m[4][40];
	int64_t mwh = 0;

	account_read_registers(&s->account, s->utc, &g);
	scn_event(s, "account_snapshot", "balance=%s time_debt=%s total_credit=%s payments=%u",
		  scn_format_money(s, g.balance_mu, m[0], sizeof(m[0])),
		  scn_format_money(s, g.time_debt_mu, m[1], sizeof(m[1])),
		  scn_format_money(s, g.total_credit_mu, m[2], sizeof(m[2])), g.payment_count);
	for (int r = 0; r < TARIFF_MAX_RATES; r++)
		mwh += s->tariff.import_mwh[r];
	scn_event(s, "energy_snapshot", "import_mwh=%" PRId64, mwh);
	account_convert_currency(&s->account, ch->currency_num, ch->currency_den);
	/* the new currency: its code, and its minor units the amounts are read in from now */
	memcpy(s->info.currency, s->conversion_currency, sizeof(s->info.currency));
	s->info.minor_units = s->conversion_minor_units;
	memcpy(s->deferred_info.currency, s->conversion_currency, sizeof(s->info.currency));
	s->deferred_info.minor_units = s->conversion_minor_units;
	scn_event(s, "currency_converted", "factor=%" PRId64 "/%" PRId64 " balance=%s currency=%s",
		  ch->currency_num, ch->currency_den,
		  scn_format_money(s, s->account.balance_mu, m[3], sizeof(m[3])), s->info.currency);
}

void scn_tariff_events(struct sim *s, const struct tariff_charge *ch)
{
	if (ch->events & TARIFF_EVENT_RATE_SWITCH)
		scn_event(s, "tariff_rate", "rate=%u export_rate=%u", ch->rate + 1u,
			  ch->export_rate + 1u);
	if (ch->events & TARIFF_EVENT_BLOCK_CROSSING)
		scn_event(s, "tariff_block", "block=%u rate=%u", ch->block + 1u, ch->rate + 1u);
	if (ch->events & TARIFF_EVENT_PERIOD_ROLLOVER)
		scn_event(s, "tariff_period", "new=yes");
	if (ch->events & TARIFF_EVENT_TARIFF_ACTIVATED) {
		s->info = s->deferred_info; /* its peak rates with it, as the daemon */
		scn_event(s, "tariff_activated", "currency=%s", s->info.currency);
	}
	if (ch->events & TARIFF_EVENT_CURRENCY)
		convert_currency(s, ch);
}

static int64_t count_of(const struct scn_events *e, const char *name)
{
	for (unsigned i = 0; i < e->n_names; i++)
		if (!strcmp(e->names[i], name))
			return e->counts[i];
	return 0;
}

/* The most recent kept event named @name, or NULL. */
static const struct scn_event *last_of(const struct scn_events *e, const char *name)
{
	for (unsigned k = 1; k <= e->n_kept; k++) {
		const struct scn_event *ev =
		    &e->kept[(e->next + SCN_EVENTS_KEPT - k) % SCN_EVENTS_KEPT];

		if (!strcmp(ev->name, name))
			return ev;
	}
	return NULL;
}

/* Whether "key=value" is one of the words of @detail. */
static bool has_word(const char *detail, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(detail, word); p; p = strstr(p + 1, word))
		if ((p == detail || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

int scn_expect_event(struct sim *s, char **w, int n)
{
	const struct scn_event *ev;
	int64_t want, got;

	if (!strcmp(w[1], "events")) {
		if (n != 4 || scn_parse_fixed(w[3], 0, &want) < 0)
			return scn_fail(s, "expect events NAME COUNT");
		got = count_of(&s->events, w[2]);
		if (got != want)
			return scn_fail(s, "expect events %s %s, got %" PRId64, w[2], w[3], got);
		return 0;
	}
	ev = last_of(&s->events, w[2]);
	if (!ev)
		return scn_fail(s, "expect event %s: none was raised lately", w[2]);
	for (int i = 3; i < n; i++)
		if (!has_word(ev->detail, w[i]))
			return scn_fail(s, "expect event %s: %s, got '%s'", w[2], w[i], ev->detail);
	return 0;
}
