// SPDX-License-Identifier: GPL-2.0-only
/* The event log: bounded per meter, counted (see store.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store-internal.h"
#include "store/store.h"

int pm_store_add_event(struct pm_store *store, const char *meter, int64_t utc_ns, const char *kind,
		       const char *detail)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !*meter || !kind || !*kind)
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = pm_store_ensure_meter(store, meter);
	if (!r)
		r = pm_store_prepare(
		    store,
		    "INSERT INTO event (meter, utc_ns, kind, detail) VALUES (?1, ?2, ?3, ?4)", &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, utc_ns);
		sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_STATIC);
		r = pm_store_step_done(st);
	}
	if (!r)
		r = pm_store_prepare(
		    store,
		    "DELETE FROM event WHERE meter = ?1 AND id <= (SELECT id FROM event"
		    " WHERE meter = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
		    &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, PM_STORE_EVENTS_KEPT);
		r = pm_store_step_done(st);
	}
	if (!r) {
		int dropped = sqlite3_changes(pm_store_db(store));

		r = pm_store_prepare(store,
				     "UPDATE meter SET events_total = events_total + 1,"
				     " events_dropped = events_dropped + ?2 WHERE name = ?1",
				     &st);
		if (!r) {
			sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 2, dropped);
			r = pm_store_step_done(st);
		}
	}
	return pm_store_end(store, r);
}

int pm_store_events(struct pm_store *store, const char *meter, struct pm_store_event *ev,
		    size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int r;

	if (!store || !meter || (!ev && max))
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT utc_ns, kind, detail FROM event WHERE meter = ?1"
			     " ORDER BY id DESC LIMIT ?2",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while (n < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *detail = (const char *)sqlite3_column_text(st, 2);

		ev[n].utc_ns = sqlite3_column_int64(st, 0);
		snprintf(ev[n].kind, sizeof(ev[n].kind), "%s", kind ? kind : "");
		snprintf(ev[n].detail, sizeof(ev[n].detail), "%s", detail ? detail : "");
		n++;
	}
	sqlite3_finalize(st);
	if (n < max && r != SQLITE_DONE)
		return pm_store_errno(r);
	return (int)n;
}

int pm_store_event_counts(struct pm_store *store, const char *meter, uint64_t *total,
			  uint64_t *dropped)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !total || !dropped)
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT events_total, events_dropped FROM meter WHERE name = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*total = (uint64_t)sqlite3_column_int64(st, 0);
		*dropped = (uint64_t)sqlite3_column_int64(st, 1);
		r = 0;
	} else {
		r = r == SQLITE_DONE ? -ENOENT : pm_store_errno(r);
	}
	sqlite3_finalize(st);
	return r;
}

int pm_store_events_each(struct pm_store *store, const char *meter,
			 const struct pm_store_range *range, pm_store_event_fn fn, void *ctx)
{
	struct pm_store_event ev;
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !range || !fn || range->from_ns > range->to_ns)
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT utc_ns, kind, detail FROM event WHERE meter = ?1"
			     " AND utc_ns >= ?2 AND utc_ns <= ?3 ORDER BY id LIMIT ?4 OFFSET ?5",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	pm_store_bind_range(st, 2, range);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *detail = (const char *)sqlite3_column_text(st, 2);

		ev.utc_ns = sqlite3_column_int64(st, 0);
		snprintf(ev.kind, sizeof(ev.kind), "%s", kind ? kind : "");
		snprintf(ev.detail, sizeof(ev.detail), "%s", detail ? detail : "");
		r = fn(ctx, &ev);
		if (r) {
			sqlite3_finalize(st);
			return r;
		}
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : pm_store_errno(r);
}
