// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's side of a meter's HLS-GMAC (dlms-hls.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <nettle/sha2.h>

#include "common/log.h"
#include "meter/meter.h"
#include "store/store.h"
#include "views/dlms/dlms-hls.h"

/* 2^32: no counter is left to hand out */
#define IC_END (UINT64_C(1) << 32)

struct pm_dlms_hls_keyset {
	struct pm_dlms_security sec; /* what the server's configuration points to */
	struct pm_dlms_keys keys;
	struct pm_dlms_hls *owner;
	struct pm_store_dlms_id id; /* the counters' row: the system title, the key's hash */
	uint64_t next, reserved;    /* the server's next counter; below reserved: committed */
	int64_t client_last;	    /* the client's newest counter taken, -1 none */
	unsigned holders;	    /* associations started under this set, not yet ended */
	struct pm_dlms_hls_keyset *next_retired;
};

static int next_ic(void *data, uint32_t *ic)
{
	struct pm_dlms_hls_keyset *h = data;
	const char *meter = h->owner->meter;
	uint64_t start, end;
	int r;

	if (h->next >= h->reserved) {
		/* the store hands out the block: another meter under the same key and title (a
		 * configuration check refuses it, but a rename keeps the row) gets another one */
		r = pm_store_reserve_dlms_server(pm_meter_store(h->owner->pipe), &h->id,
						 PM_DLMS_HLS_IC_BLOCK, &start, &end);
		if (r < 0)
			return log_error_errno(r, "meter %s: DLMS invocation counters not stored",
					       meter);
		if (start >= end || end > IC_END) {
			log_error("meter %s: DLMS invocation counters exhausted: new keys needed",
				  meter);
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
	struct pm_dlms_hls_keyset *h = data;
	int r;

	*expected = (uint32_t)(h->client_last + 1);
	if ((int64_t)ic <= h->client_last)
		return false;
	if (!changes) {
		/* a GET or AARQ: kept in memory only (docs/dlms.md, "Invocation counters") */
		h->client_last = ic;
		return true;
	}
	r = pm_store_take_dlms_client(pm_meter_store(h->owner->pipe), &h->id, ic, &h->client_last);
	if (r < 0) {
		/* not remembered, not taken: after a restart it could be replayed */
		log_error_errno(r, "meter %s: DLMS client invocation counter not stored",
				h->owner->meter);
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

void pm_dlms_hls_keyset_free(struct pm_dlms_hls_keyset *ks)
{
	if (!ks)
		return;
	explicit_bzero(ks, sizeof(*ks));
	free(ks);
}

/* Takes @ks out of its owner's list of retired sets. */
static void unlink_retired(struct pm_dlms_hls_keyset *ks)
{
	struct pm_dlms_hls_keyset **p = &ks->owner->retired;

	while (*p && *p != ks)
		p = &(*p)->next_retired;
	if (*p)
		*p = ks->next_retired;
}

static void hold(void *data)
{
	struct pm_dlms_hls_keyset *ks = data;

	ks->holders++;
}

static void drop(void *data)
{
	struct pm_dlms_hls_keyset *ks = data;

	if (ks->holders)
		ks->holders--;
	/* the last association under keys replaced since: nothing uses them any more */
	if (!ks->holders && ks != ks->owner->current) {
		unlink_retired(ks);
		pm_dlms_hls_keyset_free(ks);
	}
}

struct pm_dlms_hls_keyset *pm_dlms_hls_keyset_new(struct pm_dlms_hls *h,
						  const struct pm_dlms_keys *keys)
{
	struct pm_dlms_hls_keyset *ks = calloc(1, sizeof(*ks));
	struct sha256_ctx sha;

	if (!ks)
		return NULL;
	ks->owner = h;
	ks->keys = *keys;
	memcpy(ks->id.title, h->title, sizeof(ks->id.title));
	/* the key's hash names its row: the counters go with the key, whatever the meter's name,
	 * and a new key starts the client's over */
	sha256_init(&sha);
	sha256_update(&sha, sizeof(keys->ek), keys->ek);
	sha256_digest(&sha, sizeof(ks->id.key_sha256), ks->id.key_sha256);
	explicit_bzero(&sha, sizeof(sha));
	if (pm_store_load_dlms_client(pm_meter_store(h->pipe), &ks->id, &ks->client_last) < 0) {
		pm_dlms_hls_keyset_free(ks);
		return NULL;
	}
	/* the same encryption key as the set in force (a new authentication key only): the
	 * client's counters of GETs, kept in memory, carry over */
	if (h->current && !memcmp(&h->current->id, &ks->id, sizeof(ks->id)) &&
	    h->current->client_last > ks->client_last)
		ks->client_last = h->current->client_last;
	/* nothing reserved yet: the first counter reserves a block above every one before */
	ks->next = ks->reserved = 0;
	ks->sec = (struct pm_dlms_security){
	    .keys = &ks->keys,
	    .next_ic = next_ic,
	    .client_ic = client_ic,
	    .random = challenge,
	    .hold = hold,
	    .drop = drop,
	    .data = ks,
	};
	memcpy(ks->sec.title, h->title, PM_DLMS_SYSTEM_TITLE_LEN);
	memcpy(ks->sec.client_title, h->client_title, PM_DLMS_SYSTEM_TITLE_LEN);
	return ks;
}

void pm_dlms_hls_replace(struct pm_dlms_hls *h, struct pm_dlms_hls_keyset *ks)
{
	struct pm_dlms_hls_keyset *old = h->current;

	h->current = ks;
	if (!old)
		return;
	if (old->holders) { /* its associations finish under it */
		old->next_retired = h->retired;
		h->retired = old;
	} else {
		pm_dlms_hls_keyset_free(old);
	}
}

const struct pm_dlms_security *pm_dlms_hls_security(const struct pm_dlms_hls *h)
{
	return &h->current->sec;
}

int pm_dlms_hls_init(struct pm_dlms_hls *h, const char *name, struct pm_meter *pipe,
		     const struct pm_dlms_keys *keys, const uint8_t *title,
		     const uint8_t *client_title, const uint8_t *master)
{
	struct pm_store *store = pipe ? pm_meter_store(pipe) : NULL;
	struct pm_dlms_hls_keyset *ks;
	struct pm_dlms_keys effective;
	int r;

	memset(h, 0, sizeof(*h));
	if (!store)
		return -ENOENT;
	h->meter = name;
	h->pipe = pipe;
	memcpy(h->title, title, sizeof(h->title));
	memcpy(h->client_title, client_title, sizeof(h->client_title));
	h->file_keys = *keys;
	if (master) {
		memcpy(h->file_master, master, sizeof(h->file_master));
		memcpy(h->master, master, sizeof(h->master));
		h->file_has_master = h->has_master = true;
	}
	effective = *keys;
	r = pm_dlms_hls_load_transferred(h, &effective);
	ks = r < 0 ? NULL : pm_dlms_hls_keyset_new(h, &effective);
	explicit_bzero(&effective, sizeof(effective));
	if (!ks) {
		pm_dlms_hls_done(h);
		return r < 0 ? r : -EIO;
	}
	h->current = ks;
	return 0;
}

void pm_dlms_hls_done(struct pm_dlms_hls *h)
{
	struct pm_dlms_hls_keyset *ks, *next;

	for (ks = h->retired; ks; ks = next) {
		next = ks->next_retired;
		pm_dlms_hls_keyset_free(ks);
	}
	pm_dlms_hls_keyset_free(h->current);
	explicit_bzero(h, sizeof(*h));
}
