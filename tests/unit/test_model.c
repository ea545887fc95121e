// SPDX-License-Identifier: GPL-2.0-only
/*
 * The object model: the table's invariants and the snapshot's mapping. Longer than 800 lines
 * because the published names and offsets are written out by hand, as the XML and the map
 * document have them, to be compared with what the table generates.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/model.h"
#include "core/model/quantity.h"
#include "core/proto/modbus-map.h"
#include "core/proto/modbus-vendor.h"

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

START_TEST(test_ids_unique_and_dotted)
{
	for (size_t i = 0; i < pm_point_count; i++) {
		ck_assert_msg(strchr(pm_points[i].id, '.') != NULL, "%s", pm_points[i].id);
		for (size_t j = i + 1; j < pm_point_count; j++)
			ck_assert_msg(strcmp(pm_points[i].id, pm_points[j].id), "duplicate id %s",
				      pm_points[i].id);
	}
}
END_TEST

/* Each protocol address names one point: two points on one address would shadow each other. */
START_TEST(test_bindings_unique)
{
	for (size_t i = 0; i < pm_point_count; i++) {
		const struct pm_point *a = &pm_points[i];

		for (size_t j = i + 1; j < pm_point_count; j++) {
			const struct pm_point *b = &pm_points[j];

			ck_assert_msg(!same(a->obis, b->obis), "OBIS %s twice", a->obis);
			ck_assert_msg(!same(a->sunspec, b->sunspec), "SunSpec %s twice",
				      a->sunspec);
			ck_assert_msg(a->phase != b->phase || !same(a->dbus_name, b->dbus_name),
				      "D-Bus %s twice on one object", a->dbus_name);
		}
	}
}
END_TEST

/* OBIS C codes: the phase offsets of IEC 62056-61 (L1 = +20, L2 = +40, L3 = +60). */
START_TEST(test_obis_phase_offsets)
{
	static const struct {
		const char *id;
		const char *obis;
	} expect[] = {
	    {"total.energy.active_import", "1.0.1.8.0.255"},
	    {"total.energy.active_export", "1.0.2.8.0.255"},
	    {"total.energy.reactive_q3", "1.0.7.8.0.255"},
	    {"l1.energy.active_import", "1.0.21.8.0.255"},
	    {"l2.energy.active_import", "1.0.41.8.0.255"},
	    {"l3.energy.apparent_export", "1.0.70.8.0.255"},
	    {"l1.voltage", "1.0.32.7.0.255"},
	    {"l3.current", "1.0.71.7.0.255"},
	    {"total.neutral_current", "1.0.91.7.0.255"},
	    {"total.frequency", "1.0.14.7.0.255"},
	    {"l2.power_factor", "1.0.53.7.0.255"},
	};

	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		int k = pm_point_find(expect[i].id);

		ck_assert_msg(k >= 0, "%s missing", expect[i].id);
		ck_assert_str_eq(pm_points[k].obis, expect[i].obis);
	}
	ck_assert_int_eq(pm_point_find("no.such.point"), -1);
}
END_TEST

/* Every register of metrology is published, per phase and total, with an energy unit. */
START_TEST(test_every_register_published)
{
	for (int phase = 0; phase <= PM_MODEL_TOTAL; phase++)
		for (int reg = 0; reg < PM_MET_REG_COUNT; reg++) {
			int n = 0;

			for (size_t i = 0; i < pm_point_count; i++) {
				const struct pm_point *p = &pm_points[i];

				if (p->source == PM_SRC_ENERGY && p->phase == phase &&
				    p->reg == reg) {
					n++;
					ck_assert(p->unit == PM_UNIT_WH ||
						  p->unit == PM_UNIT_VARH ||
						  p->unit == PM_UNIT_VAH);
					ck_assert_int_eq(p->scaler, -3);
				}
			}
			ck_assert_msg(n == 1, "phase %d register %d published %d times", phase, reg,
				      n);
		}
}
END_TEST

static struct pm_met_instant wye_instant(void)
{
	struct pm_met_instant in;

