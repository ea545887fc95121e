// SPDX-License-Identifier: GPL-2.0-only
/* The DLMS pushes delivered (see store.h, migration 13). */
#include <errno.h>

#include "store/store-internal.h"
#include "store/store.h"

int pm_store_load_push(struct pm_store *store, const char *meter, unsigned schedule,
		       int64_t *last_nominal_ns)
{
	sqlite3_stmt *st;
	int r;

	r = pm_store_prepare(
	    store, "SELECT last_nominal_ns FROM dlms_push WHERE meter = ?1 AND schedule = ?2", &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)schedule);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*last_nominal_ns = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? -ENOENT : -EIO;
}

int pm_store_save_push(struct pm_store *store, const char *meter, unsigned schedule,
		       int64_t last_nominal_ns)
{
	sqlite3_stmt *st;
	int r;

	r = pm_store_prepare(
	    store,
	    "INSERT INTO dlms_push (meter, schedule, last_nominal_ns) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (meter, schedule) DO UPDATE SET"
	    " last_nominal_ns = excluded.last_nominal_ns",
	    &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)schedule);
	sqlite3_bind_int64(st, 3, last_nominal_ns);
	return pm_store_step_done(st);
}
