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

/* @st's bytes are those last written: writing them again would change nothing. */
static bool unchanged(const struct pm_billing *b, const struct state *st)
{
	return b->have_written && !memcmp(b->written, st, sizeof(*st));
}

static void written(struct pm_billing *b, const struct state *st, int64_t utc_ns)
{
	if (b->written != st)
		memcpy(b->written, st, sizeof(*st));
	b->have_written = true;
	b->saved_ns = utc_ns;
}

int billing_save(struct pm_billing *b, const struct state *st, int64_t utc_ns,
		 const char *reference, int64_t value_mu)
{
	int r;

	/* a top-up's reference is recorded even when the state is as before */
	if (!reference && unchanged(b, st)) {
		b->saved_ns = utc_ns;
		return 0;
	}
	r = pm_store_save_account(b->store, b->meter, STATE_LAYOUT, st, sizeof(*st), utc_ns,
				  reference, value_mu);
	if (r >= 0)
		written(b, st, utc_ns);
	return r;
}

bool pm_billing_checkpoint_record(struct pm_billing *b, int64_t utc_ns,
				  struct pm_store_account_record *rec)
{
	if (!b || !b->running || !b->store || utc_ns - b->saved_ns < PM_BILLING_MIN_SAVE_NS ||
	    unchanged(b, &b->st))
		return false;
	/* the state itself: the meter writes it at once, before anything can change it */
	rec->layout = STATE_LAYOUT;
	rec->state = &b->st;
	rec->len = sizeof(b->st);
	return true;
}

void pm_billing_checkpoint_saved(struct pm_billing *b, int64_t utc_ns, int result)
{
	if (!b)
		return;
	if (result >= 0)
		written(b, &b->st, utc_ns);
	if (result < 0 && !b->save_failing)
		log_error("meter %s: saving the account with the checkpoint failed: %s; retried",
			  b->meter, strerror(-result));
	else if (result >= 0 && b->save_failing)
		log_info("meter %s: the account is saved again", b->meter);
	b->save_failing = result < 0;
}

bool pm_billing_period_end(struct pm_billing *b, struct pm_store_account_record *rec,
			   int64_t *charges_mu)
{
	if (!b || !b->running || !b->store)
		return false;
	*charges_mu = account_end_charges_period(&b->st.acc);
	rec->layout = STATE_LAYOUT;
	rec->state = &b->st;
	rec->len = sizeof(b->st);
	return true;
}

void pm_billing_period_saved(struct pm_billing *b, int64_t utc_ns, int64_t charges_mu, int result)
{
	if (!b)
		return;
	if (result > 0) {
		written(b, &b->st, utc_ns);
		return;
	}
	/* neither the amount nor the reset was stored: the record holds the working value, and
	 * so does the account again */
	b->st.acc.charges_period_mu = charges_mu;
	if (result < 0)
		log_error("meter %s: the billing period's charges were not stored: %s; kept for "
			  "the next period's end",
			  b->meter, strerror(-result));
}

/* The tariff file into b->st (engine, info): its currency is that of the amounts. */
static int seed_tariff(struct pm_billing *b, const struct tariff_time *tt, char *err, size_t errlen)
{
	struct tariff_error terr;
	struct tariff *t;
	int r;

	if (b->cfg.energy_account)
		return billing_seed_energy(b, tt, err, errlen);
	if (!b->tariff_file[0])
		return 0;
	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	r = pm_tariff_file_load(b->tariff_file, t, &b->st.info, err, errlen);
	if (r >= 0) {
		r = tariff_engine_set_tariff(&b->st.te, t, tt, &terr);
		if (r < 0)
			snprintf(err, errlen, "%s: %s", b->tariff_file, terr.message);
	}
	free(t);
	if (r < 0)
		return r;
	b->st.has_tariff = true;
	return 0;
}

