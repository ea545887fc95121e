// SPDX-License-Identifier: GPL-2.0-only
/*
 * Data (class 1, version 0: attribute 2 value): the model's quantities bound to a Data object,
 * and the meter's own identification and status.
 *
 * Identification (OBIS from IEC 62056-6-1 as Gurux's OBIS table lists it,
 * gurux.dlms.java development/src/main/resources/OBISCodes.txt):
 *   0.0.96.1.0.255  "Device ID 1, manufacturing number": the meter's serial number
 *   0.0.96.1.1.255  "Device ID 2" (the standard leaves IDs 2..10 to the meter): its manufacturer
 *   1.0.0.2.0.255   "Active firmware identifier": polymeterd's version
 *   0.0.96.5.0.255  "Internal operating status, global": enum pm_cosem_meter_status_bit, as
 *                   double-long-unsigned (a type the table allows for it)
 * Text as visible-string (the table allows octet-string and visible-string for all three).
 */
#include <string.h>

#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"

const struct pm_cosem_class pm_cosem_data_class = {
    .class_id = 1,
    .version = 0,
    .n_attrs = 2,
    .n_methods = 0,
    .visible = pm_cosem_bound_visible,
    .attr_access = pm_cosem_bound_access,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = pm_cosem_bound_get,
    .set = pm_cosem_bound_set,
};

/* ---- the meter's own values ---- */

/* The logical device name is at most 16 octets (Green Book); a longer one is cut. */
#define LDN_MAX 16

static enum pm_dlms_result meter_get(const struct pm_cosem_object *o,
				     const struct pm_cosem_request *req, uint8_t attr,
				     const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	const struct pm_cosem_meter *m = req->meter;
	const char *text = NULL;

	(void)sel;
	(void)attr;
	if (!m)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	switch ((enum pm_cosem_meter_item)o->arg) {
	case PM_COSEM_ITEM_SERIAL:
		text = m->serial;
		break;
	case PM_COSEM_ITEM_MANUFACTURER:
		text = m->manufacturer;
		break;
	case PM_COSEM_ITEM_FIRMWARE:
		text = m->firmware;
		break;
	case PM_COSEM_ITEM_LOGICAL_DEVICE_NAME:
		if (!m->logical_device_name || !m->logical_device_name[0])
			return PM_DLMS_OBJECT_UNAVAILABLE;
		pm_axdr_put_octet_string(out, m->logical_device_name,
					 strnlen(m->logical_device_name, LDN_MAX));
		return PM_DLMS_SUCCESS;
	case PM_COSEM_ITEM_STATUS:
		pm_axdr_put_u32(out,
				m->status | (m->snap ? 0 : (uint32_t)PM_COSEM_STATUS_NO_SNAPSHOT));
		return PM_DLMS_SUCCESS;
	}
	if (!text || !text[0])
		return PM_DLMS_OBJECT_UNAVAILABLE;
	pm_axdr_put_visible_string(out, text);
	return PM_DLMS_SUCCESS;
}

const struct pm_cosem_class pm_cosem_meter_data_class = {
    .class_id = 1,
    .version = 0,
    .n_attrs = 2,
    .n_methods = 0,
    .visible = pm_cosem_visible_to_all,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = meter_get,
};

static const struct pm_cosem_object identification[] = {
    {{0, 0, 96, 1, 0, 255}, &pm_cosem_meter_data_class, PM_COSEM_ITEM_SERIAL},
    {{0, 0, 96, 1, 1, 255}, &pm_cosem_meter_data_class, PM_COSEM_ITEM_MANUFACTURER},
    {{1, 0, 0, 2, 0, 255}, &pm_cosem_meter_data_class, PM_COSEM_ITEM_FIRMWARE},
    {{0, 0, 96, 5, 0, 255}, &pm_cosem_meter_data_class, PM_COSEM_ITEM_STATUS},
};

const struct pm_cosem_table pm_cosem_identification_table = PM_COSEM_TABLE(identification);
