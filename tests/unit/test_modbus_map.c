// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Modbus map: the SunSpec chain a scanner walks, values decoded back to the snapshot,
 * float word order, the vendor model, and the exception code of every refusal.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/modbus-map.h"

static struct pm_snapshot snap;
static struct pm_mb_map map;
static uint16_t img[PM_MB_IMAGE_MAX];

static void set(const char *id, int64_t v)
{
	int i = pm_point_find(id);

	ck_assert_msg(i >= 0, "%s", id);
	snap.value[i] = v;
	snap.valid[i] = true;
}

static void unset(const char *id)
{
	int i = pm_point_find(id);

	ck_assert_msg(i >= 0, "%s", id);
	snap.valid[i] = false;
}

static void setup(void)
{
	struct pm_mb_config cfg;
	const char *why = NULL;

	ck_assert_int_eq(pm_snapshot_init(&snap), 0);
	/* every point valid and 0, then the values the tests decode */
	for (size_t i = 0; i < pm_point_count; i++)
		snap.valid[i] = true;
	snap.seq = 0x123456789ull;
	snap.ts_ns = 1700000000123456789ll;
	set("l1.voltage", 230456);		    /* mV */
	set("l2.voltage", 230500);		    /* mV, exact in binary float */
	set("total.current", 31500);		    /* mA */
	set("l2.current", 400000);		    /* mA: 400 A, beyond A_SF's range */
	set("total.active_power", 6000000);	    /* mW */
	set("total.reactive_power", -1200000);	    /* mvar */
	set("total.power_factor", 833333);	    /* millionths */
	set("total.frequency", 50010);		    /* mHz */
	set("total.energy.active_import", 1234567); /* mWh */
	set("l3.energy.reactive_q3", (4294967296ll + 5) * 1000); /* 2^32 + 5 Wh */
	set("total.neutral_current", 800);			 /* mA */
	set("total.energy.reactive_import", 987654321);		 /* mvarh */
	unset("l3.voltage");

	pm_mb_config_default(&cfg);
	cfg.unit_id = 17;
	cfg.model = "PM-3";
	cfg.serial = "SN0001";
	cfg.version = "1.2.3";
	ck_assert_int_eq(pm_mb_map_init(&map, &cfg, &why), 0);
	pm_mb_map_image(&map, &snap, img);
}

static void teardown(void)
{
	pm_snapshot_free(&snap);
}

/* register at PDU address a of the current image */
static uint16_t R(unsigned a)
{
	ck_assert_uint_ge(a, map.cfg.base);
	ck_assert_uint_lt(a, map.cfg.base + map.nregs);
	return img[a - map.cfg.base];
}

static uint32_t R32(unsigned a)
{
	return (uint32_t)R(a) << 16 | R(a + 1);
}

static int64_t R64(unsigned a)
{
	return (int64_t)((uint64_t)R32(a) << 32 | R32(a + 2));
}

static float F(unsigned a)
{
	uint32_t u = R32(a);
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* address of the model with this ID, found as a scanner does: from base, ID/L hops */
static unsigned find_model(unsigned id)
{
	unsigned a = map.cfg.base + 2;

	while (R(a) != 0xFFFF) {
		if (R(a) == id)
			return a;
		a += 2 + R(a + 1);
	}
	ck_abort_msg("model %u not in chain", id);
	return 0;
}

START_TEST(test_chain_walk)
{
	/* SunS, then 1 (L 66), 203 (L 105), 213 (L 124), vendor, end 0xFFFF / 0 */
	const unsigned want[][2] = {{1, 66}, {203, 105}, {213, 124}};
	unsigned a = 40000;

	ck_assert_uint_eq(R(a), 0x5375);     /* "Su" */
	ck_assert_uint_eq(R(a + 1), 0x6E53); /* "nS" */
	a += 2;
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(R(a), want[i][0]);
		ck_assert_uint_eq(R(a + 1), want[i][1]);
		a += 2 + R(a + 1);
	}
	/* 40002 + 68 = 40070 (203), + 107 = 40177 (213), + 126 = 40303 (vendor) */
	ck_assert_uint_eq(a, 40303);
	ck_assert_uint_eq(R(a), PM_MB_VENDOR_ID);
	/* fixed part 92 registers (version 2: 26 of version 1 + Aux, NRates, 16 x int64 per-rate
	 * = 26 + 2 + 64), then 4 per point */
	ck_assert_uint_eq(R(a + 1), 92 + 4 * map.vendor_npts);
	a += 2 + R(a + 1);
	ck_assert_uint_eq(R(a), 0xFFFF);
	ck_assert_uint_eq(R(a + 1), 0);
	ck_assert_uint_eq(a + 2, 40000u + map.nregs); /* the end marker is the last register */
}
END_TEST

