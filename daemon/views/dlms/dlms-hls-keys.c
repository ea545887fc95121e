// SPDX-License-Identifier: GPL-2.0-only
/*
 * The keys a head-end transfers through the Security setup object (dlms-hls.h): unwrapped with
 * the master key (RFC 3394), committed to the store, then made the keys new associations
 * start under. At start the store's keys override the key file's of their id while the file
 * still holds the key each replaced (the SHA-256 recorded beside it): an integrator who edits
 * the file has the last word, and the stale override is forgotten.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "common/log.h"
#include "core/dlms/dlms-cipher.h"
#include "meter/meter.h"
#include "store/store.h"
#include "views/dlms/dlms-hls.h"

static const char *key_name(uint8_t id)
{
	switch (id) {
	case PM_COSEM_KEY_GLOBAL_UNICAST:
		return "encryption_key";
	case PM_COSEM_KEY_AUTHENTICATION:
		return "authentication_key";
	default:
		return "master_key";
	}
}

/* The key of @id in @keys and @master (NULL: the meter has none of that id). */
static uint8_t *key_of(struct pm_dlms_keys *keys, uint8_t *master, uint8_t id)
{
	switch (id) {
	case PM_COSEM_KEY_GLOBAL_UNICAST:
		return keys->ek;
	case PM_COSEM_KEY_AUTHENTICATION:
		return keys->ak;
	case PM_COSEM_KEY_MASTER:
		return master;
	default:
		return NULL;
	}
}

/* SHA-256 of the key file's key of @id; a master key the file lacks hashes as no octets, which
 * no key's hash equals. */
static void file_key_sha256(struct pm_dlms_hls *h, uint8_t id, uint8_t out[SHA256_DIGEST_SIZE])
{
	uint8_t *k = key_of(&h->file_keys, h->file_has_master ? h->file_master : NULL, id);
	struct sha256_ctx sha;

	sha256_init(&sha);
	if (k)
		sha256_update(&sha, PM_DLMS_KEY_LEN, k);
	sha256_digest(&sha, SHA256_DIGEST_SIZE, out);
	explicit_bzero(&sha, sizeof(sha));
}

int pm_dlms_hls_load_transferred(struct pm_dlms_hls *h, struct pm_dlms_keys *keys)
{
	struct pm_store *store = pm_meter_store(h->pipe);
	struct pm_store_dlms_key stored[PM_STORE_DLMS_KEYS_MAX];
	uint8_t sha[SHA256_DIGEST_SIZE];
	size_t n;
	int r;

	r = pm_store_load_dlms_keys(store, h->title, stored, &n);
	if (r < 0)
		return log_error_errno(r, "meter %s: the transferred DLMS keys cannot be read",
				       h->meter);
	for (size_t i = 0; i < n; i++) {
		uint8_t *k = key_of(keys, h->master, stored[i].key_id);

		file_key_sha256(h, stored[i].key_id, sha);
		if (k && memeql_sec(sha, stored[i].replaces_sha256, sizeof(sha))) {
			memcpy(k, stored[i].key, PM_DLMS_KEY_LEN);
			if (stored[i].key_id == PM_COSEM_KEY_MASTER)
				h->has_master = true;
			continue;
		}
		/* the file's key is no longer the one the head-end's replaced: the file wins */
		log_notice("meter %s: dlms_key_file's %s changed since a head-end transferred one: "
			   "the file's is used",
			   h->meter, key_name(stored[i].key_id));
		r = pm_store_forget_dlms_key(store, h->title, stored[i].key_id);
		if (r < 0)
			log_warning_errno(r, "meter %s: the transferred %s not forgotten", h->meter,
					  key_name(stored[i].key_id));
	}
	explicit_bzero(stored, sizeof(stored));
	return 0;
}

enum pm_dlms_result pm_dlms_hls_transfer(struct pm_dlms_hls *h,
					 const struct pm_cosem_wrapped_key *keys, size_t n)
{
	struct pm_store_dlms_key rows[PM_STORE_DLMS_KEYS_MAX];
	struct pm_dlms_keys next = *pm_dlms_hls_security(h)->keys;
	uint8_t master[PM_DLMS_KEY_LEN];
	struct pm_dlms_hls_keyset *ks = NULL;
	enum pm_dlms_result res = PM_DLMS_SUCCESS;
	char names[64] = "";
	int r;

	if (!h->has_master)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	if (n > PM_STORE_DLMS_KEYS_MAX)
		return PM_DLMS_OTHER_REASON;
	memcpy(master, h->master, sizeof(master));
	/* every key unwrapped under the master key in force when the request came, the master
	 * key's successor included, before anything changes */
	for (size_t i = 0; i < n && res == PM_DLMS_SUCCESS; i++) {
		uint8_t *k = key_of(&next, master, (uint8_t)keys[i].id);

		rows[i].key_id = (uint8_t)keys[i].id;
		if (!k || !pm_dlms_key_unwrap(h->master, keys[i].wrapped, rows[i].key)) {
			res = PM_DLMS_OTHER_REASON;
			break;
		}
		file_key_sha256(h, rows[i].key_id, rows[i].replaces_sha256);
		memcpy(k, rows[i].key, PM_DLMS_KEY_LEN);
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 i ? ", " : "", key_name(rows[i].key_id));
	}
	if (res != PM_DLMS_SUCCESS) {
		log_warning("meter %s: DLMS key transfer refused: a key does not unwrap under the "
			    "master key; nothing changed",
			    h->meter);
		goto out;
	}
	ks = pm_dlms_hls_keyset_new(h, &next);
	r = ks ? pm_store_save_dlms_keys(pm_meter_store(h->pipe), h->title, rows, n) : -EIO;
	if (r < 0) {
		log_error_errno(r, "meter %s: DLMS key transfer not stored; nothing changed",
				h->meter);
		pm_dlms_hls_keyset_free(ks);
		res = PM_DLMS_TEMPORARY_FAILURE;
		goto out;
	}
	/* committed: new associations start under the new keys, the current ones end under
	 * theirs */
	pm_dlms_hls_replace(h, ks);
	memcpy(h->master, master, sizeof(h->master));
	log_info("meter %s: DLMS keys transferred by the head-end (%s), from the next "
		 "association on",
		 h->meter, names);
out:
	explicit_bzero(rows, sizeof(rows));
	explicit_bzero(&next, sizeof(next));
	explicit_bzero(master, sizeof(master));
	return res;
}
