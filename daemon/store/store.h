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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/metrology/calibration.h"
#include "core/metrology/demand.h"
#include "core/metrology/metrology.h"
#include "core/metrology/profile.h"
#include "core/sts/sts-lockout.h"

/* Schema version this code writes; older databases are migrated forward on open. */
#define PM_STORE_SCHEMA_VERSION 14

/* Newest events kept per meter; older ones are dropped, their number is counted. */
#define PM_STORE_EVENTS_KEPT 10000

/*
 * Load profile: intervals older than this before the newest stored one of the same meter are
 * deleted when a new one is appended (240 days, the minimum).
 */
#define PM_STORE_PROFILE_KEEP_NS (INT64_C(240) * 86400 * 1000000000)

/* Registers of a profile interval (totals, mWh / mvarh), in this order. */
enum pm_store_profile_reg {
	PM_STORE_PROF_A_IMPORT,
	PM_STORE_PROF_A_EXPORT,
	PM_STORE_PROF_R_IMPORT,
	PM_STORE_PROF_R_EXPORT,
	PM_STORE_PROF_REGS
};

/*
 * One closed load-profile interval: (end_ns - period_ns, end_ns] on the UTC clock, its status
 * (enum pm_profile_status bits), the registers at its last sample and their growth since the
 * previous interval, the mean V (mV), I (mA), PF (1e-6) and f (mHz) per phase.
 */
struct pm_store_profile {
	int64_t end_ns;
	int64_t period_ns;
	uint32_t status;
	uint32_t samples;
	uint64_t reg[PM_STORE_PROF_REGS];
	uint64_t delta[PM_STORE_PROF_REGS];
	struct pm_profile_pq avg[PM_MET_PHASES];
};

struct pm_store;

struct pm_store_event {
	int64_t utc_ns;
	char kind[32];
	char detail[256];
};

/*
 * Opens (creating if needed) and migrates the database at @path. On failure *out is NULL and
 * @err (if given) holds a message naming the file and SQLite's reason. A newer schema
 * (-EPROTO) or a damaged file (-EBADMSG: unreadable, or any quick_check finding) is refused
 * before anything is written to it.
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

/* An account record to save with a checkpoint (pm_store_save_account's fields, no reference). */
struct pm_store_account_record {
	uint32_t layout;
	const void *state;
	size_t len;
};
/*
 * A checkpoint of the registers (pm_store_save_meter) and, when @account is not NULL, the
 * meter's account record with it: one transaction, so one fsync (synchronous=FULL) for both,
 * and either both are stored or neither.
 */
int pm_store_save_checkpoint(struct pm_store *store, const char *meter,
			     const struct pm_met_persist *p, int64_t utc_ns,
			     const struct pm_store_account_record *account);

/* Event log of one meter: append, newest first listing, counts. */
int pm_store_add_event(struct pm_store *store, const char *meter, int64_t utc_ns, const char *kind,
		       const char *detail);
/* Fills up to @max events, newest first; returns how many (>= 0) or a negative errno. */
int pm_store_events(struct pm_store *store, const char *meter, struct pm_store_event *ev,
		    size_t max);
/* Total events ever logged for @meter and how many of them were dropped as the oldest. */
int pm_store_event_counts(struct pm_store *store, const char *meter, uint64_t *total,
			  uint64_t *dropped);

/*
 * Appends one closed interval of @meter and deletes that meter's intervals ending more than
 * PM_STORE_PROFILE_KEEP_NS before it. An interval with the end of one already stored (the
 * clock was set back) is merged into it: deltas and sample counts add up, registers and
 * averages are the newer ones, the status bits are ORed and CLOCK_ADJUSTED is set.
 */
int pm_store_add_profile(struct pm_store *store, const char *meter,
			 const struct pm_store_profile *e);
/*
 * The intervals of @meter with from_ns <= end_ns <= to_ns, oldest first, in *out (malloc'd,
 * free() it; NULL when none) and their number in *n. -EINVAL when from_ns > to_ns.
 */
int pm_store_profiles(struct pm_store *store, const char *meter, int64_t from_ns, int64_t to_ns,
		      struct pm_store_profile **out, size_t *n);
