/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The manager: owns the sd-event loop, the configuration and the meters. One meter per
 * [meter NAME] section, each with its own source, wired to its pipeline (meter/meter.h), its
 * account (meter/billing.h), its supply lines and its views. For every scan it counts the
 * energy the counters moved since start (meter/counted-energy.h), logs a status line per meter
 * every log_interval, and in --once mode prints one JSON line per scan to stdout and exits
 * after N scans of every meter; a finite source ends with a summary line. The lines are
 * described in app/report.h.
 */
#ifndef POLYMETER_MANAGER_H
#define POLYMETER_MANAGER_H

#include <stdint.h>
#include <stdio.h>

#include "app/conf.h"

struct pm_manager;

/* @conf is kept, not copied: it must outlive the manager (polymeterd's main keeps it). */
int pm_manager_new(const struct pm_conf *conf, uint64_t once, FILE *json, struct pm_manager **ret);
struct pm_manager *pm_manager_free(struct pm_manager *m);
/* Runs the loop until SIGTERM/SIGINT or --once is satisfied; returns 0 or a negative errno. */
int pm_manager_run(struct pm_manager *m);

static inline void pm_manager_freep(struct pm_manager **m)
{
	pm_manager_free(*m);
}

#endif
