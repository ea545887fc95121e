// SPDX-License-Identifier: GPL-2.0-only
/*
 * The account commands: each is validated on a copy of the state, the copy committed to the
 * store, and only then made the state (billing.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "meter/billing-internal.h"
#include "core/billing/civil-time.h"

struct state *billing_begin(struct pm_billing *b, struct pm_billing_error *e, int *r)
{
	struct state *work;

	if (e) {
		e->kind = PM_BILLING_OK;
		e->message[0] = '\0';
	}
	b->n_queued = 0;
	if (!b->running) {
		*r = billing_fail(e, PM_BILLING_ERR_ACCOUNT_UNAVAILABLE, -EIO,
				  "meter %s: the account is unavailable (%s); nothing is accepted",
				  b->meter, b->unavailable_why);
		return NULL;
	}
	if (!b->store) {
		*r = billing_fail(e, PM_BILLING_ERR_NO_STORE, -ENODEV,
				  "meter %s has no store: a change could not be kept", b->meter);
		return NULL;
	}
	work = malloc(sizeof(*work));
	if (!work) {
		*r = billing_fail(e, PM_BILLING_ERR_STORE_FAILED, -ENOMEM, "out of memory");
		return NULL;
	}
	*work = b->st;
	return work;
}

/* Commits @work (with a top-up reference), then makes it the state; frees it either way. */
int billing_commit(struct pm_billing *b, struct state *work, int64_t utc_ns, const char *reference,
		   int64_t value_mu, struct pm_billing_error *e)
{
	int r = billing_save(b, work, utc_ns, reference, value_mu);

	if (r == -EEXIST)
		r = billing_fail(e, PM_BILLING_ERR_DUPLICATE, r, "reference: '%s' was already used",
				 reference);
	else if (r < 0)
		r = billing_fail(e, PM_BILLING_ERR_STORE_FAILED, r,
				 "meter %s: store: %s; nothing changed", b->meter, strerror(-r));
	if (r < 0) {
		b->n_queued = 0;
		free(work);
		return r;
	}
	b->st = *work;
	free(work);
	billing_send_events(b);
	billing_report_supply(b);
	return 0;
}

/* An account engine refusal: -EPERM is "not now", anything else a bad argument. */
int billing_refused(struct pm_billing *b, struct state *work, int r,
		    const struct account_output *out, const char *field, struct pm_billing_error *e)
{
	free(work);
	b->n_queued = 0;
	return billing_fail(e, r == -EPERM ? PM_BILLING_ERR_REFUSED : PM_BILLING_ERR_INVALID, r,
			    "%s%s%s", field ? field : "", field ? ": " : "",
			    out->error ? out->error : strerror(-r));
}

static bool valid_reference(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

int pm_billing_topup(struct pm_billing *b, int64_t utc_ns, int64_t value_mu, const char *reference,
		     enum account_payment_method method, struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int r;

	if (!valid_reference(reference))
		return billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
				    "reference: 1 to 64 printable characters without spaces");
	if (value_mu <= 0)
		return billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
				    "amount: must be above zero");
	work = billing_begin(b, e, &r);
	if (!work)
		return r;
	r = pm_store_topup_ref_used(b->store, b->meter, reference);
	if (r != 0) {
		free(work);
		if (r > 0)
			return billing_fail(e, PM_BILLING_ERR_DUPLICATE, -EEXIST,
					    "reference: '%s' was already used", reference);
		return billing_fail(e, PM_BILLING_ERR_STORE_FAILED, r, "meter %s: store: %s",
				    b->meter, strerror(-r));
	}
	r = billing_whole_minor(work, "amount", value_mu, e);
	if (r < 0) {
		free(work);
		return r;
	}
	billing_now_times(b, work, utc_ns, &at);
	r = account_topup(&work->acc, &at, value_mu, method, &out);
	if (r < 0)
		return billing_refused(b, work, r, &out, "amount", e);
	billing_account_events(b, work, &out);
	return billing_commit(b, work, utc_ns, reference, value_mu, e);
}

/* The account commands without arguments of their own share this shape. */
enum simple_op { OP_MODE, OP_EC, OP_DISCONNECT, OP_RECONNECT, OP_CONFIRM, OP_ADJUST, OP_DEBT };

