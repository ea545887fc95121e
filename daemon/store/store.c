// SPDX-License-Identifier: GPL-2.0-only
/* The store: SQLite schema, migrations, checkpoints and the event log (see store.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store-internal.h"
#include "store/store.h"

struct pm_store {
	sqlite3 *db;
};

/* Stable names of the registers in the database (independent of the enum's order). */
static const char *const register_names[PM_MET_REG_COUNT] = {
    [PM_MET_A_IMPORT] = "A+", [PM_MET_A_EXPORT] = "A-", [PM_MET_R_Q1] = "Q1",
    [PM_MET_R_Q2] = "Q2",     [PM_MET_R_Q3] = "Q3",	[PM_MET_R_Q4] = "Q4",
    [PM_MET_R_IMPORT] = "R+", [PM_MET_R_EXPORT] = "R-", [PM_MET_S_IMPORT] = "S+",
    [PM_MET_S_EXPORT] = "S-",
};

/* scope column: 0..2 = phases A..C, 3 = total */
#define SCOPE_TOTAL PM_MET_PHASES

/*
 * migrations[v] takes a database from user_version v to v + 1. Append only: a released
 * step never changes, so every database in the field reaches the same schema.
 */
static const char *const migrations[PM_STORE_SCHEMA_VERSION] = {
    "CREATE TABLE meter ("
    " name TEXT PRIMARY KEY,"
    " saved_ns INTEGER NOT NULL DEFAULT 0,"
    " has_counters INTEGER NOT NULL DEFAULT 0,"
    " generation INTEGER NOT NULL DEFAULT 0," /* the driver's u64 counter_epoch, bit for bit */
    " events_total INTEGER NOT NULL DEFAULT 0,"
    " events_dropped INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE counter ("
    " meter TEXT NOT NULL REFERENCES meter(name), phase INTEGER NOT NULL,"
    " kind INTEGER NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (meter, phase, kind));"
    "CREATE TABLE register ("
    " meter TEXT NOT NULL REFERENCES meter(name), scope INTEGER NOT NULL,"
    " name TEXT NOT NULL, mwh INTEGER NOT NULL CHECK (mwh >= 0),"
    " rem_nj INTEGER NOT NULL CHECK (rem_nj >= 0), PRIMARY KEY (meter, scope, name));"
    "CREATE TABLE event ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, meter TEXT NOT NULL REFERENCES meter(name),"
    " utc_ns INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE INDEX event_by_meter ON event (meter, id);",
    /* 2: load profile and power-quality profile, one row per closed interval */
    "CREATE TABLE profile ("
    " meter TEXT NOT NULL REFERENCES meter(name), end_ns INTEGER NOT NULL,"
    " period_ns INTEGER NOT NULL, status INTEGER NOT NULL, samples INTEGER NOT NULL,"
    " a_import INTEGER NOT NULL, a_export INTEGER NOT NULL,"
    " r_import INTEGER NOT NULL, r_export INTEGER NOT NULL,"
    " d_a_import INTEGER NOT NULL, d_a_export INTEGER NOT NULL,"
    " d_r_import INTEGER NOT NULL, d_r_export INTEGER NOT NULL,"
    " v1_mv INTEGER NOT NULL, v2_mv INTEGER NOT NULL, v3_mv INTEGER NOT NULL,"
    " i1_ma INTEGER NOT NULL, i2_ma INTEGER NOT NULL, i3_ma INTEGER NOT NULL,"
    " pf1_micro INTEGER NOT NULL, pf2_micro INTEGER NOT NULL, pf3_micro INTEGER NOT NULL,"
    " f1_mhz INTEGER NOT NULL, f2_mhz INTEGER NOT NULL, f3_mhz INTEGER NOT NULL,"
    " PRIMARY KEY (meter, end_ns)) WITHOUT ROWID;",
    /* 3: the chip's calibration codes per meter and phase (enum pm_cal_reg order) */
    "CREATE TABLE calibration ("
    " meter TEXT NOT NULL REFERENCES meter(name), phase INTEGER NOT NULL,"
    " vgain INTEGER NOT NULL, igain INTEGER NOT NULL, pgain INTEGER NOT NULL,"
    " vrmsos INTEGER NOT NULL, irmsos INTEGER NOT NULL, wattos INTEGER NOT NULL,"
    " varos INTEGER NOT NULL, saved_ns INTEGER NOT NULL,"
    " PRIMARY KEY (meter, phase)) WITHOUT ROWID;",
    /*
     * 4: maximum demand per UTC month (year x 12 + month, 0 = January) and direction, and the
     * meter's effective configuration as last started (for the config_change event)
     */
    "CREATE TABLE demand ("
    " meter TEXT NOT NULL REFERENCES meter(name), month INTEGER NOT NULL,"
    " export INTEGER NOT NULL CHECK (export IN (0, 1)), demand_mw INTEGER NOT NULL,"
    " end_ns INTEGER NOT NULL, PRIMARY KEY (meter, month, export)) WITHOUT ROWID;"
    "CREATE TABLE meter_config ("
    " meter TEXT PRIMARY KEY REFERENCES meter(name), description TEXT NOT NULL);",
    /* 5: the account (billing.h): its state as one versioned record, and top-up references */
    "CREATE TABLE account ("
    " meter TEXT PRIMARY KEY REFERENCES meter(name), layout INTEGER NOT NULL,"
    " saved_ns INTEGER NOT NULL, state BLOB NOT NULL);"
    "CREATE TABLE topup_ref ("
    " meter TEXT NOT NULL REFERENCES meter(name), reference TEXT NOT NULL,"
    " utc_ns INTEGER NOT NULL, value_mu INTEGER NOT NULL,"
    " PRIMARY KEY (meter, reference)) WITHOUT ROWID;",
};

