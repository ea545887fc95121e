// SPDX-License-Identifier: GPL-2.0-only
/* The tariff file's prices: numbered import rates, export pricing, consumption blocks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/tariff-file-internal.h"

/* ---------------------------------------------------------------- rates and prices */

/*
 * A set of numbered rates {"1": {...}, "2": {...}}: keys "1".."8", numbered without gaps,
 * each an object. Returns the count in *n.
 */
int tariff_file_count_rates(struct tariff_file_ctx *c, const char *path, json_t *rates, unsigned *n)
{
	const char *key;
	json_t *value;
	char p[PATH_LEN], q[QUOTE_LEN];
	bool present[TARIFF_MAX_RATES] = {false};

	if (tariff_file_need_object(c, path, rates))
		return -EINVAL;
	*n = 0;
	json_object_foreach(rates, key, value)
	{
		tariff_file_path_key(p, path, key);
		if (strlen(key) != 1 || key[0] < '1' || key[0] > '0' + TARIFF_MAX_RATES)
			return tariff_file_fail(
			    c, p, "'%s' is not a rate number: rates are numbered \"1\" to \"%d\"",
			    tariff_file_quote(q, key), TARIFF_MAX_RATES);
		if (tariff_file_need_object(c, p, value))
			return -EINVAL;
		present[key[0] - '1'] = true;
		(*n)++;
	}
	if (*n == 0)
		return tariff_file_fail(c, path, "no rate: give at least rate \"1\"");
	for (unsigned r = 0; r < *n; r++)
		if (!present[r])
			return tariff_file_fail(
			    c, path,
			    "rate \"%u\" is missing: rates are numbered 1..%u without gaps", r + 1,
			    *n);
	return 0;
}

static json_t *rate_object(json_t *rates, unsigned index, char key[2])
{
	key[0] = (char)('1' + index);
	key[1] = '\0';
	return json_object_get(rates, key);
}

int tariff_file_parse_import_rates(struct tariff_file_ctx *c, json_t *rates)
{
	static const char *const keys[] = {"name", "price_per_kwh", "peak", NULL};
	const unsigned n_blocks = c->t.blocks.n_blocks;

	for (unsigned r = 0; r < c->t.n_rates; r++) {
		char key[2], p[PATH_LEN], pp[PATH_LEN];
		json_t *rate = rate_object(rates, r, key), *v;
		bool peak = false;

		tariff_file_path_key(p, "rates", key);
		if (tariff_file_check_keys(c, p, rate, keys) ||
		    tariff_file_member(c, p, rate, "name", false, &v, pp) ||
		    (v && tariff_file_get_label(c, pp, v, c->info.rate_names[r],
						PM_TARIFF_RATE_NAME_LEN)) ||
		    tariff_file_member(c, p, rate, "peak", false, &v, pp))
			return -EINVAL;
		/* a peak rate: the account's lower load limit (load_limit_peak_w) applies */
		if (v && tariff_file_get_bool(c, pp, v, &peak))
			return -EINVAL;
		if (v && peak)
			c->info.peak_rates |= (uint8_t)(1u << r);
		if (tariff_file_member(c, p, rate, "price_per_kwh", true, &v, pp))
			return -EINVAL;
		if (json_is_array(v)) {
			if (json_array_size(v) != n_blocks)
				return tariff_file_fail(
				    c, pp,
				    "%zu prices for %u blocks (give one price per block, or "
				    "one string for every block)",
				    json_array_size(v), n_blocks);
			for (unsigned b = 0; b < n_blocks; b++) {
				char pb[PATH_LEN];

				tariff_file_path_index(pb, pp, b);
				if (tariff_file_get_money(c, pb, json_array_get(v, b),
							  TARIFF_MAX_PRICE_MU_PER_KWH, " per kWh",
							  &c->t.price_mu_per_kwh[r][b]))
					return -EINVAL;
			}
		} else {
			if (tariff_file_get_money(c, pp, v, TARIFF_MAX_PRICE_MU_PER_KWH, " per kWh",
						  &c->t.price_mu_per_kwh[r][0]))
				return -EINVAL;
			for (unsigned b = 1; b < n_blocks; b++)
				c->t.price_mu_per_kwh[r][b] = c->t.price_mu_per_kwh[r][0];
		}
	}
	return 0;
}

