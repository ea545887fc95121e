// SPDX-License-Identifier: GPL-2.0-only
/*
 * The store's connection: SQLite schema, migrations, opening and the checks at open (see
 * store.h). The tables' readers and writers are store-registers.c, store-events.c,
 * store-profile.c, store-settings.c, store-account.c and store-billing.c, through
 * store-internal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store-internal.h"
#include "store/store.h"

struct pm_store {
	sqlite3 *db;
};

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
    /*
     * 6: the daily and monthly billing captures (store-billing.c): the registers at the first
     * scan at or after local midnight (monthly: on the 1st), one row per meter, scheme and
     * local date; rate and demand columns are NULL when the capture had none.
     */
    "CREATE TABLE billing_capture ("
    " meter TEXT NOT NULL REFERENCES meter(name),"
    " scheme INTEGER NOT NULL CHECK (scheme IN (1, 2)), local_day INTEGER NOT NULL,"
    " utc_ns INTEGER NOT NULL,"
    " a_import INTEGER NOT NULL, a_export INTEGER NOT NULL,"
    " r_import INTEGER NOT NULL, r_export INTEGER NOT NULL,"
    " n_rates INTEGER NOT NULL, n_export_rates INTEGER NOT NULL,"
    " ri1 INTEGER, ri2 INTEGER, ri3 INTEGER, ri4 INTEGER,"
    " ri5 INTEGER, ri6 INTEGER, ri7 INTEGER, ri8 INTEGER,"
    " re1 INTEGER, re2 INTEGER, re3 INTEGER, re4 INTEGER,"
    " re5 INTEGER, re6 INTEGER, re7 INTEGER, re8 INTEGER,"
    " md_import_mw INTEGER, md_import_end_ns INTEGER,"
    " md_export_mw INTEGER, md_export_end_ns INTEGER,"
    " PRIMARY KEY (meter, scheme, local_day)) WITHOUT ROWID;",
    /*
     * 7: the meter's STS side beside its account (store-sts.c): the token entry lockout,
     * the decoder key provisioned last from the configuration (so a changed key file applies
     * once, and a key changed since by key change tokens or SetDecoderKey stays), and the
     * supply group code
     */
    "CREATE TABLE sts_meter ("
    " meter TEXT PRIMARY KEY REFERENCES meter(name),"
    " session_start INTEGER NOT NULL, invalid INTEGER NOT NULL,"
    " lockout_day INTEGER NOT NULL, lockouts INTEGER NOT NULL,"
    " locked INTEGER NOT NULL CHECK (locked IN (0, 1)),"
    " until_day INTEGER NOT NULL, until_second INTEGER NOT NULL,"
    " provisioned_dk BLOB, supply_group_code INTEGER) WITHOUT ROWID;",
    /*
     * 8: the MQTT publisher's place in each of a meter's streams (store-mqtt.c): the key of the
     * newest row the broker acknowledged, and how many were dropped unsent (backlog_max)
     */
    "CREATE TABLE mqtt_cursor ("
    " meter TEXT NOT NULL REFERENCES meter(name), stream INTEGER NOT NULL,"
    " last INTEGER NOT NULL, dropped INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (meter, stream)) WITHOUT ROWID;",
    /*
     * 9: the DLMS HLS invocation counters of a meter (store-dlms.c): every server counter below
     * server_reserved may have been sent; the client's newest counter taken (-1: none yet)
     */
    "CREATE TABLE dlms_counter ("
    " meter TEXT PRIMARY KEY REFERENCES meter(name),"
    " server_reserved INTEGER NOT NULL CHECK (server_reserved BETWEEN 0 AND 4294967296),"
    " client_last INTEGER NOT NULL CHECK (client_last BETWEEN -1 AND 4294967295))"
    " WITHOUT ROWID;",
    /*
     * 10: the counters keyed on what the GCM IV is unique under, the server's system title and
     * its encryption key (SHA-256, never the key), not on the meter's name: a renamed meter, or
     * two meters with one key file, used to start again at 0. Which key a row of 9 was under is
     * not known, so they become one floor row (empty title and hash) holding the highest of
     * each: a key's first reservation starts above it, a replayed client counter stays refused.
     */
    "CREATE TABLE dlms_ic ("
    " system_title BLOB NOT NULL CHECK (length(system_title) IN (0, 8)),"
    " key_sha256 BLOB NOT NULL CHECK (length(key_sha256) IN (0, 32)),"
    " server_reserved INTEGER NOT NULL CHECK (server_reserved BETWEEN 0 AND 4294967296),"
    " client_last INTEGER NOT NULL CHECK (client_last BETWEEN -1 AND 4294967295),"
    " PRIMARY KEY (system_title, key_sha256)) WITHOUT ROWID;"
    "INSERT INTO dlms_ic SELECT X'', X'', max(server_reserved), max(client_last)"
    " FROM dlms_counter HAVING count(*) > 0;"
    "DROP TABLE dlms_counter;",
    /*
     * 11: the DLMS keys a head-end transferred (store-dlms-keys.c, Security setup
     * global_key_transfer), per the meter's system title, the client SAP whose keys they are
     * (each client has its own) and key id (0 global unicast encryption key, 2 authentication
     * key, 3 master key): they override the client's key file's keys while the file still
     * holds the key set they were transferred over (its SHA-256, over the file's encryption,
     * authentication and master keys, never the keys): an integrator who edits any key of
     * the file wins, and every transferred key of that client is forgotten.
     */
    "CREATE TABLE dlms_key ("
    " system_title BLOB NOT NULL CHECK (length(system_title) = 8),"
    " client_sap INTEGER NOT NULL CHECK (client_sap BETWEEN 1 AND 126),"
    " key_id INTEGER NOT NULL CHECK (key_id IN (0, 2, 3)),"
    " key BLOB NOT NULL CHECK (length(key) = 16),"
    " replaces_sha256 BLOB NOT NULL CHECK (length(replaces_sha256) = 32),"
    " PRIMARY KEY (system_title, client_sap, key_id)) WITHOUT ROWID;",
    /*
     * 12: the DLMS token gateway's last entry of a meter (store-token-entry.c), so that its
     * attributes answer after a restart: the token's octets, when (UTC s), token_status's code
     * and the description
     */
    "CREATE TABLE dlms_token_entry ("
    " meter TEXT PRIMARY KEY REFERENCES meter(name),"
    " token BLOB NOT NULL CHECK (length(token) BETWEEN 1 AND 64),"
    " utc_s INTEGER NOT NULL,"
    " status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 8),"
    " description TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 23))"
    " WITHOUT ROWID;",
    /*
     * 13: the DLMS pushes delivered (store-push.c): per meter and push schedule (0 daily, 1
     * weekly, 2 monthly, 3 billing period), the nominal instant (UTC ns) of the last push the
     * head-end took; every nominal instant after it is still due. Schedule 255 is the event
     * stream: its last is the id (event.id) of the last event pushed that the head-end took
     * (at the first start the newest event's); every event of a pushed kind after it is still
     * due. Self-contained: it names no other table.
     */
    "CREATE TABLE dlms_push ("
    " meter TEXT NOT NULL,"
    " schedule INTEGER NOT NULL CHECK (schedule BETWEEN 0 AND 255),"
    " last INTEGER NOT NULL,"
    " PRIMARY KEY (meter, schedule)) WITHOUT ROWID;",
    /*
     * 14: §7.8's charges taken from the Present Balance over the billing period, stored with
     * the monthly capture at the period's end (store-billing.c); NULL in a daily capture, in a
     * capture without an account and in every row captured before this column
     */
    "ALTER TABLE billing_capture ADD COLUMN charges_mu INTEGER;",
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

