// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exact integer money arithmetic for the tariff engine. No __int128: 32-bit ARM gateways have
 * none, so the 128-bit product is built from 32-bit halves.
 */
#include "core/billing/tariff-internal.h"

int64_t tariff_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static void multiply_u64(uint64_t a, uint64_t b, uint64_t *high, uint64_t *low)
{
	uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
	uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
	uint64_t lo_lo = a_lo * b_lo, lo_hi = a_lo * b_hi, hi_lo = a_hi * b_lo;
	uint64_t middle = (lo_lo >> 32) + (lo_hi & 0xffffffffu) + (hi_lo & 0xffffffffu);

	*low = (lo_lo & 0xffffffffu) | (middle << 32);
	*high = a_hi * b_hi + (lo_hi >> 32) + (hi_lo >> 32) + (middle >> 32);
}

/* (high:low) / divisor, rounded down; *remainder_nonzero tells whether it was exact. */
static uint64_t divide_u128(uint64_t high, uint64_t low, uint64_t divisor, bool *saturated,
			    bool *remainder_nonzero)
{
	uint64_t remainder = 0, quotient = 0;

	*saturated = high >= divisor;
	if (*saturated)
		return UINT64_MAX;
	if (high == 0) { /* the product fits in 64 bits: the common case, one division */
		*remainder_nonzero = low % divisor != 0;
		return low / divisor;
	}
	for (int bit = 127; bit >= 0; bit--) {
		uint64_t next = bit >= 64 ? (high >> (bit - 64)) & 1 : (low >> bit) & 1;
		bool overflow = remainder >> 63;

		remainder = (remainder << 1) | next;
		quotient <<= 1;
		if (overflow || remainder >= divisor) {
			remainder -= divisor;
			quotient |= 1;
		}
	}
	*remainder_nonzero = remainder != 0;
	return quotient;
}

int64_t tariff_mul_div(int64_t a, int64_t b, int64_t c)
{
	bool negative = a < 0, saturated, inexact = false;
	uint64_t magnitude = negative ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
	uint64_t high, low, quotient;

	multiply_u64(magnitude, (uint64_t)b, &high, &low);
	quotient = divide_u128(high, low, (uint64_t)c, &saturated, &inexact);
	if (!negative)
		return saturated || quotient > INT64_MAX ? INT64_MAX : (int64_t)quotient;
	/* floor of a negative quotient rounds away from zero */
	if (!saturated && inexact)
		quotient++;
	return saturated || quotient > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)quotient;
}

int64_t tariff_take_whole_mu(int64_t *carry, int64_t umu)
{
	int64_t total = *carry + umu;
	int64_t whole = tariff_floor_div(total, TARIFF_UMU_PER_MU);

	*carry = total - whole * TARIFF_UMU_PER_MU;
	return whole;
}
