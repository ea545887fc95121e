/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The system's wall clock as the meters read it (docs/clock.md): each reading pairs
 * CLOCK_REALTIME with CLOCK_BOOTTIME and says whether the wall clock is trusted, by the
 * configured rule (clock_trust):
 *
 *   always  configured as trusted (an RTC-backed or otherwise disciplined clock);
 *   ntp     synchronised: the kernel's NTP state says so (maximum error below 16 s, the rule
 *           systemd-timedated's NTPSynchronized follows: timesyncd, chrony and ntpd keep it
 *           small; setting the clock by hand makes it 16 s). Where adjtimex() is refused
 *           (the shipped unit's ProtectClock=), /run/systemd/timesync/synchronized, which
 *           systemd-timesyncd touches when it synchronises, written after the clock was last
 *           set;
 *   rtc     the kernel set the clock from a battery-backed RTC at boot (rtc0's hctosys), or
 *           as ntp.
 *
 * A timerfd with TFD_TIMER_CANCEL_ON_SET tells the moment the clock is set, so the meters can
 * log the jump at once rather than at their next scan.
 */
#ifndef POLYMETER_WALL_CLOCK_WATCH_H
#define POLYMETER_WALL_CLOCK_WATCH_H

#include <systemd/sd-event.h>

#include "core/metrology/wall-clock.h"

struct pm_wall_watch;

/* @set: called when the system's clock was set (may be NULL). */
int pm_wall_watch_new(sd_event *event, enum pm_clock_trust trust, void (*set)(void *userdata),
		      void *userdata, struct pm_wall_watch **out);
void pm_wall_watch_free(struct pm_wall_watch *w);

/* Now: the two clocks and the trust. @w NULL: the real clocks, trusted. */
void pm_wall_watch_read(struct pm_wall_watch *w, struct pm_wall_reading *r);

#endif
