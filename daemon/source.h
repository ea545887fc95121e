/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A source of scans for one meter: the meter IC through libiio (source-iio.c), a simulated
 * grid (source-sim.c) or a recording played back (source-replay.c). A source runs in the
 * manager's sd-event loop and calls back once per scan; it never fails once created: a lost
 * device is retried in the background.
 *
 * Simulated clock: a sim source with sim_start and every replay source carry their own UTC
 * time (pm_source_sim_utc): the manager then runs the whole pipeline (metrology, checkpoints,
 * load profile, maximum demand, events) on it instead of the wall clock, as fast as the CPU
 * allows. Such a source can come to an end (pm_source_finished: sim_end reached, recording
 * played); polymeterd stops when every meter's source has.
 */
#ifndef POLYMETER_SOURCE_H
#define POLYMETER_SOURCE_H

#include <systemd/sd-event.h>

#include "conf.h"
#include "scan.h"

struct pm_source;

/* What each kind implements; the kind's struct embeds struct pm_source first. */
struct pm_source_ops {
	void (*free)(struct pm_source *s);
	bool (*connected)(const struct pm_source *s);
	unsigned (*losses)(const struct pm_source *s);
	/* optional: the simulated UTC of the scan being delivered (false: the real clock) */
	bool (*sim_utc)(const struct pm_source *s, int64_t *utc_ns);
	/* optional: true once the source has delivered its last scan */
	bool (*finished)(const struct pm_source *s);
};

struct pm_source {
	const struct pm_source_ops *ops;
};

/* Creates the source of conf's type and starts it. conf must outlive the source. */
int pm_source_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb, void *userdata,
		  struct pm_source **ret);
struct pm_source *pm_source_free(struct pm_source *s);
/* Whether scans are flowing now (for the status line). */
bool pm_source_connected(const struct pm_source *s);
/* How many times the device was lost since start. */
unsigned pm_source_losses(const struct pm_source *s);

/* The simulated UTC of the scan being delivered; false when the source runs on the real clock. */
bool pm_source_sim_utc(const struct pm_source *s, int64_t *utc_ns);
/* Whether the source has delivered its last scan (only a simulated clock or a replay ends). */
bool pm_source_finished(const struct pm_source *s);

/* The kinds; pm_source_new picks one. */
int pm_source_iio_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb,
		      void *userdata, struct pm_source **ret);
int pm_source_sim_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb,
		      void *userdata, struct pm_source **ret);
int pm_source_replay_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb,
			 void *userdata, struct pm_source **ret);

/* "0.010747063" -> 10747063 (units of 1e-9); rounds beyond 9 decimals. -EINVAL if malformed. */
int pm_parse_nano(const char *s, int64_t *ret);

static inline void pm_source_freep(struct pm_source **s)
{
	pm_source_free(*s);
}

#endif
