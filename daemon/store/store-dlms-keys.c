// SPDX-License-Identifier: GPL-2.0-only
/* The DLMS keys a head-end transferred (see store.h, migration 11). */
#include <errno.h>
#include <string.h>

#include "store/store-internal.h"
#include "store/store.h"

#define TITLE_LEN 8

static int save_one(struct pm_store *store, const uint8_t *title, const struct pm_store_dlms_key *k)
{
	sqlite3_stmt *st;
	int r;

	r = pm_store_prepare(store,
			     "INSERT INTO dlms_key (system_title, key_id, key, replaces_sha256)"
			     " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (system_title, key_id) DO UPDATE"
			     " SET key = excluded.key, replaces_sha256 = excluded.replaces_sha256",
			     &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, title, TITLE_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, k->key_id);
	sqlite3_bind_blob(st, 3, k->key, sizeof(k->key), SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, k->replaces_sha256, sizeof(k->replaces_sha256), SQLITE_STATIC);
	return pm_store_step_done(st);
}

int pm_store_save_dlms_keys(struct pm_store *store, const uint8_t title[8],
			    const struct pm_store_dlms_key *keys, size_t n)
{
	int r;

	if (!store || !title || (n && !keys))
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	for (size_t i = 0; !r && i < n; i++)
		r = save_one(store, title, &keys[i]);
	return pm_store_end(store, r);
}

int pm_store_load_dlms_keys(struct pm_store *store, const uint8_t title[8],
			    struct pm_store_dlms_key keys[PM_STORE_DLMS_KEYS_MAX], size_t *n)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !title || !keys || !n)
		return -EINVAL;
	*n = 0;
	r = pm_store_prepare(store,
			     "SELECT key_id, key, replaces_sha256 FROM dlms_key"
			     " WHERE system_title = ?1 ORDER BY key_id",
			     &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, title, TITLE_LEN, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < PM_STORE_DLMS_KEYS_MAX) {
		struct pm_store_dlms_key *k = &keys[*n];

		/* the table's CHECKs hold the lengths; a short blob would be a damaged file */
		if (sqlite3_column_bytes(st, 1) != (int)sizeof(k->key) ||
		    sqlite3_column_bytes(st, 2) != (int)sizeof(k->replaces_sha256)) {
			r = SQLITE_CORRUPT;
			break;
		}
		k->key_id = (uint8_t)sqlite3_column_int(st, 0);
		memcpy(k->key, sqlite3_column_blob(st, 1), sizeof(k->key));
		memcpy(k->replaces_sha256, sqlite3_column_blob(st, 2), sizeof(k->replaces_sha256));
		(*n)++;
	}
	sqlite3_finalize(st);
	if (r == SQLITE_ROW || r == SQLITE_DONE)
		return 0;
	explicit_bzero(keys, PM_STORE_DLMS_KEYS_MAX * sizeof(*keys));
	*n = 0;
	return -EIO;
}

int pm_store_forget_dlms_key(struct pm_store *store, const uint8_t title[8], uint8_t key_id)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !title)
		return -EINVAL;
	r = pm_store_prepare(store, "DELETE FROM dlms_key WHERE system_title = ?1 AND key_id = ?2",
			     &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, title, TITLE_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, key_id);
	return pm_store_step_done(st);
}
