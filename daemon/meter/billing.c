// SPDX-License-Identifier: GPL-2.0-only
/* One meter's account: tariff + account engines, persistence, commands (see billing.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meter/billing-state.h"
#include "meter/billing.h"
#include "common/log.h"
#include "core/billing/money.h"

/* A restart after a long stop walks the switch points in between: at most this many. */
#define MAX_SWITCH_STEPS 20000
#define EVENT_QUEUE 96

struct queued_event {
	int64_t utc_ns;
	char kind[32];
	char detail[200];
};

struct pm_billing {
	struct pm_billing_config cfg;
	char *meter, *zone, *tariff_file;
	struct pm_store *store;
	bool running;
	bool unavailable;	/* the account is unknown (not read); running is false */
	int64_t unavailable_ns; /* since when */
	int64_t retry_ns;	/* the last attempt to read it */
	char unavailable_why[200];
	struct state st;
	int64_t saved_ns;
	bool save_failing;
	bool tariff_error_logged;

	pm_billing_supply_fn supply_fn;
	pm_billing_event_fn event_fn;
	void *userdata;
	bool supply_reported, contactor_reported, aux_reported;

	/* events of the operation in progress: sent when it is committed, dropped otherwise */
	unsigned n_queued;
	struct queued_event queue[EVENT_QUEUE];
};

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
	}
	return "unknown";
}

static int __attribute__((format(printf, 4, 5)))
fail(struct pm_billing_error *e, enum pm_billing_err kind, int r, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		e->kind = kind;
		va_start(ap, fmt);
		vsnprintf(e->message, sizeof(e->message), fmt, ap);
		va_end(ap);
	}
	return r;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int32_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * Local civil time of @utc in the meter's zone, for both engines. tzdata through the C
 * library: TZ is set for the call (the daemon is single-threaded; meters may differ in zone).
 */
static void local_times(const struct pm_billing *b, int64_t utc, struct tariff_time *tt,
			struct account_time *at)
{
	time_t t = (time_t)utc;
	struct tm tm;

	if (b->zone[0])
		setenv("TZ", b->zone, 1);
	else
		unsetenv("TZ");
	tzset();
	localtime_r(&t, &tm);
	tt->utc_s = utc;
	tt->year = tm.tm_year + 1900;
	tt->month = tm.tm_mon + 1;
	tt->day = tm.tm_mday;
	tt->weekday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
	tt->seconds = tm.tm_hour * 3600 + tm.tm_min * 60 + (tm.tm_sec > 59 ? 59 : tm.tm_sec);
	at->utc = utc;
	at->local_day = days_from_civil(tt->year, tt->month, tt->day);
	at->weekday = (uint8_t)((tm.tm_wday + 6) % 7);
	at->second_of_day = (uint32_t)tt->seconds;
	at->friendly_day = false;
}

static void queue(struct pm_billing *b, int64_t utc_ns, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void queue(struct pm_billing *b, int64_t utc_ns, const char *kind, const char *fmt, ...)
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

static void send_events(struct pm_billing *b)
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
};

/* The account engine's events: queued for the log, and what they ask of the tariff engine. */
static void account_events(struct pm_billing *b, struct state *st, const struct account_output *out)
{
	char m1[40], m2[40];

	for (unsigned i = 0; i < out->n_events; i++) {
		const struct account_event *ev = &out->events[i];
		int64_t ns = ev->utc * 1000000000;

		switch (ev->type) {
		case ACCOUNT_EVENT_SNAPSHOT_REQUIRED:
			queue(
			    b, ns, account_event_kinds[ev->type],
			    "balance=%s debt_to_clear=%s time_debt=%s payment_debt=%s payments=%u",
			    pm_money_format(ev->registers.balance_mu, m1, sizeof(m1)),
			    pm_money_format(ev->registers.debt_to_clear_mu, m2, sizeof(m2)),
			    pm_money_format(ev->registers.time_debt_mu, m1, sizeof(m1)),
			    pm_money_format(ev->registers.payment_debt_mu, m2, sizeof(m2)),
			    ev->registers.payment_count);
			break;
		case ACCOUNT_EVENT_TENANCY_CHANGED:
			if (ev->clear_future_tariffs)
				tariff_engine_cancel_deferred(&st->te);
			queue(b, ns, account_event_kinds[ev->type],
			      "zero_standing_charge=%d clear_future_tariffs=%d",
			      ev->zero_standing_charge, ev->clear_future_tariffs);
			break;
		case ACCOUNT_EVENT_SUPPLY_OPENED:
		case ACCOUNT_EVENT_SUPPLY_ARMED:
		case ACCOUNT_EVENT_SUPPLY_CLOSED:
		case ACCOUNT_EVENT_DISCONNECT_SUSPENDED:
			queue(b, ns, account_event_kinds[ev->type], "reason=%s",
			      account_reason_name(ev->reason));
			break;
		case ACCOUNT_EVENT_LOAD_LIMIT_TRIPPED:
			queue(b, ns, account_event_kinds[ev->type], "power_w=%" PRId64, ev->value);
			break;
		default:
			queue(b, ns, account_event_kinds[ev->type], "value=%s",
			      pm_money_format(ev->value, m1, sizeof(m1)));
			break;
		}
	}
}