/* The newest stored interval of @meter; -ENOENT when there is none. */
int pm_store_last_profile(struct pm_store *store, const char *meter, struct pm_store_profile *e);

/*
 * Which rows a streaming read (the *_each functions) visits, oldest first: those whose time is
 * in [from_ns, to_ns], of which the first @skip are passed over and at most @limit visited
 * (0: all). The DLMS profiles read this way, so 240 days of intervals are never all in memory.
 */
struct pm_store_range {
	int64_t from_ns, to_ns;
	uint64_t skip, limit;
};

/* A streaming read's visitor: 0 goes on, anything else stops the read, which returns it. */
typedef int (*pm_store_profile_fn)(void *ctx, const struct pm_store_profile *e);
typedef int (*pm_store_event_fn)(void *ctx, const struct pm_store_event *ev);

/* The intervals of @meter in @range (by end_ns), oldest first. -EINVAL when from > to. */
int pm_store_profile_each(struct pm_store *store, const char *meter,
			  const struct pm_store_range *range, pm_store_profile_fn fn, void *ctx);
/* How many intervals of @meter end in [from_ns, to_ns]. */
int pm_store_profile_count(struct pm_store *store, const char *meter, int64_t from_ns,
			   int64_t to_ns, uint64_t *n);
/*
 * The events of @meter logged in @range (by utc_ns), in the order they were logged (oldest
 * first; an event may be dated before one logged earlier: power_down, store_failed).
 */
int pm_store_events_each(struct pm_store *store, const char *meter,
			 const struct pm_store_range *range, pm_store_event_fn fn, void *ctx);

/*
 * The billing captures (schema 6): the meter's registers at the first scan at or after 00:00
 * local (daily, scheme 2) and at or after 00:00 local on the 1st of a month (monthly, scheme
 * 1: the DLMS "data of billing period" schemes, 1.0.98.1.0.255 and 1.0.98.2.0.255). One row
 * per meter, scheme and local date; the newest PM_STORE_DAILY_KEPT and PM_STORE_MONTHLY_KEPT
 * are kept.
 */
enum pm_store_billing_scheme {
	PM_STORE_BILLING_MONTHLY = 1,
	PM_STORE_BILLING_DAILY = 2,
};

#define PM_STORE_DAILY_KEPT 400	 /* days: a year and a month back, for a year-on-year view */
#define PM_STORE_MONTHLY_KEPT 36 /* months: three years */
#define PM_STORE_BILLING_RATES 8 /* the tariff engine's TARIFF_MAX_RATES */

struct pm_store_billing {
	enum pm_store_billing_scheme scheme;
	int32_t local_day;		  /* the local date of the capture, days since 1970-01-01 */
	int64_t utc_ns;			  /* when it was captured (the scan's time, UTC) */
	uint64_t reg[PM_STORE_PROF_REGS]; /* totals +A -A +R -R, mWh / mvarh */
	/* the tariff's rate registers, mWh: rate r + 1 in [r]; 0 rates when there was no tariff */
	uint8_t n_rates, n_export_rates;
	uint64_t rate_import[PM_STORE_BILLING_RATES];
	uint64_t rate_export[PM_STORE_BILLING_RATES];
	/* maximum demand of +A [0] and -A [1]: mean power of the peak window (mW), its end */
	bool md_valid[2];
	int64_t md_mw[2];
	int64_t md_end_ns[2];
	/* §7.8: the charges taken from the Present Balance over the billing period that ended
	 * here (mu), monthly captures of a meter with an account only (schema 14) */
	bool has_charges;
	int64_t charges_mu;
};

typedef int (*pm_store_billing_fn)(void *ctx, const struct pm_store_billing *b);

/*
 * Appends one capture of @meter (another of the same scheme and local date is kept, this one
 * dropped: the clock went back over a midnight) and deletes the oldest beyond the scheme's
 * count kept, in one transaction.
 */
int pm_store_add_billing(struct pm_store *store, const char *meter,
			 const struct pm_store_billing *b);
