// SPDX-License-Identifier: GPL-2.0-only
/* The Modbus test servers' shared parts (see fixture.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"

void fixture_set(struct pm_snapshot *snap, const char *prog, const char *id, int64_t value,
		 bool valid)
{
	int i = pm_point_find(id);

	if (i < 0) {
		fprintf(stderr, "%s: no point %s\n", prog, id);
		exit(EXIT_FAILURE);
	}
	snap->value[i] = value;
	snap->valid[i] = valid;
}

void fixture_dump(const struct pm_snapshot *snap)
{
	for (size_t i = 0; i < pm_point_count; i++)
		printf("%s %lld %d %d\n", pm_points[i].id, (long long)snap->value[i],
		       pm_points[i].scaler, snap->valid[i]);
}

int fixture_parse(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 0);
	return errno || *end || *v < min || *v > max ? -EINVAL : 0;
}

int fixture_event(sd_event **e, sd_event_signal_handler_t on_signal, bool usr1)
{
	sigset_t ss;
	int r;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	if (usr1)
		sigaddset(&ss, SIGUSR1);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	r = sd_event_default(e);
	if (r >= 0)
		r = sd_event_add_signal(*e, NULL, SIGTERM, on_signal, NULL);
	if (r >= 0)
		r = sd_event_add_signal(*e, NULL, SIGINT, on_signal, NULL);
	if (r >= 0 && usr1)
		r = sd_event_add_signal(*e, NULL, SIGUSR1, on_signal, NULL);
	return r;
}
