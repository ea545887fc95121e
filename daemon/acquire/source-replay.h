/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Recordings of scans, and the replay source that plays them back.
 *
 * A recording is written by polymeterd for a meter with `record = FILE` (any source): every
 * scan the source delivered, with the UTC time the pipeline used for it. It is plain text, one
 * scan per line, so it can be read, cut, diffed and written by other tools:
 *
 *   polymeter-recording 1
 *   UTC_NS TS_NS GENERATION FROM_ZERO NJ_A NJ_R NJ_S NEUTRAL_MA  then for phases A, B, C:
 *     V_MV I_MA P_MW Q_MVAR S_MVA F_MHZ COUNTER_ACTIVE COUNTER_REACTIVE COUNTER_APPARENT
 *
 * 35 decimal integers separated by one space (the fields of struct pm_scan, scan.h: NJ_* are
 * the counter scales in nJ per code, FROM_ZERO is 0 or 1). Lines starting with '#' are
 * comments. TS_NS (the source's monotonic clock) must increase strictly and UTC_NS must not
 * go back; NJ_* are 1..4294967295.
 *
 * `source = replay` with `replay_file = FILE` plays a recording back through the same
 * pipeline: at the recorded pace (TS_NS differences, the default) or as fast as the CPU allows
 * (`replay_pace = fast`). Either way the pipeline runs on the recorded UTC times (a simulated
 * clock), so a replay reproduces the recorded run's registers, load profile and demand. The
 * whole file is checked before the first scan is played: a bad line is an error naming the
 * file and the line, and nothing is metered.
 */
#ifndef POLYMETER_SOURCE_REPLAY_H
#define POLYMETER_SOURCE_REPLAY_H

#include <stdio.h>

#include "acquire/source.h"

#define PM_REPLAY_HEADER "polymeter-recording 1"
/* Scans played per loop iteration at most, when replaying fast. */
#define PM_REPLAY_BATCH 1000

/* Writes the header line of a new recording. */
int pm_recording_start(FILE *f);
/* Appends one scan and the UTC time the pipeline used for it. */
int pm_recording_write(FILE *f, int64_t utc_ns, const struct pm_scan *scan);

/*
 * Reads one record line into *utc_ns and *scan: 1 = a scan, 0 = end of file, -EINVAL = a
 * malformed line (comments and the header are skipped; *line counts the lines read).
 */
int pm_recording_read(FILE *f, unsigned *line, int64_t *utc_ns, struct pm_scan *scan);

/*
 * Checks a whole recording (header, every line, the order of the time stamps): 0, or a
 * negative errno with "FILE:LINE: message" in err. *scans gets the number of scans.
 */
int pm_recording_check(const char *path, uint64_t *scans, char *err, size_t errlen);

#endif
