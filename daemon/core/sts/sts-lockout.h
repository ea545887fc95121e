/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * polymeterd pure core: the token entry lockout of the prepayment meter manual, §4.2.1 (seed
 * 003): "The meter will allow codes to be re-entered for up to 10 minutes and will allow the
 * entry of 5 sets of invalid codes ... If 5 invalid entries are made the facility will be
 * locked out until the next hour. The meter will allow a maximum of 5 sets of Payment code
 * entries in a 24hr period", its example ending "5pm Enter invalid code 5 times: Facility
 * locked out until 00:01 next day".
 *
 * Read as: invalid entries are counted in a session of 10 minutes from its first invalid entry
 * (a later invalid entry starts a new session); a valid entry ends the session. The 5th
 * invalid entry of a session locks entry until the next full local hour, or, when it is the
 * 5th lockout of the local day, until 00:01 local the next day. One state per meter, for
 * every channel at once (D-Bus, DLMS, the display). An entry while locked is not counted.
 *
 * Local time comes in as an argument (the meter's zone, resolved by the adapter); the end of a
 * lockout is kept as a local day and second, so a DST change in between moves it with the
 * clock on the wall, as a meter's display shows it.
 */
#ifndef POLYMETER_STS_LOCKOUT_H
#define POLYMETER_STS_LOCKOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STS_LOCKOUT_INVALID 5	  /* invalid entries of a session that lock entry */
#define STS_LOCKOUT_SESSION_S 600 /* a session: 10 minutes from its first invalid entry */
#define STS_LOCKOUT_PER_DAY 5	  /* the lockout that locks until 00:01 the next day */
#define STS_LOCKOUT_DAY_END_S 60  /* 00:01 */

/* The time of an entry: UTC, and the local day number and second of that day. */
struct sts_entry_time {
	int64_t utc;
	int32_t local_day;
	uint32_t second_of_day; /* 0..86399 */
};

/* Persisted per meter (store-sts.c); all zero is "never used". */
struct sts_lockout {
	int64_t session_start_utc; /* the session's first invalid entry */
	uint32_t invalid;	   /* invalid entries in the session */
	int32_t lockout_day;	   /* the local day lockouts are counted for */
	uint32_t lockouts;	   /* lockouts on lockout_day */
	bool locked;
	int32_t until_day; /* locked until this local day and second (exclusive) */
	uint32_t until_second;
};

/* Whether entry is locked at @t. */
bool sts_lockout_locked(const struct sts_lockout *l, const struct sts_entry_time *t);
/* An invalid entry at @t (not locked): true when it locked entry. */
bool sts_lockout_invalid(struct sts_lockout *l, const struct sts_entry_time *t);
/* A valid entry: the session ends. */
void sts_lockout_valid(struct sts_lockout *l);
/* When a lockout ends, as the log and the display say it: "2026-01-05 14:00" local. */
const char *sts_lockout_until_text(const struct sts_lockout *l, char *buf, size_t len);
/* 0, or -EINVAL when @l holds values no sequence of calls gives (a corrupt record). */
int sts_lockout_check(const struct sts_lockout *l);

#endif
