/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The inside of the Modbus map (modbus-map.h), shared by its two files:
 *
 *   modbus-map.c           the model tables, the map's layout, encoding a snapshot, requests
 *   modbus-map-markdown.c  the same map as Markdown tables (docs/modbus-map.md)
 *
 * The tables are defined once, in modbus-map.c, and only read here. Nothing outside these two
 * files includes this header.
 */
#ifndef POLYMETER_MODBUS_MAP_INTERNAL_H
#define POLYMETER_MODBUS_MAP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/proto/modbus-map.h"

/* A SunSpec point type. */
enum mb_ftype {
	T_UINT16,
	T_INT16,
	T_SUNSSF,
	T_ACC32,
	T_UINT32,
	T_BITFIELD32,
	T_FLOAT32,
	T_INT64,
	T_ENUM16,
	T_STRING,
	T_PAD,
	T_COUNT
};

extern const char *const mb_type_names[T_COUNT]; /* SunSpec's names: "int16", "acc32", ... */
unsigned mb_type_regs(enum mb_ftype t);		 /* registers a point of this type takes */

/* Model 203's fixed scale factors and their points' names, by block. */
extern const int8_t mb_block_sf[PM_MB_SF_COUNT];
extern const char *const mb_block_sf_name[PM_MB_SF_COUNT];

/*
 * One point of a meter model after ID and L. `look` is the object model's SunSpec name
 * (model 203's spelling) when it differs from `name`; `block` the scale-factor block (203).
 */
struct mb_field {
	const char *name;
	const char *look;
	enum mb_ftype type;
	int8_t block;
	const char *unit;
};

/* The meter models' points after ID and L, in order. */
extern const struct mb_field mb_model_203[];
extern const size_t mb_model_203_count;
extern const struct mb_field mb_model_213[];
extern const size_t mb_model_213_count;

/* One float32 of the SDM630-compatible input map. */
struct mb_sdm_register {
	uint16_t addr;	   /* PDU address */
	const char *point; /* object-model id */
	int8_t extra;	   /* power of ten on top of the point's unit */
	const char *plus;  /* NULL, or a point added to it (same unit and scaler): the SDM630's
			    * "total" energy is import + export */
};

extern const struct mb_sdm_register mb_sdm_table[];
extern const size_t mb_sdm_table_count;

/* pm_points index of an object-model id (the SDM630 table names ids, not SunSpec points) */
int mb_find_point_id(const char *id);

#endif
