// SPDX-License-Identifier: GPL-2.0-only
/* The store against the real SQLite, in a fresh directory per test. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"

static char dir[64];
static char db[96];

static void setup(void)
{
	/* tmpfs when there is one: synchronous=FULL fsyncs every commit */
	snprintf(dir, sizeof(dir), "%s/pmstoreXXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/polymeter.db", dir);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct pm_store *open_ok(void)
{
	struct pm_store *s;
	char err[256] = "";
	int r = pm_store_open(db, &s, err, sizeof(err));

	ck_assert_msg(r == 0, "open: %d %s", r, err);
	return s;
}

/* A checkpoint with distinct values everywhere, so a swapped field shows. */
static void sample_persist(struct pm_met_persist *p, uint64_t base)
{
	memset(p, 0, sizeof(*p));
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		for (int r = 0; r < PM_MET_REG_COUNT; r++) {
			p->regs.phase[ph][r].mwh = base + 100 * ph + r;
			p->regs.phase[ph][r].rem_nj = 1000 * ph + r;
		}
	for (int r = 0; r < PM_MET_REG_COUNT; r++) {
		p->regs.total[r].mwh = base + 1000 + r;
		p->regs.total[r].rem_nj = PM_MET_NJ_PER_MWH - 1 - r;
	}
	p->has_counters = true;
	/* the driver's counter_epoch is a full u64: above INT64_MAX must survive */
	p->generation = 0xfedcba9876543210ULL;
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		for (int k = 0; k < PM_MET_CNT_COUNT; k++)
			p->counter[ph][k] = (ph == 1 ? -1 : 1) * (int64_t)(base * 7 + 10 * ph + k);
}

START_TEST(test_roundtrip_survives_reopen)
{
	struct pm_met_persist in, out;
	struct pm_store *s = open_ok();
	int64_t t = 0;

	sample_persist(&in, 5000);
	ck_assert_int_eq(pm_store_save_meter(s, "meter0", &in, 1700000000123456789LL), 0);
	pm_store_close(s);

	s = open_ok();
	ck_assert_int_eq(pm_store_load_meter(s, "meter0", &out, &t), 0);
	ck_assert_int_eq(t, 1700000000123456789LL);
	ck_assert_mem_eq(&out.regs, &in.regs, sizeof(in.regs));
	ck_assert(out.has_counters);
	ck_assert_uint_eq(out.generation, 0xfedcba9876543210ULL);
	ck_assert_mem_eq(out.counter, in.counter, sizeof(in.counter));
	pm_store_close(s);
}
END_TEST

START_TEST(test_meters_are_separate)
{
	struct pm_met_persist a, b, out;
	struct pm_store *s = open_ok();

	sample_persist(&a, 10);
	sample_persist(&b, 20000);
	ck_assert_int_eq(pm_store_save_meter(s, "feeder1", &a, 1), 0);
	ck_assert_int_eq(pm_store_save_meter(s, "feeder2", &b, 2), 0);
	ck_assert_int_eq(pm_store_load_meter(s, "feeder1", &out, NULL), 0);
	ck_assert_uint_eq(out.regs.total[PM_MET_A_IMPORT].mwh, 10 + 1000);
	ck_assert_int_eq(pm_store_load_meter(s, "feeder2", &out, NULL), 0);
	ck_assert_uint_eq(out.regs.total[PM_MET_A_IMPORT].mwh, 20000 + 1000);
	ck_assert_int_eq(pm_store_load_meter(s, "feeder3", &out, NULL), -ENOENT);
	pm_store_close(s);
}
END_TEST

START_TEST(test_register_going_back_is_refused_whole)
{
	struct pm_met_persist first, lower, out;
	struct pm_store *s = open_ok();

	sample_persist(&first, 5000);
	ck_assert_int_eq(pm_store_save_meter(s, "meter0", &first, 10), 0);
	/* every register higher except phase C's Q3 one nanojoule lower */
	sample_persist(&lower, 6000);
	lower.regs.phase[2][PM_MET_R_Q3] = first.regs.phase[2][PM_MET_R_Q3];
	lower.regs.phase[2][PM_MET_R_Q3].rem_nj -= 1;
	ck_assert_int_eq(pm_store_save_meter(s, "meter0", &lower, 20), -ERANGE);

	ck_assert_int_eq(pm_store_load_meter(s, "meter0", &out, NULL), 0);
	ck_assert_mem_eq(&out.regs, &first.regs, sizeof(first.regs));
	ck_assert_mem_eq(out.counter, first.counter, sizeof(first.counter));
	/* equal registers (no energy since) are fine */
	ck_assert_int_eq(pm_store_save_meter(s, "meter0", &first, 30), 0);
	pm_store_close(s);
}
END_TEST

