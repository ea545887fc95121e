// SPDX-License-Identifier: GPL-2.0-only
/*
 * Account (class 111, version 0) at 0.0.19.0.0.255 (IEC 62056-6-2 payment metering; OBIS range
 * 0.0.19.0-9.0.255 and the attributes and types in the reference's table, from Gurux's
 * GXDLMSAccount): 19 attributes, methods 1 activate_account, 2 close_account, 3 reset_account.
 *
 * What this meter serves today: the attributes the object model binds (quantity.c), read-only,
 * to whoever may read their quantities, and low_credit_threshold written by whoever may change
 * the setting it is (the management client); every other attribute and every method: no access.
 * The class's full behaviour (credit and charge references, methods) is a later issue.
 *   2 account_mode_and_status  structure {payment_mode enum (1 credit, 2 prepayment: PAYG is
 *                              prepayment with a debt limit), account_status enum (2 active)}
 *   5 available_credit, 6 amount_to_clear, 8 aggregated_debt, 16 low_credit_threshold:
 *                              double-long, money in the minor currency unit
 *  15 currency                 structure {name visible-string (ISO 4217), scale integer
 *                              (-minor_units), unit enum (2 monetary, Gurux's Currency enum)}
 *   9 credit_reference_list    array of octet-string: the Credit objects (the token credit
 *                              0.0.19.10.0.255, the emergency credit 0.0.19.11.0.255)
 *  10 charge_reference_list    array of octet-string: the Charge objects (the time-based debt
 *                              0.0.19.21.0.255, the payment-based debt 0.0.19.22.0.255)
 *  12 token_gateway_configuration  array of {credit_reference octet-string, token_proportion
 *                              unsigned}: every token's credit goes to the token credit, 100 %
 * The three lists name the instances the object model binds (quantity.c); they are read by
 * whoever reads available_credit.
 *   4 current_credit_status    bit-string(8), bit 0 the first (0x80 of the octet, as A-XDR
 *                              and the conformance block have it), from the account engine's
 *                              own state, read by whoever reads available_credit:
 *                              0 in_credit: the supply is not held open for credit;
 *                              1 low_credit: prepayment or PAYG with available credit below
 *                                low_credit_threshold (the engine's low-credit rule);
 *                              3 next_credit_selectable: the emergency credit, the next in
 *                                credit_reference_list, is on offer (its credit_status 1);
 *                              5 selectable_credit_in_use: the emergency credit is in use;
 *                              6 out_of_credit: the supply is held open for credit.
 *                              Always 0: 2 next_credit_enabled (this meter's emergency credit
 *                              must be selected, never enabled on its own), 4 (Gurux names it
 *                              credit_reference_list, another firmware next_credit_selected:
 *                              not answered until the Blue Book's text says which), 7 reserved.
 * Not served (no access), the engine having no value for them or their encoding unverified:
 * 3 current_credit_in_use (an index into credit_reference_list: whether it counts from 0 or 1
 * is not verified), 7 clearance_threshold, 11 credit_charge_configuration, 13/14 the activation
 * and closure times, 17 next_credit_available_threshold, 18/19 max_provision and its period.
 */
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"

enum {
	MODE_AND_STATUS = 2,
	CREDIT_STATUS = 4,
	AVAILABLE_CREDIT = 5,
	AMOUNT_TO_CLEAR = 6,
	AGGREGATED_DEBT = 8,
	CREDIT_REFERENCES = 9,
	CHARGE_REFERENCES = 10,
	TOKEN_GATEWAY_CONFIGURATION = 12,
	CURRENCY = 15,
	LOW_CREDIT_THRESHOLD = 16,
};

/* The Credit and Charge instances of quantity.c, by their OBIS D (0.0.19.D.0.255). */
static const uint8_t credit_d[] = {10, 11};
static const uint8_t charge_d[] = {21, 22};
#define TOKEN_CREDIT_D 10
#define TOKEN_PROPORTION_ALL 100

