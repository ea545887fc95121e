/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wall-clock: the meter's clock made from a wall clock that can be wrong (pure core: the
 * readings come in as arguments; docs/clock.md).
 *
 * A gateway without a battery-backed clock boots with a wrong time, and its wall clock jumps
 * when NTP (or a person) sets it, forwards or backwards, by seconds or by years. Each reading
 * pairs the wall clock with a clock that is never set and counts real time (CLOCK_BOOTTIME):
 * when the wall clock moved by more than PM_WALL_CLOCK_JUMP_NS beyond the real time that
 * passed, it was set (a jump). The caller also says whether the wall clock is trusted now
 * (synchronised, set from an RTC, or configured so).
 *
 * The meter's clock, which dates billing, the load profile, maximum demand and checkpoints:
 *   - never goes backwards: after the wall clock is set back it stands still until the wall
 *     clock catches up ("frozen"), so no closed profile interval is reopened and no time is
 *     billed twice;
 *   - follows the wall clock forwards; a reading fed as a sample whose meter time moved by
 *     more than the real time since the last sample fed (beyond PM_WALL_CLOCK_JUMP_NS) is a
 *     "step": time that did not pass, for which no standing charge, debt instalment or demand
 *     is due;
 *   - while the wall clock is not trusted, samples are held (no time-based billing, no profile
 *     closing, no demand); the first sample fed after a hold is a step, so the held time is not
 *     billed either (the energy is: the registers never depend on the wall clock).
 */
#ifndef POLYMETER_WALL_CLOCK_H
#define POLYMETER_WALL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* NTP slews at most 500 ppm (0.5 ms a second): anything beyond a second between two readings
 * is the clock being set. */
#define PM_WALL_CLOCK_JUMP_NS INT64_C(1000000000)

/* When the wall clock is trusted (the daemon's clock_trust; acquire/wall-clock-watch.h). */
enum pm_clock_trust {
	PM_CLOCK_TRUST_ALWAYS,
	PM_CLOCK_TRUST_NTP,
	PM_CLOCK_TRUST_RTC,
};

const char *pm_clock_trust_name(enum pm_clock_trust t);
/* 0, or -EINVAL for a name that is none of always, ntp, rtc. */
int pm_clock_trust_parse(const char *name, enum pm_clock_trust *t);

struct pm_wall_reading {
	int64_t wall_ns; /* the wall clock (UTC) */
	int64_t boot_ns; /* a clock never set, counting real time (CLOCK_BOOTTIME) */
	bool trusted;	 /* the wall clock can be believed now */
};

struct pm_wall_clock {
	bool started;
	int64_t last_wall_ns, last_boot_ns; /* the last reading */
	int64_t meter_ns;		    /* the meter's clock at the last reading */
	bool trusted;			    /* at the last reading */
	bool fed;			    /* a sample was fed since start */
	int64_t fed_meter_ns, fed_boot_ns;  /* at the last sample fed */
	bool held;			    /* samples were held since the last one fed */
};

struct pm_wall_step {
	int64_t meter_ns;     /* the meter's time of this reading */
	bool hold;	      /* untrusted: the sample feeds no billing, profile or demand */
	bool step;	      /* (a sample, not held) time since the last sample fed did not pass */
	bool frozen;	      /* the wall clock is behind the meter's clock, which waits for it */
	bool jump;	      /* the wall clock was set since the last reading */
	int64_t jump_from_ns; /* where the wall clock would be had it not been set */
	int64_t jump_to_ns;   /* where it is */
	bool trust_changed;   /* trusted differs from the last reading (or the first reading) */
	bool trusted;
};

void pm_wall_clock_init(struct pm_wall_clock *c);

/*
 * One reading. @sample: it dates a sample that billing, the profile and demand are to be fed
 * (false: an observation between samples, e.g. when the system says its clock was set; it
 * detects jumps and trust changes and feeds nothing).
 */
void pm_wall_clock_read(struct pm_wall_clock *c, const struct pm_wall_reading *r, bool sample,
			struct pm_wall_step *out);

#endif
