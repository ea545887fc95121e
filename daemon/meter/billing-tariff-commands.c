// SPDX-License-Identifier: GPL-2.0-only
/* The tariff commands: the active tariff, a future one from a date, its cancellation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "meter/billing-internal.h"
#include "core/billing/civil-time.h"

int pm_billing_set_tariff(struct pm_billing *b, int64_t utc_ns, const char *json,
			  struct pm_billing_error *e)
{
	struct pm_tariff_file_info info;
	struct tariff_time tt;
	struct account_time at;
	struct tariff_error terr;
	struct tariff *t;
	struct state *work;
	int r;

	if (billing_energy_refuse(b, "tariff", e) < 0)
		return -EPERM;
	t = malloc(sizeof(*t));
	if (!t)
		return billing_fail(e, PM_BILLING_ERR_STORE_FAILED, -ENOMEM, "out of memory");
	r = pm_tariff_file_parse_info("tariff", json ? json : "", t, &info, e ? e->message : NULL,
				      e ? sizeof(e->message) : 0);
	if (r < 0) {
		free(t);
		if (e)
			e->kind = PM_BILLING_ERR_TARIFF;
		return r;
	}
	work = billing_begin(b, e, &r);
	if (!work) {
		free(t);
		return r;
	}
	billing_local_times(b, utc_ns / 1000000000, &tt, &at);
	r = tariff_engine_set_tariff(&work->te, t, &tt, &terr);
	free(t);
	if (r < 0) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_TARIFF, r, "tariff: %s", terr.message);
	}
	int old_minor_units = work->info.minor_units;

	work->has_tariff = true;
	work->info = info;
	billing_queue(b, utc_ns, "tariff_set", "name=%s currency=%s", info.name, info.currency);
	billing_conversion_follow_currency(b, work, utc_ns, old_minor_units);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}

/* "YYYY-MM-DD" from 1970 into @d; -EINVAL (and *e naming @field) when it is no such date. */
int billing_parse_date(const char *s, const char *field, struct tariff_date *d,
		       struct pm_billing_error *e)
{
	if (pm_civil_parse_date(s, &d->year, &d->month, &d->day) == 0 && d->year >= 1970)
		return 0;
	return billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL, "%s: '%s' is not a date YYYY-MM-DD",
			    field, s ? s : "");
}

/* A date after the account's local date today (the later of the command's and the engine's). */
int billing_future_date(const struct pm_billing *b, const struct state *st, int64_t utc_ns,
			const struct tariff_date *d, const char *field, struct pm_billing_error *e)
{
	struct account_time at;
	int32_t today, day = (int32_t)pm_civil_days_from_date(d->year, d->month, d->day);

	billing_now_times(b, st, utc_ns, &at);
	today = at.local_day;
	if (st->has_tariff && st->te.day_number > today)
		today = st->te.day_number;
	if (day > today)
		return 0;
	return billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
			    "%s: %04d-%02d-%02d is not after today: give a date from tomorrow on",
			    field, d->year, d->month, d->day);
}

int pm_billing_set_future_tariff(struct pm_billing *b, int64_t utc_ns, const char *json,
				 const char *date, struct pm_billing_error *e)
{
	struct pm_tariff_file_info info;
	struct tariff_error terr;
	struct tariff_date d;
	struct tariff *t;
	struct state *work;
	int r;

	if (billing_energy_refuse(b, "tariff", e) < 0)
		return -EPERM;
	if (billing_parse_date(date, "date", &d, e) < 0)
		return -EINVAL;
	t = malloc(sizeof(*t));
	if (!t)
		return billing_fail(e, PM_BILLING_ERR_STORE_FAILED, -ENOMEM, "out of memory");
	r = pm_tariff_file_parse_info("tariff", json ? json : "", t, &info, e ? e->message : NULL,
				      e ? sizeof(e->message) : 0);
	if (r < 0) {
		free(t);
		if (e)
			e->kind = PM_BILLING_ERR_TARIFF;
		return r;
	}
	work = billing_begin(b, e, &r);
	if (!work) {
		free(t);
		return r;
	}
	if (!work->has_tariff) {
		free(t);
		free(work);
		return billing_fail(e, PM_BILLING_ERR_NOT_CONFIGURED, -ENOTSUP,
				    "meter %s has no tariff to replace: set one (SetTariff)",
				    b->meter);
	}
	r = billing_future_date(b, work, utc_ns, &d, "date", e);
	if (r >= 0 && tariff_engine_set_deferred(&work->te, t, &d, &terr) < 0)
		r = billing_fail(e, PM_BILLING_ERR_TARIFF, -EINVAL, "tariff: %s", terr.message);
	free(t);
	if (r < 0) {
		free(work);
		return r;
	}
	work->deferred_info = info;
	billing_queue(b, utc_ns, "tariff_deferred", "name=%s from=%s", info.name, date);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_cancel_future_tariff(struct pm_billing *b, int64_t utc_ns,
				    struct pm_billing_error *e)
{
	struct state *work;
	int r;

	work = billing_begin(b, e, &r);
	if (!work)
		return r;
	if (!work->te.has_deferred) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_REFUSED, -EPERM,
				    "no future tariff is pending");
	}
	tariff_engine_cancel_deferred(&work->te);
	memset(&work->deferred_info, 0, sizeof(work->deferred_info));
	billing_queue(b, utc_ns, "tariff_deferred_cancelled", "%s", "");
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}
