// SPDX-License-Identifier: GPL-2.0-only
/* Logging (see log.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static int log_max = LOG_INFO;

void pm_log_set_max(int prio)
{
	log_max = prio;
}

static void log_va(int prio, int r, const char *fmt, va_list ap)
{
	char msg[1024];

	if (prio > log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>", prio);
	if (r < 0)
		fprintf(stderr, "%s: %s\n", msg, strerror(-r));
	else
		fprintf(stderr, "%s\n", msg);
}

void pm_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(prio, 0, fmt, ap);
	va_end(ap);
}

int pm_log_errno(int prio, int r, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_va(prio, r, fmt, ap);
	va_end(ap);
	errno = saved;
	return r;
}
