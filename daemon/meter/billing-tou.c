// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tariff's time of use as a DLMS head-end reads and replaces it (views/dlms/
 * dlms-meter-profiles.c, core/dlms/tou-calendar.h): the active and the future tariff as the
 * engine holds them, and a future tariff given as a struct tariff rather than a tariff file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/billing-internal.h"

void pm_billing_tou(const struct pm_billing *b, struct pm_billing_tou *out)
{
	const struct state *st = &b->st;

	memset(out, 0, sizeof(*out));
	if (!b->running || !st->has_tariff)
		return;
	out->has_tariff = true;
	out->active = st->te.active;
	snprintf(out->name, sizeof(out->name), "%s", st->info.name);
	if (st->te.has_deferred) {
		out->has_future = true;
		out->future = st->te.deferred;
		snprintf(out->future_name, sizeof(out->future_name), "%s", st->deferred_info.name);
		out->future_date = st->te.deferred_date;
	}
}

int pm_billing_set_future_tariff_struct(struct pm_billing *b, int64_t utc_ns,
					const struct tariff *t, const char *name,
					const struct tariff_date *date, struct pm_billing_error *e)
{
	struct tariff_error terr;
	struct state *work;
	char day[16];
	int r;

	if (billing_energy_refuse(b, "tariff", e) < 0)
		return -EPERM;
	work = billing_begin(b, e, &r);
	if (!work)
		return r;
	if (!work->has_tariff) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_NOT_CONFIGURED, -ENOTSUP,
				    "meter %s has no tariff to replace: set one (SetTariff)",
				    b->meter);
	}
	r = billing_future_date(b, work, utc_ns, date, "date", e);
	if (r >= 0 && tariff_engine_set_deferred(&work->te, t, date, &terr) < 0)
		r = billing_fail(e, PM_BILLING_ERR_TARIFF, -EINVAL, "tariff: %s", terr.message);
	if (r < 0) {
		free(work);
		return r;
	}
	/* the currency and the peak rates are the active tariff's: only the schedule changed */
	work->deferred_info = work->info;
	snprintf(work->deferred_info.name, sizeof(work->deferred_info.name), "%s",
		 name ? name : "");
	snprintf(day, sizeof(day), "%04d-%02d-%02d", date->year, date->month, date->day);
	billing_queue(b, utc_ns, "tariff_deferred", "name=%s from=%s (DLMS calendar)",
		      work->deferred_info.name, day);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}
