// SPDX-License-Identifier: GPL-2.0-only
/*
 * The token gateway's enter (see dlms-meter.h): the account's token path with the channel
 * "dlms", and the entry as the gateway publishes it. token_status (IEC 62056-6-2 status codes)
 * from the account's answer: a token that is not 20 digits (STS format) -> format_failure; one
 * whose CRC fails under this meter's key (a wrong digit, another meter's token) ->
 * authentication_failure; a genuine token the STS rules refuse (used, too old, key expired, a
 * class this decoder does not implement) -> validation_failure; everything else that refuses it
 * (another utility, another unit, an amount the account refuses, entry locked, no key, no
 * store) -> execution_failure; accepted -> token_execution_ok.
 *
 * The entry is the gateway's, entries through D-Bus or the display are not (its
 * token_delivery_method is remote): it is saved in the store (store-token-entry.c) after the
 * account has committed the token and before the answer goes out, and read back at the first
 * request after a start, so the attributes describe the last DLMS entry across restarts and
 * crashes. Saving it is not part of the token's own commit: a crash between the two (or a
 * store failing just then) leaves the previous entry on the gateway while the payment log and
 * the event log have the new one, which the head-end was never told of.
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "store/store.h"
#include "views/dlms/dlms-meter.h"

static uint8_t token_status(int r, const struct pm_billing_error *e, const struct sts_result *res)
{
	if (r == 0)
		return PM_COSEM_TOKEN_EXECUTION_OK;
	if (e->kind != PM_BILLING_ERR_TOKEN)
		return PM_COSEM_TOKEN_EXECUTION_FAILURE;
	switch (res->status) {
	case STS_ERR_FORMAT:
		return PM_COSEM_TOKEN_FORMAT_FAILURE;
	case STS_ERR_INVALID:
		return PM_COSEM_TOKEN_AUTHENTICATION_FAILURE;
	default:
		return PM_COSEM_TOKEN_VALIDATION_FAILURE;
	}
}

/* What the token did, or why it was refused (the gateway's token_description). */
static const char *description(int r, const struct pm_billing_error *e,
			       const struct sts_result *res)
{
	const char *why;

	if (r == 0)
		return pm_billing_token_kind(res->action);
	why = pm_billing_token_refusal(e, res);
	if (why)
		return why;
	if (e->kind == PM_BILLING_ERR_TOKEN_LOCKED)
		return "locked";
	return e->kind == PM_BILLING_ERR_NOT_CONFIGURED ? "no_key" : "meter";
}

/* the gateway's entry and the store's row hold the same octets */
_Static_assert(sizeof(((struct pm_cosem_token_entry *)0)->token) ==
		   sizeof(((struct pm_store_token_entry *)0)->token),
	       "token sizes");
_Static_assert(sizeof(((struct pm_cosem_token_entry *)0)->description) ==
		   sizeof(((struct pm_store_token_entry *)0)->description),
	       "description sizes");

static struct pm_store *store_of(const struct pm_dlms_meter *dm)
{
	return dm->cfg.pipe ? pm_meter_store(dm->cfg.pipe) : NULL;
}

/* The entry into the store; a failure is logged: the token's own commit stands. */
static void save_entry(const struct pm_dlms_meter *dm, const struct pm_cosem_token_entry *t)
{
	struct pm_store *store = store_of(dm);
	struct pm_store_token_entry e = {.utc_s = t->utc_s, .status = t->status};
	int r;

	if (!store)
		return;
	memcpy(e.token, t->token, sizeof(e.token) - 1);
	/* e is zeroed: the copy stays terminated */
	memcpy(e.description, t->description, strnlen(t->description, sizeof(e.description) - 1));
	r = pm_store_save_token_entry(store, dm->cfg.name, &e);
	if (r < 0)
		log_error("meter %s: saving the token gateway's entry failed: %s", dm->cfg.name,
			  strerror(-r));
}

void pm_dlms_meter_load_token(struct pm_dlms_meter *dm)
{
	struct pm_store *store = store_of(dm);
	struct pm_store_token_entry e;
	int r;

	if (dm->token_loaded || !store)
		return;
	dm->token_loaded = true;
	if (dm->has_token)
		return; /* entered since the start: newer than the store's */
	r = pm_store_load_token_entry(store, dm->cfg.name, &e);
	if (r == -ENODATA)
		return;
	if (r < 0) {
		log_error("meter %s: reading the token gateway's entry failed: %s", dm->cfg.name,
			  strerror(-r));
		return;
	}
	memset(&dm->token, 0, sizeof(dm->token));
	memcpy(dm->token.token, e.token, sizeof(dm->token.token) - 1);
	dm->token.utc_s = e.utc_s;
	dm->token.status = e.status;
	memcpy(dm->token.description, e.description, sizeof(dm->token.description) - 1);
	dm->has_token = true;
}

enum pm_dlms_result pm_dlms_meter_enter_token(void *data, const char *token)
{
	struct pm_dlms_meter *dm = data;
	struct pm_cosem_token_entry *t = &dm->token;
	struct pm_billing_error e = {0};
	struct sts_result res;
	enum pm_dlms_result result;
	int64_t now_ns = pm_dlms_meter_now_ns(dm), credit_mu;
	int r;

	if (!dm->cfg.billing)
		return PM_DLMS_TEMPORARY_FAILURE; /* no account: nothing entered, nothing to record
						   */
	r = pm_billing_token_via(dm->cfg.billing, now_ns, token, ACCOUNT_PAYMENT_DLMS, &credit_mu,
				 &res, &e);
	memset(t, 0, sizeof(*t));
	/* the gateway's token parameter is at most PM_COSEM_TOKEN_MAX octets: it fits */
	memcpy(t->token, token, strnlen(token, PM_COSEM_TOKEN_MAX));
	t->utc_s = now_ns / 1000000000;
	t->status = token_status(r, &e, &res);
	strncpy(t->description, description(r, &e, &res), sizeof(t->description) - 1);
	dm->has_token = true;
	save_entry(dm, t);
	if (r < 0) {
		result = pm_dlms_meter_refused(dm, "token entry", &e);
		/* locked for a while: the head-end may enter it again later */
		return e.kind == PM_BILLING_ERR_TOKEN_LOCKED ? PM_DLMS_TEMPORARY_FAILURE : result;
	}
	log_info("meter %s: DLMS token entered: %s", dm->cfg.name, t->description);
	if (dm->cfg.account_changed)
		dm->cfg.account_changed(dm->cfg.userdata);
	return PM_DLMS_SUCCESS;
}
