/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What polymeterd reports of a meter for people and scripts, integers only in the JSON:
 *
 * The --once JSON line (one object per scan and meter): meter, scan (1-based count), ts_ns,
 *   generation, restarts (counter generations seen change), losses (device losses of the
 *   source), v_mv, i_ma, p_mw, q_mvar, s_mva, f_mhz (per phase A, B, C), neutral_ma,
 *   nj_per_code (active, reactive, apparent), counter {active, reactive, apparent: the raw
 *   lifetime counters per phase}, energy_nj {active, reactive, apparent: energy counted since
 *   the daemon started, per phase, signed, nJ / nvar.s / nVA.s (meter/counted-energy.h)}, and
 *   once the registers are published registers_mwh {A+, A-, R+, R-, S+, S-: total, phases A,
 *   B, C}.
 *
 * The summary of a finite source (sim_end reached, recording played), one JSON line: meter,
 *   finished (true), scans, utc_ns (the last scan's), registers_mwh (as above), checkpoints,
 *   profile_intervals (stored), profile_failures, demand_import and demand_export (maximum
 *   demand of the current month and the two before: [mw, end_ns], null when none).
 *
 * The status line logged every log_interval: the last scan's voltages, currents and powers,
 *   the energy counted since start, the scans since the last status line.
 */
#ifndef POLYMETER_REPORT_H
#define POLYMETER_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "acquire/scan.h"
#include "meter/counted-energy.h"
#include "meter/meter.h"

/* The --once line of @scan, the @scans-th of the meter, whose source counts @losses. */
void pm_report_scan_json(FILE *f, const char *meter, uint64_t scans, unsigned losses,
			 const struct pm_scan *scan, const struct pm_counted_energy *counted,
			 const struct pm_meter *pipe);

/* The summary line of a meter whose source finished after @scans, at @utc_ns. */
void pm_report_finished_json(FILE *f, const char *meter, uint64_t scans, int64_t utc_ns,
			     const struct pm_meter *pipe);

/*
 * The status line: @last (NULL: no scan yet), @scans since the last status line, whether the
 * source is @connected.
 */
void pm_report_status(const char *meter, const struct pm_scan *last,
		      const struct pm_counted_energy *counted, uint64_t scans, bool connected);

#endif
