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
 *
 * Keys transferred by a head-end (Security setup, class 64) are committed to the store and
 * apply from the next association: a new encryption key is a new row of counters (they are
 * per key), so no IV of the old key or the new one is used twice.
 */
#ifndef POLYMETER_DLMS_HLS_H
#define POLYMETER_DLMS_HLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/cosem-meter.h"
#include "core/dlms/server.h"
#include "store/store.h"

#define PM_DLMS_HLS_IC_BLOCK 256

struct pm_meter;
struct pm_dlms_hls_keyset; /* one set of keys with its counters (dlms-hls.c) */

struct pm_dlms_hls {
	/* the keys a new association starts under; an association keeps the set it started
	 * under to its end (server.h hold/drop): sets replaced since and still held are kept in
	 * a list and freed when their last association ends */
	struct pm_dlms_hls_keyset *current, *retired;
	/* the key file's keys, which a transferred key overrides while the file still holds the
	 * one it replaced (docs/dlms.md, "Key transfer") */
	struct pm_dlms_keys file_keys;
	uint8_t file_master[PM_DLMS_KEY_LEN];
	bool file_has_master;
	uint8_t master[PM_DLMS_KEY_LEN]; /* the master key (KEK) in force */
	bool has_master;
	uint8_t title[PM_DLMS_SYSTEM_TITLE_LEN], client_title[PM_DLMS_SYSTEM_TITLE_LEN];
	const char *meter; /* the meter's name, for the log */
	struct pm_meter *pipe;
};

/* @h ready for the meter @name whose pipeline (and store) is @pipe, with the key file's keys,
 * titles and master key (@master: NULL, none), overridden by the keys a head-end transferred
 * (the store's) that still apply. 0, or a negative errno (no store, the store unreadable). */
int pm_dlms_hls_init(struct pm_dlms_hls *h, const char *name, struct pm_meter *pipe,
		     const struct pm_dlms_keys *keys, const uint8_t *title,
		     const uint8_t *client_title, const uint8_t *master);
/* What the server's configuration points to: the security a new association starts under
 * (it changes with a key transfer). */
const struct pm_dlms_security *pm_dlms_hls_security(const struct pm_dlms_hls *h);
/*
 * Security setup global_key_transfer (core/dlms/cosem-meter.h transfer_keys): the @n keys
 * unwrapped with the master key, committed to the store, and the security new associations
 * start under replaced; all or nothing. Never logs a key.
 */
enum pm_dlms_result pm_dlms_hls_transfer(struct pm_dlms_hls *h,
					 const struct pm_cosem_wrapped_key *keys, size_t n);
/* Between dlms-hls.c (the sets and their counters) and dlms-hls-keys.c (the transferred
 * keys): a new set of @keys with its stored counters (NULL: no memory, or the store could not
 * be read), and @ks made the one new associations start under. */
struct pm_dlms_hls_keyset *pm_dlms_hls_keyset_new(struct pm_dlms_hls *h,
						  const struct pm_dlms_keys *keys);
void pm_dlms_hls_keyset_free(struct pm_dlms_hls_keyset *ks);
void pm_dlms_hls_replace(struct pm_dlms_hls *h, struct pm_dlms_hls_keyset *ks);
/* dlms-hls-keys.c: the key file's keys in @keys (and the master key in @h) overridden by the
 * store's transferred keys that still apply; the others forgotten. 0 or a negative errno. */
int pm_dlms_hls_load_transferred(struct pm_dlms_hls *h, struct pm_dlms_keys *keys);

/* Frees every set of keys (their associations have ended) and wipes the keys. */
void pm_dlms_hls_done(struct pm_dlms_hls *h);

#endif