	memset(&in, 0, sizeof(in));
	in.ts_ns = 123456789;
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		in.ph[ph].v_mv = 230000 + 1000 * ph;
		in.ph[ph].i_ma = 10000 + 500 * ph;
		in.ph[ph].p_mw = 2000000 - 3000000 * (ph == 2);
		in.ph[ph].q_mvar = -400000;
		in.ph[ph].s_mva = 2400000;
		in.ph[ph].pf_micro = 866025;
		in.ph[ph].f_mhz = 50010;
	}
	in.neutral_i_ma = 800;
	in.p_mw = 3000000;
	in.q_mvar = -1200000;
	in.s_mva = 7200000;
	in.pf_micro = 416667;
	in.f_mhz = 50010;
	in.has_line_to_neutral = true;
	in.v_avg_mv = 231000;
	in.v_ll_mv[PM_MET_LINE_AB] = 399100;
	in.v_ll_mv[PM_MET_LINE_BC] = 400800;
	in.v_ll_mv[PM_MET_LINE_CA] = 399900;
	in.v_ll_avg_mv = 399933;
	return in;
}

static int64_t value(const struct pm_snapshot *s, const char *id)
{
	int k = pm_point_find(id);

	ck_assert_msg(k >= 0, "%s missing", id);
	ck_assert_msg(s->valid[k], "%s not valid", id);
	return s->value[k];
}

START_TEST(test_fill_maps_each_source)
{
	struct pm_met_instant in = wye_instant();
	struct pm_met_registers regs;
	struct pm_snapshot s;

	memset(&regs, 0, sizeof(regs));
	regs.total[PM_MET_A_IMPORT].mwh = 1234567;
	regs.phase[1][PM_MET_R_Q2].mwh = 42;
	regs.phase[2][PM_MET_A_EXPORT].mwh = 777;
	ck_assert_int_eq(pm_snapshot_init(&s), 0);
	pm_snapshot_fill(&s, &in, &regs);

	ck_assert_uint_eq(s.seq, 1);
	ck_assert_int_eq(s.ts_ns, 123456789);
	ck_assert_int_eq(value(&s, "l2.voltage"), 231000);
	ck_assert_int_eq(value(&s, "l3.current"), 11000);
	/* total current is the sum of the phases: 10 + 10.5 + 11 A */
	ck_assert_int_eq(value(&s, "total.current"), 31500);
	ck_assert_int_eq(value(&s, "l3.active_power"), -1000000);
	ck_assert_int_eq(value(&s, "total.active_power"), 3000000);
	ck_assert_int_eq(value(&s, "total.reactive_power"), -1200000);
	ck_assert_int_eq(value(&s, "l1.power_factor"), 866025);
	ck_assert_int_eq(value(&s, "total.neutral_current"), 800);
	ck_assert_int_eq(value(&s, "total.voltage_bc"), 400800);
	ck_assert_int_eq(value(&s, "total.voltage_ll_avg"), 399933);
	ck_assert_int_eq(value(&s, "total.voltage_avg"), 231000);
	ck_assert_int_eq(value(&s, "total.energy.active_import"), 1234567);
	ck_assert_int_eq(value(&s, "l2.energy.reactive_q2"), 42);
	ck_assert_int_eq(value(&s, "l3.energy.active_export"), 777);
	ck_assert_int_eq(value(&s, "l1.energy.active_export"), 0);

	pm_snapshot_fill(&s, &in, &regs);
	ck_assert_uint_eq(s.seq, 2);
	pm_snapshot_free(&s);
}
END_TEST

/* Delta wiring: there is no line-to-neutral voltage, so none is published. */
START_TEST(test_delta_has_no_phase_voltage)
{
	struct pm_met_instant in = wye_instant();
	struct pm_met_registers regs;
	struct pm_snapshot s;

	memset(&regs, 0, sizeof(regs));
	in.has_line_to_neutral = false;
	in.v_avg_mv = 0;
	ck_assert_int_eq(pm_snapshot_init(&s), 0);
	pm_snapshot_fill(&s, &in, &regs);
	ck_assert(!s.valid[pm_point_find("l1.voltage")]);
	ck_assert(!s.valid[pm_point_find("total.voltage_avg")]);
	ck_assert_int_eq(value(&s, "total.voltage_ab"), 399100);
	/* a phase that measures no frequency publishes none */
	in.ph[1].f_mhz = 0;
	pm_snapshot_fill(&s, &in, &regs);
	ck_assert(!s.valid[pm_point_find("l2.frequency")]);
	pm_snapshot_free(&s);
}
END_TEST

