// SPDX-License-Identifier: GPL-2.0-only
/* The DLMS view's profiles and time of use (see dlms-meter-profiles.h). */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "core/billing/civil-time.h"
#include "core/dlms/cosem-event-codes.h"
#include "core/dlms/cosem-time.h"
#include "meter/local-time.h"
#include "views/dlms/dlms-meter-profiles.h"

#define NS_PER_S INT64_C(1000000000)

void pm_dlms_meter_profiles_init(struct pm_dlms_meter_profiles *p,
				 const struct pm_dlms_meter_profiles_config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
}

static struct pm_store *store_of(const struct pm_dlms_meter_profiles *p)
{
	return p->cfg.pipe ? pm_meter_store(p->cfg.pipe) : NULL;
}

static enum pm_dlms_result store_result(const struct pm_dlms_meter_profiles *p, int r)
{
	if (r >= 0)
		return PM_DLMS_SUCCESS; /* > 0: a visitor stopped the read */
	log_warning("meter %s: DLMS profile read failed: %s", p->cfg.name, strerror(-r));
	return PM_DLMS_TEMPORARY_FAILURE;
}

/* Seconds to the store's ns, saturated. */
static int64_t to_ns(int64_t s, int64_t extra_ns)
{
	if (s >= INT64_MAX / NS_PER_S)
		return INT64_MAX;
	if (s <= INT64_MIN / NS_PER_S + 1)
		return INT64_MIN;
	return s * NS_PER_S + extra_ns;
}

/* A query as the store's range: by time, the whole seconds from..to; by entry, skip and limit. */
static struct pm_store_range store_range(const struct pm_cosem_rows_query *q)
{
	if (q->by_entry)
		return (struct pm_store_range){INT64_MIN, INT64_MAX, q->first, q->count};
	return (struct pm_store_range){to_ns(q->from_utc_s, 0), to_ns(q->to_utc_s, NS_PER_S - 1), 0,
				       0};
}

struct visit {
	pm_cosem_row_fn fn;
	void *ctx;
	enum pm_cosem_profile log;    /* event logs: the one read */
	uint64_t index, first, count; /* event logs: entries of that log seen, the window */
	bool by_entry;
};

static int visit_interval(void *ctx, const struct pm_store_profile *e)
{
	struct visit *v = ctx;
	struct pm_cosem_profile_row row = {
	    .utc_s = pm_civil_floor_div(e->end_ns, NS_PER_S),
	    .status = e->status,
	};

	for (int k = 0; k < PM_STORE_PROF_REGS && k < 4; k++)
		row.reg[k] = e->reg[k];
	return v->fn(v->ctx, &row);
}

static int visit_capture(void *ctx, const struct pm_store_billing *b)
{
	struct visit *v = ctx;
	struct pm_cosem_profile_row row = {
	    .utc_s = pm_civil_floor_div(b->utc_ns, NS_PER_S),
	    .n_rates = b->n_rates,
	    .n_export_rates = b->n_export_rates,
	};

	for (int k = 0; k < PM_STORE_PROF_REGS && k < 4; k++)
		row.reg[k] = b->reg[k];
	memcpy(row.rate_import, b->rate_import, sizeof(row.rate_import));
	memcpy(row.rate_export, b->rate_export, sizeof(row.rate_export));
	for (int d = 0; d < 2; d++) {
		row.md_valid[d] = b->md_valid[d];
		row.md_mw[d] = b->md_mw[d];
		row.md_end_s[d] = pm_civil_floor_div(b->md_end_ns[d], NS_PER_S);
	}
	return v->fn(v->ctx, &row);
}

/* One event of the store: passed on when it belongs to the log read (and its entry window). */
static int visit_event(void *ctx, const struct pm_store_event *ev)
{
	struct visit *v = ctx;
	struct pm_cosem_profile_row row = {.utc_s = pm_civil_floor_div(ev->utc_ns, NS_PER_S)};
	enum pm_cosem_profile log;
	uint64_t k;

	pm_cosem_event_classify(ev->kind, ev->detail, &log, &row.event_code);
	if (log != v->log)
		return 0;
	k = v->index++;
	if (v->by_entry && (k < v->first || (v->count && k - v->first >= v->count)))
		return 0;
	return v->fn ? v->fn(v->ctx, &row) : 0;
}

