// SPDX-License-Identifier: GPL-2.0-only
/* The process's own peak resident set (see peak-memory.h). */
#include <stdio.h>

#include "common/peak-memory.h"

long pm_peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}
