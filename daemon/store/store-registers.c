// SPDX-License-Identifier: GPL-2.0-only
/* The energy registers and the device counters of a meter: the checkpoint (see store.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store-internal.h"
#include "store/store.h"

/* Stable names of the registers in the database (independent of the enum's order). */
static const char *const register_names[PM_MET_REG_COUNT] = {
    [PM_MET_A_IMPORT] = "A+", [PM_MET_A_EXPORT] = "A-", [PM_MET_R_Q1] = "Q1",
    [PM_MET_R_Q2] = "Q2",     [PM_MET_R_Q3] = "Q3",	[PM_MET_R_Q4] = "Q4",
    [PM_MET_R_IMPORT] = "R+", [PM_MET_R_EXPORT] = "R-", [PM_MET_S_IMPORT] = "S+",
    [PM_MET_S_EXPORT] = "S-",
};

/* scope column: 0..2 = phases A..C, 3 = total */
#define SCOPE_TOTAL PM_MET_PHASES

static int energy_cmp(const struct pm_met_energy *a, const struct pm_met_energy *b)
{
	if (a->mwh != b->mwh)
		return a->mwh < b->mwh ? -1 : 1;
	if (a->rem_nj != b->rem_nj)
		return a->rem_nj < b->rem_nj ? -1 : 1;
	return 0;
}

static struct pm_met_energy *scope_energy(struct pm_met_registers *regs, int scope, int reg)
{
	return scope == SCOPE_TOTAL ? &regs->total[reg] : &regs->phase[scope][reg];
}

static int register_index(const char *name)
{
	for (int i = 0; i < PM_MET_REG_COUNT; i++)
		if (!strcmp(register_names[i], name))
			return i;
	return -1;
}

/* Reads the stored registers of @meter into @regs (zero where none is stored). */
static int load_registers(struct pm_store *s, const char *meter, struct pm_met_registers *regs)
{
	sqlite3_stmt *st;
	int r = pm_store_prepare(
	    s, "SELECT scope, name, mwh, rem_nj FROM register WHERE meter = ?1", &st);

	if (r)
		return r;
	memset(regs, 0, sizeof(*regs));
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int scope = sqlite3_column_int(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		int reg = name ? register_index(name) : -1;
		sqlite3_int64 mwh = sqlite3_column_int64(st, 2);
		sqlite3_int64 rem = sqlite3_column_int64(st, 3);

		/* A row this code cannot place is damage, not something to skip quietly. */
		if (scope < 0 || scope > SCOPE_TOTAL || reg < 0 || mwh < 0 || rem < 0 ||
		    (uint64_t)rem >= PM_MET_NJ_PER_MWH) {
			sqlite3_finalize(st);
			return -EBADMSG;
		}
		scope_energy(regs, scope, reg)->mwh = (uint64_t)mwh;
		scope_energy(regs, scope, reg)->rem_nj = (uint64_t)rem;
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : pm_store_errno(r);
}

static int save_registers(struct pm_store *s, const char *meter,
			  const struct pm_met_registers *regs)
{
	sqlite3_stmt *st;
	int r = pm_store_prepare(s,
				 "INSERT INTO register (meter, scope, name, mwh, rem_nj)"
				 " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (meter, scope, name)"
				 " DO UPDATE SET mwh = excluded.mwh, rem_nj = excluded.rem_nj",
				 &st);

	if (r)
		return r;
	for (int scope = 0; scope <= SCOPE_TOTAL && !r; scope++) {
		for (int reg = 0; reg < PM_MET_REG_COUNT && !r; reg++) {
			const struct pm_met_energy *e =
			    scope_energy((struct pm_met_registers *)regs, scope, reg);

			if (e->mwh > INT64_MAX) {
				r = -ERANGE;
				break;
			}
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 2, scope);
			sqlite3_bind_text(st, 3, register_names[reg], -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 4, (sqlite3_int64)e->mwh);
			sqlite3_bind_int64(st, 5, (sqlite3_int64)e->rem_nj);
			r = sqlite3_step(st);
			r = r == SQLITE_DONE ? 0 : pm_store_errno(r);
		}
	}
	sqlite3_finalize(st);
	return r;
}

static int save_counters(struct pm_store *s, const char *meter, const struct pm_met_persist *p)
{
	sqlite3_stmt *st;
	int r = pm_store_prepare(s, "DELETE FROM counter WHERE meter = ?1", &st);

	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	r = pm_store_step_done(st);
	if (r || !p->has_counters)
		return r;
	r = pm_store_prepare(
	    s, "INSERT INTO counter (meter, phase, kind, value) VALUES (?1, ?2, ?3, ?4)", &st);
	if (r)
		return r;
	for (int ph = 0; ph < PM_MET_PHASES && !r; ph++) {
		for (int k = 0; k < PM_MET_CNT_COUNT && !r; k++) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 2, ph);
			sqlite3_bind_int(st, 3, k);
			sqlite3_bind_int64(st, 4, p->counter[ph][k]);
			r = sqlite3_step(st);
			r = r == SQLITE_DONE ? 0 : pm_store_errno(r);
		}
	}
	sqlite3_finalize(st);
	return r;
}

