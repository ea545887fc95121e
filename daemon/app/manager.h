/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The manager: owns the sd-event loop, the configuration and the meters. One meter per
 * [meter NAME] section, each with its own source. For every scan it counts the energy the
 * counters moved (wrap-safe differences times the scale, within one counter generation;
 * credited from zero when a new generation started at zero), logs a status line per meter
 * every log_interval, and in --once mode prints one JSON line per scan to stdout and exits
 * after N scans of every meter.
 *
 * The --once JSON line (one object per scan and meter, integers only):
 *   meter, scan (1-based count), ts_ns, generation, restarts (counter generations seen change),
 *   losses (device losses of the source), v_mv, i_ma, p_mw, q_mvar, s_mva (per phase A, B, C),
 *   neutral_ma, nj_per_code (active, reactive, apparent), counter {active, reactive, apparent:
 *   the raw lifetime counters per phase}, energy_nj {active, reactive, apparent: energy counted
 *   since the daemon started, per phase, signed, nJ / nvar.s / nVA.s}.
 */
#ifndef POLYMETER_MANAGER_H
#define POLYMETER_MANAGER_H

#include <stdint.h>
#include <stdio.h>

#include "app/conf.h"

struct pm_manager;

int pm_manager_new(const struct pm_conf *conf, uint64_t once, FILE *json, struct pm_manager **ret);
struct pm_manager *pm_manager_free(struct pm_manager *m);
/* Runs the loop until SIGTERM/SIGINT or --once is satisfied; returns 0 or a negative errno. */
int pm_manager_run(struct pm_manager *m);

static inline void pm_manager_freep(struct pm_manager **m)
{
	pm_manager_free(*m);
}

#endif
