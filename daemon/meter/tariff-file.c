// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tariff file parser (see tariff-file.h; the format is docs/tariff-file.md).
 *
 * jansson splits the text into JSON values; everything else is ours: each section is checked
 * for unknown keys, every value for its type and range, and decimal strings are turned into
 * the engine's integers with integer arithmetic only. The struct is built in a private copy
 * and handed out only once tariff_validate() has accepted it.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/tariff-file.h"
#include "core/billing/civil-time.h"
#include "core/billing/money.h"

#define PATH_LEN 192
#define PROFILE_NAME_MAX 31
#define QUOTE_LEN 48 /* a value quoted in a message: 40 bytes (43 for UTF-8), "...", NUL */

/* 1e6 mWh = 1 kWh: energy strings have at most 6 decimals. */
#define KWH_DECIMALS 6
/* 10000 bp = 100 %: percentages have at most 2 decimals. */
#define PERCENT_DECIMALS 2
/* 1 mu = 1/1000 of the minor unit: money has at most minor_units + 3 decimals. */
#define MU_DECIMALS 3
#define MAX_MINOR_UNITS 4

struct ctx {
	const char *file;
	char *err;
	size_t errlen;
	struct tariff t;
	struct pm_tariff_file_info info;
	unsigned money_decimals; /* minor_units + 3: 1 currency unit = 10^money_decimals mu */
	char profile_names[TARIFF_MAX_DAY_PROFILES][PROFILE_NAME_MAX + 1];
};

static const char *const weekday_names[7] = {"monday", "tuesday",  "wednesday", "thursday",
					     "friday", "saturday", "sunday"};

__attribute__((format(printf, 3, 4))) static int fail(struct ctx *c, const char *path,
						      const char *format, ...)
{
	char message[320];
	va_list args;

	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	if (c->err && c->errlen > 0)
		snprintf(c->err, c->errlen, "%s: %s%s%s", c->file, path, *path ? ": " : "",
			 message);
	return -EINVAL;
}

