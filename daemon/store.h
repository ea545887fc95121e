/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store: polymeterd's SQLite database (WAL), one file under the state directory.
 *
 * It keeps, per meter, the energy registers with the driver counters and counter epoch they
 * were derived from (the checkpoint the restart recovery starts from), and the bounded event
 * log. Every write is one transaction, committed with synchronous=FULL before the call
 * returns: what a caller acknowledges after a successful call survives a power cut.
 *
 * Registers never go backwards here either: a save that would lower any stored register is
 * refused as a whole (-ERANGE) and changes nothing.
 *
 * Errors are negative errno values: -ENOSPC disk full, -EROFS read-only file system or
 * database, -EBADMSG corrupted or foreign file, -EIO other I/O errors, -EBUSY locked,
 * -ENOENT nothing stored, -EINVAL bad argument. A failed call leaves the database as it was
 * before the call (SQLite's rollback).
 */
#ifndef POLYMETER_STORE_H
#define POLYMETER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "metrology.h"

/* Schema version this code writes; older databases are migrated forward on open. */
#define PM_STORE_SCHEMA_VERSION 1

/* Newest events kept per meter; older ones are dropped, their number is counted. */
#define PM_STORE_EVENTS_KEPT 10000

struct pm_store;

struct pm_store_event {
	int64_t utc_ns;
	char kind[32];
	char detail[256];
};

/*
 * Opens (creating if needed) and migrates the database at @path. On failure *out is NULL and
 * @err (if given) holds a message naming the file and SQLite's reason.
 */
int pm_store_open(const char *path, struct pm_store **out, char *err, size_t errlen);
void pm_store_close(struct pm_store *store);

/* SQLite's last message, for logs. */
const char *pm_store_errmsg(const struct pm_store *store);

/* Checkpoint of one meter: its registers and the counters they were computed up to. */
int pm_store_save_meter(struct pm_store *store, const char *meter, const struct pm_met_persist *p,
			int64_t utc_ns);
int pm_store_load_meter(struct pm_store *store, const char *meter, struct pm_met_persist *p,
			int64_t *utc_ns);

/* Event log of one meter: append, newest first listing, counts. */
int pm_store_add_event(struct pm_store *store, const char *meter, int64_t utc_ns, const char *kind,
		       const char *detail);
/* Fills up to @max events, newest first; returns how many (>= 0) or a negative errno. */
int pm_store_events(struct pm_store *store, const char *meter, struct pm_store_event *ev,
		    size_t max);
/* Total events ever logged for @meter and how many of them were dropped as the oldest. */
int pm_store_event_counts(struct pm_store *store, const char *meter, uint64_t *total,
			  uint64_t *dropped);

#endif
