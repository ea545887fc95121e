// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's side of a meter's HLS-GMAC (dlms-hls.h). */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <nettle/sha2.h>

#include "common/log.h"
#include "meter/meter.h"
#include "store/store.h"
#include "views/dlms/dlms-hls.h"

/* 2^32: no counter is left to hand out */
#define IC_END (UINT64_C(1) << 32)

static int next_ic(void *data, uint32_t *ic)
{
	struct pm_dlms_hls *h = data;
	uint64_t start, end;
	int r;

	if (h->next >= h->reserved) {
		/* the store hands out the block: another meter under the same key and title (a
		 * configuration check refuses it, but a rename keeps the row) gets another one */
		r = pm_store_reserve_dlms_server(pm_meter_store(h->pipe), &h->id,
						 PM_DLMS_HLS_IC_BLOCK, &start, &end);
		if (r < 0)
			return log_error_errno(r, "meter %s: DLMS invocation counters not stored",
					       h->meter);
		if (start >= end || end > IC_END) {
			log_error("meter %s: DLMS invocation counters exhausted: new keys needed",
				  h->meter);
			return -ERANGE;
		}
		h->next = start;
		h->reserved = end;
	}
	*ic = (uint32_t)h->next++;
	return 0;
}

static bool client_ic(void *data, uint32_t ic, bool changes, uint32_t *expected)
{
	struct pm_dlms_hls *h = data;
	int r;

	*expected = (uint32_t)(h->client_last + 1);
	if ((int64_t)ic <= h->client_last)
		return false;
	if (!changes) {
		/* a GET or AARQ: kept in memory only (docs/dlms.md, "Invocation counters") */
		h->client_last = ic;
		return true;
	}
	r = pm_store_take_dlms_client(pm_meter_store(h->pipe), &h->id, ic, &h->client_last);
	if (r < 0) {
		/* not remembered, not taken: after a restart it could be replayed */
		log_error_errno(r, "meter %s: DLMS client invocation counter not stored", h->meter);
		return false;
	}
	/* 0: taken under this key since (by another association): a replay */
	*expected = (uint32_t)(h->client_last + 1);
	return r == 1;
}

static int challenge(void *data, uint8_t *buf, size_t n)
{
	(void)data;
	/* the kernel's CSPRNG, blocking only before it is first seeded */
	return getrandom(buf, n, 0) == (ssize_t)n ? 0 : -EIO;
}

int pm_dlms_hls_init(struct pm_dlms_hls *h, const char *name, struct pm_meter *pipe,
		     const struct pm_dlms_keys *keys, const uint8_t *title,
		     const uint8_t *client_title)
{
	struct pm_store *store = pipe ? pm_meter_store(pipe) : NULL;
	struct sha256_ctx sha;
	int r;

	memset(h, 0, sizeof(*h));
	if (!store)
		return -ENOENT;
	memcpy(h->id.title, title, sizeof(h->id.title));
	/* the key's hash names its row: the counters go with the key, whatever the meter's name,
	 * and a new key starts the client's over */
	sha256_init(&sha);
	sha256_update(&sha, sizeof(keys->ek), keys->ek);
	sha256_digest(&sha, sizeof(h->id.key_sha256), h->id.key_sha256);
	explicit_bzero(&sha, sizeof(sha));
	r = pm_store_load_dlms_client(store, &h->id, &h->client_last);
	if (r < 0)
		return r;
	/* nothing reserved yet: the first counter reserves a block above every one before */
	h->next = h->reserved = 0;
	h->meter = name;
	h->pipe = pipe;
	h->keys = *keys;
	h->sec = (struct pm_dlms_security){
	    .keys = &h->keys,
	    .next_ic = next_ic,
	    .client_ic = client_ic,
	    .random = challenge,
	    .data = h,
	};
	memcpy(h->sec.title, title, PM_DLMS_SYSTEM_TITLE_LEN);
	memcpy(h->sec.client_title, client_title, PM_DLMS_SYSTEM_TITLE_LEN);
	return 0;
}

void pm_dlms_hls_done(struct pm_dlms_hls *h)
{
	explicit_bzero(&h->keys, sizeof(h->keys));
}
