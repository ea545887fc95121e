/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DLMS/COSEM security suite 0 (IEC 62056-5-3, the Green Book's "cryptographic protection"):
 * AES-128-GCM with a 12-octet tag, and AES key wrap (RFC 3394) for the keys a head-end sends.
 * Pure: keys, system titles and invocation counters come in as arguments; AES-GCM and the key
 * wrap are nettle's.
 *
 * A protected APDU's ciphered part is SC || IC || (ciphertext or plaintext) || T:
 *   SC  the security control byte: bits 0-3 the suite (0), bit 4 authentication, bit 5
 *       encryption, bit 6 the broadcast key, bit 7 compression
 *   IC  the sender's invocation counter, 4 octets big-endian
 *   IV  the sender's system title (8 octets) || IC
 *   authenticated and encrypted: AAD = SC || AK, the APDU encrypted
 *   authenticated only:          AAD = SC || AK || APDU, the APDU in clear
 * HLS mechanism 5 (GMAC): f(challenge) = SC || IC || GMAC(SC || AK || challenge), SC = 0x10.
 * The Green Book's Table 40 (a ciphered get-request) and Table 43 (HLS-GMAC) are the unit
 * test's vectors (tests/unit/test_dlms_cipher.c).
 */
#ifndef POLYMETER_DLMS_CIPHER_H
#define POLYMETER_DLMS_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/axdr.h"

#define PM_DLMS_KEY_LEN 16
#define PM_DLMS_SYSTEM_TITLE_LEN 8
#define PM_DLMS_TAG_LEN 12
/* SC || IC */
#define PM_DLMS_SECURITY_HEADER_LEN 5
/* A wrapped key (RFC 3394: the key and one 8-octet block more). */
#define PM_DLMS_WRAPPED_KEY_LEN (PM_DLMS_KEY_LEN + 8)
/* f(challenge) of HLS-GMAC: SC || IC || T. */
#define PM_DLMS_HLS_REPLY_LEN (PM_DLMS_SECURITY_HEADER_LEN + PM_DLMS_TAG_LEN)

#define PM_DLMS_SC_AUTHENTICATED 0x10
#define PM_DLMS_SC_ENCRYPTED 0x20
#define PM_DLMS_SC_BROADCAST 0x40
#define PM_DLMS_SC_COMPRESSED 0x80
#define PM_DLMS_SC_SUITE_MASK 0x0F

struct pm_dlms_keys {
	uint8_t ek[PM_DLMS_KEY_LEN]; /* the global unicast encryption key */
	uint8_t ak[PM_DLMS_KEY_LEN]; /* the authentication key */
};

/*
 * Appends SC || IC || APDU protected as @sc says (authenticated, with or without encryption;
 * suite 0, unicast, uncompressed: the only kinds this server sends) to @out. @title is the
 * sender's system title, @ic its invocation counter for this APDU (never used before).
 */
void pm_dlms_protect(const struct pm_dlms_keys *k, uint8_t sc, const uint8_t *title, uint32_t ic,
		     const uint8_t *apdu, size_t n, struct pm_axdr_out *out);

/* Why a protected APDU was refused. */
enum pm_dlms_unprotect_status {
	PM_DLMS_UNPROTECT_OK = 0,
	PM_DLMS_UNPROTECT_MALFORMED = -1,   /* shorter than its header and tag */
	PM_DLMS_UNPROTECT_UNSUPPORTED = -2, /* another suite, no authentication, broadcast or
					     * compressed */
	PM_DLMS_UNPROTECT_BAD_TAG = -3,	    /* the tag does not verify: wrong key or title, or
					     * the octets were changed */
};

/*
 * Checks and deciphers @p (@n octets: SC || IC || data || T) sent by @title. On OK the APDU is
 * in @apdu (room for @n octets at least), its length in @napdu, and @sc and @ic are the
 * header's; otherwise @apdu holds nothing of use.
 */
int pm_dlms_unprotect(const struct pm_dlms_keys *k, const uint8_t *title, const uint8_t *p,
		      size_t n, uint8_t *sc, uint32_t *ic, uint8_t *apdu, size_t *napdu);

/* HLS-GMAC: f(@challenge) by the party with system title @title and invocation counter @ic. */
void pm_dlms_hls_gmac(const struct pm_dlms_keys *k, const uint8_t *title, uint32_t ic,
		      const uint8_t *challenge, size_t n, uint8_t reply[PM_DLMS_HLS_REPLY_LEN]);

/* Whether @reply (@nreply octets) is f(@challenge) of the party @title; its IC in @ic. The tag
 * is compared in constant time. */
bool pm_dlms_hls_gmac_check(const struct pm_dlms_keys *k, const uint8_t *title,
			    const uint8_t *reply, size_t nreply, const uint8_t *challenge, size_t n,
			    uint32_t *ic);

/* RFC 3394 key unwrap with the default IV: @wrapped (24 octets) under the key-encrypting key
 * @kek into @key. False when the integrity check fails (another KEK, changed octets). */
bool pm_dlms_key_unwrap(const uint8_t kek[PM_DLMS_KEY_LEN],
			const uint8_t wrapped[PM_DLMS_WRAPPED_KEY_LEN],
			uint8_t key[PM_DLMS_KEY_LEN]);

#endif
