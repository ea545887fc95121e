/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * modbus-map: the Modbus register map of the meter, a pure codec over the object model.
 *
 * No I/O, no clock, no state of its own besides the configuration: the register image is
 * built from ONE snapshot (struct pm_snapshot), so the registers of a read (and the two words
 * of a 32-bit value) always come from the same scan. A transport may keep the image between
 * requests (struct pm_mb_image): it is rebuilt when the snapshot changes, not per request.
 * The transports (Modbus TCP, RTU) only frame bytes; the PDU is validated and answered here.
 *
 * Layout (holding registers, FC 0x03, PDU addresses, base = 40000 by default):
 *
 *   base+0  "SunS" (0x5375 0x6E53)
 *   base+2  Common model 1, L = 66: Mn "polymeter", Md, Opt, Vr, SN, DA = unit id, Pad
 *   then    meter model 203 (wye, int16/acc32 + scale factors, L = 105) if enabled
 *   then    meter model 213 (wye, float32, L = 124) if enabled
 *   then    vendor model PM_MB_VENDOR_ID (what SunSpec has no points for)
 *   then    end model 0xFFFF, L = 0
 *
 * Every 32-bit and 64-bit value is big-endian, high word first (ABCD), as SunSpec says.
 * docs/modbus-map.md is generated from this code (pm_mb_map_markdown).
 */
#ifndef POLYMETER_MODBUS_MAP_H
#define POLYMETER_MODBUS_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model/model.h"

/* Modbus exception codes this map answers with. */
enum pm_mb_exception {
	PM_MB_EX_NONE = 0,
	PM_MB_EX_ILLEGAL_FUNCTION = 0x01,
	PM_MB_EX_ILLEGAL_DATA_ADDRESS = 0x02,
	PM_MB_EX_ILLEGAL_DATA_VALUE = 0x03,
	PM_MB_EX_GATEWAY_TARGET = 0x0B, /* used by the TCP transport for a wrong unit id */
};

#define PM_MB_MAX_READ 125     /* registers per read (FC 0x03) */
#define PM_MB_MAX_PDU 253      /* function code + data */
#define PM_MB_SUNS_HI 0x5375   /* "Su" */
#define PM_MB_SUNS_LO 0x6E53   /* "nS" */
#define PM_MB_VENDOR_ID 64900  /* polymeter vendor model (not a registered SunSpec ID) */
#define PM_MB_VENDOR_VERSION 2 /* register 2 of the vendor model (see modbus-map.c) */
#define PM_MB_RATES 8	       /* per-rate registers of the vendor model, import and export */
#define PM_MB_END_ID 0xFFFF
#define PM_MB_POINTS_MAX 128 /* object-model points the map can carry */
#define PM_MB_FIELDS_MAX 96  /* points of one SunSpec meter model */
#define PM_MB_IMAGE_MAX 1024 /* registers of the whole map, at most */
#define PM_MB_SDM_MAX 64     /* float32 registers of the SDM630 input map, at most */

/* Lengths (L, registers after ID and L) as the SunSpec model definitions say. */
#define PM_MB_L_COMMON 66
#define PM_MB_L_203 105
#define PM_MB_L_213 124

/* Text points of the Common model, in registers (2 characters per register). */
#define PM_MB_MN_REGS 16
#define PM_MB_MD_REGS 16
#define PM_MB_OPT_REGS 8
#define PM_MB_VR_REGS 8
#define PM_MB_SN_REGS 16

struct pm_mb_config {
	uint16_t base;	     /* 0, 40000 or 50000: the addresses SunSpec scanners probe */
	uint8_t unit_id;     /* 1..247: the Modbus address, also the Common model's DA */
	bool model_203;	     /* integer + scale factor meter model */
	bool model_213;	     /* float32 meter model; at least one of the two */
	bool writes;	     /* writes enabled in config (no point of the map is writable yet) */
	bool sdm630;	     /* also answer FC 0x04 with an Eastron SDM630-compatible input map */
	const char *model;   /* Md, <= 32 characters, printable ASCII */
	const char *options; /* Opt, <= 16 */
	const char *version; /* Vr, <= 16 */
	const char *serial;  /* SN, <= 32 */
};

/* A validated configuration and the layout derived from it. */
struct pm_mb_map {
	struct pm_mb_config cfg;
	char model[2 * PM_MB_MD_REGS + 1];
	char options[2 * PM_MB_OPT_REGS + 1];
	char version[2 * PM_MB_VR_REGS + 1];
	char serial[2 * PM_MB_SN_REGS + 1];
	/* offsets from base of each model's ID register, 0 when the model is absent */
	uint16_t off_203;
	uint16_t off_213;
	uint16_t off_vendor;
	uint16_t off_end;
	uint16_t vendor_len; /* L of the vendor model */
	uint16_t nregs;	     /* registers from base to the end model's L, inclusive */
	/* object-model point of each model field (pm_points index), -1 for none */
	int16_t pt_203[PM_MB_FIELDS_MAX];
	int16_t pt_213[PM_MB_FIELDS_MAX];
	/* points SunSpec has no name for, carried by the vendor model in this order */
	int16_t vendor_pt[PM_MB_POINTS_MAX];
	uint16_t vendor_npts;
	/* object-model points of each SDM630 register (its point, the one added or -1) */
	int16_t sdm_pt[PM_MB_SDM_MAX][2];
};

/* Defaults: base 40000, unit 1, both meter models, read-only. */
void pm_mb_config_default(struct pm_mb_config *cfg);

/*
 * Validates cfg and lays the map out. Returns 0, or -EINVAL with *why set to a message for
 * the operator (and *map untouched).
 */