START_TEST(test_unit_names)
{
	ck_assert_str_eq(pm_unit_name(PM_UNIT_VARH), "varh");
	ck_assert_str_eq(pm_unit_name(PM_UNIT_HZ), "Hz");
	ck_assert_str_eq(pm_unit_name(PM_UNIT_COUNT), "?");
}
END_TEST

/* --- the quantities besides the measurement points (quantity.h) --- */

/* A property of org.polymeter.Account1 (@dict NULL), or a key of its a{sv} property @dict. */
static bool on_account1_as(const struct pm_quantity *q, const char *dict)
{
	if (!q->dbus.iface || strcmp(q->dbus.iface, "org.polymeter.Account1"))
		return false;
	return dict ? same(q->dbus.dict, dict) : !q->dbus.dict;
}

static bool on_account1(const struct pm_quantity *q)
{
	return on_account1_as(q, NULL);
}

/* Identifiers are unique over the points and the quantities: one name space for every view. */
START_TEST(test_quantity_ids_unique)
{
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const char *id = pm_quantities[i].id;

		ck_assert_msg(strchr(id, '.') != NULL, "%s", id);
		ck_assert_msg(pm_point_find(id) < 0, "%s is a point and a quantity", id);
		for (size_t j = i + 1; j < pm_quantity_count; j++)
			ck_assert_msg(strcmp(id, pm_quantities[j].id), "duplicate id %s", id);
		ck_assert_int_eq(pm_quantity_find(id), (int)i);
	}
	ck_assert_int_eq(pm_quantity_find("no.such.quantity"), -1);
}
END_TEST

START_TEST(test_dbus_names_unique_per_interface)
{
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_dbus_binding *a = &pm_quantities[i].dbus;

		if (!a->iface)
			continue;
		ck_assert_msg(a->name && a->sig, "%s", pm_quantities[i].id);
		for (size_t j = i + 1; j < pm_quantity_count; j++) {
			const struct pm_dbus_binding *b = &pm_quantities[j].dbus;
			bool same_place = b->iface && !strcmp(a->iface, b->iface) &&
					  ((!a->dict && !b->dict) || same(a->dict, b->dict));

			ck_assert_msg(!same_place || strcmp(a->name, b->name), "%s.%s twice",
				      a->iface, a->name);
		}
	}
}
END_TEST

/* The D-Bus types a value of each kind may take (a record field: the same rule). */
static bool sig_fits(enum pm_value_kind kind, char c)
{
	switch (kind) {
	case PM_VALUE_INT:
		return c && strchr("xtuyinq", c);
	case PM_VALUE_TIME:
		return c == 't' || c == 'x';
	case PM_VALUE_BOOL:
		return c == 'b';
	case PM_VALUE_ENUM:
	case PM_VALUE_STRING:
	case PM_VALUE_DATE:
	case PM_VALUE_RATIO:
		return c == 's';
	default:
		return false;
	}
}

START_TEST(test_dbus_signature_fits_kind)
{
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_quantity *q = &pm_quantities[i];
		const char *sig = q->dbus.sig;

		if (!q->dbus.iface)
			continue;
		if (q->kind != PM_VALUE_ARRAY) {
			ck_assert_msg(strlen(sig) == 1 && sig_fits(q->kind, sig[0]),
				      "%s: %s for %s", q->id, sig, pm_value_kind_name(q->kind));
			continue;
		}
		/* "a(" one type per record field ")" */
		ck_assert_ptr_nonnull(q->record);
		ck_assert_uint_eq(strlen(sig), 3u + q->record->n_fields);
		ck_assert(sig[0] == 'a' && sig[1] == '(' && sig[strlen(sig) - 1] == ')');
		for (size_t f = 0; f < q->record->n_fields; f++)
			ck_assert_msg(sig_fits(q->record->fields[f].kind, sig[2 + f]),
				      "%s field %zu", q->id, f);
	}
}
END_TEST

