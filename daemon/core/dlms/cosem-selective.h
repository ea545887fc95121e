/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Selective access on a Profile generic's buffer (IEC 62056-6-2, class 7 attribute 2), decoded
 * into the rows and columns to encode. The access-parameters, as dlms-cosem's
 * selective_access.py and capture_object.py encode them (u9n/dlms-cosem):
 *
 *   selector 1, range_descriptor: structure {restricting_object capture_object_definition,
 *       from_value, to_value, selected_values array of capture_object_definition}
 *   selector 2, entry_descriptor: structure {from_entry double-long-unsigned, to_entry
 *       double-long-unsigned, from_selected_value long-unsigned, to_selected_value
 *       long-unsigned}
 *   capture_object_definition: structure {class_id long-unsigned, logical_name
 *       octet-string(6), attribute_index integer, data_index long-unsigned}
 *
 * Range: the restricting object must be the buffer's clock column; from and to are date-times
 * (octet-string of 12, or the date-time tag), inclusive; one without a deviation is local time
 * at the meter's zone's offset then. selected_values empty: every column; else the columns
 * listed, each one of the capture objects, in the capture objects' order.
 *
 * Entry: entries and columns count from 1, oldest entry first; to_entry 0 and
 * to_selected_value 0 mean the last. A from of 0 is read as 1; a to beyond the last is the
 * last; to_entry below from_entry selects no entry.
 *
 * Results: parameters that are not such Data, or a date-time that is not one, type-unmatched;
 * a restricting object that is not the clock column, a selected value that is no capture
 * object, or a column range that selects no column, scope-of-access-violated. (A selector other
 * than 1 and 2 is refused by the directory, scope-of-access-violated too.)
 */
#ifndef POLYMETER_COSEM_SELECTIVE_H
#define POLYMETER_COSEM_SELECTIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/cosem-profile.h"
#include "core/dlms/cosem.h"

/* What a GET of the buffer encodes: rows (the meter's query) and columns (indexes into the
 * profile's capture objects, in their order). */
struct pm_cosem_selection {
	struct pm_cosem_rows_query q;
	uint8_t n_columns;
	uint8_t columns[PM_COSEM_MAX_COLUMNS];
};

/* The zone's offset east of UTC at @utc_s (for a date-time given without deviation). */
typedef int32_t (*pm_cosem_offset_fn)(const void *ctx, int64_t utc_s);

/*
 * @sel (NULL or selector 0: the whole buffer) against the capture objects @cols into @out.
 * PM_DLMS_SUCCESS, or the refusal above.
 */
enum pm_dlms_result pm_cosem_select(const struct pm_cosem_selector *sel,
				    const struct pm_cosem_column *cols, size_t n_cols,
				    pm_cosem_offset_fn offset, const void *ctx,
				    struct pm_cosem_selection *out);

#endif