START_TEST(test_chain_one_model_and_bases)
{
	const unsigned bases[] = {0, 40000, 50000};
	struct pm_mb_config cfg;
	const char *why;

	for (unsigned b = 0; b < 3; b++) {
		for (int which = 0; which < 2; which++) {
			pm_mb_config_default(&cfg);
			cfg.base = (uint16_t)bases[b];
			cfg.model_203 = which == 0;
			cfg.model_213 = which == 1;
			ck_assert_int_eq(pm_mb_map_init(&map, &cfg, &why), 0);
			pm_mb_map_image(&map, &snap, img);
			unsigned a = bases[b];

			ck_assert_uint_eq(R32(a), 0x53756E53);
			ck_assert_uint_eq(R(a + 2), 1);
			a += 4 + 66;
			ck_assert_uint_eq(R(a), which ? 213 : 203);
			ck_assert_uint_eq(R(a + 1), which ? 124 : 105);
			a += 2 + R(a + 1);
			ck_assert_uint_eq(R(a), PM_MB_VENDOR_ID);
			a += 2 + R(a + 1);
			ck_assert_uint_eq(R(a), 0xFFFF);
			ck_assert_uint_eq(R(a + 1), 0);
		}
	}
}
END_TEST

START_TEST(test_common_model)
{
	char s[33];

	/* Mn at 40004: "po" = 0x706F, "ly" = 0x6C79, ... NUL padded */
	ck_assert_uint_eq(R(40004), 0x706F);
	ck_assert_uint_eq(R(40008), 0x7200); /* "r\0": "polymeter" has 9 characters */
	ck_assert_uint_eq(R(40019), 0);
	for (int i = 0; i < 16; i++) {
		s[2 * i] = (char)(R(40052 + i) >> 8);
		s[2 * i + 1] = (char)R(40052 + i);
	}
	s[32] = 0;
	ck_assert_str_eq(s, "SN0001");		       /* SN at 40004 + 16 + 16 + 8 + 8 */
	ck_assert_uint_eq(R(40020), ('P' << 8) | 'M'); /* Md "PM-3" */
	ck_assert_uint_eq(R(40044), ('1' << 8) | '.'); /* Vr "1.2.3" */
	ck_assert_uint_eq(R(40070 - 2), 17);	       /* DA = unit id */
	ck_assert_uint_eq(R(40070 - 1), 0);	       /* Pad */
}
END_TEST

START_TEST(test_203_values)
{
	unsigned m = find_model(203);

	ck_assert_uint_eq(m, 40070);
	/* scale factors as documented: A -2, V -1, Hz -2, W/VA/var 1, PF -2, energies 0 */
	ck_assert_int_eq((int16_t)R(m + 6), -2);
	ck_assert_int_eq((int16_t)R(m + 15), -1);
	ck_assert_int_eq((int16_t)R(m + 17), -2);
	ck_assert_int_eq((int16_t)R(m + 22), 1);
	ck_assert_int_eq((int16_t)R(m + 27), 1);
	ck_assert_int_eq((int16_t)R(m + 32), 1);
	ck_assert_int_eq((int16_t)R(m + 37), -2);
	ck_assert_int_eq((int16_t)R(m + 54), 0);
	ck_assert_int_eq((int16_t)R(m + 71), 0);
	ck_assert_int_eq((int16_t)R(m + 104), 0);

	/* A: 31500 mA = 31.5 A; / 10^-2 -> raw 3150; 3150 x 10^-2 = 31.50 A */
	ck_assert_int_eq((int16_t)R(m + 2), 3150);
	/* AphB: 400 A / 10^-2 = 40000 > 32767: clamped */
	ck_assert_int_eq((int16_t)R(m + 4), 32767);
	/* PhVphA: 230456 mV = 230.456 V / 10^-1 = 2304.56, rounded 2305 -> 230.5 V */
	ck_assert_int_eq((int16_t)R(m + 8), 2305);
	/* PhVphC invalid in the snapshot: int16 "not implemented" */
	ck_assert_uint_eq(R(m + 10), 0x8000);
	/* Hz: 50010 mHz = 50.01 Hz -> 5001 */
	ck_assert_int_eq((int16_t)R(m + 16), 5001);
	/* W: 6000000 mW = 6000 W / 10^1 -> 600; 600 x 10 = 6000 W */
	ck_assert_int_eq((int16_t)R(m + 18), 600);
	/* VAR: -1200000 mvar = -1200 var -> -120 */
	ck_assert_int_eq((int16_t)R(m + 28), -120);
	/* PF: 833333 millionths = 0.833333 = 83.3333 % / 10^-2 -> 8333 (83.33 %) */
	ck_assert_int_eq((int16_t)R(m + 33), 8333);
	/* TotWhImp: 1234567 mWh = 1234.567 Wh, whole Wh only -> 1234 */
	ck_assert_uint_eq(R32(m + 46), 1234);
	/* TotVArhExpQ3PhC: 2^32 + 5 Wh rolls over to 5 (acc32) */
	ck_assert_uint_eq(R32(m + 94), 5);
	/* Evt: no event */
	ck_assert_uint_eq(R32(m + 105), 0);

	/* decoded back with the scale factor: raw x 10^SF = the snapshot's value */
	int i = pm_point_find("total.active_power");
	double w = (int16_t)R(m + 18) * 10.0; /* 10^W_SF */

	ck_assert_double_eq_tol(w, snap.value[i] * 1e-3, 1e-9);
}
END_TEST

