// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Tariffication script table (class 9, version 0) at 0.0.10.0.100.255 (IEC 62056-6-1;
 * Gurux's OBIS table and example server), which the Activity calendar's day actions run:
 * script r (r = 1 .. the tariff's import rates) writes the Register activation's active_mask
 * (0.0.14.0.0.255, class 6, attribute 4) with mask r, so rate register r counts. Attribute 2
 * scripts: array of {script_identifier long-unsigned, actions array of {service_id enum (1
 * write attribute), class_id long-unsigned, logical_name octet-string, index integer,
 * parameter}} (the disconnect control's script table, cosem-script-table.c, has the same
 * layout). Both clients read it.
 *
 * Method 1 execute is offered to nobody: the tariff engine switches the rate on its schedule
 * (and the billing it runs would not follow a rate forced from outside).
 */
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"

#define SERVICE_WRITE_ATTRIBUTE 1
#define REGISTER_ACTIVATION_CLASS 6
#define ACTIVE_MASK_ATTR 4

static const uint8_t register_activation_ln[6] = {0, 0, 14, 0, 0, 255};

static enum pm_dlms_result tariff_scripts_get(const struct pm_cosem_object *o,
					      const struct pm_cosem_request *req, uint8_t attr,
					      const struct pm_cosem_selector *sel,
					      struct pm_axdr_out *out)
{
	const struct tariff *t = req->meter ? req->meter->tariff : NULL;

	(void)o;
	(void)sel;
	if (attr != 2)
		return PM_DLMS_OBJECT_UNDEFINED;
	if (!t)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	pm_axdr_put_array(out, t->n_rates);
	for (unsigned r = 1; r <= t->n_rates; r++) {
		const uint8_t mask = (uint8_t)r;

		pm_axdr_put_structure(out, 2);
		pm_axdr_put_u16(out, (uint16_t)r);
		pm_axdr_put_array(out, 1);
		pm_axdr_put_structure(out, 5);
		pm_axdr_put_enum(out, SERVICE_WRITE_ATTRIBUTE);
		pm_axdr_put_u16(out, REGISTER_ACTIVATION_CLASS);
		pm_axdr_put_octet_string(out, register_activation_ln, 6);
		pm_axdr_put_i8(out, ACTIVE_MASK_ATTR);
		pm_axdr_put_octet_string(out, &mask, 1);
	}
	return PM_DLMS_SUCCESS;
}

const struct pm_cosem_class pm_cosem_tariff_scripts_class = {
    .class_id = 9,
    .version = 0,
    .n_attrs = 2,
    .n_methods = 1,
    .visible = pm_cosem_visible_to_all,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = tariff_scripts_get,
};

static const struct pm_cosem_object tariff_scripts[] = {
    {{0, 0, 10, 0, 100, 255}, &pm_cosem_tariff_scripts_class, 0},
};

const struct pm_cosem_table pm_cosem_tariff_scripts_table = PM_COSEM_TABLE(tariff_scripts);
