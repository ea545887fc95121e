/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tariff file: a JSON document a utility engineer writes (/etc/polymeter/tariff.json, or
 * `polymeterctl tariff set FILE.json`), parsed into the tariff engine's struct tariff.
 * docs/tariff-file.md describes every key; daemon/dist/tariff-examples/ holds real-looking files.
 *
 * People write money as decimal strings in currency units ("0.1523" GBP), energy as decimal
 * kWh strings, times as "HH:MM", dates as "YYYY-MM-DD" or "MM-DD"; the parser turns them into
 * the engine's integers exactly (no floating point anywhere) and refuses anything it cannot
 * represent exactly. Unknown keys are errors.
 *
 * Every error message names the file and the JSON path of the offending value:
 *   "tariff.json: day_profiles.weekday[2].at: '25:00' is not a time of day"
 *   "tariff.json:12:5: syntax: end of file expected near '}'"   (JSON syntax: line:column)
 * After the struct is built, tariff_validate() checks it again; its refusal (not expected: the
 * parser checks everything the engine does, in the file's terms) is reported in the engine's
 * terms, e.g. "tariff.json: day_profile[0].switch[1]: time not increasing".
 * On any error the output structs are left untouched.
 */
#ifndef POLYMETER_TARIFF_FILE_H
#define POLYMETER_TARIFF_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/billing/tariff.h"

/* Larger files are refused by pm_tariff_file_load(). */
#define PM_TARIFF_FILE_MAX_BYTES (1024 * 1024)

/* A rate's name: at most 63 bytes. */
#define PM_TARIFF_RATE_NAME_LEN 64

/* What the file says besides the struct tariff (the engine does not know currencies). */
struct pm_tariff_file_info {
	char name[128];	    /* "name", "" when absent */
	char currency[4];   /* ISO 4217 code, e.g. "GBP" */
	int minor_units;    /* 2 for GBP: 1 mu = 1/1000 of 0.01 GBP */
	uint8_t peak_rates; /* bit r: import rate register r ("rates" key r + 1) is a peak rate */
	/* the rates' names for people ("night", "day"): import rate register r is "rates" key
	 * r + 1, export register r "export.rates" key r + 1; "" when the file names none */
	char rate_names[TARIFF_MAX_RATES][PM_TARIFF_RATE_NAME_LEN];
	char export_rate_names[TARIFF_MAX_RATES][PM_TARIFF_RATE_NAME_LEN];
};

/*
 * Parses json_text (NUL-terminated). path_for_messages only names the file in messages. On
 * success fills *out and returns 0; on error returns -EINVAL, writes the message to err
 * (errlen bytes, may be 0) and leaves *out untouched.
 */
int pm_tariff_file_parse(const char *path_for_messages, const char *json_text, struct tariff *out,
			 char *err, size_t errlen);

/* As pm_tariff_file_parse(), and fills *info (may be NULL) on success only. */
int pm_tariff_file_parse_info(const char *path_for_messages, const char *json_text,
			      struct tariff *out, struct pm_tariff_file_info *info, char *err,
			      size_t errlen);

/*
 * Reads and parses the file at path. Returns 0, -EINVAL for a bad tariff, -EFBIG for a file
 * over PM_TARIFF_FILE_MAX_BYTES, or the negative errno of a failed open/read ("path: No such
 * file or directory" in err). *out and *info (may be NULL) are changed on success only.
 */
int pm_tariff_file_load(const char *path, struct tariff *out, struct pm_tariff_file_info *info,
			char *err, size_t errlen);

#endif