/* The checkpoint's rows, inside a transaction the caller began. */
static int write_meter(struct pm_store *store, const char *meter, const struct pm_met_persist *p,
		       int64_t utc_ns)
{
	struct pm_met_registers stored;
	sqlite3_stmt *st;
	int r = pm_store_ensure_meter(store, meter);

	if (!r)
		r = load_registers(store, meter, &stored);
	/* The last line of defence of "registers never go backwards": refuse the whole save. */
	for (int scope = 0; !r && scope <= SCOPE_TOTAL; scope++)
		for (int reg = 0; !r && reg < PM_MET_REG_COUNT; reg++)
			if (energy_cmp(
				scope_energy((struct pm_met_registers *)&p->regs, scope, reg),
				scope_energy(&stored, scope, reg)) < 0)
				r = -ERANGE;
	if (!r)
		r = save_registers(store, meter, &p->regs);
	if (!r)
		r = save_counters(store, meter, p);
	if (!r)
		r = pm_store_prepare(
		    store,
		    "UPDATE meter SET saved_ns = ?2, has_counters = ?3, generation = ?4"
		    " WHERE name = ?1",
		    &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, utc_ns);
		sqlite3_bind_int(st, 3, p->has_counters);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)p->generation);
		r = pm_store_step_done(st);
	}
	return r;
}

int pm_store_save_checkpoint(struct pm_store *store, const char *meter,
			     const struct pm_met_persist *p, int64_t utc_ns,
			     const struct pm_store_account_record *account)
{
	int r;

	if (!store || !meter || !*meter || !p ||
	    (account && (!account->state || account->len > (size_t)INT32_MAX)))
		return -EINVAL;
	r = pm_store_begin(store);
	if (r)
		return r;
	r = write_meter(store, meter, p, utc_ns);
	if (!r && account)
		r = pm_store_write_account(store, meter, account->layout, account->state,
					   account->len, utc_ns, NULL, 0);
	return pm_store_end(store, r);
}

int pm_store_save_meter(struct pm_store *store, const char *meter, const struct pm_met_persist *p,
			int64_t utc_ns)
{
	return pm_store_save_checkpoint(store, meter, p, utc_ns, NULL);
}

static int load_counters(struct pm_store *s, const char *meter, struct pm_met_persist *p)
{
	bool seen[PM_MET_PHASES][PM_MET_CNT_COUNT] = {{false}};
	sqlite3_stmt *st;
	int r = pm_store_prepare(s, "SELECT phase, kind, value FROM counter WHERE meter = ?1", &st);

	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int ph = sqlite3_column_int(st, 0), k = sqlite3_column_int(st, 1);

		if (ph < 0 || ph >= PM_MET_PHASES || k < 0 || k >= PM_MET_CNT_COUNT) {
			sqlite3_finalize(st);
			return -EBADMSG;
		}
		p->counter[ph][k] = sqlite3_column_int64(st, 2);
		seen[ph][k] = true;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return pm_store_errno(r);
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		for (int k = 0; k < PM_MET_CNT_COUNT; k++)
			if (!seen[ph][k])
				return -EBADMSG;
	return 0;
}

int pm_store_load_meter(struct pm_store *store, const char *meter, struct pm_met_persist *p,
			int64_t *utc_ns)
{
	struct pm_met_persist out;
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !p)
		return -EINVAL;
	memset(&out, 0, sizeof(out));
	r = pm_store_exec(store, "BEGIN");
	if (r)
		return r;
	r = pm_store_prepare(
	    store, "SELECT saved_ns, has_counters, generation FROM meter WHERE name = ?1", &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			if (utc_ns)
				*utc_ns = sqlite3_column_int64(st, 0);
			out.has_counters = sqlite3_column_int(st, 1) != 0;
			out.generation = (uint64_t)sqlite3_column_int64(st, 2);
			r = 0;
		} else {
			r = r == SQLITE_DONE ? -ENOENT : pm_store_errno(r);
		}
		sqlite3_finalize(st);
	}
	if (!r)
		r = load_registers(store, meter, &out.regs);
	if (!r && out.has_counters)
		r = load_counters(store, meter, &out);
	/* a read transaction left open would make every later BEGIN IMMEDIATE fail */
	r = pm_store_end(store, r);
	if (!r)
		*p = out;
	return r;
}
