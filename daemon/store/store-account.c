// SPDX-License-Identifier: GPL-2.0-only
/* The store's account tables (see store.h, migration 3). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "store/store-internal.h"

static int prepare(struct pm_store *s, const char *sql, sqlite3_stmt **st)
{
	return pm_store_errno(sqlite3_prepare_v2(pm_store_db(s), sql, -1, st, NULL));
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : pm_store_errno(rc);
}

int pm_store_topup_ref_used(struct pm_store *store, const char *meter, const char *reference)
{
	sqlite3_stmt *st;
	int r = prepare(store, "SELECT 1 FROM topup_ref WHERE meter = ?1 AND reference = ?2", &st);

	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reference, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	r = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : pm_store_errno(r);
	sqlite3_finalize(st);
	return r;
}

int pm_store_write_account(struct pm_store *s, const char *meter, uint32_t layout,
			   const void *state, size_t len, int64_t utc_ns, const char *reference,
			   int64_t value_mu)
{
	sqlite3_stmt *st;
	int r = prepare(s, "INSERT OR IGNORE INTO meter (name) VALUES (?1)", &st);

	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	r = step_done(st);
	if (!r && reference) {
		r = pm_store_topup_ref_used(s, meter, reference);
		if (r > 0)
			return -EEXIST;
		if (!r)
			r = prepare(s,
				    "INSERT INTO topup_ref (meter, reference, utc_ns, value_mu)"
				    " VALUES (?1, ?2, ?3, ?4)",
				    &st);
		if (!r) {
			sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, reference, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, utc_ns);
			sqlite3_bind_int64(st, 4, value_mu);
			r = step_done(st);
		}
	}
	if (!r)
		r = prepare(s,
			    "INSERT OR REPLACE INTO account (meter, layout, saved_ns, state)"
			    " VALUES (?1, ?2, ?3, ?4)",
			    &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, layout);
		sqlite3_bind_int64(st, 3, utc_ns);
		sqlite3_bind_blob(st, 4, state, (int)len, SQLITE_STATIC);
		r = step_done(st);
	}
	return r;
}

int pm_store_save_account(struct pm_store *store, const char *meter, uint32_t layout,
			  const void *state, size_t len, int64_t utc_ns, const char *reference,
			  int64_t value_mu)
{
	int r;

	if (!store || !meter || !state || len > (size_t)INT32_MAX)
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	return pm_store_end(store, pm_store_write_account(store, meter, layout, state, len, utc_ns,
							  reference, value_mu));
}

int pm_store_load_account(struct pm_store *store, const char *meter, uint32_t layout, void *state,
			  size_t len)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !state)
		return -EINVAL;
	r = prepare(store, "SELECT layout, state FROM account WHERE meter = ?1", &st);
	if (r)
		return r == -ENOENT ? -EIO : r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		if ((uint32_t)sqlite3_column_int64(st, 0) != layout ||
		    (size_t)sqlite3_column_bytes(st, 1) != len) {
			r = -EBADMSG;
		} else {
			memcpy(state, sqlite3_column_blob(st, 1), len);
			r = 0;
		}
	} else if (r == SQLITE_DONE) {
		r = -ENODATA; /* the only answer that means "no account yet" */
	} else {
		/* the store's -ENOENT (SQLITE_CANTOPEN: a -wal or -shm file that cannot be
		 * opened) is an error reading the account, never its absence */
		r = pm_store_errno(r);
		if (r == -ENOENT)
			r = -EIO;
	}
	sqlite3_finalize(st);
	return r;
}
