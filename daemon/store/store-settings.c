// SPDX-License-Identifier: GPL-2.0-only
/* What a meter keeps besides its registers: calibration codes, maximum demand, the effective
 * configuration (see store.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store-internal.h"
#include "store/store.h"

int pm_store_save_calib(struct pm_store *store, const char *meter, const struct pm_calib *c,
			int64_t utc_ns)
{
	int r;

	if (!store || !meter || !c)
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = pm_store_ensure_meter(store, meter);
	for (int n = 0; !r && n < PM_CAL_PHASES; n++) {
		sqlite3_stmt *st;

		if (!c->set[n])
			continue;
		r = pm_store_prepare(
		    store,
		    "INSERT OR REPLACE INTO calibration (meter, phase, vgain, igain, pgain,"
		    " vrmsos, irmsos, wattos, varos, saved_ns)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		    &st);
		if (r)
			break;
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, n);
		for (int g = 0; g < PM_CAL_REGS; g++)
			sqlite3_bind_int64(st, 3 + g, c->code[n][g]);
		sqlite3_bind_int64(st, 3 + PM_CAL_REGS, utc_ns);
		r = pm_store_step_done(st);
	}
	return pm_store_end(store, r);
}

int pm_store_load_calib(struct pm_store *store, const char *meter, struct pm_calib *c)
{
	struct pm_calib got = {0};
	sqlite3_stmt *st;
	bool any = false;
	int r;

	if (!store || !meter || !c)
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT phase, vgain, igain, pgain, vrmsos, irmsos, wattos, varos"
			     " FROM calibration WHERE meter = ?1",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_int(st, 0);

		if (n < 0 || n >= PM_CAL_PHASES) {
			sqlite3_finalize(st);
			return -EBADMSG;
		}
		for (int g = 0; g < PM_CAL_REGS; g++) {
			sqlite3_int64 v = sqlite3_column_int64(st, 1 + g);

			if (v < INT32_MIN || v > INT32_MAX) {
				sqlite3_finalize(st);
				return -EBADMSG;
			}
			got.code[n][g] = (int32_t)v;
		}
		got.set[n] = any = true;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return pm_store_errno(r);
	if (!any)
		return -ENOENT;
	*c = got;
	return 0;
}

int pm_store_save_demand(struct pm_store *store, const char *meter, const struct pm_store_demand *d,
			 size_t n)
{
	sqlite3_stmt *st;
	int newest = INT32_MIN, r;

	if (!store || !meter || !*meter || (!d && n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (d[i].month > newest)
			newest = d[i].month;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = pm_store_ensure_meter(store, meter);
	for (size_t i = 0; !r && i < n; i++) {
		r = pm_store_prepare(
		    store,
		    "INSERT OR REPLACE INTO demand (meter, month, export, demand_mw, end_ns)"
		    " VALUES (?1, ?2, ?3, ?4, ?5)",
		    &st);
		if (r)
			break;
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, d[i].month);
		sqlite3_bind_int(st, 3, d[i].is_export);
		sqlite3_bind_int64(st, 4, d[i].demand_mw);
		sqlite3_bind_int64(st, 5, d[i].end_ns);
		r = pm_store_step_done(st);
	}
	/* only the newest month and the two before it are kept */
	if (!r && n)
		r = pm_store_prepare(store, "DELETE FROM demand WHERE meter = ?1 AND month < ?2",
				     &st);
	if (!r && n) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, newest - (PM_DEMAND_MONTHS - 1));
		r = pm_store_step_done(st);
	}
	return pm_store_end(store, r);
}

int pm_store_load_demand(struct pm_store *store, const char *meter, struct pm_store_demand *d,
			 size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int r;

	if (!store || !meter || (!d && max))
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT month, export, demand_mw, end_ns FROM demand WHERE meter = ?1"
			     " ORDER BY month DESC, export LIMIT ?2",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while (n < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		d[n].month = sqlite3_column_int(st, 0);
		d[n].is_export = sqlite3_column_int(st, 1) != 0;
		d[n].demand_mw = sqlite3_column_int64(st, 2);
		d[n].end_ns = sqlite3_column_int64(st, 3);
		n++;
	}
	sqlite3_finalize(st);
	if (n < max && r != SQLITE_DONE)
		return pm_store_errno(r);
	return (int)n;
}

int pm_store_set_config(struct pm_store *store, const char *meter, const char *description)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !*meter || !description)
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = pm_store_ensure_meter(store, meter);
	if (!r)
		r = pm_store_prepare(
		    store,
		    "INSERT OR REPLACE INTO meter_config (meter, description) VALUES (?1, ?2)",
		    &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, description, -1, SQLITE_STATIC);
		r = pm_store_step_done(st);
	}
	return pm_store_end(store, r);
}

int pm_store_get_config(struct pm_store *store, const char *meter, char *description, size_t len)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !description || !len)
		return -EINVAL;
	r = pm_store_prepare(store, "SELECT description FROM meter_config WHERE meter = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		r = snprintf(description, len, "%s", t ? t : "") >= (int)len ? -ENOBUFS : 0;
	} else {
		r = r == SQLITE_DONE ? -ENOENT : pm_store_errno(r);
	}
	sqlite3_finalize(st);
	return r;
}

/* For the store's other files (store-internal.h): the connection and the helpers above. */
