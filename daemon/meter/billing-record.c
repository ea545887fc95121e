// SPDX-License-Identifier: GPL-2.0-only
/*
 * The check of an account record read back from the store (see billing-state.h). The record is
 * the state copied byte for byte: a bit flip on the storage, or a struct change that kept the
 * size, must be refused here rather than used as an array index, a shift count or a bool.
 */
#include <errno.h>
#include <string.h>

#include "meter/billing-state.h"

/* The offset of element @i of array @field (of type @elem) in @type. */
#define ELEM(type, field, elem, i) (offsetof(type, field) + (size_t)(i) * sizeof(elem))

static int bad(const char **why, const char *field)
{
	*why = field;
	return -EBADMSG;
}

/* Every bool of the struct tariff at @base: 0 or 1. */
static int tariff_bools(const unsigned char *rec, size_t base, const char **why)
{
	for (size_t d = 0; d < TARIFF_MAX_DAY_PROFILES; d++)
		for (size_t s = 0; s < TARIFF_MAX_SWITCHES; s++) {
			size_t o =
			    base + ELEM(struct tariff, day_profiles, struct tariff_day_profile, d) +
			    ELEM(struct tariff_day_profile, switches, struct tariff_switch, s) +
			    offsetof(struct tariff_switch, aux_relay);

			if (rec[o] > 1)
				return bad(why, "tariff: aux_relay of a switch point");
		}
	for (size_t d = 0; d < TARIFF_MAX_SPECIAL_DAYS; d++)
		if (rec[base + ELEM(struct tariff, special_days, struct tariff_special_day, d) +
			offsetof(struct tariff_special_day, aux_relay)] > 1)
			return bad(why, "tariff: aux_relay of a special day");
	if (rec[base + offsetof(struct tariff, blocks.daily_resolved)] > 1)
		return bad(why, "tariff: blocks.daily_resolved");
	return 0;
}

