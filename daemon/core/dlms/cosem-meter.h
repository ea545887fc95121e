/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The meter as the COSEM objects see it (cosem.h: struct pm_cosem_request.meter): everything an
 * object reads beyond the object model's snapshot, and everything it asks the meter to do. The
 * daemon fills one for each request (views/dlms/dlms-meter.c: pm_dlms_meter_get); a unit test
 * fills one by hand. The core never reads a clock, tzdata or the store: the values come in here
 * already resolved, the actions go out through the callbacks.
 *
 * Layout: the objects of this branch (identification, clock, maximum demand, supply) first; the
 * profiles and calendar objects' fields form their own block at the end (marked below). Add a
 * field to the end of its block; a test that fills one by hand uses designated initialisers, so
 * a new field is zero (absent) there.
 */
#ifndef POLYMETER_COSEM_METER_H
#define POLYMETER_COSEM_METER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/billing/tariff.h"
#include "core/dlms/cosem-profile.h"
#include "core/dlms/push-setup.h"
#include "core/dlms/cosem.h"
#include "core/dlms/tou-calendar.h"
#include "core/metrology/demand.h"
#include "core/model/model.h"

/*
 * The meter's clock as the Clock object (class 8, 0.0.1.0.0.255) publishes it. The daemon
 * resolves the configured zone (meter/local-time.c); the core only encodes.
 */
struct pm_cosem_meter_clock {
	int64_t utc_s;	      /* the meter's clock now: the one its billing runs on */
	int32_t offset_s;     /* the zone's offset east of UTC now (tm_gmtoff: London BST 3600) */
	int32_t std_offset_s; /* its offset outside daylight saving (Clock time_zone) */
	bool dst;	      /* daylight saving is in force now */
	/* The zone changes to and from daylight saving this (local) year: then dst_begin_utc and
	 * dst_end_utc are the instants of the two changes and dst_deviation_min the minutes
	 * added (60). false: no daylight saving (UTC, Africa/Johannesburg). */
	bool dst_enabled;
	int64_t dst_begin_utc, dst_end_utc;
	int8_t dst_deviation_min;
	/* Clock status bits the meter knows of (enum pm_cosem_clock_status: invalid, doubtful);
	 * the Clock object adds the daylight-saving bit itself. */
	uint8_t status;
	/* Clock attribute 9 clock_base (IEC 62056-6-2: 0 not defined, 1 internal crystal, 2 mains
	 * 50 Hz, 3 mains 60 Hz, 4 GPS, 5 radio controlled). */
	uint8_t clock_base;
};

/* The meter's operating status (Data 0.0.96.5.0.255, a bit field: double-long-unsigned). */
enum pm_cosem_meter_status_bit {
	PM_COSEM_STATUS_NO_SNAPSHOT = 1u << 0,	   /* no scan yet: no values */
	PM_COSEM_STATUS_SOURCE_LOST = 1u << 1,	   /* the measuring device is not connected */
	PM_COSEM_STATUS_STORE_FAILING = 1u << 2,   /* no store, or its last operation failed */
	PM_COSEM_STATUS_NO_REGISTERS = 1u << 3,	   /* energy registers not published */
	PM_COSEM_STATUS_ACCOUNT_UNKNOWN = 1u << 4, /* the account could not be read */
	PM_COSEM_STATUS_CLOCK_ADJUSTED = 1u << 5,  /* a DLMS client moved the meter's clock */
};

/* Token gateway (class 115) token_status status_code (IEC 62056-6-2; Gurux's
 * TokenStatusCode). */
enum pm_cosem_token_status {
	PM_COSEM_TOKEN_FORMAT_OK = 0,
	PM_COSEM_TOKEN_AUTHENTICATION_OK = 1,
	PM_COSEM_TOKEN_VALIDATION_OK = 2,
	PM_COSEM_TOKEN_EXECUTION_OK = 3,
	PM_COSEM_TOKEN_FORMAT_FAILURE = 4,
	PM_COSEM_TOKEN_AUTHENTICATION_FAILURE = 5,
	PM_COSEM_TOKEN_VALIDATION_FAILURE = 6,
	PM_COSEM_TOKEN_EXECUTION_FAILURE = 7,
	PM_COSEM_TOKEN_RECEIVED = 8,
};

/* The longest token the gateway takes: an STS token is 20 digits; a keypad-typed token of a
 * few more (spaces, dashes) still fits. */
#define PM_COSEM_TOKEN_MAX 64

