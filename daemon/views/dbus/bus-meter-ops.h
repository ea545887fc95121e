/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the D-Bus view reads of a running meter (bus.h's pm_bus_meter_ops): its event log and
 * load profile from the store, its maximum demand and store health from its status; and its
 * Calibrate method, run by the meter's calibrator.
 */
#ifndef POLYMETER_BUS_METER_OPS_H
#define POLYMETER_BUS_METER_OPS_H

#include "views/dbus/bus.h"

/* userdata: the struct pm_meter (meter/meter.h). */
extern const struct pm_bus_meter_ops pm_meter_bus_ops;

/* A pm_bus_calibrate_fn; userdata: the struct pm_calibrator (acquire/calibrator.h). */
int pm_calibrator_bus_run(void *userdata, const struct pm_cal_request *req,
			  struct pm_cal_result *res, char *err, size_t errlen);

#endif
