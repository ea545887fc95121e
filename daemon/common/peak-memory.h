/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process's own peak resident set: VmHWM of /proc/self/status. Not getrusage()'s ru_maxrss,
 * which Linux carries across execve(): a daemon started by a larger process (a Python test
 * harness, fork + exec) reports the parent's peak as its own.
 */
#ifndef POLYMETER_PEAK_MEMORY_H
#define POLYMETER_PEAK_MEMORY_H

/* KiB, or -1 when /proc is not mounted or has no such line. */
long pm_peak_rss_kib(void);

#endif
