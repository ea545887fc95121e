/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One meter's daily and monthly billing captures (core/model/billing-capture.h), taken on the
 * meter's scans in its time zone and appended to the store (store.h, schema 6). A capture the
 * store refuses is logged and lost, as a load-profile interval is: the registers are not.
 *
 * Called by the manager after each scan was metered and billed (so the account's rate
 * registers belong to the same sample), only while the meter publishes its registers: a
 * capture is never taken of registers not restored from the checkpoint.
 *
 * At the first scan after a start the last captures are read from the store: a restart the
 * same day captures nothing, a restart after a midnight (the daemon was down over it) captures
 * at once, dated at that scan. A meter without any stored capture takes its first at the first
 * midnight it sees.
 *
 * The monthly capture ends the billing period (§7.8): with an account hook set, the charges
 * taken from the Present Balance over the period are stored in the capture and the account's
 * working value reset, the record written in the capture's transaction.
 */
#ifndef POLYMETER_PERIOD_CAPTURE_H
#define POLYMETER_PERIOD_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model/billing-capture.h"
#include "meter/local-clock.h"
#include "meter/meter.h"
#include "store/store.h"

/* The account at the billing period's end: as pm_billing_period_end() and
 * pm_billing_period_saved() (meter/billing.h), whose pm_billing is @ctx. */
struct pm_period_account {
	bool (*end)(void *ctx, struct pm_store_account_record *rec, int64_t *charges_mu);
	void (*saved)(void *ctx, int64_t utc_ns, int64_t charges_mu, int result);
	void *ctx;
};

struct pm_period_capture {
	const char *meter;	     /* its name in the store (borrowed) */
	struct pm_local_clock clock; /* the meter's zone, its offset cached */
	struct pm_store *store;	     /* NULL: no captures are kept (nor taken) */
	bool loaded;		     /* the last captures were read from the store */
	struct pm_billing_capture_state state;
	uint64_t captures;		  /* stored */
	uint64_t failures;		  /* the store refused them */
	struct pm_period_account account; /* all NULL: captures without the period's charges */
};

void pm_period_capture_init(struct pm_period_capture *c, const char *meter, const char *zone,
			    struct pm_store *store);

/* The scan at @utc_ns of @m: captures what is due. */
void pm_period_capture_scan(struct pm_period_capture *c, int64_t utc_ns, const struct pm_meter *m);

#endif
