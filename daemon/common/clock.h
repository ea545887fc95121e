/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The wall clock of the adapters, as the daemon keeps time: int64 ns of UTC (64-bit on every
 * architecture, past 2038). The pure core never reads it: its time comes in as arguments.
 */
#ifndef POLYMETER_CLOCK_H
#define POLYMETER_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t pm_utc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
