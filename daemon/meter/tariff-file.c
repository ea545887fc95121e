// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tariff file parser (see tariff-file.h; the format is docs/tariff-file.md).
 *
 * jansson splits the text into JSON values; everything else is ours: each section is checked
 * for unknown keys, every value for its type and range, and decimal strings are turned into
 * the engine's integers with integer arithmetic only. The struct is built in a private copy
 * and handed out only once tariff_validate() has accepted it. This file reads the document
 * and its smaller sections; tariff-file-internal.h maps the others.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/tariff-file-internal.h"

/* ---------------------------------------------------------------- period and charges */

static int parse_billing_period(struct tariff_file_ctx *c, json_t *root)
{
	static const char *const keys[] = {"days", "months", "start", NULL};
	struct tariff_billing_period *period = &c->t.period;
	char p[PATH_LEN], pv[PATH_LEN], q[QUOTE_LEN];
	json_t *section, *days, *months, *v;
	json_int_t length;

	if (tariff_file_member(c, "", root, "billing_period", true, &section, p) ||
	    tariff_file_need_object(c, p, section) || tariff_file_check_keys(c, p, section, keys))
		return -EINVAL;
	days = json_object_get(section, "days");
	months = json_object_get(section, "months");
	if ((days == NULL) == (months == NULL))
		return tariff_file_fail(c, p,
					"give either \"days\" (1..115) or \"months\" (1..12)");
	if (days) {
		tariff_file_path_key(pv, p, "days");
		if (tariff_file_get_int(c, pv, days, 1, 115, &length))
			return -EINVAL;
		period->unit = TARIFF_PERIOD_DAYS;
	} else {
		tariff_file_path_key(pv, p, "months");
		if (tariff_file_get_int(c, pv, months, 1, 12, &length))
			return -EINVAL;
		period->unit = TARIFF_PERIOD_MONTHS;
	}
	period->length = (int)length;
	if (tariff_file_member(c, p, section, "start", true, &v, pv) ||
	    tariff_file_get_date(c, pv, v, DATE_FULL, &period->start))
		return -EINVAL;
	if (period->start.day > 28)
		return tariff_file_fail(
		    c, pv, "'%s': a billing period starts on day 1..28 (every month has it)",
		    tariff_file_quote(q, json_string_value(v)));
	return 0;
}

static int parse_standing_charge(struct tariff_file_ctx *c, json_t *root)
{
	static const char *const keys[] = {"per_day", "per_week", NULL};
	struct tariff_standing_charge *standing = &c->t.standing;
	char p[PATH_LEN], pv[PATH_LEN];
	json_t *section, *per_day, *per_week;

	standing->unit = TARIFF_STANDING_PER_WEEK;
	if (tariff_file_member(c, "", root, "standing_charge", false, &section, p))
		return -EINVAL;
	if (!section)
		return 0;
	if (tariff_file_need_object(c, p, section) || tariff_file_check_keys(c, p, section, keys))
		return -EINVAL;
	per_day = json_object_get(section, "per_day");
	per_week = json_object_get(section, "per_week");
	if ((per_day == NULL) == (per_week == NULL))
		return tariff_file_fail(c, p, "give either \"per_day\" or \"per_week\"");
	if (per_day) {
		tariff_file_path_key(pv, p, "per_day");
		standing->unit = TARIFF_STANDING_PER_DAY;
		return tariff_file_get_money(c, pv, per_day, TARIFF_MAX_STANDING_MU / 7, " per day",
					     &standing->amount_mu);
	}
	tariff_file_path_key(pv, p, "per_week");
	return tariff_file_get_money(c, pv, per_week, TARIFF_MAX_STANDING_MU, " per week",
				     &standing->amount_mu);
}

/* "rule": "daily_average" (the manual's, §7.8; the default) or "marginal" (tariff.h). */
static int parse_levy_rule(struct tariff_file_ctx *c, const char *path, const json_t *v,
			   uint8_t *rule)
{
	if (tariff_file_need_string(c, path, v))
		return -EINVAL;
	if (!strcmp(json_string_value(v), "daily_average"))
		*rule = TARIFF_LEVY_DAILY_AVERAGE;
	else if (!strcmp(json_string_value(v), "marginal"))
		*rule = TARIFF_LEVY_MARGINAL;
	else
		return tariff_file_fail(c, path,
					"'%s' is not a rule: give daily_average or marginal",
					json_string_value(v));
	return 0;
}

