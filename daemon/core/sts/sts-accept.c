/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STS meter-side acceptance (prepay-sts.md §1.3, §1.9, §1.10): key expiry, TID memory
 * ("already used", "too old"), key change token pairs. Everything is worked out on a copy of
 * the state, which replaces the caller's only when the token is accepted.
 */
#include "core/sts/sts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int sts_meter_init(struct sts_meter *m, uint64_t dk, uint8_t ken, unsigned base,
		   uint32_t initial_tid)
{
	if (!m || base > STS_BASE_2035 || initial_tid > STS_TID_MAX)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->dk = dk;
	m->ken = ken;
	m->base = (uint8_t)base;
	for (unsigned i = 0; i < STS_TID_MEMORY; i++)
		m->tids[i] = initial_tid;
	return 0;
}

static unsigned window_index(const struct sts_meter *m)
{
	unsigned min = 0;

	for (unsigned i = 1; i < STS_TID_MEMORY; i++)
		if (m->tids[i] < m->tids[min])
			min = i;
	return min;
}

uint32_t sts_meter_window_start(const struct sts_meter *m)
{
	return m->tids[window_index(m)];
}

static int refuse(struct sts_result *out, enum sts_status status, int rc, const char *msg)
{
	out->status = status;
	out->action = STS_ACTION_NONE;
	snprintf(out->error, sizeof(out->error), "%s", msg);
	return rc;
}

static int accept_tid(struct sts_meter *next, struct sts_result *out)
{
	const struct sts_token *t = &out->token;
	unsigned min;
	char msg[STS_ERROR_LEN];

	if ((unsigned)(t->tid >> 16) > next->ken) {
		snprintf(msg, sizeof(msg),
			 "key expired: the token's TID %lu is past the key expiry number %u",
			 (unsigned long)t->tid, next->ken);
		return refuse(out, STS_ERR_KEY_EXPIRED, -EKEYEXPIRED, msg);
	}
	for (unsigned i = 0; i < STS_TID_MEMORY; i++) {
		if (next->tids[i] == t->tid) {
			snprintf(msg, sizeof(msg),
				 "already used: a token with TID %lu was entered before",
				 (unsigned long)t->tid);
			return refuse(out, STS_ERR_USED, -EALREADY, msg);
		}
	}
	min = window_index(next);
	if (t->tid < next->tids[min]) {
		snprintf(msg, sizeof(msg),
			 "too old: TID %lu is older than the oldest remembered token (TID %lu)",
			 (unsigned long)t->tid, (unsigned long)next->tids[min]);
		return refuse(out, STS_ERR_OLD, -ESTALE, msg);
	}
	next->tids[min] = t->tid;
	if (t->kind == STS_KIND_CREDIT) {
		out->action = STS_ACTION_ADD_CREDIT;
		out->credit = t->amount;
		out->credit_unit = t->unit;
	} else {
		out->action = STS_ACTION_MANAGEMENT;
	}
	return 0;
}

static void accept_kct(struct sts_meter *next, int64_t now_utc, struct sts_result *out)
{
	const struct sts_token *t = &out->token;
	bool fresh = now_utc >= next->kct_staged_utc &&
		     (uint64_t)now_utc - (uint64_t)next->kct_staged_utc <= STS_KCT_PAIR_TIMEOUT_S;

	if (!fresh) {
		next->kct1_staged = next->kct2_staged = false;
		memset(&next->kct1, 0, sizeof(next->kct1));
		memset(&next->kct2, 0, sizeof(next->kct2));
	}
	if (t->kind == STS_KIND_KEY_CHANGE_1) {
		next->kct1 = t->kct;
		next->kct1_staged = true;
	} else {
		next->kct2 = t->kct;
		next->kct2_staged = true;
	}
	if (!(next->kct1_staged && next->kct2_staged)) {
		next->kct_staged_utc = now_utc;
		out->action = STS_ACTION_KEY_STAGED;
		return;
	}
	next->dk = (uint64_t)next->kct1.key_half << 32 | next->kct2.key_half;
	next->ken = (uint8_t)(next->kct1.ken_nibble << 4 | next->kct2.ken_nibble);
	next->krn = next->kct1.krn;
	next->kt = next->kct1.kt;
	next->ti = next->kct2.ti;
	if (next->kct1.rollover) {
		memset(next->tids, 0, sizeof(next->tids));
		if (next->base < STS_BASE_2035)
			next->base++;
		out->rollover_done = true;
	}
	next->kct1_staged = next->kct2_staged = false;
	next->kct_staged_utc = 0;
	memset(&next->kct1, 0, sizeof(next->kct1));
	memset(&next->kct2, 0, sizeof(next->kct2));
	out->action = STS_ACTION_KEY_CHANGED;
}

int sts_accept(struct sts_meter *m, const char *text, int64_t now_utc, struct sts_result *out)
{
	struct sts_meter next;
	int rc;

	if (!out)
		return -EINVAL;
	if (!m || m->base > STS_BASE_2035) {
		memset(out, 0, sizeof(*out));
		return refuse(out, STS_ERR_ARGUMENT, -EINVAL,
			      m ? "meter state is corrupt: unknown base date" : "no meter state");
	}
	rc = sts_decode(text, m->dk, m->base, out);
	if (rc < 0)
		return rc;
	next = *m;
	switch (out->token.kind) {
	case STS_KIND_TEST:
		out->action = STS_ACTION_TEST;
		return 0;
	case STS_KIND_KEY_CHANGE_1:
	case STS_KIND_KEY_CHANGE_2:
		accept_kct(&next, now_utc, out);
		break;
	default:
		rc = accept_tid(&next, out);
		if (rc < 0)
			return rc;
		break;
	}
	*m = next;
	return 0;
}