/* A value's field in the snapshot has the width its kind reads (quantity-value.c). */
START_TEST(test_fields_fit_kind)
{
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_quantity *q = &pm_quantities[i];
		size_t want = 0;

		switch (q->kind) {
		case PM_VALUE_INT:
		case PM_VALUE_TIME:
			want = sizeof(int64_t);
			break;
		case PM_VALUE_BOOL:
			want = sizeof(bool);
			break;
		case PM_VALUE_ENUM:
			want = sizeof(int);
			ck_assert_ptr_nonnull(q->enum_name);
			break;
		case PM_VALUE_DATE:
			want = sizeof(struct pm_date);
			break;
		case PM_VALUE_RATIO:
			want = sizeof(struct pm_ratio);
			break;
		case PM_VALUE_STRING:
			want = q->size; /* a char array, any length */
			break;
		case PM_VALUE_ARRAY: /* whole records, at least one */
			want = q->size - q->size % q->record->size;
			ck_assert_uint_ge(want, q->record->size);
			break;
		default:
			ck_abort_msg("%s: no kind", q->id);
		}
		ck_assert_msg(q->size == want, "%s: field of %u bytes, kind %s wants %zu", q->id,
			      q->size, pm_value_kind_name(q->kind), want);
		ck_assert_uint_le((size_t)q->off + q->size, sizeof(struct pm_snapshot));
	}
}
END_TEST

/* "A.B.C.D.E.F", six decimal groups 0..255 (IEC 62056-6-1). */
static bool obis_well_formed(const char *s)
{
	int groups = 0;

	while (*s) {
		int v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (!digits || v > 255)
			return false;
		groups++;
		if (*s == '.')
			s++;
		else if (*s)
			return false;
	}
	return groups == 6;
}

/* Interface classes the model binds (IEC 62056-6-2): Data, Register, Profile generic,
 * Activity calendar, Disconnect control, Limiter, Account, Credit, Charge, Token gateway. */
static bool known_class(uint16_t c)
{
	return c == 1 || c == 3 || c == 7 || c == 20 || c == 70 || c == 71 || c == 111 ||
	       c == 112 || c == 113 || c == 115;
}

START_TEST(test_obis_well_formed_and_unique)
{
	ck_assert(obis_well_formed("1.0.1.8.0.255"));
	ck_assert(!obis_well_formed("1.0.1.8.0"));
	ck_assert(!obis_well_formed("1.0.1.8.0.256"));
	ck_assert(!obis_well_formed("1.0.1..0.255"));
	for (size_t i = 0; i < pm_point_count; i++)
		ck_assert_msg(!pm_points[i].obis || obis_well_formed(pm_points[i].obis), "%s",
			      pm_points[i].id);
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_dlms_binding *a = &pm_quantities[i].dlms;

		if (!a->obis)
			continue;
		ck_assert_msg(obis_well_formed(a->obis), "%s: %s", pm_quantities[i].id, a->obis);
		ck_assert_msg(known_class(a->class_id), "%s: class %u", pm_quantities[i].id,
			      a->class_id);
		ck_assert_msg(a->attr >= 2, "%s: attribute 1 is the logical name",
			      pm_quantities[i].id);
		/* a measurement point's register: never the same object as a quantity */
		for (size_t p = 0; p < pm_point_count; p++)
			ck_assert_msg(!same(a->obis, pm_points[p].obis), "%s", a->obis);
		/* one attribute (or element of it) holds one quantity */
		for (size_t j = i + 1; j < pm_quantity_count; j++) {
			const struct pm_dlms_binding *b = &pm_quantities[j].dlms;

			ck_assert_msg(!same(a->obis, b->obis) || a->attr != b->attr ||
					  a->element != b->element,
				      "%s attribute %u twice", a->obis, a->attr);
		}
	}
}
END_TEST

/*
 * The vendor model's quantities cover offsets 4 .. 93 exactly once, without a gap, and the
 * per-point values follow at 94: L = 94 - 2 + 4 x (points SunSpec has no name for).
 */
