/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process's own peak resident set: VmHWM of /proc/self/status. Not getrusage()'s ru_maxrss,
 * which Linux carries across execve(): a daemon started by a larger process (a Python test
 * harness, fork + exec) reports the parent's peak as its own.
 */
#ifndef POLYMETER_PEAK_MEMORY_H
#define POLYMETER_PEAK_MEMORY_H

#include <stddef.h>

/*
 * The line polymeterd logs at exit and the memory floor prints (tests/bench/daemon/run reads
 * both): "peak RSS P KiB (VmHWM); at exit A KiB anonymous, F KiB file-backed". The split
 * (RssAnon; RssFile + RssShmem) is taken now, not at the peak: it tells the process's own data
 * (heap, stacks, written pages of the libraries) from the pages of program and library files
 * that it ran or read. KiB; -1 for a field /proc does not have (or /proc not mounted).
 */
void pm_memory_line(char *buf, size_t len);

#endif
