/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decimal scaling for the float32 registers: v x 10^e from a table of the powers of ten,
 * instead of pow() per value (which cost 11-14 % of the Modbus server's CPU when every request
 * rebuilt the image).
 *
 * Every power of ten up to 10^22 is exactly a double (10^22 = 2^22 x 5^22, and 5^22 < 2^53),
 * so the table holds exact values; 10^-e is not a double, so a negative exponent divides by the
 * exact 10^e instead of multiplying by a rounded 10^-e. IEEE 754 rounds one multiplication or
 * division correctly: the result is the double nearest v x 10^e (for |v| <= 2^53, where
 * (double)v is exact).
 */
#ifndef POLYMETER_POW10_H
#define POLYMETER_POW10_H

#include <stdint.h>

#define PM_POW10_MAX 22	      /* the largest e with 10^e exactly a double */
#define PM_POW10_INT64_MAX 18 /* the largest e with 10^e an int64 */

/* 10^e for 0 <= e <= PM_POW10_INT64_MAX, else 0. */
int64_t pm_pow10_int64(int e);

/* 10^e for 0 <= e <= PM_POW10_MAX (exact), else 0. */
double pm_pow10(int e);

/* v x 10^e: correctly rounded for |e| <= PM_POW10_MAX, beyond in steps of 10^22 (no longer
 * correctly rounded, but no scaler of the object model is that large). */
double pm_scale10(int64_t v, int e);

#endif
