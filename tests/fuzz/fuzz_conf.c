// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the INI configuration parser (daemon/app/conf.c). pm_conf_load() reads a path,
 * so the input is put in an anonymous memory file (memfd) and read through /proc/self/fd: the
 * parser runs from memory, with nothing written to disk.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "app/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pm_conf conf;
	static int fd = -1;
	static char path[64];
	char err[512];

	if (size > 65536)
		return -1;
	if (fd < 0) {
		fd = memfd_create("polymeterd.conf", MFD_CLOEXEC);
		if (fd < 0)
			__builtin_trap();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		__builtin_trap();
	pm_conf_load(path, &conf, err, sizeof(err));
	return 0;
}
