// SPDX-License-Identifier: GPL-2.0-only
/* A meter's DLMS HLS invocation counters (see store.h, migration 9). */
#include <errno.h>

#include "store/store-internal.h"
#include "store/store.h"

int pm_store_load_dlms_counters(struct pm_store *store, const char *meter,
				uint64_t *server_reserved, int64_t *client_last)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !server_reserved || !client_last)
		return -EINVAL;
	*server_reserved = 0;
	*client_last = -1;
	r = pm_store_prepare(
	    store, "SELECT server_reserved, client_last FROM dlms_counter WHERE meter = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*server_reserved = (uint64_t)sqlite3_column_int64(st, 0);
		*client_last = sqlite3_column_int64(st, 1);
		r = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -EIO;
}

/* One column of the meter's row set to @v, the row made when there is none. */
static int save(struct pm_store *store, const char *meter, const char *sql, int64_t v)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter)
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = pm_store_ensure_meter(store, meter);
	if (!r)
		r = pm_store_prepare(store, sql, &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, v);
		r = pm_store_step_done(st);
	}
	return pm_store_end(store, r);
}

int pm_store_reserve_dlms_server(struct pm_store *store, const char *meter,
				 uint64_t server_reserved)
{
	if (server_reserved > UINT64_C(1) << 32)
		return -EINVAL;
	/* never lowered: a lower reservation would let a counter be sent twice */
	return save(store, meter,
		    "INSERT INTO dlms_counter (meter, server_reserved, client_last)"
		    " VALUES (?1, ?2, -1) ON CONFLICT (meter) DO UPDATE SET"
		    " server_reserved = max(server_reserved, excluded.server_reserved)",
		    (int64_t)server_reserved);
}

int pm_store_save_dlms_client(struct pm_store *store, const char *meter, uint32_t client_last)
{
	return save(store, meter,
		    "INSERT INTO dlms_counter (meter, server_reserved, client_last)"
		    " VALUES (?1, 0, ?2) ON CONFLICT (meter) DO UPDATE SET"
		    " client_last = max(client_last, excluded.client_last)",
		    client_last);
}