int pm_mb_map_init(struct pm_mb_map *map, const struct pm_mb_config *cfg, const char **why);

/*
 * Builds the whole register image (map->nregs registers, img[0] = address base) from one
 * snapshot. snap == NULL gives every measurement as "not implemented".
 */
void pm_mb_map_image(const struct pm_mb_map *map, const struct pm_snapshot *snap, uint16_t *img);

/*
 * Validates a request before anything is answered: function code, then quantity, then
 * address range (the order of the Modbus application protocol's state diagrams).
 * For reads `count` is the quantity of registers; for writes the quantity written (1 for
 * FC 0x06). Returns 0 or an exception code (enum pm_mb_exception).
 */
uint8_t pm_mb_map_validate(const struct pm_mb_map *map, uint8_t fc, uint16_t addr, uint16_t count);

/*
 * Reads registers: validates (FC 0x03) and, when valid, fills out[0..count) from one image
 * of snap. Returns 0 or the exception code (out untouched).
 */
uint8_t pm_mb_map_read(const struct pm_mb_map *map, const struct pm_snapshot *snap, uint16_t addr,
		       uint16_t count, uint16_t *out);

/* The SDM630-compatible input registers (FC 0x04): PDU addresses 0 .. PM_MB_SDM_REGS - 1. */
#define PM_MB_SDM_REGS 0x188

/*
 * Reads input registers of the SDM630-compatible map (FC 0x04, float32 high word first, energy
 * in kWh / kvarh as an SDM630 reports it) from one snapshot. Returns 0 or the exception code:
 * ILLEGAL FUNCTION when the map has no SDM630 view, ILLEGAL DATA VALUE for a count outside
 * 1..125, ILLEGAL DATA ADDRESS beyond the table. Quantities the SDM630 has and we do not
 * (phase angles, THD, demand) read as NaN.
 */
uint8_t pm_mb_map_read_input(const struct pm_mb_map *map, const struct pm_snapshot *snap,
			     uint16_t addr, uint16_t count, uint16_t *out);

/* The SDM630 input map as a markdown table, in the manner of snprintf (as pm_mb_map_markdown). */
size_t pm_mb_sdm630_markdown(char *buf, size_t size);

/* Builds the whole SDM630-compatible input image (PM_MB_SDM_REGS registers) from one snapshot. */
void pm_mb_map_input_image(const struct pm_mb_map *map, const struct pm_snapshot *snap,
			   uint16_t *img);

/*
 * The register images of one snapshot, kept by a transport between requests (modbus-image.c).
 * Building the holding image costs a few microseconds (447 registers, a float each for model
 * 213); a master polls far more often than the meter publishes, so an image is built once per
 * published snapshot and each read is a copy from it. The key is everything the images are
 * built from that can change without the map's configuration: the snapshot's seq (the values,
 * at every fill), its event count (logged between fills) and its account (set after the fill
 * it belongs to), compared whole so that no writer can forget to announce a change.
 */
struct pm_mb_image {
	const struct pm_snapshot *snap; /* the key: NULL = nothing built */
	uint64_t seq;
	uint64_t events;
	bool has_events;
	bool holding_built, input_built;
	struct pm_snapshot_account account;
	uint16_t holding[PM_MB_IMAGE_MAX];
	uint16_t input[PM_MB_SDM_REGS];
};

/* An empty image: the first request builds it. */
void pm_mb_image_init(struct pm_mb_image *im);

/* The holding (pm_mb_map_image) or input (pm_mb_map_input_image) image of @snap, built only if
 * @snap changed since @im was last built from it. @snap == NULL: built every time. */
const uint16_t *pm_mb_image_holding(struct pm_mb_image *im, const struct pm_mb_map *map,
				    const struct pm_snapshot *snap);
const uint16_t *pm_mb_image_input(struct pm_mb_image *im, const struct pm_mb_map *map,
				  const struct pm_snapshot *snap);

/*
 * Answers one request PDU (function code + data, without unit id or MBAP/CRC) into resp
 * (PM_MB_MAX_PDU bytes): a normal response or an exception response (fc | 0x80, code).
 * A PDU too short or too long for its function code is answered with ILLEGAL DATA VALUE.
 * Returns the response length (always >= 2). Reads come from @im, kept between calls.
 */
size_t pm_mb_map_answer(const struct pm_mb_map *map, struct pm_mb_image *im,
			const struct pm_snapshot *snap, const uint8_t *req, size_t len,
			uint8_t *resp);

/* pm_mb_map_answer() from an image built for this request alone. */
size_t pm_mb_map_handle_pdu(const struct pm_mb_map *map, const struct pm_snapshot *snap,
			    const uint8_t *req, size_t len, uint8_t *resp);

/*
 * The whole map as a markdown table (address, model, point, type, unit, scale), in the
 * manner of snprintf: writes at most size bytes (NUL-terminated when size > 0) and returns
 * the length the whole text needs.
 */
size_t pm_mb_map_markdown(const struct pm_mb_map *map, char *buf, size_t size);

/* Scale factor (power of ten) of each int16 block of model 203, exported for tests/docs. */
enum pm_mb_sf_block {
	PM_MB_SF_A,
	PM_MB_SF_V,
	PM_MB_SF_HZ,
	PM_MB_SF_W,
	PM_MB_SF_VA,
	PM_MB_SF_VAR,
	PM_MB_SF_PF,
	PM_MB_SF_WH,
	PM_MB_SF_VAH,
	PM_MB_SF_VARH,
	PM_MB_SF_COUNT
};
int pm_mb_sf(enum pm_mb_sf_block b);

#endif
