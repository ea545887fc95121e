/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrology_math: exact integer helpers shared by metrology, demand and profile. Portable C11
 * (no __int128: 32-bit ARM gateways have none).
 */
#ifndef POLYMETER_METROLOGY_MATH_H
#define POLYMETER_METROLOGY_MATH_H

#include <stdint.h>

/* floor(x * a / b), exact for all inputs; saturates at UINT64_MAX; b must not be 0. */
uint64_t pm_met_muldiv_u64(uint64_t x, uint64_t a, uint64_t b);

/* Rounds down towards minus infinity (C's / truncates towards 0); d > 0. */
int64_t pm_met_floor_div_i64(int64_t n, int64_t d);

/* The smallest align + k * step that is strictly greater than t (step > 0). */
int64_t pm_met_next_boundary(int64_t t, int64_t align, int64_t step);

/* a * b, saturated to the int64 range. */
int64_t pm_met_sat_mul_i64(int64_t a, int64_t b);

/* a + b, saturated to the int64 range. */
int64_t pm_met_sat_add_i64(int64_t a, int64_t b);

/* round(sqrt(x)) for any x. */
uint64_t pm_met_isqrt_round(uint64_t x);

#endif
