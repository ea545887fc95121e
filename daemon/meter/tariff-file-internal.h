/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The inside of the tariff file parser (tariff-file.h), shared by its files:
 *
 *   tariff-file.c           the document: currency, billing period, charges, levy; the public API
 *   tariff-file-values.c    one JSON value at a time: types, keys, decimals, times, dates, labels,
 *                           and the messages that name the file and the JSON path
 *   tariff-file-prices.c    import rates, export, consumption blocks
 *   tariff-file-calendar.c  day profiles, seasons (week profiles), special days
 *
 * Every reader returns 0, or -EINVAL with the message written (tariff_file_fail).
 */
#ifndef POLYMETER_TARIFF_FILE_INTERNAL_H
#define POLYMETER_TARIFF_FILE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/tariff-file.h"

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

struct tariff_file_ctx {
	const char *file;
	char *err;
	size_t errlen;
	struct tariff t;
	struct pm_tariff_file_info info;
	unsigned money_decimals; /* minor_units + 3: 1 currency unit = 10^money_decimals mu */
	char profile_names[TARIFF_MAX_DAY_PROFILES][PROFILE_NAME_MAX + 1];
};

/* What get_date accepts. */
enum date_form { DATE_FULL = 1, DATE_YEARLY = 2 };

/* tariff-file-values.c */
int tariff_file_fail(struct tariff_file_ctx *c, const char *path, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
const char *tariff_file_quote(char buf[QUOTE_LEN], const char *s);
void tariff_file_path_key(char buf[PATH_LEN], const char *parent, const char *key);
void tariff_file_path_index(char buf[PATH_LEN], const char *parent, size_t index);
const char *tariff_file_type_name(const json_t *v);
int tariff_file_need_object(struct tariff_file_ctx *c, const char *path, const json_t *v);
int tariff_file_need_array(struct tariff_file_ctx *c, const char *path, const json_t *v);
int tariff_file_need_string(struct tariff_file_ctx *c, const char *path, const json_t *v);
int tariff_file_get_bool(struct tariff_file_ctx *c, const char *path, const json_t *v, bool *out);
int tariff_file_get_int(struct tariff_file_ctx *c, const char *path, const json_t *v,
			json_int_t min, json_int_t max, json_int_t *out);
int tariff_file_get_rate(struct tariff_file_ctx *c, const char *path, const json_t *v,
			 unsigned n_rates, const char *what, uint8_t *out);
int tariff_file_check_keys(struct tariff_file_ctx *c, const char *path, json_t *obj,
			   const char *const allowed[]);
int tariff_file_member(struct tariff_file_ctx *c, const char *path, json_t *obj, const char *key,
		       bool required, json_t **v, char child[PATH_LEN]);
int tariff_file_get_money(struct tariff_file_ctx *c, const char *path, const json_t *v,
			  int64_t max_mu, const char *per, int64_t *mu);
int tariff_file_get_kwh(struct tariff_file_ctx *c, const char *path, const json_t *v,
			int64_t max_mwh, int64_t *mwh);
int tariff_file_get_percent(struct tariff_file_ctx *c, const char *path, const json_t *v,
			    uint32_t *bp);
int tariff_file_get_time_of_day(struct tariff_file_ctx *c, const char *path, const json_t *v,
				int32_t *seconds);
int tariff_file_get_date(struct tariff_file_ctx *c, const char *path, const json_t *v,
			 unsigned forms, struct tariff_date *date);
int tariff_file_get_label(struct tariff_file_ctx *c, const char *path, const json_t *v, char *out,
			  size_t size);

/* tariff-file-prices.c */
int tariff_file_count_rates(struct tariff_file_ctx *c, const char *path, json_t *rates,
			    unsigned *n);
int tariff_file_parse_import_rates(struct tariff_file_ctx *c, json_t *rates);
int tariff_file_parse_export(struct tariff_file_ctx *c, json_t *root);
int tariff_file_parse_blocks(struct tariff_file_ctx *c, json_t *root);

/* tariff-file-calendar.c */
int tariff_file_parse_day_profiles(struct tariff_file_ctx *c, json_t *root);
int tariff_file_parse_seasons(struct tariff_file_ctx *c, json_t *root);
int tariff_file_parse_special_days(struct tariff_file_ctx *c, json_t *root);

#endif
