/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A source of scans for one meter: the meter IC through libiio (source-iio.c) or a simulated
 * grid (source-sim.c). A source runs in the manager's sd-event loop and calls back once per
 * scan; it never fails once created: a lost device is retried in the background.
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

/* The two kinds; pm_source_new picks one. */
int pm_source_iio_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb,
		      void *userdata, struct pm_source **ret);
int pm_source_sim_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb,
		      void *userdata, struct pm_source **ret);

/* "0.010747063" -> 10747063 (units of 1e-9); rounds beyond 9 decimals. -EINVAL if malformed. */
int pm_parse_nano(const char *s, int64_t *ret);

static inline void pm_source_freep(struct pm_source **s)
{
	pm_source_free(*s);
}

#endif