START_TEST(test_vendor_offsets_contiguous)
{
	unsigned off = PM_MB_VENDOR_FIRST, end = pm_mb_vendor_points_offset(), npts = 0;
	struct pm_mb_config cfg;
	struct pm_mb_map map;
	const char *why = NULL;

	while (off < end) {
		int k = pm_mb_vendor_at(off);

		ck_assert_msg(k >= 0, "no quantity at vendor offset %u", off);
		ck_assert_uint_gt(pm_mb_vendor_regs(pm_quantities[k].modbus.type), 0);
		off += pm_mb_vendor_regs(pm_quantities[k].modbus.type);
	}
	ck_assert_uint_eq(off, end);
	ck_assert_uint_eq(end, 94);
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_modbus_binding *b = &pm_quantities[i].modbus;

		if (!b->offset)
			continue;
		/* starts where the walk above stepped: no overlap */
		ck_assert_int_eq(pm_mb_vendor_at(b->offset), (int)i);
		ck_assert_uint_ge(b->offset, PM_MB_VENDOR_FIRST);
		ck_assert_ptr_nonnull(b->name);
		for (size_t j = 0; j < pm_quantity_count; j++) {
			const struct pm_modbus_binding *c = &pm_quantities[j].modbus;

			if (j == i || !c->offset)
				continue;
			ck_assert_msg(c->offset + pm_mb_vendor_regs(c->type) <= b->offset ||
					  b->offset + pm_mb_vendor_regs(b->type) <= c->offset,
				      "%s overlaps %s", b->name, c->name);
		}
	}
	for (size_t i = 0; i < pm_point_count; i++)
		npts += pm_points[i].sunspec == NULL;
	pm_mb_config_default(&cfg);
	ck_assert_int_eq(pm_mb_map_init(&map, &cfg, &why), 0);
	ck_assert_uint_eq(map.vendor_npts, npts);
	ck_assert_uint_eq(map.vendor_len, 94 - 2 + 4 * npts);
}
END_TEST

/* The account's own values (not the vendor model's summaries) are all on D-Bus. */
START_TEST(test_account_quantities_on_dbus)
{
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_quantity *q = &pm_quantities[i];

		switch (q->group) {
		case PM_GROUP_ACCOUNT:
		case PM_GROUP_CREDIT:
		case PM_GROUP_TARIFF:
		case PM_GROUP_SUPPLY:
		case PM_GROUP_STS:
		case PM_GROUP_PAYMENTS:
			ck_assert_msg(on_account1(q), "%s has no D-Bus property", q->id);
			break;
		case PM_GROUP_SETTINGS:
			ck_assert_msg(on_account1_as(q, "Configuration"), "%s not in Configuration",
				      q->id);
			ck_assert_int_eq(q->write, PM_WHO_ADMIN);
			break;
		default:
			break;
		}
		/* published to anyone; changed by an admin or the display, never by anyone */
		ck_assert_int_eq(q->read, PM_WHO_ANYONE);
		ck_assert_int_ne(q->write, PM_WHO_ANYONE);
	}
}
END_TEST

/*
 * Generated from the table: org.polymeter.Account1's properties, in the order of
 * daemon/views/dbus/org.polymeter.Account1.xml (Configuration, a settings dictionary, follows
 * them and is not a quantity).
 */
