// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tariff file's values, one JSON value at a time: its type, its keys, decimal strings into
 * the engine's integers (core/billing/money.h), times of day, dates (core/billing/civil-time.h),
 * labels; and the messages naming the file and the JSON path of a refused value.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "meter/tariff-file-internal.h"
#include "core/billing/civil-time.h"
#include "core/billing/money.h"

int tariff_file_fail(struct tariff_file_ctx *c, const char *path, const char *format, ...)
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
const char *tariff_file_quote(char buf[QUOTE_LEN], const char *s)
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

void tariff_file_path_key(char buf[PATH_LEN], const char *parent, const char *key)
{
	char q[QUOTE_LEN];

	if (snprintf(buf, PATH_LEN, "%s%s%s", parent, *parent ? "." : "",
		     tariff_file_quote(q, key)) >= PATH_LEN)
		strcpy(buf + PATH_LEN - 4, "..."); /* a path too deep for a message: say so */
}

void tariff_file_path_index(char buf[PATH_LEN], const char *parent, size_t index)
{
	if (snprintf(buf, PATH_LEN, "%s[%zu]", parent, index) >= PATH_LEN)
		strcpy(buf + PATH_LEN - 4, "...");
}

const char *tariff_file_type_name(const json_t *v)
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

int tariff_file_need_object(struct tariff_file_ctx *c, const char *path, const json_t *v)
{
	if (!json_is_object(v))
		return tariff_file_fail(c, path, "must be an object { ... }, not %s",
					tariff_file_type_name(v));
	return 0;
}

int tariff_file_need_array(struct tariff_file_ctx *c, const char *path, const json_t *v)
{
	if (!json_is_array(v))
		return tariff_file_fail(c, path, "must be an array [ ... ], not %s",
					tariff_file_type_name(v));
	return 0;
}

int tariff_file_need_string(struct tariff_file_ctx *c, const char *path, const json_t *v)
{
	if (!json_is_string(v))
		return tariff_file_fail(c, path, "must be a string, not %s",
					tariff_file_type_name(v));
	return 0;
}

int tariff_file_get_bool(struct tariff_file_ctx *c, const char *path, const json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return tariff_file_fail(c, path, "must be true or false, not %s",
					tariff_file_type_name(v));
	*out = json_is_true(v);
	return 0;
}

int tariff_file_get_int(struct tariff_file_ctx *c, const char *path, const json_t *v,
			json_int_t min, json_int_t max, json_int_t *out)
{
	if (!json_is_integer(v))
		return tariff_file_fail(c, path, "must be a whole number, not %s",
					tariff_file_type_name(v));
	*out = json_integer_value(v);
	if (*out < min || *out > max)
		return tariff_file_fail(c, path, "%lld is not in %lld..%lld", (long long)*out,
					(long long)min, (long long)max);
	return 0;
}

/* A rate reference "rate": 2 (numbered from 1 in the file) as the engine's index 1. */
int tariff_file_get_rate(struct tariff_file_ctx *c, const char *path, const json_t *v,
			 unsigned n_rates, const char *what, uint8_t *out)
{
	json_int_t rate;

	if (!json_is_integer(v))
		return tariff_file_fail(c, path, "must be %s number (1..%u), not %s", what, n_rates,
					tariff_file_type_name(v));
	rate = json_integer_value(v);
	if (rate < 1 || rate > (json_int_t)n_rates)
		return tariff_file_fail(c, path, "%lld is not %s of this tariff (%ss 1..%u)",
					(long long)rate, what, strchr(what, ' ') + 1, n_rates);
	*out = (uint8_t)(rate - 1);
	return 0;
}

/* Fails on any key of obj not in `allowed` (NULL-terminated). */
int tariff_file_check_keys(struct tariff_file_ctx *c, const char *path, json_t *obj,
			   const char *const allowed[])
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
		tariff_file_path_key(p, path, key);
		return tariff_file_fail(c, p, "unknown key (known here: %s)", known);
	}
	return 0;
}

/* The member `key` of obj into *v; a missing required one is an error. */
int tariff_file_member(struct tariff_file_ctx *c, const char *path, json_t *obj, const char *key,
		       bool required, json_t **v, char child[PATH_LEN])
{
	tariff_file_path_key(child, path, key);
	*v = json_object_get(obj, key);
	if (!*v && required)
		return tariff_file_fail(c, child, "missing (required)");
	return 0;
}

/* ---------------------------------------------------------------- decimal strings */

struct decimal_kind {
	unsigned decimals;
	const char *unit;    /* after a value in messages: "GBP", "kWh", "%" */
	const char *example; /* a valid string for the "must be a string" message */
};

