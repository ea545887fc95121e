// SPDX-License-Identifier: GPL-2.0-only
/*
 * Limiter (class 71, version 0) at 0.0.17.0.0.255 (IEC 62056-6-1; Gurux's example server's
 * Limiter LN). Attributes, from Gurux's GXDLMSLimiter (getNames and getDataType; the
 * object-model document had marked the numbers unverified): 1 logical_name, 2 monitored_value,
 * 3 threshold_active, 4 threshold_normal, 5 threshold_emergency, 6 min_over_threshold_duration
 * (double-long-unsigned, s), 7 min_under_threshold_duration, 8 emergency_profile, 9
 * emergency_profile_group_id_list, 10 emergency_profile_active, 11 actions; no methods.
 *
 * Served today, read-only: the two the object model binds, the account's load limit (4
 * threshold_normal, W, double-long-unsigned: the threshold's type is the monitored value's,
 * and this meter's load limit is whole watts) and its period (6). The other attributes, which
 * need the monitored value and the actions described as objects, are a later issue: no access.
 */
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-objects.h"

#define THRESHOLD_NORMAL 4
#define MIN_OVER_THRESHOLD_DURATION 6

static bool served(uint8_t attr)
{
	return attr == THRESHOLD_NORMAL || attr == MIN_OVER_THRESHOLD_DURATION;
}

static enum pm_cosem_attr_access limiter_access(const struct pm_cosem_object *o,
						enum pm_dlms_client client, uint8_t attr)
{
	return served(attr) ? pm_cosem_bound_access(o, client, attr) & PM_COSEM_READ
			    : PM_COSEM_NO_ACCESS;
}

static enum pm_dlms_result limiter_get(const struct pm_cosem_object *o,
				       const struct pm_cosem_request *req, uint8_t attr,
				       const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	int q = pm_cosem_bound_quantity(o->cls->class_id, o->ln, attr, 0);

	(void)sel;
	if (q < 0 || !served(attr))
		return PM_DLMS_READ_WRITE_DENIED;
	return pm_cosem_put_u32(req, (size_t)q, out);
}

const struct pm_cosem_class pm_cosem_limiter_class = {
    .class_id = 71,
    .version = 0,
    .n_attrs = 11,
    .n_methods = 0,
    .visible = pm_cosem_bound_visible,
    .attr_access = limiter_access,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = limiter_get,
};