START_TEST(test_account1_properties_as_published)
{
	static const char *const expect[][2] = {
	    {"Running", "b"},
	    {"Mode", "s"},
	    {"Balance", "x"},
	    {"AvailableCredit", "x"},
	    {"TotalCredit", "x"},
	    {"PaymentCount", "u"},
	    {"Payments", "a(txs)"},
	    {"EmergencyCredit", "s"},
	    {"EmergencyCreditRemaining", "x"},
	    {"DebtToClear", "x"},
	    {"TimeDebt", "x"},
	    {"PaymentDebt", "x"},
	    {"CostLastHour", "x"},
	    {"CostToday", "x"},
	    {"ChargesThisPeriod", "x"},
	    {"SupplyClosed", "b"},
	    {"SupplyState", "s"},
	    {"SupplyReason", "s"},
	    {"AuxRelayClosed", "b"},
	    {"HasTariff", "b"},
	    {"TariffName", "s"},
	    {"Currency", "s"},
	    {"MinorUnits", "u"},
	    {"Rate", "y"},
	    {"ExportRate", "y"},
	    {"Block", "y"},
	    {"RateName", "s"},
	    {"ExportRateName", "s"},
	    {"Price", "x"},
	    {"StsTokens", "b"},
	    {"LocalDate", "s"},
	    {"PeakRate", "b"},
	    {"FutureTariffName", "s"},
	    {"FutureTariffDate", "s"},
	    {"CurrencyConversionDate", "s"},
	    {"CurrencyConversionFactor", "s"},
	    {"CurrencyConversionCurrency", "s"},
	};
	size_t n = 0;

	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_quantity *q = &pm_quantities[i];

		if (!on_account1(q))
			continue;
		ck_assert_uint_lt(n, sizeof(expect) / sizeof(expect[0]));
		ck_assert_str_eq(q->dbus.name, expect[n][0]);
		ck_assert_str_eq(q->dbus.sig, expect[n][1]);
		n++;
	}
	ck_assert_uint_eq(n, sizeof(expect) / sizeof(expect[0]));
}
END_TEST

/*
 * Generated from the table: the vendor model's points as docs/modbus-map.md lists them (the
 * model's ID at 40303: Seq at 40307 = offset 4, ..., RateExp8 at 40393 = offset 90).
 */
START_TEST(test_vendor_points_as_published)
{
	static const struct {
		unsigned off;
		const char *name, *type, *unit;
	} expect[] = {
	    {4, "Seq", "uint32", NULL},	      {6, "Ts", "int64", "ms"},
	    {10, "TarRate", "uint16", NULL},  {11, "TarBlk", "uint16", NULL},
	    {12, "Bal", "int64", "mill"},     {16, "EmCr", "int64", "mill"},
	    {20, "Debt", "int64", "mill"},    {24, "CrSt", "enum16", NULL},
	    {25, "Supply", "enum16", NULL},   {26, "EvtCnt", "uint32", NULL},
	    {28, "Aux", "enum16", NULL},      {29, "NRates", "uint16", NULL},
	    {30, "RateImp1", "int64", "mWh"}, {34, "RateImp2", "int64", "mWh"},
	    {58, "RateImp8", "int64", "mWh"}, {62, "RateExp1", "int64", "mWh"},
	    {90, "RateExp8", "int64", "mWh"},
	};
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		int k = pm_mb_vendor_at(expect[i].off);

		ck_assert_msg(k >= 0, "nothing at %u", expect[i].off);
		ck_assert_str_eq(pm_quantities[k].modbus.name, expect[i].name);
		ck_assert_str_eq(pm_mb_vendor_type_name(pm_quantities[k].modbus.type),
				 expect[i].type);
		ck_assert(expect[i].unit ? same(pm_quantities[k].modbus.unit, expect[i].unit)
					 : pm_quantities[k].modbus.unit == NULL);
	}
	/* 12 fixed points + 8 import + 8 export rate registers, nothing else */
	for (size_t i = 0; i < pm_quantity_count; i++)
		n += pm_quantities[i].modbus.offset != 0;
	ck_assert_uint_eq(n, 12 + 8 + 8);
}
END_TEST

static struct pm_snapshot account_snapshot(void)
{
	struct pm_snapshot s = {.seq = 7, .ts_ns = 1500000000};

	s.account = (struct pm_snapshot_account){
	    .valid = true,
	    .has_tariff = true,
	    .rate = 2,
	    .mode = ACCOUNT_MODE_PAYG,
	    .balance_mu = 1234500,
	    .supply = PM_SUPPLY_ARMED,
	    .future_tariff_date = {2027, 3, 1},
	    .conversion = {5000, 10000},
	    .n_rates = 1,
	    .rate_import_mwh = {11, 22},
	    .n_payments = 2,
	    .payments = {{1700000000, 500000, ACCOUNT_PAYMENT_TOKEN},
			 {1600000000, 100000, ACCOUNT_PAYMENT_LOCAL}},
	};
	snprintf(s.account.tariff_name, sizeof(s.account.tariff_name), "%s", "Economy 7");
	return s;
}

