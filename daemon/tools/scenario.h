/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scenario runner's state and the helpers its parts share (docs/scenario.md): scenario.c
 * runs the clock and the commands, scenario-expect.c checks registers, scenario-events.c keeps
 * the event log, scenario-token.c enters STS tokens.
 */
#ifndef POLYMETER_SCENARIO_H
#define POLYMETER_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/billing/account.h"
#include "core/billing/tariff.h"
#include "core/sts/sts-lockout.h"
#include "core/sts/sts.h"
#include "meter/tariff-file.h"

#define SCN_LINE_MAX 512
#define SCN_PATTERN_MAX 24
#define SCN_EVENT_NAME_LEN 32
#define SCN_EVENT_DETAIL_LEN 200
#define SCN_EVENTS_KEPT 256 /* the most recent events, for their details */
#define SCN_EVENT_NAMES 64  /* distinct event names counted */

/* A power that repeats every day: pattern[i].w from pattern[i].at_s (local) to the next. */
struct scn_pattern {
	int n;
	int32_t at_s[SCN_PATTERN_MAX];
	int64_t w[SCN_PATTERN_MAX];
};

struct scn_event {
	char name[SCN_EVENT_NAME_LEN];
	char detail[SCN_EVENT_DETAIL_LEN]; /* "key=value key=value" */
};

/* The event log: every event counted by name since the start, the last ones kept whole. */
struct scn_events {
	struct scn_event kept[SCN_EVENTS_KEPT]; /* a ring */
	unsigned next, n_kept;
	char names[SCN_EVENT_NAMES][SCN_EVENT_NAME_LEN];
	int64_t counts[SCN_EVENT_NAMES];
	unsigned n_names;
};

struct sim {
	const char *file;
	int line;
	char why[SCN_LINE_MAX + 256];

	bool started;
	int64_t utc;
	struct tariff_engine tariff;
	struct pm_tariff_file_info info;
	struct pm_tariff_file_info deferred_info; /* of the future tariff, until it activates */
	char conversion_currency[4];		  /* a pending conversion's new currency, or "" */
	int conversion_minor_units;
	struct account account;
	struct account_config config;

	struct scn_pattern load, generate;
	bool power_down_catch_up; /* config power_down_charges catch_up */
	int64_t step_s;
	int64_t import_carry_mws, export_carry_mws; /* energy below 1 mWh, in mW·s */

	/* Totals since the start, in mu (what the expected values are checked against). */
	int64_t energy_mu, standing_mu, levy_mu, tax_mu, recon_mu, export_credit_mu;
	int64_t debt_paid_mu;
	int64_t unserved_s; /* seconds with load while the supply was open */
	unsigned checks;

	struct scn_events events;

	/* STS: the meter side (sts_key), the entry lockout of §4.2.1 */
	bool has_sts;
	struct sts_meter sts;
	struct sts_lockout lockout;
};

int scn_fail(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A signed decimal with at most @decimals decimals, scaled by 10^decimals, exactly. */
int scn_parse_fixed(const char *text, int decimals, int64_t *out);
/* Money in currency units ("12.34") -> mu, with the tariff file's minor units. */
int scn_parse_money(const struct sim *s, const char *text, int64_t *mu);
/* mu with every decimal of the tariff's mu ("-0.20000"): a mismatch shows to the last digit. */
const char *scn_format_money(const struct sim *s, int64_t mu, char *buf, size_t len);
struct account_time scn_account_time_at(const struct sim *s, int64_t utc);
/* An account call's result: its events logged, or the scenario fails saying what refused. */
int scn_account_result(struct sim *s, const char *what, int r, const struct account_output *o);

/* The event log (scenario-events.c). */
void scn_event(struct sim *s, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void scn_account_events(struct sim *s, const struct account_output *out);
/* The tariff engine's events of one interval; the currency conversion is applied here. */
void scn_tariff_events(struct sim *s, const struct tariff_charge *ch);
/* expect events NAME COUNT / expect event NAME [KEY=VALUE...] */
int scn_expect_event(struct sim *s, char **w, int n);

/* expect NAME [ARG] VALUE (scenario-expect.c). */
int scn_expect(struct sim *s, char **w, int n);
bool scn_peak_now(const struct sim *s);

/* sts_key HEX, token DIGITS [REASON] (scenario-token.c). */
int scn_sts_key(struct sim *s, char **w, int n);
int scn_token(struct sim *s, char **w, int n);

#endif