static int errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_CONSTRAINT:
		return -ERANGE;
	default:
		return -EIO;
	}
}

const char *pm_store_errmsg(const struct pm_store *store)
{
	return store && store->db ? sqlite3_errmsg(store->db) : "no database";
}

static int exec(struct pm_store *s, const char *sql)
{
	return errno_of(sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

static int prepare(struct pm_store *s, const char *sql, sqlite3_stmt **st)
{
	return errno_of(sqlite3_prepare_v2(s->db, sql, -1, st, NULL));
}

/* Runs a statement that returns no rows; finalizes it. */
static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : errno_of(rc);
}

static int begin(struct pm_store *s)
{
	return exec(s, "BEGIN IMMEDIATE");
}

/* Commits when @ret is 0, rolls back otherwise; returns the first error. */
static int end(struct pm_store *s, int ret)
{
	int r;

	if (ret) {
		exec(s, "ROLLBACK");
		return ret;
	}
	r = exec(s, "COMMIT");
	if (r)
		exec(s, "ROLLBACK");
	return r;
}

static int user_version(struct pm_store *s, int *version)
{
	sqlite3_stmt *st;
	int r = prepare(s, "PRAGMA user_version", &st);

	if (r)
		return r;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		r = 0;
	} else {
		r = errno_of(r);
		if (!r)
			r = -EIO;
	}
	sqlite3_finalize(st);
	return r;
}

/*
 * PRAGMA quick_check reports the damage it finds as result rows ("row 3 missing from index
 * event_by_meter", "CHECK constraint failed in register"), with SQLITE_OK: a sound database is
 * exactly one row "ok". -EBADMSG with the first problem in @why otherwise.
 */
static int quick_check(struct pm_store *s, char *why, size_t whylen)
{
	sqlite3_stmt *st;
	int rows = 0, ok = 0;
	int r = prepare(s, "PRAGMA quick_check", &st);

	if (r)
		return r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *row = (const char *)sqlite3_column_text(st, 0);

		if (rows++ == 0) {
			ok = row && !strcmp(row, "ok");
			snprintf(why, whylen, "%s", row ? row : "(null)");
		}
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return errno_of(r);
	if (!rows)
		snprintf(why, whylen, "no result");
	return rows == 1 && ok ? 0 : -EBADMSG;
}