static void value_of(const struct pm_snapshot *s, const char *id, struct pm_value *v)
{
	int k = pm_quantity_find(id);

	ck_assert_msg(k >= 0, "%s", id);
	pm_quantity_value(s, (size_t)k, v);
}

static const char *text_of(const struct pm_snapshot *s, const char *id)
{
	static char buf[64];
	struct pm_value v;

	value_of(s, id, &v);
	pm_value_text(&v, buf, sizeof(buf));
	return buf;
}

/* Each kind read from a snapshot set by hand. */
START_TEST(test_values_of_each_kind)
{
	struct pm_snapshot s = account_snapshot();
	const struct pm_quantity *log = &pm_quantities[pm_quantity_find("payments.log")];
	struct pm_value v, f;

	value_of(&s, "account.balance", &v);
	ck_assert(v.valid);
	ck_assert_int_eq(v.i, 1234500);
	ck_assert_str_eq(text_of(&s, "account.mode"), "payg");
	ck_assert_str_eq(text_of(&s, "supply.state"), "armed");
	ck_assert_str_eq(text_of(&s, "tariff.name"), "Economy 7");
	ck_assert_str_eq(text_of(&s, "tariff.future.date"), "2027-03-01");
	ck_assert_str_eq(text_of(&s, "tariff.conversion.date"), "");	     /* none */
	ck_assert_str_eq(text_of(&s, "tariff.conversion.factor"), "0.5000"); /* 5000/10000 */
	ck_assert_str_eq(text_of(&s, "account.running"), "1");
	ck_assert_str_eq(text_of(&s, "snapshot.seq"), "7");
	/* rate 1 defined, rate 2 not */
	value_of(&s, "register.rate1.active_import", &v);
	ck_assert(v.valid);
	ck_assert_int_eq(v.i, 11);
	value_of(&s, "register.rate2.active_import", &v);
	ck_assert(!v.valid);
	/* the event count: none known */
	value_of(&s, "events.count", &v);
	ck_assert(!v.valid);
	/* the payments, newest first */
	value_of(&s, "payments.log", &v);
	ck_assert_uint_eq(v.n, 2);
	pm_record_value(&v, log->record, 1, 0, &f);
	ck_assert_int_eq(f.i, 1600000000);
	pm_record_value(&v, log->record, 1, 2, &f);
	ck_assert_str_eq(f.s, "local");
	pm_record_value(&v, log->record, 0, 1, &f);
	ck_assert_int_eq(f.i, 500000);

	/* without a tariff: no rate; the rate count reads 0 */
	s.account.has_tariff = false;
	value_of(&s, "tariff.rate", &v);
	ck_assert(!v.valid);
	value_of(&s, "tariff.rates.import", &v);
	ck_assert(v.valid);
	ck_assert_int_eq(v.i, 0);
	/* an unknown account: nothing but Running, and the states read "unknown" */
	s.account.valid = false;
	value_of(&s, "account.balance", &v);
	ck_assert(!v.valid);
	ck_assert_str_eq(text_of(&s, "account.mode"), "unknown");
	ck_assert_str_eq(text_of(&s, "tariff.name"), "");
	value_of(&s, "account.running", &v);
	ck_assert(v.valid);
	ck_assert_int_eq(v.i, 0);
	/* no snapshot at all */
	pm_quantity_value(NULL, 0, &v);
	ck_assert(!v.valid);
}
END_TEST