/*
 * §7.8 holds a de-minimis "for both CCL and VAT 2 application": de_minimis_kwh_per_day is the
 * levy's (CCL), vat_rate_2_de_minimis_kwh_per_day that of the higher tax rate. A file without
 * the second gives the first to both, the meaning the one key had before: the same result.
 */
static int parse_levy(struct tariff_file_ctx *c, json_t *root)
{
	static const char *const keys[] = {"price_per_kwh",
					   "de_minimis_kwh_per_day",
					   "vat_rate_2_de_minimis_kwh_per_day",
					   "reduced_tax_percent",
					   "standard_tax_percent",
					   "rule",
					   NULL};
	struct tariff_levy *levy = &c->t.levy;
	char p[PATH_LEN], pv[PATH_LEN], pv2[PATH_LEN];
	uint32_t reduced = 0;
	json_t *section, *v, *vat2;

	if (tariff_file_member(c, "", root, "levy", false, &section, p))
		return -EINVAL;
	if (!section)
		return 0;
	if (tariff_file_need_object(c, p, section) || tariff_file_check_keys(c, p, section, keys) ||
	    tariff_file_member(c, p, section, "price_per_kwh", false, &v, pv) ||
	    (v && tariff_file_get_money(c, pv, v, TARIFF_MAX_PRICE_MU_PER_KWH, " per kWh",
					&levy->levy_mu_per_kwh)) ||
	    tariff_file_member(c, p, section, "de_minimis_kwh_per_day", false, &v, pv) ||
	    (v && tariff_file_get_kwh(c, pv, v, TARIFF_MAX_THRESHOLD_MWH,
				      &levy->de_minimis_mwh_per_day)) ||
	    tariff_file_member(c, p, section, "vat_rate_2_de_minimis_kwh_per_day", false, &vat2,
			       pv2) ||
	    (vat2 && tariff_file_get_kwh(c, pv2, vat2, TARIFF_MAX_THRESHOLD_MWH,
					 &levy->vat2_de_minimis_mwh_per_day)) ||
	    tariff_file_member(c, p, section, "reduced_tax_percent", false, &v, pv) ||
	    (v && tariff_file_get_percent(c, pv, v, &reduced)) ||
	    tariff_file_member(c, p, section, "standard_tax_percent", false, &v, pv) ||
	    (v && tariff_file_get_percent(c, pv, v, &levy->standard_tax_bp)) ||
	    tariff_file_member(c, p, section, "rule", false, &v, pv) ||
	    (v && parse_levy_rule(c, pv, v, &levy->rule)))
		return -EINVAL;
	levy->reduced_tax_bp = (uint16_t)reduced; /* a percentage: at most 10000 */
	if (!vat2)
		levy->vat2_de_minimis_mwh_per_day = levy->de_minimis_mwh_per_day;
	return 0;
}

/* ---------------------------------------------------------------- the document */

static int parse_currency(struct tariff_file_ctx *c, json_t *root)
{
	static const char *const keys[] = {"code", "minor_units", NULL};
	char p[PATH_LEN], pv[PATH_LEN], q[QUOTE_LEN];
	json_t *section, *v;
	json_int_t minor;
	const char *code;

	if (tariff_file_member(c, "", root, "currency", true, &section, p) ||
	    tariff_file_need_object(c, p, section) || tariff_file_check_keys(c, p, section, keys) ||
	    tariff_file_member(c, p, section, "code", true, &v, pv) ||
	    tariff_file_need_string(c, pv, v))
		return -EINVAL;
	code = json_string_value(v);
	if (strlen(code) != 3 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' ||
	    code[2] < 'A' || code[2] > 'Z')
		return tariff_file_fail(
		    c, pv, "'%s' is not an ISO 4217 code (three capital letters, e.g. GBP)",
		    tariff_file_quote(q, code));
	memcpy(c->info.currency, code, 4);
	if (tariff_file_member(c, p, section, "minor_units", true, &v, pv) ||
	    tariff_file_get_int(c, pv, v, 0, MAX_MINOR_UNITS, &minor))
		return -EINVAL;
	c->info.minor_units = (int)minor;
	c->money_decimals = (unsigned)minor + MU_DECIMALS;
	return 0;
}

