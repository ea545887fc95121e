// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the core's text parsers, ISO 8601 dates and UTC timestamps
 * (daemon/core/billing/civil-time.c) and decimals (daemon/core/billing/money.c). Besides not
 * crashing, what is accepted must be written back as it was read: a date or timestamp prints as
 * the same text, money and decimals print as text that reads back to the same integer, and a
 * decimal is never beyond the bound its rules give.
 *
 * Input: one byte choosing the decimal rules (decimals, signs, zeros past, bound), then the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/billing/civil-time.h"
#include "core/billing/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_dates(const char *text)
{
	char buf[PM_CIVIL_UTC_LEN];
	int year, month, day;
	int64_t ns;

	if (pm_civil_parse_date(text, &year, &month, &day) == 0 &&
	    strcmp(pm_civil_format_date(year, month, day, buf, sizeof(buf)), text) != 0)
		__builtin_trap();
	if (pm_civil_parse_utc(text, &ns) == 0 &&
	    strcmp(pm_civil_format_utc(ns, buf, sizeof(buf)), text) != 0)
		__builtin_trap();
}

static void check_money(const char *text)
{
	char buf[48];
	int64_t mu, again;

	if (pm_money_parse(text, &mu) != 0)
		return;
	if (pm_money_parse(pm_money_format(mu, buf, sizeof(buf)), &again) != 0 || again != mu)
		__builtin_trap();
}

static void check_decimal(uint8_t choice, const char *text)
{
	const struct pm_decimal_rules rules = {
	    .decimals = choice % 19u, /* 10^18 is the largest power of ten in int64 */
	    .max = INT64_MAX >> (choice >> 5),
	    .minus = choice & 0x01,
	    .plus = choice & 0x02,
	    .zeros_past = choice & 0x04,
	};
	char buf[48];
	int64_t value, again;

	if (pm_decimal_parse(text, &rules, &value, NULL) != 0)
		return;
	if (value > rules.max || value < -rules.max || (value < 0 && !rules.minus))
		__builtin_trap();
	pm_decimal_format(value, rules.decimals, 0, buf, sizeof(buf));
	if (pm_decimal_parse(buf, &rules, &again, NULL) != 0 || again != value)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64];

	if (size < 1 || size > sizeof(text))
		return -1;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	check_dates(text);
	check_money(text);
	check_decimal(data[0], text);
	return 0;
}
