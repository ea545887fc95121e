// SPDX-License-Identifier: GPL-2.0-only
/*
 * Credit (class 112, version 0) at 0.0.19.1x.0.255, instance x = D - 10 (IEC 62056-6-2 payment
 * metering; the reference's table, from Gurux's GXDLMSCredit): 11 attributes, methods 1
 * update_amount, 2 set_amount_to_value, 3 invoke_credit. The meter's instances (quantity.c): 0
 * the token credit (the balance), 1 the emergency credit.
 *
 * Served today, read-only, the attributes the object model binds and credit_type; the rest and
 * the methods: no access (a later issue).
 *   3 credit_type         enum, fixed by the instance: 0 token (0.0.19.10.0.255), 2 emergency
 *                         (0.0.19.11.0.255); read by whoever reads current_credit_amount
 *   2 current_credit_amount, 9 preset_credit_amount, 10 credit_available_threshold:
 *                         double-long, money in the minor currency unit
 *   8 credit_status       enum: the emergency credit's state none, available, in_use, exhausted
 *                         as 0 enabled, 1 selectable, 3 in_use, 4 consumed (object-model.md)
 */
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-objects.h"

enum {
	CURRENT_CREDIT_AMOUNT = 2,
	CREDIT_TYPE = 3,
	CREDIT_STATUS = 8,
	PRESET_AMOUNT = 9,
	AVAILABLE_THRESHOLD = 10,
};

#define TOKEN_CREDIT_D 10
#define EMERGENCY_CREDIT_D 11
#define CREDIT_TYPE_TOKEN 0
#define CREDIT_TYPE_EMERGENCY 2

static bool served(uint8_t attr)
{
	return attr == CURRENT_CREDIT_AMOUNT || attr == CREDIT_STATUS || attr == PRESET_AMOUNT ||
	       attr == AVAILABLE_THRESHOLD;
}

static enum pm_cosem_attr_access credit_access(const struct pm_cosem_object *o,
					       enum pm_dlms_client client, uint8_t attr)
{
	if (attr == CREDIT_TYPE)
		return o->ln[3] == TOKEN_CREDIT_D || o->ln[3] == EMERGENCY_CREDIT_D
			   ? pm_cosem_bound_access(o, client, CURRENT_CREDIT_AMOUNT) & PM_COSEM_READ
			   : PM_COSEM_NO_ACCESS;
	return served(attr) ? pm_cosem_bound_access(o, client, attr) & PM_COSEM_READ
			    : PM_COSEM_NO_ACCESS;
}

/* credit_status of an emergency credit state (enum account_ec_state). */
static uint8_t credit_status(int64_t ec_state)
{
	switch (ec_state) {
	case ACCOUNT_EC_AVAILABLE:
		return 1; /* selectable */
	case ACCOUNT_EC_IN_USE:
		return 3; /* in_use */
	case ACCOUNT_EC_EXHAUSTED:
		return 4; /* consumed */
	default:
		return 0; /* enabled */
	}
}

static enum pm_dlms_result credit_get(const struct pm_cosem_object *o,
				      const struct pm_cosem_request *req, uint8_t attr,
				      const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	int q = pm_cosem_bound_quantity(o->cls->class_id, o->ln, attr, 0);
	struct pm_value v;
	enum pm_dlms_result r;

	(void)sel;
	if (attr == CREDIT_TYPE) {
		pm_axdr_put_enum(out, o->ln[3] == TOKEN_CREDIT_D ? CREDIT_TYPE_TOKEN
								 : CREDIT_TYPE_EMERGENCY);
		return PM_DLMS_SUCCESS;
	}
	if (q < 0 || !served(attr))
		return PM_DLMS_READ_WRITE_DENIED;
	if (attr != CREDIT_STATUS)
		return pm_cosem_put_money(req, (size_t)q, out);
	r = pm_cosem_quantity_value(req, (size_t)q, &v);
	if (r == PM_DLMS_SUCCESS)
		pm_axdr_put_enum(out, credit_status(v.i));
	return r;
}

const struct pm_cosem_class pm_cosem_credit_class = {
    .class_id = 112,
    .version = 0,
    .n_attrs = 11,
    .n_methods = 3,
    .visible = pm_cosem_bound_visible,
    .attr_access = credit_access,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = credit_get,
};
