/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test support: STS decoder key generation from a vending key (prepay-sts.md §1.7). This is
 * the key management centre's job, never the meter's: a meter is provisioned with its decoder
 * key, so polymeterd does not contain it. The tests derive the keys of the published vectors
 * with it (and so check the derivation against them). DES and HMAC-SHA-256 come from nettle.
 */
#ifndef POLYMETER_TESTS_STS_KEYGEN_H
#define POLYMETER_TESTS_STS_KEYGEN_H

#include <stdint.h>

/* Decoder key forms. The integer form (struct sts_meter.dk) is the DES / HMAC output bytes
 * read big-endian; NectarAPI displays the bytes reversed, the tests use both. */
uint64_t sts_dk_from_bytes(const uint8_t bytes[8]);
void sts_dk_to_bytes(uint64_t dk, uint8_t bytes[8]);

/* Meter identity and key parameters for decoder key generation. */
struct sts_key_params {
	const char *iin; /* "600727" (6 digits) or the legacy "0000" (4 digits) */
	const char *drn; /* 11 digits with a 6-digit IIN, 13 digits with a 4-digit IIN */
	uint8_t kt;	 /* key type 0..3 (3: DRN digits are zeroed in DKGA02) */
	uint32_t sgc;	 /* supply group code, 0..999999 */
	uint8_t ti;	 /* tariff index 0..99 */
	uint8_t krn;	 /* key revision number 1..9 */
	uint8_t base;	 /* enum sts_base (DKGA04 only) */
};

/* DKGA02: DK = DES(VK, PB ^ CB) ^ PB ^ CB ^ VK, for STA. Returns 0 or -EINVAL (err, of
 * STS_ERROR_LEN bytes or NULL, says why). */
int sts_dkga02(const uint8_t vk[8], const struct sts_key_params *p, uint64_t *dk, char *err);
/* DKGA04 for STA: the first 8 bytes of HMAC-SHA-256(VK, data); vk_len bytes of vending key
 * (160 bits). Returns 0 or -EINVAL. */
int sts_dkga04(const uint8_t *vk, unsigned vk_len, const struct sts_key_params *p, uint64_t *dk,
	       char *err);
/* The 18-digit PAN: IIN + DRN + Luhn check digit. Returns 0 or -EINVAL. */
int sts_pan(const struct sts_key_params *p, char pan[19]);

#endif