START_TEST(test_203_energy_not_implemented_is_zero)
{
	unset("total.energy.active_import");
	pm_mb_map_image(&map, &snap, img);
	ck_assert_uint_eq(R32(40070 + 46), 0); /* acc32 "not implemented" = 0 */
}
END_TEST

START_TEST(test_213_floats_high_word_first)
{
	unsigned m = find_model(213);

	ck_assert_uint_eq(m, 40177);
	/* PhVphB 230500 mV = 230.5 V = 0x43668000: 0x4366 first, then 0x8000 (ABCD) */
	ck_assert_uint_eq(R(m + 14), 0x4366);
	ck_assert_uint_eq(R(m + 15), 0x8000);
	ck_assert_float_eq_tol(F(m + 12), 230.456f, 1e-4f);
	/* PhVphC invalid: NaN 0x7FC00000 */
	ck_assert_uint_eq(R32(m + 16), 0x7FC00000u);
	ck_assert_float_eq_tol(F(m + 28), 6000.0f, 1e-3f);   /* W */
	ck_assert_float_eq_tol(F(m + 44), -1200.0f, 1e-3f);  /* VAR */
	ck_assert_float_eq_tol(F(m + 52), 0.833333f, 1e-6f); /* PF, ratio */
	ck_assert_float_eq_tol(F(m + 26), 50.01f, 1e-4f);    /* Hz */
	ck_assert_float_eq_tol(F(m + 68), 1234.567f, 1e-3f); /* TotWhImp */
	ck_assert_uint_eq(R32(m + 124), 0);		     /* Evt */
	/* the 213 spelling PPVphAB and TotVArhExpQ3phC name the object model's points */
	ck_assert_float_eq_tol(F(m + 114), 4294967301.0f, 1e3f);
}
END_TEST

