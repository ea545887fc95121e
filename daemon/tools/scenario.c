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

#include "tools/scenario.h"
#include "core/billing/civil-time.h"
#include "core/billing/iso4217.h"
#include "core/billing/money.h"

#define DEFAULT_STEP_S 900
#define MAX_WORDS (2 * SCN_PATTERN_MAX + 2)

int scn_fail(struct sim *s, const char *fmt, ...)
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

struct account_time scn_account_time_at(const struct sim *s, int64_t utc)
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
int scn_parse_fixed(const char *text, int decimals, int64_t *out)
{
	const struct pm_decimal_rules rules = {
	    .decimals = (unsigned)decimals, .max = INT64_MAX / 100, .minus = true};

	return pm_decimal_parse(text, &rules, out, NULL);
}

/* Money in currency units ("12.34") -> mu, with the tariff file's minor units. */
int scn_parse_money(const struct sim *s, const char *text, int64_t *mu)
{
	return text ? scn_parse_fixed(text, s->info.minor_units + 3, mu) : -EINVAL;
}

/* mu with every decimal of the tariff's mu ("-0.20000"): a mismatch shows to the last digit. */
const char *scn_format_money(const struct sim *s, int64_t mu, char *buf, size_t len)
{
	unsigned decimals = (unsigned)s->info.minor_units + 3;

	pm_decimal_format(mu, decimals, decimals, buf, len);
	return buf;
}

int scn_account_result(struct sim *s, const char *what, int r, const struct account_output *o)
{
	if (r < 0)
		return scn_fail(s, "%s refused: %s", what, o->error ? o->error : "(no message)");
	scn_account_events(s, o);
	return 0;
}

/* Money of the interval [since, at]: a charge accrued over it, as the daemon takes it. */
static int apply_charge(struct sim *s, const struct account_time *at, int64_t since,
			int64_t amount_mu)
{
	struct account_output out;
	int r = amount_mu >= 0 ? account_charge_over(&s->account, at, amount_mu, since, &out)
			       : account_adjust_balance(&s->account, at, -amount_mu, &out);
	return scn_account_result(s, "charge", r, &out);
}

static int64_t pattern_w(const struct scn_pattern *p, int64_t utc)
{
	int32_t sec = (int32_t)(utc % 86400);
	int64_t w = 0;
	for (int i = 0; i < p->n && p->at_s[i] <= sec; i++)
		w = p->w[i];
	return w;
}

/* The next change of the pattern after utc, or INT64_MAX. */
static int64_t pattern_next(const struct scn_pattern *p, int64_t utc)
{
	int64_t day0 = utc / 86400 * 86400;
	for (int i = 0; i < p->n; i++)
		if (day0 + p->at_s[i] > utc)
			return day0 + p->at_s[i];
	return p->n > 1 ? day0 + 86400 + p->at_s[0] : INT64_MAX;
}

/* One interval [s->utc, end): energy, tariff, account. The powers are constant in it. */
/* The schedule is on a rate the tariff file marks "peak": true (the peak load limit applies). */
bool scn_peak_now(const struct sim *s)
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
		return scn_fail(s, "tariff engine: %s", terr.message);
	s->utc = end;
	s->energy_mu += ch.energy_mu;
	s->standing_mu += ch.standing_mu;
	s->levy_mu += ch.levy_mu;
	s->tax_mu += ch.tax_mu;
	s->recon_mu += ch.reconciliation_mu;
	s->export_credit_mu += ch.export_credit_mu;

	struct account_time at = scn_account_time_at(s, end);
	struct account_output out;
	int64_t debt_before = s->account.time_debt_mu;
	if (scn_account_result(s, "tick", account_tick(&s->account, &at, &out), &out) < 0)
		return -1;
	s->debt_paid_mu += debt_before - s->account.time_debt_mu;
	if (apply_charge(s, &at, end - dt, ch.total_mu + ch.export_credit_mu) < 0 ||
	    apply_charge(s, &at, end - dt, -ch.export_credit_mu) < 0)
		return -1;
	scn_tariff_events(s, &ch); /* after the interval's charge, as the daemon */
	closed = account_supply(&s->account).closed;
	int r = account_power_sample(&s->account, &at, closed ? (int32_t)load_w : 0, 0,
				     scn_peak_now(s), &out);
	return scn_account_result(s, "power sample", r, &out);
}

