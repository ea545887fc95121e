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

#include "core/metrology/calibration.h"
#include "app/conf.h"
#include "acquire/scan.h"

struct pm_source;

/* What each kind implements; the kind's struct embeds struct pm_source first. */
struct pm_source_ops {
	void (*free)(struct pm_source *s);
	bool (*connected)(const struct pm_source *s);
	unsigned (*losses)(const struct pm_source *s);
	/* optional (a recording has no chip): see pm_source_calib_read / pm_source_calib_apply */
	int (*calib_read)(struct pm_source *s, int phase, int32_t code[PM_CAL_REGS],
			  int64_t rms_scale_nano[2]);
	int (*calib_apply)(struct pm_source *s, const struct pm_calib *c);
	/* optional: the simulated UTC of the scan being delivered (false: the real clock) */
	bool (*sim_utc)(const struct pm_source *s, int64_t *utc_ns);
	/* optional: true once the source has delivered its last scan */
	bool (*finished)(const struct pm_source *s);
};

/* A condition the meter IC itself detected (its IIO events, docs/abi.md §6). */
enum pm_chip_event_kind {
	PM_CHIP_SWELL,	     /* rms voltage crossed the swell level (its start or its end) */
	PM_CHIP_DIP,	     /* rms voltage crossed the dip level (its start or its end) */
	PM_CHIP_REVERSE,     /* active power became export (rising = false) or import again */
	PM_CHIP_OVERCURRENT, /* rms current above the overcurrent level; phase 3 = neutral */
};

struct pm_chip_event {
	enum pm_chip_event_kind kind;
	int phase;     /* 0..2 = L1..L3, 3 = neutral (overcurrent only) */
	bool rising;   /* the IIO direction: rising or falling */
	int64_t ts_ns; /* when the chip saw it, on the clock of the scans' ts_ns */
};

typedef void (*pm_chip_event_fn)(void *userdata, const struct pm_chip_event *ev);

struct pm_source {
	const struct pm_source_ops *ops;
	/* chip events, for the kinds that can report them (NULL: not wanted) */
	pm_chip_event_fn on_chip_event;
	void *chip_event_userdata;
};

/* Creates the source of conf's type and starts it. conf must outlive the source. */
int pm_source_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb, void *userdata,
		  struct pm_source **ret);
struct pm_source *pm_source_free(struct pm_source *s);
/* Whether scans are flowing now (for the status line). */
bool pm_source_connected(const struct pm_source *s);
/* How many times the device was lost since start. */
unsigned pm_source_losses(const struct pm_source *s);
/* Where chip events go (the iio source on a local context reports them; others never do). */
void pm_source_set_chip_event_cb(struct pm_source *s, pm_chip_event_fn fn, void *userdata);

/*
 * The correction codes in the chip now for @phase (0-based), and the rms scales of its voltage
 * [0] and current [1] (mV or mA per code, x 1e9) to convert readings to codes.
 * -ENOTCONN while the device is away.
 */
int pm_source_calib_read(struct pm_source *s, int phase, int32_t code[PM_CAL_REGS],
			 int64_t rms_scale_nano[2]);
/* Whether the source has a chip whose calibration it can read and write (-EOPNOTSUPP if not). */
bool pm_source_can_calibrate(const struct pm_source *s);
/*
 * Makes @c the calibration of the source: the codes of every phase set in @c are written now
 * (when connected) and again after every (re)connection, since a reloaded driver brings the
 * chip up at its defaults. Returns the first write error (the source keeps @c either way).
 */
int pm_source_calib_apply(struct pm_source *s, const struct pm_calib *c);

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