/* Runs @sql on the database through a connection of its own (the store's stays open). */
static void other_exec(const char *sql)
{
	sqlite3 *other;

	ck_assert_int_eq(sqlite3_open(db, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, sql, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(other), SQLITE_OK);
}

/* A checkpoint with the account: both stored, read back as given. */
START_TEST(test_checkpoint_carries_the_account)
{
	struct pm_met_persist in, out;
	unsigned char rec[20000], back[20000];
	struct pm_store_account_record acc = {.layout = 3, .state = rec, .len = sizeof(rec)};
	struct pm_store *s = open_ok();
	int64_t t = 0;

	for (size_t i = 0; i < sizeof(rec); i++)
		rec[i] = (unsigned char)(i * 7);
	sample_persist(&in, 5000);
	ck_assert_int_eq(pm_store_save_checkpoint(s, "meter0", &in, 100, &acc), 0);
	ck_assert_int_eq(pm_store_load_meter(s, "meter0", &out, &t), 0);
	ck_assert_int_eq(t, 100);
	ck_assert_mem_eq(&out.regs, &in.regs, sizeof(in.regs));
	ck_assert_int_eq(pm_store_load_account(s, "meter0", 3, back, sizeof(back)), 0);
	ck_assert_mem_eq(back, rec, sizeof(rec));
	/* without an account: the registers only, the account as it was */
	sample_persist(&in, 6000);
	ck_assert_int_eq(pm_store_save_checkpoint(s, "meter0", &in, 200, NULL), 0);
	ck_assert_int_eq(pm_store_load_meter(s, "meter0", &out, &t), 0);
	ck_assert_int_eq(t, 200);
	ck_assert_int_eq(pm_store_load_account(s, "meter0", 3, back, sizeof(back)), 0);
	ck_assert_mem_eq(back, rec, sizeof(rec));
	pm_store_close(s);
}
END_TEST

/* One transaction: an account the database refuses (a trigger here) takes the registers'
 * checkpoint with it, and registers refused (going back) take the account with them. */
START_TEST(test_checkpoint_is_one_transaction)
{
	struct pm_met_persist first, next, out;
	unsigned char rec[64] = {1}, other[64] = {2}, back[64];
	struct pm_store_account_record acc = {.layout = 3, .state = rec, .len = sizeof(rec)};
	struct pm_store *s = open_ok();

	sample_persist(&first, 5000);
	ck_assert_int_eq(pm_store_save_checkpoint(s, "meter0", &first, 10, &acc), 0);
	other_exec("CREATE TRIGGER no_account BEFORE INSERT ON account"
		   " BEGIN SELECT RAISE(ABORT, 'refused'); END");
	sample_persist(&next, 6000);
	acc.state = other;
	ck_assert_int_lt(pm_store_save_checkpoint(s, "meter0", &next, 20, &acc), 0);
	ck_assert_int_eq(pm_store_load_meter(s, "meter0", &out, NULL), 0);
	ck_assert_mem_eq(&out.regs, &first.regs, sizeof(first.regs));
	other_exec("DROP TRIGGER no_account");
	/* registers lower than stored: refused, and the account with them */
	sample_persist(&next, 4000);
	ck_assert_int_eq(pm_store_save_checkpoint(s, "meter0", &next, 30, &acc), -ERANGE);
	ck_assert_int_eq(pm_store_load_account(s, "meter0", 3, back, sizeof(back)), 0);
	ck_assert_mem_eq(back, rec, sizeof(rec));
	pm_store_close(s);
}
END_TEST

START_TEST(test_no_counters_checkpoint)
{
	struct pm_met_persist in, out;
	struct pm_store *s = open_ok();

	sample_persist(&in, 1);
	in.has_counters = false;
	ck_assert_int_eq(pm_store_save_meter(s, "m", &in, 1), 0);
	ck_assert_int_eq(pm_store_load_meter(s, "m", &out, NULL), 0);
	ck_assert(!out.has_counters);
	ck_assert_mem_eq(&out.regs, &in.regs, sizeof(in.regs));
	pm_store_close(s);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct pm_met_persist p;
	struct pm_store *s = open_ok();

	sample_persist(&p, 1);
	ck_assert_int_eq(pm_store_save_meter(s, "", &p, 1), -EINVAL);
	ck_assert_int_eq(pm_store_add_event(s, "m", 1, "", "x"), -EINVAL);
	/* a register beyond SQLite's signed 64 bits cannot be stored: refused, nothing written */
	p.regs.total[PM_MET_A_IMPORT].mwh = (uint64_t)INT64_MAX + 1;
	ck_assert_int_eq(pm_store_save_meter(s, "m", &p, 1), -ERANGE);
	ck_assert_int_eq(pm_store_load_meter(s, "m", &p, NULL), -ENOENT);
	pm_store_close(s);
}
END_TEST

START_TEST(test_events_newest_first_and_counted)
{
	struct pm_store_event ev[4];
	struct pm_store *s = open_ok();
	uint64_t total, dropped;

	ck_assert_int_eq(pm_store_add_event(s, "m", 100, "power_up", ""), 0);
	ck_assert_int_eq(pm_store_add_event(s, "m", 200, "swell", "phase=A v_mv=265000"), 0);
	ck_assert_int_eq(pm_store_add_event(s, "m", 300, "power_down", ""), 0);
	ck_assert_int_eq(pm_store_add_event(s, "other", 150, "power_up", ""), 0);
	ck_assert_int_eq(pm_store_events(s, "m", ev, 4), 3);
	ck_assert_str_eq(ev[0].kind, "power_down");
	ck_assert_int_eq(ev[1].utc_ns, 200);
	ck_assert_str_eq(ev[1].detail, "phase=A v_mv=265000");
	ck_assert_str_eq(ev[2].kind, "power_up");
	ck_assert_int_eq(pm_store_event_counts(s, "m", &total, &dropped), 0);
	ck_assert_uint_eq(total, 3);
	ck_assert_uint_eq(dropped, 0);
	pm_store_close(s);
}
END_TEST

START_TEST(test_event_log_bounded_oldest_dropped)
{
	struct pm_store_event ev[2];
	struct pm_store *s = open_ok();
	uint64_t total, dropped;
	char detail[32];

	/* KEPT + 5 events: the 5 oldest go, the count keeps all of them */
	for (int i = 0; i < PM_STORE_EVENTS_KEPT + 5; i++) {
		snprintf(detail, sizeof(detail), "n=%d", i);
		ck_assert_int_eq(pm_store_add_event(s, "m", i, "tick", detail), 0);
	}
	ck_assert_int_eq(pm_store_event_counts(s, "m", &total, &dropped), 0);
	ck_assert_uint_eq(total, PM_STORE_EVENTS_KEPT + 5);
	ck_assert_uint_eq(dropped, 5);
	ck_assert_int_eq(pm_store_events(s, "m", ev, 2), 2);
	snprintf(detail, sizeof(detail), "n=%d", PM_STORE_EVENTS_KEPT + 4);
	ck_assert_str_eq(ev[0].detail, detail);
	pm_store_close(s);
}
END_TEST

START_TEST(test_corrupted_file_is_refused_with_its_name)
{
	struct pm_store *s;
	char err[256] = "";
	char junk[4096];
	int fd = open(db, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	memset(junk, 0x5a, sizeof(junk));
	ck_assert_int_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	ck_assert_int_eq(pm_store_open(db, &s, err, sizeof(err)), -EBADMSG);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err, db) != NULL, "message does not name the file: %s", err);
}
END_TEST

START_TEST(test_newer_schema_is_refused)
{
	struct pm_store *s = open_ok();
	char cmd[256], err[256] = "";

	pm_store_close(s);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'PRAGMA user_version = %d'", db,
		 PM_STORE_SCHEMA_VERSION + 1);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(pm_store_open(db, &s, err, sizeof(err)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "newer"));
}
END_TEST

/* The whole file at @path (malloc'd, *len bytes), to tell "untouched" byte for byte. */
static unsigned char *file_bytes(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	buf = malloc(*len ? *len : 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(read(fd, buf, *len), (ssize_t)*len);
	close(fd);
	return buf;
}

/*
 * A newer database (a downgrade after an upgrade) is refused before anything writes to it:
 * here one in rollback-journal mode, whose header the switch to WAL would have rewritten.
 */
START_TEST(test_newer_schema_is_refused_untouched)
{
	struct pm_store *s = open_ok();
	unsigned char *before, *after;
	size_t n_before, n_after;
	char cmd[256], err[256] = "";

	ck_assert_int_eq(pm_store_add_event(s, "m", 7, "power_up", "x"), 0);
	pm_store_close(s);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' 'PRAGMA journal_mode = DELETE; PRAGMA user_version = %d' >/dev/null",
		 db, PM_STORE_SCHEMA_VERSION + 1);
	ck_assert_int_eq(system(cmd), 0);
	before = file_bytes(db, &n_before);
	ck_assert_int_eq(pm_store_open(db, &s, err, sizeof(err)), -EPROTO);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err, "newer") && strstr(err, db), "message: %s", err);
	after = file_bytes(db, &n_after);
	ck_assert_uint_eq(n_after, n_before);
	ck_assert_mem_eq(after, before, n_before);
	free(before);
	free(after);
}
END_TEST

/*
 * quick_check reports damage as result rows, not as an error code: a register set to -5
 * past its CHECK (mwh >= 0) is "CHECK constraint failed in register", and the open fails.
 */
START_TEST(test_quick_check_finding_is_refused)
{
	struct pm_met_persist p;
	struct pm_store *s = open_ok();
	char cmd[384], err[256] = "";

	sample_persist(&p, 5000);
	ck_assert_int_eq(pm_store_save_meter(s, "m", &p, 1), 0);
	pm_store_close(s);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' 'PRAGMA ignore_check_constraints = ON;"
		 " UPDATE register SET mwh = -5 WHERE scope = 3 AND name = \"A+\"'",
		 db);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(pm_store_open(db, &s, err, sizeof(err)), -EBADMSG);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err, db) && strstr(err, "CHECK constraint failed in register"),
		      "message: %s", err);
}
END_TEST