/* A string from the file made safe for a message: about 40 bytes, control characters '?'. */
static const char *quote(char buf[QUOTE_LEN], const char *s)
{
	size_t n = 0;

	for (size_t i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i >= 40 && (ch & 0xc0) != 0x80) { /* never cut a UTF-8 sequence */
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		buf[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	buf[n] = '\0';
	return buf;
}

static void path_key(char buf[PATH_LEN], const char *parent, const char *key)
{
	char q[QUOTE_LEN];

	if (snprintf(buf, PATH_LEN, "%s%s%s", parent, *parent ? "." : "", quote(q, key)) >=
	    PATH_LEN)
		strcpy(buf + PATH_LEN - 4, "..."); /* a path too deep for a message: say so */
}

static void path_index(char buf[PATH_LEN], const char *parent, size_t index)
{
	if (snprintf(buf, PATH_LEN, "%s[%zu]", parent, index) >= PATH_LEN)
		strcpy(buf + PATH_LEN - 4, "...");
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

static int need_object(struct ctx *c, const char *path, const json_t *v)
{
	if (!json_is_object(v))
		return fail(c, path, "must be an object { ... }, not %s", type_name(v));
	return 0;
}

static int need_array(struct ctx *c, const char *path, const json_t *v)
{
	if (!json_is_array(v))
		return fail(c, path, "must be an array [ ... ], not %s", type_name(v));
	return 0;
}

static int need_string(struct ctx *c, const char *path, const json_t *v)
{
	if (!json_is_string(v))
		return fail(c, path, "must be a string, not %s", type_name(v));
	return 0;
}

static int get_bool(struct ctx *c, const char *path, const json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return fail(c, path, "must be true or false, not %s", type_name(v));
	*out = json_is_true(v);
	return 0;
}

static int get_int(struct ctx *c, const char *path, const json_t *v, json_int_t min, json_int_t max,
		   json_int_t *out)
{
	if (!json_is_integer(v))
		return fail(c, path, "must be a whole number, not %s", type_name(v));
	*out = json_integer_value(v);
	if (*out < min || *out > max)
		return fail(c, path, "%lld is not in %lld..%lld", (long long)*out, (long long)min,
			    (long long)max);
	return 0;
}

/* A rate reference "rate": 2 (numbered from 1 in the file) as the engine's index 1. */
static int get_rate(struct ctx *c, const char *path, const json_t *v, unsigned n_rates,
		    const char *what, uint8_t *out)
{
	json_int_t rate;

	if (!json_is_integer(v))
		return fail(c, path, "must be %s number (1..%u), not %s", what, n_rates,
			    type_name(v));
	rate = json_integer_value(v);
	if (rate < 1 || rate > (json_int_t)n_rates)
		return fail(c, path, "%lld is not %s of this tariff (%ss 1..%u)", (long long)rate,
			    what, strchr(what, ' ') + 1, n_rates);
	*out = (uint8_t)(rate - 1);
	return 0;
}

/* Fails on any key of obj not in `allowed` (NULL-terminated). */
static int check_keys(struct ctx *c, const char *path, json_t *obj, const char *const allowed[])
{
	const char *key;
	json_t *value;

	json_object_foreach(obj, key, value)
	{
		char p[PATH_LEN], known[256] = "";
		size_t used = 0;
		bool found = false;

		(void)value;
		for (size_t i = 0; allowed[i] && !found; i++)
			found = strcmp(key, allowed[i]) == 0;
		if (found)
			continue;
		for (size_t i = 0; allowed[i]; i++) {
			int n = snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
					 allowed[i]);
			if (n < 0 || (size_t)n >= sizeof(known) - used)
				break;
			used += (size_t)n;
		}
		path_key(p, path, key);
		return fail(c, p, "unknown key (known here: %s)", known);
	}
	return 0;
}

/* The member `key` of obj into *v; a missing required one is an error. */
static int member(struct ctx *c, const char *path, json_t *obj, const char *key, bool required,
		  json_t **v, char child[PATH_LEN])
{
	path_key(child, path, key);
	*v = json_object_get(obj, key);
	if (!*v && required)
		return fail(c, child, "missing (required)");
	return 0;
}

/* ---------------------------------------------------------------- decimal strings */

struct decimal_kind {
	unsigned decimals;
	const char *unit;    /* after a value in messages: "GBP", "kWh", "%" */
	const char *example; /* a valid string for the "must be a string" message */
};

static int get_decimal(struct ctx *c, const char *path, const json_t *v,
		       const struct decimal_kind *kind, int64_t max, const char *per, int64_t *out)
{
	char q[QUOTE_LEN], limit[48], finest[48];
	struct pm_decimal_rules rules;
	enum pm_decimal_refusal why;
	const char *s;

	if (!json_is_string(v)) {
		if (json_is_number(v))
			return fail(c, path,
				    "must be a decimal string such as \"%s\": JSON numbers are "
				    "binary floating point, amounts are kept exactly",
				    kind->example);
		return fail(c, path, "must be a decimal string such as \"%s\", not %s",
			    kind->example, type_name(v));
	}
	s = json_string_value(v);
	/* amounts in a tariff are never negative; "0.50" may be written "0.500000" */
	rules =
	    (struct pm_decimal_rules){.decimals = kind->decimals, .max = max, .zeros_past = true};
	if (pm_decimal_parse(s, &rules, out, &why) == 0)
		return 0;
	switch (why) {
	case PM_DECIMAL_SYNTAX:
		return fail(c, path,
			    "'%s' is not a decimal number (digits, optionally '.' and more digits, "
			    "such as \"%s\")",
			    quote(q, s), kind->example);
	case PM_DECIMAL_NEGATIVE:
		return fail(c, path, "'%s' is negative: it must be 0 or more", quote(q, s));
	case PM_DECIMAL_TOO_FINE:
		pm_decimal_format(1, kind->decimals, 0, finest, sizeof(finest));
		return fail(c, path,
			    "'%s' has too many decimals: the finest step is %s %s (%u decimals)",
			    quote(q, s), finest, kind->unit, kind->decimals);
	case PM_DECIMAL_TOO_BIG:
		pm_decimal_format(max, kind->decimals, 0, limit, sizeof(limit));
		return fail(c, path, "'%s' is above the limit of %s %s%s", quote(q, s), limit,
			    kind->unit, per);
	}
	return -EINVAL;
}

static int get_money(struct ctx *c, const char *path, const json_t *v, int64_t max_mu,
		     const char *per, int64_t *mu)
{
	const struct decimal_kind kind = {c->money_decimals, c->info.currency, "0.1523"};

	return get_decimal(c, path, v, &kind, max_mu, per, mu);
}

static int get_kwh(struct ctx *c, const char *path, const json_t *v, int64_t max_mwh, int64_t *mwh)
{
	static const struct decimal_kind kind = {KWH_DECIMALS, "kWh", "250.5"};

	return get_decimal(c, path, v, &kind, max_mwh, "", mwh);
}

static int get_percent(struct ctx *c, const char *path, const json_t *v, uint32_t *bp)
{
	static const struct decimal_kind kind = {PERCENT_DECIMALS, "%", "20"};
	int64_t value;
	int r = get_decimal(c, path, v, &kind, 10000, "", &value);

	if (r == 0)
		*bp = (uint32_t)value;
	return r;
}

/* ---------------------------------------------------------------- times, dates, names */

static bool two_digits(const char *s, int *value)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*value = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

static int get_time_of_day(struct ctx *c, const char *path, const json_t *v, int32_t *seconds)
{
	char q[QUOTE_LEN];
	int h, m, s = 0;
	const char *text;
	size_t len;

	if (need_string(c, path, v))
		return -EINVAL;
	text = json_string_value(v);
	len = strlen(text);
	if ((len != 5 && len != 8) || !two_digits(text, &h) || text[2] != ':' ||
	    !two_digits(text + 3, &m) ||
	    (len == 8 && (text[5] != ':' || !two_digits(text + 6, &s))) || h > 23 || m > 59 ||
	    s > 59)
		return fail(c, path,
			    "'%s' is not a time of day (HH:MM or HH:MM:SS, 00:00..23:59:59)",
			    quote(q, text));
	*seconds = h * 3600 + m * 60 + s;
	return 0;
}

enum date_form { DATE_FULL = 1, DATE_YEARLY = 2 };

/* "YYYY-MM-DD" (DATE_FULL, year 1970..9999) or "MM-DD" (DATE_YEARLY, year 0). */
static int get_date(struct ctx *c, const char *path, const json_t *v, unsigned forms,
		    struct tariff_date *date)
{
	static const char *const expected[4] = {"", "YYYY-MM-DD", "MM-DD",
						"YYYY-MM-DD, or MM-DD for every year"};
	char q[QUOTE_LEN];
	const char *text;
	size_t len;
	int year = 0, month, day;
	bool ok = false;

	if (need_string(c, path, v))
		return -EINVAL;
	text = json_string_value(v);
	len = strlen(text);
	if (len == 10 && (forms & DATE_FULL)) {
		ok = pm_civil_parse_date(text, &year, &month, &day) == 0;
		if (ok && year < 1970)
			return fail(c, path, "'%s' is before 1970", quote(q, text));
	} else if (len == 5 && (forms & DATE_YEARLY) && two_digits(text, &month) &&
		   text[2] == '-' && two_digits(text + 3, &day)) {
		/* a yearly date may be 29 February: a leap year decides */
		ok = pm_civil_date_is_valid(2000, month, day);
	}
	if (!ok)
		return fail(c, path, "'%s' is not a date (%s)", quote(q, text), expected[forms]);
	*date = (struct tariff_date){year, month, day};
	return 0;
}

static int get_label(struct ctx *c, const char *path, const json_t *v, char *out, size_t size)
{
	if (need_string(c, path, v))
		return -EINVAL;
	if (strlen(json_string_value(v)) >= size)
		return fail(c, path, "longer than %zu bytes", size - 1);
	if (out)
		memcpy(out, json_string_value(v), strlen(json_string_value(v)) + 1);
	return 0;
}

/* ---------------------------------------------------------------- rates and prices */

/*
 * A set of numbered rates {"1": {...}, "2": {...}}: keys "1".."8", numbered without gaps,
 * each an object. Returns the count in *n.
 */
static int count_rates(struct ctx *c, const char *path, json_t *rates, unsigned *n)
{
	const char *key;
	json_t *value;
	char p[PATH_LEN], q[QUOTE_LEN];
	bool present[TARIFF_MAX_RATES] = {false};

	if (need_object(c, path, rates))
		return -EINVAL;
	*n = 0;
	json_object_foreach(rates, key, value)
	{
		path_key(p, path, key);
		if (strlen(key) != 1 || key[0] < '1' || key[0] > '0' + TARIFF_MAX_RATES)
			return fail(c, p,
				    "'%s' is not a rate number: rates are numbered \"1\" to \"%d\"",
				    quote(q, key), TARIFF_MAX_RATES);
		if (need_object(c, p, value))
			return -EINVAL;
		present[key[0] - '1'] = true;
		(*n)++;
	}
	if (*n == 0)
		return fail(c, path, "no rate: give at least rate \"1\"");
	for (unsigned r = 0; r < *n; r++)
		if (!present[r])
			return fail(c, path,
				    "rate \"%u\" is missing: rates are numbered 1..%u without gaps",
				    r + 1, *n);
	return 0;
}

static json_t *rate_object(json_t *rates, unsigned index, char key[2])
{
	key[0] = (char)('1' + index);
	key[1] = '\0';
	return json_object_get(rates, key);
}

static int parse_import_rates(struct ctx *c, json_t *rates)
{
	static const char *const keys[] = {"name", "price_per_kwh", "peak", NULL};
	const unsigned n_blocks = c->t.blocks.n_blocks;

	for (unsigned r = 0; r < c->t.n_rates; r++) {
		char key[2], p[PATH_LEN], pp[PATH_LEN];
		json_t *rate = rate_object(rates, r, key), *v;
		bool peak = false;

		path_key(p, "rates", key);
		if (check_keys(c, p, rate, keys) || member(c, p, rate, "name", false, &v, pp) ||
		    (v && get_label(c, pp, v, NULL, 64)) ||
		    member(c, p, rate, "peak", false, &v, pp))
			return -EINVAL;
		/* a peak rate: the account's lower load limit (load_limit_peak_w) applies */
		if (v && get_bool(c, pp, v, &peak))
			return -EINVAL;
		if (v && peak)
			c->info.peak_rates |= (uint8_t)(1u << r);
		if (member(c, p, rate, "price_per_kwh", true, &v, pp))
			return -EINVAL;
		if (json_is_array(v)) {
			if (json_array_size(v) != n_blocks)
				return fail(
				    c, pp,
				    "%zu prices for %u blocks (give one price per block, or "
				    "one string for every block)",
				    json_array_size(v), n_blocks);
			for (unsigned b = 0; b < n_blocks; b++) {
				char pb[PATH_LEN];

				path_index(pb, pp, b);
				if (get_money(c, pb, json_array_get(v, b),
					      TARIFF_MAX_PRICE_MU_PER_KWH, " per kWh",
					      &c->t.price_mu_per_kwh[r][b]))
					return -EINVAL;
			}
		} else {
			if (get_money(c, pp, v, TARIFF_MAX_PRICE_MU_PER_KWH, " per kWh",
				      &c->t.price_mu_per_kwh[r][0]))
				return -EINVAL;
			for (unsigned b = 1; b < n_blocks; b++)
				c->t.price_mu_per_kwh[r][b] = c->t.price_mu_per_kwh[r][0];
		}
	}
	return 0;
}

static int parse_export(struct ctx *c, json_t *root)
{
	static const char *const keys[] = {"mode", "rates", "proportion_percent", NULL};
	static const char *const rate_keys[] = {"name", "price_per_kwh", NULL};
	static const char *const modes[] = {[TARIFF_EXPORT_NEUTRAL] = "neutral",
					    [TARIFF_EXPORT_DEDUCT] = "deduct",
					    [TARIFF_EXPORT_CREDIT] = "credit",
					    [TARIFF_EXPORT_PROPORTIONAL] = "proportional"};
	struct tariff_export *exp = &c->t.export_pricing;
	char p[PATH_LEN], q[QUOTE_LEN];
	json_t *section, *v, *rates;
	bool priced;
	int mode = -1;

	c->t.n_export_rates = 1;
	exp->mode = TARIFF_EXPORT_NEUTRAL;
	if (member(c, "", root, "export", false, &section, p))
		return -EINVAL;
	if (!section)
		return 0;
	if (need_object(c, "export", section) || check_keys(c, "export", section, keys) ||
	    member(c, "export", section, "mode", true, &v, p) || need_string(c, p, v))
		return -EINVAL;
	for (int i = 0; i < 4; i++)
		if (strcmp(json_string_value(v), modes[i]) == 0)
			mode = i;
	if (mode < 0)
		return fail(c, p, "'%s' is not neutral, deduct, credit or proportional",
			    quote(q, json_string_value(v)));
	exp->mode = (enum tariff_export_mode)mode;
	priced = exp->mode == TARIFF_EXPORT_DEDUCT || exp->mode == TARIFF_EXPORT_CREDIT;

	if (member(c, "export", section, "proportion_percent", false, &v, p))
		return -EINVAL;
	if (exp->mode == TARIFF_EXPORT_PROPORTIONAL) {
		if (!v)
			return fail(c, p, "missing: mode 'proportional' needs it");
		if (get_percent(c, p, v, &exp->proportion_bp))
			return -EINVAL;
	} else if (v) {
		return fail(c, p, "only for mode 'proportional', not '%s'", modes[exp->mode]);
	}

	if (member(c, "export", section, "rates", false, &rates, p))
		return -EINVAL;
	if (!rates && priced)
		return fail(c, p, "missing: mode '%s' needs the price of every export rate",
			    modes[exp->mode]);
	if (!rates)
		return 0;
	if (count_rates(c, "export.rates", rates, &c->t.n_export_rates))
		return -EINVAL;
	for (unsigned r = 0; r < c->t.n_export_rates; r++) {
		char key[2], pr[PATH_LEN];
		json_t *rate = rate_object(rates, r, key);

		path_key(pr, "export.rates", key);
		if (check_keys(c, pr, rate, rate_keys) ||
		    member(c, pr, rate, "name", false, &v, p) ||
		    (v && get_label(c, p, v, NULL, 64)) ||
		    member(c, pr, rate, "price_per_kwh", priced, &v, p))
			return -EINVAL;
		if (v && !priced)
			return fail(c, p,
				    "has no effect in mode '%s' (only deduct and credit use export "
				    "prices)",
				    modes[exp->mode]);
		if (v && get_money(c, p, v, TARIFF_MAX_PRICE_MU_PER_KWH, " per kWh",
				   &exp->price_mu_per_kwh[r]))
			return -EINVAL;
	}
	return 0;
}

static int parse_blocks(struct ctx *c, json_t *root)
{
	static const char *const keys[] = {"thresholds_kwh", "basis", "basis_rate",
					   "daily_resolved", NULL};
	struct tariff_blocks *blocks = &c->t.blocks;
	char p[PATH_LEN], q[QUOTE_LEN];
	json_t *section, *v;
	size_t n;

	blocks->n_blocks = 1;
	blocks->basis = TARIFF_BLOCK_ON_TOTAL_IMPORT;
	if (member(c, "", root, "blocks", false, &section, p))
		return -EINVAL;
	if (!section)
		return 0;
	if (need_object(c, "blocks", section) || check_keys(c, "blocks", section, keys) ||
	    member(c, "blocks", section, "thresholds_kwh", true, &v, p) || need_array(c, p, v))
		return -EINVAL;
	n = json_array_size(v);
	if (n < 1 || n > TARIFF_MAX_BLOCKS - 1)
		return fail(c, p,
			    "%zu thresholds: give 1..%d (leave out \"blocks\" for a tariff without "
			    "blocks)",
			    n, TARIFF_MAX_BLOCKS - 1);
	for (size_t i = 0; i < n; i++) {
		char pi[PATH_LEN];
		json_t *threshold = json_array_get(v, i);

		path_index(pi, p, i);
		if (get_kwh(c, pi, threshold, TARIFF_MAX_THRESHOLD_MWH, &blocks->threshold_mwh[i]))
			return -EINVAL;
		if (blocks->threshold_mwh[i] == 0)
			return fail(c, pi, "'%s' must be above 0 kWh",
				    quote(q, json_string_value(threshold)));
		if (i > 0 && blocks->threshold_mwh[i] <= blocks->threshold_mwh[i - 1]) {
			char previous[QUOTE_LEN];

			return fail(c, pi, "'%s' is not above the previous threshold '%s'",
				    quote(q, json_string_value(threshold)),
				    quote(previous, json_string_value(json_array_get(v, i - 1))));
		}
	}
	blocks->n_blocks = (unsigned)n + 1;

	if (member(c, "blocks", section, "basis", false, &v, p))
		return -EINVAL;
	if (v) {
		if (need_string(c, p, v))
			return -EINVAL;
		if (strcmp(json_string_value(v), "rate") == 0)
			blocks->basis = TARIFF_BLOCK_ON_RATE;
		else if (strcmp(json_string_value(v), "total") != 0)
			return fail(c, p, "'%s' is not \"total\" or \"rate\"",
				    quote(q, json_string_value(v)));
	}
	if (member(c, "blocks", section, "basis_rate", blocks->basis == TARIFF_BLOCK_ON_RATE, &v,
		   p))
		return -EINVAL;
	if (v && blocks->basis != TARIFF_BLOCK_ON_RATE)
		return fail(c, p, "only with \"basis\": \"rate\"");
	if (v && get_rate(c, p, v, c->t.n_rates, "a rate", &blocks->basis_rate))
		return -EINVAL;

	if (member(c, "blocks", section, "daily_resolved", false, &v, p) ||
	    (v && get_bool(c, p, v, &blocks->daily_resolved)))
		return -EINVAL;
	if (blocks->daily_resolved && blocks->basis != TARIFF_BLOCK_ON_TOTAL_IMPORT)
		return fail(c, p, "needs \"basis\": \"total\"");
	return 0;
}

/* ---------------------------------------------------------------- the calendar */

static int parse_switch(struct ctx *c, const char *path, json_t *sw, unsigned index,
			struct tariff_day_profile *profile)
{
	static const char *const keys[] = {"at", "rate", "export_rate", "aux_relay", NULL};
	struct tariff_switch *s = &profile->switches[index];
	char p[PATH_LEN];
	json_t *v;

	if (need_object(c, path, sw) || check_keys(c, path, sw, keys) ||
	    member(c, path, sw, "at", true, &v, p) || get_time_of_day(c, p, v, &s->start_s))
		return -EINVAL;
	if (index == 0 && s->start_s != 0)
		return fail(c, p,
			    "'%s': the first switch point must be at 00:00, so that every second "
			    "of the day has a rate",
			    json_string_value(v));
	if (index > 0 && s->start_s <= profile->switches[index - 1].start_s)
		return fail(c, p, "'%s' is not after the previous switch point",
			    json_string_value(v));
	if (member(c, path, sw, "rate", true, &v, p) ||
	    get_rate(c, p, v, c->t.n_rates, "a rate", &s->rate))
		return -EINVAL;
	if (member(c, path, sw, "export_rate", false, &v, p) ||
	    (v && get_rate(c, p, v, c->t.n_export_rates, "an export rate", &s->export_rate)))
		return -EINVAL;
	if (member(c, path, sw, "aux_relay", false, &v, p) ||
	    (v && get_bool(c, p, v, &s->aux_relay)))
		return -EINVAL;
	return 0;
}

static bool valid_profile_name(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > PROFILE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static int parse_day_profiles(struct ctx *c, json_t *root)
{
	char p[PATH_LEN], q[QUOTE_LEN];
	json_t *section, *switches;
	const char *name;
	unsigned n = 0;

	if (member(c, "", root, "day_profiles", true, &section, p) || need_object(c, p, section))
		return -EINVAL;
	if (json_object_size(section) < 1 || json_object_size(section) > TARIFF_MAX_DAY_PROFILES)
		return fail(c, p, "%zu day profiles: give 1..%d", json_object_size(section),
			    TARIFF_MAX_DAY_PROFILES);
	json_object_foreach(section, name, switches)
	{
		struct tariff_day_profile *profile = &c->t.day_profiles[n];
		char pp[PATH_LEN];
		size_t count;

		path_key(pp, "day_profiles", name);
		if (!valid_profile_name(name))
			return fail(c, pp,
				    "'%s' is not a day profile name (1..%d letters, digits, '_' or "
				    "'-')",
				    quote(q, name), PROFILE_NAME_MAX);
		if (need_array(c, pp, switches))
			return -EINVAL;
		count = json_array_size(switches);
		if (count < 1 || count > TARIFF_MAX_SWITCHES)
			return fail(c, pp, "%zu switch points: give 1..%d, the first at 00:00",
				    count, TARIFF_MAX_SWITCHES);
		for (unsigned i = 0; i < count; i++) {
			char ps[PATH_LEN];

			path_index(ps, pp, i);
			if (parse_switch(c, ps, json_array_get(switches, i), i, profile))
				return -EINVAL;
		}
		profile->n_switches = (unsigned)count;
		memcpy(c->profile_names[n], name, strlen(name) + 1);
		n++;
	}
	c->t.n_day_profiles = n;
	return 0;
}

static int find_profile(struct ctx *c, const char *path, const json_t *v, uint8_t *index)
{
	char q[QUOTE_LEN], names[200] = "";
	size_t used = 0;

	if (need_string(c, path, v))
		return -EINVAL;
	for (unsigned i = 0; i < c->t.n_day_profiles; i++) {
		if (strcmp(c->profile_names[i], json_string_value(v)) == 0) {
			*index = (uint8_t)i;
			return 0;
		}
	}
	for (unsigned i = 0; i < c->t.n_day_profiles; i++) {
		int n = snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
				 c->profile_names[i]);
		if (n < 0 || (size_t)n >= sizeof(names) - used)
			break;
		used += (size_t)n;
	}
	return fail(c, path, "no day profile named '%s' (day profiles: %s)",
		    quote(q, json_string_value(v)), names);
}

/*
 * "days": {"weekdays": "work", "weekend": "rest", "friday": "friday"}: a single day wins over
 * "weekdays"/"weekend", which win over "every_day".
 */
static int parse_season_days(struct ctx *c, const char *path, json_t *days,
			     struct tariff_season *season)
{
	static const char *const keys[] = {"every_day", "weekdays",  "weekend",	 "monday",
					   "tuesday",	"wednesday", "thursday", "friday",
					   "saturday",	"sunday",    NULL};
	int level[7] = {0};
	const char *key;
	json_t *v;

	if (need_object(c, path, days) || check_keys(c, path, days, keys))
		return -EINVAL;
	json_object_foreach(days, key, v)
	{
		char p[PATH_LEN];
		uint8_t profile = 0;
		int first = 0, last = 6, specificity = 1;

		path_key(p, path, key);
		if (find_profile(c, p, v, &profile))
			return -EINVAL;
		if (strcmp(key, "weekdays") == 0) {
			last = 4;
			specificity = 2;
		} else if (strcmp(key, "weekend") == 0) {
			first = 5;
			specificity = 2;
		} else if (strcmp(key, "every_day") != 0) {
			for (int w = 0; w < 7; w++)
				if (strcmp(key, weekday_names[w]) == 0)
					first = last = w;
			specificity = 3;
		}
		for (int w = first; w <= last; w++) {
			if (level[w] < specificity) {
				level[w] = specificity;
				season->day_profile[w] = profile;
			}
		}
	}
	for (int w = 0; w < 7; w++)
		if (level[w] == 0)
			return fail(
			    c, path, "no day profile for %s (give \"%s\", \"%s\" or \"every_day\")",
			    weekday_names[w], weekday_names[w], w < 5 ? "weekdays" : "weekend");
	return 0;
}

/*
 * The engine's validator refuses these too, but in its own terms ("season[1].start"); checked
 * here so that the message names the file's field.
 */
static int check_season_start(struct ctx *c, const char *season_path, size_t index,
			      const struct tariff_date *start)
{
	char p[PATH_LEN];

	path_key(p, season_path, "start");
	if (start->month == 2 && start->day == 29)
		return fail(c, p,
			    "'02-29' is not a date of every year: a season starts every year");
	for (size_t j = 0; j < index; j++)
		if (c->t.seasons[j].start_month == start->month &&
		    c->t.seasons[j].start_day == start->day)
			return fail(c, p, "'%02d-%02d' is also the start of seasons[%zu]",
				    start->month, start->day, j);
	return 0;
}

static int parse_seasons(struct ctx *c, json_t *root)
{
	static const char *const keys[] = {"name", "start", "days", NULL};
	char p[PATH_LEN];
	json_t *section;
	size_t n;

	if (member(c, "", root, "seasons", true, &section, p) || need_array(c, p, section))
		return -EINVAL;
	n = json_array_size(section);
	if (n < 1 || n > TARIFF_MAX_SEASONS)
		return fail(c, p, "%zu seasons: give 1..%d", n, TARIFF_MAX_SEASONS);
	for (size_t i = 0; i < n; i++) {
		struct tariff_season *season = &c->t.seasons[i];
		json_t *obj = json_array_get(section, i), *v;
		struct tariff_date start = {0, 1, 1};
		char ps[PATH_LEN], pv[PATH_LEN];

		path_index(ps, "seasons", i);
		if (need_object(c, ps, obj) || check_keys(c, ps, obj, keys) ||
		    member(c, ps, obj, "name", false, &v, pv) ||
		    (v && get_label(c, pv, v, NULL, 64)) ||
		    member(c, ps, obj, "start", n > 1, &v, pv) ||
		    (v && get_date(c, pv, v, DATE_YEARLY, &start)) ||
		    check_season_start(c, ps, i, &start) ||
		    member(c, ps, obj, "days", true, &v, pv) || parse_season_days(c, pv, v, season))
			return -EINVAL;
		season->start_month = start.month;
		season->start_day = start.day;
	}
	c->t.n_seasons = (unsigned)n;
	return 0;
}

/* As check_season_start(): the engine would name "special_day[i].date". */
static int check_special_date(struct ctx *c, const char *date_path, size_t index)
{
	const struct tariff_date *d = &c->t.special_days[index].date;

	for (size_t j = 0; j < index; j++) {
		const struct tariff_date *other = &c->t.special_days[j].date;

		if (other->year == d->year && other->month == d->month && other->day == d->day)
			return fail(c, date_path, "the same date as special_days[%zu]", j);
	}
	return 0;
}

static int parse_special_days(struct ctx *c, json_t *root)
{
	static const char *const keys[] = {"date", "name", "rate", "aux_relay", "friendly", NULL};
	char p[PATH_LEN];
	json_t *section;
	size_t n;

	if (member(c, "", root, "special_days", false, &section, p))
		return -EINVAL;
	if (!section)
		return 0;
	if (need_array(c, p, section))
		return -EINVAL;
	n = json_array_size(section);
	if (n > TARIFF_MAX_SPECIAL_DAYS)
		return fail(c, p, "%zu special days: at most %d", n, TARIFF_MAX_SPECIAL_DAYS);
	for (size_t i = 0; i < n; i++) {
		struct tariff_special_day *special = &c->t.special_days[i];
		json_t *obj = json_array_get(section, i), *v;
		char ps[PATH_LEN], pv[PATH_LEN];
		bool friendly = false;

		path_index(ps, "special_days", i);
		if (need_object(c, ps, obj) || check_keys(c, ps, obj, keys) ||
		    member(c, ps, obj, "date", true, &v, pv) ||
		    get_date(c, pv, v, DATE_FULL | DATE_YEARLY, &special->date) ||
		    check_special_date(c, pv, i) || member(c, ps, obj, "name", false, &v, pv) ||
		    (v && get_label(c, pv, v, NULL, 64)))
			return -EINVAL;
		if (member(c, ps, obj, "rate", false, &v, pv))
			return -EINVAL;
		if (v) {
			if (get_rate(c, pv, v, c->t.n_rates, "a rate", &special->rate))
				return -EINVAL;
			special->flags |= TARIFF_SPECIAL_PIN_RATE;
		}
		if (member(c, ps, obj, "aux_relay", false, &v, pv))
			return -EINVAL;
		if (v) {
			if (get_bool(c, pv, v, &special->aux_relay))
				return -EINVAL;
			special->flags |= TARIFF_SPECIAL_PIN_AUX;
		}
		if (member(c, ps, obj, "friendly", false, &v, pv) ||
		    (v && get_bool(c, pv, v, &friendly)))
			return -EINVAL;
		if (friendly)
			special->flags |= TARIFF_SPECIAL_FRIENDLY;
		if (special->flags == 0)
			return fail(
			    c, ps,
			    "changes nothing: give \"rate\", \"aux_relay\" or \"friendly\": "
			    "true");
	}
	c->t.n_special_days = (unsigned)n;
	return 0;
}

/* ---------------------------------------------------------------- period and charges */

static int parse_billing_period(struct ctx *c, json_t *root)
{
	static const char *const keys[] = {"days", "months", "start", NULL};
	struct tariff_billing_period *period = &c->t.period;
	char p[PATH_LEN], pv[PATH_LEN], q[QUOTE_LEN];
	json_t *section, *days, *months, *v;
	json_int_t length;

	if (member(c, "", root, "billing_period", true, &section, p) ||
	    need_object(c, p, section) || check_keys(c, p, section, keys))
		return -EINVAL;
	days = json_object_get(section, "days");
	months = json_object_get(section, "months");
	if ((days == NULL) == (months == NULL))
		return fail(c, p, "give either \"days\" (1..115) or \"months\" (1..12)");
	if (days) {
		path_key(pv, p, "days");
		if (get_int(c, pv, days, 1, 115, &length))
			return -EINVAL;
		period->unit = TARIFF_PERIOD_DAYS;
	} else {
		path_key(pv, p, "months");
		if (get_int(c, pv, months, 1, 12, &length))
			return -EINVAL;
		period->unit = TARIFF_PERIOD_MONTHS;
	}
	period->length = (int)length;
	if (member(c, p, section, "start", true, &v, pv) ||
	    get_date(c, pv, v, DATE_FULL, &period->start))
		return -EINVAL;
	if (period->start.day > 28)
		return fail(c, pv,
			    "'%s': a billing period starts on day 1..28 (every month has it)",
			    quote(q, json_string_value(v)));
	return 0;
}

static int parse_standing_charge(struct ctx *c, json_t *root)
{
	static const char *const keys[] = {"per_day", "per_week", NULL};
	struct tariff_standing_charge *standing = &c->t.standing;
	char p[PATH_LEN], pv[PATH_LEN];
	json_t *section, *per_day, *per_week;

	standing->unit = TARIFF_STANDING_PER_WEEK;
	if (member(c, "", root, "standing_charge", false, &section, p))
		return -EINVAL;
	if (!section)
		return 0;
	if (need_object(c, p, section) || check_keys(c, p, section, keys))
		return -EINVAL;
	per_day = json_object_get(section, "per_day");
	per_week = json_object_get(section, "per_week");
	if ((per_day == NULL) == (per_week == NULL))
		return fail(c, p, "give either \"per_day\" or \"per_week\"");
	if (per_day) {
		path_key(pv, p, "per_day");
		standing->unit = TARIFF_STANDING_PER_DAY;
		return get_money(c, pv, per_day, TARIFF_MAX_STANDING_MU / 7, " per day",
				 &standing->amount_mu);
	}
	path_key(pv, p, "per_week");
	return get_money(c, pv, per_week, TARIFF_MAX_STANDING_MU, " per week",
			 &standing->amount_mu);
}

static int parse_levy(struct ctx *c, json_t *root)
{
	static const char *const keys[] = {"price_per_kwh", "de_minimis_kwh_per_day",
					   "reduced_tax_percent", "standard_tax_percent", NULL};
	struct tariff_levy *levy = &c->t.levy;
	char p[PATH_LEN], pv[PATH_LEN];
	json_t *section, *v;

	if (member(c, "", root, "levy", false, &section, p))
		return -EINVAL;
	if (!section)
		return 0;
	if (need_object(c, p, section) || check_keys(c, p, section, keys) ||
	    member(c, p, section, "price_per_kwh", false, &v, pv) ||
	    (v && get_money(c, pv, v, TARIFF_MAX_PRICE_MU_PER_KWH, " per kWh",
			    &levy->levy_mu_per_kwh)) ||
	    member(c, p, section, "de_minimis_kwh_per_day", false, &v, pv) ||
	    (v && get_kwh(c, pv, v, TARIFF_MAX_THRESHOLD_MWH, &levy->de_minimis_mwh_per_day)) ||
	    member(c, p, section, "reduced_tax_percent", false, &v, pv) ||
	    (v && get_percent(c, pv, v, &levy->reduced_tax_bp)) ||
	    member(c, p, section, "standard_tax_percent", false, &v, pv) ||
	    (v && get_percent(c, pv, v, &levy->standard_tax_bp)))
		return -EINVAL;
	return 0;
}

/* ---------------------------------------------------------------- the document */

static int parse_currency(struct ctx *c, json_t *root)
{
	static const char *const keys[] = {"code", "minor_units", NULL};
	char p[PATH_LEN], pv[PATH_LEN], q[QUOTE_LEN];
	json_t *section, *v;
	json_int_t minor;
	const char *code;

	if (member(c, "", root, "currency", true, &section, p) || need_object(c, p, section) ||
	    check_keys(c, p, section, keys) || member(c, p, section, "code", true, &v, pv) ||
	    need_string(c, pv, v))
		return -EINVAL;
	code = json_string_value(v);
	if (strlen(code) != 3 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' ||
	    code[2] < 'A' || code[2] > 'Z')
		return fail(c, pv, "'%s' is not an ISO 4217 code (three capital letters, e.g. GBP)",
			    quote(q, code));
	memcpy(c->info.currency, code, 4);
	if (member(c, p, section, "minor_units", true, &v, pv) ||
	    get_int(c, pv, v, 0, MAX_MINOR_UNITS, &minor))
		return -EINVAL;
	c->info.minor_units = (int)minor;
	c->money_decimals = (unsigned)minor + MU_DECIMALS;
	return 0;
}

static int parse_document(struct ctx *c, json_t *root)
{
	static const char *const keys[] = {"version",	     "name",
					   "description",    "currency",
					   "rates",	     "blocks",
					   "export",	     "day_profiles",
					   "seasons",	     "special_days",
					   "billing_period", "standing_charge",
					   "levy",	     NULL};
	char p[PATH_LEN];
	json_t *v, *rates;
	json_int_t version;

	if (!json_is_object(root))
		return fail(c, "", "the document must be a JSON object { ... }, not %s",
			    type_name(root));
	if (check_keys(c, "", root, keys) || member(c, "", root, "version", true, &v, p))
		return -EINVAL;
	if (!json_is_integer(v))
		return fail(c, p, "must be a whole number (1), not %s", type_name(v));
	version = json_integer_value(v);
	if (version != 1)
		return fail(c, p, "%lld is not supported: this polymeterd reads version 1",
			    (long long)version);
	if (member(c, "", root, "name", false, &v, p) ||
	    (v && get_label(c, p, v, c->info.name, sizeof(c->info.name))) ||
	    member(c, "", root, "description", false, &v, p) || (v && need_string(c, p, v)))
		return -EINVAL;

	if (parse_currency(c, root) || member(c, "", root, "rates", true, &rates, p) ||
	    count_rates(c, p, rates, &c->t.n_rates) || parse_export(c, root) ||
	    parse_blocks(c, root) || parse_import_rates(c, rates) || parse_day_profiles(c, root) ||
	    parse_seasons(c, root) || parse_special_days(c, root) ||
	    parse_billing_period(c, root) || parse_standing_charge(c, root) || parse_levy(c, root))
		return -EINVAL;
	return 0;
}

static int parse_buffer(const char *file, const char *text, size_t len, struct tariff *out,
			struct pm_tariff_file_info *info, char *err, size_t errlen)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct tariff_error terr = {{0}};
	json_error_t jerr;
	json_t *root;
	int r;

	if (!c) {
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: out of memory", file);
		return -ENOMEM;
	}
	c->file = file;
	c->err = err;
	c->errlen = errlen;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (err && errlen > 0)
			snprintf(err, errlen, "%s:%d:%d: %s", file, jerr.line, jerr.column,
				 jerr.text);
		free(c);
		return -EINVAL;
	}
	r = parse_document(c, root);
	json_decref(root);
	if (r == 0 && tariff_validate(&c->t, &terr) < 0)
		r = fail(c, "", "%s", terr.message);
	if (r == 0) {
		*out = c->t;
		if (info)
			*info = c->info;
	}
	free(c);
	return r;
}