int64_t pm_billing_convert_mu(int64_t value_mu, int64_t num, int64_t den)
{
	/* value = q den + m: q num is exact, m num / den is rounded (no overflow: |m| < den) */
	int64_t v = value_mu < 0 ? -value_mu : value_mu;
	int64_t q = v / den, m = v % den;
	int64_t out = q * num + (2 * m * num + den) / (2 * den);

	return value_mu < 0 ? -out : out;
}

void pm_billing_convert_account(struct account *acc, int64_t num, int64_t den)
{
	struct account_config c = acc->config;
	const char *why;
#define CONV(x) ((x) = pm_billing_convert_mu((x), num, den))
	CONV(acc->balance_mu);
	CONV(acc->total_credit_mu);
	for (unsigned i = 0; i < ACCOUNT_PAYMENT_LOG_LEN; i++)
		CONV(acc->payment_log[i].value_mu);
	CONV(acc->cost_today_mu);
	for (unsigned i = 0; i < ACCOUNT_COST_BUCKETS; i++)
		CONV(acc->cost_minutes[i].cost_mu);
	CONV(acc->ec_remaining_mu);
	CONV(acc->debt_to_clear_mu);
	CONV(acc->time_debt_mu);
	CONV(acc->payment_debt_mu);
	for (unsigned i = 0; i < 2; i++)
		CONV(acc->wallet[i].charged_mu);
	CONV(c.payg_debt_limit_mu);
	CONV(c.max_balance_mu);
	CONV(c.low_credit_threshold_mu);
	CONV(c.ec_threshold_mu);
	CONV(c.ec_value_mu);
	CONV(c.debt_weekly_rate_mu);
#undef CONV
	/* the PAYG debt limit has a bound in currency units (-500): a larger factor meets it */
	if (c.payg_debt_limit_mu < ACCOUNT_PAYG_DEBT_LIMIT_MIN_MU)
		c.payg_debt_limit_mu = ACCOUNT_PAYG_DEBT_LIMIT_MIN_MU;
	if (account_config_validate(&c, &why) == 0)
		acc->config = c;
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
static void tariff_events(struct pm_billing *b, struct state *st, const struct account_time *at,
			  const struct tariff_charge *ch)
{
	int64_t ns = at->utc * 1000000000;
	char regs[160], m1[40], m2[40], m3[40], m4[40];

	if (ch->events & TARIFF_EVENT_RATE_SWITCH)
		queue(b, ns, "tariff_rate", "rate=%u export_rate=%u", ch->rate + 1u,
		      ch->export_rate + 1u);
	if (ch->events & TARIFF_EVENT_BLOCK_CROSSING) {
		format_registers(st, regs, sizeof(regs));
		queue(b, ns, "tariff_block", "block=%u rate=%u %s balance=%s", ch->block + 1u,
		      ch->rate + 1u, regs, pm_money_format(st->acc.balance_mu, m1, sizeof(m1)));
	}
	if (ch->events & TARIFF_EVENT_RECONCILED)
		queue(b, ns, "tariff_reconciled", "adjustment=%s",
		      pm_money_format(ch->reconciliation_mu, m1, sizeof(m1)));
	if (ch->events & TARIFF_EVENT_PERIOD_ROLLOVER)
		queue(b, ns, "tariff_period", "new billing period");
	if (ch->events & TARIFF_EVENT_TARIFF_ACTIVATED) {
		st->info = st->deferred_info;
		memset(&st->deferred_info, 0, sizeof(st->deferred_info));
		queue(b, ns, "tariff_activated", "name=%s currency=%s", st->info.name,
		      st->info.currency);
	}
	if (ch->events & TARIFF_EVENT_CURRENCY) {
		struct account_registers g;

		account_read_registers(&st->acc, at->utc, &g);
		queue(b, ns, "account_snapshot",
		      "before currency conversion: balance=%s total_credit=%s debt_to_clear=%s "
		      "time_debt=%s",
		      pm_money_format(g.balance_mu, m1, sizeof(m1)),
		      pm_money_format(g.total_credit_mu, m2, sizeof(m2)),
		      pm_money_format(g.debt_to_clear_mu, m3, sizeof(m3)),
		      pm_money_format(g.time_debt_mu, m4, sizeof(m4)));
		pm_billing_convert_account(&st->acc, ch->currency_num, ch->currency_den);
		queue(b, ns, "currency_converted", "factor=%" PRId64 "/%" PRId64 " balance=%s",
		      ch->currency_num, ch->currency_den,
		      pm_money_format(st->acc.balance_mu, m1, sizeof(m1)));
	}
}

/* Money of one tariff interval into the account. */
static void take_charge(struct pm_billing *b, struct state *st, const struct account_time *now,
			const struct tariff_charge *ch)
{
	struct account_time at = *now;
	struct account_output out;
	int r = 0;

	at.friendly_day = ch->friendly_day;
	if (ch->total_mu > 0)
		r = account_charge(&st->acc, &at, ch->total_mu, &out);
	else if (ch->total_mu < 0)
		r = account_adjust_balance(&st->acc, &at, -ch->total_mu, &out);
	if (r < 0)
		log_error("meter %s: the account refused a charge of %" PRId64 " mu: %s", b->meter,
			  ch->total_mu, out.error);
	else if (ch->total_mu)
		account_events(b, st, &out);
	tariff_events(b, st, &at, ch);
}

static void tariff_interval(struct pm_billing *b, struct state *st, int64_t utc, int64_t imp,
			    int64_t exp)
{
	struct tariff_time tt;
	struct account_time at;
	struct tariff_charge ch;
	struct tariff_error err;

	local_times(b, utc, &tt, &at);
	if (tariff_engine_account(&st->te, &tt, imp, exp, &ch, &err) < 0) {
		if (!b->tariff_error_logged)
			log_error("meter %s: tariff: %s", b->meter, err.message);
		b->tariff_error_logged = true;
		return;
	}
	b->tariff_error_logged = false;
	take_charge(b, st, &at, &ch);
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

static void report_supply(struct pm_billing *b)
{
	bool contactor = account_supply(&b->st.acc).closed;
	bool aux = b->st.has_tariff && b->st.te.aux_relay;

	if (b->supply_reported && contactor == b->contactor_reported && aux == b->aux_reported)
		return;
	b->supply_reported = true;
	b->contactor_reported = contactor;
	b->aux_reported = aux;
	if (b->supply_fn)
		b->supply_fn(b->userdata, contactor, aux);
}

static int save(struct pm_billing *b, const struct state *st, int64_t utc_ns, const char *reference,
		int64_t value_mu)
{
	int r = pm_store_save_account(b->store, b->meter, STATE_LAYOUT, st, sizeof(*st), utc_ns,
				      reference, value_mu);

	if (r >= 0)
		b->saved_ns = utc_ns;
	return r;
}

static void retry_account(struct pm_billing *b, int64_t utc_ns);

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
		retry_account(b, utc_ns);
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
	bill(b, st, utc, imp, exp);

	local_times(b, utc, &tt, &at);
	at.friendly_day = st->has_tariff && st->te.friendly_day;
	if (account_tick(&st->acc, &at, &out) >= 0)
		account_events(b, st, &out);
	/* the lower load limit while the schedule is on a rate the tariff marks "peak" */
	if (account_power_sample(&st->acc, &at, import_w > 0 ? import_w : 0,
				 st->has_tariff && (st->info.peak_rates >> st->te.rate & 1u),
				 &out) >= 0)
		account_events(b, st, &out);
	send_events(b);
	report_supply(b);

	/* with the energy checkpoints, but not more often than PM_BILLING_MIN_SAVE_NS: a record
	 * is ~20 kB and checkpoints may come at every sample */
	if (!b->store || (utc_ns - b->saved_ns < b->cfg.save_interval_ns &&
			  (!checkpointed || utc_ns - b->saved_ns < PM_BILLING_MIN_SAVE_NS)))
		return;
	r = save(b, st, utc_ns, NULL, 0);
	if (r < 0 && !b->save_failing)
		log_error("meter %s: saving the account failed: %s; retried", b->meter,
			  strerror(-r));
	else if (r >= 0 && b->save_failing)
		log_info("meter %s: the account is saved again", b->meter);
	b->save_failing = r < 0;
	if (r < 0)
		b->saved_ns = utc_ns; /* retried after an interval, not at every sample */
}

int pm_billing_flush(struct pm_billing *b, int64_t utc_ns)
{
	if (!b || !b->running || !b->store)
		return 0;
	return save(b, &b->st, utc_ns, NULL, 0);
}

/* --- commands ----------------------------------------------------------------------------- */

static struct state *begin(struct pm_billing *b, struct pm_billing_error *e, int *r)
{
	struct state *work;

	if (e) {
		e->kind = PM_BILLING_OK;
		e->message[0] = '\0';
	}
	b->n_queued = 0;
	if (!b->running) {
		*r = fail(e, PM_BILLING_ERR_ACCOUNT_UNAVAILABLE, -EIO,
			  "meter %s: the account is unavailable (%s); nothing is accepted",
			  b->meter, b->unavailable_why);
		return NULL;
	}
	if (!b->store) {
		*r = fail(e, PM_BILLING_ERR_NO_STORE, -ENODEV,
			  "meter %s has no store: a change could not be kept", b->meter);
		return NULL;
	}
	work = malloc(sizeof(*work));
	if (!work) {
		*r = fail(e, PM_BILLING_ERR_STORE_FAILED, -ENOMEM, "out of memory");
		return NULL;
	}
	*work = b->st;
	return work;
}

/* Commits @work (with a top-up reference), then makes it the state; frees it either way. */
static int commit(struct pm_billing *b, struct state *work, int64_t utc_ns, const char *reference,
		  int64_t value_mu, struct pm_billing_error *e)
{
	int r = save(b, work, utc_ns, reference, value_mu);

	if (r == -EEXIST)
		r = fail(e, PM_BILLING_ERR_DUPLICATE, r, "reference: '%s' was already used",
			 reference);
	else if (r < 0)
		r = fail(e, PM_BILLING_ERR_STORE_FAILED, r, "meter %s: store: %s; nothing changed",
			 b->meter, strerror(-r));
	if (r < 0) {
		b->n_queued = 0;
		free(work);
		return r;
	}
	b->st = *work;
	free(work);
	send_events(b);
	report_supply(b);
	return 0;
}

/* An account engine refusal: -EPERM is "not now", anything else a bad argument. */
static int refused(struct pm_billing *b, struct state *work, int r,
		   const struct account_output *out, const char *field, struct pm_billing_error *e)
{
	free(work);
	b->n_queued = 0;
	return fail(e, r == -EPERM ? PM_BILLING_ERR_REFUSED : PM_BILLING_ERR_INVALID, r, "%s%s%s",
		    field ? field : "", field ? ": " : "", out->error ? out->error : strerror(-r));
}

static void now_times(const struct pm_billing *b, const struct state *st, int64_t utc_ns,
		      struct account_time *at)
{
	struct tariff_time tt;

	local_times(b, utc_ns / 1000000000, &tt, at);
	at->friendly_day = st->has_tariff && st->te.friendly_day;
}

static bool valid_reference(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

int pm_billing_topup(struct pm_billing *b, int64_t utc_ns, int64_t value_mu, const char *reference,
		     enum account_payment_method method, struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int r;

	if (!valid_reference(reference))
		return fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
			    "reference: 1 to 64 printable characters without spaces");
	if (value_mu <= 0)
		return fail(e, PM_BILLING_ERR_INVALID, -EINVAL, "amount: must be above zero");
	work = begin(b, e, &r);
	if (!work)
		return r;
	r = pm_store_topup_ref_used(b->store, b->meter, reference);
	if (r != 0) {
		free(work);
		if (r > 0)
			return fail(e, PM_BILLING_ERR_DUPLICATE, -EEXIST,
				    "reference: '%s' was already used", reference);
		return fail(e, PM_BILLING_ERR_STORE_FAILED, r, "meter %s: store: %s", b->meter,
			    strerror(-r));
	}
	now_times(b, work, utc_ns, &at);
	r = account_topup(&work->acc, &at, value_mu, method, &out);
	if (r < 0)
		return refused(b, work, r, &out, "amount", e);
	account_events(b, work, &out);
	return commit(b, work, utc_ns, reference, value_mu, e);
}

int pm_billing_token(struct pm_billing *b, int64_t utc_ns, const char *token, int64_t *credit_mu,
		     struct sts_result *res, struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int r;

	*credit_mu = 0;
	work = begin(b, e, &r);
	if (!work)
		return r;
	if (!work->has_sts) {
		free(work);
		return fail(e, PM_BILLING_ERR_NOT_CONFIGURED, -ENOTSUP,
			    "meter %s has no STS decoder key (sts_decoder_key)", b->meter);
	}
	r = sts_accept(&work->sts, token, utc_ns / 1000000000, res);
	if (r < 0) {
		free(work);
		return fail(e, PM_BILLING_ERR_TOKEN, r, "token: %s", res->error);
	}
	now_times(b, work, utc_ns, &at);
	if (res->action == STS_ACTION_ADD_CREDIT) {
		/* 0.00001 currency units is exactly 1 mu; energy or water credit has no price */
		if (res->credit_unit != STS_UNIT_CURRENCY_E5) {
			free(work);
			return fail(e, PM_BILLING_ERR_TOKEN, -ENOTSUP,
				    "token: credit in %s units; this account counts currency only",
				    res->credit_unit == STS_UNIT_DECI_KWH ? "0.1 kWh"
									  : "non-currency");
		}
		r = account_topup(&work->acc, &at, res->credit, ACCOUNT_PAYMENT_TOKEN, &out);
		if (r < 0)
			return refused(b, work, r, &out, "token", e);
		account_events(b, work, &out);
		*credit_mu = res->credit;
	} else if (res->action == STS_ACTION_MANAGEMENT &&
		   res->token.kind == STS_KIND_SET_MAX_POWER) {
		struct account_config c = work->acc.config;

		c.load_limit_w = res->token.amount;
		if (c.load_limit_peak_w > c.load_limit_w)
			c.load_limit_peak_w = 0;
		if (!c.load_limit_period_s)
			c.load_limit_period_s = 60;
		r = account_configure(&work->acc, &at, &c, &out);
		if (r < 0)
			return refused(b, work, r, &out, "token", e);
		account_events(b, work, &out);
	}
	queue(b, utc_ns, "sts_token", "kind=%d tid=%u amount=%u", (int)res->token.kind,
	      res->token.tid, res->token.amount);
	return commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_set_tariff(struct pm_billing *b, int64_t utc_ns, const char *json,
			  struct pm_billing_error *e)
{
	struct pm_tariff_file_info info;
	struct tariff_time tt;
	struct account_time at;
	struct tariff_error terr;
	struct tariff *t;
	struct state *work;
	int r;

	t = malloc(sizeof(*t));
	if (!t)
		return fail(e, PM_BILLING_ERR_STORE_FAILED, -ENOMEM, "out of memory");
	r = pm_tariff_file_parse_info("tariff", json ? json : "", t, &info, e ? e->message : NULL,
				      e ? sizeof(e->message) : 0);
	if (r < 0) {
		free(t);
		if (e)
			e->kind = PM_BILLING_ERR_TARIFF;
		return r;
	}
	work = begin(b, e, &r);
	if (!work) {
		free(t);
		return r;
	}
	local_times(b, utc_ns / 1000000000, &tt, &at);
	r = tariff_engine_set_tariff(&work->te, t, &tt, &terr);
	free(t);
	if (r < 0) {
		free(work);
		return fail(e, PM_BILLING_ERR_TARIFF, r, "tariff: %s", terr.message);
	}
	work->has_tariff = true;
	work->info = info;
	queue(b, utc_ns, "tariff_set", "name=%s currency=%s", info.name, info.currency);
	return commit(b, work, utc_ns, NULL, 0, e);
}

/* "YYYY-MM-DD" into @d; -EINVAL (and *e naming @field) when it is not a calendar date. */
static int parse_date(const char *s, const char *field, struct tariff_date *d,
		      struct pm_billing_error *e)
{
	int n = 0;

	if (s && sscanf(s, "%4d-%2d-%2d%n", &d->year, &d->month, &d->day, &n) == 3 && n == 10 &&
	    !s[n] && d->year >= 1970 && d->year <= 9999 && d->month >= 1 && d->month <= 12 &&
	    d->day >= 1 &&
	    d->day <= days_from_civil(d->year + d->month / 12, d->month % 12 + 1, 1) -
			  days_from_civil(d->year, d->month, 1))
		return 0;
	return fail(e, PM_BILLING_ERR_INVALID, -EINVAL, "%s: '%s' is not a date YYYY-MM-DD", field,
		    s ? s : "");
}

/* A date after the account's local date today (the later of the command's and the engine's). */
static int future_date(const struct pm_billing *b, const struct state *st, int64_t utc_ns,
		       const struct tariff_date *d, const char *field, struct pm_billing_error *e)
{
	struct account_time at;
	int32_t today, day = days_from_civil(d->year, d->month, d->day);

	now_times(b, st, utc_ns, &at);
	today = at.local_day;
	if (st->has_tariff && st->te.day_number > today)
		today = st->te.day_number;
	if (day > today)
		return 0;
	return fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
		    "%s: %04d-%02d-%02d is not after today: give a date from tomorrow on", field,
		    d->year, d->month, d->day);
}

int pm_billing_set_future_tariff(struct pm_billing *b, int64_t utc_ns, const char *json,
				 const char *date, struct pm_billing_error *e)
{
	struct pm_tariff_file_info info;
	struct tariff_error terr;
	struct tariff_date d;
	struct tariff *t;
	struct state *work;
	int r;

	if (parse_date(date, "date", &d, e) < 0)
		return -EINVAL;
	t = malloc(sizeof(*t));
	if (!t)
		return fail(e, PM_BILLING_ERR_STORE_FAILED, -ENOMEM, "out of memory");
	r = pm_tariff_file_parse_info("tariff", json ? json : "", t, &info, e ? e->message : NULL,
				      e ? sizeof(e->message) : 0);
	if (r < 0) {
		free(t);
		if (e)
			e->kind = PM_BILLING_ERR_TARIFF;
		return r;
	}
	work = begin(b, e, &r);
	if (!work) {
		free(t);
		return r;
	}
	if (!work->has_tariff) {
		free(t);
		free(work);
		return fail(e, PM_BILLING_ERR_NOT_CONFIGURED, -ENOTSUP,
			    "meter %s has no tariff to replace: set one (SetTariff)", b->meter);
	}
	r = future_date(b, work, utc_ns, &d, "date", e);
	if (r >= 0 && tariff_engine_set_deferred(&work->te, t, &d, &terr) < 0)
		r = fail(e, PM_BILLING_ERR_TARIFF, -EINVAL, "tariff: %s", terr.message);
	free(t);
	if (r < 0) {
		free(work);
		return r;
	}
	work->deferred_info = info;
	queue(b, utc_ns, "tariff_deferred", "name=%s from=%s", info.name, date);
	return commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_cancel_future_tariff(struct pm_billing *b, int64_t utc_ns,
				    struct pm_billing_error *e)
{
	struct state *work;
	int r;

	work = begin(b, e, &r);
	if (!work)
		return r;
	if (!work->te.has_deferred) {
		free(work);
		return fail(e, PM_BILLING_ERR_REFUSED, -EPERM, "no future tariff is pending");
	}
	tariff_engine_cancel_deferred(&work->te);
	memset(&work->deferred_info, 0, sizeof(work->deferred_info));
	queue(b, utc_ns, "tariff_deferred_cancelled", "%s", "");
	return commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_parse_factor(const char *s, int64_t *num, int64_t *den)
{
	int64_t n = 0, d = 1;
	bool digits = false, point = false;

	for (const char *p = s; p && *p; p++) {
		if (*p == '.' && !point) {
			point = true;
			continue;
		}
		if (*p < '0' || *p > '9' || (point && d == 10000) || n > 1000000)
			return -EINVAL;
		n = n * 10 + (*p - '0');
		if (point)
			d *= 10;
		digits = true;
	}
	if (!digits || (point && d == 1))
		return -EINVAL;
	/* 1/4 <= n/d <= 4 */
	if (4 * n < d || n > 4 * d)
		return -ERANGE;
	*num = n;
	*den = d;
	return 0;
}

int pm_billing_convert_currency(struct pm_billing *b, int64_t utc_ns, const char *date,
				const char *factor, struct pm_billing_error *e)
{
	struct tariff_error terr;
	struct tariff_date d;
	struct state *work;
	int64_t num, den;
	int r;

	if (parse_date(date, "date", &d, e) < 0)
		return -EINVAL;
	r = pm_billing_parse_factor(factor, &num, &den);
	if (r < 0)
		return fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
			    r == -ERANGE
				? "factor: '%s' is outside 0.25 to 4"
				: "factor: '%s' is not a decimal number (up to 4 decimals)",
			    factor ? factor : "");
	work = begin(b, e, &r);
	if (!work)
		return r;
	if (!work->has_tariff) {
		free(work);
		return fail(e, PM_BILLING_ERR_NOT_CONFIGURED, -ENOTSUP,
			    "meter %s has no tariff: a conversion needs one", b->meter);
	}
	r = future_date(b, work, utc_ns, &d, "date", e);
	if (r >= 0 && tariff_engine_set_currency_conversion(&work->te, &d, num, den, &terr) < 0)
		r = fail(e, PM_BILLING_ERR_INVALID, -EINVAL, "factor: %s", terr.message);
	if (r < 0) {
		free(work);
		return r;
	}
	queue(b, utc_ns, "currency_conversion_set", "on=%s factor=%s", date, factor);
	return commit(b, work, utc_ns, NULL, 0, e);
}

/* The account commands without arguments of their own share this shape. */
enum simple_op { OP_MODE, OP_EC, OP_DISCONNECT, OP_RECONNECT, OP_CONFIRM, OP_ADJUST, OP_DEBT };

static int simple(struct pm_billing *b, int64_t utc_ns, enum simple_op op, int64_t a, int64_t c,
		  const char *field, struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int r;

	work = begin(b, e, &r);
	if (!work)
		return r;
	now_times(b, work, utc_ns, &at);
	switch (op) {
	case OP_MODE:
		r = account_set_mode(&work->acc, &at, (enum account_mode)a, &out);
		break;
	case OP_EC:
		r = account_take_emergency_credit(&work->acc, &at, a != 0, &out);
		break;
	case OP_DISCONNECT:
		r = account_remote_disconnect(&work->acc, &at, &out);
		break;
	case OP_RECONNECT:
		r = account_remote_reconnect(&work->acc, &at, a != 0, &out);
		break;
	case OP_CONFIRM:
		r = account_confirm(&work->acc, &at, &out);
		break;
	case OP_ADJUST:
		r = account_adjust_balance(&work->acc, &at, a, &out);
		break;
	case OP_DEBT:
		r = account_set_debt(&work->acc, &at, a, c, &out);
		break;
	}
	if (r < 0)
		return refused(b, work, r, &out, field, e);
	account_events(b, work, &out);
	return commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_set_mode(struct pm_billing *b, int64_t utc_ns, enum account_mode mode,
			struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_MODE, mode, 0, "mode", e);
}

int pm_billing_take_emergency_credit(struct pm_billing *b, int64_t utc_ns, bool at_meter,
				     struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_EC, at_meter, 0, NULL, e);
}

int pm_billing_disconnect(struct pm_billing *b, int64_t utc_ns, struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_DISCONNECT, 0, 0, NULL, e);
}

