// SPDX-License-Identifier: GPL-2.0-only
/*
 * The keys a head-end transfers through the Security setup object (dlms-hls.h): unwrapped with
 * the master key (RFC 3394), committed to the store, then made the keys new associations
 * start under. At start the store's keys override the key file's while the file still holds
 * the key set they were transferred over (one SHA-256 of the file's encryption,
 * authentication and master keys, recorded beside each): an integrator who edits any key of
 * the file has the last word, and every override of that client is forgotten. The file wins
 * as a whole: its new encryption key is never paired with a transferred authentication key
 * (or master key) that nobody holds beside it.
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

/* SHA-256 of the client's key file's whole key set: EK, AK, then a marker and the master key
 * (a file without one hashes the marker 0 alone, so adding or removing it is a change). */
static void file_keys_sha256(const struct pm_dlms_hls *h, uint8_t out[SHA256_DIGEST_SIZE])
{
	const uint8_t has_master = h->file_has_master;
	struct sha256_ctx sha;

	sha256_init(&sha);
	sha256_update(&sha, PM_DLMS_KEY_LEN, h->file_keys.ek);
	sha256_update(&sha, PM_DLMS_KEY_LEN, h->file_keys.ak);
	sha256_update(&sha, 1, &has_master);
	if (has_master)
		sha256_update(&sha, PM_DLMS_KEY_LEN, h->file_master);
	sha256_digest(&sha, SHA256_DIGEST_SIZE, out);
	explicit_bzero(&sha, sizeof(sha));
}

/* Whether two of @master (NULL: none), EK and AK are equal, compared in constant time. */
static bool keys_collide(const struct pm_dlms_keys *k, const uint8_t *master)
{
	bool same = memeql_sec(k->ek, k->ak, PM_DLMS_KEY_LEN);

	if (master)
		same |= memeql_sec(master, k->ek, PM_DLMS_KEY_LEN) |
			memeql_sec(master, k->ak, PM_DLMS_KEY_LEN);
	return same;
}

int pm_dlms_hls_load_transferred(struct pm_dlms_hls *h, struct pm_dlms_keys *keys)
{
	struct pm_store *store = pm_meter_store(h->pipe);
	struct pm_store_dlms_key stored[PM_STORE_DLMS_KEYS_MAX];
	uint8_t sha[SHA256_DIGEST_SIZE];
	bool stale = false;
	size_t n;
	int r;

	r = pm_store_load_dlms_keys(store, h->title, h->client_sap, stored, &n);
	if (r < 0)
		return log_error_errno(r,
				       "meter %s: client %u's transferred DLMS keys cannot be read",
				       h->meter, h->client_sap);
	file_keys_sha256(h, sha);
	for (size_t i = 0; i < n; i++)
		stale |= !memeql_sec(sha, stored[i].replaces_sha256, sizeof(sha));
	if (stale) {
		/* a key of the file changed since: the file's set wins whole, every override goes
		 * (the log names no key: which one changed says something of it) */
		log_notice(
		    "meter %s: client %u's key file changed since a head-end transferred keys: "
		    "the file's keys are used, the transferred ones forgotten",
		    h->meter, h->client_sap);
		r = pm_store_forget_dlms_keys(store, h->title, h->client_sap);
		if (r < 0)
			log_warning_errno(r, "meter %s: client %u's transferred keys not forgotten",
					  h->meter, h->client_sap);
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t *k = key_of(keys, h->master, stored[i].key_id);

		if (!k)
			continue;
		memcpy(k, stored[i].key, PM_DLMS_KEY_LEN);
		if (stored[i].key_id == PM_COSEM_KEY_MASTER)
			h->has_master = true;
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
		file_keys_sha256(h, rows[i].replaces_sha256);
		memcpy(k, rows[i].key, PM_DLMS_KEY_LEN);
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 i ? ", " : "", key_name(rows[i].key_id));
	}
	if (res != PM_DLMS_SUCCESS) {
		log_warning("meter %s: DLMS key transfer of client %u refused: a key does not "
			    "unwrap under the master key; nothing changed",
			    h->meter, h->client_sap);
		goto out;
	}
	/* as the key file refuses (dlms-key-file.c): a master key equal to a working key lets
	 * whoever holds that key unwrap every key sent after, and one key serving as both EK and
	 * AK undoes their separation */
	if (keys_collide(&next, master)) {
		log_warning("meter %s: DLMS key transfer of client %u refused: it would make two "
			    "of the master, encryption and authentication keys equal; nothing "
			    "changed",
			    h->meter, h->client_sap);
		res = PM_DLMS_OTHER_REASON;
		goto out;
	}
	for (size_t i = 0; i < n && h->other_uses; i++) {
		if (rows[i].key_id == PM_COSEM_KEY_MASTER ||
		    !h->other_uses(h->other_data, h, rows[i].key))
			continue;
		log_warning("meter %s: DLMS key transfer of client %u refused: a key it brings is "
			    "another client's; nothing changed",
			    h->meter, h->client_sap);
		res = PM_DLMS_OTHER_REASON;
		goto out;
	}
	ks = pm_dlms_hls_keyset_new(h, &next);
	r = ks ? pm_store_save_dlms_keys(pm_meter_store(h->pipe), h->title, h->client_sap, rows, n)
	       : -EIO;
	if (r < 0) {
		log_error_errno(r,
				"meter %s: DLMS key transfer of client %u not stored; nothing "
				"changed",
				h->meter, h->client_sap);
		pm_dlms_hls_keyset_free(ks);
		res = PM_DLMS_TEMPORARY_FAILURE;
		goto out;
	}
	/* committed: new associations start under the new keys, the current ones end under
	 * theirs */
	pm_dlms_hls_replace(h, ks);
	memcpy(h->master, master, sizeof(h->master));
	log_info("meter %s: DLMS keys of client %u transferred by the head-end (%s), from the "
		 "next association on",
		 h->meter, h->client_sap, names);
out:
	explicit_bzero(rows, sizeof(rows));
	explicit_bzero(&next, sizeof(next));
	explicit_bzero(master, sizeof(master));
	return res;
}
