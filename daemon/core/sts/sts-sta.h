/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STA, the Standard Transfer Algorithm (EA07) of STS (prepay-sts.md §1.6): a 16-round
 * substitution-permutation network on one 64-bit block with 4-bit S-boxes chosen by the key.
 *
 * The meter only decrypts. The tables, the key schedule and the S-box selection are exported so
 * that the vending side of the tests (tests/support/sts-vend.c) encrypts with the very same
 * definitions instead of a second copy of them; polymeterd itself has no STA encryption.
 */
#ifndef POLYMETER_STS_STA_H
#define POLYMETER_STS_STA_H

#include <stdint.h>

#define STS_STA_ROUNDS 16

/* The production S-boxes and the permutation: output bit sts_sta_p[j] = input bit j. */
extern const uint8_t sts_sta_s1[16];
extern const uint8_t sts_sta_s2[16];
extern const uint8_t sts_sta_p[64];

/* The key of round r (0..15) for a decoder key in integer form: ROTL64(ROTR64(~dk, 12), r). */
uint64_t sts_sta_round_key(uint64_t dk, unsigned round);

/* Each nibble n of x through t2 when bit 4n + 3 of the round key is set, else through t1. */
uint64_t sts_sta_substitute(uint64_t x, uint64_t round_key, const uint8_t t1[16],
			    const uint8_t t2[16]);

/* STA decryption of one block with the decoder key in integer form. */
uint64_t sts_sta_decrypt(uint64_t block, uint64_t dk);

#endif