static enum pm_store_billing_scheme scheme_of(enum pm_cosem_profile p)
{
	return p == PM_COSEM_DAILY_BILLING ? PM_STORE_BILLING_DAILY : PM_STORE_BILLING_MONTHLY;
}

static enum pm_dlms_result profile_rows(void *data, enum pm_cosem_profile p,
					const struct pm_cosem_rows_query *q, pm_cosem_row_fn fn,
					void *ctx)
{
	struct pm_dlms_meter_profiles *mp = data;
	struct pm_store *store = store_of(mp);
	struct pm_store_range range = store_range(q);
	struct visit v = {.fn = fn, .ctx = ctx, .log = p};

	if (!store)
		return PM_DLMS_TEMPORARY_FAILURE;
	switch (p) {
	case PM_COSEM_LOAD_PROFILE:
		return store_result(
		    mp, pm_store_profile_each(store, mp->cfg.name, &range, visit_interval, &v));
	case PM_COSEM_DAILY_BILLING:
	case PM_COSEM_MONTHLY_BILLING:
		return store_result(mp, pm_store_billing_each(store, mp->cfg.name, scheme_of(p),
							      &range, visit_capture, &v));
	default:
		/* an event log is a share of the one event table: its entries are counted here */
		v.by_entry = q->by_entry;
		v.first = q->first;
		v.count = q->count;
		range.skip = range.limit = 0;
		return store_result(
		    mp, pm_store_events_each(store, mp->cfg.name, &range, visit_event, &v));
	}
}

static enum pm_dlms_result profile_count(void *data, enum pm_cosem_profile p, uint32_t *n)
{
	struct pm_dlms_meter_profiles *mp = data;
	struct pm_store *store = store_of(mp);
	struct pm_store_range all = {INT64_MIN, INT64_MAX, 0, 0};
	struct visit v = {.log = p};
	uint64_t count = 0;
	int r;

	if (!store)
		return PM_DLMS_TEMPORARY_FAILURE;
	switch (p) {
	case PM_COSEM_LOAD_PROFILE:
		r = pm_store_profile_count(store, mp->cfg.name, INT64_MIN, INT64_MAX, &count);
		break;
	case PM_COSEM_DAILY_BILLING:
	case PM_COSEM_MONTHLY_BILLING:
		r = pm_store_billing_count(store, mp->cfg.name, scheme_of(p), INT64_MIN, INT64_MAX,
					   &count);
		break;
	default:
		r = pm_store_events_each(store, mp->cfg.name, &all, visit_event, &v);
		count = v.index;
		break;
	}
	*n = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	return store_result(mp, r);
}

static void local_offset(void *data, int64_t utc_s, int32_t *offset_s, bool *dst)
{
	struct pm_dlms_meter_profiles *mp = data;

	if (pm_local_time_offset(mp->cfg.time_zone, utc_s, offset_s, dst) < 0) {
		*offset_s = 0; /* beyond the C library's years: UTC */
		*dst = false;
	}
}

/* ---- the future tariff ---- */

static enum pm_dlms_result billing_result(const struct pm_dlms_meter_profiles *mp, const char *what,
					  const struct pm_billing_error *e)
{
	log_warning("meter %s: DLMS %s refused: %s", mp->cfg.name, what, e->message);
	switch (e->kind) {
	case PM_BILLING_ERR_NO_STORE:
	case PM_BILLING_ERR_STORE_FAILED:
	case PM_BILLING_ERR_ACCOUNT_UNAVAILABLE:
		return PM_DLMS_TEMPORARY_FAILURE;
	default:
		return PM_DLMS_OTHER_REASON;
	}
}

/* The zone's offset at 00:00 local on @d. */
static int32_t offset_at_midnight(struct pm_dlms_meter_profiles *mp, const struct tariff_date *d)
{
	int64_t local = pm_civil_days_from_date(d->year, d->month, d->day) * PM_S_PER_DAY;
	int32_t off = 0;
	bool dst;

	local_offset(mp, local, &off, &dst);
	local_offset(mp, local - off, &off, &dst);
	return off;
}

