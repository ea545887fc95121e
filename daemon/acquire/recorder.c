// SPDX-License-Identifier: GPL-2.0-only
/* A meter's recording (see recorder.h). */
#include <errno.h>

#include "acquire/recorder.h"
#include "acquire/source-replay.h"
#include "common/log.h"

int pm_recorder_open(struct pm_recorder *rec, const char *meter, const char *path)
{
	int r;

	rec->meter = meter;
	rec->path = path;
	rec->file = fopen(path, "we");
	r = rec->file ? pm_recording_start(rec->file) : -(errno ? errno : EIO);
	if (r < 0)
		return log_error_errno(r, "meter %s: cannot record to %s", meter, path);
	return 0;
}

void pm_recorder_scan(struct pm_recorder *rec, int64_t utc_ns, const struct pm_scan *scan)
{
	if (!rec->file)
		return;
	if (pm_recording_write(rec->file, utc_ns, scan) < 0) {
		log_error("meter %s: cannot write to %s; recording stopped", rec->meter, rec->path);
		fclose(rec->file);
		rec->file = NULL;
	}
}

void pm_recorder_close(struct pm_recorder *rec)
{
	if (rec->file && fclose(rec->file) != 0)
		log_error("meter %s: cannot write %s", rec->meter, rec->path);
	rec->file = NULL;
}
