/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the DLMS session's HLS-GMAC needs from the daemon (core/dlms/server.h struct
 * pm_dlms_security) for one meter: its keys and titles (from dlms_key_file), unpredictable
 * challenges (getrandom), and the invocation counters kept in the store so that none is used
 * twice across restarts and kill -9:
 *
 *  - the counters are kept per server system title and encryption key (its SHA-256), what
 *    the GCM IV is unique under, not per meter name: a rename keeps them.
 *  - the server's counters are reserved in blocks of PM_DLMS_HLS_IC_BLOCK: the end of the
 *    block is committed before its first counter is handed out, and a restart starts after
 *    the last reservation (the unused rest of a block is skipped, never reused). One commit
 *    per block instead of one per APDU; 2^32 counters last 16 million restarts.
 *  - the client's counter of a SET or ACTION (and with it every counter below) is committed
 *    before the request is served, so a request that may change the meter, recorded before
 *    a crash, is refused after it too. The counters of GETs and of the association's own
 *    APDUs are kept in memory only (a commit each would cost a GET an fsync: 8 ms here): after
 *    a crash, a GET recorded since the last SET or ACTION could be answered once more, in
 *    ciphertext only its sender can read, and changing nothing.
 *
 * When the store cannot commit, no counter is promised: the session sends nothing and closes.
 */
#ifndef POLYMETER_DLMS_HLS_H
#define POLYMETER_DLMS_HLS_H

#include <stdint.h>

#include "core/dlms/server.h"
#include "store/store.h"

#define PM_DLMS_HLS_IC_BLOCK 256

struct pm_meter;

struct pm_dlms_hls {
	struct pm_dlms_security sec; /* what the server's configuration points to */
	struct pm_dlms_keys keys;
	const char *meter; /* the meter's name, for the log */
	struct pm_meter *pipe;
	struct pm_store_dlms_id id; /* the counters' row: the system title, the key's hash */
	uint64_t next, reserved;    /* the server's next counter; below reserved: committed */
	int64_t client_last;	    /* the client's newest counter taken, -1 none */
};

/* @h ready for the meter @name whose pipeline (and store) is @pipe, with its keys and titles;
 * @h->sec then goes into the server's configuration. 0, or a negative errno (no store, the
 * store unreadable). */
int pm_dlms_hls_init(struct pm_dlms_hls *h, const char *name, struct pm_meter *pipe,
		     const struct pm_dlms_keys *keys, const uint8_t *title,
		     const uint8_t *client_title);
/* Wipes the keys. */
void pm_dlms_hls_done(struct pm_dlms_hls *h);

#endif