static int simple(struct pm_billing *b, int64_t utc_ns, enum simple_op op, int64_t a, int64_t c,
		  const char *field, struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int r;

	work = billing_begin(b, e, &r);
	if (!work)
		return r;
	if (op == OP_ADJUST || op == OP_DEBT) {
		r = billing_whole_minor(work, op == OP_ADJUST ? "delta" : "time_debt", a, e);
		if (r == 0 && op == OP_DEBT)
			r = billing_whole_minor(work, "payment_debt", c, e);
		if (r < 0) {
			free(work);
			return r;
		}
	}
	billing_now_times(b, work, utc_ns, &at);
	switch (op) {
	case OP_MODE:
		r = account_set_mode(&work->acc, &at, (enum account_mode)a, &out);
		break;
	case OP_EC:
		r = account_take_emergency_credit(&work->acc, &at, a != 0, &out);
		break;
	case OP_DISCONNECT:
		r = account_remote_disconnect(&work->acc, &at, &out);
		break;
	case OP_RECONNECT:
		r = account_remote_reconnect(&work->acc, &at, a != 0, &out);
		break;
	case OP_CONFIRM:
		r = account_confirm(&work->acc, &at, &out);
		break;
	case OP_ADJUST:
		r = account_adjust_balance(&work->acc, &at, a, &out);
		break;
	case OP_DEBT:
		r = account_set_debt(&work->acc, &at, a, c, &out);
		break;
	}
	if (r < 0)
		return billing_refused(b, work, r, &out, field, e);
	billing_account_events(b, work, &out);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_set_mode(struct pm_billing *b, int64_t utc_ns, enum account_mode mode,
			struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_MODE, mode, 0, "mode", e);
}

int pm_billing_take_emergency_credit(struct pm_billing *b, int64_t utc_ns, bool at_meter,
				     struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_EC, at_meter, 0, NULL, e);
}

int pm_billing_disconnect(struct pm_billing *b, int64_t utc_ns, struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_DISCONNECT, 0, 0, NULL, e);
}

int pm_billing_reconnect(struct pm_billing *b, int64_t utc_ns, bool armed,
			 struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_RECONNECT, armed, 0, NULL, e);
}

int pm_billing_confirm(struct pm_billing *b, int64_t utc_ns, struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_CONFIRM, 0, 0, NULL, e);
}

int pm_billing_adjust_balance(struct pm_billing *b, int64_t utc_ns, int64_t delta_mu,
			      struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_ADJUST, delta_mu, 0, "delta", e);
}

int pm_billing_set_debt(struct pm_billing *b, int64_t utc_ns, int64_t time_debt_mu,
			int64_t payment_debt_mu, struct pm_billing_error *e)
{
	return simple(b, utc_ns, OP_DEBT, time_debt_mu, payment_debt_mu, "debt", e);
}

int pm_billing_configure(struct pm_billing *b, int64_t utc_ns, const struct account_config *config,
			 struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int r;

	work = billing_begin(b, e, &r);
	if (!work)
		return r;
	/* a valid configuration but for an amount finer than the minor unit: named by its key
	 * and in the currency (the engine refuses it too, in mu) */
	r = account_config_validate(config, NULL) == 0 ? billing_whole_minor_config(work, config, e)
						       : 0;
	if (r < 0) {
		free(work);
		return r;
	}
	billing_now_times(b, work, utc_ns, &at);
	r = account_configure(&work->acc, &at, config, &out);
	if (r < 0)
		return billing_refused(b, work, r == -EPERM ? -EINVAL : r, &out, "configuration",
				       e);
	billing_account_events(b, work, &out);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_change_tenancy(struct pm_billing *b, int64_t utc_ns,
			      const struct account_tenancy_change *change,
			      struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int r;

	work = billing_begin(b, e, &r);
	if (!work)
		return r;
	r = 0;
	if (change->balance_action == ACCOUNT_REGISTER_SET)
		r = billing_whole_minor(work, "balance", change->balance_mu, e);
	if (r == 0 && change->debt_action == ACCOUNT_REGISTER_SET)
		r = billing_whole_minor(work, "time_debt", change->time_debt_mu, e);
	if (r == 0 && change->debt_action == ACCOUNT_REGISTER_SET)
		r = billing_whole_minor(work, "payment_debt", change->payment_debt_mu, e);
	if (r < 0) {
		free(work);
		return r;
	}
	billing_now_times(b, work, utc_ns, &at);
	r = account_change_tenancy(&work->acc, &at, change, &out);
	if (r < 0)
		return billing_refused(b, work, r, &out, NULL, e);
	billing_account_events(b, work, &out);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}

int pm_billing_wallet(struct pm_billing *b, int64_t utc_ns, const char *date, int64_t cost_mu,
		      bool final, struct pm_billing_error *e)
{
	struct account_output out;
	struct account_time at;
	struct state *work;
	int y, m, d, r;
	int32_t day;

	if (pm_civil_parse_date(date, &y, &m, &d) < 0)
		return billing_fail(e, PM_BILLING_ERR_INVALID, -EINVAL,
				    "date: '%s' is not YYYY-MM-DD", date ? date : "");
	day = (int32_t)pm_civil_days_from_date(y, m, d);
	work = billing_begin(b, e, &r);
	if (!work)
		return r;
	r = billing_whole_minor(work, "cost", cost_mu, e);
	if (r < 0) {
		free(work);
		return r;
	}
	billing_now_times(b, work, utc_ns, &at);
	r = final ? account_wallet_final(&work->acc, &at, day, cost_mu, &out)
		  : account_wallet_post(&work->acc, &at, day, cost_mu, &out);
	if (r < 0)
		return billing_refused(b, work, r, &out, "cost", e);
	billing_account_events(b, work, &out);
	return billing_commit(b, work, utc_ns, NULL, 0, e);
}