static void put_payment_ln(struct pm_axdr_out *out, uint8_t d)
{
	const uint8_t ln[6] = {0, 0, 19, d, 0, 255};

	pm_axdr_put_octet_string(out, ln, sizeof(ln));
}

static void put_references(struct pm_axdr_out *out, const uint8_t *d, size_t n)
{
	pm_axdr_put_array(out, n);
	for (size_t i = 0; i < n; i++)
		put_payment_ln(out, d[i]);
}

/* The attributes made from this meter's objects or its account's state, not one quantity. */
static bool is_list(uint8_t attr)
{
	return attr == CREDIT_REFERENCES || attr == CHARGE_REFERENCES ||
	       attr == TOKEN_GATEWAY_CONFIGURATION || attr == CREDIT_STATUS;
}

/* current_credit_status's bits (bit 0 the octet's most significant) */
#define STATUS_IN_CREDIT 0x80u
#define STATUS_LOW_CREDIT 0x40u
#define STATUS_NEXT_CREDIT_SELECTABLE 0x10u
#define STATUS_SELECTABLE_CREDIT_IN_USE 0x04u
#define STATUS_OUT_OF_CREDIT 0x02u

/* The value of the quantity named @id (quantity.c). */
static enum pm_dlms_result named(const struct pm_cosem_request *req, const char *id,
				 struct pm_value *v)
{
	int q = pm_quantity_find(id);

	if (q < 0)
		return PM_DLMS_OBJECT_UNDEFINED;
	return pm_cosem_quantity_value(req, (size_t)q, v);
}

static enum pm_dlms_result credit_status(const struct pm_cosem_request *req, uint8_t *bits)
{
	struct pm_value mode, available, low, credit, ec;
	enum pm_dlms_result r;

	r = named(req, "account.mode", &mode);
	if (r == PM_DLMS_SUCCESS)
		r = named(req, "account.available_credit", &available);
	if (r == PM_DLMS_SUCCESS)
		r = named(req, "settings.low_credit", &low);
	if (r == PM_DLMS_SUCCESS)
		r = named(req, "credit.state", &credit);
	if (r == PM_DLMS_SUCCESS)
		r = named(req, "credit.emergency.state", &ec);
	if (r != PM_DLMS_SUCCESS)
		return r;
	*bits = credit.i == PM_CREDIT_OUT ? STATUS_OUT_OF_CREDIT : STATUS_IN_CREDIT;
	/* account.c update_low_credit: below the line, never at it, and not in credit mode */
	if (mode.i != ACCOUNT_MODE_CREDIT && available.i < low.i)
		*bits |= STATUS_LOW_CREDIT;
	if (ec.i == ACCOUNT_EC_AVAILABLE)
		*bits |= STATUS_NEXT_CREDIT_SELECTABLE;
	else if (ec.i == ACCOUNT_EC_IN_USE)
		*bits |= STATUS_SELECTABLE_CREDIT_IN_USE;
	return PM_DLMS_SUCCESS;
}

#define PAYMENT_MODE_CREDIT 1
#define PAYMENT_MODE_PREPAYMENT 2
#define ACCOUNT_STATUS_ACTIVE 2
#define CURRENCY_UNIT_MONETARY 2

static bool served(uint8_t attr)
{
	switch (attr) {
	case MODE_AND_STATUS:
	case AVAILABLE_CREDIT:
	case AMOUNT_TO_CLEAR:
	case AGGREGATED_DEBT:
	case CURRENCY:
	case LOW_CREDIT_THRESHOLD:
		return true;
	default:
		return false;
	}
}

static enum pm_cosem_attr_access account_access(const struct pm_cosem_object *o,
						enum pm_dlms_client client, uint8_t attr)
{
	if (is_list(attr))
		return pm_cosem_bound_access(o, client, AVAILABLE_CREDIT) & PM_COSEM_READ;
	if (!served(attr))
		return PM_COSEM_NO_ACCESS;
	if (attr == LOW_CREDIT_THRESHOLD)
		return pm_cosem_bound_access(o, client, attr);
	return pm_cosem_bound_access(o, client, attr) & PM_COSEM_READ;
}