static enum pm_dlms_result set_future_tariff(void *data, const struct tariff *t, const char *name,
					     const struct tariff_date *date, int16_t deviation_min)
{
	struct pm_dlms_meter_profiles *mp = data;
	struct pm_billing_error e = {0};
	int r;

	if (!mp->cfg.billing)
		return PM_DLMS_TEMPORARY_FAILURE;
	if (deviation_min != PM_COSEM_DEVIATION_ANY &&
	    -deviation_min * 60 != offset_at_midnight(mp, date)) {
		log_warning("meter %s: DLMS calendar activation refused: deviation %d min is not "
			    "the zone's at 00:00 on %04d-%02d-%02d",
			    mp->cfg.name, deviation_min, date->year, date->month, date->day);
		return PM_DLMS_OTHER_REASON;
	}
	r = pm_billing_set_future_tariff_struct(mp->cfg.billing, mp->now_s * NS_PER_S, t, name,
						date, &e);
	if (r < 0)
		return billing_result(mp, "calendar activation", &e);
	log_info("meter %s: DLMS calendar '%s' is the future tariff from %04d-%02d-%02d",
		 mp->cfg.name, name, date->year, date->month, date->day);
	if (mp->cfg.account_changed)
		mp->cfg.account_changed(mp->cfg.userdata);
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result cancel_future_tariff(void *data)
{
	struct pm_dlms_meter_profiles *mp = data;
	struct pm_billing_error e = {0};
	int r;

	if (!mp->cfg.billing)
		return PM_DLMS_TEMPORARY_FAILURE;
	r = pm_billing_cancel_future_tariff(mp->cfg.billing, mp->now_s * NS_PER_S, &e);
	if (r < 0 && e.kind == PM_BILLING_ERR_REFUSED)
		return PM_DLMS_SUCCESS; /* none pending: what was asked holds */
	if (r < 0)
		return billing_result(mp, "future tariff cancellation", &e);
	log_info("meter %s: DLMS cancelled the future tariff", mp->cfg.name);
	if (mp->cfg.account_changed)
		mp->cfg.account_changed(mp->cfg.userdata);
	return PM_DLMS_SUCCESS;
}

void pm_dlms_meter_profiles_get(struct pm_dlms_meter_profiles *p, struct pm_cosem_meter *out)
{
	const int64_t period = p->cfg.profile_period_s > 0 ? p->cfg.profile_period_s : 900;
	const int64_t lp_capacity = PM_STORE_PROFILE_KEEP_NS / NS_PER_S / period;

	p->now_s = out->clock.utc_s;
	out->profiles_data = p;
	out->local_offset = local_offset;
	if (store_of(p)) {
		out->profile_count = profile_count;
		out->profile_rows = profile_rows;
	}
	out->profile_capacity[PM_COSEM_LOAD_PROFILE] = (uint32_t)lp_capacity;
	out->profile_capacity[PM_COSEM_DAILY_BILLING] = PM_STORE_DAILY_KEPT;
	out->profile_capacity[PM_COSEM_MONTHLY_BILLING] = PM_STORE_MONTHLY_KEPT;
	/* the event logs share the event table: each may hold all of it */
	for (int e = PM_COSEM_STANDARD_EVENTS; e < PM_COSEM_PROFILES; e++)
		out->profile_capacity[e] = PM_STORE_EVENTS_KEPT;

	if (p->cfg.billing)
		pm_billing_tou(p->cfg.billing, &p->tou);
	else
		memset(&p->tou, 0, sizeof(p->tou));
	if (p->tou.has_tariff) {
		out->tariff = &p->tou.active;
		out->tariff_name = p->tou.name;
	}
	if (p->tou.has_future) {
		out->future_tariff = &p->tou.future;
		out->future_tariff_name = p->tou.future_name;
		out->future_tariff_date = p->tou.future_date;
	}
	out->passive = &p->passive;
	out->set_future_tariff = set_future_tariff;
	out->cancel_future_tariff = cancel_future_tariff;
}
