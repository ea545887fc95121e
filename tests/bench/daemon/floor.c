// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory floor of polymeterd for tests/bench/daemon/run: a program that does nothing but is
 * linked like polymeterd (the same libraries, loaded even unused: --no-as-needed; the same
 * optimised, hardened flags) and prints its own peak resident set as polymeterd logs it
 * (common/peak-memory.c, VmHWM, and the anonymous and file-backed parts at exit): the libraries'
 * and the C runtime's share of polymeterd's figure.
 */
#include <stdio.h>

#include "common/peak-memory.h"

int main(void)
{
	char line[160];

	pm_memory_line(line, sizeof(line));
	printf("%s\n", line);
	return 0;
}
