// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterctl calibrate (polymeterctl-internal.h): the reference values of the command line and
 * the Calibrate call, repeated while the daemon says the readings are settling.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "ctl/polymeterctl-internal.h"
#include "views/dbus/bus.h"

/* A reference value: a finite number >= 0. */
int ctl_parse_reference(const char *opt, const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*out) || *out < 0) {
		fprintf(stderr, "polymeterctl: --%s: not a value >= 0: %s\n", opt, s);
		return -EINVAL;
	}
	return 0;
}

static const char *const cal_units[] = {"V", "A", "W"};

/* The unit of a register's measured/reference values. */
static const char *cal_unit(const char *reg)
{
	if (reg[0] == 'v')
		return cal_units[0];
	if (reg[0] == 'i')
		return cal_units[1];
	return cal_units[2];
}

/* Calls Calibrate, again every second while the daemon says the readings are settling. */
int ctl_calibrate(sd_bus *bus, const char *meter, const struct calib_args *a)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *reg;
	char path[256];
	uint32_t phase;
	int32_t old_code, new_code;
	double measured, reference;
	bool first = true;
	int r;

	snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	for (int tries = 0;; tries++) {
		r = sd_bus_call_method(bus, PM_BUS_NAME, path, PM_BUS_IFACE_METER, "Calibrate",
				       &error, &reply, "suddd", a->step, a->phase, a->v, a->i,
				       a->p);
		if (r >= 0 || tries >= 60 || !sd_bus_error_has_name(&error, PM_BUS_ERROR_NOT_READY))
			break;
		sd_bus_error_free(&error);
		sleep(1);
	}
	if (r < 0)
		return ctl_call_error(meter, &error, r);
	if (ctl_json)
		printf("{\"meter\": \"%s\", \"step\": \"%s\", \"changes\": [", meter, a->step);
	r = sd_bus_message_enter_container(reply, 'a', "(usiidd)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(usiidd)", &phase, &reg, &old_code,
						  &new_code, &measured, &reference)) > 0) {
		if (ctl_json) {
			printf("%s{\"phase\": %u, \"register\": \"%s\", \"old\": %d, \"new\": %d, "
			       "\"measured\": %.6g, \"reference\": %.6g}",
			       first ? "" : ", ", phase, reg, old_code, new_code, measured,
			       reference);
		} else {
			printf("L%u %-6s %11d -> %11d  (read %.3f %s for %.3f %s)\n", phase, reg,
			       old_code, new_code, measured, cal_unit(reg), reference,
			       cal_unit(reg));
		}
		first = false;
	}
	if (ctl_json)
		printf("]}\n");
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
}
