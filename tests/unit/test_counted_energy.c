// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the energy polymeterd counts since its start (daemon/meter/counted-energy.c):
 * the core's counter-generation rule as the daemon applies it, with the source's word on
 * whether a new generation started at zero.
 *
 * The counter scale is 1 mJ per code (1 000 000 nJ): 3600 codes = 3.6 J = 3 600 000 000 nJ.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "meter/counted-energy.h"

/* A sample of generation @gen: phase A's active and apparent counters, phase B's apparent. */
static struct pm_met_sample sample(uint64_t gen, int64_t a_active, int64_t a_apparent,
				   int64_t b_apparent)
{
	struct pm_met_sample s = {.generation = gen};

	for (int k = 0; k < PM_MET_CNT_COUNT; k++)
		s.nj_per_code[k] = 1000000;
	s.ph[0].counter[PM_MET_CNT_ACTIVE] = a_active;
	s.ph[0].counter[PM_MET_CNT_APPARENT] = a_apparent;
	s.ph[1].counter[PM_MET_CNT_APPARENT] = b_apparent;
	return s;
}

/* The energy as one signed nJ figure (small enough here for int64). */
static int64_t nj(const struct pm_energy_nj *e)
{
	return e->j * 1000000000 + e->nj;
}

static int64_t active_a(const struct pm_counted_energy *ce)
{
	return nj(&ce->energy_nj[0][PM_MET_CNT_ACTIVE]);
}

static int64_t apparent_a(const struct pm_counted_energy *ce)
{
	return nj(&ce->energy_nj[0][PM_MET_CNT_APPARENT]);
}

START_TEST(test_generations)
{
	struct pm_counted_energy ce = {0};
	struct pm_met_sample s;

	/* the first scan is the baseline: 1000 codes from before the daemon are not counted */
	s = sample(1, 1000, 1000, 10000);
	pm_counted_energy_add(&ce, "t", &s);
	ck_assert_int_eq(active_a(&ce), 0);
	ck_assert_uint_eq(ce.restarts, 0);

	/* same generation: 1000 -> 4600 = 3600 codes = 3 600 000 000 nJ */
	s = sample(1, 4600, 4600, 10000);
	pm_counted_energy_add(&ce, "t", &s);
	ck_assert_int_eq(active_a(&ce), 3600000000);
	ck_assert_int_eq(ce.energy_nj[0][PM_MET_CNT_ACTIVE].j, 3);
	ck_assert_int_eq(ce.energy_nj[0][PM_MET_CNT_ACTIVE].nj, 600000000);

	/* generation 2, from zero: its 1800 codes are new energy, 3.6e9 + 1.8e9 = 5.4e9 nJ;
	 * generation 1's 4600 is neither subtracted nor counted again */
	s = sample(2, 1800, 1800, 10000);
	pm_counted_energy_add(&ce, "t", &s);
	ck_assert_int_eq(active_a(&ce), 5400000000);
	ck_assert_uint_eq(ce.restarts, 1);

	/* generation 3 of unknown origin: 500000 is only the new baseline */
	s = sample(3, 500000, 500000, 10000);
	s.counters_origin_unknown = true;
	pm_counted_energy_add(&ce, "t", &s);
	ck_assert_int_eq(active_a(&ce), 5400000000);
	ck_assert_uint_eq(ce.restarts, 2);

	/* export within generation 3: active 500000 -> 496400 = -3600 codes while apparent
	 * 500000 -> 503600 = +3600: active 5.4e9 - 3.6e9 = 1.8e9, apparent
	 * 3.6e9 + 1.8e9 + 3.6e9 = 9.0e9 nJ */
	s = sample(3, 496400, 503600, 10000);
	s.counters_origin_unknown = true;
	pm_counted_energy_add(&ce, "t", &s);
	ck_assert_int_eq(active_a(&ce), 1800000000);
	ck_assert_int_eq(apparent_a(&ce), 9000000000);
	ck_assert_int_eq(ce.energy_nj[0][PM_MET_CNT_ACTIVE].j, 1);
	ck_assert_uint_eq(ce.restarts, 2);
}
END_TEST

START_TEST(test_backwards_is_a_new_baseline)
{
	struct pm_counted_energy ce = {0};
	struct pm_met_sample s;

	s = sample(5, 0, 0, 10000);
	pm_counted_energy_add(&ce, "t", &s);
	s = sample(5, 3600, 3600, 10000);
	pm_counted_energy_add(&ce, "t", &s);
	ck_assert_int_eq(active_a(&ce), 3600000000);

	/* phase B's apparent counter 10000 -> 20, same generation: reset behind the source's
	 * back; nothing of this interval is counted, not even phase A's +3600 */
	s = sample(5, 7200, 7200, 20);
	pm_counted_energy_add(&ce, "t", &s);
	ck_assert_int_eq(active_a(&ce), 3600000000);
	ck_assert_uint_eq(ce.restarts, 1);

	/* counted again from there: 7200 -> 10800 = 3600 codes, 3.6e9 + 3.6e9 = 7.2e9 nJ */
	s = sample(5, 10800, 10800, 40);
	pm_counted_energy_add(&ce, "t", &s);
	ck_assert_int_eq(active_a(&ce), 7200000000);
	ck_assert_uint_eq(ce.restarts, 1);
}
END_TEST

START_TEST(test_total_sums_phases)
{
	struct pm_counted_energy ce = {0};
	struct pm_energy_nj total[PM_MET_CNT_COUNT];

	/* A imports 1.5 J, B imports 2.25 J, C exports 0.5 J: 1.5 + 2.25 - 0.5 = 3.25 J */
	ce.energy_nj[0][PM_MET_CNT_ACTIVE] = (struct pm_energy_nj){1, 500000000};
	ce.energy_nj[1][PM_MET_CNT_ACTIVE] = (struct pm_energy_nj){2, 250000000};
	ce.energy_nj[2][PM_MET_CNT_ACTIVE] = (struct pm_energy_nj){-1, 500000000};
	pm_counted_energy_total(&ce, total);
	ck_assert_int_eq(total[PM_MET_CNT_ACTIVE].j, 3);
	ck_assert_int_eq(total[PM_MET_CNT_ACTIVE].nj, 250000000);
	ck_assert_int_eq(total[PM_MET_CNT_REACTIVE].j, 0);
	ck_assert_int_eq(total[PM_MET_CNT_REACTIVE].nj, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("counted_energy");
	TCase *tc = tcase_create("counted_energy");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_generations);
	tcase_add_test(tc, test_backwards_is_a_new_baseline);
	tcase_add_test(tc, test_total_sums_phases);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