/*
 * The same and, when @account is not NULL and the capture was appended, the meter's account
 * record (as pm_store_save_account at @utc_ns, with no reference) in the same transaction: the
 * period's end of §7.8 stores the amount and resets the working value in the record together,
 * so a crash can neither store it twice nor lose it. 1 when the capture (and the account) were
 * stored, 0 when the capture was ignored (nothing written), or a negative errno.
 */
int pm_store_add_billing_account(struct pm_store *store, const char *meter,
				 const struct pm_store_billing *b,
				 const struct pm_store_account_record *account, int64_t utc_ns);
/* The newest capture of @scheme; -ENOENT when there is none. */
int pm_store_last_billing(struct pm_store *store, const char *meter,
			  enum pm_store_billing_scheme scheme, struct pm_store_billing *b);
/* The captures of @scheme in @range (by utc_ns), oldest first. */
int pm_store_billing_each(struct pm_store *store, const char *meter,
			  enum pm_store_billing_scheme scheme, const struct pm_store_range *range,
			  pm_store_billing_fn fn, void *ctx);
/* How many captures of @scheme were taken in [from_ns, to_ns]. */
int pm_store_billing_count(struct pm_store *store, const char *meter,
			   enum pm_store_billing_scheme scheme, int64_t from_ns, int64_t to_ns,
			   uint64_t *n);

/*
 * The chip calibration of @meter (polymeterctl calibrate): the phases set in @c replace the
 * stored ones, in one transaction; the others stay as stored.
 */
int pm_store_save_calib(struct pm_store *store, const char *meter, const struct pm_calib *c,
			int64_t utc_ns);
/* The stored calibration of @meter into @c (phases never calibrated not set); -ENOENT: none. */
int pm_store_load_calib(struct pm_store *store, const char *meter, struct pm_calib *c);

/* One maximum-demand peak: the UTC month it belongs to (year x 12 + month, 0 = January). */
struct pm_store_demand {
	int month;
	bool is_export; /* -A; false: +A */
	int64_t demand_mw;
	int64_t end_ns; /* end of the window of the peak, UTC */
};

/*
 * Stores the peaks of @meter (replacing those of the same month and direction) and deletes
 * the ones older than the newest month given minus PM_DEMAND_MONTHS - 1: one transaction.
 */
int pm_store_save_demand(struct pm_store *store, const char *meter, const struct pm_store_demand *d,
			 size_t n);
/* Up to @max stored peaks of @meter, newest month first (import before export); how many. */
int pm_store_load_demand(struct pm_store *store, const char *meter, struct pm_store_demand *d,
			 size_t max);

/*
 * The meter's effective configuration as text ("key=value" lines) recorded at its last start,
 * to tell a config change at the next one. get: -ENOENT when none was recorded, -ENOBUFS when
 * it does not fit @len.
 */
int pm_store_set_config(struct pm_store *store, const char *meter, const char *description);
int pm_store_get_config(struct pm_store *store, const char *meter, char *description, size_t len);

/*
 * The account of @meter (daemon/meter/billing.h): one opaque record of @len bytes whose @layout
 * says how it was written. Saving it, and with @reference (may be NULL) recording that top-up
 * reference, is one transaction: a reference already recorded for the meter refuses the whole
 * save with -EEXIST and changes nothing.
 */
int pm_store_save_account(struct pm_store *store, const char *meter, uint32_t layout,
			  const void *state, size_t len, int64_t utc_ns, const char *reference,
			  int64_t value_mu);
/*
 * -ENODATA when none is stored (and only then), -EBADMSG when its layout or size is not
 * @layout / @len; any other failure is an error, never "none" (-EIO for one to open a file).
 */
int pm_store_load_account(struct pm_store *store, const char *meter, uint32_t layout, void *state,
			  size_t len);
/* 1 when @reference was recorded for @meter, 0 when not, or a negative errno. */
int pm_store_topup_ref_used(struct pm_store *store, const char *meter, const char *reference);

/*
 * The DLMS HLS invocation counters (store-dlms.c), kept per what the GCM IV is unique under: the
 * server's system title and the SHA-256 of its encryption key, whichever meter uses them.
 */