/* The last token entered through the token gateway, as its attributes 2 to 6 publish it. */
struct pm_cosem_token_entry {
	char token[PM_COSEM_TOKEN_MAX + 1]; /* the octets the head-end sent */
	int64_t utc_s;			    /* when it was entered (the meter's clock) */
	uint8_t status;			    /* enum pm_cosem_token_status */
	/* what it did ("credit", "management", ...) or why it was refused ("used", "locked",
	 * ...): token_description's one element */
	char description[24];
};

/* Security setup key_id (IEC 62056-6-2 class 64, global_key_transfer's key_data). */
enum pm_cosem_key_id {
	PM_COSEM_KEY_GLOBAL_UNICAST = 0, /* the global unicast encryption key */
	PM_COSEM_KEY_GLOBAL_BROADCAST = 1,
	PM_COSEM_KEY_AUTHENTICATION = 2,
	PM_COSEM_KEY_MASTER = 3, /* the key-encrypting key (KEK) the others come wrapped in */
};

/* One key of a global_key_transfer: its id and the key wrapped with the master key (RFC 3394:
 * 16 octets of key, 24 wrapped). */
#define PM_COSEM_WRAPPED_KEY_LEN 24
struct pm_cosem_wrapped_key {
	enum pm_cosem_key_id id;
	uint8_t wrapped[PM_COSEM_WRAPPED_KEY_LEN];
};

struct pm_cosem_meter {
	/* The meter's snapshot (model.h); NULL before the first scan: every value object then
	 * answers object-unavailable. */
	const struct pm_snapshot *snap;

	/* Identification: NUL-terminated text, NULL or "" when unknown. */
	const char *serial;		 /* Data 0.0.96.1.0.255 */
	const char *manufacturer;	 /* Data 0.0.96.1.1.255 */
	const char *firmware;		 /* Data 1.0.0.2.0.255 */
	const char *logical_device_name; /* Data 0.0.42.0.0.255, at most 16 octets */
	uint32_t status;		 /* enum pm_cosem_meter_status_bit */

	struct pm_cosem_meter_clock clock;
	/* The profile's capture period, s (Clock method adjust_to_measuring_period); 0: none. */
	int64_t measuring_period_s;

	/* Maximum demand of +A and -A (core/metrology/demand.h, meter/meter.h): [0] the current
	 * month, [1] the previous one, [2] the one before. */
	struct pm_demand_peak demand_import[PM_DEMAND_MONTHS];
	struct pm_demand_peak demand_export[PM_DEMAND_MONTHS];

	/*
	 * What the objects ask the meter to do. Each returns PM_DLMS_SUCCESS once done (and
	 * durable, as the account's commands are), or the result the client gets; nothing
	 * changed unless it succeeded. A NULL callback: the action is refused
	 * (temporary-failure). @data is passed back.
	 */
	void *data;
	/* Sets the meter's clock to @utc_s (Clock attribute 2 SET, or one of its adjust methods,
	 * @how names which for the meter's event: "set", "adjust_to_quarter", ...). */
	enum pm_dlms_result (*set_clock)(void *data, int64_t utc_s, const char *how);
	/* Disconnect control (class 70): the account's remote disconnect; a remote reconnect,
	 * @armed: the supply waits for the customer's confirmation (ready_for_reconnection). */
	enum pm_dlms_result (*remote_disconnect)(void *data);
	enum pm_dlms_result (*remote_reconnect)(void *data, bool armed);
	/* SET of a setting of the object model (pm_quantities[@quantity], whose .setting names
	 * its field of struct account_config) to @value (an integer, a bool 0/1, an enum code). */
	enum pm_dlms_result (*set_setting)(void *data, size_t quantity, int64_t value);
	/*
	 * Token gateway (class 115, cosem-token-gateway.c). enter_token takes @token (the octets
	 * of the enter method's parameter, NUL-terminated, no NUL inside) through the account's
	 * token path, the one D-Bus EnterToken takes (the same acceptance rules, the same lockout,
	 * committed before it returns), and records the entry in token_entry whatever the outcome:
	 * SUCCESS when the token was accepted; else other-reason (the token refused),
	 * temporary-failure (entry locked, no store, the account unavailable), object-unavailable
	 * (no STS decoder key). token_entry: the gateway's last entry (kept across restarts by the
	 * view), NULL before the first.
	 */
	enum pm_dlms_result (*enter_token)(void *data, const char *token);
	const struct pm_cosem_token_entry *token_entry;

