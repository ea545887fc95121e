// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scenario runner: drives the pure tariff and account engines through a simulated clock
 * from a small text file (docs/scenario.md) and checks the registers the file expects.
 *
 *   scenario FILE.scn...   prints one "PASS name" or "FAIL name: why" line per file and
 *                          "N passed, N failed"; exits 1 if any failed.
 *
 * The runner is the adapter a daemon would be, minus I/O: it converts its clock to the engines'
 * local time (the runner's local time is UTC: no time zone, no DST), integrates a constant
 * power into energy exactly (mW·s carried between intervals), ends every interval at a switch
 * point or midnight as tariff.h asks, and hands the tariff engine's money to the account engine.
 * While the contactor is open the customer draws and exports nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/billing/account.h"
#include "core/billing/civil-time.h"
#include "core/billing/money.h"
#include "meter/tariff-file.h"
#include "core/billing/tariff.h"

#define LINE_MAX_LEN 512
#define DEFAULT_STEP_S 900
#define PATTERN_MAX 24
#define MAX_WORDS (2 * PATTERN_MAX + 2)

/* A power that repeats every day: pattern[i].w from pattern[i].at_s (local) to the next. */
struct pattern {
	int n;
	int32_t at_s[PATTERN_MAX];
	int64_t w[PATTERN_MAX];
};

struct sim {
	const char *file;
	int line;
	char why[LINE_MAX_LEN + 256];

	bool started;
	int64_t utc;
	struct tariff_engine tariff;
	struct pm_tariff_file_info info;
	struct pm_tariff_file_info deferred_info; /* of the future tariff, until it activates */
	struct account account;
	struct account_config config;

	struct pattern load, generate;
	bool power_down_catch_up; /* config power_down_charges catch_up */
	int64_t step_s;
	int64_t import_carry_mws, export_carry_mws; /* energy below 1 mWh, in mW·s */

	/* Totals since the start, in mu (what the expected values are checked against). */
	int64_t energy_mu, standing_mu, levy_mu, tax_mu, recon_mu, export_credit_mu;
	int64_t debt_paid_mu;
	int64_t unserved_s; /* seconds with load while the supply was open */
	unsigned checks;
};

static int fail(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(s->why, sizeof(s->why), "line %d: ", s->line);
	va_start(ap, fmt);
	vsnprintf(s->why + n, sizeof(s->why) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The runner's local time is UTC, from 1970 on (parse_datetime): days never round down. */
static struct tariff_time tariff_time_at(int64_t utc)
{
	struct tariff_time t = {.utc_s = utc};
	int64_t days = utc / 86400, year;

	pm_civil_date_from_days(days, &year, &t.month, &t.day);
	t.year = (int)year;
	t.weekday = pm_civil_weekday(days);
	t.seconds = (int32_t)(utc % 86400);
	return t;
}

static struct account_time account_time_at(const struct sim *s, int64_t utc)
{
	struct account_time t = {
	    .utc = utc,
	    .local_day = (int32_t)(utc / 86400),
	    .weekday = (uint8_t)(pm_civil_weekday(utc / 86400) - 1), /* 0 = Monday */
	    .second_of_day = (uint32_t)(utc % 86400),
	    .friendly_day = s->tariff.has_tariff && s->tariff.friendly_day,
	};
	return t;
}

/* "YYYY-MM-DD HH:MM" (two words) -> UTC seconds. */
static int parse_datetime(const char *date, const char *hm, int64_t *utc)
{
	int y, mo, d, h, mi;
	char extra;
	if (!date || !hm || pm_civil_parse_date(date, &y, &mo, &d) < 0 ||
	    sscanf(hm, "%2d:%2d%c", &h, &mi, &extra) != 2)
		return -EINVAL;
	if (y < 1970 || h < 0 || h > 23 || mi < 0 || mi > 59)
		return -EINVAL;
	*utc = pm_civil_days_from_date(y, mo, d) * 86400 + h * 3600 + mi * 60;
	return 0;
}

/* "90s", "15m", "2h", "3d", "1w" -> seconds. */
static int parse_duration(const char *text, int64_t *s)
{
	char *end;
	errno = 0;
	long long n = strtoll(text, &end, 10);
	if (errno || end == text || n <= 0 || n > 100000 || end[0] == '\0' || end[1] != '\0')
		return -EINVAL;
	static const struct {
		char unit;
		int64_t s;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].unit == *end) {
			*s = n * units[i].s;
			return 0;
		}
	return -EINVAL;
}

/* A signed decimal with at most `decimals` decimals, scaled by 10^decimals, exactly. */
static int parse_fixed(const char *text, int decimals, int64_t *out)
{
	const struct pm_decimal_rules rules = {
	    .decimals = (unsigned)decimals, .max = INT64_MAX / 100, .minus = true};

	return pm_decimal_parse(text, &rules, out, NULL);
}

/* Money in currency units ("12.34") -> mu, with the tariff file's minor units. */
static int parse_money(const struct sim *s, const char *text, int64_t *mu)
{
	return text ? parse_fixed(text, s->info.minor_units + 3, mu) : -EINVAL;
}

/* mu with every decimal of the tariff's mu ("-0.20000"): a mismatch shows to the last digit. */
static void format_money(const struct sim *s, int64_t mu, char *buf, size_t len)
{
	unsigned decimals = (unsigned)s->info.minor_units + 3;

	pm_decimal_format(mu, decimals, decimals, buf, len);
}

static int account_result(struct sim *s, const char *what, int r, const struct account_output *o)
{
	if (r < 0)
		return fail(s, "%s refused: %s", what, o->error ? o->error : "(no message)");
	return 0;
}

/* Money of the interval [since, at]: a charge accrued over it, as the daemon takes it. */
static int apply_charge(struct sim *s, const struct account_time *at, int64_t since,
			int64_t amount_mu)
{
	struct account_output out;
	int r = amount_mu >= 0 ? account_charge_over(&s->account, at, amount_mu, since, &out)
			       : account_adjust_balance(&s->account, at, -amount_mu, &out);
	return account_result(s, "charge", r, &out);
}

static int64_t pattern_w(const struct pattern *p, int64_t utc)
{
	int32_t sec = (int32_t)(utc % 86400);
	int64_t w = 0;
	for (int i = 0; i < p->n && p->at_s[i] <= sec; i++)
		w = p->w[i];
	return w;
}

/* The next change of the pattern after utc, or INT64_MAX. */
static int64_t pattern_next(const struct pattern *p, int64_t utc)
{
	int64_t day0 = utc / 86400 * 86400;
	for (int i = 0; i < p->n; i++)
		if (day0 + p->at_s[i] > utc)
			return day0 + p->at_s[i];
	return p->n > 1 ? day0 + 86400 + p->at_s[0] : INT64_MAX;
}

/* One interval [s->utc, end): energy, tariff, account. The powers are constant in it. */
/* The schedule is on a rate the tariff file marks "peak": true (the peak load limit applies). */
static bool peak_now(const struct sim *s)
{
	return (s->info.peak_rates >> s->tariff.rate) & 1u;
}

static int advance_to(struct sim *s, int64_t end)
{
	int64_t dt = end - s->utc;
	int64_t load_w = pattern_w(&s->load, s->utc), export_w = pattern_w(&s->generate, s->utc);
	bool closed = account_supply(&s->account).closed;
	int64_t imp = 0, exp = 0;
	if (closed) {
		s->import_carry_mws += load_w * 1000 * dt;
		s->export_carry_mws += export_w * 1000 * dt;
		imp = s->import_carry_mws / 3600;
		exp = s->export_carry_mws / 3600;
		s->import_carry_mws %= 3600;
		s->export_carry_mws %= 3600;
	} else if (load_w > 0) {
		s->unserved_s += dt;
	}

	struct tariff_time tt = tariff_time_at(end);
	struct tariff_charge ch;
	struct tariff_error terr;
	if (tariff_engine_account(&s->tariff, &tt, imp, exp, &ch, &terr) < 0)
		return fail(s, "tariff engine: %s", terr.message);
	s->utc = end;
	s->energy_mu += ch.energy_mu;
	s->standing_mu += ch.standing_mu;
	s->levy_mu += ch.levy_mu;
	s->tax_mu += ch.tax_mu;
	s->recon_mu += ch.reconciliation_mu;
	s->export_credit_mu += ch.export_credit_mu;

	struct account_time at = account_time_at(s, end);
	struct account_output out;
	int64_t debt_before = s->account.time_debt_mu;
	if (account_result(s, "tick", account_tick(&s->account, &at, &out), &out) < 0)
		return -1;
	s->debt_paid_mu += debt_before - s->account.time_debt_mu;
	if (apply_charge(s, &at, end - dt, ch.total_mu + ch.export_credit_mu) < 0 ||
	    apply_charge(s, &at, end - dt, -ch.export_credit_mu) < 0)
		return -1;
	if (ch.events & TARIFF_EVENT_TARIFF_ACTIVATED)
		s->info = s->deferred_info; /* its peak rates with it, as the daemon */
	closed = account_supply(&s->account).closed;
	int r =
	    account_power_sample(&s->account, &at, closed ? (int32_t)load_w : 0, peak_now(s), &out);
	return account_result(s, "power sample", r, &out);
}

static int run_until(struct sim *s, int64_t target)
{
	if (target < s->utc)
		return fail(s, "run: the time goes backwards");
	while (s->utc < target) {
		int64_t day0 = s->utc / 86400 * 86400;
		int64_t end = day0 + tariff_engine_next_switch(&s->tariff);
		if (end > s->utc + s->step_s)
			end = s->utc + s->step_s;
		if (end > pattern_next(&s->load, s->utc))
			end = pattern_next(&s->load, s->utc);
		if (end > pattern_next(&s->generate, s->utc))
			end = pattern_next(&s->generate, s->utc);
		if (end > target)
			end = target;
		if (advance_to(s, end) < 0)
			return -1;
	}
	return 0;
}

/*
 * The meter is off for @d seconds: nothing is drawn or exported, and at power-up the standing
 * charge and debt instalments that fell due meanwhile are passed over (§8.9) or, with
 * power_down_charges catch_up, collected, as the daemon does after a power-down.
 */
static int power_down(struct sim *s, int64_t d)
{
	struct pattern load = s->load, generate = s->generate;
	int64_t up = s->utc + d, skipped;
	struct account_output out;
	int r;

	if (!s->power_down_catch_up) {
		struct account_time at = account_time_at(s, up);

		tariff_engine_skip_standing(&s->tariff, up);
		r = account_power_up(&s->account, &at, &skipped, &out);
		if (account_result(s, "power up", r, &out) < 0)
			return -1;
	}
	/* the switch points and midnights in between still close their (empty) intervals */
	memset(&s->load, 0, sizeof(s->load));
	memset(&s->generate, 0, sizeof(s->generate));
	r = run_until(s, up);
	s->load = load;
	s->generate = generate;
	return r;
}

/* A tariff file, path relative to the scenario file; on activation from `from` (a date), else
 * at once. */
static int load_tariff(struct sim *s, const char *name, const char *from)
{
	char path[1024], err[512];
	const char *slash = strrchr(s->file, '/');
	int dir = slash ? (int)(slash - s->file + 1) : 0;
	snprintf(path, sizeof(path), "%.*s%s", dir, s->file, name);
	struct tariff t;
	struct pm_tariff_file_info info;
	if (pm_tariff_file_load(path, &t, &info, err, sizeof(err)) < 0)
		return fail(s, "%s", err);
	struct tariff_time now = tariff_time_at(s->utc);
	struct tariff_error terr;
	if (from) {
		struct tariff_date d;
		if (pm_civil_parse_date(from, &d.year, &d.month, &d.day) < 0)
			return fail(s, "future_tariff FILE YYYY-MM-DD: '%s' is not a date", from);
		if (tariff_engine_set_deferred(&s->tariff, &t, &d, &terr) < 0)
			return fail(s, "future_tariff: %s", terr.message);
		s->deferred_info = info;
		return 0;
	}
	if (tariff_engine_set_tariff(&s->tariff, &t, &now, &terr) < 0)
		return fail(s, "tariff: %s", terr.message);
	s->info = info;
	return 0;
}

static int configure(struct sim *s)
{
	struct account_time at = account_time_at(s, s->utc);
	struct account_output out;
	return account_result(s, "config", account_configure(&s->account, &at, &s->config, &out),
			      &out);
}

static int cmd_config(struct sim *s, const char *key, const char *value)
{
	struct account_config *c = &s->config;
	int64_t v = 0;
	if (!key || !value)
		return fail(s, "config KEY VALUE");
	if (!strcmp(key, "mode")) {
		if (!strcmp(value, "credit"))
			c->mode = ACCOUNT_MODE_CREDIT;
		else if (!strcmp(value, "prepayment"))
			c->mode = ACCOUNT_MODE_PREPAYMENT;
		else if (!strcmp(value, "payg"))
			c->mode = ACCOUNT_MODE_PAYG;
		else
			return fail(s, "mode: credit, prepayment or payg");
		return configure(s);
	}
	if (!strcmp(key, "emergency_credit") && !strcmp(value, "off")) {
		c->ec_enabled = false;
		return configure(s);
	}
	if (!strcmp(key, "load_limit_w") || !strcmp(key, "load_limit_period_s") ||
	    !strcmp(key, "load_limit_peak_w") || !strcmp(key, "debt_payment_percent")) {
		if (parse_fixed(value, 0, &v) < 0 || v < 0 || v > 1000000)
			return fail(s, "%s: a whole number", key);
		if (!strcmp(key, "load_limit_w"))
			c->load_limit_w = (uint32_t)v;
		else if (!strcmp(key, "load_limit_period_s"))
			c->load_limit_period_s = (uint32_t)v;
		else if (!strcmp(key, "load_limit_peak_w"))
			c->load_limit_peak_w = (uint32_t)v;
		else
			c->payment_debt_pct = (uint8_t)(v > 255 ? 255 : v);
		return configure(s);
	}
	if (!strcmp(key, "confirm_reconnect")) {
		c->credit_reconnect_needs_confirmation = !strcmp(value, "yes");
		return configure(s);
	}
	if (!strcmp(key, "power_down_charges")) {
		if (strcmp(value, "skip") && strcmp(value, "catch_up"))
			return fail(s, "power_down_charges: skip or catch_up");
		s->power_down_catch_up = !strcmp(value, "catch_up");
		return 0;
	}
	if (parse_money(s, value, &v) < 0)
		return fail(s, "%s: '%s' is not an amount", key, value);
	if (!strcmp(key, "emergency_credit")) {
		c->ec_enabled = true;
		c->ec_value_mu = v;
	} else if (!strcmp(key, "emergency_threshold")) {
		c->ec_threshold_mu = v;
	} else if (!strcmp(key, "low_credit")) {
		c->low_credit_threshold_mu = v;
	} else if (!strcmp(key, "debt_weekly")) {
		c->debt_weekly_rate_mu = v;
	} else if (!strcmp(key, "payg_debt_limit")) {
		c->payg_debt_limit_mu = v;
	} else if (!strcmp(key, "max_balance")) {
		c->max_balance_mu = v;
	} else {
		return fail(s, "unknown config key '%s'", key);
	}
	return configure(s);
}

/* expect NAME [ARG] VALUE */
static int cmd_expect(struct sim *s, char **w, int n)
{
	if (n < 3)
		return fail(s, "expect NAME VALUE");
	const char *name = w[1], *value = w[n - 1];
	struct account_registers regs;
	account_read_registers(&s->account, s->utc, &regs);
	struct account_supply sup = account_supply(&s->account);
	s->checks++;

	/* Energy registers, kWh with up to 6 decimals (1 mWh). */
	if (!strcmp(name, "import") || !strcmp(name, "export")) {
		int64_t want, got = 0;
		const int64_t *reg = name[0] == 'i' ? s->tariff.import_mwh : s->tariff.export_mwh;
		if (parse_fixed(value, 6, &want) < 0)
			return fail(s, "expect %s: '%s' is not kWh", name, value);
		if (n == 4) {
			int64_t r;
			if (parse_fixed(w[2], 0, &r) < 0 || r < 1 || r > TARIFF_MAX_RATES)
				return fail(s, "expect %s RATE KWH: rate 1..8", name);
			got = reg[r - 1];
		} else {
			for (int r = 0; r < TARIFF_MAX_RATES; r++)
				got += reg[r];
		}
		if (got != want)
			return fail(s, "expect %s%s%s: %" PRId64 " mWh, got %" PRId64 " mWh", name,
				    n == 4 ? " " : "", n == 4 ? w[2] : "", want, got);
		return 0;
	}
	/* The payment log: "expect payment N AMOUNT", N = 1 the newest (§8.3). */
	if (!strcmp(name, "payment")) {
		struct account_payment pay;
		int64_t i, want;
		if (n != 4 || parse_fixed(w[2], 0, &i) < 0 || i < 1 || i > ACCOUNT_PAYMENT_LOG_LEN)
			return fail(s, "expect payment N AMOUNT: N 1..%d", ACCOUNT_PAYMENT_LOG_LEN);
		if (parse_money(s, value, &want) < 0)
			return fail(s, "expect payment: '%s' is not an amount", value);
		if (!account_payment_at(&s->account, (unsigned)(i - 1), &pay))
			return fail(s, "expect payment %s: the log holds fewer payments", w[2]);
		if (pay.value_mu != want)
			return fail(s, "expect payment %s %s, got %" PRId64 " mu", w[2], value,
				    pay.value_mu);
		return 0;
	}
	/* Small integers and states. */
	static const char *const ec_names[] = {"none", "available", "in_use", "exhausted"};
	const char *state = NULL;
	int64_t got_int = -1;
	if (!strcmp(name, "supply"))
		state = sup.closed ? "closed" : "open";
	else if (!strcmp(name, "reason"))
		state = account_reason_name(sup.reason);
	else if (!strcmp(name, "aux"))
		state = s->tariff.aux_relay ? "closed" : "open";
	else if (!strcmp(name, "friendly_day"))
		state = s->tariff.friendly_day ? "yes" : "no";
	else if (!strcmp(name, "peak"))
		state = peak_now(s) ? "yes" : "no";
	else if (!strcmp(name, "ec"))
		state = ec_names[regs.ec_state];
	else if (!strcmp(name, "rate"))
		got_int = s->tariff.rate + 1;
	else if (!strcmp(name, "block"))
		got_int = s->tariff.block + 1;
	else if (!strcmp(name, "payments"))
		got_int = regs.payment_count;
	else if (!strcmp(name, "unserved_s"))
		got_int = s->unserved_s;
	if (state) {
		if (strcmp(state, value))
			return fail(s, "expect %s %s, got %s", name, value, state);
		return 0;
	}
	if (got_int >= 0) {
		int64_t want;
		if (parse_fixed(value, 0, &want) < 0 || want != got_int)
			return fail(s, "expect %s %s, got %" PRId64, name, value, got_int);
		return 0;
	}
	/* Money. */
	static const struct {
		const char *name;
		size_t off_sim, off_regs; /* one of them, the other SIZE_MAX */
	} money[] = {
	    {"balance", SIZE_MAX, offsetof(struct account_registers, balance_mu)},
	    {"available", SIZE_MAX, offsetof(struct account_registers, available_credit_mu)},
	    {"ec_remaining", SIZE_MAX, offsetof(struct account_registers, ec_remaining_mu)},
	    {"debt_to_clear", SIZE_MAX, offsetof(struct account_registers, debt_to_clear_mu)},
	    {"time_debt", SIZE_MAX, offsetof(struct account_registers, time_debt_mu)},
	    {"payment_debt", SIZE_MAX, offsetof(struct account_registers, payment_debt_mu)},
	    {"total_credit", SIZE_MAX, offsetof(struct account_registers, total_credit_mu)},
	    {"cost_today", SIZE_MAX, offsetof(struct account_registers, cost_today_mu)},
	    {"energy_cost", offsetof(struct sim, energy_mu), SIZE_MAX},
	    {"standing", offsetof(struct sim, standing_mu), SIZE_MAX},
	    {"levy", offsetof(struct sim, levy_mu), SIZE_MAX},
	    {"tax", offsetof(struct sim, tax_mu), SIZE_MAX},
	    {"reconciliation", offsetof(struct sim, recon_mu), SIZE_MAX},
	    {"export_credit", offsetof(struct sim, export_credit_mu), SIZE_MAX},
	    {"debt_paid", offsetof(struct sim, debt_paid_mu), SIZE_MAX},
	};
	for (size_t i = 0; i < sizeof(money) / sizeof(money[0]); i++) {
		if (strcmp(money[i].name, name))
			continue;
		int64_t want, got;
		if (money[i].off_sim != SIZE_MAX)
			memcpy(&got, (const char *)s + money[i].off_sim, sizeof(got));
		else
			memcpy(&got, (const char *)&regs + money[i].off_regs, sizeof(got));
		if (parse_money(s, value, &want) < 0)
			return fail(s, "expect %s: '%s' is not an amount", name, value);
		if (got != want) {
			char g[40];
			format_money(s, got, g, sizeof(g));
			return fail(s, "expect %s %s, got %s", name, value, g);
		}
		return 0;
	}
	return fail(s, "expect: unknown register '%s'", name);
}

/* friendly DAY HH:MM HH:MM: a friendly period on a weekday (monday..sunday or every_day);
 * the end may be 24:00. */
static int cmd_friendly(struct sim *s, char **w, int n)
{
	static const char *const days[7] = {"monday", "tuesday",  "wednesday", "thursday",
					    "friday", "saturday", "sunday"};
	int h0, m0, h1, m1;
	char extra;
	if (n != 4 || sscanf(w[2], "%2d:%2d%c", &h0, &m0, &extra) != 2 ||
	    sscanf(w[3], "%2d:%2d%c", &h1, &m1, &extra) != 2)
		return fail(s, "friendly DAY HH:MM HH:MM");
	for (int d = 0; d < 7; d++) {
		if (strcmp(w[1], "every_day") && strcmp(w[1], days[d]))
			continue;
		uint8_t *count = &s->config.friendly_count[d];
		if (*count == ACCOUNT_FRIENDLY_PERIODS_PER_DAY)
			return fail(s, "friendly: at most %d periods a day",
				    ACCOUNT_FRIENDLY_PERIODS_PER_DAY);
		s->config.friendly[d][*count] = (struct account_friendly_period){
		    .start_s = (uint32_t)(h0 * 3600 + m0 * 60),
		    .end_s = (uint32_t)(h1 * 3600 + m1 * 60),
		};
		(*count)++;
	}
	return configure(s);
}

/* load WATTS, or load HH:MM WATTS HH:MM WATTS ... (a daily pattern from 00:00) */
static int cmd_power(struct sim *s, struct pattern *p, char **w, int n)
{
	struct pattern next = {0};
	for (int i = 1; i < n; i++) {
		int h = 0, mi = 0;
		char extra;
		if (n > 2 && (sscanf(w[i++], "%2d:%2d%c", &h, &mi, &extra) != 2 || h > 23 ||
			      mi > 59 || i == n))
			return fail(s, "%s: HH:MM WATTS pairs", w[0]);
		int32_t at = h * 3600 + mi * 60;
		if (next.n == PATTERN_MAX || (next.n == 0 && at != 0) ||
		    (next.n > 0 && at <= next.at_s[next.n - 1]))
			return fail(s, "%s: at most %d points, the first at 00:00, in order", w[0],
				    PATTERN_MAX);
		if (parse_fixed(w[i], 0, &next.w[next.n]) < 0 || next.w[next.n] < 0 ||
		    next.w[next.n] > 1000000)
			return fail(s, "%s: WATTS 0..1000000", w[0]);
		next.at_s[next.n++] = at;
	}
	if (next.n == 0)
		return fail(s, "%s WATTS or %s HH:MM WATTS...", w[0], w[0]);
	*p = next;
	return 0;
}

static int command(struct sim *s, char **w, int n)
{
	struct account_output out;
	const char *c = w[0];

	if (!strcmp(c, "start")) {
		if (s->started || n != 3 || parse_datetime(w[1], w[2], &s->utc) < 0)
			return fail(s, "start YYYY-MM-DD HH:MM, once, first");
		s->started = true;
		struct account_time at = account_time_at(s, s->utc);
		if (account_init(&s->account, &at, &out) < 0)
			return fail(s, "account_init: %s", out.error);
		s->config = s->account.config;
		return 0;
	}
	if (!s->started)
		return fail(s, "the first command must be start");
	struct account_time at = account_time_at(s, s->utc);
	if (!strcmp(c, "tariff") && n == 2)
		return load_tariff(s, w[1], NULL);
	if (!s->tariff.has_tariff)
		return fail(s, "the second command must be tariff");
	if (!strcmp(c, "future_tariff") && n == 3)
		return load_tariff(s, w[1], w[2]);
	if (!strcmp(c, "config"))
		return cmd_config(s, n > 1 ? w[1] : NULL, n > 2 ? w[2] : NULL);
	if (!strcmp(c, "friendly"))
		return cmd_friendly(s, w, n);
	if (!strcmp(c, "step") && n == 2)
		return parse_duration(w[1], &s->step_s) < 0 ? fail(s, "step DURATION") : 0;
	if (!strcmp(c, "load") || !strcmp(c, "generate"))
		return cmd_power(s, c[0] == 'l' ? &s->load : &s->generate, w, n);
	if (!strcmp(c, "run") && n == 2) {
		int64_t d;
		if (parse_duration(w[1], &d) < 0)
			return fail(s, "run DURATION or run YYYY-MM-DD HH:MM");
		return run_until(s, s->utc + d);
	}
	if (!strcmp(c, "run") && n == 3) {
		int64_t t;
		if (parse_datetime(w[1], w[2], &t) < 0)
			return fail(s, "run YYYY-MM-DD HH:MM");
		return run_until(s, t);
	}
	if (!strcmp(c, "power_down") && n == 2) {
		int64_t d;
		if (parse_duration(w[1], &d) < 0)
			return fail(s, "power_down DURATION");
		return power_down(s, d);
	}
	if (!strcmp(c, "topup") && n == 2) {
		int64_t v;
		if (parse_money(s, w[1], &v) < 0)
			return fail(s, "topup AMOUNT");
		return account_result(
		    s, "topup", account_topup(&s->account, &at, v, ACCOUNT_PAYMENT_LOCAL, &out),
		    &out);
	}
	if (!strcmp(c, "debt") && n == 3) {
		int64_t t, p;
		if (parse_money(s, w[1], &t) < 0 || parse_money(s, w[2], &p) < 0)
			return fail(s, "debt TIME_DEBT PAYMENT_DEBT");
		return account_result(s, "debt", account_set_debt(&s->account, &at, t, p, &out),
				      &out);
	}
	if (!strcmp(c, "take_ec") && n == 1)
		return account_result(s, "take_ec",
				      account_take_emergency_credit(&s->account, &at, true, &out),
				      &out);
	if (!strcmp(c, "confirm") && n == 1)
		return account_result(s, "confirm", account_confirm(&s->account, &at, &out), &out);
	if (!strcmp(c, "disconnect") && n == 1)
		return account_result(s, "disconnect",
				      account_remote_disconnect(&s->account, &at, &out), &out);
	if (!strcmp(c, "reconnect") && (n == 1 || (n == 2 && !strcmp(w[1], "armed"))))
		return account_result(
		    s, "reconnect", account_remote_reconnect(&s->account, &at, n == 2, &out), &out);
	if (!strcmp(c, "expect"))
		return cmd_expect(s, w, n);
	return fail(s, "unknown command '%s' (or wrong number of words)", c);
}

static int run_file(struct sim *s, const char *file)
{
	FILE *f = fopen(file, "re");
	if (!f)
		return fail(s, "%s: %s", file, strerror(errno));
	char buf[LINE_MAX_LEN + 2];
	int r = 0;
	while (r == 0 && fgets(buf, sizeof(buf), f)) {
		s->line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			r = fail(s, "line too long");
			break;
		}
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		char *w[MAX_WORDS];
		int n = 0;
		for (char *tok = strtok(buf, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
			if (n == MAX_WORDS) {
				r = fail(s, "too many words");
				break;
			}
			w[n++] = tok;
		}
		if (r == 0 && n > 0)
			r = command(s, w, n);
	}
	fclose(f);
	if (r == 0 && s->checks == 0)
		r = fail(s, "the scenario expects nothing");
	return r;
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE.scn...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		static struct sim s; /* large: the engines hold whole tariffs */
		memset(&s, 0, sizeof(s));
		s.file = argv[i];
		s.step_s = DEFAULT_STEP_S;
		tariff_engine_init(&s.tariff);
		if (run_file(&s, argv[i]) == 0) {
			printf("PASS %s (%u checks)\n", argv[i], s.checks);
			passed++;
		} else {
			printf("FAIL %s: %s\n", argv[i], s.why);
			failed++;
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