static int get_decimal(struct tariff_file_ctx *c, const char *path, const json_t *v,
		       const struct decimal_kind *kind, int64_t max, const char *per, int64_t *out)
{
	char q[QUOTE_LEN], limit[48], finest[48];
	struct pm_decimal_rules rules;
	enum pm_decimal_refusal why;
	const char *s;

	if (!json_is_string(v)) {
		if (json_is_number(v))
			return tariff_file_fail(
			    c, path,
			    "must be a decimal string such as \"%s\": JSON numbers are "
			    "binary floating point, amounts are kept exactly",
			    kind->example);
		return tariff_file_fail(c, path, "must be a decimal string such as \"%s\", not %s",
					kind->example, tariff_file_type_name(v));
	}
	s = json_string_value(v);
	/* amounts in a tariff are never negative; "0.50" may be written "0.500000" */
	rules =
	    (struct pm_decimal_rules){.decimals = kind->decimals, .max = max, .zeros_past = true};
	if (pm_decimal_parse(s, &rules, out, &why) == 0)
		return 0;
	switch (why) {
	case PM_DECIMAL_SYNTAX:
		return tariff_file_fail(
		    c, path,
		    "'%s' is not a decimal number (digits, optionally '.' and more digits, "
		    "such as \"%s\")",
		    tariff_file_quote(q, s), kind->example);
	case PM_DECIMAL_NEGATIVE:
		return tariff_file_fail(c, path, "'%s' is negative: it must be 0 or more",
					tariff_file_quote(q, s));
	case PM_DECIMAL_TOO_FINE:
		pm_decimal_format(1, kind->decimals, 0, finest, sizeof(finest));
		return tariff_file_fail(
		    c, path, "'%s' has too many decimals: the finest step is %s %s (%u decimals)",
		    tariff_file_quote(q, s), finest, kind->unit, kind->decimals);
	case PM_DECIMAL_TOO_BIG:
		pm_decimal_format(max, kind->decimals, 0, limit, sizeof(limit));
		return tariff_file_fail(c, path, "'%s' is above the limit of %s %s%s",
					tariff_file_quote(q, s), limit, kind->unit, per);
	}
	return -EINVAL;
}

int tariff_file_get_money(struct tariff_file_ctx *c, const char *path, const json_t *v,
			  int64_t max_mu, const char *per, int64_t *mu)
{
	const struct decimal_kind kind = {c->money_decimals, c->info.currency, "0.1523"};

	return get_decimal(c, path, v, &kind, max_mu, per, mu);
}

int tariff_file_get_kwh(struct tariff_file_ctx *c, const char *path, const json_t *v,
			int64_t max_mwh, int64_t *mwh)
{
	static const struct decimal_kind kind = {KWH_DECIMALS, "kWh", "250.5"};

	return get_decimal(c, path, v, &kind, max_mwh, "", mwh);
}

int tariff_file_get_percent(struct tariff_file_ctx *c, const char *path, const json_t *v,
			    uint32_t *bp)
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

int tariff_file_get_time_of_day(struct tariff_file_ctx *c, const char *path, const json_t *v,
				int32_t *seconds)
{
	char q[QUOTE_LEN];
	int h, m, s = 0;
	const char *text;
	size_t len;

	if (tariff_file_need_string(c, path, v))
		return -EINVAL;
	text = json_string_value(v);
	len = strlen(text);
	if ((len != 5 && len != 8) || !two_digits(text, &h) || text[2] != ':' ||
	    !two_digits(text + 3, &m) ||
	    (len == 8 && (text[5] != ':' || !two_digits(text + 6, &s))) || h > 23 || m > 59 ||
	    s > 59)
		return tariff_file_fail(
		    c, path, "'%s' is not a time of day (HH:MM or HH:MM:SS, 00:00..23:59:59)",
		    tariff_file_quote(q, text));
	*seconds = h * 3600 + m * 60 + s;
	return 0;
}

/* "YYYY-MM-DD" (DATE_FULL, year 1970..9999) or "MM-DD" (DATE_YEARLY, year 0). */
int tariff_file_get_date(struct tariff_file_ctx *c, const char *path, const json_t *v,
			 unsigned forms, struct tariff_date *date)
{
	static const char *const expected[4] = {"", "YYYY-MM-DD", "MM-DD",
						"YYYY-MM-DD, or MM-DD for every year"};
	char q[QUOTE_LEN];
	const char *text;
	size_t len;
	int year = 0, month, day;
	bool ok = false;

	if (tariff_file_need_string(c, path, v))
		return -EINVAL;
	text = json_string_value(v);
	len = strlen(text);
	if (len == 10 && (forms & DATE_FULL)) {
		ok = pm_civil_parse_date(text, &year, &month, &day) == 0;
		if (ok && year < 1970)
			return tariff_file_fail(c, path, "'%s' is before 1970",
						tariff_file_quote(q, text));
	} else if (len == 5 && (forms & DATE_YEARLY) && two_digits(text, &month) &&
		   text[2] == '-' && two_digits(text + 3, &day)) {
		/* a yearly date may be 29 February: a leap year decides */
		ok = pm_civil_date_is_valid(2000, month, day);
	}
	if (!ok)
		return tariff_file_fail(c, path, "'%s' is not a date (%s)",
					tariff_file_quote(q, text), expected[forms]);
	*date = (struct tariff_date){year, month, day};
	return 0;
}

int tariff_file_get_label(struct tariff_file_ctx *c, const char *path, const json_t *v, char *out,
			  size_t size)
{
	if (tariff_file_need_string(c, path, v))
		return -EINVAL;
	if (strlen(json_string_value(v)) >= size)
		return tariff_file_fail(c, path, "longer than %zu bytes", size - 1);
	if (out)
		memcpy(out, json_string_value(v), strlen(json_string_value(v)) + 1);
	return 0;
}
