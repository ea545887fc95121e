// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the tariff JSON parser (daemon/meter/tariff-file.c) on any text. A document it
 * accepts is then run through the tariff engine for three days (hourly, 1.5 kWh import and
 * 0.25 kWh export an hour) so that any tariff the parser lets through is also one the engine
 * can price without a sanitizer report.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/tariff-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2025-01-01 (a Wednesday) plus `hours`, as local time = UTC. */
static struct tariff_time at_hour(int hours)
{
	static const int wday0 = 3; /* ISO: Wednesday */
	struct tariff_time t = {
	    .utc_s = INT64_C(1735689600) + (int64_t)hours * 3600,
	    .year = 2025,
	    .month = 1,
	    .day = 1 + hours / 24,
	    .weekday = (wday0 - 1 + hours / 24) % 7 + 1,
	    .seconds = (hours % 24) * 3600,
	};
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tariff tariff;
	static struct tariff_engine engine;
	struct pm_tariff_file_info info;
	struct tariff_error terr;
	char err[512];

	if (size > 65536)
		return -1;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	int r = pm_tariff_file_parse_info("fuzz.json", text, &tariff, &info, err, sizeof(err));
	free(text);
	if (r != 0)
		return 0;

	tariff_engine_init(&engine);
	struct tariff_time now = at_hour(0);
	if (tariff_engine_set_tariff(&engine, &tariff, &now, &terr) != 0)
		__builtin_trap(); /* the parser accepted what the engine refuses */
	for (int h = 1; h <= 72; h++) {
		struct tariff_charge charge;
		now = at_hour(h);
		if (tariff_engine_account(&engine, &now, 1500000, 250000, &charge, &terr) != 0)
			__builtin_trap();
	}
	return 0;
}
