/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The polymeter vendor model (PM_MB_VENDOR_ID) of the Modbus map, generated from the object
 * model: its fixed points are the quantities with a Modbus binding (core/model/quantity.h), at
 * the offsets the table gives; the per-point values (measurement points SunSpec has no name
 * for) follow them. Offsets count from the model's ID register: 0 ID, 1 L, 2 Ver, 3 NPts, then
 * the quantities from PM_MB_VENDOR_FIRST on.
 */
#ifndef POLYMETER_MODBUS_VENDOR_H
#define POLYMETER_MODBUS_VENDOR_H

#include <stdint.h>

#include "core/model/quantity.h"

#define PM_MB_VENDOR_FIRST 4 /* offset of the first quantity, after ID, L, Ver, NPts */

/* Registers a point of this type takes. */
unsigned pm_mb_vendor_regs(enum pm_mb_kind type);
const char *pm_mb_vendor_type_name(enum pm_mb_kind type);
/* Offset of the first per-point value: the end of the quantities with a vendor binding. */
unsigned pm_mb_vendor_points_offset(void);
/* The quantity at this offset, or -1. */
int pm_mb_vendor_at(unsigned offset);
/* Writes every quantity of the vendor model into @model (its ID register at model[0]). */
void pm_mb_vendor_quantities(const struct pm_snapshot *snap, uint16_t *model);

#endif
