/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DLMS view's meter: fills the struct pm_cosem_meter (core/dlms/cosem-meter.h) the COSEM
 * objects read and act on, from one running meter of polymeterd, and carries out what they ask
 * (the account's commands, the meter's clock). One struct pm_dlms_meter per [meter] section,
 * owned by the manager; pm_dlms_meter_get() before each APDU the session engine handles for
 * that meter:
 *
 *     struct pm_cosem_meter cm;
 *     pm_dlms_meter_get(&mt->dlms_meter, &cm);
 *     verdict = pm_dlms_session_apdu(session, &cm, client_sap, server_sap, apdu, len, out);
 *
 * What it reads:
 *   - the snapshot: the meter's (pm_meter_snapshot), NULL before the first scan; its account
 *     part refreshed with pm_billing_snapshot at the meter's clock for each request, as the
 *     D-Bus account view does, so a disconnect done by the previous APDU reads back at once;
 *   - identification: the meter's name as serial number and logical device name
 *     ("PLM" + name, at most 16 octets: polymeter has no FLAG manufacturer id of its own, and
 *     "PLM" is our placeholder until one is registered), the manufacturer "polymeter", the
 *     firmware text the manager gives;
 *   - the clock: the meter's clock (manager.c meter_now) plus the DLMS clock offset (below), the
 *     configured zone resolved through tzdata (meter/local-time.c: offset, DST, this year's
 *     changes); clock_base 1 (internal crystal: the system clock, whatever disciplines it);
 *   - maximum demand: pm_meter_status()'s peaks; the status bits (cosem-meter.h) from the
 *     source's connection, the store, the registers and the account.
 *
 * Clock SET (Clock attribute 2, adjust_to_quarter/_measuring_period/_minute, shift_time). The
 * system clock is never set: polymeterd does not own it (NTP or the gateway's RTC does) and other
 * meters and services run on it. Instead the view keeps a clock offset for the meter: the
 * meter's clock becomes the source's clock + offset. A SET moves that offset, logs the event
 * clock_set on the meter ("-> 2026-11-23T04:36:00Z (+52 s, set)"; docs/events.md) and answers
 * success. Limits: the offset stays within +-PM_DLMS_CLOCK_MAX_OFFSET_S of the source's clock
 * (a larger step is refused: other-reason, logged) because billing, the profile and the demand
 * windows run on the meter's clock and a head-end's slip should not move them by days; it is
 * kept in memory only, so a restart brings the meter back to the source's clock. For the offset to
 * move the meter's clock for everything and not only for DLMS, manager.c adds
 * pm_dlms_meter_clock_offset_ns() to meter_now() and to the scan's UTC (pm_source_scan_utc):
 * billing and metrology already accept a clock that steps back (core/billing/account.c, metrology's
 * time_backwards).
 *
 * Disconnect control: remote_disconnect is pm_billing_disconnect, remote_reconnect
 * pm_billing_reconnect (armed as the objects ask: always, cosem-disconnect.c), at the meter's
 * clock, as D-Bus Disconnect / ArmReconnect do; a setting's SET is pm_billing_configure with the
 * field the model's row names. A refusal is logged with the account's message and answered:
 * no store / store failed / account unavailable -> temporary-failure, nothing configured ->
 * object-unavailable, anything else -> other-reason.
 */
#ifndef POLYMETER_DLMS_METER_H
#define POLYMETER_DLMS_METER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dlms/cosem-meter.h"
#include "core/model/model.h"
#include "meter/billing.h"
#include "meter/local-clock.h"
#include "meter/local-time.h"
#include "meter/meter.h"

/* How far a DLMS client may move a meter's clock from its source's. */
#define PM_DLMS_CLOCK_MAX_OFFSET_S (24 * 3600)

/*
 * What manager.c passes for a meter, once (every pointer must outlive the struct pm_dlms_meter):
 *   name       mt->conf->name
 *   time_zone  mt->conf->time_zone ("" = the system's)
 *   firmware   polymeterd's version text (NULL: unknown, the object answers object-unavailable)
 *   pipe       mt->pipe (snapshot, status with the demand peaks, the event log)
 *   billing    mt->billing (NULL: no account: the account's objects are unavailable and the
 *              commands refused)
 *   measuring_period_s  mt->conf->profile_period_min * 60
 *   now        the meter's clock WITHOUT the DLMS offset, UTC ns: the source's clock, i.e.
 *              meter_now() as it is today (pm_source_utc_now, or the simulated clock)
 *   connected  pm_source_connected(mt->source) (NULL: taken as connected)
 *   account_changed  after a command succeeded: pm_bus_account_changed(mt->bus_account) and
 *              anything else that publishes the account (NULL: none)
 *   userdata   mt, passed to the three callbacks
 */
struct pm_dlms_meter_config {
	const char *name;
	const char *time_zone;
	const char *firmware;
	struct pm_meter *pipe;
	struct pm_billing *billing;
	int64_t measuring_period_s;
	int64_t (*now)(void *userdata);
	bool (*connected)(void *userdata);
	void (*account_changed)(void *userdata);
	void *userdata;
};

struct pm_dlms_meter {
	struct pm_dlms_meter_config cfg;
	int64_t clock_offset_ns; /* added to cfg.now(): moved by a DLMS clock SET */
	struct pm_snapshot snap; /* the meter's, its account refreshed for each request */
	char ldn[17];
	/* the zone resolved for the year last asked (tzdata is read once a year per meter, and
	 * again when the offset in force changes) */
	bool have_zone;
	struct pm_local_zone zone;
	/* the offset in force and the local date, cached: every request reads the clock, and
	 * asking tzdata each time costs a tzset() (a stat of /etc/localtime) or two */
	struct pm_local_clock local;
	/* the last token entered through the token gateway (dlms-meter-token.c), kept in the
	 * store too and read back from it at the first request after a start */
	bool has_token, token_loaded;
	struct pm_cosem_token_entry token;
};

void pm_dlms_meter_init(struct pm_dlms_meter *dm, const struct pm_dlms_meter_config *cfg);

/* Fills @out for one request: everything it points to lives in @dm or the meter. */
void pm_dlms_meter_get(struct pm_dlms_meter *dm, struct pm_cosem_meter *out);

/* The offset a DLMS client has set on the meter's clock (0 until one does), for meter_now(). */
int64_t pm_dlms_meter_clock_offset_ns(const struct pm_dlms_meter *dm);

/* ---- for the view's own files ---- */

/* The meter's clock as DLMS sees it (cfg.now() plus the DLMS offset), UTC ns. */
int64_t pm_dlms_meter_now_ns(const struct pm_dlms_meter *dm);
/* An account command's refusal, logged with @what and the account's message, as the objects
 * answer it (the mapping above). */
enum pm_dlms_result pm_dlms_meter_refused(const struct pm_dlms_meter *dm, const char *what,
					  const struct pm_billing_error *e);
/*
 * The token gateway's enter (cosem-meter.h enter_token; @data is the struct pm_dlms_meter):
 * pm_billing_token_via with the channel ACCOUNT_PAYMENT_DLMS at the meter's clock, the entry
 * recorded for the gateway's attributes (dlms-meter-token.c). Entry locked answers
 * temporary-failure; the other refusals as pm_dlms_meter_refused.
 */
enum pm_dlms_result pm_dlms_meter_enter_token(void *data, const char *token);
/* The gateway's last entry from the store, once (the first request after a start): a meter
 * without a store, or whose store has none, has none. */
void pm_dlms_meter_load_token(struct pm_dlms_meter *dm);

#endif
