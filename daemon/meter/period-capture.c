// SPDX-License-Identifier: GPL-2.0-only
/* One meter's daily and monthly billing captures, in its time zone, to the store. */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "core/billing/civil-time.h"
#include "meter/local-time.h"
#include "meter/period-capture.h"

_Static_assert(PM_STORE_BILLING_RATES == PM_SNAPSHOT_RATES, "a capture's rates are the snapshot's");
_Static_assert((int)PM_STORE_PROF_REGS == (int)PM_BILLING_CAP_REGS,
	       "a capture's registers are the store's");

void pm_period_capture_init(struct pm_period_capture *c, const char *meter, const char *zone,
			    struct pm_store *store)
{
	memset(c, 0, sizeof(*c));
	c->meter = meter;
	pm_local_clock_init(&c->clock, zone);
	c->store = store;
}

/* The last captures' dates into the state; a store that cannot be read is asked again. */
static void load(struct pm_period_capture *c)
{
	struct pm_store_billing daily, monthly;
	int rd = pm_store_last_billing(c->store, c->meter, PM_STORE_BILLING_DAILY, &daily);
	int rm = pm_store_last_billing(c->store, c->meter, PM_STORE_BILLING_MONTHLY, &monthly);

	if ((rd < 0 && rd != -ENOENT) || (rm < 0 && rm != -ENOENT)) {
		log_error("meter %s: reading the billing captures failed: %s", c->meter,
			  strerror(-(rd < 0 && rd != -ENOENT ? rd : rm)));
		return;
	}
	c->loaded = true;
	if (rd == -ENOENT && rm == -ENOENT)
		return; /* armed at the first scan */
	c->state.armed = true;
	/* one scheme never captured: it is due at the same midnights as the other */
	c->state.daily_day = rd == 0 ? daily.local_day : monthly.local_day;
	c->state.monthly_day = rm == 0 ? monthly.local_day : daily.local_day;
}

static void store_capture(struct pm_period_capture *c, enum pm_store_billing_scheme scheme,
			  const struct pm_billing_values *v)
{
	struct pm_store_billing row = {
	    .scheme = scheme,
	    .local_day = v->local_day,
	    .utc_ns = v->utc_ns,
	    .n_rates = v->n_rates,
	    .n_export_rates = v->n_export_rates,
	};
	struct pm_store_account_record rec;
	bool with_account = false;
	int64_t charges = 0;
	int r;

	memcpy(row.reg, v->reg, sizeof(row.reg));
	memcpy(row.rate_import, v->rate_import, sizeof(row.rate_import));
	memcpy(row.rate_export, v->rate_export, sizeof(row.rate_export));
	memcpy(row.md_valid, v->md_valid, sizeof(row.md_valid));
	memcpy(row.md_mw, v->md_mw, sizeof(row.md_mw));
	memcpy(row.md_end_ns, v->md_end_ns, sizeof(row.md_end_ns));
	/* the billing period ends with the monthly capture (§7.8) */
	if (scheme == PM_STORE_BILLING_MONTHLY && c->account.end)
		with_account = c->account.end(c->account.ctx, &rec, &charges);
	if (with_account) {
		row.has_charges = true;
		row.charges_mu = charges;
		r = pm_store_add_billing_account(c->store, c->meter, &row, &rec, v->utc_ns);
		c->account.saved(c->account.ctx, v->utc_ns, charges, r);
	} else {
		r = pm_store_add_billing(c->store, c->meter, &row);
	}
	if (r < 0) {
		c->failures++;
		log_error("meter %s: %s billing capture lost: %s", c->meter,
			  scheme == PM_STORE_BILLING_DAILY ? "daily" : "monthly", strerror(-r));
		return;
	}
	c->captures++;
}

void pm_period_capture_scan(struct pm_period_capture *c, int64_t utc_ns, const struct pm_meter *m)
{
	const struct pm_meter_status *st = pm_meter_status(m);
	struct pm_billing_values v;
	struct pm_local_time lt;
	int32_t day;
	unsigned due;

	if (!c->store || !st->restored)
		return;
	if (!c->loaded) {
		load(c);
		if (!c->loaded)
			return;
	}
	/* beyond the C library's years the UTC date is used: as good as any */
	pm_local_clock_at(&c->clock, pm_civil_floor_div(utc_ns, PM_NS_PER_S), &lt);
	day = (int32_t)lt.days;
	due = pm_billing_capture_due(&c->state, day);
	for (unsigned bit = PM_BILLING_CAPTURE_DAILY; bit <= PM_BILLING_CAPTURE_MONTHLY;
	     bit <<= 1) {
		if (!(due & bit))
			continue;
		pm_billing_values_fill(&v, utc_ns, day, bit == PM_BILLING_CAPTURE_MONTHLY,
				       pm_meter_registers(m), &pm_meter_snapshot(m)->account,
				       st->demand_import, st->demand_export);
		store_capture(c,
			      bit == PM_BILLING_CAPTURE_DAILY ? PM_STORE_BILLING_DAILY
							      : PM_STORE_BILLING_MONTHLY,
			      &v);
	}
}
