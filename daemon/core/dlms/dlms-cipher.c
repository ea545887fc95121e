// SPDX-License-Identifier: GPL-2.0-only
/*
 * Security suite 0 (dlms-cipher.h) over nettle's AES-128-GCM and AES key wrap: this file only
 * lays out the IV, the additional data and the header the Green Book prescribes.
 */
#include <string.h>

#include <nettle/aes.h>
#include <nettle/gcm.h>
#include <nettle/memops.h>
#include <nettle/nist-keywrap.h>

#include "core/dlms/dlms-cipher.h"

/*
 * The additional data, given in pieces: nettle takes it in calls of whole 16-octet blocks but
 * the last, and SC || AK || ... is 17 octets before what follows, so it is gathered here.
 */
struct aad {
	struct gcm_aes128_ctx *ctx;
	uint8_t block[GCM_BLOCK_SIZE];
	size_t n;
};

static void aad_add(struct aad *a, const uint8_t *p, size_t n)
{
	size_t take, whole;

	while (n) {
		if (a->n == 0 && n >= GCM_BLOCK_SIZE) {
			whole = n - n % GCM_BLOCK_SIZE;
			gcm_aes128_update(a->ctx, whole, p);
			p += whole;
			n -= whole;
			continue;
		}
		take = GCM_BLOCK_SIZE - a->n < n ? GCM_BLOCK_SIZE - a->n : n;
		memcpy(a->block + a->n, p, take);
		a->n += take;
		p += take;
		n -= take;
		if (a->n == GCM_BLOCK_SIZE) {
			gcm_aes128_update(a->ctx, GCM_BLOCK_SIZE, a->block);
			a->n = 0;
		}
	}
}

/* The expanded key schedule and the additional data (a piece of AK) of one operation: wiped
 * before the stack frame is left, so no later frame finds the key in its memory. */
static void wipe(struct gcm_aes128_ctx *ctx, struct aad *aad)
{
	explicit_bzero(ctx, sizeof(*ctx));
	explicit_bzero(aad, sizeof(*aad));
}

static void aad_end(struct aad *a)
{
	if (a->n)
		gcm_aes128_update(a->ctx, a->n, a->block);
	a->n = 0;
}

/* The IV: the sender's system title, then its invocation counter (big-endian); the
 * additional data opened with SC || AK (the caller adds the rest, if any, and ends it). */
static void start(struct gcm_aes128_ctx *ctx, struct aad *aad, const struct pm_dlms_keys *k,
		  uint8_t sc, const uint8_t *title, uint32_t ic)
{
	uint8_t iv[PM_DLMS_SYSTEM_TITLE_LEN + 4];

	memcpy(iv, title, PM_DLMS_SYSTEM_TITLE_LEN);
	iv[8] = (uint8_t)(ic >> 24);
	iv[9] = (uint8_t)(ic >> 16);
	iv[10] = (uint8_t)(ic >> 8);
	iv[11] = (uint8_t)ic;
	gcm_aes128_set_key(ctx, k->ek);
	gcm_aes128_set_iv(ctx, sizeof(iv), iv);
	aad->ctx = ctx;
	aad->n = 0;
	aad_add(aad, &sc, 1);
	aad_add(aad, k->ak, PM_DLMS_KEY_LEN);
}

void pm_dlms_protect(const struct pm_dlms_keys *k, uint8_t sc, const uint8_t *title, uint32_t ic,
		     const uint8_t *apdu, size_t n, struct pm_axdr_out *out)
{
	struct gcm_aes128_ctx ctx;
	uint8_t tag[PM_DLMS_TAG_LEN];
	struct aad aad;
	size_t at;

	pm_axdr_put_byte(out, sc);
	pm_axdr_put_u32be(out, ic);
	start(&ctx, &aad, k, sc, title, ic);
	at = out->len;
	pm_axdr_put_raw(out, apdu, n);
	if (out->overflow) {
		wipe(&ctx, &aad);
		return;
	}
	if (!(sc & PM_DLMS_SC_ENCRYPTED))
		aad_add(&aad, apdu, n);
	aad_end(&aad);
	if (sc & PM_DLMS_SC_ENCRYPTED)
		gcm_aes128_encrypt(&ctx, n, out->buf + at, apdu);
	gcm_aes128_digest(&ctx, sizeof(tag), tag);
	wipe(&ctx, &aad);
	pm_axdr_put_raw(out, tag, sizeof(tag));
}

