/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exact integer arithmetic of the adapters (manager, IIO and simulated sources), in portable
 * C11: no __int128, which 32-bit gateways (ARMv7, i386) do not have. Products that can exceed
 * 64 bits go through the core's pm_met_muldiv_u64 (a 64 x 64 -> 128-bit product divided
 * exactly); remainders below 2^64 are taken modulo 2^64, where unsigned arithmetic is exact.
 * Unit-tested at the edges in tests/unit/test_adapter_math.c.
 */
#ifndef POLYMETER_ADAPTER_MATH_H
#define POLYMETER_ADAPTER_MATH_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "core/metrology/metrology_math.h"

#define PM_NANO 1000000000LL

/* |x| as unsigned, right for INT64_MIN too. */
static inline uint64_t pm_abs_u64(int64_t x)
{
	return x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
}

/* A magnitude back to int64 with a sign, saturated. */
static inline int64_t pm_signed_sat(uint64_t mag, int neg)
{
	if (neg)
		return mag > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mag;
	return mag > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)mag;
}

/* raw x scale_nano / 1e9, rounded half away from zero, saturated to int64. */
static inline int64_t pm_scale_round(int64_t raw, int64_t scale_nano)
{
	uint64_t a = pm_abs_u64(raw), b = pm_abs_u64(scale_nano);
	uint64_t q = pm_met_muldiv_u64(a, b, PM_NANO);
	/* the remainder a x b mod 1e9, from the operands mod 1e9 (each < 1e9: no overflow) */
	uint64_t rem = (a % PM_NANO) * (b % PM_NANO) % PM_NANO;

	if (q != UINT64_MAX && rem >= PM_NANO / 2)
		q++;
	return pm_signed_sat(q, (raw < 0) != (scale_nano < 0));
}

/*
 * One step of an integrator that turns power into whole counter codes: adds power x dt (mW x
 * ns = pJ) to the remainder *acc_pj, which stays in [0, code_pj), and returns the codes that
 * became whole (floor: negative power takes codes away and leaves a positive remainder).
 * code_pj > 0. Saturates beyond 2^63 codes per step.
 */
static inline int64_t pm_energy_step(int64_t p_mw, uint64_t dt_ns, uint64_t code_pj,
				     uint64_t *acc_pj)
{
	uint64_t mag = pm_abs_u64(p_mw);
	uint64_t q = pm_met_muldiv_u64(mag, dt_ns, code_pj);
	/* the true remainder is below code_pj < 2^64, so it is exact modulo 2^64 */
	uint64_t r = mag * dt_ns - q * code_pj;
	int64_t codes;

	if (p_mw >= 0) {
		codes = pm_signed_sat(q, 0);
	} else {
		/* -(q x code + r) = -(q + 1) x code + (code - r) when r > 0 */
		if (r) {
			q = q == UINT64_MAX ? q : q + 1;
			r = code_pj - r;
		}
		codes = pm_signed_sat(q, 1);
	}
	/* *acc_pj < code_pj and r < code_pj: the sum cannot wrap unless code_pj > 2^63 */
	if (r >= code_pj - *acc_pj) {
		*acc_pj = r - (code_pj - *acc_pj);
		codes = codes == INT64_MAX ? codes : codes + 1;
	} else {
		*acc_pj += r;
	}
	return codes;
}

/*
 * A signed energy of any size the daemon can count: j whole units (J, var.s, VA.s) plus nj
 * billionths in [0, 1e9) (floor form: the value is j x 1e9 + nj nJ).
 */
struct pm_energy_nj {
	int64_t j;
	int64_t nj;
};

/* e += codes x nj_per_code nJ, exactly (saturating only beyond 9.2e18 J). */
static inline void pm_energy_add_codes(struct pm_energy_nj *e, int64_t codes, uint32_t nj_per_code)
{
	/* codes = ch x 1e9 + cl with |cl| < 1e9: cl x scale < 4.3e18 fits in int64 */
	int64_t ch = codes / PM_NANO, cl = codes % PM_NANO;
	int64_t t = cl * (int64_t)nj_per_code;

	e->j = pm_met_sat_add_i64(e->j, pm_met_sat_mul_i64(ch, nj_per_code));
	e->j = pm_met_sat_add_i64(e->j, t / PM_NANO);
	e->nj += t % PM_NANO; /* now in (-1e9, 2e9) */
	if (e->nj >= PM_NANO) {
		e->nj -= PM_NANO;
		e->j = pm_met_sat_add_i64(e->j, 1);
	} else if (e->nj < 0) {
		e->nj += PM_NANO;
		e->j = pm_met_sat_add_i64(e->j, -1);
	}
}

static inline void pm_energy_sum(struct pm_energy_nj *e, const struct pm_energy_nj *add)
{
	e->j = pm_met_sat_add_i64(e->j, add->j);
	e->nj += add->nj;
	if (e->nj >= PM_NANO) {
		e->nj -= PM_NANO;
		e->j = pm_met_sat_add_i64(e->j, 1);
	}
}

/* The energy as a decimal integer of nJ ("-1500000000"), exact: buf of 32 bytes at least. */
static inline const char *pm_energy_nj_str(char *buf, size_t len, const struct pm_energy_nj *e)
{
	uint64_t hi, lo;

	if (e->j >= 0) {
		hi = (uint64_t)e->j;
		lo = (uint64_t)e->nj;
	} else if (e->nj) {
		/* -(j x 1e9 + nj) = (-j - 1) x 1e9 + (1e9 - nj) */
		hi = pm_abs_u64(e->j) - 1;
		lo = (uint64_t)(PM_NANO - e->nj);
	} else {
		hi = pm_abs_u64(e->j);
		lo = 0;
	}
	if (hi)
		snprintf(buf, len, "%s%" PRIu64 "%09" PRIu64, e->j < 0 ? "-" : "", hi, lo);
	else
		snprintf(buf, len, "%s%" PRIu64, e->j < 0 && lo ? "-" : "", lo);
	return buf;
}

/* The energy in milli-Wh (nJ / 3.6e9), truncated towards zero, saturated. */
static inline int64_t pm_energy_mwh(const struct pm_energy_nj *e)
{
	/* j J = j / 3.6 mWh: whole hours of J first so nothing overflows */
	int64_t mwh = pm_met_sat_mul_i64(e->j / 3600, 1000);
	int64_t rest_mj = (e->j % 3600) * 1000 + e->nj / 1000000; /* mJ, |.| < 3.6e6 + 1e3 */

	return pm_met_sat_add_i64(mwh, rest_mj / 3600);
}

#endif
