/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STS ciphers and decoder key generation: STA (EA07), DES (FIPS 46-3, for DKGA02),
 * SHA-256 / HMAC-SHA-256 (FIPS 180-4 / RFC 2104, for DKGA04). Written from the specifications;
 * the STA tables are the production ones listed in prepay-sts.md §1.6.
 */
#include "core/sts/sts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* --- STA (EA07) ---------------------------------------------------------------------------- */

static const uint8_t sta_s1[16] = {14, 10, 7, 9, 12, 3, 2, 5, 13, 0, 15, 1, 4, 8, 6, 11};
static const uint8_t sta_s2[16] = {12, 8, 2, 13, 7, 6, 1, 3, 11, 5, 9, 15, 0, 4, 10, 14};
/* Output bit sta_p[j] = input bit j. */
static const uint8_t sta_p[64] = {55, 42, 10, 18, 24, 21, 44, 35, 2,  22, 56, 43, 27, 58, 9,  50,
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

static uint64_t sta_substitute(uint64_t x, uint64_t k, const uint8_t *t1, const uint8_t *t2)
{
	uint64_t out = 0;

	for (unsigned n = 0; n < 16; n++) {
		unsigned nib = (unsigned)(x >> (4 * n)) & 0xF;
		const uint8_t *t = ((k >> (4 * n + 3)) & 1) ? t2 : t1;

		out |= (uint64_t)t[nib] << (4 * n);
	}
	return out;
}

uint64_t sts_sta_encrypt(uint64_t block, uint64_t dk)
{
	uint64_t k = rotr64(~dk, 12);

	for (unsigned i = 0; i < 16; i++) {
		uint64_t x = sta_substitute(block, k, sta_s1, sta_s2);
		uint64_t y = 0;

		for (unsigned j = 0; j < 64; j++)
			y |= ((x >> j) & 1) << sta_p[j];
		block = y;
		k = rotl64(k, 1);
	}
	return block;
}

uint64_t sts_sta_decrypt(uint64_t block, uint64_t dk)
{
	uint8_t inv1[16], inv2[16];
	uint64_t k0 = rotr64(~dk, 12);

	for (unsigned v = 0; v < 16; v++) {
		inv1[sta_s1[v]] = (uint8_t)v;
		inv2[sta_s2[v]] = (uint8_t)v;
	}
	for (unsigned r = 16; r-- > 0;) {
		uint64_t y = 0;

		for (unsigned j = 0; j < 64; j++)
			y |= ((block >> sta_p[j]) & 1) << j;
		block = sta_substitute(y, rotl64(k0, r), inv1, inv2);
	}
	return block;
}

/* --- DES (FIPS 46-3), encryption of one block only --------------------------------------- */

/* Tables use the standard's numbering: bit 1 is the most significant bit. */
static const uint8_t des_ip[64] = {58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
				   62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
				   57, 49, 41, 33, 25, 17, 9,  1, 59, 51, 43, 35, 27, 19, 11, 3,
				   61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7};
static const uint8_t des_fp[64] = {40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31,
				   38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
				   36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27,
				   34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9,	 49, 17, 57, 25};
static const uint8_t des_e[48] = {32, 1,  2,  3,  4,  5,  4,  5,  6,  7,  8,  9,  8,  9,  10, 11,
				  12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21,
				  22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1};
static const uint8_t des_p[32] = {16, 7, 20, 21, 29, 12, 28, 17, 1,  15, 23, 26, 5,  18, 31, 10,
				  2,  8, 24, 14, 32, 27, 3,  9,	 19, 13, 30, 6,	 22, 11, 4,  25};
static const uint8_t des_pc1[56] = {57, 49, 41, 33, 25, 17, 9,	1,  58, 50, 42, 34, 26, 18,
				    10, 2,  59, 51, 43, 35, 27, 19, 11, 3,  60, 52, 44, 36,
				    63, 55, 47, 39, 31, 23, 15, 7,  62, 54, 46, 38, 30, 22,
				    14, 6,  61, 53, 45, 37, 29, 21, 13, 5,  28, 20, 12, 4};
static const uint8_t des_pc2[48] = {14, 17, 11, 24, 1,	5,  3,	28, 15, 6,  21, 10, 23, 19, 12, 4,
				    26, 8,  16, 7,  27, 20, 13, 2,  41, 52, 31, 37, 47, 55, 30, 40,
				    51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32};
static const uint8_t des_shifts[16] = {1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1};
static const uint8_t des_s[8][64] = {
    {14, 4,  13, 1, 2,	15, 11, 8, 3, 10, 6, 12, 5,  9,	 0,  7,	 0,  15, 7,  4,	 14, 2,
     13, 1,  10, 6, 12, 11, 9,	5, 3, 8,  4, 1,	 14, 8,	 13, 6,	 2,  11, 15, 12, 9,  7,
     3,	 10, 5,	 0, 15, 12, 8,	2, 4, 9,  1, 7,	 5,  11, 3,  14, 10, 0,	 6,  13},
    {15, 1,  8,	 14, 6,	 11, 3,	 4, 9,	7,  2, 13, 12, 0,  5,  10, 3,  13, 4,  7, 15, 2,
     8,	 14, 12, 0,  1,	 10, 6,	 9, 11, 5,  0, 14, 7,  11, 10, 4,  13, 1,  5,  8, 12, 6,
     9,	 3,  2,	 15, 13, 8,  10, 1, 3,	15, 4, 2,  11, 6,  7,  12, 0,  5,  14, 9},
    {10, 0,  9,	 14, 6, 3,  15, 5,  1,	13, 12, 7, 11, 4,  2,  8,  13, 7, 0,  9, 3, 4,
     6,	 10, 2,	 8,  5, 14, 12, 11, 15, 1,  13, 6, 4,  9,  8,  15, 3,  0, 11, 1, 2, 12,
     5,	 10, 14, 7,  1, 10, 13, 0,  6,	9,  8,	7, 4,  15, 14, 3,  11, 5, 2,  12},
    {7, 13, 14, 3, 0, 6,  9, 10, 1,  2, 8,  5, 11, 12, 4,  15, 13, 8,  11, 5, 6, 15,
     0, 3,  4,	7, 2, 12, 1, 10, 14, 9, 10, 6, 9,  0,  12, 11, 7,  13, 15, 1, 3, 14,
     5, 2,  8,	4, 3, 15, 0, 6,	 10, 1, 13, 8, 9,  4,  5,  11, 12, 7,  2,  14},
    {2,	 12, 4, 1,  7,	10, 11, 6, 8, 5,  3, 15, 13, 0,	 14, 9,	 14, 11, 2,  12, 4,  7,
     13, 1,  5, 0,  15, 10, 3,	9, 8, 6,  4, 2,	 1,  11, 10, 13, 7,  8,	 15, 9,	 12, 5,
     6,	 3,  0, 14, 11, 8,  12, 7, 1, 14, 2, 13, 6,  15, 0,  9,	 10, 4,	 5,  3},
    {12, 1,  10, 15, 9,	 2,  6, 8,  0, 13, 3,  4,  14, 7,  5, 11, 10, 15, 4, 2, 7, 12,
     9,	 5,  6,	 1,  13, 14, 0, 11, 3, 8,  9,  14, 15, 5,  2, 8,  12, 3,  7, 0, 4, 10,
     1,	 13, 11, 6,  4,	 3,  2, 12, 9, 5,  15, 10, 11, 14, 1, 7,  6,  0,  8, 13},
    {4, 11, 2,	14, 15, 0,  8,	13, 3, 12, 9,  7, 5,  10, 6,  1,  13, 0,  11, 7,  4, 9,
     1, 10, 14, 3,  5,	12, 2,	15, 8, 6,  1,  4, 11, 13, 12, 3,  7,  14, 10, 15, 6, 8,
     0, 5,  9,	2,  6,	11, 13, 8,  1, 4,  10, 7, 9,  5,  0,  15, 14, 2,  3,  12},
    {13, 2, 8,	4, 6, 15, 11, 1,  10, 9,  3, 14, 5,  0,	 12, 7,	 1,  15, 13, 8, 10, 3,
     7,	 4, 12, 5, 6, 11, 0,  14, 9,  2,  7, 11, 4,  1,	 9,  12, 14, 2,	 0,  6, 10, 13,
     15, 3, 5,	8, 2, 1,  14, 7,  4,  10, 8, 13, 15, 12, 9,  0,	 3,  5,	 6,  11},
};

/* Select bits: output bit i (1-based from the MSB of an n_out-bit result) = input bit tab[i]
 * (1-based from the MSB of an n_in-bit input). */
static uint64_t des_permute(uint64_t in, unsigned n_in, const uint8_t *tab, unsigned n_out)
{
	uint64_t out = 0;

	for (unsigned i = 0; i < n_out; i++)
		out = (out << 1) | ((in >> (n_in - tab[i])) & 1);
	return out;
}

static uint64_t des_encrypt(uint64_t key, uint64_t block)
{
	uint64_t cd = des_permute(key, 64, des_pc1, 56);
	uint32_t c = (uint32_t)(cd >> 28) & 0xFFFFFFF, d = (uint32_t)cd & 0xFFFFFFF;
	uint64_t x = des_permute(block, 64, des_ip, 64);
	uint32_t l = (uint32_t)(x >> 32), r = (uint32_t)x;

	for (unsigned round = 0; round < 16; round++) {
		for (unsigned s = 0; s < des_shifts[round]; s++) {
			c = ((c << 1) | (c >> 27)) & 0xFFFFFFF;
			d = ((d << 1) | (d >> 27)) & 0xFFFFFFF;
		}
		uint64_t subkey = des_permute(((uint64_t)c << 28) | d, 56, des_pc2, 48);
		uint64_t e = des_permute(r, 32, des_e, 48) ^ subkey;
		uint32_t sout = 0;

		for (unsigned b = 0; b < 8; b++) {
			unsigned six = (unsigned)(e >> (42 - 6 * b)) & 0x3F;
			unsigned row = ((six >> 4) & 2) | (six & 1);
			unsigned col = (six >> 1) & 0xF;

			sout = (sout << 4) | des_s[b][row * 16 + col];
		}
		uint32_t f = (uint32_t)des_permute(sout, 32, des_p, 32);
		uint32_t t = l ^ f;

		l = r;
		r = t;
	}
	return des_permute(((uint64_t)r << 32) | l, 64, des_fp, 64);
}

/* --- SHA-256 and HMAC-SHA-256 ------------------------------------------------------------- */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

struct sha256 {
	uint32_t h[8];
	uint8_t buf[64];
	unsigned used;
	uint64_t total;
};

static uint32_t ror32(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], v[8];

	for (unsigned i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (unsigned i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, s->h, sizeof(v));
	for (unsigned i = 0; i < 64; i++) {
		uint32_t s1 = ror32(v[4], 6) ^ ror32(v[4], 11) ^ ror32(v[4], 25);
		uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint32_t t1 = v[7] + s1 + ch + sha_k[i] + w[i];
		uint32_t s0 = ror32(v[0], 2) ^ ror32(v[0], 13) ^ ror32(v[0], 22);
		uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		uint32_t t2 = s0 + maj;

		memmove(&v[1], &v[0], 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (unsigned i = 0; i < 8; i++)
		s->h[i] += v[i];
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(s->h, h0, sizeof(h0));
	s->used = 0;
	s->total = 0;
}

static void sha256_update(struct sha256 *s, const uint8_t *p, size_t n)
{
	s->total += n;
	while (n > 0) {
		size_t take = 64 - s->used < n ? 64 - s->used : n;

		memcpy(s->buf + s->used, p, take);
		s->used += (unsigned)take;
		p += take;
		n -= take;
		if (s->used == 64) {
			sha256_block(s, s->buf);
			s->used = 0;
		}
	}
}

static void sha256_final(struct sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->total * 8;
	uint8_t pad = 0x80, zero = 0, len[8];

	sha256_update(s, &pad, 1);
	while (s->used != 56)
		sha256_update(s, &zero, 1);
	for (unsigned i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, len, 8);
	for (unsigned i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

static void hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
			uint8_t out[32])
{
	uint8_t k[64] = {0}, pad[64], inner[32];
	struct sha256 s;

	if (key_len > 64) {
		sha256_init(&s);
		sha256_update(&s, key, key_len);
		sha256_final(&s, k);
	} else {
		memcpy(k, key, key_len);
	}
	for (unsigned i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha256_init(&s);
	sha256_update(&s, pad, 64);
	sha256_update(&s, msg, msg_len);
	sha256_final(&s, inner);
	for (unsigned i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sha256_init(&s);
	sha256_update(&s, pad, 64);
	sha256_update(&s, inner, 32);
	sha256_final(&s, out);
}

/* --- decoder key generation ---------------------------------------------------------------- */

uint64_t sts_dk_from_bytes(const uint8_t bytes[8])
{
	uint64_t dk = 0;

	for (unsigned i = 0; i < 8; i++)
		dk = (dk << 8) | bytes[i];
	return dk;
}

void sts_dk_to_bytes(uint64_t dk, uint8_t bytes[8])
{
	for (unsigned i = 0; i < 8; i++)
		bytes[i] = (uint8_t)(dk >> (56 - 8 * i));
}

static void set_err(char *err, const char *msg)
{
	if (err)
		snprintf(err, STS_ERROR_LEN, "%s", msg);
}

static bool all_digits(const char *s, size_t n)
{
	if (!s || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Checks the identity: IIN 6 digits + DRN 11, or IIN 4 digits + DRN 13. */
static int check_identity(const struct sts_key_params *p, char *err)
{
	if (!p || !p->iin || !p->drn) {
		set_err(err, "meter identity missing (IIN and DRN are required)");
		return -EINVAL;
	}
	if (!(all_digits(p->iin, 6) && all_digits(p->drn, 11)) &&
	    !(all_digits(p->iin, 4) && all_digits(p->drn, 13))) {
		set_err(err, "meter identity must be a 6-digit IIN with an 11-digit DRN, "
			     "or a 4-digit IIN with a 13-digit DRN");
		return -EINVAL;
	}
	if (p->kt > 3 || p->sgc > 999999 || p->ti > 99 || p->krn > 15) {
		set_err(err, "key parameters out of range (KT 0..3, SGC 0..999999, TI 0..99, "
			     "KRN 0..15)");
		return -EINVAL;
	}
	return 0;
}

int sts_pan(const struct sts_key_params *p, char pan[19])
{
	int rc = check_identity(p, NULL);
	unsigned sum = 0;

	if (rc < 0)
		return rc;
	snprintf(pan, 19, "%s%s", p->iin, p->drn);
	/* Luhn: double every second digit from the right of the 17 digits, check digit last. */
	for (unsigned i = 0; i < 17; i++) {
		unsigned d = (unsigned)(pan[16 - i] - '0');

		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	pan[17] = (char)('0' + (10 - sum % 10) % 10);
	pan[18] = '\0';
	return 0;
}

int sts_dkga02(const uint8_t vk[8], const struct sts_key_params *p, uint64_t *dk, char *err)
{
	int rc = check_identity(p, err);
	uint64_t pb = 0, cb;
	char digits[17];

	if (rc < 0)
		return rc;
	if (!vk || !dk) {
		set_err(err, "vending key and output are required");
		return -EINVAL;
	}
	/* PAN block: the last 16 digits of IIN + DRN as BCD (the IIN's first digit is dropped);
	 * key type 3 zeroes the DRN digits. */
	snprintf(digits, sizeof(digits), "%s%s", p->iin + 1, p->drn);
	if (p->kt == 3)
		for (size_t i = strlen(p->iin) - 1; i < 16; i++)
			digits[i] = '0';
	for (unsigned i = 0; i < 16; i++)
		pb = (pb << 4) | (uint64_t)(digits[i] - '0');
	/* Control block: KT(1) SGC(6) TI(2) KRN(1) FFFFFF, as BCD/hex nibbles. */
	cb = (uint64_t)p->kt << 60;
	for (unsigned i = 0; i < 6; i++) {
		unsigned pow10 = 1;

		for (unsigned j = 0; j < 5 - i; j++)
			pow10 *= 10;
		cb |= (uint64_t)((p->sgc / pow10) % 10) << (56 - 4 * i);
	}
	cb |= (uint64_t)(p->ti / 10) << 32 | (uint64_t)(p->ti % 10) << 28;
	cb |= (uint64_t)(p->krn & 0xF) << 24 | UINT64_C(0xFFFFFF);

	uint64_t data = pb ^ cb, key = sts_dk_from_bytes(vk);

	*dk = des_encrypt(key, data) ^ data ^ key;
	return 0;
}

int sts_dkga04(const uint8_t *vk, unsigned vk_len, const struct sts_key_params *p, uint64_t *dk,
	       char *err)
{
	static const char *base_code[] = {"93", "14", "35"};
	static const char hex[] = "0123456789abcdef";
	uint8_t msg[64], mac[32];
	char pan[19];
	size_t n = 0;
	int rc = check_identity(p, err);

	if (rc < 0)
		return rc;
	if (!vk || !dk || vk_len != 20) {
		set_err(err, "DKGA04 for STA needs a 160-bit (20-byte) vending key");
		return -EINVAL;
	}
	if (p->base > STS_BASE_2035) {
		set_err(err, "unknown base date");
		return -EINVAL;
	}
	sts_pan(p, pan);
#define PUT(b) (msg[n++] = (uint8_t)(b))
	PUT(0x04);
	PUT(0x02);
	PUT('0');
	PUT('4');
	PUT(0x02);
	PUT(base_code[p->base][0]);
	PUT(base_code[p->base][1]);
	PUT(0x02);
	PUT('0');
	PUT('7');
	PUT(0x02);
	PUT('0' + p->ti / 10);
	PUT('0' + p->ti % 10);
	PUT(0x00);
	PUT(0x04);
	PUT(0x06);
	for (unsigned i = 0, d = 100000; i < 6; i++, d /= 10)
		PUT('0' + (p->sgc / d) % 10);
	PUT(0x01);
	PUT(hex[p->kt & 0xF]);
	PUT(0x01);
	PUT(hex[p->krn & 0xF]);
	PUT(0x12);
	for (unsigned i = 0; i < 18; i++)
		PUT(pan[i]);
	PUT(0x00);
	PUT(0x00);
	PUT(0x00);
	PUT(64);
#undef PUT
	hmac_sha256(vk, vk_len, msg, n, mac);
	*dk = sts_dk_from_bytes(mac);
	return 0;
}
