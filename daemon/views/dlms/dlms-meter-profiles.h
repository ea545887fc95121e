/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DLMS view's profiles and time of use: fills the profiles' and calendar's block of struct
 * pm_cosem_meter (core/dlms/cosem-meter.h) from one running meter, after pm_dlms_meter_get()
 * (dlms-meter.h) filled the rest:
 *
 *     struct pm_cosem_meter cm;
 *     pm_dlms_meter_get(&mt->dlms_meter, &cm);
 *     pm_dlms_meter_profiles_get(&mt->dlms_profiles, &cm);
 *
 * What it reads:
 *   - the rows of the profiles from the meter's store, streamed (store.h's *_each): the load
 *     profile's intervals (pm_store_profile_each), the daily and monthly billing captures
 *     (pm_store_billing_each, meter/period-capture.c takes them), the event log
 *     (pm_store_events_each) sorted into the four event logs by core/dlms/cosem-event-codes.c;
 *     a meter without a store answers temporary-failure;
 *   - the local offset of any instant in the meter's zone (meter/local-time.c), so a row 240 days
 *     old is stamped with the offset then;
 *   - the active and future tariffs (pm_billing_tou, copied per request).
 *
 * What it does: a passive calendar activated by a head-end becomes billing's future tariff
 * (pm_billing_set_future_tariff_struct), at the request's clock; a date-time deviation given
 * with the activation time must be the zone's at that local midnight (else other-reason).
 * Cancelling is pm_billing_cancel_future_tariff (none pending is success). The passive calendar
 * a head-end writes is kept here, in memory: a restart drops what was written but not
 * activated (an activated one is billing's future tariff, in the store).
 */
#ifndef POLYMETER_DLMS_METER_PROFILES_H
#define POLYMETER_DLMS_METER_PROFILES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dlms/cosem-meter.h"
#include "meter/billing.h"
#include "meter/meter.h"

/*
 * name, time_zone: the meter's (mt->conf); pipe: mt->pipe (its store, pm_meter_store: NULL runs
 * without one); billing: mt->billing (NULL: no account, no tariff); profile_period_s: the load
 * profile's period (mt->conf->profile_period_min * 60); account_changed, userdata: as in
 * struct pm_dlms_meter_config, after a future tariff was set or cancelled.
 */
struct pm_dlms_meter_profiles_config {
	const char *name;
	const char *time_zone;
	struct pm_meter *pipe;
	struct pm_billing *billing;
	int64_t profile_period_s;
	void (*account_changed)(void *userdata);
	void *userdata;
};

struct pm_dlms_meter_profiles {
	struct pm_dlms_meter_profiles_config cfg;
	int64_t now_s;		       /* the request's clock (pm_cosem_meter.clock.utc_s) */
	struct pm_billing_tou tou;     /* the tariffs, for the request */
	struct pm_tou_passive passive; /* what a head-end has written */
};

void pm_dlms_meter_profiles_init(struct pm_dlms_meter_profiles *p,
				 const struct pm_dlms_meter_profiles_config *cfg);

/* Fills the profiles' and calendar's fields of @out (already filled by pm_dlms_meter_get). */
void pm_dlms_meter_profiles_get(struct pm_dlms_meter_profiles *p, struct pm_cosem_meter *out);

#endif
