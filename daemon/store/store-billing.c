// SPDX-License-Identifier: GPL-2.0-only
/* The daily and monthly billing captures: one row per meter, scheme and local date (store.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store-internal.h"
#include "store/store.h"

/* Columns of a capture after meter and scheme, in the order of bind and read below. */
#define BILLING_COLUMNS                                                                            \
	"local_day, utc_ns, a_import, a_export, r_import, r_export, n_rates, n_export_rates,"      \
	" ri1, ri2, ri3, ri4, ri5, ri6, ri7, ri8, re1, re2, re3, re4, re5, re6, re7, re8,"         \
	" md_import_mw, md_import_end_ns, md_export_mw, md_export_end_ns, charges_mu"
#define BILLING_NCOLS 29

static int kept(enum pm_store_billing_scheme scheme)
{
	return scheme == PM_STORE_BILLING_DAILY ? PM_STORE_DAILY_KEPT : PM_STORE_MONTHLY_KEPT;
}

static bool scheme_ok(enum pm_store_billing_scheme scheme)
{
	return scheme == PM_STORE_BILLING_MONTHLY || scheme == PM_STORE_BILLING_DAILY;
}

/* An unsigned register as SQLite's signed integer; -ERANGE above INT64_MAX. */
static int bind_u64(sqlite3_stmt *st, int col, uint64_t v)
{
	if (v > INT64_MAX)
		return -ERANGE;
	sqlite3_bind_int64(st, col, (sqlite3_int64)v);
	return 0;
}

static int bind_billing(sqlite3_stmt *st, int first, const struct pm_store_billing *b)
{
	int c = first, r = 0;

	if (b->n_rates > PM_STORE_BILLING_RATES || b->n_export_rates > PM_STORE_BILLING_RATES)
		return -EINVAL;
	sqlite3_bind_int64(st, c++, b->local_day);
	sqlite3_bind_int64(st, c++, b->utc_ns);
	for (int k = 0; k < PM_STORE_PROF_REGS && !r; k++)
		r = bind_u64(st, c++, b->reg[k]);
	sqlite3_bind_int(st, c++, b->n_rates);
	sqlite3_bind_int(st, c++, b->n_export_rates);
	/* a rate the tariff did not have is NULL, never a 0 that reads as a register */
	for (int k = 0; k < PM_STORE_BILLING_RATES && !r; k++, c++)
		if (k < b->n_rates)
			r = bind_u64(st, c, b->rate_import[k]);
	for (int k = 0; k < PM_STORE_BILLING_RATES && !r; k++, c++)
		if (k < b->n_export_rates)
			r = bind_u64(st, c, b->rate_export[k]);
	for (int d = 0; d < 2; d++, c += 2)
		if (b->md_valid[d]) {
			sqlite3_bind_int64(st, c, b->md_mw[d]);
			sqlite3_bind_int64(st, c + 1, b->md_end_ns[d]);
		}
	if (b->has_charges)
		sqlite3_bind_int64(st, c, b->charges_mu);
	return r;
}

static int read_u64(sqlite3_stmt *st, int col, uint64_t *v)
{
	sqlite3_int64 x = sqlite3_column_int64(st, col);

	if (x < 0)
		return -EBADMSG;
	*v = (uint64_t)x;
	return 0;
}

/* @st's columns from 0 are BILLING_COLUMNS. */
static int read_billing(sqlite3_stmt *st, enum pm_store_billing_scheme scheme,
			struct pm_store_billing *b)
{
	int c = 0, r = 0;
	int n_rates, n_export;

	memset(b, 0, sizeof(*b));
	b->scheme = scheme;
	b->local_day = (int32_t)sqlite3_column_int64(st, c++);
	b->utc_ns = sqlite3_column_int64(st, c++);
	for (int k = 0; k < PM_STORE_PROF_REGS && !r; k++)
		r = read_u64(st, c++, &b->reg[k]);
	n_rates = sqlite3_column_int(st, c++);
	n_export = sqlite3_column_int(st, c++);
	if (r || n_rates < 0 || n_rates > PM_STORE_BILLING_RATES || n_export < 0 ||
	    n_export > PM_STORE_BILLING_RATES)
		return -EBADMSG;
	b->n_rates = (uint8_t)n_rates;
	b->n_export_rates = (uint8_t)n_export;
	for (int k = 0; k < PM_STORE_BILLING_RATES && !r; k++, c++)
		if (k < n_rates)
			r = read_u64(st, c, &b->rate_import[k]);
	for (int k = 0; k < PM_STORE_BILLING_RATES && !r; k++, c++)
		if (k < n_export)
			r = read_u64(st, c, &b->rate_export[k]);
	for (int d = 0; d < 2; d++, c += 2) {
		b->md_valid[d] = sqlite3_column_type(st, c) != SQLITE_NULL;
		b->md_mw[d] = sqlite3_column_int64(st, c);
		b->md_end_ns[d] = sqlite3_column_int64(st, c + 1);
	}
	b->has_charges = sqlite3_column_type(st, c) != SQLITE_NULL;
	b->charges_mu = sqlite3_column_int64(st, c);
	return r;
}

