// SPDX-License-Identifier: GPL-2.0-only
/*
 * Special days table (class 11, version 0) at 0.0.11.0.0.255: the active tariff's special days
 * that pin the import rate (tou-calendar.h), read by both clients. Attribute 2 entries: array of
 * {index long-unsigned, specialday_date octet-string (date, 5: year, month, day, day of week),
 * day_id unsigned} (IEC 62056-6-2 as the reference's table gives it, Gurux's
 * GXDLMSSpecialDaysTable); a yearly special day has its year "not specified" (0xFFFF), the day
 * of week is never specified. day_id is the Activity calendar's "all day on that rate" day
 * profile.
 *
 * Methods 1 insert and 2 delete are offered to nobody: special days come with the tariff (its
 * file, or a whole future tariff), which also says what the meter does on them that COSEM has
 * no words for (the auxiliary relay, friendly days).
 */
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/tou-calendar.h"

#define COSEM_DATE_LEN 5

static enum pm_dlms_result special_days_get(const struct pm_cosem_object *o,
					    const struct pm_cosem_request *req, uint8_t attr,
					    const struct pm_cosem_selector *sel,
					    struct pm_axdr_out *out)
{
	struct pm_tou_special_day days[PM_TOU_MAX_SPECIAL_DAYS];
	size_t n;

	(void)o;
	(void)sel;
	if (attr != 2)
		return PM_DLMS_OBJECT_UNDEFINED;
	if (!req->meter || !req->meter->tariff)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	n = pm_tou_special_days(req->meter->tariff, days);
	pm_axdr_put_array(out, n);
	for (size_t i = 0; i < n; i++) {
		const uint8_t date[COSEM_DATE_LEN] = {(uint8_t)(days[i].year >> 8),
						      (uint8_t)days[i].year, days[i].month,
						      days[i].day, 0xFF};

		pm_axdr_put_structure(out, 3);
		pm_axdr_put_u16(out, days[i].index);
		pm_axdr_put_octet_string(out, date, sizeof(date));
		pm_axdr_put_u8(out, days[i].day_id);
	}
	return PM_DLMS_SUCCESS;
}

const struct pm_cosem_class pm_cosem_special_days_class = {
    .class_id = 11,
    .version = 0,
    .n_attrs = 2,
    .n_methods = 2,
    .visible = pm_cosem_visible_to_all,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = special_days_get,
};

static const struct pm_cosem_object special_days[] = {
    {{0, 0, 11, 0, 0, 255}, &pm_cosem_special_days_class, 0},
};

const struct pm_cosem_table pm_cosem_special_days_table = PM_COSEM_TABLE(special_days);
