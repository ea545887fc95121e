// SPDX-License-Identifier: GPL-2.0-only
/*
 * SAP assignment (class 17, version 0) at 0.0.41.0.0.255, and the logical device name, Data at
 * 0.0.42.0.0.255 (IEC 62056-6-1; Gurux's OBIS table: "0.0.41.0.0.255 ... SAP Assignment",
 * "0.0.42.0.0.255 ... COSEM Logical device name"). polymeterd is one logical device per meter
 * (server SAP 1, server.h), so the list has one entry.
 *
 * SAP assignment (Gurux's GXDLMSSapAssignment): attribute 2 SAP_assignment_list, array of
 * structure {SAP long-unsigned, logical_device_name octet-string}; method 1
 * connect_logical_device, not offered. The name is the meter's (struct pm_cosem_meter), at most
 * 16 octets as the logical device name object has it.
 */
#include <string.h>

#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/server.h"

#define LDN_MAX 16

static enum pm_dlms_result sap_get(const struct pm_cosem_object *o,
				   const struct pm_cosem_request *req, uint8_t attr,
				   const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	const char *name = req->meter ? req->meter->logical_device_name : NULL;

	(void)o;
	(void)sel;
	(void)attr;
	if (!name || !name[0]) {
		pm_axdr_put_array(out, 0);
		return PM_DLMS_SUCCESS;
	}
	pm_axdr_put_array(out, 1);
	pm_axdr_put_structure(out, 2);
	pm_axdr_put_u16(out, PM_DLMS_SERVER_SAP);
	pm_axdr_put_octet_string(out, name, strnlen(name, LDN_MAX));
	return PM_DLMS_SUCCESS;
}

const struct pm_cosem_class pm_cosem_sap_class = {
    .class_id = 17,
    .version = 0,
    .n_attrs = 2,
    .n_methods = 1,
    .visible = pm_cosem_visible_to_all,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = sap_get,
};

static const struct pm_cosem_object sap[] = {
    {{0, 0, 41, 0, 0, 255}, &pm_cosem_sap_class, 0},
    {{0, 0, 42, 0, 0, 255}, &pm_cosem_meter_data_class, PM_COSEM_ITEM_LOGICAL_DEVICE_NAME},
};

const struct pm_cosem_table pm_cosem_sap_table = PM_COSEM_TABLE(sap);