static int parse_document(struct tariff_file_ctx *c, json_t *root)
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
		return tariff_file_fail(c, "", "the document must be a JSON object { ... }, not %s",
					tariff_file_type_name(root));
	if (tariff_file_check_keys(c, "", root, keys) ||
	    tariff_file_member(c, "", root, "version", true, &v, p))
		return -EINVAL;
	if (!json_is_integer(v))
		return tariff_file_fail(c, p, "must be a whole number (1), not %s",
					tariff_file_type_name(v));
	version = json_integer_value(v);
	if (version != 1)
		return tariff_file_fail(c, p,
					"%lld is not supported: this polymeterd reads version 1",
					(long long)version);
	if (tariff_file_member(c, "", root, "name", false, &v, p) ||
	    (v && tariff_file_get_label(c, p, v, c->info.name, sizeof(c->info.name))) ||
	    tariff_file_member(c, "", root, "description", false, &v, p) ||
	    (v && tariff_file_need_string(c, p, v)))
		return -EINVAL;

	if (parse_currency(c, root) || tariff_file_member(c, "", root, "rates", true, &rates, p) ||
	    tariff_file_count_rates(c, p, rates, &c->t.n_rates) ||
	    tariff_file_parse_export(c, root) || tariff_file_parse_blocks(c, root) ||
	    tariff_file_parse_import_rates(c, rates) || tariff_file_parse_day_profiles(c, root) ||
	    tariff_file_parse_seasons(c, root) || tariff_file_parse_special_days(c, root) ||
	    parse_billing_period(c, root) || parse_standing_charge(c, root) || parse_levy(c, root))
		return -EINVAL;
	return 0;
}

static int parse_buffer(const char *file, const char *text, size_t len, struct tariff *out,
			struct pm_tariff_file_info *info, char *err, size_t errlen)
{
	struct tariff_file_ctx *c = calloc(1, sizeof(*c));
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
		r = tariff_file_fail(c, "", "%s", terr.message);
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

/*
 * The file's text into *@text (NUL-terminated, *@len bytes, to be freed), or -EFBIG past
 * PM_TARIFF_FILE_MAX_BYTES. The buffer grows with what is read instead of being the limit's
 * size from the start: a 1 MiB malloc is an mmap whose free raises glibc's mmap threshold to
 * 1 MiB for the rest of the process, so that later large blocks come from the heap and stay
 * resident after they are freed (polymeterd reads each tariff file twice at start-up).
 */
static int read_text(FILE *f, char **text, size_t *len)
{
	size_t cap = 16384, n = 0;
	char *buf = NULL;

	for (;;) {
		char *more = realloc(buf, cap + 1);

		if (!more) {
			free(buf);
			return -ENOMEM;
		}
		buf = more;
		n += fread(buf + n, 1, cap - n, f);
		if (ferror(f)) {
			free(buf);
			return errno ? -errno : -EIO;
		}
		if (n < cap)
			break;
		if (cap > PM_TARIFF_FILE_MAX_BYTES) {
			free(buf);
			return -EFBIG;
		}
		/* one byte past the limit tells a file over it from one at it */
		cap = cap * 2 > PM_TARIFF_FILE_MAX_BYTES ? PM_TARIFF_FILE_MAX_BYTES + 1 : cap * 2;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int pm_tariff_file_load(const char *path, struct tariff *out, struct pm_tariff_file_info *info,
			char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t len = 0;
	int r;

	if (!f) {
		r = -errno;
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	r = read_text(f, &text, &len);
	fclose(f);
	if (r == -EFBIG) {
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: larger than %d bytes", path,
				 PM_TARIFF_FILE_MAX_BYTES);
		return r;
	}
	if (r < 0) {
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: %s", path,
				 r == -ENOMEM ? "out of memory" : strerror(-r));
		return r;
	}
	r = parse_buffer(path, text, len, out, info, err, errlen);
	free(text);
	return r;
}
