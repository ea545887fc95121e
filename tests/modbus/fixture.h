/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the Modbus test servers (serve.c for TCP, rtu-serve.c for RTU) share: setting points of
 * a fixed snapshot, printing it for the clients (--dump), argument parsing, and an sd-event
 * loop that ends on SIGTERM/SIGINT.
 */
#ifndef POLYMETER_TEST_MODBUS_FIXTURE_H
#define POLYMETER_TEST_MODBUS_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "core/model/model.h"

/* Sets point @id (exits naming @prog when the object model has no such point). */
void fixture_set(struct pm_snapshot *snap, const char *prog, const char *id, int64_t value,
		 bool valid);

/* Prints "id value scaler valid" for every point: what the clients decode is checked with. */
void fixture_dump(const struct pm_snapshot *snap);

/* strtol of the whole string within [min, max]: 0 or -EINVAL. */
int fixture_parse(const char *s, long min, long max, long *v);

/*
 * The default event loop with SIGTERM and SIGINT blocked and handled by @on_signal (NULL: end
 * the loop), and SIGUSR1 too when @usr1. Returns 0 or a negative errno.
 */
int fixture_event(sd_event **e, sd_event_signal_handler_t on_signal, bool usr1);

#endif
