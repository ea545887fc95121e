// SPDX-License-Identifier: GPL-2.0-only
/* The DLMS pushes delivered (see store.h, migration 13). */
#include <errno.h>

#include "store/store-internal.h"
#include "store/store.h"

/* The dlms_push row of the event stream (migration 13): past every schedule number. */
#define EVENT_STREAM 255

int pm_store_load_push(struct pm_store *store, const char *meter, unsigned schedule,
		       int64_t *last_nominal_ns)
{
	sqlite3_stmt *st;
	int r;

	r = pm_store_prepare(store, "SELECT last FROM dlms_push WHERE meter = ?1 AND schedule = ?2",
			     &st);
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

	r = pm_store_prepare(store,
			     "INSERT INTO dlms_push (meter, schedule, last) VALUES (?1, ?2, ?3)"
			     " ON CONFLICT (meter, schedule) DO UPDATE SET last = excluded.last",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)schedule);
	sqlite3_bind_int64(st, 3, last_nominal_ns);
	return pm_store_step_done(st);
}

int pm_store_push_events_start(struct pm_store *store, const char *meter, int64_t *last_id)
{
	int r = pm_store_load_push(store, meter, EVENT_STREAM, last_id);

	if (r != -ENOENT)
		return r;
	r = pm_store_mqtt_newest(store, meter, PM_STORE_MQTT_EVENT, last_id);
	if (r)
		return r;
	if (*last_id < 0)
		*last_id = 0; /* no event yet: ids start at 1 */
	return pm_store_save_push_events(store, meter, *last_id);
}

int pm_store_save_push_events(struct pm_store *store, const char *meter, int64_t last_id)
{
	return pm_store_save_push(store, meter, EVENT_STREAM, last_id);
}
