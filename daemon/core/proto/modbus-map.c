// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Modbus register map (see modbus-map.h): SunSpec Common model 1, meter models 203 and
 * 213, the polymeter vendor model and the end model, encoded from one snapshot.
 *
 * Model 203 carries int16 values with one fixed scale factor per block (value = raw x 10^SF).
 * Fixed, so a client may read the scale factors once. They are chosen for a direct-connected
 * 3 x 100 A meter (or a CT meter up to 327 A per phase) on a 230/400 V network:
 *
 *   block      SF   resolution   int16 range          why
 *   A          -2   0.01 A       +-327.67 A           total A = sum of phases, 300 A at 3x100 A
 *   V          -1   0.1 V        +-3276.7 V           line-to-line 400 V with room for 690 V
 *   Hz         -2   0.01 Hz      +-327.67 Hz          50/60 Hz
 *   W, VA, var  1   10 W         +-327.67 kW          3 x 100 A x 230 V = 69 kW total
 *   PF         -2   0.01 %       +-327.67 %           PF in percent (unit Pct), -100..100
 *   Wh, VAh, varh 0 1 Wh         acc32: 0..4 294 967 295, then rolls over (accumulator)
 *
 * An int16 beyond its range is clamped to +-32767 (never -32768, which means "not
 * implemented"); an accumulator rolls over modulo 2^32 as SunSpec's acc32 does, and counts
 * whole units (truncated: a Wh is published once it is complete). Full resolution is in
 * model 213 (float32) and, for the points SunSpec lacks, in the vendor model (int64 at the
 * object model's own scaler).
 *
 * Model 213 floats are IEEE-754 single precision, high word first (ABCD); PF is the ratio
 * -1..1 (unit "PF"), signed like the active power.
 *
 * The same tables give the map's Markdown document (modbus-map-markdown.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/proto/modbus-map-internal.h"
#include "core/proto/modbus-map.h"
#include "core/proto/modbus-vendor.h"
#include "core/proto/pow10.h"

const char *const mb_type_names[T_COUNT] = {
    [T_UINT16] = "uint16",   [T_INT16] = "int16",   [T_SUNSSF] = "sunssf",
    [T_ACC32] = "acc32",     [T_UINT32] = "uint32", [T_BITFIELD32] = "bitfield32",
    [T_FLOAT32] = "float32", [T_INT64] = "int64",   [T_ENUM16] = "enum16",
    [T_STRING] = "string",   [T_PAD] = "pad",
};

unsigned mb_type_regs(enum mb_ftype t)
{
	switch (t) {
	case T_ACC32:
	case T_UINT32:
	case T_BITFIELD32:
	case T_FLOAT32:
		return 2;
	case T_INT64:
		return 4;
	default:
		return 1;
	}
}

/* Fixed scale factors of model 203 (see the table at the top). */
const int8_t mb_block_sf[PM_MB_SF_COUNT] = {
    [PM_MB_SF_A] = -2,	[PM_MB_SF_V] = -1,   [PM_MB_SF_HZ] = -2, [PM_MB_SF_W] = 1,
    [PM_MB_SF_VA] = 1,	[PM_MB_SF_VAR] = 1,  [PM_MB_SF_PF] = -2, [PM_MB_SF_WH] = 0,
    [PM_MB_SF_VAH] = 0, [PM_MB_SF_VARH] = 0,
};

const char *const mb_block_sf_name[PM_MB_SF_COUNT] = {
    [PM_MB_SF_A] = "A_SF",	    [PM_MB_SF_V] = "V_SF",	[PM_MB_SF_HZ] = "Hz_SF",
    [PM_MB_SF_W] = "W_SF",	    [PM_MB_SF_VA] = "VA_SF",	[PM_MB_SF_VAR] = "VAR_SF",
    [PM_MB_SF_PF] = "PF_SF",	    [PM_MB_SF_WH] = "TotWh_SF", [PM_MB_SF_VAH] = "TotVAh_SF",
    [PM_MB_SF_VARH] = "TotVArh_SF",
};

int pm_mb_sf(enum pm_mb_sf_block b)
{
	return b < PM_MB_SF_COUNT ? mb_block_sf[b] : 0;
}

#define I16(n, b, u)                                                                               \
	{                                                                                          \
		n, NULL, T_INT16, PM_MB_SF_##b, u                                                  \
	}
#define SF(b)                                                                                      \
	{                                                                                          \
#b "_SF", NULL, T_SUNSSF, PM_MB_SF_##b, NULL                                       \
	}
#define ACC(n, b, u)                                                                               \
	{                                                                                          \
		n, NULL, T_ACC32, PM_MB_SF_##b, u                                                  \
	}
#define ACC4(n, b, u) ACC(n, b, u), ACC(n "PhA", b, u), ACC(n "PhB", b, u), ACC(n "PhC", b, u)

/* json/model_203.json: offsets 2..106, L = 105 */
const struct mb_field mb_model_203[] = {
    I16("A", A, "A"),
    I16("AphA", A, "A"),
    I16("AphB", A, "A"),
    I16("AphC", A, "A"),
    SF(A),
    I16("PhV", V, "V"),
    I16("PhVphA", V, "V"),
    I16("PhVphB", V, "V"),
    I16("PhVphC", V, "V"),
    I16("PPV", V, "V"),
    I16("PhVphAB", V, "V"),
    I16("PhVphBC", V, "V"),
    I16("PhVphCA", V, "V"),
    SF(V),
    I16("Hz", HZ, "Hz"),
    {"Hz_SF", NULL, T_SUNSSF, PM_MB_SF_HZ, NULL},
    I16("W", W, "W"),
    I16("WphA", W, "W"),
    I16("WphB", W, "W"),
    I16("WphC", W, "W"),
    SF(W),
    I16("VA", VA, "VA"),
    I16("VAphA", VA, "VA"),
    I16("VAphB", VA, "VA"),
    I16("VAphC", VA, "VA"),
    SF(VA),
    I16("VAR", VAR, "var"),
    I16("VARphA", VAR, "var"),
    I16("VARphB", VAR, "var"),
    I16("VARphC", VAR, "var"),
    SF(VAR),
    I16("PF", PF, "Pct"),
    I16("PFphA", PF, "Pct"),
    I16("PFphB", PF, "Pct"),
    I16("PFphC", PF, "Pct"),
    SF(PF),
    ACC4("TotWhExp", WH, "Wh"),
    ACC4("TotWhImp", WH, "Wh"),
    {"TotWh_SF", NULL, T_SUNSSF, PM_MB_SF_WH, NULL},
    ACC4("TotVAhExp", VAH, "VAh"),
    ACC4("TotVAhImp", VAH, "VAh"),
    {"TotVAh_SF", NULL, T_SUNSSF, PM_MB_SF_VAH, NULL},
    ACC4("TotVArhImpQ1", VARH, "varh"),
    ACC4("TotVArhImpQ2", VARH, "varh"),
    ACC4("TotVArhExpQ3", VARH, "varh"),
    ACC4("TotVArhExpQ4", VARH, "varh"),
    {"TotVArh_SF", NULL, T_SUNSSF, PM_MB_SF_VARH, NULL},
    {"Evt", NULL, T_BITFIELD32, 0, NULL},
};

#define FL(n, u)                                                                                   \
	{                                                                                          \
		n, NULL, T_FLOAT32, 0, u                                                           \
	}
#define FLL(n, l, u)                                                                               \
	{                                                                                          \
		n, l, T_FLOAT32, 0, u                                                              \
	}
#define FL4(n, u) FL(n, u), FL(n "PhA", u), FL(n "PhB", u), FL(n "PhC", u)
#define FLQ(n, u)                                                                                  \
	FL(n, u), FLL(n "phA", n "PhA", u), FLL(n "phB", n "PhB", u), FLL(n "phC", n "PhC", u)

/* json/model_213.json: offsets 2..125, L = 124 */
const struct mb_field mb_model_213[] = {
    FL("A", "A"),
    FL("AphA", "A"),
    FL("AphB", "A"),
    FL("AphC", "A"),
    FL("PhV", "V"),
    FL("PhVphA", "V"),
    FL("PhVphB", "V"),
    FL("PhVphC", "V"),
    FL("PPV", "V"),
    FLL("PPVphAB", "PhVphAB", "V"),
    FLL("PPVphBC", "PhVphBC", "V"),
    FLL("PPVphCA", "PhVphCA", "V"),
    FL("Hz", "Hz"),
    FL("W", "W"),
    FL("WphA", "W"),
    FL("WphB", "W"),
    FL("WphC", "W"),
    FL("VA", "VA"),
    FL("VAphA", "VA"),
    FL("VAphB", "VA"),
    FL("VAphC", "VA"),
    FL("VAR", "var"),
    FL("VARphA", "var"),
    FL("VARphB", "var"),
    FL("VARphC", "var"),
    FL("PF", "PF"),
    FL("PFphA", "PF"),
    FL("PFphB", "PF"),
    FL("PFphC", "PF"),
    FL4("TotWhExp", "Wh"),
    FL4("TotWhImp", "Wh"),
    FL4("TotVAhExp", "VAh"),
    FL4("TotVAhImp", "VAh"),
    FLQ("TotVArhImpQ1", "varh"),
    FLQ("TotVArhImpQ2", "varh"),
    FLQ("TotVArhExpQ3", "varh"),
    FLQ("TotVArhExpQ4", "varh"),
    {"Evt", NULL, T_BITFIELD32, 0, NULL},
};

#define N203 (sizeof(mb_model_203) / sizeof(mb_model_203[0]))
#define N213 (sizeof(mb_model_213) / sizeof(mb_model_213[0]))
const size_t mb_model_203_count = N203;
const size_t mb_model_213_count = N213;

/*
 * The vendor model (modbus-vendor.c): its quantities at the offsets the object model gives
 * (core/model/quantity.c), then the per-point values. Version 1 ended at EvtCnt (offset 27);
 * version 2 keeps offsets 2..27 and inserts the auxiliary relay and the per-rate registers at
 * 28..93, so the per-point values that follow start at offset 94 instead of 28. Fixed offsets
 * (not after the per-point values) so that a new object-model point never moves them.
 */
_Static_assert(PM_MB_RATES == PM_SNAPSHOT_RATES, "one vendor register per snapshot rate");

static bool vendor_point(const struct pm_point *p)
{
	return p->sunspec == NULL;
}

void pm_mb_config_default(struct pm_mb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->base = 40000;
	cfg->unit_id = 1;
	cfg->model_203 = true;
	cfg->model_213 = true;
	cfg->model = "polymeterd";
	cfg->options = "";
	cfg->version = "";
	cfg->serial = "";
}

static bool text_ok(const char *s, size_t max, char *dst)
{
	size_t n = s ? strlen(s) : 0;

	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	memset(dst, 0, max + 1);
	if (n)
		memcpy(dst, s, n);
	return true;
}

/* pm_points index of an object-model id (the SDM630 table names ids, not SunSpec points) */
int mb_find_point_id(const char *id)
{
	return pm_point_find(id);
}

static int find_point(const char *sunspec)
{
	for (size_t i = 0; i < pm_point_count; i++)
		if (pm_points[i].sunspec && !strcmp(pm_points[i].sunspec, sunspec))
			return (int)i;
	return -1;
}

int pm_mb_map_init(struct pm_mb_map *map, const struct pm_mb_config *cfg, const char **why)
{
	struct pm_mb_map m;
	unsigned off, vpts = 0;

	memset(&m, 0, sizeof(m));
	m.cfg = *cfg;
	if (cfg->base != 0 && cfg->base != 40000 && cfg->base != 50000) {
		*why = "base must be 0, 40000 or 50000 (the addresses SunSpec scanners probe)";
		return -EINVAL;
	}
	if (cfg->unit_id < 1 || cfg->unit_id > 247) {
		*why = "unit id must be 1..247";
		return -EINVAL;
	}
	if (!cfg->model_203 && !cfg->model_213) {
		*why = "at least one meter model (203 or 213) must be enabled";
		return -EINVAL;
	}
	if (!text_ok(cfg->model, 2 * PM_MB_MD_REGS, m.model) ||
	    !text_ok(cfg->options, 2 * PM_MB_OPT_REGS, m.options) ||
	    !text_ok(cfg->version, 2 * PM_MB_VR_REGS, m.version) ||
	    !text_ok(cfg->serial, 2 * PM_MB_SN_REGS, m.serial)) {
		*why = "model/serial at most 32, options/version at most 16 printable ASCII "
		       "characters";
		return -EINVAL;
	}
	if (pm_point_count > PM_MB_POINTS_MAX || N203 > PM_MB_FIELDS_MAX ||
	    N213 > PM_MB_FIELDS_MAX || mb_sdm_table_count > PM_MB_SDM_MAX) {
		*why = "object model larger than the Modbus map can hold (PM_MB_POINTS_MAX)";
		return -EINVAL;
	}
	for (size_t i = 0; i < N203; i++)
		m.pt_203[i] =
		    (int16_t)(mb_model_203[i].type == T_INT16 || mb_model_203[i].type == T_ACC32
				  ? find_point(mb_model_203[i].name)
				  : -1);
	for (size_t i = 0; i < N213; i++)
		m.pt_213[i] =
		    (int16_t)(mb_model_213[i].type == T_FLOAT32
				  ? find_point(mb_model_213[i].look ? mb_model_213[i].look
								    : mb_model_213[i].name)
				  : -1);
	for (size_t i = 0; i < pm_point_count; i++)
		if (vendor_point(&pm_points[i]))
			m.vendor_pt[vpts++] = (int16_t)i;
	for (size_t i = 0; i < mb_sdm_table_count; i++) {
		m.sdm_pt[i][0] = (int16_t)mb_find_point_id(mb_sdm_table[i].point);
		m.sdm_pt[i][1] =
		    (int16_t)(mb_sdm_table[i].plus ? mb_find_point_id(mb_sdm_table[i].plus) : -1);
	}
	m.vendor_npts = (uint16_t)vpts;

	off = 2 + 2 + PM_MB_L_COMMON;
	if (cfg->model_203) {
		m.off_203 = (uint16_t)off;
		off += 2 + PM_MB_L_203;
	}
	if (cfg->model_213) {
		m.off_213 = (uint16_t)off;
		off += 2 + PM_MB_L_213;
	}
	m.off_vendor = (uint16_t)off;
	m.vendor_len = (uint16_t)(pm_mb_vendor_points_offset() - 2 + 4 * vpts);
	off += 2 + m.vendor_len;
	m.off_end = (uint16_t)off;
	m.nregs = (uint16_t)(off + 2);
	if (m.nregs > PM_MB_IMAGE_MAX || (unsigned)cfg->base + m.nregs > 65536) {
		*why = "map does not fit below address 65536";
		return -EINVAL;
	}
	*map = m;
	return 0;
}

/* ---- encoding ---- */

/* v x 10^shift, rounded half away from zero, saturated to int64 */
static int64_t rescale_round(int64_t v, int shift)
{
	if (shift >= 0) {
		int64_t p = pm_pow10_int64(shift > PM_POW10_INT64_MAX ? PM_POW10_INT64_MAX : shift);

		if (v > INT64_MAX / p)
			return INT64_MAX;
		if (v < INT64_MIN / p)
			return INT64_MIN;
		return v * p;
	}
	if (shift < -PM_POW10_INT64_MAX)
		return 0;
	int64_t p = pm_pow10_int64(-shift);
	int64_t q = v / p, r = v % p;

	if (r >= 0 ? 2 * r >= p : -2 * r >= p)
		q += v < 0 ? -1 : 1;
	return q;
}

/* The snapshot's integer for point idx, in units x 10^-scaler; false when no value. */
static bool snap_value(const struct pm_snapshot *snap, int idx, int64_t *v)
{
	if (!snap || idx < 0 || !snap->valid[idx])
		return false;
	*v = snap->value[idx];
	return true;
}

/* SunSpec PF in 203 is in percent: the object model's ratio scaled by 10^2. */
static int unit_shift(const struct pm_point *p, bool percent_pf)
{
	return p->unit == PM_UNIT_PF && percent_pf ? 2 : 0;
}

static uint16_t enc_int16(const struct pm_snapshot *snap, int idx, int sf)
{
	int64_t v, raw;

	if (!snap_value(snap, idx, &v))
		return 0x8000;
	raw = rescale_round(v, pm_points[idx].scaler + unit_shift(&pm_points[idx], true) - sf);
	if (raw > 32767)
		raw = 32767;
	if (raw < -32767)
		raw = -32767;
	return (uint16_t)(int16_t)raw;
}

/* acc32: whole units (truncated), modulo 2^32; 0 = not implemented */
static uint32_t enc_acc32(const struct pm_snapshot *snap, int idx, int sf)
{
	int64_t v;
	int shift;

	if (!snap_value(snap, idx, &v) || v < 0)
		return 0;
	shift = pm_points[idx].scaler - sf;
	if (shift < -PM_POW10_INT64_MAX)
		v = 0;
	else if (shift < 0)
		v /= pm_pow10_int64(-shift);
	else
		v = rescale_round(v, shift);
	return (uint32_t)((uint64_t)v & 0xffffffffu);
}

static uint32_t enc_float(const struct pm_snapshot *snap, int idx)
{
	int64_t v;
	float f;
	uint32_t u;

	if (!snap_value(snap, idx, &v))
		return 0x7fc00000u;
	f = (float)pm_scale10(v, pm_points[idx].scaler);
	memcpy(&u, &f, sizeof(u));
	return u;
}

/*
 * float32 of point idx, plus point plus (>= 0: same scaler) when given, in its unit x 10^extra
 * (e.g. -3: Wh -> kWh); NaN when either has no value. The sum is taken on the integers, so
 * import + export rounds once, as a single value does.
 */
static uint32_t enc_float_sum(const struct pm_snapshot *snap, int idx, int plus, int extra)
{
	int64_t v, w = 0;
	float f;
	uint32_t u;

	if (!snap_value(snap, idx, &v) || (plus >= 0 && !snap_value(snap, plus, &w)))
		return 0x7fc00000u;
	if ((w > 0 && v > INT64_MAX - w) || (w < 0 && v < INT64_MIN - w))
		return 0x7fc00000u; /* no meter counts that far */
	f = (float)pm_scale10(v + w, pm_points[idx].scaler + extra);
	memcpy(&u, &f, sizeof(u));
	return u;
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

static void put_text(uint16_t *r, unsigned regs, const char *s)
{
	size_t n = strlen(s);

	for (unsigned i = 0; i < regs; i++) {
		uint8_t hi = 2 * i < n ? (uint8_t)s[2 * i] : 0;
		uint8_t lo = 2 * i + 1 < n ? (uint8_t)s[2 * i + 1] : 0;

		r[i] = (uint16_t)(hi << 8 | lo);
	}
}

static void image_common(const struct pm_mb_map *map, uint16_t *r)
{
	r[0] = 1;
	r[1] = PM_MB_L_COMMON;
	r += 2;
	put_text(r, PM_MB_MN_REGS, "polymeter");
	r += PM_MB_MN_REGS;
	put_text(r, PM_MB_MD_REGS, map->model);
	r += PM_MB_MD_REGS;
	put_text(r, PM_MB_OPT_REGS, map->options);
	r += PM_MB_OPT_REGS;
	put_text(r, PM_MB_VR_REGS, map->version);
	r += PM_MB_VR_REGS;
	put_text(r, PM_MB_SN_REGS, map->serial);
	r += PM_MB_SN_REGS;
	r[0] = map->cfg.unit_id; /* DA */
	r[1] = 0;		 /* Pad */
}

static void image_203(const struct pm_mb_map *map, const struct pm_snapshot *snap, uint16_t *r)
{
	r[0] = 203;
	r[1] = PM_MB_L_203;
	r += 2;
	for (size_t i = 0; i < N203; i++) {
		const struct mb_field *f = &mb_model_203[i];
		int sf = mb_block_sf[f->block];

		switch (f->type) {
		case T_INT16:
			r[0] = enc_int16(snap, map->pt_203[i], sf);
			break;
		case T_SUNSSF:
			r[0] = (uint16_t)(int16_t)sf;
			break;
		case T_ACC32:
			put32(r, enc_acc32(snap, map->pt_203[i], sf));
			break;
		default: /* Evt: no event bit is published yet */
			put32(r, 0);
			break;
		}
		r += mb_type_regs(f->type);
	}
}

static void image_213(const struct pm_mb_map *map, const struct pm_snapshot *snap, uint16_t *r)
{
	r[0] = 213;
	r[1] = PM_MB_L_213;
	r += 2;
	for (size_t i = 0; i < N213; i++) {
		put32(r, mb_model_213[i].type == T_FLOAT32 ? enc_float(snap, map->pt_213[i]) : 0);
		r += 2;
	}
}

static void image_vendor(const struct pm_mb_map *map, const struct pm_snapshot *snap, uint16_t *r)
{
	r[0] = PM_MB_VENDOR_ID;
	r[1] = map->vendor_len;
	r[2] = PM_MB_VENDOR_VERSION;
	r[3] = map->vendor_npts;
	pm_mb_vendor_quantities(snap, r);
	r += pm_mb_vendor_points_offset();
	for (unsigned i = 0; i < map->vendor_npts; i++) {
		int64_t v;

		put64(r,
		      snap_value(snap, map->vendor_pt[i], &v) ? (uint64_t)v : 0x8000000000000000u);
		r += 4;
	}
}

void pm_mb_map_image(const struct pm_mb_map *map, const struct pm_snapshot *snap, uint16_t *img)
{
	img[0] = PM_MB_SUNS_HI;
	img[1] = PM_MB_SUNS_LO;
	image_common(map, img + 2);
	if (map->off_203)
		image_203(map, snap, img + map->off_203);
	if (map->off_213)
		image_213(map, snap, img + map->off_213);
	image_vendor(map, snap, img + map->off_vendor);
	img[map->off_end] = PM_MB_END_ID;
	img[map->off_end + 1] = 0;
}

/* ---- requests ---- */

static bool is_write(uint8_t fc)
{
	return fc == 0x05 || fc == 0x06 || fc == 0x0F || fc == 0x10 || fc == 0x16 || fc == 0x17;
}

uint8_t pm_mb_map_validate(const struct pm_mb_map *map, uint8_t fc, uint16_t addr, uint16_t count)
{
	unsigned max;

	if (fc == 0x03) {
		if (count < 1 || count > PM_MB_MAX_READ)
			return PM_MB_EX_ILLEGAL_DATA_VALUE;
		if (addr < map->cfg.base || (unsigned)addr + count > map->cfg.base + map->nregs)
			return PM_MB_EX_ILLEGAL_DATA_ADDRESS;
		return PM_MB_EX_NONE;
	}
	if (!is_write(fc) || !map->cfg.writes)
		return PM_MB_EX_ILLEGAL_FUNCTION; /* includes FC 0x01/0x02/0x04/0x07/0x11/0x2B */
	switch (fc) {
	case 0x0F:
		max = 0x7B0;
		break;
	case 0x10:
		max = 123;
		break;
	case 0x17:
		max = 121;
		break;
	default:
		max = 1;
		break;
	}
	if (count < 1 || count > max)
		return PM_MB_EX_ILLEGAL_DATA_VALUE;
	/* writes enabled, but no register (nor coil) of this map is writable yet */
	return PM_MB_EX_ILLEGAL_DATA_ADDRESS;
}

uint8_t pm_mb_map_read(const struct pm_mb_map *map, const struct pm_snapshot *snap, uint16_t addr,
		       uint16_t count, uint16_t *out)
{
	uint16_t img[PM_MB_IMAGE_MAX];
	uint8_t ex = pm_mb_map_validate(map, 0x03, addr, count);

	if (ex)
		return ex;
	pm_mb_map_image(map, snap, img);
	memcpy(out, img + (addr - map->cfg.base), count * sizeof(*out));
	return 0;
}

/* ---- the SDM630-compatible input map ---- */

/*
 * Eastron SDM630 input registers (FC 0x04), as the tools that only know that meter read them:
 * float32, high word first, energy in kWh / kvarh. Addresses are PDU addresses. The "total"
 * energies (0x0156, 0x0158, 0x0166-0x016A) are import + export, as Eastron's manuals define
 * them ("Total Energy = Import energy + Export energy"), not the net energy; mbmd and evcc read
 * 0x0156 as the meter's total.
 */
const struct mb_sdm_register mb_sdm_table[] = {
    {0x0000, "l1.voltage", 0, NULL},
    {0x0002, "l2.voltage", 0, NULL},
    {0x0004, "l3.voltage", 0, NULL},
    {0x0006, "l1.current", 0, NULL},
    {0x0008, "l2.current", 0, NULL},
    {0x000A, "l3.current", 0, NULL},
    {0x000C, "l1.active_power", 0, NULL},
    {0x000E, "l2.active_power", 0, NULL},
    {0x0010, "l3.active_power", 0, NULL},
    {0x0012, "l1.apparent_power", 0, NULL},
    {0x0014, "l2.apparent_power", 0, NULL},
    {0x0016, "l3.apparent_power", 0, NULL},
    {0x0018, "l1.reactive_power", 0, NULL},
    {0x001A, "l2.reactive_power", 0, NULL},
    {0x001C, "l3.reactive_power", 0, NULL},
    {0x001E, "l1.power_factor", 0, NULL},
    {0x0020, "l2.power_factor", 0, NULL},
    {0x0022, "l3.power_factor", 0, NULL},
    {0x002A, "total.voltage_avg", 0, NULL},
    {0x0030, "total.current", 0, NULL},
    {0x0034, "total.active_power", 0, NULL},
    {0x0038, "total.apparent_power", 0, NULL},
    {0x003C, "total.reactive_power", 0, NULL},
    {0x003E, "total.power_factor", 0, NULL},
    {0x0046, "total.frequency", 0, NULL},
    {0x0048, "total.energy.active_import", -3, NULL},
    {0x004A, "total.energy.active_export", -3, NULL},
    {0x004C, "total.energy.reactive_import", -3, NULL},
    {0x004E, "total.energy.reactive_export", -3, NULL},
    {0x00C8, "total.voltage_ab", 0, NULL},
    {0x00CA, "total.voltage_bc", 0, NULL},
    {0x00CC, "total.voltage_ca", 0, NULL},
    {0x00CE, "total.voltage_ll_avg", 0, NULL},
    {0x00E0, "total.neutral_current", 0, NULL},
    {0x0156, "total.energy.active_import", -3, "total.energy.active_export"},
    {0x0158, "total.energy.reactive_import", -3, "total.energy.reactive_export"},
    {0x015A, "l1.energy.active_import", -3, NULL},
    {0x015C, "l2.energy.active_import", -3, NULL},
    {0x015E, "l3.energy.active_import", -3, NULL},
    {0x0160, "l1.energy.active_export", -3, NULL},
    {0x0162, "l2.energy.active_export", -3, NULL},
    {0x0164, "l3.energy.active_export", -3, NULL},
    {0x0166, "l1.energy.active_import", -3, "l1.energy.active_export"},
    {0x0168, "l2.energy.active_import", -3, "l2.energy.active_export"},
    {0x016A, "l3.energy.active_import", -3, "l3.energy.active_export"},
};
const size_t mb_sdm_table_count = sizeof(mb_sdm_table) / sizeof(mb_sdm_table[0]);

void pm_mb_map_input_image(const struct pm_mb_map *map, const struct pm_snapshot *snap,
			   uint16_t *img)
{
	/* every float of the table not carried by us is NaN */
	for (unsigned i = 0; i < PM_MB_SDM_REGS; i += 2)
		put32(img + i, 0x7fc00000u);
	for (size_t i = 0; i < mb_sdm_table_count; i++)
		put32(img + mb_sdm_table[i].addr,
		      enc_float_sum(snap, map->sdm_pt[i][0], map->sdm_pt[i][1],
				    mb_sdm_table[i].extra));
}

/* The input registers' refusals, in the order of the protocol's state diagram. */
static uint8_t validate_input(const struct pm_mb_map *map, uint16_t addr, uint16_t count)
{
	if (!map->cfg.sdm630)
		return PM_MB_EX_ILLEGAL_FUNCTION;
	if (count < 1 || count > PM_MB_MAX_READ)
		return PM_MB_EX_ILLEGAL_DATA_VALUE;
	if ((unsigned)addr + count > PM_MB_SDM_REGS)
		return PM_MB_EX_ILLEGAL_DATA_ADDRESS;
	return PM_MB_EX_NONE;
}

uint8_t pm_mb_map_read_input(const struct pm_mb_map *map, const struct pm_snapshot *snap,
			     uint16_t addr, uint16_t count, uint16_t *out)
{
	uint16_t img[PM_MB_SDM_REGS];
	uint8_t ex = validate_input(map, addr, count);

	if (ex)
		return ex;
	pm_mb_map_input_image(map, snap, img);
	memcpy(out, img + addr, count * sizeof(*out));
	return 0;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static size_t exception(uint8_t fc, uint8_t code, uint8_t *resp)
{
	resp[0] = (uint8_t)(fc | 0x80);
	resp[1] = code;
	return 2;
}

/* The quantity a write request names, and whether its PDU has the length it implies. */
static bool write_request(const uint8_t *req, size_t len, uint16_t *addr, uint16_t *count)
{
	uint8_t fc = req[0];

	/* Every length is checked before the bytes it covers are read: a short PDU (found by
	 * tests/fuzz/fuzz_modbus_map) must not read past the request. */
	switch (fc) {
	case 0x05:
	case 0x06:
		if (len != 5)
			return false;
		*addr = be16(req + 1);
		*count = 1;
		return true;
	case 0x0F:
	case 0x10:
		if (len < 6)
			return false;
		*addr = be16(req + 1);
		*count = be16(req + 3);
		return len == 6u + req[5] &&
		       req[5] == (fc == 0x10 ? 2u * *count : (*count + 7u) / 8u);
	case 0x16:
		if (len != 7)
			return false;
		*addr = be16(req + 1);
		*count = 1;
		return true;
	case 0x17:
		if (len < 10)
			return false;
		*addr = be16(req + 5);
		*count = be16(req + 7);
		return len == 10u + req[9] && req[9] == 2u * *count;
	}
	return false;
}

size_t pm_mb_map_answer(const struct pm_mb_map *map, struct pm_mb_image *im,
			const struct pm_snapshot *snap, const uint8_t *req, size_t len,
			uint8_t *resp)
{
	uint16_t addr = 0, count = 0;
	uint8_t fc, ex;

	if (len < 1)
		return exception(0, PM_MB_EX_ILLEGAL_FUNCTION, resp);
	fc = req[0];
	if (fc & 0x80) /* an exception code is no request */
		return exception(fc, PM_MB_EX_ILLEGAL_FUNCTION, resp);
	if (fc == 0x03 || (fc == 0x04 && map->cfg.sdm630)) {
		const uint16_t *regs;

		if (len != 5)
			return exception(fc, PM_MB_EX_ILLEGAL_DATA_VALUE, resp);
		addr = be16(req + 1);
		count = be16(req + 3);
		ex = fc == 0x03 ? pm_mb_map_validate(map, fc, addr, count)
				: validate_input(map, addr, count);
		if (ex)
			return exception(fc, ex, resp);
		regs = fc == 0x03 ? pm_mb_image_holding(im, map, snap) + (addr - map->cfg.base)
				  : pm_mb_image_input(im, map, snap) + addr;
		resp[0] = fc;
		resp[1] = (uint8_t)(2 * count);
		for (unsigned i = 0; i < count; i++) {
			resp[2 + 2 * i] = (uint8_t)(regs[i] >> 8);
			resp[3 + 2 * i] = (uint8_t)regs[i];
		}
		return 2 + 2 * (size_t)count;
	}
	if (is_write(fc) && map->cfg.writes) {
		bool well_formed = write_request(req, len, &addr, &count);

		ex = pm_mb_map_validate(map, fc, addr, count);
		if (!well_formed)
			ex = PM_MB_EX_ILLEGAL_DATA_VALUE;
		return exception(fc, ex ? ex : PM_MB_EX_ILLEGAL_DATA_ADDRESS, resp);
	}
	return exception(fc, PM_MB_EX_ILLEGAL_FUNCTION, resp);
}

size_t pm_mb_map_handle_pdu(const struct pm_mb_map *map, const struct pm_snapshot *snap,
			    const uint8_t *req, size_t len, uint8_t *resp)
{
	struct pm_mb_image im;

	pm_mb_image_init(&im);
	return pm_mb_map_answer(map, &im, snap, req, len, resp);
}