struct pm_store_dlms_id {
	uint8_t title[8];
	uint8_t key_sha256[32];
};

/* *@client_last: the client's newest counter taken (-1: none). */
int pm_store_load_dlms_client(struct pm_store *store, const struct pm_store_dlms_id *id,
			      int64_t *client_last);
/*
 * Reserves the next @n server counters (fewer at 2^32), committed before it returns:
 * [*@start, *@end) are this caller's alone, above every one reserved before under @id, by
 * this meter or any other. *@start == *@end: none left.
 */
int pm_store_reserve_dlms_server(struct pm_store *store, const struct pm_store_dlms_id *id,
				 uint32_t n, uint64_t *start, uint64_t *end);
/*
 * Takes the client's counter @ic when it is above the newest one taken under @id (1, committed
 * before it returns), else 0; *@client_last is then the newest one taken.
 */
int pm_store_take_dlms_client(struct pm_store *store, const struct pm_store_dlms_id *id,
			      uint32_t ic, int64_t *client_last);

/*
 * The DLMS keys a head-end transferred (store-dlms-keys.c): per the meter's system title, the
 * client SAP whose keys they are and key id (0 encryption, 2 authentication, 3 master), the key and
 * the SHA-256 of the client's key file's whole key set (encryption, authentication and master
 * key) it overrides: when any key of the file changes, they are all forgotten. Secrets: the store
 * is the daemon's alone (its state directory 0750, the file 0600 whatever the umask: store.c),
 * zeroed when deleted (secure_delete) and the WAL truncated after each change (store-dlms-keys.c).
 */
struct pm_store_dlms_key {
	uint8_t key_id;
	uint8_t key[16];
	uint8_t replaces_sha256[32];
};

#define PM_STORE_DLMS_KEYS_MAX 3

/* Saves @n keys of client @client_sap under @title in one transaction, committed when it
 * returns 0; each replaces the one stored for its id. */
int pm_store_save_dlms_keys(struct pm_store *store, const uint8_t title[8], uint16_t client_sap,
			    const struct pm_store_dlms_key *keys, size_t n);
/* The keys of client @client_sap stored under @title into @keys (PM_STORE_DLMS_KEYS_MAX), *@n
 * of them. */
int pm_store_load_dlms_keys(struct pm_store *store, const uint8_t title[8], uint16_t client_sap,
			    struct pm_store_dlms_key keys[PM_STORE_DLMS_KEYS_MAX], size_t *n);
/* Forgets every key of client @client_sap stored under @title (none stored: 0 too). */
int pm_store_forget_dlms_keys(struct pm_store *store, const uint8_t title[8], uint16_t client_sap);

/*
 * The DLMS pushes (store-push.c): the nominal instant (UTC ns) of the last push of @meter's
 * schedule @schedule (views/dlms/dlms-push-conf.h: 0 daily .. 3 billing period) the head-end
 * took. -ENOENT: none recorded yet.
 */
int pm_store_load_push(struct pm_store *store, const char *meter, unsigned schedule,
		       int64_t *last_nominal_ns);
/* Records it, committed before it returns. */
int pm_store_save_push(struct pm_store *store, const char *meter, unsigned schedule,
		       int64_t last_nominal_ns);
/*
 * The event pushes' cursor: the id (pm_store_events_after's) of the last of @meter's events
 * pushed that the head-end took; every event of a pushed kind after it is still due. None
 * recorded yet: the newest event's id now (0 for an empty log) is recorded and returned, so a
 * first start does not push the whole history.
 */
int pm_store_push_events_start(struct pm_store *store, const char *meter, int64_t *last_id);
/* Records the cursor, committed before it returns. */
int pm_store_save_push_events(struct pm_store *store, const char *meter, int64_t last_id);

/* The meter's STS side beside its account (store-sts.c). */
struct pm_store_sts {
	struct sts_lockout lockout;
	bool has_provisioned_dk; /* the decoder key last taken from the configuration */
	uint64_t provisioned_dk;
	bool has_supply_group_code;
	uint32_t supply_group_code;
};

