/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One meter's pipeline inside polymeterd: samples from its source go through metrology into
 * the snapshot the views read, the registers are checkpointed to the store, events logged.
 *
 * Restart: the first sample after start is matched with the meter's checkpoint
 * (pm_met_restore): while the driver's counter_epoch is unchanged, everything the chip counted
 * while the daemon was down is credited; a crash or kill -9 loses nothing.
 *
 * Checkpoints: when any register grew by checkpoint_mwh since the last one, when
 * checkpoint_interval_ns passed with any growth, and on shutdown. A power cut resets the chip
 * (new counter_epoch), so what was counted since the last checkpoint is then lost: at most
 * checkpoint_mwh per register, or checkpoint_interval_ns at full load, whichever comes first.
 *
 * Store trouble (disk full, read-only, I/O error, corrupted database): metering goes on in
 * memory, every failed checkpoint is logged and retried at the next step, and the registers
 * are never replaced by anything but a checkpoint that was read back complete. A meter whose
 * checkpoint could not be read at start (the store unusable) publishes no energy registers
 * (invalid in the snapshot) rather than registers counted from zero.
 *
 * Load profile and maximum demand (daemon/core/metrology/profile.h, demand.h) run on the UTC clock
 * the caller passes with each sample, so intervals end at whole quarter hours UTC (plus align_ns).
 * Every closed profile interval is appended to the store (totals +A, -A, +R, -R and the per-phase
 * means of V, I, PF, f); the first interval after a start counts from the registers of the last
 * stored interval, so the energy counted while the daemon was down is in it (flagged PARTIAL) and
 * the stored deltas add up to the registers' growth. An interval the store refuses is logged and
 * lost (the registers are not). Maximum demand of +A and -A is kept for the current UTC calendar
 * month and the two previous ones in the status, saved to the store whenever a peak changes and
 * restored at the first sample after a start (by UTC month: a restart in a new month finds last
 * month's peak one slot down). Both follow the registers only once they are valid.
 *
 * Events logged here: chip_reset (the driver's counter_epoch changed while running),
 * power_down / power_up (no sample for longer than profile_max_gap, or at the first sample
 * after a start the counter_epoch changed and the checkpoint is older than that), the
 * metrology's own (divergence, restart_recovered, ...); the manager adds the daemon's, the
 * device's, the configuration's and the chip's events.
 */
#ifndef POLYMETER_METER_H
#define POLYMETER_METER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/metrology/metrology.h"
#include "core/metrology/metrology_instant.h"
#include "core/metrology/demand.h"
#include "core/model/model.h"
#include "core/metrology/profile.h"
#include "core/metrology/wall-clock.h"
#include "store/store.h"

struct pm_meter_config {
	const char *name;
	enum pm_met_wiring wiring;
	struct pm_met_config met;
	uint64_t checkpoint_mwh;	/* default 1 (1 Wh) */
	int64_t checkpoint_interval_ns; /* default 60 s */
	int64_t profile_period_ns;	/* default 15 min */
	int64_t profile_max_gap_ns;	/* no sample for longer: power down; default 60 s */
	int64_t demand_window_ns;	/* default 15 min */
	uint32_t demand_subintervals;	/* 1 (default): block demand; N: sliding */
	int64_t align_ns;		/* profile and demand boundaries at align + k x period */
};

struct pm_meter_status {
	bool restored;		 /* registers come from the store (or the store had none) */
	bool store_ok;		 /* the last store operation succeeded */
	uint64_t checkpoints;	 /* successful */
	uint64_t store_failures; /* failed store operations */
	int last_store_error;	 /* negative errno of the last failure, 0 if none */
	uint64_t samples;
	uint64_t profile_intervals; /* closed intervals stored */
	uint64_t profile_failures;  /* closed intervals the store refused (lost) */
	/* maximum demand, [0] current UTC month, [1] previous, [2] the one before */
	struct pm_demand_peak demand_import[PM_DEMAND_MONTHS];
	struct pm_demand_peak demand_export[PM_DEMAND_MONTHS];
	bool clock_trusted; /* the wall clock the meter runs on is trusted (docs/clock.md) */
};

struct pm_meter;

void pm_meter_config_default(struct pm_meter_config *cfg, const char *name);

/* @store may be NULL (no store could be opened): the meter then runs in memory only. */
int pm_meter_new(const struct pm_meter_config *cfg, struct pm_store *store, struct pm_meter **out);
void pm_meter_free(struct pm_meter *m);

/*
 * One sample from the source; @utc_ns is the wall clock for the store, the event log, the load
 * profile and the maximum demand.
 */
int pm_meter_push(struct pm_meter *m, const struct pm_met_sample *s, int64_t utc_ns);

/*
 * What the meter's clock says of the next sample (core/metrology/wall-clock.h; docs/clock.md):
 * held (untrusted): no profile, no demand; a step: the open profile interval is marked clock
 * adjusted and the time stepped over is no power down, demand restarts; frozen (the wall clock
 * set back, the meter's clock waiting): demand is not fed, and restarts when the clock runs
 * again; a jump marks the open profile interval. Until called, every sample is fed as before.
 */
void pm_meter_set_clock(struct pm_meter *m, const struct pm_wall_step *clock);

/* Checkpoint now if anything changed since the last one (shutdown, timers). */
int pm_meter_checkpoint(struct pm_meter *m, int64_t utc_ns);

/*
 * What a checkpoint carries besides the registers: the meter's account (billing.h), in the same
 * transaction, so one fsync a checkpoint. @record fills *rec (bytes left unchanged until
 * @saved, which follows at once) and returns true when the account is to go with the checkpoint
 * at @utc_ns; @saved then learns the checkpoint's result (0 or a negative errno: neither was
 * stored).
 */
struct pm_meter_account_hook {
	bool (*record)(void *userdata, int64_t utc_ns, struct pm_store_account_record *rec);
	void (*saved)(void *userdata, int64_t utc_ns, int result);
	void *userdata;
};
void pm_meter_set_account_hook(struct pm_meter *m, const struct pm_meter_account_hook *hook);

/* Logs an event of the meter (source lost/found, daemon start/stop, ...). */
void pm_meter_event(struct pm_meter *m, int64_t utc_ns, const char *kind, const char *detail);
/* Who hears of each event once it is logged (the DLMS push: views/dlms/dlms-push.h); one
 * listener, NULL @fn none. */
typedef void (*pm_meter_event_fn)(void *data, int64_t utc_ns, const char *kind, const char *detail);
void pm_meter_set_event_listener(struct pm_meter *m, pm_meter_event_fn fn, void *data);

const struct pm_snapshot *pm_meter_snapshot(const struct pm_meter *m);
const struct pm_met_registers *pm_meter_registers(const struct pm_meter *m);
const struct pm_meter_status *pm_meter_status(const struct pm_meter *m);
const char *pm_meter_name(const struct pm_meter *m);
/* The meter's store, NULL when it runs without one (for the views' event and profile reads). */
struct pm_store *pm_meter_store(const struct pm_meter *m);

/* The account state of the sample just pushed, into the snapshot the views read. */
void pm_meter_set_account(struct pm_meter *m, const struct pm_snapshot_account *account);

#endif
