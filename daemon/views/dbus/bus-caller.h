/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who is calling a D-Bus method, as polymeterd checks it itself: the bus policy file
 * (daemon/dist/org.polymeter.Meter1.conf) is the first gate, this is the second, so that a missing,
 * mis-installed or permissive policy (or a session bus, which has none) does not open a method
 * that needs someone at the meter.
 *
 * The caller's uid and groups come from the bus daemon (org.freedesktop.DBus.
 * GetConnectionCredentials: UnixUserID and UnixGroupIDs, which dbus-daemon 1.14 and dbus-broker
 * take from the socket, SO_PEERCRED and SO_PEERGROUPS, when the caller connected), not from
 * /proc: the service runs with ProtectProc=invisible, and a PID can be reused. A bus that does
 * not report the groups leaves the caller in none of them (only root then passes).
 */
#ifndef POLYMETER_BUS_CALLER_H
#define POLYMETER_BUS_CALLER_H

#include <stdbool.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>

/* May call every method (the bus policy's admin side). */
#define PM_BUS_ADMIN_GROUP "polymeter-admin"
/*
 * The meter's own display (in-home display, the meter's screen and keys): its service user is
 * put in this group by the installer. What it does counts as done at the meter.
 */
#define PM_BUS_DISPLAY_GROUP "polymeter-display"

struct pm_bus_caller {
	uid_t uid;
	bool root;    /* uid 0 */
	bool admin;   /* a member of PM_BUS_ADMIN_GROUP */
	bool display; /* a member of PM_BUS_DISPLAY_GROUP */
};

/*
 * Fills @c for the sender of @msg. A negative errno, with @error set to
 * org.freedesktop.DBus.Error.AccessDenied, when the bus cannot say who it is.
 */
int pm_bus_caller_get(sd_bus_message *msg, struct pm_bus_caller *c, sd_bus_error *error);

#endif