/* An index page with its cells overwritten: quick_check lists the bad cells, open fails. */
START_TEST(test_damaged_index_page_is_refused)
{
	struct pm_store *s = open_ok();
	char err[256] = "", detail[64];
	int page_size = 0, root = 0, fd;
	sqlite3_stmt *st;
	sqlite3 *raw;
	unsigned char half[2048];

	for (int i = 0; i < 300; i++) {
		snprintf(detail, sizeof(detail), "event number %d of a filled index page", i);
		ck_assert_int_eq(pm_store_add_event(s, i % 2 ? "a" : "b", i, "power_up", detail),
				 0);
	}
	pm_store_close(s);
	ck_assert_int_eq(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(raw,
					    "SELECT rootpage, (SELECT page_size FROM "
					    "pragma_page_size) FROM sqlite_schema "
					    "WHERE name = 'event_by_meter'",
					    -1, &st, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	root = sqlite3_column_int(st, 0);
	page_size = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	ck_assert_int_gt(root, 1);
	ck_assert_int_ge(page_size, (int)(2 * sizeof(half)));
	/* the second half of the page: where SQLite keeps a b-tree page's cell content */
	memset(half, 0xa5, sizeof(half));
	fd = open(db, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(
	    pwrite(fd, half, sizeof(half), (off_t)root * page_size - (off_t)sizeof(half)),
	    (ssize_t)sizeof(half));
	close(fd);
	ck_assert_int_eq(pm_store_open(db, &s, err, sizeof(err)), -EBADMSG);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err, db) != NULL, "message does not name the file: %s", err);
}
END_TEST

/*
 * A write that fails half way (here the file-size limit; on a gateway a full disk or a dying
 * card) returns an error and leaves the last good checkpoint readable and unchanged.
 */
START_TEST(test_failed_write_keeps_last_checkpoint)
{
	struct pm_met_persist first, next, out;
	struct pm_store *s = open_ok();
	struct rlimit lim;
	struct stat st;
	int r;
	char ev[1024];

	sample_persist(&first, 5000);
	ck_assert_int_eq(pm_store_save_meter(s, "meter0", &first, 10), 0);
	ck_assert_int_eq(stat(db, &st), 0);
	signal(SIGXFSZ, SIG_IGN);
	/* no file may grow past what is there now: the WAL append fails */
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &lim), 0);
	lim.rlim_cur = 1;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	sample_persist(&next, 6000);
	memset(ev, 'x', sizeof(ev) - 1);
	ev[sizeof(ev) - 1] = 0;
	r = pm_store_save_meter(s, "meter0", &next, 20);
	if (!r)
		r = pm_store_add_event(s, "meter0", 20, "big", ev);
	ck_assert_int_lt(r, 0);
	lim.rlim_cur = lim.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	pm_store_close(s);

	s = open_ok();
	ck_assert_int_eq(pm_store_load_meter(s, "meter0", &out, NULL), 0);
	/* either the old checkpoint or, had SQLite committed it, the new one: never a mix */
	ck_assert(!memcmp(&out.regs, &first.regs, sizeof(first.regs)) ||
		  !memcmp(&out.regs, &next.regs, sizeof(next.regs)));
	ck_assert(!memcmp(out.counter, first.counter, sizeof(first.counter)) ||
		  !memcmp(out.counter, next.counter, sizeof(next.counter)));
	pm_store_close(s);
}
END_TEST

#define MIN_NS (60LL * 1000000000)

/* Interval k of a 15-minute profile: distinct values in every field. */
static struct pm_store_profile interval(int64_t end_ns, uint64_t k)
{
	struct pm_store_profile e;

	memset(&e, 0, sizeof(e));
	e.end_ns = end_ns;
	e.period_ns = 15 * MIN_NS;
	e.status = (uint32_t)(k & 3);
	e.samples = 900;
	for (int r = 0; r < PM_STORE_PROF_REGS; r++) {
		e.reg[r] = 1000 * k + 10 * (uint64_t)r;
		e.delta[r] = 100 + k + (uint64_t)r;
	}
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		e.avg[ph].v_mv = 230000 + ph;
		e.avg[ph].i_ma = 5000 + 10 * ph;
		e.avg[ph].pf_micro = -900000 + ph;
		e.avg[ph].f_mhz = 50000 + ph;
	}
	return e;
}

