// SPDX-License-Identifier: GPL-2.0-only
/* What the D-Bus view reads of a running meter (see bus-meter-ops.h). */
#include <errno.h>
#include <string.h>

#include "acquire/calibrator.h"
#include "meter/meter.h"
#include "views/dbus/bus-meter-ops.h"

static int bus_events(void *userdata, struct pm_store_event *ev, size_t max)
{
	struct pm_meter *pipe = userdata;
	struct pm_store *st = pm_meter_store(pipe);

	return st ? pm_store_events(st, pm_meter_name(pipe), ev, max) : -ENODEV;
}

static int bus_profile(void *userdata, int64_t from_ns, int64_t to_ns,
		       struct pm_store_profile **out, size_t *n)
{
	struct pm_meter *pipe = userdata;
	struct pm_store *st = pm_meter_store(pipe);

	return st ? pm_store_profiles(st, pm_meter_name(pipe), from_ns, to_ns, out, n) : -ENODEV;
}

static void bus_demand(void *userdata, struct pm_demand_peak import[PM_DEMAND_MONTHS],
		       struct pm_demand_peak export_[PM_DEMAND_MONTHS])
{
	const struct pm_meter_status *st = pm_meter_status(userdata);

	memcpy(import, st->demand_import, sizeof(st->demand_import));
	memcpy(export_, st->demand_export, sizeof(st->demand_export));
}

static void bus_store(void *userdata, bool *ok, uint64_t *failures)
{
	const struct pm_meter_status *st = pm_meter_status(userdata);

	*ok = st->store_ok;
	*failures = st->store_failures;
}

static bool bus_clock_trusted(void *userdata)
{
	return pm_meter_status(userdata)->clock_trusted;
}

const struct pm_bus_meter_ops pm_meter_bus_ops = {
    .events = bus_events,
    .profile = bus_profile,
    .demand = bus_demand,
    .store = bus_store,
    .clock_trusted = bus_clock_trusted,
};

int pm_calibrator_bus_run(void *userdata, const struct pm_cal_request *req,
			  struct pm_cal_result *res, char *err, size_t errlen)
{
	return pm_calibrator_run(userdata, req, res, err, errlen);
}
