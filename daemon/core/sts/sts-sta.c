/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STA (EA07) decryption, written here because no library implements it: STA is specific to
 * STS (IEC 62055-41) and is in none of Debian's crypto libraries (nettle, libgcrypt, OpenSSL).
 * Every other primitive STS uses (DES, HMAC-SHA-256 for decoder key generation) belongs to the
 * vending side, which polymeterd does not contain (tests/support/ uses nettle for them). The
 * tables are the production ones listed in prepay-sts.md §1.6; test_sts checks them against the
 * published vectors.
 */
#include "core/sts/sts-sta.h"

const uint8_t sts_sta_s1[16] = {14, 10, 7, 9, 12, 3, 2, 5, 13, 0, 15, 1, 4, 8, 6, 11};
const uint8_t sts_sta_s2[16] = {12, 8, 2, 13, 7, 6, 1, 3, 11, 5, 9, 15, 0, 4, 10, 14};
const uint8_t sts_sta_p[64] = {55, 42, 10, 18, 24, 21, 44, 35, 2,  22, 56, 43, 27, 58, 9,  50,
			       6,  36, 12, 61, 37, 38, 53, 16, 62, 3,  7,  4,  32, 20, 63, 25,
			       51, 52, 54, 33, 49, 19, 46, 29, 48, 31, 23, 30, 41, 28, 13, 5,
			       40, 60, 39, 11, 15, 17, 1,  0,  57, 34, 59, 8,  47, 14, 45, 26};

static uint64_t rotl64(uint64_t x, unsigned n)
{
	n &= 63;
	return n ? (x << n) | (x >> (64 - n)) : x;
}

static uint64_t rotr64(uint64_t x, unsigned n)
{
	n &= 63;
	return n ? (x >> n) | (x << (64 - n)) : x;
}

uint64_t sts_sta_round_key(uint64_t dk, unsigned round)
{
	return rotl64(rotr64(~dk, 12), round);
}

uint64_t sts_sta_substitute(uint64_t x, uint64_t round_key, const uint8_t t1[16],
			    const uint8_t t2[16])
{
	uint64_t out = 0;

	for (unsigned n = 0; n < 16; n++) {
		unsigned nib = (unsigned)(x >> (4 * n)) & 0xF;
		const uint8_t *t = ((round_key >> (4 * n + 3)) & 1) ? t2 : t1;

		out |= (uint64_t)t[nib] << (4 * n);
	}
	return out;
}

uint64_t sts_sta_decrypt(uint64_t block, uint64_t dk)
{
	uint8_t inv1[16], inv2[16];

	for (unsigned v = 0; v < 16; v++) {
		inv1[sts_sta_s1[v]] = (uint8_t)v;
		inv2[sts_sta_s2[v]] = (uint8_t)v;
	}
	/* The rounds backwards: undo the permutation, then the substitution of that round. */
	for (unsigned r = STS_STA_ROUNDS; r-- > 0;) {
		uint64_t y = 0;

		for (unsigned j = 0; j < 64; j++)
			y |= ((block >> sts_sta_p[j]) & 1) << j;
		block = sts_sta_substitute(y, sts_sta_round_key(dk, r), inv1, inv2);
	}
	return block;
}
