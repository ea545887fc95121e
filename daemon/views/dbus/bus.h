/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The D-Bus view: name org.polymeter.Meter1, one object per meter at
 * /org/polymeter/Meter1/<meter> with the interface org.polymeter.Meter1.Meter, and the
 * ObjectManager at /org/polymeter/Meter1. docs/dbus.md and
 * daemon/views/dbus/org.polymeter.Meter1.xml describe the API.
 *
 * Every point of the object model is a read-only property: the totals under the point's
 * D-Bus name, phase values with the suffix L1, L2 or L3 ("VoltageL1"). Values are SI doubles
 * (V, A, W, var, VA, Hz, power factor -1..1), NaN while unknown; energy registers are
 * unsigned 64-bit Wh (floor of the register). PropertiesChanged is sent for the values that
 * changed, at most once per rate-limit interval per meter (the last change is never lost: a
 * change inside the interval is sent at its end).
 *
 * Methods (read-only, allowed to everyone by the bus policy):
 *   GetEvents(t max) -> a(tss)  the newest @max events (at most PM_STORE_EVENTS_KEPT), newest
 *       first: (UTC ns, kind, detail).
 *   GetProfile(t from_utc_ns, t to_utc_ns) -> a(ttuuatata(dddd))  the load-profile intervals
 *       with from <= end <= to, oldest first: (end UTC ns, period ns, status bits (1 power
 *       down, 2 clock adjusted, 4 partial), samples, registers at the end [+A mWh, -A mWh,
 *       +R mvarh, -R mvarh], their growth in the interval [same order], per phase L1..L3
 *       (mean V, mean A, mean power factor, mean Hz)).
 * Maximum demand (properties MaximumDemandImport, MaximumDemandExport, a(dt)): three entries,
 * the current UTC month, the previous one and the one before: (demand W = mean power over the
 * window, end of that window UTC ns); (NaN, 0) for a month without a closed window. Kept in
 * the store: a restart keeps them.
 * Errors: org.polymeter.Meter1.Error.InvalidArgument (from > to), .NoStore (the meter runs
 * without a store), .StoreFailed (the store could not be read; the message says why).
 */
#ifndef POLYMETER_BUS_H
#define POLYMETER_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "core/metrology/calibration.h"
#include "core/model/model.h"
#include "store/store.h"

#define PM_BUS_NAME "org.polymeter.Meter1"
#define PM_BUS_ROOT "/org/polymeter/Meter1"
#define PM_BUS_IFACE_METER "org.polymeter.Meter1.Meter"

#define PM_BUS_ERROR_INVALID_ARGUMENT "org.polymeter.Meter1.Error.InvalidArgument"
#define PM_BUS_ERROR_NO_STORE "org.polymeter.Meter1.Error.NoStore"
#define PM_BUS_ERROR_STORE_FAILED "org.polymeter.Meter1.Error.StoreFailed"
#define PM_BUS_ERROR_NOT_CONNECTED "org.polymeter.Meter1.Error.NotConnected"
#define PM_BUS_ERROR_NOT_READY "org.polymeter.Meter1.Error.NotReady"
#define PM_BUS_ERROR_CALIBRATION_FAILED "org.polymeter.Meter1.Error.CalibrationFailed"
#define PM_BUS_ERROR_NOT_SUPPORTED "org.polymeter.Meter1.Error.NotSupported"

struct pm_bus;

/*
 * Where a meter's event log and load profile come from (the daemon: its store; tests: fixed
 * data). Either may return -ENODEV: the meter has no store. Other negative errno values are
 * store failures.
 */
struct pm_bus_meter_ops {
	/* Up to @max events, newest first, into @ev; returns how many. */
	int (*events)(void *userdata, struct pm_store_event *ev, size_t max);
	/* Intervals with from_ns <= end_ns <= to_ns, oldest first, malloc'd into *out. */
	int (*profile)(void *userdata, int64_t from_ns, int64_t to_ns,
		       struct pm_store_profile **out, size_t *n);
	/* Maximum demand of +A and -A, [0] current UTC month, [1] previous, [2] the one before
	 * (NULL: none published). */
	void (*demand)(void *userdata, struct pm_demand_peak import[PM_DEMAND_MONTHS],
		       struct pm_demand_peak export_[PM_DEMAND_MONTHS]);
	/* Whether the last store operation succeeded (false without a store) and how many have
	 * failed since start (NULL: StoreOK false, StoreFailures 0). */
	void (*store)(void *userdata, bool *ok, uint64_t *failures);
	/* Whether the wall clock the meter runs on is trusted (docs/clock.md; NULL: true). */
	bool (*clock_trusted)(void *userdata);
};

/*
 * Connects (system bus, or the session bus when @user), attaches to @event, registers the
 * ObjectManager and requests the name. @min_interval_us rate-limits PropertiesChanged.
 */
int pm_bus_new(sd_event *event, bool user, uint64_t min_interval_us, struct pm_bus **out);
struct pm_bus *pm_bus_free(struct pm_bus *bus);

/*
 * Publishes a meter. @name must be a D-Bus path element ([A-Za-z0-9_]); the snapshot is
 * read, never copied, whenever a client asks, so it must live as long as the meter. @ops
 * (NULL: no store, the methods answer NoStore) is called with @userdata; both must live as
 * long as the meter too.
 */
int pm_bus_add_meter(struct pm_bus *bus, const char *name, const struct pm_snapshot *snap,
		     const struct pm_bus_meter_ops *ops, void *userdata);

/*
 * The Calibrate method of a meter (root and polymeter-admin only: checked by the bus policy and by
 * bus.c): (s step, u phase, d voltage V, d current A, d power W) -> a(usiidd) (phase, register, old
 * code, new code, measured, reference; V, A or W). The bus validates the numbers, @fn the rest; @fn
 * returns 0 or -EINVAL/-ERANGE (InvalidArgument), -ENOTCONN (NotConnected), -EAGAIN (NotReady),
 * -ENODEV (NoStore), -EIO (CalibrationFailed), other (StoreFailed), with a message in @err. Without
 * a function the method answers NotSupported.
 */
typedef int (*pm_bus_calibrate_fn)(void *userdata, const struct pm_cal_request *req,
				   struct pm_cal_result *res, char *err, size_t errlen);
int pm_bus_meter_set_calibrate(struct pm_bus *bus, const char *name, pm_bus_calibrate_fn fn,
			       void *userdata);

/* The meter's snapshot was refilled; @connected says whether its source delivers. */
int pm_bus_meter_changed(struct pm_bus *bus, const char *name, bool connected);

/* The connection, for the other interfaces on the meter objects (bus-account.h). */
sd_bus *pm_bus_sd_bus(struct pm_bus *bus);

#endif
