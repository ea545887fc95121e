// SPDX-License-Identifier: GPL-2.0-only
/*
 * The meter's STS side beside its account (billing.h): the decoder key (from the configuration
 * or SetDecoderKey, never published), the STS setup (core/sts/sts-setup.h) and the import of a
 * replaced meter's TID memory. Each is validated on a copy of the state and committed before
 * it is acknowledged; docs/account.md, "STS tokens", states the rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/billing-internal.h"
#include "common/log.h"

/*
 * The decoder key of the configuration (sts_decoder_key_file) applies when it is not the one
 * it provisioned last, also to an account that exists already: a new or replaced key file
 * takes effect at the next start, once; a key changed since by key change tokens or by
 * SetDecoderKey stays while the file is unchanged. The TID memory is kept (a token used
 * before stays used).
 */
void billing_sts_start(struct pm_billing *b, int64_t utc_ns)
{
	char err[STS_ERROR_LEN];
	struct pm_store_sts next;
	struct pm_billing_error e;
	struct state *work;
	int r;

	/* read now, so that what is published of it (the supply group code) is known */
	b->sts_side_loaded = false;
	if (!b->store || billing_sts_side_load(b, &e) < 0 || !b->cfg.sts)
		return;
	if (b->sts_side.has_provisioned_dk && b->sts_side.provisioned_dk == b->cfg.sts_dk)
		return;
	work = malloc(sizeof(*work));
	if (!work)
		return;
	*work = b->st;
	r = 0;
	if (work->has_sts)
		work->sts.dk = b->cfg.sts_dk;
	else
		r = sts_meter_init(&work->sts, b->cfg.sts_dk, STS_KEN_NO_EXPIRY, STS_BASE_1993, 0);
	work->has_sts = true;
	/* the configured setup goes with the key (a base date that cannot move is logged) */
	if (r == 0 && b->cfg.has_sts_setup &&
	    sts_setup_apply(&work->sts, &b->cfg.sts_setup, err) < 0)
		log_error("meter %s: STS setup: %s", b->meter, err);
	if (r == 0)
		r = billing_save(b, work, utc_ns, NULL, 0);
	if (r == 0) {
		b->st = *work;
		next = b->sts_side;
		next.has_provisioned_dk = true;
		next.provisioned_dk = b->cfg.sts_dk;
		if (b->cfg.has_sts_setup) {
			next.has_supply_group_code = true;
			next.supply_group_code = b->cfg.sts_setup.sgc;
		}
		billing_sts_side_save(b, &next);
		b->n_queued = 0;
		billing_queue(b, utc_ns, "sts_key_set", "by=sts_decoder_key_file");
		billing_send_events(b);
	} else {
		log_error("meter %s: the decoder key of sts_decoder_key_file could not be stored: "
			  "%s; the stored key stays",
			  b->meter, strerror(-r));
	}
	explicit_bzero(work, sizeof(*work));
	free(work);
}

int pm_billing_set_sts_key(struct pm_billing *b, int64_t utc_ns, uint64_t dk,
			   struct pm_billing_error *e)
{
	struct state *work;
	int r;

	work = billing_begin(b, e, &r);
	if (!work)
		return r;
	if (!work->has_sts) {
		r = sts_meter_init(&work->sts, dk, STS_KEN_NO_EXPIRY, STS_BASE_1993, 0);
		if (r < 0) {
			free(work);
			return billing_fail(e, PM_BILLING_ERR_INVALID, r, "key: refused");
		}
		work->has_sts = true;
	} else {
		work->sts.dk = dk;
		/* a key change half staged for the old key is void */
		work->sts.kct1_staged = work->sts.kct2_staged = false;
		memset(&work->sts.kct1, 0, sizeof(work->sts.kct1));
		memset(&work->sts.kct2, 0, sizeof(work->sts.kct2));
		work->sts.kct_staged_utc = 0;
	}
	billing_queue(b, utc_ns, "sts_key_set", "by=SetDecoderKey");
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}

void pm_billing_get_sts_setup(const struct pm_billing *b, bool *has, struct sts_setup *s)
{
	const struct sts_meter *m = &b->st.sts;

	*has = b->running && b->st.has_sts;
	*s = (struct sts_setup){.sgc = b->sts_side.supply_group_code,
				.ti = m->ti,
				.krn = m->krn,
				.kt = m->kt,
				.base = m->base,
				.ken = m->ken};
}

/* The meter's STS state to change: a copy of the state, or NULL with *r and *e set. */
static struct state *begin_sts(struct pm_billing *b, struct pm_billing_error *e, int *r)
{
	struct state *work = billing_begin(b, e, r);

	if (!work)
		return NULL;
	*r = billing_sts_side_load(b, e);
	if (*r == 0 && !work->has_sts)
		*r = billing_fail(e, PM_BILLING_ERR_NOT_CONFIGURED, -ENOTSUP,
				  "meter %s has no STS decoder key yet (sts_decoder_key_file, "
				  "SetDecoderKey)",
				  b->meter);
	if (*r < 0) {
		free(work);
		return NULL;
	}
	return work;
}

int pm_billing_set_sts_setup(struct pm_billing *b, int64_t utc_ns, const struct sts_setup *s,
			     struct pm_billing_error *e)
{
	struct pm_store_sts next;
	char err[STS_ERROR_LEN];
	struct state *work;
	int r;

	work = begin_sts(b, e, &r);
	if (!work)
		return r;
	r = sts_setup_apply(&work->sts, s, err);
	if (r < 0) {
		free(work);
		return billing_fail(
		    e, r == -EPERM ? PM_BILLING_ERR_REFUSED : PM_BILLING_ERR_INVALID, r, "%s", err);
	}
	next = b->sts_side;
	next.has_supply_group_code = true;
	next.supply_group_code = s->sgc;
	r = pm_store_save_sts(b->store, b->meter, &next);
	if (r < 0) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_STORE_FAILED, r,
				    "meter %s: store: %s; nothing changed", b->meter, strerror(-r));
	}
	b->sts_side = next;
	billing_queue(b, utc_ns, "sts_setup",
		      "supply_group_code=%06lu tariff_index=%02u key_revision=%u key_type=%u "
		      "base_date=%s key_expiry=%u",
		      (unsigned long)s->sgc, s->ti, s->krn, s->kt,
		      s->base == STS_BASE_1993	 ? "1993"
		      : s->base == STS_BASE_2014 ? "2014"
						 : "2035",
		      s->ken);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_import_sts_tids(struct pm_billing *b, int64_t utc_ns, const uint32_t *tids, size_t n,
			       struct pm_billing_error *e)
{
	char err[STS_ERROR_LEN];
	struct state *work;
	int r;

	work = begin_sts(b, e, &r);
	if (!work)
		return r;
	r = sts_import_tids(&work->sts, tids, n, err);
	if (r < 0) {
		free(work);
		return billing_fail(e, PM_BILLING_ERR_INVALID, r, "%s", err);
	}
	billing_queue(b, utc_ns, "sts_tids_imported", "count=%zu window_start=%lu", n,
		      (unsigned long)sts_meter_window_start(&work->sts));
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}
