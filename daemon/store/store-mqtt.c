// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MQTT publisher's queues (store.h, schema 8): one cursor per meter and stream over the
 * store's own tables, so a row is queued in the transaction that stored it and nothing can be
 * stored and not queued.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store-internal.h"
#include "store/store.h"

/* Each stream's rows of meter ?1 and their key. */
static const struct {
	const char *rows, *key;
} streams[PM_STORE_MQTT_STREAMS] = {
    [PM_STORE_MQTT_PROFILE] = {"profile WHERE meter = ?1", "end_ns"},
    [PM_STORE_MQTT_EVENT] = {"event WHERE meter = ?1", "id"},
    [PM_STORE_MQTT_DAILY] = {"billing_capture WHERE meter = ?1 AND scheme = 2", "utc_ns"},
    [PM_STORE_MQTT_MONTHLY] = {"billing_capture WHERE meter = ?1 AND scheme = 1", "utc_ns"},
};

int pm_store_mqtt_load(struct pm_store *store, const char *meter,
		       struct pm_store_mqtt_cursor c[PM_STORE_MQTT_STREAMS])
{
	sqlite3_stmt *st;
	int r, rc, seen = 0;

	if (!store || !meter)
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT stream, last, dropped FROM mqtt_cursor WHERE meter = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int s = sqlite3_column_int(st, 0);

		if (s < 0 || s >= PM_STORE_MQTT_STREAMS)
			continue; /* a stream of a newer release: not ours to send */
		c[s].last = sqlite3_column_int64(st, 1);
		c[s].dropped = (uint64_t)sqlite3_column_int64(st, 2);
		seen++;
	}
	r = pm_store_errno(rc);
	sqlite3_finalize(st);
	if (r)
		return r;
	return seen == PM_STORE_MQTT_STREAMS ? 0 : -ENOENT;
}

int pm_store_mqtt_save(struct pm_store *store, const char *meter,
		       const struct pm_store_mqtt_cursor c[PM_STORE_MQTT_STREAMS])
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !*meter)
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = pm_store_ensure_meter(store, meter);
	for (int s = 0; !r && s < PM_STORE_MQTT_STREAMS; s++) {
		r = pm_store_prepare(
		    store,
		    "INSERT OR REPLACE INTO mqtt_cursor (meter, stream, last, dropped)"
		    " VALUES (?1, ?2, ?3, ?4)",
		    &st);
		if (r)
			break;
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, s);
		sqlite3_bind_int64(st, 3, c[s].last);
		sqlite3_bind_int64(st, 4,
				   c[s].dropped <= INT64_MAX ? (int64_t)c[s].dropped : INT64_MAX);
		r = pm_store_step_done(st);
	}
	return pm_store_end(store, r);
}

/*
 * One integer of a one-row query over @stream of @meter: @what selects it (%1$s: the key
 * column), @tail follows the stream's rows (%1$s again); ?2 and ?3 are @after and @offset.
 * 0, or -ENOENT for no row or NULL.
 */
static int query(struct pm_store *store, const char *meter, enum pm_store_mqtt_stream stream,
		 const char *what, const char *tail, int64_t after, int64_t offset, int64_t *out)
{
	char sql[320], head[64], rest[96];
	sqlite3_stmt *st;
	int r, rc;

	if (!store || !meter || (unsigned)stream >= PM_STORE_MQTT_STREAMS)
		return -EINVAL;
	snprintf(head, sizeof(head), what, streams[stream].key);
	snprintf(rest, sizeof(rest), tail, streams[stream].key);
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s %s", head, streams[stream].rows, rest);
	r = pm_store_prepare(store, sql, &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, after);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, offset);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*out = sqlite3_column_int64(st, 0);
		r = 0;
	} else {
		r = rc == SQLITE_ROW || rc == SQLITE_DONE ? -ENOENT : pm_store_errno(rc);
	}
	sqlite3_finalize(st);
	return r;
}

int pm_store_mqtt_newest(struct pm_store *store, const char *meter,
			 enum pm_store_mqtt_stream stream, int64_t *key)
{
	int r = query(store, meter, stream, "MAX(%s)", "", 0, 0, key);

	if (r == -ENOENT) {
		*key = INT64_MIN;
		r = 0;
	}
	return r;
}

int pm_store_mqtt_pending(struct pm_store *store, const char *meter,
			  enum pm_store_mqtt_stream stream, int64_t after, uint64_t *n)
{
	int64_t v;
	int r = query(store, meter, stream, "COUNT(*)", "AND %s > ?2", after, 0, &v);

	if (!r)
		*n = (uint64_t)v;
	return r;
}

int pm_store_mqtt_nth(struct pm_store *store, const char *meter, enum pm_store_mqtt_stream stream,
		      int64_t after, uint64_t n, int64_t *key)
{
	if (n == 0 || n > INT64_MAX)
		return -EINVAL;
	return query(store, meter, stream, "%s", "AND %1$s > ?2 ORDER BY %1$s LIMIT 1 OFFSET ?3",
		     after, (int64_t)(n - 1), key);
}

int pm_store_events_after(struct pm_store *store, const char *meter, int64_t after, uint64_t limit,
			  pm_store_event_id_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int r, rc;

	if (!store || !meter || !fn)
		return -EINVAL;
	r = pm_store_prepare(
	    store,
	    "SELECT id, utc_ns, kind, detail FROM event WHERE meter = ?1 AND id > ?2"
	    " ORDER BY id LIMIT ?3",
	    &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int64(st, 3, limit && limit <= INT64_MAX ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pm_store_event ev;
		const unsigned char *kind = sqlite3_column_text(st, 2);
		const unsigned char *detail = sqlite3_column_text(st, 3);

		memset(&ev, 0, sizeof(ev));
		ev.utc_ns = sqlite3_column_int64(st, 1);
		snprintf(ev.kind, sizeof(ev.kind), "%s", kind ? (const char *)kind : "");
		snprintf(ev.detail, sizeof(ev.detail), "%s", detail ? (const char *)detail : "");
		r = fn(ctx, sqlite3_column_int64(st, 0), &ev);
		if (r)
			break;
	}
	if (!r)
		r = pm_store_errno(rc);
	sqlite3_finalize(st);
	return r;
}
