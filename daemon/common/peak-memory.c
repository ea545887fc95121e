// SPDX-License-Identifier: GPL-2.0-only
/* The process's own peak resident set (see peak-memory.h). */
#include <stdio.h>

#include "common/peak-memory.h"

struct status_kib {
	long hwm, anon, file, shmem;
};

static void read_status(struct status_kib *k)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];

	*k = (struct status_kib){-1, -1, -1, -1};
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &k->hwm) != 1 &&
		    sscanf(line, "RssAnon: %ld kB", &k->anon) != 1 &&
		    sscanf(line, "RssFile: %ld kB", &k->file) != 1)
			sscanf(line, "RssShmem: %ld kB", &k->shmem);
	fclose(f);
}

void pm_memory_line(char *buf, size_t len)
{
	struct status_kib k;

	read_status(&k);
	/* shared memory is SQLite's WAL index, a file mapped shared */
	snprintf(buf, len,
		 "peak RSS %ld KiB (VmHWM); at exit %ld KiB anonymous, %ld KiB file-backed", k.hwm,
		 k.anon, k.file < 0 ? -1 : k.file + (k.shmem > 0 ? k.shmem : 0));
}
