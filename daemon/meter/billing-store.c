// SPDX-License-Identifier: GPL-2.0-only
/*
 * The account in the store: saving the state, reading it back (record layouts and checks in
 * billing-state.h), seeding a new one, and the account that cannot be read (unavailable).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/billing-internal.h"
#include "common/log.h"

int billing_save(struct pm_billing *b, const struct state *st, int64_t utc_ns,
		 const char *reference, int64_t value_mu)
{
	int r = pm_store_save_account(b->store, b->meter, STATE_LAYOUT, st, sizeof(*st), utc_ns,
				      reference, value_mu);

	if (r >= 0)
		b->saved_ns = utc_ns;
	return r;
}

/* A new account from the configuration (and its tariff file). */
int billing_seed(struct pm_billing *b, int64_t utc_ns, char *err, size_t errlen)
{
	struct account_output out;
	struct account_time at;
	struct tariff_time tt;
	struct tariff_error terr;
	struct tariff *t;
	int r;

	memset(&b->st, 0, sizeof(b->st));
	billing_local_times(b, utc_ns / 1000000000, &tt, &at);
	r = account_init(&b->st.acc, &at, &out);
	if (r >= 0)
		r = account_configure(&b->st.acc, &at, &b->cfg.account, &out);
	if (r < 0) {
		snprintf(err, errlen, "meter %s: account: %s", b->meter, out.error);
		return r;
	}
	tariff_engine_init(&b->st.te);
	if (b->cfg.sts) {
		r = sts_meter_init(&b->st.sts, b->cfg.sts_dk, STS_KEN_NO_EXPIRY, STS_BASE_1993, 0);
		if (r < 0) {
			snprintf(err, errlen, "meter %s: STS: bad decoder key", b->meter);
			return r;
		}
		b->st.has_sts = true;
	}
	if (!b->tariff_file[0])
		return 0;
	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	r = pm_tariff_file_load(b->tariff_file, t, &b->st.info, err, errlen);
	if (r >= 0) {
		r = tariff_engine_set_tariff(&b->st.te, t, &tt, &terr);
		if (r < 0)
			snprintf(err, errlen, "%s: %s", b->tariff_file, terr.message);
	}
	free(t);
	if (r < 0)
		return r;
	b->st.has_tariff = true;
	return 0;
}

/* A record of layout 1: the same state without peak rates and the deferred tariff's info. */
static void carry_layout_1(const struct state_v1 *old, struct state *st)
{
	memset(st, 0, sizeof(*st));
	st->acc = old->acc;
	st->te = old->te;
	st->has_tariff = old->has_tariff;
	memcpy(st->info.name, old->info.name, sizeof(old->info.name));
	memcpy(st->info.currency, old->info.currency, sizeof(old->info.currency));
	st->info.minor_units = old->info.minor_units;
	st->have_baseline = old->have_baseline;
	st->billed_import_mwh = old->billed_import_mwh;
	st->billed_export_mwh = old->billed_export_mwh;
	st->has_sts = old->has_sts;
	st->sts = old->sts;
}

/*
 * Reads the stored account into b->st: 0, -ENODATA when the store holds none, else a negative
 * errno with *why saying what failed (b->st is then unchanged). The record is checked as bytes
 * (its bools) before it becomes a struct, and as values before it becomes the state.
 */
static int load_account(struct pm_billing *b, const char **why)
{
	/* one buffer for the record and one for the struct: a layout-1 record is smaller */
	unsigned char *rec = malloc(sizeof(struct state));
	struct state *st = malloc(sizeof(*st));
	uint32_t layout = STATE_LAYOUT;
	size_t len = sizeof(struct state);
	int r = -ENOMEM;

	*why = "out of memory";
	if (!rec || !st)
		goto out;
	r = pm_store_load_account(b->store, b->meter, layout, rec, len);
	if (r == -EBADMSG) {
		layout = 1;
		len = sizeof(struct state_v1);
		r = pm_store_load_account(b->store, b->meter, layout, rec, len);
		if (r == -ENODATA)
			r = -EBADMSG; /* the row went away in between: still not an absent one */
		*why = "a record of an unknown layout or size";
	} else {
		*why = strerror(-r);
	}
	if (r < 0)
		goto out;
	r = pm_billing_record_check_bools(rec, len, layout, why);
	if (r < 0)
		goto out;
	if (layout == 1) {
		struct state_v1 *old = malloc(sizeof(*old));

		r = -ENOMEM;
		if (!old)
			goto out;
		memcpy(old, rec, sizeof(*old));
		carry_layout_1(old, st);
		free(old);
	} else {
		memcpy(st, rec, sizeof(*st));
	}
	r = pm_billing_state_check(st, why);
	if (r < 0)
		goto out;
	b->st = *st;
	if (layout == 1)
		log_info("meter %s: account record of layout 1 read; saved as layout %d", b->meter,
			 STATE_LAYOUT);
out:
	free(rec);
	free(st);
	return r;
}

/* The account is unknown: nothing of it is kept or published until it is read. */
void billing_set_unavailable(struct pm_billing *b, int64_t utc_ns, const char *why)
{
	b->running = false;
	b->unavailable = true;
	b->unavailable_ns = utc_ns;
	b->retry_ns = utc_ns;
	memset(&b->st, 0, sizeof(b->st));
	snprintf(b->unavailable_why, sizeof(b->unavailable_why), "%s", why);
}

/*
 * Reads the stored account, or seeds and saves a new one when the store holds none. 0: running;
 * -EAGAIN: unknown (set_unavailable, *err says why); another negative errno: the seed failed
 * (a bad tariff file or configuration; *err says why).
 */
int billing_start_account(struct pm_billing *b, int64_t utc_ns, char *err, size_t errlen)
{
	const char *why = NULL;
	char reason[200];
	int r = load_account(b, &why);

	if (r == 0) {
		b->running = true;
		b->unavailable = false;
		b->saved_ns = utc_ns;
		return 0;
	}
	if (r == -ENODATA) {
		r = billing_seed(b, utc_ns, err, errlen);
		if (r < 0)
			return r;
		r = billing_save(b, &b->st, utc_ns, NULL, 0);
		if (r == 0) {
			b->running = true;
			b->unavailable = false;
			return 0;
		}
		why = strerror(-r);
		snprintf(reason, sizeof(reason), "saving the new account: %s", why);
	} else {
		snprintf(reason, sizeof(reason), "reading the stored account: %s", why);
	}
	billing_set_unavailable(b, utc_ns, reason);
	snprintf(
	    err, errlen,
	    "meter %s: account unavailable (%s): billing stopped, no account values published, "
	    "commands refused, supply lines left as they are; read again every save interval",
	    b->meter, reason);
	return -EAGAIN;
}

/* At most once a save interval while the account is unknown and the store is open. */
void billing_retry_account(struct pm_billing *b, int64_t utc_ns)
{
	char err[400];

	if (!b->unavailable || !b->store || utc_ns - b->retry_ns < b->cfg.save_interval_ns)
		return;
	b->retry_ns = utc_ns;
	if (billing_start_account(b, utc_ns, err, sizeof(err)) != 0)
		return; /* still unknown (or the seed failed): the next interval tries again */
	log_notice("meter %s: the account is read again; billing runs", b->meter);
	b->n_queued = 0;
	billing_queue(b, utc_ns, "account_available", "%s", "");
	billing_send_events(b);
	b->supply_reported = false;
	billing_report_supply(b);
}
