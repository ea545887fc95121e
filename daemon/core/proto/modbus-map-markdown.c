// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Modbus maps as Markdown tables (modbus-map.h): pm_mb_map_markdown() walks the SunSpec
 * chain a configuration gives (Common, 203, 213, vendor, end) and pm_mb_sdm630_markdown() the
 * SDM630 input registers, from the same tables the map is encoded from
 * (modbus-map-internal.h), so docs/modbus-map.md (make modbus-doc) cannot drift from the code.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/proto/modbus-map-internal.h"
#include "core/proto/modbus-map.h"
#include "core/proto/modbus-vendor.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL,
		      o->len < o->size ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void row(struct out *o, const struct pm_mb_map *map, unsigned off, unsigned regs,
		const char *model, const char *point, const char *type, const char *unit,
		const char *scale, const char *id)
{
	unsigned a = map->cfg.base + off;

	if (regs > 1)
		emit(o, "| %u–%u ", a, a + regs - 1);
	else
		emit(o, "| %u ", a);
	emit(o, "| %s | %s | %s | %s | %s | %s |\n", model, point, type, unit ? unit : "",
	     scale ? scale : "", id ? id : "");
}

static const char *point_id(int idx)
{
	return idx >= 0 ? pm_points[idx].id : "(not implemented)";
}

static void md_header(struct out *o, const struct pm_mb_map *map, unsigned off, const char *model,
		      unsigned id, unsigned len)
{
	char v[16];

	snprintf(v, sizeof(v), "= %u", id);
	row(o, map, off, 1, model, "ID", "uint16", NULL, v, NULL);
	snprintf(v, sizeof(v), "= %u", len);
	row(o, map, off + 1, 1, model, "L", "uint16", NULL, v, NULL);
}

