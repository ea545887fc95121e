// SPDX-License-Identifier: GPL-2.0-only
/* A new counter generation (see generation.h). */
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>

#include "acquire/generation.h"

uint64_t pm_source_new_generation(void)
{
	uint64_t g;
	struct timespec ts;

	if (getrandom(&g, sizeof(g), GRND_NONBLOCK) != (ssize_t)sizeof(g)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		g = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	return g;
}