int tariff_file_parse_export(struct tariff_file_ctx *c, json_t *root)
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
	if (tariff_file_member(c, "", root, "export", false, &section, p))
		return -EINVAL;
	if (!section)
		return 0;
	if (tariff_file_need_object(c, "export", section) ||
	    tariff_file_check_keys(c, "export", section, keys) ||
	    tariff_file_member(c, "export", section, "mode", true, &v, p) ||
	    tariff_file_need_string(c, p, v))
		return -EINVAL;
	for (int i = 0; i < 4; i++)
		if (strcmp(json_string_value(v), modes[i]) == 0)
			mode = i;
	if (mode < 0)
		return tariff_file_fail(c, p, "'%s' is not neutral, deduct, credit or proportional",
					tariff_file_quote(q, json_string_value(v)));
	exp->mode = (enum tariff_export_mode)mode;
	priced = exp->mode == TARIFF_EXPORT_DEDUCT || exp->mode == TARIFF_EXPORT_CREDIT;

	if (tariff_file_member(c, "export", section, "proportion_percent", false, &v, p))
		return -EINVAL;
	if (exp->mode == TARIFF_EXPORT_PROPORTIONAL) {
		if (!v)
			return tariff_file_fail(c, p, "missing: mode 'proportional' needs it");
		if (tariff_file_get_percent(c, p, v, &exp->proportion_bp))
			return -EINVAL;
	} else if (v) {
		return tariff_file_fail(c, p, "only for mode 'proportional', not '%s'",
					modes[exp->mode]);
	}

	if (tariff_file_member(c, "export", section, "rates", false, &rates, p))
		return -EINVAL;
	if (!rates && priced)
		return tariff_file_fail(c, p,
					"missing: mode '%s' needs the price of every export rate",
					modes[exp->mode]);
	if (!rates)
		return 0;
	if (tariff_file_count_rates(c, "export.rates", rates, &c->t.n_export_rates))
		return -EINVAL;
	for (unsigned r = 0; r < c->t.n_export_rates; r++) {
		char key[2], pr[PATH_LEN];
		json_t *rate = rate_object(rates, r, key);

		tariff_file_path_key(pr, "export.rates", key);
		if (tariff_file_check_keys(c, pr, rate, rate_keys) ||
		    tariff_file_member(c, pr, rate, "name", false, &v, p) ||
		    (v && tariff_file_get_label(c, p, v, c->info.export_rate_names[r],
						PM_TARIFF_RATE_NAME_LEN)) ||
		    tariff_file_member(c, pr, rate, "price_per_kwh", priced, &v, p))
			return -EINVAL;
		if (v && !priced)
			return tariff_file_fail(
			    c, p,
			    "has no effect in mode '%s' (only deduct and credit use export "
			    "prices)",
			    modes[exp->mode]);
		if (v && tariff_file_get_money(c, p, v, TARIFF_MAX_PRICE_MU_PER_KWH, " per kWh",
					       &exp->price_mu_per_kwh[r]))
			return -EINVAL;
	}
	return 0;
}

int tariff_file_parse_blocks(struct tariff_file_ctx *c, json_t *root)
{
	static const char *const keys[] = {"thresholds_kwh", "basis", "basis_rate",
					   "daily_resolved", NULL};
	struct tariff_blocks *blocks = &c->t.blocks;
	char p[PATH_LEN], q[QUOTE_LEN];
	json_t *section, *v;
	size_t n;

	blocks->n_blocks = 1;
	blocks->basis = TARIFF_BLOCK_ON_TOTAL_IMPORT;
	if (tariff_file_member(c, "", root, "blocks", false, &section, p))
		return -EINVAL;
	if (!section)
		return 0;
	if (tariff_file_need_object(c, "blocks", section) ||
	    tariff_file_check_keys(c, "blocks", section, keys) ||
	    tariff_file_member(c, "blocks", section, "thresholds_kwh", true, &v, p) ||
	    tariff_file_need_array(c, p, v))
		return -EINVAL;
	n = json_array_size(v);
	if (n < 1 || n > TARIFF_MAX_BLOCKS - 1)
		return tariff_file_fail(
		    c, p,
		    "%zu thresholds: give 1..%d (leave out \"blocks\" for a tariff without "
		    "blocks)",
		    n, TARIFF_MAX_BLOCKS - 1);
	for (size_t i = 0; i < n; i++) {
		char pi[PATH_LEN];
		json_t *threshold = json_array_get(v, i);

		tariff_file_path_index(pi, p, i);
		if (tariff_file_get_kwh(c, pi, threshold, TARIFF_MAX_THRESHOLD_MWH,
					&blocks->threshold_mwh[i]))
			return -EINVAL;
		if (blocks->threshold_mwh[i] == 0)
			return tariff_file_fail(c, pi, "'%s' must be above 0 kWh",
						tariff_file_quote(q, json_string_value(threshold)));
		if (i > 0 && blocks->threshold_mwh[i] <= blocks->threshold_mwh[i - 1]) {
			char previous[QUOTE_LEN];

			return tariff_file_fail(
			    c, pi, "'%s' is not above the previous threshold '%s'",
			    tariff_file_quote(q, json_string_value(threshold)),
			    tariff_file_quote(previous,
					      json_string_value(json_array_get(v, i - 1))));
		}
	}
	blocks->n_blocks = (unsigned)n + 1;

	if (tariff_file_member(c, "blocks", section, "basis", false, &v, p))
		return -EINVAL;
	if (v) {
		if (tariff_file_need_string(c, p, v))
			return -EINVAL;
		if (strcmp(json_string_value(v), "rate") == 0)
			blocks->basis = TARIFF_BLOCK_ON_RATE;
		else if (strcmp(json_string_value(v), "total") != 0)
			return tariff_file_fail(c, p, "'%s' is not \"total\" or \"rate\"",
						tariff_file_quote(q, json_string_value(v)));
	}
	if (tariff_file_member(c, "blocks", section, "basis_rate",
			       blocks->basis == TARIFF_BLOCK_ON_RATE, &v, p))
		return -EINVAL;
	if (v && blocks->basis != TARIFF_BLOCK_ON_RATE)
		return tariff_file_fail(c, p, "only with \"basis\": \"rate\"");
	if (v && tariff_file_get_rate(c, p, v, c->t.n_rates, "a rate", &blocks->basis_rate))
		return -EINVAL;

	if (tariff_file_member(c, "blocks", section, "daily_resolved", false, &v, p) ||
	    (v && tariff_file_get_bool(c, p, v, &blocks->daily_resolved)))
		return -EINVAL;
	if (blocks->daily_resolved && blocks->basis != TARIFF_BLOCK_ON_TOTAL_IMPORT)
		return tariff_file_fail(c, p, "needs \"basis\": \"total\"");
	return 0;
}
