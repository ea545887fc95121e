// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/metrology/metrology_math.h"

/* 64 x 64 -> 128 bit product as two halves, schoolbook on 32-bit limbs. */
static void mul_u64_wide(uint64_t x, uint64_t y, uint64_t *hi, uint64_t *lo)
{
	uint64_t x0 = x & 0xffffffffu, x1 = x >> 32;
	uint64_t y0 = y & 0xffffffffu, y1 = y >> 32;
	uint64_t p00 = x0 * y0, p01 = x0 * y1, p10 = x1 * y0, p11 = x1 * y1;
	uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);

	*lo = (mid << 32) | (p00 & 0xffffffffu);
	*hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

uint64_t pm_met_muldiv_u64(uint64_t x, uint64_t a, uint64_t b)
{
	uint64_t hi, lo, q = 0, r = 0;

	mul_u64_wide(x, a, &hi, &lo);
	if (hi >= b)
		return UINT64_MAX; /* the quotient does not fit in 64 bits */
	if (hi == 0)
		return lo / b; /* the product fits in 64 bits: the common case, one division */
	/* Restoring division of the 128-bit product, one bit at a time; hi < b keeps r < b. */
	r = hi;
	for (int bit = 63; bit >= 0; bit--) {
		uint64_t carry = r >> 63;

		r = (r << 1) | ((lo >> bit) & 1u);
		if (carry || r >= b) {
			r -= b;
			q |= (uint64_t)1 << bit;
		}
	}
	return q;
}

int64_t pm_met_floor_div_i64(int64_t n, int64_t d)
{
	int64_t q = n / d;

	if ((n % d != 0) && (n < 0))
		q--;
	return q;
}

int64_t pm_met_next_boundary(int64_t t, int64_t align, int64_t step)
{
	return align + (pm_met_floor_div_i64(t - align, step) + 1) * step;
}

int64_t pm_met_sat_mul_i64(int64_t a, int64_t b)
{
	if (a == 0 || b == 0)
		return 0;
	if ((a > 0) == (b > 0)) {
		if ((a > 0 && a > INT64_MAX / b) || (a < 0 && a < INT64_MAX / b))
			return INT64_MAX;
	} else {
		if ((a > 0 && b < INT64_MIN / a) || (a < 0 && a < INT64_MIN / b))
			return INT64_MIN;
	}
	return a * b;
}

int64_t pm_met_sat_add_i64(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

uint64_t pm_met_isqrt_round(uint64_t x)
{
	uint64_t r = 0, bit = (uint64_t)1 << 62, rem = x;

	while (bit > x)
		bit >>= 2;
	while (bit != 0) {
		if (rem >= r + bit) {
			rem -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	/* r = floor(sqrt(x)), rem = x - r^2; round up when x - r^2 > r (i.e. x > (r + 0.5)^2). */
	if (rem > r)
		r++;
	return r;
}