/* A new account from the configuration (and its tariff file). */
int billing_seed(struct pm_billing *b, int64_t utc_ns, char *err, size_t errlen)
{
	struct pm_billing_error e;
	struct account_output out;
	struct account_time at;
	struct tariff_time tt;
	int r;

	memset(&b->st, 0, sizeof(b->st));
	billing_local_times(b, utc_ns / 1000000000, &tt, &at);
	tariff_engine_init(&b->st.te);
	r = seed_tariff(b, &tt, err, errlen);
	if (r < 0)
		return r;
	/* the configured amounts in the tariff's currency: whole minor units */
	if (account_config_validate(&b->cfg.account, NULL) == 0 &&
	    billing_whole_minor_config(&b->st, &b->cfg.account, &e) < 0) {
		snprintf(err, errlen, "meter %s: %s", b->meter, e.message);
		return -EINVAL;
	}
	r = account_init(&b->st.acc, &at, &out);
	if (r >= 0)
		r = account_configure(&b->st.acc, &at, &b->cfg.account, &out);
	if (r < 0) {
		snprintf(err, errlen, "meter %s: account: %s", b->meter, out.error);
		return r;
	}
	if (b->cfg.sts) {
		r = sts_meter_init(&b->st.sts, b->cfg.sts_dk, STS_KEN_NO_EXPIRY, STS_BASE_1993, 0);
		if (r < 0) {
			snprintf(err, errlen, "meter %s: STS: bad decoder key", b->meter);
			return r;
		}
		b->st.has_sts = true;
	}
	return 0;
}

/* The account of layouts 1 to 6 into @acc (zeroed by the caller): its prefix, §7.8's working
 * value 0. Those records were written before it was kept: their period's charges before the
 * upgrade are not known, and a made-up amount would reconcile wrongly. */
static void carry_account_v6(const struct account_v6 *old, struct account *acc)
{
	memcpy(acc, old->bytes, sizeof(old->bytes));
	acc->charges_period_mu = 0;
}

/* A tariff of layouts 1 to 4: the same, with one de-minimis for the levy and VAT rate 2. */
static void carry_tariff_v4(const struct tariff_v4 *old, struct tariff *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t, old->before_levy, sizeof(old->before_levy));
	t->levy.levy_mu_per_kwh = old->levy.levy_mu_per_kwh;
	t->levy.de_minimis_mwh_per_day = old->levy.de_minimis_mwh_per_day;
	t->levy.reduced_tax_bp = old->levy.reduced_tax_bp;
	t->levy.rule = old->levy.rule;
	t->levy.reserved = old->levy.reserved;
	t->levy.standard_tax_bp = old->levy.standard_tax_bp;
	/* the one de-minimis served both (§7.8's two values coincided): the same charges */
	t->levy.vat2_de_minimis_mwh_per_day = old->levy.de_minimis_mwh_per_day;
}

/* The engine of layouts 1 to 4 (billing-state.h), its bools checked already. */
static void carry_engine_v4(const struct tariff_engine_v4 *old, struct tariff_engine *te)
{
	memset(te, 0, sizeof(*te));
	te->has_tariff = old->has_tariff;
	carry_tariff_v4(&old->active, &te->active);
	te->has_deferred = old->has_deferred;
	carry_tariff_v4(&old->deferred, &te->deferred);
	memcpy(&te->deferred_date, old->rest, sizeof(old->rest));
}

/*
 * The fields every older layout kept with today's type and meaning, copied from @old (any
 * struct state_vN) into @st: a macro, since each layout is a struct of its own.
 */
#define CARRY_KEPT_FIELDS(old, st)                                                                 \
	do {                                                                                       \
		(st)->have_baseline = (old)->have_baseline;                                        \
		(st)->billed_import_mwh = (old)->billed_import_mwh;                                \
		(st)->billed_export_mwh = (old)->billed_export_mwh;                                \
		(st)->has_sts = (old)->has_sts;                                                    \
		(st)->sts = (old)->sts;                                                            \
	} while (0)