/* @version: the database's user_version, already checked to be no newer than this code's. */
static int migrate(struct pm_store *s, int version, char *err, size_t errlen, const char *path)
{
	char sql[64], why[256];
	int r;

	for (; version < PM_STORE_SCHEMA_VERSION; version++) {
		r = begin(s);
		if (r)
			return r;
		r = exec(s, migrations[version]);
		if (!r) {
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
			r = exec(s, sql);
		}
		/* SQLite's reason, before the rollback replaces it; a failed COMMIT says errno's */
		snprintf(why, sizeof(why), "%s", r ? sqlite3_errmsg(s->db) : "");
		r = end(s, r);
		if (r) {
			snprintf(err, errlen, "%s: migration to schema %d failed: %s", path,
				 version + 1, why[0] ? why : strerror(-r));
			return r;
		}
	}
	return 0;
}

int pm_store_open(const char *path, struct pm_store **out, char *err, size_t errlen)
{
	struct pm_store *s;
	char dummy[1], why[256] = "";
	int version, r;

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = errno_of(
	    sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL));
	if (r)
		goto fail;
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 1000);
	/*
	 * Only read until the file is known to be ours and sound: a database of a newer schema
	 * (a downgrade) or a damaged one is refused as it is, before the WAL switch below writes
	 * its header. A foreign file fails on the first read, damage in quick_check.
	 */
	r = user_version(s, &version);
	if (r)
		goto fail;
	if (version > PM_STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %d is newer than this polymeterd (%d)",
			 path, version, PM_STORE_SCHEMA_VERSION);
		r = -EPROTO;
		goto close;
	}
	r = quick_check(s, why, sizeof(why));
	if (r == -EBADMSG && why[0]) {
		snprintf(err, errlen, "%s: damaged (quick_check: %s)", path, why);
		goto close;
	}
	/*
	 * WAL: readers never block the checkpoint writer; FULL: a commit is on stable storage
	 * when it returns, which is what lets the daemon acknowledge after it.
	 */
	if (!r)
		r = exec(s, "PRAGMA journal_mode=WAL");
	if (!r)
		r = exec(s, "PRAGMA synchronous=FULL");
	if (!r)
		r = exec(s, "PRAGMA foreign_keys=ON");
	if (r)
		goto fail;
	r = migrate(s, version, err, errlen, path);
	if (r)
		goto close;
	*out = s;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : strerror(-r));
close:
	sqlite3_close(s->db);
	free(s);
	return r;
}

void pm_store_close(struct pm_store *store)
{
	if (!store)
		return;
	sqlite3_close(store->db);
	free(store);
}

static int ensure_meter(struct pm_store *s, const char *meter)
{
	sqlite3_stmt *st;
	int r = prepare(s, "INSERT OR IGNORE INTO meter (name) VALUES (?1)", &st);

	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	return step_done(st);
}

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
	int r = prepare(s, "SELECT scope, name, mwh, rem_nj FROM register WHERE meter = ?1", &st);

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
	return r == SQLITE_DONE ? 0 : errno_of(r);
}

static int save_registers(struct pm_store *s, const char *meter,
			  const struct pm_met_registers *regs)
{
	sqlite3_stmt *st;
	int r = prepare(s,
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
			r = r == SQLITE_DONE ? 0 : errno_of(r);
		}
	}
	sqlite3_finalize(st);
	return r;
}

static int save_counters(struct pm_store *s, const char *meter, const struct pm_met_persist *p)
{
	sqlite3_stmt *st;
	int r = prepare(s, "DELETE FROM counter WHERE meter = ?1", &st);

	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	r = step_done(st);
	if (r || !p->has_counters)
		return r;
	r = prepare(s, "INSERT INTO counter (meter, phase, kind, value) VALUES (?1, ?2, ?3, ?4)",
		    &st);
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
			r = r == SQLITE_DONE ? 0 : errno_of(r);
		}
	}
	sqlite3_finalize(st);
	return r;
}

