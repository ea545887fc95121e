// SPDX-License-Identifier: GPL-2.0-only
/* The DLMS HLS invocation counters per system title and key (see store.h, migration 10). */
#include <errno.h>

#include "store/store-internal.h"
#include "store/store.h"

#define IC_END (INT64_C(1) << 32)

/* The row of @id, or else the floor a schema 9 database left (store.c, migration 10). */
#define ROW_OR_FLOOR                                                                               \
	" FROM dlms_ic WHERE (system_title = ?1 AND key_sha256 = ?2) OR system_title = X''"        \
	" ORDER BY length(system_title) DESC LIMIT 1"

/* The stored counters of @id: 0 and -1 when nothing is stored. */
static int load(struct pm_store *store, const struct pm_store_dlms_id *id, int64_t *reserved,
		int64_t *client_last)
{
	sqlite3_stmt *st;
	int r;

	*reserved = 0;
	*client_last = -1;
	r = pm_store_prepare(store, "SELECT server_reserved, client_last" ROW_OR_FLOOR, &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, id->title, sizeof(id->title), SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id->key_sha256, sizeof(id->key_sha256), SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*reserved = sqlite3_column_int64(st, 0);
		*client_last = sqlite3_column_int64(st, 1);
		r = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -EIO;
}

static int save(struct pm_store *store, const struct pm_store_dlms_id *id, int64_t reserved,
		int64_t client_last)
{
	sqlite3_stmt *st;
	int r;

	r = pm_store_prepare(
	    store,
	    "INSERT INTO dlms_ic (system_title, key_sha256, server_reserved,"
	    " client_last) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (system_title, key_sha256)"
	    " DO UPDATE SET"
	    " server_reserved = excluded.server_reserved,"
	    " client_last = excluded.client_last",
	    &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, id->title, sizeof(id->title), SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id->key_sha256, sizeof(id->key_sha256), SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, reserved);
	sqlite3_bind_int64(st, 4, client_last);
	return pm_store_step_done(st);
}

int pm_store_load_dlms_client(struct pm_store *store, const struct pm_store_dlms_id *id,
			      int64_t *client_last)
{
	int64_t reserved;

	if (!store || !id || !client_last)
		return -EINVAL;
	return load(store, id, &reserved, client_last);
}

int pm_store_reserve_dlms_server(struct pm_store *store, const struct pm_store_dlms_id *id,
				 uint32_t n, uint64_t *start, uint64_t *end)
{
	int64_t reserved, client_last, to;
	int r;

	if (!store || !id || !start || !end)
		return -EINVAL;
	/* read and raised in one transaction: whoever else uses the key gets the next block */
	r = pm_store_begin(store);
	if (r)
		return r;
	r = load(store, id, &reserved, &client_last);
	to = reserved + n < IC_END ? reserved + n : IC_END;
	if (!r && to > reserved)
		r = save(store, id, to, client_last);
	r = pm_store_end(store, r);
	if (r)
		return r;
	*start = (uint64_t)reserved;
	*end = (uint64_t)to;
	return 0;
}

int pm_store_take_dlms_client(struct pm_store *store, const struct pm_store_dlms_id *id,
			      uint32_t ic, int64_t *client_last)
{
	int64_t reserved, last;
	int r;

	if (!store || !id || !client_last)
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = load(store, id, &reserved, &last);
	if (!r && (int64_t)ic > last)
		r = save(store, id, reserved, ic);
	r = pm_store_end(store, r);
	if (r)
		return r;
	if ((int64_t)ic <= last) {
		*client_last = last;
		return 0;
	}
	*client_last = ic;
	return 1;
}