/* A factor that is not a power-of-ten fraction is written as num/den; 4/1 as "4". */
START_TEST(test_ratio_text)
{
	struct pm_value v = {.kind = PM_VALUE_RATIO, .valid = true, .i = 4, .den = 1};
	char buf[32];

	pm_value_text(&v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "4");
	v.i = 1;
	v.den = 3;
	pm_value_text(&v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1/3");
	v.i = 25;
	v.den = 100;
	pm_value_text(&v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.25");
}
END_TEST

/* Generated from the table: the keys of Account1.Configuration, in the order docs/dbus.md
 * lists them. */
START_TEST(test_configuration_keys_as_published)
{
	static const char *const expect[][2] = {
	    {"payg_debt_limit", "x"},
	    {"max_balance", "x"},
	    {"low_credit", "x"},
	    {"emergency_credit", "x"},
	    {"emergency_credit_threshold", "x"},
	    {"debt_weekly_rate", "x"},
	    {"debt_collection", "s"},
	    {"debt_in_emergency_credit", "s"},
	    {"payment_debt_percent", "y"},
	    {"load_limit_w", "u"},
	    {"load_limit_peak_w", "u"},
	    {"load_limit_period_s", "u"},
	    {"reconnect_needs_confirmation", "b"},
	    {"friendly_special_days", "b"},
	    {"friendly_periods", "a(yuu)"},
	};
	size_t n = 0;

	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_quantity *q = &pm_quantities[i];

		if (!on_account1_as(q, "Configuration"))
			continue;
		ck_assert_uint_lt(n, sizeof(expect) / sizeof(expect[0]));
		ck_assert_str_eq(q->dbus.name, expect[n][0]);
		ck_assert_str_eq(q->dbus.sig, expect[n][1]);
		n++;
	}
	ck_assert_uint_eq(n, sizeof(expect) / sizeof(expect[0]));
	ck_assert_str_eq(pm_debt_collection_name(1), "halt_out_of_credit");
	ck_assert_str_eq(pm_debt_in_ec_name(2), "suspend");
	ck_assert_str_eq(pm_debt_in_ec_name(3), "unknown");
}
END_TEST

/*
 * A setting Configure writes by the table has a field of struct account_config as wide as its
 * D-Bus type (x 8 bytes, u 4, y 1, b a bool, an enum's name an int); emergency credit and the
 * friendly periods are written by rules of their own (size 0).
 */
START_TEST(test_setting_fields_fit_signature)
{
	unsigned by_rule = 0;

	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_quantity *q = &pm_quantities[i];
		size_t want;

		if (q->group != PM_GROUP_SETTINGS) {
			ck_assert_uint_eq(q->setting.size, 0);
			continue;
		}
		if (!q->setting.size) {
			by_rule++;
			continue;
		}
		switch (q->dbus.sig[0]) {
		case 'x':
			want = sizeof(int64_t);
			break;
		case 'u':
			want = sizeof(uint32_t);
			break;
		case 'y':
			want = sizeof(uint8_t);
			break;
		case 'b':
			want = sizeof(bool);
			break;
		default:
			ck_assert_int_eq(q->kind, PM_VALUE_ENUM);
			want = sizeof(int);
			break;
		}
		ck_assert_msg(q->setting.size == want, "%s", q->id);
		ck_assert_uint_le((size_t)q->setting.off + q->setting.size,
				  sizeof(struct account_config));
	}
	ck_assert_uint_eq(by_rule, 2);
}
END_TEST

static Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_ids_unique_and_dotted);
	tcase_add_test(tc, test_bindings_unique);
	tcase_add_test(tc, test_obis_phase_offsets);
	tcase_add_test(tc, test_every_register_published);
	tcase_add_test(tc, test_fill_maps_each_source);
	tcase_add_test(tc, test_delta_has_no_phase_voltage);
	tcase_add_test(tc, test_unit_names);
	tcase_add_test(tc, test_quantity_ids_unique);
	tcase_add_test(tc, test_dbus_names_unique_per_interface);
	tcase_add_test(tc, test_dbus_signature_fits_kind);
	tcase_add_test(tc, test_fields_fit_kind);
	tcase_add_test(tc, test_obis_well_formed_and_unique);
	tcase_add_test(tc, test_vendor_offsets_contiguous);
	tcase_add_test(tc, test_account_quantities_on_dbus);
	tcase_add_test(tc, test_account1_properties_as_published);
	tcase_add_test(tc, test_vendor_points_as_published);
	tcase_add_test(tc, test_values_of_each_kind);
	tcase_add_test(tc, test_ratio_text);
	tcase_add_test(tc, test_configuration_keys_as_published);
	tcase_add_test(tc, test_setting_fields_fit_signature);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(model_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