size_t pm_mb_map_markdown(const struct pm_mb_map *map, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	unsigned off;
	char sc[32];

	if (size)
		buf[0] = '\0';
	emit(&o,
	     "| Address | Model | Point | Type | Unit | Scale | Object-model point or meaning |\n");
	emit(&o, "|---|---|---|---|---|---|---|\n");
	row(&o, map, 0, 2, "—", "SunS", "uint32", NULL, "= 0x53756E53", NULL);

	off = 2;
	md_header(&o, map, off, "1", 1, PM_MB_L_COMMON);
	off += 2;
	row(&o, map, off, PM_MB_MN_REGS, "1", "Mn", "string", NULL, "\"polymeter\"", NULL);
	off += PM_MB_MN_REGS;
	row(&o, map, off, PM_MB_MD_REGS, "1", "Md", "string", NULL, "config: model", NULL);
	off += PM_MB_MD_REGS;
	row(&o, map, off, PM_MB_OPT_REGS, "1", "Opt", "string", NULL, "config: options", NULL);
	off += PM_MB_OPT_REGS;
	row(&o, map, off, PM_MB_VR_REGS, "1", "Vr", "string", NULL, "config: version", NULL);
	off += PM_MB_VR_REGS;
	row(&o, map, off, PM_MB_SN_REGS, "1", "SN", "string", NULL, "config: serial", NULL);
	off += PM_MB_SN_REGS;
	row(&o, map, off, 1, "1", "DA", "uint16", NULL, "= unit id", NULL);
	row(&o, map, off + 1, 1, "1", "Pad", "pad", NULL, "= 0", NULL);

	if (map->off_203) {
		off = map->off_203;
		md_header(&o, map, off, "203", 203, PM_MB_L_203);
		off += 2;
		for (size_t i = 0; i < mb_model_203_count; i++) {
			const struct mb_field *f = &mb_model_203[i];
			unsigned n = mb_type_regs(f->type);

			if (f->type == T_SUNSSF)
				snprintf(sc, sizeof(sc), "= %d", mb_block_sf[f->block]);
			else if (f->type == T_BITFIELD32)
				snprintf(sc, sizeof(sc), "= 0 (no event)");
			else
				snprintf(sc, sizeof(sc), "× 10^%s", mb_block_sf_name[f->block]);
			row(&o, map, off, n, "203", f->name, mb_type_names[f->type], f->unit, sc,
			    f->type == T_INT16 || f->type == T_ACC32 ? point_id(map->pt_203[i])
								     : NULL);
			off += n;
		}
	}
	if (map->off_213) {
		off = map->off_213;
		md_header(&o, map, off, "213", 213, PM_MB_L_213);
		off += 2;
		for (size_t i = 0; i < mb_model_213_count; i++) {
			const struct mb_field *f = &mb_model_213[i];
			bool fl = f->type == T_FLOAT32;

			row(&o, map, off, 2, "213", f->name, mb_type_names[f->type], f->unit,
			    fl ? "1 (ABCD)" : "= 0 (no event)",
			    fl ? point_id(map->pt_213[i]) : NULL);
			off += 2;
		}
	}
	off = map->off_vendor;
	md_header(&o, map, off, "vendor", PM_MB_VENDOR_ID, map->vendor_len);
	off += 2;
	row(&o, map, off, 1, "vendor", "Ver", "uint16", NULL, "1", "vendor model version");
	row(&o, map, off + 1, 1, "vendor", "NPts", "uint16", NULL, "1",
	    "number of per-point values that follow");
	off = map->off_vendor + PM_MB_VENDOR_FIRST;
	while (off < map->off_vendor + pm_mb_vendor_points_offset()) {
		int k = pm_mb_vendor_at(off - map->off_vendor);
		const struct pm_quantity *q = &pm_quantities[k < 0 ? 0 : k];
		unsigned n = k < 0 ? 1 : pm_mb_vendor_regs(q->modbus.type);

		if (k < 0) /* a gap: the table check (test_model.c) rules it out */
			row(&o, map, off, 1, "vendor", "Pad", "pad", NULL, "= 0", NULL);
		else
			row(&o, map, off, n, "vendor", q->modbus.name,
			    pm_mb_vendor_type_name(q->modbus.type), q->modbus.unit, "1", q->desc);
		off += n;
	}
	for (unsigned i = 0; i < map->vendor_npts; i++) {
		const struct pm_point *p = &pm_points[map->vendor_pt[i]];

		char name[64];

		snprintf(name, sizeof(name), "%s%s",
			 p->phase == PM_MODEL_TOTAL ? ""
			 : p->phase == 0	    ? "L1"
			 : p->phase == 1	    ? "L2"
						    : "L3",
			 p->dbus_name);
		snprintf(sc, sizeof(sc), "× 10^%d", p->scaler);
		row(&o, map, off, 4, "vendor", name, "int64", pm_unit_name(p->unit), sc, p->id);
		off += 4;
	}
	row(&o, map, map->off_end, 1, "end", "ID", "uint16", NULL, "= 0xFFFF", NULL);
	row(&o, map, map->off_end + 1, 1, "end", "L", "uint16", NULL, "= 0", NULL);
	return o.len;
}

size_t pm_mb_sdm630_markdown(char *buf, size_t size)
{
	struct out o = {buf, size, 0};

	if (size)
		buf[0] = '\0';
	emit(&o, "| PDU address | 3xxxx register | Object-model point | Unit |\n");
	emit(&o, "|---|---|---|---|\n");
	for (size_t i = 0; i < mb_sdm_table_count; i++) {
		const struct pm_point *p = &pm_points[mb_find_point_id(mb_sdm_table[i].point)];

		emit(&o, "| 0x%04X | %u | %s%s%s | %s%s |\n", mb_sdm_table[i].addr,
		     30001u + mb_sdm_table[i].addr, p->id, mb_sdm_table[i].plus ? " + " : "",
		     mb_sdm_table[i].plus ? mb_sdm_table[i].plus : "",
		     mb_sdm_table[i].extra == -3 ? "k" : "",
		     p->unit == PM_UNIT_PF ? "—" : pm_unit_name(p->unit));
	}
	return o.len;
}
