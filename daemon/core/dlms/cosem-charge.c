// SPDX-License-Identifier: GPL-2.0-only
/*
 * Charge (class 113, version 0) at 0.0.19.2x.0.255, instance x = D - 20 (IEC 62056-6-2 payment
 * metering; the reference's table, from Gurux's GXDLMSCharge): 13 attributes, methods 1..5. The
 * meter's instances (quantity.c): 1 the time-based debt, 2 the payment-based debt.
 *
 * Served today, read-only: 12 total_amount_remaining (double-long, money in the minor currency
 * unit); 3 charge_type (enum, fixed by the instance: 1 time_based_collection for the time-based
 * debt 0.0.19.21.0.255, 2 payment_event_based_collection for the payment-based debt
 * 0.0.19.22.0.255), read by whoever reads total_amount_remaining. Attribute 13 proportion is bound
 * in the model (the share of a top-up that pays the payment debt, in percent) but the class's unit
 * for it is not verified: not served yet, like the other attributes and the methods (no access; a
 * later issue).
 */
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-objects.h"

#define CHARGE_TYPE 3
#define TOTAL_AMOUNT_REMAINING 12
#define TIME_DEBT_D 21
#define PAYMENT_DEBT_D 22
#define CHARGE_TYPE_TIME_BASED 1
#define CHARGE_TYPE_PAYMENT_EVENT_BASED 2

static enum pm_cosem_attr_access charge_access(const struct pm_cosem_object *o,
					       enum pm_dlms_client client, uint8_t attr)
{
	if (attr == CHARGE_TYPE)
		return o->ln[3] == TIME_DEBT_D || o->ln[3] == PAYMENT_DEBT_D
			   ? pm_cosem_bound_access(o, client, TOTAL_AMOUNT_REMAINING) &
				 PM_COSEM_READ
			   : PM_COSEM_NO_ACCESS;
	return attr == TOTAL_AMOUNT_REMAINING
		   ? pm_cosem_bound_access(o, client, attr) & PM_COSEM_READ
		   : PM_COSEM_NO_ACCESS;
}

static enum pm_dlms_result charge_get(const struct pm_cosem_object *o,
				      const struct pm_cosem_request *req, uint8_t attr,
				      const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	int q = pm_cosem_bound_quantity(o->cls->class_id, o->ln, attr, 0);

	(void)sel;
	if (attr == CHARGE_TYPE) {
		pm_axdr_put_enum(out, o->ln[3] == TIME_DEBT_D ? CHARGE_TYPE_TIME_BASED
							      : CHARGE_TYPE_PAYMENT_EVENT_BASED);
		return PM_DLMS_SUCCESS;
	}
	if (q < 0 || attr != TOTAL_AMOUNT_REMAINING)
		return PM_DLMS_READ_WRITE_DENIED;
	return pm_cosem_put_money(req, (size_t)q, out);
}

const struct pm_cosem_class pm_cosem_charge_class = {
    .class_id = 113,
    .version = 0,
    .n_attrs = 13,
    .n_methods = 5,
    .visible = pm_cosem_bound_visible,
    .attr_access = charge_access,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = charge_get,
};
