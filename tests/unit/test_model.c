// SPDX-License-Identifier: GPL-2.0-only
/* The object model: the table's invariants and the snapshot's mapping. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/model.h"

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