/* The quantity bound to element @element of @attr, and its value. */
static enum pm_dlms_result element(const struct pm_cosem_object *o,
				   const struct pm_cosem_request *req, uint8_t attr,
				   uint8_t element, struct pm_value *v)
{
	int q = pm_cosem_bound_quantity(o->cls->class_id, o->ln, attr, element);

	if (q < 0)
		return PM_DLMS_OBJECT_UNDEFINED;
	return pm_cosem_quantity_value(req, (size_t)q, v);
}

static enum pm_dlms_result account_get(const struct pm_cosem_object *o,
				       const struct pm_cosem_request *req, uint8_t attr,
				       const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	struct pm_value name, minor, mode;
	enum pm_dlms_result r;
	uint8_t bits;
	int q;

	(void)sel;
	switch (attr) {
	case CREDIT_STATUS:
		r = credit_status(req, &bits);
		if (r == PM_DLMS_SUCCESS)
			pm_axdr_put_bit_string(out, &bits, 8);
		return r;
	case MODE_AND_STATUS:
		r = element(o, req, attr, 1, &mode);
		if (r != PM_DLMS_SUCCESS)
			return r;
		pm_axdr_put_structure(out, 2);
		pm_axdr_put_enum(out, mode.i == ACCOUNT_MODE_CREDIT ? PAYMENT_MODE_CREDIT
								    : PAYMENT_MODE_PREPAYMENT);
		pm_axdr_put_enum(out, ACCOUNT_STATUS_ACTIVE);
		return PM_DLMS_SUCCESS;
	case CURRENCY:
		r = element(o, req, attr, 1, &name);
		if (r == PM_DLMS_SUCCESS)
			r = element(o, req, attr, 2, &minor);
		if (r != PM_DLMS_SUCCESS)
			return r;
		pm_axdr_put_structure(out, 3);
		pm_axdr_put_visible_string(out, name.s ? name.s : "");
		pm_axdr_put_i8(out, (int8_t)-minor.i);
		pm_axdr_put_enum(out, CURRENCY_UNIT_MONETARY);
		return PM_DLMS_SUCCESS;
	case CREDIT_REFERENCES:
		put_references(out, credit_d, sizeof(credit_d));
		return PM_DLMS_SUCCESS;
	case CHARGE_REFERENCES:
		put_references(out, charge_d, sizeof(charge_d));
		return PM_DLMS_SUCCESS;
	case TOKEN_GATEWAY_CONFIGURATION:
		pm_axdr_put_array(out, 1);
		pm_axdr_put_structure(out, 2);
		put_payment_ln(out, TOKEN_CREDIT_D);
		pm_axdr_put_u8(out, TOKEN_PROPORTION_ALL);
		return PM_DLMS_SUCCESS;
	default:
		q = pm_cosem_bound_quantity(o->cls->class_id, o->ln, attr, 0);
		if (q < 0 || !served(attr))
			return PM_DLMS_READ_WRITE_DENIED;
		return pm_cosem_put_money(req, (size_t)q, out);
	}
}

/* Only low_credit_threshold is writable (account_access). */
static enum pm_dlms_result account_set(const struct pm_cosem_object *o,
				       const struct pm_cosem_request *req, uint8_t attr,
				       const uint8_t *value, size_t len)
{
	int q = pm_cosem_bound_quantity(o->cls->class_id, o->ln, attr, 0);

	if (q < 0 || attr != LOW_CREDIT_THRESHOLD)
		return PM_DLMS_READ_WRITE_DENIED;
	return pm_cosem_set_money(req, (size_t)q, value, len);
}

const struct pm_cosem_class pm_cosem_account_class = {
    .class_id = 111,
    .version = 0,
    .n_attrs = 19,
    .n_methods = 3,
    .visible = pm_cosem_bound_visible,
    .attr_access = account_access,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = account_get,
    .set = account_set,
};