int pm_tariff_file_parse_info(const char *path_for_messages, const char *json_text,
			      struct tariff *out, struct pm_tariff_file_info *info, char *err,
			      size_t errlen)
{
	return parse_buffer(path_for_messages, json_text, strlen(json_text), out, info, err,
			    errlen);
}

int pm_tariff_file_parse(const char *path_for_messages, const char *json_text, struct tariff *out,
			 char *err, size_t errlen)
{
	return pm_tariff_file_parse_info(path_for_messages, json_text, out, NULL, err, errlen);
}

int pm_tariff_file_load(const char *path, struct tariff *out, struct pm_tariff_file_info *info,
			char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t len;
	int r;

	if (!f) {
		r = -errno;
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	text = malloc(PM_TARIFF_FILE_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	len = fread(text, 1, PM_TARIFF_FILE_MAX_BYTES + 1, f);
	if (ferror(f)) {
		r = errno ? -errno : -EIO;
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
	} else if (len > PM_TARIFF_FILE_MAX_BYTES) {
		r = -EFBIG;
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: larger than %d bytes", path,
				 PM_TARIFF_FILE_MAX_BYTES);
	} else {
		r = parse_buffer(path, text, len, out, info, err, errlen);
	}
	free(text);
	fclose(f);
	return r;
}