int pm_dlms_unprotect(const struct pm_dlms_keys *k, const uint8_t *title, const uint8_t *p,
		      size_t n, uint8_t *sc, uint32_t *ic, uint8_t *apdu, size_t *napdu)
{
	struct gcm_aes128_ctx ctx;
	uint8_t tag[PM_DLMS_TAG_LEN];
	struct aad aad;
	size_t len;

	*napdu = 0;
	if (n < PM_DLMS_SECURITY_HEADER_LEN + PM_DLMS_TAG_LEN)
		return PM_DLMS_UNPROTECT_MALFORMED;
	*sc = p[0];
	*ic = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
	/* an APDU without a tag proves nothing about its sender: refused like a wrong one */
	if ((*sc & PM_DLMS_SC_SUITE_MASK) != 0 || !(*sc & PM_DLMS_SC_AUTHENTICATED) ||
	    (*sc & (PM_DLMS_SC_BROADCAST | PM_DLMS_SC_COMPRESSED)))
		return PM_DLMS_UNPROTECT_UNSUPPORTED;
	len = n - PM_DLMS_SECURITY_HEADER_LEN - PM_DLMS_TAG_LEN;
	p += PM_DLMS_SECURITY_HEADER_LEN;
	start(&ctx, &aad, k, *sc, title, *ic);
	if (*sc & PM_DLMS_SC_ENCRYPTED) {
		aad_end(&aad);
		gcm_aes128_decrypt(&ctx, len, apdu, p);
	} else {
		aad_add(&aad, p, len);
		aad_end(&aad);
		memcpy(apdu, p, len);
	}
	gcm_aes128_digest(&ctx, sizeof(tag), tag);
	wipe(&ctx, &aad);
	if (!memeql_sec(tag, p + len, sizeof(tag))) {
		/* a forged APDU's plaintext is not handed on, not even by mistake */
		memset(apdu, 0, len);
		return PM_DLMS_UNPROTECT_BAD_TAG;
	}
	*napdu = len;
	return PM_DLMS_UNPROTECT_OK;
}

/* The GMAC tag of SC || AK || @challenge under the IV of @title and @ic. */
static void gmac(const struct pm_dlms_keys *k, const uint8_t *title, uint32_t ic,
		 const uint8_t *challenge, size_t n, uint8_t tag[PM_DLMS_TAG_LEN])
{
	struct gcm_aes128_ctx ctx;
	struct aad aad;

	start(&ctx, &aad, k, PM_DLMS_SC_AUTHENTICATED, title, ic);
	aad_add(&aad, challenge, n);
	aad_end(&aad);
	gcm_aes128_digest(&ctx, PM_DLMS_TAG_LEN, tag);
	wipe(&ctx, &aad);
}

void pm_dlms_hls_gmac(const struct pm_dlms_keys *k, const uint8_t *title, uint32_t ic,
		      const uint8_t *challenge, size_t n, uint8_t reply[PM_DLMS_HLS_REPLY_LEN])
{
	reply[0] = PM_DLMS_SC_AUTHENTICATED;
	reply[1] = (uint8_t)(ic >> 24);
	reply[2] = (uint8_t)(ic >> 16);
	reply[3] = (uint8_t)(ic >> 8);
	reply[4] = (uint8_t)ic;
	gmac(k, title, ic, challenge, n, reply + PM_DLMS_SECURITY_HEADER_LEN);
}

bool pm_dlms_hls_gmac_check(const struct pm_dlms_keys *k, const uint8_t *title,
			    const uint8_t *reply, size_t nreply, const uint8_t *challenge, size_t n,
			    uint32_t *ic)
{
	uint8_t tag[PM_DLMS_TAG_LEN];

	if (nreply != PM_DLMS_HLS_REPLY_LEN || reply[0] != PM_DLMS_SC_AUTHENTICATED)
		return false;
	*ic = (uint32_t)reply[1] << 24 | (uint32_t)reply[2] << 16 | (uint32_t)reply[3] << 8 |
	      reply[4];
	gmac(k, title, *ic, challenge, n, tag);
	return memeql_sec(tag, reply + PM_DLMS_SECURITY_HEADER_LEN, sizeof(tag));
}

bool pm_dlms_key_unwrap(const uint8_t kek[PM_DLMS_KEY_LEN],
			const uint8_t wrapped[PM_DLMS_WRAPPED_KEY_LEN],
			uint8_t key[PM_DLMS_KEY_LEN])
{
	/* RFC 3394 §2.2.3.1: the default initial value */
	static const uint8_t iv[8] = {0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6};
	struct aes128_ctx ctx;
	bool ok;

	aes128_set_decrypt_key(&ctx, kek);
	ok = aes128_keyunwrap(&ctx, iv, PM_DLMS_KEY_LEN, key, wrapped);
	/* the KEK's schedule: wiped like the GCM contexts */
	explicit_bzero(&ctx, sizeof(ctx));
	if (!ok)
		memset(key, 0, PM_DLMS_KEY_LEN);
	return ok;
}
