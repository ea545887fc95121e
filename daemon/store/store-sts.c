// SPDX-License-Identifier: GPL-2.0-only
/* The meter's STS side beside its account (see store.h, migration 7). */
#include <errno.h>
#include <string.h>

#include "store/store-internal.h"

int pm_store_save_sts(struct pm_store *store, const char *meter, const struct pm_store_sts *v)
{
	const struct sts_lockout *l = &v->lockout;
	unsigned char dk[8];
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !v)
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = pm_store_ensure_meter(store, meter);
	if (!r)
		r = pm_store_prepare(
		    store,
		    "INSERT OR REPLACE INTO sts_meter (meter, session_start, invalid,"
		    " lockout_day, lockouts, locked, until_day, until_second,"
		    " provisioned_dk, supply_group_code)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		    &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, l->session_start_utc);
		sqlite3_bind_int64(st, 3, l->invalid);
		sqlite3_bind_int64(st, 4, l->lockout_day);
		sqlite3_bind_int64(st, 5, l->lockouts);
		sqlite3_bind_int64(st, 6, l->locked);
		sqlite3_bind_int64(st, 7, l->until_day);
		sqlite3_bind_int64(st, 8, l->until_second);
		if (v->has_provisioned_dk) {
			/* big-endian: the key's bytes as a key file writes them */
			for (int i = 0; i < 8; i++)
				dk[i] = (unsigned char)(v->provisioned_dk >> (56 - 8 * i));
			sqlite3_bind_blob(st, 9, dk, sizeof(dk), SQLITE_STATIC);
		}
		if (v->has_supply_group_code)
			sqlite3_bind_int64(st, 10, v->supply_group_code);
		r = pm_store_step_done(st);
	}
	return pm_store_end(store, r);
}

int pm_store_load_sts(struct pm_store *store, const char *meter, struct pm_store_sts *v)
{
	struct sts_lockout *l = &v->lockout;
	sqlite3_stmt *st;
	int64_t x[7];
	int r;

	if (!store || !meter || !v)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	r = pm_store_meter_row(
	    store,
	    "SELECT session_start, invalid, lockout_day, lockouts, locked, until_day,"
	    " until_second, provisioned_dk, supply_group_code FROM sts_meter"
	    " WHERE meter = ?1",
	    meter, &st);
	if (r)
		return r;
	for (int i = 0; i < 7; i++)
		x[i] = sqlite3_column_int64(st, i);
	r = 0;
	if (x[1] < 0 || x[1] > UINT32_MAX || x[2] < INT32_MIN || x[2] > INT32_MAX || x[3] < 0 ||
	    x[3] > UINT32_MAX || x[5] < INT32_MIN || x[5] > INT32_MAX || x[6] < 0 ||
	    x[6] > UINT32_MAX)
		r = -EBADMSG;
	l->session_start_utc = x[0];
	l->invalid = (uint32_t)x[1];
	l->lockout_day = (int32_t)x[2];
	l->lockouts = (uint32_t)x[3];
	l->locked = x[4] != 0;
	l->until_day = (int32_t)x[5];
	l->until_second = (uint32_t)x[6];
	if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
		const unsigned char *dk = sqlite3_column_blob(st, 7);

		if (sqlite3_column_bytes(st, 7) != 8 || !dk) {
			r = -EBADMSG;
		} else {
			v->has_provisioned_dk = true;
			for (int i = 0; i < 8; i++)
				v->provisioned_dk = v->provisioned_dk << 8 | dk[i];
		}
	}
	if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
		int64_t sgc = sqlite3_column_int64(st, 8);

		if (sgc < 0 || sgc > 999999)
			r = -EBADMSG;
		v->has_supply_group_code = true;
		v->supply_group_code = (uint32_t)sgc;
	}
	sqlite3_finalize(st);
	if (!r && sts_lockout_check(l) < 0)
		r = -EBADMSG;
	return r;
}