static float regs_float(const uint16_t *r)
{
	uint32_t u = (uint32_t)r[0] << 16 | r[1];
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* SDM630 input registers (FC 0x04): off by default, then as Eastron's table with kWh. */
START_TEST(test_sdm630_input_map)
{
	struct pm_mb_config cfg;
	struct pm_mb_map sdm;
	const char *why = NULL;
	uint16_t r[125];
	uint8_t req[5] = {0x04, 0x00, 0x48, 0x00, 0x02}, resp[PM_MB_MAX_PDU];

	/* default map: FC 0x04 is refused */
	ck_assert_uint_eq(pm_mb_map_read_input(&map, &snap, 0, 2, r), PM_MB_EX_ILLEGAL_FUNCTION);
	ck_assert_uint_eq(pm_mb_map_handle_pdu(&map, &snap, req, 5, resp), 2);
	ck_assert_uint_eq(resp[0], 0x84);
	ck_assert_uint_eq(resp[1], PM_MB_EX_ILLEGAL_FUNCTION);

	pm_mb_config_default(&cfg);
	cfg.sdm630 = true;
	ck_assert_int_eq(pm_mb_map_init(&sdm, &cfg, &why), 0);
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, 0, 6, r), 0);
	/* 0x0000 V L1 230456 mV = 230.456 V; 0x0002 V L2 230.5 V = 0x43668000; 0x0004 V L3 NaN */
	ck_assert_float_eq_tol(regs_float(r), 230.456f, 1e-4f);
	ck_assert_uint_eq(r[2], 0x4366);
	ck_assert_uint_eq(r[3], 0x8000);
	ck_assert_uint_eq(r[4], 0x7FC0);
	ck_assert_uint_eq(r[5], 0x0000);
	/* 0x0048 import energy: 1234567 mWh = 1.234567 kWh; 0x004C reactive import 987.654321 */
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, 0x48, 8, r), 0);
	ck_assert_float_eq_tol(regs_float(r), 1.234567f, 1e-6f);
	ck_assert_float_eq_tol(regs_float(r + 4), 987.654321f, 1e-3f);
	/* 0x0034 total power 6000 W, 0x003E PF 0.833333, 0x0046 50.01 Hz, 0x00E0 neutral 0.8 A */
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, 0x34, 20, r), 0);
	ck_assert_float_eq_tol(regs_float(r), 6000.0f, 1e-3f);
	ck_assert_float_eq_tol(regs_float(r + 0x3E - 0x34), 0.833333f, 1e-6f);
	ck_assert_float_eq_tol(regs_float(r + 0x46 - 0x34), 50.01f, 1e-4f);
	/* 0x0024 phase angle L1: the SDM630 has it, we do not: NaN */
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, 0x24, 2, r), 0);
	ck_assert_uint_eq(r[0], 0x7FC0);
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, 0xE0, 2, r), 0);
	ck_assert_float_eq_tol(regs_float(r), 0.8f, 1e-6f);
	/*
	 * The totals are import + export, as Eastron defines "Total kWh" (not the net):
	 * 0x0156 1234567 + 7654321 mWh = 8.888888 kWh; 0x0158 987654.321 + 12345.679 = 1000000
	 * varh = 1000 kvarh (0x447A0000); 0x0166 L1 1000 + 0.5 = 1000.5 Wh = 1.0005 kWh; 0x0168 L2
	 * with its import unknown: NaN; 0x016A L3 0 + 0 = 0.
	 */
	set("total.energy.active_export", 7654321);
	set("total.energy.reactive_export", 12345679);
	set("l1.energy.active_import", 1000000);
	set("l1.energy.active_export", 500);
	unset("l2.energy.active_import");
	set("l3.energy.active_import", 0);
	set("l3.energy.active_export", 0);
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, 0x0156, 4, r), 0);
	ck_assert(regs_float(r) == 8.888888f);
	ck_assert_uint_eq(r[2], 0x447A);
	ck_assert_uint_eq(r[3], 0x0000);
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, 0x0166, 6, r), 0);
	ck_assert(regs_float(r) == 1.0005f);
	ck_assert_uint_eq(r[2], 0x7FC0);
	ck_assert_uint_eq(r[3], 0x0000);
	ck_assert_uint_eq(r[4], 0x0000);
	ck_assert_uint_eq(r[5], 0x0000);
	/* and the parts are still there: 0x015A L1 import 1 kWh, 0x0160 L1 export 0.0005 kWh */
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, 0x015A, 8, r), 0);
	ck_assert(regs_float(r) == 1.0f);
	ck_assert(regs_float(r + 6) == 0.0005f);
	/* refusals: count 0 and 126, beyond the table */
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, 0, 0, r), PM_MB_EX_ILLEGAL_DATA_VALUE);
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, 0, 126, r),
			  PM_MB_EX_ILLEGAL_DATA_VALUE);
	ck_assert_uint_eq(pm_mb_map_read_input(&sdm, &snap, PM_MB_SDM_REGS - 1, 2, r),
			  PM_MB_EX_ILLEGAL_DATA_ADDRESS);
	/* the PDU path: 0x04 0x0048 x2 -> 04 04 <float 1.234567 ABCD> */
	ck_assert_uint_eq(pm_mb_map_handle_pdu(&sdm, &snap, req, 5, resp), 6);
	ck_assert_uint_eq(resp[0], 0x04);
	ck_assert_uint_eq(resp[1], 4);
	/* FC 0x03 still serves SunSpec on the same map */
	ck_assert_uint_eq(pm_mb_map_read(&sdm, &snap, 40000, 2, r), 0);
	ck_assert_uint_eq(r[0], 0x5375);
}
END_TEST

static unsigned vendor_point_addr(const char *id)
{
	int idx = pm_point_find(id);
	unsigned v = find_model(PM_MB_VENDOR_ID);

	for (unsigned i = 0; i < map.vendor_npts; i++)
		if (map.vendor_pt[i] == idx)
			return v + 2 + 92 + 4 * i;
	ck_abort_msg("%s not in the vendor model", id);
	return 0;
}

