/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The inside of one meter's account (billing.h), shared by the files that implement it, one
 * responsibility each:
 *
 *   billing.c                  life cycle, hooks, where the supply belongs
 *   billing-accrual.c          samples: energy priced by the tariff engine, taken from the account
 *   billing-clock.c            the engines' local civil time (meter/local-time.h)
 *   billing-commands.c         account commands: validated on a copy, committed, then applied
 *   billing-amounts.c          amounts people give: whole minor units of the currency
 *   billing-token.c            STS tokens: what each kind of token does to the account
 *   billing-energy.c           the energy-denominated account (credit in kWh)
 *   billing-sts-setup.c        the STS decoder key, setup and TID memory import
 *   billing-tariff-commands.c  the active and the future tariff
 *   billing-tou.c              the time of use as a DLMS head-end reads and replaces it
 *   billing-currency.c         a currency conversion
 *   billing-events.c           the event queue and the texts of the event log
 *   billing-store.c            the account's record in the store: save, load, seed, unavailable
 *   billing-view.c             what is published
 *   billing-record.c           the checks of a stored record (billing-state.h)
 *
 * Nothing outside these files (and the unit test) includes this header.
 */
#ifndef POLYMETER_BILLING_INTERNAL_H
#define POLYMETER_BILLING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/billing-state.h"
#include "meter/billing.h"

struct pm_local_clock;

/* Events one operation may queue; more are dropped (the log is a courtesy, the state the truth). */
#define EVENT_QUEUE 96

struct queued_event {
	int64_t utc_ns;
	char kind[32];
	char detail[256]; /* as the store's event log keeps it (store.h) */
};

struct pm_billing {
	struct pm_billing_config cfg;
	char *meter, *zone, *tariff_file;
	/* the zone's offset cached between its changes (a cache: changed by const lookups) */
	struct pm_local_clock *clock;
	struct pm_store *store;
	bool running;
	bool unavailable;	/* the account is unknown (not read); running is false */
	int64_t unavailable_ns; /* since when */
	int64_t retry_ns;	/* the last attempt to read it */
	char unavailable_why[200];
	struct state st;
	/* the bytes last written to the store (have_written): an unchanged state is not written
	 * again */
	struct state *written;
	bool have_written;
	int64_t saved_ns;
	bool save_failing;
	bool tariff_error_logged;
	int64_t last_sample_utc;   /* the last valid sample billed this run; 0: none yet */
	int32_t phase_unbalance_w; /* pm_billing_set_phase_unbalance() */

	pm_billing_supply_fn supply_fn;
	pm_billing_event_fn event_fn;
	void *userdata;
	bool supply_reported, contactor_reported, aux_reported;

	/* the STS side beside the account (billing-token.c), read at the first token */
	bool sts_side_loaded;
	struct pm_store_sts sts_side;

	/* events of the operation in progress: sent when it is committed, dropped otherwise */
	unsigned n_queued;
	struct queued_event queue[EVENT_QUEUE];
};