int pm_store_save_meter(struct pm_store *store, const char *meter, const struct pm_met_persist *p,
			int64_t utc_ns)
{
	struct pm_met_registers stored;
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !*meter || !p)
		return -EINVAL;
	r = begin(store);
	if (r)
		return r;
	r = ensure_meter(store, meter);
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
		r = prepare(store,
			    "UPDATE meter SET saved_ns = ?2, has_counters = ?3, generation = ?4"
			    " WHERE name = ?1",
			    &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, utc_ns);
		sqlite3_bind_int(st, 3, p->has_counters);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)p->generation);
		r = step_done(st);
	}
	return end(store, r);
}

static int load_counters(struct pm_store *s, const char *meter, struct pm_met_persist *p)
{
	bool seen[PM_MET_PHASES][PM_MET_CNT_COUNT] = {{false}};
	sqlite3_stmt *st;
	int r = prepare(s, "SELECT phase, kind, value FROM counter WHERE meter = ?1", &st);

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
		return errno_of(r);
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
	r = exec(store, "BEGIN");
	if (r)
		return r;
	r = prepare(store, "SELECT saved_ns, has_counters, generation FROM meter WHERE name = ?1",
		    &st);
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
			r = r == SQLITE_DONE ? -ENOENT : errno_of(r);
		}
		sqlite3_finalize(st);
	}
	if (!r)
		r = load_registers(store, meter, &out.regs);
	if (!r && out.has_counters)
		r = load_counters(store, meter, &out);
	/* a read transaction left open would make every later BEGIN IMMEDIATE fail */
	r = end(store, r);
	if (!r)
		*p = out;
	return r;
}

int pm_store_add_event(struct pm_store *store, const char *meter, int64_t utc_ns, const char *kind,
		       const char *detail)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !*meter || !kind || !*kind)
		return -EINVAL;
	r = begin(store);
	if (r)
		return r;
	r = ensure_meter(store, meter);
	if (!r)
		r = prepare(
		    store,
		    "INSERT INTO event (meter, utc_ns, kind, detail) VALUES (?1, ?2, ?3, ?4)", &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, utc_ns);
		sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_STATIC);
		r = step_done(st);
	}
	if (!r)
		r = prepare(store,
			    "DELETE FROM event WHERE meter = ?1 AND id <= (SELECT id FROM event"
			    " WHERE meter = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
			    &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, PM_STORE_EVENTS_KEPT);
		r = step_done(st);
	}
	if (!r) {
		int dropped = sqlite3_changes(store->db);

		r = prepare(store,
			    "UPDATE meter SET events_total = events_total + 1,"
			    " events_dropped = events_dropped + ?2 WHERE name = ?1",
			    &st);
		if (!r) {
			sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 2, dropped);
			r = step_done(st);
		}
	}
	return end(store, r);
}