/* A record of layout 1: the same state without peak rates and the deferred tariff's info. */
static void carry_layout_1(const struct state_v1 *old, struct state *st)
{
	memset(st, 0, sizeof(*st));
	carry_account_v6(&old->acc, &st->acc);
	carry_engine_v4(&old->te, &st->te);
	st->has_tariff = old->has_tariff;
	memcpy(st->info.name, old->info.name, sizeof(old->info.name));
	memcpy(st->info.currency, old->info.currency, sizeof(old->info.currency));
	st->info.minor_units = old->info.minor_units;
	CARRY_KEPT_FIELDS(old, st);
}

static void carry_info_v3(const struct tariff_file_info_v3 *old, struct pm_tariff_file_info *info)
{
	memcpy(info->name, old->name, sizeof(old->name));
	memcpy(info->currency, old->currency, sizeof(old->currency));
	info->minor_units = old->minor_units;
	info->peak_rates = old->peak_rates;
}

/* A record of layout 2 or 3: the same state without the rates' names. */
static void carry_layout_3(const struct state_v3 *old, struct state *st)
{
	memset(st, 0, sizeof(*st));
	carry_account_v6(&old->acc, &st->acc);
	carry_engine_v4(&old->te, &st->te);
	st->has_tariff = old->has_tariff;
	carry_info_v3(&old->info, &st->info);
	CARRY_KEPT_FIELDS(old, st);
	carry_info_v3(&old->deferred_info, &st->deferred_info);
}

/* A record of layout 4: the same state with the engine of layouts 1 to 4. */
static void carry_layout_4(const struct state_v4 *old, struct state *st)
{
	memset(st, 0, sizeof(*st));
	carry_account_v6(&old->acc, &st->acc);
	carry_engine_v4(&old->te, &st->te);
	st->has_tariff = old->has_tariff;
	st->info = old->info;
	CARRY_KEPT_FIELDS(old, st);
	st->deferred_info = old->deferred_info;
}

/* A record of layout 5: the same state without a conversion's target currency (it kept the
 * account's currency, with the engine's factor: all zero, billing-state.h). */
static void carry_layout_5(const struct state_v5 *old, struct state *st)
{
	memset(st, 0, sizeof(*st));
	carry_account_v6(&old->acc, &st->acc);
	st->te = old->te;
	st->has_tariff = old->has_tariff;
	st->info = old->info;
	CARRY_KEPT_FIELDS(old, st);
	st->deferred_info = old->deferred_info;
}

/* A record of layout 6: the same state with the account of layouts 1 to 6. */
static void carry_layout_6(const struct state_v6 *old, struct state *st)
{
	memset(st, 0, sizeof(*st));
	carry_account_v6(&old->acc, &st->acc);
	st->te = old->te;
	st->has_tariff = old->has_tariff;
	st->info = old->info;
	CARRY_KEPT_FIELDS(old, st);
	st->deferred_info = old->deferred_info;
	st->conversion_to = old->conversion_to;
}

/*
 * A record of layout 2 (or 1, once carried to 2): the meanings layout 3 changed (billing-state.h).
 *  - The debt field held the last instalment slot dealt with, slot n falling due at n x 6048 s
 *    since 1970 with index n mod 100; that is instalment n + 1 of a debt set at -6048 s. So the
 *    debt carries on exactly where and as it was, and the next debt set counts from its own
 *    time (§8.10).
 *  - Emergency credit in its earlier shape is put in the manual's (§8.8): an exhausted EC's debt
 *    to clear moves into the balance; EC in use with a negative balance (taken in debt) has
 *    that debt written into the debt to clear, the balance starting at zero, so the customer
 *    can spend the whole EC, as the manual gives it.
 */
static void carry_layout_2(struct state *st)
{
	struct account *a = &st->acc;

	a->debt_origin_utc = -ACCOUNT_INSTALMENT_S;
	if (a->ec_state == ACCOUNT_EC_EXHAUSTED && a->debt_to_clear_mu > 0) {
		a->balance_mu -= a->debt_to_clear_mu;
		a->debt_to_clear_mu = 0;
	} else if (a->ec_state == ACCOUNT_EC_IN_USE && a->balance_mu < 0) {
		a->debt_to_clear_mu -= a->balance_mu;
		a->balance_mu = 0;
	}
}

