/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the store's files share (store.c owns the connection): the SQLite handle, SQLite's
 * result codes as negative errno values, and one transaction (BEGIN IMMEDIATE; pm_store_end
 * commits when ret is 0 and rolls back otherwise, returning the first error).
 */
#ifndef POLYMETER_STORE_INTERNAL_H
#define POLYMETER_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

sqlite3 *pm_store_db(struct pm_store *store);
int pm_store_errno(int sqlite_rc);
int pm_store_exec(struct pm_store *store, const char *sql);
int pm_store_prepare(struct pm_store *store, const char *sql, sqlite3_stmt **st);
/* Prepares @sql, a SELECT of one meter's row (?1 its name), and steps onto the row: 0 with
 * *st on it (the caller finalizes it), -ENODATA when the meter has none, or a negative errno. */
int pm_store_meter_row(struct pm_store *store, const char *sql, const char *meter,
		       sqlite3_stmt **st);
/* Steps @st, a bound SELECT COUNT(*), into *n and finalizes it: 0 or a negative errno. */
int pm_store_count(sqlite3_stmt *st, uint64_t *n);
/* Runs a statement that returns no rows; finalizes it. */
int pm_store_step_done(sqlite3_stmt *st);
/* The meter's row, which every other table refers to. */
int pm_store_ensure_meter(struct pm_store *store, const char *meter);
int pm_store_begin(struct pm_store *store);
int pm_store_end(struct pm_store *store, int ret);
/* The account's rows (store-account.c), inside a transaction the caller began. */
int pm_store_write_account(struct pm_store *store, const char *meter, uint32_t layout,
			   const void *state, size_t len, int64_t utc_ns, const char *reference,
			   int64_t value_mu);
/* Binds a streaming read's range to ?first (from), +1 (to), +2 (LIMIT), +3 (OFFSET). */
void pm_store_bind_range(sqlite3_stmt *st, int first, const struct pm_store_range *range);

#endif