int pm_store_add_billing(struct pm_store *store, const char *meter,
			 const struct pm_store_billing *b)
{
	int r = pm_store_add_billing_account(store, meter, b, NULL, 0);

	return r < 0 ? r : 0;
}

int pm_store_add_billing_account(struct pm_store *store, const char *meter,
				 const struct pm_store_billing *b,
				 const struct pm_store_account_record *account, int64_t utc_ns)
{
	sqlite3_stmt *st;
	bool inserted = false;
	int r;

	if (!store || !meter || !*meter || !b || !scheme_ok(b->scheme) ||
	    (account && (!account->state || account->len > (size_t)INT32_MAX)))
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = pm_store_ensure_meter(store, meter);
	/* the first capture of a local date stands: a second one only follows a clock set back */
	if (!r)
		r = pm_store_prepare(
		    store,
		    "INSERT OR IGNORE INTO billing_capture (meter, scheme, " BILLING_COLUMNS
		    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,"
		    " ?27, ?28, ?29, ?30, ?31)",
		    &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, b->scheme);
		r = bind_billing(st, 3, b);
		if (r) {
			sqlite3_finalize(st);
		} else {
			r = pm_store_step_done(st);
			inserted = !r && sqlite3_changes(pm_store_db(store)) > 0;
		}
	}
	/* the account (its period's working value reset) only with the capture that holds the
	 * amount: an ignored capture must not reset it, a failed one neither (§7.8) */
	if (!r && inserted && account)
		r = pm_store_write_account(store, meter, account->layout, account->state,
					   account->len, utc_ns, NULL, 0);
	if (!r)
		r = pm_store_prepare(store,
				     "DELETE FROM billing_capture WHERE meter = ?1 AND scheme = ?2"
				     " AND local_day <= (SELECT local_day FROM billing_capture"
				     " WHERE meter = ?1 AND scheme = ?2 ORDER BY local_day DESC"
				     " LIMIT 1 OFFSET ?3)",
				     &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, b->scheme);
		sqlite3_bind_int(st, 3, kept(b->scheme));
		r = pm_store_step_done(st);
	}
	r = pm_store_end(store, r);
	return r < 0 ? r : inserted;
}

int pm_store_last_billing(struct pm_store *store, const char *meter,
			  enum pm_store_billing_scheme scheme, struct pm_store_billing *b)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !b || !scheme_ok(scheme))
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT " BILLING_COLUMNS " FROM billing_capture WHERE meter = ?1"
			     " AND scheme = ?2 ORDER BY local_day DESC LIMIT 1",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, scheme);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		r = read_billing(st, scheme, b);
	else
		r = r == SQLITE_DONE ? -ENOENT : pm_store_errno(r);
	sqlite3_finalize(st);
	return r;
}

int pm_store_billing_each(struct pm_store *store, const char *meter,
			  enum pm_store_billing_scheme scheme, const struct pm_store_range *range,
			  pm_store_billing_fn fn, void *ctx)
{
	struct pm_store_billing b;
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !range || !fn || !scheme_ok(scheme) ||
	    range->from_ns > range->to_ns)
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT " BILLING_COLUMNS " FROM billing_capture WHERE meter = ?1"
			     " AND scheme = ?6 AND utc_ns >= ?2 AND utc_ns <= ?3"
			     " ORDER BY local_day LIMIT ?4 OFFSET ?5",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	pm_store_bind_range(st, 2, range);
	sqlite3_bind_int(st, 6, scheme);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		r = read_billing(st, scheme, &b);
		if (!r)
			r = fn(ctx, &b);
		if (r) {
			sqlite3_finalize(st);
			return r;
		}
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : pm_store_errno(r);
}

int pm_store_billing_count(struct pm_store *store, const char *meter,
			   enum pm_store_billing_scheme scheme, int64_t from_ns, int64_t to_ns,
			   uint64_t *n)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !n || !scheme_ok(scheme) || from_ns > to_ns)
		return -EINVAL;
	r = pm_store_prepare(store,
			     "SELECT COUNT(*) FROM billing_capture WHERE meter = ?1 AND scheme = ?2"
			     " AND utc_ns >= ?3 AND utc_ns <= ?4",
			     &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, scheme);
	sqlite3_bind_int64(st, 3, from_ns);
	sqlite3_bind_int64(st, 4, to_ns);
	return pm_store_count(st, n);
}
