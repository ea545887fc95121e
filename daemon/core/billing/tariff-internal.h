/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the tariff engine's files; not part of the public API.
 */
#ifndef POLYMETER_TARIFF_INTERNAL_H
#define POLYMETER_TARIFF_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/billing/civil-time.h"
#include "core/billing/tariff.h"

/* 1 mu = 1e6 of the units in which exact amounts (mWh x mu/kWh) are worked out. */
#define TARIFF_UMU_PER_MU INT64_C(1000000)

/* tariff-calendar.c: a date a tariff may name, years 1..9999 (day numbers: civil-time.h). */
bool tariff_date_is_valid(const struct tariff_date *date);
/* The billing period [*start, *end) containing day_number. */
void tariff_period_containing(const struct tariff_billing_period *period, int32_t day_number,
			      int32_t *start, int32_t *end);

/* tariff-schedule.c: the TOU lookup, on a time already validated. */
void tariff_schedule_at(const struct tariff *tariff, const struct tariff_time *time,
			struct tariff_slot *slot);

/* tariff-money.c: exact integer arithmetic. */
int64_t tariff_floor_div(int64_t a, int64_t b);
/* floor(a x b / c) for b >= 0, c > 0 with a 128-bit intermediate; saturates at INT64 bounds. */
int64_t tariff_mul_div(int64_t a, int64_t b, int64_t c);
/* Adds `umu` to the carried fraction *carry and returns the whole mu, keeping the rest. */
int64_t tariff_take_whole_mu(int64_t *carry, int64_t umu);

/* tariff-validate.c */
int tariff_fail(struct tariff_error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#endif
