// SPDX-License-Identifier: GPL-2.0-only
/* The load profile: one row per closed interval (see store.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store-internal.h"
#include "store/store.h"

/* Columns of a profile row after meter, in the order of bind and read below. */
#define PROFILE_COLUMNS                                                                            \
	"end_ns, period_ns, status, samples, a_import, a_export, r_import, r_export,"              \
	" d_a_import, d_a_export, d_r_import, d_r_export, v1_mv, v2_mv, v3_mv, i1_ma, i2_ma,"      \
	" i3_ma, pf1_micro, pf2_micro, pf3_micro, f1_mhz, f2_mhz, f3_mhz"
#define PROFILE_NCOLS 24

static int bind_profile(sqlite3_stmt *st, int first, const struct pm_store_profile *e)
{
	int c = first;

	sqlite3_bind_int64(st, c++, e->end_ns);
	sqlite3_bind_int64(st, c++, e->period_ns);
	sqlite3_bind_int64(st, c++, e->status);
	sqlite3_bind_int64(st, c++, e->samples);
	for (int k = 0; k < PM_STORE_PROF_REGS; k++) {
		if (e->reg[k] > INT64_MAX)
			return -ERANGE;
		sqlite3_bind_int64(st, c++, (sqlite3_int64)e->reg[k]);
	}
	for (int k = 0; k < PM_STORE_PROF_REGS; k++) {
		if (e->delta[k] > INT64_MAX)
			return -ERANGE;
		sqlite3_bind_int64(st, c++, (sqlite3_int64)e->delta[k]);
	}
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		sqlite3_bind_int64(st, c++, e->avg[ph].v_mv);
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		sqlite3_bind_int64(st, c++, e->avg[ph].i_ma);
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		sqlite3_bind_int64(st, c++, e->avg[ph].pf_micro);
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		sqlite3_bind_int64(st, c++, e->avg[ph].f_mhz);
	return 0;
}

static int read_profile(sqlite3_stmt *st, struct pm_store_profile *e)
{
	int c = 0;

	memset(e, 0, sizeof(*e));
	e->end_ns = sqlite3_column_int64(st, c++);
	e->period_ns = sqlite3_column_int64(st, c++);
	e->status = (uint32_t)sqlite3_column_int64(st, c++);
	e->samples = (uint32_t)sqlite3_column_int64(st, c++);
	for (int k = 0; k < 2 * PM_STORE_PROF_REGS; k++) {
		sqlite3_int64 v = sqlite3_column_int64(st, c++);

		if (v < 0)
			return -EBADMSG;
		if (k < PM_STORE_PROF_REGS)
			e->reg[k] = (uint64_t)v;
		else
			e->delta[k - PM_STORE_PROF_REGS] = (uint64_t)v;
	}
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		e->avg[ph].v_mv = sqlite3_column_int64(st, c++);
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		e->avg[ph].i_ma = sqlite3_column_int64(st, c++);
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		e->avg[ph].pf_micro = (int32_t)sqlite3_column_int64(st, c++);
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		e->avg[ph].f_mhz = sqlite3_column_int64(st, c++);
	return 0;
}

