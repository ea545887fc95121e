/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test support: STS decoder key generation, DKGA02 and DKGA04 for STA (prepay-sts.md §1.7;
 * see sts-keygen.h). The primitives are nettle's (Debian's nettle-dev): DES for DKGA02,
 * HMAC-SHA-256 for DKGA04.
 */
#include "support/sts-keygen.h"

#include "core/sts/sts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <nettle/des.h>
#include <nettle/hmac.h>

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

	uint64_t data = pb ^ cb;
	uint8_t in[DES_BLOCK_SIZE], out[DES_BLOCK_SIZE];
	struct des_ctx des;

	/* des_set_key() returns 0 for DES's weak keys but sets the key all the same; DKGA02 is
	 * defined for any vending key, so a weak one is not refused here. */
	(void)des_set_key(&des, vk);
	sts_dk_to_bytes(data, in);
	des_encrypt(&des, DES_BLOCK_SIZE, out, in);
	*dk = sts_dk_from_bytes(out) ^ data ^ sts_dk_from_bytes(vk);
	return 0;
}

int sts_dkga04(const uint8_t *vk, unsigned vk_len, const struct sts_key_params *p, uint64_t *dk,
	       char *err)
{
	static const char *base_code[] = {"93", "14", "35"};
	static const char hex[] = "0123456789abcdef";
	uint8_t msg[64], mac[SHA256_DIGEST_SIZE];
	struct hmac_sha256_ctx hmac;
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
	/* The data, in the order of prepay-sts.md §1.7 (quoted parts as ASCII). */
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
	PUT(64); /* key bits */
#undef PUT
	hmac_sha256_set_key(&hmac, vk_len, vk);
	hmac_sha256_update(&hmac, n, msg);
	hmac_sha256_digest(&hmac, sizeof(mac), mac);
	*dk = sts_dk_from_bytes(mac);
	return 0;
}
