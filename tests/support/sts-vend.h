/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test support: the vending side of STS tokens (prepay-sts.md §1.2, §1.5), which a meter never
 * needs and polymeterd does not contain: STA encryption, the class-bit transposition, the
 * 20-digit text of a 66-bit value, amount rounding and the whole token encoder. The unit tests
 * and the fuzzer make tokens with it; test_sts checks it bit for bit against the published
 * vectors, so a token it makes is a token a vending system would make.
 */
#ifndef POLYMETER_TESTS_STS_VEND_H
#define POLYMETER_TESTS_STS_VEND_H

#include "core/sts/sts.h"

#include <stdint.h>

/* STA (EA07) encryption of one block with the decoder key in integer form. */
uint64_t sts_sta_encrypt(uint64_t block, uint64_t dk);

/* 64-bit (encrypted) block + class -> 66-bit token value: the inverse of sts_untranspose(). */
struct sts_value66 sts_transpose(uint64_t block, unsigned token_class);

/* 66-bit value -> 20 digits, zero-padded: the inverse of sts_parse(). */
void sts_format(struct sts_value66 value, char text[STS_TOKEN_TEXT_LEN]);

/* Counts -> amount field, rounding UP to the next representable amount (as vending does).
 * Returns 0, or -ERANGE when counts > STS_AMOUNT_MAX (field unchanged). */
int sts_amount_encode(uint32_t counts, uint16_t *field);

/* The 44 middle bits of a class 0 / class 2 register token. */
uint64_t sts_middle_tid(uint8_t rnd, uint32_t tid, uint16_t field);

/* A token from its class, subclass and the 44 middle bits (block bits 59..16): the CRC is
 * computed, classes 0 and 2 are encrypted with dk. Returns 0 or -EINVAL. */
int sts_encode(unsigned token_class, unsigned subclass, uint64_t middle44, uint64_t dk,
	       char text[STS_TOKEN_TEXT_LEN]);

#endif