int pm_store_add_profile(struct pm_store *store, const char *meter,
			 const struct pm_store_profile *e)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !*meter || !e || e->period_ns <= 0)
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = pm_store_ensure_meter(store, meter);
	/*
	 * Same end as a stored interval (the clock was set back): merged, so the deltas still
	 * add up to the registers' growth.
	 */
	if (!r)
		r = pm_store_prepare(
		    store,
		    "INSERT INTO profile (meter, " PROFILE_COLUMNS ") VALUES (?1, ?2, ?3,"
		    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
		    " ?19, ?20, ?21, ?22, ?23, ?24, ?25) ON CONFLICT (meter, end_ns) DO UPDATE"
		    " SET status = status | excluded.status | ?26,"
		    " samples = samples + excluded.samples,"
		    " a_import = excluded.a_import, a_export = excluded.a_export,"
		    " r_import = excluded.r_import, r_export = excluded.r_export,"
		    " d_a_import = d_a_import + excluded.d_a_import,"
		    " d_a_export = d_a_export + excluded.d_a_export,"
		    " d_r_import = d_r_import + excluded.d_r_import,"
		    " d_r_export = d_r_export + excluded.d_r_export,"
		    " v1_mv = excluded.v1_mv, v2_mv = excluded.v2_mv, v3_mv = excluded.v3_mv,"
		    " i1_ma = excluded.i1_ma, i2_ma = excluded.i2_ma, i3_ma = excluded.i3_ma,"
		    " pf1_micro = excluded.pf1_micro, pf2_micro = excluded.pf2_micro,"
		    " pf3_micro = excluded.pf3_micro, f1_mhz = excluded.f1_mhz,"
		    " f2_mhz = excluded.f2_mhz, f3_mhz = excluded.f3_mhz",
		    &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2 + PROFILE_NCOLS, PM_PROFILE_CLOCK_ADJUSTED);
		r = bind_profile(st, 2, e);
		if (r)
			sqlite3_finalize(st);
		else
			r = pm_store_step_done(st);
	}
	if (!r)
		r = pm_store_prepare(store, "DELETE FROM profile WHERE meter = ?1 AND end_ns < ?2",
				     &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2,
				   e->end_ns < INT64_MIN + PM_STORE_PROFILE_KEEP_NS
				       ? INT64_MIN
				       : e->end_ns - PM_STORE_PROFILE_KEEP_NS);
		r = pm_store_step_done(st);
	}
	return pm_store_end(store, r);
}

int pm_store_profiles(struct pm_store *store, const char *meter, int64_t from_ns, int64_t to_ns,
		      struct pm_store_profile **out, size_t *n)
{
	struct pm_store_profile *v = NULL, *nv;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !out || !n || from_ns > to_ns)
		return -EINVAL;
	*out = NULL;
	*n = 0;
	r = pm_store_prepare(store,
			     "SELECT " PROFILE_COLUMNS
			     " FROM profile WHERE meter = ?1 AND end_ns >= ?2"
			     " AND end_ns <= ?3 ORDER BY end_ns",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from_ns);
	sqlite3_bind_int64(st, 3, to_ns);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				r = -ENOMEM;
				goto fail;
			}
			v = nv;
		}
		r = read_profile(st, &v[len]);
		if (r)
			goto fail;
		len++;
	}
	if (r != SQLITE_DONE) {
		r = pm_store_errno(r);
		goto fail;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = len;
	return 0;
fail:
	sqlite3_finalize(st);
	free(v);
	return r ? r : -EIO;
}

int pm_store_last_profile(struct pm_store *store, const char *meter, struct pm_store_profile *e)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !e)
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT " PROFILE_COLUMNS " FROM profile WHERE meter = ?1"
			     " ORDER BY end_ns DESC LIMIT 1",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		r = read_profile(st, e);
	else
		r = r == SQLITE_DONE ? -ENOENT : pm_store_errno(r);
	sqlite3_finalize(st);
	return r;
}

int pm_store_profile_each(struct pm_store *store, const char *meter,
			  const struct pm_store_range *range, pm_store_profile_fn fn, void *ctx)
{
	struct pm_store_profile e;
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !range || !fn || range->from_ns > range->to_ns)
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT " PROFILE_COLUMNS
			     " FROM profile WHERE meter = ?1 AND end_ns >= ?2 AND end_ns <= ?3"
			     " ORDER BY end_ns LIMIT ?4 OFFSET ?5",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	pm_store_bind_range(st, 2, range);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		r = read_profile(st, &e);
		if (!r)
			r = fn(ctx, &e);
		if (r) {
			sqlite3_finalize(st);
			return r;
		}
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : pm_store_errno(r);
}

int pm_store_profile_count(struct pm_store *store, const char *meter, int64_t from_ns,
			   int64_t to_ns, uint64_t *n)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !n || from_ns > to_ns)
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT COUNT(*) FROM profile WHERE meter = ?1 AND end_ns >= ?2"
			     " AND end_ns <= ?3",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from_ns);
	sqlite3_bind_int64(st, 3, to_ns);
	return pm_store_count(st, n);
}
