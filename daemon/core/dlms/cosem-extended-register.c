// SPDX-License-Identifier: GPL-2.0-only
/*
 * Extended register (class 4, version 0): the maximum demand of +A and -A. Attributes 2 value,
 * 3 scaler_unit, 4 status, 5 capture_time; method 1 reset, which nobody may invoke (the meter
 * rolls its months over itself, meter/meter.c).
 *
 * OBIS (IEC 62056-6-1, as Gurux's OBIS table lists it: gurux.dlms.java
 * development/src/main/resources/OBISCodes.txt, "1.0-64.<C>.6.0-63.255 Max. 1 ... Rate $E (0 is
 * total)" and "...6.0-63.101-125 ... $(F-100). last billing period"): C 1 (+A) or 2 (-A), D 6
 * (maximum 1), E 0 (total over the rates), F 255 for the current billing period, 101 the last
 * one, 102 the one before. The meter's billing periods for demand are UTC calendar months
 * (meter.h).
 *
 * value: the peak's mean power over the demand window, long64 in mW (scaler -3, unit W, 27);
 * capture_time: the end of the window it was measured in, local time of the meter's clock;
 * status (its type is the object's choice in the Blue Book): unsigned, 0 a peak was measured,
 * 1 none yet in that month (value 0, capture_time not specified).
 */
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-clock.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"

#define NS_PER_S 1000000000

static const struct pm_demand_peak *peak_of(const struct pm_cosem_meter *m, uint32_t arg)
{
	unsigned month = arg & 0xFF;

	if (month >= PM_DEMAND_MONTHS)
		return NULL;
	return arg >> 8 ? &m->demand_export[month] : &m->demand_import[month];
}

static enum pm_dlms_result demand_get(const struct pm_cosem_object *o,
				      const struct pm_cosem_request *req, uint8_t attr,
				      const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	const struct pm_demand_peak *p = req->meter ? peak_of(req->meter, o->arg) : NULL;
	int64_t end_s;

	(void)sel;
	if (!p)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	switch (attr) {
	case 2:
		pm_axdr_put_i64(out, p->valid ? p->demand_mw : 0);
		return PM_DLMS_SUCCESS;
	case 3:
		pm_axdr_put_structure(out, 2);
		pm_axdr_put_i8(out, -3);
		pm_axdr_put_enum(out, pm_cosem_unit(PM_UNIT_W));
		return PM_DLMS_SUCCESS;
	case 4:
		pm_axdr_put_u8(out, p->valid ? 0 : 1);
		return PM_DLMS_SUCCESS;
	case 5:
		if (!p->valid) {
			pm_cosem_put_datetime_unspecified(out);
			return PM_DLMS_SUCCESS;
		}
		end_s = p->end_ns / NS_PER_S;
		pm_cosem_clock_put_local(out, &req->meter->clock, end_s);
		return PM_DLMS_SUCCESS;
	default:
		return PM_DLMS_OBJECT_UNDEFINED;
	}
}

const struct pm_cosem_class pm_cosem_extended_register_class = {
    .class_id = 4,
    .version = 0,
    .n_attrs = 5,
    .n_methods = 1,
    .visible = pm_cosem_visible_to_all,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = demand_get,
};

#define DEMAND(c, f, export, month)                                                                \
	{                                                                                          \
		{1, 0, c, 6, 0, f}, &pm_cosem_extended_register_class,                             \
		    PM_COSEM_DEMAND_ARG(export, month)                                             \
	}

static const struct pm_cosem_object demand[] = {
    DEMAND(1, 255, 0, 0), DEMAND(1, 101, 0, 1), DEMAND(1, 102, 0, 2),
    DEMAND(2, 255, 1, 0), DEMAND(2, 101, 1, 1), DEMAND(2, 102, 1, 2),
};

const struct pm_cosem_table pm_cosem_demand_table = PM_COSEM_TABLE(demand);