START_TEST(test_vendor_model)
{
	unsigned v = find_model(PM_MB_VENDOR_ID);

	ck_assert_uint_eq(R(v + 2), 2); /* version 2: per-rate registers before the points */
	ck_assert_uint_eq(R(v + 3), map.vendor_npts);
	ck_assert_uint_eq(R32(v + 4), 0x23456789u);    /* seq, low 32 bits */
	ck_assert_int_eq(R64(v + 6), 1700000000123ll); /* ts in ms */
	ck_assert_uint_eq(R(v + 10), 0xFFFF);	       /* tariff rate: no account published */
	ck_assert_int_eq(R64(v + 12), INT64_MIN);      /* balance: no account published */
	ck_assert_uint_eq(R32(v + 26), 0xFFFFFFFFu);   /* event count: none published */
	ck_assert_uint_eq(R(v + 28), 0xFFFF);	       /* aux relay: no account published */
	ck_assert_uint_eq(R(v + 29), 0xFFFF);	       /* rates: no account published */
	ck_assert_int_eq(R64(v + 30), INT64_MIN);      /* rate 1 import */
	ck_assert_int_eq(R64(v + 90), INT64_MIN);      /* rate 8 export */
	/* every point without a SunSpec name is carried, at its own scaler (x 10^-3) */
	for (size_t i = 0, n = 0; i < pm_point_count; i++)
		if (!pm_points[i].sunspec)
			ck_assert_int_eq(map.vendor_pt[n++], (int)i);
	ck_assert_int_eq(R64(vendor_point_addr("total.neutral_current")), 800); /* 0.8 A */
	ck_assert_int_eq(R64(vendor_point_addr("total.energy.reactive_import")), 987654321);
	unset("total.neutral_current");
	pm_mb_map_image(&map, &snap, img);
	ck_assert_int_eq(R64(vendor_point_addr("total.neutral_current")), INT64_MIN);
}
END_TEST

/*
 * The account in the vendor model (offsets: 10 rate, 11 block, 12 balance, 16 emergency
 * credit, 20 debt, 24 credit state, 25 supply). mu -> mill is / 100 for GBP's two minor
 * digits (1 GBP = 100000 mu = 1000 mill), toward zero.
 */
START_TEST(test_vendor_account)
{
	unsigned v = find_model(PM_MB_VENDOR_ID);

	snap.account = (struct pm_snapshot_account){
	    .valid = true,
	    .has_tariff = true,
	    .rate = 2,
	    .block = 1,
	    .minor_units = 2,
	    .balance_mu = 1234500,  /* 12.345 GBP */
	    .emergency_mu = 500000, /* 5.00 */
	    .debt_mu = 300000,	    /* 3.00 */
	    .credit = PM_CREDIT_EC_IN_USE,
	    .supply = PM_SUPPLY_ARMED,
	};
	pm_mb_map_image(&map, &snap, img);
	ck_assert_uint_eq(R(v + 10), 2);
	ck_assert_uint_eq(R(v + 11), 1);
	ck_assert_int_eq(R64(v + 12), 12345);
	ck_assert_int_eq(R64(v + 16), 5000);
	ck_assert_int_eq(R64(v + 20), 3000);
	ck_assert_uint_eq(R(v + 24), 2);
	ck_assert_uint_eq(R(v + 25), 2);
	ck_assert_uint_eq(R32(v + 26), 0xFFFFFFFFu); /* event count: none in this snapshot */
	/* -0.00191 GBP is -1.91 mill: -1 */
	snap.account.balance_mu = -191;
	snap.account.has_tariff = false;
	snap.account.supply = PM_SUPPLY_OPEN;
	snap.account.credit = PM_CREDIT_OUT;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_int_eq(R64(v + 12), -1);
	ck_assert_uint_eq(R(v + 10), 0xFFFF); /* no tariff: rate and block not implemented */
	ck_assert_uint_eq(R(v + 11), 0xFFFF);
	ck_assert_uint_eq(R(v + 24), 4);
	ck_assert_uint_eq(R(v + 25), 0);
	/* no account published: not implemented */
	snap.account.valid = false;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_int_eq(R64(v + 12), INT64_MIN);
	ck_assert_uint_eq(R(v + 25), 0xFFFF);
}
END_TEST

/*
 * Money follows the tariff's minor units: mu are 1/1000 of the minor unit, the registers mill
 * (1/1000 of the currency unit) whatever the currency, so mill = mu / 10^minor_units.
 */
START_TEST(test_vendor_money_scale_follows_minor_units)
{
	unsigned v = find_model(PM_MB_VENDOR_ID);

	snap.account = (struct pm_snapshot_account){
	    .valid = true,
	    .has_tariff = true,
	    .credit = PM_CREDIT_OK,
	    .supply = PM_SUPPLY_CLOSED,
	};
	/* JPY, no minor digits: 1 mu = 1/1000 yen = 1 mill; 1234 yen = 1 234 000 mu */
	memcpy(snap.account.currency, "JPY", 4);
	snap.account.minor_units = 0;
	snap.account.balance_mu = 1234000;
	snap.account.emergency_mu = 500000; /* 500 yen */
	snap.account.debt_mu = 7;	    /* 0.007 yen = 7 mill */
	pm_mb_map_image(&map, &snap, img);
	ck_assert_int_eq(R64(v + 12), 1234000);
	ck_assert_int_eq(R64(v + 16), 500000);
	ck_assert_int_eq(R64(v + 20), 7);
	/* BHD, three minor digits (fils): 1 mill = 1 fils = 1000 mu; -1.999 fils is -1999 mu:
	 * -1 mill, toward zero; 12.345 BHD = 12 345 000 mu = 12 345 mill */
	memcpy(snap.account.currency, "BHD", 4);
	snap.account.minor_units = 3;
	snap.account.balance_mu = -1999;
	snap.account.emergency_mu = 5000000; /* 5.000 BHD */
	snap.account.debt_mu = 12345000;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_int_eq(R64(v + 12), -1);
	ck_assert_int_eq(R64(v + 16), 5000);
	ck_assert_int_eq(R64(v + 20), 12345);
	/* GBP again, two digits: 12.34567 GBP = 1 234 567 mu = 12 345 mill */
	memcpy(snap.account.currency, "GBP", 4);
	snap.account.minor_units = 2;
	snap.account.balance_mu = 1234567;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_int_eq(R64(v + 12), 12345);
}
END_TEST

