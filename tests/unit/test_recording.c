// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recordings (daemon/acquire/source-replay.c): a scan written with pm_recording_write reads
 * back field for field, whatever its counter generation. The generation is a random 64-bit
 * number (daemon/acquire/generation.c), so half of all recordings carry one at or above 2^63;
 * a reader that took the field as a signed 64-bit integer refused them all.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acquire/source-replay.h"

static void fill(struct pm_scan *s, uint64_t generation)
{
	memset(s, 0, sizeof(*s));
	s->ts_ns = 5000000000;
	s->generation = generation;
	s->counters_from_zero = true;
	for (int k = 0; k < PM_KINDS; k++)
		s->nj_per_code[k] = 1000u + (uint32_t)k;
	s->neutral_ma = -7;
	for (int n = 0; n < PM_PHASES; n++) {
		s->ph[n].v_mv = 230000 + n;
		s->ph[n].i_ma = 5000 + n;
		s->ph[n].p_mw = -1150000 - n;
		s->ph[n].f_mhz = 50000;
		s->ph[n].counter[PM_ACTIVE] = INT64_MIN + n;
		s->ph[n].counter[PM_APPARENT] = INT64_MAX - n;
	}
}

/* Writes the header and one scan, reads it back; returns pm_recording_read's result. */
static int round_trip(const struct pm_scan *in, struct pm_scan *out, int64_t *utc)
{
	FILE *f = tmpfile();
	unsigned line = 0;
	int r;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pm_recording_start(f), 0);
	ck_assert_int_eq(pm_recording_write(f, 1767607200000000000, in), 0);
	rewind(f);
	r = pm_recording_read(f, &line, utc, out);
	fclose(f);
	return r;
}

START_TEST(test_generation_whole_range)
{
	/* 0, 1, 2^63 - 1, 2^63, 2^64 - 1 */
	static const uint64_t gens[] = {0, 1, UINT64_C(0x7fffffffffffffff),
					UINT64_C(0x8000000000000000), UINT64_MAX};
	struct pm_scan in, out;
	int64_t utc;

	fill(&in, gens[_i]);
	ck_assert_int_eq(round_trip(&in, &out, &utc), 1);
	ck_assert_int_eq(utc, 1767607200000000000);
	ck_assert_uint_eq(out.generation, gens[_i]);
	ck_assert(memcmp(&in, &out, sizeof(in)) == 0);
}
END_TEST

/* Reads a recording given as text; returns pm_recording_read's result for its first scan. */
static int read_text(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct pm_scan s;
	unsigned line = 0;
	int64_t utc;
	int r;

	ck_assert_ptr_nonnull(f);
	r = pm_recording_read(f, &line, &utc, &s);
	fclose(f);
	return r;
}

#define PHASE " 230000 5000 1150000 0 1150000 50000 1 2 3"
#define HEAD PM_REPLAY_HEADER "\n"

START_TEST(test_bad_generation_refused)
{
	/* a well-formed record: accepted */
	ck_assert_int_eq(
	    read_text(HEAD "1 2 18446744073709551615 0 1 1 1 0" PHASE PHASE PHASE "\n"), 1);
	/* negative: no generation is */
	ck_assert_int_eq(read_text(HEAD "1 2 -1 0 1 1 1 0" PHASE PHASE PHASE "\n"), -EINVAL);
	/* 2^64: out of range */
	ck_assert_int_eq(
	    read_text(HEAD "1 2 18446744073709551616 0 1 1 1 0" PHASE PHASE PHASE "\n"), -EINVAL);
	/* a signed field out of range stays refused */
	ck_assert_int_eq(read_text(HEAD "9223372036854775808 2 1 0 1 1 1 0" PHASE PHASE PHASE "\n"),
			 -EINVAL);
}
END_TEST

static Suite *recording_suite(void)
{
	Suite *s = suite_create("recording");
	TCase *tc = tcase_create("format");

	tcase_add_loop_test(tc, test_generation_whole_range, 0, 5);
	tcase_add_test(tc, test_bad_generation_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(recording_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