int pm_store_events(struct pm_store *store, const char *meter, struct pm_store_event *ev,
		    size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int r;

	if (!store || !meter || (!ev && max))
		return -EINVAL;
	r = prepare(store,
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
		return errno_of(r);
	return (int)n;
}

int pm_store_event_counts(struct pm_store *store, const char *meter, uint64_t *total,
			  uint64_t *dropped)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !total || !dropped)
		return -EINVAL;
	r = prepare(store, "SELECT events_total, events_dropped FROM meter WHERE name = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*total = (uint64_t)sqlite3_column_int64(st, 0);
		*dropped = (uint64_t)sqlite3_column_int64(st, 1);
		r = 0;
	} else {
		r = r == SQLITE_DONE ? -ENOENT : errno_of(r);
	}
	sqlite3_finalize(st);
	return r;
}

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
	r = begin(store);
	if (r)
		return r;
	r = ensure_meter(store, meter);
	/*
	 * Same end as a stored interval (the clock was set back): merged, so the deltas still
	 * add up to the registers' growth.
	 */
	if (!r)
		r = prepare(
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
			r = step_done(st);
	}
	if (!r)
		r = prepare(store, "DELETE FROM profile WHERE meter = ?1 AND end_ns < ?2", &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2,
				   e->end_ns < INT64_MIN + PM_STORE_PROFILE_KEEP_NS
				       ? INT64_MIN
				       : e->end_ns - PM_STORE_PROFILE_KEEP_NS);
		r = step_done(st);
	}
	return end(store, r);
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
	r = prepare(store,
		    "SELECT " PROFILE_COLUMNS " FROM profile WHERE meter = ?1 AND end_ns >= ?2"
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
		r = errno_of(r);
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
	r = prepare(store,
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
		r = r == SQLITE_DONE ? -ENOENT : errno_of(r);
	sqlite3_finalize(st);
	return r;
}

int pm_store_save_calib(struct pm_store *store, const char *meter, const struct pm_calib *c,
			int64_t utc_ns)
{
	int r;

	if (!store || !meter || !c)
		return -EINVAL;
	r = begin(store);
	if (r)
		return r;
	r = ensure_meter(store, meter);
	for (int n = 0; !r && n < PM_CAL_PHASES; n++) {
		sqlite3_stmt *st;

		if (!c->set[n])
			continue;
		r = prepare(store,
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
		r = step_done(st);
	}
	return end(store, r);
}

int pm_store_load_calib(struct pm_store *store, const char *meter, struct pm_calib *c)
{
	struct pm_calib got = {0};
	sqlite3_stmt *st;
	bool any = false;
	int r;

	if (!store || !meter || !c)
		return -EINVAL;
	r = prepare(store,
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
		return errno_of(r);
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
	r = begin(store);
	if (r)
		return r;
	r = ensure_meter(store, meter);
	for (size_t i = 0; !r && i < n; i++) {
		r = prepare(
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
		r = step_done(st);
	}
	/* only the newest month and the two before it are kept */
	if (!r && n)
		r = prepare(store, "DELETE FROM demand WHERE meter = ?1 AND month < ?2", &st);
	if (!r && n) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, newest - (PM_DEMAND_MONTHS - 1));
		r = step_done(st);
	}
	return end(store, r);
}

int pm_store_load_demand(struct pm_store *store, const char *meter, struct pm_store_demand *d,
			 size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int r;

	if (!store || !meter || (!d && max))
		return -EINVAL;
	r = prepare(store,
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
		return errno_of(r);
	return (int)n;
}

int pm_store_set_config(struct pm_store *store, const char *meter, const char *description)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !*meter || !description)
		return -EINVAL;
	r = begin(store);
	if (r)
		return r;
	r = ensure_meter(store, meter);
	if (!r)
		r = prepare(
		    store,
		    "INSERT OR REPLACE INTO meter_config (meter, description) VALUES (?1, ?2)",
		    &st);
	if (!r) {
		sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, description, -1, SQLITE_STATIC);
		r = step_done(st);
	}
	return end(store, r);
}

int pm_store_get_config(struct pm_store *store, const char *meter, char *description, size_t len)
{
	sqlite3_stmt *st;
	int r;

	if (!store || !meter || !description || !len)
		return -EINVAL;
	r = prepare(store, "SELECT description FROM meter_config WHERE meter = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		r = snprintf(description, len, "%s", t ? t : "") >= (int)len ? -ENOBUFS : 0;
	} else {
		r = r == SQLITE_DONE ? -ENOENT : errno_of(r);
	}
	sqlite3_finalize(st);
	return r;
}

/* For the store's other files (store-internal.h): the connection and the helpers above. */
sqlite3 *pm_store_db(struct pm_store *store)
{
	return store->db;
}

int pm_store_errno(int sqlite_rc)
{
	return errno_of(sqlite_rc);
}

int pm_store_begin(struct pm_store *store)
{
	return begin(store);
}

int pm_store_end(struct pm_store *store, int ret)
{
	return end(store, ret);
}