/*
 * Version 2's additions (offsets from the vendor model's ID): 28 Aux, 29 NRates, 30 + 4k import
 * of rate k + 1 (k = 0..7, mWh), 62 + 4k export of export rate k + 1; 26 EvtCnt.
 */
START_TEST(test_vendor_rates_aux_events)
{
	unsigned v = find_model(PM_MB_VENDOR_ID);

	snap.account = (struct pm_snapshot_account){
	    .valid = true,
	    .has_tariff = true,
	    .rate = 2,
	    .block = 1,
	    .aux_closed = true,
	    .n_rates = 2,
	    .n_export_rates = 1,
	    /* 1 234 567.891 Wh on rate 1; 2^40 + 5 mWh on rate 2 (beyond 32 bits) */
	    .rate_import_mwh = {1234567891, 1099511627781LL, 77},
	    .rate_export_mwh = {4321, 99},
	};
	snap.has_events = true;
	snap.events = 17;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_uint_eq(R32(v + 26), 17);
	ck_assert_uint_eq(R(v + 28), 1); /* aux closed */
	ck_assert_uint_eq(R(v + 29), 2);
	/* 1234567891 = 0x0000_0000_4996_02D3 */
	ck_assert_uint_eq(R(v + 30), 0x0000);
	ck_assert_uint_eq(R(v + 31), 0x0000);
	ck_assert_uint_eq(R(v + 32), 0x4996);
	ck_assert_uint_eq(R(v + 33), 0x02D3);
	/* 2^40 + 5 = 0x0000_0100_0000_0005 */
	ck_assert_uint_eq(R(v + 34), 0x0000);
	ck_assert_uint_eq(R(v + 35), 0x0100);
	ck_assert_uint_eq(R(v + 36), 0x0000);
	ck_assert_uint_eq(R(v + 37), 0x0005);
	/* rates 3..8 the tariff does not define: not implemented, whatever the slot holds */
	for (unsigned k = 2; k < 8; k++)
		ck_assert_int_eq(R64(v + 30 + 4 * k), INT64_MIN);
	ck_assert_int_eq(R64(v + 62), 4321); /* export rate 1 */
	for (unsigned k = 1; k < 8; k++)
		ck_assert_int_eq(R64(v + 62 + 4 * k), INT64_MIN);
	/* the first per-point value follows at offset 94 */
	ck_assert_uint_eq(vendor_point_addr("total.neutral_current"), v + 94);

	/* export not priced: no export register */
	snap.account.n_export_rates = 0;
	snap.account.aux_closed = false;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_int_eq(R64(v + 62), INT64_MIN);
	ck_assert_uint_eq(R(v + 28), 0);
	ck_assert_int_eq(R64(v + 30), 1234567891);

	/* no tariff: NRates 0 and no rate register */
	snap.account.has_tariff = false;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_uint_eq(R(v + 29), 0);
	ck_assert_int_eq(R64(v + 30), INT64_MIN);

	/* the uint32 count rolls over, skipping 0xFFFFFFFF ("not implemented"):
	 * 2^32 - 2 -> 0xFFFFFFFE, 2^32 - 1 -> 0, 2^32 -> 1 */
	snap.events = 0xFFFFFFFEull;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_uint_eq(R32(v + 26), 0xFFFFFFFEu);
	snap.events = 0xFFFFFFFFull;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_uint_eq(R32(v + 26), 0);
	snap.events = 0x100000000ull;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_uint_eq(R32(v + 26), 1);
	snap.has_events = false;
	pm_mb_map_image(&map, &snap, img);
	ck_assert_uint_eq(R32(v + 26), 0xFFFFFFFFu);
}
END_TEST

