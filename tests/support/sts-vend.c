/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test support: making STS tokens (the vending side; see sts-vend.h). The STA tables, key
 * schedule and S-box selection are the meter's own (core/sts/sts-sta.h), so encryption here
 * and decryption in polymeterd cannot drift apart.
 */
#include "support/sts-vend.h"

#include "core/sts/sts-sta.h"

#include <errno.h>

#define BIT(n) (UINT64_C(1) << (n))
#define CLASS_BITS (BIT(28) | BIT(27))

uint64_t sts_sta_encrypt(uint64_t block, uint64_t dk)
{
	for (unsigned r = 0; r < STS_STA_ROUNDS; r++) {
		uint64_t x =
		    sts_sta_substitute(block, sts_sta_round_key(dk, r), sts_sta_s1, sts_sta_s2);
		uint64_t y = 0;

		for (unsigned j = 0; j < 64; j++)
			y |= ((x >> j) & 1) << sts_sta_p[j];
		block = y;
	}
	return block;
}

struct sts_value66 sts_transpose(uint64_t block, unsigned token_class)
{
	struct sts_value66 v;

	/* The displaced block bits 28..27 go to bits 65..64, the class takes their place. */
	v.hi = (uint8_t)(((block >> 28) & 1) << 1 | ((block >> 27) & 1));
	v.lo = (block & ~CLASS_BITS) | (uint64_t)(token_class & 3) << 27;
	return v;
}

void sts_format(struct sts_value66 value, char text[STS_TOKEN_TEXT_LEN])
{
	/* Long division of the 66-bit value by 10 in 32-bit limbs: no 128-bit type. */
	uint64_t w2 = value.hi & 3, w1 = value.lo >> 32, w0 = value.lo & 0xFFFFFFFF;

	for (int i = STS_TOKEN_DIGITS - 1; i >= 0; i--) {
		uint64_t r = w2 % 10;

		w2 /= 10;
		uint64_t x = r << 32 | w1;
		w1 = x / 10;
		r = x % 10;
		x = r << 32 | w0;
		w0 = x / 10;
		text[i] = (char)('0' + x % 10);
	}
	text[STS_TOKEN_DIGITS] = '\0';
}

int sts_amount_encode(uint32_t counts, uint16_t *field)
{
	/* The decoded amount grows strictly with the 16-bit field (prepay-sts.md §1.2), so the
	 * field that rounds up is the smallest one whose amount is not below counts; searching
	 * over the meter's own decoding also takes the carry into the next exponent (e.g. 180223
	 * -> 0x8000) without a special case. */
	uint32_t lo = 0, hi = 0xFFFF;

	if (counts > STS_AMOUNT_MAX)
		return -ERANGE;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (sts_amount_decode((uint16_t)mid) >= counts)
			hi = mid;
		else
			lo = mid + 1;
	}
	*field = (uint16_t)lo;
	return 0;
}

uint64_t sts_middle_tid(uint8_t rnd, uint32_t tid, uint16_t field)
{
	return (uint64_t)(rnd & 0xF) << 40 | (uint64_t)(tid & STS_TID_MAX) << 16 | field;
}

int sts_encode(unsigned token_class, unsigned subclass, uint64_t middle44, uint64_t dk,
	       char text[STS_TOKEN_TEXT_LEN])
{
	uint64_t block;

	if (token_class > 3 || subclass > 15 || middle44 >= BIT(44) || !text)
		return -EINVAL;
	block = (uint64_t)subclass << 60 | middle44 << 16;
	block |= sts_crc(token_class, block);
	if (token_class != STS_CLASS_NON_METER)
		block = sts_sta_encrypt(block, dk);
	sts_format(sts_transpose(block, token_class), text);
	return 0;
}
