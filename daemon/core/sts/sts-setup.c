// SPDX-License-Identifier: GPL-2.0-only
/* A meter's STS setup and the TID memory import (sts-setup.h). */
#include "core/sts/sts-setup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

int sts_setup_check(const struct sts_setup *s, char *err)
{
	const char *what = NULL;

	if (s->sgc > STS_SGC_MAX)
		what = "supply_group_code: 6 digits, 0..999999";
	else if (s->ti > STS_TI_MAX)
		what = "tariff_index: 2 digits, 0..99";
	else if (s->krn < STS_KRN_MIN || s->krn > STS_KRN_MAX)
		what = "key_revision: 1..9";
	else if (s->kt > STS_KT_MAX)
		what = "key_type: 0..3";
	else if (s->base > STS_BASE_2035)
		what = "base_date: 1993, 2014 or 2035";
	if (!what)
		return 0;
	snprintf(err, STS_ERROR_LEN, "%s", what);
	return -EINVAL;
}

static bool memory_empty(const struct sts_meter *m)
{
	for (unsigned i = 1; i < STS_TID_MEMORY; i++)
		if (m->tids[i] != m->tids[0])
			return false;
	return true;
}

int sts_setup_apply(struct sts_meter *m, const struct sts_setup *s, char *err)
{
	int r = sts_setup_check(s, err);

	if (r < 0)
		return r;
	if (s->base != m->base && !memory_empty(m)) {
		snprintf(err, STS_ERROR_LEN,
			 "base_date: tokens were entered under the present base date; only a "
			 "roll-over key change (key change tokens with the RO bit) moves it");
		return -EPERM;
	}
	m->ti = s->ti;
	m->krn = s->krn;
	m->kt = s->kt;
	m->ken = s->ken;
	m->base = s->base;
	return 0;
}

/* Inserts @tid into @top (descending, distinct, *n of at most STS_TID_MEMORY). */
static void keep_newest(uint32_t *top, unsigned *n, uint32_t tid)
{
	unsigned i = 0;

	while (i < *n && top[i] > tid)
		i++;
	if ((i < *n && top[i] == tid) || i == STS_TID_MEMORY)
		return;
	for (unsigned j = (*n < STS_TID_MEMORY ? *n : STS_TID_MEMORY - 1); j > i; j--)
		top[j] = top[j - 1];
	top[i] = tid;
	if (*n < STS_TID_MEMORY)
		(*n)++;
}

int sts_import_tids(struct sts_meter *m, const uint32_t *tids, size_t n, char *err)
{
	uint32_t top[STS_TID_MEMORY], floor = STS_TID_MAX;
	unsigned kept = 0;

	if (n == 0) {
		snprintf(err, STS_ERROR_LEN, "tids: none given");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (tids[i] < floor)
			floor = tids[i];
		if (tids[i] > STS_TID_MAX) {
			snprintf(err, STS_ERROR_LEN, "tids: %lu is above the 24-bit TID maximum",
				 (unsigned long)tids[i]);
			return -EINVAL;
		}
	}
	/* what the replaced meter found too old stays too old: nothing below its oldest */
	for (unsigned i = 0; i < STS_TID_MEMORY; i++)
		if (m->tids[i] >= floor)
			keep_newest(top, &kept, m->tids[i]);
	for (size_t i = 0; i < n; i++)
		keep_newest(top, &kept, tids[i]);
	for (unsigned i = 0; i < STS_TID_MEMORY; i++)
		m->tids[i] = top[i < kept ? i : kept - 1];
	return 0;
}