START_TEST(test_profile_roundtrip_and_range)
{
	struct pm_store *s = open_ok();
	struct pm_store_profile *v, last, want;
	size_t n;

	/* ends at 15, 30, 45, 60 min; another meter's at 30 min */
	for (int k = 1; k <= 4; k++) {
		struct pm_store_profile e = interval(k * 15 * MIN_NS, (uint64_t)k);

		ck_assert_int_eq(pm_store_add_profile(s, "m", &e), 0);
	}
	want = interval(30 * MIN_NS, 99);
	ck_assert_int_eq(pm_store_add_profile(s, "other", &want), 0);
	pm_store_close(s);
	s = open_ok();
	/* [30 min, 45 min] inclusive: intervals 2 and 3, oldest first, every field intact */
	ck_assert_int_eq(pm_store_profiles(s, "m", 30 * MIN_NS, 45 * MIN_NS, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	want = interval(30 * MIN_NS, 2);
	ck_assert_mem_eq(&v[0], &want, sizeof(want));
	ck_assert_int_eq(v[1].end_ns, 45 * MIN_NS);
	ck_assert_uint_eq(v[1].reg[PM_STORE_PROF_R_EXPORT], 3030);
	ck_assert_uint_eq(v[1].delta[PM_STORE_PROF_A_EXPORT], 104);
	ck_assert_int_eq(v[1].avg[2].pf_micro, -899998);
	free(v);
	/* just inside the ends: nothing */
	ck_assert_int_eq(pm_store_profiles(s, "m", 30 * MIN_NS + 1, 45 * MIN_NS - 1, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(pm_store_profiles(s, "m", 2, 1, &v, &n), -EINVAL);
	ck_assert_int_eq(pm_store_last_profile(s, "m", &last), 0);
	want = interval(60 * MIN_NS, 4);
	ck_assert_mem_eq(&last, &want, sizeof(want));
	ck_assert_int_eq(pm_store_last_profile(s, "nosuch", &last), -ENOENT);
	pm_store_close(s);
}
END_TEST

START_TEST(test_profile_keeps_240_days)
{
	struct pm_store *s = open_ok();
	struct pm_store_profile *v, e;
	const int64_t day = 24 * 60 * MIN_NS;
	size_t n;

	/* days 0, 1, 2; then day 241: day 0 is 241 days older (gone), day 1 exactly 240 (kept) */
	for (int d = 0; d <= 2; d++) {
		e = interval(d * day, (uint64_t)d);
		ck_assert_int_eq(pm_store_add_profile(s, "m", &e), 0);
	}
	e = interval(241 * day, 5);
	ck_assert_int_eq(pm_store_add_profile(s, "m", &e), 0);
	ck_assert_int_eq(pm_store_profiles(s, "m", INT64_MIN, INT64_MAX, &v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(v[0].end_ns, 1 * day);
	ck_assert_int_eq(v[2].end_ns, 241 * day);
	free(v);
	pm_store_close(s);
}
END_TEST

START_TEST(test_profile_same_end_is_merged)
{
	struct pm_store *s = open_ok();
	struct pm_store_profile *v, a = interval(15 * MIN_NS, 1), b = interval(15 * MIN_NS, 2);
	size_t n;

	/* a: status 1, deltas 101..104; b: status 2, deltas 102..105, registers 2000.. */
	ck_assert_int_eq(pm_store_add_profile(s, "m", &a), 0);
	ck_assert_int_eq(pm_store_add_profile(s, "m", &b), 0);
	ck_assert_int_eq(pm_store_profiles(s, "m", 0, 15 * MIN_NS, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].status,
			  PM_PROFILE_POWER_DOWN | PM_PROFILE_CLOCK_ADJUSTED); /* 1 | 2 | 2 */
	ck_assert_uint_eq(v[0].samples, 1800);
	ck_assert_uint_eq(v[0].delta[PM_STORE_PROF_A_IMPORT], 203);
	ck_assert_uint_eq(v[0].delta[PM_STORE_PROF_R_EXPORT], 209);
	ck_assert_uint_eq(v[0].reg[PM_STORE_PROF_A_IMPORT], 2000);
	free(v);
	/* beyond SQLite's signed range: refused, nothing written */
	b = interval(30 * MIN_NS, 3);
	b.delta[1] = (uint64_t)INT64_MAX + 1;
	ck_assert_int_eq(pm_store_add_profile(s, "m", &b), -ERANGE);
	ck_assert_int_eq(pm_store_profiles(s, "m", 0, INT64_MAX, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	free(v);
	pm_store_close(s);
}
END_TEST

/* A version 1 database (events, a checkpoint) is migrated to 2 and keeps its data. */
START_TEST(test_migration_from_v1_keeps_data)
{
	struct pm_store *s = open_ok();
	struct pm_store_event ev[2];
	struct pm_store_profile e = interval(15 * MIN_NS, 1), *v;
	char cmd[512];
	size_t n;

	ck_assert_int_eq(pm_store_add_event(s, "m", 7, "power_up", "x"), 0);
	pm_store_close(s);
	/* back to what schema 1 was: no profile, calibration, demand, config or account table */
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' 'DROP TABLE profile; DROP TABLE calibration; DROP TABLE demand;"
		 " DROP TABLE meter_config; DROP TABLE account; DROP TABLE topup_ref;"
		 " DROP TABLE billing_capture; DROP TABLE sts_meter; DROP TABLE mqtt_cursor;"
		 " DROP TABLE dlms_ic; DROP TABLE dlms_key; DROP TABLE dlms_push; DROP TABLE "
		 "dlms_token_entry;"
		 " PRAGMA user_version = 1'",
		 db);
	ck_assert_int_eq(system(cmd), 0);
	s = open_ok();
	ck_assert_int_eq(pm_store_events(s, "m", ev, 2), 1);
	ck_assert_str_eq(ev[0].kind, "power_up");
	ck_assert_int_eq(pm_store_add_profile(s, "m", &e), 0);
	ck_assert_int_eq(pm_store_profiles(s, "m", 0, INT64_MAX, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	free(v);
	pm_store_close(s);
	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 '%s' 'PRAGMA user_version')\" = %d", db,
		 PM_STORE_SCHEMA_VERSION);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The DLMS counters belong to a system title and key, whoever asks: blocks never overlap, a
 * second caller under the same id gets the next block, another key starts at 0. */
START_TEST(test_dlms_counters_per_key)
{
	struct pm_store *s = open_ok();
	struct pm_store_dlms_id a = {.title = {'P', 'M', 'T', 0, 0, 0, 0, 1}};
	struct pm_store_dlms_id b = a;
	uint64_t start, end;
	int64_t last;

	memset(a.key_sha256, 0xAA, sizeof(a.key_sha256));
	memset(b.key_sha256, 0xBB, sizeof(b.key_sha256));
	ck_assert_int_eq(pm_store_load_dlms_client(s, &a, &last), 0);
	ck_assert_int_eq(last, -1);
	ck_assert_int_eq(pm_store_reserve_dlms_server(s, &a, 256, &start, &end), 0);
	ck_assert_uint_eq(start, 0);
	ck_assert_uint_eq(end, 256);
	/* another meter under the same title and key: the next block, not the same one */
	ck_assert_int_eq(pm_store_reserve_dlms_server(s, &a, 256, &start, &end), 0);
	ck_assert_uint_eq(start, 256);
	ck_assert_uint_eq(end, 512);
	/* another key: its own sequence */
	ck_assert_int_eq(pm_store_reserve_dlms_server(s, &b, 256, &start, &end), 0);
	ck_assert_uint_eq(start, 0);
	ck_assert_uint_eq(end, 256);

	ck_assert_int_eq(pm_store_take_dlms_client(s, &a, 5, &last), 1);
	ck_assert_int_eq(last, 5);
	ck_assert_int_eq(pm_store_take_dlms_client(s, &a, 5, &last), 0); /* a replay */
	ck_assert_int_eq(last, 5);
	ck_assert_int_eq(pm_store_take_dlms_client(s, &a, 4, &last), 0);
	ck_assert_int_eq(pm_store_take_dlms_client(s, &a, 6, &last), 1);
	ck_assert_int_eq(pm_store_take_dlms_client(NULL, &a, 7, &last), -EINVAL);
	ck_assert_int_eq(pm_store_load_dlms_client(s, &b, &last), 0);
	ck_assert_int_eq(last, -1); /* a new key: the client starts over */
	pm_store_close(s);

	s = open_ok();
	ck_assert_int_eq(pm_store_load_dlms_client(s, &a, &last), 0);
	ck_assert_int_eq(last, 6);
	ck_assert_int_eq(pm_store_reserve_dlms_server(s, &a, 256, &start, &end), 0);
	ck_assert_uint_eq(start, 512);
	/* at the end of the counter space: fewer, then none */
	ck_assert_int_eq(pm_store_reserve_dlms_server(s, &a, UINT32_MAX, &start, &end), 0);
	ck_assert_uint_eq(start, 768);
	ck_assert_uint_eq(end, UINT64_C(1) << 32);
	ck_assert_int_eq(pm_store_reserve_dlms_server(s, &a, 256, &start, &end), 0);
	ck_assert_uint_eq(start, end);
	pm_store_close(s);
}
END_TEST

/* Migration 13: the last scheduled push delivered, per meter and schedule; none at first. */
START_TEST(test_push_delivered)
{
	struct pm_store *s = open_ok();
	int64_t last = 0;

	ck_assert_int_eq(pm_store_load_push(s, "m", 0, &last), -ENOENT);
	ck_assert_int_eq(pm_store_save_push(s, "m", 0, INT64_C(86400000000000)), 0);
	ck_assert_int_eq(pm_store_save_push(s, "m", 1, 7), 0);
	ck_assert_int_eq(pm_store_save_push(s, "m", 0, INT64_C(172800000000000)), 0);
	pm_store_close(s);
	s = open_ok();
	ck_assert_int_eq(pm_store_load_push(s, "m", 0, &last), 0);
	ck_assert_int_eq(last, INT64_C(172800000000000));
	ck_assert_int_eq(pm_store_load_push(s, "m", 1, &last), 0);
	ck_assert_int_eq(last, 7);
	ck_assert_int_eq(pm_store_load_push(s, "other", 0, &last), -ENOENT);
	pm_store_close(s);
}
END_TEST

/* Migration 13's event stream: the first start takes the newest event's id (0 for an empty
 * log) and records it; later starts read what was saved, not the newer events. */
START_TEST(test_push_event_cursor)
{
	struct pm_store *s = open_ok();
	int64_t last = -1;

	ck_assert_int_eq(pm_store_push_events_start(s, "empty", &last), 0);
	ck_assert_int_eq(last, 0);
	/* a fresh database: the events get ids 1 and 2 */
	ck_assert_int_eq(pm_store_add_event(s, "m", 1000, "supply_opened", ""), 0);
	ck_assert_int_eq(pm_store_add_event(s, "m", 2000, "supply_closed", ""), 0);
	ck_assert_int_eq(pm_store_push_events_start(s, "m", &last), 0);
	ck_assert_int_eq(last, 2);
	/* an event after the first start (id 3) is due: the cursor stays until it is delivered */
	ck_assert_int_eq(pm_store_add_event(s, "m", 3000, "supply_opened", ""), 0);
	pm_store_close(s);
	s = open_ok();
	ck_assert_int_eq(pm_store_push_events_start(s, "m", &last), 0);
	ck_assert_int_eq(last, 2);
	ck_assert_int_eq(pm_store_save_push_events(s, "m", 3), 0);
	/* the schedules' rows are apart from the event stream's */
	ck_assert_int_eq(pm_store_load_push(s, "m", 0, &last), -ENOENT);
	pm_store_close(s);
	s = open_ok();
	ck_assert_int_eq(pm_store_push_events_start(s, "m", &last), 0);
	ck_assert_int_eq(last, 3);
	ck_assert_int_eq(pm_store_push_events_start(s, "empty", &last), 0);
	ck_assert_int_eq(last, 0);
	pm_store_close(s);
}
END_TEST

/* Schema 9 kept the counters per meter name, under a key nobody recorded: migration 10 keeps
 * the highest of them as the floor of every key's counters. */
START_TEST(test_dlms_counters_migrated_from_v9)
{
	struct pm_store *s = open_ok();
	struct pm_store_dlms_id id = {.title = {1, 2, 3, 4, 5, 6, 7, 8}};
	uint64_t start, end;
	int64_t last;
	char cmd[768];

	pm_store_close(s);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' 'DROP TABLE dlms_ic; DROP TABLE dlms_key; DROP TABLE dlms_push;"
		 " CREATE TABLE dlms_counter (meter TEXT PRIMARY KEY, server_reserved INTEGER NOT"
		 " NULL, client_last INTEGER NOT NULL) WITHOUT ROWID;"
		 " INSERT INTO dlms_counter VALUES (1, 512, 7), (2, 1024, 3);"
		 " DROP TABLE dlms_token_entry; ALTER TABLE billing_capture DROP COLUMN charges_mu;"
		 " PRAGMA user_version = 9'",
		 db);
	ck_assert_int_eq(system(cmd), 0);
	s = open_ok();
	ck_assert_int_eq(pm_store_load_dlms_client(s, &id, &last), 0);
	ck_assert_int_eq(last, 7);
	ck_assert_int_eq(pm_store_reserve_dlms_server(s, &id, 256, &start, &end), 0);
	ck_assert_uint_eq(start, 1024);
	ck_assert_uint_eq(end, 1280);
	ck_assert_int_eq(pm_store_take_dlms_client(s, &id, 7, &last), 0);
	ck_assert_int_eq(pm_store_take_dlms_client(s, &id, 8, &last), 1);
	pm_store_close(s);
}
END_TEST

/*
 * The token gateway's last entry (schema 12): one row per meter, replaced by the next entry,
 * read back after a reopen; an entry out of its limits is refused and writes nothing.
 */
START_TEST(test_token_entry_roundtrip)
{
	struct pm_store *s = open_ok();
	struct pm_store_token_entry e = {.token = "66475648316756821785",
					 .utc_s = 1795235708,
					 .status = 3,
					 .description = "credit"},
				    f = {.token = "1234",
					 .utc_s = 1795235709,
					 .status = 4,
					 .description = "malformed"},
				    got;

	ck_assert_int_eq(pm_store_load_token_entry(s, "m", &got), -ENODATA);
	ck_assert_int_eq(pm_store_save_token_entry(s, "m", &e), 0);
	ck_assert_int_eq(pm_store_save_token_entry(s, "other", &f), 0);
	pm_store_close(s);
	s = open_ok();
	ck_assert_int_eq(pm_store_load_token_entry(s, "m", &got), 0);
	ck_assert_str_eq(got.token, "66475648316756821785");
	ck_assert_int_eq(got.utc_s, 1795235708);
	ck_assert_uint_eq(got.status, 3);
	ck_assert_str_eq(got.description, "credit");
	/* the next entry replaces it */
	ck_assert_int_eq(pm_store_save_token_entry(s, "m", &f), 0);
	ck_assert_int_eq(pm_store_load_token_entry(s, "m", &got), 0);
	ck_assert_str_eq(got.token, "1234");
	ck_assert_uint_eq(got.status, 4);
	/* refused, nothing written: an empty token, status 9, an empty description */
	e.token[0] = '\0';
	ck_assert_int_eq(pm_store_save_token_entry(s, "m", &e), -EINVAL);
	e.token[0] = '6';
	e.status = 9;
	ck_assert_int_eq(pm_store_save_token_entry(s, "m", &e), -EINVAL);
	e.status = 3;
	e.description[0] = '\0';
	ck_assert_int_eq(pm_store_save_token_entry(s, "m", &e), -EINVAL);
	ck_assert_int_eq(pm_store_load_token_entry(s, "m", &got), 0);
	ck_assert_str_eq(got.token, "1234");
	pm_store_close(s);
}
END_TEST

/* A schema 11 database gets the table (migration 12) and keeps its data; a row the daemon
 * could not have written (a token with a NUL octet) reads as -EBADMSG, not as an entry. */
START_TEST(test_token_entry_migrated_from_v11)
{
	struct pm_store *s = open_ok();
	struct pm_store_event ev[1];
	struct pm_store_token_entry got;
	char cmd[512];

	ck_assert_int_eq(pm_store_add_event(s, "m", 7, "power_up", "x"), 0);
	pm_store_close(s);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' 'DROP TABLE dlms_token_entry; DROP TABLE dlms_push;"
		 " ALTER TABLE billing_capture DROP COLUMN charges_mu; PRAGMA user_version = 11'",
		 db);
	ck_assert_int_eq(system(cmd), 0);
	s = open_ok();
	ck_assert_int_eq(pm_store_events(s, "m", ev, 1), 1);
	ck_assert_int_eq(pm_store_load_token_entry(s, "m", &got), -ENODATA);
	pm_store_close(s);
	snprintf(
	    cmd, sizeof(cmd),
	    "sqlite3 '%s' \"INSERT INTO dlms_token_entry VALUES ('m', X'3100', 1, 3, 'credit')\""
	    " && test \"$(sqlite3 '%s' 'PRAGMA user_version')\" = %d",
	    db, db, PM_STORE_SCHEMA_VERSION);
	ck_assert_int_eq(system(cmd), 0);
	s = open_ok();
	ck_assert_int_eq(pm_store_load_token_entry(s, "m", &got), -EBADMSG);
	pm_store_close(s);
}
END_TEST

/* Peaks of three months and both directions come back as stored, after a reopen. */
START_TEST(test_demand_roundtrip)
{
	const struct pm_store_demand in[] = {
	    {.month = 24313, .is_export = false, .demand_mw = 3600, .end_ns = 900},
	    {.month = 24313, .is_export = true, .demand_mw = 12, .end_ns = 1800},
	    {.month = 24312, .is_export = false, .demand_mw = INT64_C(5000000000), .end_ns = -7},
	    {.month = 24311, .is_export = true, .demand_mw = 1, .end_ns = INT64_MAX},
	};
	struct pm_store_demand out[8];
	struct pm_store *s = open_ok();

	ck_assert_int_eq(pm_store_save_demand(s, "m", in, 4), 0);
	pm_store_close(s);
	s = open_ok();
	ck_assert_int_eq(pm_store_load_demand(s, "m", out, 8), 4);
	/* newest month first, import before export */
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(out[i].month, in[i].month);
		ck_assert(out[i].is_export == in[i].is_export);
		ck_assert_int_eq(out[i].demand_mw, in[i].demand_mw);
		ck_assert_int_eq(out[i].end_ns, in[i].end_ns);
	}
	ck_assert_int_eq(pm_store_load_demand(s, "other", out, 8), 0);
	pm_store_close(s);
}
END_TEST

/* A peak of a new month replaces nothing but pushes out what is 3 months older than it. */
START_TEST(test_demand_keeps_three_months)
{
	struct pm_store_demand d = {.month = 100, .demand_mw = 1, .end_ns = 1}, out[8];
	struct pm_store *s = open_ok();

	for (int m = 100; m <= 103; m++) {
		d.month = m;
		d.demand_mw = m;
		ck_assert_int_eq(pm_store_save_demand(s, "m", &d, 1), 0);
	}
	/* same month again: replaced, not added */
	d.demand_mw = 7;
	ck_assert_int_eq(pm_store_save_demand(s, "m", &d, 1), 0);
	ck_assert_int_eq(pm_store_load_demand(s, "m", out, 8), 3);
	ck_assert_int_eq(out[0].month, 103);
	ck_assert_int_eq(out[0].demand_mw, 7);
	ck_assert_int_eq(out[1].month, 102);
	ck_assert_int_eq(out[2].month, 101);
	ck_assert_int_eq(pm_store_save_demand(NULL, "m", &d, 1), -EINVAL);
	ck_assert_int_eq(pm_store_save_demand(s, "", &d, 1), -EINVAL);
	pm_store_close(s);
}
END_TEST

START_TEST(test_config_description_roundtrip)
{
	struct pm_store *s = open_ok();
	char buf[64], small[4];

	ck_assert_int_eq(pm_store_get_config(s, "m", buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(pm_store_set_config(s, "m", "wiring=wye\nsource=sim\n"), 0);
	ck_assert_int_eq(pm_store_set_config(s, "m", "wiring=delta\nsource=sim\n"), 0);
	pm_store_close(s);
	s = open_ok();
	ck_assert_int_eq(pm_store_get_config(s, "m", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "wiring=delta\nsource=sim\n");
	ck_assert_int_eq(pm_store_get_config(s, "m", small, sizeof(small)), -ENOBUFS);
	ck_assert_int_eq(pm_store_set_config(s, "m", NULL), -EINVAL);
	pm_store_close(s);
}
END_TEST

/* A schema-2 database (before maximum demand was stored) is migrated, its data kept. */
START_TEST(test_migration_from_v2_keeps_data)
{
	struct pm_store *s = open_ok();
	struct pm_store_demand d = {.month = 5, .demand_mw = 42, .end_ns = 9}, out[2];
	struct pm_store_event ev[2];
	char cmd[512];

	ck_assert_int_eq(pm_store_add_event(s, "m", 7, "power_up", "x"), 0);
	pm_store_close(s);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' 'DROP TABLE calibration; DROP TABLE demand; DROP TABLE meter_config;"
		 " DROP TABLE account; DROP TABLE topup_ref; DROP TABLE billing_capture;"
		 " DROP TABLE sts_meter; DROP TABLE mqtt_cursor; DROP TABLE dlms_ic;"
		 " DROP TABLE dlms_key; DROP TABLE dlms_push; DROP TABLE dlms_token_entry; PRAGMA "
		 "user_version = 2'",
		 db);
	ck_assert_int_eq(system(cmd), 0);
	s = open_ok();
	ck_assert_int_eq(pm_store_events(s, "m", ev, 2), 1);
	ck_assert_str_eq(ev[0].kind, "power_up");
	ck_assert_int_eq(pm_store_load_demand(s, "m", out, 2), 0);
	ck_assert_int_eq(pm_store_save_demand(s, "m", &d, 1), 0);
	ck_assert_int_eq(pm_store_load_demand(s, "m", out, 2), 1);
	ck_assert_int_eq(out[0].demand_mw, 42);
	pm_store_close(s);
	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 '%s' 'PRAGMA user_version')\" = %d", db,
		 PM_STORE_SCHEMA_VERSION);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_calibration_roundtrip)
{
	struct pm_store *s = open_ok();
	struct pm_calib c = {0}, got;

	ck_assert_int_eq(pm_store_load_calib(s, "m", &got), -ENOENT);
	c.set[1] = true;
	for (int g = 0; g < PM_CAL_REGS; g++)
		c.code[1][g] = -1000 * (g + 1);
	c.code[0][0] = 42; /* phase L1 not set: not stored */
	ck_assert_int_eq(pm_store_save_calib(s, "m", &c, 7), 0);
	pm_store_close(s);
	s = open_ok();
	memset(&got, 0xff, sizeof(got));
	ck_assert_int_eq(pm_store_load_calib(s, "m", &got), 0);
	ck_assert(!got.set[0] && got.set[1] && !got.set[2]);
	ck_assert_int_eq(got.code[0][0], 0);
	for (int g = 0; g < PM_CAL_REGS; g++)
		ck_assert_int_eq(got.code[1][g], -1000 * (g + 1));
	/* a later step of L3 only keeps L2 as it was; extremes of int32 survive */
	memset(&c, 0, sizeof(c));
	c.set[2] = true;
	c.code[2][PM_CAL_VGAIN] = INT32_MIN;
	c.code[2][PM_CAL_VAROS] = INT32_MAX;
	ck_assert_int_eq(pm_store_save_calib(s, "m", &c, 8), 0);
	ck_assert_int_eq(pm_store_load_calib(s, "m", &got), 0);
	ck_assert(got.set[1] && got.set[2]);
	ck_assert_int_eq(got.code[1][PM_CAL_IGAIN], -2000);
	ck_assert_int_eq(got.code[2][PM_CAL_VGAIN], INT32_MIN);
	ck_assert_int_eq(got.code[2][PM_CAL_VAROS], INT32_MAX);
	/* other meters are separate; bad arguments change nothing */
	ck_assert_int_eq(pm_store_load_calib(s, "other", &got), -ENOENT);
	ck_assert_int_eq(pm_store_save_calib(s, NULL, &c, 9), -EINVAL);
	ck_assert_int_eq(pm_store_load_calib(s, "m", NULL), -EINVAL);
	pm_store_close(s);
}
END_TEST

/* Collects what a streaming read visits. */
struct visited {
	int n;
	int64_t t[16];
	char kind[16][32];
	int stop_after; /* 0: never stop */
};

static int visit_profile(void *ctx, const struct pm_store_profile *e)
{
	struct visited *v = ctx;

	if (v->n < 16)
		v->t[v->n] = e->end_ns;
	v->n++;
	return v->stop_after && v->n == v->stop_after ? 7 : 0;
}

static int visit_event(void *ctx, const struct pm_store_event *ev)
{
	struct visited *v = ctx;

	if (v->n < 16) {
		v->t[v->n] = ev->utc_ns;
		snprintf(v->kind[v->n], sizeof(v->kind[0]), "%s", ev->kind);
	}
	v->n++;
	return 0;
}

/*
 * Ten 30-minute intervals ending at 30, 60, ..., 300 min. [60 min, 240 min] holds the ends
 * 60, 90, ..., 240: (240 - 60) / 30 + 1 = 7 of them; skipping 2 and taking 3 visits the ends
 * 120, 150, 180.
 */
START_TEST(test_profile_each_range_skip_limit)
{
	struct pm_store *s = open_ok();
	struct visited v = {0};
	uint64_t n;

	for (int k = 1; k <= 10; k++) {
		struct pm_store_profile e = interval(k * 30 * MIN_NS, (uint64_t)k);

		ck_assert_int_eq(pm_store_add_profile(s, "m", &e), 0);
	}
	ck_assert_int_eq(pm_store_profile_count(s, "m", 60 * MIN_NS, 240 * MIN_NS, &n), 0);
	ck_assert_uint_eq(n, 7);
	ck_assert_int_eq(pm_store_profile_count(s, "m", INT64_MIN, INT64_MAX, &n), 0);
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(pm_store_profile_count(s, "nosuch", INT64_MIN, INT64_MAX, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(pm_store_profile_each(s, "m",
					       &(struct pm_store_range){.from_ns = 60 * MIN_NS,
									.to_ns = 240 * MIN_NS,
									.skip = 2,
									.limit = 3},
					       visit_profile, &v),
			 0);
	ck_assert_int_eq(v.n, 3);
	ck_assert_int_eq(v.t[0], 120 * MIN_NS);
	ck_assert_int_eq(v.t[2], 180 * MIN_NS);
	/* limit 0 is all of them; a visitor's nonzero return stops the read and is returned */
	v = (struct visited){.stop_after = 4};
	ck_assert_int_eq(pm_store_profile_each(
			     s, "m",
			     &(struct pm_store_range){.from_ns = INT64_MIN, .to_ns = INT64_MAX},
			     visit_profile, &v),
			 7);
	ck_assert_int_eq(v.n, 4);
	ck_assert_int_eq(pm_store_profile_each(s, "m",
					       &(struct pm_store_range){.from_ns = 2, .to_ns = 1},
					       visit_profile, &v),
			 -EINVAL);
	pm_store_close(s);
}
END_TEST

/* Events come in the order they were logged, within the range of their dates. */
START_TEST(test_events_each_in_log_order)
{
	struct pm_store *s = open_ok();
	struct visited v = {0};

	ck_assert_int_eq(pm_store_add_event(s, "m", 100, "daemon_start", ""), 0);
	ck_assert_int_eq(pm_store_add_event(s, "m", 300, "power_up", ""), 0);
	/* logged after power_up, dated before it (the last sample before the gap) */
	ck_assert_int_eq(pm_store_add_event(s, "m", 200, "power_down", ""), 0);
	ck_assert_int_eq(pm_store_add_event(s, "other", 250, "swell", ""), 0);
	ck_assert_int_eq(
	    pm_store_events_each(s, "m", &(struct pm_store_range){.from_ns = 150, .to_ns = 400},
				 visit_event, &v),
	    0);
	ck_assert_int_eq(v.n, 2);
	ck_assert_str_eq(v.kind[0], "power_up");
	ck_assert_str_eq(v.kind[1], "power_down");
	ck_assert_int_eq(v.t[1], 200);
	pm_store_close(s);
}
END_TEST

/* A daily capture with two import rates, one export rate and an import peak. */
static struct pm_store_billing capture(enum pm_store_billing_scheme scheme, int32_t day)
{
	struct pm_store_billing b = {
	    .scheme = scheme,
	    .local_day = day,
	    .utc_ns = (int64_t)day * 24 * 60 * MIN_NS + 5 * MIN_NS,
	    .reg = {1000u + (uint64_t)day, 2000, 3000, 4000},
	    .n_rates = 2,
	    .n_export_rates = 1,
	    .rate_import = {600u + (uint64_t)day, 400},
	    .rate_export = {2000},
	    .md_valid = {true, false},
	    .md_mw = {6900000, 0},
	    .md_end_ns = {12345, 0},
	};

	return b;
}

START_TEST(test_billing_roundtrip)
{
	struct pm_store *s = open_ok();
	struct pm_store_billing in = capture(PM_STORE_BILLING_DAILY, 20000), out;

	ck_assert_int_eq(pm_store_last_billing(s, "m", PM_STORE_BILLING_DAILY, &out), -ENOENT);
	ck_assert_int_eq(pm_store_add_billing(s, "m", &in), 0);
	pm_store_close(s);
	s = open_ok();
	memset(&out, 0xa5, sizeof(out));
	ck_assert_int_eq(pm_store_last_billing(s, "m", PM_STORE_BILLING_DAILY, &out), 0);
	ck_assert_int_eq(out.scheme, PM_STORE_BILLING_DAILY);
	ck_assert_int_eq(out.local_day, 20000);
	ck_assert_int_eq(out.utc_ns, in.utc_ns);
	ck_assert_uint_eq(out.reg[PM_STORE_PROF_A_IMPORT], 21000);
	ck_assert_uint_eq(out.reg[PM_STORE_PROF_R_EXPORT], 4000);
	ck_assert_uint_eq(out.n_rates, 2);
	ck_assert_uint_eq(out.rate_import[0], 20600);
	ck_assert_uint_eq(out.rate_import[1], 400);
	ck_assert_uint_eq(out.rate_import[2], 0); /* stored NULL, read as absent */
	ck_assert_uint_eq(out.n_export_rates, 1);
	ck_assert_uint_eq(out.rate_export[0], 2000);
	ck_assert(out.md_valid[0] && !out.md_valid[1]);
	ck_assert_int_eq(out.md_mw[0], 6900000);
	ck_assert_int_eq(out.md_end_ns[0], 12345);
	/* the other scheme and other meters are separate */
	ck_assert_int_eq(pm_store_last_billing(s, "m", PM_STORE_BILLING_MONTHLY, &out), -ENOENT);
	ck_assert_int_eq(pm_store_last_billing(s, "n", PM_STORE_BILLING_DAILY, &out), -ENOENT);
	/* a second capture of the same local date (a clock set back) leaves the first */
	in.reg[0] = 99;
	ck_assert_int_eq(pm_store_add_billing(s, "m", &in), 0);
	ck_assert_int_eq(pm_store_last_billing(s, "m", PM_STORE_BILLING_DAILY, &out), 0);
	ck_assert_uint_eq(out.reg[0], 21000);
	/* bad arguments */
	in.n_rates = 9;
	ck_assert_int_eq(pm_store_add_billing(s, "m", &in), -EINVAL);
	in = capture((enum pm_store_billing_scheme)3, 1);
	ck_assert_int_eq(pm_store_add_billing(s, "m", &in), -EINVAL);
	pm_store_close(s);
}
END_TEST

/*
 * §7.8: a monthly capture with the period's charges and the account record written with it
 * (the working value reset) in one transaction; a capture of a date already there is ignored
 * with the account left as it was (0 returned). A daily capture holds no charges.
 */
START_TEST(test_billing_with_account)
{
	struct pm_store *s = open_ok();
	struct pm_store_billing in = capture(PM_STORE_BILLING_MONTHLY, 20000), out;
	const unsigned char reset[4] = {1, 2, 3, 4}, later[4] = {5, 6, 7, 8};
	struct pm_store_account_record rec = {3, reset, sizeof(reset)};
	unsigned char got[4];

	in.has_charges = true;
	in.charges_mu = 225000; /* 225 p taken over the period */
	ck_assert_int_eq(pm_store_add_billing_account(s, "m", &in, &rec, in.utc_ns), 1);
	ck_assert_int_eq(pm_store_load_account(s, "m", 3, got, sizeof(got)), 0);
	ck_assert_int_eq(memcmp(got, reset, sizeof(got)), 0);
	pm_store_close(s);
	s = open_ok();
	ck_assert_int_eq(pm_store_last_billing(s, "m", PM_STORE_BILLING_MONTHLY, &out), 0);
	ck_assert(out.has_charges);
	ck_assert_int_eq(out.charges_mu, 225000);
	/* the same date again: neither the capture nor the account is written */
	rec.state = later;
	in.charges_mu = 1000;
	ck_assert_int_eq(pm_store_add_billing_account(s, "m", &in, &rec, in.utc_ns), 0);
	ck_assert_int_eq(pm_store_load_account(s, "m", 3, got, sizeof(got)), 0);
	ck_assert_int_eq(memcmp(got, reset, sizeof(got)), 0);
	ck_assert_int_eq(pm_store_last_billing(s, "m", PM_STORE_BILLING_MONTHLY, &out), 0);
	ck_assert_int_eq(out.charges_mu, 225000);
	/* a daily capture without charges reads without them */
	in = capture(PM_STORE_BILLING_DAILY, 20000);
	ck_assert_int_eq(pm_store_add_billing(s, "m", &in), 0);
	ck_assert_int_eq(pm_store_last_billing(s, "m", PM_STORE_BILLING_DAILY, &out), 0);
	ck_assert(!out.has_charges);
	pm_store_close(s);
}
END_TEST

/* A schema 13 database gets the column (migration 14): its captures read without charges. */
START_TEST(test_billing_charges_migrated_from_v13)
{
	struct pm_store *s = open_ok();
	struct pm_store_billing in = capture(PM_STORE_BILLING_MONTHLY, 20000), out;
	char cmd[512];

	ck_assert_int_eq(pm_store_add_billing(s, "m", &in), 0);
	pm_store_close(s);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' 'ALTER TABLE billing_capture DROP COLUMN charges_mu;"
		 " PRAGMA user_version = 13'",
		 db);
	ck_assert_int_eq(system(cmd), 0);
	s = open_ok();
	ck_assert_int_eq(pm_store_last_billing(s, "m", PM_STORE_BILLING_MONTHLY, &out), 0);
	ck_assert(!out.has_charges);
	ck_assert_uint_eq(out.reg[PM_STORE_PROF_A_IMPORT], 21000);
	pm_store_close(s);
	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 '%s' 'PRAGMA user_version')\" = %d", db,
		 PM_STORE_SCHEMA_VERSION);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static int visit_billing(void *ctx, const struct pm_store_billing *b)
{
	struct visited *v = ctx;

	if (v->n < 16)
		v->t[v->n] = b->local_day;
	v->n++;
	return 0;
}

/*
 * 402 daily captures, days 0..401: the newest 400 are kept, days 2..401. 38 monthly ones
 * (every 30th day, so 38 distinct dates): the newest 36 are kept.
 */
START_TEST(test_billing_keeps_its_count)
{
	struct pm_store *s = open_ok();
	struct visited v = {0};
	uint64_t n;

	for (int d = 0; d < 402; d++) {
		struct pm_store_billing b = capture(PM_STORE_BILLING_DAILY, d);

		ck_assert_int_eq(pm_store_add_billing(s, "m", &b), 0);
	}
	for (int k = 0; k < 38; k++) {
		struct pm_store_billing b = capture(PM_STORE_BILLING_MONTHLY, 30 * k);

		ck_assert_int_eq(pm_store_add_billing(s, "m", &b), 0);
	}
	ck_assert_int_eq(
	    pm_store_billing_count(s, "m", PM_STORE_BILLING_DAILY, INT64_MIN, INT64_MAX, &n), 0);
	ck_assert_uint_eq(n, 400);
	ck_assert_int_eq(
	    pm_store_billing_count(s, "m", PM_STORE_BILLING_MONTHLY, INT64_MIN, INT64_MAX, &n), 0);
	ck_assert_uint_eq(n, 36);
	ck_assert_int_eq(
	    pm_store_billing_each(
		s, "m", PM_STORE_BILLING_DAILY,
		&(struct pm_store_range){.from_ns = INT64_MIN, .to_ns = INT64_MAX, .limit = 2},
		visit_billing, &v),
	    0);
	ck_assert_int_eq(v.n, 2);
	ck_assert_int_eq(v.t[0], 2);
	ck_assert_int_eq(v.t[1], 3);
	/* by time: days 100..102 were captured at 00:05 of their day */
	v = (struct visited){0};
	ck_assert_int_eq(
	    pm_store_billing_each(s, "m", PM_STORE_BILLING_DAILY,
				  &(struct pm_store_range){.from_ns = 100 * 24 * 60 * MIN_NS,
							   .to_ns = 103 * 24 * 60 * MIN_NS - 1},
				  visit_billing, &v),
	    0);
	ck_assert_int_eq(v.n, 3);
	ck_assert_int_eq(v.t[0], 100);
	ck_assert_int_eq(v.t[2], 102);
	pm_store_close(s);
}
END_TEST

/* A schema-5 database (before the billing captures) is migrated, its data kept. */
START_TEST(test_migration_from_v5_keeps_data)
{
	struct pm_store *s = open_ok();
	struct pm_store_billing b = capture(PM_STORE_BILLING_MONTHLY, 31), out;
	struct pm_store_event ev[2];
	char cmd[512];

	ck_assert_int_eq(pm_store_add_event(s, "m", 7, "power_up", "x"), 0);
	pm_store_close(s);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' 'DROP TABLE billing_capture; DROP TABLE sts_meter; DROP TABLE "
		 "mqtt_cursor; DROP TABLE dlms_ic; DROP TABLE dlms_key; DROP TABLE dlms_push;"
		 " DROP TABLE dlms_token_entry; PRAGMA user_version = 5'",
		 db);
	ck_assert_int_eq(system(cmd), 0);
	s = open_ok();
	ck_assert_int_eq(pm_store_events(s, "m", ev, 2), 1);
	ck_assert_str_eq(ev[0].kind, "power_up");
	ck_assert_int_eq(pm_store_add_billing(s, "m", &b), 0);
	ck_assert_int_eq(pm_store_last_billing(s, "m", PM_STORE_BILLING_MONTHLY, &out), 0);
	ck_assert_int_eq(out.local_day, 31);
	pm_store_close(s);
	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 '%s' 'PRAGMA user_version')\" = %d", db,
		 PM_STORE_SCHEMA_VERSION);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("sqlite");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_roundtrip_survives_reopen);
	tcase_add_test(tc, test_meters_are_separate);
	tcase_add_test(tc, test_register_going_back_is_refused_whole);
	tcase_add_test(tc, test_no_counters_checkpoint);
	tcase_add_test(tc, test_checkpoint_carries_the_account);
	tcase_add_test(tc, test_checkpoint_is_one_transaction);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_events_newest_first_and_counted);
	tcase_add_test(tc, test_event_log_bounded_oldest_dropped);
	tcase_add_test(tc, test_corrupted_file_is_refused_with_its_name);
	tcase_add_test(tc, test_newer_schema_is_refused);
	tcase_add_test(tc, test_failed_write_keeps_last_checkpoint);
	tcase_add_test(tc, test_profile_roundtrip_and_range);
	tcase_add_test(tc, test_profile_keeps_240_days);
	tcase_add_test(tc, test_profile_same_end_is_merged);
	tcase_add_test(tc, test_migration_from_v1_keeps_data);
	tcase_add_test(tc, test_dlms_counters_per_key);
	tcase_add_test(tc, test_dlms_counters_migrated_from_v9);
	tcase_add_test(tc, test_token_entry_roundtrip);
	tcase_add_test(tc, test_token_entry_migrated_from_v11);
	tcase_add_test(tc, test_calibration_roundtrip);
	tcase_add_test(tc, test_demand_roundtrip);
	tcase_add_test(tc, test_demand_keeps_three_months);
	tcase_add_test(tc, test_config_description_roundtrip);
	tcase_add_test(tc, test_migration_from_v2_keeps_data);
	tcase_add_test(tc, test_newer_schema_is_refused_untouched);
	tcase_add_test(tc, test_push_delivered);
	tcase_add_test(tc, test_push_event_cursor);
	tcase_add_test(tc, test_quick_check_finding_is_refused);
	tcase_add_test(tc, test_damaged_index_page_is_refused);
	tcase_add_test(tc, test_profile_each_range_skip_limit);
	tcase_add_test(tc, test_events_each_in_log_order);
	tcase_add_test(tc, test_billing_roundtrip);
	tcase_add_test(tc, test_billing_with_account);
	tcase_add_test(tc, test_billing_charges_migrated_from_v13);
	tcase_add_test(tc, test_billing_keeps_its_count);
	tcase_add_test(tc, test_migration_from_v5_keeps_data);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