	/* ---- profiles and calendar (branch h-dlms-profiles): fields below this line ---- */

	/* Passed to the callbacks below (views/dlms/dlms-meter-profiles.c owns what it points
	 * to, so the two adapters keep their state apart). */
	void *profiles_data;

	/*
	 * The zone's offset east of UTC at @utc_s and whether daylight saving is in force then
	 * (tzdata's rules for that instant, any year: a profile row may be 240 days old). NULL:
	 * pm_cosem_clock_offset_at on the clock above (this year's rules).
	 */
	void (*local_offset)(void *data, int64_t utc_s, int32_t *offset_s, bool *dst);

	/*
	 * The stored rows of the profiles (cosem-profile.h; the daemon reads its store): how
	 * many a profile holds (entries_in_use), and the rows a query selects, oldest first,
	 * each passed to @fn until it returns nonzero. Either NULL: the buffer and
	 * entries_in_use answer temporary-failure (no store).
	 */
	enum pm_dlms_result (*profile_count)(void *data, enum pm_cosem_profile p, uint32_t *n);
	enum pm_dlms_result (*profile_rows)(void *data, enum pm_cosem_profile p,
					    const struct pm_cosem_rows_query *q, pm_cosem_row_fn fn,
					    void *ctx);
	/* How many rows each profile keeps at most (profile_entries, attribute 8). */
	uint32_t profile_capacity[PM_COSEM_PROFILES];

	/*
	 * Time of use. The active tariff and its name; NULL: no tariff (the calendar objects are
	 * then object-unavailable). The future (deferred) tariff, its name and the date it
	 * becomes active at 00:00 local; NULL: none.
	 */
	const struct tariff *tariff;
	const char *tariff_name;
	const struct tariff *future_tariff;
	const char *future_tariff_name;
	struct tariff_date future_tariff_date;
	/*
	 * The passive calendar a head-end is writing (Activity calendar attributes 6 to 9, which
	 * it sets one at a time): the daemon keeps one per meter, in memory, and the calendar
	 * object writes it. NULL: the passive attributes cannot be written.
	 */
	struct pm_tou_passive *passive;
	/*
	 * Makes @t (named @name) the future tariff from 00:00 local on @date (billing's deferred
	 * tariff: it replaces any earlier one; durable when it returns SUCCESS). @deviation_min
	 * is the date-time's deviation (cosem-time.h), PM_COSEM_DEVIATION_ANY when not given:
	 * when given, the daemon refuses (other-reason) a deviation that is not the zone's at
	 * that local midnight. Refusals: other-reason (the date is not after today, the tariff
	 * is refused), temporary-failure (no store, the account unknown).
	 */
	enum pm_dlms_result (*set_future_tariff)(void *data, const struct tariff *t,
						 const char *name, const struct tariff_date *date,
						 int16_t deviation_min);
	/* Drops the future tariff (SUCCESS also when there is none). */
	enum pm_dlms_result (*cancel_future_tariff)(void *data);

	/* ---- security setup (class 64, cosem-security-setup.c): fields below this line ---- */

	/* The meter's system title (8 octets) its HLS-GMAC associations use; NULL: the meter
	 * has no dlms_key_file (the Security setup's attributes are then object-unavailable). */
	const uint8_t *system_title;
	/*
	 * global_key_transfer by client @client_sap: the @n keys of @keys (each wrapped with that
	 * client's master key, RFC 3394) replace that client's keys of their ids (no other
	 * client's) for the associations that start from now on, all
	 * or none, committed to the store before it returns SUCCESS. Else other-reason (a wrap
	 * that does not unwrap under the master key), object-unavailable (no master key),
	 * temporary-failure (the store did not commit); nothing changed. NULL: refused
	 * (object-unavailable). @security_data is passed back.
	 */
	enum pm_dlms_result (*transfer_keys)(void *security_data, uint16_t client_sap,
					     const struct pm_cosem_wrapped_key *keys, size_t n);
	void *security_data;

	/* ---- push (branch h-push): fields below this line ---- */

	/* What the Push setup objects publish (push-setup.h); NULL: no push configured. */
	const struct pm_cosem_push_info *push;
	/* Push setup method 1 push: queues a push of @setup (enum pm_push_setup) now. NULL: the
	 * method answers temporary-failure. */
	enum pm_dlms_result (*push_now)(void *data, unsigned setup);
	void *push_data;
};

#endif
