// SPDX-License-Identifier: GPL-2.0-only
/*
 * The access rules the fixed objects share (cosem-objects.h). The model-bound objects take
 * theirs from the object model's read and write columns (cosem-binding.c).
 */
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-objects.h"

bool pm_cosem_visible_to_all(const struct pm_cosem_object *o, enum pm_dlms_client client)
{
	(void)o;
	return client == PM_DLMS_CLIENT_PUBLIC || client == PM_DLMS_CLIENT_MANAGEMENT;
}

bool pm_cosem_visible_to_management(const struct pm_cosem_object *o, enum pm_dlms_client client)
{
	(void)o;
	return client == PM_DLMS_CLIENT_MANAGEMENT;
}

enum pm_cosem_attr_access pm_cosem_read_by_all(const struct pm_cosem_object *o,
					       enum pm_dlms_client client, uint8_t attr)
{
	(void)attr;
	return o->cls->visible(o, client) ? PM_COSEM_READ : PM_COSEM_NO_ACCESS;
}

bool pm_cosem_no_methods(const struct pm_cosem_object *o, enum pm_dlms_client client,
			 uint8_t method)
{
	(void)o;
	(void)client;
	(void)method;
	return false;
}

bool pm_cosem_methods_by_management(const struct pm_cosem_object *o, enum pm_dlms_client client,
				    uint8_t method)
{
	(void)o;
	(void)method;
	return client == PM_DLMS_CLIENT_MANAGEMENT;
}

bool pm_cosem_needs_hls(const struct pm_cosem_object *o)
{
	switch (o->cls->class_id) {
	case 6:	  /* register activation */
	case 8:	  /* clock: setting or shifting it moves the tariff's switching times */
	case 9:	  /* script table: the disconnect and tariffication scripts */
	case 11:  /* special days table */
	case 20:  /* activity calendar */
	case 64:  /* security setup: the keys themselves (it takes HLS-GMAC anyway) */
	case 70:  /* disconnect control */
	case 71:  /* limiter */
	case 111: /* account */
	case 112: /* credit */
	case 113: /* charge */
	case 115: /* token gateway */
		return true;
	default:
		/* Data and Register objects are settings of every kind: which of them need HLS is
		 * the object model's to say, quantity by quantity */
		return pm_cosem_bound_needs_hls(o->cls->class_id, o->ln);
	}
}

uint8_t pm_cosem_no_selectors(const struct pm_cosem_object *o, uint8_t attr)
{
	(void)o;
	(void)attr;
	return 0;
}
