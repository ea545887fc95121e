// SPDX-License-Identifier: GPL-2.0-only
/*
 * Register activation (class 6, version 0) at 0.0.14.0.0.255: which of the tariff's rate
 * registers count. Attributes (IEC 62056-6-2 as the reference's table gives them, Gurux's
 * GXDLMSRegisterActivation): 2 register_assignment, array of {class_id long-unsigned,
 * logical_name octet-string}: the import rate registers 1.0.1.8.1.255 .. 1.0.1.8.n.255, then the
 * export ones 1.0.2.8.1.255 .. 1.0.2.8.m.255 (Registers, class 3: the object model's rate
 * registers); 3 mask_list, array of {mask_name octet-string, index_list array of unsigned}: one
 * mask per import rate r, named by the one octet r, listing the import register r (its 1-based
 * position in register_assignment) and, when the tariff has a single export register, that one
 * (export counts on it whatever the rate; with several, the export rate has its own schedule,
 * which the masks do not say); 4 active_mask, octet-string: the current import rate's mask.
 *
 * Both clients read it. Methods 1 add_register, 2 add_mask and 3 delete_mask are offered to
 * nobody: the registers and masks follow the tariff.
 */
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"

static void put_rate_register(struct pm_axdr_out *out, uint8_t c, unsigned rate)
{
	const uint8_t ln[6] = {1, 0, c, 8, (uint8_t)rate, 255};

	pm_axdr_put_structure(out, 2);
	pm_axdr_put_u16(out, 3);
	pm_axdr_put_octet_string(out, ln, sizeof(ln));
}

static enum pm_dlms_result activation_get(const struct pm_cosem_object *o,
					  const struct pm_cosem_request *req, uint8_t attr,
					  const struct pm_cosem_selector *sel,
					  struct pm_axdr_out *out)
{
	const struct tariff *t = req->meter ? req->meter->tariff : NULL;
	const struct pm_snapshot *snap = req->meter ? req->meter->snap : NULL;
	unsigned n, m;
	uint8_t name;

	(void)o;
	(void)sel;
	if (!t)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	n = t->n_rates;
	m = t->n_export_rates;
	switch (attr) {
	case 2:
		pm_axdr_put_array(out, n + m);
		for (unsigned r = 1; r <= n; r++)
			put_rate_register(out, 1, r);
		for (unsigned r = 1; r <= m; r++)
			put_rate_register(out, 2, r);
		return PM_DLMS_SUCCESS;
	case 3:
		pm_axdr_put_array(out, n);
		for (unsigned r = 1; r <= n; r++) {
			name = (uint8_t)r;
			pm_axdr_put_structure(out, 2);
			pm_axdr_put_octet_string(out, &name, 1);
			pm_axdr_put_array(out, m == 1 ? 2 : 1);
			pm_axdr_put_u8(out, (uint8_t)r);
			if (m == 1)
				pm_axdr_put_u8(out, (uint8_t)(n + 1));
		}
		return PM_DLMS_SUCCESS;
	case 4:
		if (!snap || !snap->account.valid || !snap->account.has_tariff ||
		    snap->account.rate < 1 || snap->account.rate > (int64_t)n)
			return PM_DLMS_OBJECT_UNAVAILABLE;
		name = (uint8_t)snap->account.rate;
		pm_axdr_put_octet_string(out, &name, 1);
		return PM_DLMS_SUCCESS;
	default:
		return PM_DLMS_OBJECT_UNDEFINED;
	}
}

const struct pm_cosem_class pm_cosem_register_activation_class = {
    .class_id = 6,
    .version = 0,
    .n_attrs = 4,
    .n_methods = 3,
    .visible = pm_cosem_visible_to_all,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = activation_get,
};

static const struct pm_cosem_object register_activation[] = {
    {{0, 0, 14, 0, 0, 255}, &pm_cosem_register_activation_class, 0},
};

const struct pm_cosem_table pm_cosem_register_activation_table =
    PM_COSEM_TABLE(register_activation);