static int run_until(struct sim *s, int64_t target)
{
	if (target < s->utc)
		return scn_fail(s, "run: the time goes backwards");
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
	struct scn_pattern load = s->load, generate = s->generate;
	int64_t up = s->utc + d, skipped;
	struct account_output out;
	int r;

	if (!s->power_down_catch_up) {
		struct account_time at = scn_account_time_at(s, up);
		int64_t standing = tariff_engine_skip_standing(&s->tariff, up);
		char m[2][40];

		r = account_power_up(&s->account, &at, &skipped, &out);
		if (scn_account_result(s, "power up", r, &out) < 0)
			return -1;
		scn_event(s, "power_down_charges", "down_s=%" PRId64 " standing=%s debt=%s", d,
			  scn_format_money(s, standing, m[0], sizeof(m[0])),
			  scn_format_money(s, skipped, m[1], sizeof(m[1])));
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
		return scn_fail(s, "%s", err);
	struct tariff_time now = tariff_time_at(s->utc);
	struct tariff_error terr;
	if (from) {
		struct tariff_date d;
		if (pm_civil_parse_date(from, &d.year, &d.month, &d.day) < 0)
			return scn_fail(s, "future_tariff FILE YYYY-MM-DD: '%s' is not a date",
					from);
		if (tariff_engine_set_deferred(&s->tariff, &t, &d, &terr) < 0)
			return scn_fail(s, "future_tariff: %s", terr.message);
		s->deferred_info = info;
		return 0;
	}
	if (tariff_engine_set_tariff(&s->tariff, &t, &now, &terr) < 0)
		return scn_fail(s, "tariff: %s", terr.message);
	s->info = info;
	return 0;
}

/* convert FACTOR YYYY-MM-DD [CODE]: a currency conversion at 00:00 on the date (§8.11), the
 * factor 0.25..4 with up to 4 decimals, into the ISO 4217 currency CODE (default: the same),
 * amounts into its minor units, as the daemon's ConvertCurrencyTo. */
static int cmd_convert(struct sim *s, char **w, int n)
{
	struct tariff_error terr;
	struct tariff_date d;
	int64_t num;
	int minor = s->info.minor_units;

	if ((n != 3 && n != 4) || scn_parse_fixed(w[1], 4, &num) < 0 ||
	    pm_civil_parse_date(w[2], &d.year, &d.month, &d.day) < 0)
		return scn_fail(s, "convert FACTOR YYYY-MM-DD [CODE]");
	if (n == 4) {
		minor = pm_iso4217_minor_units(w[3]);
		if (minor < 0)
			return scn_fail(s, "convert: '%s' is not an ISO 4217 currency code", w[3]);
	}
	if (tariff_engine_set_currency_conversion(&s->tariff, &d, num, 10000,
						  minor - s->info.minor_units, &terr) < 0)
		return scn_fail(s, "convert: %s", terr.message);
	snprintf(s->conversion_currency, sizeof(s->conversion_currency), "%s",
		 n == 4 ? w[3] : s->info.currency);
	s->conversion_minor_units = minor;
	return 0;
}

static int configure(struct sim *s)
{
	struct account_time at = scn_account_time_at(s, s->utc);
	struct account_output out;
	return scn_account_result(s, "config",
				  account_configure(&s->account, &at, &s->config, &out), &out);
}

static int cmd_config(struct sim *s, const char *key, const char *value)
{
	struct account_config *c = &s->config;
	int64_t v = 0;
	if (!key || !value)
		return scn_fail(s, "config KEY VALUE");
	if (!strcmp(key, "mode")) {
		if (!strcmp(value, "credit"))
			c->mode = ACCOUNT_MODE_CREDIT;
		else if (!strcmp(value, "prepayment"))
			c->mode = ACCOUNT_MODE_PREPAYMENT;
		else if (!strcmp(value, "payg"))
			c->mode = ACCOUNT_MODE_PAYG;
		else
			return scn_fail(s, "mode: credit, prepayment or payg");
		return configure(s);
	}
	if (!strcmp(key, "emergency_credit") && !strcmp(value, "off")) {
		c->ec_enabled = false;
		return configure(s);
	}
	if (!strcmp(key, "load_limit_w") || !strcmp(key, "load_limit_period_s") ||
	    !strcmp(key, "load_limit_peak_w") || !strcmp(key, "debt_payment_percent")) {
		if (scn_parse_fixed(value, 0, &v) < 0 || v < 0 || v > 1000000)
			return scn_fail(s, "%s: a whole number", key);
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
			return scn_fail(s, "power_down_charges: skip or catch_up");
		s->power_down_catch_up = !strcmp(value, "catch_up");
		return 0;
	}
	if (scn_parse_money(s, value, &v) < 0)
		return scn_fail(s, "%s: '%s' is not an amount", key, value);
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
		return scn_fail(s, "unknown config key '%s'", key);
	}
	return configure(s);
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
		return scn_fail(s, "friendly DAY HH:MM HH:MM");
	for (int d = 0; d < 7; d++) {
		if (strcmp(w[1], "every_day") && strcmp(w[1], days[d]))
			continue;
		uint8_t *count = &s->config.friendly_count[d];
		if (*count == ACCOUNT_FRIENDLY_PERIODS_PER_DAY)
			return scn_fail(s, "friendly: at most %d periods a day",
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
static int cmd_power(struct sim *s, struct scn_pattern *p, char **w, int n)
{
	struct scn_pattern next = {0};
	for (int i = 1; i < n; i++) {
		int h = 0, mi = 0;
		char extra;
		if (n > 2 && (sscanf(w[i++], "%2d:%2d%c", &h, &mi, &extra) != 2 || h > 23 ||
			      mi > 59 || i == n))
			return scn_fail(s, "%s: HH:MM WATTS pairs", w[0]);
		int32_t at = h * 3600 + mi * 60;
		if (next.n == SCN_PATTERN_MAX || (next.n == 0 && at != 0) ||
		    (next.n > 0 && at <= next.at_s[next.n - 1]))
			return scn_fail(s, "%s: at most %d points, the first at 00:00, in order",
					w[0], SCN_PATTERN_MAX);
		if (scn_parse_fixed(w[i], 0, &next.w[next.n]) < 0 || next.w[next.n] < 0 ||
		    next.w[next.n] > 1000000)
			return scn_fail(s, "%s: WATTS 0..1000000", w[0]);
		next.at_s[next.n++] = at;
	}
	if (next.n == 0)
		return scn_fail(s, "%s WATTS or %s HH:MM WATTS...", w[0], w[0]);
	*p = next;
	return 0;
}

static int command(struct sim *s, char **w, int n)
{
	struct account_output out;
	const char *c = w[0];

	if (!strcmp(c, "start")) {
		if (s->started || n != 3 || parse_datetime(w[1], w[2], &s->utc) < 0)
			return scn_fail(s, "start YYYY-MM-DD HH:MM, once, first");
		s->started = true;
		struct account_time at = scn_account_time_at(s, s->utc);
		if (account_init(&s->account, &at, &out) < 0)
			return scn_fail(s, "account_init: %s", out.error);
		s->config = s->account.config;
		return 0;
	}
	if (!s->started)
		return scn_fail(s, "the first command must be start");
	struct account_time at = scn_account_time_at(s, s->utc);
	if (!strcmp(c, "tariff") && n == 2)
		return load_tariff(s, w[1], NULL);
	if (!s->tariff.has_tariff)
		return scn_fail(s, "the second command must be tariff");
	if (!strcmp(c, "future_tariff") && n == 3)
		return load_tariff(s, w[1], w[2]);
	if (!strcmp(c, "config"))
		return cmd_config(s, n > 1 ? w[1] : NULL, n > 2 ? w[2] : NULL);
	if (!strcmp(c, "friendly"))
		return cmd_friendly(s, w, n);
	if (!strcmp(c, "step") && n == 2)
		return parse_duration(w[1], &s->step_s) < 0 ? scn_fail(s, "step DURATION") : 0;
	if (!strcmp(c, "load") || !strcmp(c, "generate"))
		return cmd_power(s, c[0] == 'l' ? &s->load : &s->generate, w, n);
	if (!strcmp(c, "run") && n == 2) {
		int64_t d;
		if (parse_duration(w[1], &d) < 0)
			return scn_fail(s, "run DURATION or run YYYY-MM-DD HH:MM");
		return run_until(s, s->utc + d);
	}
	if (!strcmp(c, "run") && n == 3) {
		int64_t t;
		if (parse_datetime(w[1], w[2], &t) < 0)
			return scn_fail(s, "run YYYY-MM-DD HH:MM");
		return run_until(s, t);
	}
	if (!strcmp(c, "power_down") && n == 2) {
		int64_t d;
		if (parse_duration(w[1], &d) < 0)
			return scn_fail(s, "power_down DURATION");
		return power_down(s, d);
	}
	if (!strcmp(c, "topup") && n == 2) {
		int64_t v;
		if (scn_parse_money(s, w[1], &v) < 0)
			return scn_fail(s, "topup AMOUNT");
		return scn_account_result(
		    s, "topup", account_topup(&s->account, &at, v, ACCOUNT_PAYMENT_LOCAL, &out),
		    &out);
	}
	if (!strcmp(c, "debt") && n == 3) {
		int64_t t, p;
		if (scn_parse_money(s, w[1], &t) < 0 || scn_parse_money(s, w[2], &p) < 0)
			return scn_fail(s, "debt TIME_DEBT PAYMENT_DEBT");
		return scn_account_result(s, "debt", account_set_debt(&s->account, &at, t, p, &out),
					  &out);
	}
	if (!strcmp(c, "take_ec") && n == 1)
		return scn_account_result(
		    s, "take_ec", account_take_emergency_credit(&s->account, &at, true, &out),
		    &out);
	if (!strcmp(c, "confirm") && n == 1)
		return scn_account_result(s, "confirm", account_confirm(&s->account, &at, &out),
					  &out);
	if (!strcmp(c, "disconnect") && n == 1)
		return scn_account_result(s, "disconnect",
					  account_remote_disconnect(&s->account, &at, &out), &out);
	if (!strcmp(c, "reconnect") && (n == 1 || (n == 2 && !strcmp(w[1], "armed"))))
		return scn_account_result(
		    s, "reconnect", account_remote_reconnect(&s->account, &at, n == 2, &out), &out);
	if (!strcmp(c, "convert"))
		return cmd_convert(s, w, n);
	if (!strcmp(c, "sts_key"))
		return scn_sts_key(s, w, n);
	if (!strcmp(c, "token"))
		return scn_token(s, w, n);
	if (!strcmp(c, "expect"))
		return scn_expect(s, w, n);
	return scn_fail(s, "unknown command '%s' (or wrong number of words)", c);
}

static int run_file(struct sim *s, const char *file)
{
	FILE *f = fopen(file, "re");
	if (!f)
		return scn_fail(s, "%s: %s", file, strerror(errno));
	char buf[SCN_LINE_MAX + 2];
	int r = 0;
	while (r == 0 && fgets(buf, sizeof(buf), f)) {
		s->line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			r = scn_fail(s, "line too long");
			break;
		}
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		char *w[MAX_WORDS];
		int n = 0;
		for (char *tok = strtok(buf, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
			if (n == MAX_WORDS) {
				r = scn_fail(s, "too many words");
				break;
			}
			w[n++] = tok;
		}
		if (r == 0 && n > 0)
			r = command(s, w, n);
	}
	fclose(f);
	if (r == 0 && s->checks == 0)
		r = scn_fail(s, "the scenario expects nothing");
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
