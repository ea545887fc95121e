// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vendor model's quantities (see modbus-vendor.h). Each register holds the quantity's
 * value at the binding's scale, "not implemented" (0xFFFF, 0xFFFFFFFF, 0x8000000000000000)
 * while the snapshot has no value for it (no account, no tariff, a rate the tariff does not
 * define). Scaling divides toward zero: a balance of -1.91 mill reads -1.
 *
 * Money registers are in mill (1/1000 of the currency unit) whatever the currency: the
 * account's mu are 1/1000 of the tariff's minor unit, so their scaler is -(minor_units + 3),
 * not the table's -5, which holds for two decimals only (GBP, EUR) and would publish a yen
 * (no decimals) as 0.01 and a Bahraini fils (three) as 10 mill.
 */
#include "core/proto/modbus-vendor.h"

unsigned pm_mb_vendor_regs(enum pm_mb_kind type)
{
	switch (type) {
	case PM_MB_UINT16:
	case PM_MB_ENUM16:
		return 1;
	case PM_MB_UINT32:
		return 2;
	case PM_MB_INT64:
		return 4;
	case PM_MB_NONE:
		break;
	}
	return 0;
}

const char *pm_mb_vendor_type_name(enum pm_mb_kind type)
{
	switch (type) {
	case PM_MB_UINT16:
		return "uint16";
	case PM_MB_ENUM16:
		return "enum16";
	case PM_MB_UINT32:
		return "uint32";
	case PM_MB_INT64:
		return "int64";
	case PM_MB_NONE:
		break;
	}
	return "";
}

unsigned pm_mb_vendor_points_offset(void)
{
	unsigned end = PM_MB_VENDOR_FIRST;

	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_modbus_binding *b = &pm_quantities[i].modbus;
		unsigned e = b->offset + pm_mb_vendor_regs(b->type);

		if (b->offset && e > end)
			end = e;
	}
	return end;
}

int pm_mb_vendor_at(unsigned offset)
{
	for (size_t i = 0; i < pm_quantity_count; i++)
		if (pm_quantities[i].modbus.offset && pm_quantities[i].modbus.offset == offset)
			return (int)i;
	return -1;
}

/* x 10^exp, exp < 0 dividing toward zero. */
static int64_t scale(int64_t x, int exp)
{
	for (; exp > 0; exp--)
		x *= 10;
	for (; exp < 0; exp++)
		x /= 10;
	return x;
}

static void put32(uint16_t *r, uint32_t v)
{
	r[0] = (uint16_t)(v >> 16);
	r[1] = (uint16_t)v;
}

static void put64(uint16_t *r, uint64_t v)
{
	put32(r, (uint32_t)(v >> 32));
	put32(r + 2, (uint32_t)v);
}

/* ISO 4217 minor units are 0..4 (the tariff file's bound); out of it is no tariff's: the
 * account's default two (meter/billing-view.c) */
#define MINOR_UNITS_MAX 4

/* @snap may be NULL (no snapshot yet: every value "not implemented", the scaler unused) */
static int value_scaler(const struct pm_quantity *q, const struct pm_snapshot *snap)
{
	int64_t minor = snap ? snap->account.minor_units : 2;

	if (q->unit != PM_UNIT_CURRENCY)
		return q->scaler;
	if (minor < 0 || minor > MINOR_UNITS_MAX)
		minor = 2;
	return -(int)(minor + 3);
}

void pm_mb_vendor_quantities(const struct pm_snapshot *snap, uint16_t *model)
{
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_quantity *q = &pm_quantities[i];
		const struct pm_modbus_binding *b = &q->modbus;
		uint16_t *r = model + b->offset;
		struct pm_value v;
		int64_t x;

		if (!b->offset)
			continue;
		pm_quantity_value(snap, i, &v);
		x = scale(v.i, value_scaler(q, snap) - b->scale);
		switch (b->type) {
		case PM_MB_UINT16:
		case PM_MB_ENUM16:
			r[0] = v.valid ? (uint16_t)x : 0xffff;
			break;
		case PM_MB_UINT32:
			/* a counter steps over 0xFFFFFFFF, which means "not implemented" */
			put32(r, !v.valid     ? 0xffffffffu
				 : b->skip_ni ? (uint32_t)((uint64_t)x % 0xffffffffu)
					      : (uint32_t)x);
			break;
		case PM_MB_INT64:
			put64(r, v.valid ? (uint64_t)x : 0x8000000000000000u);
			break;
		case PM_MB_NONE:
			break;
		}
	}
}