/* Reads the stored record, of whichever layout the store holds, into @rec (sizeof(struct
 * state) bytes): 0 with *layout and *len set, or a negative errno with *why. */
static int read_record(struct pm_billing *b, unsigned char *rec, uint32_t *layout, size_t *len,
		       const char **why)
{
	static const struct {
		uint32_t layout;
		size_t len;
	} known[] = {
	    {STATE_LAYOUT, sizeof(struct state)},
	    {STATE_LAYOUT_6, sizeof(struct state_v6)},
	    {STATE_LAYOUT_5, sizeof(struct state_v5)},
	    {STATE_LAYOUT_4, sizeof(struct state_v4)},
	    {STATE_LAYOUT_3, sizeof(struct state_v3)},
	    {STATE_LAYOUT_2, sizeof(struct state_v3)},
	    {1, sizeof(struct state_v1)},
	};
	int r = -EBADMSG;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && r == -EBADMSG; i++) {
		r = pm_store_load_account(b->store, b->meter, known[i].layout, rec, known[i].len);
		if (r == -ENODATA && i > 0)
			r = -EBADMSG; /* the row went away in between: still not an absent one */
		*layout = known[i].layout;
		*len = known[i].len;
	}
	if (r == -EBADMSG)
		*why = "a record of an unknown layout or size";
	else if (r < 0)
		*why = strerror(-r);
	return r;
}

/*
 * Reads the stored account into b->st: 0, -ENODATA when the store holds none, else a negative
 * errno with *why saying what failed (b->st is then unchanged). The record is checked as bytes
 * (its bools) before it becomes a struct, carried over from an older layout, and checked as
 * values before it becomes the state.
 */
static int load_account(struct pm_billing *b, const char **why)
{
	/* one buffer for the record and one for the struct: older layouts' records are smaller */
	unsigned char *rec = malloc(sizeof(struct state));
	struct state *st = malloc(sizeof(*st));
	uint32_t layout = 0;
	size_t len = 0;
	int r = -ENOMEM;

	*why = "out of memory";
	if (!rec || !st)
		goto out;
	r = read_record(b, rec, &layout, &len, why);
	if (r < 0)
		goto out;
	r = pm_billing_record_check_bools(rec, len, layout, why);
	if (r < 0)
		goto out;
	if (layout == STATE_LAYOUT) {
		memcpy(st, rec, sizeof(*st));
	} else {
		/* the older struct, as a struct of its own (rec is bytes) */
		void *old = malloc(len);

		r = -ENOMEM;
		if (!old)
			goto out;
		memcpy(old, rec, len);
		if (layout == 1)
			carry_layout_1(old, st);
		else if (layout == STATE_LAYOUT_6)
			carry_layout_6(old, st);
		else if (layout == STATE_LAYOUT_5)
			carry_layout_5(old, st);
		else if (layout == STATE_LAYOUT_4)
			carry_layout_4(old, st);
		else
			carry_layout_3(old, st);
		free(old);
	}
	if (layout <= STATE_LAYOUT_2)
		carry_layout_2(st);
	/* layouts before 4 had no phase unbalance limit: those bytes were padding */
	if (layout < STATE_LAYOUT_4)
		st->acc.config.phase_unbalance_limit_w = 0;
	r = pm_billing_state_check(st, why);
	if (r < 0)
		goto out;
	b->st = *st;
	if (layout != STATE_LAYOUT)
		log_info("meter %s: account record of layout %u read; saved as layout %d", b->meter,
			 layout, STATE_LAYOUT);
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
		b->have_written =
		    false; /* maybe of an older layout: written again at the next save */
		billing_sts_start(b, utc_ns);
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
			billing_sts_start(b, utc_ns);
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