/* every object-model point with a SunSpec name lands in both meter models */
START_TEST(test_every_sunspec_point_mapped)
{
	for (size_t i = 0; i < pm_point_count; i++) {
		bool in203 = false, in213 = false;

		if (!pm_points[i].sunspec)
			continue;
		for (unsigned f = 0; f < PM_MB_FIELDS_MAX; f++) {
			in203 |= map.pt_203[f] == (int16_t)i;
			in213 |= map.pt_213[f] == (int16_t)i;
		}
		ck_assert_msg(in203 && in213, "%s", pm_points[i].id);
	}
}
END_TEST

START_TEST(test_read_slices_one_image)
{
	uint16_t out[PM_MB_MAX_READ];
	unsigned end = 40000u + map.nregs;

	for (unsigned a = 40000; a < end; a += 100) {
		unsigned n = end - a < 125 ? end - a : 125;

		ck_assert_uint_eq(pm_mb_map_read(&map, &snap, (uint16_t)a, (uint16_t)n, out), 0);
		ck_assert_mem_eq(out, img + (a - 40000), n * 2);
	}
}
END_TEST

START_TEST(test_refusals)
{
	unsigned end = 40000u + map.nregs; /* first address past the end marker */

	map.cfg.writes = false;
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, 40000, 125), 0);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, (uint16_t)(end - 1), 1), 0);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, 40000, 0), 3);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, 40000, 126), 3);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, 39999, 1), 2);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, 39999, 2), 2);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, (uint16_t)(end - 1), 2), 2); /* edge */
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, (uint16_t)end, 1), 2);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, 65535, 125), 2);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, 0, 1), 2);
	/* quantity before address: a bad count at a bad address is 3 */
	ck_assert_uint_eq(pm_mb_map_validate(&map, 3, 0, 200), 3);
	/* functions this map does not serve */
	const uint8_t none[] = {0x01, 0x02, 0x04, 0x07, 0x08, 0x0B, 0x11, 0x2B, 0x41};

	for (unsigned i = 0; i < sizeof(none); i++)
		ck_assert_uint_eq(pm_mb_map_validate(&map, none[i], 40000, 1), 1);
	/* writes while read-only */
	const uint8_t wr[] = {0x05, 0x06, 0x0F, 0x10, 0x16, 0x17};

	for (unsigned i = 0; i < sizeof(wr); i++)
		ck_assert_uint_eq(pm_mb_map_validate(&map, wr[i], 40068, 1), 1);
	/* writes enabled: nothing is writable (2); over-long writes (3) */
	map.cfg.writes = true;
	ck_assert_uint_eq(pm_mb_map_validate(&map, 0x06, 40068, 1), 2);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 0x10, 40068, 123), 2);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 0x10, 40068, 124), 3);
	ck_assert_uint_eq(pm_mb_map_validate(&map, 0x10, 40068, 0), 3);
}
END_TEST

START_TEST(test_handle_pdu)
{
	uint8_t resp[PM_MB_MAX_PDU];
	const uint8_t rd[] = {0x03, 0x9C, 0x40, 0x00, 0x04};  /* 40000, 4 registers */
	const uint8_t big[] = {0x03, 0x9C, 0x40, 0x00, 0x7E}; /* 126 registers */
	const uint8_t shrt[] = {0x03, 0x9C, 0x40, 0x00};
	const uint8_t mei[] = {0x2B, 0x0E, 0x01, 0x00};
	const uint8_t wr[] = {0x06, 0x9C, 0x84, 0x00, 0x05};
	const uint8_t wrm[] = {0x10, 0x9C, 0x84, 0x00, 0x02, 0x04, 0, 1, 0, 2};
	size_t n;

	n = pm_mb_map_handle_pdu(&map, &snap, rd, sizeof(rd), resp);
	ck_assert_uint_eq(n, 10);
	const uint8_t want[] = {0x03, 8, 0x53, 0x75, 0x6E, 0x53, 0x00, 0x01, 0x00, 0x42};

	ck_assert_mem_eq(resp, want, 10);
	n = pm_mb_map_handle_pdu(&map, &snap, big, sizeof(big), resp);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(resp[0], 0x83);
	ck_assert_uint_eq(resp[1], 0x03);
	n = pm_mb_map_handle_pdu(&map, &snap, shrt, sizeof(shrt), resp);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(resp[1], 0x03);
	n = pm_mb_map_handle_pdu(&map, &snap, mei, sizeof(mei), resp);
	ck_assert_uint_eq(resp[0], 0xAB);
	ck_assert_uint_eq(resp[1], 0x01);
	n = pm_mb_map_handle_pdu(&map, &snap, wr, sizeof(wr), resp);
	ck_assert_uint_eq(resp[0], 0x86);
	ck_assert_uint_eq(resp[1], 0x01);
	map.cfg.writes = true;
	n = pm_mb_map_handle_pdu(&map, &snap, wr, sizeof(wr), resp);
	ck_assert_uint_eq(resp[1], 0x02);
	n = pm_mb_map_handle_pdu(&map, &snap, wrm, sizeof(wrm), resp);
	ck_assert_uint_eq(resp[0], 0x90);
	ck_assert_uint_eq(resp[1], 0x02);
	n = pm_mb_map_handle_pdu(&map, &snap, wrm, sizeof(wrm) - 1, resp); /* byte count lies */
	ck_assert_uint_eq(resp[1], 0x03);
	(void)n;
}
END_TEST