/*
 * SQLite's process-wide memory settings, set once before it initialises (sqlite3_config refuses
 * them after: SQLITE_MISUSE when something in the process used SQLite first; its defaults then
 * stay, which costs memory, nothing else). No bulk page-cache allocation: by default a
 * connection takes 20 cache lines (87 KiB, every one of them written) at its first read, more
 * than the store's transactions touch; lines are then allocated as pages are read.
 */
static void configure_sqlite(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	(void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
}

/*
 * The database file is the daemon's alone, 0600 whatever the umask: it holds secrets (the
 * transferred DLMS keys). Created 0600 here before SQLite opens it (SQLite would create it
 * 0644 less the umask); an existing one readable by others is narrowed to 0600. The WAL and
 * shared-memory files SQLite creates take the database file's mode.
 */
static int own_file(const char *path)
{
	struct stat st;
	int fd, r = 0;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) /* not there and not creatable, or not ours: SQLite's open says why */
		return 0;
	if (fstat(fd, &st) < 0 || ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0))
		r = -errno;
	close(fd);
	return r;
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
	configure_sqlite();
	r = own_file(path);
	if (r) {
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		free(s);
		return r;
	}
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
	/*
	 * A page cache of 512 KiB (128 pages), not SQLite's 2 MB: a checkpoint touches some 25
	 * pages a meter (its registers, the account's overflow chain, the right edges of the event
	 * and profile trees), and a page the cache lost comes back from the OS's cache in a pread.
	 * Set before quick_check below, which reads every page: with the default it left 2 MB of
	 * an older store resident for the daemon's life. (The pragma reads the schema: a damaged
	 * one fails here as it failed quick_check's prepare.)
	 */
	r = exec(s, "PRAGMA cache_size=-512");
	if (r)
		goto fail;
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
	/* deleted and overwritten rows are zeroed, not left in free space: the store holds
	 * secrets (the DLMS keys a head-end transferred) that must not outlive their row */
	if (!r)
		r = exec(s, "PRAGMA secure_delete=ON");
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

