// SPDX-License-Identifier: GPL-2.0-only
/* Decimal scaling from a table of exact powers of ten (see pow10.h). */
#include "core/proto/pow10.h"

static const double pow10_table[PM_POW10_MAX + 1] = {
    1e0,  1e1,	1e2,  1e3,  1e4,  1e5,	1e6,  1e7,  1e8,  1e9,	1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static const int64_t pow10_int64[PM_POW10_INT64_MAX + 1] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

int64_t pm_pow10_int64(int e)
{
	return e >= 0 && e <= PM_POW10_INT64_MAX ? pow10_int64[e] : 0;
}

double pm_pow10(int e)
{
	return e >= 0 && e <= PM_POW10_MAX ? pow10_table[e] : 0.0;
}

double pm_scale10(int64_t v, int e)
{
	double x = (double)v;

	/* beyond the table: one exact step at a time (no scaler of the object model gets here) */
	for (; e > PM_POW10_MAX; e -= PM_POW10_MAX)
		x *= pow10_table[PM_POW10_MAX];
	for (; e < -PM_POW10_MAX; e += PM_POW10_MAX)
		x /= pow10_table[PM_POW10_MAX];
	return e >= 0 ? x * pow10_table[e] : x / pow10_table[-e];
}