START_TEST(test_null_snapshot_not_implemented)
{
	pm_mb_map_image(&map, NULL, img);
	ck_assert_uint_eq(R32(40000), 0x53756E53);
	ck_assert_uint_eq(R(40070 + 2), 0x8000);
	ck_assert_uint_eq(R32(40177 + 2), 0x7FC00000u);
}
END_TEST

START_TEST(test_config_refused)
{
	struct pm_mb_config cfg;
	struct pm_mb_map before = map;
	const char *why = NULL;

	pm_mb_config_default(&cfg);
	cfg.base = 30000;
	ck_assert_int_eq(pm_mb_map_init(&map, &cfg, &why), -EINVAL);
	ck_assert_ptr_nonnull(why);
	pm_mb_config_default(&cfg);
	cfg.unit_id = 0;
	ck_assert_int_eq(pm_mb_map_init(&map, &cfg, &why), -EINVAL);
	cfg.unit_id = 248;
	ck_assert_int_eq(pm_mb_map_init(&map, &cfg, &why), -EINVAL);
	pm_mb_config_default(&cfg);
	cfg.model_203 = cfg.model_213 = false;
	ck_assert_int_eq(pm_mb_map_init(&map, &cfg, &why), -EINVAL);
	pm_mb_config_default(&cfg);
	cfg.serial = "0123456789012345678901234567890123"; /* 34 > 32 */
	ck_assert_int_eq(pm_mb_map_init(&map, &cfg, &why), -EINVAL);
	cfg.serial = "bad\nserial";
	ck_assert_int_eq(pm_mb_map_init(&map, &cfg, &why), -EINVAL);
	ck_assert_mem_eq(&map, &before, sizeof(map)); /* refused: nothing changed */
}
END_TEST

START_TEST(test_markdown)
{
	size_t n = pm_mb_map_markdown(&map, NULL, 0);
	char *md = malloc(n + 1);
	char tiny[8];

	ck_assert_ptr_nonnull(md);
	ck_assert_uint_eq(pm_mb_map_markdown(&map, md, n + 1), n);
	ck_assert_uint_eq(strlen(md), n);
	ck_assert_ptr_nonnull(strstr(md, "| 40000–40001 | — | SunS | uint32 |"));
	ck_assert_ptr_nonnull(strstr(md, "| 40070 | 203 | ID | uint16 |  | = 203 |"));
	ck_assert_ptr_nonnull(
	    strstr(md, "| 40078 | 203 | PhVphA | int16 | V | × 10^V_SF | l1.voltage |"));
	ck_assert_ptr_nonnull(strstr(md, "| 40191–40192 | 213 | PhVphB | float32 | V |"));
	ck_assert_ptr_nonnull(strstr(md, "total.neutral_current |"));
	ck_assert_ptr_nonnull(strstr(md, "| end | ID | uint16 |  | = 0xFFFF |"));
	/* truncated output stays NUL-terminated and reports the full length */
	ck_assert_uint_eq(pm_mb_map_markdown(&map, tiny, sizeof(tiny)), n);
	ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
	free(md);
}
END_TEST

static Suite *modbus_map_suite(void)
{
	Suite *s = suite_create("modbus_map");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_chain_walk);
	tcase_add_test(tc, test_chain_one_model_and_bases);
	tcase_add_test(tc, test_common_model);
	tcase_add_test(tc, test_203_values);
	tcase_add_test(tc, test_203_energy_not_implemented_is_zero);
	tcase_add_test(tc, test_213_floats_high_word_first);
	tcase_add_test(tc, test_vendor_model);
	tcase_add_test(tc, test_vendor_account);
	tcase_add_test(tc, test_vendor_money_scale_follows_minor_units);
	tcase_add_test(tc, test_vendor_rates_aux_events);
	tcase_add_test(tc, test_every_sunspec_point_mapped);
	tcase_add_test(tc, test_read_slices_one_image);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_handle_pdu);
	tcase_add_test(tc, test_null_snapshot_not_implemented);
	tcase_add_test(tc, test_config_refused);
	tcase_add_test(tc, test_markdown);
	tcase_add_test(tc, test_sdm630_input_map);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(modbus_map_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