int pm_store_ensure_meter(struct pm_store *s, const char *meter)
{
	sqlite3_stmt *st;
	int r = prepare(s, "INSERT OR IGNORE INTO meter (name) VALUES (?1)", &st);

	if (r)
		return r;
	sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
	return step_done(st);
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

int pm_store_exec(struct pm_store *store, const char *sql)
{
	return exec(store, sql);
}

int pm_store_prepare(struct pm_store *store, const char *sql, sqlite3_stmt **st)
{
	return prepare(store, sql, st);
}

int pm_store_meter_row(struct pm_store *store, const char *sql, const char *meter,
		       sqlite3_stmt **st)
{
	int r = prepare(store, sql, st);

	if (r)
		return r;
	sqlite3_bind_text(*st, 1, meter, -1, SQLITE_STATIC);
	r = sqlite3_step(*st);
	if (r == SQLITE_ROW)
		return 0;
	sqlite3_finalize(*st);
	*st = NULL;
	return r == SQLITE_DONE ? -ENODATA : errno_of(r);
}

int pm_store_count(sqlite3_stmt *st, uint64_t *n)
{
	int r = sqlite3_step(st);

	if (r == SQLITE_ROW) {
		*n = (uint64_t)sqlite3_column_int64(st, 0);
		r = 0;
	} else {
		r = pm_store_errno(r);
		if (!r)
			r = -EIO;
	}
	sqlite3_finalize(st);
	return r;
}

int pm_store_step_done(sqlite3_stmt *st)
{
	return step_done(st);
}

int pm_store_begin(struct pm_store *store)
{
	return begin(store);
}

int pm_store_end(struct pm_store *store, int ret)
{
	return end(store, ret);
}

/* SQLite's LIMIT and OFFSET of a streaming read: LIMIT -1 is no limit. */
void pm_store_bind_range(sqlite3_stmt *st, int first, const struct pm_store_range *range)
{
	sqlite3_bind_int64(st, first, range->from_ns);
	sqlite3_bind_int64(st, first + 1, range->to_ns);
	sqlite3_bind_int64(st, first + 2,
			   range->limit && range->limit <= INT64_MAX ? (sqlite3_int64)range->limit
								     : -1);
	sqlite3_bind_int64(st, first + 3,
			   range->skip <= INT64_MAX ? (sqlite3_int64)range->skip : INT64_MAX);
}