/* Replaces the meter's row. 0 or a negative errno. */
int pm_store_save_sts(struct pm_store *store, const char *meter, const struct pm_store_sts *v);
/* -ENODATA when none is stored, -EBADMSG for values out of range, else 0 or a negative errno. */
int pm_store_load_sts(struct pm_store *store, const char *meter, struct pm_store_sts *v);

/*
 * The DLMS token gateway's last entry (schema 12, store-token-entry.c): what its attributes 2, 3,
 * 4 and 6 publish, so that they outlive a restart. A table of its own, not the event log: the
 * token's octets are the management client's to read, and the event log is anyone's (D-Bus
 * GetEvents, MQTT).
 */
#define PM_STORE_TOKEN_MAX 64		  /* octets of the token, none of them NUL */
#define PM_STORE_TOKEN_DESCRIPTION_MAX 23 /* octets of the description */
#define PM_STORE_TOKEN_STATUS_MAX 8	  /* token_status's status_code: 0..8 */
struct pm_store_token_entry {
	char token[PM_STORE_TOKEN_MAX + 1];
	int64_t utc_s;
	uint8_t status;
	char description[PM_STORE_TOKEN_DESCRIPTION_MAX + 1];
};

/* Replaces the meter's entry; -EINVAL (nothing written) for an entry out of the limits above. */
int pm_store_save_token_entry(struct pm_store *store, const char *meter,
			      const struct pm_store_token_entry *e);
/* -ENODATA when none is stored, -EBADMSG for values out of range, else 0 or a negative errno. */
int pm_store_load_token_entry(struct pm_store *store, const char *meter,
			      struct pm_store_token_entry *e);

/*
 * The MQTT publisher's queues (schema 8, daemon/views/mqtt/): the rows of a meter's streams
 * newer than its cursor are what is still to send; the cursor moves past a row only once the
 * broker acknowledged it, so the store's own tables are the queue and a crash loses nothing.
 * A stream's rows are ordered by their key: the profile interval's end_ns, the event's id, the
 * billing capture's utc_ns.
 */
enum pm_store_mqtt_stream {
	PM_STORE_MQTT_PROFILE,
	PM_STORE_MQTT_EVENT,
	PM_STORE_MQTT_DAILY,
	PM_STORE_MQTT_MONTHLY,
	PM_STORE_MQTT_STREAMS
};

struct pm_store_mqtt_cursor {
	int64_t last;	  /* key of the newest row acknowledged (or dropped) */
	uint64_t dropped; /* rows dropped unsent, ever */
};

/* The cursors of @meter; -ENOENT when it has none yet (the publisher never ran for it). */
int pm_store_mqtt_load(struct pm_store *store, const char *meter,
		       struct pm_store_mqtt_cursor c[PM_STORE_MQTT_STREAMS]);
/* Saves the cursors of @meter, all in one transaction. */
int pm_store_mqtt_save(struct pm_store *store, const char *meter,
		       const struct pm_store_mqtt_cursor c[PM_STORE_MQTT_STREAMS]);
/* The newest key of @stream (INT64_MIN when it has no row): where a new cursor starts. */
int pm_store_mqtt_newest(struct pm_store *store, const char *meter,
			 enum pm_store_mqtt_stream stream, int64_t *key);
/* How many rows of @stream have a key above @after. */
int pm_store_mqtt_pending(struct pm_store *store, const char *meter,
			  enum pm_store_mqtt_stream stream, int64_t after, uint64_t *n);
/* The key of the @n-th row (1 = the first) above @after; -ENOENT when there are fewer. */
int pm_store_mqtt_nth(struct pm_store *store, const char *meter, enum pm_store_mqtt_stream stream,
		      int64_t after, uint64_t n, int64_t *key);
/* An event with its id (its key in the event stream). */
typedef int (*pm_store_event_id_fn)(void *ctx, int64_t id, const struct pm_store_event *ev);
/* At most @limit events of @meter with an id above @after, oldest first. */
int pm_store_events_after(struct pm_store *store, const char *meter, int64_t after, uint64_t limit,
			  pm_store_event_id_fn fn, void *ctx);

#endif