static int account_bools(const unsigned char *rec, size_t base, const char **why)
{
	static const struct {
		size_t off;
		const char *name;
	} fields[] = {
#define F(f) {offsetof(struct account, f), "acc." #f}
	    F(config.ec_enabled),
	    F(config.friendly_special_days),
	    F(config.credit_reconnect_needs_confirmation),
	    F(remote_open),
	    F(credit_open),
	    F(load_limit_open),
	    F(awaiting_confirmation),
	    F(friendly_now),
	    F(suspension_reported),
	    F(low_credit_warned),
	    F(reported_supply.closed),
	    F(over_limit),
	    F(tenancy_pending),
	    F(tenancy.clear_payment_log),
	    F(tenancy.zero_standing_charge),
	    F(tenancy.clear_future_tariffs),
	    F(wallet[0].used),
	    F(wallet[0].final),
	    F(wallet[1].used),
	    F(wallet[1].final),
#undef F
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (rec[base + fields[i].off] > 1)
			return bad(why, fields[i].name);
	return 0;
}

/* The offset of the engine's field at @off (in struct tariff_engine) in the engine of layouts 1
 * to 4 (@v4, struct tariff_engine_v4: each tariff 8 bytes shorter), or in today's. */
static size_t engine_field(bool v4, size_t off)
{
	if (!v4)
		return off;
	if (off == offsetof(struct tariff_engine, has_deferred))
		return offsetof(struct tariff_engine_v4, has_deferred);
	if (off == offsetof(struct tariff_engine, deferred))
		return offsetof(struct tariff_engine_v4, deferred);
	if (off >= offsetof(struct tariff_engine, deferred_date))
		return off - offsetof(struct tariff_engine, deferred_date) +
		       offsetof(struct tariff_engine_v4, rest);
	return off; /* has_tariff and the active tariff start where they did */
}

static int engine_bools(const unsigned char *rec, size_t base, bool v4, const char **why)
{
	static const struct {
		size_t off;
		const char *name;
	} fields[] = {
#define F(f) {offsetof(struct tariff_engine, f), "te." #f}
	    F(has_tariff), F(has_deferred), F(has_conversion), F(aux_relay), F(friendly_day),
#undef F
	};
	int r;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (rec[base + engine_field(v4, fields[i].off)] > 1)
			return bad(why, fields[i].name);
	/* the bools of a tariff are before its levy: at the same offsets in a struct tariff_v4 */
	r = tariff_bools(rec, base + engine_field(v4, offsetof(struct tariff_engine, active)), why);
	if (r == 0)
		r = tariff_bools(
		    rec, base + engine_field(v4, offsetof(struct tariff_engine, deferred)), why);
	return r;
}

static int sts_bools(const unsigned char *rec, size_t base, const char **why)
{
	if (rec[base + offsetof(struct sts_meter, kct1_staged)] > 1 ||
	    rec[base + offsetof(struct sts_meter, kct2_staged)] > 1)
		return bad(why, "sts: a staged key change flag");
	if (rec[base + offsetof(struct sts_meter, kct1.rollover)] > 1 ||
	    rec[base + offsetof(struct sts_meter, kct2.rollover)] > 1)
		return bad(why, "sts: a staged key change's rollover flag");
	return 0;
}

/* The bools of a struct state (or state_v1, state_v3, state_v4: @type, whose engine is of
 * layouts 1 to 4 when @v4) at their offsets in @rec. */
#define STATE_BOOLS(type, v4)                                                                      \
	do {                                                                                       \
		if (rec[offsetof(type, has_tariff)] > 1)                                           \
			return bad(why, "has_tariff");                                             \
		if (rec[offsetof(type, have_baseline)] > 1)                                        \
			return bad(why, "have_baseline");                                          \
		if (rec[offsetof(type, has_sts)] > 1)                                              \
			return bad(why, "has_sts");                                                \
		r = account_bools(rec, offsetof(type, acc), why);                                  \
		if (r == 0)                                                                        \
			r = engine_bools(rec, offsetof(type, te), v4, why);                        \
		if (r == 0)                                                                        \
			r = sts_bools(rec, offsetof(type, sts), why);                              \
	} while (0)

int pm_billing_record_check_bools(const unsigned char *rec, size_t len, uint32_t layout,
				  const char **why)
{
	int r;

	if (layout == 1 && len == sizeof(struct state_v1))
		STATE_BOOLS(struct state_v1, true);
	else if ((layout == STATE_LAYOUT_3 || layout == STATE_LAYOUT_2) &&
		 len == sizeof(struct state_v3))
		STATE_BOOLS(struct state_v3, true);
	else if (layout == STATE_LAYOUT_4 && len == sizeof(struct state_v4))
		STATE_BOOLS(struct state_v4, true);
	else if (layout == STATE_LAYOUT_5 && len == sizeof(struct state_v5))
		STATE_BOOLS(struct state_v5, false);
	else if (layout == STATE_LAYOUT_6 && len == sizeof(struct state_v6))
		STATE_BOOLS(struct state_v6, false);
	else if (layout == STATE_LAYOUT && len == sizeof(struct state))
		STATE_BOOLS(struct state, false);
	else
		return bad(why, "layout or size");
	return r;
}

static bool in_range(int64_t v, int64_t lo, int64_t hi)
{
	return v >= lo && v <= hi;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static int info_check(const struct pm_tariff_file_info *info, const char **why)
{
	/* as the tariff file gives them: printed with %s, a scale of 0..4 decimals */
	if (!terminated(info->name, sizeof(info->name)) ||
	    !terminated(info->currency, sizeof(info->currency)))
		return bad(why, "tariff name or currency not terminated");
	for (size_t r = 0; r < TARIFF_MAX_RATES; r++)
		if (!terminated(info->rate_names[r], sizeof(info->rate_names[r])) ||
		    !terminated(info->export_rate_names[r], sizeof(info->export_rate_names[r])))
			return bad(why, "a rate name not terminated");
	if (!in_range(info->minor_units, 0, 4))
		return bad(why, "tariff minor_units");
	return 0;
}

static int account_check(const struct account *a, const char **why)
{
	const char *cfg_why;

	if (account_config_validate(&a->config, &cfg_why) < 0)
		return bad(why, "acc.config");
	if (a->payment_log_len > ACCOUNT_PAYMENT_LOG_LEN)
		return bad(why, "acc.payment_log_len");
	if (a->payment_log_next >= ACCOUNT_PAYMENT_LOG_LEN)
		return bad(why, "acc.payment_log_next");
	for (size_t i = 0; i < ACCOUNT_PAYMENT_LOG_LEN; i++)
		if (a->payment_log[i].method > ACCOUNT_PAYMENT_DLMS)
			return bad(why, "acc.payment_log[].method");
	if (a->ec_state > ACCOUNT_EC_EXHAUSTED)
		return bad(why, "acc.ec_state");
	if (a->reported_supply.reason > ACCOUNT_REASON_TENANCY_CHANGE)
		return bad(why, "acc.reported_supply.reason");
	if (a->tenancy.balance_action > ACCOUNT_REGISTER_SET ||
	    a->tenancy.debt_action > ACCOUNT_REGISTER_SET ||
	    a->tenancy.contactor > ACCOUNT_CONTACTOR_ARM)
		return bad(why, "acc.tenancy");
	/* the engine's bounds (account.h): the balance within +-1e15 mu, credit modulo 1e15 */
	if (!in_range(a->balance_mu, -ACCOUNT_BALANCE_BOUND_MU, ACCOUNT_BALANCE_BOUND_MU))
		return bad(why, "acc.balance_mu");
	if (!in_range(a->total_credit_mu, 0, ACCOUNT_TOTAL_CREDIT_ROLLOVER_MU - 1))
		return bad(why, "acc.total_credit_mu");
	if (!in_range(a->ec_remaining_mu, 0, ACCOUNT_BALANCE_BOUND_MU) ||
	    !in_range(a->debt_to_clear_mu, 0, ACCOUNT_BALANCE_BOUND_MU) ||
	    !in_range(a->time_debt_mu, 0, ACCOUNT_BALANCE_BOUND_MU) ||
	    !in_range(a->payment_debt_mu, 0, ACCOUNT_BALANCE_BOUND_MU))
		return bad(why, "acc: emergency credit or a debt");
	/* §7.8's working value: charges only, held at the balance's bound (account-internal.h) */
	if (!in_range(a->charges_period_mu, 0, ACCOUNT_BALANCE_BOUND_MU))
		return bad(why, "acc.charges_period_mu");
	return 0;
}

static int engine_check(const struct tariff_engine *te, const char **why)
{
	struct tariff_error terr;

	if (te->rate >= TARIFF_MAX_RATES || te->export_rate >= TARIFF_MAX_RATES)
		return bad(why, "te.rate");
	if (te->block >= TARIFF_MAX_BLOCKS)
		return bad(why, "te.block");
	if (!te->has_tariff)
		return 0;
	if (tariff_validate(&te->active, &terr) < 0)
		return bad(why, "te.active");
	if (te->rate >= te->active.n_rates || te->export_rate >= te->active.n_export_rates)
		return bad(why, "te.rate");
	if (te->block >= te->active.blocks.n_blocks)
		return bad(why, "te.block");
	if (tariff_time_validate(&te->now, &terr) < 0)
		return bad(why, "te.now");
	if (te->has_deferred && tariff_validate(&te->deferred, &terr) < 0)
		return bad(why, "te.deferred");
	if (te->has_conversion && (!in_range(te->conversion_num, 1, TARIFF_MAX_CURRENCY_TERM) ||
				   !in_range(te->conversion_den, 1, TARIFF_MAX_CURRENCY_TERM)))
		return bad(why, "te.conversion");
	return 0;
}

static int conversion_to_check(const struct billing_conversion_target *to, const char **why)
{
	if (!terminated(to->currency, sizeof(to->currency)))
		return bad(why, "conversion_to.currency not terminated");
	if (!in_range(to->minor_units, 0, 4))
		return bad(why, "conversion_to.minor_units");
	/* as pm_billing_parse_factor() gives it: 0.25..4 with at most 4 decimals, or 0 / 0 */
	if (!(to->factor_num == 0 && to->factor_den == 0) &&
	    (!in_range(to->factor_den, 1, 10000) || 4 * to->factor_num < to->factor_den ||
	     to->factor_num > 4 * to->factor_den))
		return bad(why, "conversion_to.factor");
	return 0;
}

int pm_billing_state_check(const struct state *st, const char **why)
{
	int r = account_check(&st->acc, why);

	if (r == 0)
		r = engine_check(&st->te, why);
	if (r == 0 && st->has_tariff && !st->te.has_tariff)
		r = bad(why, "has_tariff without a tariff in the engine");
	if (r == 0)
		r = info_check(&st->info, why);
	if (r == 0)
		r = info_check(&st->deferred_info, why);
	if (r == 0)
		r = conversion_to_check(&st->conversion_to, why);
	if (r == 0 && st->sts.base > STS_BASE_2035)
		r = bad(why, "sts.base");
	return r;
}
