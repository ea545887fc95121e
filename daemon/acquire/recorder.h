/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter's recording (record = FILE, any source): every scan its source delivers, with the
 * UTC time the pipeline used, in the format of source-replay.h. The file is created before
 * anything else is touched at start; a write that fails stops the recording (logged once),
 * never the metering.
 */
#ifndef POLYMETER_RECORDER_H
#define POLYMETER_RECORDER_H

#include <stdint.h>
#include <stdio.h>

#include "acquire/scan.h"

struct pm_recorder {
	FILE *file; /* NULL: not recording */
	const char *meter, *path;
};

/* Creates @path and writes the header; logs and returns a negative errno on failure. */
int pm_recorder_open(struct pm_recorder *rec, const char *meter, const char *path);

/* Appends @scan and @utc_ns (nothing when not recording). */
void pm_recorder_scan(struct pm_recorder *rec, int64_t utc_ns, const struct pm_scan *scan);

/* Closes the file; a failed final write is logged. */
void pm_recorder_close(struct pm_recorder *rec);

#endif
