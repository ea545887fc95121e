// SPDX-License-Identifier: GPL-2.0-only
/* The DLMS token gateway's last entry of a meter (see store.h, migration 12). */
#include <errno.h>
#include <string.h>

#include "store/store-internal.h"

/* An entry the gateway could have made: a token of 1..64 octets without NUL, a status code,
 * a description of 1..23 octets. */
static bool entry_ok(const struct pm_store_token_entry *e)
{
	size_t n = strnlen(e->token, sizeof(e->token)), d;

	d = strnlen(e->description, sizeof(e->description));
	return n >= 1 && n <= PM_STORE_TOKEN_MAX && d >= 1 && d <= PM_STORE_TOKEN_DESCRIPTION_MAX &&
	       e->status <= PM_STORE_TOKEN_STATUS_MAX;
}

int pm_store_save_token_entry(struct pm_store *store, const char *meter,
			      const struct pm_store_token_entry *e)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !e || !entry_ok(e))
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = pm_store_ensure_meter(store, meter);
	if (!r)
		r = pm_store_prepare(store,
				     "INSERT OR REPLACE INTO dlms_token_entry"
				     " (meter, token, utc_s, status, description)"
				     " VALUES (?1, ?2, ?3, ?4, ?5)",
				     &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, e->token, (int)strlen(e->token), SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, e->utc_s);
		sqlite3_bind_int64(st, 4, e->status);
		sqlite3_bind_text(st, 5, e->description, -1, SQLITE_STATIC);
		r = pm_store_step_done(st);
	}
	return pm_store_end(store, r);
}

int pm_store_load_token_entry(struct pm_store *store, const char *meter,
			      struct pm_store_token_entry *e)
{
	const void *token;
	const unsigned char *desc;
	sqlite3_stmt *st;
	int64_t status;
	int n, d, r;

	if (!store || !meter || !e)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	r = pm_store_meter_row(store,
			       "SELECT token, utc_s, status, description FROM dlms_token_entry"
			       " WHERE meter = ?1",
			       meter, &st);
	if (r)
		return r;
	token = sqlite3_column_blob(st, 0);
	n = sqlite3_column_bytes(st, 0);
	status = sqlite3_column_int64(st, 2);
	desc = sqlite3_column_text(st, 3);
	d = sqlite3_column_bytes(st, 3);
	r = -EBADMSG;
	if (token && n >= 1 && n <= PM_STORE_TOKEN_MAX && !memchr(token, 0, (size_t)n) && desc &&
	    d >= 1 && d <= PM_STORE_TOKEN_DESCRIPTION_MAX && !memchr(desc, 0, (size_t)d) &&
	    status >= 0 && status <= PM_STORE_TOKEN_STATUS_MAX) {
		memcpy(e->token, token, (size_t)n);
		memcpy(e->description, desc, (size_t)d);
		e->utc_s = sqlite3_column_int64(st, 1);
		e->status = (uint8_t)status;
		r = 0;
	}
	sqlite3_finalize(st);
	if (r)
		memset(e, 0, sizeof(*e));
	return r;
}
