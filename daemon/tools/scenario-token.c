// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STS tokens in the scenario runner (docs/scenario.md, "Tokens"), as the daemon's token path
 * (meter/billing-token.c) enters them, with the same core rules: the STS acceptance rules
 * (core/sts/sts.h), the value of a currency token (core/sts/sts-credit.h) and the entry
 * lockout of the manual's §4.2.1 (core/sts/sts-lockout.h).
 *
 *   sts_key HEX             the meter's decoder key (16 hex digits, base date 1993, no key
 *                           expiry, an empty TID memory)
 *   token DIGITS            a token that must be accepted
 *   token DIGITS REASON     a token that must be refused with REASON, as the event log names
 *                           refusals: malformed, invalid, unsupported, used, old, key_expired,
 *                           wrong_utility, wrong_unit, invalid_amount, refused, locked
 *
 * The runner's account counts currency, so a kWh token (0/0) is refused as wrong_unit, as in a
 * currency account of the daemon. Management tokens (class 2) act in the daemon's token path
 * only (test_billing_token): the runner refuses a scenario that enters one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/scenario.h"
#include "core/sts/sts-credit.h"

int scn_sts_key(struct sim *s, char **w, int n)
{
	char *end;
	uint64_t dk;

	if (n != 2 || strlen(w[1]) != 16)
		return scn_fail(s, "sts_key HEX: 16 hexadecimal digits");
	dk = strtoull(w[1], &end, 16);
	if (*end || sts_meter_init(&s->sts, dk, STS_KEN_NO_EXPIRY, STS_BASE_1993, 0) < 0)
		return scn_fail(s, "sts_key HEX: 16 hexadecimal digits");
	s->has_sts = true;
	return 0;
}

/* A credit token the STS rules accepted, into the account: NULL, or why it is refused. */
static const char *credit(struct sim *s, const struct sts_result *res,
			  const struct account_time *at)
{
	struct account_output out;
	uint32_t dropped;
	int64_t minor;
	char m[40];

	if (res->credit_unit != STS_UNIT_CURRENCY_E5)
		return "wrong_unit";
	minor = sts_currency_minor_units(res->credit, s->info.minor_units, &dropped);
	if (minor == 0)
		return "invalid_amount";
	if (account_topup(&s->account, at, minor * ACCOUNT_MU_PER_MINOR, ACCOUNT_PAYMENT_TOKEN,
			  &out) < 0)
		return "refused";
	scn_account_events(s, &out);
	scn_event(s, "sts_credit",
		  "tid=%" PRIu32 " counts=%" PRIu32 " credit=%s dropped_counts=%" PRIu32,
		  res->token.tid, res->credit,
		  scn_format_money(s, minor * ACCOUNT_MU_PER_MINOR, m, sizeof(m)), dropped);
	return NULL;
}

/* One entry while not locked: NULL when accepted (committed), else the refusal's reason. */
static const char *enter(struct sim *s, const char *digits, int *error)
{
	struct account_time at = scn_account_time_at(s, s->utc);
	struct sts_meter next = s->sts;
	struct sts_result res;
	const char *why = NULL;

	/* another utility's token is not this meter's at all: said so before any TID rule */
	if (sts_decode(digits, s->sts.dk, s->sts.base, &res) == 0 &&
	    res.token.kind == STS_KIND_CREDIT && res.token.utility != STS_UTILITY_ELECTRICITY)
		return "wrong_utility";
	if (sts_accept(&next, digits, s->utc, &res) < 0)
		return sts_refusal_reason(res.status);
	if (res.action == STS_ACTION_MANAGEMENT || res.action == STS_ACTION_KEY_STAGED ||
	    res.action == STS_ACTION_KEY_CHANGED) {
		*error = scn_fail(s,
				  "token: class %u subclass %u: management tokens act in the "
				  "daemon only (test_billing_token)",
				  res.token.token_class, res.token.subclass);
		return NULL;
	}
	if (res.action == STS_ACTION_ADD_CREDIT)
		why = credit(s, &res, &at);
	if (!why)
		s->sts = next; /* the TID is used only once the credit is in */
	return why;
}

int scn_token(struct sim *s, char **w, int n)
{
	struct account_time at = scn_account_time_at(s, s->utc);
	struct sts_entry_time t = {at.utc, at.local_day, at.second_of_day};
	const char *want = n == 3 ? w[2] : NULL, *got;
	char until[32];
	int error = 0;

	if (n != 2 && n != 3)
		return scn_fail(s, "token DIGITS [REASON]");
	if (!s->has_sts)
		return scn_fail(s, "token: no sts_key before it");
	s->checks++;
	if (sts_lockout_locked(&s->lockout, &t)) {
		got = "locked";
		scn_event(s, "token_refused", "reason=locked until=%s",
			  sts_lockout_until_text(&s->lockout, until, sizeof(until)));
	} else {
		got = enter(s, w[1], &error);
		if (error)
			return error;
		if (!got) {
			sts_lockout_valid(&s->lockout);
		} else {
			scn_event(s, "token_refused", "reason=%s", got);
			if (sts_lockout_invalid(&s->lockout, &t))
				scn_event(s, "token_entry_locked",
					  "until=%s lockouts_today=%" PRIu32,
					  sts_lockout_until_text(&s->lockout, until, sizeof(until)),
					  s->lockout.lockouts);
		}
	}
	if (!want && got)
		return scn_fail(s, "token %s: refused (%s)", w[1], got);
	if (want && !got)
		return scn_fail(s, "token %s: accepted, expected refused as %s", w[1], want);
	if (want && strcmp(want, got))
		return scn_fail(s, "token %s: refused as %s, expected %s", w[1], got, want);
	return 0;
}