/* billing.c */
/* Fills *e (when not NULL) and returns @r. */
int billing_fail(struct pm_billing_error *e, enum pm_billing_err kind, int r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Calls the supply hook when the contactor or the auxiliary relay should change. */
void billing_report_supply(struct pm_billing *b);

/* billing-clock.c */
/* The local civil time of @utc (seconds) for both engines (friendly_day false). */
void billing_local_times(const struct pm_billing *b, int64_t utc, struct tariff_time *tt,
			 struct account_time *at);
/* The account engine's time of a command at @utc_ns, with the tariff's friendly day. */
void billing_now_times(const struct pm_billing *b, const struct state *st, int64_t utc_ns,
		       struct account_time *at);

/* billing-events.c */
void billing_queue(struct pm_billing *b, int64_t utc_ns, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sends the queued events to the event hook (or the log) and empties the queue. */
void billing_send_events(struct pm_billing *b);
/* The account engine's events: queued, and what they ask of the tariff engine done. */
void billing_account_events(struct pm_billing *b, struct state *st,
			    const struct account_output *out);
/* The tariff engine's events: queued; a currency conversion converts the account. */
void billing_tariff_events(struct pm_billing *b, struct state *st, const struct account_time *at,
			   const struct tariff_charge *ch);

/* billing-store.c */
/* Saves @st (with a top-up @reference, or NULL); b->saved_ns on success. */
int billing_save(struct pm_billing *b, const struct state *st, int64_t utc_ns,
		 const char *reference, int64_t value_mu);
/* A new account from the configuration (and its tariff file) into b->st. */
int billing_seed(struct pm_billing *b, int64_t utc_ns, char *err, size_t errlen);
/* The account is unknown: nothing of it is kept or published until it is read. */
void billing_set_unavailable(struct pm_billing *b, int64_t utc_ns, const char *why);
/* Reads the stored account, or seeds and saves a new one: 0 running, -EAGAIN unknown. */
int billing_start_account(struct pm_billing *b, int64_t utc_ns, char *err, size_t errlen);
/* At most once a save interval while the account is unknown: reads it again. */
void billing_retry_account(struct pm_billing *b, int64_t utc_ns);

/* billing-commands.c */
/* A copy of the state to work on, or NULL with *r and *e saying why nothing is accepted. */
struct state *billing_begin(struct pm_billing *b, struct pm_billing_error *e, int *r);
/* Commits @work (with a top-up reference), then makes it the state; frees it either way. */
int billing_commit(struct pm_billing *b, struct state *work, int64_t utc_ns, const char *reference,
		   int64_t value_mu, struct pm_billing_error *e);
/* An account engine refusal (frees @work): -EPERM is "not now", anything else a bad argument. */
int billing_refused(struct pm_billing *b, struct state *work, int r,
		    const struct account_output *out, const char *field,
		    struct pm_billing_error *e);

/* billing-energy.c: the energy-denominated account (account_unit = kwh) */
bool billing_energy_account(const struct state *st);
/* 0, or -EPERM with *e when the account counts kWh (@what: the command, for the message). */
int billing_energy_refuse(const struct pm_billing *b, const char *what, struct pm_billing_error *e);
/* A pending currency conversion after the account's currency changed from one of
 * @old_minor_units: dropped when the minor units differ (billing-currency.c). */
void billing_conversion_follow_currency(struct pm_billing *b, struct state *st, int64_t utc_ns,
					int old_minor_units);
/* Seeds b->st with the built-in kWh tariff (refused with a tariff_file). */
int billing_seed_energy(struct pm_billing *b, const struct tariff_time *tt, char *err,
			size_t errlen);

/* billing-token.c */
/* The STS side stored beside the account into b->sts_side, once: 0 or a refusal in *e. */
int billing_sts_side_load(struct pm_billing *b, struct pm_billing_error *e);
/* Stores @next as the STS side (a failure is logged: it is then kept in memory only). */
void billing_sts_side_save(struct pm_billing *b, const struct pm_store_sts *next);

/* billing-sts-setup.c */
/* Once the account runs: the configured decoder key applies when it is new. */
void billing_sts_start(struct pm_billing *b, int64_t utc_ns);

/* billing-amounts.c */
/* 0 when @mu is a whole number of the currency's minor units; else -EINVAL with *e naming
 * @field and the amount in the currency ("amount: 10.001 GBP is finer than ..."). */
int billing_whole_minor(const struct state *st, const char *field, int64_t mu,
			struct pm_billing_error *e);
/* The same for every money setting of @c, named by its configuration key. */
int billing_whole_minor_config(const struct state *st, const struct account_config *c,
			       struct pm_billing_error *e);

/* billing-tariff-commands.c */
/* "YYYY-MM-DD" from 1970 into @d; -EINVAL (and *e naming @field) when it is no such date. */
int billing_parse_date(const char *s, const char *field, struct tariff_date *d,
		       struct pm_billing_error *e);
/* 0 when @d is after the account's local date today, else -EINVAL and *e naming @field. */
int billing_future_date(const struct pm_billing *b, const struct state *st, int64_t utc_ns,
			const struct tariff_date *d, const char *field, struct pm_billing_error *e);

#endif