int pm_billing_reconnect(struct pm_billing *b, int64_t utc_ns, bool armed,
			 struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_RECONNECT, armed, 0, NULL, e);
}

int pm_billing_confirm(struct pm_billing *b, int64_t utc_ns, struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_CONFIRM, 0, 0, NULL, e);
}

int pm_billing_adjust_balance(struct pm_billing *b, int64_t utc_ns, int64_t delta_mu,
			      struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_ADJUST, delta_mu, 0, "delta", e);
}

int pm_billing_set_debt(struct pm_billing *b, int64_t utc_ns, int64_t time_debt_mu,
			int64_t payment_debt_mu, struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_DEBT, time_debt_mu, payment_debt_mu, "debt", e);
}

void pm_billing_get_config(const struct pm_billing *b, struct account_config *config)
{
	*config = b->st.acc.config;
}

int pm_billing_configure(struct pm_billing *b, int64_t utc_ns, const struct account_config *config,
			 struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int r;

	work = begin(b, e, &r);
	if (!work)
		return r;
	now_times(b, work, utc_ns, &at);
	r = account_configure(&work->acc, &at, config, &out);
	if (r < 0)
		return refused(b, work, r == -EPERM ? -EINVAL : r, &out, "configuration", e);
	account_events(b, work, &out);
	return commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_change_tenancy(struct pm_billing *b, int64_t utc_ns,
			      const struct account_tenancy_change *change,
			      struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int r;

	work = begin(b, e, &r);
	if (!work)
		return r;
	now_times(b, work, utc_ns, &at);
	r = account_change_tenancy(&work->acc, &at, change, &out);
	if (r < 0)
		return refused(b, work, r, &out, NULL, e);
	account_events(b, work, &out);
	return commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_wallet(struct pm_billing *b, int64_t utc_ns, const char *date, int64_t cost_mu,
		      bool final, struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int y, m, d, n = 0, r;

	if (!date || sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || date[n] || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return fail(e, PM_BILLING_ERR_INVALID, -EINVAL, "date: '%s' is not YYYY-MM-DD",
			    date ? date : "");
	work = begin(b, e, &r);
	if (!work)
		return r;
	now_times(b, work, utc_ns, &at);
	r = final ? account_wallet_final(&work->acc, &at, days_from_civil(y, m, d), cost_mu, &out)
		  : account_wallet_post(&work->acc, &at, days_from_civil(y, m, d), cost_mu, &out);
	if (r < 0)
		return refused(b, work, r, &out, "cost", e);
	account_events(b, work, &out);
	return commit(b, work, utc_ns, NULL, 0, e);
}

/* --- life cycle and view ------------------------------------------------------------------ */

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
		snprintf(v->tariff_name, sizeof(v->tariff_name), "%s", st->info.name);
		snprintf(v->currency, sizeof(v->currency), "%s", st->info.currency);
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
		snprintf(v->future_tariff_name, sizeof(v->future_tariff_name), "%s",
			 st->deferred_info.name);
		v->future_tariff_date = st->te.deferred_date;
	}
	v->has_conversion = st->has_tariff && st->te.has_conversion;
	if (v->has_conversion) {
		v->conversion_date = st->te.conversion_date;
		v->conversion_num = st->te.conversion_num;
		v->conversion_den = st->te.conversion_den;
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
	snprintf(out->tariff_name, sizeof(out->tariff_name), "%s", v.tariff_name);
	snprintf(out->currency, sizeof(out->currency), "%s", v.currency);
	out->minor_units = v.minor_units;
	out->price_mu_per_kwh = v.price_mu_per_kwh;
	out->peak_rate = v.peak_rate;
	if (v.has_tariff)
		out->local_date =
		    snapshot_date(v.local_date.year, v.local_date.month, v.local_date.day);
	if (v.has_future_tariff) {
		snprintf(out->future_tariff_name, sizeof(out->future_tariff_name), "%s",
			 v.future_tariff_name);
		out->future_tariff_date =
		    snapshot_date(v.future_tariff_date.year, v.future_tariff_date.month,
				  v.future_tariff_date.day);
	}
	if (v.has_conversion) {
		out->conversion_date = snapshot_date(
		    v.conversion_date.year, v.conversion_date.month, v.conversion_date.day);
		out->conversion = (struct pm_ratio){v.conversion_num, v.conversion_den};
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

void pm_billing_set_hooks(struct pm_billing *b, pm_billing_supply_fn supply,
			  pm_billing_event_fn event, void *userdata)
{
	b->supply_fn = supply;
	b->event_fn = event;
	b->userdata = userdata;
	b->supply_reported = false;
	if (b->running)
		report_supply(b);
	else if (b->unavailable && b->event_fn)
		b->event_fn(b->userdata, b->unavailable_ns, "account_unavailable",
			    b->unavailable_why);
}

/* A new account from the configuration (and its tariff file). */
static int seed(struct pm_billing *b, int64_t utc_ns, char *err, size_t errlen)
{
	struct account_output out;
	struct account_time at;
	struct tariff_time tt;
	struct tariff_error terr;
	struct tariff *t;
	int r;

	memset(&b->st, 0, sizeof(b->st));
	local_times(b, utc_ns / 1000000000, &tt, &at);
	r = account_init(&b->st.acc, &at, &out);
	if (r >= 0)
		r = account_configure(&b->st.acc, &at, &b->cfg.account, &out);
	if (r < 0) {
		snprintf(err, errlen, "meter %s: account: %s", b->meter, out.error);
		return r;
	}
	tariff_engine_init(&b->st.te);
	if (b->cfg.sts) {
		r = sts_meter_init(&b->st.sts, b->cfg.sts_dk, STS_KEN_NO_EXPIRY, STS_BASE_1993, 0);
		if (r < 0) {
			snprintf(err, errlen, "meter %s: STS: bad decoder key", b->meter);
			return r;
		}
		b->st.has_sts = true;
	}
	if (!b->tariff_file[0])
		return 0;
	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	r = pm_tariff_file_load(b->tariff_file, t, &b->st.info, err, errlen);
	if (r >= 0) {
		r = tariff_engine_set_tariff(&b->st.te, t, &tt, &terr);
		if (r < 0)
			snprintf(err, errlen, "%s: %s", b->tariff_file, terr.message);
	}
	free(t);
	if (r < 0)
		return r;
	b->st.has_tariff = true;
	return 0;
}

/* A record of layout 1: the same state without peak rates and the deferred tariff's info. */
static void carry_layout_1(const struct state_v1 *old, struct state *st)
{
	memset(st, 0, sizeof(*st));
	st->acc = old->acc;
	st->te = old->te;
	st->has_tariff = old->has_tariff;
	memcpy(st->info.name, old->info.name, sizeof(old->info.name));
	memcpy(st->info.currency, old->info.currency, sizeof(old->info.currency));
	st->info.minor_units = old->info.minor_units;
	st->have_baseline = old->have_baseline;
	st->billed_import_mwh = old->billed_import_mwh;
	st->billed_export_mwh = old->billed_export_mwh;
	st->has_sts = old->has_sts;
	st->sts = old->sts;
}

/*
 * Reads the stored account into b->st: 0, -ENODATA when the store holds none, else a negative
 * errno with *why saying what failed (b->st is then unchanged). The record is checked as bytes
 * (its bools) before it becomes a struct, and as values before it becomes the state.
 */
static int load_account(struct pm_billing *b, const char **why)
{
	/* one buffer for the record and one for the struct: a layout-1 record is smaller */
	unsigned char *rec = malloc(sizeof(struct state));
	struct state *st = malloc(sizeof(*st));
	uint32_t layout = STATE_LAYOUT;
	size_t len = sizeof(struct state);
	int r = -ENOMEM;

	*why = "out of memory";
	if (!rec || !st)
		goto out;
	r = pm_store_load_account(b->store, b->meter, layout, rec, len);
	if (r == -EBADMSG) {
		layout = 1;
		len = sizeof(struct state_v1);
		r = pm_store_load_account(b->store, b->meter, layout, rec, len);
		if (r == -ENODATA)
			r = -EBADMSG; /* the row went away in between: still not an absent one */
		*why = "a record of an unknown layout or size";
	} else {
		*why = strerror(-r);
	}
	if (r < 0)
		goto out;
	r = pm_billing_record_check_bools(rec, len, layout, why);
	if (r < 0)
		goto out;
	if (layout == 1) {
		struct state_v1 *old = malloc(sizeof(*old));

		r = -ENOMEM;
		if (!old)
			goto out;
		memcpy(old, rec, sizeof(*old));
		carry_layout_1(old, st);
		free(old);
	} else {
		memcpy(st, rec, sizeof(*st));
	}
	r = pm_billing_state_check(st, why);
	if (r < 0)
		goto out;
	b->st = *st;
	if (layout == 1)
		log_info("meter %s: account record of layout 1 read; saved as layout %d", b->meter,
			 STATE_LAYOUT);
out:
	free(rec);
	free(st);
	return r;
}

/* The account is unknown: nothing of it is kept or published until it is read. */
static void set_unavailable(struct pm_billing *b, int64_t utc_ns, const char *why)
{
	b->running = false;
	b->unavailable = true;
	b->unavailable_ns = utc_ns;
	b->retry_ns = utc_ns;
	memset(&b->st, 0, sizeof(b->st));
	snprintf(b->unavailable_why, sizeof(b->unavailable_why), "%s", why);
}

/*
 * Reads the stored account, or seeds and saves a new one when the store holds none. 0: running;
 * -EAGAIN: unknown (set_unavailable, *err says why); another negative errno: the seed failed
 * (a bad tariff file or configuration; *err says why).
 */
static int start_account(struct pm_billing *b, int64_t utc_ns, char *err, size_t errlen)
{
	const char *why = NULL;
	char reason[200];
	int r = load_account(b, &why);

	if (r == 0) {
		b->running = true;
		b->unavailable = false;
		b->saved_ns = utc_ns;
		return 0;
	}
	if (r == -ENODATA) {
		r = seed(b, utc_ns, err, errlen);
		if (r < 0)
			return r;
		r = save(b, &b->st, utc_ns, NULL, 0);
		if (r == 0) {
			b->running = true;
			b->unavailable = false;
			return 0;
		}
		why = strerror(-r);
		snprintf(reason, sizeof(reason), "saving the new account: %s", why);
	} else {
		snprintf(reason, sizeof(reason), "reading the stored account: %s", why);
	}
	set_unavailable(b, utc_ns, reason);
	snprintf(
	    err, errlen,
	    "meter %s: account unavailable (%s): billing stopped, no account values published, "
	    "commands refused, supply lines left as they are; read again every save interval",
	    b->meter, reason);
	return -EAGAIN;
}

/* At most once a save interval while the account is unknown and the store is open. */
static void retry_account(struct pm_billing *b, int64_t utc_ns)
{
	char err[400];

	if (!b->unavailable || !b->store || utc_ns - b->retry_ns < b->cfg.save_interval_ns)
		return;
	b->retry_ns = utc_ns;
	if (start_account(b, utc_ns, err, sizeof(err)) != 0)
		return; /* still unknown (or the seed failed): the next interval tries again */
	log_notice("meter %s: the account is read again; billing runs", b->meter);
	b->n_queued = 0;
	queue(b, utc_ns, "account_available", "%s", "");
	send_events(b);
	b->supply_reported = false;
	report_supply(b);
}

int pm_billing_new(const struct pm_billing_config *cfg, struct pm_store *store, int64_t utc_ns,
		   struct pm_billing **out, char *err, size_t errlen)
{
	struct pm_billing *b = calloc(1, sizeof(*b));
	char path[300];
	int r;

	*out = NULL;
	err[0] = '\0';
	if (!b)
		return -ENOMEM;
	b->cfg = *cfg;
	b->meter = strdup(cfg->meter);
	b->zone = strdup(cfg->time_zone ? cfg->time_zone : "");
	b->tariff_file = strdup(cfg->tariff_file ? cfg->tariff_file : "");
	b->store = store;
	if (!b->meter || !b->zone || !b->tariff_file) {
		pm_billing_free(b);
		return -ENOMEM;
	}
	/* the C library silently falls back to UTC for a zone it does not know */
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", b->zone);
	if (b->zone[0] && (strstr(b->zone, "..") || access(path, R_OK) < 0)) {
		snprintf(err, errlen, "meter %s: time_zone '%s' is not a tzdata zone", b->meter,
			 b->zone);
		pm_billing_free(b);
		return -EINVAL;
	}
	if (store) {
		r = start_account(b, utc_ns, err, errlen);
	} else if (cfg->store_failed) {
		set_unavailable(b, utc_ns, "the store could not be opened");
		snprintf(
		    err, errlen,
		    "meter %s: account unavailable (the store could not be opened): billing "
		    "stopped, no account values published, commands refused, supply lines left "
		    "as they are, until a restart opens the store",
		    b->meter);
		r = -EAGAIN;
	} else {
		/* state_dir = none: an account in memory only, every command refused */
		r = seed(b, utc_ns, err, errlen);
		b->running = r == 0;
	}
	if (r < 0 && r != -EAGAIN) {
		pm_billing_free(b);
		return r;
	}
	*out = b;
	return 0;
}

void pm_billing_free(struct pm_billing *b)
{
	if (!b)
		return;
	free(b->meter);
	free(b->zone);
	free(b->tariff_file);
	free(b);
}
