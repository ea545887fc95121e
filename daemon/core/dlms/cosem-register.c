// SPDX-License-Identifier: GPL-2.0-only
/*
 * Register (class 3, version 0): attribute 2 value, 3 scaler_unit {integer scaler, enum unit};
 * method 1 reset, which no client may invoke (the registers are the meter's, never reset from
 * outside). Two kinds of objects: the measurement points with an OBIS code (model.h: every one a
 * Register, read by both clients) and the quantities bound to a Register (quantity.h: money,
 * prices, power limits, the tariff's rate registers), whose access is their model rows'.
 *
 * Values are long64: the snapshot's integers are 64 bits (energy in mWh, money in mu), and
 * value x 10^scaler unit is the model's own scaler, so nothing is rounded. Money's scaler is the
 * tariff currency's (pm_quantity_scaler: mu are 1/1000 of its minor unit), read with the value.
 */
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"

/*
 * IEC 62056-6-2's unit enumeration, as Gurux's Unit enum numbers it (gurux.dlms.java
 * development/src/main/java/gurux/dlms/enums/Unit.java; the reference's table for the
 * electrical ones): second 7, local currency 10, W 27, VA 28, var 29, Wh 30, VAh 31, varh 32,
 * A 33, V 35, Hz 44, other unit 254 (a price per kWh has no unit of its own), no unit 255 (a
 * count, a state, the power factor).
 */
uint8_t pm_cosem_unit(enum pm_unit unit)
{
	switch (unit) {
	case PM_UNIT_V:
		return 35;
	case PM_UNIT_A:
		return 33;
	case PM_UNIT_W:
		return 27;
	case PM_UNIT_VAR:
		return 29;
	case PM_UNIT_VA:
		return 28;
	case PM_UNIT_HZ:
		return 44;
	case PM_UNIT_WH:
		return 30;
	case PM_UNIT_VARH:
		return 32;
	case PM_UNIT_VAH:
		return 31;
	case PM_UNIT_SECOND:
		return 7;
	case PM_UNIT_CURRENCY:
		return 10;
	case PM_UNIT_CURRENCY_PER_KWH:
		return 254;
	case PM_UNIT_PF:
	case PM_UNIT_NONE:
	case PM_UNIT_COUNT:
		break;
	}
	return 255;
}

static void put_scaler_unit(struct pm_axdr_out *out, int8_t scaler, enum pm_unit unit)
{
	pm_axdr_put_structure(out, 2);
	pm_axdr_put_i8(out, scaler);
	pm_axdr_put_enum(out, pm_cosem_unit(unit));
}

/* ---- the measurement points ---- */

static enum pm_dlms_result point_get(const struct pm_cosem_object *o,
				     const struct pm_cosem_request *req, uint8_t attr,
				     const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	const struct pm_point *pt = &pm_points[o->arg];
	const struct pm_snapshot *snap = req->meter ? req->meter->snap : NULL;

	(void)sel;
	if (attr == 3) {
		put_scaler_unit(out, pt->scaler, pt->unit);
		return PM_DLMS_SUCCESS;
	}
	if (!snap || !snap->valid[o->arg])
		return PM_DLMS_OBJECT_UNAVAILABLE;
	pm_axdr_put_i64(out, snap->value[o->arg]);
	return PM_DLMS_SUCCESS;
}

const struct pm_cosem_class pm_cosem_point_register_class = {
    .class_id = 3,
    .version = 0,
    .n_attrs = 3,
    .n_methods = 1,
    .visible = pm_cosem_visible_to_all,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = point_get,
};

/* ---- the quantities bound to a Register ---- */

/* scaler_unit is read by whoever reads the value; nobody writes it. */
static enum pm_cosem_attr_access quantity_access(const struct pm_cosem_object *o,
						 enum pm_dlms_client client, uint8_t attr)
{
	if (attr == 3)
		return pm_cosem_bound_access(o, client, 2) & PM_COSEM_READ;
	return pm_cosem_bound_access(o, client, attr);
}

static enum pm_dlms_result quantity_get(const struct pm_cosem_object *o,
					const struct pm_cosem_request *req, uint8_t attr,
					const struct pm_cosem_selector *sel,
					struct pm_axdr_out *out)
{
	const struct pm_quantity *q = &pm_quantities[o->arg];

	if (attr == 3) {
		/* money's scaler follows the tariff's currency: value x 10^scaler is the amount */
		put_scaler_unit(
		    out, (int8_t)pm_quantity_scaler(req->meter ? req->meter->snap : NULL, o->arg),
		    q->unit);
		return PM_DLMS_SUCCESS;
	}
	return pm_cosem_bound_get(o, req, attr, sel, out);
}

const struct pm_cosem_class pm_cosem_register_class = {
    .class_id = 3,
    .version = 0,
    .n_attrs = 3,
    .n_methods = 1,
    .visible = pm_cosem_bound_visible,
    .attr_access = quantity_access,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = quantity_get,
    .set = pm_cosem_bound_set,
};
